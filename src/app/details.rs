//! The details pane: one entity's facts, each related name a link.

use super::Command;
use crate::account::{
    Attachment, Boundary, EntityKind, EntityRef, InlinePolicy, Model, PolicyDoc, PolicyRef,
    ReportTime, RoleKind, Tag,
};
use crate::eval::reverse::{Named, WhoCanAssume, who_can_assume};
use eframe::egui;
use egui_extras::{Column, TableBuilder};
use std::sync::Arc;

fn link(ui: &mut egui::Ui, model: &Model, arn: &str, label: &str, commands: &mut Vec<Command>) {
    match model.by_arn(arn) {
        Some(r) => {
            if ui.link(label).on_hover_text(arn).clicked() {
                commands.push(Command::Select(r));
            }
        }
        None => {
            ui.label(label).on_hover_text(arn);
        }
    }
}

fn fact(ui: &mut egui::Ui, key: &str, value: impl Into<egui::WidgetText>) {
    ui.label(egui::RichText::new(key).strong());
    ui.label(value);
    ui.end_row();
}

fn document(
    ui: &mut egui::Ui,
    model: &Model,
    id: impl std::hash::Hash + std::fmt::Debug,
    title: &str,
    doc: &PolicyDoc,
) {
    document_open(ui, model, id, title, doc, false);
}

fn document_open(
    ui: &mut egui::Ui,
    model: &Model,
    id: impl std::hash::Hash + std::fmt::Debug,
    title: &str,
    doc: &PolicyDoc,
    open: bool,
) {
    egui::CollapsingHeader::new(title)
        .id_salt(id)
        .default_open(open)
        .show(ui, |ui| {
            super::editor::edit_button(ui, doc);
            let text = display_text(ui, model, doc);
            let theme = egui_extras::syntax_highlighting::CodeTheme::from_style(ui.style());
            egui_extras::syntax_highlighting::code_view_ui(ui, &theme, &text, "json");
            if !doc.problems.is_empty() {
                for p in &doc.problems {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        format!("{}: {}", p.code, p.message),
                    );
                }
            }
        });
}

fn attachments(ui: &mut egui::Ui, account: u32, list: &[Attachment], commands: &mut Vec<Command>) {
    if list.is_empty() {
        ui.weak("none");
        return;
    }
    for a in list {
        ui.horizontal(|ui| match a.target {
            PolicyRef::Local(i) => {
                let r = EntityRef {
                    account,
                    kind: EntityKind::Policy,
                    index: i,
                };
                if ui.link(&*a.name).on_hover_text(&*a.arn).clicked() {
                    commands.push(Command::Select(r));
                }
            }
            PolicyRef::Bundled(_) => {
                ui.label(&*a.name).on_hover_text(&*a.arn);
                ui.weak("(AWS-managed, from the bundled set)");
            }
            PolicyRef::Missing => {
                ui.label(&*a.name).on_hover_text(&*a.arn);
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "missing: what it grants is unknown",
                );
            }
        });
    }
}

fn boundary(ui: &mut egui::Ui, account: u32, b: &Option<Boundary>, commands: &mut Vec<Command>) {
    if let Some(b) = b {
        ui.label(egui::RichText::new("Permissions boundary").strong());
        attachments(
            ui,
            account,
            &[Attachment {
                name: b.arn.rsplit('/').next().unwrap_or(&b.arn).into(),
                arn: b.arn.clone(),
                target: b.target,
            }],
            commands,
        );
    }
}

fn inline(ui: &mut egui::Ui, model: &Model, owner: &str, list: &[InlinePolicy]) {
    ui.label(egui::RichText::new(format!("Inline policies ({})", list.len())).strong());
    for p in list {
        document(ui, model, (owner, &*p.name), &p.name, &p.doc);
    }
}

fn tags(ui: &mut egui::Ui, tags: &[Tag]) {
    if tags.is_empty() {
        return;
    }
    ui.label(egui::RichText::new("Tags").strong());
    for t in tags {
        ui.monospace(format!("{} = {}", t.key, t.value));
    }
}

fn report_time(t: &ReportTime) -> String {
    match t {
        ReportTime::At(t) => t.date(),
        ReportTime::NotApplicable => "N/A".into(),
        ReportTime::NoInformation => "no information".into(),
        ReportTime::NotSupported => "not supported".into(),
    }
}

