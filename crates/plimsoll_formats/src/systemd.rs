//! systemd units: a position-keeping reader and the exposure score of
//! `systemd-analyze security`.
//!
//! The reader follows systemd's own configuration parser: `[Section]` headers, `Key=Value`
//! assignments (key and value each with their span), `#` and `;` comment lines (also inside a
//! continuation), a trailing `\` continuing the line (the backslash becomes a space and the next
//! line's leading blanks are dropped), repeated keys kept in order, and an empty assignment
//! (`Key=`) resetting a list. Specifiers (`%i`, `%n`...) are kept as written.
//!
//! Drop-ins are merged after the unit file in the order systemd applies them: for
//! `a-b.service` next to its `a-b.service.d/`, `a-.service.d/` and `service.d/` directories,
//! every `*.conf` file, sorted by file name. They are read from disk relative to the unit's path
//! (never written); a unit read from memory has none.

use std::path::Path;

use plimsoll_yaml::{SourceFile, Span};

use crate::FormatError;

mod exposure;
mod syscalls;

pub use exposure::{Assessment, Exposure};

/// What a unit is, from its file name's suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnitKind {
    Service,
    Socket,
    Target,
    Timer,
    Path,
    Mount,
    Automount,
    Swap,
    Slice,
    Scope,
    Device,
    /// A suffix systemd does not know.
    Other,
}

impl UnitKind {
    pub fn from_name(name: &str) -> UnitKind {
        match name.rsplit_once('.').map(|(_, s)| s).unwrap_or("") {
            "service" => UnitKind::Service,
            "socket" => UnitKind::Socket,
            "target" => UnitKind::Target,
            "timer" => UnitKind::Timer,
            "path" => UnitKind::Path,
            "mount" => UnitKind::Mount,
            "automount" => UnitKind::Automount,
            "swap" => UnitKind::Swap,
            "slice" => UnitKind::Slice,
            "scope" => UnitKind::Scope,
            "device" => UnitKind::Device,
            _ => UnitKind::Other,
        }
    }

    /// The section holding the execution settings (`User=`, sandboxing...), for the kinds
    /// that start processes.
    pub fn exec_section(self) -> Option<&'static str> {
        match self {
            UnitKind::Service => Some("Service"),
            UnitKind::Socket => Some("Socket"),
            UnitKind::Mount => Some("Mount"),
            UnitKind::Swap => Some("Swap"),
            _ => None,
        }
    }

    /// The suffix, without the dot.
    pub fn suffix(self) -> &'static str {
        match self {
            UnitKind::Service => "service",
            UnitKind::Socket => "socket",
            UnitKind::Target => "target",
            UnitKind::Timer => "timer",
            UnitKind::Path => "path",
            UnitKind::Mount => "mount",
            UnitKind::Automount => "automount",
            UnitKind::Swap => "swap",
            UnitKind::Slice => "slice",
            UnitKind::Scope => "scope",
            UnitKind::Device => "device",
            UnitKind::Other => "",
        }
    }
}

/// Which file an assignment was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The unit file itself.
    Unit,
    /// A drop-in: index into [`Unit::dropins`].
    DropIn(usize),
}

/// One `Key=Value` assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub section: String,
    pub key: String,
    /// The value with continuations joined, surrounding blanks removed, specifiers kept.
    pub value: String,
    /// Spans in the file the entry comes from (see [`Entry::origin`]).
    pub key_span: Span,
    pub value_span: Span,
    pub origin: Origin,
}

impl Entry {
    /// The whole assignment (key to end of value).
    pub fn span(&self) -> Span {
        self.key_span.cover(self.value_span)
    }

    pub fn in_unit_file(&self) -> bool {
        self.origin == Origin::Unit
    }
}

/// A `[Section]` header of the unit file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub span: Span,
}

/// A drop-in file merged into the unit.
#[derive(Debug)]
pub struct DropIn {
    pub source: SourceFile,
    pub errors: Vec<FormatError>,
}

