//! AWS's decision logic across every policy layer, with the reasons.
//!
//! The order and the rules follow "How AWS enforcement code logic evaluates requests to allow or deny access"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html>)
//! and "Cross-account policy evaluation logic"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>):
//! 1. an explicit deny in any applicable policy wins;
//! 2. RCPs (resource's account) and SCPs (principal's account) need an allow at every level of the organisation;
//! 3. within one account, a resource-based policy that names the principal grants on its own (a role ARN still
//!    leaves the role's boundary and session policy in force; an account principal only delegates to IAM);
//!    otherwise identity policies must allow, within the permissions boundary and session policy;
//! 4. across accounts both the identity side and the resource policy must allow;
//! 5. role trust policies and KMS key policies must always allow explicitly.

use super::condition::{Assumption, ConditionResult, Context, Test, Truth};
pub use super::decision::{Decision, Layer, Verdict};
use super::decision::{
    Named, Possible, Possibles, Shape, Verdicts, certain as decision_certain, combine,
};
use super::index::Prefilter;
pub use super::request::resource_policy_for;
use super::request::{Principal, PrincipalType, Request};
use crate::account::{
    EntityKind, EntityRef, Model, OrgPolicyKind, PolicyDoc, PolicyRef, RoleKind, SourceId,
};
use crate::policy::{
    ActionBlock, Effect, Policy, PrincipalBlock, PrincipalKind, PrincipalValue, ResourceBlock,
    Statement,
};
use crate::text::Span;
use crate::time::Timestamp;
use crate::wildcard::{action_matches, resource_matches};
use serde::Serialize;

/// Which policy a statement is in.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyLabel {
    /// Inline, managed, boundary, scp, rcp, resource, trust, session.
    pub kind: &'static str,
    /// Name (policy name, SCP name, resource ARN).
    pub name: String,
    /// ARN of a managed or organisation policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// Version of a managed policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// What holds it (`user alice`, `group developers`, `OU Production`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attached_to: Option<String>,
    /// The source text its spans point into.
    #[serde(skip)]
    pub source: Option<SourceId>,
}

/// A statement that matched the request.
#[derive(Clone, Debug, Serialize)]
pub struct StatementHit {
    /// Its policy.
    pub policy: PolicyLabel,
    /// Index in the policy's `Statement` list.
    pub index: usize,
    /// `Sid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// Byte range of the statement in its source.
    pub span: Span,
    /// `file:line:col` of the statement, when the source is a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Its conditions, each with the request's values.
    pub conditions: Vec<ConditionResult>,
}

/// One level of the organisation (SCP/RCP layers).
#[derive(Clone, Debug, Serialize)]
pub struct LevelResult {
    /// `Root`, an OU, or the account.
    pub name: String,
    /// This level's verdict.
    pub verdict: Verdict,
}

/// One layer's part in the decision.
#[derive(Clone, Debug, Serialize)]
pub struct LayerResult {
    /// Which layer.
    pub layer: Layer,
    /// Its verdict.
    pub verdict: Verdict,
    /// Why it does not apply, or other facts worth saying.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<std::borrow::Cow<'static, str>>,
    /// For SCPs and RCPs: every level.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<LevelResult>,
    /// Matching statements (allows and denies).
    pub statements: Vec<StatementHit>,
    /// Near misses: statements whose action, resource and principal match the request but a condition fails
    /// (each with its conditions, the failing ones `held: false`): what almost allowed or denied it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub near_misses: Vec<StatementHit>,
    /// Policies this layer should include but the model lacks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_policies: Vec<String>,
    /// Something in this layer was not read (a missing policy, an invalid statement, a condition value that is
    /// not of its operator's type): `verdict` is its least permissive reading.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub uncertain: bool,
    /// Every verdict the layer could have.
    #[serde(skip)]
    pub possible: Possible,
    /// What in this layer was not read, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<String>,
}

/// The decision with everything that produced it.
#[derive(Clone, Debug, Serialize)]
pub struct EvalResult {
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub decision: Decision,
    /// The layer that decided.
    pub decided_by: Option<Layer>,
    /// False when a policy the answer depends on is missing from the model: the decision is what the known
    /// policies give, and may be wrong.
    pub certain: bool,
    /// Why it is uncertain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
    /// The principal as resolved.
    pub principal: Principal,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// The resource's account as used.
    pub resource_account: Option<String>,
    /// Every layer, in order.
    pub layers: Vec<LayerResult>,
    /// Keys that matching statements test but the request did not supply (the answer may change with them).
    pub missing_context_keys: Vec<String>,
    /// The context as evaluated (the caller's keys and the ones filled from the principal).
    pub context: Vec<(String, Vec<String>)>,
    /// Facts about how the request was read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// With [`Overrides::optimistic`]: the conditions assumed to hold for the answer to be `Allow`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumed_conditions: Vec<String>,
    /// The same conditions as structures (an `Allow`'s test that must hold, or a `Deny`'s tests that must not
    /// all hold).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<Assumption>,
    /// A rule of AWS's decided the request before any policy was read (`decided_by` is then empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_rule: Option<super::protected::AwsRule>,
}

impl EvalResult {
    /// One sentence that agrees with the layers: who allows, who denies, who lacks an allow
    /// ("the identity policies allow it, but the permissions boundary does not").
    pub fn summary(&self) -> String {
        if self.aws_rule.is_some() {
            return self.notes.first().cloned().unwrap_or_default();
        }
        let Some(by) = self.decided_by else {
            return String::new();
        };
        let s = match self.decision {
            Decision::ExplicitDeny => {
                format!("an explicit Deny in the {} denies it", by.describe())
            }
            Decision::Allow => format!(
                "the {} {} it, and no layer denies or caps it",
                by.describe(),
                if by.plural() { "allow" } else { "allows" }
            ),
            Decision::ImplicitDeny => {
                let allows: Vec<Layer> = self
                    .layers
                    .iter()
                    .filter(|l| l.verdict == Verdict::Allow && l.layer != by)
                    .map(|l| l.layer)
                    .collect();
                let lacking = if self
                    .layers
                    .iter()
                    .any(|l| l.layer == by && l.verdict == Verdict::Unknown)
                {
                    format!("the {} is not in the snapshot", by.describe())
                } else {
                    format!(
                        "the {} {} not allow it",
                        by.describe(),
                        if by.plural() { "do" } else { "does" }
                    )
                };
                match allows.as_slice() {
                    [] => format!("nothing allows it ({lacking}): denied by default"),
                    [one] => format!(
                        "the {} {} it, but {lacking}",
                        one.describe(),
                        if one.plural() { "allow" } else { "allows" }
                    ),
                    many => format!(
                        "the {} allow it, but {lacking}",
                        many.iter()
                            .map(|l| l.describe())
                            .collect::<Vec<_>>()
                            .join(" and the ")
                    ),
                }
            }
        };
        if self.certain {
            s
        } else {
            format!("{s} (uncertain: something it depends on was not read)")
        }
    }
}

/// Policies given with a request rather than taken from the model (command line, what-if).
#[derive(Default)]
pub struct Overrides {
    /// Session policies (passed when the session was created).
    pub session_policies: Vec<(String, Policy)>,
    /// A resource policy to use instead of the model's.
    pub resource_policy: Option<(String, Policy)>,
    /// SCP levels, root first; when non-empty they replace the organisation's.
    pub scp_levels: Vec<Vec<(String, Policy)>>,
    /// RCP levels, root first; when non-empty they replace the organisation's.
    pub rcp_levels: Vec<Vec<(String, Policy)>>,
    /// The time to evaluate at (default: now).
    pub now: Option<Timestamp>,
    /// Policies added to a layer for this request only ("what if this statement existed?"); for SCPs and RCPs
    /// they join every described level. How-to-allow verifies its suggestions with them.
    pub extra: Vec<(Layer, String, Policy)>,
    /// Statements left out for this request only ("what if this Deny were gone?").
    pub ignore: Vec<StatementRef>,
    /// Treat conditions on keys the request does not supply as satisfiable (held for `Allow` statements, not
    /// for `Deny` ones), listing them in [`EvalResult::assumed_conditions`]: reverse queries use this to find
    /// who *could* be allowed, and under which conditions.
    pub optimistic: bool,
}

