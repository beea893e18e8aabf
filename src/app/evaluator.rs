//! The evaluator: build a request (principal, action, resource, context) and watch the decision being made,
//! layer by layer; who-can and what-can tables; saved request sets run as policy unit tests.
//!
//! Everything shown comes from the engine's [`EvalResult`]; this view never re-derives why.

use super::Command;
use super::file_picker::FilePurpose;
use super::table::{self, Cell, short_arn};
use crate::account::Model;
use crate::eval::reverse::{
    WhatCan, WhoCan, WhoCanQuestion, what_can_cancellable, who_can_cancellable,
};
use crate::eval::suite::{self, NamedRequest, Outcome};
use crate::eval::{Context, Decision, EvalResult, Layer, Overrides, Principal, Request, Verdict};
use crate::validate::request::{RequestField, RequestProblem, check_request};
use eframe::egui;
use egui_extras::{Column, TableBuilder};
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The evaluator's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    /// One request and its decision.
    #[default]
    Request,
    /// Who may do the action on the resource.
    WhoCan,
    /// What the principal may do.
    WhatCan,
    /// Saved requests run as a set.
    Suite,
}

/// Keys offered in the context editor whatever the policies test.
pub const COMMON_KEYS: &[&str] = &[
    "aws:MultiFactorAuthPresent",
    "aws:SourceIp",
    "aws:RequestedRegion",
    "aws:CurrentTime",
    "aws:SecureTransport",
    "aws:PrincipalTag/team",
    "aws:ResourceTag/team",
];

/// The evaluator view's state.
#[derive(Default)]
pub struct EvaluatorView {
    /// The tab shown.
    pub tab: Tab,
    /// The principal: an ARN or a unique user/role name.
    pub principal: String,
    /// Session name: when set and the principal is a role, the request comes from that role's session.
    pub session: String,
    /// A session policy passed with the request (a JSON policy document; empty for none). It becomes the
    /// request's [`Overrides::session_policies`].
    pub session_policy: String,
    /// Search text of the principal picker.
    pub principal_search: String,
    /// The action (`s3:GetObject`; wildcards show what they expand to).
    pub action: String,
    /// The resource ARN.
    pub resource: String,
    /// Context keys and their values (several values separated by commas).
    pub context: Vec<(String, String)>,
    /// A key being added.
    pub new_key: String,
    /// Name for saving the current request into the set.
    pub save_name: String,
    /// The saved set.
    pub suite: Vec<NamedRequest>,
    /// The set's last run.
    pub outcomes: Vec<Outcome>,
    /// The set running (on the runner, with its progress), for the model generation it runs on.
    suite_run: super::tasks::Slot<u64, Vec<Outcome>>,
    /// A message (file errors).
    pub message: Option<String>,
    cache: Option<(u64, Result<EvalResult, String>)>,
    /// The request's problems (checked as the editor checks policies), for the request they were found in.
    checked: Option<(u64, Vec<RequestProblem>)>,
    /// "How to allow it" (or "what would deny it") is open, and its answer for the cached request.
    show_howto: bool,
    howto: Option<(u64, Vec<crate::eval::howto::Change>)>,
    who: Background<WhoCan>,
    what: Background<WhatCan>,
    who_sort: (usize, bool),
    what_sort: (usize, bool),
    /// The tables' rows for the query they were built for.
    who_rows: Option<(u64, Vec<Vec<Cell>>)>,
    /// The request whose answer is shown (a new one scrolls the answer back to the top).
    shown_key: Option<u64>,
    what_rows: Option<(u64, Vec<Vec<Cell>>)>,
}

/// How many results of one reverse query are kept per model.
const BACKGROUND_CACHE: usize = 32;

/// What a cancelled query returns (never seen: the query that replaced it is what the view waits for).
const CANCELLED: &str = "cancelled: another question replaced it";

/// A reverse query run on the runner, its results cached per (model, query). At most one runs at a time: a
/// query asked for while another runs cancels it (the core stops at its next principal or action, so fast
/// typing in the action field does not queue one evaluation per keystroke) and starts at once.
struct Background<T> {
    /// The model generation the cache is for: a new model (an applied what-if, a reload) empties it, and a
    /// query still running for the old one is dropped.
    generation: Option<u64>,
    cache: HashMap<u64, Result<T, String>>,
    running: super::tasks::Slot<(u64, u64), Result<T, String>>,
}

impl<T> Default for Background<T> {
    fn default() -> Self {
        Background {
            generation: None,
            cache: HashMap::new(),
            running: super::tasks::Slot::default(),
        }
    }
}

impl<T: Send + 'static> Background<T> {
    /// Take a finished result in; forget everything when `model` is not the one cached for.
    fn poll(&mut self, model: &Arc<Model>) {
        let generation = model.generation();
        if self.generation != Some(generation) {
            self.generation = Some(generation);
            self.cache.clear();
        }
        if let Some(((_, key), r)) = self.running.poll(|(g, _)| *g == generation) {
            if self.cache.len() >= BACKGROUND_CACHE {
                self.cache.clear();
            }
            self.cache
                .insert(key, r.unwrap_or_else(|e| Err(e.to_string())));
        }
    }

    /// The result for `key`, when there is one.
    fn get(&self, key: u64) -> Option<&Result<T, String>> {
        self.cache.get(&key)
    }

    /// Run `job` for `key` of `model` on the runner unless the result is cached or a query is running; the UI
    /// is asked to repaint when it is done.
    fn request(
        &mut self,
        ctx: &egui::Context,
        model: &Model,
        key: u64,
        job: impl FnOnce(&crate::cancel::Cancel) -> Result<T, String> + Send + 'static,
    ) {
        let k = (model.generation(), key);
        if self.cache.contains_key(&key) || self.running.is_running(&k) {
            return;
        }
        // Starting replaces (and so cancels) the query running for another input: its result is never seen.
        self.running.start(ctx, "reverse query", k, move |report| {
            job(&report.cancel_token())
        });
    }

    /// True while a query runs.
    fn busy(&self) -> bool {
        self.running.busy()
    }

    /// What the running query last reported.
    fn progress(&self) -> Option<super::tasks::Progress> {
        self.running.progress()
    }
}

fn hash_of(model: &Model, parts: &[&str], ctx: &[(String, String)]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    model.generation().hash(&mut h);
    parts.hash(&mut h);
    ctx.hash(&mut h);
    h.finish()
}

/// The colour of a decision or verdict.
fn decision_color(ui: &egui::Ui, d: Option<Decision>) -> egui::Color32 {
    let dark = ui.visuals().dark_mode;
    match (d, dark) {
        (Some(Decision::Allow), true) => egui::Color32::from_rgb(60, 170, 90),
        (Some(Decision::Allow), false) => egui::Color32::from_rgb(30, 130, 60),
        (Some(Decision::ExplicitDeny), true) => egui::Color32::from_rgb(220, 70, 70),
        (Some(Decision::ExplicitDeny), false) => egui::Color32::from_rgb(190, 30, 30),
        (Some(Decision::ImplicitDeny), _) => egui::Color32::from_rgb(215, 150, 30),
        (None, _) => egui::Color32::from_gray(120),
    }
}

