//! `plimsoll`: the command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use plimsoll_ingest::{ScanOptions, discover, scan};
use plimsoll_model::{Peer, RuleMeta, Severity};
use plimsoll_report::{Evidence, ReportInput, Summary};
use plimsoll_rules::{Engine, Meta, registry};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Plimsoll marks how far a deployment is from carrying production load.
#[derive(Parser)]
#[command(name = "plimsoll", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan manifests and report every production gap with its place.
    Scan(ScanArgs),
    /// Write the readiness report (stage, scores, the plan, findings by gap) as Markdown or
    /// HTML. Exits 0 unless an input cannot be read.
    Report(ReportArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Serve the validating admission webhook (same rules, same configuration).
    Serve(plimsoll_server::cli::ServeArgs),
    /// Restore drills: prove that backups restore, measure RTO and RPO.
    #[command(subcommand)]
    Drill(DrillCommand),
    /// Accept today's findings as known debt.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Internal measurements.
    #[command(hide = true, subcommand)]
    Debug(DebugCommand),
    /// Show a rule's documentation.
    Explain {
        /// Rule id (IMG-001) or name (image-tag-mutable).
        rule: String,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
    Sarif,
    /// The readiness report in Markdown (stage, scores, the plan, findings by gap).
    Markdown,
    /// The readiness report as one self-contained HTML file.
    Html,
    /// JUnit XML: a test suite per gap, a test case per rule and object.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ReportFormat {
    Markdown,
    Html,
}

#[derive(clap::Args)]
struct ReportArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Report format.
    #[arg(long, short, value_enum, default_value = "markdown")]
    format: ReportFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Show findings that are in this baseline as known debt.
    #[arg(long)]
    baseline: Option<PathBuf>,
}

impl ReportArgs {
    /// `plimsoll report` is `plimsoll scan` with a report format that never fails on findings.
    fn into_scan(self) -> ScanArgs {
        ScanArgs {
            common: self.common,
            baseline: self.baseline,
            format: match self.format {
                ReportFormat::Markdown => Format::Markdown,
                ReportFormat::Html => Format::Html,
            },
            output: self.output,
            fail_on: Some(FailOn::Never),
            color: Color::Never,
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Never,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args)]
struct ScanArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Only fail on findings that are not in this baseline (see `plimsoll baseline create`).
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value = "human")]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Exit 1 when a finding at or above this severity remains (default: the configuration's
    /// `failOn`, else high).
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Colour in human output.
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
}

#[derive(Subcommand)]
enum DrillCommand {
    /// Restore a PostgreSQL backup into a scratch database or server, verify it, measure RTO and
    /// RPO, write evidence, clean up.
    Postgres(plimsoll_drill::cli::PostgresArgs),
}

#[derive(Subcommand)]
enum DebugCommand {
    /// Walk, read and parse the YAML only (no rules): the parsing floor for benchmarks.
    Parse { paths: Vec<PathBuf> },
}

#[derive(Subcommand)]
enum BaselineCommand {
    /// Write the current findings (stable fingerprints) to a baseline file.
    Create {
        #[command(flatten)]
        common: CommonArgs,
        /// Where to write the baseline.
        #[arg(long, short)]
        output: PathBuf,
    },
}

