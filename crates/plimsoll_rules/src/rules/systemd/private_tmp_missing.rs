use plimsoll_formats::systemd::Unit;

use super::{each_service, early_boot};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports services that share the host's `/tmp` and `/var/tmp`: no `PrivateTmp=yes`
    /// (`DynamicUser=yes` implies it). Early-boot units (`DefaultDependencies=no`) are skipped,
    /// as `systemd-analyze` does.
    ///
    /// ## Why it matters
    /// A shared `/tmp` is where one process's temporary files meet another's: predictable names
    /// let a local attacker pre-create or symlink a file the service then writes through, and
    /// the service's own scratch data is readable by others. `PrivateTmp=` gives the service its
    /// own, removed when it stops.
    ///
    /// ## How to fix
    /// Give the service its own `/tmp`:
    ///
    /// ```ini
    /// [Service]
    /// PrivateTmp=yes
    /// ```
    ///
    /// ## Severity
    /// Low: it needs a local attacker or a second flaw, and is a one-line fix.
    pub struct PrivateTmpMissing {
        id: "SYD-007",
        name: "unit-private-tmp-missing",
        gap: Workload,
        severity: Low,
        target: Target::SystemdUnits,
        summary: "systemd service shares the host's `/tmp` (`PrivateTmp=`)",
        peers: [SystemdAnalyze: ["PrivateTmp"]],
    }
}

impl Rule for PrivateTmpMissing {
    fn check_unit(&self, u: &Unit, cx: &mut Cx<'_>) {
        each_service(u, cx, |u, cx| {
            if early_boot(u) || u.exec_bool("DynamicUser") == Some(true) {
                return;
            }
            match u.exec_bool("PrivateTmp") {
                Some(true) => {}
                Some(false) => {
                    let e = u.last("Service", "PrivateTmp").expect("read above");
                    cx.report_span(
                        u.span_of(e),
                        format!(
                            "unit `{}` sets `PrivateTmp=no`: it shares the host's /tmp",
                            u.name
                        ),
                    );
                }
                None => {
                    cx.report_span(
                        u.anchor("Service"),
                        format!(
                            "unit `{}` shares the host's /tmp (`PrivateTmp=yes`)",
                            u.name
                        ),
                    );
                }
            }
        });
    }
}
