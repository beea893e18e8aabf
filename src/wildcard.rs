//! Wildcard matching as IAM does it: `*` matches any run of characters (including none), `?` exactly one.
//!
//! Actions match case-insensitively; resources and most condition values case-sensitively
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>).
//! In a `Resource` element a wildcard stays inside its colon-separated segment, except a `*` that is the last
//! character of its segment: that one "can expand to match beyond the colon boundaries" (Resource element page,
//! "Using wildcards in resource ARNs"), so `arn:aws:ssm:*:parameter/x` (account segment left out) still
//! matches `arn:aws:ssm:us-east-1:111122223333:parameter/x`, as AWS reads it. `ArnLike` conditions compare the
//! six segments each on their own (condition operators page, "ARN condition operators").

/// Stands for a literal `*` in a pattern: what the policy variable `${*}` becomes, so that it matches only an
/// asterisk and is not a wildcard (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>,
/// "Special characters"). A private-use character, which ARNs and condition values do not contain.
pub const LITERAL_STAR: char = '\u{E000}';
/// Stands for a literal `?` in a pattern (`${?}`).
pub const LITERAL_QMARK: char = '\u{E001}';

/// `text` with [`LITERAL_STAR`] and [`LITERAL_QMARK`] back as `*` and `?` (for exact comparisons and display).
pub fn unescape_literals(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([LITERAL_STAR, LITERAL_QMARK]) {
        std::borrow::Cow::Owned(text.replace(LITERAL_STAR, "*").replace(LITERAL_QMARK, "?"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Match `text` against `pattern` (`*`, `?`), byte-wise for ASCII, char-wise otherwise. Iterative with
/// single backtracking point: linear in practice, never exponential.
pub fn glob(pattern: &str, text: &str) -> bool {
    if !pattern.is_ascii() && pattern.contains([LITERAL_STAR, LITERAL_QMARK]) {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        return glob_chars(&p, &t, |a, b| {
            a == b || (a == LITERAL_STAR && b == '*') || (a == LITERAL_QMARK && b == '?')
        });
    }
    if pattern == "*" {
        return true;
    }
    if !pattern.contains(['*', '?']) {
        return pattern == text;
    }
    if pattern.is_ascii() && text.is_ascii() {
        glob_bytes(pattern.as_bytes(), text.as_bytes(), false)
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        glob_chars(&p, &t, |a, b| a == b)
    }
}

/// Case-insensitive [`glob`] (ASCII case folding, as AWS does for action names).
pub fn glob_ci(pattern: &str, text: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if pattern.is_ascii() && text.is_ascii() {
        if !pattern.contains(['*', '?']) {
            return pattern.eq_ignore_ascii_case(text);
        }
        glob_bytes(pattern.as_bytes(), text.as_bytes(), true)
    } else {
        let p: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
        let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
        glob_chars(&p, &t, |a, b| a == b)
    }
}

#[inline]
fn eq(a: u8, b: u8, ci: bool) -> bool {
    if ci {
        a.eq_ignore_ascii_case(&b)
    } else {
        a == b
    }
}

fn glob_bytes(p: &[u8], t: &[u8], ci: bool) -> bool {
    glob_slices(p, t, b'*', b'?', |a, b| eq(a, b, ci))
}

fn glob_chars(p: &[char], t: &[char], eq: impl Fn(char, char) -> bool) -> bool {
    glob_slices(p, t, '*', '?', eq)
}

/// Wildcard matching over any sequence: iterative, with a single backtracking point (the last `*`), so linear
/// in practice and never exponential.
pub(crate) fn glob_slices<T: Copy + PartialEq>(
    p: &[T],
    t: &[T],
    star: T,
    one: T,
    eq: impl Fn(T, T) -> bool,
) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut back: Option<(usize, usize)> = None;
    while let Some(&tc) = t.get(ti) {
        let pc = p.get(pi).copied();
        if pc.is_some_and(|c| c == one || (c != star && eq(c, tc))) {
            pi += 1;
            ti += 1;
        } else if pc == Some(star) {
            back = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = back {
            pi = sp + 1;
            ti = st + 1;
            back = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while p.get(pi) == Some(&star) {
        pi += 1;
    }
    pi == p.len()
}

/// Match an action name (`s3:GetObject`) against an action pattern (`s3:Get*`, `*`), case-insensitively.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    glob_ci(pattern, action)
}

/// Split an ARN into its five leading segments and the resource part.
fn arn_parts(s: &str) -> Option<[&str; 6]> {
    crate::arn::Arn::fields(s).map(crate::arn::Arn::to_array)
}

/// Match a resource ARN against a `Resource` pattern. `*` matches everything; otherwise both must be ARNs and
/// match segment by segment (partition, service, region, account each on their own; the resource part as a
/// whole). A pattern that is not an ARN matches only itself.
pub fn resource_matches(pattern: &str, resource: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    // Everything before the first wildcard is literal, and segment boundaries line up in both strings: a
    // resource that does not start with it cannot match (most patterns of a policy are rejected here), and a
    // pattern without wildcards matches only itself.
    // (Literal `*`/`?` from `${*}`/`${?}` are marker characters: such patterns take the general path.)
    let Some(first) = pattern.find(['*', '?', LITERAL_STAR, LITERAL_QMARK]) else {
        return pattern == resource;
    };
    if !pattern
        .get(..first)
        .is_some_and(|head| resource.starts_with(head))
    {
        return false;
    }
    if first + 1 == pattern.len() && pattern.ends_with('*') {
        // `prefix*`, the common shape: the `*` ends its segment and covers the rest.
        return true;
    }
    segment_glob(pattern, resource)
}

/// The other reading of a `Resource` pattern: the first five segments as [`resource_matches`] reads them, and
/// the resource part (after the fifth `:`) as one glob, every `*` and `?` in it free to cover a `:`
/// (`bucket/*.env` against the S3 key `cfg:prod.env`). AWS documents wildcards "within any ARN segment (the
/// parts separated by colons)" and lets only a `*` that ends its segment go past one; what a `*` in the middle
/// of a resource part holding a `:` does is not spelled out, and other simulators read the resource part whole.
/// [`resource_matches`] is the segment reading; where this one matches and that one does not, the evaluator
/// does not decide.
pub fn resource_matches_whole(pattern: &str, resource: &str) -> bool {
    /// Stands for a `:` of a resource part: no longer a segment boundary, still only itself as a literal.
    const COLON: char = '\u{E002}';
    let fifth = |s: &str| s.match_indices(':').nth(4).map(|(i, _)| i);
    if pattern == "*" {
        return true;
    }
    let (Some(pi), Some(ri)) = (fifth(pattern), fifth(resource)) else {
        return resource_matches(pattern, resource);
    };
    let part = |s: &str, i: usize| -> Option<String> {
        let (head, tail) = (s.get(..=i)?, s.get(i + 1..)?);
        Some(format!("{head}{}", tail.replace(':', &COLON.to_string())))
    };
    match (part(pattern, pi), part(resource, ri)) {
        (Some(p), Some(r)) => resource_matches(&p, &r),
        _ => resource_matches(pattern, resource),
    }
}

/// True when [`resource_matches_whole`] may read `pattern` otherwise than [`resource_matches`] on `resource`:
/// its literal head starts the resource, and its resource part (after the fifth `:`) holds a `?` or a `*` that
/// does not end its segment (a `*` that does already covers a `:`). Cheap, without allocating: asked before
/// the other reading, which allocates.
pub fn may_read_differently(pattern: &str, resource: &str) -> bool {
    let head = pattern.find(['*', '?']).unwrap_or(pattern.len());
    if !pattern.get(..head).is_some_and(|h| resource.starts_with(h)) {
        return false;
    }
    let Some((fifth, _)) = pattern.match_indices(':').nth(4) else {
        return false;
    };
    let part = pattern.get(fifth + 1..).unwrap_or_default().as_bytes();
    part.iter()
        .enumerate()
        .any(|(i, &b)| b == b'?' || (b == b'*' && part.get(i + 1).is_some_and(|&n| n != b':')))
}

/// True when the resource part of `resource` (after its fifth `:`) holds a `:`: only then can
/// [`resource_matches`] and [`resource_matches_whole`] read a pattern differently (cheap to ask first).
pub fn colon_in_resource_part(resource: &str) -> bool {
    resource.bytes().filter(|&b| b == b':').nth(5).is_some()
}

/// One element of a `Resource` pattern.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    /// `?`: one character other than `:`.
    One,
    /// `*`: any run of characters; `cross`: also `:` (the `*` ends its segment).
    Star {
        cross: bool,
    },
}

/// A `Resource` pattern as tokens: what [`segment_glob`] runs and [`resource_regex`] writes out.
fn resource_tokens(pattern: &str) -> Vec<Tok> {
    let chars: Vec<char> = pattern.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| match c {
            '*' => Tok::Star {
                cross: matches!(chars.get(i + 1), None | Some(':')),
            },
            '?' => Tok::One,
            LITERAL_STAR => Tok::Lit('*'),
            LITERAL_QMARK => Tok::Lit('?'),
            c => Tok::Lit(c),
        })
        .collect()
}

/// A regular expression that matches nothing (an empty `Resource` list, say).
pub const REGEX_NOTHING: &str = "[^\\s\\S]";

/// One literal character in a regular expression, in the syntax both RE2 (DuckDB's `regexp_full_match`) and
/// Java (Cypher's `=~`) read: word characters as themselves, ASCII punctuation escaped, anything else by its
/// code point.
fn regex_literal(c: char, out: &mut String) {
    if c.is_ascii_alphanumeric() || c == '_' {
        out.push(c);
    } else if c.is_ascii_punctuation() {
        out.push('\\');
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:x}}}", c as u32));
    }
}

