//! Docker Compose files (the Compose specification: `compose.yaml`, `docker-compose.yml`).
//!
//! Read from the spanned YAML tree, so every setting keeps its place: anchors and merge keys
//! (`<<: *defaults`) are already expanded by the tree, `x-` extension fields are ignored,
//! `${VAR}` interpolation is kept as written (a value that is only a variable is not a literal
//! secret), and `extends` is followed within the file and into other files (`file:`, read from
//! disk relative to this one, never written). A setting a service inherits is reported at the
//! service's `extends:` key, naming where it comes from.

use std::path::{Path, PathBuf};

use plimsoll_yaml::{Limits, Node, NodeId, SourceFile, Span, YamlFile};

use crate::FormatError;

/// A parsed Compose file.
#[derive(Debug)]
pub struct ComposeFile {
    pub yaml: YamlFile,
    pub errors: Vec<FormatError>,
    /// Files read because a service `extends` a service of theirs.
    pub extended: Vec<ExtendedFile>,
    /// What could not be followed (a missing `extends` file or service), at its place here.
    pub notes: Vec<Note>,
    services: Vec<ServiceDef>,
}

/// Another Compose file a service extends.
#[derive(Debug)]
pub struct ExtendedFile {
    pub path: String,
    pub yaml: YamlFile,
}

/// Something the reader could not follow, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub message: String,
    pub span: Span,
}

/// Which file a node is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Src {
    Here,
    Ext(usize),
}

#[derive(Debug)]
struct ServiceDef {
    name: String,
    /// The service's key under `services:`.
    key: NodeId,
    /// The service's mapping, then the mappings it extends, most derived first.
    layers: Vec<(Src, NodeId, String)>,
    /// The service's own `extends:` key, where inherited settings are reported.
    extends: Option<Span>,
}

/// Read a Compose file (and the files its services extend); never panics.
pub fn parse(source: SourceFile, limits: &Limits) -> ComposeFile {
    let path = PathBuf::from(source.path());
    let yaml = plimsoll_yaml::parse(source, limits);
    let errors = yaml
        .errors
        .iter()
        .map(|e| FormatError {
            message: e.message.clone(),
            offset: e.offset,
        })
        .collect();
    let mut c = ComposeFile {
        yaml,
        errors,
        extended: Vec::new(),
        notes: Vec::new(),
        services: Vec::new(),
    };
    c.read_services(&path, limits);
    c
}

/// The `services:` mapping of a file's first document.
fn services_of(yaml: &YamlFile) -> Option<Node<'_>> {
    let (_, root) = yaml.roots().next()?;
    root.get("services").filter(|s| s.is_mapping())
}

impl ComposeFile {
    fn yaml_of(&self, src: Src) -> &YamlFile {
        match src {
            Src::Here => &self.yaml,
            Src::Ext(i) => &self.extended[i].yaml,
        }
    }

    fn read_services(&mut self, path: &Path, limits: &Limits) {
        let Some(services) = services_of(&self.yaml) else {
            return;
        };
        let own: Vec<(String, NodeId, NodeId)> = services
            .entries()
            .filter_map(|(k, v)| {
                let name = k.as_str()?;
                (!name.starts_with("x-") && v.is_mapping())
                    .then(|| (name.to_string(), k.id(), v.id()))
            })
            .collect();
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for (name, key, value) in own {
            let mut layers = vec![(Src::Here, value, self.yaml.source.path().to_string())];
            let extends = self.yaml.node(value).get("extends").map(|e| e.anchor());
            self.follow(&mut layers, Src::Here, value, &dir, limits, 0);
            self.services.push(ServiceDef {
                name,
                key,
                layers,
                extends,
            });
        }
    }

