//! The people behind roles: IAM Identity Center's users reach an account as the `AWSReservedSSO_*` role
//! provisioned there for a permission set assigned to them or to one of their groups. These queries expand the
//! evaluator's answers about roles into people, with the path each person takes
//! (`alice@larkspur.example (group platform-admins → AdministratorAccess in larkspur-prod)`), and say what each
//! person may do in every account, decided by the evaluator on the provisioned role (the policies AWS
//! enforces), never read from the permission set's text.
//!
//! Where the files cannot say who is behind a role (a group whose memberships were not loaded, a principal the
//! identity store's files do not hold), the answer lists the gap instead of leaving people out silently.

use super::engine::{Decision, Overrides, decide, evaluate};
use super::reverse::{Outcome, WhoCan, principal_of, what_can};
use super::{Context, Request};
use crate::account::identity_center::{AssignedTo, Assignment, IdentityCenter, Via};
use crate::account::{EntityRef, Model};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::BTreeMap;

/// An action of no real service: only a grant of every action (`*`, `*:*`, or a `NotAction`) matches it.
pub const ANY_ACTION: &str = "iam-atlas-probe:AnyAction";

/// The requests (each on `*`) that together mean "every action on every resource": full administrative
/// access. The review's `FULL_ADMIN` finding and a person's access level ask the same ones.
pub const FULL_ACCESS_PROBES: [&str; 4] = [
    ANY_ACTION,
    "iam:PutRolePolicy",
    "ec2:RunInstances",
    "s3:PutObject",
];

fn probe(p: &super::Principal, action: &str) -> Request {
    Request {
        principal: p.clone(),
        action: action.into(),
        resource: "*".into(),
        resource_account: None,
        context: Context::default(),
    }
}

/// One way a person reaches a role: through a group or directly, a permission set, an account.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PersonPath {
    /// The person's user name in the identity store.
    pub person: String,
    /// `group NAME`, or `direct assignment`.
    pub via: String,
    /// The permission set's name.
    pub permission_set: String,
    /// The account id.
    pub account: String,
    /// The account's alias, or its id.
    pub account_label: String,
    /// The provisioned role's ARN; `None` when it is not loaded (what the path allows is then unknown).
    pub role: Option<String>,
    /// The role.
    #[serde(skip)]
    pub role_entity: Option<EntityRef>,
    /// Index in [`IdentityCenter::users`].
    #[serde(skip)]
    pub user: u32,
    /// Index in [`IdentityCenter::assignments`].
    #[serde(skip)]
    pub assignment: u32,
}

impl PersonPath {
    /// `alice@larkspur.example (group platform-admins → AdministratorAccess in larkspur-prod)`.
    pub fn label(&self) -> String {
        format!(
            "{} ({} → {} in {})",
            self.person, self.via, self.permission_set, self.account_label
        )
    }
}

fn path(
    model: &Model,
    ic: &IdentityCenter,
    user: u32,
    via: Via,
    index: u32,
    a: &Assignment,
) -> PersonPath {
    let account_label = model
        .account(&a.account)
        .and_then(|x| x.alias.clone())
        .unwrap_or_else(|| a.account.to_string());
    PersonPath {
        person: ic.user_label(user),
        via: match via {
            Via::Direct => "direct assignment".into(),
            Via::Group(g) => format!(
                "group {}",
                ic.groups.get(g as usize).map_or("?", |g| &*g.name)
            ),
        },
        permission_set: a
            .permission_set
            .and_then(|p| ic.permission_sets.get(p as usize))
            .map_or_else(|| a.permission_set_arn.to_string(), |p| p.name.to_string()),
        account: a.account.to_string(),
        account_label,
        role: a.role.map(|r| model.describe(r).1),
        role_entity: a.role,
        user,
        assignment: index,
    }
}

/// People by name, then account, permission set and group.
fn path_order(p: &PersonPath) -> (&str, &str, &str, &str) {
    (&p.person, &p.account_label, &p.permission_set, &p.via)
}

