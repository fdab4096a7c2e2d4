//! Declarations: what no scanner can see but every production programme needs, written in
//! `readiness.yaml` at the repository root (schema: `docs/schema/readiness.schema.json`,
//! guide: `docs/declarations.md`).
//!
//! ```yaml
//! platformTeam: {team: platform, contact: "#platform"}
//! owners:                               # one per gap: image, workload, storage, network,
//!   recovery: {team: dba, contact: dba@acme.example}   # observability, resilience, access,
//!                                       # secrets, change, recovery
//! onCall: {rotation: shop-primary, tool: PagerDuty, escalation: shop-escalation}
//! services:
//!   db:
//!     runbook: docs/runbooks/db.md      # a file (relative to readiness.yaml) or a URL
//!     rto: 1h                           # durations: 90s, 15m, 1h, 30d, 1h30m
//!     rpo: 15m
//!     restoreTest: {cadence: 30d}
//!     workloads: [StatefulSet/shop/db]  # default: workloads named like the service
//! restoreTests: {cadence: 30d}          # the default restore-test cadence
//! ```
//!
//! The same body may be a Kubernetes-style document among the manifests:
//! `apiVersion: plimsoll.dev/v1alpha1`, `kind: Readiness`, `metadata`, and the body under
//! `spec`. Parsing is strict: unknown keys, wrong types and malformed durations are errors with
//! file, line and column, and a suggestion when a known name is close.
//!
//! [`Declarations::review`] says, against the scan's [`Index`], what Plimsoll verified (runbook
//! files exist, every stateful workload has an RTO and an RPO, each declared RPO is within the
//! interval of the backup schedule that covers the workload, each named workload exists) and
//! what is only attested (owners, contacts, on-call, runbook URLs, the targets themselves).
//!
//! Restore drills read the targets from here: [`load`] a file, then
//! [`Declarations::service`] for `rto`/`rpo` and [`Declarations::restore_cadence`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use plimsoll_yaml::{Limits, Node, SourceFile, Span, parse};
use serde::Serialize;

use crate::diag::{FileId, Gap, Loc, ObjectId, suggest};
use crate::facts::{Detail, ObjectFacts, WorkloadFacts};
use crate::index::Index;
use crate::workload::WorkloadKind;

/// `apiVersion` of the document form.
pub const API_VERSION: &str = "plimsoll.dev/v1alpha1";
/// `kind` of the document form.
pub const KIND: &str = "Readiness";
/// File names looked for at the repository root, in order.
pub const FILE_NAMES: [&str; 3] = ["readiness.yaml", ".readiness.yaml", "readiness.yml"];

/// A problem in a declarations file, with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclarationError {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for DeclarationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// A declared string and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub value: Box<str>,
    pub loc: Loc,
}

/// A declared duration (`90s`, `15m`, `1h`, `30d`, `1h30m`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duration {
    pub secs: u64,
    /// As written.
    pub text: Box<str>,
    /// Where the key is written.
    pub loc: Loc,
}

impl Duration {
    pub fn as_std(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.secs)
    }
}

/// A team and how to reach it (`platformTeam`, `owners.<gap>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub team: Text,
    pub contact: Text,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnCall {
    pub rotation: Option<Text>,
    pub tool: Option<Text>,
    pub escalation: Option<Text>,
    pub loc: Loc,
}

/// A service's runbook: a URL (attested) or a file relative to the declarations (verified).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Runbook {
    pub target: Box<str>,
    /// Where the `runbook` key is written.
    pub loc: Loc,
    pub kind: RunbookKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunbookKind {
    Url,
    File {
        /// The path looked for, when the declarations are a file on disk.
        resolved: Option<PathBuf>,
        /// Whether it exists; `None` when it could not be looked for (declarations from standard
        /// input or rendered output).
        exists: Option<bool>,
    },
}

/// `Kind/namespace/name` or `Kind/name` (any namespace).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadRef {
    pub kind: Box<str>,
    pub namespace: Option<Box<str>>,
    pub name: Box<str>,
    pub loc: Loc,
}

impl WorkloadRef {
    pub fn matches(&self, id: &ObjectId) -> bool {
        *self.kind == *id.kind
            && *self.name == *id.name
            && self.namespace.as_deref().is_none_or(|ns| ns == id.ns())
    }
}

impl std::fmt::Display for WorkloadRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}", self.kind, ns, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub name: Box<str>,
    /// Where the service's key is written.
    pub loc: Loc,
    pub runbook: Option<Runbook>,
    /// Recovery time objective: how long restoring the service may take.
    pub rto: Option<Duration>,
    /// Recovery point objective: how much recent data may be lost.
    pub rpo: Option<Duration>,
    /// `restoreTest.cadence`: how often a restore must be tested (else `restoreTests.cadence`).
    pub restore_test: Option<Duration>,
    /// `workloads`; empty means "the workloads named like the service".
    pub workloads: Vec<WorkloadRef>,
}

