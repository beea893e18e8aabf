//! CloudTrail replay: every recorded call evaluated against a snapshot (and, as a what-if, against the
//! snapshot with one document replaced). Calls AWS denied are explained by layer; calls that succeeded but the
//! snapshot denies are reported with what may explain it (a stale snapshot, a layer the snapshot lacks); and
//! against a what-if edit, the real calls the change would break.
//!
//! The mapping from records to requests is in [`map`], its exceptions in [`map::ACTION_EXCEPTIONS`]. Events
//! are evaluated in parallel (the model is shared read-only); the explanation is built only for the events
//! that are reported (denied, or a disagreement).

pub mod map;
pub mod trail;

use crate::account::Model;
use crate::eval::engine::{Decision, EvalResult, Layer, Overrides, Verdict};
use crate::policy::Effect;
use crate::time::Timestamp;
use serde::Serialize;
use serde_json::Value;

/// What CloudTrail recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recorded {
    /// No `errorCode`.
    Allowed,
    /// An access-denied `errorCode` (`AccessDenied`, `UnauthorizedOperation`, `AuthorizationError`…).
    Denied,
    /// Another `errorCode`: the call failed for another reason; it is not compared.
    Failed,
}

/// How the snapshot's answer compares with the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// AWS denied it and the snapshot denies it: explained by layer.
    DeniedExplained,
    /// It succeeded but the snapshot denies it: the snapshot is stale, or a layer is missing from it.
    AllowedButSnapshotDenies,
    /// AWS denied it but the snapshot allows it: a layer the snapshot lacks denied it, or the snapshot is newer.
    DeniedButSnapshotAllows,
    /// The snapshot's answer is not certain (a policy it needs is missing, or the resource is not known).
    Uncertain,
    /// It succeeded and the snapshot allows it.
    Agrees,
    /// It failed for a reason other than authorisation: not compared.
    FailedOther,
    /// Not evaluated (the record does not map to a request IAM authorises): see `why`.
    NotEvaluated,
}

impl Class {
    /// Label for people.
    pub fn label(self) -> &'static str {
        match self {
            Class::DeniedExplained => "denied, explained",
            Class::AllowedButSnapshotDenies => "succeeded, but the snapshot denies it",
            Class::DeniedButSnapshotAllows => "denied, but the snapshot allows it",
            Class::Uncertain => "uncertain",
            Class::Agrees => "succeeded, the snapshot allows it",
            Class::FailedOther => "failed for another reason",
            Class::NotEvaluated => "not evaluated",
        }
    }
}

/// What a what-if edit does to a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect2 {
    /// The call succeeded, the snapshot allows it, and the edited snapshot does not: the edit breaks it.
    Breaks,
    /// The call was denied and the edited snapshot allows it.
    Fixes,
    /// The edited snapshot's answer is not certain where the snapshot's was.
    Uncertain,
    /// Same decision.
    Same,
}

/// The answer of the edited snapshot.
#[derive(Clone, Debug, Serialize)]
pub struct WhatIfAnswer {
    /// Its decision.
    pub decision: Decision,
    /// The layer that decided.
    pub decided_by: Option<Layer>,
    /// What that does to the call.
    pub effect: Effect2,
    /// Why, for calls it breaks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
}

/// One event replayed.
#[derive(Clone, Debug, Serialize)]
pub struct Replayed {
    /// `eventID`.
    pub event_id: String,
    /// `eventTime`.
    pub event_time: String,
    /// Where it was read.
    pub origin: String,
    /// The principal (session ARN for sessions).
    pub principal: String,
    /// For sessions: the role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The IAM action.
    pub action: String,
    /// The resource (`*` when the record does not say).
    pub resource: String,
    /// The resource came from the record.
    pub resource_derived: bool,
    /// What CloudTrail recorded.
    pub recorded: Recorded,
    /// `errorCode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The snapshot's decision (`None`: not evaluated).
    pub decision: Option<Decision>,
    /// The layer that decided.
    pub decided_by: Option<Layer>,
    /// No missing policy could change the decision.
    pub certain: bool,
    /// How the answer compares with the record.
    pub class: Class,
    /// The explanation (denied calls, disagreements, skipped records).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
    /// With a what-if edit: its answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_if: Option<WhatIfAnswer>,
}

