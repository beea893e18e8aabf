//! Aggregation: a graph too large to read node by node, told as its story. Nodes of one kind with exactly the
//! same neighbours (the same edges, with the same conditions, to and from the same nodes) fold into one group
//! node: the roles that only `lambda.amazonaws.com` may assume become "lambda.amazonaws.com → 6,695 roles", the
//! roles the account itself may assume with MFA "account 111122223333 → 412 roles", the users with the same
//! groups one node per group set. Every risky edge ([`Edge::is_flagged`]: cross-account, `*`, a federated
//! principal without conditions) and every flagged node stays drawn on its own, and so do its ends. Nodes that
//! hang on one owner alone (a role's instance profile, an identity's inline policies) fold into the owner's
//! group and are counted there.
//!
//! Linear in the graph: one pass signs each node with its sorted neighbourhood, a hash map groups equal
//! signatures, one pass builds the quotient graph. Counts are exact: every member of a group has exactly the
//! group's edges, and a group expands back into its members (by its [`GroupKey`]) without changing anything
//! else.
#![expect(
    clippy::indexing_slicing,
    reason = "the per-node and per-edge vectors are made here with one slot per node or edge of the graph being \
              aggregated and are indexed by its node and edge indexes; group slots index `slots`, made alongside"
)]

use super::types::{AtlasGraph, Change, Edge, EdgeKind, GraphKind, Node, NodeKind};
use crate::account::EntityRef;
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

/// A group's identity: a hash of its members' kind and of their neighbours' and edges' contents, so the same
/// group has the same key in every aggregation of the same organisation, whatever is expanded or filtered
/// around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupKey(pub u64);

/// How to aggregate a graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Grouping {
    /// Aggregate only graphs with more nodes than this: a small graph is read node by node.
    pub above: usize,
    /// The kinds of nodes that fold into groups.
    pub kinds: Vec<NodeKind>,
    /// The kinds of nodes that fold into their owner's group when they hang on it alone.
    pub satellites: Vec<NodeKind>,
    /// The fewest members of a group: smaller sets stay drawn one by one.
    pub min_members: usize,
    /// Groups shown expanded: their members drawn one by one.
    pub expanded: BTreeSet<GroupKey>,
    /// Entities always drawn on their own (the selection, in focus mode).
    pub keep: Vec<EntityRef>,
    /// Fold alike nodes across accounts (`across::fold_across_accounts`) when
    /// the graph, once grouped, still has more nodes than this and spans two accounts or more.
    pub across_above: usize,
}

/// Graphs of more nodes than this are aggregated by default.
pub const AGGREGATE_ABOVE: usize = 250;

/// Graphs of several accounts that still have more nodes than this once grouped are folded across accounts by
/// default: an organisation's story, not each account's.
pub const ACROSS_ABOVE: usize = 1_000;

impl Grouping {
    /// The grouping that tells graph `kind`'s story: roles by who may assume them in the trust graph (with
    /// their instance profiles), users, people and roles by their groups and policies in the identity graph
    /// (with their inline policies).
    pub fn for_graph(kind: GraphKind) -> Grouping {
        let (kinds, satellites) = match kind {
            GraphKind::Trust => (vec![NodeKind::Role], vec![NodeKind::InstanceProfile]),
            GraphKind::Identity => (
                vec![NodeKind::User, NodeKind::Role, NodeKind::Person],
                vec![NodeKind::InlinePolicy],
            ),
        };
        Grouping {
            above: AGGREGATE_ABOVE,
            kinds,
            satellites,
            min_members: 2,
            expanded: BTreeSet::new(),
            keep: Vec::new(),
            across_above: ACROSS_ABOVE,
        }
    }

    /// No aggregation at all.
    pub fn none() -> Grouping {
        Grouping {
            above: usize::MAX,
            kinds: Vec::new(),
            satellites: Vec::new(),
            min_members: usize::MAX,
            expanded: BTreeSet::new(),
            keep: Vec::new(),
            across_above: usize::MAX,
        }
    }
}

/// A group node: members of one kind with exactly the same neighbours.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Its identity across aggregations.
    pub key: GroupKey,
    /// Its node in the aggregated graph.
    pub node: NodeIndex,
    /// The members' kind.
    pub kind: NodeKind,
    /// Every member, in the order of the graph aggregated.
    pub members: Vec<EntityRef>,
    /// Members that are no entity of the model: the whole accounts of a fold across accounts.
    pub others: usize,
    /// The first few members' labels (for tooltips).
    pub names: Vec<String>,
    /// Nodes folded in with their owners: how many of each kind.
    pub folded: Vec<(NodeKind, usize)>,
    /// One line that tells it: `lambda.amazonaws.com → 6,695 roles`, `account 111122223333 → 412 roles if
    /// MFA`, `12 users in admins and developers`: [`Group::before`], the count, [`Group::after`].
    pub summary: String,
    /// What comes before the count in the summary: who points at the members (`lambda.amazonaws.com →`), or
    /// nothing.
    pub before: String,
    /// What comes after it: the conditions of the edges into the group (`if MFA`), what the members point at
    /// (`in admins and developers`, `→ ReadOnlyAccess`), or nothing.
    pub after: String,
}

