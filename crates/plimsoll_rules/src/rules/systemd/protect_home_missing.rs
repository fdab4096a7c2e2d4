use plimsoll_formats::systemd::{Unit, parse_bool};

use super::{each_service, early_boot};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports services that can read and write every home directory: no `ProtectHome=`, or
    /// `ProtectHome=no` (`DynamicUser=yes` implies `read-only`). Early-boot units
    /// (`DefaultDependencies=no`) are skipped, as `systemd-analyze` does.
    ///
    /// ## Why it matters
    /// `/home`, `/root` and `/run/user` hold users' SSH keys, shell histories, cloud credentials
    /// and browser profiles. A service almost never needs them, and a compromised one that can
    /// read them can move to every machine those users can reach.
    ///
    /// ## How to fix
    /// Hide the home directories from the service:
    ///
    /// ```ini
    /// [Service]
    /// ProtectHome=yes        # or read-only / tmpfs
    /// ```
    ///
    /// ## Severity
    /// Medium: it hands an intruder other people's credentials, but needs a flaw in the service
    /// first.
    pub struct ProtectHomeMissing {
        id: "SYD-006",
        name: "unit-protect-home-missing",
        gap: Workload,
        severity: Medium,
        target: Target::SystemdUnits,
        summary: "systemd service can access home directories (`ProtectHome=`)",
        peers: [SystemdAnalyze: ["ProtectHome"]],
    }
}

impl Rule for ProtectHomeMissing {
    fn check_unit(&self, u: &Unit, cx: &mut Cx<'_>) {
        each_service(u, cx, |u, cx| {
            if early_boot(u) || u.exec_bool("DynamicUser") == Some(true) {
                return;
            }
            match u.get("Service", "ProtectHome") {
                Some(e) if parse_bool(&e.value) != Some(false) => {}
                Some(e) => {
                    cx.report_span(
                        u.span_of(e),
                        format!("unit `{}` sets `ProtectHome=no`: it can read and write every home directory", u.name),
                    );
                }
                None => {
                    cx.report_span(
                        u.anchor("Service"),
                        format!(
                            "unit `{}` sets no `ProtectHome=`: it can read and write every home directory (`ProtectHome=yes`)",
                            u.name
                        ),
                    );
                }
            }
        });
    }
}