/// A parsed unit file with its drop-ins merged.
#[derive(Debug)]
pub struct Unit {
    pub source: SourceFile,
    pub errors: Vec<FormatError>,
    /// The unit's name: its file name (`caddy.service`).
    pub name: String,
    pub kind: UnitKind,
    /// Section headers of the unit file, in order.
    pub sections: Vec<Section>,
    /// Every assignment: the unit file's, then each drop-in's, in the order systemd applies them.
    pub entries: Vec<Entry>,
    pub dropins: Vec<DropIn>,
}

/// Read a unit file and the drop-ins next to it on disk; never panics.
pub fn parse(source: SourceFile) -> Unit {
    let dropins = find_dropins(Path::new(source.path()))
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some(SourceFile::new(p.display().to_string(), text))
        })
        .collect();
    parse_with_dropins(source, dropins)
}

/// Read a unit file with the given drop-ins (applied in the order given); never panics.
pub fn parse_with_dropins(source: SourceFile, dropins: Vec<SourceFile>) -> Unit {
    let name = Path::new(source.path())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let kind = UnitKind::from_name(&name);
    let lexed = lex(source.text());
    let mut entries: Vec<Entry> = lexed
        .entries
        .into_iter()
        .map(|e| e.into_entry(Origin::Unit))
        .collect();
    let mut merged = Vec::new();
    for (i, d) in dropins.into_iter().enumerate() {
        let l = lex(d.text());
        entries.extend(
            l.entries
                .into_iter()
                .map(|e| e.into_entry(Origin::DropIn(i))),
        );
        merged.push(DropIn {
            source: d,
            errors: l.errors,
        });
    }
    Unit {
        source,
        errors: lexed.errors,
        name,
        kind,
        sections: lexed.sections,
        entries,
        dropins: merged,
    }
}

/// Drop-in files for a unit at `path`, in the order systemd applies them.
pub fn find_dropins(path: &Path) -> Vec<std::path::PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    let Some((stem, suffix)) = name.rsplit_once('.') else {
        return Vec::new();
    };
    // Most specific first: a file name found in an earlier directory hides later ones.
    let mut dirs = vec![dir.join(format!("{name}.d"))];
    if let Some((prefix, _instance)) = stem.split_once('@') {
        dirs.push(dir.join(format!("{prefix}@.{suffix}.d")));
    }
    let base = stem.split('@').next().unwrap_or(stem);
    let dashes: Vec<usize> = base.match_indices('-').map(|(i, _)| i).collect();
    for &i in dashes.iter().rev() {
        dirs.push(dir.join(format!("{}-.{suffix}.d", &base[..i])));
    }
    dirs.push(dir.join(format!("{suffix}.d")));
    let mut found: Vec<(String, std::path::PathBuf)> = Vec::new();
    for d in dirs {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut here: Vec<_> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "conf") && p.is_file())
            .collect();
        here.sort();
        for p in here {
            let base = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !found.iter().any(|(b, _)| *b == base) {
                found.push((base, p));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.into_iter().map(|(_, p)| p).collect()
}

impl Unit {
    /// The last assignment of `section.key`, whatever its value (an empty value means "reset").
    pub fn last(&self, section: &str, key: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.section == section && e.key == key)
    }

    /// The effective value of a single-valued setting: the last assignment, unless it is empty.
    pub fn get(&self, section: &str, key: &str) -> Option<&Entry> {
        self.last(section, key).filter(|e| !e.value.is_empty())
    }

    /// The assignments of a list setting that are in effect: those after the last empty one.
    pub fn values(&self, section: &str, key: &str) -> Vec<&Entry> {
        let all: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.section == section && e.key == key)
            .collect();
        let from = all
            .iter()
            .rposition(|e| e.value.is_empty())
            .map(|i| i + 1)
            .unwrap_or(0);
        all[from..].to_vec()
    }

    /// Every assignment in a section, in order.
    pub fn section_entries<'a>(&'a self, section: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.section == section)
    }

    /// The section with the execution settings for this kind of unit (`Service` for a service).
    pub fn exec_section(&self) -> Option<&'static str> {
        self.kind.exec_section()
    }

    /// A setting of the execution section (`Service` for a service unit).
    pub fn exec(&self, key: &str) -> Option<&Entry> {
        self.get(self.exec_section()?, key)
    }

    /// A boolean setting as systemd reads it; `None` when unset or unreadable.
    pub fn exec_bool(&self, key: &str) -> Option<bool> {
        let section = self.exec_section()?;
        self.entries
            .iter()
            .filter(|e| e.section == section && e.key == key)
            .filter_map(|e| parse_bool(&e.value))
            .next_back()
    }

    /// The header of a section in the unit file.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// Where a finding about a missing setting of `section` points: the section's header, else
    /// the first header, else the start of the file.
    pub fn anchor(&self, section: &str) -> Span {
        self.section(section)
            .or_else(|| self.sections.first())
            .map(|s| s.span)
            .unwrap_or(Span::empty(0))
    }

    /// Where a finding about an assignment points in the unit file: the assignment itself, or
    /// for one made in a drop-in, the header of its section.
    pub fn span_of(&self, e: &Entry) -> Span {
        match e.origin {
            Origin::Unit => e.span(),
            Origin::DropIn(_) => self.anchor(&e.section),
        }
    }

    /// The path of the file an entry comes from.
    pub fn file_of(&self, e: &Entry) -> &str {
        match e.origin {
            Origin::Unit => self.source.path(),
            Origin::DropIn(i) => self.dropins.get(i).map(|d| d.source.path()).unwrap_or(""),
        }
    }

    /// The exposure score `systemd-analyze security --offline=true` gives this unit.
    pub fn exposure(&self) -> Exposure {
        exposure::assess(self)
    }
}

