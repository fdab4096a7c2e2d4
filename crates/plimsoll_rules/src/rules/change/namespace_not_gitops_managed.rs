use plimsoll_model::Index;
use plimsoll_model::facts::Detail;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// When the scan has GitOps objects (Argo CD Applications and ApplicationSets, Flux
    /// Kustomizations and HelmReleases), reports namespaces with workloads that none of them
    /// deploys to. A GitOps object whose target namespace is not written (Flux without
    /// `targetNamespace`, an Application without `destination.namespace`) or is templated may
    /// deploy anywhere, and covers every namespace; so do workloads that name no namespace,
    /// which land in whatever namespace the GitOps object chooses. Scans with no GitOps object
    /// at all are reported by `no-gitops-controller` instead.
    ///
    /// ## Why it matters
    /// GitOps only protects what it manages. A namespace outside every Application is deployed
    /// by hand or by a pipeline with cluster credentials, its drift goes unnoticed, and it is
    /// forgotten when the cluster is rebuilt from Git. These are usually the namespaces
    /// added in a hurry: a new service, a hotfix, a tool someone installed once.
    ///
    /// ## How to fix
    /// Add an Application (or Kustomization) for the namespace:
    ///
    /// ```yaml
    /// apiVersion: argoproj.io/v1alpha1
    /// kind: Application
    /// metadata: {name: reports, namespace: argocd}
    /// spec:
    ///   project: analytics
    ///   source: {repoURL: https://git.acme.com/analytics.git, path: reports, targetRevision: main}
    ///   destination: {server: https://kubernetes.default.svc, namespace: reports}
    ///   syncPolicy: {automated: {prune: true, selfHeal: true}}
    /// ```
    ///
    /// ## Severity
    /// Low: the rest of the platform is under GitOps; this is the part that slipped through.
    pub struct NamespaceNotGitopsManaged {
        id: "CHG-006",
        name: "namespace-not-gitops-managed",
        gap: Change,
        severity: Low,
        target: Target::Index,
        summary: "Namespace with workloads is the target of no GitOps object",
        peers: [],
    }
}

impl Rule for NamespaceNotGitopsManaged {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        let mut targets = Vec::new();
        let mut any = false;
        for g in ix.gitops_objects() {
            any = true;
            let Detail::GitOps(f) = &g.detail else {
                continue;
            };
            match f.destination_namespace.as_deref() {
                Some(ns) if !ns.is_empty() && !ns.contains("{{") && !ns.contains("${") => {
                    targets.push(ns)
                }
                // no namespace (or a templated one): may deploy anywhere
                _ => return,
            }
        }
        if !any {
            return;
        }
        for ns in ix.namespaces() {
            // objects that name no namespace go wherever the GitOps object puts them
            let workloads = ix
                .workloads_in(ns)
                .filter(|(o, _)| o.id.namespace.is_some())
                .count();
            if workloads == 0 || targets.contains(&ns) {
                continue;
            }
            let Some(at) = ix.namespace_anchor(ns) else {
                continue;
            };
            cx.report(
                at,
                at.loc,
                format!(
                    "no Argo CD Application or Flux object deploys to namespace `{ns}` ({workloads} workload(s)); it is changed by hand"
                ),
            );
        }
    }
}