impl Service {
    /// Whether this service covers a workload: one of its `workloads`, or, when it names none,
    /// a workload with the service's name.
    pub fn covers(&self, id: &ObjectId) -> bool {
        if self.workloads.is_empty() {
            *id.name == *self.name
        } else {
            self.workloads.iter().any(|w| w.matches(id))
        }
    }
}

/// The declarations of a repository.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Declarations {
    /// The start of the declarations (the document, or the `Readiness` object).
    pub loc: Loc,
    /// The `Readiness` object they come from, when they are a document among the manifests.
    pub object: Option<Arc<ObjectId>>,
    pub platform_team: Option<Owner>,
    /// Owners by gap, in the order written.
    pub owners: Vec<(Gap, Owner)>,
    /// Where `owners` is written.
    pub owners_loc: Option<Loc>,
    pub on_call: Option<OnCall>,
    pub services: Vec<Service>,
    /// `restoreTests.cadence`: the default restore-test cadence.
    pub restore_tests: Option<Duration>,
    /// Problems found while reading (a document among the manifests keeps them here for the
    /// caller to report; [`parse_source`] callers get them too).
    pub errors: Vec<DeclarationError>,
}

impl Declarations {
    pub fn owner(&self, gap: Gap) -> Option<&Owner> {
        self.owners.iter().find(|(g, _)| *g == gap).map(|(_, o)| o)
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| &*s.name == name)
    }

    /// The restore-test cadence of a service: its own, else the default.
    pub fn restore_cadence<'s>(&'s self, service: &'s Service) -> Option<&'s Duration> {
        service
            .restore_test
            .as_ref()
            .or(self.restore_tests.as_ref())
    }

    /// The first service that covers a workload.
    pub fn service_of(&self, id: &ObjectId) -> Option<&Service> {
        self.services.iter().find(|s| s.covers(id))
    }

    /// Point every place at another file (the declarations were read before the file had its
    /// place in the scan).
    pub fn set_file(&mut self, file: FileId) {
        let mut f = |l: &mut Loc| l.file = file;
        f(&mut self.loc);
        if let Some(l) = &mut self.owners_loc {
            f(l);
        }
        let owner = |o: &mut Owner, f: &mut dyn FnMut(&mut Loc)| {
            f(&mut o.loc);
            f(&mut o.team.loc);
            f(&mut o.contact.loc);
        };
        if let Some(o) = &mut self.platform_team {
            owner(o, &mut f);
        }
        for (_, o) in &mut self.owners {
            owner(o, &mut f);
        }
        if let Some(o) = &mut self.on_call {
            f(&mut o.loc);
            for t in [&mut o.rotation, &mut o.tool, &mut o.escalation]
                .into_iter()
                .flatten()
            {
                f(&mut t.loc);
            }
        }
        if let Some(d) = &mut self.restore_tests {
            f(&mut d.loc);
        }
        for s in &mut self.services {
            f(&mut s.loc);
            if let Some(r) = &mut s.runbook {
                f(&mut r.loc);
            }
            for d in [&mut s.rto, &mut s.rpo, &mut s.restore_test]
                .into_iter()
                .flatten()
            {
                f(&mut d.loc);
            }
            for w in &mut s.workloads {
                f(&mut w.loc);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

/// Read a declarations file (either form). Runbook files are looked for next to it.
pub fn load(path: &Path) -> Result<Declarations, Vec<DeclarationError>> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![DeclarationError {
            file: shown.clone(),
            line: 1,
            column: 1,
            message: format!("cannot read: {e}"),
        }]
    })?;
    let base = path.parent().map(|p| {
        if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        }
    });
    let (d, _) = parse_source(FileId(0), SourceFile::new(shown, text), base);
    if d.errors.is_empty() {
        Ok(d)
    } else {
        Err(d.errors)
    }
}

/// Parse declarations from a source (either form). `base` is the directory runbook paths are
/// relative to; without it runbook files are not looked for. Problems are in
/// [`Declarations::errors`]. The source is handed back (for snippets).
pub fn parse_source(
    file: FileId,
    src: SourceFile,
    base: Option<&Path>,
) -> (Declarations, SourceFile) {
    let yaml = parse(src, &Limits::default());
    let mut d = {
        let mut p = Parser {
            file,
            src: &yaml.source,
            errors: Vec::new(),
        };
        for e in &yaml.errors {
            p.err_at(Span::empty(e.offset), e.message.clone());
        }
        let mut roots = yaml.roots();
        let mut d = match roots.next() {
            None => Declarations::default(),
            Some((_, root)) if root.is_null() => Declarations {
                loc: p.loc_of(root.span()),
                ..Default::default()
            },
            Some((_, root)) => {
                let is_object = root.is_mapping()
                    && (root.get("kind").is_some() || root.get("apiVersion").is_some());
                if is_object {
                    p.object(root)
                } else {
                    p.body(root, start_span(root))
                }
            }
        };
        if let Some((_, extra)) = roots.next() {
            p.err(extra, "a declarations file holds one document");
        }
        d.errors.extend(p.errors);
        d
    };
    if let Some(base) = base {
        check_runbook_files(&mut d, base);
    }
    (d, yaml.source)
}

