use plimsoll_model::Index;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports replicated workloads (Deployments, StatefulSets, ReplicaSets, Rollouts...) with
    /// two or more replicas, or scaled by a HorizontalPodAutoscaler, whose pods no
    /// PodDisruptionBudget in the same namespace selects.
    ///
    /// ## Why it matters
    /// Node drains (cluster upgrades, autoscaler scale-downs, spot reclaims) evict pods through
    /// the eviction API, which honours PodDisruptionBudgets and nothing else. Without one, a
    /// drain may evict every replica at once, for instance when they share a node or when
    /// several nodes are drained in parallel, and the redundancy you paid for disappears
    /// exactly during maintenance.
    ///
    /// ## How to fix
    /// Add a PDB that selects the pods and allows one of them to be down:
    ///
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata: {name: api, namespace: shop}
    /// spec:
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchLabels: {app: api}
    /// ```
    ///
    /// ## Severity
    /// Medium: it turns routine maintenance into a possible outage of a service built to stay up.
    pub struct MissingPdb {
        id: "RES-005",
        name: "missing-pdb",
        gap: Resilience,
        severity: Medium,
        target: Target::Index,
        summary: "Multi-replica workload has no PodDisruptionBudget",
        peers: [
            KubeScore: ["deployment-has-poddisruptionbudget", "statefulset-has-poddisruptionbudget"],
            Polaris: ["missingPodDisruptionBudget"],
            Kyverno: ["other/require-pdb", "other/create-default-pdb"],
        ],
    }
}

impl Rule for MissingPdb {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for (o, w) in ix.workloads() {
            if !w.kind.is_replicated_service() {
                continue;
            }
            let scaled = ix
                .hpas_targeting(o.ns(), o.kind(), &o.id.name)
                .next()
                .is_some();
            let replicas = w.replicas.unwrap_or(1);
            if !scaled && replicas < 2 {
                continue;
            }
            if ix.pdbs_covering(o.ns(), &w.pod_labels).next().is_some() {
                continue;
            }
            let how = if scaled {
                "is scaled by an HPA".to_string()
            } else {
                format!("runs {replicas} replicas")
            };
            cx.report(
                o,
                o.loc,
                format!(
                    "{} `{}` {how} but no PodDisruptionBudget selects its pods; a node drain may evict them all at once",
                    o.kind(),
                    o.id.name
                ),
            );
        }
    }
}
