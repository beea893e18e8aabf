//! Privilege escalation: who can become administrator (or act as a given role, or do a given action), by which
//! steps, each step proved by the evaluator.
//!
//! The escalation graph has a node per user and role of the loaded accounts, and one more, "administrator",
//! for principals that can give themselves any permission. An edge P → Q says "P can act as Q" (or, to the
//! administrator node, "P can give itself every permission"); it carries the [technique](techniques) and the
//! requests it takes. Every request is decided by [`crate::eval`] with every layer (SCPs, RCPs, boundaries,
//! resource and trust policies, conditions) in its optimistic mode: a condition on a key the request leaves open
//! is assumed to hold and listed with the step.
//!
//! An edge is *possible* rather than certain when the evaluator is not certain (a policy is missing from the
//! snapshot) or when the technique needs something the export does not list (which Lambda functions or
//! instances run as the role); the step then says what would settle it.
//!
//! Paths are found backwards from the target (breadth-first, so they are shortest): first over certain edges,
//! then over possible ones for the principals not yet reached. Candidates for each edge come from an index of
//! the identity policies' `Allow` statements by action and resource pattern, so a principal none of whose
//! statements could grant a request is never evaluated for it.

pub mod lab;
pub mod techniques;

use crate::account::{EntityKind, EntityRef, Model, PolicyRef};
use crate::eval::condition::Context;
use crate::eval::engine::{Decision, Layer, Overrides, Verdict, decide_with, evaluate};
use crate::eval::index::Prefilter;
use crate::eval::request::{Principal, PrincipalType, Request};
use crate::eval::reverse::{all_principals, principal_of, role_edges};
use crate::policy::{ActionBlock, Effect, Policy, ResourceBlock};
use crate::wildcard::{action_matches, resource_matches};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::collections::VecDeque;
use techniques::{Applies, RoleNeed, SelfKind, TECHNIQUES, Technique, fill};

/// Actions a principal must be allowed on `*` to count as administrator: the literal `*` (an `Allow` of `*`
/// on `*`) and probes a `NotAction` statement or a targeted `Deny` would leave out (PowerUserAccess allows the
/// literal `*` through `NotAction: iam:*`, and is not administration). No probe needs a resource policy (a KMS
/// key's policy must always allow, so `kms:*` on `*` is never decided without the key).
pub const ADMIN_PROBES: [&str; 11] = [
    "*",
    "iam:PutRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:PassRole",
    "organizations:ListAccounts",
    "sts:AssumeRole",
    "s3:GetObject",
    "ec2:RunInstances",
    "lambda:CreateFunction",
    "secretsmanager:GetSecretValue",
];

/// What the paths lead to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Administrator: may do everything on everything (see [`ADMIN_PROBES`]).
    Admin,
    /// Acting as this user or role.
    Principal(EntityRef),
    /// Being allowed this action on this resource.
    Action {
        /// `service:Action`.
        action: String,
        /// The resource ARN.
        resource: String,
    },
}

impl Target {
    /// Read `admin`, a user or role ARN (or unique name), or `ACTION:RESOURCE` (`s3:GetObject:arn:aws:s3:::b/k`).
    pub fn parse(spec: &str, model: &Model) -> Result<Target, String> {
        let spec = spec.trim();
        if spec.eq_ignore_ascii_case("admin") || spec.eq_ignore_ascii_case("administrator") {
            return Ok(Target::Admin);
        }
        if !spec.starts_with("arn:") {
            // `service:Action:resource`.
            let mut parts = spec.splitn(3, ':');
            if let (Some(svc), Some(act), Some(resource)) =
                (parts.next(), parts.next(), parts.next())
                && !svc.is_empty()
                && !act.is_empty()
                && !resource.is_empty()
                && !svc.contains('/')
            {
                return Ok(Target::Action {
                    action: format!("{svc}:{act}"),
                    resource: resource.to_string(),
                });
            }
        }
        let p = Principal::resolve(spec, model)?;
        match (p.kind, p.entity) {
            (PrincipalType::User | PrincipalType::Role, Some(r)) => Ok(Target::Principal(r)),
            (PrincipalType::User | PrincipalType::Role, None) => Err(format!(
                "`{spec}` is not a user or role of the loaded accounts"
            )),
            _ => Err(format!(
                "`{spec}`: the target is `admin`, a user or role ARN, or ACTION:RESOURCE"
            )),
        }
    }

    /// How the target is shown.
    pub fn label(&self, model: &Model) -> String {
        match self {
            Target::Admin => "admin".into(),
            Target::Principal(r) => model.describe(*r).1,
            Target::Action { action, resource } => format!("{action}:{resource}"),
        }
    }
}

/// One edge of the escalation graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// Who (node index).
    pub from: u32,
    /// Whom it acts as (node index; [`Graph::admin_node`] for self-granted administrator).
    pub to: u32,
    /// Index into [`TECHNIQUES`].
    pub technique: u16,
    /// The ARN the technique writes to, when not the target (the group, the policy).
    pub object: Option<String>,
    /// Every request is certainly allowed and nothing the export lacks is needed.
    pub certain: bool,
    /// Why it is only possible (what would settle it).
    pub settle: Option<String>,
    /// Requests (by index) decided on a resource the caller's own statements name rather than the default.
    pub chosen: Vec<(u8, String)>,
}

/// Facts about one role the techniques need.
#[derive(Clone, Debug, Default)]
struct RoleFacts {
    /// Services its trust policy lets assume it (decided by the evaluator), with certainty.
    services: Vec<(&'static str, bool)>,
    /// An instance profile holds it.
    has_profile: bool,
    /// Loaded principals its trust policy names by ARN.
    named: Vec<u32>,
    /// Its trust policy may let any AWS principal assume it (`*`, `NotPrincipal`, or it is unknown).
    any_caller: bool,
    /// Accounts its trust policy names as a whole (their principals need identity permission too).
    accounts: Vec<String>,
}

/// Index of the identity policies' `Allow` statements: per action of the techniques, resource pattern →
/// principals whose statements allow the action on that pattern.
struct Index {
    actions: Vec<&'static str>,
    /// Per action: (pattern, principals).
    patterns: Vec<Vec<(String, Vec<u32>)>>,
    /// Principals with a policy missing from the snapshot: candidates for everything.
    unknown: Vec<u32>,
    /// Per principal: bit per action (any pattern).
    caps: Vec<u128>,
    /// Per principal: its (action bit, pattern id) grants.
    own: Vec<Vec<(u8, u32)>>,
    /// Pattern texts by id.
    names: Vec<String>,
    /// Per principal: bit per action it is denied on every resource (an unconditional `Deny` on `*` in its
    /// identity policies, or a permissions boundary none of whose `Allow` statements names the action).
    denied: Vec<u128>,
}

impl Index {
    fn action_index(&self, action: &str) -> Option<usize> {
        self.actions
            .iter()
            .position(|a| a.eq_ignore_ascii_case(action))
    }

    /// Principals whose statements could allow `action` on `resource` (sorted, unique).
    /// With `shape`, principals whose patterns name a resource of that shape count too (see
    /// [`Graph::decide_all`]).
    fn candidates(&self, action: &str, resource: &str, shape: Option<&str>, out: &mut Vec<u32>) {
        out.clear();
        let Some(ai) = self.action_index(action) else {
            return;
        };
        if let Some(list) = self.patterns.get(ai) {
            for (pattern, who) in list {
                if crate::policy::variables::has_variable(pattern)
                    || resource_matches(pattern, resource)
                    || shape.is_some_and(|sh| resource_matches(sh, &concrete(pattern)))
                    // Names the resource only when a wildcard covers a `:` of its resource part: the
                    // evaluator reads that in doubt, so the principal is asked about.
                    || (crate::wildcard::colon_in_resource_part(resource)
                        && crate::wildcard::may_read_differently(pattern, resource)
                        && crate::wildcard::resource_matches_whole(pattern, resource))
                {
                    out.extend_from_slice(who);
                }
            }
        }
        out.extend_from_slice(&self.unknown);
        out.sort_unstable();
        out.dedup();
    }

