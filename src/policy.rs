//! The typed policy model, parsed from JSON with the source range of every element.
//!
//! Grammar: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>.
//! Parsing is tolerant: it keeps every element it can read and reports the rest as diagnostics (with JSON
//! paths), so a half-typed document still has a model. Strings are interned (`Arc<str>`), which keeps large
//! snapshots small: an action like `s3:GetObject` is stored once however often policies name it.

pub mod shape;
pub mod variables;

use crate::diagnostic::codes::Code;
use crate::diagnostic::{Diagnostic, Severity};
use crate::json::{self, Doc, Kind, NodeId};
use crate::text::Span;
use rustc_hash::FxHashSet;
use std::sync::Arc;

/// An interned string.
pub type Str = Arc<str>;

/// Interns strings so each distinct text is stored once.
#[derive(Default, Debug)]
pub struct Interner {
    set: FxHashSet<Str>,
}

impl Interner {
    /// The shared copy of `s`.
    pub fn intern(&mut self, s: &str) -> Str {
        if let Some(existing) = self.set.get(s) {
            return existing.clone();
        }
        let a: Str = Arc::from(s);
        self.set.insert(a.clone());
        a
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// True when nothing was interned.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

/// A value with the byte range it was written at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written (strings: including the quotes).
    pub span: Span,
}

/// A string, or an array of strings; remembers which, so it can be written back as it was.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct OneOrMany {
    /// The strings, in order.
    pub items: Box<[Spanned<Str>]>,
    /// Written as a single string rather than an array.
    pub single: bool,
    /// The whole value's range.
    pub span: Span,
}

impl OneOrMany {
    /// Iterate over the texts.
    pub fn iter(&self) -> impl Iterator<Item = &str> + Clone {
        self.items.iter().map(|s| &*s.value)
    }
}

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Denies, and an explicit deny always wins.
    Deny,
}

/// `Action` or `NotAction`: one enum, so "both" cannot be represented after parsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionBlock {
    /// `Action`: the statement applies to these.
    Action(OneOrMany),
    /// `NotAction`: the statement applies to everything but these.
    NotAction(OneOrMany),
}

impl ActionBlock {
    /// The listed patterns, whichever the element.
    pub fn list(&self) -> &OneOrMany {
        match self {
            ActionBlock::Action(l) | ActionBlock::NotAction(l) => l,
        }
    }
    /// True for `NotAction`.
    pub fn is_not(&self) -> bool {
        matches!(self, ActionBlock::NotAction(_))
    }
}

/// `Resource` or `NotResource`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceBlock {
    /// `Resource`.
    Resource(OneOrMany),
    /// `NotResource`.
    NotResource(OneOrMany),
}

impl ResourceBlock {
    /// The listed patterns, whichever the element.
    pub fn list(&self) -> &OneOrMany {
        match self {
            ResourceBlock::Resource(l) | ResourceBlock::NotResource(l) => l,
        }
    }
    /// True for `NotResource`.
    pub fn is_not(&self) -> bool {
        matches!(self, ResourceBlock::NotResource(_))
    }
}

/// The kind of principal named in a `Principal` map.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// `AWS`: accounts, users, roles, sessions.
    Aws,
    /// `Service`: AWS service principals.
    Service,
    /// `Federated`: SAML and OIDC providers, web identity providers.
    Federated,
    /// `CanonicalUser`: S3 canonical user ids.
    CanonicalUser,
    /// Anything else (AWS rejects it; kept for diagnostics).
    Other(Str),
}

impl PrincipalKind {
    /// The key as written in policies.
    pub fn as_str(&self) -> &str {
        match self {
            PrincipalKind::Aws => "AWS",
            PrincipalKind::Service => "Service",
            PrincipalKind::Federated => "Federated",
            PrincipalKind::CanonicalUser => "CanonicalUser",
            PrincipalKind::Other(s) => s,
        }
    }
}

/// One `"AWS": [...]` entry of a principal map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalEntry {
    /// Which kind.
    pub kind: Spanned<PrincipalKind>,
    /// The principals of that kind.
    pub values: OneOrMany,
}

/// The value of `Principal`/`NotPrincipal`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalValue {
    /// `"*"`: everyone, including anonymous.
    Star(Span),
    /// `{"AWS": ..., "Service": ...}`.
    Map(Vec<PrincipalEntry>),
}

/// `Principal` or `NotPrincipal`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalBlock {
    /// `NotPrincipal` rather than `Principal`.
    pub not: bool,
    /// The element key's range.
    pub key_span: Span,
    /// What it names.
    pub value: PrincipalValue,
    /// The value's range.
    pub span: Span,
}

/// Set operator qualifier of a condition operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum SetQualifier {
    /// `ForAllValues:`: every request value must match some policy value (true for an empty/missing key).
    ForAllValues,
    /// `ForAnyValue:`: at least one request value must match some policy value.
    ForAnyValue,
}

/// The base condition operators.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[allow(missing_docs)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl BaseOperator {
    /// Every base operator, with its name.
    pub const ALL: [(BaseOperator, &'static str); 27] = [
        (BaseOperator::StringEquals, "StringEquals"),
        (BaseOperator::StringNotEquals, "StringNotEquals"),
        (
            BaseOperator::StringEqualsIgnoreCase,
            "StringEqualsIgnoreCase",
        ),
        (
            BaseOperator::StringNotEqualsIgnoreCase,
            "StringNotEqualsIgnoreCase",
        ),
        (BaseOperator::StringLike, "StringLike"),
        (BaseOperator::StringNotLike, "StringNotLike"),
        (BaseOperator::NumericEquals, "NumericEquals"),
        (BaseOperator::NumericNotEquals, "NumericNotEquals"),
        (BaseOperator::NumericLessThan, "NumericLessThan"),
        (BaseOperator::NumericLessThanEquals, "NumericLessThanEquals"),
        (BaseOperator::NumericGreaterThan, "NumericGreaterThan"),
        (
            BaseOperator::NumericGreaterThanEquals,
            "NumericGreaterThanEquals",
        ),
        (BaseOperator::DateEquals, "DateEquals"),
        (BaseOperator::DateNotEquals, "DateNotEquals"),
        (BaseOperator::DateLessThan, "DateLessThan"),
        (BaseOperator::DateLessThanEquals, "DateLessThanEquals"),
        (BaseOperator::DateGreaterThan, "DateGreaterThan"),
        (BaseOperator::DateGreaterThanEquals, "DateGreaterThanEquals"),
        (BaseOperator::Bool, "Bool"),
        (BaseOperator::BinaryEquals, "BinaryEquals"),
        (BaseOperator::IpAddress, "IpAddress"),
        (BaseOperator::NotIpAddress, "NotIpAddress"),
        (BaseOperator::ArnEquals, "ArnEquals"),
        (BaseOperator::ArnLike, "ArnLike"),
        (BaseOperator::ArnNotEquals, "ArnNotEquals"),
        (BaseOperator::ArnNotLike, "ArnNotLike"),
        (BaseOperator::Null, "Null"),
    ];

    /// The operator's name.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(o, _)| *o == self)
            .map(|(_, n)| *n)
            .unwrap_or("?")
    }

    /// Whether a policy variable in its values is substituted: in string and ARN operators (and `Null`'s
    /// `true`/`false`). AWS: "You can use policy variables in the Resource element and in string comparisons in
    /// the Condition element", and "You can not use a policy variable with the IpAddress condition operator"
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>,
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>).
    /// The validator warns of one elsewhere, and the evaluator leaves such a test undecided.
    pub fn takes_variables(self) -> bool {
        matches!(self.family(), Family::String | Family::Arn | Family::Null)
    }

    /// The family of values it compares: one table for the validator's type checks, the evaluator's readers
    /// ([`crate::values`]) and explanations.
    pub fn family(self) -> Family {
        use BaseOperator::*;
        match self {
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => Family::Numeric,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => Family::Date,
            Bool => Family::Bool,
            BinaryEquals => Family::Binary,
            IpAddress | NotIpAddress => Family::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => Family::Arn,
            Null => Family::Null,
            StringEquals
            | StringNotEquals
            | StringEqualsIgnoreCase
            | StringNotEqualsIgnoreCase
            | StringLike
            | StringNotLike => Family::String,
        }
    }

    /// The operator that holds for a value exactly when this one does not (`StringEquals` ↔ `StringNotEquals`,
    /// `NumericLessThan` ↔ `NumericGreaterThanEquals`, …). `Bool`, `Null` and `BinaryEquals` have none (their
    /// negation flips or excludes the value instead).
    pub fn complement(self) -> Option<BaseOperator> {
        use BaseOperator::*;
        Some(match self {
            StringEquals => StringNotEquals,
            StringNotEquals => StringEquals,
            StringEqualsIgnoreCase => StringNotEqualsIgnoreCase,
            StringNotEqualsIgnoreCase => StringEqualsIgnoreCase,
            StringLike => StringNotLike,
            StringNotLike => StringLike,
            NumericEquals => NumericNotEquals,
            NumericNotEquals => NumericEquals,
            NumericLessThan => NumericGreaterThanEquals,
            NumericGreaterThanEquals => NumericLessThan,
            NumericLessThanEquals => NumericGreaterThan,
            NumericGreaterThan => NumericLessThanEquals,
            DateEquals => DateNotEquals,
            DateNotEquals => DateEquals,
            DateLessThan => DateGreaterThanEquals,
            DateGreaterThanEquals => DateLessThan,
            DateLessThanEquals => DateGreaterThan,
            DateGreaterThan => DateLessThanEquals,
            IpAddress => NotIpAddress,
            NotIpAddress => IpAddress,
            ArnEquals => ArnNotEquals,
            ArnNotEquals => ArnEquals,
            ArnLike => ArnNotLike,
            ArnNotLike => ArnLike,
            Bool | Null | BinaryEquals => return None,
        })
    }

    /// True for the negated operators, which match when the key is missing
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>).
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            BaseOperator::StringNotEquals
                | BaseOperator::StringNotEqualsIgnoreCase
                | BaseOperator::StringNotLike
                | BaseOperator::NumericNotEquals
                | BaseOperator::DateNotEquals
                | BaseOperator::NotIpAddress
                | BaseOperator::ArnNotEquals
                | BaseOperator::ArnNotLike
        )
    }
}

