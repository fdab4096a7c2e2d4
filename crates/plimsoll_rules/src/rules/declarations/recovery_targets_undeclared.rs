use plimsoll_model::Index;
use plimsoll_model::declarations::Check;

use super::report_failed;
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// When readiness declarations exist, reports each stateful workload (PersistentVolumeClaims,
    /// `volumeClaimTemplates`, or a StatefulSet) whose service declares no RTO or no RPO. A
    /// service covers the workloads listed in its `workloads` (`Kind/namespace/name`), or, when
    /// it lists none, the workloads named like the service.
    ///
    /// ## Why it matters
    /// The recovery time objective (how long a restore may take) and the recovery point
    /// objective (how much recent data may be lost) decide the backup schedule, the restore
    /// method and what a restore drill must prove. Without them, nobody can say whether the
    /// backups in place are enough, and the business learns its real RPO from an incident.
    ///
    /// ## How to fix
    /// Declare both for the service that owns the data:
    ///
    /// ```yaml
    /// services:
    ///   orders:
    ///     rto: 1h
    ///     rpo: 15m
    ///     workloads: [StatefulSet/shop/orders-db]
    /// ```
    ///
    /// ## Severity
    /// Medium: backups may be fine, but nothing says what "fine" is.
    pub struct RecoveryTargetsUndeclared {
        id: "DCL-003",
        name: "recovery-targets-undeclared",
        gap: Recovery,
        severity: Medium,
        target: Target::Index,
        summary: "Stateful workload has no declared RTO or RPO",
        peers: [],
    }
}

impl Rule for RecoveryTargetsUndeclared {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        report_failed(ix, cx, Check::RecoveryTargets);
    }
}
