//! Connection specifications: libpq-style URLs or `key=value` strings, environment defaults,
//! password look-up and redaction.
//!
//! Passwords come from the environment (`PGPASSWORD`), a password file (`passfile=` in the
//! connection string, `--passfile`, `PGPASSFILE`, `~/.pgpass`, in libpq's format and with its
//! permission rule), or, discouraged, the URL itself. They are never printed, never written to
//! evidence and never put on a child's command line: the PostgreSQL tools get them through
//! `PGPASSWORD` in their own environment only.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A password that never shows in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A parsed connection string. Unset fields fall back to the `PG*` environment when resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnSpec {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub dbname: Option<String>,
    password: Option<Secret>,
    /// Other parameters (`sslmode`, `sslrootcert`, `connect_timeout`, `application_name`,
    /// `passfile`, `options`, ...).
    pub params: BTreeMap<String, String>,
}

/// Where a password came from (for the evidence; never the password itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordSource {
    None,
    Url,
    Env,
    Passfile,
    Generated,
}

impl PasswordSource {
    pub fn as_str(self) -> &'static str {
        match self {
            PasswordSource::None => "none",
            PasswordSource::Url => "connection string",
            PasswordSource::Env => "PGPASSWORD",
            PasswordSource::Passfile => "password file",
            PasswordSource::Generated => "generated (scratch server)",
        }
    }
}

/// A spec with every default applied and its password looked up.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub dbname: String,
    pub password: Option<Secret>,
    pub password_source: PasswordSource,
    pub params: BTreeMap<String, String>,
    /// Warnings for the user (password in the URL, ignored password file, ...).
    pub warnings: Vec<String>,
}

const KNOWN_PARAMS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "user",
    "password",
    "dbname",
    "passfile",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "connect_timeout",
    "application_name",
    "options",
    "target_session_attrs",
    "keepalives",
];

impl ConnSpec {
    /// Parses `postgres://user@host:port/db?sslmode=require` (or `postgresql://`) or the
    /// `host=... port=... dbname=...` form.
    pub fn parse(text: &str) -> Result<ConnSpec, String> {
        let t = text.trim();
        if let Some(rest) = t
            .strip_prefix("postgresql://")
            .or_else(|| t.strip_prefix("postgres://"))
        {
            parse_url(rest)
        } else if t.contains('=') {
            parse_kv(t)
        } else {
            Err(format!(
                "not a PostgreSQL connection string: expected postgres://... or key=value pairs, got `{}`",
                redact_text(t)
            ))
        }
    }

    /// A spec for a Unix-socket directory.
    pub fn socket(dir: &Path, port: u16, user: &str, dbname: &str) -> ConnSpec {
        ConnSpec {
            host: Some(dir.to_string_lossy().into_owned()),
            port: Some(port),
            user: Some(user.to_string()),
            dbname: Some(dbname.to_string()),
            ..ConnSpec::default()
        }
    }

