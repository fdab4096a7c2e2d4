//! `plimsoll.yaml`: rule selection, severity overrides, paths, settings, profiles, exemptions.
//!
//! ```yaml
//! failOn: high
//! profile: production
//! rules:
//!   disable: [IMG-002, observability]      # ids, names or gaps
//!   enable: [OBS-001]
//!   severity: {IMG-003: low}
//!   notSuppressible: [WKL-001, secrets]    # no annotation or comment may hide these
//! paths:
//!   include: ["deploy/**"]
//!   exclude: ["**/testdata/**"]
//! settings:
//!   minReplicas: 3
//!   allowedRegistries: [ghcr.io/acme]
//!   requiredLabels: [app.kubernetes.io/name, team]
//! profiles:
//!   pilot:
//!     rules: {disable: [RES-005]}
//!     settings: {minReplicas: 1}
//! exemptions:
//!   - rules: [NET-001]
//!     namespace: "legacy-*"
//!     reason: migration ticket OPS-12
//!     until: 2027-01-31
//! namespaceProfiles:                       # the webhook's profile per request namespace
//!   - namespace: "team-*"                  # glob (`*`, `?`); the first match wins
//!     profile: pilot
//! ```
//!
//! Parsing is strict: an unknown key, a wrong type or an unknown rule is an error with its file,
//! line and column, and a suggestion when a known name is close.

use std::collections::BTreeMap;

use plimsoll_model::{FileId, Gap, Loc, RuleMeta, Severity};
use plimsoll_yaml::{Limits, Node, SourceFile, parse};

use crate::engine::Settings;
use crate::rule::Rule;
use crate::suppress::Exemption;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Rule selection and settings, as written at the top level or in a profile.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    pub disable: Vec<String>,
    pub enable: Vec<String>,
    pub severity: Vec<(String, Severity)>,
    /// Lower the severity of matching rules to at most this level.
    pub cap: Vec<(String, Severity)>,
    pub min_replicas: Option<i64>,
    pub allowed_registries: Option<Vec<String>>,
    pub required_labels: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct Config {
    pub path: String,
    /// `Some(None)` means `never`.
    pub fail_on: Option<Option<Severity>>,
    pub profile: Option<String>,
    pub base: RuleSet,
    pub not_suppressible: Vec<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub profiles: BTreeMap<String, RuleSet>,
    pub exemptions: Vec<Exemption>,
    /// `namespaceProfiles`, in order: the first whose glob matches a namespace names its profile.
    pub namespace_profiles: Vec<NamespaceProfile>,
}

/// One `namespaceProfiles` entry: objects in namespaces matching `namespace` (a glob: `*` any
/// run of characters, `?` one) are checked with `profile`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceProfile {
    pub namespace: String,
    pub profile: String,
}

