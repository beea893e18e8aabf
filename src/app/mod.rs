//! The desktop GUI (feature `gui`). It only draws the core's structures and dispatches [`Command`]s; all
//! logic lives in the library.

pub mod about;
pub mod changes;
mod details;
pub mod editor;
pub mod evaluator;
mod explorer;
pub mod file_picker;
pub mod findings;
pub mod graph_view;
pub mod help;
pub mod input;
pub mod lessons;
pub mod palette;
pub mod people;
pub mod replay;
pub mod table;
pub mod tasks;
mod truth;

pub use graph_view::GraphView;

use crate::account::export::LoadError;
use crate::account::workspace::{LoadOptions, load_paths};
use crate::account::{EntityKind, EntityRef, Model, WarningKind};
use crate::graph::GraphKind;
use eframe::egui;
use std::path::PathBuf;
use std::sync::Arc;

/// What the user asked for; run at the end of the frame, never mid-frame.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Show an entity in the details pane.
    Select(EntityRef),
    /// Load these files (replacing the current model).
    Open(Vec<PathBuf>),
    /// Load the bundled sample.
    OpenSample,
    /// Switch between light and dark.
    ToggleTheme,
    /// Show or hide the load warnings.
    ToggleWarnings,
    /// Switch the central panel between the explorer and the graphs.
    SetView(View),
    /// Select an entity and show it in the graph that suits it (trust graph for roles and principals).
    ShowInGraph(EntityRef),
    /// Go back in the selection history.
    Back,
    /// Go forward in the selection history.
    Forward,
    /// Open or close the command palette.
    TogglePalette,
    /// Save the graph canvas as it is drawn to a PNG file.
    ExportPng(PathBuf),
    /// Write an exported graph (Graphviz DOT or SVG text) to a file.
    ExportDot(PathBuf, String),
    /// Open the model's document containing this range of a source in the editor (a statement's range is
    /// highlighted).
    EditAt(crate::account::SourceId, crate::text::Span),
    /// Open a policy file in the editor.
    EditFile(PathBuf),
    /// Write the editor's text to a new file (never over a loaded snapshot file).
    SaveText(PathBuf, String),
    /// Put a text in place of a model document (what-if).
    ApplyWhatIf(crate::edit::DocTarget, String),
    /// Put back a replaced document.
    RevertWhatIf(crate::edit::DocTarget),
    /// Put back every replaced document.
    RevertAll,
    /// Quit even though the editor has unsaved edits.
    ConfirmQuit,
    /// Show or hide the About dialog.
    ToggleAbout,
    /// Open the evaluator on this request (a finding's demonstration).
    Evaluate(Box<crate::eval::suite::NamedRequest>),
    /// Open a new document in the editor (a draft least-privilege policy): title, text.
    EditNew(String, String),
    /// Ask for a file (the desktop's dialog, or the built-in picker where there is none).
    PickFile(file_picker::FilePurpose),
    /// Files were chosen for a purpose.
    FileChosen(file_picker::FilePurpose, Vec<PathBuf>),
    /// Hide the load error.
    DismissLoadError,
    /// Put the bundled sample's teaching cases into the evaluator's saved requests and show them.
    LoadTeachingCases,
    /// Open this lesson (its id) in the Lessons view.
    OpenLesson(&'static str),
    /// Ask the evaluator who may do this action on this resource (its Who can tab).
    WhoCan(String, String),
    /// Show who gains and loses what if this text replaced the document (the Changes view).
    BlastRadius(crate::edit::DocTarget, String),
    /// Compare the loaded model (before) with the snapshot in these files (after), in the Changes view.
    CompareWith(Vec<PathBuf>),
    /// Replay the CloudTrail calls in these files (or folders) against the loaded model, in the Changes view.
    ReplayTrail(Vec<PathBuf>),
}

/// What the central panel shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum View {
    /// The details of the selection.
    #[default]
    Explorer,
    /// The identity graph: users → groups → policies.
    Identity,
    /// The trust graph: who may assume which role.
    Trust,
    /// The policy editor.
    Editor,
    /// The evaluator: may P do A on R?
    Evaluator,
    /// The review's findings.
    Findings,
    /// Access changes: the blast radius of an edit, or a diff against another snapshot.
    Changes,
    /// IAM's concepts as guided lessons on the bundled sample.
    Lessons,
}

impl View {
    /// The graph it shows, if any.
    pub fn graph(self) -> Option<GraphKind> {
        match self {
            View::Explorer
            | View::Editor
            | View::Evaluator
            | View::Findings
            | View::Changes
            | View::Lessons => None,
            View::Identity => Some(GraphKind::Identity),
            View::Trust => Some(GraphKind::Trust),
        }
    }
}

/// Settings that persist across runs (eframe storage).
#[derive(serde::Serialize, serde::Deserialize, Default)]
#[serde(default)]
pub struct Settings {
    /// Light theme instead of dark.
    pub light: bool,
    /// The last view.
    pub view: View,
    /// Focus mode hops of the graph view.
    pub hops: Option<usize>,
}

/// Plan for an automatic screenshot (used by `scripts/screenshots` under Xvfb).
struct ScreenshotPlan {
    path: PathBuf,
    frames_after_load: u32,
    requested: bool,
}

