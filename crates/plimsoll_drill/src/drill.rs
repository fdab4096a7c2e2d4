//! The drill itself: inspect → (dump) → target → restore → verify → measure → clean up,
//! every step timed and recorded, cleanup on every path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::archive::{self, BackupFormat, BackupInfo};
use crate::cancel::Cancel;
use crate::conn::{ConnSpec, Resolved, os_user, pg_error, same_address};
use crate::evidence::{
    BackupRecord, CheckRecord, DrillRecord, Measurements, SCHEMA, StepRecord, TargetRecord,
    Targets, Verdict,
};
use crate::scratch::{PREFIX, ScratchDb};
use crate::server::{ScratchServer, ServerOptions};
use crate::time::{compact_stamp, human_duration, now_rfc3339, now_unix, rfc3339};
use crate::tools::{Outcome, PgTools, RunOptions, run};
use crate::verify::{self, CountsFile, Job, Measured, TableCount, TableInfo};

/// Where the restore goes.
#[derive(Clone, Debug)]
pub enum Target {
    /// A scratch database on this server (the spec's database is the maintenance database
    /// used for CREATE/DROP DATABASE; default `postgres`).
    Server(ConnSpec),
    /// A throwaway server started with initdb/pg_ctl.
    ScratchServer,
}

/// Everything a drill needs, validated.
#[derive(Clone, Debug)]
pub struct DrillOptions {
    pub backup: Option<PathBuf>,
    /// Ignored for a base backup (it becomes its own scratch server).
    pub target: Target,
    pub source: Option<ConnSpec>,
    pub passfile: Option<PathBuf>,
    pub checks: Vec<String>,
    /// Table keys (see [`verify::normalize_table_name`]).
    pub critical: Vec<String>,
    pub counts: Option<CountsFile>,
    pub counts_path: Option<PathBuf>,
    pub rto: Option<Duration>,
    pub rpo: Option<Duration>,
    pub targets_declared_in: Option<String>,
    pub service: Option<String>,
    pub jobs: u32,
    /// Database to verify in a physical drill.
    pub database: Option<String>,
    pub allow_same_server: bool,
    pub backup_created_at: Option<f64>,
    pub server_options: ServerOptions,
    /// Progress lines on stderr.
    pub progress: bool,
}

impl Default for DrillOptions {
    fn default() -> Self {
        DrillOptions {
            backup: None,
            target: Target::ScratchServer,
            source: None,
            passfile: None,
            checks: Vec::new(),
            critical: Vec::new(),
            counts: None,
            counts_path: None,
            rto: None,
            rpo: None,
            targets_declared_in: None,
            service: None,
            jobs: 2,
            database: None,
            allow_same_server: false,
            backup_created_at: None,
            server_options: ServerOptions::default(),
            progress: true,
        }
    }
}

/// The record and the exit code (0 pass, 1 a check failed or a target was missed,
/// 2 setup error, 130 interrupted).
#[derive(Debug)]
pub struct DrillOutcome {
    pub record: DrillRecord,
    pub exit_code: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    /// The backup failed the drill (unreadable, incomplete, wrong counts, target missed).
    Drill,
    /// The drill could not be carried out (tools, connections, permissions).
    Setup,
    Interrupted,
}

/// Stops the body after a failure was recorded.
struct Stop;

struct Rec {
    record: DrillRecord,
    class: Option<Class>,
    progress: bool,
    t0: Instant,
}

struct StepTimer {
    name: String,
    started_at: String,
    start: Instant,
}

impl Rec {
    fn begin(&self, name: &str) -> StepTimer {
        if self.progress {
            eprintln!("plimsoll drill: {name} ...");
        }
        StepTimer {
            name: name.to_string(),
            started_at: now_rfc3339(),
            start: Instant::now(),
        }
    }

    fn end(&mut self, t: StepTimer, ok: bool, detail: impl Into<String>) -> f64 {
        let seconds = t.start.elapsed().as_secs_f64();
        let detail = detail.into();
        if self.progress {
            let mark = if ok { "ok" } else { "FAILED" };
            eprintln!(
                "plimsoll drill: {} {mark} in {} {}",
                t.name,
                human_duration(seconds),
                short(&detail)
            );
        }
        self.record.steps.push(StepRecord {
            name: t.name,
            started_at: t.started_at,
            seconds,
            ok,
            detail,
        });
        seconds
    }

    fn fail(&mut self, class: Class, message: impl Into<String>) {
        let m = message.into();
        self.record.failures.push(m);
        self.class = self.class.max(Some(class));
    }

    fn warn(&mut self, message: impl Into<String>) {
        let m = message.into();
        if self.progress {
            eprintln!("plimsoll drill: warning: {m}");
        }
        if !self.record.warnings.contains(&m) {
            self.record.warnings.push(m);
        }
    }

    fn check(
        &mut self,
        kind: &str,
        name: String,
        ok: bool,
        expected: Option<String>,
        actual: Option<String>,
    ) {
        self.record.checks.push(CheckRecord {
            name,
            kind: kind.to_string(),
            ok,
            expected,
            actual,
        });
    }

    fn interrupted(&mut self, cancel: &Cancel) -> Result<(), Stop> {
        if cancel.is_cancelled() {
            if self.class != Some(Class::Interrupted) {
                self.fail(
                    Class::Interrupted,
                    "interrupted (SIGINT/SIGTERM) before the drill finished",
                );
            }
            return Err(Stop);
        }
        Ok(())
    }
}

fn short(s: &str) -> String {
    let s: String = s.chars().take(160).collect();
    if s.is_empty() { s } else { format!("({s})") }
}

