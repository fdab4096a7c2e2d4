use plimsoll_model::Index;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

/// Restore-test cadence when the declarations name none.
const DEFAULT_CADENCE_DAYS: i64 = 30;

declare_rule! {
    /// ## What it does
    /// Checks that every stateful workload has a passing restore drill (`plimsoll drill`
    /// evidence, read from `--evidence DIR` or `.plimsoll/evidence/`) newer than its restore-test
    /// cadence (`readiness.yaml`: `restoreTest.cadence` of its service, else
    /// `restoreTests.cadence`, else 30 days). A failed latest drill, a stale one and a missing one
    /// are reported on the workload. When the scan has no evidence at all, one finding says so.
    ///
    /// ## Why it matters
    /// A backup that has never been restored is not a backup. Schedules create files; only a
    /// restore shows that the files hold the data, that the tools and credentials still work, and
    /// how long it takes, which is the recovery time the business is actually getting. Teams find
    /// out on the worst day that a dump is truncated, a role is missing, or the restore takes nine
    /// hours against a one-hour RTO.
    ///
    /// ## How to fix
    /// Run a restore drill on a schedule and keep its evidence where the scan finds it:
    ///
    /// ```sh
    /// plimsoll drill postgres --backup /backups/shop.dump --scratch-server \
    ///   --service db --check "select count(*) > 0 from orders" \
    ///   --evidence .plimsoll/evidence/db-$(date +%F).json
    /// ```
    ///
    /// The chart's `drill.enabled` CronJob does this in the cluster.
    ///
    /// ## Severity
    /// Medium for a missing or stale drill (the backup may well work, nobody knows), high when
    /// the latest drill failed (the backup is known not to restore), low for a scan with no
    /// evidence at all (restore testing has not started; the backup rules cover the schedules).
    pub struct RestoreNotTested {
        id: "REC-009",
        name: "restore-not-tested",
        gap: Recovery,
        severity: Medium,
        target: Target::Index,
        summary: "Stateful workload has no recent passing restore drill",
        peers: [],
    }
}

impl Rule for RestoreNotTested {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        let stateful: Vec<_> = ix.workloads().filter(|(_, w)| w.is_stateful()).collect();
        if stateful.is_empty() {
            return;
        }
        if !ix.evidence_searched {
            cx.report_scan(format!(
                "{} stateful workload(s) and no restore-drill evidence: no restore has been tested (see `plimsoll drill`; evidence goes in .plimsoll/evidence/)",
                stateful.len()
            ))
            .severity = plimsoll_model::Severity::Low;
            return;
        }
        for (o, _) in stateful {
            let service = ix.declarations.as_ref().and_then(|d| d.service_of(&o.id));
            let name = service.map(|s| &*s.name).unwrap_or(&*o.id.name);
            let cadence_days = service
                .and_then(|s| ix.declarations.as_ref()?.restore_cadence(s))
                .map(|d| (d.as_std().as_secs() / 86_400).max(1) as i64)
                .unwrap_or(DEFAULT_CADENCE_DAYS);
            let latest = ix
                .drills
                .iter()
                .filter(|d| d.is_for(name) || d.is_for(&o.id.name))
                .max_by_key(|d| d.finished_unix);
            let what = format!("{} `{}`", o.kind(), o.id.name);
            match latest {
                None => {
                    cx.report(
                        o,
                        o.loc,
                        format!("{what} has no restore drill in the evidence (service `{name}`)"),
                    );
                }
                Some(d) if !d.passed => {
                    cx.report(o, o.loc, format!("the latest restore drill of {what} failed ({}); its backup is known not to restore", d.file))
                        .severity = plimsoll_model::Severity::High;
                }
                Some(d) => {
                    let age_days = (ix.now_unix - d.finished_unix) / 86_400;
                    if age_days > cadence_days {
                        cx.report(
                            o,
                            o.loc,
                            format!("the last passing restore drill of {what} is {age_days} days old; the cadence is {cadence_days} days"),
                        );
                    }
                }
            }
        }
    }
}
