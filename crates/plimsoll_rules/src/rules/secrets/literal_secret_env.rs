use plimsoll_formats::compose::ComposeFile;
use plimsoll_formats::runnable::{Platform, Runnable};
use plimsoll_formats::systemd::Unit;
use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};
use crate::rules::runnable;
use crate::util::{is_placeholder_value, looks_secret_name};

declare_rule! {
    /// ## What it does
    /// Reports environment variables whose name says they hold a secret (password, token,
    /// API key, credential...) and whose value is written literally in the manifest, in a
    /// Compose service's `environment:` or in a systemd unit's `Environment=`. The value itself
    /// is never printed. A value that is only a variable (`${DB_PASSWORD}`) is not literal.
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
    /// In a Compose file, give the service a secret (`secrets: [db_password]`, read from
    /// `/run/secrets/db_password`) or interpolate it from the environment
    /// (`DB_PASSWORD: ${DB_PASSWORD}`). In a systemd unit, use `LoadCredential=db-password:/etc/app/db-password`
    /// (read from `$CREDENTIALS_DIRECTORY`) instead of `Environment=`, which any local user can
    /// read with `systemctl show`.
    ///
    /// ## Severity
    /// Critical: a credential in plain text is an open door for anyone who can read the repository.
    pub struct LiteralSecretEnv {
        id: "SCR-001",
        name: "literal-secret-env",
        gap: Secrets,
        severity: Critical,
        target: Target::Workloads,
        also: [Target::ComposeFiles, Target::SystemdUnits],
        summary: "Secret-looking environment variable has a literal value",
        peers: [
            KubeLinter: ["env-var-secret"],
            Polaris: ["sensitiveContainerEnvVar"],
            Kubescape: ["C-0012"],
        ],
    }
}

fn check(r: &Runnable<'_>, cx: &mut Cx<'_>) {
    for e in r.env() {
        let Some(value) = &e.value else { continue };
        if !looks_secret_name(&e.name) || is_placeholder_value(value) {
            continue;
        }
        let how = match r.platform() {
            Platform::Kubernetes => "",
            Platform::Compose => ": give it through `secrets:` or interpolate it (`${...}`)",
            Platform::Systemd => ": pass it with `LoadCredential=` instead",
        };
        let f = runnable::report(
            cx,
            r,
            e.span,
            format!(
                "environment variable `{}` of {} holds a literal secret{how}",
                e.name,
                r.subject()
            ),
        );
        f.redact = e.value_span;
    }
}

impl Rule for LiteralSecretEnv {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        runnable::workload(w, cx, check);
    }

    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        runnable::compose(c, cx, check);
    }

    fn check_unit(&self, u: &Unit, cx: &mut Cx<'_>) {
        runnable::unit(u, cx, check);
    }
}
