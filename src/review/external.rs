//! External access, as IAM Access Analyzer reports it, offline: every role trust policy and every loaded
//! resource policy (S3, KMS, SQS, SNS, Lambda, Secrets Manager…) is asked, through the evaluator, whether it lets
//! in a principal outside the zone of trust (the resource's account, or its organisation)
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-concepts.html>).
//!
//! The principals to ask about are the ones the policy names; each is turned into a concrete request (an
//! anonymous caller and an account outside the organisation for `*`, the named account or role, the identity
//! provider, the service) and evaluated with every layer in the evaluator's optimistic mode: conditions on keys
//! the caller controls (`sts:ExternalId`, the OIDC `sub`, `aws:SourceIp`…) are assumed to be met and are listed as
//! what limits the access. Who the outside caller *is* comes from the principal (`Principal::fill_context`): a
//! caller from outside for `*` stands for every principal of every account outside the resource's account and its
//! loaded organisation (`Principal::outsider`; for the account zone, another account of the organisation is asked
//! about apart), so its `aws:PrincipalAccount` is none of theirs, its `aws:PrincipalArn` an ARN of none of them,
//! and its `aws:PrincipalOrgID` another organisation's or none; a named account stands for every principal of it. A test those keys decide either way decides (an `aws:PrincipalOrgID` condition naming
//! this organisation, an RCP data perimeter keep the caller out and remove the finding); one they do not (another
//! organisation's ID, another account's) is an assumption of the access or undecided, and the finding says so.
//! Keys only a service acting for a resource sends (`aws:SourceAccount`, `aws:SourceArn`) are absent, as they are
//! in such a caller's requests.

use super::admin::request;
use super::{Code, Ctx, Evidence, Finding, Zone, decision_evidence, statement_evidence};
use crate::account::{EntityKind, EntityRef, PolicyDoc, arn_account};
use crate::arn::is_account_id;
use crate::catalog::catalog;
use crate::eval::{
    Context, Decision, EvalResult, Layer, Overrides, Principal, PrincipalType, Verdict, decide,
    evaluate,
};
use crate::policy::{ActionBlock, Effect, PrincipalKind, PrincipalValue};

/// At most this many (action, resource) requests are evaluated per principal and policy (more are said in a
/// `NOT_REVIEWED` finding): every action of S3 on four resources fits.
const MAX_ACTIONS: usize = 1000;

/// Whom a policy names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Who {
    /// `*`, `{"AWS": "*"}`, or a `NotPrincipal` in an `Allow`.
    Anyone,
    /// An account, or a user or role of one: the value as written and its account.
    Aws(String, String),
    /// An AWS service principal.
    Service(String),
    /// An OIDC or web-identity provider.
    Oidc(String),
    /// A SAML provider.
    Saml(String),
}

impl Who {
    fn label(&self) -> String {
        match self {
            Who::Anyone => "anyone (`*`)".into(),
            Who::Aws(v, a) if v == a || v.ends_with(":root") => format!("account {a}"),
            Who::Aws(v, _) => v.clone(),
            Who::Service(s) => format!("service {s}"),
            Who::Oidc(p) | Who::Saml(p) => format!("provider {p}"),
        }
    }
}

/// The principals an `Allow` statement names, with the statement indexes.
fn named(doc: &PolicyDoc) -> Vec<(Who, Vec<usize>)> {
    let mut out: Vec<(Who, Vec<usize>)> = Vec::new();
    // Each principal's place in `out`, looked up (a policy may name thousands).
    let mut at: rustc_hash::FxHashMap<Who, usize> = rustc_hash::FxHashMap::default();
    let mut add = |w: Who, i: usize| match at.get(&w) {
        Some(&k) => {
            // (Statements come in order: the last one listed is the only one that can be `i`.)
            if let Some((_, v)) = out.get_mut(k)
                && v.last() != Some(&i)
            {
                v.push(i);
            }
        }
        None => {
            at.insert(w.clone(), out.len());
            out.push((w, vec![i]));
        }
    };
    for (i, st) in doc.policy.statements.iter().enumerate() {
        if st.effect.as_ref().map(|e| e.value) != Some(Effect::Allow) {
            continue;
        }
        let Some(block) = &st.principal else { continue };
        if block.not {
            add(Who::Anyone, i);
            continue;
        }
        match &block.value {
            PrincipalValue::Star(_) => add(Who::Anyone, i),
            PrincipalValue::Map(entries) => {
                for e in entries {
                    for v in e.values.iter() {
                        match &e.kind.value {
                            PrincipalKind::Aws if v == "*" => add(Who::Anyone, i),
                            PrincipalKind::Aws => {
                                let account = if is_account_id(v) {
                                    Some(v)
                                } else {
                                    arn_account(v).filter(|a| is_account_id(a))
                                };
                                if let Some(a) = account {
                                    add(Who::Aws(v.to_string(), a.to_string()), i);
                                }
                            }
                            PrincipalKind::Service => add(Who::Service(v.to_string()), i),
                            PrincipalKind::Federated if v.contains(":saml-provider/") => {
                                add(Who::Saml(v.to_string()), i)
                            }
                            PrincipalKind::Federated => add(Who::Oidc(v.to_string()), i),
                            // Not asked about: said in a `NOT_REVIEWED` finding (`unasked`).
                            PrincipalKind::CanonicalUser | PrincipalKind::Other(_) => {}
                        }
                    }
                }
            }
        }
    }
    out
}

