//! The graphs, history and palette driven as a person would (egui_kittest, no GPU).
#![cfg(feature = "gui")]

use crate::gui_util::{harness, sample_app};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use iam_atlas::account::{EntityKind, EntityRef};
use iam_atlas::app::{AtlasApp, Command, View};
use iam_atlas::graph::NodeKind;
use petgraph::visit::EdgeRef;

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

/// The app on a generated organisation of `roles` roles (large enough for its trust graph to be aggregated).
fn synthetic_app(roles: usize) -> AtlasApp {
    let text = iam_atlas::generate::to_string(&iam_atlas::generate::Spec {
        account: "999988887777".into(),
        users: roles / 4,
        groups: 12,
        roles,
        policies: 40,
        seed: 11,
        url_encoded: false,
        org: None,
    });
    let dir = std::env::temp_dir().join(format!(
        "iam-atlas-gui-graph-{}-{roles}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("synthetic.json");
    std::fs::write(&file, text).expect("write export");
    let model = iam_atlas::account::load_paths(&[file], Default::default()).expect("loads");
    let _ = std::fs::remove_dir_all(&dir);
    AtlasApp::with_model(model, "synthetic")
}

/// How many roles `principal` may assume in the whole (not aggregated) trust graph of the harness's model.
fn trusted_by(h: &Harness<'_, AtlasApp>, principal: &str) -> usize {
    let m = h.state().model.as_ref().expect("model");
    let g = iam_atlas::graph::trust_graph(m);
    let p = g
        .graph
        .node_indices()
        .find(|&n| g.graph[n].label == principal)
        .expect(principal);
    g.graph.neighbors(p).count()
}

#[test]
fn a_group_node_shows_its_count_and_a_click_expands_it_into_its_members() {
    let mut app = synthetic_app(600);
    app.view = View::Trust;
    let mut h = harness(app);
    h.run();
    let laid = h.state().graph.laid().expect("trust graph laid out");
    assert!(!laid.groups.is_empty(), "the trust graph is aggregated");
    let lambda = laid
        .groups
        .iter()
        .find(|g| g.summary.starts_with("lambda.amazonaws.com"))
        .expect("a group of the roles lambda may assume")
        .clone();
    // The count is exact: every role lambda may assume, no other.
    let n = trusted_by(&h, "lambda.amazonaws.com");
    assert!(n > 20);
    assert_eq!(lambda.members.len(), n);
    let summary = format!("lambda.amazonaws.com → {n} roles");
    assert_eq!(lambda.summary, summary);
    assert_eq!(laid.graph.graph[lambda.node].label, format!("{n} roles"));
    // The group is drawn with its count, as a button that says what it holds.
    h.get_by_label(&summary).click();
    h.run();
    let laid = h.state().graph.laid().expect("re-laid");
    assert!(laid.groups.iter().all(|g| g.key != lambda.key));
    for m in &lambda.members {
        assert!(
            laid.graph.node_of(*m).is_some(),
            "every member is a node of its own"
        );
    }
    assert!(h.query_by_label(&summary).is_none());
    // "Fold groups" brings the group back.
    h.get_by_label("Fold groups").click();
    h.run();
    let laid = h.state().graph.laid().expect("re-laid");
    assert!(laid.groups.iter().any(|g| g.key == lambda.key));
}

#[test]
fn a_risky_trust_is_never_folded_into_a_group() {
    let mut app = synthetic_app(600);
    app.view = View::Trust;
    let mut h = harness(app);
    h.run();
    let whole = {
        let m = h.state().model.as_ref().expect("model");
        iam_atlas::graph::trust_graph(m)
    };
    let risky_in_whole = whole
        .graph
        .edge_weights()
        .filter(|e| e.is_flagged())
        .count();
    assert!(risky_in_whole > 30, "{risky_in_whole}");
    let laid = h.state().graph.laid().expect("laid out");
    let mut risky = 0;
    for e in laid.graph.graph.edge_references() {
        if e.weight().is_flagged() {
            risky += 1;
            for end in [e.source(), e.target()] {
                assert!(
                    laid.groups.at(end).is_none(),
                    "a risky edge ends at a group"
                );
                if laid.graph.graph[end].kind == NodeKind::Role {
                    assert!(laid.graph.graph[end].entity.is_some(), "a role of its own");
                }
            }
        }
    }
    assert_eq!(risky, risky_in_whole, "every risky edge is drawn");
    // No group speaks for a principal of a risky trust (the other accounts).
    for e in whole.graph.edge_references() {
        if e.weight().cross_account {
            let other = &whole.graph[e.source()].label;
            assert!(
                laid.groups
                    .iter()
                    .all(|g| !g.summary.contains(other.as_str())),
                "{other}"
            );
        }
    }
}

#[test]
fn zooming_in_expands_the_groups_in_view_and_zooming_out_folds_them() {
    let mut app = synthetic_app(600);
    app.view = View::Trust;
    let mut h = harness(app);
    h.run();
    let (group, at) = {
        let laid = h.state().graph.laid().expect("laid out");
        let g = laid
            .groups
            .iter()
            .filter(|g| g.members.len() <= 200)
            .max_by_key(|g| g.members.len())
            .expect("a group")
            .clone();
        let at = laid.pos[g.node.index()];
        (g, at)
    };
    h.state_mut()
        .graph
        .look_at(at, iam_atlas::app::graph_view::EXPAND_ZOOM * 1.5);
    h.run();
    let laid = h.state().graph.laid().expect("re-laid");
    assert!(
        laid.groups.iter().all(|g| g.key != group.key),
        "{}",
        group.summary
    );
    assert!(laid.graph.node_of(group.members[0]).is_some());
    // The members' names are drawn now.
    let name = {
        let m = h.state().model.as_ref().expect("model");
        m.describe(group.members[0]).0
    };
    h.get_by_label(&name);
    let at = laid.pos[laid
        .graph
        .node_of(group.members[0])
        .expect("member")
        .index()];
    h.state_mut()
        .graph
        .look_at(at, iam_atlas::app::graph_view::COLLAPSE_ZOOM * 0.5);
    h.run();
    let laid = h.state().graph.laid().expect("re-laid");
    assert!(laid.groups.iter().any(|g| g.key == group.key));
}

/// The graphs overlay the snapshot the Changes view compares with: a copy of the sample in which lena.fischer got
/// AdministratorAccess and contractor-temp lost its inline policies.
#[test]
fn the_identity_graph_overlays_what_another_snapshot_added_and_removed() {
    let dir = std::env::temp_dir().join(format!(
        "iam-atlas-gui-graph-changes-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample");
    let copy = |from: &std::path::Path, to: &std::path::Path| {
        fn walk(from: &std::path::Path, to: &std::path::Path) {
            std::fs::create_dir_all(to).expect("mkdir");
            for e in std::fs::read_dir(from).expect("read dir") {
                let e = e.expect("entry");
                let (f, t) = (e.path(), to.join(e.file_name()));
                if f.is_dir() {
                    walk(&f, &t);
                } else {
                    std::fs::copy(&f, &t).expect("copy");
                }
            }
        }
        walk(from, to);
    };
    copy(&sample, &dir);
    let prod = dir.join("prod/authorization-details.json");
    let mut d: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&prod).expect("read")).expect("json");
    for u in d["UserDetailList"].as_array_mut().expect("users") {
        if u["UserName"] == "lena.fischer" {
            u["AttachedManagedPolicies"]
                .as_array_mut()
                .expect("attached")
                .push(serde_json::json!({"PolicyName": "AdministratorAccess",
                    "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}));
        }
    }
    let mut inline_removed = Vec::new();
    for r in d["RoleDetailList"].as_array_mut().expect("roles") {
        if r["RoleName"] == "contractor-temp" {
            for p in r["RolePolicyList"].as_array().expect("inline") {
                inline_removed.push(p["PolicyName"].as_str().expect("name").to_string());
            }
            r["RolePolicyList"] = serde_json::json!([]);
        }
    }
    assert!(!inline_removed.is_empty());
    std::fs::write(&prod, d.to_string()).expect("write");

    let mut app = sample_app();
    app.view = View::Identity;
    app.graph.changes = true;
    app.push(Command::CompareWith(vec![dir.join("workspace.json")]));
    let mut h = harness(app);
    let start = std::time::Instant::now();
    while h.state().changes.after.is_none() {
        assert!(start.elapsed().as_secs() < 120, "the snapshot never loaded");
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    h.run();
    assert_eq!(h.state().view, View::Identity, "the graph stays");
    let laid = h.state().graph.laid().expect("laid out");
    let g = &laid.graph.graph;
    let lena = entity(&h, EntityKind::User, "lena.fischer");
    let lena = laid.graph.node_of(lena).expect("lena");
    let admin = g
        .neighbors(lena)
        .find(|&n| g[n].label == "AdministratorAccess")
        .expect("lena → AdministratorAccess");
    let e = g.find_edge(lena, admin).expect("edge");
    assert_eq!(g[e].change, iam_atlas::graph::Change::Added);
    for name in &inline_removed {
        let n = g
            .node_indices()
            .find(|&n| g[n].kind == NodeKind::InlinePolicy && &g[n].label == name)
            .expect("the removed inline policy is still drawn");
        assert_eq!(g[n].change, iam_atlas::graph::Change::Removed, "{name}");
    }
    let unchanged = entity(&h, EntityKind::User, "maria.silva");
    let unchanged = laid.graph.node_of(unchanged).expect("maria");
    assert_eq!(g[unchanged].change, iam_atlas::graph::Change::Same);
    // Exactly what changed: one edge added; the inline policies and their edges removed.
    assert_eq!(
        laid.changes,
        Some((1, 2 * inline_removed.len())),
        "{inline_removed:?}"
    );
    h.get_by_label("added by the other snapshot: 1");
    // Off, the graph is the loaded model's alone.
    h.get_by_label("Changes overlay").click();
    h.run();
    let laid = h.state().graph.laid().expect("laid out");
    assert_eq!(laid.changes, None);
    assert!(
        laid.graph
            .graph
            .node_weights()
            .all(|n| n.change == iam_atlas::graph::Change::Same)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Frames until the graph laid out satisfies `ready` (a large model's graph is laid out off the UI thread).
fn wait_for_laid(
    h: &mut Harness<'static, AtlasApp>,
    ready: impl Fn(&iam_atlas::app::graph_view::Laid) -> bool,
) {
    let start = std::time::Instant::now();
    while !h.state().graph.laid().is_some_and(&ready) {
        assert!(start.elapsed().as_secs() < 120, "the layout never came");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run();
}

/// An organisation's trust graph folds across accounts: the roles that trust another account's deployer are one
/// node with their exact count, drawn as a button that says so, its one incoming edge red and counting every
/// trust; the legend says the cross-account trusts were folded; a click expands the fold into what it held.
#[test]
fn an_organisations_trust_graph_folds_across_accounts_and_a_click_expands_a_fold() {
    use iam_atlas::generate::ORG_ID;
    let model = crate::who_can::generated_org(16, "gui");
    // Roles that trust another account's deployer, from the whole trust graph.
    let whole = iam_atlas::graph::trust_graph(&model);
    let mut targets: Vec<_> = whole
        .graph
        .edge_references()
        .filter(|e| e.weight().cross_account && whole.graph[e.source()].label == "deployer")
        .map(|e| e.target())
        .collect();
    targets.sort();
    targets.dedup();
    let n = targets.len();
    assert!(n > 100, "{n}");
    let mut app = AtlasApp::with_model(model, "organisation");
    app.view = View::Trust;
    // Sixteen accounts are few: fold across them whatever the graph's size.
    app.graph.across_above = 0;
    let mut h = harness(app);
    let summary = format!(
        "platform/deployer of another account → {n} roles in 16 accounts if aws:PrincipalOrgID = {ORG_ID}"
    );
    wait_for_laid(&mut h, |l| l.groups.iter().any(|g| g.summary == summary));
    let fold = {
        let laid = h.state().graph.laid().expect("laid out");
        assert!(
            laid.graph.graph.node_count() < 60,
            "a story of a few dozen nodes"
        );
        let fold = laid
            .groups
            .iter()
            .find(|g| g.summary == summary)
            .expect("the fold")
            .clone();
        assert_eq!(fold.members.len(), n);
        let into: Vec<_> = laid
            .graph
            .graph
            .edges_directed(fold.node, petgraph::Direction::Incoming)
            .collect();
        assert_eq!(into.len(), 1);
        assert!(into[0].weight().is_flagged());
        assert_eq!(laid.folded_edges(into[0].id()), Some(n));
        assert_eq!(laid.flagged_drawn, 0);
        fold
    };
    h.get_by_label_contains("folded between the organisation's accounts");
    h.get_by_label(&summary).click();
    wait_for_laid(&mut h, |l| l.groups.iter().all(|g| g.key != fold.key));
    let laid = h.state().graph.laid().expect("re-laid");
    for m in &fold.members {
        let shown = laid.shown_node(*m).expect("every member is drawn");
        assert!(laid.groups.at(shown).is_none_or(|g| g.members.len() < n));
    }
    // Each of its trusts is drawn now, red, between the deployer and the role.
    assert_eq!(laid.flagged_drawn, n);
    assert!(h.query_by_label(&summary).is_none());
}
