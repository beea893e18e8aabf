//! Truth tables for one condition test, computed by the engine: what a condition answers for each shape of
//! request (the key missing, one matching value, one other value, several values, an empty set). The operators
//! people most often get wrong are the ones whose answer for a missing key or several values surprises:
//! `ForAllValues` (true for a missing key), `...IfExists`, negated operators (true for a missing key) and
//! multi-valued keys tested without a set operator.
//!
//! Every answer comes from [`condition::holds`], the function the evaluator uses; this module only chooses
//! the request values. References:
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>.

use super::condition::{self, Context, Truth};
use crate::policy::{BaseOperator, Condition, ConditionOperator, Family, Policy};
use crate::text::Span;

/// The shape of a request's value for the tested key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Shape {
    /// The request does not carry the key.
    Missing,
    /// One value that the operator's positive form matches (`StringEquals` for `StringNotEquals`).
    Matching,
    /// One value that it does not match.
    NonMatching,
    /// Two values: one matching, one not.
    Mixed,
    /// The key with no value (an empty multi-valued key, such as `aws:TagKeys` of a request without tags).
    EmptySet,
}

impl Shape {
    /// How the row reads.
    pub fn label(self) -> &'static str {
        match self {
            Shape::Missing => "key missing",
            Shape::Matching => "one matching value",
            Shape::NonMatching => "one other value",
            Shape::Mixed => "two values: one matching, one not",
            Shape::EmptySet => "empty set",
        }
    }
}

/// One row: a request shape, the values it uses and the engine's answer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    /// The shape.
    pub shape: Shape,
    /// The request's values (`None`: the key is missing).
    pub values: Option<Vec<String>>,
    /// Whether the condition holds.
    pub result: Truth,
}

/// A condition test's truth table.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TruthTable {
    /// The operator as written.
    pub operator: String,
    /// The key.
    pub key: String,
    /// The policy's values.
    pub policy_values: Vec<String>,
    /// One row per shape the operator can be shown with (a policy value of `*` has no other value: that row and
    /// the mixed one are left out).
    pub rows: Vec<Row>,
}

impl TruthTable {
    /// The answer for a shape, when the table has that row.
    pub fn result(&self, shape: Shape) -> Option<Truth> {
        self.rows
            .iter()
            .find(|r| r.shape == shape)
            .map(|r| r.result)
    }
}

/// The truth table of `operator key: policy_values`. Policy variables (`${aws:username}`) are read as literal
/// text: the table is about the operator, not about a particular request. `None` for an unknown operator.
pub fn truth_table(operator: &str, key: &str, policy_values: &[&str]) -> Option<TruthTable> {
    let op = ConditionOperator::parse(operator)?;
    // The positive, single-valued form classifies candidate values as matching or not.
    let base = if op.base.is_negated() {
        op.base.complement().unwrap_or(op.base)
    } else {
        op.base
    };
    let positive = ConditionOperator {
        qualifier: None,
        base,
        if_exists: false,
    };
    let test = |o: ConditionOperator, values: Option<&[String]>| -> Truth {
        let mut ctx = Context::new();
        if let Some(v) = values {
            ctx.set(key, v.to_vec());
        }
        condition::holds(o, key, policy_values.iter().copied(), &ctx, false)
    };
    let candidates = candidates(op.base, policy_values);
    let matches = |c: &String| test(positive, Some(std::slice::from_ref(c))) == Truth::True;
    let matching = candidates.iter().find(|c| matches(c)).cloned();
    let other = candidates.iter().find(|c| !matches(c)).cloned();
    let mut shapes: Vec<(Shape, Option<Vec<String>>)> = vec![(Shape::Missing, None)];
    if let Some(m) = &matching {
        shapes.push((Shape::Matching, Some(vec![m.clone()])));
    }
    if let Some(o) = &other {
        shapes.push((Shape::NonMatching, Some(vec![o.clone()])));
    }
    if let (Some(m), Some(o)) = (&matching, &other) {
        shapes.push((Shape::Mixed, Some(vec![m.clone(), o.clone()])));
    }
    shapes.push((Shape::EmptySet, Some(Vec::new())));
    let rows = shapes
        .into_iter()
        .map(|(shape, values)| Row {
            shape,
            result: test(op, values.as_deref()),
            values,
        })
        .collect();
    Some(TruthTable {
        operator: operator.to_string(),
        key: key.to_string(),
        policy_values: policy_values.iter().map(|v| v.to_string()).collect(),
        rows,
    })
}

/// The truth table of the condition test at byte `offset` of a policy's text (the editor's cursor): the test
/// whose operator, key or values contain it, else, inside a statement's `Condition`, the nearest test before it.
pub fn at(policy: &Policy, offset: usize) -> Option<TruthTable> {
    let inside = |s: Span| s.start as usize <= offset && offset <= s.end as usize;
    let statement = policy
        .statements
        .iter()
        .find(|s| s.condition_span.is_some_and(inside))?;
    let range = |c: &Condition| Span {
        start: c.key.span.start,
        end: c.values.span.end.max(c.key.span.end),
    };
    let condition = statement
        .conditions
        .iter()
        .find(|c| inside(range(c)))
        .or_else(|| {
            statement
                .conditions
                .iter()
                .find(|c| inside(c.operator.span))
        })
        .or_else(|| {
            statement
                .conditions
                .iter()
                .rev()
                .find(|c| (c.key.span.start as usize) <= offset)
        })
        .or_else(|| statement.conditions.first())?;
    let values: Vec<&str> = condition.values.items.iter().map(|v| &*v.value).collect();
    truth_table(&condition.operator.value, &condition.key.value, &values)
}

