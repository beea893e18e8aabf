//! Escalation paths on the generated lab: per technique, the edge is found for the principal that can use it,
//! and not for its look-alike that a boundary, an SCP, a condition, a resource constraint, a deny or a
//! missing trust stops.

use iam_atlas::account::{LoadOptions, Model, load_paths};
use iam_atlas::escalate::lab::{self, Case};
use iam_atlas::escalate::techniques::TECHNIQUES;
use iam_atlas::escalate::{Edge, Graph, Reaches, Target, cycles, result_for, search};
use std::sync::OnceLock;

fn lab() -> &'static (Model, Vec<Case>) {
    static LAB: OnceLock<(Model, Vec<Case>)> = OnceLock::new();
    LAB.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!(
            "iam-atlas-escalation-lab-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        let (ws, cases) = lab::write(&dir).expect("write lab");
        let model = load_paths(&[ws], LoadOptions::default()).expect("load lab");
        let _ = std::fs::remove_dir_all(&dir);
        (model, cases)
    })
}

fn edges() -> &'static Vec<(String, String, String, bool)> {
    static EDGES: OnceLock<Vec<(String, String, String, bool)>> = OnceLock::new();
    EDGES.get_or_init(|| {
        let (model, _) = lab();
        let mut g = Graph::new(model, None);
        let all: Vec<Edge> = g.all_edges();
        all.iter()
            .map(|e| {
                (
                    g.arn(e.from).to_string(),
                    g.arn(e.to).to_string(),
                    TECHNIQUES[e.technique as usize].id.to_string(),
                    e.certain,
                )
            })
            .collect()
    })
}

#[test]
fn the_lab_loads_without_skipping_anything() {
    let (model, cases) = lab();
    assert!(model.is_complete(), "{:?}", model.warnings);
    assert_eq!(cases.len(), TECHNIQUES.len());
}