/// Declarations from a `kind: Readiness` object among the manifests. Runbook files are looked
/// for next to the manifest when it is a file on disk.
pub fn from_object(file: FileId, src: &SourceFile, root: Node<'_>) -> Declarations {
    let mut p = Parser {
        file,
        src,
        errors: Vec::new(),
    };
    let mut d = p.object(root);
    let path = Path::new(src.path());
    if path.is_file()
        && let Some(dir) = path.parent()
    {
        check_runbook_files(
            &mut d,
            if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            },
        );
    }
    d.errors.extend(p.errors);
    d
}

/// Look for each runbook file relative to `base`.
pub fn check_runbook_files(d: &mut Declarations, base: &Path) {
    for s in &mut d.services {
        if let Some(Runbook {
            target,
            kind: RunbookKind::File { resolved, exists },
            ..
        }) = &mut s.runbook
        {
            // `docs/runbook.md#restore`: the anchor is not part of the path
            let file = target.split('#').next().unwrap_or(target);
            let p = base.join(file);
            *exists = Some(p.exists());
            *resolved = Some(p);
        }
    }
}

/// The declarations file of a repository: in `dir`, then in its parents up to the one that holds
/// `.git` (included).
pub fn discover(dir: &Path) -> Option<PathBuf> {
    let mut dir = std::fs::canonicalize(dir).ok()?;
    if dir.is_file() {
        dir.pop();
    }
    loop {
        for name in FILE_NAMES {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
        if dir.join(".git").exists() || !dir.pop() {
            return None;
        }
    }
}

/// `90s`, `15m`, `1h`, `30d`, `2w`, `1h30m` in seconds.
pub fn parse_duration(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if n == 0 {
            return None;
        }
        let v: u64 = rest[..n].parse().ok()?;
        let unit = rest[n..].chars().next()?;
        let size = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        total = total.checked_add(v.checked_mul(size)?)?;
        rest = &rest[n + 1..];
    }
    Some(total)
}

/// Keys people write from other tools or older drafts, and what to write instead.
const HINTS: &[(&str, &str)] = &[
    (
        "drill",
        "the restore-test cadence is `restoreTest: {cadence: 30d}`",
    ),
    (
        "cadence",
        "write it under `restoreTest` (a service) or `restoreTests` (the default)",
    ),
    (
        "owner",
        "owners are declared per gap under the top-level `owners`",
    ),
    (
        "runbooks",
        "a service has one `runbook` (a file path or a URL)",
    ),
    ("workload", "write `workloads: [Kind/namespace/name]`"),
];

/// Where findings about the declarations as a whole point: their first key.
fn start_span(node: Node<'_>) -> Span {
    node.entries()
        .next()
        .map(|(k, _)| k.span())
        .unwrap_or_else(|| node.span())
}

const WORKLOAD_KINDS: [&str; 10] = [
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Rollout",
    "DeploymentConfig",
];

struct Parser<'a> {
    file: FileId,
    src: &'a SourceFile,
    errors: Vec<DeclarationError>,
}

