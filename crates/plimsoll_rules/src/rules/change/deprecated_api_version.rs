use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

/// API versions Kubernetes stopped serving: (apiVersion, kinds (empty = every kind), the
/// release that removed it, what to use instead).
const REMOVED: &[(&str, &[&str], &str, &str)] = &[
    (
        "extensions/v1beta1",
        &["Ingress"],
        "1.22",
        "networking.k8s.io/v1",
    ),
    (
        "extensions/v1beta1",
        &["NetworkPolicy"],
        "1.16",
        "networking.k8s.io/v1",
    ),
    (
        "extensions/v1beta1",
        &["PodSecurityPolicy"],
        "1.16",
        "Pod Security Admission",
    ),
    ("extensions/v1beta1", &[], "1.16", "apps/v1"),
    ("apps/v1beta1", &[], "1.16", "apps/v1"),
    ("apps/v1beta2", &[], "1.16", "apps/v1"),
    (
        "policy/v1beta1",
        &["PodSecurityPolicy"],
        "1.25",
        "Pod Security Admission",
    ),
    ("policy/v1beta1", &[], "1.25", "policy/v1"),
    ("batch/v1beta1", &[], "1.25", "batch/v1"),
    ("batch/v2alpha1", &[], "1.21", "batch/v1"),
    ("autoscaling/v2beta1", &[], "1.25", "autoscaling/v2"),
    ("autoscaling/v2beta2", &[], "1.26", "autoscaling/v2"),
    (
        "networking.k8s.io/v1beta1",
        &[],
        "1.22",
        "networking.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        &[],
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1alpha1",
        &[],
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "apiextensions.k8s.io/v1beta1",
        &[],
        "1.22",
        "apiextensions.k8s.io/v1",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        &[
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
        ],
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    (
        "apiregistration.k8s.io/v1beta1",
        &[],
        "1.22",
        "apiregistration.k8s.io/v1",
    ),
    (
        "certificates.k8s.io/v1beta1",
        &[],
        "1.22",
        "certificates.k8s.io/v1",
    ),
    (
        "coordination.k8s.io/v1beta1",
        &[],
        "1.22",
        "coordination.k8s.io/v1",
    ),
    (
        "scheduling.k8s.io/v1beta1",
        &[],
        "1.22",
        "scheduling.k8s.io/v1",
    ),
    (
        "scheduling.k8s.io/v1alpha1",
        &[],
        "1.22",
        "scheduling.k8s.io/v1",
    ),
    (
        "storage.k8s.io/v1beta1",
        &["CSIStorageCapacity"],
        "1.27",
        "storage.k8s.io/v1",
    ),
    ("storage.k8s.io/v1beta1", &[], "1.22", "storage.k8s.io/v1"),
    (
        "discovery.k8s.io/v1beta1",
        &[],
        "1.25",
        "discovery.k8s.io/v1",
    ),
    ("events.k8s.io/v1beta1", &[], "1.25", "events.k8s.io/v1"),
    ("node.k8s.io/v1beta1", &[], "1.25", "node.k8s.io/v1"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        &[],
        "1.26",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta2",
        &[],
        "1.29",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta3",
        &[],
        "1.32",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
];

declare_rule! {
    /// ## What it does
    /// Reports objects written with an API version that Kubernetes no longer serves:
    /// `extensions/v1beta1`, `apps/v1beta1` and `v1beta2`, `policy/v1beta1` (PodDisruptionBudget
    /// and PodSecurityPolicy), `batch/v1beta1` CronJob, `networking.k8s.io/v1beta1` Ingress,
    /// `autoscaling/v2beta1` and `v2beta2`, the `v1beta1` RBAC, CRD, webhook, storage and
    /// flow-control APIs, and the rest of the Kubernetes deprecation guide.
    ///
    /// ## Why it matters
    /// A removed API version is not a warning: `kubectl apply` fails with `no matches for kind`,
    /// Helm and Argo CD stop syncing the release, and the object cannot be created on a current
    /// cluster. Manifests that still use one are either never applied (so not what runs) or
    /// pin the cluster to an unsupported, unpatched Kubernetes version. The newer versions also
    /// change defaults and required fields, so the migration needs a review, not a search and
    /// replace on the day of the upgrade.
    ///
    /// ## How to fix
    /// Move to the served version and adjust the fields it changed:
    ///
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1   # was extensions/v1beta1
    /// kind: Ingress
    /// spec:
    ///   rules:
    ///     - host: shop.acme.com
    ///       http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend: {service: {name: web, port: {number: 80}}}
    /// ```
    ///
    /// ## Severity
    /// Medium: it blocks deployment and upgrades rather than opening a hole, and it fails loudly.
    pub struct DeprecatedApiVersion {
        id: "CHG-003",
        name: "deprecated-api-version",
        gap: Change,
        severity: Medium,
        target: Target::AnyObject,
        summary: "Object uses an API version Kubernetes no longer serves",
        peers: [
            KubeScore: ["stable-version"],
            KubeLinter: ["no-extensions-v1beta"],
            Trivy: ["KSV-0107"],
            Kyverno: ["best-practices/check-deprecated-apis"],
        ],
    }
}

impl Rule for DeprecatedApiVersion {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        let Some((_, _, removed, instead)) = REMOVED.iter().find(|(v, kinds, _, _)| {
            *v == o.api_version && (kinds.is_empty() || kinds.contains(&o.kind))
        }) else {
            return;
        };
        let at = o.root.get("apiVersion").unwrap_or_else(|| o.anchor());
        let msg = if instead.contains('/') {
            format!(
                "`{}` {} is not served since Kubernetes {removed}; use `{instead}`",
                o.api_version, o.kind
            )
        } else {
            format!(
                "`{}` {} was removed in Kubernetes {removed} with no replacement API; use {instead}",
                o.api_version, o.kind
            )
        };
        cx.report(at, msg);
    }
}
