use plimsoll_model::{Index, ObjectFacts};

use super::support::is_metrics_port_name;
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

const SCRAPE: &str = "prometheus.io/scrape";

declare_rule! {
    /// ## What it does
    /// Reports long-running workloads that expose Prometheus metrics (a container port named
    /// `metrics`, `http-metrics`, `metrics-...`, or a `prometheus.io/scrape: "true"` annotation
    /// on the pods or on a Service that selects them) but that no `ServiceMonitor` or
    /// `PodMonitor` of the scan selects, directly or through one of their Services.
    ///
    /// A workload with only the annotation is reported only when the Prometheus Operator
    /// watches its namespace (a ServiceMonitor or PodMonitor of the scan looks there): the
    /// Operator ignores `prometheus.io/*` annotations, while a Prometheus configured by hand
    /// usually honours them.
    ///
    /// ## Why it matters
    /// Metrics that nobody scrapes do not exist when you need them: no dashboard shows the
    /// error rate, no alert fires on saturation, and the first sign of trouble is a user. The
    /// application did the work of exporting them; the missing piece is one small object next
    /// to the Deployment, which is easy to forget when the chart or the team that owns
    /// Prometheus lives elsewhere.
    ///
    /// ## How to fix
    /// Add a ServiceMonitor (or PodMonitor) that selects the workload's Service:
    ///
    /// ```yaml
    /// apiVersion: monitoring.coreos.com/v1
    /// kind: ServiceMonitor
    /// metadata: {name: api, namespace: shop}
    /// spec:
    ///   selector: {matchLabels: {app: api}}
    ///   endpoints: [{port: metrics, interval: 30s}]
    /// ```
    ///
    /// ## Severity
    /// Low: nothing breaks, but an incident will be found late and diagnosed blind.
    pub struct MetricsNotScraped {
        id: "OBS-006",
        name: "metrics-not-scraped",
        gap: Observability,
        severity: Low,
        target: Target::Index,
        summary: "Workload exposes metrics that no ServiceMonitor or PodMonitor scrapes",
        peers: [],
    }
}

impl Rule for MetricsNotScraped {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for (o, w) in ix.workloads() {
            if w.kind.is_batch() {
                continue;
            }
            let port = w
                .ports
                .iter()
                .filter_map(|(n, num)| Some((n.as_deref()?, *num)))
                .find(|(n, _)| is_metrics_port_name(n));
            if port.is_none()
                && w.pod_annotations.get(SCRAPE) != Some("true")
                && ix.services_in(o.ns()).next().is_none()
            {
                continue;
            }
            let services: Vec<&ObjectFacts> =
                ix.services_selecting(o.ns(), &w.pod_labels).collect();
            let annotated = w.pod_annotations.get(SCRAPE) == Some("true")
                || services
                    .iter()
                    .any(|s| s.annotations.get(SCRAPE) == Some("true"));
            if port.is_none() && !annotated {
                continue;
            }
            // monitors that look into this namespace (the index keeps them by watched namespace)
            let mut operator = false;
            let scraped = ix
                .monitors_watching(o.ns())
                .filter_map(|m| match &m.detail {
                    plimsoll_model::Detail::Monitor(mf) => Some(mf),
                    _ => None,
                })
                .inspect(|_| operator = true)
                .any(|mf| {
                    mf.selector.as_ref().is_some_and(|sel| {
                        if mf.pod_monitor {
                            sel.matches(&w.pod_labels)
                        } else {
                            services.iter().any(|s| sel.matches(&s.labels))
                        }
                    })
                });
            if scraped || (annotated && !operator) {
                continue;
            }
            let msg = match port {
                Some((name, num)) => format!(
                    "{} `{}` exposes metrics on port {num} (`{name}`) but no ServiceMonitor or PodMonitor scrapes it",
                    o.kind(),
                    o.id.name
                ),
                None => format!(
                    "{} `{}` is annotated `{SCRAPE}` but the Prometheus Operator ignores that annotation and no ServiceMonitor or PodMonitor scrapes it",
                    o.kind(),
                    o.id.name
                ),
            };
            cx.report(o, o.loc, msg);
        }
    }
}
