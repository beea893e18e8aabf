//! The policy editor: JSON with highlighting, line numbers, diagnostics underlined as you type, a problems list
//! with one-click fixes, format/minify, find, drafts autosaved, and "Apply to model" as a what-if.
//!
//! The text, its kind and its origin live here; changing the model goes through [`Command`]s.

use super::Command;
use super::file_picker::FilePurpose;
use crate::account::{Model, SourceId};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edit::{self, DocTarget, DraftStore};
use crate::eval::truth_table::{self, TruthTable};
use crate::text::Span;
use crate::validate::{IdentityKind, PolicyKind};
use eframe::egui;
use egui::text::{CCursor, CCursorRange, LayoutJob};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Where the text being edited came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A document of the loaded model that evaluation reads (can be applied as a what-if).
    Model(DocTarget),
    /// A document of the model that evaluation does not read (a non-default policy version).
    ModelReadOnly,
    /// A file.
    File(PathBuf),
    /// A template or a restored draft: nothing to write back to.
    New,
}

/// How long to wait between draft saves.
const AUTOSAVE_EVERY: Duration = Duration::from_secs(3);

/// The kinds offered in the type selector.
const KINDS: &[(PolicyKind, &str)] = &[
    (
        PolicyKind::Identity(IdentityKind::Managed),
        "Identity (managed)",
    ),
    (
        PolicyKind::Identity(IdentityKind::UserInline),
        "Identity (user inline)",
    ),
    (
        PolicyKind::Identity(IdentityKind::GroupInline),
        "Identity (group inline)",
    ),
    (
        PolicyKind::Identity(IdentityKind::RoleInline),
        "Identity (role inline)",
    ),
    (
        PolicyKind::Identity(IdentityKind::AwsManaged),
        "Identity (AWS managed)",
    ),
    (PolicyKind::Resource { service: None }, "Resource policy"),
    (PolicyKind::Trust, "Role trust policy"),
    (PolicyKind::Boundary, "Permissions boundary"),
    (PolicyKind::Session, "Session policy"),
    (PolicyKind::Scp, "Service control policy (SCP)"),
    (PolicyKind::Rcp, "Resource control policy (RCP)"),
];

fn kind_label(kind: PolicyKind) -> String {
    match KINDS.iter().find(|(k, _)| *k == kind) {
        Some((_, l)) => (*l).to_string(),
        None => {
            let mut s = kind.label().to_string();
            if let Some(c) = s.get_mut(0..1) {
                c.make_ascii_uppercase();
            }
            s
        }
    }
}

/// Validation results cached by (text, kind) hash: the layouter asks every frame, validation runs once per
/// edit.
#[derive(Default)]
struct Validation {
    key: u64,
    diagnostics: Vec<Diagnostic>,
    /// How long the last validation took.
    took: Duration,
}

impl Validation {
    fn get(&mut self, text: &str, kind: PolicyKind) -> &[Diagnostic] {
        let mut h = std::hash::DefaultHasher::new();
        text.hash(&mut h);
        kind.hash(&mut h);
        let key = h.finish();
        if key != self.key || (self.key == 0 && self.diagnostics.is_empty()) {
            let t = Instant::now();
            self.diagnostics = crate::validate::validate(text, kind);
            self.took = t.elapsed();
            self.key = key;
        }
        &self.diagnostics
    }
}

/// Something the editor does to its own text after drawing (never mid-frame).
enum Action {
    Fix(usize),
    Goto(Span),
    Format,
    Minify,
    FindNext,
    Template(usize),
    RestoreDraft(String),
    DiscardDrafts,
}

/// The editor view's state.
pub struct EditorView {
    /// The text being edited.
    pub text: String,
    /// What it is (decides the checks).
    pub kind: PolicyKind,
    /// Where it came from.
    pub origin: Origin,
    /// Its title (the document's label, a file name, a template's name).
    pub title: String,
    /// What its draft is saved under: the title, with the account for a document of the model (two accounts'
    /// `role admin trust policy` are different documents).
    pub draft_id: String,
    /// The text as last opened, saved or applied: unsaved edits are the difference.
    baseline: String,
    validation: Validation,
    /// A range to show tinted (the statement the evaluator opened this for).
    pub highlight: Option<Span>,
    /// The find field.
    pub find: String,
    /// A message for the user (errors of save/apply, fixes that no longer fit).
    pub message: Option<String>,
    /// Where drafts go (none in tests).
    pub drafts: Option<DraftStore>,
    /// Drafts found at start, offered back.
    pub offered_drafts: Vec<String>,
    last_draft: Option<(Instant, String)>,
    pending_cursor: Option<Span>,
    /// The cursor's character index after the last frame.
    cursor: Option<usize>,
    /// The bracket pair highlighted in the last layout (byte offsets of the opening and closing bracket).
    brackets: Option<(usize, usize)>,
    /// The cursor's last byte offset in the text (kept while the field is not focused).
    table_cursor: Option<usize>,
    /// The truth table of the condition under the cursor, for (text hash, cursor).
    table: Option<(u64, usize, Option<TruthTable>)>,
}

