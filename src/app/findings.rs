//! The Findings view: the review of the loaded model (computed in the background after each load), grouped by
//! category, filterable by text and severity, each finding with its evidence and links to the entity, the
//! evaluator pre-filled with the request that demonstrates it, and the editor at the statement.

use super::Command;
use crate::account::Model;
use crate::eval::suite::NamedRequest;
use crate::review::baseline::Baseline;
use crate::review::report::evidence_lines;
use crate::review::{Category, Evidence, Finding, Options, Review, Severity, review_cancellable};
use eframe::egui;
use std::path::PathBuf;
use std::sync::Arc;

/// The baseline's file name, beside the first file loaded.
pub const BASELINE_FILE: &str = "iam-atlas-baseline.json";

/// The view's state.
#[derive(Default)]
pub struct FindingsView {
    /// The review of the model whose generation is kept with it.
    pub review: Option<(u64, Arc<Review>)>,
    /// The review running, for the model generation it is keyed on.
    job: super::tasks::Slot<u64, Review>,
    /// The review of the model whose generation is kept with it failed (a bug): why.
    pub failed: Option<(u64, String)>,
    /// Filter text (code, title, entity).
    pub filter: String,
    /// Findings below this severity are hidden.
    pub min: Option<Severity>,
    /// Acknowledged findings.
    pub baseline: Option<Baseline>,
    /// Where the baseline is kept (`None`: the bundled sample; kept in memory only).
    pub baseline_path: Option<PathBuf>,
    /// The reason typed for the next acknowledgement.
    pub reason: String,
    /// A problem reading or writing the baseline.
    pub message: Option<String>,
    /// Bumped by every acknowledgement: what is shown is recomputed then.
    acknowledgements: u64,
    /// What the list shows, computed when the review, filter, severity or baseline changed (never per frame:
    /// an organisation's review holds hundreds of thousands of findings).
    shown: Option<(ShownKey, Arc<Shown>)>,
    /// How many findings of each category are drawn (a category of thousands shows a page, then more on
    /// request).
    limits: Vec<(Category, usize)>,
}

/// What the shown list depends on: review, filter text, least severity, acknowledgements.
type ShownKey = (u64, String, Option<Severity>, u64);

/// The findings shown, by category (indexes into the review's list), and the open counts by severity.
#[derive(Default)]
struct Shown {
    by_category: Vec<(Category, Vec<u32>)>,
    open: Vec<(Severity, usize)>,
}

/// Findings drawn per category before "Show more".
const PAGE: usize = 200;

fn key(m: &Arc<Model>) -> u64 {
    m.generation()
}

impl FindingsView {
    /// Start reviewing `model` in the background unless it is reviewed or being reviewed; pick up a finished
    /// review.
    pub fn update(&mut self, ctx: &egui::Context, model: &Arc<Model>) {
        let k = key(model);
        // A review of an older model is dropped (and told to stop).
        if let Some((jk, r)) = self.job.poll(|jk| *jk == k) {
            match r {
                Ok(r) => self.review = Some((jk, Arc::new(r))),
                Err(e) => self.failed = Some((jk, e.to_string())),
            }
        }
        let current = self.review.as_ref().is_some_and(|(rk, _)| *rk == k)
            || self.failed.as_ref().is_some_and(|(fk, _)| *fk == k)
            || self.job.is_running(&k);
        if current {
            return;
        }
        // The runner drops the closure's model before the answer is seen: what-if edits need it unshared.
        let m = model.clone();
        // A new model replaces the review running for the old one, which stops at its next principal.
        self.job.start(ctx, "review", k, move |report| {
            review_cancellable(&m, &Options::default(), &report.cancel_token()).unwrap_or_default()
        });
    }

    /// Use the baseline at `path` (read now when it exists); `None`: in memory only.
    pub fn set_baseline_path(&mut self, path: Option<PathBuf>) {
        self.message = None;
        self.baseline = Some(Baseline::empty());
        if let Some(p) = &path
            && p.exists()
        {
            match std::fs::read_to_string(p)
                .map_err(|e| format!("{}: cannot read: {e}", p.display()))
                .and_then(|t| Baseline::parse(&p.display().to_string(), &t))
            {
                Ok(b) => self.baseline = Some(b),
                Err(e) => self.message = Some(e),
            }
        }
        self.baseline_path = path;
    }

    /// Acknowledge `f` with the typed reason and save the baseline (a temp file renamed over our own file).
    fn acknowledge(&mut self, f: &Finding) {
        self.acknowledgements += 1;
        let b = self.baseline.get_or_insert_with(Baseline::empty);
        b.acknowledge(f, &self.reason);
        let Some(path) = &self.baseline_path else {
            return;
        };
        let text = serde_json::to_string_pretty(&*b).unwrap_or_default();
        let written = crate::files::write_atomic(path, (text + "\n").as_bytes());
        self.message = written
            .err()
            .map(|e| format!("cannot write {}: {e}", path.display()));
    }

    fn acknowledged(&self, f: &Finding) -> bool {
        self.baseline.as_ref().is_some_and(|b| b.covers(f))
    }

    /// Counts by severity of the findings not acknowledged, when the review of `model` is done.
    pub fn open_counts(&mut self, model: &Arc<Model>) -> Option<Vec<(Severity, usize)>> {
        self.shown(model).map(|s| s.open.clone())
    }

