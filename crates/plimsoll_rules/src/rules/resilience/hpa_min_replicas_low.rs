use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports HorizontalPodAutoscalers whose `minReplicas` (1 when not written) is below
    /// `min_replicas` (2 by default).
    ///
    /// ## Why it matters
    /// At night or between peaks the HPA scales down to its minimum. With a minimum of one, the
    /// service is a single pod for hours every day: a node drain, an eviction or a crash is
    /// then a full outage, and the first burst of traffic hits one cold pod while the HPA
    /// takes a minute or more to react.
    ///
    /// ## How to fix
    /// Keep at least two replicas at the floor:
    ///
    /// ```yaml
    /// spec:
    ///   minReplicas: 2
    ///   maxReplicas: 10
    /// ```
    ///
    /// ## Severity
    /// Low: the HPA restores capacity under load; the exposure is the quiet hours.
    pub struct HpaMinReplicasLow {
        id: "RES-011",
        name: "hpa-min-replicas-low",
        gap: Resilience,
        severity: Low,
        target: Target::Kinds(&["HorizontalPodAutoscaler"]),
        summary: "HPA lets the workload scale down to a single replica",
        peers: [
            KubeScore: ["horizontalpodautoscaler-replicas"],
            KubeLinter: ["hpa-minimum-three-replicas"],
            Polaris: ["hpaMinAvailability"],
        ],
    }
}

impl Rule for HpaMinReplicasLow {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "autoscaling" {
            return;
        }
        let Some(spec) = o.spec() else { return };
        let min = cx.settings.min_replicas;
        let node = spec.get("minReplicas");
        let value = node.and_then(|n| n.as_i64()).unwrap_or(1);
        if value >= min {
            return;
        }
        let msg = match node {
            Some(_) => format!(
                "HorizontalPodAutoscaler `{}` may scale down to {value} replica{}; fewer than {min}",
                o.name().unwrap_or(""),
                if value == 1 { "" } else { "s" }
            ),
            None => format!(
                "HorizontalPodAutoscaler `{}` has no minReplicas and may scale down to 1 replica; fewer than {min}",
                o.name().unwrap_or("")
            ),
        };
        cx.report(node.unwrap_or_else(|| o.anchor()), msg);
    }
}