fn verdict_decision(v: Verdict) -> Option<Decision> {
    match v {
        Verdict::Allow => Some(Decision::Allow),
        Verdict::ExplicitDeny => Some(Decision::ExplicitDeny),
        Verdict::ImplicitDeny => Some(Decision::ImplicitDeny),
        Verdict::NotApplicable | Verdict::Unknown => None,
    }
}

/// The values of a context row: comma-separated; none when it is empty, for a key the request does not have (as
/// `--context KEY` on the command line and `"KEY": []` in a request line).
fn row_values(v: &str) -> Vec<String> {
    if v.trim().is_empty() {
        Vec::new()
    } else {
        v.split(',').map(|s| s.trim().to_string()).collect()
    }
}

/// The word for a decision.
pub fn decision_label(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "ALLOW",
        Decision::ExplicitDeny => "EXPLICIT DENY",
        Decision::ImplicitDeny => "IMPLICIT DENY",
    }
}

fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Allow => "allow",
        Verdict::ExplicitDeny => "explicit deny",
        Verdict::ImplicitDeny => "implicit deny",
        Verdict::NotApplicable => "not applicable",
        Verdict::Unknown => "unknown",
    }
}

/// A layer's verdict, marked when something it depends on was not read (the CLI writes `ExplicitDeny?`).
fn layer_verdict_label(l: &crate::eval::engine::LayerResult) -> String {
    if l.uncertain {
        format!("{} (uncertain)", verdict_label(l.verdict))
    } else {
        verdict_label(l.verdict).to_string()
    }
}

pub(super) fn layer_label(l: Layer) -> &'static str {
    match l {
        Layer::Scp => "SCP",
        Layer::Rcp => "RCP",
        Layer::Resource => "Resource policy",
        Layer::Trust => "Trust policy",
        Layer::Identity => "Identity",
        Layer::Boundary => "Boundary",
        Layer::Session => "Session",
    }
}

impl EvaluatorView {
    /// The engine request for the builder's fields.
    pub fn request(&self, model: &Model) -> Result<Request, String> {
        let mut principal = Principal::resolve(&self.principal, model)?;
        let session = self.session.trim();
        if !session.is_empty()
            && principal.kind == crate::eval::PrincipalType::Role
            && let Some(account) = principal.account.clone()
        {
            let name = principal
                .arn
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string();
            principal = Principal::resolve(
                &format!("arn:aws:sts::{account}:assumed-role/{name}/{session}"),
                model,
            )?;
        }
        if self.action.trim().is_empty() {
            return Err("give an action".into());
        }
        let mut context = Context::new();
        for (k, v) in &self.context {
            if k.trim().is_empty() {
                continue;
            }
            context.set(k.trim(), row_values(v));
        }
        Ok(Request {
            principal,
            action: self.action.trim().to_string(),
            resource: if self.resource.trim().is_empty() {
                "*".into()
            } else {
                self.resource.trim().to_string()
            },
            resource_account: None,
            context,
        })
    }

