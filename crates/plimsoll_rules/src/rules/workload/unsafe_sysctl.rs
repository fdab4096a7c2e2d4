use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports entries of the pod's `securityContext.sysctls` outside Kubernetes' safe set:
    /// `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    /// `net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`,
    /// `net.ipv4.ping_group_range`, `net.ipv4.ip_local_reserved_ports`,
    /// `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
    /// `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`, `net.ipv4.tcp_rmem` and
    /// `net.ipv4.tcp_wmem`. Names written with `/` separators are compared the same way.
    /// Windows pods are skipped.
    ///
    /// ## Why it matters
    /// Safe sysctls are namespaced and cannot hurt other pods. Any other sysctl either reaches
    /// kernel state shared with the node and its other pods (memory, IPC limits, the network
    /// stack) or is not isolated at all. The kubelet therefore rejects such pods with
    /// `SysctlForbidden` unless the node explicitly allows the name with
    /// `--allowed-unsafe-sysctls`: on an ordinary node pool the pod never starts, and on a node
    /// that allows it, one tenant's tuning changes behaviour for its neighbours. The Pod Security
    /// Standards forbid them at `baseline`.
    ///
    /// ## How to fix
    /// Keep only safe sysctls in the pod; tune the node itself (a node pool configuration or a
    /// tuning DaemonSet owned by the platform team) for the rest:
    ///
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///       - name: net.ipv4.ip_local_port_range
    ///         value: "1024 65535"
    /// ```
    ///
    /// ## Severity
    /// Medium: the pod either fails to schedule on ordinary nodes or, where allowed, can disturb
    /// the other pods of its node; it is not by itself a way to take over the node.
    pub struct UnsafeSysctl {
        id: "WKL-021",
        name: "unsafe-sysctl",
        gap: Workload,
        severity: Medium,
        target: Target::Workloads,
        summary: "Pod sets a sysctl outside Kubernetes' safe set",
        peers: [
            KubeLinter: ["unsafe-sysctls"],
            Trivy: ["KSV-0026"],
            Kyverno: ["pod-security/baseline/restrict-sysctls"],
        ],
    }
}

/// Kubernetes' safe sysctls (as of 1.32).
const SAFE: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
];

impl Rule for UnsafeSysctl {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        let Some(list) = w.pod_security_context().and_then(|s| s.get("sysctls")) else {
            return;
        };
        for item in list.items() {
            let Some(n) = item.get("name") else { continue };
            let Some(name) = n.as_str() else { continue };
            let dotted = name.trim().replace('/', ".");
            if name.contains("{{") || SAFE.contains(&dotted.as_str()) {
                continue;
            }
            cx.report(
                n,
                format!(
                    "sysctl `{name}` is not in Kubernetes' safe set: nodes reject the pod unless they allow it, and where allowed it affects the node's other pods"
                ),
            );
        }
    }
}
