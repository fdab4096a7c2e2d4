use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers (init and ephemeral ones included) that do not set
    /// `securityContext.readOnlyRootFilesystem: true`. The field exists only at container
    /// level. Windows pods are skipped (the field is not supported there).
    ///
    /// ## Why it matters
    /// With a writable root filesystem, an attacker who gets code execution can download tools,
    /// replace binaries and libraries the service loads, or plant a web shell, and it persists
    /// until the container is recreated. Writes also land in the node's container layer, outside
    /// any volume limit, where a runaway log or cache fills the node's disk and gets other pods
    /// evicted. A read-only root makes the image the only code that runs and forces every
    /// writable path to be a declared, size-limited volume.
    ///
    /// ## How to fix
    /// Make the root read-only and mount an `emptyDir` where the process must write:
    ///
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     securityContext:
    ///       readOnlyRootFilesystem: true
    ///     volumeMounts:
    ///       - { name: tmp, mountPath: /tmp }
    /// volumes:
    ///   - name: tmp
    ///     emptyDir: { sizeLimit: 64Mi }
    /// ```
    ///
    /// ## Severity
    /// Medium: peers disagree (Trivy says High, Kubescape and Polaris Low). It does not open a way
    /// in, but it decides whether an intrusion can persist and tamper with the service, and it
    /// protects the node's disk; the fix sometimes needs work on the image, so it is not High.
    pub struct WritableRootFs {
        id: "WKL-007",
        name: "writable-root-filesystem",
        gap: Workload,
        severity: Medium,
        target: Target::Workloads,
        summary: "Container root filesystem is writable",
        peers: [
            KubeScore: ["container-security-context-readonlyrootfilesystem"],
            KubeLinter: ["no-read-only-root-fs"],
            Polaris: ["notReadOnlyRootFilesystem"],
            Checkov: ["CKV_K8S_22"],
            Kubescape: ["C-0017"],
            Trivy: ["KSV-0014"],
            Kyverno: ["best-practices/require-ro-rootfs"],
        ],
    }
}

impl Rule for WritableRootFs {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        for c in w.containers() {
            let field = c
                .security_context()
                .and_then(|s| s.get("readOnlyRootFilesystem"))
                .filter(|n| !n.is_null());
            match field {
                Some(n) if n.as_bool() == Some(true) => {}
                Some(n) => {
                    cx.report_in(
                        &c,
                        n,
                        format!(
                            "container `{}` has a writable root filesystem (`readOnlyRootFilesystem` is not true)",
                            c.name()
                        ),
                    );
                }
                None => {
                    cx.report_in(
                        &c,
                        sc::container_anchor(&c),
                        format!(
                            "container `{}` has a writable root filesystem: set `readOnlyRootFilesystem: true`",
                            c.name()
                        ),
                    );
                }
            }
        }
    }
}
