//! Dockerfiles, read with byte spans on every keyword, flag and argument.
//!
//! Parsing is done by `parse-dockerfile` (taiki-e); this module turns its borrowed tree into an
//! owned one that rules can walk: stages (with the base image after global `ARG` defaults are
//! substituted, the alias, the platform, and the earlier stage it builds on), `ENV`/`ARG`/`LABEL`
//! split into key/value pairs, and `RUN`/`CMD`/`ENTRYPOINT`/`HEALTHCHECK` commands in exec or
//! shell form, the shell form parsed into simple commands ([`shell`]).
//!
//! Two gaps of the parser are closed here:
//! - a here-document that does not start the command (`RUN cat <<EOF > /etc/x`, or a second
//!   one) is not understood by it, and its body would be read as instructions. Such bodies are
//!   found here, kept on their instruction, and blanked out before parsing again (offsets do
//!   not move).
//! - it stops at the first error. What was read before the error is kept, and the error is a
//!   [`FormatError`] with the byte offset of the offending place.
//!
//! Reading never panics (see the property test below).

pub mod shell;

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use plimsoll_yaml::{SourceFile, Span};

pub use shell::{Cmd, Mapped, Script, SimpleCommand, Word};

use crate::FormatError;

/// An instruction keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
}

impl Keyword {
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Add => "ADD",
            Keyword::Arg => "ARG",
            Keyword::Cmd => "CMD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Env => "ENV",
            Keyword::Expose => "EXPOSE",
            Keyword::From => "FROM",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Run => "RUN",
            Keyword::Shell => "SHELL",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::User => "USER",
            Keyword::Volume => "VOLUME",
            Keyword::Workdir => "WORKDIR",
        }
    }
}

/// A parser directive (`# syntax=...`, `# escape=...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub value: String,
    /// The whole `name=value`.
    pub span: Span,
    /// The value.
    pub value_span: Span,
}

/// An option flag: `--platform=linux/amd64`, `--from=build`, `--mount=type=cache,...`.
#[derive(Clone, Debug)]
pub struct Flag {
    /// Without the dashes: `platform`.
    pub name: String,
    pub value: Option<Word>,
    pub span: Span,
}

/// A here-document.
#[derive(Clone, Debug)]
pub struct HereDoc {
    /// The body (leading tabs removed for `<<-`).
    pub value: String,
    /// The body in the source.
    pub span: Span,
    /// `false` when the delimiter is quoted (no expansion).
    pub expand: bool,
}

/// A command of `RUN`, `CMD`, `ENTRYPOINT` or `HEALTHCHECK CMD`.
#[derive(Clone, Debug)]
pub struct Command {
    /// Exec (JSON array) form.
    pub exec: bool,
    /// The argument text (the JSON array, or the shell text without continuations).
    pub span: Span,
    /// Exec form: the array items. Shell form: the text as one word.
    pub words: Vec<Word>,
    /// Here-documents, in order.
    pub heredocs: Vec<HereDoc>,
    /// The commands this runs. Shell form: the parsed shell text, and the here-document
    /// bodies when they are the script (`RUN <<EOF`, `RUN bash -e <<EOF`). Exec form: one
    /// command (or the script of `["sh", "-c", "..."]`).
    pub script: Script,
}

impl Command {
    /// The shell text of a shell-form command.
    pub fn text(&self) -> &str {
        if self.exec {
            ""
        } else {
            self.words.first().map(|w| w.value.as_str()).unwrap_or("")
        }
    }
}

/// A source of `ADD` or `COPY`.
#[derive(Clone, Debug)]
pub enum Source {
    Path(Word),
    HereDoc(HereDoc),
}

/// `KEY=value` in `ENV`, `ARG` or `LABEL` (`ARG NAME` has no value).
#[derive(Clone, Debug)]
pub struct Pair {
    pub key: Word,
    pub value: Option<Word>,
}

/// What follows the keyword (and its flags).
#[derive(Clone, Debug)]
pub enum Args {
    /// `FROM`.
    From { image: Word, alias: Option<Word> },
    /// `RUN`, `CMD`, `ENTRYPOINT`, `HEALTHCHECK CMD`.
    Command(Command),
    /// `HEALTHCHECK NONE`.
    HealthcheckNone,
    /// `ADD`, `COPY`.
    Files { sources: Vec<Source>, dest: Word },
    /// `ENV`, `ARG`, `LABEL`.
    Pairs(Vec<Pair>),
    /// `EXPOSE`, `SHELL`, `VOLUME`.
    Words(Vec<Word>),
    /// `USER`, `WORKDIR`, `MAINTAINER`, `STOPSIGNAL`.
    Text(Word),
}

/// One instruction.
#[derive(Clone, Debug)]
pub struct Instruction {
    pub keyword: Keyword,
    pub keyword_span: Span,
    /// From the keyword (or `ONBUILD`) to the end of the last argument or here-document.
    pub span: Span,
    pub flags: Vec<Flag>,
    pub args: Args,
    /// The stage it belongs to; `None` for the global `ARG`s before the first `FROM`.
    pub stage: Option<usize>,
    /// Inside `ONBUILD`: runs in the builds that use this image, not in this one.
    pub onbuild: bool,
}

impl Instruction {
    pub fn command(&self) -> Option<&Command> {
        match &self.args {
            Args::Command(c) => Some(c),
            _ => None,
        }
    }