    /// Add the chain of services `node` extends to `layers`.
    fn follow(
        &mut self,
        layers: &mut Vec<(Src, NodeId, String)>,
        src: Src,
        node: NodeId,
        dir: &Path,
        limits: &Limits,
        depth: u32,
    ) {
        if depth > 8 {
            return;
        }
        let (service, file, at) = {
            let n = self.yaml_of(src).node(node);
            let Some(e) = n.get("extends") else { return };
            let at = e.anchor();
            match (e.as_str(), e.is_mapping()) {
                (Some(s), _) => (s.to_string(), None, at),
                (None, true) => match e.get_str("service") {
                    Some(s) => (s.to_string(), e.get_str("file").map(str::to_string), at),
                    None => return,
                },
                _ => return,
            }
        };
        // where the note goes: this file's place for the chain
        let note_at = if src == Src::Here {
            at
        } else {
            layers
                .first()
                .and_then(|(_, id, _)| self.yaml.node(*id).get("extends"))
                .map(|e| e.anchor())
                .unwrap_or(at)
        };
        let (target_src, target_dir) = match file {
            None => (src, dir.to_path_buf()),
            Some(f) => {
                let p = dir.join(&f);
                let key = p.display().to_string();
                let existing = self.extended.iter().position(|x| x.path == key);
                let i = match existing {
                    Some(i) => i,
                    None => match std::fs::read_to_string(&p) {
                        Ok(text) => {
                            let yaml =
                                plimsoll_yaml::parse(SourceFile::new(key.clone(), text), limits);
                            self.extended.push(ExtendedFile { path: key, yaml });
                            self.extended.len() - 1
                        }
                        Err(_) => {
                            self.notes.push(Note {
                                message: format!(
                                    "`extends` names `{f}`, which was not found next to this file: the settings service `{service}` would inherit from it are not checked"
                                ),
                                span: note_at,
                            });
                            return;
                        }
                    },
                };
                let next_dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
                (Src::Ext(i), next_dir)
            }
        };
        let target = services_of(self.yaml_of(target_src))
            .and_then(|s| s.get(&service))
            .filter(|n| n.is_mapping())
            .map(|n| n.id());
        let Some(target) = target else {
            self.notes.push(Note {
                message: format!("`extends` names service `{service}`, which is not defined there"),
                span: note_at,
            });
            return;
        };
        if layers
            .iter()
            .any(|(s, id, _)| *s == target_src && *id == target)
        {
            self.notes.push(Note {
                message: format!("`extends` of service `{service}` loops"),
                span: note_at,
            });
            return;
        }
        let path = self.yaml_of(target_src).source.path().to_string();
        layers.push((target_src, target, path));
        self.follow(layers, target_src, target, &target_dir, limits, depth + 1);
    }

    /// The services, in file order.
    pub fn services(&self) -> impl Iterator<Item = Service<'_>> + '_ {
        self.services
            .iter()
            .map(move |def| Service { file: self, def })
    }

    pub fn service(&self, name: &str) -> Option<Service<'_>> {
        self.services().find(|s| s.name() == name)
    }

    /// The top-level `volumes:` mapping (named volumes).
    pub fn named_volumes(&self) -> Vec<&str> {
        self.yaml
            .roots()
            .next()
            .and_then(|(_, r)| r.get("volumes"))
            .into_iter()
            .flat_map(|v| v.entries())
            .filter_map(|(k, _)| k.as_str())
            .collect()
    }
}

/// A setting of a service: its node and where to report it in this file.
#[derive(Clone, Copy, Debug)]
pub struct Field<'a> {
    pub node: Node<'a>,
    /// Where findings about it point in this file: the setting itself, or for an inherited one
    /// the service's `extends:` key.
    pub span: Span,
    /// The file and service it is inherited from, when it is inherited.
    pub inherited: Option<&'a str>,
}

impl<'a> Field<'a> {
    /// The node's span when it is in this file (for masking a secret value), else `None`.
    pub fn local_span(&self) -> Option<Span> {
        self.inherited.is_none().then(|| self.node.span())
    }

    pub fn as_str(&self) -> Option<&'a str> {
        self.node.as_str()
    }
}

/// One service, with what it extends.
#[derive(Clone, Copy, Debug)]
pub struct Service<'a> {
    file: &'a ComposeFile,
    def: &'a ServiceDef,
}