/// A statement named by its policy's label and its index, as explanations show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementRef {
    /// The label's kind (`inline`, `managed`, `scp`, …).
    pub kind: String,
    /// The label's name.
    pub name: String,
    /// What holds the policy, when the label says.
    pub attached_to: Option<String>,
    /// The statement's index.
    pub index: usize,
}

impl StatementRef {
    /// The statement of a hit.
    pub fn of(hit: &StatementHit) -> StatementRef {
        StatementRef {
            kind: hit.policy.kind.to_string(),
            name: hit.policy.name.clone(),
            attached_to: hit.policy.attached_to.clone(),
            index: hit.index,
        }
    }
}

/// What holds a policy, borrowed from the model (`user alice`).
#[derive(Clone, Copy)]
struct Owner<'m> {
    kind: &'static str,
    name: &'m str,
}

/// A policy's label, built only when an explanation is asked for (reverse queries evaluate thousands of
/// principals and must not allocate per policy).
enum LabelSrc<'m> {
    Model {
        kind: &'static str,
        owner: Owner<'m>,
        name: &'m str,
        arn: Option<&'m str>,
        version: Option<&'m str>,
        source: SourceId,
    },
    Owned(PolicyLabel),
}

impl LabelSrc<'_> {
    fn label(&self) -> PolicyLabel {
        match self {
            LabelSrc::Model {
                kind,
                owner,
                name,
                arn,
                version,
                source,
            } => PolicyLabel {
                kind,
                name: name.to_string(),
                arn: arn.map(str::to_string),
                version: version.map(str::to_string),
                attached_to: Some(format!("{} {}", owner.kind, owner.name)),
                source: Some(*source),
            },
            LabelSrc::Owned(l) => l.clone(),
        }
    }

    fn source(&self) -> Option<SourceId> {
        match self {
            LabelSrc::Model { source, .. } => Some(*source),
            LabelSrc::Owned(l) => l.source,
        }
    }
}

/// A policy entering a layer.
struct Input<'m> {
    label: LabelSrc<'m>,
    policy: &'m Policy,
}

struct LayerEval {
    deny: bool,
    allow: bool,
    /// A statement that was not fully read could deny (it is counted as denying).
    deny_unsure: bool,
    /// A statement that was not fully read could allow (it is not counted as allowing).
    allow_unsure: bool,
    named: Option<Named>,
    hits: Vec<StatementHit>,
    /// Statements that matched but for a condition (explain mode).
    near_misses: Vec<StatementHit>,
    /// Why statements were not fully read.
    reasons: Vec<String>,
}

/// Whether a statement applies to the request.
enum Applies {
    No,
    /// Action, resource and principal match but a condition fails (explain mode only): the statement that
    /// almost decided, with its conditions.
    NearMiss(Vec<ConditionResult>),
    Yes(Named, Vec<ConditionResult>),
    /// It might: part of it could not be read. The reason.
    Unsure(Named, Vec<ConditionResult>, String),
}

/// Why a statement cannot be read as AWS's grammar says, when it cannot: the evaluator then reads it in the least
/// permissive way instead of dropping it. `resource_needed`: identity, boundary, session, SCP and resource
/// policies need `Resource`; a trust policy has none.
fn malformed(s: &Statement, resource_needed: bool) -> Option<String> {
    if let Some(why) = &s.invalid {
        return Some(format!(
            "it is invalid: {}",
            crate::text::excerpt(&why.value, 160)
        ));
    }
    if s.effect.is_none() {
        return Some("its `Effect` is missing or not `Allow`/`Deny`".into());
    }
    if s.action.is_none() {
        return Some("it has no `Action` or `NotAction`".into());
    }
    if resource_needed && s.resource.is_none() {
        return Some("it has no `Resource` or `NotResource`".into());
    }
    None
}

/// True when `s` holds a policy variable (`${…}`).
fn has_variable(s: &str) -> bool {
    s.as_bytes().contains(&b'$') && s.contains("${")
}

/// Keys the engine fills from the principal, the resource or the clock (see `Principal::fill_context`).
fn is_derived_key(key: &str) -> bool {
    const EXACT: [&str; 13] = [
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalType",
        "aws:username",
        "aws:userid",
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:PrincipalIsAWSService",
        "aws:PrincipalServiceName",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:ResourceAccount",
        "aws:ResourceOrgID",
    ];
    EXACT.iter().any(|k| k.eq_ignore_ascii_case(key))
        || key
            .get(..17)
            .is_some_and(|p| p.eq_ignore_ascii_case("aws:PrincipalTag/"))
}

struct Eval<'a> {
    model: &'a Model,
    req: &'a Request,
    ctx: Context,
    explain: bool,
    tested_missing: Vec<crate::policy::Str>,
    now: Timestamp,
    resource_account: Option<String>,
    filled: bool,
    prefilter: Option<&'a mut Prefilter>,
    buf: Vec<u32>,
    optimistic: bool,
    assumed: Vec<Assumption>,
    /// The request's action, ASCII-lowercased (for the action index).
    action_lower: String,
    /// Mode::Statements: matching statements with their layer.
    collect: bool,
    current: Layer,
    hits: Vec<(Layer, StatementHit)>,
    /// The principal's user or role has a permissions boundary (see [`principal_named`]).
    bounded: bool,
    /// Statements to leave out ([`Overrides::ignore`]).
    ignore: &'a [StatementRef],
}

