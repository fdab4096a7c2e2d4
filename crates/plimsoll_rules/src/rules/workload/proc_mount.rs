use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers (init and ephemeral ones included) whose
    /// `securityContext.procMount` is anything but `Default`, in practice `Unmasked`. Windows
    /// pods are skipped.
    ///
    /// ## Why it matters
    /// The runtime masks and makes read-only the parts of `/proc` that reach the host kernel:
    /// `/proc/sys`, `/proc/sysrq-trigger`, `/proc/kcore`, `/proc/keys` and others. `Unmasked`
    /// removes that protection, letting a root process in the container read kernel memory
    /// layouts, trigger SysRq actions on the node (crash or reboot it) or change kernel settings.
    /// It is meant only for nested container runtimes in user-namespaced pods; the Pod Security
    /// Standards forbid it at `baseline`.
    ///
    /// ## How to fix
    /// Remove the field, or set it to the default:
    ///
    /// ```yaml
    /// securityContext:
    ///   procMount: Default
    /// ```
    ///
    /// ## Severity
    /// Medium: it exposes host kernel interfaces, but only to a process that is already root in
    /// the container, and most uses are in user-namespaced pods where that root is not the node's.
    pub struct ProcMount {
        id: "WKL-020",
        name: "proc-mount-unmasked",
        gap: Workload,
        severity: Medium,
        target: Target::Workloads,
        summary: "Container's `/proc` is unmasked",
        peers: [
            KubeLinter: ["unsafe-proc-mount"],
            Polaris: ["procMount"],
            Trivy: ["KSV-0027"],
            Kyverno: ["pod-security/baseline/disallow-proc-mount"],
        ],
    }
}

impl Rule for ProcMount {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        for c in w.containers() {
            let Some(n) = c.security_context().and_then(|s| s.get("procMount")) else {
                continue;
            };
            let Some(value) = n.as_str() else { continue };
            if value != "Default" {
                cx.report_in(
                    &c,
                    n,
                    format!(
                        "container `{}` sets `procMount: {value}`: host kernel files in `/proc` are no longer masked",
                        c.name()
                    ),
                );
            }
        }
    }
}
