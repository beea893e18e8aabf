//! Condition operators, policy variables and the request context.
//!
//! References:
//! - operators: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//! - several values and keys: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>
//! - single- vs multi-valued keys, `ForAllValues`/`ForAnyValue`:
//!   <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
//! - policy variables: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>

use crate::eval::glob::{arn_like, glob};
use crate::policy::{BaseOperator, ConditionOperator, SetQualifier};
use crate::time::Timestamp;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::net::IpAddr;

/// The request context: condition keys (matched case-insensitively) with one or several values.
#[derive(Clone, Debug, Default)]
pub struct Context {
    values: FxHashMap<String, Vec<String>>,
    /// Display spelling of each key, for explanations.
    names: FxHashMap<String, String>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Context::default()
    }

    /// Make room for `n` more keys.
    pub fn reserve(&mut self, n: usize) {
        self.values.reserve(n);
        self.names.reserve(n);
    }

    /// Set `key` to `values` (replacing what was there).
    pub fn set(&mut self, key: &str, values: Vec<String>) {
        let k = key.to_ascii_lowercase();
        self.names.insert(k.clone(), key.to_string());
        self.values.insert(k, values);
    }

    /// Add one value to `key` (a repeated key is multi-valued).
    pub fn add(&mut self, key: &str, value: impl Into<String>) {
        let k = key.to_ascii_lowercase();
        self.names
            .entry(k.clone())
            .or_insert_with(|| key.to_string());
        self.values.entry(k).or_default().push(value.into());
    }

    /// Set `key` only when the caller has not.
    pub fn set_default(&mut self, key: &str, values: Vec<String>) {
        if !self.contains(key) {
            self.set(key, values);
        }
    }

    /// Remove `key`.
    pub fn remove(&mut self, key: &str) {
        let k = key.to_ascii_lowercase();
        self.values.remove(&k);
        self.names.remove(&k);
    }

    /// The values of `key` (case-insensitive), if present.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        if self.values.is_empty() {
            return None;
        }
        if !key.bytes().any(|b| b.is_ascii_uppercase()) {
            return self.values.get(key).map(Vec::as_slice);
        }
        // Lowercase into a stack buffer: no allocation for keys up to 256 bytes.
        let mut buf = [0u8; 256];
        match buf.get_mut(..key.len()) {
            Some(dst) => {
                for (d, b) in dst.iter_mut().zip(key.bytes()) {
                    *d = b.to_ascii_lowercase();
                }
                // ASCII lowercasing keeps UTF-8 valid.
                let lower = std::str::from_utf8(dst).ok()?;
                self.values.get(lower).map(Vec::as_slice)
            }
            None => self
                .values
                .get(&key.to_ascii_lowercase())
                .map(Vec::as_slice),
        }
    }

    /// True when `key` is present.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Every key with its values, sorted, in the spelling first given.
    pub fn entries(&self) -> Vec<(String, Vec<String>)> {
        let mut v: Vec<(String, Vec<String>)> = self
            .values
            .iter()
            .map(|(k, vals)| {
                (
                    self.names.get(k).cloned().unwrap_or_else(|| k.clone()),
                    vals.clone(),
                )
            })
            .collect();
        v.sort();
        v
    }
}

/// Substitute policy variables in `text` (`${aws:username}`, `${aws:PrincipalTag/team}`, `${key, 'default'}`,
/// `${*}`, `${?}`, `${$}`). Returns `None` when a variable has no value and no default: the element then does
/// not match (AWS: "If the key isn't present… the policy element evaluates to false"). A multi-valued key
/// cannot be used as a variable, and also gives `None`. Without variables the text is borrowed.
pub fn substitute<'a>(text: &'a str, ctx: &Context) -> Option<Cow<'a, str>> {
    if !text.contains("${") {
        return Some(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            // Not a variable: kept as written.
            out.push_str(&rest[start..]);
            return Some(Cow::Owned(out));
        };
        let inner = &after[..end];
        match inner {
            // Literal characters, not wildcards (see `LITERAL_STAR`).
            "*" => out.push(crate::eval::glob::LITERAL_STAR),
            "?" => out.push(crate::eval::glob::LITERAL_QMARK),
            "$" => out.push('$'),
            _ => {
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
                match ctx.get(key) {
                    Some([one]) => out.push_str(one),
                    Some(_) | None => match default {
                        Some(d) => out.push_str(d),
                        None => return None,
                    },
                }
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(Cow::Owned(out))
}

/// Parse a date as conditions accept it: ISO 8601 or epoch seconds.
fn parse_date(s: &str) -> Option<i64> {
    if let Ok(n) = s.trim().parse::<i64>() {
        return Some(n);
    }
    Timestamp::parse(s).map(|t| t.0)
}

fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, bits) = match s.split_once('/') {
        Some((a, b)) => (a, Some(b.parse::<u8>().ok()?)),
        None => (s, None),
    };
    let ip: IpAddr = addr.trim().parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some((ip, bits))
}