/// Concrete (action, resource) requests the statements allow: actions for the resource's service (`*`: every
/// action of that service; `NotAction`: every one it does not list), on each resource the statement names with
/// its wildcards filled in (`bucket/*` → `bucket/atlas-probe`, at most 8 a statement), or on `target`. The actions
/// the statements write out come first, then the ones their wildcards stand for; at most [`MAX_ACTIONS`], and
/// whether some were left out.
fn requests(
    doc: &PolicyDoc,
    statements: &[usize],
    service: &str,
    target: &str,
) -> (Vec<(String, String)>, bool) {
    let cat = catalog();
    let full = |id| cat.get(id).map(|(s, a)| format!("{}:{}", s.prefix, a.name));
    // Per statement: the actions written out, the ones wildcards stand for, the resources.
    let mut each: Vec<(Vec<String>, Vec<String>, Vec<String>)> = Vec::new();
    let mut more = false;
    for &i in statements {
        let Some(st) = doc.policy.statements.get(i) else {
            continue;
        };
        let (mut written, mut expanded) = (Vec::new(), Vec::new());
        match &st.action {
            Some(ActionBlock::Action(list)) => {
                for p in list.iter() {
                    if !crate::catalog::has_wildcard(p) {
                        written.push(p.to_string());
                        continue;
                    }
                    // `*` on a resource policy means every action of the resource's service.
                    let pattern = if p == "*" || p == "*:*" {
                        format!("{service}:*")
                    } else {
                        p.to_string()
                    };
                    let ids = cat.expand(&pattern);
                    if ids.is_empty() {
                        written.push(p.to_string());
                    }
                    expanded.extend(ids.into_iter().filter_map(full));
                }
            }
            Some(ActionBlock::NotAction(list)) => {
                expanded.extend(
                    cat.expand(&format!("{service}:*"))
                        .into_iter()
                        .filter_map(full)
                        .filter(|a| !list.iter().any(|p| crate::wildcard::action_matches(p, a))),
                );
            }
            None => {}
        }
        let resources: Vec<String> = match &st.resource {
            Some(r) if !r.is_not() => {
                more |= r.list().iter().nth(8).is_some();
                r.list()
                    .iter()
                    .take(8)
                    .map(|p| {
                        if p == "*" {
                            target.to_string()
                        } else {
                            crate::wildcard::fill(p)
                        }
                    })
                    .collect()
            }
            _ => vec![target.to_string()],
        };
        each.push((written, expanded, resources));
    }
    let mut out: Vec<(String, String)> = Vec::new();
    let mut seen: rustc_hash::FxHashSet<(String, String)> = rustc_hash::FxHashSet::default();
    for pass in 0..2 {
        for (written, expanded, resources) in &each {
            for a in if pass == 0 { written } else { expanded } {
                for r in resources {
                    if !seen.insert((a.to_ascii_lowercase(), r.clone())) {
                        continue;
                    }
                    if out.len() >= MAX_ACTIONS {
                        return (out, true);
                    }
                    out.push((a.clone(), r.clone()));
                }
            }
        }
    }
    (out, more)
}

/// Conditions (`OPERATOR KEY VALUES`) that limit *who* gets in (or from where): by their key.
fn limits_who(cond: &str) -> bool {
    key_limits_who(cond.split_whitespace().nth(1).unwrap_or(""))
}

/// Keys whose conditions limit *who* gets in (or from where).
fn key_limits_who(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourceip",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:vpcsourceip",
        "aws:userid",
        "aws:username",
        "sts:externalid",
        "saml:aud",
    ]
    .contains(&k.as_str())
        || k.ends_with(":sub")
        || k.ends_with(":aud")
        || k.ends_with(":amr")
}