impl Parser<'_> {
    fn loc_of(&self, span: Span) -> Loc {
        Loc::new(self.file, self.src, span)
    }

    fn loc(&self, n: Node<'_>) -> Loc {
        self.loc_of(n.anchor())
    }

    fn err_at(&mut self, span: Span, message: impl Into<String>) {
        let lc = self.src.line_col(span.start);
        self.errors.push(DeclarationError {
            file: self.src.path().to_string(),
            line: lc.line,
            column: lc.column,
            message: message.into(),
        });
    }

    /// An error at a value (not its key: the value is what is wrong).
    fn err(&mut self, at: Node<'_>, message: impl Into<String>) {
        self.err_at(at.span(), message);
    }

    /// Entries of a mapping, reporting unknown and duplicate keys. `null` is an empty mapping.
    fn entries<'n>(
        &mut self,
        node: Node<'n>,
        what: &str,
        known: &[&str],
    ) -> Vec<(&'n str, Node<'n>)> {
        if node.is_null() {
            return Vec::new();
        }
        if !node.is_mapping() {
            self.err(node, format!("{what} must be a mapping"));
            return Vec::new();
        }
        let mut out: Vec<(&'n str, Node<'n>)> = Vec::new();
        for (k, v) in node.entries() {
            let key = k.text().unwrap_or("");
            if !known.contains(&key) {
                let hint = HINTS
                    .iter()
                    .find(|(h, _)| *h == key)
                    .map(|(_, h)| format!("; {h}"))
                    .or_else(|| {
                        suggest(key, known.iter().copied())
                            .map(|s| format!("; did you mean `{s}`?"))
                    })
                    .unwrap_or_else(|| format!("; known keys: {}", known.join(", ")));
                self.err_at(k.span(), format!("unknown key `{key}` in {what}{hint}"));
            } else if out.iter().any(|(seen, _)| *seen == key) {
                self.err_at(k.span(), format!("`{key}` is written twice in {what}"));
            } else {
                out.push((key, v));
            }
        }
        out
    }

    fn text(&mut self, node: Node<'_>, what: &str) -> Option<Text> {
        match node.as_str().map(str::trim) {
            Some(s) if !s.is_empty() && node.is_scalar() => Some(Text {
                value: s.into(),
                loc: self.loc(node),
            }),
            _ => {
                self.err(node, format!("{what} must be a non-empty string"));
                None
            }
        }
    }

    fn duration(&mut self, node: Node<'_>, what: &str) -> Option<Duration> {
        let text = node.as_str().filter(|_| node.is_scalar()).unwrap_or("");
        match parse_duration(text) {
            Some(secs) => Some(Duration {
                secs,
                text: text.trim().into(),
                loc: self.loc(node),
            }),
            None => {
                let why = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                    format!("`{text}` has no unit")
                } else if text.is_empty() {
                    "a duration is missing".to_string()
                } else {
                    format!("`{text}` is not a duration")
                };
                self.err(
                    node,
                    format!("{what}: {why}; write a number and a unit (s, m, h, d, w): 90s, 15m, 1h, 30d, 1h30m"),
                );
                None
            }
        }
    }

    fn cadence(&mut self, node: Node<'_>, what: &str) -> Option<Duration> {
        let mut out = None;
        for (_, v) in self.entries(node, what, &["cadence"]) {
            out = self.duration(v, &format!("{what}.cadence"));
        }
        if out.is_none() && node.is_mapping() && node.get("cadence").is_none() {
            self.err(
                node,
                format!("{what} needs a `cadence` (e.g. `cadence: 30d`)"),
            );
        }
        out
    }

    fn owner(&mut self, node: Node<'_>, what: &str) -> Option<Owner> {
        let (mut team, mut contact) = (None, None);
        for (k, v) in self.entries(node, what, &["team", "contact"]) {
            match k {
                "team" => team = self.text(v, &format!("{what}.team")),
                _ => contact = self.text(v, &format!("{what}.contact")),
            }
        }
        if node.is_mapping() || node.is_null() {
            for (key, got) in [("team", team.is_some()), ("contact", contact.is_some())] {
                if !got && node.get(key).is_none() {
                    self.err(node, format!("{what} needs a `{key}`"));
                }
            }
        }
        Some(Owner {
            team: team?,
            contact: contact?,
            loc: self.loc(node),
        })
    }

    fn workload_ref(&mut self, node: Node<'_>, what: &str) -> Option<WorkloadRef> {
        let text = self.text(node, what)?;
        let parts: Vec<&str> = text.value.split('/').collect();
        let (kind, namespace, name) = match parts.as_slice() {
            [k, n] => (*k, None, *n),
            [k, ns, n] => (*k, Some(*ns), *n),
            _ => {
                self.err(
                    node,
                    format!(
                        "`{}` is not a workload; write Kind/namespace/name (or Kind/name for any namespace)",
                        text.value
                    ),
                );
                return None;
            }
        };
        if [kind, name]
            .iter()
            .chain(namespace.iter())
            .any(|s| s.is_empty())
        {
            self.err(node, format!("`{}` has an empty part", text.value));
            return None;
        }
        if WorkloadKind::from_kind(kind).is_none() {
            let hint = suggest(kind, WORKLOAD_KINDS)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_else(|| format!("; workload kinds: {}", WORKLOAD_KINDS.join(", ")));
            self.err(node, format!("`{kind}` is not a workload kind{hint}"));
            return None;
        }
        Some(WorkloadRef {
            kind: kind.into(),
            namespace: namespace.map(Into::into),
            name: name.into(),
            loc: text.loc,
        })
    }

    fn service(&mut self, key: Node<'_>, node: Node<'_>) -> Service {
        let name = key.text().unwrap_or("").to_string();
        let what = format!("service `{name}`");
        let mut s = Service {
            name: name.as_str().into(),
            loc: self.loc_of(key.span()),
            runbook: None,
            rto: None,
            rpo: None,
            restore_test: None,
            workloads: Vec::new(),
        };
        for (k, v) in self.entries(
            node,
            &what,
            &["runbook", "rto", "rpo", "restoreTest", "workloads"],
        ) {
            match k {
                "runbook" => {
                    if let Some(t) = self.text(v, &format!("{what}: runbook")) {
                        let url = t.value.contains("://") || t.value.starts_with("mailto:");
                        s.runbook = Some(Runbook {
                            target: t.value,
                            loc: t.loc,
                            kind: if url {
                                RunbookKind::Url
                            } else {
                                RunbookKind::File {
                                    resolved: None,
                                    exists: None,
                                }
                            },
                        });
                    }
                }
                "rto" => s.rto = self.duration(v, &format!("{what}: rto")),
                "rpo" => s.rpo = self.duration(v, &format!("{what}: rpo")),
                "restoreTest" => s.restore_test = self.cadence(v, &format!("{what}: restoreTest")),
                _ => {
                    if !v.is_sequence() {
                        self.err(
                            v,
                            format!("{what}: workloads must be a list of Kind/namespace/name"),
                        );
                        continue;
                    }
                    for i in v.items() {
                        if let Some(w) = self.workload_ref(i, &format!("{what}: workloads")) {
                            s.workloads.push(w);
                        }
                    }
                }
            }
        }
        s
    }

    /// The declarations body (the file, or a `Readiness` object's `spec`).
    fn body(&mut self, node: Node<'_>, start: Span) -> Declarations {
        let mut d = Declarations {
            loc: self.loc_of(start),
            ..Default::default()
        };
        let top = self.entries(
            node,
            "the declarations",
            &[
                "platformTeam",
                "owners",
                "onCall",
                "services",
                "restoreTests",
            ],
        );
        for (k, v) in top {
            match k {
                "platformTeam" => d.platform_team = self.owner(v, "platformTeam"),
                "owners" => {
                    d.owners_loc = Some(self.loc(v));
                    let gaps: Vec<&str> = Gap::ALL.iter().map(|g| g.as_str()).collect();
                    for (gk, gv) in self.entries(v, "owners", &gaps) {
                        let gap = Gap::parse(gk).expect("a known gap");
                        if let Some(o) = self.owner(gv, &format!("owners.{gk}")) {
                            d.owners.push((gap, o));
                        }
                    }
                }
                "onCall" => {
                    let mut oc = OnCall {
                        rotation: None,
                        tool: None,
                        escalation: None,
                        loc: self.loc(v),
                    };
                    for (ok, ov) in self.entries(v, "onCall", &["rotation", "tool", "escalation"]) {
                        let t = self.text(ov, &format!("onCall.{ok}"));
                        match ok {
                            "rotation" => oc.rotation = t,
                            "tool" => oc.tool = t,
                            _ => oc.escalation = t,
                        }
                    }
                    d.on_call = Some(oc);
                }
                "services" => {
                    if v.is_null() {
                        continue;
                    }
                    if !v.is_mapping() {
                        self.err(v, "services must map service names to their declarations");
                        continue;
                    }
                    for (sk, sv) in v.entries() {
                        let name = sk.text().unwrap_or("");
                        if name.is_empty() {
                            self.err_at(sk.span(), "a service needs a name");
                            continue;
                        }
                        if d.services.iter().any(|s| &*s.name == name) {
                            self.err_at(sk.span(), format!("service `{name}` is declared twice"));
                            continue;
                        }
                        let s = self.service(sk, sv);
                        d.services.push(s);
                    }
                }
                _ => d.restore_tests = self.cadence(v, "restoreTests"),
            }
        }
        d
    }

    /// The document form: `apiVersion`, `kind`, `metadata`, `spec`.
    fn object(&mut self, root: Node<'_>) -> Declarations {
        let parts = self.entries(
            root,
            "a Readiness document",
            &["apiVersion", "kind", "metadata", "spec"],
        );
        let mut spec = None;
        for (k, v) in parts {
            match k {
                "apiVersion" if v.as_str() != Some(API_VERSION) => {
                    self.err(v, format!("apiVersion must be `{API_VERSION}`"))
                }
                "kind" if v.as_str() != Some(KIND) => self.err(v, format!("kind must be `{KIND}`")),
                "metadata" if !v.is_mapping() && !v.is_null() => {
                    self.err(v, "metadata must be a mapping")
                }
                "spec" => spec = Some(v),
                _ => {}
            }
        }
        for key in ["apiVersion", "kind"] {
            if root.is_mapping() && root.get(key).is_none() {
                self.err(root, format!("a Readiness document needs `{key}`"));
            }
        }
        match spec {
            Some(s) => self.body(s, start_span(root)),
            None => Declarations {
                loc: self.loc_of(start_span(root)),
                ..Default::default()
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Review

/// What Plimsoll checked against the scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// A runbook file exists.
    RunbookFile,
    /// A stateful workload has an RTO and an RPO.
    RecoveryTargets,
    /// A declared RPO is not shorter than the interval of the backup schedule that covers the
    /// workload.
    RpoSchedule,
    /// A workload a service names is in the scan.
    Workload,
}

impl Check {
    pub fn as_str(self) -> &'static str {
        match self {
            Check::RunbookFile => "runbook-file",
            Check::RecoveryTargets => "recovery-targets",
            Check::RpoSchedule => "rpo-schedule",
            Check::Workload => "workload",
        }
    }

    /// What was checked, for people.
    pub fn title(self) -> &'static str {
        match self {
            Check::RunbookFile => "runbook file exists",
            Check::RecoveryTargets => "RTO and RPO declared",
            Check::RpoSchedule => "RPO within backup interval",
            Check::Workload => "named workload in the scan",
        }
    }
}

