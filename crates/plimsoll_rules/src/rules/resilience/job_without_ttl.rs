use plimsoll_model::Object;

use super::support::is_hook;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports standalone Jobs without `spec.ttlSecondsAfterFinished`. Jobs owned by a CronJob
    /// (which keeps a history limit) and Helm or Argo CD hook Jobs (which the tool deletes) are
    /// not reported.
    ///
    /// ## Why it matters
    /// A finished Job and its pods stay in the cluster forever: they fill `kubectl get pods`,
    /// keep their logs and volumes around, count against object quotas and etcd, and, in GitOps
    /// setups, make the next sync fail because a Job's template is immutable. A TTL lets the
    /// cluster clean up after a delay long enough to read the logs.
    ///
    /// ## How to fix
    /// Let the TTL controller delete the Job some time after it finishes:
    ///
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// spec:
    ///   ttlSecondsAfterFinished: 86400
    /// ```
    ///
    /// ## Severity
    /// Low: it is clutter that occasionally blocks a redeploy, not a failure.
    pub struct JobWithoutTtl {
        id: "RES-016",
        name: "job-without-ttl",
        gap: Resilience,
        severity: Low,
        target: Target::Kinds(&["Job"]),
        summary: "Job is never cleaned up after it finishes",
        peers: [
            KubeLinter: ["job-ttl-seconds-after-finished"],
            Kyverno: ["other/add-ttl-jobs"],
        ],
    }
}

impl Rule for JobWithoutTtl {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "batch" || is_hook(o) {
            return;
        }
        if o.metadata.and_then(|m| m.get("ownerReferences")).is_some() {
            return;
        }
        let Some(spec) = o.spec() else { return };
        if spec.get("ttlSecondsAfterFinished").is_some() {
            return;
        }
        cx.report(
            o.anchor(),
            format!(
                "Job `{}` has no ttlSecondsAfterFinished; it and its pods stay in the cluster after it finishes",
                o.name().unwrap_or("")
            ),
        );
    }
}
