use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports custom SELinux options the Pod Security Standards' `baseline` profile forbids, in
    /// a container's `securityContext.seLinuxOptions` or the pod's (a container's options
    /// replace the pod's, as in the kubelet): any `user` or `role`, and a `type` other than
    /// `container_t`, `container_init_t`, `container_kvm_t` or `container_engine_t`. The
    /// `level` (MCS categories) is allowed. Windows pods are skipped.
    ///
    /// ## Why it matters
    /// On SELinux nodes (RHEL, Fedora CoreOS, OpenShift) the container type confines what a
    /// container process may touch on the host even when it is root. Choosing another type,
    /// user or role can hand the container a domain made for host daemons (`spc_t`,
    /// `unconfined_t`) that is allowed to read host files, load policy or talk to the runtime, so
    /// the strongest layer on those nodes silently disappears.
    ///
    /// ## How to fix
    /// Remove `user`, `role` and custom `type`s; keep only a `level` if you need fixed MCS
    /// categories:
    ///
    /// ```yaml
    /// securityContext:
    ///   seLinuxOptions:
    ///     level: "s0:c123,c456"
    /// ```
    ///
    /// ## Severity
    /// Medium: it can remove the main confinement on SELinux nodes, but has no effect on nodes
    /// without SELinux and usually needs a second weakness to exploit.
    pub struct SelinuxOptions {
        id: "WKL-019",
        name: "selinux-custom-options",
        gap: Workload,
        severity: Medium,
        target: Target::Workloads,
        summary: "Custom SELinux user, role or type",
        peers: [
            Trivy: ["KSV-0025"],
            Kyverno: ["pod-security/baseline/disallow-selinux"],
        ],
    }
}

/// The SELinux types the baseline profile allows.
const ALLOWED_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

impl Rule for SelinuxOptions {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        sc::visit_inherited(w, &["seLinuxOptions"], |scope, opts| {
            for field in ["type", "user", "role"] {
                let Some(n) = opts.get(field) else { continue };
                let Some(value) = n.as_str().map(str::trim).filter(|v| !v.is_empty()) else {
                    continue;
                };
                if field == "type" && ALLOWED_TYPES.contains(&value) {
                    continue;
                }
                let msg = format!(
                    "SELinux {field} `{value}`{} replaces the container confinement of {}",
                    scope.origin(),
                    scope.subject()
                );
                scope.report(cx, n, msg);
            }
        });
    }
}
