use plimsoll_model::Object;

use super::{Operator, parse_cron};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports backup schedules whose cron expression the operator cannot parse, or that have
    /// none: Velero `Schedule`s, K8up `Schedule`s (backup, check and prune schedules) and
    /// CloudNativePG `ScheduledBackup`s (whose cron has a leading seconds field).
    ///
    /// ## Why it matters
    /// A schedule that does not parse never fires. The object applies cleanly, shows up in
    /// `kubectl get schedules`, and the controller only logs an error or sets a status nobody
    /// reads; the first time anyone notices is the restore that finds no backup. Common causes
    /// are a six-field expression where five are expected (or the reverse for CloudNativePG),
    /// `7` for Sunday, and ranges written backwards.
    ///
    /// ## How to fix
    /// Use five fields (minute hour day-of-month month day-of-week), or six with seconds for
    /// CloudNativePG, or a descriptor:
    ///
    /// ```yaml
    /// apiVersion: velero.io/v1
    /// kind: Schedule
    /// spec:
    ///   schedule: "0 2 * * *"      # or "@daily", "@every 6h"
    /// ---
    /// apiVersion: postgresql.cnpg.io/v1
    /// kind: ScheduledBackup
    /// spec:
    ///   schedule: "0 0 2 * * *"    # seconds first
    /// ```
    ///
    /// ## Severity
    /// Medium: no backup is ever taken, silently; it is not High because the mistake is in one
    /// visible line and a restore test would catch it.
    pub struct BackupScheduleInvalidCron {
        id: "REC-002",
        name: "backup-schedule-invalid-cron",
        gap: Recovery,
        severity: Medium,
        target: Target::Kinds(&["Schedule", "ScheduledBackup"]),
        summary: "Backup schedule's cron expression is missing or invalid",
        peers: [
            Kyverno: ["velero/validate-cron-schedule"],
        ],
    }
}

impl Rule for BackupScheduleInvalidCron {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        let Some(op) = Operator::of(o) else { return };
        let name = o.name().unwrap_or("");
        let mut schedules = Vec::new();
        match op {
            Operator::K8up => {
                for part in ["backup", "check", "prune", "archive", "restore"] {
                    if let Some(s) = o.spec().and_then(|s| s.path(&[part, "schedule"])) {
                        schedules.push(s);
                    }
                }
            }
            _ => schedules.extend(op.backup_schedule(o)),
        }
        if schedules.is_empty() {
            let at = o.spec().unwrap_or_else(|| o.anchor());
            cx.report(
                at,
                format!("{} `{name}` has no `schedule`; it never runs", o.kind),
            );
            return;
        }
        for s in schedules {
            let Some(text) = s.as_str() else {
                cx.report(
                    s,
                    format!(
                        "the schedule of {} `{name}` is empty; it never runs",
                        o.kind
                    ),
                );
                continue;
            };
            if text.contains("{{") {
                continue;
            }
            if let Err(why) = parse_cron(text, op.with_seconds(), op == Operator::K8up) {
                cx.report(
                    s,
                    format!(
                        "{} `{name}` never runs: `{text}` is not valid cron ({why})",
                        o.kind
                    ),
                );
            }
        }
    }
}
