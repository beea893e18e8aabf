//! "Who may assume it" in a role's details is the engine's answer (`sts:AssumeRole` evaluated for each
//! principal, computed off the UI thread), not the list of principals the trust policy names.
#![cfg(feature = "gui")]

use crate::gui_util::{harness, sample_app};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use iam_atlas::account::EntityKind;
use iam_atlas::app::AtlasApp;

/// Single frames until a label containing `text` shows (a spinner repaints while the engine answers).
fn wait_for(h: &mut Harness<'static, AtlasApp>, text: &str) {
    let start = std::time::Instant::now();
    while h.query_by_label_contains(text).is_none() {
        assert!(start.elapsed().as_secs() < 60, "`{text}` never appeared");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run();
}

#[test]
fn a_principal_the_trust_policy_names_but_whose_own_policy_does_not_allow_is_not_listed() {
    let model = crate::who_can::trusts_more_than_may_assume();
    let role = *model
        .by_name(EntityKind::Role, "deploy")
        .first()
        .expect("deploy");
    // The syntactic trust graph names carol as an assumer…
    let graph = iam_atlas::graph::trust_graph(&model);
    let syntactic: Vec<String> = graph
        .assumers(role)
        .iter()
        .map(|a| a.node.label.clone())
        .collect();
    assert!(syntactic.iter().any(|l| l == "carol"), "{syntactic:?}");
    let mut app = AtlasApp::with_model(model, "two accounts");
    app.selected = Some(role);
    // The explorer lists only the role: the names below are the details'.
    app.filter = "deploy".into();
    let mut h = harness(app);
    h.step();
    // …the details list the engine's answer: bob (his own policy allows it), the service, and account
    // 333333333333 as unknown with the trust statement's condition; carol is not there.
    wait_for(&mut h, "Who may assume it (3)");
    h.get_by_label("bob");
    assert!(h.query_by_label("carol").is_none());
    h.get_by_label("ec2.amazonaws.com");
    h.get_by_label("333333333333");
    h.get_by_label_contains("if StringEquals sts:ExternalId build-42");
    h.get_by_label_contains("the users and roles of account 333333333333 are not loaded");
    assert_eq!(h.get_all_by_label("always").count(), 2);
    h.get_by_label("unknown");
    // bob is a link to his page.
    h.get_by_label("bob").click();
    h.run();
    let sel = h.state().selected.expect("selected");
    assert_eq!(sel.kind, EntityKind::User);
}

#[test]
fn a_role_trusting_its_whole_account_lists_the_principals_allowed_with_their_conditions() {
    let mut app = sample_app();
    let role = *app
        .model
        .as_ref()
        .expect("model")
        .by_name(EntityKind::Role, "admin-mfa")
        .first()
        .expect("admin-mfa");
    app.selected = Some(role);
    app.filter = "admin-mfa".into();
    let mut h = harness(app);
    h.step();
    // The trust policy names one account; four of its principals may assume the role, each only with MFA.
    wait_for(&mut h, "Who may assume it (4)");
    h.get_by_label("maria.silva");
    h.get_by_label("BreakGlassAdmin");
    assert_eq!(h.get_all_by_label("if").count(), 4);
    assert!(
        h.get_all_by_label_contains("if Bool aws:MultiFactorAuthPresent true")
            .count()
            >= 4
    );
    assert!(h.query_by_label("412345678901").is_none());
}

#[test]
fn a_role_trusting_an_account_not_loaded_is_unknown_with_its_condition() {
    let mut app = sample_app();
    let role = *app
        .model
        .as_ref()
        .expect("model")
        .by_name(EntityKind::Role, "BreakGlassAdmin")
        .first()
        .expect("BreakGlassAdmin");
    app.selected = Some(role);
    app.filter = "BreakGlassAdmin".into();
    let mut h = harness(app);
    h.step();
    // Trusted by the management account, whose users and roles are not loaded: unknown, not "anyone there".
    wait_for(&mut h, "Who may assume it (1)");
    h.get_by_label("unknown");
    h.get_by_label_contains("if Bool aws:MultiFactorAuthPresent true");
    h.get_by_label_contains("account 634567890123 are not loaded");
}
