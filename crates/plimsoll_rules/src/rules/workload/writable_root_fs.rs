use plimsoll_formats::compose::ComposeFile;
use plimsoll_formats::runnable::{Platform, ReadOnlyRoot, Runnable};
use plimsoll_formats::systemd::Unit;
use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};
use crate::rules::runnable;
use crate::rules::systemd::early_boot;

declare_rule! {
    /// ## What it does
    /// Reports containers (init and ephemeral ones included) that do not set
    /// `securityContext.readOnlyRootFilesystem: true`. The field exists only at container
    /// level. Windows pods are skipped (the field is not supported there).
    ///
    /// Compose services without `read_only: true` are reported too, and systemd services
    /// whose `ProtectSystem=` is not `strict` or `full` (`DynamicUser=yes` implies `strict`;
    /// early-boot units with `DefaultDependencies=no` are skipped, as `systemd-analyze` does).
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
    /// In a Compose file: `read_only: true`, with `tmpfs: [/tmp]` for scratch space. In a systemd
    /// unit: `ProtectSystem=strict`, with `ReadWritePaths=` (or `StateDirectory=`) for what the
    /// service writes.
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
        also: [Target::ComposeFiles, Target::SystemdUnits],
        summary: "Container root filesystem is writable",
        peers: [
            KubeScore: ["container-security-context-readonlyrootfilesystem"],
            KubeLinter: ["no-read-only-root-fs"],
            Polaris: ["notReadOnlyRootFilesystem"],
            Checkov: ["CKV_K8S_22"],
            Kubescape: ["C-0017"],
            Trivy: ["KSV-0014"],
            Kyverno: ["best-practices/require-ro-rootfs"],
            SystemdAnalyze: ["ProtectSystem"],
        ],
    }
}

/// Compose services and systemd services.
fn check(r: &Runnable<'_>, cx: &mut Cx<'_>) {
    if let Runnable::Unit(u) = r
        && early_boot(u)
    {
        return;
    }
    let subject = r.subject();
    let (at, message) = match (r.platform(), r.read_only_root()) {
        (_, ReadOnlyRoot::Yes) => return,
        (Platform::Systemd, ReadOnlyRoot::No { at }) => (
            at,
            format!(
                "{subject} can write to most of the OS file hierarchy (`ProtectSystem=` is not `strict` or `full`)"
            ),
        ),
        (Platform::Systemd, ReadOnlyRoot::Unset { at }) => (
            at,
            format!(
                "{subject} can write anywhere in the OS file hierarchy: set `ProtectSystem=strict`"
            ),
        ),
        (_, ReadOnlyRoot::No { at }) => (
            at,
            format!("{subject} has a writable root filesystem (`read_only` is not true)"),
        ),
        (_, ReadOnlyRoot::Unset { at }) => (
            at,
            format!("{subject} has a writable root filesystem: set `read_only: true`"),
        ),
    };
    runnable::report(cx, r, at, message);
}

impl Rule for WritableRootFs {
    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        runnable::compose(c, cx, check);
    }

    fn check_unit(&self, u: &Unit, cx: &mut Cx<'_>) {
        runnable::unit(u, cx, check);
    }

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
