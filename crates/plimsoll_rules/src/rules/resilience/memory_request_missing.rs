use plimsoll_model::Workload;

use super::support::{resource, resources_anchor, scheduled_containers};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers (init containers included) with no memory request: neither
    /// `resources.requests.memory` nor `resources.limits.memory`, from which Kubernetes would
    /// default the request.
    ///
    /// ## Why it matters
    /// The scheduler places pods by their requests. A container that requests no memory can land
    /// on a node that has none to spare, and when the node runs short the kubelet evicts pods
    /// that use more than they requested first: this one is always over its request, so it is
    /// among the first to go, whatever its importance.
    ///
    /// ## How to fix
    /// Request the memory the container uses, and cap it at the same value:
    ///
    /// ```yaml
    /// resources:
    ///   requests:
    ///     cpu: 250m
    ///     memory: 256Mi
    ///   limits:
    ///     memory: 256Mi
    /// ```
    ///
    /// ## Severity
    /// Medium: it causes evictions and noisy-neighbour incidents under memory pressure.
    pub struct MemoryRequestMissing {
        id: "RES-002",
        name: "memory-request-missing",
        gap: Resilience,
        severity: Medium,
        target: Target::Workloads,
        summary: "Container has no memory request",
        peers: [
            KubeScore: ["container-resources"],
            KubeLinter: ["unset-memory-requirements"],
            Polaris: ["memoryRequestsMissing"],
            Checkov: ["CKV_K8S_12"],
            Kubescape: ["C-0269", "C-0004"],
            Trivy: ["KSV-0016"],
            Kyverno: ["best-practices/require-pod-requests-limits"],
        ],
    }
}

impl Rule for MemoryRequestMissing {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in scheduled_containers(w) {
            if resource(&c, "requests", "memory").is_none()
                && resource(&c, "limits", "memory").is_none()
            {
                cx.report_in(
                    &c,
                    resources_anchor(&c),
                    format!(
                        "container `{}` requests no memory; it is scheduled blind and evicted first under pressure",
                        c.name()
                    ),
                );
            }
        }
    }
}