    /// A TCP spec with a known password (scratch servers).
    pub fn tcp(
        host: &str,
        port: u16,
        user: &str,
        dbname: &str,
        password: Option<&str>,
    ) -> ConnSpec {
        ConnSpec {
            host: Some(host.to_string()),
            port: Some(port),
            user: Some(user.to_string()),
            dbname: Some(dbname.to_string()),
            password: password.map(|p| Secret(p.to_string())),
            ..ConnSpec::default()
        }
    }

    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }

    /// The password held by this spec (a scratch server's generated one, or one from a URL).
    pub fn password(&self) -> Option<&Secret> {
        self.password.as_ref()
    }

    pub fn with_dbname(&self, dbname: &str) -> ConnSpec {
        ConnSpec {
            dbname: Some(dbname.to_string()),
            ..self.clone()
        }
    }

    pub fn with_user(&self, user: &str) -> ConnSpec {
        ConnSpec {
            user: Some(user.to_string()),
            ..self.clone()
        }
    }

    /// Applies environment defaults and looks the password up. `passfile` is the `--passfile`
    /// flag (used when the spec has no `passfile=` parameter of its own).
    pub fn resolve(&self, passfile: Option<&Path>) -> Resolved {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let mut warnings = Vec::new();
        let host = self
            .host
            .clone()
            .or_else(|| env("PGHOST"))
            .unwrap_or_else(default_socket_dir);
        let port = self
            .port
            .or_else(|| env("PGPORT").and_then(|p| p.parse().ok()))
            .unwrap_or(5432);
        let user = self
            .user
            .clone()
            .or_else(|| env("PGUSER"))
            .unwrap_or_else(os_user);
        let dbname = self
            .dbname
            .clone()
            .or_else(|| env("PGDATABASE"))
            .unwrap_or_else(|| user.clone());
        let mut params = self.params.clone();
        for (p, e) in [
            ("sslmode", "PGSSLMODE"),
            ("sslrootcert", "PGSSLROOTCERT"),
            ("connect_timeout", "PGCONNECT_TIMEOUT"),
            ("options", "PGOPTIONS"),
        ] {
            if !params.contains_key(p)
                && let Some(v) = env(e)
            {
                params.insert(p.to_string(), v);
            }
        }
        let (password, password_source) = if let Some(p) = &self.password {
            warnings.push(
                "a password in the connection string is visible in the process list and shell history; \
                 use PGPASSWORD, PGPASSFILE or --passfile"
                    .to_string(),
            );
            (Some(p.clone()), PasswordSource::Url)
        } else if let Some(p) = env("PGPASSWORD") {
            (Some(Secret(p)), PasswordSource::Env)
        } else {
            let file = params
                .get("passfile")
                .map(PathBuf::from)
                .or_else(|| passfile.map(Path::to_path_buf))
                .or_else(|| env("PGPASSFILE").map(PathBuf::from))
                .or_else(|| env("HOME").map(|h| Path::new(&h).join(".pgpass")));
            match file.map(|f| lookup_passfile(&f, &host, port, &dbname, &user)) {
                Some(Ok(Some(p))) => (Some(p), PasswordSource::Passfile),
                Some(Err(w)) => {
                    warnings.push(w);
                    (None, PasswordSource::None)
                }
                _ => (None, PasswordSource::None),
            }
        };
        Resolved {
            host,
            port,
            user,
            dbname,
            password,
            password_source,
            params,
            warnings,
        }
    }

    /// `postgres://user@host:port/db?sslmode=...` with no password, for printing and evidence.
    pub fn redacted(&self) -> String {
        let mut s = String::from("postgres://");
        if let Some(u) = &self.user {
            s.push_str(&pct(u));
            if self.password.is_some() {
                s.push_str(":***");
            }
            s.push('@');
        }
        let socket = self.host.as_deref().is_some_and(|h| h.starts_with('/'));
        if let Some(h) = &self.host
            && !socket
        {
            if h.contains(':') {
                s.push_str(&format!("[{h}]"));
            } else {
                s.push_str(&pct(h));
            }
        }
        if let Some(p) = self.port {
            s.push_str(&format!(":{p}"));
        }
        if let Some(d) = &self.dbname {
            s.push('/');
            s.push_str(&pct(d));
        }
        let mut q: Vec<String> = Vec::new();
        if socket && let Some(h) = &self.host {
            q.push(format!("host={}", pct(h)));
        }
        for (k, v) in &self.params {
            if k == "password" {
                q.push("password=***".into());
            } else {
                q.push(format!("{k}={}", pct(v)));
            }
        }
        if !q.is_empty() {
            s.push('?');
            s.push_str(&q.join("&"));
        }
        s
    }
}

impl fmt::Display for ConnSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Resolved {
    pub fn is_socket(&self) -> bool {
        self.host.starts_with('/')
    }