/// Every path of person `user` (index in [`IdentityCenter::users`]), sorted by account, then permission set.
pub fn paths_of(model: &Model, user: u32) -> Vec<PersonPath> {
    let Some(ic) = &model.identity_center else {
        return Vec::new();
    };
    let mut out: Vec<PersonPath> = ic
        .assignments_of(user)
        .into_iter()
        .filter_map(|(via, i)| {
            let a = ic.assignments.get(i as usize)?;
            Some(path(model, ic, user, via, i, a))
        })
        .collect();
    out.sort_by(|a, b| path_order(a).cmp(&path_order(b)));
    out
}

/// The people who can act as `role`, each with the path they take, and what cannot be said (a group whose
/// members are not loaded, an assigned principal the files do not hold).
pub fn people_of_role(model: &Model, role: EntityRef) -> (Vec<PersonPath>, Vec<String>) {
    let Some(ic) = &model.identity_center else {
        return (Vec::new(), Vec::new());
    };
    let mut people = Vec::new();
    let mut gaps = Vec::new();
    for &i in ic.by_role.get(&role).map(Vec::as_slice).unwrap_or_default() {
        let Some(a) = ic.assignments.get(i as usize) else {
            continue;
        };
        match ic.people_of(a) {
            Some(list) => {
                for (u, via) in list {
                    people.push(path(model, ic, u, via, i, a));
                }
            }
            None => gaps.push(match a.to {
                AssignedTo::Group(g) => format!(
                    "the members of group {} are not loaded (no list-group-memberships file)",
                    ic.groups.get(g as usize).map_or("?", |g| &*g.name)
                ),
                _ => format!(
                    "{} `{}` is not in the identity store's files",
                    a.principal_type.to_ascii_lowercase(),
                    a.principal_id
                ),
            }),
        }
    }
    people.sort_by(|a, b| path_order(a).cmp(&path_order(b)));
    (people, gaps)
}

/// One person who may do the action, through one path.
#[derive(Clone, Debug, Serialize)]
pub struct PersonAnswer {
    /// Allowed always, if conditions hold, or unknown: the role's answer.
    pub outcome: Outcome,
    /// The path.
    #[serde(flatten)]
    pub path: PersonPath,
    /// `alice@… (group platform-admins → AdministratorAccess in larkspur-prod)`.
    pub label: String,
    /// Conditions the role's allow relies on.
    pub conditions: Vec<String>,
}

/// who-can, in people.
#[derive(Clone, Debug, Serialize)]
pub struct WhoCanPeople {
    /// One entry per person and path, sorted by person.
    pub people: Vec<PersonAnswer>,
    /// Roles allowed whose people cannot all be named, with why.
    pub unknown: Vec<String>,
}

/// Expand a who-can answer into the people behind its Identity Center roles.
pub fn who_can_people(model: &Model, w: &WhoCan) -> WhoCanPeople {
    let mut people = Vec::new();
    let mut unknown = Vec::new();
    for e in &w.principals {
        let (paths, gaps) = people_of_role(model, e.entity);
        for p in paths {
            people.push(PersonAnswer {
                outcome: e.outcome,
                label: p.label(),
                path: p,
                conditions: e.conditions.clone(),
            });
        }
        for g in gaps {
            unknown.push(format!("{}: {g}", e.principal));
        }
    }
    people.sort_by(|a, b| path_order(&a.path).cmp(&path_order(&b.path)));
    WhoCanPeople { people, unknown }
}

/// What a role may do, in short.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccessSummary {
    /// Every action on every resource (the same probes as the review's `FULL_ADMIN`).
    Administrator {
        /// Conditions the allow relies on.
        conditions: Vec<String>,
        /// False when a policy it depends on is missing.
        certain: bool,
    },
    /// Less: per access level (`Read`, `List`, `Write`, `Permissions management`, `Tagging`), the services.
    Levels {
        /// Access level → services.
        levels: BTreeMap<String, Vec<String>>,
        /// Actions allowed in all.
        actions: usize,
        /// Some grants hold only under conditions.
        conditional: bool,
        /// Some answers are unknown (a policy is missing, or a statement was not read).
        uncertain: bool,
    },
    /// The role is not loaded: what the path allows is unknown.
    Unknown {
        /// Why.
        why: String,
    },
}

