//! The Findings view: the review of the loaded model (computed in the background after each load), grouped by
//! category, filterable by text and severity, each finding with its evidence and links to the entity, the
//! evaluator pre-filled with the request that demonstrates it, and the editor at the statement.

use super::Command;
use crate::account::Model;
use crate::eval::suite::NamedRequest;
use crate::review::report::evidence_lines;
use crate::review::{Category, Evidence, Options, Review, Severity, review};
use eframe::egui;
use std::sync::Arc;
use std::sync::mpsc;

/// The view's state.
#[derive(Default)]
pub struct FindingsView {
    /// The review of the model whose address is kept with it.
    pub review: Option<(usize, Arc<Review>)>,
    job: Option<(usize, mpsc::Receiver<Review>)>,
    /// Filter text (code, title, entity).
    pub filter: String,
    /// Findings below this severity are hidden.
    pub min: Option<Severity>,
}

fn key(m: &Arc<Model>) -> usize {
    Arc::as_ptr(m) as usize
}

impl FindingsView {
    /// Start reviewing `model` in the background unless it is reviewed or being reviewed; pick up a finished
    /// review.
    pub fn update(&mut self, ctx: &egui::Context, model: &Arc<Model>) {
        let k = key(model);
        if let Some((jk, rx)) = &self.job {
            match rx.try_recv() {
                Ok(r) => {
                    self.review = Some((*jk, Arc::new(r)));
                    self.job = None;
                }
                Err(mpsc::TryRecvError::Disconnected) => self.job = None,
                Err(mpsc::TryRecvError::Empty) => {}
            }
        }
        let current = self.review.as_ref().is_some_and(|(rk, _)| *rk == k)
            || self.job.as_ref().is_some_and(|(jk, _)| *jk == k);
        if current {
            return;
        }
        let (tx, rx) = mpsc::channel();
        let m = model.clone();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let r = review(&m, &Options::default());
            // The model's last clone goes before the answer: what-if edits need it unshared.
            drop(m);
            let _ = tx.send(r);
            ctx.request_repaint();
        });
        self.job = Some((k, rx));
    }

    /// Wait for a running review (what-if edits change the model in place and need its only reference).
    pub fn wait(&mut self) {
        if let Some((k, rx)) = self.job.take()
            && let Ok(r) = rx.recv()
        {
            self.review = Some((k, Arc::new(r)));
        }
    }

    /// Forget the review (the model was edited in place): the next frame reviews it again.
    pub fn invalidate(&mut self) {
        self.wait();
        self.review = None;
    }

    /// The review of `model`, when done.
    pub fn of(&self, model: &Arc<Model>) -> Option<&Review> {
        self.review
            .as_ref()
            .filter(|(k, _)| *k == key(model))
            .map(|(_, r)| &**r)
    }

    /// True while a review runs.
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// Draw the view.
    pub fn ui(&mut self, ui: &mut egui::Ui, model: &Arc<Model>, commands: &mut Vec<Command>) {
        let Some((_, r)) = self.review.clone().filter(|(k, _)| *k == key(model)) else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("reviewing…");
            });
            return;
        };
        ui.horizontal(|ui| {
            let label = ui.label("Filter");
            ui.text_edit_singleline(&mut self.filter)
                .labelled_by(label.id);
            egui::ComboBox::from_label("at least")
                .selected_text(self.min.map_or("any severity", |s| s.name()))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.min, None, "any severity");
                    for s in Severity::ALL {
                        ui.selectable_value(&mut self.min, Some(s), s.name());
                    }
                });
        });
        ui.label(format!("as of {} · {} findings", r.as_of, r.findings.len()));
        ui.separator();
        let needle = self.filter.to_lowercase();
        let shown = |f: &&crate::review::Finding| {
            self.min.is_none_or(|m| f.severity >= m)
                && (needle.is_empty()
                    || f.title.to_lowercase().contains(&needle)
                    || f.entity.to_lowercase().contains(&needle)
                    || f.code.as_str().to_lowercase().contains(&needle))
        };
        egui::ScrollArea::vertical().show(ui, |ui| {
            for c in Category::ALL {
                let list: Vec<&crate::review::Finding> = r
                    .findings
                    .iter()
                    .filter(|f| f.category == c)
                    .filter(shown)
                    .collect();
                if list.is_empty() {
                    continue;
                }
                egui::CollapsingHeader::new(format!("{} ({})", c.name(), list.len()))
                    .default_open(true)
                    .show(ui, |ui| {
                        for (i, f) in list.iter().enumerate() {
                            finding(ui, f, i, commands);
                        }
                    });
            }
        });
    }
}

fn colour(s: Severity) -> egui::Color32 {
    match s {
        Severity::Critical => egui::Color32::from_rgb(200, 30, 30),
        Severity::High => egui::Color32::from_rgb(217, 72, 15),
        Severity::Medium => egui::Color32::from_rgb(200, 140, 20),
        Severity::Low => egui::Color32::from_rgb(59, 125, 216),
        Severity::Info => egui::Color32::GRAY,
    }
}

fn finding(ui: &mut egui::Ui, f: &crate::review::Finding, i: usize, commands: &mut Vec<Command>) {
    let header = egui::RichText::new(format!(
        "{} · {} · {}",
        f.severity.name(),
        f.code.as_str(),
        f.title
    ))
    .color(colour(f.severity));
    egui::CollapsingHeader::new(header)
        .id_salt((f.code.as_str(), &f.entity, &f.subject, i))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label("entity");
                ui.monospace(&f.entity);
                if let Some(r) = f.entity_ref
                    && ui.button("Go to entity").clicked()
                {
                    commands.push(Command::Select(r));
                    commands.push(Command::SetView(super::View::Explorer));
                }
            });
            ui.label(egui::RichText::new(f.why).italics());
            ui.label(format!("Fix: {}", f.remediation));
            for e in &f.evidence {
                ui.separator();
                ui.monospace(evidence_lines(e).join("\n"));
                let request = match e {
                    Evidence::Statement {
                        source: Some(src),
                        span,
                        ..
                    } => {
                        if ui.button("Open in editor").clicked() {
                            commands.push(Command::EditAt(*src, *span));
                        }
                        None
                    }
                    Evidence::Decision {
                        principal,
                        action,
                        resource,
                        ..
                    } => Some(NamedRequest {
                        name: format!("{} {}", f.code.as_str(), f.entity),
                        principal: principal.clone(),
                        action: action.clone(),
                        resource: resource.clone(),
                        resource_account: None,
                        context: Default::default(),
                        expected: None,
                        why: Some(f.title.clone()),
                        session_policies: Vec::new(),
                    }),
                    Evidence::DraftPolicy { policy, .. } => {
                        if ui.button("Open draft in editor").clicked() {
                            commands.push(Command::EditNew(
                                format!("draft least-privilege policy for {}", f.entity),
                                serde_json::to_string_pretty(policy).unwrap_or_default(),
                            ));
                        }
                        None
                    }
                    _ => None,
                };
                if let Some(r) = request
                    && ui.button("Open in evaluator").clicked()
                {
                    commands.push(Command::Evaluate(Box::new(r)));
                }
            }
        });
}
