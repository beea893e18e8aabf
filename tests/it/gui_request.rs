//! The evaluator checks the request as the editor checks policies: a malformed request gets its problems
//! inline and no confident verdict.
#![cfg(feature = "gui")]

use crate::gui_util::sample_harness as harness;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use iam_atlas::app::AtlasApp;

/// Click into the field labelled `label`, select its text and type `text` over it.
fn retype(h: &mut Harness<'static, AtlasApp>, label: &str, text: &str) {
    h.get_by_label(label).click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

/// The sample's evaluator with `principal`, `action` and `resource` typed into the request.
fn ask(principal: &str, action: &str, resource: &str) -> Harness<'static, AtlasApp> {
    let mut h = harness();
    h.run();
    h.get_by_label("Evaluator").click();
    h.run();
    retype(&mut h, "Principal (ARN or name)", principal);
    retype(&mut h, "Action", action);
    retype(&mut h, "Resource (ARN, * for none)", resource);
    h
}

const VERDICTS: [&str; 3] = ["ALLOW", "EXPLICIT DENY", "IMPLICIT DENY"];

/// A certain verdict's badge.
fn shows_a_certain_verdict(h: &Harness<'static, AtlasApp>) -> bool {
    VERDICTS.iter().any(|v| h.query_by_label(v).is_some())
}

/// A verdict's badge, certain or uncertain with what the known policies say (maria.silva's answers rest on
/// whether her request was signed after an MFA sign-in, which the request does not say).
fn shows_a_verdict(h: &Harness<'static, AtlasApp>) -> bool {
    shows_a_certain_verdict(h)
        || h.query_by_label_contains("UNKNOWN (known policies say")
            .is_some()
}

/// Leave the field being typed in, then click the first button of each key (the ones the matching statements
/// test), as a person fills the keys the answer depends on.
fn give_keys(h: &mut Harness<'static, AtlasApp>, keys: &[&str]) {
    h.key_press(Key::Escape);
    h.run();
    for key in keys {
        h.get_all_by_label(key).next().expect(key).click();
        h.run();
    }
}

#[test]
fn a_resource_of_another_service_is_flagged_and_gets_no_verdict() {
    let mut h = ask(
        "maria.silva",
        "ec2:StopInstances",
        "arn:aws:iam::412345678901:role/admin-mfa",
    );
    // Above the answer at once; under the field once it is left (while typing, nothing moves below it).
    assert_eq!(
        h.get_all_by_label_contains("is not a resource `ec2:StopInstances` acts on")
            .count(),
        1
    );
    h.key_press(Key::Escape);
    h.run();
    assert_eq!(
        h.get_all_by_label_contains("is not a resource `ec2:StopInstances` acts on")
            .count(),
        2
    );
    h.get_by_label("CHECK THE REQUEST");
    assert!(!shows_a_verdict(&h));
    // Asking about the role with an action on roles gives a verdict again.
    retype(&mut h, "Action", "sts:AssumeRole");
    assert!(h.query_by_label("CHECK THE REQUEST").is_none());
    assert!(shows_a_verdict(&h));
}

#[test]
fn a_half_typed_action_is_not_answered_as_if_final() {
    let mut h = harness();
    h.run();
    h.get_by_label("Evaluator").click();
    h.run();
    retype(&mut h, "Principal (ARN or name)", "maria.silva");
    retype(
        &mut h,
        "Resource (ARN, * for none)",
        "arn:aws:s3:::larkspur-prod-reports/2026/q3-summary.pdf",
    );
    retype(&mut h, "Action", "s3:GetObj");
    h.get_by_label("CHECK THE REQUEST");
    assert!(
        h.query_all_by_label_contains("`s3` has no action `GetObj`")
            .count()
            >= 1
    );
    // Typing on finishes the action: the answer comes.
    h.get_by_label("Action").type_text("ect");
    h.run();
    assert_eq!(h.state().evaluator.action, "s3:GetObject");
    assert!(h.query_by_label("CHECK THE REQUEST").is_none());
    assert!(shows_a_verdict(&h));
}

#[test]
fn the_issue_s_malformed_requests_each_say_what_is_wrong() {
    let mut h = harness();
    h.run();
    h.get_by_label("Evaluator").click();
    h.run();
    retype(&mut h, "Principal (ARN or name)", "maria.silva");
    for (action, resource, says) in [
        ("s3GetObject", "*", "must be prefixed by a service"),
        ("foo:Bar", "*", "service `foo` does not exist"),
        ("s3:GetObject", "larkspur-prod-data", "must be an ARN"),
    ] {
        retype(&mut h, "Action", action);
        retype(&mut h, "Resource (ARN, * for none)", resource);
        h.get_by_label("CHECK THE REQUEST");
        assert!(
            h.query_all_by_label_contains(says).count() >= 1,
            "{action} on {resource}: no `{says}`"
        );
    }
    // Who can is not asked about a malformed action either: the problem is shown instead.
    retype(&mut h, "Action", "foo:Bar");
    h.get_by_label("Who can").click();
    h.run();
    assert!(
        h.query_all_by_label_contains("service `foo` does not exist")
            .count()
            >= 1
    );
}