impl Default for EditorView {
    fn default() -> Self {
        let t = edit::first_template();
        EditorView {
            text: t.text.to_string(),
            kind: t.kind,
            origin: Origin::New,
            title: format!("new: {}", t.name),
            draft_id: format!("new: {}", t.name),
            baseline: t.text.to_string(),
            validation: Validation::default(),
            highlight: None,
            find: String::new(),
            message: None,
            drafts: None,
            offered_drafts: Vec::new(),
            last_draft: None,
            pending_cursor: None,
            cursor: None,
            brackets: None,
            table_cursor: None,
            table: None,
        }
    }
}

/// The id of the editor's text field (tests and the cursor moves use it).
pub fn text_id() -> egui::Id {
    egui::Id::unique("policy-editor-text")
}

const EDIT_REQUEST: &str = "iam-atlas-edit-request";

/// An "Edit" button for a document shown elsewhere (the details pane): asks the app to open it in the editor.
pub fn edit_button(ui: &mut egui::Ui, doc: &crate::account::PolicyDoc) {
    if ui
        .small_button("Edit")
        .on_hover_text("Open in the policy editor")
        .clicked()
    {
        let req = (doc.source, doc.policy.span);
        ui.ctx()
            .data_mut(|d| d.insert_temp(egui::Id::unique(EDIT_REQUEST), Some(req)));
    }
}

/// The document an [`edit_button`] asked for this frame, if any.
pub fn take_edit_request(ctx: &egui::Context) -> Option<(SourceId, Span)> {
    ctx.data_mut(|d| d.remove_temp::<Option<(SourceId, Span)>>(egui::Id::unique(EDIT_REQUEST)))
        .flatten()
}

impl EditorView {
    /// True when the text differs from what was opened, saved or applied.
    pub fn is_dirty(&self) -> bool {
        self.text != self.baseline
    }

    /// The current diagnostics (validated on demand).
    pub fn diagnostics(&mut self) -> &[Diagnostic] {
        self.validation.get(&self.text, self.kind)
    }

    /// The bracket pair next to the cursor that the last frame highlighted, as the byte offsets of the
    /// opening and the closing bracket (see [`edit::matching_bracket`]).
    pub fn bracket_pair(&self) -> Option<(usize, usize)> {
        self.brackets
    }

    /// How long the last validation took.
    pub fn validation_time(&self) -> Duration {
        self.validation.took
    }

    /// Replace the editor's content.
    pub fn open_text(&mut self, title: String, text: String, kind: PolicyKind, origin: Origin) {
        self.draft_id = title.clone();
        self.title = title;
        self.baseline = text.clone();
        self.text = text;
        self.kind = kind;
        self.origin = origin;
        self.highlight = None;
        self.message = None;
        self.last_draft = None;
        self.pending_cursor = None;
        self.table_cursor = None;
    }

    /// Open the model's document that contains `span` of `source`; when `span` is a part of it (a statement),
    /// that part is highlighted. Returns false when no document matches.
    pub fn open_in_model(&mut self, model: &Model, source: SourceId, span: Span) -> bool {
        let docs = model.documents();
        let found = docs
            .iter()
            .filter(|d| {
                d.doc.source == source
                    && d.doc.policy.span.start <= span.start
                    && span.end <= d.doc.policy.span.end
            })
            .min_by_key(|d| d.doc.policy.span.len());
        let Some(d) = found else {
            return false;
        };
        let base = d.doc.policy.span.start;
        let text = d.doc.text(model).to_string();
        let kind = crate::validate::kind_of(model, d);
        let origin = match DocTarget::of(model, d) {
            Some(t) => Origin::Model(t),
            None => Origin::ModelReadOnly,
        };
        self.open_text(d.label.clone(), text, kind, origin);
        self.draft_id = draft_id(model, d);
        if span != d.doc.policy.span {
            let local = Span {
                start: span.start - base,
                end: span.end - base,
            };
            self.highlight = Some(local);
            self.pending_cursor = Some(Span::new(local.start as usize, local.start as usize));
        }
        true
    }

    /// The text was applied to the model or saved: it is the new baseline, and its draft is gone.
    pub fn mark_saved(&mut self) {
        self.baseline = self.text.clone();
        if let Some(store) = &self.drafts {
            let _ = store.remove(&self.draft_id);
        }
        self.last_draft = None;
    }

    /// Save a draft when the text changed and a few seconds passed.
    pub fn autosave(&mut self) {
        let Some(store) = &self.drafts else { return };
        if !self.is_dirty() {
            return;
        }
        let due = match &self.last_draft {
            Some((at, text)) => *text != self.text && at.elapsed() >= AUTOSAVE_EVERY,
            None => true,
        };
        if due {
            if let Err(e) = store.save(&self.draft_id, &self.text) {
                self.message = Some(format!("cannot save the draft: {e}"));
            }
            self.last_draft = Some((Instant::now(), self.text.clone()));
        }
    }

