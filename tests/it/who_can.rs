//! who-can skips principals that nothing could allow; its answer must equal evaluating every principal.

use iam_atlas::account::{LoadOptions, Model};
use iam_atlas::eval::reverse::{Outcome, all_principals, principal_of, who_can};
use iam_atlas::eval::{Context, Decision, Overrides, Principal, Request, evaluate};

/// Every principal evaluated one by one, resolved from its ARN as `iam-atlas eval` resolves it: the listed
/// principals with their outcome (allowed always, allowed if, unknown).
fn brute_force(model: &Model, action: &str, resource: &str) -> Vec<(String, Outcome)> {
    let ov = Overrides {
        optimistic: true,
        ..Overrides::default()
    };
    let mut out: Vec<(String, Outcome)> = all_principals(model)
        .into_iter()
        .filter_map(|r| principal_of(model, r))
        .filter_map(|p| {
            let principal = Principal::resolve(&p.arn, model).expect("a loaded ARN resolves");
            let req = Request {
                principal,
                action: action.into(),
                resource: resource.into(),
                resource_account: None,
                context: Context::new(),
            };
            let r = evaluate(model, &req, &ov);
            let outcome = match (r.decision, r.certain, r.assumed_conditions.is_empty()) {
                (Decision::Allow, true, true) => Outcome::AllowedAlways,
                (Decision::Allow, true, false) => Outcome::AllowedIf,
                (_, false, _) => Outcome::Unknown,
                _ => return None,
            };
            Some((p.arn, outcome))
        })
        .collect();
    out.sort();
    out
}

fn check(model: &Model, action: &str, resource: &str) {
    let mut got: Vec<(String, Outcome)> = who_can(
        model,
        action,
        resource,
        None,
        &Context::new(),
        &Overrides::default(),
    )
    .principals
    .into_iter()
    .map(|e| (e.principal, e.outcome))
    .collect();
    got.sort();
    assert_eq!(
        got,
        brute_force(model, action, resource),
        "{action} on {resource}"
    );
}

#[test]
fn who_can_equals_evaluating_everyone_on_the_sample() {
    let m = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample");
    for (action, resource) in [
        (
            "s3:GetObject",
            "arn:aws:s3:::larkspur-prod-data/reports/a.csv",
        ),
        ("s3:DeleteObject", "arn:aws:s3:::larkspur-prod-data/x"),
        (
            "sts:AssumeRole",
            "arn:aws:iam::412345678901:role/cross-account-deploy",
        ),
        (
            "sts:AssumeRole",
            "arn:aws:iam::523456789012:role/legacy-open-role",
        ),
        (
            "iam:PassRole",
            "arn:aws:iam::412345678901:role/webshop-app-ec2",
        ),
        (
            "kms:Decrypt",
            "arn:aws:kms:eu-west-1:412345678901:key/anything",
        ),
        (
            "lambda:InvokeFunction",
            "arn:aws:lambda:eu-west-1:412345678901:function:webshop-api",
        ),
        (
            "ec2:RunInstances",
            "arn:aws:ec2:eu-west-1:523456789012:instance/*",
        ),
        (
            "iam:CreatePolicyVersion",
            "arn:aws:iam::412345678901:policy/LarkspurDeveloperAccess",
        ),
    ] {
        check(&m, action, resource);
    }
}