/// An environment variable of a service.
#[derive(Clone, Debug)]
pub struct EnvVar<'a> {
    pub name: String,
    /// `None` when the variable is only named (its value comes from the shell or `.env`).
    pub value: Option<String>,
    /// Where findings point.
    pub span: Span,
    /// The bytes of the value in this file, to mask (`None` when inherited or not locatable).
    pub value_span: Option<Span>,
    pub inherited: Option<&'a str>,
}

/// A published port (`ports:`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// The host address it binds (`None`: every interface).
    pub host_ip: Option<String>,
    /// The host port or range (`None`: an ephemeral port chosen by Docker).
    pub published: Option<String>,
    pub target: String,
    pub protocol: Option<String>,
    pub span: Span,
}

impl Port {
    /// Reachable on every interface of the host.
    pub fn on_all_interfaces(&self) -> bool {
        match self.host_ip.as_deref() {
            None => true,
            Some(ip) => matches!(ip.trim_matches(['[', ']']), "0.0.0.0" | "::" | "" | "*"),
        }
    }
}

/// What a volume entry mounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MountKind {
    /// A host path.
    Bind,
    /// A named volume.
    Volume,
    /// A volume without a name (`- /data`): recreated with the container.
    Anonymous,
    Tmpfs,
    Other,
}

/// An entry of `volumes:` of a service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub kind: MountKind,
    pub source: Option<String>,
    pub target: Option<String>,
    pub read_only: bool,
    pub span: Span,
}

