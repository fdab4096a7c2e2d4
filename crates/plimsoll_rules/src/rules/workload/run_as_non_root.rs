use plimsoll_formats::compose::ComposeFile;
use plimsoll_formats::runnable::{Root, Runnable};
use plimsoll_formats::systemd::Unit;
use plimsoll_model::{Container, Workload};

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};
use crate::rules::runnable;
use crate::rules::systemd::is_long_running;

declare_rule! {
    /// ## What it does
    /// Reports containers that may run as root because nothing forbids it: neither the container
    /// nor the pod sets `runAsNonRoot: true` or a non-zero `runAsUser`, or `runAsNonRoot` is
    /// explicitly `false`. Settings are inherited from the pod's `securityContext` the way the
    /// kubelet does it. When no container of the pod has either, one finding points at the pod
    /// (the fix is one line there). An explicit `runAsUser: 0` is left to `run-as-root-user`
    /// (WKL-004); Windows pods are skipped.
    ///
    /// Compose services without `user:` (or with `user: root`) are reported the same way. So are
    /// systemd services that run as root without a sign that they need to: no `User=` and no
    /// `DynamicUser=yes` (or `User=root`), for long-running services (`Type=oneshot` setup
    /// units, early-boot units with `DefaultDependencies=no` and services that manage their own
    /// cgroups with `Delegate=yes`, such as container runtimes, usually do need root).
    ///
    /// ## Why it matters
    /// Without one of these fields the user is whatever the image's `USER` says, and for most
    /// public images that is root. Root in a container is still UID 0 on the node's kernel: a
    /// writable host mount, a leaked capability or a kernel bug then acts as root on the node,
    /// and a compromised process can rewrite its own binaries and configuration. `runAsNonRoot:
    /// true` makes the kubelet refuse to start a container whose image would run as root, so the
    /// guarantee holds whatever image a future tag brings. The Pod Security Standards'
    /// `restricted` profile requires it.
    ///
    /// ## How to fix
    /// Set it once for the pod (and give a UID if the image has no numeric `USER`):
    ///
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     runAsUser: 10001
    ///     runAsGroup: 10001
    /// ```
    ///
    /// In a Compose file, set `user: "10001:10001"`. In a systemd unit, set `User=` to a system
    /// user (or `DynamicUser=yes`), and give back only what root was needed for, e.g.
    /// `AmbientCapabilities=CAP_NET_BIND_SERVICE` to bind a port below 1024.
    ///
    /// ## Severity
    /// Medium: many images already run as a non-root user, so this is often a missing guarantee
    /// rather than an actual root process, and root alone still needs a second weakness to reach
    /// the node. An explicit `runAsUser: 0` is High (WKL-004).
    pub struct RunAsNonRoot {
        id: "WKL-003",
        name: "run-as-non-root-not-enforced",
        gap: Workload,
        severity: Medium,
        target: Target::Workloads,
        also: [Target::ComposeFiles, Target::SystemdUnits],
        summary: "Nothing prevents the container from running as root",
        peers: [
            KubeLinter: ["run-as-non-root"],
            Polaris: ["runAsRootAllowed"],
            Checkov: ["CKV_K8S_23"],
            Kubescape: ["C-0013"],
            Trivy: ["KSV-0012"],
            Kyverno: ["pod-security/restricted/require-run-as-nonroot"],
            SystemdAnalyze: ["UserOrDynamicUser"],
        ],
    }
}

/// Compose services and systemd services.
fn check(r: &Runnable<'_>, cx: &mut Cx<'_>) {
    let subject = r.subject();
    let message = match (r, r.runs_as_root()) {
        (_, Root::No { .. }) => return,
        (Runnable::Unit(u), Root::Yes { explicit, at }) => {
            // a service that manages its own cgroup subtree (a container runtime) needs root
            if !is_long_running(u) || u.exec_bool("Delegate") == Some(true) {
                return;
            }
            let why = if explicit {
                "`User=root`"
            } else {
                "no `User=` or `DynamicUser=yes`"
            };
            runnable::report(
                cx,
                r,
                at,
                format!(
                    "{subject} runs as root ({why}): give it its own user and only the capabilities it needs"
                ),
            );
            return;
        }
        (_, Root::Yes { at, .. }) => (at, format!("{subject} runs as root (`user: root`)")),
        (_, Root::Unknown { at }) => (
            at,
            format!(
                "{subject} may run as root: it sets no `user:`, so it runs as its image's user, root unless the image says otherwise"
            ),
        ),
    };
    runnable::report(cx, r, message.0, message.1);
}

impl Rule for RunAsNonRoot {
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
        let mut total = 0;
        let mut lacking: Vec<Container<'_>> = Vec::new();
        let mut pod_false = Vec::new();
        let mut pod_false_node = None;
        for c in w.containers() {
            total += 1;
            // Any explicit UID decides: 0 is WKL-004's, a positive one is not root.
            if sc::effective(&c, &["runAsUser"]).is_some_and(|(n, _)| n.as_i64().is_some()) {
                continue;
            }
            match sc::effective(&c, &["runAsNonRoot"]) {
                Some((n, from_pod)) => match n.as_bool() {
                    Some(false) if from_pod => {
                        pod_false.push(c.name());
                        pod_false_node = Some(n);
                    }
                    Some(false) => {
                        cx.report_in(
                            &c,
                            n,
                            format!(
                                "container `{}` sets `runAsNonRoot: false` and no `runAsUser`: it runs as root when the image does",
                                c.name()
                            ),
                        );
                    }
                    _ => {}
                },
                None => lacking.push(c),
            }
        }
        if let Some(n) = pod_false_node {
            cx.report(
                n,
                format!(
                    "`runAsNonRoot: false` in the pod's securityContext, with no `runAsUser`, lets {} run as root when the image does",
                    sc::containers_phrase(&pod_false)
                ),
            );
        }
        sc::report_missing(
            w,
            cx,
            &lacking,
            total,
            |who| {
                format!(
                    "{who} may run as root: neither the pod nor the container sets `runAsNonRoot: true` or a non-zero `runAsUser`"
                )
            },
            |c| {
                format!(
                    "container `{}` may run as root: neither it nor the pod sets `runAsNonRoot: true` or a non-zero `runAsUser`",
                    c.name()
                )
            },
        );
    }
}
