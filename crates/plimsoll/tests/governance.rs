//! Configuration, suppressions and baselines: how a team adopts the gate and accepts debt
//! accountably.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn run(dir: &Path, args: &[&str]) -> (Value, i32, String) {
    let out = Command::cargo_bin("plimsoll")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        v,
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scan(dir: &Path, extra: &[&str]) -> (Value, i32, String) {
    let mut args = vec!["scan", ".", "--format", "json"];
    args.extend_from_slice(extra);
    run(dir, &args)
}

fn of<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

const PRIVILEGED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\n  namespace: ops\n  annotations:\n    plimsoll.dev/ignore: \"{ANN}\"\nspec:\n  containers:\n    - name: agent\n      image: ghcr.io/acme/agent:1.0.0\n      securityContext:\n        privileged: true\n";

fn pod_with_annotation(dir: &Path, ann: &str) {
    std::fs::write(dir.join("pod.yaml"), PRIVILEGED_POD.replace("{ANN}", ann)).unwrap();
}

#[test]
fn annotation_with_reason_suppresses_and_is_listed_as_suppressed() {
    let d = tempfile::tempdir().unwrap();
    pod_with_annotation(
        d.path(),
        "WKL-001 reason=node agent needs the host, ticket OPS-7 until=2999-01-01",
    );
    let (v, _, _) = scan(d.path(), &["--fail-on", "critical"]);
    let f = of(&v, "WKL-001");
    assert_eq!(f.len(), 1, "suppressed findings are listed, not dropped");
    assert!(
        f[0]["suppressed"]
            .as_str()
            .unwrap()
            .contains("node agent needs the host")
    );
    assert_eq!(v["summary"]["counts"]["critical"], 0);
    assert!(v["summary"]["suppressed"].as_u64().unwrap() >= 1);
    // in SARIF too
    let out = Command::cargo_bin("plimsoll")
        .unwrap()
        .current_dir(d.path())
        .args(["scan", ".", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "WKL-001")
        .unwrap();
    assert_eq!(r["suppressions"][0]["kind"], "inSource");
    // and --no-suppressions ignores it
    let (v, code, _) = scan(d.path(), &["--fail-on", "critical", "--no-suppressions"]);
    assert!(of(&v, "WKL-001")[0]["suppressed"].is_null());
    assert_eq!(code, 1);
}

#[test]
fn suppression_without_reason_suppresses_nothing_and_is_reported() {
    let d = tempfile::tempdir().unwrap();
    pod_with_annotation(d.path(), "WKL-001");
    let (v, code, _) = scan(d.path(), &["--fail-on", "critical"]);
    assert!(of(&v, "WKL-001")[0]["suppressed"].is_null());
    assert_eq!(of(&v, "CHG-090").len(), 1);
    assert_eq!(code, 1);
}

#[test]
fn expired_suppression_stops_suppressing_and_is_reported() {
    let d = tempfile::tempdir().unwrap();
    pod_with_annotation(d.path(), "WKL-001 reason=temporary until=2020-01-31");
    let (v, code, _) = scan(d.path(), &["--fail-on", "critical"]);
    assert!(of(&v, "WKL-001")[0]["suppressed"].is_null());
    let exp = of(&v, "CHG-091");
    assert_eq!(exp.len(), 1);
    assert!(exp[0]["message"].as_str().unwrap().contains("2020-01-31"));
    assert_eq!(code, 1);
}

#[test]
fn pod_template_annotation_suppresses_the_workload() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("ds.yaml"),
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  template:\n    metadata:\n      annotations:\n        plimsoll.dev/ignore: \"WKL-001 reason=CNI agent\"\n    spec:\n      containers:\n        - name: agent\n          image: ghcr.io/acme/agent:1.0.0\n          securityContext: {privileged: true}\n",
    )
    .unwrap();
    let (v, _, _) = scan(d.path(), &[]);
    assert!(
        of(&v, "WKL-001")[0]["suppressed"]
            .as_str()
            .unwrap()
            .contains("CNI agent")
    );
}

#[test]
fn inline_comments_on_the_line_or_above_suppress() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("p.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - name: a\n      image: nginx:latest # plimsoll: ignore[IMG-001] reason=upstream publishes only latest\n      securityContext:\n        # plimsoll: ignore[privileged-container] reason=lab cluster\n        privileged: true\n",
    )
    .unwrap();
    let (v, _, _) = scan(d.path(), &[]);
    assert!(
        of(&v, "IMG-001")[0]["suppressed"]
            .as_str()
            .unwrap()
            .contains("upstream publishes only latest")
    );
    assert!(
        of(&v, "WKL-001")[0]["suppressed"]
            .as_str()
            .unwrap()
            .contains("lab cluster")
    );
}

