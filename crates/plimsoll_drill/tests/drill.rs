//! Drills against a real PostgreSQL server that each test starts itself (initdb + pg_ctl on a
//! free loopback port in a temporary directory). Without the server programs the tests print
//! `SKIPPED: ...` and pass; `scripts/postgres-setup.sh` installs them.

mod common;

use std::time::Duration;

use common::*;
use plimsoll_drill::evidence::{DrillRecord, Verdict, load_dir};

fn read(path: &std::path::Path) -> DrillRecord {
    DrillRecord::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn check<'a>(r: &'a DrillRecord, name: &str) -> &'a plimsoll_drill::evidence::CheckRecord {
    r.checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check `{name}` in {:#?}", r.checks))
}

#[test]
fn passing_drill_counts_checksums_checks_and_evidence() {
    let Some(tools) = tools() else { return };
    let pg = Pg::start(&tools);
    pg.create_app("app", 20_000);
    let work = tempfile::tempdir().unwrap();
    let counts = work.path().join("counts.json");
    let dump = work.path().join("app.dump");

    // Counts at backup time, in the snapshot of the dump.
    let code = drill(&s(&[
        "--source",
        &pg.url("app"),
        "--passfile",
        pg.passfile.to_str().unwrap(),
        "--record-counts",
        counts.to_str().unwrap(),
        "--dump-to",
        dump.to_str().unwrap(),
        "--critical",
        "orders",
        "--critical",
        "events",
        "--critical",
        "s2.\"Weird.Name\"",
        "--quiet",
    ]));
    assert_eq!(code, 0);
    let c: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&counts).unwrap()).unwrap();
    assert_eq!(c["tables"]["public.orders"]["rows"], 20_000);
    assert!(
        c["tables"]["public.orders"]["checksum"]
            .as_str()
            .unwrap()
            .starts_with("hre:")
    );
    assert!(
        c["tables"]["public.events"]["checksum"]
            .as_str()
            .unwrap()
            .starts_with("hte:"),
        "json has no hash: text fallback"
    );
    assert_eq!(c["tables"]["public.measurements"]["partitioned"], true);

    let evidence_dir = work.path().join("evidence");
    std::fs::create_dir(&evidence_dir).unwrap();
    let code = drill(&s(&[
        "--backup",
        dump.to_str().unwrap(),
        "--target",
        &pg.url("postgres"),
        "--passfile",
        pg.passfile.to_str().unwrap(),
        "--counts",
        counts.to_str().unwrap(),
        "--critical",
        "orders",
        "--critical",
        "events",
        "--critical",
        "s2.\"Weird.Name\"",
        "--check",
        "select count(*) = 20000 from orders",
        "--check",
        "select sum(amount) > 0 from orders",
        "--evidence",
        evidence_dir.to_str().unwrap(),
        "--service",
        "orders-db",
        "--rto",
        "10m",
        "--rpo",
        "1h",
    ]));
    assert_eq!(code, 0);
    let loaded = load_dir(&evidence_dir);
    assert_eq!(loaded.len(), 1);
    let r = loaded[0].1.as_ref().unwrap();
    assert_eq!(r.verdict, Verdict::Pass, "{:#?}", r.failures);
    assert_eq!(r.schema, "plimsoll/drill/v1");
    assert_eq!(r.service.as_deref(), Some("orders-db"));
    assert_eq!(r.backup.format, "custom");
    assert!(r.backup.identity.as_deref().unwrap().starts_with("sha256:"));
    assert!(r.backup.age_seconds.unwrap() < 600.0);
    assert_eq!(r.target.kind, "scratch-database");
    assert!(
        r.target
            .database
            .as_deref()
            .unwrap()
            .starts_with("plimsoll_drill_")
    );
    assert!(r.target.cleaned_up);
    assert_eq!(
        check(r, "rows public.orders").actual.as_deref(),
        Some("20000")
    );
    assert!(check(r, "checksum public.orders").ok);
    assert!(check(r, "checksum public.events").ok);
    assert!(check(r, "checksum s2.\"Weird.Name\"").ok);
    assert!(check(r, "select count(*) = 20000 from orders").ok);
    assert!(r.checks.iter().all(|c| c.ok));
    assert!(
        r.checks
            .iter()
            .any(|c| c.kind == "tables" && c.name == "tables in the archive")
    );
    assert_eq!(r.targets.rto_met, Some(true));
    assert_eq!(r.targets.rpo_met, Some(true));
    let m = &r.measurements;
    assert!(m.restore_seconds.unwrap() > 0.0 && m.verify_seconds.unwrap() > 0.0);
    assert!(m.bytes_restored.unwrap() > 1_000_000);
    assert!(m.throughput_bytes_per_second.unwrap() > 0.0);
    assert_eq!(m.tables, Some(8));
    for step in ["inspect", "target", "restore", "verify", "cleanup"] {
        assert!(
            r.steps.iter().any(|s| s.name == step && s.ok),
            "step {step}: {:#?}",
            r.steps
        );
    }
    // No password anywhere in the evidence.
    let pw = pg.server.spec().password().unwrap().expose().to_string();
    assert!(!std::fs::read_to_string(&loaded[0].0).unwrap().contains(&pw));
    assert!(
        pg.scratch_databases().is_empty(),
        "scratch database left behind"
    );

    // The same backup, declared (readiness.yaml) to be taken long ago: the RPO is missed.
    let readiness = work.path().join("readiness.yaml");
    std::fs::write(
        &readiness,
        "services:\n  orders-db:\n    rto: 1h\n    rpo: 15m\n",
    )
    .unwrap();
    let ev = work.path().join("old.json");
    let code = drill(&s(&[
        "--backup",
        dump.to_str().unwrap(),
        "--target",
        &pg.url("postgres"),
        "--passfile",
        pg.passfile.to_str().unwrap(),
        "--counts",
        counts.to_str().unwrap(),
        "--readiness",
        readiness.to_str().unwrap(),
        "--service",
        "orders-db",
        "--backup-created-at",
        "2026-01-01T00:00:00Z",
        "--evidence",
        ev.to_str().unwrap(),
        "--quiet",
    ]));
    assert_eq!(code, 1);
    let r = read(&ev);
    assert_eq!(r.verdict, Verdict::Fail);
    assert_eq!(r.targets.rpo_seconds, Some(900.0));
    assert_eq!(r.targets.rpo_met, Some(false));
    assert_eq!(r.targets.rto_met, Some(true));
    assert!(
        r.targets
            .declared_in
            .as_deref()
            .unwrap()
            .starts_with("readiness.yaml")
    );
    assert!(
        r.failures.iter().any(|f| f.starts_with("RPO missed")),
        "{:#?}",
        r.failures
    );
    assert!(r.checks.iter().all(|c| c.ok), "the data itself is fine");
}

