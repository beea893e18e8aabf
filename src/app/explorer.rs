//! The side panel: accounts → entity kinds → entities, with counts and a filter box (substring and fuzzy
//! matching on name, ARN, path and tags: `crate::search`).
//!
//! The filtered rows are computed once per (model, filter) and kept in egui's memory, so a frame with 25,000
//! roles costs only the rows that are drawn.

use super::Command;
use crate::account::{EntityKind, EntityRef, Model, OrgPolicyKind};
use crate::search::{Haystack, Query, narrows};
use eframe::egui;
use std::sync::{Arc, Mutex};

/// At most this many rows per list are drawn; the filter narrows the rest.
/// More accounts than this open collapsed.
const MANY_ACCOUNTS: usize = 12;
/// Entities drawn in one frame, over all accounts.
const MAX_FRAME_ROWS: usize = 500;
const MAX_ROWS: usize = 300;

const KINDS: [EntityKind; 7] = EntityKind::IN_ACCOUNT;

/// Rows that pass the filter, per account and kind.
#[derive(Default)]
struct Rows {
    /// (model generation, filter text) they were computed for.
    key: (u64, String),
    /// Per account, per kind (in `KINDS` order): the indexes of the matching entities (their names are looked up
    /// when drawn: a frame draws at most `MAX_FRAME_ROWS`, an organisation has hundreds of thousands).
    accounts: Vec<Vec<Vec<u32>>>,
    /// Matching organisation policies: (index, label).
    org: Vec<(u32, String)>,
}

/// Filtering an organisation reads hundreds of thousands of entities' texts (the first filter lowercases them,
/// 0.5 s for 1,000 accounts; each key after it, tens of milliseconds): above this many entities it runs on a
/// thread of its own, and frames show the last rows meanwhile, so typing never waits.
const BACKGROUND_ENTITIES: usize = 50_000;

/// Where a filter computed on a thread leaves its rows (and the texts it read).
type Answer = Arc<Mutex<Option<(Rows, Arc<Haystack>)>>>;

/// The explorer's filtering state, kept across frames: the last rows, the texts, the filter being computed.
#[derive(Default)]
struct Filtering {
    rows: Option<Arc<Rows>>,
    hay: Option<Arc<Haystack>>,
    /// The key being computed on a thread, and where its answer lands.
    pending: Option<((u64, String), Answer)>,
    /// A thread could not start: filter on this one.
    no_threads: bool,
    /// Models of more entities than this are filtered on a thread (`None`: [`BACKGROUND_ENTITIES`]).
    background_above: Option<usize>,
}

impl Filtering {
    /// The rows to draw for `key` (model generation, filter), and whether newer ones are being computed.
    fn rows_for(
        &mut self,
        ctx: &egui::Context,
        model: &Arc<Model>,
        key: (u64, String),
    ) -> (Arc<Rows>, bool) {
        // A finished answer.
        if let Some((_, slot)) = &self.pending
            && let Some((rows, hay)) = slot.lock().ok().and_then(|mut s| s.take())
        {
            self.rows = Some(Arc::new(rows));
            self.hay = Some(hay);
            self.pending = None;
        }
        if let Some(r) = &self.rows
            && r.key == key
        {
            return (r.clone(), false);
        }
        let filter = key.1.clone();
        // Typing on narrows the rows shown.
        let within = self
            .rows
            .clone()
            .filter(|b| b.key.0 == key.0 && narrows(&b.key.1, &filter));
        let hay = self.hay.clone().filter(|h| h.generation() == key.0);
        let entities: usize = model
            .accounts
            .iter()
            .flat_map(|a| KINDS.iter().map(|&k| a.count(k)))
            .sum();
        // Nothing typed costs nothing; a small model is filtered at once (and so is any when no thread starts).
        let above = self.background_above.unwrap_or(BACKGROUND_ENTITIES);
        if filter.trim().is_empty() || entities <= above || self.no_threads {
            let hay = match hay {
                _ if filter.trim().is_empty() => None,
                Some(h) => Some(h),
                None => Some(Arc::new(Haystack::of(model))),
            };
            let rows = Arc::new(compute(model, &filter, hay.as_deref(), within.as_deref()));
            self.rows = Some(rows.clone());
            if hay.is_some() {
                self.hay = hay;
            }
            return (rows, false);
        }
        // One filter at a time: the next starts when it is done, from its rows (typing on narrows them).
        if self.pending.is_none() {
            let slot = Arc::new(Mutex::new(None));
            self.pending = Some((key.clone(), slot.clone()));
            let (m, repaint) = (model.clone(), ctx.clone());
            let work = move || {
                let hay = hay.unwrap_or_else(|| Arc::new(Haystack::of(&m)));
                let rows = compute(&m, &filter, Some(&hay), within.as_deref());
                if let Ok(mut s) = slot.lock() {
                    *s = Some((rows, hay));
                }
                repaint.request_repaint();
            };
            if std::thread::Builder::new()
                .name("explorer filter".into())
                .spawn(work)
                .is_err()
            {
                self.pending = None;
                self.no_threads = true;
                return self.rows_for(ctx, model, key);
            }
        }
        // Meanwhile the last rows of this model (another model's would name other entities).
        let shown = self
            .rows
            .clone()
            .filter(|r| r.key.0 == key.0)
            .unwrap_or_else(|| Arc::new(compute(model, "", None, None)));
        (shown, true)
    }
}

