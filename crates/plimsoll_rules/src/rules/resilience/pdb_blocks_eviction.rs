use plimsoll_model::{Detail, Index};

use super::support::min_replicas;
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports PodDisruptionBudgets that allow no voluntary disruption: `maxUnavailable: 0`
    /// (or `0%`), `minAvailable: 100%`, or a numeric `minAvailable` at least as large as the
    /// replicas of a workload it selects (its HPA's `minReplicas` when it is autoscaled).
    ///
    /// ## Why it matters
    /// A budget that can never be satisfied blocks every eviction of these pods: `kubectl drain`
    /// hangs, cluster upgrades stall half-way, the cluster autoscaler cannot remove the node and
    /// managed node-pool upgrades either wait forever or give up and delete the node anyway.
    /// It protects nothing and moves the outage from the application to the platform team.
    ///
    /// ## How to fix
    /// Allow at least one pod to be evicted at a time:
    ///
    /// ```yaml
    /// spec:
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchLabels: {app: api}
    /// ```
    ///
    /// ## Severity
    /// Medium: it blocks node maintenance and upgrades for the whole cluster, not just this
    /// workload.
    pub struct PdbBlocksEviction {
        id: "RES-006",
        name: "pdb-blocks-eviction",
        gap: Resilience,
        severity: Medium,
        target: Target::Index,
        summary: "PodDisruptionBudget allows no voluntary disruption",
        peers: [
            KubeScore: ["poddisruptionbudget-has-policy"],
            KubeLinter: ["pdb-max-unavailable", "pdb-min-available"],
            Polaris: ["pdbDisruptionsIsZero", "pdbMinAvailableGreaterThanHPAMinReplicas"],
            Kyverno: ["other/pdb-maxunavailable", "other/pdb-minavailable"],
        ],
    }
}

fn is_zero(v: &str) -> bool {
    matches!(v.trim(), "0" | "0%")
}

impl Rule for PdbBlocksEviction {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for p in &ix.objects {
            let Detail::PodDisruptionBudget(pdb) = &p.detail else {
                continue;
            };
            let at = pdb.policy_loc.unwrap_or(p.loc);
            if let Some(max) = pdb.max_unavailable.as_deref() {
                if is_zero(max) {
                    cx.report(
                        p,
                        at,
                        format!(
                            "PodDisruptionBudget `{}` sets maxUnavailable to {max}; no pod can ever be evicted and node drains hang",
                            p.id.name
                        ),
                    );
                }
                continue;
            }
            let Some(min) = pdb.min_available.as_deref() else {
                continue;
            };
            if min.trim() == "100%" {
                cx.report(
                    p,
                    at,
                    format!(
                        "PodDisruptionBudget `{}` sets minAvailable to 100%; no pod can ever be evicted and node drains hang",
                        p.id.name
                    ),
                );
                continue;
            }
            let (Ok(min), Some(sel)) = (min.trim().parse::<i64>(), pdb.selector.as_ref()) else {
                continue;
            };
            let blocked = ix
                .workloads_in(p.ns())
                .filter(|(_, w)| w.kind.is_replicated_service() && sel.matches(&w.pod_labels))
                .find_map(|(o, w)| {
                    let r = min_replicas(ix, o, w)?;
                    (r > 0 && min >= r).then_some((o, r))
                });
            if let Some((o, r)) = blocked {
                cx.report(
                    p,
                    at,
                    format!(
                        "PodDisruptionBudget `{}` requires {min} pods available but {} `{}` runs {r}; no pod can be evicted and node drains hang",
                        p.id.name,
                        o.kind(),
                        o.id.name
                    ),
                );
            }
        }
    }
}
