use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports AppArmor explicitly turned off: `appArmorProfile.type: Unconfined` in a
    /// container's `securityContext` or in the pod's (reported once there, naming the containers
    /// that inherit it), and the annotation
    /// `container.apparmor.security.beta.kubernetes.io/<name>: unconfined` on the pod template.
    /// Windows pods are skipped.
    ///
    /// ## Why it matters
    /// On nodes with AppArmor (Ubuntu, Debian, COS, Bottlerocket), the runtime's default profile
    /// denies containers writes to `/proc` and `/sys` files that reconfigure the kernel, mounts,
    /// and access to other processes' sensitive proc entries. `Unconfined` removes that
    /// mandatory layer, so a process that gains root or an extra capability faces one less
    /// barrier on its way to the node. The Pod Security Standards forbid it at `baseline`.
    ///
    /// ## How to fix
    /// Remove the override (the runtime default applies) or set it explicitly:
    ///
    /// ```yaml
    /// securityContext:
    ///   appArmorProfile:
    ///     type: RuntimeDefault
    /// ```
    ///
    /// ## Severity
    /// Low: AppArmor only matters on nodes that enable it, and only after other layers
    /// (non-root, capabilities, seccomp) have already been passed.
    pub struct ApparmorUnconfined {
        id: "WKL-018",
        name: "apparmor-unconfined",
        gap: Workload,
        severity: Low,
        target: Target::Workloads,
        summary: "AppArmor is explicitly disabled (`Unconfined`)",
        peers: [
            Trivy: ["KSV-0002"],
            Kyverno: ["pod-security/baseline/restrict-apparmor-profiles"],
        ],
    }
}

const CONTAINER_ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

impl Rule for ApparmorUnconfined {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        sc::visit_inherited(w, &["appArmorProfile", "type"], |scope, n| {
            if n.as_str() == Some("Unconfined") {
                let msg = format!(
                    "`appArmorProfile.type: Unconfined`{} runs {} without AppArmor confinement",
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
            let Some(name) = key.strip_prefix(CONTAINER_ANNOTATION) else {
                continue;
            };
            if value.trim().eq_ignore_ascii_case("unconfined") {
                cx.report(
                    v,
                    format!(
                        "annotation `{key}: unconfined` runs container `{name}` without AppArmor confinement"
                    ),
                );
            }
        }
    }
}
