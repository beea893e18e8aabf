//! IAM Identity Center in the explorer: its people, groups and permission sets, and a page for each. A person's
//! page lists every account and role they can use and what that role may do (through the evaluator, computed
//! off the UI thread). An SSO role's details name the people behind it.
//!
//! People are not IAM entities, so their selection lives beside the app's (in egui's memory) and holds only
//! while the app's own selection is the one it was made under: selecting any entity leaves the person's page.

use super::Command;
use crate::account::identity_center::{AssignedTo, IdentityCenter, PermissionSetBoundary};
use crate::account::{EntityKind, EntityRef, Model};
use crate::eval::people::{AccessCache, PersonAccess, access_of, paths_of, people_of_role};
use eframe::egui;
use egui_extras::{Column, TableBuilder};
use std::sync::{Arc, Mutex};

/// What of Identity Center is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeopleRef {
    /// The instance and its counts.
    Overview,
    /// A person (index in `IdentityCenter::users`).
    Person(u32),
    /// A group.
    Group(u32),
    /// A permission set.
    PermissionSet(u32),
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Selection {
    sel: PeopleRef,
    /// The app's selection when this one was made.
    at: Option<EntityRef>,
    /// The model it belongs to ([`Model::generation`]).
    model: u64,
    /// `at` is known (false when chosen outside the explorer: bound to the selection on first show).
    bound: bool,
}

fn sel_id() -> egui::Id {
    egui::Id::unique("iam-atlas-identity-center-selection")
}

fn model_key(model: &Model) -> u64 {
    model.generation()
}

/// Show `sel` in the central panel (until the app's selection changes).
pub fn select(ctx: &egui::Context, model: &Model, sel: PeopleRef, at: Option<EntityRef>) {
    ctx.data_mut(|d| {
        d.insert_temp(
            sel_id(),
            Selection {
                sel,
                at,
                model: model_key(model),
                bound: true,
            },
        )
    });
}

/// The Identity Center selection in force, if any.
pub fn current(
    ctx: &egui::Context,
    model: &Model,
    selected: Option<EntityRef>,
) -> Option<PeopleRef> {
    let s: Selection = ctx.data(|d| d.get_temp(sel_id()))?;
    if s.model != model_key(model) {
        return None;
    }
    if !s.bound {
        select(ctx, model, s.sel, selected);
        return Some(s.sel);
    }
    (s.at == selected).then_some(s.sel)
}

/// Show `sel` from a view that does not know the app's selection (the evaluator): bound on first show.
fn select_unbound(ctx: &egui::Context, model: &Model, sel: PeopleRef) {
    ctx.data_mut(|d| {
        d.insert_temp(
            sel_id(),
            Selection {
                sel,
                at: None,
                model: model_key(model),
                bound: false,
            },
        )
    });
}

fn clear(ctx: &egui::Context) {
    ctx.data_mut(|d| d.remove::<Selection>(sel_id()));
}

fn matches(filter: &str, texts: &[&str]) -> bool {
    let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
    words
        .iter()
        .all(|w| texts.iter().any(|t| t.to_lowercase().contains(w.as_str())))
}

