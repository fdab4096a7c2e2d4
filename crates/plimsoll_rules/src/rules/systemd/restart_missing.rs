use plimsoll_formats::systemd::Unit;

use super::each_long_running;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports long-running services (not `Type=oneshot`, not early-boot units with
    /// `DefaultDependencies=no`) without `Restart=`, or with `Restart=no`.
    ///
    /// ## Why it matters
    /// systemd's default is not to restart a service: a crash, an OOM kill or an unhandled signal
    /// leaves it `failed` until someone runs `systemctl restart`. Everything it served is down
    /// meanwhile, at night as well.
    ///
    /// ## How to fix
    /// Restart the service when it fails:
    ///
    /// ```ini
    /// [Service]
    /// Restart=on-failure
    /// RestartSec=5s
    /// ```
    ///
    /// and bound crash loops in `[Unit]` with `StartLimitIntervalSec=` and `StartLimitBurst=`.
    ///
    /// ## Severity
    /// Medium: every crash becomes an outage that lasts until someone acts.
    pub struct RestartMissing {
        id: "SYD-002",
        name: "unit-restart-missing",
        gap: Resilience,
        severity: Medium,
        target: Target::SystemdUnits,
        summary: "systemd service is not restarted when it fails",
        peers: [],
    }
}

impl Rule for RestartMissing {
    fn check_unit(&self, u: &Unit, cx: &mut Cx<'_>) {
        each_long_running(u, cx, |u, cx| match u.get("Service", "Restart") {
            Some(e) if e.value != "no" => {}
            Some(e) => {
                cx.report_span(
                            u.span_of(e),
                            format!(
                                "unit `{}` sets `Restart=no`: after a crash it stays down (`Restart=on-failure`)",
                                u.name
                            ),
                        );
            }
            None => {
                cx.report_span(
                            u.anchor("Service"),
                            format!(
                                "unit `{}` sets no `Restart=`: after a crash it stays down (`Restart=on-failure`)",
                                u.name
                            ),
                        );
            }
        });
    }
}
