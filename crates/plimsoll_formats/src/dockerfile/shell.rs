//! Just enough of the POSIX shell to read `RUN` commands: words with their source spans, the
//! simple commands they form, and the pipes between them. Anything the lexer does not
//! understand (arithmetic, `case` patterns, functions) degrades to extra words or commands,
//! never to an error: rules only look for commands and flags they know.

use plimsoll_yaml::Span;

/// Text cut out of a source (line continuations and comment lines removed), with the source
/// offset of every byte so that words keep their real position.
#[derive(Clone, Debug, Default)]
pub struct Mapped {
    pub text: String,
    offs: Vec<u32>,
}

impl Mapped {
    /// The source span of the bytes `a..b` of the text.
    pub fn span(&self, a: usize, b: usize) -> Span {
        let start = self.offs.get(a).copied().unwrap_or(0);
        if b <= a {
            return Span::empty(start);
        }
        let end = self.offs.get(b - 1).map(|o| o + 1).unwrap_or(start);
        Span::new(start, end.max(start))
    }

    /// Text that is not a slice of the source (a JSON string's value), placed at `start`.
    pub fn synthetic(text: &str, start: usize) -> Mapped {
        let offs = (0..text.len()).map(|i| (start + i) as u32).collect();
        Mapped {
            text: text.to_string(),
            offs,
        }
    }

    /// The bytes `a..b` of this text, still mapped to the source.
    pub fn slice(&self, a: usize, b: usize) -> Mapped {
        let b = b.min(self.text.len());
        let a = a.min(b);
        match self.text.get(a..b) {
            Some(t) => Mapped {
                text: t.to_string(),
                offs: self.offs[a..b].to_vec(),
            },
            None => Mapped::default(),
        }
    }

    /// Text taken verbatim from `source[start..end]`.
    pub fn verbatim(source: &str, start: usize, end: usize) -> Mapped {
        let end = end.min(source.len());
        let start = start.min(end);
        let text = source.get(start..end).unwrap_or("").to_string();
        let offs = (start..end).map(|o| o as u32).collect();
        Mapped { text, offs }
    }

    /// Dockerfile text of one instruction, with `escape`+newline continuations removed, and
    /// the comment and empty lines Docker drops inside a continued instruction.
    pub fn joined(source: &str, start: usize, end: usize, escape: u8) -> Mapped {
        let b = source.as_bytes();
        let end = end.min(b.len());
        let mut out: Vec<u8> = Vec::with_capacity(end.saturating_sub(start));
        let mut offs: Vec<u32> = Vec::with_capacity(end.saturating_sub(start));
        let mut i = start.min(end);
        while i < end {
            if b[i] == escape {
                let mut j = i + 1;
                while j < end && (b[j] == b' ' || b[j] == b'\t') {
                    j += 1;
                }
                if let Some(after) = newline_at(b, j, end) {
                    let mut j = after;
                    // comment lines and empty lines inside a continued instruction are dropped
                    loop {
                        let mut k = j;
                        while k < end && (b[k] == b' ' || b[k] == b'\t') {
                            k += 1;
                        }
                        if k < end && b[k] == b'#' {
                            while k < end && b[k] != b'\n' {
                                k += 1;
                            }
                            j = (k + 1).min(end);
                            continue;
                        }
                        if let Some(after) = newline_at(b, k, end) {
                            j = after;
                            continue;
                        }
                        break;
                    }
                    i = j;
                    continue;
                }
                if j >= end {
                    // a trailing escape at the very end of the instruction
                    break;
                }
            }
            out.push(b[i]);
            offs.push(i as u32);
            i += 1;
        }
        match String::from_utf8(out) {
            Ok(text) => Mapped { text, offs },
            Err(_) => Mapped::verbatim(source, start, end),
        }
    }
}

fn newline_at(b: &[u8], j: usize, end: usize) -> Option<usize> {
    if j < end && b[j] == b'\n' {
        Some(j + 1)
    } else if j + 1 < end && b[j] == b'\r' && b[j + 1] == b'\n' {
        Some(j + 2)
    } else {
        None
    }
}

