//! systemd rules: the exposure score of `systemd-analyze security` and what no peer checks
//! (restart, stop timeout, CPU and task limits, network-online ordering, home and /tmp
//! isolation). The risks units share with containers (root, secrets in `Environment=`, no new
//! privileges, a writable OS, memory limits, the watchdog) are the shared rules', which target
//! units too (see `docs/compose-systemd.md`).

use plimsoll_formats::runnable::Runnable;
use plimsoll_formats::systemd::{Unit, UnitKind, parse_bool};

use crate::rule::{Cx, Rule};

mod cpu_tasks_limits_missing;
mod exposure_high;
mod network_online_missing;
mod private_tmp_missing;
mod protect_home_missing;
mod restart_missing;
mod timeout_stop_unbounded;

pub const RULES: &[&dyn Rule] = &[
    &exposure_high::ExposureHigh,
    &restart_missing::RestartMissing,
    &timeout_stop_unbounded::TimeoutStopUnbounded,
    &cpu_tasks_limits_missing::CpuTasksLimitsMissing,
    &network_online_missing::NetworkOnlineMissing,
    &protect_home_missing::ProtectHomeMissing,
    &private_tmp_missing::PrivateTmpMissing,
];

/// An early-boot unit (`DefaultDependencies=no`).
pub(crate) fn early_boot(u: &Unit) -> bool {
    u.last("Unit", "DefaultDependencies")
        .and_then(|d| parse_bool(&d.value))
        == Some(false)
}

/// A service that keeps running, started once the system is up: not a `Type=oneshot` setup
/// task, and not an early-boot unit. Resource limits, restarts and a non-root user are expected
/// of these.
pub(crate) fn is_long_running(u: &Unit) -> bool {
    let oneshot = u
        .get("Service", "Type")
        .is_some_and(|t| t.value == "oneshot");
    u.kind == UnitKind::Service && !oneshot && !early_boot(u)
}

/// Run `f` on a service unit, naming it in the findings (`SystemdUnit/<name>`).
fn each_service(u: &Unit, cx: &mut Cx<'_>, f: impl FnOnce(&Unit, &mut Cx<'_>)) {
    if u.kind != UnitKind::Service {
        return;
    }
    cx.set_object(Runnable::Unit(u).object_id());
    f(u, cx);
    cx.set_object(None);
}

/// Run `f` on a long-running service unit (see [`is_long_running`]).
fn each_long_running(u: &Unit, cx: &mut Cx<'_>, f: impl FnOnce(&Unit, &mut Cx<'_>)) {
    if is_long_running(u) {
        each_service(u, cx, f);
    }
}
