//! Helpers shared by the observability rules.

use plimsoll_model::{Container, ContainerKind, Workload};
use plimsoll_yaml::Node;

/// Containers that run for the whole life of a long-running pod and can carry probes: regular
/// containers and native sidecars (init containers with `restartPolicy: Always`). Empty for
/// Jobs and CronJobs, which run to completion. Containers with `image: auto` are templates that
/// Istio's injector fills in (probes included) and are left out.
pub(super) fn long_running_containers<'a>(
    w: &Workload<'a>,
) -> impl Iterator<Item = Container<'a>> + 'a {
    let batch = w.kind.is_batch();
    w.containers().filter(move |c| {
        !batch
            && c.node.get_str("image") != Some("auto")
            && match c.kind {
                ContainerKind::Regular => true,
                ContainerKind::Init => c.node.get_str("restartPolicy") == Some("Always"),
                ContainerKind::Ephemeral => false,
            }
    })
}

/// A container that declares at least one port: it serves something.
pub(super) fn is_serving(c: &Container<'_>) -> bool {
    c.ports().any(|p| p.get("containerPort").is_some())
}

/// The ports a container declares, as `8080` or `8080 (http)`, joined for a message.
pub(super) fn port_list(c: &Container<'_>) -> String {
    c.ports()
        .filter_map(|p| {
            let n = p.get("containerPort")?.as_str()?;
            Some(match p.get_str("name") {
                Some(name) => format!("{n} ({name})"),
                None => n.to_string(),
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The handler of a probe or lifecycle hook (`httpGet`, `tcpSocket`, `exec`, `grpc`), as
/// `(field, node)`.
pub(super) fn handler<'a>(probe: Node<'a>) -> Option<(&'static str, Node<'a>)> {
    ["httpGet", "tcpSocket", "grpc", "exec"]
        .into_iter()
        .find_map(|f| probe.get(f).map(|n| (f, n)))
}

/// A canonical text of a YAML value: mappings with sorted keys, scalars by text. Two values that
/// Kubernetes decodes the same way have the same canonical text.
pub(super) fn canonical(n: Node<'_>) -> String {
    if n.is_mapping() {
        let mut e: Vec<(String, String)> = n
            .entries()
            .map(|(k, v)| (k.text().unwrap_or("").to_string(), canonical(v)))
            .collect();
        e.sort();
        e.dedup_by(|a, b| a.0 == b.0);
        let inner: Vec<String> = e.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
        format!("{{{}}}", inner.join(","))
    } else if n.is_sequence() {
        let inner: Vec<String> = n.items().map(canonical).collect();
        format!("[{}]", inner.join(","))
    } else {
        n.text().unwrap_or("").to_string()
    }
}

/// Port names that say "Prometheus metrics here": `metrics`, `http-metrics`, `metrics-tls`...
pub(super) fn is_metrics_port_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "metrics" || n.ends_with("-metrics") || n.starts_with("metrics-")
}

/// The Prometheus Operator monitors of a scan.
pub(super) fn monitors(
    ix: &plimsoll_model::Index,
) -> Vec<(
    &plimsoll_model::ObjectFacts,
    &plimsoll_model::facts::MonitorFacts,
)> {
    ix.objects
        .iter()
        .filter_map(|o| match &o.detail {
            plimsoll_model::Detail::Monitor(m) => Some((o, m)),
            _ => None,
        })
        .collect()
}

/// Whether a monitor looks for targets in namespace `ns`.
pub(super) fn monitor_watches(
    monitor: &plimsoll_model::ObjectFacts,
    m: &plimsoll_model::facts::MonitorFacts,
    ns: &str,
) -> bool {
    match &m.namespaces {
        None => monitor.ns() == ns,
        Some(list) if list.is_empty() => true,
        Some(list) => list.iter().any(|n| &**n == ns),
    }
}
