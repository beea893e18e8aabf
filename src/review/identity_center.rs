//! IAM Identity Center findings: administrator access given to large groups, assignments in the
//! organisation's management account, long sessions, and people with administrator access in production.
//!
//! "Administrator access" is decided by the evaluator on the role Identity Center provisioned for the
//! permission set in that account (the same probes as `FULL_ADMIN`), so an SCP or boundary that caps the role
//! removes the finding. Where the role is not loaded, no administrator finding is raised from the permission
//! set's text; the load warnings say the role is missing.
//!
//! AWS's guidance: assign permission sets to groups rather than users and keep administrator access to few
//! people (<https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html>); avoid
//! working in the management account, whose principals no SCP restricts
//! (<https://docs.aws.amazon.com/organizations/latest/userguide/orgs_best-practices_mgmt-acct.html>);
//! a permission set's session lasts from 1 to 12 hours, one hour by default
//! (<https://docs.aws.amazon.com/singlesignon/latest/userguide/howtosessionduration.html>).

use super::{Code, Ctx, Evidence, Finding, decision_evidence};
use crate::account::identity_center::{AssignedTo, IdentityCenter, PermissionSet};
use crate::account::{EntityRef, Model};
use crate::eval::people::full_admin;
use crate::eval::reverse::principal_of;
use rustc_hash::FxHashMap;

/// Why `account` counts as production: an organisational unit on its path or its alias says "prod" (and not
/// "non-prod", "nonprod" or "preprod"); `None` when nothing says so.
pub fn production_reason(model: &Model, account: &str) -> Option<String> {
    fn prod(name: &str) -> bool {
        let n = name.to_ascii_lowercase();
        n.contains("prod")
            && !["non-prod", "nonprod", "non_prod", "preprod", "pre-prod"]
                .iter()
                .any(|x| n.contains(x))
    }
    if let Some(org) = &model.organization
        && let Some(path) = org.path_to(account)
        && let Some(ou) = path.iter().find(|n| prod(&n.name))
    {
        return Some(format!("it is in the organisational unit `{}`", ou.name));
    }
    let alias = model.account(account)?.alias.as_deref()?;
    prod(alias).then(|| format!("its alias is `{alias}`"))
}

fn set_label(ic: &IdentityCenter, set: Option<u32>) -> Option<&PermissionSet> {
    ic.permission_sets.get(set? as usize)
}

fn account_label(model: &Model, account: &str) -> String {
    model
        .account(account)
        .map_or_else(|| account.to_string(), |a| a.label())
}

