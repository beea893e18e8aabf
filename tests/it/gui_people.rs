//! IAM Identity Center in the GUI, driven through the accessibility tree: the explorer lists people, a person's
//! page lists every account and role with what it may do, links lead to the role and the permission set, and an
//! SSO role's details name its people.
#![cfg(feature = "gui")]

use crate::gui_util::{harness_sized, sample_app, wait_for_label};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use iam_atlas::account::EntityKind;
use iam_atlas::app::AtlasApp;

fn harness() -> Harness<'static, AtlasApp> {
    harness_sized(sample_app(), 1600.0, 2400.0)
}

/// Single frames while something is evaluated in the background (a person's access, who may assume a role: a
/// spinner repaints meanwhile), then frames until the UI is still.
fn settle(h: &mut Harness<'static, AtlasApp>) {
    // The frames that handle the click and draw the new page first.
    h.step();
    h.step();
    let start = std::time::Instant::now();
    while h.query_all_by_label_contains("evaluating").next().is_some() {
        assert!(start.elapsed().as_secs() < 60, "the evaluation never ended");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run();
}

/// Single frames until a label containing `text` is shown (the access levels come from a background task).
fn wait_for(h: &mut Harness<'static, AtlasApp>, text: &str) {
    wait_for_label(h, text);
    settle(h);
}

/// Find a person by the explorer's filter and open their page.
fn open_person(h: &mut Harness<'static, AtlasApp>, who: &str) {
    h.run();
    h.get_by_label("Filter").click();
    h.run();
    h.get_by_label("Filter").type_text(who);
    h.run();
    h.get_by_label(&format!("{who}@larkspur.example")).click();
    settle(h);
}

#[test]
fn a_person_page_lists_accounts_roles_and_access() {
    let mut h = harness();
    h.run();
    h.get_by_label("IAM Identity Center");
    open_person(&mut h, "alice");
    h.get_by_label("Person alice@larkspur.example");
    h.get_by_label("Can use 4 roles in 3 accounts");
    // Once in the explorer (the account), once in the table.
    assert_eq!(
        h.get_all_by_label("larkspur-prod (412345678901)").count(),
        2
    );
    assert!(h.get_all_by_label("group platform-admins").count() >= 3);
    h.get_by_label("group all-staff");
    // The management account has no export: its role is "not loaded", and what it allows is unknown.
    h.get_by_label("not loaded");
    // The unknown answer is the typed verdict with its reason, not a text prefix.
    wait_for(&mut h, "the authorization details of larkspur-management");
    assert!(h.query_all_by_label_contains("UNKNOWN").next().is_none());
    h.get_by_label("unknown");
    wait_for(&mut h, "administrator (every action on every resource)");
    // Following the prod role selects it; its details name the people behind it.
    h.get_by_label("AWSReservedSSO_AdministratorAccess_b7e2d94f1a6c3058")
        .click();
    settle(&mut h);
    let sel = h.state().selected.expect("the role is selected");
    assert_eq!(sel.kind, EntityKind::Role);
    h.get_by_label("People who can act as this role (1)");
    h.get_by_label(
        "alice@larkspur.example (group platform-admins -> AdministratorAccess in larkspur-prod)",
    )
    .click();
    settle(&mut h);
    h.get_by_label("Person alice@larkspur.example");
}

#[test]
fn a_person_page_fits_a_1280_pixel_window() {
    // Before: the Identity Center role names pushed the "May do" column past the right edge at 1280 px. (Tall
    // enough that the explorer's people are on screen to click; the width is what is tested.)
    let mut h = harness_sized(sample_app(), 1280.0, 1400.0);
    open_person(&mut h, "alice");
    wait_for(&mut h, "administrator (every action on every resource)");
    let header = h.get_by_label("May do").rect();
    assert!(
        header.min.x < 1280.0 - 140.0 && header.max.x <= 1280.0,
        "the May do column starts at {} and ends at {}",
        header.min.x,
        header.max.x
    );
    // The long role name is clipped, not lost: its link is still there, with the ARN on hover.
    h.get_by_label("AWSReservedSSO_AdministratorAccess_b7e2d94f1a6c3058");
}

#[test]
fn a_permission_set_page_shows_its_policies_and_assignments() {
    let mut h = harness();
    h.run();
    h.get_by_label("Permission sets (3)").click();
    h.run();
    h.get_by_label("Developer").click();
    h.run();
    h.get_by_label("Permission set Developer");
    h.get_by_label("PT8H (8 h)");
    h.get_by_label("PowerUserAccess");
    h.get_by_label("group developers");
    h.get_by_label("AWSReservedSSO_Developer_e1b5c8a3d7f20946");
    // The group's page lists its members.
    h.get_by_label("group developers").click();
    h.run();
    h.get_by_label("Group developers");
    // Once in the explorer's people, once among the members: follow the member.
    h.get_all_by_label("dave@larkspur.example")
        .last()
        .expect("a member")
        .click();
    settle(&mut h);
    h.get_by_label("Person dave@larkspur.example");
    h.get_by_label("Overview").click();
    h.run();
    h.get_by_label("Identity store");
    // Selecting an IAM entity in the explorer leaves the Identity Center page for the entity's.
    h.get_by_label("maria.silva").click();
    h.run();
    assert_eq!(h.state().selected.map(|r| r.kind), Some(EntityKind::User));
    assert!(h.query_all_by_label("Identity store").next().is_none());
}

#[test]
fn the_evaluators_who_can_names_people_with_a_roles_only_toggle() {
    let mut h = harness();
    h.run();
    h.state_mut().evaluator.action = "iam:CreateUser".into();
    h.state_mut().evaluator.resource = "*".into();
    h.get_by_label("Evaluator").click();
    h.run();
    h.get_by_label("Who can").click();
    wait_for(&mut h, "people through IAM Identity Center");
    h.get_by_label("5 people through IAM Identity Center (7 paths)");
    let alice =
        "alice@larkspur.example (group platform-admins -> AdministratorAccess in larkspur-prod)";
    h.get_by_label(alice);
    // Roles only: the people are hidden, the roles stay.
    h.get_by_label("Roles only (hide the people behind IAM Identity Center roles)")
        .click();
    h.run();
    assert!(h.query_by_label(alice).is_none());
    h.get_by_label_contains("principal(s) of");
    h.get_by_label("Roles only (hide the people behind IAM Identity Center roles)")
        .click();
    h.run();
    // Following a person opens their page in the explorer.
    h.get_by_label(alice).click();
    settle(&mut h);
    assert_eq!(h.state().view, iam_atlas::app::View::Explorer);
    h.get_by_label("Person alice@larkspur.example");
}
