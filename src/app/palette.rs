//! The command palette (Ctrl+K): jump to any entity by name, fuzzy-matched. Also the recent-files list kept
//! in the platform's config directory.

use super::Command;
use crate::account::{EntityKind, EntityRef, Model};
use eframe::egui;
use std::path::PathBuf;

/// How many results the palette lists.
const RESULTS: usize = 12;

pub use crate::search::fuzzy_score;

/// A search result: the entity, its name and its score.
pub type Hit = (EntityRef, String, i32);

/// Every entity of the model with its name, best matches of `query` first.
pub fn search(model: &Model, query: &str, limit: usize) -> Vec<Hit> {
    let query = query.trim();
    let mut out: Vec<Hit> = Vec::new();
    for (ai, a) in model.accounts.iter().enumerate() {
        for kind in EntityKind::IN_ACCOUNT {
            for index in 0..a.count(kind) as u32 {
                let r = EntityRef {
                    account: ai as u32,
                    kind,
                    index,
                };
                let (name, _) = model.describe(r);
                if let Some(s) = fuzzy_score(query, &name) {
                    out.push((r, name, s));
                }
            }
        }
    }
    for (i, p) in model.org_policies.iter().enumerate() {
        if let Some(s) = fuzzy_score(query, &p.name) {
            let r = EntityRef {
                account: u32::MAX,
                kind: EntityKind::OrgPolicy,
                index: i as u32,
            };
            out.push((r, p.name.to_string(), s));
        }
    }
    out.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then(a.1.len().cmp(&b.1.len()))
            .then(a.1.cmp(&b.1))
    });
    out.truncate(limit);
    out
}

/// How many lessons the palette lists under the entities.
const LESSONS_LISTED: usize = 4;

/// The lessons whose title matches `query`, best first (none for an empty query).
pub fn lesson_hits(query: &str) -> Vec<(&'static crate::lessons::Lesson, i32)> {
    let query = query.trim();
    if query.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<_> = crate::lessons::lessons()
        .iter()
        .filter_map(|l| fuzzy_score(query, l.title).map(|s| (l, s)))
        .collect();
    out.sort_by_key(|x| std::cmp::Reverse(x.1));
    out.truncate(LESSONS_LISTED);
    out
}

/// The palette's state.
#[derive(Default)]
pub struct Palette {
    /// What is typed.
    pub query: String,
    results: Option<(String, Vec<Hit>)>,
    /// The highlighted result (arrow keys move it, Enter picks it).
    cursor: usize,
}

impl Palette {
    /// Draw the palette; returns the commands to run when the user picks an entity.
    pub fn ui(&mut self, ctx: &egui::Context, model: &Model) -> Vec<Command> {
        let mut picked = None;
        let mut lesson = None;
        egui::Window::new("Jump to an entity or a lesson")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 60.0))
            .default_width(460.0)
            .show(ctx, |ui| {
                let label = ui.label("Name");
                // The focus is given before the field reads this frame's events, so that what is typed in the
                // first frame the palette shows arrives.
                let id = egui::Id::unique("palette-query");
                ui.memory_mut(|m| m.request_focus(id));
                ui.add(
                    egui::TextEdit::singleline(&mut self.query)
                        .id(id)
                        .hint_text("a few letters; arrows choose, Enter jumps")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
                let stale = self.results.as_ref().is_none_or(|(q, _)| *q != self.query);
                if stale {
                    self.results = Some((self.query.clone(), search(model, &self.query, RESULTS)));
                    self.cursor = 0;
                }
                let results = self
                    .results
                    .as_ref()
                    .map(|(_, r)| r.as_slice())
                    .unwrap_or(&[]);
                let lessons = lesson_hits(&self.query);
                let total = results.len() + lessons.len();
                let (up, down, enter) = ui.input(|i| {
                    (
                        i.key_pressed(egui::Key::ArrowUp),
                        i.key_pressed(egui::Key::ArrowDown),
                        i.key_pressed(egui::Key::Enter),
                    )
                });
                if down {
                    self.cursor = (self.cursor + 1).min(total.saturating_sub(1));
                }
                if up {
                    self.cursor = self.cursor.saturating_sub(1);
                }
                if enter {
                    match results.get(self.cursor) {
                        Some(hit) => picked = Some(hit.0),
                        None => {
                            lesson = lessons.get(self.cursor - results.len()).map(|(l, _)| l.id)
                        }
                    }
                }
                ui.separator();
                if total == 0 {
                    ui.weak("no match");
                }
                for (i, (r, name, _)) in results.iter().enumerate() {
                    let account = model
                        .accounts
                        .get(r.account as usize)
                        .map(|a| a.label())
                        .unwrap_or_else(|| "organisation".into());
                    ui.horizontal(|ui| {
                        if ui.selectable_label(i == self.cursor, name).clicked() {
                            picked = Some(*r);
                        }
                        ui.weak(format!("{} · {account}", r.kind.noun()));
                    });
                }
                for (i, (l, _)) in lessons.iter().enumerate() {
                    ui.horizontal(|ui| {
                        if ui
                            .selectable_label(results.len() + i == self.cursor, l.title)
                            .clicked()
                        {
                            lesson = Some(l.id);
                        }
                        ui.weak("lesson");
                    });
                }
            });
        match (picked, lesson) {
            (Some(r), _) => vec![Command::Select(r), Command::TogglePalette],
            (None, Some(id)) => vec![Command::OpenLesson(id), Command::TogglePalette],
            (None, None) => Vec::new(),
        }
    }
}

fn recent_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("org", "iam-atlas", "iam-atlas")
        .map(|d| d.config_dir().join("recent.json"))
}

/// The recent-files list from the config directory (empty when there is none or it is unreadable).
pub fn load_recent() -> Vec<PathBuf> {
    recent_path()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Save the recent-files list; failures are ignored (it is a convenience).
pub fn save_recent(list: &[PathBuf]) {
    let Some(path) = recent_path() else { return };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(text) = serde_json::to_string_pretty(list) {
        let _ = crate::files::write_atomic(&path, text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_prefers_substrings_and_word_starts() {
        assert!(fuzzy_score("xyz", "alice").is_none());
        assert!(fuzzy_score("cad", "cross-account-deploy").is_some());
        let exact = fuzzy_score("deploy", "deploy").unwrap_or(0);
        let sub = fuzzy_score("deploy", "cross-account-deploy").unwrap_or(0);
        let scattered = fuzzy_score("deploy", "d-e-p-l-o-y-x").unwrap_or(0);
        assert!(exact > sub && sub > scattered, "{exact} {sub} {scattered}");
    }

    #[test]
    fn search_finds_sample_roles() {
        let m = crate::sample::load_sample(Default::default()).expect("sample");
        let r = search(&m, "cracdep", 5);
        assert!(
            r.iter().any(|(_, n, _)| n == "cross-account-deploy"),
            "{r:?}"
        );
        let r = search(&m, "admin-mfa", 1);
        assert_eq!(r[0].1, "admin-mfa");
    }
}
