//! A generated escalation lab, the way public labs (Bishop Fox `iam-vulnerable`) are built: per technique one
//! principal that can escalate with it, and a look-alike that cannot because one thing stops it (a
//! permissions boundary, an SCP, a condition, a resource constraint, an explicit deny, a missing trust).
//! Written as a workspace (two accounts in an organisation) for tests, benchmarks and the PMapper comparison.
#![expect(
    clippy::indexing_slicing,
    reason = "only indexes JSON objects the lab builds itself with `json!`, where `value[\"key\"] = …` inserts"
)]

use super::techniques::{Applies, RoleNeed, SelfKind, TECHNIQUES, Technique};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The lab's main account.
pub const ACCOUNT: &str = "111111111111";
/// The second account (a cross-account role chain).
pub const OTHER: &str = "222222222222";

/// What stops a look-alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocker {
    /// A permissions boundary that allows only `s3:*`.
    Boundary,
    /// An SCP that denies everything to principals tagged `scp-blocked=true`.
    Scp,
    /// A condition the principal does not meet (`aws:username` is someone else).
    Condition,
    /// The grant names another resource.
    Resource,
    /// An explicit deny of the technique's first action.
    Deny,
    /// The role passed does not trust the service.
    Trust,
}

impl Blocker {
    /// Lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Blocker::Boundary => "boundary",
            Blocker::Scp => "scp",
            Blocker::Condition => "condition",
            Blocker::Resource => "resource",
            Blocker::Deny => "deny",
            Blocker::Trust => "trust",
        }
    }
}

/// One technique's pair of principals.
#[derive(Clone, Debug)]
pub struct Case {
    /// The technique's id.
    pub technique: &'static str,
    /// The principal that can escalate with it.
    pub can: String,
    /// The look-alike that cannot.
    pub blocked: String,
    /// What stops the look-alike.
    pub blocker: Blocker,
    /// The node the edge goes to (`administrator` for self-granted permissions).
    pub to: String,
}

