use plimsoll_model::Index;

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports a scan that contains workloads but no GitOps controller object: no Argo CD
    /// `Application` or `ApplicationSet`, no Flux `Kustomization` or `HelmRelease`.
    ///
    /// ## Why it matters
    /// Without a controller that applies Git to the cluster, changes reach production by hand
    /// (`kubectl apply` from a laptop, a CI job with cluster-admin). Nobody can say what is
    /// running, drift goes unnoticed, and rolling back means remembering what was applied. With
    /// GitOps every change is a reviewed commit and a rollback is a revert.
    ///
    /// ## How to fix
    /// Manage the manifests with Argo CD or Flux, and keep the controller object in the repository:
    ///
    /// ```yaml
    /// apiVersion: argoproj.io/v1alpha1
    /// kind: Application
    /// metadata: {name: shop, namespace: argocd}
    /// spec:
    ///   project: shop
    ///   source: {repoURL: https://git.example.com/shop.git, path: deploy, targetRevision: main}
    ///   destination: {server: https://kubernetes.default.svc, namespace: shop}
    ///   syncPolicy: {automated: {prune: true, selfHeal: true}}
    /// ```
    ///
    /// ## Severity
    /// Medium: it does not open a hole, but it is the difference between changes you can review
    /// and revert and changes you cannot.
    pub struct NoGitopsController {
        id: "CHG-001",
        name: "no-gitops-controller",
        gap: Change,
        severity: Medium,
        target: Target::Index,
        summary: "No Argo CD or Flux object manages the scanned manifests",
        peers: [],
    }
}

impl Rule for NoGitopsController {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        if ix.workloads().next().is_some() && ix.gitops_objects().next().is_none() {
            cx.report_scan("no Argo CD Application or Flux Kustomization/HelmRelease manages these manifests; changes are applied by hand");
        }
    }
}