impl Group {
    /// How many nodes of the graph aggregated it stands for: its members and its other members.
    pub fn size(&self) -> usize {
        self.members.len() + self.others
    }
}

/// The groups of an aggregated graph, found by their node or by a member.
#[derive(Clone, Debug, Default)]
pub struct Groups {
    pub(super) list: Vec<Group>,
    pub(super) by_node: FxHashMap<NodeIndex, u32>,
    pub(super) by_member: FxHashMap<EntityRef, u32>,
}

impl Groups {
    /// Every group, in the order of their nodes.
    pub fn iter(&self) -> impl Iterator<Item = &Group> {
        self.list.iter()
    }

    /// How many groups.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when nothing was grouped.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The group node `n` is, if it is one.
    pub fn at(&self, n: NodeIndex) -> Option<&Group> {
        self.by_node
            .get(&n)
            .and_then(|&i| self.list.get(i as usize))
    }

    /// The group entity `e` was folded into, if it was.
    pub fn of(&self, e: EntityRef) -> Option<&Group> {
        self.by_member
            .get(&e)
            .and_then(|&i| self.list.get(i as usize))
    }

    /// A new group of `key` whose members are like `like`: its node in `out`, its index in the list.
    pub(super) fn open(
        &mut self,
        out: &mut DiGraph<Node, Edge>,
        like: &Node,
        key: GroupKey,
        capacity: usize,
    ) -> u32 {
        let node = out.add_node(Node {
            kind: like.kind,
            label: String::new(),
            detail: String::new(),
            entity: None,
            account: like.account,
            flagged: false,
            change: Change::Same,
        });
        let gi = self.list.len() as u32;
        self.by_node.insert(node, gi);
        self.list.push(Group {
            key,
            node,
            kind: like.kind,
            members: Vec::with_capacity(capacity),
            others: 0,
            names: Vec::new(),
            folded: Vec::new(),
            summary: String::new(),
            before: String::new(),
            after: String::new(),
        });
        gi
    }

    /// How many entities the groups hold.
    pub fn members(&self) -> usize {
        self.list.iter().map(|g| g.members.len()).sum()
    }
}

/// A graph with its groups.
#[derive(Clone, Debug)]
pub struct Aggregated {
    /// The graph: group nodes in place of their members (a group node has no entity).
    pub graph: AtlasGraph,
    /// Its groups.
    pub groups: Groups,
    /// How many edges of the graph aggregated each edge stands for, by edge index, once folded across
    /// accounts; empty before, where an edge stands for the product of its ends' sizes.
    pub edge_counts: Vec<usize>,
}

/// The risky edges of an aggregated graph ([`Aggregated::risky`]).
#[derive(Clone, Debug, Default)]
pub struct Risky {
    /// How many risky edges of the whole graph the drawn edges stand for.
    pub edges: usize,
    /// How many are drawn one by one.
    pub alone: usize,
    /// The groups a risky edge reaches.
    pub groups: FxHashSet<NodeIndex>,
}

impl Aggregated {
    /// A graph with no group.
    pub(super) fn plain(graph: AtlasGraph) -> Aggregated {
        Aggregated {
            graph,
            groups: Groups::default(),
            edge_counts: Vec::new(),
        }
    }

    /// How many nodes of the graph aggregated node `n` stands for.
    pub fn size(&self, n: NodeIndex) -> usize {
        self.groups.at(n).map_or(1, Group::size)
    }

    /// The risky edges ([`Edge::is_flagged`]) of the graph aggregated: how many in all, how many are drawn one by
    /// one (the others are folded between accounts of the organisation and counted on their edge), and the
    /// groups such an edge reaches.
    pub fn risky(&self) -> Risky {
        let mut r = Risky::default();
        for e in self.graph.graph.edge_references() {
            if !e.weight().is_flagged() {
                continue;
            }
            let n = self.stands_for(e.id());
            r.edges += n;
            r.alone += usize::from(n == 1);
            if self.groups.at(e.target()).is_some() {
                r.groups.insert(e.target());
            }
        }
        r
    }

    /// How many edges of the graph aggregated edge `e` stands for (its folded satellites' aside).
    pub fn stands_for(&self, e: petgraph::graph::EdgeIndex) -> usize {
        if let Some(&c) = self.edge_counts.get(e.index()) {
            return c;
        }
        self.graph
            .graph
            .edge_endpoints(e)
            .map_or(0, |(s, t)| self.size(s) * self.size(t))
    }

