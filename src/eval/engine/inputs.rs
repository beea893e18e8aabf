//! The policies that enter each layer, borrowed from the model or given with the request.

use super::explanation::label;
use super::layer::{Input, LabelSrc, Owner};
use crate::account::{EntityKind, EntityRef, Model, OrgPolicyKind, PolicyDoc, PolicyRef, RoleKind};
use crate::eval::request::Principal;
use crate::policy::Policy;

/// Names of organisation levels given on the command line (root first).
const LEVELS: [&str; 8] = ["1", "2", "3", "4", "5", "6", "7", "8"];

/// Services whose resources RCPs can restrict
/// (<https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html>).
pub const RCP_SERVICES: [&str; 10] = [
    "s3",
    "sts",
    "kms",
    "sqs",
    "secretsmanager",
    "ecr",
    "aoss",
    "cognito-identity",
    "logs",
    "dynamodb",
];

#[allow(clippy::too_many_arguments)] // one call site per attachment kind; a struct would only rename the arguments
fn managed_inputs<'m>(
    model: &'m Model,
    account: u32,
    kind: &'static str,
    owner: Owner<'m>,
    name: &'m str,
    arn: &'m str,
    target: PolicyRef,
    inputs: &mut Vec<Input<'m>>,
    unknown: &mut Vec<String>,
) {
    match model
        .resolve(account, target)
        .and_then(|p| p.default_doc().map(|d| (p, d)))
    {
        Some((p, d)) => inputs.push(Input {
            label: LabelSrc::Model {
                kind,
                owner,
                name,
                arn: Some(arn),
                version: p.default_version.as_deref(),
                source: d.source,
            },
            policy: &d.policy,
        }),
        None => unknown.push(format!(
            "{kind} policy `{arn}` attached to {} {} is not in the snapshot",
            owner.kind, owner.name
        )),
    }
}

fn inline_input<'m>(owner: Owner<'m>, name: &'m str, doc: &'m PolicyDoc) -> Input<'m> {
    Input {
        label: LabelSrc::Model {
            kind: "inline",
            owner,
            name,
            arn: None,
            version: None,
            source: doc.source,
        },
        policy: &doc.policy,
    }
}

/// A user's or role's identity policies, its boundary's (`None`: it has none), what of them is not in the
/// snapshot, and whether it is a service-linked role.
pub(super) type Identity<'m> = (Vec<Input<'m>>, Option<Vec<Input<'m>>>, Vec<String>, bool);

/// Identity policies and the boundary of a user or role.
pub(super) fn identity_inputs<'m>(model: &'m Model, r: EntityRef) -> Identity<'m> {
    let mut ident = Vec::with_capacity(16);
    let mut unknown = Vec::new();
    let mut boundary = None;
    let mut service_linked = false;
    let Some(acc) = model.accounts.get(r.account as usize) else {
        return (ident, boundary, unknown, false);
    };
    let mut add_boundary =
        |b: &'m Option<crate::account::Boundary>, owner: Owner<'m>, unknown: &mut Vec<String>| {
            if let Some(b) = b {
                let mut v = Vec::new();
                managed_inputs(
                    model,
                    r.account,
                    "boundary",
                    owner,
                    b.arn.rsplit('/').next().unwrap_or(&b.arn),
                    &b.arn,
                    b.target,
                    &mut v,
                    unknown,
                );
                boundary = Some(v);
            }
        };
    // An owner's inline and attached policies (the user's, each of its groups', or the role's).
    let own = |who: Owner<'m>,
               inline: &'m [crate::account::InlinePolicy],
               attached: &'m [crate::account::Attachment],
               ident: &mut Vec<Input<'m>>,
               unknown: &mut Vec<String>| {
        ident.extend(inline.iter().map(|p| inline_input(who, &p.name, &p.doc)));
        for a in attached {
            managed_inputs(
                model, r.account, "managed", who, &a.name, &a.arn, a.target, ident, unknown,
            );
        }
    };
    match r.kind {
        EntityKind::User => {
            let Some(u) = acc.users.get(r.index as usize) else {
                return (ident, None, unknown, false);
            };
            let who = Owner {
                kind: "user",
                name: &u.name,
            };
            own(who, &u.inline, &u.attached, &mut ident, &mut unknown);
            for g in &u.groups {
                match acc.group(g) {
                    Some(group) => {
                        let gwho = Owner {
                            kind: "group",
                            name: &group.name,
                        };
                        own(
                            gwho,
                            &group.inline,
                            &group.attached,
                            &mut ident,
                            &mut unknown,
                        );
                    }
                    None => unknown.push(format!(
                        "group {g} of user {} is not in the snapshot",
                        u.name
                    )),
                }
            }
            add_boundary(&u.boundary, who, &mut unknown);
        }
        EntityKind::Role => {
            let Some(role) = acc.roles.get(r.index as usize) else {
                return (ident, None, unknown, false);
            };
            let who = Owner {
                kind: "role",
                name: &role.name,
            };
            own(who, &role.inline, &role.attached, &mut ident, &mut unknown);
            add_boundary(&role.boundary, who, &mut unknown);
            service_linked = matches!(role.kind, RoleKind::ServiceLinked { .. });
        }
        _ => {}
    }
    (ident, boundary, unknown, service_linked)
}

