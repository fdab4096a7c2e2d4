//! Gaps, severities, rule metadata and findings.

use std::borrow::Cow;
use std::sync::Arc;

use plimsoll_yaml::{SourceFile, Span};
use serde::Serialize;

/// The ten production gaps, in the order of the issue list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Gap {
    Image,
    Workload,
    Storage,
    Network,
    Observability,
    Resilience,
    Access,
    Secrets,
    Change,
    Recovery,
}

impl Gap {
    pub const ALL: [Gap; 10] = [
        Gap::Image,
        Gap::Workload,
        Gap::Storage,
        Gap::Network,
        Gap::Observability,
        Gap::Resilience,
        Gap::Access,
        Gap::Secrets,
        Gap::Change,
        Gap::Recovery,
    ];

    /// The order in which the work is cheapest to pay for.
    pub const PLAN_ORDER: [Gap; 10] = [
        Gap::Image,
        Gap::Storage,
        Gap::Network,
        Gap::Observability,
        Gap::Access,
        Gap::Workload,
        Gap::Resilience,
        Gap::Secrets,
        Gap::Change,
        Gap::Recovery,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Gap::Image => "image",
            Gap::Workload => "workload",
            Gap::Storage => "storage",
            Gap::Network => "network",
            Gap::Observability => "observability",
            Gap::Resilience => "resilience",
            Gap::Access => "access",
            Gap::Secrets => "secrets",
            Gap::Change => "change",
            Gap::Recovery => "recovery",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Gap::Image => "Image and supply chain",
            Gap::Workload => "Workload hardening",
            Gap::Storage => "Storage and state",
            Gap::Network => "Network exposure",
            Gap::Observability => "Observability",
            Gap::Resilience => "Resilience",
            Gap::Access => "Access control",
            Gap::Secrets => "Secrets",
            Gap::Change => "Change control",
            Gap::Recovery => "Recovery",
        }
    }

    pub fn parse(s: &str) -> Option<Gap> {
        Gap::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Severity, from most to least severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// True when `self` is at least as severe as `threshold`.
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Peer tools whose checks Plimsoll maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Peer {
    KubeScore,
    KubeLinter,
    Polaris,
    Checkov,
    Kubescape,
    Trivy,
    Kyverno,
    Hadolint,
    SystemdAnalyze,
}

impl Peer {
    pub const ALL: [Peer; 9] = [
        Peer::KubeScore,
        Peer::KubeLinter,
        Peer::Polaris,
        Peer::Checkov,
        Peer::Kubescape,
        Peer::Trivy,
        Peer::Kyverno,
        Peer::Hadolint,
        Peer::SystemdAnalyze,
    ];

    /// The key used in JSON output and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Peer::KubeScore => "kube-score",
            Peer::KubeLinter => "kube-linter",
            Peer::Polaris => "polaris",
            Peer::Checkov => "checkov",
            Peer::Kubescape => "kubescape",
            Peer::Trivy => "trivy",
            Peer::Kyverno => "kyverno",
            Peer::Hadolint => "hadolint",
            Peer::SystemdAnalyze => "systemd-analyze",
        }
    }

    pub fn parse(s: &str) -> Option<Peer> {
        Peer::ALL.into_iter().find(|p| p.key() == s)
    }
}

/// Static description of a rule. Its documentation is the rule's doc comment (Markdown with the
/// sections `## What it does`, `## Why it matters`, `## How to fix` and `## Severity`).
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable id, e.g. `IMG-001`. Never reused.
    pub id: &'static str,
    /// Readable slug, e.g. `image-tag-mutable`.
    pub name: &'static str,
    pub gap: Gap,
    pub severity: Severity,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// The full Markdown documentation.
    pub docs: &'static str,
    /// Equivalent checks of peer tools, spelled as the tool spells them.
    pub peers: &'static [(Peer, &'static [&'static str])],
}

impl RuleMeta {
    /// The text of a `## <title>` section of the docs.
    pub fn section(&self, title: &str) -> &'static str {
        let docs = self.docs;
        let marker = format!("## {title}");
        let Some(start) = docs.find(&marker) else {
            return "";
        };
        let body = &docs[start + marker.len()..];
        // doc-comment lines keep the space after `///`: the next section starts with "\n ## "
        let end = [body.find("\n## "), body.find("\n ## ")]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(body.len());
        body[..end].trim()
    }

    /// Why it matters in production (one paragraph).
    pub fn rationale(&self) -> &'static str {
        self.section("Why it matters")
    }

    /// How to fix it, usually with a YAML snippet.
    pub fn fix(&self) -> &'static str {
        self.section("How to fix")
    }

    /// The fix with the doc comment's one-space indent removed.
    pub fn fix_text(&self) -> String {
        dedent(self.fix())
    }

    /// The whole documentation with the doc comment's one-space indent removed.
    pub fn docs_text(&self) -> String {
        dedent(self.docs)
    }

    /// The first paragraph of the fix, without code: short enough for one line of output.
    pub fn fix_short(&self) -> &'static str {
        let f = self.fix();
        let end = f.find("\n\n").unwrap_or(f.len());
        f[..end].trim()
    }

    pub fn peer_ids(&self, peer: Peer) -> &'static [&'static str] {
        self.peers
            .iter()
            .find(|(p, _)| *p == peer)
            .map(|(_, ids)| *ids)
            .unwrap_or(&[])
    }
}

fn dedent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// Index of a scanned file in the scan's file table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A resolved place in a file: byte span plus 1-based line and character column of its start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Loc {
    pub file: FileId,
    pub line: u32,
    pub column: u32,
    pub span: Span,
}

impl Loc {
    pub fn new(file: FileId, source: &SourceFile, span: Span) -> Loc {
        let lc = source.line_col(span.start);
        Loc {
            file,
            line: lc.line,
            column: lc.column,
            span,
        }
    }
}

/// Identity of an object, shared by all findings about it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    pub api_version: Box<str>,
    pub kind: Box<str>,
    pub namespace: Option<Box<str>>,
    pub name: Box<str>,
}

impl ObjectId {
    /// The namespace used for matching: objects without one land in `default`.
    pub fn ns(&self) -> &str {
        self.namespace.as_deref().unwrap_or("default")
    }
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}", self.kind, ns, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

/// One gap found.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub message: Cow<'static, str>,
    /// `None` for findings about the whole scan.
    pub loc: Option<Loc>,
    pub object: Option<Arc<ObjectId>>,
    pub container: Option<Box<str>>,
    /// Set when a suppression applies; the finding is then reported as suppressed.
    pub suppressed: Option<Box<str>>,
    /// Bytes of the source that must never be shown (a secret's value), masked in snippets.
    pub redact: Option<Span>,
}

impl Finding {
    pub fn new(
        rule: &'static RuleMeta,
        loc: Option<Loc>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            loc,
            object: None,
            container: None,
            suppressed: None,
            redact: None,
        }
    }

    pub fn gap(&self) -> Gap {
        self.rule.gap
    }
}

/// Edit distance between two words (case-insensitive), for "did you mean" suggestions.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_ascii_lowercase().chars().collect();
    let b: Vec<char> = b.to_ascii_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest of `known` to `word`, when close enough to be a likely typo. Used by every
/// strict reader (configuration, declarations) for its "did you mean" hints.
pub fn suggest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (distance(word, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}
