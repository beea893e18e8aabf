//! Witnesses: request contexts that satisfy, or violate, the conditions an answer relies on.
//!
//! "Allowed if C" is only useful when C can be met and checked: [`satisfy`] builds a context in which every
//! [`Assumption`] holds (or one chosen assumption fails), testing each candidate value with the evaluator's own
//! operators ([`condition::holds`]), so a witness is never a guess. Candidates come from the policy values
//! themselves (each value, its neighbours for numbers and dates, an address inside and outside each range, the
//! patterns with their wildcards filled), so the search is small and linear in the conditions.

use super::condition::{self, Assumption, Context, Test, Truth};
use crate::policy::{ConditionOperator, Family};
use crate::time::Timestamp;
use std::net::IpAddr;

/// One test with the outcome it must have.
#[derive(Clone, Debug)]
struct Want<'a> {
    test: &'a Test,
    holds: bool,
}

/// Candidate values for a key, from the policy values of the tests on it; `None` (the key is absent) last, so
/// that a witness looks like a real request where it can.
fn candidates(tests: &[Want<'_>]) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = Vec::new();
    let mut push = |v: String| {
        let v = Some(v);
        if !out.contains(&v) {
            out.push(v);
        }
    };
    let mut push_more = false;
    for w in tests {
        let Some(op) = ConditionOperator::parse(&w.test.operator) else {
            continue;
        };
        for v in &w.test.values {
            match op.base.family() {
                Family::Numeric => {
                    if let Some(n) = crate::values::number(v) {
                        for d in [0.0, -1.0, 1.0, -0.5, 0.5] {
                            push(format!("{}", n + d));
                        }
                    }
                }
                Family::Date => {
                    if let Some(t) = crate::values::date(v) {
                        for d in [0, -1, 1, -86_400, 86_400] {
                            push(Timestamp(t.secs.saturating_add(d)).to_string());
                        }
                    }
                }
                Family::Bool | Family::Null => {
                    push("true".into());
                    push("false".into());
                }
                Family::Ip => {
                    if let Some((ip, bits)) = crate::values::ip_range(v) {
                        push(ip.to_string());
                        // An address outside the range: the network address with its first bit flipped.
                        if bits > 0 {
                            let outside = match ip {
                                IpAddr::V4(a) => IpAddr::V4((u32::from(a) ^ (1 << 31)).into()),
                                IpAddr::V6(a) => IpAddr::V6((u128::from(a) ^ (1 << 127)).into()),
                            };
                            push(outside.to_string());
                        }
                    }
                }
                _ => {
                    // Strings and ARNs: the value with its wildcards filled, and values beside it.
                    push_more = true;
                    let filled: String = v
                        .chars()
                        .map(|c| match c {
                            '*' => 'x',
                            '?' => 'y',
                            c => c,
                        })
                        .collect();
                    push(filled.clone());
                    push(format!("{filled}-other"));
                    push(filled.to_ascii_uppercase());
                }
            }
        }
    }
    if push_more {
        push("arn:aws:iam::000000000000:root".into());
        push("other".into());
    }
    out.push(None);
    out
}

fn test_truth(t: &Test, ctx: &Context) -> Option<Truth> {
    let op = ConditionOperator::parse(&t.operator)?;
    Some(condition::holds(
        op,
        &t.key,
        t.values.iter().map(String::as_str),
        ctx,
        true,
    ))
}

fn met(w: &Want<'_>, ctx: &Context) -> bool {
    let want = if w.holds { Truth::True } else { Truth::False };
    test_truth(w.test, ctx) == Some(want)
}

/// Assign every key so that each wanted test has its outcome; `None` when no candidate does.
fn assign(wants: &[Want<'_>], base: &Context) -> Option<Context> {
    let mut ctx = base.clone();
    let mut keys: Vec<String> = wants
        .iter()
        .map(|w| w.test.key.to_ascii_lowercase())
        .collect();
    keys.sort();
    keys.dedup();
    for key in &keys {
        let on_key: Vec<Want<'_>> = wants
            .iter()
            .filter(|w| w.test.key.eq_ignore_ascii_case(key))
            .cloned()
            .collect();
        let name = on_key.first().map(|w| w.test.key.clone())?;
        // A key the caller gave stays as given.
        if base.contains(&name) {
            if on_key.iter().all(|w| met(w, &ctx)) {
                continue;
            }
            return None;
        }
        let mut found = false;
        for c in candidates(&on_key) {
            match &c {
                Some(v) => ctx.set(&name, vec![v.clone()]),
                // Said absent (no value), as a request that does not have it says: a key left out would be
                // one the request does not say, which the evaluator may not read as absent.
                None => ctx.set(&name, Vec::new()),
            }
            if on_key.iter().all(|w| met(w, &ctx)) {
                found = true;
                break;
            }
        }
        if !found {
            return None;
        }
    }
    // Variables may tie keys together: check everything once more on the whole context.
    wants.iter().all(|w| met(w, &ctx)).then_some(ctx)
}

/// At most this many ways to break the `Deny`s' conjunctions are tried by [`satisfy`].
pub const COMBINATIONS: usize = 256;

/// A context extending `base` in which every assumption holds, or, with `violate: Some(i)`, every one but the
/// `i`-th, which fails. `None` when none is found (the conditions may contradict each other, or more than
/// [`COMBINATIONS`] ways were left untried).
pub fn satisfy(
    assumptions: &[Assumption],
    base: &Context,
    violate: Option<usize>,
) -> Option<Context> {
    // Fixed wants, and the choices a negated conjunction leaves (one of its tests must fail).
    let mut fixed: Vec<Want<'_>> = Vec::new();
    let mut choices: Vec<&[Test]> = Vec::new();
    for (i, a) in assumptions.iter().enumerate() {
        let flip = violate == Some(i);
        match (a, flip) {
            (Assumption::Holds(t), _) => fixed.push(Want {
                test: t,
                holds: !flip,
            }),
            (Assumption::NotAll(ts), true) => {
                fixed.extend(ts.iter().map(|t| Want {
                    test: t,
                    holds: true,
                }));
            }
            (Assumption::NotAll(ts), false) => match ts.as_slice() {
                [t] => fixed.push(Want {
                    test: t,
                    holds: false,
                }),
                _ => choices.push(ts),
            },
        }
    }
    // Try the choices one at a time (first test of each first), a bounded number of combinations.
    let mut pick = vec![0usize; choices.len()];
    for _ in 0..COMBINATIONS {
        let mut wants = fixed.clone();
        for (c, &p) in choices.iter().zip(&pick) {
            if let Some(t) = c.get(p) {
                wants.push(Want {
                    test: t,
                    holds: false,
                });
            }
        }
        if let Some(ctx) = assign(&wants, base) {
            return Some(ctx);
        }
        // Next combination.
        let mut k = 0;
        loop {
            let slot = pick.get_mut(k)?;
            *slot += 1;
            if *slot < choices.get(k).map_or(0, |c| c.len()) {
                break;
            }
            *slot = 0;
            k += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(op: &str, key: &str, values: &[&str]) -> Test {
        Test {
            operator: op.into(),
            key: key.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn witnesses_meet_and_break_conditions() {
        let a = vec![
            Assumption::NotAll(vec![t(
                "StringNotEquals",
                "aws:RequestedRegion",
                &["eu-west-1", "us-east-1"],
            )]),
            Assumption::NotAll(vec![t("Bool", "aws:SecureTransport", &["false"])]),
            Assumption::Holds(t("IpAddress", "aws:SourceIp", &["203.0.113.0/24"])),
            Assumption::Holds(t("NumericLessThan", "aws:MultiFactorAuthAge", &["3600"])),
            Assumption::Holds(t(
                "DateLessThan",
                "aws:CurrentTime",
                &["2030-01-01T00:00:00Z"],
            )),
        ];
        let ctx = satisfy(&a, &Context::new(), None).expect("satisfiable");
        assert_eq!(
            ctx.get("aws:RequestedRegion"),
            Some(&["eu-west-1".to_string()][..])
        );
        assert_eq!(
            ctx.get("aws:SecureTransport"),
            Some(&["true".to_string()][..])
        );
        assert_eq!(
            ctx.get("aws:SourceIp"),
            Some(&["203.0.113.0".to_string()][..])
        );
        let ctx = satisfy(&a, &Context::new(), Some(0)).expect("violable");
        let region = ctx.get("aws:RequestedRegion").map(|v| v.to_vec());
        assert!(
            region.is_none() || region.is_some_and(|r| r[0] != "eu-west-1" && r[0] != "us-east-1")
        );
        let ctx = satisfy(&a, &Context::new(), Some(2)).expect("violable");
        assert_ne!(
            ctx.get("aws:SourceIp"),
            Some(&["203.0.113.0".to_string()][..])
        );
        // Contradictions have no witness.
        let c = vec![
            Assumption::Holds(t("StringEquals", "k", &["a"])),
            Assumption::Holds(t("StringEquals", "k", &["b"])),
        ];
        assert!(satisfy(&c, &Context::new(), None).is_none());
    }
}
