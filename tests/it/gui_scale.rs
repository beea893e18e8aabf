//! The GUI on an organisation of many accounts: the explorer opens its accounts collapsed and a filter opens
//! those that match; the findings view draws a page of each category and more on request. Egui lays out all it
//! is given, seen or not, so a frame must never be given a whole organisation (1,000 accounts took 116 ms a
//! frame in the explorer and 27 s in the findings view before).
#![cfg(feature = "gui")]

use super::gui_util::harness;
use egui_kittest::kittest::{NodeT, Queryable};
use iam_atlas::account::LoadOptions;
use iam_atlas::app::{AtlasApp, View};
use iam_atlas::generate::OrgSpec;

/// A generated organisation of 90 small accounts, loaded as the app loads files.
fn organisation() -> AtlasApp {
    let dir = std::env::temp_dir().join(format!("iam-atlas-gui-scale-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut spec = OrgSpec::new(90);
    spec.per_account.users = 3;
    spec.per_account.groups = 1;
    spec.per_account.roles = 4;
    spec.per_account.policies = 2;
    let written = iam_atlas::generate::write_org(&dir, &spec).expect("generate");
    let model =
        iam_atlas::account::load_paths(&[written.workspace], LoadOptions::default()).expect("load");
    let _ = std::fs::remove_dir_all(&dir);
    AtlasApp::with_model(model, "generated organisation")
}

#[test]
fn an_organisation_opens_collapsed_and_its_findings_page_by_page() {
    let mut h = harness(organisation());
    h.run();
    // Collapsed: every account's header, none of its users.
    assert!(h.query_all_by_label("gen-0000 (210000000000)").count() >= 1);
    assert!(h.query_all_by_label("gen-0089 (210000000089)").count() >= 1);
    assert_eq!(h.query_all_by_label_contains("Users (").count(), 0);
    // A filter opens the accounts that match, and leaves out the others.
    h.get_by_label("Filter").click();
    h.run();
    h.get_by_label("Filter").type_text("deployer");
    h.run();
    let roles: Vec<String> = h
        .query_all_by_label_contains("Roles (")
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .take(3)
        .collect();
    assert!(
        h.query_all_by_label_contains("deployer").count() >= 10,
        "{roles:?} {}",
        h.state().filter
    );
    // The findings: a page of each category, then more on request.
    h.state_mut().view = View::Findings;
    let start = std::time::Instant::now();
    while {
        let s = h.state();
        s.model.as_ref().is_none_or(|m| s.findings.of(m).is_none())
    } {
        assert!(start.elapsed().as_secs() < 120, "the review never finished");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    h.run();
    let more = h
        .query_all_by_label_contains("more (of ")
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .collect::<Vec<_>>();
    assert!(
        !more.is_empty(),
        "a category of more than 200 findings offers more"
    );
    let first = more.first().cloned().unwrap_or_default();
    // Every finding's header reads "severity · code · title".
    let headers =
        |h: &egui_kittest::Harness<'static, AtlasApp>| h.query_all_by_label_contains(" · ").count();
    let before = headers(&h);
    // The button is below 200 findings: scrolled to, then clicked as a person would.
    h.get_by_label(&first).scroll_to_me();
    h.run();
    h.get_by_label(&first).click();
    h.run();
    let after = headers(&h);
    assert!(after > before, "{before} → {after}");
}