/// The overview shown when nothing is selected.
pub fn overview(ui: &mut egui::Ui, model: &Model, sample: bool, commands: &mut Vec<Command>) {
    egui::ScrollArea::vertical()
        .id_salt("start-page")
        .auto_shrink([false, false])
        .show(ui, |ui| start_page(ui, model, sample, commands));
}

/// The start page: what is loaded, the organisation tree with its accounts and where each SCP and RCP is
/// attached, counts per account, and where to begin.
fn start_page(ui: &mut egui::Ui, model: &Model, sample: bool, commands: &mut Vec<Command>) {
    if sample {
        ui.heading("Larkspur Labs, the bundled sample");
        ui.label(
            "A small made-up organisation built to teach IAM: an administrator who needs MFA, developers \
             under a permissions boundary, a region guardrail SCP, cross-account deployment, tag-based \
             access. Its guide is assets/sample/TEACHING.md; its 55 teaching cases are one click away.",
        );
    } else {
        ui.heading("Overview");
    }
    ui.add_space(6.0);
    ui.horizontal_wrapped(|ui| {
        if sample
            && ui
                .button("Learn IAM with the sample")
                .on_hover_text(
                    "Lessons: each concept of IAM explained, then shown on the sample in a click or two",
                )
                .clicked()
        {
            commands.push(Command::SetView(super::View::Lessons));
        }
        if sample
            && ui
                .button("Teaching cases")
                .on_hover_text("The 55 teaching cases as saved requests: each one's request, expected answer and why")
                .clicked()
        {
            commands.push(Command::LoadTeachingCases);
        }
        if ui
            .button("Review this snapshot")
            .on_hover_text("The findings: who is admin, what is public, what escalates")
            .clicked()
        {
            commands.push(Command::SetView(super::View::Findings));
        }
        if ui
            .button("Ask a question")
            .on_hover_text("The evaluator: may this principal do this action on this resource?")
            .clicked()
        {
            commands.push(Command::SetView(super::View::Evaluator));
        }
        if ui
            .button("See who may assume which role")
            .on_hover_text("The trust graph")
            .clicked()
        {
            commands.push(Command::SetView(super::View::Trust));
        }
    });
    ui.add_space(8.0);
    if let Some(o) = &model.organization {
        ui.strong(format!(
            "Organisation {} · management account {}",
            o.id,
            o.management_account.as_deref().unwrap_or("unknown")
        ));
        org_node_ui(ui, model, &o.root, 0, commands);
        ui.add_space(8.0);
    }
    ui.strong("Accounts");
    egui::Grid::new("overview").striped(true).show(ui, |ui| {
        ui.strong("Account");
        for k in ["Users", "Groups", "Roles", "Policies", "Resource policies"] {
            ui.strong(k);
        }
        ui.end_row();
        for a in &model.accounts {
            ui.label(a.label());
            for k in [
                EntityKind::User,
                EntityKind::Group,
                EntityKind::Role,
                EntityKind::Policy,
                EntityKind::ResourcePolicy,
            ] {
                ui.label(a.count(k).to_string());
            }
            ui.end_row();
        }
    });
    ui.add_space(8.0);
    ui.weak("Select an entity on the left to see its details.");
}

/// One node of the organisation tree: its name, the SCPs and RCPs attached to it (links), its accounts, then
/// its child OUs, indented. Depth is bounded by the tree the snapshot describes.
fn org_node_ui(
    ui: &mut egui::Ui,
    model: &Model,
    node: &crate::account::OrgNode,
    depth: usize,
    commands: &mut Vec<Command>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.add_space(18.0 * depth as f32);
        ui.label(egui::RichText::new(format!("{} ({})", node.name, node.id)).strong());
        for (what, list) in [("SCP", &node.scps), ("RCP", &node.rcps)] {
            let Some(list) = list else { continue };
            for &i in list {
                let Some(p) = model.org_policies.get(i as usize) else {
                    continue;
                };
                ui.weak(what);
                let r = EntityRef {
                    account: u32::MAX,
                    kind: EntityKind::OrgPolicy,
                    index: i,
                };
                if ui.link(p.name.as_ref()).clicked() {
                    commands.push(Command::Select(r));
                }
            }
        }
    });
    for id in &node.accounts {
        ui.horizontal(|ui| {
            ui.add_space(18.0 * (depth + 1) as f32);
            let label = model.accounts.iter().find(|a| *a.id == **id).map_or_else(
                || format!("account {id} (not in the snapshot)"),
                |a| format!("account {}", a.label()),
            );
            ui.label(label);
        });
    }
    for c in &node.children {
        org_node_ui(ui, model, c, depth + 1, commands);
    }
}

