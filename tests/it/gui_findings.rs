//! The Findings view: counts in the status line after a load, filtering, and the links to the entity and to the
//! evaluator pre-filled with the finding's request.
#![cfg(feature = "gui")]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use iam_atlas::account::{EntityKind, LoadOptions};
use iam_atlas::app::{AtlasApp, View};

fn reviewed() -> Harness<'static, AtlasApp> {
    let model = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample loads");
    let app = AtlasApp::with_model(model, "bundled sample");
    let mut h = Harness::builder()
        // Background work (the review after a load, reverse queries) asks for a repaint when it finishes, which
        // may land while a step runs: room for those frames, so a busy machine does not fail the test.
        .with_max_steps(32)
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut AtlasApp| app.show(ui), app);
    // The review runs in the background after the load.
    for _ in 0..500 {
        h.run();
        let done = {
            let s = h.state();
            s.model.as_ref().is_some_and(|m| s.findings.of(m).is_some())
        };
        if done {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    h.run();
    h
}

#[test]
fn status_counts_open_the_findings_and_links_work() {
    let mut h = reviewed();
    h.get_by_label_contains("findings: ").click();
    h.run();
    assert_eq!(h.state().view, View::Findings);
    h.get_by_label("Filter").click();
    h.run();
    h.get_by_label("Filter").type_text("gitlab-deployer");
    h.run();
    h.get_by_label_contains("OIDC_NO_SUBJECT · role gitlab-deployer")
        .click();
    h.run();
    h.get_by_label("Open in evaluator").click();
    h.run();
    assert_eq!(h.state().view, View::Evaluator);
    assert_eq!(h.state().evaluator.action, "sts:AssumeRoleWithWebIdentity");
    assert!(
        h.state()
            .evaluator
            .resource
            .ends_with("role/gitlab-deployer")
    );
    h.get_by_label("Findings").click();
    h.run();
    h.get_by_label("Go to entity").click();
    h.run();
    let sel = h.state().selected.expect("selected");
    assert_eq!(sel.kind, EntityKind::Role);
    assert_eq!(h.state().view, View::Explorer);
}

#[test]
fn a_draft_least_privilege_policy_opens_in_the_editor() {
    let mut h = reviewed();
    h.get_by_label("Findings").click();
    h.run();
    h.get_by_label("Filter").click();
    h.run();
    h.get_by_label("Filter").type_text("UNUSED_SERVICE");
    h.run();
    h.get_by_label_contains("UNUSED_SERVICE · cross-account-deploy")
        .click();
    h.run();
    h.get_by_label("Open draft in editor").click();
    h.run();
    assert_eq!(h.state().view, View::Editor);
    let text = &h.state().editor.text;
    assert!(text.contains("lambda:UpdateFunctionCode"), "{text}");
    assert!(!text.contains("ecs:"), "the unused service is gone: {text}");
}

#[test]
fn acknowledging_with_a_reason_hides_the_finding_and_updates_the_counts() {
    let mut h = reviewed();
    h.get_by_label("Findings").click();
    h.run();
    h.get_by_label("Filter").click();
    h.run();
    h.get_by_label("Filter").type_text("ROLE_UNUSED");
    h.run();
    h.get_by_label_contains("ROLE_UNUSED · role BreakGlassAdmin")
        .click();
    h.run();
    h.get_by_label("Reason").click();
    h.run();
    h.get_by_label("Reason")
        .type_text("break-glass role: idle by design");
    h.run();
    h.get_by_label("Acknowledge").click();
    h.run();
    h.run();
    assert!(
        h.query_by_label_contains("ROLE_UNUSED · role BreakGlassAdmin")
            .is_none()
    );
    let b = h.state().findings.baseline.clone().expect("baseline");
    assert_eq!(b.acknowledged.len(), 1);
    assert_eq!(b.acknowledged[0].reason, "break-glass role: idle by design");
    // 9 low findings before (one is the sample's Identity Center SSO_LONG_SESSION, one omar.haddad's own inline
    // policy); one acknowledged.
    h.get_by_label_contains("8 low");
}