#[test]
fn tls_connections_and_sweep_of_leftovers() {
    let Some(tools) = tools() else { return };
    let pg = Pg::start(&tools);
    pg.create_app("app", 1_000);
    let work = tempfile::tempdir().unwrap();
    let pass = pg.passfile.to_str().unwrap().to_string();

    // A self-signed server certificate for 127.0.0.1.
    let data = &pg.server.data_dir;
    let (crt, key) = (data.join("server.crt"), data.join("server.key"));
    let Ok(out) = openssl_self_signed("127.0.0.1", &key, &crt) else {
        eprintln!("SKIPPED: no openssl command for the TLS test");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if let Ok(Some(u)) = plimsoll_drill::tools::RunAs::for_server() {
        u.chown(&crt).unwrap();
        u.chown(&key).unwrap();
    }
    pg.sql("postgres", "alter system set ssl = on");
    pg.sql("postgres", "select pg_reload_conf()");
    std::thread::sleep(Duration::from_millis(500));
    let rootcert = work.path().join("root.crt");
    std::fs::copy(&crt, &rootcert).unwrap();
    let dump = work.path().join("app.dump");
    pg.dump("app", "c", &dump);
    let ev = work.path().join("tls.json");
    let target = format!(
        "{}?sslmode=verify-full&sslrootcert={}",
        pg.url("postgres"),
        rootcert.display()
    );
    let code = drill(&s(&[
        "--backup",
        dump.to_str().unwrap(),
        "--target",
        &target,
        "--passfile",
        &pass,
        "--check",
        "select ssl from pg_stat_ssl where pid = pg_backend_pid()",
        "--evidence",
        ev.to_str().unwrap(),
        "--quiet",
    ]));
    let r = read(&ev);
    assert_eq!(code, 0, "{:#?}", r.failures);
    assert!(
        r.checks
            .iter()
            .any(|c| c.kind == "sql" && c.ok && c.actual.as_deref() == Some("t"))
    );

    // A server certificate that does not chain to the given root is refused.
    let other = work.path().join("other.crt");
    let out = openssl_self_signed("other", &work.path().join("other.key"), &other).unwrap();
    assert!(out.status.success());
    let target = format!(
        "{}?sslmode=verify-ca&sslrootcert={}",
        pg.url("postgres"),
        other.display()
    );
    let code = drill(&s(&[
        "--backup",
        dump.to_str().unwrap(),
        "--target",
        &target,
        "--passfile",
        &pass,
        "--evidence",
        ev.to_str().unwrap(),
        "--quiet",
    ]));
    assert_eq!(code, 2);
    let r = read(&ev);
    assert!(
        r.failures
            .iter()
            .any(|f| f.starts_with("target: could not connect")),
        "{:#?}",
        r.failures
    );

    // --sweep drops what a SIGKILLed drill left behind, and nothing else.
    pg.sql(
        "postgres",
        "create database plimsoll_drill_20260101t000000_dead00",
    );
    pg.sql(
        "postgres",
        "comment on database plimsoll_drill_20260101t000000_dead00 is \
         'plimsoll drill 20260101t000000-dead00 (pid 1, host h, created 2026-01-01T00:00:00Z)'",
    );
    pg.sql("postgres", "create database plimsoll_drill_not_ours");
    let code = drill(&s(&[
        "--sweep",
        "--target",
        &pg.url("postgres"),
        "--passfile",
        &pass,
    ]));
    assert_eq!(code, 0);
    assert_eq!(
        pg.scratch_databases(),
        vec!["plimsoll_drill_not_ours".to_string()]
    );
}

fn openssl_self_signed(
    cn: &str,
    key: &std::path::Path,
    crt: &std::path::Path,
) -> std::io::Result<std::process::Output> {
    std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        ])
        .arg(format!("/CN={cn}"))
        .arg("-addext")
        .arg(format!("subjectAltName=IP:{cn}").replace("IP:other", "DNS:other"))
        .arg("-keyout")
        .arg(key)
        .arg("-out")
        .arg(crt)
        .output()
}

