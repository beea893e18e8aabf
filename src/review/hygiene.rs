//! Account hygiene, with the CIS AWS Foundations Benchmark (v3.0, section 1 "Identity and Access Management")
//! as the reference: the root user (1.4–1.7), passwords and MFA (1.8–1.10), access keys (1.12–1.14), policies
//! attached to users (1.15), and one inline policy copied onto many principals (IAM best practice: prefer
//! managed policies, <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html>).
//! These read the credential report and the password policy; they decide nothing about access.

use super::{Code, Ctx, Evidence, Finding, days_since, statement_evidence};
use crate::account::{
    AccessKeyReport, Account, CredentialReportRow, EntityKind, EntityRef, PasswordPolicy,
    ReportTime,
};
use crate::time::Timestamp;
use rustc_hash::FxHashMap;

/// The root user's row in the credential report.
const ROOT_ROW: &str = "<root_account>";

fn show(t: &ReportTime) -> String {
    match t {
        ReportTime::At(t) => t.to_string(),
        ReportTime::NotApplicable => "N/A".into(),
        ReportTime::NoInformation => "no_information".into(),
        ReportTime::NotSupported => "not_supported".into(),
    }
}

fn at(t: &ReportTime) -> Option<Timestamp> {
    match t {
        ReportTime::At(t) => Some(*t),
        _ => None,
    }
}

fn report(a: &Account, row: &CredentialReportRow, fields: Vec<(&str, String)>) -> Evidence {
    Evidence::CredentialReport {
        account: a.id.to_string(),
        user: row.user.clone(),
        fields: fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    }
}

fn key_fields(n: usize, k: &AccessKeyReport) -> Vec<(String, String)> {
    vec![
        (format!("access_key_{n}_active"), k.active.to_string()),
        (
            format!("access_key_{n}_last_rotated"),
            show(&k.last_rotated),
        ),
        (format!("access_key_{n}_last_used_date"), show(&k.last_used)),
    ]
}

/// Every account-level hygiene finding.
pub(crate) fn account_findings(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (ai, a) in ctx.model.accounts.iter().enumerate() {
        let root_arn = format!("arn:aws:iam::{}:root", a.id);
        match &a.credential_report {
            Some(r) => {
                for row in &r.rows {
                    if row.user == ROOT_ROW {
                        root_row(ctx, a, row, &root_arn, &mut out);
                    } else {
                        user_row(ctx, a, ai as u32, row, &mut out);
                    }
                }
            }
            None => out.push(
                Finding::new(Code::NotReviewed, &root_arn, &*a.id)
                    .title(format!(
                        "account {}: no credential report loaded, so the root user, MFA, access-key and \
                         password checks were not run",
                        a.label()
                    ))
                    .subject("credential_report"),
            ),
        }
        match &a.password_policy {
            Some(p) => password_policy(a, p, &root_arn, &mut out),
            None => out.push(
                Finding::new(Code::NotReviewed, &root_arn, &*a.id)
                    .title(format!(
                        "account {}: no password policy loaded, so it was not checked",
                        a.label()
                    ))
                    .subject("password_policy"),
            ),
        }
        direct_policies(ctx, a, ai as u32, &mut out);
        shared_inline(ctx, a, ai as u32, &mut out);
    }
    out
}

fn root_row(
    ctx: &Ctx<'_>,
    a: &Account,
    row: &CredentialReportRow,
    arn: &str,
    out: &mut Vec<Finding>,
) {
    for (i, k) in row.access_keys.iter().enumerate() {
        if k.active {
            let n = i + 1;
            out.push(
                Finding::new(Code::RootAccessKey, arn, &*a.id)
                    .title(format!(
                        "the root user of {} has active access key {n}",
                        a.label()
                    ))
                    .subject(format!("access_key_{n}"))
                    .with(Evidence::CredentialReport {
                        account: a.id.to_string(),
                        user: row.user.clone(),
                        fields: key_fields(n, k),
                    }),
            );
        }
    }
    if !row.mfa_active {
        out.push(
            Finding::new(Code::RootNoMfa, arn, &*a.id)
                .title(format!("the root user of {} has no MFA device", a.label()))
                .with(report(a, row, vec![("mfa_active", "false".into())])),
        );
    }
    let uses = [
        ("password_last_used", &row.password_last_used),
        ("access_key_1_last_used_date", &row.access_keys[0].last_used),
        ("access_key_2_last_used_date", &row.access_keys[1].last_used),
    ];
    let recent: Vec<(&str, Timestamp)> = uses
        .iter()
        .filter_map(|(k, t)| at(t).map(|t| (*k, t)))
        .filter(|(_, t)| days_since(*t, ctx.now) <= ctx.opts.root_recent_days)
        .collect();
    if let Some((_, last)) = recent.iter().max_by_key(|(_, t)| *t) {
        out.push(
            Finding::new(Code::RootRecentlyUsed, arn, &*a.id)
                .title(format!(
                    "the root user of {} was used {} days before {} (on {})",
                    a.label(),
                    days_since(*last, ctx.now).max(0),
                    ctx.now.date(),
                    last.date()
                ))
                .with(report(
                    a,
                    row,
                    recent.iter().map(|(k, t)| (*k, t.to_string())).collect(),
                )),
        );
    }
}

