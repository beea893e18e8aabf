//! "What would allow it?" for a denied request and "what would deny it?" for an allowed one: the smallest
//! changes, each verified by evaluating the request again with the change in place (AWS's "Troubleshoot access
//! denied error messages", <https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html>).
//!
//! A change is one of: context values that meet the conditions (found by [`super::witness`]), a statement to
//! add to the layer that lacks an allow (a minimal generated snippet), the `Deny` that blocks, the SCP or RCP
//! levels that lack an allow, the boundary or session policy that does not cover it. `verified` says whether
//! the request, evaluated again with that change alone, is then allowed (or denied).

use super::engine::{Decision, EvalResult, Layer, Overrides, StatementRef, Verdict, evaluate};
use super::protected::AwsRule;
use super::request::{PrincipalType, Request};
use super::witness::satisfy;
use crate::account::Model;
use crate::policy::{Effect, Interner, Policy, parse_text};
use serde::Serialize;

/// What a suggested change touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Request context values.
    Context,
    /// A `Deny` statement to remove or narrow.
    RemoveDeny,
    /// An `Allow` statement to remove or narrow.
    RemoveAllow,
    /// A statement to add to a policy of the named layer.
    AddStatement,
    /// Several changes together.
    Combined,
    /// Nothing in the policies can change it (a rule of AWS's).
    AwsRule,
}

/// One suggested change.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// What it touches.
    pub kind: ChangeKind,
    /// The layer it changes, when it changes a policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<Layer>,
    /// The change, for people.
    pub change: String,
    /// The statement to add, as JSON, when the change adds one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// Evaluated again with this change alone, the request gets the wanted decision.
    pub verified: bool,
}

/// At most this many changes of one kind are tried (each is an evaluation).
const MAX_PER_KIND: usize = 16;