/// What a scan reads and how: shared by `scan`, `report` and `baseline create`.
#[derive(clap::Args, Clone)]
struct CommonArgs {
    /// Files or directories to scan (`-` reads standard input). Default: the current directory.
    paths: Vec<PathBuf>,
    /// Configuration file (default: `plimsoll.yaml` or `.plimsoll.yaml` found upward from the
    /// first path).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Profile from the configuration, or a built-in one (`production`, `pilot`).
    #[arg(long)]
    profile: Option<String>,
    /// Ignore every suppression (annotations, inline comments, exemptions), for audits.
    #[arg(long)]
    no_suppressions: bool,
    /// Namespace of namespaced objects that do not name one (also `helm template --namespace`).
    #[arg(long)]
    namespace: Option<String>,
    /// Values file for every Helm chart scanned (`helm template -f`); repeatable, in order.
    #[arg(long, value_name = "FILE")]
    helm_values: Vec<PathBuf>,
    /// Value for every Helm chart scanned (`helm template --set K=V`); repeatable, in order.
    #[arg(long, value_name = "K=V")]
    helm_set: Vec<String>,
    /// Helm release name (default: the chart's name).
    #[arg(long, value_name = "NAME")]
    helm_release: Option<String>,
    /// Largest file to parse, in MiB.
    #[arg(long, default_value_t = 32)]
    max_file_size: usize,
    /// Restore-drill evidence directory (`plimsoll drill ... --evidence`); repeatable. Default:
    /// `.plimsoll/evidence/` in the scanned directory or the current one, when it exists.
    #[arg(long, value_name = "DIR")]
    evidence: Vec<PathBuf>,
    /// The date to judge staleness against (YYYY-MM-DD), instead of today; for reproducible runs.
    #[arg(long, hide = true)]
    now: Option<String>,
    /// Minimum replicas a replicated workload should run (overrides the configuration).
    #[arg(long)]
    min_replicas: Option<i64>,
    /// Readiness declarations (owners, on-call, runbooks, RTO/RPO). Default: `readiness.yaml`,
    /// `.readiness.yaml` or `readiness.yml` in the configuration file's directory, else in the
    /// first path and its parents up to the repository root (the one holding `.git`).
    #[arg(long, value_name = "FILE")]
    readiness: Option<PathBuf>,
}

#[derive(clap::Args)]
struct RulesArgs {
    /// `table` or `json`.
    #[arg(long, short, default_value = "table")]
    format: String,
    /// Print the mapping to one peer tool's check ids (kube-score, kube-linter, polaris,
    /// checkov, kubescape, trivy, kyverno, hadolint, systemd-analyze).
    #[arg(long)]
    peer: Option<String>,
    /// Write one Markdown page per rule (and an index) into this directory.
    #[arg(long, value_name = "DIR")]
    write_docs: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Scan(a) => run_scan(a),
        Command::Report(a) => run_scan(a.into_scan()),
        Command::Rules(a) => run_rules(a),
        Command::Drill(DrillCommand::Postgres(args)) => {
            u8::try_from(plimsoll_drill::cli::run(&args)).unwrap_or(2)
        }
        Command::Serve(args) => {
            // the server builds its own runtime and returns its exit code
            let code = plimsoll_server::cli::run(&args);
            u8::try_from(code).unwrap_or(2)
        }
        Command::Debug(DebugCommand::Parse { paths }) => {
            let t = std::time::Instant::now();
            let (inputs, _) = discover(&paths);
            let (files, documents, bytes) =
                plimsoll_ingest::parse_only(&inputs, &plimsoll_yaml::Limits::default());
            let secs = t.elapsed().as_secs_f64();
            println!(
                "{files} files, {documents} documents, {:.1} MB parsed in {secs:.3} s ({:.1} MB/s)",
                bytes as f64 / 1e6,
                bytes as f64 / 1e6 / secs.max(1e-9)
            );
            0
        }
        Command::Baseline(BaselineCommand::Create { common, output }) => {
            run_baseline_create(&common, &output)
        }
        Command::Explain { rule } => run_explain(&rule),
    };
    ExitCode::from(code)
}

fn usage_error(msg: &str) -> u8 {
    eprintln!("error: {msg}");
    2
}

/// A finished scan, with configuration, severities, suppressions and baseline applied.
struct Executed {
    result: plimsoll_ingest::ScanResult,
    summary: Summary,
    rules: Vec<&'static RuleMeta>,
    /// From the configuration's `failOn`, when it has one.
    config_fail_on: Option<Option<Severity>>,
}

