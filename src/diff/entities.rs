//! Entities added, removed and changed between two snapshots, with policy changes as a structural diff by
//! statement (statements matched by meaning, then by `Sid`), never as a text diff.

use super::canon::{DocCache, policy_statements};
use crate::account::{Model, PolicyDoc};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// An entity present in one snapshot only.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct EntityRow {
    /// `user`, `group`, `role`, `managed policy`, `instance profile`, `identity provider`, `resource policy`,
    /// `SCP`, `RCP`, `organization`.
    pub kind: String,
    /// Its ARN (or id, for organisation policies without one).
    pub arn: String,
    /// Its name.
    pub name: String,
}

/// One statement of a policy change.
#[derive(Clone, Debug, Serialize)]
pub struct StatementText {
    /// Its position in its document.
    pub index: usize,
    /// `Sid`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The statement as written (JSON; its raw text when it is not valid JSON).
    pub statement: serde_json::Value,
}

/// A statement changed in place (same `Sid`, different meaning).
#[derive(Clone, Debug, Serialize)]
pub struct StatementChange {
    /// Before.
    pub before: StatementText,
    /// After.
    pub after: StatementText,
}

/// The structural diff of one document.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyDiff {
    /// Which document (`inline policy s3-read`, `trust policy`, `default version`, `document`).
    pub document: String,
    /// Statements only after.
    pub added: Vec<StatementText>,
    /// Statements only before.
    pub removed: Vec<StatementText>,
    /// Statements with the same `Sid` whose meaning changed.
    pub changed: Vec<StatementChange>,
}

/// An entity present in both snapshots that changed.
#[derive(Clone, Debug, Serialize)]
pub struct EntityChange {
    /// As [`EntityRow::kind`].
    pub kind: String,
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Attribute changes, one line each (`+ attached policy arn:…`, `- group admins`).
    pub changes: Vec<String>,
    /// Documents that changed, statement by statement.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<PolicyDiff>,
}

/// Entities added, removed and changed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EntityDiff {
    /// Only after.
    pub added: Vec<EntityRow>,
    /// Only before.
    pub removed: Vec<EntityRow>,
    /// In both, different.
    pub changed: Vec<EntityChange>,
}

/// One entity as compared: its attributes as lines and its documents by label.
struct View<'m> {
    kind: &'static str,
    name: String,
    attrs: BTreeSet<String>,
    docs: BTreeMap<String, Option<&'m PolicyDoc>>,
}