fn policy(json: &str) -> Policy {
    let mut interner = Interner::default();
    parse_text(json, &mut interner).policy
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// The statement that would allow the request in `layer`, as JSON.
fn allow_snippet(layer: Layer, req: &Request) -> Option<String> {
    let a = quote(&req.action);
    let r = quote(&req.resource);
    let principal = req
        .principal
        .role_arn
        .as_deref()
        .unwrap_or(&req.principal.arn);
    Some(match layer {
        Layer::Identity | Layer::Boundary | Layer::Session | Layer::Scp => {
            format!(r#"{{"Effect": "Allow", "Action": {a}, "Resource": {r}}}"#)
        }
        Layer::Rcp => {
            format!(r#"{{"Effect": "Allow", "Principal": "*", "Action": {a}, "Resource": {r}}}"#)
        }
        Layer::Resource => {
            let who = match req.principal.kind {
                PrincipalType::Service => format!(r#"{{"Service": {}}}"#, quote(principal)),
                PrincipalType::Federated => format!(r#"{{"Federated": {}}}"#, quote(principal)),
                PrincipalType::Anonymous => "\"*\"".into(),
                _ => format!(r#"{{"AWS": {}}}"#, quote(principal)),
            };
            format!(r#"{{"Effect": "Allow", "Principal": {who}, "Action": {a}, "Resource": {r}}}"#)
        }
        Layer::Trust => {
            let who = match req.principal.kind {
                PrincipalType::Service => format!(r#"{{"Service": {}}}"#, quote(principal)),
                PrincipalType::Federated => format!(r#"{{"Federated": {}}}"#, quote(principal)),
                _ => format!(r#"{{"AWS": {}}}"#, quote(principal)),
            };
            format!(r#"{{"Effect": "Allow", "Principal": {who}, "Action": {a}}}"#)
        }
    })
}

fn doc(statement: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{statement}]}}"#)
}

fn layer_name(l: Layer) -> &'static str {
    match l {
        Layer::Scp => "every SCP level that lacks an allow",
        // Custom RCPs may only deny: the allow an RCP level lacks is AWS's own `RCPFullAWSAccess`, which AWS
        // attaches to every node (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html).
        Layer::Rcp => {
            "every RCP level that lacks an allow (custom RCPs may only deny: attach `RCPFullAWSAccess`, which \
             allows this)"
        }
        Layer::Resource => "the resource-based policy",
        Layer::Trust => "the role's trust policy",
        Layer::Identity => "an identity policy of the principal",
        Layer::Boundary => "the permissions boundary",
        Layer::Session => "the session policy",
    }
}

fn with_extra(
    base: &Overrides,
    extra: Vec<(Layer, String, Policy)>,
    ignore: Vec<StatementRef>,
) -> Overrides {
    Overrides {
        session_policies: base.session_policies.clone(),
        resource_policy: base.resource_policy.clone(),
        scp_levels: base.scp_levels.clone(),
        rcp_levels: base.rcp_levels.clone(),
        now: base.now,
        optimistic: false,
        extra: base.extra.iter().cloned().chain(extra).collect(),
        ignore: base.ignore.iter().cloned().chain(ignore).collect(),
    }
}

fn decision_with(model: &Model, req: &Request, ov: &Overrides) -> EvalResult {
    evaluate(model, req, ov)
}

/// Context values that would change the decision to `want`: each condition key the policies test, taken as
/// open, and a witness found for the conditions the answer then needs.
fn context_changes(
    model: &Model,
    req: &Request,
    base: &Overrides,
    r: &EvalResult,
    want: Decision,
    out: &mut Vec<Change>,
) {
    let mut keys: Vec<String> = r
        .layers
        .iter()
        .flat_map(|l| l.statements.iter().chain(l.near_misses.iter()))
        .flat_map(|s| s.conditions.iter().map(|c| c.key.clone()))
        .chain(r.missing_context_keys.iter().cloned())
        .collect();
    keys.sort_by_key(|k| k.to_ascii_lowercase());
    keys.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let optimistic = Overrides {
        optimistic: true,
        ..with_extra(base, Vec::new(), Vec::new())
    };
    // The keys left open one at a time (the caller's value of that key removed), then all at once.
    let mut trials: Vec<Vec<String>> = keys.iter().map(|k| vec![k.clone()]).collect();
    if keys.len() > 1 {
        trials.push(keys.clone());
    }
    for open in trials.into_iter().take(32) {
        let mut ctx = req.context.clone();
        for k in &open {
            ctx.remove(k);
        }
        let trial = Request {
            context: ctx.clone(),
            ..req.clone()
        };
        let o = evaluate(model, &trial, &optimistic);
        if want == Decision::Allow && o.decision != Decision::Allow {
            continue;
        }
        let witness = if want == Decision::Allow {
            satisfy(&o.assumptions, &ctx, None)
        } else {
            // To deny: break one condition the allow relies on (an Allow's test, or a guardrail Deny's).
            (0..o.assumptions.len()).find_map(|i| satisfy(&o.assumptions, &ctx, Some(i)))
        };
        let Some(w) = witness else { continue };
        let changed: Vec<String> = w
            .entries()
            .into_iter()
            .filter(|(k, v)| req.context.get(k) != Some(v.as_slice()))
            .map(|(k, v)| {
                if v.is_empty() {
                    format!("{k} absent")
                } else {
                    format!("{k} = {}", v.join(", "))
                }
            })
            .collect();
        let removed: Vec<String> = open
            .iter()
            .filter(|k| req.context.contains(k) && !w.contains(k))
            .map(|k| format!("{k} absent"))
            .collect();
        if changed.is_empty() && removed.is_empty() {
            continue;
        }
        let got = decision_with(
            model,
            &Request {
                context: w,
                ..req.clone()
            },
            &with_extra(base, Vec::new(), Vec::new()),
        );
        let verified =
            got.certain && (got.decision == Decision::Allow) == (want == Decision::Allow);
        let text = changed
            .into_iter()
            .chain(removed)
            .collect::<Vec<_>>()
            .join(", ");
        if out
            .iter()
            .any(|c| c.kind == ChangeKind::Context && c.change.ends_with(&text))
        {
            continue;
        }
        out.push(Change {
            kind: ChangeKind::Context,
            layer: None,
            change: format!("with the request context {text}"),
            snippet: None,
            verified,
        });
    }
}

/// The smallest changes that would allow a denied request, each verified. Empty for an allowed request.
pub fn how_to_allow(model: &Model, req: &Request, overrides: &Overrides) -> Vec<Change> {
    let r = evaluate(model, req, overrides);
    let mut out = Vec::new();
    if r.decision == Decision::Allow {
        return out;
    }
    if r.aws_rule == Some(AwsRule::ProtectedByAws) {
        out.push(Change {
            kind: ChangeKind::AwsRule,
            layer: None,
            change: format!(
                "no policy change allows it: {}",
                r.notes.first().cloned().unwrap_or_default()
            ),
            snippet: None,
            verified: true,
        });
        return out;
    }
    context_changes(model, req, overrides, &r, Decision::Allow, &mut out);
    // The denies that block.
    let denies: Vec<(Layer, StatementRef, String)> = r
        .layers
        .iter()
        .flat_map(|l| l.statements.iter().map(move |s| (l.layer, s)))
        .filter(|(_, s)| s.effect == Effect::Deny)
        .map(|(l, s)| {
            let sid = s
                .sid
                .as_ref()
                .map(|x| format!(" `{x}`"))
                .unwrap_or_default();
            (
                l,
                StatementRef::of(s),
                format!(
                    "remove or narrow the Deny statement {}{sid} of {} `{}`{}",
                    s.index,
                    s.policy.kind,
                    s.policy.name,
                    s.policy
                        .attached_to
                        .as_ref()
                        .map(|a| format!(" ({a})"))
                        .unwrap_or_default()
                ),
            )
        })
        .collect();
    // Each suggestion is one more evaluation: at most 16 of a kind, so a policy with thousands of matching
    // statements costs a bounded number of evaluations.
    if denies.len() > MAX_PER_KIND {
        out.push(Change {
            kind: ChangeKind::RemoveDeny,
            layer: None,
            change: format!(
                "{} more Deny statements match, not tried one by one (at most {MAX_PER_KIND} are; the \
                 changes together below remove every one)",
                denies.len() - MAX_PER_KIND
            ),
            snippet: None,
            verified: false,
        });
    }
    for (layer, sref, text) in denies.iter().take(MAX_PER_KIND) {
        let got = decision_with(
            model,
            req,
            &with_extra(overrides, Vec::new(), vec![sref.clone()]),
        );
        out.push(Change {
            kind: ChangeKind::RemoveDeny,
            layer: Some(*layer),
            change: text.clone(),
            snippet: None,
            // Verified only by a certain Allow (one that rests on what was not read is not proof).
            verified: got.decision == Decision::Allow && got.certain,
        });
    }
    // The layers that lack an allow: a statement to add to each.
    let mut adds: Vec<(Layer, String, Policy)> = Vec::new();
    for l in &r.layers {
        let lacks = match l.verdict {
            Verdict::ImplicitDeny | Verdict::Unknown => true,
            // A layer that denies explicitly may also lack an allow: try it once the deny is gone.
            Verdict::ExplicitDeny => !l.statements.iter().any(|s| s.effect == Effect::Allow),
            _ => false,
        };
        if !lacks {
            continue;
        }
        if l.layer == Layer::Identity && req.principal.entity.is_none() {
            continue;
        }
        let Some(snippet) = allow_snippet(l.layer, req) else {
            continue;
        };
        let pol = policy(&doc(&snippet));
        let got = decision_with(
            model,
            req,
            &with_extra(
                overrides,
                vec![(l.layer, "suggested".into(), pol.clone())],
                Vec::new(),
            ),
        );
        let verified = got.decision == Decision::Allow && got.certain;
        // A layer whose allow would not be enough is named only when it is the one that decided.
        if verified || Some(l.layer) == r.decided_by {
            out.push(Change {
                kind: ChangeKind::AddStatement,
                layer: Some(l.layer),
                change: format!("add this statement to {}", layer_name(l.layer)),
                snippet: Some(snippet),
                verified,
            });
        }
        adds.push((l.layer, "suggested".into(), pol));
    }
    // Everything together, when no single change is enough.
    if !out.iter().any(|c| c.verified) && (denies.len() + adds.len()) > 1 {
        let ignore: Vec<StatementRef> = denies.iter().map(|(_, s, _)| s.clone()).collect();
        let got = decision_with(model, req, &with_extra(overrides, adds, ignore));
        out.push(Change {
            kind: ChangeKind::Combined,
            layer: None,
            change: "all of the policy changes above together".into(),
            snippet: None,
            // Verified only by a certain Allow (one that rests on what was not read is not proof).
            verified: got.decision == Decision::Allow && got.certain,
        });
    }
    out.sort_by_key(|c| (!c.verified, c.kind));
    out
}

/// What would deny an allowed request ("which guardrail would stop this?"), each verified. Empty for a denied
/// request.
pub fn what_would_deny(model: &Model, req: &Request, overrides: &Overrides) -> Vec<Change> {
    let r = evaluate(model, req, overrides);
    let mut out = Vec::new();
    if r.decision != Decision::Allow {
        return out;
    }
    if r.aws_rule == Some(AwsRule::NoPermissionNeeded) {
        out.push(Change {
            kind: ChangeKind::AwsRule,
            layer: None,
            change: format!(
                "nothing denies it: {}",
                r.notes.first().cloned().unwrap_or_default()
            ),
            snippet: None,
            verified: true,
        });
        return out;
    }
    context_changes(model, req, overrides, &r, Decision::ImplicitDeny, &mut out);
    // Without the statements that allow it.
    for l in &r.layers {
        for s in l
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow)
            .take(MAX_PER_KIND)
        {
            if l.layer != r.decided_by.unwrap_or(Layer::Identity)
                && !(l.layer == Layer::Identity && r.decided_by != Some(Layer::Resource))
            {
                continue;
            }
            let got = decision_with(
                model,
                req,
                &with_extra(overrides, Vec::new(), vec![StatementRef::of(s)]),
            );
            let sid = s
                .sid
                .as_ref()
                .map(|x| format!(" `{x}`"))
                .unwrap_or_default();
            out.push(Change {
                kind: ChangeKind::RemoveAllow,
                layer: Some(l.layer),
                change: format!(
                    "remove or narrow the Allow statement {}{sid} of {} `{}`",
                    s.index, s.policy.kind, s.policy.name
                ),
                snippet: None,
                // Not allowed, for certain: an answer that depends on a policy that was not read may still be
                // an Allow.
                verified: got.decision != Decision::Allow && got.certain,
            });
        }
    }
    // A guardrail: a Deny in an SCP (when the account is in a described organisation), in the resource policy,
    // or a permissions boundary that does not allow it.
    let a = quote(&req.action);
    let res = quote(&req.resource);
    let deny = format!(r#"{{"Effect": "Deny", "Action": {a}, "Resource": {res}}}"#);
    let mut guardrails: Vec<(Layer, String, &'static str)> = Vec::new();
    let scp = r.layers.iter().find(|l| l.layer == Layer::Scp);
    if scp.is_some_and(|l| l.verdict != Verdict::NotApplicable) {
        guardrails.push((
            Layer::Scp,
            deny.clone(),
            "add this Deny to an SCP of the account's organisation",
        ));
    }
    let who = req
        .principal
        .role_arn
        .as_deref()
        .unwrap_or(&req.principal.arn);
    // For `sts:AssumeRole` and the session's actions on a role, the role's trust policy is the resource-based
    // policy the evaluator reads.
    let trust = crate::eval::engine::is_trust_action(&req.action)
        && model
            .by_arn(&req.resource)
            .is_some_and(|e| e.kind == crate::account::EntityKind::Role);
    guardrails.push((
        if trust { Layer::Trust } else { Layer::Resource },
        format!(
            r#"{{"Effect": "Deny", "Principal": {{"AWS": {}}}, "Action": {a}, "Resource": {res}}}"#,
            quote(who)
        ),
        if trust {
            "add this Deny to the role's trust policy"
        } else {
            "add this Deny to the resource-based policy"
        },
    ));
    if r.layers
        .iter()
        .any(|l| l.layer == Layer::Boundary && l.verdict == Verdict::NotApplicable)
        && req.principal.entity.is_some()
    {
        guardrails.push((
            Layer::Boundary,
            r#"{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}"#.into(),
            "attach a permissions boundary that does not allow the action, such as",
        ));
    }
    for (layer, snippet, text) in guardrails {
        let got = decision_with(
            model,
            req,
            &with_extra(
                overrides,
                vec![(layer, "suggested".into(), policy(&doc(&snippet)))],
                Vec::new(),
            ),
        );
        out.push(Change {
            kind: ChangeKind::AddStatement,
            layer: Some(layer),
            change: text.into(),
            snippet: Some(snippet),
            verified: got.decision != Decision::Allow && got.certain,
        });
    }
    out.sort_by_key(|c| (!c.verified, c.kind));
    out
}
