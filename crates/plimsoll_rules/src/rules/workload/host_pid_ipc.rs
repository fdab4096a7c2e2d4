use plimsoll_formats::compose::ComposeFile;
use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports pods with `hostPID: true` or `hostIPC: true` (any workload kind, CronJob
    /// templates included), one finding per field.
    ///
    /// Compose services with `pid: host` or `ipc: host` are reported too.
    ///
    /// ## Why it matters
    /// With `hostPID` the pod sees every process on the node: their command lines and
    /// environment variables (where secrets often are), and through `/proc/<pid>/root` their
    /// files. As root, or with `SYS_PTRACE`, it can signal, trace and inject code into them, the
    /// kubelet and the container runtime included; `nsenter -t 1` is then a shell on the node.
    /// With `hostIPC` it shares the node's System V and POSIX shared memory and semaphores, so it
    /// can read or corrupt the memory that host processes and other host-IPC pods exchange. The
    /// Pod Security Standards forbid both at `baseline`.
    ///
    /// ## How to fix
    /// Remove them; use `shareProcessNamespace: true` if containers of the same pod need to see
    /// each other's processes:
    ///
    /// ```yaml
    /// spec:
    ///   hostPID: false
    ///   hostIPC: false
    ///   shareProcessNamespace: true   # only if needed, and only within the pod
    /// ```
    ///
    /// In a Compose file, remove `pid: host` and `ipc: host`.
    ///
    /// ## Severity
    /// Critical: both remove an isolation boundary between the pod and the node, and `hostPID`
    /// with root is a one-command escape.
    pub struct HostPidIpc {
        id: "WKL-013",
        name: "host-pid-ipc",
        gap: Workload,
        severity: Critical,
        target: Target::Workloads,
        also: [Target::ComposeFiles],
        summary: "Pod shares the node's process or IPC namespace",
        peers: [
            KubeLinter: ["host-pid", "host-ipc"],
            Polaris: ["hostPIDSet", "hostIPCSet"],
            Checkov: ["CKV_K8S_17", "CKV_K8S_18"],
            Kubescape: ["C-0038"],
            Trivy: ["KSV-0010", "KSV-0008"],
            Kyverno: ["pod-security/baseline/disallow-host-namespaces"],
        ],
    }
}

impl Rule for HostPidIpc {
    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        for s in c.services() {
            cx.set_object(plimsoll_formats::runnable::Runnable::Compose(s).object_id());
            for (key, what) in [
                (
                    "pid",
                    "process namespace (`pid: host`): it sees every process on the host, their environment and their files",
                ),
                (
                    "ipc",
                    "IPC namespace (`ipc: host`): it can read and write the shared memory of every process on the host",
                ),
            ] {
                if let Some((mode, f)) = s.get_str(key)
                    && mode == "host"
                {
                    cx.report_span(
                        f.span,
                        format!("service `{}` shares the host's {what}", s.name()),
                    );
                }
            }
        }
        cx.set_object(None);
    }

    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        let fields = [
            (
                "hostPID",
                "the pod shares the node's process namespace (`hostPID: true`): it sees every process on the node, their environment and their files",
            ),
            (
                "hostIPC",
                "the pod shares the node's IPC namespace (`hostIPC: true`): it can read and write the shared memory of host processes",
            ),
        ];
        for (field, msg) in fields {
            if let Some(n) = w.pod_spec.get(field)
                && n.as_bool() == Some(true)
            {
                cx.report(n, msg);
            }
        }
    }
}