/// A word with quotes removed, and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word after quote removal (`"a b"` is `a b`); expansions (`$X`, `$(...)`) are kept
    /// as written.
    pub value: String,
    /// The word as written.
    pub raw: String,
    pub span: Span,
}

impl Word {
    /// Contains an expansion whose value is only known at build time.
    pub fn is_dynamic(&self) -> bool {
        self.raw.contains('$') || self.raw.contains('`')
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// `&&`, `||`, `;`, `&`, newline, `;;`, `(`, `)`: ends a simple command.
    Sep,
    /// `|` or `|&`
    Pipe,
    /// `>`, `>>`, `<`, ...: the next word is a target.
    Redirect,
    /// `<<` or `<<-`: the next word is a here-document delimiter.
    HereDoc { strip_tabs: bool },
}

#[derive(Debug)]
enum Tok {
    Word(Word),
    Op(Op, Span),
}

/// One simple command: `FOO=1 apt-get install -y curl`.
#[derive(Clone, Debug, Default)]
pub struct SimpleCommand {
    /// Leading `NAME=value` words.
    pub assignments: Vec<Word>,
    /// The command name and its arguments.
    pub words: Vec<Word>,
    /// Its output goes into a pipe.
    pub piped_out: bool,
    /// Its input comes from a pipe.
    pub piped_in: bool,
}

/// Commands that run another command given as their arguments.
const WRAPPERS: &[&str] = &[
    "sudo", "env", "nice", "nohup", "time", "exec", "command", "ionice", "stdbuf", "doas",
];

impl SimpleCommand {
    /// The command as run, after `sudo`, `env`, `nice`, `exec`... (whose own options and
    /// assignments are skipped).
    pub fn program(&self) -> Option<Cmd<'_>> {
        let mut w = &self.words[..];
        loop {
            let first = w.first()?;
            let name = basename(&first.value);
            if !WRAPPERS.contains(&name) {
                return Some(Cmd { words: w });
            }
            let takes_value: &[&str] = match name {
                "sudo" | "doas" => &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"],
                "env" => &["-u", "-C", "-S"],
                "nice" => &["-n"],
                "ionice" => &["-c", "-n", "-p"],
                _ => &[],
            };
            let mut i = 1;
            while i < w.len() {
                let v = w[i].value.as_str();
                if v == "--" {
                    i += 1;
                    break;
                }
                if v.starts_with('-') && v.len() > 1 {
                    i += if takes_value.contains(&v) { 2 } else { 1 };
                    continue;
                }
                if name == "env" && is_assignment(v) {
                    i += 1;
                    continue;
                }
                break;
            }
            w = w.get(i..)?;
        }
    }

    /// The command name as written (before unwrapping), without its directory.
    pub fn name(&self) -> Option<&str> {
        self.words.first().map(|w| basename(&w.value))
    }
}

/// A command and its arguments (`words[0]` is the program).
#[derive(Clone, Copy, Debug)]
pub struct Cmd<'a> {
    pub words: &'a [Word],
}

