use plimsoll_model::{Object, Workload};

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Deployments with `strategy.type: Recreate`, unless their pods mount a
    /// PersistentVolumeClaim (a ReadWriteOnce volume can only follow the pod with Recreate).
    ///
    /// ## Why it matters
    /// Recreate stops every old pod before starting any new one: each deploy is a full outage
    /// lasting as long as the new version takes to pull, start and get ready, and if it never
    /// gets ready nothing is serving at all, where a rolling update would have stopped with the
    /// old pods still up.
    ///
    /// ## How to fix
    /// Roll pods over gradually:
    ///
    /// ```yaml
    /// spec:
    ///   strategy:
    ///     type: RollingUpdate
    ///     rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
    /// ```
    ///
    /// ## Severity
    /// Low: the outage is short and planned, and sometimes deliberate (schema migrations,
    /// singletons).
    pub struct RecreateStrategy {
        id: "RES-008",
        name: "recreate-strategy",
        gap: Resilience,
        severity: Low,
        target: Target::Kinds(&["Deployment"]),
        summary: "Deployment uses the Recreate strategy",
        peers: [
            KubeScore: ["deployment-strategy"],
            KubeLinter: ["no-rolling-update-strategy"],
            Kubescape: ["C-0305"],
        ],
    }
}

impl Rule for RecreateStrategy {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        let Some(t) = o.spec().and_then(|s| s.path(&["strategy", "type"])) else {
            return;
        };
        if t.as_str() != Some("Recreate") {
            return;
        }
        let mounts_claim = Workload::from_object(*o).is_some_and(|w| {
            w.volumes()
                .any(|v| v.get("persistentVolumeClaim").is_some())
        });
        if !mounts_claim {
            cx.report(
                t,
                format!(
                    "Deployment `{}` uses the Recreate strategy; every deploy stops all pods before starting new ones",
                    o.name().unwrap_or("")
                ),
            );
        }
    }
}