    /// The spec back, with everything resolved (for printing).
    pub fn redacted(&self) -> String {
        ConnSpec {
            host: Some(self.host.clone()),
            port: Some(self.port),
            user: Some(self.user.clone()),
            dbname: Some(self.dbname.clone()),
            password: None,
            params: self
                .params
                .iter()
                .filter(|(k, _)| *k != "passfile")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
        .redacted()
    }

    /// A `key=value` connection string **without the password**, for `--dbname` of pg_restore,
    /// pg_dump and psql. The password goes through [`Resolved::child_env`].
    pub fn tool_conninfo(&self) -> String {
        let mut parts = vec![
            format!("host={}", kv_quote(&self.host)),
            format!("port={}", self.port),
            format!("user={}", kv_quote(&self.user)),
            format!("dbname={}", kv_quote(&self.dbname)),
        ];
        for (k, v) in &self.params {
            if matches!(k.as_str(), "password" | "passfile") {
                continue;
            }
            parts.push(format!("{k}={}", kv_quote(v)));
        }
        if !self.params.contains_key("application_name") {
            parts.push("application_name=plimsoll-drill".into());
        }
        parts.join(" ")
    }

    /// Environment for a PostgreSQL tool: the password (if any) and nothing that could
    /// redirect the connection.
    pub fn child_env(&self) -> Vec<(String, String)> {
        let mut env = Vec::new();
        if let Some(p) = &self.password {
            env.push(("PGPASSWORD".to_string(), p.0.clone()));
        }
        env
    }

    /// The configuration for the `postgres` client.
    pub fn pg_config(&self) -> postgres::Config {
        let mut c = postgres::Config::new();
        if self.is_socket() {
            c.host_path(&self.host);
        } else {
            c.host(&self.host);
        }
        c.port(self.port).user(&self.user).dbname(&self.dbname);
        if let Some(p) = &self.password {
            c.password(p.0.as_bytes());
        }
        c.application_name(
            self.params
                .get("application_name")
                .map_or("plimsoll-drill", String::as_str),
        );
        let timeout = self
            .params
            .get("connect_timeout")
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(15);
        c.connect_timeout(Duration::from_secs(timeout.max(2)));
        if let Some(o) = self.params.get("options") {
            c.options(o);
        }
        c.keepalives(true);
        c
    }

    pub fn sslmode(&self) -> &str {
        self.params.get("sslmode").map_or("prefer", String::as_str)
    }

    /// Connects with the `sslmode` semantics of libpq.
    pub fn connect(&self) -> Result<postgres::Client, String> {
        let mut config = self.pg_config();
        let mode = self.sslmode();
        let what = || format!("could not connect to {}", self.redacted());
        match mode {
            "disable" => {
                config.ssl_mode(postgres::config::SslMode::Disable);
                return config
                    .connect(postgres::NoTls)
                    .map_err(|e| format!("{}: {}", what(), pg_error(&e)));
            }
            "allow" | "prefer" if self.is_socket() => {
                config.ssl_mode(postgres::config::SslMode::Disable);
                return config
                    .connect(postgres::NoTls)
                    .map_err(|e| format!("{}: {}", what(), pg_error(&e)));
            }
            "allow" | "prefer" | "require" | "verify-ca" | "verify-full" => {}
            other => return Err(format!("unknown sslmode `{other}`")),
        }
        #[cfg(feature = "tls")]
        {
            config.ssl_mode(if matches!(mode, "allow" | "prefer") {
                postgres::config::SslMode::Prefer
            } else {
                postgres::config::SslMode::Require
            });
            let tls = tls::connector(mode, self.params.get("sslrootcert").map(String::as_str))?;
            config
                .connect(tls)
                .map_err(|e| format!("{}: {}", what(), pg_error(&e)))
        }
        #[cfg(not(feature = "tls"))]
        {
            if matches!(mode, "allow" | "prefer") {
                config.ssl_mode(postgres::config::SslMode::Disable);
                return config
                    .connect(postgres::NoTls)
                    .map_err(|e| format!("{}: {}", what(), pg_error(&e)));
            }
            Err(format!(
                "sslmode={mode} needs plimsoll_drill built with the `tls` feature"
            ))
        }
    }
}

#[cfg(feature = "tls")]
mod tls {
    use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
    use postgres_openssl::MakeTlsConnector;

