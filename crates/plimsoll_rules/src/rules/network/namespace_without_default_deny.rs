use plimsoll_model::Index;
use plimsoll_model::facts::Detail;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports namespaces that run workloads but have no default-deny ingress NetworkPolicy:
    /// one that selects every pod (`podSelector: {}`) and allows no ingress. Cilium and Calico
    /// equivalents count.
    ///
    /// ## Why it matters
    /// Per-workload policies protect the workloads that exist today. The next Deployment added
    /// to the namespace, a debug pod, or a Job someone forgot starts reachable from every pod of
    /// the cluster, and nothing flags it. A default-deny policy inverts the default for the
    /// whole namespace: a new pod gets no traffic until a policy says who may talk to it.
    ///
    /// ## How to fix
    /// Add a default-deny policy to the namespace, then allow the flows each workload needs:
    ///
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny-ingress, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress]
    /// ```
    ///
    /// ## Severity
    /// Medium: it widens what an intrusion elsewhere can reach, but is not a way in by itself.
    pub struct NamespaceWithoutDefaultDeny {
        id: "NET-002",
        name: "namespace-without-default-deny",
        gap: Network,
        severity: Medium,
        target: Target::Index,
        summary: "Namespace with workloads has no default-deny ingress NetworkPolicy",
        peers: [
            Kubescape: ["C-0206"],
            Kyverno: ["best-practices/add-network-policy"],
        ],
    }
}

impl Rule for NamespaceWithoutDefaultDeny {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for ns in ix.namespaces() {
            let workloads = ix.workloads_in(ns).count();
            if workloads == 0 {
                continue;
            }
            let deny = ix
                .network_policies_in(ns)
                .any(|p| matches!(&p.detail, Detail::NetworkPolicy(np) if np.default_deny_ingress));
            if deny {
                continue;
            }
            let Some(at) = ix.namespace_anchor(ns) else {
                continue;
            };
            cx.report(
                at,
                at.loc,
                format!(
                    "namespace `{ns}` runs {workloads} workload(s) but has no default-deny ingress NetworkPolicy; a new pod there is reachable from the whole cluster"
                ),
            );
        }
    }
}
