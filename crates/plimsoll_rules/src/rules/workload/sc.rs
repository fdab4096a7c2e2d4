//! Security-context helpers shared by the workload rules.
//!
//! Candidates for `plimsoll_model` (on `Workload` and `Container`); kept here, private to the
//! gap, until they move.

use plimsoll_model::{Container, Workload};
use plimsoll_yaml::Node;

use crate::rule::Cx;

/// True for pods that run on Windows nodes (`spec.os.name: windows`, or a
/// `kubernetes.io/os: windows` node selector). Linux-only fields (capabilities, seccomp,
/// SELinux, `runAsUser`, ...) do not apply to them and the API server rejects them there.
pub(super) fn is_windows(w: &Workload<'_>) -> bool {
    let os = w.pod_spec.path(&["os", "name"]).and_then(|n| n.as_str());
    let selector = w
        .pod_spec
        .path(&["nodeSelector", "kubernetes.io/os"])
        .and_then(|n| n.as_str());
    os == Some("windows") || selector == Some("windows")
}

/// `securityContext.privileged: true`: such a container has every capability whatever else
/// it says, and the privileged-container rule already reports it.
pub(super) fn is_privileged(c: &Container<'_>) -> bool {
    c.security_context()
        .and_then(|s| s.get_bool("privileged"))
        .unwrap_or(false)
}

/// Where a finding about something missing in a container's security context points: its
/// `securityContext:` key when it has one, else its `name:` key.
pub(super) fn container_anchor<'a>(c: &Container<'a>) -> Node<'a> {
    c.security_context().unwrap_or_else(|| c.anchor())
}

/// Where a finding about something missing in the pod's security context points: its
/// `securityContext:` key when it has one, else the object's name.
pub(super) fn pod_anchor<'a>(w: &Workload<'a>) -> Node<'a> {
    w.pod_security_context().unwrap_or_else(|| w.anchor())
}

/// A container's effective value of a security-context field (`path` under `securityContext`):
/// its own, else the pod's, with `true` when it comes from the pod. Null counts as unset.
pub(super) fn effective<'a>(c: &Container<'a>, path: &[&str]) -> Option<(Node<'a>, bool)> {
    let set = |sc: Option<Node<'a>>| sc.and_then(|s| s.path(path)).filter(|n| !n.is_null());
    set(c.security_context())
        .map(|n| (n, false))
        .or_else(|| set(c.pod_spec.get("securityContext")).map(|n| (n, true)))
}

/// Who an effective security-context value applies to.
pub(super) enum Scope<'a> {
    /// Set in this container's own `securityContext`.
    Container(Container<'a>),
    /// Set in the pod's `securityContext` and inherited by these containers.
    Pod(Vec<&'a str>),
}

impl Scope<'_> {
    /// `container `a`` or `containers `a`, `b``.
    pub(super) fn subject(&self) -> String {
        match self {
            Scope::Container(c) => format!("container `{}`", c.name()),
            Scope::Pod(names) => containers_phrase(names),
        }
    }

    /// Empty for a container's own setting, ` in the pod's securityContext` for an inherited one.
    pub(super) fn origin(&self) -> &'static str {
        match self {
            Scope::Container(_) => "",
            Scope::Pod(_) => " in the pod's securityContext",
        }
    }

    /// Report at `node`, naming the container when the setting is its own.
    pub(super) fn report(&self, cx: &mut Cx<'_>, node: Node<'_>, message: String) {
        match self {
            Scope::Container(c) => {
                cx.report_in(c, node, message);
            }
            Scope::Pod(_) => {
                cx.report(node, message);
            }
        }
    }
}

/// `container `a`` or `containers `a`, `b` and `c``.
pub(super) fn containers_phrase(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [one] => format!("container {one}"),
        [init @ .., last] => format!("containers {} and {last}", init.join(", ")),
        [] => "no container".to_string(),
    }
}

/// Visit the effective values of a security-context field that containers inherit from the
/// pod (`runAsUser`, `seccompProfile`, `windowsOptions.hostProcess`, ...): each container's
/// own value, then the pod's value once, with the containers that inherit it (it is not
/// visited when every container overrides it). `path` is relative to `securityContext`; null
/// values count as unset, as in Kubernetes.
pub(super) fn visit_inherited<'a>(
    w: &Workload<'a>,
    path: &[&str],
    mut f: impl FnMut(Scope<'a>, Node<'a>),
) {
    let set = |sc: Option<Node<'a>>| sc.and_then(|s| s.path(path)).filter(|n| !n.is_null());
    let pod = set(w.pod_security_context());
    let mut inheritors = Vec::new();
    for c in w.containers() {
        match set(c.security_context()) {
            Some(n) => f(Scope::Container(c), n),
            None => inheritors.push(c.name()),
        }
    }
    if let Some(n) = pod
        && !inheritors.is_empty()
    {
        f(Scope::Pod(inheritors), n);
    }
}

/// Report containers lacking a setting (`lacking`, in pod order, out of `total` containers):
/// one finding at the pod when no container has it (the fix is one line in the pod's
/// `securityContext`), else one per lacking container.
pub(super) fn report_missing(
    w: &Workload<'_>,
    cx: &mut Cx<'_>,
    lacking: &[Container<'_>],
    total: usize,
    pod_message: impl FnOnce(&str) -> String,
    container_message: impl Fn(&Container<'_>) -> String,
) {
    if lacking.is_empty() {
        return;
    }
    if lacking.len() == total {
        let names: Vec<&str> = lacking.iter().map(|c| c.name()).collect();
        cx.report(pod_anchor(w), pod_message(&containers_phrase(&names)));
    } else {
        for c in lacking {
            cx.report_in(c, container_anchor(c), container_message(c));
        }
    }
}
