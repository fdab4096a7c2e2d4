//! Throwaway PostgreSQL servers: a fresh one from `initdb` ([`ScratchServer::init`]) or one
//! started from a copy of a `pg_basebackup` ([`ScratchServer::from_base_backup`]), in a private
//! temporary directory on a free port, stopped and removed on drop.
//!
//! When the drill runs as root, the server programs run as an unprivileged account
//! ([`RunAs`]) and the directory is handed to it: initdb and postgres refuse root.

use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cancel::Cancel;
use crate::conn::{ConnSpec, Resolved};
use crate::random_hex;
use crate::tools::{Outcome, PgTools, RunAs, RunOptions, command_as, run};

/// Settings for a scratch server.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// Parent of the server's temporary directory (default: the system temp dir).
    pub workdir: Option<PathBuf>,
    /// Trade durability for speed (`fsync=off`, `synchronous_commit=off`,
    /// `full_page_writes=off`). For tests; a drill measures a normal server.
    pub fast: bool,
    /// How long `pg_ctl start` may take (WAL replay of a base backup counts here).
    pub start_timeout: Duration,
    /// Extra `postgresql.conf` settings.
    pub settings: Vec<(String, String)>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            workdir: None,
            fast: false,
            start_timeout: Duration::from_secs(3600),
            settings: Vec::new(),
        }
    }
}

/// A running throwaway server.
pub struct ScratchServer {
    dir: Option<tempfile::TempDir>,
    pub data_dir: PathBuf,
    pub socket_dir: PathBuf,
    pub port: u16,
    pub log_file: PathBuf,
    run_as: Option<RunAs>,
    tools: PgTools,
    spec: ConnSpec,
    running: bool,
    /// For a physical drill: the server's major version.
    pub major: Option<u32>,
}

impl std::fmt::Debug for ScratchServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScratchServer")
            .field("data_dir", &self.data_dir)
            .field("port", &self.port)
            .finish()
    }
}

const SUPERUSER: &str = "plimsoll_drill";

impl ScratchServer {
    /// `initdb` + `pg_ctl start` on 127.0.0.1 and a free port. The superuser `plimsoll_drill`
    /// gets a random password (scram-sha-256 over TCP); the spec carries it in memory only.
    pub fn init(
        tools: &PgTools,
        opts: &ServerOptions,
        cancel: &Cancel,
    ) -> Result<ScratchServer, String> {
        tools.require(&["initdb", "pg_ctl", "postgres"])?;
        let run_as = RunAs::for_server()?;
        let dir = make_dir(opts.workdir.as_deref(), run_as.as_ref())?;
        let root = dir.path().to_path_buf();
        let data_dir = root.join("data");
        let password = random_hex(16);
        let pwfile = root.join("pw");
        write_private(&pwfile, &password, run_as.as_ref())?;
        let mut cmd = command_as(&tools.path("initdb"), run_as.as_ref());
        cmd.arg("-D").arg(&data_dir).args([
            "-U",
            SUPERUSER,
            "-A",
            "scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
        ]);
        if tools.major_version().is_some_and(|m| m >= 14) {
            cmd.arg("--no-instructions");
        }
        cmd.arg(format!("--pwfile={}", pwfile.display()));
        if opts.fast {
            cmd.arg("--no-sync");
        }
        let r = run(
            cmd,
            cancel,
            &RunOptions {
                timeout: Some(Duration::from_secs(300)),
                ..RunOptions::default()
            },
        );
        let _ = std::fs::remove_file(&pwfile);
        if !r.ok() {
            return Err(format!("initdb: {}", r.describe()));
        }
        let mut settings = vec![
            ("listen_addresses".to_string(), "127.0.0.1".to_string()),
            (
                "unix_socket_directories".to_string(),
                root.display().to_string(),
            ),
            ("unix_socket_permissions".to_string(), "0700".to_string()),
            ("logging_collector".to_string(), "off".to_string()),
            ("max_wal_size".to_string(), "2GB".to_string()),
            ("cluster_name".to_string(), "plimsoll-drill".to_string()),
        ];
        if opts.fast {
            for k in ["fsync", "synchronous_commit", "full_page_writes"] {
                settings.push((k.to_string(), "off".to_string()));
            }
        }
        settings.extend(opts.settings.iter().cloned());
        append_settings(&data_dir.join("postgresql.conf"), &settings)?;
        let mut server = ScratchServer {
            dir: Some(dir),
            socket_dir: root.clone(),
            log_file: root.join("server.log"),
            data_dir,
            port: 0,
            run_as,
            tools: tools.clone(),
            spec: ConnSpec::default(),
            running: false,
            major: tools.major_version(),
        };
        server.start(opts, cancel)?;
        server.spec = ConnSpec::tcp(
            "127.0.0.1",
            server.port,
            SUPERUSER,
            "postgres",
            Some(&password),
        );
        Ok(server)
    }

