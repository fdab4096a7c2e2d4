use plimsoll_model::Index;

use super::support::named_workload_namespaces;
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports each namespace the scan deploys workloads to (by name) that has no
    /// `ResourceQuota` in the scan. The finding points at the `Namespace` object when the scan
    /// has it, else at the namespace's first workload. Namespaces of Kubernetes itself
    /// (`kube-*`) are not reported.
    ///
    /// ## Why it matters
    /// Without a quota, one namespace can claim all of the cluster: a runaway HPA, a
    /// crash-looping Job that spawns pods, or a bad loop that creates LoadBalancer Services or
    /// PersistentVolumeClaims consumes capacity, cloud spend and API objects that other teams
    /// needed. A quota turns that into an error in the namespace that caused it.
    ///
    /// ## How to fix
    /// Give the namespace a quota sized for what it runs:
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ResourceQuota
    /// metadata: {name: compute, namespace: shop}
    /// spec:
    ///   hard:
    ///     requests.cpu: "8"
    ///     requests.memory: 16Gi
    ///     limits.memory: 16Gi
    ///     pods: "50"
    ///     services.loadbalancers: "1"
    /// ```
    ///
    /// ## Severity
    /// Low: it matters in shared clusters and when something runs away; quotas are often
    /// managed by the platform outside the application's repository.
    pub struct NamespaceWithoutQuota {
        id: "ACC-013",
        name: "namespace-without-quota",
        gap: Access,
        severity: Low,
        target: Target::Index,
        summary: "Namespace has no ResourceQuota",
        peers: [
            Trivy: ["KSV-0040"],
            Kyverno: ["best-practices/add-ns-quota"],
        ],
    }
}

impl Rule for NamespaceWithoutQuota {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for (ns, first) in named_workload_namespaces(ix) {
            if ix.others_in(ns).any(|o| &*o.id.kind == "ResourceQuota") {
                continue;
            }
            let at = ix.namespace_object(ns).unwrap_or(first);
            cx.report(
                at,
                at.loc,
                format!("namespace `{ns}` runs workloads but has no ResourceQuota; it can take the whole cluster's capacity"),
            );
        }
    }
}
