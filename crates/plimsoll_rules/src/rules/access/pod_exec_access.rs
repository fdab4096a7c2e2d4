use plimsoll_model::Object;

use super::support::{ROLE_KINDS, policy_rules, role_label};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Roles and ClusterRoles that grant `create` or `get` (or `*`) on `pods/exec`,
    /// `pods/attach` or `pods/portforward`. `get` counts because `kubectl exec` over WebSockets
    /// needs nothing else.
    ///
    /// ## Why it matters
    /// Exec and attach run commands inside running containers: with them, a subject reads the
    /// process's environment and mounted Secrets, its ServiceAccount token and its memory,
    /// whatever RBAC says about Secrets. Port-forward opens a tunnel to any port of any pod,
    /// around every NetworkPolicy. These are debugging tools; in a standing role they are an
    /// escalation path from "can see pods" to "owns their data".
    ///
    /// ## How to fix
    /// Remove the subresources from standing roles and grant them just in time, through a
    /// break-glass role bound for the duration of an incident:
    ///
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: [pods, pods/log]
    ///     verbs: [get, list, watch]
    /// ```
    ///
    /// ## Severity
    /// High: it gives access to every secret the pods hold and bypasses network isolation.
    pub struct PodExecAccess {
        id: "ACC-006",
        name: "pod-exec-access",
        gap: Access,
        severity: High,
        target: Target::Kinds(ROLE_KINDS),
        summary: "Role can exec into, attach to or port-forward to pods",
        peers: [
            Polaris: ["clusterrolePodExecAttach", "rolePodExecAttach"],
            Checkov: ["CKV2_K8S_2"],
            Kubescape: ["C-0002", "C-0063"],
            Trivy: ["KSV-0053", "KSV-0054"],
            Kyverno: ["other/block-pod-exec-by-namespace"],
        ],
    }
}

impl Rule for PodExecAccess {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        for r in policy_rules(o) {
            if !r.core() || !r.grants(&["create", "get"]) {
                continue;
            }
            for (res, n) in r.resources_named(&["pods/exec", "pods/attach", "pods/portforward"]) {
                cx.report(
                    n,
                    format!(
                        "{} grants `{res}`: it can reach into running containers and their secrets",
                        role_label(o)
                    ),
                );
            }
        }
    }
}
