use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports the root group (GID 0) given to a pod's processes: `runAsGroup: 0` (container or
    /// pod level, inherited like the kubelet does), and at pod level `fsGroup: 0` or `0` in
    /// `supplementalGroups`. Windows pods are skipped.
    ///
    /// ## Why it matters
    /// Group 0 owns much of a Linux system: many files in images and on the node are writable or
    /// readable by group root (`/etc` entries, device nodes, sockets), and a non-root user that
    /// is still in group 0 can modify them. `fsGroup: 0` also makes the kubelet chown every
    /// mounted volume to group root, so anything else running with GID 0 can read the data. A
    /// non-root UID is only half the job if the GID is still root.
    ///
    /// ## How to fix
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsUser: 10001
    ///     runAsGroup: 10001
    ///     fsGroup: 10001
    /// ```
    ///
    /// ## Severity
    /// Low: group root grants far less than user root and mostly matters together with a
    /// writable host mount or a container escape.
    pub struct RootGroup {
        id: "WKL-006",
        name: "root-group",
        gap: Workload,
        severity: Low,
        target: Target::Workloads,
        summary: "Pod processes run with the root group (GID 0)",
        peers: [
            KubeLinter: ["run-as-non-root"],
            Trivy: ["KSV-0116"],
            Kyverno: ["other/require-non-root-groups"],
        ],
    }
}

impl Rule for RootGroup {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        sc::visit_inherited(w, &["runAsGroup"], |scope, n| {
            if n.as_i64() == Some(0) {
                let msg = format!(
                    "`runAsGroup: 0`{} makes {} run with the root group",
                    scope.origin(),
                    scope.subject()
                );
                scope.report(cx, n, msg);
            }
        });
        let Some(pod) = w.pod_security_context() else {
            return;
        };
        if let Some(n) = pod.get("fsGroup")
            && n.as_i64() == Some(0)
        {
            cx.report(
                n,
                "`fsGroup: 0` gives every container of the pod the root group and makes mounted volumes group-root",
            );
        }
        for item in pod
            .get("supplementalGroups")
            .into_iter()
            .flat_map(|l| l.items())
        {
            if item.as_i64() == Some(0) {
                cx.report(
                    item,
                    "`supplementalGroups` adds the root group (0) to every container of the pod",
                );
            }
        }
    }
}
