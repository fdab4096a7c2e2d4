//! The one generic driver for every rule's fixtures.
//!
//! For each registered rule, `src/rules/<gap>/fixtures/<RULE-ID>/` must hold at least one
//! `fail*` and one `pass*` file. Each fixture is scanned alone with every rule (cross-object
//! rules included); a `fail` fixture must produce at least one finding of that rule, whose
//! rendering is snapshotted, and a `pass` fixture none.

use std::path::{Path, PathBuf};

use std::collections::HashMap;

use plimsoll_model::{FileId, Index};
use plimsoll_rules::{Engine, Finding, suppress};
use plimsoll_yaml::{Limits, SourceFile, parse};

fn fixture_dir(gap: &str, id: &str) -> PathBuf {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    let by_gap = rules.join(gap).join("fixtures").join(id);
    if by_gap.is_dir() {
        return by_gap;
    }
    // rules grouped by platform (`rules/dockerfile/`) keep their fixtures beside them
    std::fs::read_dir(&rules)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("fixtures").join(id))
        .find(|p| p.is_dir())
        .unwrap_or(by_gap)
}

/// A fixture named `*.Dockerfile` (or `Dockerfile*`) is read as a Dockerfile.
fn is_dockerfile(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    name.ends_with(".Dockerfile") || name.starts_with("Dockerfile")
}

fn scan_dockerfile(engine: &Engine, path: &Path) -> (SourceFile, Vec<Finding>) {
    let text = std::fs::read_to_string(path).unwrap();
    let d = plimsoll_formats::dockerfile::parse(SourceFile::new(path.display().to_string(), text));
    assert!(
        d.errors.is_empty(),
        "{}: fixture does not parse: {:?}",
        path.display(),
        d.errors
    );
    let findings = engine.check_dockerfile(FileId(0), &d);
    (d.source, findings)
}

/// A fixture named `*.compose.yaml` (or `*.compose.yml`) is read as a Compose file.
fn is_compose(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    name.ends_with(".compose.yaml") || name.ends_with(".compose.yml")
}

/// A fixture named `*.service` (`.socket`, `.timer`, `.mount`, `.path`, `.target`) is read as
/// a systemd unit.
fn is_unit(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e,
            "service" | "socket" | "timer" | "mount" | "path" | "target"
        )
    })
}

fn scan_compose(engine: &Engine, path: &Path) -> (SourceFile, Vec<Finding>) {
    let text = std::fs::read_to_string(path).unwrap();
    let c = plimsoll_formats::compose::parse(
        SourceFile::new(path.display().to_string(), text),
        &Limits::default(),
    );
    assert!(
        c.errors.is_empty(),
        "{}: fixture does not parse: {:?}",
        path.display(),
        c.errors
    );
    let findings = engine.check_compose(FileId(0), &c);
    (c.yaml.source, findings)
}

fn scan_unit(engine: &Engine, path: &Path) -> (SourceFile, Vec<Finding>) {
    let text = std::fs::read_to_string(path).unwrap();
    let u = plimsoll_formats::systemd::parse(SourceFile::new(path.display().to_string(), text));
    assert!(
        u.errors.is_empty(),
        "{}: fixture does not parse: {:?}",
        path.display(),
        u.errors
    );
    let findings = engine.check_unit(FileId(0), &u);
    (u.source, findings)
}

fn scan(engine: &Engine, path: &Path) -> Vec<Finding> {
    if is_dockerfile(path) {
        let (source, findings) = scan_dockerfile(engine, path);
        return apply_suppressions(&source, &Index::new(Vec::new()), findings);
    }
    if is_compose(path) {
        let (source, findings) = scan_compose(engine, path);
        return apply_suppressions(&source, &Index::new(Vec::new()), findings);
    }
    if is_unit(path) {
        let (source, findings) = scan_unit(engine, path);
        return apply_suppressions(&source, &Index::new(Vec::new()), findings);
    }
    let text = std::fs::read_to_string(path).unwrap();
    let yaml = parse(
        SourceFile::new(path.display().to_string(), text),
        &Limits::default(),
    );
    assert!(
        yaml.errors.is_empty(),
        "{}: fixture does not parse: {:?}",
        path.display(),
        yaml.errors
    );
    let out = engine.check_yaml(FileId(0), &yaml, None);
    let ix = Index::new(out.facts);
    let mut findings = out.findings;
    findings.extend(engine.check_index(&ix));
    apply_suppressions(&yaml.source, &ix, findings)
}

