use plimsoll_model::Index;
use plimsoll_model::facts::Detail;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports namespaces with workloads whose pods no NetworkPolicy restricts in the egress
    /// direction: no default-deny egress policy, and no egress policy selecting them, or only
    /// ones with an allow-everything rule (`egress: [{}]`). Reported once per namespace, with
    /// the workloads concerned.
    ///
    /// ## Why it matters
    /// Ingress policies decide who may reach a pod; egress policies decide what a pod may reach.
    /// Without them a compromised pod can download tooling, exfiltrate data to any address,
    /// scan the cluster's internal services and query the cloud metadata endpoint for node
    /// credentials. An egress allow-list (DNS plus the few services the workload calls) turns
    /// most of those steps into dropped packets.
    ///
    /// ## How to fix
    /// Deny egress by default in the namespace and allow DNS and the known destinations:
    ///
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny-egress, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    ///   egress:
    ///     - to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ///       ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
    /// ```
    ///
    /// ## Severity
    /// Low: it limits what an attacker already inside can do next; it lets nobody in.
    pub struct EgressNotRestricted {
        id: "NET-012",
        name: "egress-not-restricted",
        gap: Network,
        severity: Low,
        target: Target::Index,
        summary: "No NetworkPolicy restricts the egress of the namespace's pods",
        peers: [
            Kubescape: ["C-0030"],
        ],
    }
}

impl Rule for EgressNotRestricted {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for ns in ix.namespaces() {
            let deny = ix
                .network_policies_in(ns)
                .any(|p| matches!(&p.detail, Detail::NetworkPolicy(np) if np.default_deny_egress));
            if deny {
                continue;
            }
            let open: Vec<String> = ix
                .workloads_in(ns)
                .filter(|(_, w)| {
                    !ix.network_policies_selecting(ns, &w.pod_labels)
                        .any(|p| matches!(&p.detail, Detail::NetworkPolicy(np) if np.egress && !np.egress_allows_all))
                })
                .map(|(o, _)| format!("{} `{}`", o.kind(), o.id.name))
                .collect();
            if open.is_empty() {
                continue;
            }
            let Some(at) = ix.namespace_anchor(ns) else {
                continue;
            };
            let total = ix.workloads_in(ns).count();
            let list = if open.len() > 5 {
                format!("{}, and {} more", open[..5].join(", "), open.len() - 5)
            } else {
                open.join(", ")
            };
            cx.report(
                at,
                at.loc,
                format!(
                    "{} of {total} workload(s) in namespace `{ns}` can connect anywhere; no NetworkPolicy restricts their egress: {list}",
                    open.len()
                ),
            );
        }
    }
}
