use plimsoll_model::Index;
use plimsoll_model::facts::Detail;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports workloads that mount a PersistentVolumeClaim which the scan does not define,
    /// in namespaces where the scan does define other claims. Claims of namespaces whose
    /// claims all live elsewhere (created by hand, by an operator or by another repository) are
    /// not reported.
    ///
    /// ## Why it matters
    /// A pod whose claim does not exist never starts: it stays `Pending` with
    /// `persistentvolumeclaim "data" not found`. When the other claims of the namespace are
    /// declared next to the workloads, a missing one is usually a renamed or forgotten claim,
    /// and the workload depends on state someone created by hand, which a rebuild of the
    /// environment from Git will not recreate.
    ///
    /// ## How to fix
    /// Declare the claim with the workload (or fix the name in `claimName`):
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata: {name: uploads, namespace: shop}
    /// spec:
    ///   storageClassName: regional-ssd
    ///   accessModes: [ReadWriteOnce]
    ///   resources: {requests: {storage: 10Gi}}
    /// ```
    ///
    /// ## Severity
    /// Low: the claim may well exist in the cluster; the finding is that Git does not say so.
    pub struct ClaimNotInScan {
        id: "STO-007",
        name: "claim-not-in-scan",
        gap: Storage,
        severity: Low,
        target: Target::Index,
        summary: "Workload mounts a PersistentVolumeClaim the manifests do not define",
        peers: [],
    }
}

impl Rule for ClaimNotInScan {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for (o, w) in ix.workloads() {
            if w.claims.is_empty() {
                continue;
            }
            let defined: Vec<&str> = ix
                .others_in(o.ns())
                .filter(|p| matches!(p.detail, Detail::PersistentVolumeClaim { .. }))
                .map(|p| &*p.id.name)
                .collect();
            if defined.is_empty() {
                continue;
            }
            let missing: Vec<&str> = w
                .claims
                .iter()
                .map(|c| &**c)
                .filter(|c| !c.contains("{{") && !defined.contains(c))
                .collect();
            if !missing.is_empty() {
                cx.report(
                    o,
                    o.loc,
                    format!(
                        "{} `{}` mounts PersistentVolumeClaim `{}`, which namespace `{}` of the scan does not define",
                        o.kind(),
                        o.id.name,
                        missing.join("`, `"),
                        o.ns()
                    ),
                );
            }
        }
    }
}