    /// Look for drafts of an earlier session.
    pub fn find_drafts(&mut self) {
        if let Some(store) = &self.drafts {
            self.offered_drafts = store
                .list()
                .map(|l| l.into_iter().map(|d| d.id).collect())
                .unwrap_or_default();
        }
    }

    /// Draw the editor.
    pub fn ui(&mut self, ui: &mut egui::Ui, model: Option<&Model>, commands: &mut Vec<Command>) {
        let mut actions = Vec::new();
        self.toolbar(ui, model, commands, &mut actions);
        if !self.offered_drafts.is_empty() {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "Unsaved drafts from an earlier session:",
                );
                for id in &self.offered_drafts {
                    if ui.button(format!("Restore {id}")).clicked() {
                        actions.push(Action::RestoreDraft(id.clone()));
                    }
                }
                if ui.button("Discard all").clicked() {
                    actions.push(Action::DiscardDrafts);
                }
            });
        }
        if let Some(m) = &self.message {
            ui.colored_label(ui.visuals().error_fg_color, m);
        }
        let diags = self.validation.get(&self.text, self.kind).to_vec();
        egui::Panel::bottom("editor-problems")
            .resizable(true)
            .default_size(130.0)
            .show(ui, |ui| problems_ui(ui, &self.text, &diags, &mut actions));
        if let Some(t) = self.truth_table() {
            let t = t.clone();
            egui::Panel::right("editor-truth-table")
                .resizable(true)
                .default_size(340.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("truth-table-scroll")
                        .show(ui, |ui| {
                            super::truth::ui(ui, &t, super::truth::Below::NoteAndHelp)
                        })
                });
        }
        egui::CentralPanel::default().show(ui, |ui| self.text_area(ui, &diags));
        self.run(actions, model);
    }

    fn toolbar(
        &mut self,
        ui: &mut egui::Ui,
        model: Option<&Model>,
        commands: &mut Vec<Command>,
        actions: &mut Vec<Action>,
    ) {
        ui.horizontal_wrapped(|ui| {
            ui.strong(&self.title);
            if self.is_dirty() {
                ui.colored_label(ui.visuals().warn_fg_color, "(unsaved edits)");
            }
            if let (Origin::Model(t), Some(m)) = (&self.origin, model)
                && m.is_modified(t)
            {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "MODIFIED in the model (what-if)",
                );
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.menu_button("New from template", |ui| {
                for (i, t) in edit::templates().iter().enumerate() {
                    if ui
                        .button(t.name)
                        .on_hover_text(t.description)
                        .clicked()
                    {
                        actions.push(Action::Template(i));
                        ui.close();
                    }
                }
            });
            if ui.button("Open file…").clicked() {
                commands.push(Command::PickFile(FilePurpose::EditPolicy));
            }
            if ui.button("Save as…").clicked() {
                commands.push(Command::PickFile(FilePurpose::SavePolicy));
            }
            ui.separator();
            let label = ui.label("Type:");
            egui::ComboBox::from_id_salt("policy-kind")
                .selected_text(kind_label(self.kind))
                .show_ui(ui, |ui| {
                    for (k, l) in KINDS {
                        ui.selectable_value(&mut self.kind, *k, *l);
                    }
                })
                .response
                .labelled_by(label.id);
            if ui.button("Format").clicked() {
                actions.push(Action::Format);
            }
            if ui.button("Minify").clicked() {
                actions.push(Action::Minify);
            }
            ui.separator();
            let label = ui.label("Find:");
            let r = ui
                .add(egui::TextEdit::singleline(&mut self.find).desired_width(120.0))
                .labelled_by(label.id);
            if ui.button("Next").clicked()
                || (r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)))
            {
                actions.push(Action::FindNext);
            }
            ui.separator();
            match &self.origin {
                Origin::Model(t) => {
                    if ui
                        .button("Apply to model")
                        .on_hover_text(
                            "Put this text in place of the document in memory (what-if); every view then \
                             answers for the modified model. Nothing is written to disk.",
                        )
                        .clicked()
                    {
                        commands.push(Command::ApplyWhatIf(t.clone(), self.text.clone()));
                    }
                    if ui
                        .button("Blast radius")
                        .on_hover_text(
                            "Who gains and who loses what if this text replaced the document (the Changes view)",
                        )
                        .clicked()
                    {
                        commands.push(Command::BlastRadius(t.clone(), self.text.clone()));
                    }
                    if let Some(m) = model
                        && m.is_modified(t)
                        && ui.button("Revert").on_hover_text("Put back the loaded document").clicked()
                    {
                        commands.push(Command::RevertWhatIf(t.clone()));
                    }
                }
                Origin::ModelReadOnly => {
                    ui.weak("not read by evaluation (non-default version)");
                }
                Origin::File(p) => {
                    ui.weak(p.display().to_string());
                }
                Origin::New => {}
            }
        });
    }

    /// Enter in the text field: a newline with the current line's indentation (see [`edit::auto_indent`]),
    /// replacing the selection, with the cursor placed through the field's state.
    fn press_enter(&mut self, ctx: &egui::Context) {
        let mut state = egui::TextEdit::load_state(ctx, text_id()).unwrap_or_default();
        let (start, end) = match state.cursor.char_range() {
            Some(r) => {
                let sorted = r.as_sorted_char_range();
                (
                    byte_index(&self.text, sorted.start.0),
                    byte_index(&self.text, sorted.end.0),
                )
            }
            None => (self.text.len(), self.text.len()),
        };
        let mut base = String::with_capacity(self.text.len());
        base.push_str(self.text.get(..start).unwrap_or(&self.text));
        base.push_str(self.text.get(end..).unwrap_or_default());
        let (text, cursor) = edit::auto_indent(&base, start);
        let c = CCursor::new(char_index(&text, cursor));
        self.text = text;
        state.cursor.set_char_range(Some(CCursorRange::one(c)));
        state.store(ctx, text_id());
    }

    fn text_area(&mut self, ui: &mut egui::Ui, diags: &[Diagnostic]) {
        // Enter is taken before the text field sees it: auto-indent instead of a bare newline.
        let focused = ui.memory(|m| m.has_focus(text_id()));
        if focused && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter)) {
            self.press_enter(ui.ctx());
        }
        // The cursor as the field will start this frame: its brackets are highlighted by the layouter.
        let cursor_chars = focused
            .then(|| egui::TextEdit::load_state(ui.ctx(), text_id()))
            .flatten()
            .and_then(|s| s.cursor.char_range())
            .map(|r| r.primary.index.0);
        let mut drawn_brackets = None;
        let theme = egui_extras::syntax_highlighting::CodeTheme::from_style(ui.style());
        let font = egui::TextStyle::Monospace.resolve(ui.style());
        let row_height = ui.fonts_mut(|f| f.row_height(&font));
        let lines = self.text.split('\n').count().max(1);
        let gutter_width = 16.0 + 8.0 * (lines.to_string().len() as f32 + 1.0);
        let find = self.find.clone();
        let highlight = self.highlight;
        let EditorView {
            text,
            kind,
            validation,
            ..
        } = self;
        let kind = *kind;
        let mut layouter = |ui: &egui::Ui, buf: &dyn egui::TextBuffer, _wrap: f32| {
            let text = buf.as_str();
            let mut job = egui_extras::syntax_highlighting::highlight(
                ui.ctx(),
                ui.style(),
                &theme,
                text,
                "json",
            );
            let brackets =
                cursor_chars.and_then(|c| edit::matching_bracket(text, byte_index(text, c)));
            drawn_brackets = brackets;
            let marks = marks(
                ui,
                text,
                validation.get(text, kind),
                highlight,
                &find,
                brackets,
            );
            decorate(&mut job, &marks);
            job.wrap.max_width = f32::INFINITY;
            ui.fonts_mut(|f| f.layout_job(job))
        };
        let label = ui.label("Policy text");
        let scroll = egui::ScrollArea::both()
            .id_salt("editor-scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.horizontal_top(|ui| {
                    ui.spacing_mut().item_spacing.x = 0.0;
                    let (gutter, _) = ui.allocate_exact_size(
                        egui::vec2(gutter_width, row_height * lines as f32 + 8.0),
                        egui::Sense::hover(),
                    );
                    let out = egui::TextEdit::multiline(text)
                        .id(text_id())
                        .code_editor()
                        .desired_width(f32::INFINITY)
                        .desired_rows(24)
                        .lock_focus(true)
                        .layouter(&mut layouter)
                        .show(ui);
                    (gutter, out)
                })
                .inner
            });
        let (gutter, out) = scroll.inner;
        self.cursor = out.cursor_range.map(|r| r.primary.index.0);
        // A key that only moved the cursor was laid out with the old one: draw again for the new brackets.
        let now = out
            .response
            .has_focus()
            .then_some(self.cursor)
            .flatten()
            .and_then(|c| edit::matching_bracket(&self.text, byte_index(&self.text, c)));
        if now != drawn_brackets {
            ui.ctx().request_repaint();
        }
        self.brackets = drawn_brackets;
        let response = out.response.response.clone().labelled_by(label.id);
        // Gutter: line numbers and a severity marker on each line where a problem starts.
        let painter = ui.painter().with_clip_rect(scroll.inner_rect);
        let weak = ui.visuals().weak_text_color();
        let mut worst: std::collections::BTreeMap<usize, Severity> = Default::default();
        let starts = line_starts(&self.text);
        for d in diags {
            let line = line_of(&starts, d.span.start as usize);
            let e = worst.entry(line).or_insert(d.severity);
            *e = (*e).min(d.severity);
        }
        for (i, row) in out.galley.rows.iter().enumerate() {
            let y = out.galley_pos.y + row.pos.y;
            painter.text(
                egui::pos2(gutter.right() - 6.0, y),
                egui::Align2::RIGHT_TOP,
                (i + 1).to_string(),
                font.clone(),
                weak,
            );
            if let Some(s) = worst.get(&i) {
                painter.circle_filled(
                    egui::pos2(gutter.left() + 7.0, y + row_height / 2.0),
                    4.0,
                    severity_color(ui, *s),
                );
            }
        }
        // Wavy underlines under single-line problems (multi-line ones get a straight underline).
        let text_painter = ui.painter().with_clip_rect(out.text_clip_rect);
        for d in diags {
            let (s, e) = (
                char_index(&self.text, d.span.start as usize),
                char_index(&self.text, d.span.end as usize),
            );
            let a = out.galley.pos_from_cursor(CCursor::new(s));
            let b = out.galley.pos_from_cursor(CCursor::new(e.max(s + 1)));
            if (a.min.y - b.min.y).abs() < 1.0 {
                let off = out.galley_pos.to_vec2();
                wavy(
                    &text_painter,
                    a.min.x + off.x,
                    b.min.x.max(a.min.x + 6.0) + off.x,
                    a.max.y + off.y - 1.0,
                    severity_color(ui, d.severity),
                );
            }
        }
        // The message on hover, over the text or over the gutter marker.
        let pointer = ui.ctx().pointer_hover_pos();
        if let Some(p) = pointer {
            let mut here: Vec<&Diagnostic> = Vec::new();
            if response.hovered() {
                let c = out.galley.cursor_from_pos(p - out.galley_pos);
                let b = byte_index(&self.text, c.index.0);
                here = diags
                    .iter()
                    .filter(|d| {
                        d.span.start as usize <= b
                            && b < (d.span.end as usize).max(d.span.start as usize + 1)
                    })
                    .collect();
            } else if gutter.contains(p) {
                let line = ((p.y - out.galley_pos.y) / row_height).floor().max(0.0) as usize;
                here = diags
                    .iter()
                    .filter(|d| line_of(&starts, d.span.start as usize) == line)
                    .collect();
            }
            if !here.is_empty() {
                egui::Tooltip::always_open(
                    ui.ctx().clone(),
                    ui.layer_id(),
                    egui::Id::unique("editor-hover"),
                    egui::PopupAnchor::Pointer,
                )
                .show(|ui| {
                    for d in here {
                        ui.colored_label(
                            severity_color(ui, d.severity),
                            format!("{} {}: {}", d.severity.label(), d.code, d.message),
                        );
                        if let Some(h) = &d.help {
                            ui.weak(h);
                        }
                    }
                });
            }
        }
        // Move the cursor where a problem or a statement is, and scroll there.
        if let Some(span) = self.pending_cursor.take() {
            let s = char_index(&self.text, span.start as usize);
            let e = char_index(&self.text, span.end as usize);
            if let Some(mut state) = egui::TextEdit::load_state(ui.ctx(), text_id()) {
                state
                    .cursor
                    .set_char_range(Some(CCursorRange::two(CCursor::new(s), CCursor::new(e))));
                state.store(ui.ctx(), text_id());
            }
            ui.ctx().memory_mut(|m| m.request_focus(text_id()));
            let r = out
                .galley
                .pos_from_cursor(CCursor::new(s))
                .translate(out.galley_pos.to_vec2());
            ui.scroll_to_rect(r.expand(40.0), Some(egui::Align::Center));
        }
    }

    fn run(&mut self, actions: Vec<Action>, model: Option<&Model>) {
        for a in actions {
            match a {
                Action::Fix(i) => {
                    let diags = self.validation.get(&self.text, self.kind).to_vec();
                    match diags.get(i).and_then(|d| edit::apply_fix(&self.text, d)) {
                        Some(t) => {
                            self.text = t;
                            self.message = None;
                        }
                        None => self.message = Some("the fix no longer fits the text".into()),
                    }
                }
                Action::Goto(span) => self.pending_cursor = Some(span),
                Action::Format | Action::Minify => {
                    let r = if matches!(a, Action::Format) {
                        edit::format(&self.text)
                    } else {
                        edit::minify(&self.text)
                    };
                    match r {
                        Ok(t) => {
                            self.text = t;
                            self.highlight = None;
                            self.message = None;
                        }
                        Err(e) => self.message = Some(e.to_string()),
                    }
                }
                Action::FindNext => {
                    if self.find.is_empty() {
                        continue;
                    }
                    let cursor = self.cursor_byte();
                    let hay = self.text.to_ascii_lowercase();
                    let needle = self.find.to_ascii_lowercase();
                    let hit = hay
                        .get(cursor + 1..)
                        .and_then(|rest| rest.find(&needle))
                        .map(|i| i + cursor + 1)
                        .or_else(|| hay.find(&needle));
                    match hit {
                        Some(i) => self.pending_cursor = Some(Span::new(i, i + needle.len())),
                        None => self.message = Some(format!("`{}` not found", self.find)),
                    }
                }
                Action::Template(i) => {
                    if let Some(t) = edit::templates().get(i) {
                        self.open_text(
                            format!("new: {}", t.name),
                            t.text.to_string(),
                            t.kind,
                            Origin::New,
                        );
                    }
                }
                Action::RestoreDraft(id) => {
                    let Some(store) = &self.drafts else { continue };
                    match store.load(&id) {
                        Ok(text) => {
                            let target = model.and_then(|m| {
                                m.documents()
                                    .iter()
                                    .find(|d| draft_id(m, d) == id)
                                    .and_then(|d| {
                                        DocTarget::of(m, d)
                                            .map(|t| (t, crate::validate::kind_of(m, d)))
                                    })
                            });
                            let (origin, kind) = match target {
                                Some((t, k)) => (Origin::Model(t), k),
                                None => (Origin::New, PolicyKind::Identity(IdentityKind::Managed)),
                            };
                            self.open_text(id.clone(), text, kind, origin);
                            // Restored text is unsaved until applied or saved.
                            self.baseline.clear();
                            self.offered_drafts.retain(|d| *d != id);
                        }
                        Err(e) => self.message = Some(format!("cannot read the draft: {e}")),
                    }
                }
                Action::DiscardDrafts => {
                    if let Some(store) = &self.drafts {
                        for id in std::mem::take(&mut self.offered_drafts) {
                            let _ = store.remove(&id);
                        }
                    }
                }
            }
        }
    }

    /// The truth table of the condition test under the cursor (computed by the engine), if the cursor is in one.
    pub fn truth_table(&mut self) -> Option<&TruthTable> {
        if let Some(c) = self.cursor {
            self.table_cursor = Some(byte_index(&self.text, c));
        }
        let offset = self.table_cursor?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.text.hash(&mut hasher);
        let hash = hasher.finish();
        if !matches!(&self.table, Some((h, o, _)) if *h == hash && *o == offset) {
            let parsed =
                crate::policy::parse_text(&self.text, &mut crate::policy::Interner::default());
            self.table = Some((hash, offset, truth_table::at(&parsed.policy, offset)));
        }
        self.table.as_ref().and_then(|(_, _, t)| t.as_ref())
    }

    /// The cursor's byte offset in the text (0 when unknown).
    fn cursor_byte(&self) -> usize {
        self.cursor.map_or(0, |c| byte_index(&self.text, c))
    }
}

