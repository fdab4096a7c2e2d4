use plimsoll_model::Workload;

use super::support::long_running_containers;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers of long-running workloads that have no `livenessProbe`. Jobs,
    /// CronJobs and init containers are not reported; native sidecars (init containers with
    /// `restartPolicy: Always`) are.
    ///
    /// ## Why it matters
    /// The kubelet restarts a container whose process exits, but not one that is alive and
    /// stuck: a deadlock, an exhausted thread pool or a wedged event loop leaves the pod
    /// running and useless until a human notices. A liveness probe lets the kubelet restart it.
    /// The probe must check the process itself, not its dependencies, or an outage of the
    /// database restarts every pod at once.
    ///
    /// ## How to fix
    /// Add a cheap probe on the process's own health, more tolerant than the readiness probe:
    ///
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     livenessProbe:
    ///       httpGet: {path: /healthz, port: http}
    ///       periodSeconds: 10
    ///       failureThreshold: 6
    /// ```
    ///
    /// ## Severity
    /// Low: a badly written liveness probe does more harm than none, and kube-score deliberately
    /// does not require one; it is hygiene that shortens incidents, not a defect by itself.
    pub struct LivenessProbeMissing {
        id: "OBS-002",
        name: "liveness-probe-missing",
        gap: Observability,
        severity: Low,
        target: Target::Workloads,
        summary: "Long-running container has no liveness probe",
        peers: [
            KubeLinter: ["no-liveness-probe"],
            Polaris: ["livenessProbeMissing"],
            Checkov: ["CKV_K8S_8"],
            Kubescape: ["C-0056"],
            Kyverno: ["best-practices/require-probes"],
        ],
    }
}

impl Rule for LivenessProbeMissing {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in long_running_containers(w) {
            if c.get("livenessProbe").is_none() {
                cx.report_in(
                    &c,
                    c.anchor(),
                    format!(
                        "container `{}` has no livenessProbe; if it hangs, nothing restarts it",
                        c.name()
                    ),
                );
            }
        }
    }
}
