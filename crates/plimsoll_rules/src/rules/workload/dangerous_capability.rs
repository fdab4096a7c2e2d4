use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports each capability in `securityContext.capabilities.add` (init and ephemeral
    /// containers included) that amounts to control of the node: `ALL`, `SYS_ADMIN`,
    /// `SYS_MODULE`, `SYS_RAWIO`, `SYS_PTRACE`, `DAC_READ_SEARCH`, `BPF`, `MAC_ADMIN` and
    /// `MAC_OVERRIDE`, in any spelling (`sys_admin`, `CAP_SYS_ADMIN`). Other capabilities
    /// outside the Pod Security baseline set are `capability-outside-baseline` (WKL-011).
    /// Windows pods are skipped.
    ///
    /// ## Why it matters
    /// These capabilities are not namespaced or reach past the container's namespaces: with
    /// `SYS_ADMIN` a process can mount filesystems and use the well-known cgroup and mount
    /// escapes; `SYS_MODULE` loads code into the node's kernel; `SYS_RAWIO` reads and writes
    /// raw devices and memory; `SYS_PTRACE` injects code into other processes (the node's too,
    /// with `hostPID`); `DAC_READ_SEARCH` opens any host file by handle (the "shocker" escape);
    /// `BPF` loads programs into the kernel; `MAC_ADMIN`/`MAC_OVERRIDE` change or bypass the
    /// node's AppArmor and SELinux policy. One compromised dependency in such a container is a
    /// compromised node, and the Pod Security Standards forbid all of them at `baseline`.
    ///
    /// ## How to fix
    /// Remove the capability; if a node agent truly needs it, give it only to that agent in a
    /// namespace reserved for it, and document why:
    ///
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: ["ALL"]
    ///     add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## Severity
    /// Critical: each of these is, on its own, a known path from the container to the node.
    pub struct DangerousCapability {
        id: "WKL-010",
        name: "dangerous-capability-added",
        gap: Workload,
        severity: Critical,
        target: Target::Workloads,
        summary: "Container adds a capability that gives control of the node",
        peers: [
            Polaris: ["dangerousCapabilities"],
            Checkov: ["CKV_K8S_39"],
            Kubescape: ["C-0046"],
            Trivy: ["KSV-0005", "KSV-0022", "KSV-0120"],
            Kyverno: ["pod-security/baseline/disallow-capabilities"],
        ],
    }
}

/// What a dangerous capability lets a process do, or `None` when it is not one of them.
fn danger(cap: &str) -> Option<&'static str> {
    Some(match cap {
        "ALL" => "it gets every capability, root on the node in all but name",
        "SYS_ADMIN" => "it can mount filesystems and use the well-known container escapes",
        "SYS_MODULE" => "it can load modules into the node's kernel",
        "SYS_RAWIO" => "it can access the node's devices and memory directly",
        "SYS_PTRACE" => "it can trace and inject code into other processes",
        "DAC_READ_SEARCH" => "it can open any host file by handle",
        "BPF" => "it can load eBPF programs into the node's kernel",
        "MAC_ADMIN" => "it can change the node's AppArmor and SELinux policy",
        "MAC_OVERRIDE" => "it can bypass the node's AppArmor and SELinux policy",
        _ => return None,
    })
}

impl Rule for DangerousCapability {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        for c in w.containers() {
            for (cap, node) in c.capabilities("add") {
                if let Some(what) = danger(&cap) {
                    cx.report_in(
                        &c,
                        node,
                        format!("container `{}` adds `{cap}`: {what}", c.name()),
                    );
                }
            }
        }
    }
}
