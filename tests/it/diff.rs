//! The change review: `iam-atlas diff` on copies of the bundled sample with known edits, asserting the exact
//! rows gained and lost, the risks, the statement-level policy diff, the formats and the exit status.

use iam_atlas::account::{LoadOptions, Model, load_paths};
use iam_atlas::diff::{Diff, Options, Risk, State, diff};
use iam_atlas::time::Timestamp;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const PROD: &str = "412345678901";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A fresh copy of the sample under a unique directory.
fn sample_copy(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iam-atlas-diff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample"),
        &dir,
    );
    dir
}

fn edit(path: &Path, f: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

fn edit_prod(dir: &Path, f: impl FnOnce(&mut Value)) {
    edit(&dir.join("prod/authorization-details.json"), f);
}

fn entity<'a>(v: &'a mut Value, list: &str, key: &str, name: &str) -> &'a mut Value {
    v[list]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e[key] == name)
        .unwrap()
}

fn load(dir: &Path) -> Model {
    load_paths(&[dir.join("workspace.json")], LoadOptions::default()).unwrap()
}

fn opts() -> Options {
    Options {
        now: Timestamp::parse("2026-11-20T00:00:00Z"),
        ..Options::default()
    }
}

fn run_diff(before: &Path, after: &Path) -> Diff {
    diff(&load(before), &load(after), &opts())
}

fn rows(list: &[iam_atlas::diff::AccessRow]) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = list
        .iter()
        .map(|r| (r.principal.clone(), r.action.clone(), r.resource.clone()))
        .collect();
    v.sort();
    v
}

fn t(p: &str, a: &str, r: &str) -> (String, String, String) {
    (p.to_string(), a.to_string(), r.to_string())
}