/// Where organisation policy `index` is attached: the root and OUs by name (id), in tree order.
fn attached_at(model: &Model, index: u32) -> Vec<String> {
    fn walk(n: &crate::account::OrgNode, index: u32, out: &mut Vec<String>) {
        let here = [&n.scps, &n.rcps]
            .iter()
            .any(|l| l.as_ref().is_some_and(|l| l.contains(&index)));
        if here {
            out.push(format!("{} ({})", n.name, n.id));
        }
        for c in &n.children {
            walk(c, index, out);
        }
    }
    let mut out = Vec::new();
    if let Some(o) = &model.organization {
        walk(&o.root, index, &mut out);
    }
    out
}

/// Draw the details of `r`.
pub fn ui(
    ui: &mut egui::Ui,
    model: &Model,
    r: EntityRef,
    assume: &AssumeView,
    commands: &mut Vec<Command>,
) {
    let (name, arn) = model.describe(r);
    ui.horizontal(|ui| {
        ui.heading(&name);
        if r.kind != EntityKind::OrgPolicy
            && r.kind != EntityKind::ResourcePolicy
            && ui
                .button("Show in graph")
                .on_hover_text("Open the graph centred on this entity")
                .clicked()
        {
            commands.push(Command::ShowInGraph(r));
        }
    });
    ui.monospace(&arn);
    ui.separator();
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            if r.kind == EntityKind::OrgPolicy {
                if let Some(p) = model.org_policies.get(r.index as usize) {
                    egui::Grid::new("facts").show(ui, |ui| {
                        fact(
                            ui,
                            "Type",
                            if p.kind == crate::account::OrgPolicyKind::Scp {
                                "service control policy"
                            } else {
                                "resource control policy"
                            },
                        );
                        fact(ui, "Id", &*p.id);
                        fact(ui, "AWS-managed", p.aws_managed.to_string());
                        if let Some(d) = &p.description {
                            fact(ui, "Description", &**d);
                        }
                        let places = attached_at(model, r.index);
                        fact(
                            ui,
                            "Attached to",
                            if places.is_empty() {
                                "nothing in the organisation tree".to_string()
                            } else {
                                places.join(", ")
                            },
                        );
                    });
                    ui.weak(
                        "It caps what the principals of the accounts below it may do; it never grants anything.",
                    );
                    document(ui, model, "org", "Document", &p.doc);
                }
                return;
            }
            let Some(account) = model.accounts.get(r.account as usize) else {
                return;
            };
            let i = r.index as usize;
            match r.kind {
                EntityKind::User => {
                    let Some(u) = account.users.get(i) else {
                        return;
                    };
                    egui::Grid::new("facts").show(ui, |ui| {
                        fact(ui, "Account", account.label());
                        fact(ui, "User id", &*u.id);
                        fact(ui, "Path", &*u.path);
                        fact(
                            ui,
                            "Created",
                            u.created.map(|t| t.to_string()).unwrap_or_default(),
                        );
                        if let Some(row) = account
                            .credential_report
                            .as_ref()
                            .and_then(|c| c.row(&u.name))
                        {
                            fact(
                                ui,
                                "MFA",
                                if row.mfa_active {
                                    "active"
                                } else {
                                    "NOT active"
                                },
                            );
                            fact(
                                ui,
                                "Password",
                                match row.password_enabled {
                                    Some(true) => format!(
                                        "enabled, last used {}",
                                        report_time(&row.password_last_used)
                                    ),
                                    Some(false) => "no console password".into(),
                                    None => "not supported".into(),
                                },
                            );
                            for (k, key) in row.access_keys.iter().enumerate() {
                                if key.active {
                                    fact(
                                        ui,
                                        &format!("Access key {}", k + 1),
                                        format!(
                                            "active, rotated {}, last used {}",
                                            report_time(&key.last_rotated),
                                            report_time(&key.last_used)
                                        ),
                                    );
                                }
                            }
                        }
                    });
                    ui.label(egui::RichText::new(format!("Groups ({})", u.groups.len())).strong());
                    ui.horizontal_wrapped(|ui| {
                        for g in &u.groups {
                            match account.find(EntityKind::Group, g) {
                                Some(gi) => {
                                    if ui.link(&**g).clicked() {
                                        commands.push(Command::Select(EntityRef {
                                            account: r.account,
                                            kind: EntityKind::Group,
                                            index: gi,
                                        }));
                                    }
                                }
                                None => {
                                    ui.colored_label(
                                        ui.visuals().warn_fg_color,
                                        format!("{g} (missing)"),
                                    );
                                }
                            }
                        }
                    });
                    ui.label(egui::RichText::new("Effective policies").strong());
                    user_policy_table(ui, model, r, commands);
                    ui.label(egui::RichText::new("Attached managed policies").strong());
                    attachments(ui, r.account, &u.attached, commands);
                    boundary(ui, r.account, &u.boundary, commands);
                    inline(ui, model, &u.arn, &u.inline);
                    tags(ui, &u.tags);
                }
                EntityKind::Group => {
                    let Some(g) = account.groups.get(i) else {
                        return;
                    };
                    egui::Grid::new("facts").show(ui, |ui| {
                        fact(ui, "Account", account.label());
                        fact(ui, "Group id", &*g.id);
                        fact(ui, "Path", &*g.path);
                    });
                    ui.label(
                        egui::RichText::new(format!("Members ({})", g.members.len())).strong(),
                    );
                    ui.horizontal_wrapped(|ui| {
                        for &m in &g.members {
                            if let Some(u) = account.users.get(m as usize)
                                && ui.link(&*u.name).clicked()
                            {
                                commands.push(Command::Select(EntityRef {
                                    account: r.account,
                                    kind: EntityKind::User,
                                    index: m,
                                }));
                            }
                        }
                    });
                    ui.label(egui::RichText::new("Attached managed policies").strong());
                    attachments(ui, r.account, &g.attached, commands);
                    inline(ui, model, &g.arn, &g.inline);
                }
                EntityKind::Role => {
                    let Some(role) = account.roles.get(i) else {
                        return;
                    };
                    egui::Grid::new("facts").show(ui, |ui| {
                        fact(ui, "Account", account.label());
                        fact(ui, "Role id", &*role.id);
                        fact(ui, "Path", &*role.path);
                        fact(
                            ui,
                            "Kind",
                            match &role.kind {
                                RoleKind::Standard => "standard".to_string(),
                                RoleKind::ServiceLinked { service } => {
                                    format!("service-linked ({service}): not restricted by SCPs")
                                }
                                RoleKind::Sso => "IAM Identity Center (SSO)".to_string(),
                            },
                        );
                        if let Some(d) = &role.description {
                            fact(ui, "Description", &**d);
                        }
                        if let Some(s) = role.max_session_duration {
                            fact(ui, "Max session", format!("{} h", s as f32 / 3600.0));
                        }
                        fact(
                            ui,
                            "Last used",
                            role.last_used
                                .as_ref()
                                .and_then(|l| l.date)
                                .map(|d| d.date())
                                .unwrap_or_else(|| "never / unknown".into()),
                        );
                    });
                    who_may_assume(ui, assume, model, r, &role.arn, commands);
                    super::people::role_people(ui, model, r);
                    match &role.trust {
                        Some(t) => document_open(ui, model, "trust", "Trust policy", t, true),
                        None => {
                            ui.colored_label(ui.visuals().warn_fg_color, "trust policy unknown");
                        }
                    }
                    if !role.instance_profiles.is_empty() {
                        ui.label(egui::RichText::new("Instance profiles").strong());
                        for p in &role.instance_profiles {
                            link(ui, model, p, p.rsplit('/').next().unwrap_or(p), commands);
                        }
                    }
                    ui.label(egui::RichText::new("Effective policies").strong());
                    user_policy_table(ui, model, r, commands);
                    ui.label(egui::RichText::new("Attached managed policies").strong());
                    attachments(ui, r.account, &role.attached, commands);
                    boundary(ui, r.account, &role.boundary, commands);
                    inline(ui, model, &role.arn, &role.inline);
                    tags(ui, &role.tags);
                }
                EntityKind::Policy => {
                    let Some(p) = account.policies.get(i) else {
                        return;
                    };
                    egui::Grid::new("facts").show(ui, |ui| {
                        fact(ui, "Account", account.label());
                        fact(
                            ui,
                            "Owner",
                            if p.aws_managed {
                                "AWS-managed"
                            } else {
                                "customer-managed"
                            },
                        );
                        fact(
                            ui,
                            "Attachments",
                            p.attachment_count
                                .map(|n| n.to_string())
                                .unwrap_or_default(),
                        );
                        fact(ui, "Attachable", p.is_attachable.to_string());
                        fact(
                            ui,
                            "Default version",
                            p.default_version.as_deref().unwrap_or("?"),
                        );
                    });
                    let users = crate::graph::attached_to(model, r.account, r.index);
                    ui.label(
                        egui::RichText::new(format!("Attached to ({})", users.len())).strong(),
                    );
                    if users.is_empty() {
                        ui.weak("nothing in this snapshot");
                    }
                    egui::Grid::new("attached-to").striped(true).show(ui, |ui| {
                        for (e, how) in users.iter().take(200) {
                            let (n, arn) = model.describe(*e);
                            if ui.link(n).on_hover_text(arn).clicked() {
                                commands.push(Command::Select(*e));
                            }
                            ui.weak(format!("{:?}", e.kind).to_lowercase());
                            ui.label(if *how == crate::graph::EdgeKind::Boundary {
                                "as permissions boundary"
                            } else {
                                "attached"
                            });
                            ui.end_row();
                        }
                    });
                    if users.len() > 200 {
                        ui.weak(format!("… and {} more", users.len() - 200));
                    }
                    for v in &p.versions {
                        let title = format!(
                            "{}{} {}",
                            v.id,
                            if v.is_default { " (default)" } else { "" },
                            v.created.map(|t| t.date()).unwrap_or_default()
                        );
                        match &v.doc {
                            Some(d) => document(ui, model, ("v", &*v.id), &title, d),
                            None => {
                                ui.label(format!("{title}: no document in the export"));
                            }
                        }
                    }
                }
                EntityKind::InstanceProfile => {
                    let Some(p) = account.instance_profiles.get(i) else {
                        return;
                    };
                    ui.label(egui::RichText::new("Roles").strong());
                    for role in &p.roles {
                        if let Some(ri) = account.find(EntityKind::Role, role)
                            && ui.link(&**role).clicked()
                        {
                            commands.push(Command::Select(EntityRef {
                                account: r.account,
                                kind: EntityKind::Role,
                                index: ri,
                            }));
                        }
                    }
                }
                EntityKind::IdentityProvider => {
                    let Some(p) = account.identity_providers.get(i) else {
                        return;
                    };
                    egui::Grid::new("facts").show(ui, |ui| {
                        fact(ui, "Kind", format!("{:?}", p.kind));
                        fact(
                            ui,
                            "Source",
                            if p.declared {
                                "listed in the workspace"
                            } else {
                                "seen in trust policies"
                            },
                        );
                    });
                }
                EntityKind::ResourcePolicy => {
                    let Some(p) = account.resource_policies.get(i) else {
                        return;
                    };
                    fact(ui, "Service", &*p.service);
                    document(ui, model, "res", "Policy", &p.doc);
                }
                EntityKind::OrgPolicy => {}
            }
        });
}