    /// The policies given with the request: the session policy when one is pasted. Fails with its problems
    /// (`line:column: message`, errors only) when it does not parse.
    pub fn overrides(&self) -> Result<Overrides, Vec<String>> {
        let text = self.session_policy.as_str();
        if text.trim().is_empty() {
            return Ok(Overrides::default());
        }
        let mut interner = crate::policy::Interner::default();
        let parsed = crate::policy::parse_text(text, &mut interner);
        let errors: Vec<String> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::diagnostic::Severity::Error)
            .map(|d| {
                let at = crate::text::line_col(text, d.span.start as usize);
                format!("{at}: {}", d.message)
            })
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Overrides {
            session_policies: vec![("pasted session policy".into(), parsed.policy)],
            ..Overrides::default()
        })
    }

    /// [`Self::overrides`] with its problems in one message.
    fn overrides_or_message(&self) -> Result<Overrides, String> {
        self.overrides()
            .map_err(|e| format!("fix the session policy first ({})", e.join("; ")))
    }

    /// The request's problems: an action that is not one catalog action, a resource that is not one of the
    /// action's, a context value not of its key's type (the validator's checks; cached on the request).
    pub fn problems(&mut self) -> &[RequestProblem] {
        let mut h = std::hash::DefaultHasher::new();
        (&self.action, &self.resource, &self.context).hash(&mut h);
        let key = h.finish();
        if self.checked.as_ref().is_none_or(|(k, _)| *k != key) {
            let context: Vec<(String, Vec<String>)> = self
                .context
                .iter()
                .map(|(k, v)| (k.clone(), row_values(v)))
                .collect();
            let found = if self.action.trim().is_empty() {
                Vec::new()
            } else {
                check_request(&self.action, &self.resource, &context)
            };
            self.checked = Some((key, found));
        }
        self.checked.as_ref().map_or(&[], |(_, p)| p.as_slice())
    }

    /// True when the answer cannot be trusted until the request is put right.
    pub fn request_needs_checking(&mut self) -> bool {
        self.problems().iter().any(|p| p.blocking)
    }

    /// The decision for the current request (cached on the request and the model).
    pub fn result(&mut self, model: &Model) -> &Result<EvalResult, String> {
        let key = hash_of(
            model,
            &[
                &self.principal,
                &self.session,
                &self.action,
                &self.resource,
                &self.session_policy,
            ],
            &self.context,
        );
        if self.cache.as_ref().is_none_or(|(k, _)| *k != key) {
            let r = self.request(model).and_then(|req| {
                let overrides = self.overrides_or_message()?;
                Ok(crate::eval::evaluate(model, &req, &overrides))
            });
            self.cache = Some((key, r));
        }
        match &self.cache {
            Some((_, r)) => r,
            None => unreachable!("cache filled above"),
        }
    }

    /// True while a who-can or what-can query runs in the background.
    pub fn is_busy(&self) -> bool {
        self.who.busy() || self.what.busy() || self.suite_run.busy()
    }

    /// Set the request's fields from a saved one.
    pub fn load_request(&mut self, r: &NamedRequest) {
        self.principal = r.principal.clone();
        self.session.clear();
        self.action = r.action.clone();
        self.resource = r.resource.clone();
        self.context = r
            .context
            .iter()
            .map(|(k, v)| (k.clone(), v.join(", ")))
            .collect();
        self.save_name = r.name.clone();
    }

    /// Draw the evaluator.
    pub fn ui(&mut self, ui: &mut egui::Ui, model: &Arc<Model>, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            for (t, label) in [
                (Tab::Request, "Request"),
                (Tab::WhoCan, "Who can"),
                (Tab::WhatCan, "What can"),
                (Tab::Suite, "Saved requests"),
            ] {
                ui.selectable_value(&mut self.tab, t, label);
            }
            if !model.what_if.is_empty() {
                ui.separator();
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!(
                        "answering for the MODIFIED model ({} document(s) replaced)",
                        model.what_if.len()
                    ),
                );
                if ui.button("Revert all").clicked() {
                    commands.push(Command::RevertAll);
                }
            }
        });
        if let Some(m) = &self.message {
            ui.colored_label(ui.visuals().error_fg_color, m);
        }
        ui.separator();
        egui::Panel::left("evaluator-request-builder")
            .resizable(true)
            .default_size(360.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("builder-scroll")
                    .show(ui, |ui| self.builder(ui, model));
            });
        egui::CentralPanel::default().show(ui, |ui| match self.tab {
            Tab::Request => self.answer(ui, model, commands),
            Tab::WhoCan => self.who_can_ui(ui, model, commands),
            Tab::WhatCan => self.what_can_ui(ui, model, commands),
            Tab::Suite => self.suite_ui(ui, model, commands),
        });
    }

    fn builder(&mut self, ui: &mut egui::Ui, model: &Model) {
        ui.heading("Request");
        // Principal picker.
        let label = ui.label("Principal (ARN or name)");
        ui.add(
            egui::TextEdit::singleline(&mut self.principal)
                .id_salt("eval-principal")
                .desired_width(ui.available_width()),
        )
        .labelled_by(label.id);
        ui.horizontal(|ui| {
            let label = ui.label("Find user or role:");
            ui.add(
                egui::TextEdit::singleline(&mut self.principal_search)
                    .id_salt("eval-find")
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
        });
        if !self.principal_search.trim().is_empty() {
            let q = self.principal_search.trim().to_ascii_lowercase();
            let mut shown = 0;
            'outer: for a in &model.accounts {
                for (kind, list) in [
                    (
                        "user",
                        a.users
                            .iter()
                            .map(|u| (&u.name, &u.arn))
                            .collect::<Vec<_>>(),
                    ),
                    ("role", a.roles.iter().map(|r| (&r.name, &r.arn)).collect()),
                ] {
                    for (name, arn) in list {
                        if name.to_ascii_lowercase().contains(&q) {
                            let text = format!("{kind} {name} ({})", a.label());
                            if ui.link(text).on_hover_text(&**arn).clicked() {
                                self.principal = arn.to_string();
                                self.principal_search.clear();
                            }
                            shown += 1;
                            if shown >= 10 {
                                ui.weak("…more: refine the search");
                                break 'outer;
                            }
                        }
                    }
                }
            }
            if shown == 0 {
                ui.weak("no user or role matches");
            }
        }
        ui.horizontal(|ui| {
            let label = ui.label("Session name (roles):");
            ui.add(
                egui::TextEdit::singleline(&mut self.session)
                    .id_salt("eval-session")
                    .desired_width(140.0),
            )
            .labelled_by(label.id)
            .on_hover_text("Evaluate as an assumed-role session of the role");
        });
        let label = ui.label("Session policy (JSON, optional)");
        ui.add(
            egui::TextEdit::multiline(&mut self.session_policy).id_salt("eval-session-policy")
                .code_editor()
                .desired_rows(3)
                .desired_width(ui.available_width())
                .hint_text("paste the policy passed when the session was created"),
        )
        .labelled_by(label.id)
        .on_hover_text("It limits the request like a session policy: both it and the identity's policies must allow");
        if let Err(errors) = self.overrides() {
            for e in errors.iter().take(5) {
                ui.colored_label(ui.visuals().error_fg_color, format!("session policy {e}"));
            }
        }
        ui.add_space(6.0);
        // Action with catalog autocomplete.
        let label = ui.label("Action");
        let action_resp = ui
            .add(
                egui::TextEdit::singleline(&mut self.action)
                    .id_salt("eval-action")
                    .desired_width(ui.available_width()),
            )
            .labelled_by(label.id);
        let catalog = crate::catalog::catalog();
        let typed = self.action.trim().to_string();
        if !typed.is_empty() {
            if crate::catalog::has_wildcard(&typed) {
                let ids = catalog.expand(&typed);
                let names: Vec<String> = ids
                    .iter()
                    .take(8)
                    .filter_map(|id| catalog.get(*id))
                    .map(|(s, a)| format!("{}:{}", s.prefix, a.name))
                    .collect();
                ui.weak(format!(
                    "expands to {} action(s): {}{}",
                    ids.len(),
                    names.join(", "),
                    if ids.len() > names.len() { ", …" } else { "" }
                ));
            } else if catalog.action(&typed).is_none() && action_resp.has_focus() {
                let pattern = format!("{typed}*");
                let ids = catalog.expand(&pattern);
                for id in ids.iter().take(8) {
                    if let Some((s, a)) = catalog.get(*id) {
                        let full = format!("{}:{}", s.prefix, a.name);
                        if ui.link(&full).clicked() {
                            self.action = full;
                        }
                    }
                }
                if ids.is_empty() {
                    ui.weak("no such action in the catalog");
                }
            }
        }
        // While the action is typed the catalog's suggestions show under it; its problems wait for the field to
        // be left (the answer says them at once), so the fields below do not jump at each keystroke.
        if !action_resp.has_focus() {
            problems_ui(ui, self.problems(), |f| *f == RequestField::Action);
        }
        ui.add_space(6.0);
        // Resource with suggestions from the snapshot.
        let label = ui.label("Resource (ARN, * for none)");
        let res_resp = ui
            .add(
                egui::TextEdit::singleline(&mut self.resource)
                    .id_salt("eval-resource")
                    .desired_width(ui.available_width()),
            )
            .labelled_by(label.id);
        if res_resp.has_focus() {
            let service = typed.split(':').next().unwrap_or_default().to_string();
            let q = self.resource.to_ascii_lowercase();
            // The snapshot's ARNs, sorted and lowercased once per model and service, not per frame (an
            // organisation has hundreds of thousands).
            let cache_id = egui::Id::unique("eval-resource-suggestions");
            let key = (model.generation(), service.clone());
            type Suggestions = ((u64, String), Vec<(String, String)>);
            let suggestions = match ui.data(|d| d.get_temp::<Arc<Suggestions>>(cache_id)) {
                Some(c) if c.0 == key => c,
                _ => {
                    let list = resource_suggestions(model, &service)
                        .into_iter()
                        .map(|a| (a.to_ascii_lowercase(), a))
                        .collect();
                    let c = Arc::new((key, list));
                    ui.data_mut(|d| d.insert_temp(cache_id, c.clone()));
                    c
                }
            };
            let mut shown = 0;
            for (lower, arn) in &suggestions.1 {
                if shown >= 8 {
                    break;
                }
                if lower.contains(&q) && *arn != self.resource {
                    if ui.link(arn).clicked() {
                        self.resource = arn.clone();
                    }
                    shown += 1;
                }
            }
        }
        if !res_resp.has_focus() {
            problems_ui(ui, self.problems(), |f| *f == RequestField::Resource);
        }
        ui.add_space(6.0);
        self.context_editor(ui, model);
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let label = ui.label("Save as:");
            ui.add(
                egui::TextEdit::singleline(&mut self.save_name)
                    .id_salt("eval-save-name")
                    .desired_width(140.0),
            )
            .labelled_by(label.id);
            if ui
                .button("Add to saved requests")
                .on_hover_text("The current decision becomes the expected one")
                .clicked()
            {
                self.add_to_suite(model);
            }
        });
    }

    fn context_editor(&mut self, ui: &mut egui::Ui, model: &Model) {
        ui.strong("Context");
        let mut remove = None;
        let problems = self.problems().to_vec();
        for (i, (k, v)) in self.context.iter_mut().enumerate() {
            // The key on its own line, the value under it: a long key never widens the panel.
            let label = ui.add(egui::Label::new(format!("{k}{}", key_type(k))).truncate());
            let label = match super::help::key(k) {
                Some(h) => label.on_hover_text(h),
                None => label,
            };
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(v)
                        .id_salt(("eval-context", i))
                        // Left empty, the row says the request does not have the key (`row_values`).
                        .hint_text("empty: the request has no such key")
                        .desired_width((ui.available_width() - 80.0).max(80.0)),
                )
                .labelled_by(label.id);
                if ui.small_button("Remove").clicked() {
                    remove = Some(i);
                }
            });
            let key = k.trim().to_string();
            problems_ui(ui, &problems, |f| *f == RequestField::Context(key.clone()));
        }
        if let Some(i) = remove {
            self.context.remove(i);
        }
        // Keys the relevant policies test but the request lacks, then the common ones.
        let missing: Vec<String> = match self.result(model) {
            Ok(r) => {
                let mut keys = r.missing_context_keys.clone();
                // An answer that rests on a bucket's account (an S3 ARN names none) asks for it.
                if r.unknown
                    .iter()
                    .any(|u| u == crate::eval::request::ACCOUNT_ASSUMED)
                {
                    keys.push("aws:ResourceAccount".into());
                }
                keys
            }
            Err(_) => Vec::new(),
        };
        let have =
            |k: &str, ctx: &[(String, String)]| ctx.iter().any(|(c, _)| c.eq_ignore_ascii_case(k));
        let mut add = None;
        if missing.iter().any(|k| !have(k, &self.context)) {
            ui.weak("Keys the answer depends on:");
            ui.horizontal_wrapped(|ui| {
                for k in &missing {
                    if !have(k, &self.context) && ui.button(format!("+ {k}")).clicked() {
                        add = Some(k.clone());
                    }
                }
            });
        }
        ui.weak("Common keys:");
        ui.horizontal_wrapped(|ui| {
            for k in COMMON_KEYS {
                if !have(k, &self.context) && ui.small_button(format!("+ {k}")).clicked() {
                    add = Some((*k).to_string());
                }
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("Other key:");
            ui.add(
                egui::TextEdit::singleline(&mut self.new_key)
                    .id_salt("eval-new-key")
                    .desired_width(160.0),
            )
            .labelled_by(label.id);
            if ui.button("Add").clicked() && !self.new_key.trim().is_empty() {
                add = Some(self.new_key.trim().to_string());
                self.new_key.clear();
            }
        });
        if let Some(k) = add {
            let default = match k.as_str() {
                "aws:MultiFactorAuthPresent" | "aws:SecureTransport" => "true".into(),
                "aws:RequestedRegion" => "eu-west-1".into(),
                "aws:CurrentTime" => "2026-11-26T12:00:00Z".into(),
                "aws:SourceIp" => "203.0.113.10".into(),
                // (The resource's account is left to type: a value filled in would be an answer taken as known.)
                _ => String::new(),
            };
            self.context.push((k, default));
        }
    }

    fn add_to_suite(&mut self, model: &Model) {
        let expected = self.result(model).as_ref().ok().map(|r| r.decision);
        let name = if self.save_name.trim().is_empty() {
            format!("request-{}", self.suite.len() + 1)
        } else {
            self.save_name.trim().to_string()
        };
        let mut context = BTreeMap::new();
        for (k, v) in &self.context {
            context.insert(k.clone(), row_values(v));
        }
        let principal = match self.request(model) {
            Ok(r) => r.principal.arn,
            Err(_) => self.principal.clone(),
        };
        self.suite.retain(|r| r.name != name);
        self.suite.push(NamedRequest {
            name,
            principal,
            action: self.action.trim().to_string(),
            resource: self.resource.trim().to_string(),
            resource_account: None,
            context,
            expected,
            why: None,
            session_policies: if self.session_policy.trim().is_empty() {
                Vec::new()
            } else {
                vec![self.session_policy.clone()]
            },
        });
    }

    fn answer(&mut self, ui: &mut egui::Ui, model: &Model, commands: &mut Vec<Command>) {
        let empty = self.principal.trim().is_empty();
        let r = match self.result(model) {
            Ok(r) => r.clone(),
            Err(e) => {
                ui.add_space(20.0);
                if empty {
                    ui.label(
                        "Pick a principal, an action and a resource: the answer appears here.",
                    );
                } else {
                    ui.colored_label(ui.visuals().warn_fg_color, e);
                }
                return;
            }
        };
        let key = self.cache.as_ref().map_or(0, |(k, _)| *k);
        if self.show_howto && self.howto.as_ref().is_none_or(|(k, _)| *k != key) {
            let changes = match (self.request(model), self.overrides()) {
                (Ok(req), Ok(ov)) => {
                    if r.decision == Decision::Allow {
                        crate::eval::howto::what_would_deny(model, &req, &ov)
                    } else {
                        crate::eval::howto::how_to_allow(model, &req, &ov)
                    }
                }
                _ => Vec::new(),
            };
            self.howto = Some((key, changes));
        }
        let howto = self
            .howto
            .as_ref()
            .filter(|(k, _)| self.show_howto && *k == key)
            .map(|(_, c)| c.clone());
        let mut show = self.show_howto;
        let problems = self.problems().to_vec();
        // A new request starts at the top, where its verdict is.
        let mut area = egui::ScrollArea::vertical()
            .id_salt("answer")
            .auto_shrink([false, false]);
        if self.shown_key != Some(key) {
            area = area.vertical_scroll_offset(0.0);
            self.shown_key = Some(key);
        }
        area.show(ui, |ui| {
            answer_ui(ui, model, &r, &problems, commands, &mut |ui| {
                howto_ui(ui, &r, howto.as_deref(), &mut show);
            });
        });
        self.show_howto = show;
    }

    fn who_can_ui(&mut self, ui: &mut egui::Ui, model: &Arc<Model>, commands: &mut Vec<Command>) {
        ui.label(format!(
            "Who can do `{}` on `{}`? (conditions on keys the request lacks are assumed to hold and listed)",
            self.action,
            if self.resource.is_empty() { "*" } else { &self.resource }
        ));
        if self.action.trim().is_empty() {
            return;
        }
        // A half-typed or malformed action is not asked about: its problems are shown instead.
        let problems = self.problems().to_vec();
        if problems
            .iter()
            .any(|p| p.blocking && !matches!(p.field, RequestField::Context(_)))
        {
            problems_ui(ui, &problems, |_| true);
            return;
        }
        let key = hash_of(
            model,
            &[&self.action, &self.resource, &self.session_policy],
            &self.context,
        );
        self.who.poll(model);
        if self.who.get(key).is_none() {
            let ctx = match self.request(model) {
                Ok(r) => r.context,
                Err(_) => Context::new(),
            };
            let resource = match self.resource.trim() {
                "" => "*".to_string(),
                r => r.to_string(),
            };
            let action = self.action.trim().to_string();
            let overrides = self.overrides_or_message();
            let m = Arc::clone(model);
            self.who.request(ui.ctx(), model, key, move |cancel| {
                let overrides = overrides?;
                let question = WhoCanQuestion {
                    action: &action,
                    resource: &resource,
                    resource_account: None,
                    context: &ctx,
                    overrides: &overrides,
                };
                who_can_cancellable(&m, question, cancel).ok_or_else(|| CANCELLED.to_string())
            });
        }
        let w = match self.who.get(key) {
            Some(Ok(w)) => w,
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return;
            }
            None => {
                super::tasks::running_ui(ui, "Finding who can…", self.who.progress().as_ref());
                return;
            }
        };
        ui.weak(format!(
            "{} principal(s) of {} evaluated",
            w.principals.len(),
            w.evaluated
        ));
        if self.who_rows.as_ref().is_none_or(|(k, _)| *k != key) {
            let rows: Vec<Vec<Cell>> = w.principals.iter().map(|p| who_row(ui, model, p)).collect();
            self.who_rows = Some((key, rows));
        }
        if let Some((_, rows)) = &self.who_rows {
            table::table(
                ui,
                "who-can",
                &[
                    ("Principal", 230.0),
                    ("Kind", 60.0),
                    ("Answer", 70.0),
                    ("Granted by", 210.0),
                    ("Conditions", 300.0),
                ],
                rows,
                &mut self.who_sort,
                commands,
            );
        }
        super::people::who_can_people_ui(ui, model, w, commands);
    }

    fn what_can_ui(&mut self, ui: &mut egui::Ui, model: &Arc<Model>, commands: &mut Vec<Command>) {
        let key = hash_of(
            model,
            &[&self.principal, &self.session, &self.session_policy],
            &self.context,
        );
        self.what.poll(model);
        if self.what.get(key).is_none() {
            match self.request_principal(model) {
                Ok((p, ctx)) => {
                    let overrides = self.overrides_or_message();
                    let m = Arc::clone(model);
                    self.what.request(ui.ctx(), model, key, move |cancel| {
                        what_can_cancellable(&m, &p, &ctx, &overrides?, cancel)
                            .ok_or_else(|| CANCELLED.to_string())
                    });
                }
                Err(e) => {
                    ui.label(format!("Pick a principal first ({e})."));
                    return;
                }
            }
        }
        let w = match self.what.get(key) {
            Some(Ok(w)) => w,
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return;
            }
            None => {
                super::tasks::running_ui(
                    ui,
                    "Finding what the principal can do…",
                    self.what.progress().as_ref(),
                );
                return;
            }
        };
        ui.label(format!("What can `{}` do?", w.principal));
        // What was not read may grant more: said above the list, never left out silently.
        for why in &w.unread {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("Not whole: {why}; what it may allow is not listed."),
            );
        }
        if self.what_rows.as_ref().is_none_or(|(k, _)| *k != key) {
            let mut rows: Vec<Vec<Cell>> = Vec::new();
            for (service, levels) in &w.services {
                for (level, grants) in levels {
                    for g in grants {
                        rows.push(what_row(model, service, level, g));
                    }
                }
            }
            self.what_rows = Some((key, rows));
        }
        if let Some((_, rows)) = &self.what_rows {
            ui.weak(format!("{} grant(s)", rows.len()));
            table::table(
                ui,
                "what-can",
                &[
                    ("Service", 90.0),
                    ("Access level", 100.0),
                    ("Action", 290.0),
                    ("Conditions", 110.0),
                    ("Resources", 300.0),
                ],
                rows,
                &mut self.what_sort,
                commands,
            );
        }
    }

    fn request_principal(&self, model: &Model) -> Result<(Principal, Context), String> {
        let mut probe = EvaluatorView {
            principal: self.principal.clone(),
            session: self.session.clone(),
            context: self.context.clone(),
            action: "sts:GetCallerIdentity".into(),
            ..EvaluatorView::default()
        };
        probe.resource = "*".into();
        let r = probe.request(model)?;
        Ok((r.principal, r.context))
    }

    /// Load a saved request set from `path` (problems go to the message line).
    pub fn load_suite_file(&mut self, path: &std::path::Path) {
        let name = path.display().to_string();
        match crate::files::read_string(path)
            .map_err(|e| format!("{name}: {e}"))
            .and_then(|t| suite::parse(&name, &t))
        {
            Ok(s) => {
                self.suite = s;
                self.outcomes.clear();
                self.suite_run.cancel();
                self.message = None;
            }
            Err(e) => self.message = Some(e),
        }
    }

    /// The bundled sample's teaching cases (embedded in the binary) as the saved requests.
    pub fn load_teaching_cases(&mut self) {
        match crate::lessons::teaching_cases() {
            Ok(s) => {
                self.suite = s;
                self.outcomes.clear();
                self.suite_run.cancel();
                self.message = None;
            }
            Err(e) => self.message = Some(e),
        }
    }

    /// Save the request set to `path`, never over a loaded snapshot file.
    pub fn save_suite_file(&mut self, path: &std::path::Path, model: &Model) {
        let is_snapshot = model
            .sources
            .iter()
            .any(|s| std::path::Path::new(&s.name) == path);
        if is_snapshot {
            self.message = Some("refusing to write over a loaded snapshot file".into());
        } else if let Err(e) =
            crate::files::write_atomic(path, suite::to_json(&self.suite).as_bytes())
        {
            self.message = Some(format!("cannot write {}: {e}", path.display()));
        } else {
            self.message = None;
        }
    }

    /// Run the saved set on the runner; its outcomes replace the last run's when it is done.
    pub fn run_suite(&mut self, ctx: &egui::Context, model: &Arc<Model>) {
        let (m, requests) = (model.clone(), self.suite.clone());
        self.suite_run
            .start(ctx, "saved requests", model.generation(), move |report| {
                let n = requests.len();
                // About a hundred progress reports, whatever the size of the set.
                let every = (n / 100).max(1);
                let mut out = Vec::with_capacity(n);
                for (i, r) in requests.iter().enumerate() {
                    if report.cancelled() {
                        break;
                    }
                    if i % every == 0 {
                        report.progress(
                            Some(i as f32 / n as f32),
                            format!("running request {} of {n}", i + 1),
                        );
                    }
                    out.extend(suite::run(
                        &m,
                        std::slice::from_ref(r),
                        &Overrides::default(),
                    ));
                }
                out
            });
    }

    /// Take the saved set's run in when it is done (a run on an older model is dropped).
    fn poll_suite(&mut self, model: &Model) {
        let generation = model.generation();
        match self.suite_run.poll(|g| *g == generation) {
            Some((_, Ok(outcomes))) => self.outcomes = outcomes,
            Some((_, Err(e))) => self.message = Some(e.to_string()),
            None => {}
        }
    }

    fn suite_ui(&mut self, ui: &mut egui::Ui, model: &Arc<Model>, commands: &mut Vec<Command>) {
        self.poll_suite(model);
        ui.horizontal(|ui| {
            if ui.button("Load…").clicked() {
                commands.push(Command::PickFile(FilePurpose::LoadRequests));
            }
            if ui
                .button("Teaching cases")
                .on_hover_text(
                    "The bundled sample's 55 teaching cases, each with why AWS decides as it does",
                )
                .clicked()
            {
                self.load_teaching_cases();
            }
            if ui.button("Save as…").clicked() {
                commands.push(Command::PickFile(FilePurpose::SaveRequests));
            }
            if ui
                .add_enabled(
                    !self.suite.is_empty() && !self.suite_run.busy(),
                    egui::Button::new("Run all"),
                )
                .clicked()
            {
                self.run_suite(ui.ctx(), model);
            }
            if self.suite_run.busy() {
                super::tasks::running_ui(
                    ui,
                    "running the saved requests…",
                    self.suite_run.progress().as_ref(),
                );
            } else if !self.outcomes.is_empty() {
                let failed = self.outcomes.iter().filter(|o| !o.pass).count();
                let c = if failed == 0 {
                    decision_color(ui, Some(Decision::Allow))
                } else {
                    decision_color(ui, Some(Decision::ExplicitDeny))
                };
                ui.colored_label(
                    c,
                    format!("{} passed, {failed} failed", self.outcomes.len() - failed),
                );
            }
        });
        ui.separator();
        let mut load = None;
        let mut remove = None;
        TableBuilder::new(ui)
            .id_salt("suite")
            .striped(true)
            .column(Column::auto().at_least(200.0))
            .column(Column::auto().at_least(110.0))
            .column(Column::auto().at_least(110.0))
            .column(Column::auto().at_least(60.0))
            .column(Column::auto().at_least(60.0))
            .column(Column::remainder().clip(true))
            .header(22.0, |mut h| {
                for t in ["Name", "Expected", "Got", "Result", "", "Why"] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|mut body| {
                for (i, r) in self.suite.iter().enumerate() {
                    let o = self.outcomes.iter().find(|o| o.name == r.name);
                    body.row(22.0, |mut row| {
                        row.col(|ui| {
                            if ui
                                .link(&r.name)
                                .on_hover_text("Load into the request")
                                .clicked()
                            {
                                load = Some(i);
                            }
                        });
                        row.col(|ui| {
                            ui.label(r.expected.map(decision_label).unwrap_or("-"));
                        });
                        row.col(|ui| match o.map(|o| &o.got) {
                            Some(Ok(d)) => {
                                ui.colored_label(decision_color(ui, Some(*d)), decision_label(*d));
                            }
                            Some(Err(e)) => {
                                ui.label("error").on_hover_text(e);
                            }
                            None => {}
                        });
                        row.col(|ui| match o {
                            Some(o) if o.pass => {
                                ui.colored_label(decision_color(ui, Some(Decision::Allow)), "pass");
                            }
                            Some(_) => {
                                ui.colored_label(
                                    decision_color(ui, Some(Decision::ExplicitDeny)),
                                    "FAIL",
                                );
                            }
                            None => {}
                        });
                        row.col(|ui| {
                            if ui.small_button("Remove").clicked() {
                                remove = Some(i);
                            }
                        });
                        row.col(|ui| {
                            if let Some(why) = &r.why {
                                ui.add(egui::Label::new(why.as_str()).truncate())
                                    .on_hover_text(why.as_str());
                            }
                        });
                    });
                }
            });
        if let Some(i) = load
            && let Some(r) = self.suite.get(i).cloned()
        {
            self.load_request(&r);
            self.tab = Tab::Request;
        }
        if let Some(i) = remove {
            self.suite.remove(i);
            self.outcomes.clear();
            self.suite_run.cancel();
        }
    }
}