/// The service's healthcheck.
#[derive(Clone, Copy, Debug)]
pub enum Health<'a> {
    /// None is written: the image's `HEALTHCHECK`, if any, applies.
    Missing,
    /// `disable: true` or `test: ["NONE"]`.
    Disabled(Field<'a>),
    Defined(Field<'a>),
}

/// A named volume name per the Compose specification.
fn is_volume_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

impl<'a> Service<'a> {
    pub fn name(&self) -> &'a str {
        &self.def.name
    }

    /// The service's key under `services:` (where findings about the service point).
    pub fn key_span(&self) -> Span {
        self.file.yaml.node(self.def.key).span()
    }

    /// The service's own mapping.
    pub fn node(&self) -> Node<'a> {
        self.file.yaml.node(self.def.layers[0].1)
    }

    pub fn file(&self) -> &'a ComposeFile {
        self.file
    }

    fn field(&self, i: usize, node: Node<'a>) -> Field<'a> {
        if i == 0 {
            Field {
                node,
                span: node.anchor(),
                inherited: None,
            }
        } else {
            Field {
                node,
                span: self.def.extends.unwrap_or_else(|| self.key_span()),
                inherited: Some(self.def.layers[i].2.as_str()),
            }
        }
    }

    fn layer_nodes(&self) -> impl Iterator<Item = (usize, Node<'a>)> + 'a {
        let file = self.file;
        self.def
            .layers
            .iter()
            .enumerate()
            .map(move |(i, (src, id, _))| (i, file.yaml_of(*src).node(*id)))
    }

    /// A setting, from the service or what it extends (the most derived wins).
    pub fn get(&self, key: &str) -> Option<Field<'a>> {
        self.layer_nodes().find_map(|(i, n)| {
            n.get(key)
                .filter(|v| !v.is_null())
                .map(|v| self.field(i, v))
        })
    }

    /// A nested setting (`deploy.resources.limits.memory`).
    pub fn path(&self, keys: &[&str]) -> Option<Field<'a>> {
        self.layer_nodes().find_map(|(i, n)| {
            n.path(keys)
                .filter(|v| !v.is_null())
                .map(|v| self.field(i, v))
        })
    }

    /// A setting from every layer that has it, most derived first (lists that merge).
    pub fn all(&self, key: &str) -> Vec<Field<'a>> {
        self.layer_nodes()
            .filter_map(|(i, n)| {
                n.get(key)
                    .filter(|v| !v.is_null())
                    .map(|v| self.field(i, v))
            })
            .collect()
    }

    /// The settings as text, for the ones that are strings (`user`, `network_mode`...).
    pub fn get_str(&self, key: &str) -> Option<(&'a str, Field<'a>)> {
        let f = self.get(key)?;
        Some((f.node.as_str()?, f))
    }

    pub fn get_bool(&self, key: &str) -> Option<(bool, Field<'a>)> {
        let f = self.get(key)?;
        let b = f.node.as_bool().or_else(|| match f.node.as_str()? {
            "true" | "True" => Some(true),
            "false" | "False" => Some(false),
            _ => None,
        })?;
        Some((b, f))
    }

    pub fn image(&self) -> Option<(&'a str, Field<'a>)> {
        self.get_str("image")
    }

    pub fn build(&self) -> Option<Field<'a>> {
        self.get("build")
    }

    /// `profiles:`: a service with profiles only starts when one of them is enabled.
    pub fn profiles(&self) -> Vec<&'a str> {
        self.get("profiles")
            .into_iter()
            .flat_map(|f| f.node.items())
            .filter_map(|n| n.as_str())
            .collect()
    }

    /// Items of a list setting, across the layers.
    pub fn list(&self, key: &str) -> Vec<(&'a str, Field<'a>)> {
        let mut out = Vec::new();
        for f in self.all(key) {
            if let Some(s) = f.node.as_str() {
                out.push((s, f));
            }
            for item in f.node.items() {
                if let Some(s) = item.as_str() {
                    let span = if f.inherited.is_some() {
                        f.span
                    } else {
                        item.span()
                    };
                    out.push((
                        s,
                        Field {
                            node: item,
                            span,
                            inherited: f.inherited,
                        },
                    ));
                }
            }
        }
        out
    }

    /// `environment:` in either form, the most derived value of each name.
    pub fn environment(&self) -> Vec<EnvVar<'a>> {
        let mut out: Vec<EnvVar<'a>> = Vec::new();
        for f in self.all("environment") {
            let mut push = |v: EnvVar<'a>| {
                if !out.iter().any(|o| o.name == v.name) {
                    out.push(v);
                }
            };
            if f.node.is_mapping() {
                for (k, v) in f.node.entries() {
                    let Some(name) = k.as_str() else { continue };
                    let value = if v.is_null() {
                        None
                    } else {
                        v.text().map(str::to_string)
                    };
                    let (span, value_span) = match f.inherited {
                        None => (v.anchor(), value.as_ref().map(|_| v.span())),
                        Some(_) => (f.span, None),
                    };
                    push(EnvVar {
                        name: name.to_string(),
                        value,
                        span,
                        value_span,
                        inherited: f.inherited,
                    });
                }
            } else {
                for item in f.node.items() {
                    let Some(text) = item.text() else { continue };
                    let (name, value) = match text.split_once('=') {
                        Some((n, v)) => (n.trim(), Some(v.to_string())),
                        None => (text.trim(), None),
                    };
                    let (span, value_span) = match f.inherited {
                        None => (
                            item.span(),
                            value.as_ref().map(|v| value_span(item, text, v)),
                        ),
                        Some(_) => (f.span, None),
                    };
                    push(EnvVar {
                        name: name.to_string(),
                        value,
                        span,
                        value_span,
                        inherited: f.inherited,
                    });
                }
            }
        }
        out
    }

    /// `env_file:` entries.
    pub fn env_files(&self) -> Vec<(&'a str, Field<'a>)> {
        let mut out = self.list("env_file");
        for f in self.all("env_file") {
            for item in f.node.items() {
                if let Some(p) = item.get_str("path") {
                    out.push((
                        p,
                        Field {
                            node: item,
                            span: if f.inherited.is_some() {
                                f.span
                            } else {
                                item.span()
                            },
                            inherited: f.inherited,
                        },
                    ));
                }
            }
        }
        out
    }

    /// `ports:` in short and long syntax.
    pub fn ports(&self) -> Vec<Port> {
        let mut out = Vec::new();
        for f in self.all("ports") {
            for item in f.node.items() {
                let span = if f.inherited.is_some() {
                    f.span
                } else {
                    item.span()
                };
                if item.is_mapping() {
                    let s = |k: &str| item.get(k).and_then(|n| n.as_str()).map(str::to_string);
                    let Some(target) = s("target") else { continue };
                    out.push(Port {
                        host_ip: s("host_ip"),
                        published: s("published"),
                        target,
                        protocol: s("protocol"),
                        span,
                    });
                } else if let Some(text) = item.as_str() {
                    out.extend(parse_port(text, span));
                }
            }
        }
        out
    }

    /// `volumes:` in short and long syntax.
    pub fn mounts(&self) -> Vec<Mount> {
        let mut out = Vec::new();
        for f in self.all("volumes") {
            for item in f.node.items() {
                let span = if f.inherited.is_some() {
                    f.span
                } else {
                    item.span()
                };
                if item.is_mapping() {
                    let source = item.get_str("source").map(str::to_string);
                    let kind = match item.get_str("type") {
                        Some("bind") => MountKind::Bind,
                        Some("volume") | None => match &source {
                            Some(_) => MountKind::Volume,
                            None => MountKind::Anonymous,
                        },
                        Some("tmpfs") => MountKind::Tmpfs,
                        Some(_) => MountKind::Other,
                    };
                    out.push(Mount {
                        kind,
                        source,
                        target: item.get_str("target").map(str::to_string),
                        read_only: item.get_bool("read_only") == Some(true),
                        span,
                    });
                } else if let Some(text) = item.as_str() {
                    out.push(parse_mount(text, span));
                }
            }
        }
        out
    }

    /// The healthcheck written for the service.
    pub fn healthcheck(&self) -> Health<'a> {
        let Some(f) = self.get("healthcheck") else {
            return Health::Missing;
        };
        let disabled = f.node.get_bool("disable") == Some(true)
            || f.node.get("test").is_some_and(|t| {
                t.items().next().and_then(|i| i.as_str()) == Some("NONE")
                    || t.as_str() == Some("NONE")
            });
        if disabled {
            Health::Disabled(f)
        } else {
            Health::Defined(f)
        }
    }

    /// `restart:`, or `deploy.restart_policy.condition`.
    pub fn restart(&self) -> Option<(&'a str, Field<'a>)> {
        self.get_str("restart").or_else(|| {
            let f = self.path(&["deploy", "restart_policy"])?;
            let c = f.node.get("condition");
            let text = c.and_then(|c| c.as_str()).unwrap_or("any");
            Some((text, f))
        })
    }

    /// The memory limit: `deploy.resources.limits.memory` or `mem_limit`.
    pub fn memory_limit(&self) -> Option<Field<'a>> {
        self.path(&["deploy", "resources", "limits", "memory"])
            .or_else(|| self.get("mem_limit"))
    }

    /// The CPU limit: `deploy.resources.limits.cpus` or `cpus`.
    pub fn cpu_limit(&self) -> Option<Field<'a>> {
        self.path(&["deploy", "resources", "limits", "cpus"])
            .or_else(|| self.get("cpus"))
    }

    /// The process-count limit: `deploy.resources.limits.pids` or `pids_limit`.
    pub fn pids_limit(&self) -> Option<Field<'a>> {
        self.path(&["deploy", "resources", "limits", "pids"])
            .or_else(|| self.get("pids_limit"))
    }

    /// `logging:`.
    pub fn logging(&self) -> Option<Field<'a>> {
        self.get("logging")
    }

    /// Capabilities listed under `cap_add`/`cap_drop`, upper case without `CAP_`.
    pub fn capabilities(&self, key: &str) -> Vec<(String, Field<'a>)> {
        self.list(key)
            .into_iter()
            .map(|(s, f)| {
                let t = s.trim().to_ascii_uppercase();
                (t.strip_prefix("CAP_").map(str::to_string).unwrap_or(t), f)
            })
            .collect()
    }

    /// `security_opt:` entries.
    pub fn security_opts(&self) -> Vec<(&'a str, Field<'a>)> {
        self.list("security_opt")
    }

    /// `secrets:` the service is given (short names or long-syntax `source`).
    pub fn secrets(&self) -> Vec<&'a str> {
        let mut out = Vec::new();
        for f in self.all("secrets") {
            for item in f.node.items() {
                if let Some(s) = item.as_str().or_else(|| item.get_str("source")) {
                    out.push(s);
                }
            }
        }
        out
    }
}

