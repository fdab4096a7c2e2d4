use plimsoll_model::Index;
use plimsoll_model::declarations::Check;

use super::report_failed;
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports a service whose declared RPO is shorter than the time between two runs of the
    /// backup schedule (Velero, K8up, CloudNativePG) that covers its stateful workload. The
    /// interval is the longest gap between two runs of the cron expression (`0 * * * *` is one
    /// hour, `0 2 * * 1-5` is three days, Friday to Monday); when several schedules cover the
    /// workload, the most frequent counts.
    ///
    /// ## Why it matters
    /// The RPO is a promise about how much data a restore may lose. A backup that runs every
    /// hour cannot keep a 15-minute promise: a failure just before the next run loses up to an
    /// hour. The declaration and the schedule disagree, and the schedule is what happens.
    ///
    /// ## How to fix
    /// Back up at least as often as the RPO, or declare the RPO the business accepts.
    ///
    /// Schedule the backup to match (continuous archiving, such as CloudNativePG's WAL
    /// archiving, gives RPOs of minutes):
    ///
    /// ```yaml
    /// apiVersion: velero.io/v1
    /// kind: Schedule
    /// spec:
    ///   schedule: "*/15 * * * *"
    /// ```
    ///
    /// ## Severity
    /// High: the declared RPO cannot be met; a restore loses more data than promised.
    pub struct RpoBelowBackupInterval {
        id: "DCL-006",
        name: "rpo-below-backup-interval",
        gap: Recovery,
        severity: High,
        target: Target::Index,
        summary: "Declared RPO is shorter than the backup schedule's interval",
        peers: [],
    }
}

impl Rule for RpoBelowBackupInterval {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        report_failed(ix, cx, Check::RpoSchedule);
    }
}
