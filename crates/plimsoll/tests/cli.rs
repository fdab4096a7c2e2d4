//! End-to-end behaviour of the `plimsoll` binary on the bundled examples and small inputs.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn plimsoll() -> Command {
    let mut c = Command::cargo_bin("plimsoll").unwrap();
    c.current_dir(root());
    c
}

fn scan_json(args: &[&str]) -> (Value, i32) {
    let out = plimsoll()
        .arg("scan")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (v, out.status.code().unwrap())
}

fn findings_of<'a>(v: &'a Value, rule_prefix: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with(rule_prefix))
        .collect()
}

const GAPS: [&str; 10] = [
    "image",
    "workload",
    "storage",
    "network",
    "observability",
    "resilience",
    "access",
    "secrets",
    "change",
    "recovery",
];

#[test]
fn poc_example_is_a_poc_with_findings_in_every_gap() {
    let (v, code) = scan_json(&["examples/poc"]);
    assert_eq!(code, 1, "critical findings fail the gate");
    assert_eq!(v["schema"], "plimsoll/report/v1");
    assert_eq!(v["summary"]["stage"], "poc");
    for gap in GAPS {
        let n = v["summary"]["gaps"][gap]["findings"].as_u64().unwrap();
        assert!(
            n > 0,
            "gap {gap} has no finding on the PoC: {}",
            v["summary"]
        );
        assert!(v["summary"]["gaps"][gap]["score"].as_u64().unwrap() < 100);
    }
    let on =
        |gap: &str, kind: &str, name: &str| {
            v["findings"].as_array().unwrap().iter().any(|f| {
                f["gap"] == gap && f["object"]["kind"] == kind && f["object"]["name"] == name
            })
        };
    assert!(on("image", "Deployment", "web"), "latest tag on web");
    assert!(on("workload", "StatefulSet", "db"), "privileged db");
    assert!(on("storage", "StatefulSet", "db"), "hostPath on db");
    assert!(
        on("network", "Ingress", "web") || on("network", "Service", "web"),
        "exposure of web"
    );
    assert!(on("secrets", "Secret", "db"), "plaintext Secret");
    assert!(
        on("secrets", "StatefulSet", "db"),
        "literal password in env"
    );
    assert!(
        on("access", "ClusterRoleBinding", "shop-admin"),
        "cluster-admin for the default SA"
    );
    assert!(
        on("recovery", "StatefulSet", "db"),
        "no backup for the database"
    );
    // the privileged finding points at the `privileged` key
    let wkl = findings_of(&v, "WKL-001");
    assert_eq!(wkl.len(), 1);
    assert_eq!(
        (
            wkl[0]["file"].as_str().unwrap(),
            wkl[0]["line"].as_u64(),
            wkl[0]["column"].as_u64()
        ),
        ("examples/poc/shop.yaml", Some(42), Some(13))
    );
    assert_eq!(wkl[0]["object"]["container"], "postgres");
}

#[test]
fn production_example_has_no_critical_or_high_finding() {
    let (v, code) = scan_json(&["examples/production"]);
    let s = &v["summary"];
    assert_eq!(s["counts"]["critical"], 0, "{:#}", v["findings"]);
    assert_eq!(s["counts"]["high"], 0, "{:#}", v["findings"]);
    assert!(
        matches!(s["stage"].as_str(), Some("platform" | "production")),
        "{s}"
    );
    assert_eq!(s["evidence"]["change"], true);
    assert_eq!(s["evidence"]["recovery"], true);
    assert_eq!(code, 0);
    assert!(v["errors"].as_array().unwrap().is_empty());
}

