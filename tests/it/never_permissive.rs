//! Answers that were more permissive than the policies, or certain where something was not read (stop 30's
//! review): each is now the least permissive reading, and uncertain with its reason where the text does not
//! decide. Alice has `Allow *` on `*` in every case, so only the statement under test can deny.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const PLAIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// An export of one account: user `alice` with `Allow *` and, when given, a second inline policy `extra` written
/// as it is (duplicate keys survive).
fn export(dir: &Path, extra: Option<&str>) -> PathBuf {
    let extra = extra.map_or(String::new(), |p| {
        format!(r#",{{"PolicyName":"extra","PolicyDocument":{p}}}"#)
    });
    let text = format!(
        r#"{{"UserDetailList":[{{"Path":"/","UserName":"alice","UserId":"AIDAEXAMPLEALICE",
        "Arn":"arn:aws:iam::111122223333:user/alice","CreateDate":"2024-01-01T00:00:00Z","GroupList":[],
        "AttachedManagedPolicies":[],"Tags":[],
        "UserPolicyList":[{{"PolicyName":"all","PolicyDocument":{PLAIN}}}{extra}]}}],
        "GroupDetailList":[],"RoleDetailList":[],"Policies":[]}}"#
    );
    let path = dir.join("export.json");
    std::fs::write(&path, text).expect("write");
    path
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iam-atlas-never-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

/// A scratch folder with alice's export and a policy file `file` holding `policy`: (folder, export, policy).
fn export_and_policy(name: &str, file: &str, policy: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = scratch(name);
    let export = export(&dir, None);
    let path = dir.join(file);
    std::fs::write(&path, policy).expect("write");
    (dir, export, path)
}

/// `eval --format json` of alice's `s3:GetObject` on `arn:aws:s3:::b/k`, a bucket of her account.
fn eval(args: &[&str]) -> Value {
    eval_as("alice", args)
}

/// `eval --format json` of `principal`'s `s3:GetObject` on `arn:aws:s3:::b/k`, a bucket of account 111122223333
/// (an S3 ARN names no account: see `a_bucket_of_no_known_account_is_not_assumed_to_be_ours`).
fn eval_as(principal: &str, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
        .args([
            "eval",
            "--principal",
            principal,
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::b/k",
            "--resource-account",
            "111122223333",
            "--format",
            "json",
        ])
        .args(args)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{args:?}: {e}\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The answer with `extra` as alice's second inline policy.
fn with_inline(name: &str, extra: &str) -> Value {
    let dir = scratch(name);
    let file = export(&dir, Some(extra));
    eval(&["--snapshot", file.to_str().expect("UTF-8")])
}

/// The answer with `Allow *` and `deny` (one statement) as the session policy.
fn with_session(name: &str, deny: &str, extra: &[&str]) -> Value {
    let (_, file, policy) = export_and_policy(
        name,
        "session.json",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"*","Resource":"*"}},{deny}]}}"#
        ),
    );
    let mut args = vec![
        "--snapshot",
        file.to_str().expect("UTF-8"),
        "--session-policy",
        policy.to_str().expect("UTF-8"),
    ];
    args.extend(extra);
    eval(&args)
}

/// The answer with `policy` given in a file as `flag` (`--resource-policy`, `--session-policy`).
fn with_policy_file(name: &str, flag: &str, policy: &str) -> Value {
    let (_, file, path) = export_and_policy(name, "policy.json", policy);
    eval(&[
        "--snapshot",
        file.to_str().expect("UTF-8"),
        flag,
        path.to_str().expect("UTF-8"),
    ])
}

/// The answer is `decision`, certain or not as `certain` says.
fn assert_answer(v: &Value, decision: &str, certain: bool) {
    assert_eq!(
        (&v["decision"], &v["certain"]),
        (&decision.into(), &certain.into()),
        "{v}"
    );
}

/// A Deny read in doubt: the answer is the denial, uncertain, and its reason names `why`.
fn assert_uncertain_deny(v: &Value, why: &str) {
    assert_eq!(v["decision"], "ExplicitDeny", "{v}");
    assert_eq!(v["certain"], false, "{v}");
    let reasons = v["unknown"].to_string();
    assert!(reasons.contains(why), "no `{why}` in {reasons}");
}

/// A Deny whose `Action` list holds an item that is not a string was left out of the action index for every
/// action but the readable ones: `s3:GetObject` was a certain Allow.
#[test]
fn an_unreadable_action_item_keeps_its_deny_in_doubt() {
    let v = with_inline(
        "action-item",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:PutObject",{"x":"s3:GetObject"}],"Resource":"*"}]}"#,
    );
    assert_uncertain_deny(&v, "Statement[0].Action[1]");
    assert_eq!(v["decided_by"], "Identity");
}