/// systemd's boolean syntax (`parse_boolean`).
pub fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

/// A time span in systemd's syntax (`90`, `5min 30s`, `1h`, `infinity`), in microseconds;
/// `None` when unreadable, `Some(u64::MAX)` for `infinity`.
pub fn parse_timespan(v: &str) -> Option<u64> {
    let v = v.trim();
    if v == "infinity" {
        return Some(u64::MAX);
    }
    let mut total: u64 = 0;
    let mut rest = v;
    let mut any = false;
    while !rest.is_empty() {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_end == 0 {
            return None;
        }
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = rest[num_end..].trim_start();
        let unit_end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        rest = &rest[unit_end..];
        let mult: f64 = match unit {
            "" | "s" | "sec" | "second" | "seconds" => 1e6,
            "us" | "usec" | "µs" => 1.0,
            "ms" | "msec" => 1e3,
            "m" | "min" | "minute" | "minutes" => 60e6,
            "h" | "hr" | "hour" | "hours" => 3600e6,
            "d" | "day" | "days" => 86400e6,
            "w" | "week" | "weeks" => 604800e6,
            "M" | "month" | "months" => 2629800e6,
            "y" | "year" | "years" => 31557600e6,
            _ => return None,
        };
        total = total.saturating_add((n * mult) as u64);
        any = true;
    }
    any.then_some(total)
}

/// The result of lexing one file.
struct Lexed {
    sections: Vec<Section>,
    entries: Vec<RawEntry>,
    errors: Vec<FormatError>,
}

struct RawEntry {
    section: String,
    key: String,
    value: String,
    key_span: Span,
    value_span: Span,
}

impl RawEntry {
    fn into_entry(self, origin: Origin) -> Entry {
        Entry {
            section: self.section,
            key: self.key,
            value: self.value,
            key_span: self.key_span,
            value_span: self.value_span,
            origin,
        }
    }
}

/// A logical line: physical lines joined by continuations, with a map back to the source.
struct Logical {
    text: String,
    /// (position in `text`, offset in the source) where each physical piece starts.
    pieces: Vec<(usize, u32)>,
}