impl Eval<'_> {
    /// Fill the context keys derived from the principal and the resource, once, when a statement first needs
    /// them (most statements of a reverse query never do).
    fn ensure_ctx(&mut self) {
        if self.filled {
            return;
        }
        self.filled = true;
        self.ctx.reserve(24);
        self.req
            .principal
            .fill_context(self.model, &mut self.ctx, self.now);
        if let Some(ra) = &self.resource_account {
            self.ctx
                .set_default("aws:ResourceAccount", vec![ra.clone()]);
            if let Some(org) = &self.model.organization
                && org.path_to(ra).is_some()
            {
                self.ctx
                    .set_default("aws:ResourceOrgID", vec![org.id.to_string()]);
            }
        }
    }

    fn statement_applies(
        &mut self,
        s: &Statement,
        variables: bool,
        check_principal: bool,
        action_known: bool,
    ) -> Applies {
        let mut unsure = malformed(s, !check_principal || s.resource.is_some());
        // The least permissive reading of what is not known: a statement that may deny denies, one that may
        // allow does not allow. A statement whose `Effect` cannot be read is read as a `Deny`.
        let is_deny = s.effect.as_ref().is_none_or(|e| e.value == Effect::Deny);
        // An element that holds the statement's error may have said more than what was read of it: a mismatch
        // there is not final.
        let broken = |span: Span| {
            s.invalid
                .as_ref()
                .is_some_and(|i| span.start <= i.span.start && i.span.end <= span.end)
        };
        if !action_known {
            let action = &self.req.action;
            let acts = match &s.action {
                Some(ActionBlock::Action(l)) => {
                    l.iter().any(|p| action_matches(p, action)) || broken(l.span)
                }
                Some(ActionBlock::NotAction(l)) => {
                    !l.iter().any(|p| action_matches(p, action)) || broken(l.span)
                }
                None => unsure.is_some(),
            };
            if !acts {
                return Applies::No;
            }
        }
        let resource_variables = s.resource.as_ref().is_some_and(|r| {
            let l = r.list();
            if l.items.len() >= crate::policy::ResourceIndex::MIN_LEN {
                s.resource_index.get(l).has_variables()
            } else {
                l.iter().any(has_variable)
            }
        });
        if variables && !self.filled && resource_variables {
            self.ensure_ctx();
        }
        let resource = &self.req.resource;
        let matches_resource = |pattern: &str, ctx: &Context| -> bool {
            if variables {
                match super::condition::substitute(pattern, ctx) {
                    Some(p) => resource_matches(&p, resource),
                    None => false,
                }
            } else {
                resource_matches(pattern, resource)
            }
        };
        // A long list without variables is looked up in its index.
        let any = |l: &crate::policy::OneOrMany, ctx: &Context| {
            if l.items.len() >= crate::policy::ResourceIndex::MIN_LEN
                && !(variables && resource_variables)
            {
                s.resource_index.get(l).any_match(l, resource)
            } else {
                l.iter().any(|p| matches_resource(p, ctx))
            }
        };
        let res = match &s.resource {
            Some(ResourceBlock::Resource(l)) => any(l, &self.ctx) || broken(l.span),
            Some(ResourceBlock::NotResource(l)) => !any(l, &self.ctx) || broken(l.span),
            // Trust policies have no `Resource`: the role itself is the resource.
            None => check_principal || unsure.is_some(),
        };
        if !res {
            return Applies::No;
        }
        let named = if check_principal {
            match s.principal.as_ref() {
                Some(block) => {
                    match principal_named(Some(block), &self.req.principal, is_deny && self.bounded)
                    {
                        Some(n) => n,
                        None if broken(block.span) => Named::Account,
                        None => return Applies::No,
                    }
                }
                // A resource-policy statement without a readable `Principal` may name anyone.
                None if unsure.is_some() => Named::Account,
                None => {
                    unsure = Some("it has no `Principal` or `NotPrincipal`".into());
                    Named::Account
                }
            }
        } else {
            Named::Direct
        };
        let mut results = Vec::new();
        let mut all = true;
        // Reverse queries: tests on keys the request leaves open, assumed to hold (Allow) or not to (Deny).
        let mut open: Vec<Test> = Vec::new();
        // Keys derived from the principal are filled only when a condition tests one the caller did not give,
        // or a value holds a policy variable.
        if !self.filled
            && s.conditions.iter().any(|c| {
                (is_derived_key(&c.key.value) && !self.ctx.contains(&c.key.value))
                    || (variables && c.values.iter().any(has_variable))
            })
        {
            self.ensure_ctx();
        }
        for c in &s.conditions {
            let (truth, subst, why) = match c.op {
                // An operator IAM does not know: the test cannot be decided.
                None => (
                    Truth::Unknown,
                    c.values.iter().map(str::to_string).collect(),
                    Some(format!(
                        "`{}` is not a condition operator",
                        crate::text::excerpt(&c.operator.value, 60)
                    )),
                ),
                Some(op) => {
                    let (t, subst) = if self.explain {
                        let values: Vec<&str> = c.values.iter().collect();
                        super::condition::evaluate(op, &c.key.value, &values, &self.ctx, variables)
                    } else {
                        // The decision alone: no allocation unless a policy variable must be substituted.
                        (
                            super::condition::holds(
                                op,
                                &c.key.value,
                                c.values.iter(),
                                &self.ctx,
                                variables,
                            ),
                            Vec::new(),
                        )
                    };
                    let why = (t == Truth::Unknown).then(|| {
                        let values: Vec<&str> = c.values.iter().collect();
                        super::condition::unreadable_value(
                            op,
                            &c.key.value,
                            &values,
                            &self.ctx,
                            variables,
                        )
                        .unwrap_or_else(|| "a value cannot be read".into())
                    });
                    (t, subst, why)
                }
            };
            let mut held = match truth {
                Truth::True => true,
                Truth::False => false,
                Truth::Unknown => {
                    if unsure.is_none() {
                        unsure = Some(format!(
                            "its condition `{}` on `{}` cannot be decided: {}",
                            c.operator.value,
                            c.key.value,
                            why.clone().unwrap_or_default()
                        ));
                    }
                    is_deny
                }
            };
            let missing = !self.ctx.contains(&c.key.value);
            if missing {
                if !self
                    .tested_missing
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(&c.key.value))
                {
                    self.tested_missing.push(c.key.value.clone());
                }
                if self.optimistic && truth != Truth::Unknown {
                    // Reverse queries ask "could this be allowed, and when?": a test on a key the request
                    // leaves open is assumed to hold for an Allow, and for a Deny the answer records that its
                    // open tests must not all hold.
                    held = true;
                    open.push(Test {
                        operator: c.operator.value.to_string(),
                        key: c.key.value.to_string(),
                        values: c.values.iter().map(str::to_string).collect(),
                    });
                }
            }
            if self.explain {
                results.push(ConditionResult {
                    operator: c.operator.value.to_string(),
                    key: c.key.value.to_string(),
                    policy_values: subst,
                    request_values: self.ctx.get(&c.key.value).map(|v| v.to_vec()),
                    held,
                    unreadable: why,
                });
            }
            // A condition that cannot be decided does not end the statement: one read as false still can.
            if !held && truth != Truth::Unknown {
                all = false;
                if !self.explain {
                    break;
                }
            }
        }
        if !all {
            return if self.explain {
                Applies::NearMiss(results)
            } else {
                Applies::No
            };
        }
        if !open.is_empty() && unsure.is_none() {
            if is_deny {
                // The deny applies only if its open tests all hold: the answer assumes they do not.
                // (Duplicates are removed once, by text, when the run ends: linear in the assumptions.)
                self.assumed.push(Assumption::NotAll(open));
                return Applies::No;
            }
            self.assumed.extend(open.into_iter().map(Assumption::Holds));
        }
        match unsure {
            Some(why) => Applies::Unsure(named, results, why),
            None => Applies::Yes(named, results),
        }
    }

    /// A statement for the explanation: its policy, place in the source and conditions.
    fn explained_hit(
        &self,
        input: &Input<'_>,
        s: &Statement,
        index: usize,
        effect: Effect,
        conditions: Vec<ConditionResult>,
    ) -> StatementHit {
        let location = input.label.source().map(|src| {
            let source = self.model.source(src);
            format!("{}:{}", source.name, source.line_col(s.span.start))
        });
        StatementHit {
            policy: input.label.label(),
            index,
            sid: s.sid.as_ref().map(|x| x.value.to_string()),
            effect,
            span: s.span,
            location,
            conditions,
        }
    }

    fn layer(&mut self, inputs: &[Input<'_>], check_principal: bool) -> LayerEval {
        let mut out = LayerEval {
            deny: false,
            allow: false,
            deny_unsure: false,
            allow_unsure: false,
            named: None,
            hits: Vec::new(),
            near_misses: Vec::new(),
            reasons: Vec::new(),
        };
        for input in inputs {
            if let Some(why) = &input.policy.invalid {
                // Statements may be missing from what was read: any of them could allow or deny.
                out.allow_unsure = true;
                out.deny_unsure = true;
                if out.reasons.len() < 16 {
                    let l = input.label.label();
                    out.reasons.push(format!(
                        "{} `{}` was not fully read: {}",
                        l.kind,
                        crate::text::excerpt(&l.name, 80),
                        crate::text::excerpt(&why.value, 160)
                    ));
                }
            }
            let variables = input.policy.supports_variables();
            let mut candidates = std::mem::take(&mut self.buf);
            candidates.clear();
            match self.prefilter.as_deref_mut() {
                Some(pf) => candidates.extend_from_slice(pf.candidates(
                    input.policy,
                    &self.req.action,
                    &self.req.resource,
                )),
                // Without a prefilter, the policy's action index gives the statements that can match.
                None => input
                    .policy
                    .action_index()
                    .candidates(&self.action_lower, &mut candidates),
            }
            let ignored: Vec<usize> = if self.ignore.is_empty() {
                Vec::new()
            } else {
                let l = input.label.label();
                let mut v: Vec<usize> = self
                    .ignore
                    .iter()
                    .filter(|r| {
                        r.kind == l.kind && r.name == l.name && r.attached_to == l.attached_to
                    })
                    .map(|r| r.index)
                    .collect();
                v.sort_unstable();
                v
            };
            for &ci in &candidates {
                let index = ci as usize;
                let Some(s) = input.policy.statements.get(index) else {
                    continue;
                };
                if !ignored.is_empty() && ignored.binary_search(&index).is_ok() {
                    continue;
                }
                // The action index (or the prefilter) has matched the action already, except for the statements it
                // lists as needing a full match.
                let action_known = match self.prefilter {
                    Some(_) => true,
                    None => !input.policy.action_index().needs_full_match(ci),
                };
                let (named, conditions, unsure) =
                    match self.statement_applies(s, variables, check_principal, action_known) {
                        Applies::No => continue,
                        Applies::NearMiss(conditions) => {
                            if out.near_misses.len() < 16 {
                                let effect = s.effect.as_ref().map_or(Effect::Deny, |e| e.value);
                                out.near_misses
                                    .push(self.explained_hit(input, s, index, effect, conditions));
                            }
                            continue;
                        }
                        Applies::Yes(n, c) => (n, c, None),
                        Applies::Unsure(n, c, why) => (n, c, Some(why)),
                    };
                // A statement whose `Effect` cannot be read is read as a `Deny` (the least permissive reading).
                let effect = s.effect.as_ref().map(|e| e.value).unwrap_or(Effect::Deny);
                match (effect, &unsure) {
                    (Effect::Deny, None) => out.deny = true,
                    (Effect::Allow, None) => {
                        out.allow = true;
                        out.named = out.named.max(Some(named));
                    }
                    (Effect::Deny, Some(_)) => out.deny_unsure = true,
                    (Effect::Allow, Some(_)) => out.allow_unsure = true,
                }
                if let Some(why) = unsure
                    && out.reasons.len() < 16
                {
                    let l = input.label.label();
                    let sid = s
                        .sid
                        .as_ref()
                        .map(|x| format!(" (`{}`)", crate::text::excerpt(&x.value, 40)))
                        .unwrap_or_default();
                    out.reasons.push(format!(
                        "{} `{}` statement {}{sid} was not fully read: {why}",
                        l.kind,
                        crate::text::excerpt(&l.name, 80),
                        index + 1,
                    ));
                }
                if self.collect {
                    self.hits.push((
                        self.current,
                        StatementHit {
                            policy: input.label.label(),
                            index,
                            sid: s.sid.as_ref().map(|x| x.value.to_string()),
                            effect,
                            span: s.span,
                            location: None,
                            conditions: Vec::new(),
                        },
                    ));
                }
                if self.explain {
                    out.hits
                        .push(self.explained_hit(input, s, index, effect, conditions));
                }
            }
            self.buf = candidates;
        }
        out
    }
}

