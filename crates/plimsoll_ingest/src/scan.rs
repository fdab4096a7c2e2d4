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
use crate::render::{Failure, HelmOptions, Provenance, Rendered};
use crate::{helm, kustomize};

#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    pub limits: Limits,
    /// Namespace for namespaced objects that do not name one.
    pub default_namespace: Option<String>,
    /// Keep file texts (for snippets in human output). Rendered files always keep theirs.
    pub keep_sources: bool,
    /// Values, `--set`s and release name for every Helm chart.
    pub helm: HelmOptions,
    /// Counters the scan advances as files finish (for a progress display).
    pub progress: Option<Arc<Progress>>,
    /// Restore-drill evidence, and whether any was looked for.
    pub drills: Option<Vec<plimsoll_model::evidence::DrillEvidence>>,
    /// "Now" for staleness checks (seconds since the epoch); the clock when `None`.
    pub now_unix: Option<i64>,
    /// Declarations read from their own file (`readiness.yaml`) before the scan; they join the
    /// index before the cross-object rules run. A `Readiness` document among the manifests needs
    /// nothing here.
    pub readiness: Option<ReadinessFile>,
}

/// A declarations file read before the scan.
#[derive(Clone, Debug)]
pub struct ReadinessFile {
    pub path: String,
    pub text: String,
    pub declarations: plimsoll_model::declarations::Declarations,
}

/// Live counters of a running scan.
#[derive(Debug, Default)]
pub struct Progress {
    pub files: std::sync::atomic::AtomicU64,
    pub documents: std::sync::atomic::AtomicU64,
    pub bytes: std::sync::atomic::AtomicU64,
}

/// A file that was read.
#[derive(Debug)]
pub struct ScannedFile {
    pub path: String,
    pub kind: FileKind,
    /// Kept when [`ScanOptions::keep_sources`] is set, and always for rendered inputs (then it
    /// is the rendered text).
    pub source: Option<Arc<SourceFile>>,
    /// For a Helm chart or a kustomization: what rendered it and where each rendered document
    /// comes from. `path` is then virtual (`<chart> (helm template)`, `<dir> (kustomize)`).
    pub rendered: Option<Box<Rendered>>,
    /// For a systemd unit: its exposure score, as `systemd-analyze security --offline=true`
    /// computes it (0.0-10.0).
    pub exposure: Option<f64>,
}

impl ScannedFile {
    pub fn new(path: impl Into<String>, kind: FileKind) -> ScannedFile {
        ScannedFile {
            path: path.into(),
            kind,
            source: None,
            rendered: None,
            exposure: None,
        }
    }
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
    /// Those of `skipped` a user must hear about (a chart not scanned because helm is missing),
    /// for standard error.
    pub warnings: Vec<(String, String)>,
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

    /// For a place in a rendered file, the template or source file it comes from and the line
    /// there (see [`Rendered::locate`]); `None` for plain files.
    pub fn provenance(&self, loc: &Loc) -> Option<Provenance<'_>> {
        self.files
            .get(loc.file.0 as usize)?
            .rendered
            .as_ref()?
            .locate(loc.span, loc.line)
    }
}

struct One {
    file: ScannedFile,
    findings: Vec<Finding>,
    facts: Vec<plimsoll_model::ObjectFacts>,
    errors: Vec<InputError>,
    /// The reason, and whether to warn about it.
    skipped: Option<(String, bool)>,
    inline: Vec<(u32, Directive, Loc)>,
    documents: usize,
    objects: usize,
    bytes: u64,
}

impl One {
    fn empty(file: ScannedFile) -> One {
        One {
            file,
            findings: Vec::new(),
            facts: Vec::new(),
            errors: Vec::new(),
            skipped: None,
            inline: Vec::new(),
            documents: 0,
            objects: 0,
            bytes: 0,
        }
    }
}

