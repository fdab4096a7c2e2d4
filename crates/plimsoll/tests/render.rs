//! Helm charts and Kustomize overlays: rendered by the real tools, scanned as what they render
//! to, findings naming the template or source file they come from.
//!
//! helm comes from `PLIMSOLL_HELM` or `PATH` (scripts/test.d/10-helm.sh installs it); kustomize
//! from `kustomize` or `kubectl` on `PATH`. When a tool is missing these tests are skipped with a
//! message, except under CI (env `CI` set), where they fail.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

const CHART: &str = "crates/plimsoll/tests/data/chart";
const KUST: &str = "crates/plimsoll/tests/data/kustomize";

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn missing(what: &str) -> Option<PathBuf> {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is required under CI (scripts/test.d/10-helm.sh installs helm)");
    }
    eprintln!("SKIPPED: {what} not found; run scripts/test.d/10-helm.sh and export its output");
    None
}

/// The helm the scans will use, or `None` (skip) when there is none.
fn helm() -> Option<PathBuf> {
    match std::env::var_os("PLIMSOLL_HELM").filter(|v| !v.is_empty()) {
        Some(p) if Path::new(&p).is_file() => Some(PathBuf::from(p)),
        Some(p) => missing(&format!("helm (PLIMSOLL_HELM={})", p.to_string_lossy())),
        None => on_path("helm").or_else(|| missing("helm")),
    }
}

fn kustomize() -> Option<PathBuf> {
    on_path("kustomize")
        .or_else(|| on_path("kubectl"))
        .or_else(|| missing("kustomize or kubectl"))
}

fn plimsoll() -> Command {
    let mut c = Command::cargo_bin("plimsoll").unwrap();
    c.current_dir(root()).timeout(Duration::from_secs(600));
    c
}

struct Scan {
    json: Value,
    code: i32,
    stderr: String,
}