    fn has(&self, node: u32, action: &str) -> bool {
        match (self.action_index(action), self.caps.get(node as usize)) {
            (Some(ai), Some(c)) => c & (1u128 << ai) != 0,
            _ => false,
        }
    }
}

/// A resource a pattern names (its wildcards replaced by `x`).
fn concrete(pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| if c == '*' || c == '?' { 'x' } else { c })
        .collect()
}

/// Does this user or role hold a policy the snapshot lacks (so that its statements are unknown)?
fn has_unknown_policy(model: &Model, r: EntityRef) -> bool {
    let Some(a) = model.accounts.get(r.account as usize) else {
        return true;
    };
    let missing =
        |att: &[crate::account::Attachment]| att.iter().any(|x| x.target == PolicyRef::Missing);
    match r.kind {
        EntityKind::User => a.users.get(r.index as usize).is_none_or(|u| {
            missing(&u.attached)
                || u.groups
                    .iter()
                    .any(|g| a.group(g).is_none_or(|g| missing(&g.attached)))
        }),
        EntityKind::Role => a
            .roles
            .get(r.index as usize)
            .is_none_or(|role| missing(&role.attached)),
        _ => true,
    }
}

/// (action bit, resource pattern) of a policy's `Allow` statements, for the actions of the techniques.
fn policy_grants(policy: &Policy, actions: &[&'static str]) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    for s in &policy.statements {
        if s.effect.as_ref().map(|e| e.value) != Some(Effect::Allow) {
            continue;
        }
        let Some(block) = &s.action else { continue };
        let resources: Vec<String> = match &s.resource {
            Some(ResourceBlock::Resource(l)) => l.iter().map(str::to_string).collect(),
            // NotResource, or none: any resource may be meant (the evaluator decides).
            _ => vec!["*".into()],
        };
        for (i, a) in actions.iter().enumerate() {
            let hit = match block {
                ActionBlock::Action(l) => l.iter().any(|p| action_matches(p, a)),
                ActionBlock::NotAction(l) => !l.iter().any(|p| action_matches(p, a)),
            };
            if hit {
                for r in &resources {
                    out.push((i as u8, r.clone()));
                }
            }
        }
    }
    out
}

fn build_index(model: &Model, principals: &[Principal]) -> Index {
    let mut actions: Vec<&'static str> = Vec::new();
    for t in TECHNIQUES {
        for r in t.requests {
            if !actions.iter().any(|a| a.eq_ignore_ascii_case(r.action)) {
                actions.push(r.action);
            }
        }
    }
    // Patterns are interned: principals share managed policies and their patterns.
    let mut pattern_ids: FxHashMap<String, u32> = FxHashMap::default();
    let mut per_policy: FxHashMap<usize, Vec<(u8, u32)>> = FxHashMap::default();
    let mut maps: Vec<FxHashMap<u32, Vec<u32>>> = vec![FxHashMap::default(); actions.len()];
    let mut unknown = Vec::new();
    let mut caps = vec![0u128; principals.len()];
    let mut seen: FxHashSet<(u8, u32)> = FxHashSet::default();
    let mut own: Vec<Vec<(u8, u32)>> = vec![Vec::new(); principals.len()];
    for (i, p) in principals.iter().enumerate() {
        let node = i as u32;
        if p.entity.is_none_or(|r| has_unknown_policy(model, r)) {
            unknown.push(node);
            if let Some(c) = caps.get_mut(i) {
                *c = u128::MAX;
            }
        }
        seen.clear();
        for doc in crate::eval::engine::identity_documents(model, p) {
            let grants = per_policy
                .entry(doc as *const Policy as usize)
                .or_insert_with(|| {
                    policy_grants(doc, &actions)
                        .into_iter()
                        .map(|(bit, pattern)| {
                            let n = pattern_ids.len() as u32;
                            (bit, *pattern_ids.entry(pattern).or_insert(n))
                        })
                        .collect()
                });
            for &(bit, pid) in grants.iter() {
                if seen.insert((bit, pid)) {
                    if let Some(o) = own.get_mut(i) {
                        o.push((bit, pid));
                    }
                    if let Some(c) = caps.get_mut(i) {
                        *c |= 1u128 << bit;
                    }
                    if let Some(m) = maps.get_mut(bit as usize) {
                        m.entry(pid).or_default().push(node);
                    }
                }
            }
        }
    }
    // Actions denied on every resource, whatever the request.
    let mut denied = vec![0u128; principals.len()];
    let mut deny_cache: FxHashMap<usize, u128> = FxHashMap::default();
    let mut allow_cache: FxHashMap<usize, u128> = FxHashMap::default();
    for (i, p) in principals.iter().enumerate() {
        let mut bits = 0u128;
        for doc in crate::eval::engine::identity_documents(model, p) {
            bits |= *deny_cache
                .entry(doc as *const Policy as usize)
                .or_insert_with(|| unconditional_denies(doc, &actions));
        }
        if let Some(b) = p.entity.and_then(|r| boundary_of(model, r)) {
            let allowed = *allow_cache
                .entry(b as *const Policy as usize)
                .or_insert_with(|| {
                    policy_grants(b, &actions)
                        .iter()
                        .fold(0u128, |acc, (bit, _)| acc | (1u128 << bit))
                });
            bits |= !allowed;
        }
        if let Some(d) = denied.get_mut(i) {
            *d = bits;
        }
    }
    let mut names: Vec<String> = vec![String::new(); pattern_ids.len()];
    for (text, id) in pattern_ids {
        if let Some(slot) = names.get_mut(id as usize) {
            *slot = text;
        }
    }
    let patterns = maps
        .into_iter()
        .map(|m| {
            m.into_iter()
                .map(|(pid, who)| (names.get(pid as usize).cloned().unwrap_or_default(), who))
                .collect()
        })
        .collect();
    Index {
        actions,
        patterns,
        unknown,
        caps,
        own,
        names,
        denied,
    }
}

/// Bits of the actions an unconditional `Deny` statement of `policy` denies on every resource.
fn unconditional_denies(policy: &Policy, actions: &[&'static str]) -> u128 {
    let mut bits = 0u128;
    for s in &policy.statements {
        if s.effect.as_ref().map(|e| e.value) != Some(Effect::Deny) || !s.conditions.is_empty() {
            continue;
        }
        let every_resource = match &s.resource {
            Some(ResourceBlock::Resource(l)) => l.iter().any(|p| p == "*"),
            _ => false,
        };
        if !every_resource {
            continue;
        }
        for (i, a) in actions.iter().enumerate() {
            let hit = match &s.action {
                Some(ActionBlock::Action(l)) => l.iter().any(|p| action_matches(p, a)),
                Some(ActionBlock::NotAction(l)) => !l.iter().any(|p| action_matches(p, a)),
                None => false,
            };
            if hit {
                bits |= 1u128 << i;
            }
        }
    }
    bits
}

/// The permissions boundary of a user or role, when it has one and the snapshot holds it.
fn boundary_of(model: &Model, r: EntityRef) -> Option<&Policy> {
    let a = model.accounts.get(r.account as usize)?;
    let b = match r.kind {
        EntityKind::User => a.users.get(r.index as usize)?.boundary.as_ref()?,
        EntityKind::Role => a.roles.get(r.index as usize)?.boundary.as_ref()?,
        _ => return None,
    };
    model
        .resolve(r.account, b.target)
        .and_then(|p| p.default_doc())
        .map(|d| &d.policy)
}

/// True when some `Allow` statement of `policy` grants the literal `*` on `*` without conditions.
fn grants_everything(policy: &Policy) -> bool {
    policy.statements.iter().any(|s| {
        s.effect.as_ref().map(|e| e.value) == Some(Effect::Allow)
            && s.conditions.is_empty()
            && matches!(&s.action, Some(ActionBlock::Action(l)) if l.iter().any(|p| p == "*"))
            && matches!(&s.resource, Some(ResourceBlock::Resource(l)) if l.iter().any(|p| p == "*"))
    })
}

/// The optimistic overrides every request of the analysis uses.
fn optimistic(now: Option<crate::time::Timestamp>) -> Overrides {
    Overrides {
        optimistic: true,
        now,
        ..Overrides::default()
    }
}

/// The escalation graph of a model, built lazily: edges into a node are computed when a search first needs
/// them.
pub struct Graph<'m> {
    model: &'m Model,
    /// Users and roles: node `i` is `nodes[i]`.
    pub nodes: Vec<EntityRef>,
    principals: Vec<Principal>,
    index: Index,
    roles: FxHashMap<u32, RoleFacts>,
    /// Per node: `Some(certain)` when it is administrator.
    admin: Vec<Option<bool>>,
    self_edges: Option<Vec<Edge>>,
    into: FxHashMap<u32, Vec<Edge>>,
    overrides: Overrides,
    prefilters: Vec<Prefilter>,
    by_arn: FxHashMap<String, u32>,
    /// Candidates per (action, resource).
    cand_cache: FxHashMap<(usize, String), std::rc::Rc<Vec<u32>>>,
    /// Target-independent requests: id per (action, resource, context).
    req_ids: FxHashMap<String, u32>,
    /// Decisions of target-independent requests per (principal, request id): `Some(certain)` when allowed.
    memo: FxHashMap<(u32, u32), Allowed>,
    /// Evaluate every principal for every edge (no index, no prefilters): for tests that check the shortcuts.
    exhaustive: bool,
}

