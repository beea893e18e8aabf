//! Conformance suite for the evaluation engine: table-driven cases written from the AWS documentation
//! (`tests/conformance/*.json`), each naming the rule it checks (`rule`) and the page it comes from (`doc`).
//!
//! Every case describes a small world: the principal (user, role, role session, root, anonymous, service,
//! web-identity provider, federated user) with its identity policies, groups, managed policies (with versions),
//! permissions boundary and tags; a resource policy; the trust policy of a target role for `sts:AssumeRole*`;
//! session policies; SCPs and RCPs at every level of an organisation; and the request. The harness turns the
//! world into `get-account-authorization-details` exports (one per account), an organisation and
//! [`Overrides`], evaluates the request and compares the decision (and, when the case says, the deciding layer,
//! the layers' own verdicts, certainty and the context keys reported missing). Every case's explanation is also
//! checked against the decision ([`explanation_problems`]): the deciding layer's verdict is the decision and it
//! names the `Allow` or `Deny` statement that decided.
//!
//! All failures are reported together.

use iam_atlas::account::export::{LoadCtx, load_export};
use iam_atlas::account::extras::load_org_policy;
use iam_atlas::account::workspace::finish;
use iam_atlas::account::{Model, OrgNode, OrgPolicyKind, Organization};
use iam_atlas::eval::{
    Context, Decision, EvalResult, Overrides, Principal, Request, decide_brief, evaluate,
};
use iam_atlas::policy::{Interner, Policy, parse_text};
use iam_atlas::time::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// An account's id with its SCP and RCP indexes.
type AccountPolicies = (String, Option<Vec<u32>>, Option<Vec<u32>>);

