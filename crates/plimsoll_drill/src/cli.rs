//! `plimsoll drill postgres`: the flags and the entry point.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cancel::Cancel;
use crate::conn::ConnSpec;
use crate::drill::{DrillOptions, Target, run_drill, snapshot_dump};
use crate::evidence::DrillRecord;
use crate::server::ServerOptions;
use crate::time::{now_rfc3339, parse_duration, parse_timestamp};
use crate::tools::PgTools;
use crate::verify::{COUNTS_SCHEMA, CountsFile, normalize_table_name};

/// Restore a PostgreSQL backup into a scratch database or server, verify it, measure RTO and
/// RPO, write the evidence, and remove everything the drill created.
///
/// Passwords come from PGPASSWORD, PGPASSFILE/~/.pgpass or --passfile (libpq format), never
/// from the command line. Exit codes: 0 pass, 1 a check failed or a target was missed,
/// 2 usage or setup error, 130 interrupted.
#[derive(clap::Args, Clone, Debug, Default)]
#[command(next_line_help = false)]
pub struct PostgresArgs {
    /// The backup: a pg_dump archive (custom file, directory, tar, plain SQL) or a
    /// pg_basebackup directory (physical drill). Without it, a fresh dump of --source is taken.
    #[arg(long, value_name = "PATH")]
    pub backup: Option<PathBuf>,

    /// Server for the scratch database (postgres://user@host:port/maintenance-db). The drill
    /// creates plimsoll_drill_<id> there and drops it afterwards.
    #[arg(long, value_name = "URL", conflicts_with = "scratch_server")]
    pub target: Option<String>,

    /// Restore into a throwaway server started with initdb/pg_ctl on a free loopback port.
    #[arg(long)]
    pub scratch_server: bool,

    /// The source database: reference for table list and row counts, origin of a fresh dump,
    /// and never the restore target.
    #[arg(long, value_name = "URL")]
    pub source: Option<String>,

    /// SQL assertion that must return true on the restored copy (repeatable).
    #[arg(long = "check", value_name = "SQL")]
    pub checks: Vec<String>,

    /// Table whose content checksum must match the reference (repeatable; schema.table,
    /// default schema public).
    #[arg(long = "critical", value_name = "TABLE")]
    pub critical: Vec<String>,

    /// Counts recorded at backup time (--record-counts): the reference for the verification.
    #[arg(long, value_name = "FILE", conflicts_with = "record_counts")]
    pub counts: Option<PathBuf>,

    /// Record exact row counts (and --critical checksums) of --source in one snapshot to FILE,
    /// then exit. With --dump-to, also dump the source in that same snapshot.
    #[arg(long, value_name = "FILE", requires = "source")]
    pub record_counts: Option<PathBuf>,

    /// With --record-counts: pg_dump the source to PATH in the counted snapshot (directory
    /// format with --jobs, or custom format when PATH ends in .dump).
    #[arg(long, value_name = "PATH", requires = "record_counts")]
    pub dump_to: Option<PathBuf>,

    /// Write the drill record (JSON, plimsoll/drill/v1) here; a directory gets
    /// drill-<service>-<id>.json.
    #[arg(long, value_name = "FILE")]
    pub evidence: Option<PathBuf>,

    /// Recovery time objective: restore + verification must finish within it (90s, 15m, 1h).
    #[arg(long, value_name = "DURATION", value_parser = duration_arg)]
    pub rto: Option<Duration>,

    /// Recovery point objective: the backup may be at most this old.
    #[arg(long, value_name = "DURATION", value_parser = duration_arg)]
    pub rpo: Option<Duration>,

    /// readiness.yaml with rto/rpo per service (default: ./readiness.yaml when --service is
    /// given and the file exists). Flags override it.
    #[arg(long, value_name = "FILE")]
    pub readiness: Option<PathBuf>,

    /// Service name, for readiness.yaml and the evidence.
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,

    /// Parallel jobs for pg_restore/pg_dump and for the verification queries.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub jobs: u32,

    /// Password file in libpq's format (host:port:db:user:password, mode 0600).
    #[arg(long, value_name = "FILE")]
    pub passfile: Option<PathBuf>,