fn ip_in(ip: IpAddr, (net, bits): (IpAddr, u8)) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            (u32::from(a) & mask) == (u32::from(n) & mask)
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            (u128::from(a) & mask) == (u128::from(n) & mask)
        }
        // An IPv4-mapped IPv6 request address against an IPv4 range.
        (IpAddr::V6(a), IpAddr::V4(_)) => a
            .to_ipv4_mapped()
            .is_some_and(|v4| ip_in(IpAddr::V4(v4), (net, bits))),
        _ => false,
    }
}

/// Whether one request value matches one policy value under the *positive* form of `op`
/// (`StringNotEquals` is tested as `StringEquals`, then negated by the caller).
fn positive_match(op: BaseOperator, policy: &str, value: &str) -> bool {
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
        literal = crate::eval::glob::unescape_literals(policy);
        &literal
    };
    match op {
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
            let (Ok(p), Ok(v)) = (policy.trim().parse::<f64>(), value.trim().parse::<f64>()) else {
                return false;
            };
            match op {
                NumericEquals | NumericNotEquals => v == p,
                NumericLessThan => v < p,
                NumericLessThanEquals => v <= p,
                NumericGreaterThan => v > p,
                _ => v >= p,
            }
        }
        DateEquals
        | DateNotEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => {
            let (Some(p), Some(v)) = (parse_date(policy), parse_date(value)) else {
                return false;
            };
            match op {
                DateEquals | DateNotEquals => v == p,
                DateLessThan => v < p,
                DateLessThanEquals => v <= p,
                DateGreaterThan => v > p,
                _ => v >= p,
            }
        }
        Bool => policy.eq_ignore_ascii_case(value),
        BinaryEquals => policy == value,
        IpAddress | NotIpAddress => match (parse_cidr(policy), value.trim().parse::<IpAddr>()) {
            (Some(net), Ok(ip)) => ip_in(ip, net),
            _ => false,
        },
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => arn_like(policy, value),
        Null => false,
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
    /// Whether it held.
    pub held: bool,
}

/// Evaluate one condition test. `variables` is false for documents whose `Version` is not `2012-10-17`, where
/// `${…}` is literal text.
pub fn evaluate(
    op: ConditionOperator,
    key: &str,
    policy_values: &[&str],
    ctx: &Context,
    variables: bool,
) -> (bool, Vec<String>) {
    // The values as substituted, for the explanation; a value whose variable has no value matches nothing.
    let subst: Vec<String> = policy_values
        .iter()
        .filter_map(|v| {
            if variables {
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
        .map(|v| match crate::eval::glob::unescape_literals(&v) {
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
) -> bool {
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
        return policy_values
            .filter_map(subst)
            .any(|p| p.eq_ignore_ascii_case("true") == absent);
    }
    let negated = op.base.is_negated();
    let Some(values) = request.filter(|v| !v.is_empty()) else {
        // Missing key: `...IfExists` holds; `ForAllValues` holds (vacuous truth); `ForAnyValue` fails;
        // otherwise negated operators hold and positive ones fail.
        return op.if_exists
            || match op.qualifier {
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => false,
                None => negated,
            };
    };
    let any_policy = |v: &str| {
        policy_values
            .clone()
            .filter_map(subst)
            .any(|p| positive_match(op.base, &p, v))
    };
    match op.qualifier {
        // Every request value must satisfy the operator against the policy values.
        Some(SetQualifier::ForAllValues) => values.iter().all(|v| any_policy(v) != negated),
        // At least one request value must satisfy it.
        Some(SetQualifier::ForAnyValue) => values.iter().any(|v| any_policy(v) != negated),
        // A single-valued test. With several request values and no qualifier, a positive operator holds when
        // any value matches and a negated one when no value matches.
        None => {
            if negated {
                !values.iter().any(|v| any_policy(v))
            } else {
                values.iter().any(|v| any_policy(v))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(s: &str) -> ConditionOperator {
        ConditionOperator::parse(s).expect("operator")
    }

    fn ctx(pairs: &[(&str, &[&str])]) -> Context {
        let mut c = Context::new();
        for (k, vs) in pairs {
            c.set(k, vs.iter().map(|s| s.to_string()).collect());
        }
        c
    }

    fn holds(o: &str, key: &str, vals: &[&str], c: &Context) -> bool {
        evaluate(op(o), key, vals, c, true).0
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
        assert_eq!(crate::eval::glob::unescape_literals(&special), "a*b?$");
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
        assert!(!held);
        assert_eq!(vals, ["${aws:username}"]);
        assert!(
            evaluate(
                op("StringEquals"),
                "aws:username",
                &["${aws:username}"],
                &c,
                true
            )
            .0
        );
    }
}
