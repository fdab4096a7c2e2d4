//! The readiness report as one self-contained HTML file: inline CSS, inline SVG charts (the score
//! per gap, the findings by severity), no script, no font, no image and no link to fetch, so it
//! reads the same offline, attached to a ticket or printed. A Content-Security-Policy that
//! allows nothing but inline styles makes sure of it.
//!
//! Every piece of user input (object names, file names, messages, suppression reasons) goes
//! through [`esc`] or [`inline`]; findings never carry secret values and no source is quoted.

use std::fmt::Write;

use plimsoll_model::{Finding, Gap, Severity};

use crate::ReportInput;
use crate::plan::{self, Plan, StepKind, count, requirement_text, verdict};
use crate::summary::Stage;

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Escaped text where spans between paired backticks (as rule messages quote names) become
/// `<code>`; an unpaired backtick stays a backtick.
pub fn inline(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let mut out = String::with_capacity(s.len() + 16);
    for (j, part) in parts.iter().enumerate() {
        let is_code = j % 2 == 1 && j + 1 < parts.len();
        if is_code {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            if j % 2 == 1 {
                out.push('`');
            }
            out.push_str(&esc(part));
        }
    }
    out
}

const CSS: &str = r#"
:root {
  --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --paper: #fff;
  --critical: #b42318; --high: #dd5a1e; --medium: #c99a06; --low: #7a8699;
  --ready: #2f855a; --close: #2b6cb0; --gaps: #c99a06; --none: #c53030;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0 auto; max-width: 1120px; padding: 28px 32px 48px; color: var(--ink); background: var(--paper);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "DejaVu Sans", sans-serif;
}
h1, h2, h3 { line-height: 1.25; margin: 0; }
h1 { font-size: 26px; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 24px 0 8px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
p { margin: 8px 0; }
code { font: 0.88em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace;
  background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
header.top { display: flex; justify-content: space-between; align-items: center; gap: 24px; flex-wrap: wrap; }
header.top .meta { color: var(--muted); margin: 4px 0 0; }
.stage { border-radius: 10px; padding: 10px 20px; color: #fff; text-align: center; min-width: 150px; }
.stage span { display: block; font-size: 12px; letter-spacing: .08em; text-transform: uppercase; opacity: .9; }
.stage strong { font-size: 28px; letter-spacing: .02em; }
.stage-poc { background: var(--critical); } .stage-pilot { background: var(--high); }
.stage-platform { background: var(--close); } .stage-production { background: var(--ready); }
ol.ladder { list-style: none; display: flex; padding: 0; margin: 20px 0 8px; counter-reset: none; }
ol.ladder li { flex: 1; text-align: center; padding: 8px 6px; font-weight: 600; color: var(--muted);
  background: var(--soft); border: 1px solid var(--line); margin-right: -1px; }
ol.ladder li:first-child { border-radius: 8px 0 0 8px; } ol.ladder li:last-child { border-radius: 0 8px 8px 0; }
ol.ladder li.passed { color: var(--ready); }
ol.ladder li.current { background: var(--ink); border-color: var(--ink); color: #fff; }
ol.ladder li.next { color: var(--ink); border-style: dashed; }
.cards { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; border-top: 4px solid var(--low); }
.card b { display: block; font-size: 26px; line-height: 1.1; }
.card span { color: var(--muted); font-size: 13px; }
.card.critical { border-top-color: var(--critical); } .card.high { border-top-color: var(--high); }
.card.medium { border-top-color: var(--medium); } .card.low { border-top-color: var(--low); }
.card.suppressed { border-top-color: var(--line); }
.charts { display: grid; grid-template-columns: 3fr 2fr; gap: 16px; align-items: start; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin-top: 8px; font-size: 12px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
svg { display: block; width: 100%; height: auto; }
svg text { font-family: inherit; fill: var(--ink); }
svg .axis { fill: var(--muted); font-size: 11px; }
.evidence { color: var(--muted); }
.evidence b.yes { color: var(--ready); } .evidence b.no { color: var(--none); }
table.declarations b.ok { color: var(--ready); } table.declarations b.failed { color: var(--critical); }
table.verified th:nth-child(1) { width: 28px; } table.verified th:nth-child(2) { width: 22%; }
.sev { display: inline-block; min-width: 64px; text-align: center; font-size: 12px; font-weight: 600; color: #fff;
  border-radius: 10px; padding: 1px 8px; text-transform: lowercase; }
.sev-critical { background: var(--critical); } .sev-high { background: var(--high); }
.sev-medium { background: var(--medium); } .sev-low { background: var(--low); }
.verdict { font-size: 13px; font-weight: 600; border-radius: 10px; padding: 1px 8px; border: 1px solid currentColor; }
.v-ready { color: var(--ready); } .v-close { color: var(--close); } .v-gaps { color: #9a7600; } .v-none { color: var(--none); }
ol.plan { padding-left: 0; list-style: none; counter-reset: step; }
ol.plan > li { counter-increment: step; position: relative; border: 1px solid var(--line); border-radius: 8px;
  padding: 12px 14px 12px 56px; margin: 10px 0; }
ol.plan > li::before { content: counter(step); position: absolute; left: 14px; top: 12px; width: 28px; height: 28px;
  border-radius: 50%; background: var(--ink); color: #fff; font-weight: 700; text-align: center; line-height: 28px; }
.step-head { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
.step-head .gap { color: var(--muted); font-size: 13px; }
.do { margin: 6px 0; }
ul.targets { margin: 6px 0 0; padding-left: 18px; font-size: 14px; }
ul.targets li { margin: 2px 0; }
.later { color: var(--muted); }
table { width: 100%; border-collapse: collapse; font-size: 14px; margin: 6px 0 10px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; font-size: 13px; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
table.findings th:nth-child(1) { width: 92px; } table.findings th:nth-child(2) { width: 19%; }
table.findings th:nth-child(3) { width: 17%; } table.findings th:nth-child(4) { width: 21%; }
td.obj, td.loc { overflow-wrap: break-word; }
.suppressed-title { color: var(--muted); font-size: 14px; margin-top: 10px; }
table.suppressed td { color: var(--muted); }
footer { margin-top: 40px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
@media (max-width: 820px) {
  body { padding: 16px; }
  .charts { grid-template-columns: 1fr; }
  .cards { grid-template-columns: repeat(3, 1fr); }
}
@media print {
  @page { size: A4; margin: 14mm 12mm 16mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { font-size: 14pt; margin-top: 18pt; break-after: avoid; page-break-after: avoid; }
  h3 { font-size: 11.5pt; break-after: avoid; page-break-after: avoid; }
  .charts { grid-template-columns: 3fr 2fr; }
  .cards { grid-template-columns: repeat(5, 1fr); }
  figure, .card, ol.plan > li, tr, header.top, ol.ladder { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  table { font-size: 8.5pt; }
  ul.targets { font-size: 9pt; }
  code { font-size: 8pt; border: 0; padding: 0; background: none; }
  tbody tr:nth-child(even) td { background: none; }
  footer { position: static; }
}
"#;

fn verdict_class(score: u8) -> &'static str {
    match verdict(score) {
        "ready" => "v-ready",
        "close" => "v-close",
        "gaps" => "v-gaps",
        _ => "v-none",
    }
}

fn verdict_color(score: u8) -> &'static str {
    match verdict(score) {
        "ready" => "#2f855a",
        "close" => "#2b6cb0",
        "gaps" => "#c99a06",
        _ => "#c53030",
    }
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "#b42318",
        Severity::High => "#dd5a1e",
        Severity::Medium => "#c99a06",
        Severity::Low => "#7a8699",
    }
}

fn stage_title(s: Stage) -> &'static str {
    match s {
        Stage::Poc => "PoC",
        Stage::Pilot => "Pilot",
        Stage::Platform => "Platform",
        Stage::Production => "Production",
    }
}

/// A horizontal bar chart of the score of every gap, in plan order, with the verdict thresholds.
fn score_chart(input: &ReportInput<'_>) -> String {
    const LABEL: f64 = 178.0;
    const BAR: f64 = 300.0;
    const ROW: f64 = 27.0;
    const TOP: f64 = 6.0;
    let rows = Gap::PLAN_ORDER.len() as f64;
    let height = TOP + rows * ROW + 24.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="chart-scores" class="chart" viewBox="0 0 600 {height}" role="img" aria-labelledby="chart-scores-title" xmlns="http://www.w3.org/2000/svg"><title id="chart-scores-title">Score per gap, 0 to 100</title>"#
    );
    // verdict thresholds
    for t in [40.0, 70.0, 90.0, 100.0] {
        let x = LABEL + BAR * t / 100.0;
        let _ = write!(
            s,
            r##"<line x1="{x}" y1="{TOP}" x2="{x}" y2="{y2}" stroke="#d1d9e0" stroke-dasharray="3 3"/><text class="axis" x="{x}" y="{ty}" text-anchor="middle">{t}</text>"##,
            y2 = TOP + rows * ROW,
            ty = TOP + rows * ROW + 16.0
        );
    }
    let _ = write!(
        s,
        r#"<text class="axis" x="{LABEL}" y="{}" text-anchor="middle">0</text>"#,
        TOP + rows * ROW + 16.0
    );
    for (i, gap) in Gap::PLAN_ORDER.iter().enumerate() {
        let g = input.summary.gap(*gap);
        let y = TOP + i as f64 * ROW;
        let w = (BAR * f64::from(g.score) / 100.0).max(2.0);
        let findings = count(g.findings, "finding", "findings");
        let _ = write!(
            s,
            r##"<g class="bar" data-gap="{gap}"><title>{title}: {score}/100, {verdict}, {findings}</title><text x="{lx}" y="{ty}" text-anchor="end" font-size="13">{title}</text><rect x="{LABEL}" y="{ry}" width="{BAR}" height="17" rx="3" fill="#eef1f4"/><rect x="{LABEL}" y="{ry}" width="{w}" height="17" rx="3" fill="{color}"/><text x="{vx}" y="{ty}" font-size="13"><tspan font-weight="700">{score}</tspan> <tspan fill="#59636e">{verdict}</tspan></text></g>"##,
            title = gap.title(),
            score = g.score,
            verdict = verdict(g.score),
            lx = LABEL - 10.0,
            ty = y + 14.0,
            ry = y + 1.0,
            color = verdict_color(g.score),
            vx = LABEL + BAR + 10.0,
        );
    }
    s.push_str("</svg>");
    s
}

/// A horizontal bar chart of the unsuppressed findings by severity (and the suppressed ones).
fn severity_chart(input: &ReportInput<'_>) -> String {
    const LABEL: f64 = 86.0;
    const BAR: f64 = 220.0;
    const ROW: f64 = 34.0;
    let c = &input.summary.counts;
    let max = c
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(input.summary.suppressed)
        .max(1) as f64;
    let rows: Vec<(&str, usize, &str)> = Severity::ALL
        .iter()
        .zip(c)
        .map(|(s, n)| (s.as_str(), *n, severity_color(*s)))
        .chain(std::iter::once((
            "suppressed",
            input.summary.suppressed,
            "#c4ccd4",
        )))
        .collect();
    let height = 8.0 + rows.len() as f64 * ROW;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="chart-severity" class="chart" viewBox="0 0 360 {height}" role="img" aria-labelledby="chart-severity-title" xmlns="http://www.w3.org/2000/svg"><title id="chart-severity-title">Findings by severity</title>"#
    );
    for (i, (name, n, color)) in rows.iter().enumerate() {
        let y = 6.0 + i as f64 * ROW;
        let w = if *n == 0 {
            0.0
        } else {
            (BAR * *n as f64 / max).max(3.0)
        };
        let _ = write!(
            s,
            r##"<g class="bar" data-severity="{name}"><title>{name}: {n}</title><text x="{lx}" y="{ty}" text-anchor="end" font-size="13">{name}</text><rect x="{LABEL}" y="{y}" width="{BAR}" height="22" rx="3" fill="#f3f5f7"/><rect x="{LABEL}" y="{y}" width="{w}" height="22" rx="3" fill="{color}"/><text x="{nx}" y="{ty}" font-size="14" font-weight="700">{n}</text></g>"##,
            lx = LABEL - 10.0,
            ty = y + 16.0,
            nx = LABEL + w + 8.0,
        );
    }
    s.push_str("</svg>");
    s
}

fn place(input: &ReportInput<'_>, f: &Finding) -> String {
    match plan::place(input.scan, f) {
        Some(p) => format!("<code>{}</code>", esc_wrap(&p.full())),
        None => "–".to_string(),
    }
}

/// [`esc`], with a line-break opportunity after each `/` (object labels and paths are long).
fn esc_wrap(s: &str) -> String {
    esc(s).replace('/', "/<wbr>")
}

fn sev_badge(s: Severity) -> String {
    format!(r#"<span class="sev sev-{s}">{s}</span>"#)
}

fn render_plan(input: &ReportInput<'_>, out: &mut String) {
    let plan = Plan::of(input);
    out.push_str(r#"<section id="plan">"#);
    let Some(to) = plan.to else {
        let _ = write!(
            out,
            "<h2>The plan</h2><p>The scan is at <b>production</b>: nothing above low stands in the way, and the change and recovery evidence is there. {} remain as polish.</p></section>",
            count(input.summary.counts[3], "low finding", "low findings")
        );
        return;
    };
    let _ = write!(
        out,
        "<h2>The plan: {} → {}</h2><p>To reach <b>{}</b>, {}: <b>{}</b>, cheapest first.</p>",
        plan.from.as_str(),
        to.as_str(),
        to.as_str(),
        requirement_text(to),
        count(plan.steps.len(), "change", "changes")
    );
    out.push_str(r#"<ol class="plan">"#);
    for step in &plan.steps {
        out.push_str(r#"<li class="step"><div class="step-head">"#);
        out.push_str(&sev_badge(step.severity));
        if let StepKind::Rule(m) = step.kind {
            let _ = write!(out, " <code>{}</code>", esc(m.id));
        }
        let _ = write!(
            out,
            r#" <strong>{}</strong> <span class="gap">{}</span></div><p class="do">{}.</p>"#,
            esc(&step.headline()),
            step.gap.title(),
            inline(&step.action())
        );
        if !step.targets.is_empty() {
            out.push_str(r#"<ul class="targets">"#);
            for t in &step.targets {
                let at = t
                    .place()
                    .map(|p| format!(" <code>{}</code>", esc(&p)))
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    "<li><b>{}</b>{at}: {}</li>",
                    esc(&t.label()),
                    inline(&t.message)
                );
            }
            out.push_str("</ul>");
        }
        if let StepKind::Rule(m) = step.kind {
            let _ = write!(
                out,
                r#"<p class="muted">How to fix: <code>plimsoll explain {}</code></p>"#,
                esc(m.id)
            );
        }
        out.push_str("</li>");
    }
    out.push_str("</ol>");
    if let Some(later) = plan::later_summary(&input.scan.findings, input.summary, to) {
        let _ = write!(out, r#"<p class="later">After that: {}.</p>"#, later);
    }
    out.push_str("</section>");
}

fn findings_table(
    input: &ReportInput<'_>,
    findings: &[&&Finding],
    suppressed: bool,
    out: &mut String,
) {
    let last = if suppressed { "reason" } else { "message" };
    let _ = write!(
        out,
        r#"<table class="{}"><thead><tr><th>severity</th><th>rule</th><th>object</th><th>where</th><th>{last}</th></tr></thead><tbody>"#,
        if suppressed {
            "findings suppressed"
        } else {
            "findings"
        }
    );
    for f in findings {
        let text = if suppressed {
            esc(f.suppressed.as_deref().unwrap_or(""))
        } else {
            inline(&f.message)
        };
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td><code>{}</code> {}</td><td class="obj">{}</td><td class="loc">{}</td><td>{text}</td></tr>"#,
            sev_badge(f.severity),
            esc(f.rule.id),
            esc(f.rule.name),
            esc_wrap(&plan::object_label(f)),
            place(input, f),
        );
    }
    out.push_str("</tbody></table>");
}

/// The declarations section: what the scan verified, and what is attested only.
fn render_declarations(input: &ReportInput<'_>, out: &mut String) {
    out.push_str(r#"<section id="declarations"><h2>Declarations</h2>"#);
    let Some(d) = crate::json::declarations(input) else {
        out.push_str(r#"<p>None: no <code>readiness.yaml</code> declares owners, on-call, runbooks or recovery targets (see <code>plimsoll explain DCL-001</code>).</p></section>"#);
        return;
    };
    let failed = d.verified.iter().filter(|v| !v.ok).count();
    let _ = write!(
        out,
        r#"<p>From <code>{}</code>: {} verified against the scan ({} failing), {} attested, not verified.</p>"#,
        esc(&d.file),
        d.verified.len(),
        failed,
        d.attested.len()
    );
    if !d.verified.is_empty() {
        out.push_str(r#"<h3>Verified</h3><table class="declarations verified"><thead><tr><th></th><th>check</th><th>subject</th><th>result</th></tr></thead><tbody>"#);
        for v in &d.verified {
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td>{}</td><td class="obj">{}</td><td>{}</td></tr>"#,
                if v.ok {
                    r#"<b class="ok">✓</b>"#
                } else {
                    r#"<b class="failed">✗</b>"#
                },
                esc(v.check.title()),
                esc_wrap(&v.subject),
                inline(&v.message)
            );
        }
        out.push_str("</tbody></table>");
    }
    if !d.attested.is_empty() {
        out.push_str(r#"<h3>Attested, not verified</h3><p class="muted">Plimsoll cannot check these; restore drills measure the targets.</p><table class="declarations attested"><thead><tr><th>what</th><th>declared</th><th>where</th></tr></thead><tbody>"#);
        for a in &d.attested {
            let at = match (&a.file, a.line) {
                (Some(f), Some(l)) => format!("<code>{}</code>", esc(&format!("{f}:{l}"))),
                _ => String::new(),
            };
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td>{}</td><td class="loc">{at}</td></tr>"#,
                esc(&a.what),
                esc(&a.value)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>");
}

pub fn render(input: &ReportInput<'_>) -> String {
    let s = input.summary;
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="plimsoll {version}">
<title>Plimsoll readiness report: stage {stage}</title>
<style>{CSS}</style>
</head>
<body>
"#,
        version = esc(input.tool_version),
        stage = s.stage.as_str()
    );
    let _ = write!(
        out,
        r#"<header class="top"><div><h1>Production readiness report</h1><p class="meta">{} in {} ({} documents) · plimsoll {}</p></div><div class="stage stage-{}" id="stage"><span>stage</span><strong>{}</strong></div></header>"#,
        count(s.objects, "object", "objects"),
        count(s.files, "file", "files"),
        s.documents,
        esc(input.tool_version),
        s.stage.as_str(),
        stage_title(s.stage)
    );
    out.push_str(r#"<ol class="ladder" aria-label="stages">"#);
    for st in [Stage::Poc, Stage::Pilot, Stage::Platform, Stage::Production] {
        let class = if st == s.stage {
            "current"
        } else if st < s.stage {
            "passed"
        } else if Some(st) == plan::next_stage(s.stage) {
            "next"
        } else {
            "todo"
        };
        let _ = write!(out, r#"<li class="{class}">{}</li>"#, stage_title(st));
    }
    out.push_str("</ol>");

    out.push_str(r#"<section class="cards" aria-label="findings by severity">"#);
    for (sev, n) in Severity::ALL.iter().zip(&s.counts) {
        let _ = write!(
            out,
            r#"<div class="card {sev}"><b>{n}</b><span>{sev}</span></div>"#
        );
    }
    let _ = write!(
        out,
        r#"<div class="card suppressed"><b>{}</b><span>suppressed</span></div></section>"#,
        s.suppressed
    );
    if let Some(b) = &s.baseline {
        let _ = write!(
            out,
            r#"<p class="muted">Baseline <code>{}</code>: {} known, {} new, {} fixed.</p>"#,
            esc(&b.file),
            b.known,
            b.new,
            b.fixed.len()
        );
    }

    let _ = write!(
        out,
        r##"<section class="charts"><figure><figcaption>Score per gap</figcaption>{}<div class="legend"><span><i style="background:#2f855a"></i>ready ≥ 90</span><span><i style="background:#2b6cb0"></i>close ≥ 70</span><span><i style="background:#c99a06"></i>gaps ≥ 40</span><span><i style="background:#c53030"></i>not started</span></div></figure><figure><figcaption>Findings by severity</figcaption>{}<p class="legend">Suppressed findings are listed with their reason and not counted.</p></figure></section>"##,
        score_chart(input),
        severity_chart(input)
    );
    let yes_no = |b: bool| {
        if b {
            r#"<b class="yes">yes</b>"#
        } else {
            r#"<b class="no">no</b>"#
        }
    };
    let _ = write!(
        out,
        r#"<p class="evidence">Evidence: change {} (a GitOps controller object) · recovery {} (a backup schedule).</p>"#,
        yes_no(s.evidence.change),
        yes_no(s.evidence.recovery)
    );

    render_plan(input, &mut out);

    let groups = plan::by_gap(&input.scan.findings, &|f| plan::place(input.scan, f));
    out.push_str(r#"<section id="findings"><h2>Findings by gap</h2>"#);
    if groups.is_empty() {
        out.push_str("<p>No findings.</p>");
    }
    for (gap, findings) in &groups {
        let g = s.gap(*gap);
        let _ = write!(
            out,
            r#"<section class="gap" id="gap-{gap}"><h3>{} <span class="verdict {}">{} · {}</span> <span class="muted">{}</span></h3>"#,
            gap.title(),
            verdict_class(g.score),
            g.score,
            verdict(g.score),
            count(g.findings, "finding", "findings"),
        );
        let open: Vec<&&Finding> = findings.iter().filter(|f| f.suppressed.is_none()).collect();
        let suppressed: Vec<&&Finding> =
            findings.iter().filter(|f| f.suppressed.is_some()).collect();
        if !open.is_empty() {
            findings_table(input, &open, false, &mut out);
        }
        if !suppressed.is_empty() {
            out.push_str(r#"<p class="suppressed-title">Suppressed (not counted)</p>"#);
            findings_table(input, &suppressed, true, &mut out);
        }
        out.push_str("</section>");
    }
    out.push_str("</section>");

    render_declarations(input, &mut out);

    if !input.scan.errors.is_empty() {
        out.push_str(r#"<section id="errors"><h2>Input errors</h2><p>These inputs could not be read or parsed; the report does not cover them.</p><ul>"#);
        for e in &input.scan.errors {
            let at = match (e.line, e.column) {
                (Some(l), Some(c)) => format!("{}:{l}:{c}", e.file),
                _ => e.file.clone(),
            };
            let _ = write!(
                out,
                "<li><code>{}</code>: {}</li>",
                esc(&at),
                esc(&e.message)
            );
        }
        out.push_str("</ul></section>");
    }
    let _ = write!(
        out,
        "<footer>Generated by plimsoll {}. <code>plimsoll explain RULE</code> shows a rule's documentation. This file is self-contained: it loads nothing.</footer>\n</body>\n</html>\n",
        esc(input.tool_version)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esc_escapes_everything_html_cares_about() {
        assert_eq!(
            esc(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn inline_codes_backtick_spans_after_escaping() {
        assert_eq!(
            inline("image `shop/<web>` uses"),
            "image <code>shop/&lt;web&gt;</code> uses"
        );
        assert_eq!(inline("odd ` <b>"), "odd ` &lt;b&gt;");
    }

    #[test]
    fn css_loads_nothing() {
        assert!(!CSS.contains("url("));
        assert!(!CSS.contains("@import"));
        assert!(!CSS.contains("@font-face"));
    }
}
