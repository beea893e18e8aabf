//! Property tests of the evaluation engine over small generated worlds: a user and a role session with
//! generated identity policies, an optional permissions boundary, an optional resource policy and SCP levels,
//! and generated requests. The properties are the monotonicity rules of AWS's evaluation logic
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html>):
//! a Deny can only take access away, an Allow can only add it, boundaries and SCPs only cap, and the order of
//! statements is irrelevant.

use iam_atlas::account::Model;
use iam_atlas::account::export::{LoadCtx, load_export};
use iam_atlas::account::workspace::finish;
use iam_atlas::eval::{Context, Decision, Overrides, Principal, Request, decide};
use iam_atlas::policy::{Interner, Policy, parse_text};
use iam_atlas::time::Timestamp;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::Arc;

const ACCOUNT: &str = "111111111111";
const ACTIONS: [&str; 4] = [
    "s3:GetObject",
    "s3:PutObject",
    "ec2:RunInstances",
    "iam:ListUsers",
];
const ACTION_PATTERNS: [&str; 8] = [
    "*",
    "s3:*",
    "s3:Get*",
    "s3:GetObject",
    "S3:PUTOBJECT",
    "ec2:*",
    "iam:List*",
    "s3:?etObject",
];
const RESOURCES: [&str; 3] = [
    "arn:aws:s3:::b/k",
    "arn:aws:s3:::c/x",
    "arn:aws:ec2:us-east-1:111111111111:instance/i-1",
];
const RESOURCE_PATTERNS: [&str; 6] = [
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b/k",
    "arn:aws:s3:::c/*",
    "arn:aws:ec2:*:111111111111:instance/*",
    "arn:aws:s3:::${aws:username}/*",
];
const PRINCIPALS: [&str; 5] = [
    "*",
    "arn:aws:iam::111111111111:user/alice",
    "arn:aws:iam::111111111111:role/app",
    "111111111111",
    "arn:aws:iam::222222222222:root",
];

