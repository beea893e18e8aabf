//! The builder both graphs are made with: one node per entity or principal, found again by its key.

use super::types::{AtlasGraph, Change, Edge, GraphKind, Node, NodeKind};
use crate::account::{EntityKind, EntityRef, Model, ProviderKind};
use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::FxHashMap;

/// What makes a node the same node when it is met again.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Key {
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

/// A graph under construction.
pub(super) struct Builder<'m> {
    pub(super) model: &'m Model,
    pub(super) graph: DiGraph<Node, Edge>,
    pub(super) keys: FxHashMap<Key, NodeIndex>,
    by_entity: FxHashMap<EntityRef, NodeIndex>,
}

impl<'m> Builder<'m> {
    pub(super) fn new(model: &'m Model) -> Self {
        Builder {
            model,
            graph: DiGraph::new(),
            keys: FxHashMap::default(),
            by_entity: FxHashMap::default(),
        }
    }

    pub(super) fn node(&mut self, key: Key, make: impl FnOnce(&Model) -> Node) -> NodeIndex {
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

    pub(super) fn entity(&mut self, r: EntityRef) -> NodeIndex {
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
                change: Change::Same,
            }
        })
    }

    pub(super) fn edge(&mut self, from: NodeIndex, to: NodeIndex, edge: Edge) {
        self.graph.add_edge(from, to, edge);
    }

    pub(super) fn finish(self, kind: GraphKind) -> AtlasGraph {
        AtlasGraph {
            kind,
            graph: self.graph,
            by_entity: self.by_entity,
        }
    }
}
