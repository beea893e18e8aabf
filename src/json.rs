//! A tolerant JSON parser that keeps byte ranges.
//!
//! It builds a compact arena tree (`Doc`) whose nodes point into the source text, reports *every* syntax error
//! it meets (not only the first) and recovers, so a half-typed policy still gets diagnostics for what is there.
//! The same parser streams large exports element by element ([`Parser::value`] into a reused [`Doc`]), which
//! keeps memory near the size of the input.

use crate::text::Span;
use std::borrow::Cow;

/// Index of a node in a [`Doc`].
pub type NodeId = u32;

/// Marks "no node".
pub const NONE: NodeId = u32::MAX;

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number (its text is in the span).
    Number,
    /// A string; its span includes the quotes.
    String,
    /// `[...]`
    Array,
    /// `{...}`; its children are keys, each key's `first` is its value.
    Object,
    /// Text that is not a value (after a syntax error).
    Error,
}

impl Kind {
    /// The JSON type's name for messages ("a string", "an object").
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
            Kind::Error => "invalid JSON",
        }
    }
}

/// One node of the arena tree.
#[derive(Clone, Copy, Debug)]
pub struct Node {
    /// What it is.
    pub kind: Kind,
    /// For strings: whether the text contains escapes (so reading it must unescape).
    pub escaped: bool,
    /// Where it is in the source.
    pub span: Span,
    /// First child (containers) or the value (object keys).
    pub first: NodeId,
    /// Next sibling.
    pub next: NodeId,
}

/// A JSON syntax error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where.
    pub span: Span,
    /// What, lowercase, no final period.
    pub message: String,
}

/// An arena of nodes over one source text.
#[derive(Clone, Debug, Default)]
pub struct Doc {
    /// The nodes; indices are [`NodeId`]s.
    pub nodes: Vec<Node>,
}

#[expect(
    clippy::indexing_slicing,
    reason = "node ids index the arena they were pushed into; nodes are never removed"
)]
impl Doc {
    /// The node `id`.
    #[inline]
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    /// The kind of `id`.
    #[inline]
    pub fn kind(&self, id: NodeId) -> Kind {
        self.nodes[id as usize].kind
    }

    /// The span of `id`.
    #[inline]
    pub fn span(&self, id: NodeId) -> Span {
        self.nodes[id as usize].span
    }

    /// Children of a container (for objects: the keys).
    pub fn children(&self, id: NodeId) -> Children<'_> {
        let first = if id == NONE {
            NONE
        } else {
            self.nodes[id as usize].first
        };
        Children {
            doc: self,
            next: first,
        }
    }

    /// `(key, value)` pairs of an object, in source order (duplicates included).
    pub fn members(&self, id: NodeId) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.children(id).map(|k| (k, self.nodes[k as usize].first))
    }

    /// The decoded text of a string node (keys included).
    pub fn str<'s>(&self, src: &'s str, id: NodeId) -> Cow<'s, str> {
        let n = &self.nodes[id as usize];
        let inner = string_inner(src, n.span);
        if n.escaped {
            Cow::Owned(unescape(inner))
        } else {
            Cow::Borrowed(inner)
        }
    }

    /// The first value of `key` in object `obj` (case-sensitive).
    pub fn get(&self, src: &str, obj: NodeId, key: &str) -> Option<NodeId> {
        if self.kind(obj) != Kind::Object {
            return None;
        }
        self.members(obj)
            .find(|(k, _)| self.str(src, *k) == key)
            .map(|(_, v)| v)
    }
}

fn string_inner(src: &str, span: Span) -> &str {
    let r = span.range();
    let s = src.get(r).unwrap_or_default();
    let s = s.strip_prefix('"').unwrap_or(s);
    s.strip_suffix('"').unwrap_or(s)
}

/// Iterator over a node's children.
pub struct Children<'d> {
    doc: &'d Doc,
    next: NodeId,
}

#[expect(
    clippy::indexing_slicing,
    reason = "node ids index the arena they were pushed into; nodes are never removed"
)]
impl Iterator for Children<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        if self.next == NONE {
            return None;
        }
        let id = self.next;
        self.next = self.doc.nodes[id as usize].next;
        Some(id)
    }
}

