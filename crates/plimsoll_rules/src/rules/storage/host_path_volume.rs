use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

/// Container runtime sockets (and the directories holding them): `runtime-socket-mount` reports
/// those, as the more serious finding they are.
fn is_runtime_socket(path: &str) -> bool {
    const SOCKETS: &[&str] = &[
        "docker.sock",
        "containerd.sock",
        "crio.sock",
        "cri-dockerd.sock",
        "dockershim.sock",
        "podman.sock",
    ];
    const DIRS: &[&str] = &[
        "/var/run",
        "/run",
        "/var/run/docker",
        "/run/docker",
        "/var/run/containerd",
        "/run/containerd",
        "/var/run/crio",
        "/run/crio",
        "/var/run/cri-dockerd",
        "/run/cri-dockerd",
        "/var/run/podman",
        "/run/podman",
        "/run/k3s/containerd",
        "/var/run/k3s/containerd",
    ];
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let norm = format!("/{}", parts.join("/"));
    parts.last().is_some_and(|f| SOCKETS.contains(f)) || DIRS.contains(&norm.as_str())
}

declare_rule! {
    /// ## What it does
    /// Reports pod volumes of type `hostPath`, saying which containers mount them writable.
    /// Container runtime sockets are left to `runtime-socket-mount`, which reports them as
    /// the more serious finding they are.
    ///
    /// ## Why it matters
    /// A `hostPath` volume hands the pod a directory of the node it lands on. The data does not
    /// follow the pod: reschedule it and it starts on another node with another (usually empty)
    /// directory, so state silently forks or disappears. It is also a hole in isolation: the
    /// pod sees, and if writable can change, files that belong to the node and to every other
    /// pod on it (kubelet state, logs, credentials, other pods' volumes); a compromised container
    /// with a writable host mount is one step from the node. The Pod Security Standards forbid
    /// `hostPath` at the `baseline` level.
    ///
    /// ## How to fix
    /// Keep data in a PersistentVolumeClaim, scratch space in an `emptyDir`, configuration in a
    /// ConfigMap. A node agent that truly needs the host should mount only the path it needs,
    /// read-only:
    ///
    /// ```yaml
    /// volumes:
    ///   - name: data
    ///     persistentVolumeClaim: {claimName: data}
    /// # node agents only:
    ///   - name: proc
    ///     hostPath: {path: /proc, type: Directory}
    /// containers:
    ///   - name: agent
    ///     volumeMounts: [{name: proc, mountPath: /host/proc, readOnly: true}]
    /// ```
    ///
    /// ## Severity
    /// High: it ties data to one node and breaks the wall between the pod and the node; not
    /// Critical because most host paths (read-only `/proc` or `/sys` for an agent) are not a
    /// direct way out.
    pub struct HostPathVolume {
        id: "STO-001",
        name: "host-path-volume",
        gap: Storage,
        severity: High,
        target: Target::Workloads,
        summary: "Pod mounts a directory of the node (`hostPath` volume)",
        peers: [
            Polaris: ["hostPathSet"],
            KubeLinter: ["writable-host-mount", "sensitive-host-mounts"],
            Kubescape: ["C-0048", "C-0045", "C-0203"],
            Trivy: ["KSV-0023", "KSV-0121"],
            Kyverno: [
                "pod-security/baseline/disallow-host-path",
                "other/ensure-readonly-hostpath",
                "other/limit-hostpath-vols",
            ],
        ],
    }
}

impl Rule for HostPathVolume {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for v in w.volumes() {
            let Some(hp) = v.get("hostPath") else {
                continue;
            };
            let vname = v.get_str("name").unwrap_or("");
            let path = hp.get_str("path").unwrap_or("");
            if is_runtime_socket(path) {
                continue;
            }
            let mut mounted = false;
            let mut writers = Vec::new();
            for c in w.containers() {
                for m in c.get("volumeMounts").into_iter().flat_map(|m| m.items()) {
                    if m.get_str("name") == Some(vname) {
                        mounted = true;
                        if m.get_bool("readOnly") != Some(true) {
                            writers.push(c.name());
                        }
                    }
                }
            }
            writers.dedup();
            let how = if !writers.is_empty() {
                format!("writable by `{}`", writers.join("`, `"))
            } else if mounted {
                "read-only".to_string()
            } else {
                "not mounted by any container yet".to_string()
            };
            cx.report(
                hp,
                format!("volume `{vname}` mounts the node's `{path}` into the pod ({how})"),
            );
        }
    }
}
