use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Services that set `spec.externalIPs`.
    ///
    /// ## Why it matters
    /// Every node's kube-proxy captures traffic to the listed IPs and sends it to the Service's
    /// pods, whoever owns those IPs. A Service that lists someone else's address (a database, a
    /// DNS server, an external API) silently intercepts the cluster's traffic to it: this is
    /// CVE-2020-8554, which Kubernetes did not fix in code and asks clusters to block by policy.
    /// The field is almost never needed; load balancers and Ingresses cover its legitimate uses.
    ///
    /// ## How to fix
    /// Remove `externalIPs`; expose the Service through a LoadBalancer or an Ingress:
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata: {name: web}
    /// spec:
    ///   type: LoadBalancer
    ///   selector: {app: web}
    ///   ports: [{port: 443, targetPort: https}]
    /// ```
    ///
    /// ## Severity
    /// High: it is a known way to intercept other workloads' traffic inside the cluster.
    pub struct ServiceExternalIps {
        id: "NET-005",
        name: "service-external-ips",
        gap: Network,
        severity: High,
        target: Target::Kinds(&["Service"]),
        summary: "Service sets `externalIPs`",
        peers: [
            Kyverno: ["best-practices/restrict-service-external-ips"],
            Trivy: ["KSV-0108"],
        ],
    }
}

impl Rule for ServiceExternalIps {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "" {
            return;
        }
        if let Some(ips) = o.spec().and_then(|s| s.get("externalIPs"))
            && !ips.is_empty()
        {
            let list: Vec<&str> = ips.items().filter_map(|i| i.as_str()).collect();
            cx.report(
                ips,
                format!(
                    "Service `{}` captures traffic for external IP(s) {} on every node",
                    o.name().unwrap_or(""),
                    list.join(", ")
                ),
            );
        }
    }
}