fn problems_ui(ui: &mut egui::Ui, text: &str, diags: &[Diagnostic], actions: &mut Vec<Action>) {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    ui.horizontal(|ui| {
        ui.strong("Problems");
        ui.weak(format!(
            "{} ({errors} errors)",
            match diags.len() {
                0 => "none".to_string(),
                1 => "1".to_string(),
                n => n.to_string(),
            }
        ));
    });
    let starts = line_starts(text);
    egui::ScrollArea::vertical()
        .id_salt("problems")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (i, d) in diags.iter().enumerate() {
                ui.horizontal(|ui| {
                    let line = line_of(&starts, d.span.start as usize) + 1;
                    let col = text
                        .get(starts.get(line - 1).copied().unwrap_or(0)..d.span.start as usize)
                        .map(|s| s.chars().count() + 1)
                        .unwrap_or(1);
                    ui.colored_label(severity_color(ui, d.severity), d.severity.label());
                    let link = ui
                        .link(format!("{line}:{col} {}: {}", d.code, d.message))
                        .on_hover_text(d.help.as_deref().unwrap_or("go to the place"));
                    if link.clicked() {
                        actions.push(Action::Goto(d.span));
                    }
                    if let Some(f) = &d.fix {
                        let what = if f.text.is_empty() {
                            "Fix: remove".to_string()
                        } else {
                            let short: String = f.text.chars().take(40).collect();
                            format!("Fix: {short}")
                        };
                        if ui.button(what).clicked() {
                            actions.push(Action::Fix(i));
                        }
                    }
                });
            }
        });
}