#[test]
fn live_source_fresh_dump_scratch_server_and_same_server_refusal() {
    let Some(tools) = tools() else { return };
    let pg = Pg::start(&tools);
    pg.create_app("app", 5_000);
    let work = tempfile::tempdir().unwrap();
    let pass = pg.passfile.to_str().unwrap().to_string();

    // The source's own server is refused as a target...
    let ev = work.path().join("refused.json");
    let code = drill(&s(&[
        "--source",
        &pg.url("app"),
        "--passfile",
        &pass,
        "--target",
        &pg.url("postgres"),
        "--evidence",
        ev.to_str().unwrap(),
        "--quiet",
    ]));
    assert_eq!(code, 2);
    let r = read(&ev);
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(
        r.failures
            .iter()
            .any(|f| f.contains("refusing to restore onto the source's server")),
        "{:#?}",
        r.failures
    );
    // ...and the source database itself is a usage error.
    assert_eq!(
        drill(&s(&[
            "--source",
            &pg.url("app"),
            "--passfile",
            &pass,
            "--target",
            &pg.url("app"),
            "--quiet"
        ])),
        2
    );

    // A fresh dump (no --backup), counted in the dump's snapshot, restored on a throwaway
    // server, checksums compared with the source.
    let ev = work.path().join("fresh.json");
    let code = drill(&s(&[
        "--source",
        &pg.url("app"),
        "--passfile",
        &pass,
        "--scratch-server",
        "--scratch-unsafe-fast",
        "--critical",
        "customers",
        "--evidence",
        ev.to_str().unwrap(),
        "--quiet",
    ]));
    let r = read(&ev);
    assert_eq!(code, 0, "{:#?}", r.failures);
    assert_eq!(r.backup.format, "fresh-dump");
    assert_eq!(r.target.kind, "scratch-server");
    assert!(r.target.cleaned_up);
    assert!(check(&r, "checksum public.customers").ok);
    assert!(r.steps.iter().any(|s| s.name == "dump" && s.ok));

    // An existing backup compared with the live source (counted while the restore runs).
    let dump = work.path().join("app.dir");
    pg.dump("app", "d", &dump);
    let ev = work.path().join("live.json");
    let code = drill(&s(&[
        "--backup",
        dump.to_str().unwrap(),
        "--source",
        &pg.url("app"),
        "--passfile",
        &pass,
        "--scratch-server",
        "--scratch-unsafe-fast",
        "--critical",
        "orders",
        "--evidence",
        ev.to_str().unwrap(),
        "--quiet",
    ]));
    let r = read(&ev);
    assert_eq!(code, 0, "{:#?}", r.failures);
    assert_eq!(r.backup.format, "directory");
    assert!(
        r.backup
            .identity
            .as_deref()
            .unwrap()
            .starts_with("toc-sha256:")
    );
    assert!(check(&r, "rows public.orders").ok);
    assert!(check(&r, "checksum public.orders").ok);
    assert!(pg.scratch_databases().is_empty());
}

