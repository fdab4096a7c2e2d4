//! What blocks, what warns, who is exempt, what may be suppressed.
//!
//! [`Policy`] is the webhook's slice of the configuration: the command line's flags, and from
//! `plimsoll.yaml` (see [`crate::config`]) the blocking severity (`failOn`), the exemptions and
//! `rules.notSuppressible`. Suppressions come from `plimsoll.dev/ignore` annotations and
//! configuration exemptions (applied by `plimsoll_rules::suppress::apply` in
//! [`crate::review`]), and from an optional [`SuppressionHook`]. The rule that a suppression can
//! never bypass a rule listed in [`Policy::not_suppressible`] is enforced here, whoever set the
//! suppression.

use std::sync::Arc;

use plimsoll_model::{Finding, Object, Severity};
use plimsoll_rules::suppress::Exemption;

/// Decides whether a finding on an admitted object is suppressed (for example by a
/// `plimsoll.dev/ignore` annotation). Returns the reason when it is.
pub trait SuppressionHook: Send + Sync {
    fn suppression(&self, object: &Object<'_>, finding: &Finding) -> Option<Box<str>>;
}

#[derive(Clone)]
pub struct Policy {
    /// Findings at or above this severity deny the request; findings below it are warnings.
    pub blocking: Severity,
    /// Nothing denies: every finding is a warning (`failOn: never`, `--fail-on never`).
    pub warn_only: bool,
    /// Namespaces the webhook never evaluates. An entry ending in `*` matches by prefix.
    pub exempt_namespaces: Vec<String>,
    /// Rules that no suppression may silence, by id (`WKL-001`), name (`privileged-container`)
    /// or gap (`workload`), case-insensitively (as in `plimsoll.yaml`).
    pub not_suppressible: Vec<String>,
    /// On UPDATE, findings the stored object (`oldObject`) already had warn instead of blocking.
    pub ratchet_updates: bool,
    /// Honour `plimsoll.dev/ignore` annotations on the object and its pod template (with a
    /// reason; `until=` respected), as `plimsoll scan` does.
    pub annotations: bool,
    /// The configuration's `exemptions` (rules by namespace, kind and name globs).
    pub exemptions: Vec<Exemption>,
    /// An extra suppression source, for embedders.
    pub suppressions: Option<Arc<dyn SuppressionHook>>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("blocking", &self.blocking)
            .field("warn_only", &self.warn_only)
            .field("exempt_namespaces", &self.exempt_namespaces)
            .field("not_suppressible", &self.not_suppressible)
            .field("ratchet_updates", &self.ratchet_updates)
            .field("annotations", &self.annotations)
            .field("exemptions", &self.exemptions.len())
            .field("suppressions", &self.suppressions.is_some())
            .finish()
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            blocking: Severity::High,
            warn_only: false,
            exempt_namespaces: vec!["kube-system".into()],
            not_suppressible: Vec::new(),
            ratchet_updates: true,
            annotations: true,
            exemptions: Vec::new(),
            suppressions: None,
        }
    }
}

impl Policy {
    /// True when requests in `namespace` are not evaluated.
    pub fn is_exempt(&self, namespace: &str) -> bool {
        !namespace.is_empty()
            && self
                .exempt_namespaces
                .iter()
                .any(|e| match e.strip_suffix('*') {
                    Some(prefix) => namespace.starts_with(prefix),
                    None => e == namespace,
                })
    }

    /// True when the finding denies the request.
    pub fn blocks(&self, f: &Finding) -> bool {
        !self.warn_only && f.suppressed.is_none() && f.severity.at_least(self.blocking)
    }

    /// Apply the suppression hook, then undo any suppression of a not-suppressible rule (whoever
    /// set it).
    pub fn apply_suppressions(&self, object: Option<&Object<'_>>, findings: &mut [Finding]) {
        for f in findings.iter_mut() {
            if f.suppressed.is_none()
                && let (Some(hook), Some(o)) = (&self.suppressions, object)
            {
                f.suppressed = hook.suppression(o, f);
            }
            if f.suppressed.is_some() && self.locked(f) {
                f.suppressed = None;
            }
        }
    }

    /// True when the finding's rule is in [`Policy::not_suppressible`].
    pub fn locked(&self, f: &Finding) -> bool {
        let m = f.rule;
        self.not_suppressible.iter().any(|r| {
            r.eq_ignore_ascii_case(m.id)
                || r.eq_ignore_ascii_case(m.name)
                || r.eq_ignore_ascii_case(m.gap.as_str())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exemptions() {
        let p = Policy {
            exempt_namespaces: vec!["kube-system".into(), "team-*".into()],
            ..Policy::default()
        };
        assert!(p.is_exempt("kube-system"));
        assert!(p.is_exempt("team-a"));
        assert!(!p.is_exempt("kube-public"));
        assert!(!p.is_exempt(""));
    }

    struct IgnoreAll;
    impl SuppressionHook for IgnoreAll {
        fn suppression(&self, _: &Object<'_>, _: &Finding) -> Option<Box<str>> {
            Some("annotation".into())
        }
    }

    #[test]
    fn not_suppressible_rules_cannot_be_suppressed() {
        use plimsoll_yaml::{Limits, SourceFile, parse};
        let y = parse(
            SourceFile::new(
                "t",
                r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}"#,
            ),
            &Limits::default(),
        );
        let objs = plimsoll_model::objects(&y);
        let wkl = plimsoll_rules::registry::find("WKL-001").unwrap().meta();
        let img = plimsoll_rules::registry::find("IMG-001").unwrap().meta();
        let mut fs = vec![
            Finding::new(wkl, None, "privileged"),
            Finding::new(img, None, "latest"),
        ];
        let p = Policy {
            not_suppressible: vec!["workload".to_string()],
            suppressions: Some(Arc::new(IgnoreAll)),
            ..Policy::default()
        };
        p.apply_suppressions(objs.first(), &mut fs);
        assert!(fs[0].suppressed.is_none(), "WKL-001 is in a locked gap");
        assert!(fs[1].suppressed.is_some());
        assert!(p.blocks(&fs[0]) && !p.blocks(&fs[1]));
    }
}