fn condition() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some(json!({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))),
        1 => Just(Some(json!({"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}))),
        1 => Just(Some(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))),
        1 => Just(Some(json!({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))),
        1 => Just(Some(json!({"Bool": {"aws:SecureTransport": "true"}}))),
        1 => Just(Some(json!({"BoolIfExists": {"aws:SecureTransport": "false"}}))),
        1 => Just(Some(json!({"StringLike": {"aws:PrincipalTag/team": "da*"}}))),
        1 => Just(Some(json!({"Null": {"aws:SourceIp": "true"}}))),
    ]
}

/// One statement: effect, Action/NotAction, Resource/NotResource, optional condition; `with_principal` adds a
/// `Principal` (resource policies, SCP-style statements do not need one).
fn statement(effect: Option<&'static str>, with_principal: bool) -> impl Strategy<Value = Value> {
    let effect = match effect {
        Some(e) => Just(e).boxed(),
        None => prop_oneof![3 => Just("Allow"), 1 => Just("Deny")].boxed(),
    };
    (
        effect,
        proptest::collection::vec(0..ACTION_PATTERNS.len(), 1..3),
        any::<bool>(),
        proptest::collection::vec(0..RESOURCE_PATTERNS.len(), 1..3),
        prop::bool::weighted(0.15),
        condition(),
        0..PRINCIPALS.len(),
    )
        .prop_map(
            move |(effect, acts, not_action, ress, not_resource, cond, who)| {
                let acts: Vec<&str> = acts.iter().map(|&i| ACTION_PATTERNS[i]).collect();
                let ress: Vec<&str> = ress.iter().map(|&i| RESOURCE_PATTERNS[i]).collect();
                let mut s = json!({"Effect": effect});
                // NotAction with Allow is rare in practice; keep it to a quarter of statements.
                s[if not_action && acts.len() == 1 {
                    "NotAction"
                } else {
                    "Action"
                }] = json!(acts);
                s[if not_resource {
                    "NotResource"
                } else {
                    "Resource"
                }] = json!(ress);
                if let Some(c) = cond {
                    s["Condition"] = c;
                }
                if with_principal {
                    s["Principal"] = if PRINCIPALS[who] == "*" {
                        json!("*")
                    } else {
                        json!({"AWS": PRINCIPALS[who]})
                    };
                }
                s
            },
        )
}

fn statements(with_principal: bool, max: usize) -> impl Strategy<Value = Vec<Value>> {
    proptest::collection::vec(statement(None, with_principal), 0..max)
}

/// A list of statements that starts, more often than not, with an Allow for everything (SCP levels and
/// boundaries usually do: `FullAWSAccess`), so that generated worlds reach Allow often.
fn capped_statements() -> impl Strategy<Value = Vec<Value>> {
    (prop::bool::weighted(0.75), statements(false, 3)).prop_map(|(full, mut s)| {
        if full {
            s.insert(
                0,
                json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
            );
        }
        s
    })
}

fn doc(statements: &[Value]) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

#[derive(Clone, Debug)]
struct World {
    identity: Vec<Vec<Value>>,
    boundary: Option<Vec<Value>>,
    resource: Option<Vec<Value>>,
    scps: Vec<Vec<Value>>,
    session: bool,
    tagged: bool,
    action: usize,
    resource_arn: usize,
    cross_account: bool,
    region: Option<&'static str>,
    ip: Option<&'static str>,
    tls: Option<&'static str>,
}

fn world() -> impl Strategy<Value = World> {
    (
        proptest::collection::vec(statements(false, 4), 0..3),
        proptest::option::weighted(0.3, capped_statements()),
        proptest::option::weighted(0.4, statements(true, 3)),
        proptest::collection::vec(capped_statements(), 0..3),
        any::<bool>(),
        any::<bool>(),
        (
            0..ACTIONS.len(),
            0..RESOURCES.len(),
            prop::bool::weighted(0.2),
        ),
        prop_oneof![Just(None), Just(Some("eu-west-1")), Just(Some("us-east-1"))],
        prop_oneof![Just(None), Just(Some("10.1.2.3")), Just(Some("192.0.2.1"))],
        prop_oneof![Just(None), Just(Some("true")), Just(Some("false"))],
    )
        .prop_map(
            |(
                identity,
                boundary,
                resource,
                scps,
                session,
                tagged,
                (action, resource_arn, cross_account),
                region,
                ip,
                tls,
            )| World {
                identity,
                boundary,
                resource,
                scps,
                session,
                tagged,
                action,
                resource_arn,
                cross_account,
                region,
                ip,
                tls,
            },
        )
}

fn parse(v: &Value, interner: &mut Interner) -> Policy {
    parse_text(&v.to_string(), interner).policy
}

fn build_model(w: &World) -> Model {
    let inline: Vec<Value> = w
        .identity
        .iter()
        .enumerate()
        .map(|(i, s)| json!({"PolicyName": format!("p{i}"), "PolicyDocument": doc(s)}))
        .collect();
    let tags = if w.tagged {
        json!([{"Key": "team", "Value": "data"}])
    } else {
        json!([])
    };
    let mut user = json!({
        "UserName": "alice", "UserId": "AIDAALICE", "Arn": format!("arn:aws:iam::{ACCOUNT}:user/alice"),
        "Path": "/", "GroupList": [], "UserPolicyList": inline, "AttachedManagedPolicies": [], "Tags": tags,
    });
    let mut role = json!({
        "RoleName": "app", "RoleId": "AROAAPP", "Arn": format!("arn:aws:iam::{ACCOUNT}:role/app"), "Path": "/",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
        "RolePolicyList": inline, "AttachedManagedPolicies": [], "InstanceProfileList": [], "Tags": tags,
    });
    let mut policies = Vec::new();
    if let Some(b) = &w.boundary {
        let arn = format!("arn:aws:iam::{ACCOUNT}:policy/boundary");
        policies.push(json!({
            "PolicyName": "boundary", "PolicyId": "ANPABOUNDARY", "Arn": arn, "Path": "/",
            "DefaultVersionId": "v1", "IsAttachable": true,
            "PolicyVersionList": [{"Document": doc(b), "VersionId": "v1", "IsDefaultVersion": true}],
        }));
        let pb = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn});
        user["PermissionsBoundary"] = pb.clone();
        role["PermissionsBoundary"] = pb;
    }
    let export = json!({
        "UserDetailList": [user], "GroupDetailList": [], "RoleDetailList": [role], "Policies": policies,
    });
    let mut model = Model::default();
    let mut ctx = LoadCtx::default();
    load_export(
        &mut model,
        &mut ctx,
        "props.json",
        Arc::new(export.to_string()),
        Some(ACCOUNT),
    )
    .expect("generated export loads");
    finish(&mut model, &mut ctx);
    model
}

