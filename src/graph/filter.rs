//! What to keep of a graph: one account, some kinds, the neighbourhood of one entity.

use super::types::{AtlasGraph, NodeKind};
use crate::account::EntityRef;
use petgraph::graph::NodeIndex;
use rustc_hash::FxHashSet;
use std::collections::VecDeque;

/// What to keep of a graph.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    /// Keep only nodes of this account (index in [`Model::accounts`](crate::account::Model::accounts)) and the
    /// principals linked to them.
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

impl AtlasGraph {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_support::{role, sample};
    use crate::graph::trust_graph;

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
}