fn recorded_of(record: &Value) -> (Recorded, Option<String>) {
    let Some(code) = record.get("errorCode").and_then(Value::as_str) else {
        return (Recorded::Allowed, None);
    };
    let lower = code.to_ascii_lowercase();
    let denied = lower.contains("accessdenied")
        || lower.contains("unauthorizedoperation")
        || lower.contains("unauthorized")
        || lower.contains("notauthorized")
        || lower.contains("authorizationerror")
        || lower == "forbidden"
        || lower.contains("authorizationfailure");
    (
        if denied {
            Recorded::Denied
        } else {
            Recorded::Failed
        },
        Some(code.to_string()),
    )
}

/// The statements and layers behind a decision, for people.
pub fn explain(r: &EvalResult) -> Vec<String> {
    let mut out = vec![r.summary()];
    for l in &r.layers {
        match l.verdict {
            Verdict::ExplicitDeny => {
                for s in l.statements.iter().filter(|s| s.effect == Effect::Deny) {
                    let mut line = format!(
                        "{:?}: {} policy `{}`",
                        l.layer, s.policy.kind, s.policy.name
                    );
                    if let Some(a) = &s.policy.attached_to {
                        line.push_str(&format!(" of {a}"));
                    }
                    line.push_str(&format!(", statement {}", s.index));
                    if let Some(sid) = &s.sid {
                        line.push_str(&format!(" ({sid})"));
                    }
                    if let Some(loc) = &s.location {
                        line.push_str(&format!(" at {loc}"));
                    }
                    out.push(line);
                }
            }
            Verdict::Unknown => out.push(format!(
                "{:?}: not in the snapshot ({})",
                l.layer,
                l.unknown_policies.join(", ")
            )),
            _ => {}
        }
    }
    out.extend(r.unknown.iter().cloned());
    if !r.missing_context_keys.is_empty() {
        out.push(format!(
            "context keys the policies test that the record does not give: {}",
            r.missing_context_keys.join(", ")
        ));
    }
    out
}

/// What the snapshot lacks that could explain a disagreement.
fn missing_layers(r: &EvalResult) -> Vec<String> {
    let mut out = Vec::new();
    for l in &r.layers {
        if l.verdict == Verdict::NotApplicable
            && let Some(n) = &l.note
            && matches!(l.layer, Layer::Resource | Layer::Scp | Layer::Rcp)
        {
            out.push(format!("{:?}: {n}", l.layer));
        }
    }
    out.push(
        "CloudTrail does not record session policies, VPC endpoint policies or permissions the snapshot does not describe"
            .into(),
    );
    out
}

/// Replay records against `model` (and `what_if`, the same snapshot with one document replaced), in order,
/// on `threads` threads.
pub fn replay(
    events: &[trail::RawEvent],
    model: &Model,
    what_if: Option<&Model>,
    threads: usize,
) -> Vec<Replayed> {
    // Nobody cancels it, so every event is answered.
    replay_cancellable(
        events,
        model,
        what_if,
        threads,
        &crate::cancel::Cancel::never(),
    )
    .unwrap_or_default()
}

/// [`replay`], reading `cancel` every [`CANCEL_EVERY`] events: `None` once it is raised (never a partial list).
pub fn replay_cancellable(
    events: &[trail::RawEvent],
    model: &Model,
    what_if: Option<&Model>,
    threads: usize,
    cancel: &crate::cancel::Cancel,
) -> Option<Vec<Replayed>> {
    let run = |part: &[trail::RawEvent]| -> Option<Vec<Replayed>> {
        let mut out = Vec::with_capacity(part.len());
        for block in part.chunks(CANCEL_EVERY) {
            if cancel.is_cancelled() {
                return None;
            }
            out.extend(block.iter().map(|e| replay_one(e, model, what_if)));
        }
        Some(out)
    };
    let threads = threads.max(1);
    if threads == 1 || events.len() < 256 {
        return run(events);
    }
    let chunk = events.len().div_ceil(threads);
    let out = std::thread::scope(|scope| {
        let handles: Vec<_> = events
            .chunks(chunk)
            .map(|part| scope.spawn(move || run(part)))
            .collect();
        // A worker that panicked loses its events: they are reported as not evaluated, never dropped.
        let mut out = Vec::with_capacity(events.len());
        for (h, part) in handles.into_iter().zip(events.chunks(chunk)) {
            match h.join() {
                Ok(Some(v)) => out.extend(v),
                Ok(None) => return None,
                Err(_) => out.extend(part.iter().map(|e| {
                    skipped(
                        e,
                        &Value::Null,
                        "internal error while evaluating this event".into(),
                    )
                })),
            }
        }
        Some(out)
    })?;
    (!cancel.is_cancelled()).then_some(out)
}