/// One level of the organisation (root, an OU, the account) and its policies of one kind (`None`: not listed).
pub(super) type Level<'m> = (Owner<'m>, Option<Vec<Input<'m>>>);

/// An account's organisation levels of one kind, kept from an earlier request or gathered for this one (or
/// copied from the kept ones to add the request's what-if policies, which never enter the kept levels).
pub(super) struct Levels<'s, 'm> {
    kept: &'s [Level<'m>],
    made: Option<Vec<Level<'m>>>,
}

impl<'s, 'm> Levels<'s, 'm> {
    /// Levels kept by the caller's [`Scratch`].
    pub(super) fn kept(kept: &'s [Level<'m>]) -> Self {
        Levels { kept, made: None }
    }

    /// Levels gathered for this request.
    pub(super) fn made(made: Vec<Level<'m>>) -> Self {
        Levels {
            kept: &[],
            made: Some(made),
        }
    }

    /// The levels.
    pub(super) fn get(&self) -> &[Level<'m>] {
        self.made.as_deref().unwrap_or(self.kept)
    }

    /// The levels to change (copied first when kept).
    pub(super) fn to_mut(&mut self) -> &mut Vec<Level<'m>> {
        let kept = self.kept;
        self.made.get_or_insert_with(|| kept.to_vec())
    }
}

/// What a caller that evaluates many requests against one model keeps between them (a batch worker): each
/// account's organisation levels, each principal's identity policies and each policy's candidate statements
/// per action, which depend on the model and the account, the principal or the action only (gathering them
/// allocated a vector per level for every request, and looked every attached policy and every action up); and
/// the time of the requests ([`Scratch::set_clock`]).
#[derive(Default)]
pub struct Scratch<'m> {
    scp: rustc_hash::FxHashMap<String, Option<Vec<Level<'m>>>>,
    rcp: rustc_hash::FxHashMap<String, Option<Vec<Level<'m>>>>,
    identity: KeptIdentities<'m>,
    candidates: Candidates,
    /// The time of requests that do not fix one ([`Scratch::set_clock`]).
    clock: Option<crate::time::Timestamp>,
}

/// Each policy's candidate statements for each action, as [`crate::policy::ActionIndex::candidates`] gives
/// them, kept by a [`Scratch`]: an action is looked up once per request, then each policy by a number (the
/// index looks the action's text up in two tables and tries each `NotAction` list, for every policy of every
/// level).
#[derive(Default)]
pub(super) struct Candidates {
    /// Actions (lowercased) by number.
    actions: rustc_hash::FxHashMap<Box<str>, u32>,
    /// The request's action's number.
    current: u32,
    /// By (index, action number).
    lists: rustc_hash::FxHashMap<(u64, u32), Box<[u32]>>,
    /// Lists not kept since [`Candidates::lists`] was full.
    missed: usize,
    /// The room a request's evaluation gathers candidates in, kept for the next request.
    pub(super) room: Vec<u32>,
}

