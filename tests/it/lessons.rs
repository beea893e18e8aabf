//! The lessons (`src/lessons.rs`) on the bundled sample: every step resolves (each teaching case exists, each
//! entity is in the model), and every verdict a lesson states is the engine's answer.

use iam_atlas::account::LoadOptions;
use iam_atlas::eval::Overrides;
use iam_atlas::eval::suite;
use iam_atlas::lessons::{Step, lessons};

#[test]
fn every_step_resolves_on_the_sample_and_every_stated_verdict_is_the_engines() {
    let model = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample loads");
    let cases = iam_atlas::lessons::teaching_cases().expect("teaching cases parse");
    let mut problems = Vec::new();
    let mut verdicts = 0;
    for l in lessons() {
        for step in l.steps {
            match step {
                Step::Case(name, expect) => {
                    let Some(case) = cases.iter().find(|c| c.name == *name) else {
                        problems.push(format!("{}: no teaching case `{name}`", l.id));
                        continue;
                    };
                    if case.expected != Some(*expect) {
                        problems.push(format!(
                            "{}: `{name}` is expected to be {:?} in teaching-cases.json, the lesson says {expect:?}",
                            l.id, case.expected
                        ));
                    }
                    let out = suite::run(&model, std::slice::from_ref(case), &Overrides::default());
                    match out.first().map(|o| &o.got) {
                        Some(Ok(got)) if got == expect => verdicts += 1,
                        other => problems.push(format!(
                            "{}: `{name}`: the lesson says {expect:?}, the engine {other:?}",
                            l.id
                        )),
                    }
                }
                Step::Select(arn) | Step::Graph(arn) => {
                    if model.by_arn(arn).is_none() {
                        problems.push(format!("{}: no entity `{arn}` in the sample", l.id));
                    }
                }
                Step::Show(_) | Step::Example(..) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(lessons().len() >= 22, "one lesson per concept");
    assert!(verdicts >= 40, "{verdicts} verdicts checked");
}

/// The concepts of issue #13 item 9, each with a lesson.
#[test]
fn each_concept_has_a_lesson() {
    let ids: Vec<&str> = lessons().iter().map(|l| l.id).collect();
    for id in [
        "root-vs-administrator",
        "new-user-no-permissions",
        "groups",
        "several-groups",
        "managed-inline-versions",
        "policy-elements",
        "explicit-deny-wins",
        "deny-unless-source-ip",
        "region-guardrails",
        "mfa-to-assume-a-role",
        "abac",
        "temporary-access",
        "trust-vs-permissions",
        "assume-role-both-sides",
        "cross-account",
        "instance-profile",
        "boundaries-and-scps-cap",
        "access-keys-are-credentials",
        "password-policy-and-mfa",
        "unused-access",
        "access-denied",
        "service-linked-roles",
        "identity-center-roles",
    ] {
        assert!(ids.contains(&id), "no lesson `{id}`");
    }
}
