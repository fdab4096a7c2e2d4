//! Suppressions with accountability.
//!
//! Three forms, all needing a reason:
//! * the annotation `plimsoll.dev/ignore: "<rule>[,<rule>] reason=... until=YYYY-MM-DD"` on an
//!   object or its pod template (several directives separated by `;`);
//! * an inline comment `# plimsoll: ignore[<rule>,...] reason=... until=...` on the finding's
//!   line or the line above;
//! * configuration exemptions by namespace, kind and name globs.
//!
//! A rule may be named by id, name or gap (`IMG-001`, `image-tag-mutable`, `image`), or `all`.
//! A directive without a reason suppresses nothing and is reported (CHG-090); an expired one
//! stops suppressing and is reported (CHG-091). Suppressed findings stay in the results, marked.

use std::collections::HashMap;

use plimsoll_model::facts::IGNORE_ANNOTATION;
use plimsoll_model::{FileId, Finding, Index, Loc, ObjectId, RuleMeta};

use crate::declare_rule;
use crate::rule::{Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports a suppression (annotation, inline comment or configuration exemption) that gives
    /// no `reason=`. Such a suppression suppresses nothing.
    ///
    /// ## Why it matters
    /// A gate survives in an organisation only if exceptions are accountable: someone must be
    /// able to read why a finding was accepted, and decide later whether the reason still holds.
    /// A bare "ignore" is how a gate quietly stops gating.
    ///
    /// ## How to fix
    /// Say why, and until when:
    ///
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     plimsoll.dev/ignore: "WKL-003 reason=vendor image needs root, ticket OPS-42 until=2027-03-31"
    /// ```
    ///
    /// ## Severity
    /// Low: the finding it meant to hide is still reported on its own.
    pub struct SuppressionWithoutReason {
        id: "CHG-090",
        name: "suppression-without-reason",
        gap: Change,
        severity: Low,
        target: Target::Index,
        summary: "A suppression gives no reason, so it suppresses nothing",
        peers: [],
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a suppression whose `until=` date has passed. It no longer suppresses anything.
    ///
    /// ## Why it matters
    /// Accepted debt has a due date. When it passes, the finding comes back so that someone
    /// decides again: fix it now, or renew the exception with a new reason and date.
    ///
    /// ## How to fix
    /// Fix the finding and remove the suppression, or renew it with a later `until=` and a reason
    /// that still holds.
    ///
    /// ## Severity
    /// Low: the suppressed finding itself is reported again with its own severity.
    pub struct SuppressionExpired {
        id: "CHG-091",
        name: "suppression-expired",
        gap: Change,
        severity: Low,
        target: Target::Index,
        summary: "A suppression's `until=` date has passed",
        peers: [],
    }
}

impl Rule for SuppressionWithoutReason {}
impl Rule for SuppressionExpired {}

/// One parsed suppression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// Days since the epoch.
    pub until: Option<i64>,
    pub until_text: Option<String>,
}

impl Directive {
    pub fn covers(&self, m: &RuleMeta) -> bool {
        self.rules.iter().any(|r| {
            r.eq_ignore_ascii_case("all")
                || r.eq_ignore_ascii_case(m.id)
                || r.eq_ignore_ascii_case(m.name)
                || r.eq_ignore_ascii_case(m.gap.as_str())
        })
    }
}

/// Parse `"<rule>[,<rule>] reason=... until=YYYY-MM-DD"`. `reason=` runs to `until=` or the end.
pub fn parse_directive(text: &str) -> Option<Directive> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let (rules_part, rest) = match text.find(char::is_whitespace) {
        Some(i) => (&text[..i], text[i..].trim()),
        None => (text, ""),
    };
    let rules: Vec<String> = rules_part
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    if rules.is_empty() {
        return None;
    }
    let mut reason = None;
    let mut until_text = None;
    let lower = rest.to_string();
    let r_at = lower.find("reason=");
    let u_at = lower.find("until=");
    if let Some(r) = r_at {
        let end = match u_at {
            Some(u) if u > r => u,
            _ => lower.len(),
        };
        let v = rest[r + 7..end].trim().trim_matches('"').trim();
        if !v.is_empty() {
            reason = Some(v.to_string());
        }
    }
    if let Some(u) = u_at {
        let v = rest[u + 6..].split_whitespace().next().unwrap_or("");
        until_text = Some(v.to_string());
    }
    let until = until_text.as_deref().and_then(crate::date::parse_date);
    Some(Directive {
        rules,
        reason,
        until,
        until_text,
    })
}

