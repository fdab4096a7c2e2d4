use plimsoll_formats::runnable::{Limit, Runnable};
use plimsoll_formats::systemd::Unit;

use super::each_long_running;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports long-running services without `CPUQuota=` or without `TasksMax=` (or with
    /// `TasksMax=infinity`), one finding per unit naming what is missing. `MemoryMax=` is
    /// `memory-limit-missing`'s (RES-003).
    ///
    /// ## Why it matters
    /// Services on one machine share its CPUs and its process table. Without a quota a busy loop
    /// starves everything else on the host, sshd included; without a task limit a fork or thread
    /// leak can exhaust the pids (the manager's `DefaultTasksMax=`, 15% of the system's, is a
    /// backstop for the host, not a budget for the service).
    ///
    /// ## How to fix
    /// Give the service a CPU and a task budget:
    ///
    /// ```ini
    /// [Service]
    /// CPUQuota=150%
    /// TasksMax=256
    /// MemoryMax=512M
    /// ```
    ///
    /// ## Severity
    /// Medium: one misbehaving service can make the host unusable.
    pub struct CpuTasksLimitsMissing {
        id: "SYD-004",
        name: "unit-cpu-tasks-limits-missing",
        gap: Resilience,
        severity: Medium,
        target: Target::SystemdUnits,
        summary: "systemd service has no CPU or task limit",
        peers: [],
    }
}

impl Rule for CpuTasksLimitsMissing {
    fn check_unit(&self, u: &Unit, cx: &mut Cx<'_>) {
        each_long_running(u, cx, |u, cx| {
            let r = Runnable::Unit(u);
            let mut missing = Vec::new();
            if !matches!(r.cpu_limit(), Limit::Set { .. }) {
                missing.push("`CPUQuota=`");
            }
            if !matches!(r.process_limit(), Limit::Set { .. }) {
                missing.push("`TasksMax=`");
            }
            if missing.is_empty() {
                return;
            }
            cx.report_span(
                u.anchor("Service"),
                format!(
                    "unit `{}` sets no {}: it can starve the rest of the host",
                    u.name,
                    missing.join(" or ")
                ),
            );
        });
    }
}
