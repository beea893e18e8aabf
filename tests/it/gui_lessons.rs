//! Lessons and truth tables driven as a person would: open Lessons (from the top bar or the start page), pick a
//! lesson, click its steps and see the app set up; put the cursor in a condition and see its truth table.
#![cfg(feature = "gui")]

use crate::gui_util::sample_harness as harness;
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use iam_atlas::account::EntityKind;
use iam_atlas::app::{AtlasApp, View};
use iam_atlas::eval::Decision;
use iam_atlas::eval::condition::Truth;
use iam_atlas::eval::truth_table::Shape;

fn decision(h: &mut Harness<'static, AtlasApp>) -> Decision {
    let m = h.state().model.clone().expect("model");
    match h.state_mut().evaluator.result(&m) {
        Ok(r) => r.decision,
        Err(e) => panic!("no result: {e}"),
    }
}

#[test]
fn a_lessons_step_sets_the_evaluator_up_with_its_verdict() {
    let mut h = harness();
    h.run();
    h.get_by_label("Lessons").click();
    h.run();
    assert_eq!(h.state().view, View::Lessons);
    h.get_by_label_contains("Deny unless the request comes from the office network")
        .click();
    h.run();
    h.get_by_label("What to notice");
    h.get_by_label_contains("NotIpAddress on aws:SourceIp");
    // Step 2: the request from outside the office, explicitly denied by the user's inline policy.
    h.get_by_label("2. Evaluate deny-unless-office-network (expect explicit deny)")
        .click();
    h.run();
    assert_eq!(h.state().view, View::Evaluator);
    assert_eq!(
        h.state().evaluator.principal,
        "arn:aws:iam::412345678901:user/omar.haddad"
    );
    assert_eq!(h.state().evaluator.action, "ce:GetCostAndUsage");
    assert_eq!(decision(&mut h), Decision::ExplicitDeny);
    h.get_by_label("EXPLICIT DENY");
    // The lesson stays in sight above the evaluator, and leads back.
    h.get_by_label("Lesson: Deny unless the request comes from the office network");
    h.get_by_label("Back to the lesson").click();
    h.run();
    assert_eq!(h.state().view, View::Lessons);
    // Step 1: the same request from the office is allowed through one of his two groups.
    h.get_by_label("1. Evaluate two-groups-billing-side (expect Allow)")
        .click();
    h.run();
    assert_eq!(decision(&mut h), Decision::Allow);
    h.get_by_label("ALLOW");
}

#[test]
fn the_start_page_leads_to_the_lessons_and_a_step_selects_an_entity() {
    let mut h = harness();
    h.run();
    h.get_by_label("Learn IAM with the sample").click();
    h.run();
    assert_eq!(h.state().view, View::Lessons);
    h.get_by_label_contains("A new user has no permissions")
        .click();
    h.run();
    h.get_by_label("1. Show user lena.fischer").click();
    h.run();
    assert_eq!(h.state().view, View::Explorer);
    let sel = h.state().selected.expect("selected");
    assert_eq!(sel.kind, EntityKind::User);
    let m = h.state().model.clone().expect("model");
    assert_eq!(m.describe(sel).0, "lena.fischer");
    h.get_by_label("Back to the lesson").click();
    h.run();
    h.get_by_label("2. Evaluate new-user-has-no-permissions (expect implicit deny)")
        .click();
    h.run();
    assert_eq!(decision(&mut h), Decision::ImplicitDeny);
    h.get_by_label("IMPLICIT DENY");
    // Closing the lesson removes the strip.
    h.get_by_label("Close the lesson").click();
    h.run();
    assert!(h.query_by_label("Back to the lesson").is_none());
}