/// A generated account, loaded from a file as a person's export would be (the file is removed after).
fn generated(spec: iam_atlas::generate::Spec, tag: &str) -> Model {
    let dir = std::env::temp_dir().join(format!("iam-atlas-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join("gen.json");
    std::fs::write(&path, iam_atlas::generate::to_string(&spec)).expect("write");
    let m = iam_atlas::account::load_paths(&[path], LoadOptions::default()).expect("load");
    let _ = std::fs::remove_dir_all(dir);
    m
}

#[test]
fn who_can_equals_evaluating_everyone_on_a_generated_account() {
    let m = generated(
        iam_atlas::generate::Spec {
            account: "999988887777".into(),
            users: 60,
            groups: 8,
            roles: 120,
            policies: 40,
            seed: 7,
            url_encoded: false,
            org: None,
        },
        "whocan",
    );
    for (action, resource) in [
        ("s3:GetObject", "arn:aws:s3:::payments-bucket-7/report.csv"),
        ("s3:ListBucket", "arn:aws:s3:::data-bucket-3"),
        (
            "iam:PassRole",
            "arn:aws:iam::999988887777:role/payments/payments-role-8",
        ),
        (
            "dynamodb:PutItem",
            "arn:aws:dynamodb:eu-west-1:999988887777:table/data-table-3",
        ),
        ("ec2:DescribeInstances", "*"),
        ("kms:Decrypt", "*"),
    ] {
        check(&m, action, resource);
    }
}

/// who-can agrees with `eval` on every principal of every fixture export, whose ARNs may name another account
/// than the file's (`arn:aws:iam::012345678901:user/obama` in another account's export, `arn:aws:iam::aws:…`).
#[test]
fn who_can_equals_eval_on_every_fixture_export() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 5);
    for f in files {
        let m = iam_atlas::account::load_paths(std::slice::from_ref(&f), LoadOptions::default())
            .expect("fixture loads");
        for (action, resource) in [
            ("s3:GetObject", "arn:aws:s3:::some-bucket/key"),
            ("iam:PassRole", "*"),
            ("ec2:RunInstances", "*"),
            ("sts:GetCallerIdentity", "*"),
            ("kms:ListKeys", "*"),
            ("iam:CreateUser", "arn:aws:iam::123456789012:user/x"),
        ] {
            check(&m, action, resource);
        }
    }
}

/// Every conditional who-can answer is exact where it matters: a context that meets its conditions evaluates to
/// Allow (without assumptions), and one that breaks a condition that came from a `Deny` evaluates to an explicit
/// deny by that statement's layer.
#[test]
fn conditional_answers_hold_and_break_as_they_say() {
    use iam_atlas::eval::condition::Assumption;
    use iam_atlas::eval::reverse::Outcome;
    use iam_atlas::eval::witness::satisfy;
    let m = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample");
    let mut checked = 0;
    let mut denied = 0;
    for (action, resource) in [
        ("s3:GetObject", "arn:aws:s3:::larkspur-prod-data/x"),
        (
            "s3:PutObject",
            "arn:aws:s3:::larkspur-prod-data/reports/a.csv",
        ),
        ("s3:DeleteObject", "arn:aws:s3:::larkspur-prod-data/x"),
        (
            "ec2:RunInstances",
            "arn:aws:ec2:eu-west-1:412345678901:instance/*",
        ),
        (
            "ec2:TerminateInstances",
            "arn:aws:ec2:us-west-2:412345678901:instance/i-1",
        ),
        ("sts:AssumeRole", "arn:aws:iam::412345678901:role/admin-mfa"),
        (
            "dynamodb:GetItem",
            "arn:aws:dynamodb:eu-west-1:412345678901:table/orders",
        ),
        ("iam:CreateUser", "arn:aws:iam::412345678901:user/new"),
    ] {
        let w = who_can(
            &m,
            action,
            resource,
            None,
            &Context::new(),
            &Overrides::default(),
        );
        for e in w
            .principals
            .iter()
            .filter(|e| e.outcome == Outcome::AllowedIf)
        {
            let principal = Principal::resolve(&e.principal, &m).expect("resolves");
            let run = |ctx: Context| {
                evaluate(
                    &m,
                    &Request {
                        principal: principal.clone(),
                        action: action.into(),
                        resource: resource.into(),
                        resource_account: None,
                        context: ctx,
                    },
                    &Overrides::default(),
                )
            };
            let ctx = satisfy(&e.assumptions, &Context::new(), None).unwrap_or_else(|| {
                panic!(
                    "{} {action} {resource}: no context meets {:?}",
                    e.principal, e.conditions
                )
            });
            let r = run(ctx.clone());
            assert_eq!(
                r.decision,
                Decision::Allow,
                "{} {action} {resource} with {:?}: {:?} by {:?}",
                e.principal,
                ctx.entries(),
                r.decision,
                r.decided_by
            );
            checked += 1;
            for (i, a) in e.assumptions.iter().enumerate() {
                if !matches!(a, Assumption::NotAll(_)) {
                    continue;
                }
                let Some(bad) = satisfy(&e.assumptions, &Context::new(), Some(i)) else {
                    continue;
                };
                let r = run(bad.clone());
                assert_eq!(
                    r.decision,
                    Decision::ExplicitDeny,
                    "{} {action} {resource} breaking `{}` with {:?}",
                    e.principal,
                    a.text(),
                    bad.entries()
                );
                denied += 1;
            }
        }
    }
    assert!(checked >= 20, "only {checked} conditional answers checked");
    assert!(denied >= 20, "only {denied} broken conditions checked");
}

