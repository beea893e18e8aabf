//! The common request line read without serde: an object of the known fields, string values without escapes,
//! a context of strings or arrays of strings. Anything else, valid or not, is left to serde (`None`), which
//! reads it or says why it cannot: so a line is never read differently, and never accepted here when serde
//! would refuse it (`tests::the_quick_reading_is_serdes_wherever_it_reads` checks both on every kind of
//! line). Parsing was a fifth of a decision's work.
//!
//! The common answer of `--output decision` is written the same way ([`write_brief`]): byte for byte what serde
//! writes (`tests::the_quick_writing_is_serdes`), without serde's escaping pass over names that need none.

use crate::eval::condition::Context;
use crate::eval::engine::{Brief, Decision, Layer, StatementRef};

/// A request line's fields, borrowed from the line.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct QuickLine<'a> {
    pub(super) principal: &'a str,
    pub(super) action: &'a str,
    pub(super) resource: &'a str,
    pub(super) resource_account: Option<&'a str>,
    /// The context's entries as read (see [`fill_context`]): `entries[..count]`.
    context: Entries<'a>,
}

/// A context's entries, read once: each key with its value, a string or an array's text (`[…]`, already
/// checked: read again by [`fill_context`]).
#[derive(Debug, PartialEq, Eq)]
struct Entries<'a> {
    entries: [(&'a str, Value<'a>); MAX_KEYS],
    count: usize,
}

/// A context value as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Value<'a> {
    One(&'a str),
    /// An array's text, `[` to `]`.
    Many(&'a str),
}

/// Context keys read here at most (a larger context is left to serde: repeated keys are looked for by pairs).
const MAX_KEYS: usize = 16;

/// A position in a line.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
    /// The line has no `\\` and no control character (below U+0020), in its strings or out of them: a string
    /// then ends at the next `"` (see [`plain`]).
    plain: bool,
}

impl<'a> Cursor<'a> {
    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// The next byte after JSON whitespace.
    fn peek(&mut self) -> Option<u8> {
        while matches!(self.byte(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
        self.byte()
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.at += 1)
    }

    /// A string without escapes or control characters (which JSON forbids unescaped).
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let rest = self.text.as_bytes().get(start..)?;
        let len = if self.plain {
            memchr::memchr(b'"', rest)?
        } else {
            special(rest)?
        };
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.at = start + len + 1;
        // `"` is ASCII: both ends are character boundaries.
        self.text.get(start..start + len)
    }

    /// A context value: a string, or an array of strings. Calls `f` with each.
    fn values(&mut self, mut f: impl FnMut(&'a str)) -> Option<()> {
        match self.peek()? {
            b'"' => f(self.string()?),
            b'[' => {
                self.at += 1;
                if self.peek()? == b']' {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    f(self.string()?);
                    if !self.more(b']')? {
                        return Some(());
                    }
                }
            }
            _ => return None,
        }
        Some(())
    }

    /// The members of an object, `f` called with each key (the cursor then at its value). `None` from `f`
    /// gives up.
    fn members(&mut self, mut f: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            f(self, key)?;
            if !self.more(b'}')? {
                return Some(());
            }
        }
    }

    /// After a member or an element: `true` past a `,`, `false` past `close`.
    fn more(&mut self, close: u8) -> Option<bool> {
        let b = self.peek()?;
        self.at += 1;
        match b {
            b',' => Some(true),
            _ if b == close => Some(false),
            _ => None,
        }
    }
}

/// Whether `line` has neither `\\` nor a control character (below U+0020) anywhere: then each of its strings
/// ends at its next `"`. One pass over the line, a byte at a time without a branch (the compiler reads several
/// at once), instead of a search for three kinds of byte in every string.
fn plain(line: &str) -> bool {
    line.bytes().fold(0u8, |seen, b| {
        seen | u8::from(b < 0x20) | u8::from(b == b'\\')
    }) == 0
}

