//! The readiness report in GitHub-flavoured Markdown: the stage, a score per gap with a verdict,
//! the plan to the next stage, then the findings grouped by gap in [`Gap::PLAN_ORDER`].
//!
//! Object names, file names and messages are user input: they are escaped so that they can
//! neither start Markdown constructs nor inject HTML (see [`inline`] and [`code`]). Findings
//! never carry secret values and no source is quoted.

use std::fmt::Write;

use plimsoll_model::{Finding, Gap, Severity};

use crate::ReportInput;
use crate::plan::{self, Plan, StepKind, count, requirement_text, verdict};
use crate::summary::Stage;

/// Text for a Markdown paragraph, list item or table cell. Spans between backticks (as rule
/// messages write names: ``image `shop/web:latest` ``) become code spans; everything else is
/// escaped. Newlines become spaces, `|` is escaped everywhere (tables), and `<`, `>` and `&`
/// become entities so no HTML gets through.
pub fn inline(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (j, part) in parts.iter().enumerate() {
        // backtick j-1 opens a span that backtick j closes; with an odd number of backticks the
        // last part follows an unpaired one
        let is_code = j % 2 == 1 && j + 1 < parts.len();
        if is_code && !part.trim().is_empty() {
            out.push_str(&code(part));
        } else if is_code {
            out.push_str("\\`");
            text(&mut out, part);
            out.push_str("\\`");
        } else {
            if j % 2 == 1 {
                out.push_str("\\`");
            }
            text(&mut out, part);
        }
    }
    // what would start a block where the text starts a line or a list item: `- x`, `1. x`
    if out.starts_with(['-', '+', '=']) {
        out.insert(0, '\\');
    } else if let Some(d) = out.find(|c: char| !c.is_ascii_digit()).filter(|&d| d > 0) {
        // an ordered list marker is digits, `.` or `)`, then a space or the end
        let rest = &out[d..];
        if rest.starts_with(['.', ')']) && (rest.len() == 1 || rest[1..].starts_with(' ')) {
            out.insert(d, '\\');
        }
    }
    out
}