/// The regular expression that matches, as a whole string, exactly the resources [`resource_matches`] matches
/// for `pattern` (for exports that other engines query: DuckDB's `regexp_full_match`, Cypher's `=~`). Several
/// patterns join with `|` inside `(?s)(?:…)`.
pub fn resource_regex(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    if pattern == "*" {
        out.push_str(".*");
        return out;
    }
    for t in resource_tokens(pattern) {
        match t {
            Tok::Lit(c) => regex_literal(c, &mut out),
            Tok::One => out.push_str("[^:]"),
            Tok::Star { cross: true } => out.push_str(".*"),
            Tok::Star { cross: false } => out.push_str("[^:]*"),
        }
    }
    out
}

/// The regular expression that matches exactly the actions [`action_matches`] matches for `pattern`
/// (case-insensitive: `(?i)` is part of what [`any_of`] writes for actions).
pub fn action_regex(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    for c in pattern.chars() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            c => regex_literal(c, &mut out),
        }
    }
    out
}

/// One regular expression for a list of patterns (each turned by `each`): `(?s)(?:a|b)`, with `(?i)` when
/// `ignore_case`; [`REGEX_NOTHING`] for an empty list.
pub fn any_of<'a>(
    patterns: impl IntoIterator<Item = &'a str>,
    each: fn(&str) -> String,
    ignore_case: bool,
) -> String {
    let mut out = String::from(if ignore_case { "(?si)(?:" } else { "(?s)(?:" });
    let mut n = 0usize;
    for p in patterns {
        if n > 0 {
            out.push('|');
        }
        out.push_str(&each(p));
        n += 1;
    }
    if n == 0 {
        return REGEX_NOTHING.to_string();
    }
    out.push(')');
    out
}

