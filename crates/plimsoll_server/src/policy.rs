//! What blocks, what warns, who is exempt.
//!
//! [`Policy`] is the webhook's slice of the configuration. Today it is built from the command
//! line; the `plimsoll.yaml` configuration layer (per-namespace profiles, suppressions) will build
//! the same struct, and plug annotation suppressions (`plimsoll.dev/ignore`) in through
//! [`SuppressionHook`]. The rule that a suppression can never bypass a rule listed in
//! [`Policy::not_suppressible`] is enforced here, not by the hook.

use std::collections::BTreeSet;
use std::sync::Arc;

use plimsoll_model::{Finding, Object, Severity};

/// Decides whether a finding on an admitted object is suppressed (for example by a
/// `plimsoll.dev/ignore` annotation). Returns the reason when it is.
pub trait SuppressionHook: Send + Sync {
    fn suppression(&self, object: &Object<'_>, finding: &Finding) -> Option<Box<str>>;
}

#[derive(Clone)]
pub struct Policy {
    /// Findings at or above this severity deny the request; findings below it are warnings.
    pub blocking: Severity,
    /// Namespaces the webhook never evaluates. An entry ending in `*` matches by prefix.
    pub exempt_namespaces: Vec<String>,
    /// Rule ids (`WKL-001`) that no suppression may silence.
    pub not_suppressible: BTreeSet<String>,
    /// Suppression hook (none yet: the configuration layer provides it).
    pub suppressions: Option<Arc<dyn SuppressionHook>>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("blocking", &self.blocking)
            .field("exempt_namespaces", &self.exempt_namespaces)
            .field("not_suppressible", &self.not_suppressible)
            .field("suppressions", &self.suppressions.is_some())
            .finish()
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            blocking: Severity::High,
            exempt_namespaces: vec!["kube-system".into()],
            not_suppressible: BTreeSet::new(),
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
        f.suppressed.is_none() && f.severity.at_least(self.blocking)
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
            if f.suppressed.is_some() && self.not_suppressible.contains(f.rule.id) {
                f.suppressed = None;
            }
        }
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
}