    /// The commands a `RUN` (or `CMD`...) runs; empty for other instructions.
    pub fn script(&self) -> Option<&Script> {
        self.command().map(|c| &c.script)
    }

    pub fn pairs(&self) -> &[Pair] {
        match &self.args {
            Args::Pairs(p) => p,
            _ => &[],
        }
    }

    pub fn words(&self) -> &[Word] {
        match &self.args {
            Args::Words(w) => w,
            _ => &[],
        }
    }

    pub fn text(&self) -> Option<&Word> {
        match &self.args {
            Args::Text(w) => Some(w),
            _ => None,
        }
    }

    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// What a stage starts from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// `FROM scratch`.
    Scratch,
    /// An earlier stage of this Dockerfile, by index.
    Stage(usize),
    /// An image, after substitution of global `ARG` defaults.
    Image(String),
    /// The image names a build argument without a default.
    Unknown,
}

/// A build stage: a `FROM` and the instructions up to the next one.
#[derive(Clone, Debug)]
pub struct Stage {
    pub index: usize,
    /// Index of the `FROM` instruction in [`Dockerfile::instructions`].
    pub from: usize,
    /// Instructions of the stage (after its `FROM`).
    pub body: Range<usize>,
    /// The image as written (`${BASE}`).
    pub image: Word,
    /// The image with global `ARG` defaults substituted; `None` when a variable has none.
    pub resolved: Option<String>,
    pub alias: Option<Word>,
    /// `--platform`.
    pub platform: Option<Word>,
    pub base: Base,
}

impl Stage {
    pub fn name(&self) -> Option<&str> {
        self.alias.as_ref().map(|a| a.value.as_str())
    }
}

/// A parsed Dockerfile.
#[derive(Debug)]
pub struct Dockerfile {
    pub source: SourceFile,
    pub errors: Vec<FormatError>,
    /// `# syntax=...`
    pub syntax: Option<Directive>,
    /// `# escape=...`
    pub escape_directive: Option<Directive>,
    /// The escape character (`\` unless the directive says `` ` ``).
    pub escape: char,
    /// Every instruction in order, global `ARG`s first; `ONBUILD` contents in place.
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
}

impl Dockerfile {
    /// Read to the end without error. When not, instructions after the error are missing, and
    /// rules about something being absent (no `USER`, no `HEALTHCHECK`) must not conclude.
    pub fn complete(&self) -> bool {
        self.errors.is_empty()
    }

    /// `ARG`s before the first `FROM`.
    pub fn global_args(&self) -> impl Iterator<Item = &Pair> {
        self.instructions
            .iter()
            .filter(|i| i.stage.is_none() && i.keyword == Keyword::Arg)
            .flat_map(|i| i.pairs())
    }

    /// The default of a global `ARG`.
    pub fn global_arg_default(&self, name: &str) -> Option<&str> {
        self.global_args()
            .filter(|p| p.key.value == name)
            .last()
            .and_then(|p| p.value.as_ref())
            .map(|v| v.value.as_str())
    }

    /// The instructions of a stage, after its `FROM`.
    pub fn body(&self, stage: &Stage) -> &[Instruction] {
        self.instructions.get(stage.body.clone()).unwrap_or(&[])
    }

    /// The `FROM` instruction of a stage.
    pub fn from_instruction(&self, stage: &Stage) -> &Instruction {
        &self.instructions[stage.from]
    }

    /// The stage that is built by default (the last one).
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// A stage and the stages it builds on, nearest first.
    pub fn lineage(&self, stage: usize) -> Vec<&Stage> {
        let mut out = Vec::new();
        let mut cur = self.stages.get(stage);
        while let Some(s) = cur {
            if out.iter().any(|o: &&Stage| o.index == s.index) {
                break;
            }
            out.push(s);
            cur = match s.base {
                Base::Stage(i) if i < s.index => self.stages.get(i),
                _ => None,
            };
        }
        out
    }

    /// The stage with this alias (stage names are case-insensitive), defined before `before`.
    pub fn stage_named(&self, name: &str, before: usize) -> Option<&Stage> {
        self.stages[..before.min(self.stages.len())]
            .iter()
            .rev()
            .find(|s| s.name().is_some_and(|n| n.eq_ignore_ascii_case(name)))
    }

    /// Stages used as the base (`FROM <stage>`) of another stage.
    pub fn is_base_of_another(&self, stage: usize) -> bool {
        self.stages.iter().any(|s| s.base == Base::Stage(stage))
    }
}