/// [`resource_matches`] without its fast paths: the pattern as a small automaton run over the text, all states
/// at once (O(pattern × text), never exponential).
fn segment_glob(pattern: &str, text: &str) -> bool {
    let toks = resource_tokens(pattern);
    let m = toks.len();
    let close = |set: &mut Vec<bool>| {
        // A star matches the empty run: its state also stands at the next token.
        for i in 0..m {
            if set.get(i) == Some(&true)
                && matches!(toks.get(i), Some(Tok::Star { .. }))
                && let Some(s) = set.get_mut(i + 1)
            {
                *s = true;
            }
        }
    };
    let mut now = vec![false; m + 1];
    let mut next = vec![false; m + 1];
    if let Some(s) = now.first_mut() {
        *s = true;
    }
    close(&mut now);
    for c in text.chars() {
        next.iter_mut().for_each(|s| *s = false);
        let mut any = false;
        for (i, tok) in toks.iter().enumerate() {
            if now.get(i) != Some(&true) {
                continue;
            }
            let to = match *tok {
                Tok::Lit(l) if l == c => i + 1,
                Tok::One if c != ':' => i + 1,
                Tok::Star { cross } if cross || c != ':' => i,
                _ => continue,
            };
            if let Some(s) = next.get_mut(to) {
                *s = true;
                any = true;
            }
        }
        if !any {
            return false;
        }
        close(&mut next);
        std::mem::swap(&mut now, &mut next);
    }
    now.get(m) == Some(&true)
}

