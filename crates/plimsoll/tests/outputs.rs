//! The readiness report (Markdown, HTML), the CI outputs (JUnit, GitHub, GitLab) and the
//! pre-commit hook, each checked by what consumes it where possible: JUnit by `junitparser`, the
//! HTML by headless Chromium, the hook by the real `pre-commit`.
//!
//! The tools come from `scripts/test.d/20-report-tools.sh`, which prints `PLIMSOLL_PYTHON` and
//! `PLIMSOLL_CHROMIUM`. A test whose tool is missing fails when `CI` is set and prints
//! `SKIPPED: ...` otherwise.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs plimsoll in `dir`: (stdout, exit code, stderr).
fn run_in(dir: &Path, args: &[&str]) -> (String, i32, String) {
    let out = Command::cargo_bin("plimsoll")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn run(args: &[&str]) -> (String, i32, String) {
    run_in(&root(), args)
}

fn json_of(dir: &Path, path: &str) -> Value {
    let (out, _, err) = run_in(dir, &["scan", path, "--format", "json"]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {err}"))
}

/// A tool that the setup hook installs, or `None` (skip) outside CI.
fn require(what: &str, found: Option<PathBuf>) -> Option<PathBuf> {
    if found.is_some() {
        return found;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{what} is missing and CI is set: scripts/test.d/20-report-tools.sh installs it"
    );
    println!("SKIPPED: {what} is missing (scripts/test.d/20-report-tools.sh installs it)");
    None
}

/// A Python that can import `module`.
fn python_with(module: &str) -> Option<PathBuf> {
    let python = std::env::var_os("PLIMSOLL_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let ok = Process::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    require(&format!("Python with `{module}`"), ok.then_some(python))
}

fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PLIMSOLL_CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|p| p.is_file());
    require("Chromium", found)
}

/// The PoC example plus a privileged pod whose finding is suppressed with a reason.
fn poc_with_a_suppression() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("examples/poc/shop.yaml"),
        d.path().join("shop.yaml"),
    )
    .unwrap();
    std::fs::write(
        d.path().join("agent.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\n  namespace: ops\n  annotations:\n    plimsoll.dev/ignore: \"WKL-001 reason=node agent needs the host, ticket OPS-7\"\nspec:\n  containers:\n    - name: agent\n      image: ghcr.io/acme/agent:1.0.0\n      securityContext:\n        privileged: true\n",
    )
    .unwrap();
    d
}

const GAP_ORDER: [&str; 10] = [
    "image",
    "storage",
    "network",
    "observability",
    "access",
    "workload",
    "resilience",
    "secrets",
    "change",
    "recovery",
];

// ---------------------------------------------------------------------------------------------
// Markdown and the plan

#[test]
fn report_writes_markdown_with_stage_scores_and_the_plan_and_exits_0() {
    let (md, code, err) = run(&["report", "examples/poc"]);
    assert_eq!(code, 0, "report never fails on findings: {err}");
    assert!(md.starts_with("# Plimsoll readiness report\n"), "{md}");
    assert!(md.contains("**Stage: poc**"));
    assert!(md.contains("## Scores"));
    for title in ["Image and supply chain (`image`)", "Recovery (`recovery`)"] {
        assert!(md.contains(title), "{title} missing");
    }
    let plan_at = md.find("## The plan: poc → pilot").expect("the plan");
    let findings_at = md.find("## Findings by gap").expect("the findings");
    assert!(plan_at < findings_at);
    let plan = &md[plan_at..findings_at];
    assert!(plan.contains("To reach **pilot**, fix every critical finding"));

    // every critical finding's rule and place is in the plan; nothing else is
    let v = json_of(&root(), "examples/poc");
    let critical: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "critical")
        .collect();
    assert!(!critical.is_empty());
    for f in &critical {
        let rule = f["rule"].as_str().unwrap();
        assert!(
            plan.contains(&format!("**`{rule}`**")),
            "{rule} not in the plan:\n{plan}"
        );
        let place = format!("`{}:{}`", f["file"].as_str().unwrap(), f["line"]);
        assert!(plan.contains(&place), "{place} not in the plan");
    }
    let rules: HashSet<&str> = critical
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    // numbered 1..n, one change per rule, in plan order of gaps
    let steps: Vec<&str> = plan
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .collect();
    assert_eq!(steps.len(), rules.len(), "one change per rule:\n{plan}");
    let mut last_gap = 0;
    for (i, line) in steps.iter().enumerate() {
        assert!(line.starts_with(&format!("{}. **`", i + 1)), "{line}");
        let gap = line
            .rsplit(", ")
            .next()
            .unwrap()
            .trim_end_matches([')', ' ']);
        let pos = GAP_ORDER
            .iter()
            .position(|g| *g == gap)
            .unwrap_or_else(|| panic!("gap of {line}"));
        assert!(pos >= last_gap, "steps out of plan order:\n{plan}");
        last_gap = pos;
    }

    // `scan --format markdown` is the same report, with the gate's exit code
    let (md2, code2, _) = run(&["scan", "examples/poc", "--format", "markdown"]);
    assert_eq!(md2, md);
    assert_eq!(code2, 1);
}