/// A condition on `suffix` (`:sub`) other than one allowing any value.
fn has_key(conds: &[String], suffix: &str) -> bool {
    conds.iter().any(|c| {
        let mut it = c.split_whitespace();
        let _op = it.next();
        let key = it.next().unwrap_or("").to_ascii_lowercase();
        let values = it.collect::<Vec<_>>().join(" ");
        key.ends_with(suffix) && values.split(", ").any(|v| v.trim() != "*")
    })
}

/// What an outside principal is let in to do.
struct Access {
    allowed: Vec<String>,
    evidence: EvalResult,
    /// The context keys the review set (pinned identity keys).
    context: Vec<(String, Vec<String>)>,
}

/// Evaluate `actions` for `p` on `resource`; the actions let in, and the first one's explanation. A principal
/// of another account that is not loaded counts as let in when the resource side (trust or resource policy,
/// RCPs, explicit denies) allows it: its own account decides the rest.
fn probe(
    ctx: &Ctx<'_>,
    p: &Principal,
    requests: &[(String, String)],
    owner: &str,
) -> Option<Access> {
    let ov = Overrides {
        now: Some(ctx.now),
        optimistic: true,
        ..Overrides::default()
    };
    // Who the caller is comes from the principal (`Principal::fill_context`): a caller from outside has an
    // account none of the loaded ones is, and an organisation not the loaded one (or none).
    let context = Context::default();
    let identity_unknown = p.entity.is_none()
        && matches!(
            p.kind,
            PrincipalType::User | PrincipalType::Role | PrincipalType::AssumedRole
        );
    let mut allowed = Vec::new();
    let mut first: Option<EvalResult> = None;
    for (a, resource) in requests {
        let mut req = request(p, a, resource);
        req.context = context.clone();
        // The resource's account is the policy's (an object of a bucket has none in its ARN, and none the
        // model holds: it is not the caller's).
        req.resource_account = Some(owner.to_string());
        let ok = if identity_unknown {
            let r = evaluate(ctx.model, &req, &ov);
            let ok = resource_side_allows(&r);
            if ok && first.is_none() {
                first = Some(r);
            }
            ok
        } else {
            match decide(ctx.model, &req, &ov) {
                (Decision::Allow, _) => {
                    if first.is_none() {
                        first = Some(evaluate(ctx.model, &req, &ov));
                    }
                    true
                }
                // Not decided: access it may give is reported, with what was not read (its evidence).
                (_, false) => {
                    let r = evaluate(ctx.model, &req, &ov);
                    let ok = r.may_allow;
                    if ok && first.is_none() {
                        first = Some(r);
                    }
                    ok
                }
                _ => false,
            }
        };
        if ok && !allowed.contains(a) {
            allowed.push(a.clone());
        }
    }
    first.map(|evidence| Access {
        allowed,
        evidence,
        context: context.entries(),
    })
}

/// No explicit deny, every organisation level passes, and the trust or resource policy allows; or may, where a
/// layer could not be read (it is read in its least permissive way, and marked uncertain).
fn resource_side_allows(r: &EvalResult) -> bool {
    let v = |l: Layer| {
        r.layers
            .iter()
            .find(|x| x.layer == l)
            .map_or((Verdict::NotApplicable, false), |x| {
                (x.verdict, x.uncertain)
            })
    };
    let may_allow = |l: Layer| {
        let (verdict, uncertain) = v(l);
        verdict == Verdict::Allow || (uncertain && verdict != Verdict::NotApplicable)
    };
    let (rcp, rcp_uncertain) = v(Layer::Rcp);
    !r.layers
        .iter()
        .any(|l| l.verdict == Verdict::ExplicitDeny && !l.uncertain)
        && (rcp != Verdict::ImplicitDeny || rcp_uncertain)
        && (may_allow(Layer::Trust) || may_allow(Layer::Resource))
}

/// Is `account` inside the zone of trust of `owner`?
fn in_zone(ctx: &Ctx<'_>, owner: &str, account: &str) -> bool {
    account == owner
        || (ctx.opts.zone == Zone::Organization
            && ctx
                .model
                .organization
                .as_ref()
                .is_some_and(|o| o.is_member(account) && o.is_member(owner)))
}

/// At most this many principals a policy's `Allow` statements name are asked about per policy (more are said in
/// a `NOT_REVIEWED` finding): each is up to [`MAX_ACTIONS`] evaluations.
const MAX_NAMED: usize = 256;