/// Read a Dockerfile; never panics.
pub fn parse(source: SourceFile) -> Dockerfile {
    let text = source.text();
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[bom..];
    let mut work = body.to_string();
    // here-documents found by us, by the offset of their instruction's keyword
    let mut extra: HashMap<usize, Vec<HereDoc>> = HashMap::new();
    let mut broken: HashSet<usize> = HashSet::new();
    let mut errors = Vec::new();
    let mut read = Read::default();
    for _ in 0..64 {
        read = read_with_library(text, bom, &work, &extra);
        let mut blanked = false;
        for (at, open, search_from) in std::mem::take(&mut read.open_heredocs) {
            if extra.contains_key(&at) || broken.contains(&at) {
                continue;
            }
            match find_bodies(body, search_from, &open) {
                Ok((docs, end)) => {
                    // blank the bodies (keeping newlines) so the parser skips them
                    let bytes: Vec<u8> = work
                        .bytes()
                        .enumerate()
                        .map(|(i, b)| {
                            if i >= search_from && i < end && b != b'\n' && b != b'\r' {
                                b' '
                            } else {
                                b
                            }
                        })
                        .collect();
                    work = String::from_utf8(bytes).unwrap_or_default();
                    let docs = docs
                        .into_iter()
                        .map(|mut d| {
                            d.span = Span::new(d.span.start + bom as u32, d.span.end + bom as u32);
                            d
                        })
                        .collect();
                    extra.insert(at, docs);
                    blanked = true;
                }
                Err(offset) => {
                    broken.insert(at);
                    errors.push(FormatError {
                        message: "here-document is not terminated".into(),
                        offset: (offset + bom) as u32,
                    });
                }
            }
        }
        if !blanked {
            break;
        }
    }
    if let Some(e) = read.error.take() {
        errors.push(e);
    }
    errors.sort_by_key(|e| e.offset);
    let escape = read.escape;
    let stages = build_stages(&mut read.instructions);
    let mut d = Dockerfile {
        source,
        errors,
        syntax: read.syntax,
        escape_directive: read.escape_directive,
        escape: escape as char,
        instructions: read.instructions,
        stages: Vec::new(),
    };
    d.stages = resolve_stages(&d, stages);
    d
}

#[derive(Default)]
struct Read {
    instructions: Vec<Instruction>,
    error: Option<FormatError>,
    syntax: Option<Directive>,
    escape_directive: Option<Directive>,
    escape: u8,
    /// (keyword offset in body, open delimiters, body offset where their bodies start)
    open_heredocs: OpenHeredocs,
}

fn read_with_library(
    text: &str,
    bom: usize,
    work: &str,
    extra: &HashMap<usize, Vec<HereDoc>>,
) -> Read {
    let mut read = Read {
        escape: b'\\',
        ..Read::default()
    };
    let iter = match parse_dockerfile::parse_iter(work) {
        Ok(it) => it,
        Err(e) => {
            read.error = Some(library_error(work, bom, &e));
            return read;
        }
    };
    // directives are only known once the iterator exists; it does not expose them, so read
    // them again from the text
    let (syntax, escape) = directives(work, bom);
    if escape.as_ref().is_some_and(|e| e.value == "`") {
        read.escape = b'`';
    }
    read.syntax = syntax;
    read.escape_directive = escape;
    let cv = Convert {
        text,
        bom,
        escape: read.escape,
        extra,
    };
    for item in iter {
        match item {
            Ok(inst) => {
                let mut open = Vec::new();
                if let Some(i) = cv.instruction(inst, false, &mut open) {
                    read.instructions.push(i);
                }
                read.open_heredocs.extend(open);
            }
            Err(e) => {
                read.error = Some(library_error(work, bom, &e));
                break;
            }
        }
    }
    read
}

/// Parser directives at the top of the file (`# syntax=`, `# escape=`), as Docker reads them.
fn directives(body: &str, bom: usize) -> (Option<Directive>, Option<Directive>) {
    let mut syntax = None;
    let mut escape = None;
    let mut off = 0usize;
    for line in body.split_inclusive('\n') {
        let start = off;
        off += line.len();
        let l = line.trim_end_matches(['\n', '\r']);
        let Some(rest) = l.trim_start().strip_prefix('#') else {
            break;
        };
        let Some((name, value)) = rest.split_once('=') else {
            break;
        };
        let name = name.trim();
        let value_trim = value.trim();
        let value_start = start + l.len() - value.len() + (value.len() - value.trim_start().len());
        let name_start = start + (l.len() - rest.len()) + (rest.len() - rest.trim_start().len());
        let d = Directive {
            value: value_trim.to_string(),
            span: Span::new(
                (name_start + bom) as u32,
                (value_start + value_trim.len() + bom) as u32,
            ),
            value_span: Span::new(
                (value_start + bom) as u32,
                (value_start + value_trim.len() + bom) as u32,
            ),
        };
        if name.eq_ignore_ascii_case("syntax") && syntax.is_none() {
            syntax = Some(d);
        } else if name.eq_ignore_ascii_case("escape") && escape.is_none() {
            escape = Some(d);
        } else if !name.eq_ignore_ascii_case("check") {
            break;
        }
    }
    (syntax, escape)
}

fn library_error(body: &str, bom: usize, e: &parse_dockerfile::Error) -> FormatError {
    let (line, column) = (e.line(), e.column());
    let mut offset = 0usize;
    if line > 0 {
        let mut l = 1;
        for (i, b) in body.bytes().enumerate() {
            if l == line {
                break;
            }
            if b == b'\n' {
                l += 1;
                offset = i + 1;
            }
        }
        offset = (offset + column.saturating_sub(1)).min(body.len());
        while offset > 0 && !body.is_char_boundary(offset) {
            offset -= 1;
        }
    }
    FormatError {
        message: format!("{e:#}"),
        offset: (offset + bom) as u32,
    }
}

