//! Helpers shared by the resilience rules.

use plimsoll_model::facts::WorkloadFacts;
use plimsoll_model::{Container, ContainerKind, Index, ObjectFacts, Workload};
use plimsoll_yaml::Node;

/// Containers whose resources the scheduler counts: regular and init containers (ephemeral
/// containers cannot have resources).
pub(super) fn scheduled_containers<'a>(
    w: &Workload<'a>,
) -> impl Iterator<Item = Container<'a>> + 'a {
    w.containers()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
}

/// `resources.<section>.<name>` of a container (`requests`/`limits`, `cpu`/`memory`).
pub(super) fn resource<'a>(c: &Container<'a>, section: &str, name: &str) -> Option<Node<'a>> {
    c.resources()?
        .get(section)?
        .get(name)
        .filter(|n| !n.is_null())
}

/// Where a finding about a container's missing resource points: its `resources:` key when
/// present, else its `name:`.
pub(super) fn resources_anchor<'a>(c: &Container<'a>) -> Node<'a> {
    c.resources().unwrap_or_else(|| c.anchor())
}

/// The fewest replicas a workload runs: the HPA's `minReplicas` (default 1) when an HPA scales
/// it, else its replicas.
pub(super) fn min_replicas(ix: &Index, o: &ObjectFacts, w: &WorkloadFacts) -> Option<i64> {
    let hpa = ix
        .hpas_targeting(o.ns(), o.kind(), &o.id.name)
        .find_map(|h| match &h.detail {
            plimsoll_model::Detail::Hpa(h) => Some(h.min_replicas.unwrap_or(1)),
            _ => None,
        });
    hpa.or(w.replicas)
}

/// Helm and Argo CD hooks: short-lived objects the tool creates and deletes around a release.
pub(super) fn is_hook(o: &plimsoll_model::Object<'_>) -> bool {
    o.annotation("helm.sh/hook").is_some() || o.annotation("argocd.argoproj.io/hook").is_some()
}
