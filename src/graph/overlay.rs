//! Two snapshots in one picture: the graph of the first (*before*) with what the second (*after*) added and
//! removed marked on its nodes and edges ([`Change`]), so that the same layout, filters and aggregation show
//! both. A node is the same node in both when its kind, label, long form (its ARN, a service name…) and account
//! are; an edge is the same edge when its ends and its content (kind, conditions, flags) are. Linear: one hash
//! map of the first graph's nodes, one multiset of its edges.

use super::types::{AtlasGraph, Change, Edge, NodeKind};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;

/// The graph of `before` with `after`'s differences marked. `account_of` maps an account index of the second
/// snapshot's model to the first's (accounts are matched by id), `None` when the first has no such account.
/// Added nodes have no entity (theirs belong to the other model); everything of `before` keeps its index.
pub fn overlay(
    before: &AtlasGraph,
    after: &AtlasGraph,
    account_of: impl Fn(u32) -> Option<u32>,
) -> AtlasGraph {
    let mut out = before.graph.clone();
    type NodeKey<'a> = (NodeKind, &'a str, &'a str, Option<u32>);
    let mut nodes: FxHashMap<NodeKey<'_>, NodeIndex> = FxHashMap::default();
    for n in before.graph.node_indices() {
        let w = &before.graph[n];
        nodes
            .entry((w.kind, &w.label, &w.detail, w.account))
            .or_insert(n);
    }
    // Every node of `after` in the picture: the same node of `before`, or a new one.
    let mut seen = vec![false; before.graph.node_count()];
    let mut map: Vec<NodeIndex> = Vec::with_capacity(after.graph.node_count());
    for n in after.graph.node_indices() {
        let w = &after.graph[n];
        let account = w.account.and_then(&account_of);
        match nodes.get(&(w.kind, w.label.as_str(), w.detail.as_str(), account)) {
            Some(&b) => {
                if let Some(s) = seen.get_mut(b.index()) {
                    *s = true;
                }
                map.push(b);
            }
            None => {
                let mut node = w.clone();
                node.entity = None;
                node.account = account;
                node.change = Change::Added;
                map.push(out.add_node(node));
            }
        }
    }
    for n in before.graph.node_indices() {
        if !seen.get(n.index()).copied().unwrap_or(false) {
            out[n].change = Change::Removed;
        }
    }
    // Edges: `after`'s as a multiset; each of `before`'s found there is the same, the rest removed; what is left
    // of the multiset is added.
    let mut edges: FxHashMap<(NodeIndex, NodeIndex, &Edge), usize> = FxHashMap::default();
    for e in after.graph.edge_references() {
        if let (Some(&a), Some(&b)) = (map.get(e.source().index()), map.get(e.target().index())) {
            *edges.entry((a, b, e.weight())).or_default() += 1;
        }
    }
    let mut removed = Vec::new();
    for e in before.graph.edge_references() {
        match edges.get_mut(&(e.source(), e.target(), e.weight())) {
            Some(c) if *c > 0 => *c -= 1,
            _ => removed.push(e.id()),
        }
    }
    for id in removed {
        if let Some(w) = out.edge_weight_mut(id) {
            w.change = Change::Removed;
        }
    }
    let mut added: Vec<(NodeIndex, NodeIndex, &Edge, usize)> = edges
        .into_iter()
        .filter(|(_, c)| *c > 0)
        .map(|((a, b, w), c)| (a, b, w, c))
        .collect();
    // In `after`'s order, whatever the map's.
    added.sort_by_key(|(a, b, _, _)| (a.index(), b.index()));
    for (a, b, w, c) in added {
        for _ in 0..c {
            let mut edge = w.clone();
            edge.change = Change::Added;
            out.add_edge(a, b, edge);
        }
    }
    AtlasGraph {
        kind: before.kind,
        graph: out,
        by_entity: before.by_entity.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_support::{role, sample};
    use crate::graph::{EdgeKind, GraphKind, Grouping, Node, aggregate, trust_graph};

    fn count(g: &AtlasGraph, c: Change) -> (usize, usize) {
        (
            g.graph.node_weights().filter(|n| n.change == c).count(),
            g.graph.edge_weights().filter(|e| e.change == c).count(),
        )
    }

    #[test]
    fn a_snapshot_against_itself_changes_nothing() {
        let m = sample();
        let g = trust_graph(&m);
        let o = overlay(&g, &trust_graph(&m), Some);
        assert_eq!(o.graph.node_count(), g.graph.node_count());
        assert_eq!(o.graph.edge_count(), g.graph.edge_count());
        assert_eq!(count(&o, Change::Added), (0, 0));
        assert_eq!(count(&o, Change::Removed), (0, 0));
    }

    #[test]
    fn added_and_removed_nodes_and_edges_are_marked_and_never_folded() {
        let m = sample();
        let before = trust_graph(&m);
        // After: legacy-open-role no longer trusts `*`; a new principal may assume admin-mfa.
        let mut after = before.clone();
        let open = after.node_of(role(&m, "legacy-open-role")).expect("role");
        let star = after
            .graph
            .edges_directed(open, petgraph::Direction::Incoming)
            .find(|e| e.weight().wildcard)
            .map(|e| e.id())
            .expect("the * edge");
        after.graph.remove_edge(star);
        let new = after.graph.add_node(Node {
            kind: NodeKind::Service,
            label: "newservice.amazonaws.com".into(),
            detail: "AWS service newservice.amazonaws.com".into(),
            entity: None,
            account: None,
            flagged: false,
            change: Change::Same,
        });
        let admin = after.node_of(role(&m, "admin-mfa")).expect("role");
        let mut trusts = Edge::plain(EdgeKind::Trusts);
        trusts.sid = Some("New".into());
        after.graph.add_edge(new, admin, trusts);
        let o = overlay(&before, &after, Some);
        assert_eq!(count(&o, Change::Added), (1, 1));
        // The `*` node stays: it still trusts org-audit-reader.
        assert_eq!(count(&o, Change::Removed), (0, 1));
        let removed = o
            .graph
            .edge_references()
            .find(|e| e.weight().change == Change::Removed)
            .expect("removed edge");
        assert_eq!(removed.target(), open);
        assert!(removed.weight().wildcard);
        // Aggregation never folds a change.
        let a = aggregate(
            o.clone(),
            &Grouping {
                above: 0,
                ..Grouping::for_graph(GraphKind::Trust)
            },
        );
        assert_eq!(count(&a.graph, Change::Added), (1, 1));
        assert_eq!(count(&a.graph, Change::Removed), (0, 1));
        for e in a.graph.graph.edge_references() {
            if e.weight().change != Change::Same {
                assert!(a.groups.at(e.source()).is_none() && a.groups.at(e.target()).is_none());
            }
        }
        // Against nothing, everything is removed; nothing against it, everything added.
        let empty = AtlasGraph {
            kind: GraphKind::Trust,
            graph: Default::default(),
            by_entity: Default::default(),
        };
        assert_eq!(
            count(&overlay(&before, &empty, Some), Change::Removed),
            (before.graph.node_count(), before.graph.edge_count())
        );
        assert_eq!(
            count(&overlay(&empty, &before, Some), Change::Added),
            (before.graph.node_count(), before.graph.edge_count())
        );
    }
}