#[test]
fn corrupted_archive_fails_with_a_clear_message() {
    let Some(tools) = tools() else { return };
    let pg = Pg::start(&tools);
    pg.create_app("app", 20_000);
    let work = tempfile::tempdir().unwrap();
    let pass = pg.passfile.to_str().unwrap().to_string();
    let dump = work.path().join("app.dump");
    pg.dump("app", "c", &dump);
    let mut bytes = std::fs::read(&dump).unwrap();

    // Damage inside the compressed table data.
    let mut damaged = bytes.clone();
    let mid = damaged.len() / 2;
    for b in &mut damaged[mid..mid + 256] {
        *b ^= 0x5a;
    }
    let bad = work.path().join("damaged.dump");
    std::fs::write(&bad, &damaged).unwrap();
    let ev = work.path().join("damaged.json");
    let code = drill(&s(&[
        "--backup",
        bad.to_str().unwrap(),
        "--target",
        &pg.url("postgres"),
        "--passfile",
        &pass,
        "--evidence",
        ev.to_str().unwrap(),
        "--quiet",
    ]));
    assert_eq!(code, 1);
    let r = read(&ev);
    assert_eq!(r.verdict, Verdict::Fail);
    let restore = r
        .steps
        .iter()
        .find(|s| s.name == "restore")
        .expect("restore step");
    assert!(!restore.ok);
    assert!(
        restore.detail.contains("pg_restore exited with status 1"),
        "{}",
        restore.detail
    );
    assert!(restore.detail.contains("error"), "{}", restore.detail);
    assert!(
        r.failures
            .iter()
            .any(|f| f.starts_with("restore: pg_restore exited")),
        "{:#?}",
        r.failures
    );
    assert!(r.target.cleaned_up);
    assert!(
        r.backup.identity.as_deref().unwrap().starts_with("sha256:"),
        "the damaged archive's identity is evidence too"
    );

    // A damaged header is caught before anything is created.
    bytes[0..5].copy_from_slice(b"XXXXX");
    std::fs::write(&bad, &bytes).unwrap();
    let code = drill(&s(&[
        "--backup",
        bad.to_str().unwrap(),
        "--target",
        &pg.url("postgres"),
        "--passfile",
        &pass,
        "--evidence",
        ev.to_str().unwrap(),
        "--quiet",
    ]));
    assert_eq!(code, 1);
    let r = read(&ev);
    assert!(
        r.failures[0].contains("not a PostgreSQL backup"),
        "{:#?}",
        r.failures
    );
    assert!(r.target.database.is_none());

    // A truncated archive (a copy cut short).
    let cut = work.path().join("cut.dump");
    std::fs::write(&cut, &std::fs::read(&dump).unwrap()[..4096]).unwrap();
    let code = drill(&s(&[
        "--backup",
        cut.to_str().unwrap(),
        "--target",
        &pg.url("postgres"),
        "--passfile",
        &pass,
        "--evidence",
        ev.to_str().unwrap(),
        "--quiet",
    ]));
    assert_eq!(code, 1);
    let r = read(&ev);
    assert!(
        r.failures.iter().any(|f| f.contains("pg_restore")),
        "{:#?}",
        r.failures
    );
    assert!(pg.scratch_databases().is_empty());
}