/// At most this many principals outside the zone that a `Deny` with `NotPrincipal` exempts are asked about per
/// policy (more are said in a `NOT_REVIEWED` finding).
const MAX_EXEMPT: usize = 64;

/// Whether the loaded organisation's accounts (other than `owner`) are outside the zone: for the account zone,
/// and for the organisation zone of a resource whose account is not a member.
fn members_outside(ctx: &Ctx<'_>, owner: &str) -> bool {
    ctx.opts.zone == Zone::Account
        || ctx
            .model
            .organization
            .as_ref()
            .is_some_and(|o| !o.is_member(owner))
}

/// The services acting for a resource outside the zone: of an account outside the resource's and the
/// organisation, and for the account zone, of one of the organisation's other accounts.
fn services_from_outside(ctx: &Ctx<'_>, service: Option<&str>, owner: &str) -> Vec<Principal> {
    let mut out = vec![Principal::service_from_outside_of(
        ctx.model, service, owner,
    )];
    if members_outside(ctx, owner)
        && let Some(o) =
            Principal::from_organization_except(ctx.model, owner).and_then(|p| p.outsider)
    {
        out.push(Principal::service_acting_for(service, o));
    }
    out
}

/// The callers outside the zone that a `Deny` statement's `NotPrincipal` exempts (an account, a user or role, a
/// service acting for a resource outside the zone), each with whom a finding names; and whether more than
/// [`MAX_EXEMPT`] were left out.
fn exempt(ctx: &Ctx<'_>, t: &Target<'_>, doc: &PolicyDoc) -> (Vec<(Principal, Who)>, bool) {
    let mut out: Vec<(Principal, Who)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut more = false;
    for st in &doc.policy.statements {
        if st.effect.as_ref().map(|e| e.value) != Some(Effect::Deny) {
            continue;
        }
        let Some(block) = st.principal.as_ref().filter(|b| b.not) else {
            continue;
        };
        let PrincipalValue::Map(entries) = &block.value else {
            continue;
        };
        for e in entries {
            for v in e.values.iter() {
                // Whether it is a caller outside the zone, checked before anything is built.
                let account = match &e.kind.value {
                    PrincipalKind::Aws if is_account_id(v) => Some(v),
                    PrincipalKind::Aws => arn_account(v).filter(|a| is_account_id(a)),
                    _ => None,
                };
                let counts = match &e.kind.value {
                    PrincipalKind::Aws => account.is_some_and(|a| !in_zone(ctx, t.account, a)),
                    PrincipalKind::Service => !t.trust,
                    _ => false,
                };
                if !counts || seen.contains(&v) {
                    continue;
                }
                if seen.len() >= MAX_EXEMPT {
                    more = true;
                    continue;
                }
                seen.push(v);
                match (account, &e.kind.value) {
                    (Some(a), _) => {
                        let p = if is_account_id(v) || v.ends_with(":root") {
                            root(a)
                        } else {
                            Principal::resolve(v, ctx.model).unwrap_or_else(|_| root(a))
                        };
                        out.push((p, Who::Aws(v.to_string(), a.to_string())));
                    }
                    (None, _) => out.extend(
                        services_from_outside(ctx, Some(v), t.account)
                            .into_iter()
                            .map(|p| (p, Who::Service(v.to_string()))),
                    ),
                }
            }
        }
    }
    (out, more)
}

/// Any principal of `account` (a stand-in).
fn root(account: &str) -> Principal {
    Principal::stand_in_for(account.to_string(), None)
}

fn simple(kind: PrincipalType, arn: &str) -> Principal {
    Principal {
        kind,
        arn: arn.to_string(),
        account: None,
        entity: None,
        role_arn: None,
        session: None,
        stand_in: false,
        outsider: None,
    }
}

/// What the policy is attached to.
struct Target<'a> {
    /// `role r`, `bucket b`.
    label: String,
    /// The role's or resource's ARN.
    arn: &'a str,
    /// Its account.
    account: &'a str,
    /// The model entity.
    entity: EntityRef,
    /// A trust policy (else a resource policy).
    trust: bool,
    /// The service whose actions the resource policy governs.
    service: &'a str,
}

fn short(list: &[String]) -> String {
    let mut s = list.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    if list.len() > 8 {
        s.push_str(&format!(" and {} more", list.len() - 8));
    }
    s
}