/// Every Identity Center finding.
pub(crate) fn findings(ctx: &Ctx<'_>) -> Vec<Finding> {
    let model = ctx.model;
    let Some(ic) = &model.identity_center else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let ov = super::admin::optimistic(ctx);
    // Administrator access of each provisioned role, evaluated once.
    let mut admin: FxHashMap<EntityRef, Option<Evidence>> = FxHashMap::default();
    let mut is_admin = |r: EntityRef| -> Option<Evidence> {
        admin
            .entry(r)
            .or_insert_with(|| {
                let p = principal_of(model, r)?;
                full_admin(model, &p, &ov).map(|res| decision_evidence(&res, Vec::new()))
            })
            .clone()
    };
    let management = model
        .organization
        .as_ref()
        .and_then(|o| o.management_account.clone());
    for a in &ic.assignments {
        let set = set_label(ic, a.permission_set);
        let set_name = set.map_or_else(|| a.permission_set_arn.to_string(), |s| s.name.to_string());
        let place = Evidence::Note {
            text: format!("assignment at {}: {}", a.file, a.json_path),
        };
        // Administrator access to a large group.
        if let AssignedTo::Group(g) = a.to
            && let Some(group) = ic.groups.get(g as usize)
            && group.members_known
            && group.members.len() >= ctx.opts.large_group_min
            && let Some(role) = a.role
            && let Some(evidence) = is_admin(role)
        {
            let names: Vec<String> = group.members.iter().map(|&u| ic.user_label(u)).collect();
            out.push(
                Finding::new(Code::SsoAdminLargeGroup, a.permission_set_arn.to_string(), a.account.to_string())
                    .title(format!(
                        "permission set {set_name} gives administrator access in {} to group {}, {} people",
                        account_label(model, &a.account),
                        group.name,
                        group.members.len()
                    ))
                    .subject(format!("{}:{}", a.account, group.id))
                    .entity_ref(role)
                    .with(place.clone())
                    .with(Evidence::Note {
                        text: format!("members of {}: {}", group.name, names.join(", ")),
                    })
                    .with(evidence),
            );
        }
        // Any assignment in the management account.
        if management.as_deref() == Some(&*a.account) {
            let who = match a.to {
                AssignedTo::User(u) => format!("user {}", ic.user_label(u)),
                AssignedTo::Group(g) => format!(
                    "group {}",
                    ic.groups.get(g as usize).map_or("?", |g| &*g.name)
                ),
                AssignedTo::Unknown => format!(
                    "{} {}",
                    a.principal_type.to_ascii_lowercase(),
                    a.principal_id
                ),
            };
            let mut f = Finding::new(
                Code::SsoManagementAccount,
                a.permission_set_arn.to_string(),
                a.account.to_string(),
            )
            .title(format!(
                "permission set {set_name} is assigned to {who} in the management account {}",
                account_label(model, &a.account)
            ))
            .subject(format!("{}:{}", a.account, a.principal_id))
            .with(place.clone())
            .with(Evidence::Note {
                text: "no SCP applies to the management account's principals: this access cannot be capped by \
                       the organisation's guardrails"
                    .into(),
            });
            if let Some(r) = a.role {
                f = f.entity_ref(r);
            }
            out.push(f);
        }
    }
    // Long sessions.
    let limit = ctx.opts.long_session_hours.saturating_mul(3600);
    for s in &ic.permission_sets {
        let Some(secs) = s.session_duration else {
            continue;
        };
        if secs > limit {
            let accounts: std::collections::BTreeSet<String> = ic
                .assignments
                .iter()
                .filter(|a| a.permission_set_arn == s.arn)
                .map(|a| account_label(model, &a.account))
                .collect();
            out.push(
                Finding::new(Code::SsoLongSession, s.arn.to_string(), ic.owner_account.as_deref().unwrap_or(""))
                    .title(format!(
                        "permission set {} allows sessions of {} ({} hours; the review flags more than {})",
                        s.name,
                        s.session_duration_text.as_deref().unwrap_or("?"),
                        secs as f64 / 3600.0,
                        ctx.opts.long_session_hours
                    ))
                    .with(Evidence::Note {
                        text: format!(
                            "SessionDuration `{}` in {}; assigned in {}",
                            s.session_duration_text.as_deref().unwrap_or("?"),
                            s.file,
                            if accounts.is_empty() {
                                "no loaded account".to_string()
                            } else {
                                accounts.into_iter().collect::<Vec<_>>().join(", ")
                            }
                        ),
                    }),
            );
        }
    }
    // People with administrator access in production: one finding per person and account.
    let mut seen: rustc_hash::FxHashSet<(u32, EntityRef)> = rustc_hash::FxHashSet::default();
    for (ui, u) in ic.users.iter().enumerate() {
        let paths = crate::eval::people::paths_of(model, ui as u32);
        for p in &paths {
            let Some(role) = p.role_entity else {
                continue;
            };
            let Some(why) = production_reason(model, &p.account) else {
                continue;
            };
            let Some(evidence) = is_admin(role) else {
                continue;
            };
            if !seen.insert((ui as u32, role)) {
                continue;
            }
            let all: Vec<String> = paths
                .iter()
                .filter(|q| q.role_entity == Some(role))
                .map(|q| q.label())
                .collect();
            out.push(
                Finding::new(Code::SsoAdminInProduction, u.arn(), p.account.clone())
                    .title(format!(
                        "{} has administrator access in production account {} ({})",
                        u.user_name, p.account_label, p.permission_set
                    ))
                    .subject(p.role.clone().unwrap_or_default())
                    .entity_ref(role)
                    .with(Evidence::Note {
                        text: format!(
                            "{} counts as production: {why}; paths: {}",
                            p.account_label,
                            all.join("; ")
                        ),
                    })
                    .with(evidence),
            );
        }
    }
    out
}

/// At most this many people are named on one finding; the rest are counted.
const PEOPLE_SHOWN: usize = 20;

/// Findings on an Identity Center role name the people who can act as it, each with its path.
pub(crate) fn name_people(model: &Model, findings: &mut [Finding]) {
    if model.identity_center.is_none() {
        return;
    }
    let mut cache: FxHashMap<EntityRef, Option<Evidence>> = FxHashMap::default();
    for f in findings.iter_mut() {
        let Some(r) = f.entity_ref else { continue };
        if r.kind != crate::account::EntityKind::Role
            || matches!(
                f.code,
                Code::SsoAdminLargeGroup | Code::SsoAdminInProduction | Code::SsoManagementAccount
            )
        {
            continue;
        }
        let note = cache
            .entry(r)
            .or_insert_with(|| {
                let (people, gaps) = crate::eval::people::people_of_role(model, r);
                if people.is_empty() && gaps.is_empty() {
                    return None;
                }
                let mut shown: Vec<String> = people
                    .iter()
                    .take(PEOPLE_SHOWN)
                    .map(|p| p.label())
                    .collect();
                if people.len() > PEOPLE_SHOWN {
                    shown.push(format!("and {} more", people.len() - PEOPLE_SHOWN));
                }
                shown.extend(gaps.into_iter().map(|g| format!("UNKNOWN: {g}")));
                Some(Evidence::Note {
                    text: format!(
                        "people who can act as this role (IAM Identity Center): {}",
                        shown.join("; ")
                    ),
                })
            })
            .clone();
        if let Some(n) = note {
            f.evidence.push(n);
        }
    }
}
