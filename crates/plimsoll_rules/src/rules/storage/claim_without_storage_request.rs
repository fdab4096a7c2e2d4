use plimsoll_model::Object;

use super::claims;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports PersistentVolumeClaims and StatefulSet `volumeClaimTemplates` that do not request
    /// a size in `spec.resources.requests.storage`.
    ///
    /// ## Why it matters
    /// The API server requires a storage request on every claim. A StatefulSet accepts a claim
    /// template without one, but every claim it then creates is rejected: the pods stay
    /// `Pending` and the rollout never finishes. Where a provisioner does accept the claim, the
    /// size is whatever it defaults to, which is nobody's decision and rarely what the data needs.
    ///
    /// ## How to fix
    /// Request the size the data needs (and leave room to grow):
    ///
    /// ```yaml
    /// volumeClaimTemplates:
    ///   - metadata: {name: data}
    ///     spec:
    ///       accessModes: [ReadWriteOnce]
    ///       storageClassName: fast-ssd
    ///       resources:
    ///         requests: {storage: 20Gi}
    /// ```
    ///
    /// ## Severity
    /// Low: the mistake shows at the first deployment (pods stuck `Pending`), long before it can
    /// hurt production.
    pub struct ClaimWithoutStorageRequest {
        id: "STO-003",
        name: "claim-without-storage-request",
        gap: Storage,
        severity: Low,
        target: Target::Kinds(&["PersistentVolumeClaim", "StatefulSet"]),
        summary: "Volume claim requests no storage size",
        peers: [],
    }
}

impl Rule for ClaimWithoutStorageRequest {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        for c in claims(o) {
            let spec = c.spec;
            if spec
                .and_then(|s| s.path(&["resources", "requests", "storage"]))
                .is_some_and(|n| !n.is_null())
            {
                continue;
            }
            let at = spec
                .and_then(|s| {
                    s.path(&["resources", "requests"])
                        .or_else(|| s.get("resources"))
                })
                .unwrap_or(c.anchor);
            cx.report(
                at,
                format!(
                    "{} requests no storage size (`resources.requests.storage`)",
                    c.what
                ),
            );
        }
    }
}
