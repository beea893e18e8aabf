//! A structured generator of conditions: every operator family (with `ForAnyValue:`/`ForAllValues:` and
//! `IfExists`), keys of each value type, and values of that type written the ways IAM reads them, mixed with
//! values of the wrong type, Unicode, and very long items. On each, the product's rule: **what the validator
//! accepts, the evaluator reads** (no error from the validator → a certain answer), and **what it cannot read
//! never makes an answer more permissive** (a `Deny` whose condition did not validate never yields a certain
//! `Allow`). Also: no panic, every range on character boundaries, and bounded time on the long items.

use iam_atlas::account::Model;
use iam_atlas::account::export::{LoadCtx, load_export};
use iam_atlas::account::workspace::finish;
use iam_atlas::diagnostic::Severity;
use iam_atlas::eval::{Context, Decision, Overrides, Principal, Request, decide};
use iam_atlas::policy::{Interner, parse_text};
use iam_atlas::time::Timestamp;
use iam_atlas::validate::{PolicyKind, validate};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};

const ACCOUNT: &str = "111122223333";

/// The value types of condition keys, each with keys of that type.
#[derive(Clone, Copy, Debug)]
enum Ty {
    String,
    Numeric,
    Date,
    Bool,
    Ip,
    Arn,
}

fn keys(t: Ty) -> &'static [&'static str] {
    match t {
        Ty::String => &["aws:RequestedRegion", "aws:PrincipalTag/team", "s3:prefix"],
        Ty::Numeric => &["aws:MultiFactorAuthAge", "s3:max-keys"],
        Ty::Date => &["aws:CurrentTime", "aws:EpochTime", "aws:TokenIssueTime"],
        Ty::Bool => &["aws:SecureTransport", "aws:MultiFactorAuthPresent"],
        Ty::Ip => &["aws:SourceIp"],
        Ty::Arn => &["aws:SourceArn", "aws:PrincipalArn"],
    }
}

fn operators(t: Ty) -> &'static [&'static str] {
    match t {
        Ty::String => &[
            "StringEquals",
            "StringNotEquals",
            "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase",
            "StringLike",
            "StringNotLike",
        ],
        Ty::Numeric => &[
            "NumericEquals",
            "NumericNotEquals",
            "NumericLessThan",
            "NumericLessThanEquals",
            "NumericGreaterThan",
            "NumericGreaterThanEquals",
        ],
        Ty::Date => &[
            "DateEquals",
            "DateNotEquals",
            "DateLessThan",
            "DateLessThanEquals",
            "DateGreaterThan",
            "DateGreaterThanEquals",
        ],
        Ty::Bool => &["Bool"],
        Ty::Ip => &["IpAddress", "NotIpAddress"],
        Ty::Arn => &["ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"],
    }
}

fn ty() -> impl Strategy<Value = Ty> {
    prop_oneof![
        Just(Ty::String),
        Just(Ty::Numeric),
        Just(Ty::Date),
        Just(Ty::Bool),
        Just(Ty::Ip),
        Just(Ty::Arn)
    ]
}

/// A value of type `t`, written as IAM reads it.
fn good_value(t: Ty) -> BoxedStrategy<String> {
    match t {
        Ty::String => prop_oneof![
            Just("eu-west-1".to_string()),
            Just("us-*".to_string()),
            Just("data".to_string()),
            "[a-z0-9-]{1,12}",
        ]
        .boxed(),
        Ty::Numeric => prop_oneof![
            (0u32..100_000).prop_map(|n| n.to_string()),
            Just("3600".into())
        ]
        .boxed(),
        Ty::Date => prop_oneof![
            (2000i32..2040, 1u32..13, 1u32..29)
                .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}T00:00:00Z")),
            (2000i32..2040, 1u32..13, 1u32..29)
                .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
            (946_684_800u64..2_208_988_800).prop_map(|n| n.to_string()),
        ]
        .boxed(),
        Ty::Bool => prop_oneof![Just("true".to_string()), Just("false".to_string())].boxed(),
        Ty::Ip => prop_oneof![
            (0u8..=255, 0u8..=255, 0u8..=32).prop_map(|(a, b, m)| format!("203.{a}.{b}.0/{m}")),
            (0u8..=255).prop_map(|a| format!("10.0.0.{a}")),
            Just("2001:db8::/32".to_string()),
        ]
        .boxed(),
        Ty::Arn => prop_oneof![
            "[a-z]{1,8}".prop_map(|r| format!("arn:aws:iam::{ACCOUNT}:role/{r}")),
            Just("arn:aws:s3:::bucket-*".to_string()),
            Just("arn:aws:sqs:*:*:queue".to_string()),
        ]
        .boxed(),
    }
}

