use std::collections::BTreeMap;

use plimsoll_model::{Detail, Index, ObjectFacts};

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports each namespace that runs long-running workloads but holds no alerting rule: no
    /// `PrometheusRule` with at least one `alert`, and no VictoriaMetrics `VMRule`. The finding
    /// points at the `Namespace` object when the scan has it, else at the namespace's first
    /// workload.
    ///
    /// ## Why it matters
    /// Dashboards are looked at after someone notices a problem; alerts are how someone notices.
    /// A service without alerts on its error rate, latency and saturation fails silently until
    /// users complain, and the on-call engineer starts the incident without knowing what
    /// "normal" looked like. Keeping the alerts next to the workload means they ship, change and
    /// get reviewed with it.
    ///
    /// ## How to fix
    /// Add a PrometheusRule to the namespace:
    ///
    /// ```yaml
    /// apiVersion: monitoring.coreos.com/v1
    /// kind: PrometheusRule
    /// metadata: {name: api-alerts, namespace: shop}
    /// spec:
    ///   groups:
    ///     - name: api
    ///       rules:
    ///         - alert: ApiHighErrorRate
    ///           expr: sum(rate(http_requests_total{job="api",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="api"}[5m])) > 0.05
    ///           for: 10m
    ///           labels: {severity: page}
    ///           annotations: {runbook_url: https://runbooks.example.com/api-high-error-rate}
    /// ```
    ///
    /// ## Severity
    /// Low: alerts may be kept centrally in another repository; when they are not, outages last
    /// longer, but nothing breaks by itself.
    pub struct NamespaceWithoutAlerts {
        id: "OBS-007",
        name: "namespace-without-alerts",
        gap: Observability,
        severity: Low,
        target: Target::Index,
        summary: "Namespace runs workloads but defines no alerting rules",
        peers: [],
    }
}

impl Rule for NamespaceWithoutAlerts {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        let mut first: BTreeMap<&str, &ObjectFacts> = BTreeMap::new();
        for (o, w) in ix.workloads() {
            if w.kind.is_batch() {
                continue;
            }
            let e = first.entry(o.ns()).or_insert(o);
            if o.loc < e.loc {
                *e = o;
            }
        }
        for (ns, w) in first {
            let alerts = ix.alert_rules_in(ns).any(|r| match &r.detail {
                Detail::AlertRules(a) => !a.alerts.is_empty(),
                _ => false,
            }) || ix.others_in(ns).any(|o| &*o.id.kind == "VMRule");
            if alerts {
                continue;
            }
            let at = ix.namespace_object(ns).unwrap_or(w);
            cx.report(
                at,
                at.loc,
                format!(
                    "namespace `{ns}` runs workloads but no PrometheusRule in it defines an alert"
                ),
            );
        }
    }
}
