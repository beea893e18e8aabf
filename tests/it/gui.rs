//! The GUI driven as a person would, through the accessibility tree (egui_kittest, no GPU).
#![cfg(feature = "gui")]

use crate::gui_util::{harness, sample_app};
use egui_kittest::kittest::Queryable;
use iam_atlas::account::{EntityKind, LoadOptions};
use iam_atlas::app::AtlasApp;

#[test]
fn first_window_lists_accounts_with_counts_and_status() {
    let mut h = harness(sample_app());
    h.run();
    // Each account appears in the explorer and in the overview table.
    for label in [
        "larkspur-prod (412345678901)",
        "larkspur-dev (523456789012)",
        "larkspur-management (634567890123)",
    ] {
        assert_eq!(h.get_all_by_label(label).count(), 2, "{label}");
    }
    // Counts per kind in the side panel.
    let users = h.state().model.as_ref().expect("model").accounts[0]
        .users
        .len();
    h.get_by_label(&format!("Users ({users})"));
    // The status line counts accounts.
    h.get_by_label_contains("3 accounts");
}

#[test]
fn filter_then_click_a_user_shows_its_groups() {
    let mut h = harness(sample_app());
    h.run();
    let (user, group) = {
        let m = h.state().model.as_ref().expect("model");
        let u = m.accounts[0]
            .users
            .iter()
            .find(|u| !u.groups.is_empty())
            .expect("a user in a group");
        (u.name.to_string(), u.groups[0].to_string())
    };
    h.get_by_label("Filter").click();
    h.run();
    h.get_by_label("Filter").type_text(&user);
    h.run();
    h.get_by_label(&user).click();
    h.run();
    let sel = h.state().selected.expect("selected");
    assert_eq!(sel.kind, EntityKind::User);
    // The details pane shows the user's groups as links; following one selects the group.
    h.get_by_label(&group).click();
    h.run();
    let sel = h.state().selected.expect("selected");
    assert_eq!(sel.kind, EntityKind::Group);
    let (name, _) = h.state().model.as_ref().expect("model").describe(sel);
    assert_eq!(name, group);
}

#[test]
fn warnings_link_opens_the_warnings_window() {
    let model = iam_atlas::account::load_paths(
        &[std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/exports/aws-cli-docs-example.json")],
        LoadOptions::default(),
    )
    .expect("load");
    let mut h = harness(AtlasApp::with_model(model, "aws-cli-docs-example.json"));
    h.run();
    h.get_by_label_contains("INCOMPLETE");
    h.get_by_label_contains("load warnings").click();
    h.run();
    assert!(h.state().show_warnings);
    h.get_by_label_contains("AmazonDynamoDBFullAccess");
}

#[test]
fn fuzzy_and_tag_filters_narrow_the_explorer() {
    let mut h = harness(sample_app());
    h.run();
    h.get_by_label("Filter").click();
    h.run();
    h.get_by_label("Filter").type_text("msilva");
    h.run();
    // Letters in order find `maria.silva`; the header says how many of how many match.
    h.get_by_label("maria.silva");
    h.get_by_label("Users (1 of 10)");
    assert!(h.query_by_label("james.okafor").is_none());
}
