//! Choosing files: the desktop's dialog when there is one, otherwise a picker drawn by the app.
//!
//! rfd is built with the XDG desktop portal only (and zenity as its fallback). Where neither runs (a jump
//! host, a tiling window manager, SSH X forwarding, WSLg) its dialog returns nothing at once, which looked like
//! "File ▸ Open does nothing". The app then shows its own picker: a path field that has the keyboard, the
//! folder's listing (folders first), arrows to move, Enter to open, Escape to cancel.

use eframe::egui;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a chosen file is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilePurpose {
    /// Snapshot files to load (several at once).
    OpenSnapshot,
    /// The snapshot (exports or a workspace) to compare the loaded model with, as *after*.
    CompareWith,
    /// A policy to open in the editor.
    EditPolicy,
    /// Where to save the editor's text.
    SavePolicy,
    /// A saved request set to load into the evaluator.
    LoadRequests,
    /// Where to save the evaluator's request set.
    SaveRequests,
    /// Where to write the graph as Graphviz DOT.
    ExportDot,
    /// Where to write the graph as PNG.
    ExportPng,
    /// Where to write the graph as SVG.
    ExportSvg,
    /// CloudTrail files (or their folder) to replay against the loaded model.
    ReplayTrail,
}

impl FilePurpose {
    /// True when the file is written (a save dialog), false when it is read.
    pub fn saves(self) -> bool {
        matches!(
            self,
            FilePurpose::SavePolicy
                | FilePurpose::SaveRequests
                | FilePurpose::ExportDot
                | FilePurpose::ExportPng
                | FilePurpose::ExportSvg
        )
    }

    /// True when several files may be chosen.
    pub fn multiple(self) -> bool {
        matches!(
            self,
            FilePurpose::OpenSnapshot | FilePurpose::CompareWith | FilePurpose::ReplayTrail
        )
    }

    /// The dialog's title.
    pub fn title(self) -> &'static str {
        match self {
            FilePurpose::OpenSnapshot => "Open a snapshot",
            FilePurpose::CompareWith => "Compare with a snapshot (after)",
            FilePurpose::EditPolicy => "Open a policy",
            FilePurpose::SavePolicy => "Save the policy as",
            FilePurpose::LoadRequests => "Load saved requests",
            FilePurpose::SaveRequests => "Save the requests as",
            FilePurpose::ExportDot => "Export the graph as DOT",
            FilePurpose::ExportPng => "Export the graph as PNG",
            FilePurpose::ExportSvg => "Export the graph as SVG",
            FilePurpose::ReplayTrail => "Replay CloudTrail files",
        }
    }

    /// The filter: its name and the extensions it lets through.
    pub fn filter(self) -> (&'static str, &'static [&'static str]) {
        match self {
            FilePurpose::ExportDot => ("Graphviz", &["dot", "gv"]),
            FilePurpose::ExportPng => ("PNG", &["png"]),
            FilePurpose::ExportSvg => ("SVG", &["svg"]),
            FilePurpose::ReplayTrail => ("CloudTrail", &["json", "gz"]),
            _ => ("JSON", &["json"]),
        }
    }

    /// The file name a save dialog proposes.
    pub fn default_name(self) -> Option<&'static str> {
        match self {
            FilePurpose::SavePolicy => Some("policy.json"),
            FilePurpose::SaveRequests => Some("requests.json"),
            FilePurpose::ExportDot => Some("graph.dot"),
            FilePurpose::ExportPng => Some("graph.png"),
            FilePurpose::ExportSvg => Some("graph.svg"),
            _ => None,
        }
    }
}

/// A native dialog that returns nothing faster than this did not open: nobody cancels a dialog that quickly.
const NATIVE_FAILED_WITHIN: Duration = Duration::from_millis(400);

/// What became of asking the desktop's dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NativeAnswer {
    /// Files were chosen.
    Chosen(Vec<PathBuf>),
    /// The person cancelled.
    Cancelled,
    /// No dialog showed (no portal, no zenity).
    Unavailable,
}

