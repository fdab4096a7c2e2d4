use plimsoll_model::Workload;

use super::support::{canonical, handler, long_running_containers};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers whose `livenessProbe` and `readinessProbe` use the same handler: the
    /// same `httpGet` path and port, the same `tcpSocket` or `grpc` port, or the same `exec`
    /// command. Different timings do not make them different checks.
    ///
    /// ## Why it matters
    /// Readiness answers "should this pod get traffic now?", liveness answers "is this process
    /// beyond recovery?". When both ask the same question, a pod that is merely busy or whose
    /// database is slow is not only taken out of rotation but restarted, which drops its
    /// in-flight work, puts more load on the remaining pods and turns a slowdown into a
    /// cascading restart loop across the whole Deployment.
    ///
    /// ## How to fix
    /// Point liveness at a cheap check of the process itself, and keep dependency checks in
    /// readiness:
    ///
    /// ```yaml
    /// readinessProbe:
    ///   httpGet: {path: /ready, port: http}
    /// livenessProbe:
    ///   httpGet: {path: /healthz, port: http}
    ///   failureThreshold: 6
    /// ```
    ///
    /// ## Severity
    /// Medium: under load it turns a degradation into an outage by restarting healthy pods.
    pub struct ProbesIdentical {
        id: "OBS-003",
        name: "probes-identical",
        gap: Observability,
        severity: Medium,
        target: Target::Workloads,
        summary: "Liveness and readiness probes are the same check",
        peers: [
            KubeScore: ["pod-probes-identical"],
            Kyverno: ["other/ensure-probes-different"],
        ],
    }
}

impl Rule for ProbesIdentical {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in long_running_containers(w) {
            let (Some(live), Some(ready)) = (c.get("livenessProbe"), c.get("readinessProbe"))
            else {
                continue;
            };
            let (Some((lf, lh)), Some((rf, rh))) = (handler(live), handler(ready)) else {
                continue;
            };
            if lf == rf && canonical(lh) == canonical(rh) {
                cx.report_in(
                    &c,
                    live,
                    format!(
                        "container `{}` uses the same {lf} check for liveness and readiness; a slow pod is restarted instead of just taken out of rotation",
                        c.name()
                    ),
                );
            }
        }
    }
}
