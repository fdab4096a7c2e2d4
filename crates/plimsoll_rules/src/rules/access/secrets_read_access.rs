use plimsoll_model::Object;

use super::support::{ROLE_KINDS, policy_rules, role_label};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Roles and ClusterRoles that grant `get`, `list` or `watch` on `secrets` of the
    /// core API group. Rights through a `*` resource are reported by `rbac-wildcard`.
    ///
    /// ## Why it matters
    /// Secrets hold database passwords, API keys, TLS private keys and the tokens of other
    /// ServiceAccounts, so read access to them is read access to everything those credentials
    /// open. `list` and `watch` are the worst: they return every Secret of the namespace (or of
    /// the cluster, for a ClusterRole) in one call, values included. Some controllers need it;
    /// each of them is a place where one compromise leaks every credential.
    ///
    /// ## How to fix
    /// Mount the Secrets the workload needs instead of reading them through the API, or
    /// restrict the rule to the named Secrets it uses:
    ///
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: [secrets]
    ///     resourceNames: [api-tls]
    ///     verbs: [get]
    /// ```
    ///
    /// ## Severity
    /// Medium: operators (cert-manager, external-secrets, ingress controllers) legitimately
    /// need it, so it is an inventory of credential exposure more than a defect; it is not
    /// exploitable until the role is bound.
    pub struct SecretsReadAccess {
        id: "ACC-005",
        name: "secrets-read-access",
        gap: Access,
        severity: Medium,
        target: Target::Kinds(ROLE_KINDS),
        summary: "Role can read Secrets",
        peers: [
            KubeLinter: ["access-to-secrets"],
            Checkov: ["CKV2_K8S_5"],
            Kubescape: ["C-0015", "C-0186"],
            Trivy: ["KSV-0041", "KSV-0113"],
            Kyverno: ["other/restrict-secret-role-verbs"],
        ],
    }
}

impl Rule for SecretsReadAccess {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        for r in policy_rules(o) {
            if !r.core() {
                continue;
            }
            let verbs: Vec<&str> = r
                .verbs
                .iter()
                .map(|(v, _)| *v)
                .filter(|v| matches!(*v, "get" | "list" | "watch" | "*"))
                .collect();
            if verbs.is_empty() {
                continue;
            }
            let how = if verbs.contains(&"*") {
                "do anything (`*`) with".to_string()
            } else {
                verbs.join("/")
            };
            for (_, n) in r.resources_named(&["secrets"]) {
                cx.report(
                    n,
                    format!(
                        "{} can {how} Secrets; whoever holds it reads their credentials",
                        role_label(o)
                    ),
                );
            }
        }
    }
}
