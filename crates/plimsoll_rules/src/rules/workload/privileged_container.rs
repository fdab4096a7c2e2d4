use plimsoll_formats::compose::ComposeFile;
use plimsoll_formats::runnable::Runnable;
use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};
use crate::rules::runnable;

declare_rule! {
    /// ## What it does
    /// Reports containers (init and ephemeral ones included) with
    /// `securityContext.privileged: true`, and Compose services with `privileged: true`.
    ///
    /// ## Why it matters
    /// A privileged container has every capability and every host device; it can load kernel
    /// modules, mount the host's disks and escape to the node in one command. One compromised
    /// dependency in such a pod is a compromised node, and from there the cluster's secrets.
    /// The Pod Security Standards forbid it even at the `baseline` level.
    ///
    /// ## How to fix
    /// Remove `privileged: true`; add back only the capability the process needs:
    ///
    /// ```yaml
    /// securityContext:
    ///   privileged: false
    ///   allowPrivilegeEscalation: false
    ///   capabilities:
    ///     drop: ["ALL"]
    ///     add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// In a Compose file, remove `privileged: true` and use `cap_add` for the one capability
    /// needed.
    ///
    /// ## Severity
    /// Critical: it is a direct path from the container to the node.
    pub struct PrivilegedContainer {
        id: "WKL-001",
        name: "privileged-container",
        gap: Workload,
        severity: Critical,
        target: Target::Workloads,
        also: [Target::ComposeFiles],
        summary: "Container runs privileged",
        peers: [
            KubeScore: ["container-security-context-privileged"],
            KubeLinter: ["privileged-container"],
            Polaris: ["runAsPrivileged"],
            Checkov: ["CKV_K8S_16"],
            Kubescape: ["C-0057"],
            Trivy: ["KSV-0017"],
            Kyverno: ["pod-security/baseline/disallow-privileged-containers"],
        ],
    }
}

fn check(r: &Runnable<'_>, cx: &mut Cx<'_>) {
    if let Some(at) = r.privileged() {
        runnable::report(cx, r, at, format!("{} runs privileged", r.subject()));
    }
}

impl Rule for PrivilegedContainer {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        runnable::workload(w, cx, check);
    }

    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        runnable::compose(c, cx, check);
    }
}