/// Render a chart or a kustomization: the virtual path, and the output or why there is none.
fn render_input(
    dir: &std::path::Path,
    kind: FileKind,
    opts: &ScanOptions,
) -> (String, Result<crate::render::Output, Failure>) {
    let shown = crate::render::display_dir(dir);
    match kind {
        FileKind::HelmChart => (
            format!("{shown} (helm template)"),
            helm::render(dir, &opts.helm, opts.default_namespace.as_deref()),
        ),
        _ => (format!("{shown} (kustomize)"), kustomize::render(dir)),
    }
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
    // Helm charts and kustomizations: the renderer's output under a virtual path
    let mut rendered = None;
    let (path, kind, text) = match input {
        Input::File {
            path: dir,
            kind: kind @ (FileKind::HelmChart | FileKind::Kustomization),
        } => {
            let (path, out) = render_input(dir, *kind, opts);
            let shown = crate::render::display_dir(dir);
            match out {
                Ok(o) => {
                    rendered = Some((o.tool, o.sources, o.docs));
                    (path, *kind, Ok(o.text))
                }
                // a failed render is an error about the chart or kustomization directory
                Err(Failure::Error(e)) => (shown, *kind, Err(e)),
                Err(Failure::Skip { reason, warn }) => {
                    let mut one = One::empty(ScannedFile::new(shown, *kind));
                    one.skipped = Some((reason, warn));
                    return one;
                }
            }
        }
        _ => read_input(input),
    };
    let mut one = One::empty(ScannedFile::new(path.clone(), kind));
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
        FileKind::Yaml | FileKind::HelmChart | FileKind::Kustomization => {}
        FileKind::HelmTemplate => {
            one.skipped = Some((
                "Helm template: scanned through its rendered chart".into(),
                false,
            ));
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
    one.inline = inline_directives(id, &yaml.source);
    let out = engine.check_yaml(id, &yaml, opts.default_namespace.as_deref());
    one.documents = out.documents;
    one.objects = out.objects;
    one.facts = out.facts;
    let source = Arc::new(yaml.source);
    if let Some((tool, sources, docs)) = rendered {
        one.file.rendered = Some(Box::new(Rendered {
            tool,
            input: match input {
                Input::File { path, .. } => crate::render::display_dir(path),
                Input::Stdin => String::new(),
            },
            text: source.clone(),
            sources,
            docs,
        }));
        one.file.source = Some(source);
    } else if opts.keep_sources {
        one.file.source = Some(source);
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
            // what `extends` could not follow (a missing file) is said, at its place
            let notes: Vec<FormatError> = c
                .notes
                .iter()
                .map(|n| FormatError {
                    message: n.message.clone(),
                    offset: n.span.start,
                })
                .collect();
            report_errors(&c.yaml.source, &notes);
            one.findings = engine.check_compose(id, &c);
            c.yaml.source
        }
        _ => {
            let u = systemd::parse(source);
            report_errors(&u.source, &u.errors);
            for d in &u.dropins {
                for e in &d.errors {
                    let lc = d.source.line_col(e.offset);
                    one.errors.push(InputError {
                        file: d.source.path().to_string(),
                        line: Some(lc.line),
                        column: Some(lc.column),
                        message: e.message.clone(),
                    });
                }
            }
            one.findings = engine.check_unit(id, &u);
            one.file.exposure = Some(u.exposure().score());
            u.source
        }
    };
    one.inline = inline_directives(id, &kept);
    if opts.keep_sources {
        one.file.source = Some(Arc::new(kept));
    }
}

/// The parsing floor: read and parse YAML inputs in parallel and nothing else (no rules, no
/// facts). Returns (files, documents, bytes). `plimsoll debug parse` prints it, so a benchmark
/// can compare a full scan with the parser alone on the same bytes.
pub fn parse_only(inputs: &[Input], limits: &Limits) -> (usize, usize, u64) {
    let per: Vec<(usize, u64)> = inputs
        .par_iter()
        .map(|input| {
            let Input::File {
                path,
                kind: FileKind::Yaml,
            } = input
            else {
                return (0, 0);
            };
            let Ok(text) = std::fs::read_to_string(path) else {
                return (0, 0);
            };
            let bytes = text.len() as u64;
            if !(text.contains("apiVersion") && text.contains("kind")) {
                return (0, bytes);
            }
            let yaml = parse(SourceFile::new(path.display().to_string(), text), limits);
            (yaml.documents.len(), bytes)
        })
        .collect();
    (
        per.len(),
        per.iter().map(|p| p.0).sum(),
        per.iter().map(|p| p.1).sum(),
    )
}

