use plimsoll_model::Object;

use super::support::is_hook;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports bare `Pod` objects: pods not created through a Deployment, StatefulSet,
    /// DaemonSet, Job or other controller. Helm and Argo CD hook pods (`helm.sh/hook`,
    /// `argocd.argoproj.io/hook`) and pods with `ownerReferences` are not reported.
    ///
    /// ## Why it matters
    /// Nothing recreates a bare pod. When its node fails, is drained or is upgraded, the pod is
    /// gone for good and the service it ran with it, until a human notices and reapplies the
    /// manifest. It also cannot be rolled out gradually: changing it means deleting it.
    ///
    /// ## How to fix
    /// Wrap the pod in a controller:
    ///
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: api}
    /// spec:
    ///   replicas: 2
    ///   selector: {matchLabels: {app: api}}
    ///   template:
    ///     metadata: {labels: {app: api}}
    ///     spec:
    ///       containers: [{name: api, image: ghcr.io/acme/api:1.0.0}]
    /// ```
    ///
    /// ## Severity
    /// Low: the pod runs fine until its node goes away; it is a latent outage, not an active one.
    pub struct NakedPod {
        id: "RES-012",
        name: "naked-pod",
        gap: Resilience,
        severity: Low,
        target: Target::Kinds(&["Pod"]),
        summary: "Pod is not managed by a controller",
        peers: [
            Kubescape: ["C-0073"],
            Kyverno: ["other/prevent-bare-pods"],
        ],
    }
}

impl Rule for NakedPod {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "" || is_hook(o) {
            return;
        }
        if o.metadata.and_then(|m| m.get("ownerReferences")).is_some() {
            return;
        }
        cx.report(
            o.anchor(),
            format!(
                "Pod `{}` has no controller; nothing recreates it when its node goes away",
                o.name().unwrap_or("")
            ),
        );
    }
}