/// Where the first byte that ends or escapes a JSON string is (`"`, `\` or a control character below U+0020),
/// eight bytes at a time: the strings of a request line are short, where a search routine's set-up costs more than
/// the search.
fn special(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is zero, or below `n`: the lowest flagged byte is exact (a borrow only flags bytes above it).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let hits = zero(x ^ (ONES * u64::from(b'"')))
            | zero(x ^ (ONES * u64::from(b'\\')))
            | below(x, 0x20);
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| at + i)
}

/// Check a context object, from the cursor: string or string-array values, at most [`MAX_KEYS`] keys, no two
/// the same, even but for case (the serde reading merges their values into one multi-valued key: such a line is
/// left to it).
fn check_context<'a>(c: &mut Cursor<'a>) -> Option<Entries<'a>> {
    let mut out = Entries {
        entries: [("", Value::One("")); MAX_KEYS],
        count: 0,
    };
    c.members(|c, key| {
        let seen = out.entries.get(..out.count)?;
        if seen.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
            return None;
        }
        let value = if c.peek()? == b'"' {
            Value::One(c.string()?)
        } else {
            let start = c.at;
            c.values(|_| ())?;
            Value::Many(c.text.get(start..c.at)?)
        };
        *out.entries.get_mut(out.count)? = (key, value);
        out.count += 1;
        Some(())
    })?;
    Some(out)
}

/// Read `text` (one line), or `None` to leave it to serde.
pub(super) fn read(text: &str) -> Option<QuickLine<'_>> {
    let mut c = Cursor {
        text,
        at: 0,
        plain: plain(text),
    };
    let (mut principal, mut action, mut resource) = (None, None, None);
    let mut resource_account = None;
    let mut context = None;
    c.members(|c, key| {
        // A field given twice is serde's error to report.
        let slot = match key {
            "principal" => &mut principal,
            "action" => &mut action,
            "resource" => &mut resource,
            "resource_account" => &mut resource_account,
            "context" => {
                if context.is_some() {
                    return None;
                }
                context = Some(check_context(c)?);
                return Some(());
            }
            // Unknown fields are ignored by serde, whatever their value: left to it.
            _ => return None,
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(c.string()?);
        Some(())
    })?;
    // Nothing but whitespace after the object.
    if c.peek().is_some() {
        return None;
    }
    Some(QuickLine {
        principal: principal?,
        action: action?,
        resource: resource?,
        resource_account,
        context: context.unwrap_or(Entries {
            entries: [("", Value::One("")); MAX_KEYS],
            count: 0,
        }),
    })
}

/// Fill `ctx` (emptied) with the line's context, as the serde reading does.
pub(super) fn fill_context(ctx: &mut Context, line: &QuickLine<'_>) {
    ctx.clear();
    let entries = line.context.entries.get(..line.context.count);
    for &(key, value) in entries.unwrap_or_default() {
        match value {
            // Keys that differ even but for case (`check_context`), in a context just emptied.
            Value::One(v) => {
                let _ = ctx.set_new_with(key, |values| values.push(v));
            }
            Value::Many(text) => {
                let mut c = Cursor {
                    text,
                    at: 0,
                    plain: false,
                };
                // Checked by `read`: this reading cannot stop early.
                let _ = ctx.set_new_with(key, |values| c.values(|v| values.push(v)));
            }
        }
    }
}