/// A key written twice: only one value was read, and AWS's choice is not documented. Each was a certain Allow.
#[test]
fn a_key_written_twice_puts_its_statement_in_doubt() {
    for (name, statement) in [
        (
            "action",
            r#"{"Effect":"Deny","Action":"s3:PutObject","Action":"s3:*","Resource":"*"}"#,
        ),
        (
            "resource",
            r#"{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::other/*","Resource":"*"}"#,
        ),
        (
            "condition",
            r#"{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"bob"}},"Condition":{"StringEquals":{"aws:username":"alice"}}}"#,
        ),
        (
            "condition-key",
            r#"{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"bob","aws:username":"alice"}}}"#,
        ),
        // Read as an Allow before; an effect written twice is unknown, read as a Deny.
        (
            "effect",
            r#"{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}"#,
        ),
    ] {
        let v = with_inline(
            &format!("dup-{name}"),
            &format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#),
        );
        assert_uncertain_deny(&v, "duplicate key");
    }
    // A statement whose duplicate is harmless to the answer still only doubts itself: an `Allow` written twice
    // does not deny.
    let v = with_inline(
        "dup-allow",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
    assert_eq!(v["decision"], "Allow", "{v}");
}

/// `ArnLike` with `*` tests only that the key is there (the validator's reading); before, it never matched, so
/// the Deny below did not apply and `ArnNotLike` with `*` always held.
#[test]
fn arn_like_star_matches_every_arn() {
    let v = with_session(
        "arn-star",
        r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"*"}}}"#,
        &[],
    );
    assert_eq!(v["decision"], "ExplicitDeny", "{v}");
    assert_eq!(v["certain"], true, "{v}");
    assert_eq!(v["decided_by"], "Session");
    // Fewer than six fields: how IAM compares it is not documented, so the test is undecided.
    let v = with_session(
        "arn-short",
        r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:*"}}}"#,
        &[],
    );
    assert_uncertain_deny(&v, "ArnLike");
}

/// Fractions of a second count: `00:00:00` is before `00:00:00.900`, and `00:00:00.500` after `00:00:00`.
#[test]
fn dates_compare_to_the_fraction_written() {
    let v = with_session(
        "date-less",
        r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2024-01-01T00:00:00.900Z"}}}"#,
        &["--context", "aws:CurrentTime=2024-01-01T00:00:00Z"],
    );
    assert_eq!(v["decision"], "ExplicitDeny", "{v}");
    assert_eq!(v["certain"], true, "{v}");
    let v = with_session(
        "date-greater",
        r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}}"#,
        &["--context", "aws:CurrentTime=2024-01-01T00:00:00.500Z"],
    );
    assert_eq!(v["decision"], "ExplicitDeny", "{v}");
    // The same instant written two ways is equal.
    let v = with_session(
        "date-equal",
        r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateNotEquals":{"aws:CurrentTime":"2024-01-01T00:00:00.5Z"}}}"#,
        &["--context", "aws:CurrentTime=2024-01-01T01:00:00.500+01:00"],
    );
    assert_eq!(v["decision"], "Allow", "{v}");
}

/// An `aws:CurrentTime` that cannot be read is not replaced by the clock for `aws:EpochTime`: a test of either is
/// undecided.
#[test]
fn an_unreadable_current_time_leaves_the_epoch_time_unread() {
    let v = with_session(
        "epoch",
        r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NumericGreaterThan":{"aws:EpochTime":"1893456000"}}}"#,
        &["--context", "aws:CurrentTime=2031-01-01 00:00:00Z"],
    );
    assert_uncertain_deny(&v, "aws:EpochTime");
    // A number that is no instant was copied over and then read as a number.
    let v = with_session(
        "epoch-number",
        r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NumericGreaterThan":{"aws:EpochTime":"1500000000"}}}"#,
        &["--context", "aws:CurrentTime=1e9"],
    );
    assert_uncertain_deny(&v, "not an instant");
}

/// A canonical user ID stands for an account the snapshot does not name: a Deny to it may deny anyone.
#[test]
fn a_canonical_user_principal_is_in_doubt() {
    let v = with_policy_file(
        "canonical",
        "--resource-policy",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:*","Resource":"*"}]}"#,
    );
    assert_uncertain_deny(&v, "canonical user ID");
    assert_eq!(v["decided_by"], "Resource");
}

