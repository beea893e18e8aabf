//! Whether a resource-based policy's `Principal` or `NotPrincipal` names the requester.

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

/// Why a `Principal` (not `NotPrincipal`) that names no one the snapshot knows may still name the requester: a
/// canonical user ID stands for an account, which the snapshot does not map to an ID
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>), and a kind
/// IAM does not define cannot be read.
pub(super) fn unreadable_principal(block: &PrincipalBlock) -> Option<&'static str> {
    let PrincipalValue::Map(entries) = &block.value else {
        return None;
    };
    if block.not {
        return None;
    }
    entries.iter().find_map(|e| match e.kind.value {
        PrincipalKind::CanonicalUser => Some(
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
    if matches!(
        p.kind,
        PrincipalType::Anonymous | PrincipalType::Service | PrincipalType::Federated
    ) {
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
