//! The access diff: which principals gained or lost which actions on which resources, decided by the evaluator
//! on both snapshots (never read from the text).
//!
//! Only what changed is evaluated. A principal is compared when the meaning of a layer on its side changed
//! (its identity policies, its groups', its permissions boundary, the SCPs above its account, or any RCP); a
//! resource when its resource or trust policy changed. The statements that differ (a multiset difference of
//! canonical statements) name the actions that can have changed: only those actions are evaluated, on the
//! resources the principal's statements name (and the snapshot's resources of that service). An action no
//! changed statement matches has the same verdict on every layer before and after, so it cannot have changed.
//!
//! Answers are compared as the reverse queries give them (optimistic mode: a condition on a key the request
//! leaves open is assumed and listed). An unknown answer on either side is reported as uncertain, never as
//! "no change".

use super::canon::{self, DocCache};
use crate::account::{EntityKind, EntityRef, Model, OrgPolicyKind, PolicyDoc, PolicyRef};
use crate::eval::engine::{Decision, Overrides, decide_with, decide_with_statements};
use crate::eval::index::Prefilter;
use crate::eval::reverse::{Outcome, all_principals, principal_of, who_can};
use crate::eval::{Context, Principal, Request};
use crate::policy::{ActionBlock, Effect, PrincipalValue, ResourceBlock, Statement};
use crate::wildcard::action_matches;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::sync::Arc;

/// What one snapshot answers for one (principal, action, resource).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The principal (or the resource's policy) is not in this snapshot.
    Absent,
    /// Denied, for certain.
    Denied,
    /// Allowed whatever the open keys hold.
    Allowed,
    /// Allowed if the conditions hold.
    AllowedIf,
    /// Not known: a policy it depends on is missing or was not fully read.
    Unknown,
}

/// How risky a gained access is, most risky first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// The principal became administrator (every action on every resource).
    Admin,
    /// A principal outside the resource's account can now reach it.
    External,
    /// An action an escalation technique uses (`iam:PassRole`, `iam:CreatePolicyVersion`…).
    Escalation,
    /// The catalog's "Permissions management" level.
    PermissionsManagement,
    /// "Write".
    Write,
    /// "Tagging".
    Tagging,
    /// "Read".
    Read,
    /// "List".
    List,
    /// Not in the catalog.
    Other,
}

impl Risk {
    /// The label for people.
    pub fn label(self) -> &'static str {
        match self {
            Risk::Admin => "admin",
            Risk::External => "external",
            Risk::Escalation => "escalation",
            Risk::PermissionsManagement => "permissions management",
            Risk::Write => "write",
            Risk::Tagging => "tagging",
            Risk::Read => "read",
            Risk::List => "list",
            Risk::Other => "other",
        }
    }
}

/// One access difference.
#[derive(Clone, Debug, Serialize)]
pub struct AccessRow {
    /// The principal's ARN (or an outside principal, for external access).
    pub principal: String,
    /// `service:Action` (`*` for a new administrator).
    pub action: String,
    /// The resource (a pattern from the policies, or `*`).
    pub resource: String,
    /// Conditions the access holds under, after (before, for lost access).
    pub conditions: Vec<String>,
    /// The answer before.
    pub before: State,
    /// The answer after.
    pub after: State,
    /// Conditions before, when they differ from `conditions`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub before_conditions: Vec<String>,
    /// Risk rank.
    pub risk: Risk,
    /// For uncertain rows: what was not read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
    /// For a new administrator: how many gained rows this one stands for.
    #[serde(skip_serializing_if = "is_zero")]
    pub covers: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A risk found by the diff, listed before the rows.
#[derive(Clone, Debug, Serialize)]
pub struct RiskItem {
    /// Admin, external or escalation.
    pub risk: Risk,
    /// The principal (or outside principal).
    pub principal: String,
    /// What, for people.
    pub detail: String,
}

/// The access diff.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AccessDiff {
    /// Access the principal did not have and now has (or has under fewer conditions).
    pub gained: Vec<AccessRow>,
    /// Access it had and no longer has (or has under more conditions).
    pub lost: Vec<AccessRow>,
    /// Allowed before and after, under conditions that are different and neither weaker nor stronger.
    pub conditions_changed: Vec<AccessRow>,
    /// Either answer is unknown: not reported as "no change".
    pub uncertain: Vec<AccessRow>,
}

/// Bounds of one diff.
#[derive(Clone, Debug)]
pub struct Options {
    /// At most this many rows per list are kept (counted in full).
    pub limit: usize,
    /// At most this many (principal, action, resource) comparisons; beyond, the diff is incomplete.
    pub budget: usize,
    /// At most this many resources per (principal, action).
    pub resources_per_action: usize,
    /// Escalation paths are compared when both snapshots have at most this many users and roles.
    pub escalation_limit: usize,
    /// The time to evaluate at.
    pub now: Option<crate::time::Timestamp>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limit: 10_000,
            budget: 2_000_000,
            resources_per_action: 64,
            escalation_limit: 2_000,
            now: None,
        }
    }
}

/// Counts and completeness.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    /// Users and roles in either snapshot.
    pub principals: usize,
    /// Principals whose side changed (compared action by action).
    pub principals_changed: usize,
    /// Resources whose resource or trust policy changed.
    pub resources_changed: usize,
    /// Comparisons made (each evaluates both snapshots).
    pub comparisons: usize,
    /// Comparisons left out by the bounds: when non-zero the diff is incomplete.
    pub not_evaluated: usize,
    /// Rows per list before the output bound: gained, lost, conditions changed, uncertain.
    pub gained: usize,
    /// Lost rows.
    pub lost: usize,
    /// Rows whose conditions changed.
    pub conditions_changed: usize,
    /// Uncertain rows.
    pub uncertain: usize,
    /// Rows left out of the lists by [`Options::limit`].
    pub omitted: usize,
}

/// Which actions can have changed.
#[derive(Clone, Debug, Default)]
pub(crate) struct Affected {
    all: bool,
    patterns: Vec<String>,
}

