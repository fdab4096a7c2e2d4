use plimsoll_model::{Container, Workload};

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers (init and ephemeral ones included) that add `NET_RAW`, or that keep
    /// it from the runtime's default set because `capabilities.drop` has neither `ALL` nor
    /// `NET_RAW` (any spelling: `net_raw`, `CAP_NET_RAW`). A container that cannot use the
    /// capability anyway is not reported: one that runs as a non-root user (`runAsNonRoot: true`
    /// or a non-zero `runAsUser`) with `allowPrivilegeEscalation: false`, since its processes
    /// start without capabilities and can never gain them. Privileged containers are left to
    /// WKL-001; Windows pods are skipped.
    ///
    /// ## Why it matters
    /// `NET_RAW` lets a process open raw sockets: craft any packet with any source address on
    /// the pod network. A compromised pod can then ARP-spoof or DNS-spoof its neighbours on the
    /// node, inject traffic into other pods' connections, and scan the cluster network in ways
    /// NetworkPolicies do not anticipate; several Kubernetes CVEs (CVE-2020-14386,
    /// CVE-2020-10749) needed exactly this capability. It is in the runtime's default set mostly
    /// so that `ping` works; services do not need it.
    ///
    /// ## How to fix
    /// ```yaml
    /// securityContext:
    ///   allowPrivilegeEscalation: false
    ///   capabilities:
    ///     drop: ["ALL"]
    /// ```
    ///
    /// ## Severity
    /// Medium: it is the default capability most used in real attacks on pod networking, but it
    /// acts on the network of one node and needs root in the container.
    pub struct NetRaw {
        id: "WKL-009",
        name: "net-raw-not-dropped",
        gap: Workload,
        severity: Medium,
        target: Target::Workloads,
        summary: "Container keeps or adds the `NET_RAW` capability",
        peers: [
            KubeLinter: ["drop-net-raw-capability"],
            Checkov: ["CKV_K8S_28"],
            Kubescape: ["C-0199"],
            Trivy: ["KSV-0119"],
            Kyverno: ["best-practices/require-drop-cap-net-raw"],
        ],
    }
}

/// Runs as a non-root UID with `no_new_privs`: it holds no capability and cannot gain one.
fn cannot_use_capabilities(c: &Container<'_>) -> bool {
    let non_root = sc::effective(c, &["runAsNonRoot"])
        .is_some_and(|(n, _)| n.as_bool() == Some(true))
        || sc::effective(c, &["runAsUser"]).is_some_and(|(n, _)| n.as_i64().is_some_and(|u| u > 0));
    let no_escalation = c
        .security_context()
        .and_then(|s| s.get_bool("allowPrivilegeEscalation"))
        == Some(false);
    non_root && no_escalation
}

impl Rule for NetRaw {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        for c in w.containers() {
            if sc::is_privileged(&c) {
                continue;
            }
            let added: Vec<_> = c
                .capabilities("add")
                .into_iter()
                .filter(|(cap, _)| cap == "NET_RAW")
                .collect();
            if !added.is_empty() {
                for (_, node) in added {
                    cx.report_in(
                        &c,
                        node,
                        format!(
                            "container `{}` adds `NET_RAW`: it can forge packets and spoof its neighbours on the node",
                            c.name()
                        ),
                    );
                }
                continue;
            }
            if c.capabilities("drop")
                .iter()
                .any(|(cap, _)| cap == "ALL" || cap == "NET_RAW")
                || cannot_use_capabilities(&c)
            {
                continue;
            }
            let caps = c.security_context().and_then(|s| s.get("capabilities"));
            let at = caps
                .and_then(|k| k.get("drop"))
                .or(caps)
                .unwrap_or_else(|| sc::container_anchor(&c));
            cx.report_in(
                &c,
                at,
                format!(
                    "container `{}` keeps `NET_RAW` from the runtime's defaults: it can forge packets and spoof its neighbours on the node; drop `ALL` or `NET_RAW`",
                    c.name()
                ),
            );
        }
    }
}
