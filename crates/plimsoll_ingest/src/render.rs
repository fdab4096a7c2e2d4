//! Rendered inputs (Helm charts, Kustomize overlays): running the renderer, and the per-file
//! table that maps each rendered document back to the file it came from.
//!
//! A rendered input is scanned as one YAML file whose path is virtual (`<chart> (helm template)`,
//! `<dir> (kustomize)`) and whose source is the rendered text, so findings keep exact lines,
//! columns and snippets. [`Rendered`] adds, per document of that text, the template or source
//! file that produced it; [`Rendered::locate`] turns a finding's place into a line of that file.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use plimsoll_yaml::{SourceFile, Span};

/// How long one `helm template` or `kustomize build` may run.
const TIMEOUT: Duration = Duration::from_secs(300);

/// Options for rendering Helm charts (the namespace is [`crate::ScanOptions::default_namespace`]).
#[derive(Clone, Debug, Default)]
pub struct HelmOptions {
    /// `-f FILE` for every chart, in order (relative to the current directory).
    pub values: Vec<PathBuf>,
    /// `--set K=V` for every chart, in order.
    pub set: Vec<String>,
    /// Release name (default: the chart's name).
    pub release: Option<String>,
}

/// Which renderer produced a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenderTool {
    Helm,
    Kustomize,
}

impl RenderTool {
    pub fn as_str(self) -> &'static str {
        match self {
            RenderTool::Helm => "helm template",
            RenderTool::Kustomize => "kustomize",
        }
    }
}

/// A file a rendered document came from: a chart template or a kustomize resource.
#[derive(Debug)]
pub struct RenderSource {
    /// Path as a user would open it (the input's path joined with the file's place in it).
    pub path: String,
    /// The file's text, for finding keys in it; `None` when it could not be read (a template of
    /// a packaged subchart, for example).
    pub text: Option<SourceFile>,
}

/// One document of the rendered text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenderedDoc {
    /// The document in the rendered text, from its `---` to the next one.
    pub span: Span,
    /// 1-based line of the document's first content line in the rendered text.
    pub body_line: u32,
    /// Index into [`Rendered::sources`], when known.
    pub source: Option<u32>,
    /// 1-based lines (inclusive) of the source file that hold this document: the whole template,
    /// the template's matching `---` section, or the raw object in a kustomize resource.
    pub lines: (u32, u32),
}

/// The per-file provenance table of a rendered input.
#[derive(Debug)]
pub struct Rendered {
    pub tool: RenderTool,
    /// The chart or kustomization directory, as given.
    pub input: String,
    /// The rendered text: the scanned file's source.
    pub text: Arc<SourceFile>,
    pub sources: Vec<RenderSource>,
    /// In text order.
    pub docs: Vec<RenderedDoc>,
}

/// How a [`Provenance`] line was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// The line holds the finding's key.
    Key,
    /// The key is not spelled in the file (a value block rendered with `toYaml`, a helper):
    /// the line holds the nearest enclosing key that is (`securityContext:`, `env:`).
    Parent,
    /// Neither is: the line is where the document starts.
    Document,
}

impl Match {
    pub fn as_str(self) -> &'static str {
        match self {
            Match::Key => "key",
            Match::Parent => "parent",
            Match::Document => "document",
        }
    }
}

/// Where a finding in rendered output comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Provenance<'a> {
    pub file: &'a str,
    /// 1-based line in `file`.
    pub line: u32,
    pub matched: Match,
}

impl Rendered {
    /// The document holding a byte offset of the rendered text.
    pub fn doc_at(&self, offset: u32) -> Option<&RenderedDoc> {
        let i = self.docs.partition_point(|d| d.span.start <= offset);
        self.docs.get(i.checked_sub(1)?)
    }