/// Two accounts (written as exports and loaded): role `deploy` in 111111111111 trusts two users of
/// 222222222222 by ARN, the service `ec2.amazonaws.com`, and account 333333333333, whose details are not loaded.
/// Of the two users, `bob`'s own policy allows `sts:AssumeRole` and `carol`'s does not: the trust policy names
/// both, but only bob may assume the role (cross-account, the caller's side must allow it too).
pub fn trusts_more_than_may_assume() -> Model {
    let deploy = serde_json::json!({
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [{
            "Path": "/", "RoleName": "deploy", "RoleId": "AROAEXAMPLEDEPLOY0001",
            "Arn": "arn:aws:iam::111111111111:role/deploy",
            "CreateDate": "2024-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": [
                        "arn:aws:iam::222222222222:user/bob",
                        "arn:aws:iam::222222222222:user/carol"
                    ]}},
                    {"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Principal": {"Service": "ec2.amazonaws.com"}},
                    {"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Principal": {"AWS": "arn:aws:iam::333333333333:root"},
                     "Condition": {"StringEquals": {"sts:ExternalId": "build-42"}}}
                ]
            },
            "InstanceProfileList": [], "RolePolicyList": [], "AttachedManagedPolicies": [], "Tags": []
        }],
        "Policies": []
    });
    let user = |name: &str, action: &str| {
        serde_json::json!({
            "Path": "/", "UserName": name, "UserId": format!("AIDAEXAMPLE{}", name.to_uppercase()),
            "Arn": format!("arn:aws:iam::222222222222:user/{name}"),
            "CreateDate": "2024-01-01T00:00:00Z", "GroupList": [], "AttachedManagedPolicies": [],
            "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]
            }}]
        })
    };
    let callers = serde_json::json!({
        "UserDetailList": [user("bob", "sts:AssumeRole"), user("carol", "s3:GetObject")],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": []
    });
    let dir = std::env::temp_dir().join(format!(
        "iam-atlas-assume-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let paths = vec![dir.join("111111111111.json"), dir.join("222222222222.json")];
    std::fs::write(&paths[0], deploy.to_string()).expect("write");
    std::fs::write(&paths[1], callers.to_string()).expect("write");
    let m = iam_atlas::account::load_paths(&paths, LoadOptions::default()).expect("load");
    let _ = std::fs::remove_dir_all(dir);
    m
}

/// "Who can assume it" is the engine's answer, not the trust policy's list: a principal the trust policy names
/// whose own policy does not allow `sts:AssumeRole` is left out, and a whole account whose principals are not
/// loaded is unknown, with the trust statement's condition.
#[test]
fn who_can_assume_weighs_the_callers_own_policies() {
    use iam_atlas::account::EntityKind;
    use iam_atlas::eval::reverse::{Named, role_edges, who_can_assume};
    let m = trusts_more_than_may_assume();
    let role = *m
        .by_name(EntityKind::Role, "deploy")
        .first()
        .expect("the role");
    // The trust policy names four principals.
    let mut edges = Vec::new();
    let a = &m.accounts[role.account as usize];
    role_edges(a, &a.roles[role.index as usize], &mut edges);
    let named: Vec<&Named> = edges.iter().map(|e| &e.named).collect();
    assert_eq!(
        named,
        [
            &Named::Arn("arn:aws:iam::222222222222:user/bob".into()),
            &Named::Arn("arn:aws:iam::222222222222:user/carol".into()),
            &Named::Service("ec2.amazonaws.com".into()),
            &Named::Account("333333333333".into()),
        ]
    );
    let w = who_can_assume(&m, role, &Overrides::default()).expect("a role");
    // Of the loaded principals, only bob.
    let loaded: Vec<(&str, Outcome)> = w
        .loaded
        .principals
        .iter()
        .map(|p| (p.principal.as_str(), p.outcome))
        .collect();
    assert_eq!(
        loaded,
        [("arn:aws:iam::222222222222:user/bob", Outcome::AllowedAlways)]
    );
    // The service always; account 333333333333 unknown (its principals are not loaded), if the external id.
    let outside: Vec<(&str, Option<Outcome>)> = w
        .outside
        .iter()
        .map(|o| (o.from.as_str(), o.outcome))
        .collect();
    assert_eq!(
        outside,
        [
            ("service ec2.amazonaws.com", Some(Outcome::AllowedAlways)),
            ("account 333333333333", Some(Outcome::Unknown)),
        ]
    );
    let acct = &w.outside[1];
    assert!(acct.cross_account);
    assert_eq!(acct.conditions, ["StringEquals sts:ExternalId build-42"]);
    assert!(
        acct.note
            .as_deref()
            .is_some_and(|n| n.contains("account 333333333333 are not loaded")),
        "{:?}",
        acct.note
    );
    // Not a role: no answer.
    let bob = *m.by_name(EntityKind::User, "bob").first().expect("bob");
    assert!(who_can_assume(&m, bob, &Overrides::default()).is_none());
}

/// A trust policy open to any principal of another organisation or account: "anyone" stands for every principal
/// of every account but the role's, so the test of another organisation is a condition of the answer, not a
/// refusal (an unsigned caller, which has no organisation, cannot assume a role anyway); one naming only the
/// role's own account refuses every outsider.
#[test]
fn who_can_assume_anyone_keeps_another_organisation_as_a_condition() {
    use iam_atlas::account::EntityKind;
    use iam_atlas::eval::reverse::who_can_assume;
    let role = |name: &str, condition: serde_json::Value| {
        serde_json::json!({
            "Path": "/", "RoleName": name, "RoleId": format!("AROA{}", name.to_uppercase()),
            "Arn": format!("arn:aws:iam::111111111111:role/{name}"), "CreateDate": "2024-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}, "Condition": condition}]},
            "InstanceProfileList": [], "RolePolicyList": [], "AttachedManagedPolicies": [], "Tags": []
        })
    };
    let export = serde_json::json!({
        "UserDetailList": [], "GroupDetailList": [], "Policies": [],
        "RoleDetailList": [
            role("partner", serde_json::json!({"StringEquals": {"aws:PrincipalOrgID": "o-partner0001"}})),
            role("own", serde_json::json!({"StringEquals": {"aws:PrincipalAccount": "111111111111"}})),
        ],
    });
    let dir = std::env::temp_dir().join(format!("iam-atlas-anyone-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join("111111111111.json");
    std::fs::write(&path, export.to_string()).expect("write");
    let m = iam_atlas::account::load_paths(&[path], LoadOptions::default()).expect("load");
    let _ = std::fs::remove_dir_all(dir);
    let anyone = |name: &str| {
        let r = *m.by_name(EntityKind::Role, name).first().expect("the role");
        let w = who_can_assume(&m, r, &Overrides::default()).expect("a role");
        w.outside.into_iter().next().expect("anyone")
    };
    let partner = anyone("partner");
    assert!(partner.outcome.is_some(), "{partner:?}");
    assert!(
        partner
            .conditions
            .iter()
            .any(|c| c.contains("aws:PrincipalOrgID") && c.contains("o-partner0001")),
        "{partner:?}"
    );
    let own = anyone("own");
    assert_eq!(own.outcome, None, "{own:?}");
}

/// On the sample, a trust policy naming a whole account lets only that account's principals whose own policies
/// allow it, and the conditions of the trust statement come with each answer.
#[test]
fn who_can_assume_on_the_sample_names_the_principals_not_the_account() {
    use iam_atlas::account::EntityKind;
    use iam_atlas::eval::reverse::who_can_assume;
    let m = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample");
    let role = *m
        .by_name(EntityKind::Role, "admin-mfa")
        .first()
        .expect("admin-mfa");
    let w = who_can_assume(&m, role, &Overrides::default()).expect("a role");
    assert_eq!(w.loaded.principals.len(), 4);
    assert!(w.loaded.principals.iter().all(|p| {
        p.outcome == Outcome::AllowedIf
            && p.conditions
                .iter()
                .any(|c| c.contains("aws:MultiFactorAuthPresent"))
    }));
    // The account itself is loaded: nothing outside.
    assert!(w.outside.is_empty(), "{:?}", w.outside);
    // Of the account's ten users, only maria.silva: the others' own policies do not allow sts:AssumeRole.
    assert_eq!(m.accounts[role.account as usize].users.len(), 10);
    let users: Vec<&str> = w
        .loaded
        .principals
        .iter()
        .filter(|p| p.kind == iam_atlas::eval::PrincipalType::User)
        .map(|p| p.principal.as_str())
        .collect();
    assert_eq!(users, ["arn:aws:iam::412345678901:user/maria.silva"]);
}

/// Long reverse queries and the review stop once cancelled (the GUI cancels the one a new question replaces):
/// `None`, never a partial answer; and a flag nobody raises gives the whole answer.
#[test]
fn cancelled_queries_stop_and_say_so() {
    use iam_atlas::cancel::Cancel;
    use iam_atlas::eval::reverse::{
        WhoCanQuestion, what_can, what_can_cancellable, who_can_cancellable,
    };
    let m = generated(
        iam_atlas::generate::Spec {
            account: "999988887777".into(),
            users: 300,
            groups: 20,
            roles: 600,
            policies: 120,
            seed: 11,
            url_encoded: false,
            org: None,
        },
        "cancel",
    );
    let (ctx, ov) = (Context::new(), Overrides::default());
    let question = WhoCanQuestion {
        action: "s3:GetObject",
        resource: "arn:aws:s3:::payments-bucket-7/report.csv",
        resource_account: None,
        context: &ctx,
        overrides: &ov,
    };
    // Not raised: the same answer as who_can.
    let (flag, cancel) = Cancel::new();
    let whole = who_can_cancellable(&m, question, &cancel).expect("not cancelled");
    let plain = who_can(&m, question.action, question.resource, None, &ctx, &ov);
    assert_eq!(whole.principals.len(), plain.principals.len());
    assert!(!whole.principals.is_empty());
    // Raised: nothing, at once.
    flag.store(true, std::sync::atomic::Ordering::Relaxed);
    let t = std::time::Instant::now();
    assert!(who_can_cancellable(&m, question, &cancel).is_none());
    let p = principal_of(&m, all_principals(&m)[0]).expect("a principal");
    assert!(what_can_cancellable(&m, &p, &ctx, &ov, &cancel).is_none());
    let opts = iam_atlas::review::Options::default();
    assert!(iam_atlas::review::review_cancellable(&m, &opts, &cancel).is_none());
    assert!(t.elapsed() < std::time::Duration::from_secs(5));
    // Raised from another thread while the review runs: it stops early.
    let full_start = std::time::Instant::now();
    let full = iam_atlas::review::review(&m, &opts);
    let full_time = full_start.elapsed();
    assert!(!full.findings.is_empty());
    // (Three tries: on a loaded machine the raiser may wake only after the review ended.)
    let stopped_early = (0..3).any(|_| {
        let (flag, cancel) = Cancel::new();
        let raiser = std::thread::spawn(move || {
            std::thread::sleep(full_time / 10);
            flag.store(true, std::sync::atomic::Ordering::Relaxed);
        });
        let t = std::time::Instant::now();
        let stopped = iam_atlas::review::review_cancellable(&m, &opts, &cancel);
        let took = t.elapsed();
        raiser.join().expect("raiser");
        stopped.is_none() && took < full_time
    });
    assert!(
        stopped_early,
        "a review cancelled a tenth of the way in ({full_time:?} whole) did not stop early"
    );
    let whole_what = what_can(&m, &p, &ctx, &ov);
    assert_eq!(
        what_can_cancellable(&m, &p, &ctx, &ov, &Cancel::never()).map(|w| w.evaluated),
        Some(whole_what.evaluated)
    );
}

/// A generated organisation of `accounts` accounts ([`OrgSpec::new`](iam_atlas::generate::OrgSpec::new)),
/// written into a temporary directory named by `tag`, loaded, and the directory removed.
pub(crate) fn generated_org(accounts: usize, tag: &str) -> iam_atlas::account::Model {
    let dir = std::env::temp_dir().join(format!("iam-atlas-org-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let written =
        iam_atlas::generate::write_org(&dir, &iam_atlas::generate::OrgSpec::new(accounts))
            .expect("generate");
    let m =
        iam_atlas::account::load_paths(&[written.workspace], LoadOptions::default()).expect("load");
    let _ = std::fs::remove_dir_all(&dir);
    m
}

/// Across a generated organisation (16 accounts, enough principals to be answered on every core), who-can agrees
/// with evaluating every principal, and says why: the organisation's bucket policy grants the organisation
/// (`aws:PrincipalOrgID`, known from the loaded organisation), each deployer's own policy allows the read, and
/// the workloads OU's region guardrail makes the answer conditional there.
#[test]
fn who_can_across_a_generated_organisation_equals_evaluating_everyone() {
    use iam_atlas::generate::OrgSpec;
    let m = generated_org(16, "whocan");
    assert_eq!(m.accounts.len(), 16);
    let principals: usize = m
        .accounts
        .iter()
        .map(|a| a.users.len() + a.roles.len())
        .sum();
    assert!(principals >= 4096, "{principals}");
    let bucket = format!("arn:aws:s3:::{}/report.csv", OrgSpec::shared_bucket(5));
    check(&m, "s3:GetObject", &bucket);
    check(
        &m,
        "s3:ListBucket",
        &format!("arn:aws:s3:::{}", OrgSpec::shared_bucket(5)),
    );
    // Every principal is a candidate (an AWS rule answers for all): answered on every core.
    check(&m, "sts:GetCallerIdentity", "*");
    let w = who_can(
        &m,
        "s3:GetObject",
        &bucket,
        None,
        &Context::new(),
        &Overrides::default(),
    );
    let deployer = |i: usize| {
        let arn = format!(
            "arn:aws:iam::{}:role/platform/deployer",
            OrgSpec::account_id(i)
        );
        w.principals
            .iter()
            .find(|e| e.principal == arn)
            .unwrap_or_else(|| panic!("{arn} may read the organisation's bucket"))
    };
    let accounts: std::collections::BTreeSet<&str> =
        w.principals.iter().map(|e| e.account.as_str()).collect();
    assert_eq!(accounts.len(), 16, "every account has a reader");
    // Account 6 is in the security OU: no guardrail, so always.
    let d = deployer(6);
    assert_eq!(d.outcome, Outcome::AllowedAlways, "{d:?}");
    assert!(
        d.statements
            .iter()
            .any(|s| s.sid.as_deref() == Some("ReadOrganisationSharedBuckets")),
        "{:?}",
        d.statements
    );
    // Account 9 is in the workloads OU (staging): the region guardrail applies.
    let d = deployer(9);
    assert_eq!(d.outcome, Outcome::AllowedIf, "{d:?}");
    assert!(
        d.conditions
            .iter()
            .any(|c| c.contains("aws:RequestedRegion")),
        "{:?}",
        d.conditions
    );
    // A role another account's deployer may assume: the trust names the deployer, inside the organisation.
    let trusted = m.accounts[5]
        .roles
        .iter()
        .find(|r| {
            r.trust
                .as_ref()
                .is_some_and(|t| m.source(t.source).at(t.policy.span).contains("deployer"))
        })
        .expect("a role that trusts a deployer");
    check(&m, "sts:AssumeRole", &trusted.arn);
}

/// A one-account export: `alice` (inline `alice_inline`, attached `alice_attached`), role `target` trusting
/// `trust`, and the customer policy `broken` whose only version's document is not valid JSON.
fn small_account(alice_inline: &str, alice_attached: &str, trust: &str) -> Model {
    let text = format!(
        r#"{{"UserDetailList":[{{"Path":"/","UserName":"alice","UserId":"AIDAEXAMPLEALICE",
        "Arn":"arn:aws:iam::111122223333:user/alice","CreateDate":"2024-01-01T00:00:00Z","GroupList":[],
        "AttachedManagedPolicies":[{alice_attached}],"Tags":[],
        "UserPolicyList":[{{"PolicyName":"own","PolicyDocument":{alice_inline}}}]}}],
        "GroupDetailList":[],
        "RoleDetailList":[{{"Path":"/","RoleName":"target","RoleId":"AROAEXAMPLETARGET",
        "Arn":"arn:aws:iam::111122223333:role/target","CreateDate":"2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument":{trust},"InstanceProfileList":[],"RolePolicyList":[],
        "AttachedManagedPolicies":[],"Tags":[]}}],
        "Policies":[{{"PolicyName":"broken","PolicyId":"ANPAEXAMPLEBROKEN","Arn":"arn:aws:iam::111122223333:policy/broken",
        "Path":"/","DefaultVersionId":"v1","AttachmentCount":1,"IsAttachable":true,
        "CreateDate":"2024-01-01T00:00:00Z","UpdateDate":"2024-01-01T00:00:00Z",
        "PolicyVersionList":[{{"Document":"%7B%22Statement%22%3A","VersionId":"v1","IsDefaultVersion":true,
        "CreateDate":"2024-01-01T00:00:00Z"}}]}}]}}"#
    );
    // One folder per call: tests run on threads of one process, and two may build the same account.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "iam-atlas-small-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join("export.json");
    std::fs::write(&path, text).expect("write");
    let m = iam_atlas::account::load_paths(&[path], LoadOptions::default()).expect("load");
    let _ = std::fs::remove_dir_all(dir);
    m
}