/// How many events a replay worker answers between two looks at its cancellation flag.
pub const CANCEL_EVERY: usize = 256;

fn skipped(e: &trail::RawEvent, record: &Value, why: String) -> Replayed {
    let (recorded, error_code) = recorded_of(record);
    let str_of = |k: &str| {
        record
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    Replayed {
        event_id: str_of("eventID"),
        event_time: str_of("eventTime"),
        origin: e.origin.clone(),
        principal: record
            .pointer("/userIdentity/arn")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        role: None,
        action: format!("{} {}", str_of("eventSource"), str_of("eventName")),
        resource: String::new(),
        resource_derived: false,
        recorded,
        error_code,
        decision: None,
        decided_by: None,
        certain: false,
        class: Class::NotEvaluated,
        why: vec![why],
        what_if: None,
    }
}

/// Replay one record.
pub fn replay_one(e: &trail::RawEvent, model: &Model, what_if: Option<&Model>) -> Replayed {
    let record = match e.value() {
        Ok(v) => v,
        Err(why) => return skipped(e, &Value::Null, why),
    };
    let m = match map::map(&record, model) {
        map::Mapped::Request(m) => m,
        map::Mapped::Skip(why) => return skipped(e, &record, why),
    };
    let (recorded, error_code) = recorded_of(&record);
    let ov = Overrides {
        now: m.time,
        ..Overrides::default()
    };
    let (decision, certain) = crate::eval::decide(model, &m.request, &ov);
    // A request on `*` when the record does not name the resource misses statements on named resources, Allow
    // and Deny ones: its answer is not certain either way.
    let certain = certain && m.resource_derived;
    let mut class = match (recorded, decision == Decision::Allow, certain) {
        (Recorded::Failed, _, _) => Class::FailedOther,
        (_, _, false) => Class::Uncertain,
        (Recorded::Allowed, true, true) => Class::Agrees,
        (Recorded::Allowed, false, true) => Class::AllowedButSnapshotDenies,
        (Recorded::Denied, false, true) => Class::DeniedExplained,
        (Recorded::Denied, true, true) => Class::DeniedButSnapshotAllows,
    };
    let mut why = Vec::new();
    let mut decided_by = None;
    if class != Class::Agrees && class != Class::FailedOther {
        let r = crate::eval::evaluate(model, &m.request, &ov);
        decided_by = r.decided_by;
        why = explain(&r);
        if !m.resource_derived {
            why.push("the record does not name the resource: evaluated on `*`".into());
        }
        // A disagreement that rests on a context key the record does not give is not a disagreement.
        if matches!(
            class,
            Class::AllowedButSnapshotDenies | Class::DeniedButSnapshotAllows
        ) && !r.missing_context_keys.is_empty()
        {
            class = Class::Uncertain;
            why.insert(
                0,
                "the snapshot's answer rests on context keys the record does not give".into(),
            );
        }
        match class {
            Class::AllowedButSnapshotDenies => {
                why.push(match r.decision {
                    Decision::ExplicitDeny => {
                        "the snapshot may be newer than the call (the Deny added since), or the call's context differs".into()
                    }
                    _ => "the snapshot may be older than the call, or the grant is in a layer the snapshot lacks".into(),
                });
                why.extend(missing_layers(&r));
            }
            Class::DeniedButSnapshotAllows => {
                why.push(
                    "a layer the snapshot lacks denied it, or the snapshot is newer than the call"
                        .into(),
                );
                why.extend(missing_layers(&r));
            }
            _ => {}
        }
    }
    let what_if = what_if.map(|w| {
        let (d2, c2) = crate::eval::decide(w, &m.request, &ov);
        let c2 = c2 && m.resource_derived;
        let effect = if !c2 && certain {
            Effect2::Uncertain
        } else if recorded == Recorded::Allowed
            && decision == Decision::Allow
            && d2 != Decision::Allow
        {
            Effect2::Breaks
        } else if recorded == Recorded::Denied
            && decision != Decision::Allow
            && d2 == Decision::Allow
        {
            Effect2::Fixes
        } else {
            Effect2::Same
        };
        let (decided_by, why) = if effect == Effect2::Breaks || d2 != decision {
            let r = crate::eval::evaluate(w, &m.request, &ov);
            (r.decided_by, explain(&r))
        } else {
            (None, Vec::new())
        };
        WhatIfAnswer {
            decision: d2,
            decided_by,
            effect,
            why,
        }
    });
    let str_of = |k: &str| {
        record
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let role = m
        .request
        .principal
        .role_arn
        .clone()
        .filter(|r| *r != m.request.principal.arn);
    Replayed {
        event_id: str_of("eventID"),
        event_time: str_of("eventTime"),
        origin: e.origin.clone(),
        principal: m.request.principal.arn.clone(),
        role,
        action: m.request.action.clone(),
        resource: m.request.resource.clone(),
        resource_derived: m.resource_derived,
        recorded,
        error_code,
        decision: Some(decision),
        decided_by,
        certain,
        class,
        why,
        what_if,
    }
}

/// Counts of a replay.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Events read.
    pub events: usize,
    /// Per class.
    pub classes: std::collections::BTreeMap<String, usize>,
    /// Calls a what-if edit would break.
    pub breaks: usize,
    /// Denied calls a what-if edit would allow.
    pub fixes: usize,
}

impl Summary {
    /// Count `r`.
    pub fn add(&mut self, r: &Replayed) {
        self.events += 1;
        let key = serde_json::to_value(r.class)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        *self.classes.entry(key).or_default() += 1;
        match r.what_if.as_ref().map(|w| w.effect) {
            Some(Effect2::Breaks) => self.breaks += 1,
            Some(Effect2::Fixes) => self.fixes += 1,
            _ => {}
        }
    }
}

/// The time window a draft is made from: calls at or after `from` and before `to` (either open). A call whose
/// time cannot be read is outside every bounded window (it cannot be shown to be inside).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// The first instant in the window.
    pub from: Option<Timestamp>,
    /// The first instant after the window.
    pub to: Option<Timestamp>,
}

