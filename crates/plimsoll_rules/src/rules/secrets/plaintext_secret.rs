use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};
use crate::util::{decode_base64, file_holds_secret, is_placeholder_value};

declare_rule! {
    /// ## What it does
    /// Reports `Secret` objects committed with values in `data` or `stringData`. A value that is a
    /// whole configuration file (`alertmanager.yaml`, `grafana.ini`) counts only when the file
    /// holds secret material (a password or token with a literal value, a private key, credentials
    /// in a URL); single values and typed Secrets (TLS, registry, basic-auth, SSH) always count.
    /// Service-account token Secrets and empty or templated values are not reported. The values
    /// themselves are never printed.
    ///
    /// ## Why it matters
    /// `data` is base64, not encryption: anyone who can read the repository can read the secret,
    /// forever, because Git keeps history. Rotating it means rewriting history or accepting that
    /// the old value is public. Production keeps secrets in a store (Vault, a cloud secret
    /// manager) and syncs them in, or commits them encrypted (SealedSecrets, SOPS).
    ///
    /// ## How to fix
    /// Replace the Secret with an `ExternalSecret` (or a `SealedSecret`):
    ///
    /// ```yaml
    /// apiVersion: external-secrets.io/v1beta1
    /// kind: ExternalSecret
    /// metadata: {name: db-credentials}
    /// spec:
    ///   secretStoreRef: {name: vault, kind: ClusterSecretStore}
    ///   target: {name: db-credentials}
    ///   dataFrom: [{extract: {key: shop/db}}]
    /// ```
    ///
    /// ## Severity
    /// Critical: the secret is readable by everyone with access to the repository and its history.
    pub struct PlaintextSecret {
        id: "SCR-002",
        name: "plaintext-secret",
        gap: Secrets,
        severity: Critical,
        target: Target::Kinds(&["Secret"]),
        summary: "Secret object with plaintext values committed",
        peers: [
            Kyverno: ["other/disallow-all-secrets"],
        ],
    }
}

impl Rule for PlaintextSecret {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "" {
            return;
        }
        if o.root.get_str("type") == Some("kubernetes.io/service-account-token") {
            return;
        }
        // TLS keys, registry credentials, basic-auth and SSH keys are credentials by type
        let typed = o.root.get_str("type").is_some_and(|t| {
            matches!(
                t,
                "kubernetes.io/tls"
                    | "kubernetes.io/dockerconfigjson"
                    | "kubernetes.io/dockercfg"
                    | "kubernetes.io/basic-auth"
                    | "kubernetes.io/ssh-auth"
            )
        });
        for field in ["data", "stringData"] {
            let Some(map) = o.root.get(field) else {
                continue;
            };
            let filled: Vec<&str> = map
                .entries()
                .filter(|(k, v)| {
                    let Some(raw) = v.text() else { return false };
                    if is_placeholder_value(raw) {
                        return false;
                    }
                    // `data` is base64: judge what it decodes to
                    let decoded;
                    let text = if field == "data" {
                        decoded =
                            decode_base64(raw).map(|b| String::from_utf8_lossy(&b).into_owned());
                        match decoded.as_deref() {
                            Some(t) => t,
                            None => return true,
                        }
                    } else {
                        raw
                    };
                    if is_placeholder_value(text) {
                        return false;
                    }
                    // a whole configuration file counts only when it holds secret material;
                    // a single value in a Secret is a credential, and typed Secrets always are
                    let file_like = text.trim_end().contains('\n')
                        || k.text().is_some_and(|n| {
                            n.contains('.') && !n.starts_with("tls.") && !n.starts_with(".docker")
                        });
                    typed || !file_like || file_holds_secret(text)
                })
                .filter_map(|(k, _)| k.text())
                .collect();
            if !filled.is_empty() {
                cx.report(
                    map,
                    format!(
                        "Secret `{}` commits {} value(s) in `{field}` ({}); base64 is not encryption",
                        o.name().unwrap_or(""),
                        filled.len(),
                        filled.join(", ")
                    ),
                );
            }
        }
    }
}
