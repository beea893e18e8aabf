//! Graphs of the loaded organisation (petgraph underneath) and their layouts, as pure functions: no drawing.
//!
//! - The **identity graph**: users → groups → policies (inline and managed), roles → policies, with
//!   permissions boundaries as a distinct edge kind.
//! - The **trust graph**: who may assume each role (users, roles, whole accounts, AWS services, SAML/OIDC
//!   providers, `*`), each edge carrying the conditions of the trust statement that allows it; cross-account
//!   and `*` trust flagged; instance profiles → roles.
//!
//! Layouts return one position per node: [`layered`] (left to right, longest-path layering and barycentre
//! ordering) for the identity graph, [`clustered`] (connected components packed apart) for the trust graph.

pub mod layout;

pub use layout::{Pos, clustered, clustered_with_aspect, layered};

use crate::account::{
    Attachment, Boundary, EntityKind, EntityRef, InlinePolicy, Model, PolicyRef, ProviderKind,
    arn_account,
};
use crate::policy::{ActionBlock, Effect, PrincipalKind, PrincipalValue, Statement};
use crate::wildcard::action_matches;
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::VecDeque;
use std::fmt::Write as _;

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    /// An IAM user.
    User,
    /// An IAM group.
    Group,
    /// An IAM role.
    Role,
    /// A managed policy (customer- or AWS-managed).
    Policy,
    /// An inline policy embedded in a user, group or role.
    InlinePolicy,
    /// An instance profile.
    InstanceProfile,
    /// A whole account (`arn:aws:iam::ID:root` or a bare account id) as a principal.
    Account,
    /// An AWS service principal (`ec2.amazonaws.com`).
    Service,
    /// A SAML provider.
    Saml,
    /// An OIDC (web identity) provider.
    Oidc,
    /// `*`: any principal.
    Anyone,
    /// A principal the snapshot does not hold (another account's user or role, a session…).
    External,
    /// A person of IAM Identity Center's identity store.
    Person,
    /// A group of IAM Identity Center's identity store.
    PersonGroup,
    /// An Identity Center permission set as assigned in one account (it becomes one role there).
    PermissionSet,
}

impl NodeKind {
    /// Every kind, in legend order.
    pub const ALL: [NodeKind; 15] = [
        NodeKind::User,
        NodeKind::Group,
        NodeKind::Role,
        NodeKind::Policy,
        NodeKind::InlinePolicy,
        NodeKind::InstanceProfile,
        NodeKind::Account,
        NodeKind::Service,
        NodeKind::Saml,
        NodeKind::Oidc,
        NodeKind::Anyone,
        NodeKind::External,
        NodeKind::Person,
        NodeKind::PersonGroup,
        NodeKind::PermissionSet,
    ];

    /// A short name for legends and tooltips.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::User => "user",
            NodeKind::Group => "group",
            NodeKind::Role => "role",
            NodeKind::Policy => "managed policy",
            NodeKind::InlinePolicy => "inline policy",
            NodeKind::InstanceProfile => "instance profile",
            NodeKind::Account => "whole account",
            NodeKind::Service => "AWS service",
            NodeKind::Saml => "SAML provider",
            NodeKind::Oidc => "OIDC provider",
            NodeKind::Anyone => "anyone (*)",
            NodeKind::External => "external principal",
            NodeKind::Person => "person (Identity Center)",
            NodeKind::PersonGroup => "Identity Center group",
            NodeKind::PermissionSet => "permission set in an account",
        }
    }
}

/// A node of a graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What it stands for.
    pub kind: NodeKind,
    /// A short label (a name).
    pub label: String,
    /// The long form: an ARN, a service name, an account id.
    pub detail: String,
    /// The entity of the model it is, when it is one.
    pub entity: Option<EntityRef>,
    /// The index of its account in [`Model::accounts`], when the snapshot holds it.
    pub account: Option<u32>,
    /// The flagged state: a missing policy, a `*` principal, an external account.
    pub flagged: bool,
}

/// What an edge means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// User → group.
    MemberOf,
    /// Identity → managed policy.
    Attached,
    /// Identity → its inline policy.
    Inline,
    /// Identity → its permissions boundary.
    Boundary,
    /// Principal → role: the principal may assume the role.
    Trusts,
    /// Instance profile → role.
    Holds,
    /// Identity Center person or group → the permission set assigned to it in an account.
    Assigned,
    /// Permission set in an account → the role Identity Center provisioned for it there.
    Provisions,
}

impl EdgeKind {
    /// A short name for legends.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::MemberOf => "member of",
            EdgeKind::Attached => "attached",
            EdgeKind::Inline => "inline",
            EdgeKind::Boundary => "boundary",
            EdgeKind::Trusts => "may assume",
            EdgeKind::Holds => "holds",
            EdgeKind::Assigned => "assigned",
            EdgeKind::Provisions => "provisioned as",
        }
    }
}

/// The kind of a trust condition, for colour and filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConditionKind {
    /// `aws:MultiFactorAuthPresent` / `aws:MultiFactorAuthAge`.
    Mfa,
    /// `sts:ExternalId`.
    ExternalId,
    /// An OIDC provider's `…:sub`.
    OidcSub,
    /// `aws:SourceIp`.
    SourceIp,
    /// `aws:PrincipalOrgID` and the like.
    Organization,
    /// Anything else.
    Other,
}

/// One condition of a trust statement, summarised for a label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionSummary {
    /// Which kind.
    pub kind: ConditionKind,
    /// The summary (`MFA`, `ExternalId = larkspur-deploy-7f3a`, `sub like repo:…`).
    pub text: String,
}

