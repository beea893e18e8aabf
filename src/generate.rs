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
    match action.split(':').next().unwrap_or("") {
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

fn trust(account: &str, rng: &mut Rng) -> Value {
    let principal_stmt = match rng.below(10) {
        0..=4 => {
            json!({"Effect": "Allow", "Principal": {"Service": rng.pick(SERVICES)}, "Action": "sts:AssumeRole"})
        }
        5 | 6 => {
            json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
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
        let t = trust(acct, &mut rng);
        let is_ec2 = t.to_string().contains("ec2.amazonaws.com");
        let attached: Vec<Value> = (0..1 + rng.below(3))
            .map(|_| {
                let (n, a) = pick_policy(&mut rng);
                json!({"PolicyName": n, "PolicyArn": a})
            })
            .collect();
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
    w.write_all(b"\n    ],\n    \"Policies\": [\n")?;
    first = true;
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