const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const NOTHING: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#;
const TRUST_ACCOUNT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}"#;
const BROKEN: &str =
    r#"{"PolicyName":"broken","PolicyArn":"arn:aws:iam::111122223333:policy/broken"}"#;

/// who-can on `model` with no context and no overrides.
fn plain_who_can(model: &Model, action: &str, resource: &str) -> iam_atlas::eval::reverse::WhoCan {
    who_can(
        model,
        action,
        resource,
        None,
        &Context::new(),
        &Overrides::default(),
    )
}

fn outcome_of(w: &iam_atlas::eval::reverse::WhoCan, arn: &str) -> Option<Outcome> {
    w.principals
        .iter()
        .find(|e| e.principal == arn)
        .map(|e| e.outcome)
}

/// A session policy (or a what-if SCP) given with the question caps who-can and what-can as it caps an
/// evaluation: the reverse queries dropped every override but the time, and answered "always" for
/// `iam:CreateUser` under a session policy that allows only `s3:GetObject`.
#[test]
fn reverse_queries_keep_the_session_policy_they_are_given() {
    let model = small_account(ADMIN, "", TRUST_ACCOUNT);
    let mut interner = iam_atlas::policy::Interner::default();
    let session = iam_atlas::policy::parse_text(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
        &mut interner,
    )
    .policy;
    let ov = Overrides {
        session_policies: vec![("session".into(), session)],
        ..Overrides::default()
    };
    let alice = "arn:aws:iam::111122223333:user/alice";
    let plain = plain_who_can(&model, "iam:CreateUser", "*");
    assert_eq!(outcome_of(&plain, alice), Some(Outcome::AllowedAlways));
    let capped = who_can(&model, "iam:CreateUser", "*", None, &Context::new(), &ov);
    assert_eq!(outcome_of(&capped, alice), None, "{:?}", capped.principals);
    // (Under the condition that the bucket, of no known account, is alice's.)
    let read = who_can(
        &model,
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        None,
        &Context::new(),
        &ov,
    );
    assert_eq!(outcome_of(&read, alice), Some(Outcome::AllowedIf));
    // What-can: only what the session policy allows (and what needs no permission).
    let p = Principal::resolve(alice, &model).expect("alice");
    let w = iam_atlas::eval::reverse::what_can(&model, &p, &Context::new(), &ov);
    let actions: Vec<String> = w
        .services
        .values()
        .flat_map(|levels| levels.values().flatten().map(|g| g.action.clone()))
        .collect();
    assert!(actions.iter().any(|a| a == "s3:GetObject"), "{actions:?}");
    assert!(
        actions
            .iter()
            .all(|a| a == "s3:GetObject" || a == "sts:GetCallerIdentity"),
        "{actions:?}"
    );
    // A what-if identity policy may grant anyone: nobody is passed over for what the model holds.
    let bare = small_account(NOTHING, "", TRUST_ACCOUNT);
    let grant = iam_atlas::policy::parse_text(ADMIN, &mut interner).policy;
    let what_if = Overrides {
        extra: vec![(iam_atlas::eval::Layer::Identity, "what if".into(), grant)],
        ..Overrides::default()
    };
    let w = who_can(
        &bare,
        "iam:CreateUser",
        "*",
        None,
        &Context::new(),
        &what_if,
    );
    assert_eq!(outcome_of(&w, alice), Some(Outcome::AllowedAlways));
}

