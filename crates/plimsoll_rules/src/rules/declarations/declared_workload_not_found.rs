use plimsoll_model::Index;
use plimsoll_model::declarations::Check;

use super::report_failed;
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports a workload named in a service's `workloads` (`Kind/namespace/name`) that the
    /// scan does not contain.
    ///
    /// ## Why it matters
    /// A misspelt or renamed workload silently drops out of its service: its RTO and RPO no
    /// longer apply to anything, and the workload that does run is reported as having no
    /// targets, or worse, the mismatch goes unnoticed when the scan covers only part of the
    /// repository.
    ///
    /// ## How to fix
    /// Name the workload as the manifests do, or scan the directory that holds it:
    ///
    /// ```yaml
    /// services:
    ///   orders:
    ///     workloads: [StatefulSet/shop/orders-db]
    /// ```
    ///
    /// ## Severity
    /// Low: the declaration is stale; the recovery checks on the real workload still run.
    pub struct DeclaredWorkloadNotFound {
        id: "DCL-007",
        name: "declared-workload-not-found",
        gap: Recovery,
        severity: Low,
        target: Target::Index,
        summary: "A service names a workload the scan does not contain",
        peers: [],
    }
}

impl Rule for DeclaredWorkloadNotFound {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        report_failed(ix, cx, Check::Workload);
    }
}