#[test]
fn table_truncated_after_counts_fails_the_count_check() {
    let Some(tools) = tools() else { return };
    let pg = Pg::start(&tools);
    pg.create_app("app", 3_000);
    let work = tempfile::tempdir().unwrap();
    let pass = pg.passfile.to_str().unwrap().to_string();
    let counts = work.path().join("counts.json");
    assert_eq!(
        drill(&s(&[
            "--source",
            &pg.url("app"),
            "--passfile",
            &pass,
            "--record-counts",
            counts.to_str().unwrap(),
            "--quiet"
        ])),
        0
    );

    // Someone truncates a table between the counts and the backup.
    pg.sql("app", "truncate orders");
    let dump = work.path().join("app.dump");
    pg.dump("app", "c", &dump);

    let ev = work.path().join("ev.json");
    let code = drill(&s(&[
        "--backup",
        dump.to_str().unwrap(),
        "--target",
        &pg.url("postgres"),
        "--passfile",
        &pass,
        "--counts",
        counts.to_str().unwrap(),
        "--evidence",
        ev.to_str().unwrap(),
        "--quiet",
    ]));
    assert_eq!(code, 1);
    let r = read(&ev);
    assert_eq!(r.verdict, Verdict::Fail);
    let c = check(&r, "rows public.orders");
    assert!(!c.ok);
    assert_eq!(c.expected.as_deref(), Some("3000"));
    assert_eq!(c.actual.as_deref(), Some("0"));
    assert!(check(&r, "rows public.customers").ok);
    assert!(
        r.failures
            .iter()
            .any(|f| f.contains("row counts differ") && f.contains("public.orders 0 != 3000")),
        "{:#?}",
        r.failures
    );
    assert!(pg.scratch_databases().is_empty());
}

/// A dump whose restore takes ~10 s: a CHECK constraint that sleeps 2 ms per row (fast
/// while loading here, thanks to a session setting the restore does not have).
fn slow_dump(pg: &Pg, path: &std::path::Path) {
    pg.sql("postgres", "create database slow");
    pg.sql(
        "slow",
        "create function slow_ok(int) returns boolean language plpgsql immutable as $$
         begin
           if current_setting('plimsoll.fast', true) = 'on' then return true; end if;
           perform pg_sleep(0.002);
           return true;
         end $$;
         set plimsoll.fast = on;
         create table slow (id int check (public.slow_ok(id)));
         insert into slow select generate_series(1, 5000);
         create table other (id int);
         insert into other select generate_series(1, 1000);",
    );
    pg.dump("slow", "c", path);
}

