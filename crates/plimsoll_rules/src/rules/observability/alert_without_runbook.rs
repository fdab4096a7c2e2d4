use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports alerting rules of a Prometheus Operator `PrometheusRule` that have no
    /// `runbook_url` (or `runbook`) annotation. Recording rules are not reported.
    ///
    /// ## Why it matters
    /// An alert pages someone, often at night and often not the author. Without a runbook the
    /// on-call engineer has to work out from the expression what broke, how bad it is and what
    /// to do, while the clock runs. A link to a page with the meaning, the likely causes and the
    /// first steps turns a page into a procedure, and writing it forces the author to decide
    /// whether the alert is actionable at all.
    ///
    /// ## How to fix
    /// Link every alert to its runbook:
    ///
    /// ```yaml
    /// - alert: ApiHighErrorRate
    ///   expr: job:http_errors:ratio5m{job="api"} > 0.05
    ///   for: 10m
    ///   annotations:
    ///     summary: API error rate above 5%
    ///     runbook_url: https://runbooks.example.com/api-high-error-rate
    /// ```
    ///
    /// ## Severity
    /// Low: it slows the response to an incident; it does not cause one.
    pub struct AlertWithoutRunbook {
        id: "OBS-008",
        name: "alert-without-runbook",
        gap: Observability,
        severity: Low,
        target: Target::Kinds(&["PrometheusRule"]),
        summary: "Alerting rule has no runbook_url annotation",
        peers: [],
    }
}

impl Rule for AlertWithoutRunbook {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "monitoring.coreos.com" {
            return;
        }
        let groups = o.spec().and_then(|s| s.get("groups"));
        for g in groups.into_iter().flat_map(|g| g.items()) {
            for r in g.get("rules").into_iter().flat_map(|r| r.items()) {
                let Some(alert) = r.get("alert") else {
                    continue;
                };
                let linked = r
                    .get("annotations")
                    .is_some_and(|a| a.get("runbook_url").is_some() || a.get("runbook").is_some());
                if !linked {
                    cx.report(
                        alert,
                        format!(
                            "alert `{}` has no runbook_url annotation",
                            alert.as_str().unwrap_or("")
                        ),
                    );
                }
            }
        }
    }
}
