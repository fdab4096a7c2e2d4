//! Readiness declarations (`readiness.yaml`) end to end: discovery, the checks, strict parsing,
//! the reports, and the JSON schema editors use.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use plimsoll_yaml::{Limits, Node, Scalar, SourceFile, parse};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn plimsoll(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("plimsoll").unwrap();
    c.current_dir(dir);
    c
}

const STATEFULSET: &str = "\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  template:
    spec:
      containers:
        - {name: postgres, image: postgres:16.2}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 20Gi}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - {name: web, image: ghcr.io/acme/web:1.4.2}
";

const HOURLY_BACKUP: &str = "\
apiVersion: velero.io/v1
kind: Schedule
metadata: {name: shop-hourly, namespace: velero}
spec:
  schedule: \"0 * * * *\"
  template:
    includedNamespaces: [shop]
    ttl: 720h0m0s
";

const FULL: &str = "\
platformTeam: {team: platform, contact: '#platform'}
owners:
  image: {team: platform, contact: '#platform'}
  workload: {team: platform, contact: '#platform'}
  storage: {team: platform, contact: '#platform'}
  network: {team: network, contact: netops@acme.example}
  observability: {team: sre, contact: '#sre'}
  resilience: {team: sre, contact: '#sre'}
  access: {team: security, contact: security@acme.example}
  secrets: {team: security, contact: security@acme.example}
  change: {team: platform, contact: '#platform'}
  recovery: {team: dba, contact: dba@acme.example}
onCall: {rotation: shop-primary, tool: PagerDuty, escalation: shop-escalation}
services:
  db:
    runbook: docs/runbooks/db.md
    rto: 1h
    rpo: RPO
    restoreTest: {cadence: 7d}
    workloads: [StatefulSet/shop/db]
  web:
    runbook: https://runbooks.acme.example/web
    rto: 15m
restoreTests: {cadence: 30d}
";

/// A repository (it has `.git`) with manifests under `deploy/`, a runbook, and
/// `readiness.yaml` at the root declaring `rpo` for the database.
fn repo(rpo: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join(".git")).unwrap();
    std::fs::create_dir_all(p.join("deploy")).unwrap();
    std::fs::create_dir_all(p.join("docs/runbooks")).unwrap();
    std::fs::write(p.join("deploy/app.yaml"), STATEFULSET).unwrap();
    std::fs::write(p.join("deploy/backup.yaml"), HOURLY_BACKUP).unwrap();
    std::fs::write(p.join("docs/runbooks/db.md"), "# db\n").unwrap();
    std::fs::write(p.join("readiness.yaml"), FULL.replace("RPO", rpo)).unwrap();
    dir
}

fn scan_json(dir: &Path, args: &[&str]) -> (Value, i32, String) {
    let out = plimsoll(dir)
        .arg("scan")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        v,
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn dcl(v: &Value) -> Vec<&Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("DCL-"))
        .collect()
}

#[test]
fn a_repository_that_declares_everything_has_no_declaration_findings() {
    let dir = repo("1h");
    // scanning a subdirectory still finds readiness.yaml at the repository root
    let (v, _, stderr) = scan_json(dir.path(), &["deploy"]);
    assert!(dcl(&v).is_empty(), "{:#?}\n{stderr}", dcl(&v));
    let d = &v["declarations"];
    assert_eq!(d["file"], "readiness.yaml");
    let verified = d["verified"].as_array().unwrap();
    let checks: Vec<&str> = verified
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    for c in [
        "runbook-file",
        "recovery-targets",
        "rpo-schedule",
        "workload",
    ] {
        assert!(checks.contains(&c), "{c} not verified: {checks:?}");
    }
    assert!(verified.iter().all(|c| c["ok"] == true), "{verified:#?}");
    let attested: Vec<&str> = d["attested"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["what"].as_str().unwrap())
        .collect();
    for a in [
        "platform team",
        "owner of recovery",
        "on-call",
        "runbook of web",
    ] {
        assert!(attested.contains(&a), "{a} not attested: {attested:?}");
    }
}