/// Inline comment directives of one file: (1-based line, directive, where the comment is).
pub fn inline_directives(
    file: FileId,
    source: &plimsoll_yaml::SourceFile,
) -> Vec<(u32, Directive, Loc)> {
    let text = source.text();
    let mut out = Vec::new();
    if !text.contains("plimsoll:") {
        return out;
    }
    let mut offset = 0u32;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        // the directive's own `#` (a value may contain `#` before it, as in `contact: '#ops'`)
        if let Some(h) = line.find("# plimsoll:").or_else(|| line.find("#plimsoll:")) {
            let comment = line[h + 1..].trim();
            if let Some(rest) = comment.strip_prefix("plimsoll:") {
                let rest = rest.trim();
                if let Some(body) = rest.strip_prefix("ignore[")
                    && let Some(close) = body.find(']')
                {
                    let text = format!("{} {}", &body[..close], &body[close + 1..]);
                    if let Some(d) = parse_directive(&text) {
                        out.push((
                            i as u32 + 1,
                            d,
                            Loc::new(file, source, plimsoll_yaml::Span::empty(offset + h as u32)),
                        ));
                    }
                }
            }
        }
        offset += line.len() as u32;
    }
    out
}

/// A configuration exemption: globs on namespace, kind and name (missing = any).
#[derive(Clone, Debug, Default)]
pub struct Exemption {
    pub rules: Vec<String>,
    pub namespace: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub reason: Option<String>,
    pub until: Option<i64>,
    pub until_text: Option<String>,
    /// Where it was written (for findings about the exemption itself).
    pub loc: Option<Loc>,
}

impl Exemption {
    fn directive(&self) -> Directive {
        Directive {
            rules: self.rules.clone(),
            reason: self.reason.clone(),
            until: self.until,
            until_text: self.until_text.clone(),
        }
    }

    fn matches(&self, o: &ObjectId) -> bool {
        glob(self.namespace.as_deref(), o.ns())
            && glob(self.kind.as_deref(), &o.kind)
            && glob(self.name.as_deref(), &o.name)
    }
}

/// `*` matches any run of characters, `?` one; no pattern matches everything.
pub fn glob(pattern: Option<&str>, text: &str) -> bool {
    let Some(p) = pattern else { return true };
    fn m(p: &[u8], t: &[u8]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some(b'*'), _) => m(&p[1..], t) || (!t.is_empty() && m(p, &t[1..])),
            (Some(b'?'), Some(_)) => m(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a == b => m(&p[1..], &t[1..]),
            _ => false,
        }
    }
    m(p.as_bytes(), text.as_bytes())
}

/// What suppression needs to know about a scan.
pub struct SuppressionInput<'a> {
    pub index: &'a Index,
    /// Inline directives per file.
    pub inline: &'a HashMap<FileId, Vec<(u32, Directive, Loc)>>,
    pub exemptions: &'a [Exemption],
    /// Rules that no suppression may hide (configuration `notSuppressible`).
    pub not_suppressible: &'a [String],
    pub today: i64,
}

enum Verdict {
    Suppress(String),
    Problem(Directive, Option<Loc>, Option<std::sync::Arc<ObjectId>>),
}

fn judge(d: &Directive, today: i64, what: &str) -> Verdict {
    match (&d.reason, d.until) {
        (None, _) => Verdict::Problem(d.clone(), None, None),
        (Some(_), Some(u)) if u < today => Verdict::Problem(d.clone(), None, None),
        (Some(r), _) => Verdict::Suppress(format!("{what}: {r}")),
    }
}