/// An edge of a graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// What it means.
    pub kind: EdgeKind,
    /// Conditions of the trust statement (trust edges only).
    pub conditions: Vec<ConditionSummary>,
    /// The principal's account differs from the role's.
    pub cross_account: bool,
    /// The principal is `*`.
    pub wildcard: bool,
    /// The `Sid` of the statement, when it has one.
    pub sid: Option<String>,
}

impl Edge {
    fn plain(kind: EdgeKind) -> Edge {
        Edge {
            kind,
            conditions: Vec::new(),
            cross_account: false,
            wildcard: false,
            sid: None,
        }
    }

    /// The label shown on the edge: its conditions joined, or empty.
    pub fn label(&self) -> String {
        self.conditions
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// True when the edge deserves attention: cross-account or `*` trust.
    pub fn is_flagged(&self) -> bool {
        self.cross_account || self.wildcard
    }
}

/// Which graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum GraphKind {
    /// Users → groups → policies.
    Identity,
    /// Principals → roles they may assume.
    Trust,
}

/// A graph of the organisation, with the index from entities to nodes.
#[derive(Clone, Debug)]
pub struct AtlasGraph {
    /// Which graph.
    pub kind: GraphKind,
    /// The graph itself.
    pub graph: DiGraph<Node, Edge>,
    /// The node of each entity of the model in the graph.
    pub by_entity: FxHashMap<EntityRef, NodeIndex>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Entity(EntityRef),
    Inline(EntityRef, u32),
    Arn(String),
    Account(String),
    Service(String),
    Anyone,
    Person(u32),
    PersonGroup(u32),
    SetInAccount(u32, String),
}

struct Builder<'m> {
    model: &'m Model,
    graph: DiGraph<Node, Edge>,
    keys: FxHashMap<Key, NodeIndex>,
    by_entity: FxHashMap<EntityRef, NodeIndex>,
}

impl<'m> Builder<'m> {
    fn new(model: &'m Model) -> Self {
        Builder {
            model,
            graph: DiGraph::new(),
            keys: FxHashMap::default(),
            by_entity: FxHashMap::default(),
        }
    }

    fn node(&mut self, key: Key, make: impl FnOnce(&Model) -> Node) -> NodeIndex {
        if let Some(&n) = self.keys.get(&key) {
            return n;
        }
        let node = make(self.model);
        let entity = node.entity;
        let n = self.graph.add_node(node);
        if let Some(e) = entity {
            self.by_entity.insert(e, n);
        }
        self.keys.insert(key, n);
        n
    }

    fn entity(&mut self, r: EntityRef) -> NodeIndex {
        self.node(Key::Entity(r), |m| {
            let (label, detail) = m.describe(r);
            Node {
                kind: match r.kind {
                    EntityKind::User => NodeKind::User,
                    EntityKind::Group => NodeKind::Group,
                    EntityKind::Role => NodeKind::Role,
                    EntityKind::Policy => NodeKind::Policy,
                    EntityKind::InstanceProfile => NodeKind::InstanceProfile,
                    EntityKind::IdentityProvider => {
                        match m
                            .accounts
                            .get(r.account as usize)
                            .and_then(|a| a.identity_providers.get(r.index as usize))
                            .map(|p| p.kind)
                        {
                            Some(ProviderKind::Oidc) => NodeKind::Oidc,
                            _ => NodeKind::Saml,
                        }
                    }
                    EntityKind::ResourcePolicy | EntityKind::OrgPolicy => NodeKind::External,
                },
                label,
                detail,
                entity: Some(r),
                account: (r.account != u32::MAX).then_some(r.account),
                flagged: false,
            }
        })
    }

    fn edge(&mut self, from: NodeIndex, to: NodeIndex, edge: Edge) {
        self.graph.add_edge(from, to, edge);
    }

    /// Policies of one identity: attached, boundary, inline.
    fn policies(
        &mut self,
        owner: EntityRef,
        from: NodeIndex,
        attached: &[Attachment],
        boundary: &Option<Boundary>,
        inline: &[InlinePolicy],
    ) {
        for a in attached {
            let to = self.policy(owner.account, &a.arn, a.target);
            self.edge(from, to, Edge::plain(EdgeKind::Attached));
        }
        if let Some(b) = boundary {
            let to = self.policy(owner.account, &b.arn, b.target);
            self.edge(from, to, Edge::plain(EdgeKind::Boundary));
        }
        for (i, p) in inline.iter().enumerate() {
            let (owner_name, _) = self.model.describe(owner);
            let to = self.node(Key::Inline(owner, i as u32), |_| Node {
                kind: NodeKind::InlinePolicy,
                label: p.name.to_string(),
                detail: format!("inline policy of {owner_name}"),
                entity: None,
                account: Some(owner.account),
                flagged: false,
            });
            self.edge(from, to, Edge::plain(EdgeKind::Inline));
        }
    }

    fn policy(&mut self, account: u32, arn: &str, target: PolicyRef) -> NodeIndex {
        match target {
            PolicyRef::Local(index) => self.entity(EntityRef {
                account,
                kind: EntityKind::Policy,
                index,
            }),
            PolicyRef::Bundled(_) | PolicyRef::Missing => {
                let missing = target == PolicyRef::Missing;
                self.node(Key::Arn(arn.to_string()), |_| Node {
                    kind: NodeKind::Policy,
                    label: arn.rsplit('/').next().unwrap_or(arn).to_string(),
                    detail: if missing {
                        format!("{arn} (missing: what it grants is unknown)")
                    } else {
                        format!("{arn} (AWS-managed, bundled)")
                    },
                    entity: None,
                    account: None,
                    flagged: missing,
                })
            }
        }
    }