/// The access proof of a target (`crate::eval::proof`), as evidence: a witness request checked by the
/// evaluator, or why no outside principal can reach it, or why that is unknown.
fn proof_evidence(ctx: &Ctx<'_>, t: &Target<'_>) -> Evidence {
    use crate::eval::proof::{Reach, external_access};
    let zone = match ctx.opts.zone {
        Zone::Account => crate::eval::proof::Zone::Account,
        Zone::Organization => crate::eval::proof::Zone::Organization,
    };
    let p = external_access(ctx.model, t.arn, zone);
    let text = match (p.reach, p.witnesses.first()) {
        (Reach::Reachable, Some(w)) => format!(
            "access proof: reachable from outside; witness: {} may {}{}",
            w.principal,
            w.action,
            if w.context.is_empty() {
                String::new()
            } else {
                format!(
                    " with {}",
                    w.context
                        .iter()
                        .map(|(k, v)| crate::eval::condition::say_key(k, v))
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            }
        ),
        (Reach::NotReachable, _) => format!(
            "access proof: no context lets a principal outside the zone in ({})",
            p.why.join("; ")
        ),
        _ => format!("access proof: unknown ({})", p.why.join("; ")),
    };
    Evidence::Note {
        text: crate::text::excerpt(&text, 600),
    }
}

fn analyse(ctx: &Ctx<'_>, t: &Target<'_>, doc: &PolicyDoc, out: &mut Vec<Finding>) {
    let before = out.len();
    analyse_named(ctx, t, doc, out);
    if out.len() > before {
        // One proof per resource, attached to each of its findings.
        let proof = proof_evidence(ctx, t);
        for f in out.iter_mut().skip(before) {
            f.evidence.push(proof.clone());
        }
    }
}

/// What an `Allow` statement names that the review does not ask about: a canonical user ID (an account the
/// snapshot does not map it to) or a kind of principal IAM does not define.
fn unasked(doc: &PolicyDoc) -> Option<&'static str> {
    let kinds = doc
        .policy
        .statements
        .iter()
        .filter(|st| st.effect.as_ref().map(|e| e.value) == Some(Effect::Allow))
        .filter_map(|st| match &st.principal.as_ref()?.value {
            PrincipalValue::Map(entries) if !st.principal.as_ref()?.not => Some(entries),
            _ => None,
        })
        .flat_map(|entries| entries.iter().map(|e| &e.kind.value));
    let mut found = None;
    for k in kinds {
        match k {
            PrincipalKind::CanonicalUser => {
                found = Some("a canonical user ID (whose account is not known)")
            }
            PrincipalKind::Other(_) => return Some("a kind of principal IAM does not define"),
            _ => {}
        }
    }
    found
}