/// What the drill created and must remove.
#[derive(Default)]
struct Resources {
    db: Option<ScratchDb>,
    server: Option<ScratchServer>,
    dump_dir: Option<tempfile::TempDir>,
    /// The backup's hash, computed beside the restore.
    identity: Option<Background<Result<String, String>>>,
}

/// A worker thread that is cancelled and joined when dropped (an early return must not leave
/// it counting on the source).
struct Background<T: Send + 'static> {
    cancel: Cancel,
    handle: Option<JoinHandle<T>>,
}

impl<T: Send + 'static> Background<T> {
    fn spawn(cancel: Cancel, f: impl FnOnce() -> T + Send + 'static) -> Self {
        Background {
            cancel,
            handle: Some(std::thread::spawn(f)),
        }
    }

    fn join(mut self) -> std::thread::Result<T> {
        self.handle.take().expect("joined once").join()
    }
}

impl<T: Send + 'static> Drop for Background<T> {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            self.cancel.cancel();
            let _ = h.join();
        }
    }
}

/// The reference a restored copy is compared with.
struct Reference {
    what: String,
    tables: BTreeMap<String, TableCount>,
}

/// Runs one drill. Never panics on bad input; every failure ends up in the record.
pub fn run_drill(opts: &DrillOptions, tools: &PgTools, cancel: &Cancel) -> DrillOutcome {
    let started = now_unix();
    let id = format!("{}-{}", compact_stamp(started), crate::random_hex(3));
    let record = DrillRecord {
        schema: SCHEMA.into(),
        id: id.clone(),
        service: opts.service.clone(),
        mode: String::new(),
        source: opts.source.as_ref().map(|s| s.redacted()),
        backup: BackupRecord::default(),
        target: TargetRecord::default(),
        steps: Vec::new(),
        checks: Vec::new(),
        measurements: Measurements {
            jobs: Some(opts.jobs),
            ..Measurements::default()
        },
        targets: Targets {
            rto_seconds: opts.rto.map(|d| d.as_secs_f64()),
            rpo_seconds: opts.rpo.map(|d| d.as_secs_f64()),
            declared_in: Some(
                opts.targets_declared_in
                    .clone()
                    .unwrap_or_else(|| "none".into()),
            ),
            ..Targets::default()
        },
        verdict: Verdict::Fail,
        failures: Vec::new(),
        warnings: Vec::new(),
        started_at: rfc3339(started),
        finished_at: String::new(),
        tool: format!("plimsoll {}", env!("CARGO_PKG_VERSION")),
    };
    let mut rec = Rec {
        record,
        class: None,
        progress: opts.progress,
        t0: Instant::now(),
    };
    let mut res = Resources::default();
    let _ = body(opts, tools, cancel, &mut rec, &mut res, &id);
    // The backup's identity belongs in the record whatever happened (normally long done;
    // dropped, and so stopped, when the drill was interrupted).
    if let Some(h) = res.identity.take()
        && !cancel.is_cancelled()
    {
        match h.join() {
            Ok(Ok(idn)) => rec.record.backup.identity = Some(idn),
            Ok(Err(e)) => rec.warn(format!("backup identity: {e}")),
            Err(_) => rec.warn("backup identity: hashing panicked"),
        }
    }
    if cancel.is_cancelled() && rec.class != Some(Class::Interrupted) {
        rec.fail(
            Class::Interrupted,
            "interrupted (SIGINT/SIGTERM) before the drill finished",
        );
    }
    cleanup(&mut rec, &mut res);
    finish(opts, rec, started)
}

