use plimsoll_model::Index;
use plimsoll_model::facts::Detail;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Velero `Schedule`s that exclude (`excludedNamespaces`) a namespace holding
    /// persistent data (stateful workloads or PersistentVolumeClaims) when no other schedule of
    /// the scan covers that namespace.
    ///
    /// ## Why it matters
    /// Exclusions are written to skip noisy or rebuildable namespaces, then copied between
    /// schedules and clusters, and outlive the reason they were added. A namespace that later
    /// receives a database stays excluded, and the backup reports look healthy because every
    /// backup succeeds: it simply does not contain that data.
    ///
    /// ## How to fix
    /// Remove the namespace from the exclusions, or give it its own schedule:
    ///
    /// ```yaml
    /// apiVersion: velero.io/v1
    /// kind: Schedule
    /// metadata: {name: data-hourly, namespace: velero}
    /// spec:
    ///   schedule: "0 * * * *"
    ///   template:
    ///     includedNamespaces: [data]
    ///     ttl: 168h0m0s
    /// ```
    ///
    /// ## Severity
    /// Medium: the data is not backed up, and the exclusion makes it look deliberate.
    pub struct BackupExcludesStatefulNamespace {
        id: "REC-005",
        name: "backup-excludes-stateful-namespace",
        gap: Recovery,
        severity: Medium,
        target: Target::Index,
        summary: "Velero Schedule excludes a namespace that holds persistent data",
        peers: [],
    }
}

impl Rule for BackupExcludesStatefulNamespace {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for s in ix.backup_schedules() {
            let Detail::BackupSchedule(b) = &s.detail else {
                continue;
            };
            for ns in &b.excluded {
                let stateful = ix.workloads_in(ns).any(|(_, w)| w.is_stateful())
                    || ix
                        .others_in(ns)
                        .any(|o| matches!(o.detail, Detail::PersistentVolumeClaim { .. }));
                if !stateful {
                    continue;
                }
                let other = ix.backup_schedules().any(|o| {
                    o.id != s.id
                        && match &o.detail {
                            Detail::BackupSchedule(f) => {
                                if o.id.api_version.starts_with("velero.io") {
                                    f.covers_namespace(ns)
                                } else {
                                    o.ns() == &**ns
                                }
                            }
                            _ => false,
                        }
                });
                if other {
                    continue;
                }
                cx.report(
                    s,
                    s.loc,
                    format!(
                        "Schedule `{}` excludes namespace `{ns}`, which holds persistent data, and no other schedule backs it up",
                        s.id.name
                    ),
                );
            }
        }
    }
}
