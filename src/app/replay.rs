//! CloudTrail replay in the Changes view: the recorded calls evaluated against the loaded snapshot (what AWS
//! denied, explained by layer; what the snapshot disagrees with), and a least-privilege draft per principal from
//! the calls it made in a time window, with the access the draft would remove, opened in the editor. Replays and
//! drafts run on the task runner; the view only renders their answers.

use super::Command;
use super::table::{Cell, Sort};
use crate::account::Model;
use crate::replay::{Class, DraftReport, Recorded, Replayed, Window, trail};
use eframe::egui;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Where the replayed calls come from.
#[derive(Clone, Debug, PartialEq)]
pub enum TrailOrigin {
    /// The bundled sample's CloudTrail file.
    Sample,
    /// CloudTrail files or folders.
    Files(Vec<PathBuf>),
}

impl TrailOrigin {
    fn label(&self) -> String {
        match self {
            TrailOrigin::Sample => "the sample's CloudTrail file".into(),
            TrailOrigin::Files(f) => f
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// A replay: the model generation and the trail it is for.
type ReplayKey = (u64, TrailOrigin);
/// A draft: the model generation, the principal and the window's text.
type DraftKey = (u64, String, String, String);
/// The table's rows are for (only disagreements, dark mode).
type RowsKey = (bool, bool);
/// A draft with what it would change.
type DraftAnswer = DraftReport;

/// At most this many calls are drawn in the table (all are counted).
const SHOWN: usize = 2_000;
/// At most this many removed grants are listed under a draft (all are counted).
const REMOVED_SHOWN: usize = 200;

/// The replay part of the Changes view.
pub struct ReplayView {
    job: super::tasks::Slot<ReplayKey, Result<Vec<Replayed>, String>>,
    /// The last replay: what it was for, and the calls.
    replayed: Option<(ReplayKey, Arc<Vec<Replayed>>)>,
    /// Why the last replay failed.
    message: Option<String>,
    /// Show only the calls that do not simply agree.
    pub only_disagreements: bool,
    sort: Sort,
    /// The draft's principal and window (RFC 3339 texts; empty: open).
    pub principal: Option<String>,
    /// The window's first instant.
    pub from: String,
    /// The first instant after the window.
    pub to: String,
    draft_job: super::tasks::Slot<DraftKey, DraftAnswer>,
    draft: Option<(DraftKey, DraftAnswer)>,
    /// A draft to start once the replay is done.
    pending_draft: Option<String>,
    /// Of the last replay, computed once: the class counts, the principals with successful calls (most first),
    /// and the table's rows for (filter, dark mode).
    summary: String,
    principals: Vec<(String, usize)>,
    rows: Option<(RowsKey, Arc<Vec<Vec<Cell>>>)>,
}

impl Default for ReplayView {
    fn default() -> Self {
        ReplayView {
            job: Default::default(),
            replayed: None,
            message: None,
            only_disagreements: true,
            sort: (usize::MAX, false),
            principal: None,
            from: String::new(),
            to: String::new(),
            draft_job: Default::default(),
            draft: None,
            pending_draft: None,
            summary: String::new(),
            principals: Vec::new(),
            rows: None,
        }
    }
}

fn read(origin: &TrailOrigin) -> Result<Vec<trail::RawEvent>, String> {
    match origin {
        TrailOrigin::Sample => {
            let (name, text) = crate::sample::trail();
            trail::parse_events(name, text.as_bytes()).map_err(|e| e.to_string())
        }
        TrailOrigin::Files(paths) => {
            let mut all = Vec::new();
            for f in trail::collect_files(paths).map_err(|e| e.to_string())? {
                all.extend(trail::read_file(&f).map_err(|e| e.to_string())?);
            }
            Ok(all)
        }
    }
}

impl ReplayView {
    /// True while a replay or a draft is computed.
    pub fn busy(&self) -> bool {
        self.job.busy() || self.draft_job.busy() || self.pending_draft.is_some()
    }

    /// Replay the calls of `origin` against `model` in the background.
    pub fn start(&mut self, ctx: &egui::Context, model: Arc<Model>, origin: TrailOrigin) {
        let key = (model.generation(), origin.clone());
        if self.job.is_running(&key) {
            return;
        }
        self.message = None;
        // A draft of the replay before is not of this one: stopped, forgotten.
        self.draft = None;
        self.draft_job.cancel();
        self.job
            .start(ctx, "CloudTrail replay", key, move |report| {
                report.progress(None, format!("reading {}…", origin.label()));
                let events = read(&origin)?;
                report.progress(None, format!("replaying {} calls…", events.len()));
                let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
                crate::replay::replay_cancellable(
                    &events,
                    &model,
                    None,
                    threads,
                    &report.cancel_token(),
                )
                .ok_or_else(|| "cancelled".to_string())
            });
    }

    /// Stop a running replay or draft and wait until it lets go of the model (a what-if edit needs its only
    /// reference); their answers would be of the model before the edit.
    pub fn stop(&mut self) {
        self.job.stop_and_wait();
        self.draft_job.stop_and_wait();
    }

    /// Draft a least-privilege policy for `principal` from its calls in `window`, and what it removes.
    fn start_draft(
        &mut self,
        ctx: &egui::Context,
        model: &Arc<Model>,
        replayed: &Arc<Vec<Replayed>>,
        principal: String,
        window: Window,
    ) {
        let key = (
            model.generation(),
            principal.clone(),
            self.from.clone(),
            self.to.clone(),
        );
        let (m, r) = (model.clone(), replayed.clone());
        self.draft_job
            .start(ctx, "least-privilege draft", key, move |report| {
                report.progress(None, "drafting and computing what the draft changes…");
                crate::replay::draft_report(&m, &r, &principal, &window, &Default::default())
            });
    }

    /// Once the replay is done, draft for `principal` over the whole trail (scripted views: screenshots).
    pub fn draft_when_replayed(&mut self, principal: String) {
        self.pending_draft = Some(principal);
    }

    fn poll(&mut self) {
        match self.job.poll(|_| true) {
            Some((key, Ok(Ok(r)))) => {
                let mut counts: BTreeMap<Class, usize> = BTreeMap::new();
                for call in &r {
                    *counts.entry(call.class).or_default() += 1;
                }
                self.summary = counts
                    .iter()
                    .map(|(c, n)| format!("{}: {n}", c.label()))
                    .collect::<Vec<_>>()
                    .join(" · ");
                self.principals = crate::replay::draft_candidates(&r);
                self.rows = None;
                // The principal with the most successful calls is proposed for a draft.
                self.principal = self.principals.first().map(|(p, _)| p.clone());
                self.replayed = Some((key, Arc::new(r)));
            }
            Some((_, Ok(Err(e)))) => {
                self.message = Some(format!("no replay: {e}"));
                self.pending_draft = None;
            }
            Some((_, Err(e))) => {
                self.message = Some(e.to_string());
                self.pending_draft = None;
            }
            None => {}
        }
        // Only a draft of the calls shown (the same model generation) is kept.
        let generation = self.replayed.as_ref().map(|((g, _), _)| *g);
        match self.draft_job.poll(|k| Some(k.0) == generation) {
            Some((key, Ok(r))) => self.draft = Some((key, r)),
            Some((_, Err(e))) => self.message = Some(format!("no draft: {e}")),
            None => {}
        }
    }

    /// Draw the replay part.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        model: Option<&Arc<Model>>,
        commands: &mut Vec<Command>,
    ) {
        self.poll();
        if let (Some(m), Some((_, r))) = (model, self.replayed.clone())
            && let Some(p) = self.pending_draft.take()
        {
            self.principal = Some(p.clone());
            self.start_draft(ui.ctx(), m, &r, p, Window::all());
        }
        if model.is_none() {
            // Nothing to draft against: a scripted draft waits for nothing.
            self.pending_draft = None;
        }
        ui.horizontal(|ui| {
            if ui
                .add_enabled(model.is_some(), egui::Button::new("Replay the sample's trail"))
                .on_hover_text(
                    "A month of calls in the sample's prod account (assets/sample/cloudtrail/), evaluated \
                     against the loaded snapshot",
                )
                .clicked()
                && let Some(m) = model
            {
                self.start(ui.ctx(), m.clone(), TrailOrigin::Sample);
            }
            if ui
                .add_enabled(model.is_some(), egui::Button::new("Replay CloudTrail files…"))
                .on_hover_text(
                    "Files CloudTrail delivers ({\"Records\": [...]}, gzipped or not), folders of them, or \
                     `aws cloudtrail lookup-events` output",
                )
                .clicked()
            {
                commands.push(Command::PickFile(
                    super::file_picker::FilePurpose::ReplayTrail,
                ));
            }
            if self.job.busy() {
                super::tasks::running_ui(ui, "replaying…", self.job.progress().as_ref());
            }
        });
        if let Some(m) = &self.message {
            ui.colored_label(ui.visuals().error_fg_color, m);
        }
        let Some(((generation, origin), replayed)) = self.replayed.clone() else {
            ui.label(
                "Replay CloudTrail calls against the loaded snapshot: the calls AWS denied, explained by layer; \
                 the calls the snapshot disagrees with; and a least-privilege draft per principal from the calls \
                 it made.",
            );
            return;
        };
        if model.is_some_and(|m| m.generation() != generation) {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "The model changed since this replay: replay again to see its answers.",
            );
        }
        ui.heading(format!("{} calls from {}", replayed.len(), origin.label()));
        ui.label(self.summary.as_str());
        ui.checkbox(
            &mut self.only_disagreements,
            "Only the calls that do not simply agree with the snapshot",
        );
        // The draft beside the calls: at 1280 px both are in view.
        egui::Panel::right("replay-draft")
            .resizable(true)
            .default_size(380.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("replay-draft-scroll")
                    .auto_shrink([false, false])
                    .show(ui, |ui| self.draft_ui(ui, model, &replayed, commands));
            });
        egui::CentralPanel::default().show(ui, |ui| {
            // The rows once per replay, filter and theme, not every frame (a replay may hold a million calls).
            let key = (self.only_disagreements, ui.visuals().dark_mode);
            if self.rows.as_ref().is_none_or(|(k, _)| *k != key) {
                let rows: Vec<Vec<Cell>> = replayed
                    .iter()
                    .filter(|r| !self.only_disagreements || r.class != Class::Agrees)
                    .take(SHOWN)
                    .map(|r| row(ui, r))
                    .collect();
                self.rows = Some((key, Arc::new(rows)));
            }
            let rows = self
                .rows
                .as_ref()
                .map(|(_, r)| r.clone())
                .unwrap_or_default();
            egui::ScrollArea::both()
                .id_salt("replay-scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    super::table::table(
                        ui,
                        "replay-calls",
                        &[
                            ("Time", 90.0),
                            ("Principal", 150.0),
                            ("Action", 160.0),
                            ("Resource", 220.0),
                            ("Recorded", 70.0),
                            ("Snapshot", 80.0),
                            ("Class", 190.0),
                        ],
                        &rows,
                        &mut self.sort,
                        commands,
                    );
                });
        });
    }

    fn draft_ui(
        &mut self,
        ui: &mut egui::Ui,
        model: Option<&Arc<Model>>,
        replayed: &Arc<Vec<Replayed>>,
        commands: &mut Vec<Command>,
    ) {
        ui.strong("Least-privilege draft");
        let list = self.principals.clone();
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("From the successful calls of");
            egui::ComboBox::from_id_salt("replay-draft-principal")
                .width(ui.available_width().clamp(200.0, 400.0))
                .selected_text(
                    self.principal
                        .clone()
                        .unwrap_or_else(|| "a principal".into()),
                )
                .show_ui(ui, |ui| {
                    for (p, n) in &list {
                        ui.selectable_value(
                            &mut self.principal,
                            Some(p.clone()),
                            format!("{p} ({n})"),
                        );
                    }
                })
                .response
                .labelled_by(label.id);
        });
        let (from, to) = (Window::bound(&self.from), Window::bound(&self.to));
        let window = match (&from, &to) {
            (Ok(f), Ok(t)) => Window::new(*f, *t),
            (Err(e), _) | (_, Err(e)) => Err(e.clone()),
        };
        egui::Grid::new("replay-window")
            .num_columns(2)
            .show(ui, |ui| {
                // No hover or hint text on the fields: it would replace their accessible names.
                let label = ui.label("from");
                ui.add(egui::TextEdit::singleline(&mut self.from).desired_width(200.0))
                    .labelled_by(label.id);
                ui.end_row();
                let label = ui.label("to");
                ui.add(egui::TextEdit::singleline(&mut self.to).desired_width(200.0))
                    .labelled_by(label.id);
                ui.end_row();
            });
        ui.weak("RFC 3339 times, e.g. 2026-11-01T00:00:00Z; empty: open.");
        ui.horizontal(|ui| {
            let ready = model.is_some() && self.principal.is_some() && window.is_ok();
            if ui.add_enabled(ready, egui::Button::new("Draft")).clicked()
                && let (Some(m), Some(p), Ok(window)) =
                    (model, self.principal.clone(), window.clone())
            {
                self.start_draft(ui.ctx(), m, replayed, p, window);
            }
            if self.draft_job.busy() {
                super::tasks::running_ui(ui, "drafting…", self.draft_job.progress().as_ref());
            }
        });
        if let Err(e) = &window {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        match &self.draft {
            None => {}
            Some(((_, _, from, to), report)) => {
                let (d, p) = (&report.draft, &report.principal);
                let window = match (from.trim(), to.trim()) {
                    ("", "") => String::new(),
                    (f, t) => format!(
                        " between {} and {}",
                        if f.is_empty() { "the first call" } else { f },
                        if t.is_empty() { "the last" } else { t }
                    ),
                };
                let statements = d
                    .policy
                    .get("Statement")
                    .and_then(|s| s.as_array())
                    .map_or(0, Vec::len);
                ui.label(format!(
                    "{p}: {statements} statements from {} successful calls{window}{}.",
                    d.calls,
                    if report.kept_denies > 0 {
                        format!(", its {} identity Deny statements kept", report.kept_denies)
                    } else {
                        String::new()
                    }
                ));
                let warn = ui.visuals().warn_fg_color;
                if d.calls == 0 {
                    ui.colored_label(
                        warn,
                        "No successful call in the window: the draft grants nothing.",
                    );
                }
                for (action, n) in &d.left_out {
                    ui.colored_label(
                        warn,
                        format!(
                            "Left out: {action} ({n} calls whose records do not name the resource; add it by hand)"
                        ),
                    );
                }
                if report.dropped_denies > 0 {
                    ui.colored_label(
                        warn,
                        format!(
                            "{} identity Deny statements were not read in full and are not in the draft",
                            report.dropped_denies
                        ),
                    );
                }
                let text = serde_json::to_string_pretty(&d.policy).unwrap_or_default();
                if ui
                    .button("Open the draft in the editor")
                    .on_hover_text("A new document: check it, then apply it to the model as a what-if or save it")
                    .clicked()
                {
                    commands.push(Command::EditNew(
                        format!("least-privilege draft for {p}"),
                        text,
                    ));
                }
                let diff = match &report.diff {
                    Ok(diff) => diff,
                    Err(e) => {
                        ui.colored_label(warn, format!("What the draft changes is not known: {e}"));
                        return;
                    }
                };
                let c = &diff.counts;
                if !diff.complete {
                    ui.colored_label(warn, "Incomplete: the diff may miss changes.");
                }
                for n in &diff.notes {
                    ui.weak(n);
                }
                // Wider than today first: a draft carries no conditions, and a call a resource policy allowed
                // becomes an identity grant.
                if c.gained > 0 || c.conditions_changed > 0 {
                    let wider: Vec<&crate::diff::AccessRow> = diff
                        .access
                        .gained
                        .iter()
                        .chain(&diff.access.conditions_changed)
                        .collect();
                    egui::CollapsingHeader::new(
                        egui::RichText::new(format!(
                            "The draft grants {} beyond today and changes the conditions of {}",
                            c.gained, c.conditions_changed
                        ))
                        .color(ui.visuals().error_fg_color),
                    )
                    .id_salt("replay-draft-wider")
                    .default_open(true)
                    .show(ui, |ui| removed_by_service(ui, "replay-wider", &wider));
                }
                let head = format!(
                    "In place of its identity policies the draft removes {} grants{}",
                    c.lost,
                    if c.uncertain > 0 {
                        format!(" ({} more uncertain)", c.uncertain)
                    } else {
                        String::new()
                    }
                );
                let lost: Vec<&crate::diff::AccessRow> = diff.access.lost.iter().collect();
                egui::CollapsingHeader::new(head)
                    .id_salt("replay-draft-removes")
                    .default_open(true)
                    .show(ui, |ui| removed_by_service(ui, "replay-removed", &lost));
            }
        }
    }
}