fn views(model: &Model) -> BTreeMap<(String, String), View<'_>> {
    let mut out = BTreeMap::new();
    let mut list: Vec<(&'static str, String, View<'_>)> = Vec::new();
    for a in &model.accounts {
        for u in &a.users {
            let mut attrs = BTreeSet::new();
            attrs.insert(format!("path {}", u.path));
            attrs.extend(u.groups.iter().map(|g| format!("group {g}")));
            attrs.extend(
                u.attached
                    .iter()
                    .map(|x| format!("attached policy {}", x.arn)),
            );
            if let Some(b) = &u.boundary {
                attrs.insert(format!("permissions boundary {}", b.arn));
            }
            attrs.extend(u.tags.iter().map(|t| format!("tag {}={}", t.key, t.value)));
            let docs = u
                .inline
                .iter()
                .map(|p| (format!("inline policy {}", p.name), Some(&p.doc)))
                .collect();
            list.push((
                "user",
                u.arn.to_string(),
                View {
                    kind: "user",
                    name: u.name.to_string(),
                    attrs,
                    docs,
                },
            ));
        }
        for g in &a.groups {
            let mut attrs = BTreeSet::new();
            attrs.insert(format!("path {}", g.path));
            attrs.extend(
                g.attached
                    .iter()
                    .map(|x| format!("attached policy {}", x.arn)),
            );
            let docs = g
                .inline
                .iter()
                .map(|p| (format!("inline policy {}", p.name), Some(&p.doc)))
                .collect();
            list.push((
                "group",
                g.arn.to_string(),
                View {
                    kind: "group",
                    name: g.name.to_string(),
                    attrs,
                    docs,
                },
            ));
        }
        for r in &a.roles {
            let mut attrs = BTreeSet::new();
            attrs.insert(format!("path {}", r.path));
            attrs.extend(
                r.attached
                    .iter()
                    .map(|x| format!("attached policy {}", x.arn)),
            );
            if let Some(b) = &r.boundary {
                attrs.insert(format!("permissions boundary {}", b.arn));
            }
            attrs.extend(r.tags.iter().map(|t| format!("tag {}={}", t.key, t.value)));
            attrs.extend(
                r.instance_profiles
                    .iter()
                    .map(|p| format!("instance profile {p}")),
            );
            if let Some(d) = r.max_session_duration {
                attrs.insert(format!("max session duration {d}"));
            }
            let mut docs: BTreeMap<String, Option<&PolicyDoc>> = r
                .inline
                .iter()
                .map(|p| (format!("inline policy {}", p.name), Some(&p.doc)))
                .collect();
            docs.insert("trust policy".into(), r.trust.as_ref());
            list.push((
                "role",
                r.arn.to_string(),
                View {
                    kind: "role",
                    name: r.name.to_string(),
                    attrs,
                    docs,
                },
            ));
        }
        for p in &a.policies {
            let mut attrs = BTreeSet::new();
            if let Some(v) = &p.default_version {
                attrs.insert(format!("default version {v}"));
            }
            let mut docs = BTreeMap::new();
            docs.insert("default version".to_string(), p.default_doc());
            list.push((
                "managed policy",
                p.arn.to_string(),
                View {
                    kind: "managed policy",
                    name: p.name.to_string(),
                    attrs,
                    docs,
                },
            ));
        }
        for p in &a.instance_profiles {
            let attrs = p.roles.iter().map(|r| format!("role {r}")).collect();
            list.push((
                "instance profile",
                p.arn.to_string(),
                View {
                    kind: "instance profile",
                    name: p.name.to_string(),
                    attrs,
                    docs: BTreeMap::new(),
                },
            ));
        }
        for p in &a.identity_providers {
            list.push((
                "identity provider",
                p.arn.to_string(),
                View {
                    kind: "identity provider",
                    name: p.name.clone(),
                    attrs: BTreeSet::new(),
                    docs: BTreeMap::new(),
                },
            ));
        }
        for p in &a.resource_policies {
            let mut docs = BTreeMap::new();
            docs.insert("policy".to_string(), Some(&p.doc));
            list.push((
                "resource policy",
                p.resource.to_string(),
                View {
                    kind: "resource policy",
                    name: p.resource.to_string(),
                    attrs: BTreeSet::new(),
                    docs,
                },
            ));
        }
    }
    for p in &model.org_policies {
        let kind = match p.kind {
            crate::account::OrgPolicyKind::Scp => "SCP",
            crate::account::OrgPolicyKind::Rcp => "RCP",
        };
        let mut docs = BTreeMap::new();
        docs.insert("document".to_string(), Some(&p.doc));
        list.push((
            kind,
            p.arn.as_deref().unwrap_or(&p.id).to_string(),
            View {
                kind,
                name: p.name.to_string(),
                attrs: BTreeSet::new(),
                docs,
            },
        ));
    }
    if let Some(org) = &model.organization {
        // The tree as lines: where each account sits and which policies each node holds.
        let mut attrs = BTreeSet::new();
        let name_of = |i: &u32| {
            model
                .org_policies
                .get(*i as usize)
                .map_or_else(|| "?".to_string(), |p| p.name.to_string())
        };
        let mut stack = vec![(&org.root, String::new())];
        while let Some((n, parent)) = stack.pop() {
            let here = if parent.is_empty() {
                n.name.to_string()
            } else {
                format!("{parent}/{}", n.name)
            };
            for a in &n.accounts {
                attrs.insert(format!("account {a} under {here}"));
            }
            for (kind, ids) in [("SCP", &n.scps), ("RCP", &n.rcps)] {
                match ids {
                    Some(ids) => {
                        attrs.extend(ids.iter().map(|i| format!("{here}: {kind} {}", name_of(i))))
                    }
                    None => {
                        attrs.insert(format!("{here}: {kind}s not described"));
                    }
                }
            }
            stack.extend(n.children.iter().map(|c| (c, here.clone())));
        }
        for a in &model.accounts {
            for (kind, ids) in [("SCP", &a.scps), ("RCP", &a.rcps)] {
                if let Some(ids) = ids {
                    attrs.extend(
                        ids.iter()
                            .map(|i| format!("account {}: {kind} {}", a.id, name_of(i))),
                    );
                }
            }
        }
        list.push((
            "organization",
            org.id.to_string(),
            View {
                kind: "organization",
                name: org.id.to_string(),
                attrs,
                docs: BTreeMap::new(),
            },
        ));
    }
    for (k, arn, v) in list {
        out.insert((k.to_string(), arn), v);
    }
    out
}

fn statement_text(model: &Model, doc: &PolicyDoc, index: usize) -> StatementText {
    let st = doc.policy.statements.get(index);
    let text = st
        .and_then(|s| {
            model
                .sources
                .get(doc.source.0 as usize)
                .and_then(|src| src.get(s.span.range()))
        })
        .unwrap_or_default();
    StatementText {
        index,
        sid: st.and_then(|s| s.sid.as_ref()).map(|s| s.value.to_string()),
        statement: serde_json::from_str(&text)
            .unwrap_or_else(|_| serde_json::Value::String(text.to_string())),
    }
}