fn text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// A code span holding `s` literally, whatever backticks it contains (the fence is one longer
/// than its longest run). `|` is escaped, which GitHub removes before parsing table cells.
///
/// Text with `<`, `>` or `&` becomes escaped text instead: a code span would show it literally
/// in a CommonMark renderer, but not every consumer of Markdown is one, and the raw report
/// should carry no tag at all.
pub fn code(s: &str) -> String {
    if s.contains(['<', '>', '&']) {
        let mut out = String::new();
        text(&mut out, s);
        return out;
    }
    let s: String = s
        .chars()
        .map(|c| {
            if c == '\n' || c == '\r' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control())
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || (s.starts_with(' ') && s.ends_with(' '))
    {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", s.replace('|', "\\|"))
}

fn stage_name(s: Stage) -> &'static str {
    s.as_str()
}

fn ladder(current: Stage) -> String {
    [Stage::Poc, Stage::Pilot, Stage::Platform, Stage::Production]
        .iter()
        .map(|&s| {
            if s == current {
                format!("**{}**", stage_name(s))
            } else {
                stage_name(s).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

fn place(input: &ReportInput<'_>, f: &Finding) -> String {
    match plan::place(input.scan, f) {
        Some(p) => code(&p.full()),
        None => "–".to_string(),
    }
}

fn severity_counts(c: &[usize; 4]) -> String {
    Severity::ALL
        .iter()
        .zip(c)
        .filter(|(_, n)| **n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The plan section (also used on its own, e.g. for a pull-request comment).
pub fn render_plan(input: &ReportInput<'_>, out: &mut String) {
    let plan = Plan::of(input);
    let Some(to) = plan.to else {
        let _ = writeln!(
            out,
            "## The plan\n\nThe scan is at **production**: nothing above low stands in the way, and the change and recovery evidence is there. {} remain as polish.\n",
            count(input.summary.counts[3], "low finding", "low findings")
        );
        return;
    };
    let _ = writeln!(
        out,
        "## The plan: {} → {}\n",
        plan.from.as_str(),
        to.as_str()
    );
    let _ = writeln!(
        out,
        "To reach **{}**, {}: **{}**, cheapest first.\n",
        to.as_str(),
        requirement_text(to),
        count(plan.steps.len(), "change", "changes")
    );
    for (i, step) in plan.steps.iter().enumerate() {
        let _ = write!(out, "{}. ", i + 1);
        match step.kind {
            StepKind::Rule(m) => {
                let _ = writeln!(
                    out,
                    "**`{}`** {} ({}, {})  ",
                    m.id,
                    inline(&step.headline()),
                    step.severity,
                    step.gap
                );
            }
            StepKind::Evidence => {
                let _ = writeln!(out, "**{}** ({})  ", inline(&step.headline()), step.gap);
            }
        }
        let _ = writeln!(out, "   {}.", inline(&step.action()));
        for t in &step.targets {
            let at = t
                .place()
                .map(|p| format!(" at {}", code(&p)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "   - {}{at}: {}",
                inline(&t.label()),
                inline(&t.message)
            );
        }
        if let StepKind::Rule(m) = step.kind {
            let _ = writeln!(out, "   - how to fix: `plimsoll explain {}`", m.id);
        }
    }
    if let Some(later) = plan::later_summary(&input.scan.findings, input.summary, to) {
        out.push('\n');
        let _ = writeln!(out, "After that: {}.", later);
    }
    out.push('\n');
}

/// The declarations section: what the scan verified, and what is attested only.
pub fn render_declarations(input: &ReportInput<'_>, out: &mut String) {
    let _ = writeln!(out, "## Declarations\n");
    let Some(d) = crate::json::declarations(input) else {
        let _ = writeln!(
            out,
            "None: no `readiness.yaml` declares owners, on-call, runbooks or recovery targets (see `plimsoll explain DCL-001`).\n"
        );
        return;
    };
    let failed = d.verified.iter().filter(|v| !v.ok).count();
    let _ = writeln!(
        out,
        "From {}: {} verified against the scan ({} failing), {} attested, not verified.\n",
        code(&d.file),
        d.verified.len(),
        failed,
        d.attested.len()
    );
    if !d.verified.is_empty() {
        let _ = writeln!(
            out,
            "Verified:\n\n| | check | subject | result |\n|---|---|---|---|"
        );
        for v in &d.verified {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                if v.ok { "✓" } else { "✗" },
                v.check.title(),
                inline(&v.subject),
                inline(&v.message)
            );
        }
        out.push('\n');
    }
    if !d.attested.is_empty() {
        let _ = writeln!(
            out,
            "Attested, not verified (Plimsoll cannot check these; restore drills measure the targets):\n\n| what | declared | where |\n|---|---|---|"
        );
        for a in &d.attested {
            let at = match (&a.file, a.line) {
                (Some(f), Some(l)) => code(&format!("{f}:{l}")),
                _ => String::new(),
            };
            let _ = writeln!(out, "| {} | {} | {at} |", inline(&a.what), inline(&a.value));
        }
        out.push('\n');
    }
}

pub fn render(input: &ReportInput<'_>) -> String {
    let s = input.summary;
    let mut out = String::new();
    let _ = writeln!(out, "# Plimsoll readiness report\n");
    let _ = writeln!(
        out,
        "**Stage: {}** ({})\n",
        s.stage.as_str(),
        ladder(s.stage)
    );
    let _ = writeln!(
        out,
        "{} in {} ({} documents) · plimsoll {}\n",
        count(s.objects, "object", "objects"),
        count(s.files, "file", "files"),
        s.documents,
        inline(input.tool_version)
    );
    let _ = writeln!(
        out,
        "| critical | high | medium | low | suppressed |\n|---:|---:|---:|---:|---:|"
    );
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} |\n",
        s.counts[0], s.counts[1], s.counts[2], s.counts[3], s.suppressed
    );
    if let Some(b) = &s.baseline {
        let _ = writeln!(
            out,
            "Baseline {}: {} known, {} new, {} fixed.\n",
            code(&b.file),
            b.known,
            b.new,
            b.fixed.len()
        );
    }

    let _ = writeln!(out, "## Scores\n");
    let _ = writeln!(
        out,
        "| gap | score | verdict | findings |\n|---|---:|---|---|"
    );
    for gap in Gap::PLAN_ORDER {
        let g = s.gap(gap);
        let findings = if g.findings == 0 {
            "–".to_string()
        } else {
            severity_counts(&g.counts)
        };
        let _ = writeln!(
            out,
            "| {} (`{}`) | {} | {} | {} |",
            gap.title(),
            gap,
            g.score,
            verdict(g.score),
            findings
        );
    }
    let _ = writeln!(
        out,
        "\nEvidence: change {}; recovery {}.\n",
        if s.evidence.change {
            "**yes** (a GitOps controller object)"
        } else {
            "**no** (no Argo CD or Flux object)"
        },
        if s.evidence.recovery {
            "**yes** (a backup schedule)"
        } else {
            "**no** (no backup schedule)"
        }
    );

    render_plan(input, &mut out);

    let groups = plan::by_gap(&input.scan.findings, &|f| plan::place(input.scan, f));
    let _ = writeln!(out, "## Findings by gap\n");
    if groups.is_empty() {
        let _ = writeln!(out, "No findings.\n");
    }
    for (gap, findings) in &groups {
        let g = s.gap(*gap);
        let _ = writeln!(
            out,
            "### {} (`{}`): {}, {}\n",
            gap.title(),
            gap,
            g.score,
            verdict(g.score)
        );
        let open: Vec<&&Finding> = findings.iter().filter(|f| f.suppressed.is_none()).collect();
        let suppressed: Vec<&&Finding> =
            findings.iter().filter(|f| f.suppressed.is_some()).collect();
        if !open.is_empty() {
            let _ = writeln!(
                out,
                "| severity | rule | object | where | message |\n|---|---|---|---|---|"
            );
            for f in open {
                let _ = writeln!(
                    out,
                    "| {} | `{}` {} | {} | {} | {} |",
                    f.severity,
                    f.rule.id,
                    f.rule.name,
                    inline(&plan::object_label(f)),
                    place(input, f),
                    inline(&f.message)
                );
            }
            out.push('\n');
        }
        if !suppressed.is_empty() {
            let _ = writeln!(
                out,
                "Suppressed (not counted):\n\n| severity | rule | object | where | reason |\n|---|---|---|---|---|"
            );
            for f in suppressed {
                let _ = writeln!(
                    out,
                    "| {} | `{}` {} | {} | {} | {} |",
                    f.severity,
                    f.rule.id,
                    f.rule.name,
                    inline(&plan::object_label(f)),
                    place(input, f),
                    inline(f.suppressed.as_deref().unwrap_or(""))
                );
            }
            out.push('\n');
        }
    }

    render_declarations(input, &mut out);

    if !input.scan.errors.is_empty() {
        let _ = writeln!(
            out,
            "## Input errors\n\nThese inputs could not be read or parsed; the report does not cover them.\n"
        );
        for e in &input.scan.errors {
            let at = match (e.line, e.column) {
                (Some(l), Some(c)) => format!("{}:{l}:{c}", e.file),
                _ => e.file.clone(),
            };
            let _ = writeln!(out, "- {}: {}", code(&at), inline(&e.message));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "---\n\nGenerated by plimsoll {}. `plimsoll explain RULE` shows a rule's documentation.",
        inline(input.tool_version)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_escapes_markdown_and_html() {
        assert_eq!(inline("a|b"), "a\\|b");
        assert_eq!(
            inline("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(inline("[x](javascript:y)"), "\\[x\\](javascript:y)");
        assert_eq!(inline("- item"), "\\- item");
        assert_eq!(inline("12. item"), "12\\. item");
        assert_eq!(inline("12 items"), "12 items");
        assert_eq!(inline("0.1.0"), "0.1.0");
        assert_eq!(
            inline("**bold** _em_ # h"),
            "\\*\\*bold\\*\\* \\_em\\_ \\# h"
        );
        assert_eq!(inline("line\nbreak"), "line break");
        assert_eq!(inline("a & b"), "a &amp; b");
    }

    #[test]
    fn inline_keeps_code_spans_safely() {
        assert_eq!(
            inline("image `shop/web:latest` uses"),
            "image `shop/web:latest` uses"
        );
        // pipes are escaped in code spans too; HTML-ish text is never put in one
        assert_eq!(inline("name `b|x` here"), "name `b\\|x` here");
        assert_eq!(inline("name `<b>|x` here"), "name &lt;b&gt;\\|x here");
        // an unpaired backtick is escaped
        assert_eq!(inline("odd ` one"), "odd \\` one");
        assert_eq!(inline("`a` and `b"), "`a` and \\`b");
        // a backtick in a user name shifts the pairing, but every piece stays escaped or coded
        let s = inline("object `we`ird` is `x`");
        assert!(!s.contains('<'), "{s}");
    }

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(code("a.yaml:3:1"), "`a.yaml:3:1`");
        assert_eq!(code("we`ird"), "``we`ird``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a|b"), "`a\\|b`");
    }
}