    /// The node of a principal named in a trust policy.
    fn principal(&mut self, kind: &PrincipalKind, value: &str) -> Option<NodeIndex> {
        let model = self.model;
        match kind {
            PrincipalKind::Aws => {
                if value == "*" {
                    return Some(self.anyone());
                }
                if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
                    return Some(self.account(value));
                }
                let account = arn_account(value)?;
                let resource = value.splitn(6, ':').nth(5).unwrap_or("");
                if resource == "root" {
                    return Some(self.account(account));
                }
                if let Some(r) = model.by_arn(value) {
                    return Some(self.entity(r));
                }
                // Trust policies name roles and users without their path.
                if let Some(ai) = model.account_index(account) {
                    let (kind, name) = match resource.split_once('/') {
                        Some(("role", rest)) => (EntityKind::Role, rest),
                        Some(("user", rest)) => (EntityKind::User, rest),
                        _ => (EntityKind::OrgPolicy, ""),
                    };
                    let name = name.rsplit('/').next().unwrap_or(name);
                    if let Some(index) = model
                        .accounts
                        .get(ai as usize)
                        .and_then(|a| a.find(kind, name))
                    {
                        return Some(self.entity(EntityRef {
                            account: ai,
                            kind,
                            index,
                        }));
                    }
                }
                Some(self.node(Key::Arn(value.to_string()), |m| Node {
                    kind: NodeKind::External,
                    label: resource.rsplit('/').next().unwrap_or(resource).to_string(),
                    detail: value.to_string(),
                    entity: None,
                    account: m.account_index(account),
                    flagged: true,
                }))
            }
            PrincipalKind::Service => {
                if value == "*" {
                    return Some(self.anyone());
                }
                Some(self.node(Key::Service(value.to_string()), |_| Node {
                    kind: NodeKind::Service,
                    label: value.to_string(),
                    detail: format!("AWS service {value}"),
                    entity: None,
                    account: None,
                    flagged: false,
                }))
            }
            PrincipalKind::Federated => {
                if let Some(r) = model.by_arn(value) {
                    return Some(self.entity(r));
                }
                let saml = value.contains(":saml-provider/");
                let name = value
                    .split_once(":saml-provider/")
                    .or_else(|| value.split_once(":oidc-provider/"))
                    .map(|(_, n)| n)
                    .unwrap_or(value);
                Some(self.node(Key::Arn(value.to_string()), |m| Node {
                    kind: if saml { NodeKind::Saml } else { NodeKind::Oidc },
                    label: name.to_string(),
                    detail: value.to_string(),
                    entity: None,
                    account: arn_account(value).and_then(|a| m.account_index(a)),
                    flagged: false,
                }))
            }
            PrincipalKind::CanonicalUser | PrincipalKind::Other(_) => {
                Some(self.node(Key::Arn(value.to_string()), |_| Node {
                    kind: NodeKind::External,
                    label: value.to_string(),
                    detail: format!("{} {value}", kind.as_str()),
                    entity: None,
                    account: None,
                    flagged: true,
                }))
            }
        }
    }

    fn anyone(&mut self) -> NodeIndex {
        self.node(Key::Anyone, |_| Node {
            kind: NodeKind::Anyone,
            label: "*".into(),
            detail: "any principal (\"*\")".into(),
            entity: None,
            account: None,
            flagged: true,
        })
    }

    fn account(&mut self, id: &str) -> NodeIndex {
        self.node(Key::Account(id.to_string()), |m| {
            let index = m.account_index(id);
            let label = match index.and_then(|i| m.accounts.get(i as usize)) {
                Some(a) => a.label(),
                None => format!("account {id}"),
            };
            Node {
                kind: NodeKind::Account,
                label,
                detail: format!("every principal of account {id} its IAM policies allow"),
                entity: None,
                account: index,
                flagged: index.is_none(),
            }
        })
    }

    fn finish(self, kind: GraphKind) -> AtlasGraph {
        AtlasGraph {
            kind,
            graph: self.graph,
            by_entity: self.by_entity,
        }
    }
}

/// The identity graph of `model`: users → groups → policies, roles → policies.
pub fn identity_graph(model: &Model) -> AtlasGraph {
    let mut b = Builder::new(model);
    for (ai, a) in model.accounts.iter().enumerate() {
        let account = ai as u32;
        let r = |kind, index: usize| EntityRef {
            account,
            kind,
            index: index as u32,
        };
        for (i, u) in a.users.iter().enumerate() {
            let me = r(EntityKind::User, i);
            let from = b.entity(me);
            for g in &u.groups {
                if let Some(gi) = a.find(EntityKind::Group, g) {
                    let to = b.entity(r(EntityKind::Group, gi as usize));
                    b.edge(from, to, Edge::plain(EdgeKind::MemberOf));
                }
            }
            b.policies(me, from, &u.attached, &u.boundary, &u.inline);
        }
        for (i, g) in a.groups.iter().enumerate() {
            let me = r(EntityKind::Group, i);
            let from = b.entity(me);
            b.policies(me, from, &g.attached, &None, &g.inline);
        }
        for (i, role) in a.roles.iter().enumerate() {
            let me = r(EntityKind::Role, i);
            let from = b.entity(me);
            b.policies(me, from, &role.attached, &role.boundary, &role.inline);
        }
    }
    identity_center(&mut b);
    b.finish(GraphKind::Identity)
}

