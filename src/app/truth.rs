//! A condition's truth table (computed by the engine, see [`crate::eval::truth_table`]), drawn as a grid.

use super::help;
use crate::eval::condition::Truth;
use crate::eval::truth_table::TruthTable;
use eframe::egui;

/// What is drawn below the table.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Below {
    /// Nothing (a page that says once what its tables are).
    Nothing,
    /// How to read it in an Allow and in a Deny.
    Note,
    /// The note and the operator's help (where no other help shows it).
    NoteAndHelp,
}

/// The table with a heading and one row per request shape, and what `below` asks for under it.
pub fn ui(ui: &mut egui::Ui, t: &TruthTable, below: Below) {
    ui.strong(format!("Truth table: {} {}", t.operator, t.key));
    ui.weak(format!(
        "policy values: {}",
        t.policy_values
            .iter()
            .map(|v| format!("\"{v}\""))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if t.policy_values.iter().any(|v| v.contains("${")) {
        ui.weak("policy variables are read as their literal text here");
    }
    ui.add_space(4.0);
    egui::Grid::new("truth-table")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            ui.strong("Request");
            ui.strong("Values");
            ui.strong("Holds");
            ui.end_row();
            for row in &t.rows {
                ui.label(row.shape.label());
                ui.monospace(match &row.values {
                    None => "—".to_string(),
                    Some(v) => format!(
                        "[{}]",
                        v.iter()
                            .map(|s| format!("\"{s}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
                let (text, color) = match row.result {
                    Truth::True => ("true", ui.visuals().widgets.active.fg_stroke.color),
                    Truth::False => ("false", ui.visuals().weak_text_color()),
                    Truth::Unknown => ("unknown", ui.visuals().warn_fg_color),
                };
                ui.colored_label(color, text);
                ui.end_row();
            }
        });
    if below == Below::Nothing {
        return;
    }
    ui.add_space(4.0);
    ui.weak(
        "Computed by the evaluator. In an Allow the statement applies only where the condition holds; in a \
         Deny it denies where it holds.",
    );
    if below == Below::NoteAndHelp
        && let Some(h) = help::operator(&t.operator)
    {
        ui.add_space(4.0);
        ui.label(h);
    }
}
