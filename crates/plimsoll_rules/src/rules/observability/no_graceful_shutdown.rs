use plimsoll_model::Workload;

use super::support::{is_serving, long_running_containers};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

/// Grace periods shorter than this leave no time to drain.
const MIN_GRACE_SECONDS: i64 = 5;

declare_rule! {
    /// ## What it does
    /// Reports long-running pods that cannot shut down gracefully: a
    /// `terminationGracePeriodSeconds` under 5 seconds, or, in replicated workloads
    /// (Deployments, StatefulSets, ReplicaSets, Rollouts...), a serving container (one that
    /// declares a port) without a `lifecycle.preStop` hook.
    ///
    /// ## Why it matters
    /// When a pod is deleted, the kubelet sends SIGTERM while the endpoint controllers, kube-proxy
    /// and the ingress controllers are still removing the pod from load balancing. For a few
    /// seconds new connections still arrive at a process that is already exiting, so every
    /// rollout, scale-down and node drain drops requests. A short `preStop` pause keeps the
    /// container serving until it is out of rotation, and the grace period must leave it time
    /// to finish in-flight work.
    ///
    /// ## How to fix
    /// Pause before SIGTERM and give the process time to drain:
    ///
    /// ```yaml
    /// spec:
    ///   terminationGracePeriodSeconds: 30
    ///   containers:
    ///     - name: api
    ///       lifecycle:
    ///         preStop:
    ///           sleep: {seconds: 5}   # or exec: {command: ["sleep", "5"]}
    /// ```
    ///
    /// ## Severity
    /// Low: it costs a handful of failed requests per rollout; retries often hide them.
    pub struct NoGracefulShutdown {
        id: "OBS-005",
        name: "no-graceful-shutdown",
        gap: Observability,
        severity: Low,
        target: Target::Workloads,
        summary: "Pod has no preStop hook or too short a termination grace period",
        peers: [
            Kyverno: ["other/mutate-large-termination-gps"],
        ],
    }
}

impl Rule for NoGracefulShutdown {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if w.kind.is_batch() {
            return;
        }
        if let Some(g) = w.pod_spec.get("terminationGracePeriodSeconds")
            && let Some(s) = g.as_i64()
            && s < MIN_GRACE_SECONDS
        {
            cx.report(
                g,
                format!(
                    "terminationGracePeriodSeconds is {s}; the pod is killed before it can finish in-flight work"
                ),
            );
        }
        if !w.kind.is_replicated_service() {
            return;
        }
        for c in long_running_containers(w) {
            if is_serving(&c) && c.get("lifecycle").and_then(|l| l.get("preStop")).is_none() {
                cx.report_in(
                    &c,
                    c.anchor(),
                    format!(
                        "serving container `{}` has no preStop hook; it gets SIGTERM while still receiving traffic",
                        c.name()
                    ),
                );
            }
        }
    }
}
