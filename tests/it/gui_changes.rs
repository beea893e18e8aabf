//! The Changes view driven as a person would: the blast radius of an edit in the policy editor, before it is
//! applied, kept after "Apply to model" and gone after "Revert".
#![cfg(feature = "gui")]

use crate::gui_util::harness;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use iam_atlas::account::LoadOptions;
use iam_atlas::app::{AtlasApp, View};

#[test]
fn the_blast_radius_of_an_edit_lists_who_loses_what_before_and_after_applying() {
    let model = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample loads");
    let role = model
        .by_arn("arn:aws:iam::412345678901:role/contractor-temp")
        .unwrap();
    let doc = &model.accounts[role.account as usize].roles[role.index as usize].inline[0].doc;
    let (source, span) = (doc.source, doc.policy.span);
    let mut app = AtlasApp::with_model(model, "bundled sample");
    {
        // Held only here: "Apply to model" changes the model once nothing else holds it.
        let m = app.model.clone().unwrap();
        assert!(app.editor.open_in_model(&m, source, span));
    }
    app.view = View::Editor;
    let mut h = harness(app);
    h.run();
    h.get_by_label("Policy text").click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label("Policy text")
        .type_text(r#"{"Version": "2012-10-17", "Statement": []}"#);
    h.run();
    h.get_by_label("Blast radius").click();
    // The spinner repaints while the diff is computed: step, do not wait for the UI to settle.
    for _ in 0..500 {
        h.step();
        if h.state().changes.diff.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(h.state().view, View::Changes);
    let d = h.state().changes.diff.clone().expect("a diff").2;
    assert_eq!(d.counts.lost, 4);
    assert_eq!(d.counts.gained, 0);
    h.run();
    h.get_by_label_contains("Lost (4)");
    h.get_by_label("Access did not widen");
    // Applied: the diff stays; reverted: it goes.
    h.get_by_label("Policy editor").click();
    h.run();
    h.get_by_label("Apply to model").click();
    // The model is changed once no background job (the review after the load) holds it.
    let applied = |h: &Harness<'static, AtlasApp>| {
        h.state()
            .model
            .as_ref()
            .is_some_and(|m| !m.what_if.is_empty())
    };
    for _ in 0..1000 {
        h.step();
        if applied(&h) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(applied(&h));
    assert!(h.state().changes.diff.is_some());
    h.step();
    h.get_by_label("Revert").click();
    for _ in 0..1000 {
        h.step();
        if !applied(&h) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(!applied(&h));
    assert!(h.state().changes.diff.is_none());
}
