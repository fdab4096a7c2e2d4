//! The PostgreSQL programs: where they are, which version, how to run one so that it can be
//! stopped (its own process group), watched (cancellation) and diagnosed (stderr kept).

use std::collections::VecDeque;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use crate::cancel::Cancel;
use crate::conn::redact_text;

/// A directory of PostgreSQL programs.
#[derive(Clone, Debug)]
pub struct PgTools {
    pub bin_dir: PathBuf,
}

impl PgTools {
    /// Finds the programs: `$PLIMSOLL_PG_BIN`, the real directory behind `initdb` on `PATH`,
    /// the newest `/usr/lib/postgresql/*/bin`, then any `PATH` directory with `pg_restore`
    /// (client tools only; the scratch-server modes then report what is missing).
    pub fn discover() -> Result<PgTools, String> {
        if let Some(dir) = std::env::var_os("PLIMSOLL_PG_BIN").filter(|d| !d.is_empty()) {
            let dir = PathBuf::from(dir);
            if dir.join("pg_restore").is_file() {
                return Ok(PgTools { bin_dir: dir });
            }
            return Err(format!(
                "PLIMSOLL_PG_BIN={} has no pg_restore",
                dir.display()
            ));
        }
        let path_dirs: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        for d in &path_dirs {
            let initdb = d.join("initdb");
            if initdb.is_file()
                && let Ok(real) = std::fs::canonicalize(&initdb)
                && let Some(dir) = real.parent()
                && dir.join("pg_restore").is_file()
            {
                return Ok(PgTools {
                    bin_dir: dir.to_path_buf(),
                });
            }
        }
        if let Some(dir) = debian_bin_dirs().into_iter().next() {
            return Ok(PgTools { bin_dir: dir });
        }
        for d in &path_dirs {
            if d.join("pg_restore").is_file() {
                return Ok(PgTools { bin_dir: d.clone() });
            }
        }
        Err("PostgreSQL tools not found: set PLIMSOLL_PG_BIN, put pg_restore/initdb on PATH, or run scripts/postgres-setup.sh".into())
    }

    /// The programs of one major version (`/usr/lib/postgresql/<major>/bin`), when present;
    /// otherwise these, if they are that version.
    pub fn for_major(&self, major: u32) -> Option<PgTools> {
        if self.major_version() == Some(major) {
            return Some(self.clone());
        }
        let d = PathBuf::from(format!("/usr/lib/postgresql/{major}/bin"));
        d.join("postgres")
            .is_file()
            .then_some(PgTools { bin_dir: d })
    }

    pub fn path(&self, tool: &str) -> PathBuf {
        self.bin_dir.join(tool)
    }

    pub fn has(&self, tool: &str) -> bool {
        self.path(tool).is_file()
    }

    /// Fails with a clear message when a program is missing.
    pub fn require(&self, tools: &[&str]) -> Result<(), String> {
        let missing: Vec<&str> = tools.iter().copied().filter(|t| !self.has(t)).collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} not found in {} (install the PostgreSQL server package, e.g. scripts/postgres-setup.sh, or set PLIMSOLL_PG_BIN)",
                missing.join(", "),
                self.bin_dir.display()
            ))
        }
    }

    /// `pg_restore --version` → `15.18`.
    pub fn version(&self) -> Option<String> {
        let tool = if self.has("postgres") {
            "postgres"
        } else {
            "pg_restore"
        };
        let out = Command::new(self.path(tool))
            .arg("--version")
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        text.split_whitespace()
            .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .map(str::to_string)
    }

    pub fn major_version(&self) -> Option<u32> {
        self.version()?.split(['.', ' ']).next()?.parse().ok()
    }
}

/// `/usr/lib/postgresql/*/bin` with `pg_restore`, newest first.
fn debian_bin_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("pg_restore").is_file().then_some((v, bin))
        })
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.0));
    dirs.into_iter().map(|(_, d)| d).collect()
}

/// The unprivileged account that runs initdb, pg_ctl and postgres when the drill runs as root
/// (both refuse to run as root).
#[derive(Clone, Debug)]
pub struct RunAs {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

impl RunAs {
    /// `None` when not root. As root: `$PLIMSOLL_PG_USER`, else `postgres`, else an error.
    pub fn for_server() -> Result<Option<RunAs>, String> {
        if !nix::unistd::geteuid().is_root() {
            return Ok(None);
        }
        let name = std::env::var("PLIMSOLL_PG_USER")
            .ok()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "postgres".into());
        match nix::unistd::User::from_name(&name) {
            Ok(Some(u)) if !u.uid.is_root() => Ok(Some(RunAs {
                name,
                uid: u.uid.as_raw(),
                gid: u.gid.as_raw(),
            })),
            Ok(Some(_)) => Err(format!(
                "PLIMSOLL_PG_USER={name} is root; initdb and postgres refuse to run as root"
            )),
            _ => Err(format!(
                "running as root, and there is no `{name}` user to run initdb/pg_ctl as (PostgreSQL refuses root): \
                 create one, set PLIMSOLL_PG_USER, or run scripts/postgres-setup.sh"
            )),
        }
    }

