use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports pods with `hostNetwork: true` (any workload kind, CronJob templates included).
    ///
    /// ## Why it matters
    /// A host-network pod shares the node's network stack: it can bind any port on the node's
    /// addresses, reach services listening only on the node's `localhost` (the kubelet's and
    /// kube-proxy's local endpoints, node-local agents), and, with `NET_RAW`, capture all of the
    /// node's traffic, including other pods'. Most CNIs do not apply
    /// NetworkPolicies to host-network pods, so network isolation does not hold for it, and it
    /// is only reachable through the node's IP, which ties it to node lifecycles. The Pod
    /// Security Standards forbid it at `baseline`.
    ///
    /// ## How to fix
    /// Remove it and expose the workload through a Service; only node agents that must see the
    /// node's network (CNI, node-exporter) should have it, in a namespace reserved for them:
    ///
    /// ```yaml
    /// spec:
    ///   hostNetwork: false
    /// ```
    ///
    /// ## Severity
    /// Critical: it removes the pod's network isolation from the node and from every other pod
    /// on it, which is a way in for an attacker, not a hardening detail.
    pub struct HostNetwork {
        id: "WKL-012",
        name: "host-network",
        gap: Workload,
        severity: Critical,
        target: Target::Workloads,
        summary: "Pod shares the node's network namespace",
        peers: [
            KubeLinter: ["host-network"],
            Polaris: ["hostNetworkSet"],
            Checkov: ["CKV_K8S_19"],
            Kubescape: ["C-0041"],
            Trivy: ["KSV-0009"],
            Kyverno: ["pod-security/baseline/disallow-host-namespaces"],
        ],
    }
}

impl Rule for HostNetwork {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if let Some(n) = w.pod_spec.get("hostNetwork")
            && n.as_bool() == Some(true)
        {
            cx.report(
                n,
                "the pod shares the node's network namespace (`hostNetwork: true`): it reaches the node's local services and bypasses NetworkPolicies",
            );
        }
    }
}
