use plimsoll_model::Index;
use plimsoll_model::facts::Detail;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Ingress backends that name a Service the scan does not define in the Ingress's
    /// namespace. Namespaces whose Services are not in the scan at all are not reported.
    ///
    /// ## Why it matters
    /// The Ingress controller answers requests for a missing backend with `503 Service
    /// Unavailable` (or the default backend's 404): the route is published, DNS points at it,
    /// and every request fails. It usually follows a rename of the Service, or an Ingress
    /// copied from another application.
    ///
    /// ## How to fix
    /// Point the backend at the Service that fronts the pods:
    ///
    /// ```yaml
    /// rules:
    ///   - host: shop.acme.com
    ///     http:
    ///       paths:
    ///         - path: /
    ///           pathType: Prefix
    ///           backend:
    ///             service: {name: web, port: {name: http}}
    /// ```
    ///
    /// ## Severity
    /// Medium: the route is down, but the mistake shows on the first request.
    pub struct IngressBackendMissing {
        id: "NET-007",
        name: "ingress-backend-missing",
        gap: Network,
        severity: Medium,
        target: Target::Index,
        summary: "Ingress backend Service is not in the manifests",
        peers: [
            KubeScore: ["ingress-targets-service"],
            KubeLinter: ["dangling-ingress"],
            Kubescape: ["C-0298"],
        ],
    }
}

impl Rule for IngressBackendMissing {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for o in &ix.objects {
            let Detail::Ingress(ing) = &o.detail else {
                continue;
            };
            let ns = o.ns();
            if ix.services_in(ns).next().is_none() {
                continue;
            }
            for (name, loc) in &ing.backends {
                if name.contains("{{") || ix.services_in(ns).any(|s| s.id.name == *name) {
                    continue;
                }
                cx.report(
                    o,
                    *loc,
                    format!("backend Service `{name}` is not defined in namespace `{ns}`; requests to this route fail with 503"),
                );
            }
        }
    }
}