/// The effective selection after applying a profile.
pub struct Resolved {
    pub rules: Vec<&'static dyn Rule>,
    pub severity: Vec<(&'static str, Severity)>,
    pub settings: Settings,
    pub exemptions: Vec<Exemption>,
    pub not_suppressible: Vec<String>,
}

impl Resolved {
    /// Apply severity overrides to findings.
    pub fn apply_severity(&self, findings: &mut [plimsoll_model::Finding]) {
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

/// Built-in profiles. `pilot` relaxes what a pilot may skip: recovery, change control and
/// resilience findings count at most as medium, observability at most as low, and one replica
/// is enough.
pub fn builtin_profile(name: &str) -> Option<RuleSet> {
    match name {
        "production" => Some(RuleSet::default()),
        "pilot" => Some(RuleSet {
            cap: vec![
                ("recovery".into(), Severity::Medium),
                ("change".into(), Severity::Medium),
                ("resilience".into(), Severity::Medium),
                ("observability".into(), Severity::Low),
            ],
            min_replicas: Some(1),
            ..Default::default()
        }),
        _ => None,
    }
}

fn selects(key: &str, m: &RuleMeta) -> bool {
    key.eq_ignore_ascii_case("all")
        || key.eq_ignore_ascii_case(m.id)
        || key.eq_ignore_ascii_case(m.name)
        || key.eq_ignore_ascii_case(m.gap.as_str())
}

impl Config {
    /// The profile `namespaceProfiles` gives `namespace` (first match wins), if any.
    pub fn profile_for_namespace(&self, namespace: &str) -> Option<&str> {
        self.namespace_profiles
            .iter()
            .find(|p| crate::suppress::glob(Some(&p.namespace), namespace))
            .map(|p| p.profile.as_str())
    }

    pub fn resolve(
        &self,
        all: &[&'static dyn Rule],
        profile: Option<&str>,
    ) -> Result<Resolved, String> {
        let profile = profile.or(self.profile.as_deref()).unwrap_or("production");
        let prof = match self.profiles.get(profile) {
            Some(p) => p.clone(),
            None => builtin_profile(profile).ok_or_else(|| {
                let mut known: Vec<&str> = vec!["production", "pilot"];
                known.extend(self.profiles.keys().map(|k| k.as_str()));
                format!("unknown profile `{profile}`; known: {}", known.join(", "))
            })?,
        };
        let layers = [&self.base, &prof];
        let mut rules = Vec::new();
        let mut severity = Vec::new();
        for &r in all {
            let m = r.meta();
            let mut on = true;
            for l in layers {
                if l.disable.iter().any(|k| selects(k, m)) {
                    on = false;
                }
                if l.enable.iter().any(|k| selects(k, m)) {
                    on = true;
                }
            }
            if !on {
                continue;
            }
            rules.push(r);
            let mut sev = m.severity;
            for l in layers {
                for (k, cap) in &l.cap {
                    if selects(k, m) && sev < *cap {
                        sev = *cap;
                    }
                }
                for (k, s) in &l.severity {
                    if selects(k, m) {
                        sev = *s;
                    }
                }
            }
            if sev != m.severity {
                severity.push((m.id, sev));
            }
        }
        let mut settings = Settings::default();
        for l in layers {
            if let Some(n) = l.min_replicas {
                settings.min_replicas = n;
            }
            if let Some(r) = &l.allowed_registries {
                settings.allowed_registries = r.clone();
            }
            if let Some(r) = &l.required_labels {
                settings.required_labels = r.clone();
            }
        }
        Ok(Resolved {
            rules,
            severity,
            settings,
            exemptions: self.exemptions.clone(),
            not_suppressible: self.not_suppressible.clone(),
        })
    }
}

pub use plimsoll_model::diag::suggest;

struct Parser<'a> {
    src: &'a SourceFile,
    errors: Vec<ConfigError>,
    rule_keys: Vec<&'static str>,
}

impl<'a> Parser<'a> {
    fn err(&mut self, at: Node<'_>, message: impl Into<String>) {
        let lc = self.src.line_col(at.anchor().start);
        self.errors.push(ConfigError {
            file: self.src.path().to_string(),
            line: lc.line,
            column: lc.column,
            message: message.into(),
        });
    }

    /// Entries of a mapping, reporting unknown keys.
    fn entries<'n>(
        &mut self,
        node: Node<'n>,
        what: &str,
        known: &[&str],
    ) -> Vec<(&'n str, Node<'n>)> {
        if !node.is_mapping() {
            self.err(node, format!("{what} must be a mapping"));
            return Vec::new();
        }
        let mut out = Vec::new();
        for (k, v) in node.entries() {
            let key = k.text().unwrap_or("");
            if known.contains(&key) {
                out.push((key, v));
            } else {
                let hint = suggest(key, known.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("; known keys: {}", known.join(", ")));
                let lc = self.src.line_col(k.span().start);
                self.errors.push(ConfigError {
                    file: self.src.path().to_string(),
                    line: lc.line,
                    column: lc.column,
                    message: format!("unknown key `{key}` in {what}{hint}"),
                });
            }
        }
        out
    }

    fn strings(&mut self, node: Node<'_>, what: &str) -> Vec<String> {
        if let Some(s) = node.as_str() {
            return vec![s.to_string()];
        }
        if !node.is_sequence() {
            self.err(node, format!("{what} must be a list of strings"));
            return Vec::new();
        }
        node.items()
            .filter_map(|i| match i.as_str() {
                Some(s) => Some(s.to_string()),
                None => {
                    self.err(i, format!("{what} must be a list of strings"));
                    None
                }
            })
            .collect()
    }

    fn rule_refs(&mut self, node: Node<'_>, what: &str) -> Vec<String> {
        let items: Vec<Node<'_>> = if node.is_sequence() {
            node.items().collect()
        } else {
            vec![node]
        };
        let mut out = Vec::new();
        for i in items {
            match i.as_str() {
                Some(s) => {
                    self.check_rule(i, s);
                    out.push(s.to_string());
                }
                None => self.err(
                    i,
                    format!("{what} must be a list of rule ids, names or gaps"),
                ),
            }
        }
        out
    }