/// Find the bodies of here-documents whose delimiters are `open`, starting at `from`.
/// Returns them and where the last terminator line ends, or the offset of the failure.
fn find_bodies(
    body: &str,
    from: usize,
    open: &[(String, bool)],
) -> Result<(Vec<HereDoc>, usize), usize> {
    let mut pos = from.min(body.len());
    let mut docs = Vec::new();
    for (delim, strip) in open {
        let start = pos;
        let mut value = String::new();
        let mut found = None;
        while pos < body.len() {
            let line_end = body[pos..]
                .find('\n')
                .map(|i| pos + i + 1)
                .unwrap_or(body.len());
            let line = body[pos..line_end].trim_end_matches(['\n', '\r']);
            let cmp = if *strip {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if cmp == delim {
                found = Some((pos, line_end));
                pos = line_end;
                break;
            }
            value.push_str(if *strip {
                body[pos..line_end].trim_start_matches('\t')
            } else {
                &body[pos..line_end]
            });
            pos = line_end;
        }
        let Some((end, _)) = found else {
            return Err(start);
        };
        docs.push(HereDoc {
            value,
            span: Span::new(start as u32, end as u32),
            expand: true,
        });
    }
    Ok((docs, pos))
}

struct Convert<'a> {
    text: &'a str,
    bom: usize,
    escape: u8,
    extra: &'a HashMap<usize, Vec<HereDoc>>,
}

type OpenHeredocs = Vec<(usize, Vec<(String, bool)>, usize)>;