    /// libpq semantics: `prefer`/`require` encrypt without verifying the server (unless a root
    /// certificate is given, in which case `require` verifies the chain, as libpq does);
    /// `verify-ca` verifies the chain; `verify-full` also the host name.
    pub fn connector(mode: &str, rootcert: Option<&str>) -> Result<MakeTlsConnector, String> {
        let mut b = SslConnector::builder(SslMethod::tls_client())
            .map_err(|e| format!("TLS setup: {e}"))?;
        let rootcert = rootcert.filter(|r| !r.is_empty() && *r != "system");
        if let Some(path) = rootcert {
            b.set_ca_file(path)
                .map_err(|e| format!("sslrootcert {path}: {e}"))?;
        }
        let verify_chain = match mode {
            "verify-ca" | "verify-full" => true,
            "require" => rootcert.is_some(),
            _ => false,
        };
        b.set_verify(if verify_chain {
            SslVerifyMode::PEER
        } else {
            SslVerifyMode::NONE
        });
        let mut c = MakeTlsConnector::new(b.build());
        let verify_host = mode == "verify-full";
        c.set_callback(move |cfg, _host| {
            cfg.set_verify_hostname(verify_host);
            Ok(())
        });
        Ok(c)
    }
}

/// The message of a client error, with the server's detail when there is one.
pub fn pg_error(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut s = format!("{}: {}", db.severity(), db.message());
        if let Some(d) = db.detail() {
            s.push_str(&format!(" ({d})"));
        }
        redact_text(&s)
    } else {
        let mut s = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(inner) = src {
            let m = inner.to_string();
            if !s.contains(&m) {
                s.push_str(": ");
                s.push_str(&m);
            }
            src = inner.source();
        }
        redact_text(&s)
    }
}

/// The SQLSTATE of a server error.
pub fn sqlstate(e: &postgres::Error) -> Option<&str> {
    e.code().map(|c| c.code())
}

fn parse_url(rest: &str) -> Result<ConnSpec, String> {
    let mut spec = ConnSpec::default();
    let (main, query) = match rest.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match main.find('/') {
        Some(i) => (&main[..i], Some(&main[i + 1..])),
        None => (main, None),
    };
    let hostport = match authority.rfind('@') {
        Some(i) => {
            let userinfo = &authority[..i];
            match userinfo.split_once(':') {
                Some((u, p)) => {
                    spec.user = non_empty(pct_decode(u)?);
                    spec.password = Some(Secret(pct_decode(p)?));
                }
                None => spec.user = non_empty(pct_decode(userinfo)?),
            }
            &authority[i + 1..]
        }
        None => authority,
    };
    if hostport.contains(',') {
        return Err("multiple hosts in one connection string are not supported for drills".into());
    }
    if let Some(h) = hostport.strip_prefix('[') {
        let end = h.find(']').ok_or("unclosed [ in IPv6 host")?;
        spec.host = Some(h[..end].to_string());
        if let Some(p) = h[end + 1..].strip_prefix(':') {
            spec.port = Some(parse_port(p)?);
        }
    } else if let Some((h, p)) = hostport.rsplit_once(':') {
        spec.host = non_empty(pct_decode(h)?);
        if !p.is_empty() {
            spec.port = Some(parse_port(p)?);
        }
    } else {
        spec.host = non_empty(pct_decode(hostport)?);
    }
    if let Some(p) = path {
        spec.dbname = non_empty(pct_decode(p)?);
    }
    if let Some(q) = query {
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| format!("bad query parameter `{}`", redact_text(pair)))?;
            set_param(&mut spec, &pct_decode(k)?, pct_decode(v)?)?;
        }
    }
    Ok(spec)
}