/// Write `b` as serde writes it, one JSON object (no newline), and say true; false, writing nothing, for an
/// answer this does not write (one that lists why it is uncertain, or that a rule of AWS's decided), which serde
/// then writes.
pub(super) fn write_brief(out: &mut Vec<u8>, b: &Brief) -> bool {
    if !b.unknown.is_empty() || b.aws_rule.is_some() {
        return false;
    }
    out.extend_from_slice(b"{\"decision\":\"");
    out.extend_from_slice(decision_name(b.decision).as_bytes());
    out.extend_from_slice(b"\",\"decided_by\":");
    match b.decided_by {
        Some(l) => {
            out.push(b'"');
            out.extend_from_slice(layer_name(l).as_bytes());
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"deciding_statement\":");
    match &b.deciding_statement {
        Some(StatementRef {
            kind,
            name,
            attached_to,
            index,
        }) => {
            out.extend_from_slice(b"{\"kind\":");
            string(out, kind);
            out.extend_from_slice(b",\"name\":");
            string(out, name);
            out.extend_from_slice(b",\"attached_to\":");
            match attached_to {
                Some(a) => string(out, a),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"index\":");
            number(out, *index);
            out.push(b'}');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(if b.certain {
        b",\"certain\":true}"
    } else {
        b",\"certain\":false}"
    });
    true
}

/// A JSON string: as is between quotes when nothing in it needs an escape (JSON escapes only `"`, `\` and the
/// control characters below U+0020; serde writes the rest as they are), else by serde.
fn string(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, s).is_err() {
        // Writing into a vector cannot fail; were it to, the string is still a string.
        out.extend_from_slice(b"\"\"");
    }
}

/// A number in decimal.
fn number(out: &mut Vec<u8>, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(at..).unwrap_or_default());
}

/// The name serde writes for `d` (`tests::the_quick_writing_is_serdes` checks every one).
fn decision_name(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "Allow",
        Decision::ExplicitDeny => "ExplicitDeny",
        Decision::ImplicitDeny => "ImplicitDeny",
    }
}

/// The name serde writes for `l` (checked like [`decision_name`]).
fn layer_name(l: Layer) -> &'static str {
    match l {
        Layer::Scp => "Scp",
        Layer::Rcp => "Rcp",
        Layer::Resource => "Resource",
        Layer::Trust => "Trust",
        Layer::Identity => "Identity",
        Layer::Boundary => "Boundary",
        Layer::Session => "Session",
    }
}

#[cfg(test)]
mod tests {

    /// The word-at-a-time search finds what a byte-by-byte one does, wherever the byte is and whatever is
    /// around it (UTF-8, bytes just above and below the ones searched for).
    #[test]
    fn the_search_for_a_strings_end_is_the_bytewise_one() {
        let naive = |b: &[u8]| b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
        let fillers: [&[u8]; 5] = [b"a", "é".as_bytes(), b"!", b"#", b"]"];
        let specials: [u8; 6] = [b'"', b'\\', 0x00, 0x1f, b'\n', 0x7f];
        for len in 0..40 {
            for filler in fillers {
                let base: Vec<u8> = filler.iter().copied().cycle().take(len).collect();
                assert_eq!(special(&base), naive(&base), "{len}");
                for at in 0..len {
                    for sp in specials {
                        let mut b = base.clone();
                        b[at] = sp;
                        assert_eq!(special(&b), naive(&b), "{len} {at} {sp}");
                        // A second one after it changes nothing.
                        if at + 1 < len {
                            b[at + 1] = b'"';
                            assert_eq!(special(&b), naive(&b));
                        }
                    }
                }
            }
        }
    }
    use super::*;

