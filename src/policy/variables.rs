//! Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, `${*}`, `${?}`, `${$}`): the one
//! reader of their syntax, used by the evaluator (substitution), the validator (checks) and ARN matching (a
//! variable stands for any text there).
//!
//! AWS: "IAM policy elements: Variables and tags"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>): a variable is
//! `${` + key + `}`, optionally `${key, 'default'}`; `${*}`, `${?}` and `${$}` stand for the literal characters.
//! Text with `${` and no closing `}` is literal.

/// A run of `text`: literal text, a variable, or an unclosed `${…` that is literal to the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Literal text.
    Text(&'a str),
    /// A `${…}` variable.
    Var(Variable<'a>),
    /// `${` without a closing `}`: the rest of the text, literal.
    Unclosed(&'a str),
}

/// One `${…}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variable<'a> {
    /// Everything between `${` and `}`, as written.
    pub inner: &'a str,
    /// The key, trimmed (`aws:username`; `*`, `?` or `$` for the special characters).
    pub key: &'a str,
    /// The default after a comma, trimmed, without its single quotes.
    pub default: Option<&'a str>,
    /// Byte offset of the `$` in the text.
    pub start: usize,
}

impl Variable<'_> {
    /// The literal character of `${*}`, `${?}` and `${$}`.
    pub fn special(&self) -> Option<char> {
        match self.inner {
            "*" => Some('*'),
            "?" => Some('?'),
            "$" => Some('$'),
            _ => None,
        }
    }
}

/// Whether `text` may hold a variable (has `${`): the test before any reading of variables. A byte search for `$`
/// first: asked of every condition value of every statement a request reaches, most of which have none.
#[inline]
pub fn has_variable(text: &str) -> bool {
    text.as_bytes().contains(&b'$') && text.contains("${")
}

/// The pieces of `text`, in order. Linear in the text's length.
pub fn pieces(text: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = text;
    let mut at = 0usize;
    let mut pending: Option<Piece<'_>> = None;
    std::iter::from_fn(move || {
        if let Some(p) = pending.take() {
            return Some(p);
        }
        if rest.is_empty() {
            return None;
        }
        let Some(i) = rest.find("${") else {
            let t = rest;
            rest = "";
            return Some(Piece::Text(t));
        };
        let (before, from) = rest.split_at(i);
        let var = match from
            .get(2..)
            .and_then(|after| after.find('}').map(|j| (after, j)))
        {
            Some((after, j)) => {
                let (inner, tail) = after.split_at(j);
                let (key, default) = match inner.split_once(',') {
                    Some((k, d)) => {
                        let d = d.trim();
                        let d = d
                            .strip_prefix('\'')
                            .and_then(|d| d.strip_suffix('\''))
                            .unwrap_or(d);
                        (k.trim(), Some(d))
                    }
                    None => (inner.trim(), None),
                };
                let v = Piece::Var(Variable {
                    inner,
                    key,
                    default,
                    start: at + i,
                });
                let used = i + 2 + inner.len() + 1;
                rest = tail.get(1..).unwrap_or_default();
                at += used;
                v
            }
            None => {
                rest = "";
                Piece::Unclosed(from)
            }
        };
        if before.is_empty() {
            Some(var)
        } else {
            pending = Some(var);
            Some(Piece::Text(before))
        }
    })
}

/// `text` with every variable replaced by `*` (an unclosed `${…` kept as written): how an ARN with variables
/// is matched against a pattern when the variables' values are not known.
pub fn to_wildcards(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for p in pieces(text) {
        match p {
            Piece::Text(t) | Piece::Unclosed(t) => out.push_str(t),
            Piece::Var(_) => out.push('*'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_of_text_with_variables() {
        let got: Vec<_> = pieces("a${aws:username}b${ k , 'd' }${*}").collect();
        assert_eq!(got.len(), 5);
        assert_eq!(got[0], Piece::Text("a"));
        let Piece::Var(v) = got[1] else {
            panic!("{got:?}")
        };
        assert_eq!((v.key, v.default, v.start), ("aws:username", None, 1));
        assert_eq!(got[2], Piece::Text("b"));
        let Piece::Var(v) = got[3] else {
            panic!("{got:?}")
        };
        assert_eq!((v.key, v.default, v.start), ("k", Some("d"), 17));
        let Piece::Var(v) = got[4] else {
            panic!("{got:?}")
        };
        assert_eq!(v.special(), Some('*'));
    }

    #[test]
    fn unclosed_variables_are_literal() {
        let got: Vec<_> = pieces("x${a").collect();
        assert_eq!(got, [Piece::Text("x"), Piece::Unclosed("${a")]);
        assert_eq!(
            to_wildcards("arn:aws:s3:::b/${aws:username}/${x"),
            "arn:aws:s3:::b/*/${x"
        );
        assert_eq!(to_wildcards("é${é}é"), "é*é");
        assert_eq!(pieces("").count(), 0);
    }

    #[test]
    fn linear_on_many_variables() {
        let text = "${a}".repeat(200_000) + "${";
        let t = std::time::Instant::now();
        assert_eq!(pieces(&text).count(), 200_001);
        assert!(t.elapsed().as_secs() < 5);
    }
}
