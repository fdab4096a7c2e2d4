use plimsoll_formats::systemd::{Unit, parse_timespan};

use super::each_long_running;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports long-running services whose stop timeout is unbounded (`TimeoutStopSec=infinity`
    /// or `0`, or the same through `TimeoutSec=`), or not chosen at all (no `TimeoutStopSec=`
    /// nor `TimeoutSec=`: the manager's default, 90 seconds unless changed, applies).
    ///
    /// ## Why it matters
    /// Stopping a service is the first step of every restart, upgrade and reboot. With no bound,
    /// a service that ignores `SIGTERM` blocks all of them forever; with the default, every
    /// deploy may wait a minute and a half for nothing, or kill a service that needed longer to
    /// flush its data. The timeout should be what a clean shutdown of this service takes.
    ///
    /// ## How to fix
    /// Set the time a clean shutdown of this service takes:
    ///
    /// ```ini
    /// [Service]
    /// TimeoutStopSec=30s
    /// ```
    ///
    /// ## Severity
    /// Low: it slows or blocks restarts and reboots rather than causing an outage by itself.
    pub struct TimeoutStopUnbounded {
        id: "SYD-003",
        name: "unit-stop-timeout-unset",
        gap: Resilience,
        severity: Low,
        target: Target::SystemdUnits,
        summary: "systemd service stop timeout is unbounded or left to the default",
        peers: [],
    }
}

impl Rule for TimeoutStopUnbounded {
    fn check_unit(&self, u: &Unit, cx: &mut Cx<'_>) {
        each_long_running(u, cx, |u, cx| {
            let e = u
                .entries
                .iter()
                .rfind(|e| {
                    e.section == "Service"
                        && matches!(e.key.as_str(), "TimeoutStopSec" | "TimeoutSec")
                })
                .filter(|e| !e.value.is_empty());
            match e {
                None => {
                    cx.report_span(
                        u.anchor("Service"),
                        format!(
                            "unit `{}` sets no `TimeoutStopSec=`: stopping it waits the manager's default (90s) before killing it; set what a clean shutdown takes",
                            u.name
                        ),
                    );
                }
                Some(e) if matches!(parse_timespan(&e.value), Some(0) | Some(u64::MAX)) => {
                    cx.report_span(
                        u.span_of(e),
                        format!(
                            "unit `{}` sets `{}={}`: a stop that hangs blocks restarts and reboots forever",
                            u.name, e.key, e.value
                        ),
                    );
                }
                Some(_) => {}
            }
        });
    }
}
