use plimsoll_model::Index;

use super::support::named_workload_namespaces;
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports each namespace the scan deploys workloads to (by name) that has no `LimitRange`
    /// in the scan. The finding points at the `Namespace` object when the scan has it, else at
    /// the namespace's first workload. Namespaces of Kubernetes itself (`kube-*`) are not
    /// reported.
    ///
    /// ## Why it matters
    /// A LimitRange gives containers that forgot their requests and limits sane defaults, and
    /// caps the ones that ask for too much. Without it, every container without resources
    /// runs unbounded and unscheduled-for, and a ResourceQuota on CPU or memory rejects such
    /// pods outright, which surfaces as a failed rollout instead of a warning.
    ///
    /// ## How to fix
    /// Add defaults and bounds for the namespace:
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata: {name: defaults, namespace: shop}
    /// spec:
    ///   limits:
    ///     - type: Container
    ///       defaultRequest: {cpu: 100m, memory: 128Mi}
    ///       default: {memory: 256Mi}
    ///       max: {memory: 4Gi}
    /// ```
    ///
    /// ## Severity
    /// Low: it is a safety net for containers that should set their own resources.
    pub struct NamespaceWithoutLimitRange {
        id: "ACC-014",
        name: "namespace-without-limitrange",
        gap: Access,
        severity: Low,
        target: Target::Index,
        summary: "Namespace has no LimitRange",
        peers: [
            Trivy: ["KSV-0039"],
            Kyverno: ["best-practices/add-ns-quota"],
        ],
    }
}

impl Rule for NamespaceWithoutLimitRange {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for (ns, first) in named_workload_namespaces(ix) {
            if ix.others_in(ns).any(|o| &*o.id.kind == "LimitRange") {
                continue;
            }
            let at = ix.namespace_object(ns).unwrap_or(first);
            cx.report(
                at,
                at.loc,
                format!("namespace `{ns}` runs workloads but has no LimitRange; containers without resources get no defaults"),
            );
        }
    }
}
