use plimsoll_model::Workload;

use super::support::{resource, resources_anchor, scheduled_containers};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers (init containers included) with no CPU request: neither
    /// `resources.requests.cpu` nor `resources.limits.cpu`, from which Kubernetes would
    /// default the request.
    ///
    /// ## Why it matters
    /// The scheduler places pods by their requests. A container that requests no CPU is treated
    /// as needing none, so nodes get packed with more work than they can run, and under
    /// contention the container gets the smallest share of CPU on the node (it is in the
    /// BestEffort or lowest Burstable class). Latency then depends on whatever else landed on the
    /// same node, and the HorizontalPodAutoscaler cannot compute CPU utilisation at all.
    ///
    /// ## How to fix
    /// Request what the container uses at its normal load:
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
    /// Medium: it makes performance unpredictable and breaks CPU autoscaling, without being an
    /// outage by itself.
    pub struct CpuRequestMissing {
        id: "RES-001",
        name: "cpu-request-missing",
        gap: Resilience,
        severity: Medium,
        target: Target::Workloads,
        summary: "Container has no CPU request",
        peers: [
            KubeScore: ["container-resources"],
            KubeLinter: ["unset-cpu-requirements"],
            Polaris: ["cpuRequestsMissing"],
            Checkov: ["CKV_K8S_10"],
            Kubescape: ["C-0268", "C-0050"],
            Trivy: ["KSV-0015"],
            Kyverno: ["best-practices/require-pod-requests-limits"],
        ],
    }
}

impl Rule for CpuRequestMissing {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in scheduled_containers(w) {
            if resource(&c, "requests", "cpu").is_none() && resource(&c, "limits", "cpu").is_none()
            {
                cx.report_in(
                    &c,
                    resources_anchor(&c),
                    format!(
                        "container `{}` requests no CPU; the scheduler assumes it needs none",
                        c.name()
                    ),
                );
            }
        }
    }
}
