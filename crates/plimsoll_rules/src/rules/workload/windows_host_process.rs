use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `securityContext.windowsOptions.hostProcess: true`, in a container's
    /// `securityContext` or in the pod's (reported once there, naming the containers that
    /// inherit it; the field is inherited on its own, as in the kubelet).
    ///
    /// ## Why it matters
    /// A HostProcess container is not isolated at all: it runs as a process directly on the
    /// Windows node, in the node's network namespace, with the node's filesystem and as a local
    /// account that can be `SYSTEM`. It is the Windows equivalent of a privileged container
    /// with `hostNetwork`; anything that compromises it owns the node. It exists for node
    /// agents (CNI, CSI, log collectors) and the Pod Security Standards forbid it at `baseline`.
    ///
    /// ## How to fix
    /// Run the workload as an ordinary Windows container; keep HostProcess for node agents in a
    /// namespace reserved for them:
    ///
    /// ```yaml
    /// securityContext:
    ///   windowsOptions:
    ///     hostProcess: false
    ///     runAsUserName: "ContainerUser"
    /// ```
    ///
    /// ## Severity
    /// High: it is full access to a Windows node. Not Critical because it requires
    /// `hostNetwork: true`, which `host-network` (WKL-012) already reports as Critical for the
    /// same pod, and it only concerns Windows node pools.
    pub struct WindowsHostProcess {
        id: "WKL-022",
        name: "windows-host-process",
        gap: Workload,
        severity: High,
        target: Target::Workloads,
        summary: "Windows HostProcess container runs directly on the node",
        peers: [
            Polaris: ["hostProcess"],
            Kubescape: ["C-0202"],
            Trivy: ["KSV-0103"],
            Kyverno: ["pod-security/baseline/disallow-host-process"],
        ],
    }
}

impl Rule for WindowsHostProcess {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        sc::visit_inherited(w, &["windowsOptions", "hostProcess"], |scope, n| {
            if n.as_bool() == Some(true) {
                let msg = format!(
                    "`hostProcess: true`{} runs {} as processes directly on the Windows node",
                    scope.origin(),
                    scope.subject()
                );
                scope.report(cx, n, msg);
            }
        });
    }
}
