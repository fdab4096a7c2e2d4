//! Compose files and systemd units through the CLI: a proof-of-concept Compose app and a
//! hardened one, a root systemd service with a password in `Environment=` and a sandboxed one.
//! Each is scanned with `plimsoll scan DIR`, and the findings, the stage and the JSON `units`
//! exposure are what a reviewer would expect; no output ever contains a password.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const POC_PASSWORD: &str = "SuperSecret-PoC-1234";
const UNIT_PASSWORD: &str = "Hunter2-Billing-Prod";

const POC_COMPOSE: &str = r#"services:
  web:
    build: .
    privileged: true
    ports:
      - "3000:3000"
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
    environment:
      DB_PASSWORD: SuperSecret-PoC-1234
      NODE_ENV: development
    depends_on: [db]
  db:
    image: postgres
    ports:
      - "0.0.0.0:5432:5432"
    environment:
      - POSTGRES_PASSWORD=SuperSecret-PoC-1234
"#;

const POC_DOCKERFILE: &str = "FROM node\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD npm start\n";

const HARDENED_COMPOSE: &str = r#"x-hardening: &hardening
  read_only: true
  cap_drop: [ALL]
  security_opt: ["no-new-privileges:true"]
  restart: unless-stopped
  logging:
    driver: json-file
    options: {max-size: 10m, max-file: "3"}

services:
  web:
    <<: *hardening
    image: ghcr.io/acme/web:2.3.1@sha256:4b1f3c2d5e6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7a8b9c0d1e2f3a4
    user: "10001:10001"
    ports:
      - "127.0.0.1:3000:3000"
    environment:
      DB_PASSWORD_FILE: /run/secrets/db_password
      NODE_ENV: production
    secrets: [db_password]
    healthcheck:
      test: ["CMD", "node", "healthcheck.js"]
      interval: 10s
      retries: 3
    deploy:
      resources:
        limits: {cpus: "1", memory: 512M, pids: 256}
    depends_on:
      db: {condition: service_healthy}
  db:
    <<: *hardening
    image: postgres:16.3
    user: "999:999"
    tmpfs: [/tmp, /var/run/postgresql]
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    secrets: [db_password]
    volumes:
      - db-data:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "postgres"]
      interval: 10s
    deploy:
      resources:
        limits: {cpus: "2", memory: 1G, pids: 512}

volumes:
  db-data:

secrets:
  db_password:
    file: ./db_password.txt
"#;

const ROOT_UNIT: &str = r#"[Unit]
Description=Legacy billing daemon
After=network.target

[Service]
ExecStart=/opt/billing/bin/billingd --config /etc/billing.conf
Environment=DB_HOST=db.internal "DB_PASSWORD=Hunter2-Billing-Prod"

[Install]
WantedBy=multi-user.target
"#;

const SANDBOXED_UNIT: &str = r#"[Unit]
Description=Billing API
Wants=network-online.target
After=network-online.target

[Service]
Type=notify
ExecStart=/opt/billing/bin/billing-api --listen 127.0.0.1:8080
DynamicUser=yes
LoadCredential=db-password:/etc/billing/db-password
Environment=DB_PASSWORD_FILE=%d/db-password
Restart=on-failure
WatchdogSec=30s
TimeoutStopSec=30s
MemoryMax=512M
CPUQuota=100%
TasksMax=256
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
ProcSubset=pid
CapabilityBoundingSet=
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
RestrictNamespaces=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
UMask=0077

[Install]
WantedBy=multi-user.target
"#;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn scan(dir: &Path, format: &str) -> (String, i32) {
    let out = Command::cargo_bin("plimsoll")
        .unwrap()
        .arg("scan")
        .arg(dir)
        .args(["--format", format])
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (text, out.status.code().unwrap())
}

fn scan_json(dir: &Path) -> (Value, i32) {
    let out = Command::cargo_bin("plimsoll")
        .unwrap()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (v, out.status.code().unwrap())
}

