//! Policies given with a request rather than taken from the model.

use super::{Layer, StatementRef};
use crate::policy::Policy;
use crate::time::Timestamp;

/// Policies given with a request rather than taken from the model (command line, what-if).
#[derive(Clone, Default)]
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
    /// for `Deny` ones), listing them in [`EvalResult::assumed_conditions`](super::EvalResult::assumed_conditions): reverse queries use this to find
    /// who *could* be allowed, and under which conditions.
    pub optimistic: bool,
}