fn slug(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

const ADMIN_DOC: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

fn admin_doc() -> Value {
    serde_json::from_str(ADMIN_DOC).unwrap_or(Value::Null)
}

fn trust_service(s: &str) -> Value {
    json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service": s},"Action":"sts:AssumeRole"}]})
}

fn trust_account(account: &str) -> Value {
    json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS": format!("arn:aws:iam::{account}:root")},"Action":"sts:AssumeRole"}]})
}

fn user(
    name: &str,
    inline: Value,
    groups: &[String],
    attached: &[(&str, String)],
    boundary: Option<&str>,
    tags: &[(&str, &str)],
) -> Value {
    let mut u = json!({
        "Path": "/", "UserName": name, "UserId": format!("AIDA{:0>17}", name.len()), "Arn": arn("user", name),
        "CreateDate": "2024-01-01T00:00:00+00:00",
        "UserPolicyList": if inline.is_null() { json!([]) } else { json!([{"PolicyName": format!("{name}-grant"), "PolicyDocument": inline}]) },
        "GroupList": groups,
        "AttachedManagedPolicies": attached.iter().map(|(n, a)| json!({"PolicyName": n, "PolicyArn": a})).collect::<Vec<_>>(),
        "Tags": tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect::<Vec<_>>(),
    });
    if let Some(b) = boundary {
        u["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn("policy", b)});
    }
    u
}

#[allow(clippy::too_many_arguments)] // one JSON object per field of the export
fn role(
    account: &str,
    name: &str,
    trust: Value,
    inline: Value,
    profile: bool,
    boundary: Option<&str>,
    tags: &[(&str, &str)],
) -> Value {
    let role_arn = format!("arn:aws:iam::{account}:role/{name}");
    let mut r = json!({
        "Path": "/", "RoleName": name, "RoleId": format!("AROA{:0>17}", name.len()), "Arn": role_arn,
        "CreateDate": "2024-01-01T00:00:00+00:00",
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [],
        "RolePolicyList": if inline.is_null() { json!([]) } else { json!([{"PolicyName": format!("{name}-policy"), "PolicyDocument": inline}]) },
        "AttachedManagedPolicies": [],
        "Tags": tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect::<Vec<_>>(),
    });
    if profile {
        r["InstanceProfileList"] = json!([{"Path": "/", "InstanceProfileName": name, "InstanceProfileId": "AIPA00000000000000001",
            "Arn": format!("arn:aws:iam::{account}:instance-profile/{name}"), "CreateDate": "2024-01-01T00:00:00+00:00",
            "Roles": [{"Path": "/", "RoleName": name, "RoleId": r["RoleId"].clone(), "Arn": r["Arn"].clone(),
                "CreateDate": "2024-01-01T00:00:00+00:00", "AssumeRolePolicyDocument": r["AssumeRolePolicyDocument"].clone()}]}]);
    }
    if let Some(b) = boundary {
        r["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": format!("arn:aws:iam::{account}:policy/{b}")});
    }
    r
}

fn managed(account: &str, name: &str, versions: &[(Value, bool)]) -> Value {
    let default = versions.iter().position(|v| v.1).unwrap_or(0) + 1;
    json!({
        "PolicyName": name, "PolicyId": format!("ANPA{:0>17}", name.len()), "Arn": format!("arn:aws:iam::{account}:policy/{name}"),
        "Path": "/", "DefaultVersionId": format!("v{default}"), "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": true, "CreateDate": "2024-01-01T00:00:00+00:00", "UpdateDate": "2024-01-01T00:00:00+00:00",
        "PolicyVersionList": versions.iter().enumerate().map(|(i, (d, def))| json!({"Document": d, "VersionId": format!("v{}", i + 1), "IsDefaultVersion": def, "CreateDate": "2024-01-01T00:00:00+00:00"})).collect::<Vec<_>>(),
    })
}

/// The role a role technique targets in the lab.
fn target_role(t: &Technique) -> Option<&'static str> {
    match t.applies {
        Applies::ToRole(RoleNeed::Nothing) => Some("AdminRole"),
        Applies::ToRole(RoleNeed::ServiceWithProfile(_)) => Some("Ec2Admin"),
        Applies::ToRole(RoleNeed::ServiceWithoutProfile(_)) => Some("Ec2AdminNoProfile"),
        Applies::ToRole(RoleNeed::Service(s)) => Some(service_role(s)),
        _ => None,
    }
}

fn service_role(s: &str) -> &'static str {
    match s {
        "lambda.amazonaws.com" => "LambdaAdmin",
        "cloudformation.amazonaws.com" => "CfnAdmin",
        "codebuild.amazonaws.com" => "CodeBuildAdmin",
        "glue.amazonaws.com" => "GlueAdmin",
        "sagemaker.amazonaws.com" => "SageMakerAdmin",
        "datapipeline.amazonaws.com" => "DataPipelineAdmin",
        "ecs-tasks.amazonaws.com" => "EcsAdmin",
        "tasks.apprunner.amazonaws.com" => "AppRunnerAdmin",
        "states.amazonaws.com" => "StatesAdmin",
        _ => "Ec2Admin",
    }
}

const SERVICES: [&str; 10] = [
    "lambda.amazonaws.com",
    "cloudformation.amazonaws.com",
    "codebuild.amazonaws.com",
    "glue.amazonaws.com",
    "sagemaker.amazonaws.com",
    "datapipeline.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "tasks.apprunner.amazonaws.com",
    "states.amazonaws.com",
    "ec2.amazonaws.com",
];