    #[test]
    fn the_quick_writing_is_serdes() {
        let decisions = [
            Decision::Allow,
            Decision::ExplicitDeny,
            Decision::ImplicitDeny,
        ];
        let layers = [
            Layer::Scp,
            Layer::Rcp,
            Layer::Resource,
            Layer::Trust,
            Layer::Identity,
            Layer::Boundary,
            Layer::Session,
        ];
        // Every variant, so a new one or a renamed one fails here (the matches above are exhaustive).
        for d in decisions {
            match d {
                Decision::Allow | Decision::ExplicitDeny | Decision::ImplicitDeny => {}
            }
            assert_eq!(
                serde_json::to_string(&d).ok(),
                Some(format!("\"{}\"", decision_name(d)))
            );
        }
        for l in layers {
            match l {
                Layer::Scp
                | Layer::Rcp
                | Layer::Resource
                | Layer::Trust
                | Layer::Identity
                | Layer::Boundary
                | Layer::Session => {}
            }
            assert_eq!(
                serde_json::to_string(&l).ok(),
                Some(format!("\"{}\"", layer_name(l)))
            );
        }
        let texts = [
            "",
            "managed",
            "AdministratorAccess",
            "user alice",
            "a \"quoted\" name",
            "back\\slash",
            "tab\there",
            "new\nline",
            "\u{1}\u{1f}",
            "\u{7f} del",
            "é ü 名前 🙂",
            "</script>",
        ];
        let mut statements: Vec<Option<StatementRef>> = vec![None];
        for (i, kind) in texts.iter().enumerate() {
            for (j, name) in texts.iter().enumerate() {
                statements.push(Some(StatementRef {
                    kind: kind.to_string(),
                    name: name.to_string(),
                    attached_to: (i % 3 != 0).then(|| texts[(i + j) % texts.len()].to_string()),
                    index: [0, 1, 9, 10, 99, 12_345, usize::MAX][(i * 7 + j) % 7],
                }));
            }
        }
        let mut written = 0;
        for d in decisions {
            for l in layers.iter().copied().map(Some).chain([None]) {
                for s in &statements {
                    for certain in [true, false] {
                        let b = Brief {
                            decision: d,
                            decided_by: l,
                            deciding_statement: s.clone(),
                            certain,
                            unknown: Vec::new(),
                            aws_rule: None,
                        };
                        let mut out = b"before".to_vec();
                        assert!(write_brief(&mut out, &b));
                        let mut expected = b"before".to_vec();
                        expected.extend(serde_json::to_vec(&b).unwrap_or_default());
                        assert_eq!(
                            String::from_utf8_lossy(&out),
                            String::from_utf8_lossy(&expected)
                        );
                        written += 1;
                    }
                }
            }
        }
        assert_eq!(written, 3 * 8 * (1 + 12 * 12) * 2);
        // Left to serde, writing nothing: an uncertain answer's reasons, a rule of AWS's.
        let mut b = Brief {
            decision: Decision::ImplicitDeny,
            decided_by: None,
            deciding_statement: None,
            certain: false,
            unknown: vec!["the key policy is not loaded".into()],
            aws_rule: None,
        };
        let mut out = Vec::new();
        assert!(!write_brief(&mut out, &b));
        b.unknown.clear();
        b.aws_rule = Some(crate::eval::protected::AwsRule::ProtectedByAws);
        assert!(!write_brief(&mut out, &b));
        assert!(out.is_empty());
    }

    /// What serde makes of a line, as the batch reads it: the four fields and the context's entries.
    type Reading = (
        String,
        String,
        String,
        Option<String>,
        Vec<(String, Vec<String>)>,
    );

    fn by_serde(text: &str) -> Option<Reading> {
        let l: super::super::Line<'_> = serde_json::from_str(text).ok()?;
        let mut ctx = Context::new();
        super::super::fill_context(&mut ctx, l.context);
        Some((
            l.principal.into_owned(),
            l.action.into_owned(),
            l.resource.into_owned(),
            l.resource_account.map(|c| c.into_owned()),
            ctx.entries(),
        ))
    }

    fn quickly(text: &str) -> Option<Reading> {
        let l = read(text)?;
        let mut ctx = Context::new();
        fill_context(&mut ctx, &l);
        Some((
            l.principal.to_string(),
            l.action.to_string(),
            l.resource.to_string(),
            l.resource_account.map(str::to_string),
            ctx.entries(),
        ))
    }

