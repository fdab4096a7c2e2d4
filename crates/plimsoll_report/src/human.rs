//! Human output: the readiness summary first, then rustc-style findings with the offending key
//! underlined, grouped by file. Coloured only when asked (the CLI decides from the TTY).

use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use plimsoll_model::{Finding, Gap, Severity};

use crate::ReportInput;
use crate::summary::Stage;

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Critical => Level::ERROR.with_name(Some("critical")),
        Severity::High => Level::ERROR.with_name(Some("high")),
        Severity::Medium => Level::WARNING.with_name(Some("medium")),
        Severity::Low => Level::NOTE.with_name(Some("low")),
    }
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn stage(&self, st: Stage) -> String {
        let code = match st {
            Stage::Poc => "1;31",
            Stage::Pilot => "1;33",
            Stage::Platform => "1;36",
            Stage::Production => "1;32",
        };
        self.wrap(code, &st.as_str().to_uppercase())
    }
    fn score(&self, score: u8) -> String {
        let code = if score >= 90 {
            "32"
        } else if score >= 70 {
            "36"
        } else if score >= 40 {
            "33"
        } else {
            "31"
        };
        self.wrap(code, &format!("{score:>3}"))
    }
}

/// The summary block shown at the top.
pub fn render_summary(input: &ReportInput<'_>, color: bool) -> String {
    let p = Paint(color);
    let s = input.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} · {} files · {} objects · stage {}",
        p.wrap("1", "plimsoll"),
        input.tool_version,
        s.files,
        s.objects,
        p.stage(s.stage)
    );
    let _ = writeln!(
        out,
        "  {} critical · {} high · {} medium · {} low{}",
        s.counts[0],
        s.counts[1],
        s.counts[2],
        s.counts[3],
        if s.suppressed > 0 {
            format!(" · {} suppressed", s.suppressed)
        } else {
            String::new()
        }
    );
    out.push('\n');
    for gap in Gap::PLAN_ORDER {
        let g = s.gap(gap);
        let filled = (g.score as usize).div_ceil(10);
        let bar = format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled));
        let _ = writeln!(
            out,
            "  {:<14} {} {}  {}",
            gap.as_str(),
            p.wrap("2", &bar),
            p.score(g.score),
            if g.findings == 0 {
                "-".to_string()
            } else {
                format!(
                    "{} finding{}",
                    g.findings,
                    if g.findings == 1 { "" } else { "s" }
                )
            }
        );
    }
    let _ = writeln!(
        out,
        "  evidence: change {} · recovery {}",
        if s.evidence.change {
            "yes (GitOps controller)"
        } else {
            "no"
        },
        if s.evidence.recovery {
            "yes (backup schedule)"
        } else {
            "no"
        }
    );
    match crate::json::declarations(input) {
        None => {
            let _ = writeln!(out, "  declarations: none (no readiness.yaml)");
        }
        Some(d) => {
            let failed = d.verified.iter().filter(|v| !v.ok).count();
            let _ = writeln!(
                out,
                "  declarations: {} · {} verified{} · {} attested, not verified",
                d.file,
                d.verified.len(),
                if failed > 0 {
                    format!(" ({failed} failing)")
                } else {
                    String::new()
                },
                d.attested.len()
            );
        }
    }
    out
}

fn object_label(f: &Finding) -> String {
    match (&f.object, &f.container) {
        (Some(o), Some(c)) => format!("{o} (container {c})"),
        (Some(o), None) => o.to_string(),
        _ => String::new(),
    }
}

/// The snippet line with secret bytes masked: the finding's redaction span, and for findings of
/// the secrets gap everything after the first `: ` (the value), so no snippet prints a secret.
/// A masked value becomes a fixed `********`, so not even its length shows.
fn mask(line: &str, line_start: u32, f: &Finding) -> String {
    let mut from = line.len();
    let mut to = line.len();
    if let Some(r) = f.redact {
        from = (r.start.saturating_sub(line_start) as usize).min(line.len());
        to = (r.end.saturating_sub(line_start) as usize).clamp(from, line.len());
    }
    if f.rule.gap == plimsoll_model::Gap::Secrets
        && let Some(i) = line.find(": ")
    {
        from = from.min(i + 2);
        to = line.len();
    }
    if from >= to || !line.is_char_boundary(from) || !line.is_char_boundary(to) {
        return line.to_string();
    }
    format!("{}********{}", &line[..from], &line[to..])
}

