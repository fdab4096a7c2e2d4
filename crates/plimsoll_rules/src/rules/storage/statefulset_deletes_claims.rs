use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports StatefulSets whose `persistentVolumeClaimRetentionPolicy.whenDeleted` is
    /// `Delete`.
    ///
    /// ## Why it matters
    /// By default a StatefulSet's claims outlive it, so deleting the StatefulSet (a `helm
    /// uninstall`, a rename, a pruned GitOps sync, a `kubectl delete -f` of the wrong directory)
    /// loses no data. With `whenDeleted: Delete` the claims are garbage-collected with it and,
    /// with the usual `reclaimPolicy: Delete`, the volumes too: one mistaken deletion erases
    /// the database.
    ///
    /// ## How to fix
    /// Keep the claims when the StatefulSet goes away, and delete them on purpose:
    ///
    /// ```yaml
    /// spec:
    ///   persistentVolumeClaimRetentionPolicy:
    ///     whenDeleted: Retain
    ///     whenScaled: Retain
    /// ```
    ///
    /// ## Severity
    /// Medium: it does not fail on its own, but turns a routine mistake into data loss.
    pub struct StatefulsetDeletesClaims {
        id: "STO-009",
        name: "statefulset-deletes-claims",
        gap: Storage,
        severity: Medium,
        target: Target::Kinds(&["StatefulSet"]),
        summary: "Deleting the StatefulSet deletes its volume claims",
        peers: [],
    }
}

impl Rule for StatefulsetDeletesClaims {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "apps" {
            return;
        }
        if let Some(n) = o
            .spec()
            .and_then(|s| s.path(&["persistentVolumeClaimRetentionPolicy", "whenDeleted"]))
            && n.as_str() == Some("Delete")
        {
            cx.report(
                n,
                format!(
                    "deleting StatefulSet `{}` also deletes its volume claims and, usually, their data",
                    o.name().unwrap_or("")
                ),
            );
        }
    }
}
