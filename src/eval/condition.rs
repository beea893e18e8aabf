//! Condition operators, policy variables and the request context.
//!
//! References:
//! - operators: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//! - several values and keys: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>
//! - single- vs multi-valued keys, `ForAllValues`/`ForAnyValue`:
//!   <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
//! - policy variables: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>

use crate::policy::{BaseOperator, ConditionOperator, SetQualifier};
use crate::wildcard::{arn_like, glob};
use std::borrow::Cow;

/// The request context: condition keys (matched case-insensitively) with one or several values.
///
/// Its keys are a list searched without regard to case, with a hash index once they are many: a request's
/// context has a handful of keys, and a batch worker fills one context per request, so [`Context::clear`]
/// keeps every key's and value's room for the next request's (no allocation once the worker is warm).
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// `slots[..live]` are the keys; the rest are spare room from earlier requests.
    slots: Vec<Slot>,
    live: usize,
    /// Positions in `slots` by key, hashed without regard to case: kept only past [`Context::SCAN`] keys.
    index: hashbrown::HashTable<u32>,
    /// The keys a principal derives ([`crate::eval::Principal::derived_keys`]), shared by the requests of one
    /// principal in a batch: read after this context's own keys, which therefore win, as the caller's values
    /// win over the derived ones.
    principal: Option<std::sync::Arc<PrincipalKeys>>,
    /// Keys AWS sets for this request whose value the request does not determine (a role's `aws:userid` without
    /// a session name), each with why (lowercased key, reason, and whether AWS may also leave it out): a test of
    /// one is undecided, not false.
    unread: Vec<(String, &'static str, bool)>,
    /// What is known of some unread keys' values (lowercased key, bound): an account outside the loaded
    /// organisation is in none or in another, so its `aws:PrincipalOrgID` is absent or not the loaded one's
    /// ([`Context::set_unread_or_absent_except`]); a principal an account stands for has an ARN of that account
    /// ([`Context::set_unread_bound`]).
    bounds: Vec<(String, Bound)>,
}

/// What is known of an unread key's value ([`Context::bound`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bound {
    /// Absent, or a value this pattern (`o-abc`, `o-abc/*`) does not match.
    Except(String),
    /// An ARN of this account.
    OfAccount(String),
    /// An account ID outside this zone of trust.
    Outside(Outside),
    /// An ARN of an account outside this zone of trust.
    ArnOutside(Outside),
    /// One of these values (present, one value): the organisation path of one of the organisation's members
    /// other than the resource's account, for the account zone's caller from the organisation
    /// ([`same_for_each`]).
    OneOf(std::sync::Arc<[String]>),
}

/// A zone of trust a caller from outside is not in ([`crate::eval::Principal::outsider`]): an account (the
/// resource's), and with `organization`, every member of the loaded organisation; with `members`, the caller is
/// instead one of the loaded organisation's other members (the account zone's caller from the organisation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outside {
    /// The zone's account.
    pub of: String,
    /// The zone is the account's organisation (the loaded one).
    pub organization: bool,
    /// The caller is instead a member of the loaded organisation other than `of` (`organization` is then
    /// false): the distinct organisation paths of those members, as `aws:PrincipalOrgPaths` gives them (empty
    /// when one's is not known).
    pub members: Option<std::sync::Arc<[String]>>,
}

/// One key: its spelling as given (for explanations) and its values, `values[..count]` (the rest is room).
#[derive(Clone, Debug, Default)]
struct Slot {
    name: String,
    values: Vec<String>,
    count: usize,
}

impl Slot {
    fn values(&self) -> &[String] {
        self.values.get(..self.count).unwrap_or_default()
    }

    /// Append `value`, into a kept string's room when there is one.
    fn push(&mut self, value: &str) {
        match self.values.get_mut(self.count) {
            Some(s) => {
                s.clear();
                s.push_str(value);
            }
            None => self.values.push(value.to_string()),
        }
        self.count += 1;
    }
}

/// A key's hash without regard to ASCII case (the index's).
fn key_hash(key: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    for chunk in key.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        for (w, b) in word.iter_mut().zip(chunk) {
            *w = b.to_ascii_lowercase();
        }
        h.write_u64(u64::from_le_bytes(word));
    }
    h.write_usize(key.len());
    h.finish()
}

/// The values a caller writes into a key (see [`Context::set_with`]).
pub struct ValuesMut<'c>(&'c mut Slot);

impl ValuesMut<'_> {
    /// Append one value.
    pub fn push(&mut self, value: &str) {
        self.0.push(value);
    }
}

/// The context keys one principal derives, computed when a request of it first needs them
/// ([`crate::eval::Principal::fill_context`]) and read by its later requests (see [`Context::with_principal_keys`]).
#[derive(Debug, Default)]
pub struct PrincipalKeys(std::sync::OnceLock<Context>);

impl PrincipalKeys {
    /// The keys, computed by `derive` the first time.
    pub fn get_or_init(&self, derive: impl FnOnce() -> Context) -> &Context {
        self.0.get_or_init(derive)
    }

    /// The keys, when they were computed.
    pub fn get(&self) -> Option<&Context> {
        self.0.get()
    }
}

impl Context {
    /// Up to this many keys are found by a scan, without the index.
    const SCAN: usize = 8;

    /// An empty context.
    pub fn new() -> Self {
        Context::default()
    }

    /// Empty it, keeping its room (a batch worker fills one context per request).
    pub fn clear(&mut self) {
        self.live = 0;
        self.index.clear();
        self.principal = None;
        self.unread.clear();
        self.bounds.clear();
    }

    /// Mark `key` as set by AWS to a value this request does not determine, unless the caller gave it a value (a
    /// key given with no value is not one AWS sets: it stays unread).
    pub fn set_unread(&mut self, key: &str, why: &'static str) {
        if self.get(key).is_none_or(<[String]>::is_empty) {
            self.unread.push((key.to_ascii_lowercase(), why, false));
        }
    }

    /// Mark `key` as one AWS sets on some requests and leaves out of others, neither of which this request says:
    /// a test of it is undecided, whether it tests a value or the key's presence. A key the caller gave, with
    /// values or with none (then it is absent: `--context KEY`, `"KEY": []`), is not marked.
    pub fn set_unread_or_absent(&mut self, key: &str, why: &'static str) {
        if self.get(key).is_none() {
            self.unread.push((key.to_ascii_lowercase(), why, true));
        }
    }

    /// [`Context::set_unread_or_absent`], for a key that, when present, has no value `excluded` matches (a
    /// wildcard pattern: `o-abc` or `o-abc/*`): a test that holds the same way whether the key is absent or has
    /// any other value is decided ([`same_unless`]).
    pub fn set_unread_or_absent_except(&mut self, key: &str, why: &'static str, excluded: String) {
        if self.get(key).is_none() {
            self.unread.push((key.to_ascii_lowercase(), why, true));
            self.bounds
                .push((key.to_ascii_lowercase(), Bound::Except(excluded)));
        }
    }

    /// [`Context::set_unread`], for a key of which `bound` is known (AWS sets it: it is present): the ARN of a
    /// principal an account stands for is one of that account's ([`Bound::OfAccount`]); a caller from outside has
    /// an account outside the zone of trust ([`Bound::Outside`]). A test no such value passes is decided
    /// ([`within_account`]).
    pub fn set_unread_bound(&mut self, key: &str, why: &'static str, bound: Bound) {
        debug_assert!(!matches!(bound, Bound::Except(_)));
        if self.get(key).is_none_or(<[String]>::is_empty) {
            self.unread.push((key.to_ascii_lowercase(), why, false));
            self.bounds.push((key.to_ascii_lowercase(), bound));
        }
    }

