//! The graphs, history and palette driven as a person would (egui_kittest, no GPU).
#![cfg(feature = "gui")]

use crate::gui_util::{harness, sample_app};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use iam_atlas::account::{EntityKind, EntityRef};
use iam_atlas::app::{AtlasApp, Command, View};

fn entity(h: &Harness<'_, AtlasApp>, kind: EntityKind, name: &str) -> EntityRef {
    let m = h.state().model.as_ref().expect("model");
    *m.by_name(kind, name).first().expect(name)
}

/// Single frames until a label containing `text` shows ("who may assume it" is computed off the UI thread, with
/// a spinner meanwhile).
fn wait_for(h: &mut Harness<'static, AtlasApp>, text: &str) {
    let start = std::time::Instant::now();
    while h.query_by_label_contains(text).is_none() {
        assert!(start.elapsed().as_secs() < 60, "`{text}` never appeared");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run();
}

fn name_of(h: &Harness<'_, AtlasApp>, r: Option<EntityRef>) -> String {
    let m = h.state().model.as_ref().expect("model");
    m.describe(r.expect("a selection")).0
}

#[test]
fn a_role_shows_its_trusting_principals_in_the_trust_graph() {
    let mut h = harness(sample_app());
    h.run();
    // Find the role in the explorer and open it.
    h.get_by_label("Filter").click();
    h.run();
    h.get_by_label("Filter").type_text("cross-account-deploy");
    h.run();
    h.get_by_label("cross-account-deploy").click();
    h.run();
    assert_eq!(name_of(&h, h.state().selected), "cross-account-deploy");
    // The details say who may assume it, as the engine answers, with the condition.
    wait_for(&mut h, "Who may assume it (1)");
    h.get_by_label_contains("if StringEquals sts:ExternalId larkspur-deploy-7f3a");
    // Switch to the trust graph: the role and the principal trusting it are drawn, with the condition.
    h.get_by_label("Trust graph").click();
    h.run();
    assert_eq!(h.state().view, View::Trust);
    let laid = h.state().graph.laid().expect("trust graph laid out");
    let role = entity(&h, EntityKind::Role, "cross-account-deploy");
    let ci = entity(&h, EntityKind::Role, "ci-pipeline");
    let (rn, cn) = (
        laid.graph.node_of(role).expect("role node"),
        laid.graph.node_of(ci).expect("ci node"),
    );
    let edge = laid.graph.graph.find_edge(cn, rn).expect("ci → role edge");
    assert!(laid.graph.graph[edge].cross_account);
    // Visible labels: the role, the principals that trust it, the edge's condition.
    assert!(h.get_all_by_label("ci-pipeline").count() >= 1);
    assert!(h.get_all_by_label("cross-account-deploy").count() >= 1);
    h.get_by_label("legacy-open-role");
    // Focus mode narrows to the neighbourhood: the role chain codebuild → ci-pipeline → deploy.
    h.get_by_label("Focus on selection").click();
    h.run();
    let laid = h.state().graph.laid().expect("focused graph");
    assert_eq!(laid.graph.graph.node_count(), 3);
    h.get_by_label("codebuild.amazonaws.com");
    assert_eq!(h.query_all_by_label("legacy-open-role").count(), 0);
}

#[test]
fn clicking_a_graph_node_opens_its_details() {
    let mut h = harness(sample_app());
    h.run();
    h.get_by_label("Trust graph").click();
    h.run();
    h.get_by_label("okta-engineers").click();
    h.run();
    assert_eq!(name_of(&h, h.state().selected), "okta-engineers");
    // The details pane beside the graph names who may assume it: the identity provider, if the SAML audience.
    wait_for(&mut h, "Who may assume it (1)");
    assert!(h.get_all_by_label("LarkspurOkta").count() >= 2);
    h.get_by_label_contains("if StringEquals SAML:aud https://signin.aws.amazon.com/saml");
}

/// From a role's page, the evaluator's answer to "who may assume it": its Who can tab on `sts:AssumeRole`,
/// which weighs the callers' own policies as well as the trust policy.
#[test]
fn a_role_page_asks_the_evaluator_who_may_assume_it() {
    let mut app = sample_app();
    let role = *app
        .model
        .as_ref()
        .expect("model")
        .by_name(EntityKind::Role, "admin-mfa")
        .first()
        .expect("admin-mfa");
    app.selected = Some(role);
    let mut h = harness(app);
    h.run();
    h.get_by_label("who may assume it, as the evaluator answers")
        .click();
    h.run();
    assert_eq!(h.state().view, View::Evaluator);
    assert_eq!(h.state().evaluator.action, "sts:AssumeRole");
    assert_eq!(
        h.state().evaluator.resource,
        "arn:aws:iam::412345678901:role/admin-mfa"
    );
    let start = std::time::Instant::now();
    while h.query_by_label_contains("principal(s) of").is_none() {
        assert!(start.elapsed().as_secs() < 120, "who-can never answered");
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    h.run();
    // The whole account is trusted; the evaluator names the four principals whose own policies allow it.
    h.get_by_label_contains("4 principal(s) of");
    h.get_by_label("maria.silva");
}

#[test]
fn show_in_graph_switches_to_the_graph_that_suits() {
    let mut app = sample_app();
    let user = {
        let m = app.model.as_ref().expect("model");
        *m.by_name(EntityKind::User, "maria.silva")
            .first()
            .expect("maria")
    };
    app.push(Command::Select(user));
    let mut h = harness(app);
    h.run();
    h.get_by_label("Show in graph").click();
    h.run();
    assert_eq!(h.state().view, View::Identity);
    assert!(h.get_all_by_label("maria.silva").count() >= 1);
    h.get_by_label("Explorer").click();
    h.run();
    assert_eq!(h.state().view, View::Explorer);
}

#[test]
fn follow_a_link_then_go_back_and_forward() {
    let mut h = harness(sample_app());
    h.run();
    h.get_by_label("Filter").click();
    h.run();
    h.get_by_label("Filter").type_text("maria.silva");
    h.run();
    h.get_by_label("maria.silva").click();
    h.run();
    // Follow the group link in the details pane.
    h.get_by_label("admins").click();
    h.run();
    assert_eq!(name_of(&h, h.state().selected), "admins");
    h.get_by_label("Back").click();
    h.run();
    assert_eq!(name_of(&h, h.state().selected), "maria.silva");
    h.get_by_label("Forward").click();
    h.run();
    assert_eq!(name_of(&h, h.state().selected), "admins");
    // Alt+Left does the same as Back.
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowLeft);
    h.run();
    assert_eq!(name_of(&h, h.state().selected), "maria.silva");
}

#[test]
fn the_palette_jumps_to_an_entity_by_fuzzy_name() {
    let mut h = harness(sample_app());
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    h.run();
    assert!(h.state().palette.is_some());
    h.get_by_label("Name").type_text("gh actions web");
    h.run();
    h.get_by_label("github-actions-webshop");
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(name_of(&h, h.state().selected), "github-actions-webshop");
    assert!(h.state().palette.is_none());
    // The role's details show the OIDC condition on `sub`, as the engine reads the trust policy.
    wait_for(&mut h, "Who may assume it (1)");
    h.get_by_label_contains(
        "if StringLike token.actions.githubusercontent.com:sub repo:larkspur-labs/webshop",
    );
    // Arrow keys choose among the results.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    h.run();
    h.get_by_label("Name").type_text("analytics");
    h.run();
    let first = h.state().model.as_ref().map(|m| {
        iam_atlas::app::palette::search(m, "analytics", 2)
            .into_iter()
            .map(|(_, n, _)| n)
            .collect::<Vec<_>>()
    });
    let names = first.expect("model");
    assert_eq!(names.len(), 2);
    h.key_press(egui::Key::ArrowDown);
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(name_of(&h, h.state().selected), names[1]);
}

/// The palette finds lessons by their title too, under the entities, and Enter opens the lesson.
#[test]
fn the_palette_opens_a_lesson() {
    let mut h = harness(sample_app());
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    h.run();
    h.get_by_label("Name").type_text("explicit deny wins");
    h.run();
    h.get_by_label("An explicit deny wins").click();
    h.run();
    assert!(h.state().palette.is_none());
    assert_eq!(h.state().view, View::Lessons);
    assert_eq!(
        h.state().lessons.lesson().map(|l| l.title),
        Some("An explicit deny wins")
    );
}

#[test]
fn the_users_policy_table_sorts_by_column() {
    let mut h = harness(sample_app());
    h.run();
    h.get_by_label("Filter").click();
    h.run();
    h.get_by_label("Filter").type_text("maria.silva");
    h.run();
    h.get_by_label("maria.silva").click();
    h.run();
    h.get_by_label("Policy ^").click();
    h.run();
    h.get_by_label("Policy v");
    h.get_by_label("How").click();
    h.run();
    h.get_by_label("How ^");
}

#[test]
fn a_managed_policy_lists_where_it_is_attached() {
    let mut app = sample_app();
    let policy = {
        let m = app.model.as_ref().expect("model");
        *m.by_name(EntityKind::Policy, "LarkspurDeployPolicy")
            .first()
            .expect("policy")
    };
    app.push(Command::Select(policy));
    let mut h = harness(app);
    h.run();
    h.get_by_label("Attached to (2)");
    h.get_by_label("github-actions-webshop");
    h.get_by_label("cross-account-deploy").click();
    h.run();
    assert_eq!(name_of(&h, h.state().selected), "cross-account-deploy");
    h.get_by_label("Back").click();
    h.run();
    assert_eq!(name_of(&h, h.state().selected), "LarkspurDeployPolicy");
}