impl AccessSummary {
    /// One line: `administrator`, `Read in 40 services, List in 38, Write in 3`, or `UNKNOWN: …`.
    pub fn line(&self) -> String {
        match self {
            AccessSummary::Administrator {
                conditions,
                certain,
            } => {
                let mut s = "administrator (every action on every resource)".to_string();
                if !conditions.is_empty() {
                    s.push_str(&format!(" when {}", conditions.join(" and ")));
                }
                if !*certain {
                    s.push_str(" (uncertain: a policy it depends on is missing)");
                }
                s
            }
            AccessSummary::Levels {
                levels,
                actions,
                conditional,
                uncertain,
            } => {
                if levels.is_empty() {
                    return "no access".into();
                }
                let mut order: Vec<(&String, &Vec<String>)> = levels.iter().collect();
                order.sort_by_key(|(l, _)| level_rank(l));
                let parts: Vec<String> = order
                    .iter()
                    .map(|(l, svcs)| {
                        let shown: Vec<&str> = svcs.iter().take(4).map(String::as_str).collect();
                        let more = if svcs.len() > 4 {
                            format!(", … {} in all", svcs.len())
                        } else {
                            String::new()
                        };
                        format!("{l} in {} ({}{more})", svcs.len(), shown.join(", "))
                    })
                    .collect();
                let mut s = format!("{} — {actions} actions", parts.join("; "));
                if *conditional {
                    s.push_str(", some under conditions");
                }
                if *uncertain {
                    s.push_str(", some unknown");
                }
                s
            }
            AccessSummary::Unknown { why } => format!("UNKNOWN: {why}"),
        }
    }

    /// The line without the example services: `Write in 3 services, Read in 81, List in 85 — 2184 actions`.
    pub fn short(&self) -> String {
        match self {
            AccessSummary::Levels {
                levels, actions, ..
            } if !levels.is_empty() => {
                let mut order: Vec<(&String, &Vec<String>)> = levels.iter().collect();
                order.sort_by_key(|(l, _)| level_rank(l));
                let parts: Vec<String> = order
                    .iter()
                    .enumerate()
                    .map(|(i, (l, svcs))| {
                        let unit = if i == 0 { " services" } else { "" };
                        format!("{l} in {}{unit}", svcs.len())
                    })
                    .collect();
                format!("{} — {actions} actions", parts.join(", "))
            }
            AccessSummary::Administrator { .. } => {
                "administrator (every action on every resource)".into()
            }
            other => other.line(),
        }
    }

    /// Full administrative access.
    pub fn is_admin(&self) -> bool {
        matches!(self, AccessSummary::Administrator { .. })
    }
}

fn level_rank(level: &str) -> u8 {
    match level {
        "Permissions management" => 0,
        "Write" => 1,
        "Tagging" => 2,
        "Read" => 3,
        "List" => 4,
        _ => 5,
    }
}

/// Summaries of roles, computed once per role.
#[derive(Default)]
pub struct AccessCache {
    roles: FxHashMap<EntityRef, AccessSummary>,
}

impl AccessCache {
    /// What `role` may do (administrator, or its access levels), through the evaluator in its optimistic mode
    /// (conditions on keys a real sign-in supplies are assumed to hold and listed).
    pub fn summary(&mut self, model: &Model, role: EntityRef) -> AccessSummary {
        if let Some(s) = self.roles.get(&role) {
            return s.clone();
        }
        let s = summarise(model, role);
        self.roles.insert(role, s.clone());
        s
    }
}