    /// [`Context::set_unread_or_absent`], for a key that, when present, has a value `bound` says (a service acting
    /// for a resource outside the zone: its `aws:PrincipalAccount`, when it has one, is none of the zone's).
    pub fn set_unread_or_absent_bound(&mut self, key: &str, why: &'static str, bound: Bound) {
        debug_assert!(!matches!(bound, Bound::Except(_)));
        if self.get(key).is_none() {
            self.unread.push((key.to_ascii_lowercase(), why, true));
            self.bounds.push((key.to_ascii_lowercase(), bound));
        }
    }

    /// What is known of `key`'s value, when something is ([`Context::set_unread_or_absent_except`],
    /// [`Context::set_unread_bound`]), here or among the principal's keys.
    pub fn bound(&self, key: &str) -> Option<&Bound> {
        let find = |c: &'_ Context| -> Option<usize> {
            c.bounds
                .iter()
                .position(|(k, _)| k.eq_ignore_ascii_case(key))
        };
        if let Some(i) = find(self) {
            return self.bounds.get(i).map(|(_, b)| b);
        }
        let keys = self.principal.as_deref()?.get()?;
        keys.bounds.get(find(keys)?).map(|(_, b)| b)
    }

    /// Mark every key that begins with `prefix` (`aws:PrincipalTag/`) as one AWS may set to a value this request
    /// does not determine, or leave out ([`Context::set_unread_or_absent`] for a family of keys): the tags of a
    /// principal the snapshot does not hold, or of a session that may have been given tags.
    pub fn set_family_unread_or_absent(&mut self, prefix: &str, why: &'static str) {
        debug_assert!(prefix.ends_with('/'));
        self.unread.push((prefix.to_ascii_lowercase(), why, true));
    }

    /// The mark on `key`, here or among the principal's keys: why, and whether it may be absent.
    fn mark(&self, key: &str) -> Option<(&'static str, bool)> {
        let find = |c: &Context| {
            c.unread
                .iter()
                .find(|(k, _, _)| {
                    k.eq_ignore_ascii_case(key)
                        || (k.ends_with('/') && crate::text::extends_ignore_case(key, k))
                })
                .map(|(_, why, absent)| (*why, *absent))
        };
        find(self).or_else(|| find(self.principal.as_deref()?.get()?))
    }

    /// Whether `key`, marked unread ([`Context::unread`]), may also be absent from the request
    /// ([`Context::set_unread_or_absent`]).
    pub fn may_be_absent(&self, key: &str) -> bool {
        self.mark(key).is_some_and(|(_, absent)| absent)
    }

    /// Why `key` has a value this request does not determine, when it has ([`Context::set_unread`]): a value the
    /// caller gives wins, and so does a key the caller says is absent (given with no value) where AWS may leave
    /// it out.
    pub fn unread(&self, key: &str) -> Option<&'static str> {
        // Asked of every condition a statement tests: the few marked keys are scanned first, and the caller's
        // values looked up only for a marked key.
        let (why, absent) = self.mark(key)?;
        match self.own(key) {
            None => Some(why),
            Some(v) if v.is_empty() && !absent => Some(why),
            Some(_) => None,
        }
    }

    /// Make room for `n` more keys.
    pub fn reserve(&mut self, n: usize) {
        self.slots.reserve(n);
    }

    /// The live keys.
    fn keys(&self) -> &[Slot] {
        self.slots.get(..self.live).unwrap_or_default()
    }

    /// Where `key` is among the live keys.
    fn find(&self, key: &str) -> Option<usize> {
        if self.live <= Self::SCAN {
            return self
                .keys()
                .iter()
                .position(|s| s.name.eq_ignore_ascii_case(key));
        }
        let keys = self.keys();
        self.index
            .find(key_hash(key), |&i| {
                keys.get(i as usize)
                    .is_some_and(|s| s.name.eq_ignore_ascii_case(key))
            })
            .map(|&i| i as usize)
    }

    /// Index every live key (when there come to be more than [`Context::SCAN`], or after a removal).
    fn reindex(&mut self) {
        self.index.clear();
        if self.live <= Self::SCAN {
            return;
        }
        for (i, s) in self.slots.iter().take(self.live).enumerate() {
            // A context's keys are far fewer than 2³²: the conversion cannot fail.
            let Ok(at) = u32::try_from(i) else { break };
            let h = key_hash(&s.name);
            self.index.insert_unique(h, at, |&j| {
                self.slots.get(j as usize).map_or(0, |s| key_hash(&s.name))
            });
        }
    }

    /// The slot of `key`: its own when present (its values kept, its first spelling too), else a new one,
    /// spelled `key`, with no values (always `Some`).
    fn slot(&mut self, key: &str) -> Option<&mut Slot> {
        self.slot_of(key, false)
    }

    /// [`Context::slot`]; `new`: the caller knows `key` is not here, and it is not looked for.
    fn slot_of(&mut self, key: &str, new: bool) -> Option<&mut Slot> {
        debug_assert!(
            !new || self.find(key).is_none(),
            "{key} is already in the context"
        );
        let found = if new { None } else { self.find(key) };
        let at = match found {
            Some(at) => at,
            None => {
                let at = self.live;
                match self.slots.get_mut(at) {
                    Some(s) => {
                        s.name.clear();
                        s.name.push_str(key);
                        s.count = 0;
                    }
                    None => self.slots.push(Slot {
                        name: key.to_string(),
                        values: Vec::new(),
                        count: 0,
                    }),
                }
                self.live += 1;
                if self.live == Self::SCAN + 1 {
                    self.reindex();
                } else if self.live > Self::SCAN
                    && let Ok(i) = u32::try_from(at)
                {
                    let slots = &self.slots;
                    self.index.insert_unique(key_hash(key), i, |&j| {
                        slots.get(j as usize).map_or(0, |s| key_hash(&s.name))
                    });
                }
                at
            }
        };
        // `at` is a live slot: found, or just made.
        self.slots.get_mut(at)
    }

    /// Set `key` to `values` (replacing what was there).
    pub fn set(&mut self, key: &str, values: Vec<String>) {
        let Some(slot) = self.slot(key) else { return };
        slot.name.clear();
        slot.name.push_str(key);
        slot.values = values;
        slot.count = slot.values.len();
    }

    /// Set `key` to the values `write` pushes (replacing what was there), in the room kept from earlier
    /// requests; what `write` returns.
    pub fn set_with<R>(
        &mut self,
        key: &str,
        write: impl FnOnce(&mut ValuesMut<'_>) -> R,
    ) -> Option<R> {
        self.set_with_of(key, false, write)
    }

    /// [`Context::set_with`] for a key the caller knows is not in the context yet (a batch line's context,
    /// whose keys were checked to differ even but for case): it is not looked for first.
    pub fn set_new_with<R>(
        &mut self,
        key: &str,
        write: impl FnOnce(&mut ValuesMut<'_>) -> R,
    ) -> Option<R> {
        self.set_with_of(key, true, write)
    }

    fn set_with_of<R>(
        &mut self,
        key: &str,
        new: bool,
        write: impl FnOnce(&mut ValuesMut<'_>) -> R,
    ) -> Option<R> {
        let slot = self.slot_of(key, new)?;
        slot.name.clear();
        slot.name.push_str(key);
        slot.count = 0;
        Some(write(&mut ValuesMut(slot)))
    }

    /// Add one value to `key` (a repeated key is multi-valued).
    pub fn add(&mut self, key: &str, value: impl Into<String>) {
        let Some(slot) = self.slot(key) else { return };
        let value = value.into();
        match slot.values.get_mut(slot.count) {
            Some(s) => *s = value,
            None => slot.values.push(value),
        }
        slot.count += 1;
    }

    /// Set `key` only when the caller has not.
    pub fn set_default(&mut self, key: &str, values: Vec<String>) {
        if !self.contains(key) {
            self.set(key, values);
        }
    }

    /// Read the keys this request's principal derives from `keys`, under this context's own keys, instead of
    /// deriving them again for each request: every request given one `keys` must have the same principal.
    pub fn with_principal_keys(&mut self, keys: std::sync::Arc<PrincipalKeys>) {
        self.principal = Some(keys);
    }

    /// The principal's derived keys, when [`Context::with_principal_keys`] gave them.
    pub fn principal_keys(&self) -> Option<&std::sync::Arc<PrincipalKeys>> {
        self.principal.as_ref()
    }

    /// Remove `key` (from this context's own keys: a principal's derived keys stay).
    pub fn remove(&mut self, key: &str) {
        if let Some(at) = self.find(key) {
            // The removed slot goes past the live ones, as room.
            if let Some(s) = self.slots.get_mut(at..self.live) {
                s.rotate_left(1);
            }
            self.live -= 1;
            self.reindex();
        }
    }

    /// The values of `key` (case-insensitive), if present.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        match self.own(key) {
            Some(v) => Some(v),
            None => self.principal.as_deref()?.get()?.own(key),
        }
    }

    fn own(&self, key: &str) -> Option<&[String]> {
        let at = self.find(key)?;
        self.slots.get(at).map(Slot::values)
    }

    /// True when `key` is present.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Every key with its values, sorted, in the spelling first given (a principal's derived keys included,
    /// under this context's own).
    pub fn entries(&self) -> Vec<(String, Vec<String>)> {
        let under = self
            .principal
            .as_deref()
            .and_then(PrincipalKeys::get)
            .into_iter()
            .flat_map(Context::keys)
            .filter(|s| self.find(&s.name).is_none());
        let mut v: Vec<(String, Vec<String>)> = self
            .keys()
            .iter()
            .chain(under)
            .map(|s| (s.name.clone(), s.values().to_vec()))
            .collect();
        v.sort();
        v
    }
}

