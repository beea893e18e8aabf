//! What an evaluation says: the decision, each layer's verdict and the statements behind it.

use crate::account::SourceId;
use crate::eval::condition::{Assumption, ConditionResult};
use crate::eval::decision::{Decision, Layer, Possible, Verdict};
use crate::eval::protected::AwsRule;
use crate::eval::request::Principal;
use crate::policy::Effect;
use crate::text::Span;
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
    /// The statement that decided, in `decided_by`: the `Deny` of an explicit deny, the `Allow` that granted
    /// (the one naming the principal most directly, in a resource policy), none for an implicit deny.
    pub deciding_statement: Option<StatementRef>,
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
    /// With [`Overrides::optimistic`](super::Overrides::optimistic): the conditions assumed to hold for the answer to be `Allow`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumed_conditions: Vec<String>,
    /// The same conditions as structures (an `Allow`'s test that must hold, or a `Deny`'s tests that must not
    /// all hold).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<Assumption>,
    /// Whether some reading of what was not read allows it (`decision` is `Allow`, or it is uncertain and a layer
    /// not read in full may let it through): what a review reports as access a caller may have.
    #[serde(skip)]
    pub may_allow: bool,
    /// A rule of AWS's decided the request before any policy was read (`decided_by` is then empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_rule: Option<AwsRule>,
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
                    format!(
                        "the {} {} not in the snapshot",
                        by.describe(),
                        if by.plural() { "are" } else { "is" }
                    )
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

/// The head of an explanation: the decision, the layer and the statement that decided it, and why it is
/// uncertain, without the rest (`eval --requests --output decision`). [`super::decide_brief`] builds it without
/// building the explanation; [`EvalResult::brief`] takes it from one, and the two agree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Brief {
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub decision: Decision,
    /// The layer that decided (none when a rule of AWS's decided: see `aws_rule`).
    pub decided_by: Option<Layer>,
    /// The statement that decided (see [`EvalResult::deciding_statement`]).
    pub deciding_statement: Option<StatementRef>,
    /// False when something the answer depends on was not read: `decision` is then its least permissive
    /// reading.
    pub certain: bool,
    /// Why it is uncertain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
    /// A rule of AWS's decided the request before any policy was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_rule: Option<AwsRule>,
}

impl EvalResult {
    /// The head of this explanation.
    pub fn brief(&self) -> Brief {
        Brief {
            decision: self.decision,
            decided_by: self.decided_by,
            deciding_statement: self.deciding_statement.clone(),
            certain: self.certain,
            unknown: self.unknown.clone(),
            aws_rule: self.aws_rule,
        }
    }
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

pub(super) fn label(kind: &'static str, name: &str) -> PolicyLabel {
    PolicyLabel {
        kind,
        name: name.to_string(),
        arn: None,
        version: None,
        attached_to: None,
        source: None,
    }
}

pub(super) fn na(layer: Layer, note: &'static str) -> LayerResult {
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
pub(super) fn unknown_layer(layer: Layer, note: &'static str) -> LayerResult {
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