    /// The shown findings of the review of `model`, from the cache unless what they depend on changed.
    fn shown(&mut self, model: &Arc<Model>) -> Option<Arc<Shown>> {
        let (rk, r) = self.review.clone().filter(|(k, _)| *k == key(model))?;
        let k: ShownKey = (rk, self.filter.clone(), self.min, self.acknowledgements);
        if let Some((ck, s)) = &self.shown
            && *ck == k
        {
            return Some(s.clone());
        }
        let needle = self.filter.to_lowercase();
        let mut by_category: Vec<(Category, Vec<u32>)> =
            Category::ALL.iter().map(|c| (*c, Vec::new())).collect();
        let mut open: Vec<(Severity, usize)> = Severity::ALL.iter().map(|s| (*s, 0)).collect();
        for (i, f) in r.findings.iter().enumerate() {
            if self.acknowledged(f) {
                continue;
            }
            if let Some(o) = open.iter_mut().find(|(s, _)| *s == f.severity) {
                o.1 += 1;
            }
            let matches = self.min.is_none_or(|m| f.severity >= m)
                && (needle.is_empty()
                    || f.title.to_lowercase().contains(&needle)
                    || f.entity.to_lowercase().contains(&needle)
                    || f.code.as_str().to_lowercase().contains(&needle));
            if matches && let Some(c) = by_category.iter_mut().find(|(c, _)| *c == f.category) {
                c.1.push(i as u32);
            }
        }
        let shown = Arc::new(Shown { by_category, open });
        self.shown = Some((k, shown.clone()));
        Some(shown)
    }

    /// Stop a running review and wait until it lets go of the model (what-if edits change the model in place
    /// and need its only reference; the review of the model before the edit would be forgotten anyway).
    pub fn stop(&mut self) {
        self.job.stop_and_wait();
    }

    /// Forget the review (the model was edited in place): the next frame reviews it again.
    pub fn invalidate(&mut self) {
        // Its result would be forgotten: stop it rather than wait for it.
        self.stop();
        self.review = None;
        self.failed = None;
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
        self.job.busy()
    }

    /// Why the review of `model` failed, if it did.
    pub fn failure(&self, model: &Arc<Model>) -> Option<&str> {
        self.failed
            .as_ref()
            .filter(|(k, _)| *k == key(model))
            .map(|(_, e)| e.as_str())
    }

    /// Draw the view.
    pub fn ui(&mut self, ui: &mut egui::Ui, model: &Arc<Model>, commands: &mut Vec<Command>) {
        let Some((_, r)) = self.review.clone().filter(|(k, _)| *k == key(model)) else {
            match self.failure(model) {
                Some(e) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                None => super::tasks::running_ui(ui, "reviewing…", self.job.progress().as_ref()),
            }
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
        let Some(shown) = self.shown(model) else {
            return;
        };
        let mut ack: Option<Finding> = None;
        let reason = &mut self.reason;
        let limits = &mut self.limits;
        egui::ScrollArea::vertical().show(ui, |ui| {
            for (c, list) in &shown.by_category {
                if list.is_empty() {
                    continue;
                }
                let limit = limits
                    .iter()
                    .find(|(k, _)| k == c)
                    .map_or(PAGE, |(_, n)| *n);
                egui::CollapsingHeader::new(format!("{} ({})", c.name(), list.len()))
                    .default_open(true)
                    .show(ui, |ui| {
                        for (i, &at) in list.iter().take(limit).enumerate() {
                            let Some(f) = r.findings.get(at as usize) else {
                                continue;
                            };
                            if finding(ui, f, i, commands, reason) {
                                ack = Some(f.clone());
                            }
                        }
                        if list.len() > limit {
                            let more = (list.len() - limit).min(PAGE);
                            if ui
                                .button(format!(
                                    "Show {more} more (of {} not shown)",
                                    list.len() - limit
                                ))
                                .clicked()
                            {
                                match limits.iter_mut().find(|(k, _)| k == c) {
                                    Some(l) => l.1 += PAGE,
                                    None => limits.push((*c, limit + PAGE)),
                                }
                            }
                        }
                    });
            }
        });
        if let Some(f) = ack {
            self.acknowledge(&f);
            self.reason.clear();
        }
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

/// Draw one finding; true when it was acknowledged.
fn finding(
    ui: &mut egui::Ui,
    f: &crate::review::Finding,
    i: usize,
    commands: &mut Vec<Command>,
    reason: &mut String,
) -> bool {
    let mut acknowledged = false;
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
            ui.horizontal(|ui| {
                let label = ui.label("Reason");
                ui.text_edit_singleline(reason).labelled_by(label.id);
                if ui
                    .add_enabled(!reason.trim().is_empty(), egui::Button::new("Acknowledge"))
                    .clicked()
                {
                    acknowledged = true;
                }
            });
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
                        context,
                        ..
                    } => Some(NamedRequest {
                        name: format!("{} {}", f.code.as_str(), f.entity),
                        principal: principal.clone(),
                        action: action.clone(),
                        resource: resource.clone(),
                        resource_account: None,
                        context: context.iter().cloned().collect(),
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
    acknowledged
}
