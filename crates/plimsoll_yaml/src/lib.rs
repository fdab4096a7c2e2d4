//! Plimsoll's source and YAML layer.
//!
//! * [`source`]: source files, byte [`Span`]s and a lazily built line index that turns byte
//!   offsets into 1-based lines and character (or UTF-16) columns.
//! * [`tree`]: an arena tree of YAML nodes where every key and value keeps its byte span. Aliases
//!   share the anchored node (the tree is a DAG, so alias "bombs" cost nothing to build and their
//!   expansion is bounded and reported); merge keys (`<<`) are expanded; duplicate keys are kept
//!   and reported; scalars keep their raw text and style and are typed the way Kubernetes'
//!   YAML 1.1 decoder types them.
//! * [`parse`]: builds the tree from `saphyr-parser` events, with limits on input size and
//!   alias expansion.

pub mod parse;
pub mod path;
pub mod scalar;
pub mod source;
pub mod tree;

pub use parse::{Limits, ParseError, parse};
pub use scalar::Scalar;
pub use source::{LineCol, SourceFile, Span};
pub use tree::{Document, DuplicateKey, Node, NodeId, ScalarStyle, YamlFile};
