use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports each capability in `securityContext.capabilities.add` that is outside the Pod
    /// Security Standards' baseline set (`AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`,
    /// `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID`,
    /// `SYS_CHROOT`): for example `NET_ADMIN`, `SYS_TIME`, `SYS_NICE`, `IPC_LOCK`,
    /// `SYS_RESOURCE`, or a misspelt name. Capabilities that give control of the node are
    /// `dangerous-capability-added` (WKL-010) and `NET_RAW` is `net-raw-not-dropped` (WKL-009).
    /// Windows pods are skipped.
    ///
    /// ## Why it matters
    /// Each added capability widens what a compromise of this container can do beyond what
    /// Kubernetes considers safe for ordinary workloads: `NET_ADMIN` rewrites the pod's routes
    /// and firewall rules (and the node's, with `hostNetwork`), `SYS_TIME` sets the node's clock
    /// for every pod since the clock is not namespaced, `SYS_RESOURCE` and `SYS_NICE` let it
    /// escape the limits meant to protect its neighbours. A namespace that enforces the
    /// `baseline` Pod Security level rejects such pods outright, so they also break on a
    /// hardened cluster. A misspelt capability is silently ignored by some runtimes and rejected
    /// by others.
    ///
    /// ## How to fix
    /// Remove the capability, or confine the workload that really needs it (a CNI or time
    /// agent) to a dedicated namespace with a documented exception:
    ///
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: ["ALL"]
    ///     add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## Severity
    /// Medium: none of these is a direct way onto the node, but each lets a compromised container
    /// disturb the node or its neighbours, and they fail the `baseline` admission level.
    pub struct CapabilityOutsideBaseline {
        id: "WKL-011",
        name: "capability-outside-baseline",
        gap: Workload,
        severity: Medium,
        target: Target::Workloads,
        summary: "Container adds a capability outside the Pod Security baseline set",
        peers: [
            Checkov: ["CKV_K8S_25"],
            Kubescape: ["C-0046"],
            Trivy: ["KSV-0022"],
            Kyverno: ["pod-security/baseline/disallow-capabilities"],
        ],
    }
}

/// The capabilities the Pod Security Standards' baseline profile allows adding.
const BASELINE: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Reported by other rules: WKL-009 (`NET_RAW`) and WKL-010 (the node-level ones).
const ELSEWHERE: &[&str] = &[
    "NET_RAW",
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_PTRACE",
    "DAC_READ_SEARCH",
    "BPF",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
];

/// What an added capability lets a process do, after the rule's message.
fn effect(cap: &str) -> &'static str {
    match cap {
        "NET_ADMIN" => ": it can rewrite the pod's routes and firewall rules",
        "SYS_TIME" => ": it can set the node's clock, which every pod shares",
        "SYS_NICE" | "SYS_RESOURCE" => ": it can escape limits that protect its neighbours",
        "IPC_LOCK" => ": it can lock memory the node cannot reclaim",
        "SYS_BOOT" => ": it can call reboot and kexec",
        "SYSLOG" => ": it can read and clear the kernel log",
        "PERFMON" => ": it can observe other processes through perf events",
        "CHECKPOINT_RESTORE" | "LINUX_IMMUTABLE" | "AUDIT_CONTROL" | "AUDIT_READ" | "IPC_OWNER"
        | "LEASE" | "NET_BROADCAST" | "SYS_PACCT" | "SYS_TTY_CONFIG" | "WAKE_ALARM"
        | "BLOCK_SUSPEND" => "",
        _ => " (and not a Linux capability name: misspelt?)",
    }
}

impl Rule for CapabilityOutsideBaseline {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        for c in w.containers() {
            for (cap, node) in c.capabilities("add") {
                if cap.is_empty()
                    || BASELINE.contains(&cap.as_str())
                    || ELSEWHERE.contains(&cap.as_str())
                {
                    continue;
                }
                cx.report_in(
                    &c,
                    node,
                    format!(
                        "container `{}` adds `{cap}`, outside the Pod Security baseline set{}",
                        c.name(),
                        effect(&cap)
                    ),
                );
            }
        }
    }
}