/// IAM Identity Center in the identity graph: people → their groups → each permission set as assigned in one
/// account → the role provisioned for it there. A set is a node per account, so a group assigned a set in one
/// account never appears to reach the set's role in another; a set whose role is not loaded is flagged.
fn identity_center(b: &mut Builder<'_>) {
    let model = b.model;
    let Some(ic) = &model.identity_center else {
        return;
    };
    let person = |b: &mut Builder<'_>, u: u32| {
        b.node(Key::Person(u), |_| {
            let user = ic.users.get(u as usize);
            Node {
                kind: NodeKind::Person,
                label: ic.user_label(u),
                detail: user.map_or_else(String::new, |x| {
                    x.display_name
                        .clone()
                        .map_or_else(|| x.arn(), |d| format!("{d} ({})", x.arn()))
                }),
                entity: None,
                account: None,
                flagged: false,
            }
        })
    };
    let mut linked: FxHashSet<(u32, String)> = FxHashSet::default();
    let mut groups: Vec<u32> = Vec::new();
    for a in &ic.assignments {
        let Some(ps) = a.permission_set else {
            continue;
        };
        let Some(set) = ic.permission_sets.get(ps as usize) else {
            continue;
        };
        let account = model.account_index(&a.account);
        let label = format!(
            "{} in {}",
            set.name,
            account
                .and_then(|i| model.accounts.get(i as usize))
                .and_then(|x| x.alias.clone())
                .unwrap_or_else(|| a.account.to_string())
        );
        let set_node = b.node(Key::SetInAccount(ps, a.account.to_string()), |_| Node {
            kind: NodeKind::PermissionSet,
            label,
            detail: if a.role.is_some() {
                set.arn.to_string()
            } else {
                format!(
                    "{} (its role in {} is not loaded: what it allows is unknown)",
                    set.arn, a.account
                )
            },
            entity: None,
            account,
            flagged: a.role.is_none(),
        });
        let from = match a.to {
            crate::account::identity_center::AssignedTo::User(u) => person(b, u),
            crate::account::identity_center::AssignedTo::Group(g) => {
                if !groups.contains(&g) {
                    groups.push(g);
                }
                b.node(Key::PersonGroup(g), |_| {
                    let grp = ic.groups.get(g as usize);
                    Node {
                        kind: NodeKind::PersonGroup,
                        label: grp.map_or_else(|| "?".into(), |x| x.name.to_string()),
                        detail: grp.map_or_else(String::new, |x| {
                            if x.members_known {
                                x.arn()
                            } else {
                                format!("{} (members not loaded)", x.arn())
                            }
                        }),
                        entity: None,
                        account: None,
                        flagged: grp.is_some_and(|x| !x.members_known),
                    }
                })
            }
            crate::account::identity_center::AssignedTo::Unknown => continue,
        };
        b.edge(from, set_node, Edge::plain(EdgeKind::Assigned));
        if let Some(r) = a.role
            && linked.insert((ps, a.account.to_string()))
        {
            let to = b.entity(r);
            b.edge(set_node, to, Edge::plain(EdgeKind::Provisions));
        }
    }
    for g in groups {
        let Some(grp) = ic.groups.get(g as usize) else {
            continue;
        };
        let to = b.keys.get(&Key::PersonGroup(g)).copied();
        for &u in &grp.members {
            let from = person(b, u);
            if let Some(to) = to {
                b.edge(from, to, Edge::plain(EdgeKind::MemberOf));
            }
        }
    }
}

/// The actions that assume a role (or tag its session), lowercased.
const ASSUME_ACTIONS: [&str; 4] = [
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
];

/// Whether an `Allow` statement of a trust policy lets its principals assume the role.
pub fn allows_assume(s: &Statement) -> bool {
    if s.effect.as_ref().map(|e| e.value) != Some(Effect::Allow) {
        return false;
    }
    match &s.action {
        Some(ActionBlock::Action(list)) => list
            .iter()
            .any(|p| ASSUME_ACTIONS.iter().any(|a| action_matches(p, a))),
        Some(ActionBlock::NotAction(list)) => ASSUME_ACTIONS
            .iter()
            .any(|a| !list.iter().any(|p| action_matches(p, a))),
        None => false,
    }
}

/// Summaries of a statement's conditions.
pub fn summarise_conditions(s: &Statement) -> Vec<ConditionSummary> {
    s.conditions
        .iter()
        .map(|c| {
            let key = c.key.value.to_ascii_lowercase();
            let values = c.values.iter().collect::<Vec<_>>().join(" | ");
            let op = &*c.operator.value;
            let negated = c.op.map(|o| o.base.is_negated()).unwrap_or(false);
            let rel = if op.to_ascii_lowercase().contains("like") {
                if negated { "not like" } else { "like" }
            } else if negated {
                "!="
            } else {
                "="
            };
            let (kind, text) = if key.starts_with("aws:multifactorauth") {
                let text = if key == "aws:multifactorauthage" {
                    format!("MFA age {op} {values}")
                } else if values.eq_ignore_ascii_case("true") && !negated {
                    "MFA".to_string()
                } else {
                    format!("MFA {rel} {values}")
                };
                (ConditionKind::Mfa, text)
            } else if key == "sts:externalid" {
                (
                    ConditionKind::ExternalId,
                    format!("ExternalId {rel} {values}"),
                )
            } else if key.ends_with(":sub") {
                (ConditionKind::OidcSub, format!("sub {rel} {values}"))
            } else if key == "aws:sourceip" {
                let rel = if negated { "not from" } else { "from" };
                (ConditionKind::SourceIp, format!("source IP {rel} {values}"))
            } else if key.starts_with("aws:principalorg") || key == "aws:principalaccount" {
                (
                    ConditionKind::Organization,
                    format!("{} {rel} {values}", c.key.value),
                )
            } else {
                (
                    ConditionKind::Other,
                    format!("{} {rel} {values}", c.key.value),
                )
            };
            ConditionSummary { kind, text }
        })
        .collect()
}