fn find_config(c: &CommonArgs) -> Option<PathBuf> {
    if let Some(p) = &c.config {
        return Some(p.clone());
    }
    let first = c
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let start = if first.as_os_str() == "-" {
        PathBuf::from(".")
    } else {
        first
    };
    let mut dir = std::fs::canonicalize(&start).ok()?;
    if dir.is_file() {
        dir.pop();
    }
    loop {
        for name in ["plimsoll.yaml", ".plimsoll.yaml"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
        if !dir.pop() {
            return None;
        }
    }
}

fn load_config(c: &CommonArgs) -> Result<Option<(plimsoll_rules::config::Config, PathBuf)>, u8> {
    let Some(path) = find_config(c) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| usage_error(&format!("cannot read {}: {e}", path.display())))?;
    match plimsoll_rules::config::parse_config(&path.display().to_string(), &text, &registry::all())
    {
        Ok(cfg) => Ok(Some((cfg, path))),
        Err(errors) => {
            for e in errors {
                eprintln!("error: {}:{}:{}: {}", e.file, e.line, e.column, e.message);
            }
            Err(2)
        }
    }
}

/// A path relative to the working directory when it is under it (as scanned files are shown).
fn shown_path(p: PathBuf) -> PathBuf {
    std::env::current_dir()
        .and_then(std::fs::canonicalize)
        .ok()
        .and_then(|cwd| p.strip_prefix(&cwd).ok().map(|r| r.to_path_buf()))
        .filter(|r| !r.as_os_str().is_empty())
        .unwrap_or(p)
}

/// The declarations file: `--readiness`, else in the configuration file's directory, else in
/// the first scanned directory and its parents up to the repository root.
fn find_readiness(c: &CommonArgs, config: Option<&std::path::Path>) -> Option<PathBuf> {
    use plimsoll_model::declarations::{FILE_NAMES, discover};
    if let Some(p) = &c.readiness {
        return Some(p.clone());
    }
    if let Some(dir) = config.and_then(|p| p.parent()) {
        let dir = if dir.as_os_str().is_empty() {
            std::path::Path::new(".")
        } else {
            dir
        };
        if let Some(p) = FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file()) {
            return Some(p);
        }
    }
    let first = c
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let start = if first.as_os_str() == "-" {
        PathBuf::from(".")
    } else {
        first
    };
    discover(&start).map(shown_path)
}

/// Read the declarations file, if there is one; its errors end the run (exit 2), as the
/// configuration's do.
fn load_readiness(
    c: &CommonArgs,
    config: Option<&std::path::Path>,
) -> Result<Option<plimsoll_ingest::ReadinessFile>, u8> {
    let Some(path) = find_readiness(c, config) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| usage_error(&format!("cannot read {}: {e}", path.display())))?;
    let base = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (declarations, source) = plimsoll_model::declarations::parse_source(
        plimsoll_model::FileId(u32::MAX),
        plimsoll_yaml::SourceFile::new(path.display().to_string(), text),
        Some(&base),
    );
    if !declarations.errors.is_empty() {
        for e in &declarations.errors {
            eprintln!("error: {e}");
        }
        return Err(2);
    }
    Ok(Some(plimsoll_ingest::ReadinessFile {
        path: path.display().to_string(),
        text: source.text().to_string(),
        declarations,
    }))
}

fn glob_set(globs: &[String]) -> Option<globset::GlobSet> {
    if globs.is_empty() {
        return None;
    }
    let mut b = globset::GlobSetBuilder::new();
    for g in globs {
        if let Ok(g) = globset::Glob::new(g) {
            b.add(g);
        }
    }
    b.build().ok()
}

