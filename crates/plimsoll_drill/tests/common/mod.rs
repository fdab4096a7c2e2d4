//! Test support: a real PostgreSQL server per test (initdb + pg_ctl in a temporary directory,
//! on a free loopback port, as the `postgres` user when the tests run as root), a password
//! file for it, and helpers to run drills in-process or as a child process.

#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use clap::Parser;
use plimsoll_drill::Cancel;
use plimsoll_drill::cli::PostgresArgs;
use plimsoll_drill::conn::ConnSpec;
use plimsoll_drill::server::{ScratchServer, ServerOptions};
use plimsoll_drill::tools::PgTools;

/// The PostgreSQL programs, or `None` (with a printed reason) when they are absent: the
/// calling test then returns early. `scripts/postgres-setup.sh` installs them.
pub fn tools() -> Option<PgTools> {
    let tools = match PgTools::discover() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("SKIPPED: {e}");
            return None;
        }
    };
    let need = [
        "initdb",
        "pg_ctl",
        "postgres",
        "pg_dump",
        "pg_restore",
        "psql",
        "pg_basebackup",
        "pg_verifybackup",
    ];
    if let Err(e) = tools.require(&need) {
        eprintln!(
            "SKIPPED: PostgreSQL server binaries are missing ({e}); run scripts/postgres-setup.sh or set PLIMSOLL_PG_BIN"
        );
        return None;
    }
    if let Err(e) = plimsoll_drill::tools::RunAs::for_server() {
        eprintln!("SKIPPED: {e}");
        return None;
    }
    Some(tools)
}

/// A running server with a password file.
pub struct Pg {
    pub tools: PgTools,
    pub server: ScratchServer,
    pub dir: tempfile::TempDir,
    pub passfile: PathBuf,
}

impl Pg {
    pub fn start(tools: &PgTools) -> Pg {
        let opts = ServerOptions {
            fast: true,
            start_timeout: Duration::from_secs(120),
            ..ServerOptions::default()
        };
        let server =
            ScratchServer::init(tools, &opts, &Cancel::new()).expect("start a test server");
        let dir = tempfile::tempdir().expect("tempdir");
        let passfile = dir.path().join("pgpass");
        let pw = server
            .spec()
            .password()
            .expect("password")
            .expose()
            .to_string();
        std::fs::write(
            &passfile,
            format!("127.0.0.1:{}:*:plimsoll_drill:{pw}\n", server.port),
        )
        .unwrap();
        std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).unwrap();
        Pg {
            tools: tools.clone(),
            server,
            dir,
            passfile,
        }
    }

    /// `postgres://plimsoll_drill@127.0.0.1:<port>/<db>` (no password: it is in the passfile).
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://plimsoll_drill@127.0.0.1:{}/{db}",
            self.server.port
        )
    }

    /// libpq conninfo for the PostgreSQL tools, with the password file.
    pub fn conninfo(&self, db: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user=plimsoll_drill dbname={db} passfile={}",
            self.server.port,
            self.passfile.display()
        )
    }

    pub fn client(&self, db: &str) -> postgres::Client {
        ConnSpec::parse(&self.url(db))
            .unwrap()
            .resolve(Some(&self.passfile))
            .connect()
            .expect("connect")
    }

    pub fn sql(&self, db: &str, sql: &str) {
        self.client(db)
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    }

    pub fn scalar_i64(&self, db: &str, sql: &str) -> i64 {
        self.client(db).query_one(sql, &[]).unwrap().get(0)
    }

    /// Databases whose name starts with the scratch prefix.
    pub fn scratch_databases(&self) -> Vec<String> {
        self.client("postgres")
            .query(
                "select datname::text from pg_database where datname like 'plimsoll\\_drill\\_%'",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    }

    /// Runs a PostgreSQL program with the test's password file.
    pub fn tool(&self, name: &str, args: &[&str]) {
        let out = Command::new(self.tools.path(name))
            .args(args)
            .env("PGPASSFILE", &self.passfile)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `pg_dump -F<format> -f <path> <db>`.
    pub fn dump(&self, db: &str, format: &str, path: &Path) {
        self.tool(
            "pg_dump",
            &[
                &format!("-F{format}"),
                "-f",
                path.to_str().unwrap(),
                "--dbname",
                &self.conninfo(db),
            ],
        );
    }

    /// The application database used by most tests: several tables, a json column (checksum
    /// falls back to text), a quoted name, a partitioned table, an empty table.
    pub fn create_app(&self, db: &str, orders: i64) {
        self.sql("postgres", &format!("create database {db}"));
        self.sql(
            db,
            &format!(
                "create table customers (id int primary key, name text not null, created timestamptz default '2026-01-01 00:00:00+00');
                 insert into customers select g, 'customer ' || g from generate_series(1, 500) g;
                 create table orders (id bigint primary key, customer int references customers, amount numeric(12,2), note text);
                 insert into orders select g, 1 + g % 500, (g * 7 % 10000) / 100.0, md5(g::text) from generate_series(1, {orders}) g;
                 create table events (id int, payload json);
                 insert into events select g, json_build_object('n', g) from generate_series(1, 300) g;
                 create schema s2;
                 create table s2.\"Weird.Name\" (x int, y float8);
                 insert into s2.\"Weird.Name\" select g, g / 3.0 from generate_series(1, 77) g;
                 create table measurements (k int, v int) partition by range (k);
                 create table measurements_a partition of measurements for values from (0) to (100);
                 create table measurements_b partition of measurements for values from (100) to (200);
                 insert into measurements select g % 200, g from generate_series(1, 1000) g;
                 create table empty_one (id int);"
            ),
        );
    }
}

/// Parses drill arguments the way the CLI will (`plimsoll drill postgres ...`).
pub fn args(argv: &[String]) -> PostgresArgs {
    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        a: PostgresArgs,
    }
    T::try_parse_from(std::iter::once("drill".to_string()).chain(argv.iter().cloned()))
        .unwrap_or_else(|e| panic!("{e}"))
        .a
}

