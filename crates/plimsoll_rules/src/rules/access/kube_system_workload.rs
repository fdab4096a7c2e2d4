use plimsoll_model::Index;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports workloads deployed to the `kube-system` namespace.
    ///
    /// ## Why it matters
    /// `kube-system` holds the cluster's own components and their highly privileged
    /// ServiceAccounts and Secrets; it is typically exempt from Pod Security enforcement, from
    /// admission policies and from NetworkPolicies. A workload placed there inherits all of that
    /// leniency and sits next to credentials it has no business reaching, and platform teams
    /// lose track of what is theirs when upgrading.
    ///
    /// ## How to fix
    /// Deploy add-ons and applications to a namespace of their own:
    ///
    /// ```yaml
    /// metadata:
    ///   name: metrics-agent
    ///   namespace: observability
    /// ```
    ///
    /// ## Severity
    /// Medium: it bypasses the controls the cluster applies to workloads; some cluster add-ons
    /// (CNI, DNS) legitimately live there and are worth a suppression with a reason.
    pub struct KubeSystemWorkload {
        id: "ACC-012",
        name: "kube-system-workload",
        gap: Access,
        severity: Medium,
        target: Target::Index,
        summary: "Workload is deployed to kube-system",
        peers: [
            Trivy: ["KSV-0037"],
        ],
    }
}

impl Rule for KubeSystemWorkload {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for (o, _) in ix.workloads() {
            if o.id.namespace.as_deref() == Some("kube-system") {
                cx.report(
                    o,
                    o.loc,
                    format!(
                        "{} `{}` runs in kube-system, beside the cluster's own privileged components",
                        o.kind(),
                        o.id.name
                    ),
                );
            }
        }
    }
}