/// Grants by service, most first; each service's list on demand.
fn removed_by_service(ui: &mut egui::Ui, salt: &str, rows: &[&crate::diff::AccessRow]) {
    let mut by_service: BTreeMap<&str, Vec<&crate::diff::AccessRow>> = BTreeMap::new();
    for r in rows {
        let service = crate::arn::action_service(&r.action);
        by_service.entry(service).or_default().push(r);
    }
    let mut services: Vec<_> = by_service.into_iter().collect();
    services.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    for (service, rows) in services {
        egui::CollapsingHeader::new(format!("{service}: {} grants", rows.len()))
            .id_salt((salt, service))
            .show(ui, |ui| {
                for r in rows.iter().take(REMOVED_SHOWN) {
                    let when = if r.conditions.is_empty() {
                        String::new()
                    } else {
                        format!(" when {}", r.conditions.join(" and "))
                    };
                    ui.label(format!("{} on {}{when}", r.action, r.resource));
                }
                if rows.len() > REMOVED_SHOWN {
                    ui.weak(format!("… and {} more", rows.len() - REMOVED_SHOWN));
                }
            });
    }
}

fn row(ui: &egui::Ui, r: &Replayed) -> Vec<Cell> {
    let warn = ui.visuals().warn_fg_color;
    let bad = ui.visuals().error_fg_color;
    let (decision, colour) = match r.decision {
        Some(crate::eval::Decision::Allow) if r.certain => ("allowed", None),
        Some(crate::eval::Decision::Allow) => ("allowed?", Some(warn)),
        Some(_) if r.certain => ("denied", None),
        Some(_) => ("denied?", Some(warn)),
        None => ("—", None),
    };
    let class_colour = match r.class {
        Class::Agrees => None,
        Class::DeniedExplained => Some(warn),
        Class::AllowedButSnapshotDenies | Class::DeniedButSnapshotAllows => Some(bad),
        _ => Some(warn),
    };
    let why = if r.why.is_empty() {
        None
    } else {
        Some(r.why.join("\n"))
    };
    // `2026-11-05T06:23:16Z` → `11-05 06:23` in the table, whole on hover (sorting by the short form keeps the
    // order within a year).
    let short_time = r
        .event_time
        .get(5..16)
        .map(|t| t.replace('T', " "))
        .unwrap_or_else(|| r.event_time.clone());
    vec![
        Cell {
            full: Some(r.event_time.clone()),
            ..Cell::text(short_time)
        },
        Cell {
            full: Some(r.principal.clone()),
            ..Cell::text(super::table::short_arn(&r.principal))
        },
        Cell::text(&r.action),
        Cell {
            full: Some(r.resource.clone()),
            ..Cell::text(&r.resource)
        },
        Cell::text(match r.recorded {
            Recorded::Allowed => "allowed",
            Recorded::Denied => "denied",
            Recorded::Failed => "failed",
        }),
        Cell {
            color: colour,
            ..Cell::text(decision)
        },
        Cell {
            color: class_colour,
            full: why,
            ..Cell::text(r.class.label())
        },
    ]
}