/// One row of a user's policy table.
struct PolicyRow {
    name: String,
    how: String,
    target: Option<EntityRef>,
    /// An inline policy: its document, opened in the editor.
    edit: Option<(crate::account::SourceId, crate::text::Span)>,
}

/// Sort state of the user's policy table: column and direction, kept in egui memory.
#[derive(Clone, Copy, Default)]
struct SortBy {
    column: usize,
    descending: bool,
}

/// A user's policies, direct and through groups, in a table sortable by clicking the headers.
/// The policies that apply to a user or a role: attached, inline, the boundary, and (users) those of its groups.
/// Managed policies link to their page, inline ones open in the editor.
fn user_policy_table(ui: &mut egui::Ui, model: &Model, r: EntityRef, commands: &mut Vec<Command>) {
    let Some(account) = model.accounts.get(r.account as usize) else {
        return;
    };
    struct Owner<'a> {
        attached: &'a [Attachment],
        inline: &'a [crate::account::InlinePolicy],
        boundary: &'a Option<crate::account::Boundary>,
        groups: &'a [crate::policy::Str],
    }
    let u = match r.kind {
        EntityKind::User => match account.users.get(r.index as usize) {
            Some(u) => Owner {
                attached: &u.attached,
                inline: &u.inline,
                boundary: &u.boundary,
                groups: &u.groups,
            },
            None => return,
        },
        EntityKind::Role => match account.roles.get(r.index as usize) {
            Some(x) => Owner {
                attached: &x.attached,
                inline: &x.inline,
                boundary: &x.boundary,
                groups: &[],
            },
            None => return,
        },
        _ => return,
    };
    let target = |a: &Attachment| match a.target {
        PolicyRef::Local(i) => Some(EntityRef {
            account: r.account,
            kind: EntityKind::Policy,
            index: i,
        }),
        _ => None,
    };
    let mut rows: Vec<PolicyRow> = Vec::new();
    for a in u.attached {
        rows.push(PolicyRow {
            name: a.name.to_string(),
            how: "attached".into(),
            target: target(a),
            edit: None,
        });
    }
    for p in u.inline {
        rows.push(PolicyRow {
            name: p.name.to_string(),
            how: "inline".into(),
            target: None,
            edit: Some((p.doc.source, p.doc.policy.span)),
        });
    }
    if let Some(b) = u.boundary {
        let a = Attachment {
            name: b.arn.rsplit('/').next().unwrap_or(&b.arn).into(),
            arn: b.arn.clone(),
            target: b.target,
        };
        rows.push(PolicyRow {
            name: a.name.to_string(),
            how: "boundary".into(),
            target: target(&a),
            edit: None,
        });
    }
    for gname in u.groups {
        if let Some(g) = account.group(gname) {
            for a in &g.attached {
                rows.push(PolicyRow {
                    name: a.name.to_string(),
                    how: format!("attached via group {gname}"),
                    target: target(a),
                    edit: None,
                });
            }
            for p in &g.inline {
                rows.push(PolicyRow {
                    name: p.name.to_string(),
                    how: format!("inline in group {gname}"),
                    target: None,
                    edit: Some((p.doc.source, p.doc.policy.span)),
                });
            }
        }
    }
    if rows.is_empty() {
        ui.weak("none");
        return;
    }
    let id = ui.scope_id().with(("user-policies", r));
    let mut sort: SortBy = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    rows.sort_by(|a, b| {
        let o = match sort.column {
            0 => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            _ => a.how.cmp(&b.how).then(a.name.cmp(&b.name)),
        };
        if sort.descending { o.reverse() } else { o }
    });
    let header = |ui: &mut egui::Ui, sort: &mut SortBy, col: usize, title: &str| {
        let arrow = if sort.column != col {
            ""
        } else if sort.descending {
            " v"
        } else {
            " ^"
        };
        if ui
            .button(format!("{title}{arrow}"))
            .on_hover_text("Sort by this column")
            .clicked()
        {
            if sort.column == col {
                sort.descending = !sort.descending;
            } else {
                *sort = SortBy {
                    column: col,
                    descending: false,
                };
            }
        }
    };
    ui.push_id(id, |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .vscroll(false)
            .column(Column::auto().at_least(180.0))
            .column(Column::remainder())
            .header(22.0, |mut h| {
                h.col(|ui| header(ui, &mut sort, 0, "Policy"));
                h.col(|ui| header(ui, &mut sort, 1, "How"));
            })
            .body(|mut body| {
                for row in &rows {
                    body.row(20.0, |mut tr| {
                        tr.col(|ui| match (row.target, row.edit) {
                            (Some(t), _) => {
                                if ui.link(&row.name).clicked() {
                                    commands.push(Command::Select(t));
                                }
                            }
                            (None, Some((src, span))) => {
                                if ui
                                    .link(&row.name)
                                    .on_hover_text("Open the inline policy in the editor")
                                    .clicked()
                                {
                                    commands.push(Command::EditAt(src, span));
                                }
                            }
                            (None, None) => {
                                ui.label(&row.name);
                            }
                        });
                        tr.col(|ui| {
                            ui.label(&row.how);
                        });
                    });
                }
            });
    });
    ui.data_mut(|d| d.insert_temp(id, sort));
}

