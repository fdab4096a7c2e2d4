use plimsoll_model::{Container, Workload};

use super::sc;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers (init and ephemeral ones included) that have no security context at
    /// all: neither their own `securityContext` nor the pod's is present with at least one
    /// field (`{}` counts as absent). When no container of the pod has one, a single finding
    /// points at the pod.
    ///
    /// ## Why it matters
    /// Every hardening setting is then left to the image and the runtime defaults: root if the
    /// image says so, escalation allowed, the default capability set, a writable root
    /// filesystem and, unless the kubelet says otherwise, no seccomp. The other workload rules
    /// say what each missing field costs; this one flags the manifests that have not started
    /// hardening at all, which are the ones a Pod Security admission level will reject first.
    ///
    /// ## How to fix
    /// Start from the `restricted` profile and relax only what the program proves it needs:
    ///
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     seccompProfile: { type: RuntimeDefault }
    ///   containers:
    ///     - name: web
    ///       securityContext:
    ///         allowPrivilegeEscalation: false
    ///         readOnlyRootFilesystem: true
    ///         capabilities: { drop: ["ALL"] }
    /// ```
    ///
    /// ## Severity
    /// Low: the specific risks are reported, with their own severities, by the rules for each
    /// field; this is the summary signal that none of them was considered.
    pub struct SecurityContextMissing {
        id: "WKL-023",
        name: "security-context-missing",
        gap: Workload,
        severity: Low,
        target: Target::Workloads,
        summary: "Neither the pod nor the container sets a security context",
        peers: [
            Checkov: ["CKV_K8S_29", "CKV_K8S_30"],
            Kubescape: ["C-0211"],
            Trivy: ["KSV-0118"],
        ],
    }
}

/// A `securityContext` with at least one field.
fn present(sc: Option<plimsoll_yaml::Node<'_>>) -> bool {
    sc.is_some_and(|s| s.is_mapping() && !s.is_empty())
}

impl Rule for SecurityContextMissing {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if present(w.pod_security_context()) {
            return;
        }
        let all: Vec<Container<'_>> = w.containers().collect();
        let lacking: Vec<Container<'_>> = all
            .iter()
            .filter(|c| !present(c.security_context()))
            .copied()
            .collect();
        sc::report_missing(
            w,
            cx,
            &lacking,
            all.len(),
            |who| {
                format!(
                    "no securityContext for {who}, at pod or container level: every hardening setting is left to the image and the runtime"
                )
            },
            |c| {
                format!(
                    "container `{}` has no securityContext, and neither has the pod: every hardening setting is left to the image and the runtime",
                    c.name()
                )
            },
        );
    }
}
