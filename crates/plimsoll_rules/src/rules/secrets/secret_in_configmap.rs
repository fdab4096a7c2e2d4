use plimsoll_model::Object;
use plimsoll_yaml::Span;
use regex::Regex;
use std::sync::LazyLock;

use super::support::{is_literal_secret, is_private_key, looks_credential_key};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

/// `password: x`, `api_key = "x"`, `export TOKEN=x` at the start of a line of an embedded file.
static LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^\s*(?:export\s+|-\s+)?["']?([A-Za-z][A-Za-z0-9_.\-]*)["']?\s*[:=]\s*(.*?)\s*[;,]?\s*$"#,
    )
    .expect("valid regex")
});
/// `scheme://user:password@host`: a password in a connection URL.
static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]+:([^@\s/]+)@"#).expect("valid regex")
});
/// `password="x"` anywhere in a line (JAAS configs, connection strings).
static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([A-Za-z][A-Za-z0-9_.\-]*)\s*=\s*"([^"]*)""#).expect("valid regex")
});

declare_rule! {
    /// ## What it does
    /// Reports ConfigMaps that carry secrets in `data`: a key whose name says it is a password,
    /// secret, token, API key or credential with a literal value; a connection URL with a
    /// password (`postgres://app:pw@db`); a PEM private key; or, inside an embedded
    /// configuration file or script, a line that sets such a key to a literal value.
    /// Empty, templated and placeholder values, references (`$VAR`, file paths) and keys that
    /// name a secret rather than hold one (`secret_name`, `token_ttl`, `auth_type`) are not
    /// reported. The values are never printed.
    ///
    /// ## Why it matters
    /// A ConfigMap is not treated as sensitive by anyone: it is readable by every role that
    /// can `get configmaps` (including `view`), printed in full by `kubectl describe`, copied
    /// into support bundles, logged by GitOps tools on every diff and committed to Git in
    /// plain text. A credential in it is shared with all of those readers and cannot be rotated
    /// without a commit.
    ///
    /// ## How to fix
    /// Move the value to a Secret fed from a store, and reference it from the configuration:
    ///
    /// ```yaml
    /// # ConfigMap keeps the non-secret settings
    /// data:
    ///   DB_HOST: db.shop.svc
    /// ---
    /// # the pod reads the password from a Secret managed by external-secrets
    /// env:
    ///   - name: DB_PASSWORD
    ///     valueFrom: {secretKeyRef: {name: db-credentials, key: password}}
    /// ```
    ///
    /// ## Severity
    /// High: the credential is readable by far more people and tools than a Secret would be;
    /// only the repository's own access control stands between it and an attacker.
    pub struct SecretInConfigmap {
        id: "SCR-003",
        name: "secret-in-configmap",
        gap: Secrets,
        severity: High,
        target: Target::Kinds(&["ConfigMap"]),
        summary: "ConfigMap holds a secret-looking value",
        peers: [
            Polaris: ["sensitiveConfigmapContent"],
            Kubescape: ["C-0012"],
            Trivy: ["KSV-0109", "KSV-01010"],
        ],
    }
}

/// A connection URL with a literal password in `text`.
fn url_password(text: &str) -> bool {
    URL_PASSWORD.captures_iter(text).any(|c| {
        c.get(1)
            .is_some_and(|p| !p.as_str().contains('$') && is_literal_secret(p.as_str()))
    })
}

/// The first line of `text` that sets a secret-looking key to a literal, or holds a URL with a
/// password: (what, line text).
fn embedded_secret(text: &str) -> Option<(&str, &str)> {
    for line in text.lines() {
        if line.trim_start().starts_with(['#', ';']) || line.trim_start().starts_with("//") {
            continue;
        }
        if url_password(line) {
            return Some(("a URL password", line));
        }
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(c) = LINE.captures(line) {
            pairs.push((c.get(1)?.as_str(), c.get(2)?.as_str()));
        }
        for c in QUOTED.captures_iter(line) {
            pairs.push((c.get(1)?.as_str(), c.get(2)?.as_str()));
        }
        for (k, v) in pairs {
            // in scripts and templates, `$` expands a variable
            let v = v.trim_start_matches('\\');
            if looks_credential_key(k) && !v.contains('$') && is_literal_secret(v) {
                return Some((k, line));
            }
        }
    }
    None
}

impl Rule for SecretInConfigmap {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "" {
            return;
        }
        let Some(data) = o.root.get("data") else {
            return;
        };
        let cm = o.name().unwrap_or("");
        for (k, v) in data.entries() {
            let (Some(key), Some(text)) = (k.text(), v.text()) else {
                continue;
            };
            if is_private_key(text) {
                cx.report(
                    v,
                    format!("ConfigMap `{cm}` holds a private key in `{key}`"),
                )
                .redact = Some(v.span());
                continue;
            }
            if !text.trim_end().contains('\n') {
                let what = if looks_credential_key(key) && is_literal_secret(text) {
                    "a literal secret"
                } else if url_password(text) {
                    "a URL with a literal password"
                } else {
                    continue;
                };
                cx.report(v, format!("ConfigMap `{cm}` holds {what} in `{key}`"))
                    .redact = Some(v.span());
                continue;
            }
            let Some((name, line)) = embedded_secret(text) else {
                continue;
            };
            // point at the line inside the block scalar when it can be found verbatim
            let src = v.source_text();
            let span = match src.find(line.trim()) {
                Some(off) => {
                    let start = v.span().start + off as u32;
                    Span::new(start, start + line.trim().len() as u32)
                }
                None => v.anchor(),
            };
            let f = cx.report_span(
                span,
                format!(
                    "ConfigMap `{cm}` sets {} to a literal value in the embedded file `{key}`",
                    if name == "a URL password" {
                        name.to_string()
                    } else {
                        format!("`{name}`")
                    }
                ),
            );
            f.redact = Some(if span == v.anchor() { v.span() } else { span });
        }
    }
}
