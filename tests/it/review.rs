//! The review: for every finding code, a case that raises it and one that must not (a guardrail, a condition, an
//! exemption); the draft least-privilege policy; the sample's deliberate findings; and `iam-atlas audit`.

use iam_atlas::account::{LoadOptions, Model, load_paths};
use iam_atlas::review::{Code, Evidence, Finding, Options, Review, Severity, Zone, review};
use iam_atlas::time::Timestamp;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const ACC: &str = "111111111111";
const NOW: &str = "2026-11-20T00:00:00Z";

fn now() -> Timestamp {
    Timestamp::parse(NOW).unwrap()
}

/// A date `days` before [`NOW`].
fn ago(days: i64) -> String {
    Timestamp(now().0 - days * 86_400).to_string()
}

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn user(name: &str, groups: &[&str], inline: &[(&str, Value)]) -> Value {
    json!({
        "Path": "/", "UserName": name, "UserId": format!("AIDA{name}"),
        "Arn": format!("arn:aws:iam::{ACC}:user/{name}"), "CreateDate": "2024-01-01T00:00:00Z",
        "GroupList": groups,
        "UserPolicyList": inline.iter().map(|(n, d)| json!({"PolicyName": n, "PolicyDocument": d})).collect::<Vec<_>>(),
        "AttachedManagedPolicies": [],
    })
}

fn role(name: &str, trust: Value, inline: &[(&str, Value)], last_used: Option<i64>) -> Value {
    json!({
        "Path": "/", "RoleName": name, "RoleId": format!("AROA{name}"),
        "Arn": format!("arn:aws:iam::{ACC}:role/{name}"), "CreateDate": "2023-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": trust,
        "RolePolicyList": inline.iter().map(|(n, d)| json!({"PolicyName": n, "PolicyDocument": d})).collect::<Vec<_>>(),
        "AttachedManagedPolicies": [], "InstanceProfileList": [],
        "RoleLastUsed": match last_used { Some(d) => json!({"LastUsedDate": ago(d), "Region": "eu-west-1"}), None => json!({}) },
    })
}

fn group(name: &str, inline: &[(&str, Value)]) -> Value {
    json!({
        "Path": "/", "GroupName": name, "GroupId": format!("AGPA{name}"),
        "Arn": format!("arn:aws:iam::{ACC}:group/{name}"), "CreateDate": "2024-01-01T00:00:00Z",
        "GroupPolicyList": inline.iter().map(|(n, d)| json!({"PolicyName": n, "PolicyDocument": d})).collect::<Vec<_>>(),
        "AttachedManagedPolicies": [],
    })
}

fn service_trust(service: &str) -> Value {
    doc(json!([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]))
}

const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

/// A credential-report row: (password used days ago or None for no password, mfa, keys as (active, rotated
/// days ago, used days ago)).
fn row(
    name: &str,
    password: Option<i64>,
    mfa: bool,
    keys: [Option<(bool, i64, i64)>; 2],
) -> String {
    let (user, arn, pw) = if name == "<root_account>" {
        (
            name.to_string(),
            format!("arn:aws:iam::{ACC}:root"),
            "not_supported".to_string(),
        )
    } else {
        (
            name.to_string(),
            format!("arn:aws:iam::{ACC}:user/{name}"),
            password.is_some().to_string(),
        )
    };
    let used = password.map_or("N/A".to_string(), ago);
    let mut f = vec![
        user,
        arn,
        ago(1000),
        pw,
        used,
        ago(30),
        "N/A".into(),
        mfa.to_string(),
    ];
    for k in keys {
        match k {
            Some((active, rot, u)) => f.extend([
                active.to_string(),
                ago(rot),
                ago(u),
                "eu-west-1".into(),
                "s3".into(),
            ]),
            None => f.extend([
                "false".into(),
                "N/A".into(),
                "N/A".into(),
                "N/A".into(),
                "N/A".into(),
            ]),
        }
    }
    f.extend(["false".into(), "N/A".into(), "false".into(), "N/A".into()]);
    f.join(",")
}

/// A workspace on disk.
#[derive(Default)]
struct Fx {
    users: Vec<Value>,
    groups: Vec<Value>,
    roles: Vec<Value>,
    rows: Vec<String>,
    password_policy: Option<Value>,
    resources: Vec<(String, Value)>,
    last_accessed: Vec<(String, Value)>,
    scps: Option<Vec<Value>>,
    policies: Vec<Value>,
    /// Other members of the organisation's `Workloads` unit (with `scps`), no export loaded.
    members: Vec<&'static str>,
    /// The account is not a member of the organisation (with `scps`).
    outside_org: bool,
}

impl Fx {
    fn write(&self, name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("iam-atlas-review-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let w = |p: &str, v: &str| std::fs::write(dir.join(p), v).unwrap();
        w(
            "export.json",
            &json!({"UserDetailList": self.users, "GroupDetailList": self.groups,
                    "RoleDetailList": self.roles, "Policies": self.policies})
            .to_string(),
        );
        let mut acct = json!({"id": ACC, "alias": "test", "authorization_details": "export.json"});
        if !self.rows.is_empty() {
            w(
                "report.csv",
                &format!("{HEADER}\n{}\n", self.rows.join("\n")),
            );
            acct["credential_report"] = json!("report.csv");
        }
        if let Some(p) = &self.password_policy {
            w("pp.json", &p.to_string());
            acct["password_policy"] = json!("pp.json");
        }
        let mut rps = Vec::new();
        for (i, (arn, d)) in self.resources.iter().enumerate() {
            w(&format!("rp{i}.json"), &d.to_string());
            rps.push(json!({"resource": arn, "file": format!("rp{i}.json")}));
        }
        acct["resource_policies"] = json!(rps);
        let mut las = Vec::new();
        for (i, (arn, d)) in self.last_accessed.iter().enumerate() {
            w(&format!("la{i}.json"), &d.to_string());
            las.push(json!({"principal": arn, "file": format!("la{i}.json")}));
        }
        acct["last_accessed"] = json!(las);
        let mut ws = json!({"format": "iam-atlas-workspace/1", "accounts": [acct]});
        if let Some(scps) = &self.scps {
            let mut names = vec!["full.json".to_string()];
            w(
                "full.json",
                &doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])).to_string(),
            );
            for (i, s) in scps.iter().enumerate() {
                w(&format!("scp{i}.json"), &s.to_string());
                names.push(format!("scp{i}.json"));
            }
            let own = if self.outside_org { vec![] } else { vec![ACC] };
            let unit = [own, self.members.clone()].concat();
            ws["organization"] = json!({"id": "o-test12345", "management_account": "999999999999",
                "root": {"id": "r-1", "name": "Root", "scps": ["full.json"], "accounts": ["999999999999"],
                         "children": [{"id": "ou-1", "name": "Workloads", "scps": names,
                                       "accounts": unit}]}});
            ws["accounts"][0]["scps"] = json!(["full.json"]);
        }
        w("workspace.json", &ws.to_string());
        dir.join("workspace.json")
    }

    fn model(&self, name: &str) -> Model {
        load_paths(&[self.write(name)], LoadOptions::default()).expect("load")
    }

    fn review(&self, name: &str) -> Review {
        run(&self.model(name))
    }
}

fn run(m: &Model) -> Review {
    review(
        m,
        &Options {
            now: Some(now()),
            ..Options::default()
        },
    )
}

fn of(r: &Review, code: Code) -> Vec<&Finding> {
    r.findings.iter().filter(|f| f.code == code).collect()
}

