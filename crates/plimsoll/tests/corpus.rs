//! The shared corpus of real public deployment configuration: every file scans without a panic
//! or a hang, and every error names its file and place. Skipped (with a message) when the corpus
//! is not next to the repository.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if p.is_dir() {
        Some(p.canonicalize().unwrap())
    } else {
        eprintln!("SKIPPED: corpus not found at {}", p.display());
        None
    }
}

fn scan(path: &Path) -> (Value, i32) {
    let out = Command::cargo_bin("plimsoll")
        .unwrap()
        .args(["scan", "--format", "json"])
        .arg(path)
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    let code = out
        .status
        .code()
        .expect("plimsoll was killed (panic abort, signal or timeout)");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "panic: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        serde_json::from_slice(&out.stdout).expect("JSON report"),
        code,
    )
}

#[test]
fn whole_corpus_scans_without_panic_and_errors_have_positions() {
    let Some(c) = corpus() else { return };
    let (v, code) = scan(&c);
    assert!(matches!(code, 0..=2), "exit {code}");
    let objects = v["summary"]["objects"].as_u64().unwrap();
    assert!(objects > 1500, "only {objects} objects found in the corpus");
    let errors = v["errors"].as_array().unwrap();
    // Bitnami charts need their `common` dependency vendored first (an OCI registry this
    // machine cannot reach; see docs/rendering.md and tests/render.rs, which prepares a copy):
    // unprepared, helm refuses them with a message and no line.
    let unprepared = |e: &Value| {
        e["message"].as_str().is_some_and(|m| {
            m.contains("helm template failed") && m.contains("missing in charts/ directory")
        })
    };
    let errors: Vec<&Value> = errors.iter().filter(|e| !unprepared(e)).collect();
    for e in &errors {
        assert!(e["file"].as_str().is_some_and(|f| !f.is_empty()), "{e}");
        assert!(
            e["line"].as_u64().is_some() && e["column"].as_u64().is_some(),
            "error without a place: {e}"
        );
    }
    // known: one file whose flow sequence closes at its parent's indentation (see README)
    assert!(errors.len() <= 2, "{errors:#?}");
    for f in v["findings"].as_array().unwrap() {
        if !f["file"].is_null() {
            assert!(
                f["line"].as_u64().unwrap() >= 1 && f["column"].as_u64().unwrap() >= 1,
                "{f}"
            );
        }
    }
}

#[test]
fn every_corpus_subtree_scans_on_its_own() {
    let Some(c) = corpus() else { return };
    for entry in std::fs::read_dir(&c).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            let (v, code) = scan(&p);
            assert!(matches!(code, 0..=2), "{}: exit {code}", p.display());
            assert_eq!(v["schema"], "plimsoll/report/v1");
        }
    }
}

/// kube-prometheus is carefully written: its only critical findings are node-exporter's host
/// namespaces, which a node agent needs and which a team accepts with a reasoned suppression.
#[test]
fn kube_prometheus_has_no_disputable_critical_finding() {
    let Some(c) = corpus() else { return };
    let (v, _) = scan(&c.join("prometheus-operator__kube-prometheus/manifests"));
    let critical: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "critical")
        .map(|f| {
            format!(
                "{} {} {}",
                f["rule"].as_str().unwrap(),
                f["object"]["kind"].as_str().unwrap_or(""),
                f["object"]["name"].as_str().unwrap_or("")
            )
        })
        .collect();
    for c in &critical {
        assert!(
            c == "WKL-012 DaemonSet node-exporter" || c == "WKL-013 DaemonSet node-exporter",
            "disputable critical finding on kube-prometheus: {c}\nall: {critical:#?}"
        );
    }
}
