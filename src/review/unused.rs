//! Unused access: roles nobody assumed (`RoleLastUsed`), and services a principal is granted but has not used
//! (IAM's last-accessed data, loaded per principal through the workspace file), with a draft least-privilege
//! policy built from what it used
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html>). Unused passwords and
//! access keys come from the credential report ([`super::hygiene`]).
//!
//! The draft is never more permissive than the principal's policies: it is their `Allow` statements with the
//! actions cut down to the ones used (resources and conditions unchanged), and their `Deny` statements as they
//! are.

use super::{Code, Ctx, Evidence, Finding, days_since};
use crate::account::last_accessed::{Granularity, LastAccessed};
use crate::account::{Account, EntityKind, EntityRef, Model, PolicyDoc, RoleKind, WarningKind};
use crate::catalog::catalog;
use crate::policy::{ActionBlock, Effect};
use crate::time::Timestamp;
use crate::wildcard::action_matches;
use serde_json::{Value, json};

/// Accounts with principals but no last-accessed data, and reports for principals that are not loaded.
pub(crate) fn coverage_findings(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    // Skipped input and attachments that point nowhere make access answers uncertain: say where.
    let mut by_file: Vec<(&str, usize)> = Vec::new();
    for w in &ctx.model.warnings {
        if matches!(w.kind, WarningKind::Skipped | WarningKind::Dangling) {
            match by_file.iter_mut().find(|(f, _)| *f == w.file) {
                Some((_, n)) => *n += 1,
                None => by_file.push((&w.file, 1)),
            }
        }
    }
    for (file, n) in by_file {
        out.push(
            Finding::new(Code::NotReviewed, file, "")
                .title(format!(
                    "{file}: {n} part{} skipped or pointing at policies not in the snapshot: access findings \
                     of the principals concerned are uncertain (see the load warnings)",
                    if n == 1 { " was" } else { "s were" }
                ))
                .subject("load_warnings"),
        );
    }
    for a in &ctx.model.accounts {
        let root = format!("arn:aws:iam::{}:root", a.id);
        if a.last_accessed.is_empty() && !(a.users.is_empty() && a.roles.is_empty()) {
            out.push(
                Finding::new(Code::NotReviewed, &root, &*a.id)
                    .title(format!(
                        "account {}: no last-accessed data loaded, so unused services were not checked \
                         (roles are still checked with RoleLastUsed)",
                        a.label()
                    ))
                    .subject("last_accessed"),
            );
        }
        for la in &a.last_accessed {
            let known = ctx
                .model
                .by_arn(&la.principal)
                .is_some_and(|r| matches!(r.kind, EntityKind::User | EntityKind::Role));
            if !known {
                out.push(
                    Finding::new(Code::NotReviewed, &*la.principal, &*a.id)
                        .title(format!(
                            "{}: the last-accessed report is for `{}`, which is not a loaded user or role",
                            la.file, la.principal
                        ))
                        .subject("last_accessed"),
                );
            }
        }
    }
    out
}

fn when(t: Option<Timestamp>) -> String {
    t.map_or("never (in the tracking period)".into(), |t| t.to_string())
}

/// Unused-role and unused-service findings of one principal.
pub(crate) fn principal_findings(ctx: &Ctx<'_>, r: EntityRef, out: &mut Vec<Finding>) {
    let Some(a) = ctx.model.accounts.get(r.account as usize) else {
        return;
    };
    let arn = match r.kind {
        EntityKind::Role => {
            let Some(role) = a.roles.get(r.index as usize) else {
                return;
            };
            role_unused(ctx, a, r, role, out);
            &role.arn
        }
        EntityKind::User => match a.users.get(r.index as usize) {
            Some(u) => &u.arn,
            None => return,
        },
        _ => return,
    };
    if let Some(la) = a.last_accessed.iter().find(|l| l.principal == *arn) {
        services_unused(ctx, a, r, arn, la, out);
    }
}

