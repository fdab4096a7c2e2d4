//! The two-pass scan: per-file work in parallel, then the cross-object pass.

use std::io::Read;
use std::sync::Arc;

use std::collections::HashMap;

use plimsoll_model::{FileId, Finding, Index, Loc};
use plimsoll_rules::Engine;
use plimsoll_rules::suppress::{Directive, inline_directives};
use plimsoll_yaml::{Limits, SourceFile, parse};
use rayon::prelude::*;

use crate::discover::{FileKind, Input};

#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    pub limits: Limits,
    /// Namespace for namespaced objects that do not name one.
    pub default_namespace: Option<String>,
    /// Keep file texts (for snippets in human output).
    pub keep_sources: bool,
}

/// A file that was read.
#[derive(Debug)]
pub struct ScannedFile {
    pub path: String,
    pub kind: FileKind,
    /// Kept when [`ScanOptions::keep_sources`] is set.
    pub source: Option<Arc<SourceFile>>,
}

/// A file, or a place in one, that could not be read or parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct ScanResult {
    pub files: Vec<ScannedFile>,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    /// Files seen but not scanned, with the reason.
    pub skipped: Vec<(String, String)>,
    pub documents: usize,
    pub objects: usize,
    pub bytes: u64,
    pub index: Index,
    /// Inline `# plimsoll: ignore[...]` comments per file: (line, directive, where).
    pub inline: HashMap<FileId, Vec<(u32, Directive, Loc)>>,
}

impl ScanResult {
    pub fn path(&self, file: FileId) -> &str {
        self.files
            .get(file.0 as usize)
            .map(|f| f.path.as_str())
            .unwrap_or("")
    }
}

struct One {
    file: ScannedFile,
    findings: Vec<Finding>,
    facts: Vec<plimsoll_model::ObjectFacts>,
    errors: Vec<InputError>,
    skipped: Option<String>,
    inline: Vec<(u32, Directive, Loc)>,
    documents: usize,
    objects: usize,
    bytes: u64,
}

fn read_input(input: &Input) -> (String, FileKind, Result<String, String>) {
    match input {
        Input::Stdin => {
            let mut s = String::new();
            let r = std::io::stdin()
                .read_to_string(&mut s)
                .map(|_| s)
                .map_err(|e| format!("cannot read standard input: {e}"));
            ("<stdin>".to_string(), FileKind::Yaml, r)
        }
        Input::File { path, kind } => {
            let name = path.display().to_string();
            let r = match std::fs::read(path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(s) => Ok(match s.strip_prefix('\u{feff}') {
                        Some(t) => t.to_string(),
                        None => s,
                    }),
                    Err(e) => Err(format!(
                        "not UTF-8 text (invalid byte at offset {})",
                        e.utf8_error().valid_up_to()
                    )),
                },
                Err(e) => Err(format!("cannot read: {e}")),
            };
            (name, *kind, r)
        }
    }
}

fn process(engine: &Engine, id: FileId, input: &Input, opts: &ScanOptions) -> One {
    let (path, kind, text) = read_input(input);
    let mut one = One {
        file: ScannedFile {
            path: path.clone(),
            kind,
            source: None,
        },
        findings: Vec::new(),
        facts: Vec::new(),
        errors: Vec::new(),
        skipped: None,
        inline: Vec::new(),
        documents: 0,
        objects: 0,
        bytes: 0,
    };
    let text = match text {
        Ok(t) => t,
        Err(message) => {
            one.errors.push(InputError {
                file: path,
                line: None,
                column: None,
                message,
            });
            return one;
        }
    };
    one.bytes = text.len() as u64;
    match kind {
        FileKind::Yaml => {}
        FileKind::HelmTemplate => {
            one.skipped = Some("Helm template: scanned through its rendered chart".into());
            return one;
        }
        FileKind::Dockerfile | FileKind::Compose | FileKind::SystemdUnit => {
            check_format(engine, id, kind, path, text, opts, &mut one);
            return one;
        }
    }
    // A file that never says `apiVersion` and `kind` holds no manifest: it is not an error
    // (values files, data files, CI configs), and not parsing it is the fastest path.
    if !(text.contains("apiVersion") && text.contains("kind")) {
        return one;
    }
    let yaml = parse(SourceFile::new(path.clone(), text), &opts.limits);
    for e in &yaml.errors {
        let lc = yaml.source.line_col(e.offset);
        one.errors.push(InputError {
            file: path.clone(),
            line: Some(lc.line),
            column: Some(lc.column),
            message: e.message.clone(),
        });
    }
    one.inline = inline_directives(yaml.source.text())
        .into_iter()
        .map(|(line, d, off)| {
            (
                line,
                d,
                Loc::new(id, &yaml.source, plimsoll_yaml::Span::empty(off)),
            )
        })
        .collect();
    let out = engine.check_yaml(id, &yaml, opts.default_namespace.as_deref());
    one.documents = out.documents;
    one.objects = out.objects;
    one.facts = out.facts;
    if opts.keep_sources {
        one.file.source = Some(Arc::new(yaml.source));
    }
    one.findings = out.findings;
    one
}