fn parse_kv(text: &str) -> Result<ConnSpec, String> {
    let mut spec = ConnSpec::default();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(format!("missing `=` after `{key}` in connection string"));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            loop {
                match chars.next() {
                    Some('\\') => value.extend(chars.next()),
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => return Err("unterminated quoted value in connection string".into()),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                chars.next();
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        set_param(&mut spec, &key, value)?;
    }
    Ok(spec)
}

fn set_param(spec: &mut ConnSpec, key: &str, value: String) -> Result<(), String> {
    match key {
        "host" => spec.host = non_empty(value),
        "port" => spec.port = Some(parse_port(&value)?),
        "user" => spec.user = non_empty(value),
        "password" => spec.password = Some(Secret(value)),
        "dbname" => spec.dbname = non_empty(value),
        k if KNOWN_PARAMS.contains(&k) => {
            spec.params.insert(k.to_string(), value);
        }
        k => return Err(format!("unsupported connection parameter `{k}`")),
    }
    Ok(())
}

fn parse_port(p: &str) -> Result<u16, String> {
    p.parse::<u16>().map_err(|_| format!("invalid port `{p}`"))
}

fn non_empty(s: String) -> Option<String> {
    if s.is_empty() { None } else { Some(s) }
}

fn pct_decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .ok_or("truncated %-escape in connection string")?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| "bad %-escape in connection string")?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| "connection string is not UTF-8 after %-decoding".to_string())
}

fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn kv_quote(v: &str) -> String {
    if !v.is_empty()
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c == '\'' || c == '\\')
    {
        return v.to_string();
    }
    let mut s = String::from("'");
    for c in v.chars() {
        if c == '\'' || c == '\\' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('\'');
    s
}

fn default_socket_dir() -> String {
    for d in ["/var/run/postgresql", "/run/postgresql", "/tmp"] {
        if Path::new(d).is_dir() {
            return d.to_string();
        }
    }
    "/tmp".to_string()
}

/// The effective user's name (libpq's default role name).
pub fn os_user() -> String {
    nix::unistd::User::from_uid(nix::unistd::geteuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "postgres".to_string())
}

/// Looks a password up in a libpq password file (`host:port:db:user:password`, `*` wildcards,
/// `\:` and `\\` escapes). Like libpq, a file readable by group or others is ignored, with a
/// warning (`Err`).
pub fn lookup_passfile(
    path: &Path,
    host: &str,
    port: u16,
    db: &str,
    user: &str,
) -> Result<Option<Secret>, String> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(None);
    };
    if !meta.is_file() {
        return Ok(None);
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(format!(
            "password file {} has group or world access; permissions should be u=rw (0600) or less (ignored, as libpq does)",
            path.display()
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("password file {}: {e}", path.display()))?;
    // libpq matches socket connections against "localhost".
    let host = if host.starts_with('/') {
        "localhost"
    } else {
        host
    };
    let port = port.to_string();
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass(line);
        if fields.len() < 5 {
            continue;
        }
        let m = |pat: &str, v: &str| pat == "*" || pat == v;
        if m(&fields[0], host) && m(&fields[1], &port) && m(&fields[2], db) && m(&fields[3], user) {
            return Ok(Some(Secret(fields[4..].join(":"))));
        }
    }
    Ok(None)
}

fn split_pgpass(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.last_mut().expect("non-empty").push(n);
                }
            }
            ':' if out.len() < 5 => out.push(String::new()),
            c => out.last_mut().expect("non-empty").push(c),
        }
    }
    out
}

