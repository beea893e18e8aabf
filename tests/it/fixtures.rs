//! Every real export in `../shared/fixtures/exports/` loads, with the expected counts and warnings.
//! (Provenance and licences: `../shared/fixtures/README.md`; copies of the files the tests need are in
//! `tests/fixtures/exports/` so the tests do not depend on a sibling checkout.)

use iam_atlas::account::{
    EntityKind, LoadOptions, Model, PolicyRef, RoleKind, WarningKind, load_paths,
};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/exports")
        .join(name)
}

fn load(name: &str) -> Model {
    match load_paths(&[fixture(name)], LoadOptions::default()) {
        Ok(m) => m,
        Err(e) => panic!("{name} must load: {e}"),
    }
}

fn counts(m: &Model) -> [usize; 5] {
    let a = &m.accounts[0];
    [
        a.count(EntityKind::User),
        a.count(EntityKind::Group),
        a.count(EntityKind::Role),
        a.count(EntityKind::Policy),
        a.count(EntityKind::InstanceProfile),
    ]
}

fn warnings(m: &Model, kind: WarningKind) -> Vec<String> {
    m.warnings
        .iter()
        .filter(|w| w.kind == kind)
        .map(|w| w.to_string())
        .collect()
}

#[test]
fn aws_cli_docs_example_is_truncated_and_tolerated() {
    let m = load("aws-cli-docs-example.json");
    assert_eq!(m.accounts.len(), 1);
    assert_eq!(&*m.accounts[0].id, "123456789012");
    assert_eq!(counts(&m), [3, 3, 1, 3, 1]);
    assert!(m.accounts[0].truncated);
    assert!(
        !m.is_complete(),
        "a truncated export is never presented as complete"
    );
    let skipped = warnings(&m, WarningKind::Skipped);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].contains("IsTruncated"), "{}", skipped[0]);
    // AttachedManagedPolicies written as an object in two groups: read as a list of one, with a note.
    let notes = warnings(&m, WarningKind::Note);
    assert_eq!(
        notes.iter().filter(|n| n.contains("single object")).count(),
        2,
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("$.GroupDetailList[0].AttachedManagedPolicies")),
        "{notes:?}"
    );
    // Four attached AWS-managed policies are missing from `Policies`: three come from the bundled set, one dangles.
    let dangling = warnings(&m, WarningKind::Dangling);
    assert_eq!(dangling.len(), 1, "{dangling:?}");
    assert!(dangling[0].contains("AmazonDynamoDBFullAccess"));
    let names: Vec<&str> = m.bundled.iter().map(|p| &*p.name).collect();
    for n in [
        "AdministratorAccess",
        "AmazonS3FullAccess",
        "PowerUserAccess",
    ] {
        assert!(names.contains(&n), "{names:?}");
    }
    // `Statement` written as one object parses into one statement.
    let admins = m.accounts[0].group("Admins").expect("group Admins");
    assert!(matches!(admins.attached[0].target, PolicyRef::Bundled(_)));
    let bob = m.accounts[0].user("Bob").expect("user Bob");
    assert_eq!(bob.groups.len(), 1);
}

#[test]
fn cloudsplaining_example_loads_completely() {
    let m = load("cloudsplaining-example-authz-details.json");
    assert_eq!(counts(&m), [3, 2, 3, 32, 1]);
    let a = &m.accounts[0];
    assert_eq!(a.policies.iter().filter(|p| p.aws_managed).count(), 30);
    assert!(m.is_complete());
    assert!(
        warnings(&m, WarningKind::Skipped).is_empty(),
        "{:?}",
        m.warnings
    );
    assert!(
        warnings(&m, WarningKind::Dangling).is_empty(),
        "{:?}",
        m.warnings
    );
    // `"PermissionsBoundaryUsageCount": null` is an absent count, not a problem: no warning at all.
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    // Dates written with a space and +00:00.
    assert!(a.users.iter().all(|u| u.created.is_some()));
    // A non-default version is kept, and the default one is found.
    let multi = a
        .policies
        .iter()
        .find(|p| p.versions.len() > 1)
        .expect("a policy with several versions");
    assert!(multi.default_doc().is_some());
    // Every document parsed without shape problems (AWS accepted them all).
    for d in m.documents() {
        assert!(
            d.doc.problems.is_empty(),
            "{}: {:?}",
            d.label,
            d.doc.problems
        );
    }
    // NotAction survives parsing.
    assert!(m.documents().iter().any(|d| {
        d.doc
            .policy
            .statements
            .iter()
            .any(|s| s.action.as_ref().is_some_and(|a| a.is_not()))
    }));
}