/// The structural diff of a document, or `None` when both mean the same.
pub fn policy_diff(
    label: &str,
    before: Option<(&Model, &PolicyDoc)>,
    after: Option<(&Model, &PolicyDoc)>,
) -> Option<PolicyDiff> {
    let canon = |side: Option<(&Model, &PolicyDoc)>| -> Vec<String> {
        side.map(|(m, d)| policy_statements(&d.policy, &super::canon::SpanText::of(m, d)))
            .unwrap_or_default()
    };
    let cb = canon(before);
    let ca = canon(after);
    let mut sb = cb.clone();
    sb.sort_unstable();
    let mut sa = ca.clone();
    sa.sort_unstable();
    if sb == sa && before.is_some() == after.is_some() {
        return None;
    }
    // Statements matched by meaning (as a multiset) are unchanged.
    let mut counts: FxHashMap<&str, i64> = FxHashMap::default();
    for c in &ca {
        *counts.entry(c.as_str()).or_default() += 1;
    }
    let mut removed_idx = Vec::new();
    for (i, c) in cb.iter().enumerate() {
        match counts.get_mut(c.as_str()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => removed_idx.push(i),
        }
    }
    let mut counts: FxHashMap<&str, i64> = FxHashMap::default();
    for c in &cb {
        *counts.entry(c.as_str()).or_default() += 1;
    }
    let mut added_idx = Vec::new();
    for (i, c) in ca.iter().enumerate() {
        match counts.get_mut(c.as_str()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => added_idx.push(i),
        }
    }
    let mut out = PolicyDiff {
        document: label.to_string(),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
    };
    let text = |side: Option<(&Model, &PolicyDoc)>, i: usize| match side {
        Some((m, d)) => statement_text(m, d, i),
        None => StatementText {
            index: i,
            sid: None,
            statement: serde_json::Value::Null,
        },
    };
    let mut after_left: Vec<StatementText> = added_idx.iter().map(|&i| text(after, i)).collect();
    for i in removed_idx {
        let b = text(before, i);
        let pair = b
            .sid
            .as_ref()
            .and_then(|sid| after_left.iter().position(|a| a.sid.as_ref() == Some(sid)));
        match pair {
            Some(j) => {
                let a = after_left.remove(j);
                out.changed.push(StatementChange {
                    before: b,
                    after: a,
                });
            }
            None => out.removed.push(b),
        }
    }
    out.added = after_left;
    if out.added.is_empty() && out.removed.is_empty() && out.changed.is_empty() {
        // Presence changed (a document appeared or went) with no statements either way.
        out.document = format!(
            "{label} ({})",
            if after.is_some() { "added" } else { "removed" }
        );
    }
    Some(out)
}

/// Entities added, removed and changed from `before` to `after`.
pub fn entity_diff(before: &Model, after: &Model) -> EntityDiff {
    let vb = views(before);
    let va = views(after);
    let mut out = EntityDiff::default();
    let row = |(kind, arn): &(String, String), v: &View<'_>| EntityRow {
        kind: kind.clone(),
        arn: arn.clone(),
        name: v.name.clone(),
    };
    let mut cache_b = DocCache::default();
    let mut cache_a = DocCache::default();
    for (k, b) in &vb {
        let Some(a) = va.get(k) else {
            out.removed.push(row(k, b));
            continue;
        };
        let mut changes: Vec<String> = Vec::new();
        changes.extend(b.attrs.difference(&a.attrs).map(|x| format!("- {x}")));
        changes.extend(a.attrs.difference(&b.attrs).map(|x| format!("+ {x}")));
        let mut policies = Vec::new();
        let labels: BTreeSet<&String> = b.docs.keys().chain(a.docs.keys()).collect();
        for l in labels {
            let db = b.docs.get(l).copied().flatten();
            let da = a.docs.get(l).copied().flatten();
            // Cheap first: documents with the same fingerprint are the same.
            if let (Some(x), Some(y)) = (db, da)
                && super::canon::same(&mut cache_b, before, x, &mut cache_a, after, y)
            {
                continue;
            }
            if let Some(d) = policy_diff(l, db.map(|d| (before, d)), da.map(|d| (after, d))) {
                policies.push(d);
            }
        }
        if !changes.is_empty() || !policies.is_empty() {
            out.changed.push(EntityChange {
                kind: b.kind.to_string(),
                arn: k.1.clone(),
                name: b.name.clone(),
                changes,
                policies,
            });
        }
    }
    for (k, a) in &va {
        if !vb.contains_key(k) {
            out.added.push(row(k, a));
        }
    }
    out
}
