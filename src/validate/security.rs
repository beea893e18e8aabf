//! Security checks: grants that are broader than they look.
//!
//! Access Analyzer's security warnings
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>), trust
//! policy guidance for OIDC providers
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html>) and the confused
//! deputy problem (<https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html>).
#![allow(clippy::collapsible_match)] // one arm per principal kind reads better than guards

use super::grammar::DiagExt;
use super::statements::action_pattern_matches;
use super::{AaCode, Code};
use super::{Ctx, PolicyKind, item_path};
use crate::policy::{Effect, PrincipalKind, PrincipalValue, Statement};

/// Actions that let a principal give itself (or another) more permissions.
/// Actions that change a resource's own policy or hand out access to it (grants, ACLs, permissions): granted in
/// a resource policy, they let the principal grant itself, or anyone, more (parliament's resource-policy
/// privilege-escalation check).
const POLICY_MANAGEMENT: [&str; 29] = [
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:PutAccessPointPolicy",
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "lambda:AddPermission",
    "lambda:AddLayerVersionPermission",
    "sqs:AddPermission",
    "sqs:SetQueueAttributes",
    "sns:AddPermission",
    "sns:SetTopicAttributes",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:DeleteResourcePolicy",
    "ecr:SetRepositoryPolicy",
    "glacier:SetVaultAccessPolicy",
    "logs:PutResourcePolicy",
    "es:UpdateDomainConfig",
    "es:UpdateElasticsearchDomainConfig",
    "backup:PutBackupVaultAccessPolicy",
    "events:PutPermission",
    "iam:UpdateAssumeRolePolicy",
    "glue:PutResourcePolicy",
    "elasticfilesystem:PutFileSystemPolicy",
    "dynamodb:PutResourcePolicy",
    "kinesis:PutResourcePolicy",
    "apigateway:UpdateRestApiPolicy",
    "codeartifact:PutRepositoryPermissionsPolicy",
];

pub(crate) const ESCALATION: [&str; 17] = [
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "lambda:UpdateFunctionCode",
    "glue:UpdateDevEndpoint",
];

fn has_key(s: &Statement, names: &[&str]) -> bool {
    s.conditions
        .iter()
        .any(|c| names.iter().any(|n| c.key.value.eq_ignore_ascii_case(n)))
}

fn key_ends_with(s: &Statement, suffix: &str) -> bool {
    s.conditions
        .iter()
        .any(|c| c.key.value.to_ascii_lowercase().ends_with(suffix))
}

pub(crate) fn check(cx: &mut Ctx) {
    for (si, s) in cx.statements() {
        if s.effect.as_ref().map(|e| e.value) != Some(Effect::Allow) {
            continue;
        }
        let path = cx.stmt_path(si);
        let grants = !matches!(
            cx.kind,
            PolicyKind::Scp | PolicyKind::Rcp | PolicyKind::Boundary
        );
        if let Some(p) = &s.principal
            && p.not
        {
            cx.emit(
                Code::ALLOW_WITH_NOT_PRINCIPAL,
                p.key_span,
                format!("{path}.NotPrincipal"),
                "`Allow` with `NotPrincipal` grants to every principal not listed, anonymous users included",
            )
            .help("use `Principal` with the principals meant");
        }
        if grants {
            not_elements(cx, s, &path);
            pass_role(cx, s, &path);
            star_star(cx, s, &path);
            escalation(cx, s, &path);
            service_linked_role(cx, s, &path);
        }
        match cx.kind {
            PolicyKind::Trust => trust(cx, s, &path),
            PolicyKind::Resource { .. } => resource(cx, s, &path),
            _ => {}
        }
    }
}

