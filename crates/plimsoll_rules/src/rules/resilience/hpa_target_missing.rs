use plimsoll_model::{Detail, Index};

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports HorizontalPodAutoscalers whose `scaleTargetRef` names an object (kind, name,
    /// namespace) that is not in the scan.
    ///
    /// ## Why it matters
    /// An HPA whose target does not exist scales nothing and reports no error anyone looks at.
    /// It usually means the workload was renamed, moved to another namespace or changed kind
    /// (Deployment to Rollout) and the HPA was forgotten: the service now runs at its static
    /// replica count and will not scale under the next load peak.
    ///
    /// ## How to fix
    /// Point the HPA at the workload as it is now named:
    ///
    /// ```yaml
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: api
    /// ```
    ///
    /// ## Severity
    /// Medium: autoscaling silently does nothing, which shows only under load.
    pub struct HpaTargetMissing {
        id: "RES-010",
        name: "hpa-target-missing",
        gap: Resilience,
        severity: Medium,
        target: Target::Index,
        summary: "HPA targets an object that is not in the scan",
        peers: [
            KubeScore: ["horizontalpodautoscaler-has-target"],
            KubeLinter: ["dangling-horizontalpodautoscaler"],
            Kubescape: ["C-0300"],
        ],
    }
}

impl Rule for HpaTargetMissing {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for h in &ix.objects {
            let Detail::Hpa(hpa) = &h.detail else {
                continue;
            };
            if ix
                .find(&hpa.target_kind, Some(h.ns()), &hpa.target_name)
                .is_some()
            {
                continue;
            }
            cx.report(
                h,
                hpa.target_loc.unwrap_or(h.loc),
                format!(
                    "HorizontalPodAutoscaler `{}` targets {} `{}`, which is not in namespace `{}` of this scan; it scales nothing",
                    h.id.name,
                    hpa.target_kind,
                    hpa.target_name,
                    h.ns()
                ),
            );
        }
    }
}