/// `(rule, object name, file name, line)` of every finding in a file (findings about the scan
/// as a whole, such as missing readiness declarations, are not about these files).
fn findings(v: &Value) -> Vec<(String, String, String, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"].is_string())
        .map(|f| {
            let file = f["file"].as_str().unwrap_or("");
            (
                f["rule"].as_str().unwrap().to_string(),
                f["object"]["name"].as_str().unwrap_or("").to_string(),
                Path::new(file)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn has(
    found: &[(String, String, String, u64)],
    rule: &str,
    object: &str,
    file: &str,
    line: u64,
) -> bool {
    found
        .iter()
        .any(|(r, o, f, l)| r == rule && o == object && f == file && *l == line)
}

fn rules_on(found: &[(String, String, String, u64)], object: &str) -> Vec<String> {
    let mut v: Vec<String> = found
        .iter()
        .filter(|(_, o, _, _)| o == object)
        .map(|(r, _, _, _)| r.clone())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// What `systemd-analyze security --offline=true` says of a unit, when it is installed.
fn systemd_analyze(unit: &Path) -> Option<f64> {
    let out = std::process::Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager"])
        .arg(unit)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("Overall exposure level"))?;
    line.split(": ")
        .nth(1)?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// No output format shows the password.
fn assert_never_printed(dir: &Path, password: &str) {
    for format in ["human", "json", "sarif", "markdown", "github", "junit"] {
        let (text, _) = scan(dir, format);
        assert!(
            !text.contains(password),
            "the password is printed in the {format} output"
        );
        assert!(!text.is_empty(), "{format} output is empty");
    }
}

#[test]
fn proof_of_concept_compose_app_is_a_poc() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("compose.yaml", POC_COMPOSE),
            ("Dockerfile", POC_DOCKERFILE),
        ],
    );
    let (v, code) = scan_json(d.path());
    assert_eq!(code, 1, "critical findings fail the gate");
    assert_eq!(v["summary"]["stage"], "poc");
    let f = findings(&v);
    let c = "compose.yaml";
    // what makes it a PoC: each points at its own line
    assert!(has(&f, "WKL-001", "web", c, 4), "privileged: {f:?}");
    assert!(has(&f, "WKL-015", "web", c, 8), "docker socket: {f:?}");
    assert!(
        has(&f, "SCR-001", "web", c, 10),
        "literal password (map): {f:?}"
    );
    assert!(
        has(&f, "SCR-001", "db", c, 18),
        "literal password (list): {f:?}"
    );
    assert!(has(&f, "CMP-001", "web", c, 6), "port on 0.0.0.0: {f:?}");
    assert!(has(&f, "CMP-001", "db", c, 16), "explicit 0.0.0.0: {f:?}");
    assert!(has(&f, "OBS-001", "web", c, 2), "no healthcheck: {f:?}");
    assert!(has(&f, "OBS-001", "db", c, 13), "no healthcheck: {f:?}");
    assert!(has(&f, "IMG-001", "db", c, 14), "untagged postgres: {f:?}");
    assert!(
        has(&f, "CMP-006", "db", c, 14),
        "database without a volume: {f:?}"
    );
    for rule in ["CMP-002", "RES-003", "WKL-003", "WKL-007", "CMP-005"] {
        assert!(
            rules_on(&f, "web").iter().any(|r| r == rule),
            "{rule} on web: {f:?}"
        );
        assert!(
            rules_on(&f, "db").iter().any(|r| r == rule),
            "{rule} on db: {f:?}"
        );
    }
    // the `node` base image without a tag is the Dockerfile's
    assert!(
        f.iter()
            .any(|(r, _, file, l)| r.starts_with("DKR-") && file == "Dockerfile" && *l == 1),
        "the untagged `FROM node` is reported in the Dockerfile: {f:?}"
    );
    // the one model: each finding names its platform's object
    for x in v["findings"].as_array().unwrap() {
        if x["file"]
            .as_str()
            .is_some_and(|p| p.ends_with("compose.yaml"))
        {
            assert_eq!(x["object"]["kind"], "ComposeService", "{x}");
            assert_eq!(x["object"]["apiVersion"], "compose", "{x}");
        }
    }
    assert!(v["units"].as_array().unwrap().is_empty());
    assert_never_printed(d.path(), POC_PASSWORD);
}

#[test]
fn hardened_compose_app_has_nothing_above_low() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), &[("compose.yaml", HARDENED_COMPOSE)]);
    let (v, code) = scan_json(d.path());
    let f = findings(&v);
    assert!(f.is_empty(), "the hardened app has findings: {f:?}");
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["counts"]["critical"], 0);
    assert_eq!(v["summary"]["counts"]["high"], 0);
    // no evidence of GitOps or backups in a Compose file: the best it can be is `platform`
    assert_eq!(v["summary"]["stage"], "platform");
}