/// ARNs of the snapshot a request could name, those of `service` first.
fn resource_suggestions(model: &Model, service: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in &model.accounts {
        for rp in &a.resource_policies {
            out.push(rp.resource.to_string());
            if rp.service.as_ref() == "s3" {
                out.push(format!("{}/*", rp.resource));
            }
        }
        out.extend(a.roles.iter().map(|r| r.arn.to_string()));
        out.extend(a.users.iter().map(|u| u.arn.to_string()));
        out.extend(
            a.policies
                .iter()
                .filter(|p| !p.aws_managed)
                .map(|p| p.arn.to_string()),
        );
    }
    out.sort_by_key(|arn| crate::account::arn_service(arn) != Some(service));
    out.dedup();
    out
}

fn answer_ui(
    ui: &mut egui::Ui,
    model: &Model,
    r: &EvalResult,
    problems: &[RequestProblem],
    commands: &mut Vec<Command>,
    after_summary: &mut dyn FnMut(&mut egui::Ui),
) {
    // The badge: no confident verdict for a request that is not one AWS could receive.
    let check = problems.iter().any(|p| p.blocking);
    let (text, color) = if check {
        ("CHECK THE REQUEST".to_string(), decision_color(ui, None))
    } else if r.certain {
        (
            decision_label(r.decision).to_string(),
            decision_color(ui, Some(r.decision)),
        )
    } else {
        (
            format!(
                "UNKNOWN (known policies say {})",
                decision_label(r.decision)
            ),
            decision_color(ui, None),
        )
    };
    egui::Frame::new()
        .fill(color)
        .corner_radius(8.0)
        .inner_margin(egui::Margin::symmetric(18, 10))
        .show(ui, |ui| {
            ui.label(
                egui::RichText::new(text)
                    .size(30.0)
                    .strong()
                    .color(egui::Color32::WHITE),
            );
        });
    ui.label(format!(
        "{} `{}` on `{}`{}",
        r.principal.arn,
        r.action,
        r.resource,
        match (r.decided_by, r.aws_rule) {
            (Some(l), _) => format!(": decided by the {} layer", layer_label(l)),
            (None, Some(_)) => ": decided by AWS before any policy is read".into(),
            (None, None) => String::new(),
        }
    ));
    if check {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "As written, the policies say {}; but the request is not one AWS would receive:",
                decision_label(r.decision)
            ),
        );
        problems_ui(ui, problems, |_| true);
    }
    for u in &r.unknown {
        ui.colored_label(ui.visuals().warn_fg_color, format!("uncertain: {u}"));
    }
    let deciding: Vec<(Layer, &crate::eval::engine::StatementHit)> = r
        .layers
        .iter()
        .flat_map(|l| l.statements.iter().map(move |s| (l.layer, s)))
        .filter(|(l, s)| {
            let deny = s.effect == crate::policy::Effect::Deny;
            match r.decision {
                Decision::ExplicitDeny => deny,
                Decision::Allow => !deny && Some(*l) == r.decided_by,
                Decision::ImplicitDeny => false,
            }
        })
        .collect();
    if !deciding.is_empty() {
        ui.add_space(4.0);
        ui.strong("Deciding statement(s)");
        for (l, s) in deciding {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("{}:", layer_label(l)));
                let sid = s
                    .sid
                    .clone()
                    .unwrap_or_else(|| format!("statement {}", s.index));
                ui.label(egui::RichText::new(sid).strong());
                ui.label(format!("in {} {}", s.policy.kind, s.policy.name));
                if let Some(src) = s.policy.source
                    && ui.button("Open in editor").clicked()
                {
                    commands.push(Command::EditAt(src, s.span));
                }
            });
        }
    }
    ui.label(format!("In short: {}.", r.summary()));
    // What almost decided otherwise, in the layer that decided: the condition that failed.
    if r.decision != Decision::Allow {
        for l in r.layers.iter().filter(|l| Some(l.layer) == r.decided_by) {
            for s in l
                .near_misses
                .iter()
                .filter(|s| s.effect == crate::policy::Effect::Allow)
            {
                for c in s.conditions.iter().filter(|c| !c.held) {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        format!(
                            "Almost allowed by {} in {} {}: {} fails",
                            s.sid
                                .clone()
                                .unwrap_or_else(|| format!("statement {}", s.index)),
                            s.policy.kind,
                            s.policy.name,
                            condition_text(c)
                        ),
                    );
                }
            }
        }
    }
    after_summary(ui);
    ui.add_space(8.0);
    // The layered flow.
    ui.strong("Layers, in the order AWS evaluates them");
    ui.horizontal_wrapped(|ui| {
        for (i, l) in r.layers.iter().enumerate() {
            if i > 0 {
                ui.label("->");
            }
            let c = decision_color(ui, verdict_decision(l.verdict));
            let decided = r.decided_by == Some(l.layer);
            egui::Frame::new()
                .stroke(egui::Stroke::new(if decided { 3.0 } else { 1.0 }, c))
                .corner_radius(6.0)
                .inner_margin(egui::Margin::symmetric(8, 4))
                .show(ui, |ui| {
                    ui.vertical(|ui| {
                        ui.add(
                            egui::Label::new(egui::RichText::new(layer_label(l.layer)).strong())
                                .wrap_mode(egui::TextWrapMode::Extend),
                        );
                        ui.add(
                            egui::Label::new(egui::RichText::new(layer_verdict_label(l)).color(c))
                                .wrap_mode(egui::TextWrapMode::Extend),
                        );
                    });
                })
                .response
                .on_hover_text(l.note.as_deref().unwrap_or(""));
        }
    });
    ui.add_space(8.0);
    // Statements, per layer.
    // The layer that decided first (the strip above keeps AWS's order), then the others.
    let ordered = r
        .layers
        .iter()
        .filter(|l| r.decided_by == Some(l.layer))
        .chain(r.layers.iter().filter(|l| r.decided_by != Some(l.layer)));
    for l in ordered {
        let deciding = r.decided_by == Some(l.layer);
        if l.statements.is_empty()
            && l.levels.is_empty()
            && l.unknown_policies.is_empty()
            && l.near_misses.is_empty()
            && l.unread.is_empty()
            && !deciding
        {
            continue;
        }
        ui.separator();
        ui.horizontal(|ui| {
            ui.strong(layer_label(l.layer));
            ui.colored_label(
                decision_color(ui, verdict_decision(l.verdict)),
                layer_verdict_label(l),
            );
            if deciding {
                ui.weak("(decided the answer)");
            }
            if let Some(n) = &l.note {
                ui.weak(n.as_ref());
            }
        });
        if deciding
            && l.verdict == Verdict::ImplicitDeny
            && !l
                .statements
                .iter()
                .any(|s| s.effect == crate::policy::Effect::Allow)
            && l.near_misses.is_empty()
        {
            ui.colored_label(
                decision_color(ui, Some(Decision::ImplicitDeny)),
                format!(
                    "  no statement of this layer's policies allows `{}` on `{}`: what is not allowed is denied",
                    r.action, r.resource
                ),
            );
        }
        for lv in &l.levels {
            ui.horizontal(|ui| {
                ui.label(format!("  level {}:", lv.name));
                ui.colored_label(
                    decision_color(ui, verdict_decision(lv.verdict)),
                    verdict_label(lv.verdict),
                );
            });
        }
        for u in &l.unknown_policies {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("  missing from the snapshot: {u}"),
            );
        }
        for u in &l.unread {
            ui.colored_label(ui.visuals().warn_fg_color, format!("  not fully read: {u}"));
        }
        for s in &l.near_misses {
            ui.horizontal_wrapped(|ui| {
                ui.weak("Near miss:");
                ui.label(format!("{:?}", s.effect));
                let sid = s
                    .sid
                    .clone()
                    .unwrap_or_else(|| format!("statement {}", s.index));
                ui.label(egui::RichText::new(sid).strong());
                ui.label(format!("in {} {}", s.policy.kind, s.policy.name));
            });
            for c in s.conditions.iter().filter(|c| !c.held) {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("      {}: fails", condition_text(c)),
                )
                .on_hover_ui(|ui| condition_hover(ui, c));
            }
        }
        for s in &l.statements {
            ui.horizontal_wrapped(|ui| {
                let effect = format!("{:?}", s.effect);
                let c = if effect == "Deny" {
                    decision_color(ui, Some(Decision::ExplicitDeny))
                } else {
                    decision_color(ui, Some(Decision::Allow))
                };
                ui.colored_label(c, egui::RichText::new(effect).strong());
                let sid = s
                    .sid
                    .clone()
                    .unwrap_or_else(|| format!("statement {}", s.index));
                ui.label(egui::RichText::new(sid).strong());
                let mut place = format!("in {} {}", s.policy.kind, s.policy.name);
                if let Some(v) = &s.policy.version {
                    place.push_str(&format!(" {v}"));
                }
                if let Some(a) = &s.policy.attached_to {
                    place.push_str(&format!(" (via {a})"));
                }
                ui.label(place);
                if let Some(src) = s.policy.source
                    && ui
                        .button("Open in editor")
                        .on_hover_text(s.location.as_deref().unwrap_or(""))
                        .clicked()
                {
                    commands.push(Command::EditAt(src, s.span));
                }
                if s.policy.source.is_some_and(|src| is_what_if(model, src)) {
                    ui.colored_label(ui.visuals().warn_fg_color, "modified");
                }
            });
            for c in &s.conditions {
                let mark = match (&c.unreadable, c.held) {
                    (Some(why), _) => format!("cannot be decided ({why})"),
                    (None, true) => "holds".into(),
                    (None, false) => "fails".into(),
                };
                ui.label(format!("      {}: {mark}", condition_text(c)))
                    .on_hover_ui(|ui| condition_hover(ui, c));
            }
        }
    }
    if !r.missing_context_keys.is_empty() {
        ui.separator();
        ui.strong("Context keys that could change the answer (not in the request)");
        for k in &r.missing_context_keys {
            ui.label(format!("  {k}{}", key_type(k)));
        }
    }
    if !r.assumed_conditions.is_empty() {
        ui.separator();
        for a in &r.assumed_conditions {
            ui.weak(format!("assumed: {a}"));
        }
    }
    if !r.notes.is_empty() {
        ui.separator();
        for n in &r.notes {
            ui.weak(n);
        }
    }
    if !r.context.is_empty() {
        ui.separator();
        ui.strong("Context as evaluated");
        for (k, v) in &r.context {
            ui.label(format!("  {}", crate::eval::condition::say_key(k, v)));
        }
    }
}

