//! One view over "something that runs": a container of a Kubernetes pod template, a Compose
//! service, a systemd service. Rules about a risk that is the same everywhere (runs as root,
//! privileged, secrets in the environment, no health check, no resource limits, mutable image,
//! writable root filesystem) ask this view and report at the span it gives, in the file being
//! checked: the setting when it is written, else the place where it belongs (the container's
//! `name:`, the service's key, the unit's `[Service]` header).

use std::sync::Arc;

use plimsoll_model::{Container, ObjectId, Workload};
use plimsoll_yaml::{Node, Span};

use crate::compose::{self, ComposeFile};
use crate::systemd::{Entry, Unit, UnitKind, parse_bool};

/// Where something runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Platform {
    Kubernetes,
    Compose,
    Systemd,
}

/// Something that runs.
#[derive(Clone, Copy, Debug)]
pub enum Runnable<'a> {
    /// A container of a workload's pod template.
    Container {
        workload: Workload<'a>,
        container: Container<'a>,
    },
    /// A Compose service (with what it extends).
    Compose(compose::Service<'a>),
    /// A systemd service unit (with its drop-ins).
    Unit(&'a Unit),
}

/// Whether it runs as root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Root {
    /// It does: `explicit` when a setting says so (`user: root`, `User=root`, `runAsUser: 0`),
    /// else by default (a unit without `User=`).
    Yes { at: Span, explicit: bool },
    /// A setting makes it run as another user.
    No { at: Span },
    /// Nothing says: it runs as the image's user, root unless the image says otherwise.
    Unknown { at: Span },
}

/// An environment variable given to the process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    /// The literal value; `None` when it comes from elsewhere (a secret reference, the shell).
    pub value: Option<String>,
    /// Where findings about it point.
    pub span: Span,
    /// The value's bytes in this file, to be masked; `None` when it is not in this file.
    pub value_span: Option<Span>,
}

/// A health check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    Present {
        at: Span,
    },
    /// Written, and switched off (`healthcheck: {disable: true}`, `WatchdogSec=0`).
    Disabled {
        at: Span,
    },
    Missing {
        at: Span,
    },
}

/// A limit on a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Set {
        at: Span,
    },
    /// Written as unlimited (`MemoryMax=infinity`).
    Unlimited {
        at: Span,
    },
    Missing {
        at: Span,
    },
}

/// Whether the root filesystem is read-only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadOnlyRoot {
    Yes,
    /// Written, and not read-only (`read_only: false`, `ProtectSystem=no`).
    No {
        at: Span,
    },
    Unset {
        at: Span,
    },
}

/// A security switch (no new privileges).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Switch {
    On {
        at: Span,
    },
    /// Written, and off.
    Off {
        at: Span,
    },
    Unset {
        at: Span,
    },
}

/// The runnables of a Compose file.
pub fn compose_services(c: &ComposeFile) -> impl Iterator<Item = Runnable<'_>> + '_ {
    c.services().map(Runnable::Compose)
}

/// The runnable of a unit: services only (sockets, timers, targets start nothing of their own).
pub fn unit_service(u: &Unit) -> Option<Runnable<'_>> {
    (u.kind == UnitKind::Service).then_some(Runnable::Unit(u))
}

/// The containers of a workload.
pub fn workload_containers<'a>(w: &Workload<'a>) -> impl Iterator<Item = Runnable<'a>> + 'a {
    let workload = *w;
    w.containers().map(move |container| Runnable::Container {
        workload,
        container,
    })
}

fn anchor(n: Node<'_>) -> Span {
    n.anchor()
}

const SERVICE: &str = "Service";

impl<'a> Runnable<'a> {
    pub fn platform(&self) -> Platform {
        match self {
            Runnable::Container { .. } => Platform::Kubernetes,
            Runnable::Compose(_) => Platform::Compose,
            Runnable::Unit(_) => Platform::Systemd,
        }
    }