/// One verified statement.
#[derive(Clone, Debug)]
pub struct Verified {
    pub check: Check,
    /// What it is about: `service db`, `StatefulSet/shop/db`.
    pub subject: String,
    pub ok: bool,
    /// What was found, in one sentence.
    pub message: String,
    /// Where a finding about it points.
    pub loc: Option<Loc>,
    /// The workload it is about, when it is about one.
    pub object: Option<Arc<ObjectId>>,
}

/// One declared statement Plimsoll cannot check.
#[derive(Clone, Debug)]
pub struct Attested {
    /// `platform team`, `owner of recovery`, `on-call`, `runbook`, `targets`, `restore tests`.
    pub what: String,
    pub value: String,
    pub loc: Option<Loc>,
}

#[derive(Clone, Debug, Default)]
pub struct Review {
    pub verified: Vec<Verified>,
    pub attested: Vec<Attested>,
}

/// Which backup operator a schedule belongs to: its cron flavour.
fn schedule_interval(o: &ObjectFacts, schedule: &str) -> Option<u64> {
    let group = o.id.api_version.split('/').next().unwrap_or("");
    crate::cron::max_interval_secs(schedule, group == "postgresql.cnpg.io", group == "k8up.io")
}

/// The most frequent schedule that backs up a workload: (schedule object, expression, longest
/// time between two runs in seconds).
pub fn backup_interval<'i>(
    ix: &'i Index,
    o: &'i ObjectFacts,
    w: &'i WorkloadFacts,
) -> Option<(&'i ObjectFacts, &'i str, u64)> {
    backup_interval_cached(ix, o, w, &mut HashMap::new())
}