    /// The node that shows entity `e`: its own, or its group's.
    pub fn shown_node(&self, e: EntityRef) -> Option<NodeIndex> {
        self.graph
            .node_of(e)
            .or_else(|| self.groups.of(e).map(|g| g.node))
    }
}

/// `n` with thousands separated by commas: `6,695`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `6,695 roles`, `1 user`.
pub fn counted(n: usize, kind: NodeKind) -> String {
    let (one, many) = match kind {
        NodeKind::User => ("user", "users"),
        NodeKind::Group => ("group", "groups"),
        NodeKind::Role => ("role", "roles"),
        NodeKind::Policy => ("managed policy", "managed policies"),
        NodeKind::InlinePolicy => ("inline policy", "inline policies"),
        NodeKind::InstanceProfile => ("instance profile", "instance profiles"),
        NodeKind::Person => ("person", "people"),
        NodeKind::PersonGroup => ("Identity Center group", "Identity Center groups"),
        NodeKind::PermissionSet => ("permission set", "permission sets"),
        NodeKind::Service => ("AWS service", "AWS services"),
        NodeKind::Saml => ("SAML provider", "SAML providers"),
        NodeKind::Oidc => ("OIDC provider", "OIDC providers"),
        NodeKind::External => ("external principal", "external principals"),
        other => (other.name(), other.name()),
    };
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// One incident edge of a node as its signature holds it: outgoing or not, the node at the other end, the
/// edge's content (interned).
type Link = (bool, u32, u32);

/// Aggregate `g` as `how` says: nodes with the same neighbours fold into groups, then, in a large graph of
/// several accounts, alike nodes fold across accounts ([`Grouping::across_above`]). A graph of at most
/// [`Grouping::above`] nodes comes back as it is.
pub fn aggregate(g: AtlasGraph, how: &Grouping) -> Aggregated {
    super::across::fold_across_accounts(by_neighbours(g, how), how)
}

/// Nodes with exactly the same neighbours fold into groups.
fn by_neighbours(g: AtlasGraph, how: &Grouping) -> Aggregated {
    if g.graph.node_count() <= how.above || how.kinds.is_empty() {
        return Aggregated::plain(g);
    }
    let gr = &g.graph;
    let n = gr.node_count();
    // Edges with the same content share an id.
    let mut interned: FxHashMap<&Edge, u32> = FxHashMap::default();
    let mut edge_id = vec![0u32; gr.edge_count()];
    let mut edge_hash: Vec<u64> = Vec::new();
    for e in gr.edge_references() {
        let next = interned.len() as u32;
        let id = *interned.entry(e.weight()).or_insert_with(|| {
            let mut h = FxHasher::default();
            e.weight().hash(&mut h);
            edge_hash.push(h.finish());
            next
        });
        edge_id[e.id().index()] = id;
    }
    let keep: FxHashSet<EntityRef> = how.keep.iter().copied().collect();
    let kept = |w: &Node| w.entity.is_some_and(|e| keep.contains(&e));
    // A risky edge, or one a second snapshot added or removed, is drawn on its own, and so are its ends.
    let alone = |e: &Edge| e.is_flagged() || e.change != Change::Same;
    let risky = |v: NodeIndex| {
        gr.edges_directed(v, Direction::Outgoing)
            .chain(gr.edges_directed(v, Direction::Incoming))
            .any(|e| alone(e.weight()))
    };
    // Satellites: a node of a satellite kind whose one edge ties it to its owner.
    let mut owner: Vec<Option<u32>> = vec![None; n];
    for v in gr.node_indices() {
        let w = &gr[v];
        if !how.satellites.contains(&w.kind) || w.flagged || w.change != Change::Same || kept(w) {
            continue;
        }
        let mut edges = gr
            .edges_directed(v, Direction::Outgoing)
            .chain(gr.edges_directed(v, Direction::Incoming));
        if let (Some(e), None) = (edges.next(), edges.next()) {
            let other = if e.source() == v {
                e.target()
            } else {
                e.source()
            };
            if other != v && !alone(e.weight()) {
                owner[v.index()] = Some(other.index() as u32);
            }
        }
    }
    // Sign each candidate with its sorted links (its own satellites left out) and group equal signatures.
    let mut slot_of: Vec<u32> = vec![u32::MAX; n];
    let mut slots: Vec<Vec<u32>> = Vec::new();
    let mut first_sig: Vec<Vec<Link>> = Vec::new();
    let mut by_sig: FxHashMap<(NodeKind, Vec<Link>), u32> = FxHashMap::default();
    for v in gr.node_indices() {
        let w = &gr[v];
        if !how.kinds.contains(&w.kind)
            || w.entity.is_none()
            || w.flagged
            || w.change != Change::Same
            || kept(w)
            || owner[v.index()].is_some()
            || risky(v)
        {
            continue;
        }
        let me = v.index() as u32;
        let mut sig: Vec<Link> = Vec::new();
        for e in gr.edges_directed(v, Direction::Outgoing) {
            let t = e.target().index();
            if owner[t] != Some(me) {
                sig.push((true, t as u32, edge_id[e.id().index()]));
            }
        }
        for e in gr.edges_directed(v, Direction::Incoming) {
            let s = e.source().index();
            if owner[s] != Some(me) {
                sig.push((false, s as u32, edge_id[e.id().index()]));
            }
        }
        sig.sort_unstable();
        let next = slots.len() as u32;
        let slot = match by_sig.entry((w.kind, sig)) {
            std::collections::hash_map::Entry::Occupied(o) => *o.get(),
            std::collections::hash_map::Entry::Vacant(vac) => {
                first_sig.push(vac.key().1.clone());
                vac.insert(next);
                slots.push(Vec::new());
                next
            }
        };
        slots[slot as usize].push(me);
        slot_of[v.index()] = slot;
    }
    drop(by_sig);
    // Which slots become groups, and their keys.
    let ident = |v: usize| {
        let w = &gr[NodeIndex::new(v)];
        let mut h = FxHasher::default();
        (w.kind, w.entity, &w.detail, &w.label).hash(&mut h);
        h.finish()
    };
    let mut key_of: Vec<Option<GroupKey>> = vec![None; slots.len()];
    for (s, members) in slots.iter().enumerate() {
        if members.len() < how.min_members.max(2) {
            continue;
        }
        let mut parts: Vec<(bool, u64, u64)> = first_sig[s]
            .iter()
            .map(|&(out, other, e)| (out, ident(other as usize), edge_hash[e as usize]))
            .collect();
        parts.sort_unstable();
        let mut h = FxHasher::default();
        (gr[NodeIndex::new(members[0] as usize)].kind, parts).hash(&mut h);
        let key = GroupKey(h.finish());
        if !how.expanded.contains(&key) {
            key_of[s] = Some(key);
        }
    }
    let grouped = |v: usize| slot_of[v] != u32::MAX && key_of[slot_of[v] as usize].is_some();
    let folded = |v: usize| owner[v].is_some_and(|o| grouped(o as usize));
    if !(0..n).any(grouped) {
        return Aggregated::plain(g);
    }
    // The quotient graph: group nodes where their first member was, everything else as it was.
    let mut out: DiGraph<Node, Edge> = DiGraph::with_capacity(n, gr.edge_count());
    let mut map: Vec<Option<NodeIndex>> = vec![None; n];
    let mut group_of_slot: Vec<u32> = vec![u32::MAX; slots.len()];
    let mut groups = Groups::default();
    for v in gr.node_indices() {
        let i = v.index();
        let w = &gr[v];
        if folded(i) {
            continue;
        }
        if !grouped(i) {
            map[i] = Some(out.add_node(w.clone()));
            continue;
        }
        let s = slot_of[i] as usize;
        if group_of_slot[s] == u32::MAX {
            group_of_slot[s] = groups.open(
                &mut out,
                w,
                key_of[s].unwrap_or(GroupKey(0)),
                slots[s].len(),
            );
        }
        let gi = group_of_slot[s];
        let group = &mut groups.list[gi as usize];
        map[i] = Some(group.node);
        if let Some(e) = w.entity {
            group.members.push(e);
            groups.by_member.insert(e, gi);
        }
        if group.names.len() < 5 {
            group.names.push(w.label.clone());
        }
        if out[group.node].account != w.account {
            out[group.node].account = None;
        }
    }
    // What folded into each group.
    for v in 0..n {
        if let Some(o) = owner[v]
            && grouped(o as usize)
        {
            let group = &mut groups.list[group_of_slot[slot_of[o as usize] as usize] as usize];
            add_folded(group, gr[NodeIndex::new(v)].kind, 1);
        }
    }
    // Edges: a group's are its first member's (every member has the same), every other edge as it was.
    let first = |v: usize| !grouped(v) || slots[slot_of[v] as usize].first() == Some(&(v as u32));
    for e in gr.edge_references() {
        let (s, t) = (e.source().index(), e.target().index());
        let (Some(a), Some(b)) = (map[s], map[t]) else {
            continue;
        };
        if first(s) && first(t) {
            out.add_edge(a, b, e.weight().clone());
        }
    }
    // Labels: the count on the node, the story in its detail.
    for group in &mut groups.list {
        let (before, after) = summary(&out, g.kind, group);
        let many = counted(group.members.len(), group.kind);
        tell(&mut out, group, many, before, after);
    }
    finish(g.kind, out, groups, Vec::new())
}

/// Write a group's story: its node's label (the count), what comes before and after it, the summary they make,
/// and what folded into it.
pub(super) fn tell(
    out: &mut DiGraph<Node, Edge>,
    group: &mut Group,
    label: String,
    before: String,
    after: String,
) {
    group.summary = [before.as_str(), label.as_str(), after.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    (group.before, group.after) = (before, after);
    let node = &mut out[group.node];
    node.label = label;
    node.detail = group.summary.clone();
    for &(kind, c) in &group.folded {
        node.detail
            .push_str(&format!("; {} folded in", counted(c, kind)));
    }
}

/// Count `c` more nodes of `kind` folded into `group`.
pub(super) fn add_folded(group: &mut Group, kind: NodeKind, c: usize) {
    match group.folded.iter_mut().find(|(k, _)| *k == kind) {
        Some((_, n)) => *n += c,
        None => group.folded.push((kind, c)),
    }
}

/// The aggregated graph `out` of `kind`, indexed by entity.
pub(super) fn finish(
    kind: GraphKind,
    out: DiGraph<Node, Edge>,
    groups: Groups,
    edge_counts: Vec<usize>,
) -> Aggregated {
    let by_entity = out
        .node_indices()
        .filter_map(|v| out[v].entity.map(|e| (e, v)))
        .collect();
    Aggregated {
        graph: AtlasGraph {
            kind,
            graph: out,
            by_entity,
        },
        groups,
        edge_counts,
    }
}

/// Distinct labels, in the order their edges were made (a set beside the list: a node may have thousands of
/// neighbours, and a linear search each would make telling it quadratic).
#[derive(Default)]
pub(super) struct Distinct {
    list: Vec<String>,
    seen: FxHashSet<String>,
}

impl Distinct {
    /// Add `label` unless it is there already.
    pub(super) fn push(&mut self, label: String) {
        if !self.seen.contains(&label) {
            self.seen.insert(label.clone());
            self.list.push(label);
        }
    }

    /// The labels, oldest edge first (petgraph lists a node's edges newest first).
    pub(super) fn in_order(mut self) -> Vec<String> {
        self.list.reverse();
        self.list
    }
}

/// What comes before a group's count: who points at it (`lambda.amazonaws.com →`), or nothing.
pub(super) fn pointed_at_by(from: &[String]) -> String {
    if from.is_empty() {
        return String::new();
    }
    let from: Vec<&str> = from.iter().map(String::as_str).collect();
    format!("{} →", names(&from))
}

/// Up to three names, then how many more: `admins, developers and 4 more`.
pub(super) fn names(list: &[&str]) -> String {
    match list {
        [] => String::new(),
        [a] => (*a).to_string(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} more", rest.len()),
    }
}

/// What tells a group beside its count: who points at it (before), and the conditions or what it points at
/// (after).
fn summary(out: &DiGraph<Node, Edge>, kind: GraphKind, group: &Group) -> (String, String) {
    let mut from = Distinct::default();
    let mut to = Distinct::default();
    let mut all_member_of = true;
    // The conditions every edge into the group carries, when they all carry the same.
    let mut conditions: Option<String> = None;
    let mut same_conditions = true;
    for e in out.edges_directed(group.node, Direction::Incoming) {
        let label = e.weight().label();
        match &conditions {
            None => conditions = Some(label),
            Some(c) => same_conditions &= *c == label,
        }
        let w = &out[e.source()];
        // A bare account id says what it is.
        let l = if w.kind == NodeKind::Account && w.label.bytes().all(|b| b.is_ascii_digit()) {
            format!("account {}", w.label)
        } else {
            w.label.clone()
        };
        from.push(l);
    }
    for e in out.edges_directed(group.node, Direction::Outgoing) {
        all_member_of &= e.weight().kind == EdgeKind::MemberOf;
        to.push(out[e.target()].label.clone());
    }
    let (from, to) = (from.in_order(), to.in_order());
    let before = pointed_at_by(&from);
    let to: Vec<&str> = to.iter().map(String::as_str).collect();
    let mut after = Vec::new();
    if let Some(c) = conditions.filter(|c| same_conditions && !c.is_empty()) {
        after.push(format!("if {c}"));
    }
    match (from.is_empty(), to.is_empty()) {
        (true, true) => after.push(match kind {
            GraphKind::Trust => "no principal may assume".to_string(),
            GraphKind::Identity => "in no group, with no managed policy".to_string(),
        }),
        (_, false) if all_member_of => after.push(format!("in {}", names(&to))),
        (_, false) => after.push(format!("→ {}", names(&to))),
        (false, true) => {}
    }
    (before, after.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_support::{role, sample, synthetic};
    use crate::graph::{identity_graph, trust_graph};

    /// Every grouping, for the sample: groups of two and more, whatever the graph's size.
    fn eager(kind: GraphKind) -> Grouping {
        Grouping {
            above: 0,
            ..Grouping::for_graph(kind)
        }
    }

    /// How many nodes of the original graph a node of the aggregated one stands for.
    fn weight(a: &Aggregated, n: NodeIndex) -> usize {
        a.groups.at(n).map_or(1, |g| g.members.len())
    }

    /// The aggregation loses and invents nothing: every entity is drawn once (alone or in one group), every
    /// edge of the original is one edge of the aggregated graph times the members at its ends (or a folded
    /// satellite's), every risky edge is drawn between two single nodes, and every member has exactly its
    /// group's neighbours.
    fn assert_exact(src: &AtlasGraph, a: &Aggregated) {
        let folded: usize = a
            .groups
            .iter()
            .flat_map(|g| g.folded.iter().map(|(_, c)| c))
            .sum();
        let members = a.groups.members();
        assert_eq!(
            a.graph.graph.node_count(),
            src.graph.node_count() - members + a.groups.len() - folded,
            "nodes: each group replaces its members, each folded satellite is gone"
        );
        for g in a.groups.iter() {
            assert!(g.members.len() >= 2, "{}", g.summary);
            assert_eq!(a.graph.graph[g.node].entity, None);
            for m in &g.members {
                assert!(a.graph.node_of(*m).is_none(), "a member is not drawn alone");
                assert_eq!(a.groups.of(*m).map(|x| x.key), Some(g.key));
                assert_eq!(a.shown_node(*m), Some(g.node));
            }
        }
        for e in src.by_entity.keys() {
            let alone = a.graph.node_of(*e).is_some();
            let grouped = a.groups.of(*e).is_some();
            assert!(!(alone && grouped), "{e:?} drawn twice");
        }
        // Edges, weighted by the members at their ends, plus the folded satellites' edges.
        let expanded: usize = a
            .graph
            .graph
            .edge_references()
            .map(|e| weight(a, e.source()) * weight(a, e.target()))
            .sum();
        assert_eq!(expanded + folded, src.graph.edge_count(), "edges");
        // Risky edges: all of them, never at a group.
        let risky = |g: &AtlasGraph| g.graph.edge_weights().filter(|e| e.is_flagged()).count();
        assert_eq!(risky(&a.graph), risky(src));
        for e in a.graph.graph.edge_references() {
            if e.weight().is_flagged() {
                assert!(a.groups.at(e.source()).is_none() && a.groups.at(e.target()).is_none());
            }
        }
        // Each member's own neighbours (its folded satellites aside) are its group's, edge for edge.
        let links = |g: &DiGraph<Node, Edge>, n: NodeIndex, skip: &dyn Fn(NodeIndex) -> bool| {
            let mut l: Vec<(bool, String, String)> = g
                .edges_directed(n, Direction::Outgoing)
                .filter(|e| !skip(e.target()))
                .map(|e| {
                    (
                        true,
                        g[e.target()].label.clone(),
                        format!("{:?}", e.weight()),
                    )
                })
                .chain(
                    g.edges_directed(n, Direction::Incoming)
                        .filter(|e| !skip(e.source()))
                        .map(|e| {
                            (
                                false,
                                g[e.source()].label.clone(),
                                format!("{:?}", e.weight()),
                            )
                        }),
                )
                .collect();
            l.sort();
            l.dedup();
            l
        };
        for g in a.groups.iter() {
            let theirs = links(&a.graph.graph, g.node, &|_| false);
            if theirs.iter().any(|(_, label, _)| {
                a.groups
                    .iter()
                    .any(|x| a.graph.graph[x.node].label == *label)
            }) {
                continue; // a neighbour is a group too: checked by the edge count above
            }
            for m in &g.members {
                let n = src.node_of(*m).expect("member in the original");
                let satellite = |x: NodeIndex| {
                    src.graph[x].kind != g.kind
                        && src.graph.neighbors_undirected(x).count() == 1
                        && a.graph.graph.node_weights().all(|w| w != &src.graph[x])
                };
                assert_eq!(links(&src.graph, n, &satellite), theirs, "{}", g.summary);
            }
        }
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(6_695), "6,695");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(counted(1, NodeKind::Role), "1 role");
        assert_eq!(counted(20_000, NodeKind::Person), "20,000 people");
    }

    #[test]
    fn small_graphs_are_left_alone() {
        let m = sample();
        let g = trust_graph(&m);
        let nodes = g.graph.node_count();
        assert!(nodes <= AGGREGATE_ABOVE);
        let a = aggregate(g, &Grouping::for_graph(GraphKind::Trust));
        assert!(a.groups.is_empty());
        assert_eq!(a.graph.graph.node_count(), nodes);
    }

    #[test]
    fn the_samples_trust_fan_outs_fold_and_its_risky_trusts_stay() {
        let m = sample();
        let src = trust_graph(&m);
        let a = aggregate(src.clone(), &eager(GraphKind::Trust));
        assert_exact(&src, &a);
        let summaries: Vec<&str> = a.groups.iter().map(|g| g.summary.as_str()).collect();
        // The two roles only lambda may assume, and the SSO roles of each account, fold.
        let lambda = a
            .groups
            .iter()
            .find(|g| g.summary == "lambda.amazonaws.com → 2 roles")
            .unwrap_or_else(|| panic!("{summaries:?}"));
        let mut names = lambda.names.clone();
        names.sort();
        assert_eq!(names, ["order-processor-lambda", "sandbox-automation"]);
        assert_eq!(a.graph.graph[lambda.node].label, "2 roles");
        // Risky trusts are drawn one by one: `*` → legacy-open-role and org-audit-reader, ci-pipeline →
        // cross-account-deploy, the partner's SAML provider without a condition → partner-sso.
        for r in [
            "legacy-open-role",
            "org-audit-reader",
            "cross-account-deploy",
            "ci-pipeline",
            "partner-sso",
        ] {
            assert!(
                a.graph.node_of(role(&m, r)).is_some(),
                "{r} is drawn alone: {summaries:?}"
            );
        }
        let partner = src.assumers(role(&m, "partner-sso"));
        assert!(partner[0].edge.open_federation && partner[0].edge.is_flagged());
    }

    /// A group trusted by 100,000 distinct principals is told in linear time (its distinct sources were found
    /// by a linear search each: 5·10⁹ comparisons), and says how many.
    #[test]
    fn a_group_trusted_by_a_hundred_thousand_principals_is_told_in_linear_time() {
        let mut g: DiGraph<Node, Edge> = DiGraph::new();
        let node = |kind, label: String, entity| Node {
            kind,
            detail: label.clone(),
            label,
            entity,
            account: Some(0),
            flagged: false,
            change: Change::Same,
        };
        let roles: Vec<NodeIndex> = (0..2)
            .map(|i| {
                let r = EntityRef {
                    account: 0,
                    kind: crate::account::EntityKind::Role,
                    index: i,
                };
                g.add_node(node(NodeKind::Role, format!("role-{i}"), Some(r)))
            })
            .collect();
        for i in 0..100_000 {
            let s = g.add_node(node(
                NodeKind::Service,
                format!("svc{i}.amazonaws.com"),
                None,
            ));
            for &r in &roles {
                g.add_edge(s, r, Edge::plain(EdgeKind::Trusts));
            }
        }
        let by_entity = g
            .node_indices()
            .filter_map(|v| g[v].entity.map(|e| (e, v)))
            .collect();
        let src = AtlasGraph {
            kind: GraphKind::Trust,
            graph: g,
            by_entity,
        };
        let t = std::time::Instant::now();
        let a = aggregate(src.clone(), &eager(GraphKind::Trust));
        assert!(t.elapsed().as_secs() < 10, "{:?}", t.elapsed());
        assert_exact(&src, &a);
        let group = a.groups.iter().next().expect("the two roles fold");
        assert_eq!(group.members.len(), 2);
        assert!(
            group
                .summary
                .starts_with("svc0.amazonaws.com, svc1.amazonaws.com and 99998 more → 2 roles"),
            "{}",
            group.summary
        );
    }

    #[test]
    fn the_samples_users_fold_by_their_groups() {
        let m = sample();
        let src = identity_graph(&m);
        let a = aggregate(src.clone(), &eager(GraphKind::Identity));
        assert_exact(&src, &a);
        // Users with the same groups and no managed policy of their own are one node.
        for g in a.groups.iter().filter(|g| g.kind == NodeKind::User) {
            let sets: FxHashSet<Vec<String>> = g
                .members
                .iter()
                .map(|u| {
                    let (ai, i) = (u.account as usize, u.index as usize);
                    let mut groups: Vec<String> = m.accounts[ai].users[i]
                        .groups
                        .iter()
                        .map(|x| x.to_string())
                        .collect();
                    groups.sort();
                    groups
                })
                .collect();
            assert_eq!(sets.len(), 1, "{}: {sets:?}", g.summary);
            let groups = sets.iter().next().expect("one set");
            if groups.is_empty() {
                assert!(
                    g.summary
                        .ends_with("users in no group, with no managed policy")
                );
            } else {
                assert!(g.summary.contains(" users in "), "{}", g.summary);
            }
        }
    }

    #[test]
    fn an_expanded_group_shows_its_members_and_keeps_the_other_keys() {
        let m = sample();
        let src = trust_graph(&m);
        let how = eager(GraphKind::Trust);
        let a = aggregate(src.clone(), &how);
        let lambda = a
            .groups
            .iter()
            .find(|g| g.summary.starts_with("lambda.amazonaws.com"))
            .expect("lambda group")
            .clone();
        let mut open = how.clone();
        open.expanded.insert(lambda.key);
        let b = aggregate(src.clone(), &open);
        assert_exact(&src, &b);
        assert_eq!(b.groups.len(), a.groups.len() - 1);
        for r in &lambda.members {
            assert!(b.graph.node_of(*r).is_some());
        }
        let keys = |x: &Aggregated| x.groups.iter().map(|g| g.key).collect::<BTreeSet<_>>();
        let mut rest = keys(&a);
        rest.remove(&lambda.key);
        assert_eq!(keys(&b), rest);
        // Kept entities stay alone too.
        let kept = Grouping {
            keep: vec![role(&m, "sandbox-automation")],
            ..how
        };
        let c = aggregate(src, &kept);
        assert!(c.graph.node_of(role(&m, "sandbox-automation")).is_some());
        assert!(
            c.graph
                .node_of(role(&m, "order-processor-lambda"))
                .is_some()
        );
    }

    /// On a generated organisation: the counts per trusted principal are the roles it may assume, the
    /// instance profiles fold with their roles, and cross-account trusts are all drawn.
    #[test]
    fn counts_are_exact_on_a_generated_organisation() {
        let m = synthetic(800, 5);
        let src = trust_graph(&m);
        let a = aggregate(src.clone(), &Grouping::for_graph(GraphKind::Trust));
        assert!(src.graph.node_count() > AGGREGATE_ABOVE);
        assert_exact(&src, &a);
        assert!(a.graph.graph.node_count() * 2 < src.graph.node_count());
        // Per principal: the roles it may assume, in the original and as the aggregated graph counts them.
        let services = [
            "ec2.amazonaws.com",
            "lambda.amazonaws.com",
            "glue.amazonaws.com",
        ];
        for s in services {
            let count = |g: &AtlasGraph, w: &dyn Fn(NodeIndex) -> usize| {
                let p = g
                    .graph
                    .node_indices()
                    .find(|&n| g.graph[n].label == s)
                    .expect(s);
                g.graph.neighbors(p).map(w).sum::<usize>()
            };
            let original = count(&src, &|_| 1);
            assert!(original > 20, "{s}: {original}");
            assert_eq!(count(&a.graph, &|n| weight(&a, n)), original, "{s}");
            let group = a.groups.iter().find(|g| g.summary.starts_with(s)).expect(s);
            assert_eq!(
                group.summary,
                format!("{s} → {}", counted(original, NodeKind::Role))
            );
            assert_eq!(group.members.len(), original);
        }
        // The model's own count of roles whose trust names lambda.
        let lambda_roles = m.accounts[0]
            .roles
            .iter()
            .filter(|r| {
                r.trust.as_ref().is_some_and(|t| {
                    t.policy.statements.iter().any(|s| {
                        matches!(
                            s.principal.as_ref().map(|p| &p.value),
                            Some(crate::policy::PrincipalValue::Map(entries))
                                if entries.iter().any(|e| e.values.iter().any(|v| v == "lambda.amazonaws.com"))
                        )
                    })
                })
            })
            .count();
        let lambda = a
            .groups
            .iter()
            .find(|g| g.summary.starts_with("lambda.amazonaws.com"))
            .expect("lambda");
        assert_eq!(lambda.members.len(), lambda_roles);
        // ec2 roles bring their instance profiles into the group.
        let ec2 = a
            .groups
            .iter()
            .find(|g| g.summary.starts_with("ec2.amazonaws.com"))
            .expect("ec2");
        assert_eq!(ec2.folded, [(NodeKind::InstanceProfile, ec2.members.len())]);
        // Every role is drawn once: alone or in a group.
        let roles = m.accounts[0].roles.len();
        let alone = a
            .graph
            .graph
            .node_weights()
            .filter(|n| n.kind == NodeKind::Role && n.entity.is_some())
            .count();
        let grouped: usize = a
            .groups
            .iter()
            .filter(|g| g.kind == NodeKind::Role)
            .map(|g| g.members.len())
            .sum();
        assert_eq!(alone + grouped, roles);
        // The cross-account trusts are many and all drawn one by one.
        let cross = a
            .graph
            .graph
            .edge_weights()
            .filter(|e| e.cross_account)
            .count();
        assert!(cross > 40, "{cross}");
    }

    #[test]
    fn the_generated_identity_graph_folds_users_with_the_same_groups() {
        let m = synthetic(2_000, 9);
        let src = identity_graph(&m);
        let a = aggregate(src.clone(), &Grouping::for_graph(GraphKind::Identity));
        assert_exact(&src, &a);
        let users = a.groups.iter().filter(|g| g.kind == NodeKind::User).count();
        assert!(users > 0, "some users share their groups");
    }
}