/// "Who may assume it" for the selected role: the engine's answer ([`who_can_assume`]: `sts:AssumeRole` evaluated
/// for every loaded user and role, with their own policies, boundaries and SCPs, and for each principal outside
/// them that the trust policy names), computed on the runner for (model generation, role), never in a frame.
#[derive(Default)]
pub struct AssumeView {
    task: super::tasks::Slot<(u64, EntityRef), Option<WhoCanAssume>>,
    done: Option<((u64, EntityRef), AssumeAnswer)>,
}

/// The engine's answer, or why there is none.
type AssumeAnswer = Result<Arc<WhoCanAssume>, String>;

impl AssumeView {
    /// Take a finished answer in, and start computing the one for `role` of `model` unless it is known or
    /// being computed (an answer for another model or role is dropped).
    pub fn update(&mut self, ctx: &egui::Context, model: &Arc<Model>, role: EntityRef) {
        let key = (model.generation(), role);
        if let Some((k, r)) = self.task.poll(|k| *k == key) {
            let r = r.map_err(|e| e.to_string()).and_then(|a| {
                a.map(Arc::new)
                    .ok_or_else(|| "not a role of the loaded model".to_string())
            });
            self.done = Some((k, r));
        }
        if self.done.as_ref().is_some_and(|(k, _)| *k == key) || self.task.is_running(&key) {
            return;
        }
        let m = model.clone();
        self.task.start(ctx, "who-can-assume", key, move |_| {
            who_can_assume(&m, role, &crate::eval::Overrides::default())
        });
    }