fn body(
    opts: &DrillOptions,
    tools: &PgTools,
    cancel: &Cancel,
    rec: &mut Rec,
    res: &mut Resources,
    id: &str,
) -> Result<(), Stop> {
    let jobs = opts.jobs.max(1) as usize;
    let source = opts
        .source
        .as_ref()
        .map(|s| s.resolve(opts.passfile.as_deref()));
    if let Some(s) = &source {
        for w in &s.warnings {
            rec.warn(format!("source: {w}"));
        }
    }

    // 1. The backup: inspect an existing one, or take a fresh dump.
    let mut fresh_reference = None;
    let info = match &opts.backup {
        Some(path) => {
            let t = rec.begin("inspect");
            let format = match archive::detect(path) {
                Ok(f) => f,
                Err(e) => {
                    rec.end(t, false, e.clone());
                    rec.fail(Class::Drill, format!("backup: {e}"));
                    return Err(Stop);
                }
            };
            let inspected = if format.is_physical() {
                archive::inspect_physical(path)
            } else {
                archive::inspect_logical(tools, path, format, cancel)
            };
            let info = match inspected {
                Ok(i) => i,
                Err(e) => {
                    rec.end(t, false, e.clone());
                    rec.interrupted(cancel)?;
                    rec.fail(Class::Drill, format!("backup {}: {e}", path.display()));
                    return Err(Stop);
                }
            };
            // Hashing a large archive file runs beside the restore.
            res.identity = Some(spawn_identity(path, format, cancel));
            let detail = format!(
                "{} archive, {}{}",
                format.as_str(),
                crate::time::human_bytes(info.bytes),
                info.toc_entries
                    .map(|n| format!(", {n} TOC entries"))
                    .unwrap_or_default()
            );
            rec.end(t, true, detail);
            info
        }
        None => {
            let Some(src) = &source else {
                rec.fail(
                    Class::Setup,
                    "no --backup and no --source to take a fresh dump from",
                );
                return Err(Stop);
            };
            let (info, reference) = fresh_dump(opts, tools, cancel, rec, res, src, jobs)?;
            fresh_reference = Some(reference);
            res.identity = Some(spawn_identity(&info.path, info.format, cancel));
            info
        }
    };
    record_backup(opts, rec, &info);
    rec.record.mode = if info.format.is_physical() {
        "physical".into()
    } else {
        "logical".into()
    };
    rec.interrupted(cancel)?;

    // The reference for counts: a counts file, a fresh dump's snapshot, or the live source
    // (counted while the restore runs).
    let critical: BTreeSet<String> = opts.critical.iter().cloned().collect();
    let mut live_source: Option<Background<Result<BTreeMap<String, Measured>, String>>> = None;
    let mut reference = if let Some(c) = &opts.counts {
        Some(Reference {
            what: format!(
                "counts file {} (recorded {})",
                opts.counts_path
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                c.recorded_at
            ),
            tables: c.tables.clone(),
        })
    } else {
        fresh_reference
    };
    if reference.is_none()
        && let Some(src) = &source
    {
        let (src, critical, local) = (src.clone(), critical.clone(), cancel.child());
        let cancel = local.clone();
        live_source = Some(Background::spawn(local, move || {
            let mut c = verify::open_session(&src, None)?;
            let tables = verify::list_tables(&mut c)?;
            drop(c);
            let work = tables
                .into_iter()
                .map(|t| {
                    let ck = critical.contains(&t.key()).then(|| "auto".to_string());
                    Job {
                        table: t,
                        count: true,
                        checksum: ck,
                    }
                })
                .collect();
            verify::measure(&src, work, jobs, None, &cancel)
        }));
    }

    // 2. Restore.
    let (verify_target, physical_server) = if info.format.is_physical() {
        let Some(target) = restore_physical(opts, tools, cancel, rec, res, &info)? else {
            return Err(Stop);
        };
        (target, true)
    } else {
        let scratch =
            prepare_logical_target(opts, tools, cancel, rec, res, &info, source.as_ref(), id)?;
        let restored = restore_logical(tools, cancel, rec, &info, &scratch, jobs);
        if !restored {
            // Killed or interrupted: a partial database says nothing more.
            return Err(Stop);
        }
        (scratch, false)
    };
    rec.interrupted(cancel)?;

    // 3. Verify.
    if let Some(h) = live_source.take() {
        match h.join() {
            Ok(Ok(m)) => {
                let errors: Vec<String> = m.values().filter_map(|x| x.error.clone()).collect();
                for e in errors {
                    rec.warn(format!("source: {e}"));
                }
                reference = Some(Reference {
                    what: format!(
                        "live source {}",
                        opts.source
                            .as_ref()
                            .map(|s| s.redacted())
                            .unwrap_or_default()
                    ),
                    tables: m
                        .into_iter()
                        .filter(|(_, v)| v.error.is_none())
                        .map(|(k, v)| (k, v.count))
                        .collect(),
                });
            }
            Ok(Err(e)) => {
                rec.interrupted(cancel)?;
                rec.fail(Class::Setup, format!("counting the source: {e}"));
            }
            Err(_) => rec.fail(Class::Setup, "counting the source: worker panicked"),
        }
    }
    verify_restored(
        opts,
        cancel,
        rec,
        &info,
        &verify_target,
        reference.as_ref(),
        &critical,
        jobs,
        physical_server,
    )?;

    // 4. Measure.
    let bytes = if physical_server {
        res.server.as_ref().map(|s| s.data_bytes())
    } else {
        verify_target.connect().ok().and_then(|mut c| {
            c.query_one(
                "select pg_catalog.pg_database_size(pg_catalog.current_database())",
                &[],
            )
            .ok()
            .map(|r| r.get::<_, i64>(0) as u64)
        })
    };
    rec.record.measurements.bytes_restored = bytes;
    if let (Some(b), Some(s)) = (bytes, rec.record.measurements.restore_seconds)
        && s > 0.0
    {
        rec.record.measurements.throughput_bytes_per_second = Some(b as f64 / s);
    }
    rec.record.measurements.recovery_seconds = Some(rec.t0.elapsed().as_secs_f64());

    Ok(())
}

/// Hashes the backup beside the restore.
fn spawn_identity(
    path: &Path,
    format: BackupFormat,
    cancel: &Cancel,
) -> Background<Result<String, String>> {
    let (path, local) = (path.to_path_buf(), cancel.child());
    let c = local.clone();
    Background::spawn(local, move || archive::identity(&path, format, &c))
}

fn record_backup(opts: &DrillOptions, rec: &mut Rec, info: &BackupInfo) {
    let b = &mut rec.record.backup;
    b.path = info.path.display().to_string();
    if b.format.is_empty() {
        b.format = info.format.as_str().into();
    }
    b.bytes = Some(info.bytes);
    b.database = info.dbname.clone();
    b.server_version = info.dumped_from.clone();
    let (created, source) = match opts.backup_created_at {
        Some(t) => (Some(t), "--backup-created-at".to_string()),
        None => (info.created_at, info.created_at_source.clone()),
    };
    b.created_at = created.map(rfc3339);
    b.created_at_source = Some(source);
    b.age_seconds = created.map(|c| (parse_start(&rec.record.started_at) - c).max(0.0));
}

fn parse_start(s: &str) -> f64 {
    crate::time::parse_timestamp(s).unwrap_or_else(now_unix)
}

