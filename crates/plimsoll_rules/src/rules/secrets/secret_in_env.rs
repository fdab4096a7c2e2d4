use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers that read Secrets into environment variables, through
    /// `env[].valueFrom.secretKeyRef` or `envFrom[].secretRef`.
    ///
    /// ## Why it matters
    /// Environment variables are the leakiest place for a secret: they are inherited by every
    /// child process, readable in `/proc/<pid>/environ` by anything sharing the PID namespace,
    /// dumped by crash reporters, debug endpoints and error pages (`phpinfo`, Spring
    /// actuator, Django debug), and fixed for the life of the process, so a rotated Secret
    /// needs a restart. Mounted files have none of these problems and are updated in place.
    ///
    /// ## How to fix
    /// Mount the Secret as files and point the application at them:
    ///
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     env:
    ///       - {name: DB_PASSWORD_FILE, value: /run/secrets/db/password}
    ///     volumeMounts:
    ///       - {name: db, mountPath: /run/secrets/db, readOnly: true}
    /// volumes:
    ///   - name: db
    ///     secret: {secretName: db-credentials}
    /// ```
    ///
    /// ## Severity
    /// Low: the secret is still protected by Kubernetes; the environment only widens where it
    /// can leak from a running process.
    pub struct SecretInEnv {
        id: "SCR-004",
        name: "secret-in-env",
        gap: Secrets,
        severity: Low,
        target: Target::Workloads,
        summary: "Secret is exposed to a container as environment variables",
        peers: [
            KubeLinter: ["read-secret-from-env-var"],
            Checkov: ["CKV_K8S_35"],
            Kubescape: ["C-0207"],
            Kyverno: ["other/disallow-secrets-from-env-vars"],
        ],
    }
}

impl Rule for SecretInEnv {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in w.containers() {
            for e in c.env() {
                let Some(r) = e.path(&["valueFrom", "secretKeyRef"]) else {
                    continue;
                };
                cx.report_in(
                    &c,
                    r,
                    format!(
                        "container `{}` reads Secret `{}` into environment variable `{}`",
                        c.name(),
                        r.get_str("name").unwrap_or(""),
                        e.get_str("name").unwrap_or("")
                    ),
                );
            }
            for e in c.get("envFrom").into_iter().flat_map(|e| e.items()) {
                let Some(r) = e.get("secretRef") else {
                    continue;
                };
                cx.report_in(
                    &c,
                    r,
                    format!(
                        "container `{}` loads every key of Secret `{}` into its environment",
                        c.name(),
                        r.get_str("name").unwrap_or("")
                    ),
                );
            }
        }
    }
}
