use plimsoll_model::Object;

use super::{Cron, Operator, parse_cron};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports backup schedules (Velero, K8up, CloudNativePG) that do not run every day:
    /// weekly, monthly, on some weekdays only, or `@every` more than 24 hours.
    ///
    /// ## Why it matters
    /// The time between two backups is the data you lose when you restore (the recovery point
    /// objective). With a weekly backup, a failure on the sixth day loses six days of orders,
    /// uploads and changes, which for most production systems is more than the business can
    /// re-enter by hand. Daily is the usual floor; transactional data needs more, through
    /// continuous WAL archiving or hourly schedules.
    ///
    /// ## How to fix
    /// Run at least daily:
    ///
    /// ```yaml
    /// apiVersion: velero.io/v1
    /// kind: Schedule
    /// spec:
    ///   schedule: "0 2 * * *"
    /// ```
    ///
    /// ## Severity
    /// Medium: backups exist, but a restore loses days of data.
    pub struct BackupLessThanDaily {
        id: "REC-008",
        name: "backup-less-than-daily",
        gap: Recovery,
        severity: Medium,
        target: Target::Kinds(&["Schedule", "ScheduledBackup"]),
        summary: "Backup schedule runs less often than daily",
        peers: [
            Kyverno: ["kasten/kasten-hourly-rpo"],
        ],
    }
}

impl Rule for BackupLessThanDaily {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        let Some(op) = Operator::of(o) else { return };
        let Some(s) = op.backup_schedule(o) else {
            return;
        };
        let Some(text) = s.as_str() else { return };
        if let Ok(Cron::LessThanDaily(how)) =
            parse_cron(text, op.with_seconds(), op == Operator::K8up)
        {
            cx.report(
                s,
                format!(
                    "{} `{}` backs up {how}, not daily; a restore can lose days of data",
                    o.kind,
                    o.name().unwrap_or("")
                ),
            );
        }
    }
}
