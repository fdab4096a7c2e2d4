//! Field paths: from a byte span back to the JSON field path of the node at it.
//!
//! Findings carry byte spans ([`Span`]); the admission webhook (and anything else that talks to
//! the API server) reports field paths instead, spelled the way the API server spells them in its
//! own errors: `spec.template.spec.containers[0].securityContext.privileged`, with map keys that
//! are not plain identifiers in brackets (`metadata.annotations[plimsoll.dev/ignore]`).

use crate::source::Span;
use crate::tree::{Node, YamlFile};

/// One step of a path.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

impl YamlFile {
    /// The field path of the node at `span`, relative to the root of its document.
    ///
    /// A node matches when its key span or its value span equals `span`; failing that, when its
    /// key or value span starts where `span` starts. The deepest match wins (in block YAML a
    /// sequence, its first item and that item's first key can all start at the same byte; a
    /// finding's anchor is the innermost of them). The root itself is the empty path `""`.
    /// `None` when no node is there. Cost: one walk of the tree (shared alias targets are walked
    /// once).
    pub fn path_of(&self, span: Span) -> Option<String> {
        for exact in [true, false] {
            for (_, root) in self.roots() {
                let mut w = Walk {
                    target: span,
                    exact,
                    steps: Vec::new(),
                    best: None,
                    seen: vec![false; self.node_count()],
                };
                w.visit(root);
                if let Some(best) = w.best {
                    return Some(render(&best));
                }
            }
        }
        None
    }
}

/// Free-function form of [`YamlFile::path_of`].
pub fn path_of(file: &YamlFile, span: Span) -> Option<String> {
    file.path_of(span)
}

struct Walk<'a> {
    target: Span,
    exact: bool,
    steps: Vec<Step<'a>>,
    best: Option<Vec<Step<'a>>>,
    seen: Vec<bool>,
}

impl<'a> Walk<'a> {
    fn hit(&self, s: Span) -> bool {
        if self.exact {
            s == self.target
        } else {
            s.start == self.target.start
        }
    }

    fn record(&mut self) {
        if self
            .best
            .as_ref()
            .is_none_or(|b| b.len() < self.steps.len())
        {
            self.best = Some(self.steps.clone());
        }
    }

    fn visit(&mut self, node: Node<'a>) {
        if self.hit(node.span()) {
            self.record();
        }
        let id = node.id().0 as usize;
        if std::mem::replace(&mut self.seen[id], true) {
            return;
        }
        if node.is_mapping() {
            for (k, v) in node.entries() {
                self.steps.push(Step::Key(k.text().unwrap_or("")));
                if self.hit(k.span()) {
                    self.record();
                }
                self.visit(v);
                self.steps.pop();
            }
        } else if node.is_sequence() {
            for (i, item) in node.items().enumerate() {
                self.steps.push(Step::Index(i));
                self.visit(item);
                self.steps.pop();
            }
        }
    }
}

fn plain(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'$')
}

fn render(steps: &[Step<'_>]) -> String {
    let mut out = String::new();
    for s in steps {
        match s {
            Step::Key(k) if plain(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Key(k) => {
                out.push('[');
                out.push_str(k);
                out.push(']');
            }
            Step::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{Limits, SourceFile, parse};

    fn file(text: &str) -> crate::YamlFile {
        parse(SourceFile::new("t", text), &Limits::default())
    }

    fn at(f: &crate::YamlFile, needle: &str) -> Option<String> {
        let start = f.source.text().find(needle).unwrap() as u32;
        f.path_of(crate::Span::new(start, start + needle.len() as u32))
    }

    #[test]
    fn json_paths() {
        let f = file(
            r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"plimsoll.dev/ignore":"x"}},"spec":{"containers":[{"name":"a"},{"name":"b","securityContext":{"privileged":true}}]}}"#,
        );
        assert_eq!(
            at(&f, r#""privileged""#).as_deref(),
            Some("spec.containers[1].securityContext.privileged")
        );
        assert_eq!(at(&f, r#""kind""#).as_deref(), Some("kind"));
        assert_eq!(
            at(&f, r#""plimsoll.dev/ignore""#).as_deref(),
            Some("metadata.annotations[plimsoll.dev/ignore]")
        );
        // a sequence item, by its value span
        let start = f.source.text().find(r#"{"name":"b""#).unwrap() as u32;
        assert_eq!(
            f.path_of(crate::Span::empty(start)).as_deref(),
            Some("spec.containers[1]")
        );
        assert_eq!(f.path_of(crate::Span::empty(0)).as_deref(), Some(""));
        assert_eq!(f.path_of(crate::Span::empty(100_000)), None);
    }

    #[test]
    fn block_yaml_prefers_the_exact_node() {
        let f = file("spec:\n  containers:\n  - name: a\n    image: x\n");
        // the key `name` and the item mapping start at the same byte
        assert_eq!(at(&f, "name").as_deref(), Some("spec.containers[0].name"));
        let start = f.source.text().find("name").unwrap() as u32;
        let end = f.source.text().len() as u32;
        assert_eq!(
            f.path_of(crate::Span::new(start, end)).as_deref(),
            Some("spec.containers[0]")
        );
        assert_eq!(at(&f, "x").as_deref(), Some("spec.containers[0].image"));
    }

    #[test]
    fn aliases_do_not_loop() {
        let f = file("a: &x {b: 1}\nc: *x\nd: [*x, *x]\ne: 2\n");
        assert_eq!(at(&f, "e").as_deref(), Some("e"));
    }
}
