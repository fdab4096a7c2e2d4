use plimsoll_model::Index;
use plimsoll_model::facts::Detail;

use super::{operator_may_create_pods, show_selector};
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Services whose selector matches the pods of no workload in the scan. Services
    /// without a selector (endpoints managed by hand), namespaces with no workload in the scan,
    /// and selectors that match a custom resource's labels (pods an operator creates) are not
    /// reported.
    ///
    /// ## Why it matters
    /// A Service that selects nothing has no endpoints: every connection to it is refused, and
    /// the Ingress, the clients and the health checks in front of it fail. It usually means a
    /// label was renamed on one side only, a typo in the selector, or a leftover Service whose
    /// workload was removed, and it is invisible in review because both objects look fine alone.
    ///
    /// ## How to fix
    /// Make the selector match the pod template's labels:
    ///
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: {app.kubernetes.io/name: web}
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels: {app.kubernetes.io/name: web}
    /// ```
    ///
    /// ## Severity
    /// Medium: whatever depends on the Service is down, though usually noticed at the first
    /// deployment.
    pub struct ServiceSelectsNoPods {
        id: "NET-006",
        name: "service-selects-no-pods",
        gap: Network,
        severity: Medium,
        target: Target::Index,
        summary: "Service selector matches no pods in the manifests",
        peers: [
            KubeScore: ["service-targets-pod"],
            KubeLinter: ["dangling-service"],
            Kubescape: ["C-0293"],
        ],
    }
}

impl Rule for ServiceSelectsNoPods {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for ns in ix.namespaces() {
            if ix.workloads_in(ns).next().is_none() {
                continue;
            }
            for o in ix.services_in(ns) {
                let Detail::Service(s) = &o.detail else {
                    continue;
                };
                let Some(sel) = &s.selector else { continue };
                if sel.is_empty()
                    || ix.workloads_selected_by(ns, sel).next().is_some()
                    || operator_may_create_pods(ix, ns, sel)
                {
                    continue;
                }
                cx.report(
                    o,
                    s.selector_loc.unwrap_or(o.loc),
                    format!(
                        "selector `{}` of Service `{}` matches the pods of no workload in namespace `{ns}`; the Service has no endpoints",
                        show_selector(sel),
                        o.id.name
                    ),
                );
            }
        }
    }
}
