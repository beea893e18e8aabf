//! The Lessons view: IAM's concepts as short guided lessons on the bundled sample ([`crate::lessons`]). Each
//! step is a button that pushes the [`Command`]s that set the app up (a teaching case in the evaluator, an
//! entity's page or graph, a view); while a lesson is open, a strip above every view keeps what to notice in
//! sight and leads back to it.

use super::{Command, View};
use crate::account::Model;
use crate::lessons::{self, Lesson, Place, Step};
use eframe::egui;

/// The Lessons view's state.
#[derive(Default)]
pub struct LessonsView {
    /// The open lesson's id.
    pub open: Option<&'static str>,
}

impl LessonsView {
    /// The open lesson.
    pub fn lesson(&self) -> Option<&'static Lesson> {
        self.open.and_then(lessons::lesson)
    }

    /// Draw the list of lessons and the open one.
    pub fn ui(&mut self, ui: &mut egui::Ui, model: Option<&Model>, commands: &mut Vec<Command>) {
        egui::Panel::left("lesson-list")
            .resizable(true)
            .default_size(330.0)
            .show(ui, |ui| {
                ui.heading("Lessons");
                ui.weak("IAM's concepts, each on the bundled sample");
                if ui
                    .button("All the teaching cases")
                    .on_hover_text(
                        "Every teaching case of the sample as the evaluator's saved requests",
                    )
                    .clicked()
                {
                    commands.push(Command::LoadTeachingCases);
                }
                ui.add_space(4.0);
                egui::ScrollArea::vertical()
                    .id_salt("lesson-list-scroll")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        for (i, l) in lessons::lessons().iter().enumerate() {
                            let open = self.open == Some(l.id);
                            if ui
                                .selectable_label(open, format!("{}. {}", i + 1, l.title))
                                .clicked()
                            {
                                self.open = Some(l.id);
                            }
                        }
                    });
            });
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("lesson-scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| match self.lesson() {
                    Some(l) => self.lesson_ui(ui, l, model, commands),
                    None => {
                        ui.label(
                            "Pick a lesson on the left. Each explains one concept of IAM as AWS documents it, \
                             then sets the app up on the bundled sample (Larkspur Labs) to show it: a request in \
                             the evaluator with its answer and why, an entity's page or graph.",
                        );
                        if model.is_none_or(|m| !is_sample(m)) {
                            sample_button(ui, commands);
                        }
                    }
                });
        });
    }

    fn lesson_ui(
        &mut self,
        ui: &mut egui::Ui,
        l: &'static Lesson,
        model: Option<&Model>,
        commands: &mut Vec<Command>,
    ) {
        ui.heading(l.title);
        ui.add_space(4.0);
        ui.label(l.concept);
        ui.hyperlink_to(format!("AWS: {}", l.doc), l.doc);
        ui.add_space(8.0);
        ui.strong("What to notice");
        ui.label(l.notice);
        ui.add_space(8.0);
        ui.strong("Steps");
        let sample = model.filter(|m| is_sample(m));
        if sample.is_none() {
            ui.weak("The steps use the bundled sample.");
            sample_button(ui, commands);
        }
        for (i, step) in l.steps.iter().enumerate() {
            let planned = sample.and_then(|m| step_commands(step, m));
            let label = format!("{}. {}", i + 1, step_label(step, sample));
            let clicked = ui
                .add_enabled(planned.is_some(), egui::Button::new(label))
                .clicked();
            if clicked && let Some(c) = planned {
                commands.extend(c);
            }
        }
        if !l.conditions.is_empty() {
            ui.add_space(8.0);
            ui.strong("Truth tables");
            ui.weak(
                "What each condition answers for each shape of request, computed by the evaluator",
            );
            for (i, c) in l.conditions.iter().enumerate() {
                if let Some(t) = crate::eval::truth_table::truth_table(c.operator, c.key, c.values)
                {
                    ui.add_space(6.0);
                    ui.push_id(("lesson-table", i), |ui| {
                        super::truth::ui(ui, &t, super::truth::Below::Nothing)
                    });
                }
            }
        }
        ui.add_space(8.0);
        let all = lessons::lessons();
        let pos = all.iter().position(|x| x.id == l.id).unwrap_or(0);
        ui.horizontal(|ui| {
            if let Some(prev) = pos.checked_sub(1).and_then(|p| all.get(p))
                && ui.button(format!("Previous: {}", prev.title)).clicked()
            {
                self.open = Some(prev.id);
            }
            if let Some(next) = all.get(pos + 1)
                && ui.button(format!("Next: {}", next.title)).clicked()
            {
                self.open = Some(next.id);
            }
        });
    }

    /// The strip shown above the other views while a lesson is open: its title, what to notice, the way back.
    pub fn strip(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let Some(l) = self.lesson() else { return };
        egui::Panel::top("lesson-strip").show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.strong(format!("Lesson: {}", l.title));
                if ui.button("Back to the lesson").clicked() {
                    commands.push(Command::SetView(View::Lessons));
                }
                if ui.button("Close the lesson").clicked() {
                    self.open = None;
                }
            });
            ui.label(l.notice);
        });
    }
}

/// True when `m` is the bundled sample (the lessons' entities are there).
fn is_sample(m: &Model) -> bool {
    m.accounts.iter().any(|a| &*a.id == "412345678901")
        && m.by_arn("arn:aws:iam::412345678901:user/maria.silva")
            .is_some()
}

fn sample_button(ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    if ui.button("Open the bundled sample").clicked() {
        commands.push(Command::OpenSample);
    }
}

/// A step's button text; entities by their name in the model when it is loaded.
fn step_label(step: &Step, model: Option<&Model>) -> String {
    match (step, model) {
        (Step::Select(arn) | Step::Graph(arn), Some(m)) => match m.by_arn(arn) {
            Some(r) => {
                let what = format!("{} {}", r.kind.noun(), m.describe(r).0);
                match step {
                    Step::Graph(_) => format!("Show {what} in the graph"),
                    _ => format!("Show {what}"),
                }
            }
            None => step.label(),
        },
        _ => step.label(),
    }
}

/// What a step does, as commands; `None` when it does not resolve on `model` (an entity or a case missing).
pub fn step_commands(step: &Step, model: &Model) -> Option<Vec<Command>> {
    Some(match step {
        Step::Case(name, _) => vec![Command::Evaluate(Box::new(
            lessons::teaching_case(name)?.clone(),
        ))],
        Step::Select(arn) => vec![
            Command::Select(model.by_arn(arn)?),
            Command::SetView(View::Explorer),
        ],
        Step::Graph(arn) => vec![Command::ShowInGraph(model.by_arn(arn)?)],
        Step::Show(Place::Findings) => vec![Command::SetView(View::Findings)],
        Step::Show(Place::TeachingCases) => vec![Command::LoadTeachingCases],
        Step::Show(Place::Editor) => vec![Command::SetView(View::Editor)],
        Step::Example(title, text) => vec![Command::EditNew(
            format!("lesson: {title}"),
            (*text).to_string(),
        )],
    })
}