/// Dockerfiles, Compose files and systemd units: parse with their reader, run their rules.
fn check_format(
    engine: &Engine,
    id: FileId,
    kind: FileKind,
    path: String,
    text: String,
    opts: &ScanOptions,
    one: &mut One,
) {
    use plimsoll_formats::{FormatError, compose, dockerfile, systemd};
    let source = SourceFile::new(path.clone(), text);
    let mut report_errors = |src: &SourceFile, errors: &[FormatError]| {
        for e in errors {
            let lc = src.line_col(e.offset);
            one.errors.push(InputError {
                file: path.clone(),
                line: Some(lc.line),
                column: Some(lc.column),
                message: e.message.clone(),
            });
        }
    };
    let kept = match kind {
        FileKind::Dockerfile => {
            let d = dockerfile::parse(source);
            report_errors(&d.source, &d.errors);
            one.findings = engine.check_dockerfile(id, &d);
            d.source
        }
        FileKind::Compose => {
            let c = compose::parse(source, &opts.limits);
            report_errors(&c.yaml.source, &c.errors);
            one.findings = engine.check_compose(id, &c);
            c.yaml.source
        }
        _ => {
            let u = systemd::parse(source);
            report_errors(&u.source, &u.errors);
            one.findings = engine.check_unit(id, &u);
            u.source
        }
    };
    one.inline = inline_directives(kept.text())
        .into_iter()
        .map(|(line, d, off)| {
            (
                line,
                d,
                Loc::new(id, &kept, plimsoll_yaml::Span::empty(off)),
            )
        })
        .collect();
    if opts.keep_sources {
        one.file.source = Some(Arc::new(kept));
    }
}

/// Scan inputs with an engine.
pub fn scan(engine: &Engine, inputs: &[Input], opts: &ScanOptions) -> ScanResult {
    let results: Vec<One> = inputs
        .par_iter()
        .enumerate()
        .map(|(i, input)| process(engine, FileId(i as u32), input, opts))
        .collect();
    let mut r = ScanResult::default();
    let mut facts = Vec::new();
    for one in results {
        r.findings.extend(one.findings);
        facts.extend(one.facts);
        r.errors.extend(one.errors);
        if let Some(reason) = one.skipped {
            r.skipped.push((one.file.path.clone(), reason));
        }
        if !one.inline.is_empty() {
            r.inline.insert(FileId(r.files.len() as u32), one.inline);
        }
        r.documents += one.documents;
        r.objects += one.objects;
        r.bytes += one.bytes;
        r.files.push(one.file);
    }
    r.index = Index::new(facts);
    r.findings.extend(engine.check_index(&r.index));
    r.findings.sort_by(|a, b| {
        let ka = a
            .loc
            .map(|l| (0, l.file, l.line, l.column))
            .unwrap_or((1, FileId(0), 0, 0));
        let kb = b
            .loc
            .map(|l| (0, l.file, l.line, l.column))
            .unwrap_or((1, FileId(0), 0, 0));
        ka.cmp(&kb).then_with(|| a.rule.id.cmp(b.rule.id))
    });
    r
}