impl<'a> Cmd<'a> {
    /// The program name without its directory (`/usr/bin/apt-get` is `apt-get`).
    pub fn name(&self) -> &'a str {
        self.words.first().map(|w| basename(&w.value)).unwrap_or("")
    }

    pub fn word(&self) -> &'a Word {
        &self.words[0]
    }

    pub fn args(&self) -> &'a [Word] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// The first argument that sets a flag: `-y`, `-qy` (short, in a cluster), `--yes` or
    /// `--yes=...` (long). Arguments after `--` are not flags.
    pub fn flag(&self, short: &[char], long: &[&str]) -> Option<&'a Word> {
        for w in self.args() {
            let v = w.value.as_str();
            if v == "--" {
                break;
            }
            if let Some(l) = v.strip_prefix("--") {
                let name = l.split('=').next().unwrap_or("");
                if long.contains(&name) {
                    return Some(w);
                }
            } else if let Some(s) = v.strip_prefix('-')
                && !s.is_empty()
                && s.chars().any(|c| short.contains(&c))
            {
                return Some(w);
            }
        }
        None
    }

    pub fn has_flag(&self, short: &[char], long: &[&str]) -> bool {
        self.flag(short, long).is_some()
    }

    /// How many times a short flag is given (`-qq` counts 2).
    pub fn short_count(&self, c: char) -> usize {
        self.args()
            .iter()
            .map(|w| w.value.as_str())
            .take_while(|v| *v != "--")
            .filter(|v| v.starts_with('-') && !v.starts_with("--"))
            .map(|v| v.chars().filter(|x| *x == c).count())
            .sum()
    }

    /// The value of an option: `-u 1000`, `-u1000`, `--uid 1000`, `--uid=1000`.
    pub fn option(&self, short: Option<char>, long: &str) -> Option<&'a Word> {
        let args = self.args();
        for (i, w) in args.iter().enumerate() {
            let v = w.value.as_str();
            if v == "--" {
                break;
            }
            if let Some(l) = v.strip_prefix("--") {
                if l == long {
                    return args.get(i + 1);
                }
                if l.strip_prefix(long).is_some_and(|r| r.starts_with('=')) {
                    return Some(w);
                }
            } else if let (Some(c), Some(s)) = (short, v.strip_prefix('-')) {
                if s.len() == 1 && s.starts_with(c) {
                    return args.get(i + 1);
                }
                if s.len() > 1 && s.starts_with(c) && s[1..].bytes().all(|b| b.is_ascii_digit()) {
                    return Some(w);
                }
            }
        }
        None
    }

    /// Arguments that are not flags, nor the values of the given flags (`-t`, `--target`).
    pub fn positional(&self, value_flags: &[&str]) -> Vec<&'a Word> {
        let mut out = Vec::new();
        let args = self.args();
        let mut i = 0;
        let mut rest = false;
        while i < args.len() {
            let v = args[i].value.as_str();
            if rest {
                out.push(&args[i]);
            } else if v == "--" {
                rest = true;
            } else if v.starts_with("--") {
                if !v.contains('=') && value_flags.contains(&v) {
                    i += 1;
                }
            } else if v.starts_with('-') && v.len() > 1 {
                if value_flags.contains(&v) {
                    i += 1;
                }
            } else {
                out.push(&args[i]);
            }
            i += 1;
        }
        out
    }

    /// The first positional argument (`install` in `apt-get -y install curl`).
    pub fn subcommand(&self, value_flags: &[&str]) -> Option<&'a Word> {
        self.positional(value_flags).into_iter().next()
    }
}

/// The last path component of a command name.
pub fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// `NAME=value`.
pub fn is_assignment(s: &str) -> bool {
    match s.split_once('=') {
        Some((name, _)) => {
            let mut b = name.bytes();
            matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
                && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
        }
        None => false,
    }
}

/// A shell script: its simple commands in order, and where its pipes are.
#[derive(Clone, Debug, Default)]
pub struct Script {
    pub commands: Vec<SimpleCommand>,
    /// Spans of `|` and `|&` operators.
    pub pipes: Vec<Span>,
    /// Here-documents opened (`<<EOF`) whose bodies were not in the text, with whether tabs
    /// are stripped (`<<-`).
    pub open_heredocs: Vec<(String, bool)>,
}

impl Script {
    /// Parse shell text. `backslash` says whether `\` escapes (it does not in Windows
    /// Dockerfiles using the backtick escape).
    pub fn parse(m: &Mapped, backslash: bool) -> Script {
        Script::parse_depth(m, backslash, 0)
    }