/// Stands in for the desktop's dialog (tests): given the purpose, returns the answer, on the dialog's background
/// task like the real one.
pub type DialogStub = std::sync::Arc<dyn Fn(FilePurpose) -> NativeAnswer + Send + Sync>;

/// Open the desktop's dialog now (rfd's asynchronous dialog, started on the calling thread: the UI thread, as
/// macOS wants) and return what waits for its answer, to be run on a background task: nothing here blocks.
pub fn native(
    purpose: FilePurpose,
    dir: Option<&Path>,
) -> impl FnOnce() -> NativeAnswer + Send + 'static {
    let (name, ext) = purpose.filter();
    let mut d = rfd::AsyncFileDialog::new()
        .set_title(purpose.title())
        .add_filter(name, ext);
    if let Some(dir) = dir {
        d = d.set_directory(dir);
    }
    if let Some(f) = purpose.default_name() {
        d = d.set_file_name(f);
    }
    type Chosen = std::pin::Pin<Box<dyn std::future::Future<Output = Option<Vec<PathBuf>>> + Send>>;
    let chosen: Chosen = if purpose.saves() {
        let f = d.save_file();
        Box::pin(async move { f.await.map(|h| vec![h.path().to_path_buf()]) })
    } else if purpose.multiple() {
        let f = d.pick_files();
        Box::pin(async move {
            f.await
                .map(|hs| hs.iter().map(|h| h.path().to_path_buf()).collect())
        })
    } else {
        let f = d.pick_file();
        Box::pin(async move { f.await.map(|h| vec![h.path().to_path_buf()]) })
    };
    let start = Instant::now();
    move || match super::tasks::block_on(chosen) {
        Some(files) if !files.is_empty() => NativeAnswer::Chosen(files),
        _ if start.elapsed() < NATIVE_FAILED_WITHIN => NativeAnswer::Unavailable,
        _ => NativeAnswer::Cancelled,
    }
}

/// Whether a desktop dialog can be expected at all: `IAM_ATLAS_FILE_PICKER=builtin` says no; on Linux and the
/// BSDs it needs a D-Bus session (for the portal) or zenity on the PATH.
pub fn native_expected() -> bool {
    if std::env::var("IAM_ATLAS_FILE_PICKER").is_ok_and(|v| v == "builtin") {
        return false;
    }
    if cfg!(any(target_os = "windows", target_os = "macos")) {
        return true;
    }
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|d| Path::new(&d).join("bus").exists());
    let zenity = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join("zenity").is_file()));
    bus || zenity
}

/// How many entries of one folder are listed (a folder of a million files stays responsive).
const MAX_ENTRIES: usize = 2000;

/// One entry of the listing.
#[derive(Clone, Debug)]
struct Entry {
    name: String,
    path: PathBuf,
    is_dir: bool,
}

/// A folder's listed entries and how many more were left out, or why it could not be read.
type Listing = Result<(Vec<Entry>, usize), String>;

/// The built-in picker's state.
pub struct FilePicker {
    /// What the file is for.
    pub purpose: FilePurpose,
    /// The folder listed.
    pub dir: PathBuf,
    /// The path field: a file, or a folder to go into.
    pub path: String,
    /// Files chosen with Ctrl+click (several snapshot files).
    pub chosen: Vec<PathBuf>,
    /// List every file, not only those the filter lets through.
    pub all_files: bool,
    listing: Option<(PathBuf, bool, Listing)>,
    highlight: Option<usize>,
    /// A problem to show (no such file, cannot read the folder).
    pub message: Option<String>,
    /// A save over an existing file waits for "Replace".
    confirm: Option<PathBuf>,
}

/// What the picker's frame ended with.
pub enum PickerOutcome {
    /// Still open.
    Open,
    /// Closed without a choice.
    Cancelled,
    /// These files were chosen.
    Chosen(Vec<PathBuf>),
}

