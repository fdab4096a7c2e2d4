//! The engine: runs each rule only on what it targets.
//!
//! A scan is two passes. [`Engine::check_yaml`] runs per file (in parallel, by the caller):
//! per-object, per-workload and per-file rules see the full tree, and each object leaves
//! compact [`ObjectFacts`]. [`Engine::check_index`] then runs the cross-object rules once over the
//! [`Index`] of all facts. Trees can be dropped between the two passes.

use std::collections::HashMap;
use std::sync::Arc;

use plimsoll_model::facts::extract;
use plimsoll_model::{FileId, Finding, Index, ObjectFacts, ObjectId, Workload, objects};
use plimsoll_yaml::YamlFile;

use crate::rule::{Cx, IndexCx, Rule, Target};

/// Options rules read. Defaults are what production asks for.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Minimum replicas for a replicated workload.
    pub min_replicas: i64,
    /// Registries images may come from; empty = any.
    pub allowed_registries: Vec<String>,
    /// Labels every workload must carry; empty = none required.
    pub required_labels: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_replicas: 2,
            allowed_registries: Vec::new(),
            required_labels: Vec::new(),
        }
    }
}

/// What one file yields.
#[derive(Debug, Default)]
pub struct FileOutcome {
    pub findings: Vec<Finding>,
    pub facts: Vec<ObjectFacts>,
    pub documents: usize,
    pub objects: usize,
}

pub struct Engine {
    rules: Vec<&'static dyn Rule>,
    workload: Vec<usize>,
    any: Vec<usize>,
    by_kind: HashMap<&'static str, Vec<usize>>,
    files: Vec<usize>,
    index: Vec<usize>,
    dockerfiles: Vec<usize>,
    compose: Vec<usize>,
    units: Vec<usize>,
    pub settings: Settings,
}

impl Engine {
    pub fn new(rules: Vec<&'static dyn Rule>, settings: Settings) -> Engine {
        let mut e = Engine {
            rules,
            workload: Vec::new(),
            any: Vec::new(),
            by_kind: HashMap::new(),
            files: Vec::new(),
            index: Vec::new(),
            dockerfiles: Vec::new(),
            compose: Vec::new(),
            units: Vec::new(),
            settings,
        };
        let rules = e.rules.clone();
        for (i, r) in rules.iter().enumerate() {
            for t in std::iter::once(r.target()).chain(r.also().iter().copied()) {
                e.register(i, t);
            }
        }
        e
    }

    fn register(&mut self, i: usize, target: Target) {
        let e = self;
        {
            match target {
                Target::Workloads => e.workload.push(i),
                Target::AnyObject => e.any.push(i),
                Target::Kinds(kinds) => {
                    for k in kinds {
                        e.by_kind.entry(k).or_default().push(i);
                    }
                }
                Target::Files => e.files.push(i),
                Target::Index => e.index.push(i),
                Target::Dockerfiles => e.dockerfiles.push(i),
                Target::ComposeFiles => e.compose.push(i),
                Target::SystemdUnits => e.units.push(i),
            }
        }
    }

    fn run_file_rules(
        &self,
        which: &[usize],
        file: FileId,
        source: &plimsoll_yaml::SourceFile,
        f: &mut dyn FnMut(&dyn Rule, &mut Cx<'_>),
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        for &i in which {
            let r = self.rules[i];
            let mut cx = Cx::for_file(r.meta(), file, source, &mut findings, &self.settings);
            f(r, &mut cx);
        }
        findings
    }

    /// Run the Dockerfile rules on one Dockerfile.
    pub fn check_dockerfile(
        &self,
        file: FileId,
        d: &plimsoll_formats::dockerfile::Dockerfile,
    ) -> Vec<Finding> {
        self.run_file_rules(&self.dockerfiles, file, &d.source, &mut |r, cx| {
            r.check_dockerfile(d, cx)
        })
    }

    /// Run the Compose rules on one Compose file.
    pub fn check_compose(
        &self,
        file: FileId,
        c: &plimsoll_formats::compose::ComposeFile,
    ) -> Vec<Finding> {
        self.run_file_rules(&self.compose, file, &c.yaml.source, &mut |r, cx| {
            r.check_compose(c, cx)
        })
    }

    /// Run the systemd rules on one unit.
    pub fn check_unit(&self, file: FileId, u: &plimsoll_formats::systemd::Unit) -> Vec<Finding> {
        self.run_file_rules(&self.units, file, &u.source, &mut |r, cx| {
            r.check_unit(u, cx)
        })
    }

    /// An engine with every registered rule and default settings.
    pub fn with_all_rules() -> Engine {
        Engine::new(crate::registry::all(), Settings::default())
    }

    pub fn rules(&self) -> &[&'static dyn Rule] {
        &self.rules
    }

    /// Run per-file, per-object and per-workload rules on one parsed YAML file.
    pub fn check_yaml(
        &self,
        file: FileId,
        yaml: &YamlFile,
        default_namespace: Option<&str>,
    ) -> FileOutcome {
        let mut out = FileOutcome {
            documents: yaml.documents.len(),
            ..Default::default()
        };
        let source = &yaml.source;
        for &i in &self.files {
            let r = self.rules[i];
            let mut cx = Cx {
                rule: r.meta(),
                file,
                source,
                object: None,
                findings: &mut out.findings,
                settings: &self.settings,
            };
            r.check_file(yaml, &mut cx);
        }
        for obj in objects(yaml) {
            out.objects += 1;
            let facts = extract(file, source, &obj, default_namespace);
            let id: Arc<ObjectId> = facts.id.clone();
            let mut run = |i: usize, f: &mut dyn FnMut(&dyn Rule, &mut Cx<'_>)| {
                let r = self.rules[i];
                let mut cx = Cx {
                    rule: r.meta(),
                    file,
                    source,
                    object: Some(id.clone()),
                    findings: &mut out.findings,
                    settings: &self.settings,
                };
                f(r, &mut cx);
            };
            if !self.workload.is_empty()
                && let Some(w) = Workload::from_object(obj)
            {
                for &i in &self.workload {
                    run(i, &mut |r, cx| r.check_workload(&w, cx));
                }
            }
            if let Some(rs) = self.by_kind.get(obj.kind) {
                for &i in rs {
                    run(i, &mut |r, cx| r.check_object(&obj, cx));
                }
            }
            for &i in &self.any {
                run(i, &mut |r, cx| r.check_object(&obj, cx));
            }
            out.facts.push(facts);
        }
        out
    }

    /// Run the cross-object rules, in parallel (each rule reads the index on its own; the
    /// results keep the rules' order). With `PLIMSOLL_TIMINGS` set, each rule's time goes to
    /// stderr.
    pub fn check_index(&self, ix: &Index) -> Vec<Finding> {
        use rayon::prelude::*;
        let timings = std::env::var_os("PLIMSOLL_TIMINGS").is_some();
        let per_rule: Vec<Vec<Finding>> = self
            .index
            .par_iter()
            .map(|&i| {
                let r = self.rules[i];
                let t = std::time::Instant::now();
                let mut findings = Vec::new();
                let mut cx = IndexCx {
                    rule: r.meta(),
                    findings: &mut findings,
                    settings: &self.settings,
                };
                r.check_index(ix, &mut cx);
                if timings {
                    eprintln!(
                        "timing: index rule {} {:.1} ms",
                        r.meta().id,
                        t.elapsed().as_secs_f64() * 1e3
                    );
                }
                findings
            })
            .collect();
        per_rule.into_iter().flatten().collect()
    }
}