/// Removes anything that looks like a password from free text (tool output, error messages):
/// `scheme://user:secret@` and `password=secret`.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // URLs with user:password@
    while let Some(i) = rest.find("://") {
        out.push_str(&rest[..i + 3]);
        rest = &rest[i + 3..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '/' || c == '"' || c == '\'')
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        if let Some(at) = authority.rfind('@')
            && let Some(colon) = authority[..at].find(':')
        {
            out.push_str(&authority[..colon]);
            out.push_str(":***");
            out.push_str(&authority[at..]);
        } else {
            out.push_str(authority);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    // password=... (key=value form)
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.to_ascii_lowercase().find("password=") {
        result.push_str(&rest[..i + 9]);
        rest = &rest[i + 9..];
        let end = if let Some(quoted) = rest.strip_prefix('\'') {
            quoted.find('\'').map_or(rest.len(), |e| e + 2)
        } else {
            rest.find(|c: char| c.is_whitespace() || c == '&')
                .unwrap_or(rest.len())
        };
        result.push_str("***");
        rest = &rest[end..];
    }
    result.push_str(rest);
    result
}

/// Quotes an SQL identifier (always).
pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Quotes an SQL string literal.
pub fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Whether two resolved specs name the same database by their addresses alone
/// (loopback names and socket connections count as the same host).
pub fn same_address(a: &Resolved, b: &Resolved) -> bool {
    fn norm(h: &str) -> &str {
        if h.starts_with('/') || matches!(h, "localhost" | "127.0.0.1" | "::1") {
            "local"
        } else {
            h
        }
    }
    norm(&a.host).eq_ignore_ascii_case(norm(&b.host)) && a.port == b.port
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        let s = ConnSpec::parse("postgres://app:s%40cret@db.example:6432/orders?sslmode=require")
            .unwrap();
        assert_eq!(s.host.as_deref(), Some("db.example"));
        assert_eq!(s.port, Some(6432));
        assert_eq!(s.user.as_deref(), Some("app"));
        assert_eq!(s.dbname.as_deref(), Some("orders"));
        assert_eq!(s.password.as_ref().unwrap().expose(), "s@cret");
        assert_eq!(
            s.redacted(),
            "postgres://app:***@db.example:6432/orders?sslmode=require"
        );
        assert!(!format!("{s:?}").contains("s@cret"));

        let s =
            ConnSpec::parse("postgresql:///app?host=%2Fvar%2Frun%2Fpostgresql&port=5433").unwrap();
        assert_eq!(s.host.as_deref(), Some("/var/run/postgresql"));
        assert_eq!(s.port, Some(5433));
        assert_eq!(
            s.redacted(),
            "postgres://:5433/app?host=%2Fvar%2Frun%2Fpostgresql"
        );

        let s = ConnSpec::parse("postgres://[::1]:5432/x").unwrap();
        assert_eq!(s.host.as_deref(), Some("::1"));
        assert!(ConnSpec::parse("postgres://h/x?bogus=1").is_err());
        assert!(ConnSpec::parse("mysql://h/x").is_err());
    }

    #[test]
    fn parses_key_value() {
        let s = ConnSpec::parse("host=localhost port=5433 dbname='my db' user=u password='it\\'s'")
            .unwrap();
        assert_eq!(s.dbname.as_deref(), Some("my db"));
        assert_eq!(s.port, Some(5433));
        assert!(s.has_password());
        assert_eq!(s.redacted(), "postgres://u:***@localhost:5433/my%20db");
    }

    #[test]
    fn tool_conninfo_has_no_password() {
        let s = ConnSpec::parse("postgres://u:pw@h:1/d?sslmode=require").unwrap();
        let r = s.resolve(None);
        let ci = r.tool_conninfo();
        assert!(!ci.contains("pw"), "{ci}");
        assert!(ci.contains("sslmode=require"));
        assert_eq!(
            r.child_env(),
            vec![("PGPASSWORD".to_string(), "pw".to_string())]
        );
        assert_eq!(r.password_source, PasswordSource::Url);
        assert!(!r.warnings.is_empty());
    }

    #[test]
    fn redacts_free_text() {
        assert_eq!(
            redact_text("failed for postgres://bob:hunter2@db:5432/x and password=hunter2 ok"),
            "failed for postgres://bob:***@db:5432/x and password=*** ok"
        );
        assert_eq!(redact_text("password='a b' x"), "password=*** x");
        assert_eq!(redact_text("http://example.com/x"), "http://example.com/x");
    }

    #[test]
    fn passfile_lookup() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pgpass");
        std::fs::write(
            &f,
            "# comment\nother:*:*:*:nope\nlocalhost:5432:*:app:pa\\:ss\n*:*:*:*:fallback\n",
        )
        .unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        let got = lookup_passfile(&f, "/tmp", 5432, "db", "app")
            .unwrap()
            .unwrap();
        assert_eq!(got.expose(), "pa:ss");
        let got = lookup_passfile(&f, "h", 1, "db", "x").unwrap().unwrap();
        assert_eq!(got.expose(), "fallback");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(lookup_passfile(&f, "h", 1, "db", "x").is_err());
    }
}
