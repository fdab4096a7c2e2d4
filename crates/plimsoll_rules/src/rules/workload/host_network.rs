use plimsoll_formats::compose::ComposeFile;
use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports pods with `hostNetwork: true` (any workload kind, CronJob templates included).
    ///
    /// Compose services with `network_mode: host` are reported too.
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
    /// In a Compose file, remove `network_mode: host` and publish the ports the service serves.
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
        also: [Target::ComposeFiles],
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
    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        for s in c.services() {
            if let Some((mode, f)) = s.get_str("network_mode")
                && mode == "host"
            {
                cx.set_object(plimsoll_formats::runnable::Runnable::Compose(s).object_id());
                cx.report_span(
                    f.span,
                    format!(
                        "service `{}` shares the host's network namespace (`network_mode: host`): it reaches the host's local services and every port it opens is exposed",
                        s.name()
                    ),
                );
            }
        }
        cx.set_object(None);
    }

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