#[test]
fn config_exemptions_and_not_suppressible_rules() {
    let d = tempfile::tempdir().unwrap();
    pod_with_annotation(d.path(), "WKL-001 reason=node agent");
    std::fs::write(
        d.path().join("plimsoll.yaml"),
        "rules:\n  notSuppressible: [WKL-001]\nexemptions:\n  - rules: [image-tag-mutable, network]\n    namespace: \"o*\"\n    kind: Pod\n    reason: ops namespace is managed by the vendor\n",
    )
    .unwrap();
    std::fs::write(d.path().join("latest.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: ops}\nspec:\n  containers:\n    - name: b\n      image: nginx\n").unwrap();
    let (v, code, _) = scan(d.path(), &[]);
    assert!(
        of(&v, "WKL-001")[0]["suppressed"].is_null(),
        "notSuppressible wins over the annotation"
    );
    assert!(
        of(&v, "IMG-001")[0]["suppressed"]
            .as_str()
            .unwrap()
            .contains("managed by the vendor")
    );
    assert!(
        of(&v, "NET-001")
            .iter()
            .all(|f| f["suppressed"].is_string())
    );
    assert_eq!(code, 1);
}

#[test]
fn config_errors_name_file_line_and_a_suggestion() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("plimsoll.yaml"),
        "failOn: high\nrules:\n  disabel: [IMG-001]\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("p.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n",
    )
    .unwrap();
    let (_, code, stderr) = scan(d.path(), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("plimsoll.yaml:3:3"), "{stderr}");
    assert!(stderr.contains("did you mean `disable`"), "{stderr}");
}

#[test]
fn config_selects_rules_severities_paths_and_profiles() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("testdata")).unwrap();
    std::fs::write(
        d.path().join("testdata/p.yaml"),
        PRIVILEGED_POD.replace("{ANN}", ""),
    )
    .unwrap();
    std::fs::write(d.path().join("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec:\n  containers:\n    - name: a\n      image: nginx\n").unwrap();
    std::fs::write(
        d.path().join("plimsoll.yaml"),
        "failOn: medium\nrules:\n  disable: [observability]\n  severity: {IMG-001: low}\npaths:\n  exclude: [\"testdata/**\"]\n",
    )
    .unwrap();
    let (v, _, _) = scan(d.path(), &[]);
    assert!(of(&v, "WKL-001").is_empty(), "testdata is excluded");
    assert_eq!(of(&v, "IMG-001")[0]["severity"], "low");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["gap"] != "observability")
    );
    // the pilot profile caps resilience findings at medium
    let (p, _, _) = scan(d.path(), &["--profile", "pilot"]);
    assert!(
        p["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["gap"] == "resilience")
            .all(|f| f["severity"] == "medium" || f["severity"] == "low")
    );
    let (_, code, stderr) = scan(d.path(), &["--profile", "nope"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown profile"));
}

#[test]
fn baseline_survives_reformatting_fails_on_new_findings_and_reports_fixed_ones() {
    let d = tempfile::tempdir().unwrap();
    let original = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n          securityContext:\n            privileged: true\n        - name: side\n          image: busybox\n";
    std::fs::write(d.path().join("app.yaml"), original).unwrap();
    let (_, code, stderr) = run(
        d.path(),
        &["baseline", "create", ".", "--output", "baseline.json"],
    );
    assert_eq!(code, 0, "{stderr}");
    let b: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(b["schema"], "plimsoll/baseline/v1");
    assert!(!b["findings"].as_array().unwrap().is_empty());

    // reformatted: comments and blank lines added, flow style, keys reordered
    let reformatted = "# the web app\n\napiVersion: apps/v1\nkind: Deployment\nmetadata: {namespace: shop, name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: web, securityContext: {privileged: true}, image: \"nginx:latest\"}\n      - name: side\n        image: busybox\n";
    std::fs::write(d.path().join("app.yaml"), reformatted).unwrap();
    let (v, code, _) = scan(
        d.path(),
        &["--baseline", "baseline.json", "--fail-on", "low"],
    );
    assert_eq!(v["baseline"]["new"], 0, "{:#}", v["findings"]);
    assert!(v["baseline"]["fixed"].as_array().unwrap().is_empty());
    assert_eq!(code, 0);

    // a new problem fails; a fixed one is reported
    let changed = reformatted
        .replace("{privileged: true}", "{privileged: false}")
        .replace(
            "image: busybox",
            "image: busybox\n        securityContext: {runAsUser: 0}",
        );
    std::fs::write(d.path().join("app.yaml"), changed).unwrap();
    let (v, code, _) = scan(
        d.path(),
        &["--baseline", "baseline.json", "--fail-on", "high"],
    );
    assert!(v["baseline"]["new"].as_u64().unwrap() >= 1);
    let fixed = v["baseline"]["fixed"].as_array().unwrap();
    assert!(fixed.iter().any(|e| e["rule"] == "WKL-001"), "{fixed:#?}");
    assert_eq!(code, 1);
}