/// `pg_dump -Fd -j N --snapshot` of the source, counting every table in the same snapshot.
fn fresh_dump(
    opts: &DrillOptions,
    tools: &PgTools,
    cancel: &Cancel,
    rec: &mut Rec,
    res: &mut Resources,
    src: &Resolved,
    jobs: usize,
) -> Result<(BackupInfo, Reference), Stop> {
    let t = rec.begin("dump");
    let dir = match tempfile::Builder::new()
        .prefix("plimsoll-drill-dump-")
        .tempdir_in(
            opts.server_options
                .workdir
                .clone()
                .unwrap_or_else(std::env::temp_dir),
        ) {
        Ok(d) => d,
        Err(e) => {
            rec.end(t, false, e.to_string());
            rec.fail(Class::Setup, format!("dump directory: {e}"));
            return Err(Stop);
        }
    };
    let path = dir.path().join("dump");
    res.dump_dir = Some(dir);
    let critical: BTreeSet<String> = opts.critical.iter().cloned().collect();
    match snapshot_dump(tools, cancel, src, &path, &critical, jobs, true) {
        Ok((counts, snapshot_time)) => {
            let mut info = BackupInfo {
                path: path.clone(),
                format: BackupFormat::Directory,
                bytes: crate::server::dir_size(&path),
                created_at: Some(snapshot_time),
                created_at_source: "snapshot of the fresh dump".into(),
                dbname: Some(src.dbname.clone()),
                dumped_from: None,
                encoding: None,
                toc_entries: None,
                tables: Vec::new(),
                pg_version: None,
            };
            if let Ok(i) = archive::inspect_logical(tools, &path, BackupFormat::Directory, cancel) {
                info.tables = i.tables;
                info.toc_entries = i.toc_entries;
                info.encoding = i.encoding;
                info.dumped_from = i.dumped_from;
            }
            rec.record.backup.format = "fresh-dump".into();
            let detail = format!(
                "pg_dump -Fd -j{jobs} of {} in one snapshot with the counts",
                src.redacted()
            );
            rec.end(t, true, detail);
            Ok((
                info,
                Reference {
                    what: "the fresh dump's snapshot".into(),
                    tables: counts,
                },
            ))
        }
        Err(e) => {
            rec.end(t, false, e.clone());
            rec.interrupted(cancel)?;
            rec.fail(Class::Setup, format!("fresh dump: {e}"));
            Err(Stop)
        }
    }
}

/// Exports a snapshot on `src`, counts (and checksums `critical`) every table in it, and,
/// when `dump` is set, runs `pg_dump --snapshot` to `path` at the same time (directory format
/// with `-j`, or custom format when the path ends in `.dump`).
pub fn snapshot_dump(
    tools: &PgTools,
    cancel: &Cancel,
    src: &Resolved,
    path: &Path,
    critical: &BTreeSet<String>,
    jobs: usize,
    dump: bool,
) -> Result<(BTreeMap<String, TableCount>, f64), String> {
    let mut exporter = verify::open_session(src, None)?;
    exporter
        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .map_err(|e| format!("starting the snapshot: {}", pg_error(&e)))?;
    let snapshot: String = exporter
        .query_one("select pg_catalog.pg_export_snapshot()", &[])
        .map(|r| r.get(0))
        .map_err(|e| format!("exporting a snapshot: {}", pg_error(&e)))?;
    let snapshot_time = now_unix();
    let tables = verify::list_tables(&mut exporter)?;
    let work: Vec<Job> = tables
        .into_iter()
        .map(|t| {
            let ck = critical.contains(&t.key()).then(|| "auto".to_string());
            Job {
                table: t,
                count: true,
                checksum: ck,
            }
        })
        .collect();
    let counter = {
        let (src, snapshot, cancel) = (src.clone(), snapshot.clone(), cancel.clone());
        std::thread::spawn(move || verify::measure(&src, work, jobs, Some(&snapshot), &cancel))
    };
    let dump_result = if dump {
        tools.require(&["pg_dump"])?;
        let mut cmd = Command::new(tools.path("pg_dump"));
        let custom = path.extension().is_some_and(|e| e == "dump");
        if custom {
            cmd.arg("-Fc");
        } else {
            cmd.arg("-Fd").arg(format!("-j{jobs}"));
        }
        cmd.arg(format!("--snapshot={snapshot}"))
            .arg("-f")
            .arg(path)
            .arg("--dbname")
            .arg(src.tool_conninfo());
        Some(run(
            cmd,
            cancel,
            &RunOptions {
                env: src.child_env(),
                reap_group: true,
                ..RunOptions::default()
            },
        ))
    } else {
        None
    };
    let counted = counter
        .join()
        .map_err(|_| "counting worker panicked".to_string())?;
    let _ = exporter.batch_execute("COMMIT");
    if let Some(r) = dump_result
        && !r.ok()
    {
        return Err(r.describe());
    }
    let counted = counted?;
    let errors: Vec<String> = counted.values().filter_map(|m| m.error.clone()).collect();
    if !errors.is_empty() {
        return Err(format!("counting the source: {}", errors.join("; ")));
    }
    Ok((
        counted.into_iter().map(|(k, v)| (k, v.count)).collect(),
        snapshot_time,
    ))
}

