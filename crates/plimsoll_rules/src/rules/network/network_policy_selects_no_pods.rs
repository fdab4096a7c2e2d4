use plimsoll_model::Index;
use plimsoll_model::facts::Detail;

use super::{operator_may_create_pods, show_selector};
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports NetworkPolicies (Kubernetes and Cilium) whose pod selector matches the pods of no
    /// workload in the scan. Policies selecting every pod, namespaces with no workload in the
    /// scan, and selectors that match a custom resource's labels (pods an operator creates) are
    /// not reported.
    ///
    /// ## Why it matters
    /// A policy that selects nothing protects nothing, while reading as if it did: reviewers and
    /// auditors see a policy named after the database and assume the database is isolated.
    /// It usually follows a relabelling of the workload, or a typo in the selector.
    ///
    /// ## How to fix
    /// Make the selector match the labels of the pods it is meant to protect:
    ///
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: db, namespace: shop}
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app.kubernetes.io/name: postgres}
    ///   ingress:
    ///     - from: [{podSelector: {matchLabels: {app.kubernetes.io/name: api}}}]
    /// ```
    ///
    /// ## Severity
    /// Low: the harm is what the policy was meant to prevent, which other rules report; this
    /// one explains why the policy did not.
    pub struct NetworkPolicySelectsNoPods {
        id: "NET-011",
        name: "network-policy-selects-no-pods",
        gap: Network,
        severity: Low,
        target: Target::Index,
        summary: "NetworkPolicy selects no pods in the manifests",
        peers: [
            KubeScore: ["networkpolicy-targets-pod"],
            KubeLinter: ["dangling-networkpolicy"],
            Kubescape: ["C-0299"],
        ],
    }
}

impl Rule for NetworkPolicySelectsNoPods {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for ns in ix.namespaces() {
            if ix.workloads_in(ns).next().is_none() {
                continue;
            }
            for o in ix.network_policies_in(ns) {
                let Detail::NetworkPolicy(np) = &o.detail else {
                    continue;
                };
                let Some(sel) = &np.pod_selector else {
                    continue;
                };
                if sel.is_empty()
                    || ix.workloads_selected_by(ns, sel).next().is_some()
                    || operator_may_create_pods(ix, ns, sel)
                {
                    continue;
                }
                cx.report(
                    o,
                    o.loc,
                    format!(
                        "{} `{}` selects `{}`, which matches the pods of no workload in namespace `{ns}`",
                        o.kind(),
                        o.id.name,
                        show_selector(sel)
                    ),
                );
            }
        }
    }
}
