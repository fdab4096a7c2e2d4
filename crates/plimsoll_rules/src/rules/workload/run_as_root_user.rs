use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports an explicit `runAsUser: 0`, in a container's `securityContext` or in the pod's
    /// (reported once there, naming the containers that inherit it). Windows pods are skipped.
    ///
    /// ## Why it matters
    /// This is not a missing default but a decision to run as root, whatever the image would do.
    /// Root in the container is UID 0 on the node's kernel: it owns every file the container can
    /// see, can use every capability the runtime grants (including `CHOWN`, `DAC_OVERRIDE`,
    /// `SETUID` and often `NET_RAW`), and turns any host mount, kernel bug or runtime escape into
    /// root on the node. Together with `runAsNonRoot: true` it also stops the pod from starting:
    /// the kubelet refuses the container (`CreateContainerConfigError`).
    ///
    /// ## How to fix
    /// Run as an unprivileged UID; fix file ownership in the image (or with `fsGroup`) rather
    /// than running as root:
    ///
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    ///   runAsUser: 10001
    ///   runAsGroup: 10001
    /// ```
    ///
    /// ## Severity
    /// High: the workload deliberately runs as root, so the other layers (capabilities, seccomp)
    /// are all that stand between a compromised process and the node.
    pub struct RunAsRootUser {
        id: "WKL-004",
        name: "run-as-root-user",
        gap: Workload,
        severity: High,
        target: Target::Workloads,
        summary: "Container runs as root (`runAsUser: 0`)",
        peers: [
            Trivy: ["KSV-0105"],
            Kyverno: ["pod-security/restricted/require-run-as-non-root-user"],
        ],
    }
}

impl Rule for RunAsRootUser {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        sc::visit_inherited(w, &["runAsUser"], |scope, n| {
            if n.as_i64() == Some(0) {
                let msg = format!(
                    "`runAsUser: 0`{} makes {} run as root",
                    scope.origin(),
                    scope.subject()
                );
                scope.report(cx, n, msg);
            }
        });
    }
}
