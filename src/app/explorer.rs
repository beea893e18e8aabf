//! The side panel: accounts → entity kinds → entities, with counts and a filter box (substring and fuzzy
//! matching on name, ARN, path and tags: `crate::search`).
//!
//! The filtered rows are computed once per (model, filter) and kept in egui's memory, so a frame with 25,000
//! roles costs only the rows that are drawn.

use super::Command;
use crate::account::{EntityKind, EntityRef, Model, OrgPolicyKind};
use crate::search::{Query, entity_texts};
use eframe::egui;
use std::sync::Arc;

/// At most this many rows per list are drawn; the filter narrows the rest.
/// More accounts than this open collapsed.
const MANY_ACCOUNTS: usize = 12;
/// Entities drawn in one frame, over all accounts.
const MAX_FRAME_ROWS: usize = 2_000;
const MAX_ROWS: usize = 300;

const KINDS: [EntityKind; 7] = EntityKind::IN_ACCOUNT;

/// Rows that pass the filter, per account and kind.
#[derive(Default)]
struct Rows {
    /// (model generation, filter text) they were computed for.
    key: (u64, String),
    /// Per account, per kind (in `KINDS` order): (index, name) of the matching entities.
    accounts: Vec<Vec<Vec<(u32, String)>>>,
    /// Matching organisation policies: (index, label).
    org: Vec<(u32, String)>,
}

fn compute(model: &Model, filter: &str) -> Rows {
    let q = Query::new(filter);
    let accounts = model
        .accounts
        .iter()
        .enumerate()
        .map(|(ai, account)| {
            KINDS
                .iter()
                .map(|&kind| {
                    (0..account.count(kind) as u32)
                        .filter_map(|index| {
                            let r = EntityRef {
                                account: ai as u32,
                                kind,
                                index,
                            };
                            let (name, others) = entity_texts(model, r);
                            let refs: Vec<&str> = others.iter().map(String::as_str).collect();
                            q.matches(&name, &refs).then_some((index, name))
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let org = model
        .org_policies
        .iter()
        .enumerate()
        .filter(|(_, p)| q.matches(&p.name, &[p.arn.as_deref().unwrap_or("")]))
        .map(|(i, p)| {
            let kind = if p.kind == OrgPolicyKind::Scp {
                "SCP"
            } else {
                "RCP"
            };
            (i as u32, format!("{kind} {}", p.name))
        })
        .collect();
    Rows {
        key: (model.generation(), filter.to_string()),
        accounts,
        org,
    }
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
                .hint_text("name, ARN, path, tag=value…")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    });
    ui.separator();
    let cache_id = egui::Id::unique("explorer_rows");
    let key = (model.generation(), filter.clone());
    let rows: Arc<Rows> = match ui.data(|d| d.get_temp::<Arc<Rows>>(cache_id)) {
        Some(r) if r.key == key => r,
        _ => {
            let r = Arc::new(compute(model, filter));
            ui.data_mut(|d| d.insert_temp(cache_id, r.clone()));
            r
        }
    };
    let filtering = !filter.trim().is_empty();
    // An organisation of many accounts opens collapsed, and a frame draws at most `MAX_FRAME_ROWS` entities
    // (egui lays out all it is given, seen or not: 1,000 open accounts took 116 ms a frame).
    let many = model.accounts.len() > MANY_ACCOUNTS;
    let mut budget = MAX_FRAME_ROWS;
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            for (ai, account) in model.accounts.iter().enumerate() {
                let Some(per_kind) = rows.accounts.get(ai) else {
                    continue;
                };
                let matches = per_kind.iter().any(|k| !k.is_empty());
                if filtering && many && !matches {
                    continue;
                }
                let header = egui::CollapsingHeader::new(account.label())
                    .id_salt(("account", ai))
                    .default_open(!many);
                let header = if filtering && many {
                    header.open(Some(budget > 0))
                } else {
                    header
                };
                header.show(ui, |ui| {
                    for (ki, &kind) in KINDS.iter().enumerate() {
                        let total = account.count(kind);
                        let matching = per_kind.get(ki).map(Vec::as_slice).unwrap_or(&[]);
                        let title = if filtering {
                            format!(
                                "{} ({} of {total})",
                                capitalise(kind.plural()),
                                matching.len()
                            )
                        } else {
                            format!("{} ({total})", capitalise(kind.plural()))
                        };
                        let header = egui::CollapsingHeader::new(title)
                            .id_salt(("kind", ai, kind as u8))
                            .default_open(kind == EntityKind::User);
                        let header = if filtering {
                            header.open(Some(!matching.is_empty()))
                        } else {
                            header
                        };
                        header.show(ui, |ui| {
                            let take = MAX_ROWS.min(budget);
                            budget -= take.min(matching.len());
                            for (index, name) in matching.iter().take(take) {
                                let r = EntityRef {
                                    account: ai as u32,
                                    kind,
                                    index: *index,
                                };
                                if ui.selectable_label(selected == Some(r), name).clicked() {
                                    commands.push(Command::Select(r));
                                }
                            }
                            if matching.len() > take {
                                ui.weak(format!(
                                    "… {} more: type in the filter",
                                    matching.len() - take
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
                    for (i, label) in &rows.org {
                        let r = EntityRef {
                            account: u32::MAX,
                            kind: EntityKind::OrgPolicy,
                            index: *i,
                        };
                        if ui.selectable_label(selected == Some(r), label).clicked() {
                            commands.push(Command::Select(r));
                        }
                    }
                });
            }
            super::people::explorer_section(ui, model, filter, selected);
        });
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