    /// The source file and line of a place (byte span and its 1-based line) in the rendered text.
    ///
    /// The rendered line's text is searched for in the document's lines of the source file:
    /// first the whole line (`privileged: true`), then its key (`privileged:`), then the
    /// underlined text; the match nearest to where the document's layout puts it wins. Comment
    /// lines are not matched. When nothing matches, the keys enclosing the line are tried, the
    /// innermost first ([`Match::Parent`]); then the document's first line is returned
    /// ([`Match::Document`]).
    pub fn locate(&self, span: Span, line: u32) -> Option<Provenance<'_>> {
        let doc = self.doc_at(span.start)?;
        let src = self.sources.get(doc.source? as usize)?;
        let (first, last) = doc.lines;
        let Some(text) = &src.text else {
            return Some(Provenance {
                file: &src.path,
                line: first,
                matched: Match::Document,
            });
        };
        let last = last.min(text.line_count() as u32).max(first);
        // the document's start: its first line that is neither blank nor a comment
        let start = (first..=last)
            .find(|&l| {
                let t = text.line_text(l).trim();
                !t.is_empty() && !t.starts_with('#') && t != "---"
            })
            .unwrap_or(first);
        let find = |rendered_line: u32, needles: Vec<String>| -> Option<u32> {
            let expected = start + rendered_line.saturating_sub(doc.body_line);
            needles.iter().find_map(|needle| {
                (first..=last)
                    .filter(|&l| {
                        let t = text.line_text(l).trim_start();
                        !t.starts_with('#') && !t.starts_with("{{/*") && contains_word(t, needle)
                    })
                    .min_by_key(|&l| l.abs_diff(expected))
            })
        };
        let at = |line: u32, matched: Match| {
            Some(Provenance {
                file: &src.path,
                line,
                matched,
            })
        };
        if let Some(l) = find(
            line,
            needles(self.text.line_text(line), self.text.slice(span)),
        ) {
            return at(l, Match::Key);
        }
        // the enclosing keys: the lines above with less indentation, up to the document's body
        let indent = |t: &str| t.len() - t.trim_start_matches([' ', '-']).len();
        let mut current = indent(self.text.line_text(line));
        let mut l = line;
        while current > 0 && l > doc.body_line {
            l -= 1;
            let t = self.text.line_text(l);
            let trimmed = t.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let i = indent(t);
            if i >= current {
                continue;
            }
            current = i;
            let Some(k) = key_end(trimmed.strip_prefix("- ").unwrap_or(trimmed)) else {
                continue;
            };
            let key = trimmed.strip_prefix("- ").unwrap_or(trimmed)[..=k].to_string();
            if let Some(found) = find(l, vec![key]) {
                return at(found, Match::Parent);
            }
        }
        at(start, Match::Document)
    }
}

/// What to look for in the source, most specific first.
fn needles(line: &str, underlined: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let t = line.trim();
    let t = t.strip_prefix("- ").unwrap_or(t).trim_start();
    if t.len() >= 3 && !t.starts_with('#') {
        out.push(t.to_string());
    }
    if let Some(i) = key_end(t) {
        let key = &t[..=i];
        if key.len() >= 2 && !out.iter().any(|o| o == key) {
            out.push(key.to_string());
        }
    }
    let u = underlined.trim();
    let u = u.strip_suffix(':').unwrap_or(u);
    if u.len() >= 2 && !u.contains('\n') && !out.iter().any(|o| o == u) {
        out.push(u.to_string());
    }
    out
}

/// `hay` contains `needle` where it does not continue a longer word (`name:` is not found in
/// `hostname:`).
fn contains_word(hay: &str, needle: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-' || c == '.';
    hay.match_indices(needle).any(|(i, _)| {
        let before_ok =
            !hay[..i].chars().next_back().is_some_and(word) || !needle.starts_with(word);
        let after = &hay[i + needle.len()..];
        let after_ok = !after.chars().next().is_some_and(word) || !needle.ends_with(word);
        before_ok && after_ok
    })
}

/// Index of the `:` ending a block mapping key at the start of `t` (`key: v` or `key:`).
fn key_end(t: &str) -> Option<usize> {
    let b = t.as_bytes();
    let mut quote: Option<u8> = None;
    for (i, &c) in b.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if (c == b'"' || c == b'\'') && i == 0 => quote = Some(c),
            None if c == b':' && (i + 1 == b.len() || b[i + 1] == b' ') => return Some(i),
            None if c == b'{' || c == b'[' || c == b'#' => return None,
            None => {}
        }
    }
    None
}