/// The trust graph of `model`: principals → the roles they may assume, instance profiles → roles.
pub fn trust_graph(model: &Model) -> AtlasGraph {
    let mut b = Builder::new(model);
    for (ai, a) in model.accounts.iter().enumerate() {
        let account = ai as u32;
        for (i, role) in a.roles.iter().enumerate() {
            let me = EntityRef {
                account,
                kind: EntityKind::Role,
                index: i as u32,
            };
            let to = b.entity(me);
            let Some(trust) = &role.trust else { continue };
            for s in &trust.policy.statements {
                if !allows_assume(s) {
                    continue;
                }
                let conditions = summarise_conditions(s);
                let sid = s.sid.as_ref().map(|s| s.value.to_string());
                let mut principals: Vec<(PrincipalKind, String)> = Vec::new();
                match s.principal.as_ref().map(|p| (&p.value, p.not)) {
                    // `NotPrincipal` with Allow: everyone but the named ones.
                    Some((_, true)) | Some((PrincipalValue::Star(_), _)) => {
                        principals.push((PrincipalKind::Aws, "*".into()))
                    }
                    Some((PrincipalValue::Map(entries), false)) => {
                        for e in entries {
                            for v in e.values.iter() {
                                principals.push((e.kind.value.clone(), v.to_string()));
                            }
                        }
                    }
                    None => {}
                }
                for (kind, value) in principals {
                    let Some(from) = b.principal(&kind, &value) else {
                        continue;
                    };
                    let node = &b.graph[from];
                    let wildcard = node.kind == NodeKind::Anyone;
                    let their_account = match node.kind {
                        NodeKind::Service | NodeKind::Anyone => None,
                        _ => arn_account(&value).filter(|a| !a.is_empty()).or_else(|| {
                            (value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()))
                                .then_some(value.as_str())
                        }),
                    };
                    let cross_account = their_account.is_some_and(|id| id != &*a.id);
                    b.edge(
                        from,
                        to,
                        Edge {
                            kind: EdgeKind::Trusts,
                            conditions: conditions.clone(),
                            cross_account,
                            wildcard,
                            sid: sid.clone(),
                        },
                    );
                }
            }
        }
        for (i, p) in a.instance_profiles.iter().enumerate() {
            let from = b.entity(EntityRef {
                account,
                kind: EntityKind::InstanceProfile,
                index: i as u32,
            });
            for name in &p.roles {
                if let Some(ri) = a.find(EntityKind::Role, name) {
                    let to = b.entity(EntityRef {
                        account,
                        kind: EntityKind::Role,
                        index: ri,
                    });
                    b.edge(from, to, Edge::plain(EdgeKind::Holds));
                }
            }
        }
    }
    b.finish(GraphKind::Trust)
}

/// Build the graph of `kind`.
pub fn build(model: &Model, kind: GraphKind) -> AtlasGraph {
    match kind {
        GraphKind::Identity => identity_graph(model),
        GraphKind::Trust => trust_graph(model),
    }
}

/// The users, groups and roles of `account` that use its managed policy `policy`, and how (attached or as a
/// permissions boundary), sorted by kind and name.
pub fn attached_to(model: &Model, account: u32, policy: u32) -> Vec<(EntityRef, EdgeKind)> {
    let Some(a) = model.accounts.get(account as usize) else {
        return Vec::new();
    };
    let target = PolicyRef::Local(policy);
    let mut out = Vec::new();
    let mut add = |kind, index: usize, attached: &[Attachment], boundary: Option<&Boundary>| {
        let r = EntityRef {
            account,
            kind,
            index: index as u32,
        };
        if attached.iter().any(|x| x.target == target) {
            out.push((r, EdgeKind::Attached));
        }
        if boundary.is_some_and(|b| b.target == target) {
            out.push((r, EdgeKind::Boundary));
        }
    };
    for (i, u) in a.users.iter().enumerate() {
        add(EntityKind::User, i, &u.attached, u.boundary.as_ref());
    }
    for (i, g) in a.groups.iter().enumerate() {
        add(EntityKind::Group, i, &g.attached, None);
    }
    for (i, r) in a.roles.iter().enumerate() {
        add(EntityKind::Role, i, &r.attached, r.boundary.as_ref());
    }
    out
}

/// What to keep of a graph.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    /// Keep only nodes of this account (index in [`Model::accounts`]) and the principals linked to them.
    pub account: Option<u32>,
    /// Drop nodes of these kinds.
    pub hidden_kinds: Vec<NodeKind>,
    /// Keep only the neighbourhood of this entity, this many hops out (either direction).
    pub focus: Option<(EntityRef, usize)>,
}

impl Filter {
    /// True when it keeps everything.
    pub fn is_empty(&self) -> bool {
        self.account.is_none() && self.hidden_kinds.is_empty() && self.focus.is_none()
    }
}

/// A principal who may assume a role, as the role's details list them.
#[derive(Clone, Debug, PartialEq)]
pub struct Assumer {
    /// The principal's node.
    pub node: Node,
    /// The trust edge.
    pub edge: Edge,
}

impl AtlasGraph {
    /// The node of an entity.
    pub fn node_of(&self, r: EntityRef) -> Option<NodeIndex> {
        self.by_entity.get(&r).copied()
    }