/// The explorer's Identity Center section: people, groups, permission sets (filtered by the explorer's words).
pub fn explorer_section(
    ui: &mut egui::Ui,
    model: &Model,
    filter: &str,
    selected: Option<EntityRef>,
) {
    let Some(ic) = &model.identity_center else {
        return;
    };
    let now = current(ui.ctx(), model, selected);
    let filtering = !filter.trim().is_empty();
    let header = egui::CollapsingHeader::new("IAM Identity Center")
        .id_salt("identity-center")
        .default_open(true);
    let header = if filtering {
        header.open(Some(true))
    } else {
        header
    };
    header.show(ui, |ui| {
        if ui
            .selectable_label(now == Some(PeopleRef::Overview), "Overview")
            .clicked()
        {
            select(ui.ctx(), model, PeopleRef::Overview, selected);
        }
        let people: Vec<(u32, String)> = ic
            .users
            .iter()
            .enumerate()
            .filter(|(_, u)| {
                let mut t: Vec<&str> = vec![&u.user_name, u.display_name.as_deref().unwrap_or("")];
                t.extend(u.emails.iter().map(String::as_str));
                matches(filter, &t)
            })
            .map(|(i, u)| (i as u32, u.user_name.to_string()))
            .collect();
        list(
            ui,
            model,
            "People",
            "ic-people",
            &people,
            ic.users.len(),
            filtering,
            now,
            selected,
            PeopleRef::Person,
        );
        let groups: Vec<(u32, String)> = ic
            .groups
            .iter()
            .enumerate()
            .filter(|(_, g)| matches(filter, &[&g.name, g.description.as_deref().unwrap_or("")]))
            .map(|(i, g)| (i as u32, format!("{} ({})", g.name, g.members.len())))
            .collect();
        list(
            ui,
            model,
            "Groups",
            "ic-groups",
            &groups,
            ic.groups.len(),
            filtering,
            now,
            selected,
            PeopleRef::Group,
        );
        let sets: Vec<(u32, String)> = ic
            .permission_sets
            .iter()
            .enumerate()
            .filter(|(_, p)| matches(filter, &[&p.name, &p.arn]))
            .map(|(i, p)| (i as u32, p.name.to_string()))
            .collect();
        list(
            ui,
            model,
            "Permission sets",
            "ic-sets",
            &sets,
            ic.permission_sets.len(),
            filtering,
            now,
            selected,
            PeopleRef::PermissionSet,
        );
    });
}

#[allow(clippy::too_many_arguments)]
fn list(
    ui: &mut egui::Ui,
    model: &Model,
    title: &str,
    salt: &str,
    rows: &[(u32, String)],
    total: usize,
    filtering: bool,
    now: Option<PeopleRef>,
    selected: Option<EntityRef>,
    make: fn(u32) -> PeopleRef,
) {
    let title = if filtering {
        format!("{title} ({} of {total})", rows.len())
    } else {
        format!("{title} ({total})")
    };
    let header = egui::CollapsingHeader::new(title)
        .id_salt(salt)
        .default_open(salt == "ic-people");
    let header = if filtering {
        header.open(Some(!rows.is_empty()))
    } else {
        header
    };
    header.show(ui, |ui| {
        for (i, label) in rows.iter().take(300) {
            let r = make(*i);
            if ui.selectable_label(now == Some(r), label).clicked() {
                select(ui.ctx(), model, r, selected);
            }
        }
        if rows.len() > 300 {
            ui.weak(format!("… {} more: type in the filter", rows.len() - 300));
        }
    });
}

fn fact(ui: &mut egui::Ui, key: &str, value: impl Into<egui::WidgetText>) {
    ui.label(egui::RichText::new(key).strong());
    ui.label(value);
    ui.end_row();
}

fn role_link(
    ui: &mut egui::Ui,
    model: &Model,
    role: Option<EntityRef>,
    commands: &mut Vec<Command>,
) {
    match role {
        Some(r) => {
            let (name, arn) = model.describe(r);
            if ui.link(name).on_hover_text(arn).clicked() {
                clear(ui.ctx());
                commands.push(Command::Select(r));
            }
        }
        None => {
            ui.colored_label(ui.visuals().warn_fg_color, "not loaded");
        }
    }
}

/// The page of the Identity Center selection in the central panel; false when there is none (the caller then
/// shows its own).
pub fn page(
    ui: &mut egui::Ui,
    model: &Arc<Model>,
    selected: Option<EntityRef>,
    commands: &mut Vec<Command>,
) -> bool {
    let Some(ic) = &model.identity_center else {
        return false;
    };
    let Some(sel) = current(ui.ctx(), model, selected) else {
        return false;
    };
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| match sel {
            PeopleRef::Overview => overview(ui, model, ic, selected),
            PeopleRef::Person(u) => person(ui, model, ic, u, selected, commands),
            PeopleRef::Group(g) => group(ui, model, ic, g, selected),
            PeopleRef::PermissionSet(p) => permission_set(ui, model, ic, p, selected, commands),
        });
    true
}

