//! From an admission request to a verdict: the same engine and rules as `plimsoll scan`.
//!
//! The object arrives as JSON text, which is YAML: it is parsed by `plimsoll_yaml` (spans kept),
//! run through [`Engine::check_yaml`] (per-object, per-workload and per-file rules; cross-object
//! rules need the whole repository and do not apply at admission), and each finding's span is
//! turned back into a field path with [`YamlFile::path_of`].
//!
//! As in `plimsoll scan`, the configuration's severity overrides are applied to the findings,
//! then suppressions (`plimsoll.dev/ignore` annotations on the object or its pod template, and
//! configuration exemptions) through `plimsoll_rules::suppress::apply`, over an index of the one
//! object's facts; rules the configuration marks `notSuppressible` stay unsuppressed. Each
//! request is checked with the profile `namespaceProfiles` gives its namespace, or the default
//! profile.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use plimsoll_model::facts::IGNORE_ANNOTATION;
use plimsoll_model::{FileId, Finding, Index, Object, Severity, WorkloadKind, objects};
use plimsoll_rules::config::{Config, Resolved};
use plimsoll_rules::suppress::{SuppressionInput, glob};
use plimsoll_rules::{Engine, Target};
use plimsoll_yaml::{Limits, SourceFile, YamlFile};

use crate::admission::{AdmissionRequest, AdmissionResponse, Status};
use crate::policy::Policy;

/// Warnings longer than this are cut (Kubernetes asks for under 120 characters).
pub const MAX_WARNING_CHARS: usize = 119;
/// At most this many warnings per response; the rest are counted in one last warning.
pub const MAX_WARNINGS: usize = 20;
/// At most this many findings listed in a denial message.
pub const MAX_DENIAL_ITEMS: usize = 20;

/// What happened to a request, for metrics and logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Evaluated, nothing to say.
    Allowed,
    /// Evaluated, admitted with warnings.
    Warned,
    /// Evaluated, denied.
    Denied,
    /// The namespace is exempt: not evaluated.
    Exempt,
    /// Nothing to evaluate (DELETE, CONNECT, a subresource, a kind no rule reads, an object being
    /// deleted): admitted without parsing.
    Skipped(&'static str),
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Warned => "warned",
            Outcome::Denied => "denied",
            Outcome::Exempt => "exempt",
            Outcome::Skipped(_) => "skipped",
        }
    }
}

/// What a finding did to the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Blocked,
    Warned,
    Suppressed,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Blocked => "blocked",
            Action::Warned => "warned",
            Action::Suppressed => "suppressed",
        }
    }
}

/// One finding as reported to the API server.
#[derive(Clone, Debug)]
pub struct Reported {
    pub rule: &'static str,
    pub severity: Severity,
    pub action: Action,
    pub message: String,
    /// JSON field path, e.g. `spec.containers[0].securityContext.privileged`.
    pub path: Option<String>,
    /// Already present in `oldObject` (UPDATE only): never blocks.
    pub pre_existing: bool,
}

impl Reported {
    /// `RULE-ID message (at field.path)`.
    pub fn line(&self) -> String {
        let mut s = format!("{} {}", self.rule, self.message);
        match (&self.path, self.pre_existing) {
            (Some(p), false) if !p.is_empty() => s.push_str(&format!(" (at {p})")),
            (Some(p), true) if !p.is_empty() => s.push_str(&format!(" (at {p}; pre-existing)")),
            (_, true) => s.push_str(" (pre-existing)"),
            _ => {}
        }
        s
    }
}

#[derive(Debug)]
pub struct Verdict {
    pub outcome: Outcome,
    pub response: AdmissionResponse,
    pub findings: Vec<Reported>,
    /// The profile the object was checked with (`None` when it was not checked).
    pub profile: Option<Arc<str>>,
}

/// Kinds some rule reads, computed once from the engine's rule targets.
#[derive(Debug)]
struct KindFilter {
    all: bool,
    workloads: bool,
    kinds: HashSet<&'static str>,
}

impl KindFilter {
    fn new(engine: &Engine) -> Self {
        let mut f = KindFilter {
            all: false,
            workloads: false,
            kinds: HashSet::new(),
        };
        for r in engine.rules() {
            match r.target() {
                Target::Workloads => f.workloads = true,
                Target::Kinds(k) => f.kinds.extend(k.iter().copied()),
                Target::AnyObject => f.all = true,
                // Files: per-file checks (duplicate keys, ...) cannot fire on JSON the API
                // server produced; Index: cross-object, not at admission; Dockerfiles and
                // other non-Kubernetes inputs never reach a webhook.
                _ => {}
            }
        }
        f
    }

