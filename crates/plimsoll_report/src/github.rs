//! GitHub Actions workflow commands: one annotation per unsuppressed finding, most severe first
//! (GitHub shows a limited number per step), then a notice with the stage.
//!
//! `::error file=F,line=L,col=C,title=RULE name::message`: critical and high findings are
//! errors, medium ones warnings, low ones notices. Data is escaped as the Actions toolkit does
//! (`%`, `\r`, `\n`); property values also escape `:` and `,`.

use std::fmt::Write;

use plimsoll_model::{Finding, Severity};

use crate::ReportInput;
use crate::plan::{Plan, count, fix_line, place};

/// Escapes the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "notice",
    }
}

fn command(out: &mut String, level: &str, props: &[(&str, String)], message: &str) {
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    let sep = if props.is_empty() { "" } else { " " };
    let _ = writeln!(
        out,
        "::{level}{sep}{}::{}",
        props.join(","),
        escape_data(message)
    );
}

fn object_label(f: &Finding) -> Option<String> {
    match (&f.object, &f.container) {
        (Some(o), Some(c)) => Some(format!("{o} [{c}]")),
        (Some(o), None) => Some(o.to_string()),
        _ => None,
    }
}

pub fn render(input: &ReportInput<'_>) -> String {
    let mut out = String::new();
    let mut findings: Vec<(&Finding, _)> = input
        .scan
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| (f, place(input.scan, f)))
        .collect();
    findings
        .sort_by(|(a, pa), (b, pb)| (a.severity, pa, a.rule.id).cmp(&(b.severity, pb, b.rule.id)));
    for (f, at) in findings {
        let mut props = Vec::new();
        if let Some(p) = at {
            props.push(("file", p.file));
            props.push(("line", p.line.to_string()));
            if let Some(c) = p.column {
                props.push(("col", c.to_string()));
            }
        }
        props.push((
            "title",
            format!("{} {} ({})", f.rule.id, f.rule.name, f.severity),
        ));
        let mut message = f.message.to_string();
        match object_label(f) {
            Some(o) => message.push_str(&format!("\nobject: {o}")),
            None => message.push_str("\nabout the whole scan"),
        }
        message.push_str(&format!(
            "\nfix: {} (plimsoll explain {})",
            fix_line(f.rule),
            f.rule.id
        ));
        command(&mut out, level(f.severity), &props, &message);
    }
    for e in &input.scan.errors {
        let mut props = vec![("file", e.file.clone())];
        if let (Some(l), Some(c)) = (e.line, e.column) {
            props.push(("line", l.to_string()));
            props.push(("col", c.to_string()));
        }
        props.push(("title", "plimsoll: input error".to_string()));
        command(&mut out, "error", &props, &e.message);
    }
    let s = input.summary;
    let plan = Plan::of(input);
    let mut message = format!(
        "stage {}: {} critical, {} high, {} medium, {} low, {} suppressed",
        s.stage.as_str(),
        s.counts[0],
        s.counts[1],
        s.counts[2],
        s.counts[3],
        s.suppressed
    );
    if let Some(to) = plan.to {
        message.push_str(&format!(
            "\nnext stage {}: {}",
            to.as_str(),
            count(plan.steps.len(), "change", "changes")
        ));
        for (i, step) in plan.steps.iter().enumerate() {
            message.push_str(&format!("\n{}. {} {}", i + 1, step.id(), step.headline()));
        }
    }
    command(
        &mut out,
        "notice",
        &[(
            "title",
            format!("Plimsoll readiness: stage {}", s.stage.as_str()),
        )],
        &message,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_data("a:b,c"), "a:b,c");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn commands_put_properties_before_the_message() {
        let mut s = String::new();
        command(
            &mut s,
            "error",
            &[("file", "dir,x/a:b.yaml".into()), ("line", "3".into())],
            "bad\n::set-output name=x::y",
        );
        assert_eq!(
            s,
            "::error file=dir%2Cx/a%3Ab.yaml,line=3::bad%0A::set-output name=x::y\n"
        );
        let mut s = String::new();
        command(&mut s, "notice", &[], "hi");
        assert_eq!(s, "::notice::hi\n");
    }
}