fn with_slash(dir: &Path) -> String {
    let mut s = dir.display().to_string();
    if !s.ends_with(std::path::MAIN_SEPARATOR) {
        s.push(std::path::MAIN_SEPARATOR);
    }
    s
}

impl FilePicker {
    /// A picker for `purpose` listing `dir`.
    pub fn new(purpose: FilePurpose, dir: PathBuf) -> Self {
        let mut p = FilePicker {
            purpose,
            dir: PathBuf::new(),
            path: String::new(),
            chosen: Vec::new(),
            all_files: false,
            listing: None,
            highlight: None,
            message: None,
            confirm: None,
        };
        p.go_to(dir);
        p
    }

    /// List `dir`; the path field shows it (with the proposed name when saving).
    pub fn go_to(&mut self, dir: PathBuf) {
        self.path = with_slash(&dir);
        if let Some(name) = self.purpose.default_name() {
            self.path.push_str(name);
        }
        self.dir = dir;
        self.highlight = None;
        self.message = None;
        self.confirm = None;
    }

    fn entries(&mut self) -> &Listing {
        let fresh = self
            .listing
            .as_ref()
            .is_some_and(|(d, all, _)| *d == self.dir && *all == self.all_files);
        if !fresh {
            let listed = list(&self.dir, self.purpose, self.all_files);
            self.listing = Some((self.dir.clone(), self.all_files, listed));
        }
        match &self.listing {
            Some((_, _, l)) => l,
            None => unreachable!("listed above"),
        }
    }

    /// Act on the path field (Enter, or the Open/Save button): go into a folder, or choose the file.
    pub fn submit(&mut self) -> Option<Vec<PathBuf>> {
        if self.purpose.multiple() && !self.chosen.is_empty() {
            return Some(self.chosen.clone());
        }
        let text = self.path.trim();
        if text.is_empty() {
            return None;
        }
        let mut path = PathBuf::from(text);
        if path.is_relative() {
            path = self.dir.join(path);
        }
        if path.is_dir() {
            self.go_to(path);
            return None;
        }
        if self.purpose.saves() {
            match path.parent() {
                Some(parent) if parent.as_os_str().is_empty() || parent.is_dir() => {}
                _ => {
                    self.message = Some(format!("no such folder: {}", path.display()));
                    return None;
                }
            }
            if path.exists() && self.confirm.as_ref() != Some(&path) {
                self.message = Some(format!(
                    "{} exists: press Enter or Replace again to replace it",
                    path.display()
                ));
                self.confirm = Some(path);
                return None;
            }
            return Some(vec![path]);
        }
        if path.is_file() {
            Some(vec![path])
        } else {
            self.message = Some(format!("no such file: {}", path.display()));
            None
        }
    }