/// The blocker of technique number `i`.
fn blocker_for(i: usize, t: &Technique) -> Blocker {
    let service = matches!(
        t.applies,
        Applies::ToRole(
            RoleNeed::Service(_)
                | RoleNeed::ServiceWithProfile(_)
                | RoleNeed::ServiceWithoutProfile(_)
        )
    );
    if matches!(
        t.applies,
        Applies::SelfGrant(SelfKind::UserBoundary | SelfKind::RoleBoundary)
    ) {
        return Blocker::Boundary;
    }
    let all = [
        Blocker::Boundary,
        Blocker::Scp,
        Blocker::Condition,
        Blocker::Resource,
        Blocker::Deny,
        Blocker::Trust,
    ];
    let pick = all.get(i % all.len()).copied().unwrap_or(Blocker::Deny);
    if pick == Blocker::Trust && !service {
        Blocker::Condition
    } else {
        pick
    }
}

/// The lab's accounts as (export of the main account, export of the second account), and its cases.
pub fn exports() -> (Value, Value, Vec<Case>) {
    let mut users: Vec<Value> = Vec::new();
    let mut roles: Vec<Value> = Vec::new();
    let mut groups: Vec<Value> = Vec::new();
    let mut policies: Vec<Value> = vec![
        managed(
            ACCOUNT,
            "boundary-s3-only",
            &[(
                json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}),
                true,
            )],
        ),
        managed(
            ACCOUNT,
            "boundary-lenient",
            &[(
                json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","iam:DeleteUserPermissionsBoundary","iam:PutUserPermissionsBoundary","iam:DeleteRolePermissionsBoundary","iam:PutRolePermissionsBoundary"],"Resource":"*"}]}),
                true,
            )],
        ),
    ];
    // Targets.
    users.push(user("admin-user", admin_doc(), &[], &[], None, &[]));
    roles.push(role(
        ACCOUNT,
        "AdminRole",
        trust_account(ACCOUNT),
        admin_doc(),
        false,
        None,
        &[],
    ));
    roles.push(role(
        ACCOUNT,
        "Ec2Admin",
        trust_service("ec2.amazonaws.com"),
        admin_doc(),
        true,
        None,
        &[],
    ));
    roles.push(role(
        ACCOUNT,
        "Ec2AdminNoProfile",
        trust_service("ec2.amazonaws.com"),
        admin_doc(),
        false,
        None,
        &[],
    ));
    roles.push(role(
        ACCOUNT,
        "NoTrustAdmin",
        trust_service("ssm.amazonaws.com"),
        admin_doc(),
        true,
        None,
        &[],
    ));
    for s in SERVICES.iter().filter(|s| **s != "ec2.amazonaws.com") {
        roles.push(role(
            ACCOUNT,
            service_role(s),
            trust_service(s),
            admin_doc(),
            false,
            None,
            &[],
        ));
    }
    groups.push(json!({"Path": "/", "GroupName": "admins", "GroupId": "AGPA00000000000000001", "Arn": arn("group", "admins"),
        "CreateDate": "2024-01-01T00:00:00+00:00", "GroupPolicyList": [{"PolicyName": "admins-all", "PolicyDocument": admin_doc()}], "AttachedManagedPolicies": []}));
    let harmless = json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]});
    let mut cases = Vec::new();
    for (i, t) in TECHNIQUES.iter().enumerate() {
        let s = slug(t.id);
        let blocker = blocker_for(i, t);
        let is_role = matches!(
            t.applies,
            Applies::SelfGrant(SelfKind::Role | SelfKind::RoleBoundary)
        );
        let actions: Vec<&str> = t.requests.iter().map(|r| r.action).collect();
        let to = match t.applies {
            Applies::ToUser => arn("user", "admin-user"),
            Applies::SelfGrant(_) => "administrator".to_string(),
            _ => arn("role", target_role(t).unwrap_or("AdminRole")),
        };
        for can in [true, false] {
            let name = format!("{}-{s}", if can { "can" } else { "blocked" });
            let b = if can { None } else { Some(blocker) };
            let mut grant = json!({"Effect": "Allow", "Action": actions, "Resource": "*"});
            match b {
                Some(Blocker::Condition) => {
                    grant["Condition"] =
                        json!({"StringEquals": {"aws:PrincipalTag/team": "nobody"}})
                }
                Some(Blocker::Resource) => {
                    grant["Resource"] = json!(format!("arn:aws:iam::{ACCOUNT}:user/nobody"))
                }
                Some(Blocker::Trust) => {
                    // PassRole only on the role that does not trust the service; the rest as before.
                    let others: Vec<&str> = actions
                        .iter()
                        .copied()
                        .filter(|a| *a != "iam:PassRole")
                        .collect();
                    grant = json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": arn("role", "NoTrustAdmin")});
                    if !others.is_empty() {
                        grant =
                            json!([grant, {"Effect": "Allow", "Action": others, "Resource": "*"}]);
                    }
                }
                _ => {}
            }
            let mut statements: Vec<Value> = match grant {
                Value::Array(v) => v,
                g => vec![g],
            };
            let boundary_self = matches!(
                t.applies,
                Applies::SelfGrant(SelfKind::UserBoundary | SelfKind::RoleBoundary)
            );
            if boundary_self {
                // Administrator but for its boundary.
                statements = vec![json!({"Effect": "Allow", "Action": "*", "Resource": "*"})];
            }
            if b == Some(Blocker::Deny) {
                statements.push(json!({"Effect": "Deny", "Action": actions.first().copied().unwrap_or("*"), "Resource": "*"}));
            }
            let doc = json!({"Version": "2012-10-17", "Statement": statements});
            let boundary = match (boundary_self, b) {
                (true, None) => Some("boundary-lenient"),
                (_, Some(Blocker::Boundary)) => Some("boundary-s3-only"),
                _ => None,
            };
            let tags: Vec<(&str, &str)> = if b == Some(Blocker::Scp) {
                vec![("scp-blocked", "true")]
            } else {
                vec![("team", "lab")]
            };
            let mut own_groups: Vec<String> = Vec::new();
            let mut attached: Vec<(&str, String)> = Vec::new();
            match t.applies {
                Applies::SelfGrant(SelfKind::OwnGroup) => {
                    let g = format!("g-{name}");
                    groups.push(json!({"Path": "/", "GroupName": g, "GroupId": "AGPA00000000000000002", "Arn": arn("group", &g),
                        "CreateDate": "2024-01-01T00:00:00+00:00", "GroupPolicyList": [], "AttachedManagedPolicies": []}));
                    own_groups.push(g);
                }
                Applies::SelfGrant(SelfKind::OwnPolicy) => {
                    let p = format!("p-{name}");
                    policies.push(managed(ACCOUNT, &p, &[(harmless.clone(), true)]));
                    attached.push(("own", arn("policy", &p)));
                }
                Applies::SelfGrant(SelfKind::PolicyWithAdminVersion) => {
                    let p = format!("p-{name}");
                    policies.push(managed(
                        ACCOUNT,
                        &p,
                        &[(harmless.clone(), true), (admin_doc(), false)],
                    ));
                    attached.push(("own", arn("policy", &p)));
                }
                _ => {}
            }
            let attached_refs: Vec<(&str, String)> =
                attached.iter().map(|(n, a)| (*n, a.clone())).collect();
            let principal_arn = if is_role {
                roles.push(role(
                    ACCOUNT,
                    &name,
                    trust_service("ec2.amazonaws.com"),
                    doc,
                    false,
                    boundary,
                    &tags,
                ));
                arn("role", &name)
            } else {
                users.push(user(
                    &name,
                    doc,
                    &own_groups,
                    &attached_refs,
                    boundary,
                    &tags,
                ));
                arn("user", &name)
            };
            // Attached policies of users are named by their ARN's last part.
            if let Some(u) = users.last_mut()
                && !is_role
            {
                u["AttachedManagedPolicies"] = json!(attached.iter().map(|(_, a)| json!({"PolicyName": a.rsplit('/').next().unwrap_or(""), "PolicyArn": a})).collect::<Vec<_>>());
            }
            if can {
                cases.push(Case {
                    technique: t.id,
                    can: principal_arn,
                    blocked: String::new(),
                    blocker,
                    to: to.clone(),
                });
            } else if let Some(c) = cases.last_mut() {
                c.blocked = principal_arn;
            }
        }
    }
    // A cycle (two roles that can assume each other) and a cross-account chain.
    let cycle = |me: &str, other: &str| {
        role(
            ACCOUNT,
            me,
            json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS": arn("role", other)},"Action":"sts:AssumeRole"}]}),
            json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource": arn("role", other)}]}),
            false,
            None,
            &[],
        )
    };
    roles.push(cycle("CycleA", "CycleB"));
    roles.push(cycle("CycleB", "CycleA"));
    // Named by ARN in a same-account trust policy: no identity permission needed, and its boundary's implicit
    // deny does not limit the grant.
    users.push(user(
        "trust-named-bounded",
        Value::Null,
        &[],
        &[],
        Some("boundary-s3-only"),
        &[],
    ));
    roles.push(role(ACCOUNT, "NamedTrustAdmin",
        json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS": arn("user", "trust-named-bounded")},"Action":"sts:AssumeRole"}]}),
        admin_doc(), false, None, &[]));
    users.push(user("chain-user", json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource": format!("arn:aws:iam::{OTHER}:role/CrossHop")}]}), &[], &[], None, &[]));
    let main = json!({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies});
    let other = json!({"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [
        role(OTHER, "CrossHop", trust_account(ACCOUNT),
            json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource": format!("arn:aws:iam::{OTHER}:role/CrossAdmin")}]}), false, None, &[]),
        role(OTHER, "CrossAdmin", trust_account(OTHER), admin_doc(), false, None, &[]),
    ]});
    (main, other, cases)
}

fn scp(id: &str, name: &str, doc: &Value) -> Value {
    json!({"Policy": {"PolicySummary": {"Id": id, "Arn": format!("arn:aws:organizations::999999999999:policy/o-lab/service_control_policy/{id}"),
        "Name": name, "Description": name, "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": false}, "Content": doc.to_string()}})
}

/// Write the lab as a workspace into `dir` (which must not hold one already); returns the workspace file.
pub fn write(dir: &Path) -> std::io::Result<(PathBuf, Vec<Case>)> {
    let (main, other, cases) = exports();
    std::fs::create_dir_all(dir)?;
    let put = |name: &str, v: &Value| -> std::io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dir.join(name))?;
        f.write_all(
            serde_json::to_string_pretty(v)
                .map_err(std::io::Error::other)?
                .as_bytes(),
        )
    };
    put("main.json", &main)?;
    put("other.json", &other)?;
    put(
        "scp-full.json",
        &scp(
            "p-full",
            "FullAWSAccess",
            &json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}),
        ),
    )?;
    put(
        "scp-block.json",
        &scp(
            "p-block",
            "DenyTagged",
            &json!({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/scp-blocked": "true"}}}]}),
        ),
    )?;
    let ws = json!({
        "format": "iam-atlas-workspace/1", "name": "Escalation lab",
        "organization": {"id": "o-lab", "management_account": "999999999999",
            "root": {"id": "r-lab", "name": "Root", "scps": ["scp-full.json"], "accounts": [], "children": [
                {"id": "ou-lab-1", "name": "Lab", "scps": ["scp-full.json", "scp-block.json"], "accounts": [ACCOUNT, OTHER], "children": []}]}},
        "accounts": [
            {"id": ACCOUNT, "alias": "lab", "authorization_details": "main.json", "scps": ["scp-full.json"]},
            {"id": OTHER, "alias": "lab-other", "authorization_details": "other.json", "scps": ["scp-full.json"]},
        ],
    });
    put("workspace.json", &ws)?;
    Ok((dir.join("workspace.json"), cases))
}