fn eval(w: &World) -> Decision {
    let model = build_model(w);
    let spec = if w.session {
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/app/s1")
    } else {
        format!("arn:aws:iam::{ACCOUNT}:user/alice")
    };
    let principal = Principal::resolve(&spec, &model).expect("principal resolves");
    let mut context = Context::new();
    for (k, v) in [
        ("aws:RequestedRegion", w.region),
        ("aws:SourceIp", w.ip),
        ("aws:SecureTransport", w.tls),
    ] {
        if let Some(v) = v {
            context.set(k, vec![v.to_string()]);
        }
    }
    let req = Request {
        principal,
        action: ACTIONS[w.action].to_string(),
        resource: RESOURCES[w.resource_arn].to_string(),
        resource_account: Some(if w.cross_account {
            "222222222222".into()
        } else {
            ACCOUNT.into()
        }),
        context,
    };
    let mut interner = Interner::default();
    let overrides = Overrides {
        resource_policy: w
            .resource
            .as_ref()
            .map(|s| ("resource".to_string(), parse(&doc(s), &mut interner))),
        scp_levels: w
            .scps
            .iter()
            .enumerate()
            .map(|(i, s)| vec![(format!("scp{i}"), parse(&doc(s), &mut interner))])
            .collect(),
        now: Timestamp::parse("2025-06-15T12:00:00Z"),
        ..Overrides::default()
    };
    decide(&model, &req, &overrides).0
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Where an extra statement goes.
#[derive(Clone, Copy, Debug)]
enum Place {
    Identity,
    Resource,
    Boundary,
    Scp,
}

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![
        Just(Place::Identity),
        Just(Place::Resource),
        Just(Place::Boundary),
        Just(Place::Scp)
    ]
}

fn with_statement(w: &World, s: Value, at: Place) -> World {
    let mut w = w.clone();
    match at {
        Place::Identity => match w.identity.first_mut() {
            Some(p) => p.push(s),
            None => w.identity.push(vec![s]),
        },
        // A new resource policy or boundary would itself change the rules (a boundary that did not exist
        // caps; a resource policy adds a path): add only to existing ones.
        Place::Resource => {
            if let Some(r) = &mut w.resource {
                r.push(s);
            }
        }
        Place::Boundary => {
            if let Some(b) = &mut w.boundary {
                b.push(s);
            }
        }
        Place::Scp => {
            if let Some(l) = w.scps.first_mut() {
                l.push(s);
            }
        }
    }
    w
}

proptest! {
    #![proptest_config(config())]

    /// Adding a Deny statement to any policy never turns a denied request into an allowed one (and never turns
    /// an explicit deny into anything else).
    #[test]
    fn adding_a_deny_never_grants(
        w in world(),
        s in statement(Some("Deny"), true),
        at in place(),
    ) {
        let before = eval(&w);
        let s = match at {
            Place::Resource => s,
            _ => { let mut s = s; s.as_object_mut().expect("object").remove("Principal"); s }
        };
        let after = eval(&with_statement(&w, s, at));
        if before != Decision::Allow {
            prop_assert_ne!(after, Decision::Allow, "a Deny statement granted access");
        }
        if before == Decision::ExplicitDeny {
            prop_assert_eq!(after, Decision::ExplicitDeny);
        }
    }

    /// Adding an Allow statement never turns an allowed request into a denied one.
    #[test]
    fn adding_an_allow_never_denies(
        w in world(),
        s in statement(Some("Allow"), true),
        at in place(),
    ) {
        let before = eval(&w);
        let s = match at {
            Place::Resource => s,
            _ => { let mut s = s; s.as_object_mut().expect("object").remove("Principal"); s }
        };
        let after = eval(&with_statement(&w, s, at));
        if before == Decision::Allow {
            prop_assert_eq!(after, Decision::Allow, "an Allow statement removed access");
        }
        if before != Decision::ExplicitDeny {
            prop_assert_ne!(after, Decision::ExplicitDeny, "an Allow statement produced an explicit deny");
        }
    }

    /// A permissions boundary never widens access: allowed with the boundary implies allowed without it.
    #[test]
    fn a_boundary_never_widens(w in world(), b in capped_statements()) {
        let mut with = w.clone();
        with.boundary = Some(b);
        let mut without = w;
        without.boundary = None;
        if eval(&with) == Decision::Allow {
            prop_assert_eq!(eval(&without), Decision::Allow, "the boundary granted access");
        }
    }

    /// Statement order (and policy order) never matters.
    #[test]
    fn statement_order_never_matters(w in world()) {
        let before = eval(&w);
        let mut r = w.clone();
        r.identity.reverse();
        for p in &mut r.identity { p.reverse(); }
        if let Some(b) = &mut r.boundary { b.reverse(); }
        if let Some(x) = &mut r.resource { x.reverse(); }
        for l in &mut r.scps { l.reverse(); }
        prop_assert_eq!(eval(&r), before);
    }

    /// Adding an SCP level (from the root down) never widens access.
    #[test]
    fn adding_an_scp_level_never_widens(w in world(), level in capped_statements()) {
        let mut more = w.clone();
        more.scps.push(level);
        if eval(&more) == Decision::Allow {
            prop_assert_eq!(eval(&w), Decision::Allow, "an SCP level granted access");
        }
    }
}

