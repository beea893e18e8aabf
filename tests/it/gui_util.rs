//! What the GUI tests share: the bundled sample opened as the app opens it, and a harness the size of the
//! smallest screen the app is tried at (1280×800).
#![cfg(feature = "gui")]

use egui_kittest::Harness;
use iam_atlas::account::LoadOptions;
use iam_atlas::app::AtlasApp;

/// The app with the bundled sample loaded.
pub fn sample_app() -> AtlasApp {
    let model = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample loads");
    AtlasApp::with_model(model, "bundled sample")
}

/// A harness drawing `app` at 1280×800.
pub fn harness(app: AtlasApp) -> Harness<'static, AtlasApp> {
    Harness::builder()
        // Background work (the review after a load, reverse queries) asks for a repaint when it finishes, which
        // may land while a step runs: room for those frames, so a busy machine does not fail the test.
        .with_max_steps(32)
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut AtlasApp| app.show(ui), app)
}

/// A harness on the sample.
pub fn sample_harness() -> Harness<'static, AtlasApp> {
    harness(sample_app())
}