    /// The container, service or unit name.
    pub fn name(&self) -> &'a str {
        match self {
            Runnable::Container { container, .. } => container.name(),
            Runnable::Compose(s) => s.name(),
            Runnable::Unit(u) => &u.name,
        }
    }

    /// How messages name it: "container `web`", "service `web`", "unit `web.service`".
    pub fn subject(&self) -> String {
        let what = match self.platform() {
            Platform::Kubernetes => "container",
            Platform::Compose => "service",
            Platform::Systemd => "unit",
        };
        format!("{what} `{}`", self.name())
    }

    /// The object findings about it name, for the platforms whose files hold no Kubernetes
    /// object (`ComposeService/web`, `SystemdUnit/web.service`).
    pub fn object_id(&self) -> Option<Arc<ObjectId>> {
        let (api, kind) = match self.platform() {
            Platform::Kubernetes => return None,
            Platform::Compose => ("compose", "ComposeService"),
            Platform::Systemd => ("systemd", "SystemdUnit"),
        };
        Some(Arc::new(ObjectId {
            api_version: api.into(),
            kind: kind.into(),
            namespace: None,
            name: self.name().into(),
        }))
    }

    /// The container name findings carry (Kubernetes only: the object names the rest).
    pub fn container_name(&self) -> Option<&'a str> {
        match self {
            Runnable::Container { container, .. } => Some(container.name()),
            _ => None,
        }
    }

    /// Where findings about something missing point.
    pub fn anchor(&self) -> Span {
        match self {
            Runnable::Container { container, .. } => anchor(container.anchor()),
            Runnable::Compose(s) => s.key_span(),
            Runnable::Unit(u) => u.anchor(SERVICE),
        }
    }

    fn unit_entry(u: &'a Unit, key: &str) -> Option<(&'a Entry, Span)> {
        let e = u.get(SERVICE, key)?;
        Some((e, u.span_of(e)))
    }

    /// Runs with every capability and the host's devices.
    pub fn privileged(&self) -> Option<Span> {
        match self {
            Runnable::Container { container, .. } => container
                .security_context()
                .and_then(|s| s.get("privileged"))
                .filter(|p| p.as_bool() == Some(true))
                .map(anchor),
            Runnable::Compose(s) => s
                .get_bool("privileged")
                .filter(|(b, _)| *b)
                .map(|(_, f)| f.span),
            Runnable::Unit(_) => None,
        }
    }

    /// Whether it runs as root.
    pub fn runs_as_root(&self) -> Root {
        match self {
            Runnable::Container { container, .. } => {
                if let Some(u) = container.effective_security("runAsUser")
                    && let Some(uid) = u.as_i64()
                {
                    return if uid == 0 {
                        Root::Yes {
                            at: anchor(u),
                            explicit: true,
                        }
                    } else {
                        Root::No { at: anchor(u) }
                    };
                }
                match container.effective_security("runAsNonRoot") {
                    Some(n) if n.as_bool() == Some(true) => Root::No { at: anchor(n) },
                    _ => Root::Unknown {
                        at: anchor(container.anchor()),
                    },
                }
            }
            Runnable::Compose(s) => match s.get_str("user") {
                Some((user, f)) => {
                    let who = user.split(':').next().unwrap_or("").trim();
                    if matches!(who, "root" | "0") {
                        Root::Yes {
                            at: f.span,
                            explicit: true,
                        }
                    } else if who.is_empty() {
                        Root::Unknown { at: f.span }
                    } else {
                        Root::No { at: f.span }
                    }
                }
                None => Root::Unknown { at: s.key_span() },
            },
            Runnable::Unit(u) => {
                let user = Self::unit_entry(u, "User");
                if let Some((e, at)) = user
                    && matches!(e.value.as_str(), "root" | "0")
                {
                    return Root::Yes { at, explicit: true };
                }
                if let Some(d) = u.last(SERVICE, "DynamicUser")
                    && parse_bool(&d.value) == Some(true)
                {
                    return Root::No { at: u.span_of(d) };
                }
                match user {
                    Some((_, at)) => Root::No { at },
                    None => Root::Yes {
                        at: u.anchor(SERVICE),
                        explicit: false,
                    },
                }
            }
        }
    }

    /// The environment given to the process, with literal values where they are written.
    pub fn env(&self) -> Vec<EnvVar> {
        match self {
            Runnable::Container { container, .. } => container
                .env()
                .filter_map(|e| {
                    let name = e.get_str("name")?;
                    let value = e.get("value");
                    Some(EnvVar {
                        name: name.to_string(),
                        value: value.and_then(|v| v.text()).map(str::to_string),
                        span: value.map(anchor).unwrap_or_else(|| e.span()),
                        value_span: value.map(|v| v.span()),
                    })
                })
                .collect(),
            Runnable::Compose(s) => s
                .environment()
                .into_iter()
                .map(|e| EnvVar {
                    name: e.name,
                    value: e.value,
                    span: e.span,
                    value_span: e.value_span,
                })
                .collect(),
            Runnable::Unit(u) => {
                let mut out: Vec<EnvVar> = Vec::new();
                for e in u.values(SERVICE, "Environment") {
                    for (name, value, range) in split_environment(&e.value) {
                        // the value's own bytes when the assignment is one line of the unit
                        // file, the whole assignment's value when it is continued, nothing
                        // when it is in a drop-in (not in this file)
                        let value_span = e.in_unit_file().then(|| {
                            if u.source.slice(e.value_span) == e.value {
                                Span::new(
                                    e.value_span.start + range.start as u32,
                                    e.value_span.start + range.end as u32,
                                )
                            } else {
                                e.value_span
                            }
                        });
                        out.retain(|o| o.name != name);
                        out.push(EnvVar {
                            name,
                            value: Some(value),
                            span: u.span_of(e),
                            value_span,
                        });
                    }
                }
                out
            }
        }
    }

    /// Its health check: a readiness probe, a Compose `healthcheck`, a systemd watchdog.
    pub fn health(&self) -> Health {
        match self {
            Runnable::Container { container, .. } => match container.get("readinessProbe") {
                Some(p) => Health::Present { at: anchor(p) },
                None => Health::Missing { at: self.anchor() },
            },
            Runnable::Compose(s) => match s.healthcheck() {
                compose::Health::Defined(f) => Health::Present { at: f.span },
                compose::Health::Disabled(f) => Health::Disabled { at: f.span },
                compose::Health::Missing => Health::Missing { at: s.key_span() },
            },
            Runnable::Unit(u) => match Self::unit_entry(u, "WatchdogSec") {
                Some((e, at)) => match crate::systemd::parse_timespan(&e.value) {
                    Some(0) => Health::Disabled { at },
                    _ => Health::Present { at },
                },
                None => Health::Missing {
                    at: u.anchor(SERVICE),
                },
            },
        }
    }

    /// Its memory limit.
    pub fn memory_limit(&self) -> Limit {
        match self {
            Runnable::Container { container, .. } => {
                let resources = container.resources();
                match resources
                    .and_then(|r| r.get("limits"))
                    .and_then(|l| l.get("memory"))
                    .filter(|n| !n.is_null())
                {
                    Some(n) => Limit::Set { at: anchor(n) },
                    None => Limit::Missing {
                        at: resources.map(anchor).unwrap_or_else(|| self.anchor()),
                    },
                }
            }
            Runnable::Compose(s) => match s.memory_limit() {
                Some(f) => match f.node.as_str() {
                    Some("0" | "-1") => Limit::Unlimited { at: f.span },
                    _ => Limit::Set { at: f.span },
                },
                None => Limit::Missing { at: s.key_span() },
            },
            Runnable::Unit(u) => unit_limit(u, &["MemoryMax", "MemoryLimit"]),
        }
    }

    /// Its CPU limit (Compose `cpus`, systemd `CPUQuota=`; Kubernetes: `limits.cpu`).
    pub fn cpu_limit(&self) -> Limit {
        match self {
            Runnable::Container { container, .. } => {
                match container
                    .resources()
                    .and_then(|r| r.get("limits"))
                    .and_then(|l| l.get("cpu"))
                    .filter(|n| !n.is_null())
                {
                    Some(n) => Limit::Set { at: anchor(n) },
                    None => Limit::Missing { at: self.anchor() },
                }
            }
            Runnable::Compose(s) => match s.cpu_limit() {
                Some(f) => match f.node.as_str() {
                    Some("0") => Limit::Unlimited { at: f.span },
                    _ => Limit::Set { at: f.span },
                },
                None => Limit::Missing { at: s.key_span() },
            },
            Runnable::Unit(u) => unit_limit(u, &["CPUQuota"]),
        }
    }

    /// Its limit on processes (Compose `pids_limit`, systemd `TasksMax=`).
    pub fn process_limit(&self) -> Limit {
        match self {
            Runnable::Container { .. } => Limit::Missing { at: self.anchor() },
            Runnable::Compose(s) => match s.pids_limit() {
                Some(f) => match f.node.as_str() {
                    Some("0" | "-1") => Limit::Unlimited { at: f.span },
                    _ => Limit::Set { at: f.span },
                },
                None => Limit::Missing { at: s.key_span() },
            },
            Runnable::Unit(u) => unit_limit(u, &["TasksMax"]),
        }
    }

    /// The image reference it runs, with where it is written.
    pub fn image(&self) -> Option<(&'a str, Span)> {
        match self {
            Runnable::Container { container, .. } => {
                let n = container.image()?;
                Some((n.as_str()?, anchor(n)))
            }
            Runnable::Compose(s) => s.image().map(|(t, f)| (t, f.span)),
            Runnable::Unit(_) => None,
        }
    }

    /// Whether processes are barred from gaining privileges through setuid binaries and file
    /// capabilities (`allowPrivilegeEscalation: false`, `security_opt: [no-new-privileges:true]`,
    /// `NoNewPrivileges=yes`). For Kubernetes, an unset field is reported at the container's
    /// `securityContext:` key, else its `name:`.
    pub fn no_new_privileges(&self) -> Switch {
        match self {
            Runnable::Container { container, .. } => {
                let sc = container.security_context();
                match sc
                    .and_then(|s| s.get("allowPrivilegeEscalation"))
                    .filter(|n| !n.is_null())
                {
                    Some(n) if n.as_bool() == Some(false) => Switch::On { at: anchor(n) },
                    Some(n) => Switch::Off { at: anchor(n) },
                    None => Switch::Unset {
                        at: anchor(sc.unwrap_or_else(|| container.anchor())),
                    },
                }
            }
            Runnable::Compose(s) => {
                for (opt, f) in s.security_opts() {
                    let opt = opt.trim();
                    if let Some(rest) = opt.strip_prefix("no-new-privileges") {
                        let v = rest.trim_start_matches([':', '=']);
                        return match v {
                            "" | "true" => Switch::On { at: f.span },
                            _ => Switch::Off { at: f.span },
                        };
                    }
                }
                Switch::Unset { at: s.key_span() }
            }
            Runnable::Unit(u) => {
                if u.last(SERVICE, "DynamicUser")
                    .and_then(|d| parse_bool(&d.value))
                    == Some(true)
                {
                    return Switch::On {
                        at: u.anchor(SERVICE),
                    };
                }
                let last = u
                    .entries
                    .iter()
                    .filter(|e| e.section == SERVICE && e.key == "NoNewPrivileges")
                    .filter_map(|e| parse_bool(&e.value).map(|b| (b, e)))
                    .next_back();
                match last {
                    Some((true, e)) => Switch::On { at: u.span_of(e) },
                    Some((false, e)) => Switch::Off { at: u.span_of(e) },
                    None => Switch::Unset {
                        at: u.anchor(SERVICE),
                    },
                }
            }
        }
    }

    /// Whether the root filesystem is read-only (systemd: `ProtectSystem=strict` or `full`).
    pub fn read_only_root(&self) -> ReadOnlyRoot {
        match self {
            Runnable::Container { container, .. } => match container
                .security_context()
                .and_then(|s| s.get("readOnlyRootFilesystem"))
                .filter(|n| !n.is_null())
            {
                Some(n) if n.as_bool() == Some(true) => ReadOnlyRoot::Yes,
                Some(n) => ReadOnlyRoot::No { at: anchor(n) },
                None => ReadOnlyRoot::Unset { at: self.anchor() },
            },
            Runnable::Compose(s) => match s.get_bool("read_only") {
                Some((true, _)) => ReadOnlyRoot::Yes,
                Some((false, f)) => ReadOnlyRoot::No { at: f.span },
                None => ReadOnlyRoot::Unset { at: s.key_span() },
            },
            Runnable::Unit(u) => {
                if u.last(SERVICE, "DynamicUser")
                    .and_then(|d| parse_bool(&d.value))
                    == Some(true)
                {
                    return ReadOnlyRoot::Yes;
                }
                match Self::unit_entry(u, "ProtectSystem") {
                    Some((e, _)) if matches!(e.value.as_str(), "strict" | "full") => {
                        ReadOnlyRoot::Yes
                    }
                    Some((_, at)) => ReadOnlyRoot::No { at },
                    None => ReadOnlyRoot::Unset {
                        at: u.anchor(SERVICE),
                    },
                }
            }
        }
    }
}