fn not_elements(cx: &mut Ctx, s: &Statement, path: &str) {
    if let Some(a) = &s.action
        && a.is_not()
    {
        cx.emit(
            Code::ALLOW_WITH_NOT_ACTION,
            a.list().span,
            format!("{path}.NotAction"),
            "`Allow` with `NotAction` grants every other action, including actions AWS adds later",
        )
        .help("list the allowed actions in `Action` instead");
    }
    if let Some(r) = &s.resource
        && r.is_not()
    {
        cx.emit(
            Code::ALLOW_WITH_NOT_RESOURCE,
            r.list().span,
            format!("{path}.NotResource"),
            "`Allow` with `NotResource` grants on every other resource, including ones created later",
        )
        .help("list the allowed resources in `Resource` instead");
    }
}

fn allows_action(s: &Statement, full: &str) -> bool {
    match &s.action {
        Some(a) if a.is_not() => !a.list().iter().any(|p| action_pattern_matches(p, full)),
        Some(a) => a.list().iter().any(|p| action_pattern_matches(p, full)),
        None => false,
    }
}

fn star_resource(v: &str) -> bool {
    v == "*" || v.ends_with(":role/*") || v.ends_with(":*")
}

/// The item of `Action` that grants `full` (`None` for `NotAction`, which grants it by not naming it), and whether
/// that item is a wildcard (Access Analyzer's "star in action").
fn granting_item(s: &Statement, full: &str) -> Option<(usize, bool)> {
    let a = s.action.as_ref()?;
    if a.is_not() {
        return None;
    }
    a.list()
        .items
        .iter()
        .enumerate()
        .find(|(_, it)| action_pattern_matches(&it.value, full))
        .map(|(i, it)| (i, it.value.contains('*')))
}

/// `iam:PassRole` on every role: Access Analyzer's six "pass role" checks, by how the action (named, wildcard,
/// `NotAction`) and the resource (`*`, `NotResource`) are written.
fn pass_role(cx: &mut Ctx, s: &Statement, path: &str) {
    if !allows_action(s, "iam:PassRole") {
        return;
    }
    let Some(r) = &s.resource else { return };
    let not_action = s.action.as_ref().is_some_and(|a| a.is_not());
    let star_action = granting_item(s, "iam:PassRole").is_some_and(|(_, star)| star);
    if r.is_not() {
        let aa = if not_action {
            AaCode::PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE
        } else if star_action {
            AaCode::PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE
        } else {
            AaCode::PASS_ROLE_WITH_NOT_RESOURCE
        };
        cx.emit_as(
            Code::PASS_ROLE_WITH_NOT_RESOURCE,
            aa,
            r.list().span,
            format!("{path}.NotResource"),
            "`iam:PassRole` with `NotResource` lets the principal pass almost any role to a service",
        )
        .help("list the roles that may be passed in `Resource`");
        return;
    }
    let l = r.list();
    if let Some((i, it)) = l
        .items
        .iter()
        .enumerate()
        .find(|(_, it)| star_resource(&it.value))
    {
        let aa = if not_action {
            AaCode::PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION
        } else if star_action {
            AaCode::PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE
        } else {
            AaCode::PASS_ROLE_WITH_STAR_IN_RESOURCE
        };
        cx.emit_as(
            Code::PASS_ROLE_WITH_STAR_IN_RESOURCE,
            aa,
            it.span,
            item_path(&format!("{path}.Resource"), l, i),
            format!("`iam:PassRole` on `{}` lets the principal hand any role, however powerful, to a service", it.value),
        )
        .help("name the roles, e.g. `arn:aws:iam::123456789012:role/app-*`, and add an `iam:PassedToService` condition");
    }
}

fn star_star(cx: &mut Ctx, s: &Statement, path: &str) {
    let Some(a) = &s.action else { return };
    if a.is_not() || !s.conditions.is_empty() {
        return;
    }
    let Some(r) = &s.resource else { return };
    if r.is_not() || !r.list().iter().any(|v| v == "*") {
        return;
    }
    let l = a.list();
    if let Some((i, it)) = l
        .items
        .iter()
        .enumerate()
        .find(|(_, it)| &*it.value == "*" || &*it.value == "*:*")
    {
        cx.emit(
            Code::FULL_ACCESS_STAR_STAR,
            it.span,
            item_path(&format!("{path}.Action"), l, i),
            "`Allow` of every action on every resource is full administrator access",
        )
        .help("grant the actions and resources the principal needs");
    }
}