/// The request's problems about the fields `which` accepts, each with its help: red when the answer cannot be
/// trusted, weak for a remark.
fn problems_ui(
    ui: &mut egui::Ui,
    problems: &[RequestProblem],
    which: impl Fn(&RequestField) -> bool,
) {
    for p in problems.iter().filter(|p| which(&p.field)) {
        let color = if p.blocking {
            ui.visuals().error_fg_color
        } else {
            ui.visuals().warn_fg_color
        };
        let what = match &p.field {
            RequestField::Action => "action".to_string(),
            RequestField::Resource => "resource".to_string(),
            RequestField::Context(k) => k.clone(),
        };
        let mut text = format!("{what}: {}", p.message);
        if let Some(h) = &p.help {
            text.push_str(&format!(" ({h})"));
        }
        ui.add(egui::Label::new(egui::RichText::new(text).color(color)).wrap())
            .on_hover_text(p.code);
    }
}

/// The hover of a condition: what its operator and key mean, and its truth table (computed by the engine).
fn condition_hover(ui: &mut egui::Ui, c: &crate::eval::condition::ConditionResult) {
    ui.label(condition_help(c));
    let values: Vec<&str> = c.policy_values.iter().map(String::as_str).collect();
    if let Some(t) = crate::eval::truth_table::truth_table(&c.operator, &c.key, &values) {
        ui.separator();
        super::truth::ui(ui, &t, super::truth::Below::Note);
    }
}

