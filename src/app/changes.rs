//! The Changes view: an access diff at its three levels (access gained and lost, ranked by risk; entities; policy
//! statements), for the blast radius of an edit in the policy editor (before "Apply to model", and kept after it
//! until reverted) or for the loaded model against another snapshot. Computed in the background; the view only
//! renders [`crate::diff::Diff`].

use super::Command;
use crate::account::Model;
use crate::diff::{AccessRow, Diff, Options, State};
use crate::edit::DocTarget;
use eframe::egui;
use std::path::PathBuf;
use std::sync::Arc;

/// What a diff compares.
#[derive(Clone, Debug, PartialEq)]
pub enum Subject {
    /// An edit of this document (blast radius).
    Edit(DocTarget),
    /// The loaded model (before) against these files (after).
    Snapshot(Vec<PathBuf>),
}

/// A diff being computed, keyed on what it compares and its title: a newer request replaces it. Its answer
/// carries the snapshot compared with, for the graphs' overlay.
type Job = super::tasks::Slot<(Subject, String), Result<(Diff, Option<Arc<Model>>), String>>;

/// What the Changes view shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// The access diff (an edit's blast radius, or another snapshot).
    #[default]
    Diff,
    /// CloudTrail calls replayed against the model, and least-privilege drafts.
    Replay,
}

/// At most this many rows of a list are drawn.
const SHOWN: usize = 500;

/// The view's state.
pub struct ChangesView {
    /// The last diff, what it compares and its title.
    pub diff: Option<(Subject, String, Arc<Diff>)>,
    /// The snapshot the last diff compared the loaded model with (none for an edit's blast radius): the graphs
    /// can show its differences.
    pub after: Option<Arc<Model>>,
    job: Job,
    /// A problem computing the diff.
    pub message: Option<String>,
    /// Sort state of the gained, lost, conditions-changed and uncertain tables (`usize::MAX`: ranked by risk,
    /// as the diff gives them).
    sorts: [super::table::Sort; 4],
    /// Which part is shown.
    pub mode: Mode,
    /// CloudTrail replay.
    pub replay: super::replay::ReplayView,
}

impl Default for ChangesView {
    fn default() -> Self {
        ChangesView {
            diff: None,
            after: None,
            job: Job::default(),
            message: None,
            sorts: [(usize::MAX, false); 4],
            mode: Mode::Diff,
            replay: Default::default(),
        }
    }
}

impl ChangesView {
    /// True while a diff is being computed.
    pub fn busy(&self) -> bool {
        self.job.busy() || self.replay.busy()
    }

    /// Compute who gains and loses what if `text` replaces `target`'s document.
    pub fn blast_radius(
        &mut self,
        ctx: &egui::Context,
        model: Arc<Model>,
        target: DocTarget,
        text: String,
    ) {
        let title = format!("Blast radius of the edit of {}", target.label(&model));
        let t = target.clone();
        self.job.start(
            ctx,
            "blast radius",
            (Subject::Edit(target), title),
            move |_| {
                crate::diff::blast_radius(&model, &t, &text, &Options::default())
                    .map(|d| (d, None))
                    .map_err(|d| {
                        d.iter()
                            .map(|d| d.message.clone())
                            .collect::<Vec<_>>()
                            .join("; ")
                    })
            },
        );
        self.message = None;
    }

