//! The arena tree: nodes with byte spans, shared alias targets, kept duplicate keys.

use crate::scalar::Scalar;
use crate::source::{SourceFile, Span};

/// Index of a node in a [`YamlFile`]'s arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum TextRef {
    /// Bytes of the source text.
    Source(u32, u32),
    /// Bytes of the file's side buffer (scalars whose value differs from their source text).
    Extra(u32, u32),
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    Scalar {
        text: TextRef,
        style: ScalarStyle,
        /// Tagged `!!str`: a string whatever it looks like.
        str_tag: bool,
    },
    Mapping {
        first: u32,
        len: u32,
    },
    Sequence {
        first: u32,
        len: u32,
    },
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeData {
    pub span: Span,
    pub kind: Kind,
}

/// A key that appears twice in one mapping. Kubernetes keeps the last one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    pub key: String,
    pub first: Span,
    pub duplicate: Span,
}

/// One YAML document of a stream.
#[derive(Clone, Debug)]
pub struct Document {
    /// The root node; `None` for an empty document or one dropped because of an error.
    pub root: Option<NodeId>,
    /// From the first event of the document to its last.
    pub span: Span,
    pub duplicates: Vec<DuplicateKey>,
}

/// A parsed YAML (or JSON) file: its source, its documents and their nodes.
#[derive(Debug)]
pub struct YamlFile {
    pub source: SourceFile,
    pub(crate) nodes: Vec<NodeData>,
    pub(crate) entries: Vec<(NodeId, NodeId)>,
    pub(crate) items: Vec<NodeId>,
    pub(crate) extra: String,
    pub documents: Vec<Document>,
    pub errors: Vec<crate::parse::ParseError>,
}

impl YamlFile {
    pub fn node(&self, id: NodeId) -> Node<'_> {
        Node {
            file: self,
            id,
            key: None,
        }
    }

    /// Roots of the documents that parsed, in order.
    pub fn roots(&self) -> impl Iterator<Item = (usize, Node<'_>)> + '_ {
        self.documents
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.root.map(|r| (i, self.node(r))))
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    fn text_of(&self, t: TextRef) -> &str {
        match t {
            TextRef::Source(s, e) => &self.source.text()[s as usize..e as usize],
            TextRef::Extra(s, e) => &self.extra[s as usize..e as usize],
        }
    }
}

/// A handle on a node, remembering the mapping key that led to it (if any).
#[derive(Clone, Copy)]
pub struct Node<'a> {
    file: &'a YamlFile,
    id: NodeId,
    key: Option<NodeId>,
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.data().kind {
            Kind::Scalar { .. } => write!(f, "Scalar({:?})", self.text().unwrap_or("")),
            Kind::Mapping { len, .. } => write!(f, "Mapping({len} entries)"),
            Kind::Sequence { len, .. } => write!(f, "Sequence({len} items)"),
        }
    }
}

impl<'a> Node<'a> {
    fn data(&self) -> &'a NodeData {
        &self.file.nodes[self.id.0 as usize]
    }

    pub fn id(&self) -> NodeId {
        self.id
    }

    pub fn file(&self) -> &'a YamlFile {
        self.file
    }

    /// Span of the value.
    pub fn span(&self) -> Span {
        self.data().span
    }

    /// Span of the key this value was reached through, if it was reached through a key.
    pub fn key_span(&self) -> Option<Span> {
        self.key.map(|k| self.file.nodes[k.0 as usize].span)
    }

    /// Where a finding about this node points: its key if it has one, else the value.
    pub fn anchor(&self) -> Span {
        self.key_span().unwrap_or_else(|| self.span())
    }

    /// The key node this value was reached through.
    pub fn key_node(&self) -> Option<Node<'a>> {
        self.key.map(|k| self.file.node(k))
    }

    pub fn is_mapping(&self) -> bool {
        matches!(self.data().kind, Kind::Mapping { .. })
    }
    pub fn is_sequence(&self) -> bool {
        matches!(self.data().kind, Kind::Sequence { .. })
    }
    pub fn is_scalar(&self) -> bool {
        matches!(self.data().kind, Kind::Scalar { .. })
    }

    pub fn style(&self) -> Option<ScalarStyle> {
        match self.data().kind {
            Kind::Scalar { style, .. } => Some(style),
            _ => None,
        }
    }

    /// The scalar's text as written (after unquoting and unescaping), whatever its type.
    pub fn text(&self) -> Option<&'a str> {
        match self.data().kind {
            Kind::Scalar { text, .. } => Some(self.file.text_of(text)),
            _ => None,
        }
    }

    /// The scalar typed the way Kubernetes' YAML decoder types it.
    pub fn scalar(&self) -> Option<Scalar<'a>> {
        match self.data().kind {
            Kind::Scalar {
                text,
                style,
                str_tag,
            } => {
                let t = self.file.text_of(text);
                Some(if style == ScalarStyle::Plain && !str_tag {
                    Scalar::resolve_plain(t)
                } else {
                    Scalar::Str(t)
                })
            }
            _ => None,
        }
    }

    /// The scalar's text when it is a non-null scalar (numbers and booleans included: `tag: 1.2`
    /// is the text `1.2`). Use [`Node::scalar`] when the type matters.
    pub fn as_str(&self) -> Option<&'a str> {
        match self.scalar()? {
            Scalar::Null => None,
            _ => self.text(),
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.scalar()? {
            Scalar::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.scalar()? {
            Scalar::Int(i) => Some(i),
            Scalar::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.scalar(), Some(Scalar::Null))
    }

    /// Mapping entries as `(key, value)`; the value remembers its key. Merge keys are already
    /// expanded; duplicate keys appear twice (use [`Node::get`] for Kubernetes' last-wins view).
    pub fn entries(self) -> impl Iterator<Item = (Node<'a>, Node<'a>)> + 'a {
        let file = self.file;
        let slice: &'a [(NodeId, NodeId)] = match self.data().kind {
            Kind::Mapping { first, len } => &file.entries[first as usize..(first + len) as usize],
            _ => &[],
        };
        slice.iter().map(move |&(k, v)| {
            (
                file.node(k),
                Node {
                    file,
                    id: v,
                    key: Some(k),
                },
            )
        })
    }

    /// Sequence items.
    pub fn items(self) -> impl Iterator<Item = Node<'a>> + 'a {
        let file = self.file;
        let slice: &'a [NodeId] = match self.data().kind {
            Kind::Sequence { first, len } => &file.items[first as usize..(first + len) as usize],
            _ => &[],
        };
        slice.iter().map(move |&id| file.node(id))
    }

    pub fn len(&self) -> usize {
        match self.data().kind {
            Kind::Mapping { len, .. } | Kind::Sequence { len, .. } => len as usize,
            Kind::Scalar { .. } => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of `key` in a mapping (the last one when the key is duplicated).
    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        let Kind::Mapping { first, len } = self.data().kind else {
            return None;
        };
        let file = self.file;
        file.entries[first as usize..(first + len) as usize]
            .iter()
            .rev()
            .find(|(k, _)| file.node(*k).text() == Some(key))
            .map(|&(k, v)| Node {
                file,
                id: v,
                key: Some(k),
            })
    }

    /// Follow a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<Node<'a>> {
        let mut n = *self;
        for k in keys {
            n = n.get(k)?;
        }
        Some(n)
    }

    /// `get(key)` as a string.
    pub fn get_str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(|n| n.as_str())
    }

    /// `get(key)` as a boolean.
    pub fn get_bool(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(|n| n.as_bool())
    }

    /// The source text of this node's span.
    pub fn source_text(&self) -> &'a str {
        self.file.source.slice(self.span())
    }
}
