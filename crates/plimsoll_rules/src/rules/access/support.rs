//! Helpers shared by the access-control rules.

use plimsoll_model::{Index, Object, ObjectFacts};
use plimsoll_yaml::Node;

/// The kinds that carry RBAC rules.
pub(super) const ROLE_KINDS: &[&str] = &["Role", "ClusterRole"];
/// The kinds that bind roles to subjects.
pub(super) const BINDING_KINDS: &[&str] = &["RoleBinding", "ClusterRoleBinding"];

/// One entry of a Role's `rules`, with its lists as `(text, node)`.
pub(super) struct PolicyRule<'a> {
    pub api_groups: Vec<(&'a str, Node<'a>)>,
    pub resources: Vec<(&'a str, Node<'a>)>,
    pub verbs: Vec<(&'a str, Node<'a>)>,
}

impl<'a> PolicyRule<'a> {
    /// Applies to the core API group (where pods and secrets live).
    pub fn core(&self) -> bool {
        self.api_groups
            .iter()
            .any(|(g, _)| g.is_empty() || *g == "*")
    }

    /// Grants one of `verbs` (or `*`).
    pub fn grants(&self, verbs: &[&str]) -> bool {
        self.verbs
            .iter()
            .any(|(v, _)| *v == "*" || verbs.contains(v))
    }

    /// The resource entries equal to one of `names` (explicitly, not through `*`).
    pub fn resources_named<'s>(
        &'s self,
        names: &'s [&str],
    ) -> impl Iterator<Item = (&'a str, Node<'a>)> + 's {
        self.resources
            .iter()
            .filter(move |(r, _)| names.contains(r))
            .copied()
    }
}

fn strings<'a>(n: Option<Node<'a>>) -> Vec<(&'a str, Node<'a>)> {
    n.into_iter()
        .flat_map(|l| l.items())
        .filter_map(|i| Some((i.as_str()?, i)))
        .collect()
}

/// The rules of a Role or ClusterRole of the RBAC API group. Aggregated ClusterRoles are
/// skipped: the controller overwrites their `rules`.
pub(super) fn policy_rules<'a>(o: &Object<'a>) -> Vec<PolicyRule<'a>> {
    if o.group() != "rbac.authorization.k8s.io" || o.root.get("aggregationRule").is_some() {
        return Vec::new();
    }
    o.root
        .get("rules")
        .into_iter()
        .flat_map(|r| r.items())
        .map(|r| PolicyRule {
            api_groups: strings(r.get("apiGroups")),
            resources: strings(r.get("resources")),
            verbs: strings(r.get("verbs")),
        })
        .collect()
}

/// `Role "x"` or `ClusterRole "x"`, for messages.
pub(super) fn role_label(o: &Object<'_>) -> String {
    format!("{} `{}`", o.kind, o.name().unwrap_or(""))
}

/// Namespaces the scan deploys workloads to by name (objects with an explicit or defaulted
/// `metadata.namespace`), with the first workload of each, in name order. Namespaces reserved
/// for Kubernetes itself (`kube-*`) are left out.
pub(super) fn named_workload_namespaces(ix: &Index) -> Vec<(&str, &ObjectFacts)> {
    ix.namespaces()
        .filter(|ns| !ns.starts_with("kube-"))
        .filter_map(|ns| {
            let first = ix
                .workloads_in(ns)
                .map(|(o, _)| o)
                .filter(|o| o.id.namespace.is_some())
                .min_by_key(|o| o.loc)?;
            Some((ns, first))
        })
        .collect()
}