#[test]
fn no_output_format_prints_a_secret_value() {
    for format in ["human", "json", "sarif"] {
        let out = plimsoll()
            .args([
                "scan",
                "examples/poc",
                "--color",
                "always",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("SCR-001"),
            "{format}: the literal secret is reported"
        );
        assert!(
            !text.contains("s3cr3t-shop-pass"),
            "{format} output leaks a secret value"
        );
    }
}

#[test]
fn exit_codes_follow_the_threshold() {
    let code = |args: &[&str]| {
        plimsoll()
            .arg("scan")
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
            .unwrap()
    };
    assert_eq!(code(&["examples/poc", "--fail-on", "never"]), 0);
    assert_eq!(code(&["examples/poc", "--fail-on", "critical"]), 1);
    assert_eq!(code(&["examples/production"]), 0);
    assert_eq!(
        code(&["examples/production", "--fail-on", "low"]),
        u8::from(false) as i32 + {
            let (v, _) = scan_json(&["examples/production"]);
            i32::from(
                v["summary"]["counts"]["low"].as_u64().unwrap()
                    + v["summary"]["counts"]["medium"].as_u64().unwrap()
                    > 0,
            )
        }
    );
    // usage errors
    assert_eq!(code(&["--fail-on", "sometimes"]), 2);
    assert_eq!(code(&["does/not/exist"]), 2);
}

#[test]
fn a_broken_file_is_reported_with_its_place_and_does_not_hide_other_findings() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("bad.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: [unclosed\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("good.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext: {privileged: true}\n",
    )
    .unwrap();
    let out = plimsoll()
        .args(["scan", "--format", "json"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert!(errors[0]["file"].as_str().unwrap().ends_with("bad.yaml"));
    assert!(errors[0]["line"].as_u64().unwrap() >= 5);
    assert!(
        !findings_of(&v, "WKL-001").is_empty(),
        "good.yaml is still scanned"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.yaml"));
}

#[test]
fn stdin_is_read_for_dash() {
    let out = plimsoll()
        .args(["scan", "-", "--format", "json"])
        .write_stdin("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  containers:\n  - name: c\n    image: nginx:latest\n")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = findings_of(&v, "IMG-001");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["file"], "<stdin>");
    assert_eq!(
        (f[0]["line"].as_u64(), f[0]["column"].as_u64()),
        (Some(8), Some(5))
    );
}

#[test]
fn non_manifest_yaml_is_not_an_error() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("values.yaml"),
        "replicaCount: 1\nimage: {tag: latest}\n",
    )
    .unwrap();
    std::fs::write(d.path().join("data.json"), "{a: 1}\n{a: 2}\n").unwrap();
    let (v, code) = scan_json(&[d.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["objects"], 0);
    assert!(v["errors"].as_array().unwrap().is_empty());
}

#[test]
fn rules_json_carries_metadata_and_peer_ids() {
    let out = plimsoll()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = v.as_array().unwrap();
    assert!(rules.len() >= 40, "{} rules", rules.len());
    let keys = [
        "kube-score",
        "kube-linter",
        "polaris",
        "checkov",
        "kubescape",
        "trivy",
        "kyverno",
        "hadolint",
        "systemd-analyze",
    ];
    let mut gaps = std::collections::HashSet::new();
    for r in rules {
        for field in [
            "id",
            "name",
            "gap",
            "severity",
            "summary",
            "rationale",
            "fix",
        ] {
            assert!(
                r[field].as_str().is_some_and(|s| !s.is_empty()),
                "{}: {field}",
                r["id"]
            );
        }
        for (k, ids) in r["peers"].as_object().unwrap() {
            assert!(keys.contains(&k.as_str()), "{}: unknown peer {k}", r["id"]);
            assert!(!ids.as_array().unwrap().is_empty());
        }
        gaps.insert(r["gap"].as_str().unwrap().to_string());
    }
    assert_eq!(gaps.len(), 10, "every gap has rules: {gaps:?}");
    let img = rules.iter().find(|r| r["id"] == "IMG-001").unwrap();
    assert_eq!(img["peers"]["checkov"][0], "CKV_K8S_14");
    let out = plimsoll()
        .args(["rules", "--peer", "checkov"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("IMG-001") && text.contains("CKV_K8S_14"));
    assert_eq!(
        plimsoll()
            .args(["rules", "--peer", "nope"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn explain_prints_the_rule_docs() {
    let out = plimsoll()
        .args(["explain", "image-tag-mutable"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("IMG-001")
            && text.contains("## Why it matters")
            && text.contains("## How to fix")
    );
    assert_eq!(
        plimsoll()
            .args(["explain", "NOPE-999"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}

fn sarif_schema() -> Value {
    let path = std::env::var("PLIMSOLL_SARIF_SCHEMA")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            let out = std::process::Command::new("bash")
                .arg(root().join("scripts/fetch-sarif-schema.sh"))
                .output()
                .expect("run scripts/fetch-sarif-schema.sh");
            assert!(
                out.status.success(),
                "fetching the SARIF schema failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
        });
    // The official schema's `language` patterns have one ECMA-only construct (an unescaped `]`)
    // that Rust's regex engine rejects; escape it, leaving everything else as published.
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace(r"{2}]?$", r"{2}\\]?$");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn sarif_output_is_valid_against_the_official_2_1_0_schema() {
    let schema = sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for example in ["examples/poc", "examples/production"] {
        let out = plimsoll()
            .args(["scan", example, "--format", "sarif"])
            .output()
            .unwrap();
        let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{example}: {errors:#?}");
        let run = &sarif["runs"][0];
        assert!(
            !run["tool"]["driver"]["rules"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        if example.ends_with("poc") {
            let r = &run["results"].as_array().unwrap()[0];
            assert!(r["ruleId"].is_string() && r["partialFingerprints"]["plimsoll/v1"].is_string());
        }
    }
    // the validator is not vacuous: a broken document fails
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.1.0", "runs": [{"tool": {}}]})));
}

#[test]
fn output_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r#""version": "[0-9.]+""#, r#""version": "[version]""#);
    settings.add_filter(
        r#""semanticVersion": "[0-9.]+""#,
        r#""semanticVersion": "[version]""#,
    );
    settings.add_filter(r"plimsoll [0-9]+\.[0-9]+\.[0-9]+", "plimsoll [version]");
    settings.bind(|| {
        for format in ["human", "json", "sarif"] {
            let out = plimsoll()
                .args([
                    "scan",
                    "examples/poc",
                    "--color",
                    "never",
                    "--format",
                    format,
                ])
                .output()
                .unwrap();
            insta::assert_snapshot!(
                format!("poc_{format}"),
                String::from_utf8(out.stdout).unwrap()
            );
        }
    });
}