/// `iam:CreateServiceLinkedRole` on every role without `iam:AWSServiceName` lets the principal create the
/// service-linked role of any service: Access Analyzer's six "create SLR" checks, by how the action and the
/// resource are written.
fn service_linked_role(cx: &mut Ctx, s: &Statement, path: &str) {
    const SLR: &str = "iam:CreateServiceLinkedRole";
    if !allows_action(s, SLR) || has_key(s, &["iam:AWSServiceName"]) {
        return;
    }
    let Some(a) = &s.action else { return };
    let Some(r) = &s.resource else { return };
    let not_action = a.is_not();
    let star_action = granting_item(s, SLR).is_some_and(|(_, star)| star);
    let (span, rpath, aa) = if r.is_not() {
        let aa = if not_action {
            AaCode::CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE
        } else if star_action {
            AaCode::CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE
        } else {
            AaCode::CREATE_SLR_WITH_NOT_RESOURCE
        };
        (r.list().span, format!("{path}.NotResource"), aa)
    } else {
        let l = r.list();
        let Some((i, it)) = l
            .items
            .iter()
            .enumerate()
            .find(|(_, it)| star_resource(&it.value))
        else {
            return;
        };
        let aa = if not_action {
            AaCode::CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION
        } else if star_action {
            AaCode::CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE
        } else {
            AaCode::CREATE_SLR_WITH_STAR_IN_RESOURCE
        };
        (it.span, item_path(&format!("{path}.Resource"), l, i), aa)
    };
    cx.emit_as(
        Code::CREATE_SLR_WITH_STAR_IN_RESOURCE,
        aa,
        span,
        rpath,
        "`iam:CreateServiceLinkedRole` on every role lets the principal create the service-linked role of any service",
    )
    .help("add `\"StringEquals\": {\"iam:AWSServiceName\": \"<service>.amazonaws.com\"}`");
}

fn escalation(cx: &mut Ctx, s: &Statement, path: &str) {
    let Some(a) = &s.action else { return };
    if a.is_not() {
        return;
    }
    let Some(r) = &s.resource else { return };
    if !r.is_not() && !r.list().iter().any(|v| v.contains('*')) {
        return;
    }
    let l = a.list();
    for (i, it) in l.items.iter().enumerate() {
        let p: &str = &it.value;
        if p == "*" || p == "*:*" {
            continue; // full access is its own finding
        }
        let hits: Vec<&str> = ESCALATION
            .iter()
            .copied()
            .filter(|e| action_pattern_matches(p, e))
            .collect();
        if hits.is_empty() {
            continue;
        }
        let shown = if hits.len() > 3 {
            format!(
                "{} and {} more",
                hits.get(..3).unwrap_or_default().join(", "),
                hits.len() - 3
            )
        } else {
            hits.join(", ")
        };
        cx.emit(
            Code::PRIVILEGE_ESCALATION_ACTION,
            it.span,
            item_path(&format!("{path}.Action"), l, i),
            format!("`{p}` allows {shown} on a wildcard resource, which lets a principal raise its own privileges"),
        )
        .help("restrict the resource to the entities meant, or add conditions");
    }
}