/// A layer's verdict in the least permissive reading of what was not read.
fn verdict(e: &LayerEval) -> Verdict {
    if e.deny || e.deny_unsure {
        Verdict::ExplicitDeny
    } else if e.allow {
        Verdict::Allow
    } else {
        Verdict::ImplicitDeny
    }
}

/// Every verdict the layer could have.
fn possible(e: &LayerEval) -> Possible {
    if e.deny {
        return Possible::exactly(Verdict::ExplicitDeny);
    }
    let mut p = Possible::exactly(if e.allow {
        Verdict::Allow
    } else {
        Verdict::ImplicitDeny
    });
    if e.allow_unsure {
        p = p.with(Verdict::Allow);
    }
    if e.deny_unsure {
        p = p.with(Verdict::ExplicitDeny);
    }
    p
}

/// Does a resource-policy statement's `Principal`/`NotPrincipal` cover `p` (by its ARN, its account, `*`, its
/// service or provider)?
pub fn names_principal(block: Option<&PrincipalBlock>, p: &Principal) -> bool {
    principal_named(block, p, false).is_some()
}

/// Does a resource-policy statement's `Principal`/`NotPrincipal` cover `p`, and how? `bounded_deny`: the
/// statement is a `Deny` and the principal has a permissions boundary.
fn principal_named(
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

/// Names of organisation levels given on the command line (root first).
const LEVELS: [&str; 8] = ["1", "2", "3", "4", "5", "6", "7", "8"];

/// Services whose resources RCPs can restrict
/// (<https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html>).
pub const RCP_SERVICES: [&str; 10] = [
    "s3",
    "sts",
    "kms",
    "sqs",
    "secretsmanager",
    "ecr",
    "aoss",
    "cognito-identity",
    "logs",
    "dynamodb",
];

#[allow(clippy::too_many_arguments)] // one call site per attachment kind; a struct would only rename the arguments
fn managed_inputs<'m>(
    model: &'m Model,
    account: u32,
    kind: &'static str,
    owner: Owner<'m>,
    name: &'m str,
    arn: &'m str,
    target: PolicyRef,
    inputs: &mut Vec<Input<'m>>,
    unknown: &mut Vec<String>,
) {
    match model
        .resolve(account, target)
        .and_then(|p| p.default_doc().map(|d| (p, d)))
    {
        Some((p, d)) => inputs.push(Input {
            label: LabelSrc::Model {
                kind,
                owner,
                name,
                arn: Some(arn),
                version: p.default_version.as_deref(),
                source: d.source,
            },
            policy: &d.policy,
        }),
        None => unknown.push(format!(
            "{kind} policy `{arn}` attached to {} {} is not in the snapshot",
            owner.kind, owner.name
        )),
    }
}

fn inline_input<'m>(owner: Owner<'m>, name: &'m str, doc: &'m PolicyDoc) -> Input<'m> {
    Input {
        label: LabelSrc::Model {
            kind: "inline",
            owner,
            name,
            arn: None,
            version: None,
            source: doc.source,
        },
        policy: &doc.policy,
    }
}

/// Identity policies and the boundary of a user or role.
fn identity_inputs<'m>(
    model: &'m Model,
    r: EntityRef,
) -> (Vec<Input<'m>>, Option<Vec<Input<'m>>>, Vec<String>, bool) {
    let mut ident = Vec::with_capacity(16);
    let mut unknown = Vec::new();
    let mut boundary = None;
    let mut service_linked = false;
    let Some(acc) = model.accounts.get(r.account as usize) else {
        return (ident, boundary, unknown, false);
    };
    let mut add_boundary =
        |b: &'m Option<crate::account::Boundary>, owner: Owner<'m>, unknown: &mut Vec<String>| {
            if let Some(b) = b {
                let mut v = Vec::new();
                managed_inputs(
                    model,
                    r.account,
                    "boundary",
                    owner,
                    b.arn.rsplit('/').next().unwrap_or(&b.arn),
                    &b.arn,
                    b.target,
                    &mut v,
                    unknown,
                );
                boundary = Some(v);
            }
        };
    // An owner's inline and attached policies (the user's, each of its groups', or the role's).
    let own = |who: Owner<'m>,
               inline: &'m [crate::account::InlinePolicy],
               attached: &'m [crate::account::Attachment],
               ident: &mut Vec<Input<'m>>,
               unknown: &mut Vec<String>| {
        ident.extend(inline.iter().map(|p| inline_input(who, &p.name, &p.doc)));
        for a in attached {
            managed_inputs(
                model, r.account, "managed", who, &a.name, &a.arn, a.target, ident, unknown,
            );
        }
    };
    match r.kind {
        EntityKind::User => {
            let Some(u) = acc.users.get(r.index as usize) else {
                return (ident, None, unknown, false);
            };
            let who = Owner {
                kind: "user",
                name: &u.name,
            };
            own(who, &u.inline, &u.attached, &mut ident, &mut unknown);
            for g in &u.groups {
                match acc.group(g) {
                    Some(group) => {
                        let gwho = Owner {
                            kind: "group",
                            name: &group.name,
                        };
                        own(
                            gwho,
                            &group.inline,
                            &group.attached,
                            &mut ident,
                            &mut unknown,
                        );
                    }
                    None => unknown.push(format!(
                        "group {g} of user {} is not in the snapshot",
                        u.name
                    )),
                }
            }
            add_boundary(&u.boundary, who, &mut unknown);
        }
        EntityKind::Role => {
            let Some(role) = acc.roles.get(r.index as usize) else {
                return (ident, None, unknown, false);
            };
            let who = Owner {
                kind: "role",
                name: &role.name,
            };
            own(who, &role.inline, &role.attached, &mut ident, &mut unknown);
            add_boundary(&role.boundary, who, &mut unknown);
            service_linked = matches!(role.kind, RoleKind::ServiceLinked { .. });
        }
        _ => {}
    }
    (ident, boundary, unknown, service_linked)
}

