use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Flux objects committed with `spec.suspend: true` (Kustomizations, HelmReleases
    /// and their sources).
    ///
    /// ## Why it matters
    /// A suspended Flux object stops reconciling: commits to the repository no longer reach the
    /// cluster, and drift is no longer reverted. Suspending is a useful emergency brake during
    /// an incident, but committed to Git it becomes permanent and silent: the repository looks
    /// managed while the cluster runs whatever was there when it was suspended.
    ///
    /// ## How to fix
    /// Resume reconciliation (suspend from the command line, `flux suspend`, when needed):
    ///
    /// ```yaml
    /// apiVersion: kustomize.toolkit.fluxcd.io/v1
    /// kind: Kustomization
    /// spec:
    ///   suspend: false
    ///   interval: 10m
    ///   prune: true
    /// ```
    ///
    /// ## Severity
    /// Low: nothing breaks at once; changes simply stop arriving.
    pub struct GitopsSyncSuspended {
        id: "CHG-009",
        name: "gitops-sync-suspended",
        gap: Change,
        severity: Low,
        target: Target::Kinds(&[
            "Kustomization",
            "HelmRelease",
            "GitRepository",
            "OCIRepository",
            "HelmRepository",
            "HelmChart",
            "Bucket",
            "ImageUpdateAutomation",
        ]),
        summary: "Flux object is committed suspended and does not reconcile",
        peers: [],
    }
}

impl Rule for GitopsSyncSuspended {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if !o.group().ends_with(".toolkit.fluxcd.io") {
            return;
        }
        if let Some(s) = o.spec().and_then(|s| s.get("suspend"))
            && s.as_bool() == Some(true)
        {
            cx.report(
                s,
                format!(
                    "{} `{}` is suspended; commits no longer reach the cluster",
                    o.kind,
                    o.name().unwrap_or("")
                ),
            );
        }
    }
}