fn analyse_named(ctx: &Ctx<'_>, t: &Target<'_>, doc: &PolicyDoc, out: &mut Vec<Finding>) {
    let policy_label = if t.trust {
        format!("{} trust policy", t.label)
    } else {
        format!("resource policy of {}", t.label)
    };
    if let Some(what) = unasked(doc) {
        out.push(
            Finding::new(Code::NotReviewed, t.arn, t.account)
                .title(format!(
                    "{policy_label}: an `Allow` names {what}, which was not asked about"
                ))
                .subject("unasked_principal")
                .entity_ref(t.entity),
        );
    }
    let mut whom = named(doc);
    // (Principals inside the zone, and services in a trust policy, are not asked about: not counted either.)
    whom.retain(|(w, _)| match w {
        Who::Aws(_, a) => !in_zone(ctx, t.account, a),
        Who::Service(_) => !t.trust,
        _ => true,
    });
    if whom.len() > MAX_NAMED {
        // Anyone first: the rest are asked about in the order the policy names them.
        if let Some(i) = whom.iter().position(|(w, _)| *w == Who::Anyone) {
            let anyone = whom.remove(i);
            whom.insert(0, anyone);
        }
        out.push(
            Finding::new(Code::NotReviewed, t.arn, t.account)
                .title(format!(
                    "{policy_label}: names {} principals; the first {MAX_NAMED} were asked about",
                    whom.len()
                ))
                .subject("named_principals")
                .entity_ref(t.entity),
        );
        whom.truncate(MAX_NAMED);
    }
    for (who, stmts) in whom {
        let acts = if t.trust {
            let wanted: &[&str] = match &who {
                Who::Oidc(_) => &["sts:AssumeRoleWithWebIdentity"],
                Who::Saml(_) => &["sts:AssumeRoleWithSAML"],
                // `*` also names whoever holds a web identity token (`request::WEB_IDENTITIES`).
                Who::Anyone => &["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"],
                _ => &["sts:AssumeRole"],
            };
            // Only the assume actions of these kinds of principal matter for a trust policy, on the role.
            let mut acts = Vec::new();
            for (x, _) in requests(doc, &stmts, "sts", t.arn).0 {
                if wanted.iter().any(|a| x.eq_ignore_ascii_case(a))
                    && !acts
                        .iter()
                        .any(|(y, _): &(String, String)| y.eq_ignore_ascii_case(&x))
                {
                    acts.push((x, t.arn.to_string()));
                }
            }
            acts
        } else {
            let (acts, cut) = requests(doc, &stmts, t.service, t.arn);
            if cut {
                out.push(
                    Finding::new(Code::NotReviewed, t.arn, t.account)
                        .title(format!(
                            "{policy_label}: {} is let in to more than {MAX_ACTIONS} (action, resource) \
                             requests, or more than 8 resources a statement; the first were asked about",
                            who.label()
                        ))
                        .subject(format!("requests of {}", who.label()))
                        .entity_ref(t.entity),
                );
            }
            acts
        };
        if acts.is_empty() {
            // A resource policy's `Allow` always grants some action: none listed is a grant not asked about (a
            // `NotAction` of a service the catalogue does not know). A trust's other actions (`sts:TagSession`)
            // let no one in.
            if !t.trust {
                out.push(
                    Finding::new(Code::NotReviewed, t.arn, t.account)
                        .title(format!(
                            "{policy_label}: the actions it grants {} could not be listed from the action \
                             catalogue, so they were not asked about",
                            who.label()
                        ))
                        .subject(format!("actions of {}", who.label()))
                        .entity_ref(t.entity),
                );
            }
            continue;
        }
        // The concrete callers to ask about, each with whom the finding names and whether it stands for the
        // organisation's other accounts.
        let mut probes: Vec<(Principal, Who, bool)> = Vec::new();
        match &who {
            Who::Anyone => {
                if !t.trust {
                    probes.push((simple(PrincipalType::Anonymous, "*"), who.clone(), false));
                }
                probes.push((
                    Principal::from_outside_of(ctx.model, t.account),
                    who.clone(),
                    false,
                ));
                if members_outside(ctx, t.account)
                    && let Some(p) = Principal::from_organization_except(ctx.model, t.account)
                {
                    probes.push((p, who.clone(), true));
                }
                if !t.trust {
                    // `*` lets in a service acting for another account's resource too.
                    for p in services_from_outside(ctx, None, t.account) {
                        probes.push((p, who.clone(), false));
                    }
                } else {
                    // And whoever holds a token of a web identity provider IAM needs no entry for
                    // (`request::WEB_IDENTITIES`).
                    for name in crate::eval::request::WEB_IDENTITIES {
                        probes.push((simple(PrincipalType::Federated, name), who.clone(), false));
                    }
                }
                // The accounts, principals and services a `Deny` with `NotPrincipal` exempts: the callers from
                // outside stand for the others.
                let (exempted, more) = exempt(ctx, t, doc);
                for (p, w) in exempted {
                    probes.push((p, w, false));
                }
                if more {
                    out.push(
                        Finding::new(Code::NotReviewed, t.arn, t.account)
                            .title(format!(
                                "{policy_label}: a `NotPrincipal` exempts more than {MAX_EXEMPT} principals \
                                 outside the zone of trust; the first {MAX_EXEMPT} were asked about"
                            ))
                            .subject("not_principal")
                            .entity_ref(t.entity),
                    );
                }
            }
            Who::Aws(v, a) => {
                if in_zone(ctx, t.account, a) {
                    continue;
                }
                let in_org = ctx
                    .model
                    .organization
                    .as_ref()
                    .is_some_and(|o| o.is_member(a));
                let p = if is_account_id(v) || v.ends_with(":root") {
                    root(a)
                } else {
                    Principal::resolve(v, ctx.model).unwrap_or_else(|_| root(a))
                };
                probes.push((p, who.clone(), in_org));
            }
            Who::Service(s) => {
                if t.trust {
                    // Services assume their roles for this account; see docs/review.md.
                    continue;
                }
                // Acting for a resource outside the zone: a condition on `aws:SourceAccount` or
                // `aws:SourceArn` that keeps such resources out decides.
                for p in services_from_outside(ctx, Some(s), t.account) {
                    probes.push((p, who.clone(), false));
                }
            }
            Who::Oidc(p) | Who::Saml(p) => {
                let mut pr = simple(PrincipalType::Federated, p);
                pr.account = arn_account(p).map(str::to_string);
                probes.push((pr, who.clone(), false));
            }
        }
        for (p, who, in_org) in probes {
            // The whole organisation let in through `*` (zone: account).
            let org_wide = in_org && who == Who::Anyone;
            // A trust's actions by the kind of caller: a web identity assumes with its token, others with
            // `sts:AssumeRole`.
            let mine: Vec<(String, String)> = if t.trust {
                let web = p.kind == PrincipalType::Federated;
                acts.iter()
                    .filter(|(a, _)| {
                        let federated = a.to_ascii_lowercase().starts_with("sts:assumerolewith");
                        federated == web
                    })
                    .cloned()
                    .collect()
            } else {
                acts.clone()
            };
            if mine.is_empty() {
                continue;
            }
            let Some(access) = probe(ctx, &p, &mine, t.account) else {
                continue;
            };
            let conds = access.evidence.assumed_conditions.clone();
            // An access that may be given: the trust's or resource policy's tests it rests on that could not be
            // decided, said apart (they classify nothing: a test not read limits no one): an Allow's, that must
            // hold, and a Deny's, that must not.
            let mut undecided: Vec<String> = Vec::new();
            // Of those, ones on a key that limits who gets in (the caller's account, a service's source).
            let mut undecided_limits = false;
            let mut undecided_source = false;
            if !access.evidence.certain {
                for s in access
                    .evidence
                    .layers
                    .iter()
                    .filter(|l| matches!(l.layer, Layer::Trust | Layer::Resource))
                    .flat_map(|l| &l.statements)
                {
                    for c in s.conditions.iter().filter(|c| c.unreadable.is_some()) {
                        let test = crate::eval::condition::Test {
                            operator: c.operator.clone(),
                            key: c.key.clone(),
                            values: c.policy_values.clone(),
                        }
                        .text();
                        let key = c.key.to_ascii_lowercase();
                        // A test that must hold for the access and names someone in particular: a positive one
                        // of an `Allow`, a negated one of a `Deny` (not `StringNotEquals` in an `Allow`: everyone
                        // but; not a value with a wildcard, `arn:aws:iam::*:role/ci`: no one in particular).
                        let negated = crate::policy::ConditionOperator::parse(&c.operator)
                            .is_some_and(|op| op.base.is_negated());
                        undecided_limits |= key_limits_who(&key)
                            && negated == (s.effect == crate::policy::Effect::Deny)
                            && !c.policy_values.iter().any(|v| v.contains(['*', '?']));
                        undecided_source |= key.starts_with("aws:source");
                        let text = if s.effect == crate::policy::Effect::Deny {
                            format!("unless {test}")
                        } else {
                            format!("if {test}")
                        };
                        if !undecided.contains(&text) {
                            undecided.push(text);
                        }
                    }
                }
            }
            let limited: Vec<&String> = conds.iter().filter(|c| limits_who(c)).collect();
            let (code, what) = match &who {
                Who::Anyone if org_wide => (
                    Code::ExternalAccount,
                    "any account of the organisation".to_string(),
                ),
                Who::Anyone if limited.is_empty() && !undecided_limits => {
                    (Code::PublicAccess, who.label())
                }
                Who::Anyone => (Code::PublicAccessConditional, who.label()),
                Who::Aws(..) => (Code::ExternalAccount, who.label()),
                // A service whose source may be another account's resource, as the conditions name it.
                Who::Service(_)
                    if undecided_source
                        || conds
                            .iter()
                            .any(|c| c.to_ascii_lowercase().contains(" aws:source")) =>
                {
                    (Code::ExternalAccount, who.label())
                }
                // A service that may act for any resource outside the zone.
                Who::Service(_) => (Code::ConfusedDeputy, who.label()),
                Who::Oidc(prov) => {
                    let needed = if prov.contains("cognito-identity") {
                        ":aud"
                    } else {
                        ":sub"
                    };
                    if has_key(&conds, needed) {
                        (Code::FederatedAccess, who.label())
                    } else {
                        (Code::OidcNoSubject, who.label())
                    }
                }
                Who::Saml(_) => {
                    if has_key(&conds, "saml:aud") {
                        (Code::FederatedAccess, who.label())
                    } else {
                        (Code::SamlNoAudience, who.label())
                    }
                }
            };
            let mut title = format!(
                "{} lets {what} {}",
                t.label,
                if t.trust {
                    "assume it".to_string()
                } else {
                    format!("do {}", short(&access.allowed))
                }
            );
            if p.kind == PrincipalType::Anonymous {
                title.push_str(" without signing in");
            } else if p.kind == PrincipalType::Service && who == Who::Anyone {
                title.push_str(" through an AWS service acting for another account's resource");
            } else if p.kind == PrincipalType::Federated && who == Who::Anyone {
                title.push_str(&format!(" with a web identity token ({})", p.arn));
            }
            if org_wide {
                title.push_str(&format!(
                    " (accounts of organisation {})",
                    ctx.model.organization.as_ref().map_or("?", |o| &*o.id)
                ));
            } else if conds.is_empty() && undecided.is_empty() {
                title.push_str(" with no condition");
            } else if !conds.is_empty() {
                // (A title is one line of bounded length, whatever the number of conditions.)
                title.push_str(&format!(
                    " when {}",
                    crate::text::excerpt(&conds.join(" and "), 300)
                ));
            }
            if !access.evidence.certain {
                // Access a caller may have: said so.
                title = title.replacen(" lets ", " may let ", 1);
            }
            if !undecided.is_empty() {
                title.push_str(&format!(
                    "{}{} (undecided)",
                    if conds.is_empty() { " " } else { ", and " },
                    crate::text::excerpt(&undecided.join(" and "), 300)
                ));
            } else if !access.evidence.certain {
                title.push_str(" (uncertain: see the evaluation)");
            }
            let mut f = Finding::new(code, t.arn, t.account)
                .title(title)
                .subject(if org_wide {
                    "organisation".to_string()
                } else {
                    who.label()
                })
                .entity_ref(t.entity);
            for &i in stmts.iter().take(5) {
                if let Some(e) = statement_evidence(ctx.model, policy_label.clone(), doc, i) {
                    f.evidence.push(e);
                }
            }
            f.evidence
                .push(decision_evidence(&access.evidence, access.context.clone()));
            f.evidence.push(Evidence::Note {
                text: format!(
                    "let in: {}; limited by: {}",
                    short(&access.allowed),
                    if limited.is_empty() {
                        "nothing that identifies the caller".to_string()
                    } else {
                        limited
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join("; ")
                    }
                ),
            });
            out.push(f);
            // One finding per principal named: the first caller let in shows it.
            break;
        }
    }
}