/// The kinds of value condition operators compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// `String*`.
    String,
    /// `Numeric*`.
    Numeric,
    /// `Date*`.
    Date,
    /// `Bool`.
    Bool,
    /// `BinaryEquals`.
    Binary,
    /// `IpAddress`, `NotIpAddress`.
    Ip,
    /// `Arn*`.
    Arn,
    /// `Null`.
    Null,
}

impl Family {
    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Family::String => "string",
            Family::Numeric => "numeric",
            Family::Date => "date",
            Family::Bool => "boolean",
            Family::Binary => "binary",
            Family::Ip => "IP address",
            Family::Arn => "ARN",
            Family::Null => "null",
        }
    }
}

/// A parsed condition operator: `[ForAllValues:|ForAnyValue:]Base[IfExists]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct ConditionOperator {
    /// Set qualifier, if any.
    pub qualifier: Option<SetQualifier>,
    /// The base operator.
    pub base: BaseOperator,
    /// `...IfExists`: true when the key is missing.
    pub if_exists: bool,
}

impl ConditionOperator {
    /// Parse an operator name (case-sensitive, as AWS is). `None` for unknown operators.
    pub fn parse(s: &str) -> Option<Self> {
        let (qualifier, rest) = if let Some(r) = s.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else if let Some(r) = s.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else {
            (None, s)
        };
        let (if_exists, rest) = match rest.strip_suffix("IfExists") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let base = BaseOperator::ALL
            .iter()
            .find(|(_, n)| *n == rest)
            .map(|(o, _)| *o)?;
        Some(ConditionOperator {
            qualifier,
            base,
            if_exists,
        })
    }
}

impl std::fmt::Display for ConditionOperator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.qualifier {
            Some(SetQualifier::ForAllValues) => f.write_str("ForAllValues:")?,
            Some(SetQualifier::ForAnyValue) => f.write_str("ForAnyValue:")?,
            None => {}
        }
        f.write_str(self.base.name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

/// One `operator: { key: values }` test of a statement's `Condition`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// The operator as written.
    pub operator: Spanned<Str>,
    /// The operator parsed; `None` when unknown.
    pub op: Option<ConditionOperator>,
    /// The context key as written (matched case-insensitively).
    pub key: Spanned<Str>,
    /// The values (numbers and booleans kept as their text).
    pub values: OneOrMany,
}

/// One statement.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Statement {
    /// Its range.
    pub span: Span,
    /// `Sid`.
    pub sid: Option<Spanned<Str>>,
    /// `Effect`, when it is `Allow` or `Deny`.
    pub effect: Option<Spanned<Effect>>,
    /// `Principal` or `NotPrincipal` (boxed: most statements, those of identity policies, have none, and each
    /// would carry its room).
    pub principal: Option<Box<PrincipalBlock>>,
    /// `Action` or `NotAction`.
    pub action: Option<ActionBlock>,
    /// `Resource` or `NotResource`.
    pub resource: Option<ResourceBlock>,
    /// Every condition test (ANDed).
    pub conditions: Box<[Condition]>,
    /// The first error found inside this statement (an element the parser could not read as IAM's grammar
    /// says): the evaluator must not silently ignore such a statement, so it reads it in the least permissive
    /// way and marks its answer uncertain. Boxed, like `principal`: rare, and each statement would carry its
    /// room.
    pub invalid: Option<Box<Spanned<Str>>>,
    /// The `Condition` value's range.
    pub condition_span: Option<Span>,
    /// Its `Resource`/`NotResource` list indexed, built on first use for long lists.
    pub resource_index: ResourceIndexCache,
}

/// A policy document.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Policy {
    /// The document's range.
    pub span: Span,
    /// `Version`.
    pub version: Option<Spanned<Str>>,
    /// `Id`.
    pub id: Option<Spanned<Str>>,
    /// The statements.
    pub statements: Vec<Statement>,
    /// `Statement` was written as one object rather than an array.
    pub statement_single: bool,
    /// The `Statement` value's range.
    pub statement_span: Option<Span>,
    /// Statements by action, built on first evaluation.
    pub action_index: ActionIndexCache,
    /// The first error outside any statement (the document or its `Statement` list could not be read in full,
    /// so statements may be missing): answers that use this policy are uncertain.
    pub invalid: Option<Box<Spanned<Str>>>,
}

/// A statement and its wildcard patterns for one service (lowercased).
type ServicePatterns = (u32, Vec<Box<str>>);