    /// Physical drill: the database to verify (default: --source's, the counts file's, postgres).
    #[arg(long, value_name = "NAME")]
    pub database: Option<String>,

    /// Where scratch servers and fresh dumps live (default: the temp dir).
    #[arg(long, value_name = "DIR")]
    pub workdir: Option<PathBuf>,

    /// Allow the scratch database on the source's own server (refused by default: a drill
    /// must not load or fill the production server).
    #[arg(long)]
    pub allow_same_server: bool,

    /// When the backup was taken (RFC 3339), when the archive's own time is not trustworthy.
    #[arg(long, value_name = "TIMESTAMP")]
    pub backup_created_at: Option<String>,

    /// List and drop scratch databases left on --target by drills that could not clean up
    /// (killed with SIGKILL), then exit.
    #[arg(long, requires = "target")]
    pub sweep: bool,

    /// No progress lines on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Scratch servers without fsync (tests only).
    #[arg(long, hide = true)]
    pub scratch_unsafe_fast: bool,
}

fn duration_arg(s: &str) -> Result<Duration, String> {
    parse_duration(s)
}

/// Runs `plimsoll drill postgres`; returns the exit code.
pub fn run(args: &PostgresArgs) -> i32 {
    let cancel = Cancel::new();
    let _signals = cancel.on_signals();
    run_with_cancel(args, &cancel)
}

/// [`run`] with a caller's cancellation flag (no signal handlers are installed).
pub fn run_with_cancel(args: &PostgresArgs, cancel: &Cancel) -> i32 {
    let tools = match PgTools::discover() {
        Ok(t) => t,
        Err(e) => return usage(&e),
    };
    if args.sweep {
        return sweep(args);
    }
    if let Some(path) = &args.record_counts {
        return record_counts(args, &tools, path, cancel);
    }
    let opts = match options(args) {
        Ok(o) => o,
        Err(e) => return usage(&e),
    };
    let outcome = run_drill(&opts, &tools, cancel);
    let mut record = outcome.record;
    let mut code = outcome.exit_code;
    if let Some(path) = &args.evidence {
        let file = evidence_path(path, &record);
        match record.write(&file) {
            Ok(()) => {
                if !args.quiet {
                    eprintln!("plimsoll drill: evidence written to {}", file.display());
                }
            }
            Err(e) => {
                record.warnings.push(format!("evidence: {e}"));
                eprintln!("plimsoll drill: could not write the evidence: {e}");
                code = code.max(2);
            }
        }
    }
    // The summary comes last: the evidence is written and everything is cleaned up by now.
    // (`print!` so that test harnesses capture it.)
    print!("{}", record.summary());
    code
}

fn usage(msg: &str) -> i32 {
    eprintln!("plimsoll drill postgres: {msg}");
    2
}

fn evidence_path(path: &Path, record: &DrillRecord) -> PathBuf {
    let is_dir = path.is_dir() || path.as_os_str().to_string_lossy().ends_with('/');
    if is_dir {
        let service = record.service.as_deref().unwrap_or("postgres");
        let safe: String = service
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        path.join(format!("drill-{safe}-{}.json", record.id))
    } else {
        path.to_path_buf()
    }
}

