use plimsoll_formats::runnable::{Health, Runnable};
use plimsoll_formats::systemd::Unit;
use plimsoll_model::Workload;

use super::support::long_running_containers;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};
use crate::rules::runnable;

declare_rule! {
    /// ## What it does
    /// Reports containers of long-running workloads that have no `livenessProbe`. Jobs,
    /// CronJobs and init containers are not reported; native sidecars (init containers with
    /// `restartPolicy: Always`) are.
    ///
    /// systemd services of `Type=notify` without `WatchdogSec=` (or with `WatchdogSec=0`) are
    /// reported too: a notify service can send watchdog keep-alives, and the watchdog is what makes
    /// systemd restart it when it hangs.
    ///
    /// ## Why it matters
    /// The kubelet restarts a container whose process exits, but not one that is alive and
    /// stuck: a deadlock, an exhausted thread pool or a wedged event loop leaves the pod
    /// running and useless until a human notices. A liveness probe lets the kubelet restart it.
    /// The probe must check the process itself, not its dependencies, or an outage of the
    /// database restarts every pod at once.
    ///
    /// ## How to fix
    /// Add a cheap probe on the process's own health, more tolerant than the readiness probe:
    ///
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     livenessProbe:
    ///       httpGet: {path: /healthz, port: http}
    ///       periodSeconds: 10
    ///       failureThreshold: 6
    /// ```
    ///
    /// In a systemd unit (the service must send `WATCHDOG=1` with `sd_notify` more often than the
    /// period):
    ///
    /// ```ini
    /// [Service]
    /// Type=notify
    /// WatchdogSec=30s
    /// Restart=on-failure
    /// ```
    ///
    /// ## Severity
    /// Low: a badly written liveness probe does more harm than none, and kube-score deliberately
    /// does not require one; it is hygiene that shortens incidents, not a defect by itself.
    pub struct LivenessProbeMissing {
        id: "OBS-002",
        name: "liveness-probe-missing",
        gap: Observability,
        severity: Low,
        target: Target::Workloads,
        also: [Target::SystemdUnits],
        summary: "Long-running container has no liveness probe",
        peers: [
            KubeLinter: ["no-liveness-probe"],
            Polaris: ["livenessProbeMissing"],
            Checkov: ["CKV_K8S_8"],
            Kubescape: ["C-0056"],
            Kyverno: ["best-practices/require-probes"],
        ],
    }
}

/// systemd services of `Type=notify`.
fn check(r: &Runnable<'_>, cx: &mut Cx<'_>) {
    let Runnable::Unit(u) = r else { return };
    if u.get("Service", "Type")
        .is_none_or(|t| !t.value.starts_with("notify"))
    {
        return;
    }
    let subject = r.subject();
    let (at, message) = match r.health() {
        Health::Present { .. } => return,
        Health::Disabled { at } => (
            at,
            format!(
                "{subject} is `Type=notify` but turns its watchdog off (`WatchdogSec=0`): if it hangs, nothing restarts it"
            ),
        ),
        Health::Missing { at } => (
            at,
            format!(
                "{subject} is `Type=notify` but sets no `WatchdogSec=`: if it hangs, nothing restarts it"
            ),
        ),
    };
    runnable::report(cx, r, at, message);
}

impl Rule for LivenessProbeMissing {
    fn check_unit(&self, u: &Unit, cx: &mut Cx<'_>) {
        runnable::unit(u, cx, check);
    }

    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in long_running_containers(w) {
            if c.get("livenessProbe").is_none() {
                cx.report_in(
                    &c,
                    c.anchor(),
                    format!(
                        "container `{}` has no livenessProbe; if it hangs, nothing restarts it",
                        c.name()
                    ),
                );
            }
        }
    }
}