    /// Gives a path to this account (recursively for directories).
    pub fn chown(&self, path: &Path) -> Result<(), String> {
        let status = Command::new("chown")
            .arg("-R")
            .arg(format!("{}:{}", self.uid, self.gid))
            .arg(path)
            .status()
            .map_err(|e| format!("chown: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("chown -R {} {} failed", self.name, path.display()))
        }
    }
}

/// A command for `program`, run as `run_as` when given (through `runuser` when it exists, else
/// by switching uid/gid directly).
pub fn command_as(program: &Path, run_as: Option<&RunAs>) -> Command {
    match run_as {
        None => Command::new(program),
        Some(u) => {
            let runuser = Path::new("/usr/sbin/runuser");
            let runuser = if runuser.is_file() {
                Some(runuser.to_path_buf())
            } else {
                which("runuser")
            };
            match runuser {
                Some(r) => {
                    let mut c = Command::new(r);
                    c.arg("-u").arg(&u.name).arg("--").arg(program);
                    c
                }
                None => {
                    let mut c = Command::new(program);
                    c.uid(u.uid).gid(u.gid);
                    c
                }
            }
        }
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|c| c.is_file())
        })
        .unwrap_or(None)
}

/// How a child ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Non-zero exit code.
    Failed(i32),
    /// Killed by a signal that the drill did not send (OOM killer, an operator, ...).
    Killed(i32),
    /// Stopped by the drill because of cancellation.
    Cancelled,
    /// Stopped by the drill because it ran past its time limit.
    TimedOut,
    /// Could not be started.
    SpawnFailed(String),
}

/// The result of one child process.
#[derive(Debug)]
pub struct RunResult {
    pub program: String,
    pub outcome: Outcome,
    pub stdout: String,
    /// The last lines of stderr (at most [`STDERR_TAIL`]), redacted.
    pub stderr_tail: Vec<String>,
    /// Lines of stderr that report an error (`error:`, `FATAL:`, `ERROR:`), at most 50, redacted.
    pub error_lines: Vec<String>,
    pub error_count: usize,
    pub seconds: f64,
}

pub const STDERR_TAIL: usize = 40;

impl RunResult {
    pub fn ok(&self) -> bool {
        self.outcome == Outcome::Success
    }

    /// One paragraph for humans and evidence: what happened and the most telling lines.
    pub fn describe(&self) -> String {
        let what = match &self.outcome {
            Outcome::Success => format!("{} succeeded", self.program),
            Outcome::Failed(code) => format!("{} exited with status {code}", self.program),
            Outcome::Killed(sig) => format!(
                "{} was killed by signal {sig} ({}) before it finished",
                self.program,
                Signal::try_from(*sig).map(|s| s.as_str()).unwrap_or("?")
            ),
            Outcome::Cancelled => {
                format!("{} was stopped: the drill was interrupted", self.program)
            }
            Outcome::TimedOut => {
                format!("{} was stopped: it ran past its time limit", self.program)
            }
            Outcome::SpawnFailed(e) => format!("could not start {}: {e}", self.program),
        };
        let lines: Vec<&String> = if self.error_lines.is_empty() {
            self.stderr_tail.iter().rev().take(5).rev().collect()
        } else {
            self.error_lines.iter().take(5).collect()
        };
        let mut s = what;
        if self.error_count > 0 && self.outcome != Outcome::Success {
            s.push_str(&format!("; {} error line(s)", self.error_count));
        }
        if !lines.is_empty() {
            s.push_str(": ");
            s.push_str(
                &lines
                    .iter()
                    .map(|l| l.trim())
                    .collect::<Vec<_>>()
                    .join(" | "),
            );
        }
        s
    }
}

/// Options for [`run`].
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub capture_stdout: bool,
    pub timeout: Option<Duration>,
    /// Signal the whole process group after the leader exits (pg_restore -j workers).
    pub reap_group: bool,
    /// Extra environment.
    pub env: Vec<(String, String)>,
}