/// Connects to (or starts) the target server and creates the scratch database.
#[allow(clippy::too_many_arguments)]
fn prepare_logical_target(
    opts: &DrillOptions,
    tools: &PgTools,
    cancel: &Cancel,
    rec: &mut Rec,
    res: &mut Resources,
    info: &BackupInfo,
    source: Option<&Resolved>,
    id: &str,
) -> Result<Resolved, Stop> {
    let t = rec.begin("target");
    let admin = match &opts.target {
        Target::ScratchServer => {
            rec.record.target.kind = "scratch-server".into();
            match ScratchServer::init(tools, &opts.server_options, cancel) {
                Ok(s) => {
                    let admin = s.resolved("postgres");
                    res.server = Some(s);
                    admin
                }
                Err(e) => {
                    rec.end(t, false, e.clone());
                    rec.interrupted(cancel)?;
                    rec.fail(Class::Setup, format!("scratch server: {e}"));
                    return Err(Stop);
                }
            }
        }
        Target::Server(spec) => {
            rec.record.target.kind = "scratch-database".into();
            let spec = if spec.dbname.is_none() {
                spec.with_dbname("postgres")
            } else {
                spec.clone()
            };
            let admin = spec.resolve(opts.passfile.as_deref());
            for w in &admin.warnings {
                rec.warn(format!("target: {w}"));
            }
            admin
        }
    };
    rec.record.target.server = Some(admin.redacted());
    let mut client = match admin.connect() {
        Ok(c) => c,
        Err(e) => {
            rec.end(t, false, e.clone());
            rec.fail(Class::Setup, format!("target: {e}"));
            return Err(Stop);
        }
    };
    let version: Option<String> = client
        .query_one("show server_version", &[])
        .ok()
        .map(|r| r.get(0));
    rec.record.target.server_version = version.clone();
    if let Some(src) = source {
        match same_server(src, &admin, &mut client) {
            Ok(Some(why)) if !opts.allow_same_server || src.dbname == admin.dbname => {
                let msg = format!(
                    "refusing to restore onto the source's server ({why}): a drill must not load or fill the production server; \
                     use another server{}",
                    if src.dbname == admin.dbname {
                        ""
                    } else {
                        " or --allow-same-server"
                    }
                );
                rec.end(t, false, msg.clone());
                rec.fail(Class::Setup, msg);
                return Err(Stop);
            }
            Ok(Some(why)) => rec.warn(format!(
                "the target is the source's server ({why}); allowed by --allow-same-server"
            )),
            Ok(None) => {}
            Err(e) => rec.warn(format!("could not compare source and target servers: {e}")),
        }
    }
    drop(client);
    let name = format!("{PREFIX}{}", id.replace('-', "_"));
    let comment = format!(
        "plimsoll drill {id} (pid {}, host {}, created {})",
        std::process::id(),
        hostname(),
        now_rfc3339()
    );
    match ScratchDb::create(&admin, &name, info.encoding.as_deref(), &comment) {
        Ok(db) => {
            let target = db.resolved();
            rec.record.target.database = Some(name.clone());
            res.db = Some(db);
            let detail = format!(
                "created {name} on {}{}",
                admin.redacted(),
                version
                    .map(|v| format!(" (PostgreSQL {v})"))
                    .unwrap_or_default()
            );
            rec.end(t, true, detail);
            Ok(target)
        }
        Err(e) => {
            rec.end(t, false, e.clone());
            rec.fail(Class::Setup, format!("target: {e}"));
            Err(Stop)
        }
    }
}

/// Whether source and target are the same server: by address, or by the server's
/// identity (system identifier and postmaster start time).
fn same_server(
    src: &Resolved,
    target: &Resolved,
    target_client: &mut postgres::Client,
) -> Result<Option<String>, String> {
    if same_address(src, target) {
        return Ok(Some(format!(
            "same address {}:{}",
            target.host, target.port
        )));
    }
    let fingerprint = |c: &mut postgres::Client| -> Result<String, String> {
        let start: String = c
            .query_one("select pg_catalog.pg_postmaster_start_time()::text", &[])
            .map(|r| r.get(0))
            .map_err(|e| pg_error(&e))?;
        let sysid: Option<String> = c
            .query_one(
                "select system_identifier::text from pg_catalog.pg_control_system()",
                &[],
            )
            .ok()
            .map(|r| r.get(0));
        Ok(format!("{}@{start}", sysid.unwrap_or_default()))
    };
    let mut sc = src.connect()?;
    let a = fingerprint(&mut sc)?;
    let b = fingerprint(target_client)?;
    Ok((a == b).then(|| "same system identifier and start time".to_string()))
}

fn hostname() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_else(|| "?".into())
}

/// pg_restore (or psql for plain SQL) into the scratch database. Returns false when the
/// restore was killed or interrupted (verification is then pointless).
fn restore_logical(
    tools: &PgTools,
    cancel: &Cancel,
    rec: &mut Rec,
    info: &BackupInfo,
    target: &Resolved,
    jobs: usize,
) -> bool {
    let t = rec.begin("restore");
    let mut cmd;
    if info.format == BackupFormat::Plain {
        cmd = Command::new(tools.path("psql"));
        cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=0", "--dbname"])
            .arg(target.tool_conninfo())
            .arg("-f")
            .arg(&info.path);
    } else {
        cmd = Command::new(tools.path("pg_restore"));
        cmd.arg("--dbname").arg(target.tool_conninfo());
        if info.format.parallel() && jobs > 1 {
            cmd.arg(format!("--jobs={jobs}"));
        }
        cmd.args([
            "--no-owner",
            "--no-privileges",
            "--no-tablespaces",
            "--no-subscriptions",
            "--no-publications",
            "--no-security-labels",
        ]);
        cmd.arg(&info.path);
    }
    let r = run(
        cmd,
        cancel,
        &RunOptions {
            env: target.child_env(),
            reap_group: true,
            ..RunOptions::default()
        },
    );
    // psql exits 0 with errors when ON_ERROR_STOP is off: count its error lines instead.
    let ok = r.ok() && r.error_count == 0;
    let detail = r.describe();
    let seconds = rec.end(t, ok, detail.clone());
    rec.record.measurements.restore_seconds = Some(seconds);
    match r.outcome {
        Outcome::Success if r.error_count == 0 => true,
        Outcome::Success | Outcome::Failed(_) => {
            rec.fail(Class::Drill, format!("restore: {detail}"));
            true
        }
        Outcome::Cancelled => false,
        Outcome::Killed(_) | Outcome::TimedOut => {
            rec.fail(Class::Drill, format!("restore: {detail}"));
            false
        }
        Outcome::SpawnFailed(_) => {
            rec.fail(Class::Setup, format!("restore: {detail}"));
            false
        }
    }
}