/// A request allowed: `Some((certain, the resource it was decided on when not the default))`.
type Allowed = Option<(bool, Option<String>)>;

/// Requests of one technique for one target, with the prefilters' strings fixed.
struct Prepared {
    requests: Vec<Request>,
    /// Per request: a memo key when the request does not depend on the target (its decision for a principal
    /// is the same for every target).
    keys: Vec<Option<u32>>,
    /// Per target-independent request whose resource the caller names (a new function, any instance): the
    /// shape of the resources that would do (`arn:aws:lambda:*:111122223333:function:*`).
    shapes: Vec<Option<String>>,
    /// Per request: not needed here (see [`techniques::Req::unless_role`]).
    skip: Vec<bool>,
}

/// Is request `r` needed in `account` (a service-linked role it would create may exist already)?
fn request_needed(model: &Model, r: &techniques::Req, account: &str) -> bool {
    r.unless_role.is_none_or(|name| {
        model
            .account(account)
            .is_none_or(|a| a.role(name).is_none())
    })
}

impl<'m> Graph<'m> {
    /// Index the model's users and roles and decide who is administrator.
    pub fn new(model: &'m Model, now: Option<crate::time::Timestamp>) -> Graph<'m> {
        Graph::with_mode(model, now, false)
    }

    /// A graph that evaluates every principal for every edge, without the index and the shortcuts that skip
    /// principals nothing could allow (quadratic: for tests that check those shortcuts drop no edge).
    pub fn exhaustive(model: &'m Model, now: Option<crate::time::Timestamp>) -> Graph<'m> {
        Graph::with_mode(model, now, true)
    }

    fn with_mode(
        model: &'m Model,
        now: Option<crate::time::Timestamp>,
        exhaustive: bool,
    ) -> Graph<'m> {
        let nodes = all_principals(model);
        let principals: Vec<Principal> = nodes
            .iter()
            .filter_map(|r| principal_of(model, *r))
            .collect();
        // `principal_of` only fails on a dangling reference, which `all_principals` never makes.
        let nodes: Vec<EntityRef> = principals.iter().filter_map(|p| p.entity).collect();
        let index = build_index(model, &principals);
        let by_arn = principals
            .iter()
            .enumerate()
            .map(|(i, p)| (p.arn.clone(), i as u32))
            .collect();
        let mut g = Graph {
            model,
            nodes,
            principals,
            index,
            roles: FxHashMap::default(),
            admin: Vec::new(),
            self_edges: None,
            into: FxHashMap::default(),
            overrides: optimistic(now),
            prefilters: (0..ADMIN_PROBES.len().max(4))
                .map(|_| Prefilter::default())
                .collect(),
            by_arn,
            cand_cache: FxHashMap::default(),
            req_ids: FxHashMap::default(),
            memo: FxHashMap::default(),
            exhaustive,
        };
        g.admin = g.compute_admins();
        g
    }

    /// The node that stands for "gave itself every permission".
    pub fn admin_node(&self) -> u32 {
        self.nodes.len() as u32
    }

    /// The node of a user or role.
    pub fn node_of(&self, r: EntityRef) -> Option<u32> {
        self.principals
            .iter()
            .position(|p| p.entity == Some(r))
            .map(|i| i as u32)
    }

    /// The node with this ARN.
    pub fn node_by_arn(&self, arn: &str) -> Option<u32> {
        self.by_arn.get(arn).copied()
    }

    /// The ARN of a node (`administrator` for the administrator node).
    pub fn arn(&self, node: u32) -> &str {
        self.principals
            .get(node as usize)
            .map(|p| p.arn.as_str())
            .unwrap_or("administrator")
    }

    /// `Some(certain)` when the node is administrator (see [`ADMIN_PROBES`]).
    pub fn is_admin(&self, node: u32) -> Option<bool> {
        self.admin.get(node as usize).copied().flatten()
    }

    fn account_of(&self, node: u32) -> Option<u32> {
        self.nodes.get(node as usize).map(|r| r.account)
    }

    fn compute_admins(&mut self) -> Vec<Option<bool>> {
        let mut out = vec![None; self.principals.len()];
        let mut requests: Vec<Request> = ADMIN_PROBES
            .iter()
            .map(|a| Request {
                principal: Principal {
                    kind: PrincipalType::Anonymous,
                    arn: "*".into(),
                    account: None,
                    entity: None,
                    role_arn: None,
                    session: None,
                    stand_in: false,
                    outsider: None,
                },
                action: (*a).to_string(),
                resource: "*".into(),
                resource_account: None,
                context: Context::new(),
            })
            .collect();
        for (i, p) in self.principals.iter().enumerate() {
            if !self.exhaustive
                && !self.index.has(i as u32, "iam:PassRole")
                && !self.index.unknown.contains(&(i as u32))
            {
                // Without even `iam:PassRole` on some resource no statement grants `*`.
                continue;
            }
            let mut certain = true;
            let mut all = true;
            for (k, req) in requests.iter_mut().enumerate() {
                req.principal = p.clone();
                req.resource_account = p.account.clone();
                let Some(pf) = self.prefilters.get_mut(k) else {
                    all = false;
                    break;
                };
                let q = decide_with(self.model, req, &self.overrides, pf);
                // A denial that is not certain (a policy it needs was not read) may be an Allow: the principal
                // *may* be administrator, and is kept as such (uncertain), never dropped.
                if q.decision != Decision::Allow && q.certain {
                    all = false;
                    break;
                }
                certain &= q.certain;
            }
            if all && let Some(slot) = out.get_mut(i) {
                *slot = Some(certain);
            }
        }
        out
    }

    /// Would `node` be administrator if its identity policies allowed everything (and, with
    /// `boundary_lifted`, without its permissions boundary)? Decided from the evaluator's verdict per layer on
    /// each probe: no layer but the identity one may deny, and the SCPs and the boundary must allow.
    fn would_be_admin(&self, node: u32, boundary_lifted: bool) -> Option<bool> {
        let p = self.principals.get(node as usize)?;
        let mut certain = true;
        for a in ADMIN_PROBES {
            let req = Request {
                principal: p.clone(),
                action: a.to_string(),
                resource: "*".into(),
                resource_account: p.account.clone(),
                context: Context::new(),
            };
            let r = evaluate(self.model, &req, &self.overrides);
            certain &= r.certain;
            for l in &r.layers {
                let ok = match l.layer {
                    Layer::Identity => l.verdict != Verdict::ExplicitDeny,
                    Layer::Boundary if boundary_lifted => true,
                    Layer::Scp | Layer::Rcp | Layer::Boundary | Layer::Session => {
                        matches!(l.verdict, Verdict::Allow | Verdict::NotApplicable)
                    }
                    Layer::Resource | Layer::Trust => l.verdict != Verdict::ExplicitDeny,
                };
                // A layer not fully read may let it through: possible, not dropped.
                if !ok && !l.uncertain {
                    return None;
                }
                certain &= ok;
            }
        }
        Some(certain)
    }

    /// Facts about a role node (computed once).
    fn role_facts(&mut self, node: u32) -> RoleFacts {
        if let Some(f) = self.roles.get(&node) {
            return f.clone();
        }
        let mut facts = RoleFacts::default();
        if let Some(r) = self.nodes.get(node as usize).copied()
            && r.kind == EntityKind::Role
            && let Some(acc) = self.model.accounts.get(r.account as usize)
            && let Some(role) = acc.roles.get(r.index as usize)
        {
            facts.has_profile = !role.instance_profiles.is_empty();
            let mut edges = Vec::new();
            role_edges(acc, role, &mut edges);
            let mut services: Vec<&'static str> = Vec::new();
            for t in TECHNIQUES {
                if let Applies::ToRole(
                    RoleNeed::Service(s)
                    | RoleNeed::ServiceWithProfile(s)
                    | RoleNeed::ServiceWithoutProfile(s),
                ) = t.applies
                    && !services.contains(&s)
                {
                    services.push(s);
                }
            }
            for e in &edges {
                if let Some(n) = self.by_arn.get(&e.from) {
                    facts.named.push(*n);
                } else if e.from == "*" {
                    facts.any_caller = true;
                } else if let Some(a) = e.from.strip_prefix("account ") {
                    facts.accounts.push(a.to_string());
                }
            }
            // Callers the edges above cannot describe: an unknown trust policy, `NotPrincipal`.
            facts.any_caller |= role.trust.as_ref().is_none_or(|t| {
                t.policy
                    .statements
                    .iter()
                    .any(|st| st.principal.as_ref().is_some_and(|b| b.not))
            });
            let mentioned = |s: &str| {
                edges
                    .iter()
                    .any(|e| e.from == "*" || e.from.strip_prefix("service ") == Some(s))
            };
            for s in services {
                if !mentioned(s) {
                    continue;
                }
                let req = Request {
                    principal: Principal {
                        kind: PrincipalType::Service,
                        arn: s.to_string(),
                        account: None,
                        entity: None,
                        role_arn: None,
                        session: None,
                        stand_in: false,
                        outsider: None,
                    },
                    action: "sts:AssumeRole".into(),
                    resource: role.arn.to_string(),
                    resource_account: None,
                    context: Context::new(),
                };
                let mut pf = Prefilter::default();
                let q = decide_with(self.model, &req, &self.overrides, &mut pf);
                if q.decision == Decision::Allow || !q.certain {
                    facts.services.push((s, q.certain));
                }
            }
        }
        self.roles.insert(node, facts.clone());
        facts
    }

    fn prepare(
        &mut self,
        t: &Technique,
        target_arn: &str,
        account: &str,
        principal: &Principal,
    ) -> Prepared {
        let keys: Vec<Option<u32>> = t
            .requests
            .iter()
            .map(|r| {
                let dependent = r.resource.contains("{target}")
                    || r.context.iter().any(|(_, v)| v.contains("{target}"));
                if dependent {
                    return None;
                }
                let mut k = format!("{}\0{}", r.action, fill(r.resource, target_arn, account));
                for (key, v) in r.context {
                    k.push('\0');
                    k.push_str(key);
                    k.push('=');
                    k.push_str(v);
                }
                let n = self.req_ids.len() as u32;
                Some(*self.req_ids.entry(k).or_insert(n))
            })
            .collect();
        let shapes = t
            .requests
            .iter()
            .zip(&keys)
            .map(|(r, k)| {
                (k.is_some() && r.resource != "*" && r.resource.contains('{')).then(|| {
                    fill(r.resource, target_arn, account)
                        .replace("us-east-1", "*")
                        .replace("iam-atlas-escalation", "*")
                })
            })
            .collect();
        let skip = t
            .requests
            .iter()
            .map(|r| !request_needed(self.model, r, account))
            .collect();
        Prepared {
            keys,
            shapes,
            skip,
            requests: t
                .requests
                .iter()
                .map(|r| {
                    let mut context = Context::new();
                    for (k, v) in r.context {
                        context.add(k, fill(v, target_arn, account));
                    }
                    Request {
                        principal: principal.clone(),
                        action: r.action.to_string(),
                        resource: fill(r.resource, target_arn, account),
                        resource_account: Some(account.to_string()),
                        context,
                    }
                })
                .collect(),
        }
    }

    /// Decide every request of `prep` for `node`: `Some(certain, resources chosen)` when all are allowed.
    ///
    /// A request on a resource the caller picks (a function it creates, any instance) is first decided on the
    /// default name; when that is denied, on the resources the caller's own statements name for the action
    /// that have the right shape (a policy for `function:webshop-*` in `eu-west-1` allows such a function).
    fn decide_all(
        &mut self,
        prep: &mut Prepared,
        node: u32,
        skip_second_trust: bool,
    ) -> Option<(bool, Vec<(u8, String)>)> {
        let p = self.principals.get(node as usize)?;
        let mut certain = true;
        let mut chosen: Vec<(u8, String)> = Vec::new();
        let n = prep.requests.len();
        // Target-independent requests first: their decisions are remembered per principal.
        for pass in 0..2 {
            for (k, req) in prep.requests.iter_mut().enumerate() {
                let key = prep.keys.get(k).copied().flatten();
                if (pass == 0) != key.is_some() || prep.skip.get(k).copied().unwrap_or(false) {
                    continue;
                }
                if let Some(key) = key
                    && let Some(m) = self.memo.get(&(node, key))
                {
                    let (c, r) = m.clone()?;
                    certain &= c;
                    if let Some(r) = r {
                        chosen.push((k as u8, r));
                    }
                    continue;
                }
                req.principal = p.clone();
                let mut allowed = if skip_second_trust && k + 1 == n {
                    // sts:AssumeRole after the trust policy was rewritten to name the caller.
                    self.assume_after_rewrite(req).map(|c| (c, None))
                } else {
                    let pf = self.prefilters.get_mut(k)?;
                    let q = decide_with(self.model, req, &self.overrides, pf);
                    // Not certain either way: a possible edge (uncertain), never a dropped one.
                    (q.decision == Decision::Allow || !q.certain).then_some((q.certain, None))
                };
                if allowed.is_none()
                    && let Some(Some(shape)) = prep.shapes.get(k)
                {
                    allowed = self.decide_on_own_resources(req, node, shape);
                }
                if let Some(key) = key {
                    self.memo.insert((node, key), allowed.clone());
                }
                let (c, r) = allowed?;
                certain &= c;
                if let Some(r) = r {
                    chosen.push((k as u8, r));
                }
            }
        }
        Some((certain, chosen))
    }

    /// Decide `req` on the resources of `shape` the caller's own statements name for its action (at most a
    /// few): `Some((certain, Some(resource)))` for the first allowed.
    fn decide_on_own_resources(
        &self,
        req: &Request,
        node: u32,
        shape: &str,
    ) -> Option<(bool, Option<String>)> {
        let bit = self.index.action_index(&req.action)? as u8;
        let own = self.index.own.get(node as usize)?;
        let mut tried = 0;
        for (b, pid) in own {
            if *b != bit {
                continue;
            }
            let Some(pattern) = self.index.names.get(*pid as usize) else {
                continue;
            };
            if pattern == "*" || crate::policy::variables::has_variable(pattern) {
                continue;
            }
            let concrete = concrete(pattern);
            if !resource_matches(shape, &concrete) {
                continue;
            }
            tried += 1;
            if tried > 4 {
                break;
            }
            let mut r = req.clone();
            r.resource = concrete;
            let (d, c) = crate::eval::engine::decide(self.model, &r, &self.overrides);
            if d == Decision::Allow || !c {
                return Some((c && d == Decision::Allow, Some(r.resource)));
            }
        }
        None
    }

    /// `sts:AssumeRole` once the caller has rewritten the role's trust policy to name it (same account): the
    /// trust layer then allows; every other layer still applies as the evaluator decides it. A user named by
    /// ARN in a same-account trust policy needs no identity permission and is not limited by an implicit deny
    /// of its boundary; a role session is
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html>).
    fn assume_after_rewrite(&self, req: &Request) -> Option<bool> {
        let r = evaluate(self.model, req, &self.overrides);
        let mut certain = r.certain;
        let is_role = req.principal.kind == PrincipalType::Role;
        for l in &r.layers {
            let ok = match l.layer {
                Layer::Trust | Layer::Resource => true,
                Layer::Identity => l.verdict != Verdict::ExplicitDeny,
                Layer::Boundary if is_role => {
                    matches!(l.verdict, Verdict::Allow | Verdict::NotApplicable)
                }
                Layer::Boundary | Layer::Session => l.verdict != Verdict::ExplicitDeny,
                Layer::Scp | Layer::Rcp => {
                    matches!(l.verdict, Verdict::Allow | Verdict::NotApplicable)
                }
            };
            // A layer not fully read may let it through: possible, not dropped.
            if !ok && !l.uncertain {
                return None;
            }
            certain &= ok;
        }
        Some(certain)
    }

