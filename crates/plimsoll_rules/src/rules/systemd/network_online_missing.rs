use plimsoll_formats::systemd::Unit;

use super::each_service;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports services ordered after `network.target` (a sign they talk to the network) that
    /// neither order themselves after nor pull in `network-online.target`.
    ///
    /// ## Why it matters
    /// `network.target` only means the network management stack has started, not that an
    /// address is configured or a route exists. A client that connects at start (to its
    /// database, a cluster peer, a remote API) races the network at boot, fails, and, without
    /// `Restart=`, stays down after every reboot. `After=` plus `Wants=network-online.target` is
    /// what waits for the network to be up.
    ///
    /// ## How to fix
    /// Order the unit after `network-online.target`, and pull it in:
    ///
    /// ```ini
    /// [Unit]
    /// Wants=network-online.target
    /// After=network-online.target
    /// ```
    ///
    /// ## Severity
    /// Low: it bites at boot, intermittently, and a restart policy often hides it.
    pub struct NetworkOnlineMissing {
        id: "SYD-005",
        name: "unit-network-online-missing",
        gap: Resilience,
        severity: Low,
        target: Target::SystemdUnits,
        summary: "systemd service orders on `network.target` instead of `network-online.target`",
        peers: [],
    }
}

fn mentions(u: &Unit, keys: &[&str], target: &str) -> bool {
    u.entries.iter().any(|e| {
        e.section == "Unit"
            && keys.contains(&e.key.as_str())
            && e.value.split_whitespace().any(|w| w == target)
    })
}

impl Rule for NetworkOnlineMissing {
    fn check_unit(&self, u: &Unit, cx: &mut Cx<'_>) {
        each_service(u, cx, |u, cx| {
            let Some(after) = u.entries.iter().find(|e| {
                e.section == "Unit"
                    && e.key == "After"
                    && e.value.split_whitespace().any(|w| w == "network.target")
            }) else {
                return;
            };
            let online_after = mentions(u, &["After"], "network-online.target");
            let online_wanted = mentions(
                u,
                &["Wants", "Requires", "BindsTo"],
                "network-online.target",
            );
            if online_after && online_wanted {
                return;
            }
            let what = if online_after {
                "orders after `network-online.target` but does not pull it in (`Wants=network-online.target`)"
            } else {
                "starts after `network.target` only: the network may not be up yet (`After=` and `Wants=network-online.target`)"
            };
            cx.report_span(u.span_of(after), format!("unit `{}` {what}", u.name));
        });
    }
}