const DEFAULT_ACCOUNT: &str = "111111111111";
const DEFAULT_NOW: &str = "2025-06-15T12:00:00Z";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct PrincipalSpec {
    /// user | role | session | root | anonymous | service | federated | federated_user
    #[serde(rename = "type")]
    kind: Option<String>,
    account: Option<String>,
    name: Option<String>,
    tags: BTreeMap<String, String>,
    session: Option<String>,
    service_linked: bool,
    /// For `service`: the service principal; for `federated`: the provider ARN; otherwise an explicit ARN.
    arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionSpec {
    doc: Value,
    #[serde(default)]
    default: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManagedSpec {
    name: String,
    #[serde(default)]
    doc: Option<Value>,
    #[serde(default)]
    versions: Vec<VersionSpec>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct OrgSpec {
    management_account: Option<String>,
    principal_in_org: Option<bool>,
    resource_in_org: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestSpec {
    action: String,
    resource: String,
    /// The resource's account; when neither this nor the ARN says, the principal's (as the cases' authors
    /// mean an S3 bucket), unless `account_unknown`.
    #[serde(default)]
    resource_account: Option<String>,
    /// The request does not say the resource's account (an S3 ARN names none).
    #[serde(default)]
    account_unknown: bool,
    #[serde(default)]
    context: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    rule: String,
    doc: String,
    #[serde(default)]
    principal: PrincipalSpec,
    #[serde(default)]
    identity: Vec<Value>,
    #[serde(default)]
    managed: Vec<ManagedSpec>,
    /// ARNs of managed policies attached to the principal but absent from the export.
    #[serde(default)]
    dangling: Vec<String>,
    #[serde(default)]
    boundary: Option<Value>,
    #[serde(default)]
    session_policies: Vec<Value>,
    #[serde(default)]
    groups: BTreeMap<String, Vec<Value>>,
    #[serde(default)]
    resource_policy: Option<Value>,
    #[serde(default)]
    trust: Option<Value>,
    /// The trust policy of the principal's own role (default: EC2 may assume it).
    #[serde(default)]
    principal_trust: Option<Value>,
    #[serde(default)]
    scps: Vec<Vec<Value>>,
    #[serde(default)]
    rcps: Vec<Vec<Value>>,
    #[serde(default)]
    org: Option<OrgSpec>,
    request: RequestSpec,
    #[serde(default)]
    now: Option<String>,
    expected: String,
    #[serde(default)]
    decided_by: Option<String>,
    /// Expected layer verdicts, e.g. `{"Boundary": "ImplicitDeny"}`.
    #[serde(default)]
    verdicts: BTreeMap<String, String>,
    /// Expected certainty (default: certain).
    #[serde(default)]
    certain: Option<bool>,
    /// Keys that must be reported as tested but missing.
    #[serde(default)]
    missing_keys: Vec<String>,
    /// The AWS rule that decided before any policy (`NoPermissionNeeded`, `ProtectedByAws`).
    #[serde(default)]
    aws_rule: Option<String>,
    /// Text that one of the reasons for uncertainty must contain (names what was not read).
    #[serde(default)]
    unknown_contains: Option<String>,
    /// The `Sid` of a statement of the deciding layer that matched with the decision's effect: the explanation
    /// names the statement that decided, not only the decision.
    #[serde(default)]
    deciding_sid: Option<String>,
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| is_account_id(a))
}

fn is_assume(action: &str) -> bool {
    action.to_ascii_lowercase().starts_with("sts:assumerole")
}

/// One account's export, built up.
#[derive(Default)]
struct ExportBuilder {
    users: Vec<Value>,
    groups: Vec<Value>,
    roles: Vec<Value>,
    policies: Vec<Value>,
}

impl ExportBuilder {
    fn to_json(&self) -> String {
        json!({
            "UserDetailList": self.users,
            "GroupDetailList": self.groups,
            "RoleDetailList": self.roles,
            "Policies": self.policies,
        })
        .to_string()
    }
}

fn tags_json(tags: &BTreeMap<String, String>) -> Value {
    Value::Array(
        tags.iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect(),
    )
}

fn inline_list(docs: &[Value], prefix: &str) -> Value {
    Value::Array(
        docs.iter()
            .enumerate()
            .map(|(i, d)| json!({"PolicyName": format!("{prefix}{i}"), "PolicyDocument": d}))
            .collect(),
    )
}

fn managed_policy_json(account: &str, name: &str, versions: &[(Value, bool)]) -> Value {
    let default = versions
        .iter()
        .position(|(_, d)| *d)
        .map(|i| format!("v{}", i + 1))
        .unwrap_or_else(|| "v1".into());
    json!({
        "PolicyName": name,
        "PolicyId": format!("ANPA{}", name.to_ascii_uppercase()),
        "Arn": format!("arn:aws:iam::{account}:policy/{name}"),
        "Path": "/",
        "DefaultVersionId": default,
        "AttachmentCount": 1,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": true,
        "CreateDate": "2024-01-01T00:00:00Z",
        "UpdateDate": "2024-01-01T00:00:00Z",
        "PolicyVersionList": versions.iter().enumerate().map(|(i, (doc, d))| json!({
            "Document": doc,
            "VersionId": format!("v{}", i + 1),
            "IsDefaultVersion": d,
            "CreateDate": "2024-01-01T00:00:00Z",
        })).collect::<Vec<_>>(),
    })
}

fn default_trust() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
}

fn parse_policy(v: &Value, interner: &mut Interner) -> Policy {
    parse_text(&v.to_string(), interner).policy
}

struct Built {
    model: Model,
    spec: String,
    overrides: Overrides,
}

fn build(c: &Case) -> Result<Built, String> {
    let p = &c.principal;
    let kind = p.kind.as_deref().unwrap_or("user");
    let account = p.account.clone().unwrap_or_else(|| DEFAULT_ACCOUNT.into());
    let has_account = !matches!(kind, "anonymous" | "service" | "federated");
    let mut exports: BTreeMap<String, ExportBuilder> = BTreeMap::new();
    if has_account {
        exports.entry(account.clone()).or_default();
    }
    let resource_account = c
        .request
        .resource_account
        .clone()
        .or_else(|| arn_account(&c.request.resource).map(str::to_string));
    if let Some(ra) = &resource_account {
        exports.entry(ra.clone()).or_default();
    }
    if let Some(m) = c.org.as_ref().and_then(|o| o.management_account.clone()) {
        exports.entry(m).or_default();
    }

    // The principal's own entity.
    let default_name = match kind {
        "user" | "federated_user" => "alice",
        _ => "app",
    };
    let name = p.name.clone().unwrap_or_else(|| default_name.into());
    let mut attached: Vec<Value> = Vec::new();
    let mut boundary_json = Value::Null;
    if matches!(kind, "user" | "role" | "session") {
        let e = exports.entry(account.clone()).or_default();
        for m in &c.managed {
            let versions: Vec<(Value, bool)> = match (&m.doc, m.versions.is_empty()) {
                (Some(d), _) => vec![(d.clone(), true)],
                (None, false) => m
                    .versions
                    .iter()
                    .map(|v| (v.doc.clone(), v.default))
                    .collect(),
                (None, true) => return Err(format!("managed policy {} has no document", m.name)),
            };
            e.policies
                .push(managed_policy_json(&account, &m.name, &versions));
            attached.push(json!({"PolicyName": m.name,
                "PolicyArn": format!("arn:aws:iam::{account}:policy/{}", m.name)}));
        }
        for arn in &c.dangling {
            attached.push(
                json!({"PolicyName": arn.rsplit('/').next().unwrap_or(arn), "PolicyArn": arn}),
            );
        }
        if let Some(b) = &c.boundary {
            e.policies.push(managed_policy_json(
                &account,
                "boundary",
                &[(b.clone(), true)],
            ));
            boundary_json = json!({"PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": format!("arn:aws:iam::{account}:policy/boundary")});
        }
    } else if !c.managed.is_empty()
        || !c.dangling.is_empty()
        || c.boundary.is_some()
        || !c.identity.is_empty()
        || !c.groups.is_empty()
    {
        return Err(format!("identity policies given for a `{kind}` principal"));
    }
    let trust_target = if is_assume(&c.request.action) && c.request.resource.contains(":role/") {
        c.trust.as_ref().map(|t| {
            let arn = &c.request.resource;
            let acc = arn_account(arn).unwrap_or(DEFAULT_ACCOUNT).to_string();
            let rname = arn.rsplit('/').next().unwrap_or("target").to_string();
            (acc, rname, t.clone())
        })
    } else {
        if c.trust.is_some() {
            return Err("`trust` needs an sts:AssumeRole* request on a role ARN".into());
        }
        None
    };
    let spec: String;
    match kind {
        "user" => {
            let e = exports.entry(account.clone()).or_default();
            let arn = format!("arn:aws:iam::{account}:user/{name}");
            let mut u = json!({
                "UserName": name, "UserId": format!("AIDA{}", name.to_ascii_uppercase()), "Arn": arn, "Path": "/",
                "CreateDate": "2024-01-01T00:00:00Z",
                "GroupList": c.groups.keys().collect::<Vec<_>>(),
                "UserPolicyList": inline_list(&c.identity, "inline"),
                "AttachedManagedPolicies": attached,
                "Tags": tags_json(&p.tags),
            });
            if !boundary_json.is_null() {
                u["PermissionsBoundary"] = boundary_json.clone();
            }
            e.users.push(u);
            for (g, docs) in &c.groups {
                e.groups.push(json!({
                    "GroupName": g, "GroupId": format!("AGPA{}", g.to_ascii_uppercase()),
                    "Arn": format!("arn:aws:iam::{account}:group/{g}"), "Path": "/",
                    "CreateDate": "2024-01-01T00:00:00Z",
                    "GroupPolicyList": inline_list(docs, &format!("{g}-inline")),
                    "AttachedManagedPolicies": [],
                }));
            }
            spec = p.arn.clone().unwrap_or(arn);
        }
        "role" | "session" => {
            if !c.groups.is_empty() {
                return Err("roles have no groups".into());
            }
            let e = exports.entry(account.clone()).or_default();
            let path = if p.service_linked {
                "/aws-service-role/elasticloadbalancing.amazonaws.com/".to_string()
            } else {
                "/".to_string()
            };
            let arn = format!("arn:aws:iam::{account}:role{path}{name}");
            // When the principal's own role is the target of an AssumeRole, its trust is the case's.
            let trust = match &trust_target {
                Some((a, r, t)) if *a == account && *r == name => t.clone(),
                _ => c.principal_trust.clone().unwrap_or_else(default_trust),
            };
            let mut r = json!({
                "RoleName": name, "RoleId": format!("AROA{}", name.to_ascii_uppercase()), "Arn": arn, "Path": path,
                "CreateDate": "2024-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": trust,
                "RolePolicyList": inline_list(&c.identity, "inline"),
                "AttachedManagedPolicies": attached,
                "InstanceProfileList": [],
                "Tags": tags_json(&p.tags),
            });
            if !boundary_json.is_null() {
                r["PermissionsBoundary"] = boundary_json.clone();
            }
            e.roles.push(r);
            spec = match (&p.arn, kind) {
                (Some(a), _) => a.clone(),
                (None, "role") => arn,
                (None, _) => format!(
                    "arn:aws:sts::{account}:assumed-role/{name}/{}",
                    p.session.as_deref().unwrap_or("s1")
                ),
            };
        }
        "root" => spec = account.clone(),
        "anonymous" => spec = "*".into(),
        "service" => {
            spec = p
                .arn
                .clone()
                .unwrap_or_else(|| "lambda.amazonaws.com".into())
        }
        "federated" => {
            spec = p.arn.clone().unwrap_or_else(|| {
                format!("arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com")
            })
        }
        "federated_user" => spec = format!("arn:aws:sts::{account}:federated-user/{name}"),
        other => return Err(format!("unknown principal type `{other}`")),
    }
    if let Some((acc, rname, t)) = &trust_target
        && !(matches!(kind, "role" | "session") && *acc == account && *rname == name)
    {
        let e = exports.entry(acc.clone()).or_default();
        e.roles.push(json!({
            "RoleName": rname, "RoleId": format!("AROA{}", rname.to_ascii_uppercase()),
            "Arn": format!("arn:aws:iam::{acc}:role/{rname}"), "Path": "/",
            "CreateDate": "2024-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": t,
            "RolePolicyList": [], "AttachedManagedPolicies": [], "InstanceProfileList": [], "Tags": [],
        }));
    }

    let mut model = Model::default();
    let mut ctx = LoadCtx::default();
    for (acc, e) in &exports {
        let text = Arc::new(e.to_json());
        load_export(
            &mut model,
            &mut ctx,
            &format!("{acc}.json"),
            text,
            Some(acc),
        )
        .map_err(|e| format!("export {acc}: {e}"))?;
    }
    // Organisation.
    let want_org = !c.scps.is_empty() || !c.rcps.is_empty() || c.org.is_some();
    let mut account_policies: Vec<AccountPolicies> = Vec::new();
    if want_org {
        let o = c.org.as_ref();
        let mut load_level =
            |model: &mut Model, kind: OrgPolicyKind, tag: &str, i: usize, docs: &[Value]| {
                docs.iter()
                    .enumerate()
                    .map(|(j, d)| {
                        load_org_policy(
                            model,
                            &mut ctx,
                            kind,
                            &format!("{tag}-L{i}-P{j}.json"),
                            Arc::new(d.to_string()),
                        )
                        .map_err(|e| format!("{tag} level {i}: {e}"))
                    })
                    .collect::<Result<Vec<u32>, String>>()
            };
        let mut scp_ids = Vec::new();
        for (i, l) in c.scps.iter().enumerate() {
            scp_ids.push(load_level(&mut model, OrgPolicyKind::Scp, "scp", i, l)?);
        }
        let mut rcp_ids = Vec::new();
        for (i, l) in c.rcps.iter().enumerate() {
            rcp_ids.push(load_level(&mut model, OrgPolicyKind::Rcp, "rcp", i, l)?);
        }
        // Level i of n: 0 is the root, n-1 (n ≥ 2) the account, the ones between OUs 1..n-2.
        let at = |ids: &Vec<Vec<u32>>, node: usize, last: bool| -> Option<Vec<u32>> {
            let n = ids.len();
            if n == 0 {
                return None;
            }
            if last {
                return (n >= 2).then(|| ids[n - 1].clone());
            }
            if node == 0 {
                return Some(ids[0].clone());
            }
            (n >= 2 && node <= n - 2).then(|| ids[node].clone())
        };
        let depth = scp_ids.len().max(rcp_ids.len()).max(2) - 2; // number of OUs
        let mut members: BTreeSet<String> = BTreeSet::new();
        if has_account && o.and_then(|o| o.principal_in_org).unwrap_or(true) {
            members.insert(account.clone());
        }
        if let Some(ra) = &resource_account
            && o.and_then(|o| o.resource_in_org).unwrap_or(true)
        {
            members.insert(ra.clone());
        }
        let management = o.and_then(|o| o.management_account.clone());
        if let Some(m) = &management {
            members.remove(m);
        }
        let mut deepest = OrgNode {
            id: format!("ou-{depth}").into(),
            name: format!("OU{depth}").into(),
            scps: at(&scp_ids, depth, false),
            rcps: at(&rcp_ids, depth, false),
            accounts: members.iter().map(|a| a.as_str().into()).collect(),
            children: Vec::new(),
        };
        for d in (1..depth).rev() {
            deepest = OrgNode {
                id: format!("ou-{d}").into(),
                name: format!("OU{d}").into(),
                scps: at(&scp_ids, d, false),
                rcps: at(&rcp_ids, d, false),
                accounts: Vec::new(),
                children: vec![deepest],
            };
        }
        let root = if depth == 0 {
            let mut r = deepest;
            r.id = "r-root".into();
            r.name = "Root".into();
            if let Some(m) = &management {
                r.accounts.push(m.as_str().into());
            }
            r
        } else {
            OrgNode {
                id: "r-root".into(),
                name: "Root".into(),
                scps: at(&scp_ids, 0, false),
                rcps: at(&rcp_ids, 0, false),
                accounts: management.iter().map(|m| m.as_str().into()).collect(),
                children: vec![deepest],
            }
        };
        for a in members.iter().chain(management.iter()) {
            account_policies.push((a.clone(), at(&scp_ids, 0, true), at(&rcp_ids, 0, true)));
        }
        model.organization = Some(Organization {
            id: "o-example".into(),
            management_account: management.map(|m| m.as_str().into()),
            root,
            paths: Default::default(),
        });
    }
    finish(&mut model, &mut ctx);
    for (a, s, r) in account_policies {
        if let Some(i) = model.account_index(&a) {
            model.accounts[i as usize].scps = s;
            model.accounts[i as usize].rcps = r;
        }
    }
    let mut interner = Interner::default();
    let now = Timestamp::parse(c.now.as_deref().unwrap_or(DEFAULT_NOW))
        .ok_or_else(|| "bad `now`".to_string())?;
    let overrides = Overrides {
        session_policies: c
            .session_policies
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("session{i}"), parse_policy(d, &mut interner)))
            .collect(),
        resource_policy: c
            .resource_policy
            .as_ref()
            .map(|d| ("resource".to_string(), parse_policy(d, &mut interner))),
        now: Some(now),
        ..Overrides::default()
    };
    Ok(Built {
        model,
        spec,
        overrides,
    })
}