/// pg_verifybackup, then the base backup started as a scratch server. Returns the connection
/// to verify, or `None` after a recorded failure.
fn restore_physical(
    opts: &DrillOptions,
    tools: &PgTools,
    cancel: &Cancel,
    rec: &mut Rec,
    res: &mut Resources,
    info: &BackupInfo,
) -> Result<Option<Resolved>, Stop> {
    rec.record.target.kind = "scratch-server-from-base-backup".into();
    let major = info.pg_version.unwrap_or(0);
    let Some(vtools) = tools.for_major(major) else {
        rec.fail(
            Class::Setup,
            format!("the base backup is PostgreSQL {major}; its server programs are not installed (set PLIMSOLL_PG_BIN)"),
        );
        return Err(Stop);
    };
    let t = rec.begin("verify-backup");
    if let Err(e) = vtools.require(&["pg_verifybackup"]) {
        rec.end(t, false, e.clone());
        rec.fail(Class::Setup, e);
        return Err(Stop);
    }
    if !info.path.join("backup_manifest").is_file() {
        let msg = "no backup_manifest: pg_verifybackup needs one (pg_basebackup writes it unless --no-manifest)".to_string();
        rec.end(t, false, msg.clone());
        rec.fail(Class::Drill, msg);
        return Err(Stop);
    }
    let mut cmd = Command::new(vtools.path("pg_verifybackup"));
    cmd.arg(&info.path);
    let r = run(
        cmd,
        cancel,
        &RunOptions {
            capture_stdout: true,
            ..RunOptions::default()
        },
    );
    let detail = if r.ok() {
        r.stdout.trim().to_string()
    } else {
        r.describe()
    };
    rec.end(t, r.ok(), detail.clone());
    rec.interrupted(cancel)?;
    if !r.ok() {
        rec.fail(Class::Drill, format!("pg_verifybackup: {detail}"));
        return Err(Stop);
    }

    let t = rec.begin("restore");
    let server =
        match ScratchServer::from_base_backup(&vtools, &info.path, &opts.server_options, cancel) {
            Ok(s) => s,
            Err(e) => {
                let seconds = rec.end(t, false, e.clone());
                rec.record.measurements.restore_seconds = Some(seconds);
                rec.interrupted(cancel)?;
                rec.fail(Class::Drill, format!("starting the base backup: {e}"));
                return Err(Stop);
            }
        };
    let socket_dir = server.socket_dir.clone();
    let port = server.port;
    res.server = Some(server);
    // The production roles are unknown: try the likely superusers over the trusted socket.
    let db = opts
        .database
        .clone()
        .or_else(|| opts.source.as_ref().and_then(|s| s.dbname.clone()))
        .or_else(|| opts.counts.as_ref().map(|c| c.database.clone()))
        .unwrap_or_else(|| "postgres".into());
    let mut users: Vec<String> = Vec::new();
    for u in [
        opts.source.as_ref().and_then(|s| s.user.clone()),
        opts.counts.as_ref().and_then(|c| c.user.clone()),
        std::env::var("PGUSER").ok(),
        Some("postgres".into()),
        Some(os_user()),
    ]
    .into_iter()
    .flatten()
    {
        if !users.contains(&u) {
            users.push(u);
        }
    }
    let mut errors = Vec::new();
    for u in &users {
        let spec = ConnSpec::socket(&socket_dir, port, u, &db);
        let r = spec.resolve(None);
        match r.connect() {
            Ok(mut c) => {
                let v: Option<String> = c
                    .query_one("show server_version", &[])
                    .ok()
                    .map(|r| r.get(0));
                rec.record.target.server_version = v;
                rec.record.target.database = Some(db.clone());
                rec.record.target.server = Some(r.redacted());
                if let Some(s) = res.server.as_mut() {
                    s.set_spec(spec);
                }
                let seconds = rec.end(t, true, format!("copied, started and recovered on port {port}; verifying database {db} as {u}"));
                rec.record.measurements.restore_seconds = Some(seconds);
                return Ok(Some(r));
            }
            Err(e) => errors.push(format!("{u}: {e}")),
        }
    }
    let msg = format!(
        "the restored server started, but no connection to database {db} worked ({})",
        errors.join("; ")
    );
    let seconds = rec.end(t, false, msg.clone());
    rec.record.measurements.restore_seconds = Some(seconds);
    rec.fail(
        Class::Setup,
        format!("{msg}; name the database with --database and the role with --source"),
    );
    Ok(None)
}

