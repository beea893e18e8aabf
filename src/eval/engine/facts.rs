//! The facts the evaluator reads, for exports (`iam-atlas export`): the policies on a principal's identity side
//! and the RCP levels of an account, gathered by the very code an evaluation uses.

use super::PolicyLabel;
use super::inputs::{identity_inputs, org_levels};
use super::layer::Input;
use super::statement::{is_derived_key, malformed};
use crate::account::{Model, OrgPolicyKind};
use crate::eval::request::Principal;
use crate::policy::{Policy, Statement};

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

/// The RCP levels that restrict requests on resources of `account` (for the services in
/// [`RCP_SERVICES`](super::inputs::RCP_SERVICES)), or `None` when the account is outside the described
/// organisation or is its management account.
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