/// Validates the flags into [`DrillOptions`].
pub fn options(args: &PostgresArgs) -> Result<DrillOptions, String> {
    let source = args
        .source
        .as_deref()
        .map(ConnSpec::parse)
        .transpose()
        .map_err(|e| format!("--source: {e}"))?;
    let physical = args
        .backup
        .as_deref()
        .is_some_and(|b| b.is_dir() && b.join("PG_VERSION").is_file());
    let target = match (&args.target, args.scratch_server) {
        (Some(t), false) => {
            Target::Server(ConnSpec::parse(t).map_err(|e| format!("--target: {e}"))?)
        }
        (None, true) => Target::ScratchServer,
        (None, false) if physical => Target::ScratchServer,
        (None, false) => {
            return Err(
                "give --target URL (a server for the scratch database) or --scratch-server".into(),
            );
        }
        (Some(_), true) => return Err("--target and --scratch-server exclude each other".into()),
    };
    if physical && args.target.is_some() {
        return Err(
            "a base backup is started as its own scratch server; --target does not apply".into(),
        );
    }
    if args.backup.is_none() && source.is_none() {
        return Err("give --backup PATH, or --source URL to drill a fresh dump".into());
    }
    if let (Some(s), Target::Server(t)) = (&source, &target) {
        let (rs, rt) = (
            s.resolve(args.passfile.as_deref()),
            t.resolve(args.passfile.as_deref()),
        );
        if crate::conn::same_address(&rs, &rt) && rs.dbname == rt.dbname {
            return Err(format!(
                "--target is the source database itself ({}); a drill never restores into the source",
                s.redacted()
            ));
        }
    }
    let critical = args
        .critical
        .iter()
        .map(|c| normalize_table_name(c))
        .collect::<Result<Vec<_>, _>>()?;
    let counts = args.counts.as_deref().map(CountsFile::load).transpose()?;
    let (mut rto, mut rpo, mut declared) = (None, None, None);
    let readiness = args.readiness.clone().or_else(|| {
        let p = PathBuf::from("readiness.yaml");
        (args.service.is_some() && p.is_file()).then_some(p)
    });
    if let Some(path) = &readiness {
        let Some(service) = &args.service else {
            return Err(format!(
                "--readiness {} needs --service NAME",
                path.display()
            ));
        };
        match crate::readiness::find(path, service)? {
            Some(t) => {
                rto = t.rto;
                rpo = t.rpo;
                declared = Some(format!("readiness.yaml ({})", path.display()));
            }
            None if args.readiness.is_some() => {
                return Err(format!(
                    "service `{service}` is not declared in {}",
                    path.display()
                ));
            }
            None => {}
        }
    }
    if args.rto.is_some() || args.rpo.is_some() {
        rto = args.rto.or(rto);
        rpo = args.rpo.or(rpo);
        declared = Some(match declared {
            Some(d) => format!("flags over {d}"),
            None => "flags".into(),
        });
    }
    let backup_created_at = args
        .backup_created_at
        .as_deref()
        .map(|t| {
            parse_timestamp(t).ok_or_else(|| {
                format!("--backup-created-at: cannot read `{t}` (use 2026-11-01T10:00:00Z)")
            })
        })
        .transpose()?;
    if let Some(b) = &args.backup
        && !b.exists()
    {
        return Err(format!(
            "--backup {}: no such file or directory",
            b.display()
        ));
    }
    Ok(DrillOptions {
        backup: args.backup.clone(),
        target,
        source,
        passfile: args.passfile.clone(),
        checks: args.checks.clone(),
        critical,
        counts,
        counts_path: args.counts.clone(),
        rto,
        rpo,
        targets_declared_in: declared,
        service: args.service.clone(),
        jobs: args.jobs,
        database: args.database.clone(),
        allow_same_server: args.allow_same_server,
        backup_created_at,
        server_options: ServerOptions {
            workdir: args.workdir.clone(),
            fast: args.scratch_unsafe_fast,
            ..ServerOptions::default()
        },
        progress: !args.quiet,
    })
}

/// `--record-counts FILE --source URL [--critical T]... [--dump-to PATH]`.
fn record_counts(args: &PostgresArgs, tools: &PgTools, path: &Path, cancel: &Cancel) -> i32 {
    let Some(src) = &args.source else {
        return usage("--record-counts needs --source");
    };
    let spec = match ConnSpec::parse(src) {
        Ok(s) => s,
        Err(e) => return usage(&format!("--source: {e}")),
    };
    let critical = match args
        .critical
        .iter()
        .map(|c| normalize_table_name(c))
        .collect::<Result<_, _>>()
    {
        Ok(c) => c,
        Err(e) => return usage(&e),
    };
    let resolved = spec.resolve(args.passfile.as_deref());
    for w in &resolved.warnings {
        eprintln!("plimsoll drill: warning: {w}");
    }
    let dump = args.dump_to.clone();
    let started = std::time::Instant::now();
    let result = snapshot_dump(
        tools,
        cancel,
        &resolved,
        dump.as_deref().unwrap_or(Path::new("")),
        &critical,
        args.jobs as usize,
        dump.is_some(),
    );
    let (tables, _) = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("plimsoll drill: recording counts: {e}");
            return if cancel.is_cancelled() { 130 } else { 2 };
        }
    };
    let version = resolved.connect().ok().and_then(|mut c| {
        c.query_one("show server_version", &[])
            .ok()
            .map(|r| r.get(0))
    });
    let file = CountsFile {
        schema: COUNTS_SCHEMA.into(),
        database: resolved.dbname.clone(),
        recorded_at: now_rfc3339(),
        source: spec.redacted(),
        server_version: version,
        snapshot: None,
        user: Some(resolved.user.clone()),
        dump: dump.map(|d| d.display().to_string()),
        tables,
    };
    let text = match serde_json::to_string_pretty(&file) {
        Ok(t) => t + "\n",
        Err(e) => return usage(&e.to_string()),
    };
    if let Err(e) = std::fs::write(path, text) {
        return usage(&format!("{}: {e}", path.display()));
    }
    if !args.quiet {
        let rows: i64 = file.tables.values().filter_map(|t| t.rows).sum();
        eprintln!(
            "plimsoll drill: recorded {} tables, {rows} rows{} in {:.1}s to {}",
            file.tables.len(),
            file.dump
                .as_deref()
                .map(|d| format!(" (dump in the same snapshot: {d})"))
                .unwrap_or_default(),
            started.elapsed().as_secs_f64(),
            path.display()
        );
    }
    0
}