/// Substitute policy variables in `text` (`${aws:username}`, `${aws:PrincipalTag/team}`, `${key, 'default'}`,
/// `${*}`, `${?}`, `${$}`). Returns `None` when a variable has no value and no default: the element then does
/// not match (AWS: "If the key isn't present… the policy element evaluates to false"). A multi-valued key
/// cannot be used as a variable, and also gives `None`. Without variables the text is borrowed.
#[inline]
pub fn substitute<'a>(text: &'a str, ctx: &Context) -> Option<Cow<'a, str>> {
    // Most values have no variable: told apart where the call is, without a call.
    if crate::policy::variables::has_variable(text) {
        substitute_variables(text, ctx).map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(text))
    }
}

/// [`substitute`] for a text with `${`.
#[inline(never)]
fn substitute_variables(text: &str, ctx: &Context) -> Option<String> {
    use crate::policy::variables::{Piece, pieces};
    let mut out = String::with_capacity(text.len());
    for piece in pieces(text) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            // Not a variable: kept as written.
            Piece::Unclosed(t) => out.push_str(t),
            Piece::Var(v) => match v.special() {
                // Literal characters, not wildcards (see `LITERAL_STAR`).
                Some('*') => out.push(crate::wildcard::LITERAL_STAR),
                Some('?') => out.push(crate::wildcard::LITERAL_QMARK),
                Some(c) => out.push(c),
                None => match ctx.get(v.key) {
                    Some([one]) => out.push_str(one),
                    Some(_) | None => match v.default {
                        Some(d) => out.push_str(d),
                        None => return None,
                    },
                },
            },
        }
    }
    Some(out)
}

/// Why `text` cannot be substituted for this request, when one of its variables names a key the request does not
/// determine ([`Context::set_unread`]): what it stands for is not known, so whatever it is compared with is
/// undecided (a role's `${aws:userid}` without a session name, a `${aws:RequestedRegion}` not given). Such a key has
/// a value in AWS, so a default written after it does not apply either.
pub fn unread_variable(text: &str, ctx: &Context) -> Option<&'static str> {
    if !crate::policy::variables::has_variable(text) {
        return None;
    }
    crate::policy::variables::pieces(text).find_map(|piece| match piece {
        crate::policy::variables::Piece::Var(v) if v.special().is_none() => ctx.unread(v.key),
        _ => None,
    })
}

/// A context key with its values as people read it: `KEY=V1,V2`, or `KEY absent` when the request says it has
/// no such key (no values; `--context KEY` on the command line).
pub fn say_key(key: &str, values: &[String]) -> String {
    if values.is_empty() {
        format!("{key} absent")
    } else {
        format!("{key}={}", values.join(","))
    }
}

/// A condition's outcome. `Unknown`: a policy value (or a request value) cannot be read as the operator's type
/// (a date, a number, an IP range, a boolean, an ARN), so whether it holds is not known; the evaluator then takes
/// the least permissive reading and marks its answer uncertain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Truth {
    /// The condition holds.
    True,
    /// It does not.
    False,
    /// A value could not be read.
    Unknown,
}

impl Truth {
    pub(crate) fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }

    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }

    /// Kleene "any": true when one is true, unknown when none is true and one is unknown.
    fn any(items: impl Iterator<Item = Truth>) -> Truth {
        let mut out = Truth::False;
        for t in items {
            match t {
                Truth::True => return Truth::True,
                Truth::Unknown => out = Truth::Unknown,
                Truth::False => {}
            }
        }
        out
    }

    /// Kleene "all": false when one is false, unknown when none is false and one is unknown.
    fn all(items: impl Iterator<Item = Truth>) -> Truth {
        Truth::any(items.map(Truth::not)).not()
    }
}

/// How a string test of a key holds when the key is absent or has only values `excluded` does not match (a
/// pattern: a literal, or a literal prefix and `*`), when every such request reads it the same way: then what the
/// key holds, which the request does not say, does not matter. `None` when some such request reads it otherwise
/// (a `StringEqualsIfExists` holds when the key is absent and fails on another value), or when it is not read
/// here (an operator other than `StringEquals`/`StringLike` and their negations, a policy variable).
///
/// Used for an account outside the loaded organisation: in no organisation or in another, so a test of
/// `aws:PrincipalOrgID` against the loaded organisation's ID (or `aws:PrincipalOrgPaths` against a path in it)
/// is decided, and a test against another organisation's is not.
pub fn same_unless<'v>(
    op: ConditionOperator,
    policy_values: impl Iterator<Item = &'v str>,
    excluded: &str,
) -> Option<Truth> {
    use BaseOperator::*;
    let like = match op.base {
        StringEquals | StringNotEquals => false,
        StringLike | StringNotLike => true,
        _ => return None,
    };
    let negated = op.base.is_negated();
    let absent = match when_absent(op) {
        Truth::True => true,
        Truth::False => false,
        Truth::Unknown => return None,
    };
    // Present with values no policy value matches: every value fails the positive test, whatever the qualifier.
    if absent != negated {
        return None;
    }
    // A value some policy value matches must be one `excluded` matches, for every policy value.
    for p in policy_values {
        if crate::policy::variables::has_variable(p) {
            return None;
        }
        let (literal, whole) = if like {
            match p.find(['*', '?']) {
                Some(i) => (p.get(..i).unwrap_or_default(), false),
                None => (p, true),
            }
        } else {
            (p, true)
        };
        let only_excluded = match excluded.strip_suffix('*') {
            Some(prefix) => literal.starts_with(prefix),
            None => whole && literal == excluded,
        };
        if !only_excluded {
            return None;
        }
    }
    Some(Truth::from_bool(absent))
}

