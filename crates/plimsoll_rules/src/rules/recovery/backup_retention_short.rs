use plimsoll_model::Object;

use super::go_duration_secs;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

/// Retention below which backups are reported: a week.
const MIN_SECS: f64 = 7.0 * 86_400.0;

declare_rule! {
    /// ## What it does
    /// Reports Velero `Schedule`s that keep their backups for less than 7 days
    /// (`spec.template.ttl`), or do not say how long (`ttl` unset: the Velero server's default,
    /// 30 days unless someone changed it).
    ///
    /// ## Why it matters
    /// Data corruption, a bad migration or an intrusion is often found days after it happened.
    /// If every backup older than that has expired, all the backups that remain contain the
    /// damage. A week covers the usual weekend-plus-investigation delay; a retention left to
    /// a server flag can change with a Velero upgrade or reinstall, with nobody reviewing it.
    ///
    /// ## How to fix
    /// Keep backups long enough to find problems (and say so in Git):
    ///
    /// ```yaml
    /// apiVersion: velero.io/v1
    /// kind: Schedule
    /// spec:
    ///   schedule: "0 2 * * *"
    ///   template:
    ///     ttl: 720h0m0s   # 30 days
    /// ```
    ///
    /// ## Severity
    /// Low: backups are taken; the finding is about how far back a restore can go.
    pub struct BackupRetentionShort {
        id: "REC-003",
        name: "backup-retention-short",
        gap: Recovery,
        severity: Low,
        target: Target::Kinds(&["Schedule"]),
        summary: "Velero Schedule keeps backups less than 7 days, or leaves retention implicit",
        peers: [
            Kyverno: ["kasten/kasten-minimum-retention"],
        ],
    }
}

impl Rule for BackupRetentionShort {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "velero.io" {
            return;
        }
        let Some(spec) = o.spec() else { return };
        let name = o.name().unwrap_or("");
        let template = spec.get("template");
        let ttl = template.and_then(|t| t.get("ttl")).filter(|t| !t.is_null());
        let Some(ttl) = ttl else {
            cx.report(
                template.unwrap_or(spec),
                format!("Schedule `{name}` sets no `ttl`; its backups expire after the Velero server's default (30 days unless changed)"),
            );
            return;
        };
        let Some(text) = ttl.as_str() else { return };
        if text.contains("{{") {
            return;
        }
        match go_duration_secs(text) {
            None => {
                cx.report(
                    ttl,
                    format!("`ttl: {text}` of Schedule `{name}` is not a Go duration (use hours: `720h0m0s`)"),
                );
            }
            Some(secs) if secs < MIN_SECS => {
                let hours = secs / 3600.0;
                let span = if hours >= 48.0 {
                    format!("{:.0} days", hours / 24.0)
                } else {
                    format!("{hours:.0} hours")
                };
                cx.report(
                    ttl,
                    format!("Schedule `{name}` keeps backups for {span}; damage found later than that cannot be undone"),
                );
            }
            Some(_) => {}
        }
    }
}
