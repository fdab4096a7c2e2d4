use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `emptyDir` volumes without a `sizeLimit`. A disk-backed `emptyDir` is not reported
    /// when every container of the pod has an `ephemeral-storage` limit, and a memory-backed one
    /// (`medium: Memory`) when every container has a `memory` limit: those limits already bound it.
    ///
    /// ## Why it matters
    /// An `emptyDir` lives on the node's root disk (or in its RAM with `medium: Memory`) and
    /// grows until something stops it. A runaway log, cache or upload spool fills the node's
    /// disk, and the kubelet then evicts pods that did nothing wrong, or the node goes
    /// `DiskPressure` altogether. With a `sizeLimit` only the offending pod is evicted.
    ///
    /// ## How to fix
    /// Bound the volume (and the container's scratch space):
    ///
    /// ```yaml
    /// volumes:
    ///   - name: cache
    ///     emptyDir: {sizeLimit: 1Gi}
    /// containers:
    ///   - name: web
    ///     resources:
    ///       limits: {ephemeral-storage: 2Gi}
    /// ```
    ///
    /// ## Severity
    /// Low: it takes a misbehaving pod to hurt, but then it hurts its neighbours on the node.
    pub struct EmptyDirWithoutSizeLimit {
        id: "STO-006",
        name: "empty-dir-without-size-limit",
        gap: Storage,
        severity: Low,
        target: Target::Workloads,
        summary: "`emptyDir` volume has no `sizeLimit`",
        peers: [
            KubeScore: ["container-ephemeral-storage-request-and-limit"],
            Kyverno: ["other/require-emptydir-requests-limits", "other/add-emptydir-sizelimit"],
        ],
    }
}

impl Rule for EmptyDirWithoutSizeLimit {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        let all_limited = |resource: &str| {
            let mut any = false;
            let all = w
                .containers()
                .filter(|c| c.kind != plimsoll_model::ContainerKind::Ephemeral)
                .all(|c| {
                    any = true;
                    c.resources()
                        .and_then(|r| r.path(&["limits", resource]))
                        .is_some_and(|n| !n.is_null())
                });
            any && all
        };
        for v in w.volumes() {
            let Some(ed) = v.get("emptyDir") else {
                continue;
            };
            if ed.get("sizeLimit").is_some_and(|n| !n.is_null()) {
                continue;
            }
            let memory = ed.get_str("medium") == Some("Memory");
            if all_limited(if memory {
                "memory"
            } else {
                "ephemeral-storage"
            }) {
                continue;
            }
            let name = v.get_str("name").unwrap_or("");
            let msg = if memory {
                format!(
                    "memory-backed `emptyDir` `{name}` has no `sizeLimit`; it can take the node's RAM"
                )
            } else {
                format!("`emptyDir` `{name}` has no `sizeLimit`; it can fill the node's disk")
            };
            cx.report(ed, msg);
        }
    }
}