    /// Nodes within `k` hops of `start`, following edges either way.
    pub fn neighbourhood(&self, start: NodeIndex, k: usize) -> FxHashSet<NodeIndex> {
        let mut seen = FxHashSet::default();
        if self.graph.node_weight(start).is_none() {
            return seen;
        }
        let mut queue = VecDeque::from([(start, 0usize)]);
        seen.insert(start);
        while let Some((n, d)) = queue.pop_front() {
            if d == k {
                continue;
            }
            for m in self.graph.neighbors_undirected(n) {
                if seen.insert(m) {
                    queue.push_back((m, d + 1));
                }
            }
        }
        seen
    }

    /// The subgraph of the nodes `keep` accepts (edges between kept nodes only).
    pub fn subgraph(&self, keep: impl Fn(NodeIndex) -> bool) -> AtlasGraph {
        let graph = self
            .graph
            .filter_map(|n, w| keep(n).then(|| w.clone()), |_, e| Some(e.clone()));
        let by_entity = graph
            .node_indices()
            .filter_map(|n| graph[n].entity.map(|e| (e, n)))
            .collect();
        AtlasGraph {
            kind: self.kind,
            graph,
            by_entity,
        }
    }

    /// Apply a [`Filter`].
    pub fn filtered(&self, f: &Filter) -> AtlasGraph {
        if f.is_empty() {
            return self.clone();
        }
        let g = &self.graph;
        let focus = f
            .focus
            .and_then(|(e, k)| self.node_of(e).map(|n| self.neighbourhood(n, k)));
        let base = |n: NodeIndex| {
            !f.hidden_kinds.contains(&g[n].kind) && focus.as_ref().is_none_or(|s| s.contains(&n))
        };
        let in_account = |n: NodeIndex| match f.account {
            None => true,
            Some(a) => g[n].account == Some(a),
        };
        self.subgraph(|n| {
            base(n)
                && (in_account(n)
                    || (g[n].account.is_none()
                        && g.neighbors_undirected(n).any(|m| base(m) && in_account(m))))
        })
    }

    /// Who may assume `role`: the sources of its trust edges.
    pub fn assumers(&self, role: EntityRef) -> Vec<Assumer> {
        let Some(n) = self.node_of(role) else {
            return Vec::new();
        };
        let mut out: Vec<Assumer> = self
            .graph
            .edges_directed(n, Direction::Incoming)
            .filter(|e| e.weight().kind == EdgeKind::Trusts)
            .map(|e| Assumer {
                node: self.graph[e.source()].clone(),
                edge: e.weight().clone(),
            })
            .collect();
        out.sort_by(|a, b| a.node.label.cmp(&b.node.label));
        out
    }