/// Mark suppressed findings and append findings about bad suppressions.
pub fn apply(findings: &mut Vec<Finding>, input: &SuppressionInput<'_>) {
    // object annotations
    let mut ann: HashMap<&ObjectId, (Vec<Directive>, Loc)> = HashMap::new();
    for o in &input.index.objects {
        if let Some(v) = o.annotations.get(IGNORE_ANNOTATION) {
            let ds: Vec<Directive> = v.split(';').filter_map(parse_directive).collect();
            ann.insert(&o.id, (ds, o.loc));
        }
    }
    let locked = |m: &RuleMeta| {
        input.not_suppressible.iter().any(|r| {
            r.eq_ignore_ascii_case(m.id)
                || r.eq_ignore_ascii_case(m.name)
                || r.eq_ignore_ascii_case(m.gap.as_str())
        })
    };
    let mut problems: Vec<Verdict> = Vec::new();
    let mut seen_problem = std::collections::HashSet::new();
    for f in findings.iter_mut() {
        if f.suppressed.is_some() || locked(f.rule) {
            continue;
        }
        let mut candidates: Vec<(Directive, Option<Loc>, &str)> = Vec::new();
        if let Some(l) = f.loc
            && let Some(ds) = input.inline.get(&l.file)
        {
            for (line, d, at) in ds {
                if (*line == l.line || *line + 1 == l.line) && d.covers(f.rule) {
                    candidates.push((d.clone(), Some(*at), "inline comment"));
                }
            }
        }
        if let Some(o) = &f.object {
            if let Some((ds, at)) = ann.get(&**o) {
                for d in ds {
                    if d.covers(f.rule) {
                        candidates.push((d.clone(), Some(*at), "annotation plimsoll.dev/ignore"));
                    }
                }
            }
            for e in input.exemptions {
                let d = e.directive();
                if e.matches(o) && d.covers(f.rule) {
                    candidates.push((d, e.loc, "configuration exemption"));
                }
            }
        }
        for (d, at, what) in candidates {
            match judge(&d, input.today, what) {
                Verdict::Suppress(reason) => {
                    f.suppressed = Some(reason.into());
                    break;
                }
                Verdict::Problem(d, _, _) => {
                    let key = (at, d.rules.join(","), d.reason.is_some());
                    if seen_problem.insert(key) {
                        problems.push(Verdict::Problem(d, at, f.object.clone()));
                    }
                }
            }
        }
    }
    for p in problems {
        if let Verdict::Problem(d, at, object) = p {
            let (meta, msg) = if d.reason.is_none() {
                (
                    SuppressionWithoutReason.meta_static(),
                    format!(
                        "suppression of {} gives no reason=, so it suppresses nothing",
                        d.rules.join(",")
                    ),
                )
            } else {
                (
                    SuppressionExpired.meta_static(),
                    format!(
                        "suppression of {} expired on {}; its findings are reported again",
                        d.rules.join(","),
                        d.until_text.as_deref().unwrap_or("?")
                    ),
                )
            };
            let mut f = Finding::new(meta, at, msg);
            f.object = object;
            findings.push(f);
        }
    }
}

trait MetaStatic {
    fn meta_static(&self) -> &'static RuleMeta;
}

impl<T: crate::rule::Meta> MetaStatic for T {
    fn meta_static(&self) -> &'static RuleMeta {
        self.meta()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives() {
        let d = parse_directive("WKL-001,image reason=vendor image, ticket OPS-1 until=2027-01-31")
            .unwrap();
        assert_eq!(d.rules, vec!["WKL-001", "image"]);
        assert_eq!(d.reason.as_deref(), Some("vendor image, ticket OPS-1"));
        assert_eq!(d.until_text.as_deref(), Some("2027-01-31"));
        assert!(d.until.is_some());
        let d = parse_directive("NET-001").unwrap();
        assert!(d.reason.is_none());
        assert!(parse_directive("  ").is_none());
    }

    #[test]
    fn finds_inline_comments() {
        let text = "a: 1\n  privileged: true # plimsoll: ignore[WKL-001] reason=node agent\n# plimsoll: ignore[all]\nb: 2\ncontact: '#ops' # plimsoll: ignore[DCL-005] reason=rotation in PagerDuty\n";
        let ds = inline_directives(FileId(0), &plimsoll_yaml::SourceFile::new("t.yaml", text));
        assert_eq!(ds.len(), 3);
        assert_eq!(ds[2].0, 5);
        assert_eq!(ds[0].0, 2);
        assert_eq!(ds[0].1.reason.as_deref(), Some("node agent"));
        assert_eq!(ds[1].0, 3);
        assert!(ds[1].1.reason.is_none());
    }

    #[test]
    fn globs() {
        assert!(glob(Some("legacy-*"), "legacy-shop"));
        assert!(!glob(Some("legacy-*"), "shop"));
        assert!(glob(None, "x"));
        assert!(glob(Some("a?c"), "abc"));
    }
}