/// Helper, not a test: runs one drill in a child process (for the signal tests), with the
/// arguments from the environment, and exits with its code.
#[test]
#[ignore = "helper for the signal tests (runs only in a child process)"]
fn child_drill() {
    let Ok(argv) = std::env::var(CHILD_ENV) else {
        return;
    };
    let argv: Vec<String> = argv.split('\n').map(str::to_string).collect();
    let code = plimsoll_drill::cli::run(&args(&argv));
    std::process::exit(code);
}

fn copy_is_running(pg: &Pg) -> bool {
    pg.scalar_i64(
        "postgres",
        "select count(*) from pg_stat_activity where datname like 'plimsoll\\_drill\\_%' and query ilike 'copy%'",
    ) > 0
}

#[test]
fn interrupted_drill_leaves_no_scratch_database() {
    let Some(tools) = tools() else { return };
    let pg = Pg::start(&tools);
    let work = tempfile::tempdir().unwrap();
    let dump = work.path().join("slow.dump");
    slow_dump(&pg, &dump);
    let ev = work.path().join("ev.json");
    let mut child = spawn_child_drill(&s(&[
        "--backup",
        dump.to_str().unwrap(),
        "--target",
        &pg.url("postgres"),
        "--passfile",
        pg.passfile.to_str().unwrap(),
        "--evidence",
        ev.to_str().unwrap(),
    ]));
    assert!(
        wait_for(Duration::from_secs(60), || copy_is_running(&pg)),
        "the restore never started"
    );
    assert_eq!(pg.scratch_databases().len(), 1);
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let (st, output) = wait_child(&mut child, Duration::from_secs(60));
    assert_eq!(st.code(), Some(130), "exit status {st:?}\n{output}");
    assert!(
        pg.scratch_databases().is_empty(),
        "scratch database left behind: {:?}",
        pg.scratch_databases()
    );
    let r = read(&ev);
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(
        r.failures.iter().any(|f| f.contains("interrupted")),
        "{:#?}",
        r.failures
    );
    let restore = r.steps.iter().find(|s| s.name == "restore").unwrap();
    assert!(restore.detail.contains("interrupted"), "{}", restore.detail);
    assert!(r.target.cleaned_up);
    assert!(children_named(child.id(), "pg_restore").is_empty());
    // No session of the drill survives on the server.
    assert_eq!(pg.scalar_i64("postgres", "select count(*) from pg_stat_activity where application_name = 'plimsoll-drill' and pid <> pg_backend_pid()"), 0);
}

