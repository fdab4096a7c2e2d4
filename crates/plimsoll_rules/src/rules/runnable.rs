//! Running a rule about one risk on every platform: Kubernetes containers, Compose services and
//! systemd services, through [`plimsoll_formats::runnable`]. Each finding points at its own
//! file and line, and names its container, Compose service or unit.

use std::borrow::Cow;

use plimsoll_formats::compose::ComposeFile;
use plimsoll_formats::runnable::{self, Runnable};
use plimsoll_formats::systemd::Unit;
use plimsoll_model::{Finding, Workload};
use plimsoll_yaml::Span;

use crate::rule::Cx;

/// Run `f` on every container of a workload.
pub(crate) fn workload(
    w: &Workload<'_>,
    cx: &mut Cx<'_>,
    mut f: impl FnMut(&Runnable<'_>, &mut Cx<'_>),
) {
    for r in runnable::workload_containers(w) {
        f(&r, cx);
    }
}

/// Run `f` on every service of a Compose file, naming the service in the findings.
pub(crate) fn compose(
    c: &ComposeFile,
    cx: &mut Cx<'_>,
    mut f: impl FnMut(&Runnable<'_>, &mut Cx<'_>),
) {
    for r in runnable::compose_services(c) {
        cx.set_object(r.object_id());
        f(&r, cx);
    }
    cx.set_object(None);
}

/// Run `f` on a systemd service unit (other kinds of units run nothing of their own).
pub(crate) fn unit(u: &Unit, cx: &mut Cx<'_>, mut f: impl FnMut(&Runnable<'_>, &mut Cx<'_>)) {
    if let Some(r) = runnable::unit_service(u) {
        cx.set_object(r.object_id());
        f(&r, cx);
        cx.set_object(None);
    }
}

/// Report about a runnable at a span of the file being checked; Kubernetes findings also name
/// their container, as [`Cx::report_in`] does.
pub(crate) fn report<'c>(
    cx: &'c mut Cx<'_>,
    r: &Runnable<'_>,
    at: Span,
    message: impl Into<Cow<'static, str>>,
) -> &'c mut Finding {
    let f = cx.report_span(at, message);
    f.container = r.container_name().map(Into::into);
    f
}