fn execute(c: &CommonArgs, keep_sources: bool, baseline: Option<&PathBuf>) -> Result<Executed, u8> {
    let loaded = load_config(c)?;
    let config = loaded
        .as_ref()
        .map(|(cfg, _)| cfg.clone())
        .unwrap_or_default();
    let all = registry::all();
    let mut resolved = config
        .resolve(&all, c.profile.as_deref())
        .map_err(|e| usage_error(&e))?;
    if let Some(n) = c.min_replicas {
        resolved.settings.min_replicas = n;
    }
    let paths = if c.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        c.paths.clone()
    };
    let readiness = load_readiness(c, loaded.as_ref().map(|(_, p)| p.as_path()))?;
    let engine = Engine::new(resolved.rules.clone(), resolved.settings.clone());
    let (mut inputs, walk_errors) = discover(&paths);
    // paths.include / paths.exclude, relative to the configuration's directory
    if let Some((_, cfg_path)) = &loaded {
        let base = cfg_path
            .parent()
            .and_then(|p| std::fs::canonicalize(p).ok());
        let (inc, exc) = (glob_set(&config.include), glob_set(&config.exclude));
        inputs.retain(|i| {
            let plimsoll_ingest::Input::File { path, .. } = i else {
                return true;
            };
            let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            let rel = base
                .as_ref()
                .and_then(|b| abs.strip_prefix(b).ok())
                .unwrap_or(path);
            inc.as_ref().is_none_or(|g| g.is_match(rel))
                && !exc.as_ref().is_some_and(|g| g.is_match(rel))
        });
    }
    let opts = ScanOptions {
        limits: plimsoll_yaml::Limits {
            max_bytes: c.max_file_size << 20,
            ..Default::default()
        },
        default_namespace: c.namespace.clone(),
        keep_sources,
        helm: plimsoll_ingest::HelmOptions {
            values: c.helm_values.clone(),
            set: c.helm_set.clone(),
            release: c.helm_release.clone(),
        },
        progress: None,
        drills: None,
        now_unix: None,
        readiness: None,
    };
    let (drills, drill_errors) = load_evidence(c, &paths);
    let now_unix = match &c.now {
        None => None,
        Some(d) => match plimsoll_rules::date::parse_date(d) {
            Some(days) => Some(days * 86_400),
            None => {
                return Err(usage_error(&format!(
                    "--now: `{d}` is not a date (YYYY-MM-DD)"
                )));
            }
        },
    };
    let opts = ScanOptions {
        drills,
        now_unix,
        ..opts
    };
    let (progress, ticker) = start_progress(inputs.len());
    let opts = ScanOptions { progress, ..opts };
    if let Some(v) = c.helm_values.iter().find(|v| !v.is_file()) {
        return Err(usage_error(&format!(
            "--helm-values {}: no such file",
            v.display()
        )));
    }
    if let Some(s) = c.helm_set.iter().find(|s| !s.contains('=')) {
        return Err(usage_error(&format!("--helm-set {s}: expected K=V")));
    }
    let opts = ScanOptions { readiness, ..opts };
    let mut result = scan(&engine, &inputs, &opts);
    if let Some(t) = ticker {
        t.finish();
    }
    result.errors.extend(drill_errors);
    // inputs that were not scanned and should have been (a chart without helm to render it)
    for (file, reason) in &result.warnings {
        eprintln!("warning: {file}: {reason}");
    }
    for (p, e) in walk_errors {
        result.errors.push(plimsoll_ingest::InputError {
            file: p.display().to_string(),
            line: None,
            column: None,
            message: e,
        });
    }
    resolved.apply_severity(&mut result.findings);
    if !c.no_suppressions {
        // exemptions written in the configuration file get that file as their place
        let mut exemptions = resolved.exemptions.clone();
        if let Some((_, cfg_path)) = &loaded {
            let id = plimsoll_model::FileId(result.files.len() as u32);
            result.files.push(plimsoll_ingest::ScannedFile::new(
                cfg_path.display().to_string(),
                plimsoll_ingest::FileKind::Yaml,
            ));
            for e in &mut exemptions {
                if let Some(l) = &mut e.loc {
                    l.file = id;
                }
            }
        }
        let input = plimsoll_rules::suppress::SuppressionInput {
            index: &result.index,
            inline: &result.inline,
            exemptions: &exemptions,
            not_suppressible: &resolved.not_suppressible,
            today: plimsoll_rules::date::today(),
        };
        let mut findings = std::mem::take(&mut result.findings);
        plimsoll_rules::suppress::apply(&mut findings, &input);
        result.findings = findings;
    }
    let baseline_outcome = match baseline {
        None => None,
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| usage_error(&format!("cannot read baseline {}: {e}", p.display())))?;
            let b = plimsoll_report::baseline::load(&text)
                .map_err(|e| usage_error(&format!("{}: {e}", p.display())))?;
            Some(plimsoll_report::baseline::apply(
                &mut result,
                &b,
                &p.display().to_string(),
            ))
        }
    };
    let mut summary = Summary::compute(
        &result.findings,
        result.files.len() - result.skipped.len(),
        result.documents,
        result.objects,
        Evidence::from_index(&result.index),
    );
    summary.baseline = baseline_outcome;
    let mut rules: Vec<&'static RuleMeta> = engine.rules().iter().map(|r| r.meta()).collect();
    for m in [
        plimsoll_rules::suppress::SuppressionWithoutReason.meta(),
        plimsoll_rules::suppress::SuppressionExpired.meta(),
    ] {
        if !rules.iter().any(|r| r.id == m.id) {
            rules.push(m);
        }
    }
    Ok(Executed {
        result,
        summary,
        rules,
        config_fail_on: config.fail_on,
    })
}

