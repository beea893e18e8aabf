//! Whether a resource-based policy's `Principal` or `NotPrincipal` names the requester.

use crate::account::{Model, arn_account};
use crate::eval::decision::Named;
use crate::eval::request::{Principal, PrincipalType};
use crate::policy::{PrincipalBlock, PrincipalKind, PrincipalValue};

/// Does a resource-policy statement's `Principal`/`NotPrincipal` cover `p` (by its ARN, its account, `*`, its
/// service or provider)?
pub fn names_principal(block: Option<&PrincipalBlock>, p: &Principal) -> bool {
    principal_named(block, p, false).is_some()
}

/// Does a resource-policy statement's `Principal`/`NotPrincipal` cover `p`, and how? `bounded_deny`: the
/// statement is a `Deny` and the principal has a permissions boundary.
pub(super) fn principal_named(
    block: Option<&PrincipalBlock>,
    p: &Principal,
    bounded_deny: bool,
) -> Option<Named> {
    let block = block?;
    let named = match &block.value {
        PrincipalValue::Star(_) => Some(Named::Direct),
        PrincipalValue::Map(entries) => {
            let mut best: Option<Named> = None;
            for e in entries {
                for v in e.values.iter() {
                    let n = match e.kind.value {
                        PrincipalKind::Aws => aws_principal_named(v, p),
                        PrincipalKind::Service => (p.kind == PrincipalType::Service
                            && v.eq_ignore_ascii_case(&p.arn))
                        .then_some(Named::Direct),
                        PrincipalKind::Federated => (p.kind == PrincipalType::Federated
                            && v == p.arn)
                            .then_some(Named::Direct),
                        PrincipalKind::CanonicalUser | PrincipalKind::Other(_) => None,
                    };
                    best = best.max(n);
                }
            }
            best
        }
    };
    if block.not {
        // NotPrincipal: everyone except those listed
        // (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>).
        // Listing an account exempts the account principal (its root user), not its users and roles: the
        // page's example lists Bob *and* his account, and "all principals except the user named Bob" are
        // denied. A role session is exempt when it or its role is listed. A `Deny` with `NotPrincipal` "will
        // always deny any IAM principal that has a permissions boundary policy attached, regardless of the
        // values specified in the NotPrincipal element"
        // (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html>).
        match named {
            Some(Named::Direct | Named::RoleArn) if !bounded_deny => None,
            _ => Some(Named::Direct),
        }
    } else {
        named
    }
}

/// Why a `Principal` (not `NotPrincipal`) that names no one the snapshot knows may still name the requester `p`
/// of `action`: a canonical user ID stands for an account, which the snapshot does not map to an ID, in an
/// Amazon S3 policy ("You can specify the canonical user ID … in Amazon S3 bucket policies",
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>), so it may name
/// any signed principal of an account but not an anonymous request or a service; and a kind IAM does not define
/// cannot be read.
pub(super) fn unreadable_principal(
    block: &PrincipalBlock,
    p: &Principal,
    action: &str,
) -> Option<&'static str> {
    let PrincipalValue::Map(entries) = &block.value else {
        return None;
    };
    if block.not {
        return None;
    }
    let s3 = action
        .split_once(':')
        .is_some_and(|(svc, _)| svc.eq_ignore_ascii_case("s3"));
    let signed = matches!(
        p.kind,
        PrincipalType::User
            | PrincipalType::Role
            | PrincipalType::AssumedRole
            | PrincipalType::FederatedUser
            | PrincipalType::Root
    );
    entries.iter().find_map(|e| match e.kind.value {
        PrincipalKind::CanonicalUser if s3 && signed => Some(
            "its `Principal` names a canonical user ID, whose account the snapshot does not say",
        ),
        PrincipalKind::Other(_) => {
            Some("its `Principal` names a kind of principal IAM does not define")
        }
        _ => None,
    })
}

fn aws_principal_named(v: &str, p: &Principal) -> Option<Named> {
    if v == "*" {
        return Some(Named::Direct);
    }
    // A caller from outside stands for the accounts a policy does not name: each account or principal a policy
    // names is asked about apart (by the external review and access proofs), so a `NotPrincipal` listing the
    // account that stands for it does not exempt every caller from outside, nor a `Principal` naming it let
    // them all in.
    if p.outsider.is_some()
        || matches!(
            p.kind,
            PrincipalType::Anonymous | PrincipalType::Service | PrincipalType::Federated
        )
    {
        return None;
    }
    let account = p.account.as_deref()?;
    if v == account || (v.ends_with(":root") && crate::account::arn_account(v) == Some(account)) {
        return Some(if p.kind == PrincipalType::Root {
            Named::Direct
        } else {
            Named::Account
        });
    }
    if let Some(role) = &p.role_arn
        && v == role
    {
        // Naming the role ARN is never a grant "directly to the session": whoever acts with a role acts as one
        // of its sessions, so the grant stays limited by an implicit deny in the boundary or session policy
        // (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html>,
        // "IAM role": "In both cases, the principal that makes the request is the IAM role session").
        return Some(Named::RoleArn);
    }
    if v == p.arn {
        return Some(Named::Direct);
    }
    None
}

