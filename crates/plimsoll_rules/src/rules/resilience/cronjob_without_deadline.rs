use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports CronJobs without `spec.startingDeadlineSeconds`.
    ///
    /// ## Why it matters
    /// Without a deadline, a run that could not start on time (controller down, cluster
    /// upgrade, quota exhausted, previous run still going with `Forbid`) is counted as missed,
    /// and once more than 100 runs are missed the controller stops scheduling the CronJob
    /// altogether, with only an event to say so. A deadline also decides explicitly whether a
    /// late nightly job should still run at noon, instead of leaving it to chance.
    ///
    /// ## How to fix
    /// Say how late a run may still start:
    ///
    /// ```yaml
    /// spec:
    ///   schedule: "0 3 * * *"
    ///   startingDeadlineSeconds: 600
    /// ```
    ///
    /// ## Severity
    /// Low: it matters after an outage of the control plane or of the job itself, and its effect
    /// is a batch job that silently stops running.
    pub struct CronjobWithoutDeadline {
        id: "RES-014",
        name: "cronjob-without-deadline",
        gap: Resilience,
        severity: Low,
        target: Target::Kinds(&["CronJob"]),
        summary: "CronJob has no startingDeadlineSeconds",
        peers: [
            KubeScore: ["cronjob-has-deadline"],
        ],
    }
}

impl Rule for CronjobWithoutDeadline {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        let Some(spec) = o.spec() else { return };
        if spec.get("startingDeadlineSeconds").is_some() {
            return;
        }
        cx.report(
            spec.get("schedule").unwrap_or_else(|| o.anchor()),
            format!(
                "CronJob `{}` has no startingDeadlineSeconds; after 100 missed runs it stops being scheduled",
                o.name().unwrap_or("")
            ),
        );
    }
}
