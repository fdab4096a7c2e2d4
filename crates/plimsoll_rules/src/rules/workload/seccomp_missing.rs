use plimsoll_model::{Container, Workload};

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers (init and ephemeral ones included) with no seccomp profile: neither
    /// the container's nor the pod's `securityContext.seccompProfile` is set, nor the deprecated
    /// `seccomp.security.alpha.kubernetes.io/pod` or
    /// `container.seccomp.security.alpha.kubernetes.io/<name>` annotations. When no container of
    /// the pod has one, a single finding points at the pod, where one line fixes them all.
    /// Profiles set to `Unconfined` are `seccomp-unconfined` (WKL-016). Windows pods are skipped.
    ///
    /// ## Why it matters
    /// Kubernetes does not apply the runtime's default seccomp profile unless told to: unless
    /// every kubelet runs with `--seccomp-default`, a pod without a profile runs `Unconfined`,
    /// with the whole kernel system-call surface available to an attacker (`unshare`, `keyctl`,
    /// `bpf`, `ptrace`, ...). Setting `RuntimeDefault` costs nothing for nearly every service and
    /// makes the protection part of the manifest instead of a node setting nobody checks. The
    /// Pod Security Standards' `restricted` profile requires it.
    ///
    /// ## How to fix
    /// Once, for the whole pod:
    ///
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seccompProfile:
    ///       type: RuntimeDefault
    /// ```
    ///
    /// ## Severity
    /// Low: it is a missing default, not a deliberate opening, and clusters that enable
    /// `--seccomp-default` on their kubelets are already protected.
    pub struct SeccompMissing {
        id: "WKL-017",
        name: "seccomp-profile-missing",
        gap: Workload,
        severity: Low,
        target: Target::Workloads,
        summary: "No seccomp profile is set",
        peers: [
            KubeScore: ["container-seccomp-profile"],
            Polaris: ["linuxHardening"],
            Checkov: ["CKV_K8S_31"],
            Kubescape: ["C-0210", "C-0055"],
            Trivy: ["KSV-0030"],
            Kyverno: ["pod-security/restricted/restrict-seccomp-strict"],
        ],
    }
}

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// A seccomp profile applies to the container, by field or by the deprecated annotations.
fn has_profile(w: &Workload<'_>, c: &Container<'_>) -> bool {
    if sc::effective(c, &["seccompProfile"]).is_some() {
        return true;
    }
    let set = |key: &str| w.pod_annotation(key).is_some_and(|v| !v.trim().is_empty());
    set(POD_ANNOTATION) || set(&format!("{CONTAINER_ANNOTATION}{}", c.name()))
}

impl Rule for SeccompMissing {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        let all: Vec<Container<'_>> = w.containers().collect();
        let lacking: Vec<Container<'_>> =
            all.iter().filter(|c| !has_profile(w, c)).copied().collect();
        sc::report_missing(
            w,
            cx,
            &lacking,
            all.len(),
            |who| {
                format!(
                    "no seccomp profile is set for {who}: unless the kubelet enables `--seccomp-default`, every system call is allowed"
                )
            },
            |c| {
                format!(
                    "container `{}` has no seccomp profile: unless the kubelet enables `--seccomp-default`, every system call is allowed",
                    c.name()
                )
            },
        );
    }
}