fn severity_color(ui: &egui::Ui, s: Severity) -> egui::Color32 {
    let dark = ui.visuals().dark_mode;
    match (s, dark) {
        (Severity::Error, true) => egui::Color32::from_rgb(255, 95, 95),
        (Severity::Error, false) => egui::Color32::from_rgb(200, 30, 30),
        (Severity::SecurityWarning, true) => egui::Color32::from_rgb(255, 140, 60),
        (Severity::SecurityWarning, false) => egui::Color32::from_rgb(200, 90, 0),
        (Severity::Warning, true) => egui::Color32::from_rgb(240, 200, 60),
        (Severity::Warning, false) => egui::Color32::from_rgb(160, 120, 0),
        (Severity::Suggestion, true) => egui::Color32::from_rgb(110, 170, 255),
        (Severity::Suggestion, false) => egui::Color32::from_rgb(30, 100, 200),
    }
}

/// What to draw over a byte range.
#[derive(Clone, Copy)]
enum Mark {
    Underline(egui::Color32),
    Background(egui::Color32),
}

fn marks(
    ui: &egui::Ui,
    text: &str,
    diags: &[Diagnostic],
    highlight: Option<Span>,
    find: &str,
    brackets: Option<(usize, usize)>,
) -> Vec<(std::ops::Range<usize>, Mark)> {
    let mut out = Vec::new();
    let clamp = |s: usize| crate::text::floor_char_boundary(text, s.min(text.len()));
    for d in diags {
        let (s, e) = (clamp(d.span.start as usize), clamp(d.span.end as usize));
        // Multi-line ranges get a straight underline; single-line ones are painted wavy over the text.
        if s < e && text.get(s..e).is_some_and(|t| t.contains('\n')) {
            out.push((s..e, Mark::Underline(severity_color(ui, d.severity))));
        }
    }
    if let Some(h) = highlight {
        let (s, e) = (clamp(h.start as usize), clamp(h.end as usize));
        let c = if ui.visuals().dark_mode {
            egui::Color32::from_rgba_unmultiplied(80, 110, 200, 60)
        } else {
            egui::Color32::from_rgba_unmultiplied(120, 160, 255, 70)
        };
        out.push((s..e, Mark::Background(c)));
    }
    if find.len() >= 2 {
        let hay = text.to_ascii_lowercase();
        let needle = find.to_ascii_lowercase();
        let c = egui::Color32::from_rgba_unmultiplied(230, 200, 40, 80);
        for (i, _) in hay.match_indices(&needle).take(500) {
            out.push((i..i + needle.len(), Mark::Background(c)));
        }
    }
    // Last, so that it wins over the other backgrounds.
    if let Some((open, close)) = brackets {
        let c = if ui.visuals().dark_mode {
            egui::Color32::from_rgba_unmultiplied(150, 150, 150, 90)
        } else {
            egui::Color32::from_rgba_unmultiplied(90, 90, 90, 60)
        };
        for b in [open, close] {
            if b < text.len() {
                out.push((b..b + 1, Mark::Background(c)));
            }
        }
    }
    out
}