/// A batch line's context key written twice, or twice but for case, is one key of two values, as `--context`
/// given twice is; one value used to be dropped.
#[test]
fn a_batch_context_key_written_twice_keeps_both_values() {
    let (dir, file, policy) = export_and_policy(
        "batch-dup",
        "session.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
    );
    let line = |context: &str| {
        format!(
            r#"{{"principal":"alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{context}}}"#
        )
    };
    let requests = dir.join("requests.jsonl");
    std::fs::write(
        &requests,
        [
            line(r#"{"AWS:SecureTransport":"false","aws:SecureTransport":"true"}"#),
            line(r#"{"aws:SecureTransport":"false","aws:SecureTransport":"true"}"#),
            line(r#"{"aws:SecureTransport":"true"}"#),
        ]
        .join("\n"),
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
        .args([
            "eval",
            "--snapshot",
            file.to_str().expect("UTF-8"),
            "--session-policy",
            policy.to_str().expect("UTF-8"),
            "--requests",
            requests.to_str().expect("UTF-8"),
            "--output",
            "decision",
        ])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    let decisions: Vec<String> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a JSON line");
            v["decision"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert_eq!(
        decisions,
        ["ExplicitDeny", "ExplicitDeny", "Allow"],
        "{text}"
    );
}

/// Numbers one double cannot tell apart compare exactly or not at all: `9007199254740993 > 9007199254740992` was
/// false (one double), so the Deny did not apply.
#[test]
fn numbers_beyond_a_doubles_precision_are_undecided() {
    let v = with_session(
        "numeric",
        r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NumericGreaterThan":{"s3:max-keys":"9007199254740992"}}}"#,
        &["--context", "s3:max-keys=9007199254740993"],
    );
    assert_uncertain_deny(&v, "as exact decimals and as doubles");
    // Numbers a double holds exactly stay decided.
    let v = with_session(
        "numeric-plain",
        r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NumericGreaterThan":{"s3:max-keys":"1e3"}}}"#,
        &["--context", "s3:max-keys=1000.5"],
    );
    assert_eq!(v["decision"], "ExplicitDeny", "{v}");
    assert_eq!(v["certain"], true, "{v}");
}

/// A role evaluated without a session name has an `aws:userid` the request does not determine
/// (`ROLE-ID:SESSION-NAME`): a test of it is undecided. A made-up name (`session`) decided the Deny below as not
/// applying.
#[test]
fn a_roles_userid_without_a_session_name_is_unread() {
    let dir = scratch("userid");
    let file = dir.join("export.json");
    let allow_all = PLAIN;
    std::fs::write(
        &file,
        format!(
            r#"{{"UserDetailList":[],"GroupDetailList":[],"Policies":[],"RoleDetailList":[{{"Path":"/",
            "RoleName":"r1","RoleId":"AROAEXAMPLER1","Arn":"arn:aws:iam::111122223333:role/r1",
            "CreateDate":"2024-01-01T00:00:00Z","AssumeRolePolicyDocument":{{"Version":"2012-10-17",
            "Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:root"}},
            "Action":"sts:AssumeRole"}}]}},"InstanceProfileList":[],"AttachedManagedPolicies":[],"Tags":[],
            "RolePolicyList":[{{"PolicyName":"all","PolicyDocument":{allow_all}}},{{"PolicyName":"deny",
            "PolicyDocument":{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"*","Resource":"*",
            "Condition":{{"StringLike":{{"aws:userid":"AROAEXAMPLER1:*@contractor.example"}}}}}}]}}}}]}}]}}"#
        ),
    )
    .expect("write");
    let ask = |principal: &str| eval_as(principal, &["--snapshot", file.to_str().expect("UTF-8")]);
    assert_uncertain_deny(&ask("r1"), "names no session");
    // A session named: decided either way.
    let v = ask("arn:aws:sts::111122223333:assumed-role/r1/ana@contractor.example");
    assert_eq!(v["decision"], "ExplicitDeny", "{v}");
    assert_eq!(v["certain"], true, "{v}");
    let v = ask("arn:aws:sts::111122223333:assumed-role/r1/ana");
    assert_eq!(v["decision"], "Allow", "{v}");
    assert_eq!(v["certain"], true, "{v}");
}

