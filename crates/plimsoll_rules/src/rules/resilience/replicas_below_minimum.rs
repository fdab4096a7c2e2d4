use plimsoll_model::Index;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports replicated workloads (Deployments, StatefulSets, ReplicaSets, Rollouts...) that
    /// run fewer replicas than `min_replicas` (2 by default), written or by Kubernetes' default
    /// of 1. Workloads scaled by a HorizontalPodAutoscaler are left to the HPA rules, and
    /// workloads deliberately scaled to 0 are not reported.
    ///
    /// ## Why it matters
    /// One replica is one pod: every node drain, cluster upgrade, eviction, OOM kill or rollout
    /// takes the service down until a replacement is scheduled, pulled and ready, which is
    /// seconds on a good day and minutes on a bad one. A second replica on another node turns
    /// all of these into non-events.
    ///
    /// ## How to fix
    /// Run at least two replicas (and add a PodDisruptionBudget and spread them across nodes):
    ///
    /// ```yaml
    /// spec:
    ///   replicas: 2
    /// ```
    ///
    /// ## Severity
    /// Medium: the workload is down during routine maintenance; no data or access is at risk.
    pub struct ReplicasBelowMinimum {
        id: "RES-004",
        name: "replicas-below-minimum",
        gap: Resilience,
        severity: Medium,
        target: Target::Index,
        summary: "Replicated workload runs fewer than the minimum replicas",
        peers: [
            KubeScore: ["deployment-replicas"],
            KubeLinter: ["minimum-three-replicas"],
            Polaris: ["deploymentMissingReplicas"],
            Kyverno: ["other/require-deployments-have-multiple-replicas"],
        ],
    }
}

impl Rule for ReplicasBelowMinimum {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        let min = cx.settings.min_replicas;
        for (o, w) in ix.workloads() {
            let Some(replicas) = w.replicas else { continue };
            if replicas == 0 || replicas >= min {
                continue;
            }
            if ix
                .hpas_targeting(o.ns(), o.kind(), &o.id.name)
                .next()
                .is_some()
            {
                continue;
            }
            let how = if w.replicas_loc.is_some() {
                ""
            } else {
                " (Kubernetes' default)"
            };
            cx.report(
                o,
                w.replicas_loc.unwrap_or(o.loc),
                format!(
                    "{} `{}` runs {replicas} replica{how}; fewer than {min}, so every drain or restart is an outage",
                    o.kind(),
                    o.id.name
                ),
            );
        }
    }
}