#[test]
fn report_exits_2_on_unreadable_input_and_rejects_other_formats() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("broken.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: [oops\n",
    )
    .unwrap();
    let (md, code, _) = run_in(d.path(), &["report", "."]);
    assert_eq!(code, 2);
    assert!(md.contains("## Input errors"), "{md}");
    assert!(md.contains("broken.yaml"));
    let (_, code, err) = run(&["report", "examples/poc", "--format", "json"]);
    assert_eq!(code, 2, "{err}");
    // --output writes the file
    let out = d.path().join("r.html");
    let (_, code, _) = run(&[
        "report",
        "examples/poc",
        "-f",
        "html",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
}

#[test]
fn production_example_report_says_what_is_left_for_production() {
    let (md, code, _) = run(&["report", "examples/production"]);
    assert_eq!(code, 0);
    // whatever the stage, the plan section names it and never lists a suppressed finding
    assert!(md.contains("## The plan"), "{md}");
}

// ---------------------------------------------------------------------------------------------
// HTML

#[test]
fn html_report_is_one_self_contained_file() {
    let (html, code, _) = run(&["report", "examples/poc", "--format", "html"]);
    assert_eq!(code, 0);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.contains(r#"<svg id="chart-scores""#));
    assert!(html.contains(r#"<svg id="chart-severity""#));
    assert!(html.contains("@media print"));
    assert!(html.contains(r#"<ol class="plan">"#));
    assert_eq!(
        html.matches(r#"<g class="bar" data-gap="#).count(),
        10,
        "a bar per gap"
    );
    assert_eq!(html.matches(r#"<g class="bar" data-severity="#).count(), 5);
    // nothing to fetch, nothing to run
    let lower = html.to_lowercase();
    for needle in [
        "<script",
        "<link",
        "<img",
        "<iframe",
        "src=",
        "url(",
        "@import",
        "@font-face",
        "href=\"http",
    ] {
        assert!(!lower.contains(needle), "the report contains `{needle}`");
    }
}

#[test]
fn hostile_names_are_escaped_in_markdown_and_html() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("evil.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"x<img src=x onerror=alert(1)>\"\n  namespace: \"ns|*[a](javascript:b)*\"\nspec:\n  containers:\n    - name: \"c</td><script>alert(2)</script>\"\n      image: \"nginx\"\n      securityContext:\n        privileged: true\n",
    )
    .unwrap();
    let (html, _, _) = run_in(d.path(), &["report", ".", "--format", "html"]);
    assert!(html.contains("WKL-001"), "the pod was scanned");
    let lower = html.to_lowercase();
    assert!(!lower.contains("<img"), "unescaped <img> in HTML");
    assert!(!lower.contains("<script"), "unescaped <script> in HTML");
    assert!(html.contains("x&lt;img src=x onerror=alert(1)&gt;"));
    let (md, _, _) = run_in(d.path(), &["report", "."]);
    assert!(md.contains("WKL-001"));
    assert!(
        !md.contains("<img") && !md.contains("<script") && !md.contains("</td>"),
        "raw HTML in Markdown:\n{md}"
    );
    // table rows keep their five cells: every `|` from user input is escaped
    for row in md
        .lines()
        .filter(|l| l.starts_with("| critical |") || l.starts_with("| high |"))
    {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 6, "a pipe broke the table: {row}");
    }
}

#[test]
fn html_report_renders_in_headless_chromium_without_console_errors() {
    let Some(chromium) = chromium() else { return };
    let d = tempfile::tempdir().unwrap();
    let page = d.path().join("report.html");
    let (_, code, _) = run(&[
        "report",
        "examples/poc",
        "-f",
        "html",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    // a page that does log errors, to prove the check sees them
    let control = d.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><body><p>x</p><script>console.error('boom')</script></body></html>",
    )
    .unwrap();
    let load = |file: &Path| {
        let out = Process::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
            ])
            .arg(format!(
                "--user-data-dir={}",
                d.path().join("profile").display()
            ))
            .arg(format!("file://{}", file.display()))
            .output()
            .expect("run chromium");
        assert!(
            out.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let console: Vec<String> = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .map(str::to_string)
            .collect();
        (String::from_utf8_lossy(&out.stdout).into_owned(), console)
    };
    let (_, control_console) = load(&control);
    assert!(
        control_console.iter().any(|l| l.contains("boom")),
        "the console check sees nothing: {control_console:?}"
    );

    let (dom, console) = load(&page);
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert!(
        dom.contains(r#"id="chart-scores""#),
        "no score chart in the DOM"
    );
    assert!(
        dom.contains(r#"id="chart-severity""#),
        "no severity chart in the DOM"
    );
    assert_eq!(dom.matches(r#"data-gap="#).count(), 10);
    assert!(dom.contains(r#"<ol class="plan">"#));
    assert!(dom.contains("stage-poc"));
}

// ---------------------------------------------------------------------------------------------
// JUnit, read by junitparser

const JUNIT_STATS: &str = r#"
import json, sys
from junitparser import JUnitXml, Failure, Skipped, Error
xml = JUnitXml.fromfile(sys.argv[1])
suites = []
for suite in xml:
    cases = list(suite)
    kinds = {"failure": 0, "skipped": 0, "error": 0, "passed": 0}
    files = 0
    for case in cases:
        results = case.result
        if any(isinstance(r, Failure) for r in results):
            kinds["failure"] += 1
        elif any(isinstance(r, Error) for r in results):
            kinds["error"] += 1
        elif any(isinstance(r, Skipped) for r in results):
            kinds["skipped"] += 1
        else:
            kinds["passed"] += 1
        if case._elem.get("file"):
            files += 1
    props = {p.name: p.value for p in suite.properties()}
    suites.append({"name": suite.name, "declared": [suite.tests, suite.failures, suite.errors, suite.skipped],
                   "cases": len(cases), "kinds": kinds, "with_file": files, "props": props})
print(json.dumps({"declared": [xml.tests, xml.failures, xml.errors, xml.skipped], "suites": suites}))
"#;

#[test]
fn junit_is_read_by_junitparser_with_a_case_per_rule_and_object() {
    let Some(python) = python_with("junitparser") else {
        return;
    };
    let d = poc_with_a_suppression();
    let xml = d.path().join("plimsoll.xml");
    let (_, code, err) = run_in(
        d.path(),
        &[
            "scan",
            ".",
            "--format",
            "junit",
            "--output",
            xml.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{err}");
    let out = Process::new(&python)
        .args(["-c", JUNIT_STATS])
        .arg(&xml)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "junitparser: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();

    // what the JSON says: per gap, (rule, object, container) -> any unsuppressed?
    let v = json_of(d.path(), ".");
    // (any unsuppressed, has a file)
    let mut expected: BTreeMap<String, BTreeMap<String, (bool, bool)>> = BTreeMap::new();
    for f in v["findings"].as_array().unwrap() {
        let key = format!(
            "{} {} {} {}",
            f["rule"], f["object"]["kind"], f["object"]["name"], f["object"]["container"]
        );
        let open = f["suppressed"].is_null();
        let e = expected
            .entry(f["gap"].as_str().unwrap().to_string())
            .or_default()
            .entry(key)
            .or_insert((false, false));
        e.0 |= open;
        e.1 |= f["file"].is_string();
    }
    let suites = stats["suites"].as_array().unwrap();
    let names: Vec<&str> = suites.iter().map(|s| s["name"].as_str().unwrap()).collect();
    let want: Vec<String> = GAP_ORDER.iter().map(|g| format!("plimsoll/{g}")).collect();
    assert_eq!(names, want, "a suite per gap in plan order");
    let (mut failures, mut skipped) = (0, 0);
    for (s, gap) in suites.iter().zip(GAP_ORDER) {
        let groups = expected.get(gap).cloned().unwrap_or_default();
        let want_failures = groups.values().filter(|(open, _)| *open).count();
        let want_skipped = groups.values().filter(|(open, _)| !*open).count();
        let want_files = groups.values().filter(|(_, file)| *file).count();
        assert_eq!(s["kinds"]["failure"], want_failures, "{gap}: {s}");
        assert_eq!(s["kinds"]["skipped"], want_skipped, "{gap}: {s}");
        assert!(
            s["kinds"]["passed"].as_u64().unwrap() > 0 || gap == "secrets",
            "rules without findings pass: {s}"
        );
        // the declared counts agree with the cases
        assert_eq!(s["declared"][0], s["cases"], "{s}");
        assert_eq!(s["declared"][1], s["kinds"]["failure"], "{s}");
        assert_eq!(s["declared"][3], s["kinds"]["skipped"], "{s}");
        assert_eq!(s["with_file"], want_files, "findings carry their file: {s}");
        assert!(s["props"]["score"].is_string(), "{s}");
        failures += want_failures;
        skipped += want_skipped;
    }
    assert!(skipped >= 1, "the suppressed WKL-001 is a skipped case");
    assert_eq!(stats["declared"][1], failures);
    assert_eq!(stats["declared"][3], skipped);
    assert_eq!(stats["declared"][2], 0);
}

#[test]
fn junit_reports_unreadable_inputs_as_errors() {
    let Some(python) = python_with("junitparser") else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("broken.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: [oops\n",
    )
    .unwrap();
    let xml = d.path().join("j.xml");
    let (_, code, _) = run_in(
        d.path(),
        &["scan", ".", "-f", "junit", "-o", xml.to_str().unwrap()],
    );
    assert_eq!(code, 2);
    let out = Process::new(&python)
        .args(["-c", JUNIT_STATS])
        .arg(&xml)
        .output()
        .unwrap();
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    let inputs = stats["suites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "plimsoll/inputs")
        .expect("inputs suite");
    assert_eq!(inputs["kinds"]["error"], 1);
    assert_eq!(stats["declared"][2], 1);
}

// ---------------------------------------------------------------------------------------------
// GitLab Code Quality

#[test]
fn gitlab_code_quality_has_the_documented_shape() {
    let d = poc_with_a_suppression();
    let (out, code, _) = run_in(d.path(), &["scan", ".", "--format", "gitlab"]);
    assert_eq!(code, 1);
    let issues: Vec<Value> = serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let v = json_of(d.path(), ".");
    let open: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .collect();
    assert_eq!(
        issues.len(),
        open.len(),
        "one issue per unsuppressed finding"
    );
    let mut fingerprints = HashSet::new();
    let mut by_severity: BTreeMap<String, usize> = BTreeMap::new();
    for i in &issues {
        let keys: HashSet<&str> = i.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            HashSet::from([
                "description",
                "check_name",
                "fingerprint",
                "severity",
                "location"
            ]),
            "{i}"
        );
        assert!(i["description"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(i["check_name"].as_str().is_some_and(|s| s.contains('-')));
        assert!(
            fingerprints.insert(i["fingerprint"].as_str().unwrap().to_string()),
            "duplicate fingerprint {i}"
        );
        let sev = i["severity"].as_str().unwrap();
        assert!(
            ["info", "minor", "major", "critical", "blocker"].contains(&sev),
            "{sev}"
        );
        *by_severity.entry(sev.to_string()).or_default() += 1;
        let path = i["location"]["path"].as_str().unwrap();
        assert!(
            !path.starts_with('/') && !path.starts_with("./"),
            "relative path: {path}"
        );
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
    let c = &v["summary"]["counts"];
    let n = |s: &str| by_severity.get(s).copied().unwrap_or(0);
    assert_eq!(
        (n("critical"), n("major"), n("minor"), n("info")),
        (
            c["critical"].as_u64().unwrap() as usize,
            c["high"].as_u64().unwrap() as usize,
            c["medium"].as_u64().unwrap() as usize,
            c["low"].as_u64().unwrap() as usize
        )
    );
    assert_eq!(n("blocker"), 0);
    // the WKL-001 on the PoC database points at the `privileged` key
    let wkl = issues
        .iter()
        .find(|i| i["check_name"] == "WKL-001")
        .unwrap();
    assert_eq!(wkl["location"]["path"], "shop.yaml");
    assert_eq!(wkl["severity"], "critical");

    // an unreadable file is a blocker
    std::fs::write(
        d.path().join("broken.yaml"),
        "kind: Pod\napiVersion: v1\nmetadata: [oops\n",
    )
    .unwrap();
    let (out, code, _) = run_in(d.path(), &["scan", ".", "--format", "gitlab"]);
    assert_eq!(code, 2);
    let issues: Value = serde_json::from_str(&out).unwrap();
    let blocker = issues
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["severity"] == "blocker")
        .expect("a blocker");
    assert_eq!(blocker["location"]["path"], "broken.yaml");
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions annotations

fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// (level, properties, message) of one workflow command line.
fn parse_command(line: &str) -> (String, BTreeMap<String, String>, String) {
    let rest = line
        .strip_prefix("::")
        .unwrap_or_else(|| panic!("not a command: {line}"));
    let (head, message) = rest.split_once("::").unwrap();
    let (level, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_string(), unescape(v))
        })
        .collect();
    (level.to_string(), props, unescape(message))
}

#[test]
fn github_annotations_escape_properties_and_messages() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("we,ird:dir");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("app.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\n  namespace: ops\nspec:\n  containers:\n    - name: \"a%0A::warning::x,b:c\"\n      image: ghcr.io/acme/agent:1.0.0\n      securityContext:\n        privileged: true\n",
    )
    .unwrap();
    let (out, code, _) = run_in(d.path(), &["scan", ".", "--format", "github"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines.iter().all(|l| l.starts_with("::")),
        "a message broke out of its command:\n{out}"
    );
    let wkl = lines
        .iter()
        .find(|l| l.contains("title=WKL-001"))
        .expect("the privileged finding");
    let (level, props, message) = parse_command(wkl);
    assert_eq!(level, "error");
    assert!(props["file"].ends_with("we,ird:dir/app.yaml"), "{props:?}");
    assert!(props["line"].parse::<u32>().unwrap() > 1);
    assert!(props["col"].parse::<u32>().unwrap() >= 1);
    assert!(props["title"].starts_with("WKL-001 privileged-container"));
    assert!(
        message.contains("a%0A::warning::x,b:c"),
        "the name survives escaping: {message}"
    );
    assert!(message.contains("\nfix: "), "{message}");
    // levels by severity
    let v = json_of(d.path(), ".");
    let findings = v["findings"].as_array().unwrap();
    let count = |sev: &[&str]| {
        findings
            .iter()
            .filter(|f| f["suppressed"].is_null() && sev.contains(&f["severity"].as_str().unwrap()))
            .count()
    };
    // one command per finding, then the closing stage notice
    let (stage, per_finding) = lines.split_last().unwrap();
    assert!(
        stage.starts_with("::notice title=Plimsoll readiness%3A stage poc::"),
        "{stage}"
    );
    let level_count = |lvl: &str| {
        per_finding
            .iter()
            .filter(|l| parse_command(l).0 == lvl)
            .count()
    };
    assert_eq!(
        per_finding.len(),
        count(&["critical", "high", "medium", "low"])
    );
    assert_eq!(level_count("error"), count(&["critical", "high"]));
    assert_eq!(level_count("warning"), count(&["medium"]));
    assert_eq!(level_count("notice"), count(&["low"]));
}

// ---------------------------------------------------------------------------------------------
// pre-commit

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Process::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=plimsoll-test",
            "-c",
            "user.email=test@plimsoll.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn pre_commit_runs_the_hooks_and_fails_on_a_bad_manifest() {
    let Some(python) = python_with("pre_commit") else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    // The hook repository: this repository's `.pre-commit-hooks.yaml` as it is in the working
    // tree, committed to a repository of its own (pre-commit only sees committed files, and the
    // hooks are `language: system`, so the definition file is all pre-commit needs from it).
    let hooks = d.path().join("hooks");
    std::fs::create_dir(&hooks).unwrap();
    git(&hooks, &["init", "-q"]);
    std::fs::copy(
        root().join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    git(&hooks, &["add", "."]);
    git(&hooks, &["commit", "-q", "-m", "hooks"]);
    let rev = git(&hooks, &["rev-parse", "HEAD"]);

    // The project: the production example, which passes the gate.
    let project = d.path().join("project");
    std::fs::create_dir_all(project.join("k8s")).unwrap();
    git(&project, &["init", "-q"]);
    for e in std::fs::read_dir(root().join("examples/production")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), project.join("k8s").join(e.file_name())).unwrap();
    }
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!("repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: plimsoll\n      - id: plimsoll-repo\n", hooks.display()),
    )
    .unwrap();
    git(&project, &["add", "."]);

    // the plimsoll under test, first on PATH
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_plimsoll"));
    let path = std::env::join_paths(std::iter::once(bin.parent().unwrap().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let pre_commit = || {
        let out = Process::new(&python)
            .current_dir(&project)
            .args(["-m", "pre_commit", "run", "--all-files", "--color", "never"])
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", d.path().join("cache"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("run pre-commit");
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, out) = pre_commit();
    assert_eq!(code, 0, "the production example passes:\n{out}");
    assert_eq!(out.matches("Passed").count(), 2, "both hooks ran:\n{out}");

    std::fs::write(
        project.join("k8s/agent.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\n  namespace: shop\nspec:\n  containers:\n    - name: agent\n      image: ghcr.io/acme/agent:1.0.0\n      securityContext:\n        privileged: true\n",
    )
    .unwrap();
    git(&project, &["add", "."]);
    let (code, out) = pre_commit();
    assert_eq!(code, 1, "a privileged pod fails the hooks:\n{out}");
    assert_eq!(
        out.matches("Failed").count(),
        2,
        "both hooks failed:\n{out}"
    );
    assert!(out.contains("WKL-001"), "the finding is shown:\n{out}");
    assert!(out.contains("k8s/agent.yaml"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// Rendered output points at its source

#[test]
fn annotations_of_rendered_output_point_at_the_source_file() {
    let kubectl = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("kubectl"))
            .find(|k| k.is_file())
    });
    if require("kubectl (renders Kustomize)", kubectl).is_none() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let base = d.path().join("base");
    std::fs::create_dir(&base).unwrap();
    std::fs::write(
        base.join("kustomization.yaml"),
        "resources:\n  - pod.yaml\n",
    )
    .unwrap();
    std::fs::write(
        base.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\n  namespace: ops\nspec:\n  containers:\n    - name: agent\n      image: ghcr.io/acme/agent:1.0.0\n      securityContext:\n        privileged: true\n",
    )
    .unwrap();
    let (out, _, err) = run_in(d.path(), &["scan", "base", "--format", "github"]);
    let wkl = out
        .lines()
        .find(|l| l.contains("title=WKL-001"))
        .unwrap_or_else(|| panic!("no WKL-001 annotation: {out}{err}"));
    let (_, props, _) = parse_command(wkl);
    assert_eq!(props["file"], "base/pod.yaml", "{wkl}");
    assert_eq!(props["line"], "11", "{wkl}");
    let (out, _, _) = run_in(d.path(), &["scan", "base", "--format", "gitlab"]);
    let issues: Value = serde_json::from_str(&out).unwrap();
    let wkl = issues
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["check_name"] == "WKL-001")
        .unwrap();
    assert_eq!(wkl["location"]["path"], "base/pod.yaml");
    assert_eq!(wkl["location"]["lines"]["begin"], 11);
    let (md, _, _) = run_in(d.path(), &["report", "base"]);
    assert!(md.contains("`base/pod.yaml:11`"), "{md}");
}