impl Affected {
    fn is_empty(&self) -> bool {
        !self.all && self.patterns.is_empty()
    }
    fn set_all(&mut self) {
        self.all = true;
        self.patterns.clear();
    }
    fn add_statement(&mut self, s: Option<&Statement>) {
        if self.all {
            return;
        }
        let Some(s) = s else {
            self.set_all();
            return;
        };
        match (&s.action, s.invalid.is_some()) {
            (Some(ActionBlock::Action(l)), false) => {
                for p in l.iter() {
                    let p = p.to_ascii_lowercase();
                    if p == "*" {
                        self.set_all();
                        return;
                    }
                    if !self.patterns.contains(&p) {
                        self.patterns.push(p);
                    }
                }
            }
            // NotAction, or a statement not fully read: any action may be concerned.
            _ => self.set_all(),
        }
    }
    fn merge(&mut self, o: &Affected) {
        if o.all {
            self.set_all();
        } else if !self.all {
            for p in &o.patterns {
                if !self.patterns.contains(p) {
                    self.patterns.push(p.clone());
                }
            }
        }
    }
    fn matches(&self, action: &str) -> bool {
        self.all || self.patterns.iter().any(|p| action_matches(p, action))
    }
}

/// A document a layer reads, or the marker of one that is missing.
#[derive(Clone, Copy)]
enum Item<'m> {
    Doc(&'m PolicyDoc),
    Missing(&'m str),
}

/// One snapshot with its caches.
struct Side<'m> {
    model: &'m Model,
    cache: DocCache,
    prefilter: Prefilter,
}

impl<'m> Side<'m> {
    fn new(model: &'m Model) -> Self {
        Side {
            model,
            cache: DocCache::default(),
            prefilter: Prefilter::default(),
        }
    }

    /// Fingerprints of items, sorted: of their texts (`raw`) or of their canonical statements.
    fn hashes_of(&mut self, items: &[Item<'m>], raw: bool) -> Vec<u64> {
        let mut v: Vec<u64> = items
            .iter()
            .map(|i| match i {
                Item::Doc(d) if raw => self.cache.raw(self.model, d),
                Item::Doc(d) => self.cache.get(self.model, d).0,
                Item::Missing(m) => canon::hash_text(&format!("missing:{m}")),
            })
            .collect();
        v.sort_unstable();
        v
    }

    /// True when `other`'s items mean the same as these (texts first, canonical statements when they differ).
    fn same_as(&mut self, mine: &[Item<'m>], other: &mut Side<'m>, theirs: &[Item<'m>]) -> bool {
        if mine.len() != theirs.len() {
            return false;
        }
        self.hashes_of(mine, true) == other.hashes_of(theirs, true)
            || self.hashes_of(mine, false) == other.hashes_of(theirs, false)
    }

    /// Canonical statements of items with the statements themselves (`None` for markers).
    fn statements(&mut self, items: &[Item<'m>]) -> Vec<(String, Option<&'m Statement>)> {
        let mut out = Vec::new();
        for i in items {
            match i {
                Item::Doc(d) => {
                    let (_, c) = self.cache.get(self.model, d);
                    for (k, text) in c.iter().enumerate() {
                        out.push((text.clone(), d.policy.statements.get(k)));
                    }
                }
                Item::Missing(m) => out.push((format!("missing:{m}"), None)),
            }
        }
        out
    }
}

fn managed<'m>(model: &'m Model, account: u32, arn: &'m str, target: PolicyRef) -> Item<'m> {
    match model.resolve(account, target).and_then(|p| p.default_doc()) {
        Some(d) => Item::Doc(d),
        None => Item::Missing(arn),
    }
}

/// Identity documents (own and groups') and the boundary of a user or role, as the engine reads them.
fn principal_items(model: &Model, r: EntityRef) -> (Vec<Item<'_>>, Option<Vec<Item<'_>>>) {
    let mut ident = Vec::new();
    let Some(acc) = model.accounts.get(r.account as usize) else {
        return (ident, None);
    };
    let (inline, attached, boundary) = match r.kind {
        EntityKind::User => match acc.users.get(r.index as usize) {
            Some(u) => {
                for g in &u.groups {
                    match acc.group(g) {
                        Some(group) => {
                            ident.extend(group.inline.iter().map(|p| Item::Doc(&p.doc)));
                            ident.extend(
                                group
                                    .attached
                                    .iter()
                                    .map(|x| managed(model, r.account, &x.arn, x.target)),
                            );
                        }
                        None => ident.push(Item::Missing(g)),
                    }
                }
                (&u.inline, &u.attached, &u.boundary)
            }
            None => return (ident, None),
        },
        EntityKind::Role => match acc.roles.get(r.index as usize) {
            Some(role) => (&role.inline, &role.attached, &role.boundary),
            None => return (ident, None),
        },
        _ => return (ident, None),
    };
    ident.extend(inline.iter().map(|p| Item::Doc(&p.doc)));
    ident.extend(
        attached
            .iter()
            .map(|x| managed(model, r.account, &x.arn, x.target)),
    );
    let boundary = boundary
        .as_ref()
        .map(|b| vec![managed(model, r.account, &b.arn, b.target)]);
    (ident, boundary)
}

/// The organisation levels of `kind` above `account` (root first, the account's own last); `None` for an
/// account outside the organisation or its management account (not restricted), and a level `None` when the
/// workspace does not describe it. Mirrors the engine's reading.
fn org_chain<'m>(
    model: &'m Model,
    account: &str,
    kind: OrgPolicyKind,
) -> Option<Vec<Option<Vec<Item<'m>>>>> {
    let org = model.organization.as_ref()?;
    if org.management_account.as_deref() == Some(account) {
        return None;
    }
    let path = org.path_to(account)?;
    let items = |ids: Option<&'m Vec<u32>>| {
        ids.map(|ids| {
            ids.iter()
                .filter_map(|&i| model.org_policies.get(i as usize))
                .map(|p| Item::Doc(&p.doc))
                .collect::<Vec<_>>()
        })
    };
    let mut out: Vec<Option<Vec<Item<'m>>>> = path
        .iter()
        .map(|n| {
            items(if kind == OrgPolicyKind::Scp {
                n.scps.as_ref()
            } else {
                n.rcps.as_ref()
            })
        })
        .collect();
    let own = model.account(account).and_then(|a| {
        if kind == OrgPolicyKind::Scp {
            a.scps.as_ref()
        } else {
            a.rcps.as_ref()
        }
    });
    out.push(items(own));
    Some(out)
}

/// The statements that differ between two lists (a multiset difference), into `affected`.
fn delta(
    b: Vec<(String, Option<&Statement>)>,
    a: Vec<(String, Option<&Statement>)>,
    affected: &mut Affected,
) {
    let mut counts: FxHashMap<&str, i64> = FxHashMap::default();
    for (c, _) in &b {
        *counts.entry(c.as_str()).or_default() += 1;
    }
    for (c, _) in &a {
        *counts.entry(c.as_str()).or_default() -= 1;
    }
    for (c, s) in b.iter().chain(a.iter()) {
        if counts.get(c.as_str()).is_some_and(|n| *n != 0) {
            affected.add_statement(*s);
        }
    }
}

/// Compare two optional lists of level items: presence and structure changes concern every action.
fn level_delta<'m>(
    sb: &mut Side<'m>,
    sa: &mut Side<'m>,
    b: Option<Vec<Option<Vec<Item<'m>>>>>,
    a: Option<Vec<Option<Vec<Item<'m>>>>>,
    affected: &mut Affected,
) {
    match (b, a) {
        (None, None) => {}
        (Some(b), Some(a)) if b.len() == a.len() => {
            for (lb, la) in b.iter().zip(a.iter()) {
                match (lb, la) {
                    (None, None) => {}
                    (Some(lb), Some(la)) => {
                        if !sb.same_as(lb, sa, la) {
                            let x = sb.statements(lb);
                            let y = sa.statements(la);
                            delta(x, y, affected);
                        }
                    }
                    _ => affected.set_all(),
                }
            }
        }
        _ => affected.set_all(),
    }
}

