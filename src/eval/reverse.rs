//! Reverse queries: who can do an action on a resource, what a principal can do, and who can assume which
//! role (directly or through a chain, across accounts), each answer carrying the conditions it relies on.
//!
//! They run the same engine as single evaluations (so they agree with it by construction), in its optimistic
//! mode: a condition on a key the question leaves open is assumed to hold for an `Allow` and listed with the
//! answer. Thousands of principals share managed policies, so each policy's statements are matched against
//! the action and resource once ([`Prefilter`]), and the full explanation is built only for the principals
//! that are allowed.

use super::condition::Context;
use super::engine::{
    Decision, Layer, Overrides, StatementHit, decide_with, decide_with_statements, evaluate,
};
use super::index::Prefilter;
use super::request::{Principal, PrincipalType, Request};
use crate::account::{EntityKind, EntityRef, Model};
use crate::cancel::Cancel;
use crate::parts::in_parts;
use crate::policy::{ActionBlock, Effect, PrincipalKind, PrincipalValue};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The principal behind a user or role of the model.
pub fn principal_of(model: &Model, r: EntityRef) -> Option<Principal> {
    let acc = model.accounts.get(r.account as usize)?;
    let (kind, arn) = match r.kind {
        EntityKind::User => (
            PrincipalType::User,
            acc.users.get(r.index as usize)?.arn.to_string(),
        ),
        EntityKind::Role => (
            PrincipalType::Role,
            acc.roles.get(r.index as usize)?.arn.to_string(),
        ),
        _ => return None,
    };
    // The principal's account is the one its ARN names, as `eval` resolves it: an export may hold entities whose
    // ARNs name another account (or `aws`), and the file's account is then not theirs.
    let account = crate::account::arn_account(&arn)
        .filter(|a| !a.is_empty())
        .map_or_else(|| acc.id.to_string(), str::to_string);
    Some(Principal {
        kind,
        role_arn: (kind == PrincipalType::Role).then(|| arn.clone()),
        arn,
        account: Some(account),
        entity: Some(r),
        session: None,
        stand_in: false,
        outsider: None,
    })
}

/// Every user and role of the model.
pub fn all_principals(model: &Model) -> Vec<EntityRef> {
    let mut out = Vec::new();
    for (ai, a) in model.accounts.iter().enumerate() {
        let account = ai as u32;
        out.extend((0..a.users.len() as u32).map(|index| EntityRef {
            account,
            kind: EntityKind::User,
            index,
        }));
        out.extend((0..a.roles.len() as u32).map(|index| EntityRef {
            account,
            kind: EntityKind::Role,
            index,
        }));
    }
    out
}

/// The four answers a reverse query gives for one principal (the fourth, denied always, is not listed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Allowed whatever the keys the question left open hold.
    AllowedAlways,
    /// Allowed if the listed conditions hold (from `Allow` statements, and the negation of `Deny` statements'
    /// conditions), on every layer.
    AllowedIf,
    /// Not known: a policy it depends on is missing, or a statement could not be read.
    Unknown,
}

/// One principal that may do the action.
#[derive(Clone, Debug, Serialize)]
pub struct WhoCanEntry {
    /// Allowed always, allowed if the conditions hold, or unknown.
    pub outcome: Outcome,
    /// The principal's ARN.
    pub principal: String,
    /// User or role.
    pub kind: PrincipalType,
    /// Its account.
    pub account: String,
    /// The model entity.
    #[serde(skip)]
    pub entity: EntityRef,
    /// Allowed only if the listed conditions hold.
    pub conditional: bool,
    /// Conditions assumed to hold (keys the question left open), for people.
    pub conditions: Vec<String>,
    /// The same conditions as structures: the answer holds when every one does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<super::condition::Assumption>,
    /// The layer that decided.
    pub decided_by: Option<Layer>,
    /// The allowing statements of the deciding layer.
    pub statements: Vec<StatementHit>,
    /// For roles: who may assume it directly.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumable_by: Vec<AssumeEdge>,
    /// False when a missing policy could change the answer.
    pub certain: bool,
}

/// The answer to "who can do A on R?".
#[derive(Clone, Debug, Default, Serialize)]
pub struct WhoCan {
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// Principals evaluated.
    pub evaluated: usize,
    /// The principals that may do it, unconditional first.
    pub principals: Vec<WhoCanEntry>,
}

/// The Allow statements of the layer that granted (identity, or the resource/trust policy).
fn allowing_statements(
    decided_by: Option<Layer>,
    hits: Vec<(Layer, StatementHit)>,
) -> Vec<StatementHit> {
    hits.into_iter()
        .filter(|(l, s)| {
            s.effect == Effect::Allow
                && (Some(*l) == decided_by
                    || (*l == Layer::Identity
                        && !matches!(decided_by, Some(Layer::Resource | Layer::Trust))))
        })
        .map(|(_, s)| s)
        .collect()
}

/// Whom the resource-based policy (or the role trust policy) may let in without their own identity policy, or
/// `None` when every principal could be (a rule of AWS's decides, the policy is not loaded or not fully read).
/// With [`candidates_of`], the users and roles that could possibly be allowed `action` on `resource`. Only identity policies and resource/trust policies
/// grant (SCPs, RCPs, boundaries and session policies only cap), so a principal none of whose identity
/// statements matches the action and resource, and whom no resource-policy statement names, is implicitly
/// denied without evaluating it.
fn resource_side(model: &Model, action: &str, resource: &str) -> Option<ResourceSide> {
    // 0. A rule of AWS's decides for everyone (sts:GetCallerIdentity).
    if super::protected::aws_rule(super::request::PrincipalType::User, action, resource).is_some() {
        return None;
    }
    // 1. The resource-based policy (or the role trust policy for sts:AssumeRole*): whom does it name?
    let assume = super::engine::is_trust_action(action);
    // The policy, and the account that holds it.
    let (resource_doc, owner) = if assume {
        let role = model
            .by_arn(resource)
            .filter(|r| r.kind == EntityKind::Role);
        let doc = role
            .and_then(|r| {
                model
                    .accounts
                    .get(r.account as usize)?
                    .roles
                    .get(r.index as usize)
            })
            .and_then(|role| role.trust.as_ref());
        (doc, role.map(|r| r.account))
    } else {
        let rp = super::engine::resource_policy_for(model, resource);
        let doc = rp
            .and_then(|r| {
                model
                    .accounts
                    .get(r.account as usize)?
                    .resource_policies
                    .get(r.index as usize)
            })
            .map(|rp| &rp.doc);
        (doc, rp.map(|r| r.account))
    };
    // A policy that must allow but is not loaded (a role's trust policy, a key policy) could name anyone: every
    // principal's answer may be unknown.
    let key = super::engine::is_kms_key(resource);
    if resource_doc.is_none() && ((assume && resource.contains(":role/")) || key) {
        return None;
    }
    let mut named: rustc_hash::FxHashSet<EntityRef> = rustc_hash::FxHashSet::default();
    // A statement that names `*`, an account, a session or a name not loaded may reach any principal of the
    // resource's own account without an identity policy; a principal of another account needs its own identity
    // policy to allow the request as well (cross-account: both sides must allow,
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html),
    // so for it the identity side below decides. Without a known owner, anyone may be meant.
    let mut whole_own_account = false;
    if let Some(doc) = resource_doc {
        if doc.policy.invalid.is_some() {
            return None;
        }
        for st in &doc.policy.statements {
            // A statement that was not fully read may name anyone.
            if st.invalid.is_some() {
                return None;
            }
            if st.effect.as_ref().map(|e| e.value) != Some(Effect::Allow) {
                continue;
            }
            let Some(block) = &st.principal else { continue };
            if block.not {
                return None;
            }
            match &block.value {
                PrincipalValue::Star(_) if owner.is_some() => whole_own_account = true,
                PrincipalValue::Star(_) => return None,
                PrincipalValue::Map(entries) => {
                    for e in entries {
                        if e.kind.value != PrincipalKind::Aws {
                            continue;
                        }
                        for v in e.values.iter() {
                            match model.by_arn(v) {
                                Some(r)
                                    if matches!(r.kind, EntityKind::User | EntityKind::Role) =>
                                {
                                    named.insert(r);
                                }
                                // `*`, an account, a session ARN, an unresolved name: anyone of the
                                // resource's account may be meant (others need their identity side).
                                _ if owner.is_some() => whole_own_account = true,
                                _ => return None,
                            }
                        }
                    }
                }
            }
        }
    }
    Some(ResourceSide {
        named,
        whole_own_account,
        owner,
    })
}

