//! Access proofs: "can any principal outside the zone of trust reach this resource, under any context?"
//!
//! Access Analyzer answers this online with an SMT solver over the resource policy
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-concepts.html>). Here the evaluator itself is
//! the model: every outside principal the resource-side policies could name (anyone for `*`, each named account,
//! role, user or identity provider outside the zone), every action their `Allow` statements name, evaluated with
//! the context keys it leaves open; the conditions the resource side then needs are solved by
//! [`super::witness::satisfy`], which checks each candidate value with the evaluator's own operators.
//!
//! The answer is one of three:
//! - reachable, with a witness request (principal, action, context) that the evaluator allows on the resource
//!   side;
//! - not reachable: no outside principal is named, or every named one is denied under every context (the
//!   candidates of the condition families used are complete: each constant and its neighbours are tried, which
//!   covers every region the comparisons cut a key's values into);
//! - unknown, saying why (a statement not read, a missing policy, or wildcard patterns whose combination the
//!   candidate search cannot prove empty).
//!
//! The outside principal's own identity policies are not the barrier here (they belong to another account): a
//! resource is reachable from outside when its resource policy and RCPs allow it.

use super::condition::{Assumption, Context};
use super::engine::{Layer, Overrides, Verdict, evaluate};
use super::request::{ANY_SERVICE, Principal, PrincipalType, Request, WEB_IDENTITIES};
use super::witness::satisfy;
use crate::account::Model;
use crate::policy::{ActionBlock, Effect, Policy, PrincipalKind, PrincipalValue};
use serde::Serialize;

/// The zone of trust.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// The resource's own account.
    Account,
    /// Every account of the loaded organisation.
    Organization,
}

/// The answer of a proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// An outside principal can reach it: see the witness.
    Reachable,
    /// No outside principal can, under any context.
    NotReachable,
    /// Not decided: see why.
    Unknown,
}

/// A request from outside that the resource side allows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Witness {
    /// The outside principal.
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource it asks for: the proof's, or one under it the policy names (an object of a bucket).
    pub resource: String,
    /// The context it needs (every key the policies test, with a value that meets them).
    pub context: Vec<(String, Vec<String>)>,
    /// The conditions it had to meet.
    pub conditions: Vec<String>,
}

/// The proof for one resource.
#[derive(Clone, Debug, Serialize)]
pub struct Proof {
    /// The resource (a resource ARN, or a role ARN for its trust policy).
    pub resource: String,
    /// The answer.
    pub reach: Reach,
    /// For a reachable resource: one witness per outside principal and action found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub witnesses: Vec<Witness>,
    /// Why it is not reachable, or why it is unknown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
    /// Outside (principal, action) pairs tried.
    pub tried: usize,
}

fn inside(model: &Model, zone: Zone, resource_account: &str, account: &str) -> bool {
    match zone {
        Zone::Account => account == resource_account,
        // The organisation is the zone of its members' resources only.
        Zone::Organization => {
            account == resource_account
                || model
                    .organization
                    .as_ref()
                    .is_some_and(|o| o.is_member(account) && o.is_member(resource_account))
        }
    }
}

/// Whether the loaded organisation's accounts (other than the resource's) are outside the zone: for the account
/// zone, and for the organisation zone of a resource whose account is not a member.
pub(crate) fn asks_members(model: &Model, zone: Zone, resource_account: &str) -> bool {
    zone == Zone::Account
        || model
            .organization
            .as_ref()
            .is_some_and(|o| !o.is_member(resource_account))
}

/// The unsigned caller among [`outside_principals`].
const ANONYMOUS: &str = "anonymous";

/// The caller from outside among [`outside_principals`]: any principal of any account outside the resource's
/// account and the loaded organisation ([`Principal::from_outside_of`]; a witness names its made-up account).
const OUTSIDER: &str = "(any account outside the zone)";

/// For the account zone, the caller from the organisation's other accounts (outside the zone, inside the
/// organisation: `aws:PrincipalOrgID` conditions do not stop it; [`Principal::from_organization_except`]).
const MEMBER: &str = "(any other account of the organisation)";

