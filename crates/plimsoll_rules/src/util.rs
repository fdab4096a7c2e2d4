//! Helpers shared by rules.

/// Environment variable or key names that usually hold secrets.
pub fn looks_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    const WORDS: [&str; 12] = [
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
        "auth",
    ];
    WORDS.iter().any(|w| n.contains(w))
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