fn resource_word(service: &str) -> &'static str {
    match service {
        "s3" => "bucket",
        "sqs" => "queue",
        "sns" => "topic",
        "kms" => "key",
        "lambda" => "function",
        "secretsmanager" => "secret",
        _ => "resource",
    }
}

/// Findings of every loaded resource policy.
pub(crate) fn resource_findings(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (ai, a) in ctx.model.accounts.iter().enumerate() {
        for (i, rp) in a.resource_policies.iter().enumerate() {
            let name = rp
                .resource
                .rsplit([':', '/'])
                .next()
                .unwrap_or(&rp.resource);
            let t = Target {
                label: format!("{} {name}", resource_word(&rp.service)),
                arn: &rp.resource,
                account: &a.id,
                entity: EntityRef {
                    account: ai as u32,
                    kind: EntityKind::ResourcePolicy,
                    index: i as u32,
                },
                trust: false,
                service: &rp.service,
            };
            analyse(ctx, &t, &rp.doc, &mut out);
        }
    }
    out
}

/// Findings of a role's trust policy (nothing for users; nothing for service-linked roles, whose trust AWS
/// owns).
pub(crate) fn trust_findings(ctx: &Ctx<'_>, r: EntityRef, out: &mut Vec<Finding>) {
    if r.kind != EntityKind::Role {
        return;
    }
    let Some(a) = ctx.model.accounts.get(r.account as usize) else {
        return;
    };
    let Some(role) = a.roles.get(r.index as usize) else {
        return;
    };
    if matches!(role.kind, crate::account::RoleKind::ServiceLinked { .. }) {
        return;
    }
    let Some(doc) = &role.trust else { return };
    let t = Target {
        label: format!("role {}", role.name),
        arn: &role.arn,
        account: &a.id,
        entity: r,
        trust: true,
        service: "sts",
    };
    analyse(ctx, &t, doc, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_keys_that_limit_who() {
        assert!(limits_who("StringEquals sts:ExternalId abc"));
        assert!(limits_who(
            "StringLike token.actions.githubusercontent.com:sub repo:x/*"
        ));
        assert!(!limits_who("Bool aws:SecureTransport true"));
        assert!(has_key(&["StringLike x:sub repo:a/*".to_string()], ":sub"));
        assert!(!has_key(&["StringLike x:sub *".to_string()], ":sub"));
    }
}
