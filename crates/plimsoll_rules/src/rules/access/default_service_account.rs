use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports workloads that run as the namespace's `default` ServiceAccount (no
    /// `serviceAccountName`, or `default` written) and still mount its token. Pods with
    /// `automountServiceAccountToken: false` are not reported: without a token, the identity
    /// is never used.
    ///
    /// ## Why it matters
    /// Every pod of the namespace that names no ServiceAccount shares `default`. Any right
    /// granted to it, for one workload's needs, is silently granted to all the others, and the
    /// API audit log cannot tell which workload did what. A dedicated ServiceAccount per
    /// workload keeps rights and audit trails separate.
    ///
    /// ## How to fix
    /// Create a ServiceAccount for the workload and name it:
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata: {name: api, namespace: shop}
    /// automountServiceAccountToken: false
    /// ---
    /// # in the pod template
    /// spec:
    ///   serviceAccountName: api
    /// ```
    ///
    /// ## Severity
    /// Medium: it mixes the rights of unrelated workloads; it becomes an escalation path as soon
    /// as someone binds a role to `default`.
    pub struct DefaultServiceAccount {
        id: "ACC-009",
        name: "default-service-account",
        gap: Access,
        severity: Medium,
        target: Target::Workloads,
        summary: "Workload runs as the default ServiceAccount",
        peers: [
            KubeLinter: ["default-service-account"],
            Checkov: ["CKV_K8S_41"],
            Kubescape: ["C-0189"],
            Kyverno: ["other/restrict-service-account"],
        ],
    }
}

impl Rule for DefaultServiceAccount {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if w.service_account() != "default" {
            return;
        }
        if w.pod_spec.get_bool("automountServiceAccountToken") == Some(false) {
            return;
        }
        let at = w
            .pod_spec
            .get("serviceAccountName")
            .or_else(|| w.pod_spec.get("serviceAccount"))
            .unwrap_or(w.pod_spec);
        cx.report(
            at,
            format!(
                "{} `{}` runs as the namespace's `default` ServiceAccount with its token mounted; its rights are shared with every pod that names none",
                w.object.kind,
                w.object.name().unwrap_or("")
            ),
        );
    }
}