    /// An SVG picture of the graph at the positions `pos` (one per node, from a layout): nodes coloured by
    /// kind, flagged nodes and edges in red, boundaries dashed, conditions written on trust edges.
    pub fn to_svg(&self, pos: &[Pos]) -> String {
        fn esc(s: &str) -> String {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        }
        let at = |n: NodeIndex| pos.get(n.index()).copied().unwrap_or_default();
        let (mut x0, mut y0, mut x1, mut y1) = (0.0f32, 0.0f32, 1.0f32, 1.0f32);
        for (i, p) in pos.iter().take(self.graph.node_count()).enumerate() {
            if i == 0 {
                (x0, y0, x1, y1) = (p.x, p.y, p.x, p.y);
            }
            x0 = x0.min(p.x);
            y0 = y0.min(p.y);
            x1 = x1.max(p.x);
            y1 = y1.max(p.y);
        }
        let margin = 220.0;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{} {} {} {}\" font-family=\"sans-serif\" \
             font-size=\"12\">",
            x0 - margin,
            y0 - 40.0,
            x1 - x0 + 2.0 * margin,
            y1 - y0 + 80.0
        );
        out.push_str("<rect x=\"-100000\" y=\"-100000\" width=\"200000\" height=\"200000\" fill=\"white\"/>\n");
        for e in self.graph.edge_references() {
            let (a, b) = (at(e.source()), at(e.target()));
            let w = e.weight();
            let color = if w.is_flagged() { "#d33" } else { "#889" };
            let dash = if w.kind == EdgeKind::Boundary {
                " stroke-dasharray=\"6 4\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{color}\"{dash}/>",
                a.x, a.y, b.x, b.y
            );
            let label = w.label();
            if !label.is_empty() {
                let _ = writeln!(
                    out,
                    "<text x=\"{}\" y=\"{}\" fill=\"{color}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
                    a.x + (b.x - a.x) * 0.6,
                    a.y + (b.y - a.y) * 0.6 - 6.0,
                    esc(&label)
                );
            }
        }
        for n in self.graph.node_indices() {
            let p = at(n);
            let w = &self.graph[n];
            let fill = match w.kind {
                NodeKind::User => "#569cd6",
                NodeKind::Group => "#4ec9b0",
                NodeKind::Role => "#c586c0",
                NodeKind::Policy => "#dcb45a",
                NodeKind::InlinePolicy => "#aa966e",
                NodeKind::InstanceProfile => "#78aa78",
                NodeKind::Account => "#64b4f0",
                NodeKind::Service => "#e68c3c",
                NodeKind::Saml => "#96c85a",
                NodeKind::Oidc => "#5ac896",
                NodeKind::Anyone => "#eb4646",
                NodeKind::External => "#a0a0a0",
                NodeKind::Person => "#4f8fd0",
                NodeKind::PersonGroup => "#3fb39a",
                NodeKind::PermissionSet => "#d08f4f",
            };
            let stroke = if w.flagged {
                " stroke=\"#d33\" stroke-width=\"2\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<g><title>{}</title><circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"{fill}\"{stroke}/>\
                 <text x=\"{}\" y=\"{}\">{}</text></g>",
                esc(&w.detail),
                p.x,
                p.y,
                p.x + 10.0,
                p.y + 4.0,
                esc(&w.label)
            );
        }
        out.push_str("</svg>\n");
        out
    }

    /// Graphviz DOT text of the graph.
    pub fn to_dot(&self) -> String {
        fn esc(s: &str) -> String {
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        }
        let mut out = String::new();
        let name = match self.kind {
            GraphKind::Identity => "identity",
            GraphKind::Trust => "trust",
        };
        let _ = writeln!(out, "digraph {name} {{");
        out.push_str("  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
        for n in self.graph.node_indices() {
            let w = &self.graph[n];
            let shape = match w.kind {
                NodeKind::User => "ellipse",
                NodeKind::Group => "box3d",
                NodeKind::Role => "hexagon",
                NodeKind::Policy | NodeKind::InlinePolicy => "note",
                NodeKind::InstanceProfile => "component",
                NodeKind::Account => "folder",
                NodeKind::Service => "cds",
                NodeKind::Saml | NodeKind::Oidc => "house",
                NodeKind::Anyone => "doubleoctagon",
                NodeKind::External => "egg",
                NodeKind::Person => "oval",
                NodeKind::PersonGroup => "box3d",
                NodeKind::PermissionSet => "tab",
            };
            let color = if w.flagged { ", color=red" } else { "" };
            let _ = writeln!(
                out,
                "  n{} [label=\"{}\", tooltip=\"{}\", shape={shape}{color}];",
                n.index(),
                esc(&w.label),
                esc(&w.detail)
            );
        }
        for e in self.graph.edge_references() {
            let w = e.weight();
            let mut attrs = vec![format!("label=\"{}\"", esc(&w.label()))];
            match w.kind {
                EdgeKind::Boundary => attrs.push("style=dashed".into()),
                EdgeKind::Inline => attrs.push("style=dotted".into()),
                _ => {}
            }
            if w.is_flagged() {
                attrs.push("color=red".into());
            }
            let _ = writeln!(
                out,
                "  n{} -> n{} [{}];",
                e.source().index(),
                e.target().index(),
                attrs.join(", ")
            );
        }
        out.push_str("}\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Model {
        crate::sample::load_sample(Default::default()).expect("sample loads")
    }

    fn role(m: &Model, name: &str) -> EntityRef {
        *m.by_name(EntityKind::Role, name).first().expect(name)
    }

    #[test]
    fn glob_matches_assume_actions() {
        assert!(action_matches("sts:AssumeRole", "sts:assumerole"));
        assert!(action_matches("sts:AssumeRole*", "sts:assumerolewithsaml"));
        assert!(action_matches("*", "sts:tagsession"));
        assert!(action_matches("sts:*", "sts:assumerole"));
        assert!(!action_matches("sts:AssumeRole", "sts:assumerolewithsaml"));
        assert!(!action_matches("s3:*", "sts:assumerole"));
    }

    #[test]
    fn dev_ci_may_assume_prod_deploy_across_accounts_with_external_id() {
        let m = sample();
        let g = trust_graph(&m);
        let ci = g.node_of(role(&m, "ci-pipeline")).expect("ci node");
        let deploy = g
            .node_of(role(&m, "cross-account-deploy"))
            .expect("deploy node");
        let e = g.graph.find_edge(ci, deploy).expect("ci → deploy edge");
        let e = &g.graph[e];
        assert_eq!(e.kind, EdgeKind::Trusts);
        assert!(e.cross_account);
        assert!(!e.wildcard);
        assert!(
            e.conditions
                .iter()
                .any(|c| c.kind == ConditionKind::ExternalId
                    && c.text.contains("larkspur-deploy-7f3a")),
            "{:?}",
            e.conditions
        );
        // A role chain: codebuild → ci-pipeline → cross-account-deploy.
        let assumers = g.assumers(role(&m, "ci-pipeline"));
        assert!(
            assumers
                .iter()
                .any(|a| a.node.kind == NodeKind::Service
                    && a.node.label == "codebuild.amazonaws.com")
        );
    }

    #[test]
    fn oidc_edge_carries_sub_and_saml_and_mfa_are_labelled() {
        let m = sample();
        let g = trust_graph(&m);
        let gh = g.assumers(role(&m, "github-actions-webshop"));
        assert_eq!(gh.len(), 1);
        assert_eq!(gh[0].node.kind, NodeKind::Oidc);
        assert!(
            gh[0]
                .edge
                .conditions
                .iter()
                .any(|c| c.kind == ConditionKind::OidcSub && c.text.starts_with("sub like repo:")),
            "{:?}",
            gh[0].edge.conditions
        );
        let admin = g.assumers(role(&m, "admin-mfa"));
        assert_eq!(admin[0].node.kind, NodeKind::Account);
        assert!(admin[0].edge.label().contains("MFA"));
        assert!(!admin[0].edge.cross_account);
        let okta = g.assumers(role(&m, "okta-engineers"));
        assert_eq!(okta[0].node.kind, NodeKind::Saml);
    }

    #[test]
    fn legacy_open_role_is_trusted_by_anyone() {
        let m = sample();
        let g = trust_graph(&m);
        let a = g.assumers(role(&m, "legacy-open-role"));
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].node.kind, NodeKind::Anyone);
        assert!(a[0].edge.wildcard && a[0].edge.is_flagged());
    }

    #[test]
    fn identity_graph_links_users_groups_policies_and_boundaries() {
        let m = sample();
        let g = identity_graph(&m);
        let kinds: FxHashSet<EdgeKind> = g.graph.edge_weights().map(|e| e.kind).collect();
        for k in [EdgeKind::MemberOf, EdgeKind::Attached, EdgeKind::Inline] {
            assert!(kinds.contains(&k), "{k:?}");
        }
        let has_boundary = m.accounts.iter().any(|a| {
            a.users.iter().any(|u| u.boundary.is_some())
                || a.roles.iter().any(|r| r.boundary.is_some())
        });
        assert_eq!(kinds.contains(&EdgeKind::Boundary), has_boundary);
        // Every user of the sample is a node, with an edge to each of its groups.
        let a = &m.accounts[0];
        for (i, u) in a.users.iter().enumerate() {
            let n = g
                .node_of(EntityRef {
                    account: 0,
                    kind: EntityKind::User,
                    index: i as u32,
                })
                .expect("user node");
            let groups = g
                .graph
                .edges(n)
                .filter(|e| e.weight().kind == EdgeKind::MemberOf)
                .count();
            assert_eq!(
                groups,
                u.groups.iter().filter(|g| a.group(g).is_some()).count()
            );
        }
    }

    #[test]
    fn dot_is_a_digraph_with_every_node() {
        let m = sample();
        for g in [identity_graph(&m), trust_graph(&m)] {
            let dot = g.to_dot();
            assert!(dot.starts_with("digraph "));
            assert!(dot.trim_end().ends_with('}'));
            let nodes = dot
                .lines()
                .filter(|l| {
                    let l = l.trim_start();
                    l.starts_with('n')
                        && l[1..].starts_with(|c: char| c.is_ascii_digit())
                        && !l.contains("->")
                })
                .count();
            assert_eq!(nodes, g.graph.node_count());
            let edges = dot.lines().filter(|l| l.contains(" -> ")).count();
            assert_eq!(edges, g.graph.edge_count());
            // Balanced quotes on every line (escaping works).
            for l in dot.lines() {
                let unescaped = l.replace("\\\\", "").replace("\\\"", "");
                assert_eq!(unescaped.matches('"').count() % 2, 0, "{l}");
            }
        }
    }

    #[test]
    fn svg_has_a_circle_per_node_and_a_line_per_edge() {
        let m = sample();
        let g = trust_graph(&m);
        let svg = g.to_svg(&clustered(&g.graph));
        assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<circle ").count(), g.graph.node_count());
        assert_eq!(svg.matches("<line ").count(), g.graph.edge_count());
        assert!(svg.contains("ExternalId = larkspur-deploy-7f3a"));
    }

    #[test]
    fn attached_to_agrees_with_the_identity_graph() {
        let m = sample();
        let g = identity_graph(&m);
        for (ai, a) in m.accounts.iter().enumerate() {
            for pi in 0..a.policies.len() {
                let r = EntityRef {
                    account: ai as u32,
                    kind: EntityKind::Policy,
                    index: pi as u32,
                };
                let users = attached_to(&m, ai as u32, pi as u32);
                let incoming = g
                    .node_of(r)
                    .map(|n| g.graph.edges_directed(n, Direction::Incoming).count())
                    .unwrap_or(0);
                assert_eq!(users.len(), incoming, "{}", a.policies[pi].name);
            }
        }
    }

    #[test]
    fn focus_and_filters_narrow_the_graph() {
        let m = sample();
        let g = trust_graph(&m);
        let deploy = role(&m, "cross-account-deploy");
        let one = g.filtered(&Filter {
            focus: Some((deploy, 1)),
            ..Filter::default()
        });
        assert_eq!(one.graph.node_count(), 2, "deploy and ci-pipeline");
        let two = g.filtered(&Filter {
            focus: Some((deploy, 2)),
            ..Filter::default()
        });
        assert!(two.graph.node_count() > 2, "and who may assume ci-pipeline");
        let no_services = g.filtered(&Filter {
            hidden_kinds: vec![NodeKind::Service],
            ..Filter::default()
        });
        assert!(
            no_services
                .graph
                .node_weights()
                .all(|n| n.kind != NodeKind::Service)
        );
        let dev = m.account_index("523456789012").expect("dev");
        let only_dev = g.filtered(&Filter {
            account: Some(dev),
            ..Filter::default()
        });
        assert!(
            only_dev
                .graph
                .node_weights()
                .all(|n| n.account.is_none_or(|a| a == dev))
        );
        assert!(only_dev.node_of(role(&m, "legacy-open-role")).is_some());
        assert!(only_dev.node_of(deploy).is_none());
    }

    #[test]
    fn layouts_give_every_node_a_distinct_finite_place() {
        let m = sample();
        for g in [identity_graph(&m), trust_graph(&m)] {
            let pos = match g.kind {
                GraphKind::Identity => layered(&g.graph),
                GraphKind::Trust => clustered(&g.graph),
            };
            assert_eq!(pos.len(), g.graph.node_count());
            assert!(pos.iter().all(|p| p.x.is_finite() && p.y.is_finite()));
            let mut seen = FxHashSet::default();
            for p in &pos {
                assert!(seen.insert((p.x as i64, p.y as i64)), "two nodes at {p:?}");
            }
        }
        // Layered: every identity edge points to the right.
        let g = identity_graph(&m);
        let pos = layered(&g.graph);
        for e in g.graph.edge_references() {
            assert!(pos[e.source().index()].x < pos[e.target().index()].x);
        }
    }
}
