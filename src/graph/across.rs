//! Folding across accounts: an organisation's graphs told as the organisation's story, not each account's.
//!
//! Grouping by neighbours ([`aggregate`](super::aggregate)) folds the roles of one account that trust the same
//! principal; in an organisation of 1,000 accounts that still leaves thousands of groups ("account 0433 → 58
//! roles if MFA", once per account) and every role that trusts another account of the organisation on its own.
//! Here alike nodes of different accounts fold into one:
//! - **principals by their name relative to their account**: every account as a principal (`…:root`) is one
//!   node, every account's `role/platform/deployer` another, every account's SAML provider `Corp` a third;
//! - **roles by whom they trust, relative to their account**: "its own account → 40,112 roles in 1,000 accounts
//!   if MFA", "platform/deployer of another account → 20,073 roles in 1,000 accounts if aws:PrincipalOrgID =
//!   o-…";
//! - in the identity graph, **groups and policies by their name** (every account's group `admins`, every
//!   account's copy of `ReadOnlyAccess`), and **users and roles by what they point at**: "412 users in admins and
//!   developers, in 1,000 accounts".
//!
//! What stays drawn on its own: `*`, a federated principal no condition narrows, what a second snapshot
//! changed, a principal outside the loaded accounts (an external account, a missing principal, a service, which
//! is one node for the whole organisation already) and the roles such an edge reaches, and the selection in
//! focus mode. Trusts between two accounts of the loaded organisation fold, their edges still drawn red
//! (cross-account) and counted: the organisation's own accounts are its zone of trust, and 20,000 red lines
//! drawn one by one tell nothing.
//!
//! Counts stay exact: every entity is in one node, every edge of the graph aggregated is counted once by the
//! edge it folded into ([`Aggregated::stands_for`]), and a role fold's members trust exactly its incoming
//! edges' principals (relative to their own account) with exactly those edges' conditions. A principal fold's
//! members share a name, not necessarily their edges: its edges are the union of theirs, each counted. A fold
//! expands back (by its [`GroupKey`]) into what it folded.
//!
//! Linear in the graph: one pass classes the nodes (principals first, then the roles by their principals'
//! classes), one hash map gathers the classes, one pass builds the quotient.
#![expect(
    clippy::indexing_slicing,
    reason = "the per-node vectors are made here with one slot per node of the graph being folded and are \
              indexed by its node indexes; class slots index `classes`, made alongside"
)]

use super::aggregate::{
    Aggregated, Distinct, Group, GroupKey, Grouping, Groups, add_folded, counted, finish, names,
    pointed_at_by, tell, thousands,
};
use super::types::{Change, Edge, EdgeKind, Node, NodeKind};
use crate::account::EntityRef;
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::hash::{Hash, Hasher};

/// How a node folds across accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Drawn as it is.
    Alone,
    /// A satellite of the node given: folded with it, counted.
    Satellite(u32),
    /// A principal, by its kind and its name relative to its account: the index of its class.
    Principal(u32),
    /// A role, by its kind, its principals' classes and its edges' contents: the index of its class
    /// ([`AWAITING`] until its signature is taken).
    Trusted(u32),
}

/// A role whose signature is not taken yet.
const AWAITING: u32 = u32::MAX;

/// One incident edge of a role as its signature holds it: outgoing or not, what is at the other end (a principal
/// class, or the node itself), the edge's content (interned).
type Link = (bool, u64, u32);

fn hash_of(v: impl Hash) -> u64 {
    let mut h = FxHasher::default();
    v.hash(&mut h);
    h.finish()
}

/// A principal's name relative to its account: `role/platform/deployer`, `saml-provider/Corp`; nothing for a
/// whole account.
fn relative(w: &Node) -> &str {
    match w.kind {
        NodeKind::Account => "",
        _ => crate::arn::Arn::fields(&w.detail).map_or(w.label.as_str(), |a| a.resource),
    }
}

/// The name shown for a principal fold: the resource without its type (`platform/deployer`, `Corp`).
fn shown_name(w: &Node) -> &str {
    let r = relative(w);
    r.split_once('/').map_or(r, |(_, name)| name)
}