/// Organisation levels (root → OUs → account) with their policies of `kind`, or `None` when the account is
/// outside the described organisation or is its management account.
fn org_levels<'m>(
    model: &'m Model,
    account: &str,
    kind: OrgPolicyKind,
) -> Option<Vec<(Owner<'m>, Option<Vec<Input<'m>>>)>> {
    let org = model.organization.as_ref()?;
    if org.management_account.as_deref() == Some(account) {
        return None;
    }
    let path = org.path_to(account)?;
    let to_inputs = |ids: Option<&'m Vec<u32>>, at: Owner<'m>| -> Option<Vec<Input<'m>>> {
        ids.map(|ids| {
            ids.iter()
                .filter_map(|&i| model.org_policies.get(i as usize))
                .map(|p| Input {
                    label: LabelSrc::Model {
                        kind: if kind == OrgPolicyKind::Scp {
                            "scp"
                        } else {
                            "rcp"
                        },
                        owner: at,
                        name: &p.name,
                        arn: p.arn.as_deref(),
                        version: None,
                        source: p.doc.source,
                    },
                    policy: &p.doc.policy,
                })
                .collect()
        })
    };
    let mut levels = Vec::with_capacity(path.len() + 1);
    for (depth, node) in path.iter().enumerate() {
        let at = Owner {
            kind: if depth == 0 { "root" } else { "OU" },
            name: &node.name,
        };
        let ids = if kind == OrgPolicyKind::Scp {
            node.scps.as_ref()
        } else {
            node.rcps.as_ref()
        };
        levels.push((at, to_inputs(ids, at)));
    }
    // The account's own attachments; its id borrowed from the tree.
    let id: &'m str = path
        .last()
        .and_then(|n| n.accounts.iter().find(|a| &***a == account))
        .map(|a| &**a)
        .unwrap_or("");
    let acc = model.account(account);
    let ids = acc.and_then(|a| {
        if kind == OrgPolicyKind::Scp {
            a.scps.as_ref()
        } else {
            a.rcps.as_ref()
        }
    });
    let at = Owner {
        kind: "account",
        name: id,
    };
    levels.push((at, to_inputs(ids, at)));
    Some(levels)
}

/// Organisation levels given with the request (command line), root first; `None` when none were given.
#[allow(clippy::type_complexity)] // (level, its policies), as `org_levels` returns them
fn given_levels<'o>(
    levels: &'o [Vec<(String, Policy)>],
    kind: &'static str,
) -> Option<Vec<(Owner<'o>, Option<Vec<Input<'o>>>)>> {
    if levels.is_empty() {
        return None;
    }
    Some(
        levels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let owner = Owner {
                    kind: "level",
                    name: LEVELS.get(i).copied().unwrap_or("n"),
                };
                let inputs = l
                    .iter()
                    .map(|(n, pol)| Input {
                        label: LabelSrc::Owned(label(kind, n)),
                        policy: pol,
                    })
                    .collect();
                (owner, Some(inputs))
            })
            .collect(),
    )
}

/// Evaluate `req` against `model`, with the full explanation.
pub fn evaluate(model: &Model, req: &Request, overrides: &Overrides) -> EvalResult {
    match run(model, req, overrides, Mode::Explain, None).result {
        Some(r) => r,
        None => unreachable!("explain mode always builds the result"),
    }
}

/// Evaluate `req` for its decision only (no explanation is built: for batches and reverse queries).
pub fn decide(model: &Model, req: &Request, overrides: &Overrides) -> (Decision, bool) {
    let r = run(model, req, overrides, Mode::Decide, None);
    (r.quick.decision, r.quick.certain)
}

/// A decision with the statements that matched, for reverse queries.
#[derive(Clone, Debug)]
pub struct WithStatements {
    /// The decision.
    pub quick: Quick,
    /// The layer that decided.
    pub decided_by: Option<Layer>,
    /// Matching statements (labels, indexes and Sids; no conditions or positions), with their layer.
    pub hits: Vec<(Layer, StatementHit)>,
    /// Conditions assumed in optimistic mode.
    pub assumed: Vec<Assumption>,
}

/// The decision with the matching statements and the conditions assumed in optimistic mode: what reverse
/// queries list per principal.
pub fn decide_with_statements(
    model: &Model,
    req: &Request,
    overrides: &Overrides,
    prefilter: &mut Prefilter,
) -> WithStatements {
    let r = run(model, req, overrides, Mode::Statements, Some(prefilter));
    WithStatements {
        quick: r.quick,
        decided_by: r.decided_by,
        hits: r.hits,
        assumed: r.assumed,
    }
}

/// How much of the explanation to build.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The decision only: no allocation per statement.
    Decide,
    /// The decision and the matching statements' labels.
    Statements,
    /// Everything: conditions with their values, positions, the context.
    Explain,
}

/// What [`run`] returns.
struct RunOut {
    quick: Quick,
    decided_by: Option<Layer>,
    hits: Vec<(Layer, StatementHit)>,
    assumed: Vec<Assumption>,
    result: Option<EvalResult>,
}

/// Like [`decide`], reusing per-policy statement matches across calls for the same action and resource
/// (reverse queries).
pub fn decide_with(
    model: &Model,
    req: &Request,
    overrides: &Overrides,
    prefilter: &mut Prefilter,
) -> Quick {
    run(model, req, overrides, Mode::Decide, Some(prefilter)).quick
}

/// A decision without its explanation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quick {
    /// The decision.
    pub decision: Decision,
    /// No missing policy could change it.
    pub certain: bool,
    /// With [`Overrides::optimistic`]: it relies on conditions assumed to hold.
    pub conditional: bool,
}