    /// Bits of the actions a technique's requests need (the last `sts:AssumeRole` of a trust rewrite is decided
    /// without the identity side, so it is left out there).
    fn technique_mask(&self, t: &Technique) -> u128 {
        let n = t.requests.len();
        t.requests
            .iter()
            .enumerate()
            .filter(|(k, r)| {
                !(t.id == "iam:UpdateAssumeRolePolicy" && k + 1 == n) && r.unless_role.is_none()
            })
            .filter_map(|(_, r)| self.index.action_index(r.action))
            .fold(0u128, |acc, i| acc | (1u128 << i))
    }

    /// Candidates allowed by the index for every request of `t` on `target_arn` (sorted).
    fn candidates_for(&mut self, t: &Technique, target_arn: &str, account: &str) -> Vec<u32> {
        let mut lists: Vec<std::rc::Rc<Vec<u32>>> = Vec::with_capacity(t.requests.len());
        let n = t.requests.len();
        for (k, r) in t.requests.iter().enumerate() {
            // The caller assumes the role it named in the trust policy it rewrote: no identity grant needed.
            if !request_needed(self.model, r, account)
                || (t.id == "iam:UpdateAssumeRolePolicy" && k + 1 == n)
            {
                continue;
            }
            let resource = fill(r.resource, target_arn, account);
            let Some(ai) = self.index.action_index(r.action) else {
                return Vec::new();
            };
            let dependent = r.resource.contains("{target}");
            let shape = (!dependent && r.resource != "*" && r.resource.contains('{')).then(|| {
                resource
                    .replace("us-east-1", "*")
                    .replace("iam-atlas-escalation", "*")
            });
            let key = (ai, resource);
            let list = match self.cand_cache.get(&key) {
                Some(l) => l.clone(),
                None => {
                    let mut buf = Vec::new();
                    self.index
                        .candidates(r.action, &key.1, shape.as_deref(), &mut buf);
                    let l = std::rc::Rc::new(buf);
                    self.cand_cache.insert(key, l.clone());
                    l
                }
            };
            if list.is_empty() {
                return Vec::new();
            }
            lists.push(list);
        }
        lists.sort_by_key(|l| l.len());
        let Some((first, rest)) = lists.split_first() else {
            return Vec::new();
        };
        first
            .iter()
            .copied()
            .filter(|x| rest.iter().all(|l| l.binary_search(x).is_ok()))
            .collect()
    }