/// Fold alike nodes of different accounts of `a` into one, as the module says. A graph of at most
/// [`Grouping::across_above`] nodes, or of one account, comes back as it is.
pub(super) fn fold_across_accounts(a: Aggregated, how: &Grouping) -> Aggregated {
    let g = &a.graph.graph;
    if g.node_count() <= how.across_above {
        return a;
    }
    let mut accounts: FxHashSet<u32> = g.node_weights().filter_map(|w| w.account).collect();
    for x in a.groups.iter() {
        accounts.extend(x.members.iter().map(|m| m.account));
    }
    if accounts.len() < 2 {
        return a;
    }
    let n = g.node_count();
    let keep: FxHashSet<EntityRef> = how.keep.iter().copied().collect();
    // Drawn alone whatever its edges: a node outside the loaded accounts (a group of one account's roles is
    // inside), flagged, changed or kept.
    let outside: Vec<bool> = g
        .node_indices()
        .map(|v| {
            let w = &g[v];
            (a.groups.at(v).is_none() && w.account.is_none())
                || w.flagged
                || w.change != Change::Same
                || w.entity.is_some_and(|e| keep.contains(&e))
        })
        .collect();
    // An edge drawn between single nodes: `*`, open federation, changed, or across accounts from or to a node
    // outside the loaded ones.
    let alone = |e: petgraph::graph::EdgeReference<'_, Edge>| {
        let w = e.weight();
        w.wildcard
            || w.open_federation
            || w.change != Change::Same
            || (w.cross_account && (outside[e.source().index()] || outside[e.target().index()]))
    };
    let incident = |v: NodeIndex| {
        g.edges_directed(v, Direction::Outgoing)
            .chain(g.edges_directed(v, Direction::Incoming))
    };
    let mut class: Vec<Class> = g
        .node_indices()
        .map(|v| {
            if outside[v.index()] || incident(v).any(alone) {
                Class::Alone
            } else {
                Class::Trusted(AWAITING)
            }
        })
        .collect();
    // The classes: a key that names the same class in every aggregation (for expanding it), and its nodes.
    // Classes are told apart exactly (by name, by interned edge and node), never by a hash alone.
    let mut classes: Vec<(GroupKey, Vec<u32>)> = Vec::new();
    let mut principal_class: FxHashMap<(NodeKind, &str), u32> = FxHashMap::default();
    // Satellites, then principals: neither depends on another node's class.
    for v in g.node_indices() {
        let i = v.index();
        if class[i] == Class::Alone {
            continue;
        }
        let w = &g[v];
        let mut edges = incident(v);
        if let (Some(e), None) = (edges.next(), edges.next())
            && how.satellites.contains(&w.kind)
            && a.groups.at(v).is_none()
        {
            let other = if e.source() == v {
                e.target()
            } else {
                e.source()
            };
            if other != v {
                class[i] = Class::Satellite(other.index() as u32);
                continue;
            }
        }
        // Named: a principal (it trusts-out), or what members point at (a group, a policy); the members of the
        // kinds that fold (roles, users) go by their signature.
        let trusts = g
            .edges_directed(v, Direction::Outgoing)
            .any(|e| e.weight().kind == EdgeKind::Trusts);
        class[i] = if a.groups.at(v).is_none() && (trusts || !how.kinds.contains(&w.kind)) {
            let next = classes.len() as u32;
            let c = *principal_class
                .entry((w.kind, relative(w)))
                .or_insert_with(|| {
                    let key = GroupKey(hash_of(("principal", w.kind, relative(w))));
                    classes.push((key, Vec::new()));
                    next
                });
            Class::Principal(c)
        } else if how.kinds.contains(&w.kind) {
            Class::Trusted(AWAITING)
        } else {
            Class::Alone
        };
    }
    // Edges with the same content share an id, and a hash that is the same in every aggregation.
    let mut interned: FxHashMap<&Edge, u32> = FxHashMap::default();
    let mut edge_hash: Vec<u64> = Vec::new();
    let edge_id: Vec<u32> = g
        .edge_references()
        .map(|e| {
            let next = interned.len() as u32;
            *interned.entry(e.weight()).or_insert_with(|| {
                edge_hash.push(hash_of(e.weight()));
                next
            })
        })
        .collect();
    drop(interned);
    // A node as another's signature names it: exactly (its principal class, or itself), and stably (the
    // class's key, its group's key, or its contents).
    let named = |v: usize, class: &[Class], classes: &[(GroupKey, Vec<u32>)]| match class[v] {
        Class::Principal(c) => ((1u64 << 32) | u64::from(c), classes[c as usize].0.0),
        _ => (
            v as u64,
            match a.groups.at(NodeIndex::new(v)) {
                Some(x) => x.key.0,
                None => {
                    let w = &g[NodeIndex::new(v)];
                    hash_of((w.kind, w.entity, &w.detail, &w.label))
                }
            },
        ),
    };
    // Roles, by their principals' classes and their edges' contents.
    let mut trusted_class: FxHashMap<(NodeKind, Vec<Link>), u32> = FxHashMap::default();
    for v in g.node_indices() {
        let i = v.index();
        if class[i] != Class::Trusted(AWAITING) {
            continue;
        }
        let mut exact: Vec<Link> = Vec::new();
        let mut stable: Vec<(bool, u64, u64)> = Vec::new();
        let links = g
            .edges_directed(v, Direction::Outgoing)
            .map(|e| (true, e.target().index(), e.id().index()))
            .chain(
                g.edges_directed(v, Direction::Incoming)
                    .map(|e| (false, e.source().index(), e.id().index())),
            );
        for (out, other, e) in links {
            if class[other] == Class::Satellite(i as u32) {
                continue;
            }
            let (id, key) = named(other, &class, &classes);
            exact.push((out, id, edge_id[e]));
            stable.push((out, key, edge_hash[edge_id[e] as usize]));
        }
        exact.sort_unstable();
        let next = classes.len() as u32;
        let c = *trusted_class.entry((g[v].kind, exact)).or_insert_with(|| {
            stable.sort_unstable();
            classes.push((
                GroupKey(hash_of(("trusted", g[v].kind, stable))),
                Vec::new(),
            ));
            next
        });
        class[i] = Class::Trusted(c);
    }
    drop(trusted_class);
    for (i, c) in class.iter().enumerate() {
        if let Class::Principal(c) | Class::Trusted(c) = *c {
            classes[c as usize].1.push(i as u32);
        }
    }
    // The classes of two nodes or more, not expanded, fold.
    let folds = |c: Class| match c {
        Class::Principal(c) | Class::Trusted(c) => Some(c).filter(|&c| {
            let (key, nodes) = &classes[c as usize];
            nodes.len() >= 2 && !how.expanded.contains(key)
        }),
        _ => None,
    };
    let fold_of: Vec<Option<u32>> = class.iter().map(|&c| folds(c)).collect();
    if fold_of.iter().all(Option::is_none) {
        return a;
    }
    // Satellites go with their owner when it folds.
    let dropped =
        |v: usize| matches!(class[v], Class::Satellite(o) if fold_of[o as usize].is_some());
    // The quotient: a fold's node where its first member was, every other node as it was.
    let mut out: DiGraph<Node, Edge> = DiGraph::with_capacity(n, g.edge_count());
    let mut map: Vec<Option<NodeIndex>> = vec![None; n];
    let mut group_of_slot: Vec<u32> = vec![u32::MAX; classes.len()];
    let mut groups = Groups::default();
    let mut accounts_of: Vec<FxHashSet<u32>> = Vec::new();
    // A principal fold's kind and name, by group.
    let mut principal_of: FxHashMap<NodeIndex, (NodeKind, String)> = FxHashMap::default();
    for v in g.node_indices() {
        let i = v.index();
        let w = &g[v];
        if dropped(i) {
            continue;
        }
        let Some(s) = fold_of[i] else {
            let node = out.add_node(w.clone());
            map[i] = Some(node);
            if let Some(x) = a.groups.at(v) {
                let gi = groups.list.len() as u32;
                groups.by_node.insert(node, gi);
                for m in &x.members {
                    groups.by_member.insert(*m, gi);
                }
                groups.list.push(Group { node, ..x.clone() });
                accounts_of.push(FxHashSet::default());
            }
            continue;
        };
        let s = s as usize;
        if group_of_slot[s] == u32::MAX {
            let gi = groups.open(&mut out, w, classes[s].0, 0);
            group_of_slot[s] = gi;
            accounts_of.push(FxHashSet::default());
            if let Class::Principal(_) = class[i] {
                principal_of.insert(
                    groups.list[gi as usize].node,
                    (w.kind, shown_name(w).to_string()),
                );
            }
        }
        let gi = group_of_slot[s];
        let group = &mut groups.list[gi as usize];
        map[i] = Some(group.node);
        let seen = &mut accounts_of[gi as usize];
        match (a.groups.at(v), w.entity) {
            (Some(x), _) => {
                group.members.extend_from_slice(&x.members);
                seen.extend(x.members.iter().map(|m| m.account));
                for &(kind, c) in &x.folded {
                    add_folded(group, kind, c);
                }
                for name in &x.names {
                    if group.names.len() < 5 {
                        group.names.push(name.clone());
                    }
                }
            }
            (None, Some(e)) => {
                group.members.push(e);
                seen.insert(e.account);
            }
            (None, None) => {
                group.others += 1;
                seen.extend(w.account);
            }
        }
        if a.groups.at(v).is_none() && group.names.len() < 5 {
            group.names.push(w.label.clone());
        }
        if out[group.node].account != w.account {
            out[group.node].account = None;
        }
    }
    for gi in 0..groups.list.len() {
        let members = std::mem::take(&mut groups.list[gi].members);
        for m in &members {
            groups.by_member.insert(*m, gi as u32);
        }
        groups.list[gi].members = members;
    }
    for (i, c) in class.iter().enumerate() {
        if let Class::Satellite(o) = *c
            && let Some(s) = fold_of[o as usize]
        {
            let kind = g[NodeIndex::new(i)].kind;
            add_folded(
                &mut groups.list[group_of_slot[s as usize] as usize],
                kind,
                1,
            );
        }
    }
    // Edges: one per pair of nodes and content, counting what it stands for.
    let mut edge_of: FxHashMap<(NodeIndex, NodeIndex, &Edge), usize> = FxHashMap::default();
    let mut edge_counts: Vec<usize> = Vec::new();
    for e in g.edge_references() {
        let (Some(x), Some(y)) = (map[e.source().index()], map[e.target().index()]) else {
            continue;
        };
        let count = a.stands_for(e.id());
        match edge_of.entry((x, y, e.weight())) {
            std::collections::hash_map::Entry::Occupied(o) => edge_counts[*o.get()] += count,
            std::collections::hash_map::Entry::Vacant(vac) => {
                vac.insert(out.add_edge(x, y, e.weight().clone()).index());
                edge_counts.push(count);
            }
        }
    }
    drop(edge_of);
    // Labels.
    for (gi, group) in groups.list.iter_mut().enumerate() {
        let folded_here = accounts_of[gi].len();
        if folded_here == 0 {
            continue; // a group of the first pass, told as it was
        }
        let principal = |v: NodeIndex| principal_of.get(&v).cloned();
        let (label, before, after) = story(&out, group, folded_here, &principal);
        tell(&mut out, group, label, before, after);
    }
    finish(a.graph.kind, out, groups, edge_counts)
}

