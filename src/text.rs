//! Byte ranges into source text and a line index for turning them into line/column when displaying.
//!
//! Everything in the core speaks byte offsets (as egui's text layout does); line and column are computed only
//! when something is shown to a person, as ruff and biome do.

use serde::Serialize;

mod packed;
pub use packed::Packed;

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
        let mut b = LineIndexBuilder::default();
        b.push(text.as_bytes());
        b.finish()
    }

    /// The 0-based line of byte `offset`.
    fn line_of(&self, offset: u32) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Line and column of byte `offset` in a text of `len` bytes, `chars(a, b)` counting the characters of
    /// bytes `a..b` (which may end inside a character: the column is then that character's).
    pub fn line_col_by(
        &self,
        len: usize,
        offset: u32,
        chars: impl FnOnce(usize, usize) -> usize,
    ) -> LineCol {
        let offset = offset.min(len as u32);
        let line = self.line_of(offset);
        let start = self.starts.get(line).map_or(0, |s| *s as usize);
        let end = (offset as usize).max(start);
        let col = if self.ascii {
            end - start
        } else {
            chars(start, end)
        } as u32
            + 1;
        LineCol {
            line: line as u32 + 1,
            col,
        }
    }

    /// The byte range of line `line` (1-based) in a text of `len` bytes, with its line terminator.
    pub fn line_range_with_end(&self, len: usize, line: u32) -> std::ops::Range<usize> {
        let i = (line.max(1) - 1) as usize;
        let start = self.starts.get(i).copied().unwrap_or(len as u32) as usize;
        let end = self.starts.get(i + 1).map(|s| *s as usize).unwrap_or(len);
        start.min(len)..end.clamp(start.min(len), len)
    }

    /// Line and column of byte `offset` in `text` (the text this index was built from).
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        self.line_col_by(text.len(), offset, |a, b| {
            let b = floor_char_boundary(text, b).max(a);
            text.get(a..b).map_or(0, |t| t.chars().count())
        })
    }

    /// The byte range of line `line` (1-based) without its line terminator.
    pub fn line_range(&self, text: &str, line: u32) -> std::ops::Range<usize> {
        let std::ops::Range { start, mut end } = self.line_range_with_end(text.len(), line);
        while end > start && matches!(text.as_bytes().get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        start..end
    }

    /// True when the text is ASCII.
    pub fn is_ascii(&self) -> bool {
        self.ascii
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

/// Builds a [`LineIndex`] from a text given in pieces (a packed text's blocks), with the same line ends as
/// [`LineIndex::new`] wherever the pieces are cut (a `\r\n` may be cut in two).
#[derive(Debug)]
pub struct LineIndexBuilder {
    starts: Vec<u32>,
    ascii: bool,
    /// Bytes seen so far.
    pos: usize,
    /// The last byte seen was a `\r`: a line ends after it, or after the `\n` that follows.
    cr: bool,
}

impl Default for LineIndexBuilder {
    fn default() -> Self {
        LineIndexBuilder {
            starts: vec![0],
            ascii: true,
            pos: 0,
            cr: false,
        }
    }
}

impl LineIndexBuilder {
    /// The next piece of the text.
    pub fn push(&mut self, bytes: &[u8]) {
        self.ascii &= bytes.is_ascii();
        for (k, &b) in bytes.iter().enumerate() {
            let i = self.pos + k;
            if std::mem::take(&mut self.cr) && b != b'\n' {
                self.starts.push(i as u32);
            }
            match b {
                b'\n' => self.starts.push(i as u32 + 1),
                b'\r' => self.cr = true,
                _ => {}
            }
        }
        self.pos += bytes.len();
    }

    /// The index.
    pub fn finish(mut self) -> LineIndex {
        if self.cr {
            self.starts.push(self.pos as u32);
        }
        LineIndex {
            starts: self.starts,
            ascii: self.ascii,
        }
    }
}

/// The characters of `bytes`, a piece of UTF-8 text that starts at a character and ends at a position, `next`
/// the byte at that position: when the position falls inside a character, that character is not counted (as
/// [`LineIndex::line_col`] counts up to the character boundary at or before a position).
pub fn chars_before(bytes: &[u8], next: Option<u8>) -> usize {
    // Every byte but a continuation byte starts a character.
    let n = bytes.iter().filter(|&&b| !is_continuation(b)).count();
    match next {
        Some(b) if is_continuation(b) => n.saturating_sub(1),
        _ => n,
    }
}

/// A UTF-8 continuation byte (`0b10xx_xxxx`): not the first byte of a character.
pub fn is_continuation(b: u8) -> bool {
    (b as i8) < -0x40
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

    /// Line starts as `LineIndex::new` found them before it was built in pieces.
    fn starts_of_the_whole(text: &str) -> Vec<u32> {
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
        starts
    }

    #[test]
    fn an_index_built_in_pieces_is_the_index_of_the_whole() {
        let texts = ["ab\r\ncé\rx\ny", "\r\r\n\n\r", "é\r", "\n", "", "x\r\n"];
        for text in texts {
            let whole = LineIndex::new(text);
            assert_eq!(whole.starts, starts_of_the_whole(text), "{text:?}");
            let b = text.as_bytes();
            for cut in 0..=b.len() {
                for cut2 in cut..=b.len() {
                    let mut builder = LineIndexBuilder::default();
                    builder.push(&b[..cut]);
                    builder.push(&b[cut..cut2]);
                    builder.push(&b[cut2..]);
                    let pieces = builder.finish();
                    assert_eq!(pieces.starts, whole.starts, "{text:?} cut at {cut}, {cut2}");
                    assert_eq!(pieces.ascii, whole.ascii);
                }
            }
            // Counting from bytes agrees with counting from the text, inside a character too.
            for offset in 0..=b.len() {
                let by_bytes = whole.line_col_by(b.len(), offset as u32, |a, e| {
                    chars_before(&b[a..e], b.get(e).copied())
                });
                assert_eq!(
                    by_bytes,
                    whole.line_col(text, offset as u32),
                    "{text:?} at {offset}"
                );
            }
        }
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

/// A text length as one bit of a [`u64`] set (63 bytes or more share the last bit): with [`length_set`], a test
/// of a text against a list of words that rules most texts out by their length before comparing any.
pub const fn length_bit(len: usize) -> u64 {
    1u64 << if len < 63 { len } else { 63 }
}

/// The lengths of `words` ([`length_bit`]).
pub const fn length_set(words: &[&str]) -> u64 {
    let mut set = 0;
    let mut rest = words;
    while let [first, tail @ ..] = rest {
        set |= length_bit(first.len());
        rest = tail;
    }
    set
}

/// Whether `text` may be one of the words whose lengths `set` holds ([`length_set`]).
#[inline]
pub fn length_in(set: u64, text: &str) -> bool {
    set & length_bit(text.len()) != 0
}

/// Whether `s` begins with `prefix` and goes on past it, ignoring ASCII case: a condition key of a family
/// (`aws:PrincipalTag/team` of `aws:PrincipalTag/`), as AWS matches key names.
pub fn extends_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() > prefix.len()
        && s.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
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
    /// A length set rules out exactly the texts of other lengths, long ones sharing the last bit.
    #[test]
    fn length_sets_rule_out_other_lengths() {
        const SET: u64 = super::length_set(&["aws:userid", "ab", ""]);
        let long = "x".repeat(70);
        const LONG: u64 = super::length_set(&[
            "0123456789012345678901234567890123456789012345678901234567890123",
        ]);
        for (text, set, want) in [
            ("AWS:USERID", SET, true),
            ("aws:useri", SET, false),
            ("cd", SET, true),
            ("", SET, true),
            ("abc", SET, false),
            (long.as_str(), SET, false),
            (long.as_str(), LONG, true),
            ("x", LONG, false),
        ] {
            assert_eq!(super::length_in(set, text), want, "{text}");
        }
    }

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