fn unit_limit(u: &Unit, keys: &[&str]) -> Limit {
    let found = keys
        .iter()
        .filter_map(|k| u.get(SERVICE, k))
        .max_by_key(|e| u.entries.iter().position(|x| std::ptr::eq(x, *e)));
    match found {
        Some(e) if matches!(e.value.as_str(), "infinity" | "100%") && e.key != "CPUQuota" => {
            Limit::Unlimited { at: u.span_of(e) }
        }
        Some(e) => Limit::Set { at: u.span_of(e) },
        None => Limit::Missing {
            at: u.anchor(SERVICE),
        },
    }
}

/// Split an `Environment=` value into `(name, value, byte range of the value)` the way systemd
/// does: words separated by blanks, `"` and `'` quoting, `\` escapes.
pub fn split_environment(v: &str) -> Vec<(String, String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let bytes: Vec<(usize, char)> = v.char_indices().collect();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].1.is_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let mut word = String::new();
        // byte offsets in `v` of each char of `word`
        let mut offsets: Vec<(usize, usize)> = Vec::new();
        let mut quote: Option<char> = None;
        while i < bytes.len() {
            let (at, c) = bytes[i];
            match (quote, c) {
                (None, c) if c.is_whitespace() => break,
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (_, '\\') if i + 1 < bytes.len() => {
                    i += 1;
                    let (at2, c2) = bytes[i];
                    word.push(c2);
                    offsets.push((at2, at2 + c2.len_utf8()));
                }
                (_, c) => {
                    word.push(c);
                    offsets.push((at, at + c.len_utf8()));
                }
            }
            i += 1;
        }
        if let Some(eq) = word.find('=') {
            let name = word[..eq].to_string();
            let value = word[eq + 1..].to_string();
            let chars_before = word[..=eq].chars().count();
            let range = match (offsets.get(chars_before), offsets.last()) {
                (Some(&(s, _)), Some(&(_, e))) => s..e,
                _ => {
                    let end = offsets.last().map(|o| o.1).unwrap_or(0);
                    end..end
                }
            };
            if !name.is_empty() {
                out.push((name, value, range));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::systemd::parse_with_dropins;
    use plimsoll_yaml::{Limits, SourceFile};

    #[test]
    fn environment_words() {
        let v = r#"A=1 "B=two words" C='x' D=a\ b"#;
        let got = split_environment(v);
        let names: Vec<_> = got
            .iter()
            .map(|(n, v, _)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            names,
            [("A", "1"), ("B", "two words"), ("C", "x"), ("D", "a b")]
        );
        assert_eq!(&v[got[1].2.clone()], "two words");
        assert_eq!(&v[got[3].2.clone()], r"a\ b");
    }

    #[test]
    fn unit_view() {
        let text = "[Unit]\nDescription=x\n[Service]\nExecStart=/bin/app\nEnvironment=DB_PASSWORD=hunter2 MODE=prod\nMemoryMax=512M\n";
        let u = parse_with_dropins(SourceFile::new("app.service", text), Vec::new());
        let r = unit_service(&u).unwrap();
        assert_eq!(r.subject(), "unit `app.service`");
        assert!(matches!(
            r.runs_as_root(),
            Root::Yes {
                explicit: false,
                ..
            }
        ));
        let env = r.env();
        assert_eq!(env[0].name, "DB_PASSWORD");
        assert_eq!(u.source.slice(env[0].value_span.unwrap()), "hunter2");
        assert!(matches!(r.memory_limit(), Limit::Set { .. }));
        assert!(matches!(r.cpu_limit(), Limit::Missing { .. }));
        assert!(matches!(r.read_only_root(), ReadOnlyRoot::Unset { .. }));
        assert!(matches!(r.health(), Health::Missing { .. }));
    }

    #[test]
    fn compose_view() {
        let text = "services:\n  web:\n    image: nginx\n    user: \"0:0\"\n    privileged: true\n    read_only: false\n";
        let c = compose::parse(SourceFile::new("compose.yaml", text), &Limits::default());
        let r = compose_services(&c).next().unwrap();
        assert_eq!(r.object_id().unwrap().to_string(), "ComposeService/web");
        assert!(matches!(r.runs_as_root(), Root::Yes { explicit: true, .. }));
        assert_eq!(c.yaml.source.slice(r.privileged().unwrap()), "privileged");
        assert_eq!(r.image().unwrap().0, "nginx");
        assert!(matches!(r.read_only_root(), ReadOnlyRoot::No { .. }));
    }
}