/// A principal of either snapshot.
struct Pair {
    arn: String,
    before: Option<EntityRef>,
    after: Option<EntityRef>,
}

fn pairs(before: &Model, after: &Model) -> Vec<Pair> {
    let mut out: Vec<Pair> = Vec::new();
    let mut at: FxHashMap<String, usize> = FxHashMap::default();
    for r in all_principals(before) {
        let arn = before.describe(r).1;
        at.insert(arn.clone(), out.len());
        out.push(Pair {
            arn,
            before: Some(r),
            after: None,
        });
    }
    for r in all_principals(after) {
        let arn = after.describe(r).1;
        match at.get(&arn) {
            Some(&i) => {
                if let Some(p) = out.get_mut(i) {
                    p.after = Some(r);
                }
            }
            None => out.push(Pair {
                arn,
                before: None,
                after: Some(r),
            }),
        }
    }
    out
}

/// Actions of the catalog matching a pattern, cached.
#[derive(Default)]
struct Expand {
    cache: FxHashMap<String, Arc<Vec<String>>>,
}

impl Expand {
    fn get(&mut self, pattern: &str) -> Arc<Vec<String>> {
        let key = pattern.to_ascii_lowercase();
        self.cache
            .entry(key)
            .or_insert_with(|| {
                let catalog = crate::catalog::catalog();
                let mut v = Vec::new();
                catalog.for_each_match(pattern, &mut |id| {
                    if let Some((svc, act)) = catalog.get(id) {
                        v.push(format!("{}:{}", svc.prefix, act.name));
                    }
                    true
                });
                Arc::new(v)
            })
            .clone()
    }
}

/// Candidate resources per action, in the order first named, with the set of them (to add each once).
type Candidates = FxHashMap<String, (Vec<String>, FxHashSet<String>)>;

/// The tags of a user or role.
fn entity_tags(m: &Model, r: EntityRef) -> Option<&[crate::account::Tag]> {
    let a = m.accounts.get(r.account as usize)?;
    match r.kind {
        EntityKind::User => a.users.get(r.index as usize).map(|u| u.tags.as_slice()),
        EntityKind::Role => a.roles.get(r.index as usize).map(|r| r.tags.as_slice()),
        _ => None,
    }
}

/// Where an account sits: its organisation's id and the ids of the nodes from the root to it.
fn org_place(m: &Model, account: &str) -> Option<(String, Vec<String>)> {
    let org = m.organization.as_ref()?;
    let path = org.path_to(account)?;
    Some((
        org.id.to_string(),
        path.iter().map(|n| n.id.to_string()).collect(),
    ))
}

/// The grants a statement could make: its actions (filtered) and its resources.
///
/// A `Deny` adds the resources it names: a `Deny` on one role beside an `Allow` on `*` denies nothing on the
/// request `*`, so removing it changed no answer asked about `*` alone. Policy variables are substituted with
/// the principal's own keys (`keys`, from [`crate::eval::Principal::derived_keys`]: its name, id, tags), as the
/// evaluator substitutes them; one with no value is kept as written.
fn statement_candidates(
    s: &Statement,
    default_resource: &str,
    keys: Option<&Context>,
    affected: &Affected,
    expand: &mut Expand,
    out: &mut Candidates,
) {
    let effect = s.effect.as_ref().map(|e| e.value);
    let substituted = |r: &str| -> String {
        match keys.filter(|_| crate::policy::variables::has_variable(r)) {
            Some(ctx) => crate::eval::condition::substitute(r, ctx)
                .map_or_else(|| r.to_string(), |c| c.into_owned()),
            None => r.to_string(),
        }
    };
    let resources: Vec<String> = match (&s.resource, effect) {
        (Some(ResourceBlock::Resource(l)), Some(_)) => l.iter().map(substituted).collect(),
        (Some(ResourceBlock::NotResource(_)), Some(Effect::Allow)) => vec!["*".into()],
        // A `Deny` with `NotResource` denies `*` and nothing inside what it lists: those are asked about too.
        (Some(ResourceBlock::NotResource(l)), Some(Effect::Deny)) => l
            .iter()
            .map(substituted)
            .chain(std::iter::once("*".to_string()))
            .collect(),
        (None, Some(_)) => vec![default_resource.to_string()],
        _ => return,
    };
    let add = |action: &str, out: &mut Candidates| {
        if !affected.matches(action) {
            return;
        }
        let (list, seen) = out.entry(action.to_string()).or_default();
        for r in &resources {
            // Looked up, not scanned: a TLS-only `Deny` on every bucket names them all for every action.
            if resource_fits(action, r) && seen.insert(r.clone()) {
                list.push(r.clone());
            }
        }
    };
    match &s.action {
        Some(ActionBlock::Action(l)) => {
            for p in l.iter() {
                for a in expand.get(p).iter() {
                    add(a, out);
                }
            }
        }
        Some(ActionBlock::NotAction(l)) => {
            let excluded: Vec<&str> = l.iter().collect();
            for a in expand.get("*").iter() {
                if !excluded.iter().any(|p| action_matches(p, a)) {
                    add(a, out);
                }
            }
        }
        None => {}
    }
}