/// Split the job's sections at the marks' boundaries and apply the marks.
fn decorate(job: &mut LayoutJob, marks: &[(std::ops::Range<usize>, Mark)]) {
    if marks.is_empty() {
        return;
    }
    let mut cuts: Vec<usize> = marks.iter().flat_map(|(r, _)| [r.start, r.end]).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut sections = Vec::with_capacity(job.sections.len() + cuts.len());
    for sec in std::mem::take(&mut job.sections) {
        let mut start = sec.byte_range.start.0;
        let end = sec.byte_range.end.0;
        let first = cuts.partition_point(|&c| c <= start);
        let mut points: Vec<usize> = cuts
            .get(first..)
            .unwrap_or_default()
            .iter()
            .copied()
            .take_while(|&c| c < end)
            .filter(|&c| job.text.is_char_boundary(c))
            .collect();
        points.push(end);
        let mut leading = sec.leading_space;
        for p in points {
            if p <= start {
                continue;
            }
            let mut format = sec.format.clone();
            for (r, m) in marks {
                if r.start <= start && p <= r.end && r.start < r.end {
                    match m {
                        Mark::Underline(c) => format.underline = egui::Stroke::new(1.5, *c),
                        Mark::Background(c) => format.background = *c,
                    }
                }
            }
            sections.push(egui::text::LayoutSection {
                leading_space: leading,
                byte_range: start.into()..p.into(),
                format,
            });
            leading = 0.0;
            start = p;
        }
    }
    job.sections = sections;
}