fn user_row(
    ctx: &Ctx<'_>,
    a: &Account,
    ai: u32,
    row: &CredentialReportRow,
    out: &mut Vec<Finding>,
) {
    let user_ref = a.find(EntityKind::User, &row.user).map(|index| EntityRef {
        account: ai,
        kind: EntityKind::User,
        index,
    });
    let mk = |code: Code| {
        let f = Finding::new(code, &row.arn, &*a.id);
        match user_ref {
            Some(r) => f.entity_ref(r),
            None => f,
        }
    };
    let now = ctx.now;
    if row.password_enabled == Some(true) && !row.mfa_active {
        out.push(
            mk(Code::ConsoleUserNoMfa)
                .title(format!(
                    "user {} signs in to the console with a password and no MFA",
                    row.user
                ))
                .with(report(
                    a,
                    row,
                    vec![
                        ("password_enabled", "true".into()),
                        ("mfa_active", "false".into()),
                        ("password_last_used", show(&row.password_last_used)),
                    ],
                )),
        );
    }
    if row.password_enabled == Some(true) {
        // Never used: measured from the password's creation (last change), else the user's.
        let since = at(&row.password_last_used)
            .or_else(|| at(&row.password_last_changed))
            .or_else(|| at(&row.created));
        if let Some(t) = since
            && days_since(t, now) > ctx.opts.unused_credential_days
        {
            let never = at(&row.password_last_used).is_none();
            out.push(
                mk(Code::PasswordUnused)
                    .title(if never {
                        format!(
                            "user {}'s console password was never used ({} days since it was set)",
                            row.user,
                            days_since(t, now)
                        )
                    } else {
                        format!(
                            "user {}'s console password was last used {} days ago",
                            row.user,
                            days_since(t, now)
                        )
                    })
                    .with(report(
                        a,
                        row,
                        vec![
                            ("password_enabled", "true".into()),
                            ("password_last_used", show(&row.password_last_used)),
                            ("password_last_changed", show(&row.password_last_changed)),
                        ],
                    )),
            );
        }
    }
    let active: Vec<(usize, &AccessKeyReport)> = row
        .access_keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.active)
        .map(|(i, k)| (i + 1, k))
        .collect();
    for (n, k) in &active {
        let ev = || Evidence::CredentialReport {
            account: a.id.to_string(),
            user: row.user.clone(),
            fields: key_fields(*n, k),
        };
        if let Some(t) = at(&k.last_rotated)
            && days_since(t, now) > ctx.opts.key_age_days
        {
            out.push(
                mk(Code::AccessKeyNotRotated)
                    .title(format!(
                        "user {}'s access key {n} was last rotated {} days ago ({})",
                        row.user,
                        days_since(t, now),
                        t.date()
                    ))
                    .subject(format!("access_key_{n}"))
                    .with(ev()),
            );
        }
        let since = at(&k.last_used).or_else(|| at(&k.last_rotated));
        if let Some(t) = since
            && days_since(t, now) > ctx.opts.unused_credential_days
        {
            let never = at(&k.last_used).is_none();
            out.push(
                mk(Code::AccessKeyUnused)
                    .title(if never {
                        format!(
                            "user {}'s active access key {n} was never used ({} days old)",
                            row.user,
                            days_since(t, now)
                        )
                    } else {
                        format!(
                            "user {}'s active access key {n} was last used {} days ago ({})",
                            row.user,
                            days_since(t, now),
                            t.date()
                        )
                    })
                    .subject(format!("access_key_{n}"))
                    .with(ev()),
            );
        }
    }
    if active.len() == 2 {
        let mut fields = key_fields(1, &row.access_keys[0]);
        fields.extend(key_fields(2, &row.access_keys[1]));
        out.push(
            mk(Code::TwoActiveKeys)
                .title(format!("user {} has two active access keys", row.user))
                .with(Evidence::CredentialReport {
                    account: a.id.to_string(),
                    user: row.user.clone(),
                    fields,
                }),
        );
    }
}

/// CIS 1.8 (minimum length 14) and 1.9 (reuse prevention 24).
fn password_policy(a: &Account, p: &PasswordPolicy, arn: &str, out: &mut Vec<Finding>) {
    let mut ev = Vec::new();
    let show = |v: Option<u32>| v.map_or("absent".to_string(), |v| v.to_string());
    if p.minimum_password_length.unwrap_or(0) < 14 {
        ev.push(Evidence::PasswordPolicy {
            setting: "MinimumPasswordLength".into(),
            value: show(p.minimum_password_length),
            expected: "14 or more (CIS 1.8)".into(),
        });
    }
    if p.password_reuse_prevention.unwrap_or(0) < 24 {
        ev.push(Evidence::PasswordPolicy {
            setting: "PasswordReusePrevention".into(),
            value: show(p.password_reuse_prevention),
            expected: "24 (CIS 1.9)".into(),
        });
    }
    if ev.is_empty() {
        return;
    }
    let mut f = Finding::new(Code::PasswordPolicyWeak, arn, &*a.id)
        .title(format!(
            "the password policy of {} is weaker than CIS recommends",
            a.label()
        ))
        .subject("password_policy");
    f.evidence = ev;
    out.push(f);
}

