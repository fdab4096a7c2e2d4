//! Building the tree from `saphyr-parser` events, within limits.

use saphyr_parser::{Event, Parser, ScalarStyle as SStyle, ScanError};

use crate::source::{SourceFile, Span};
use crate::tree::{Document, DuplicateKey, Kind, NodeData, NodeId, ScalarStyle, TextRef, YamlFile};

/// Bounds on the work one file may cause.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Files larger than this are not parsed (reported as an error).
    pub max_bytes: usize,
    /// A document whose aliases would expand to more nodes than this is dropped and reported.
    pub max_expanded_nodes: u64,
    /// Total nodes one file may build.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 32 << 20,
            max_expanded_nodes: 1_000_000,
            max_nodes: 20_000_000,
        }
    }
}

/// A problem that stopped a document (or the file) from being read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    /// Byte offset where the problem was found.
    pub offset: u32,
}

/// Converts saphyr's character indices into byte offsets.
struct CharMap {
    /// (char index, bytes before it beyond one per char) for every non-ASCII char, in order.
    wide: Vec<(u32, u32)>,
}

impl CharMap {
    fn new(text: &str) -> Self {
        let mut wide = Vec::new();
        if !text.is_ascii() {
            let mut extra = 0u32;
            for (ci, ch) in text.chars().enumerate() {
                let l = ch.len_utf8() as u32;
                if l > 1 {
                    extra += l - 1;
                    wide.push((ci as u32, extra));
                }
            }
        }
        CharMap { wide }
    }

    fn byte(&self, char_index: usize) -> u32 {
        let ci = char_index as u32;
        if self.wide.is_empty() {
            return ci;
        }
        // extra bytes contributed by wide chars strictly before `ci`
        let n = self.wide.partition_point(|&(c, _)| c < ci);
        if n == 0 { ci } else { ci + self.wide[n - 1].1 }
    }
}

enum Frame {
    Mapping {
        start: u32,
        anchor: usize,
        scratch: usize,
    },
    Sequence {
        start: u32,
        anchor: usize,
        scratch: usize,
    },
}

/// Parse a YAML or JSON stream. Never panics; problems are in [`YamlFile::errors`].
pub fn parse(source: SourceFile, limits: &Limits) -> YamlFile {
    let mut file = YamlFile {
        source,
        nodes: Vec::new(),
        entries: Vec::new(),
        items: Vec::new(),
        extra: String::new(),
        documents: Vec::new(),
        errors: Vec::new(),
    };
    let len = file.source.text().len();
    if len > limits.max_bytes {
        file.errors.push(ParseError {
            message: format!(
                "file is {:.1} MB, over the {} MB limit for one file; not parsed",
                len as f64 / 1e6,
                limits.max_bytes >> 20
            ),
            offset: 0,
        });
        return file;
    }
    if len > u32::MAX as usize / 2 {
        return file;
    }
    let text = file.source.text();
    let mut b = Builder {
        limits,
        text,
        map: CharMap::new(file.source.text()),
        nodes: Vec::new(),
        sizes: Vec::new(),
        entries: Vec::new(),
        items: Vec::new(),
        extra: String::new(),
        scratch: Vec::new(),
        frames: Vec::new(),
        anchors: Vec::new(),
        documents: Vec::new(),
        errors: Vec::new(),
        doc: None,
    };
    b.run();
    let (nodes, entries, items, extra, documents, errors) =
        (b.nodes, b.entries, b.items, b.extra, b.documents, b.errors);
    file.nodes = nodes;
    file.entries = entries;
    file.items = items;
    file.extra = extra;
    file.documents = documents;
    file.errors = errors;
    file
}

struct OpenDoc {
    start: u32,
    end: u32,
    root: Option<NodeId>,
    duplicates: Vec<DuplicateKey>,
    failed: bool,
}

struct Builder<'l, 't> {
    limits: &'l Limits,
    text: &'t str,
    map: CharMap,
    nodes: Vec<NodeData>,
    /// Expanded size of each node (aliases counted as many times as they are used).
    sizes: Vec<u64>,
    entries: Vec<(NodeId, NodeId)>,
    items: Vec<NodeId>,
    extra: String,
    scratch: Vec<NodeId>,
    frames: Vec<Frame>,
    /// anchor id -> node
    anchors: Vec<Option<NodeId>>,
    documents: Vec<Document>,
    errors: Vec<ParseError>,
    doc: Option<OpenDoc>,
}

