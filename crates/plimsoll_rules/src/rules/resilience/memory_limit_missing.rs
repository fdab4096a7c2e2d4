use plimsoll_model::Workload;

use super::support::{resource, resources_anchor, scheduled_containers};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers (init containers included) without `resources.limits.memory`.
    ///
    /// ## Why it matters
    /// Memory cannot be throttled, only reclaimed by killing. A container without a limit can
    /// grow until the node runs out; the kernel's OOM killer then picks a victim on that node,
    /// which may be another team's pod or the kubelet itself, and a slow leak in one service
    /// becomes an outage of everything scheduled beside it. With a limit, only the leaking
    /// container is restarted.
    ///
    /// ## How to fix
    /// Cap memory, usually at the request:
    ///
    /// ```yaml
    /// resources:
    ///   requests: {memory: 512Mi}
    ///   limits: {memory: 512Mi}
    /// ```
    ///
    /// ## Severity
    /// Medium: it lets one workload take down its neighbours, but needs a leak or a spike to do
    /// so.
    pub struct MemoryLimitMissing {
        id: "RES-003",
        name: "memory-limit-missing",
        gap: Resilience,
        severity: Medium,
        target: Target::Workloads,
        summary: "Container has no memory limit",
        peers: [
            KubeScore: ["container-resources"],
            KubeLinter: ["unset-memory-requirements"],
            Polaris: ["memoryLimitsMissing"],
            Checkov: ["CKV_K8S_13"],
            Kubescape: ["C-0271"],
            Trivy: ["KSV-0018"],
            Kyverno: ["best-practices/require-pod-requests-limits"],
        ],
    }
}

impl Rule for MemoryLimitMissing {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in scheduled_containers(w) {
            if resource(&c, "limits", "memory").is_none() {
                cx.report_in(
                    &c,
                    resources_anchor(&c),
                    format!(
                        "container `{}` has no memory limit; a leak can exhaust the node",
                        c.name()
                    ),
                );
            }
        }
    }
}
