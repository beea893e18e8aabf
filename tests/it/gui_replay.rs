//! CloudTrail replay in the Changes view, as a person uses it: replay the sample's trail, read what AWS denied
//! and what the snapshot disagrees with, draft a least-privilege policy from a principal's calls in a time
//! window, see what the draft removes, and open it in the editor.
#![cfg(feature = "gui")]

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use iam_atlas::account::LoadOptions;
use iam_atlas::app::{AtlasApp, View};

fn harness() -> Harness<'static, AtlasApp> {
    let model = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample loads");
    Harness::builder()
        .with_max_steps(32)
        .with_size(egui::vec2(1400.0, 1600.0))
        .build_ui_state(
            |ui, app: &mut AtlasApp| app.show(ui),
            AtlasApp::with_model(model, "bundled sample"),
        )
}

/// Single frames until a label containing `text` is shown (replays and drafts run in the background).
fn wait_for(h: &mut Harness<'static, AtlasApp>, text: &str) {
    let start = std::time::Instant::now();
    while h.query_all_by_label_contains(text).next().is_none() {
        assert!(start.elapsed().as_secs() < 60, "`{text}` never appeared");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // A few frames more (the status bar's review may still spin).
    for _ in 0..3 {
        h.step();
    }
}

/// Frames for a click or typing to take effect.
fn frames(h: &mut Harness<'static, AtlasApp>) {
    for _ in 0..4 {
        h.step();
    }
}

#[test]
fn replay_the_sample_trail_and_draft_least_privilege_from_a_window() {
    let mut h = harness();
    frames(&mut h);
    h.get_by_label("Changes").click();
    frames(&mut h);
    h.get_by_label("CloudTrail replay").click();
    frames(&mut h);
    h.get_by_label("Replay the sample's trail").click();
    wait_for(&mut h, "334 calls from the sample's CloudTrail file");
    wait_for(&mut h, "denied, explained: 6");
    h.get_by_label_contains("succeeded, but the snapshot denies it: 1");
    // Only the calls that do not simply agree are listed: the SCP's denial is one of them, the ETL's reads not.
    h.get_by_label("cloudtrail:StopLogging");
    assert!(h.query_all_by_label("glue:StartJobRun").next().is_none());
    // The principal with the most successful calls is proposed; its whole month first.
    assert_eq!(
        h.state().changes.replay.principal.as_deref(),
        Some("arn:aws:iam::412345678901:role/data/etl-batch")
    );
    h.get_by_label("Draft").click();
    wait_for(
        &mut h,
        "In place of its identity policies the draft removes 313 grants",
    );
    h.get_by_label_contains("3 statements from 91 successful calls");
    h.get_by_label_contains("Left out: s3:DeleteObject (1 calls");
    // The removed grants by service, each list on demand.
    h.get_by_label_contains("glue: ").click();
    frames(&mut h);
    h.get_by_label("glue:CreateJob on *");
    // Two days only: the objects as seen, not generalised.
    h.get_by_role_and_label(Role::TextInput, "from").click();
    frames(&mut h);
    h.get_by_role_and_label(Role::TextInput, "from")
        .type_text("2026-11-01T00:00:00Z");
    frames(&mut h);
    h.get_by_role_and_label(Role::TextInput, "to").click();
    frames(&mut h);
    h.get_by_role_and_label(Role::TextInput, "to")
        .type_text("2026-11-03T00:00:00Z");
    frames(&mut h);
    h.get_by_label("Draft").click();
    wait_for(
        &mut h,
        "6 successful calls between 2026-11-01T00:00:00Z and 2026-11-03T00:00:00Z",
    );
    h.get_by_label("Open the draft in the editor").click();
    frames(&mut h);
    let app = h.state();
    assert_eq!(app.view, View::Editor);
    assert!(
        app.editor
            .text
            .contains("arn:aws:s3:::larkspur-prod-data/curated/2026-11-02.parquet"),
        "{}",
        app.editor.text
    );
    assert!(!app.editor.text.contains("curated/*"));
}

#[test]
fn a_window_that_is_not_a_time_is_said_and_drafts_nothing() {
    let mut h = harness();
    frames(&mut h);
    h.get_by_label("Changes").click();
    frames(&mut h);
    h.get_by_label("CloudTrail replay").click();
    frames(&mut h);
    h.get_by_label("Replay the sample's trail").click();
    wait_for(&mut h, "334 calls from");
    h.get_by_role_and_label(Role::TextInput, "from").click();
    frames(&mut h);
    h.get_by_role_and_label(Role::TextInput, "from")
        .type_text("last tuesday");
    frames(&mut h);
    h.get_by_label_contains("`last tuesday` is not a time");
    // The button is disabled (the accessibility tree says so).
    let draft = format!("{:?}", h.get_by_label("Draft"));
    assert!(draft.contains("disabled: true"), "{draft}");
}