    fn parse_depth(m: &Mapped, backslash: bool, depth: usize) -> Script {
        let (toks, open, subs) = lex(m, backslash);
        let mut script = Script::default();
        let mut cur = SimpleCommand::default();
        let mut expect_target = false;
        let mut piped_in = false;
        let finish =
            |cur: &mut SimpleCommand, script: &mut Script, piped_in: &mut bool, pipe: bool| {
                let mut c = std::mem::take(cur);
                if c.words.is_empty() && c.assignments.is_empty() {
                    return;
                }
                c.piped_in = *piped_in;
                c.piped_out = pipe;
                *piped_in = pipe;
                script.commands.push(c);
            };
        for t in toks {
            match t {
                Tok::Word(w) => {
                    if expect_target {
                        expect_target = false;
                        continue;
                    }
                    if cur.words.is_empty() {
                        if is_assignment(&w.raw) {
                            cur.assignments.push(w);
                            continue;
                        }
                        if matches!(
                            w.raw.as_str(),
                            "if" | "then"
                                | "else"
                                | "elif"
                                | "do"
                                | "while"
                                | "until"
                                | "!"
                                | "{"
                                | "}"
                                | "fi"
                                | "done"
                                | "esac"
                        ) {
                            continue;
                        }
                    }
                    cur.words.push(w);
                }
                Tok::Op(Op::Pipe, span) => {
                    script.pipes.push(span);
                    if cur.words.is_empty() && cur.assignments.is_empty() {
                        // `! cmd | x` or a pipe after a compound command: mark the last one
                        if let Some(last) = script.commands.last_mut() {
                            last.piped_out = true;
                        }
                        piped_in = true;
                    } else {
                        finish(&mut cur, &mut script, &mut piped_in, true);
                    }
                }
                Tok::Op(Op::Sep, _) => {
                    expect_target = false;
                    finish(&mut cur, &mut script, &mut piped_in, false);
                    piped_in = false;
                }
                Tok::Op(Op::Redirect | Op::HereDoc { .. }, _) => expect_target = true,
            }
        }
        finish(&mut cur, &mut script, &mut piped_in, false);
        script.open_heredocs = open;
        // commands inside `$(...)`, backticks and `<(...)` run too
        if depth < 8 {
            for (a, b) in subs {
                let inner = Script::parse_depth(&m.slice(a, b), backslash, depth + 1);
                script.commands.extend(inner.commands);
                script.pipes.extend(inner.pipes);
            }
        }
        script
    }

    /// Every command as run (wrappers such as `sudo` skipped).
    pub fn programs(&self) -> impl Iterator<Item = Cmd<'_>> {
        self.commands.iter().filter_map(|c| c.program())
    }
}

struct Lexer<'a> {
    t: &'a [u8],
    m: &'a Mapped,
    i: usize,
    backslash: bool,
    toks: Vec<Tok>,
    /// Here-document delimiters whose bodies start at the next newline.
    pending: Vec<(String, bool)>,
    /// Byte ranges of command substitutions (`$(...)`, backticks, `<(...)`).
    subs: Vec<(usize, usize)>,
}

type Lexed = (Vec<Tok>, Vec<(String, bool)>, Vec<(usize, usize)>);

fn lex(m: &Mapped, backslash: bool) -> Lexed {
    let mut lx = Lexer {
        t: m.text.as_bytes(),
        m,
        i: 0,
        backslash,
        toks: Vec::new(),
        pending: Vec::new(),
        subs: Vec::new(),
    };
    lx.run();
    (lx.toks, lx.pending, lx.subs)
}