/// The application state.
pub struct AtlasApp {
    /// Persisted settings.
    pub settings: Settings,
    /// The loaded model.
    pub model: Option<Arc<Model>>,
    /// What is loaded (file names or "bundled sample").
    pub loaded_from: String,
    /// The last load error, shown until the next load.
    pub load_error: Option<String>,
    /// The selected entity.
    pub selected: Option<EntityRef>,
    /// The explorer's filter text.
    pub filter: String,
    /// The warnings window is open.
    pub show_warnings: bool,
    /// The About dialog is open.
    pub show_about: bool,
    /// What the central panel shows.
    pub view: View,
    /// The graph panel.
    pub graph: GraphView,
    /// Selection history (back/forward), and the position in it.
    pub history: Vec<EntityRef>,
    history_pos: usize,
    /// The command palette, when open.
    pub palette: Option<palette::Palette>,
    /// Recently opened files (kept in the platform's config directory).
    pub recent: Vec<PathBuf>,
    /// The policy editor.
    pub editor: editor::EditorView,
    /// The evaluator.
    pub evaluator: evaluator::EvaluatorView,
    /// The review's findings (computed in the background after each load).
    pub findings: findings::FindingsView,
    /// Access changes (blast radius of an edit, diff against a snapshot).
    pub changes: changes::ChangesView,
    /// The lessons.
    pub lessons: lessons::LessonsView,
    /// Quitting waits for an answer about unsaved edits.
    pub quit_asked: bool,
    quit_confirmed: bool,
    /// "Who can assume it" for the selected role, from the engine.
    assume: details::AssumeView,
    commands: Vec<Command>,
    /// The load running: what is loaded (file names or "bundled sample"), the model to come.
    load: tasks::Slot<String, Result<Model, LoadError>>,
    /// The desktop's file dialog, open for a purpose, and its answer to come.
    dialog: tasks::Slot<file_picker::FilePurpose, file_picker::NativeAnswer>,
    screenshot: Option<ScreenshotPlan>,
    pacer: input::InputPacer,
    /// The built-in file picker, when open.
    pub picker: Option<file_picker::FilePicker>,
    /// Ask the desktop's file dialog first (false: the built-in picker only; tests never block on a dialog).
    pub native_dialogs: bool,
    /// Stands in for the desktop's dialog when set (tests): called on the dialog's background thread.
    pub dialog_stub: Option<file_picker::DialogStub>,
    /// Keep the recent-files list in the config folder (the app; tests keep it in memory).
    pub persist_recent: bool,
}

impl AtlasApp {
    /// An app with nothing loaded.
    pub fn new(settings: Settings) -> Self {
        AtlasApp {
            settings,
            model: None,
            loaded_from: String::new(),
            load_error: None,
            selected: None,
            filter: String::new(),
            show_warnings: false,
            show_about: false,
            view: View::Explorer,
            graph: GraphView::default(),
            history: Vec::new(),
            history_pos: 0,
            palette: None,
            recent: Vec::new(),
            editor: editor::EditorView::default(),
            evaluator: evaluator::EvaluatorView::default(),
            findings: findings::FindingsView::default(),
            changes: changes::ChangesView::default(),
            lessons: lessons::LessonsView::default(),
            quit_asked: false,
            quit_confirmed: false,
            assume: details::AssumeView::default(),
            commands: Vec::new(),
            load: tasks::Slot::default(),
            dialog: tasks::Slot::default(),
            screenshot: None,
            pacer: input::InputPacer::default(),
            picker: None,
            native_dialogs: false,
            dialog_stub: None,
            persist_recent: false,
        }
    }

    /// An app showing `model` (tests, and after a synchronous load).
    pub fn with_model(model: Model, loaded_from: impl Into<String>) -> Self {
        let mut app = AtlasApp::new(Settings::default());
        app.model = Some(Arc::new(model));
        app.loaded_from = loaded_from.into();
        app
    }

    /// Queue a command (buttons call this; it runs at the end of the frame).
    pub fn push(&mut self, c: Command) {
        self.commands.push(c);
    }

    /// Split a frame's input so that no typed character is lost around a focus change (see [`input`]); eframe
    /// calls this before each frame, and the GUI tests before theirs. True when events wait for the next frame
    /// (the caller asks for a repaint).
    pub fn pace_input(&mut self, raw: &mut egui::RawInput) -> bool {
        self.pacer.pace(raw)
    }

    /// True while a load runs in the background.
    pub fn is_loading(&self) -> bool {
        self.load.busy()
    }

    /// True while the desktop's file dialog is open.
    pub fn is_dialog_open(&self) -> bool {
        self.dialog.busy()
    }