fn trust(cx: &mut Ctx, s: &Statement, path: &str) {
    let Some(p) = &s.principal else { return };
    if p.not {
        return;
    }
    let restricted = has_key(
        s,
        &[
            "aws:PrincipalOrgID",
            "aws:PrincipalOrgPaths",
            "aws:PrincipalAccount",
            "aws:PrincipalArn",
            "aws:SourceAccount",
            "aws:SourceArn",
            "sts:ExternalId",
        ],
    );
    let entries = match &p.value {
        PrincipalValue::Star(span) => {
            if !restricted {
                cx.emit(
                    Code::TRUST_POLICY_ALLOWS_ANYONE,
                    *span,
                    format!("{path}.Principal"),
                    "anyone in any AWS account can assume this role",
                )
                .help("name the accounts or roles, or add a condition on `aws:PrincipalOrgID`");
            }
            return;
        }
        PrincipalValue::Map(e) => e,
    };
    for e in entries {
        let base = format!("{path}.Principal.{}", e.kind.value.as_str());
        for (i, it) in e.values.items.iter().enumerate() {
            let v: &str = &it.value;
            let ipath = item_path(&base, &e.values, i);
            match &e.kind.value {
                PrincipalKind::Aws if v == "*" => {
                    if !restricted {
                        cx.emit(
                            Code::TRUST_POLICY_ALLOWS_ANYONE,
                            it.span,
                            ipath,
                            "anyone in any AWS account can assume this role",
                        )
                        .help("name the accounts or roles, or add a condition on `aws:PrincipalOrgID`");
                    }
                }
                PrincipalKind::Aws => {
                    let Some(own) = cx.opts.account.clone() else {
                        continue;
                    };
                    let acct = if v.len() == 12 {
                        Some(v)
                    } else {
                        crate::account::arn_account(v)
                    };
                    if let Some(acct) = acct
                        && acct != own
                        && acct.len() == 12
                        && !has_key(s, &["sts:ExternalId", "aws:PrincipalOrgID"])
                    {
                        cx.emit(
                            Code::CROSS_ACCOUNT_TRUST_WITHOUT_EXTERNAL_ID,
                            it.span,
                            ipath,
                            format!("account `{acct}` may assume this role without an `sts:ExternalId` condition"),
                        )
                        .help("for third parties add `\"StringEquals\": {\"sts:ExternalId\": \"...\"}`");
                    }
                }
                PrincipalKind::Federated => {
                    let oidc = v.contains(":oidc-provider/")
                        || matches!(v, "cognito-identity.amazonaws.com" | "accounts.google.com");
                    if !oidc {
                        continue;
                    }
                    let github = v.ends_with("/token.actions.githubusercontent.com");
                    if !key_ends_with(s, ":sub") {
                        let aa = if github {
                            AaCode::MISSING_GITHUB_REPO_CONDITION_KEY
                        } else {
                            AaCode::MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL
                        };
                        cx.emit_as(
                            Code::OIDC_TRUST_WITHOUT_SUB_CONDITION,
                            aa,
                            it.span,
                            ipath.clone(),
                            format!("any identity of `{v}` can assume this role: there is no condition on its `sub`"),
                        )
                        .help("add a `StringEquals` (or `StringLike`) condition on `<provider>:sub`, e.g. the repository or service account");
                    }
                    if !key_ends_with(s, ":aud") && !key_ends_with(s, ":oaud") {
                        cx.emit(
                            Code::OIDC_TRUST_WITHOUT_AUD_CONDITION,
                            it.span,
                            ipath,
                            format!("no condition on the audience (`aud`) of `{v}` tokens"),
                        )
                        .help(
                            "add `\"StringEquals\": {\"<provider>:aud\": \"sts.amazonaws.com\"}`",
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

fn resource(cx: &mut Ctx, s: &Statement, path: &str) {
    let Some(p) = &s.principal else { return };
    if p.not {
        return;
    }
    let public_span = match &p.value {
        PrincipalValue::Star(span) => Some((*span, format!("{path}.Principal"))),
        PrincipalValue::Map(entries) => entries.iter().find_map(|e| {
            (e.kind.value == PrincipalKind::Aws)
                .then(|| {
                    e.values
                        .items
                        .iter()
                        .enumerate()
                        .find(|(_, v)| &*v.value == "*")
                        .map(|(i, v)| {
                            (
                                v.span,
                                item_path(&format!("{path}.Principal.AWS"), &e.values, i),
                            )
                        })
                })
                .flatten()
        }),
    };
    if let Some((span, ppath)) = public_span
        && s.conditions.is_empty()
    {
        cx.emit(
            Code::PUBLIC_PRINCIPAL,
            span,
            ppath,
            "this statement allows anyone, anonymous users included",
        )
        .help("name the principals, or add a condition such as `aws:PrincipalOrgID` or `aws:SourceVpce`");
    }
    policy_management(cx, s, p, path);
    if let PrincipalValue::Map(entries) = &p.value {
        let sourced = has_key(
            s,
            &[
                "aws:SourceArn",
                "aws:SourceAccount",
                "aws:SourceOrgID",
                "aws:SourceOrgPaths",
            ],
        );
        if sourced {
            return;
        }
        for e in entries {
            if e.kind.value != PrincipalKind::Service {
                continue;
            }
            for (i, it) in e.values.items.iter().enumerate() {
                cx.emit(
                    Code::SERVICE_PRINCIPAL_WITHOUT_SOURCE_CONDITION,
                    it.span,
                    item_path(&format!("{path}.Principal.Service"), &e.values, i),
                    format!("`{}` acts for every customer: without `aws:SourceArn` or `aws:SourceAccount` another account can make it use this grant", it.value),
                )
                .help("add `\"StringEquals\": {\"aws:SourceAccount\": \"123456789012\"}` or an `ArnLike` on `aws:SourceArn`");
            }
        }
    }
}

/// A resource policy that lets broad principals change the resource's own policy: everyone (`*`, unless a
/// condition names the principals' account or organization), or another account than the owner's (the
/// `--account` given, else the account named in the statement's resource ARNs). The owner's own principals
/// (the default KMS key policy's account root, key administrators) are its business.
fn policy_management(cx: &mut Ctx, s: &Statement, p: &crate::policy::PrincipalBlock, path: &str) {
    let scoped = has_key(
        s,
        &[
            "aws:PrincipalAccount",
            "aws:PrincipalArn",
            "aws:PrincipalOrgID",
            "aws:PrincipalOrgPaths",
            "aws:SourceOwner",
            "aws:SourceAccount",
            "aws:SourceArn",
            "aws:userid",
        ],
    );
    let owner: Option<String> = cx.opts.account.clone().or_else(|| {
        s.resource.as_ref().filter(|r| !r.is_not()).and_then(|r| {
            r.list().iter().find_map(|v| {
                crate::account::arn_account(v)
                    .filter(|a| crate::arn::is_account_id(a))
                    .map(str::to_string)
            })
        })
    });
    let foreign = |v: &str| {
        let acct = if crate::arn::is_account_id(v) {
            Some(v)
        } else {
            crate::account::arn_account(v)
        };
        matches!((&owner, acct), (Some(o), Some(a)) if a != o.as_str())
    };
    let who = match &p.value {
        PrincipalValue::Star(_) if !scoped => Some("everyone".to_string()),
        PrincipalValue::Star(_) => None,
        PrincipalValue::Map(entries) => entries
            .iter()
            .filter(|e| e.kind.value == PrincipalKind::Aws)
            .flat_map(|e| e.values.items.iter())
            .find(|v| (&*v.value == "*" && !scoped) || foreign(&v.value))
            .map(|v| format!("`{}`", v.value)),
    };
    let Some(who) = who else { return };
    let Some(action) = POLICY_MANAGEMENT.iter().find(|full| allows_action(s, full)) else {
        return;
    };
    let Some(a) = &s.action else { return };
    let (span, apath) = match granting_item(s, action) {
        Some((i, _)) => match a.list().items.get(i) {
            Some(it) => (it.span, item_path(&format!("{path}.Action"), a.list(), i)),
            None => return,
        },
        None => (a.list().span, format!("{path}.NotAction")),
    };
    cx.emit(
        Code::RESOURCE_POLICY_GRANTS_POLICY_CHANGE,
        span,
        apath,
        format!("{who} may run `{action}`: it can change this resource's policy or grants and give itself, or anyone, more"),
    )
    .help("keep policy and permission management with the resource's owner account; grant only the data actions needed");
}
