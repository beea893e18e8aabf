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
//!
//! The files: `run.rs` walks the layers in that order and combines their verdicts (`decision.rs` holds the pure
//! combination); `inputs.rs` gathers each layer's policies; `layer.rs` turns a layer's policies into its verdict;
//! `statement.rs` decides whether one statement applies; `principal.rs` reads `Principal`/`NotPrincipal`;
//! `explanation.rs` holds what an answer says; `overrides.rs` what a request brings besides the model.

mod explanation;
mod facts;
mod inputs;
mod layer;
mod overrides;
mod principal;
mod run;
mod statement;

pub use super::decision::{Decision, Layer, Verdict};
pub use super::request::resource_policy_for;
pub use explanation::{
    Brief, EvalResult, LayerResult, LevelResult, PolicyLabel, StatementHit, StatementRef,
};
pub use facts::{
    Applied, IdentitySide, OrgLevel, derived_key, identity_side, rcp_levels, unreadable_statement,
};
pub use inputs::{RCP_SERVICES, Scratch, identity_documents, identity_unread};
pub use overrides::Overrides;
pub use principal::names_principal;

use super::condition::Assumption;
use super::index::Prefilter;
use super::request::Request;
use crate::account::Model;
use run::{Mode, run};

/// Evaluate `req` against `model`, with the full explanation.
pub fn evaluate(model: &Model, req: &Request, overrides: &Overrides) -> EvalResult {
    match run(model, req, overrides, Mode::Explain, None, None).result {
        Some(r) => *r,
        None => unreachable!("explain mode always builds the result"),
    }
}

/// Evaluate `req` for the head of its explanation (the decision, the layer and the statement that decided,
/// why it is uncertain) without building the rest: what a batch of requests writes per line. The same as
/// `evaluate(…).brief()`.
pub fn decide_brief(model: &Model, req: &Request, overrides: &Overrides) -> Brief {
    brief(run(model, req, overrides, Mode::Brief, None, None))
}

fn brief(r: run::RunOut) -> Brief {
    Brief {
        decision: r.quick.decision,
        decided_by: r.decided_by,
        deciding_statement: r.statement,
        certain: r.quick.certain,
        unknown: r.unknown,
        aws_rule: r.aws_rule,
    }
}

/// [`decide_brief`] for a caller that evaluates many requests against `model`: what depends on the model and
/// the account only (the organisation's levels) is kept in `scratch` between requests. The answer is the same.
pub fn decide_brief_with<'m>(
    model: &'m Model,
    req: &Request,
    overrides: &Overrides,
    scratch: &mut Scratch<'m>,
) -> Brief {
    brief(run(model, req, overrides, Mode::Brief, None, Some(scratch)))
}

/// Evaluate `req` for its decision only (no explanation is built: for batches and reverse queries).
pub fn decide(model: &Model, req: &Request, overrides: &Overrides) -> (Decision, bool) {
    let r = run(model, req, overrides, Mode::Decide, None, None);
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
    let r = run(
        model,
        req,
        overrides,
        Mode::Statements,
        Some(prefilter),
        None,
    );
    WithStatements {
        quick: r.quick,
        decided_by: r.decided_by,
        hits: r.hits,
        assumed: r.assumed,
    }
}

/// Like [`decide`], reusing per-policy statement matches across calls for the same action and resource
/// (reverse queries).
pub fn decide_with(
    model: &Model,
    req: &Request,
    overrides: &Overrides,
    prefilter: &mut Prefilter,
) -> Quick {
    run(model, req, overrides, Mode::Decide, Some(prefilter), None).quick
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

/// True for an action a role's trust policy decides when the resource is a role: `sts:AssumeRole*`, and the
/// session's `sts:TagSession`, `sts:SetSourceIdentity` and `sts:SetContext`, which the trust policy must allow
/// too (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required>).
pub fn is_trust_action(action: &str) -> bool {
    action
        .get(..14)
        .is_some_and(|p| p.eq_ignore_ascii_case("sts:AssumeRole"))
        || ["sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext"]
            .iter()
            .any(|a| a.eq_ignore_ascii_case(action))
}

/// A KMS key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`), the only KMS resource with a key policy.
pub(crate) fn is_kms_key(resource: &str) -> bool {
    crate::arn::Arn::parse(resource)
        .is_some_and(|a| a.service == "kms" && a.resource.starts_with("key/"))
}
