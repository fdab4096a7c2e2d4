use plimsoll_model::Index;
use plimsoll_model::declarations::Check;

use super::report_failed;
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports a service whose declared `runbook` is a file path (relative to `readiness.yaml`)
    /// that does not exist. Runbook URLs cannot be checked and are reported as attested.
    ///
    /// ## Why it matters
    /// The runbook is what the person on call opens at 3 a.m. A link to a file that was moved
    /// or never written looks fine in review and fails exactly when it is needed; alerts that
    /// point to it point nowhere.
    ///
    /// ## How to fix
    /// Write the runbook where the declaration says, or fix the path.
    ///
    /// Paths are relative to the declarations file; a `#section` anchor is allowed:
    ///
    /// ```yaml
    /// services:
    ///   db:
    ///     runbook: docs/runbooks/db.md#restore
    /// ```
    ///
    /// ## Severity
    /// Medium: the service runs, but the incident response it promises does not exist.
    pub struct RunbookFileMissing {
        id: "DCL-002",
        name: "runbook-file-missing",
        gap: Observability,
        severity: Medium,
        target: Target::Index,
        summary: "Declared runbook file does not exist",
        peers: [],
    }
}

impl Rule for RunbookFileMissing {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        report_failed(ix, cx, Check::RunbookFile);
    }
}