fn has(r: &Review, code: Code, entity_suffix: &str) -> bool {
    of(r, code)
        .iter()
        .any(|f| f.entity.ends_with(entity_suffix))
}

fn admin_doc() -> Value {
    doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]))
}

// ---- Root ----

#[test]
fn root_access_key_raised_and_not_when_inactive() {
    let mut fx = Fx::default();
    fx.rows.push(row(
        "<root_account>",
        None,
        true,
        [Some((true, 10, 10)), Some((false, 10, 10))],
    ));
    let r = fx.review("rootkey");
    let f = of(&r, Code::RootAccessKey);
    assert_eq!(f.len(), 1, "{:#?}", r.findings);
    assert_eq!(f[0].subject.as_deref(), Some("access_key_1"));
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(
        matches!(&f[0].evidence[0], Evidence::CredentialReport { fields, .. }
        if fields.iter().any(|(k, v)| k == "access_key_1_active" && v == "true"))
    );
}

#[test]
fn root_recently_used_and_not_when_long_ago() {
    let mut fx = Fx::default();
    fx.rows
        .push(row("<root_account>", Some(10), true, [None, None]));
    let r = fx.review("rootrecent");
    assert!(
        has(&r, Code::RootRecentlyUsed, ":root"),
        "{:#?}",
        r.findings
    );
    let mut fx = Fx::default();
    fx.rows
        .push(row("<root_account>", Some(400), true, [None, None]));
    assert!(of(&fx.review("rootold"), Code::RootRecentlyUsed).is_empty());
}

#[test]
fn root_without_mfa_and_not_with_it() {
    let mut fx = Fx::default();
    fx.rows
        .push(row("<root_account>", None, false, [None, None]));
    assert!(has(&fx.review("rootnomfa"), Code::RootNoMfa, ":root"));
    let mut fx = Fx::default();
    fx.rows
        .push(row("<root_account>", None, true, [None, None]));
    assert!(of(&fx.review("rootmfa"), Code::RootNoMfa).is_empty());
}

// ---- Credentials ----

#[test]
fn console_user_without_mfa_and_not_without_a_password() {
    let mut fx = Fx::default();
    fx.users.push(user("ann", &[], &[]));
    fx.users.push(user("bot", &[], &[]));
    fx.rows.push(row("ann", Some(1), false, [None, None]));
    fx.rows
        .push(row("bot", None, false, [Some((true, 10, 1)), None]));
    let r = fx.review("consolemfa");
    assert!(has(&r, Code::ConsoleUserNoMfa, "user/ann"));
    // Exemption: no console password, so MFA for the console does not apply.
    assert!(!has(&r, Code::ConsoleUserNoMfa, "user/bot"));
}

#[test]
fn old_key_raised_and_not_when_rotated() {
    let mut fx = Fx::default();
    fx.users.push(user("a", &[], &[]));
    fx.users.push(user("b", &[], &[]));
    fx.rows
        .push(row("a", None, false, [Some((true, 200, 1)), None]));
    fx.rows
        .push(row("b", None, false, [Some((true, 30, 1)), None]));
    let r = fx.review("keyage");
    assert!(has(&r, Code::AccessKeyNotRotated, "user/a"));
    assert!(!has(&r, Code::AccessKeyNotRotated, "user/b"));
}

#[test]
fn unused_key_raised_and_not_when_inactive() {
    let mut fx = Fx::default();
    fx.users.push(user("a", &[], &[]));
    fx.users.push(user("b", &[], &[]));
    fx.rows
        .push(row("a", None, false, [Some((true, 60, 100)), None]));
    // Exemption: the old key is already deactivated.
    fx.rows
        .push(row("b", None, false, [Some((false, 60, 100)), None]));
    let r = fx.review("keyunused");
    assert!(has(&r, Code::AccessKeyUnused, "user/a"));
    assert!(!has(&r, Code::AccessKeyUnused, "user/b"));
}

#[test]
fn two_active_keys_and_not_one() {
    let mut fx = Fx::default();
    fx.users.push(user("a", &[], &[]));
    fx.users.push(user("b", &[], &[]));
    fx.rows.push(row(
        "a",
        None,
        false,
        [Some((true, 10, 1)), Some((true, 5, 1))],
    ));
    fx.rows.push(row(
        "b",
        None,
        false,
        [Some((true, 10, 1)), Some((false, 5, 1))],
    ));
    let r = fx.review("twokeys");
    assert!(has(&r, Code::TwoActiveKeys, "user/a"));
    assert!(!has(&r, Code::TwoActiveKeys, "user/b"));
}

#[test]
fn unused_password_and_not_a_recent_one() {
    let mut fx = Fx::default();
    fx.users.push(user("a", &[], &[]));
    fx.users.push(user("b", &[], &[]));
    fx.rows.push(row("a", Some(100), true, [None, None]));
    fx.rows.push(row("b", Some(5), true, [None, None]));
    let r = fx.review("pwunused");
    assert!(has(&r, Code::PasswordUnused, "user/a"));
    assert!(!has(&r, Code::PasswordUnused, "user/b"));
}

#[test]
fn weak_password_policy_and_not_a_cis_one() {
    let fx = Fx {
        password_policy: Some(json!({"PasswordPolicy": {"MinimumPasswordLength": 8}})),
        ..Fx::default()
    };
    let r = fx.review("ppweak");
    let f = of(&r, Code::PasswordPolicyWeak);
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].evidence.len(),
        2,
        "length and reuse: {:#?}",
        f[0].evidence
    );
    let fx = Fx {
        password_policy: Some(
            json!({"PasswordPolicy": {"MinimumPasswordLength": 14, "PasswordReusePrevention": 24}}),
        ),
        ..Fx::default()
    };
    assert!(of(&fx.review("ppok"), Code::PasswordPolicyWeak).is_empty());
}

// ---- Permissions ----

#[test]
fn direct_user_policy_and_not_through_a_group() {
    let mut fx = Fx::default();
    let read = doc(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]));
    fx.users.push(user("a", &[], &[("own", read.clone())]));
    fx.users.push(user("b", &["readers"], &[]));
    fx.groups.push(group("readers", &[("read", read)]));
    let r = fx.review("direct");
    let f = of(&r, Code::UserDirectPolicy);
    assert_eq!(f.len(), 1);
    assert!(f[0].entity.ends_with("user/a"));
    assert!(
        matches!(&f[0].evidence[0], Evidence::Statement { location, .. } if location.contains("export.json:"))
    );
}