impl Convert<'_> {
    fn span(&self, r: &Range<usize>) -> Span {
        Span::new((r.start + self.bom) as u32, (r.end + self.bom) as u32)
    }

    fn word(&self, s: &parse_dockerfile::UnescapedString<'_>) -> Word {
        let span = self.span(&s.span);
        Word {
            value: s.value.to_string(),
            raw: self.text.get(span.range()).unwrap_or("").to_string(),
            span,
        }
    }

    fn flags(&self, flags: &[parse_dockerfile::Flag<'_>]) -> Vec<Flag> {
        flags
            .iter()
            .map(|f| Flag {
                name: f.name.value.to_string(),
                value: f.value.as_ref().map(|v| self.word(v)),
                span: self.span(&f.span()),
            })
            .collect()
    }

    fn heredoc(&self, h: &parse_dockerfile::HereDoc<'_>) -> HereDoc {
        HereDoc {
            value: h.value.to_string(),
            span: self.span(&h.span),
            expand: h.expand,
        }
    }

    fn joined(&self, span: Span) -> Mapped {
        Mapped::joined(
            self.text,
            span.start as usize,
            span.end as usize,
            self.escape,
        )
    }

    /// `ENV`/`LABEL` (legacy `KEY value` allowed) and `ARG` pairs.
    fn pairs(&self, s: &parse_dockerfile::UnescapedString<'_>, legacy: bool) -> Vec<Pair> {
        let m = self.joined(self.span(&s.span));
        let words = shell::dockerfile_words(&m, self.escape);
        let mut out = Vec::new();
        if legacy && words.first().is_some_and(|w| !w.raw.contains('=')) {
            let key = words[0].clone();
            if let Some(first) = words.get(1) {
                let last = words.last().unwrap_or(first);
                let span = Span::new(first.span.start, last.span.end);
                let raw = self.text.get(span.range()).unwrap_or("").to_string();
                let v = raw.trim();
                let unq = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                    .unwrap_or(v);
                out.push(Pair {
                    key,
                    value: Some(Word {
                        value: unq.to_string(),
                        raw,
                        span,
                    }),
                });
            } else {
                out.push(Pair { key, value: None });
            }
            return out;
        }
        for w in words {
            match (w.raw.find('='), w.value.find('=')) {
                (Some(eq_raw), Some(eq_val)) => {
                    let key_end = (w.span.start + eq_raw as u32).min(w.span.end);
                    let key = Word {
                        value: w.value[..eq_val].to_string(),
                        raw: w.raw[..eq_raw].to_string(),
                        span: Span::new(w.span.start, key_end),
                    };
                    let value = Word {
                        value: w.value[eq_val + 1..].to_string(),
                        raw: w.raw[eq_raw + 1..].to_string(),
                        span: Span::new((key_end + 1).min(w.span.end), w.span.end),
                    };
                    out.push(Pair {
                        key,
                        value: Some(value),
                    });
                }
                _ => out.push(Pair {
                    key: w,
                    value: None,
                }),
            }
        }
        out
    }

    fn command(
        &self,
        c: &parse_dockerfile::Command<'_>,
        heredocs: Vec<HereDoc>,
        keyword_at: usize,
        open: &mut OpenHeredocs,
    ) -> Command {
        match c {
            parse_dockerfile::Command::Exec(arr) => {
                let words: Vec<Word> = arr.value.iter().map(|w| self.word(w)).collect();
                let script = exec_script(&words);
                Command {
                    exec: true,
                    span: self.span(&arr.span),
                    words,
                    heredocs,
                    script,
                }
            }
            parse_dockerfile::Command::Shell(s) => {
                let span = self.span(&s.span);
                let m = self.joined(span);
                let backslash = self.escape == b'\\';
                let mut script = Script::parse(&m, backslash);
                let mut heredocs = heredocs;
                // here-documents the library did not see
                let pending = script.open_heredocs.clone();
                if !pending.is_empty() {
                    if let Some(found) = self.extra.get(&keyword_at) {
                        heredocs.extend(found.iter().cloned());
                    } else {
                        let after = heredocs
                            .last()
                            .map(|h| h.span.end as usize)
                            .unwrap_or(span.end as usize)
                            .saturating_sub(self.bom);
                        let body = &self.text[self.bom..];
                        let from = body[after.min(body.len())..]
                            .find('\n')
                            .map(|i| after + i + 1)
                            .unwrap_or(body.len());
                        open.push((keyword_at, pending, from));
                    }
                }
                let runs_bodies = heredocs_are_script(&script);
                if runs_bodies {
                    for h in &heredocs {
                        if h.value.starts_with("#!") && !is_shell_shebang(&h.value) {
                            continue;
                        }
                        let hm =
                            Mapped::verbatim(self.text, h.span.start as usize, h.span.end as usize);
                        let sub = Script::parse(&hm, true);
                        script.commands.extend(sub.commands);
                        script.pipes.extend(sub.pipes);
                    }
                }
                let word = Word {
                    value: m.text.clone(),
                    raw: self.text.get(span.range()).unwrap_or("").to_string(),
                    span,
                };
                Command {
                    exec: false,
                    span,
                    words: vec![word],
                    heredocs,
                    script,
                }
            }
            _ => Command {
                exec: true,
                span: Span::empty(keyword_at as u32),
                words: Vec::new(),
                heredocs,
                script: Script::default(),
            },
        }
    }

    fn instruction(
        &self,
        inst: parse_dockerfile::Instruction<'_>,
        onbuild: bool,
        open: &mut OpenHeredocs,
    ) -> Option<Instruction> {
        use parse_dockerfile::Instruction as I;
        let (keyword, kw, flags, args) = match inst {
            I::Add(a) => (
                Keyword::Add,
                a.add.span.clone(),
                self.flags(&a.options),
                self.files(&a.src, &a.dest),
            ),
            I::Copy(a) => (
                Keyword::Copy,
                a.copy.span.clone(),
                self.flags(&a.options),
                self.files(&a.src, &a.dest),
            ),
            I::Arg(a) => (
                Keyword::Arg,
                a.arg.span.clone(),
                Vec::new(),
                Args::Pairs(self.pairs(&a.arguments, false)),
            ),
            I::Env(a) => (
                Keyword::Env,
                a.env.span.clone(),
                Vec::new(),
                Args::Pairs(self.pairs(&a.arguments, true)),
            ),
            I::Label(a) => (
                Keyword::Label,
                a.label.span.clone(),
                Vec::new(),
                Args::Pairs(self.pairs(&a.arguments, true)),
            ),
            I::Cmd(a) => {
                let at = a.cmd.span.start;
                (
                    Keyword::Cmd,
                    a.cmd.span.clone(),
                    Vec::new(),
                    Args::Command(self.command(&a.arguments, Vec::new(), at, open)),
                )
            }
            I::Entrypoint(a) => {
                let at = a.entrypoint.span.start;
                (
                    Keyword::Entrypoint,
                    a.entrypoint.span.clone(),
                    Vec::new(),
                    Args::Command(self.command(&a.arguments, Vec::new(), at, open)),
                )
            }
            I::Run(a) => {
                let at = a.run.span.start;
                let docs = a.here_docs.iter().map(|h| self.heredoc(h)).collect();
                (
                    Keyword::Run,
                    a.run.span.clone(),
                    self.flags(&a.options),
                    Args::Command(self.command(&a.arguments, docs, at, open)),
                )
            }
            I::Healthcheck(a) => {
                let at = a.healthcheck.span.start;
                let args = match &a.arguments {
                    parse_dockerfile::HealthcheckArguments::Cmd { arguments, .. } => {
                        Args::Command(self.command(arguments, Vec::new(), at, open))
                    }
                    _ => Args::HealthcheckNone,
                };
                (
                    Keyword::Healthcheck,
                    a.healthcheck.span.clone(),
                    self.flags(&a.options),
                    args,
                )
            }
            I::Expose(a) => (
                Keyword::Expose,
                a.expose.span.clone(),
                Vec::new(),
                Args::Words(a.arguments.iter().map(|w| self.word(w)).collect()),
            ),
            I::Shell(a) => (
                Keyword::Shell,
                a.shell.span.clone(),
                Vec::new(),
                Args::Words(a.arguments.iter().map(|w| self.word(w)).collect()),
            ),
            I::Volume(a) => {
                let words = match &a.arguments {
                    parse_dockerfile::JsonOrStringArray::Json(arr) => {
                        arr.value.iter().map(|w| self.word(w)).collect()
                    }
                    parse_dockerfile::JsonOrStringArray::String(arr) => {
                        arr.iter().map(|w| self.word(w)).collect()
                    }
                };
                (
                    Keyword::Volume,
                    a.volume.span.clone(),
                    Vec::new(),
                    Args::Words(words),
                )
            }
            I::User(a) => (
                Keyword::User,
                a.user.span.clone(),
                Vec::new(),
                Args::Text(self.word(&a.arguments)),
            ),
            I::Workdir(a) => (
                Keyword::Workdir,
                a.workdir.span.clone(),
                Vec::new(),
                Args::Text(self.word(&a.arguments)),
            ),
            I::Stopsignal(a) => (
                Keyword::Stopsignal,
                a.stopsignal.span.clone(),
                Vec::new(),
                Args::Text(self.word(&a.arguments)),
            ),
            I::Maintainer(a) => (
                Keyword::Maintainer,
                a.maintainer.span.clone(),
                Vec::new(),
                Args::Text(self.word(&a.name)),
            ),
            I::From(a) => (
                Keyword::From,
                a.from.span.clone(),
                self.flags(&a.options),
                Args::From {
                    image: self.word(&a.image),
                    alias: a.as_.as_ref().map(|(_, w)| self.word(w)),
                },
            ),
            I::Onbuild(a) => {
                let start = a.onbuild.span.start;
                let mut inner = self.instruction(*a.instruction, true, open)?;
                inner.span = Span::new((start + self.bom) as u32, inner.span.end);
                return Some(inner);
            }
            _ => return None,
        };
        let keyword_span = self.span(&kw);
        let mut end = keyword_span.end;
        for f in &flags {
            end = end.max(f.span.end);
        }
        end = end.max(args_end(&args));
        Some(Instruction {
            keyword,
            keyword_span,
            span: Span::new(keyword_span.start, end),
            flags,
            args,
            stage: None,
            onbuild,
        })
    }

    fn files(
        &self,
        src: &[parse_dockerfile::Source<'_>],
        dest: &parse_dockerfile::UnescapedString<'_>,
    ) -> Args {
        let sources = src
            .iter()
            .filter_map(|s| match s {
                parse_dockerfile::Source::Path(p) => Some(Source::Path(self.word(p))),
                parse_dockerfile::Source::HereDoc(h) => Some(Source::HereDoc(self.heredoc(h))),
                #[allow(unreachable_patterns)]
                _ => None,
            })
            .collect();
        Args::Files {
            sources,
            dest: self.word(dest),
        }
    }
}

fn args_end(args: &Args) -> u32 {
    match args {
        Args::From { image, alias } => alias.as_ref().unwrap_or(image).span.end,
        Args::Command(c) => c
            .heredocs
            .iter()
            .map(|h| h.span.end)
            .chain(std::iter::once(c.span.end))
            .max()
            .unwrap_or(0),
        Args::HealthcheckNone => 0,
        Args::Files { sources, dest } => sources
            .iter()
            .map(|s| match s {
                Source::Path(w) => w.span.end,
                Source::HereDoc(h) => h.span.end,
            })
            .chain(std::iter::once(dest.span.end))
            .max()
            .unwrap_or(0),
        Args::Pairs(p) => p
            .iter()
            .map(|p| p.value.as_ref().unwrap_or(&p.key).span.end)
            .max()
            .unwrap_or(0),
        Args::Words(w) => w.iter().map(|w| w.span.end).max().unwrap_or(0),
        Args::Text(w) => w.span.end,
    }
}

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"];

/// `RUN <<EOF` and `RUN bash -ex <<EOF`: the here-document is the script.
fn heredocs_are_script(script: &Script) -> bool {
    match script.commands.first().and_then(|c| c.program()) {
        None => true,
        Some(c) => {
            SHELLS.contains(&c.name())
                && script.commands.len() == 1
                && c.args().iter().all(|a| a.value.starts_with('-'))
        }
    }
}

fn is_shell_shebang(body: &str) -> bool {
    let first = body.lines().next().unwrap_or("");
    let mut parts = first.trim_start_matches("#!").split_whitespace();
    let prog = parts.next().map(shell::basename).unwrap_or("");
    let prog = if prog == "env" {
        parts.next().unwrap_or("")
    } else {
        prog
    };
    SHELLS.contains(&prog)
}

/// The script of an exec-form command: one command, or what `["sh", "-c", "..."]` runs.
fn exec_script(words: &[Word]) -> Script {
    if words.len() >= 3
        && SHELLS.contains(&shell::basename(&words[0].value))
        && words[1].value.starts_with('-')
        && words[1].value.contains('c')
    {
        let w = &words[2];
        // positions inside the JSON string are approximate when it has escapes
        let start = w.span.start as usize + usize::from(w.raw.starts_with('"'));
        let m = Mapped::synthetic(&w.value, start);
        return Script::parse(&m, true);
    }
    Script {
        commands: vec![SimpleCommand {
            assignments: Vec::new(),
            words: words.to_vec(),
            piped_in: false,
            piped_out: false,
        }],
        pipes: Vec::new(),
        open_heredocs: Vec::new(),
    }
}

/// Give each instruction its stage and collect stage shells (image not resolved yet).
fn build_stages(instructions: &mut [Instruction]) -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    for (i, inst) in instructions.iter_mut().enumerate() {
        if inst.keyword == Keyword::From && !inst.onbuild {
            if let Some(last) = stages.last_mut() {
                last.body.end = i;
            }
            let Args::From { image, alias } = &inst.args else {
                continue;
            };
            let platform = inst
                .flags
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case("platform"))
                .and_then(|f| f.value.clone());
            stages.push(Stage {
                index: stages.len(),
                from: i,
                body: i + 1..i + 1,
                image: image.clone(),
                resolved: None,
                alias: alias.clone(),
                platform,
                base: Base::Unknown,
            });
        }
        inst.stage = stages.last().map(|s| s.index);
    }
    let n = instructions.len();
    if let Some(last) = stages.last_mut() {
        last.body.end = n;
    }
    stages
}