    /// No role is selected: stop computing and forget the answer.
    pub fn clear(&mut self) {
        self.task.cancel();
        self.done = None;
    }

    /// True while an answer is computed.
    pub fn busy(&self) -> bool {
        self.task.busy()
    }

    /// The answer for `role` of `model`, when there is one.
    pub fn answer(&self, model: &Model, role: EntityRef) -> Option<&AssumeAnswer> {
        self.done
            .as_ref()
            .filter(|(k, _)| *k == (model.generation(), role))
            .map(|(_, r)| r)
    }
}

/// Who may assume role `r`, as the engine answers: the loaded users and roles allowed (always, if the listed
/// conditions hold, or unknown), then the principals outside them that its trust policy names (services,
/// identity providers, other accounts, anyone), each with the engine's answer on the role's side; those the
/// trust policy names but the engine refuses are named last, with the layer that refuses. A link opens the
/// evaluator's Who can tab on the same question.
fn who_may_assume(
    ui: &mut egui::Ui,
    view: &AssumeView,
    model: &Model,
    r: EntityRef,
    arn: &str,
    commands: &mut Vec<Command>,
) {
    let answer = view.answer(model, r);
    let allowed = match answer {
        Some(Ok(a)) => Some(
            a.loaded.principals.len() + a.outside.iter().filter(|o| o.outcome.is_some()).count(),
        ),
        _ => None,
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(
            egui::RichText::new(match allowed {
                Some(n) => format!("Who may assume it ({n})"),
                None => "Who may assume it".to_string(),
            })
            .strong(),
        )
        .on_hover_text(
            "sts:AssumeRole evaluated for every loaded user and role (the trust policy and each caller's own \
             policies, boundaries, SCPs and RCPs), and for each principal outside them that the trust policy \
             names; conditions on keys a request would bring are assumed to hold and listed",
        );
        if ui
            .link("who may assume it, as the evaluator answers")
            .on_hover_text("The evaluator's Who can tab on sts:AssumeRole and this role")
            .clicked()
        {
            commands.push(Command::WhoCan("sts:AssumeRole".into(), arn.to_string()));
        }
    });
    let a = match answer {
        Some(Ok(a)) => a,
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
        None => {
            super::tasks::running_ui(ui, "evaluating who may assume it…", None);
            return;
        }
    };
    if allowed == Some(0) {
        ui.weak("nobody: the evaluator allows sts:AssumeRole to no principal");
    }
    egui::Grid::new("assumers").striped(true).show(ui, |ui| {
        for p in &a.loaded.principals {
            let (name, account) = (
                super::table::short_arn(&p.principal),
                model
                    .account(&p.account)
                    .and_then(|a| a.alias.clone())
                    .unwrap_or_else(|| p.account.clone()),
            );
            if ui
                .link(name)
                .on_hover_text(format!("{} ({account})", p.principal))
                .clicked()
            {
                commands.push(Command::Select(p.entity));
            }
            let cross = crate::account::arn_account(arn).is_some_and(|a| a != p.account);
            ui.weak(format!(
                "{:?}{}",
                p.kind,
                if cross { " · cross-account" } else { "" }
            ));
            answer_cells(ui, p.outcome, &p.conditions, None);
            ui.end_row();
        }
        for o in a.outside.iter().filter(|o| o.outcome.is_some()) {
            let (label, kind) = outside_label(model, &o.named);
            let anyone = o.named == Named::Anyone;
            let hover = format!("{} ({})", o.from, o.action);
            if anyone {
                ui.colored_label(ui.visuals().warn_fg_color, label)
                    .on_hover_text(hover);
            } else {
                ui.label(label).on_hover_text(hover);
            }
            ui.weak(format!(
                "{kind}{}",
                if o.cross_account {
                    " · cross-account"
                } else {
                    ""
                }
            ));
            if let Some(outcome) = o.outcome {
                answer_cells(ui, outcome, &o.conditions, o.note.as_deref());
            }
            ui.end_row();
        }
    });
    let refused: Vec<String> = a
        .outside
        .iter()
        .filter(|o| o.outcome.is_none())
        .map(|o| {
            let by = o
                .decided_by
                .map(super::evaluator::layer_label)
                .unwrap_or("no layer");
            format!("{} (refused: {by})", outside_label(model, &o.named).0)
        })
        .collect();
    if !refused.is_empty() {
        ui.weak(format!(
            "Named by its trust policy but refused by the evaluator: {}",
            refused.join(", ")
        ));
    }
}