/// Whether principal `p` has full administrative access, with the evaluation of [`ANY_ACTION`] as its evidence.
/// Its conditions and certainty are those of every probe: a `Deny` of `iam:*` unless a condition holds makes
/// `iam:PutRolePolicy` conditional while [`ANY_ACTION`] is not, and "every action" then holds only when that
/// condition does.
pub fn full_admin(
    model: &Model,
    p: &super::Principal,
    ov: &Overrides,
) -> Option<super::EvalResult> {
    if !FULL_ACCESS_PROBES
        .iter()
        .all(|a| decide(model, &probe(p, a), ov).0 == Decision::Allow)
    {
        return None;
    }
    let mut res = evaluate(model, &probe(p, ANY_ACTION), ov);
    for a in FULL_ACCESS_PROBES.iter().filter(|a| **a != ANY_ACTION) {
        let other = evaluate(model, &probe(p, a), ov);
        res.certain &= other.certain;
        for u in other.unknown {
            if !res.unknown.contains(&u) {
                res.unknown.push(u);
            }
        }
        for (text, assumption) in other.assumed_conditions.into_iter().zip(other.assumptions) {
            if !res.assumed_conditions.contains(&text) {
                res.assumed_conditions.push(text);
                res.assumptions.push(assumption);
            }
        }
    }
    Some(res)
}

fn summarise(model: &Model, role: EntityRef) -> AccessSummary {
    let Some(p) = principal_of(model, role) else {
        return AccessSummary::Unknown {
            why: "the role is not in the loaded exports".into(),
        };
    };
    let ov = Overrides {
        optimistic: true,
        ..Overrides::default()
    };
    if let Some(r) = full_admin(model, &p, &ov) {
        return AccessSummary::Administrator {
            conditions: r.assumed_conditions,
            certain: r.certain,
        };
    }
    let w = what_can(model, &p, &Context::default(), &ov);
    let mut levels: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let (mut actions, mut conditional, mut uncertain) =
        (0, false, w.not_evaluated > 0 || !w.unread.is_empty());
    for (svc, by_level) in &w.services {
        for (level, grants) in by_level {
            if grants.is_empty() {
                continue;
            }
            actions += grants.len();
            conditional |= grants.iter().any(|g| g.conditional);
            uncertain |= grants.iter().any(|g| !g.unknown.is_empty());
            levels.entry(level.clone()).or_default().push(svc.clone());
        }
    }
    AccessSummary::Levels {
        levels,
        actions,
        conditional,
        uncertain,
    }
}

/// One account and role a person can use, and what it may do.
#[derive(Clone, Debug, Serialize)]
pub struct PersonAccess {
    /// The path.
    #[serde(flatten)]
    pub path: PersonPath,
    /// The permission set's session duration as written (`PT12H`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_duration: Option<String>,
    /// What the role may do.
    pub access: AccessSummary,
}

/// Everything person `user` can use: every account, role and access level.
pub fn access_of(model: &Model, user: u32, cache: &mut AccessCache) -> Vec<PersonAccess> {
    let Some(ic) = &model.identity_center else {
        return Vec::new();
    };
    paths_of(model, user)
        .into_iter()
        .map(|p| {
            let a = ic.assignments.get(p.assignment as usize);
            let session_duration = a
                .and_then(|a| a.permission_set)
                .and_then(|s| ic.permission_sets.get(s as usize))
                .and_then(|s| s.session_duration_text.clone());
            let access = match p.role_entity {
                Some(r) => cache.summary(model, r),
                None => AccessSummary::Unknown {
                    why: if model
                        .account(&p.account)
                        .is_some_and(|a| a.source.is_some())
                    {
                        format!(
                            "no role AWSReservedSSO_{}_… in {}'s export",
                            p.permission_set, p.account_label
                        )
                    } else {
                        format!(
                            "the authorization details of {} are not loaded",
                            p.account_label
                        )
                    },
                },
            };
            PersonAccess {
                path: p,
                session_duration,
                access,
            }
        })
        .collect()
}