/// A value a request carries for a key of type `t` (an address, not a range, for an IP key).
fn request_value(t: Ty) -> BoxedStrategy<String> {
    match t {
        Ty::Ip => prop_oneof![
            (0u8..=255, 0u8..=255).prop_map(|(a, b)| format!("203.0.{a}.{b}")),
            Just("10.0.0.1".to_string()),
            Just("2001:db8::1".to_string()),
        ]
        .boxed(),
        _ => good_value(t),
    }
}

/// Readings of an unreadable value: values of the type from one end of its range to the other.
fn readings(t: Ty) -> &'static [&'static str] {
    match t {
        Ty::String => &["", "eu-west-1", "*", "data"],
        Ty::Numeric => &["0", "3600", "7200", "999999999"],
        Ty::Date => &[
            "1970-01-01T00:00:00Z",
            "2026-06-15T12:00:00Z",
            "2100-01-01T00:00:00Z",
        ],
        Ty::Bool => &["true", "false"],
        Ty::Ip => &["0.0.0.0/0", "203.0.113.0/24", "::/0"],
        Ty::Arn => &["arn:*:*:*:*:*", "arn:aws:iam::111122223333:role/a"],
    }
}

/// A value that is not of any key's type, or a very long one, or Unicode.
fn odd_value() -> BoxedStrategy<String> {
    prop_oneof![
        Just("31/12/2026".to_string()),
        Just("2024-01".to_string()),
        Just("2024-01-01T00:00:00+1é2".to_string()),
        Just("an hour".to_string()),
        Just("TRUE".to_string()),
        Just("300.1.2.3/40".to_string()),
        Just(String::new()),
        "\\PC{0,20}",
        (1usize..20_000).prop_map(|n| "x".repeat(n)),
        (1usize..2_000).prop_map(|n| "é€".repeat(n)),
    ]
    .boxed()
}

/// One condition test: operator (with its set prefix and `IfExists`), key and values.
#[derive(Clone)]
struct Test {
    ty: Ty,
    operator: String,
    key: String,
    values: Vec<String>,
    /// The request's value for the key (`None`: the key is absent), always of the key's type.
    request: Option<Vec<String>>,
}

fn test() -> impl Strategy<Value = Test> {
    ty().prop_flat_map(|t| {
        (
            prop::sample::select(operators(t)),
            prop::sample::select(keys(t)),
            prop_oneof![Just(""), Just("ForAnyValue:"), Just("ForAllValues:")],
            any::<bool>(),
            prop::collection::vec(prop_oneof![4 => good_value(t), 1 => odd_value()], 0..4),
            prop::option::of(prop::collection::vec(request_value(t), 1..3)),
        )
            .prop_map(move |(op, key, set, if_exists, values, request)| Test {
                ty: t,
                operator: format!("{set}{op}{}", if if_exists { "IfExists" } else { "" }),
                key: key.to_string(),
                values,
                request,
            })
    })
}

/// A user who may do everything, so that the SCP under test decides.
fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let user = json!({
            "UserName": "alice", "UserId": "AIDAALICE", "Arn": format!("arn:aws:iam::{ACCOUNT}:user/alice"),
            "Path": "/", "GroupList": [], "AttachedManagedPolicies": [], "Tags": [{"Key": "team", "Value": "data"}],
            "UserPolicyList": [{"PolicyName": "all", "PolicyDocument":
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}],
        });
        let export = json!({"UserDetailList": [user], "GroupDetailList": [], "RoleDetailList": [], "Policies": []});
        let mut model = Model::default();
        let mut ctx = LoadCtx::default();
        load_export(&mut model, &mut ctx, "props.json", Arc::new(export.to_string()), Some(ACCOUNT))
            .expect("export loads");
        finish(&mut model, &mut ctx);
        model
    })
}

/// The SCP under test: allow everything, deny `s3:GetObject` under the condition.
fn scp(t: &Test) -> String {
    let values: Vec<Value> = t.values.iter().map(|v| Value::String(v.clone())).collect();
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {t.operator.clone(): {t.key.clone(): values}}},
    ]})
    .to_string()
}

fn decide_with_scp(text: &str, t: &Test) -> (Decision, bool) {
    let model = model();
    let mut interner = Interner::default();
    let policy = parse_text(text, &mut interner).policy;
    let mut context = Context::new();
    if let Some(v) = &t.request {
        context.set(&t.key, v.clone());
    }
    let req = Request {
        principal: Principal::resolve(&format!("arn:aws:iam::{ACCOUNT}:user/alice"), model)
            .expect("principal"),
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::bucket-a/key".into(),
        resource_account: Some(ACCOUNT.into()),
        context,
    };
    let overrides = Overrides {
        scp_levels: vec![vec![("scp".to_string(), policy)]],
        now: Timestamp::parse("2026-06-15T12:00:00Z"),
        ..Overrides::default()
    };
    decide(model, &req, &overrides)
}