    /// Copies a plain-format base backup (a directory with `PG_VERSION` and `backup_label`)
    /// into a private directory, neutralises everything that could reach the outside world
    /// (standby and recovery settings, archiving, logical replication workers, TLS files,
    /// pg_hba) and starts it. Connections go through a private Unix socket with `trust`
    /// authentication (the production passwords are not known); TCP is closed.
    pub fn from_base_backup(
        tools: &PgTools,
        backup: &Path,
        opts: &ServerOptions,
        cancel: &Cancel,
    ) -> Result<ScratchServer, String> {
        let run_as = RunAs::for_server()?;
        let dir = make_dir(opts.workdir.as_deref(), run_as.as_ref())?;
        let root = dir.path().to_path_buf();
        let data_dir = root.join("data");
        let copy = run(
            {
                let mut c = std::process::Command::new("cp");
                c.arg("-a").arg("--reflink=auto").arg(backup).arg(&data_dir);
                c
            },
            cancel,
            &RunOptions::default(),
        );
        if !copy.ok() {
            return Err(format!("copying the base backup: {}", copy.describe()));
        }
        for f in [
            "standby.signal",
            "recovery.signal",
            "postmaster.pid",
            "postmaster.opts",
        ] {
            let _ = std::fs::remove_file(data_dir.join(f));
        }
        let tblspc = data_dir.join("pg_tblspc");
        if std::fs::read_dir(&tblspc)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
        {
            return Err("the base backup uses tablespaces (pg_tblspc is not empty); physical drills support the main data directory only".into());
        }
        if !data_dir.join("postgresql.conf").exists() {
            // Debian keeps postgresql.conf under /etc; the backup then has none.
            std::fs::write(data_dir.join("postgresql.conf"), "")
                .map_err(|e| format!("postgresql.conf: {e}"))?;
        }
        let hba = root.join("pg_hba.conf");
        std::fs::write(
            &hba,
            "# plimsoll drill: private socket only\nlocal all all trust\n",
        )
        .map_err(|e| format!("pg_hba.conf: {e}"))?;
        let ident = root.join("pg_ident.conf");
        std::fs::write(&ident, "").map_err(|e| format!("pg_ident.conf: {e}"))?;
        let mut settings: Vec<(String, String)> = [
            ("listen_addresses", ""),
            ("unix_socket_directories", &root.display().to_string()),
            ("unix_socket_permissions", "0700"),
            ("hba_file", &hba.display().to_string()),
            ("ident_file", &ident.display().to_string()),
            ("ssl", "off"),
            ("archive_mode", "off"),
            ("archive_command", ""),
            ("archive_library", ""),
            ("restore_command", ""),
            ("primary_conninfo", ""),
            ("primary_slot_name", ""),
            ("max_logical_replication_workers", "0"),
            ("logging_collector", "off"),
            ("log_destination", "stderr"),
            ("shared_buffers", "128MB"),
            ("huge_pages", "off"),
            ("cluster_name", "plimsoll-drill"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        if opts.fast {
            for k in ["fsync", "synchronous_commit", "full_page_writes"] {
                settings.push((k.to_string(), "off".to_string()));
            }
        }
        settings.extend(opts.settings.iter().cloned());
        append_settings(&data_dir.join("postgresql.auto.conf"), &settings)?;
        std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("chmod: {e}"))?;
        if let Some(u) = &run_as {
            u.chown(&root)?;
        }
        let major = std::fs::read_to_string(data_dir.join("PG_VERSION"))
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok());
        let tools = match major {
            Some(m) => tools.for_major(m).ok_or_else(|| {
                format!(
                    "the base backup is PostgreSQL {m}, but the server programs in {} are version {}; install PostgreSQL {m} or set PLIMSOLL_PG_BIN",
                    tools.bin_dir.display(),
                    tools.version().unwrap_or_else(|| "unknown".into())
                )
            })?,
            None => return Err("the base backup has no readable PG_VERSION".into()),
        };
        tools.require(&["pg_ctl", "postgres"])?;
        let mut server = ScratchServer {
            dir: Some(dir),
            socket_dir: root.clone(),
            log_file: root.join("server.log"),
            data_dir,
            port: 0,
            run_as,
            tools,
            spec: ConnSpec::default(),
            running: false,
            major,
        };
        server.start(opts, cancel)?;
        server.spec = ConnSpec::socket(&root, server.port, "postgres", "postgres");
        Ok(server)
    }