/// The case's request, in its built world.
fn case_request(c: &Case, b: &Built) -> Result<Request, String> {
    let principal = Principal::resolve(&b.spec, &b.model)?;
    let mut context = Context::new();
    for (k, v) in &c.request.context {
        let values = match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
            other => vec![other.to_string()],
        };
        context.set(k, values);
    }
    let resource_account = c.request.resource_account.clone().or_else(|| {
        let said =
            iam_atlas::account::arn_account(&c.request.resource).is_some_and(|a| !a.is_empty());
        (!said && !c.request.account_unknown && c.request.resource != "*")
            .then(|| principal.account.clone())
            .flatten()
    });
    Ok(Request {
        principal,
        action: c.request.action.clone(),
        resource: c.request.resource.clone(),
        resource_account,
        context,
    })
}

fn run_case(c: &Case) -> Result<EvalResult, String> {
    let b = build(c)?;
    let req = case_request(c, &b)?;
    Ok(evaluate(&b.model, &req, &b.overrides))
}

fn decision_name(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "Allow",
        Decision::ExplicitDeny => "ExplicitDeny",
        Decision::ImplicitDeny => "ImplicitDeny",
    }
}

fn check(c: &Case) -> Result<(), String> {
    if c.rule.trim().is_empty() || !c.doc.starts_with("https://docs.aws.amazon.com/") {
        return Err("every case needs a `rule` and an AWS documentation `doc` link".into());
    }
    if !matches!(
        c.expected.as_str(),
        "Allow" | "ExplicitDeny" | "ImplicitDeny"
    ) {
        return Err(format!("bad expected `{}`", c.expected));
    }
    let r = run_case(c)?;
    let got = decision_name(r.decision);
    let mut problems = Vec::new();
    if got != c.expected {
        problems.push(format!("expected {}, got {got}", c.expected));
    }
    if let Some(want) = &c.decided_by {
        let by = r.decided_by.map(|l| format!("{l:?}")).unwrap_or_default();
        if &by != want {
            problems.push(format!("expected decided_by {want}, got {by}"));
        }
    }
    for (layer, want) in &c.verdicts {
        let got = r
            .layers
            .iter()
            .find(|l| format!("{:?}", l.layer) == *layer)
            .map(|l| format!("{:?}", l.verdict))
            .unwrap_or_else(|| "absent".into());
        if &got != want {
            problems.push(format!("expected {layer} verdict {want}, got {got}"));
        }
    }
    let want_certain = c.certain.unwrap_or(true);
    if r.certain != want_certain {
        problems.push(format!(
            "expected certain={want_certain}, got {} ({:?})",
            r.certain, r.unknown
        ));
    }
    let rule = r.aws_rule.map(|x| format!("{x:?}"));
    if c.aws_rule != rule {
        problems.push(format!("expected AWS rule {:?}, got {rule:?}", c.aws_rule));
    }
    if let Some(want) = &c.unknown_contains
        && !r.unknown.iter().any(|u| u.contains(want.as_str()))
    {
        problems.push(format!(
            "expected a reason containing `{want}` in {:?}",
            r.unknown
        ));
    }
    if let Some(sid) = &c.deciding_sid {
        let effect = if r.decision == Decision::Allow {
            iam_atlas::policy::Effect::Allow
        } else {
            iam_atlas::policy::Effect::Deny
        };
        let found = r
            .layers
            .iter()
            .filter(|l| Some(l.layer) == r.decided_by)
            .flat_map(|l| l.statements.iter())
            .any(|s| s.effect == effect && s.sid.as_deref() == Some(sid.as_str()));
        if !found {
            problems.push(format!(
                "expected statement `{sid}` ({effect:?}) in the deciding layer {:?}",
                r.decided_by
            ));
        }
    }
    problems.extend(explanation_problems(&r));
    for k in &c.missing_keys {
        if !r
            .missing_context_keys
            .iter()
            .any(|m| m.eq_ignore_ascii_case(k))
        {
            problems.push(format!(
                "expected `{k}` among missing context keys {:?}",
                r.missing_context_keys
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n   decided_by: {:?}\n   layers: {}\n   rule: {}",
            problems.join("; "),
            r.decided_by,
            r.layers
                .iter()
                .map(|l| format!("{:?}={:?}", l.layer, l.verdict))
                .collect::<Vec<_>>()
                .join(" "),
            c.rule
        ))
    }
}

/// What every explanation must say, whatever the case: the deciding layer's verdict is the decision; an
/// explicit deny names a `Deny` statement of the deciding layer, and an allow an `Allow` statement of it (the
/// statement that decided, not only the decision); no layer denies explicitly when the decision is an allow;
/// every decision by the policies has a deciding layer.
fn explanation_problems(r: &EvalResult) -> Vec<String> {
    use iam_atlas::eval::Verdict;
    use iam_atlas::policy::Effect;
    let mut problems = Vec::new();
    if r.aws_rule.is_some() {
        return problems; // decided before any policy (`NoPermissionNeeded`, `ProtectedByAws`)
    }
    let Some(by) = r.decided_by else {
        problems.push("no deciding layer".into());
        return problems;
    };
    let Some(layer) = r.layers.iter().find(|l| l.layer == by) else {
        problems.push(format!("the deciding layer {by:?} is not among the layers"));
        return problems;
    };
    let (want, effect) = match r.decision {
        Decision::Allow => (Verdict::Allow, Some(Effect::Allow)),
        Decision::ExplicitDeny => (Verdict::ExplicitDeny, Some(Effect::Deny)),
        _ => (Verdict::ImplicitDeny, None),
    };
    let verdict_agrees = layer.verdict == want
        // An uncertain implicit deny may come from a layer that could not be read, or, for an SCP or RCP, from a
        // level without an allow while the layer as a whole reads as not allowing.
        || (want == Verdict::ImplicitDeny
            && (matches!(layer.verdict, Verdict::Unknown | Verdict::NotApplicable) || !r.certain));
    if !verdict_agrees {
        problems.push(format!(
            "the deciding layer {by:?} has verdict {:?} for a {:?}",
            layer.verdict, r.decision
        ));
    }
    // The root user's identity layer allows with no statement: the root user may do everything in its own
    // account (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html); the layer's note says so.
    let root_identity = by == iam_atlas::eval::Layer::Identity
        && r.principal.kind == iam_atlas::eval::PrincipalType::Root
        && layer.note.is_some();
    if let Some(effect) = effect
        && r.certain
        && !root_identity
        && !layer.statements.iter().any(|s| s.effect == effect)
    {
        problems.push(format!(
            "the explanation names no {effect:?} statement in the deciding layer {by:?}"
        ));
    }
    match &r.deciding_statement {
        Some(s) if effect.is_none() => {
            problems.push(format!("an implicit deny names a deciding statement {s:?}"));
        }
        Some(s)
            if !layer.statements.iter().any(|h| {
                Some(h.effect) == effect
                    && h.index == s.index
                    && h.policy.kind == s.kind
                    && h.policy.name == s.name
                    && h.policy.attached_to == s.attached_to
            }) =>
        {
            problems.push(format!(
                "the deciding statement {s:?} is not a {effect:?} statement of {by:?}"
            ));
        }
        Some(_) => {}
        None if effect.is_some() && r.certain && !root_identity => {
            problems.push("a certain decision names no deciding statement".into());
        }
        None => {}
    }
    if r.decision == Decision::Allow
        && let Some(l) = r.layers.iter().find(|l| l.verdict == Verdict::ExplicitDeny)
    {
        problems.push(format!("an allow while {:?} denies explicitly", l.layer));
    }
    problems
}

#[test]
fn conformance_cases_match_the_aws_documentation() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/conformance exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut total = 0usize;
    let mut failures = Vec::new();
    let mut names = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read case file");
        let cases: Vec<Case> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let file = f.file_name().map(|n| n.to_string_lossy().into_owned());
        let file = file.unwrap_or_default();
        for c in &cases {
            total += 1;
            if !names.insert(format!("{file}/{}", c.name)) {
                failures.push(format!("[{file}] {}: duplicate case name", c.name));
            }
            if let Err(e) = check(c) {
                failures.push(format!("[{file}] {}: {e}", c.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} conformance cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Pinned: a case file that stops loading, or a case dropped by mistake, fails here.
    assert_eq!(total, 577, "conformance cases ran: {total}");
}

/// The decision path of a batch (`decide_brief`, no explanation built) gives what the full explanation says
/// (decision, deciding layer and statement, certainty and its reasons) on every case.
#[test]
fn the_decision_path_agrees_with_the_explanation_on_every_case() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/conformance exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let (mut total, mut with_statement) = (0usize, 0usize);
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read case file");
        let cases: Vec<Case> = serde_json::from_str(&text).expect("cases");
        for c in &cases {
            let Ok(b) = build(c) else { continue };
            let Ok(req) = case_request(c, &b) else {
                continue;
            };
            total += 1;
            let full = evaluate(&b.model, &req, &b.overrides).brief();
            let brief = decide_brief(&b.model, &req, &b.overrides);
            with_statement += usize::from(brief.deciding_statement.is_some());
            if brief != full {
                failures.push(format!("{}: {brief:?} ≠ {full:?}", c.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        total > 400 && with_statement > total / 3,
        "{with_statement} of {total}"
    );
}
