//! Canonical forms of statements and documents: what two snapshots are compared on. Two statements are the
//! same when they mean the same (element order, one-or-many and the case of action names do not matter); the
//! `Sid` is a name, not a meaning, and is left out. A statement or document that was not fully read is compared
//! on its raw text, so a change inside it is never lost.

use crate::account::{Model, PolicyDoc};
use crate::policy::{
    ActionBlock, Effect, OneOrMany, Policy, PrincipalValue, ResourceBlock, Statement,
};
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::{Hash, Hasher};

fn sorted(l: &OneOrMany, lower: bool) -> Vec<String> {
    let mut v: Vec<String> = l
        .iter()
        .map(|s| {
            if lower {
                s.to_ascii_lowercase()
            } else {
                s.to_string()
            }
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    // Quoted (with escapes), so that a separator inside a value (an S3 key may hold a comma) cannot make two
    // lists read alike.
    v.into_iter().map(|s| format!("{s:?}")).collect()
}

/// The text a document's spans point into: its source, or only the document's own range of it ([`SpanText::of`]:
/// a packed source is read a document at a time, not unpacked whole).
pub struct SpanText<'a> {
    text: std::borrow::Cow<'a, str>,
    /// Where `text` starts in the source.
    base: usize,
}

impl<'a> SpanText<'a> {
    /// A whole source text.
    pub fn whole(text: &'a str) -> Self {
        SpanText {
            text: std::borrow::Cow::Borrowed(text),
            base: 0,
        }
    }

    /// The text of `doc` (of `model`).
    pub fn of(model: &'a Model, doc: &PolicyDoc) -> Self {
        SpanText {
            text: model.source(doc.source).at(doc.policy.span),
            base: doc.policy.span.start as usize,
        }
    }

    /// The text of `span` (empty when it is not inside).
    pub fn get(&self, span: crate::text::Span) -> &str {
        let r = span.range();
        match (r.start.checked_sub(self.base), r.end.checked_sub(self.base)) {
            (Some(a), Some(b)) => self.text.get(a..b).unwrap_or(""),
            _ => "",
        }
    }
}

/// The canonical text of a statement (without its `Sid`). `source` is the text its spans point into.
pub fn statement(s: &Statement, source: &SpanText<'_>) -> String {
    if s.invalid.is_some() {
        return format!("unread:{}", source.get(s.span));
    }
    let mut out = String::with_capacity(128);
    out.push_str(match s.effect.as_ref().map(|e| e.value) {
        Some(Effect::Allow) => "Allow",
        Some(Effect::Deny) => "Deny",
        None => "NoEffect",
    });
    if let Some(p) = &s.principal {
        out.push_str(if p.not {
            "|NotPrincipal="
        } else {
            "|Principal="
        });
        match &p.value {
            PrincipalValue::Star(_) => out.push('*'),
            PrincipalValue::Map(entries) => {
                let mut parts: Vec<String> = entries
                    .iter()
                    .map(|e| {
                        format!(
                            "{}:{}",
                            e.kind.value.as_str(),
                            sorted(&e.values, false).join(",")
                        )
                    })
                    .collect();
                parts.sort_unstable();
                out.push_str(&parts.join(";"));
            }
        }
    }
    match &s.action {
        Some(ActionBlock::Action(l)) => {
            out.push_str("|Action=");
            out.push_str(&sorted(l, true).join(","));
        }
        Some(ActionBlock::NotAction(l)) => {
            out.push_str("|NotAction=");
            out.push_str(&sorted(l, true).join(","));
        }
        None => {}
    }
    match &s.resource {
        Some(ResourceBlock::Resource(l)) => {
            out.push_str("|Resource=");
            out.push_str(&sorted(l, false).join(","));
        }
        Some(ResourceBlock::NotResource(l)) => {
            out.push_str("|NotResource=");
            out.push_str(&sorted(l, false).join(","));
        }
        None => {}
    }
    let mut conds: Vec<String> = s
        .conditions
        .iter()
        .map(|c| {
            format!(
                "{}:{}:{}",
                c.operator.value,
                c.key.value.to_ascii_lowercase(),
                sorted(&c.values, false).join(",")
            )
        })
        .collect();
    conds.sort_unstable();
    if !conds.is_empty() {
        out.push_str("|Condition=");
        out.push_str(&conds.join(";"));
    }
    out
}

/// The canonical statements of a policy, in document order; a policy not fully read adds its raw text. Under a
/// `Version` that does not substitute policy variables, `${aws:username}` is literal text, so each statement
/// says which reading it has.
pub fn policy_statements(p: &Policy, source: &SpanText<'_>) -> Vec<String> {
    let reading = if p.supports_variables() {
        ""
    } else {
        "|NoVariables"
    };
    let mut v: Vec<String> = p
        .statements
        .iter()
        .map(|s| statement(s, source) + reading)
        .collect();
    if p.invalid.is_some() {
        v.push(format!("unread-document:{}", source.get(p.span)));
    }
    v
}

/// A fingerprint of a document's meaning: the hash of its canonical statements, in any order.
pub fn hash_statements(canon: &[String]) -> u64 {
    let mut v: Vec<&String> = canon.iter().collect();
    v.sort_unstable();
    let mut h = FxHasher::default();
    for s in v {
        s.hash(&mut h);
    }
    h.finish()
}

/// The hash of a text (markers such as "missing policy ARN").
pub fn hash_text(s: &str) -> u64 {
    let mut h = FxHasher::default();
    s.hash(&mut h);
    h.finish()
}

/// Canonical statements of documents, computed once per document of one model (thousands of principals share
/// managed policies); and the hash of each document's raw text, which settles most comparisons without
/// reading the statements (an unchanged export writes an unchanged document byte for byte).
#[derive(Default)]
pub struct DocCache {
    docs: FxHashMap<usize, (u64, std::sync::Arc<Vec<String>>)>,
    raw: FxHashMap<usize, u64>,
}

impl DocCache {
    /// The canonical statements and fingerprint of `doc` (of `model`).
    pub fn get(&mut self, model: &Model, doc: &PolicyDoc) -> (u64, std::sync::Arc<Vec<String>>) {
        let key = doc as *const PolicyDoc as usize;
        self.docs
            .entry(key)
            .or_insert_with(|| {
                let canon = policy_statements(&doc.policy, &SpanText::of(model, doc));
                (hash_statements(&canon), std::sync::Arc::new(canon))
            })
            .clone()
    }

    /// The hash of the document's text as written.
    pub fn raw(&mut self, model: &Model, doc: &PolicyDoc) -> u64 {
        let key = doc as *const PolicyDoc as usize;
        *self
            .raw
            .entry(key)
            .or_insert_with(|| hash_text(&model.source(doc.source).at(doc.policy.span)))
    }
}

/// Do two documents mean the same? Their texts first, their canonical statements when the texts differ.
pub fn same(
    cb: &mut DocCache,
    mb: &Model,
    db: &PolicyDoc,
    ca: &mut DocCache,
    ma: &Model,
    da: &PolicyDoc,
) -> bool {
    cb.raw(mb, db) == ca.raw(ma, da) || cb.get(mb, db).0 == ca.get(ma, da).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Policy {
        let mut interner = crate::policy::Interner::default();
        crate::policy::parse_text(text, &mut interner).policy
    }

    #[test]
    fn order_case_and_shape_do_not_matter() {
        let a = r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:GetObject","S3:ListBucket"],"Resource":"*"}]}"#;
        let b = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":["*"],"Action":["s3:listbucket","s3:GetObject"]}}"#;
        let ca = policy_statements(&parse(a), &SpanText::whole(a));
        let cb = policy_statements(&parse(b), &SpanText::whole(b));
        assert_eq!(ca, cb);
        let c = r#"{"Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}"#;
        assert_ne!(ca, policy_statements(&parse(c), &SpanText::whole(c)));
    }

    /// Two policies that read differently are never the same: variables substituted or literal (the
    /// `Version`), and a value holding a separator against two values.
    #[test]
    fn what_changes_the_meaning_changes_the_canonical_form() {
        let canon = |t: &str| policy_statements(&parse(t), &SpanText::whole(t));
        let with = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#;
        let without = r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#;
        let old = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#;
        assert_ne!(canon(with), canon(without));
        assert_eq!(canon(without), canon(old));
        let one = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/x,arn:aws:s3:::secret/*"}]}"#;
        let two = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/x","arn:aws:s3:::secret/*"]}]}"#;
        assert_ne!(canon(one), canon(two));
    }
}