    fn start_load(&mut self, ctx: &egui::Context, files: Vec<PathBuf>) {
        // Acknowledged findings are kept beside the first file (the bundled sample: in memory only).
        self.findings.set_baseline_path(
            files
                .first()
                .map(|f| f.with_file_name(findings::BASELINE_FILE)),
        );
        let what = if files.is_empty() {
            "bundled sample".to_string()
        } else {
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        // A load started while another runs replaces it: the earlier one's model is never shown.
        self.load.start(ctx, "load", what, move |report| {
            let report = report.clone();
            let opts = LoadOptions {
                progress: Some(Box::new(move |f: &str, done, total| {
                    let fraction = (total > 0).then(|| done as f32 / total as f32);
                    report.progress(fraction, format!("loading {f}"));
                })),
                ..LoadOptions::default()
            };
            if files.is_empty() {
                crate::sample::load_sample(opts)
            } else {
                load_paths(&files, opts)
            }
        });
    }

    fn poll_load(&mut self) {
        let Some((what, result)) = self.load.poll(|_| true) else {
            return;
        };
        match result {
            Ok(Ok(model)) => {
                self.model = Some(Arc::new(model));
                self.loaded_from = what;
                self.load_error = None;
                self.selected = None;
            }
            Ok(Err(e)) => self.load_error = Some(e.to_string()),
            Err(e) => self.load_error = Some(e.to_string()),
        }
    }

    fn run_commands(&mut self, ctx: &egui::Context) {
        // A command runs after the frame was drawn: draw its result at once.
        if !self.commands.is_empty() {
            ctx.request_repaint();
        }
        let mut queue: std::collections::VecDeque<Command> =
            std::mem::take(&mut self.commands).into();
        while let Some(c) = queue.pop_front() {
            match c {
                Command::PickFile(purpose) => self.pick_file(ctx, purpose),
                Command::FileChosen(purpose, files) => {
                    queue.extend(self.file_chosen(purpose, files));
                }
                Command::DismissLoadError => self.load_error = None,
                Command::LoadTeachingCases => {
                    self.evaluator.load_teaching_cases();
                    self.evaluator.tab = evaluator::Tab::Suite;
                    self.view = View::Evaluator;
                    self.settings.view = View::Evaluator;
                }
                Command::Select(r) => self.select(r),
                Command::Open(files) => {
                    self.remember(&files);
                    self.start_load(ctx, files)
                }
                Command::OpenSample => self.start_load(ctx, Vec::new()),
                Command::ToggleTheme => self.settings.light = !self.settings.light,
                Command::ToggleWarnings => self.show_warnings = !self.show_warnings,
                Command::ToggleAbout => self.show_about = !self.show_about,
                Command::SetView(v) => {
                    self.view = v;
                    self.settings.view = v;
                }
                Command::BlastRadius(target, text) => {
                    if let Some(m) = self.model.clone() {
                        self.changes.blast_radius(ctx, m, target, text);
                        self.view = View::Changes;
                    }
                }
                Command::OpenLesson(id) => {
                    self.lessons.open = Some(id);
                    self.view = View::Lessons;
                    self.settings.view = View::Lessons;
                }
                Command::WhoCan(action, resource) => {
                    self.evaluator.action = action;
                    self.evaluator.resource = resource;
                    self.evaluator.tab = evaluator::Tab::WhoCan;
                    self.view = View::Evaluator;
                    self.settings.view = View::Evaluator;
                }
                Command::ReplayTrail(files) => {
                    if let Some(m) = self.model.clone() {
                        self.changes
                            .replay
                            .start(ctx, m, replay::TrailOrigin::Files(files));
                        self.changes.mode = changes::Mode::Replay;
                        self.view = View::Changes;
                    }
                }
                Command::CompareWith(files) => {
                    if let Some(m) = self.model.clone() {
                        self.changes.compare_with(ctx, m, files);
                        self.changes.mode = changes::Mode::Diff;
                        // A graph with the changes overlaid stays; otherwise the Changes view shows the diff.
                        if !(self.graph.changes && self.view.graph().is_some()) {
                            self.view = View::Changes;
                        }
                    }
                }
                Command::ShowInGraph(r) => {
                    self.select(r);
                    self.view = match r.kind {
                        EntityKind::Role
                        | EntityKind::InstanceProfile
                        | EntityKind::IdentityProvider => View::Trust,
                        _ => View::Identity,
                    };
                    self.graph.center_on(r);
                }
                Command::Back => {
                    if self.history_pos > 1 {
                        self.history_pos -= 1;
                        self.selected = self.history.get(self.history_pos - 1).copied();
                    }
                }
                Command::Forward => {
                    if self.history_pos < self.history.len() {
                        self.history_pos += 1;
                        self.selected = self.history.get(self.history_pos - 1).copied();
                    }
                }
                Command::TogglePalette => {
                    self.palette = match self.palette {
                        Some(_) => None,
                        None => Some(palette::Palette::default()),
                    }
                }
                Command::ExportPng(path) => {
                    if let Some(rect) = self.graph.canvas_rect() {
                        let ppp = ctx.pixels_per_point();
                        ctx.request_screenshot(move |image| {
                            let part = image.region(&rect, Some(ppp));
                            let [w, h] = part.size;
                            let bytes: Vec<u8> =
                                part.pixels.iter().flat_map(|c| c.to_array()).collect();
                            let saved = image::RgbaImage::from_raw(w as u32, h as u32, bytes)
                                .map(|img| save_png(&img, &path));
                            match saved {
                                Some(Ok(())) => {}
                                Some(Err(e)) => {
                                    eprintln!("error: cannot write {}: {e}", path.display())
                                }
                                None => eprintln!("error: the picture has an unexpected size"),
                            }
                        });
                    }
                }
                Command::EditNew(title, text) => {
                    self.editor.open_text(
                        title,
                        text,
                        crate::validate::PolicyKind::Identity(
                            crate::validate::IdentityKind::Managed,
                        ),
                        editor::Origin::New,
                    );
                    self.view = View::Editor;
                }
                Command::Evaluate(r) => {
                    self.evaluator.load_request(&r);
                    self.evaluator.tab = evaluator::Tab::Request;
                    self.view = View::Evaluator;
                }
                Command::ExportDot(path, text) => {
                    if let Err(e) = crate::files::write_atomic(&path, text.as_bytes()) {
                        self.load_error = Some(format!("cannot write {}: {e}", path.display()));
                    }
                }
                c @ (Command::EditAt(..)
                | Command::EditFile(_)
                | Command::SaveText(..)
                | Command::ApplyWhatIf(..)
                | Command::RevertWhatIf(_)
                | Command::RevertAll
                | Command::ConfirmQuit) => {
                    let edits_model = matches!(
                        c,
                        Command::ApplyWhatIf(..) | Command::RevertWhatIf(_) | Command::RevertAll
                    );
                    if edits_model {
                        // The edit needs the model's only reference: long work holding it is stopped (a
                        // review or a replay of the model before the edit would be forgotten anyway).
                        self.findings.stop();
                        self.changes.replay.stop();
                    }
                    let before = self.model.as_ref().map(|m| m.generation());
                    self.run_edit_command(ctx, c);
                    // Only an edit that happened (not one deferred to a later frame) outdates the review.
                    if edits_model && self.model.as_ref().map(|m| m.generation()) != before {
                        self.findings.invalidate();
                    }
                }
            }
        }
    }

    /// The folder a file dialog starts in: the last opened file's, else the working folder.
    fn start_dir(&self) -> PathBuf {
        self.recent
            .first()
            .and_then(|f| f.parent())
            .filter(|d| d.is_dir())
            .map(|d| d.to_path_buf())
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// Ask for a file: the desktop's dialog when there is one, else the built-in picker. Either answers in a
    /// later frame, as [`Command::FileChosen`]: the desktop's dialog is awaited on a background task, so no
    /// frame ever waits for it.
    fn pick_file(&mut self, ctx: &egui::Context, purpose: file_picker::FilePurpose) {
        let dir = self.start_dir();
        if self.dialog.busy() {
            // One dialog at a time: the open one has the person's attention.
            return;
        }
        if self.native_dialogs || self.dialog_stub.is_some() {
            // Started here, on the UI thread (macOS wants its dialogs started there), awaited on the task.
            let answer: Box<dyn FnOnce() -> file_picker::NativeAnswer + Send> =
                match &self.dialog_stub {
                    Some(stub) => {
                        let stub = stub.clone();
                        Box::new(move || stub(purpose))
                    }
                    None => Box::new(file_picker::native(purpose, Some(&dir))),
                };
            self.dialog
                .start(ctx, "file dialog", purpose, move |_| answer());
            return;
        }
        self.picker = Some(file_picker::FilePicker::new(purpose, dir));
    }

    /// Take the desktop dialog's answer when it has come.
    fn poll_dialog(&mut self) {
        let Some((purpose, answer)) = self.dialog.poll(|_| true) else {
            return;
        };
        match answer {
            Ok(file_picker::NativeAnswer::Chosen(files)) => {
                self.commands.push(Command::FileChosen(purpose, files));
            }
            Ok(file_picker::NativeAnswer::Cancelled) => {}
            // No dialog showed (or it failed): the built-in picker, from now on.
            Ok(file_picker::NativeAnswer::Unavailable) | Err(_) => {
                self.native_dialogs = false;
                self.dialog_stub = None;
                self.picker = Some(file_picker::FilePicker::new(purpose, self.start_dir()));
            }
        }
    }

    /// What to do with chosen files.
    fn file_chosen(
        &mut self,
        purpose: file_picker::FilePurpose,
        files: Vec<PathBuf>,
    ) -> Vec<Command> {
        use file_picker::FilePurpose as P;
        let Some(first) = files.first().cloned() else {
            return Vec::new();
        };
        match purpose {
            P::OpenSnapshot => vec![Command::Open(files)],
            P::CompareWith => vec![Command::CompareWith(files)],
            P::ReplayTrail => vec![Command::ReplayTrail(files)],
            P::EditPolicy => vec![Command::EditFile(first)],
            P::SavePolicy => vec![Command::SaveText(first, self.editor.text.clone())],
            P::LoadRequests => {
                self.evaluator.load_suite_file(&first);
                Vec::new()
            }
            P::SaveRequests => {
                if let Some(m) = &self.model {
                    self.evaluator.save_suite_file(&first, m);
                }
                Vec::new()
            }
            P::ExportDot => self
                .graph
                .dot_text()
                .map(|t| Command::ExportDot(first, t))
                .into_iter()
                .collect(),
            P::ExportSvg => self
                .graph
                .svg_text()
                .map(|t| Command::ExportDot(first, t))
                .into_iter()
                .collect(),
            P::ExportPng => vec![Command::ExportPng(first)],
        }
    }

    /// Select `r`, recording it in the history (forward entries are dropped).
    fn select(&mut self, r: EntityRef) {
        if self.selected == Some(r) {
            return;
        }
        self.history.truncate(self.history_pos);
        self.history.push(r);
        self.history_pos = self.history.len();
        self.selected = Some(r);
    }

    /// True when Back would go somewhere.
    pub fn can_go_back(&self) -> bool {
        self.history_pos > 1
    }

    /// True when Forward would go somewhere.
    pub fn can_go_forward(&self) -> bool {
        self.history_pos < self.history.len()
    }

    fn remember(&mut self, files: &[PathBuf]) {
        for f in files.iter().rev() {
            self.recent.retain(|r| r != f);
            self.recent.insert(0, f.clone());
        }
        self.recent.truncate(10);
        if self.persist_recent {
            palette::save_recent(&self.recent);
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let (back, forward, palette, escape) = ctx.input_mut(|i| {
            let back = i.consume_key(egui::Modifiers::ALT, egui::Key::ArrowLeft)
                || i.pointer.button_pressed(egui::PointerButton::Extra1);
            let forward = i.consume_key(egui::Modifiers::ALT, egui::Key::ArrowRight)
                || i.pointer.button_pressed(egui::PointerButton::Extra2);
            let palette = i.consume_key(egui::Modifiers::COMMAND, egui::Key::K);
            let escape = i.key_pressed(egui::Key::Escape);
            (back, forward, palette, escape)
        });
        if back {
            self.push(Command::Back);
        }
        if forward {
            self.push(Command::Forward);
        }
        if palette || (escape && self.palette.is_some()) {
            self.push(Command::TogglePalette);
        }
    }

    /// Draw one frame into `ui` (also what the egui_kittest tests drive).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.poll_load();
        self.poll_dialog();
        ctx.set_theme(if self.settings.light {
            egui::Theme::Light
        } else {
            egui::Theme::Dark
        });
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if !dropped.is_empty() {
            self.push(Command::Open(dropped));
        }
        self.shortcuts(&ctx);
        self.top_bar(ui);
        self.status_bar(ui);
        if self.view != View::Lessons {
            self.lessons.strip(ui, &mut self.commands);
        }
        let model = self.model.clone();
        if let Some(m) = &model {
            self.findings.update(&ctx, m);
        }
        self.changes.poll();
        // "Who can assume it" for a selected role: the engine's answer, computed on the runner.
        match (&model, self.selected) {
            (Some(m), Some(r)) if r.kind == EntityKind::Role => self.assume.update(&ctx, m, r),
            _ => self.assume.clear(),
        }
        if let (Some(m), Some(kind)) = (&model, self.view.graph()) {
            let after = self.changes.after.clone();
            self.graph
                .update(&ctx, m, kind, self.selected, after.as_ref());
        }
        // The explorer list belongs to the Explorer view; the graphs are the map there, and the editor and the
        // evaluator need the width.
        if self.view == View::Explorer {
            egui::Panel::left("explorer")
                .resizable(true)
                .default_size(320.0)
                .show(ui, |ui| match &model {
                    Some(m) => {
                        explorer::ui(ui, m, &mut self.filter, self.selected, &mut self.commands)
                    }
                    None => {
                        ui.weak("nothing loaded");
                    }
                });
        }
        if self.view.graph().is_some()
            && self.view != View::Editor
            && let (Some(m), Some(sel)) = (&model, self.selected)
        {
            egui::Panel::right("graph-details")
                .resizable(true)
                .default_size(340.0)
                .show(ui, |ui| {
                    details::ui(ui, m, sel, &self.assume, &mut self.commands)
                });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(err) = &self.load_error {
                ui.horizontal_wrapped(|ui| {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!("could not load: {err}"),
                    );
                    if self.model.is_none()
                        && !self.load.busy()
                        && ui.button("Open the bundled sample").clicked()
                    {
                        self.commands.push(Command::OpenSample);
                        self.commands.push(Command::DismissLoadError);
                    }
                    if ui.button("Dismiss").clicked() {
                        self.commands.push(Command::DismissLoadError);
                    }
                });
                ui.separator();
            }
            if self.view == View::Editor {
                self.editor.ui(ui, model.as_deref(), &mut self.commands);
                return;
            }
            if self.view == View::Findings {
                match &model {
                    Some(m) => self.findings.ui(ui, m, &mut self.commands),
                    None => {
                        ui.label("Open an export or a workspace to review it.");
                    }
                }
                return;
            }
            if self.view == View::Changes {
                self.changes.ui(ui, model.as_ref(), &mut self.commands);
                return;
            }
            if self.view == View::Lessons {
                self.lessons.ui(ui, model.as_deref(), &mut self.commands);
                return;
            }
            if self.view == View::Evaluator {
                match &model {
                    Some(m) => self.evaluator.ui(ui, m, &mut self.commands),
                    None => {
                        ui.label("Open an export or a workspace to evaluate requests.");
                    }
                }
                return;
            }
            if self.view.graph().is_some()
                && let Some(m) = &model
            {
                self.graph.toolbar(ui, m, &mut self.commands);
                self.graph.canvas(ui, self.selected, &mut self.commands);
                return;
            }
            // IAM Identity Center's people, groups and permission sets have pages of their own.
            if let Some(m) = &model
                && people::page(ui, m, self.selected, &mut self.commands)
            {
                return;
            }
            match (&model, self.selected) {
                (Some(m), Some(sel)) => details::ui(ui, m, sel, &self.assume, &mut self.commands),
                (Some(m), None) => details::overview(
                    ui,
                    m,
                    self.loaded_from == "bundled sample",
                    &mut self.commands,
                ),
                (None, _) if self.load.busy() => {
                    tasks::running_ui(ui, "loading…", self.load.progress().as_ref());
                }
                (None, _) => {
                    ui.label("Open an export or a workspace (File, Open…, or drop files here).");
                }
            }
        });
        if self.show_warnings
            && let Some(m) = &model
        {
            self.warnings_window(&ctx, m);
        }
        if self.show_about {
            about::window(&ctx, &mut self.show_about);
        }
        if let Some(picker) = &mut self.picker {
            match picker.ui(&ctx) {
                file_picker::PickerOutcome::Open => {}
                file_picker::PickerOutcome::Cancelled => self.picker = None,
                file_picker::PickerOutcome::Chosen(files) => {
                    let purpose = picker.purpose;
                    self.picker = None;
                    self.commands.push(Command::FileChosen(purpose, files));
                }
            }
        }
        if let (Some(p), Some(m)) = (&mut self.palette, &model) {
            let picked = p.ui(&ctx, m);
            self.commands.extend(picked);
        }
        if let Some((source, span)) = editor::take_edit_request(&ctx) {
            self.commands.push(Command::EditAt(source, span));
        }
        self.editor.autosave();
        self.quit_guard(&ctx);
        // What-if edits change the model in place: no clone of it may be alive here.
        drop(model);
        self.run_commands(&ctx);
        self.screenshot_step(&ctx);
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::top("top").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.menu_button("File", |ui| {
                    if ui.button("Open…").clicked() {
                        self.commands
                            .push(Command::PickFile(file_picker::FilePurpose::OpenSnapshot));
                        ui.close();
                    }
                    if ui.button("Open the bundled sample").clicked() {
                        self.commands.push(Command::OpenSample);
                        ui.close();
                    }
                    if !self.recent.is_empty() {
                        ui.separator();
                        ui.weak("Recent");
                        for f in self.recent.clone() {
                            if ui.button(f.display().to_string()).clicked() {
                                self.commands.push(Command::Open(vec![f]));
                                ui.close();
                            }
                        }
                    }
                });
                ui.menu_button("Help", |ui| {
                    if ui.button("About IAM Atlas").clicked() {
                        self.commands.push(Command::ToggleAbout);
                        ui.close();
                    }
                });
                if ui
                    .add_enabled(self.can_go_back(), egui::Button::new("Back"))
                    .on_hover_text("Alt+Left or the mouse back button")
                    .clicked()
                {
                    self.commands.push(Command::Back);
                }
                if ui
                    .add_enabled(self.can_go_forward(), egui::Button::new("Forward"))
                    .on_hover_text("Alt+Right or the mouse forward button")
                    .clicked()
                {
                    self.commands.push(Command::Forward);
                }
                if ui
                    .button("Jump to…")
                    .on_hover_text("Ctrl+K: go to any entity by name")
                    .clicked()
                {
                    self.commands.push(Command::TogglePalette);
                }
                ui.heading("IAM Atlas");
                ui.weak(&self.loaded_from);
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let label = if self.settings.light {
                        "Dark theme"
                    } else {
                        "Light theme"
                    };
                    if ui.button(label).clicked() {
                        self.commands.push(Command::ToggleTheme);
                    }
                });
            });
            // The views, in the top bar: they stay where they are whatever the view shows below.
            ui.horizontal(|ui| {
                for (v, label) in [
                    (View::Explorer, "Explorer"),
                    (View::Identity, "Identity graph"),
                    (View::Trust, "Trust graph"),
                    (View::Editor, "Policy editor"),
                    (View::Evaluator, "Evaluator"),
                    (View::Findings, "Findings"),
                    (View::Changes, "Changes"),
                    (View::Lessons, "Lessons"),
                ] {
                    if ui.selectable_label(self.view == v, label).clicked() && self.view != v {
                        self.commands.push(Command::SetView(v));
                    }
                }
            });
        });
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                if let Some(what) = self.load.running() {
                    tasks::running_ui(
                        ui,
                        &format!("loading {what}"),
                        self.load.progress().as_ref(),
                    );
                    return;
                }
                if self.dialog.busy() {
                    // No spinner: a dialog waits for a person, not for the machine.
                    ui.weak("a file dialog is open…");
                    ui.separator();
                }
                let Some(m) = &self.model else {
                    ui.label("no snapshot loaded");
                    return;
                };
                let users: usize = m.accounts.iter().map(|a| a.users.len()).sum();
                let roles: usize = m.accounts.iter().map(|a| a.roles.len()).sum();
                ui.label(format!(
                    "{} · {} · {}",
                    plural(m.accounts.len(), "account"),
                    plural(users, "user"),
                    plural(roles, "role")
                ));
                ui.separator();
                let skipped = m
                    .warnings
                    .iter()
                    .filter(|w| w.kind == WarningKind::Skipped)
                    .count();
                // No warnings: a plain text, not a link to an empty window.
                if m.warnings.is_empty() {
                    ui.weak("no load warnings");
                } else if ui
                    .link(format!(
                        "{} load {}",
                        m.warnings.len(),
                        if m.warnings.len() == 1 {
                            "warning"
                        } else {
                            "warnings"
                        }
                    ))
                    .clicked()
                {
                    self.commands.push(Command::ToggleWarnings);
                }
                ui.separator();
                match self.findings.open_counts(m) {
                    Some(counts) => {
                        let counts: Vec<String> = counts
                            .iter()
                            .filter(|(_, n)| *n > 0)
                            .map(|(s, n)| format!("{n} {}", s.name()))
                            .collect();
                        let text = if counts.is_empty() {
                            "no findings".to_string()
                        } else {
                            format!("findings: {}", counts.join(" · "))
                        };
                        if ui.link(text).clicked() {
                            self.commands.push(Command::SetView(View::Findings));
                        }
                    }
                    None => match self.findings.failure(m) {
                        Some(e) => {
                            ui.colored_label(ui.visuals().error_fg_color, e);
                        }
                        None => {
                            // Text only: the status line stays still (the Findings view has the spinner).
                            ui.weak("reviewing…");
                        }
                    },
                }
                if !m.is_complete() {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        format!("INCOMPLETE: {skipped} parts skipped"),
                    );
                }
            });
        });
    }

    fn warnings_window(&mut self, ctx: &egui::Context, m: &Model) {
        let mut open = true;
        egui::Window::new("Load warnings")
            .open(&mut open)
            .default_width(640.0)
            .show(ctx, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    for w in &m.warnings {
                        let tag = w.kind.label();
                        let text = format!("[{tag}] {w}");
                        let check = w.code().check();
                        let meaning = format!("{}: {}", check.code, check.summary);
                        match w.entity {
                            Some(e) => {
                                if ui.link(text).on_hover_text(meaning).clicked() {
                                    self.commands.push(Command::Select(e));
                                }
                            }
                            None => {
                                ui.label(text).on_hover_text(meaning);
                            }
                        }
                        // The place in the file, its value underlined (an excerpt: exports are often one line).
                        if let Some(x) = w.excerpt(m, 110) {
                            ui.label(excerpt_job(ui, &x)).on_hover_text(format!(
                                "line {}, column {} of {}",
                                x.at.line, x.at.col, w.file
                            ));
                        }
                    }
                });
            });
        if !open {
            self.show_warnings = false;
        }
    }

    fn screenshot_step(&mut self, ctx: &egui::Context) {
        let Some(plan) = &mut self.screenshot else {
            return;
        };
        if self.load.busy()
            || self.model.is_none()
            || self.graph.is_computing()
            || self.evaluator.is_busy()
            || self.changes.busy()
            || self.assume.busy()
        {
            ctx.request_repaint();
            return;
        }
        if plan.frames_after_load > 0 {
            plan.frames_after_load -= 1;
            ctx.request_repaint();
            return;
        }
        if !plan.requested {
            plan.requested = true;
            let path = plan.path.clone();
            let ctx2 = ctx.clone();
            ctx.request_screenshot(move |image| {
                let [w, h] = image.size;
                let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
                match image::RgbaImage::from_raw(w as u32, h as u32, bytes) {
                    Some(img) => {
                        if let Err(e) = save_png(&img, &path) {
                            eprintln!("error: cannot save screenshot {}: {e}", path.display());
                        }
                    }
                    None => eprintln!("error: screenshot has an unexpected size"),
                }
                ctx2.send_viewport_cmd(egui::ViewportCommand::Close);
            });
        }
    }
}