/// Split a multi-document YAML text at its `---` lines: each part's span (from its separator to
/// the next) and the 1-based line of its first content line (neither blank, a comment nor the
/// separator). Parts without content are dropped.
pub(crate) fn split_docs(text: &str) -> Vec<(Span, u32)> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut body: Option<u32> = None;
    let mut offset = 0usize;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let line = raw.trim_end_matches(['\n', '\r']);
        let is_sep = line == "---" || line.starts_with("--- ") || line.starts_with("---\t");
        if is_sep && offset > start {
            if let Some(b) = body {
                out.push((Span::new(start as u32, offset as u32), b));
            }
            start = offset;
            body = None;
        } else if is_sep {
            start = offset;
        }
        let t = line.trim();
        if body.is_none() && !is_sep && !t.is_empty() && !t.starts_with('#') {
            body = Some(i as u32 + 1);
        }
        offset += raw.len();
    }
    if let Some(b) = body {
        out.push((Span::new(start as u32, text.len() as u32), b));
    }
    out
}

/// 1-based inclusive line ranges of the `---`-separated sections of a text that have content.
pub(crate) fn section_lines(text: &str) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut first = 1u32;
    let mut content = false;
    let mut n = 0u32;
    for (i, line) in text.lines().enumerate() {
        n = i as u32 + 1;
        let t = line.trim();
        if t == "---" || t.starts_with("--- ") {
            if content {
                out.push((first, n - 1));
            }
            first = n + 1;
            content = false;
        } else if !t.is_empty() && !t.starts_with('#') {
            content = true;
        }
    }
    if content {
        out.push((first, n.max(first)));
    }
    out
}

/// Why an input was not rendered.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Not scanned, not an error (a library chart, a component on its own, a missing tool).
    /// `warn` asks the CLI to say so on standard error.
    Skip { reason: String, warn: bool },
    /// The renderer failed: an input error with its message.
    Error(String),
}

/// What a renderer gives: the text and its table (whose `text` is filled by the scan).
pub(crate) struct Output {
    pub tool: RenderTool,
    pub text: String,
    pub sources: Vec<RenderSource>,
    pub docs: Vec<RenderedDoc>,
}

/// A tool named by an environment variable (a path, or a name looked up on `PATH`), else found
/// on `PATH` under one of `names`.
pub(crate) fn find_tool(env: &str, names: &[&str]) -> Result<PathBuf, String> {
    if let Some(v) = std::env::var_os(env).filter(|v| !v.is_empty()) {
        let p = PathBuf::from(&v);
        if p.components().count() > 1 || p.is_absolute() {
            return if p.is_file() {
                Ok(p)
            } else {
                Err(format!("{env}={} does not exist", p.display()))
            };
        }
        return on_path(&p.to_string_lossy())
            .ok_or_else(|| format!("{env}={} is not on PATH", p.display()));
    }
    names
        .iter()
        .find_map(|n| on_path(n))
        .ok_or_else(|| format!("{} not found on PATH", names.join(" or ")))
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file() || p.with_extension("exe").is_file()
}

/// Run a renderer: its standard output when it succeeds, else its cleaned-up standard error.
pub(crate) fn run(mut cmd: Command) -> Result<String, String> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Ok(s),
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!(
                    "{program} did not finish within {} s",
                    TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => break Err(format!("cannot wait for {program}: {e}")),
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let status = status?;
    if status.success() {
        return Ok(String::from_utf8_lossy(&stdout).into_owned());
    }
    let msg = clean_stderr(&String::from_utf8_lossy(&stderr));
    Err(if msg.is_empty() {
        format!("{program} failed ({status})")
    } else {
        msg
    })
}

/// The useful part of a renderer's error output: helm's `Error: ` prefix dropped; kubectl's
/// klog line (`E1122 ... "command failed" err="..."`) reduced to its message.
fn clean_stderr(s: &str) -> String {
    let mut lines = Vec::new();
    for line in s.lines() {
        let line = line.trim_end();
        // helm's advice about its own flags does not apply here
        if line.is_empty() || line == "Use --debug flag to render out invalid YAML" {
            continue;
        }
        if let Some(i) = line.find(" err=\"") {
            let m = &line[i + 6..];
            let m = m.strip_suffix('"').unwrap_or(m);
            lines.push(m.replace("\\\"", "\"").replace("\\n", "\n"));
        } else if let Some(m) = line.strip_prefix("Error: ") {
            lines.push(m.to_string());
        } else {
            lines.push(line.to_string());
        }
    }
    lines.join("\n")
}