fn run(
    model: &Model,
    req: &Request,
    overrides: &Overrides,
    mode: Mode,
    prefilter: Option<&mut Prefilter>,
) -> RunOut {
    let explain = mode == Mode::Explain;
    if let Some((rule, why)) =
        super::protected::aws_rule(req.principal.kind, &req.action, &req.resource)
    {
        let decision = match rule {
            super::protected::AwsRule::NoPermissionNeeded => Decision::Allow,
            super::protected::AwsRule::ProtectedByAws => Decision::ExplicitDeny,
        };
        return RunOut {
            quick: Quick {
                decision,
                certain: true,
                conditional: false,
            },
            decided_by: None,
            hits: Vec::new(),
            assumed: Vec::new(),
            result: explain.then(|| EvalResult {
                decision,
                decided_by: None,
                certain: true,
                unknown: Vec::new(),
                principal: req.principal.clone(),
                action: req.action.clone(),
                resource: req.resource.clone(),
                resource_account: req.resource_account(model),
                layers: Vec::new(),
                missing_context_keys: Vec::new(),
                context: req.context.entries(),
                notes: vec![why.to_string()],
                assumed_conditions: Vec::new(),
                assumptions: Vec::new(),
                aws_rule: Some(rule),
            }),
        };
    }
    let now = overrides.now.unwrap_or_else(Timestamp::now);
    let ctx = req.context.clone();
    let resource_account = req.resource_account(model);
    let mut notes = Vec::new();
    if req.resource_account.is_none()
        && crate::account::arn_account(&req.resource).is_none_or(|a| a.is_empty())
        && resource_policy_for(model, &req.resource).is_none()
        && req.resource != "*"
    {
        notes.push("the resource ARN names no account and no loaded policy covers it: taken as the principal's account".into());
    }
    let mut ev = Eval {
        model,
        req,
        ctx,
        explain,
        tested_missing: Vec::new(),
        now,
        resource_account: resource_account.clone(),
        filled: false,
        prefilter,
        buf: Vec::new(),
        optimistic: overrides.optimistic,
        assumed: Vec::new(),
        action_lower: req.action.to_ascii_lowercase(),
        collect: mode == Mode::Statements,
        current: Layer::Identity,
        hits: Vec::new(),
        bounded: false,
        ignore: &overrides.ignore,
    };
    let p = &req.principal;
    let mut unknown: Vec<String> = Vec::new();
    let mut layers: Vec<LayerResult> = Vec::with_capacity(6);
    let service = req.action.split(':').next().unwrap_or("");

    // Identity side of the principal.
    let (mut ident_inputs, mut boundary_inputs, ident_unknown, service_linked) = match p.entity {
        Some(r) => identity_inputs(model, r),
        None => (Vec::new(), None, Vec::new(), false),
    };
    let extra = |layer: Layer| {
        overrides
            .extra
            .iter()
            .filter(move |(l, _, _)| *l == layer)
            .map(|(_, n, pol)| Input {
                label: LabelSrc::Owned(label("what-if", n)),
                policy: pol,
            })
    };
    if p.entity.is_some() {
        ident_inputs.extend(extra(Layer::Identity));
    }
    let extra_boundary: Vec<Input<'_>> = extra(Layer::Boundary).collect();
    if !extra_boundary.is_empty() {
        boundary_inputs
            .get_or_insert_with(Vec::new)
            .extend(extra_boundary);
    }
    let identity_known = p.entity.is_some();
    ev.bounded = boundary_inputs.is_some();

    // --- SCPs (principal's account) ---
    let scp_levels = match given_levels(&overrides.scp_levels, "scp") {
        Some(l) => Some(l),
        None => p
            .account
            .as_deref()
            .and_then(|a| org_levels(model, a, OrgPolicyKind::Scp)),
    };
    let scp = if !p.is_iam_identity() {
        na(
            Layer::Scp,
            "SCPs restrict only the IAM users and roles (and root user) of member accounts",
        )
    } else if service_linked {
        na(
            Layer::Scp,
            "service-linked roles are not restricted by SCPs",
        )
    } else {
        match scp_levels {
            None => na(
                Layer::Scp,
                "the principal's account is not in a described organisation, or is its management account",
            ),
            Some(mut levels) => {
                for (_, inputs) in levels.iter_mut() {
                    if let Some(inputs) = inputs {
                        inputs.extend(extra(Layer::Scp));
                    }
                }
                org_layer(&mut ev, Layer::Scp, &levels, false)
            }
        }
    };
    layers.push(scp);

    // --- RCPs (resource's account) ---
    let rcp_levels = match given_levels(&overrides.rcp_levels, "rcp") {
        Some(l) => Some(l),
        None => resource_account
            .as_deref()
            .and_then(|a| org_levels(model, a, OrgPolicyKind::Rcp)),
    };
    let rcp = if service_linked {
        na(Layer::Rcp, "RCPs do not restrict service-linked roles")
    } else if !RCP_SERVICES.iter().any(|s| s.eq_ignore_ascii_case(service))
        && overrides.rcp_levels.is_empty()
    {
        na(
            Layer::Rcp,
            "RCPs apply only to S3, STS, KMS, SQS, Secrets Manager, ECR, OpenSearch Serverless, Cognito Identity, CloudWatch Logs and DynamoDB actions",
        )
    } else {
        match rcp_levels {
            None => na(
                Layer::Rcp,
                "the resource's account is not in a described organisation, or is its management account",
            ),
            Some(mut levels) => {
                for (_, inputs) in levels.iter_mut() {
                    if let Some(inputs) = inputs {
                        inputs.extend(extra(Layer::Rcp));
                    }
                }
                org_layer(&mut ev, Layer::Rcp, &levels, true)
            }
        }
    };
    layers.push(rcp);

    // --- Resource policy or trust policy ---
    let is_assume = req
        .action
        .get(..14)
        .is_some_and(|p| p.eq_ignore_ascii_case("sts:AssumeRole"))
        || ["sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext"]
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&req.action));
    let target_role = if is_assume {
        model
            .by_arn(&req.resource)
            .filter(|r| r.kind == EntityKind::Role)
    } else {
        None
    };
    let is_trust = is_assume && req.resource.contains(":role/");
    // Key policies must allow explicitly, for keys only: `kms:CreateKey`/`kms:ListKeys` on `*` and alias
    // resources involve no key policy (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html).
    let resource_required = is_trust || is_kms_key(&req.resource);
    let mut resource_named = None;
    let resource_layer = if is_trust && let Some((n, pol)) = &overrides.resource_policy {
        // A trust policy given with the request (a draft, or a role not in the snapshot) is the role's.
        let input = Input {
            label: LabelSrc::Owned(label("trust", n)),
            policy: pol,
        };
        ev.current = Layer::Trust;
        let mut inputs = vec![input];
        inputs.extend(extra(Layer::Trust));
        let e = ev.layer(&inputs, true);
        resource_named = e.named;
        layer_result(Layer::Trust, e)
    } else if is_trust {
        match target_role.and_then(|r| {
            model
                .accounts
                .get(r.account as usize)?
                .roles
                .get(r.index as usize)
        }) {
            Some(role) => match &role.trust {
                Some(t) => {
                    let input = Input {
                        label: LabelSrc::Model {
                            kind: "trust",
                            owner: Owner {
                                kind: "role",
                                name: &role.name,
                            },
                            name: &role.name,
                            arn: Some(&role.arn),
                            version: None,
                            source: t.source,
                        },
                        policy: &t.policy,
                    };
                    ev.current = Layer::Trust;
                    let mut inputs = vec![input];
                    inputs.extend(extra(Layer::Trust));
                    let e = ev.layer(&inputs, true);
                    resource_named = e.named;
                    layer_result(Layer::Trust, e)
                }
                None => {
                    unknown.push(format!(
                        "the trust policy of role {} is not in the snapshot",
                        role.name
                    ));
                    unknown_layer(Layer::Trust, "UNKNOWN: trust policy unknown")
                }
            },
            None => {
                unknown.push(format!(
                    "role `{}` is not in the loaded accounts: its trust policy is unknown",
                    req.resource
                ));
                unknown_layer(Layer::Trust, "UNKNOWN: the role is not in the snapshot")
            }
        }
    } else {
        let from_model = if overrides.resource_policy.is_some() {
            None
        } else {
            resource_policy_for(model, &req.resource).and_then(|r| {
                model
                    .accounts
                    .get(r.account as usize)?
                    .resource_policies
                    .get(r.index as usize)
            })
        };
        let input = match (&overrides.resource_policy, from_model) {
            (Some((n, pol)), _) => Some(Input {
                label: LabelSrc::Owned(label("resource", n)),
                policy: pol,
            }),
            (None, Some(rp)) => Some(Input {
                label: LabelSrc::Model {
                    kind: "resource",
                    owner: Owner {
                        kind: "resource",
                        name: &rp.resource,
                    },
                    name: &rp.resource,
                    arn: None,
                    version: None,
                    source: rp.doc.source,
                },
                policy: &rp.doc.policy,
            }),
            (None, None) => None,
        };
        match input {
            Some(input) => {
                ev.current = Layer::Resource;
                let mut inputs = vec![input];
                inputs.extend(extra(Layer::Resource));
                let e = ev.layer(&inputs, true);
                resource_named = e.named;
                layer_result(Layer::Resource, e)
            }
            None if resource_required => {
                unknown.push(
                    "KMS key policies must allow explicitly, and this key's policy is not loaded"
                        .into(),
                );
                unknown_layer(Layer::Resource, "UNKNOWN: key policy not loaded")
            }
            None if extra(Layer::Resource).next().is_some() => {
                ev.current = Layer::Resource;
                let inputs: Vec<Input<'_>> = extra(Layer::Resource).collect();
                let e = ev.layer(&inputs, true);
                resource_named = e.named;
                layer_result(Layer::Resource, e)
            }
            None => na(
                Layer::Resource,
                "no resource-based policy is loaded for this resource",
            ),
        }
    };
    let resource_verdict = resource_layer.verdict;
    let resource_kind = resource_layer.layer;
    layers.push(resource_layer);

    // --- Identity, boundary, session ---
    let identity = match p.kind {
        PrincipalType::Root => {
            let mut l = na(
                Layer::Identity,
                "the root user has full access within its account",
            );
            l.verdict = Verdict::Allow;
            l.possible = Possible::exactly(Verdict::Allow);
            l
        }
        PrincipalType::User | PrincipalType::Role | PrincipalType::AssumedRole
            if identity_known =>
        {
            ev.current = Layer::Identity;
            let e = ev.layer(&ident_inputs, false);
            let mut l = layer_result(Layer::Identity, e);
            l.unknown_policies = ident_unknown.clone();
            if !ident_unknown.is_empty() && l.possible != Possible::exactly(Verdict::ExplicitDeny) {
                // A missing managed policy could add an allow or a deny (a deny read in full already decides).
                l.possible = l.possible.with(Verdict::Allow).with(Verdict::ExplicitDeny);
                l.uncertain = true;
            }
            l
        }
        PrincipalType::User | PrincipalType::Role | PrincipalType::AssumedRole => {
            let mut l = unknown_layer(
                Layer::Identity,
                "UNKNOWN: the principal is not in the loaded accounts: its identity policies are unknown",
            );
            l.unknown_policies.push(p.arn.clone());
            l
        }
        PrincipalType::FederatedUser => na(
            Layer::Identity,
            "a federated user's permissions are its session policy within the calling user's (not modelled)",
        ),
        _ => na(
            Layer::Identity,
            "this kind of principal has no identity-based policies",
        ),
    };
    let identity_verdict = identity.verdict;
    layers.push(identity);
    let boundary = match &boundary_inputs {
        Some(inputs) if !inputs.is_empty() => {
            ev.current = Layer::Boundary;
            let e = ev.layer(inputs, false);
            layer_result(Layer::Boundary, e)
        }
        Some(_) => {
            unknown.push("the permissions boundary is not in the snapshot".into());
            unknown_layer(Layer::Boundary, "UNKNOWN: boundary policy unknown")
        }
        None => na(Layer::Boundary, "no permissions boundary"),
    };
    let boundary_verdict = boundary.verdict;
    layers.push(boundary);
    let session = if overrides.session_policies.is_empty() && extra(Layer::Session).next().is_none()
    {
        na(Layer::Session, "no session policy")
    } else {
        let inputs: Vec<Input<'_>> = overrides
            .session_policies
            .iter()
            .map(|(n, pol)| Input {
                label: LabelSrc::Owned(label("session", n)),
                policy: pol,
            })
            .chain(extra(Layer::Session))
            .collect();
        ev.current = Layer::Session;
        let e = ev.layer(&inputs, false);
        layer_result(Layer::Session, e)
    };
    let session_verdict = session.verdict;
    layers.push(session);

    // --- The decision: a pure function of the layers' verdicts (`decision.rs`) ---
    let layer_of = |l: Layer| layers.iter().find(|x| x.layer == l);
    let verdict_of = |l: Layer| layer_of(l).map_or(Verdict::NotApplicable, |x| x.verdict);
    let possible_of =
        |l: Layer| layer_of(l).map_or(Possible::exactly(Verdict::NotApplicable), |x| x.possible);
    let verdicts = Verdicts {
        scp: verdict_of(Layer::Scp),
        rcp: verdict_of(Layer::Rcp),
        resource: resource_verdict,
        identity: identity_verdict,
        boundary: boundary_verdict,
        session: session_verdict,
    };
    let possibles = Possibles {
        scp: possible_of(Layer::Scp),
        rcp: possible_of(Layer::Rcp),
        resource: possible_of(resource_kind),
        identity: possible_of(Layer::Identity),
        boundary: possible_of(Layer::Boundary),
        session: possible_of(Layer::Session),
    };
    let shape = Shape {
        resource_layer: resource_kind,
        accountless: p.account.is_none() || p.kind == PrincipalType::Federated,
        same_account: p.account.is_some() && p.account == resource_account,
        resource_required,
    };
    let named = if resource_verdict == Verdict::Allow {
        resource_named
    } else {
        None
    };
    let (decision, decided) = combine(&verdicts, named, &shape);
    let decided_by = Some(decided);
    // Certain when every reading of what was not read gives the same decision.
    let certain = decision_certain(&verdicts, &possibles, named, &shape, decision);
    for l in &layers {
        if l.uncertain {
            unknown.extend(l.unread.iter().cloned());
        }
    }
    if !certain {
        if !ident_unknown.is_empty() {
            unknown.extend(ident_unknown.iter().cloned());
        }
        if !identity_known
            && matches!(
                p.kind,
                PrincipalType::User | PrincipalType::Role | PrincipalType::AssumedRole
            )
        {
            unknown.push(format!(
                "`{}` is not in the loaded accounts: its identity policies are unknown",
                p.arn
            ));
        }
    } else if !unknown.is_empty() {
        // What was not read did not matter to this decision: said as a note, not as a doubt.
        notes.extend(
            unknown
                .drain(..)
                .map(|u| format!("not read, and it does not change the decision: {u}")),
        );
    }
    let mut assumed = std::mem::take(&mut ev.assumed);
    if assumed.len() > 1 {
        // Two statements may say the same thing in different words (`Bool … false` denied in an RCP and a
        // bucket policy): one condition, said once.
        let mut seen = rustc_hash::FxHashSet::default();
        assumed.retain(|a| seen.insert(a.text()));
    }
    let quick = Quick {
        decision,
        certain,
        conditional: !assumed.is_empty(),
    };
    let result = explain.then(|| {
        ev.ensure_ctx();
        EvalResult {
            decision,
            decided_by,
            certain,
            unknown,
            principal: p.clone(),
            action: req.action.clone(),
            resource: req.resource.clone(),
            resource_account,
            layers,
            missing_context_keys: ev.tested_missing.iter().map(|k| k.to_string()).collect(),
            context: ev.ctx.entries(),
            notes,
            assumed_conditions: assumed.iter().map(Assumption::text).collect(),
            assumptions: assumed.clone(),
            aws_rule: None,
        }
    });
    RunOut {
        quick,
        decided_by,
        hits: std::mem::take(&mut ev.hits),
        assumed,
        result,
    }
}

