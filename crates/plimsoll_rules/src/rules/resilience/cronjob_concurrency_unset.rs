use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports CronJobs that do not write `spec.concurrencyPolicy`, and so run with the
    /// default `Allow`. An explicit `Allow` is a decision and is not reported.
    ///
    /// ## Why it matters
    /// With `Allow`, a run that takes longer than the interval overlaps with the next one, and
    /// the next, piling up pods that compete for the same rows, files or locks. Backups that
    /// overlap corrupt each other, reports get generated twice, and a slow dependency turns a
    /// five-minute job into dozens of concurrent ones. Most jobs should `Forbid` overlap or
    /// `Replace` the stale run.
    ///
    /// ## How to fix
    /// Choose what happens when a run is still going:
    ///
    /// ```yaml
    /// spec:
    ///   schedule: "*/15 * * * *"
    ///   concurrencyPolicy: Forbid
    /// ```
    ///
    /// ## Severity
    /// Low: it only bites when a run outlasts its interval, but then it multiplies load.
    pub struct CronjobConcurrencyUnset {
        id: "RES-015",
        name: "cronjob-concurrency-unset",
        gap: Resilience,
        severity: Low,
        target: Target::Kinds(&["CronJob"]),
        summary: "CronJob lets runs overlap by default",
        peers: [],
    }
}

impl Rule for CronjobConcurrencyUnset {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        let Some(spec) = o.spec() else { return };
        if spec.get("concurrencyPolicy").is_some() {
            return;
        }
        cx.report(
            spec.get("schedule").unwrap_or_else(|| o.anchor()),
            format!(
                "CronJob `{}` has no concurrencyPolicy; a slow run overlaps with the next one",
                o.name().unwrap_or("")
            ),
        );
    }
}
