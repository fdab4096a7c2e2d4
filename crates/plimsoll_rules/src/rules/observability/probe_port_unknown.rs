use plimsoll_model::Workload;

use super::support::{handler, long_running_containers};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports liveness, readiness and startup probes whose `httpGet`, `tcpSocket` or `grpc`
    /// port is not one of the container's own ports: a port name that no entry of `ports`
    /// carries, or a number that no `containerPort` declares (when the container declares ports).
    ///
    /// ## Why it matters
    /// The kubelet resolves a named probe port against the container's own `ports` only. A name
    /// it cannot resolve fails every probe: a liveness probe then restarts the container forever,
    /// a readiness probe keeps it out of every Service. A number that matches no declared port
    /// is usually a typo or a port renumbered in one place only, and the probe is checking
    /// something other than what serves traffic.
    ///
    /// ## How to fix
    /// Name the port once and refer to it by name:
    ///
    /// ```yaml
    /// ports:
    ///   - {name: http, containerPort: 8080}
    /// readinessProbe:
    ///   httpGet: {path: /ready, port: http}
    /// ```
    ///
    /// ## Severity
    /// Low: a wrong port shows up on the first deploy as a pod that never gets ready; the rule
    /// saves that round trip.
    pub struct ProbePortUnknown {
        id: "OBS-004",
        name: "probe-port-unknown",
        gap: Observability,
        severity: Low,
        target: Target::Workloads,
        summary: "Probe targets a port the container does not declare",
        peers: [
            KubeLinter: ["liveness-port", "readiness-port", "startup-port"],
        ],
    }
}

impl Rule for ProbePortUnknown {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in long_running_containers(w) {
            let ports: Vec<(Option<&str>, Option<i64>)> = c
                .ports()
                .map(|p| {
                    (
                        p.get_str("name"),
                        p.get("containerPort").and_then(|n| n.as_i64()),
                    )
                })
                .collect();
            for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                let Some((_, h)) = c.get(probe).and_then(handler) else {
                    continue;
                };
                let Some(port) = h.get("port") else { continue };
                let Some(text) = port.as_str() else { continue };
                let msg = match port.as_i64() {
                    Some(n) => {
                        if ports.is_empty() || ports.iter().any(|(_, p)| *p == Some(n)) {
                            continue;
                        }
                        format!(
                            "{probe} of container `{}` checks port {n}, which no containerPort declares",
                            c.name()
                        )
                    }
                    None => {
                        if ports.iter().any(|(name, _)| *name == Some(text)) {
                            continue;
                        }
                        format!(
                            "{probe} of container `{}` uses port name `{text}`, which none of its ports carries; the probe can never succeed",
                            c.name()
                        )
                    }
                };
                cx.report_in(&c, port, msg);
            }
        }
    }
}
