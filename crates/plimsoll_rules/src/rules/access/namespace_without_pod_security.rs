use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

const ENFORCE: &str = "pod-security.kubernetes.io/enforce";

declare_rule! {
    /// ## What it does
    /// Reports `Namespace` objects without the `pod-security.kubernetes.io/enforce` label.
    ///
    /// ## Why it matters
    /// Pod Security Admission is the built-in guard that rejects privileged pods, host
    /// namespaces, hostPath mounts and root containers, but it only enforces what a namespace
    /// asks for. Without the label the cluster default applies, which is `privileged` (nothing
    /// enforced) unless the platform changed it. Any pod spec slip, or any subject that can
    /// create pods, can then run a container that takes over its node.
    ///
    /// ## How to fix
    /// Enforce a level (and warn on the stricter one while you get there):
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: shop
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: baseline
    ///     pod-security.kubernetes.io/warn: restricted
    /// ```
    ///
    /// ## Severity
    /// Medium: it removes the safety net against privileged pods, which other mistakes then
    /// turn into node compromise.
    pub struct NamespaceWithoutPodSecurity {
        id: "ACC-015",
        name: "namespace-without-pod-security",
        gap: Access,
        severity: Medium,
        target: Target::Kinds(&["Namespace"]),
        summary: "Namespace does not enforce a Pod Security level",
        peers: [
            Kubescape: ["C-0192"],
            Kyverno: ["psa/add-psa-labels"],
        ],
    }
}

impl Rule for NamespaceWithoutPodSecurity {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "" || o.label(ENFORCE).is_some() {
            return;
        }
        cx.report(
            o.labels().unwrap_or_else(|| o.anchor()),
            format!(
                "Namespace `{}` has no `{ENFORCE}` label; Pod Security Admission enforces nothing in it",
                o.name().unwrap_or("")
            ),
        );
    }
}
