//! Truth tables of condition operators, computed by the engine's condition evaluation, for the operators
//! people get wrong. AWS:
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
//! ("ForAllValues … returns true if there are no context keys in the request"), and
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//! (negated operators match a missing key; `...IfExists` holds when the key is absent).

use iam_atlas::eval::condition::Truth::{self, False, True};
use iam_atlas::eval::truth_table::{Shape, truth_table};

fn row(op: &str, key: &str, values: &[&str], shape: Shape) -> Option<Truth> {
    truth_table(op, key, values)
        .expect("known operator")
        .result(shape)
}

#[test]
fn a_missing_key() {
    let missing = |op| row(op, "aws:TagKeys", &["team"], Shape::Missing);
    // Vacuous truth: every value of no values matches.
    assert_eq!(missing("ForAllValues:StringEquals"), Some(True));
    assert_eq!(missing("ForAnyValue:StringEquals"), Some(False));
    // Negated operators match a missing key; positive ones do not.
    assert_eq!(missing("StringNotEquals"), Some(True));
    assert_eq!(missing("StringEquals"), Some(False));
    assert_eq!(missing("StringEqualsIfExists"), Some(True));
    assert_eq!(missing("NotIpAddress"), Some(True));
    assert_eq!(missing("BoolIfExists"), Some(True));
    // An empty set is read as a missing key.
    assert_eq!(
        row(
            "ForAllValues:StringEquals",
            "aws:TagKeys",
            &["team"],
            Shape::EmptySet
        ),
        Some(True)
    );
}

#[test]
fn several_values() {
    let mixed = |op| row(op, "aws:TagKeys", &["team"], Shape::Mixed);
    // Without a set operator, whether some or every value must satisfy the operator is not documented: with one
    // value matching and one not, the readings differ, and the row is undecided.
    assert_eq!(mixed("StringEquals"), Some(Truth::Unknown));
    assert_eq!(mixed("StringNotEquals"), Some(Truth::Unknown));
    assert_eq!(mixed("ForAllValues:StringEquals"), Some(False));
    assert_eq!(mixed("ForAnyValue:StringEquals"), Some(True));
    assert_eq!(mixed("ForAnyValue:StringNotEquals"), Some(True));
    assert_eq!(mixed("ForAllValues:StringNotEquals"), Some(False));
}

#[test]
fn one_value() {
    let t = truth_table(
        "StringEqualsIfExists",
        "aws:RequestedRegion",
        &["eu-west-1"],
    )
    .expect("known");
    assert_eq!(t.result(Shape::Matching), Some(True));
    assert_eq!(t.result(Shape::NonMatching), Some(False));
    let t = truth_table("StringNotEquals", "aws:RequestedRegion", &["eu-west-1"]).expect("known");
    assert_eq!(t.result(Shape::Matching), Some(False));
    assert_eq!(t.result(Shape::NonMatching), Some(True));
    let shapes: Vec<Shape> = t.rows.iter().map(|r| r.shape).collect();
    assert_eq!(
        shapes,
        [
            Shape::Missing,
            Shape::Matching,
            Shape::NonMatching,
            Shape::Mixed,
            Shape::EmptySet
        ]
    );
}
