use plimsoll_model::Workload;
use plimsoll_yaml::Node;

use super::sc::{self, Scope};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports an explicit `runAsUser` or `runAsGroup` between 1 and 9999, in a container's
    /// `securityContext` or inherited from the pod's; a low user and group set in the same
    /// `securityContext` are one finding. `0` is left to `run-as-root-user`
    /// (WKL-004) and `root-group` (WKL-006); unset values are not reported (the image decides,
    /// and `run-as-non-root-not-enforced` covers the risky case). Windows pods are skipped.
    ///
    /// ## Why it matters
    /// Without user namespaces, a container's UID is the same number on the node. Low IDs are
    /// where the node's own accounts live: 1000 is usually the first human user, and system
    /// services and their files sit below that. A process that escapes the container, or reaches
    /// a host mount, with such an ID inherits whatever that account owns on the node. IDs of
    /// 10000 and above do not collide with accounts a distribution creates.
    ///
    /// ## How to fix
    /// ```yaml
    /// securityContext:
    ///   runAsUser: 10001
    ///   runAsGroup: 10001
    /// ```
    ///
    /// ## Severity
    /// Low: it only matters after a container escape or through a host mount, and then only if
    /// the node has an account with that ID.
    pub struct LowUidGid {
        id: "WKL-005",
        name: "low-user-or-group-id",
        gap: Workload,
        severity: Low,
        target: Target::Workloads,
        summary: "Container runs with a UID or GID below 10000",
        peers: [
            KubeScore: ["container-security-context-user-group-id"],
            Checkov: ["CKV_K8S_40"],
            Trivy: ["KSV-0020", "KSV-0021"],
        ],
    }
}

/// The securityContext a scope's value was read from.
fn context<'a>(w: &Workload<'a>, scope: &Scope<'a>) -> Option<Node<'a>> {
    match scope {
        Scope::Container(c) => c.security_context(),
        Scope::Pod(_) => w.pod_security_context(),
    }
}

/// A low, non-root ID.
fn low(n: Option<Node<'_>>) -> Option<i64> {
    n?.as_i64().filter(|id| (1..10000).contains(id))
}

impl Rule for LowUidGid {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        sc::visit_inherited(w, &["runAsUser"], |scope, n| {
            let Some(uid) = low(Some(n)) else { return };
            // A low group set next to it is named in the same finding.
            let gid = low(context(w, &scope).and_then(|s| s.get("runAsGroup")));
            let (verb, what, ids) = match gid {
                Some(gid) => (
                    "give",
                    "a UID and GID",
                    format!("`runAsUser: {uid}` and `runAsGroup: {gid}`"),
                ),
                None => ("gives", "a UID", format!("`runAsUser: {uid}`")),
            };
            let msg = format!(
                "{ids}{} {verb} {} {what} below 10000, which can match an account on the node",
                scope.origin(),
                scope.subject()
            );
            scope.report(cx, n, msg);
        });
        sc::visit_inherited(w, &["runAsGroup"], |scope, n| {
            let Some(gid) = low(Some(n)) else { return };
            if low(context(w, &scope).and_then(|s| s.get("runAsUser"))).is_some() {
                return;
            }
            let msg = format!(
                "`runAsGroup: {gid}`{} gives {} a GID below 10000, which can match a group on the node",
                scope.origin(),
                scope.subject()
            );
            scope.report(cx, n, msg);
        });
    }
}