/// Why a `Principal`/`NotPrincipal` may cover the requester otherwise than [`principal_named`] reads it, when
/// the policy's text and the request leave it open: the statement is then read in the least permissive way (a
/// `Deny` as applying, an `Allow` not counted) and the answer is uncertain. `matched`: what
/// [`principal_named`] answered; `is_deny`: the statement's effect.
pub(super) fn principal_doubt(
    block: &PrincipalBlock,
    p: &Principal,
    model: &Model,
    is_deny: bool,
    matched: bool,
) -> Option<&'static str> {
    let PrincipalValue::Map(entries) = &block.value else {
        return None;
    };
    let aws = || {
        entries
            .iter()
            .filter(|e| e.kind.value == PrincipalKind::Aws)
            .flat_map(|e| e.values.iter())
    };
    if block.not {
        // <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>:
        // "Using it with "Effect":"Allow" is not supported", and with `Deny` "you must also specify the account
        // ARN of the not-denied principal. Otherwise, the policy might deny access to the entire account
        // containing the principal… AWS might validate the account first, then the role, and then the
        // assumed-role user."
        if !is_deny {
            return matched.then_some(
                "its `NotPrincipal` is in an `Allow` statement, which AWS does not support: what it grants is not \
                 documented",
            );
        }
        if matched {
            return None;
        }
        // Exempt: certain only when the account and every ARN AWS may validate are listed.
        let listed = |arn: Option<&str>| arn.is_some_and(|a| aws().any(|v| v == a));
        let account = p.account.as_deref().is_some_and(|a| {
            aws().any(|v| v == a || (v.ends_with(":root") && arn_account(v) == Some(a)))
        });
        let whole = match p.kind {
            // A service, a provider or nobody has no account to validate first.
            PrincipalType::Service | PrincipalType::Federated | PrincipalType::Anonymous => true,
            // The account principal: its account listed, as `123456789012` or `…:root`.
            PrincipalType::Root => account,
            PrincipalType::AssumedRole => {
                account && listed(p.role_arn.as_deref()) && listed(Some(&p.arn))
            }
            // A session of the role whose name the request does not give.
            PrincipalType::Role => false,
            PrincipalType::User | PrincipalType::FederatedUser => account && listed(Some(&p.arn)),
        };
        return (!whole).then_some(
            "its `NotPrincipal` exempts the requester without listing its account (and, for a role session, \
             the role and the session): AWS \"might validate the account first, then the role, and then the \
             assumed-role user\", and may deny",
        );
    }
    if matched || p.outsider.is_some() {
        return None;
    }
    let account = p.account.as_deref()?;
    for v in aws() {
        // A unique ID: AWS shows one in place of an ARN whose principal was deleted; naming the requester's
        // own means the snapshot's policy and its principals disagree
        // (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>).
        if !v.contains(':') && p.entity.is_some() && model.by_id(v) == p.entity {
            return Some(
                "its `Principal` names the requester by its unique ID, which AWS shows for a deleted principal: \
                 the snapshot's policy and principals disagree",
            );
        }
        let Some(arn) = crate::arn::Arn::parse(v) else {
            continue;
        };
        if arn.account != account {
            continue;
        }
        match p.kind {
            // A role named without a session: the request is one of its sessions, whose name is not given.
            PrincipalType::Role
                if arn.service == "sts"
                    && arn
                        .resource
                        .strip_prefix("assumed-role/")
                        .and_then(|r| r.split_once('/'))
                        .is_some_and(|(role, _)| Some(role) == last_segment(&p.arn)) =>
            {
                return Some(
                    "its `Principal` names one session of the role, and the request names no session (give the \
                     session's ARN)",
                );
            }
            // A federated user's session is one an IAM user of the account created, and a grant to "the ARN
            // of the IAM user who federated" reaches it
            // (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html>).
            PrincipalType::FederatedUser
                if arn.service == "iam" && arn.resource.starts_with("user/") =>
            {
                return Some(
                    "its `Principal` names an IAM user of the account, and which user created this federated \
                     session is not known",
                );
            }
            _ => {}
        }
        // The requester's user or role by name but with another path: IAM would not have accepted an ARN of no
        // principal, so the policy and the snapshot's principals disagree.
        let own = match p.kind {
            PrincipalType::User => Some(p.arn.as_str()),
            PrincipalType::Role | PrincipalType::AssumedRole => p.role_arn.as_deref(),
            _ => None,
        };
        if let Some(own) = own
            && arn.service == "iam"
            && v != own
            && same_kind_and_name(arn.resource, own)
        {
            return Some(
                "its `Principal` names the requester's user or role by name with another path: the policy and \
                 the snapshot's principals disagree",
            );
        }
    }
    None
}

/// The last `/`-separated part of an ARN's resource (an entity's name).
fn last_segment(arn: &str) -> Option<&str> {
    crate::arn::Arn::parse(arn)?.resource.rsplit('/').next()
}

/// `resource` (`user/NAME`, `role/PATH/NAME`) is of the same kind and name as `own`'s.
fn same_kind_and_name(resource: &str, own: &str) -> bool {
    let Some(own) = crate::arn::Arn::parse(own) else {
        return false;
    };
    let kind = |r: &str| r.split('/').next().map(str::to_string);
    kind(resource) == kind(own.resource)
        && resource.rsplit('/').next() == own.resource.rsplit('/').next()
}
