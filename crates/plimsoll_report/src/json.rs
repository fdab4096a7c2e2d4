//! The `plimsoll/report/v1` JSON contract. Fields may be added, never removed.
//!
//! The report is serialised straight from borrowed data ([`write`]), so a scan with a hundred
//! thousand findings does not build a JSON tree in memory first.

use std::io::Write;

use plimsoll_model::{Finding, Gap, Severity};
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

use crate::ReportInput;
use crate::fingerprint::fingerprint;

pub const SCHEMA: &str = "plimsoll/report/v1";

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    tool: Tool<'a>,
    summary: SummaryOut<'a>,
    findings: Findings<'a>,
    errors: Vec<ErrorOut<'a>>,
    skipped: Vec<SkippedOut<'a>>,
    /// Every systemd unit scanned, with its `systemd-analyze security` exposure (0.0-10.0).
    units: Vec<UnitOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a crate::baseline::Outcome>,
    /// The readiness declarations (`readiness.yaml`): what the scan verified and what is only
    /// attested; `null` when there are none.
    declarations: Option<DeclarationsOut>,
}

/// The declarations as reports show them (also used by the Markdown, HTML and human outputs).
#[derive(Serialize)]
pub struct DeclarationsOut {
    /// The file they were read from.
    pub file: String,
    /// What Plimsoll checked against the scan, with the outcome.
    pub verified: Vec<VerifiedOut>,
    /// What is declared and cannot be checked: owners, contacts, on-call, runbook URLs, targets.
    pub attested: Vec<AttestedOut>,
}

#[derive(Serialize)]
pub struct VerifiedOut {
    /// `runbook-file`, `recovery-targets`, `rpo-schedule` or `workload`.
    pub check: plimsoll_model::declarations::Check,
    pub subject: String,
    pub ok: bool,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u32>,
}

#[derive(Serialize)]
pub struct AttestedOut {
    pub what: String,
    pub value: String,
    pub file: Option<String>,
    pub line: Option<u32>,
}

/// The declarations of the scan and their review, ready to show.
pub fn declarations(input: &ReportInput<'_>) -> Option<DeclarationsOut> {
    let ix = &input.scan.index;
    let d = ix.declarations.as_ref()?;
    let review = d.review(ix);
    let file = |l: Option<plimsoll_model::Loc>| l.map(|l| input.scan.path(l.file).to_string());
    Some(DeclarationsOut {
        file: input.scan.path(d.loc.file).to_string(),
        verified: review
            .verified
            .into_iter()
            .map(|v| VerifiedOut {
                check: v.check,
                file: file(v.loc),
                line: v.loc.map(|l| l.line),
                subject: v.subject,
                ok: v.ok,
                message: v.message,
            })
            .collect(),
        attested: review
            .attested
            .into_iter()
            .map(|a| AttestedOut {
                file: file(a.loc),
                line: a.loc.map(|l| l.line),
                what: a.what,
                value: a.value,
            })
            .collect(),
    })
}

#[derive(Serialize)]
struct UnitOut<'a> {
    file: &'a str,
    name: &'a str,
    exposure: f64,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct Counts {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
}

#[derive(Serialize)]
struct GapOut {
    score: u8,
    findings: usize,
}

struct Gaps<'a>(&'a crate::Summary);

impl Serialize for Gaps<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(Gap::ALL.len()))?;
        for g in &self.0.gaps {
            m.serialize_entry(
                g.gap.as_str(),
                &GapOut {
                    score: g.score,
                    findings: g.findings,
                },
            )?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct SummaryOut<'a> {
    files: usize,
    documents: usize,
    objects: usize,
    stage: crate::Stage,
    counts: Counts,
    suppressed: usize,
    gaps: Gaps<'a>,
    evidence: crate::Evidence,
}

#[derive(Serialize)]
struct ObjectOut<'a> {
    kind: &'a str,
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
    container: Option<&'a str>,
    /// For a systemd unit: its `systemd-analyze security` exposure (0.0-10.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    exposure: Option<f64>,
}

