use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports container ports with a non-zero `hostPort` (init and ephemeral containers
    /// included). Not reported on `hostNetwork` pods, where every port is a host port anyway
    /// and `host-network` (WKL-012) says so.
    ///
    /// ## Why it matters
    /// A `hostPort` opens the port on the node's own address: the workload is reachable by
    /// anyone who can reach the node, around Services, Ingress and, with many CNIs,
    /// NetworkPolicies. It also makes scheduling brittle: two replicas cannot share a node, so a
    /// rollout or a node loss can leave pods `Pending` when free nodes with the port available
    /// run out, and a port already taken by something else on the node blocks the pod silently.
    ///
    /// ## How to fix
    /// Drop `hostPort` and expose the workload through a Service (a `LoadBalancer` or
    /// `NodePort` if it must be reached from outside):
    ///
    /// ```yaml
    /// ports:
    ///   - name: http
    ///     containerPort: 8080
    /// ```
    ///
    /// ## Severity
    /// Medium: it widens exposure and hurts availability, but only for the one port, without
    /// giving access to the node itself.
    pub struct HostPort {
        id: "WKL-014",
        name: "host-port",
        gap: Workload,
        severity: Medium,
        target: Target::Workloads,
        summary: "Container port is bound on the node (`hostPort`)",
        peers: [
            Polaris: ["hostPortSet"],
            Checkov: ["CKV_K8S_26"],
            Kubescape: ["C-0044"],
            Trivy: ["KSV-0024"],
            Kyverno: [
                "pod-security/baseline/disallow-host-ports",
                "pod-security/baseline/disallow-host-ports-range",
            ],
        ],
    }
}

impl Rule for HostPort {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if w.pod_spec.get_bool("hostNetwork") == Some(true) {
            return;
        }
        for c in w.containers() {
            for port in c.ports() {
                let Some(n) = port.get("hostPort") else {
                    continue;
                };
                let Some(p) = n.as_i64() else { continue };
                if p > 0 {
                    cx.report_in(
                        &c,
                        n,
                        format!(
                            "container `{}` binds port {p} on its node (`hostPort`): it is reachable around Services and NetworkPolicies, and only one replica fits per node",
                            c.name()
                        ),
                    );
                }
            }
        }
    }
}