fn resolve_stages(d: &Dockerfile, mut stages: Vec<Stage>) -> Vec<Stage> {
    for i in 0..stages.len() {
        let resolved = expand(&stages[i].image.value, &|name| {
            d.global_arg_default(name).map(str::to_string)
        });
        let base = match &resolved {
            None => Base::Unknown,
            Some(r) if r.eq_ignore_ascii_case("scratch") => Base::Scratch,
            Some(r) => match stages[..i]
                .iter()
                .rev()
                .find(|s| s.name().is_some_and(|n| n.eq_ignore_ascii_case(r)))
            {
                Some(s) => Base::Stage(s.index),
                None => Base::Image(r.clone()),
            },
        };
        stages[i].resolved = resolved;
        stages[i].base = base;
    }
    stages
}

/// Substitute `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME:+alt}`; `None` when a variable
/// has no value and no default.
pub fn expand(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            let end = inner.find('}')?;
            let expr = &inner[..end];
            let (name, op, word) = split_param(expr);
            let value = lookup(name).filter(|v| !v.is_empty() || !op.starts_with(':'));
            let v = match op {
                ":-" | "-" => value.or_else(|| Some(word.to_string())),
                ":+" | "+" => Some(if value.is_some() {
                    word.to_string()
                } else {
                    String::new()
                }),
                _ => value,
            }?;
            out.push_str(&v);
            rest = &inner[end + 1..];
        } else {
            let len = after
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            if len == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            out.push_str(&lookup(&after[..len])?);
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    Some(out)
}

