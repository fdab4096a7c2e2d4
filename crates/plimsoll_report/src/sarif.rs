//! SARIF 2.1.0, with rule metadata and help, ready for code-scanning upload.
//!
//! Columns are Unicode code points (`columnKind: unicodeCodePoints`), which is what Plimsoll
//! counts. Findings about the whole scan have no location.

use plimsoll_model::{RuleMeta, Severity};
use serde_json::{Value, json};

use crate::ReportInput;
use crate::fingerprint::fingerprint;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity` (0-10) buckets: critical ≥ 9, high ≥ 7, medium ≥ 4.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "7.5",
        Severity::Medium => "5.0",
        Severity::Low => "2.0",
    }
}

fn rule(m: &RuleMeta) -> Value {
    let mut docs = String::new();
    for line in m.docs.lines() {
        docs.push_str(line.strip_prefix(' ').unwrap_or(line));
        docs.push('\n');
    }
    json!({
        "id": m.id,
        "name": m.name,
        "shortDescription": {"text": m.summary},
        "fullDescription": {"text": m.rationale()},
        "help": {"text": m.fix(), "markdown": docs},
        "defaultConfiguration": {"level": level(m.severity)},
        "properties": {
            "gap": m.gap.as_str(),
            "severity": m.severity.as_str(),
            "security-severity": security_severity(m.severity),
            "tags": ["production-readiness", m.gap.as_str()],
        }
    })
}

pub fn render(input: &ReportInput<'_>) -> Value {
    let rules: Vec<Value> = input.rules.iter().map(|m| rule(m)).collect();
    let index_of = |id: &str| input.rules.iter().position(|m| m.id == id);
    let results: Vec<Value> = input
        .scan
        .findings
        .iter()
        .map(|f| {
            let path = f.loc.map(|l| input.scan.path(l.file)).unwrap_or("");
            let mut r = json!({
                "ruleId": f.rule.id,
                "level": level(f.severity),
                "message": {"text": &*f.message},
                "partialFingerprints": {"plimsoll/v1": fingerprint(f, path)},
                "properties": {"gap": f.rule.gap.as_str(), "severity": f.severity.as_str()},
            });
            if let Some(i) = index_of(f.rule.id) {
                r["ruleIndex"] = json!(i);
            }
            if let Some(l) = f.loc {
                let mut loc = json!({
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(path)},
                        "region": {"startLine": l.line, "startColumn": l.column},
                    }
                });
                if let Some(o) = &f.object {
                    let mut name = o.to_string();
                    if let Some(c) = &f.container {
                        name.push_str(&format!("/containers/{c}"));
                    }
                    loc["logicalLocations"] =
                        json!([{"fullyQualifiedName": name, "kind": "object"}]);
                }
                r["locations"] = json!([loc]);
            }
            if let Some(reason) = &f.suppressed {
                r["suppressions"] = json!([{"kind": "inSource", "justification": &**reason}]);
            }
            r
        })
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "plimsoll",
                "version": input.tool_version,
                "semanticVersion": input.tool_version,
                "informationUri": "https://github.com/plimsoll-dev/plimsoll",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{
                "executionSuccessful": input.scan.errors.is_empty(),
                "toolExecutionNotifications": input.scan.errors.iter().map(|e| {
                    let mut n = json!({"level": "error", "message": {"text": e.message}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(&e.file)}}}]});
                    if let (Some(line), Some(col)) = (e.line, e.column) {
                        n["locations"][0]["physicalLocation"]["region"] = json!({"startLine": line, "startColumn": col});
                    }
                    n
                }).collect::<Vec<_>>(),
            }],
        }],
    })
}

/// A relative URI reference for a path (forward slashes, percent-encoded where needed).
fn uri(path: &str) -> String {
    let p = path.strip_prefix("./").unwrap_or(path);
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            b'\\' => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