#[test]
fn the_production_example_declares_everything() {
    let (v, code, _) = scan_json(&root(), &["examples/production"]);
    assert!(dcl(&v).is_empty(), "{:#?}", dcl(&v));
    assert_eq!(code, 0);
    assert_eq!(
        v["declarations"]["file"],
        "examples/production/readiness.yaml"
    );
    // the proof-of-concept declares nothing: one low, scan-wide finding says so
    let (v, _, _) = scan_json(&root(), &["examples/poc"]);
    let found = dcl(&v);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["rule"], "DCL-001");
    assert_eq!(found[0]["severity"], "low");
    assert!(found[0]["file"].is_null() && found[0]["object"].is_null());
    assert!(v["declarations"].is_null());
}

#[test]
fn a_missing_runbook_file_is_reported_at_its_line() {
    let dir = repo("1h");
    std::fs::remove_file(dir.path().join("docs/runbooks/db.md")).unwrap();
    let (v, _, _) = scan_json(dir.path(), &["deploy"]);
    let found = dcl(&v);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f["rule"], "DCL-002");
    assert_eq!(f["severity"], "medium");
    assert_eq!(f["gap"], "observability");
    assert_eq!(
        (f["file"].as_str(), f["line"].as_u64(), f["column"].as_u64()),
        (Some("readiness.yaml"), Some(16), Some(5)),
        "{f:#}"
    );
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("docs/runbooks/db.md")
    );
    // the same in the verified list, failed
    let failed: Vec<&Value> = v["declarations"]["verified"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["check"], "runbook-file");
    // the human output shows the line of readiness.yaml
    let out = plimsoll(dir.path())
        .args(["scan", "deploy", "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("medium[DCL-002]"), "{text}");
    assert!(text.contains("--> readiness.yaml:16:5"), "{text}");
    assert!(text.contains("runbook: docs/runbooks/db.md"), "{text}");
}

#[test]
fn an_rpo_shorter_than_the_hourly_backup_is_high() {
    let dir = repo("15m");
    let (v, code, _) = scan_json(dir.path(), &["deploy"]);
    let found = dcl(&v);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f["rule"], "DCL-006");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["gap"], "recovery");
    assert_eq!(
        (f["file"].as_str(), f["line"].as_u64()),
        (Some("readiness.yaml"), Some(18))
    );
    assert_eq!(f["object"]["kind"], "StatefulSet");
    assert_eq!(f["object"]["name"], "db");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("RPO 15m") && msg.contains("shop-hourly") && msg.contains("1h"),
        "{msg}"
    );
    assert_eq!(code, 1, "a high finding fails the default gate");
    assert_eq!(v["summary"]["stage"], "pilot");
}

#[test]
fn stateful_workloads_need_targets_and_gaps_need_owners() {
    let dir = repo("1h");
    let p = dir.path();
    std::fs::write(
        p.join("readiness.yaml"),
        "owners:\n  recovery: {team: dba, contact: dba@acme.example}\nservices:\n  db: {rto: 1h}\n",
    )
    .unwrap();
    let (v, _, _) = scan_json(p, &["deploy"]);
    let rules: Vec<(&str, &str)> = dcl(&v)
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    let count = |id: &str| rules.iter().filter(|(r, _)| *r == id).count();
    assert_eq!(count("DCL-003"), 1, "{rules:#?}");
    assert!(
        rules
            .iter()
            .any(|(r, m)| *r == "DCL-003" && m.contains("declares no RPO"))
    );
    // nine gaps without owner, and no platform team
    assert_eq!(count("DCL-004"), 10, "{rules:#?}");
    assert_eq!(count("DCL-005"), 1, "{rules:#?}");
    assert_eq!(count("DCL-001"), 0);
}

