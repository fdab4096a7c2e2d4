use plimsoll_model::Index;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports workloads that keep state in PersistentVolumeClaims (mounted claims or
    /// `volumeClaimTemplates`) when no backup schedule of the scan covers them: no Velero
    /// `Schedule` including their namespace (and matching their labels, when it selects by
    /// label), no K8up `Schedule` and no CloudNativePG `ScheduledBackup` in their namespace.
    ///
    /// ## Why it matters
    /// Replicas and volume replication protect against a node or a disk failing, not against
    /// the failures that actually lose data: a bad migration, a `DROP TABLE`, ransomware, a
    /// deleted namespace, a corrupted volume replicated faithfully to every replica. Only a
    /// backup taken before the incident brings the data back, and only a scheduled one exists
    /// when it is needed. Without it the recovery point is "never".
    ///
    /// ## How to fix
    /// Schedule backups of the namespace, volumes included:
    ///
    /// ```yaml
    /// apiVersion: velero.io/v1
    /// kind: Schedule
    /// metadata: {name: shop-daily, namespace: velero}
    /// spec:
    ///   schedule: "0 2 * * *"
    ///   template:
    ///     includedNamespaces: [shop]
    ///     snapshotVolumes: true
    ///     ttl: 720h0m0s
    /// ```
    ///
    /// ## Severity
    /// High: losing the data is an outage that cannot be fixed by redeploying; it is not
    /// Critical because it takes a second failure to lose it.
    pub struct StatefulWorkloadNotBackedUp {
        id: "REC-001",
        name: "stateful-workload-not-backed-up",
        gap: Recovery,
        severity: High,
        target: Target::Index,
        summary: "Workload with persistent data is covered by no backup schedule",
        peers: [
            Kyverno: [
                "kasten/kasten-generate-example-backup-policy",
                "kasten/kasten-generate-policy-by-preset-label",
                "kasten/kasten-validate-ns-by-preset-label",
            ],
        ],
    }
}

impl Rule for StatefulWorkloadNotBackedUp {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for (o, w) in ix.workloads() {
            if !w.is_stateful() {
                continue;
            }
            if ix.backups_covering(o.ns(), &w.pod_labels).next().is_some() {
                continue;
            }
            let mut data: Vec<String> = w
                .claims
                .iter()
                .map(|c| format!("PersistentVolumeClaim `{c}`"))
                .collect();
            if w.claim_templates {
                data.push("its volumeClaimTemplates".into());
            }
            cx.report(
                o,
                o.loc,
                format!(
                    "{} `{}` keeps data in {}, and no backup schedule covers namespace `{}`",
                    o.kind(),
                    o.id.name,
                    data.join(" and "),
                    o.ns()
                ),
            );
        }
    }
}