/// A managed policy whose default version could not be read may grant anything: who-can lists its holder as
/// unknown, as evaluating her does (the prefilter passed her over as holding nothing that matches).
#[test]
fn a_policy_that_was_not_read_keeps_its_holder_in_who_can() {
    let model = small_account(NOTHING, BROKEN, TRUST_ACCOUNT);
    let w = plain_who_can(&model, "iam:CreateUser", "*");
    assert_eq!(
        outcome_of(&w, "arn:aws:iam::111122223333:user/alice"),
        Some(Outcome::Unknown),
        "{:?}",
        w.principals
    );
    check(&model, "iam:CreateUser", "*");
}

/// `sts:TagSession` (and `SetSourceIdentity`, `SetContext`) on a role is decided by its trust policy, as
/// `sts:AssumeRole` is: who-can finds the principal the trust names even without an identity policy.
#[test]
fn who_can_reads_the_trust_for_session_actions() {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}"#;
    let model = small_account(NOTHING, "", trust);
    let role = "arn:aws:iam::111122223333:role/target";
    for action in ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"] {
        let w = plain_who_can(&model, action, role);
        assert_eq!(
            outcome_of(&w, "arn:aws:iam::111122223333:user/alice"),
            Some(Outcome::AllowedAlways),
            "{action}: {:?}",
            w.principals
        );
        check(&model, action, role);
    }
}