fn overview(ui: &mut egui::Ui, model: &Model, ic: &IdentityCenter, selected: Option<EntityRef>) {
    ui.heading("IAM Identity Center");
    egui::Grid::new("ic-overview").show(ui, |ui| {
        fact(
            ui,
            "Instance",
            ic.instance_arn.as_deref().unwrap_or("not listed"),
        );
        fact(
            ui,
            "Identity store",
            ic.identity_store_id.as_deref().unwrap_or("unknown"),
        );
        if let Some(o) = &ic.owner_account {
            fact(ui, "Owner account", &**o);
        }
        fact(ui, "People", ic.users.len().to_string());
        fact(ui, "Groups", ic.groups.len().to_string());
        fact(ui, "Permission sets", ic.permission_sets.len().to_string());
        fact(ui, "Assignments", ic.assignments.len().to_string());
    });
    ui.separator();
    ui.label(egui::RichText::new("Assignments").strong());
    assignments_grid(ui, model, ic, "ic-all-assignments", |_| true, selected);
}

fn assignments_grid(
    ui: &mut egui::Ui,
    model: &Model,
    ic: &IdentityCenter,
    id: &str,
    keep: impl Fn(&crate::account::identity_center::Assignment) -> bool,
    selected: Option<EntityRef>,
) {
    egui::Grid::new(id).striped(true).show(ui, |ui| {
        for h in ["Account", "Permission set", "Assigned to", "Role"] {
            ui.label(egui::RichText::new(h).strong());
        }
        ui.end_row();
        for a in ic.assignments.iter().filter(|a| keep(a)) {
            ui.label(
                model
                    .account(&a.account)
                    .map_or_else(|| a.account.to_string(), |x| x.label()),
            );
            match a
                .permission_set
                .and_then(|p| ic.permission_sets.get(p as usize).map(|s| (p, s)))
            {
                Some((p, s)) => {
                    if ui.link(&*s.name).clicked() {
                        select(ui.ctx(), model, PeopleRef::PermissionSet(p), selected);
                    }
                }
                None => {
                    ui.label(&*a.permission_set_arn);
                }
            }
            match a.to {
                AssignedTo::User(u) => {
                    if ui.link(format!("user {}", ic.user_label(u))).clicked() {
                        select(ui.ctx(), model, PeopleRef::Person(u), selected);
                    }
                }
                AssignedTo::Group(g) => {
                    let name = ic.groups.get(g as usize).map_or("?", |g| &*g.name);
                    if ui.link(format!("group {name}")).clicked() {
                        select(ui.ctx(), model, PeopleRef::Group(g), selected);
                    }
                }
                AssignedTo::Unknown => {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        format!(
                            "unknown {} {}",
                            a.principal_type.to_ascii_lowercase(),
                            a.principal_id
                        ),
                    );
                }
            }
            ui.label(
                a.role
                    .map_or_else(|| "not loaded".to_string(), |r| model.describe(r).0),
            );
            ui.end_row();
        }
    });
}

/// A person's access: computed on the runner for (model generation, person), the last answer kept.
#[derive(Default)]
struct Access {
    task: super::tasks::Slot<(u64, u32), Vec<PersonAccess>>,
    done: Option<((u64, u32), AccessAnswer)>,
}

/// What a person's roles may do, or why it is not known.
type AccessAnswer = Result<Arc<Vec<PersonAccess>>, String>;

/// The one [`Access`] of the GUI (people's pages are drawn from egui's memory, like their selection).
type AccessState = Arc<Mutex<Access>>;

/// What the person's roles may do (`None` while it is computed, with the task's progress), computed once per
/// (model, person) on the runner; the answer for another person or model is dropped.
fn access(
    ui: &egui::Ui,
    model: &Arc<Model>,
    user: u32,
) -> Result<AccessAnswer, Option<super::tasks::Progress>> {
    let id = egui::Id::unique("ic-access");
    let state: AccessState = ui
        .ctx()
        .data_mut(|d| d.get_temp_mut_or_default::<AccessState>(id).clone());
    let Ok(mut a) = state.lock() else {
        return Ok(Err("the access computation is unavailable".into()));
    };
    let key = (model_key(model), user);
    if let Some((k, r)) = a.task.poll(|k| *k == key) {
        a.done = Some((k, r.map(Arc::new).map_err(|e| e.to_string())));
    }
    if let Some((_, r)) = a.done.as_ref().filter(|(k, _)| *k == key) {
        return Ok(r.clone());
    }
    if !a.task.is_running(&key) {
        let m = model.clone();
        let paths = paths_of(model, user).len();
        a.task
            .start(ui.ctx(), "person's access", key, move |report| {
                report.progress(None, format!("evaluating what {paths} role(s) may do…"));
                access_of(&m, user, &mut AccessCache::default())
            });
    }
    Err(a.task.progress())
}