#[test]
fn full_admin_raised_and_removed_by_a_boundary_or_an_scp() {
    let mut fx = Fx::default();
    fx.users.push(user("admin", &["admins"], &[]));
    fx.groups.push(group("admins", &[("all", admin_doc())]));
    let r = fx.review("admin");
    let f = of(&r, Code::FullAdmin);
    assert_eq!(f.len(), 1, "{:#?}", r.findings);
    assert!(
        matches!(&f[0].evidence[0], Evidence::Decision { decision, .. } if decision == "Allow")
    );
    // Guardrail: an SCP that denies IAM writes caps the admin.
    fx.scps = Some(vec![doc(
        json!([{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]),
    )]);
    let r = fx.review("admin-scp");
    assert!(
        of(&r, Code::FullAdmin).is_empty(),
        "{:#?}",
        of(&r, Code::FullAdmin)
    );
    // Guardrail: a permissions boundary that allows only S3.
    let mut fx = Fx::default();
    let mut u = user("bounded", &["admins"], &[]);
    let arn = format!("arn:aws:iam::{ACC}:policy/S3Only");
    u["PermissionsBoundary"] =
        json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn});
    fx.users.push(u);
    fx.groups.push(group("admins", &[("all", admin_doc())]));
    fx.policies.push(json!({"PolicyName": "S3Only", "PolicyId": "ANPAS3ONLY", "Arn": arn, "Path": "/",
        "DefaultVersionId": "v1", "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 1, "IsAttachable": true,
        "CreateDate": "2024-01-01T00:00:00Z", "UpdateDate": "2024-01-01T00:00:00Z",
        "PolicyVersionList": [{"Document": doc(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])),
            "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": "2024-01-01T00:00:00Z"}]}));
    let r = fx.review("admin-boundary");
    assert!(
        of(&r, Code::FullAdmin).is_empty(),
        "{:#?}",
        of(&r, Code::FullAdmin)
    );
    // A condition on the allow that the caller can meet does not remove it: it is listed.
    let mut fx = Fx::default();
    let mfa_only = doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]));
    fx.users.push(user("mfa", &[], &[("all", mfa_only)]));
    let r = fx.review("admin-mfa");
    let f = of(&r, Code::FullAdmin);
    assert_eq!(f.len(), 1);
    assert!(
        f[0].title.contains("aws:MultiFactorAuthPresent"),
        "{}",
        f[0].title
    );
    // NotAction that excludes IAM is not full admin.
    let mut fx = Fx::default();
    fx.users.push(user(
        "power",
        &[],
        &[(
            "p",
            doc(json!([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}])),
        )],
    ));
    assert!(of(&fx.review("poweruser"), Code::FullAdmin).is_empty());
}

#[test]
fn iam_admin_raised_and_not_under_a_deny() {
    let mut fx = Fx::default();
    let own = doc(
        json!([{"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": format!("arn:aws:iam::{ACC}:role/selfish")}]),
    );
    fx.roles.push(role(
        "selfish",
        service_trust("lambda.amazonaws.com"),
        &[("p", own.clone())],
        Some(1),
    ));
    let mut guarded = own.clone();
    guarded["Statement"]
        .as_array_mut()
        .unwrap()
        .push(json!({"Effect": "Deny", "Action": "iam:*", "Resource": "*"}));
    fx.roles.push(role(
        "guarded",
        service_trust("lambda.amazonaws.com"),
        &[("p", guarded)],
        Some(1),
    ));
    let r = fx.review("iamadmin");
    assert!(has(&r, Code::IamAdmin, "role/selfish"), "{:#?}", r.findings);
    assert!(!has(&r, Code::IamAdmin, "role/guarded"));
}

