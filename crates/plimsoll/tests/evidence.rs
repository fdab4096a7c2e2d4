//! Restore-drill evidence in the scan: the recovery gap credits passing, recent drills and
//! reports missing, failed and stale ones on the workload.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const DB: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: shop}\nspec:\n  serviceName: db\n  template:\n    spec:\n      containers:\n        - name: postgres\n          image: postgres:16.4\n  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec: {storageClassName: fast, resources: {requests: {storage: 10Gi}}}\n";

fn record(service: &str, verdict: &str, finished: &str) -> String {
    serde_json::json!({
        "schema": "plimsoll/drill/v1", "id": format!("t-{finished}"), "service": service, "mode": "logical", "source": null,
        "backup": {"path": "/backups/db.dump", "format": "custom", "identity": "sha256:00", "created_at": finished, "created_at_source": "archive header", "age_seconds": 3600.0, "bytes": 1000, "database": "shop", "server_version": "15"},
        "target": {"kind": "scratch-server", "server": "postgres://x@127.0.0.1:5432/postgres", "database": "plimsoll_drill_t", "server_version": "15", "cleaned_up": true},
        "steps": [], "checks": [],
        "measurements": {"restore_seconds": 1.0, "verify_seconds": 1.0, "recovery_seconds": 2.0, "cleanup_seconds": 0.1, "total_seconds": 2.1, "bytes_restored": 1000, "throughput_bytes_per_second": 500.0, "tables": 1, "rows": 1, "jobs": 1},
        "targets": {"rto_seconds": null, "rpo_seconds": null, "rto_met": null, "rpo_met": null, "declared_in": null},
        "verdict": verdict, "failures": [], "warnings": [],
        "started_at": finished, "finished_at": finished, "tool": "plimsoll 0.1.0"
    })
    .to_string()
}

fn scan(dir: &Path, now: &str) -> Vec<Value> {
    let out = Command::cargo_bin("plimsoll")
        .unwrap()
        .current_dir(dir)
        .args(["scan", ".", "--format", "json", "--now", now])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert!(
        v["errors"].as_array().unwrap().is_empty(),
        "{}",
        v["errors"]
    );
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "REC-009")
        .cloned()
        .collect()
}

#[test]
fn no_evidence_at_all_is_one_low_finding() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("db.yaml"), DB).unwrap();
    let f = scan(d.path(), "2026-11-22");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["severity"], "low");
    assert!(f[0]["object"].is_null());
}

#[test]
fn passing_recent_drill_gives_credit_stale_and_failed_ones_do_not() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("db.yaml"), DB).unwrap();
    let ev = d.path().join(".plimsoll/evidence");
    std::fs::create_dir_all(&ev).unwrap();
    std::fs::write(
        ev.join("db-1.json"),
        record("db", "pass", "2026-11-10T03:00:00Z"),
    )
    .unwrap();
    // 12 days later: within the default 30-day cadence
    assert!(scan(d.path(), "2026-11-22").is_empty());
    // 60 days later: stale
    let f = scan(d.path(), "2027-01-09");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["severity"], "medium");
    assert!(f[0]["message"].as_str().unwrap().contains("days old"));
    assert_eq!(f[0]["object"]["name"], "db");
    // a newer failed drill: the backup is known not to restore
    std::fs::write(
        ev.join("db-2.json"),
        record("db", "fail", "2026-11-20T03:00:00Z"),
    )
    .unwrap();
    let f = scan(d.path(), "2026-11-22");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["severity"], "high");
    assert!(f[0]["message"].as_str().unwrap().contains("failed"));
}

#[test]
fn evidence_for_another_service_leaves_the_workload_untested_and_bad_records_are_errors() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("db.yaml"), DB).unwrap();
    let ev = d.path().join("drills");
    std::fs::create_dir_all(&ev).unwrap();
    std::fs::write(
        ev.join("other.json"),
        record("billing", "pass", "2026-11-21T03:00:00Z"),
    )
    .unwrap();
    let out = Command::cargo_bin("plimsoll")
        .unwrap()
        .current_dir(d.path())
        .args([
            "scan",
            "db.yaml",
            "--format",
            "json",
            "--now",
            "2026-11-22",
            "--evidence",
            "drills",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "REC-009")
        .collect();
    assert_eq!(f.len(), 1);
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("no restore drill")
    );
    std::fs::write(ev.join("broken.json"), "{not json").unwrap();
    let out = Command::cargo_bin("plimsoll")
        .unwrap()
        .current_dir(d.path())
        .args([
            "scan",
            "db.yaml",
            "--format",
            "json",
            "--evidence",
            "drills",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["errors"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("broken.json")
    );
}