#[test]
fn a_context_value_of_the_wrong_type_is_flagged_under_its_key() {
    let mut h = ask(
        "maria.silva",
        "sts:AssumeRole",
        "arn:aws:iam::412345678901:role/admin-mfa",
    );
    retype(&mut h, "Other key:", "aws:MultiFactorAuthAge");
    h.get_by_label("Add").click();
    h.run();
    retype(&mut h, "aws:MultiFactorAuthAge (Numeric)", "an hour");
    assert!(
        h.query_all_by_label_contains("`an hour` is not a number")
            .count()
            >= 1
    );
    h.get_by_label("CHECK THE REQUEST");
    retype(&mut h, "aws:MultiFactorAuthAge (Numeric)", "7200");
    assert!(h.query_by_label_contains("is not a number").is_none());
    for key in ["+ aws:MultiFactorAuthPresent", "+ aws:RequestedRegion"] {
        let button = h
            .get_all_by_label(key)
            .next()
            .expect("a button adds the key");
        button.click();
        h.run();
    }
    // Teaching case 18: denied, and the trust statement that almost allowed it says which condition failed.
    h.get_by_label("IMPLICIT DENY");
    h.get_by_label_contains("Almost allowed by statement 0 in trust admin-mfa");
    assert!(
        h.query_all_by_label_contains(
            "NumericLessThan aws:MultiFactorAuthAge [3600] vs request [7200]"
        )
        .count()
            >= 2,
        "in the summary and in the trust policy's section"
    );
}

/// A request that does not say its region: the region guardrail's test is undecided, the answer says so, each
/// layer in doubt is marked, and the key's button fills it and makes the answer certain.
#[test]
fn a_key_every_request_has_is_offered_until_given() {
    let mut h = ask(
        "li.wei",
        "s3:GetObject",
        "arn:aws:s3:::larkspur-prod-data/x",
    );
    give_keys(&mut h, &[]);
    h.get_by_label("UNKNOWN (known policies say EXPLICIT DENY)");
    assert!(
        h.query_all_by_label_contains("AWS sets `aws:RequestedRegion` on every request")
            .next()
            .is_some()
    );
    assert!(h.query_all_by_label("explicit deny (uncertain)").count() >= 1);
    give_keys(&mut h, &["+ aws:RequestedRegion", "+ aws:SecureTransport"]);
    assert!(
        shows_a_certain_verdict(&h),
        "given both keys, the answer is certain"
    );
    assert!(h.query_by_label("explicit deny (uncertain)").is_none());
}

/// A bucket no loaded policy places (an S3 ARN names no account): the identity policy's Allow holds only in the
/// principal's account, so the answer says it rests on the account and offers the key; its button adds the
/// key to type, and once typed the doubt is gone.
#[test]
fn a_bucket_of_no_known_account_offers_its_account() {
    let mut h = ask(
        "arn:aws:iam::412345678901:user/service/ci-deploy",
        "s3:PutObject",
        "arn:aws:s3:::larkspur-prod-artifacts/legacy/build-1.zip",
    );
    // The keys every request has first (the region guardrail and the TLS perimeter test them).
    give_keys(&mut h, &["+ aws:RequestedRegion", "+ aws:SecureTransport"]);
    h.get_by_label("UNKNOWN (known policies say ALLOW)");
    assert!(
        h.query_all_by_label_contains("names no account")
            .next()
            .is_some(),
        "the answer says it rests on the bucket's account"
    );
    h.get_all_by_label("+ aws:ResourceAccount")
        .next()
        .expect("the key is offered")
        .click();
    h.run();
    // Offered empty: still not known until typed.
    assert!(
        h.query_all_by_label_contains("names no account")
            .next()
            .is_some()
    );
    retype(&mut h, "aws:ResourceAccount (String)", "412345678901");
    let given: Vec<(String, String)> = h.state_mut().evaluator.context.clone();
    assert!(
        given.contains(&("aws:ResourceAccount".into(), "412345678901".into())),
        "{given:?}"
    );
    assert!(
        h.query_all_by_label_contains("names no account")
            .next()
            .is_none(),
        "given the account, the answer no longer rests on it"
    );
    h.get_by_label("ALLOW");
}

/// A user's request may or may not carry `aws:MultiFactorAuthPresent` (a console session has it, an access key's
/// request not): not given, maria.silva's answer is undecided and names the key; a row left empty says her
/// request has no such key (an access key's), and `BoolIfExists` then denies, for certain; `true` allows.
#[test]
fn an_empty_context_row_says_the_request_has_no_such_key() {
    let mut h = ask("maria.silva", "ec2:DescribeInstances", "*");
    let give = |h: &mut Harness<'static, AtlasApp>, key: &str, value: &str| {
        h.state_mut()
            .evaluator
            .context
            .push((key.into(), value.into()));
        h.run();
    };
    give(&mut h, "aws:RequestedRegion", "eu-west-1");
    assert!(
        h.query_by_label_contains("UNKNOWN (known policies say EXPLICIT DENY")
            .is_some(),
        "not said how the request was signed, the answer is undecided"
    );
    assert!(
        h.query_all_by_label("+ aws:MultiFactorAuthPresent")
            .next()
            .is_some(),
        "the MFA key is offered"
    );
    // An MFA sign-in: the Deny without MFA does not apply.
    give(&mut h, "aws:MultiFactorAuthPresent", "true");
    h.get_by_label("ALLOW");
    // Typed away: the row left empty says the request has no such key, as an access key's has not.
    h.get_by_label("aws:MultiFactorAuthPresent (Bool)").click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.key_press(Key::Backspace);
    h.run();
    let given: Vec<(String, String)> = h.state_mut().evaluator.context.clone();
    assert!(
        given.contains(&("aws:MultiFactorAuthPresent".into(), String::new())),
        "{given:?}"
    );
    h.get_by_label("EXPLICIT DENY");
    assert!(
        h.query_by_label_contains("UNKNOWN (known policies say")
            .is_none()
    );
}