/// A KMS key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`), the only KMS resource with a key policy.
pub(crate) fn is_kms_key(resource: &str) -> bool {
    let mut parts = resource.splitn(6, ':');
    parts.next() == Some("arn")
        && parts.next().is_some()
        && parts.next() == Some("kms")
        && parts.nth(2).is_some_and(|r| r.starts_with("key/"))
}

fn label(kind: &'static str, name: &str) -> PolicyLabel {
    PolicyLabel {
        kind,
        name: name.to_string(),
        arn: None,
        version: None,
        attached_to: None,
        source: None,
    }
}

fn na(layer: Layer, note: &'static str) -> LayerResult {
    LayerResult {
        layer,
        verdict: Verdict::NotApplicable,
        note: Some(std::borrow::Cow::Borrowed(note)),
        levels: Vec::new(),
        statements: Vec::new(),
        near_misses: Vec::new(),
        unknown_policies: Vec::new(),
        uncertain: false,
        possible: Possible::exactly(Verdict::NotApplicable),
        unread: Vec::new(),
    }
}

/// A layer whose policy is missing: its verdict is [`Verdict::Unknown`].
fn unknown_layer(layer: Layer, note: &'static str) -> LayerResult {
    LayerResult {
        layer,
        verdict: Verdict::Unknown,
        note: Some(std::borrow::Cow::Borrowed(note)),
        levels: Vec::new(),
        statements: Vec::new(),
        near_misses: Vec::new(),
        unknown_policies: Vec::new(),
        uncertain: true,
        possible: Possible::any(),
        unread: Vec::new(),
    }
}