/// Can `action` apply to `resource`? A statement that lists `kms:Decrypt` and `s3:GetObject` with a key and a
/// bucket grants each on both, but an S3 action on a KMS key is no question anyone asks: a resource ARN of
/// another service is left out (STS actions act on IAM roles).
fn resource_fits(action: &str, resource: &str) -> bool {
    let Some(service) = crate::account::arn_service(resource) else {
        return true;
    };
    let prefix = crate::arn::action_service(action);
    service.contains(['*', '?'])
        || service.eq_ignore_ascii_case(prefix)
        || (prefix.eq_ignore_ascii_case("sts") && service == "iam")
}

/// Could a resource policy statement name this principal (by ARN, account, or anyone)?
fn may_name(s: &Statement, arn: &str, account: &str) -> bool {
    let Some(block) = &s.principal else {
        return false;
    };
    if block.not {
        return true;
    }
    match &block.value {
        PrincipalValue::Star(_) => true,
        PrincipalValue::Map(entries) => entries.iter().any(|e| {
            e.kind.value == crate::policy::PrincipalKind::Aws
                && e.values.iter().any(|v| {
                    v == "*"
                        || v == arn
                        || v == account
                        || v == format!("arn:aws:iam::{account}:root")
                        || v.contains('*')
                })
        }),
    }
}

fn assumptions_text(
    model: &Model,
    req: &Request,
    ov: &Overrides,
    pf: &mut Prefilter,
) -> Vec<String> {
    let w = decide_with_statements(model, req, ov, pf);
    let mut v: Vec<String> = w.assumed.iter().map(|a| a.text()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn state_of(
    side: &mut Side<'_>,
    principal: Option<&Principal>,
    action: &str,
    resource: &str,
    account: Option<&str>,
    ov: &Overrides,
) -> (State, Vec<String>) {
    let Some(p) = principal else {
        return (State::Absent, Vec::new());
    };
    let req = Request {
        principal: p.clone(),
        action: action.to_string(),
        resource: resource.to_string(),
        resource_account: account.map(str::to_string),
        context: Context::default(),
    };
    let q = decide_with(side.model, &req, ov, &mut side.prefilter);
    match (q.decision, q.certain, q.conditional) {
        (_, false, _) => (State::Unknown, Vec::new()),
        (Decision::Allow, true, false) => (State::Allowed, Vec::new()),
        (Decision::Allow, true, true) => (
            State::AllowedIf,
            assumptions_text(side.model, &req, ov, &mut side.prefilter),
        ),
        _ => (State::Denied, Vec::new()),
    }
}

/// The account of a bucket that a loaded policy places in either snapshot (an S3 ARN names none): both sides are
/// read in it, so that a bucket policy added or removed does not make the assumption of its account look like a
/// change of access.
fn owner<'m>(before: &'m Model, after: &'m Model, resource: &str) -> Option<&'m str> {
    let of = |m: &'m Model| {
        let r = crate::eval::request::resource_policy_for(m, resource)?;
        m.accounts.get(r.account as usize).map(|a| &*a.id)
    };
    of(before).or_else(|| of(after))
}

/// What was not read, for an uncertain row.
fn unknown_reasons(
    model: &Model,
    principal: Option<&Principal>,
    action: &str,
    resource: &str,
    account: Option<&str>,
    ov: &Overrides,
) -> Vec<String> {
    let Some(p) = principal else {
        return Vec::new();
    };
    let req = Request {
        principal: p.clone(),
        action: action.to_string(),
        resource: resource.to_string(),
        resource_account: account.map(str::to_string),
        context: Context::default(),
    };
    let r = crate::eval::evaluate(model, &req, ov);
    let mut v = r.unknown;
    v.truncate(8);
    v
}

/// The kind of difference of two answers.
enum Kind {
    Same,
    Gained,
    Lost,
    ConditionsChanged,
    Uncertain,
}

fn classify(b: &(State, Vec<String>), a: &(State, Vec<String>)) -> Kind {
    use State::*;
    match (&b.0, &a.0) {
        (Unknown, _) | (_, Unknown) => Kind::Uncertain,
        (Absent | Denied, Absent | Denied) => Kind::Same,
        (Absent | Denied, _) => Kind::Gained,
        (_, Absent | Denied) => Kind::Lost,
        (Allowed, Allowed) => Kind::Same,
        (AllowedIf, Allowed) => Kind::Gained,
        (Allowed, AllowedIf) => Kind::Lost,
        (AllowedIf, AllowedIf) => {
            let sb: FxHashSet<&String> = b.1.iter().collect();
            let sa: FxHashSet<&String> = a.1.iter().collect();
            if sb == sa {
                Kind::Same
            } else if sa.is_subset(&sb) {
                // Fewer conditions to meet: wider.
                Kind::Gained
            } else if sb.is_subset(&sa) {
                Kind::Lost
            } else {
                Kind::ConditionsChanged
            }
        }
    }
}

fn risk_of(action: &str, escalation: &FxHashSet<String>) -> Risk {
    if escalation.contains(&action.to_ascii_lowercase()) {
        return Risk::Escalation;
    }
    match crate::catalog::catalog().access_level(action) {
        Some(crate::catalog::AccessLevel::PermissionsManagement) => Risk::PermissionsManagement,
        Some(crate::catalog::AccessLevel::Write) => Risk::Write,
        Some(crate::catalog::AccessLevel::Tagging) => Risk::Tagging,
        Some(crate::catalog::AccessLevel::Read) => Risk::Read,
        Some(crate::catalog::AccessLevel::List) => Risk::List,
        None => Risk::Other,
    }
}

/// The actions escalation techniques use, lowercased.
pub fn escalation_actions() -> FxHashSet<String> {
    crate::escalate::techniques::TECHNIQUES
        .iter()
        .flat_map(|t| t.requests.iter().map(|r| r.action.to_ascii_lowercase()))
        .collect()
}

/// Is the principal administrator (every probe allowed on `*`)?
fn is_admin(model: &Model, p: &Principal, ov: &Overrides) -> bool {
    crate::escalate::ADMIN_PROBES.iter().all(|a| {
        let req = Request {
            principal: p.clone(),
            action: (*a).to_string(),
            resource: "*".into(),
            resource_account: None,
            context: Context::default(),
        };
        crate::eval::decide(model, &req, ov).0 == Decision::Allow
    })
}

/// An answer with the conditions it holds under.
type Answer = (State, Vec<String>);

/// A resource (or role) whose resource (or trust) policy is compared: ARN, before, after, service (`None`: trust).
type ResourceDoc<'m> = (
    String,
    Option<&'m PolicyDoc>,
    Option<&'m PolicyDoc>,
    Option<String>,
);