/// Table list, counts, checksums and checks against the reference.
#[allow(clippy::too_many_arguments)]
fn verify_restored(
    opts: &DrillOptions,
    cancel: &Cancel,
    rec: &mut Rec,
    info: &BackupInfo,
    target: &Resolved,
    reference: Option<&Reference>,
    critical: &BTreeSet<String>,
    jobs: usize,
    physical: bool,
) -> Result<(), Stop> {
    let t = rec.begin("verify");
    let tables =
        match verify::open_session(target, None).and_then(|mut c| verify::list_tables(&mut c)) {
            Ok(t) => t,
            Err(e) => {
                let s = rec.end(t, false, e.clone());
                rec.record.measurements.verify_seconds = Some(s);
                rec.interrupted(cancel)?;
                rec.fail(Class::Drill, format!("verify: {e}"));
                return Err(Stop);
            }
        };
    let restored: BTreeMap<String, TableInfo> =
        tables.iter().map(|t| (t.key(), t.clone())).collect();

    // The archive's own table list (logical only).
    if !info.tables.is_empty() {
        let missing: Vec<&str> = info
            .tables
            .iter()
            .filter(|e| {
                !e.candidates()
                    .iter()
                    .any(|(s, n)| restored.contains_key(&verify::table_key(s, n)))
            })
            .map(|e| e.raw.as_str())
            .collect();
        let ok = missing.is_empty();
        let actual = if ok {
            format!("{} present", info.tables.len())
        } else {
            format!(
                "{} present, missing: {}",
                info.tables.len() - missing.len(),
                list(&missing)
            )
        };
        rec.check(
            "tables",
            "tables in the archive".into(),
            ok,
            Some(info.tables.len().to_string()),
            Some(actual),
        );
        if !ok {
            rec.fail(
                Class::Drill,
                format!(
                    "{} table(s) of the archive were not restored: {}",
                    missing.len(),
                    list(&missing)
                ),
            );
        }
    }

    // Checksum algorithm per critical table: the reference's, else the best available.
    let algo_for = |key: &str| -> String {
        reference
            .and_then(|r| r.tables.get(key))
            .and_then(|c| c.checksum.as_deref())
            .and_then(|c| c.split(':').next())
            .unwrap_or("auto")
            .to_string()
    };
    let work: Vec<Job> = tables
        .iter()
        .map(|t| Job {
            table: t.clone(),
            count: true,
            checksum: critical.contains(&t.key()).then(|| algo_for(&t.key())),
        })
        .collect();
    let measured = match verify::measure(target, work, jobs, None, cancel) {
        Ok(m) => m,
        Err(e) => {
            let s = rec.end(t, false, e.clone());
            rec.record.measurements.verify_seconds = Some(s);
            rec.interrupted(cancel)?;
            rec.fail(Class::Drill, format!("verify: {e}"));
            return Err(Stop);
        }
    };
    for (k, m) in &measured {
        if let Some(e) = &m.error {
            rec.fail(Class::Drill, format!("verify {k}: {e}"));
        }
    }
    rec.record.measurements.tables = Some(tables.len() as u64);
    rec.record.measurements.rows = Some(
        measured
            .values()
            .filter_map(|m| m.count.rows)
            .map(|r| r.max(0) as u64)
            .sum(),
    );

    if let Some(reference) = reference {
        // Table list.
        let missing: Vec<&str> = reference
            .tables
            .keys()
            .filter(|k| !restored.contains_key(*k))
            .map(String::as_str)
            .collect();
        let extra: Vec<&str> = restored
            .keys()
            .filter(|k| !reference.tables.contains_key(*k))
            .map(String::as_str)
            .collect();
        let ok = missing.is_empty() && extra.is_empty();
        let mut actual = format!("{}", restored.len());
        if !missing.is_empty() {
            actual.push_str(&format!(", missing: {}", list(&missing)));
        }
        if !extra.is_empty() {
            actual.push_str(&format!(", not in the reference: {}", list(&extra)));
        }
        rec.check(
            "tables",
            format!("tables vs {}", reference.what),
            ok,
            Some(reference.tables.len().to_string()),
            Some(actual),
        );
        if !ok {
            rec.fail(
                Class::Drill,
                format!(
                    "table list differs from {}: missing {}, extra {}",
                    reference.what,
                    list(&missing),
                    list(&extra)
                ),
            );
        }
        // Rows.
        let mut bad = Vec::new();
        for (key, expected) in &reference.tables {
            let Some(exp_rows) = expected.rows else {
                continue;
            };
            let Some(table) = restored.get(key) else {
                continue;
            };
            let got = measured.get(key).and_then(|m| m.count.rows);
            if physical && table.unlogged {
                rec.check(
                    "rows",
                    format!("rows {key}"),
                    true,
                    Some(exp_rows.to_string()),
                    Some(format!(
                        "{} (unlogged: empty after a physical restore, by design)",
                        got.unwrap_or(0)
                    )),
                );
                continue;
            }
            let ok = got == Some(exp_rows);
            rec.check(
                "rows",
                format!("rows {key}"),
                ok,
                Some(exp_rows.to_string()),
                Some(got.map_or("error".into(), |g| g.to_string())),
            );
            if !ok {
                bad.push(format!(
                    "{key} {} != {exp_rows}",
                    got.map_or("error".into(), |g| g.to_string())
                ));
            }
        }
        if !bad.is_empty() {
            rec.fail(
                Class::Drill,
                format!("row counts differ from {}: {}", reference.what, list(&bad)),
            );
        }
    }

    // Checksums of the critical tables.
    for key in critical {
        let expected = reference
            .and_then(|r| r.tables.get(key))
            .and_then(|c| c.checksum.clone());
        let actual = measured.get(key).and_then(|m| m.count.checksum.clone());
        let (ok, actual_text) = match (&expected, &actual) {
            (_, None) if !restored.contains_key(key) => (false, "table missing".to_string()),
            (_, None) => (false, "not computed".to_string()),
            (None, Some(a)) => (
                false,
                format!(
                    "{a} (no reference checksum: record counts with --critical, or give --source)"
                ),
            ),
            (Some(e), Some(a)) => (e == a, a.clone()),
        };
        rec.check(
            "checksum",
            format!("checksum {key}"),
            ok,
            expected.clone(),
            Some(actual_text.clone()),
        );
        if !ok {
            rec.fail(Class::Drill, format!("checksum {key}: {actual_text}"));
        }
    }

    // The user's assertions.
    match verify::run_checks(target, &opts.checks, cancel) {
        Ok(outcomes) => {
            for o in outcomes {
                if !o.ok {
                    rec.fail(
                        Class::Drill,
                        format!("check `{}` returned {}", o.sql, o.actual),
                    );
                }
                rec.check(
                    "sql",
                    o.sql.clone(),
                    o.ok,
                    Some("true".into()),
                    Some(o.actual),
                );
            }
        }
        Err(e) => {
            rec.interrupted(cancel)?;
            rec.fail(Class::Drill, format!("checks: {e}"));
        }
    }
    let failed = rec.record.checks.iter().filter(|c| !c.ok).count();
    let detail = format!(
        "{} tables, {} rows, {} checks ({} failed){}",
        tables.len(),
        rec.record.measurements.rows.unwrap_or(0),
        rec.record.checks.len(),
        failed,
        reference
            .map(|r| format!(" against {}", r.what))
            .unwrap_or_else(|| " (no reference counts: give --counts or --source)".into())
    );
    let s = rec.end(t, failed == 0, detail);
    rec.record.measurements.verify_seconds = Some(s);
    if reference.is_none() {
        rec.warn("row counts were measured but not compared: give --counts FILE (recorded at backup time) or --source URL");
    }
    Ok(())
}