/// Candidate lists a [`Candidates`] keeps at most. Once it is full, new lists are made and not kept; after as
/// many of them, it starts again (the requests may have moved on). A batch whose lists do not fit (25,000
/// principals' inline policies) then pays a lookup per policy, not a table kept churning.
const KEPT_CANDIDATES: usize = if cfg!(test) { 16 } else { 1 << 16 };

impl Candidates {
    /// Start a request of `action_lower`.
    pub(super) fn begin(&mut self, action_lower: &str) {
        if let Some(&n) = self.actions.get(action_lower) {
            self.current = n;
            return;
        }
        if self.actions.len() >= KEPT_CANDIDATES {
            // New numbers would collide with the kept lists' once restarted: both go.
            self.actions.clear();
            self.lists.clear();
        }
        let n = self.actions.len() as u32;
        self.actions.insert(action_lower.into(), n);
        self.current = n;
    }

    /// Add the candidates of `index` for the action of [`Candidates::begin`] (`action_lower`, the same text)
    /// to `out`.
    pub(super) fn of(
        &mut self,
        index: &crate::policy::ActionIndex,
        action_lower: &str,
        out: &mut Vec<u32>,
    ) {
        let key = (index.id(), self.current);
        if let Some(kept) = self.lists.get(&key) {
            out.extend_from_slice(kept);
            return;
        }
        let start = out.len();
        index.candidates(action_lower, out);
        if self.lists.len() < KEPT_CANDIDATES {
            self.lists
                .insert(key, out.get(start..).unwrap_or_default().into());
        } else {
            self.missed += 1;
            if self.missed >= KEPT_CANDIDATES {
                // The actions' numbers stay valid: only the lists go.
                self.lists.clear();
                self.missed = 0;
            }
        }
    }
}

/// Principals whose identity policies a [`Scratch`] keeps at most; once it is full, as [`KEPT_CANDIDATES`]
/// says.
const KEPT_IDENTITIES: usize = if cfg!(test) { 4 } else { 4_096 };

/// Identity policies by principal.
#[derive(Default)]
pub(super) struct KeptIdentities<'m> {
    by_principal: rustc_hash::FxHashMap<EntityRef, Identity<'m>>,
    /// Principals not kept since the table was full.
    missed: usize,
}

impl<'m> Scratch<'m> {
    /// Evaluate the requests that follow at `now` when [`Overrides::now`](super::Overrides::now) does not fix
    /// the time, instead of reading the clock for each (a batch worker sets it once per chunk of requests, a
    /// few milliseconds of work; the clock counts in seconds).
    pub fn set_clock(&mut self, now: crate::time::Timestamp) {
        self.clock = Some(now);
    }

    /// The time [`Scratch::set_clock`] set.
    pub(super) fn clock(&self) -> Option<crate::time::Timestamp> {
        self.clock
    }

    /// The SCP and RCP levels kept, the identity policies and the candidate statements, to be read by one
    /// request.
    pub(super) fn split(
        &mut self,
    ) -> (
        LevelCache<'_, 'm>,
        LevelCache<'_, 'm>,
        IdentityCache<'_, 'm>,
        &mut Candidates,
    ) {
        (
            &mut self.scp,
            &mut self.rcp,
            IdentityCache(&mut self.identity),
            &mut self.candidates,
        )
    }
}

/// Kept identity policies, by principal.
pub(super) struct IdentityCache<'s, 'm>(&'s mut KeptIdentities<'m>);

