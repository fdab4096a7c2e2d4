use plimsoll_model::{Detail, Index};

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports workloads that a HorizontalPodAutoscaler scales but whose manifest still writes
    /// `spec.replicas`.
    ///
    /// ## Why it matters
    /// The HPA owns the replica count. Every `kubectl apply`, Helm upgrade or GitOps sync that
    /// carries `replicas` resets it to the written value: a Deployment scaled to 12 under load
    /// drops to 2 in the middle of the peak, and the HPA needs minutes to climb back. The
    /// field should simply not be there.
    ///
    /// ## How to fix
    /// Remove `spec.replicas` and let the HPA's `minReplicas` set the floor:
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// spec:
    ///   # no replicas: the HPA manages them
    ///   selector: {matchLabels: {app: api}}
    /// ```
    ///
    /// ## Severity
    /// Low: it bites only when a deploy happens during a scale-up, but then it sheds capacity
    /// exactly when it is needed.
    pub struct HpaTargetHasReplicas {
        id: "RES-009",
        name: "hpa-target-has-replicas",
        gap: Resilience,
        severity: Low,
        target: Target::Index,
        summary: "HPA-scaled workload also sets static replicas",
        peers: [
            KubeScore: ["deployment-targeted-by-hpa-does-not-have-replicas-configured"],
        ],
    }
}

impl Rule for HpaTargetHasReplicas {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for h in &ix.objects {
            let Detail::Hpa(hpa) = &h.detail else {
                continue;
            };
            let Some(o) = ix.find(&hpa.target_kind, Some(h.ns()), &hpa.target_name) else {
                continue;
            };
            let Some(at) = o.workload().and_then(|w| w.replicas_loc) else {
                continue;
            };
            cx.report(
                o,
                at,
                format!(
                    "{} `{}` is scaled by HorizontalPodAutoscaler `{}` but sets replicas; every apply resets the HPA's count",
                    o.kind(),
                    o.id.name,
                    h.id.name
                ),
            );
        }
    }
}