/// Restore-drill evidence: `--evidence` directories, else `.plimsoll/evidence/` in the first
/// scanned directory or the current one. `None` when there is none to look at.
fn load_evidence(
    c: &CommonArgs,
    paths: &[PathBuf],
) -> (
    Option<Vec<plimsoll_model::evidence::DrillEvidence>>,
    Vec<plimsoll_ingest::InputError>,
) {
    let mut dirs = c.evidence.clone();
    if dirs.is_empty() {
        let first = paths
            .first()
            .filter(|p| p.is_dir())
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."));
        for d in [
            first.join(".plimsoll/evidence"),
            PathBuf::from(".plimsoll/evidence"),
        ] {
            if d.is_dir() && !dirs.iter().any(|x| same_dir(x, &d)) {
                dirs.push(d);
            }
        }
    }
    if dirs.is_empty() {
        return (None, Vec::new());
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for dir in &dirs {
        if !dir.is_dir() {
            errors.push(plimsoll_ingest::InputError {
                file: dir.display().to_string(),
                line: None,
                column: None,
                message: "evidence directory not found".into(),
            });
            continue;
        }
        for (path, record) in plimsoll_drill::evidence::load_dir(dir) {
            match record {
                Ok(r) => out.push(plimsoll_model::evidence::DrillEvidence {
                    service: r.service.as_deref().map(Into::into),
                    database: r.backup.database.as_deref().map(Into::into),
                    passed: r.passed(),
                    finished_unix: r.finished_unix().unwrap_or(0.0) as i64,
                    file: path.display().to_string().into(),
                }),
                Err(e) => errors.push(plimsoll_ingest::InputError {
                    file: path.display().to_string(),
                    line: None,
                    column: None,
                    message: format!("not a drill record: {e}"),
                }),
            }
        }
    }
    (Some(out), errors)
}

fn same_dir(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// A progress line on stderr for scans that take more than a moment: only on a terminal, never
/// in CI or when stderr is piped.
struct Ticker {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Ticker {
    fn finish(self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = self.thread.join();
    }
}

fn start_progress(
    total: usize,
) -> (
    Option<std::sync::Arc<plimsoll_ingest::Progress>>,
    Option<Ticker>,
) {
    use std::sync::atomic::Ordering::Relaxed;
    if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() || total < 2 {
        return (None, None);
    }
    let progress = std::sync::Arc::new(plimsoll_ingest::Progress::default());
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (p, d) = (progress.clone(), done.clone());
    let thread = std::thread::spawn(move || {
        let start = std::time::Instant::now();
        // nothing is drawn for scans that finish within half a second
        while start.elapsed() < std::time::Duration::from_millis(500) {
            if d.load(Relaxed) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos}/{len} files · {msg} [{elapsed}]",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        while !d.load(Relaxed) {
            let secs = start.elapsed().as_secs_f64().max(0.001);
            let docs = p.documents.load(Relaxed);
            bar.set_position(p.files.load(Relaxed));
            bar.set_message(format!(
                "{docs} documents · {:.0} files/s · {:.0} documents/s",
                p.files.load(Relaxed) as f64 / secs,
                docs as f64 / secs
            ));
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        bar.finish_and_clear();
    });
    (Some(progress), Some(Ticker { done, thread }))
}

/// Peak resident memory so far (Linux `VmHWM`), for `PLIMSOLL_TIMINGS`.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l[6..].trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn run_baseline_create(c: &CommonArgs, output: &PathBuf) -> u8 {
    let ex = match execute(c, false, None) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let b = plimsoll_report::baseline::create(&ex.result);
    let text = serde_json::to_string_pretty(&b).expect("json") + "\n";
    if let Err(e) = std::fs::write(output, text) {
        return usage_error(&format!("cannot write {}: {e}", output.display()));
    }
    eprintln!(
        "wrote {} findings to {}",
        b.findings.len(),
        output.display()
    );
    for e in &ex.result.errors {
        eprintln!(
            "error: {}{}: {}",
            e.file,
            e.line
                .map(|l| format!(":{l}:{}", e.column.unwrap_or(1)))
                .unwrap_or_default(),
            e.message
        );
    }
    if ex.result.errors.is_empty() { 0 } else { 2 }
}

fn run_scan(a: ScanArgs) -> u8 {
    let ex = match execute(&a.common, a.format == Format::Human, a.baseline.as_ref()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let (result, summary, rules) = (&ex.result, &ex.summary, &ex.rules);
    if std::env::var_os("PLIMSOLL_TIMINGS").is_some() {
        eprintln!("timing: peak memory after the scan {}", peak_memory());
    }
    let input = ReportInput {
        scan: result,
        summary,
        rules,
        tool_version: VERSION,
    };
    let to_terminal = a.output.is_none() && std::io::stdout().is_terminal();
    let color = match a.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    if a.format == Format::Json {
        // streamed: a big scan never holds its whole report in memory
        let written = match &a.output {
            Some(p) => std::fs::File::create(p)
                .and_then(|f| plimsoll_report::json::write(&input, std::io::BufWriter::new(f)))
                .map_err(|e| format!("cannot write {}: {e}", p.display())),
            None => plimsoll_report::json::write(
                &input,
                std::io::BufWriter::new(std::io::stdout().lock()),
            )
            .map_err(|e| format!("cannot write output: {e}")),
        };
        if let Err(e) = written {
            return usage_error(&e);
        }
    }
    let text = match a.format {
        Format::Human => plimsoll_report::human::render(&input, color),
        Format::Json => String::new(),
        Format::Sarif => {
            serde_json::to_string_pretty(&plimsoll_report::sarif::render(&input)).expect("json")
                + "\n"
        }
        Format::Markdown => plimsoll_report::markdown::render(&input),
        Format::Html => plimsoll_report::html::render(&input),
        Format::Junit => plimsoll_report::junit::render(&input),
        Format::Github => plimsoll_report::github::render(&input),
        Format::Gitlab => {
            serde_json::to_string_pretty(&plimsoll_report::gitlab::render(&input)).expect("json")
                + "\n"
        }
    };
    let written = match &a.output {
        _ if a.format == Format::Json => Ok(()),
        Some(p) => std::fs::write(p, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", p.display())),
        None => anstream::AutoStream::never(std::io::stdout().lock())
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write output: {e}")),
    };
    if let Err(e) = written {
        return usage_error(&e);
    }
    if a.format != Format::Human {
        // errors are in the report; say so on stderr too so CI logs show them
        for e in &result.errors {
            eprintln!(
                "error: {}{}: {}",
                e.file,
                e.line
                    .map(|l| format!(":{l}:{}", e.column.unwrap_or(1)))
                    .unwrap_or_default(),
                e.message
            );
        }
    }
    if !result.errors.is_empty() {
        return 2;
    }
    let threshold = match a.fail_on {
        Some(FailOn::Critical) => Some(Severity::Critical),
        Some(FailOn::High) => Some(Severity::High),
        Some(FailOn::Medium) => Some(Severity::Medium),
        Some(FailOn::Low) => Some(Severity::Low),
        Some(FailOn::Never) => None,
        None => ex.config_fail_on.unwrap_or(Some(Severity::High)),
    };
    let failing = threshold.is_some_and(|t| {
        result
            .findings
            .iter()
            .any(|f| f.suppressed.is_none() && f.severity.at_least(t))
    });
    u8::from(failing)
}

fn rule_json(m: &RuleMeta) -> serde_json::Value {
    let mut peers = serde_json::Map::new();
    for (p, ids) in m.peers {
        peers.insert(p.key().to_string(), serde_json::json!(ids));
    }
    serde_json::json!({
        "id": m.id,
        "name": m.name,
        "gap": m.gap,
        "severity": m.severity,
        "summary": m.summary,
        "rationale": m.rationale(),
        "fix": m.fix_text(),
        "severity_reason": m.section("Severity"),
        "peers": peers,
    })
}

fn run_rules(a: RulesArgs) -> u8 {
    let rules: Vec<&'static RuleMeta> = registry::all().iter().map(|r| r.meta()).collect();
    if let Some(dir) = &a.write_docs {
        if let Err(e) = std::fs::create_dir_all(dir) {
            return usage_error(&format!("cannot create {}: {e}", dir.display()));
        }
        for (name, text) in plimsoll_report::docs::pages(&rules) {
            if let Err(e) = std::fs::write(dir.join(&name), text) {
                return usage_error(&format!("cannot write {name}: {e}"));
            }
        }
        println!("wrote {} rule pages to {}", rules.len(), dir.display());
        return 0;
    }
    if let Some(peer) = &a.peer {
        let Some(p) = Peer::parse(peer) else {
            let keys: Vec<&str> = Peer::ALL.iter().map(|p| p.key()).collect();
            return usage_error(&format!(
                "unknown peer `{peer}`; one of: {}",
                keys.join(", ")
            ));
        };
        if a.format == "json" {
            let map: serde_json::Map<String, serde_json::Value> = rules
                .iter()
                .filter(|m| !m.peer_ids(p).is_empty())
                .map(|m| (m.id.to_string(), serde_json::json!(m.peer_ids(p))))
                .collect();
            println!("{}", serde_json::to_string_pretty(&map).expect("json"));
        } else {
            println!("{:<10} {:<32} {}", "PLIMSOLL", "NAME", peer.to_uppercase());
            for m in &rules {
                let ids = m.peer_ids(p);
                if !ids.is_empty() {
                    println!("{:<10} {:<32} {}", m.id, m.name, ids.join(", "));
                }
            }
        }
        return 0;
    }
    match a.format.as_str() {
        "json" => {
            let v: Vec<serde_json::Value> = rules.iter().map(|m| rule_json(m)).collect();
            println!("{}", serde_json::to_string_pretty(&v).expect("json"));
        }
        "table" => {
            println!(
                "{:<8} {:<9} {:<14} {:<34} SUMMARY",
                "ID", "SEVERITY", "GAP", "NAME"
            );
            for m in &rules {
                println!(
                    "{:<8} {:<9} {:<14} {:<34} {}",
                    m.id,
                    m.severity.as_str(),
                    m.gap.as_str(),
                    m.name,
                    m.summary
                );
            }
        }
        other => {
            return usage_error(&format!(
                "unknown format `{other}` for rules; use table or json"
            ));
        }
    }
    0
}

fn run_explain(key: &str) -> u8 {
    let Some(rule) = registry::find(key) else {
        return usage_error(&format!("no rule `{key}`; `plimsoll rules` lists them"));
    };
    let m = rule.meta();
    println!("# {} {}\n", m.id, m.name);
    println!("{} · gap {} · severity {}\n", m.summary, m.gap, m.severity);
    println!("{}\n", m.docs_text());
    if !m.peers.is_empty() {
        println!("## Peers\n");
        for (p, ids) in m.peers {
            println!("- {}: {}", p.key(), ids.join(", "));
        }
    }
    0
}
