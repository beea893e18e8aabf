//! A generator of large synthetic accounts, in the exact shape of `aws iam get-account-authorization-details`
//! (pretty-printed as the AWS CLI prints it), for benchmarks and stress tests. Deterministic for a seed.
#![expect(
    clippy::indexing_slicing,
    reason = "indexes are drawn by the generator below the lengths of the tables it made itself; it reads no input"
)]

use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Account id.
    pub account: String,
    /// Users.
    pub users: usize,
    /// Groups.
    pub groups: usize,
    /// Roles.
    pub roles: usize,
    /// Customer-managed policies.
    pub policies: usize,
    /// Random seed.
    pub seed: u64,
    /// Documents as URL-encoded strings (raw IAM API) instead of objects (AWS CLI).
    pub url_encoded: bool,
    /// The organisation this account belongs to, when generated as part of one ([`write_org`]).
    pub org: Option<OrgLinks>,
}

/// What an account generated inside an organisation knows of it.
#[derive(Clone, Debug, Default)]
pub struct OrgLinks {
    /// The organisation's id (`o-…`), for `aws:PrincipalOrgID` conditions.
    pub org_id: String,
    /// Other accounts of the organisation, which some roles trust.
    pub peers: Vec<String>,
}

impl Spec {
    /// The ≈100 MB organisation of the benchmarks: 5,000 users, 500 groups, 20,000 roles, 3,000 policies.
    pub fn large() -> Spec {
        Spec {
            account: "999988887777".into(),
            users: 5_000,
            groups: 500,
            roles: 20_000,
            policies: 3_000,
            seed: 1,
            url_encoded: false,
            org: None,
        }
    }
}

/// SplitMix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:DeleteObject",
    "s3:GetBucketLocation",
    "s3:Get*",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sns:Publish",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "ec2:DescribeInstances",
    "ec2:StartInstances",
    "ec2:StopInstances",
    "lambda:InvokeFunction",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParametersByPath",
    "cloudwatch:PutMetricData",
    "ecr:GetAuthorizationToken",
    "ecr:BatchGetImage",
    "iam:PassRole",
    "sts:AssumeRole",
    "xray:PutTraceSegments",
    "events:PutEvents",
];

const SERVICES: &[&str] = &[
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "glue.amazonaws.com",
    "states.amazonaws.com",
];
const TEAMS: &[&str] = &[
    "payments", "search", "platform", "data", "identity", "growth", "mobile", "ml",
];
/// The customer-managed policy every organisation account has: read the organisation's shared buckets.
const ORG_SHARED_READ: &str = "org-shared-read";
const REGIONS: &[&str] = &["eu-west-1", "us-east-1", "eu-central-1", "us-west-2"];

fn uid(prefix: &str, rng: &mut Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut s = String::from(prefix);
    while s.len() < 21 {
        s.push(ALPHABET[rng.below(ALPHABET.len())] as char);
    }
    s
}