fn scan(args: &[&str]) -> Scan {
    let out = plimsoll()
        .arg("scan")
        .args(args)
        .args(["--format", "json", "--fail-on", "critical"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    Scan {
        json,
        code: out.status.code().expect("exit code"),
        stderr,
    }
}

fn findings(v: &Value) -> &Vec<Value> {
    v["findings"].as_array().unwrap()
}

fn with_rule<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    findings(v).iter().filter(|f| f["rule"] == rule).collect()
}

fn template(name: &str) -> String {
    format!("{CHART}/templates/{name}")
}

// ---------------------------------------------------------------------------------------------
// Helm

#[test]
fn chart_is_rendered_and_findings_name_their_template() {
    let Some(_) = helm() else { return };
    let s = scan(&[CHART]);
    assert!(
        s.json["errors"].as_array().unwrap().is_empty(),
        "{}",
        s.json
    );
    assert_eq!(s.json["summary"]["objects"], 2, "Deployment and Service");
    let rendered = format!("{CHART} (helm template)");
    let mut located = 0;
    for f in findings(&s.json).iter().filter(|f| !f["file"].is_null()) {
        assert_eq!(f["file"], rendered.as_str(), "{f}");
        let src = &f["source"];
        let file = src["file"].as_str().unwrap();
        assert!(
            file == template("deployment.yaml") || file == template("service.yaml"),
            "{f}"
        );
        assert!(src["line"].as_u64().unwrap() >= 1, "{f}");
        if src["match"] == "key" {
            located += 1;
        }
    }
    assert!(
        located > 5,
        "most findings name the template line of their key"
    );
    // values.yaml says privileged: false
    assert!(with_rule(&s.json, "WKL-001").is_empty());
    assert_ne!(s.code, 1, "nothing critical");
}

#[test]
fn values_file_turns_privileged_on_and_the_template_line_is_named() {
    let Some(_) = helm() else { return };
    let values = format!("{CHART}/values-privileged.yaml");
    let s = scan(&[CHART, "--helm-values", &values]);
    let wkl = with_rule(&s.json, "WKL-001");
    assert_eq!(wkl.len(), 1, "{}", s.json);
    let f = wkl[0];
    assert_eq!(f["file"], format!("{CHART} (helm template)"));
    assert_eq!(
        f["source"],
        serde_json::json!({"file": template("deployment.yaml"), "line": 23, "match": "key"})
    );
    assert_eq!(s.code, 1, "a critical finding fails the gate");
    // the human output shows the rendered snippet and names the template line
    let out = plimsoll()
        .args(["scan", CHART, "--helm-values", &values, "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("privileged: true"), "{text}");
    assert!(
        text.contains(&format!(
            "= note: rendered from {}:23",
            template("deployment.yaml")
        )),
        "{text}"
    );
}

#[test]
fn helm_set_flips_it_and_wins_over_values_files() {
    let Some(_) = helm() else { return };
    let s = scan(&[CHART, "--helm-set", "privileged=true"]);
    assert_eq!(with_rule(&s.json, "WKL-001").len(), 1);
    let values = format!("{CHART}/values-privileged.yaml");
    let s = scan(&[
        CHART,
        "--helm-values",
        &values,
        "--helm-set",
        "privileged=false",
    ]);
    assert!(with_rule(&s.json, "WKL-001").is_empty());
    // several values files apply in order: the last one wins
    let d = tempfile::tempdir().unwrap();
    let off = d.path().join("off.yaml");
    std::fs::write(&off, "privileged: false\n").unwrap();
    let s = scan(&[
        CHART,
        "--helm-values",
        &values,
        "--helm-values",
        off.to_str().unwrap(),
    ]);
    assert!(with_rule(&s.json, "WKL-001").is_empty());
}

#[test]
fn release_name_and_namespace_are_passed_to_helm() {
    let Some(_) = helm() else { return };
    let s = scan(&[CHART, "--helm-release", "blue", "--namespace", "shop"]);
    let objects: Vec<&Value> = findings(&s.json)
        .iter()
        .filter_map(|f| f["object"].as_object().map(|_| &f["object"]))
        .collect();
    assert!(!objects.is_empty());
    for o in objects {
        assert_eq!(o["name"], "blue-web", "{o}");
    }
    // default release: the chart's name
    let s = scan(&[CHART]);
    assert!(
        findings(&s.json)
            .iter()
            .any(|f| f["object"]["name"] == "shop-web")
    );
}

#[test]
fn broken_template_is_an_input_error_with_helms_message() {
    let Some(_) = helm() else { return };
    let d = tempfile::tempdir().unwrap();
    let chart = d.path().join("chart");
    copy_dir(&root().join(CHART), &chart);
    std::fs::write(
        chart.join("templates/broken.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name | nosuchfunc }}\n",
    )
    .unwrap();
    let s = scan(&[chart.to_str().unwrap()]);
    assert_eq!(s.code, 2, "{}", s.json);
    let errors = s.json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["file"], chart.to_str().unwrap());
    let msg = errors[0]["message"].as_str().unwrap();
    assert!(msg.starts_with("helm template failed: "), "{msg}");
    assert!(msg.contains("function \"nosuchfunc\" not defined"), "{msg}");
    assert!(msg.contains("templates/broken.yaml"), "{msg}");
    assert!(s.stderr.contains("nosuchfunc"), "{}", s.stderr);
}

#[test]
fn missing_helm_skips_the_chart_with_a_warning() {
    for env in ["/nonexistent/helm", ""] {
        let out = plimsoll()
            .env("PLIMSOLL_HELM", env)
            .env("PATH", "/nonexistent")
            .args(["scan", CHART, "--format", "json"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("warning: {CHART}: ")) && stderr.contains("chart not scanned"),
            "{stderr}"
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let skipped = v["skipped"].as_array().unwrap();
        assert_eq!(skipped.len(), 1, "{v}");
        assert_eq!(skipped[0]["file"], CHART);
        let reason = skipped[0]["reason"].as_str().unwrap();
        assert!(
            reason.contains("install helm or set PLIMSOLL_HELM"),
            "{reason}"
        );
        if env.is_empty() {
            assert!(reason.starts_with("helm not found on PATH"), "{reason}");
        }
        assert_eq!(v["summary"]["objects"], 0);
        assert!(v["errors"].as_array().unwrap().is_empty());
    }
}

#[test]
fn helm_flags_are_checked() {
    let out = plimsoll()
        .args(["scan", CHART, "--helm-values", "no/such/values.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/values.yaml"));
    let out = plimsoll()
        .args(["scan", CHART, "--helm-set", "novalue"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

// ---------------------------------------------------------------------------------------------
// Kustomize

#[test]
fn overlays_are_reported_once_each_and_the_base_never_alone() {
    let Some(_) = kustomize() else { return };
    let s = scan(&[KUST]);
    assert!(
        s.json["errors"].as_array().unwrap().is_empty(),
        "{}",
        s.json
    );
    let staging = format!("{KUST}/overlays/staging (kustomize)");
    let prod = format!("{KUST}/overlays/prod (kustomize)");
    let base_file = format!("{KUST}/base/deployment.yaml");
    let mut files: BTreeMap<String, usize> = BTreeMap::new();
    for f in findings(&s.json).iter().filter(|f| !f["file"].is_null()) {
        *files.entry(f["file"].as_str().unwrap().into()).or_default() += 1;
    }
    assert_eq!(
        files.keys().cloned().collect::<Vec<_>>(),
        [prod.clone(), staging.clone()],
        "findings only in the two overlays"
    );
    // the `latest` image of the base: once per overlay, naming the base file and line
    let img = with_rule(&s.json, "IMG-001");
    assert_eq!(img.len(), 2, "{img:#?}");
    let mut names: Vec<&str> = img
        .iter()
        .map(|f| f["object"]["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["api-prod", "staging-api"]);
    for f in &img {
        assert_eq!(
            f["source"],
            serde_json::json!({"file": base_file, "line": 17, "match": "key"}),
            "{f}"
        );
    }
    // namespaces set by the overlays
    assert!(img.iter().any(|f| f["object"]["namespace"] == "prod"));
    assert!(img.iter().any(|f| f["object"]["namespace"] == "staging"));
    // every finding on an object names a file of the tree
    for f in findings(&s.json).iter().filter(|f| !f["object"].is_null()) {
        let src = f["source"]["file"]
            .as_str()
            .unwrap_or_else(|| panic!("{f}"));
        assert!(src.starts_with(KUST) && root().join(src).is_file(), "{f}");
    }
}

#[test]
fn a_base_scanned_on_its_own_is_rendered_and_its_files_can_be_named() {
    let Some(_) = kustomize() else { return };
    let base = format!("{KUST}/base");
    let s = scan(&[&base]);
    let img = with_rule(&s.json, "IMG-001");
    assert_eq!(img.len(), 1);
    assert_eq!(img[0]["file"], format!("{base} (kustomize)"));
    // a file named explicitly is scanned as it is
    let file = format!("{base}/deployment.yaml");
    let s = scan(&[&file]);
    let img = with_rule(&s.json, "IMG-001");
    assert_eq!(img.len(), 1);
    assert_eq!(img[0]["file"], file.as_str());
    assert!(img[0].get("source").is_none(), "no source for a plain file");
}

#[test]
fn broken_kustomization_is_an_input_error() {
    let Some(_) = kustomize() else { return };
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("kustomization.yaml"),
        "resources:\n- missing.yaml\n",
    )
    .unwrap();
    let s = scan(&[d.path().to_str().unwrap()]);
    assert_eq!(s.code, 2);
    let errors = s.json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let msg = errors[0]["message"].as_str().unwrap();
    assert!(msg.starts_with("kustomize build failed: "), "{msg}");
    assert!(msg.contains("missing.yaml"), "{msg}");
}

// ---------------------------------------------------------------------------------------------
// The shared corpus

fn corpus() -> Option<PathBuf> {
    let p = root().join("../shared/corpus");
    if p.is_dir() {
        Some(p.canonicalize().unwrap())
    } else {
        eprintln!("SKIPPED: corpus not found at {}", p.display());
        None
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = e.file_type().unwrap();
        if t.is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else if t.is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The corpus repositories that hold charts or kustomizations, copied into a temporary
/// directory with `bitnami/common` vendored into each Bitnami chart (their OCI dependency is
/// not reachable offline). The corpus itself is never modified.
fn prepared_corpus(c: &Path) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for repo in [
        "bitnami__charts",
        "GoogleCloudPlatform__microservices-demo",
        "istio__istio",
        "kubernetes__ingress-nginx",
    ] {
        copy_dir(&c.join(repo), &d.path().join(repo));
    }
    let bitnami = d.path().join("bitnami__charts/bitnami");
    for e in std::fs::read_dir(&bitnami).unwrap() {
        let chart = e.unwrap().path();
        if chart.file_name().unwrap() != "common" && chart.join("Chart.yaml").is_file() {
            copy_dir(&bitnami.join("common"), &chart.join("charts/common"));
        }
    }
    d
}

/// Directories holding one of `marker`, not looking inside charts (subcharts are not inputs).
fn find_dirs(dir: &Path, marker: &[&str], out: &mut Vec<PathBuf>) {
    if marker.iter().any(|m| dir.join(m).is_file()) {
        out.push(dir.to_path_buf());
    }
    if dir.join("Chart.yaml").is_file() {
        return;
    }
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            find_dirs(&p, marker, out);
        }
    }
}

#[test]
fn every_corpus_chart_and_kustomization_scans_with_findings_naming_their_sources() {
    let Some(c) = corpus() else { return };
    let (Some(_), Some(_)) = (helm(), kustomize()) else {
        return;
    };
    let prepared = prepared_corpus(&c);
    let base = prepared.path();
    let mut charts = Vec::new();
    find_dirs(base, &["Chart.yaml"], &mut charts);
    let mut kusts = Vec::new();
    find_dirs(
        base,
        &["kustomization.yaml", "kustomization.yml", "Kustomization"],
        &mut kusts,
    );
    charts.sort();
    kusts.sort();
    assert_eq!(charts.len(), 13, "{charts:#?}");
    assert_eq!(kusts.len(), 32, "{kusts:#?}");

    // the whole prepared corpus at once: no input error, no chart or kustomization rendered
    // twice, library charts and unused components skipped with their reason
    let whole = scan(&[base.to_str().unwrap()]);
    let errors = whole.json["errors"].as_array().unwrap();
    assert!(
        errors.iter().all(|e| !e["line"].is_null()),
        "render errors: {errors:#?}"
    );
    let skipped = whole.json["skipped"].as_array().unwrap();
    let skipped_dirs: Vec<&str> = skipped
        .iter()
        .filter(|s| {
            let r = s["reason"].as_str().unwrap();
            r.starts_with("library chart") || r.starts_with("kustomize Component")
        })
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert_eq!(skipped_dirs.len(), 10, "{skipped_dirs:#?}");
    let rendered_files: std::collections::BTreeSet<&str> = findings(&whole.json)
        .iter()
        .filter_map(|f| f["file"].as_str())
        .filter(|f| f.ends_with(" (helm template)") || f.ends_with(" (kustomize)"))
        .collect();
    assert!(
        !rendered_files
            .iter()
            .any(|f| f.ends_with("kustomize/base (kustomize)")),
        "the microservices-demo base is reported through the kustomizations that use it"
    );

    // each chart and each kustomization on its own
    let mut table = Vec::new();
    let (mut total_objects, mut total_findings) = (0, 0);
    for (dir, tool) in charts
        .iter()
        .map(|d| (d, "helm template"))
        .chain(kusts.iter().map(|d| (d, "kustomize")))
    {
        let rel = dir.strip_prefix(base).unwrap().display().to_string();
        let s = scan(&[dir.to_str().unwrap()]);
        let errors = s.json["errors"].as_array().unwrap();
        assert!(errors.is_empty(), "{rel}: {errors:#?}");
        // (a directory may hold other kustomizations: microservices-demo's kustomize/)
        let dir_s = dir.display().to_string();
        let itself = s.json["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["file"] == dir_s.as_str());
        if let Some(skip) = itself {
            let reason = skip["reason"].as_str().unwrap();
            assert!(
                reason.starts_with("library chart") || reason.starts_with("kustomize Component"),
                "{rel}: {reason}"
            );
            table.push(format!(
                "{rel:<70} skipped: {}",
                &reason[..reason.len().min(40)]
            ));
            continue;
        }
        let objects = s.json["summary"]["objects"].as_u64().unwrap();
        let virtual_path = format!("{} ({tool})", dir.display());
        let (mut by_key, mut by_parent, mut n) = (0, 0, 0);
        for f in findings(&s.json).iter().filter(|f| !f["object"].is_null()) {
            n += 1;
            // (a kustomization may hold another root in a subdirectory: aws/nlb-with-tls-...)
            let file = f["file"].as_str().unwrap();
            assert!(
                file == virtual_path
                    || (tool == "kustomize"
                        && file.starts_with(&dir.display().to_string())
                        && file.ends_with(" (kustomize)")),
                "{rel}: {f}"
            );
            let src = &f["source"];
            let file = src["file"]
                .as_str()
                .unwrap_or_else(|| panic!("{rel}: no source: {f}"));
            assert!(Path::new(file).is_file(), "{rel}: {file} does not exist");
            if tool == "helm template" {
                assert!(
                    file.starts_with(&dir.display().to_string()) && file.contains("/templates/"),
                    "{rel}: {file}"
                );
            }
            match src["match"].as_str().unwrap() {
                "key" => by_key += 1,
                "parent" => by_parent += 1,
                "document" => {}
                other => panic!("{rel}: match {other}"),
            }
        }
        // istio's tag-chart renders nothing with its default values; istio's base chart
        // (CRDs, RBAC, webhooks) has objects but nothing to report on them
        if !rel.ends_with("ambient-argo/tag-chart") {
            assert!(objects > 0, "{rel}: no objects");
        }
        if !rel.ends_with("ambient-argo/tag-chart") && !rel.ends_with("charts/base") {
            assert!(n > 0, "{rel}: no findings");
        }
        assert!(
            (by_key + by_parent) * 10 >= n * 9,
            "{rel}: only {by_key} + {by_parent} of {n} findings located by key or parent"
        );
        total_objects += objects;
        total_findings += n;
        table.push(format!(
            "{rel:<70} {objects:>3} objects {n:>4} findings ({by_key} key, {by_parent} parent)"
        ));
    }
    eprintln!("{}", table.join("\n"));
    eprintln!("total: {total_objects} objects, {total_findings} findings on objects");
}