/// Rows keyed by (principal, action, resource), so that the principal side and the resource side report a
/// difference once.
type RowKey = (String, String, String);

struct Collector {
    rows: FxHashMap<RowKey, (Kind, AccessRow)>,
}

impl Collector {
    fn push(&mut self, kind: Kind, row: AccessRow) {
        let key = (
            row.principal.clone(),
            row.action.clone(),
            row.resource.clone(),
        );
        self.rows.entry(key).or_insert((kind, row));
    }
}

/// The access diff of two snapshots, with the risks and counts.
pub fn access_diff(
    before: &Model,
    after: &Model,
    opts: &Options,
) -> (AccessDiff, Vec<RiskItem>, Counts) {
    let ov = Overrides {
        optimistic: true,
        now: opts.now,
        ..Overrides::default()
    };
    let mut sb = Side::new(before);
    let mut sa = Side::new(after);
    let mut counts = Counts::default();
    let escalation = escalation_actions();
    let mut expand = Expand::default();
    let mut col = Collector {
        rows: FxHashMap::default(),
    };
    let mut budget = opts.budget;

    // RCPs cap every principal's access to the resources below them: their changed statements concern everyone.
    let mut global = Affected::default();
    {
        let mut ids: Vec<&str> = before.accounts.iter().map(|a| &*a.id).collect();
        ids.extend(after.accounts.iter().map(|a| &*a.id));
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            let b = org_chain(before, id, OrgPolicyKind::Rcp);
            let a = org_chain(after, id, OrgPolicyKind::Rcp);
            level_delta(&mut sb, &mut sa, b, a, &mut global);
        }
    }
    // SCP changes per account id.
    let mut scp_affected: FxHashMap<String, Affected> = FxHashMap::default();

    // Resource policies of both snapshots, by resource ARN (for candidates and the resource side).
    fn rps(m: &Model) -> FxHashMap<String, (String, EntityRef)> {
        let mut map = FxHashMap::default();
        for (ai, a) in m.accounts.iter().enumerate() {
            for (i, rp) in a.resource_policies.iter().enumerate() {
                map.insert(
                    rp.resource.to_string(),
                    (
                        rp.service.to_string(),
                        EntityRef {
                            account: ai as u32,
                            kind: EntityKind::ResourcePolicy,
                            index: i as u32,
                        },
                    ),
                );
            }
        }
        map
    }
    fn rp_doc(m: &Model, r: EntityRef) -> Option<&PolicyDoc> {
        m.accounts
            .get(r.account as usize)
            .and_then(|a| a.resource_policies.get(r.index as usize))
            .map(|p| &p.doc)
    }
    fn trust(m: &Model, r: Option<EntityRef>) -> Option<&PolicyDoc> {
        r.filter(|r| r.kind == EntityKind::Role).and_then(|r| {
            m.accounts
                .get(r.account as usize)?
                .roles
                .get(r.index as usize)?
                .trust
                .as_ref()
        })
    }
    let rp_before = rps(before);
    let rp_after = rps(after);
    // Snapshot resources per service (both snapshots).
    let mut by_service: FxHashMap<String, Vec<String>> = FxHashMap::default();
    for (res, (svc, _)) in rp_before.iter().chain(rp_after.iter()) {
        by_service.entry(svc.clone()).or_default().push(res.clone());
    }
    for v in by_service.values_mut() {
        v.sort_unstable();
        v.dedup();
    }

    let all = pairs(before, after);
    counts.principals = all.len();
    let mut changed_principals: Vec<String> = Vec::new();
    for pair in &all {
        let pb = pair.before.and_then(|r| principal_of(before, r));
        let pa = pair.after.and_then(|r| principal_of(after, r));
        let mut affected = global.clone();
        match (pair.before, pair.after) {
            (Some(rb), Some(ra)) => {
                let (ib, bb) = principal_items(before, rb);
                let (ia, ba) = principal_items(after, ra);
                if !sb.same_as(&ib, &mut sa, &ia) {
                    let x = sb.statements(&ib);
                    let y = sa.statements(&ia);
                    delta(x, y, &mut affected);
                }
                level_delta(
                    &mut sb,
                    &mut sa,
                    bb.map(|v| vec![Some(v)]),
                    ba.map(|v| vec![Some(v)]),
                    &mut affected,
                );
                let account = pa
                    .as_ref()
                    .and_then(|p| p.account.clone())
                    .unwrap_or_default();
                let scp = scp_affected.entry(account.clone()).or_insert_with(|| {
                    let mut s = Affected::default();
                    let b = org_chain(before, &account, OrgPolicyKind::Scp);
                    let a = org_chain(after, &account, OrgPolicyKind::Scp);
                    level_delta(&mut sb, &mut sa, b, a, &mut s);
                    // Moved to another OU (or organisation) under the same SCPs: `aws:PrincipalOrgPaths` and
                    // `aws:PrincipalOrgID` read differently, which any condition may test.
                    if org_place(before, &account) != org_place(after, &account) {
                        s.set_all();
                    }
                    s
                });
                affected.merge(scp);
                // Its tags are read by `aws:PrincipalTag/…` tests and variables wherever they are written: a
                // change of tags may change any answer.
                if entity_tags(before, rb) != entity_tags(after, ra) {
                    affected.set_all();
                }
            }
            // Added or removed: everything it may do is new or gone.
            _ => affected.set_all(),
        }
        if affected.is_empty() {
            continue;
        }
        counts.principals_changed += 1;
        changed_principals.push(pair.arn.clone());
        // Candidates: the Allow statements of both sides (identity, and resource policies that may name it).
        let mut cands: Candidates = FxHashMap::default();
        let account = pa
            .as_ref()
            .or(pb.as_ref())
            .and_then(|p| p.account.clone())
            .unwrap_or_default();
        // Each side's own keys (a tag may have changed).
        let keys_before = pb.as_ref().map(|p| p.derived_keys(before));
        let keys_after = pa.as_ref().map(|p| p.derived_keys(after));
        for (m, r, keys) in [
            (before, pair.before, keys_before.as_ref()),
            (after, pair.after, keys_after.as_ref()),
        ] {
            let Some(r) = r else { continue };
            let (items, boundary) = principal_items(m, r);
            // The `Deny` statements of the boundary and of the account's SCPs and RCPs name resources too:
            // removing `Deny s3:GetObject arn:aws:s3:::secret/*` from an SCP beside an `Allow s3:*` on `*`
            // changes the answer on `secret/…` only.
            let guards: Vec<Item<'_>> = boundary
                .into_iter()
                .flatten()
                .chain(
                    [OrgPolicyKind::Scp, OrgPolicyKind::Rcp]
                        .into_iter()
                        .flat_map(|kind| org_chain(m, &account, kind).into_iter().flatten())
                        .flatten()
                        .flatten(),
                )
                .collect();
            for (it, guard) in items
                .into_iter()
                .map(|it| (it, false))
                .chain(guards.into_iter().map(|it| (it, true)))
            {
                if let Item::Doc(d) = it {
                    let keys = keys.filter(|_| d.policy.supports_variables());
                    for s in &d.policy.statements {
                        if guard && s.effect.as_ref().map(|e| e.value) != Some(Effect::Deny) {
                            continue;
                        }
                        statement_candidates(s, "*", keys, &affected, &mut expand, &mut cands);
                    }
                }
            }
        }
        for (m, map, keys) in [
            (before, &rp_before, keys_before.as_ref()),
            (after, &rp_after, keys_after.as_ref()),
        ] {
            for (res, (_, r)) in map.iter() {
                if let Some(d) = rp_doc(m, *r) {
                    let keys = keys.filter(|_| d.policy.supports_variables());
                    for s in &d.policy.statements {
                        if may_name(s, &pair.arn, &account) {
                            statement_candidates(s, res, keys, &affected, &mut expand, &mut cands);
                        }
                    }
                }
            }
        }
        let mut actions: Vec<(String, Vec<String>)> =
            cands.into_iter().map(|(a, (list, _))| (a, list)).collect();
        actions.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (action, mut resources) in actions {
            let service = crate::arn::action_service(&action);
            if let Some(extra) = by_service.get(service) {
                // Looked up, not scanned: thousands of bucket policies and a hundred S3 actions per principal.
                let mut have: rustc_hash::FxHashSet<String> = resources.iter().cloned().collect();
                for r in extra {
                    if have.len() > opts.resources_per_action {
                        // Past the bound anyway: counted below without being copied.
                        counts.not_evaluated += 1;
                        continue;
                    }
                    if have.insert(r.clone()) {
                        resources.push(r.clone());
                    }
                }
            }
            if resources.len() > opts.resources_per_action {
                counts.not_evaluated += resources.len() - opts.resources_per_action;
                resources.truncate(opts.resources_per_action);
            }
            for resource in resources {
                if budget == 0 {
                    counts.not_evaluated += 1;
                    continue;
                }
                budget -= 1;
                counts.comparisons += 1;
                let account = owner(sb.model, sa.model, &resource);
                let b = state_of(&mut sb, pb.as_ref(), &action, &resource, account, &ov);
                let a = state_of(&mut sa, pa.as_ref(), &action, &resource, account, &ov);
                let kind = classify(&b, &a);
                if matches!(kind, Kind::Same) {
                    continue;
                }
                let row = make_row(
                    &pair.arn,
                    &action,
                    &resource,
                    b,
                    a,
                    &kind,
                    &escalation,
                    (before, pb.as_ref()),
                    (after, pa.as_ref()),
                    &ov,
                );
                col.push(kind, row);
            }
        }
    }

    // The resource side: resource and trust policies whose meaning changed.
    let mut risks: Vec<RiskItem> = Vec::new();
    let mut resource_docs: Vec<ResourceDoc<'_>> = Vec::new();
    {
        let mut keys: Vec<&String> = rp_before.keys().chain(rp_after.keys()).collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            let b = rp_before.get(k).and_then(|(_, r)| rp_doc(before, *r));
            let a = rp_after.get(k).and_then(|(_, r)| rp_doc(after, *r));
            let svc = rp_before
                .get(k)
                .or_else(|| rp_after.get(k))
                .map(|(s, _)| s.clone());
            resource_docs.push((k.clone(), b, a, svc));
        }
        for pair in &all {
            let b = trust(before, pair.before);
            let a = trust(after, pair.after);
            if b.is_some() || a.is_some() {
                resource_docs.push((pair.arn.clone(), b, a, None));
            }
        }
    }
    const TRUST_ACTIONS: [&str; 6] = [
        "sts:AssumeRole",
        "sts:AssumeRoleWithSAML",
        "sts:AssumeRoleWithWebIdentity",
        "sts:TagSession",
        "sts:SetSourceIdentity",
        "sts:SetContext",
    ];
    for (resource, db, da, service) in resource_docs {
        let same = match (db, da) {
            (Some(x), Some(y)) => canon::same(&mut sb.cache, before, x, &mut sa.cache, after, y),
            (None, None) => true,
            _ => false,
        };
        if same {
            continue;
        }
        counts.resources_changed += 1;
        let mut affected = Affected::default();
        let x = db
            .map(|d| sb.statements(&[Item::Doc(d)]))
            .unwrap_or_default();
        let y = da
            .map(|d| sa.statements(&[Item::Doc(d)]))
            .unwrap_or_default();
        let changed: Vec<&Statement> = {
            let mut counts_: FxHashMap<&str, i64> = FxHashMap::default();
            for (c, _) in &x {
                *counts_.entry(c.as_str()).or_default() += 1;
            }
            for (c, _) in &y {
                *counts_.entry(c.as_str()).or_default() -= 1;
            }
            x.iter()
                .chain(y.iter())
                .filter(|(c, _)| counts_.get(c.as_str()).is_some_and(|n| *n != 0))
                .filter_map(|(_, s)| *s)
                .collect()
        };
        delta(x.clone(), y.clone(), &mut affected);
        let mut actions: Vec<String> = Vec::new();
        let mut resources: Vec<String> = vec![resource.clone()];
        match &service {
            None => actions.extend(
                TRUST_ACTIONS
                    .iter()
                    .filter(|a| affected.matches(a))
                    .map(|a| a.to_string()),
            ),
            Some(svc) => {
                let pattern = format!("{svc}:*");
                for a in expand.get(&pattern).iter() {
                    if affected.matches(a) {
                        actions.push(a.clone());
                    }
                }
                let mut have: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
                have.insert(resource.as_str());
                let mut more: Vec<String> = Vec::new();
                for s in &changed {
                    if let Some(ResourceBlock::Resource(l)) = &s.resource {
                        for r in l.iter() {
                            if r != "*" && r.starts_with("arn:") && have.insert(r) {
                                more.push(r.to_string());
                            }
                        }
                    }
                }
                resources.extend(more);
            }
        }
        if resources.len() > opts.resources_per_action {
            // Said, not silent: the pairs left out count toward `not_evaluated` (the diff is then incomplete).
            counts.not_evaluated +=
                (resources.len() - opts.resources_per_action).saturating_mul(actions.len().max(1));
            resources.truncate(opts.resources_per_action);
        }
        for action in &actions {
            for res in &resources {
                // One who-can per snapshot costs about as much as a principal's comparisons.
                let cost = 64;
                if budget < cost {
                    counts.not_evaluated += 1;
                    continue;
                }
                budget -= cost;
                counts.comparisons += 1;
                let ctx = Context::default();
                let account = owner(before, after, res);
                let wb = who_can(before, action, res, account.map(str::to_string), &ctx, &ov);
                let wa = who_can(after, action, res, account.map(str::to_string), &ctx, &ov);
                let to_state = |o: Outcome| match o {
                    Outcome::AllowedAlways => State::Allowed,
                    Outcome::AllowedIf => State::AllowedIf,
                    Outcome::Unknown => State::Unknown,
                };
                let mut map: FxHashMap<String, (Answer, Answer)> = FxHashMap::default();
                for e in &wb.principals {
                    map.entry(e.principal.clone())
                        .or_insert(((State::Denied, Vec::new()), (State::Denied, Vec::new())))
                        .0 = (to_state(e.outcome), e.conditions.clone());
                }
                for e in &wa.principals {
                    map.entry(e.principal.clone())
                        .or_insert(((State::Denied, Vec::new()), (State::Denied, Vec::new())))
                        .1 = (to_state(e.outcome), e.conditions.clone());
                }
                let mut keys: Vec<String> = map.keys().cloned().collect();
                keys.sort_unstable();
                for k in keys {
                    let Some((mut b, mut a)) = map.remove(&k) else {
                        continue;
                    };
                    b.1.sort_unstable();
                    a.1.sort_unstable();
                    let kind = classify(&b, &a);
                    if matches!(kind, Kind::Same) {
                        continue;
                    }
                    let find = |m: &Model| {
                        m.by_arn(&k)
                            .filter(|r| matches!(r.kind, EntityKind::User | EntityKind::Role))
                            .and_then(|r| principal_of(m, r))
                    };
                    let pb = find(before);
                    let pa = find(after);
                    let row = make_row(
                        &k,
                        action,
                        res,
                        b,
                        a,
                        &kind,
                        &escalation,
                        (before, pb.as_ref()),
                        (after, pa.as_ref()),
                        &ov,
                    );
                    col.push(kind, row);
                }
            }
        }
        // Outside principals: proved on both snapshots.
        let zone = crate::eval::proof::Zone::Account;
        let eb = db.map(|_| crate::eval::proof::external_access(before, &resource, zone));
        let ea = da.map(|_| crate::eval::proof::external_access(after, &resource, zone));
        use crate::eval::proof::Reach;
        let reach_b = eb.as_ref().map(|p| p.reach);
        if let Some(pa) = &ea {
            match pa.reach {
                Reach::Reachable if reach_b != Some(Reach::Reachable) => {
                    for w in &pa.witnesses {
                        risks.push(RiskItem {
                            risk: Risk::External,
                            principal: w.principal.clone(),
                            detail: format!("{} on {resource} from outside the account", w.action),
                        });
                        col.push(
                            Kind::Gained,
                            AccessRow {
                                principal: w.principal.clone(),
                                action: w.action.clone(),
                                resource: resource.clone(),
                                conditions: w.conditions.clone(),
                                before: if reach_b == Some(Reach::Unknown) {
                                    State::Unknown
                                } else {
                                    State::Denied
                                },
                                after: if w.conditions.is_empty() {
                                    State::Allowed
                                } else {
                                    State::AllowedIf
                                },
                                before_conditions: Vec::new(),
                                risk: Risk::External,
                                unknown: Vec::new(),
                                covers: 0,
                            },
                        );
                    }
                }
                Reach::Unknown if reach_b != Some(Reach::Unknown) => col.push(
                    Kind::Uncertain,
                    AccessRow {
                        principal: "a principal outside the account".into(),
                        action: "*".into(),
                        resource: resource.clone(),
                        conditions: Vec::new(),
                        before: State::Denied,
                        after: State::Unknown,
                        before_conditions: Vec::new(),
                        risk: Risk::External,
                        unknown: pa.why.clone(),
                        covers: 0,
                    },
                ),
                _ => {}
            }
        }
        if let (Some(pb), Some(Reach::Reachable)) = (&eb, reach_b)
            && ea.as_ref().is_none_or(|p| p.reach == Reach::NotReachable)
        {
            for w in &pb.witnesses {
                col.push(
                    Kind::Lost,
                    AccessRow {
                        principal: w.principal.clone(),
                        action: w.action.clone(),
                        resource: resource.clone(),
                        conditions: w.conditions.clone(),
                        before: State::AllowedIf,
                        after: State::Denied,
                        before_conditions: Vec::new(),
                        risk: Risk::External,
                        unknown: Vec::new(),
                        covers: 0,
                    },
                );
            }
        }
    }

    // New administrators: their gained rows collapse into one.
    let mut gainers: Vec<String> = col
        .rows
        .values()
        .filter(|(k, _)| matches!(k, Kind::Gained))
        .map(|(_, r)| r.principal.clone())
        .collect();
    gainers.sort_unstable();
    gainers.dedup();
    for arn in gainers {
        let find = |m: &Model| {
            m.by_arn(&arn)
                .filter(|r| matches!(r.kind, EntityKind::User | EntityKind::Role))
                .and_then(|r| principal_of(m, r))
        };
        let Some(pa) = find(after) else { continue };
        if !is_admin(after, &pa, &ov) {
            continue;
        }
        if find(before).is_some_and(|pb| is_admin(before, &pb, &ov)) {
            continue;
        }
        let keys: Vec<RowKey> = col
            .rows
            .iter()
            .filter(|(_, (k, r))| matches!(k, Kind::Gained) && r.principal == arn)
            .map(|(key, _)| key.clone())
            .collect();
        let covers = keys.len();
        for k in keys {
            col.rows.remove(&k);
        }
        let (state, conditions) = state_of(&mut sa, Some(&pa), "*", "*", None, &ov);
        risks.push(RiskItem {
            risk: Risk::Admin,
            principal: arn.clone(),
            detail: "became administrator (every action on every resource)".into(),
        });
        col.push(
            Kind::Gained,
            AccessRow {
                principal: arn.clone(),
                action: "*".into(),
                resource: "*".into(),
                conditions,
                before: if find(before).is_some() {
                    State::Denied
                } else {
                    State::Absent
                },
                after: state,
                before_conditions: Vec::new(),
                risk: Risk::Admin,
                unknown: Vec::new(),
                covers,
            },
        );
    }

    // New escalation paths, on snapshots small enough to search whole.
    let n_b = all_principals(before).len();
    let n_a = all_principals(after).len();
    if counts.principals_changed + counts.resources_changed > 0
        && n_b.max(n_a) <= opts.escalation_limit
    {
        let reach = |m: &Model| -> FxHashMap<String, (u32, String)> {
            let mut g = crate::escalate::Graph::new(m, opts.now);
            let s = crate::escalate::search(&mut g, &crate::escalate::Target::Admin);
            let mut out = FxHashMap::default();
            for (i, r) in s.reach.iter().enumerate().take(g.nodes.len()) {
                if let Some((steps, _, edge)) = r {
                    let first = edge
                        .as_ref()
                        .map(|e| crate::escalate::explain(&g, e).summary)
                        .unwrap_or_default();
                    out.insert(g.arn(i as u32).to_string(), (*steps, first));
                }
            }
            out
        };
        let rb = reach(before);
        let ra = reach(after);
        let mut new: Vec<(&String, &(u32, String))> = ra
            .iter()
            .filter(|(arn, (steps, _))| *steps > 0 && !rb.contains_key(*arn))
            .collect();
        new.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (arn, (steps, first)) in new {
            risks.push(RiskItem {
                risk: Risk::Escalation,
                principal: arn.clone(),
                detail: format!("new path to administrator in {steps} step(s), first: {first}"),
            });
        }
    } else if counts.principals_changed + counts.resources_changed > 0 {
        risks.push(RiskItem {
            risk: Risk::Escalation,
            principal: String::new(),
            detail: format!(
                "escalation paths not compared: more than {} users and roles",
                opts.escalation_limit
            ),
        });
    }

    // Lists, most risky first, bounded.
    let mut out = AccessDiff::default();
    for (_, (kind, row)) in col.rows.drain() {
        match kind {
            Kind::Gained => out.gained.push(row),
            Kind::Lost => out.lost.push(row),
            Kind::ConditionsChanged => out.conditions_changed.push(row),
            Kind::Uncertain => out.uncertain.push(row),
            Kind::Same => {}
        }
    }
    counts.gained = out.gained.len();
    counts.lost = out.lost.len();
    counts.conditions_changed = out.conditions_changed.len();
    counts.uncertain = out.uncertain.len();
    for list in [
        &mut out.gained,
        &mut out.lost,
        &mut out.conditions_changed,
        &mut out.uncertain,
    ] {
        list.sort_by(|a, b| {
            a.risk
                .cmp(&b.risk)
                .then_with(|| a.principal.cmp(&b.principal))
                .then_with(|| a.action.cmp(&b.action))
                .then_with(|| a.resource.cmp(&b.resource))
        });
        if list.len() > opts.limit {
            counts.omitted += list.len() - opts.limit;
            list.truncate(opts.limit);
        }
    }
    risks.sort_by(|a, b| {
        a.risk
            .cmp(&b.risk)
            .then_with(|| a.principal.cmp(&b.principal))
    });
    (out, risks, counts)
}

