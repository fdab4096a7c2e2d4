use plimsoll_model::Object;

use super::Operator;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports backup schedules committed paused: Velero `Schedule`s with `paused: true` and
    /// CloudNativePG `ScheduledBackup`s with `suspend: true`.
    ///
    /// ## Why it matters
    /// A paused schedule takes no backups, and nothing alerts on a backup that was never
    /// attempted. Pausing is a sensible step during a migration or an incident; committed to
    /// Git it becomes the permanent state, and the last backup silently grows older every day.
    ///
    /// ## How to fix
    /// Unpause the schedule (pause it from the command line when needed, and alert on the age
    /// of the last successful backup):
    ///
    /// ```yaml
    /// apiVersion: velero.io/v1
    /// kind: Schedule
    /// spec:
    ///   paused: false
    ///   schedule: "0 2 * * *"
    /// ```
    ///
    /// ## Severity
    /// Medium: no backups are taken while the schedule looks configured.
    pub struct BackupSchedulePaused {
        id: "REC-007",
        name: "backup-schedule-paused",
        gap: Recovery,
        severity: Medium,
        target: Target::Kinds(&["Schedule", "ScheduledBackup"]),
        summary: "Backup schedule is committed paused",
        peers: [],
    }
}

impl Rule for BackupSchedulePaused {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        let key = match Operator::of(o) {
            Some(Operator::Velero) => "paused",
            Some(Operator::Cnpg) => "suspend",
            _ => return,
        };
        if let Some(p) = o.spec().and_then(|s| s.get(key))
            && p.as_bool() == Some(true)
        {
            cx.report(
                p,
                format!(
                    "{} `{}` is paused; it takes no backups",
                    o.kind,
                    o.name().unwrap_or("")
                ),
            );
        }
    }
}