/// How a test of a key (not `Null`) holds when the key is absent, as [`holds`] reads a missing key: `…IfExists`
/// and `ForAllValues` hold, `ForAnyValue` fails, otherwise negated operators hold and positive ones fail.
/// `ForAnyValue` with `…IfExists` is undecided: AWS documents `IfExists` as "true when absent" and `ForAnyValue`
/// as "false when absent", not the two together
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>).
pub fn when_absent(op: ConditionOperator) -> Truth {
    match (op.qualifier, op.if_exists) {
        (Some(SetQualifier::ForAnyValue), true) => Truth::Unknown,
        (Some(SetQualifier::ForAnyValue), false) => Truth::False,
        (Some(SetQualifier::ForAllValues), _) | (None, true) => Truth::True,
        (None, false) => Truth::from_bool(op.base.is_negated()),
    }
}

/// How a test of a key holds when its value is an ARN of `account` (present, one value: `aws:PrincipalArn` of a
/// principal an account stands for), when no such ARN can pass any of the policy's values: then every such
/// request reads it the same way (a `Deny` unless `aws:PrincipalArn` is another account's role applies to every
/// principal of this one). `None` when some ARN of the account may pass a value, or when the value is not read
/// here (a case-insensitive operator, a policy variable, a pattern whose account is not written out).
pub fn within_account<'v>(
    op: ConditionOperator,
    policy_values: impl Iterator<Item = &'v str>,
    account: &str,
) -> Option<Truth> {
    within_accounts(op, policy_values, false, |field, _| {
        crate::wildcard::glob(field, account)
    })
}

/// [`within_account`] for a key whose value is an account ID (`id_only`: `aws:PrincipalAccount`) or an ARN, of an
/// account `may_be` says the value's may be: given the account as written in a policy value (a pattern for ARN
/// operators, literal for string operators) and whether it has a wildcard.
pub fn within_accounts<'v>(
    op: ConditionOperator,
    policy_values: impl Iterator<Item = &'v str>,
    id_only: bool,
    may_be: impl Fn(&str, bool) -> bool,
) -> Option<Truth> {
    use BaseOperator::*;
    let arn = match op.base {
        ArnEquals | ArnNotEquals | ArnLike | ArnNotLike => true,
        StringEquals | StringNotEquals | StringLike | StringNotLike => false,
        _ => return None,
    };
    let wild = matches!(op.base, ArnLike | ArnNotLike | StringLike | StringNotLike);
    for p in policy_values {
        if crate::policy::variables::has_variable(p) {
            return None;
        }
        // Whether some ARN of the account may pass `p`: by its account field, whole for ARN operators (their
        // wildcards stay within a field); for string operators from the text before any wildcard (a `*` may
        // span colons), which must reach past the account field, or rule out every ARN (`arn:` unmatched).
        let wildcard = |t: &str| t.contains(['*', '?']);
        let may_match = if id_only {
            // An account ID, compared whole by a string operator.
            if arn || (wild && wildcard(p)) {
                return None;
            }
            may_be(p, false)
        } else if arn {
            if !crate::values::arn_pattern(p) {
                return None;
            }
            match crate::arn::Arn::fields(p) {
                Some(f) => may_be(f.account, wildcard(f.account)),
                // `*`: every ARN.
                None => true,
            }
        } else {
            let (literal, whole) = match p.find(['*', '?']).filter(|_| wild) {
                Some(i) => (p.get(..i).unwrap_or_default(), false),
                None => (p, true),
            };
            let mut fields = literal.splitn(6, ':');
            let starts_arn = fields.next() == Some("arn");
            let account_field = fields.nth(3);
            let past_it = fields.next().is_some();
            if !"arn:".starts_with(literal) && !literal.starts_with("arn:") {
                // Not an ARN's beginning: no principal's ARN passes it.
                false
            } else if starts_arn && past_it {
                account_field.is_some_and(|f| may_be(f, false))
            } else if whole {
                // An `arn:` text without an account field and a resource: no principal's ARN.
                false
            } else {
                return None;
            }
        };
        if may_match {
            return None;
        }
    }
    // No value matches: the positive test fails for the one value, whatever the qualifier.
    Some(Truth::from_bool(op.base.is_negated()))
}

/// How a test of `key` holds when the key has one value, one of `candidates` (which one, the request does not
/// say: the organisation path of one of several accounts), when every candidate reads it the same way; `None`
/// when two read it otherwise, one cannot be read, or a policy value has a variable. Linear in the candidates.
pub fn same_for_each<'v>(
    op: ConditionOperator,
    key: &str,
    policy_values: impl Iterator<Item = &'v str> + Clone,
    candidates: &[String],
) -> Option<Truth> {
    if policy_values
        .clone()
        .any(crate::policy::variables::has_variable)
    {
        return None;
    }
    let mut ctx = Context::new();
    let mut seen: Option<Truth> = None;
    for c in candidates {
        ctx.set(key, vec![c.clone()]);
        let t = holds(op, key, policy_values.clone(), &ctx, false);
        if t == Truth::Unknown || seen.is_some_and(|s| s != t) {
            return None;
        }
        seen = Some(t);
    }
    seen
}

/// Whether one request value matches one policy value under the *positive* form of `op`
/// (`StringNotEquals` is tested as `StringEquals`, then negated by the caller); `None` when either value cannot
/// be read as the operator's type (see [`crate::values`], which the validator uses too).
fn positive_match(op: BaseOperator, policy: &str, value: &str) -> Option<bool> {
    use BaseOperator::*;
    // `${*}`/`${?}` became literal markers: wildcard operators understand them, the others compare text.
    let literal;
    let policy = if policy.is_ascii()
        || matches!(
            op,
            StringLike | StringNotLike | ArnEquals | ArnLike | ArnNotEquals | ArnNotLike
        ) {
        policy
    } else {
        literal = crate::wildcard::unescape_literals(policy);
        &literal
    };
    use crate::values;
    Some(match op {
        StringEquals | StringNotEquals => policy == value,
        StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => {
            policy.to_lowercase() == value.to_lowercase()
        }
        StringLike | StringNotLike => glob(policy, value),
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => {
            let order = values::compare_numbers(value, policy)?;
            match op {
                NumericEquals | NumericNotEquals => order.is_eq(),
                NumericLessThan => order.is_lt(),
                NumericLessThanEquals => order.is_le(),
                NumericGreaterThan => order.is_gt(),
                _ => order.is_ge(),
            }
        }
        DateEquals
        | DateNotEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => {
            let (p, v) = (values::date(policy)?, values::date(value)?);
            match op {
                DateEquals | DateNotEquals => v == p,
                DateLessThan => v < p,
                DateLessThanEquals => v <= p,
                DateGreaterThan => v > p,
                _ => v >= p,
            }
        }
        Bool => values::boolean(policy)? == values::boolean(value)?,
        BinaryEquals => policy == value,
        IpAddress | NotIpAddress => values::ip_matches(values::ip(value)?, policy)?,
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => {
            if !values::arn_pattern(policy) {
                return None;
            }
            arn_like(policy, value)
        }
        Null => false,
    })
}

