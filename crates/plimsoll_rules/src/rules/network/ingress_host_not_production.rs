use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

/// Domains that exist for tests, examples and local development.
const THROWAWAY: &[&str] = &[
    "nip.io",
    "sslip.io",
    "xip.io",
    "traefik.me",
    "localtest.me",
    "lvh.me",
    "localhost",
    "local",
    "test",
    "example",
    "invalid",
    "example.com",
    "example.net",
    "example.org",
];

/// Why a host is not a production host, if it is not.
fn throwaway(host: &str) -> Option<String> {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    if h.parse::<std::net::IpAddr>().is_ok() {
        return Some(format!(
            "host `{host}` is an IP address; Ingress hosts are DNS names"
        ));
    }
    THROWAWAY
        .iter()
        .find(|d| h == **d || h.ends_with(&format!(".{d}")))
        .map(|d| {
            let zone = if d.contains('.') {
                format!("on `{d}`")
            } else {
                format!("under `.{d}`")
            };
            format!("host `{host}` is {zone}, a domain for tests and local development")
        })
}

declare_rule! {
    /// ## What it does
    /// Reports Ingress rules without a `host`, wildcard hosts (`*.acme.com`), an Ingress that
    /// only has a `defaultBackend`, and hosts on domains meant for tests and examples: `nip.io`,
    /// `sslip.io`, `xip.io`, `localhost`, `*.local`, `*.test`, `example.com` and the like, or
    /// a bare IP address.
    ///
    /// ## Why it matters
    /// A rule without a host answers for every name that resolves to the load balancer,
    /// including names you do not own pointed at your IP, and it shadows or is shadowed by other
    /// Ingresses on the same controller depending on their order. A wildcard host does the same
    /// for a whole subdomain. A throwaway domain means the manifest is a development setup:
    /// nobody can get a public certificate for it, `nip.io` names are resolved by a third party,
    /// and the real hostname production needs is decided somewhere else, by hand.
    ///
    /// ## How to fix
    /// Name the real host of the service (one rule per host):
    ///
    /// ```yaml
    /// spec:
    ///   rules:
    ///     - host: shop.acme.com
    ///       http:
    ///         paths:
    ///           - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
    /// ```
    ///
    /// ## Severity
    /// Medium: it routes traffic that was not meant for the service, or shows the manifests are
    /// not ready for a real domain.
    pub struct IngressHostNotProduction {
        id: "NET-009",
        name: "ingress-host-not-production",
        gap: Network,
        severity: Medium,
        target: Target::Kinds(&["Ingress"]),
        summary: "Ingress host is empty, a wildcard, or a test domain",
        peers: [
            Kyverno: ["best-practices/disallow-empty-ingress-host", "other/restrict-ingress-wildcard"],
        ],
    }
}

impl Rule for IngressHostNotProduction {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if !matches!(o.group(), "networking.k8s.io" | "extensions") {
            return;
        }
        let Some(spec) = o.spec() else { return };
        let name = o.name().unwrap_or("");
        let rules = spec.get("rules").filter(|r| !r.is_empty() && !r.is_null());
        let Some(rules) = rules else {
            if let Some(b) = spec.get("defaultBackend").or_else(|| spec.get("backend")) {
                cx.report(
                    b,
                    format!(
                        "Ingress `{name}` has only a default backend; it answers for every hostname"
                    ),
                );
            }
            return;
        };
        for r in rules.items() {
            let host = r.get("host").filter(|h| !h.is_null());
            let Some(h) = host else {
                cx.report(
                    r,
                    format!(
                        "a rule of Ingress `{name}` has no `host`; it answers for every hostname"
                    ),
                );
                continue;
            };
            let Some(text) = h.as_str() else { continue };
            if text.contains("{{") {
                continue;
            }
            if text == "*" || text.starts_with("*.") {
                cx.report(
                    h,
                    format!("wildcard host `{text}` routes every name under it to this backend"),
                );
            } else if text.is_empty() {
                cx.report(
                    h,
                    format!("a rule of Ingress `{name}` has an empty `host`; it answers for every hostname"),
                );
            } else if let Some(why) = throwaway(text) {
                cx.report(h, why);
            }
        }
    }
}
