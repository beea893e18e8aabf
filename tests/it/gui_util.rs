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
    harness_sized(app, 1280.0, 800.0)
}

/// A harness drawing `app` at `w`×`h`.
pub fn harness_sized(app: AtlasApp, w: f32, h: f32) -> Harness<'static, AtlasApp> {
    Harness::builder()
        // Background work (the review after a load, reverse queries) asks for a repaint when it finishes, which
        // may land while a step runs: room for those frames, so a busy machine does not fail the test.
        .with_max_steps(32)
        .with_size(egui::vec2(w, h))
        .build_ui_state(|ui, app: &mut AtlasApp| app.show(ui), app)
}

/// A harness on the sample.
pub fn sample_harness() -> Harness<'static, AtlasApp> {
    harness(sample_app())
}

/// Single frames until a label containing `text` is shown (answers of background tasks), then a few more.
pub fn wait_for_label(h: &mut Harness<'static, AtlasApp>, text: &str) {
    use egui_kittest::kittest::Queryable;
    let start = std::time::Instant::now();
    while h.query_all_by_label_contains(text).next().is_none() {
        assert!(start.elapsed().as_secs() < 60, "`{text}` never appeared");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    for _ in 0..3 {
        h.step();
    }
}
