use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports seccomp explicitly turned off: `seccompProfile.type: Unconfined` in a container's
    /// `securityContext` or in the pod's (reported once there, naming the containers that
    /// inherit it), and the deprecated annotations `seccomp.security.alpha.kubernetes.io/pod` or
    /// `container.seccomp.security.alpha.kubernetes.io/<name>` set to `unconfined` on the pod
    /// template. Windows pods are skipped.
    ///
    /// ## Why it matters
    /// The runtime's default seccomp profile blocks about forty system calls a service never
    /// needs and that container escapes keep using: `unshare` and `mount` for namespace tricks,
    /// `keyctl`, `bpf`, `ptrace`, `kexec_load`, `open_by_handle_at`. Kernel vulnerabilities
    /// exploited from containers, such as CVE-2022-0185 and CVE-2022-0492 (both reached through
    /// `unshare`), were blocked by it. `Unconfined` deliberately removes that filter, so the
    /// whole kernel attack surface is one bug away. The Pod Security Standards forbid it at
    /// `baseline`.
    ///
    /// ## How to fix
    /// Use the runtime's default, or a `Localhost` profile that allows the few extra calls the
    /// program needs:
    ///
    /// ```yaml
    /// securityContext:
    ///   seccompProfile:
    ///     type: RuntimeDefault
    /// ```
    ///
    /// ## Severity
    /// Medium: it removes a layer that stops many kernel exploits, but an attacker still needs
    /// code execution in the container and a kernel bug to use it.
    pub struct SeccompUnconfined {
        id: "WKL-016",
        name: "seccomp-unconfined",
        gap: Workload,
        severity: Medium,
        target: Target::Workloads,
        summary: "Seccomp is explicitly disabled (`Unconfined`)",
        peers: [
            Checkov: ["CKV_K8S_31"],
            Trivy: ["KSV-0104"],
            Kyverno: ["pod-security/baseline/restrict-seccomp"],
        ],
    }
}

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";

impl Rule for SeccompUnconfined {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        sc::visit_inherited(w, &["seccompProfile", "type"], |scope, n| {
            if n.as_str() == Some("Unconfined") {
                let msg = format!(
                    "`seccompProfile.type: Unconfined`{} lets {} make any system call",
                    scope.origin(),
                    scope.subject()
                );
                scope.report(cx, n, msg);
            }
        });
        let Some(annotations) = w.pod_annotations() else {
            return;
        };
        for (k, v) in annotations.entries() {
            let (Some(key), Some(value)) = (k.as_str(), v.as_str()) else {
                continue;
            };
            if !value.trim().eq_ignore_ascii_case("unconfined") {
                continue;
            }
            let who = if key == POD_ANNOTATION {
                "every container of the pod".to_string()
            } else if let Some(name) = key.strip_prefix(CONTAINER_ANNOTATION) {
                format!("container `{name}`")
            } else {
                continue;
            };
            cx.report(
                v,
                format!("annotation `{key}: unconfined` lets {who} make any system call"),
            );
        }
    }
}