    fn check_rule(&mut self, at: Node<'_>, key: &str) {
        if key.eq_ignore_ascii_case("all")
            || self.rule_keys.iter().any(|k| k.eq_ignore_ascii_case(key))
        {
            return;
        }
        let keys = self.rule_keys.clone();
        let hint = suggest(key, keys.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        self.err(at, format!("unknown rule or gap `{key}`{hint}"));
    }

    fn severity(&mut self, node: Node<'_>) -> Option<Severity> {
        let s = node.as_str().unwrap_or("");
        match Severity::parse(s) {
            Some(v) => Some(v),
            None => {
                self.err(
                    node,
                    format!("`{s}` is not a severity; use critical, high, medium or low"),
                );
                None
            }
        }
    }

    fn ruleset(
        &mut self,
        rules: Option<Node<'_>>,
        settings: Option<Node<'_>>,
        not_suppressible: &mut Vec<String>,
        top: bool,
    ) -> RuleSet {
        let mut rs = RuleSet::default();
        if let Some(r) = rules {
            let known: &[&str] = if top {
                &["disable", "enable", "severity", "notSuppressible"]
            } else {
                &["disable", "enable", "severity"]
            };
            for (k, v) in self.entries(r, "rules", known) {
                match k {
                    "disable" => rs.disable = self.rule_refs(v, "rules.disable"),
                    "enable" => rs.enable = self.rule_refs(v, "rules.enable"),
                    "notSuppressible" => {
                        *not_suppressible = self.rule_refs(v, "rules.notSuppressible")
                    }
                    "severity" => {
                        if !v.is_mapping() {
                            self.err(v, "rules.severity must map rules to severities");
                            continue;
                        }
                        for (rk, rv) in v.entries() {
                            let key = rk.text().unwrap_or("").to_string();
                            self.check_rule(rk, &key);
                            if let Some(s) = self.severity(rv) {
                                rs.severity.push((key, s));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(s) = settings {
            for (k, v) in self.entries(
                s,
                "settings",
                &["minReplicas", "allowedRegistries", "requiredLabels"],
            ) {
                match k {
                    "minReplicas" => match v.as_i64() {
                        Some(n) if n >= 1 => rs.min_replicas = Some(n),
                        _ => self.err(v, "settings.minReplicas must be a whole number, at least 1"),
                    },
                    "allowedRegistries" => {
                        rs.allowed_registries = Some(self.strings(v, "settings.allowedRegistries"))
                    }
                    "requiredLabels" => {
                        rs.required_labels = Some(self.strings(v, "settings.requiredLabels"))
                    }
                    _ => {}
                }
            }
        }
        rs
    }
}

/// Parse a configuration file's text. `all` is the rule registry (to check rule names).
pub fn parse_config(
    path: &str,
    text: &str,
    all: &[&'static dyn Rule],
) -> Result<Config, Vec<ConfigError>> {
    let f = parse(SourceFile::new(path, text), &Limits::default());
    let mut rule_keys: Vec<&'static str> = Vec::new();
    for r in all {
        rule_keys.push(r.meta().id);
        rule_keys.push(r.meta().name);
    }
    rule_keys.extend(Gap::ALL.iter().map(|g| g.as_str()));
    let mut p = Parser {
        src: &f.source,
        errors: Vec::new(),
        rule_keys,
    };
    for e in &f.errors {
        let lc = f.source.line_col(e.offset);
        p.errors.push(ConfigError {
            file: path.to_string(),
            line: lc.line,
            column: lc.column,
            message: e.message.clone(),
        });
    }
    let mut c = Config {
        path: path.to_string(),
        ..Default::default()
    };
    let Some((_, root)) = f.roots().next() else {
        return if p.errors.is_empty() {
            Ok(c)
        } else {
            Err(p.errors)
        };
    };
    if root.is_null() {
        return Ok(c);
    }
    let top = p.entries(
        root,
        "the configuration",
        &[
            "failOn",
            "profile",
            "rules",
            "paths",
            "settings",
            "profiles",
            "exemptions",
            "namespaceProfiles",
        ],
    );
    let mut rules = None;
    let mut settings = None;
    // namespaceProfiles entries with the node naming the profile (checked once all profiles
    // are known)
    let mut ns_profiles: Vec<(NamespaceProfile, Node<'_>)> = Vec::new();
    for (k, v) in top {
        match k {
            "failOn" => {
                if v.as_str() == Some("never") {
                    c.fail_on = Some(None);
                } else if let Some(s) = p.severity(v) {
                    c.fail_on = Some(Some(s));
                }
            }
            "profile" => c.profile = v.as_str().map(str::to_string),
            "rules" => rules = Some(v),
            "settings" => settings = Some(v),
            "paths" => {
                for (pk, pv) in p.entries(v, "paths", &["include", "exclude"]) {
                    let list = p.strings(pv, &format!("paths.{pk}"));
                    for g in &list {
                        if let Err(e) = globset::Glob::new(g) {
                            p.err(pv, format!("invalid glob `{g}`: {e}"));
                        }
                    }
                    if pk == "include" {
                        c.include = list;
                    } else {
                        c.exclude = list;
                    }
                }
            }
            "profiles" => {
                if !v.is_mapping() {
                    p.err(v, "profiles must map names to profiles");
                    continue;
                }
                for (nk, nv) in v.entries() {
                    let name = nk.text().unwrap_or("").to_string();
                    let parts = p.entries(nv, &format!("profile `{name}`"), &["rules", "settings"]);
                    let r = parts.iter().find(|(k, _)| *k == "rules").map(|(_, v)| *v);
                    let s = parts
                        .iter()
                        .find(|(k, _)| *k == "settings")
                        .map(|(_, v)| *v);
                    let mut ignore = Vec::new();
                    let mut rs = p.ruleset(r, s, &mut ignore, false);
                    // a user profile named like a built-in starts from it
                    if let Some(b) = builtin_profile(&name) {
                        rs.cap = b.cap;
                        rs.min_replicas = rs.min_replicas.or(b.min_replicas);
                    }
                    c.profiles.insert(name, rs);
                }
            }
            "exemptions" => {
                if !v.is_sequence() {
                    p.err(v, "exemptions must be a list");
                    continue;
                }
                for item in v.items() {
                    let mut e = Exemption {
                        loc: Some(Loc::new(FileId(u32::MAX), &f.source, item.span())),
                        ..Default::default()
                    };
                    for (ek, ev) in p.entries(
                        item,
                        "an exemption",
                        &["rules", "namespace", "kind", "name", "reason", "until"],
                    ) {
                        match ek {
                            "rules" => e.rules = p.rule_refs(ev, "exemptions[].rules"),
                            "namespace" => e.namespace = ev.as_str().map(str::to_string),
                            "kind" => e.kind = ev.as_str().map(str::to_string),
                            "name" => e.name = ev.as_str().map(str::to_string),
                            "reason" => e.reason = ev.as_str().map(str::to_string),
                            "until" => {
                                let t = ev.as_str().unwrap_or("");
                                e.until = crate::date::parse_date(t);
                                e.until_text = Some(t.to_string());
                                if e.until.is_none() {
                                    p.err(ev, format!("`{t}` is not a date; use YYYY-MM-DD"));
                                }
                            }
                            _ => {}
                        }
                    }
                    if e.rules.is_empty() {
                        p.err(item, "an exemption needs `rules`");
                    }
                    c.exemptions.push(e);
                }
            }
            "namespaceProfiles" => {
                if !v.is_sequence() {
                    p.err(
                        v,
                        "namespaceProfiles must be a list of {namespace, profile} entries",
                    );
                    continue;
                }
                for item in v.items() {
                    let (mut namespace, mut profile, mut bad) = (None, None, false);
                    for (ek, ev) in
                        p.entries(item, "a namespaceProfiles entry", &["namespace", "profile"])
                    {
                        match (ek, ev.as_str()) {
                            ("namespace", Some(s)) if !s.is_empty() => {
                                namespace = Some(s.to_string())
                            }
                            ("profile", Some(s)) if !s.is_empty() => {
                                profile = Some((s.to_string(), ev))
                            }
                            _ => {
                                bad = true;
                                p.err(ev, format!("namespaceProfiles[].{ek} must be a string"))
                            }
                        }
                    }
                    match (namespace, profile) {
                        (Some(namespace), Some((profile, at))) => {
                            ns_profiles.push((NamespaceProfile { namespace, profile }, at))
                        }
                        _ if bad || !item.is_mapping() => {}
                        (None, _) => p.err(item, "a namespaceProfiles entry needs `namespace`"),
                        (_, None) => p.err(item, "a namespaceProfiles entry needs `profile`"),
                    }
                }
            }
            _ => {}
        }
    }
    for (np, at) in ns_profiles {
        if !c.profiles.contains_key(&np.profile) && builtin_profile(&np.profile).is_none() {
            let mut known: Vec<&str> = vec!["production", "pilot"];
            known.extend(c.profiles.keys().map(|k| k.as_str()));
            let hint = suggest(&np.profile, known.iter().copied())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_else(|| format!("; known: {}", known.join(", ")));
            p.err(at, format!("unknown profile `{}`{hint}", np.profile));
        }
        c.namespace_profiles.push(np);
    }
    let mut ns = Vec::new();
    c.base = p.ruleset(rules, settings, &mut ns, true);
    c.not_suppressible = ns;
    if p.errors.is_empty() {
        Ok(c)
    } else {
        Err(p.errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    #[test]
    fn unknown_keys_and_rules_are_errors_with_places_and_suggestions() {
        let text = "rules:\n  disabel: [IMG-001]\n  severity:\n    IMG-01: low\npaths:\n  exclude: ['**/x/**']\nsetings: {}\n";
        let errs = parse_config("plimsoll.yaml", text, &registry::all()).unwrap_err();
        let msgs: Vec<String> = errs
            .iter()
            .map(|e| format!("{}:{}: {}", e.line, e.column, e.message))
            .collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("2:3:") && m.contains("did you mean `disable`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.starts_with("4:5:")
                && m.contains("IMG-01")
                && m.contains("did you mean `IMG-001`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("7:1:") && m.contains("did you mean `settings`")),
            "{msgs:?}"
        );
    }

    #[test]
    fn namespace_profiles_first_match_wins_and_are_checked() {
        let all = registry::all();
        let text = "namespaceProfiles:\n  - namespace: team-legacy\n    profile: strict\n  - {namespace: \"team-*\", profile: pilot}\nprofiles:\n  strict:\n    rules: {enable: [all]}\n";
        let c = parse_config("p.yaml", text, &all).unwrap();
        assert_eq!(c.namespace_profiles.len(), 2);
        assert_eq!(c.profile_for_namespace("team-legacy"), Some("strict"));
        assert_eq!(c.profile_for_namespace("team-a"), Some("pilot"));
        assert_eq!(c.profile_for_namespace("shop"), None);
        assert!(c.resolve(&all, c.profile_for_namespace("team-a")).is_ok());

        let bad = "namespaceProfiles:\n  - namespace: a\n    profile: pilto\n  - namespace: b\n  - {namespace: c, profile: pilot, rules: []}\n  - namespace: [d]\n    profile: pilot\n";
        let msgs: Vec<String> = parse_config("p.yaml", bad, &all)
            .unwrap_err()
            .iter()
            .map(|e| format!("{}:{}: {}", e.line, e.column, e.message))
            .collect();
        assert!(
            msgs.iter().any(|m| m.starts_with("3:5:")
                && m.contains("unknown profile `pilto`")
                && m.contains("did you mean `pilot`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("4:5:") && m.contains("needs `profile`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("5:36:") && m.contains("unknown key `rules`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("6:5:") && m.contains("namespace must be a string")),
            "{msgs:?}"
        );
        let not_a_list = parse_config("p.yaml", "namespaceProfiles: {a: pilot}\n", &all);
        assert!(
            not_a_list.unwrap_err()[0]
                .message
                .contains("must be a list")
        );
    }

    #[test]
    fn profiles_select_rules_and_change_severity() {
        let text = "rules:\n  disable: [network]\n  severity: {IMG-001: low}\nsettings: {minReplicas: 3}\nprofiles:\n  strict:\n    rules: {enable: [NET-001]}\n";
        let all = registry::all();
        let c = parse_config("p.yaml", text, &all).unwrap();
        let r = c.resolve(&all, None).unwrap();
        assert!(!r.rules.iter().any(|x| x.meta().gap == Gap::Network));
        assert_eq!(r.severity, vec![("IMG-001", Severity::Low)]);
        assert_eq!(r.settings.min_replicas, 3);
        let strict = c.resolve(&all, Some("strict")).unwrap();
        assert!(strict.rules.iter().any(|x| x.meta().id == "NET-001"));
        let pilot = c.resolve(&all, Some("pilot")).unwrap();
        assert_eq!(pilot.settings.min_replicas, 1);
        assert!(c.resolve(&all, Some("nope")).is_err());
    }
}