/// A finding that says a value cannot be read as its operator's type (not a style or redundancy remark).
fn unreadable(d: &iam_atlas::diagnostic::Diagnostic) -> bool {
    let own = d.subcode.unwrap_or(d.code);
    d.severity != Severity::Suggestion
        && (own.starts_with("INVALID_CONDITION_")
            || own.starts_with("TYPE_MISMATCH")
            // A policy variable that is not one (`${` without `}`): read per request, or not at all.
            || iam_atlas::validate::check(own).is_some_and(|c| c.group == "variable")
            || matches!(
                own,
                "CONDITION_VALUE_TYPE_MISMATCH"
                    | "LONE_SURROGATE"
                    | "JSON_TYPE_MISMATCH"
                    | "ANY_VALUE_IF_EXISTS"
            ))
}

/// The case for a message, long values cut.
fn short(t: &Test) -> String {
    let cut = |v: &String| iam_atlas::text::excerpt(v, 40);
    format!(
        "{} {} {:?} (request {:?})",
        t.operator,
        t.key,
        t.values.iter().map(cut).collect::<Vec<_>>(),
        t.request
    )
}

/// Long values cut, so that a failure prints a readable case.
impl std::fmt::Debug for Test {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&short(self))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn what_the_validator_accepts_the_evaluator_reads(t in test()) {
        let text = scp(&t);
        let started = std::time::Instant::now();
        let diags = validate(&text, PolicyKind::Scp);
        for d in &diags {
            prop_assert!(d.span.end as usize <= text.len());
            prop_assert!(text.is_char_boundary(d.span.start as usize) && text.is_char_boundary(d.span.end as usize));
        }
        // Findings about the Deny's condition (an SCP over its size quota is rejected by AWS but reads the same);
        // a value of the wrong type is an error where AWS rejects it and a warning where AWS accepts it and the
        // evaluator cannot know what it does (a `Bool` that is neither true nor false).
        let flagged: Vec<&str> = diags
            .iter()
            .filter(|d| unreadable(d) && d.path.starts_with("Statement[1].Condition"))
            .map(|d| d.code)
            .collect();
        let errors = &flagged;
        let (decision, certain) = decide_with_scp(&text, &t);
        // Generous: a long item is validated and evaluated in linear time.
        prop_assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
        // A key AWS sets on every request or on some, not given, is undecided: the Deny is read as applying.
        let unsaid = t.request.is_none() && iam_atlas::eval::request::set_by_aws(&t.key);
        let several = t.request.as_ref().is_some_and(|r| r.len() > 1) && !t.operator.starts_with("For");
        if errors.is_empty() && unsaid {
            prop_assert!(decision == Decision::ExplicitDeny && !certain, "an unsaid key was decided: {}", short(&t));
        } else if errors.is_empty() && several && !certain {
            // Several request values and no set operator: undecided where "some value" and "every value"
            // differ, and the Deny is then read as applying.
            prop_assert!(decision == Decision::ExplicitDeny, "an undecided Deny was not read as applying: {}", short(&t));
        } else if errors.is_empty() {
            prop_assert!(certain, "validated without a finding, yet the evaluator did not read it: {}", short(&t));
        } else if decision == Decision::Allow && certain {
            // The Deny could not be read in full, yet the answer is a certain Allow: that is only right when no
            // reading of the unread values makes the Deny apply (the key is absent, another value decides, …).
            let unread: Vec<usize> = (0..t.values.len())
                .filter(|i| {
                    let at = format!("Statement[1].Condition.{}.{}[{i}]", t.operator, t.key);
                    diags.iter().any(|d| unreadable(d) && d.path == at)
                })
                .collect();
            for r in readings(t.ty) {
                let mut read = t.clone();
                for &i in &unread {
                    if let Some(v) = read.values.get_mut(i) {
                        *v = (*r).to_string();
                    }
                }
                let (d, _) = decide_with_scp(&scp(&read), &read);
                prop_assert_eq!(
                    d,
                    Decision::Allow,
                    "a Deny with {:?} was dropped: certain Allow for {}, but read as {} it denies",
                    errors,
                    short(&t),
                    r
                );
            }
        }
    }
}

/// The generator reaches both sides of the rule (a test that never meets an invalid Deny cannot fail).
#[test]
fn the_generator_reaches_valid_and_invalid_conditions() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut valid, mut invalid, mut denied, mut allowed) = (0, 0, 0, 0);
    for _ in 0..300 {
        let t = test().new_tree(&mut runner).expect("a case").current();
        let text = scp(&t);
        let errors = validate(&text, PolicyKind::Scp)
            .iter()
            .any(|d| d.severity == Severity::Error && d.path.starts_with("Statement[1].Condition"));
        if errors {
            invalid += 1;
        } else {
            valid += 1;
        }
        match decide_with_scp(&text, &t).0 {
            Decision::Allow => allowed += 1,
            _ => denied += 1,
        }
    }
    assert!(
        valid > 50 && invalid > 20,
        "valid {valid}, invalid {invalid}"
    );
    assert!(
        allowed > 20 && denied > 20,
        "allowed {allowed}, denied {denied}"
    );
}