    /// Edges into `node` from principals not in `skip`. Cached: a second call returns the first answer.
    pub fn edges_into(&mut self, node: u32, skip: &[bool]) -> Vec<Edge> {
        if let Some(e) = self.into.get(&node) {
            return e.clone();
        }
        let edges = if node == self.admin_node() {
            self.self_edges(skip)
        } else {
            self.compute_into(node, skip)
        };
        self.into.insert(node, edges.clone());
        edges
    }

    fn compute_into(&mut self, node: u32, skip: &[bool]) -> Vec<Edge> {
        let mut out = Vec::new();
        let Some(r) = self.nodes.get(node as usize).copied() else {
            return out;
        };
        let Some(target) = self.principals.get(node as usize).cloned() else {
            return out;
        };
        let account = target.account.clone().unwrap_or_default();
        let facts = if r.kind == EntityKind::Role {
            Some(self.role_facts(node))
        } else {
            None
        };
        let report_row = self.model.accounts.get(r.account as usize).and_then(|a| {
            let name = a.users.get(r.index as usize)?.name.to_string();
            Some(
                a.credential_report
                    .as_ref()
                    .map(|c| c.row(&name).map(|row| row.password_enabled)),
            )
        });
        for (ti, t) in TECHNIQUES.iter().enumerate() {
            let mut settle: Option<String> = t.existing.map(str::to_string);
            let mut need_certain = true;
            match (t.applies, r.kind, &facts) {
                (Applies::ToUser, EntityKind::User, _) => {
                    // Console passwords: CreateLoginProfile needs none, UpdateLoginProfile needs one.
                    let has_password = match report_row {
                        Some(Some(Some(p))) => p,
                        Some(Some(None)) => None,
                        _ => None,
                    };
                    match (t.id, has_password) {
                        ("iam:CreateLoginProfile", Some(true)) => continue,
                        ("iam:UpdateLoginProfile", Some(false)) => continue,
                        ("iam:CreateLoginProfile" | "iam:UpdateLoginProfile", None) => {
                            settle = Some(
                                "whether the user has a console password (the credential report's `password_enabled`)"
                                    .into(),
                            );
                        }
                        _ => {}
                    }
                }
                (Applies::ToRole(need), EntityKind::Role, Some(f)) => {
                    let service = match need {
                        RoleNeed::Nothing => None,
                        RoleNeed::Service(s) => Some(s),
                        RoleNeed::ServiceWithProfile(s) => {
                            if !f.has_profile {
                                continue;
                            }
                            Some(s)
                        }
                        RoleNeed::ServiceWithoutProfile(s) => {
                            if f.has_profile {
                                continue;
                            }
                            Some(s)
                        }
                    };
                    if let Some(s) = service {
                        match f.services.iter().find(|x| x.0 == s) {
                            Some((_, c)) => need_certain &= *c,
                            None => continue,
                        }
                    }
                }
                _ => continue,
            }
            let same_account_only = t.id != "sts:AssumeRole";
            let mut cands = if self.exhaustive {
                (0..self.principals.len() as u32).collect()
            } else {
                self.candidates_for(t, &target.arn, &account)
            };
            if t.id == "sts:AssumeRole"
                && !self.exhaustive
                && let Some(f) = &facts
            {
                // Only principals the trust policy can name: itself by ARN, its account, or anyone.
                if !f.any_caller {
                    cands.retain(|c| {
                        f.named.contains(c)
                            || self
                                .principals
                                .get(*c as usize)
                                .and_then(|p| p.account.as_deref())
                                .is_some_and(|a| f.accounts.iter().any(|x| x == a))
                    });
                }
                cands.extend(f.named.iter().copied());
                if f.any_caller {
                    // A trust policy that names `*` grants the role's own account's principals directly, with
                    // no identity permission (as the evaluator decides; its conditions still apply).
                    cands.extend(
                        (0..self.principals.len() as u32)
                            .filter(|c| self.account_of(*c) == Some(r.account)),
                    );
                }
                cands.sort_unstable();
                cands.dedup();
            }
            let mask = self.technique_mask(t);
            let mut prep = self.prepare(t, &target.arn, &account, &target);
            let rewrite = t.id == "iam:UpdateAssumeRolePolicy";
            for c in cands {
                if c == node || skip.get(c as usize).copied().unwrap_or(false) {
                    continue;
                }
                if same_account_only && self.account_of(c) != Some(r.account) {
                    continue;
                }
                // A user named by ARN in a same-account trust policy needs no identity permission, and its
                // boundary's implicit deny does not limit the grant: only the evaluator decides those.
                let named_directly = t.id == "sts:AssumeRole"
                    && facts.as_ref().is_some_and(|f| {
                        f.named.contains(&c)
                            || (f.any_caller && self.account_of(c) == Some(r.account))
                    });
                if !self.exhaustive
                    && !named_directly
                    && self
                        .index
                        .denied
                        .get(c as usize)
                        .is_some_and(|d| d & mask != 0)
                {
                    continue;
                }
                if let Some((certain, chosen)) = self.decide_all(&mut prep, c, rewrite) {
                    out.push(Edge {
                        from: c,
                        to: node,
                        technique: ti as u16,
                        object: None,
                        chosen,
                        certain: certain && need_certain && settle.is_none(),
                        settle: settle.clone().or_else(|| {
                            (!certain || !need_certain).then(|| {
                                "a policy the decision depends on is missing from the snapshot"
                                    .into()
                            })
                        }),
                    });
                }
            }
        }
        out
    }

