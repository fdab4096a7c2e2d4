//! Declarations (`readiness.yaml`): what a scanner cannot see (owners, on-call, runbooks,
//! recovery targets), checked where the scan can check it. The declarations are read by
//! `plimsoll_model::declarations` and reach these rules on the index
//! ([`plimsoll_model::Index::declarations`]); what is verified comes from
//! [`Declarations::review`], so the report and the rules agree. The declarations may be set on
//! the index after it is built (the CLI reads `readiness.yaml`, then runs the cross-object
//! rules).

use std::borrow::Cow;

use plimsoll_model::declarations::{Check, Declarations, Verified};
use plimsoll_model::{Finding, Index, Loc};

use crate::rule::{IndexCx, Rule};

mod declared_workload_not_found;
mod gap_owner_undeclared;
mod on_call_undeclared;
mod readiness_undeclared;
mod recovery_targets_undeclared;
mod rpo_below_backup_interval;
mod runbook_file_missing;

pub const RULES: &[&dyn Rule] = &[
    &readiness_undeclared::ReadinessUndeclared,
    &runbook_file_missing::RunbookFileMissing,
    &recovery_targets_undeclared::RecoveryTargetsUndeclared,
    &gap_owner_undeclared::GapOwnerUndeclared,
    &on_call_undeclared::OnCallUndeclared,
    &rpo_below_backup_interval::RpoBelowBackupInterval,
    &declared_workload_not_found::DeclaredWorkloadNotFound,
];

/// Report at a place in the declarations, about their `Readiness` object when they are one.
fn report_at<'c>(
    cx: &'c mut IndexCx<'_>,
    d: &Declarations,
    loc: Loc,
    message: impl Into<Cow<'static, str>>,
) -> &'c mut Finding {
    let f = cx.report_scan(message);
    f.loc = Some(loc);
    f.object = d.object.clone();
    f
}

/// Report every failed verification of one kind.
fn report_failed(ix: &Index, cx: &mut IndexCx<'_>, check: Check) {
    let Some(d) = &ix.declarations else { return };
    for v in d.review(ix).verified {
        let Verified {
            check: c,
            ok,
            message,
            loc,
            object,
            ..
        } = v;
        if c != check || ok {
            continue;
        }
        let f = cx.report_scan(message);
        f.loc = loc;
        f.object = object.or_else(|| d.object.clone());
    }
}