/// The generated worlds are not vacuous: all three decisions occur often enough for the properties to bite.
#[test]
fn generated_worlds_reach_every_decision() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = world();
    let mut counts = [0usize; 3];
    for _ in 0..256 {
        let w = strategy
            .new_tree(&mut runner)
            .expect("world generates")
            .current();
        counts[match eval(&w) {
            Decision::Allow => 0,
            Decision::ExplicitDeny => 1,
            Decision::ImplicitDeny => 2,
        }] += 1;
    }
    assert!(
        counts.iter().all(|&n| n >= 10),
        "decisions (allow, explicit deny, implicit deny) = {counts:?}"
    );
}

/// An SCP's `NotAction` list is looked up in the policy's action index; a list that was not fully read (a number in
/// it) is never looked up: whatever it may have said, the answer is not a certain Allow, and says why.
#[test]
fn an_unread_not_action_list_never_makes_an_allow_certain() {
    let model = iam_atlas::sample::load_sample(Default::default()).expect("the sample loads");
    let mut interner = Interner::default();
    let scp = |text: &str, interner: &mut Interner| -> Policy { parse_text(text, interner).policy };
    let read = scp(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
           {"Effect":"Deny","NotAction":["IAM:*","sts:Get*"],"Resource":"*"}]}"#,
        &mut interner,
    );
    let unread = scp(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
           {"Effect":"Deny","NotAction":["IAM:*",5,"sts:Get*"],"Resource":"*"}]}"#,
        &mut interner,
    );
    assert!(
        unread.statements[1].invalid.is_some(),
        "the list was not fully read"
    );
    // A user allowed everything in the sample, under the sample's conditions.
    let principal = Principal::resolve("arn:aws:iam::412345678901:user/maria.silva", &model)
        .expect("principal");
    let mut context = Context::new();
    context.set("aws:MultiFactorAuthPresent", vec!["true".into()]);
    context.set("aws:RequestedRegion", vec!["eu-west-1".into()]);
    // (The sample's data perimeter, an RCP, denies requests without it.)
    context.set("aws:SecureTransport", vec!["true".into()]);
    for (action, read_denies) in [
        ("iam:CreateUser", false),
        ("sts:GetSessionToken", false),
        ("s3:GetObject", true),
    ] {
        let req = Request {
            principal: principal.clone(),
            action: action.into(),
            resource: "*".into(),
            resource_account: None,
            context: context.clone(),
        };
        let with = |p: &Policy| Overrides {
            scp_levels: vec![vec![("guardrail".to_string(), p.clone())]],
            ..Overrides::default()
        };
        // Read in full: the list decides, certainly.
        let r = iam_atlas::eval::evaluate(&model, &req, &with(&read));
        assert!(r.certain, "{action}: {:?}", r.unknown);
        assert_eq!(
            r.decision == Decision::ExplicitDeny,
            read_denies,
            "{action}"
        );
        if read_denies {
            assert_eq!(r.decided_by, Some(iam_atlas::eval::Layer::Scp), "{action}");
        } else {
            assert_eq!(r.decision, Decision::Allow, "{action}");
        }
        // Not read in full: never a certain Allow, on the explained path and on the batch path alike.
        let r = iam_atlas::eval::evaluate(&model, &req, &with(&unread));
        assert!(
            !(r.decision == Decision::Allow && r.certain),
            "{action}: a certain Allow past a list that was not read"
        );
        // Uncertain, whatever was read of the list, and it says which statement was not read.
        assert!(
            !r.certain,
            "{action}: certain past a list that was not read"
        );
        assert!(
            r.unknown.iter().any(|u| u.contains("not fully read")),
            "{action}: {:?}",
            r.unknown
        );
        let b = iam_atlas::eval::decide_brief(&model, &req, &with(&unread));
        assert!(!(b.decision == Decision::Allow && b.certain), "{action}");
    }
}