/// A path with `.` and `a/..` removed lexically (for readable source paths such as
/// `overlays/prod/../../base/deploy.yaml`).
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// A directory as shown to the user (no trailing separator).
pub(crate) fn display_dir(p: &Path) -> String {
    let s = p.display().to_string();
    let t = s.trim_end_matches(['/', '\\']);
    if t.is_empty() { s } else { t.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_documents_at_separators() {
        let t = "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: A\n---\n# Source: c/templates/b.yaml\nkind: B\n";
        let d = split_docs(t);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].1, 3);
        assert_eq!(d[1].1, 7);
        assert_eq!(
            &t[d[1].0.range()],
            "---\n# Source: c/templates/b.yaml\nkind: B\n"
        );
        // no leading separator, an empty document
        let d = split_docs("kind: A\n---\n---\nkind: B\n");
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].1, d[1].1), (1, 4));
    }

    #[test]
    fn sections_of_a_template() {
        let t = "{{- if .Values.a }}\nkind: A\n{{- end }}\n---\n# c\n---\nkind: B\n";
        assert_eq!(section_lines(t), vec![(1, 3), (7, 7)]);
    }

    #[test]
    fn needles_go_from_line_to_key_to_underline() {
        assert_eq!(
            needles("          privileged: true", "privileged"),
            vec!["privileged: true", "privileged:", "privileged"]
        );
        assert_eq!(
            needles("      - name: app", "name"),
            vec!["name: app", "name:", "name"]
        );
        assert_eq!(needles("  ports:", "ports"), vec!["ports:", "ports"]);
    }

    #[test]
    fn locates_the_nearest_matching_line() {
        let rendered = "---\n# Source: c/templates/d.yaml\nkind: Deployment\nspec:\n  containers:\n  - name: a\n    securityContext:\n      privileged: true\n";
        let template = "kind: Deployment\nspec:\n  containers:\n  - name: a\n    securityContext:\n      privileged: {{ .Values.p }}\n";
        let r = Rendered {
            tool: RenderTool::Helm,
            input: "c".into(),
            text: Arc::new(SourceFile::new("c (helm template)", rendered)),
            sources: vec![RenderSource {
                path: "c/templates/d.yaml".into(),
                text: Some(SourceFile::new("c/templates/d.yaml", template)),
            }],
            docs: split_docs(rendered)
                .into_iter()
                .map(|(span, body_line)| RenderedDoc {
                    span,
                    body_line,
                    source: Some(0),
                    lines: (1, 6),
                })
                .collect(),
        };
        let off = rendered.find("privileged").unwrap() as u32;
        let p = r.locate(Span::new(off, off + 10), 8).unwrap();
        assert_eq!(
            p,
            Provenance {
                file: "c/templates/d.yaml",
                line: 6,
                matched: Match::Key
            }
        );
        // a key from a values block: the enclosing key the template spells
        let mut r = r;
        r.sources[0].text = Some(SourceFile::new(
            "x",
            "kind: Deployment\nspec:\n  containers:\n  - name: a\n    securityContext:\n      {{- toYaml .Values.sc | nindent 6 }}\n",
        ));
        let p = r.locate(Span::new(off, off + 10), 8).unwrap();
        assert_eq!((p.line, p.matched), (5, Match::Parent));
        // a key the template does not spell: the document's start
        let off = rendered.find("kind").unwrap() as u32;
        r.sources[0].text = Some(SourceFile::new("x", "{{ include \"x\" . }}\n"));
        r.docs[0].lines = (1, 1);
        let p = r.locate(Span::new(off, off + 4), 3).unwrap();
        assert_eq!((p.line, p.matched), (1, Match::Document));
    }

    #[test]
    fn words_do_not_match_inside_longer_words() {
        assert!(contains_word("  name: x", "name:"));
        assert!(!contains_word("  hostname: x", "name:"));
        assert!(contains_word("- name: app", "name: app"));
        assert!(!contains_word("- name: apple", "name: app"));
    }

    #[test]
    fn cleans_renderer_errors() {
        assert_eq!(
            clean_stderr("Error: template: c/templates/x.yaml:3:4: bad\n"),
            "template: c/templates/x.yaml:3:4: bad"
        );
        assert_eq!(
            clean_stderr(
                "E1122 04:32:19.796154   17860 run.go:72] \"command failed\" err=\"no \\\"x\\\" here\"\n"
            ),
            "no \"x\" here"
        );
    }

    #[test]
    fn normalizes_lexically() {
        assert_eq!(
            normalize(Path::new("a/overlays/prod/../../base/./d.yaml")),
            PathBuf::from("a/base/d.yaml")
        );
        assert_eq!(normalize(Path::new("../x/../y")), PathBuf::from("../y"));
    }
}