impl Logical {
    fn offset(&self, pos: usize) -> u32 {
        let i = self
            .pieces
            .iter()
            .rposition(|&(p, _)| p <= pos)
            .unwrap_or(0);
        let (p, o) = self.pieces[i];
        o + (pos - p) as u32
    }

    /// Span of `text[start..end]` in the source (`end` exclusive).
    fn span(&self, start: usize, end: usize) -> Span {
        if end <= start {
            return Span::empty(self.offset(start));
        }
        Span::new(self.offset(start), self.offset(end - 1) + 1)
    }
}

const BLANKS: &[char] = &[' ', '\t', '\n', '\r'];

/// Split a text into sections and assignments the way systemd's `config_parse` does.
fn lex(text: &str) -> Lexed {
    let mut out = Lexed {
        sections: Vec::new(),
        entries: Vec::new(),
        errors: Vec::new(),
    };
    let mut section: Option<String> = None;
    let mut pending: Option<Logical> = None;
    let mut offset = 0u32;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(raw) = lines.next() {
        let start = offset;
        offset += raw.len() as u32;
        let line = raw.trim_end_matches(['\n', '\r']);
        let lead = line.len() - line.trim_start_matches(BLANKS).len();
        let content = &line[lead..];
        let content_start = start + lead as u32;
        if content.starts_with(['#', ';']) {
            // comments are skipped, even inside a continuation
            if pending.is_some() && lines.peek().is_none() {
                let l = pending.take().expect("checked");
                finish(&mut out, &mut section, l);
            }
            continue;
        }
        let mut l = pending.take().unwrap_or(Logical {
            text: String::new(),
            pieces: Vec::new(),
        });
        l.pieces.push((l.text.len(), content_start));
        l.text.push_str(content);
        if ends_escaped(&l.text) {
            l.text.pop();
            l.text.push(' ');
            if lines.peek().is_some() {
                pending = Some(l);
                continue;
            }
        }
        finish(&mut out, &mut section, l);
    }
    if let Some(l) = pending {
        finish(&mut out, &mut section, l);
    }
    out
}

/// True when the text ends with a backslash that is not itself escaped.
fn ends_escaped(s: &str) -> bool {
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        }
    }
    escaped
}