impl<'s, 'm> IdentityCache<'s, 'm> {
    /// [`identity_inputs`] of `r`: kept, or made.
    pub(super) fn get(self, model: &'m Model, r: EntityRef) -> std::borrow::Cow<'s, Identity<'m>> {
        let kept = self.0;
        if !kept.by_principal.contains_key(&r) {
            if kept.by_principal.len() >= KEPT_IDENTITIES {
                kept.missed += 1;
                if kept.missed < KEPT_IDENTITIES {
                    return std::borrow::Cow::Owned(identity_inputs(model, r));
                }
                kept.by_principal.clear();
                kept.missed = 0;
            }
            kept.by_principal.insert(r, identity_inputs(model, r));
        }
        match kept.by_principal.get(&r) {
            Some(i) => std::borrow::Cow::Borrowed(i),
            None => std::borrow::Cow::Owned(identity_inputs(model, r)),
        }
    }
}

/// Kept levels of one kind, by account id.
pub(super) type LevelCache<'s, 'm> = &'s mut rustc_hash::FxHashMap<String, Option<Vec<Level<'m>>>>;

/// [`org_levels`] of `account`, kept in `cache` when there is one.
pub(super) fn levels_of<'s, 'm>(
    model: &'m Model,
    account: &str,
    kind: OrgPolicyKind,
    cache: Option<LevelCache<'s, 'm>>,
) -> Option<Levels<'s, 'm>> {
    match cache {
        None => org_levels(model, account, kind).map(Levels::made),
        Some(c) => {
            if !c.contains_key(account) {
                c.insert(account.to_string(), org_levels(model, account, kind));
            }
            c.get(account).and_then(|l| l.as_deref()).map(Levels::kept)
        }
    }
}

/// Organisation levels (root → OUs → account) with their policies of `kind`, or `None` when the account is
/// outside the described organisation or is its management account.
pub(super) fn org_levels<'m>(
    model: &'m Model,
    account: &str,
    kind: OrgPolicyKind,
) -> Option<Vec<(Owner<'m>, Option<Vec<Input<'m>>>)>> {
    let org = model.organization.as_ref()?;
    if org.management_account.as_deref() == Some(account) {
        return None;
    }
    let path = org.path_to(account)?;
    let to_inputs = |ids: Option<&'m Vec<u32>>, at: Owner<'m>| -> Option<Vec<Input<'m>>> {
        ids.map(|ids| {
            ids.iter()
                .filter_map(|&i| model.org_policies.get(i as usize))
                .map(|p| Input {
                    label: LabelSrc::Model {
                        kind: if kind == OrgPolicyKind::Scp {
                            "scp"
                        } else {
                            "rcp"
                        },
                        owner: at,
                        name: &p.name,
                        arn: p.arn.as_deref(),
                        version: None,
                        source: p.doc.source,
                    },
                    policy: &p.doc.policy,
                })
                .collect()
        })
    };
    let mut levels = Vec::with_capacity(path.len() + 1);
    for (depth, node) in path.iter().enumerate() {
        let at = Owner {
            kind: if depth == 0 { "root" } else { "OU" },
            name: &node.name,
        };
        let ids = if kind == OrgPolicyKind::Scp {
            node.scps.as_ref()
        } else {
            node.rcps.as_ref()
        };
        levels.push((at, to_inputs(ids, at)));
    }
    // The account's own attachments; its id borrowed from the tree.
    let id: &'m str = path
        .last()
        .and_then(|n| n.accounts.iter().find(|a| &***a == account))
        .map(|a| &**a)
        .unwrap_or("");
    let acc = model.account(account);
    let ids = acc.and_then(|a| {
        if kind == OrgPolicyKind::Scp {
            a.scps.as_ref()
        } else {
            a.rcps.as_ref()
        }
    });
    let at = Owner {
        kind: "account",
        name: id,
    };
    levels.push((at, to_inputs(ids, at)));
    Some(levels)
}

/// Organisation levels given with the request (command line), root first; `None` when none were given.
#[allow(clippy::type_complexity)] // (level, its policies), as `org_levels` returns them
pub(super) fn given_levels<'o>(
    levels: &'o [Vec<(String, Policy)>],
    kind: &'static str,
) -> Option<Vec<(Owner<'o>, Option<Vec<Input<'o>>>)>> {
    if levels.is_empty() {
        return None;
    }
    Some(
        levels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let owner = Owner {
                    kind: "level",
                    name: LEVELS.get(i).copied().unwrap_or("n"),
                };
                let inputs = l
                    .iter()
                    .map(|(n, pol)| Input {
                        label: LabelSrc::Owned(label(kind, n)),
                        policy: pol,
                    })
                    .collect();
                (owner, Some(inputs))
            })
            .collect(),
    )
}

