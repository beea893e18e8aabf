//! Layout that stays put: the view tabs do not move between views, the request builder keeps its width
//! whatever the request, and a new request's answer starts at its verdict.
#![cfg(feature = "gui")]

use crate::gui_util::sample_harness as harness;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use iam_atlas::app::{AtlasApp, View};

const CASE_18: &str = "arn:aws:iam::412345678901:user/maria.silva;sts:AssumeRole;arn:aws:iam::412345678901:role/admin-mfa;aws:RequestedRegion=eu-west-1;aws:MultiFactorAuthPresent=true;aws:MultiFactorAuthAge=7200";
const CASE_33: &str = "arn:aws:iam::412345678901:role/data-analyst;athena:StartQueryExecution;arn:aws:athena:eu-west-1:412345678901:workgroup/payments;aws:RequestedRegion=eu-west-1;aws:ResourceTag/team=payments;aws:PrincipalTag/team=analytics";

#[test]
fn the_view_tabs_stay_where_they_are_in_every_view() {
    let mut h = harness();
    h.run();
    let at = |h: &Harness<'static, AtlasApp>| {
        ["Explorer", "Evaluator", "Findings"].map(|t| h.get_by_label(t).rect())
    };
    let first = at(&h);
    for v in [
        "Identity graph",
        "Trust graph",
        "Policy editor",
        "Evaluator",
        "Findings",
        "Explorer",
    ] {
        h.get_by_label(v).click();
        h.run();
        assert_eq!(at(&h), first, "the tabs moved in the {v} view");
    }
    assert_eq!(h.state().view, View::Explorer);
}

#[test]
fn the_request_builder_keeps_its_width_and_a_new_answer_starts_at_its_verdict() {
    let mut h = harness();
    h.state_mut().view = View::Evaluator;
    h.state_mut().evaluator.preset(CASE_18);
    h.run();
    let width = h.get_by_label("Principal (ARN or name)").rect().width();
    // Scroll the answer down, as a reader of the layers does.
    let badge = h.get_by_label("IMPLICIT DENY").rect();
    h.hover_at(egui::pos2(900.0, 500.0));
    for _ in 0..10 {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -200.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.run();
    assert!(
        h.get_by_label("IMPLICIT DENY").rect().top() < badge.top() - 100.0,
        "the answer scrolled"
    );
    // Another request (teaching case 33): same builder width, and its verdict where the first one was.
    h.state_mut().evaluator.preset(CASE_33);
    h.run();
    assert_eq!(
        h.get_by_label("Principal (ARN or name)").rect().width(),
        width
    );
    let top = h.get_by_label("IMPLICIT DENY").rect().top();
    assert!((top - badge.top()).abs() < 1.0, "{top} vs {}", badge.top());
}