/// Give a declarations file its place among the scanned files (reusing it when the walk already
/// read it as a YAML file without manifests), with its inline suppressions and its text for
/// snippets, and put its declarations on the index.
fn attach_readiness(r: &mut ScanResult, readiness: &ReadinessFile) {
    let canon = |p: &str| std::fs::canonicalize(p).ok();
    let wanted = canon(&readiness.path);
    let known = r
        .files
        .iter()
        .position(|f| wanted.is_some() && canon(&f.path) == wanted);
    let at = known.unwrap_or_else(|| {
        r.files
            .push(ScannedFile::new(readiness.path.clone(), FileKind::Yaml));
        r.files.len() - 1
    });
    let id = FileId(at as u32);
    let source = Arc::new(SourceFile::new(
        readiness.path.clone(),
        readiness.text.clone(),
    ));
    let inline = inline_directives(id, &source);
    if !inline.is_empty() {
        r.inline.insert(id, inline);
    }
    r.files[at].source = Some(source);
    let mut d = readiness.declarations.clone();
    d.set_file(id);
    r.index.declarations = Some(d);
}

/// Scan inputs with an engine.
pub fn scan(engine: &Engine, inputs: &[Input], opts: &ScanOptions) -> ScanResult {
    let timings = std::env::var_os("PLIMSOLL_TIMINGS").is_some();
    let t0 = std::time::Instant::now();
    let results: Vec<One> = inputs
        .par_iter()
        .enumerate()
        .map(|(i, input)| {
            let one = process(engine, FileId(i as u32), input, opts);
            if let Some(p) = &opts.progress {
                use std::sync::atomic::Ordering::Relaxed;
                p.files.fetch_add(1, Relaxed);
                p.documents.fetch_add(one.documents as u64, Relaxed);
                p.bytes.fetch_add(one.bytes, Relaxed);
            }
            one
        })
        .collect();
    let mut r = ScanResult::default();
    let mut facts = Vec::new();
    for one in results {
        r.findings.extend(one.findings);
        facts.extend(one.facts);
        r.errors.extend(one.errors);
        if let Some((reason, warn)) = one.skipped {
            if warn {
                r.warnings.push((one.file.path.clone(), reason.clone()));
            }
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
    let t1 = std::time::Instant::now();
    r.index = Index::new(facts);
    r.index.evidence_searched = opts.drills.is_some();
    r.index.drills = opts.drills.clone().unwrap_or_default();
    r.index.now_unix = opts.now_unix.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    });
    // problems of a `Readiness` document among the manifests (those of the file read on its
    // own were reported when it was loaded)
    if let Some(d) = &r.index.declarations {
        let canon = |p: &str| std::fs::canonicalize(p).ok();
        let own = opts.readiness.as_ref().and_then(|f| canon(&f.path));
        let errors: Vec<InputError> = d
            .errors
            .iter()
            .filter(|e| own.is_none() || canon(&e.file) != own)
            .map(|e| InputError {
                file: e.file.clone(),
                line: Some(e.line),
                column: Some(e.column),
                message: e.message.clone(),
            })
            .collect();
        r.errors.extend(errors);
    }
    if let Some(readiness) = &opts.readiness {
        attach_readiness(&mut r, readiness);
    }
    let t2 = std::time::Instant::now();
    r.findings.extend(engine.check_index(&r.index));
    if timings {
        let t3 = std::time::Instant::now();
        eprintln!(
            "timing: per-file pass {:.0} ms, index build {:.0} ms, index rules {:.0} ms",
            (t1 - t0).as_secs_f64() * 1e3,
            (t2 - t1).as_secs_f64() * 1e3,
            (t3 - t2).as_secs_f64() * 1e3
        );
    }
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