impl Window {
    /// Every call.
    pub fn all() -> Self {
        Window::default()
    }

    /// A bound as a person writes it: empty is open, otherwise an RFC 3339 time (or why not).
    pub fn bound(text: &str) -> Result<Option<Timestamp>, String> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(None);
        }
        Timestamp::parse(t)
            .map(Some)
            .ok_or_else(|| format!("`{t}` is not a time (RFC 3339, e.g. 2026-11-15T00:00:00Z)"))
    }

    /// The window from `from` (inclusive) to `to` (exclusive); an error when `from` is not before `to`, as such a
    /// window holds no call.
    pub fn new(from: Option<Timestamp>, to: Option<Timestamp>) -> Result<Window, String> {
        match (from, to) {
            (Some(f), Some(t)) if f >= t => Err(format!(
                "from {f} is not before to {t}: the window holds no call"
            )),
            _ => Ok(Window { from, to }),
        }
    }

    /// True when a call recorded at `event_time` is in the window.
    pub fn contains(&self, event_time: &str) -> bool {
        if self.from.is_none() && self.to.is_none() {
            return true;
        }
        let Some(t) = Timestamp::parse(event_time) else {
            return false;
        };
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|e| t < e)
    }
}

/// An action's S3 objects that share a key prefix (`bucket/curated/`) are written as one `bucket/curated/*` from
/// this many on: a month of daily objects is one line, not thirty (and stays under IAM's policy size limits).
/// Nothing else is generalised: roles, users, tables, keys and the objects at a bucket's root stay as seen.
pub const DRAFT_GENERALISE_AT: usize = 5;

