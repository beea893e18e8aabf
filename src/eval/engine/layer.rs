//! One layer's verdict from its policies' statements, and the organisation's levels (SCPs, RCPs).

use super::statement::Applies;
use super::statement::Eval;
use super::{LayerResult, LevelResult, PolicyLabel, StatementHit, StatementRef};
use crate::account::SourceId;
use crate::eval::Layer;
use crate::eval::condition::ConditionResult;
use crate::eval::decision::{Decision, Named, Possible, Verdict};
use crate::policy::{Effect, Policy, Statement};

/// What holds a policy, borrowed from the model (`user alice`).
#[derive(Clone, Copy)]
pub(super) struct Owner<'m> {
    pub(super) kind: &'static str,
    pub(super) name: &'m str,
}

/// A policy's label, built only when an explanation is asked for (reverse queries evaluate thousands of
/// principals and must not allocate per policy).
#[derive(Clone)]
pub(super) enum LabelSrc<'m> {
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
    pub(super) fn label(&self) -> PolicyLabel {
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

    /// Statement `index` of this policy, named as [`StatementRef::of`] names a hit.
    pub(super) fn statement_ref(&self, index: usize) -> StatementRef {
        match self {
            LabelSrc::Model {
                kind, owner, name, ..
            } => StatementRef {
                kind: kind.to_string(),
                name: name.to_string(),
                attached_to: Some(format!("{} {}", owner.kind, owner.name)),
                index,
            },
            LabelSrc::Owned(l) => StatementRef {
                kind: l.kind.to_string(),
                name: l.name.clone(),
                attached_to: l.attached_to.clone(),
                index,
            },
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
#[derive(Clone)]
pub(super) struct Input<'m> {
    pub(super) label: LabelSrc<'m>,
    pub(super) policy: &'m Policy,
}

/// A statement that may decide its layer's verdict, remembered while the layer is read (its label borrowed:
/// the reference is built only for the one that decides the request).
#[derive(Clone)]
pub(super) struct Pick<'m> {
    layer: Layer,
    deny: bool,
    /// It was read in full (a statement that was not counts only when it may deny).
    certain: bool,
    named: Named,
    label: LabelSrc<'m>,
    index: usize,
}

/// Per layer, the statement that decides its verdict: the first `Deny` that applies (one read in full before one
/// that was not), and the first `Allow` read in full that names the principal best (see [`Named`]).
#[derive(Default)]
pub(super) struct Picks<'m>(Vec<Pick<'m>>);

impl<'m> Picks<'m> {
    fn note(&mut self, new: Pick<'m>) {
        if !new.deny && !new.certain {
            // An `Allow` not fully read does not allow.
            return;
        }
        match self
            .0
            .iter_mut()
            .find(|p| p.layer == new.layer && p.deny == new.deny)
        {
            None => self.0.push(new),
            Some(p) => {
                let better = if new.deny {
                    new.certain && !p.certain
                } else {
                    new.named > p.named
                };
                if better {
                    *p = new;
                }
            }
        }
    }

    /// The statement behind `decision` in `layer`: its deny, its allow, or none for an implicit deny.
    pub(super) fn deciding(&self, layer: Layer, decision: Decision) -> Option<StatementRef> {
        let deny = match decision {
            Decision::ExplicitDeny => true,
            Decision::Allow => false,
            Decision::ImplicitDeny => return None,
        };
        self.0
            .iter()
            .find(|p| p.layer == layer && p.deny == deny)
            .map(|p| p.label.statement_ref(p.index))
    }
}

pub(super) struct LayerEval {
    pub(super) deny: bool,
    pub(super) allow: bool,
    /// A statement that was not fully read could deny (it is counted as denying).
    pub(super) deny_unsure: bool,
    /// A statement that was not fully read could allow (it is not counted as allowing).
    pub(super) allow_unsure: bool,
    pub(super) named: Option<Named>,
    pub(super) hits: Vec<StatementHit>,
    /// Statements that matched but for a condition (explain mode).
    pub(super) near_misses: Vec<StatementHit>,
    /// Why statements were not fully read.
    pub(super) reasons: Vec<String>,
}

impl<'a> Eval<'a> {
    /// A statement for the explanation: its policy, place in the source and conditions.
    pub(super) fn explained_hit(
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

    pub(super) fn layer(&mut self, inputs: &[Input<'a>], check_principal: bool) -> LayerEval {
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
            let action_index = input.policy.action_index();
            let variables = action_index.supports_variables();
            let mut candidates = std::mem::take(&mut self.buf);
            candidates.clear();
            match self.prefilter.as_deref_mut() {
                Some(pf) => candidates.extend_from_slice(pf.candidates(
                    input.policy,
                    &self.req.action,
                    &self.req.resource,
                )),
                // Without a prefilter, the policy's action index gives the statements that can match (kept
                // per action by a batch worker).
                None => match self.kept_candidates.as_deref_mut() {
                    Some(kept) => kept.of(action_index, &self.action_lower, &mut candidates),
                    None => action_index.candidates(&self.action_lower, &mut candidates),
                },
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
                    None => !action_index.needs_full_match(ci),
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
                let certain = unsure.is_none();
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
                        index,
                    ));
                }
                if self.pick {
                    self.picks.note(Pick {
                        layer: self.current,
                        deny: effect == Effect::Deny,
                        certain,
                        named,
                        label: input.label.clone(),
                        index,
                    });
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
pub(super) fn verdict(e: &LayerEval) -> Verdict {
    if e.deny || e.deny_unsure {
        Verdict::ExplicitDeny
    } else if e.allow {
        Verdict::Allow
    } else {
        Verdict::ImplicitDeny
    }
}

/// Every verdict the layer could have.
pub(super) fn possible(e: &LayerEval) -> Possible {
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

pub(super) fn layer_result(layer: Layer, e: LayerEval) -> LayerResult {
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

pub(super) fn org_layer<'a>(
    ev: &mut Eval<'a>,
    layer: Layer,
    levels: &[(Owner<'_>, Option<Vec<Input<'a>>>)],
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
    let mut layer_possible = Possible::all_levels(std::iter::empty());
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
        layer_possible = layer_possible.and_level(possible(&e));
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
    out.possible = layer_possible;
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