    fn start(&mut self, opts: &ServerOptions, cancel: &Cancel) -> Result<(), String> {
        let mut last = String::new();
        for _attempt in 0..5 {
            let port = free_port()?;
            let mut cmd = command_as(&self.tools.path("pg_ctl"), self.run_as.as_ref());
            cmd.arg("-D")
                .arg(&self.data_dir)
                .arg("-l")
                .arg(&self.log_file);
            cmd.arg("-o").arg(format!("-p {port}"));
            cmd.arg("-w")
                .arg("-t")
                .arg(opts.start_timeout.as_secs().max(1).to_string())
                .arg("start");
            let r = run(cmd, cancel, &RunOptions::default());
            self.port = port;
            if r.ok() {
                self.running = true;
                return Ok(());
            }
            // pg_ctl may have left a postmaster behind (time-out, cancellation).
            self.running = true;
            let _ = self.stop();
            let log = self.log_tail(8).join(" | ");
            if r.outcome == Outcome::Cancelled {
                return Err(format!("{}; server log: {log}", r.describe()));
            }
            last = format!("{}; server log: {log}", r.describe());
            if !log.contains("could not bind") && !log.contains("Address already in use") {
                break;
            }
        }
        Err(format!("the scratch server did not start: {last}"))
    }

    /// The superuser connection (password in memory only).
    pub fn spec(&self) -> &ConnSpec {
        &self.spec
    }

    pub fn set_spec(&mut self, spec: ConnSpec) {
        self.spec = spec;
    }

    pub fn resolved(&self, dbname: &str) -> Resolved {
        self.spec.with_dbname(dbname).resolve(None)
    }

    /// The last `n` lines of the server log.
    pub fn log_tail(&self, n: usize) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log_file).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines[lines.len().saturating_sub(n)..].to_vec()
    }

    /// Size of the data directory in bytes.
    pub fn data_bytes(&self) -> u64 {
        dir_size(&self.data_dir)
    }

    /// Stops the server (fast, then immediate). Idempotent.
    pub fn stop(&mut self) -> Result<(), String> {
        if !self.running {
            return Ok(());
        }
        let never = Cancel::new();
        let mut result = Err(String::new());
        for mode in ["fast", "immediate"] {
            let mut cmd = command_as(&self.tools.path("pg_ctl"), self.run_as.as_ref());
            cmd.arg("-D")
                .arg(&self.data_dir)
                .args(["-m", mode, "-w", "-t", "30", "stop"]);
            let r = run(
                cmd,
                &never,
                &RunOptions {
                    timeout: Some(Duration::from_secs(40)),
                    ..RunOptions::default()
                },
            );
            let not_running = r
                .stderr_tail
                .iter()
                .any(|l| l.contains("Is server running?") || l.contains("PID file"));
            if r.ok() || not_running {
                result = Ok(());
                break;
            }
            result = Err(r.describe());
        }
        self.running = false;
        result
    }

    /// Stops the server and removes its directory.
    pub fn destroy(mut self) -> Result<(), String> {
        let r = self.stop();
        if let Some(d) = self.dir.take() {
            d.close()
                .map_err(|e| format!("removing the scratch server directory: {e}"))?;
        }
        r
    }
}

impl Drop for ScratchServer {
    fn drop(&mut self) {
        let _ = self.stop();
        // TempDir removes the directory.
    }
}

/// A private (0700) temporary directory, owned by `run_as` when given.
fn make_dir(parent: Option<&Path>, run_as: Option<&RunAs>) -> Result<tempfile::TempDir, String> {
    let parent = parent
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::Builder::new()
        .prefix("plimsoll-drill-")
        .tempdir_in(&parent)
        .map_err(|e| {
            format!(
                "creating a temporary directory in {}: {e}",
                parent.display()
            )
        })?;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("chmod: {e}"))?;
    if dir.path().join(".s.PGSQL.65535").as_os_str().len() > 100 {
        return Err(format!(
            "the work directory path {} is too long for a Unix socket; use a shorter --workdir",
            dir.path().display()
        ));
    }
    if let Some(u) = run_as {
        u.chown(dir.path())?;
    }
    Ok(dir)
}

fn write_private(path: &Path, text: &str, run_as: Option<&RunAs>) -> Result<(), String> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode_0600()
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    drop(f);
    if let Some(u) = run_as {
        u.chown(path)?;
    }
    Ok(())
}

trait Mode0600 {
    fn mode_0600(&mut self) -> &mut Self;
}

impl Mode0600 for std::fs::OpenOptions {
    fn mode_0600(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.mode(0o600)
    }
}

/// Appends `key = 'value'` lines (later settings override earlier ones).
fn append_settings(path: &Path, settings: &[(String, String)]) -> Result<(), String> {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut text = String::from("\n# added by plimsoll drill\n");
    for (k, v) in settings {
        text.push_str(&format!(
            "{k} = '{}'\n",
            v.replace('\\', "\\\\").replace('\'', "''")
        ));
    }
    f.write_all(text.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A port that was free a moment ago on 127.0.0.1 (the start retries on a collision).
fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("finding a free port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// Total size of the regular files under `path` (symlinks not followed).
pub fn dir_size(path: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(rd) = std::fs::read_dir(&p) {
                stack.extend(rd.flatten().map(|e| e.path()));
            }
        } else if meta.is_file() {
            total += meta.len();
        }
    }
    total
}
