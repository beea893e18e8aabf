//! The side panel: accounts → entity kinds → entities, with counts and a filter box.

use super::Command;
use crate::account::{EntityKind, EntityRef, Model};
use eframe::egui;

/// At most this many rows per list are drawn; the filter narrows the rest.
const MAX_ROWS: usize = 300;

/// Whether `filter` (lowercased words) matches `name` or `arn`: every word must occur in one of them.
pub fn matches(filter: &str, name: &str, arn: &str) -> bool {
    if filter.is_empty() {
        return true;
    }
    let name = name.to_lowercase();
    let arn = arn.to_lowercase();
    filter
        .split_whitespace()
        .all(|w| name.contains(w) || arn.contains(w))
}

/// Draw the explorer.
pub fn ui(
    ui: &mut egui::Ui,
    model: &Model,
    filter: &mut String,
    selected: Option<EntityRef>,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(filter)
                .hint_text("name, ARN, path…")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    });
    ui.separator();
    let f = filter.to_lowercase();
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            for (ai, account) in model.accounts.iter().enumerate() {
                egui::CollapsingHeader::new(account.label())
                    .id_salt(("account", ai))
                    .default_open(true)
                    .show(ui, |ui| {
                        for kind in [
                            EntityKind::User,
                            EntityKind::Group,
                            EntityKind::Role,
                            EntityKind::Policy,
                            EntityKind::InstanceProfile,
                            EntityKind::IdentityProvider,
                            EntityKind::ResourcePolicy,
                        ] {
                            let total = account.count(kind);
                            let rows: Vec<(u32, String)> = (0..total as u32)
                                .filter_map(|index| {
                                    let r = EntityRef {
                                        account: ai as u32,
                                        kind,
                                        index,
                                    };
                                    let (name, arn) = model.describe(r);
                                    matches(&f, &name, &arn).then_some((index, name))
                                })
                                .collect();
                            let title = if f.is_empty() {
                                format!("{} ({total})", capitalise(kind.plural()))
                            } else {
                                format!("{} ({} of {total})", capitalise(kind.plural()), rows.len())
                            };
                            let header = egui::CollapsingHeader::new(title)
                                .id_salt(("kind", ai, kind as u8))
                                .default_open(kind == EntityKind::User);
                            let header = if !f.is_empty() {
                                header.open(Some(!rows.is_empty()))
                            } else {
                                header
                            };
                            header.show(ui, |ui| {
                                for (index, name) in rows.iter().take(MAX_ROWS) {
                                    let r = EntityRef {
                                        account: ai as u32,
                                        kind,
                                        index: *index,
                                    };
                                    if ui.selectable_label(selected == Some(r), name).clicked() {
                                        commands.push(Command::Select(r));
                                    }
                                }
                                if rows.len() > MAX_ROWS {
                                    ui.weak(format!(
                                        "… {} more: type in the filter",
                                        rows.len() - MAX_ROWS
                                    ));
                                }
                            });
                        }
                    });
            }
            if !model.org_policies.is_empty() {
                egui::CollapsingHeader::new(format!(
                    "Organisation policies ({})",
                    model.org_policies.len()
                ))
                .default_open(false)
                .show(ui, |ui| {
                    for (i, p) in model.org_policies.iter().enumerate() {
                        let r = EntityRef {
                            account: u32::MAX,
                            kind: EntityKind::OrgPolicy,
                            index: i as u32,
                        };
                        let kind = if p.kind == crate::account::OrgPolicyKind::Scp {
                            "SCP"
                        } else {
                            "RCP"
                        };
                        if matches(&f, &p.name, p.arn.as_deref().unwrap_or(""))
                            && ui
                                .selectable_label(selected == Some(r), format!("{kind} {}", p.name))
                                .clicked()
                        {
                            commands.push(Command::Select(r));
                        }
                    }
                });
            }
        });
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_needs_every_word() {
        assert!(matches("", "x", "y"));
        assert!(matches("ali", "alice", "arn:aws:iam::1:user/alice"));
        assert!(matches("alice user/", "alice", "arn:aws:iam::1:user/alice"));
        assert!(!matches(
            "alice role/",
            "alice",
            "arn:aws:iam::1:user/alice"
        ));
    }
}