/// Which statements name which actions, so that evaluation looks the request's action up instead of matching
/// every pattern of every statement (AWS-managed policies list hundreds of patterns in one statement):
/// exact names (lowercased) → statements; patterns with a wildcard in the action part only, by service;
/// `NotAction` lists, each indexed the same way (an SCP's guardrail lists dozens of patterns); and the rest (a
/// wildcard in the service part such as `*`, a statement not fully read), which are matched in full.
#[derive(Debug, Default)]
pub struct ActionIndex {
    /// A number no other index of this process has had ([`ActionIndex::id`]).
    id: u64,
    /// [`Policy::supports_variables`], kept here: the evaluator reads the index of each policy anyway, and the
    /// version's text is one more place in memory to read.
    variables: bool,
    exact: rustc_hash::FxHashMap<Box<str>, Vec<u32>>,
    by_service: rustc_hash::FxHashMap<Box<str>, Vec<ServicePatterns>>,
    /// `NotAction` statements: the statement applies to the actions its list does not match.
    not_action: Vec<(u32, ActionSet)>,
    other: Vec<u32>,
}

/// An action list as a set: exact names, patterns by service, other patterns (all ASCII, lowercased). It matches
/// an action exactly when some pattern of the list does ([`crate::wildcard::action_matches`]).
#[derive(Debug, Default)]
struct ActionSet {
    exact: FxHashSet<Box<str>>,
    by_service: rustc_hash::FxHashMap<Box<str>, Vec<Box<str>>>,
    rest: Vec<Box<str>>,
}

impl ActionSet {
    /// `None` for a list with a non-ASCII pattern (matched in full, where case folding is Unicode's).
    fn build(list: &OneOrMany) -> Option<Self> {
        let mut set = ActionSet::default();
        for a in list.iter() {
            if !a.is_ascii() {
                return None;
            }
            let lower = a.to_ascii_lowercase();
            if !lower.contains(['*', '?']) {
                set.exact.insert(lower.into_boxed_str());
                continue;
            }
            match lower.split_once(':') {
                Some((svc, _)) if !svc.contains(['*', '?']) => set
                    .by_service
                    .entry(svc.into())
                    .or_default()
                    .push(lower.as_str().into()),
                _ => set.rest.push(lower.into_boxed_str()),
            }
        }
        Some(set)
    }

    /// Whether some pattern matches `action_lower` (the action, ASCII-lowercased).
    fn matches(&self, action_lower: &str) -> bool {
        if !action_lower.is_ascii() {
            // Unicode case folding: every pattern in full, as `action_matches` would.
            return self
                .exact
                .iter()
                .chain(self.by_service.values().flatten())
                .chain(&self.rest)
                .any(|p| crate::wildcard::action_matches(p, action_lower));
        }
        // Both sides are lowercase ASCII here, where a case-sensitive match is the case-insensitive one. A
        // pattern whose service part has no wildcard can match only actions of that service.
        let service = crate::arn::action_service(action_lower);
        self.exact.contains(action_lower)
            || self
                .by_service
                .get(service)
                .is_some_and(|v| v.iter().any(|p| crate::wildcard::glob(p, action_lower)))
            || self
                .rest
                .iter()
                .any(|p| crate::wildcard::glob(p, action_lower))
    }
}

impl ActionIndex {
    /// Which policy this index is of: a policy's index is built once (a clone builds its own), and no two indexes
    /// of one process share a number, so caches of per-policy results (the evaluator's prefilter) are keyed on it
    /// rather than on the policy's address, which a freed policy hands on to the next.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Whether the policy substitutes policy variables ([`Policy::supports_variables`]) and writes one
    /// somewhere (a `Resource`, `NotResource` or condition value holding `${`): the evaluator skips every step
    /// of substitution for the many policies that write none.
    pub fn supports_variables(&self) -> bool {
        self.variables
    }

    /// Index the statements of `p`.
    pub fn build(p: &Policy) -> Self {
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let mut idx = ActionIndex {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            variables: p.supports_variables()
                && p.statements.iter().any(|s| {
                    s.resource
                        .as_ref()
                        .is_some_and(|r| r.list().iter().any(variables::has_variable))
                        || s.conditions
                            .iter()
                            .any(|c| c.values.iter().any(variables::has_variable))
                }),
            ..ActionIndex::default()
        };
        for (i, s) in p.statements.iter().enumerate() {
            let i = i as u32;
            // A statement not fully read is a candidate for every action: its `Action` may have said more than
            // the items read (`["s3:PutObject", {"x": "s3:GetObject"}]`), and the evaluator must see it to read
            // it in the least permissive way.
            if s.invalid.is_some() {
                idx.other.push(i);
                continue;
            }
            match &s.action {
                Some(ActionBlock::Action(l)) => {
                    let mut other = false;
                    let mut by_service: Vec<(String, String)> = Vec::new();
                    for a in l.iter() {
                        let lower = a.to_ascii_lowercase();
                        if !lower.contains(['*', '?']) {
                            let e = idx.exact.entry(lower.into_boxed_str()).or_default();
                            if e.last() != Some(&i) {
                                e.push(i);
                            }
                            continue;
                        }
                        match lower.split_once(':') {
                            Some((svc, _)) if !svc.contains(['*', '?']) => {
                                by_service.push((svc.to_string(), lower))
                            }
                            _ => other = true,
                        }
                    }
                    if other {
                        idx.other.push(i);
                    } else {
                        by_service.sort();
                        for group in by_service.chunk_by(|a, b| a.0 == b.0) {
                            let Some((svc, _)) = group.first() else {
                                continue;
                            };
                            let pats = group.iter().map(|(_, p)| p.as_str().into()).collect();
                            idx.by_service
                                .entry(svc.as_str().into())
                                .or_default()
                                .push((i, pats));
                        }
                    }
                }
                Some(ActionBlock::NotAction(l)) => match ActionSet::build(l) {
                    Some(set) => idx.not_action.push((i, set)),
                    None => idx.other.push(i),
                },
                // Not readable: matched in full, so the evaluator sees it and reads it as uncertain.
                None => idx.other.push(i),
            }
        }
        idx
    }

    /// The statements whose `Action` certainly covers `action_lower` (the request's action, ASCII-lowercased)
    /// or whose `NotAction` certainly leaves it out, plus the statements that must be matched in full (wildcard
    /// services, statements not fully read, see [`ActionIndex::needs_full_match`]), in statement order.
    pub fn candidates(&self, action_lower: &str, out: &mut Vec<u32>) {
        let start = out.len();
        if let Some(v) = self.exact.get(action_lower) {
            out.extend_from_slice(v);
        }
        let service = crate::arn::action_service(action_lower);
        if let Some(v) = self.by_service.get(service) {
            for (stmt, pats) in v {
                if pats.iter().any(|p| crate::wildcard::glob(p, action_lower)) {
                    out.push(*stmt);
                }
            }
        }
        out.extend(
            self.not_action
                .iter()
                .filter(|(_, set)| !set.matches(action_lower))
                .map(|(stmt, _)| *stmt),
        );
        out.extend_from_slice(&self.other);
        if out.len() - start > 1 {
            if let Some(new) = out.get_mut(start..) {
                new.sort_unstable();
            }
            out.dedup();
        }
    }

    /// True when statement `stmt` was returned by [`ActionIndex::candidates`] without its action being matched.
    pub fn needs_full_match(&self, stmt: u32) -> bool {
        self.other.binary_search(&stmt).is_ok()
    }
}

/// A long `Resource` list indexed: the patterns without wildcards in a set (such a pattern matches only itself),
/// the others listed, so that matching a request costs a lookup plus the wildcard patterns, not the whole list
/// (a statement listing 10,000 ARNs is matched once per request of a reverse query).
#[derive(Debug, Default)]
pub struct ResourceIndex {
    exact: FxHashSet<Box<str>>,
    wild: Vec<u32>,
    variables: bool,
}

impl ResourceIndex {
    /// Lists at least this long are indexed.
    pub const MIN_LEN: usize = 8;