#[test]
fn every_technique_finds_its_edge_and_not_its_blocked_twin() {
    let (_, cases) = lab();
    let edges = edges();
    let mut failures = Vec::new();
    for c in cases {
        let t = iam_atlas::escalate::techniques::by_id(c.technique)
            .unwrap()
            .1;
        let found = edges
            .iter()
            .find(|(f, to, t, _)| *f == c.can && *to == c.to && t == c.technique);
        match found {
            None => failures.push(format!("{}: no edge {} → {}", c.technique, c.can, c.to)),
            Some((_, _, _, certain)) => {
                // Techniques that take over existing compute, and login profiles without a credential
                // report, are only possible.
                let expect_certain = t.existing.is_none() && !c.technique.contains("LoginProfile");
                if *certain != expect_certain {
                    failures.push(format!("{}: certain = {certain}", c.technique));
                }
            }
        }
        if let Some(e) = edges
            .iter()
            .find(|(f, _, t, _)| *f == c.blocked && t == c.technique)
        {
            failures.push(format!(
                "{}: blocked twin ({}) still has an edge to {}",
                c.technique,
                c.blocker.name(),
                e.1
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_blocker_is_exercised() {
    let (_, cases) = lab();
    for b in ["boundary", "scp", "condition", "resource", "deny", "trust"] {
        assert!(
            cases.iter().any(|c| c.blocker.name() == b),
            "no case blocked by {b}"
        );
    }
}

#[test]
fn shortest_paths_to_admin_and_their_json() {
    let (model, cases) = lab();
    let mut g = Graph::new(model, None);
    let s = search(&mut g, &Target::Admin);
    let node = |arn: &str| g.node_by_arn(arn).unwrap();
    // A certain one-hop technique: one step, certain.
    let c = cases
        .iter()
        .find(|c| c.technique == "iam:CreateAccessKey")
        .unwrap();
    let r = result_for(&g, &s, node(&c.can));
    assert_eq!(r.reaches, Reaches::Yes);
    assert_eq!(r.steps, Some(1));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["reaches"], true);
    assert_eq!(v["principal"], c.can.as_str());
    assert_eq!(v["target"], "admin");
    let step = &v["paths"][0]["steps"][0];
    assert_eq!(step["from"], c.can.as_str());
    assert_eq!(step["technique"], "iam:CreateAccessKey");
    assert_eq!(step["requests"][0]["action"], "iam:CreateAccessKey");
    assert_eq!(step["requests"][0]["decision"], "Allow");
    assert!(
        step["requests"][0]["statements"][0]
            .as_str()
            .unwrap()
            .contains("inline policy")
    );
    // Only possible: taking over a Lambda function nobody listed.
    let c = cases
        .iter()
        .find(|c| c.technique == "lambda:UpdateFunctionCode")
        .unwrap();
    let r = result_for(&g, &s, node(&c.can));
    assert_eq!(r.reaches, Reaches::Possible);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["reaches"], "possible");
    assert!(
        v["paths"][0]["steps"][0]["settle"]
            .as_str()
            .unwrap()
            .contains("list-functions")
    );
    // The cross-account chain: chain-user → CrossHop → CrossAdmin.
    let chain = format!("arn:aws:iam::{}:user/chain-user", lab::ACCOUNT);
    let r = result_for(&g, &s, node(&chain));
    assert_eq!(r.reaches, Reaches::Yes);
    assert_eq!(r.steps, Some(2));
    assert!(r.paths[0].steps[0].cross_account);
    assert_eq!(
        r.paths[0].steps[1].to,
        format!("arn:aws:iam::{}:role/CrossAdmin", lab::OTHER)
    );
    // Blocked twins of certain techniques do not reach admin through their technique.
    let admin_user = format!("arn:aws:iam::{}:user/admin-user", lab::ACCOUNT);
    let r = result_for(&g, &s, node(&admin_user));
    assert_eq!((r.reaches, r.steps), (Reaches::Yes, Some(0)));
}

#[test]
fn cycles_and_targets_other_than_admin() {
    let (model, _) = lab();
    let mut g = Graph::new(model, None);
    let edges = g.all_edges();
    let cyc = cycles(&g, &edges);
    let a = format!("arn:aws:iam::{}:role/CycleA", lab::ACCOUNT);
    assert!(cyc.iter().any(|c| c.contains(&a)), "{cyc:?}");
    // To a given role.
    let mut g = Graph::new(model, None);
    let target =
        Target::parse(&format!("arn:aws:iam::{}:role/CycleB", lab::ACCOUNT), model).unwrap();
    let s = search(&mut g, &target);
    let r = result_for(&g, &s, g.node_by_arn(&a).unwrap());
    assert_eq!((r.reaches, r.steps), (Reaches::Yes, Some(1)));
    // To an action on a resource.
    let mut g = Graph::new(model, None);
    let target = Target::parse("s3:GetObject:arn:aws:s3:::any-bucket/key", model).unwrap();
    let s = search(&mut g, &target);
    let chain = format!("arn:aws:iam::{}:user/chain-user", lab::ACCOUNT);
    let r = result_for(&g, &s, g.node_by_arn(&chain).unwrap());
    assert_eq!(r.reaches, Reaches::Yes);
}

fn run_cli(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
        .args(args)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_json_for_one_principal_has_the_issue_shape() {
    let (code, out, err) = run_cli(&[
        "escalate",
        "arn:aws:iam::412345678901:user/james.okafor",
        "--to",
        "arn:aws:iam::412345678901:role/app/order-processor-lambda",
        "--sample",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["principal"],
        "arn:aws:iam::412345678901:user/james.okafor"
    );
    assert_eq!(
        v["target"],
        "arn:aws:iam::412345678901:role/app/order-processor-lambda"
    );
    assert_eq!(v["reaches"], true);
    let step = &v["paths"][0]["steps"][0];
    for key in ["from", "to", "technique", "requests", "conditions"] {
        assert!(!step[key].is_null(), "{key} missing in {step}");
    }
    // PassRole to Lambda, decided with the developer policy's PassRolesToServices statement.
    assert_eq!(step["technique"], "passrole:lambda-invoke");
    assert_eq!(step["requests"][0]["action"], "iam:PassRole");
    assert!(
        step["requests"][0]["statements"][0]
            .as_str()
            .unwrap()
            .contains("PassRolesToServices")
    );
}

#[test]
fn cli_json_without_principal_answers_for_every_user_and_role() {
    let (code, out, err) = run_cli(&["escalate", "--sample", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = v["results"].as_array().unwrap();
    // One result per user and role of the sample.
    let m = iam_atlas::sample::load_sample(iam_atlas::account::LoadOptions::default()).unwrap();
    let principals: usize = m
        .accounts
        .iter()
        .map(|a| a.users.len() + a.roles.len())
        .sum();
    assert_eq!(results.len(), principals);
    let maria = results
        .iter()
        .find(|r| r["principal"] == "arn:aws:iam::412345678901:user/maria.silva")
        .unwrap();
    assert_eq!(maria["reaches"], true);
    assert_eq!(maria["steps"], 0);
    assert!(results.iter().any(|r| r["reaches"] == false));
    assert!(v["cycles"].is_array());
    // Providers enter the graph at the roles their tokens may assume, with the token conditions.
    let github = v["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "arn:aws:iam::412345678901:role/github-actions-webshop")
        .unwrap();
    assert_eq!(github["action"], "sts:AssumeRoleWithWebIdentity");
    assert!(
        github["conditions"][1]
            .as_str()
            .unwrap()
            .contains("repo:larkspur-labs/webshop")
    );
}

#[test]
fn cli_text_dot_and_errors() {
    let (code, out, _) = run_cli(&[
        "escalate",
        "erik.larsen",
        "--to",
        "arn:aws:iam::412345678901:role/cross-account-deploy",
        "--sample",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("possibly reaches"), "{out}");
    assert!(out.contains("to settle:"), "{out}");
    let (code, out, _) = run_cli(&["escalate", "--sample", "--format", "dot"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("digraph escalation {"));
    assert!(out.contains("passrole:lambda-invoke"));
    let (code, _, err) = run_cli(&["escalate", "nobody", "--sample"]);
    assert_eq!(code, 2);
    assert!(err.contains("nobody"), "{err}");
    let (code, _, err) = run_cli(&["escalate", "--sample", "--to", "arn:aws:s3:::bucket"]);
    assert_eq!(code, 2);
    assert!(err.contains("arn:aws:s3:::bucket"), "{err}");
    let (code, _, err) = run_cli(&["escalate"]);
    assert_eq!(code, 2);
    assert!(err.contains("--snapshot"), "{err}");
}

#[test]
fn the_docs_list_every_technique() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/escalation.md"))
        .expect("docs/escalation.md");
    for t in TECHNIQUES {
        assert!(
            doc.contains(&format!("| `{}` |", t.id)),
            "docs/escalation.md does not list {}",
            t.id
        );
    }
}

#[test]
fn a_user_named_in_a_same_account_trust_policy_needs_no_identity_permission() {
    let (model, _) = lab();
    let mut g = Graph::new(model, None);
    let s = search(&mut g, &Target::Admin);
    let user = format!("arn:aws:iam::{}:user/trust-named-bounded", lab::ACCOUNT);
    let r = result_for(&g, &s, g.node_by_arn(&user).unwrap());
    assert_eq!((r.reaches, r.steps), (Reaches::Yes, Some(1)));
    assert_eq!(r.paths[0].steps[0].technique, "sts:AssumeRole");
    assert_eq!(
        r.paths[0].steps[0].requests[0].decided_by,
        Some(iam_atlas::eval::Layer::Trust)
    );
}

/// The index and the shortcuts (trust callers, actions denied everywhere, remembered decisions) drop no edge:
/// every edge of the exhaustive graph, which evaluates every principal for every edge, is found, on the lab and
/// on a small synthetic organisation.
#[test]
fn the_shortcuts_drop_no_edge() {
    let synthetic = |seed: u64| {
        let text = iam_atlas::generate::to_string(&iam_atlas::generate::Spec {
            account: "999988887777".into(),
            users: 60,
            groups: 8,
            roles: 120,
            policies: 40,
            seed,
            url_encoded: false,
            org: None,
        });
        let dir = std::env::temp_dir().join(format!(
            "iam-atlas-escalation-small-{}-{seed}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("small.json");
        std::fs::write(&file, text).unwrap();
        let m = load_paths(&[file], LoadOptions::default()).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        m
    };
    let (a, b) = (synthetic(7), synthetic(11));
    let sample = iam_atlas::sample::load_sample(LoadOptions::default()).unwrap();
    for model in [&lab().0, &a, &b, &sample] {
        let key = |g: &Graph, e: &Edge| {
            (
                g.arn(e.from).to_string(),
                g.arn(e.to).to_string(),
                e.technique,
                e.certain,
            )
        };
        let mut fast_graph = Graph::new(model, None);
        let mut fast: Vec<_> = fast_graph
            .all_edges()
            .iter()
            .map(|e| key(&fast_graph, e))
            .collect();
        let mut slow_graph = Graph::exhaustive(model, None);
        let mut slow: Vec<_> = slow_graph
            .all_edges()
            .iter()
            .map(|e| key(&slow_graph, e))
            .collect();
        fast.sort();
        slow.sort();
        assert!(!slow.is_empty());
        let missing: Vec<_> = slow
            .iter()
            .filter(|e| fast.binary_search(e).is_err())
            .take(10)
            .collect();
        assert!(
            missing.is_empty(),
            "edges the shortcuts dropped: {missing:?}"
        );
        assert_eq!(fast.len(), slow.len());
        for n in 0..fast_graph.nodes.len() as u32 {
            assert_eq!(fast_graph.is_admin(n), slow_graph.is_admin(n));
        }
    }
}

/// The overlay on the trust graph: the selection's path, stepped through hop by hop.
#[cfg(feature = "gui")]
mod gui {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use iam_atlas::account::{EntityKind, LoadOptions, load_paths};
    use iam_atlas::app::{AtlasApp, Command};
    use iam_atlas::escalate::lab;

    #[test]
    fn the_stepper_walks_the_selections_path() {
        let dir = std::env::temp_dir().join(format!(
            "iam-atlas-escalation-gui-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        let (ws, _) = lab::write(&dir).expect("write lab");
        let model = load_paths(&[ws], LoadOptions::default()).expect("load lab");
        let _ = std::fs::remove_dir_all(&dir);
        let user = *model
            .by_name(EntityKind::User, "chain-user")
            .first()
            .expect("chain-user");
        let mut app = AtlasApp::with_model(model, "lab");
        app.push(Command::Select(user));
        let mut h = Harness::builder()
            // Background work (the review after a load, reverse queries) asks for a repaint when it finishes, which
            // may land while a step runs: room for those frames, so a busy machine does not fail the test.
            .with_max_steps(32)
            .with_size(egui::vec2(1400.0, 900.0))
            .build_ui_state(|ui, app: &mut AtlasApp| app.show(ui), app);
        h.run();
        h.get_by_label("Trust graph").click();
        h.run();
        h.get_by_label("Escalation").click();
        h.run();
        h.get_by_label("step 1 of 2");
        h.get_by_label_contains("[sts:AssumeRole] (cross-account)");
        h.get_by_label("Next step").click();
        h.run();
        h.get_by_label("step 2 of 2");
        h.get_by_label_contains("-> role/CrossAdmin");
    }
}

/// A principal whose only managed policy is not in the snapshot may hold anything: the search says it *may*
/// reach administrator (an uncertain denial was read as a refusal: "does not reach", with no edge at all).
#[test]
fn a_policy_that_was_not_read_makes_a_path_possible_not_absent() {
    let text = r#"{"UserDetailList":[{"Path":"/","UserName":"dev","UserId":"AIDAEXAMPLEDEV",
        "Arn":"arn:aws:iam::111122223333:user/dev","CreateDate":"2024-01-01T00:00:00Z","GroupList":[],
        "AttachedManagedPolicies":[{"PolicyName":"DevTools","PolicyArn":"arn:aws:iam::111122223333:policy/DevTools"}],
        "Tags":[],"UserPolicyList":[]}],
        "GroupDetailList":[],"RoleDetailList":[],"Policies":[]}"#;
    let dir = std::env::temp_dir().join(format!(
        "iam-atlas-escalation-unread-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("export.json");
    std::fs::write(&file, text).unwrap();
    let model = load_paths(std::slice::from_ref(&file), LoadOptions::default()).unwrap();
    let mut g = Graph::new(&model, None);
    let s = search(&mut g, &Target::Admin);
    let r = result_for(
        &g,
        &s,
        g.node_by_arn("arn:aws:iam::111122223333:user/dev").unwrap(),
    );
    assert_eq!(r.reaches, Reaches::Possible, "{r:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