#[test]
fn killed_pg_restore_is_reported_and_cleaned_up() {
    let Some(tools) = tools() else { return };
    let pg = Pg::start(&tools);
    let work = tempfile::tempdir().unwrap();
    let dump = work.path().join("slow.dump");
    slow_dump(&pg, &dump);
    let ev = work.path().join("ev.json");
    let mut child = spawn_child_drill(&s(&[
        "--backup",
        dump.to_str().unwrap(),
        "--target",
        &pg.url("postgres"),
        "--passfile",
        pg.passfile.to_str().unwrap(),
        "--evidence",
        ev.to_str().unwrap(),
        "--jobs",
        "2",
    ]));
    assert!(
        wait_for(Duration::from_secs(60), || copy_is_running(&pg)),
        "the restore never started"
    );
    let leaders = children_named(child.id(), "pg_restore");
    assert_eq!(leaders.len(), 1, "pg_restore leader");
    let status = std::process::Command::new("kill")
        .args(["-KILL", &leaders[0].to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let (st, output) = wait_child(&mut child, Duration::from_secs(60));
    assert_eq!(st.code(), Some(1), "exit status {st:?}\n{output}");
    let r = read(&ev);
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(
        r.failures
            .iter()
            .any(|f| f.contains("pg_restore was killed by signal 9 (SIGKILL)")),
        "{:#?}",
        r.failures
    );
    assert!(r.target.cleaned_up);
    assert!(
        pg.scratch_databases().is_empty(),
        "scratch database left behind"
    );
}

#[test]
fn physical_base_backup_drill_passes() {
    let Some(tools) = tools() else { return };
    let pg = Pg::start(&tools);
    pg.create_app("app", 10_000);
    pg.sql("app", "create unlogged table scratchpad (id int); insert into scratchpad select generate_series(1, 10);");
    let work = tempfile::tempdir().unwrap();
    let pass = pg.passfile.to_str().unwrap().to_string();
    let counts = work.path().join("counts.json");
    assert_eq!(
        drill(&s(&[
            "--source",
            &pg.url("app"),
            "--passfile",
            &pass,
            "--record-counts",
            counts.to_str().unwrap(),
            "--critical",
            "orders",
            "--quiet"
        ])),
        0
    );
    let base = work.path().join("base");
    pg.tool(
        "pg_basebackup",
        &[
            "-D",
            base.to_str().unwrap(),
            "-X",
            "stream",
            "-c",
            "fast",
            "--dbname",
            &pg.conninfo("postgres"),
        ],
    );
    // Writes after the backup must not show up in the restored copy.
    pg.sql(
        "app",
        "insert into orders select g, 1, 1, 'late' from generate_series(100001, 100100) g",
    );

    let ev = work.path().join("ev.json");
    let code = drill(&s(&[
        "--backup",
        base.to_str().unwrap(),
        "--counts",
        counts.to_str().unwrap(),
        "--critical",
        "orders",
        "--check",
        "select count(*) = 10000 from orders",
        "--scratch-unsafe-fast",
        "--evidence",
        ev.to_str().unwrap(),
        "--rpo",
        "1h",
        "--quiet",
    ]));
    let r = read(&ev);
    assert_eq!(code, 0, "{:#?}\n{:#?}", r.failures, r.steps);
    assert_eq!(r.mode, "physical");
    assert_eq!(r.backup.format, "base-backup");
    assert!(
        r.backup
            .identity
            .as_deref()
            .unwrap()
            .starts_with("manifest-sha256:")
    );
    assert!(
        r.backup
            .created_at_source
            .as_deref()
            .unwrap()
            .contains("backup_label")
    );
    assert_eq!(r.target.kind, "scratch-server-from-base-backup");
    assert!(r.steps.iter().any(|s| s.name == "verify-backup" && s.ok));
    assert!(check(&r, "rows public.orders").ok);
    assert!(check(&r, "checksum public.orders").ok);
    assert!(
        check(&r, "rows public.scratchpad")
            .actual
            .as_deref()
            .unwrap()
            .contains("unlogged")
    );
    assert!(r.target.cleaned_up);

    // A damaged base backup fails pg_verifybackup.
    let victim = std::fs::read_dir(base.join("base"))
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let file = std::fs::read_dir(&victim)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.metadata().unwrap().len() > 8192)
        .unwrap();
    let mut b = std::fs::read(&file).unwrap();
    b[100] ^= 0xff;
    std::fs::write(&file, b).unwrap();
    let code = drill(&s(&[
        "--backup",
        base.to_str().unwrap(),
        "--counts",
        counts.to_str().unwrap(),
        "--evidence",
        ev.to_str().unwrap(),
        "--quiet",
    ]));
    assert_eq!(code, 1);
    let r = read(&ev);
    assert!(
        r.failures
            .iter()
            .any(|f| f.starts_with("pg_verifybackup:") && f.contains("checksum mismatch")),
        "{:#?}",
        r.failures
    );
}