fn finish(out: &mut Lexed, section: &mut Option<String>, l: Logical) {
    let t = &l.text;
    let start = t.len() - t.trim_start_matches(BLANKS).len();
    let end = t.trim_end_matches(BLANKS).len();
    if start >= end {
        return;
    }
    let body = &t[start..end];
    if body.starts_with('[') {
        if body.len() >= 2 && body.ends_with(']') {
            let name = body[1..body.len() - 1].to_string();
            out.sections.push(Section {
                name: name.clone(),
                span: l.span(start, end),
            });
            *section = Some(name);
        } else {
            out.errors.push(FormatError {
                message: format!("invalid section header `{body}`"),
                offset: l.offset(start),
            });
        }
        return;
    }
    let Some(eq) = body.find('=') else {
        out.errors.push(FormatError {
            message: "missing `=` in assignment, line ignored".into(),
            offset: l.offset(start),
        });
        return;
    };
    let Some(sec) = section.clone() else {
        out.errors.push(FormatError {
            message: "assignment outside of any section, ignored".into(),
            offset: l.offset(start),
        });
        return;
    };
    let raw_key = &body[..eq];
    let key = raw_key.trim_end_matches(BLANKS);
    let after = &body[eq + 1..];
    let vlead = after.len() - after.trim_start_matches(BLANKS).len();
    let value = after.trim_matches(BLANKS);
    if key.is_empty() {
        out.errors.push(FormatError {
            message: "assignment without a key, ignored".into(),
            offset: l.offset(start),
        });
        return;
    }
    let vstart = start + eq + 1 + vlead;
    out.entries.push(RawEntry {
        section: sec,
        key: key.to_string(),
        value: value.to_string(),
        key_span: l.span(start, start + key.len()),
        value_span: l.span(vstart, vstart + value.len()),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(text: &str) -> Unit {
        parse_with_dropins(SourceFile::new("x.service", text), Vec::new())
    }

    #[test]
    fn sections_keys_values_and_spans() {
        let text = "# c\n[Unit]\nDescription = A thing \n\n[Service]\n; c\nExecStart=/bin/a \\\n   --flag \\\n# inside\n   b\nUser=%i\n";
        let u = unit(text);
        assert!(u.errors.is_empty(), "{:?}", u.errors);
        assert_eq!(u.sections.len(), 2);
        let d = u.get("Unit", "Description").unwrap();
        assert_eq!(d.value, "A thing");
        assert_eq!(u.source.slice(d.key_span), "Description");
        assert_eq!(u.source.slice(d.value_span), "A thing");
        let e = u.get("Service", "ExecStart").unwrap();
        assert_eq!(e.value, "/bin/a  --flag  b");
        assert_eq!(
            u.source.slice(e.value_span),
            "/bin/a \\\n   --flag \\\n# inside\n   b"
        );
        assert_eq!(u.get("Service", "User").unwrap().value, "%i");
    }

    #[test]
    fn empty_assignment_resets_lists() {
        let u =
            unit("[Service]\nEnvironment=A=1\nEnvironment=\nEnvironment=B=2\nEnvironment=C=3\n");
        let v: Vec<_> = u
            .values("Service", "Environment")
            .iter()
            .map(|e| e.value.as_str())
            .collect();
        assert_eq!(v, ["B=2", "C=3"]);
    }

    #[test]
    fn errors_have_offsets() {
        let u = unit("Key=outside\n[Service]\nnonsense\n[Broken\n");
        assert_eq!(u.errors.len(), 3);
        assert_eq!(u.errors[0].offset, 0);
        assert_eq!(u.errors[1].offset, 22);
    }

    #[test]
    fn dropins_apply_after_the_unit() {
        let u = parse_with_dropins(
            SourceFile::new("x.service", "[Service]\nUser=a\n"),
            vec![SourceFile::new(
                "x.service.d/10.conf",
                "[Service]\nUser=b\n",
            )],
        );
        let e = u.get("Service", "User").unwrap();
        assert_eq!(e.value, "b");
        assert_eq!(e.origin, Origin::DropIn(0));
        assert_eq!(u.span_of(e), u.anchor("Service"));
    }

    #[test]
    fn dropins_are_found_on_disk_in_order() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a-b.service");
        std::fs::write(&p, "[Service]\nExecStart=/bin/true\n").unwrap();
        for (dir, file) in [
            ("a-b.service.d", "20-x.conf"),
            ("a-.service.d", "10-y.conf"),
            ("service.d", "30-z.conf"),
            ("a-b.service.d", "notes.txt"),
        ] {
            std::fs::create_dir_all(d.path().join(dir)).unwrap();
            std::fs::write(d.path().join(dir).join(file), "[Service]\n").unwrap();
        }
        let names: Vec<String> = find_dropins(&p)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["10-y.conf", "20-x.conf", "30-z.conf"]);
    }

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("90"), Some(90_000_000));
        assert_eq!(parse_timespan("1min 30s"), Some(90_000_000));
        assert_eq!(parse_timespan("infinity"), Some(u64::MAX));
        assert_eq!(parse_timespan("0"), Some(0));
        assert_eq!(parse_timespan("abc"), None);
    }

    #[test]
    fn never_panics_on_odd_input() {
        for t in [
            "\\",
            "[",
            "]",
            "=",
            "[A]\n=\\",
            "[A]\nK=\\\n",
            "\u{feff}[A]\nK=é\\\né",
            "[A]\r\nK=v\r\n",
        ] {
            let _ = unit(t).exposure();
        }
    }
}
