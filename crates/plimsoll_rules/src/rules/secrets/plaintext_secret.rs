use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};
use crate::util::is_placeholder_value;

declare_rule! {
    /// ## What it does
    /// Reports `Secret` objects committed with values in `data` or `stringData`. Service-account
    /// token Secrets and TLS or pull secrets whose values are empty or templated are not reported.
    /// The values themselves are never printed.
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
        for field in ["data", "stringData"] {
            let Some(map) = o.root.get(field) else {
                continue;
            };
            let filled: Vec<&str> = map
                .entries()
                .filter(|(_, v)| v.text().is_some_and(|t| !is_placeholder_value(t)))
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
