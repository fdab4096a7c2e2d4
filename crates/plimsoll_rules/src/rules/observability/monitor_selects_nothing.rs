use plimsoll_model::{Index, Labels};

use super::support::{monitor_watches, monitors};
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `ServiceMonitor`s that select no Service, and `PodMonitor`s that select no
    /// workload's pods, in the namespaces they watch. A monitor is only judged when it names the
    /// namespaces it watches (its own, or `namespaceSelector.matchNames`) and one of them runs
    /// workloads in the scan, so monitors of components deployed elsewhere and monitors of
    /// `any` namespace are not reported. Kubernetes' own namespaces (`kube-*`) are never
    /// judged, and the API server's built-in `kubernetes` Service counts as present in
    /// `default`.
    ///
    /// ## Why it matters
    /// A monitor whose selector matches nothing scrapes nothing, silently: Prometheus shows no
    /// target and no error, the dashboards built on it stay empty, and the alerts written on
    /// its series never fire. It typically happens when a chart renames its labels or a Service
    /// is split, and nobody notices until the metrics are needed during an incident.
    ///
    /// ## How to fix
    /// Make the selector match the labels of the Service (not of the pods) to scrape:
    ///
    /// ```yaml
    /// kind: ServiceMonitor
    /// spec:
    ///   selector: {matchLabels: {app.kubernetes.io/name: api}}   # labels of the Service
    ///   namespaceSelector: {matchNames: [shop]}
    ///   endpoints: [{port: metrics}]
    /// ```
    ///
    /// ## Severity
    /// Low: monitoring silently misses a target; nothing else breaks.
    pub struct MonitorSelectsNothing {
        id: "OBS-009",
        name: "monitor-selects-nothing",
        gap: Observability,
        severity: Low,
        target: Target::Index,
        summary: "ServiceMonitor or PodMonitor selects nothing in the scan",
        peers: [
            KubeLinter: ["dangling-servicemonitor"],
        ],
    }
}

impl Rule for MonitorSelectsNothing {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for (m, mf) in monitors(ix) {
            if mf.namespaces.as_ref().is_some_and(|n| n.is_empty()) {
                continue;
            }
            let watched: Vec<&str> = ix
                .namespaces()
                .filter(|ns| !ns.starts_with("kube-") && monitor_watches(m, mf, ns))
                .filter(|ns| ix.workloads_in(ns).next().is_some())
                .collect();
            if watched.is_empty() {
                continue;
            }
            let Some(sel) = &mf.selector else { continue };
            // the API server's `kubernetes` Service, which no manifest creates
            let apiserver =
                Labels::from_pairs([("component", "apiserver"), ("provider", "kubernetes")]);
            let found = watched.iter().any(|ns| {
                if mf.pod_monitor {
                    ix.workloads_selected_by(ns, sel).next().is_some()
                } else {
                    ix.services_in(ns).any(|s| sel.matches(&s.labels))
                        || (*ns == "default" && sel.matches(&apiserver))
                }
            });
            if !found {
                let what = if mf.pod_monitor {
                    "no workload's pods"
                } else {
                    "no Service"
                };
                cx.report(
                    m,
                    m.loc,
                    format!(
                        "{} `{}` selects {what} in namespace {}; it scrapes nothing",
                        m.kind(),
                        m.id.name,
                        watched.join(", ")
                    ),
                );
            }
        }
    }
}
