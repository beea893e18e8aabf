//! Every integration test in one binary: one link of egui and wgpu instead of one per file, so `cargo test`
//! builds in a fraction of the time (each file under `tests/` used to be its own crate).

mod blowups;
mod cli;
mod conformance;
mod diff;
mod escalate;
mod eval_cli;
mod eval_props;
mod eval_teaching;
mod exact_answers;
mod fixtures;
mod glob_props;
mod gui;
mod gui_changes;
mod gui_editor;
mod gui_findings;
mod gui_graph;
mod gui_people;
mod identity_center;
mod layering;
mod packaging;
mod replay;
mod review;
mod robustness;
mod validate_aa;
mod validate_checks;
mod validate_cli;
mod validate_ground_truth;
mod validate_props;
mod what_can;
mod who_can;
