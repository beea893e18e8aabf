//! what-can lists candidate actions from a principal's policies; its answer must agree with evaluating every
//! action of the catalog one by one (brute force) on the same resources: no action it leaves out is allowed,
//! and every resource it lists is allowed (or, where it says so, unknown).

use iam_atlas::account::{LoadOptions, Model};
use iam_atlas::eval::Prefilter;
use iam_atlas::eval::engine::{decide_with, identity_documents};
use iam_atlas::eval::reverse::{all_principals, principal_of, what_can};
use iam_atlas::eval::{Context, Decision, Overrides, Principal, Request};
use iam_atlas::policy::ResourceBlock;
use std::collections::{BTreeMap, BTreeSet};

/// Services whose every action is tried (those of the sample's policies and resources, and a few it never
/// names, where nothing may be found).
const SERVICES: &[&str] = &[
    "s3",
    "iam",
    "sts",
    "kms",
    "ec2",
    "lambda",
    "dynamodb",
    "sqs",
    "sns",
    "secretsmanager",
    "athena",
];

/// The resources what-can may try for any action: every `Resource` of the principal's Allow statements, every
/// resource with a policy in the snapshot, and `*`.
fn candidate_resources(model: &Model, p: &Principal) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = ["*".to_string()].into();
    for pol in identity_documents(model, p) {
        for s in &pol.statements {
            if let Some(ResourceBlock::Resource(l)) = &s.resource {
                out.extend(l.iter().map(str::to_string));
            }
        }
    }
    for a in &model.accounts {
        for rp in &a.resource_policies {
            out.insert(rp.resource.to_string());
        }
    }
    out
}

#[test]
fn what_can_equals_evaluating_every_action_on_the_sample() {
    let model = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample");
    let catalog = iam_atlas::catalog::catalog();
    let actions: Vec<String> = SERVICES
        .iter()
        .flat_map(|s| catalog.expand(&format!("{s}:*")))
        .filter_map(|id| catalog.get(id))
        .map(|(s, a)| format!("{}:{}", s.prefix, a.name))
        .collect();
    assert!(actions.len() > 1000, "{} actions", actions.len());
    let ov = Overrides {
        optimistic: true,
        ..Overrides::default()
    };
    let mut principals_checked = 0;
    let mut grants_checked = 0;
    let mut bounded = 0;
    for r in all_principals(&model) {
        let Some(p) = principal_of(&model, r) else {
            continue;
        };
        let got = what_can(&model, &p, &Context::new(), &Overrides::default());
        // Past its bounds what-can says how much it left out; completeness is checked where it left nothing.
        let complete = got.not_evaluated == 0;
        bounded += usize::from(!complete);
        // what-can's answer: action → (allowed resources, unknown resources).
        let mut listed: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
        for levels in got.services.values() {
            for grants in levels.values() {
                for g in grants {
                    listed.insert(g.action.clone(), (g.resources.clone(), g.unknown.clone()));
                }
            }
        }
        let resources = candidate_resources(&model, &p);
        let mut prefilter = Prefilter::default();
        let mut req = Request {
            principal: p.clone(),
            action: String::new(),
            resource: String::new(),
            resource_account: None,
            context: Context::new(),
        };
        let ask =
            |req: &Request, prefilter: &mut Prefilter| decide_with(&model, req, &ov, prefilter);
        // Completeness: an action allowed on some candidate resource is listed. (A resource outside the
        // snapshot has no known resource policy, so almost anything is "unknown" there; what-can lists the
        // unknowns it meets, but is not asked to list every action of the catalog as unknown.)
        for action in actions.iter().filter(|_| complete) {
            req.action = action.clone();
            let hit = resources.iter().find(|res| {
                req.resource = (*res).clone();
                ask(&req, &mut prefilter).decision == Decision::Allow
            });
            if let Some(res) = hit {
                assert!(
                    listed.contains_key(action.as_str()),
                    "{}: what-can leaves out {action}, which is allowed on {res}",
                    p.arn
                );
            }
        }
        // Soundness: every listed resource is allowed, every unknown one is uncertain.
        for (action, (allowed, unknown)) in &listed {
            req.action = action.clone();
            for res in allowed {
                req.resource = res.clone();
                let q = ask(&req, &mut prefilter);
                assert!(
                    q.decision == Decision::Allow && q.certain,
                    "{}: what-can lists {action} on {res}, evaluation says {q:?}",
                    p.arn
                );
                grants_checked += 1;
            }
            for res in unknown {
                req.resource = res.clone();
                let q = ask(&req, &mut prefilter);
                assert!(
                    !q.certain,
                    "{}: what-can marks {action} on {res} unknown, evaluation is certain: {q:?}",
                    p.arn
                );
            }
        }
        principals_checked += 1;
    }
    assert!(principals_checked >= 10, "{principals_checked} principals");
    assert!(
        bounded * 4 < principals_checked,
        "{bounded} of {principals_checked} principals past what-can's bounds"
    );
    assert!(grants_checked >= 100, "{grants_checked} grants");
}
