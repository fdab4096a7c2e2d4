use plimsoll_model::Object;

use super::support::BINDING_KINDS;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports ClusterRoleBindings and RoleBindings whose `roleRef` is the `cluster-admin`
    /// ClusterRole, whatever their subjects.
    ///
    /// ## Why it matters
    /// `cluster-admin` is `*` on `*`: every Secret, every node, every RBAC object, the power to
    /// grant itself anything else. A binding to it that lives in Git is a standing superuser
    /// grant that nobody reviews again, survives the departure of the person or tool it was
    /// made for, and turns the theft of one credential into the loss of the cluster. Even in a
    /// RoleBinding it gives full control of the namespace, Secrets included.
    ///
    /// ## How to fix
    /// Bind a role that lists what the subject needs (or the built-in `admin`/`edit`/`view`
    /// roles in a namespace), and keep break-glass access out of the manifests:
    ///
    /// ```yaml
    /// kind: RoleBinding
    /// metadata: {name: ci-deployer, namespace: shop}
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
    /// subjects: [{kind: ServiceAccount, name: ci-deployer, namespace: ci}]
    /// ```
    ///
    /// ## Severity
    /// High: it is a standing superuser grant; it becomes Critical when a workload runs with it,
    /// which `workload-cluster-admin` reports.
    pub struct ClusterAdminBinding {
        id: "ACC-002",
        name: "cluster-admin-binding",
        gap: Access,
        severity: High,
        target: Target::Kinds(BINDING_KINDS),
        summary: "Binding grants the cluster-admin role",
        peers: [
            KubeLinter: ["cluster-admin-role-binding"],
            Polaris: ["clusterrolebindingClusterAdmin", "rolebindingClusterAdminClusterRole"],
            Kubescape: ["C-0035"],
            Trivy: ["KSV-0111"],
            Kyverno: ["other/restrict-binding-clusteradmin", "other/block-cluster-admin-from-ns"],
        ],
    }
}

impl Rule for ClusterAdminBinding {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "rbac.authorization.k8s.io" {
            return;
        }
        let Some(r) = o.root.get("roleRef") else {
            return;
        };
        if r.get_str("kind") != Some("ClusterRole") || r.get_str("name") != Some("cluster-admin") {
            return;
        }
        let subjects: Vec<String> = o
            .root
            .get("subjects")
            .into_iter()
            .flat_map(|s| s.items())
            .map(|s| {
                format!(
                    "{} `{}`",
                    s.get_str("kind").unwrap_or("?"),
                    s.get_str("name").unwrap_or("")
                )
            })
            .collect();
        let scope = if o.kind == "ClusterRoleBinding" {
            "the whole cluster".to_string()
        } else {
            format!("namespace `{}`", o.namespace().unwrap_or("default"))
        };
        cx.report(
            r.get("name").unwrap_or(r),
            format!(
                "{} `{}` makes {} cluster-admin over {scope}",
                o.kind,
                o.name().unwrap_or(""),
                if subjects.is_empty() {
                    "its subjects".to_string()
                } else {
                    subjects.join(", ")
                }
            ),
        );
    }
}