type IntervalCache = HashMap<*const ObjectFacts, Option<u64>>;

fn backup_interval_cached<'i>(
    ix: &'i Index,
    o: &'i ObjectFacts,
    w: &'i WorkloadFacts,
    cache: &mut IntervalCache,
) -> Option<(&'i ObjectFacts, &'i str, u64)> {
    ix.backups_covering(o.ns(), &w.pod_labels)
        .filter_map(|b| match &b.detail {
            Detail::BackupSchedule(f) => {
                let s = f.schedule.as_deref()?;
                let every = *cache
                    .entry(b as *const ObjectFacts)
                    .or_insert_with(|| schedule_interval(b, s));
                Some((b, s, every?))
            }
            _ => None,
        })
        .min_by_key(|(_, _, i)| *i)
}

fn fmt(secs: u64) -> String {
    crate::cron::format_secs(secs)
}

impl Declarations {
    /// What the scan confirms, and what is declared without proof.
    pub fn review(&self, ix: &Index) -> Review {
        let mut r = Review::default();
        if let Some(t) = &self.platform_team {
            r.attested.push(Attested {
                what: "platform team".into(),
                value: format!("{} ({})", t.team.value, t.contact.value),
                loc: Some(t.loc),
            });
        }
        for (gap, o) in &self.owners {
            r.attested.push(Attested {
                what: format!("owner of {gap}"),
                value: format!("{} ({})", o.team.value, o.contact.value),
                loc: Some(o.loc),
            });
        }
        if let Some(oc) = &self.on_call {
            let parts: Vec<String> = [
                ("rotation", &oc.rotation),
                ("tool", &oc.tool),
                ("escalation", &oc.escalation),
            ]
            .into_iter()
            .filter_map(|(k, t)| t.as_ref().map(|t| format!("{k} {}", t.value)))
            .collect();
            r.attested.push(Attested {
                what: "on-call".into(),
                value: parts.join(", "),
                loc: Some(oc.loc),
            });
        }
        if let Some(c) = &self.restore_tests {
            r.attested.push(Attested {
                what: "restore tests".into(),
                value: format!("every {} by default", c.text),
                loc: Some(c.loc),
            });
        }
        for s in &self.services {
            let subject = format!("service {}", s.name);
            if let Some(rb) = &s.runbook {
                match &rb.kind {
                    RunbookKind::File {
                        exists: Some(ok), ..
                    } => r.verified.push(Verified {
                        check: Check::RunbookFile,
                        subject: subject.clone(),
                        ok: *ok,
                        message: if *ok {
                            format!("runbook `{}` exists", rb.target)
                        } else {
                            format!(
                                "runbook `{}` of service `{}` does not exist (paths are relative to the declarations file)",
                                rb.target, s.name
                            )
                        },
                        loc: Some(rb.loc),
                        object: None,
                    }),
                    RunbookKind::File { exists: None, .. } => r.attested.push(Attested {
                        what: format!("runbook of {}", s.name),
                        value: format!("{} (a file, not looked for)", rb.target),
                        loc: Some(rb.loc),
                    }),
                    RunbookKind::Url => r.attested.push(Attested {
                        what: format!("runbook of {}", s.name),
                        value: rb.target.to_string(),
                        loc: Some(rb.loc),
                    }),
                }
            }
            let mut targets = Vec::new();
            if let Some(d) = &s.rto {
                targets.push(format!("RTO {}", d.text));
            }
            if let Some(d) = &s.rpo {
                targets.push(format!("RPO {}", d.text));
            }
            if let Some(d) = &s.restore_test {
                targets.push(format!("restore test every {}", d.text));
            }
            if !targets.is_empty() {
                r.attested.push(Attested {
                    what: format!("targets of {}", s.name),
                    value: targets.join(", "),
                    loc: Some(s.loc),
                });
            }
            for w in &s.workloads {
                let found = ix
                    .of_kind(&w.kind)
                    .any(|o| o.workload().is_some() && w.matches(&o.id));
                r.verified.push(Verified {
                    check: Check::Workload,
                    subject: subject.clone(),
                    ok: found,
                    message: if found {
                        format!("workload {w} is in the scan")
                    } else {
                        format!("workload {w} is not in the scan")
                    },
                    loc: Some(w.loc),
                    object: None,
                });
            }
        }
        // every stateful workload: targets declared, and the RPO within the backup interval
        let mut stateful: Vec<(&ObjectFacts, &WorkloadFacts)> =
            ix.workloads().filter(|(_, w)| w.is_stateful()).collect();
        stateful.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let mut cache = IntervalCache::new();
        for (o, w) in stateful {
            let id = o.id.to_string();
            let named = format!("{} `{}`", o.kind(), o.id.name);
            let Some(s) = self.service_of(&o.id) else {
                r.verified.push(Verified {
                    check: Check::RecoveryTargets,
                    subject: id.clone(),
                    ok: false,
                    message: format!("{named} keeps data and no service declares its RTO and RPO"),
                    loc: Some(o.loc),
                    object: Some(o.id.clone()),
                });
                continue;
            };
            let missing: Vec<&str> = [("RTO", s.rto.is_none()), ("RPO", s.rpo.is_none())]
                .into_iter()
                .filter(|(_, m)| *m)
                .map(|(n, _)| n)
                .collect();
            r.verified.push(Verified {
                check: Check::RecoveryTargets,
                subject: id.clone(),
                ok: missing.is_empty(),
                message: if missing.is_empty() {
                    format!("{named} has an RTO and an RPO (service `{}`)", s.name)
                } else {
                    format!(
                        "{named} keeps data and service `{}` declares no {}",
                        s.name,
                        missing.join(" and no ")
                    )
                },
                loc: Some(if missing.is_empty() { s.loc } else { o.loc }),
                object: Some(o.id.clone()),
            });
            let Some(rpo) = &s.rpo else { continue };
            let Some((b, expr, every)) = backup_interval_cached(ix, o, w, &mut cache) else {
                continue;
            };
            let ok = every <= rpo.secs;
            r.verified.push(Verified {
                check: Check::RpoSchedule,
                subject: id.clone(),
                ok,
                message: if ok {
                    format!(
                        "RPO {} of service `{}` is met for {named} by {} `{}` (`{expr}`, at most {} apart)",
                        rpo.text,
                        s.name,
                        b.kind(),
                        b.id.name,
                        fmt(every)
                    )
                } else {
                    format!(
                        "service `{}` declares RPO {}, but the most frequent backup of {named} ({} `{}`, `{expr}`) runs up to {} apart: a restore can lose up to {} of data",
                        s.name,
                        rpo.text,
                        b.kind(),
                        b.id.name,
                        fmt(every),
                        fmt(every)
                    )
                },
                loc: Some(rpo.loc),
                object: Some(o.id.clone()),
            });
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Declarations {
        parse_source(FileId(0), SourceFile::new("readiness.yaml", text), None).0
    }

    fn errors(text: &str) -> Vec<String> {
        read(text)
            .errors
            .iter()
            .map(|e| format!("{}:{}: {}", e.line, e.column, e.message))
            .collect()
    }

    const FULL: &str = "\
platformTeam: {team: platform, contact: '#platform'}
owners:
  recovery: {team: dba, contact: dba@acme.example}
onCall: {rotation: shop-primary, tool: PagerDuty}
services:
  db:
    runbook: docs/runbooks/db.md
    rto: 1h
    rpo: 15m
    restoreTest: {cadence: 7d}
    workloads: [StatefulSet/shop/db]
  web:
    runbook: https://runbooks.example/web
restoreTests: {cadence: 30d}
";

    #[test]
    fn reads_every_key() {
        let d = read(FULL);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(&*d.platform_team.as_ref().unwrap().team.value, "platform");
        assert_eq!(
            &*d.owner(Gap::Recovery).unwrap().contact.value,
            "dba@acme.example"
        );
        assert_eq!(
            d.on_call
                .as_ref()
                .unwrap()
                .rotation
                .as_ref()
                .unwrap()
                .value
                .as_ref(),
            "shop-primary"
        );
        let db = d.service("db").unwrap();
        assert_eq!(db.rto.as_ref().unwrap().secs, 3600);
        assert_eq!(
            db.rpo.as_ref().unwrap().as_std(),
            std::time::Duration::from_secs(900)
        );
        assert_eq!(db.rpo.as_ref().unwrap().loc.line, 9);
        assert_eq!(d.restore_cadence(db).unwrap().secs, 7 * 86_400);
        let web = d.service("web").unwrap();
        assert_eq!(d.restore_cadence(web).unwrap().secs, 30 * 86_400);
        assert_eq!(web.runbook.as_ref().unwrap().kind, RunbookKind::Url);
        assert_eq!(db.workloads[0].to_string(), "StatefulSet/shop/db");
    }

    #[test]
    fn the_document_form_reads_the_same_body() {
        let indented: String = FULL.lines().map(|l| format!("  {l}\n")).collect();
        let doc = format!(
            "apiVersion: plimsoll.dev/v1alpha1\nkind: Readiness\nmetadata: {{name: shop}}\nspec:\n{indented}"
        );
        let d = read(&doc);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.services.len(), 2);
        assert_eq!(d.service("db").unwrap().rpo.as_ref().unwrap().loc.line, 13);
        assert!(errors("apiVersion: v1\nkind: Readiness\n")[0].contains("plimsoll.dev/v1alpha1"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors_with_places_and_suggestions() {
        let e = errors(
            "onCal: {rotation: x}\nservices:\n  db:\n    rpo: 15\n    drill: 7d\n    workloads: [Statefulset/shop/db, db]\nowners:\n  recovry: {team: a, contact: b}\n  image: {team: a}\n",
        );
        let has =
            |prefix: &str, text: &str| e.iter().any(|m| m.starts_with(prefix) && m.contains(text));
        assert!(has("1:1:", "did you mean `onCall`?"), "{e:#?}");
        assert!(has("4:10:", "`15` has no unit"), "{e:#?}");
        assert!(has("5:5:", "restoreTest: {cadence: 30d}"), "{e:#?}");
        assert!(has("6:17:", "did you mean `StatefulSet`?"), "{e:#?}");
        assert!(has("6:38:", "Kind/namespace/name"), "{e:#?}");
        assert!(has("8:3:", "did you mean `recovery`?"), "{e:#?}");
        assert!(has("9:10:", "owners.image needs a `contact`"), "{e:#?}");
        assert!(errors("services: [db]\n")[0].contains("services must map"));
        assert!(errors("")[..].is_empty());
        assert!(errors("services:\n  db:\n")[..].is_empty());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Some(90));
        assert_eq!(parse_duration("15m"), Some(900));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("30d"), Some(30 * 86_400));
        assert_eq!(parse_duration("2w"), Some(14 * 86_400));
        assert_eq!(parse_duration("15"), None);
        assert_eq!(parse_duration("1.5h"), None);
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn runbook_files_are_looked_for_next_to_the_declarations() {
        let dir = std::env::temp_dir().join(format!("plimsoll-decl-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("docs")).unwrap();
        std::fs::write(dir.join("docs/db.md"), "# db\n").unwrap();
        let text =
            "services:\n  db: {runbook: 'docs/db.md#restore'}\n  web: {runbook: docs/web.md}\n";
        std::fs::write(dir.join("readiness.yaml"), text).unwrap();
        let d = load(&dir.join("readiness.yaml")).unwrap();
        let exists = |n: &str| match &d.service(n).unwrap().runbook.as_ref().unwrap().kind {
            RunbookKind::File { exists, .. } => *exists,
            RunbookKind::Url => None,
        };
        assert_eq!(exists("db"), Some(true));
        assert_eq!(exists("web"), Some(false));
        assert_eq!(
            discover(&dir.join("docs")),
            Some(std::fs::canonicalize(dir.join("readiness.yaml")).unwrap())
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
