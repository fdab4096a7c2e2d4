//! Helpers shared by the secrets rules.

use plimsoll_model::facts::WorkloadFacts;
use plimsoll_model::{Detail, Index, ObjectFacts};

use crate::util::is_placeholder_value;

/// Key names that refer to a secret rather than hold one (`secret_name`, `tokenTTL`,
/// `auth-type`, ...): judged by their last word.
pub(super) fn is_reference_key(key: &str) -> bool {
    const TAILS: [&str; 32] = [
        "name",
        "names",
        "ref",
        "type",
        "mode",
        "method",
        "methods",
        "enabled",
        "enable",
        "disabled",
        "ttl",
        "timeout",
        "expiry",
        "expiration",
        "header",
        "provider",
        "endpoint",
        "duration",
        "length",
        "size",
        "lifetime",
        "realm",
        "issuer",
        "audience",
        "scope",
        "version",
        "algorithm",
        "policy",
        "namespace",
        "dir",
        "location",
        "interval",
    ];
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in key.chars() {
        if !ch.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        cur.push(ch.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.last().is_some_and(|w| TAILS.contains(&w.as_str()))
}

/// A value that looks like an actual credential: not empty, templated, a reference to a
/// variable or a file, a boolean, a number, or a written-out placeholder.
pub(super) fn is_literal_secret(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if is_placeholder_value(v) || v.len() < 3 {
        return false;
    }
    if v.starts_with(['$', '%', '@', '<', '{', '[', '|', '>', '*']) {
        return false;
    }
    if v.parse::<f64>().is_ok() {
        return false;
    }
    let l = v.to_ascii_lowercase();
    const FAKE: [&str; 9] = [
        "placeholder",
        "changeme",
        "change-me",
        "change_me",
        "example",
        "xxxx",
        "your-",
        "your_",
        "redacted",
    ];
    !FAKE.iter().any(|f| l.contains(f))
}

/// A PEM private key block.
pub(super) fn is_private_key(value: &str) -> bool {
    value.contains("-----BEGIN") && value.contains("PRIVATE KEY-----")
}

/// Objects that bring secrets from a store: ExternalSecret, SealedSecret, SecretProviderClass,
/// Vault operator secrets, and external-secrets' SecretStores. cert-manager Certificates produce
/// Secrets too but are not a secret store.
pub(super) fn secret_stores(ix: &Index) -> impl Iterator<Item = &ObjectFacts> {
    ix.objects.iter().filter(|o| match &o.detail {
        Detail::ManagedSecret { .. } => &*o.id.kind != "Certificate",
        _ => {
            o.id.api_version.starts_with("external-secrets.io/")
                && matches!(&*o.id.kind, "SecretStore" | "ClusterSecretStore")
        }
    })
}

/// The workload gets its secrets from Vault Agent injection or the Secrets Store CSI driver.
pub(super) fn uses_store_directly(w: &WorkloadFacts) -> bool {
    w.csi_secret_store
        || w.pod_annotations.get("vault.hashicorp.com/agent-inject") == Some("true")
        || w.pod_annotations
            .get("vault.security.banzaicloud.io/vault-addr")
            .is_some()
}

/// A Secret named `name` in namespace `ns` is produced by an object of the scan: committed as
/// a `Secret`, or the target of an ExternalSecret, SealedSecret, Certificate...
pub(super) fn produced_in_scan(ix: &Index, ns: &str, name: &str) -> bool {
    ix.objects.iter().any(|o| {
        o.ns() == ns
            && match &o.detail {
                Detail::ManagedSecret { target } => target.as_deref() == Some(name),
                _ => {
                    &*o.id.kind == "Secret"
                        && o.id.api_version.as_ref() == "v1"
                        && &*o.id.name == name
                }
            }
    })
}

/// A key that names a credential: password, token, API key, private key... Stricter than
/// `looks_secret_name`: a bare `auth` (`authenticator`, `auth_type`, `oauth`) is not enough in
/// configuration files, where it mostly names a mechanism.
pub(super) fn looks_credential_key(key: &str) -> bool {
    crate::util::has_credential_word(key)
        && crate::util::looks_secret_name(key)
        && !is_reference_key(key)
}