fn person(
    ui: &mut egui::Ui,
    model: &Arc<Model>,
    ic: &IdentityCenter,
    user: u32,
    selected: Option<EntityRef>,
    commands: &mut Vec<Command>,
) {
    let Some(u) = ic.users.get(user as usize) else {
        return;
    };
    ui.heading(format!("Person {}", u.user_name));
    egui::Grid::new("ic-person").show(ui, |ui| {
        if let Some(d) = &u.display_name {
            fact(ui, "Name", d);
        }
        if !u.emails.is_empty() {
            fact(ui, "E-mail", u.emails.join(", "));
        }
        fact(ui, "User id", &*u.id);
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(egui::RichText::new("Groups").strong());
        if u.groups.is_empty() {
            ui.weak("none");
        }
        for &g in &u.groups {
            if let Some(grp) = ic.groups.get(g as usize)
                && ui.link(&*grp.name).clicked()
            {
                select(ui.ctx(), model, PeopleRef::Group(g), selected);
            }
        }
    });
    ui.separator();
    let paths = paths_of(model, user);
    let accounts: std::collections::BTreeSet<&str> =
        paths.iter().map(|p| p.account.as_str()).collect();
    ui.label(
        egui::RichText::new(format!(
            "Can use {} role{} in {} account{}",
            paths.len(),
            if paths.len() == 1 { "" } else { "s" },
            accounts.len(),
            if accounts.len() == 1 { "" } else { "s" }
        ))
        .strong(),
    );
    let access = match access(ui, model, user) {
        Ok(Ok(a)) => Some(a),
        Ok(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            None
        }
        Err(progress) => {
            super::tasks::running_ui(ui, "evaluating what each role may do…", progress.as_ref());
            None
        }
    };
    // A table whose last column takes what is left and clips (full text on hover): the role names of Identity
    // Center are long, and at 1280 px a grid pushed "May do" off the page.
    let row_h = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    ui.push_id("ic-person-access", |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .vscroll(false)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::auto())
            .column(Column::auto())
            .column(Column::auto())
            .column(
                Column::initial(230.0)
                    .at_least(100.0)
                    .clip(true)
                    .resizable(true),
            )
            .column(Column::remainder().at_least(140.0).clip(true))
            .header(row_h, |mut h| {
                for t in ["Account", "Permission set", "Through", "Role", "May do"] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|mut body| {
                for (i, p) in paths.iter().enumerate() {
                    body.row(row_h, |mut row| {
                        row.col(|ui| {
                            ui.label(format!("{} ({})", p.account_label, p.account));
                        });
                        row.col(|ui| match ic.permission_set(&p.permission_set) {
                            Some(s) => {
                                if ui.link(&p.permission_set).clicked() {
                                    select(ui.ctx(), model, PeopleRef::PermissionSet(s), selected);
                                }
                            }
                            None => {
                                ui.label(&p.permission_set);
                            }
                        });
                        row.col(|ui| {
                            ui.label(&p.via);
                        });
                        row.col(|ui| role_link(ui, model, p.role_entity, commands));
                        row.col(|ui| match access.as_ref().and_then(|a| a.get(i)) {
                            Some(a) => access_cell(ui, &a.access),
                            // The spinner above the table says it is being computed.
                            None => {
                                ui.weak("evaluating…");
                            }
                        });
                    });
                }
            });
    });
}

/// What a path allows, in a table cell: the short form (the services and conditions on hover); an unknown
/// answer as the typed verdict with its reason on hover, never a text prefix.
fn access_cell(ui: &mut egui::Ui, access: &crate::eval::people::AccessSummary) {
    use crate::eval::people::AccessSummary;
    let warn = ui.visuals().warn_fg_color;
    match access {
        AccessSummary::Unknown { why } => {
            unknown_badge(ui).on_hover_text(why.as_str());
            ui.label(why.as_str()).on_hover_text(why.as_str());
        }
        a if a.is_admin() => {
            ui.colored_label(warn, a.short()).on_hover_text(a.line());
        }
        a => {
            ui.label(a.short()).on_hover_text(a.line());
        }
    }
}