#[test]
fn the_cursor_in_a_condition_shows_its_truth_table() {
    let mut h = harness();
    h.run();
    h.get_by_label("Policy editor").click();
    h.run();
    let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}}"#;
    h.get_by_label("Policy text").click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label("Policy text").type_text(text);
    h.run();
    // At the end of the text: no condition, no table.
    assert!(h.query_by_label_contains("Truth table").is_none());
    // Five characters back: inside the value `eu-west-1`.
    for _ in 0..5 {
        h.key_press(Key::ArrowLeft);
        h.run();
    }
    h.get_by_label("Truth table: StringNotEquals aws:RequestedRegion");
    h.get_by_label("key missing");
    let t = h
        .state_mut()
        .editor
        .truth_table()
        .cloned()
        .expect("a table");
    assert_eq!(t.result(Shape::Missing), Some(Truth::True));
    assert_eq!(t.result(Shape::Matching), Some(Truth::False));
    assert_eq!(t.result(Shape::NonMatching), Some(Truth::True));
    // One value matching and one not, without a set operator: "some" and "every" differ, undecided.
    assert_eq!(t.result(Shape::Mixed), Some(Truth::Unknown));
}

#[test]
fn hovering_a_condition_in_the_evaluator_shows_its_truth_table() {
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
    h.get_by_label("Truth table: NumericLessThan aws:MultiFactorAuthAge");
    // The engine's rows: a missing key fails, 3600 itself is not below 3600, 3599 is.
    h.get_by_label("[\"3599\"]");
    h.get_by_label("key missing");
}

#[test]
fn the_condition_operators_lesson_opens_its_example_in_the_editor() {
    let mut h = harness();
    h.run();
    h.get_by_label("Lessons").click();
    h.run();
    h.get_by_label_contains("Condition operators that surprise")
        .click();
    h.run();
    // The lesson shows the truth tables of the operators it is about, computed by the evaluator.
    h.get_by_label("Truth table: ForAllValues:StringEquals aws:TagKeys");
    h.get_by_label("Truth table: StringEqualsIfExists aws:RequestedRegion");
    assert_eq!(h.get_all_by_label("key missing").count(), 5);
    h.get_by_label("1. Open the condition operators example in the policy editor")
        .click();
    h.run();
    assert_eq!(h.state().view, View::Editor);
    assert!(
        h.state()
            .editor
            .text
            .contains("\"ForAllValues:StringEquals\"")
    );
    assert_eq!(h.state().editor.title, "lesson: condition operators");
}

/// Every step of every lesson, run as its button would: each shows what it says (the evaluator with the
/// announced verdict, the entity selected, the view).
#[test]
fn every_step_of_every_lesson_sets_the_app_up() {
    use iam_atlas::app::lessons::step_commands;
    use iam_atlas::lessons::{Place, Step, lessons};
    let mut h = harness();
    h.run();
    let model = h.state().model.clone().expect("model");
    for l in lessons() {
        for step in l.steps {
            let commands = step_commands(step, &model)
                .unwrap_or_else(|| panic!("{}: {step:?} does not resolve", l.id));
            for c in commands {
                h.state_mut().push(c);
            }
            h.run();
            let view = h.state().view;
            match step {
                Step::Case(_, expect) => {
                    assert_eq!(view, View::Evaluator, "{}: {step:?}", l.id);
                    assert_eq!(decision(&mut h), *expect, "{}: {step:?}", l.id);
                }
                Step::Select(arn) | Step::Graph(arn) => {
                    let sel = h.state().selected.expect("selected");
                    assert_eq!(Some(sel), model.by_arn(arn), "{}: {step:?}", l.id);
                    let expected = match step {
                        Step::Select(_) => vec![View::Explorer],
                        _ => vec![View::Identity, View::Trust],
                    };
                    assert!(expected.contains(&view), "{}: {step:?}: {view:?}", l.id);
                }
                Step::Show(Place::Findings) => assert_eq!(view, View::Findings),
                Step::Show(Place::TeachingCases) => {
                    assert_eq!(view, View::Evaluator);
                    assert!(h.state().evaluator.suite.len() >= 55);
                }
                Step::Show(Place::Editor) | Step::Example(..) => assert_eq!(view, View::Editor),
            }
        }
    }
}
