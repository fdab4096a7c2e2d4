use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

/// Annotations by which a cloud load balancer in front of the Ingress terminates TLS.
const TLS_ANNOTATIONS: &[&str] = &[
    "alb.ingress.kubernetes.io/certificate-arn",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "networking.gke.io/managed-certificates",
    "service.beta.kubernetes.io/aws-load-balancer-ssl-cert",
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
];

declare_rule! {
    /// ## What it does
    /// Reports Ingresses without a `tls` section, and hosts of an Ingress that no `tls` entry
    /// lists. TLS terminated by the cloud load balancer (AWS ALB certificate ARN, GKE
    /// pre-shared or managed certificates, Azure Application Gateway) counts.
    ///
    /// ## Why it matters
    /// Without TLS the route is plain HTTP: passwords, session cookies, API tokens and personal
    /// data cross the internet readable and modifiable by anyone on the path (public Wi-Fi, an
    /// ISP, a compromised router). Browsers mark the site insecure, and HSTS, secure cookies and
    /// HTTP/2 are unavailable. With cert-manager a certificate costs one annotation.
    ///
    /// ## How to fix
    /// Add a `tls` entry for every host and let cert-manager issue the certificate:
    ///
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     cert-manager.io/cluster-issuer: letsencrypt
    /// spec:
    ///   tls:
    ///     - hosts: [shop.acme.com]
    ///       secretName: shop-tls
    ///   rules:
    ///     - host: shop.acme.com
    /// ```
    ///
    /// ## Severity
    /// High: traffic, credentials included, is readable and forgeable in transit.
    pub struct IngressWithoutTls {
        id: "NET-008",
        name: "ingress-without-tls",
        gap: Network,
        severity: High,
        target: Target::Kinds(&["Ingress"]),
        summary: "Ingress serves plain HTTP (no `tls`)",
        peers: [
            Polaris: ["tlsSettingsMissing"],
            Kubescape: ["C-0263"],
            Kyverno: ["other/require-ingress-https", "other/ingress-host-match-tls"],
        ],
    }
}

/// Whether a TLS host (possibly `*.example.com`) covers a rule host.
fn covers(tls: &str, host: &str) -> bool {
    if tls.eq_ignore_ascii_case(host) {
        return true;
    }
    match tls.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(suffix)),
        None => false,
    }
}

impl Rule for IngressWithoutTls {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if !matches!(o.group(), "networking.k8s.io" | "extensions") {
            return;
        }
        if TLS_ANNOTATIONS.iter().any(|a| o.annotation(a).is_some()) {
            return;
        }
        let Some(spec) = o.spec() else { return };
        let name = o.name().unwrap_or("");
        let tls = spec.get("tls").filter(|t| !t.is_empty() && !t.is_null());
        let Some(tls) = tls else {
            cx.report(
                spec,
                format!("Ingress `{name}` has no `tls` section; it serves plain HTTP"),
            );
            return;
        };
        // an entry without hosts serves the controller's default certificate for every host
        if tls
            .items()
            .any(|t| t.get("hosts").is_none_or(|h| h.is_empty()))
        {
            return;
        }
        let tls_hosts: Vec<&str> = tls
            .items()
            .flat_map(|t| t.get("hosts").into_iter().flat_map(|h| h.items()))
            .filter_map(|h| h.as_str())
            .collect();
        for r in spec.get("rules").into_iter().flat_map(|r| r.items()) {
            let Some(h) = r.get("host") else { continue };
            let Some(host) = h.as_str() else { continue };
            if host.contains("{{") || tls_hosts.iter().any(|t| covers(t, host)) {
                continue;
            }
            cx.report(
                h,
                format!("host `{host}` of Ingress `{name}` is listed under no `tls` entry; it serves plain HTTP"),
            );
        }
    }
}