/// Where the value of a `NAME=value` list item lies in the source, when it can be told.
fn value_span(item: Node<'_>, text: &str, value: &str) -> Span {
    let span = item.span();
    let raw = item.source_text();
    let quote = match raw.as_bytes().first() {
        Some(b'"' | b'\'') => 1,
        _ => 0,
    };
    let body = raw
        .get(quote..raw.len().saturating_sub(quote))
        .unwrap_or("");
    if body == text {
        let start = span.start + quote as u32 + (text.len() - value.len()) as u32;
        Span::new(start, start + value.len() as u32)
    } else {
        span
    }
}

/// A short-syntax port: `[HOST_IP:][HOST:]CONTAINER[/PROTOCOL]`.
fn parse_port(text: &str, span: Span) -> Option<Port> {
    let text = text.trim();
    let (rest, protocol) = match text.rsplit_once('/') {
        Some((r, p)) => (r, Some(p.to_string())),
        None => (text, None),
    };
    let (host_ip, rest) = if let Some(r) = rest.strip_prefix('[') {
        let (ip, after) = r.split_once(']')?;
        (
            Some(ip.to_string()),
            after.strip_prefix(':').unwrap_or(after),
        )
    } else {
        (None, rest)
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let (ip, published, target) = match parts.as_slice() {
        [t] => (None, None, *t),
        [p, t] => (None, Some(*p), *t),
        [ip @ .., p, t] => (Some(ip.join(":")), Some(*p), *t),
        [] => return None,
    };
    Some(Port {
        host_ip: host_ip.or(ip),
        published: published.filter(|p| !p.is_empty()).map(str::to_string),
        target: target.to_string(),
        protocol,
        span,
    })
}

/// A short-syntax volume: `[SOURCE:]TARGET[:MODE]`.
fn parse_mount(text: &str, span: Span) -> Mount {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [t] => (None, *t, None),
        [s, t] => (Some(*s), *t, None),
        [s, t, m, ..] => (Some(*s), *t, Some(*m)),
        [] => (None, "", None),
    };
    let kind = match source {
        None => MountKind::Anonymous,
        Some(s) if is_volume_name(s) => MountKind::Volume,
        Some(_) => MountKind::Bind,
    };
    Mount {
        kind,
        source: source.map(str::to_string),
        target: Some(target.to_string()),
        read_only: mode.is_some_and(|m| m.split(',').any(|o| o == "ro")),
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> ComposeFile {
        parse(SourceFile::new("compose.yaml", text), &Limits::default())
    }

    #[test]
    fn services_fields_and_spans() {
        let c = read(
            "x-defaults: &d\n  restart: always\nservices:\n  web:\n    <<: *d\n    image: nginx\n    ports: [\"8080:80\", \"127.0.0.1:9000:9000/udp\", 3000]\n  x-ignored: {}\n",
        );
        assert!(c.errors.is_empty());
        let names: Vec<_> = c.services().map(|s| s.name()).collect();
        assert_eq!(names, ["web"]);
        let web = c.service("web").unwrap();
        assert_eq!(web.restart().unwrap().0, "always");
        assert_eq!(c.yaml.source.slice(web.image().unwrap().1.span), "image");
        let ports = web.ports();
        assert_eq!(ports.len(), 3);
        assert!(ports[0].on_all_interfaces());
        assert_eq!(ports[1].host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(ports[1].protocol.as_deref(), Some("udp"));
        assert!(!ports[1].on_all_interfaces());
        assert_eq!(ports[2].published, None);
    }

    #[test]
    fn environment_forms_and_value_spans() {
        let text = "services:\n  a:\n    environment:\n      - DB_PASSWORD=hunter2\n      - \"TOKEN=abc\"\n      - ONLY_NAME\n  b:\n    environment:\n      API_KEY: s3cr3t\n      EMPTY:\n";
        let c = read(text);
        let a = c.service("a").unwrap().environment();
        assert_eq!(a.len(), 3);
        assert_eq!(c.yaml.source.slice(a[0].value_span.unwrap()), "hunter2");
        assert_eq!(c.yaml.source.slice(a[1].value_span.unwrap()), "abc");
        assert_eq!(a[2].value, None);
        let b = c.service("b").unwrap().environment();
        assert_eq!(c.yaml.source.slice(b[0].value_span.unwrap()), "s3cr3t");
        assert_eq!(b[1].value, None);
    }

    #[test]
    fn mounts_short_and_long() {
        let c = read(
            "services:\n  a:\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n      - data:/data:ro\n      - /cache\n      - ./src:/src\n      - type: bind\n        source: /etc\n        target: /host-etc\n        read_only: true\n",
        );
        let m = c.service("a").unwrap().mounts();
        let kinds: Vec<_> = m.iter().map(|m| m.kind).collect();
        assert_eq!(
            kinds,
            [
                MountKind::Bind,
                MountKind::Volume,
                MountKind::Anonymous,
                MountKind::Bind,
                MountKind::Bind
            ]
        );
        assert!(m[1].read_only && m[4].read_only && !m[0].read_only);
    }

    #[test]
    fn extends_in_file_and_across_files() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("common.yaml"),
            "services:\n  base:\n    image: busybox\n    privileged: true\n    environment:\n      SHARED: x\n",
        )
        .unwrap();
        let text = "services:\n  local:\n    restart: always\n  web:\n    extends: local\n    image: app:1\n  other:\n    extends:\n      file: common.yaml\n      service: base\n  lost:\n    extends:\n      file: missing.yaml\n      service: base\n";
        let path = d.path().join("compose.yaml");
        let c = parse(
            SourceFile::new(path.display().to_string(), text),
            &Limits::default(),
        );
        let web = c.service("web").unwrap();
        let (r, f) = web.restart().unwrap();
        assert_eq!(r, "always");
        assert_eq!(c.yaml.source.slice(f.span), "extends");
        let other = c.service("other").unwrap();
        let (p, f) = other.get_bool("privileged").unwrap();
        assert!(p);
        assert!(f.inherited.unwrap().ends_with("common.yaml"));
        assert_eq!(other.environment()[0].name, "SHARED");
        assert_eq!(c.notes.len(), 1);
        assert!(c.notes[0].message.contains("missing.yaml"));
    }

    #[test]
    fn healthcheck_states() {
        let c = read(
            "services:\n  a:\n    healthcheck:\n      disable: true\n  b:\n    healthcheck:\n      test: [\"NONE\"]\n  c:\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n  d: {}\n",
        );
        assert!(matches!(
            c.service("a").unwrap().healthcheck(),
            Health::Disabled(_)
        ));
        assert!(matches!(
            c.service("b").unwrap().healthcheck(),
            Health::Disabled(_)
        ));
        assert!(matches!(
            c.service("c").unwrap().healthcheck(),
            Health::Defined(_)
        ));
        assert!(matches!(
            c.service("d").unwrap().healthcheck(),
            Health::Missing
        ));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for t in [
            "",
            "services: 3",
            "services:\n  a: [1]\n",
            "services:\n  a:\n    extends: a\n",
            "services:\n  a:\n    ports: [\"[::1\", \":\", \"\"]\n    volumes: [\":\", \"::::\"]\n    environment: [\"=\"]\n",
        ] {
            let c = read(t);
            for s in c.services() {
                let _ = (
                    s.ports(),
                    s.mounts(),
                    s.environment(),
                    s.healthcheck(),
                    s.restart(),
                );
            }
        }
    }
}
