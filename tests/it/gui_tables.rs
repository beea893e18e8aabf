//! Tables a person can read: who-can names principals shortly with their account, the ARN on hover and in a
//! Copy menu, conditions whole, links to the entity, and columns that resize.
#![cfg(feature = "gui")]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use iam_atlas::account::{EntityKind, LoadOptions};
use iam_atlas::app::{AtlasApp, View};

fn harness() -> Harness<'static, AtlasApp> {
    let model = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample loads");
    let mut app = AtlasApp::with_model(model, "bundled sample");
    app.view = View::Evaluator;
    app.evaluator.action = "sts:AssumeRole".into();
    app.evaluator.resource = "arn:aws:iam::412345678901:role/admin-mfa".into();
    app.evaluator.tab = iam_atlas::app::evaluator::Tab::WhoCan;
    Harness::builder()
        .with_max_steps(32)
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut AtlasApp| app.show(ui), app)
}

fn wait_for(h: &mut Harness<'static, AtlasApp>, text: &str) {
    let start = std::time::Instant::now();
    while h.query_by_label_contains(text).is_none() {
        assert!(start.elapsed().as_secs() < 120, "`{text}` never showed");
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    h.run();
}

#[test]
fn who_can_rows_name_the_principal_shortly_and_show_conditions_whole() {
    let mut h = harness();
    h.run();
    wait_for(&mut h, "principal(s) of");
    // The short name, its account beside it; no row is a clipped ARN.
    h.get_by_label("maria.silva");
    assert!(h.get_all_by_label("larkspur-prod").count() >= 3);
    assert!(
        h.query_by_label_contains("arn:aws:iam::412345678901:user/")
            .is_none()
    );
    // Each condition on its own line, whole (maria.silva, BreakGlassAdmin, admin-mfa itself, and the prod
    // account's IAM Identity Center AdministratorAccess role).
    assert_eq!(
        h.get_all_by_label(
            "Bool aws:MultiFactorAuthPresent true\nNumericLessThan aws:MultiFactorAuthAge 3600",
        )
        .count(),
        4,
        "BreakGlassAdmin, admin-mfa, Identity Center's AdministratorAccess role and maria.silva"
    );
    // The ARN is copied from the row's menu.
    h.get_by_label("maria.silva").click_secondary();
    h.run();
    h.get_by_label("Copy").click();
    h.step();
    let copied = h.output().platform_output.commands.iter().any(|c| {
        matches!(c, egui::OutputCommand::CopyText(t) if t == "arn:aws:iam::412345678901:user/maria.silva")
    });
    assert!(copied, "{:?}", h.output().platform_output.commands);
    h.run();
    // The row links to the user's details.
    h.get_by_label("maria.silva").click();
    h.run();
    assert_eq!(h.state().view, View::Explorer);
    let sel = h.state().selected.expect("selected");
    assert_eq!(sel.kind, EntityKind::User);
    let (name, _) = h.state().model.as_ref().expect("model").describe(sel);
    assert_eq!(name, "maria.silva");
}

#[test]
fn table_columns_resize_by_dragging_the_header_edge() {
    let mut h = harness();
    h.run();
    wait_for(&mut h, "principal(s) of");
    let kind = h.get_by_label("Kind").rect();
    // The edge between Principal and Kind is just left of Kind's header.
    let edge = egui::pos2(kind.left() - 5.0, kind.center().y);
    h.hover_at(edge);
    h.run();
    h.drag_at(edge);
    h.run();
    for dx in [20.0, 40.0, 60.0, 80.0] {
        h.hover_at(egui::pos2(edge.x + dx, edge.y));
        h.run();
    }
    h.drop_at(egui::pos2(edge.x + 80.0, edge.y));
    h.run();
    let moved = h.get_by_label("Kind").rect().left() - kind.left();
    assert!(
        (60.0..=100.0).contains(&moved),
        "the Kind column moved by {moved}"
    );
}