/// Runs `cmd` in its own process group, polling `cancel`. On cancellation or timeout the group
/// gets SIGTERM, then SIGKILL after 5 s.
pub fn run(mut cmd: Command, cancel: &Cancel, opts: &RunOptions) -> RunResult {
    let program = program_name(&cmd);
    let start = Instant::now();
    cmd.process_group(0)
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    cmd.stdout(if opts.capture_stdout {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    for (k, v) in &opts.env {
        cmd.env(k, v);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return RunResult {
                program,
                outcome: Outcome::SpawnFailed(e.to_string()),
                stdout: String::new(),
                stderr_tail: Vec::new(),
                error_lines: Vec::new(),
                error_count: 0,
                seconds: 0.0,
            };
        }
    };
    let pgid = Pid::from_raw(child.id() as i32);
    let collected = Arc::new(Mutex::new(Collected::default()));
    let err_reader = child.stderr.take().map(|stderr| {
        let collected = Arc::clone(&collected);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                collected.lock().expect("stderr lock").push(&line);
            }
        })
    });
    let out_reader = child.stdout.take().map(|mut stdout| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = stdout.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    });
    let mut stopped_by_us: Option<Outcome> = None;
    let status: Option<ExitStatus> = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Some(st),
            Ok(None) => {}
            Err(_) => break None,
        }
        let timed_out = opts.timeout.is_some_and(|t| start.elapsed() > t);
        if stopped_by_us.is_none() && (cancel.is_cancelled() || timed_out) {
            stopped_by_us = Some(if timed_out && !cancel.is_cancelled() {
                Outcome::TimedOut
            } else {
                Outcome::Cancelled
            });
            let st = terminate_group(pgid, &mut child);
            break st;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if opts.reap_group && stopped_by_us.is_none() && status.is_some_and(|s| s.signal().is_some()) {
        // The leader was killed from outside; its workers (pg_restore -j) may still run, and
        // they are in our group.
        let _ = killpg(pgid, Signal::SIGTERM);
        std::thread::sleep(Duration::from_millis(200));
        let _ = killpg(pgid, Signal::SIGKILL);
    }
    if let Some(h) = err_reader {
        let _ = h.join();
    }
    let stdout = out_reader.and_then(|h| h.join().ok()).unwrap_or_default();
    let outcome = match (stopped_by_us, status) {
        (Some(o), _) => o,
        (None, Some(st)) if st.success() => Outcome::Success,
        (None, Some(st)) => match (st.code(), st.signal()) {
            (Some(c), _) => Outcome::Failed(c),
            (None, Some(sig)) => Outcome::Killed(sig),
            _ => Outcome::Failed(-1),
        },
        (None, None) => Outcome::Failed(-1),
    };
    let c = Arc::try_unwrap(collected)
        .map(|m| m.into_inner().unwrap_or_default())
        .unwrap_or_default();
    RunResult {
        program,
        outcome,
        stdout,
        stderr_tail: c.tail.into_iter().collect(),
        error_lines: c.errors,
        error_count: c.error_count,
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// SIGTERM to the group, up to 5 s grace, then SIGKILL; waits for the leader.
fn terminate_group(pgid: Pid, child: &mut std::process::Child) -> Option<ExitStatus> {
    let _ = killpg(pgid, Signal::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(st)) = child.try_wait() {
            let _ = killpg(pgid, Signal::SIGKILL);
            return Some(st);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = killpg(pgid, Signal::SIGKILL);
    child.wait().ok()
}

#[derive(Default)]
struct Collected {
    tail: VecDeque<String>,
    errors: Vec<String>,
    error_count: usize,
}

impl Collected {
    fn push(&mut self, line: &str) {
        let line = redact_text(line);
        let lower = line.to_ascii_lowercase();
        if lower.contains("error:") || lower.contains("fatal:") || lower.contains("panic:") {
            self.error_count += 1;
            if self.errors.len() < 50 {
                self.errors.push(line.clone());
            }
        }
        if self.tail.len() == STDERR_TAIL {
            self.tail.pop_front();
        }
        self.tail.push_back(line);
    }
}

fn program_name(cmd: &Command) -> String {
    let prog = Path::new(cmd.get_program())
        .file_name()
        .unwrap_or(OsStr::new("?"))
        .to_string_lossy()
        .into_owned();
    if prog == "runuser" {
        // runuser -u USER -- PROGRAM ...
        let args: Vec<_> = cmd.get_args().collect();
        if let Some(i) = args.iter().position(|a| *a == "--")
            && let Some(p) = args.get(i + 1)
        {
            return Path::new(p)
                .file_name()
                .unwrap_or(OsStr::new("?"))
                .to_string_lossy()
                .into_owned();
        }
    }
    prog
}