    fn reads(&self, kind: &str) -> bool {
        self.all
            || (self.workloads && WorkloadKind::from_kind(kind).is_some())
            || self.kinds.contains(kind)
    }
}

/// One profile's rules: an engine with the profile's rules and settings, its severity
/// overrides, and the kinds its rules read.
pub struct Profile {
    pub name: Arc<str>,
    engine: Engine,
    severity: Vec<(&'static str, Severity)>,
    filter: KindFilter,
}

impl Profile {
    pub fn new(name: &str, engine: Engine, severity: Vec<(&'static str, Severity)>) -> Profile {
        let filter = KindFilter::new(&engine);
        Profile {
            name: name.into(),
            engine,
            severity,
            filter,
        }
    }

    /// A profile resolved from `plimsoll.yaml` (`Config::resolve`).
    pub fn from_resolved(name: &str, r: &Resolved) -> Profile {
        Profile::new(
            name,
            Engine::new(r.rules.clone(), r.settings.clone()),
            r.severity.clone(),
        )
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn apply_severity(&self, findings: &mut [Finding]) {
        if self.severity.is_empty() {
            return;
        }
        for f in findings {
            if let Some((_, s)) = self.severity.iter().find(|(id, _)| *id == f.rule.id) {
                f.severity = *s;
            }
        }
    }
}

/// The evaluator: profiles, a policy, and nothing mutable. Shared by all requests (a reloaded
/// configuration builds a new one).
pub struct Reviewer {
    /// `profiles[0]` is the default profile.
    profiles: Vec<Profile>,
    /// `namespaceProfiles`: (namespace glob, index into `profiles`), first match wins.
    by_namespace: Vec<(String, usize)>,
    pub policy: Policy,
    limits: Limits,
}

impl Reviewer {
    /// One profile (`default`): this engine, no severity overrides.
    pub fn new(engine: Engine, policy: Policy) -> Reviewer {
        Reviewer {
            profiles: vec![Profile::new("default", engine, Vec::new())],
            by_namespace: Vec::new(),
            policy,
            limits: Limits::default(),
        }
    }

    /// Every registered rule, default settings.
    pub fn with_all_rules(policy: Policy) -> Reviewer {
        Reviewer::new(Engine::with_all_rules(), policy)
    }

    /// The rules of `plimsoll.yaml` as `plimsoll scan` applies them: the default profile is
    /// `profile`, else the configuration's `profile`, else `production`; each
    /// `namespaceProfiles` entry gets its profile resolved once. The configuration's exemptions
    /// and `notSuppressible` rules are added to `policy`'s. (`failOn` is the caller's business:
    /// see [`crate::config::ConfigSource`].)
    pub fn from_config(
        cfg: &Config,
        profile: Option<&str>,
        mut policy: Policy,
    ) -> Result<Reviewer, String> {
        let all = plimsoll_rules::registry::all();
        let default = profile
            .or(cfg.profile.as_deref())
            .unwrap_or("production")
            .to_string();
        let resolved = cfg.resolve(&all, Some(&default))?;
        policy
            .exemptions
            .extend(resolved.exemptions.iter().cloned());
        policy
            .not_suppressible
            .extend(resolved.not_suppressible.iter().cloned());
        let mut profiles = vec![Profile::from_resolved(&default, &resolved)];
        let mut by_namespace = Vec::new();
        for np in &cfg.namespace_profiles {
            let i = match profiles.iter().position(|p| *p.name == *np.profile) {
                Some(i) => i,
                None => {
                    let r = cfg
                        .resolve(&all, Some(&np.profile))
                        .map_err(|e| format!("namespaceProfiles `{}`: {e}", np.namespace))?;
                    profiles.push(Profile::from_resolved(&np.profile, &r));
                    profiles.len() - 1
                }
            };
            by_namespace.push((np.namespace.clone(), i));
        }
        Ok(Reviewer {
            profiles,
            by_namespace,
            policy,
            limits: Limits::default(),
        })
    }

    /// Add a `namespaceProfiles` entry (glob, profile) after the existing ones.
    pub fn with_namespace_profile(mut self, namespace: &str, profile: Profile) -> Reviewer {
        self.profiles.push(profile);
        self.by_namespace
            .push((namespace.to_string(), self.profiles.len() - 1));
        self
    }

    /// The profile for requests in `namespace`.
    pub fn profile_for(&self, namespace: &str) -> &Profile {
        self.by_namespace
            .iter()
            .find(|(g, _)| glob(Some(g), namespace))
            .map_or(&self.profiles[0], |(_, i)| &self.profiles[*i])
    }

    /// The profiles: the default first.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// True when some rule of some profile reads objects of this kind.
    pub fn reads_kind(&self, kind: &str) -> bool {
        self.profiles.iter().any(|p| p.filter.reads(kind))
    }

    pub fn review(&self, req: &AdmissionRequest) -> Verdict {
        let allow = |outcome: Outcome, warnings: Vec<String>| Verdict {
            outcome,
            response: AdmissionResponse {
                uid: req.uid.clone(),
                allowed: true,
                status: None,
                warnings,
            },
            findings: Vec::new(),
            profile: None,
        };
        match req.operation.as_str() {
            "DELETE" => return allow(Outcome::Skipped("delete"), vec![]),
            "CONNECT" => return allow(Outcome::Skipped("connect"), vec![]),
            _ => {}
        }
        // Status, scale, binding, eviction...: not the spec the rules read. Ephemeral containers
        // are added through a subresource and are containers like any other.
        if !req.sub_resource.is_empty() && req.sub_resource != "ephemeralcontainers" {
            return allow(Outcome::Skipped("subresource"), vec![]);
        }
        if self.policy.is_exempt(&req.namespace) {
            return allow(Outcome::Exempt, vec![]);
        }
        let profile = self.profile_for(&req.namespace);
        if !req.kind.kind.is_empty() && !profile.filter.reads(&req.kind.kind) {
            return allow(Outcome::Skipped("kind"), vec![]);
        }
        let Some(raw) = req.object.as_deref() else {
            // The API server always sends the object for CREATE and UPDATE; without one there is
            // nothing to judge. Admit (a 400 would hand the decision to failurePolicy) and say so.
            return allow(
                Outcome::Skipped("no-object"),
                vec!["plimsoll: the admission request carries no object; not evaluated".into()],
            );
        };
        let ns = (!req.namespace.is_empty()).then_some(req.namespace.as_str());
        let yaml = self.parse(raw.get());
        if !yaml.errors.is_empty() {
            return allow(
                Outcome::Skipped("unparsable"),
                vec![clip(&format!(
                    "plimsoll: object not evaluated: {}",
                    yaml.errors[0].message
                ))],
            );
        }
        let objs = objects(&yaml);
        let Some(obj) = objs.first() else {
            return allow(
                Outcome::Skipped("not-an-object"),
                vec!["plimsoll: object has no apiVersion/kind; not evaluated".into()],
            );
        };
        if req.operation == "UPDATE"
            && obj
                .metadata
                .is_some_and(|m| m.get("deletionTimestamp").is_some_and(|t| !t.is_null()))
        {
            // Finalizers being removed from an object on its way out: never stand in the way.
            return allow(Outcome::Skipped("deleting"), vec![]);
        }
        if !profile.filter.reads(obj.kind) {
            return allow(Outcome::Skipped("kind"), vec![]);
        }
        let findings = self.check(profile, &yaml, Some(obj), ns);
        let mut reported: Vec<Reported> = findings.iter().map(|f| self.report(&yaml, f)).collect();
        // Ratchet: on UPDATE, a blocking finding the stored object already had does not block
        // (changing an image must not require fixing everything first).
        if req.operation == "UPDATE"
            && self.policy.ratchet_updates
            && reported.iter().any(|r| r.action == Action::Blocked)
            && let Some(old) = req.old_object.as_deref()
        {
            let old_yaml = self.parse(old.get());
            let old_objs = objects(&old_yaml);
            let before: BTreeSet<(&str, Option<String>)> = self
                .check(profile, &old_yaml, old_objs.first(), ns)
                .iter()
                .map(|f| {
                    let place = f.loc.filter(|l| l.file == FileId(0));
                    (f.rule.id, place.and_then(|l| old_yaml.path_of(l.span)))
                })
                .collect();
            for r in reported.iter_mut() {
                if r.action == Action::Blocked && before.contains(&(r.rule, r.path.clone())) {
                    r.action = Action::Warned;
                    r.pre_existing = true;
                }
            }
        }
        reported.sort_by(|a, b| (a.severity, a.rule, &a.path).cmp(&(b.severity, b.rule, &b.path)));
        let blocking: Vec<&Reported> = reported
            .iter()
            .filter(|r| r.action == Action::Blocked)
            .collect();
        let warned: Vec<&Reported> = reported
            .iter()
            .filter(|r| r.action == Action::Warned)
            .collect();
        let mut warnings: Vec<String> = warned
            .iter()
            .take(MAX_WARNINGS)
            .map(|r| clip(&r.line()))
            .collect();
        if warned.len() > MAX_WARNINGS {
            warnings.push(format!(
                "plimsoll: {} more findings not shown",
                warned.len() - MAX_WARNINGS
            ));
        }
        if blocking.is_empty() {
            let outcome = if warnings.is_empty() {
                Outcome::Allowed
            } else {
                Outcome::Warned
            };
            let mut v = allow(outcome, warnings);
            v.findings = reported;
            v.profile = Some(profile.name.clone());
            return v;
        }
        let message = denial_message(req, obj, self.policy.blocking, &blocking);
        Verdict {
            outcome: Outcome::Denied,
            response: AdmissionResponse {
                uid: req.uid.clone(),
                allowed: false,
                status: Some(Status {
                    status: "Failure",
                    code: 403,
                    reason: "Forbidden",
                    message,
                }),
                warnings,
            },
            findings: reported,
            profile: Some(profile.name.clone()),
        }
    }

    fn parse(&self, json: &str) -> YamlFile {
        plimsoll_yaml::parse(SourceFile::new("admission", json), &self.limits)
    }

    /// Run the profile's rules, apply its severity overrides, then suppressions.
    fn check(
        &self,
        profile: &Profile,
        yaml: &YamlFile,
        obj: Option<&Object<'_>>,
        ns: Option<&str>,
    ) -> Vec<Finding> {
        let out = profile.engine.check_yaml(FileId(0), yaml, ns);
        let mut findings = out.findings;
        profile.apply_severity(&mut findings);
        let mut facts = out.facts;
        if !self.policy.annotations {
            for f in &mut facts {
                f.annotations.0.retain(|(k, _)| &**k != IGNORE_ANNOTATION);
            }
        }
        // The index is only built when something can suppress: an annotation or an exemption.
        let annotated = facts
            .iter()
            .any(|f| f.annotations.get(IGNORE_ANNOTATION).is_some());
        if !findings.is_empty() && (annotated || !self.policy.exemptions.is_empty()) {
            let index = Index::new(facts);
            let inline = HashMap::new();
            let input = SuppressionInput {
                index: &index,
                inline: &inline,
                exemptions: &self.policy.exemptions,
                not_suppressible: &self.policy.not_suppressible,
                today: plimsoll_rules::date::today(),
            };
            plimsoll_rules::suppress::apply(&mut findings, &input);
        }
        self.policy.apply_suppressions(obj, &mut findings);
        findings
    }

    fn report(&self, yaml: &YamlFile, f: &Finding) -> Reported {
        let action = if f.suppressed.is_some() {
            Action::Suppressed
        } else if self.policy.blocks(f) {
            Action::Blocked
        } else {
            Action::Warned
        };
        Reported {
            rule: f.rule.id,
            severity: f.severity,
            action,
            message: f.message.to_string(),
            // places in the object only (an exemption's place is in the configuration file)
            path: f
                .loc
                .filter(|l| l.file == FileId(0))
                .and_then(|l| yaml.path_of(l.span)),
            pre_existing: false,
        }
    }
}

fn denial_message(
    req: &AdmissionRequest,
    obj: &Object<'_>,
    threshold: Severity,
    blocking: &[&Reported],
) -> String {
    let name = obj
        .name()
        .filter(|n| !n.is_empty())
        .unwrap_or(req.name.as_str());
    let who = if req.namespace.is_empty() {
        format!("{} {name}", obj.kind)
    } else {
        format!("{} {}/{name}", obj.kind, req.namespace)
    };
    let n = blocking.len();
    let mut m = format!(
        "Plimsoll: {who} has {n} finding{} at or above severity {threshold}:",
        if n == 1 { "" } else { "s" }
    );
    for r in blocking.iter().take(MAX_DENIAL_ITEMS) {
        m.push_str("\n- ");
        m.push_str(&r.line());
    }
    if n > MAX_DENIAL_ITEMS {
        m.push_str(&format!("\n- ... and {} more", n - MAX_DENIAL_ITEMS));
    }
    m
}

/// Cut to [`MAX_WARNING_CHARS`] characters, ending with `…` when cut.
pub fn clip(s: &str) -> String {
    if s.chars().count() <= MAX_WARNING_CHARS {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MAX_WARNING_CHARS - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admission::decode;

    fn review_json(op: &str, ns: &str, object: &str, old: &str) -> String {
        format!(
            r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{{"uid":"uid-1","kind":{{"group":"","version":"v1","kind":"Pod"}},"resource":{{"group":"","version":"v1","resource":"pods"}},"namespace":"{ns}","operation":"{op}","object":{object},"oldObject":{old}}}}}"#
        )
    }

    fn pod(image: &str, privileged: bool) -> String {
        format!(
            r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p"}},"spec":{{"containers":[{{"name":"app","image":"{image}","securityContext":{{"privileged":{privileged}}}}}]}}}}"#
        )
    }

    fn reviewer(blocking: Severity) -> Reviewer {
        let rules = ["WKL-001", "IMG-001"]
            .iter()
            .map(|id| plimsoll_rules::registry::find(id).unwrap())
            .collect();
        Reviewer::new(
            Engine::new(rules, Default::default()),
            Policy {
                blocking,
                ..Policy::default()
            },
        )
    }

    fn run(r: &Reviewer, body: &str) -> Verdict {
        r.review(&decode(body.as_bytes()).unwrap())
    }

    const DIGEST: &str =
        "nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn privileged_pod_is_denied_with_rule_and_path() {
        let v = run(
            &reviewer(Severity::High),
            &review_json("CREATE", "apps", &pod(DIGEST, true), "null"),
        );
        assert_eq!(v.outcome, Outcome::Denied);
        assert!(!v.response.allowed);
        assert_eq!(v.response.uid, "uid-1");
        let st = v.response.status.unwrap();
        assert_eq!(st.code, 403);
        assert!(
            st.message.starts_with("Plimsoll: Pod apps/p has 1 finding"),
            "{}",
            st.message
        );
        assert!(
            st.message
                .contains("WKL-001 container `app` runs privileged (at spec.containers[0].securityContext.privileged)"),
            "{}",
            st.message
        );
    }

