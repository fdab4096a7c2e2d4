use plimsoll_model::Index;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports workloads placed in the `default` namespace, explicitly or by having no
    /// namespace at all (where `kubectl apply` without `-n` puts them).
    ///
    /// ## Why it matters
    /// Namespaces are where quotas, LimitRanges, NetworkPolicies, Pod Security levels and RBAC
    /// are scoped. `default` is shared with everything else that forgot to choose, usually has
    /// none of these, and cannot be deleted to clean up. A manifest without a namespace lands
    /// wherever the operator's current context points, which is how staging workloads end up in
    /// production.
    ///
    /// ## How to fix
    /// Give the application its own namespace, in the manifests or in the Kustomization:
    ///
    /// ```yaml
    /// apiVersion: kustomize.config.k8s.io/v1beta1
    /// kind: Kustomization
    /// namespace: shop
    /// resources: [deployment.yaml, service.yaml]
    /// ```
    ///
    /// ## Severity
    /// Low: it weakens isolation and invites mistakes, without being a hole by itself.
    pub struct DefaultNamespace {
        id: "ACC-011",
        name: "default-namespace",
        gap: Access,
        severity: Low,
        target: Target::Index,
        summary: "Workload runs in the default namespace",
        peers: [
            KubeLinter: ["use-namespace"],
            Checkov: ["CKV_K8S_21"],
            Kubescape: ["C-0061"],
            Trivy: ["KSV-0110"],
            Kyverno: ["best-practices/disallow-default-namespace"],
        ],
    }
}

impl Rule for DefaultNamespace {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for (o, _) in ix.workloads() {
            let msg = match o.id.namespace.as_deref() {
                Some("default") => format!(
                    "{} `{}` is deployed to the `default` namespace",
                    o.kind(),
                    o.id.name
                ),
                None => format!(
                    "{} `{}` has no namespace; it lands in whatever namespace the current context points at, usually `default`",
                    o.kind(),
                    o.id.name
                ),
                Some(_) => continue,
            };
            cx.report(o, o.loc, msg);
        }
    }
}