/// `ArnEquals`/`ArnLike`: the same segment-wise matching, case-sensitive
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN>).
/// A pattern of `*` alone matches every value (the validator's reading: it tests only that the key is there).
pub fn arn_like(pattern: &str, value: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match (arn_parts(pattern), arn_parts(value)) {
        (Some(p), Some(r)) => p.iter().zip(r.iter()).all(|(p, r)| glob(p, r)),
        _ => false,
    }
}

/// A text `pattern` matches, its wildcards filled in: `*` by `atlas-probe`, `?` by one character (`b/*` →
/// `b/atlas-probe`, `b/?` → `b/x`): a concrete resource to ask about for a pattern a policy names.
pub fn fill(pattern: &str) -> String {
    pattern.replace('*', "atlas-probe").replace('?', "x")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("a*c", "abbbc"));
        assert!(glob("a*c", "ac"));
        assert!(!glob("a*c", "ab"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("*", ""));
        assert!(glob("**a**", "xxa"));
        assert!(!glob("A", "a"));
        assert!(glob("é*", "été"));
        assert!(glob_ci("S3:get*", "s3:GetObject"));
        assert!(!glob_ci("s3:Get*", "s3:PutObject"));
    }

    #[test]
    fn arns_match_segment_by_segment() {
        assert!(resource_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a/b:c"
        ));
        assert!(!resource_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket"
        ));
        // A wildcard in the region segment does not cross into the account segment.
        assert!(resource_matches(
            "arn:aws:ec2:*:111122223333:instance/*",
            "arn:aws:ec2:eu-west-1:111122223333:instance/i-1"
        ));
        assert!(!resource_matches(
            "arn:aws:ec2:*:111122223333:instance/*",
            "arn:aws:ec2:eu-west-1:999999999999:instance/i-1"
        ));
        assert!(!resource_matches(
            "arn:aws:s3:::Bucket",
            "arn:aws:s3:::bucket"
        ));
        assert!(resource_matches(
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::1:role/a/b"
        ));
        assert!(arn_like(
            "arn:aws:sns:*:*:topic",
            "arn:aws:sns:eu-west-1:1:topic"
        ));
        assert!(!arn_like("arn:aws:sns:*:*:topic", "not-an-arn"));
    }

    #[test]
    fn regexes_say_what_the_matchers_do() {
        assert_eq!(resource_regex("*"), ".*");
        assert_eq!(
            resource_regex("arn:aws:ec2:*:1:instance/i-?"),
            "arn\\:aws\\:ec2\\:.*\\:1\\:instance\\/i\\-[^:]"
        );
        // A `*` inside its segment stays there; a literal `${*}` is an escaped asterisk.
        assert_eq!(resource_regex("a*b\u{E000}"), "a[^:]*b\\*");
        assert_eq!(action_regex("s3:Get*"), "s3\\:Get.*");
        assert_eq!(
            any_of(["s3:Get*", "iam:?"], action_regex, true),
            "(?si)(?:s3\\:Get.*|iam\\:.)"
        );
        assert_eq!(any_of([], resource_regex, false), REGEX_NOTHING);
        assert_eq!(resource_regex("a b\u{e9}"), "a\\x{20}b\\x{e9}");
    }

    #[test]
    fn the_whole_reading_is_wider_and_differs_only_past_a_colon_in_the_resource_part() {
        let cases = [
            (
                "arn:aws:s3:::b/*.env",
                "arn:aws:s3:::b/cfg:prod.env",
                false,
                true,
            ),
            (
                "arn:aws:s3:::b/*.env",
                "arn:aws:s3:::b/prod.env",
                true,
                true,
            ),
            ("arn:aws:s3:::b/?", "arn:aws:s3:::b/:", false, true),
            // A wildcard inside one of the first five segments stays inside it in both readings.
            (
                "arn:aws:sqs:eu-*-1:111111111111:q",
                "arn:aws:sqs:eu-x:y-1:111111111111:q",
                false,
                false,
            ),
            (
                "arn:aws:lambda:*:*:function:f:*",
                "arn:aws:lambda:us-east-1:1:function:f:live",
                true,
                true,
            ),
            (
                "arn:aws:logs:*:*:log-group:*",
                "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s",
                true,
                true,
            ),
            (
                "arn:aws:s3:::b/*.txt",
                "arn:aws:s3:::b/cfg:prod.env",
                false,
                false,
            ),
            ("*", "anything", true, true),
        ];
        for (p, r, segment, whole) in cases {
            assert_eq!(resource_matches(p, r), segment, "{p} {r}");
            assert_eq!(resource_matches_whole(p, r), whole, "{p} {r}");
            // Wherever the segment reading matches, the whole reading does too.
            assert!(!segment || whole);
        }
        for (p, r, _, whole) in cases {
            // Where the readings differ, the cheap test says they may.
            if whole != resource_matches(p, r) {
                assert!(may_read_differently(p, r), "{p} {r}");
            }
        }
        assert!(!may_read_differently(
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::b/x:y"
        ));
        assert!(!may_read_differently(
            "arn:aws:s3:::c/*.env",
            "arn:aws:s3:::b/x:y.env"
        ));
        assert!(colon_in_resource_part("arn:aws:s3:::b/cfg:prod.env"));
        assert!(!colon_in_resource_part("arn:aws:s3:::b/prod.env"));
        assert!(!colon_in_resource_part("arn:aws:iam::111122223333:role/x"));
        assert!(colon_in_resource_part(
            "arn:aws:lambda:us-east-1:1:function:f:alias"
        ));
    }

    #[test]
    fn a_star_ending_its_segment_crosses_colons_and_others_do_not() {
        // The readings differ on these: "a `*` that is the last character of a segment can expand to match
        // beyond the colon boundaries" (Resource element page); other wildcards stay in their segment.
        let (p, r) = (
            "arn:aws:sqs:*:111111111111:q",
            "arn:aws:sqs:eu-west-1:222222222222:111111111111:q",
        );
        assert!(resource_matches(p, r));
        // The account segment left out: AWS still matches (a Deny written so still denies).
        assert!(resource_matches(
            "arn:aws:ssm:*:parameter/x",
            "arn:aws:ssm:us-east-1:111122223333:parameter/x"
        ));
        // Inside a segment a `*` or `?` stops at a colon.
        assert!(!resource_matches(
            "arn:aws:sqs:eu-*-1:111111111111:q",
            "arn:aws:sqs:eu-x:y-1:111111111111:q"
        ));
        assert!(!resource_matches(
            "arn:aws:sqs:eu-west-?:111111111111:q",
            "arn:aws:sqs:eu-west-:1:111111111111:q"
        ));
        // ArnLike compares the six segments each on its own.
        assert!(!arn_like(p, r));
        // Literal `${*}` is not a wildcard.
        assert!(resource_matches(
            "arn:aws:s3:::b/\u{E000}",
            "arn:aws:s3:::b/*"
        ));
        assert!(!resource_matches(
            "arn:aws:s3:::b/\u{E000}x",
            "arn:aws:s3:::b/yx"
        ));
    }

    #[test]
    fn resource_matching_is_never_exponential() {
        let p = "arn:aws:s3:::".to_string() + &"*a".repeat(2000) + "b";
        let t = "arn:aws:s3:::".to_string() + &"a".repeat(5000);
        let start = std::time::Instant::now();
        assert!(!resource_matches(&p, &t));
        assert!(start.elapsed().as_secs() < 10);
    }
}
