//! Baselines: accept today's findings as known debt, fail only on new ones, report fixed ones.

use std::collections::HashMap;

use plimsoll_ingest::ScanResult;
use serde::{Deserialize, Serialize};

use crate::fingerprint::fingerprint;

pub const SCHEMA: &str = "plimsoll/baseline/v1";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub file: Option<String>,
    pub object: Option<String>,
    pub message: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub schema: String,
    pub findings: Vec<Entry>,
}

fn entry(scan: &ScanResult, f: &plimsoll_model::Finding) -> Entry {
    let file = f.loc.map(|l| scan.path(l.file).to_string());
    Entry {
        fingerprint: fingerprint(f, file.as_deref().unwrap_or("")),
        rule: f.rule.id.to_string(),
        file,
        object: f.object.as_ref().map(|o| o.to_string()),
        message: f.message.to_string(),
    }
}

/// The baseline of a scan: every finding that is not suppressed.
pub fn create(scan: &ScanResult) -> Baseline {
    let mut findings: Vec<Entry> = scan
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| entry(scan, f))
        .collect();
    findings.sort_by(|a, b| {
        (&a.file, &a.rule, &a.fingerprint).cmp(&(&b.file, &b.rule, &b.fingerprint))
    });
    Baseline {
        schema: SCHEMA.to_string(),
        findings,
    }
}

pub fn load(text: &str) -> Result<Baseline, String> {
    let b: Baseline =
        serde_json::from_str(text).map_err(|e| format!("not a Plimsoll baseline: {e}"))?;
    if b.schema != SCHEMA {
        return Err(format!("baseline schema `{}` is not `{SCHEMA}`", b.schema));
    }
    Ok(b)
}

/// What applying a baseline did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Outcome {
    pub file: String,
    /// Findings that were in the baseline (now marked suppressed).
    pub known: usize,
    /// Findings not in the baseline.
    pub new: usize,
    /// Baseline entries no longer found.
    pub fixed: Vec<Entry>,
}

/// Mark findings present in the baseline as suppressed (known debt). Matching is by fingerprint,
/// as a multiset: two identical findings need two baseline entries.
pub fn apply(scan: &mut ScanResult, baseline: &Baseline, file: &str) -> Outcome {
    let mut left: HashMap<&str, Vec<&Entry>> = HashMap::new();
    for e in &baseline.findings {
        left.entry(e.fingerprint.as_str()).or_default().push(e);
    }
    let mut out = Outcome {
        file: file.to_string(),
        ..Default::default()
    };
    let fps: Vec<Option<String>> = scan
        .findings
        .iter()
        .map(|f| f.suppressed.is_none().then(|| entry(scan, f).fingerprint))
        .collect();
    for (f, fp) in scan.findings.iter_mut().zip(fps) {
        let Some(fp) = fp else { continue };
        match left.get_mut(fp.as_str()).and_then(|v| v.pop()) {
            Some(_) => {
                out.known += 1;
                f.suppressed = Some(format!("baseline: known in {file}").into());
            }
            None => out.new += 1,
        }
    }
    out.fixed = left.into_values().flatten().cloned().collect();
    out.fixed
        .sort_by(|a, b| (&a.file, &a.rule).cmp(&(&b.file, &b.rule)));
    out
}