#[test]
fn unknown_keys_stop_the_run_with_their_place_and_a_suggestion() {
    let dir = repo("1h");
    let p = dir.path();
    let text = FULL
        .replace("RPO", "1h")
        .replace("    restoreTest:", "    restorTest:")
        .replace("onCall:", "oncall:");
    std::fs::write(p.join("readiness.yaml"), text).unwrap();
    let out = plimsoll(p).args(["scan", "deploy"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "readiness.yaml:13:1: unknown key `oncall` in the declarations; did you mean `onCall`?"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("readiness.yaml:19:5: unknown key `restorTest` in service `db`; did you mean `restoreTest`?"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing is scanned");
    // a malformed duration and a bad workload reference, with their places
    std::fs::write(
        p.join("readiness.yaml"),
        "services:\n  db:\n    rpo: 15\n    workloads: [StatefulSet/shop/db/extra]\n",
    )
    .unwrap();
    let out = plimsoll(p).args(["scan", "deploy"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("readiness.yaml:3:10:") && stderr.contains("`15` has no unit"),
        "{stderr}"
    );
    assert!(
        stderr.contains("readiness.yaml:4:17:") && stderr.contains("Kind/namespace/name"),
        "{stderr}"
    );
}

#[test]
fn the_file_is_found_by_flag_or_up_to_the_repository_root_only() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // a readiness.yaml above the repository root does not belong to it
    std::fs::write(p.join("readiness.yaml"), "services: {}\n").unwrap();
    let repo = p.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("deploy")).unwrap();
    std::fs::write(repo.join("deploy/app.yaml"), STATEFULSET).unwrap();
    let (v, _, _) = scan_json(&repo, &["deploy"]);
    assert!(v["declarations"].is_null());
    assert_eq!(dcl(&v)[0]["rule"], "DCL-001");
    // --readiness names it; runbooks are relative to it
    std::fs::create_dir_all(p.join("ops")).unwrap();
    std::fs::write(
        p.join("ops/targets.yaml"),
        "services:\n  db: {rto: 1h, rpo: 1d, runbook: db.md}\n",
    )
    .unwrap();
    std::fs::write(p.join("ops/db.md"), "# db\n").unwrap();
    let flag = p.join("ops/targets.yaml");
    let (v, _, _) = scan_json(&repo, &["deploy", "--readiness", flag.to_str().unwrap()]);
    let rules: Vec<&str> = dcl(&v)
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        !rules.contains(&"DCL-001") && !rules.contains(&"DCL-002"),
        "{rules:?}"
    );
    assert!(!rules.contains(&"DCL-003"), "{rules:?}");
    assert!(rules.contains(&"DCL-005"), "{rules:?}");
    // a missing --readiness file is a usage error
    let out = plimsoll(&repo)
        .args(["scan", "deploy", "--readiness", "nope.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_readiness_document_among_the_manifests_counts_and_its_errors_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join(".git")).unwrap();
    let doc = "apiVersion: plimsoll.dev/v1alpha1\nkind: Readiness\nmetadata: {name: shop}\nspec:\n  onCall: {rotation: primary}\n  services:\n    db: {rto: 1h, rpo: 1h}\n";
    std::fs::write(p.join("app.yaml"), format!("{STATEFULSET}---\n{doc}")).unwrap();
    let (v, _, _) = scan_json(p, &["."]);
    assert_eq!(v["declarations"]["file"], "./app.yaml");
    let rules: Vec<&str> = dcl(&v)
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.iter().all(|r| *r == "DCL-004"), "{rules:?}");
    // a mistake in it is an input error with its place: exit 2 after the report
    std::fs::write(
        p.join("app.yaml"),
        format!("{STATEFULSET}---\n{}", doc.replace("rpo: 1h", "rpo: soon")),
    )
    .unwrap();
    let (v, code, _) = scan_json(p, &["."]);
    assert_eq!(code, 2);
    let e = &v["errors"][0];
    assert_eq!(e["line"], 29, "{e:#}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("`soon` is not a duration")
    );
}

#[test]
fn a_finding_in_readiness_yaml_can_be_suppressed_on_its_line() {
    let dir = repo("1h");
    let p = dir.path();
    let text = FULL
        .replace("RPO", "1h")
        .replace(
            "onCall: {rotation: shop-primary, tool: PagerDuty, escalation: shop-escalation}\n",
            "",
        )
        .replace(
            "platformTeam: {team: platform, contact: '#platform'}",
            // (no `#` before the comment: the inline directive is read from the first `#`)
            "platformTeam: {team: platform, contact: platform@acme.example}  # plimsoll: ignore[DCL-005] reason=paged by the vendor",
        );
    std::fs::write(p.join("readiness.yaml"), text).unwrap();
    let (v, _, _) = scan_json(p, &["deploy"]);
    let f = dcl(&v);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0]["rule"], "DCL-005");
    assert!(
        f[0]["suppressed"]
            .as_str()
            .is_some_and(|r| r.contains("paged by the vendor")),
        "{:#}",
        f[0]
    );
}

