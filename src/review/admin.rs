//! Full administrative access (CIS 1.16), decided by the evaluator for every user and role.
//!
//! "`*` on `*`" is asked as requests, not looked for in policy text: a principal has it when the evaluator, with
//! every layer (SCPs, boundaries, resource policies, conditions), allows an action of a service no policy can
//! name (so that only `*`, `*:*` or a `NotAction` grant matches), and actions of IAM, EC2 and S3, all on `*`. A
//! guardrail that caps any of them removes the finding. Conditions on keys a request would supply (MFA, source
//! IP…) are assumed to hold and shown, since an attacker with the credentials can usually meet them. A
//! principal short of that which may write or attach policies on itself is an administrator through IAM.

use super::{Code, Ctx, Finding, decision_evidence};
use crate::account::{EntityKind, EntityRef};
use crate::eval::reverse::principal_of;
use crate::eval::{Decision, Overrides, Request, decide, evaluate};

pub use crate::eval::people::ANY_ACTION;

pub(crate) fn request(p: &crate::eval::Principal, action: &str, resource: &str) -> Request {
    Request {
        principal: p.clone(),
        action: action.into(),
        resource: resource.into(),
        resource_account: None,
        context: crate::eval::Context::default(),
    }
}

pub(crate) fn optimistic(ctx: &Ctx<'_>) -> Overrides {
    Overrides {
        now: Some(ctx.now),
        optimistic: true,
        ..Overrides::default()
    }
}

/// The administrator findings of one principal.
pub(crate) fn principal_findings(ctx: &Ctx<'_>, r: EntityRef, out: &mut Vec<Finding>) {
    let Some(p) = principal_of(ctx.model, r) else {
        return;
    };
    let ov = optimistic(ctx);
    let account = p.account.clone().unwrap_or_default();
    let kind = if r.kind == EntityKind::User {
        "user"
    } else {
        "role"
    };
    let name = p.arn.rsplit('/').next().unwrap_or(&p.arn).to_string();
    // The conditions of every probe, not only of the first.
    if let Some(res) = crate::eval::people::full_admin(ctx.model, &p, &ov) {
        let mut title = format!("{kind} {name} may do every action on every resource");
        if !res.assumed_conditions.is_empty() {
            title.push_str(&format!(" (when {})", res.assumed_conditions.join(" and ")));
        }
        out.push(
            Finding::new(Code::FullAdmin, &p.arn, account)
                .title(title)
                .entity_ref(r)
                .with(decision_evidence(&res, Vec::new())),
        );
        return;
    }
    let own: &[&str] = if r.kind == EntityKind::User {
        &["iam:PutUserPolicy", "iam:AttachUserPolicy"]
    } else {
        &["iam:PutRolePolicy", "iam:AttachRolePolicy"]
    };
    for a in own {
        let req = request(&p, a, &p.arn);
        if decide(ctx.model, &req, &ov).0 == Decision::Allow {
            let res = evaluate(ctx.model, &req, &ov);
            out.push(
                Finding::new(Code::IamAdmin, &p.arn, account)
                    .title(format!(
                        "{kind} {name} may grant itself any permission ({a} on itself)"
                    ))
                    .entity_ref(r)
                    .with(decision_evidence(&res, Vec::new())),
            );
            return;
        }
    }
}