fn run_cli(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
        .args(args)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn identical_snapshots_have_no_difference() {
    let a = sample_copy("same-a");
    let b = sample_copy("same-b");
    let d = run_diff(&a, &b);
    assert!(d.access.gained.is_empty() && d.access.lost.is_empty());
    assert!(d.access.uncertain.is_empty() && d.access.conditions_changed.is_empty());
    assert!(d.entities.added.is_empty() && d.entities.removed.is_empty());
    assert!(d.entities.changed.is_empty(), "{:?}", d.entities.changed);
    assert_eq!(d.counts.principals_changed, 0);
    assert_eq!(d.counts.comparisons, 0);
    assert!(!d.widened());
}

#[test]
fn a_new_pass_role_grant_is_gained_exactly_and_ranked_as_escalation() {
    let before = sample_copy("passrole-a");
    let after = sample_copy("passrole-b");
    let role = format!("arn:aws:iam::{PROD}:role/data/etl-batch");
    edit_prod(&after, |v| {
        let u = entity(v, "UserDetailList", "UserName", "tom.becker");
        u["UserPolicyList"] = json!([{"PolicyName": "pass-etl", "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": role}]}}]);
    });
    let d = run_diff(&before, &after);
    let tom = format!("arn:aws:iam::{PROD}:user/tom.becker");
    assert_eq!(rows(&d.access.gained), vec![t(&tom, "iam:PassRole", &role)]);
    let g = &d.access.gained[0];
    assert_eq!(
        (g.before.clone(), g.after.clone()),
        (State::Denied, State::Allowed)
    );
    assert_eq!(g.risk, Risk::Escalation);
    assert!(d.access.lost.is_empty() && d.access.uncertain.is_empty());
    assert_eq!(d.counts.principals_changed, 1);
    // Entities: the user changed, with the statement added.
    assert_eq!(d.entities.changed.len(), 1);
    let c = &d.entities.changed[0];
    assert_eq!(c.arn, tom);
    assert_eq!(c.policies.len(), 1);
    assert_eq!(c.policies[0].document, "inline policy pass-etl");
    assert_eq!(c.policies[0].added.len(), 1);
    assert_eq!(c.policies[0].added[0].statement["Action"], "iam:PassRole");
    assert!(d.widened());

    // The command line: exit 1, the issue's JSON shape.
    let (code, out, err) = run_cli(&[
        "diff",
        before.join("workspace.json").to_str().unwrap(),
        "--against",
        after.join("workspace.json").to_str().unwrap(),
        "--format",
        "json",
        "--now",
        "2026-11-20",
    ]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let gained = v["access"]["gained"].as_array().unwrap();
    assert_eq!(gained.len(), 1);
    assert_eq!(gained[0]["principal"], tom.as_str());
    assert_eq!(gained[0]["action"], "iam:PassRole");
    assert_eq!(gained[0]["resource"], role.as_str());
    assert_eq!(gained[0]["conditions"], json!([]));
    assert_eq!(v["access"]["lost"], json!([]));
    assert_eq!(v["entities"]["changed"][0]["arn"], tom.as_str());
    assert!(v["entities"]["added"].is_array() && v["entities"]["removed"].is_array());

    // Markdown and SARIF carry the same row.
    let (code, md, _) = run_cli(&[
        "diff",
        before.join("workspace.json").to_str().unwrap(),
        "--against",
        after.join("workspace.json").to_str().unwrap(),
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 1);
    assert!(
        md.contains("# Access changes") && md.contains("iam:PassRole"),
        "{md}"
    );
    let (_, sarif, _) = run_cli(&[
        "diff",
        before.join("workspace.json").to_str().unwrap(),
        "--against",
        after.join("workspace.json").to_str().unwrap(),
        "--format",
        "sarif",
    ]);
    let s: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(s["version"], "2.1.0");
    assert_eq!(s["runs"][0]["results"].as_array().unwrap().len(), 1);
    assert_eq!(s["runs"][0]["results"][0]["level"], "error");

    // The other way round, access was only lost: exit 0.
    let (code, out, _) = run_cli(&[
        "diff",
        after.join("workspace.json").to_str().unwrap(),
        "--against",
        before.join("workspace.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 lost"), "{out}");
}

#[test]
fn removing_an_scp_deny_gains_exactly_the_denied_actions_of_the_principals_it_capped() {
    let before = sample_copy("scp-a");
    let after = sample_copy("scp-b");
    edit(&after.join("org/scp-ProtectProduction.json"), |v| {
        let content = v["Policy"]["Content"].as_str().unwrap();
        let mut doc: Value = serde_json::from_str(content).unwrap();
        doc["Statement"]
            .as_array_mut()
            .unwrap()
            .retain(|s| s["Sid"] != "DenyCloudTrailTampering");
        v["Policy"]["Content"] = Value::String(doc.to_string());
    });
    let d = run_diff(&before, &after);
    let p = |k: &str| format!("arn:aws:iam::{PROD}:{k}");
    let mut expected = Vec::new();
    // The Identity Center administrator role of production is capped by the same deny.
    let sso_admin = "role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_b7e2d94f1a6c3058";
    for who in [
        "role/BreakGlassAdmin",
        "role/admin-mfa",
        sso_admin,
        "user/maria.silva",
    ] {
        for a in ["cloudtrail:DeleteTrail", "cloudtrail:StopLogging"] {
            expected.push(t(&p(who), a, "*"));
        }
    }
    assert_eq!(rows(&d.access.gained), expected);
    assert!(d.access.lost.is_empty() && d.access.uncertain.is_empty());
    // Conditions come with the rows (the region guardrail; MFA for the admins group).
    let maria = d
        .access
        .gained
        .iter()
        .find(|r| r.principal.ends_with("maria.silva"))
        .unwrap();
    assert_eq!(maria.after, State::AllowedIf);
    assert!(
        maria
            .conditions
            .iter()
            .any(|c| c.contains("aws:MultiFactorAuthPresent")),
        "{:?}",
        maria.conditions
    );
    // The SCP's statement diff names the removed statement.
    let scp = d.entities.changed.iter().find(|c| c.kind == "SCP").unwrap();
    assert_eq!(scp.policies[0].removed.len(), 1);
    assert_eq!(
        scp.policies[0].removed[0].sid.as_deref(),
        Some("DenyCloudTrailTampering")
    );
    // Only the SCP's accounts were compared, and only on CloudTrail actions (on `*` and on what the guardrails'
    // `Deny` statements name).
    assert!(d.counts.comparisons < 64, "{}", d.counts.comparisons);
}

#[test]
fn removing_an_inline_policy_loses_exactly_its_grants() {
    let before = sample_copy("lost-a");
    let after = sample_copy("lost-b");
    edit_prod(&after, |v| {
        let r = entity(v, "RoleDetailList", "RoleName", "contractor-temp");
        r["RolePolicyList"] = json!([]);
    });
    let d = run_diff(&before, &after);
    let who = format!("arn:aws:iam::{PROD}:role/contractor-temp");
    let b = "arn:aws:s3:::larkspur-prod-reports";
    let o = "arn:aws:s3:::larkspur-prod-reports/*";
    assert_eq!(
        rows(&d.access.lost),
        vec![
            t(&who, "s3:GetObject", b),
            t(&who, "s3:GetObject", o),
            t(&who, "s3:ListBucket", b),
            t(&who, "s3:ListBucket", o),
        ]
    );
    assert!(d.access.gained.is_empty());
    assert!(!d.widened());
}

#[test]
fn a_new_administrator_is_one_row_ranked_first() {
    let before = sample_copy("admin-a");
    let after = sample_copy("admin-b");
    edit_prod(&after, |v| {
        let u = entity(v, "UserDetailList", "UserName", "nina.patel");
        u["AttachedManagedPolicies"] = json!([{"PolicyName": "AdministratorAccess",
            "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]);
    });
    let d = run_diff(&before, &after);
    let nina = format!("arn:aws:iam::{PROD}:user/nina.patel");
    let first = &d.access.gained[0];
    assert_eq!(
        (
            first.principal.as_str(),
            first.action.as_str(),
            first.resource.as_str()
        ),
        (nina.as_str(), "*", "*")
    );
    assert_eq!(first.risk, Risk::Admin);
    assert!(first.covers > 100, "{}", first.covers);
    assert!(d.access.gained.iter().skip(1).all(|r| r.principal != nina));
    assert_eq!(d.risks[0].risk, Risk::Admin);
    assert_eq!(d.risks[0].principal, nina);
}

#[test]
fn a_missing_policy_makes_answers_uncertain_never_unchanged() {
    let before = sample_copy("missing-a");
    let after = sample_copy("missing-b");
    edit_prod(&after, |v| {
        let u = entity(v, "UserDetailList", "UserName", "nina.patel");
        u["AttachedManagedPolicies"] = json!([{"PolicyName": "NotExported",
            "PolicyArn": format!("arn:aws:iam::{PROD}:policy/NotExported")}]);
    });
    let d = run_diff(&before, &after);
    assert!(!d.access.uncertain.is_empty());
    assert!(
        d.access
            .uncertain
            .iter()
            .all(|r| r.after == State::Unknown && r.principal.ends_with("nina.patel"))
    );
    assert!(
        d.access.uncertain[0]
            .unknown
            .iter()
            .any(|u| u.contains("NotExported")),
        "{:?}",
        d.access.uncertain[0].unknown
    );
    assert!(d.widened());
}

#[test]
fn a_trust_policy_opened_to_another_account_is_external_access() {
    let before = sample_copy("trust-a");
    let after = sample_copy("trust-b");
    edit_prod(&after, |v| {
        let r = entity(v, "RoleDetailList", "RoleName", "etl-batch");
        r["AssumeRolePolicyDocument"]["Statement"]
            .as_array_mut()
            .unwrap()
            .push(
                json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                "Action": "sts:AssumeRole"}),
            );
    });
    let d = run_diff(&before, &after);
    assert!(
        d.risks.iter().any(|r| r.risk == Risk::External),
        "{:?}",
        d.risks
    );
    let ext = d
        .access
        .gained
        .iter()
        .find(|r| r.risk == Risk::External)
        .unwrap();
    assert_eq!(ext.action, "sts:AssumeRole");
    assert!(ext.resource.ends_with("role/data/etl-batch"));
    let role = d
        .entities
        .changed
        .iter()
        .find(|c| c.kind == "role")
        .unwrap();
    assert_eq!(role.policies[0].document, "trust policy");
    assert_eq!(role.policies[0].added.len(), 1);
}

#[test]
fn a_resource_policy_grant_to_a_user_is_gained() {
    let before = sample_copy("rp-a");
    let after = sample_copy("rp-b");
    let queue = format!("arn:aws:sqs:eu-west-1:{PROD}:webshop-orders");
    let tom = format!("arn:aws:iam::{PROD}:user/tom.becker");
    edit(
        &after.join("prod/resource-policies/sqs-webshop-orders.json"),
        |v| {
            let mut doc: Value =
                serde_json::from_str(v["Attributes"]["Policy"].as_str().unwrap()).unwrap();
            doc["Statement"].as_array_mut().unwrap().push(json!({
                "Sid": "TomPurges", "Effect": "Allow", "Principal": {"AWS": tom},
                "Action": "sqs:PurgeQueue", "Resource": queue}));
            v["Attributes"]["Policy"] = Value::String(doc.to_string());
        },
    );
    let d = run_diff(&before, &after);
    assert_eq!(
        rows(&d.access.gained),
        vec![t(&tom, "sqs:PurgeQueue", &queue)]
    );
    assert_eq!(d.counts.resources_changed, 1);
    let rp = d
        .entities
        .changed
        .iter()
        .find(|c| c.kind == "resource policy")
        .unwrap();
    assert_eq!(rp.policies[0].added[0].sid.as_deref(), Some("TomPurges"));
}

#[test]
fn errors_name_the_file_and_exit_2() {
    let (code, _, err) = run_cli(&[
        "diff",
        "/nonexistent/a.json",
        "--against",
        "/nonexistent/b.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/a.json"), "{err}");
}

#[test]
fn the_blast_radius_of_an_edit_is_the_same_diff_without_changing_the_model() {
    use iam_atlas::edit::DocTarget;
    let model = iam_atlas::sample::load_sample(LoadOptions::default()).unwrap();
    let role = model
        .by_arn(&format!("arn:aws:iam::{PROD}:role/contractor-temp"))
        .unwrap();
    let target = DocTarget::Inline {
        owner: role,
        name: "TemporaryReportsAccess".into(),
    };
    let before_text = target.find(&model).unwrap().text(&model).to_string();
    let d = iam_atlas::diff::blast_radius(
        &model,
        &target,
        r#"{"Version":"2012-10-17","Statement":[]}"#,
        &opts(),
    )
    .unwrap();
    assert_eq!(d.access.lost.len(), 4, "{:?}", d.access.lost);
    assert!(d.access.gained.is_empty());
    assert_eq!(target.find(&model).unwrap().text(&model), before_text);
    assert!(iam_atlas::diff::blast_radius(&model, &target, "not json", &opts()).is_err());
}

/// Real exports nobody on the team wrote (provenance in tests/fixtures/PROVENANCE.md).
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/exports")
        .join(name)
}

#[test]
fn fixture_exports_with_known_changes() {
    // cloudsplaining's example: `biden` loses AWSLambdaFullAccess; `obama` keeps AdministratorAccess.
    let dir = std::env::temp_dir().join(format!("iam-atlas-diff-{}-fixture", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let before = fixture("cloudsplaining-example-authz-details.json");
    let after = dir.join("after.json");
    std::fs::copy(&before, &after).unwrap();
    edit(&after, |v| {
        let u = entity(v, "UserDetailList", "UserName", "biden");
        u["AttachedManagedPolicies"] = json!([]);
    });
    let load1 = |p: &Path| load_paths(&[p.to_path_buf()], LoadOptions::default()).unwrap();
    let d = diff(&load1(&before), &load1(&after), &opts());
    assert!(d.access.gained.is_empty(), "{:?}", d.access.gained);
    assert!(!d.access.lost.is_empty());
    assert!(
        d.access
            .lost
            .iter()
            .all(|r| r.principal.ends_with("user/biden"))
    );
    assert!(
        d.access
            .lost
            .iter()
            .any(|r| r.action.starts_with("lambda:"))
    );
    assert_eq!(d.entities.changed.len(), 1);
    assert_eq!(
        d.entities.changed[0].changes,
        vec!["- attached policy arn:aws:iam::aws:policy/AWSLambdaFullAccess".to_string()]
    );
    assert!(!d.widened());
    // AWS's own sample is one page of several (`IsTruncated`): a diff against it is not complete, and so not
    // "did not widen" even with nothing changed.
    let truncated = fixture("aws-cli-docs-example.json");
    let d = diff(&load1(&truncated), &load1(&truncated), &opts());
    assert!(!d.complete);
    assert!(d.widened());
    assert!(
        d.notes.iter().any(|n| n.contains("incomplete")),
        "{:?}",
        d.notes
    );
}

/// A bucket policy that only denies, added to a bucket that had none: no access is gained. Before, the bucket's
/// account was not known (an S3 ARN names none) and each answer held on the condition that it is the principal's;
/// after, the policy places it. Both sides are read in the account a policy gives on either side, so the
/// assumption does not look like a change.
#[test]
fn a_deny_only_bucket_policy_on_a_bucket_of_no_known_account_gains_nothing() {
    let before = sample_copy("bucket-a");
    let after = sample_copy("bucket-b");
    let bucket = "arn:aws:s3:::larkspur-prod-reports";
    let doc = json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [bucket, format!("{bucket}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
    std::fs::write(
        after.join("prod/resource-policies/s3-larkspur-prod-reports.json"),
        json!({"Policy": doc.to_string()}).to_string(),
    )
    .unwrap();
    edit(&after.join("workspace.json"), |v| {
        let prod = v["accounts"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|a| a["resource_policies"].is_array())
            .unwrap();
        prod["resource_policies"]
            .as_array_mut()
            .unwrap()
            .push(json!({
            "resource": bucket, "file": "prod/resource-policies/s3-larkspur-prod-reports.json"}));
    });
    let d = run_diff(&before, &after);
    assert!(d.access.gained.is_empty(), "{:?}", rows(&d.access.gained));
    assert!(!d.widened());
    assert_eq!(d.counts.resources_changed, 1);
}

/// Removing a `Deny` that names one role, beside an `Allow` on `*`, gains exactly that role: the candidates
/// were only the `Allow`'s `*`, on which neither side denied, so the diff said "access did not widen".
#[test]
fn removing_a_deny_on_a_named_resource_gains_it() {
    let before = sample_copy("deny-named-a");
    let after = sample_copy("deny-named-b");
    let target = format!("arn:aws:iam::{PROD}:role/BreakGlassAdmin");
    let policy = |with_deny: bool| {
        let mut statements =
            vec![json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})];
        if with_deny {
            statements
                .push(json!({"Effect": "Deny", "Action": "iam:PassRole", "Resource": target}));
        }
        json!({"PolicyName": "pass", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}})
    };
    for (dir, with_deny) in [(&before, true), (&after, false)] {
        edit_prod(dir, |v| {
            let r = entity(v, "RoleDetailList", "RoleName", "contractor-temp");
            r["RolePolicyList"]
                .as_array_mut()
                .unwrap()
                .push(policy(with_deny));
        });
    }
    let d = run_diff(&before, &after);
    let who = format!("arn:aws:iam::{PROD}:role/contractor-temp");
    assert!(
        rows(&d.access.gained).contains(&t(&who, "iam:PassRole", &target)),
        "{:?}",
        rows(&d.access.gained)
    );
    assert!(d.access.lost.is_empty(), "{:?}", rows(&d.access.lost));
    assert!(d.widened());
}

/// A grant whose resource holds a policy variable other than `${aws:username}` (a principal tag) is asked about
/// on the principal's own value, as the evaluator substitutes it; and a `Version` that turns variables on is a
/// change of meaning, not of form.
#[test]
fn variables_are_substituted_and_the_version_is_part_of_the_meaning() {
    let before = sample_copy("vars-a");
    let after = sample_copy("vars-b");
    edit_prod(&after, |v| {
        let u = entity(v, "UserDetailList", "UserName", "li.wei");
        u["UserPolicyList"].as_array_mut().unwrap().push(json!({
            "PolicyName": "team-folder",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::atlas-teams/${aws:PrincipalTag/team}/*"}]}
        }));
    });
    let d = run_diff(&before, &after);
    let who = format!("arn:aws:iam::{PROD}:user/li.wei");
    assert!(
        rows(&d.access.gained).contains(&t(
            &who,
            "s3:GetObject",
            "arn:aws:s3:::atlas-teams/analytics/*"
        )),
        "{:?}",
        rows(&d.access.gained)
    );
    // The same statement with no `Version` (variables are literal text) before, with it after.
    let literal = sample_copy("vars-c");
    edit_prod(&literal, |v| {
        let u = entity(v, "UserDetailList", "UserName", "li.wei");
        u["UserPolicyList"].as_array_mut().unwrap().push(json!({
            "PolicyName": "team-folder",
            "PolicyDocument": {"Statement": [{"Effect": "Allow",
                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::atlas-teams/${aws:PrincipalTag/team}/*"}]}
        }));
    });
    let d = run_diff(&literal, &after);
    assert!(
        rows(&d.access.gained).contains(&t(
            &who,
            "s3:GetObject",
            "arn:aws:s3:::atlas-teams/analytics/*"
        )),
        "{:?}",
        rows(&d.access.gained)
    );
    assert!(d.widened());
}

/// A tag is read by `aws:PrincipalTag` tests wherever they are written: a new tag under an unchanged policy is
/// gained access (the principal was skipped: none of its documents had changed).
#[test]
fn a_new_tag_under_an_unchanged_policy_is_gained_access() {
    let before = sample_copy("tag-a");
    let after = sample_copy("tag-b");
    for (dir, team) in [(&before, "analytics"), (&after, "admins")] {
        edit_prod(dir, |v| {
            let u = entity(v, "UserDetailList", "UserName", "li.wei");
            u["Tags"] = json!([{"Key": "team", "Value": team}]);
            u["UserPolicyList"].as_array_mut().unwrap().push(json!({
                "PolicyName": "admins-create-users",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Action": "iam:CreateUser", "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "admins"}}}]}
            }));
        });
    }
    let d = run_diff(&before, &after);
    let who = format!("arn:aws:iam::{PROD}:user/li.wei");
    assert!(
        rows(&d.access.gained).contains(&t(&who, "iam:CreateUser", "*")),
        "{:?}",
        rows(&d.access.gained)
    );
    assert!(d.widened());
}

/// The same through an SCP: its `Deny` on one role, removed, gains that role for everyone the SCP capped
/// (the candidates came from identity and resource policies only: the SCP's resource was never asked about).
#[test]
fn removing_an_scp_deny_on_a_named_resource_gains_it() {
    let before = sample_copy("scp-named-a");
    let after = sample_copy("scp-named-b");
    let target = format!("arn:aws:iam::{PROD}:role/BreakGlassAdmin");
    edit(&before.join("org/scp-ProtectProduction.json"), |v| {
        let mut content: Value =
            serde_json::from_str(v["Policy"]["Content"].as_str().unwrap()).unwrap();
        content["Statement"].as_array_mut().unwrap().push(json!({
            "Sid": "DenyPassBreakGlass", "Effect": "Deny", "Action": "iam:PassRole", "Resource": target
        }));
        v["Policy"]["Content"] = Value::String(content.to_string());
    });
    let d = run_diff(&before, &after);
    let gained: Vec<_> = rows(&d.access.gained)
        .into_iter()
        .filter(|(_, a, r)| a == "iam:PassRole" && *r == target)
        .collect();
    assert!(!gained.is_empty(), "{:?}", rows(&d.access.gained));
    assert!(d.widened());
}