/// A least-privilege draft and what it could not include.
#[derive(Clone, Debug, Serialize)]
pub struct Draft {
    /// The policy document.
    pub policy: Value,
    /// The successful calls it was made from.
    pub calls: usize,
    /// Actions called on resources the records do not name (an S3 bulk delete's keys, say), with their number of
    /// calls: left out rather than granted on `*`, which would be wider than what was used. Add them by hand.
    pub left_out: Vec<(String, usize)>,
}

/// A least-privilege draft for one principal from the calls it made that succeeded within `window`: its actions
/// on the resources seen (grouped by identical resource sets), generalised only as far as needed —
/// [`DRAFT_GENERALISE_AT`] or more S3 objects under one key prefix as that prefix's `*`. An action that applies to no
/// resource type is granted on `*` (its exact resource); a call whose record does not name its resource is
/// listed in [`Draft::left_out`], never granted on `*`.
pub fn draft_policy(replayed: &[Replayed], principal: &str, window: &Window) -> Draft {
    use std::collections::{BTreeMap, BTreeSet};
    let mut calls = 0;
    let mut left_out: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_action: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in replayed {
        let me = r.principal == principal || r.role.as_deref() == Some(principal);
        if !me
            || r.recorded != Recorded::Allowed
            || r.decision.is_none()
            || !window.contains(&r.event_time)
        {
            continue;
        }
        calls += 1;
        if r.resource_derived {
            by_action
                .entry(r.action.as_str())
                .or_default()
                .insert(r.resource.as_str());
        } else {
            *left_out.entry(r.action.as_str()).or_default() += 1;
        }
    }
    let mut by_resources: BTreeMap<Vec<String>, Vec<&str>> = BTreeMap::new();
    for (a, rs) in by_action {
        let rs: Vec<String> = if rs.contains("*") {
            vec!["*".to_string()]
        } else {
            generalise(rs)
        };
        by_resources.entry(rs).or_default().push(a);
    }
    let statements: Vec<Value> = by_resources
        .into_iter()
        .map(|(rs, actions)| {
            serde_json::json!({
                "Effect": "Allow",
                "Action": actions,
                "Resource": match rs.as_slice() {
                    [one] => serde_json::json!(one),
                    _ => serde_json::json!(rs),
                },
            })
        })
        .collect();
    Draft {
        policy: serde_json::json!({"Version": "2012-10-17", "Statement": statements}),
        calls,
        left_out: left_out
            .into_iter()
            .map(|(a, n)| (a.to_string(), n))
            .collect(),
    }
}

/// Resources under one path (the text up to the last `/` of the ARN's resource part), [`DRAFT_GENERALISE_AT`] or
/// more of them, become that path's `*`; the others stay as seen. Sorted.
fn generalise(resources: std::collections::BTreeSet<&str>) -> Vec<String> {
    use std::collections::BTreeMap;
    let mut by_dir: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut out: Vec<String> = Vec::new();
    for r in resources {
        // Only S3 object keys under a prefix (`bucket/prefix/key`): elsewhere the text before the last `/` is a
        // resource type (`role/`, `table/`, `key/`) or a bucket, and its `*` would grant every role, table, key
        // or object of the account or bucket, not a path of them.
        let dir = crate::arn::Arn::fields(r)
            .filter(|arn| arn.service == "s3" && arn.resource.matches('/').count() >= 2)
            .and_then(|arn| {
                let cut = arn.resource.rfind('/')?;
                // The resource part ends `r`: the path's end in `r` is where it starts plus `cut`.
                let start = r.len() - arn.resource.len();
                r.get(..start + cut + 1)
            });
        match dir {
            Some(d) => by_dir.entry(d).or_default().push(r),
            None => out.push(literal(r)),
        }
    }
    for (dir, members) in by_dir {
        if members.len() >= DRAFT_GENERALISE_AT {
            out.push(format!("{}*", literal(dir)));
        } else {
            out.extend(members.into_iter().map(literal));
        }
    }
    out.sort();
    out
}