/// What [`resource_side`] found the resource's policy to name.
struct ResourceSide {
    /// Users and roles named by ARN.
    named: rustc_hash::FxHashSet<EntityRef>,
    /// `*`, an account, a session or a name not loaded: any principal of the resource's own account.
    whole_own_account: bool,
    /// The account that holds the policy.
    owner: Option<u32>,
}

/// The users and roles of account `ai` that could possibly be allowed (see [`resource_side`]), appended to `out`
/// in the order of [`all_principals`].
fn candidates_of(
    model: &Model,
    ai: usize,
    question: (&str, &str, Option<&str>),
    side: &ResourceSide,
    prefilter: &mut Prefilter,
    out: &mut Vec<EntityRef>,
) {
    let (action, resource, resource_account) = question;
    let ResourceSide {
        named,
        whole_own_account,
        owner,
    } = side;
    let whole_own_account = *whole_own_account;
    let owner = *owner;
    let Some(a) = model.accounts.get(ai) else {
        return;
    };
    // 2. Identity policies with a statement that may match: mark their holders.
    {
        let account = ai as u32;
        // The resource's own account: the policy's holder, the account the question names, or the ARN's (any
        // of them may be the one the evaluator takes as the resource's, so each is kept).
        let own = whole_own_account
            && (owner == Some(account)
                || resource_account.is_some_and(|r| *a.id == *r)
                || crate::account::arn_account(resource).is_some_and(|r| *a.id == *r));
        let mut hot_policy: Vec<Option<bool>> = vec![None; a.policies.len()];
        let mut is_hot = |target: crate::account::PolicyRef, prefilter: &mut Prefilter| -> bool {
            match target {
                // A policy whose default version was not read (no document, or none marked default) may
                // grant anything: the evaluation says its answer is unknown, so its holders are candidates.
                crate::account::PolicyRef::Local(i) => {
                    let Some(slot) = hot_policy.get_mut(i as usize) else {
                        return true;
                    };
                    *slot.get_or_insert_with(|| {
                        a.policies
                            .get(i as usize)
                            .and_then(|p| p.default_doc())
                            .is_none_or(|d| {
                                d.policy.invalid.is_some()
                                    || !prefilter.candidates(&d.policy, action, resource).is_empty()
                            })
                    })
                }
                crate::account::PolicyRef::Bundled(i) => model
                    .bundled
                    .get(i as usize)
                    .and_then(|p| p.default_doc())
                    .is_none_or(|d| {
                        d.policy.invalid.is_some()
                            || !prefilter.candidates(&d.policy, action, resource).is_empty()
                    }),
                // Unknown: it might grant.
                crate::account::PolicyRef::Missing => true,
            }
        };
        let inline_hot = |list: &[crate::account::InlinePolicy], prefilter: &mut Prefilter| {
            list.iter().any(|p| {
                p.doc.policy.invalid.is_some()
                    || !prefilter
                        .candidates(&p.doc.policy, action, resource)
                        .is_empty()
            })
        };
        let groups_hot: Vec<bool> = a
            .groups
            .iter()
            .map(|g| {
                inline_hot(&g.inline, prefilter)
                    || g.attached.iter().any(|x| is_hot(x.target, prefilter))
            })
            .collect();
        for (i, u) in a.users.iter().enumerate() {
            let r = EntityRef {
                account,
                kind: EntityKind::User,
                index: i as u32,
            };
            let hot = inline_hot(&u.inline, prefilter)
                || u.attached.iter().any(|x| is_hot(x.target, prefilter))
                || u.groups.iter().any(|g| match a.find(EntityKind::Group, g) {
                    Some(gi) => groups_hot.get(gi as usize).copied().unwrap_or(true),
                    // A group missing from the export: its policies are unknown.
                    None => true,
                });
            if hot || own || named.contains(&r) {
                out.push(r);
            }
        }
        for (i, role) in a.roles.iter().enumerate() {
            let r = EntityRef {
                account,
                kind: EntityKind::Role,
                index: i as u32,
            };
            let hot = inline_hot(&role.inline, prefilter)
                || role.attached.iter().any(|x| is_hot(x.target, prefilter));
            if hot || own || named.contains(&r) {
                out.push(r);
            }
        }
    }
}