/// What a condition's operator and key mean (hover help), and how this request fared.
fn condition_help(c: &crate::eval::condition::ConditionResult) -> String {
    let mut parts = Vec::new();
    if let Some(h) = super::help::operator(&c.operator.to_string()) {
        parts.push(h);
    }
    if let Some(h) = super::help::key(&c.key.to_string()) {
        parts.push(h);
    }
    if c.request_values.is_none() {
        parts.push("The request does not carry this key.".to_string());
    }
    parts.join("\n\n")
}

/// `NumericLessThan aws:MultiFactorAuthAge [3600] vs request [7200]`.
fn condition_text(c: &crate::eval::condition::ConditionResult) -> String {
    let req = match &c.request_values {
        Some(v) => v.join(", "),
        None => "(missing)".into(),
    };
    format!(
        "{} {} [{}] vs request [{req}]",
        c.operator,
        c.key,
        c.policy_values.join(", ")
    )
}

/// "How to allow it" for a denial, "What would deny it" for an allowance: each change verified by the engine.
fn howto_ui(
    ui: &mut egui::Ui,
    r: &EvalResult,
    changes: Option<&[crate::eval::howto::Change]>,
    show: &mut bool,
) {
    let title = if r.decision == Decision::Allow {
        "What would deny it?"
    } else {
        "How to allow it?"
    };
    ui.toggle_value(show, title)
        .on_hover_text("The smallest changes, each checked by evaluating the request again");
    let Some(changes) = changes else { return };
    if changes.is_empty() {
        ui.weak("No single change found.");
    }
    for c in changes {
        ui.horizontal_wrapped(|ui| {
            if c.verified {
                ui.colored_label(decision_color(ui, Some(Decision::Allow)), "verified");
            } else {
                ui.weak("not enough alone");
            }
            ui.label(&c.change);
        });
        if let Some(sn) = &c.snippet {
            ui.add(egui::Label::new(egui::RichText::new(sn).monospace()).wrap());
        }
    }
}

