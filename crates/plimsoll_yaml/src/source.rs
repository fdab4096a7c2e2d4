//! Source text, byte spans and lazy line/column resolution.

use std::sync::OnceLock;

/// A half-open byte range `[start, end)` into a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }
    pub const fn empty(at: u32) -> Self {
        Span { start: at, end: at }
    }
    pub fn len(self) -> u32 {
        self.end - self.start
    }
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A resolved position: 1-based line, 1-based column counted in characters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// A named source text with a line index built on first use.
#[derive(Debug)]
pub struct SourceFile {
    path: String,
    text: String,
    line_starts: OnceLock<Vec<u32>>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut v = Vec::with_capacity(self.text.len() / 32 + 1);
            v.push(0);
            for (i, b) in self.text.bytes().enumerate() {
                if b == b'\n' {
                    v.push(i as u32 + 1);
                }
            }
            v
        })
    }

    /// Number of lines (a trailing newline does not start a new line).
    pub fn line_count(&self) -> usize {
        let n = self.line_starts().len();
        if self.text.ends_with('\n') { n - 1 } else { n }
    }

    /// 0-based line index containing `offset`.
    fn line_index(&self, offset: u32) -> usize {
        let starts = self.line_starts();
        match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// 1-based line and 1-based character column of a byte offset.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = offset.min(self.text.len() as u32);
        let li = self.line_index(offset);
        let start = self.line_starts()[li];
        let col = self
            .text
            .get(start as usize..offset as usize)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        LineCol {
            line: li as u32 + 1,
            column: col as u32 + 1,
        }
    }

    /// 1-based column of a byte offset counted in UTF-16 code units (SARIF's default).
    pub fn utf16_column(&self, offset: u32) -> u32 {
        let offset = offset.min(self.text.len() as u32);
        let li = self.line_index(offset);
        let start = self.line_starts()[li];
        let col: usize = self
            .text
            .get(start as usize..offset as usize)
            .map(|s| s.chars().map(char::len_utf16).sum())
            .unwrap_or(0);
        col as u32 + 1
    }

    /// The text of a 1-based line, without its line terminator.
    pub fn line_text(&self, line: u32) -> &str {
        let starts = self.line_starts();
        let i = (line as usize).saturating_sub(1);
        if i >= starts.len() {
            return "";
        }
        let s = starts[i] as usize;
        let e = starts
            .get(i + 1)
            .map(|&e| e as usize)
            .unwrap_or(self.text.len());
        self.text[s..e].trim_end_matches(['\n', '\r'])
    }

    /// Byte offset of the start of a 1-based line.
    pub fn line_start(&self, line: u32) -> u32 {
        let starts = self.line_starts();
        starts
            .get((line as usize).saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("a.yaml", "a: 1\nß: x\nlast");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(5), LineCol { line: 2, column: 1 });
        // byte 7 is the ':' after the two-byte 'ß'
        assert_eq!(f.line_col(7), LineCol { line: 2, column: 2 });
        assert_eq!(f.line_text(2), "ß: x");
        assert_eq!(f.line_text(3), "last");
        assert_eq!(f.line_count(), 3);
        assert_eq!(f.utf16_column(7), 2);
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let f = SourceFile::new("a", "😀x");
        assert_eq!(f.line_col(4).column, 2);
        assert_eq!(f.utf16_column(4), 3);
    }
}
