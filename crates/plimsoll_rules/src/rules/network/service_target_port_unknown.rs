use plimsoll_model::Index;
use plimsoll_model::facts::Detail;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Service ports whose `targetPort` is a name that no container port of the selected
    /// pods has. Only Services that select at least one workload of the scan are checked.
    ///
    /// ## Why it matters
    /// A named `targetPort` is resolved per pod, by looking the name up in the pod's container
    /// ports. When no container declares it, the pod is left out of the Service's endpoints:
    /// the Service exists, the pods are healthy, and every connection through that port is
    /// refused. It typically follows renaming a port in the Deployment (`http` to `web`) and not
    /// in the Service.
    ///
    /// ## How to fix
    /// Name the container port and use the same name in the Service:
    ///
    /// ```yaml
    /// kind: Deployment
    /// containers:
    ///   - name: web
    ///     ports: [{name: http, containerPort: 8080}]
    /// ---
    /// kind: Service
    /// spec:
    ///   ports: [{name: http, port: 80, targetPort: http}]
    /// ```
    ///
    /// ## Severity
    /// Low: the Service is broken for that port, but loudly and from the first deployment, so it
    /// is caught before production.
    pub struct ServiceTargetPortUnknown {
        id: "NET-010",
        name: "service-target-port-unknown",
        gap: Network,
        severity: Low,
        target: Target::Index,
        summary: "Service `targetPort` names a port no selected container has",
        peers: [
            KubeLinter: ["invalid-target-ports"],
            KubeScore: ["container-ports-check"],
            Kyverno: ["other/require-container-port-names"],
        ],
    }
}

impl Rule for ServiceTargetPortUnknown {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for ns in ix.namespaces() {
            for o in ix.services_in(ns) {
                let Detail::Service(s) = &o.detail else {
                    continue;
                };
                let Some(sel) = s.selector.as_ref().filter(|s| !s.is_empty()) else {
                    continue;
                };
                let selected: Vec<_> = ix.workloads_selected_by(ns, sel).collect();
                if selected.is_empty() {
                    continue;
                }
                for p in &s.ports {
                    let Some(target) = p.target.as_deref() else {
                        continue;
                    };
                    if target.parse::<i64>().is_ok() || target.contains("{{") {
                        continue;
                    }
                    let found = selected
                        .iter()
                        .any(|(_, w)| w.ports.iter().any(|(n, _)| n.as_deref() == Some(target)));
                    if found {
                        continue;
                    }
                    let names: Vec<String> = selected
                        .iter()
                        .map(|(w, _)| format!("{} `{}`", w.kind(), w.id.name))
                        .collect();
                    cx.report(
                        o,
                        p.target_loc.unwrap_or(o.loc),
                        format!(
                            "`targetPort: {target}` of Service `{}` names no container port of {}; the port has no endpoints",
                            o.id.name,
                            names.join(", ")
                        ),
                    );
                }
            }
        }
    }
}