    /// Compare the loaded model (before) with the snapshot in `files` (after).
    pub fn compare_with(&mut self, ctx: &egui::Context, model: Arc<Model>, files: Vec<PathBuf>) {
        let title = format!(
            "Loaded model -> {}",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let f = files.clone();
        self.job.start(
            ctx,
            "diff",
            (Subject::Snapshot(files), title),
            move |report| {
                report.progress(None, "loading the snapshot to compare with…");
                let after = crate::account::load_paths(&f, Default::default())
                    .map_err(|e| e.to_string())?;
                report.progress(None, "computing the diff…");
                let d = crate::diff::diff(&model, &after, &Options::default());
                Ok((d, Some(Arc::new(after))))
            },
        );
        self.message = None;
    }

    /// Forget the blast radius of `target` (its edit was reverted).
    pub fn reverted(&mut self, target: &DocTarget) {
        if matches!(&self.diff, Some((Subject::Edit(t), _, _)) if t == target) {
            self.diff = None;
            self.after = None;
        }
    }

    /// Pick up a finished diff (every frame, whatever the view).
    pub fn poll(&mut self) {
        match self.job.poll(|_| true) {
            Some(((subject, title), Ok(Ok((d, after))))) => {
                self.diff = Some((subject, title, Arc::new(d)));
                self.after = after;
            }
            Some((_, Ok(Err(e)))) => self.message = Some(format!("no diff: {e}")),
            Some((_, Err(e))) => self.message = Some(e.to_string()),
            None => {}
        }
    }

    /// Draw the view.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        model: Option<&Arc<Model>>,
        commands: &mut Vec<Command>,
    ) {
        self.poll();
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.mode, Mode::Diff, "Access diff");
            ui.selectable_value(&mut self.mode, Mode::Replay, "CloudTrail replay")
                .on_hover_text(
                    "Recorded calls against the snapshot, and least-privilege drafts from them",
                );
        });
        ui.separator();
        if self.mode == Mode::Replay {
            self.replay.ui(ui, model, commands);
            return;
        }
        let model = model.map(|m| &**m);
        ui.horizontal(|ui| {
            if ui
                .button("Compare with snapshot…")
                .on_hover_text(
                    "The loaded model is *before*; pick the exports or workspace of *after*",
                )
                .clicked()
            {
                // The desktop's dialog, or the built-in picker where there is none.
                commands.push(Command::PickFile(
                    super::file_picker::FilePurpose::CompareWith,
                ));
            }
            if self.busy() {
                super::tasks::running_ui(ui, "computing the diff…", self.job.progress().as_ref());
            }
        });
        if let Some(m) = &self.message {
            ui.colored_label(ui.visuals().error_fg_color, m);
        }
        let Some((_, title, d)) = &self.diff else {
            ui.label(
                "No diff yet. In the policy editor, \"Blast radius\" shows who gains and loses what if the edited \
                 document replaced the model's; or compare the loaded model with another snapshot.",
            );
            return;
        };
        let d = d.clone();
        ui.heading(title.as_str());
        let c = &d.counts;
        let (text, colour) = if d.widened() {
            ("Access widened (or may have)", ui.visuals().error_fg_color)
        } else {
            ("Access did not widen", ui.visuals().text_color())
        };
        ui.colored_label(colour, text);
        ui.label(format!(
            "{} gained · {} lost · {} with changed conditions · {} uncertain · entities: {} added, {} removed, {} changed",
            c.gained,
            c.lost,
            c.conditions_changed,
            c.uncertain,
            d.entities.added.len(),
            d.entities.removed.len(),
            d.entities.changed.len()
        ));
        for n in &d.notes {
            ui.weak(n);
        }
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                if !d.risks.is_empty() {
                    egui::CollapsingHeader::new(format!("Risks ({})", d.risks.len()))
                        .default_open(true)
                        .show(ui, |ui| {
                            for r in &d.risks {
                                ui.label(format!(
                                    "[{}] {} {}",
                                    r.risk.label(),
                                    r.principal,
                                    r.detail
                                ));
                            }
                        });
                }
                for (i, (name, list, total)) in [
                    ("Gained", &d.access.gained, c.gained),
                    ("Lost", &d.access.lost, c.lost),
                    (
                        "Conditions changed",
                        &d.access.conditions_changed,
                        c.conditions_changed,
                    ),
                    ("Uncertain", &d.access.uncertain, c.uncertain),
                ]
                .into_iter()
                .enumerate()
                {
                    if list.is_empty() {
                        continue;
                    }
                    egui::CollapsingHeader::new(format!("{name} ({total})"))
                        .default_open(true)
                        .show(ui, |ui| {
                            if let Some(sort) = self.sorts.get_mut(i) {
                                rows(ui, name, list, model, sort, commands);
                            }
                        });
                }
                if !d.entities.added.is_empty()
                    || !d.entities.removed.is_empty()
                    || !d.entities.changed.is_empty()
                {
                    egui::CollapsingHeader::new("Entities")
                        .default_open(true)
                        .show(ui, |ui| {
                            for e in &d.entities.added {
                                ui.label(format!("+ {} {}", e.kind, e.arn));
                            }
                            for e in &d.entities.removed {
                                ui.label(format!("- {} {}", e.kind, e.arn));
                            }
                            for e in &d.entities.changed {
                                egui::CollapsingHeader::new(format!("~ {} {}", e.kind, e.arn))
                                    .id_salt(("changed", &e.arn, &e.kind))
                                    .show(ui, |ui| {
                                        for l in &e.changes {
                                            ui.monospace(l);
                                        }
                                        for p in &e.policies {
                                            ui.strong(&p.document);
                                            for s in &p.removed {
                                                ui.monospace(format!(
                                                    "- statement {}: {}",
                                                    s.index, s.statement
                                                ));
                                            }
                                            for s in &p.added {
                                                ui.monospace(format!(
                                                    "+ statement {}: {}",
                                                    s.index, s.statement
                                                ));
                                            }
                                            for s in &p.changed {
                                                ui.monospace(format!(
                                                    "~ statement {}: {}\n  -> {}",
                                                    s.before.index,
                                                    s.before.statement,
                                                    s.after.statement
                                                ));
                                            }
                                        }
                                    });
                            }
                        });
                }
            });
    }
}