#[test]
fn managed_policy_mismatch_is_a_dangling_reference() {
    let m = load("cloudsplaining-managed-policy-mismatch.json");
    assert_eq!(counts(&m), [0, 1, 0, 1, 0]);
    let dangling = warnings(&m, WarningKind::Dangling);
    assert_eq!(dangling.len(), 1, "{dangling:?}");
    assert!(dangling[0].contains("arn:aws:iam::aws:policy/AWSLambdaReadOnlyAccess"));
    let g = &m.accounts[0].groups[0];
    assert!(g.attached.iter().any(|a| a.target == PolicyRef::Missing));
}

#[test]
fn permissions_boundaries_resolve() {
    let m = load("iamspy-user-boundary-allow.json");
    assert_eq!(counts(&m), [1, 0, 0, 1, 0]);
    let u = &m.accounts[0].users[0];
    let b = u.boundary.as_ref().expect("user boundary");
    assert!(matches!(b.target, PolicyRef::Local(_)), "{b:?}");

    let m = load("iamspy-role-boundary-allow.json");
    assert_eq!(counts(&m), [0, 0, 1, 1, 0]);
    let r = &m.accounts[0].roles[0];
    assert!(matches!(
        r.boundary.as_ref().expect("role boundary").target,
        PolicyRef::Local(_)
    ));
    assert_eq!(r.kind, RoleKind::Standard);
}

#[test]
fn several_exports_are_several_accounts_and_indexes_work() {
    let files = [
        fixture("cloudsplaining-example-authz-details.json"),
        fixture("iamspy-role-boundary-allow.json"),
    ];
    let m = load_paths(&files, LoadOptions::default()).expect("load both");
    assert_eq!(m.accounts.len(), 2);
    assert_ne!(m.accounts[0].id, m.accounts[1].id);
    for (ai, a) in m.accounts.iter().enumerate() {
        for (i, r) in a.roles.iter().enumerate() {
            let by_arn = m.by_arn(&r.arn).expect("role by ARN");
            assert_eq!((by_arn.account as usize, by_arn.index as usize), (ai, i));
            assert_eq!(m.by_id(&r.id), Some(by_arn));
            assert_eq!(m.by_name(EntityKind::Role, &r.name), vec![by_arn]);
        }
    }
}

#[test]
fn url_encoded_documents_load_like_objects() {
    // The raw IAM API returns documents URL-encoded; AWS CLI decodes them. Both must give the same model.
    let text = std::fs::read_to_string(fixture("cloudsplaining-example-authz-details.json"))
        .expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    fn encode_docs(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    if matches!(
                        k.as_str(),
                        "PolicyDocument" | "AssumeRolePolicyDocument" | "Document"
                    ) && val.is_object()
                    {
                        let s = val.to_string();
                        *val = serde_json::Value::String(
                            percent_encoding::utf8_percent_encode(
                                &s,
                                percent_encoding::NON_ALPHANUMERIC,
                            )
                            .to_string(),
                        );
                    } else {
                        encode_docs(val);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(encode_docs),
            _ => {}
        }
    }
    encode_docs(&mut v);
    let dir = std::env::temp_dir().join(format!("iam-atlas-enc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join("encoded.json");
    std::fs::write(&path, v.to_string()).expect("write");
    let enc = load_paths(&[path], LoadOptions::default()).expect("encoded export loads");
    let plain = load("cloudsplaining-example-authz-details.json");
    let summary = |m: &Model| -> Vec<(String, usize)> {
        let mut d: Vec<(String, usize)> = m
            .documents()
            .iter()
            .map(|d| (d.label.clone(), d.doc.policy.statements.len()))
            .collect();
        d.sort();
        d
    };
    assert_eq!(summary(&enc), summary(&plain));
    assert!(enc.documents().iter().all(|d| d.doc.encoded));
    // Spans point into the decoded text.
    let d = &enc.documents()[0];
    assert!(d.doc.text(&enc).starts_with('{'), "{}", d.doc.text(&enc));
    let _ = std::fs::remove_dir_all(dir);
}