/// Whether the raw text of a JSON string (escapes as written) holds a `\uD800`–`\uDFFF` escape that is not half
/// of a high–low pair: [`unescape`] reads it as U+FFFD, which is not what was written.
pub fn has_lone_surrogate(raw: &str) -> bool {
    if !raw.contains("\\u") {
        return false;
    }
    let b = raw.as_bytes();
    let hex = |i: usize| -> Option<u32> {
        let h = b.get(i..i + 4)?;
        u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    };
    let mut i = 0;
    while i < b.len() {
        if b.get(i) != Some(&b'\\') {
            i += 1;
            continue;
        }
        if b.get(i + 1) != Some(&b'u') {
            i += 2; // `\\`, `\"` and the like: the byte after the backslash is escaped
            continue;
        }
        match hex(i + 2) {
            Some(0xD800..=0xDBFF) => {
                let paired = b.get(i + 6) == Some(&b'\\')
                    && b.get(i + 7) == Some(&b'u')
                    && hex(i + 8).is_some_and(|lo| (0xDC00..=0xDFFF).contains(&lo));
                if !paired {
                    return true;
                }
                i += 12;
            }
            Some(0xDC00..=0xDFFF) => return true,
            _ => i += 2,
        }
    }
    false
}

/// Decode JSON string escapes (invalid escapes are kept as written; the parser reports them).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('/') => out.push('/'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16) {
                    Ok(hi) if hex.len() == 4 => {
                        for _ in 0..4 {
                            chars.next();
                        }
                        if (0xD800..0xDC00).contains(&hi) {
                            // A surrogate pair: \uD83D\uDE00
                            let rest = chars.as_str();
                            if let Some(lo_hex) = rest.strip_prefix("\\u").and_then(|r| r.get(..4))
                                && let Ok(lo) = u32::from_str_radix(lo_hex, 16)
                                && (0xDC00..0xE000).contains(&lo)
                            {
                                for _ in 0..6 {
                                    chars.next();
                                }
                                let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                                continue;
                            }
                            out.push('\u{FFFD}');
                        } else {
                            out.push(char::from_u32(hi).unwrap_or('\u{FFFD}'));
                        }
                    }
                    _ => out.push_str("\\u"),
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

const MAX_DEPTH: u32 = 256;

/// A recursive-descent parser over one source text. Use [`parse`] for a whole document, or the streaming
/// methods ([`Parser::begin_object`], [`Parser::next_key`], [`Parser::next_element`], [`Parser::value`]) to
/// walk a large file one element at a time.
pub struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
    /// Where the containers the streaming methods are inside were opened (for "unclosed" errors).
    opened: Vec<usize>,
    /// Every syntax error met so far.
    pub errors: Vec<SyntaxError>,
}

/// The result of parsing a whole text.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The tree.
    pub doc: Doc,
    /// The top-level value, [`NONE`] for an empty text.
    pub root: NodeId,
    /// Every syntax error.
    pub errors: Vec<SyntaxError>,
}

/// Parse a whole JSON text, tolerantly.
pub fn parse(src: &str) -> Parsed {
    let mut p = Parser::new(src);
    let mut doc = Doc::default();
    p.skip_ws();
    let root = if p.at_end() {
        p.error(
            Span::new(0, src.len()),
            "expected a JSON value, found an empty document",
        );
        NONE
    } else {
        p.value(&mut doc)
    };
    p.finish();
    Parsed {
        doc,
        root,
        errors: p.errors,
    }
}