/// One finding, rustc-style.
fn render_finding(input: &ReportInput<'_>, f: &Finding, renderer: &Renderer) -> String {
    let title = f.message.to_string();
    let lvl = level(f.severity);
    let help = format!(
        "fix: {} (`plimsoll explain {}`)",
        f.rule.fix_short().trim_end_matches(':'),
        f.rule.id
    );
    let obj = object_label(f);
    let mut groups: Vec<Group<'_>> = Vec::new();
    match f.loc {
        Some(l) => {
            let path = input.scan.path(l.file);
            let file = input.scan.files.get(l.file.0 as usize);
            let src = file.and_then(|f| f.source.as_ref());
            let mut g = Group::with_title(lvl.clone().primary_title(title).id(f.rule.id));
            if let Some(src) = src {
                let line_start = src.line_start(l.line);
                let line = mask(src.line_text(l.line), line_start, f);
                let line = line.as_str();
                let start = (l.span.start - src.line_start(l.line)) as usize;
                let end = (start + l.span.len() as usize)
                    .min(line.len())
                    .max((start + 1).min(line.len()));
                let mut ann = AnnotationKind::Primary.span(start.min(line.len())..end);
                if !obj.is_empty() {
                    ann = ann.label(obj.clone());
                }
                g = g.element(
                    Snippet::source(line.to_string())
                        .line_start(l.line as usize)
                        .path(path.to_string())
                        .annotation(ann),
                );
            } else {
                g = g.element(Level::NOTE.message(format!(
                    "at {path}:{}:{}{}",
                    l.line,
                    l.column,
                    if obj.is_empty() {
                        String::new()
                    } else {
                        format!(" ({obj})")
                    }
                )));
            }
            // rendered output (Helm, Kustomize): the template or file the object came from
            if let Some(p) = input.scan.provenance(&l) {
                let how = match p.matched {
                    plimsoll_ingest::Match::Key => "",
                    plimsoll_ingest::Match::Parent => {
                        " (the enclosing key; the key itself comes from values or a helper)"
                    }
                    plimsoll_ingest::Match::Document => {
                        " (where the document starts; the key is not spelled in that file)"
                    }
                };
                g = g.element(
                    Level::NOTE.message(format!("rendered from {}:{}{how}", p.file, p.line)),
                );
            }
            g = g.element(Level::HELP.message(help));
            groups.push(g);
        }
        None => {
            groups.push(
                lvl.primary_title(title)
                    .id(f.rule.id)
                    .element(Level::NOTE.message("about the whole scan"))
                    .element(Level::HELP.message(help)),
            );
        }
    }
    renderer.render(&groups).to_string()
}

pub fn render(input: &ReportInput<'_>, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = render_summary(input, color);
    let visible: Vec<&Finding> = input
        .scan
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    if !visible.is_empty() {
        out.push('\n');
    }
    for f in &visible {
        out.push_str(&render_finding(input, f, &renderer));
        out.push_str("\n\n");
    }
    for e in &input.scan.errors {
        let at = match (e.line, e.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", e.file),
            _ => e.file.clone(),
        };
        let _ = writeln!(
            out,
            "{}: {at}: {}",
            Paint(color).wrap("1;31", "error"),
            e.message
        );
    }
    let s = input.summary;
    let _ = writeln!(
        out,
        "stage {} · {} critical · {} high · {} medium · {} low",
        Paint(color).stage(s.stage),
        s.counts[0],
        s.counts[1],
        s.counts[2],
        s.counts[3]
    );
    out
}