    /// Draw the picker window; says whether it is still open.
    pub fn ui(&mut self, ctx: &egui::Context) -> PickerOutcome {
        let mut outcome = PickerOutcome::Open;
        let mut open = true;
        // Keys for the listing, read before the path field sees them (it keeps the focus).
        let (up, down, enter, escape, parent) = ctx.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowUp),
                i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown),
                i.consume_key(egui::Modifiers::NONE, egui::Key::Enter),
                i.consume_key(egui::Modifiers::NONE, egui::Key::Escape),
                i.consume_key(egui::Modifiers::ALT, egui::Key::ArrowUp),
            )
        });
        if escape {
            return PickerOutcome::Cancelled;
        }
        egui::Window::new(self.purpose.title())
            .id(egui::Id::unique("file-picker"))
            .open(&mut open)
            .collapsible(false)
            .resizable(true)
            .default_size([640.0, 440.0])
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    if (ui
                        .button("Up")
                        .on_hover_text("The parent folder (Alt+Up)")
                        .clicked()
                        || parent)
                        && let Some(p) = self.dir.parent()
                    {
                        let p = p.to_path_buf();
                        self.go_to(p);
                    }
                    if let Some(home) =
                        directories::UserDirs::new().map(|u| u.home_dir().to_path_buf())
                        && ui.button("Home").clicked()
                    {
                        self.go_to(home);
                    }
                    ui.checkbox(&mut self.all_files, "All files");
                    ui.weak(self.dir.display().to_string());
                });
                let label = ui.label("Path");
                let id = egui::Id::unique("file-picker-path");
                // The field has the keyboard from the first frame: what is typed right away arrives.
                ui.memory_mut(|m| m.request_focus(id));
                let field = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.path)
                            .id(id)
                            .desired_width(f32::INFINITY)
                            .hint_text("a file, or a folder and Enter"),
                    )
                    .labelled_by(label.id);
                if field.changed() {
                    self.message = None;
                    self.confirm = None;
                }
                if let Some(m) = &self.message {
                    ui.colored_label(ui.visuals().warn_fg_color, m);
                }
                if self.purpose.multiple() && !self.chosen.is_empty() {
                    let names: Vec<String> = self.chosen.iter().map(|p| file_name(p)).collect();
                    ui.label(format!(
                        "{} chosen: {}",
                        self.chosen.len(),
                        names.join(", ")
                    ));
                }
                let footer = 34.0;
                let mut go = None;
                let mut pick = None;
                let mut toggle = None;
                let mut set_path = None;
                let highlight = self.highlight;
                let entries = self.entries().clone();
                let count = entries.as_ref().map_or(0, |(e, _)| e.len());
                egui::ScrollArea::vertical()
                    .max_height((ui.available_height() - footer).max(60.0))
                    .auto_shrink([false, false])
                    .show(ui, |ui| match &entries {
                        Err(e) => {
                            ui.colored_label(ui.visuals().error_fg_color, e);
                        }
                        Ok((list, more)) => {
                            if list.is_empty() {
                                ui.weak("nothing here the filter lets through");
                            }
                            for (i, e) in list.iter().enumerate() {
                                let text = if e.is_dir {
                                    format!("{}{}", e.name, std::path::MAIN_SEPARATOR)
                                } else {
                                    e.name.clone()
                                };
                                let on = highlight == Some(i) || self.chosen.contains(&e.path);
                                let r = ui.selectable_label(on, text);
                                if highlight == Some(i) {
                                    r.scroll_to_me(None);
                                }
                                if r.double_clicked() {
                                    if e.is_dir {
                                        go = Some(e.path.clone());
                                    } else {
                                        pick = Some(e.path.clone());
                                    }
                                } else if r.clicked() {
                                    if e.is_dir {
                                        go = Some(e.path.clone());
                                    } else if self.purpose.multiple()
                                        && ui.input(|i| i.modifiers.command)
                                    {
                                        toggle = Some(e.path.clone());
                                    } else {
                                        set_path = Some((i, e.path.clone()));
                                    }
                                }
                            }
                            if *more > 0 {
                                ui.weak(format!("… {more} more: type the name"));
                            }
                        }
                    });
                ui.separator();
                ui.horizontal(|ui| {
                    let verb = if self.purpose.saves() {
                        if self.confirm.is_some() {
                            "Replace"
                        } else {
                            "Save"
                        }
                    } else {
                        "Open"
                    };
                    if ui.button(verb).clicked()
                        && let Some(files) = self.submit()
                    {
                        outcome = PickerOutcome::Chosen(files);
                    }
                    if ui.button("Cancel").clicked() {
                        outcome = PickerOutcome::Cancelled;
                    }
                    if self.purpose.multiple() {
                        ui.weak("Ctrl+click chooses several files");
                    }
                });
                // Arrows move through the listing; the path field follows.
                if (up || down)
                    && count > 0
                    && let Ok((list, _)) = &entries
                {
                    let i = match (self.highlight, down) {
                        (None, true) => 0,
                        (None, false) => count - 1,
                        (Some(i), true) => (i + 1).min(count - 1),
                        (Some(i), false) => i.saturating_sub(1),
                    };
                    self.highlight = Some(i);
                    if let Some(e) = list.get(i) {
                        self.path = if e.is_dir {
                            with_slash(&e.path)
                        } else {
                            e.path.display().to_string()
                        };
                    }
                }
                if let Some(p) = toggle {
                    match self.chosen.iter().position(|c| *c == p) {
                        Some(i) => {
                            self.chosen.remove(i);
                        }
                        None => self.chosen.push(p),
                    }
                }
                if let Some((i, p)) = set_path {
                    self.highlight = Some(i);
                    self.path = p.display().to_string();
                }
                if let Some(p) = pick {
                    outcome = PickerOutcome::Chosen(vec![p]);
                }
                if let Some(d) = go {
                    self.go_to(d);
                }
                if enter
                    && matches!(outcome, PickerOutcome::Open)
                    && let Some(files) = self.submit()
                {
                    outcome = PickerOutcome::Chosen(files);
                }
            });
        if !open {
            return PickerOutcome::Cancelled;
        }
        outcome
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// The folder's entries the picker shows: folders, then files the filter lets through (all when `all`),
/// hidden ones left out, each sorted by name; and how many more were not listed.
fn list(dir: &Path, purpose: FilePurpose, all: bool) -> Listing {
    let read = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let (_, exts) = purpose.filter();
    let mut out = Vec::new();
    let mut more = 0;
    for item in read.flatten() {
        let name = item.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = item.path();
        // Follows symbolic links, as a dialog does.
        let is_dir = path.is_dir();
        let wanted = is_dir
            || all
            || path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)));
        if !wanted {
            continue;
        }
        if out.len() >= MAX_ENTRIES {
            more += 1;
            continue;
        }
        out.push(Entry { name, path, is_dir });
    }
    out.sort_by(|a, b| {
        b.is_dir
            .cmp(&a.is_dir)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok((out, more))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder under the system's temporary folder.
    struct TempDir(PathBuf);
    impl TempDir {
        fn new(name: &str) -> Self {
            let d = std::env::temp_dir()
                .join(format!("iam-atlas-picker-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).expect("temp dir");
            TempDir(d)
        }
        fn path(&self) -> &Path {
            &self.0
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn listing_puts_folders_first_and_filters_by_extension() {
        let dir = TempDir::new("list");
        std::fs::create_dir(dir.path().join("zeta")).expect("mkdir");
        std::fs::write(dir.path().join("b.json"), "{}").expect("write");
        std::fs::write(dir.path().join("A.JSON"), "{}").expect("write");
        std::fs::write(dir.path().join("notes.txt"), "").expect("write");
        std::fs::write(dir.path().join(".hidden.json"), "").expect("write");
        let (l, more) = list(dir.path(), FilePurpose::OpenSnapshot, false).expect("lists");
        let names: Vec<&str> = l.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["zeta", "A.JSON", "b.json"]);
        assert_eq!(more, 0);
        let (l, _) = list(dir.path(), FilePurpose::OpenSnapshot, true).expect("lists");
        assert_eq!(l.len(), 4);
    }

    #[test]
    fn submit_goes_into_folders_and_asks_before_replacing() {
        let dir = TempDir::new("submit");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        std::fs::write(dir.path().join("sub/graph.dot"), "").expect("write");
        let mut p = FilePicker::new(FilePurpose::ExportDot, dir.path().to_path_buf());
        p.path = dir.path().join("sub").display().to_string();
        assert!(p.submit().is_none());
        assert_eq!(p.dir, dir.path().join("sub"));
        // The proposed name exists: the first Enter asks, the second replaces.
        assert!(p.path.ends_with("graph.dot"));
        assert!(p.submit().is_none());
        assert!(p.message.as_deref().is_some_and(|m| m.contains("exists")));
        assert_eq!(p.submit(), Some(vec![dir.path().join("sub/graph.dot")]));
        // Opening a file that is not there says so.
        let mut p = FilePicker::new(FilePurpose::EditPolicy, dir.path().to_path_buf());
        p.path = "missing.json".into();
        assert!(p.submit().is_none());
        assert!(
            p.message
                .as_deref()
                .is_some_and(|m| m.contains("no such file"))
        );
    }
}