/// The "unknown" verdict as the evaluator shows it.
fn unknown_badge(ui: &mut egui::Ui) -> egui::Response {
    ui.colored_label(
        ui.visuals().warn_fg_color,
        egui::RichText::new("unknown").strong(),
    )
    .on_hover_text("Unknown: something this answer depends on was not loaded or not read")
}

/// A gap in what is known, as a row: the typed verdict, then why.
fn unknown_row(ui: &mut egui::Ui, why: &str) {
    ui.horizontal_wrapped(|ui| {
        unknown_badge(ui);
        ui.label(why);
    });
}

fn group(
    ui: &mut egui::Ui,
    model: &Model,
    ic: &IdentityCenter,
    g: u32,
    selected: Option<EntityRef>,
) {
    let Some(grp) = ic.groups.get(g as usize) else {
        return;
    };
    ui.heading(format!("Group {}", grp.name));
    egui::Grid::new("ic-group").show(ui, |ui| {
        if let Some(d) = &grp.description {
            fact(ui, "Description", d);
        }
        fact(ui, "Group id", &*grp.id);
    });
    ui.label(egui::RichText::new("Members").strong());
    if !grp.members_known {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "unknown: no list-group-memberships file was loaded for this group",
        );
    }
    ui.horizontal_wrapped(|ui| {
        for &m in &grp.members {
            if ui.link(ic.user_label(m)).clicked() {
                select(ui.ctx(), model, PeopleRef::Person(m), selected);
            }
        }
    });
    ui.separator();
    ui.label(egui::RichText::new("Assignments").strong());
    assignments_grid(
        ui,
        model,
        ic,
        "ic-group-assignments",
        |a| a.to == AssignedTo::Group(g),
        selected,
    );
}

fn permission_set(
    ui: &mut egui::Ui,
    model: &Model,
    ic: &IdentityCenter,
    p: u32,
    selected: Option<EntityRef>,
    commands: &mut Vec<Command>,
) {
    let Some(s) = ic.permission_sets.get(p as usize) else {
        return;
    };
    ui.heading(format!("Permission set {}", s.name));
    egui::Grid::new("ic-set").show(ui, |ui| {
        fact(ui, "ARN", &*s.arn);
        if let Some(d) = &s.description {
            fact(ui, "Description", d);
        }
        fact(
            ui,
            "Session duration",
            match (&s.session_duration_text, s.session_duration) {
                (Some(t), Some(secs)) => format!("{t} ({} h)", secs as f32 / 3600.0),
                _ => "not set (one hour)".into(),
            },
        );
        if let Some(r) = &s.relay_state {
            fact(ui, "Relay state", r);
        }
        fact(ui, "Described in", &s.file);
    });
    ui.label(egui::RichText::new("AWS-managed policies").strong());
    match &s.managed {
        None => {
            ui.weak("not loaded");
        }
        Some(l) if l.is_empty() => {
            ui.weak("none");
        }
        Some(l) => {
            for m in l {
                match model.by_arn(&m.arn) {
                    Some(r) => {
                        if ui.link(&m.name).on_hover_text(&m.arn).clicked() {
                            clear(ui.ctx());
                            commands.push(Command::Select(r));
                        }
                    }
                    None => {
                        ui.label(&m.name).on_hover_text(&m.arn);
                    }
                }
            }
        }
    }
    ui.label(egui::RichText::new("Customer-managed policy references").strong());
    match &s.customer_managed {
        None => {
            ui.weak("not loaded");
        }
        Some(l) if l.is_empty() => {
            ui.weak("none");
        }
        Some(l) => {
            for r in l {
                ui.label(format!("{}{}", r.path, r.name));
            }
        }
    }
    ui.label(egui::RichText::new("Permissions boundary").strong());
    ui.label(match &s.boundary {
        None => "not loaded".to_string(),
        Some(None) => "none".to_string(),
        Some(Some(PermissionSetBoundary::Managed(a))) => a.clone(),
        Some(Some(PermissionSetBoundary::CustomerManaged(r))) => {
            format!("customer-managed {}{}", r.path, r.name)
        }
    });
    ui.label(egui::RichText::new("Inline policy").strong());
    match (&s.inline, s.inline_known) {
        (Some(doc), _) => {
            let text = doc.text(model);
            let theme = egui_extras::syntax_highlighting::CodeTheme::from_style(ui.style());
            egui_extras::syntax_highlighting::code_view_ui(ui, &theme, &text, "json");
        }
        (None, true) => {
            ui.weak("none");
        }
        (None, false) => {
            ui.weak("not loaded");
        }
    }
    ui.separator();
    ui.label(egui::RichText::new("Assignments and provisioned roles").strong());
    ui.weak("What people may do is what the evaluator says of the role in each account.");
    assignments_grid(
        ui,
        model,
        ic,
        "ic-set-assignments",
        |a| a.permission_set == Some(p),
        selected,
    );
}