fn layer_result(layer: Layer, e: LayerEval) -> LayerResult {
    let possible = possible(&e);
    LayerResult {
        layer,
        verdict: verdict(&e),
        note: None,
        levels: Vec::new(),
        statements: e.hits,
        near_misses: e.near_misses,
        unknown_policies: Vec::new(),
        uncertain: possible.is_uncertain(),
        possible,
        unread: e.reasons,
    }
}

fn org_layer(
    ev: &mut Eval<'_>,
    layer: Layer,
    levels: &[(Owner<'_>, Option<Vec<Input<'_>>>)],
    check_principal: bool,
) -> LayerResult {
    let mut out = LayerResult {
        layer,
        verdict: Verdict::Allow,
        note: None,
        levels: Vec::new(),
        statements: Vec::new(),
        near_misses: Vec::new(),
        unknown_policies: Vec::new(),
        uncertain: false,
        possible: Possible::exactly(Verdict::Allow),
        unread: Vec::new(),
    };
    let mut level_possible: Vec<Possible> = Vec::new();
    let mut any_described = false;
    for (name, inputs) in levels {
        let Some(inputs) = inputs else {
            if ev.explain {
                out.levels.push(LevelResult {
                    name: format!("{} {}", name.kind, name.name),
                    verdict: Verdict::NotApplicable,
                });
            }
            continue;
        };
        any_described = true;
        // Every level must allow: a level with no policy attached allows nothing.
        ev.current = layer;
        let mut e = ev.layer(inputs, check_principal);
        let v = verdict(&e);
        level_possible.push(possible(&e));
        out.unread.append(&mut e.reasons);
        out.statements.extend(e.hits);
        if out.near_misses.len() < 16 {
            out.near_misses.extend(e.near_misses);
        }
        if ev.explain {
            out.levels.push(LevelResult {
                name: format!("{} {}", name.kind, name.name),
                verdict: v,
            });
        }
        out.verdict = match (out.verdict, v) {
            (Verdict::ExplicitDeny, _) | (_, Verdict::ExplicitDeny) => Verdict::ExplicitDeny,
            (Verdict::ImplicitDeny, _) | (_, Verdict::ImplicitDeny) => Verdict::ImplicitDeny,
            _ => Verdict::Allow,
        };
    }
    out.possible = Possible::all_levels(level_possible.into_iter());
    out.uncertain = out.possible.is_uncertain();
    if !any_described {
        out.verdict = Verdict::NotApplicable;
        out.possible = Possible::exactly(Verdict::NotApplicable);
        out.note = Some(std::borrow::Cow::Borrowed(
            "no level of the organisation lists these policies",
        ));
    }
    out
}

/// A policy that applies to a principal, with its label (for exports of the facts the evaluator works from).
pub struct Applied<'m> {
    /// Its kind, name, ARN and holder, as explanations show them.
    pub label: PolicyLabel,
    /// The document.
    pub policy: &'m Policy,
}

/// One level of the organisation (root, an OU, the account) and its policies of one kind; `None` when the
/// snapshot does not list them for that level (the level then does not take part, as in evaluation).
pub struct OrgLevel<'m> {
    /// `root Root`, `OU Production`, `account 111122223333`.
    pub name: String,
    /// Its policies; an empty list allows nothing.
    pub policies: Option<Vec<Applied<'m>>>,
}

/// Every policy the evaluator reads on the identity side of a user or role: its identity policies (its own and
/// its groups'), its permissions boundary and the SCPs of its account's levels, gathered by the same code as an
/// evaluation, so an export of them says what the evaluator works from.
pub struct IdentitySide<'m> {
    /// Identity policies.
    pub identity: Vec<Applied<'m>>,
    /// The permissions boundary, when it has one (an empty list: the boundary is not in the snapshot).
    pub boundary: Option<Vec<Applied<'m>>>,
    /// The SCP levels, when SCPs restrict it (not for the management account, accounts outside the described
    /// organisation, or service-linked roles).
    pub scp_levels: Option<Vec<OrgLevel<'m>>>,
    /// Policies it needs that the snapshot does not hold.
    pub unknown: Vec<String>,
    /// A service-linked role (neither SCPs nor RCPs restrict it).
    pub service_linked: bool,
}

fn applied<'m>(inputs: Vec<Input<'m>>) -> Vec<Applied<'m>> {
    inputs
        .into_iter()
        .map(|i| Applied {
            label: i.label.label(),
            policy: i.policy,
        })
        .collect()
}

fn org_levels_applied<'m>(
    model: &'m Model,
    account: &str,
    kind: OrgPolicyKind,
) -> Option<Vec<OrgLevel<'m>>> {
    org_levels(model, account, kind).map(|levels| {
        levels
            .into_iter()
            .map(|(owner, inputs)| OrgLevel {
                name: format!("{} {}", owner.kind, owner.name),
                policies: inputs.map(applied),
            })
            .collect()
    })
}

/// The identity side of `p` (a user or role of the model), as [`IdentitySide`] describes it.
pub fn identity_side<'m>(model: &'m Model, p: &Principal) -> Option<IdentitySide<'m>> {
    let r = p.entity?;
    let (ident, boundary, unknown, service_linked) = identity_inputs(model, r);
    let scp_levels = if service_linked || !p.is_iam_identity() {
        None
    } else {
        p.account
            .as_deref()
            .and_then(|a| org_levels_applied(model, a, OrgPolicyKind::Scp))
    };
    Some(IdentitySide {
        identity: applied(ident),
        boundary: boundary.map(applied),
        scp_levels,
        unknown,
        service_linked,
    })
}

/// The RCP levels that restrict requests on resources of `account` (for the services in [`RCP_SERVICES`]),
/// or `None` when the account is outside the described organisation or is its management account.
pub fn rcp_levels<'m>(model: &'m Model, account: &str) -> Option<Vec<OrgLevel<'m>>> {
    org_levels_applied(model, account, OrgPolicyKind::Rcp)
}

/// Why a statement cannot be read as AWS's grammar says (the evaluator then reads it in the least permissive
/// way), or `None`. `resource_needed`: false for trust policies, which have no `Resource`.
pub fn unreadable_statement(s: &Statement, resource_needed: bool) -> Option<String> {
    malformed(s, resource_needed)
}

/// Whether `key` is a context key the evaluator fills from the principal, the resource or the clock.
pub fn derived_key(key: &str) -> bool {
    is_derived_key(key)
}

/// The identity-based policy documents of a principal (its own and its groups'), for reverse queries.
pub fn identity_documents<'m>(model: &'m Model, p: &Principal) -> Vec<&'m Policy> {
    match p.entity {
        Some(r) => identity_inputs(model, r)
            .0
            .into_iter()
            .map(|i| i.policy)
            .collect(),
        None => Vec::new(),
    }
}