fn date(rng: &mut Rng) -> String {
    format!(
        "20{:02}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        18 + rng.below(8),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

fn resource_for(action: &str, account: &str, team: &str, rng: &mut Rng) -> String {
    let region = rng.pick(REGIONS);
    let n = rng.below(50);
    match crate::arn::action_service(action) {
        "s3" if action.contains("Bucket") => format!("arn:aws:s3:::{team}-bucket-{n}"),
        "s3" => format!("arn:aws:s3:::{team}-bucket-{n}/*"),
        "dynamodb" => format!("arn:aws:dynamodb:{region}:{account}:table/{team}-table-{n}"),
        "sqs" => format!("arn:aws:sqs:{region}:{account}:{team}-queue-{n}"),
        "sns" => format!("arn:aws:sns:{region}:{account}:{team}-topic-{n}"),
        "kms" => format!(
            "arn:aws:kms:{region}:{account}:key/{:08x}-1111-2222-3333-{:012x}",
            rng.next() as u32,
            rng.next() & 0xffff_ffff_ffff
        ),
        "logs" => format!("arn:aws:logs:{region}:{account}:log-group:/aws/{team}/{n}:*"),
        "lambda" => format!("arn:aws:lambda:{region}:{account}:function:{team}-fn-{n}"),
        "secretsmanager" => {
            format!("arn:aws:secretsmanager:{region}:{account}:secret:{team}/db-{n}-AbCdEf")
        }
        "ssm" => format!("arn:aws:ssm:{region}:{account}:parameter/{team}/{n}/*"),
        "iam" => format!("arn:aws:iam::{account}:role/{team}-service-role-{n}"),
        "sts" => format!("arn:aws:iam::{account}:role/{team}-deploy-{n}"),
        "ec2" if action.starts_with("ec2:Describe") => "*".into(),
        "ec2" => format!("arn:aws:ec2:{region}:{account}:instance/*"),
        _ => "*".into(),
    }
}

fn document(account: &str, team: &str, statements: usize, rng: &mut Rng) -> Value {
    let mut st = Vec::new();
    for i in 0..statements {
        let n = 1 + rng.below(5);
        let mut actions: Vec<&str> = (0..n).map(|_| *rng.pick(ACTIONS)).collect();
        actions.sort();
        actions.dedup();
        let resources: Vec<String> = (0..1 + rng.below(3))
            .map(|_| resource_for(actions[0], account, team, rng))
            .collect();
        let deny = rng.chance(8);
        let mut s = json!({
            "Sid": format!("{}{}", if deny { "Deny" } else { "Allow" }, i),
            "Effect": if deny { "Deny" } else { "Allow" },
            "Action": if actions.len() == 1 { json!(actions[0]) } else { json!(actions) },
            "Resource": if resources.len() == 1 { json!(resources[0]) } else { json!(resources) },
        });
        match rng.below(10) {
            0 => {
                s["Condition"] = json!({"StringEquals": {"aws:RequestedRegion": [rng.pick(REGIONS), rng.pick(REGIONS)]}})
            }
            1 => s["Condition"] = json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
            2 => {
                s["Condition"] =
                    json!({"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}})
            }
            3 => {
                s["Condition"] =
                    json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}})
            }
            _ => {}
        }
        st.push(s);
    }
    json!({"Version": "2012-10-17", "Statement": st})
}

fn trust(account: &str, org: Option<&OrgLinks>, rng: &mut Rng) -> Value {
    let principal_stmt = match rng.below(10) {
        0..=4 => {
            json!({"Effect": "Allow", "Principal": {"Service": rng.pick(SERVICES)}, "Action": "sts:AssumeRole"})
        }
        5 | 6 => {
            json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
        }
        // Inside an organisation, a role trusts another of its accounts' deployer, if it is in the organisation.
        7 if org.is_some_and(|o| !o.peers.is_empty()) => {
            let o = org
                .map(|o| (o.org_id.as_str(), o.peers.as_slice()))
                .unwrap_or_default();
            json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{}:role/platform/deployer", rng.pick(o.1))},
            "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:PrincipalOrgID": o.0}}})
        }
        7 => {
            json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{:012}:root", 100_000_000_000u64 + rng.below(1000) as u64)},
            "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": format!("ext-{}", rng.next() % 100_000)}}})
        }
        8 => {
            json!({"Effect": "Allow", "Principal": {"Federated": format!("arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com")},
            "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {"token.actions.githubusercontent.com:sub": format!("repo:example/{}:*", rng.pick(TEAMS))}}})
        }
        _ => {
            json!({"Effect": "Allow", "Principal": {"Federated": format!("arn:aws:iam::{account}:saml-provider/Corp")},
            "Action": "sts:AssumeRoleWithSAML", "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}})
        }
    };
    json!({"Version": "2012-10-17", "Statement": [principal_stmt]})
}

fn doc_value(doc: Value, spec: &Spec) -> Value {
    if spec.url_encoded {
        let compact = doc.to_string();
        Value::String(
            percent_encoding::utf8_percent_encode(&compact, percent_encoding::NON_ALPHANUMERIC)
                .to_string(),
        )
    } else {
        doc
    }
}

/// The bundled AWS-managed policies as (name, arn, path, version, document text).
fn aws_managed() -> Vec<(String, String, String, String, String)> {
    let text = crate::account::bundled::AWS_MANAGED_JSON;
    let p = crate::json::parse(text);
    let d = &p.doc;
    d.children(p.root)
        .filter_map(|e| {
            let s = |k: &str| d.get(text, e, k).map(|n| d.str(text, n).into_owned());
            let doc = d.get(text, e, "Document")?;
            Some((
                s("PolicyName")?,
                s("Arn")?,
                s("Path").unwrap_or_else(|| "/".into()),
                s("DefaultVersionId").unwrap_or_else(|| "v1".into()),
                crate::text::at(text, d.span(doc)).to_string(),
            ))
        })
        .collect()
}

fn write_element(w: &mut dyn Write, v: &Value, first: &mut bool) -> std::io::Result<()> {
    if !*first {
        w.write_all(b",\n")?;
    }
    *first = false;
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(v, &mut ser).map_err(std::io::Error::other)?;
    w.write_all(b"        ")?;
    for (i, line) in buf.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            w.write_all(b"\n        ")?;
        }
        w.write_all(line)?;
    }
    Ok(())
}

