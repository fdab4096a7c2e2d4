use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

/// Annotations that make a cloud load balancer internal (annotation, value that means internal;
/// `None` = any value but `false`).
const INTERNAL: &[(&str, Option<&str>)] = &[
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        None,
    ),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        Some("internal"),
    ),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        Some("true"),
    ),
    ("networking.gke.io/load-balancer-type", Some("Internal")),
    ("cloud.google.com/load-balancer-type", Some("Internal")),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        Some("true"),
    ),
    (
        "service.beta.kubernetes.io/openstack-internal-load-balancer",
        Some("true"),
    ),
    (
        "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type",
        Some("private"),
    ),
    (
        "service.beta.kubernetes.io/do-loadbalancer-type",
        Some("internal"),
    ),
];

declare_rule! {
    /// ## What it does
    /// Reports Services of `type: LoadBalancer` that are neither internal (by their cloud's
    /// internal load balancer annotation) nor restricted by `loadBalancerSourceRanges`.
    ///
    /// ## Why it matters
    /// A LoadBalancer Service asks the cloud for a public IP that forwards straight to the pods,
    /// bypassing the Ingress or gateway where TLS, authentication, WAF rules and rate limits
    /// are. Each one is also a separately billed load balancer. Databases, admin consoles and
    /// metrics endpoints end up on the internet this way, usually because the chart default was
    /// `LoadBalancer`.
    ///
    /// ## How to fix
    /// Route through the Ingress controller, or make the load balancer internal and restrict
    /// who may connect:
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: db
    ///   annotations:
    ///     networking.gke.io/load-balancer-type: Internal
    /// spec:
    ///   type: LoadBalancer
    ///   loadBalancerSourceRanges: [10.0.0.0/8]
    /// ```
    ///
    /// ## Severity
    /// Medium: it puts the workload on the internet, but the workload may be meant to be there
    /// (the Ingress controller itself is such a Service).
    pub struct LoadBalancerService {
        id: "NET-004",
        name: "load-balancer-service",
        gap: Network,
        severity: Medium,
        target: Target::Kinds(&["Service"]),
        summary: "Service gets a public cloud load balancer (`type: LoadBalancer`)",
        peers: [
            KubeLinter: ["exposed-services"],
            Kyverno: ["other/restrict-loadbalancer"],
            Kubescape: ["C-0256"],
        ],
    }
}

impl Rule for LoadBalancerService {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "" {
            return;
        }
        let Some(spec) = o.spec() else { return };
        let Some(t) = spec.get("type") else { return };
        if t.as_str() != Some("LoadBalancer") {
            return;
        }
        let internal = INTERNAL.iter().any(|(k, v)| {
            o.annotation(k).is_some_and(|a| match v {
                Some(v) => a.eq_ignore_ascii_case(v),
                None => !a.eq_ignore_ascii_case("false"),
            })
        });
        let ranges: Vec<&str> = spec
            .get("loadBalancerSourceRanges")
            .into_iter()
            .flat_map(|r| r.items())
            .filter_map(|r| r.as_str())
            .collect();
        let restricted =
            !ranges.is_empty() && !ranges.iter().any(|r| *r == "0.0.0.0/0" || *r == "::/0");
        if internal || restricted {
            return;
        }
        cx.report(
            t,
            format!(
                "Service `{}` gets a public load balancer that forwards straight to its pods",
                o.name().unwrap_or("")
            ),
        );
    }
}
