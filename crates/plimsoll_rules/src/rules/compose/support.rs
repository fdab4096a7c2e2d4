//! Helpers shared by the Compose rules.

use plimsoll_formats::compose::{ComposeFile, Service};
use plimsoll_formats::runnable::Runnable;

use crate::rule::Cx;

/// Run `f` on every service, naming it in the findings (`ComposeService/<name>`).
pub(super) fn each_service(
    c: &ComposeFile,
    cx: &mut Cx<'_>,
    mut f: impl FnMut(&Service<'_>, &mut Cx<'_>),
) {
    for s in c.services() {
        cx.set_object(Runnable::Compose(s).object_id());
        f(&s, cx);
    }
    cx.set_object(None);
}

/// A service that runs once and exits (`restart: "no"` with a one-off profile, or a
/// `deploy.restart_policy` of `none`): restart and health expectations do not apply.
pub(super) fn is_one_off(s: &Service<'_>) -> bool {
    matches!(s.restart(), Some(("no" | "none", _)))
}