/// Why some of `p`'s identity policies (or its boundary) could not be read: a managed policy missing from the
/// snapshot, or one with no readable default version. What they hold is not known, so a list of what `p` may do
/// made from [`identity_documents`] alone is not whole.
pub fn identity_unread(model: &Model, p: &Principal) -> Vec<String> {
    p.entity
        .map(|r| identity_inputs(model, r).2)
        .unwrap_or_default()
}

/// The identity-based policy documents of a principal (its own and its groups'), for reverse queries.
pub fn identity_documents<'m>(model: &'m Model, p: &Principal) -> Vec<&'m Policy> {
    match p.entity {
        Some(r) => identity_inputs(model, r)
            .0
            .into_iter()
            .map(|i| i.policy)
            .collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::{
        Context, Overrides, Principal, Request, Scratch, decide_brief, decide_brief_with,
    };

    /// With caches far smaller than the requests' principals and lists (4 and 16 in tests), one scratch goes
    /// through every state (filling, full and not keeping, starting again) and answers as no scratch does.
    #[test]
    fn a_scratch_too_small_for_its_requests_answers_as_none() {
        let model = crate::sample::load_sample(Default::default()).expect("the sample loads");
        let principals: Vec<String> = model
            .accounts
            .iter()
            .flat_map(|a| {
                a.users
                    .iter()
                    .map(|u| u.arn.to_string())
                    .chain(a.roles.iter().map(|r| r.arn.to_string()))
            })
            .collect();
        assert!(principals.len() > 30, "{}", principals.len());
        let ov = Overrides {
            now: crate::time::Timestamp::parse("2026-11-26T12:00:00Z"),
            ..Overrides::default()
        };
        let mut scratch = Scratch::default();
        let (mut n, mut allowed) = (0, 0);
        let (mut skipped, mut restarted) = ((false, false), (false, false));
        for round in 0..3 {
            for (i, p) in principals.iter().enumerate() {
                let principal = Principal::resolve(p, &model).expect("principal");
                for action in [
                    "s3:GetObject",
                    "iam:PassRole",
                    "kms:Decrypt",
                    "ec2:RunInstances",
                ] {
                    let req = Request {
                        principal: principal.clone(),
                        action: action.into(),
                        resource: if (i + round) % 2 == 0 {
                            "*".into()
                        } else {
                            "arn:aws:s3:::larkspur-prod-data/k".into()
                        },
                        resource_account: None,
                        context: Context::new(),
                    };
                    let before = (scratch.identity.missed, scratch.candidates.missed);
                    let kept = decide_brief_with(&model, &req, &ov, &mut scratch);
                    let after = (scratch.identity.missed, scratch.candidates.missed);
                    // Full and not keeping (the count grows), or starting again (it falls back to 0).
                    skipped.0 |= after.0 > before.0;
                    skipped.1 |= after.1 > before.1;
                    restarted.0 |= after.0 < before.0;
                    restarted.1 |= after.1 < before.1;
                    let plain = decide_brief(&model, &req, &ov);
                    assert_eq!(kept, plain, "{p} {action}");
                    allowed += usize::from(plain.decision == crate::eval::Decision::Allow);
                    n += 1;
                }
            }
        }
        assert!(allowed > 0 && allowed < n, "{allowed} of {n}");
        // Both caches were full, made what they did not keep, and started again; never more than their room.
        assert_eq!((skipped, restarted), ((true, true), (true, true)));
        assert!(scratch.identity.by_principal.len() <= super::KEPT_IDENTITIES);
        assert!(scratch.candidates.lists.len() <= super::KEPT_CANDIDATES);
    }
}
