use plimsoll_formats::compose::{ComposeFile, MountKind};
use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `hostPath` volumes that expose the container runtime's socket: the socket itself
    /// (`docker.sock`, `containerd.sock`, `crio.sock`, `cri-dockerd.sock`, `dockershim.sock`,
    /// `podman.sock`, wherever it lives) or a directory that holds it (`/var/run`, `/run`,
    /// `/run/containerd`, `/var/run/docker`, `/var/run/crio`, `/run/k3s/containerd`, ...).
    /// Paths are compared after removing trailing and doubled slashes. Mounting the whole host
    /// root is a broader `hostPath` problem and is not reported here.
    ///
    /// Compose services that bind-mount the Docker (or another runtime's) socket are reported too.
    ///
    /// ## Why it matters
    /// The runtime socket is the node's root shell by another name: whoever can write to it can
    /// start a privileged container with the host's filesystem mounted, read every other
    /// container's environment and files, and stop or replace any pod on the node, all without
    /// Kubernetes seeing it. A `readOnly` mount does not help: connecting to a Unix socket is
    /// not a write to the filesystem. Build tools and log or security agents that ask for it
    /// should use a rootless builder (BuildKit rootless, Kaniko) or the runtime's read-only APIs
    /// (CRI stats, the kubelet's pod-resources API) instead.
    ///
    /// ## How to fix
    /// Remove the volume and its mounts. To build images in the cluster, use a builder that
    /// needs no daemon:
    ///
    /// ```yaml
    /// containers:
    ///   - name: build
    ///     image: gcr.io/kaniko-project/executor:v1.23.2
    ///     args: ["--context=dir:///workspace", "--destination=ghcr.io/acme/web:1.4.2"]
    /// # and no `hostPath: { path: /var/run/docker.sock }` volume
    /// ```
    ///
    /// In a Compose file, remove the `/var/run/docker.sock` bind mount; a tool that must drive
    /// Docker should go through an authorising proxy that allows only the calls it needs.
    ///
    /// ## Severity
    /// Critical: access to the runtime socket is full control of the node and of every pod on
    /// it.
    pub struct RuntimeSocket {
        id: "WKL-015",
        name: "runtime-socket-mount",
        gap: Workload,
        severity: Critical,
        target: Target::Workloads,
        also: [Target::ComposeFiles],
        summary: "Pod mounts the container runtime socket from the host",
        peers: [
            KubeLinter: ["docker-sock"],
            Checkov: ["CKV_K8S_27"],
            Kubescape: ["C-0074"],
            Trivy: ["KSV-0006"],
            Kyverno: ["best-practices/disallow-cri-sock-mount"],
        ],
    }
}

/// File names of container-runtime sockets.
const SOCKETS: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "cri-dockerd.sock",
    "dockershim.sock",
    "podman.sock",
];

/// Directories that hold a runtime socket.
const SOCKET_DIRS: &[&str] = &[
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

/// `path` without trailing or doubled slashes.
fn normalise(path: &str) -> String {
    let parts: Vec<&str> = path.trim().split('/').filter(|p| !p.is_empty()).collect();
    format!("/{}", parts.join("/"))
}

/// What the host path exposes, when it exposes a runtime socket.
fn exposes(path: &str) -> Option<&'static str> {
    let p = normalise(path);
    let file = p.rsplit('/').next().unwrap_or("");
    if SOCKETS.contains(&file) {
        Some("the container runtime's socket")
    } else if SOCKET_DIRS.contains(&p.as_str()) {
        Some("a directory holding the container runtime's socket")
    } else {
        None
    }
}

impl Rule for RuntimeSocket {
    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        for s in c.services() {
            cx.set_object(plimsoll_formats::runnable::Runnable::Compose(s).object_id());
            for m in s.mounts() {
                if m.kind != MountKind::Bind {
                    continue;
                }
                let Some(source) = &m.source else { continue };
                let Some(what) = exposes(source) else {
                    continue;
                };
                cx.report_span(
                    m.span,
                    format!(
                        "service `{}` mounts the host's `{source}`, {what}: whoever reaches it controls every container on the host, and the host",
                        s.name()
                    ),
                );
            }
        }
        cx.set_object(None);
    }

    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for v in w.volumes() {
            let Some(path) = v.path(&["hostPath", "path"]) else {
                continue;
            };
            let Some(text) = path.as_str() else { continue };
            let Some(what) = exposes(text) else { continue };
            let name = v.get_str("name").unwrap_or("");
            cx.report(
                path,
                format!(
                    "volume `{name}` mounts the host's `{text}`, {what}: whoever reaches it controls every container on the node"
                ),
            );
        }
    }
}