fn list<S: AsRef<str>>(items: &[S]) -> String {
    let shown: Vec<&str> = items.iter().take(10).map(|s| s.as_ref()).collect();
    let mut s = shown.join(", ");
    if items.len() > 10 {
        s.push_str(&format!(" and {} more", items.len() - 10));
    }
    if s.is_empty() { "none".into() } else { s }
}

/// Drops the scratch database, stops the scratch server, removes temporary files.
fn cleanup(rec: &mut Rec, res: &mut Resources) {
    if res.db.is_none() && res.server.is_none() && res.dump_dir.is_none() {
        rec.record.target.cleaned_up = true;
        return;
    }
    let t = rec.begin("cleanup");
    let mut notes = Vec::new();
    let mut ok = true;
    if let Some(mut db) = res.db.take() {
        match db.drop_now() {
            Ok(()) => notes.push(format!("dropped {}", db.name)),
            Err(e) => {
                ok = false;
                notes.push(e.clone());
                rec.warn(format!("scratch database {} was NOT dropped: {e}", db.name));
            }
        }
    }
    if let Some(server) = res.server.take() {
        match server.destroy() {
            Ok(()) => notes.push("stopped and removed the scratch server".into()),
            Err(e) => {
                ok = false;
                notes.push(e.clone());
                rec.warn(format!("scratch server cleanup: {e}"));
            }
        }
    }
    if let Some(d) = res.dump_dir.take()
        && let Err(e) = d.close()
    {
        notes.push(format!("removing the fresh dump: {e}"));
    }
    let s = rec.end(t, ok, notes.join("; "));
    rec.record.measurements.cleanup_seconds = Some(s);
    rec.record.target.cleaned_up = ok;
    if !ok {
        rec.class = rec.class.max(Some(Class::Setup));
    }
}

fn finish(opts: &DrillOptions, mut rec: Rec, started: f64) -> DrillOutcome {
    let completed = rec.record.steps.iter().any(|s| s.name == "verify");
    // Targets.
    if let Some(rto) = opts.rto {
        let r = rec.record.measurements.recovery_seconds;
        let met = r.map(|r| r <= rto.as_secs_f64());
        rec.record.targets.rto_met = if completed { met } else { Some(false) };
        if completed && met == Some(false) {
            rec.fail(
                Class::Drill,
                format!(
                    "RTO missed: restore and verification took {} (target {})",
                    human_duration(r.unwrap_or(0.0)),
                    human_duration(rto.as_secs_f64())
                ),
            );
        }
    }
    if let Some(rpo) = opts.rpo {
        match rec.record.backup.age_seconds {
            Some(age) => {
                let met = age <= rpo.as_secs_f64();
                rec.record.targets.rpo_met = Some(met);
                if !met {
                    rec.fail(
                        Class::Drill,
                        format!(
                            "RPO missed: the backup is {} old (target {})",
                            human_duration(age),
                            human_duration(rpo.as_secs_f64())
                        ),
                    );
                }
            }
            None if rec.record.backup.path.is_empty() => {}
            None => {
                rec.record.targets.rpo_met = Some(false);
                rec.fail(Class::Drill, "RPO unknown: the backup's creation time could not be determined (use --backup-created-at)");
            }
        }
    }
    let ended = now_unix();
    rec.record.measurements.total_seconds = Some(ended - started);
    rec.record.finished_at = rfc3339(ended);
    let drill_failed = !rec.record.failures.is_empty() || !completed;
    if !completed && rec.record.failures.is_empty() {
        rec.fail(Class::Setup, "the drill did not reach verification");
    }
    rec.record.verdict = if drill_failed {
        Verdict::Fail
    } else {
        Verdict::Pass
    };
    let exit_code = match rec.class {
        Some(Class::Interrupted) => 130,
        Some(Class::Setup) => 2,
        Some(Class::Drill) => 1,
        None if drill_failed => 1,
        None => 0,
    };
    DrillOutcome {
        record: rec.record,
        exit_code,
    }
}
