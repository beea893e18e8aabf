//! Every integration test in one binary: one link of egui and wgpu instead of one per file, so `cargo test`
//! builds in a fraction of the time (each file under `tests/` used to be its own crate).

mod cli;
mod conformance;
mod escalate;
mod eval_cli;
mod eval_props;
mod eval_teaching;
mod exact_answers;
mod fixtures;
mod glob_props;
mod gui;
mod gui_editor;
mod gui_findings;
mod gui_graph;
mod packaging;
mod review;
mod robustness;
mod validate_aa;
mod validate_checks;
mod validate_cli;
mod validate_ground_truth;
mod validate_props;
mod who_can;
