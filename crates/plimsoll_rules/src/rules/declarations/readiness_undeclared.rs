use plimsoll_model::Index;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports a scan with no readiness declarations: no `readiness.yaml` (or
    /// `.readiness.yaml`, `readiness.yml`) at the repository root and no `kind: Readiness`
    /// document among the manifests.
    ///
    /// ## Why it matters
    /// Manifests show how a service runs, not who answers for it. Production needs what no
    /// scanner can read from YAML: an owner for each gap, an on-call rotation, a runbook per
    /// service, and recovery targets (RTO, RPO) for every service that keeps data, with a
    /// restore-test cadence. Unwritten, they are discovered during the first incident. Written
    /// down, Plimsoll checks what it can (runbook files exist, every stateful workload has
    /// targets, each RPO is within its backup interval) and reports the rest as attested.
    ///
    /// ## How to fix
    /// Add `readiness.yaml` at the repository root (see `docs/declarations.md`):
    ///
    /// ```yaml
    /// platformTeam: {team: platform, contact: "#platform"}
    /// owners:
    ///   recovery: {team: dba, contact: dba@acme.example}
    /// onCall: {rotation: shop-primary, tool: PagerDuty}
    /// services:
    ///   db: {runbook: docs/runbooks/db.md, rto: 1h, rpo: 1h}
    /// restoreTests: {cadence: 30d}
    /// ```
    ///
    /// ## Severity
    /// Low: nothing breaks today; the missing answers cost time during an incident.
    pub struct ReadinessUndeclared {
        id: "DCL-001",
        name: "readiness-undeclared",
        gap: Change,
        severity: Low,
        target: Target::Index,
        summary: "No readiness declarations (owners, on-call, runbooks, recovery targets)",
        peers: [],
    }
}

impl Rule for ReadinessUndeclared {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        if ix.declarations.is_none() {
            cx.report_scan(
                "no readiness declarations: owners, on-call, runbooks and recovery targets are not written down (add `readiness.yaml` at the repository root)",
            );
        }
    }
}