    /// Objects a self-granting technique writes to for `node` (ARNs).
    fn self_objects(&self, node: u32, kind: SelfKind) -> Vec<String> {
        let Some(r) = self.nodes.get(node as usize).copied() else {
            return Vec::new();
        };
        let Some(a) = self.model.accounts.get(r.account as usize) else {
            return Vec::new();
        };
        let user = (r.kind == EntityKind::User)
            .then(|| a.users.get(r.index as usize))
            .flatten();
        let role = (r.kind == EntityKind::Role)
            .then(|| a.roles.get(r.index as usize))
            .flatten();
        let arn = self.arn(node).to_string();
        // Customer-managed policies attached to the principal or its groups.
        let own_policies = || {
            let mut v: Vec<&crate::account::ManagedPolicy> = Vec::new();
            let mut add = |att: &[crate::account::Attachment]| {
                for x in att {
                    if let PolicyRef::Local(i) = x.target
                        && let Some(p) = a.policies.get(i as usize)
                        && !p.aws_managed
                        && !v.iter().any(|q| q.arn == p.arn)
                    {
                        v.push(p);
                    }
                }
            };
            if let Some(u) = user {
                add(&u.attached);
                for g in &u.groups {
                    if let Some(g) = a.group(g) {
                        add(&g.attached);
                    }
                }
            }
            if let Some(role) = role {
                add(&role.attached);
            }
            v
        };
        match kind {
            SelfKind::User if user.is_some() => vec![arn],
            SelfKind::Role if role.is_some() => vec![arn],
            SelfKind::UserBoundary if user.is_some_and(|u| u.boundary.is_some()) => vec![arn],
            SelfKind::RoleBoundary if role.is_some_and(|r| r.boundary.is_some()) => vec![arn],
            SelfKind::OwnGroup => user
                .map(|u| {
                    u.groups
                        .iter()
                        .filter_map(|g| a.group(g).map(|g| g.arn.to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            SelfKind::OwnPolicy => own_policies().iter().map(|p| p.arn.to_string()).collect(),
            SelfKind::PolicyWithAdminVersion => own_policies()
                .iter()
                .filter(|p| {
                    p.versions.iter().any(|v| {
                        !v.is_default
                            && v.doc.as_ref().is_some_and(|d| grants_everything(&d.policy))
                    })
                })
                .map(|p| p.arn.to_string())
                .collect(),
            SelfKind::AdminGroup => match user {
                Some(u) => a
                    .groups
                    .iter()
                    .filter(|g| !u.groups.contains(&g.name))
                    .filter(|g| {
                        g.inline.iter().any(|p| grants_everything(&p.doc.policy))
                            || g.attached.iter().any(|x| {
                                self.model
                                    .resolve(r.account, x.target)
                                    .and_then(|p| p.default_doc())
                                    .is_some_and(|d| grants_everything(&d.policy))
                            })
                    })
                    .map(|g| g.arn.to_string())
                    .collect(),
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// Edges to the administrator node: principals that can give themselves every permission.
    fn self_edges(&mut self, skip: &[bool]) -> Vec<Edge> {
        if let Some(e) = &self.self_edges {
            return e.clone();
        }
        let mut out = Vec::new();
        let admin = self.admin_node();
        for node in 0..self.principals.len() as u32 {
            if skip.get(node as usize).copied().unwrap_or(false) || self.is_admin(node).is_some() {
                continue;
            }
            let mut lifts: [Option<Option<bool>>; 2] = [None, None];
            for (ti, t) in TECHNIQUES.iter().enumerate() {
                let Applies::SelfGrant(kind) = t.applies else {
                    continue;
                };
                if !self.exhaustive && !t.requests.iter().all(|r| self.index.has(node, r.action)) {
                    continue;
                }
                let Some(p) = self.principals.get(node as usize).cloned() else {
                    continue;
                };
                let account = p.account.clone().unwrap_or_default();
                for object in self.self_objects(node, kind) {
                    let mut prep = self.prepare(t, &object, &account, &p);
                    let Some((certain, chosen)) = self.decide_all(&mut prep, node, false) else {
                        continue;
                    };
                    let boundary = matches!(kind, SelfKind::UserBoundary | SelfKind::RoleBoundary);
                    let slot = usize::from(boundary);
                    let lifted = match lifts.get(slot).copied().flatten() {
                        Some(l) => l,
                        None => {
                            let l = self.would_be_admin(node, boundary);
                            if let Some(s) = lifts.get_mut(slot) {
                                *s = Some(l);
                            }
                            l
                        }
                    };
                    let Some(lift_certain) = lifted else { continue };
                    out.push(Edge {
                        from: node,
                        to: admin,
                        technique: ti as u16,
                        object: (object != p.arn).then_some(object),
                        chosen,
                        certain: certain && lift_certain,
                        settle: (!(certain && lift_certain)).then(|| {
                            "a policy the decision depends on is missing from the snapshot".into()
                        }),
                    });
                }
            }
        }
        self.self_edges = Some(out.clone());
        out
    }

    /// Every edge of the graph (for drawing, cycles and comparisons; quadratic in the worst case).
    pub fn all_edges(&mut self) -> Vec<Edge> {
        let none = vec![false; self.principals.len()];
        let mut out = Vec::new();
        for node in 0..=self.admin_node() {
            out.extend(self.edges_into(node, &none));
        }
        out
    }
}

/// How far a principal is from the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reaches {
    /// Through certain edges.
    Yes,
    /// Only through an edge that is possible.
    Possible,
    /// No path.
    No,
}

impl Serialize for Reaches {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Reaches::Yes => s.serialize_bool(true),
            Reaches::No => s.serialize_bool(false),
            Reaches::Possible => s.serialize_str("possible"),
        }
    }
}

/// The result of a search: per node, its distance and the first edge of one shortest path.
pub struct Search {
    /// The target.
    pub target: Target,
    /// Per node (and the administrator node last): `(steps, certain, first edge)`.
    pub reach: Vec<Option<(u32, bool, Option<Edge>)>>,
    /// Conditions of the target itself per node at distance 0 (who-can's assumed conditions).
    pub base_conditions: FxHashMap<u32, Vec<String>>,
}

/// Find, for every user and role, a shortest path to `target`.
pub fn search(g: &mut Graph<'_>, target: &Target) -> Search {
    let n = g.principals.len();
    let admin = g.admin_node();
    let mut reach: Vec<Option<(u32, bool, Option<Edge>)>> = vec![None; n + 1];
    // `assigned[i]`: node i has its answer (so it is no longer a candidate source).
    let mut assigned: Vec<bool> = vec![false; n];
    let mut base_conditions: FxHashMap<u32, Vec<String>> = FxHashMap::default();
    match target {
        Target::Admin => {
            for i in 0..n as u32 {
                if let Some(c) = g.is_admin(i)
                    && let Some(slot) = reach.get_mut(i as usize)
                {
                    *slot = Some((0, c, None));
                }
            }
            if let Some(slot) = reach.get_mut(admin as usize) {
                *slot = Some((0, true, None));
            }
        }
        Target::Principal(r) => {
            if let Some(i) = g.node_of(*r)
                && let Some(slot) = reach.get_mut(i as usize)
            {
                *slot = Some((0, true, None));
            }
        }
        Target::Action { action, resource } => {
            let w = crate::eval::reverse::who_can(
                g.model,
                action,
                resource,
                None,
                &Context::new(),
                &g.overrides_copy(),
            );
            for e in w.principals {
                if let Some(i) = g.node_by_arn(&e.principal)
                    && let Some(slot) = reach.get_mut(i as usize)
                {
                    *slot = Some((0, e.certain, None));
                    if !e.conditions.is_empty() {
                        base_conditions.insert(i, e.conditions);
                    }
                }
            }
        }
    }
    for (i, r) in reach.iter().take(n).enumerate() {
        if let Some(a) = assigned.get_mut(i) {
            *a = r.is_some();
        }
    }
    // Phase 1: certain edges from certain targets; phase 2: everything else, by distance.
    for phase in 0..2 {
        let mut buckets: Vec<Vec<u32>> = Vec::new();
        for (i, r) in reach.iter().enumerate() {
            if let Some((d, c, _)) = r
                && (phase == 1 || *c)
            {
                let d = *d as usize;
                if buckets.len() <= d {
                    buckets.resize(d + 1, Vec::new());
                }
                if let Some(b) = buckets.get_mut(d) {
                    b.push(i as u32);
                }
            }
        }
        let mut d = 0;
        while d < buckets.len() {
            let mut queue: VecDeque<u32> = buckets.get(d).cloned().unwrap_or_default().into();
            while let Some(q) = queue.pop_front() {
                for e in g.edges_into(q, &assigned) {
                    if phase == 0 && !e.certain {
                        continue;
                    }
                    let from = e.from as usize;
                    if reach.get(from).is_none_or(|r| r.is_some()) {
                        continue;
                    }
                    let certain = phase == 0;
                    if let Some(slot) = reach.get_mut(from) {
                        *slot = Some((d as u32 + 1, certain, Some(e)));
                    }
                    if let Some(a) = assigned.get_mut(from) {
                        *a = true;
                    }
                    if buckets.len() <= d + 1 {
                        buckets.resize(d + 2, Vec::new());
                    }
                    if let Some(b) = buckets.get_mut(d + 1) {
                        b.push(from as u32);
                    }
                }
            }
            d += 1;
        }
    }
    Search {
        target: target.clone(),
        reach,
        base_conditions,
    }
}

impl Graph<'_> {
    fn overrides_copy(&self) -> Overrides {
        optimistic(self.overrides.now)
    }
}

/// One request of a step, as the evaluator decided it.
#[derive(Clone, Debug, Serialize)]
pub struct StepRequest {
    /// `service:Action`.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// Context keys the request carries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<(String, String)>,
    /// The decision.
    pub decision: Decision,
    /// The layer that decided.
    pub decided_by: Option<Layer>,
    /// False when a policy the decision depends on is missing.
    pub certain: bool,
    /// The allowing statements (`inline policy X of user Y, statement 2 (Sid)`, with its place).
    pub statements: Vec<String>,
    /// Conditions assumed to hold.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
}

/// One hop of a path.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// Who.
    pub from: String,
    /// Whom it acts as (`administrator` for self-granted permissions).
    pub to: String,
    /// The technique's id.
    pub technique: String,
    /// What the caller does.
    pub summary: String,
    /// The group or policy the technique writes to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// Where the technique is described.
    pub source: String,
    /// The requests, decided.
    pub requests: Vec<StepRequest>,
    /// Every condition the step relies on.
    pub conditions: Vec<String>,
    /// The hop crosses accounts.
    pub cross_account: bool,
    /// True, or the step is only possible.
    pub certain: bool,
    /// What would settle a possible step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settle: Option<String>,
}

/// A path.
#[derive(Clone, Debug, Serialize)]
pub struct PathOut {
    /// Its hops, from the principal to the target.
    pub steps: Vec<Step>,
}

/// One principal's answer.
#[derive(Clone, Debug, Serialize)]
pub struct PrincipalResult {
    /// The principal.
    pub principal: String,
    /// The target.
    pub target: String,
    /// `true`, `false` or `"possible"`.
    pub reaches: Reaches,
    /// Number of steps of the shortest path (0: it already is the target).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<u32>,
    /// The shortest path (one, or none).
    pub paths: Vec<PathOut>,
}

fn hit_label(h: &crate::eval::engine::StatementHit) -> String {
    let mut s = format!("{} policy `{}`", h.policy.kind, h.policy.name);
    if let Some(a) = &h.policy.attached_to {
        s.push_str(&format!(" of {a}"));
    }
    s.push_str(&format!(", statement {}", h.index));
    if let Some(sid) = &h.sid {
        s.push_str(&format!(" ({sid})"));
    }
    if let Some(l) = &h.location {
        s.push_str(&format!(" at {l}"));
    }
    s
}

/// Explain one edge: its requests decided with the full explanation.
pub fn explain(g: &Graph<'_>, e: &Edge) -> Step {
    let t = TECHNIQUES.get(e.technique as usize);
    let from = g.principals.get(e.from as usize);
    let target_node = g.principals.get(e.to as usize);
    let target_arn = e
        .object
        .clone()
        .or_else(|| target_node.map(|p| p.arn.clone()))
        .or_else(|| from.map(|p| p.arn.clone()))
        .unwrap_or_default();
    let account = target_node
        .or(from)
        .and_then(|p| p.account.clone())
        .unwrap_or_default();
    let mut requests = Vec::new();
    let mut conditions: Vec<String> = Vec::new();
    if let (Some(t), Some(p)) = (t, from) {
        let n = t.requests.len();
        for (k, r) in t.requests.iter().enumerate() {
            if !request_needed(g.model, r, &account) {
                continue;
            }
            let mut context = Context::new();
            let mut ctx_out = Vec::new();
            for (key, v) in r.context {
                let v = fill(v, &target_arn, &account);
                context.add(key, v.clone());
                ctx_out.push((key.to_string(), v));
            }
            let resource = e
                .chosen
                .iter()
                .find(|(i, _)| *i as usize == k)
                .map(|(_, r)| r.clone())
                .unwrap_or_else(|| fill(r.resource, &target_arn, &account));
            let req = Request {
                principal: p.clone(),
                action: r.action.to_string(),
                resource,
                resource_account: Some(account.clone()),
                context,
            };
            let res = evaluate(g.model, &req, &g.overrides);
            let rewritten = t.id == "iam:UpdateAssumeRolePolicy" && k + 1 == n;
            let statements: Vec<String> = res
                .layers
                .iter()
                .filter(|l| {
                    matches!(l.layer, Layer::Identity | Layer::Resource | Layer::Trust)
                        && !(rewritten && l.layer == Layer::Trust)
                })
                .flat_map(|l| l.statements.iter())
                .filter(|h| h.effect == Effect::Allow)
                .map(hit_label)
                .collect();
            for c in &res.assumed_conditions {
                if !conditions.contains(c) {
                    conditions.push(c.clone());
                }
            }
            requests.push(StepRequest {
                action: req.action,
                resource: req.resource,
                context: ctx_out,
                decision: if rewritten {
                    Decision::Allow
                } else {
                    res.decision
                },
                decided_by: if rewritten {
                    Some(Layer::Trust)
                } else {
                    res.decided_by
                },
                certain: res.certain,
                statements: if rewritten {
                    let mut s = statements;
                    s.push(
                        "trust policy as rewritten by the previous request (names the caller)"
                            .into(),
                    );
                    s
                } else {
                    statements
                },
                conditions: res.assumed_conditions,
            });
        }
    }
    let to_account = target_node.and_then(|p| p.account.clone());
    Step {
        from: g.arn(e.from).to_string(),
        to: g.arn(e.to).to_string(),
        technique: t.map(|t| t.id).unwrap_or("?").to_string(),
        summary: t.map(|t| t.summary).unwrap_or("").to_string(),
        object: e.object.clone(),
        source: t.map(|t| t.source).unwrap_or("").to_string(),
        requests,
        conditions,
        cross_account: to_account.is_some() && to_account != from.and_then(|p| p.account.clone()),
        certain: e.certain,
        settle: e.settle.clone(),
    }
}

/// The answer for one node: its shortest path, explained.
pub fn result_for(g: &Graph<'_>, s: &Search, node: u32) -> PrincipalResult {
    let target = s.target.label(g.model);
    let principal = g.arn(node).to_string();
    let Some(Some((d, certain, _))) = s.reach.get(node as usize) else {
        return PrincipalResult {
            principal,
            target,
            reaches: Reaches::No,
            steps: None,
            paths: Vec::new(),
        };
    };
    let mut steps = Vec::new();
    let mut at = node;
    // Distances strictly decrease along first edges: the walk ends within `d` hops.
    for _ in 0..=*d {
        match s.reach.get(at as usize) {
            Some(Some((_, _, Some(e)))) => {
                steps.push(explain(g, e));
                at = e.to;
            }
            _ => break,
        }
    }
    if let Some(c) = s.base_conditions.get(&at)
        && let Some(last) = steps.last_mut()
    {
        for x in c {
            if !last.conditions.contains(x) {
                last.conditions.push(x.clone());
            }
        }
    }
    let all_certain = *certain && steps.iter().all(|st| st.certain);
    PrincipalResult {
        principal,
        target,
        reaches: if all_certain {
            Reaches::Yes
        } else {
            Reaches::Possible
        },
        steps: Some(*d),
        paths: vec![PathOut { steps }],
    }
}

/// Strongly connected groups of principals (each can act as every other), from every edge of the graph.
pub fn cycles(g: &Graph<'_>, edges: &[Edge]) -> Vec<Vec<String>> {
    let mut pg: petgraph::graph::DiGraph<u32, ()> = petgraph::graph::DiGraph::new();
    let ids: Vec<petgraph::graph::NodeIndex> =
        (0..g.nodes.len() as u32).map(|n| pg.add_node(n)).collect();
    for e in edges {
        if let (Some(a), Some(b)) = (ids.get(e.from as usize), ids.get(e.to as usize))
            && e.from != e.to
        {
            pg.add_edge(*a, *b, ());
        }
    }
    let mut out: Vec<Vec<String>> = petgraph::algo::tarjan_scc(&pg)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut v: Vec<String> = c
                .iter()
                .filter_map(|n| pg.node_weight(*n))
                .map(|n| g.arn(*n).to_string())
                .collect();
            v.sort();
            v
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        let m = Model::default();
        assert_eq!(Target::parse("admin", &m), Ok(Target::Admin));
        assert_eq!(
            Target::parse("s3:GetObject:arn:aws:s3:::b/k", &m),
            Ok(Target::Action {
                action: "s3:GetObject".into(),
                resource: "arn:aws:s3:::b/k".into()
            })
        );
        assert!(Target::parse("arn:aws:iam::111122223333:role/x", &m).is_err());
        assert!(Target::parse("nobody", &m).is_err());
    }

    #[test]
    fn reaches_serializes_as_the_issue_says() {
        assert_eq!(
            serde_json::to_string(&Reaches::Yes).ok().as_deref(),
            Some("true")
        );
        assert_eq!(
            serde_json::to_string(&Reaches::No).ok().as_deref(),
            Some("false")
        );
        assert_eq!(
            serde_json::to_string(&Reaches::Possible).ok().as_deref(),
            Some("\"possible\"")
        );
    }
}

/// What a graph overlay draws: every escalation edge between users and roles, and per principal the first hop
/// of its shortest path to administrator, explained (pure data; the GUI only draws it).
#[derive(Clone, Debug, Default)]
pub struct Overlay {
    /// (from, to, certain) between users and roles.
    pub edges: Vec<(EntityRef, EntityRef, bool)>,
    /// Per principal that reaches administrator in one step or more: the next hop (`None`: it gives itself
    /// every permission) and the step explained.
    pub next: rustc_hash::FxHashMap<EntityRef, (Option<EntityRef>, Step)>,
    /// Administrators.
    pub admins: Vec<EntityRef>,
}

impl Overlay {
    /// The overlay of a model with at most `limit` users and roles (`None` above: every edge would be too many).
    pub fn compute(model: &Model, limit: usize) -> Option<Overlay> {
        let mut full = Graph::new(model, None);
        if full.nodes.len() > limit {
            return None;
        }
        let admin = full.admin_node();
        let entity = |g: &Graph<'_>, n: u32| g.nodes.get(n as usize).copied();
        let edges = full
            .all_edges()
            .into_iter()
            .filter(|e| e.to != admin)
            .filter_map(|e| Some((entity(&full, e.from)?, entity(&full, e.to)?, e.certain)))
            .collect();
        let mut g = Graph::new(model, None);
        let s = search(&mut g, &Target::Admin);
        let mut next = rustc_hash::FxHashMap::default();
        let mut admins = Vec::new();
        for (i, r) in s.reach.iter().enumerate().take(g.nodes.len()) {
            let Some(me) = entity(&g, i as u32) else {
                continue;
            };
            match r {
                Some((0, _, None)) => admins.push(me),
                Some((_, _, Some(e))) => {
                    next.insert(me, (entity(&g, e.to), explain(&g, e)));
                }
                _ => {}
            }
        }
        Some(Overlay {
            edges,
            next,
            admins,
        })
    }