struct EframeApp {
    app: AtlasApp,
}

impl eframe::App for EframeApp {
    fn raw_input_hook(&mut self, ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        if self.app.pace_input(raw_input) {
            ctx.request_repaint();
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.app.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.app.settings.view = self.app.view;
        self.app.settings.hops = Some(self.app.graph.hops);
        eframe::set_value(storage, eframe::APP_KEY, &self.app.settings);
    }
}

/// Parse `IAM_ATLAS_SELECT=kind:name` (e.g. `user:alice`) for screenshots.
fn preselect(model: &Model, spec: &str) -> Option<EntityRef> {
    let (kind, name) = spec.split_once(':')?;
    let kind = match kind {
        "user" => EntityKind::User,
        "group" => EntityKind::Group,
        "role" => EntityKind::Role,
        "policy" => EntityKind::Policy,
        "profile" => EntityKind::InstanceProfile,
        _ => return None,
    };
    model.by_name(kind, name).into_iter().next()
}

/// True while the explorer's filter is computed in the background (for benchmarks and tests).
pub fn explorer_filtering(ctx: &egui::Context) -> bool {
    explorer::filtering(ctx)
}

/// Start the GUI on `files` (the bundled sample when empty). Returns the exit status.
pub fn run(files: Vec<PathBuf>) -> i32 {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("IAM Atlas")
        .with_app_id(about::APP_ID)
        .with_inner_size([1280.0, 800.0])
        .with_drag_and_drop(true);
    if let Some(icon) = about::icon() {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        // The app id would move the settings to a new folder: they stay where the app name put them.
        persistence_path: eframe::storage_dir(about::APP_NAME).map(|d| d.join("app.ron")),
        ..Default::default()
    };
    let shot = std::env::var_os("IAM_ATLAS_SCREENSHOT").map(PathBuf::from);
    let select = std::env::var("IAM_ATLAS_SELECT").ok();
    let view = std::env::var("IAM_ATLAS_VIEW").ok();
    let focus = std::env::var("IAM_ATLAS_FOCUS").ok();
    let search = std::env::var("IAM_ATLAS_SEARCH").ok();
    let edit_file = std::env::var_os("IAM_ATLAS_EDIT").map(PathBuf::from);
    let request = std::env::var("IAM_ATLAS_REQUEST").ok();
    let tab = std::env::var("IAM_ATLAS_TAB").ok();
    let picker = std::env::var_os("IAM_ATLAS_PICKER").is_some();
    let show_about = std::env::var_os("IAM_ATLAS_ABOUT").is_some();
    let lesson = std::env::var("IAM_ATLAS_LESSON").ok();
    // `IAM_ATLAS_COMPARE=after.json`: the Changes view, the loaded model compared with that snapshot.
    let compare = std::env::var_os("IAM_ATLAS_COMPARE").map(PathBuf::from);
    // `IAM_ATLAS_GRAPH_CHANGES=1` (with `IAM_ATLAS_COMPARE` and a graph view): the graph with that snapshot's
    // changes overlaid.
    let graph_changes = std::env::var_os("IAM_ATLAS_GRAPH_CHANGES").is_some();
    // `IAM_ATLAS_REPLAY=ROLE_OR_USER_ARN`: the Changes view replaying the sample's trail, with that principal's
    // least-privilege draft.
    let replay_draft = std::env::var("IAM_ATLAS_REPLAY").ok();
    let result = eframe::run_native(
        about::APP_NAME,
        options,
        Box::new(move |cc| {
            let settings: Settings = cc
                .storage
                .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
                .unwrap_or_default();
            let mut app = AtlasApp::new(settings);
            app.recent = palette::load_recent();
            app.native_dialogs = shot.is_none() && file_picker::native_expected();
            app.persist_recent = shot.is_none();
            if shot.is_none() {
                app.editor.drafts = editor::draft_store();
                app.editor.find_drafts();
            }
            app.view = app.settings.view;
            if let Some(h) = app.settings.hops {
                app.graph.hops = h.clamp(1, 6);
            }
            if let Some(path) = shot {
                // Screenshots show a first run: no remembered panel sizes or collapsed sections.
                cc.egui_ctx.memory_mut(|m| *m = egui::Memory::default());
                // Screenshots load synchronously so the picture shows the loaded state.
                let loaded = if files.is_empty() {
                    crate::sample::load_sample(LoadOptions::default())
                } else {
                    load_paths(&files, LoadOptions::default())
                };
                match loaded {
                    Ok(m) => {
                        if let Some(r) = select.as_deref().and_then(|s| preselect(&m, s)) {
                            app.select(r);
                        }
                        app.view = match view.as_deref() {
                            Some("identity") => View::Identity,
                            Some("trust") => View::Trust,
                            Some("editor") => View::Editor,
                            Some("evaluator") => View::Evaluator,
                            Some("findings") => View::Findings,
                            Some("changes") => View::Changes,
                            Some("lessons") => View::Lessons,
                            _ => View::Explorer,
                        };
                        if let Some(h) = focus.as_deref().and_then(|f| f.parse().ok()) {
                            app.graph.focus = true;
                            app.graph.hops = h;
                        }
                        app.graph.search = search.clone().unwrap_or_default();
                        if let Some(r) = &request {
                            app.evaluator.preset(r);
                        }
                        app.evaluator.tab = match tab.as_deref() {
                            Some("who") => evaluator::Tab::WhoCan,
                            Some("what") => evaluator::Tab::WhatCan,
                            Some("suite") => evaluator::Tab::Suite,
                            Some("teaching") => {
                                app.evaluator.load_teaching_cases();
                                app.evaluator.outcomes = crate::eval::suite::run(
                                    &m,
                                    &app.evaluator.suite,
                                    &crate::eval::Overrides::default(),
                                );
                                evaluator::Tab::Suite
                            }
                            _ => evaluator::Tab::Request,
                        };
                        if picker {
                            app.picker = Some(file_picker::FilePicker::new(
                                file_picker::FilePurpose::OpenSnapshot,
                                std::env::current_dir().unwrap_or_default(),
                            ));
                        }
                        if let Some(f) = &edit_file {
                            app.push(Command::EditFile(f.clone()));
                        }
                        app.model = Some(Arc::new(m));
                        // `IAM_ATLAS_PERSON=alice@…`: a person's page (IAM Identity Center).
                        if let (Ok(who), Some(m)) =
                            (std::env::var("IAM_ATLAS_PERSON"), app.model.as_deref())
                            && let Some(u) =
                                m.identity_center.as_ref().and_then(|ic| ic.find_user(&who))
                        {
                            people::select(
                                &cc.egui_ctx,
                                m,
                                people::PeopleRef::Person(u),
                                app.selected,
                            );
                        }
                        app.loaded_from = if files.is_empty() {
                            "bundled sample".into()
                        } else {
                            "files".into()
                        };
                    }
                    Err(e) => app.load_error = Some(e.to_string()),
                }
                app.show_about = show_about;
                if let Some(after) = &compare {
                    app.graph.changes = graph_changes;
                    app.push(Command::CompareWith(vec![after.clone()]));
                }
                if let (Some(p), Some(m)) = (&replay_draft, app.model.clone()) {
                    app.changes
                        .replay
                        .start(&cc.egui_ctx, m, replay::TrailOrigin::Sample);
                    app.changes.replay.draft_when_replayed(p.clone());
                    app.changes.mode = changes::Mode::Replay;
                    app.view = View::Changes;
                }
                // `IAM_ATLAS_LESSON=abac`: that lesson open (in the Lessons view, or as the strip above another).
                app.lessons.open = lesson
                    .as_deref()
                    .and_then(crate::lessons::lesson)
                    .map(|l| l.id);
                app.screenshot = Some(ScreenshotPlan {
                    path,
                    frames_after_load: 5,
                    requested: false,
                });
            } else {
                app.push(if files.is_empty() {
                    Command::OpenSample
                } else {
                    Command::Open(files)
                });
                let ctx = cc.egui_ctx.clone();
                let cmds = std::mem::take(&mut app.commands);
                for c in cmds {
                    match c {
                        Command::Open(f) => {
                            // Files named on the command line are remembered like those opened in the app.
                            app.remember(&f);
                            app.start_load(&ctx, f)
                        }
                        Command::OpenSample => app.start_load(&ctx, Vec::new()),
                        other => app.commands.push(other),
                    }
                }
            }
            Ok(Box::new(EframeApp { app }))
        }),
    );
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: cannot start the GUI: {e}");
            1
        }
    }
}

