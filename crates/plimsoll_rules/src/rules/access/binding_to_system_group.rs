use plimsoll_model::{Object, Severity};

use super::support::BINDING_KINDS;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports RoleBindings and ClusterRoleBindings whose subjects include the user
    /// `system:anonymous` or the groups `system:unauthenticated` or `system:masters`.
    ///
    /// ## Why it matters
    /// `system:anonymous` and `system:unauthenticated` are whoever reaches the API server
    /// without credentials: on many clusters, anyone on the network or on the internet. Any
    /// right bound to them is a right granted to attackers before they have stolen anything,
    /// and it is the first thing automated scanners try. `system:masters` bypasses RBAC
    /// entirely, so a binding naming it grants nothing, but it shows that someone expects to
    /// hand out superuser membership, which must never be done through RBAC or certificates.
    ///
    /// ## How to fix
    /// Bind the role to authenticated, named subjects only:
    ///
    /// ```yaml
    /// subjects:
    ///   - kind: Group
    ///     name: platform-oncall
    ///     apiGroup: rbac.authorization.k8s.io
    /// ```
    ///
    /// ## Severity
    /// Critical for anonymous and unauthenticated subjects: it lets anyone in without a
    /// credential. A `system:masters` subject is reported as Medium, because the binding itself
    /// grants nothing.
    pub struct BindingToSystemGroup {
        id: "ACC-003",
        name: "binding-to-system-group",
        gap: Access,
        severity: Critical,
        target: Target::Kinds(BINDING_KINDS),
        summary: "Binding grants rights to anonymous or unauthenticated users",
        peers: [
            Kubescape: ["C-0262"],
            Trivy: ["KSV-0122", "KSV-0123", "KSV-01011"],
            Kyverno: ["other/restrict-binding-system-groups"],
        ],
    }
}

impl Rule for BindingToSystemGroup {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "rbac.authorization.k8s.io" {
            return;
        }
        let role = o
            .root
            .get("roleRef")
            .and_then(|r| r.get_str("name"))
            .unwrap_or("");
        for s in o.root.get("subjects").into_iter().flat_map(|s| s.items()) {
            let Some(n) = s.get("name") else { continue };
            let name = n.as_str().unwrap_or("");
            let kind = s.get_str("kind").unwrap_or("");
            let (anonymous, masters) = match (kind, name) {
                ("User", "system:anonymous") | ("Group", "system:unauthenticated") => (true, false),
                ("Group", "system:masters") => (false, true),
                _ => continue,
            };
            let binding = format!("{} `{}`", o.kind, o.name().unwrap_or(""));
            if anonymous {
                cx.report(
                    n,
                    format!(
                        "{binding} grants `{role}` to {kind} `{name}`: anyone who reaches the API server without credentials"
                    ),
                );
            } else if masters {
                cx.report(
                    n,
                    format!(
                        "{binding} names Group `system:masters`, which bypasses RBAC; superuser membership must not be handed out"
                    ),
                )
                .severity = Severity::Medium;
            }
        }
    }
}