/// Request values to try, most telling first: the policy's own values made concrete (wildcards filled in,
/// numbers and dates either side), then values of the operator's type that are unlikely to be listed.
fn candidates(base: BaseOperator, policy_values: &[&str]) -> Vec<String> {
    let fill = |p: &str| p.replace(['*', '?'], "x");
    let mut out: Vec<String> = Vec::new();
    match base.family() {
        Family::String | Family::Binary => {
            out.extend(policy_values.iter().map(|p| fill(p)));
            out.extend(["other-value".to_string(), String::new()]);
        }
        Family::Numeric => {
            for p in policy_values {
                if let Ok(n) = p.trim().parse::<i64>() {
                    out.extend([
                        n.to_string(),
                        n.saturating_sub(1).to_string(),
                        n.saturating_add(1).to_string(),
                    ]);
                } else {
                    out.push(p.to_string());
                }
            }
            out.extend(["0".to_string(), "1000000000".to_string()]);
        }
        Family::Date => {
            out.extend(policy_values.iter().map(|p| p.to_string()));
            out.extend([
                "2000-01-01T00:00:00Z".to_string(),
                "2100-01-01T00:00:00Z".to_string(),
            ]);
        }
        Family::Bool | Family::Null => out.extend(["true".to_string(), "false".to_string()]),
        Family::Ip => {
            for p in policy_values {
                let addr = p.split('/').next().unwrap_or(p);
                out.push(addr.to_string());
            }
            out.extend(
                ["198.51.100.7", "203.0.113.10", "10.0.0.1", "2001:db8::1"].map(String::from),
            );
        }
        Family::Arn => {
            out.extend(policy_values.iter().map(|p| fill(p)));
            out.push("arn:aws:iam::111122223333:role/other".to_string());
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|v| seen.insert(v.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(op: &str, values: &[&str]) -> TruthTable {
        truth_table(op, "aws:TagKeys", values).expect("known operator")
    }

    #[test]
    fn rows_follow_the_engine() {
        let t = table("ForAnyValue:StringLike", &["team*"]);
        assert_eq!(t.result(Shape::Missing), Some(Truth::False));
        assert_eq!(t.result(Shape::Matching), Some(Truth::True));
        assert_eq!(t.result(Shape::NonMatching), Some(Truth::False));
        assert_eq!(t.result(Shape::Mixed), Some(Truth::True));
        assert_eq!(t.result(Shape::EmptySet), Some(Truth::False));
    }

    #[test]
    fn a_wildcard_that_matches_everything_has_no_other_value() {
        let t = table("StringLike", &["*"]);
        assert_eq!(t.result(Shape::NonMatching), None);
        assert_eq!(t.result(Shape::Mixed), None);
        assert_eq!(t.result(Shape::Matching), Some(Truth::True));
    }

    #[test]
    fn numbers_dates_and_addresses_get_values_of_their_type() {
        let t = table("NumericLessThan", &["3600"]);
        assert_eq!(t.result(Shape::Matching), Some(Truth::True));
        assert_eq!(t.result(Shape::NonMatching), Some(Truth::False));
        let t = table("NotIpAddress", &["203.0.113.0/24"]);
        assert_eq!(t.result(Shape::Missing), Some(Truth::True));
        assert_eq!(t.result(Shape::Matching), Some(Truth::False));
        assert_eq!(t.result(Shape::NonMatching), Some(Truth::True));
        let t = table("DateLessThan", &["2026-12-31T23:59:59Z"]);
        assert_eq!(t.result(Shape::Matching), Some(Truth::True));
        assert_eq!(t.result(Shape::NonMatching), Some(Truth::False));
        assert!(truth_table("NoSuchOperator", "k", &["v"]).is_none());
    }

    #[test]
    fn the_test_under_the_cursor() {
        let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]},
                          "Bool": {"aws:SecureTransport": "false"}}}]}"#;
        let parsed = crate::policy::parse_text(text, &mut crate::policy::Interner::default());
        let operator_at = |needle: &str| {
            let offset = text.find(needle).expect("in the text");
            at(&parsed.policy, offset + 1).map(|t| t.operator)
        };
        assert_eq!(operator_at("eu-west-1").as_deref(), Some("StringNotEquals"));
        assert_eq!(
            operator_at("StringNotEquals").as_deref(),
            Some("StringNotEquals")
        );
        assert_eq!(operator_at("aws:SecureTransport").as_deref(), Some("Bool"));
        assert_eq!(operator_at("\"Action\"").as_deref(), None);
    }
}
