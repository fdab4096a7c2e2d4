//! GitLab Code Quality JSON: an array of
//! `{description, check_name, fingerprint, severity, location: {path, lines: {begin}}}`, one per
//! unsuppressed finding, most severe first.
//!
//! Severities map by name (critical → `critical`, high → `major`, medium → `minor`, low →
//! `info`); an input that could not be read or parsed is a `blocker`, because nothing in it was
//! checked. Fingerprints are the stable finding fingerprints (they survive moved lines), made
//! unique within the report as GitLab requires. A finding about the whole scan has no file: its
//! path is `.` (the repository).

use std::collections::HashSet;

use plimsoll_model::{Finding, Severity};
use serde_json::{Value, json};

use crate::ReportInput;
use crate::fingerprint::fingerprint;
use crate::plan::place;

pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "major",
        Severity::Medium => "minor",
        Severity::Low => "info",
    }
}

fn unique(seen: &mut HashSet<String>, fp: String) -> String {
    if seen.insert(fp.clone()) {
        return fp;
    }
    let mut n = 2;
    loop {
        let candidate = format!("{fp}-{n}");
        if seen.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

fn relative(path: &str) -> &str {
    path.strip_prefix("./").unwrap_or(path)
}

pub fn render(input: &ReportInput<'_>) -> Value {
    let mut findings: Vec<(&Finding, _)> = input
        .scan
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| (f, place(input.scan, f)))
        .collect();
    findings
        .sort_by(|(a, pa), (b, pb)| (a.severity, pa, a.rule.id).cmp(&(b.severity, pb, b.rule.id)));
    let mut seen = HashSet::new();
    let mut out: Vec<Value> = Vec::new();
    for (f, at) in findings {
        // the fingerprint is the one JSON, SARIF and baselines use (of the scanned path)
        let scanned = f.loc.map(|l| input.scan.path(l.file)).unwrap_or("");
        let object = match (&f.object, &f.container) {
            (Some(o), Some(c)) => format!(" ({o} [{c}])"),
            (Some(o), None) => format!(" ({o})"),
            _ => " (the whole scan)".to_string(),
        };
        out.push(json!({
            "description": format!("{} {}: {}{object}", f.rule.id, f.rule.name, f.message),
            "check_name": f.rule.id,
            "fingerprint": unique(&mut seen, fingerprint(f, scanned)),
            "severity": severity(f.severity),
            "location": {
                "path": relative(at.as_ref().map_or(".", |p| p.file.as_str())),
                "lines": {"begin": at.as_ref().map_or(1, |p| p.line)},
            },
        }));
    }
    for e in &input.scan.errors {
        let fp = format!("input-error:{}:{}", e.file, e.message);
        out.push(json!({
            "description": format!("plimsoll could not check this file: {}", e.message),
            "check_name": "plimsoll/input-error",
            "fingerprint": unique(&mut seen, fp),
            "severity": "blocker",
            "location": {
                "path": relative(&e.file),
                "lines": {"begin": e.line.unwrap_or(1)},
            },
        }));
    }
    Value::Array(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_made_unique() {
        let mut seen = HashSet::new();
        assert_eq!(unique(&mut seen, "ab".into()), "ab");
        assert_eq!(unique(&mut seen, "ab".into()), "ab-2");
        assert_eq!(unique(&mut seen, "ab".into()), "ab-3");
    }
}
