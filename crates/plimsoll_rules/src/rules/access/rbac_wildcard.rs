use plimsoll_model::Object;

use super::support::{ROLE_KINDS, policy_rules, role_label};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Roles and ClusterRoles with a `*` in the `verbs` or `resources` of a rule.
    /// Aggregated ClusterRoles (whose rules the controller fills in) are not reported.
    ///
    /// ## Why it matters
    /// A wildcard grants everything that exists today and everything added tomorrow: `*`
    /// verbs include `escalate`, `bind`, `impersonate` and `delete`; `*` resources include
    /// Secrets, `pods/exec` and every CRD a future operator installs. Nobody can review what
    /// such a role allows, and it is usually a shortcut taken because listing the rights was
    /// tedious, which is exactly the case where most of them are not needed.
    ///
    /// ## How to fix
    /// List the resources and verbs the subject uses:
    ///
    /// ```yaml
    /// rules:
    ///   - apiGroups: [apps]
    ///     resources: [deployments]
    ///     verbs: [get, list, watch, patch]
    /// ```
    ///
    /// ## Severity
    /// High: peers disagree (Trivy Critical, KICS Low); a wildcard is not exploitable until the
    /// role is bound, but once bound it usually amounts to full control of its scope.
    pub struct RbacWildcard {
        id: "ACC-004",
        name: "rbac-wildcard",
        gap: Access,
        severity: High,
        target: Target::Kinds(ROLE_KINDS),
        summary: "Role grants wildcard verbs or resources",
        peers: [
            KubeLinter: ["wildcard-in-rules"],
            Checkov: ["CKV_K8S_49"],
            Kubescape: ["C-0187"],
            Trivy: ["KSV-0044", "KSV-0045", "KSV-0046", "KSV-0112"],
            Kyverno: ["other/restrict-wildcard-verbs", "other/restrict-wildcard-resources"],
        ],
    }
}

impl Rule for RbacWildcard {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        for r in policy_rules(o) {
            for (field, list) in [("verbs", &r.verbs), ("resources", &r.resources)] {
                for (v, n) in list {
                    if *v == "*" {
                        cx.report(
                            *n,
                            format!(
                                "{} grants `*` {field}: every current and future {} included",
                                role_label(o),
                                if field == "verbs" { "verb" } else { "resource" }
                            ),
                        );
                    }
                }
            }
        }
    }
}