/// ` (String)`, ` (ArrayOfString)`: the key's type from the catalog, for labels.
fn key_type(key: &str) -> String {
    match crate::catalog::catalog().key_type(key) {
        Some(t) => format!(" ({}{:?})", if t.multi { "ArrayOf" } else { "" }, t.base),
        None => String::new(),
    }
}

fn is_what_if(model: &Model, src: crate::account::SourceId) -> bool {
    model
        .sources
        .get(src.0 as usize)
        .is_some_and(|s| s.name.starts_with("what-if: "))
}

/// The word and colour of a reverse query's answer (who-can, who may assume a role).
pub(super) fn outcome_label(
    ui: &egui::Ui,
    o: crate::eval::reverse::Outcome,
) -> (&'static str, egui::Color32) {
    use crate::eval::reverse::Outcome;
    match o {
        Outcome::AllowedAlways => ("always", decision_color(ui, Some(Decision::Allow))),
        Outcome::AllowedIf => ("if", ui.visuals().warn_fg_color),
        Outcome::Unknown => ("unknown", decision_color(ui, None)),
    }
}

/// An answer's conditions, one per line; an unknown answer without any says why it is unknown.
pub(super) fn outcome_conditions(
    o: crate::eval::reverse::Outcome,
    conditions: &[String],
) -> Vec<String> {
    match o {
        crate::eval::reverse::Outcome::Unknown if conditions.is_empty() => {
            vec!["a policy it needs is missing or was not read".to_string()]
        }
        _ => conditions.to_vec(),
    }
}

