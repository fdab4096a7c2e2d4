use plimsoll_model::Index;
use plimsoll_model::facts::Detail;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports namespaces holding PersistentVolumeClaims that no backup schedule of the scan
    /// covers, once per namespace. Claims mounted by a workload of the scan are left to
    /// `stateful-workload-not-backed-up`; this rule reports the others: claims used by pods an
    /// operator creates, by workloads deployed from elsewhere, or kept as data volumes.
    ///
    /// ## Why it matters
    /// A claim holds data that outlives its pods, which is the whole reason to create one. When
    /// no workload in the manifests mounts it, it is easy to forget in a backup plan (the
    /// database an operator runs, the volume of a tool installed separately), and it is exactly
    /// the data that is hardest to recreate.
    ///
    /// ## How to fix
    /// Include the namespace in a backup schedule:
    ///
    /// ```yaml
    /// apiVersion: velero.io/v1
    /// kind: Schedule
    /// metadata: {name: data-daily, namespace: velero}
    /// spec:
    ///   schedule: "0 2 * * *"
    ///   template:
    ///     includedNamespaces: [shop, data]
    ///     snapshotVolumes: true
    ///     ttl: 720h0m0s
    /// ```
    ///
    /// ## Severity
    /// Medium: the claims may hold data that can be rebuilt, which the manifests cannot tell;
    /// the finding asks for a decision.
    pub struct NamespaceClaimsNotBackedUp {
        id: "REC-004",
        name: "namespace-claims-not-backed-up",
        gap: Recovery,
        severity: Medium,
        target: Target::Index,
        summary: "Namespace holds PersistentVolumeClaims no backup schedule covers",
        peers: [
            Kyverno: ["kasten/kasten-validate-ns-by-preset-label"],
        ],
    }
}

impl Rule for NamespaceClaimsNotBackedUp {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for ns in ix.namespaces() {
            let mounted: Vec<&str> = ix
                .workloads_in(ns)
                .flat_map(|(_, w)| w.claims.iter().map(|c| &**c))
                .collect();
            let bare: Vec<_> = ix
                .others_in(ns)
                .filter(|o| matches!(o.detail, Detail::PersistentVolumeClaim { .. }))
                .filter(|o| !mounted.contains(&&*o.id.name))
                .filter(|o| ix.backups_covering(ns, &o.labels).next().is_none())
                .collect();
            let Some(first) = bare.first() else { continue };
            let at = ix.namespace_object(ns).unwrap_or(first);
            let names: Vec<&str> = bare.iter().map(|o| &*o.id.name).collect();
            cx.report(
                at,
                at.loc,
                format!(
                    "no backup schedule covers namespace `{ns}`, which holds PersistentVolumeClaim(s) `{}`",
                    names.join("`, `")
                ),
            );
        }
    }
}