#[expect(
    clippy::indexing_slicing,
    reason = "node ids index the arena they were pushed into; nodes are never removed"
)]
impl<'a> Parser<'a> {
    /// `src[a..b]`, empty when that is not a range of character boundaries (never, for the parser's positions).
    fn slice(&self, a: usize, b: usize) -> &'a str {
        self.src.get(a..b).unwrap_or_default()
    }

    /// `src[a..]`, empty when `a` is not a character boundary inside the text.
    fn tail(&self, a: usize) -> &'a str {
        self.src.get(a..).unwrap_or_default()
    }

    /// A parser at the start of `src`.
    pub fn new(src: &'a str) -> Self {
        Parser {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            depth: 0,
            opened: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// The current byte offset.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The text being parsed.
    pub fn src(&self) -> &'a str {
        self.src
    }

    /// True at the end of the text (whitespace skipped first).
    pub fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos >= self.bytes.len()
    }

    /// Report anything but whitespace after the top-level value.
    pub fn finish(&mut self) {
        self.skip_ws();
        if self.pos < self.bytes.len() {
            let end = self.src.len();
            self.error(
                Span::new(self.pos, end),
                "unexpected text after the end of the JSON document",
            );
            self.pos = end;
        }
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        // Keep memory bounded on garbage input.
        if self.errors.len() < 1000 {
            self.errors.push(SyntaxError {
                span,
                message: message.into(),
            });
        }
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes.get(self.pos).copied()
    }

    fn push(doc: &mut Doc, kind: Kind, span: Span) -> NodeId {
        let id = doc.nodes.len() as NodeId;
        doc.nodes.push(Node {
            kind,
            escaped: false,
            span,
            first: NONE,
            next: NONE,
        });
        id
    }

    /// Parse one value at the current position into `doc`, returning its id.
    pub fn value(&mut self, doc: &mut Doc) -> NodeId {
        self.skip_ws();
        let start = self.pos;
        match self.bytes.get(self.pos) {
            None => {
                self.error(
                    Span::new(start, start),
                    "expected a value, found the end of the text",
                );
                Self::push(doc, Kind::Error, Span::new(start, start))
            }
            Some(b'{') => self.object(doc),
            Some(b'[') => self.array(doc),
            Some(b'"') => self.string(doc),
            Some(b't') => self.literal(doc, "true", Kind::Bool(true)),
            Some(b'f') => self.literal(doc, "false", Kind::Bool(false)),
            Some(b'n') => self.literal(doc, "null", Kind::Null),
            Some(b'-' | b'0'..=b'9') => self.number(doc),
            Some(_) => {
                let end = self.bad_token_end();
                let shown: String = self.slice(start, end).chars().take(20).collect();
                let msg = if self.tail(start).starts_with('\'') {
                    "strings must use double quotes, not single quotes".to_string()
                } else {
                    format!("expected a value, found `{shown}`")
                };
                self.error(Span::new(start, end), msg);
                self.pos = end;
                Self::push(doc, Kind::Error, Span::new(start, end))
            }
        }
    }

    /// End of a run of text that is not JSON, stopping at a delimiter or whitespace.
    fn bad_token_end(&self) -> usize {
        let mut end = self.pos;
        for (i, c) in self.tail(self.pos).char_indices() {
            if matches!(
                c,
                ',' | ']' | '}' | ':' | '{' | '[' | '"' | ' ' | '\n' | '\r' | '\t'
            ) && i > 0
            {
                break;
            }
            end = self.pos + i + c.len_utf8();
            if matches!(c, ',' | ']' | '}' | ':' | '{' | '[' | '"') {
                break;
            }
        }
        end
    }

    fn literal(&mut self, doc: &mut Doc, word: &str, kind: Kind) -> NodeId {
        let start = self.pos;
        if self.tail(start).starts_with(word)
            && !self
                .bytes
                .get(start + word.len())
                .is_some_and(|b| b.is_ascii_alphanumeric())
        {
            self.pos += word.len();
            Self::push(doc, kind, Span::new(start, self.pos))
        } else {
            let end = self.bad_token_end();
            let shown: String = self.slice(start, end).chars().take(20).collect();
            self.error(
                Span::new(start, end),
                format!("expected a value, found `{shown}`"),
            );
            self.pos = end;
            Self::push(doc, Kind::Error, Span::new(start, end))
        }
    }

    fn number(&mut self, doc: &mut Doc) -> NodeId {
        let start = self.pos;
        let b = self.bytes;
        let mut i = start;
        let mut ok = true;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => {
                i += 1;
                if b.get(i).is_some_and(u8::is_ascii_digit) {
                    ok = false;
                }
            }
            Some(b'1'..=b'9') => {
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => ok = false,
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !b.get(i).is_some_and(u8::is_ascii_digit) {
                ok = false;
            }
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !b.get(i).is_some_and(u8::is_ascii_digit) {
                ok = false;
            }
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        // Swallow what sticks to the number (`12abc`), so the error covers it.
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'_')
        {
            ok = false;
            i += 1;
        }
        self.pos = i;
        let span = Span::new(start, i);
        if ok {
            Self::push(doc, Kind::Number, span)
        } else {
            self.error(
                span,
                format!("invalid number `{}`", crate::text::at(self.src, span)),
            );
            Self::push(doc, Kind::Error, span)
        }
    }

    fn string(&mut self, doc: &mut Doc) -> NodeId {
        let start = self.pos;
        let b = self.bytes;
        let mut i = start + 1;
        let mut escaped = false;
        loop {
            // Fast scan to the next interesting byte.
            while let Some(&c) = b.get(i) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                i += 1;
            }
            match b.get(i) {
                Some(b'"') => {
                    i += 1;
                    break;
                }
                Some(b'\\') => {
                    escaped = true;
                    match b.get(i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                        Some(b'u') => {
                            let hex_ok = b
                                .get(i + 2..i + 6)
                                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
                            if !hex_ok {
                                let end = (i + 6).min(b.len());
                                let end = crate::text::floor_char_boundary(self.src, end);
                                self.error(
                                    Span::new(i, end),
                                    "invalid unicode escape: `\\u` must be followed by four hex digits",
                                );
                                i += 2;
                            } else {
                                i += 6;
                            }
                        }
                        Some(_) => {
                            let c = self.tail(i + 1).chars().next().unwrap_or(' ');
                            self.error(
                                Span::new(i, i + 1 + c.len_utf8()),
                                format!("invalid escape `\\{c}` in string"),
                            );
                            i += 1 + c.len_utf8();
                        }
                        None => i += 1,
                    }
                }
                Some(b'\n' | b'\r') | None => {
                    // Unterminated: end the string at the line end so the rest still parses.
                    self.error(
                        Span::new(start, i),
                        "unterminated string: missing closing `\"`",
                    );
                    self.pos = i;
                    let id = Self::push(doc, Kind::String, Span::new(start, i));
                    doc.nodes[id as usize].escaped = escaped;
                    return id;
                }
                Some(_) => {
                    self.error(
                        Span::new(i, i + 1),
                        "control character in string: escape it (for a tab, write `\\t`)",
                    );
                    i += 1;
                }
            }
        }
        self.pos = i;
        let id = Self::push(doc, Kind::String, Span::new(start, i));
        doc.nodes[id as usize].escaped = escaped;
        id
    }

    /// `line:column` of byte `offset`, for messages that name a second place (a truncated file: where it ends
    /// and where the bracket it leaves open was opened).
    fn line_col(&self, offset: usize) -> String {
        let at = crate::text::line_col(self.src, offset);
        format!("{}:{}", at.line, at.col)
    }

    /// The error for a container opened at `start` that the text ends inside.
    fn unclosed(&mut self, start: usize, what: &str, close: char) {
        let end = self.line_col(self.src.len());
        self.error(
            Span::new(start, start + 1),
            format!("unclosed {what}: missing `{close}` (the text ends at {end}, truncated?)"),
        );
    }

    fn enter(&mut self, start: usize) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.error(
                Span::new(start, start + 1),
                format!("nesting deeper than {MAX_DEPTH} levels"),
            );
            return false;
        }
        true
    }

    /// Skip the rest of an over-deep container without recursion.
    fn skip_container(&mut self) {
        let mut depth = 0usize;
        while let Some(&c) = self.bytes.get(self.pos) {
            match c {
                b'"' => {
                    let mut scratch = Doc::default();
                    self.string(&mut scratch);
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.pos += 1;
                        return;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn object(&mut self, doc: &mut Doc) -> NodeId {
        let start = self.pos;
        let id = Self::push(doc, Kind::Object, Span::new(start, start + 1));
        if !self.enter(start) {
            self.skip_container();
            self.depth -= 1;
            doc.nodes[id as usize].kind = Kind::Error;
            doc.nodes[id as usize].span = Span::new(start, self.pos);
            return id;
        }
        self.pos += 1;
        let mut last = NONE;
        let mut expect_member = true;
        loop {
            let Some(c) = self.peek() else {
                self.unclosed(start, "object", '}');
                break;
            };
            match c {
                b'}' => {
                    if expect_member && last != NONE {
                        let p = self.pos;
                        self.error(Span::new(p, p + 1), "trailing comma before `}`");
                    }
                    self.pos += 1;
                    break;
                }
                b',' => {
                    let p = self.pos;
                    if expect_member {
                        self.error(Span::new(p, p + 1), "unexpected `,`: expected a key");
                    }
                    self.pos += 1;
                    expect_member = true;
                }
                b']' => {
                    let p = self.pos;
                    self.error(
                        Span::new(p, p + 1),
                        "unexpected `]`: expected `}` to close the object",
                    );
                    self.pos += 1;
                    break;
                }
                _ => {
                    if !expect_member {
                        let p = self.pos;
                        self.error(Span::new(p, p), "expected `,` or `}` after a value");
                    }
                    let key = if c == b'"' {
                        self.string(doc)
                    } else {
                        // A key that is not a string: report, then treat it as a key if a colon follows.
                        let ks = self.pos;
                        let end = self.bad_token_end();
                        if end == ks {
                            self.pos += 1;
                            continue;
                        }
                        let shown: String = self.slice(ks, end).chars().take(20).collect();
                        self.error(
                            Span::new(ks, end),
                            format!(
                                "object keys must be strings in double quotes, found `{shown}`"
                            ),
                        );
                        self.pos = end;
                        let k = Self::push(doc, Kind::Error, Span::new(ks, end));
                        if self.peek() != Some(b':') {
                            expect_member = false;
                            continue;
                        }
                        k
                    };
                    if last == NONE {
                        doc.nodes[id as usize].first = key;
                    } else {
                        doc.nodes[last as usize].next = key;
                    }
                    last = key;
                    if self.peek() == Some(b':') {
                        self.pos += 1;
                    } else {
                        let p = self.pos;
                        self.error(Span::new(p, p), "expected `:` after the key");
                    }
                    let v = match self.peek() {
                        Some(b',' | b'}') | None => {
                            let p = self.pos;
                            self.error(Span::new(p, p), "expected a value after the key");
                            Self::push(doc, Kind::Error, Span::new(p, p))
                        }
                        _ => self.value(doc),
                    };
                    doc.nodes[key as usize].first = v;
                    expect_member = false;
                }
            }
        }
        self.depth -= 1;
        doc.nodes[id as usize].span = Span::new(start, self.pos);
        id
    }

    fn array(&mut self, doc: &mut Doc) -> NodeId {
        let start = self.pos;
        let id = Self::push(doc, Kind::Array, Span::new(start, start + 1));
        if !self.enter(start) {
            self.skip_container();
            self.depth -= 1;
            doc.nodes[id as usize].kind = Kind::Error;
            doc.nodes[id as usize].span = Span::new(start, self.pos);
            return id;
        }
        self.pos += 1;
        let mut last = NONE;
        let mut expect_value = true;
        loop {
            let Some(c) = self.peek() else {
                self.unclosed(start, "array", ']');
                break;
            };
            match c {
                b']' => {
                    if expect_value && last != NONE {
                        let p = self.pos;
                        self.error(Span::new(p, p + 1), "trailing comma before `]`");
                    }
                    self.pos += 1;
                    break;
                }
                b',' => {
                    let p = self.pos;
                    if expect_value {
                        self.error(Span::new(p, p + 1), "unexpected `,`: expected a value");
                    }
                    self.pos += 1;
                    expect_value = true;
                }
                b'}' => {
                    let p = self.pos;
                    self.error(
                        Span::new(p, p + 1),
                        "unexpected `}`: expected `]` to close the array",
                    );
                    self.pos += 1;
                    break;
                }
                b':' => {
                    let p = self.pos;
                    self.error(Span::new(p, p + 1), "unexpected `:` in an array");
                    self.pos += 1;
                }
                _ => {
                    if !expect_value {
                        let p = self.pos;
                        self.error(Span::new(p, p), "expected `,` or `]` after a value");
                    }
                    let v = self.value(doc);
                    if last == NONE {
                        doc.nodes[id as usize].first = v;
                    } else {
                        doc.nodes[last as usize].next = v;
                    }
                    last = v;
                    expect_value = false;
                }
            }
        }
        self.depth -= 1;
        doc.nodes[id as usize].span = Span::new(start, self.pos);
        id
    }

    // ---- Streaming: walk a large document without building its whole tree ----

    /// Expect `{` and step into it. Returns false (with an error) otherwise.
    pub fn begin_object(&mut self) -> bool {
        self.begin(b'{', "an object")
    }

    /// Expect `[` and step into it. Returns false (with an error) otherwise.
    pub fn begin_array(&mut self) -> bool {
        self.begin(b'[', "an array")
    }

    fn begin(&mut self, open: u8, what: &str) -> bool {
        if self.peek() == Some(open) {
            self.opened.push(self.pos);
            self.pos += 1;
            true
        } else {
            let p = self.pos;
            self.error(Span::new(p, p), format!("expected {what}"));
            false
        }
    }

    /// Inside an object: the next key (its span and decoded text), or `None` after the closing `}`.
    /// The caller must then read the value with [`Parser::value`] or [`Parser::skip_value`].
    pub fn next_key(&mut self, first: &mut bool) -> Option<(Span, String)> {
        loop {
            let c = self.peek();
            match c {
                None => {
                    let p = self.pos;
                    let opened = self.opened.pop().map(|o| self.line_col(o));
                    self.error(
                        Span::new(p, p),
                        match opened {
                            Some(o) => format!(
                                "unclosed object opened at {o}: missing `}}` (the text ends here, truncated?)"
                            ),
                            None => "unclosed object: missing `}`".to_string(),
                        },
                    );
                    return None;
                }
                Some(b'}') => {
                    self.pos += 1;
                    self.opened.pop();
                    return None;
                }
                Some(b',') if !*first => {
                    self.pos += 1;
                    if self.peek() == Some(b'}') {
                        let p = self.pos;
                        self.error(Span::new(p, p + 1), "trailing comma before `}`");
                    }
                    *first = true;
                }
                Some(b'"') if *first => {
                    *first = false;
                    let mut scratch = Doc::default();
                    let k = self.string(&mut scratch);
                    let span = scratch.span(k);
                    let text = scratch.str(self.src, k).into_owned();
                    if self.peek() == Some(b':') {
                        self.pos += 1;
                    } else {
                        let p = self.pos;
                        self.error(Span::new(p, p), "expected `:` after the key");
                    }
                    return Some((span, text));
                }
                Some(_) => {
                    let p = self.pos;
                    let end = self.bad_token_end().max(p + 1);
                    self.error(Span::new(p, end), "expected `,` or `}` in the object");
                    // Give up on this object: syntax errors make the whole load fail anyway.
                    self.pos = self.src.len();
                    return None;
                }
            }
        }
    }

    /// Inside an array: true when another element follows (the caller reads it), false after `]`.
    pub fn next_element(&mut self, first: &mut bool) -> bool {
        match self.peek() {
            None => {
                let p = self.pos;
                let opened = self.opened.pop().map(|o| self.line_col(o));
                self.error(
                    Span::new(p, p),
                    match opened {
                        Some(o) => format!(
                            "unclosed array opened at {o}: missing `]` (the text ends here, truncated?)"
                        ),
                        None => "unclosed array: missing `]`".to_string(),
                    },
                );
                false
            }
            Some(b']') => {
                self.pos += 1;
                self.opened.pop();
                false
            }
            Some(b',') if !*first => {
                self.pos += 1;
                if self.peek() == Some(b']') {
                    let p = self.pos;
                    self.error(Span::new(p, p + 1), "trailing comma before `]`");
                    self.pos += 1;
                    self.opened.pop();
                    return false;
                }
                true
            }
            Some(_) if *first => {
                *first = false;
                true
            }
            Some(_) => {
                let p = self.pos;
                self.error(Span::new(p, p), "expected `,` or `]` after a value");
                self.pos = self.src.len();
                false
            }
        }
    }

    /// Parse and discard one value (its syntax errors are still reported).
    pub fn skip_value(&mut self) {
        let mut scratch = Doc::default();
        self.value(&mut scratch);
    }

    /// The kind of the value that starts at the current position, without consuming it.
    pub fn peek_kind(&mut self) -> Option<u8> {
        self.peek()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errs(src: &str) -> Vec<(String, String)> {
        parse(src)
            .errors
            .into_iter()
            .map(|e| (src[e.span.range()].to_string(), e.message))
            .collect()
    }

    #[test]
    fn parses_nested_values_with_spans() {
        let src = r#" {"a": [1, -2.5e3, true, null], "b\"c": {"d": "x\u0041"}} "#;
        let p = parse(src);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let d = &p.doc;
        assert_eq!(d.kind(p.root), Kind::Object);
        let a = d.get(src, p.root, "a").unwrap();
        let items: Vec<&str> = d.children(a).map(|n| &src[d.span(n).range()]).collect();
        assert_eq!(items, ["1", "-2.5e3", "true", "null"]);
        let b = d.get(src, p.root, "b\"c").unwrap();
        let dd = d.get(src, b, "d").unwrap();
        assert_eq!(d.str(src, dd), "xA");
        assert_eq!(&src[d.span(b).range()], r#"{"d": "x\u0041"}"#);
    }

    #[test]
    fn reports_every_error_and_recovers() {
        let e = errs(r#"{"a": 1 "b": [1,,2], "c": tru, 'd': 3,}"#);
        let msgs: Vec<&str> = e.iter().map(|(_, m)| m.as_str()).collect();
        assert!(
            msgs.contains(&"expected `,` or `}` after a value"),
            "{msgs:?}"
        );
        assert!(msgs.contains(&"unexpected `,`: expected a value"));
        assert!(
            e.iter()
                .any(|(t, m)| t == "tru" && m.contains("expected a value"))
        );
        assert!(
            e.iter()
                .any(|(t, m)| t == "'d'" && m.contains("double quotes"))
        );
        assert!(msgs.contains(&"trailing comma before `}`"));
    }

    #[test]
    fn numbers_strings_and_trailing_text() {
        assert_eq!(errs("01")[0].1, "invalid number `01`");
        assert_eq!(errs("1.")[0].1, "invalid number `1.`");
        assert!(errs("\"abc\n")[0].1.starts_with("unterminated string"));
        assert!(errs("\"a\\qb\"")[0].1.starts_with("invalid escape"));
        assert!(errs("{} x")[0].1.starts_with("unexpected text after"));
        assert!(errs("")[0].1.contains("empty document"));
        assert!(
            errs("[1, 2")
                .iter()
                .any(|(_, m)| m.contains("unclosed array"))
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let src = "[".repeat(100_000);
        let p = parse(&src);
        assert!(
            p.errors
                .iter()
                .any(|e| e.message.contains("nesting deeper"))
        );
    }

    #[test]
    fn unescape_handles_surrogate_pairs() {
        assert_eq!(unescape(r"\ud83d\ude00!"), "😀!");
        assert_eq!(unescape(r"a\/b\n"), "a/b\n");
    }

    #[test]
    fn streaming_walk_matches_tree() {
        let src = r#"{"List": [{"n": 1}, {"n": 2}], "Other": "x"}"#;
        let mut p = Parser::new(src);
        assert!(p.begin_object());
        let mut first = true;
        let mut seen = Vec::new();
        while let Some((_, key)) = p.next_key(&mut first) {
            if key == "List" {
                assert!(p.begin_array());
                let mut f = true;
                while p.next_element(&mut f) {
                    let mut doc = Doc::default();
                    let v = p.value(&mut doc);
                    let n = doc.get(src, v, "n").unwrap();
                    seen.push(src[doc.span(n).range()].to_string());
                }
            } else {
                p.skip_value();
            }
        }
        p.finish();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(seen, ["1", "2"]);
    }
}