impl Lexer<'_> {
    fn at(&self, k: usize) -> u8 {
        self.t.get(self.i + k).copied().unwrap_or(0)
    }

    fn op(&mut self, op: Op, len: usize) {
        let span = self.m.span(self.i, self.i + len);
        self.toks.push(Tok::Op(op, span));
        self.i += len;
    }

    fn run(&mut self) {
        while self.i < self.t.len() {
            let c = self.at(0);
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' => {
                    self.op(Op::Sep, 1);
                    self.skip_heredoc_bodies();
                }
                b'\\' if self.backslash && self.at(1) == b'\n' => self.i += 2,
                b'#' => {
                    while self.i < self.t.len() && self.at(0) != b'\n' {
                        self.i += 1;
                    }
                }
                b'&' if self.at(1) == b'&' => self.op(Op::Sep, 2),
                b'|' if self.at(1) == b'|' => self.op(Op::Sep, 2),
                b';' if self.at(1) == b';' => self.op(Op::Sep, 2),
                b'|' if self.at(1) == b'&' => self.op(Op::Pipe, 2),
                b'|' => self.op(Op::Pipe, 1),
                b'&' if self.at(1) == b'>' => {
                    let len = if self.at(2) == b'>' { 3 } else { 2 };
                    self.op(Op::Redirect, len)
                }
                b'&' | b';' | b'(' | b')' => self.op(Op::Sep, 1),
                b'<' | b'>' if self.at(1) == b'(' => self.word(),
                b'<' if self.at(1) == b'<' && self.at(2) == b'<' => self.op(Op::Redirect, 3),
                b'<' if self.at(1) == b'<' => {
                    let strip_tabs = self.at(2) == b'-';
                    self.op(Op::HereDoc { strip_tabs }, if strip_tabs { 3 } else { 2 });
                    self.heredoc_delimiter(strip_tabs);
                }
                b'<' | b'>' => {
                    let len = match self.at(1) {
                        b'>' | b'&' | b'|' => 2,
                        _ => 1,
                    };
                    self.op(Op::Redirect, len)
                }
                _ => self.word(),
            }
        }
    }

    /// Read the delimiter word after `<<` and remember it.
    fn heredoc_delimiter(&mut self, strip_tabs: bool) {
        while matches!(self.at(0), b' ' | b'\t') {
            self.i += 1;
        }
        let before = self.toks.len();
        if self.i < self.t.len() && !matches!(self.at(0), b'\n' | b';' | b'&' | b'|') {
            self.word();
        }
        if self.toks.len() > before
            && let Some(Tok::Word(w)) = self.toks.last()
        {
            self.pending.push((w.value.clone(), strip_tabs));
        }
    }

    /// After a newline: skip the bodies of here-documents opened on the line before.
    fn skip_heredoc_bodies(&mut self) {
        for (delim, strip) in std::mem::take(&mut self.pending) {
            while self.i < self.t.len() {
                let start = self.i;
                while self.i < self.t.len() && self.at(0) != b'\n' {
                    self.i += 1;
                }
                let line = String::from_utf8_lossy(&self.t[start..self.i]);
                let line = line.trim_end_matches('\r');
                let line = if strip {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if self.i < self.t.len() {
                    self.i += 1;
                }
                if line == delim {
                    break;
                }
            }
        }
    }

    fn word(&mut self) {
        let start = self.i;
        let mut value: Vec<u8> = Vec::new();
        while self.i < self.t.len() {
            let c = self.at(0);
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | b';' | b'&' | b'|' | b')' => break,
                b'(' if self.i == start => break,
                b'<' | b'>' if self.at(1) == b'(' => {
                    let s = self.i;
                    self.i += 1;
                    self.substitution();
                    value.extend_from_slice(&self.t[s..self.i]);
                }
                b'<' | b'>' => {
                    // `2>file`: the digits were a file descriptor, not a word
                    if self.i > start && self.t[start..self.i].iter().all(u8::is_ascii_digit) {
                        return;
                    }
                    break;
                }
                b'(' => {
                    // `a=(x y)` arrays and the like: keep as written
                    let s = self.i;
                    self.balanced(b'(', b')');
                    value.extend_from_slice(&self.t[s..self.i]);
                }
                b'\'' => {
                    self.i += 1;
                    while self.i < self.t.len() && self.at(0) != b'\'' {
                        value.push(self.at(0));
                        self.i += 1;
                    }
                    self.i += 1;
                }
                b'"' => {
                    self.i += 1;
                    while self.i < self.t.len() && self.at(0) != b'"' {
                        let d = self.at(0);
                        if d == b'\\' && self.backslash {
                            let n = self.at(1);
                            if matches!(n, b'"' | b'\\' | b'$' | b'`') {
                                value.push(n);
                                self.i += 2;
                                continue;
                            }
                            if n == b'\n' {
                                self.i += 2;
                                continue;
                            }
                        }
                        if d == b'$' && self.at(1) == b'(' {
                            let s = self.i;
                            self.i += 1;
                            self.substitution();
                            value.extend_from_slice(&self.t[s..self.i]);
                            continue;
                        }
                        if d == b'`' && self.backslash {
                            let s = self.i;
                            self.backtick();
                            value.extend_from_slice(&self.t[s..self.i]);
                            continue;
                        }
                        value.push(d);
                        self.i += 1;
                    }
                    self.i += 1;
                }
                b'\\' if self.backslash => {
                    if self.at(1) == b'\n' {
                        self.i += 2;
                    } else {
                        if self.i + 1 < self.t.len() {
                            value.push(self.at(1));
                        }
                        self.i += 2;
                    }
                }
                b'$' if self.at(1) == b'(' => {
                    let s = self.i;
                    self.i += 1;
                    self.substitution();
                    value.extend_from_slice(&self.t[s..self.i]);
                }
                b'$' if self.at(1) == b'{' => {
                    let s = self.i;
                    self.i += 1;
                    self.balanced(b'{', b'}');
                    value.extend_from_slice(&self.t[s..self.i]);
                }
                b'$' if self.at(1) == b'\'' => {
                    self.i += 2;
                    while self.i < self.t.len() && self.at(0) != b'\'' {
                        if self.at(0) == b'\\' && self.i + 1 < self.t.len() {
                            value.push(self.at(1));
                            self.i += 2;
                            continue;
                        }
                        value.push(self.at(0));
                        self.i += 1;
                    }
                    self.i += 1;
                }
                b'`' if self.backslash => {
                    let s = self.i;
                    self.backtick();
                    value.extend_from_slice(&self.t[s..self.i]);
                }
                _ => {
                    value.push(c);
                    self.i += 1;
                }
            }
        }
        let end = self.i.min(self.t.len());
        if end == start {
            // nothing consumed: step over the byte so the lexer always advances
            self.i += 1;
            return;
        }
        let raw = String::from_utf8_lossy(&self.t[start..end]).into_owned();
        let value = String::from_utf8_lossy(&value).into_owned();
        self.toks.push(Tok::Word(Word {
            value,
            raw,
            span: self.m.span(start, end),
        }));
    }

    /// A `(...)` of a command or process substitution at `self.i`: skip it, and remember its
    /// inside for parsing (arithmetic `$((...))` is not commands).
    fn substitution(&mut self) {
        let open = self.i;
        self.balanced(b'(', b')');
        let inner_end = if self.i > open + 1 && self.t.get(self.i - 1) == Some(&b')') {
            self.i - 1
        } else {
            self.i
        };
        if self.t.get(open + 1) != Some(&b'(') && inner_end > open + 1 {
            self.subs.push((open + 1, inner_end));
        }
    }

    /// From an opening bracket at `self.i`, to just after its match (quotes respected).
    fn balanced(&mut self, open: u8, close: u8) {
        let mut depth = 0usize;
        while self.i < self.t.len() {
            let c = self.at(0);
            if c == b'\\' && self.backslash {
                self.i += 2;
                continue;
            }
            if c == b'\'' && open == b'(' {
                self.i += 1;
                while self.i < self.t.len() && self.at(0) != b'\'' {
                    self.i += 1;
                }
                self.i += 1;
                continue;
            }
            if c == b'"' {
                self.i += 1;
                while self.i < self.t.len() && self.at(0) != b'"' {
                    if self.at(0) == b'\\' && self.backslash {
                        self.i += 1;
                    }
                    self.i += 1;
                }
                self.i += 1;
                continue;
            }
            self.i += 1;
            if c == open {
                depth += 1;
            } else if c == close {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
        }
        self.i = self.i.min(self.t.len());
    }

    fn backtick(&mut self) {
        self.i += 1;
        let start = self.i;
        while self.i < self.t.len() && self.at(0) != b'`' {
            if self.at(0) == b'\\' {
                self.i += 1;
            }
            self.i += 1;
        }
        let end = self.i.min(self.t.len());
        if end > start {
            self.subs.push((start, end));
        }
        self.i = (self.i + 1).min(self.t.len());
    }
}