/// `--sweep --target URL`.
fn sweep(args: &PostgresArgs) -> i32 {
    let Some(t) = &args.target else {
        return usage("--sweep needs --target");
    };
    let spec = match ConnSpec::parse(t) {
        Ok(s) if s.dbname.is_none() => s.with_dbname("postgres"),
        Ok(s) => s,
        Err(e) => return usage(&format!("--target: {e}")),
    };
    let admin = spec.resolve(args.passfile.as_deref());
    let left = match crate::scratch::leftovers(&admin) {
        Ok(l) => l,
        Err(e) => return usage(&format!("--target: {e}")),
    };
    let mut code = 0;
    for (name, comment) in left {
        match crate::scratch::drop_leftover(&admin, &name) {
            Ok(()) => println!("dropped {name} ({comment})"),
            Err(e) => {
                println!("could not drop {name}: {e}");
                code = 2;
            }
        }
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        a: PostgresArgs,
    }

    fn parse(args: &[&str]) -> Result<PostgresArgs, String> {
        T::try_parse_from(std::iter::once("drill").chain(args.iter().copied()))
            .map(|t| t.a)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn flags() {
        let a = parse(&[
            "--backup",
            "/x",
            "--target",
            "postgres://h/postgres",
            "--check",
            "select true",
            "--check",
            "select 1=1",
            "--critical",
            "orders",
            "--rto",
            "15m",
            "-j",
            "4",
        ])
        .unwrap();
        assert_eq!(a.checks.len(), 2);
        assert_eq!(a.rto, Some(Duration::from_secs(900)));
        assert_eq!(a.jobs, 4);
        assert!(parse(&["--target", "x", "--scratch-server"]).is_err());
        assert!(parse(&["--rto", "soon"]).is_err());
        assert!(parse(&["--jobs", "0"]).is_err());
        assert!(parse(&["--record-counts", "f"]).is_err(), "needs --source");
    }

    #[test]
    fn option_validation() {
        let a = parse(&["--backup", "/nonexistent", "--scratch-server"]).unwrap();
        assert!(options(&a).unwrap_err().contains("no such file"));
        let a = parse(&["--scratch-server"]).unwrap();
        assert!(options(&a).unwrap_err().contains("--backup"));
        let a = parse(&[
            "--source",
            "postgres://h:5432/app",
            "--target",
            "postgres://h:5432/app",
        ])
        .unwrap();
        assert!(options(&a).unwrap_err().contains("source database itself"));
        let a = parse(&[
            "--source",
            "postgres://h/app",
            "--target",
            "postgres://h/postgres",
            "--critical",
            "a.b.c",
        ])
        .unwrap();
        assert!(options(&a).is_err());
        let a = parse(&[
            "--source",
            "postgres://h/app",
            "--target",
            "postgres://x/postgres",
            "--service",
            "s",
            "--readiness",
            "/nonexistent.yaml",
        ])
        .unwrap();
        assert!(options(&a).is_err());
    }
}