/// The accounts split into at most `parts` contiguous ranges of about as many users and roles each (an
/// organisation's accounts differ in size).
fn account_ranges(model: &Model, parts: usize) -> Vec<std::ops::Range<usize>> {
    let size = |a: &crate::account::Account| a.users.len() + a.roles.len();
    let total: usize = model.accounts.iter().map(size).sum();
    let per = total.div_ceil(parts.max(1)).max(1);
    let mut out = Vec::new();
    let (mut start, mut sum) = (0, 0);
    for (i, a) in model.accounts.iter().enumerate() {
        sum += size(a);
        if sum >= per * (out.len() + 1) && out.len() + 1 < parts {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    out.push(start..model.accounts.len());
    out
}

/// Who among the loaded users and roles may do `action` on `resource`.
pub fn who_can(
    model: &Model,
    action: &str,
    resource: &str,
    resource_account: Option<String>,
    context: &Context,
    overrides: &Overrides,
) -> WhoCan {
    let question = WhoCanQuestion {
        action,
        resource,
        resource_account: resource_account.as_deref(),
        context,
        overrides,
    };
    // Nobody cancels it, so the answer is whole.
    who_can_cancellable(model, question, &Cancel::never()).unwrap_or_default()
}

/// A who-can question: [`who_can`]'s arguments after the model.
#[derive(Clone, Copy)]
pub struct WhoCanQuestion<'q> {
    /// The action.
    pub action: &'q str,
    /// The resource ARN.
    pub resource: &'q str,
    /// The resource's account, when the ARN does not say it.
    pub resource_account: Option<&'q str>,
    /// The request context.
    pub context: &'q Context,
    /// What-if overrides.
    pub overrides: &'q Overrides,
}

/// [`who_can`], reading `cancel` between principals: `None` once it is raised (never a partial list).
pub fn who_can_cancellable(
    model: &Model,
    question: WhoCanQuestion<'_>,
    cancel: &Cancel,
) -> Option<WhoCan> {
    let WhoCanQuestion {
        action,
        resource,
        resource_account,
        context,
        overrides,
    } = question;
    let resource_account = resource_account.map(str::to_string);
    let all = all_principals(model);
    let evaluated = all.len();
    // Principals are independent: an organisation's are split over every core.
    let workers = if all.len() < 4096 {
        1
    } else {
        crate::parts::cores()
    };
    // Each part of the accounts finds its candidates with its own prefilter, which the part of the candidates
    // evaluated on the same thread then reuses (the parts line up, both being in account order).
    let side = if overrides_may_grant(overrides) {
        None
    } else {
        resource_side(model, action, resource)
    };
    let (candidates, mut prefilters) = match side {
        None => (all, Vec::new()),
        Some(side) => {
            let ranges = account_ranges(model, workers);
            let parts = in_parts(ranges.len(), |k| {
                let mut prefilter = Prefilter::default();
                let mut out = Vec::new();
                for ai in ranges.get(k).cloned().unwrap_or_default() {
                    if cancel.is_cancelled() {
                        return None;
                    }
                    let question = (action, resource, resource_account.as_deref());
                    candidates_of(model, ai, question, &side, &mut prefilter, &mut out);
                }
                Some((out, prefilter))
            });
            let mut candidates = Vec::new();
            let mut prefilters = Vec::new();
            for part in parts {
                let (out, prefilter) = part?;
                candidates.extend(out);
                prefilters.push(prefilter);
            }
            (candidates, prefilters)
        }
    };
    let opt = optimistic(overrides);
    let overrides = if overrides.optimistic {
        overrides
    } else {
        &opt
    };
    let mut principals = Vec::new();
    // One request, its principal replaced per candidate (the action and resource strings stay put, which
    // the prefilter relies on to recognise them cheaply).
    let Some(first) = candidates.first().and_then(|r| principal_of(model, *r)) else {
        return Some(WhoCan {
            action: action.to_string(),
            resource: resource.to_string(),
            evaluated,
            principals,
        });
    };
    let mut req = Request {
        principal: first,
        action: action.to_string(),
        resource: resource.to_string(),
        resource_account,
        context: context.clone(),
    };
    // The resource's account is the same for every principal when the ARN or the model says it; only an
    // account-less ARN no policy covers falls back to each principal's own account.
    if req.resource_account.is_none()
        && (crate::account::arn_account(resource).is_some_and(|a| !a.is_empty())
            || super::engine::resource_policy_for(model, resource).is_some())
    {
        req.resource_account = req.resource_account(model).map(str::to_string);
    }
    // One principal's answer, or `None` when it may not.
    let one = |r: EntityRef, req: &mut Request, prefilter: &mut Prefilter| -> Option<WhoCanEntry> {
        req.principal = principal_of(model, r)?;
        // One run per principal: the decision with its matching statements.
        let super::engine::WithStatements {
            quick,
            decided_by,
            hits,
            assumed: assumptions,
        } = decide_with_statements(model, req, overrides, prefilter);
        let conditions: Vec<String> = assumptions.iter().map(|a| a.text()).collect();
        // A principal that may be allowed but is not known to be is listed as unknown, never left out.
        let outcome = match (quick.decision, quick.certain, quick.conditional) {
            (Decision::Allow, true, false) => Outcome::AllowedAlways,
            (Decision::Allow, true, true) => Outcome::AllowedIf,
            (_, false, _) => Outcome::Unknown,
            _ => return None,
        };
        let assumable_by = if r.kind == EntityKind::Role {
            match model
                .accounts
                .get(r.account as usize)
                .and_then(|a| a.roles.get(r.index as usize).map(|role| (a, role)))
            {
                Some((a, role)) => {
                    let mut v = Vec::new();
                    role_edges(a, role, &mut v);
                    v
                }
                None => Vec::new(),
            }
        } else {
            Vec::new()
        };
        Some(WhoCanEntry {
            outcome,
            statements: allowing_statements(decided_by, hits),
            principal: req.principal.arn.clone(),
            kind: req.principal.kind,
            account: req.principal.account.clone().unwrap_or_default(),
            entity: r,
            conditional: quick.conditional,
            conditions,
            assumptions,
            decided_by,
            assumable_by,
            certain: quick.certain,
        })
    };
    let workers = if candidates.len() < 4096 { 1 } else { workers };
    let part = candidates.len().div_ceil(workers).max(1);
    let chunks: Vec<&[EntityRef]> = candidates.chunks(part).collect();
    // Each part takes its own prefilter (moved out once, so a part run again after a failed spawn starts anew).
    prefilters.resize_with(chunks.len(), Prefilter::default);
    let prefilters: Vec<std::sync::Mutex<Prefilter>> =
        prefilters.into_iter().map(std::sync::Mutex::new).collect();
    let parts = in_parts(chunks.len(), |k| {
        let mut prefilter = prefilters
            .get(k)
            .and_then(|p| p.lock().ok().map(|mut p| std::mem::take(&mut *p)))
            .unwrap_or_default();
        let mut req = req.clone();
        let mut out = Vec::new();
        for &r in chunks.get(k).copied().unwrap_or_default() {
            if cancel.is_cancelled() {
                return None;
            }
            out.extend(one(r, &mut req, &mut prefilter));
        }
        Some(out)
    });
    for part in parts {
        principals.extend(part?);
    }
    principals.sort_by(|a, b| {
        a.outcome
            .cmp(&b.outcome)
            .then(a.principal.cmp(&b.principal))
    });
    Some(WhoCan {
        action: action.to_string(),
        resource: resource.to_string(),
        evaluated,
        principals,
    })
}

/// Who may assume a role, from its trust policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AssumeEdge {
    /// Who: a user or role ARN, `account 123456789012`, `service ec2.amazonaws.com`, `provider ARN`, or `*`.
    pub from: String,
    /// The role's ARN.
    pub role: String,
    /// `sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity`, `sts:AssumeRoleWithSAML`.
    pub action: String,
    /// The trust statement's conditions (`Bool aws:MultiFactorAuthPresent true`, `StringEquals sts:ExternalId …`).
    pub conditions: Vec<String>,
    /// The principal is in another account than the role.
    pub cross_account: bool,
    /// `from` is a whole account: its users and roles need identity permission too.
    pub via_account: bool,
    /// The principal as the trust policy names it, typed.
    #[serde(skip)]
    pub named: Named,
}

