use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};
use crate::util::{is_placeholder_value, looks_secret_name};

declare_rule! {
    /// ## What it does
    /// Reports environment variables whose name says they hold a secret (password, token,
    /// API key, credential...) and whose value is written literally in the manifest.
    /// The value itself is never printed.
    ///
    /// ## Why it matters
    /// A literal value is in Git, in every clone, in CI logs, in `kubectl get -o yaml` for anyone
    /// who can read the workload, and in the shell history of whoever copied it there. It cannot
    /// be rotated without a commit, and it is the same in every environment.
    ///
    /// ## How to fix
    /// Keep the value in a secret store and reference it:
    ///
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     valueFrom:
    ///       secretKeyRef: {name: db-credentials, key: password}
    /// ```
    ///
    /// ## Severity
    /// Critical: a credential in plain text is an open door for anyone who can read the repository.
    pub struct LiteralSecretEnv {
        id: "SCR-001",
        name: "literal-secret-env",
        gap: Secrets,
        severity: Critical,
        target: Target::Workloads,
        summary: "Secret-looking environment variable has a literal value",
        peers: [
            KubeLinter: ["env-var-secret"],
            Polaris: ["sensitiveContainerEnvVar"],
            Kubescape: ["C-0012"],
        ],
    }
}

impl Rule for LiteralSecretEnv {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in w.containers() {
            for e in c.env() {
                let Some(name) = e.get_str("name") else {
                    continue;
                };
                let Some(value) = e.get("value") else {
                    continue;
                };
                let Some(text) = value.text() else { continue };
                if looks_secret_name(name) && !is_placeholder_value(text) {
                    cx.report_in(
                        &c,
                        value,
                        format!("environment variable `{name}` of container `{}` holds a literal secret", c.name()),
                    )
                    .redact = Some(value.span());
                }
            }
        }
    }
}
