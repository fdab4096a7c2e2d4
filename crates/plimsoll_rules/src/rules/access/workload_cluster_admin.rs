use plimsoll_model::{Detail, Index};

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports workloads whose ServiceAccount is bound to the `cluster-admin` ClusterRole by a
    /// ClusterRoleBinding or a RoleBinding of the scan (directly, or through the
    /// `system:serviceaccounts` groups). The finding points at `serviceAccountName` (or at the
    /// workload when it runs as `default`).
    ///
    /// Only `cluster-admin` by name is judged: whether some other ClusterRole amounts to the
    /// same is a matter of its rules, which RBAC-wildcard rules report on the role itself.
    ///
    /// ## Why it matters
    /// Every container of the pod can read the ServiceAccount token. Whoever gets code
    /// execution in it, through a vulnerable dependency, a deserialisation bug or a
    /// compromised image, holds cluster-admin: they can read every Secret of every namespace,
    /// run privileged pods on every node and create themselves permanent credentials. One
    /// application bug becomes the loss of the whole cluster.
    ///
    /// ## How to fix
    /// Give the workload its own ServiceAccount and a Role with only the verbs and resources it
    /// uses, in its own namespace:
    ///
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata: {name: api, namespace: shop}
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: [configmaps]
    ///     verbs: [get, watch]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata: {name: api, namespace: shop}
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: api}
    /// subjects: [{kind: ServiceAccount, name: api, namespace: shop}]
    /// ```
    ///
    /// ## Severity
    /// Critical: a compromise of this workload is a compromise of the cluster (or, through a
    /// RoleBinding, of everything in the namespace).
    pub struct WorkloadClusterAdmin {
        id: "ACC-001",
        name: "workload-cluster-admin",
        gap: Access,
        severity: Critical,
        target: Target::Index,
        summary: "Workload runs with a cluster-admin ServiceAccount",
        peers: [
            Kubescape: ["C-0267", "C-0272"],
        ],
    }
}

impl Rule for WorkloadClusterAdmin {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for (o, w) in ix.workloads() {
            for b in ix.bindings_of_service_account(o.ns(), &w.service_account) {
                let Detail::Binding(bf) = &b.detail else {
                    continue;
                };
                if &*bf.role_kind != "ClusterRole" || &*bf.role_name != "cluster-admin" {
                    continue;
                }
                let scope = if bf.cluster_wide {
                    "the whole cluster".to_string()
                } else {
                    format!("namespace `{}`", b.ns())
                };
                cx.report(
                    o,
                    w.service_account_loc.unwrap_or(o.loc),
                    format!(
                        "{} `{}` runs as ServiceAccount `{}`, which {} `{}` binds to cluster-admin over {scope}; code execution in this pod owns {scope}",
                        o.kind(),
                        o.id.name,
                        w.service_account,
                        b.kind(),
                        b.id.name
                    ),
                );
            }
        }
    }
}
