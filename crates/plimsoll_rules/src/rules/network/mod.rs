use plimsoll_model::selector::{LabelSelector, Operator};
use plimsoll_model::{Index, ObjectFacts};

use crate::rule::Rule;

mod egress_not_restricted;
mod ingress_backend_missing;
mod ingress_host_not_production;
mod ingress_without_tls;
mod load_balancer_service;
mod namespace_without_default_deny;
mod network_policy_selects_no_pods;
mod node_port_service;
mod pod_not_isolated;
mod service_external_ips;
mod service_selects_no_pods;
mod service_target_port_unknown;

pub const RULES: &[&dyn Rule] = &[
    &pod_not_isolated::PodNotIsolated,
    &namespace_without_default_deny::NamespaceWithoutDefaultDeny,
    &node_port_service::NodePortService,
    &load_balancer_service::LoadBalancerService,
    &service_external_ips::ServiceExternalIps,
    &service_selects_no_pods::ServiceSelectsNoPods,
    &ingress_backend_missing::IngressBackendMissing,
    &ingress_without_tls::IngressWithoutTls,
    &ingress_host_not_production::IngressHostNotProduction,
    &service_target_port_unknown::ServiceTargetPortUnknown,
    &network_policy_selects_no_pods::NetworkPolicySelectsNoPods,
    &egress_not_restricted::EgressNotRestricted,
];

/// A selector as `kubectl` prints it: `app=web,tier in (a,b)`.
fn show_selector(s: &LabelSelector) -> String {
    s.requirements
        .iter()
        .map(|r| match r.op {
            Operator::In if r.values.len() == 1 => format!("{}={}", r.key, r.values[0]),
            Operator::In => format!("{} in ({})", r.key, r.values.join(",")),
            Operator::NotIn => format!("{} notin ({})", r.key, r.values.join(",")),
            Operator::Exists => r.key.to_string(),
            Operator::DoesNotExist => format!("!{}", r.key),
            Operator::Invalid => format!("{} <invalid operator>", r.key),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// API groups of Kubernetes itself; everything else is a custom resource.
fn is_builtin_group(api_version: &str) -> bool {
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    matches!(
        group,
        "" | "apps" | "batch" | "autoscaling" | "policy" | "extensions"
    ) || group.ends_with(".k8s.io")
}

/// Whether the pods a selector looks for may exist without a workload in the scan: a custom
/// resource of the namespace (an operator's `Prometheus`, `Kafka`, `Cluster`...) carries labels
/// the selector matches, and operators usually copy those onto the pods they create.
fn operator_may_create_pods(ix: &Index, ns: &str, s: &LabelSelector) -> bool {
    ix.others_in(ns)
        .any(|o: &ObjectFacts| !is_builtin_group(&o.id.api_version) && s.matches(&o.labels))
}
