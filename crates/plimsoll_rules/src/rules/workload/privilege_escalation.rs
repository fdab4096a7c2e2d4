use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers (init and ephemeral ones included) that do not set
    /// `securityContext.allowPrivilegeEscalation: false`, or set it to `true`. The field exists
    /// only at container level, and Kubernetes defaults it to `true`. Privileged containers are
    /// left to `privileged-container` (WKL-001), which they always escalate past; Windows pods
    /// are skipped (the field is Linux-only).
    ///
    /// ## Why it matters
    /// `allowPrivilegeEscalation: false` sets the kernel's `no_new_privs` flag: no process in the
    /// container can ever gain more privileges than it started with. Without it, a setuid binary
    /// in the image (`su`, `sudo`, `passwd`, `mount`, `ping` on older bases) or a file capability
    /// turns a bug in a non-root service into root inside the container, which is one step from
    /// the node. It costs nothing for nearly every service, and the Pod Security Standards'
    /// `restricted` profile requires it.
    ///
    /// ## How to fix
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     securityContext:
    ///       allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Severity
    /// High: it is the switch that keeps a compromised non-root process non-root; without it the
    /// other hardening (non-root user, dropped capabilities) can be undone from inside.
    pub struct PrivilegeEscalation {
        id: "WKL-002",
        name: "privilege-escalation-allowed",
        gap: Workload,
        severity: High,
        target: Target::Workloads,
        summary: "Container does not set `allowPrivilegeEscalation: false`",
        peers: [
            KubeLinter: ["privilege-escalation-container"],
            Polaris: ["privilegeEscalationAllowed"],
            Checkov: ["CKV_K8S_20"],
            Kubescape: ["C-0016"],
            Trivy: ["KSV-0001"],
            Kyverno: ["pod-security/restricted/disallow-privilege-escalation"],
        ],
    }
}

impl Rule for PrivilegeEscalation {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        for c in w.containers() {
            if sc::is_privileged(&c) {
                continue;
            }
            let field = c
                .security_context()
                .and_then(|s| s.get("allowPrivilegeEscalation"))
                .filter(|n| !n.is_null());
            match field {
                Some(n) => {
                    if n.as_bool() == Some(true) {
                        cx.report_in(
                            &c,
                            n,
                            format!(
                                "container `{}` sets `allowPrivilegeEscalation: true`: its processes can gain privileges through setuid binaries",
                                c.name()
                            ),
                        );
                    }
                }
                None => {
                    cx.report_in(
                        &c,
                        sc::container_anchor(&c),
                        format!(
                            "container `{}` does not set `allowPrivilegeEscalation: false` (it defaults to true): its processes can gain privileges through setuid binaries",
                            c.name()
                        ),
                    );
                }
            }
        }
    }
}