fn apply_suppressions(source: &SourceFile, ix: &Index, mut findings: Vec<Finding>) -> Vec<Finding> {
    // suppressions apply as in a real scan (inline comments and annotations)
    let inline: Vec<_> = suppress::inline_directives(FileId(0), source);
    let inline = HashMap::from([(FileId(0), inline)]);
    let input = suppress::SuppressionInput {
        index: ix,
        inline: &inline,
        exemptions: &[],
        not_suppressible: &[],
        today: plimsoll_rules::date::today(),
    };
    suppress::apply(&mut findings, &input);
    findings.retain(|f| f.suppressed.is_none());
    findings
}

fn render(findings: &[&Finding]) -> String {
    let mut s = String::new();
    for f in findings {
        let at = f
            .loc
            .map(|l| format!("{}:{}", l.line, l.column))
            .unwrap_or_else(|| "-".into());
        let obj = f
            .object
            .as_ref()
            .map(|o| o.to_string())
            .unwrap_or_else(|| "(scan)".into());
        let container = f
            .container
            .as_deref()
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default();
        s.push_str(&format!(
            "{at} {} {} {obj}{container}: {}\n",
            f.rule.id, f.severity, f.message
        ));
    }
    s
}

#[test]
fn every_rule_passes_and_fails_its_fixtures() {
    let engine = Engine::with_all_rules();
    let mut problems = Vec::new();
    let mut checked = 0;
    for rule in engine.rules() {
        let m = rule.meta();
        let dir = fixture_dir(m.gap.as_str(), m.id);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            problems.push(format!("{}: no fixture directory {}", m.id, dir.display()));
            continue;
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        // a `plimsoll.yaml` beside the fixtures configures the engine for them (rules that
        // read settings such as `allowedRegistries` report nothing without them)
        let configured = dir.join("plimsoll.yaml");
        let local;
        let engine: &Engine = if configured.is_file() {
            let text = std::fs::read_to_string(&configured).unwrap();
            let all = plimsoll_rules::registry::all();
            let cfg = plimsoll_rules::config::parse_config(
                &configured.display().to_string(),
                &text,
                &all,
            )
            .unwrap_or_else(|e| panic!("{}: {e:?}", configured.display()));
            let resolved = cfg.resolve(&all, None).unwrap();
            local = Engine::new(resolved.rules, resolved.settings);
            &local
        } else {
            &engine
        };
        let (mut fails, mut passes) = (0, 0);
        for path in files {
            let stem = path.file_name().unwrap().to_string_lossy().to_string();
            let all = scan(engine, &path);
            let mine: Vec<&Finding> = all.iter().filter(|f| f.rule.id == m.id).collect();
            if stem.starts_with("fail") {
                fails += 1;
                if mine.is_empty() {
                    problems.push(format!("{}: {stem} produced no {} finding", m.id, m.id));
                } else {
                    insta::with_settings!({snapshot_suffix => stem.clone(), prepend_module_to_snapshot => false}, {
                        insta::assert_snapshot!(m.id, render(&mine));
                    });
                }
            } else if stem.starts_with("pass") {
                passes += 1;
                if !mine.is_empty() {
                    problems.push(format!(
                        "{}: {stem} produced findings:\n{}",
                        m.id,
                        render(&mine)
                    ));
                }
            }
            checked += 1;
        }
        if fails == 0 || passes == 0 {
            problems.push(format!(
                "{}: needs fail and pass fixtures (has {fails} fail, {passes} pass)",
                m.id
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(checked > 0);
}

#[test]
fn every_rule_is_documented_and_ids_are_unique() {
    let engine = Engine::with_all_rules();
    let mut ids = std::collections::HashSet::new();
    let mut names = std::collections::HashSet::new();
    for rule in engine.rules() {
        let m = rule.meta();
        assert!(ids.insert(m.id), "duplicate id {}", m.id);
        assert!(names.insert(m.name), "duplicate name {}", m.name);
        let prefix_ok = m.id.len() == 7
            && m.id.as_bytes()[3] == b'-'
            && m.id[4..].bytes().all(|b| b.is_ascii_digit());
        assert!(prefix_ok, "{}: ids look like ABC-123", m.id);
        for section in ["What it does", "Why it matters", "How to fix", "Severity"] {
            assert!(
                !m.section(section).is_empty(),
                "{}: missing `## {section}` section",
                m.id
            );
        }
        assert!(!m.summary.is_empty());
    }
}
