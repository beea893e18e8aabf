//! The start page and the teaching cases: what the sample is, its organisation tree with the SCPs and RCPs
//! where they are attached, and its 55 teaching cases one click away.
#![cfg(feature = "gui")]

use crate::gui_util::sample_harness as harness;
use egui_kittest::kittest::Queryable;
use iam_atlas::account::EntityKind;
use iam_atlas::app::View;

#[test]
fn the_start_page_shows_the_organisation_tree_with_its_policies() {
    let mut h = harness();
    h.run();
    h.get_by_label("Larkspur Labs, the bundled sample");
    h.get_by_label_contains("Organisation o-lk7q2x9m4z");
    h.get_by_label("Workloads (ou-lk01-wkld0001)");
    assert!(h.get_all_by_label_contains("account larkspur-prod").count() >= 1);
    // The region guardrail is shown where it is attached, and links to its page.
    h.get_by_label("WorkloadsRegionGuardrail").click();
    h.run();
    let sel = h.state().selected.expect("selected");
    assert_eq!(sel.kind, EntityKind::OrgPolicy);
    // Its page says where it is attached, and that it caps without granting.
    h.get_by_label("Attached to");
    h.get_by_label("Workloads (ou-lk01-wkld0001)");
    h.get_by_label_contains("it never grants anything");
}

#[test]
fn learn_iam_with_the_sample_loads_the_teaching_cases_and_each_is_one_click_away() {
    let mut h = harness();
    h.run();
    h.get_by_label("Teaching cases").click();
    h.run();
    assert_eq!(h.state().view, View::Evaluator);
    assert_eq!(h.state().evaluator.suite.len(), 55);
    h.get_by_label("Run all").click();
    // The set runs off the UI thread, with its progress: single frames until it is done.
    let start = std::time::Instant::now();
    while h.query_by_label("55 passed, 0 failed").is_none() {
        assert!(
            start.elapsed().as_secs() < 60,
            "the saved requests never finished"
        );
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run();
    assert!(!h.state().evaluator.is_busy());
    // Case 18: its request in one click, denied, with the trust statement that almost allowed it.
    h.get_by_label("assume-admin-role-stale-mfa")
        .click_accesskit();
    h.run();
    assert_eq!(h.state().evaluator.action, "sts:AssumeRole");
    h.get_by_label("IMPLICIT DENY");
    h.get_by_label_contains("Almost allowed by statement 0 in trust admin-mfa");
}

#[test]
fn details_read_naturally_and_a_boundary_denial_says_why() {
    let mut h = harness();
    h.run();
    h.get_by_label("3 accounts · 12 users · 26 roles");
    // One warning (an Identity Center assignment in the management account, whose export is not loaded): the
    // link says so in the singular and opens the list.
    h.get_by_label("1 load warning").click();
    h.run();
    assert!(h.state().show_warnings);
    // Tags read `key = value`.
    h.get_by_label("raj.mehta").click();
    h.run();
    h.get_by_label("team = webshop");
    // Teaching case 12: the boundary decides, and its section says that nothing in it allows the action.
    h.state_mut().view = View::Evaluator;
    h.state_mut().evaluator.preset(
        "arn:aws:iam::412345678901:user/raj.mehta;iam:PassRole;arn:aws:iam::412345678901:role/data/etl-batch;aws:RequestedRegion=us-east-1;iam:PassedToService=glue.amazonaws.com",
    );
    h.run();
    h.get_by_label_contains(
        "the identity policies allow it, but the permissions boundary does not",
    );
    h.get_by_label_contains("no statement of this layer's policies allows `iam:PassRole`");
}

#[test]
fn hovering_a_condition_explains_its_operator_and_key() {
    let mut h = harness();
    h.state_mut().view = View::Evaluator;
    h.state_mut().evaluator.preset(
        "arn:aws:iam::412345678901:user/maria.silva;sts:AssumeRole;arn:aws:iam::412345678901:role/admin-mfa;aws:RequestedRegion=eu-west-1;aws:MultiFactorAuthPresent=true;aws:MultiFactorAuthAge=7200",
    );
    h.run();
    let text = "NumericLessThan aws:MultiFactorAuthAge [3600] vs request [7200]: fails";
    h.get_by_label_contains(text).scroll_to_me();
    h.run();
    let line = h.get_by_label_contains(text).rect();
    h.ctx.all_styles_mut(|s| s.interaction.tooltip_delay = 0.0);
    h.hover_at(line.center());
    h.run();
    h.hover_at(line.center() + egui::vec2(1.0, 0.0));
    h.run();
    h.get_by_label_contains("NumericLessThan: the number is below the listed one");
    assert!(
        h.query_all_by_label_contains("seconds since the MFA sign-in")
            .count()
            >= 1,
        "the key is explained too"
    );
}

#[test]
fn roles_have_the_effective_policies_table_and_inline_policies_open_in_the_editor() {
    let mut h = harness();
    h.run();
    h.get_by_label("Roles (16)").click();
    h.run();
    h.get_by_label("admin-mfa").click();
    h.run();
    h.get_by_label("Effective policies");
    // maria.silva's group holds an inline policy: its row opens it in the editor (her name is also among those
    // who may assume the role, above the table).
    h.get_all_by_label("maria.silva")
        .last()
        .expect("maria.silva in the effective policies")
        .click();
    h.run();
    h.get_by_label("inline in group admins");
    h.get_by_label("RequireMFA").click();
    h.run();
    assert_eq!(h.state().view, View::Editor);
    assert!(h.state().editor.text.contains("MultiFactorAuthPresent"));
}
