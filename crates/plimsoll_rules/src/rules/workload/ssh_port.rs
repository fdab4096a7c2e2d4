use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports container ports that serve SSH: `containerPort: 22`, or a port named `ssh`
    /// (init and ephemeral containers included).
    ///
    /// ## Why it matters
    /// An SSH server in a container is a second, interactive way in next to the application:
    /// another daemon to patch, host keys and `authorized_keys` baked into an image or a
    /// Secret, and a login that bypasses Kubernetes' RBAC and audit log, so nobody can tell who
    /// ran what in production. It is also a common backdoor left by attackers and by debugging
    /// sessions that were never cleaned up. Kubernetes already provides audited access with
    /// `kubectl exec` and `kubectl debug`.
    ///
    /// ## How to fix
    /// Remove the SSH server and its port; use `kubectl exec`, or an ephemeral debug container,
    /// under RBAC:
    ///
    /// ```yaml
    /// ports:
    ///   - name: http
    ///     containerPort: 8080
    /// # debugging: kubectl debug -it pod/web --image=busybox:1.36 --target=web
    /// ```
    ///
    /// ## Severity
    /// Medium: it adds an authentication surface and an unaudited access path, but the port is
    /// still behind whatever Services and NetworkPolicies expose it.
    pub struct SshPort {
        id: "WKL-024",
        name: "ssh-port-exposed",
        gap: Workload,
        severity: Medium,
        target: Target::Workloads,
        summary: "Container exposes an SSH port",
        peers: [
            KubeLinter: ["ssh-port"],
            Kubescape: ["C-0042"],
        ],
    }
}

impl Rule for SshPort {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in w.containers() {
            for port in c.ports() {
                let number = port.get("containerPort");
                let name = port.get("name");
                let by_number = number.filter(|n| n.as_i64() == Some(22));
                let by_name =
                    name.filter(|n| n.as_str().is_some_and(|s| s.eq_ignore_ascii_case("ssh")));
                let Some(at) = by_number.or(by_name) else {
                    continue;
                };
                let what = match number.and_then(|n| n.as_i64()) {
                    Some(p) => format!("port {p}"),
                    None => "a port".to_string(),
                };
                cx.report_in(
                    &c,
                    at,
                    format!(
                        "container `{}` exposes SSH on {what}: an interactive login outside Kubernetes' RBAC and audit log",
                        c.name()
                    ),
                );
            }
        }
    }
}