fn role_unused(
    ctx: &Ctx<'_>,
    a: &Account,
    r: EntityRef,
    role: &crate::account::Role,
    out: &mut Vec<Finding>,
) {
    // Service-linked roles are used by their service; an export without `RoleLastUsed` says nothing.
    if matches!(role.kind, RoleKind::ServiceLinked { .. }) {
        return;
    }
    let Some(lu) = &role.last_used else { return };
    let since = lu.date.or(role.created);
    let Some(t) = since else { return };
    let days = days_since(t, ctx.now);
    if days <= ctx.opts.unused_days {
        return;
    }
    let title = match lu.date {
        Some(d) => format!(
            "role {} was last used {days} days ago ({})",
            role.name,
            d.date()
        ),
        None => format!(
            "role {} was never used in the tracking period ({days} days since it was created)",
            role.name
        ),
    };
    out.push(
        Finding::new(Code::RoleUnused, &*role.arn, &*a.id)
            .title(title)
            .entity_ref(r)
            .with(Evidence::RoleLastUsed {
                last_used: when(lu.date),
                created: role.created.map(|c| c.to_string()),
            }),
    );
}

/// What the principal used within the window: whole services (no action detail) and actions.
struct Used {
    services: Vec<String>,
    actions: Vec<String>,
}

fn used(la: &LastAccessed, now: Timestamp, window: i64) -> (Used, Vec<String>) {
    let recent = |t: Option<Timestamp>| t.is_some_and(|t| days_since(t, now) <= window);
    let mut u = Used {
        services: Vec::new(),
        actions: Vec::new(),
    };
    let mut unused = Vec::new();
    for s in &la.services {
        if !recent(s.last_authenticated) {
            unused.push(s.namespace.clone());
            continue;
        }
        match (&s.actions, la.granularity) {
            (Some(acts), Granularity::Action) if !acts.is_empty() => {
                for x in acts {
                    let full = format!("{}:{}", s.namespace, x.name);
                    if recent(x.last_accessed) {
                        u.actions.push(full);
                    } else {
                        unused.push(full);
                    }
                }
            }
            _ => u.services.push(s.namespace.clone()),
        }
    }
    (u, unused)
}

/// The principal's identity documents (its own and its groups') with labels.
fn identity_docs<'m>(model: &'m Model, r: EntityRef) -> Vec<(String, &'m PolicyDoc)> {
    let mut out = Vec::new();
    let Some(a) = model.accounts.get(r.account as usize) else {
        return out;
    };
    let mut own = |who: String,
                   inline: &'m [crate::account::InlinePolicy],
                   attached: &'m [crate::account::Attachment]| {
        for p in inline {
            out.push((format!("{who} inline {}", p.name), &p.doc));
        }
        for at in attached {
            if let Some(d) = model
                .resolve(r.account, at.target)
                .and_then(|p| p.default_doc())
            {
                out.push((format!("{who} managed {}", at.name), d));
            }
        }
    };
    match r.kind {
        EntityKind::User => {
            if let Some(u) = a.users.get(r.index as usize) {
                own(format!("user {}", u.name), &u.inline, &u.attached);
                for g in &u.groups {
                    if let Some(g) = a.group(g) {
                        own(format!("group {}", g.name), &g.inline, &g.attached);
                    }
                }
            }
        }
        EntityKind::Role => {
            if let Some(role) = a.roles.get(r.index as usize) {
                own(format!("role {}", role.name), &role.inline, &role.attached);
            }
        }
        _ => {}
    }
    out
}

fn service_of(pattern: &str) -> &str {
    crate::arn::action_service(pattern)
}