/// `1,000 accounts`.
fn in_accounts(n: usize) -> String {
    if n == 1 {
        "in 1 account".to_string()
    } else {
        format!("in {} accounts", thousands(n))
    }
}

/// A fold's label, what comes before it and after it: a principal fold by its name and its accounts
/// (`1,000 roles` `named platform/deployer, one in each of 1,000 accounts`), a role fold by whom its members
/// trust, relative to their account (`its own account →` `45,102 roles` `in 1,000 accounts if MFA`).
/// `principal` gives a principal fold's kind and name by its node.
fn story(
    out: &DiGraph<Node, Edge>,
    group: &Group,
    accounts: usize,
    principal: &dyn Fn(NodeIndex) -> Option<(NodeKind, String)>,
) -> (String, String, String) {
    let me = group.node;
    if let Some((kind, name)) = principal(me) {
        return match kind {
            NodeKind::Account => (
                format!("{} accounts", thousands(group.size())),
                String::new(),
                "each trusted as a whole (:root)".to_string(),
            ),
            _ => (
                counted(group.size(), kind),
                String::new(),
                format!(
                    "named {name}, one in each of {} accounts",
                    thousands(accounts)
                ),
            ),
        };
    }
    let mut from = Distinct::default();
    let mut conditions: Option<String> = None;
    let mut same_conditions = true;
    for e in out.edges_directed(me, Direction::Incoming) {
        let w = e.weight();
        let label = w.label();
        match &conditions {
            None => conditions = Some(label),
            Some(c) => same_conditions &= *c == label,
        }
        let whose = if w.cross_account {
            "another account"
        } else {
            "its own account"
        };
        let src = &out[e.source()];
        let l = match principal(e.source()) {
            Some((NodeKind::Account, _)) => whose.to_string(),
            Some((_, name)) => format!("{name} of {whose}"),
            None if src.kind == NodeKind::Account
                && src.label.bytes().all(|b| b.is_ascii_digit()) =>
            {
                format!("account {}", src.label)
            }
            None => src.label.clone(),
        };
        from.push(l);
    }
    // What its members point at: their groups, their policies.
    let mut to = Distinct::default();
    let mut all_member_of = true;
    for e in out.edges_directed(me, Direction::Outgoing) {
        all_member_of &= e.weight().kind == EdgeKind::MemberOf;
        to.push(principal(e.target()).map_or_else(|| out[e.target()].label.clone(), |(_, n)| n));
    }
    let (from, to) = (from.in_order(), to.in_order());
    let before = pointed_at_by(&from);
    let to: Vec<&str> = to.iter().map(String::as_str).collect();
    let mut after = Vec::new();
    match (to.is_empty(), all_member_of) {
        (true, _) => {}
        (false, true) => after.push(format!("in {},", names(&to))),
        (false, false) => after.push(format!("→ {},", names(&to))),
    }
    after.push(in_accounts(accounts));
    if let Some(c) = conditions.filter(|c| same_conditions && !c.is_empty()) {
        after.push(format!("if {c}"));
    }
    (counted(group.size(), group.kind), before, after.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{EntityKind, Model};
    use crate::generate::{ORG_ID, OrgSpec};
    use crate::graph::{AtlasGraph, GraphKind, aggregate, trust_graph};
    use crate::policy::PrincipalValue;

    /// A generated organisation of `accounts` accounts, loaded.
    fn org(accounts: usize, tag: &str) -> Model {
        let dir = std::env::temp_dir().join(format!(
            "iam-atlas-across-{tag}-{accounts}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let written = crate::generate::write_org(&dir, &OrgSpec::new(accounts)).expect("generate");
        let m = crate::account::load_paths(&[written.workspace], Default::default()).expect("load");
        let _ = std::fs::remove_dir_all(&dir);
        m
    }

    /// The roles whose trust policy names principal `matches`, counted from the policies themselves.
    fn roles_trusting(m: &Model, matches: &dyn Fn(&str, &str) -> bool) -> usize {
        let mut n = 0;
        for a in &m.accounts {
            for r in &a.roles {
                let Some(t) = &r.trust else { continue };
                let named = t.policy.statements.iter().any(|s| {
                    matches!(&s.principal, Some(p) if !p.not && match &p.value {
                        PrincipalValue::Map(entries) => entries
                            .iter()
                            .any(|e| e.values.iter().any(|v| matches(&a.id, v))),
                        _ => false,
                    })
                });
                n += usize::from(named);
            }
        }
        n
    }

    /// Nodes and edges lose nothing: each node drawn stands for its size, each edge for what it counts, each
    /// folded satellite for itself and its one edge.
    fn assert_counted(src: &AtlasGraph, a: &Aggregated) {
        let folded: usize = a
            .groups
            .iter()
            .flat_map(|g| g.folded.iter().map(|(_, c)| c))
            .sum();
        let nodes: usize = a.graph.graph.node_indices().map(|v| a.size(v)).sum();
        assert_eq!(nodes + folded, src.graph.node_count(), "nodes");
        let edges: usize = a.graph.graph.edge_indices().map(|e| a.stands_for(e)).sum();
        assert_eq!(edges + folded, src.graph.edge_count(), "edges");
    }

    fn across() -> Grouping {
        Grouping {
            across_above: 0,
            ..Grouping::for_graph(GraphKind::Trust)
        }
    }

    /// An organisation of 16 accounts tells its story in a few dozen nodes, and loses nothing: every entity is
    /// drawn once, every edge counted once, `*` and unconditioned federation drawn alone, and the folds say
    /// whom their roles trust with the counts the policies give.
    #[test]
    fn an_organisation_folds_across_accounts_and_counts_everything() {
        let m = org(16, "trust");
        let src = trust_graph(&m);
        let per_account = aggregate(
            src.clone(),
            &Grouping {
                across_above: usize::MAX,
                ..Grouping::for_graph(GraphKind::Trust)
            },
        );
        let a = aggregate(src.clone(), &across());
        let shown = a.graph.graph.node_count();
        assert!(
            shown * 10 < per_account.graph.graph.node_count(),
            "{shown} nodes against {} per account",
            per_account.graph.graph.node_count()
        );
        // Every entity once, alone or in one group (or folded in with its owner).
        for e in src.by_entity.keys() {
            let alone = a.graph.node_of(*e).is_some();
            let grouped = a.groups.of(*e).is_some();
            // An instance profile that hangs on its role alone is folded in with it and counted.
            assert!(
                alone != grouped || (!alone && e.kind == EntityKind::InstanceProfile),
                "{e:?}: alone {alone}, grouped {grouped}"
            );
        }
        // Nodes and edges: each stands for its size, each folded satellite for itself and its edge.
        assert_counted(&src, &a);
        // `*` and open federation: as many edges, between single nodes.
        let alone = |e: &Edge| e.wildcard || e.open_federation;
        assert_eq!(
            a.graph.graph.edge_weights().filter(|e| alone(e)).count(),
            src.graph.edge_weights().filter(|e| alone(e)).count()
        );
        for e in a.graph.graph.edge_references() {
            if alone(e.weight()) {
                assert_eq!(a.stands_for(e.id()), 1);
                assert!(a.groups.at(e.source()).is_none() && a.groups.at(e.target()).is_none());
            }
        }
        let story: Vec<&str> = a.groups.iter().map(|g| g.summary.as_str()).collect();
        let find = |s: &str| {
            a.groups
                .iter()
                .find(|g| g.summary == s)
                .unwrap_or_else(|| panic!("{s}: not in {story:#?}"))
        };
        // Roles that trust another account's deployer, counted from the policies.
        let deployed = roles_trusting(&m, &|own, v| {
            v.ends_with(":role/platform/deployer") && !v.contains(&format!("::{own}:"))
        });
        assert!(deployed > 100, "{deployed}");
        let fold = find(&format!(
            "platform/deployer of another account → {} in 16 accounts if aws:PrincipalOrgID = {ORG_ID}",
            counted(deployed, NodeKind::Role)
        ));
        assert!(fold.members.iter().all(|r| {
            r.kind == EntityKind::Role
                && m.accounts[r.account as usize].roles[r.index as usize]
                    .name
                    .as_ref()
                    != "deployer"
        }));
        // Its one incoming edge: from the deployers' fold, red, counting every trust.
        let into: Vec<_> = a
            .graph
            .graph
            .edges_directed(fold.node, Direction::Incoming)
            .collect();
        assert_eq!(into.len(), 1);
        assert!(into[0].weight().cross_account && into[0].weight().is_flagged());
        assert_eq!(a.stands_for(into[0].id()), deployed);
        // The risky edges, as the legend counts them: every one of the whole graph, none drawn alone here, and
        // the deployer fold among the groups they reach.
        let risky = a.risky();
        assert_eq!(
            risky.edges,
            src.graph.edge_weights().filter(|e| e.is_flagged()).count()
        );
        assert!(risky.alone < risky.edges);
        assert!(risky.groups.contains(&fold.node));
        let deployers = find("16 roles named platform/deployer, one in each of 16 accounts");
        assert_eq!(into[0].source(), deployers.node);
        // Roles the account itself may assume with MFA.
        let own = roles_trusting(&m, &|own, v| v == format!("arn:aws:iam::{own}:root"));
        let mfa = find(&format!(
            "its own account → {} in 16 accounts if MFA",
            counted(own, NodeKind::Role)
        ));
        assert_eq!(mfa.members.len(), own);
        let accounts = find("16 accounts each trusted as a whole (:root)");
        assert_eq!((accounts.members.len(), accounts.others), (0, 16));
        // Expanding a fold draws what it folded again, the rest still folded.
        let mut how = across();
        how.expanded.insert(fold.key);
        let b = aggregate(src.clone(), &how);
        assert!(b.groups.iter().all(|g| g.key != fold.key));
        for r in &fold.members {
            let shown = b.shown_node(*r).expect("drawn");
            assert!(
                b.groups
                    .at(shown)
                    .is_none_or(|g| g.members.len() < fold.members.len())
            );
        }
        assert!(b.groups.iter().any(|g| g.key == mfa.key));
        assert_counted(&src, &b);
    }

    /// The identity graph of an organisation folds its users and roles across accounts by their groups and
    /// policies (by name), exactly: every fold's members point at the same names, and a fold holds every user
    /// who does.
    #[test]
    fn an_organisations_users_fold_by_the_names_of_their_groups_and_policies() {
        let m = org(16, "identity");
        let src = crate::graph::identity_graph(&m);
        let per_account = aggregate(
            src.clone(),
            &Grouping {
                across_above: usize::MAX,
                ..Grouping::for_graph(GraphKind::Identity)
            },
        );
        let a = aggregate(
            src.clone(),
            &Grouping {
                across_above: 0,
                ..Grouping::for_graph(GraphKind::Identity)
            },
        );
        assert!(
            a.graph.graph.node_count() * 3 < per_account.graph.graph.node_count() * 2,
            "{} nodes against {} per account",
            a.graph.graph.node_count(),
            per_account.graph.graph.node_count()
        );
        // One node per group name and per managed policy name, each a fold of one per account.
        for kind in [NodeKind::Group, NodeKind::Policy] {
            let mut names: Vec<&str> = src
                .graph
                .node_weights()
                .filter(|w| w.kind == kind)
                .map(relative)
                .collect();
            names.sort_unstable();
            names.dedup();
            let shown = a
                .graph
                .graph
                .node_weights()
                .filter(|w| w.kind == kind)
                .count();
            assert_eq!(shown, names.len(), "{kind:?}");
        }
        assert_counted(&src, &a);
        // A user's out-edges by the names they point at (its own inline policies aside).
        let g = &src.graph;
        let names_of = |v: NodeIndex| {
            let mut sig: Vec<(String, String)> = g
                .edges_directed(v, Direction::Outgoing)
                .filter(|e| {
                    let t = e.target();
                    !(g[t].kind == NodeKind::InlinePolicy && g.neighbors_undirected(t).count() == 1)
                })
                .map(|e| {
                    (
                        format!("{:?}", e.weight()),
                        relative(&g[e.target()]).to_string(),
                    )
                })
                .collect();
            sig.sort();
            sig
        };
        let users: Vec<NodeIndex> = g
            .node_indices()
            .filter(|&v| g[v].kind == NodeKind::User && !g[v].flagged)
            .collect();
        let largest = a
            .groups
            .iter()
            .filter(|x| x.kind == NodeKind::User)
            .max_by_key(|x| x.members.len())
            .expect("a fold of users");
        let accounts: FxHashSet<u32> = largest.members.iter().map(|m| m.account).collect();
        assert!(accounts.len() > 1, "{}", largest.summary);
        assert!(
            largest
                .summary
                .starts_with(&format!("{} users in ", largest.members.len()))
                && largest
                    .summary
                    .ends_with(&format!(", in {} accounts", accounts.len())),
            "{}",
            largest.summary
        );
        let first = names_of(src.node_of(largest.members[0]).expect("member"));
        for u in &largest.members {
            assert_eq!(names_of(src.node_of(*u).expect("member")), first);
        }
        let alike = users.iter().filter(|&&v| names_of(v) == first).count();
        assert_eq!(largest.members.len(), alike, "{}", largest.summary);
    }

    /// The sample's three accounts folded across, both graphs: nothing lost, and what must stay alone stays
    /// alone (`*`, the partner's SAML provider without a condition, the trusts from accounts outside the sample,
    /// their roles).
    #[test]
    fn the_sample_folds_across_its_accounts_without_losing_its_risky_trusts() {
        let m = crate::graph::test_support::sample();
        for kind in [GraphKind::Trust, GraphKind::Identity] {
            let src = crate::graph::build(&m, kind);
            let a = aggregate(
                src.clone(),
                &Grouping {
                    above: 0,
                    across_above: 0,
                    ..Grouping::for_graph(kind)
                },
            );
            assert!(
                !a.edge_counts.is_empty(),
                "{kind:?}: something folds across the accounts"
            );
            assert_counted(&src, &a);
            for e in src.by_entity.keys() {
                let alone = a.graph.node_of(*e).is_some();
                let grouped = a.groups.of(*e).is_some();
                assert!(!(alone && grouped), "{e:?} drawn twice");
            }
            let single = |e: &Edge| e.wildcard || e.open_federation;
            assert_eq!(
                a.graph.graph.edge_weights().filter(|e| single(e)).count(),
                src.graph.edge_weights().filter(|e| single(e)).count()
            );
            for e in a.graph.graph.edge_references() {
                let w = e.weight();
                let outside = |n: NodeIndex| {
                    let x = &a.graph.graph[n];
                    a.groups.at(n).is_none() && (x.account.is_none() || x.flagged)
                };
                if single(w) || (w.cross_account && (outside(e.source()) || outside(e.target()))) {
                    assert_eq!(a.stands_for(e.id()), 1, "{w:?}");
                    assert!(a.groups.at(e.source()).is_none() && a.groups.at(e.target()).is_none());
                }
            }
        }
        // The roles the sample's risky trusts reach are drawn one by one.
        let src = trust_graph(&m);
        let a = aggregate(
            src,
            &Grouping {
                above: 0,
                across_above: 0,
                ..Grouping::for_graph(GraphKind::Trust)
            },
        );
        for r in ["legacy-open-role", "org-audit-reader", "partner-sso"] {
            let role = crate::graph::test_support::role(&m, r);
            assert!(a.graph.node_of(role).is_some(), "{r} is drawn alone");
        }
    }

    /// One account's graph, however large, and a graph below the threshold are left as grouping by neighbours
    /// leaves them.
    #[test]
    fn one_account_or_a_small_graph_is_not_folded_across() {
        let one = crate::graph::test_support::synthetic(2_000, 3);
        let src = trust_graph(&one);
        let a = aggregate(src.clone(), &across());
        let b = aggregate(
            src,
            &Grouping {
                across_above: usize::MAX,
                ..Grouping::for_graph(GraphKind::Trust)
            },
        );
        assert_eq!(a.graph.graph.node_count(), b.graph.graph.node_count());
        assert!(a.edge_counts.is_empty());
        let m = org(4, "small");
        let small = aggregate(trust_graph(&m), &Grouping::for_graph(GraphKind::Trust));
        assert!(small.graph.graph.node_count() <= crate::graph::aggregate::ACROSS_ABOVE);
        assert!(small.edge_counts.is_empty());
    }
}
