use plimsoll_model::Index;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports workloads whose pods are selected by no NetworkPolicy (Kubernetes, Cilium or
    /// Calico) that restricts ingress.
    ///
    /// ## Why it matters
    /// Kubernetes networking is allow-all by default: any pod in any namespace can open a
    /// connection to this one. A single compromised pod anywhere in the cluster can then reach
    /// the database, the admin port or the metrics endpoint that was never meant to be public.
    /// A policy that selects the pod turns the default around: only the traffic you list gets in.
    ///
    /// ## How to fix
    /// Add a default-deny policy to the namespace and allow what the workload needs:
    ///
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress, Egress]
    /// ```
    ///
    /// ## Severity
    /// Medium: it widens what an intrusion elsewhere can reach, but is not a way in by itself.
    pub struct PodNotIsolated {
        id: "NET-001",
        name: "pod-not-isolated",
        gap: Network,
        severity: Medium,
        target: Target::Index,
        summary: "No NetworkPolicy selects the workload's pods",
        peers: [
            KubeScore: ["pod-networkpolicy"],
            KubeLinter: ["non-isolated-pod"],
            Polaris: ["missingNetworkPolicy"],
            Checkov: ["CKV2_K8S_6"],
            Kubescape: ["C-0260"],
            Kyverno: ["other/require-netpol"],
        ],
    }
}

impl Rule for PodNotIsolated {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for (o, w) in ix.workloads() {
            let isolated = ix.network_policies_selecting(o.ns(), &w.pod_labels).any(
                |p| matches!(&p.detail, plimsoll_model::Detail::NetworkPolicy(np) if np.ingress),
            );
            if !isolated {
                cx.report(
                    o,
                    o.loc,
                    format!("no NetworkPolicy selects the pods of {} `{}`; any pod in the cluster can reach them", o.kind(), o.id.name),
                );
            }
        }
    }
}
