//! Change review: what changed between two snapshots (*before* and *after*), at three levels: entities added,
//! removed and changed; policy documents as a structural diff by statement; and access — which principals
//! gained or lost which actions on which resources, decided by the evaluator on both snapshots and ranked by
//! risk (new administrator, new external access, new escalation path first).
//!
//! See [`access`] for how the work is kept proportional to the change, and `docs/change-review.md`.

pub mod access;
pub mod canon;
pub mod entities;

use crate::account::Model;
use serde::Serialize;

pub use access::{AccessDiff, AccessRow, Counts, Options, Risk, RiskItem, State};
pub use entities::{EntityChange, EntityDiff, EntityRow, PolicyDiff};

/// Everything that changed from one snapshot to another.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    /// Access gained, lost, under changed conditions, or uncertain.
    pub access: AccessDiff,
    /// Entities added, removed and changed, with their policies' statement diffs.
    pub entities: EntityDiff,
    /// Admin, external access and escalation risks, most serious first.
    pub risks: Vec<RiskItem>,
    /// Counts and bounds.
    pub counts: Counts,
    /// False when a bound left comparisons out or a snapshot is incomplete: the diff may miss changes.
    pub complete: bool,
    /// Why the diff may be incomplete, and other things to know.
    pub notes: Vec<String>,
}

impl Diff {
    /// True when access may have widened: access gained, conditions changed either way, an answer that became
    /// unknown, a risk (every risk is a gain: a new administrator, new external access, a new escalation path,
    /// or escalation paths that were not compared), or comparisons left out. A pipeline gates on this
    /// (`iam-atlas diff` exits 1).
    pub fn widened(&self) -> bool {
        self.counts.gained > 0
            || !self.risks.is_empty()
            || self.counts.conditions_changed > 0
            || self
                .access
                .uncertain
                .iter()
                .any(|r| r.after == State::Unknown)
            || self.counts.uncertain > self.access.uncertain.len()
            || !self.complete
    }
}

/// Compare two snapshots.
pub fn diff(before: &Model, after: &Model, opts: &Options) -> Diff {
    let entities = entities::entity_diff(before, after);
    let (access, risks, counts) = access::access_diff(before, after, opts);
    let mut notes = Vec::new();
    let mut complete = true;
    if counts.not_evaluated > 0 {
        complete = false;
        notes.push(format!(
            "{} comparisons were left out by the bounds: the diff may miss changes",
            counts.not_evaluated
        ));
    }
    for (name, m) in [("before", before), ("after", after)] {
        if !m.is_complete() {
            complete = false;
            notes.push(format!(
                "the {name} snapshot is incomplete (input skipped or a truncated export): changes to what was not read are not known"
            ));
        }
    }
    if counts.omitted > 0 {
        notes.push(format!(
            "{} rows were left out of the lists (the counts are whole)",
            counts.omitted
        ));
    }
    Diff {
        access,
        entities,
        risks,
        counts,
        complete,
        notes,
    }
}

/// The blast radius of an edit: who gains and who loses what if `text` replaces the document `target` names,
/// as the same diff (computed on a copy of the model; `model` is not changed). Fails, as
/// [`Model::replace_document`] does, when the text is not a JSON object or the target does not exist.
pub fn blast_radius(
    model: &Model,
    target: &crate::edit::DocTarget,
    text: &str,
    opts: &Options,
) -> Result<Diff, Vec<crate::diagnostic::Diagnostic>> {
    let mut after = model.clone();
    after.replace_document(target, text)?;
    Ok(diff(model, &after, opts))
}
