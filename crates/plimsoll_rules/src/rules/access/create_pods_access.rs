use plimsoll_model::Object;

use super::support::{ROLE_KINDS, policy_rules, role_label};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Roles and ClusterRoles that grant `create` (or `*`) on `pods` of the core API
    /// group.
    ///
    /// ## Why it matters
    /// Creating a pod is running any image, with any ServiceAccount of the namespace and any
    /// Secret of the namespace mounted. A subject that can create pods therefore holds the
    /// rights of every ServiceAccount and every credential in its scope, and, where Pod
    /// Security Admission is not enforced, can also run a privileged pod that takes over the
    /// node.
    ///
    /// ## How to fix
    /// Let controllers create pods, and give people and CI the rights to manage the controllers
    /// (Deployments, Jobs) in the namespaces they own, with Pod Security Admission enforced:
    ///
    /// ```yaml
    /// rules:
    ///   - apiGroups: [apps]
    ///     resources: [deployments]
    ///     verbs: [get, list, watch, patch]
    /// ```
    ///
    /// ## Severity
    /// Medium: it is an escalation path inside the role's scope, bounded by admission policy.
    pub struct CreatePodsAccess {
        id: "ACC-008",
        name: "create-pods-access",
        gap: Access,
        severity: Medium,
        target: Target::Kinds(ROLE_KINDS),
        summary: "Role can create pods",
        peers: [
            KubeLinter: ["access-to-create-pods"],
            Kubescape: ["C-0188"],
            Trivy: ["KSV-0048"],
        ],
    }
}

impl Rule for CreatePodsAccess {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        for r in policy_rules(o) {
            if !r.core() || !r.grants(&["create"]) {
                continue;
            }
            for (_, n) in r.resources_named(&["pods"]) {
                cx.report(
                    n,
                    format!(
                        "{} can create pods: any image, with any ServiceAccount and Secret of its scope",
                        role_label(o)
                    ),
                );
            }
        }
    }
}
