use plimsoll_formats::compose::ComposeFile;
use plimsoll_formats::runnable::{Limit, Platform, Runnable};
use plimsoll_formats::systemd::Unit;
use plimsoll_model::Workload;

use super::support::{resource, resources_anchor, scheduled_containers};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};
use crate::rules::runnable;
use crate::rules::systemd::is_long_running;

declare_rule! {
    /// ## What it does
    /// Reports containers (init containers included) without `resources.limits.memory`.
    ///
    /// Compose services without `deploy.resources.limits.memory` (or `mem_limit`) and long-running
    /// systemd services without `MemoryMax=` are reported too, as are limits written as unlimited.
    ///
    /// ## Why it matters
    /// Memory cannot be throttled, only reclaimed by killing. A container without a limit can
    /// grow until the node runs out; the kernel's OOM killer then picks a victim on that node,
    /// which may be another team's pod or the kubelet itself, and a slow leak in one service
    /// becomes an outage of everything scheduled beside it. With a limit, only the leaking
    /// container is restarted.
    ///
    /// ## How to fix
    /// Cap memory, usually at the request:
    ///
    /// ```yaml
    /// resources:
    ///   requests: {memory: 512Mi}
    ///   limits: {memory: 512Mi}
    /// ```
    ///
    /// In a Compose file: `deploy: {resources: {limits: {memory: 512M}}}`. In a systemd unit:
    /// `MemoryMax=512M` (the kernel then reclaims, and kills only this service).
    ///
    /// ## Severity
    /// Medium: it lets one workload take down its neighbours, but needs a leak or a spike to do
    /// so.
    pub struct MemoryLimitMissing {
        id: "RES-003",
        name: "memory-limit-missing",
        gap: Resilience,
        severity: Medium,
        target: Target::Workloads,
        also: [Target::ComposeFiles, Target::SystemdUnits],
        summary: "Container has no memory limit",
        peers: [
            KubeScore: ["container-resources"],
            KubeLinter: ["unset-memory-requirements"],
            Polaris: ["memoryLimitsMissing"],
            Checkov: ["CKV_K8S_13"],
            Kubescape: ["C-0271"],
            Trivy: ["KSV-0018"],
            Kyverno: ["best-practices/require-pod-requests-limits"],
        ],
    }
}

/// Compose services and systemd services.
fn check(r: &Runnable<'_>, cx: &mut Cx<'_>) {
    if let Runnable::Unit(u) = r
        && !is_long_running(u)
    {
        return;
    }
    let subject = r.subject();
    let (at, message) = match (r.platform(), r.memory_limit()) {
        (_, Limit::Set { .. }) => return,
        (Platform::Systemd, Limit::Unlimited { at }) => (
            at,
            format!("{subject} sets `MemoryMax=infinity`; a leak can exhaust the host"),
        ),
        (Platform::Systemd, Limit::Missing { at }) => (
            at,
            format!("{subject} sets no `MemoryMax=`; a leak can exhaust the host"),
        ),
        (_, Limit::Unlimited { at }) => (
            at,
            format!("{subject} sets an unlimited memory limit; a leak can exhaust the host"),
        ),
        (_, Limit::Missing { at }) => (
            at,
            format!(
                "{subject} has no memory limit (`deploy.resources.limits.memory` or `mem_limit`); a leak can exhaust the host"
            ),
        ),
    };
    runnable::report(cx, r, at, message);
}

impl Rule for MemoryLimitMissing {
    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        runnable::compose(c, cx, check);
    }

    fn check_unit(&self, u: &Unit, cx: &mut Cx<'_>) {
        runnable::unit(u, cx, check);
    }

    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in scheduled_containers(w) {
            if resource(&c, "limits", "memory").is_none() {
                cx.report_in(
                    &c,
                    resources_anchor(&c),
                    format!(
                        "container `{}` has no memory limit; a leak can exhaust the node",
                        c.name()
                    ),
                );
            }
        }
    }
}