/// Write a synthetic export to `w`.
pub fn write(w: &mut dyn Write, spec: &Spec) -> std::io::Result<()> {
    let mut rng = Rng(spec.seed);
    let acct = spec.account.as_str();
    let aws = aws_managed();
    let policy_arn = |i: usize| {
        format!(
            "arn:aws:iam::{acct}:policy/{}/svc-policy-{i}",
            TEAMS[i % TEAMS.len()]
        )
    };
    let pick_policy = |rng: &mut Rng| -> (String, String) {
        if rng.chance(30) && !aws.is_empty() {
            let a = &aws[rng.below(aws.len())];
            (a.0.clone(), a.1.clone())
        } else {
            let i = rng.below(spec.policies.max(1));
            (format!("svc-policy-{i}"), policy_arn(i))
        }
    };
    let group_name = |i: usize| format!("{}-group-{i}", TEAMS[i % TEAMS.len()]);

    w.write_all(b"{\n    \"UserDetailList\": [\n")?;
    let mut first = true;
    for i in 0..spec.users {
        let team = TEAMS[i % TEAMS.len()];
        let groups: Vec<String> = (0..1 + rng.below(3))
            .map(|_| group_name(rng.below(spec.groups.max(1))))
            .collect();
        let attached: Vec<Value> = (0..rng.below(3))
            .map(|_| {
                let (n, a) = pick_policy(&mut rng);
                json!({"PolicyName": n, "PolicyArn": a})
            })
            .collect();
        let mut u = json!({
            "Path": format!("/{team}/"),
            "UserName": format!("user-{i}"),
            "UserId": uid("AIDA", &mut rng),
            "Arn": format!("arn:aws:iam::{acct}:user/{team}/user-{i}"),
            "CreateDate": date(&mut rng),
            "UserPolicyList": [],
            "GroupList": if spec.groups == 0 { json!([]) } else { json!(groups) },
            "AttachedManagedPolicies": attached,
            "Tags": [{"Key": "team", "Value": team}, {"Key": "cost-center", "Value": format!("cc-{}", rng.below(100))}],
        });
        if rng.chance(30) {
            let d = document(acct, team, 1 + rng.below(3), &mut rng);
            u["UserPolicyList"] = json!([{"PolicyName": format!("user-{i}-inline"), "PolicyDocument": doc_value(d, spec)}]);
        }
        if rng.chance(10) && spec.policies > 0 {
            let b = rng.below(spec.policies);
            u["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": policy_arn(b)});
        }
        write_element(w, &u, &mut first)?;
    }
    w.write_all(b"\n    ],\n    \"GroupDetailList\": [\n")?;
    first = true;
    for i in 0..spec.groups {
        let team = TEAMS[i % TEAMS.len()];
        let attached: Vec<Value> = (0..1 + rng.below(3))
            .map(|_| {
                let (n, a) = pick_policy(&mut rng);
                json!({"PolicyName": n, "PolicyArn": a})
            })
            .collect();
        let inline = if rng.chance(40) {
            let d = document(acct, team, 2 + rng.below(4), &mut rng);
            json!([{"PolicyName": format!("group-{i}-inline"), "PolicyDocument": doc_value(d, spec)}])
        } else {
            json!([])
        };
        let g = json!({
            "Path": "/",
            "GroupName": group_name(i),
            "GroupId": uid("AGPA", &mut rng),
            "Arn": format!("arn:aws:iam::{acct}:group/{}", group_name(i)),
            "CreateDate": date(&mut rng),
            "GroupPolicyList": inline,
            "AttachedManagedPolicies": attached,
        });
        write_element(w, &g, &mut first)?;
    }
    w.write_all(b"\n    ],\n    \"RoleDetailList\": [\n")?;
    first = true;
    for i in 0..spec.roles {
        let team = TEAMS[i % TEAMS.len()];
        let name = format!("{team}-role-{i}");
        let arn = format!("arn:aws:iam::{acct}:role/{team}/{name}");
        let role_id = uid("AROA", &mut rng);
        let created = date(&mut rng);
        let t = trust(acct, spec.org.as_ref(), &mut rng);
        let is_ec2 = t.to_string().contains("ec2.amazonaws.com");
        let mut attached: Vec<Value> = (0..1 + rng.below(3))
            .map(|_| {
                let (n, a) = pick_policy(&mut rng);
                json!({"PolicyName": n, "PolicyArn": a})
            })
            .collect();
        if spec.org.is_some() && i % 10 == 0 {
            attached.push(json!({"PolicyName": ORG_SHARED_READ, "PolicyArn": format!("arn:aws:iam::{acct}:policy/{ORG_SHARED_READ}")}));
        }
        let inline: Vec<Value> = (0..rng.below(3))
            .map(|k| {
                let d = document(acct, team, 1 + rng.below(4), &mut rng);
                json!({"PolicyName": format!("{name}-inline-{k}"), "PolicyDocument": doc_value(d, spec)})
            })
            .collect();
        let mut r = json!({
            "Path": format!("/{team}/"),
            "RoleName": name,
            "RoleId": role_id,
            "Arn": arn,
            "CreateDate": created,
            "AssumeRolePolicyDocument": doc_value(t.clone(), spec),
            "InstanceProfileList": [],
            "RolePolicyList": inline,
            "AttachedManagedPolicies": attached,
            "Tags": [{"Key": "team", "Value": team}],
            "RoleLastUsed": if rng.chance(70) { json!({"LastUsedDate": date(&mut rng), "Region": rng.pick(REGIONS)}) } else { json!({}) },
            "MaxSessionDuration": 3600,
        });
        if is_ec2 {
            r["InstanceProfileList"] = json!([{
                "Path": format!("/{team}/"),
                "InstanceProfileName": format!("{team}-role-{i}"),
                "InstanceProfileId": uid("AIPA", &mut rng),
                "Arn": format!("arn:aws:iam::{acct}:instance-profile/{team}/{team}-role-{i}"),
                "CreateDate": r["CreateDate"].clone(),
                "Roles": [{"Path": format!("/{team}/"), "RoleName": format!("{team}-role-{i}"), "RoleId": r["RoleId"].clone(),
                    "Arn": r["Arn"].clone(), "CreateDate": r["CreateDate"].clone(), "AssumeRolePolicyDocument": doc_value(t, spec)}],
            }]);
        }
        if rng.chance(10) && spec.policies > 0 {
            let b = rng.below(spec.policies);
            r["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": policy_arn(b)});
        }
        write_element(w, &r, &mut first)?;
    }
    if let Some(org) = &spec.org {
        // The deployer other accounts' roles trust: it may assume roles anywhere in the organisation.
        let r = json!({
            "Path": "/platform/", "RoleName": "deployer", "RoleId": uid("AROA", &mut rng),
            "Arn": format!("arn:aws:iam::{acct}:role/platform/deployer"), "CreateDate": date(&mut rng),
            "AssumeRolePolicyDocument": doc_value(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Federated": format!("arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com")},
                "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {
                    "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                     "token.actions.githubusercontent.com:sub": "repo:example/platform:ref:refs/heads/main"}}}]}), spec),
            "InstanceProfileList": [],
            "RolePolicyList": [{"PolicyName": "assume-in-organisation", "PolicyDocument": doc_value(json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/*",
                "Condition": {"StringEquals": {"aws:ResourceOrgID": org.org_id}}}]}), spec)}],
            "AttachedManagedPolicies": [{"PolicyName": ORG_SHARED_READ, "PolicyArn": format!("arn:aws:iam::{acct}:policy/{ORG_SHARED_READ}")}],
            "Tags": [{"Key": "team", "Value": "platform"}], "RoleLastUsed": {}, "MaxSessionDuration": 3600,
        });
        write_element(w, &r, &mut first)?;
    }
    w.write_all(b"\n    ],\n    \"Policies\": [\n")?;
    first = true;
    if spec.org.is_some() {
        let d = json!({"Version": "2012-10-17", "Statement": [{"Sid": "ReadOrganisationSharedBuckets", "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::org-shared-*", "arn:aws:s3:::org-shared-*/*"]}]});
        let p = json!({
            "PolicyName": ORG_SHARED_READ, "PolicyId": uid("ANPA", &mut rng),
            "Arn": format!("arn:aws:iam::{acct}:policy/{ORG_SHARED_READ}"), "Path": "/",
            "DefaultVersionId": "v1", "AttachmentCount": spec.roles / 10 + 1, "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": true, "CreateDate": date(&mut rng), "UpdateDate": date(&mut rng),
            "PolicyVersionList": [{"Document": doc_value(d, spec), "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": date(&mut rng)}],
        });
        write_element(w, &p, &mut first)?;
    }
    for i in 0..spec.policies {
        let team = TEAMS[i % TEAMS.len()];
        let nver = 1 + rng.below(3);
        let default = 1 + rng.below(nver);
        let versions: Vec<Value> = (1..=nver)
            .map(|v| {
                let d = document(acct, team, 3 + rng.below(10), &mut rng);
                json!({"Document": doc_value(d, spec), "VersionId": format!("v{v}"), "IsDefaultVersion": v == default, "CreateDate": date(&mut rng)})
            })
            .collect();
        let p = json!({
            "PolicyName": format!("svc-policy-{i}"),
            "PolicyId": uid("ANPA", &mut rng),
            "Arn": policy_arn(i),
            "Path": format!("/{team}/"),
            "DefaultVersionId": format!("v{default}"),
            "AttachmentCount": rng.below(40),
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": true,
            "CreateDate": date(&mut rng),
            "UpdateDate": date(&mut rng),
            "PolicyVersionList": versions,
        });
        write_element(w, &p, &mut first)?;
    }
    for (name, arn, path, version, doc) in &aws {
        let d: Value = serde_json::from_str(doc).unwrap_or(Value::Null);
        let p = json!({
            "PolicyName": name, "PolicyId": uid("ANPA", &mut rng), "Arn": arn, "Path": path,
            "DefaultVersionId": version, "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0, "IsAttachable": true,
            "CreateDate": "2015-02-06T18:40:58+00:00", "UpdateDate": "2019-03-20T23:25:59+00:00",
            "PolicyVersionList": [{"Document": doc_value(d, spec), "VersionId": version, "IsDefaultVersion": true, "CreateDate": "2019-03-20T23:25:59+00:00"}],
        });
        write_element(w, &p, &mut first)?;
    }
    w.write_all(b"\n    ]\n}\n")?;
    Ok(())
}

/// Write a new file (refusing to overwrite one). Returns its size.
pub fn write_new_file(path: &Path, spec: &Spec) -> std::io::Result<u64> {
    crate::files::write_new(path, |w| write(w, spec))?;
    Ok(std::fs::metadata(path)?.len())
}

/// The large synthetic export the benchmarks share, `DIR/synthetic-large.json` ([`Spec::large`]), written (a
/// temporary file, then a rename) when it is not there yet.
pub fn large_export_in(dir: &Path) -> std::io::Result<std::path::PathBuf> {
    let file = dir.join("synthetic-large.json");
    if !file.exists() {
        std::fs::create_dir_all(dir)?;
        write_new_file(&file, &Spec::large())?;
    }
    Ok(file)
}

/// Generate into memory.
pub fn to_string(spec: &Spec) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(&mut buf, spec);
    String::from_utf8(buf).unwrap_or_default()
}

/// A whole organisation: `accounts` exports shaped by `per_account`, an organisation tree of OUs with SCPs, roles
/// that trust other accounts of the organisation, and in each account a bucket whose policy grants the
/// organisation (`aws:PrincipalOrgID`) and one other account; one account in 97 also grants the world.
#[derive(Clone, Debug)]
pub struct OrgSpec {
    /// Number of accounts (the first is the management account).
    pub accounts: usize,
    /// The shape of every account's export (its `account`, `seed` and `org` are set per account).
    pub per_account: Spec,
    /// Random seed.
    pub seed: u64,
}

/// The organisation's id in generated workspaces.
pub const ORG_ID: &str = "o-gen0rg1000";

impl OrgSpec {
    /// An organisation of `accounts` accounts of about 1.5 MB of export each.
    pub fn new(accounts: usize) -> OrgSpec {
        OrgSpec {
            accounts,
            per_account: Spec {
                account: String::new(),
                users: 60,
                groups: 8,
                roles: 200,
                policies: 40,
                seed: 1,
                url_encoded: false,
                org: None,
            },
            seed: 1,
        }
    }

    /// The id of account `i`.
    pub fn account_id(i: usize) -> String {
        format!("{:012}", 210_000_000_000u64 + i as u64)
    }

    /// The shared bucket of account `i`, whose policy grants the organisation.
    pub fn shared_bucket(i: usize) -> String {
        format!("org-shared-{}", Self::account_id(i))
    }

    fn account_spec(&self, i: usize) -> Spec {
        let n = self.accounts.max(1);
        // A handful of peers per account, spread over the organisation.
        let peers = [1usize, 7, 31, 127]
            .iter()
            .map(|d| Self::account_id((i + d) % n))
            .filter(|p| *p != Self::account_id(i))
            .collect();
        Spec {
            account: Self::account_id(i),
            seed: self.seed.wrapping_mul(1_000_003).wrapping_add(i as u64 + 1),
            org: Some(OrgLinks {
                org_id: ORG_ID.into(),
                peers,
            }),
            ..self.per_account.clone()
        }
    }
}

/// The organisation of `accounts` accounts ([`OrgSpec::new`]) the benchmarks share, `DIR/org-N/workspace.json`,
/// written when it is not there yet (a directory left half-written by an interrupted run is replaced).
pub fn org_in(dir: &Path, accounts: usize) -> std::io::Result<std::path::PathBuf> {
    let root = dir.join(format!("org-{accounts}"));
    let workspace = root.join("workspace.json");
    if !workspace.exists() {
        // The workspace file is written last: without it, what is there is an unfinished run's.
        if root.exists() {
            std::fs::remove_dir_all(&root)?;
        }
        write_org(&root, &OrgSpec::new(accounts))?;
    }
    Ok(workspace)
}

/// What [`write_org`] wrote.
#[derive(Clone, Debug)]
pub struct OrgWritten {
    /// The workspace file that opens the organisation.
    pub workspace: std::path::PathBuf,
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
}

const SCPS: &[(&str, &str)] = &[
    (
        "FullAWSAccess",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    ),
    (
        "DenyLeaveOrganization",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyLeave","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#,
    ),
    (
        "RegionGuardrail",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyOutsideApprovedRegions","Effect":"Deny","NotAction":["iam:*","sts:*","organizations:*","support:*","cloudfront:*","route53:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}]}"#,
    ),
    (
        "ProtectProduction",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"ProtectAuditTrail","Effect":"Deny","Action":["cloudtrail:StopLogging","cloudtrail:DeleteTrail"],"Resource":"*"},{"Sid":"NoDataDeletion","Effect":"Deny","Action":["s3:DeleteBucket","dynamodb:DeleteTable"],"Resource":"*","Condition":{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/platform/deployer"}}}]}"#,
    ),
    (
        "SandboxNoIamUsers",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoLongLivedCredentials","Effect":"Deny","Action":["iam:CreateUser","iam:CreateAccessKey"],"Resource":"*"}]}"#,
    ),
];

/// Write an organisation into `dir` (created if missing): `workspace.json`, `accounts/<id>.json`,
/// `org/scp-<name>.json` and `resource-policies/<id>-org-shared.json`. No existing file is overwritten. The
/// exports are written on every core.
pub fn write_org(dir: &Path, spec: &OrgSpec) -> std::io::Result<OrgWritten> {
    let n = spec.accounts.max(1);
    for sub in ["accounts", "org", "resource-policies"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let mut tally = (0u64, 0usize);
    fn small(tally: &mut (u64, usize), path: &Path, text: &str) -> std::io::Result<()> {
        crate::files::write_new(path, |w| w.write_all(text.as_bytes()))?;
        tally.0 += text.len() as u64;
        tally.1 += 1;
        Ok(())
    }
    for (name, content) in SCPS {
        let doc = json!({"Policy": {"PolicySummary": {
            "Id": format!("p-{}", name.to_lowercase()),
            "Arn": format!("arn:aws:organizations::{}:policy/{ORG_ID}/service_control_policy/p-{}", OrgSpec::account_id(0), name.to_lowercase()),
            "Name": name, "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": *name == "FullAWSAccess"},
            "Content": content}});
        small(
            &mut tally,
            &dir.join(format!("org/scp-{name}.json")),
            &serde_json::to_string_pretty(&doc).unwrap_or_default(),
        )?;
    }
    let scps = |names: &[&str]| -> Value {
        json!(
            names
                .iter()
                .map(|s| format!("org/scp-{s}.json"))
                .collect::<Vec<_>>()
        )
    };
    // Accounts 1.. go round the leaf OUs; the management account stays at the root.
    const LEAVES: [&str; 6] = [
        "security",
        "infrastructure",
        "prod",
        "staging",
        "dev",
        "sandbox",
    ];
    let mut leaf_accounts: Vec<Vec<String>> = vec![Vec::new(); LEAVES.len()];
    for i in 1..n {
        if let Some(l) = leaf_accounts.get_mut(i % LEAVES.len()) {
            l.push(OrgSpec::account_id(i));
        }
    }
    let leaf = |k: usize, extra: &[&str]| -> Value {
        let mut names = vec!["FullAWSAccess"];
        names.extend_from_slice(extra);
        json!({"id": format!("ou-gen0-{}", LEAVES[k]), "name": LEAVES[k], "scps": scps(&names),
               "accounts": leaf_accounts[k], "children": []})
    };
    let tree = json!({
        "id": "r-gen0", "name": "Root", "scps": scps(&["FullAWSAccess", "DenyLeaveOrganization"]),
        "accounts": [OrgSpec::account_id(0)],
        "children": [
            leaf(0, &[]),
            leaf(1, &[]),
            {"id": "ou-gen0-workloads", "name": "workloads", "scps": scps(&["FullAWSAccess", "RegionGuardrail"]), "accounts": [],
             "children": [leaf(2, &["ProtectProduction"]), leaf(3, &[]), leaf(4, &[]), leaf(5, &["SandboxNoIamUsers"])]},
        ],
    });
    let mut accounts = Vec::with_capacity(n);
    for i in 0..n {
        let id = OrgSpec::account_id(i);
        let bucket = OrgSpec::shared_bucket(i);
        let peer = OrgSpec::account_id((i + 1) % n);
        let mut statements = vec![
            json!({"Sid": "OrganisationReads", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": format!("arn:aws:s3:::{bucket}/*"), "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}}),
            json!({"Sid": "PeerLists", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{peer}:root")},
                   "Action": "s3:ListBucket", "Resource": format!("arn:aws:s3:::{bucket}")}),
        ];
        if i % 97 == 96 {
            statements.push(json!({"Sid": "PublicReports", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                   "Resource": format!("arn:aws:s3:::{bucket}/public/*")}));
        }
        let policy = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
        small(
            &mut tally,
            &dir.join(format!("resource-policies/{id}-org-shared.json")),
            &serde_json::to_string_pretty(&json!({ "Policy": policy })).unwrap_or_default(),
        )?;
        accounts.push(json!({
            "id": id, "alias": format!("gen-{i:04}"),
            "authorization_details": format!("accounts/{id}.json"),
            "identity_providers": [format!("arn:aws:iam::{id}:oidc-provider/token.actions.githubusercontent.com")],
            "resource_policies": [{"resource": format!("arn:aws:s3:::{bucket}"), "file": format!("resource-policies/{id}-org-shared.json")}],
        }));
    }
    // The exports, on every core.
    let workers = std::thread::available_parallelism()
        .map(|p| p.get())
        .unwrap_or(1)
        .min(n);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::io::Result<u64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| -> std::io::Result<u64> {
                    let mut total = 0;
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= n {
                            return Ok(total);
                        }
                        let path = dir.join(format!("accounts/{}.json", OrgSpec::account_id(i)));
                        total += write_new_file(&path, &spec.account_spec(i))?;
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("a generator thread panicked")))
            })
            .collect()
    });
    for r in results {
        tally.0 += r?;
    }
    tally.1 += n;
    let workspace = json!({
        "format": crate::account::workspace::FORMAT,
        "name": format!("Generated organisation of {n} accounts"),
        "organization": {"id": ORG_ID, "management_account": OrgSpec::account_id(0), "root": tree},
        "accounts": accounts,
    });
    let ws_path = dir.join("workspace.json");
    small(
        &mut tally,
        &ws_path,
        &serde_json::to_string_pretty(&workspace).unwrap_or_default(),
    )?;
    Ok(OrgWritten {
        workspace: ws_path,
        files: tally.1,
        bytes: tally.0,
    })
}
