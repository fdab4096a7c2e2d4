use plimsoll_model::{Gap, Index};

use super::report_at;
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// When readiness declarations exist, reports each of the ten gaps (image, workload,
    /// storage, network, observability, resilience, access, secrets, change, recovery) that
    /// has no owner under `owners` (once for all of them when `owners` names none), and a
    /// missing `platformTeam`.
    ///
    /// ## Why it matters
    /// A gap nobody owns stays open: findings in it have no one to route to, and the plan's
    /// steps for it have no one to schedule them. Naming a team and a contact per gap, and the
    /// platform team that runs the whole, is what turns the readiness report into assigned
    /// work.
    ///
    /// ## How to fix
    /// Name a team and a contact for every gap; the same team may own several.
    ///
    /// ```yaml
    /// platformTeam: {team: platform, contact: "#platform"}
    /// owners:
    ///   image: {team: platform, contact: "#platform"}
    ///   secrets: {team: security, contact: security@acme.example}
    ///   recovery: {team: dba, contact: dba@acme.example}
    /// ```
    ///
    /// ## Severity
    /// Low: an organisational gap; it slows every fix down without breaking anything.
    pub struct GapOwnerUndeclared {
        id: "DCL-004",
        name: "gap-owner-undeclared",
        gap: Change,
        severity: Low,
        target: Target::Index,
        summary: "A gap, or the platform, has no declared owner",
        peers: [],
    }
}

impl Rule for GapOwnerUndeclared {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        let Some(d) = &ix.declarations else { return };
        if d.platform_team.is_none() {
            report_at(cx, d, d.loc, "no `platformTeam` is declared");
        }
        let Some(at) = d.owners_loc.filter(|_| !d.owners.is_empty()) else {
            // one finding, not ten, when no gap has an owner
            report_at(
                cx,
                d,
                d.owners_loc.unwrap_or(d.loc),
                "no gap has a declared owner (`owners`)",
            );
            return;
        };
        for gap in Gap::ALL {
            if d.owner(gap).is_none() {
                report_at(
                    cx,
                    d,
                    at,
                    format!("gap `{gap}` has no declared owner (`owners.{gap}`)"),
                );
            }
        }
    }
}