#[derive(Serialize)]
struct SourceOut<'a> {
    file: &'a str,
    line: u32,
    #[serde(rename = "match")]
    matched: &'a str,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    rule: &'static str,
    name: &'static str,
    gap: Gap,
    severity: Severity,
    message: &'a str,
    fix: String,
    file: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    object: Option<ObjectOut<'a>>,
    suppressed: Option<&'a str>,
    fingerprint: String,
    /// For findings in rendered output (Helm, Kustomize): the template or file it came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<SourceOut<'a>>,
}

struct Findings<'a>(&'a ReportInput<'a>);

fn finding<'a>(input: &'a ReportInput<'a>, f: &'a Finding) -> FindingOut<'a> {
    let file = f.loc.map(|l| input.scan.path(l.file));
    FindingOut {
        rule: f.rule.id,
        name: f.rule.name,
        gap: f.rule.gap,
        severity: f.severity,
        message: &f.message,
        fix: f.rule.fix_text(),
        file,
        line: f.loc.map(|l| l.line),
        column: f.loc.map(|l| l.column),
        object: f.object.as_ref().map(|o| ObjectOut {
            kind: &o.kind,
            api_version: &o.api_version,
            namespace: o.namespace.as_deref(),
            name: &o.name,
            container: f.container.as_deref(),
            exposure: f
                .loc
                .filter(|_| &*o.kind == "SystemdUnit")
                .and_then(|l| input.scan.files.get(l.file.0 as usize))
                .and_then(|file| file.exposure),
        }),
        suppressed: f.suppressed.as_deref(),
        fingerprint: fingerprint(f, file.unwrap_or("")),
        source: f
            .loc
            .and_then(|l| input.scan.provenance(&l))
            .map(|p| SourceOut {
                file: p.file,
                line: p.line,
                matched: p.matched.as_str(),
            }),
    }
}

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let input = self.0;
        let mut seq = s.serialize_seq(Some(input.scan.findings.len()))?;
        for f in &input.scan.findings {
            seq.serialize_element(&finding(input, f))?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    file: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
}

#[derive(Serialize)]
struct SkippedOut<'a> {
    file: &'a str,
    reason: &'a str,
}

fn report<'a>(input: &'a ReportInput<'a>) -> Report<'a> {
    let s = input.summary;
    Report {
        schema: SCHEMA,
        tool: Tool {
            name: "plimsoll",
            version: input.tool_version,
        },
        summary: SummaryOut {
            files: s.files,
            documents: s.documents,
            objects: s.objects,
            stage: s.stage,
            counts: Counts {
                critical: s.counts[0],
                high: s.counts[1],
                medium: s.counts[2],
                low: s.counts[3],
            },
            suppressed: s.suppressed,
            gaps: Gaps(s),
            evidence: s.evidence,
        },
        findings: Findings(input),
        errors: input
            .scan
            .errors
            .iter()
            .map(|e| ErrorOut {
                file: &e.file,
                line: e.line,
                column: e.column,
                message: &e.message,
            })
            .collect(),
        skipped: input
            .scan
            .skipped
            .iter()
            .map(|(file, reason)| SkippedOut { file, reason })
            .collect(),
        units: input
            .scan
            .files
            .iter()
            .filter_map(|f| {
                let exposure = f.exposure?;
                let name = f.path.rsplit(['/', '\\']).next().unwrap_or(&f.path);
                Some(UnitOut {
                    file: &f.path,
                    name,
                    exposure,
                })
            })
            .collect(),
        baseline: s.baseline.as_ref(),
        declarations: declarations(input),
    }
}

/// Write the report as pretty-printed JSON, streaming.
pub fn write<W: Write>(input: &ReportInput<'_>, w: W) -> std::io::Result<()> {
    let mut w = w;
    serde_json::to_writer_pretty(&mut w, &report(input)).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}

/// The report as a JSON value (for tests and embedding; [`write`] is cheaper for output).
pub fn render(input: &ReportInput<'_>) -> Value {
    serde_json::to_value(report(input)).expect("the report serialises")
}
