//! The bundled sample's teaching cases (`assets/sample/teaching-cases.json`), each with the decision AWS's
//! documented evaluation logic gives, evaluated by the engine over the loaded sample. The cases were worked out
//! by hand and checked by an independent reference script (`assets/tools/check-sample.py`).

use iam_atlas::eval::{Context, Decision, Overrides, Principal, Request, evaluate};
use iam_atlas::time::Timestamp;

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    principal: String,
    action: String,
    resource: String,
    resource_account: Option<String>,
    context: std::collections::BTreeMap<String, Vec<String>>,
    expected: String,
    why: String,
}

#[test]
fn every_teaching_case_gets_its_documented_decision() {
    let model = iam_atlas::sample::load_sample(Default::default()).expect("sample");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/sample/teaching-cases.json"
    ))
    .expect("cases");
    let cases: Vec<Case> = serde_json::from_str(&text).expect("cases parse");
    assert!(cases.len() >= 25);
    let overrides = Overrides {
        now: Timestamp::parse("2026-11-26T12:00:00Z"),
        ..Overrides::default()
    };
    let mut failures = Vec::new();
    for c in &cases {
        let principal = Principal::resolve(&c.principal, &model).expect("principal");
        let mut context = Context::new();
        for (k, v) in &c.context {
            context.set(k, v.clone());
        }
        let req = Request {
            principal,
            action: c.action.clone(),
            resource: c.resource.clone(),
            resource_account: c.resource_account.clone(),
            context,
        };
        let r = evaluate(&model, &req, &overrides);
        let got = match r.decision {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
        };
        assert!(r.certain, "{}: {:?}", c.name, r.unknown);
        if got != c.expected {
            failures.push(format!(
                "{}: expected {}, got {got} (decided by {:?})\n   why: {}\n   layers: {}",
                c.name,
                c.expected,
                r.decided_by,
                c.why,
                r.layers
                    .iter()
                    .map(|l| format!("{:?}={:?}", l.layer, l.verdict))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