/// Before a service's name (or [`ANY_SERVICE`], let in by `*`): the service acting for a resource outside the
/// resource's account and the organisation ([`Principal::service_from_outside_of`]).
const SERVICE: &str = "(service for a resource outside the zone) ";

/// Before a service's name: the service acting for a resource of another account of the organisation (the
/// account zone).
const MEMBER_SERVICE: &str = "(service for a resource of another account of the organisation) ";

/// The outside principals a policy's `Allow` statements could name (`policy_is_trust`: a role's trust policy), and
/// whether some were left out ([`MAX_PRINCIPALS`]).
fn outside_principals(
    model: &Model,
    policy: &Policy,
    policy_is_trust: bool,
    zone: Zone,
    resource_account: &str,
    why: &mut Vec<String>,
) -> (Vec<String>, bool) {
    let mut out: Vec<String> = Vec::new();
    let mut dropped = false;
    let mut push = |p: String| {
        if out.contains(&p) {
        } else if out.len() >= MAX_PRINCIPALS {
            dropped = true;
        } else {
            out.push(p);
        }
    };
    // A service acting for a resource outside the zone (resource policies only: a role's trust is assumed by a
    // service for the role's own account).
    let members = asks_members(model, zone, resource_account)
        && Principal::from_organization_except(model, resource_account).is_some();
    let services = |name: &str| {
        let mut v = Vec::new();
        if !policy_is_trust {
            v.push(format!("{SERVICE}{name}"));
            if members {
                v.push(format!("{MEMBER_SERVICE}{name}"));
            }
        }
        v
    };
    // Any principal of an account outside the zone (a stand-in: `Principal::from_outside_of`).
    let anyone = || OUTSIDER.to_string();
    // Whom `*` lets in: the caller from outside; in a resource policy also a caller who does not sign at all and
    // a service acting for another account's resource (a role's trust cannot be assumed so); for the account
    // zone, the organisation's other accounts.
    let mut star = vec![anyone()];
    if !policy_is_trust {
        star.push(ANONYMOUS.to_string());
    } else {
        // A trust's `*` names whoever holds a web identity token (`request::WEB_IDENTITIES`).
        star.extend(WEB_IDENTITIES.iter().map(|w| w.to_string()));
    }
    star.extend(services(ANY_SERVICE));
    if members {
        star.push(MEMBER.to_string());
    }
    for s in &policy.statements {
        if s.invalid.is_some() {
            why.push(format!(
                "statement {} was not fully read: it may name anyone",
                crate::text::excerpt(
                    &s.sid
                        .as_ref()
                        .map_or_else(String::new, |x| x.value.to_string()),
                    40
                )
            ));
            push(anyone());
            continue;
        }
        let Some(block) = &s.principal else { continue };
        if s.effect.as_ref().map(|e| e.value) != Some(Effect::Allow) {
            // A `Deny` with `NotPrincipal` exempts the principals it lists: those outside the zone are asked
            // about apart (the caller from outside stands for the others).
            if let (true, PrincipalValue::Map(entries)) = (block.not, &block.value) {
                for e in entries {
                    for v in e.values.iter() {
                        match e.kind.value {
                            PrincipalKind::Aws => {
                                if let Some(p) = named_outside(model, zone, resource_account, v) {
                                    push(p);
                                }
                            }
                            PrincipalKind::Service => services(v).into_iter().for_each(&mut push),
                            _ => {}
                        }
                    }
                }
            }
            continue;
        }
        if block.not {
            // NotPrincipal with Allow names everyone but the listed principals: whom `*` lets in.
            star.iter().cloned().for_each(&mut push);
            continue;
        }
        match &block.value {
            PrincipalValue::Star(_) => star.iter().cloned().for_each(&mut push),
            PrincipalValue::Map(entries) => {
                for e in entries {
                    for v in e.values.iter() {
                        match e.kind.value {
                            PrincipalKind::Aws => {
                                if v == "*" {
                                    star.iter().cloned().for_each(&mut push);
                                    continue;
                                }
                                match named_outside(model, zone, resource_account, v) {
                                    Some(p) => push(p),
                                    // A name without an account (a unique id): anyone may be meant.
                                    None if account_of(v).is_none() => push(anyone()),
                                    None => {}
                                }
                            }
                            PrincipalKind::Federated => {
                                // Web identities and SAML users are outside every account.
                                push(v.to_string());
                            }
                            PrincipalKind::Service => services(v).into_iter().for_each(&mut push),
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    if dropped {
        why.push(format!(
            "the policy names more than {MAX_PRINCIPALS} principals outside the zone: the first {MAX_PRINCIPALS} \
             were asked about"
        ));
    }
    (out, dropped)
}

/// At most this many outside principals are asked about per policy (each is looked for among those kept).
const MAX_PRINCIPALS: usize = 64;

/// The account an AWS principal value names (an account ID, or an ARN's account).
fn account_of(v: &str) -> Option<String> {
    if crate::arn::is_account_id(v) {
        Some(v.to_string())
    } else {
        crate::account::arn_account(v).map(str::to_string)
    }
}

/// The principal an AWS principal value names, as an ARN, when its account is outside the zone.
fn named_outside(model: &Model, zone: Zone, resource_account: &str, v: &str) -> Option<String> {
    let a = account_of(v)?;
    (v != "*" && !inside(model, zone, resource_account, &a)).then(|| {
        if v.starts_with("arn:") {
            v.to_string()
        } else {
            format!("arn:aws:iam::{a}:root")
        }
    })
}

/// Whether `p` is one of the stand-ins of [`outside_principals`] other than the unsigned caller.
fn stand_in_name(p: &str) -> bool {
    matches!(p, OUTSIDER | MEMBER) || p.starts_with(SERVICE) || p.starts_with(MEMBER_SERVICE)
}

/// The principal a policy names (an ARN, a provider) or [`ANONYMOUS`], as a request's.
fn named_principal(model: &Model, p: &str) -> Principal {
    let (kind, account) = if p == ANONYMOUS {
        (PrincipalType::Anonymous, None)
    } else if p.contains(":oidc-provider/")
        || p.contains(":saml-provider/")
        || !p.starts_with("arn:")
    {
        (PrincipalType::Federated, None)
    } else {
        (
            if p.ends_with(":root") {
                PrincipalType::Root
            } else if p.contains(":role/") {
                PrincipalType::Role
            } else if p.contains(":assumed-role/") {
                PrincipalType::AssumedRole
            } else if p.contains(":federated-user/") {
                PrincipalType::FederatedUser
            } else {
                PrincipalType::User
            },
            crate::account::arn_account(p).map(str::to_string),
        )
    };
    match Principal::resolve(p, model) {
        Ok(anonymous) if kind == PrincipalType::Anonymous => anonymous,
        // A role session: its role's ARN is its `aws:PrincipalArn`.
        Ok(session) if kind == PrincipalType::AssumedRole => session,
        _ => Principal {
            kind,
            arn: p.to_string(),
            account,
            entity: None,
            session: None,
            role_arn: (kind == PrincipalType::Role).then(|| p.to_string()),
            // An account's root stands for every principal of it.
            stand_in: kind == PrincipalType::Root,
            outsider: None,
        },
    }
}

/// At most this many resources are asked about per proof: the resource and what under it the policy names.
const MAX_RESOURCES: usize = 8;

/// The resource and what under it the policy's `Allow` statements name, wildcards filled in
/// (`arn:aws:s3:::b/*`, `arn:aws:s3:::b*/*` or `arn:aws:s3:::*/*` → `arn:aws:s3:::b/atlas-probe`: a bucket policy
/// grants on its objects), at most [`MAX_RESOURCES`]; and whether some were left out.
fn candidate_resources(policy: &Policy, resource: &str) -> (Vec<String>, bool) {
    let mut out = vec![resource.to_string()];
    for s in &policy.statements {
        if s.effect.as_ref().map(|e| e.value) != Some(Effect::Allow) {
            continue;
        }
        let Some(r) = s.resource.as_ref().filter(|r| !r.is_not()) else {
            continue;
        };
        for p in r.list().iter() {
            // A pattern whose part before its first `/` matches the resource names something under it.
            let Some((head, rest)) = p.split_once('/') else {
                continue;
            };
            if !crate::wildcard::glob(head, resource) {
                continue;
            }
            let filled = format!("{resource}/{}", crate::wildcard::fill(rest));
            if out.contains(&filled) {
                continue;
            }
            if out.len() >= MAX_RESOURCES {
                return (out, true);
            }
            out.push(filled);
        }
    }
    (out, false)
}

/// Concrete actions the policy's `Allow` statements name (one per pattern, through the catalog), for tries.
fn candidate_actions(policy: &Policy, service_hint: &str) -> Vec<String> {
    let catalog = crate::catalog::catalog();
    let mut out: Vec<String> = Vec::new();
    let mut push = |a: String| {
        if !out.contains(&a) && out.len() < 64 {
            out.push(a);
        }
    };
    for s in &policy.statements {
        if s.effect.as_ref().map(|e| e.value) != Some(Effect::Allow) {
            continue;
        }
        match &s.action {
            Some(ActionBlock::Action(l)) => {
                for p in l.iter() {
                    if !p.contains(['*', '?']) {
                        push(p.to_string());
                        continue;
                    }
                    // A wildcard: the first actions it covers in the resource's own service, then anywhere.
                    let pattern = if p == "*" {
                        format!("{service_hint}:*")
                    } else {
                        p.to_string()
                    };
                    let mut n = 0;
                    catalog.for_each_match(&pattern, &mut |id| {
                        if let Some((svc, act)) = catalog.get(id) {
                            push(format!("{}:{}", svc.prefix, act.name));
                            n += 1;
                        }
                        n < 8
                    });
                }
            }
            Some(ActionBlock::NotAction(_)) => {
                let mut n = 0;
                catalog.for_each_match(&format!("{service_hint}:*"), &mut |id| {
                    if let Some((svc, act)) = catalog.get(id) {
                        push(format!("{}:{}", svc.prefix, act.name));
                        n += 1;
                    }
                    n < 16
                });
            }
            None => {}
        }
    }
    out
}

/// True when every test of the assumptions uses an operator family whose candidates are complete (equality,
/// numbers, dates, IP ranges, booleans, `Null`): a failed search then proves no context exists.
fn complete(assumptions: &[Assumption]) -> bool {
    // The search tries one value a key and at most `witness::COMBINATIONS` ways to break the `Deny`s: more, or a
    // set qualifier (a request may need several values of a key), and a failed search proves nothing.
    let combinations = assumptions
        .iter()
        .filter_map(|a| match a {
            Assumption::NotAll(ts) if ts.len() > 1 => Some(ts.len()),
            _ => None,
        })
        .try_fold(1usize, |n, k| n.checked_mul(k));
    if combinations.is_none_or(|n| n > super::witness::COMBINATIONS) {
        return false;
    }
    let tests = assumptions.iter().flat_map(|a| match a {
        Assumption::Holds(t) => std::slice::from_ref(t).iter(),
        Assumption::NotAll(ts) => ts.iter(),
    });
    for t in tests {
        let Some(op) = crate::policy::ConditionOperator::parse(&t.operator) else {
            return false;
        };
        if op.qualifier.is_some() {
            return false;
        }
        use crate::policy::BaseOperator::*;
        let wildcard = matches!(op.base, StringLike | StringNotLike | ArnLike | ArnNotLike)
            && t.values.iter().any(|v| v.contains(['*', '?']));
        if wildcard
            || t.values
                .iter()
                .any(|v| crate::policy::variables::has_variable(v))
        {
            return false;
        }
    }
    true
}

/// Can a principal outside `zone` reach `resource` (a resource with a loaded resource policy, or a role for
/// `sts:AssumeRole`), under any context?
pub fn external_access(model: &Model, resource: &str, zone: Zone) -> Proof {
    let mut why = Vec::new();
    let mut out = Proof {
        resource: resource.to_string(),
        reach: Reach::NotReachable,
        witnesses: Vec::new(),
        why: Vec::new(),
        tried: 0,
    };
    // The resource-side policy: a role's trust policy, or the loaded resource policy.
    let role = model
        .by_arn(resource)
        .filter(|r| r.kind == crate::account::EntityKind::Role)
        .and_then(|r| {
            model
                .accounts
                .get(r.account as usize)?
                .roles
                .get(r.index as usize)
        });
    let (policy, resource_account, service, trust) = if let Some(role) = role {
        match &role.trust {
            Some(t) => (
                &t.policy,
                crate::account::arn_account(&role.arn)
                    .unwrap_or_default()
                    .to_string(),
                "sts".to_string(),
                true,
            ),
            None => {
                out.reach = Reach::Unknown;
                out.why
                    .push("the role's trust policy is not in the snapshot".into());
                return out;
            }
        }
    } else {
        match super::engine::resource_policy_for(model, resource).and_then(|r| {
            let a = model.accounts.get(r.account as usize)?;
            a.resource_policies.get(r.index as usize).map(|rp| (a, rp))
        }) {
            Some((a, rp)) => (
                &rp.doc.policy,
                a.id.to_string(),
                rp.service.to_string(),
                false,
            ),
            None => {
                out.why.push(
                    "no resource-based policy is loaded for it: only its own account's principals can be granted access"
                        .into(),
                );
                return out;
            }
        }
    };
    if let Some(i) = &policy.invalid {
        why.push(format!(
            "the policy was not fully read: {}",
            crate::text::excerpt(&i.value, 120)
        ));
        out.reach = Reach::Unknown;
    }
    let (principals, dropped) =
        outside_principals(model, policy, trust, zone, &resource_account, &mut why);
    // Principals not asked about: "not reachable" is not proved.
    let mut incomplete = dropped;
    if principals.is_empty() {
        if out.reach != Reach::Unknown {
            why.push(format!(
                "no Allow statement names a principal outside the {}",
                match zone {
                    Zone::Account => "account",
                    Zone::Organization => "organisation",
                }
            ));
        }
        out.why = why;
        return out;
    }
    let actions = if trust {
        vec![
            "sts:AssumeRole".to_string(),
            "sts:AssumeRoleWithWebIdentity".to_string(),
            "sts:AssumeRoleWithSAML".to_string(),
        ]
    } else {
        candidate_actions(policy, &service)
    };
    // The resource, and what under it the policy's `Allow` statements name (`bucket/*`: an object of it).
    let (resources, more) = if trust {
        (vec![resource.to_string()], false)
    } else {
        candidate_resources(policy, resource)
    };
    if more {
        why.push(format!(
            "the policy names more than {MAX_RESOURCES} resources under it: the first {MAX_RESOURCES} were asked \
             about"
        ));
        incomplete = true;
    }
    // The stand-ins of `outside_principals`.
    let outsider = Principal::from_outside_of(model, &resource_account);
    let member = Principal::from_organization_except(model, &resource_account);
    let member_zone = member.as_ref().and_then(|m| m.outsider.clone());
    let optimistic = Overrides {
        optimistic: true,
        ..Overrides::default()
    };
    for p in &principals {
        let stand_in = match p.as_str() {
            OUTSIDER => Some(outsider.clone()),
            MEMBER => member.clone(),
            _ => match (p.strip_prefix(SERVICE), p.strip_prefix(MEMBER_SERVICE)) {
                (Some(name), _) => Some(Principal::service_from_outside_of(
                    model,
                    Some(name),
                    &resource_account,
                )),
                (_, Some(name)) => member_zone
                    .clone()
                    .map(|o| Principal::service_acting_for(Some(name), o)),
                _ => None,
            },
        };
        let principal = match stand_in {
            Some(s) => s,
            None => named_principal(model, p),
        };
        let kind = principal.kind;
        // A witness names a stand-in by its principal (the made-up account, the organisation's account that
        // stands for the others, `*.amazonaws.com`).
        let p = if stand_in_name(p) { &principal.arn } else { p };
        // What the caller's account and organisation keys say comes from the principal: its account's, or for
        // the caller from outside, none of the loaded accounts' and not the loaded organisation's
        // (`Principal::outsider`).
        let base = Context::new();
        for (action, res) in actions
            .iter()
            .flat_map(|a| resources.iter().map(move |r| (a, r)))
        {
            let assume_web = action == "sts:AssumeRoleWithWebIdentity";
            let assume_saml = action == "sts:AssumeRoleWithSAML";
            if (assume_web || assume_saml) != (kind == PrincipalType::Federated) {
                continue;
            }
            out.tried += 1;
            let req = Request {
                principal: principal.clone(),
                action: action.clone(),
                resource: res.clone(),
                resource_account: Some(resource_account.clone()),
                context: base.clone(),
            };
            let r = evaluate(model, &req, &optimistic);
            let side = |l: Layer| {
                r.layers
                    .iter()
                    .find(|x| x.layer == l)
                    .map(|x| (x.verdict, x.uncertain))
            };
            let resource_side = side(if trust { Layer::Trust } else { Layer::Resource });
            let rcp = side(Layer::Rcp);
            let uncertain = resource_side.is_some_and(|(_, u)| u) || rcp.is_some_and(|(_, u)| u);
            let allowed = resource_side.is_some_and(|(v, _)| v == Verdict::Allow)
                && rcp.is_none_or(|(v, _)| matches!(v, Verdict::Allow | Verdict::NotApplicable));
            if uncertain {
                // (A witness found for another caller stays the proof.)
                if out.reach != Reach::Reachable {
                    out.reach = Reach::Unknown;
                }
                why.extend(
                    r.layers
                        .iter()
                        .filter(|l| l.uncertain)
                        .flat_map(|l| l.unread.iter().cloned()),
                );
                continue;
            }
            if !allowed {
                continue;
            }
            match satisfy(&r.assumptions, &base, None) {
                Some(ctx) => {
                    // Checked without assumptions: the resource side allows in this context.
                    let check = evaluate(
                        model,
                        &Request {
                            context: ctx.clone(),
                            ..req.clone()
                        },
                        &Overrides::default(),
                    );
                    let ok = check.layers.iter().any(|l| {
                        l.layer == (if trust { Layer::Trust } else { Layer::Resource })
                            && l.verdict == Verdict::Allow
                    }) && !check.layers.iter().any(|l| {
                        matches!(l.layer, Layer::Rcp | Layer::Resource | Layer::Trust)
                            && l.verdict == Verdict::ExplicitDeny
                    });
                    if ok {
                        let w = Witness {
                            principal: p.clone(),
                            action: action.clone(),
                            resource: res.clone(),
                            context: ctx.entries(),
                            conditions: r.assumed_conditions.clone(),
                        };
                        // (Two stand-ins may show as one: a service for an outside account's resource and for
                        // another member's.)
                        if out.witnesses.len() < 16 && !out.witnesses.contains(&w) {
                            out.witnesses.push(w);
                        }
                        out.reach = Reach::Reachable;
                    } else {
                        incomplete = true;
                        if why.len() < 16 {
                            let unread = check.unknown.first().map_or_else(
                                || "the resource side does not allow it".to_string(),
                                |u| crate::text::excerpt(u, 240),
                            );
                            why.push(format!(
                                "{p} with {action}: the context found for {} is not confirmed: {unread}",
                                r.assumed_conditions.join(" and ")
                            ));
                        }
                    }
                }
                None => {
                    if !complete(&r.assumptions) {
                        incomplete = true;
                        if why.len() < 16 {
                            why.push(format!(
                                "{p} with {action}: no context found for {}, and the search does not cover \
                                 every context here (wildcard patterns, variables, set operators, or more ways to \
                                 break the denies than it tries)",
                                crate::text::excerpt(&r.assumed_conditions.join(" and "), 400)
                            ));
                        }
                    }
                }
            }
        }
    }
    if out.reach == Reach::NotReachable && incomplete {
        out.reach = Reach::Unknown;
    }
    if out.reach == Reach::NotReachable {
        why.push(format!(
            "{} outside principal(s) named, {} (principal, action) requests tried: the resource side denies each under every context",
            principals.len(),
            out.tried
        ));
    }
    if out.reach == Reach::Reachable {
        why.clear();
    }
    why.dedup();
    out.why = why;
    out
}

/// Proofs for every role trust policy and loaded resource policy of the model.
pub fn external_access_all(model: &Model, zone: Zone) -> Vec<Proof> {
    let mut out = Vec::new();
    for a in &model.accounts {
        for role in &a.roles {
            if role.trust.is_some() {
                out.push(external_access(model, &role.arn, zone));
            }
        }
        for rp in &a.resource_policies {
            out.push(external_access(model, &rp.resource, zone));
        }
    }
    out
}