#[allow(clippy::too_many_arguments)]
fn make_row(
    principal: &str,
    action: &str,
    resource: &str,
    b: (State, Vec<String>),
    a: (State, Vec<String>),
    kind: &Kind,
    escalation: &FxHashSet<String>,
    before: (&Model, Option<&Principal>),
    after: (&Model, Option<&Principal>),
    ov: &Overrides,
) -> AccessRow {
    let (conditions, before_conditions) = match kind {
        Kind::Lost => (b.1.clone(), Vec::new()),
        _ if b.1 != a.1 && !b.1.is_empty() => (a.1.clone(), b.1.clone()),
        _ => (a.1.clone(), Vec::new()),
    };
    let mut unknown = Vec::new();
    if matches!(kind, Kind::Uncertain) {
        let account = owner(before.0, after.0, resource);
        if b.0 == State::Unknown {
            unknown.extend(unknown_reasons(
                before.0, before.1, action, resource, account, ov,
            ));
        }
        if a.0 == State::Unknown {
            unknown.extend(unknown_reasons(
                after.0, after.1, action, resource, account, ov,
            ));
        }
        unknown.sort_unstable();
        unknown.dedup();
    }
    AccessRow {
        principal: principal.to_string(),
        action: action.to_string(),
        resource: resource.to_string(),
        conditions,
        before: b.0,
        after: a.0,
        before_conditions,
        risk: risk_of(action, escalation),
        unknown,
        covers: 0,
    }
}