/// Runs a drill in this process.
pub fn drill(argv: &[String]) -> i32 {
    plimsoll_drill::cli::run_with_cancel(&args(argv), &Cancel::new())
}

pub fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// Environment variable that makes the ignored `child_drill` test run a drill with these
/// arguments (newline-separated) and exit with its code.
pub const CHILD_ENV: &str = "PLIMSOLL_DRILL_CHILD_ARGS";

/// Starts this test binary again as a child that runs one drill (see `child_drill`). Its
/// output is collected by [`wait_child`].
pub fn spawn_child_drill(argv: &[String]) -> std::process::Child {
    let exe = std::env::current_exe().unwrap();
    Command::new(exe)
        .args([
            "--exact",
            "child_drill",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, argv.join("\n"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn child drill")
}

/// Waits for `cond` up to `timeout`.
pub fn wait_for(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// Waits for a child with a time limit (killing it when the limit passes); returns its exit
/// status and everything it printed.
pub fn wait_child(
    child: &mut std::process::Child,
    timeout: Duration,
) -> (std::process::ExitStatus, String) {
    use std::io::Read;
    let mut readers = Vec::new();
    for mut pipe in [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    {
        readers.push(std::thread::spawn(move || {
            let mut s = String::new();
            let _ = pipe.read_to_string(&mut s);
            s
        }));
    }
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            panic!("child drill did not finish within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = readers
        .into_iter()
        .map(|h| h.join().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    (status, output)
}

/// Direct children of `pid` named `name` (from /proc).
pub fn children_named(pid: u32, name: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let comm = &stat[stat.find('(').unwrap() + 1..close];
        let ppid: u32 = stat[close + 2..]
            .split(' ')
            .nth(1)
            .and_then(|x| x.parse().ok())
            .unwrap_or(0);
        if ppid == pid && comm == name {
            out.push(p);
        }
    }
    out
}
