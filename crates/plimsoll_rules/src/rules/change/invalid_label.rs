use std::sync::LazyLock;

use plimsoll_model::{Object, Workload};
use plimsoll_yaml::{Node, Scalar};
use regex::Regex;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

static NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$").unwrap());
static DNS_SUBDOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$").unwrap()
});

/// What is wrong with a label key, if anything.
fn bad_key(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix
        && (p.is_empty() || p.len() > 253 || !DNS_SUBDOMAIN.is_match(p))
    {
        return Some(format!(
            "label key `{key}` has an invalid prefix: it must be a lower-case DNS subdomain of at most 253 characters"
        ));
    }
    if name.is_empty() || name.len() > 63 || !NAME.is_match(name) {
        return Some(format!(
            "label key `{key}` is invalid: the name part must be 1-63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"
        ));
    }
    None
}

/// What is wrong with a label value, if anything.
fn bad_value(key: &str, v: Node<'_>) -> Option<String> {
    let kind = match v.scalar()? {
        Scalar::Null => return None,
        Scalar::Bool(_) => Some("a boolean"),
        Scalar::Int(_) => Some("a number"),
        Scalar::Float(_) => Some("a number"),
        Scalar::Str(_) => None,
    };
    let text = v.text()?;
    if let Some(kind) = kind {
        return Some(format!(
            "label `{key}: {text}` is {kind} in YAML, and label values must be strings; quote it"
        ));
    }
    if text.contains("{{") || text.is_empty() {
        return None;
    }
    if text.len() > 63 || !NAME.is_match(text) {
        return Some(format!(
            "label value `{text}` of `{key}` is invalid: at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"
        ));
    }
    None
}

declare_rule! {
    /// ## What it does
    /// Reports labels (on objects and on pod templates) whose key or value the API server
    /// rejects: values longer than 63 characters or with characters other than letters,
    /// digits, `-`, `_` and `.`; keys with an invalid prefix or name; and values that YAML reads
    /// as a boolean or a number (`enabled: true`, `version: 1.10`) instead of a string.
    ///
    /// ## Why it matters
    /// The API server rejects the whole object, so the apply fails, and with it the Helm
    /// release or the GitOps sync it belongs to. An unquoted value is worse than it looks:
    /// `version: 1.10` is the number `1.1`, so the label, if a tool coerces it, no longer says
    /// what was written. Labels drive selectors, so a label that does not survive is a Service
    /// or a NetworkPolicy that silently selects nothing.
    ///
    /// ## How to fix
    /// Quote values that look like booleans or numbers, and keep to the label syntax:
    ///
    /// ```yaml
    /// metadata:
    ///   labels:
    ///     app.kubernetes.io/name: web
    ///     app.kubernetes.io/version: "1.10"
    ///     canary: "true"
    /// ```
    ///
    /// ## Severity
    /// Low: the failure is immediate and visible at apply time.
    pub struct InvalidLabel {
        id: "CHG-007",
        name: "invalid-label",
        gap: Change,
        severity: Low,
        target: Target::AnyObject,
        summary: "Label key or value is not valid Kubernetes label syntax",
        peers: [
            KubeScore: ["label-values"],
        ],
    }
}

impl InvalidLabel {
    fn check_labels(&self, labels: Option<Node<'_>>, cx: &mut Cx<'_>) {
        for (k, v) in labels.into_iter().flat_map(|l| l.entries()) {
            let Some(key) = k.text() else { continue };
            if key.contains("{{") {
                continue;
            }
            if let Some(msg) = bad_key(key) {
                cx.report(k, msg);
            } else if let Some(msg) = bad_value(key, v) {
                cx.report(v, msg);
            }
        }
    }
}

impl Rule for InvalidLabel {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        self.check_labels(o.labels(), cx);
        if let Some(w) = Workload::from_object(*o)
            && w.kind != plimsoll_model::WorkloadKind::Pod
        {
            self.check_labels(w.pod_labels(), cx);
        }
    }
}