    /// Wherever the quick reading reads a line, serde reads it too and reads the same; the common lines are
    /// read quickly; and every one-byte change of them (deleted, or replaced by a byte that matters to JSON)
    /// is either read the same by both, or left to serde.
    #[test]
    fn the_quick_reading_is_serdes_wherever_it_reads() {
        let common = [
            r#"{"principal": "arn:aws:iam::111122223333:user/li.wei", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}"#,
            r#"{"principal":"li.wei","action":"s3:GetObject","resource":"*","context":{"aws:RequestedRegion":"eu-west-1"}}"#,
            "\t{ \"resource\" : \"*\" , \"action\" : \"kms:Decrypt\", \"principal\" : \"r\", \"resource_account\": \"444455556666\" }\r\n",
            r#"{"principal": "p", "action": "a", "resource": "r", "context": {"aws:SourceIp": ["10.0.0.1", "10.0.0.2"], "aws:SecureTransport": "true", "k": []}}"#,
            r#"{"principal": "p", "action": "a", "resource": "r", "context": {}}"#,
            r#"{"principal": "über", "action": "a", "resource": "r/é"}"#,
        ];
        for line in common {
            let q = quickly(line);
            assert!(q.is_some(), "{line}");
            assert_eq!(q, by_serde(line), "{line}");
        }
        let left_to_serde = [
            // Escapes, a repeated field, an unknown field, a null, a number, nested values, keys equal but
            // for case, trailing text, a missing field, not an object.
            r#"{"principal": "p\"q", "action": "a", "resource": "r"}"#,
            r#"{"principal": "p", "principal": "q", "action": "a", "resource": "r"}"#,
            r#"{"principal": "p", "action": "a", "resource": "r", "note": "x"}"#,
            r#"{"principal": "p", "action": "a", "resource": "r", "resource_account": null}"#,
            r#"{"principal": "p", "action": "a", "resource": "r", "context": {"k": 1}}"#,
            r#"{"principal": "p", "action": "a", "resource": "r", "context": {"k": ["a", ["b"]]}}"#,
            r#"{"principal": "p", "action": "a", "resource": "r", "context": {"k": "a", "K": "b"}}"#,
            r#"{"principal": "p", "action": "a", "resource": "r", "context": {"k": "a", "k": "b"}}"#,
            r#"{"principal": "p", "action": "a", "resource": "r"} x"#,
            r#"{"principal": "p", "action": "a"}"#,
            r#"["p", "a", "r"]"#,
            "{\"principal\": \"p\tq\", \"action\": \"a\", \"resource\": \"r\"}",
        ];
        for line in left_to_serde {
            assert_eq!(quickly(line), None, "{line}");
        }
        let mut read_by_both = 0;
        let mut changed_lines = 0;
        for line in common.iter().chain(&left_to_serde) {
            let bytes = line.as_bytes();
            for i in 0..bytes.len() {
                let edits = [
                    None,
                    Some(b'"'),
                    Some(b'\\'),
                    Some(b','),
                    Some(b'}'),
                    Some(b'['),
                    Some(b' '),
                    Some(b':'),
                    Some(b'x'),
                ];
                for edit in edits {
                    let mut changed = bytes.to_vec();
                    match edit {
                        None => {
                            changed.remove(i);
                        }
                        Some(b) => {
                            if let Some(x) = changed.get_mut(i) {
                                *x = b;
                            }
                        }
                    }
                    let Ok(text) = std::str::from_utf8(&changed) else {
                        continue;
                    };
                    changed_lines += 1;
                    if let Some(q) = quickly(text) {
                        read_by_both += 1;
                        assert_eq!(Some(q), by_serde(text), "{text}");
                    }
                }
            }
        }
        // The changes reach both sides: many changed lines are still read quickly, many are not.
        assert!(read_by_both > 200, "{read_by_both} of {changed_lines}");
        assert!(
            read_by_both < changed_lines / 2,
            "{read_by_both} of {changed_lines}"
        );
    }

    /// A context of more keys than are read here is left to serde.
    #[test]
    fn a_large_context_is_left_to_serde() {
        let keys: Vec<String> = (0..=MAX_KEYS).map(|i| format!("\"k{i}\": \"v\"")).collect();
        let line = format!(
            r#"{{"principal": "p", "action": "a", "resource": "r", "context": {{{}}}}}"#,
            keys.join(", ")
        );
        assert_eq!(quickly(&line), None);
        assert!(by_serde(&line).is_some());
    }
}
