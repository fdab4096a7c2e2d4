use plimsoll_model::{Detail, Index};

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports workloads whose pods get a ServiceAccount token they show no use for: the pod
    /// spec does not set `automountServiceAccountToken: false`, its ServiceAccount object (when
    /// in the scan) does not either, and no RoleBinding or ClusterRoleBinding of the scan grants
    /// that ServiceAccount anything. Workloads whose ServiceAccount is bound are assumed to call
    /// the API and are not reported.
    ///
    /// ## Why it matters
    /// The token is mounted into every container at
    /// `/var/run/secrets/kubernetes.io/serviceaccount` and is a credential to the API server.
    /// An attacker who gets code execution or a file-read bug in the pod takes it, and with it
    /// whatever the ServiceAccount can do today or will be granted later. A pod that never talks
    /// to the API should not carry the key.
    ///
    /// ## How to fix
    /// Turn the mount off on the ServiceAccount (or the pod), and turn it on only where needed:
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata: {name: api, namespace: shop}
    /// automountServiceAccountToken: false
    /// ```
    ///
    /// ## Severity
    /// Low: an unbound token grants little by itself; it is attack surface waiting for a
    /// binding.
    pub struct AutomountServiceAccountToken {
        id: "ACC-010",
        name: "automount-service-account-token",
        gap: Access,
        severity: Low,
        target: Target::Index,
        summary: "Pod mounts a ServiceAccount token it does not need",
        peers: [
            Polaris: ["automountServiceAccountToken"],
            Checkov: ["CKV_K8S_38"],
            Kubescape: ["C-0034", "C-0190", "C-0261"],
            Trivy: ["KSV-0036"],
            Kyverno: [
                "other/disable-automountserviceaccounttoken",
                "other/restrict-automount-sa-token",
            ],
        ],
    }
}

impl Rule for AutomountServiceAccountToken {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for (o, w) in ix.workloads() {
            let sa = &*w.service_account;
            if w.automount_token.is_some_and(|(on, _)| !on) {
                continue;
            }
            if w.automount_token.is_none() {
                let off = ix
                    .find("ServiceAccount", Some(o.ns()), sa)
                    .is_some_and(|s| {
                        matches!(
                            s.detail,
                            Detail::ServiceAccount {
                                automount: Some(false)
                            }
                        )
                    });
                if off {
                    continue;
                }
            }
            if ix.bindings_of_service_account(o.ns(), sa).next().is_some() {
                continue;
            }
            let at = w
                .automount_token
                .map(|(_, l)| l)
                .or(w.service_account_loc)
                .unwrap_or(o.loc);
            cx.report(
                o,
                at,
                format!(
                    "{} `{}` mounts the token of ServiceAccount `{sa}`, which nothing in the scan grants any right; set automountServiceAccountToken: false",
                    o.kind(),
                    o.id.name
                ),
            );
        }
    }
}
