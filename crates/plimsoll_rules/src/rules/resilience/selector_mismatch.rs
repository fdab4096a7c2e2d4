use plimsoll_model::selector::{Operator, Requirement};
use plimsoll_model::{LabelSelector, Labels, Workload, WorkloadKind};

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports workloads whose `spec.selector` does not select the labels of their own pod
    /// template (`matchLabels` and `matchExpressions`; a plain map for ReplicationControllers
    /// and DeploymentConfigs).
    ///
    /// ## Why it matters
    /// A controller manages the pods its selector matches. When the template's labels do not
    /// match, the API server rejects a Deployment, StatefulSet, DaemonSet or ReplicaSet outright
    /// (`selector does not match template labels`), so the release fails at apply time; older
    /// controllers and custom ones create pods they then do not recognise and keep creating
    /// more. Either way the change never rolls out.
    ///
    /// ## How to fix
    /// Make the selector a subset of the template's labels (and never change a selector after
    /// creation: it is immutable):
    ///
    /// ```yaml
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api, version: "1.4"}
    /// ```
    ///
    /// ## Severity
    /// High: the workload cannot be deployed or updated as written.
    pub struct SelectorMismatch {
        id: "RES-013",
        name: "selector-mismatch",
        gap: Resilience,
        severity: High,
        target: Target::Workloads,
        summary: "Workload selector does not match its pod template labels",
        peers: [
            KubeScore: [
                "deployment-pod-selector-labels-match-template-metadata-labels",
                "statefulset-pod-selector-labels-match-template-metadata-labels",
            ],
            KubeLinter: ["mismatching-selector"],
            Kubescape: ["C-0296"],
        ],
    }
}

fn describe(r: &Requirement) -> String {
    let values = r.values.join(", ");
    match r.op {
        Operator::In if r.values.len() == 1 => format!("{}={values}", r.key),
        Operator::In => format!("{} in ({values})", r.key),
        Operator::NotIn => format!("{} notin ({values})", r.key),
        Operator::Exists => r.key.to_string(),
        Operator::DoesNotExist => format!("!{}", r.key),
        Operator::Invalid => format!("{} (invalid operator)", r.key),
    }
}

impl Rule for SelectorMismatch {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        let Some(sel) = w.selector() else { return };
        let structured = sel.get("matchLabels").is_some() || sel.get("matchExpressions").is_some();
        let selector = if structured {
            LabelSelector::from_node(sel)
        } else if matches!(
            w.kind,
            WorkloadKind::ReplicationController | WorkloadKind::DeploymentConfig
        ) && sel.is_mapping()
        {
            LabelSelector::from_map(sel)
        } else {
            return;
        };
        let labels = Labels::from_node(w.pod_labels());
        let Some(failing) = selector.requirements.iter().find(|r| !r.matches(&labels)) else {
            return;
        };
        cx.report(
            sel,
            format!(
                "selector of {} `{}` requires `{}`, which the pod template's labels do not satisfy; the controller cannot own its pods",
                w.object.kind,
                w.object.name().unwrap_or(""),
                describe(failing)
            ),
        );
    }
}
