use plimsoll_model::Object;

use super::support::{ROLE_KINDS, policy_rules, role_label};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Roles and ClusterRoles that grant the `bind`, `escalate` or `impersonate` verbs.
    /// A `*` verb is reported by `rbac-wildcard`.
    ///
    /// ## Why it matters
    /// RBAC stops a subject from granting rights it does not hold, except through these three
    /// verbs. `escalate` lets it edit a role to add any right, `bind` lets it bind any role
    /// (`cluster-admin` included) to itself, and `impersonate` lets it act as any user, group
    /// or ServiceAccount. Each one is a path from a narrow role to full control.
    ///
    /// ## How to fix
    /// Remove the verbs; if a controller must create bindings, limit `bind` to the named roles
    /// it hands out:
    ///
    /// ```yaml
    /// rules:
    ///   - apiGroups: [rbac.authorization.k8s.io]
    ///     resources: [clusterroles]
    ///     resourceNames: [tenant-viewer]
    ///     verbs: [bind]
    /// ```
    ///
    /// ## Severity
    /// High: each verb is a built-in privilege escalation, exploitable as soon as the role is
    /// bound.
    pub struct RbacEscalationVerbs {
        id: "ACC-007",
        name: "rbac-escalation-verbs",
        gap: Access,
        severity: High,
        target: Target::Kinds(ROLE_KINDS),
        summary: "Role grants bind, escalate or impersonate",
        peers: [
            Checkov: ["CKV_K8S_157", "CKV_K8S_158", "CKV2_K8S_1", "CKV2_K8S_3"],
            Kubescape: ["C-0191", "C-0065"],
            Trivy: ["KSV-0043", "KSV-0050", "KSV-0051", "KSV-0052", "KSV-0055"],
            Kyverno: ["other/restrict-escalation-verbs-roles"],
        ],
    }
}

impl Rule for RbacEscalationVerbs {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        for r in policy_rules(o) {
            for (v, n) in &r.verbs {
                let what = match *v {
                    "bind" => "bind roles it does not hold",
                    "escalate" => "add any right to roles",
                    "impersonate" => "act as other users and ServiceAccounts",
                    _ => continue,
                };
                cx.report(*n, format!("{} grants `{v}`: it can {what}", role_label(o)));
            }
        }
    }
}