/// A principal a trust statement names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Named {
    /// `*`: any principal of any account.
    Anyone,
    /// A whole account (`123456789012` or `arn:aws:iam::123456789012:root`): its id.
    Account(String),
    /// One principal's ARN (a user, a role, a session).
    Arn(String),
    /// An AWS service (`ec2.amazonaws.com`).
    Service(String),
    /// A SAML or OIDC identity provider (its ARN, or a web identity name such as `accounts.google.com`).
    Provider(String),
}

fn condition_summaries(s: &crate::policy::Statement) -> Vec<String> {
    s.conditions
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c.operator.value,
                c.key.value,
                c.values.iter().collect::<Vec<_>>().join(", ")
            )
        })
        .collect()
}

/// Every "may assume" edge the trust policies of the model declare (Allow statements on `sts:AssumeRole*`).
pub fn assume_edges(model: &Model) -> Vec<AssumeEdge> {
    let mut out = Vec::new();
    for a in &model.accounts {
        for role in &a.roles {
            role_edges(a, role, &mut out);
        }
    }
    out
}

/// The "may assume" edges of one role's trust policy.
pub fn role_edges(
    a: &crate::account::Account,
    role: &crate::account::Role,
    out: &mut Vec<AssumeEdge>,
) {
    {
        {
            let Some(t) = &role.trust else { return };
            for s in &t.policy.statements {
                if s.effect.as_ref().map(|e| e.value) != Some(Effect::Allow) {
                    continue;
                }
                let actions: Vec<&str> = match &s.action {
                    Some(ActionBlock::Action(l)) => l
                        .iter()
                        .filter(|p| {
                            crate::wildcard::action_matches(p, "sts:AssumeRole")
                                || crate::wildcard::action_matches(
                                    p,
                                    "sts:AssumeRoleWithWebIdentity",
                                )
                                || crate::wildcard::action_matches(p, "sts:AssumeRoleWithSAML")
                        })
                        .collect(),
                    _ => continue,
                };
                let Some(action) = actions.first() else {
                    continue;
                };
                let conditions = condition_summaries(s);
                let Some(block) = &s.principal else { continue };
                if block.not {
                    continue;
                }
                let mut push = |from: String, named: Named, account: Option<&str>| {
                    out.push(AssumeEdge {
                        cross_account: account.is_some_and(|x| x != &*a.id),
                        via_account: matches!(named, Named::Account(_)),
                        from,
                        named,
                        role: role.arn.to_string(),
                        action: action.to_string(),
                        conditions: conditions.clone(),
                    });
                };
                match &block.value {
                    PrincipalValue::Star(_) => push("*".into(), Named::Anyone, None),
                    PrincipalValue::Map(entries) => {
                        for e in entries {
                            for v in e.values.iter() {
                                match e.kind.value {
                                    PrincipalKind::Aws if v == "*" => {
                                        push("*".into(), Named::Anyone, None)
                                    }
                                    PrincipalKind::Aws => {
                                        let acct = if v.len() == 12
                                            && v.bytes().all(|b| b.is_ascii_digit())
                                        {
                                            Some(v)
                                        } else {
                                            crate::account::arn_account(v)
                                        };
                                        if v.ends_with(":root") || Some(v) == acct {
                                            let id = acct.unwrap_or(v);
                                            push(
                                                format!("account {id}"),
                                                Named::Account(id.to_string()),
                                                Some(id),
                                            );
                                        } else {
                                            push(v.to_string(), Named::Arn(v.to_string()), acct);
                                        }
                                    }
                                    PrincipalKind::Service => push(
                                        format!("service {v}"),
                                        Named::Service(v.to_string()),
                                        None,
                                    ),
                                    PrincipalKind::Federated => push(
                                        format!("provider {v}"),
                                        Named::Provider(v.to_string()),
                                        crate::account::arn_account(v),
                                    ),
                                    _ => {}
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One role reachable from a principal, with the hops that reach it.
#[derive(Clone, Debug, Serialize)]
pub struct Reach {
    /// The role's ARN.
    pub role: String,
    /// ARNs from the principal to the role (first is the principal).
    pub path: Vec<String>,
    /// Conditions on the way, per hop.
    pub conditions: Vec<Vec<String>>,
    /// Why a hop's answer is not certain (a policy it needs was not read), per hop; a role reached through
    /// such a hop *may* be reachable.
    pub unknown: Vec<Vec<String>>,
    /// Every hop's answer is certain.
    pub certain: bool,
}

impl Reach {
    /// True when every hop's answer is certain.
    pub fn certain(&self) -> bool {
        self.certain
    }
}

/// Every role `from` can reach by assuming roles, directly or through a chain (role chaining), with the
/// conditions of each hop. Each hop is a full evaluation of `sts:AssumeRole` (identity, trust, SCPs…).
pub fn reachable_roles(model: &Model, from: EntityRef, overrides: &Overrides) -> Vec<Reach> {
    let opt = optimistic(overrides);
    // A session policy caps the session it was given to, not the sessions that session goes on to create
    // (role chaining): from the second hop on, none is applied.
    let chained = Overrides {
        session_policies: Vec::new(),
        ..opt.clone()
    };
    let Some(start) = principal_of(model, from) else {
        return Vec::new();
    };
    let roles: Vec<EntityRef> = all_principals(model)
        .into_iter()
        .filter(|r| r.kind == EntityKind::Role)
        .collect();
    let mut out: Vec<Reach> = Vec::new();
    let mut seen: std::collections::HashSet<EntityRef> = std::collections::HashSet::new();
    seen.insert(from);
    let mut prefilter = Prefilter::default();
    type Hops = (Principal, Vec<String>, Vec<Vec<String>>, Vec<Vec<String>>);
    let mut queue: std::collections::VecDeque<Hops> = std::collections::VecDeque::new();
    queue.push_back((
        start.clone(),
        vec![start.arn.clone()],
        Vec::new(),
        Vec::new(),
    ));
    while let Some((p, path, conds, unknowns)) = queue.pop_front() {
        for &r in &roles {
            if seen.contains(&r) {
                continue;
            }
            let (_, role_arn) = model.describe(r);
            let req = Request {
                principal: p.clone(),
                action: "sts:AssumeRole".into(),
                resource: role_arn.clone(),
                resource_account: None,
                context: Context::new(),
            };
            // Decided cheaply first; explained only when it may allow. An answer that is not certain may allow
            // (a trust policy that was not read, a missing managed policy): the role *may* be reached.
            let ov = if path.len() > 1 { &chained } else { &opt };
            let q = decide_with(model, &req, ov, &mut prefilter);
            if q.decision != Decision::Allow && q.certain {
                continue;
            }
            let res = evaluate(model, &req, ov);
            if res.decision != Decision::Allow && res.certain {
                continue;
            }
            seen.insert(r);
            let mut path2 = path.clone();
            path2.push(role_arn.clone());
            let mut conds2 = conds.clone();
            conds2.push(res.assumed_conditions.clone());
            let mut unknowns2 = unknowns.clone();
            unknowns2.push(if res.certain {
                Vec::new()
            } else if res.unknown.is_empty() {
                vec!["the answer is not certain".to_string()]
            } else {
                res.unknown.clone()
            });
            out.push(Reach {
                role: role_arn.clone(),
                path: path2.clone(),
                conditions: conds2.clone(),
                certain: unknowns2.iter().all(Vec::is_empty),
                unknown: unknowns2.clone(),
            });
            // Role chaining: the session of the assumed role can assume further roles.
            if let Some(mut next) = principal_of(model, r) {
                next.kind = PrincipalType::AssumedRole;
                next.session = Some("chained".into());
                let name = role_arn.rsplit('/').next().unwrap_or("");
                next.arn = format!(
                    "arn:aws:sts::{}:assumed-role/{name}/chained",
                    next.account.clone().unwrap_or_default()
                );
                queue.push_back((next, path2, conds2, unknowns2));
            }
        }
    }
    out
}

/// One action a principal may do.
#[derive(Clone, Debug, Serialize)]
pub struct ActionGrant {
    /// `service:Action`.
    pub action: String,
    /// Resources it may use it on (patterns from its policies, and the snapshot's resources).
    pub resources: Vec<String>,
    /// Allowed only under conditions.
    pub conditional: bool,
    /// Resources on which the answer is unknown (a policy it needs is missing, such as a KMS key policy, or a
    /// statement could not be read): not allowed for certain, not denied for certain either.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
    /// What a `Deny` names inside an allowed pattern and is not allowed: `arn:aws:s3:::b/*` allowed except
    /// `arn:aws:s3:::b/private/*`. A pattern is asked about as its own text, which a narrower `Deny` does not
    /// match, so the pattern alone would read as allowed throughout.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
}

/// At most this many distinct resources are evaluated per action: a statement that lists thousands of
/// resources with `NotAction` would otherwise ask millions of questions and print an answer far larger than the
/// policy. What is left out is counted in [`WhatCan::not_evaluated`].
pub const WHAT_CAN_RESOURCES_PER_ACTION: usize = 64;

/// The longest ARN AWS accepts in a policy's `Resource`: a `Deny`'s longer pattern is not asked about by
/// what-can.
const MAX_ARN_LEN: usize = 2048;

/// At most this many (action, resource) requests are evaluated by one what-can query, whatever the policies
/// say; what is left out is counted in [`WhatCan::not_evaluated`].
pub const WHAT_CAN_EVALUATIONS: usize = 200_000;

/// The answer to "what can P do?": per service, per access level, the actions and resources.
#[derive(Clone, Debug, Default, Serialize)]
pub struct WhatCan {
    /// The principal.
    pub principal: String,
    /// Number of (action, resource) requests evaluated.
    pub evaluated: usize,
    /// At most this many (action, resource) pairs were left out by the bounds ([`WHAT_CAN_RESOURCES_PER_ACTION`],
    /// [`WHAT_CAN_EVALUATIONS`]).
    #[serde(skip_serializing_if = "is_zero")]
    pub not_evaluated: usize,
    /// Identity policies (or the boundary) that could not be read: what they may grant is not listed, so the
    /// answer is not whole ([`crate::eval::engine::identity_unread`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<String>,
    /// service → access level → grants.
    pub services: BTreeMap<String, BTreeMap<String, Vec<ActionGrant>>>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What `principal` may do: every action its identity policies (and resource policies naming it) mention,
/// expanded through the catalog, on the resources those statements name and the snapshot's own resources.
/// Linear in the principal's statements: each distinct action pattern is expanded once, and resources are
/// kept in sets.
pub fn what_can(
    model: &Model,
    principal: &Principal,
    context: &Context,
    overrides: &Overrides,
) -> WhatCan {
    // Nobody cancels it, so the answer is whole.
    what_can_cancellable(model, principal, context, overrides, &Cancel::never()).unwrap_or_default()
}

/// [`what_can`], reading `cancel` between actions: `None` once it is raised (never a partial list).
pub fn what_can_cancellable(
    model: &Model,
    principal: &Principal,
    context: &Context,
    overrides: &Overrides,
    cancel: &Cancel,
) -> Option<WhatCan> {
    use rustc_hash::{FxHashMap, FxHashSet};
    let catalog = crate::catalog::catalog();
    let opt = optimistic(overrides);
    // Distinct (action pattern, NotAction?) → the distinct resource patterns written with it.
    let mut patterns: FxHashMap<(String, bool), FxHashSet<String>> = FxHashMap::default();
    // Identity policies, and the Allow statements of resource policies that name the principal (with the
    // resource they are on): a bucket policy can grant what no identity policy mentions.
    let docs = crate::eval::engine::identity_documents(model, principal)
        .into_iter()
        .map(|p| (p, None))
        .chain(model.accounts.iter().flat_map(|a| {
            a.resource_policies
                .iter()
                .map(|rp| (&rp.doc.policy, Some(&*rp.resource)))
        }))
        // Trust policies too: a same-account trust that names the principal lets it assume the role with no
        // identity policy at all.
        .chain(model.accounts.iter().flat_map(|a| {
            a.roles
                .iter()
                .filter_map(|r| r.trust.as_ref().map(|t| (&t.policy, Some(&*r.arn))))
        }));
    // The caller's context first (a session's tags given with `--context`), then what the principal itself says.
    let mut keys = context.clone();
    for (k, v) in principal.derived_keys(model).entries() {
        keys.set_default(&k, v);
    }
    for (pol, on) in docs {
        for s in &pol.statements {
            if s.effect.as_ref().map(|e| e.value) != Some(Effect::Allow) {
                continue;
            }
            if on.is_some()
                && !crate::eval::engine::names_principal(s.principal.as_deref(), principal)
            {
                continue;
            }
            // Policy variables substituted with the principal's own keys, as the evaluator substitutes them
            // (`arn:aws:s3:::home/${aws:username}/*` is asked as alice's folder, not as the literal text, which
            // no pattern matches); a variable with no value is kept as written.
            let mut resources: Vec<Cow<'_, str>> = match &s.resource {
                Some(crate::policy::ResourceBlock::Resource(l)) => l
                    .iter()
                    .map(|r| {
                        if pol.supports_variables() && crate::policy::variables::has_variable(r) {
                            crate::eval::condition::substitute(r, &keys)
                                .map_or(Cow::Borrowed(r), |c| Cow::Owned(c.into_owned()))
                        } else {
                            Cow::Borrowed(r)
                        }
                    })
                    .collect(),
                _ => vec![Cow::Borrowed("*")],
            };
            resources.extend(on.map(Cow::Borrowed));
            let mut add = |key: (String, bool)| {
                let set = patterns.entry(key).or_default();
                for r in &resources {
                    if !set.contains(r.as_ref()) {
                        set.insert(r.to_string());
                    }
                }
            };
            match &s.action {
                Some(ActionBlock::Action(l)) => {
                    for p in l.iter() {
                        add((p.to_string(), false));
                    }
                }
                Some(ActionBlock::NotAction(l)) => {
                    let mut excluded: Vec<&str> = l.iter().collect();
                    excluded.sort_unstable();
                    excluded.dedup();
                    add((excluded.join("\u{1f}"), true));
                }
                None => {}
            }
        }
    }
    // Resources of the snapshot (resource policies) join the candidates of their service.
    let mut snapshot_resources: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in &model.accounts {
        for rp in &a.resource_policies {
            snapshot_resources
                .entry(rp.service.to_string())
                .or_default()
                .push(rp.resource.to_string());
        }
    }
    // Each distinct pattern's resources once, sorted; each action points at its patterns (never a copy of their
    // resources per action: a NotAction over thousands of resources would copy them for every action).
    let patterns: Vec<((String, bool), Vec<String>)> = patterns
        .into_iter()
        .map(|(k, set)| {
            let mut v: Vec<String> = set.into_iter().collect();
            v.sort_unstable();
            (k, v)
        })
        .collect();
    let mut by_action: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut all_actions: Option<Vec<String>> = None;
    for (pi, ((pattern, not), _)) in patterns.iter().enumerate() {
        let pi = pi as u32;
        let mut add = |full: String| {
            let e = by_action.entry(full).or_default();
            if e.last() != Some(&pi) {
                e.push(pi);
            }
        };
        if *not {
            let excluded: Vec<&str> = pattern.split('\u{1f}').collect();
            let all = all_actions.get_or_insert_with(|| {
                catalog
                    .expand("*")
                    .into_iter()
                    .filter_map(|id| {
                        catalog
                            .get(id)
                            .map(|(svc, act)| format!("{}:{}", svc.prefix, act.name))
                    })
                    .collect()
            });
            for full in all.iter() {
                if !excluded
                    .iter()
                    .any(|p| crate::wildcard::action_matches(p, full))
                {
                    add(full.clone());
                }
            }
        } else {
            catalog.for_each_match(pattern, &mut |id| {
                if let Some((svc, act)) = catalog.get(id) {
                    add(format!("{}:{}", svc.prefix, act.name));
                }
                true
            });
        }
    }
    // What AWS allows without a policy (GetCallerIdentity) is something the principal can do too: evaluated
    // like the rest, so the answer says which rule allowed it.
    for action in super::protected::NEEDS_NO_PERMISSION {
        by_action.entry((*action).to_string()).or_default();
    }
    // The resources `Deny` statements name (`Resource` and `NotResource`), by statement: asked about too, for the
    // actions each statement covers. Beside an `Allow` on `*`, a `Deny` with `NotResource: public/*` denies the
    // request `*` and nothing under `public/`; a `Deny` on `b/private/*` denies nothing asked as `b/*`.
    let mut deny_resources: Vec<(&ActionBlock, Vec<String>)> = Vec::new();
    {
        let side = crate::eval::engine::identity_side(model, principal);
        let mut guards: Vec<&crate::policy::Policy> = Vec::new();
        if let Some(side) = &side {
            guards.extend(side.identity.iter().map(|a| a.policy));
            guards.extend(side.boundary.iter().flatten().map(|a| a.policy));
            guards.extend(
                side.scp_levels
                    .iter()
                    .flatten()
                    .flat_map(|l| l.policies.iter().flatten().map(|a| a.policy)),
            );
        }
        let resource_policies = model
            .accounts
            .iter()
            .flat_map(|a| a.resource_policies.iter().map(|rp| &rp.doc.policy));
        for pol in guards.into_iter().chain(resource_policies) {
            for st in &pol.statements {
                if st.effect.as_ref().map(|e| e.value) != Some(Effect::Deny) {
                    continue;
                }
                let (Some(actions), Some(r)) = (&st.action, &st.resource) else {
                    continue;
                };
                // A pattern longer than any ARN AWS accepts (2,048 characters) is not asked about: matching it
                // against the policies costs its length squared, and AWS would refuse the policy.
                let list: Vec<String> = r
                    .list()
                    .iter()
                    .filter(|p| *p != "*" && p.len() <= MAX_ARN_LEN)
                    .map(|p| {
                        if pol.supports_variables() && crate::policy::variables::has_variable(p) {
                            crate::eval::condition::substitute(p, &keys)
                                .map_or_else(|| p.to_string(), |c| c.into_owned())
                        } else {
                            p.to_string()
                        }
                    })
                    .collect();
                if !list.is_empty() {
                    deny_resources.push((actions, list));
                }
            }
        }
    }
    // The `Deny` statements by the service their actions name (a wildcard service, or `NotAction`, apart), so an
    // action is matched against its own service's statements only.
    let mut deny_by_service: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    let mut deny_any_service: Vec<usize> = Vec::new();
    for (i, (actions, _)) in deny_resources.iter().enumerate() {
        match actions {
            ActionBlock::Action(l) => {
                for p in l.iter() {
                    match p.split_once(':') {
                        Some((svc, _)) if !svc.contains(['*', '?']) => {
                            let v = deny_by_service.entry(svc.to_ascii_lowercase()).or_default();
                            if v.last() != Some(&i) {
                                v.push(i);
                            }
                        }
                        _ => {
                            if deny_any_service.last() != Some(&i) {
                                deny_any_service.push(i);
                            }
                        }
                    }
                }
            }
            ActionBlock::NotAction(_) => deny_any_service.push(i),
        }
    }
    let star = ["*".to_string()];
    let mut services: BTreeMap<String, BTreeMap<String, Vec<ActionGrant>>> = BTreeMap::new();
    let mut evaluated = 0;
    let mut not_evaluated = 0;
    let mut prefilter = Prefilter::default();
    let mut req = Request {
        principal: principal.clone(),
        action: String::new(),
        resource: String::new(),
        resource_account: None,
        context: context.clone(),
    };
    for (action, pattern_ids) in by_action {
        if cancel.is_cancelled() {
            return None;
        }
        let service = crate::arn::action_service(&action).to_string();
        // The action's resources: its patterns' and the snapshot's, distinct, at most the per-action bound and
        // within the whole query's budget.
        let budget = WHAT_CAN_EVALUATIONS.saturating_sub(evaluated);
        let limit = WHAT_CAN_RESOURCES_PER_ACTION.min(budget);
        let mut resources: Vec<String> = Vec::new();
        let mut seen: FxHashSet<&str> = FxHashSet::default();
        let extra = snapshot_resources
            .get(&service)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut deny_ids: Vec<usize> = deny_by_service
            .get(&service.to_ascii_lowercase())
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .chain(deny_any_service.iter())
            .copied()
            .collect();
        deny_ids.sort_unstable();
        deny_ids.dedup();
        let denied: Vec<&[String]> = deny_ids
            .iter()
            .filter_map(|&i| deny_resources.get(i))
            .filter(|(actions, _)| match actions {
                ActionBlock::Action(l) => l
                    .iter()
                    .any(|p| crate::wildcard::action_matches(p, &action)),
                ActionBlock::NotAction(l) => !l
                    .iter()
                    .any(|p| crate::wildcard::action_matches(p, &action)),
            })
            .map(|(_, r)| r.as_slice())
            .collect();
        // Its own patterns first, then what its `Deny` statements name, then the snapshot's resources of the
        // service (the bound cuts from the end).
        let lists: Vec<&[String]> = pattern_ids
            .iter()
            .filter_map(|&pi| patterns.get(pi as usize).map(|(_, r)| r.as_slice()))
            .chain(denied.iter().copied())
            .chain(std::iter::once(extra))
            // An action no statement names (one AWS allows without a policy) is asked on `*`.
            .chain(pattern_ids.is_empty().then_some(star.as_slice()))
            .collect();
        // Read up to the limit; what is left past it is counted, not read (an upper bound, as lists may repeat
        // a resource). Repeats read before the limit are not "left out".
        let mut read = 0usize;
        let mut cut = false;
        'fill: for list in &lists {
            for r in *list {
                if resources.len() >= limit {
                    cut = true;
                    break 'fill;
                }
                read += 1;
                if seen.insert(r.as_str()) {
                    resources.push(r.clone());
                }
            }
        }
        if cut {
            let total: usize = lists.iter().map(|l| l.len()).sum();
            not_evaluated += total.saturating_sub(read);
        }
        let mut allowed = Vec::new();
        let mut unknown = Vec::new();
        // Asked about and certainly not allowed.
        let mut refused: FxHashSet<String> = FxHashSet::default();
        let mut conditional = false;
        req.action = action;
        for res in resources {
            evaluated += 1;
            req.resource = res;
            let q = decide_with(model, &req, &opt, &mut prefilter);
            if q.decision == Decision::Allow {
                conditional |= q.conditional;
                if q.certain {
                    allowed.push(std::mem::take(&mut req.resource));
                } else {
                    unknown.push(std::mem::take(&mut req.resource));
                }
            } else if !q.certain {
                unknown.push(std::mem::take(&mut req.resource));
            } else if !denied.is_empty() {
                refused.insert(std::mem::take(&mut req.resource));
            }
        }
        if allowed.is_empty() && unknown.is_empty() {
            continue;
        }
        // What a `Deny` names inside an allowed pattern, asked about and certainly refused (never what was
        // left unasked by the bound, nor what came back unknown).
        let except: Vec<String> = denied
            .iter()
            .flat_map(|l| l.iter())
            .filter(|d| {
                refused.contains(*d)
                    && allowed.iter().any(|a| {
                        a.as_str() != d.as_str() && crate::wildcard::resource_matches(a, d)
                    })
            })
            .cloned()
            .collect::<std::collections::BTreeSet<String>>()
            .into_iter()
            .collect();
        let level = catalog
            .access_level(&req.action)
            .map(|l| l.label().to_string())
            .unwrap_or_else(|| "Unknown".into());
        services
            .entry(service)
            .or_default()
            .entry(level)
            .or_default()
            .push(ActionGrant {
                action: req.action.clone(),
                resources: allowed,
                conditional,
                unknown,
                except,
            });
    }
    Some(WhatCan {
        principal: principal.arn.clone(),
        evaluated,
        not_evaluated,
        unread: crate::eval::engine::identity_unread(model, principal),
        services,
    })
}

/// A principal that a role's trust policy names and that is not one of the loaded users and roles (a service, an
/// identity provider, another account, one principal outside the snapshot, anyone), with the engine's answer.
#[derive(Clone, Debug, Serialize)]
pub struct OutsideAssumer {
    /// What the trust policy names, as [`AssumeEdge::from`] writes it.
    pub from: String,
    /// The same, typed.
    #[serde(skip)]
    pub named: Named,
    /// The action evaluated: `sts:AssumeRoleWithSAML` or `…WithWebIdentity` for an identity provider,
    /// `sts:AssumeRole` for the others.
    pub action: String,
    /// The engine's answer; `None` when it refuses (the layer that decided is in `decided_by`).
    pub outcome: Option<Outcome>,
    /// Conditions the answer relies on (keys the question left open).
    pub conditions: Vec<String>,
    /// The layer that decided.
    pub decided_by: Option<Layer>,
    /// The principal is in another account than the role.
    pub cross_account: bool,
    /// Why the answer is unknown, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Who may assume a role, as the engine answers: the loaded users and roles (who-can `sts:AssumeRole` on the
/// role, weighing their own policies, boundaries and SCPs as well as the trust policy), and each principal
/// outside them that the trust policy names, evaluated on the role's side (trust policy, RCPs).
#[derive(Clone, Debug, Serialize)]
pub struct WhoCanAssume {
    /// The role's ARN.
    pub role: String,
    /// The loaded users and roles that may assume it.
    pub loaded: WhoCan,
    /// The principals outside the loaded ones that its trust policy names, allowed first.
    pub outside: Vec<OutsideAssumer>,
}

/// True when who-can over the loaded users and roles already answers for `named`: a loaded user or role, or an
/// account whose authorization details are loaded.
fn loaded_principal(model: &Model, named: &Named) -> bool {
    match named {
        Named::Account(id) => model.account(id).is_some_and(|a| a.source.is_some()),
        Named::Arn(arn) => model
            .by_arn(arn)
            .is_some_and(|r| matches!(r.kind, EntityKind::User | EntityKind::Role)),
        Named::Anyone | Named::Service(_) | Named::Provider(_) => false,
    }
}

/// The request principal and action for a principal outside the loaded users and roles.
fn outside_request(
    model: &Model,
    named: &Named,
    role_account: &str,
) -> Result<(Principal, &'static str), String> {
    let direct = |kind, arn: &str, account: Option<&str>| Principal {
        kind,
        arn: arn.to_string(),
        account: account.map(str::to_string),
        entity: None,
        role_arn: None,
        session: None,
        stand_in: false,
        outsider: None,
    };
    Ok(match named {
        // Any principal of any account but the role's (an unsigned caller cannot assume a role).
        Named::Anyone => (
            Principal::from_outside(
                model,
                crate::eval::condition::Outside {
                    of: role_account.to_string(),
                    organization: false,
                    members: None,
                },
            ),
            "sts:AssumeRole",
        ),
        // Any principal of the account.
        Named::Account(id) => (
            Principal {
                stand_in: true,
                ..Principal::resolve(id, model)?
            },
            "sts:AssumeRole",
        ),
        Named::Arn(arn) => (Principal::resolve(arn, model)?, "sts:AssumeRole"),
        Named::Service(s) => (direct(PrincipalType::Service, s, None), "sts:AssumeRole"),
        Named::Provider(p) => (
            direct(
                PrincipalType::Federated,
                p,
                crate::account::arn_account(p).filter(|a| !a.is_empty()),
            ),
            if p.contains(":saml-provider/") {
                "sts:AssumeRoleWithSAML"
            } else {
                "sts:AssumeRoleWithWebIdentity"
            },
        ),
    })
}

/// Who may assume `role` (see [`WhoCanAssume`]); `None` when `role` is not a role of the model. Conditions on
/// keys left open are assumed to hold and listed, as in [`who_can`].
pub fn who_can_assume(
    model: &Model,
    role: EntityRef,
    overrides: &Overrides,
) -> Option<WhoCanAssume> {
    if role.kind != EntityKind::Role {
        return None;
    }
    let account = model.accounts.get(role.account as usize)?;
    let r = account.roles.get(role.index as usize)?;
    let arn = r.arn.to_string();
    let loaded = who_can(
        model,
        "sts:AssumeRole",
        &arn,
        None,
        &Context::new(),
        overrides,
    );
    let opt = optimistic(overrides);
    let overrides = if overrides.optimistic {
        overrides
    } else {
        &opt
    };
    let mut edges = Vec::new();
    role_edges(account, r, &mut edges);
    let mut seen = std::collections::HashSet::new();
    let mut prefilter = Prefilter::default();
    let mut outside = Vec::new();
    for e in edges {
        if loaded_principal(model, &e.named) || !seen.insert(e.named.clone()) {
            continue;
        }
        let (principal, action) = match outside_request(model, &e.named, &account.id) {
            Ok(p) => p,
            Err(why) => {
                // A principal the engine cannot read (a unique id left by a deleted principal, a malformed ARN)
                // is listed as unknown, never left out.
                outside.push(OutsideAssumer {
                    from: e.from,
                    named: e.named,
                    action: "sts:AssumeRole".into(),
                    outcome: Some(Outcome::Unknown),
                    conditions: e.conditions,
                    decided_by: None,
                    cross_account: e.cross_account,
                    note: Some(format!("not evaluated: {why}")),
                });
                continue;
            }
        };
        let mut req = Request {
            principal,
            action: action.to_string(),
            resource: arn.clone(),
            resource_account: None,
            context: Context::new(),
        };
        req.resource_account = req.resource_account(model).map(str::to_string);
        let super::engine::WithStatements {
            quick,
            decided_by,
            assumed,
            ..
        } = decide_with_statements(model, &req, overrides, &mut prefilter);
        let outcome = match (quick.decision, quick.certain, quick.conditional) {
            (Decision::Allow, true, false) => Some(Outcome::AllowedAlways),
            (Decision::Allow, true, true) => Some(Outcome::AllowedIf),
            (_, false, _) => Some(Outcome::Unknown),
            _ => None,
        };
        // The role's side allows a whole account or anyone: which of their principals may depends on their own
        // policies, which the snapshot does not hold.
        let (outcome, note) = match (&e.named, outcome) {
            (_, None) => (None, None),
            (Named::Anyone, Some(_)) => (
                Some(Outcome::Unknown),
                Some(
                    "any principal outside the loaded accounts whose own policies allow it"
                        .to_string(),
                ),
            ),
            (Named::Account(id), Some(_)) => (
                Some(Outcome::Unknown),
                Some(format!(
                    "the users and roles of account {id} are not loaded: those whose own policies allow it"
                )),
            ),
            (_, Some(Outcome::Unknown)) => (
                Some(Outcome::Unknown),
                Some("a policy it needs is missing or was not read".to_string()),
            ),
            (_, o) => (o, None),
        };
        outside.push(OutsideAssumer {
            from: e.from,
            named: e.named,
            action: action.to_string(),
            outcome,
            conditions: assumed.iter().map(|a| a.text()).collect(),
            decided_by,
            cross_account: e.cross_account,
            note,
        });
    }
    outside.sort_by(|a, b| {
        (a.outcome.is_none(), a.outcome)
            .cmp(&(b.outcome.is_none(), b.outcome))
            .then(a.from.cmp(&b.from))
    });
    Some(WhoCanAssume {
        role: arn,
        loaded,
        outside,
    })
}

/// The overrides reverse queries evaluate with: conditions assumed to hold (`optimistic`, so an answer lists the
/// conditions instead of depending on a context it was not given), with everything else the caller gave (a
/// session policy caps what a session may do, a what-if SCP what an account may: dropping them answered more
/// than the policies allow).
fn optimistic(overrides: &Overrides) -> Overrides {
    Overrides {
        optimistic: true,
        ..overrides.clone()
    }
}

/// True when `overrides` may grant to a principal what the model's own policies do not (a policy added to the
/// identity, resource or trust layer, or a resource policy in place of the model's), so that no principal may
/// be passed over for what the model holds alone.
fn overrides_may_grant(overrides: &Overrides) -> bool {
    overrides.resource_policy.is_some()
        || overrides
            .extra
            .iter()
            .any(|(layer, _, _)| matches!(layer, Layer::Identity | Layer::Resource | Layer::Trust))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ranges_cover_every_account_once_in_order() {
        let model = crate::sample::load_sample(Default::default()).expect("the sample loads");
        let n = model.accounts.len();
        assert!(n >= 3, "the sample has {n} accounts");
        let sizes: Vec<usize> = model
            .accounts
            .iter()
            .map(|a| a.users.len() + a.roles.len())
            .collect();
        for parts in 1..=n + 2 {
            let ranges = account_ranges(&model, parts);
            assert!(
                !ranges.is_empty() && ranges.len() <= parts,
                "{parts}: {ranges:?}"
            );
            // Contiguous, from the first account to the last, none twice.
            let mut next = 0;
            for r in &ranges {
                assert_eq!(r.start, next, "{parts}: {ranges:?}");
                next = r.end;
            }
            assert_eq!(next, n, "{parts}: {ranges:?}");
            // A part ends at the account that brings the running total to its share, or holds one account (an
            // account is never split), so the parts are about equal.
            let per = sizes.iter().sum::<usize>().div_ceil(parts);
            for (k, r) in ranges.iter().enumerate().take(ranges.len() - 1) {
                let before: usize = sizes[..r.end - 1].iter().sum();
                let through: usize = sizes[..r.end].iter().sum();
                assert!(through >= per * (k + 1), "{parts}: {ranges:?} {sizes:?}");
                assert!(
                    r.len() == 1 || before < per * (k + 1),
                    "{parts}: {ranges:?} {sizes:?}"
                );
            }
        }
        assert_eq!(account_ranges(&model, 0), vec![0..n]);
    }
}