    /// The path of `from` to administrator: its steps, in order, with the entity each reaches.
    pub fn path(&self, from: EntityRef) -> Vec<(EntityRef, Option<EntityRef>, &Step)> {
        let mut out = Vec::new();
        let mut at = from;
        // Each hop strictly shortens the distance: at most one hop per principal.
        for _ in 0..=self.next.len() {
            let Some((to, step)) = self.next.get(&at) else {
                break;
            };
            out.push((at, *to, step));
            match to {
                Some(t) => at = *t,
                None => break,
            }
        }
        out
    }
}

/// An identity provider that can act as a role (`sts:AssumeRoleWithWebIdentity`/`…WithSAML`): whoever holds a
/// token the trust policy's conditions accept enters the graph there.
#[derive(Clone, Debug, Serialize)]
pub struct ProviderEdge {
    /// The provider's ARN.
    pub provider: String,
    /// The role.
    pub role: String,
    /// `sts:AssumeRoleWithWebIdentity` or `sts:AssumeRoleWithSAML`.
    pub action: String,
    /// The conditions the token must meet (assumed to hold, as the evaluator lists them).
    pub conditions: Vec<String>,
    /// False when a policy the decision depends on is missing.
    pub certain: bool,
}

/// Every provider → role edge of the model, each decided by the evaluator (trust policy, RCPs).
pub fn provider_edges(model: &Model) -> Vec<ProviderEdge> {
    let ov = optimistic(None);
    let mut out = Vec::new();
    for a in &model.accounts {
        for role in &a.roles {
            let mut edges = Vec::new();
            role_edges(a, role, &mut edges);
            for e in edges {
                let Some(provider) = e.from.strip_prefix("provider ") else {
                    continue;
                };
                let action = if e.action.to_ascii_lowercase().contains("saml") {
                    "sts:AssumeRoleWithSAML"
                } else {
                    "sts:AssumeRoleWithWebIdentity"
                };
                let Ok(principal) = Principal::resolve(provider, model) else {
                    continue;
                };
                let req = Request {
                    principal,
                    action: action.to_string(),
                    resource: role.arn.to_string(),
                    resource_account: Some(a.id.to_string()),
                    context: Context::new(),
                };
                let r = evaluate(model, &req, &ov);
                if (r.decision == Decision::Allow || !r.certain)
                    && !out.iter().any(|x: &ProviderEdge| {
                        x.provider == provider && x.role == *role.arn && x.action == action
                    })
                {
                    out.push(ProviderEdge {
                        provider: provider.to_string(),
                        role: role.arn.to_string(),
                        action: action.to_string(),
                        conditions: r.assumed_conditions,
                        certain: r.certain,
                    });
                }
            }
        }
    }
    out
}