/// CIS 1.15: users with inline or directly attached policies.
fn direct_policies(ctx: &Ctx<'_>, a: &Account, ai: u32, out: &mut Vec<Finding>) {
    for (i, u) in a.users.iter().enumerate() {
        if u.inline.is_empty() && u.attached.is_empty() {
            continue;
        }
        let names: Vec<String> = u
            .inline
            .iter()
            .map(|p| format!("inline {}", p.name))
            .chain(u.attached.iter().map(|p| format!("attached {}", p.arn)))
            .collect();
        let mut f = Finding::new(Code::UserDirectPolicy, &*u.arn, &*a.id)
            .title(format!(
                "user {} has {} polic{} of its own ({})",
                u.name,
                names.len(),
                if names.len() == 1 { "y" } else { "ies" },
                names.join(", ")
            ))
            .entity_ref(EntityRef {
                account: ai,
                kind: EntityKind::User,
                index: i as u32,
            });
        for p in u.inline.iter().take(5) {
            if let Some(e) = statement_evidence(
                ctx.model,
                format!("user {} inline policy {}", u.name, p.name),
                &p.doc,
                0,
            ) {
                f.evidence.push(e);
            }
        }
        out.push(f);
    }
}

/// The document's text without whitespace outside strings: two copies that differ only in layout are equal.
fn canonical(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_str = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// One inline document on at least `shared_inline_min` principals of an account.
fn shared_inline<'m>(ctx: &Ctx<'m>, a: &'m Account, ai: u32, out: &mut Vec<Finding>) {
    struct Copy<'m> {
        owner: String,
        name: &'m str,
        doc: &'m crate::account::PolicyDoc,
        r: EntityRef,
    }
    let mut groups: FxHashMap<String, Vec<Copy<'m>>> = FxHashMap::default();
    let model = ctx.model;
    let mut add =
        |kind: EntityKind, index: usize, owner: String, p: &'m crate::account::InlinePolicy| {
            let key = canonical(&p.doc.text(model));
            groups.entry(key).or_default().push(Copy {
                owner,
                name: &p.name,
                doc: &p.doc,
                r: EntityRef {
                    account: ai,
                    kind,
                    index: index as u32,
                },
            });
        };
    for (i, u) in a.users.iter().enumerate() {
        for p in &u.inline {
            add(EntityKind::User, i, format!("user {}", u.name), p);
        }
    }
    for (i, g) in a.groups.iter().enumerate() {
        for p in &g.inline {
            add(EntityKind::Group, i, format!("group {}", g.name), p);
        }
    }
    for (i, r) in a.roles.iter().enumerate() {
        for p in &r.inline {
            add(EntityKind::Role, i, format!("role {}", r.name), p);
        }
    }
    let mut shared: Vec<(String, Vec<Copy<'m>>)> = groups
        .into_iter()
        .filter(|(_, v)| v.len() >= ctx.opts.shared_inline_min.max(2))
        .collect();
    shared.sort_by(|x, y| {
        x.1.first()
            .map(|c| &c.owner)
            .cmp(&y.1.first().map(|c| &c.owner))
    });
    for (_, copies) in shared {
        let Some(first) = copies.first() else {
            continue;
        };
        let (_, arn) = ctx.model.describe(first.r);
        let owners: Vec<String> = copies
            .iter()
            .take(20)
            .map(|c| format!("{} ({})", c.owner, c.name))
            .collect();
        let mut f = Finding::new(Code::SharedInlinePolicy, arn, &*a.id)
            .title(format!(
                "inline policy {} is copied on {} principals of {}",
                first.name,
                copies.len(),
                a.label()
            ))
            .subject(first.name.to_string())
            .entity_ref(first.r)
            .with(Evidence::Note {
                text: format!(
                    "the same document is inline on: {}{}",
                    owners.join(", "),
                    if copies.len() > 20 { ", …" } else { "" }
                ),
            });
        if let Some(e) = statement_evidence(
            ctx.model,
            format!("{} inline policy {}", first.owner, first.name),
            first.doc,
            0,
        ) {
            f.evidence.push(e);
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn canonical_ignores_layout_not_strings() {
        assert_eq!(
            canonical("{ \"a b\" :\n [1, \"x \\\" y\"] }"),
            "{\"a b\":[1,\"x \\\" y\"]}"
        );
    }
}