/// A resource as seen, written so that a policy matches it and nothing else: `*`, `?` and `$` in it (an S3 key
/// may hold them) become the policy variables `${*}`, `${?}` and `${$}`, which stand for the characters
/// themselves (version 2012-10-17; <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars>).
/// Written as seen, `orders/*.json` would grant every object of `orders/`.
fn literal(resource: &str) -> String {
    let mut out = String::with_capacity(resource.len());
    for c in resource.chars() {
        match c {
            '*' => out.push_str("${*}"),
            '?' => out.push_str("${?}"),
            '$' => out.push_str("${$}"),
            c => out.push(c),
        }
    }
    out
}

/// A draft as a reviewer gets it: the policy (the calls' grants, then the principal's identity-policy `Deny`
/// statements, kept so that replacing its policies with the draft does not drop a guardrail), and the access
/// diff of putting it in their place.
#[derive(Clone, Debug, Serialize)]
pub struct DraftReport {
    /// The user or role the draft is for (a session's role).
    pub principal: String,
    /// The draft, its `Deny` guardrails included.
    pub draft: Draft,
    /// The identity `Deny` statements carried into the draft.
    pub kept_denies: usize,
    /// Identity `Deny` statements that could not be carried (not read in full): replacing the policies with the
    /// draft would drop them, so the diff may show access the draft gains.
    pub dropped_denies: usize,
    /// What the draft removes and what it grants beyond today (`gained`, `conditions_changed`: a draft carries no
    /// conditions, and a call a resource policy allowed becomes an identity grant), or why it is not known.
    #[serde(serialize_with = "report_diff")]
    pub diff: Result<crate::diff::Diff, String>,
}

fn report_diff<S: serde::Serializer>(
    d: &Result<crate::diff::Diff, String>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match d {
        Ok(d) => serde_json::json!({
            "lost": d.access.lost, "gained": d.access.gained,
            "conditions_changed": d.access.conditions_changed, "uncertain": d.access.uncertain,
            "counts": d.counts, "complete": d.complete, "notes": d.notes,
        })
        .serialize(s),
        Err(e) => serde_json::json!({ "error": e }).serialize(s),
    }
}