/// The answer's word in its colour, and its conditions (or why it is unknown), one per line.
fn answer_cells(
    ui: &mut egui::Ui,
    outcome: crate::eval::reverse::Outcome,
    conditions: &[String],
    note: Option<&str>,
) {
    let (word, colour) = super::evaluator::outcome_label(ui, outcome);
    ui.colored_label(colour, word);
    let mut lines = conditions
        .iter()
        .map(|c| format!("if {c}"))
        .collect::<Vec<_>>();
    match note {
        Some(n) => lines.push(n.to_string()),
        None => {
            if lines.is_empty() {
                lines = super::evaluator::outcome_conditions(outcome, &[]);
            }
        }
    }
    ui.label(lines.join("\n"));
}

/// How a principal outside the loaded ones is named in the list, and its kind.
fn outside_label(model: &Model, named: &Named) -> (String, &'static str) {
    match named {
        Named::Anyone => ("ANYONE (*)".to_string(), "any account"),
        Named::Account(id) => (
            match model.account(id).and_then(|a| a.alias.as_deref()) {
                Some(alias) => format!("{alias} ({id})"),
                None => id.clone(),
            },
            "account",
        ),
        Named::Arn(arn) => (super::table::short_arn(arn).to_string(), "principal"),
        Named::Service(s) => (s.clone(), "service"),
        Named::Provider(p) => (super::table::short_arn(p).to_string(), "identity provider"),
    }
}

/// A document as shown: its text re-indented from the start of its own line (an export nests documents several
/// levels deep), formatted once per document and kept in egui's memory.
fn display_text(ui: &egui::Ui, model: &Model, doc: &PolicyDoc) -> std::sync::Arc<String> {
    let id = egui::Id::unique("doc-display").with((
        model.generation(),
        doc.source.0,
        doc.policy.span.start,
        doc.policy.span.end,
    ));
    if let Some(t) = ui.data(|d| d.get_temp::<std::sync::Arc<String>>(id)) {
        return t;
    }
    let raw = doc.text(model);
    let shown = std::sync::Arc::new(crate::edit::format(&raw).unwrap_or_else(|_| raw.to_string()));
    ui.data_mut(|d| d.insert_temp(id, shown.clone()));
    shown
}
