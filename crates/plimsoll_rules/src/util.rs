//! Helpers shared by rules.

/// Words that, inside a key or variable name, say it holds a credential.
pub const CREDENTIAL_WORDS: [&str; 11] = [
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "private_key",
    "privatekey",
    "credential",
    "access_key",
];

/// Whether a name contains one of [`CREDENTIAL_WORDS`].
pub fn has_credential_word(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    CREDENTIAL_WORDS.iter().any(|w| n.contains(w))
}

/// Environment variable or key names that usually hold secrets: a credential word, or `auth` as
/// a word of its own (`BASIC_AUTH`, `AUTH_KEY`; not `NODE_TLS_REJECT_UNAUTHORIZED`, `AUTHOR` or
/// `OAUTH_CLIENT_ID`). Names of files, paths and URLs that point at a secret are not secrets.
pub fn looks_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let auth_word = n
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| matches!(w, "auth" | "authz" | "authorization" | "authtoken"));
    (has_credential_word(&n) || auth_word)
        && !n.ends_with("_file")
        && !n.ends_with("_path")
        && !n.ends_with("_url")
}

/// Values that are clearly not secrets even under a secret-looking name: empty, templated,
/// references to files or other variables, booleans.
pub fn is_placeholder_value(v: &str) -> bool {
    let t = v.trim();
    t.is_empty()
        || t.starts_with('/')
        || t.contains("{{")
        || t.contains("$(")
        || t.contains("${")
        || matches!(
            t.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "none" | "null" | "changeme" | ""
        )
}

/// Decode standard base64 (padding optional, whitespace ignored); `None` when it is not base64.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Whether a configuration file's text holds secret material: a secret-looking key with a literal
/// value, a private key, or credentials inside a URL. Used for Secret and ConfigMap entries that
/// are whole files (`alertmanager.yaml`, `grafana.ini`), which are often plain configuration.
pub fn file_holds_secret(text: &str) -> bool {
    if text.contains("PRIVATE KEY-----") {
        return true;
    }
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('#') || l.starts_with(';') {
            continue;
        }
        // user:password@ in a URL
        if let Some(i) = l.find("://") {
            let rest = &l[i + 3..];
            let host_end = rest.find(['/', ' ', '"', '\'']).unwrap_or(rest.len());
            if let Some(at) = rest[..host_end].find('@')
                && rest[..at].contains(':')
            {
                return true;
            }
        }
        for sep in [':', '='] {
            if let Some(i) = l.find(sep) {
                let key = l[..i].trim().trim_matches(['"', '\'', '-', ' ']);
                let value = l[i + 1..].trim().trim_matches(['"', '\'', ',']);
                if !key.is_empty()
                    && !key.contains(' ')
                    && looks_secret_name(key)
                    && !is_placeholder_value(value)
                    && !value.starts_with('$')
                    && !value.starts_with('{')
                    && !value.starts_with('[')
                {
                    return true;
                }
                break;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_file_secrets() {
        assert_eq!(decode_base64("aHVudGVyMg==").unwrap(), b"hunter2");
        assert!(decode_base64("not base64!").is_none());
        assert!(!file_holds_secret(
            "global:\n  resolve_timeout: 5m\nroute:\n  receiver: Default\n"
        ));
        assert!(file_holds_secret("smtp_auth_password: s3cret\n"));
        assert!(file_holds_secret("url: postgres://app:pw@db:5432/app\n"));
        assert!(!file_holds_secret("url: http://prometheus:9090\n"));
        assert!(file_holds_secret("[security]\nadmin_password = hunter2\n"));
        assert!(!file_holds_secret(
            "[security]\nadmin_password = ${ADMIN}\n"
        ));
    }
}