/// Why a condition is [`Truth::Unknown`]: the first policy or request value its operator cannot read.
pub fn unreadable_value(
    op: ConditionOperator,
    key: &str,
    policy_values: &[&str],
    ctx: &Context,
    variables: bool,
) -> Option<String> {
    use crate::policy::Family;
    if variables
        && !op.base.takes_variables()
        && let Some(v) = policy_values
            .iter()
            .find(|v| crate::policy::variables::has_variable(v))
    {
        return Some(format!(
            "the policy value `{}` has a policy variable, which AWS substitutes only in string and ARN \
             operators, not in `{}`",
            crate::text::excerpt(v, 60),
            op.base.name()
        ));
    }
    let kind = match op.base.family() {
        Family::Numeric => "a number",
        Family::Date => "a date",
        Family::Bool | Family::Null => "`true` or `false`",
        Family::Ip => "an IP address or range",
        Family::Arn => "an ARN",
        Family::String | Family::Binary => return several_values(op, key, ctx),
    };
    for p in policy_values {
        let sub = if variables {
            substitute(p, ctx)
        } else {
            Some(Cow::Borrowed(*p))
        };
        let Some(sub) = sub else { continue };
        let readable = match op.base {
            BaseOperator::Null => crate::values::boolean(&sub).is_some(),
            BaseOperator::ArnEquals
            | BaseOperator::ArnLike
            | BaseOperator::ArnNotEquals
            | BaseOperator::ArnNotLike => crate::values::arn_pattern(&sub),
            BaseOperator::IpAddress | BaseOperator::NotIpAddress => {
                crate::values::ip_range(&sub).is_some()
            }
            // Read the policy value against itself: only its own readability matters here.
            _ => positive_match(op.base, &sub, &sub).is_some(),
        };
        if !readable {
            return Some(format!(
                "the policy value `{}` is not {kind}",
                crate::text::excerpt(&sub, 60)
            ));
        }
    }
    if let Some(values) = ctx.get(key) {
        for v in values {
            let readable = match op.base {
                BaseOperator::Null => true,
                BaseOperator::IpAddress | BaseOperator::NotIpAddress => {
                    crate::values::ip(v).is_some()
                }
                BaseOperator::ArnEquals
                | BaseOperator::ArnLike
                | BaseOperator::ArnNotEquals
                | BaseOperator::ArnNotLike => true,
                _ => positive_match(op.base, v, v).is_some(),
            };
            if !readable {
                return Some(format!(
                    "the request value `{}` of `{key}` is not {kind}",
                    crate::text::excerpt(v, 60)
                ));
            }
        }
    }
    if let Some(why) = several_values(op, key, ctx) {
        return Some(why);
    }
    if op.base.family() == Family::Ip {
        if let Some(loose) = policy_values
            .iter()
            .find(|p| !crate::values::ip_written_exactly(p))
        {
            return Some(format!(
                "the policy value `{}` is not in the standard CIDR format (spaces around it, or a zero-led \
                 prefix), and how IAM reads it is not documented",
                crate::text::excerpt(loose, 60)
            ));
        }
        return Some(match policy_values.iter().find(|p| !p.contains('/') && p.contains(':')) {
            Some(bare) => format!(
                "the IPv6 address `{}` has no prefix, which AWS says is read as `/32` (written for IPv4: for \
                 IPv6 it may mean the one address), and the answer depends on which",
                crate::text::excerpt(bare, 60)
            ),
            None => "whether IAM takes an IPv4 address and its IPv4-mapped IPv6 form (`::ffff:…`) as one \
                     address is not documented, and the answer depends on it"
                .into(),
        });
    }
    // Every value is a number: two of them compare one way as exact decimals and another as doubles.
    (op.base.family() == Family::Numeric).then(|| {
        "its numbers compare differently as exact decimals and as doubles, and the precision IAM compares with \
         is not documented"
            .into()
    })
}

/// Why a test without `ForAllValues`/`ForAnyValue` is undecided on a request that gives its key several values.
fn several_values(op: ConditionOperator, key: &str, ctx: &Context) -> Option<String> {
    let n = ctx.get(key).map_or(0, <[String]>::len);
    (op.qualifier.is_none() && n > 1).then(|| {
        format!(
            "the request gives `{key}` {n} values and `{}` has no `ForAllValues`/`ForAnyValue`: AWS does not \
             document whether some value or every value must satisfy it, and the answer depends on which",
            op.base.name()
        )
    })
}

/// One condition test as written in a policy: operator, key and values.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Test {
    /// The operator as written.
    pub operator: String,
    /// The key.
    pub key: String,
    /// The policy's values.
    pub values: Vec<String>,
}

impl Test {
    /// `StringEquals aws:RequestedRegion eu-west-1, us-east-1`.
    pub fn text(&self) -> String {
        format!("{} {} {}", self.operator, self.key, self.values.join(", "))
    }

    /// The test that holds exactly when this one does not, for a key that is present, when there is one
    /// written with an operator (`StringNotEquals` for `StringEquals`; `Bool true` for `Bool false`).
    pub fn negation(&self) -> Option<Test> {
        let op = ConditionOperator::parse(&self.operator)?;
        let qualifier = match op.qualifier {
            None => None,
            // ¬(every value matches) = some value does not; ¬(some value matches) = none does.
            Some(SetQualifier::ForAllValues) => Some(SetQualifier::ForAnyValue),
            Some(SetQualifier::ForAnyValue) => Some(SetQualifier::ForAllValues),
        };
        let (base, values) = match op.base {
            BaseOperator::Bool | BaseOperator::Null => match self.values.as_slice() {
                [v] => {
                    let b = crate::values::boolean(v)?;
                    (op.base, vec![(!b).to_string()])
                }
                _ => return None,
            },
            b => (b.complement()?, self.values.clone()),
        };
        let negated = ConditionOperator {
            qualifier,
            base,
            if_exists: false,
        };
        Some(Test {
            operator: negated.to_string(),
            key: self.key.clone(),
            values,
        })
    }
}

/// A condition an answer relies on, on a key the request leaves open (reverse queries).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", content = "tests", rename_all = "snake_case")]
pub enum Assumption {
    /// An `Allow` statement's test must hold.
    Holds(Test),
    /// A `Deny` statement's tests on open keys must not all hold, or it denies.
    NotAll(Vec<Test>),
}

impl Assumption {
    /// For people: `StringEquals aws:RequestedRegion eu-west-1, us-east-1` for the negation of a Deny's
    /// `StringNotEquals`, `not (A and B)` when no single operator says it.
    pub fn text(&self) -> String {
        match self {
            Assumption::Holds(t) => t.text(),
            Assumption::NotAll(tests) => match tests.as_slice() {
                [t] => t
                    .negation()
                    .map(|n| n.text())
                    .unwrap_or_else(|| format!("not ({})", t.text())),
                many => {
                    let negs: Option<Vec<String>> = many
                        .iter()
                        .map(|t| t.negation().map(|n| n.text()))
                        .collect();
                    match negs {
                        Some(n) => format!("({})", n.join(" or ")),
                        None => format!(
                            "not ({})",
                            many.iter()
                                .map(Test::text)
                                .collect::<Vec<_>>()
                                .join(" and ")
                        ),
                    }
                }
            },
        }
    }
}