#[test]
fn shared_inline_policy_on_three_and_not_two() {
    let d = doc(json!([{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]));
    let mut fx = Fx::default();
    for n in ["a", "b", "c"] {
        fx.roles.push(role(
            n,
            service_trust("lambda.amazonaws.com"),
            &[("send", d.clone())],
            Some(1),
        ));
    }
    let r = fx.review("shared3");
    let f = of(&r, Code::SharedInlinePolicy);
    assert_eq!(f.len(), 1);
    assert!(
        matches!(&f[0].evidence[0], Evidence::Note { text } if text.contains("role a") && text.contains("role c"))
    );
    fx.roles.pop();
    assert!(of(&fx.review("shared2"), Code::SharedInlinePolicy).is_empty());
}

// ---- External access ----

#[test]
fn public_trust_and_not_when_limited_to_the_organisation() {
    let mut fx = Fx::default();
    fx.roles.push(role(
        "open",
        doc(json!([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}])),
        &[],
        Some(1),
    ));
    fx.roles.push(role(
        "org",
        doc(
            json!([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-test12345"}}}]),
        ),
        &[],
        Some(1),
    ));
    fx.scps = Some(vec![]);
    let m = fx.model("public");
    let r = review(
        &m,
        &Options {
            now: Some(now()),
            zone: Zone::Organization,
            ..Options::default()
        },
    );
    assert!(
        has(&r, Code::PublicAccess, "role/open"),
        "{:#?}",
        r.findings
    );
    assert!(!has(&r, Code::PublicAccess, "role/org"));
    assert!(!has(&r, Code::PublicAccessConditional, "role/org"));
    assert!(!has(&r, Code::ExternalAccount, "role/org"));
}

#[test]
fn public_bucket_conditional_and_not_under_an_explicit_deny() {
    let mut fx = Fx::default();
    let ip = doc(
        json!([{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::ipb/*",
        "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]),
    );
    fx.resources.push(("arn:aws:s3:::ipb".into(), ip));
    let denied = doc(json!([
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::den/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::den/*",
         "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ACC}}}]));
    fx.resources.push(("arn:aws:s3:::den".into(), denied));
    let r = fx.review("publicbucket");
    let f = of(&r, Code::PublicAccessConditional);
    assert_eq!(f.len(), 1, "{:#?}", r.findings);
    assert!(f[0].title.contains("aws:SourceIp"), "{}", f[0].title);
    assert!(f[0].title.contains("s3:GetObject"), "{}", f[0].title);
    assert!(!has(&r, Code::PublicAccess, "den"), "{:#?}", r.findings);
    assert!(
        !has(&r, Code::PublicAccessConditional, "den"),
        "{:#?}",
        r.findings
    );
}

#[test]
fn external_account_raised_and_not_for_the_own_account() {
    let mut fx = Fx::default();
    fx.roles.push(role(
        "partner",
        doc(
            json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
        "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "x1"}}}]),
        ),
        &[],
        Some(1),
    ));
    fx.roles.push(role(
        "internal",
        doc(
            json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACC}:root")},
        "Action": "sts:AssumeRole"}]),
        ),
        &[],
        Some(1),
    ));
    let r = fx.review("external");
    let f = of(&r, Code::ExternalAccount);
    assert_eq!(f.len(), 1, "{:#?}", r.findings);
    assert!(f[0].entity.ends_with("role/partner"));
    assert!(f[0].title.contains("sts:ExternalId"));
}

fn oidc(conditions: Value) -> Value {
    doc(json!([{"Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::{ACC}:oidc-provider/token.actions.githubusercontent.com")},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": conditions}]))
}

fn saml(conditions: Value) -> Value {
    let mut s = json!({"Effect": "Allow", "Principal": {"Federated": format!("arn:aws:iam::{ACC}:saml-provider/Okta")},
        "Action": "sts:AssumeRoleWithSAML"});
    if !conditions.is_null() {
        s["Condition"] = conditions;
    }
    doc(json!([s]))
}

#[test]
fn oidc_without_subject_is_critical_and_with_it_is_federated_access() {
    let mut fx = Fx::default();
    fx.roles.push(role("gh-any", oidc(json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}})), &[], Some(1)));
    fx.roles.push(role(
        "gh-repo",
        oidc(
            json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}),
        ),
        &[],
        Some(1),
    ));
    let r = fx.review("oidc");
    assert!(
        has(&r, Code::OidcNoSubject, "role/gh-any"),
        "{:#?}",
        r.findings
    );
    assert!(!has(&r, Code::OidcNoSubject, "role/gh-repo"));
    assert!(has(&r, Code::FederatedAccess, "role/gh-repo"));
    assert!(!has(&r, Code::FederatedAccess, "role/gh-any"));
}

#[test]
fn saml_without_audience_and_not_with_it() {
    let mut fx = Fx::default();
    fx.roles
        .push(role("sso-loose", saml(Value::Null), &[], Some(1)));
    fx.roles.push(role(
        "sso",
        saml(json!({"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})),
        &[],
        Some(1),
    ));
    let r = fx.review("saml");
    assert!(has(&r, Code::SamlNoAudience, "role/sso-loose"));
    assert!(!has(&r, Code::SamlNoAudience, "role/sso"));
}

#[test]
fn confused_deputy_and_not_with_a_source_condition() {
    let mut fx = Fx::default();
    let topic = |name: &str, cond: Value| {
        let mut s = json!({"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sns:Publish",
            "Resource": format!("arn:aws:sns:eu-west-1:{ACC}:{name}")});
        if !cond.is_null() {
            s["Condition"] = cond;
        }
        (
            format!("arn:aws:sns:eu-west-1:{ACC}:{name}"),
            doc(json!([s])),
        )
    };
    fx.resources.push(topic("loose", Value::Null));
    fx.resources.push(topic(
        "tight",
        json!({"StringEquals": {"aws:SourceAccount": ACC}}),
    ));
    let r = fx.review("deputy");
    assert!(has(&r, Code::ConfusedDeputy, ":loose"), "{:#?}", r.findings);
    assert!(!has(&r, Code::ConfusedDeputy, ":tight"));
}

// ---- Unused access ----

fn last_accessed(services: Value) -> Value {
    json!({"JobStatus": "COMPLETED", "JobType": "ACTION_LEVEL", "JobCompletionDate": NOW,
           "ServicesLastAccessed": services, "IsTruncated": false})
}

#[test]
fn unused_service_with_a_draft_never_wider_than_the_policy() {
    let mut fx = Fx::default();
    let app = doc(json!([
        {"Sid": "Data", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::app-data/*"},
        {"Sid": "Queue", "Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
        {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]));
    fx.roles.push(role(
        "app",
        service_trust("lambda.amazonaws.com"),
        &[("app", app.clone())],
        Some(1),
    ));
    fx.roles.push(role(
        "busy",
        service_trust("lambda.amazonaws.com"),
        &[("app", app)],
        Some(1),
    ));
    let arn = |n: &str| format!("arn:aws:iam::{ACC}:role/{n}");
    fx.last_accessed.push((arn("app"), last_accessed(json!([
        {"ServiceName": "Amazon S3", "ServiceNamespace": "s3", "LastAuthenticated": ago(2),
         "TrackedActionsLastAccessed": [{"ActionName": "GetObject", "LastAccessedTime": ago(2)}, {"ActionName": "PutObject"}]},
        {"ServiceName": "Amazon SQS", "ServiceNamespace": "sqs"}]))));
    fx.last_accessed.push((
        arn("busy"),
        last_accessed(json!([
        {"ServiceName": "Amazon S3", "ServiceNamespace": "s3", "LastAuthenticated": ago(2)},
        {"ServiceName": "Amazon SQS", "ServiceNamespace": "sqs", "LastAuthenticated": ago(3)}])),
    ));
    let r = fx.review("unusedsvc");
    assert!(
        !has(&r, Code::UnusedService, "role/busy"),
        "{:#?}",
        of(&r, Code::UnusedService)
    );
    let f = of(&r, Code::UnusedService);
    assert_eq!(f.len(), 1);
    let draft = f[0]
        .evidence
        .iter()
        .find_map(|e| match e {
            Evidence::DraftPolicy { policy, removes } => Some((policy.clone(), removes.clone())),
            _ => None,
        })
        .expect("draft");
    assert!(
        draft.1.contains(&"sqs".to_string()) && draft.1.contains(&"s3:PutObject".to_string()),
        "{:?}",
        draft.1
    );
    let st = draft.0["Statement"].as_array().unwrap();
    // The used action keeps its statement's resource; the unused service is gone; the deny stays.
    assert_eq!(st.len(), 2, "{st:#?}");
    assert_eq!(st[0]["Action"], json!(["s3:GetObject"]));
    assert_eq!(st[0]["Resource"], json!("arn:aws:s3:::app-data/*"));
    assert_eq!(st[1]["Effect"], json!("Deny"));
}

#[test]
fn unused_role_and_not_a_recent_or_service_linked_one() {
    let mut fx = Fx::default();
    fx.roles.push(role(
        "idle",
        service_trust("ec2.amazonaws.com"),
        &[],
        Some(200),
    ));
    fx.roles
        .push(role("never", service_trust("ec2.amazonaws.com"), &[], None));
    fx.roles.push(role(
        "busy",
        service_trust("ec2.amazonaws.com"),
        &[],
        Some(10),
    ));
    let mut slr = role(
        "AWSServiceRoleForX",
        service_trust("x.amazonaws.com"),
        &[],
        Some(500),
    );
    slr["Path"] = json!("/aws-service-role/x.amazonaws.com/");
    slr["Arn"] = json!(format!(
        "arn:aws:iam::{ACC}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX"
    ));
    fx.roles.push(slr);
    let r = fx.review("roleunused");
    assert!(has(&r, Code::RoleUnused, "role/idle"));
    assert!(has(&r, Code::RoleUnused, "role/never"));
    assert!(!has(&r, Code::RoleUnused, "role/busy"));
    assert!(!has(&r, Code::RoleUnused, "AWSServiceRoleForX"));
}

#[test]
fn not_reviewed_says_what_is_missing_and_not_when_present() {
    let fx = Fx::default();
    let r = fx.review("bare");
    let subjects: Vec<_> = of(&r, Code::NotReviewed)
        .iter()
        .filter_map(|f| f.subject.clone())
        .collect();
    assert!(
        subjects.contains(&"credential_report".into())
            && subjects.contains(&"password_policy".into()),
        "{subjects:?}"
    );
    let mut fx = Fx::default();
    fx.rows
        .push(row("<root_account>", None, true, [None, None]));
    fx.password_policy = Some(
        json!({"PasswordPolicy": {"MinimumPasswordLength": 14, "PasswordReusePrevention": 24}}),
    );
    let r = fx.review("full");
    assert!(
        !of(&r, Code::NotReviewed)
            .iter()
            .any(|f| f.subject.as_deref() == Some("credential_report"))
    );
    assert!(
        !of(&r, Code::NotReviewed)
            .iter()
            .any(|f| f.subject.as_deref() == Some("password_policy"))
    );
}

#[test]
fn a_policy_missing_from_the_snapshot_is_reported_as_not_reviewed() {
    let mut fx = Fx::default();
    let mut u = user("ann", &[], &[]);
    u["AttachedManagedPolicies"] =
        json!([{"PolicyName": "Gone", "PolicyArn": format!("arn:aws:iam::{ACC}:policy/Gone")}]);
    fx.users.push(u);
    let r = fx.review("dangling");
    let f = of(&r, Code::NotReviewed);
    assert!(
        f.iter()
            .any(|f| f.subject.as_deref() == Some("load_warnings")
                && f.entity.ends_with("export.json")),
        "{f:#?}"
    );
}

// ---- The sample and the command line ----

#[test]
fn the_sample_has_a_finding_of_every_code() {
    let m = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample");
    let r = run(&m);
    for c in Code::ALL {
        assert!(
            !of(&r, *c).is_empty(),
            "the sample raises no {}; TEACHING.md promises one of every kind",
            c.as_str()
        );
    }
}

#[test]
fn every_decision_in_the_sample_reproduces_with_its_context() {
    use iam_atlas::eval::{Context, Overrides, Principal, Request, evaluate};
    let m = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample");
    let r = run(&m);
    let mut checked = 0;
    for f in &r.findings {
        for e in &f.evidence {
            let Evidence::Decision {
                principal,
                action,
                resource,
                decision,
                context,
                ..
            } = e
            else {
                continue;
            };
            let mut ctx = Context::new();
            for (k, v) in context {
                ctx.set(k, v.clone());
            }
            let req = Request {
                principal: Principal::resolve(principal, &m).expect("principal"),
                action: action.clone(),
                resource: resource.clone(),
                resource_account: None,
                context: ctx,
            };
            let ov = Overrides {
                now: Some(now()),
                ..Overrides::default()
            };
            let got = evaluate(&m, &req, &ov);
            assert_eq!(
                &format!("{:?}", got.decision),
                decision,
                "{} {}: {context:?}",
                f.code.as_str(),
                f.entity
            );
            checked += 1;
        }
    }
    assert!(checked >= 15, "{checked}");
}

fn cli(args: &[&str]) -> (i32, String, String) {
    use clap::Parser;
    let mut argv = vec!["iam-atlas"];
    argv.extend_from_slice(args);
    let c = iam_atlas::cli::Cli::try_parse_from(argv).expect("parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = iam_atlas::cli::run(c.command.expect("command"), &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn audit_json_exit_codes_and_baseline() {
    let (code, out, _) = cli(&["audit", "--sample", "--format", "json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for k in [
        "code",
        "severity",
        "category",
        "title",
        "entity",
        "evidence",
        "remediation",
    ] {
        assert!(findings[0].get(k).is_some(), "missing {k}");
    }
    assert_eq!(
        v["counts"]["total"].as_u64().unwrap() as usize,
        findings.len()
    );
    // Acknowledge every critical and high finding: nothing at or above high remains.
    let acks: Vec<Value> = findings
        .iter()
        .filter(|f| f["severity"] == "critical" || f["severity"] == "high")
        .map(|f| json!({"code": f["code"], "entity": f["entity"], "subject": f["subject"].as_str(), "reason": "accepted in test"}))
        .collect();
    let acks: Vec<Value> = acks
        .into_iter()
        .map(|mut a| {
            if a["subject"].is_null() {
                a.as_object_mut().unwrap().remove("subject");
            }
            a
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("iam-atlas-review-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let b = dir.join("baseline.json");
    std::fs::write(
        &b,
        json!({"format": "iam-atlas-baseline/1", "acknowledged": acks}).to_string(),
    )
    .unwrap();
    let (code, out, err) = cli(&[
        "audit",
        "--sample",
        "--format",
        "json",
        "--baseline",
        b.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["counts"]["critical"], 0);
    assert_eq!(v["counts"]["high"], 0);
    assert!(v["counts"]["acknowledged"].as_u64().unwrap() > 0);
    // A threshold below what remains fails again.
    let (code, _, _) = cli(&[
        "audit",
        "--sample",
        "--baseline",
        b.to_str().unwrap(),
        "--min-severity",
        "medium",
    ]);
    assert_eq!(code, 1);
    // A bad baseline names its place.
    std::fs::write(
        &b,
        "{\"format\": \"iam-atlas-baseline/1\", \"acknowledged\": [{\"code\": \"X\"}]}",
    )
    .unwrap();
    let (code, _, err) = cli(&["audit", "--sample", "--baseline", b.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("baseline.json"), "{err}");
}

#[test]
fn audit_html_is_self_contained_and_sarif_points_at_statements() {
    let (_, html, _) = cli(&["audit", "--sample", "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("<svg")
            && html.contains("Findings by category")
            && html.contains("Findings by account")
    );
    for bad in ["<script src", "<link", "url(http", "<img"] {
        assert!(!html.contains(bad), "HTML must not load `{bad}`");
    }
    let (_, sarif, _) = cli(&["audit", "--sample", "--format", "sarif"]);
    let v: Value = serde_json::from_str(&sarif).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .is_some()
    }));
    let (_, md, _) = cli(&["audit", "--sample", "--format", "markdown"]);
    assert!(md.starts_with("# IAM review"));
}

#[test]
fn review_is_bounded_and_panic_free_on_the_fixture_exports() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/exports");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut checked = 0;
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) != Some("json") {
            continue;
        }
        if let Ok(m) = load_paths(std::slice::from_ref(&p), LoadOptions::default()) {
            let r = run(&m);
            assert!(r.findings.len() < 1_000_000, "{}", p.display());
            checked += 1;
        }
    }
    assert!(checked >= 3, "{checked}");
}

/// What loading skipped is in every output of the review, with its line and column: a finding about a skipped
/// role cannot be made, so the reviewer must see that it was skipped.
#[test]
fn audit_outputs_carry_the_load_warnings_with_their_place() {
    let dir = std::env::temp_dir().join(format!("iam-atlas-audit-lw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("export.json");
    let text = r#"{"UserDetailList": [], "GroupDetailList": [], "Policies": [],
"RoleDetailList": [{"RoleName": 5, "RoleId": "AROA1", "Arn": "arn:aws:iam::111122223333:role/r"}]}"#;
    std::fs::write(&file, text).expect("write");
    let path = file.to_str().expect("utf-8");
    let (_, out, _) = cli(&["audit", path]);
    assert!(
        out.contains("3 load warning(s), 1 of them input skipped: the snapshot is incomplete"),
        "{out}"
    );
    // Skipped input first; the value's line and column (1-based, in characters).
    let skipped = out.find("[skipped]").expect("skipped listed");
    assert!(
        out[skipped..].starts_with(&format!(
            "[skipped] {path}:2:20: $.RoleDetailList[0]: role without `RoleName`"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("[note] {path}:2:33: $.RoleDetailList[0].RoleName")),
        "{out}"
    );
    let (_, out, _) = cli(&["audit", path, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let w = &v["load_warnings"];
    assert_eq!(w.as_array().map(Vec::len), Some(3), "{w}");
    assert_eq!(w[0]["kind"], "note");
    assert_eq!(w[0]["location"], "$.RoleDetailList[0].RoleName");
    assert_eq!(
        (w[0]["line"].as_u64(), w[0]["column"].as_u64()),
        (Some(2), Some(33))
    );
    assert_eq!(w[0]["code"], "LOAD_NOTE");
    assert_eq!(w[1]["kind"], "skipped");
    assert_eq!(w[1]["code"], "LOAD_SKIPPED");
    // The note about the account has no place in the text.
    assert!(w[2].get("line").is_none(), "{w}");
    let (_, out, _) = cli(&["audit", path, "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("sarif");
    let n = &v["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(n.as_array().map(Vec::len), Some(3), "{n}");
    assert_eq!(n[1]["level"], "warning");
    assert_eq!(n[1]["descriptor"]["id"], "LOAD_SKIPPED");
    assert_eq!(
        n[0]["locations"][0]["physicalLocation"]["region"]["startColumn"],
        33
    );
    // `validate --snapshot` reports them as diagnostics of the export, with their registered codes and places,
    // beside the policies' own findings; only the two with a place in the text (the account note has none).
    let (_, out, _) = cli(&["validate", "--snapshot", path]);
    assert!(
        out.contains(&format!(
            "{path}:2:20: warning[LOAD_SKIPPED]: role without `RoleName`"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("{path}:2:33: suggestion[LOAD_NOTE]:")),
        "{out}"
    );
    assert!(out.contains("= in what the loader met (export)"), "{out}");
    let (_, out, _) = cli(&["validate", "--snapshot", path, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let loads: Vec<&serde_json::Value> = v["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .filter(|d| d["type"] == "export")
        .flat_map(|d| d["diagnostics"].as_array().expect("diagnostics"))
        .collect();
    let codes: Vec<&str> = loads.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes, ["LOAD_SKIPPED", "LOAD_NOTE"], "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A resource policy open to `*` lets in a caller who does not sign at all: the access proof asks about one
/// (a bucket readable only by unsigned callers, `Null aws:PrincipalArn true`, was "not reachable": the signed
/// caller from outside has an ARN), and the review reports it.
#[test]
fn an_unsigned_caller_is_asked_about_for_a_resource_policy() {
    use iam_atlas::eval::proof::{Reach, Zone as ProofZone, external_access};
    let mut fx = Fx::default();
    fx.resources.push((
        "arn:aws:s3:::anon".into(),
        doc(
            json!([{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::anon", "Condition": {"Null": {"aws:PrincipalArn": "true"}}}]),
        ),
    ));
    let m = fx.model("anon");
    let p = external_access(&m, "arn:aws:s3:::anon", ProofZone::Account);
    assert_eq!(p.reach, Reach::Reachable, "{:?}", p.why);
    assert!(
        p.witnesses.iter().any(|w| w.principal == "anonymous"),
        "{:?}",
        p.witnesses
    );
    let r = run(&m);
    assert!(
        has(&r, Code::PublicAccess, "anon") || has(&r, Code::PublicAccessConditional, "anon"),
        "{:#?}",
        r.findings
    );
}

/// A resource policy open to `*` if the caller is a service acting for another account's resource (an SNS topic's
/// `aws:SourceArn`): an AWS service is an external principal too, so it is a finding, conditioned on the source;
/// one naming only the account's own resources is not. So too for a policy naming the service, and for a service a
/// `Deny`'s `NotPrincipal` exempts.
#[test]
fn a_service_acting_for_another_accounts_resource_is_external() {
    use iam_atlas::eval::proof::{Reach, Zone as ProofZone, external_access};
    let mut fx = Fx::default();
    let queue = |name: &str, principal: Value, source: &str| {
        let arn = format!("arn:aws:sqs:eu-west-1:{ACC}:{name}");
        let d = doc(
            json!([{"Effect": "Allow", "Principal": principal, "Action": "sqs:SendMessage",
            "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": source}}}]),
        );
        (arn, d)
    };
    let theirs = "arn:aws:sns:eu-west-1:444455556666:alerts";
    let ours = format!("arn:aws:sns:eu-west-1:{ACC}:alerts");
    fx.resources.push(queue("from-theirs", json!("*"), theirs));
    fx.resources.push(queue("from-ours", json!("*"), &ours));
    let sns = json!({"Service": "sns.amazonaws.com"});
    fx.resources.push(queue("sns-theirs", sns.clone(), theirs));
    fx.resources.push(queue("sns-ours", sns, &ours));
    // Open to `*`, denied to all but SNS: SNS acting for any other account's topic gets in.
    let exempt = format!("arn:aws:sqs:eu-west-1:{ACC}:exempt-sns");
    fx.resources.push((
        exempt.clone(),
        doc(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": exempt},
            {"Effect": "Deny", "NotPrincipal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:*",
             "Resource": exempt}])),
    ));
    let m = fx.model("service-source");
    let r = run(&m);
    let f = r
        .findings
        .iter()
        .find(|f| f.entity.ends_with(":from-theirs"))
        .unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert_eq!(f.code, Code::PublicAccessConditional, "{}", f.title);
    assert!(
        f.title
            .contains("through an AWS service acting for another account's resource")
            && f.title
                .contains(&format!("when ArnEquals aws:SourceArn {theirs}")),
        "{}",
        f.title
    );
    assert!(
        has(&r, Code::ExternalAccount, ":sns-theirs"),
        "{:#?}",
        r.findings
    );
    // (SNS acting for any resource, as no condition names one: a confused deputy.)
    assert!(
        has(&r, Code::ConfusedDeputy, ":exempt-sns"),
        "{:#?}",
        r.findings
    );
    assert!(
        !r.findings.iter().any(|f| f.entity.ends_with("-ours")
            && f.category == iam_atlas::review::Category::ExternalAccess),
        "{:#?}",
        r.findings
    );
    // Access proofs: the first is reached by a service with the other account's topic as its source (a named
    // service and an exempted one too); the one limited to the account's own topic is not.
    for name in ["from-theirs", "sns-theirs", "exempt-sns"] {
        let p = external_access(
            &m,
            &format!("arn:aws:sqs:eu-west-1:{ACC}:{name}"),
            ProofZone::Account,
        );
        assert_eq!(p.reach, Reach::Reachable, "{name} {:?}", p.why);
        assert!(
            p.witnesses
                .iter()
                .any(|w| w.principal.ends_with(".amazonaws.com")),
            "{name} {:?}",
            p.witnesses
        );
    }
    let p = external_access(
        &m,
        &format!("arn:aws:sqs:eu-west-1:{ACC}:from-theirs"),
        ProofZone::Account,
    );
    assert!(
        p.witnesses.iter().any(|w| w
            .context
            .iter()
            .any(|(k, v)| k == "aws:SourceArn" && v == &[theirs.to_string()])),
        "{:?}",
        p.witnesses
    );
    let p = external_access(
        &m,
        &format!("arn:aws:sqs:eu-west-1:{ACC}:from-ours"),
        ProofZone::Account,
    );
    assert_eq!(p.reach, Reach::NotReachable, "{:?}", p.why);
}

/// A `Deny` with `NotPrincipal` exempts the principals it lists: one outside the zone is let in by an `Allow` to
/// `*` (the caller from outside stands for the others, which the `Deny` keeps out), and a `NotPrincipal` listing
/// the account that stands for the caller from outside does not exempt every caller from outside.
#[test]
fn a_principal_a_not_principal_exempts_is_asked_about() {
    use iam_atlas::eval::proof::{Reach, Zone as ProofZone, external_access};
    let mut fx = Fx::default();
    let bucket = |name: &str, exempt: Value| {
        (
            format!("arn:aws:s3:::{name}"),
            doc(json!([
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                 "Resource": format!("arn:aws:s3:::{name}/*")},
                {"Effect": "Deny", "NotPrincipal": {"AWS": exempt}, "Action": "s3:*",
                 "Resource": format!("arn:aws:s3:::{name}/*")}])),
        )
    };
    // The account's own roles first (inside the zone: they count for nothing), then the partner's account.
    let mut listed: Vec<String> = (0..70)
        .map(|n| format!("arn:aws:iam::{ACC}:role/r{n}"))
        .collect();
    listed.extend([
        "444455556666".into(),
        "arn:aws:iam::444455556666:root".into(),
    ]);
    fx.resources.push(bucket("partner", json!(listed)));
    fx.resources.push(bucket("own", json!([ACC])));
    // The account the caller from outside is made up as when nothing else is loaded.
    fx.resources
        .push(bucket("made-up", json!(["999999999999"])));
    let m = fx.model("not-principal");
    let r = run(&m);
    let partner = r
        .findings
        .iter()
        .find(|f| f.entity.ends_with(":partner"))
        .unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert_eq!(partner.code, Code::ExternalAccount, "{}", partner.title);
    assert_eq!(
        partner.subject.as_deref(),
        Some("account 444455556666"),
        "{}",
        partner.title
    );
    assert!(partner.title.contains("s3:GetObject"), "{}", partner.title);
    let made_up = r
        .findings
        .iter()
        .find(|f| f.entity.ends_with(":made-up"))
        .unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert_eq!(
        made_up.subject.as_deref(),
        Some("account 999999999999"),
        "{}",
        made_up.title
    );
    assert!(
        !has(&r, Code::PublicAccess, ":made-up"),
        "{:#?}",
        r.findings
    );
    assert!(
        !r.findings.iter().any(|f| f.entity.ends_with(":own")
            && f.category == iam_atlas::review::Category::ExternalAccess),
        "{:#?}",
        r.findings
    );
    let p = external_access(&m, "arn:aws:s3:::partner", ProofZone::Account);
    assert_eq!(p.reach, Reach::Reachable, "{:?}", p.why);
    assert!(
        p.witnesses
            .iter()
            .all(|w| w.principal == "arn:aws:iam::444455556666:root"),
        "{:?}",
        p.witnesses
    );
    let p = external_access(&m, "arn:aws:s3:::own", ProofZone::Account);
    assert_eq!(p.reach, Reach::NotReachable, "{:?}", p.why);
}

/// For the account zone, the organisation's other accounts are all asked about, not one of them: a condition
/// that lets in the organisation but one member lets in the others; a test of the organisation's paths is decided
/// when every other member's path reads it alike.
#[test]
fn the_account_zone_asks_about_every_other_member_of_the_organisation() {
    use iam_atlas::eval::proof::{Reach, Zone as ProofZone, external_access};
    let mut fx = Fx {
        scps: Some(Vec::new()),
        members: vec!["222222222222", "333333333333"],
        ..Fx::default()
    };
    let bucket = |name: &str, cond: Value| {
        (
            format!("arn:aws:s3:::{name}"),
            doc(
                json!([{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": format!("arn:aws:s3:::{name}/*"), "Condition": cond}]),
            ),
        )
    };
    // Every member but the management account, which is the one a single probe asked about.
    fx.resources.push(bucket(
        "but-one",
        json!({"StringEquals": {"aws:PrincipalOrgID": "o-test12345"},
               "StringNotEquals": {"aws:PrincipalAccount": "999999999999"}}),
    ));
    // Every member's path is under the root: decided, the whole organisation.
    fx.resources.push(bucket(
        "root-path",
        json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-test12345/r-1/*"}}),
    ));
    // Only the unit's members (222…, 333…), not the management account: undecided.
    fx.resources.push(bucket(
        "unit-path",
        json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-test12345/r-1/ou-1/*"}}),
    ));
    // Only the account itself: no other member.
    fx.resources.push(bucket(
        "self-only",
        json!({"StringEquals": {"aws:PrincipalAccount": ACC}}),
    ));
    // A service acting for another member's resource: outside the account zone.
    fx.resources.push(bucket(
        "member-source",
        json!({"StringEquals": {"aws:SourceAccount": "222222222222"}}),
    ));
    let m = fx.model("members");
    let r = review(
        &m,
        &Options {
            now: Some(now()),
            zone: Zone::Account,
            ..Options::default()
        },
    );
    let find = |suffix: &str| {
        r.findings.iter().find(|f| {
            f.entity.ends_with(suffix) && f.category == iam_atlas::review::Category::ExternalAccess
        })
    };
    let but_one = find(":but-one").unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert_eq!(but_one.code, Code::ExternalAccount, "{}", but_one.title);
    assert_eq!(
        but_one.subject.as_deref(),
        Some("organisation"),
        "{}",
        but_one.title
    );
    assert!(
        but_one.title.contains("may let") && but_one.title.contains("(undecided)"),
        "{}",
        but_one.title
    );
    let root_path = find(":root-path").unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert!(
        root_path
            .title
            .starts_with("bucket root-path lets any account of the organisation"),
        "{}",
        root_path.title
    );
    let unit_path = find(":unit-path").unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert!(
        unit_path.title.contains("(undecided)"),
        "{}",
        unit_path.title
    );
    assert!(find(":self-only").is_none(), "{:#?}", r.findings);
    let member_source = find(":member-source").unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert!(
        member_source.title.contains("through an AWS service")
            && member_source
                .title
                .contains("aws:SourceAccount 222222222222"),
        "{}",
        member_source.title
    );
    // The access proof of the first: unknown (which member is not decided), not "not reachable".
    let p = external_access(&m, "arn:aws:s3:::but-one", ProofZone::Account);
    assert_eq!(p.reach, Reach::Unknown, "{:?}", p.why);
    let p = external_access(&m, "arn:aws:s3:::root-path", ProofZone::Account);
    assert_eq!(p.reach, Reach::Reachable, "{:?}", p.why);
}

/// A policy naming more outside principals than a proof asks about: "not reachable" is not said of the ones left
/// out (the proof is unknown, and says why), and the work stays bounded.
#[test]
fn a_proof_does_not_say_not_reachable_of_principals_it_did_not_ask_about() {
    use iam_atlas::eval::proof::{Reach, Zone as ProofZone, external_access};
    let mut fx = Fx::default();
    let accounts: Vec<String> = (0..5000)
        .map(|n| format!("{:012}", 400_000_000_000u64 + n))
        .collect();
    // Each is let in only on another bucket's objects: none reaches this one.
    fx.resources.push((
        "arn:aws:s3:::many".into(),
        doc(
            json!([{"Effect": "Allow", "Principal": {"AWS": accounts}, "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::elsewhere/*"}]),
        ),
    ));
    let m = fx.model("many-principals");
    let started = std::time::Instant::now();
    let p = external_access(&m, "arn:aws:s3:::many", ProofZone::Account);
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    assert_eq!(p.reach, Reach::Unknown, "{:?}", p.why);
    assert!(
        p.why.iter().any(|w| w.contains("more than 64 principals")),
        "{:?}",
        p.why
    );
    // The review: bounded too, and it says what it left out.
    let started = std::time::Instant::now();
    let r = run(&m);
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    assert!(
        r.findings.iter().any(|f| f.code == Code::NotReviewed
            && f.title
                .contains("names 5000 principals; the first 256 were asked about")),
        "{:#?}",
        r.findings
    );
}

/// Proofs ask about whom `*` lets in for an `Allow` with `NotPrincipal` too (the organisation's other accounts in
/// the account zone), fill a `?` with one character, and do not say "not reachable" when the search for a context
/// gave up; for the organisation zone, an account outside the loaded organisation has the organisation's accounts
/// outside its zone.
#[test]
fn proofs_ask_about_every_caller_and_say_when_the_search_gave_up() {
    use iam_atlas::eval::proof::{Reach, Zone as ProofZone, external_access};
    let mut fx = Fx {
        scps: Some(Vec::new()),
        members: vec!["222222222222"],
        ..Fx::default()
    };
    let rp = |name: &str, statements: Value| (format!("arn:aws:s3:::{name}"), doc(statements));
    fx.resources.push(rp(
        "np",
        json!([{"Effect": "Allow", "NotPrincipal": {"AWS": "444455556666"}, "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::np/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-test12345"}}}]),
    ));
    fx.resources.push(rp(
        "one-char",
        json!([{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::one-char/?"}]),
    ));
    // Only TLS gets in, and nine Denies each need TLS and one region: any other region gets in, but breaking
    // every Deny the first way fails, and the ways to try run out.
    let mut statements = vec![
        json!({"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket",
        "Resource": "arn:aws:s3:::regions", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}),
    ];
    for n in 0..9 {
        statements.push(json!({"Effect": "Deny", "Principal": "*", "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::regions", "Condition": {"Bool": {"aws:SecureTransport": "true"},
            "StringEquals": {"aws:RequestedRegion": format!("region-{n}")}}}));
    }
    fx.resources.push(rp("regions", Value::from(statements)));
    let m = fx.model("proof-callers");
    // (AWS does not document `NotPrincipal` in an `Allow`: never "not reachable".)
    let p = external_access(&m, "arn:aws:s3:::np", ProofZone::Account);
    assert_ne!(p.reach, Reach::NotReachable, "{:?}", p.why);
    let p = external_access(&m, "arn:aws:s3:::one-char", ProofZone::Organization);
    assert_eq!(p.reach, Reach::Reachable, "{:?}", p.why);
    assert!(
        p.witnesses
            .iter()
            .any(|w| w.resource == "arn:aws:s3:::one-char/x"),
        "{:?}",
        p.witnesses
    );
    let p = external_access(&m, "arn:aws:s3:::regions", ProofZone::Organization);
    assert_ne!(p.reach, Reach::NotReachable, "{:?}", p.why);

    // The account outside the organisation: its members are outside the account's zone.
    let mut fx = Fx {
        scps: Some(Vec::new()),
        members: vec!["222222222222"],
        outside_org: true,
        ..Fx::default()
    };
    fx.resources.push(rp(
        "org-only",
        json!([{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::org-only/*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-test12345"}}}]),
    ));
    let m = fx.model("outside-org");
    let p = external_access(&m, "arn:aws:s3:::org-only", ProofZone::Organization);
    assert_eq!(p.reach, Reach::Reachable, "{:?}", p.why);
    let r = review(
        &m,
        &Options {
            now: Some(now()),
            zone: Zone::Organization,
            ..Options::default()
        },
    );
    assert!(
        r.findings.iter().any(|f| f.entity.ends_with(":org-only")
            && f.category == iam_atlas::review::Category::ExternalAccess),
        "{:#?}",
        r.findings
    );
}

/// The actions a statement writes out are asked about before the ones a wildcard stands for, so a wide grant the
/// organisation condition keeps in does not push a public one out of the requests asked; and a named role of an
/// account that is not loaded, let in by a trust whose condition cannot be read, may get in (a finding says so).
#[test]
fn written_actions_first_and_unread_trusts_of_unloaded_roles() {
    let mut fx = Fx {
        scps: Some(Vec::new()),
        ..Fx::default()
    };
    fx.resources.push((
        "arn:aws:s3:::b".into(),
        doc(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "s3:*",
             "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-test12345"}}},
            {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}])),
    ));
    fx.roles.push(role(
        "ci",
        doc(json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:role/ci"},
            "Action": "sts:AssumeRole", "Condition": {"DateGreaterThan": {"aws:CurrentTime": "soon"}}}])),
        &[],
        Some(1),
    ));
    let r = fx.review("written-first");
    let public = of(&r, Code::PublicAccess);
    assert!(
        public
            .iter()
            .any(|f| f.entity == "arn:aws:s3:::b" && f.title.contains("s3:PutObject")),
        "{:#?}",
        r.findings
    );
    let ci = r
        .findings
        .iter()
        .find(|f| f.code == Code::ExternalAccount && f.entity.ends_with("role/ci"))
        .unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert!(ci.title.contains("may let"), "{}", ci.title);
}

/// A trust open to `*` for `sts:AssumeRoleWithWebIdentity` lets in whoever holds a token of a provider IAM needs no
/// entry for (Google, Facebook, Login with Amazon, Cognito): public, or conditioned on the token's claims.
#[test]
fn a_trust_open_to_any_web_identity_is_public() {
    use iam_atlas::eval::proof::{Reach, Zone as ProofZone, external_access};
    let mut fx = Fx::default();
    let web = |cond: Value| {
        let mut s =
            json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity"});
        if !cond.is_null() {
            s["Condition"] = cond;
        }
        doc(json!([s]))
    };
    fx.roles
        .push(role("web-open", web(Value::Null), &[], Some(1)));
    fx.roles.push(role(
        "web-app",
        web(json!({"StringEquals": {"accounts.google.com:aud": "app-1"}})),
        &[],
        Some(1),
    ));
    let m = fx.model("web-identity");
    let r = run(&m);
    let open = r
        .findings
        .iter()
        .find(|f| f.entity.ends_with("role/web-open"))
        .unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert_eq!(open.code, Code::PublicAccess, "{}", open.title);
    assert!(
        open.title.contains("with a web identity token"),
        "{}",
        open.title
    );
    let app = r
        .findings
        .iter()
        .find(|f| f.entity.ends_with("role/web-app"))
        .unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert_eq!(app.code, Code::PublicAccessConditional, "{}", app.title);
    assert!(
        app.title.contains("accounts.google.com:aud"),
        "{}",
        app.title
    );
    let p = external_access(
        &m,
        &format!("arn:aws:iam::{ACC}:role/web-open"),
        ProofZone::Account,
    );
    assert_eq!(p.reach, Reach::Reachable, "{:?}", p.why);
}

/// What the review does not ask about is said: an `Allow` to a canonical user ID (its account is not known), and
/// a grant whose actions cannot be listed (a `NotAction` of a service the catalogue does not know).
#[test]
fn what_the_review_does_not_ask_about_is_said() {
    let mut fx = Fx::default();
    fx.resources.push((
        "arn:aws:s3:::canon".into(),
        doc(json!([{"Effect": "Allow", "Principal": {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::canon/*"}])),
    ));
    let thing = format!("arn:aws:newsvc:eu-west-1:{ACC}:thing/x");
    fx.resources.push((
        thing.clone(),
        doc(json!([{"Effect": "Allow", "Principal": "*", "NotAction": "newsvc:Delete*", "Resource": thing}])),
    ));
    let r = fx.review("unasked");
    let said = |entity: &str, words: &str| {
        r.findings
            .iter()
            .any(|f| f.code == Code::NotReviewed && f.entity == entity && f.title.contains(words))
    };
    assert!(
        said("arn:aws:s3:::canon", "canonical user ID"),
        "{:#?}",
        r.findings
    );
    assert!(said(&thing, "could not be listed"), "{:#?}", r.findings);
}

/// A request the review makes for a resource policy is on a resource of the policy's account, whatever the
/// statement's `Resource` names (another bucket's objects): its `aws:ResourceAccount` is not the caller's. A
/// `Deny` on the account's own resources then keeps everyone out (stop 35's review gave a CRITICAL finding
/// "when … aws:ResourceAccount" is the made-up outside account).
#[test]
fn a_resource_policys_requests_are_on_its_accounts_resources() {
    let mut fx = Fx::default();
    fx.resources.push((
        "arn:aws:s3:::mine".into(),
        doc(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
             "Condition": {"StringEquals": {"aws:ResourceAccount": ACC}}}])),
    ));
    let r = fx.review("resource-account");
    assert!(
        !r.findings.iter().any(|f| f.entity == "arn:aws:s3:::mine"
            && f.category == iam_atlas::review::Category::ExternalAccess),
        "{:#?}",
        r.findings
    );
}