    /// Index `list`.
    pub fn build(list: &OneOrMany) -> Self {
        let mut idx = ResourceIndex::default();
        for (i, item) in list.items.iter().enumerate() {
            let p: &str = &item.value;
            idx.variables |= crate::policy::variables::has_variable(p);
            if p.contains(['*', '?']) || crate::policy::variables::has_variable(p) {
                idx.wild.push(i as u32);
            } else {
                idx.exact.insert(p.into());
            }
        }
        idx
    }

    /// Some pattern holds a policy variable (such lists are matched after substitution, not through the index).
    pub fn has_variables(&self) -> bool {
        self.variables
    }

    /// Whether some pattern of `list` (the list this index was built from) matches `resource`.
    pub fn any_match(&self, list: &OneOrMany, resource: &str) -> bool {
        self.exact.contains(resource)
            || self.wild.iter().any(|&i| {
                list.items
                    .get(i as usize)
                    .is_some_and(|p| crate::wildcard::resource_matches(&p.value, resource))
            })
    }
}

/// A lazily built [`ResourceIndex`]; like [`ActionIndexCache`] it takes no part in equality and is not cloned
/// (boxed, like it: most statements never build one, and each statement would carry its room).
#[derive(Default)]
pub struct ResourceIndexCache(std::sync::OnceLock<Box<ResourceIndex>>);

impl ResourceIndexCache {
    /// The index of `list` (built on first use; a statement has one resource list).
    pub fn get(&self, list: &OneOrMany) -> &ResourceIndex {
        self.0.get_or_init(|| Box::new(ResourceIndex::build(list)))
    }
}

impl Clone for ResourceIndexCache {
    fn clone(&self) -> Self {
        ResourceIndexCache::default()
    }
}

impl PartialEq for ResourceIndexCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for ResourceIndexCache {}

impl std::fmt::Debug for ResourceIndexCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResourceIndexCache")
    }
}

/// A lazily built [`ActionIndex`]; it takes no part in equality and is not cloned (a clone rebuilds it).
#[derive(Default)]
pub struct ActionIndexCache(std::sync::OnceLock<Box<ActionIndex>>);

impl Clone for ActionIndexCache {
    fn clone(&self) -> Self {
        ActionIndexCache::default()
    }
}

impl PartialEq for ActionIndexCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for ActionIndexCache {}

impl std::fmt::Debug for ActionIndexCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ActionIndexCache")
    }
}

impl Policy {
    /// The statements-by-action index (built on first use).
    pub fn action_index(&self) -> &ActionIndex {
        self.action_index
            .0
            .get_or_init(|| Box::new(ActionIndex::build(self)))
    }

    /// Policy variables are substituted only under `Version: 2012-10-17`
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>).
    pub fn supports_variables(&self) -> bool {
        self.version
            .as_ref()
            .is_some_and(|v| &*v.value == "2012-10-17")
    }
}

/// A parsed document with its diagnostics.
#[derive(Debug, Default)]
pub struct ParsedPolicy {
    /// What could be read.
    pub policy: Policy,
    /// JSON syntax and shape problems.
    pub diagnostics: Vec<Diagnostic>,
}

/// JSON syntax errors as diagnostics (`JSON_SYNTAX_ERROR`).
pub fn syntax_diagnostics(errors: &[json::SyntaxError]) -> Vec<Diagnostic> {
    errors
        .iter()
        .map(|e| {
            Diagnostic::new(
                Code::JSON_SYNTAX_ERROR,
                Severity::Error,
                e.span,
                "",
                e.message.clone(),
            )
        })
        .collect()
}

/// Parse a policy from its own text (editor, CLI files).
pub fn parse_text(text: &str, interner: &mut Interner) -> ParsedPolicy {
    let parsed = json::parse(text);
    let mut diagnostics = syntax_diagnostics(&parsed.errors);
    let mut policy = if parsed.root == json::NONE {
        Policy::default()
    } else {
        let mut r = Reader::new(text, &parsed.doc, interner, &mut diagnostics);
        r.policy(parsed.root)
    };
    attribute_errors(&mut policy, &diagnostics);
    shape::mark_refused(&mut policy);
    ParsedPolicy {
        policy,
        diagnostics,
    }
}

/// Parse a policy from node `root` of a tree over `src` (spans stay relative to `src`).
pub fn parse_node(
    src: &str,
    doc: &Doc,
    root: NodeId,
    interner: &mut Interner,
    diagnostics: &mut Vec<Diagnostic>,
) -> Policy {
    let start = diagnostics.len();
    let mut r = Reader::new(src, doc, interner, diagnostics);
    let mut policy = r.policy(root);
    attribute_errors(&mut policy, diagnostics.get(start..).unwrap_or_default());
    shape::mark_refused(&mut policy);
    policy
}