pub use crate::text::plural;

/// Encode `img` as PNG and write it atomically (a temporary file renamed over the target).
fn save_png(img: &image::RgbaImage, path: &std::path::Path) -> Result<(), String> {
    let mut bytes = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    )
    .map_err(|e| e.to_string())?;
    crate::files::write_atomic(path, &bytes).map_err(|e| e.to_string())
}

/// An excerpt of a source in monospace with its place underlined in the warning colour.
fn excerpt_job(ui: &egui::Ui, x: &crate::account::Excerpt) -> egui::text::LayoutJob {
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let plain = egui::TextFormat::simple(font.clone(), ui.visuals().weak_text_color());
    let marked = egui::TextFormat {
        underline: egui::Stroke::new(1.5, ui.visuals().warn_fg_color),
        color: ui.visuals().text_color(),
        ..egui::TextFormat::simple(font, ui.visuals().text_color())
    };
    let (first, n) = x.underline;
    let mut job = egui::text::LayoutJob::default();
    let head: String = x.text.chars().take(first).collect();
    let mid: String = x.text.chars().skip(first).take(n).collect();
    let tail: String = x.text.chars().skip(first + n).collect();
    job.append(&head, 0.0, plain.clone());
    job.append(&mid, 0.0, marked);
    job.append(&tail, 0.0, plain);
    job
}
