//! The nodes and edges of the graphs, their kinds, and the graph with its index from entities to nodes.

use crate::account::EntityRef;
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;

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
    /// The index of its account in [`Model::accounts`](crate::account::Model::accounts), when the snapshot holds it.
    pub account: Option<u32>,
    /// The flagged state: a missing policy, a `*` principal, an external account.
    pub flagged: bool,
    /// In a graph of two snapshots ([`overlay`](fn@super::overlay::overlay)): whether the second added or removed it.
    pub change: Change,
}

/// What a second snapshot did to a node or an edge of the first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Change {
    /// In both (or no second snapshot).
    #[default]
    Same,
    /// Only in the second.
    Added,
    /// Only in the first.
    Removed,
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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionSummary {
    /// Which kind.
    pub kind: ConditionKind,
    /// The summary (`MFA`, `ExternalId = larkspur-deploy-7f3a`, `sub like repo:…`).
    pub text: String,
}

/// An edge of a graph.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edge {
    /// What it means.
    pub kind: EdgeKind,
    /// Conditions of the trust statement (trust edges only).
    pub conditions: Vec<ConditionSummary>,
    /// The principal's account differs from the role's.
    pub cross_account: bool,
    /// The principal is `*`.
    pub wildcard: bool,
    /// The principal is a SAML or OIDC provider and the statement has no condition at all: any identity the
    /// provider vouches for may assume the role. (Which conditions are enough is the findings' question:
    /// `OIDC_NO_SUBJECT`, `SAML_NO_AUDIENCE`.)
    pub open_federation: bool,
    /// The `Sid` of the statement, when it has one.
    pub sid: Option<String>,
    /// In a graph of two snapshots: whether the second added or removed it.
    pub change: Change,
}

impl Edge {
    pub(super) fn plain(kind: EdgeKind) -> Edge {
        Edge {
            kind,
            conditions: Vec::new(),
            cross_account: false,
            wildcard: false,
            open_federation: false,
            sid: None,
            change: Change::Same,
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

    /// True when the edge deserves attention (the risky trusts): cross-account, `*`, or a federated principal
    /// no condition narrows. The views draw these in red and never fold them into a group.
    pub fn is_flagged(&self) -> bool {
        self.cross_account || self.wildcard || self.open_federation
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
}
