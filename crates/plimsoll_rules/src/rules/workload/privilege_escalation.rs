use plimsoll_formats::compose::ComposeFile;
use plimsoll_formats::runnable::{Platform, Runnable, Switch};
use plimsoll_formats::systemd::Unit;
use plimsoll_model::Workload;

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};
use crate::rules::runnable;

declare_rule! {
    /// ## What it does
    /// Reports containers (init and ephemeral ones included) that do not set
    /// `securityContext.allowPrivilegeEscalation: false`, or set it to `true`. The field exists
    /// only at container level, and Kubernetes defaults it to `true`. Privileged containers are
    /// left to `privileged-container` (WKL-001), which they always escalate past; Windows pods
    /// are skipped (the field is Linux-only).
    ///
    /// Compose services without `security_opt: ["no-new-privileges:true"]` (privileged ones are
    /// left to `privileged-container`) and systemd services without `NoNewPrivileges=yes`
    /// (`DynamicUser=yes` implies it) are reported too.
    ///
    /// ## Why it matters
    /// `allowPrivilegeEscalation: false` sets the kernel's `no_new_privs` flag: no process in the
    /// container can ever gain more privileges than it started with. Without it, a setuid binary
    /// in the image (`su`, `sudo`, `passwd`, `mount`, `ping` on older bases) or a file capability
    /// turns a bug in a non-root service into root inside the container, which is one step from
    /// the node. It costs nothing for nearly every service, and the Pod Security Standards'
    /// `restricted` profile requires it.
    ///
    /// ## How to fix
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     securityContext:
    ///       allowPrivilegeEscalation: false
    /// ```
    ///
    /// In a Compose file: `security_opt: ["no-new-privileges:true"]`. In a systemd unit:
    /// `NoNewPrivileges=yes`.
    ///
    /// ## Severity
    /// High: it is the switch that keeps a compromised non-root process non-root; without it the
    /// other hardening (non-root user, dropped capabilities) can be undone from inside.
    pub struct PrivilegeEscalation {
        id: "WKL-002",
        name: "privilege-escalation-allowed",
        gap: Workload,
        severity: High,
        target: Target::Workloads,
        also: [Target::ComposeFiles, Target::SystemdUnits],
        summary: "Container does not set `allowPrivilegeEscalation: false`",
        peers: [
            KubeLinter: ["privilege-escalation-container"],
            Polaris: ["privilegeEscalationAllowed"],
            Checkov: ["CKV_K8S_20"],
            Kubescape: ["C-0016"],
            Trivy: ["KSV-0001"],
            Kyverno: ["pod-security/restricted/disallow-privilege-escalation"],
            SystemdAnalyze: ["NoNewPrivileges"],
        ],
    }
}

/// Compose services and systemd services.
fn check(r: &Runnable<'_>, cx: &mut Cx<'_>) {
    if r.privileged().is_some() {
        return;
    }
    let subject = r.subject();
    let (at, message) = match (r.platform(), r.no_new_privileges()) {
        (_, Switch::On { .. }) => return,
        (Platform::Systemd, Switch::Off { at }) => (
            at,
            format!(
                "{subject} sets `NoNewPrivileges=no`: its processes can gain privileges through setuid binaries"
            ),
        ),
        (Platform::Systemd, Switch::Unset { at }) => (
            at,
            format!(
                "{subject} does not set `NoNewPrivileges=yes`: its processes can gain privileges through setuid binaries"
            ),
        ),
        (_, Switch::Off { at }) => (
            at,
            format!(
                "{subject} turns `no-new-privileges` off: its processes can gain privileges through setuid binaries"
            ),
        ),
        (_, Switch::Unset { at }) => (
            at,
            format!(
                "{subject} does not set `security_opt: [\"no-new-privileges:true\"]`: its processes can gain privileges through setuid binaries"
            ),
        ),
    };
    runnable::report(cx, r, at, message);
}

impl Rule for PrivilegeEscalation {
    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        runnable::compose(c, cx, check);
    }

    fn check_unit(&self, u: &Unit, cx: &mut Cx<'_>) {
        runnable::unit(u, cx, check);
    }

    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if sc::is_windows(w) {
            return;
        }
        for c in w.containers() {
            if sc::is_privileged(&c) {
                continue;
            }
            let field = c
                .security_context()
                .and_then(|s| s.get("allowPrivilegeEscalation"))
                .filter(|n| !n.is_null());
            match field {
                Some(n) => {
                    if n.as_bool() == Some(true) {
                        cx.report_in(
                            &c,
                            n,
                            format!(
                                "container `{}` sets `allowPrivilegeEscalation: true`: its processes can gain privileges through setuid binaries",
                                c.name()
                            ),
                        );
                    }
                }
                None => {
                    cx.report_in(
                        &c,
                        sc::container_anchor(&c),
                        format!(
                            "container `{}` does not set `allowPrivilegeEscalation: false` (it defaults to true): its processes can gain privileges through setuid binaries",
                            c.name()
                        ),
                    );
                }
            }
        }
    }
}
