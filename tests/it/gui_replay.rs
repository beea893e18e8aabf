//! CloudTrail replay in the Changes view, as a person uses it: replay the sample's trail, read what AWS denied
//! and what the snapshot disagrees with, draft a least-privilege policy from a principal's calls in a time
//! window, see what the draft removes, and open it in the editor.
#![cfg(feature = "gui")]

use crate::gui_util::{harness_sized, sample_app, wait_for_label as wait_for};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use iam_atlas::app::{AtlasApp, View};

/// The sample, the Changes view's CloudTrail replay, the sample's trail replayed.
fn replayed() -> Harness<'static, AtlasApp> {
    let mut h = harness_sized(sample_app(), 1400.0, 1600.0);
    frames(&mut h);
    h.get_by_label("Changes").click();
    frames(&mut h);
    h.get_by_label("CloudTrail replay").click();
    frames(&mut h);
    h.get_by_label("Replay the sample's trail").click();
    wait_for(&mut h, "334 calls from the sample's CloudTrail file");
    h
}

/// Frames for a click or typing to take effect.
fn frames(h: &mut Harness<'static, AtlasApp>) {
    for _ in 0..4 {
        h.step();
    }
}

#[test]
fn replay_the_sample_trail_and_draft_least_privilege_from_a_window() {
    let mut h = replayed();
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
    h.get_by_label_contains("glue:CreateJob on *");
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
    let mut h = replayed();
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
