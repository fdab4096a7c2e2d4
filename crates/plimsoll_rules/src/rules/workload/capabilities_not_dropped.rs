use plimsoll_formats::compose::ComposeFile;
use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers (init and ephemeral ones included) whose
    /// `securityContext.capabilities.drop` does not include `ALL` (in any letter case).
    /// Privileged containers are left to `privileged-container` (WKL-001); Windows
    /// pods are skipped (capabilities are Linux-only).
    ///
    /// Compose services whose `cap_drop` does not include `ALL` are reported too (privileged ones
    /// are left to `privileged-container`).
    ///
    /// ## Why it matters
    /// Container runtimes grant a default set of capabilities to every container: `CHOWN`,
    /// `DAC_OVERRIDE`, `FOWNER`, `SETUID`, `SETGID`, `NET_RAW`, `MKNOD`, `KILL` and more. A web
    /// service needs none of them, but an attacker who gets root in the container uses them to
    /// read any file regardless of permissions, change users, forge packets or create device
    /// nodes. Dropping `ALL` and adding back the one or two a process really needs (often
    /// `NET_BIND_SERVICE`, or nothing) shrinks what any compromise can do, and the Pod Security
    /// Standards' `restricted` profile requires it.
    ///
    /// ## How to fix
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: ["ALL"]
    ///     add: ["NET_BIND_SERVICE"]   # only if it binds a port below 1024
    /// ```
    ///
    /// In a Compose file: `cap_drop: [ALL]`, then `cap_add:` only what the process needs.
    ///
    /// ## Severity
    /// Low: the default set is not enough to leave the container on its own, and a non-root
    /// process cannot use it; it is defence in depth for when something else has failed.
    pub struct CapabilitiesNotDropped {
        id: "WKL-008",
        name: "capabilities-not-dropped",
        gap: Workload,
        severity: Low,
        target: Target::Workloads,
        also: [Target::ComposeFiles],
        summary: "Container does not drop all capabilities",
        peers: [
            Polaris: ["insecureCapabilities"],
            Checkov: ["CKV_K8S_37"],
            Kubescape: ["C-0055"],
            Trivy: ["KSV-0003", "KSV-0004", "KSV-0106"],
            Kyverno: [
                "best-practices/require-drop-all",
                "pod-security/restricted/disallow-capabilities-strict",
            ],
        ],
    }
}

impl Rule for CapabilitiesNotDropped {
    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        for s in c.services() {
            if s.get_bool("privileged").is_some_and(|(p, _)| p) {
                continue;
            }
            let dropped = s.capabilities("cap_drop");
            if dropped.iter().any(|(cap, _)| cap == "ALL") {
                continue;
            }
            let object = plimsoll_formats::runnable::Runnable::Compose(s).object_id();
            cx.set_object(object);
            let message = if dropped.is_empty() {
                format!(
                    "service `{}` keeps the runtime's default capabilities (`CHOWN`, `DAC_OVERRIDE`, `SETUID`, `NET_RAW`, ...): add `cap_drop: [ALL]`",
                    s.name()
                )
            } else {
                let list: Vec<String> = dropped.iter().map(|(cap, _)| format!("`{cap}`")).collect();
                format!(
                    "service `{}` drops only {} and keeps the rest of the runtime's default capabilities: drop `ALL`",
                    s.name(),
                    list.join(", ")
                )
            };
            let at = s
                .get("cap_drop")
                .map(|f| f.span)
                .unwrap_or_else(|| s.key_span());
            cx.report_span(at, message);
        }
        cx.set_object(None);
    }

    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        for c in w.containers() {
            if sc::is_privileged(&c) {
                continue;
            }
            let dropped = c.capabilities("drop");
            if dropped.iter().any(|(cap, _)| cap == "ALL") {
                continue;
            }
            let caps = c.security_context().and_then(|s| s.get("capabilities"));
            let drop = caps.and_then(|k| k.get("drop"));
            match drop {
                Some(node) if !dropped.is_empty() => {
                    let list: Vec<String> =
                        dropped.iter().map(|(cap, _)| format!("`{cap}`")).collect();
                    cx.report_in(
                        &c,
                        node,
                        format!(
                            "container `{}` drops only {} and keeps the rest of the runtime's default capabilities: drop `ALL`",
                            c.name(),
                            list.join(", ")
                        ),
                    );
                }
                _ => {
                    let at = drop.or(caps).unwrap_or_else(|| sc::container_anchor(&c));
                    cx.report_in(
                        &c,
                        at,
                        format!(
                            "container `{}` keeps the runtime's default capabilities (`CHOWN`, `DAC_OVERRIDE`, `SETUID`, `NET_RAW`, ...): drop `ALL`",
                            c.name()
                        ),
                    );
                }
            }
        }
    }
}