/// Whether a diagnostic's path names `key` of a statement itself (`Statement[3].Effect`, `Statement.Effect`),
/// not a deeper key of the same name.
fn is_statement_member(path: &str, key: &str) -> bool {
    path.strip_suffix(key)
        .and_then(|p| p.strip_suffix('.'))
        .and_then(|p| p.strip_prefix("Statement"))
        .is_some_and(|rest| {
            rest.is_empty()
                || rest
                    .strip_prefix('[')
                    .and_then(|r| r.strip_suffix(']'))
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// Mark each statement that holds an error (and the policy, for an error outside every statement), so that the
/// evaluator knows what it could not read. Statements are in source order: a binary search per error.
fn attribute_errors(policy: &mut Policy, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        if d.severity != Severity::Error {
            continue;
        }
        let at = policy
            .statements
            .partition_point(|s| s.span.start <= d.span.start);
        let inside = at
            .checked_sub(1)
            .and_then(|i| policy.statements.get_mut(i))
            .filter(|s| d.span.end <= s.span.end);
        let spanned = || Spanned {
            value: Str::from(d.message.as_str()),
            span: d.span,
        };
        match inside {
            Some(s) => {
                // A key written twice: only one value was read, and which one AWS reads is not documented, so
                // every element of the statement is in doubt (the error covers the whole statement), and a
                // second `Effect` makes the effect unknown (read as a `Deny`).
                if d.code == Code::DUPLICATE_KEY.as_str() {
                    if is_statement_member(&d.path, "Effect") {
                        s.effect = None;
                    }
                    s.invalid = Some(Box::new(Spanned {
                        value: Str::from(d.message.as_str()),
                        span: s.span,
                    }));
                    continue;
                }
                match &mut s.invalid {
                    None => s.invalid = Some(Box::new(spanned())),
                    // A second error elsewhere in the statement: only one span is kept, so the whole statement
                    // is in doubt (a mismatch in either place must not be final).
                    Some(first)
                        if !(first.span.start <= d.span.start && d.span.end <= first.span.end) =>
                    {
                        first.span = s.span;
                    }
                    Some(_) => {}
                }
            }
            None => {
                if policy.invalid.is_none() {
                    policy.invalid = Some(Box::new(spanned()));
                }
            }
        }
    }
}

enum Seg {
    Key(&'static str),
    Index(usize),
    Name(String),
}

struct Reader<'a> {
    src: &'a str,
    doc: &'a Doc,
    interner: &'a mut Interner,
    diags: &'a mut Vec<Diagnostic>,
    path: Vec<Seg>,
}

const TOP_KEYS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_KEYS: [&str; 10] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
    // Not an IAM element, but kept so the check can name it.
    "",
];

impl<'a> Reader<'a> {
    fn new(
        src: &'a str,
        doc: &'a Doc,
        interner: &'a mut Interner,
        diags: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Reader {
            src,
            doc,
            interner,
            diags,
            path: Vec::new(),
        }
    }

    fn path_string(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                }
                Seg::Name(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                }
                Seg::Index(i) => {
                    s.push('[');
                    s.push_str(&i.to_string());
                    s.push(']');
                }
            }
        }
        s
    }

    fn diag(&mut self, code: Code, span: Span, message: String) -> &mut Diagnostic {
        let path = self.path_string();
        self.diags
            .push(Diagnostic::new(code, Severity::Error, span, path, message));
        // Just pushed: never empty.
        let last = self.diags.len() - 1;
        #[expect(
            clippy::indexing_slicing,
            reason = "the element was pushed on the line above"
        )]
        &mut self.diags[last]
    }

    fn type_mismatch(&mut self, node: NodeId, expected: &str) {
        let found = self.doc.kind(node);
        if found == Kind::Error {
            return; // already a syntax error
        }
        let span = self.doc.span(node);
        let what = self.path_string();
        self.diag(
            Code::JSON_TYPE_MISMATCH,
            span,
            format!("`{what}` must be {expected}, found {}", found.describe()),
        );
    }

    fn string(&mut self, node: NodeId) -> Spanned<Str> {
        let s = self.doc.str(self.src, node);
        let span = self.doc.span(node);
        if crate::json::has_lone_surrogate(crate::text::at(self.src, span)) {
            // Read as U+FFFD, which is not what was written: the statement is not read exactly, so answers that
            // use it are uncertain (RFC 8259 §8.2: such strings behave unpredictably).
            self.diag(
                Code::LONE_SURROGATE,
                span,
                "a `\\u` escape of half a surrogate pair, alone: it is not a character (read here as `\u{FFFD}`)"
                    .into(),
            )
            .help = Some("write the character itself, or both halves of its pair (`\\uD83D\\uDE00`)".into());
        }
        Spanned {
            value: self.interner.intern(&s),
            span: self.doc.span(node),
        }
    }

    /// A string element; wrong types are reported.
    fn string_value(&mut self, node: NodeId) -> Option<Spanned<Str>> {
        match self.doc.kind(node) {
            Kind::String => Some(self.string(node)),
            _ => {
                self.type_mismatch(node, "a string");
                None
            }
        }
    }

    /// A string or array of strings. `scalars` also accepts numbers and booleans (condition values).
    fn one_or_many(&mut self, node: NodeId, scalars: bool) -> OneOrMany {
        let span = self.doc.span(node);
        let mut single = true;
        let mut items = Vec::new();
        match self.doc.kind(node) {
            // Exactly the room needed (a first push would reserve four): policies hold hundreds of thousands of
            // these lists.
            Kind::String => items = vec![self.string(node)],
            Kind::Number | Kind::Bool(_) if scalars => items = vec![self.scalar(node)],
            Kind::Array => {
                single = false;
                let children: Vec<NodeId> = self.doc.children(node).collect();
                items.reserve_exact(children.len());
                for (i, c) in children.into_iter().enumerate() {
                    self.path.push(Seg::Index(i));
                    match self.doc.kind(c) {
                        Kind::String => items.push(self.string(c)),
                        Kind::Number | Kind::Bool(_) if scalars => items.push(self.scalar(c)),
                        // AWS accepts and ignores `null` in a list (moto's CreatePolicy cases).
                        Kind::Null => {
                            let d = self.diag(
                                Code::NULL_IN_ARRAY,
                                self.doc.span(c),
                                "`null` in a list is ignored".into(),
                            );
                            d.severity = Severity::Warning;
                            d.help = Some("remove it".into());
                        }
                        _ => self.type_mismatch(
                            c,
                            if scalars {
                                "a string, number or boolean"
                            } else {
                                "a string"
                            },
                        ),
                    }
                    self.path.pop();
                }
            }
            _ => self.type_mismatch(
                node,
                if scalars {
                    "a string, number, boolean or an array of them"
                } else {
                    "a string or an array of strings"
                },
            ),
        }
        OneOrMany {
            items: items.into_boxed_slice(),
            single,
            span,
        }
    }

    fn scalar(&mut self, node: NodeId) -> Spanned<Str> {
        let span = self.doc.span(node);
        let text = crate::text::at(self.src, span);
        Spanned {
            value: self.interner.intern(text),
            span,
        }
    }

    /// Members of an object, reporting duplicate keys (AWS's JSON parser rejects some, and the later one
    /// silently wins in others: either way it is a bug).
    fn members(&mut self, obj: NodeId) -> Vec<(String, Span, NodeId)> {
        // Objects are small (a statement, a principal map), so the keys seen are scanned; past this many (a
        // condition block may list thousands of keys) they are looked up, which keeps reading linear.
        const SCANNED: usize = 16;
        let mut out: Vec<(String, Span, NodeId)> = Vec::new();
        let mut seen: Option<FxHashSet<String>> = None;
        let pairs: Vec<(NodeId, NodeId)> = self.doc.members(obj).collect();
        for (k, v) in pairs {
            if self.doc.kind(k) != Kind::String {
                continue;
            }
            let name = self.doc.str(self.src, k).into_owned();
            let span = self.doc.span(k);
            let duplicate = match &seen {
                Some(set) => set.contains(&name),
                None => out.iter().any(|(n, _, _)| *n == name),
            };
            if duplicate {
                self.path.push(Seg::Name(name.clone()));
                let d = self.diag(
                    Code::DUPLICATE_KEY,
                    span,
                    format!("duplicate key `{name}`: only one of them takes effect"),
                );
                d.help = Some("merge the two values into one element".into());
                self.path.pop();
                continue;
            }
            match &mut seen {
                Some(set) => {
                    set.insert(name.clone());
                }
                None if out.len() >= SCANNED => {
                    let mut set: FxHashSet<String> =
                        out.iter().map(|(n, _, _)| n.clone()).collect();
                    set.insert(name.clone());
                    seen = Some(set);
                }
                None => {}
            }
            out.push((name, span, v));
        }
        out
    }

    fn policy(&mut self, root: NodeId) -> Policy {
        let mut p = Policy {
            span: self.doc.span(root),
            ..Policy::default()
        };
        if self.doc.kind(root) != Kind::Object {
            if self.doc.kind(root) != Kind::Error {
                let found = self.doc.kind(root).describe();
                self.diag(
                    Code::POLICY_NOT_OBJECT,
                    self.doc.span(root),
                    format!("a policy document must be a JSON object, found {found}"),
                );
            }
            return p;
        }
        for (name, key_span, v) in self.members(root) {
            match name.as_str() {
                "Version" => {
                    self.path.push(Seg::Key("Version"));
                    p.version = self.string_value(v);
                    self.path.pop();
                }
                "Id" => {
                    self.path.push(Seg::Key("Id"));
                    p.id = self.string_value(v);
                    self.path.pop();
                }
                "Statement" => {
                    self.path.push(Seg::Key("Statement"));
                    p.statement_span = Some(self.doc.span(v));
                    match self.doc.kind(v) {
                        Kind::Object => {
                            p.statement_single = true;
                            let s = self.statement(v);
                            p.statements.reserve_exact(1);
                            p.statements.push(s);
                        }
                        Kind::Array => {
                            let children: Vec<NodeId> = self.doc.children(v).collect();
                            p.statements.reserve_exact(children.len());
                            for (i, c) in children.into_iter().enumerate() {
                                self.path.push(Seg::Index(i));
                                if self.doc.kind(c) == Kind::Object {
                                    let s = self.statement(c);
                                    p.statements.push(s);
                                } else {
                                    self.type_mismatch(c, "an object");
                                }
                                self.path.pop();
                            }
                        }
                        _ => self.type_mismatch(v, "an object or an array of objects"),
                    }
                    self.path.pop();
                }
                other => {
                    let d = self.diag(
                        Code::UNKNOWN_ELEMENT,
                        key_span,
                        format!("unknown policy element `{other}`"),
                    );
                    d.help = Some(match suggest(other, TOP_KEYS) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "a policy has only `Version`, `Id` and `Statement`".into(),
                    });
                }
            }
        }
        p
    }

    fn statement(&mut self, node: NodeId) -> Statement {
        let mut s = Statement {
            span: self.doc.span(node),
            ..Statement::default()
        };
        for (name, key_span, v) in self.members(node) {
            match name.as_str() {
                "Sid" => {
                    self.path.push(Seg::Key("Sid"));
                    s.sid = self.string_value(v);
                    self.path.pop();
                }
                "Effect" => {
                    self.path.push(Seg::Key("Effect"));
                    if let Some(e) = self.string_value(v) {
                        match &*e.value {
                            "Allow" => {
                                s.effect = Some(Spanned {
                                    value: Effect::Allow,
                                    span: e.span,
                                })
                            }
                            "Deny" => {
                                s.effect = Some(Spanned {
                                    value: Effect::Deny,
                                    span: e.span,
                                })
                            }
                            other => {
                                let fix = if other.eq_ignore_ascii_case("allow") {
                                    Some("\"Allow\"")
                                } else if other.eq_ignore_ascii_case("deny") {
                                    Some("\"Deny\"")
                                } else {
                                    None
                                };
                                let d = self.diag(
                                    Code::INVALID_EFFECT,
                                    e.span,
                                    format!("`Effect` must be `Allow` or `Deny`, found `{other}`"),
                                );
                                if let Some(f) = fix {
                                    d.help = Some(format!("write {f}"));
                                    d.fix = Some(crate::diagnostic::Edit {
                                        span: e.span,
                                        text: f.into(),
                                    });
                                }
                            }
                        }
                    }
                    self.path.pop();
                }
                "Action" | "NotAction" => {
                    let not = name == "NotAction";
                    self.path
                        .push(Seg::Key(if not { "NotAction" } else { "Action" }));
                    let list = self.one_or_many(v, false);
                    if s.action.is_some() {
                        self.diag(
                            Code::ACTION_AND_NOT_ACTION,
                            key_span,
                            "a statement cannot have both `Action` and `NotAction`".into(),
                        );
                    } else {
                        s.action = Some(if not {
                            ActionBlock::NotAction(list)
                        } else {
                            ActionBlock::Action(list)
                        });
                    }
                    self.path.pop();
                }
                "Resource" | "NotResource" => {
                    let not = name == "NotResource";
                    self.path
                        .push(Seg::Key(if not { "NotResource" } else { "Resource" }));
                    let list = self.one_or_many(v, false);
                    if s.resource.is_some() {
                        self.diag(
                            Code::RESOURCE_AND_NOT_RESOURCE,
                            key_span,
                            "a statement cannot have both `Resource` and `NotResource`".into(),
                        );
                    } else {
                        s.resource = Some(if not {
                            ResourceBlock::NotResource(list)
                        } else {
                            ResourceBlock::Resource(list)
                        });
                    }
                    self.path.pop();
                }
                "Principal" | "NotPrincipal" => {
                    let not = name == "NotPrincipal";
                    self.path
                        .push(Seg::Key(if not { "NotPrincipal" } else { "Principal" }));
                    let value = self.principal_value(v);
                    if s.principal.is_some() {
                        self.diag(
                            Code::PRINCIPAL_AND_NOT_PRINCIPAL,
                            key_span,
                            "a statement cannot have both `Principal` and `NotPrincipal`".into(),
                        );
                    } else if let Some(value) = value {
                        s.principal = Some(Box::new(PrincipalBlock {
                            not,
                            key_span,
                            value,
                            span: self.doc.span(v),
                        }));
                    }
                    self.path.pop();
                }
                "Condition" => {
                    self.path.push(Seg::Key("Condition"));
                    s.condition_span = Some(self.doc.span(v));
                    // A second `Condition` (reported as a duplicate) adds to the first, as before.
                    let mut conditions = std::mem::take(&mut s.conditions).into_vec();
                    self.conditions(v, &mut conditions);
                    s.conditions = conditions.into_boxed_slice();
                    self.path.pop();
                }
                other => {
                    let d = self.diag(
                        Code::UNKNOWN_ELEMENT,
                        key_span,
                        format!("unknown statement element `{other}`"),
                    );
                    d.help = suggest(other, STATEMENT_KEYS[..9].iter().copied())
                        .map(|s| format!("did you mean `{s}`?"));
                    if d.help.is_none() {
                        d.help = Some(
                            "a statement has Sid, Effect, Principal/NotPrincipal, Action/NotAction, \
                             Resource/NotResource and Condition"
                                .into(),
                        );
                    }
                }
            }
        }
        s
    }

    fn principal_value(&mut self, v: NodeId) -> Option<PrincipalValue> {
        match self.doc.kind(v) {
            Kind::String => {
                let s = self.string(v);
                if &*s.value == "*" {
                    Some(PrincipalValue::Star(s.span))
                } else {
                    self.diag(
                        Code::INVALID_PRINCIPAL,
                        s.span,
                        format!(
                            "a principal written as a string must be `\"*\"`, found `{}`",
                            s.value
                        ),
                    )
                    .help = Some(format!("write {{\"AWS\": \"{}\"}}", s.value));
                    None
                }
            }
            Kind::Object => {
                let mut entries = Vec::new();
                for (name, key_span, val) in self.members(v) {
                    let kind = match name.as_str() {
                        "AWS" => PrincipalKind::Aws,
                        "Service" => PrincipalKind::Service,
                        "Federated" => PrincipalKind::Federated,
                        "CanonicalUser" => PrincipalKind::CanonicalUser,
                        other => {
                            let d = self.diag(
                                Code::INVALID_PRINCIPAL_KEY,
                                key_span,
                                format!("unknown principal type `{other}`"),
                            );
                            d.help = Some(
                                suggest(other, ["AWS", "Service", "Federated", "CanonicalUser"])
                                    .map(|s| format!("did you mean `{s}`?"))
                                    .unwrap_or_else(|| {
                                        "use `AWS`, `Service`, `Federated` or `CanonicalUser`"
                                            .into()
                                    }),
                            );
                            PrincipalKind::Other(self.interner.intern(other))
                        }
                    };
                    self.path.push(Seg::Name(name.clone()));
                    let values = self.one_or_many(val, false);
                    self.path.pop();
                    entries.push(PrincipalEntry {
                        kind: Spanned {
                            value: kind,
                            span: key_span,
                        },
                        values,
                    });
                }
                Some(PrincipalValue::Map(entries))
            }
            _ => {
                self.type_mismatch(v, "`\"*\"` or an object");
                None
            }
        }
    }

    fn conditions(&mut self, v: NodeId, out: &mut Vec<Condition>) {
        if self.doc.kind(v) != Kind::Object {
            self.type_mismatch(v, "an object");
            return;
        }
        for (op_name, op_span, block) in self.members(v) {
            let operator = Spanned {
                value: self.interner.intern(&op_name),
                span: op_span,
            };
            let op = ConditionOperator::parse(&op_name);
            self.path.push(Seg::Name(op_name.clone()));
            if self.doc.kind(block) != Kind::Object {
                self.type_mismatch(block, "an object of condition keys");
                self.path.pop();
                continue;
            }
            for (key_name, key_span, values) in self.members(block) {
                self.path.push(Seg::Name(key_name.clone()));
                let key = Spanned {
                    value: self.interner.intern(&key_name),
                    span: key_span,
                };
                let values = self.one_or_many(values, true);
                self.path.pop();
                out.push(Condition {
                    operator: operator.clone(),
                    op,
                    key,
                    values,
                });
            }
            self.path.pop();
        }
        out.shrink_to_fit();
    }
}