/// The outcome of one condition test, for explanations.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ConditionResult {
    /// The operator as written.
    pub operator: String,
    /// The key as written.
    pub key: String,
    /// The policy's values (after variable substitution).
    pub policy_values: Vec<String>,
    /// The request's values; `None` when the key is missing.
    pub request_values: Option<Vec<String>>,
    /// Whether it held (for a condition whose value could not be read: the least permissive reading, true in a
    /// `Deny` statement and false in an `Allow` one).
    pub held: bool,
    /// Why it could not be decided, when a value could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

/// Evaluate one condition test. `variables` is false for documents whose `Version` is not `2012-10-17`, where
/// `${…}` is literal text.
pub fn evaluate(
    op: ConditionOperator,
    key: &str,
    policy_values: &[&str],
    ctx: &Context,
    variables: bool,
) -> (Truth, Vec<String>) {
    // The values as substituted, for the explanation; a value whose variable has no value matches nothing. An
    // operator AWS substitutes no variable in shows its values as written.
    let subst: Vec<String> = policy_values
        .iter()
        .filter_map(|v| {
            if variables && op.base.takes_variables() {
                substitute(v, ctx).map(Cow::into_owned)
            } else {
                Some((*v).to_string())
            }
        })
        .collect();
    let held = holds(op, key, policy_values.iter().copied(), ctx, variables);
    (held, shown(subst))
}

/// Policy values as shown in explanations: `${*}`/`${?}` markers back as `*`/`?`.
fn shown(values: Vec<String>) -> Vec<String> {
    values
        .into_iter()
        .map(|v| match crate::wildcard::unescape_literals(&v) {
            Cow::Borrowed(_) => v,
            Cow::Owned(o) => o,
        })
        .collect()
}

