use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// When the configuration lists `settings.requiredLabels`, reports workloads whose metadata
    /// lacks one of them (the object's own labels; the pod template's do not count). Without the
    /// setting the rule reports nothing.
    ///
    /// ## Why it matters
    /// In a shared cluster the labels are how anyone finds out who owns a workload, which team to
    /// page, what it costs and what it belongs to. A workload without an owner label is the one
    /// nobody answers for during an incident, and the one cost reports and policies skip.
    ///
    /// ## How to fix
    /// Label the object (Kustomize `commonLabels` or a Helm helper does it everywhere):
    ///
    /// ```yaml
    /// metadata:
    ///   labels:
    ///     app.kubernetes.io/name: web
    ///     team: payments
    /// ```
    ///
    /// ## Severity
    /// Low: it is about operating the workload, not about what it can do.
    pub struct RequiredLabelsMissing {
        id: "ACC-017",
        name: "required-labels-missing",
        gap: Access,
        severity: Low,
        target: Target::Workloads,
        summary: "Workload lacks a label `settings.requiredLabels` asks for",
        peers: [
            KubeLinter: ["required-label-owner"],
            Kubescape: ["C-0076"],
            Kyverno: ["best-practices/require-labels"],
        ],
    }
}

impl Rule for RequiredLabelsMissing {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if cx.settings.required_labels.is_empty() {
            return;
        }
        let labels = w.object.labels();
        let missing: Vec<String> = cx
            .settings
            .required_labels
            .iter()
            .filter(|l| labels.and_then(|n| n.get(l)).is_none())
            .cloned()
            .collect();
        if missing.is_empty() {
            return;
        }
        let at = labels.unwrap_or_else(|| w.anchor());
        cx.report(
            at,
            format!(
                "{} `{}` lacks the required label(s) {}",
                w.object.kind,
                w.object.name().unwrap_or(""),
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
}