/// The closest of `candidates` to `word`, if close enough to be a likely typo ("did you mean"): the
/// case-insensitive edit distance is at most a third of the candidate's length (at least 1); ties go to the
/// first. Work is bounded by the candidates' lengths, not the word's: a candidate whose length alone rules it
/// out costs a comparison, and the distance stops as soon as a row exceeds the limit, so a 100 KB word costs
/// what a short one does.
pub fn suggest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    suggest_among(word, candidates.into_iter().map(|c| (c, char_set(c))))
}

/// [`suggest`] among candidates given with their [`char_set`], computed once for a list asked often (the
/// actions of a service: a policy of 200,000 unknown actions compares each with every action of its service).
pub fn suggest_among<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = (&'c str, u128)>,
) -> Option<&'c str> {
    let word: Vec<char> = word.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut best: Option<(usize, &'c str)> = None;
    // One set of buffers for every candidate: before, each comparison made three small allocations.
    let mut rows = Rows::default();
    for c in &word {
        if let Some(n) = rows.word_bag.get_mut(bucket(*c)) {
            *n += 1;
        }
        rows.word_set |= 1 << bucket(*c);
    }
    for (c, set) in candidates {
        // Nothing beats an exact match, and ties go to the first.
        if let Some((0, _)) = best {
            break;
        }
        let limit = (c.len() / 3).max(1);
        let limit = best.map_or(limit, |(bd, _)| limit.min(bd.saturating_sub(1)));
        if let Some(d) = rows.levenshtein_within(&word, c, set, limit) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The buckets of a string's characters (their code point modulo 128), compared ASCII-case-insensitively, one bit
/// each.
pub fn char_set(s: &str) -> u128 {
    s.chars()
        .fold(0, |set, c| set | 1 << bucket(c.to_ascii_lowercase()))
}

/// The buffers of [`Rows::levenshtein_within`], kept between candidates, and the word's characters counted by
/// [`bucket`].
struct Rows {
    b: Vec<char>,
    prev: Vec<usize>,
    cur: Vec<usize>,
    word_bag: [usize; 128],
    /// The buckets the word's characters fall in, one bit each.
    word_set: u128,
    /// The counts of the candidate's characters matched in `word_bag`, zero between candidates.
    used: [usize; 128],
}

impl Default for Rows {
    fn default() -> Self {
        Self {
            b: Vec::new(),
            prev: Vec::new(),
            cur: Vec::new(),
            word_bag: [0; 128],
            word_set: 0,
            used: [0; 128],
        }
    }
}

/// A character's bucket for the bag distance. Characters that share a bucket count as equal, which can only
/// lower the bound, so it stays a bound.
fn bucket(c: char) -> usize {
    c as usize % 128
}

impl Rows {
    /// Edit distance between `a` (already lower-cased) and `b` (whose [`char_set`] is `set`) compared
    /// ASCII-case-insensitively, counted in characters, when it is at most `limit`; `None` otherwise. Stops
    /// early: lengths that differ by more than `limit` (first in bytes, before any other work), a set or bag
    /// distance above `limit`, or a row whose smallest entry exceeds `limit`.
    #[expect(
        clippy::indexing_slicing,
        reason = "both rows have `b.len() + 1` entries and `j < b.len()`"
    )]
    fn levenshtein_within(
        &mut self,
        a: &[char],
        b: &str,
        set: u128,
        limit: usize,
    ) -> Option<usize> {
        // A string's length in bytes is at least its length in characters and at most four times it.
        if b.len() / 4 > a.len() + limit || a.len() > b.len() + limit {
            return None;
        }
        let Self {
            b: bc,
            prev,
            cur,
            word_bag,
            word_set,
            used,
        } = self;
        // Cheaper still, the sets of characters: each character of one that the other lacks is at least one
        // edit. Most candidates stop here, without reading `b`.
        if (set & !*word_set).count_ones() as usize > limit
            || (*word_set & !set).count_ones() as usize > limit
        {
            return None;
        }
        // The bag distance, a lower bound of the edit distance that costs one pass and no copy: every edit
        // changes the count of at most one character on each side, so the characters of `b` that `a` lacks,
        // and those of `a` that `b` lacks, are each at most the distance.
        let (mut chars, mut extra) = (0, 0);
        for c in b.chars() {
            chars += 1;
            let k = bucket(c.to_ascii_lowercase());
            match (used.get_mut(k), word_bag.get(k)) {
                (Some(u), Some(w)) if *u < *w => *u += 1,
                _ => extra += 1,
            }
        }
        for c in b.chars() {
            if let Some(u) = used.get_mut(bucket(c.to_ascii_lowercase())) {
                *u = 0;
            }
        }
        let missing = a.len() - (chars - extra);
        if a.len().abs_diff(chars) > limit || extra.max(missing) > limit {
            return None;
        }
        bc.clear();
        bc.extend(b.chars().map(|c| c.to_ascii_lowercase()));
        prev.clear();
        prev.extend(0..=bc.len());
        cur.clear();
        cur.resize(bc.len() + 1, 0);
        for (i, ca) in a.iter().enumerate() {
            cur[0] = i + 1;
            let mut row_min = cur[0];
            for (j, cb) in bc.iter().enumerate() {
                let cost = usize::from(ca != cb);
                cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
                row_min = row_min.min(cur[j + 1]);
            }
            if row_min > limit {
                return None;
            }
            std::mem::swap(prev, cur);
        }
        Some(prev[bc.len()]).filter(|d| *d <= limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ParsedPolicy {
        parse_text(text, &mut Interner::default())
    }

    fn underlined(text: &str, p: &ParsedPolicy) -> Vec<(&'static str, String)> {
        p.diagnostics
            .iter()
            .map(|d| (d.code, text[d.span.range()].to_string()))
            .collect()
    }

    #[test]
    fn parses_every_element_with_spans() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow",
            "Principal":{"AWS":["arn:aws:iam::111122223333:root"],"Service":"ec2.amazonaws.com"},
            "NotAction":"iam:*","Resource":"*",
            "Condition":{"StringEquals":{"aws:PrincipalTag/team":["a","b"]},"Bool":{"aws:SecureTransport":true}}}]}"#;
        let p = parse(text);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let pol = &p.policy;
        assert_eq!(pol.version.as_ref().unwrap().value.as_ref(), "2012-10-17");
        assert!(!pol.statement_single);
        let s = &pol.statements[0];
        assert_eq!(&text[s.sid.as_ref().unwrap().span.range()], "\"A\"");
        assert_eq!(s.effect.as_ref().unwrap().value, Effect::Allow);
        assert!(s.action.as_ref().unwrap().is_not());
        assert!(s.action.as_ref().unwrap().list().single);
        let Some(PrincipalBlock {
            value: PrincipalValue::Map(entries),
            not: false,
            ..
        }) = s.principal.as_deref()
        else {
            panic!("principal map expected")
        };
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].kind.value, PrincipalKind::Service);
        assert_eq!(s.conditions.len(), 2);
        assert_eq!(s.conditions[0].values.items.len(), 2);
        assert_eq!(&*s.conditions[1].values.items[0].value, "true");
        assert_eq!(
            s.conditions[1].op,
            Some(ConditionOperator {
                qualifier: None,
                base: BaseOperator::Bool,
                if_exists: false
            })
        );
    }

    #[test]
    fn reports_shape_problems_with_paths() {
        let text = r#"{"Version":"2012-10-17","Statment":[],"Statement":{"Effect":"allow","Action":["s3:GetObject",5],
            "NotAction":"x:y","Resourse":"*"}}"#;
        let p = parse(text);
        let u = underlined(text, &p);
        assert!(
            u.contains(&("UNKNOWN_ELEMENT", "\"Statment\"".into())),
            "{u:?}"
        );
        assert!(u.contains(&("INVALID_EFFECT", "\"allow\"".into())));
        assert!(u.contains(&("JSON_TYPE_MISMATCH", "5".into())));
        assert!(u.contains(&("ACTION_AND_NOT_ACTION", "\"NotAction\"".into())));
        assert!(u.contains(&("UNKNOWN_ELEMENT", "\"Resourse\"".into())));
        let tm = p
            .diagnostics
            .iter()
            .find(|d| d.code == "JSON_TYPE_MISMATCH")
            .unwrap();
        assert_eq!(tm.path, "Statement.Action[1]");
        let eff = p
            .diagnostics
            .iter()
            .find(|d| d.code == "INVALID_EFFECT")
            .unwrap();
        assert_eq!(eff.fix.as_ref().unwrap().text, "\"Allow\"");
        let unk = p
            .diagnostics
            .iter()
            .find(|d| text[d.span.range()] == *"\"Statment\"")
            .unwrap();
        assert_eq!(unk.help.as_deref(), Some("did you mean `Statement`?"));
    }

    #[test]
    fn duplicate_keys_are_reported() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}]}"#;
        let p = parse(text);
        assert_eq!(
            underlined(text, &p),
            [("DUPLICATE_KEY", "\"Effect\"".to_string())]
        );
        // Which of the two AWS reads is not documented: the effect is unknown (the evaluator reads it as a
        // `Deny`), and the error covers the whole statement, so every element of it is in doubt.
        let s = &p.policy.statements[0];
        assert!(s.effect.is_none());
        assert_eq!(s.invalid.as_ref().unwrap().span, s.span);
        // A key of the same name deeper down is not the statement's `Effect`.
        assert!(is_statement_member("Statement[12].Effect", "Effect"));
        assert!(is_statement_member("Statement.Effect", "Effect"));
        assert!(!is_statement_member(
            "Statement[0].Condition.StringEquals.Effect",
            "Effect"
        ));
        assert!(!is_statement_member("Statement[].Effect", "Effect"));
    }

    #[test]
    fn operators_parse_with_qualifiers() {
        let op = ConditionOperator::parse("ForAllValues:StringLikeIfExists").unwrap();
        assert_eq!(op.qualifier, Some(SetQualifier::ForAllValues));
        assert_eq!(op.base, BaseOperator::StringLike);
        assert!(op.if_exists);
        assert!(ConditionOperator::parse("StringEqual").is_none());
        assert!(ConditionOperator::parse("stringequals").is_none());
        assert!(BaseOperator::NotIpAddress.is_negated());
    }

    #[test]
    fn action_index_agrees_with_matching_every_pattern() {
        let text = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["s3:GetObject","S3:PutObject"],"Resource":"*"},
            {"Effect":"Allow","Action":["ec2:Describe*","s3:List*","iam:Get?ser"],"Resource":"*"},
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*"},
            {"Effect":"Allow","Action":"s*:get*","Resource":"*"},
            {"Effect":"Allow","Resource":"*"},
            {"Effect":"Deny","NotAction":["IAM:Get*","s3:GetObject","*:Describe*","sts:Assume?ole","s?s:*"],"Resource":"*"},
            {"Effect":"Deny","NotAction":"s3:*","Resource":"*"},
            {"Effect":"Deny","NotAction":["s3:GetÖbject","kms:*"],"Resource":"*"},
            {"Effect":"Deny","NotAction":[],"Resource":"*"},
            {"Effect":"Deny","NotAction":"*","Resource":"*"}]}"#;
        let p = parse(text).policy;
        let idx = p.action_index();
        // `NotAction` lists are looked up, like `Action` lists; a wildcard service, a missing action and a
        // non-ASCII list are matched in full.
        for i in [0, 1, 3, 6, 7, 9, 10] {
            assert!(!idx.needs_full_match(i), "statement {i}");
        }
        for i in [2, 4, 5, 8] {
            assert!(idx.needs_full_match(i), "statement {i}");
        }
        for action in [
            "s3:GetObject",
            "s3:putobject",
            "s3:ListBucket",
            "ec2:DescribeInstances",
            "ec2:RunInstances",
            "iam:GetUser",
            "iam:GetUsers",
            "sts:AssumeRole",
            "sqs:GetQueueUrl",
            "kms:Decrypt",
            "IAM:GETUSER",
            "sns:Publish",
            "sts:AssumeRole",
            "sts:AssumeRoleWithSAML",
            "s3:GetÖbject",
            "S3:getöbject",
            "s3",
            "",
            ":",
        ] {
            let naive: Vec<u32> = p
                .statements
                .iter()
                .enumerate()
                .filter(|(_, s)| match &s.action {
                    Some(ActionBlock::Action(l)) => {
                        l.iter().any(|x| crate::wildcard::action_matches(x, action))
                    }
                    Some(ActionBlock::NotAction(l)) => {
                        !l.iter().any(|x| crate::wildcard::action_matches(x, action))
                    }
                    None => false,
                })
                .map(|(i, _)| i as u32)
                .collect();
            let mut got = Vec::new();
            idx.candidates(&action.to_ascii_lowercase(), &mut got);
            // Candidates are a superset; the certain ones (not needing a full match) all truly match.
            for n in &naive {
                assert!(
                    got.contains(n),
                    "{action}: statement {n} missing from {got:?}"
                );
            }
            for g in &got {
                if !idx.needs_full_match(*g) {
                    assert!(naive.contains(g), "{action}: statement {g} is not a match");
                }
            }
        }
    }

    #[test]
    fn interner_shares_storage() {
        let mut i = Interner::default();
        let a = i.intern("s3:GetObject");
        let b = i.intern("s3:GetObject");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(i.len(), 1);
    }

    #[test]
    fn suggestions_find_typos() {
        assert_eq!(suggest("Efect", ["Effect", "Action"]), Some("Effect"));
        assert_eq!(suggest("zzzz", ["Effect", "Action"]), None);
        // Ties go to the first, exact matches too.
        assert_eq!(suggest("a", ["a", "A"]), Some("a"));
        assert_eq!(suggest("ab", ["ax", "ay"]), Some("ax"));
    }

    /// The full edit distance, without bounds or early stops, for comparison.
    fn plain_distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
        let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let d = (prev[j] + usize::from(ca != cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
                cur.push(d);
            }
            prev = cur;
        }
        prev[b.len()]
    }

    proptest::proptest! {
        /// The bounds (lengths, bag distance, row minimum) never change the suggestion: it is the first
        /// candidate of smallest distance among those within a third of their length.
        #[test]
        fn suggestions_are_the_nearest_candidate(
            word in "[abciAB0é\\u{80}\\u{100}]{0,12}",
            candidates in proptest::collection::vec("[abcdAB0é\\u{80}\\u{100}]{0,14}", 0..8),
        ) {
            let expected = candidates
                .iter()
                .map(|c| (plain_distance(&word, c), c.as_str()))
                .filter(|(d, c)| *d <= (c.len() / 3).max(1))
                .min_by_key(|(d, _)| *d)
                .map(|(_, c)| c);
            proptest::prop_assert_eq!(suggest(&word, candidates.iter().map(String::as_str)), expected);
        }
    }
}
