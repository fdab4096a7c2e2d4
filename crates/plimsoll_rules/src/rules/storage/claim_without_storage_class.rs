use plimsoll_model::Object;

use super::claims;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports PersistentVolumeClaims and StatefulSet `volumeClaimTemplates` that name no
    /// StorageClass. Claims that bind a given volume (`volumeName`), that opt out of dynamic
    /// provisioning (`storageClassName: ""`) or that use the legacy
    /// `volume.beta.kubernetes.io/storage-class` annotation are not reported.
    ///
    /// ## Why it matters
    /// A claim without a class gets the cluster's default StorageClass, and that differs between
    /// clusters and changes when someone changes the default: the same manifest gives a
    /// replicated SSD volume in one cluster and a single-zone HDD with `reclaimPolicy: Delete` in
    /// another, or stays `Pending` where there is no default. What protects the data
    /// (replication, encryption, snapshots, retention) then depends on an accident of the cluster.
    ///
    /// ## How to fix
    /// Name the class whose guarantees the data needs:
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata: {name: data}
    /// spec:
    ///   storageClassName: regional-ssd-retain
    ///   accessModes: [ReadWriteOnce]
    ///   resources: {requests: {storage: 20Gi}}
    /// ```
    ///
    /// ## Severity
    /// Medium: durability and retention of the data are left to whatever the cluster defaults to.
    pub struct ClaimWithoutStorageClass {
        id: "STO-004",
        name: "claim-without-storage-class",
        gap: Storage,
        severity: Medium,
        target: Target::Kinds(&["PersistentVolumeClaim", "StatefulSet"]),
        summary: "Volume claim names no StorageClass and gets the cluster default",
        peers: [
            Kyverno: ["other/require-storageclass", "other/restrict-storageclass"],
        ],
    }
}

impl Rule for ClaimWithoutStorageClass {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        for c in claims(o) {
            let spec = c.spec;
            let explicit = spec.is_some_and(|s| {
                s.get("storageClassName").is_some_and(|n| !n.is_null())
                    || s.get_str("volumeName").is_some()
            });
            let legacy = c
                .annotation("volume.beta.kubernetes.io/storage-class")
                .is_some();
            if explicit || legacy {
                continue;
            }
            let at = spec
                .and_then(|s| s.get("storageClassName"))
                .unwrap_or(c.anchor);
            cx.report(
                at,
                format!(
                    "{} names no `storageClassName`; it gets whatever the cluster's default StorageClass is",
                    c.what
                ),
            );
        }
    }
}
