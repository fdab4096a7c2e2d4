use plimsoll_model::Object;

use super::support::BINDING_KINDS;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports RoleBindings and ClusterRoleBindings whose subjects include a ServiceAccount
    /// named `default`.
    ///
    /// ## Why it matters
    /// Every pod of a namespace that names no ServiceAccount runs as `default`. A role bound to
    /// it is therefore granted to all of them, including ones added later by other teams or
    /// charts that never asked for it, and a compromise of any of those pods carries the role.
    /// Rights should follow a workload, not a namespace.
    ///
    /// ## How to fix
    /// Bind the role to a ServiceAccount created for the workload that needs it:
    ///
    /// ```yaml
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: api
    ///     namespace: shop
    /// ```
    ///
    /// ## Severity
    /// Medium: it spreads a role to every workload of the namespace; how bad that is depends on
    /// the role.
    pub struct BindingToDefaultServiceAccount {
        id: "ACC-016",
        name: "binding-to-default-service-account",
        gap: Access,
        severity: Medium,
        target: Target::Kinds(BINDING_KINDS),
        summary: "Binding grants a role to a default ServiceAccount",
        peers: [
            Checkov: ["CKV_K8S_42"],
        ],
    }
}

impl Rule for BindingToDefaultServiceAccount {
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
            if s.get_str("kind") != Some("ServiceAccount") {
                continue;
            }
            let Some(n) = s.get("name") else { continue };
            if n.as_str() != Some("default") {
                continue;
            }
            let ns = s
                .get_str("namespace")
                .or_else(|| o.namespace())
                .unwrap_or("default");
            cx.report(
                n,
                format!(
                    "{} `{}` grants `{role}` to ServiceAccount `default` of namespace `{ns}`: every pod there that names no ServiceAccount gets it",
                    o.kind,
                    o.name().unwrap_or("")
                ),
            );
        }
    }
}