/// The principals a draft can be made for: each user or role (a session counts as its role) with successful calls,
/// with their number, most first.
pub fn draft_candidates(replayed: &[Replayed]) -> Vec<(String, usize)> {
    let mut n: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in replayed {
        if r.recorded == Recorded::Allowed && r.decision.is_some() {
            *n.entry(r.role.as_deref().unwrap_or(&r.principal))
                .or_default() += 1;
        }
    }
    let mut v: Vec<(String, usize)> = n.into_iter().map(|(p, c)| (p.to_string(), c)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// True when the call `r` counts for a draft for `principal`: its own calls, its sessions' (a role), and for an
/// assumed-role session ARN every session of the same role (the draft is the role's).
pub fn counts_for_draft(r: &Replayed, principal: &str) -> bool {
    if r.principal == principal || r.role.as_deref() == Some(principal) {
        return true;
    }
    // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION → the role `ROLE` of ACCOUNT, whatever its path.
    let Some(session) = crate::arn::Arn::fields(principal).filter(|a| a.service == "sts") else {
        return false;
    };
    let Some(role_name) = session
        .resource
        .strip_prefix("assumed-role/")
        .and_then(|rest| rest.split('/').next())
    else {
        return false;
    };
    r.role
        .as_deref()
        .and_then(crate::arn::Arn::fields)
        .is_some_and(|role| {
            role.account == session.account && role.resource.rsplit('/').next() == Some(role_name)
        })
}

/// The user or role `principal` names for a draft: itself, or the role of an assumed-role session seen in the
/// calls.
pub fn draft_subject(replayed: &[Replayed], principal: &str) -> String {
    if !principal.contains(":assumed-role/") {
        return principal.to_string();
    }
    replayed
        .iter()
        .filter(|r| counts_for_draft(r, principal))
        .find_map(|r| r.role.clone())
        .unwrap_or_else(|| principal.to_string())
}

/// The draft for `principal` (a user, a role, or a role's session) from its calls in `window`, with its `Deny`
/// guardrails and what putting it in place of the principal's identity policies would change.
pub fn draft_report(
    model: &Model,
    replayed: &[Replayed],
    principal: &str,
    window: &Window,
    opts: &crate::diff::Options,
) -> DraftReport {
    let subject = draft_subject(replayed, principal);
    let mut draft = draft_policy(replayed, &subject, window);
    let (denies, dropped) = identity_denies(model, &subject);
    let kept_denies = denies.len();
    if let Some(statements) = draft
        .policy
        .get_mut("Statement")
        .and_then(Value::as_array_mut)
    {
        statements.extend(denies);
    }
    let diff = serde_json::to_string(&draft.policy)
        .map_err(|e| e.to_string())
        .and_then(|text| draft_removes(model, &subject, &text, opts));
    DraftReport {
        principal: subject,
        draft,
        kept_denies,
        dropped_denies: dropped,
        diff,
    }
}

/// The `Deny` statements of the identity policies of `principal` (its own and, for a user, its groups'), as
/// policy JSON; and how many could not be written (a statement not read in full).
fn identity_denies(model: &Model, principal: &str) -> (Vec<Value>, usize) {
    let Ok(p) = crate::eval::Principal::resolve(principal, model) else {
        return (Vec::new(), 0);
    };
    let mut out: Vec<Value> = Vec::new();
    // Seen statements by their text: linear in the statements, however many repeat.
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut dropped = 0;
    for policy in crate::eval::engine::identity_documents(model, &p) {
        for st in &policy.statements {
            if st.effect.as_ref().map(|e| e.value) != Some(Effect::Deny) {
                continue;
            }
            match statement_json(st) {
                Some(v) => {
                    if seen.insert(v.to_string()) {
                        out.push(v);
                    }
                }
                None => dropped += 1,
            }
        }
    }
    (out, dropped)
}

/// A statement of an identity policy as policy JSON (no `Principal`), or `None` when it was not read in full.
fn statement_json(st: &crate::policy::Statement) -> Option<Value> {
    use crate::policy::{ActionBlock, ResourceBlock};
    if st.invalid.is_some() || st.principal.is_some() {
        return None;
    }
    let list = |l: &crate::policy::OneOrMany| {
        Value::from(l.iter().map(str::to_string).collect::<Vec<_>>())
    };
    let mut o = serde_json::Map::new();
    if let Some(sid) = &st.sid {
        o.insert("Sid".into(), Value::from(sid.value.to_string()));
    }
    o.insert(
        "Effect".into(),
        Value::from(match st.effect.as_ref()?.value {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }),
    );
    match st.action.as_ref()? {
        ActionBlock::Action(l) => o.insert("Action".into(), list(l)),
        ActionBlock::NotAction(l) => o.insert("NotAction".into(), list(l)),
    };
    match st.resource.as_ref()? {
        ResourceBlock::Resource(l) => o.insert("Resource".into(), list(l)),
        ResourceBlock::NotResource(l) => o.insert("NotResource".into(), list(l)),
    };
    if !st.conditions.is_empty() {
        let mut conditions = serde_json::Map::new();
        for c in &st.conditions {
            let by_key = conditions
                .entry(c.operator.value.to_string())
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            if let Some(m) = by_key.as_object_mut() {
                m.insert(c.key.value.to_string(), list(&c.values));
            }
        }
        o.insert("Condition".into(), Value::Object(conditions));
    }
    Some(Value::Object(o))
}

/// What a draft takes away: the access diff of `principal` (a user or role ARN) when `draft` replaces every
/// identity policy it has — its inline and attached policies and, for a user, its groups' (it leaves them); its
/// permissions boundary, the SCPs, RCPs and resource policies stay. Computed on a copy; `model` is unchanged.
/// The `lost` rows are the access the draft removes; an answer that becomes unknown is listed as uncertain.
pub fn draft_removes(
    model: &Model,
    principal: &str,
    draft: &str,
    opts: &crate::diff::Options,
) -> Result<crate::diff::Diff, String> {
    use crate::account::what_if::DocTarget;
    use crate::account::{EntityKind, InlinePolicy, PolicyDoc};
    let r = model
        .by_arn(principal)
        .filter(|r| matches!(r.kind, EntityKind::User | EntityKind::Role))
        .ok_or_else(|| format!("`{principal}` is not a user or role of the snapshot"))?;
    let mut after = model.clone();
    let name: crate::policy::Str = "least-privilege-draft".into();
    let placeholder = |source| InlinePolicy {
        name: name.clone(),
        doc: PolicyDoc {
            source,
            policy: crate::policy::Policy::default(),
            encoded: false,
            problems: Vec::new(),
        },
    };
    let source = after.add_source(
        format!("least-privilege draft for {principal}"),
        std::sync::Arc::new(String::new()),
    );
    let account = after
        .accounts
        .get_mut(r.account as usize)
        .ok_or_else(|| format!("`{principal}` is not in the snapshot"))?;
    match r.kind {
        EntityKind::User => {
            let u = account
                .users
                .get_mut(r.index as usize)
                .ok_or_else(|| format!("`{principal}` is not in the snapshot"))?;
            u.groups.clear();
            u.attached.clear();
            u.inline = vec![placeholder(source)];
        }
        _ => {
            let role = account
                .roles
                .get_mut(r.index as usize)
                .ok_or_else(|| format!("`{principal}` is not in the snapshot"))?;
            role.attached.clear();
            role.inline = vec![placeholder(source)];
        }
    }
    after.touch();
    let target = DocTarget::Inline {
        owner: r,
        name: name.to_string(),
    };
    after.replace_document(&target, draft).map_err(|diags| {
        let msgs: Vec<String> = diags.iter().map(|d| d.message.clone()).collect();
        format!("the draft is not a policy: {}", msgs.join("; "))
    })?;
    Ok(crate::diff::diff(model, &after, opts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_read_once_for_the_cli_and_the_app() {
        assert_eq!(Window::bound("  "), Ok(None));
        assert!(
            Window::bound("yesterday")
                .unwrap_err()
                .contains("is not a time")
        );
        let (a, b) = (
            Window::bound("2026-11-01T00:00:00Z").unwrap(),
            Window::bound("2026-11-02T00:00:00Z").unwrap(),
        );
        assert!(Window::new(a, b).is_ok());
        assert!(Window::new(b, a).unwrap_err().contains("holds no call"));
        assert!(Window::new(a, a).is_err());
        let w = Window::new(a, b).unwrap();
        assert!(w.contains("2026-11-01T00:00:00Z") && !w.contains("2026-11-02T00:00:00Z"));
        assert!(!w.contains("not a time"));
    }

    #[test]
    fn only_s3_objects_under_a_prefix_are_generalised() {
        let five = |f: &dyn Fn(usize) -> String| (0..5).map(f).collect::<Vec<String>>();
        let check = |items: Vec<String>, want: Vec<&str>| {
            let set: std::collections::BTreeSet<&str> = items.iter().map(String::as_str).collect();
            assert_eq!(generalise(set), want);
        };
        // Objects under a key prefix: the prefix's `*`.
        check(
            five(&|i| format!("arn:aws:s3:::b/logs/{i}.gz")),
            vec!["arn:aws:s3:::b/logs/*"],
        );
        // Roles, users, tables, keys and objects at a bucket's root stay as seen: their `*` would be every role,
        // user, table, key or object.
        for f in [
            &(|i| format!("arn:aws:iam::111122223333:role/r{i}")) as &dyn Fn(usize) -> String,
            &|i| format!("arn:aws:iam::111122223333:user/u{i}"),
            &|i| format!("arn:aws:dynamodb:eu-west-1:111122223333:table/t{i}"),
            &|i| format!("arn:aws:kms:eu-west-1:111122223333:key/k{i}"),
            &|i| format!("arn:aws:s3:::b/{i}.gz"),
        ] {
            let items = five(f);
            let mut want: Vec<String> = items.clone();
            want.sort();
            check(items, want.iter().map(String::as_str).collect());
        }
        // Four under a prefix stay as seen.
        let four: Vec<String> = (0..4).map(|i| format!("arn:aws:s3:::b/logs/{i}")).collect();
        check(four.clone(), four.iter().map(String::as_str).collect());
    }
}