/// A who-can row: the principal's short name and account (its ARN on hover), the kind, the answer, each
/// condition on its own line, and the layer and policies that grant it.
fn who_row(ui: &egui::Ui, model: &Model, p: &crate::eval::reverse::WhoCanEntry) -> Vec<Cell> {
    let account = model
        .accounts
        .iter()
        .find(|a| *a.id == *p.account)
        .map(|a| {
            a.alias
                .as_deref()
                .map_or_else(|| a.id.to_string(), str::to_string)
        })
        .unwrap_or_else(|| p.account.clone());
    let (answer, color) = outcome_label(ui, p.outcome);
    let conditions = outcome_conditions(p.outcome, &p.conditions);
    let mut granted: Vec<String> = Vec::new();
    if let Some(l) = p.decided_by {
        granted.push(layer_label(l).to_string());
    }
    for s in p
        .statements
        .iter()
        .filter(|s| s.effect == crate::policy::Effect::Allow)
    {
        let line = format!("{} {}", s.policy.kind, s.policy.name);
        if !granted.contains(&line) {
            granted.push(line);
        }
    }
    vec![
        Cell {
            text: short_arn(&p.principal).to_string(),
            weak: account,
            full: Some(p.principal.clone()),
            link: Some(p.entity),
            color: None,
        },
        Cell::text(format!("{:?}", p.kind)),
        Cell {
            color: Some(color),
            ..Cell::text(answer)
        },
        Cell::lines(&granted),
        Cell::lines(&conditions),
    ]
}

/// How many resources a what-can row lists before "… n more" (all of them on hover).
const RESOURCES_SHOWN: usize = 8;

/// A what-can row: the action (linking to the first resource of the snapshot it names), its resources one per
/// line, and whether conditions or unread policies limit it.
fn what_row(
    model: &Model,
    service: &str,
    level: &str,
    g: &crate::eval::reverse::ActionGrant,
) -> Vec<Cell> {
    let mut shown: Vec<String> = g.resources.iter().take(RESOURCES_SHOWN).cloned().collect();
    if g.resources.len() > RESOURCES_SHOWN {
        shown.push(format!("… {} more", g.resources.len() - RESOURCES_SHOWN));
    }
    let mut conditions = Vec::new();
    if g.conditional {
        conditions.push("conditional".to_string());
    }
    if !g.unknown.is_empty() {
        conditions.push(format!("unknown on {} resource(s)", g.unknown.len()));
    }
    if !g.except.is_empty() {
        conditions.push(format!("except {} denied", g.except.len()));
    }
    vec![
        Cell::text(service),
        Cell::text(level),
        Cell {
            link: g.resources.iter().find_map(|r| model.by_arn(r)),
            ..Cell::text(&g.action)
        },
        Cell {
            full: (!g.unknown.is_empty() || !g.except.is_empty()).then(|| {
                let mut full = Vec::new();
                if !g.unknown.is_empty() {
                    full.push(format!("unknown on:\n{}", g.unknown.join("\n")));
                }
                if !g.except.is_empty() {
                    full.push(format!("denied inside:\n{}", g.except.join("\n")));
                }
                full.join("\n")
            }),
            ..Cell::lines(&conditions)
        },
        Cell {
            full: Some(g.resources.join("\n")),
            ..Cell::lines(&shown)
        },
    ]
}

impl EvaluatorView {
    /// Preset the request from `principal;action;resource;key=value;…` (screenshots).
    pub fn preset(&mut self, spec: &str) {
        let mut parts = spec.split(';');
        self.principal = parts.next().unwrap_or_default().trim().to_string();
        self.action = parts.next().unwrap_or_default().trim().to_string();
        self.resource = parts.next().unwrap_or_default().trim().to_string();
        let rest: Vec<&str> = parts.collect();
        // `howto` opens "How to allow it" / "What would deny it".
        self.show_howto = rest.iter().any(|p| p.trim() == "howto");
        self.context = rest
            .iter()
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
    }
}