fn state(s: &State) -> &'static str {
    match s {
        State::Absent => "absent",
        State::Denied => "denied",
        State::Allowed => "allowed",
        State::AllowedIf => "allowed if",
        State::Unknown => "unknown",
    }
}

/// One access table: the app's table (resizable columns, sortable headers, the principal by its short name with
/// its account, the ARN on hover and in a Copy menu, a link to it; conditions one per line, whole).
fn rows(
    ui: &mut egui::Ui,
    name: &str,
    list: &[AccessRow],
    model: Option<&Model>,
    sort: &mut super::table::Sort,
    commands: &mut Vec<Command>,
) {
    use super::table::{Cell, short_arn};
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .take(SHOWN)
        .map(|r| {
            let account = crate::account::arn_account(&r.principal).unwrap_or_default();
            let account = model
                .and_then(|m| m.accounts.iter().find(|a| *a.id == *account))
                .and_then(|a| a.alias.clone())
                .unwrap_or_else(|| account.to_string());
            let mut conditions = r.conditions.clone();
            if !r.unknown.is_empty() {
                conditions = r.unknown.iter().map(|u| format!("not read: {u}")).collect();
            }
            vec![
                Cell::text(r.risk.label()),
                Cell {
                    text: short_arn(&r.principal).to_string(),
                    weak: account,
                    full: Some(r.principal.clone()),
                    link: model.and_then(|m| m.by_arn(&r.principal)),
                    color: None,
                },
                Cell::text(&r.action),
                Cell {
                    full: Some(r.resource.clone()),
                    ..Cell::text(&r.resource)
                },
                Cell::text(format!("{} -> {}", state(&r.before), state(&r.after))),
                Cell::lines(&conditions),
            ]
        })
        .collect();
    super::table::table(
        ui,
        &format!("changes-{name}"),
        &[
            ("Risk", 80.0),
            ("Principal", 190.0),
            ("Action", 210.0),
            ("Resource", 180.0),
            ("Before -> after", 140.0),
            ("Conditions", 300.0),
        ],
        &rows,
        sort,
        commands,
    );
    if list.len() > SHOWN {
        ui.weak(format!(
            "… and {} more (the command line lists them all)",
            list.len() - SHOWN
        ));
    }
}