    #[test]
    fn findings_below_the_threshold_are_short_warnings() {
        let v = run(
            &reviewer(Severity::Critical),
            &review_json("CREATE", "apps", &pod("nginx:latest", false), "null"),
        );
        assert_eq!(v.outcome, Outcome::Warned);
        assert!(v.response.allowed);
        assert_eq!(v.response.warnings.len(), 1);
        assert!(v.response.warnings[0].starts_with("IMG-001 "));
        assert!(v.response.warnings[0].ends_with("(at spec.containers[0].image)"));
        assert!(v.response.warnings.iter().all(|w| w.chars().count() < 120));
    }

    #[test]
    fn hardened_pod_is_allowed_silently() {
        let v = run(
            &reviewer(Severity::High),
            &review_json("CREATE", "apps", &pod(DIGEST, false), "null"),
        );
        assert_eq!(v.outcome, Outcome::Allowed);
        assert!(v.response.allowed && v.response.warnings.is_empty());
    }

    #[test]
    fn quick_paths() {
        let r = reviewer(Severity::High);
        let bad = pod(DIGEST, true);
        let del = run(&r, &review_json("DELETE", "apps", "null", &bad));
        assert_eq!(del.outcome, Outcome::Skipped("delete"));
        let exempt = run(&r, &review_json("CREATE", "kube-system", &bad, "null"));
        assert_eq!(exempt.outcome, Outcome::Exempt);
        let cm = review_json(
            "CREATE",
            "apps",
            r#"{"apiVersion":"v1","kind":"ConfigMap"}"#,
            "null",
        )
        .replace(r#""kind":"Pod"}"#, r#""kind":"ConfigMap"}"#);
        assert_eq!(run(&r, &cm).outcome, Outcome::Skipped("kind"));
        let none = run(&r, &review_json("CREATE", "apps", "null", "null"));
        assert_eq!(none.outcome, Outcome::Skipped("no-object"));
        assert!(none.response.allowed);
        assert_eq!(none.response.warnings.len(), 1);
    }

    #[test]
    fn updates_ratchet_on_pre_existing_findings() {
        let r = reviewer(Severity::High);
        // the stored object was already privileged: an update that keeps it is admitted with a
        // warning; one that introduces it is denied.
        let v = run(
            &r,
            &review_json("UPDATE", "apps", &pod(DIGEST, true), &pod(DIGEST, true)),
        );
        assert_eq!(v.outcome, Outcome::Warned);
        assert!(v.response.warnings[0].contains("pre-existing"));
        let v = run(
            &r,
            &review_json("UPDATE", "apps", &pod(DIGEST, true), &pod(DIGEST, false)),
        );
        assert_eq!(v.outcome, Outcome::Denied);
    }

    #[test]
    fn clip_cuts_on_characters() {
        let long = "é".repeat(300);
        let c = clip(&long);
        assert_eq!(c.chars().count(), MAX_WARNING_CHARS);
        assert!(c.ends_with('…'));
        assert_eq!(clip("short"), "short");
    }
}