/// Whether a condition test holds (what [`evaluate`] also returns, without collecting the substituted values:
/// no allocation unless a policy variable must be substituted).
pub fn holds<'v>(
    op: ConditionOperator,
    key: &str,
    policy_values: impl Iterator<Item = &'v str> + Clone,
    ctx: &Context,
    variables: bool,
) -> Truth {
    let subst = |v: &'v str| -> Option<Cow<'v, str>> {
        if variables {
            substitute(v, ctx)
        } else {
            Some(Cow::Borrowed(v))
        }
    };
    let request = ctx.get(key);
    if op.base == BaseOperator::Null {
        // `Null: true` holds when the key is absent; `false` when present
        // (an empty multi-valued key counts as absent).
        let absent = request.is_none_or(|v| v.is_empty());
        return Truth::any(policy_values.filter_map(subst).map(|p| {
            match crate::values::boolean(&p) {
                Some(b) => Truth::from_bool(b == absent),
                None => Truth::Unknown,
            }
        }));
    }
    let negated = op.base.is_negated();
    let Some(values) = request.filter(|v| !v.is_empty()) else {
        // Missing key: `...IfExists` holds; `ForAllValues` holds (vacuous truth); `ForAnyValue` fails;
        // otherwise negated operators hold and positive ones fail (and `ForAnyValue` with `IfExists` is not
        // known).
        return when_absent(op);
    };
    // A policy variable in a numeric, date, `Bool`, IP or binary value is not substituted by AWS, and how the
    // text is then read is not documented: undecided when the key is present (a missing key is decided above,
    // whatever the values).
    if variables
        && !op.base.takes_variables()
        && policy_values
            .clone()
            .any(crate::policy::variables::has_variable)
    {
        return Truth::Unknown;
    }
    // A value whose variable has no value for this request matches nothing; AWS adds that it "might cause the
    // entire statement to be invalid" (reference_policies_variables). For a positive test both readings fail; for
    // a negated one the test would hold on a value AWS may not read at all: undecided.
    let any_policy = |v: &str| {
        Truth::any(policy_values.clone().map(|p| match subst(p) {
            Some(p) => match positive_match(op.base, &p, v) {
                Some(b) => Truth::from_bool(b),
                None => Truth::Unknown,
            },
            None if negated => Truth::Unknown,
            None => Truth::False,
        }))
    };
    let sign = |t: Truth| if negated { t.not() } else { t };
    match op.qualifier {
        // Every request value must satisfy the operator against the policy values.
        Some(SetQualifier::ForAllValues) => Truth::all(values.iter().map(|v| sign(any_policy(v)))),
        // At least one request value must satisfy it.
        Some(SetQualifier::ForAnyValue) => Truth::any(values.iter().map(|v| sign(any_policy(v)))),
        // A single-valued test.
        None => match values {
            [one] => sign(any_policy(one)),
            // Several request values and no qualifier: whether AWS asks some value or every value to satisfy
            // the operator is not documented ("Multivalued context keys require a condition set operator",
            // <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>):
            // decided only where both readings agree.
            many => {
                let some = Truth::any(many.iter().map(|v| sign(any_policy(v))));
                let every = Truth::all(many.iter().map(|v| sign(any_policy(v))));
                if some == every { some } else { Truth::Unknown }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(s: &str) -> ConditionOperator {
        ConditionOperator::parse(s).expect("operator")
    }

    /// Keys are found without regard to case, by a scan and, past eight keys, by the index; a context
    /// emptied and filled again (as a batch worker does) holds only the new request's keys and values.
    #[test]
    fn context_keys_survive_clearing_removal_and_many_keys() {
        let mut c = Context::new();
        for round in 0..3 {
            c.clear();
            let n = [3, 20, 5][round];
            for i in 0..n {
                c.set_with(&format!("Svc:Key{i}"), |v| {
                    v.push(&format!("r{round}v{i}"));
                    if i % 2 == 0 {
                        v.push("second");
                    }
                });
            }
            for i in 0..n {
                let want: Vec<String> = if i % 2 == 0 {
                    vec![format!("r{round}v{i}"), "second".into()]
                } else {
                    vec![format!("r{round}v{i}")]
                };
                assert_eq!(
                    c.get(&format!("svc:key{i}")),
                    Some(want.as_slice()),
                    "{round} {i}"
                );
                assert_eq!(c.get(&format!("SVC:KEY{i}")), Some(want.as_slice()));
            }
            assert_eq!(
                c.get(&format!("svc:key{n}")),
                None,
                "a key of an earlier request"
            );
            assert_eq!(c.entries().len(), n);
        }
        // Replacing keeps one key; adding appends; removing drops it, and the others are still found.
        c.set("svc:key3", vec!["x".into()]);
        c.add("SVC:KEY3", "y");
        assert_eq!(
            c.get("svc:Key3"),
            Some(&["x".to_string(), "y".to_string()][..])
        );
        c.remove("svc:key0");
        assert_eq!(c.get("svc:key0"), None);
        assert_eq!(c.get("svc:key4").map(<[String]>::len), Some(2));
        assert_eq!(c.entries().len(), 4);
        for i in 0..12 {
            c.add(&format!("more:{i}"), "v");
        }
        c.remove("more:5");
        assert_eq!(c.get("more:5"), None);
        assert_eq!(c.get("MORE:11"), Some(&["v".to_string()][..]));
        assert_eq!(c.get("svc:key3").map(<[String]>::len), Some(2));
        // The spelling given is the one explanations show.
        assert!(c.entries().iter().any(|(k, _)| k == "svc:key3"));
    }

    fn ctx(pairs: &[(&str, &[&str])]) -> Context {
        let mut c = Context::new();
        for (k, vs) in pairs {
            c.set(k, vs.iter().map(|s| s.to_string()).collect());
        }
        c
    }

    fn holds(o: &str, key: &str, vals: &[&str], c: &Context) -> bool {
        evaluate(op(o), key, vals, c, true).0 == Truth::True
    }

    fn truth(o: &str, key: &str, vals: &[&str], c: &Context) -> Truth {
        evaluate(op(o), key, vals, c, true).0
    }

    /// A key absent or with none of the excluded values (an account outside the loaded organisation `o-abc`):
    /// decided where every such request reads the test the same way.
    #[test]
    fn tests_that_read_the_same_whatever_an_outside_account_is() {
        let cases: &[(&str, &str, &str, Option<Truth>)] = &[
            ("StringEquals", "o-abc", "o-abc", Some(Truth::False)),
            ("StringNotEquals", "o-abc", "o-abc", Some(Truth::True)),
            (
                "StringNotEqualsIfExists",
                "o-abc",
                "o-abc",
                Some(Truth::True),
            ),
            ("StringEqualsIfExists", "o-abc", "o-abc", None),
            ("StringEquals", "o-other", "o-abc", None),
            ("StringNotEquals", "o-other", "o-abc", None),
            ("StringLike", "o-*", "o-abc", None),
            ("StringLike", "o-abc", "o-abc", Some(Truth::False)),
            ("StringEqualsIgnoreCase", "o-abc", "o-abc", None),
            ("StringEquals", "${aws:x}", "o-abc", None),
            ("Null", "true", "o-abc", None),
            (
                "ForAnyValue:StringLike",
                "o-abc/r-1/*",
                "o-abc/*",
                Some(Truth::False),
            ),
            ("ForAnyValue:StringNotLike", "o-abc/r-1/*", "o-abc/*", None),
            (
                "ForAllValues:StringNotLike",
                "o-abc/*",
                "o-abc/*",
                Some(Truth::True),
            ),
            ("ForAnyValue:StringLike", "o-ab*", "o-abc/*", None),
            (
                "ForAnyValue:StringEquals",
                "o-abc/r-1/",
                "o-abc/*",
                Some(Truth::False),
            ),
        ];
        for (operator, value, excluded, want) in cases {
            assert_eq!(
                same_unless(op(operator), [*value].into_iter(), excluded),
                *want,
                "{operator} {value} excluding {excluded}"
            );
        }
    }

    /// A principal an account (999988887777) stands for: its ARN is the account's, which principal is not known.
    /// Decided where no ARN of the account can pass the values.
    #[test]
    fn tests_no_arn_of_the_account_passes() {
        let own = "999988887777";
        let cases: &[(&str, &str, Option<Truth>)] = &[
            (
                "ArnLike",
                "arn:aws:iam::111122223333:role/admin",
                Some(Truth::False),
            ),
            (
                "ArnNotLike",
                "arn:aws:iam::111122223333:role/admin",
                Some(Truth::True),
            ),
            ("ArnEquals", "arn:aws:iam::1111*:role/*", Some(Truth::False)),
            ("ArnLike", "arn:aws:iam::*:role/github-ci", None),
            ("ArnLike", "arn:aws:iam::999988887777:role/ci", None),
            ("ArnLike", "*", None),
            (
                "StringNotLike",
                "arn:aws:iam::111122223333:role/admin",
                Some(Truth::True),
            ),
            (
                "StringLike",
                "arn:aws:iam::111122223333:*",
                Some(Truth::False),
            ),
            ("StringLike", "arn:aws:iam::*:role/ci", None),
            ("StringLike", "arn:*", None),
            ("StringEquals", "arn:aws:iam::999988887777:root", None),
            (
                "StringEquals",
                "arn:aws:iam::111122223333:root",
                Some(Truth::False),
            ),
            ("StringNotEquals", "admin", Some(Truth::True)),
            (
                "StringEqualsIgnoreCase",
                "arn:aws:iam::111122223333:root",
                None,
            ),
            (
                "StringEquals",
                "arn:aws:iam::${aws:PrincipalAccount}:root",
                None,
            ),
            (
                "ForAnyValue:ArnLike",
                "arn:aws:iam::111122223333:role/*",
                Some(Truth::False),
            ),
        ];
        for (operator, value, want) in cases {
            assert_eq!(
                within_account(op(operator), [*value].into_iter(), own),
                *want,
                "{operator} {value}"
            );
        }
        // A caller from outside: an account, or an ARN of one, none of the loaded (111122223333) is.
        let not_loaded = |field: &str, wildcard: bool| wildcard || field != "111122223333";
        let outside: &[(&str, bool, &str, Option<Truth>)] = &[
            ("StringEquals", true, "111122223333", Some(Truth::False)),
            ("StringNotEquals", true, "111122223333", Some(Truth::True)),
            ("StringEquals", true, "444455556666", None),
            ("StringLike", true, "1111*", None),
            ("ArnLike", true, "arn:aws:iam::111122223333:root", None),
            (
                "ArnLike",
                false,
                "arn:aws:iam::111122223333:role/*",
                Some(Truth::False),
            ),
            (
                "ArnEquals",
                false,
                "arn:aws:iam::444455556666:role/partner",
                None,
            ),
            ("ArnLike", false, "arn:aws:iam::*:role/partner", None),
            (
                "StringNotLike",
                false,
                "arn:aws:iam::111122223333:*",
                Some(Truth::True),
            ),
        ];
        for (operator, id_only, value, want) in outside {
            assert_eq!(
                within_accounts(op(operator), [*value].into_iter(), *id_only, not_loaded),
                *want,
                "{operator} {value}"
            );
        }
    }

    #[test]
    fn unreadable_values_are_unknown_not_false() {
        let c = ctx(&[
            ("aws:CurrentTime", &["2026-12-05T00:00:00Z"]),
            ("n", &["5"]),
        ]);
        // A partial date is a W3C ISO 8601 date IAM reads (and the validator accepts): it is read, not dropped.
        assert_eq!(
            truth("DateGreaterThan", "aws:CurrentTime", &["2024-01"], &c),
            Truth::True
        );
        assert_eq!(
            truth("DateGreaterThan", "aws:CurrentTime", &["yesterday"], &c),
            Truth::Unknown
        );
        assert_eq!(
            truth("DateNotEquals", "aws:CurrentTime", &["yesterday"], &c),
            Truth::Unknown
        );
        assert_eq!(truth("NumericLessThan", "n", &["inf"], &c), Truth::Unknown);
        // One readable value that matches decides "any" whatever the others are.
        assert_eq!(
            truth("NumericLessThan", "n", &["inf", "10"], &c),
            Truth::True
        );
        assert_eq!(
            truth(
                "Bool",
                "aws:SecureTransport",
                &["yes"],
                &ctx(&[("aws:SecureTransport", &["false"])])
            ),
            Truth::Unknown
        );
        assert_eq!(truth("Null", "k", &["maybe"], &c), Truth::Unknown);
        assert_eq!(
            truth(
                "ArnLike",
                "aws:SourceArn",
                &["not-an-arn"],
                &ctx(&[("aws:SourceArn", &["arn:aws:s3:::b"])])
            ),
            Truth::Unknown
        );
        let why = unreadable_value(
            op("DateGreaterThan"),
            "aws:CurrentTime",
            &["yesterday"],
            &c,
            true,
        );
        assert_eq!(
            why.as_deref(),
            Some("the policy value `yesterday` is not a date")
        );
    }

    #[test]
    fn keys_are_case_insensitive() {
        let c = ctx(&[("aws:SourceIp", &["203.0.113.7"])]);
        assert!(holds("IpAddress", "AWS:SOURCEIP", &["203.0.113.0/24"], &c));
    }

    #[test]
    fn missing_keys() {
        let c = Context::new();
        assert!(!holds("StringEquals", "k", &["a"], &c));
        assert!(holds("StringNotEquals", "k", &["a"], &c));
        assert!(holds("StringEqualsIfExists", "k", &["a"], &c));
        assert!(holds("ForAllValues:StringEquals", "k", &["a"], &c));
        assert!(!holds("ForAnyValue:StringEquals", "k", &["a"], &c));
        assert!(holds("Null", "k", &["true"], &c));
        assert!(!holds("Null", "k", &["false"], &c));
    }

    #[test]
    fn set_operators() {
        let c = ctx(&[("aws:TagKeys", &["a", "b"])]);
        assert!(holds(
            "ForAllValues:StringEquals",
            "aws:TagKeys",
            &["a", "b", "c"],
            &c
        ));
        assert!(!holds(
            "ForAllValues:StringEquals",
            "aws:TagKeys",
            &["a"],
            &c
        ));
        assert!(holds("ForAnyValue:StringEquals", "aws:TagKeys", &["b"], &c));
        assert!(holds(
            "ForAnyValue:StringNotEquals",
            "aws:TagKeys",
            &["a"],
            &c
        ));
        assert!(!holds(
            "ForAllValues:StringNotEquals",
            "aws:TagKeys",
            &["a"],
            &c
        ));
    }

    #[test]
    fn operators() {
        let c = ctx(&[
            ("n", &["10"]),
            ("d", &["2026-11-26T12:00:00Z"]),
            ("b", &["true"]),
            ("ip6", &["2001:db8::1"]),
            ("arn", &["arn:aws:iam::111122223333:role/x"]),
            ("s", &["Hello"]),
        ]);
        assert!(holds("NumericLessThan", "n", &["11"], &c));
        assert!(!holds("NumericLessThan", "n", &["10"], &c));
        assert!(holds("NumericGreaterThanEquals", "n", &["10"], &c));
        assert!(!holds("NumericEquals", "n", &["abc"], &c));
        assert!(holds("DateLessThan", "d", &["2026-12-31T23:59:59Z"], &c));
        assert!(holds("DateGreaterThan", "d", &["1700000000"], &c));
        assert!(holds("Bool", "b", &["TRUE"], &c));
        assert!(holds("IpAddress", "ip6", &["2001:db8::/32"], &c));
        assert!(holds("NotIpAddress", "ip6", &["10.0.0.0/8"], &c));
        assert!(holds("ArnLike", "arn", &["arn:aws:iam::*:role/*"], &c));
        assert!(holds("ArnNotEquals", "arn", &["arn:aws:iam::*:user/*"], &c));
        assert!(holds("StringEqualsIgnoreCase", "s", &["hello"], &c));
        assert!(!holds("StringEquals", "s", &["hello"], &c));
        assert!(holds("StringLike", "s", &["H*o"], &c));
        assert!(holds("StringNotLike", "s", &["x*"], &c));
        // Several policy values are ORed.
        assert!(holds("StringEquals", "s", &["x", "Hello"], &c));
        assert!(!holds("StringNotEquals", "s", &["x", "Hello"], &c));
    }

    #[test]
    fn variables() {
        let c = ctx(&[
            ("aws:username", &["alice"]),
            ("aws:PrincipalTag/team", &["data"]),
        ]);
        assert_eq!(
            substitute("home/${aws:username}/*", &c).as_deref(),
            Some("home/alice/*")
        );
        assert_eq!(
            substitute("${aws:PrincipalTag/Team}", &c).as_deref(),
            Some("data")
        );
        assert_eq!(
            substitute("${aws:missing, 'none'}", &c).as_deref(),
            Some("none")
        );
        assert_eq!(substitute("${aws:missing}", &c), None);
        // `${*}` and `${?}` are literal characters, kept apart from wildcards until compared.
        let special = substitute("a${*}b${?}${$}", &c).expect("no variables to miss");
        assert_eq!(crate::wildcard::unescape_literals(&special), "a*b?$");
        assert!(glob("a${*}".replace("${*}", "\u{E000}").as_str(), "a*"));
        assert!(!glob(&special, "aXbY$"));
        // Under the old version variables are literal.
        let (held, vals) = evaluate(
            op("StringEquals"),
            "aws:username",
            &["${aws:username}"],
            &c,
            false,
        );
        assert_eq!(held, Truth::False);
        assert_eq!(vals, ["${aws:username}"]);
        assert!(
            evaluate(
                op("StringEquals"),
                "aws:username",
                &["${aws:username}"],
                &c,
                true
            )
            .0 == Truth::True
        );
    }

    /// A key with one value among a few (the organisation path of one of several accounts): decided when every one
    /// reads the test alike; undecided when two differ, or with a variable; when-absent readings by operator.
    #[test]
    fn one_of_several_values() {
        let paths = ["o-a/r-1/ou-1/".to_string(), "o-a/r-1/ou-2/".to_string()];
        let t = |o: &str, v: &[&str]| {
            same_for_each(op(o), "aws:PrincipalOrgPaths", v.iter().copied(), &paths)
        };
        let rows: [(&str, &[&str], Option<Truth>); 9] = [
            ("ForAnyValue:StringLike", &["o-a/r-1/*"], Some(Truth::True)),
            ("ForAnyValue:StringLike", &["o-a/r-1/ou-1/*"], None),
            (
                "ForAnyValue:StringLike",
                &["o-a/r-1/ou-1/*", "o-a/r-1/ou-2/*"],
                Some(Truth::True),
            ),
            ("ForAnyValue:StringLike", &["o-b/*"], Some(Truth::False)),
            ("ForAllValues:StringNotLike", &["o-b/*"], Some(Truth::True)),
            ("StringNotLike", &["o-a/r-1/ou-2/*"], None),
            ("StringLike", &["${aws:PrincipalTag/p}*"], None),
            ("StringEquals", &["o-a/r-1/ou-1/"], None),
            ("Null", &["false"], Some(Truth::True)),
        ];
        for (o, v, want) in rows {
            assert_eq!(t(o, v), want, "{o} {v:?}");
        }
        // No candidate: nothing is known.
        assert_eq!(
            same_for_each(op("StringLike"), "k", ["*"].into_iter(), &[]),
            None
        );
        assert_eq!(when_absent(op("StringNotEquals")), Truth::True);
        assert_eq!(when_absent(op("StringEqualsIfExists")), Truth::True);
        assert_eq!(when_absent(op("ForAllValues:StringEquals")), Truth::True);
        assert_eq!(
            when_absent(op("ForAllValues:StringEqualsIfExists")),
            Truth::True
        );
        assert_eq!(when_absent(op("ForAnyValue:StringNotEquals")), Truth::False);
        assert_eq!(
            when_absent(op("ForAnyValue:StringEqualsIfExists")),
            Truth::Unknown
        );
        assert_eq!(when_absent(op("ArnLike")), Truth::False);
    }
}