fn split_param(expr: &str) -> (&str, &str, &str) {
    for op in [":-", ":+", "-", "+"] {
        if let Some(i) = expr.find(op) {
            return (&expr[..i], op, &expr[i + op.len()..]);
        }
    }
    (expr, "", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn df(text: &str) -> Dockerfile {
        parse(SourceFile::new("Dockerfile", text))
    }

    fn at(d: &Dockerfile, span: Span) -> (u32, u32) {
        let lc = d.source.line_col(span.start);
        (lc.line, lc.column)
    }

    #[test]
    fn stages_global_args_and_directives() {
        let d = df(
            "# syntax=docker/dockerfile:1\n# escape=\\\nARG BASE=golang:1.23\nARG TAG\nFROM --platform=$BUILDPLATFORM ${BASE} AS build\nRUN go build\nFROM gcr.io/distroless/static:${TAG:-nonroot}\nCOPY --from=build /app /app\nUSER 65532:65532\n",
        );
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.syntax.as_ref().unwrap().value, "docker/dockerfile:1");
        assert_eq!(d.escape_directive.as_ref().unwrap().value, "\\");
        assert_eq!(d.global_arg_default("BASE"), Some("golang:1.23"));
        assert_eq!(d.stages.len(), 2);
        let s0 = &d.stages[0];
        assert_eq!(s0.resolved.as_deref(), Some("golang:1.23"));
        assert_eq!(at(&d, s0.image.span), (5, 32));
        assert_eq!(s0.platform.as_ref().unwrap().value, "$BUILDPLATFORM");
        assert_eq!(s0.name(), Some("build"));
        assert_eq!(
            d.stages[1].base,
            Base::Image("gcr.io/distroless/static:nonroot".into())
        );
        let user = d
            .body(&d.stages[1])
            .iter()
            .find(|i| i.keyword == Keyword::User)
            .unwrap();
        assert_eq!(at(&d, user.text().unwrap().span), (9, 6));
        assert!(d.instructions[0].stage.is_none());
    }

    #[test]
    fn shell_and_exec_forms() {
        let d = df(
            "FROM alpine:3\nRUN apk add --no-cache \\\n    curl \\\n # comment\n    && curl -fsSL https://x | sh\nCMD node server.js\nENTRYPOINT [\"/bin/sh\", \"-c\", \"exec app\"]\n",
        );
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let run = &d.instructions[1];
        let s = run.script().unwrap();
        let names: Vec<&str> = s.programs().map(|c| c.name()).collect();
        assert_eq!(names, ["apk", "curl", "sh"]);
        let curl = &s.commands[0].words[3];
        assert_eq!(curl.value, "curl");
        assert_eq!(at(&d, curl.span), (3, 5));
        assert_eq!(s.pipes.len(), 1);
        let cmd = d.instructions[2].command().unwrap();
        assert!(!cmd.exec);
        let ep = d.instructions[3].command().unwrap();
        assert!(ep.exec);
        assert_eq!(ep.script.commands[0].name(), Some("exec"));
        assert_eq!(ep.script.programs().next().unwrap().name(), "app");
    }

    #[test]
    fn heredocs_leading_and_not() {
        let d = df(
            "FROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\nRUN cat <<EOT > /etc/app.conf\nkey = value\nEOT\nRUN python3 <<'PY'\nimport os\nPY\nUSER app\n",
        );
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let kws: Vec<Keyword> = d.instructions.iter().map(|i| i.keyword).collect();
        assert_eq!(
            kws,
            [
                Keyword::From,
                Keyword::Run,
                Keyword::Run,
                Keyword::Run,
                Keyword::User
            ]
        );
        let s = d.instructions[1].script().unwrap();
        let names: Vec<&str> = s.programs().map(|c| c.name()).collect();
        assert_eq!(names, ["apt-get", "apt-get"]);
        assert_eq!(at(&d, s.commands[1].words[0].span), (4, 1));
        let cat = &d.instructions[2];
        assert_eq!(cat.command().unwrap().heredocs.len(), 1);
        assert_eq!(cat.command().unwrap().heredocs[0].value, "key = value\n");
        let py = d.instructions[3].script().unwrap();
        assert_eq!(
            py.programs().map(|c| c.name()).collect::<Vec<_>>(),
            ["python3"]
        );
        assert_eq!(at(&d, d.instructions[4].keyword_span), (12, 1));
    }

    #[test]
    fn escape_directive_backtick() {
        let d = df(
            "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir c:\\ `\n    && echo done\nENV A=1 `\n    B=2\n",
        );
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.escape, '`');
        let run = d.instructions[1].script().unwrap();
        assert_eq!(run.commands.len(), 2);
        assert_eq!(run.commands[0].words[1].value, "c:\\");
        let env = d.instructions[2].pairs();
        assert_eq!(env.len(), 2);
        assert_eq!(env[1].key.value, "B");
        assert_eq!(at(&d, env[1].value.as_ref().unwrap().span), (6, 7));
    }

    #[test]
    fn env_pairs_and_legacy_form() {
        let d = df(
            "FROM x:1\nENV A=1 B=\"two words\"\nENV LEGACY some value\nARG NAME\nARG WITH=default\nLABEL a.b=c\n",
        );
        let p = d.instructions[1].pairs();
        assert_eq!(p[1].value.as_ref().unwrap().value, "two words");
        assert_eq!(
            &d.source.text()[p[1].value.as_ref().unwrap().span.range()],
            "\"two words\""
        );
        let l = d.instructions[2].pairs();
        assert_eq!(
            (
                l[0].key.value.as_str(),
                l[0].value.as_ref().unwrap().value.as_str()
            ),
            ("LEGACY", "some value")
        );
        assert!(d.instructions[3].pairs()[0].value.is_none());
        assert_eq!(
            d.instructions[4].pairs()[0].value.as_ref().unwrap().value,
            "default"
        );
    }

    #[test]
    fn onbuild_multistage_and_duplicate_alias() {
        let d = df(
            "FROM node:20 AS base\nONBUILD RUN npm ci\nFROM base AS Build\nFROM alpine:3 AS build\nCOPY --from=build /a /b\n",
        );
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert!(d.instructions[1].onbuild);
        assert_eq!(d.stages[1].base, Base::Stage(0));
        assert_eq!(d.lineage(1).len(), 2);
        assert_eq!(d.stages.len(), 3);
        let copy = &d.instructions[4];
        assert_eq!(
            copy.flag("from").unwrap().value.as_ref().unwrap().value,
            "build"
        );
    }

    #[test]
    fn errors_have_offsets() {
        let d = df("FROM alpine:3\nRUN true\nBOGUS thing\nUSER app\n");
        assert_eq!(d.errors.len(), 1);
        assert_eq!(d.errors[0].offset, 23);
        assert_eq!(d.instructions.len(), 2);
        let d = df("");
        assert_eq!(d.errors.len(), 1);
        let d = df("RUN x\n");
        assert_eq!(d.errors[0].offset, 0);
        let d = df("FROM a\nRUN cat <<EOF\nno end\n");
        assert!(!d.errors.is_empty());
        let d = df("FROM a\nRUN cat <<A > /x\nok\nA\nRUN cat <<B\nno end\n");
        assert_eq!(d.instructions.len(), 3);
        assert!(d.errors.iter().any(|e| e.message.contains("here-document")));
        let d = df("\u{feff}FROM a:1\nBAD\n");
        assert_eq!(d.errors[0].offset, 3 + 9);
    }

    #[test]
    fn expands_variables() {
        let look = |n: &str| (n == "A").then(|| "x".to_string());
        assert_eq!(expand("${A}:${B:-1}", &look).as_deref(), Some("x:1"));
        assert_eq!(expand("$A/$B", &look), None);
        assert_eq!(expand("a$", &look).as_deref(), Some("a$"));
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        const PIECES: &[&str] = &[
            "FROM ",
            "RUN ",
            "CMD ",
            "ENV ",
            "ARG ",
            "COPY ",
            "ADD ",
            "ONBUILD ",
            "USER ",
            "<<",
            "<<-",
            "EOF",
            "\n",
            "\\\n",
            "`\n",
            " ",
            "\"",
            "'",
            "[\"",
            "\"]",
            "$",
            "${",
            "}",
            "$(",
            ")",
            "|",
            "&&",
            "#",
            "# escape=`\n",
            "# syntax=x\n",
            "=",
            "--from=",
            "--mount=type=cache",
            "AS ",
            "é",
            "\u{feff}",
            "\r\n",
            "\t",
            "x",
            "sh -c",
            "HEALTHCHECK ",
            "NONE",
        ];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            #[test]
            fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
                let d = parse(SourceFile::new("Dockerfile", s.clone()));
                for e in &d.errors {
                    prop_assert!(e.offset as usize <= s.len());
                }
            }

            #[test]
            fn dockerfile_like_text_never_panics(parts in proptest::collection::vec(0..PIECES.len(), 0..60)) {
                let s: String = parts.iter().map(|&i| PIECES[i]).collect();
                let d = parse(SourceFile::new("Dockerfile", s.clone()));
                for i in &d.instructions {
                    prop_assert!(i.span.end as usize <= s.len());
                    prop_assert!(s.is_char_boundary(i.keyword_span.start as usize));
                }
                for e in &d.errors {
                    prop_assert!(e.offset as usize <= s.len());
                }
            }
        }
    }
}