/// A `Deny` whose item IAM refuses (it would not have stored the policy, so what was meant is not known) used to be
/// read as written: `" s3:GetObject"` matched nothing and the answer was a certain Allow. The element that holds
/// the item is now in doubt; a mismatch elsewhere in the statement is still final.
#[test]
fn a_deny_iam_would_refuse_is_in_doubt() {
    let deny = |action: &str, resource: &str, condition: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Guard","Effect":"Deny","Action":"{action}","Resource":"{resource}"{condition}}}]}}"#
        )
    };
    for (name, policy, why) in [
        (
            "space",
            deny(" s3:GetObject", "*", ""),
            "the action ` s3:GetObject` has a character other than",
        ),
        (
            "colons",
            deny("s3:Get:Object", "*", ""),
            "the action `s3:Get:Object` has more than one colon",
        ),
        (
            "region",
            deny("s3:GetObject", "arn:aws:s3:us-east-1::b/k", ""),
            "the resource `arn:aws:s3:us-east-1::b/k` names a region in an IAM or S3 ARN",
        ),
        (
            "fields",
            deny("s3:GetObject", "arn:aws:s3::b/k", ""),
            "the resource `arn:aws:s3::b/k` has 5 of an ARN's 6 fields",
        ),
        (
            "null-if-exists",
            deny(
                "s3:GetObject",
                "*",
                r#","Condition":{"NullIfExists":{"aws:username":"true"}}"#,
            ),
            "the operator `NullIfExists` adds `IfExists` to `Null`",
        ),
    ] {
        let v = with_inline(&format!("refused-{name}"), &policy);
        assert_uncertain_deny(&v, why);
        assert_eq!(v["decided_by"], "Identity", "{name}");
        assert!(
            v["unknown"].to_string().contains("statement 0 (`Guard`)"),
            "{name}: {}",
            v["unknown"]
        );
    }
    // A mismatch in an element IAM accepts is final: the statement names another bucket.
    let v = with_inline(
        "refused-elsewhere",
        &deny(" s3:GetObject", "arn:aws:s3:::other/*", ""),
    );
    assert_eq!(
        (&v["decision"], &v["certain"]),
        (&"Allow".into(), &true.into()),
        "{v}"
    );
    // Faults in two elements put the whole statement in doubt (one used to hide the other).
    let v = with_inline(
        "refused-twice",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:GetObject","bad"],"Resource":"arn:aws:s3:us-east-1::b/*"}]}"#,
    );
    assert_uncertain_deny(&v, "the action `bad` has no service prefix");
    // An `Allow` with such an item is not counted, even where its text matches: `s3*` matches `s3:…` as a
    // pattern, and a refused item in `NotResource` matches more than any reading of it.
    for (name, allow) in [
        (
            "allow-glob",
            r#"{"Effect":"Allow","Action":"s3*","Resource":"*"}"#,
        ),
        (
            "allow-not-resource",
            r#"{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:us-east-1::secret/*"}"#,
        ),
    ] {
        let v = with_policy_file(
            &format!("refused-{name}"),
            "--session-policy",
            &format!(r#"{{"Version":"2012-10-17","Statement":[{allow}]}}"#),
        );
        assert_eq!(
            (&v["decision"], &v["certain"]),
            (&"ImplicitDeny".into(), &false.into()),
            "{name}: {v}"
        );
        assert!(
            v["unknown"].to_string().contains("which IAM refuses"),
            "{name}: {v}"
        );
    }
    // A resource policy's `Deny` of a principal with a wildcard (`user/*`), which IAM refuses.
    let v = with_policy_file(
        "refused-principal",
        "--resource-policy",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"s3:*","Resource":"*"}]}"#,
    );
    assert_uncertain_deny(&v, "holds a wildcard (only a bare `*` is allowed)");
    assert_eq!(v["decided_by"], "Resource");
}

/// A `Deny` condition value that is an object could not be read; a test on the values that were read was final,
/// so a request that did not match them was a certain Allow.
#[test]
fn an_unreadable_condition_value_keeps_its_deny_in_doubt() {
    let v = with_inline(
        "condition-object",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":["bob",{"x":1}]}}}]}"#,
    );
    assert_uncertain_deny(&v, "Statement[0].Condition.StringEquals.aws:username[1]");
    // Read in full, the same test on `bob` is a certain mismatch for alice.
    let v = with_inline(
        "condition-read",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":["bob"]}}}]}"#,
    );
    assert_eq!(
        (&v["decision"], &v["certain"]),
        (&"Allow".into(), &true.into()),
        "{v}"
    );
}

/// The validator and the evaluator read the same rules (`policy::shape`): an item the evaluator takes as refused
/// is one the validator reports as an error, and the other way round.
#[test]
fn the_evaluator_refuses_what_the_validator_reports() {
    use iam_atlas::diagnostic::Severity;
    use iam_atlas::validate::{PolicyKind, validate};
    let codes = |policy: &str, kind: PolicyKind| -> Vec<&'static str> {
        validate(policy, kind)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.code)
            .collect()
    };
    for action in [
        "s3:GetObject",
        "s3:*",
        "*",
        " s3:GetObject",
        "s3GetObject",
        "s3:Get:Object",
        ":GetObject",
        "s3:",
        "s 3:Get*",
        "*:Get*",
    ] {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"{action}","Resource":"*"}}]}}"#
        );
        let refused = iam_atlas::policy::shape::action(action).is_err();
        let reported = codes(&text, PolicyKind::Scp);
        assert_eq!(refused, !reported.is_empty(), "{action}: {reported:?}");
    }
    for resource in [
        "*",
        "arn:aws:s3:::b/k",
        "arn:aws:s3:::${aws:username}/*",
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::111122223333:us*",
        "arn:aws:s3",
        "bucket",
        "aws:s3:::b",
        "arn:aws-x:s3:::b",
        "arn:aws::::b",
        "arn:aws:s3::b",
        "arn:aws:s3:us-east-1::b",
        "arn:aws:iam:us-east-1:111122223333:user/a",
        "arn:aws:iam::111122223333:bucket/a",
    ] {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"s3:GetObject","Resource":"{resource}"}}]}}"#
        );
        let refused = iam_atlas::policy::shape::resource(resource).is_err_and(|f| f.refused());
        let reported = codes(&text, PolicyKind::Scp);
        assert_eq!(refused, !reported.is_empty(), "{resource}: {reported:?}");
    }
    for principal in [
        "*",
        "111122223333",
        "arn:aws:iam::111122223333:root",
        "arn:aws:iam::111122223333:user/*",
        "arn:aws:iam::111122223333:group/devs",
        "arn:aws:sts::111122223333:assumed-role/r/s",
        "AROAEXAMPLEEXAMPLE1",
        "alice",
    ] {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":{{"AWS":"{principal}"}},"Action":"s3:GetObject","Resource":"*"}}]}}"#
        );
        let refused =
            iam_atlas::policy::shape::principal(&iam_atlas::policy::PrincipalKind::Aws, principal)
                .is_err();
        let reported = codes(&text, PolicyKind::Resource { service: None });
        assert_eq!(refused, !reported.is_empty(), "{principal}: {reported:?}");
    }
}

/// AWS sets `aws:SecureTransport` on every request: one that does not give it was read as a request without the
/// key, and a `Deny` of plain HTTP was a certain Allow. Given, the key decides for certain.
#[test]
fn a_key_aws_always_sets_is_undecided_until_given() {
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Sid":"TlsOnly","Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
    let dir = scratch("always-set");
    let file = export(&dir, Some(deny));
    let file = file.to_str().expect("UTF-8");
    let v = eval(&["--snapshot", file]);
    assert_uncertain_deny(&v, "AWS sets `aws:SecureTransport` on every request");
    assert!(
        v["unknown"].to_string().contains("statement 0 (`TlsOnly`)"),
        "{v}"
    );
    // Its presence is known: `Null` is decided without it.
    let dir = scratch("always-set-null");
    let null = export(
        &dir,
        Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Null":{"aws:SecureTransport":"false"}}}]}"#,
        ),
    );
    let v = eval(&["--snapshot", null.to_str().expect("UTF-8")]);
    assert_eq!(
        (&v["decision"], &v["certain"]),
        (&"ExplicitDeny".into(), &true.into()),
        "{v}"
    );
    for (value, decision) in [("true", "Allow"), ("false", "ExplicitDeny")] {
        let context = format!("aws:SecureTransport={value}");
        let v = eval(&["--snapshot", file, "--context", &context]);
        assert_eq!(
            (&v["decision"], &v["certain"]),
            (&decision.into(), &true.into()),
            "{value}: {v}"
        );
    }
}

/// A policy variable of a key the request does not determine cannot be substituted: the pattern or value that
/// holds it may match or not. It used to substitute nothing, so a `Deny` on such a resource never matched.
#[test]
fn a_variable_of_an_unread_key_is_undecided() {
    let dir = scratch("unread-variable");
    let resource = export(
        &dir,
        Some(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"PerRegion","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:RequestedRegion, 'k'}*"}]}"#,
        ),
    );
    let resource = resource.to_str().expect("UTF-8");
    let v = eval(&["--snapshot", resource]);
    assert_uncertain_deny(
        &v,
        "its resource `arn:aws:s3:::b/${aws:RequestedRegion, 'k'}*` holds a variable",
    );
    assert!(
        v["unknown"]
            .to_string()
            .contains("AWS sets `aws:RequestedRegion` on every request"),
        "{v}"
    );
    // Given, the variable is substituted and the pattern decides for certain (the default is not used).
    let v = eval(&[
        "--snapshot",
        resource,
        "--context",
        "aws:RequestedRegion=eu-west-1",
    ]);
    assert_eq!(
        (&v["decision"], &v["certain"]),
        (&"Allow".into(), &true.into()),
        "{v}"
    );
    let v = eval(&["--snapshot", resource, "--context", "aws:RequestedRegion=k"]);
    assert_eq!(
        (&v["decision"], &v["certain"]),
        (&"ExplicitDeny".into(), &true.into()),
        "{v}"
    );

    let dir = scratch("unread-variable-value");
    let value = export(
        &dir,
        Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":"${aws:RequestedRegion}"}}}]}"#,
        ),
    );
    let value = value.to_str().expect("UTF-8");
    let v = eval(&["--snapshot", value]);
    assert_uncertain_deny(&v, "on `aws:username` cannot be decided");
    let v = eval(&[
        "--snapshot",
        value,
        "--context",
        "aws:RequestedRegion=alice",
    ]);
    assert_eq!(
        (&v["decision"], &v["certain"]),
        (&"ExplicitDeny".into(), &true.into()),
        "{v}"
    );
}

/// An S3 ARN names no account. A bucket that no loaded policy places was taken as the principal's, where an
/// identity policy's `Allow` suffices: a certain Allow, though in another account a bucket policy must allow too.
/// Now the Allow is uncertain and says what to give; given (`--resource-account`, or `aws:ResourceAccount` in
/// the context), it is decided either way, and a reverse query keeps it as a condition of the answer.
#[test]
fn a_bucket_of_no_known_account_is_not_assumed_to_be_ours() {
    // The command's standard output.
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
            .args(args)
            .output()
            .expect("run");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let get = ["s3:GetObject", "arn:aws:s3:::b/k"];
    let eval_json = |file: &Path, extra: &[&str]| -> Value {
        let file = file.to_str().expect("UTF-8");
        let mut args = vec![
            "eval",
            "--snapshot",
            file,
            "--principal",
            "alice",
            "--format",
            "json",
        ];
        args.extend(["--action", get[0], "--resource", get[1]]);
        args.extend(extra);
        serde_json::from_str(&run(&args)).expect("JSON")
    };
    let who_can = |file: &Path| {
        let file = file.to_str().expect("UTF-8");
        run(&[
            "who-can",
            "--snapshot",
            file,
            get[0],
            get[1],
            "--format",
            "json",
        ])
    };
    let plain = export(&scratch("bucket-account"), None);
    let v = eval_json(&plain, &[]);
    assert_eq!(
        (&v["decision"], &v["certain"]),
        (&"Allow".into(), &false.into()),
        "{v}"
    );
    assert!(v["unknown"].to_string().contains("names no account"), "{v}");
    // Said, either way: decided.
    for (extra, want) in [
        (&["--resource-account", "111122223333"][..], "Allow"),
        (&["--resource-account", "444455556666"][..], "ImplicitDeny"),
        (
            &["--context", "aws:ResourceAccount=111122223333"][..],
            "Allow",
        ),
        (
            &["--context", "aws:ResourceAccount=444455556666"][..],
            "ImplicitDeny",
        ),
    ] {
        let v = eval_json(&plain, extra);
        assert_eq!(
            (&v["decision"], &v["certain"]),
            (&want.into(), &true.into()),
            "{extra:?}: {v}"
        );
    }
    // A Deny that tests the resource's account is undecided while the account is not known.
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
        "Condition":{"StringNotEquals":{"aws:ResourceAccount":"111122223333"}}}]}"#;
    let denied = export(&scratch("bucket-account-deny"), Some(deny));
    assert_uncertain_deny(&eval_json(&denied, &[]), "names no account");
    // who-can: allowed on the condition that the bucket is in alice's account.
    let text = who_can(&plain);
    assert!(
        text.contains("StringEquals aws:ResourceAccount 111122223333") && text.contains("alice"),
        "{text}"
    );
    // Alice allowed only in another account's bucket (her Allow tests `aws:ResourceAccount`): there, without a
    // bucket policy, her identity policy is not enough, so who-can does not list her, under any condition.
    let only_elsewhere = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
        "Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"999988887777"}}}]}"#;
    let elsewhere = export(&scratch("bucket-account-elsewhere"), None);
    let text = std::fs::read_to_string(&elsewhere)
        .expect("read")
        .replace(PLAIN, only_elsewhere);
    std::fs::write(&elsewhere, text).expect("write");
    let text = who_can(&elsewhere);
    assert!(!text.contains("alice"), "{text}");
}

/// Alice's export with `policy` as her only inline policy (in place of `Allow *`), and `attached` as her
/// attached managed policies (a JSON list's items).
fn export_only(name: &str, policy: &str, attached: &str) -> PathBuf {
    let dir = scratch(name);
    let path = export(&dir, None);
    let text = std::fs::read_to_string(&path)
        .expect("read")
        .replace(PLAIN, policy)
        .replace(
            r#""AttachedManagedPolicies":[]"#,
            &format!(r#""AttachedManagedPolicies":[{attached}]"#),
        );
    std::fs::write(&path, text).expect("write");
    path
}

/// A policy variable with no value for the request (alice has no `team` tag) in an `Allow`'s `NotResource`:
/// the pattern names nothing, so every resource was outside it and the Allow a certain grant; AWS says such a
/// variable "might cause the entire statement to be invalid". Likewise a negated condition test on such a value.
#[test]
fn a_variable_with_no_value_does_not_make_a_certain_grant() {
    for (name, statement) in [
        (
            "not-resource",
            r#"{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::${aws:PrincipalTag/team}/*"}"#,
        ),
        (
            "negated",
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringNotEquals":{"aws:username":"${aws:PrincipalTag/team}"}}}"#,
        ),
    ] {
        let file = export_only(
            &format!("novalue-{name}"),
            &format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#),
            "",
        );
        let v = eval(&["--snapshot", file.to_str().expect("UTF-8")]);
        assert_eq!(v["certain"], false, "{name}: {v}");
        assert_ne!(
            (&v["decision"], &v["certain"]),
            (&"Allow".into(), &true.into()),
            "{name}: {v}"
        );
    }
    // With the tag given a value that names another bucket, the grant is certain (the pattern is read).
    let file = export_only(
        "novalue-given",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::${aws:PrincipalTag/team, 'other'}/*"}]}"#,
        "",
    );
    let v = eval(&["--snapshot", file.to_str().expect("UTF-8")]);
    assert_answer(&v, "Allow", true);
}

/// `ForAnyValue` with `…IfExists` on a key the request does not carry: AWS documents each alone ("false when
/// absent", "true when absent"), not the two together, so the test is undecided; a Deny of it was certain.
#[test]
fn for_any_value_if_exists_on_a_missing_key_is_undecided() {
    let v = with_inline(
        "any-if-exists",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*",
            "Condition":{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["x"]}}}]}"#,
    );
    assert_answer(&v, "ExplicitDeny", false);
}

/// A bucket policy in another partition (GovCloud, China) covers its objects as one in `aws` does: the
/// object's request skipped it (only `arn:aws:s3:::` was read as a bucket's), a certain Allow past its Deny.
#[test]
fn a_bucket_policy_of_any_partition_covers_its_objects() {
    let dir = scratch("gov-bucket");
    let export = export(&dir, None);
    std::fs::write(
        dir.join("bucket.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws-us-gov:s3:::b/*"}]}"#,
    )
    .expect("write");
    std::fs::write(
        dir.join("workspace.json"),
        r#"{"format":"iam-atlas-workspace/1","accounts":[{"id":"111122223333","authorization_details":"export.json",
            "resource_policies":[{"resource":"arn:aws-us-gov:s3:::b","file":"bucket.json"}]}]}"#,
    )
    .expect("write");
    let _ = export;
    let out = Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
        .args([
            "eval",
            "--snapshot",
            dir.join("workspace.json").to_str().expect("UTF-8"),
            "--principal",
            "alice",
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws-us-gov:s3:::b/k",
            "--resource-account",
            "111122223333",
            "--format",
            "json",
        ])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_answer(&v, "ExplicitDeny", true);
    assert_eq!(v["decided_by"], "Resource", "{v}");
}

/// `iam-atlas test` passes no expectation on an answer that is not certain (alice's one managed policy is not
/// in the snapshot: it may allow), and `what-can` says what it could not read.
#[test]
fn an_uncertain_answer_passes_no_test_and_what_can_says_what_it_did_not_read() {
    let file = export_only(
        "uncertain-suite",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#,
        r#"{"PolicyName":"gone","PolicyArn":"arn:aws:iam::111122223333:policy/gone"}"#,
    );
    let dir = file.parent().expect("dir").to_path_buf();
    let requests = dir.join("requests.json");
    std::fs::write(
        &requests,
        r#"[{"name":"alice cannot read","principal":"alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","expected":"ImplicitDeny"}]"#,
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
        .args(["test", "--snapshot", file.to_str().expect("UTF-8")])
        .arg(&requests)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("FAIL") && text.contains("(uncertain)"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    let out = Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
        .args([
            "what-can",
            "--snapshot",
            file.to_str().expect("UTF-8"),
            "alice",
        ])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("NOT WHOLE") && text.contains("policy/gone"),
        "{text}"
    );
}

/// "What would deny it" verifies a change only by a certain denial: with a managed policy that was not read
/// (it may allow), removing alice's own `Allow` leaves an uncertain denial, which was marked verified.
#[test]
fn a_change_is_verified_only_by_a_certain_answer() {
    let file = export_only(
        "uncertain-howto",
        PLAIN,
        r#"{"PolicyName":"gone","PolicyArn":"arn:aws:iam::111122223333:policy/gone"}"#,
    );
    let v = eval(&[
        "--snapshot",
        file.to_str().expect("UTF-8"),
        "--how-to-allow",
    ]);
    assert_eq!(v["decision"], "Allow", "{v}");
    let changes = v["what_would_deny"].as_array().expect("changes");
    let remove = changes
        .iter()
        .find(|c| c["kind"] == "remove_allow")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(remove["verified"], false, "{remove}");
}

/// A `*` inside a resource part that holds a `:` (an S3 key may): AWS documents wildcards within a segment and a
/// trailing `*` past a `:`, not a `*` in the middle. Read segment by segment, `Deny b/*.env` missed the key
/// `cfg:prod.env`, a certain Allow; read whole, it denies. The Deny is now in doubt; a key without `:` is decided.
#[test]
fn a_wildcard_across_a_colon_in_the_resource_part_is_in_doubt() {
    let file = export_only(
        "colon-key",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*.env"}]}"#,
        "",
    );
    let run = |resource: &str| -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
            .args(["eval", "--snapshot", file.to_str().expect("UTF-8")])
            .args([
                "--principal",
                "alice",
                "--action",
                "s3:GetObject",
                "--resource",
                resource,
            ])
            .args(["--resource-account", "111122223333", "--format", "json"])
            .output()
            .expect("run");
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    assert_uncertain_deny(
        &run("arn:aws:s3:::b/cfg:prod.env"),
        "inside the resource part",
    );
    let plain = run("arn:aws:s3:::b/prod.env");
    assert_answer(&plain, "ExplicitDeny", true);
    let other = run("arn:aws:s3:::b/cfg:prod.txt");
    assert_answer(&other, "Allow", true);
}

/// `eval --format json` of alice on `action` and `resource` with the export `file`.
fn eval_on(file: &Path, action: &str, resource: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
        .args(["eval", "--snapshot", file.to_str().expect("UTF-8")])
        .args([
            "--principal",
            "alice",
            "--action",
            action,
            "--resource",
            resource,
        ])
        .args(["--resource-account", "111122223333", "--format", "json"])
        .output()
        .expect("run");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// A variable with no value anywhere in a statement puts the whole statement in doubt, even where another
/// pattern matched: the `Deny` on `secret/*` beside `home/${aws:PrincipalTag/team}/*` (alice has no `team`)
/// was a certain denial, and AWS may drop the whole statement. And `ForAnyValue:StringLikeIfExists "*"` on a
/// key the request may leave out took a shortcut that read it as holding.
#[test]
fn a_statement_with_a_variable_of_no_value_is_in_doubt_as_a_whole() {
    let file = export_only(
        "novalue-whole",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"s3:*","Resource":["arn:aws:s3:::secret/*","arn:aws:s3:::home/${aws:PrincipalTag/team}/*"]}]}"#,
        "",
    );
    assert_uncertain_deny(
        &eval_on(&file, "s3:GetObject", "arn:aws:s3:::secret/x"),
        "whole statement invalid",
    );
    let file = export_only(
        "any-like-if-exists",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*",
            "Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":"*"}}}]}"#,
        "",
    );
    let v = eval_on(&file, "iam:CreateRole", "arn:aws:iam::111122223333:role/r");
    assert_ne!(
        (&v["decision"], &v["certain"]),
        (&"Allow".into(), &true.into()),
        "{v}"
    );
}

/// What-can asked each pattern as its own text: a `Deny` with `NotResource: public/*` beside an `Allow` on `*`
/// denied the request `*`, so `s3:GetObject` was left out though alice may read `public/…`; and a `Deny` on
/// `b/private/*` denied nothing asked as `b/*`, which read as allowed throughout. The resources `Deny` statements
/// name are asked about too, and what they deny inside an allowed pattern is said (`except`).
#[test]
fn what_can_asks_about_what_denies_name() {
    let what_can = |file: &Path| -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
            .args([
                "what-can",
                "--snapshot",
                file.to_str().expect("UTF-8"),
                "alice",
            ])
            .args(["--format", "json"])
            .output()
            .expect("run");
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let grant = |v: &Value, action: &str| -> Option<Value> {
        v["services"]["s3"]
            .as_object()?
            .values()
            .flat_map(|l| l.as_array().cloned().unwrap_or_default())
            .find(|g| g["action"] == action)
    };
    let file = export_only(
        "what-can-not-resource",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Deny","Action":"s3:GetObject","NotResource":"arn:aws:s3:::public/*"}]}"#,
        "",
    );
    let v = what_can(&file);
    let g = grant(&v, "s3:GetObject").unwrap_or_else(|| panic!("{v}"));
    assert_eq!(
        g["resources"],
        serde_json::json!(["arn:aws:s3:::public/*"]),
        "{g}"
    );
    let file = export_only(
        "what-can-partial",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
            {"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/private/*"}]}"#,
        "",
    );
    let v = what_can(&file);
    let g = grant(&v, "s3:GetObject").unwrap_or_else(|| panic!("{v}"));
    assert_eq!(
        g["resources"],
        serde_json::json!(["arn:aws:s3:::b/*"]),
        "{g}"
    );
    assert_eq!(
        g["except"],
        serde_json::json!(["arn:aws:s3:::b/private/*"]),
        "{g}"
    );
}