#[test]
fn reports_separate_verified_from_attested() {
    let dir = repo("15m");
    for (format, verified, attested) in [
        ("markdown", "Verified:", "Attested, not verified"),
        (
            "html",
            "<h3>Verified</h3>",
            "<h3>Attested, not verified</h3>",
        ),
    ] {
        let out = plimsoll(dir.path())
            .args(["report", "deploy", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Declarations"), "{format}: {text}");
        assert!(
            text.contains(verified) && text.contains(attested),
            "{format}"
        );
        assert!(text.contains("RPO within backup interval"), "{format}");
        assert!(text.contains("owner of recovery"), "{format}");
    }
    let out = plimsoll(dir.path())
        .args(["scan", "deploy", "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "declarations: readiness.yaml · 4 verified (1 failing) · 16 attested, not verified"
        ),
        "{text}"
    );
}

/// YAML to JSON through Plimsoll's own reader (Kubernetes' YAML 1.1 typing).
fn to_json(n: Node<'_>) -> Value {
    if n.is_mapping() {
        Value::Object(
            n.entries()
                .map(|(k, v)| (k.text().unwrap_or("").to_string(), to_json(v)))
                .collect(),
        )
    } else if n.is_sequence() {
        Value::Array(n.items().map(to_json).collect())
    } else {
        match n.scalar() {
            None | Some(Scalar::Null) => Value::Null,
            Some(Scalar::Bool(b)) => Value::Bool(b),
            Some(Scalar::Int(i)) => Value::from(i),
            Some(Scalar::Float(f)) => Value::from(f),
            Some(Scalar::Str(s)) => Value::String(s.to_string()),
        }
    }
}

fn yaml_documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    let f = parse(
        SourceFile::new(path.display().to_string(), text),
        &Limits::default(),
    );
    assert!(f.errors.is_empty(), "{}: {:?}", path.display(), f.errors);
    f.roots().map(|(_, r)| to_json(r)).collect()
}

#[test]
fn the_schema_is_valid_and_accepts_what_plimsoll_accepts() {
    let root = root();
    let text = std::fs::read_to_string(root.join("docs/schema/readiness.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    jsonschema::draft7::meta::validate(&schema).expect("a valid draft-07 schema");
    let validator = jsonschema::draft7::new(&schema).expect("the schema compiles");
    let example = yaml_documents(&root.join("examples/production/readiness.yaml"));
    assert_eq!(example.len(), 1);
    let errors: Vec<String> = validator
        .iter_errors(&example[0])
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // the rule fixtures' Readiness documents (the document form) validate too
    let fixtures = root.join("crates/plimsoll_rules/src/rules/declarations/fixtures");
    let mut seen = 0;
    for dir in std::fs::read_dir(&fixtures).unwrap() {
        for file in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            for doc in yaml_documents(&path) {
                if doc["kind"] == "Readiness" {
                    seen += 1;
                    assert!(
                        validator.is_valid(&doc),
                        "{}: {:?}",
                        path.display(),
                        validator
                            .iter_errors(&doc)
                            .map(|e| e.to_string())
                            .collect::<Vec<_>>()
                    );
                }
            }
        }
    }
    assert!(seen >= 7, "{seen} Readiness fixtures");
    // and it is not vacuous: what Plimsoll refuses, the schema refuses
    for bad in [
        serde_json::json!({"onCal": {"rotation": "x"}}),
        serde_json::json!({"services": {"db": {"rpo": "15"}}}),
        serde_json::json!({"services": {"db": {"workloads": ["Statefulset/shop/db"]}}}),
        serde_json::json!({"owners": {"recovery": {"team": "dba"}}}),
        serde_json::json!({"owners": {"recovry": {"team": "dba", "contact": "x"}}}),
        serde_json::json!({"apiVersion": "plimsoll.dev/v1alpha1", "kind": "Readiness", "spec": {"x": 1}}),
    ] {
        assert!(!validator.is_valid(&bad), "accepted {bad}");
    }
}