impl<'t> Builder<'_, 't> {
    fn run(&mut self) {
        let text = self.text;
        let mut parser = Parser::new_from_str(text);
        loop {
            let (ev, span) = match parser.next_event() {
                None => break,
                Some(Ok(x)) => x,
                Some(Err(e)) => {
                    self.scan_error(&e);
                    break;
                }
            };
            let start = self.map.byte(span.start.index());
            let end = self.map.byte(span.end.index()).max(start);
            let span = Span::new(start, end);
            match ev {
                Event::StreamStart | Event::Nothing => {}
                Event::StreamEnd => break,
                Event::DocumentStart(_) => {
                    self.frames.clear();
                    self.scratch.clear();
                    self.doc = Some(OpenDoc {
                        start,
                        end,
                        root: None,
                        duplicates: Vec::new(),
                        failed: false,
                    });
                }
                Event::DocumentEnd => self.finish_doc(end),
                Event::Scalar(value, style, anchor, tag) => {
                    let str_tag = tag.as_ref().is_some_and(|t| {
                        t.suffix == "str" && (t.handle == "!!" || t.is_yaml_core_schema())
                    });
                    let text = self.text_ref(text, &value);
                    let style = match style {
                        SStyle::Plain => ScalarStyle::Plain,
                        SStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                        SStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                        SStyle::Literal => ScalarStyle::Literal,
                        SStyle::Folded => ScalarStyle::Folded,
                    };
                    let id = self.push(
                        NodeData {
                            span,
                            kind: Kind::Scalar {
                                text,
                                style,
                                str_tag,
                            },
                        },
                        1,
                    );
                    self.set_anchor(anchor, id);
                    self.add_child(id);
                }
                Event::Alias(anchor) => {
                    match self.anchors.get(anchor).copied().flatten() {
                        Some(id) => self.add_child(id),
                        None => {
                            // saphyr reports unknown anchors itself; be defensive anyway
                            self.errors.push(ParseError {
                                message: "alias to an unknown anchor".into(),
                                offset: start,
                            });
                            self.fail_doc();
                        }
                    }
                }
                Event::SequenceStart(anchor, _) => self.frames.push(Frame::Sequence {
                    start,
                    anchor,
                    scratch: self.scratch.len(),
                }),
                Event::MappingStart(anchor, _) => self.frames.push(Frame::Mapping {
                    start,
                    anchor,
                    scratch: self.scratch.len(),
                }),
                Event::SequenceEnd => {
                    if let Some(Frame::Sequence {
                        start: s,
                        anchor,
                        scratch,
                    }) = self.frames.pop()
                    {
                        let first = self.items.len() as u32;
                        let mut size = 1u64;
                        for &c in &self.scratch[scratch..] {
                            size = size.saturating_add(self.sizes[c.0 as usize]);
                        }
                        self.items.extend(self.scratch.drain(scratch..));
                        let len = self.items.len() as u32 - first;
                        let id = self.push(
                            NodeData {
                                span: Span::new(s, end.max(s)),
                                kind: Kind::Sequence { first, len },
                            },
                            size,
                        );
                        self.set_anchor(anchor, id);
                        self.add_child(id);
                    }
                }
                Event::MappingEnd => {
                    if let Some(Frame::Mapping {
                        start: s,
                        anchor,
                        scratch,
                    }) = self.frames.pop()
                    {
                        let id = self.finish_mapping(s, end.max(s), scratch);
                        self.set_anchor(anchor, id);
                        self.add_child(id);
                    }
                }
            }
            if self.nodes.len() > self.limits.max_nodes {
                self.errors.push(ParseError {
                    message: format!(
                        "file builds more than {} YAML nodes; the rest is not read",
                        self.limits.max_nodes
                    ),
                    offset: start,
                });
                self.fail_doc();
                break;
            }
        }
        // a stream that ended inside a document (error or truncation)
        if self.doc.is_some() {
            let end = self.documents.last().map(|d| d.span.end).unwrap_or(0);
            self.finish_doc(end);
        }
    }

    /// Scalars borrowed from the source (plain, unescaped) point into it; others are copied
    /// into the side buffer.
    fn text_ref(&mut self, text: &str, value: &str) -> TextRef {
        let base = text.as_ptr() as usize;
        let p = value.as_ptr() as usize;
        if p >= base && p + value.len() <= base + text.len() {
            let off = (p - base) as u32;
            return TextRef::Source(off, off + value.len() as u32);
        }
        let start = self.extra.len() as u32;
        self.extra.push_str(value);
        TextRef::Extra(start, self.extra.len() as u32)
    }

    fn push(&mut self, data: NodeData, size: u64) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(data);
        self.sizes.push(size);
        id
    }

    fn set_anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor == 0 {
            return;
        }
        if self.anchors.len() <= anchor {
            self.anchors.resize(anchor + 1, None);
        }
        self.anchors[anchor] = Some(id);
    }

    fn add_child(&mut self, id: NodeId) {
        if self.frames.is_empty() {
            if let Some(doc) = self.doc.as_mut() {
                doc.root = Some(id);
                let size = self.sizes[id.0 as usize];
                if size > self.limits.max_expanded_nodes && !doc.failed {
                    let offset = self.nodes[id.0 as usize].span.start;
                    self.errors.push(ParseError {
                        message: format!(
                            "aliases in this document expand to more than {} nodes (a YAML bomb?); document skipped",
                            self.limits.max_expanded_nodes
                        ),
                        offset,
                    });
                    doc.failed = true;
                }
            }
        } else {
            self.scratch.push(id);
        }
    }

    fn finish_mapping(&mut self, start: u32, end: u32, scratch: usize) -> NodeId {
        let pairs: Vec<NodeId> = self.scratch.drain(scratch..).collect();
        let mut own: Vec<(NodeId, NodeId)> = pairs
            .chunks(2)
            .filter(|c| c.len() == 2)
            .map(|c| (c[0], c[1]))
            .collect();
        // merge keys: `<<: *base` or `<<: [*a, *b]`
        let mut merged: Vec<(NodeId, NodeId)> = Vec::new();
        own.retain(|&(k, v)| {
            let is_merge = matches!(
                self.nodes[k.0 as usize].kind,
                Kind::Scalar {
                    style: ScalarStyle::Plain,
                    ..
                }
            ) && self.span_is_merge(k);
            if !is_merge {
                return true;
            }
            match self.nodes[v.0 as usize].kind {
                Kind::Mapping { first, len } => {
                    merged.extend_from_slice(&self.entries[first as usize..(first + len) as usize]);
                }
                Kind::Sequence { first, len } => {
                    for &m in &self.items[first as usize..(first + len) as usize] {
                        if let Kind::Mapping { first, len } = self.nodes[m.0 as usize].kind {
                            merged.extend_from_slice(
                                &self.entries[first as usize..(first + len) as usize],
                            );
                        }
                    }
                }
                Kind::Scalar { .. } => return true,
            }
            false
        });
        // duplicate keys among the explicit entries (merged ones never count as duplicates)
        let mut dups = Vec::new();
        if own.len() > 1 {
            let mut seen: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
            for &(k, _) in &own {
                if let Some(t) = self.scalar_text(k) {
                    let sp = self.nodes[k.0 as usize].span;
                    if let Some(first) = seen.get(t) {
                        dups.push(DuplicateKey {
                            key: t.to_string(),
                            first: *first,
                            duplicate: sp,
                        });
                    } else {
                        seen.insert(t, sp);
                    }
                }
            }
        }
        if let Some(doc) = self.doc.as_mut() {
            doc.duplicates.extend(dups);
        }
        // explicit keys win over merged ones; the first merged mapping wins over later ones
        if !merged.is_empty() {
            let mut keep: Vec<(NodeId, NodeId)> = Vec::new();
            for &(k, v) in &merged {
                let kt = self.scalar_text(k);
                let exists = own
                    .iter()
                    .chain(keep.iter())
                    .any(|&(ok, _)| self.scalar_text(ok) == kt);
                if !exists {
                    keep.push((k, v));
                }
            }
            let mut all = keep;
            all.extend(own);
            own = all;
        }
        let mut size = 1u64;
        for &(k, v) in &own {
            size = size
                .saturating_add(self.sizes[k.0 as usize])
                .saturating_add(self.sizes[v.0 as usize]);
        }
        let first = self.entries.len() as u32;
        self.entries.extend(own);
        let len = self.entries.len() as u32 - first;
        self.push(
            NodeData {
                span: Span::new(start, end),
                kind: Kind::Mapping { first, len },
            },
            size,
        )
    }

    fn span_is_merge(&self, k: NodeId) -> bool {
        self.scalar_text(k) == Some("<<")
    }

    fn scalar_text(&self, id: NodeId) -> Option<&str> {
        match self.nodes[id.0 as usize].kind {
            Kind::Scalar { text, .. } => Some(match text {
                TextRef::Source(s, e) => &self.text[s as usize..e as usize],
                TextRef::Extra(s, e) => &self.extra[s as usize..e as usize],
            }),
            _ => None,
        }
    }

    fn scan_error(&mut self, e: &ScanError) {
        let offset = self.map.byte(e.marker().index());
        self.errors.push(ParseError {
            message: e.info().to_string(),
            offset,
        });
        self.fail_doc();
    }

    fn fail_doc(&mut self) {
        if let Some(doc) = self.doc.as_mut() {
            doc.failed = true;
        }
    }

    fn finish_doc(&mut self, end: u32) {
        if let Some(doc) = self.doc.take() {
            self.documents.push(Document {
                root: if doc.failed { None } else { doc.root },
                span: Span::new(doc.start, end.max(doc.start).max(doc.end)),
                duplicates: doc.duplicates,
            });
        }
        self.frames.clear();
        self.scratch.clear();
    }
}