/// The rows for `filter`. `within`: rows of a filter that `filter` extends ([`narrows`]), so that only they can
/// match.
fn compute(model: &Model, filter: &str, hay: Option<&Haystack>, within: Option<&Rows>) -> Rows {
    let q = Query::new(filter);
    let accounts: Vec<Vec<Vec<u32>>> = match hay {
        // Nothing typed: every entity, without reading its texts.
        _ if q.is_empty() => model
            .accounts
            .iter()
            .map(|a| {
                KINDS
                    .iter()
                    .map(|&k| (0..a.count(k) as u32).collect())
                    .collect()
            })
            .collect(),
        Some(hay) => hay.matching(&q, within.map(|w| w.accounts.as_slice())),
        None => Vec::new(),
    };
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

/// True while the explorer's filter is being computed on a thread (its rows are not yet the filter's).
pub fn filtering(ctx: &egui::Context) -> bool {
    let state_id = egui::Id::unique("explorer_filtering");
    ctx.data(|d| d.get_temp::<Arc<Mutex<Filtering>>>(state_id))
        .is_some_and(|st| st.lock().is_ok_and(|s| s.pending.is_some()))
}

/// Draw the explorer.
pub fn ui(
    ui: &mut egui::Ui,
    model: &Arc<Model>,
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
    let state_id = egui::Id::unique("explorer_filtering");
    let state: Arc<Mutex<Filtering>> = ui.data_mut(|d| {
        d.get_temp_mut_or_default::<Arc<Mutex<Filtering>>>(state_id)
            .clone()
    });
    let key = (model.generation(), filter.clone());
    let (rows, busy) = match state.lock() {
        Ok(mut st) => st.rows_for(ui.ctx(), model, key),
        // A panic while filtering (never expected): every entity, unfiltered.
        Err(_) => (Arc::new(compute(model, "", None, None)), false),
    };
    if busy {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.weak("filtering…");
        });
    }
    // As the rows drawn were filtered (while a newer filter is computed, the last rows are drawn as they were).
    let filtering = !rows.key.1.trim().is_empty();
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
                if filtering && many && budget == 0 {
                    // The frame's rows are drawn: the other matching accounts are counted, not drawn (a header
                    // each cost 40 ms a frame for 1,000 accounts).
                    let more = rows
                        .accounts
                        .iter()
                        .skip(ai)
                        .filter(|k| k.iter().any(|l| !l.is_empty()))
                        .count();
                    ui.weak(format!(
                        "… {more} more accounts match: type more to narrow the list"
                    ));
                    break;
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
                            for &index in matching.iter().take(take) {
                                let r = EntityRef {
                                    account: ai as u32,
                                    kind,
                                    index,
                                };
                                let (name, _) = model.describe(r);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Typing on narrows the rows the last filter kept, and finds exactly what filtering everything finds.
    #[test]
    fn typing_on_finds_what_filtering_everything_finds() {
        let model = crate::sample::load_sample(Default::default()).expect("the sample loads");
        let hay = Haystack::of(&model);
        let count = |r: &Rows| r.accounts.iter().flatten().map(Vec::len).sum::<usize>();
        let all = count(&compute(&model, "", None, None));
        assert!(all > 30, "{all} entities");
        for typed in [
            "dev ops",
            "ADMIN",
            "arn:aws:iam::",
            "team=pay",
            "msilva",
            "role Σ",
            "a b c",
            "deployer",
        ] {
            let mut before: Option<Rows> = None;
            for end in (1..=typed.len()).filter(|&e| typed.is_char_boundary(e)) {
                let filter = &typed[..end];
                let fresh = compute(&model, filter, Some(&hay), None);
                let narrowed = compute(&model, filter, Some(&hay), before.as_ref());
                assert_eq!(narrowed.accounts, fresh.accounts, "{filter:?}");
                assert!(count(&fresh) <= all);
                before = Some(narrowed);
            }
        }
        // On a thread, as an organisation is filtered: the last rows are drawn until the new ones are in, and
        // they are the same rows.
        let model = Arc::new(model);
        let ctx = egui::Context::default();
        let mut st = Filtering {
            background_above: Some(0),
            ..Filtering::default()
        };
        let (empty, busy) = st.rows_for(&ctx, &model, (model.generation(), String::new()));
        assert!(!busy, "nothing typed is filtered at once");
        assert_eq!(count(&empty), all);
        for typed in ["d", "de", "dev", "dev ", "dev o", "admin"] {
            let key = (model.generation(), typed.to_string());
            let (shown, busy) = st.rows_for(&ctx, &model, key.clone());
            if busy {
                assert_ne!(shown.key, key, "{typed}: the last rows, while busy");
            }
            let start = std::time::Instant::now();
            let rows = loop {
                match st.rows_for(&ctx, &model, key.clone()) {
                    (r, false) => break r,
                    (_, true) => {
                        assert!(start.elapsed().as_secs() < 30, "{typed}: never done");
                        std::thread::sleep(std::time::Duration::from_millis(2));
                    }
                }
            };
            assert_eq!(rows.key, key);
            let hay = Haystack::of(&model);
            assert_eq!(
                rows.accounts,
                compute(&model, typed, Some(&hay), None).accounts,
                "{typed}"
            );
        }
        let model = &*model;
        // Something is found, and not everything.
        let admin = count(&compute(model, "admin", Some(&hay), None));
        assert!(admin > 0 && admin < all, "{admin} of {all}");
    }
}
