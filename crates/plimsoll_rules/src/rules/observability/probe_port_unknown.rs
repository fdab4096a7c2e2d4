use plimsoll_model::Workload;

use super::support::{handler, long_running_containers};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports liveness, readiness and startup probes whose `httpGet`, `tcpSocket` or `grpc`
    /// port is a name that none of the container's own `ports` carries. Numeric ports are not
    /// judged: `containerPort` is informational, and health ports are often left undeclared on
    /// purpose.
    ///
    /// ## Why it matters
    /// The kubelet resolves a named probe port against the container's own `ports` only, not
    /// against the pod's other containers or the Service. A name it cannot resolve fails every
    /// probe: a liveness probe then restarts the container forever, a readiness probe keeps it
    /// out of every Service, a startup probe never lets it start. It typically happens when a
    /// port is renamed in one place (`http` to `web`) and not in the other.
    ///
    /// ## How to fix
    /// Use a name the container declares:
    ///
    /// ```yaml
    /// ports:
    ///   - {name: http, containerPort: 8080}
    /// readinessProbe:
    ///   httpGet: {path: /ready, port: http}
    /// ```
    ///
    /// ## Severity
    /// Low: the pod never becomes ready, which shows on the first deploy; the rule saves that
    /// round trip.
    pub struct ProbePortUnknown {
        id: "OBS-004",
        name: "probe-port-unknown",
        gap: Observability,
        severity: Low,
        target: Target::Workloads,
        summary: "Probe uses a port name the container does not declare",
        peers: [
            KubeLinter: ["liveness-port", "readiness-port", "startup-port"],
        ],
    }
}

impl Rule for ProbePortUnknown {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in long_running_containers(w) {
            let names: Vec<&str> = c.ports().filter_map(|p| p.get_str("name")).collect();
            for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                let Some((_, h)) = c.get(probe).and_then(handler) else {
                    continue;
                };
                let Some(port) = h.get("port") else { continue };
                let Some(text) = port.as_str() else { continue };
                if port.as_i64().is_some() || names.contains(&text) {
                    continue;
                }
                let msg = format!(
                    "{probe} of container `{}` uses port name `{text}`, which none of its ports carries; the probe can never succeed",
                    c.name()
                );
                cx.report_in(&c, port, msg);
            }
        }
    }
}
