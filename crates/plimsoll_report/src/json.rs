//! The `plimsoll/report/v1` JSON contract. Fields may be added, never removed.

use serde_json::{Map, Value, json};

use crate::ReportInput;
use crate::fingerprint::fingerprint;

pub const SCHEMA: &str = "plimsoll/report/v1";

pub fn render(input: &ReportInput<'_>) -> Value {
    let s = input.summary;
    let mut gaps = Map::new();
    for g in &s.gaps {
        gaps.insert(
            g.gap.as_str().to_string(),
            json!({"score": g.score, "findings": g.findings}),
        );
    }
    let findings: Vec<Value> = input
        .scan
        .findings
        .iter()
        .map(|f| {
            let file = f.loc.map(|l| input.scan.path(l.file).to_string());
            let object = f.object.as_ref().map(|o| {
                json!({
                    "kind": &*o.kind,
                    "apiVersion": &*o.api_version,
                    "namespace": o.namespace.as_deref(),
                    "name": &*o.name,
                    "container": f.container.as_deref(),
                })
            });
            json!({
                "rule": f.rule.id,
                "name": f.rule.name,
                "gap": f.rule.gap,
                "severity": f.severity,
                "message": &*f.message,
                "fix": f.rule.fix_text(),
                "file": file,
                "line": f.loc.map(|l| l.line),
                "column": f.loc.map(|l| l.column),
                "object": object,
                "suppressed": f.suppressed.as_deref(),
                "fingerprint": fingerprint(f, file.as_deref().unwrap_or("")),
            })
        })
        .collect();
    let errors: Vec<Value> = input
        .scan
        .errors
        .iter()
        .map(|e| json!({"file": e.file, "line": e.line, "column": e.column, "message": e.message}))
        .collect();
    let mut v = json!({
        "schema": SCHEMA,
        "tool": {"name": "plimsoll", "version": input.tool_version},
        "summary": {
            "files": s.files,
            "documents": s.documents,
            "objects": s.objects,
            "stage": s.stage,
            "counts": {
                "critical": s.counts[0],
                "high": s.counts[1],
                "medium": s.counts[2],
                "low": s.counts[3],
            },
            "suppressed": s.suppressed,
            "gaps": gaps,
            "evidence": s.evidence,
        },
        "findings": findings,
        "errors": errors,
    });
    if let Some(b) = &s.baseline {
        v["baseline"] = serde_json::to_value(b).expect("baseline serialises");
    }
    v
}