/// Split instruction arguments (ENV, ARG, LABEL, EXPOSE...) into words the way the Dockerfile
/// frontend does: whitespace separates, quotes group and are removed, the escape character
/// escapes.
pub fn dockerfile_words(m: &Mapped, escape: u8) -> Vec<Word> {
    let t = m.text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        while i < t.len() && t[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= t.len() {
            break;
        }
        let start = i;
        let mut value = Vec::new();
        while i < t.len() && !t[i].is_ascii_whitespace() {
            let c = t[i];
            if c == b'"' || c == b'\'' {
                i += 1;
                while i < t.len() && t[i] != c {
                    if c == b'"' && t[i] == escape && i + 1 < t.len() {
                        i += 1;
                    }
                    value.push(t[i]);
                    i += 1;
                }
                i += 1;
            } else if c == escape && i + 1 < t.len() {
                value.push(t[i + 1]);
                i += 2;
            } else {
                value.push(c);
                i += 1;
            }
        }
        let end = i.min(t.len());
        out.push(Word {
            value: String::from_utf8_lossy(&value).into_owned(),
            raw: String::from_utf8_lossy(&t[start..end]).into_owned(),
            span: m.span(start, end),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(s: &str) -> Script {
        Script::parse(&Mapped::verbatim(s, 0, s.len()), true)
    }

    fn names(s: &Script) -> Vec<String> {
        s.programs().map(|c| c.name().to_string()).collect()
    }

    #[test]
    fn splits_commands_and_pipes() {
        let s = script(
            "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y curl; curl -fsSL https://x | sudo -E bash - || true",
        );
        assert_eq!(names(&s), ["apt-get", "apt-get", "curl", "bash", "true"]);
        assert_eq!(s.pipes.len(), 1);
        assert!(s.commands[2].piped_out && s.commands[3].piped_in);
        assert_eq!(
            s.commands[1].assignments[0].raw,
            "DEBIAN_FRONTEND=noninteractive"
        );
    }

    #[test]
    fn quotes_and_substitutions_are_words() {
        let s = script(r#"echo "a | b" 'c;d' $(curl -s x | sh) \"e 2>/dev/null >> f"#);
        let c = &s.commands[0];
        let v: Vec<&str> = c.words.iter().map(|w| w.value.as_str()).collect();
        assert_eq!(v, ["echo", "a | b", "c;d", "$(curl -s x | sh)", "\"e"]);
        // the quoted pipe is text; the one in the substitution is a pipe
        assert_eq!(s.pipes.len(), 1);
    }

    #[test]
    fn flags_and_positionals() {
        let s = script(
            "apt-get -qq -o Dpkg::Options::=--force-confold install --no-install-recommends -t bookworm-backports curl=1 wget",
        );
        let c = s.programs().next().unwrap();
        assert!(!c.has_flag(&['y'], &["yes"]));
        assert_eq!(c.short_count('q'), 2);
        assert!(c.has_flag(&[], &["no-install-recommends"]));
        let p: Vec<&str> = c
            .positional(&["-o", "-t", "--target-release"])
            .iter()
            .map(|w| w.value.as_str())
            .collect();
        assert_eq!(p, ["install", "curl=1", "wget"]);
        let s = script("useradd -l -u 100000 app");
        assert_eq!(
            s.programs()
                .next()
                .unwrap()
                .option(Some('u'), "uid")
                .unwrap()
                .value,
            "100000"
        );
    }

    #[test]
    fn substitutions_are_parsed_too() {
        let s = script("DEPS=\"$(scanelf -n x | tr , '\\n')\"; cd `ls | grep php`; echo $((1|2))");
        let n = names(&s);
        assert!(
            n.contains(&"scanelf".to_string()) && n.contains(&"grep".to_string()),
            "{n:?}"
        );
        assert_eq!(s.pipes.len(), 2);
        let src = "a $(b | c)";
        let s = script(src);
        let c = s.commands.iter().find(|c| c.name() == Some("c")).unwrap();
        assert_eq!(&src[c.words[0].span.range()], "c");
    }

    #[test]
    fn heredoc_bodies_are_skipped() {
        let s = script("cat <<EOF > /etc/x\nrm -rf /\nEOF\necho done\n");
        assert_eq!(names(&s), ["cat", "echo"]);
    }

    #[test]
    fn joined_removes_continuations_and_comment_lines() {
        let src = "RUN a \\\n  # note\n\n  && b";
        let m = Mapped::joined(src, 4, src.len(), b'\\');
        assert_eq!(m.text, "a   && b");
        let s = Script::parse(&m, true);
        let b = &s.commands[1].words[0];
        assert_eq!(&src[b.span.range()], "b");
    }

    #[test]
    fn words_split_like_the_frontend() {
        let src = r#"A=1 B="two words" C=x\ y"#;
        let w = dockerfile_words(&Mapped::verbatim(src, 0, src.len()), b'\\');
        let v: Vec<&str> = w.iter().map(|w| w.value.as_str()).collect();
        assert_eq!(v, ["A=1", "B=two words", "C=x y"]);
    }
}
