use plimsoll_model::Index;

use super::report_at;
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// When readiness declarations exist, reports that no on-call rotation is declared
    /// (`onCall.rotation`).
    ///
    /// ## Why it matters
    /// Alerts, probes and runbooks only help when someone is paged. Without a named rotation,
    /// alerts go to a channel nobody watches at night, and an outage lasts until the first
    /// person happens to look.
    ///
    /// ## How to fix
    /// Name the rotation, the paging tool and the escalation policy:
    ///
    /// ```yaml
    /// onCall:
    ///   rotation: shop-primary
    ///   tool: PagerDuty
    ///   escalation: shop-escalation
    /// ```
    ///
    /// ## Severity
    /// Medium: incidents are noticed late; no data is lost by itself.
    pub struct OnCallUndeclared {
        id: "DCL-005",
        name: "on-call-undeclared",
        gap: Observability,
        severity: Medium,
        target: Target::Index,
        summary: "No on-call rotation is declared",
        peers: [],
    }
}

impl Rule for OnCallUndeclared {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        let Some(d) = &ix.declarations else { return };
        match &d.on_call {
            None => {
                report_at(cx, d, d.loc, "no on-call rotation is declared (`onCall`)");
            }
            Some(oc) if oc.rotation.is_none() => {
                report_at(cx, d, oc.loc, "`onCall` names no `rotation`");
            }
            Some(_) => {}
        }
    }
}