/// The actions of one `Allow` statement that the principal used: concrete used actions it matches, and for
/// services used without action detail, its own patterns of that service (`*` becomes `SERVICE:*`).
fn keep_actions(block: &ActionBlock, u: &Used) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.iter().any(|x| x.eq_ignore_ascii_case(&s)) {
            out.push(s);
        }
    };
    match block {
        ActionBlock::Action(list) => {
            for p in list.iter() {
                for svc in &u.services {
                    if p == "*" || crate::catalog::wildcard_match(service_of(p), svc) {
                        if p == "*" || crate::catalog::has_wildcard(service_of(p)) {
                            push(format!("{svc}:{}", p.split(':').nth(1).unwrap_or("*")));
                        } else {
                            push(p.to_string());
                        }
                    }
                }
                for a in &u.actions {
                    if action_matches(p, a) {
                        push(a.clone());
                    }
                }
            }
        }
        ActionBlock::NotAction(list) => {
            for a in &u.actions {
                if !list.iter().any(|p| action_matches(p, a)) {
                    push(a.clone());
                }
            }
            for svc in &u.services {
                let excluded = list
                    .iter()
                    .any(|p| crate::catalog::wildcard_match(service_of(p), svc));
                if !excluded {
                    push(format!("{svc}:*"));
                } else {
                    for id in catalog().expand(&format!("{svc}:*")) {
                        if let Some((s, x)) = catalog().get(id) {
                            let full = format!("{}:{}", s.prefix, x.name);
                            if !list.iter().any(|p| action_matches(p, &full)) {
                                push(full);
                            }
                        }
                    }
                }
            }
        }
    }
    out.sort();
    out
}

/// The draft least-privilege policy: the principal's statements cut down to what it used.
pub fn draft_policy(
    model: &Model,
    r: EntityRef,
    la: &LastAccessed,
    now: Timestamp,
    window: i64,
) -> Value {
    let (u, _) = used(la, now, window);
    let mut statements = Vec::new();
    for (label, doc) in identity_docs(model, r) {
        let source = model.source(doc.source);
        for (i, st) in doc.policy.statements.iter().enumerate() {
            let Some(mut v) = source
                .get(st.span.range())
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            else {
                continue;
            };
            let effect = st.effect.as_ref().map(|e| e.value);
            if effect == Some(Effect::Allow) {
                let Some(block) = &st.action else { continue };
                let keep = keep_actions(block, &u);
                if keep.is_empty() {
                    continue;
                }
                if let Some(o) = v.as_object_mut() {
                    o.remove("NotAction");
                    o.insert("Action".into(), json!(keep));
                    let sid = format!(
                        "{}{}",
                        label
                            .chars()
                            .filter(char::is_ascii_alphanumeric)
                            .collect::<String>(),
                        i
                    );
                    o.insert("Sid".into(), json!(sid));
                }
            }
            statements.push(v);
        }
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn services_unused(
    ctx: &Ctx<'_>,
    a: &Account,
    r: EntityRef,
    arn: &str,
    la: &LastAccessed,
    out: &mut Vec<Finding>,
) {
    let window = ctx.opts.unused_days;
    let (_, unused) = used(la, ctx.now, window);
    let unused_services: Vec<&crate::account::last_accessed::ServiceAccess> = la
        .services
        .iter()
        .filter(|s| unused.contains(&s.namespace))
        .collect();
    if unused.is_empty() {
        return;
    }
    let name = arn.rsplit('/').next().unwrap_or(arn);
    let mut f = Finding::new(Code::UnusedService, arn, &*a.id)
        .title(format!(
            "{} has not used {} of the {} services its policies allow in {window} days{}",
            name,
            unused_services.len(),
            la.services.len(),
            if unused_services.len() < unused.len() {
                format!(
                    ", nor {} tracked actions",
                    unused.len() - unused_services.len()
                )
            } else {
                String::new()
            }
        ))
        .entity_ref(r);
    for s in unused_services.iter().take(30) {
        f.evidence.push(Evidence::LastAccessed {
            file: la.file.clone(),
            service: s.namespace.clone(),
            last_used: when(s.last_authenticated),
        });
    }
    if la.truncated {
        f.evidence.push(Evidence::Note {
            text: format!(
                "{}: IsTruncated is true: services after the marker are missing",
                la.file
            ),
        });
    }
    f.evidence.push(Evidence::DraftPolicy {
        policy: draft_policy(ctx.model, r, la, ctx.now, window),
        removes: unused.iter().take(100).cloned().collect(),
    });
    out.push(f);
}