#[test]
fn root_unit_with_a_password_is_a_poc() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), &[("billing.service", ROOT_UNIT)]);
    let (v, code) = scan_json(d.path());
    assert_eq!(code, 1);
    assert_eq!(v["summary"]["stage"], "poc");
    let f = findings(&v);
    let u = "billing.service";
    assert!(
        has(&f, "SCR-001", u, u, 7),
        "password in Environment=: {f:?}"
    );
    assert!(has(&f, "SYD-005", u, u, 3), "network.target only: {f:?}");
    // what is missing points at the [Service] header
    for rule in [
        "WKL-003", "WKL-002", "WKL-007", "RES-003", "SYD-001", "SYD-002", "SYD-003", "SYD-004",
        "SYD-006", "SYD-007",
    ] {
        assert!(has(&f, rule, u, u, 5), "{rule}: {f:?}");
    }
    // systemd-analyze security --offline=true says 9.6 for this unit
    let units = v["units"].as_array().unwrap();
    assert_eq!(units.len(), 1);
    assert_eq!(units[0]["name"], u);
    assert_eq!(units[0]["exposure"].as_f64(), Some(9.6));
    if let Some(real) = systemd_analyze(&d.path().join(u)) {
        assert_eq!(units[0]["exposure"].as_f64(), Some(real));
    }
    for x in v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["file"].is_string())
    {
        assert_eq!(x["object"]["kind"], "SystemdUnit");
        assert_eq!(x["object"]["exposure"].as_f64(), Some(9.6), "{x}");
    }
    let exposure = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == "SYD-001")
        .unwrap();
    let msg = exposure["message"].as_str().unwrap();
    assert!(
        msg.contains("9.6 (UNSAFE)") && msg.contains("`PrivateNetwork=` (0.5)"),
        "{msg}"
    );
    assert_never_printed(d.path(), UNIT_PASSWORD);
}

#[test]
fn sandboxed_unit_has_no_findings_and_a_low_exposure() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), &[("billing-api.service", SANDBOXED_UNIT)]);
    let (v, code) = scan_json(d.path());
    let f = findings(&v);
    assert!(f.is_empty(), "the sandboxed unit has findings: {f:?}");
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["counts"]["critical"], 0);
    assert_eq!(v["summary"]["counts"]["high"], 0);
    assert_eq!(v["summary"]["stage"], "platform");
    let units = v["units"].as_array().unwrap();
    assert_eq!(
        units[0]["exposure"].as_f64(),
        Some(1.4),
        "systemd-analyze says 1.4"
    );
    if let Some(real) = systemd_analyze(&d.path().join("billing-api.service")) {
        assert_eq!(units[0]["exposure"].as_f64(), Some(real));
    }
}

#[test]
fn dropins_next_to_a_unit_are_merged() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("billing.service", ROOT_UNIT),
            (
                "billing.service.d/10-user.conf",
                "[Service]\nUser=billing\nNoNewPrivileges=yes\n",
            ),
        ],
    );
    let (v, _) = scan_json(d.path());
    let f = findings(&v);
    let rules = rules_on(&f, "billing.service");
    assert!(
        !rules.iter().any(|r| r == "WKL-003"),
        "User= comes from the drop-in: {f:?}"
    );
    assert!(
        !rules.iter().any(|r| r == "WKL-002"),
        "NoNewPrivileges= too: {f:?}"
    );
    assert!(rules.iter().any(|r| r == "SCR-001"));
    // the drop-in is read, not scanned as a file of its own
    assert_eq!(v["summary"]["files"], 1);
    let exposure = v["units"][0]["exposure"].as_f64().unwrap();
    assert!(
        exposure < 9.6,
        "the drop-in lowers the exposure: {exposure}"
    );
}

#[test]
fn compose_extends_another_file_and_says_when_it_cannot() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            (
                "common.yaml",
                "services:\n  base:\n    image: redis:7.2\n    privileged: true\n",
            ),
            (
                "compose.yaml",
                "services:\n  cache:\n    extends:\n      file: common.yaml\n      service: base\n  other:\n    extends:\n      file: missing.yaml\n      service: base\n",
            ),
        ],
    );
    let (v, _) = scan_json(d.path());
    let f = findings(&v);
    // privileged comes from common.yaml, reported at the `extends:` key of compose.yaml
    assert!(has(&f, "WKL-001", "cache", "compose.yaml", 3), "{f:?}");
    let errors = v["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["message"].as_str().unwrap().contains("missing.yaml") && e["line"] == 7),
        "the missing extends file is said: {errors:?}"
    );
}
