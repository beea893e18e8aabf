//! The identity graph: users → groups → policies (inline and managed), roles → policies, permissions
//! boundaries as their own edge kind, and IAM Identity Center's people, groups and permission sets.

use super::builder::{Builder, Key};
use super::types::{AtlasGraph, Change, Edge, EdgeKind, GraphKind, Node, NodeKind};
use crate::account::{Attachment, Boundary, EntityKind, EntityRef, InlinePolicy, Model, PolicyRef};
use petgraph::graph::NodeIndex;
use rustc_hash::FxHashSet;

impl Builder<'_> {
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
                change: Change::Same,
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
                    change: Change::Same,
                })
            }
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
                change: Change::Same,
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
            change: Change::Same,
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
                        change: Change::Same,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_support::sample;
    use petgraph::Direction;

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
}