fn wavy(painter: &egui::Painter, x0: f32, x1: f32, y: f32, color: egui::Color32) {
    let step = 2.5;
    let mut pts = Vec::new();
    let mut x = x0;
    let mut up = false;
    while x <= x1 {
        pts.push(egui::pos2(x, if up { y - 1.5 } else { y + 1.0 }));
        up = !up;
        x += step;
    }
    if pts.len() >= 2 {
        painter.add(egui::Shape::line(pts, egui::Stroke::new(1.2, color)));
    }
}

/// The starts of the lines as the text field lays them out: egui breaks rows at `\n` only, so the gutter's markers
/// follow it (not [`crate::text::LineIndex`], which also ends a line at a lone `\r`, as error positions do).
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn line_of(starts: &[usize], byte: usize) -> usize {
    starts.partition_point(|&s| s <= byte).saturating_sub(1)
}

fn char_index(text: &str, byte: usize) -> usize {
    let b = crate::text::floor_char_boundary(text, byte.min(text.len()));
    text.split_at(b).0.chars().count()
}

fn byte_index(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(text.len())
}

impl super::AtlasApp {
    /// Run the editor's commands (called from the app's command loop).
    pub(super) fn run_edit_command(&mut self, ctx: &egui::Context, c: Command) {
        match c {
            Command::EditAt(source, span) => {
                if let Some(m) = self.model.clone() {
                    self.editor.autosave_now();
                    if self.editor.open_in_model(&m, source, span) {
                        self.view = super::View::Editor;
                    }
                }
            }
            Command::EditFile(path) => match std::fs::read_to_string(&path) {
                Ok(text) => {
                    self.editor.autosave_now();
                    let title = path
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_else(|| path.display().to_string());
                    let kind = self.editor.kind;
                    self.editor.open_text(title, text, kind, Origin::File(path));
                    self.view = super::View::Editor;
                }
                Err(e) => {
                    self.editor.message = Some(format!("cannot read {}: {e}", path.display()))
                }
            },
            Command::SaveText(path, text) => {
                let loaded = self.model.as_ref().is_some_and(|m| {
                    m.sources
                        .iter()
                        .any(|s| same_file(std::path::Path::new(&s.name), &path))
                });
                if loaded {
                    self.editor.message = Some(format!(
                        "refusing to write over {}: it is a loaded snapshot file; choose a new name",
                        path.display()
                    ));
                    return;
                }
                match write_atomically(&path, &text) {
                    Ok(()) => {
                        if self.editor.text == text {
                            if self.editor.origin == Origin::New {
                                self.editor.origin = Origin::File(path.clone());
                            }
                            self.editor.mark_saved();
                        }
                        self.editor.message = None;
                    }
                    Err(e) => {
                        self.editor.message = Some(format!("cannot write {}: {e}", path.display()))
                    }
                }
            }
            Command::ApplyWhatIf(target, text) => {
                let r = self.mutate_model(
                    ctx,
                    Command::ApplyWhatIf(target.clone(), text.clone()),
                    |m| m.replace_document(&target, &text),
                );
                match r {
                    Some(Ok(())) => {
                        if self.editor.text == text {
                            self.editor.mark_saved();
                        }
                        self.editor.message = None;
                    }
                    Some(Err(diags)) => {
                        self.editor.message = Some(format!(
                            "not applied: {}",
                            diags
                                .iter()
                                .map(|d| d.message.as_str())
                                .collect::<Vec<_>>()
                                .join("; ")
                        ))
                    }
                    None => {}
                }
            }
            Command::RevertWhatIf(target) => {
                self.changes.reverted(&target);
                self.mutate_model(ctx, Command::RevertWhatIf(target.clone()), |m| {
                    m.revert_document(&target)
                });
            }
            Command::RevertAll => {
                self.mutate_model(ctx, Command::RevertAll, |m| m.revert_all());
            }
            Command::ConfirmQuit => {
                self.quit_confirmed = true;
                self.quit_asked = false;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            _ => {}
        }
    }

    /// Change the model in place when nobody else holds it (a background graph layout may, briefly: then the
    /// command is retried next frame). The model gets a new `Arc`, so every cache keyed on it is rebuilt.
    fn mutate_model<R>(
        &mut self,
        ctx: &egui::Context,
        retry: Command,
        f: impl FnOnce(&mut Model) -> R,
    ) -> Option<R> {
        let arc = self.model.as_mut()?;
        let Some(m) = std::sync::Arc::get_mut(arc) else {
            self.commands.push(retry);
            ctx.request_repaint_after(Duration::from_millis(50));
            return None;
        };
        let r = f(m);
        let fresh = std::sync::Arc::new(std::mem::take(m));
        *arc = fresh;
        self.graph.forget_built();
        Some(r)
    }

    /// Ask before quitting with unsaved edits in the editor.
    pub(super) fn quit_guard(&mut self, ctx: &egui::Context) {
        if self.screenshot.is_some() {
            return;
        }
        let close = ctx.input(|i| i.viewport().close_requested());
        if close && self.editor.is_dirty() && !self.quit_confirmed {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.quit_asked = true;
        }
        if !self.quit_asked {
            return;
        }
        egui::Modal::new(egui::Id::unique("quit-unsaved")).show(ctx, |ui| {
            ui.heading("Unsaved edits");
            ui.label(format!(
                "The policy editor has unsaved edits to {}. A draft is kept and offered back next time.",
                self.editor.title
            ));
            ui.horizontal(|ui| {
                if ui.button("Quit anyway").clicked() {
                    self.commands.push(Command::ConfirmQuit);
                }
                if ui.button("Keep editing").clicked() {
                    self.quit_asked = false;
                    self.view = super::View::Editor;
                }
            });
        });
    }
}

impl EditorView {
    /// Save the draft now if there are unsaved edits (before another document replaces the text).
    pub fn autosave_now(&mut self) {
        if self.drafts.is_some() && self.is_dirty() {
            self.last_draft = None;
            self.autosave();
        }
    }
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    if a == b {
        return true;
    }
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    crate::files::write_atomic(path, text.as_bytes())
}

/// The id a document of the model keeps its draft under: its account (or its source, for a document that
/// belongs to none) and its label.
pub fn draft_id(model: &Model, d: &crate::account::DocumentRef<'_>) -> String {
    let whose = d
        .owner
        .and_then(|o| model.accounts.get(o.account as usize))
        .map(|a| a.id.to_string())
        .unwrap_or_else(|| model.source(d.doc.source).name.clone());
    format!("{whose}: {}", d.label)
}

/// The drafts directory in the platform's data directory (`~/.local/share/iam-atlas/drafts` on Linux).
pub fn draft_store() -> Option<DraftStore> {
    directories::ProjectDirs::from("", "", "iam-atlas")
        .map(|d| DraftStore::new(d.data_dir().join("drafts")))
}