/// In an SSO role's details: the people who can act as it, each with its path.
pub fn role_people(ui: &mut egui::Ui, model: &Model, role: EntityRef) {
    if role.kind != EntityKind::Role || model.identity_center.is_none() {
        return;
    }
    let (people, gaps) = people_of_role(model, role);
    if people.is_empty() && gaps.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!(
        "People who can act as this role ({})",
        people.len()
    ))
    .id_salt("role-people")
    .default_open(true)
    .show(ui, |ui| {
        for p in &people {
            // The default fonts have no arrow glyph.
            if ui.link(p.label().replace('→', "->")).clicked() {
                select(ui.ctx(), model, PeopleRef::Person(p.user), Some(role));
            }
        }
        for g in &gaps {
            unknown_row(ui, g);
        }
    });
}

/// Under the evaluator's who-can table: the people behind its Identity Center roles, each with its path; a
/// toggle hides them (roles only).
pub fn who_can_people_ui(
    ui: &mut egui::Ui,
    model: &Model,
    w: &crate::eval::reverse::WhoCan,
    commands: &mut Vec<Command>,
) {
    if model.identity_center.is_none() {
        return;
    }
    let id = egui::Id::unique("who-can-roles-only");
    let mut roles_only = ui.ctx().data(|d| d.get_temp::<bool>(id)).unwrap_or(false);
    ui.separator();
    if ui
        .checkbox(
            &mut roles_only,
            "Roles only (hide the people behind IAM Identity Center roles)",
        )
        .changed()
    {
        ui.ctx().data_mut(|d| d.insert_temp(id, roles_only));
    }
    if roles_only {
        return;
    }
    let p = crate::eval::people::who_can_people(model, w);
    let people: std::collections::BTreeSet<&str> =
        p.people.iter().map(|x| x.path.person.as_str()).collect();
    ui.label(
        egui::RichText::new(format!(
            "{} through IAM Identity Center ({})",
            if people.len() == 1 {
                "1 person".to_string()
            } else {
                format!("{} people", people.len())
            },
            super::plural(p.people.len(), "path")
        ))
        .strong(),
    );
    egui::ScrollArea::vertical()
        .id_salt("who-can-people")
        .max_height(220.0)
        .show(ui, |ui| {
            for x in p.people.iter().take(2000) {
                // Wrapped: the conditions are shown whole, however long.
                ui.horizontal_wrapped(|ui| {
                    // The default fonts have no arrow glyph.
                    if ui.link(x.label.replace('→', "->")).clicked() {
                        select_unbound(ui.ctx(), model, PeopleRef::Person(x.path.user));
                        commands.push(Command::SetView(super::View::Explorer));
                    }
                    ui.weak(match x.outcome {
                        crate::eval::reverse::Outcome::AllowedAlways => "always".to_string(),
                        crate::eval::reverse::Outcome::AllowedIf => {
                            format!("if {}", x.conditions.join(" and "))
                        }
                        crate::eval::reverse::Outcome::Unknown => "unknown".to_string(),
                    });
                });
            }
            if p.people.len() > 2000 {
                ui.weak(format!("… {} more paths", p.people.len() - 2000));
            }
            for u in &p.unknown {
                unknown_row(ui, u);
            }
        });
}