/// Roles reached through a hop whose answer is not certain are listed as *may*, with the reason; a role whose
/// trust was not read is not left out (an uncertain denial may allow).
#[test]
fn reachable_roles_say_which_hops_are_not_certain() {
    let alice = "arn:aws:iam::111122223333:user/alice";
    let model = small_account(ADMIN, "", TRUST_ACCOUNT);
    let p = Principal::resolve(alice, &model).expect("alice");
    let entity = p.entity.expect("loaded");
    let reach = iam_atlas::eval::reverse::reachable_roles(&model, entity, &Overrides::default());
    assert_eq!(reach.len(), 1, "{reach:?}");
    assert!(reach.iter().all(|r| r.certain()), "{reach:?}");
    // The same with a managed policy that was not read: it may deny (or grant), so the hop is not certain.
    let model = small_account(ADMIN, BROKEN, TRUST_ACCOUNT);
    let p = Principal::resolve(alice, &model).expect("alice");
    let reach = iam_atlas::eval::reverse::reachable_roles(
        &model,
        p.entity.expect("loaded"),
        &Overrides::default(),
    );
    let target = reach
        .iter()
        .find(|r| r.role == "arn:aws:iam::111122223333:role/target")
        .expect("the target is listed");
    assert!(!target.certain(), "{target:?}");
    assert!(
        target
            .unknown
            .iter()
            .flatten()
            .any(|u| u.contains("broken")),
        "{target:?}"
    );
    // Nothing but a policy that was not read: an uncertain denial, which may allow, is listed too.
    let model = small_account(NOTHING, BROKEN, TRUST_ACCOUNT);
    let p = Principal::resolve(alice, &model).expect("alice");
    let reach = iam_atlas::eval::reverse::reachable_roles(
        &model,
        p.entity.expect("loaded"),
        &Overrides::default(),
    );
    assert!(
        reach
            .iter()
            .any(|r| !r.certain() && r.role.ends_with("role/target")),
        "{reach:?}"
    );
}
