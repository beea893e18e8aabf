//! Byte ranges into source text and a line index for turning them into line/column when displaying.
//!
//! Everything in the core speaks byte offsets (as egui's text layout does); line and column are computed only
//! when something is shown to a person, as ruff and biome do.

use serde::Serialize;

/// A half-open byte range `start..end` into one source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    /// The span as a `Range<usize>` for slicing.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// True when the span covers no byte.
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// This span moved right by `offset` bytes.
    pub fn shift(self, offset: u32) -> Span {
        Span {
            start: self.start + offset,
            end: self.end + offset,
        }
    }
}

/// A 1-based line and column (column counted in characters, as editors show it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters.
    pub col: u32,
}

impl std::fmt::Display for LineCol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Offsets of line starts, for offset → line/column.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
    /// The text is ASCII: a column is a byte difference, no counting (a one-line export of megabytes with
    /// thousands of diagnostics would otherwise count its line once per diagnostic).
    ascii: bool,
}

impl LineIndex {
    /// Index the line starts of `text` (`\n`, `\r\n` and lone `\r` all end a line).
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0u32];
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'\n' => starts.push(i as u32 + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i as u32 + 1);
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            starts,
            ascii: text.is_ascii(),
        }
    }

    /// Line and column of byte `offset` in `text` (the text this index was built from).
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(text.len() as u32);
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).map_or(0, |s| *s as usize);
        let end = floor_char_boundary(text, offset as usize).max(start);
        let col = if self.ascii {
            end - start
        } else {
            text.get(start..end).map_or(0, |t| t.chars().count())
        } as u32
            + 1;
        LineCol {
            line: line as u32 + 1,
            col,
        }
    }

    /// The byte range of line `line` (1-based) without its line terminator.
    pub fn line_range(&self, text: &str, line: u32) -> std::ops::Range<usize> {
        let i = (line.max(1) - 1) as usize;
        let start = self.starts.get(i).copied().unwrap_or(text.len() as u32) as usize;
        let mut end = self
            .starts
            .get(i + 1)
            .map(|s| *s as usize)
            .unwrap_or(text.len());
        while end > start && matches!(text.as_bytes().get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        start..end
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

/// Line and column of `offset` in `text`, without keeping an index (for one-off error messages).
pub fn line_col(text: &str, offset: usize) -> LineCol {
    let head = text
        .split_at(floor_char_boundary(text, offset.min(text.len())))
        .0;
    LineIndex::new(head).line_col(text, offset as u32)
}

/// The text of `span` in `src`: empty when the span is not a range of character boundaries inside `src` (the
/// parser's spans always are; this keeps a stale span from panicking).
pub fn at(src: &str, span: Span) -> &str {
    src.get(span.range()).unwrap_or_default()
}

/// A serde_json error message without its ` at line L column C` suffix (the caller reports the position
/// itself, in the file's own terms).
pub fn strip_position(msg: &str) -> &str {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg),
        None => msg,
    }
}

/// The largest char boundary at or before `i`.
pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A shared, immutable source text. `Arc<String>` rather than `Arc<str>` so a file read into a `String` is
/// shared without a second copy (that copy would double the peak memory of loading a 100 MB export).
pub type Text = std::sync::Arc<String>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_and_all_line_ends() {
        let text = "ab\r\ncé\rx\ny";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, col: 1 });
        // 'x' follows a lone '\r'
        let x = text.find('x').unwrap() as u32;
        assert_eq!(idx.line_col(text, x), LineCol { line: 3, col: 1 });
        // after the two-byte 'é', column counts characters
        let after = text.find('\r').map(|_| text.find("\rx").unwrap()).unwrap() as u32;
        assert_eq!(idx.line_col(text, after), LineCol { line: 2, col: 3 });
        assert_eq!(&text[idx.line_range(text, 2)], "cé");
        assert_eq!(line_col(text, text.len()), LineCol { line: 4, col: 2 });
    }
}

/// At most `max` characters of `s` for a message: control characters (terminal escapes among them) escaped,
/// `…` where it was cut. Input quoted in errors and explanations goes through this, so a one-line export or a
/// crafted value can neither flood the output nor drive the terminal.
/// `s` cut to at most `max` characters, with `…` where it was cut (messages that quote a value stay short
/// however long the value).
pub fn clip(mut s: String, max: usize) -> String {
    if let Some((i, _)) = s.char_indices().nth(max) {
        s.truncate(i);
        s.push('…');
    }
    s
}

/// A window of at most `max` characters of `line` around byte `at` (a third of it before, the rest after),
/// with `…` where it was cut, and the number of characters of the window before `at`. A one-line export of
/// megabytes is shown by the part that matters, not printed whole.
pub fn window(line: &str, at: usize, max: usize) -> (String, usize) {
    let at = floor_char_boundary(line, at.min(line.len()));
    let (head, tail) = line.split_at(at);
    let before: Vec<char> = head.chars().rev().take(max / 3 + 1).collect();
    let cut_before = before.len() > max / 3;
    let mut out = String::new();
    if cut_before {
        out.push('…');
    }
    out.extend(before.iter().rev().skip(usize::from(cut_before)));
    let shown_before = out.chars().count();
    let room = max.saturating_sub(shown_before);
    let mut after = tail.chars();
    out.extend(after.by_ref().take(room));
    if after.next().is_some() {
        out.push('…');
    }
    (out, shown_before)
}

/// `1 account`, `3 accounts`: a count with its noun (regular plurals only).
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `s` cut to `max` characters, with control characters escaped (`\u{1b}`) so that input cannot drive the
/// terminal, and `…` where it was cut.
pub fn excerpt(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max * 2));
    for (n, c) in s.chars().enumerate() {
        if n == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod excerpt_tests {
    #[test]
    fn excerpts_are_short_and_escaped() {
        assert_eq!(super::excerpt("abc", 5), "abc");
        assert_eq!(super::excerpt("abcdef", 3), "abc…");
        assert_eq!(super::excerpt("a\u{1b}[2Jb\n", 10), "a\\u{1b}[2Jb\\n");
    }

    #[test]
    fn windows_show_the_part_around_the_position() {
        assert_eq!(super::window("short", 2, 30), ("short".to_string(), 2));
        let line = "x".repeat(1000) + "HERE" + &"y".repeat(1000);
        let (w, before) = super::window(&line, 1000, 30);
        assert!(w.chars().count() <= 32, "{w}");
        assert!(w.starts_with('…') && w.ends_with('…'));
        assert_eq!(&w.chars().skip(before).take(4).collect::<String>(), "HERE");
        assert_eq!(super::clip("é".repeat(10), 3), "ééé…");
        assert_eq!(super::clip("abc".into(), 3), "abc");
    }
}
