//! The loader and the policy parser never panic: arbitrary bytes, and arbitrary mutations of the real fixture
//! exports. Every diagnostic range lies inside the text on character boundaries.

use iam_atlas::account::Model;
use iam_atlas::account::export::{LoadCtx, load_export, text_from_bytes};
use iam_atlas::policy::{Interner, parse_text};
use proptest::prelude::*;
use std::sync::Arc;

fn fixtures() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports");
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .expect("fixtures dir")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect();
    // Keep mutation cheap: the large fixture is cut to its first 20 KB (an unclosed document, which is
    // itself a good case).
    for f in &mut out {
        f.truncate(20_000);
    }
    out
}

fn load_bytes(bytes: Vec<u8>) {
    let Ok(text) = text_from_bytes("fuzz.json", bytes) else {
        return;
    };
    let mut model = Model::default();
    let mut ctx = LoadCtx::default();
    let before = model.sources.len();
    match load_export(&mut model, &mut ctx, "fuzz.json", text, None) {
        Ok(_) => {
            // A warning's place is a range of character boundaries of its source, and shows without panicking.
            for w in &model.warnings {
                if let Some((id, span)) = w.at {
                    let src = &model.source(id).text();
                    assert!(span.start <= span.end && span.end as usize <= src.len());
                    assert!(
                        src.is_char_boundary(span.start as usize)
                            && src.is_char_boundary(span.end as usize)
                    );
                    let x = w.excerpt(&model, 100).expect("an excerpt");
                    assert!(x.text.chars().count() <= 101);
                }
            }
            for d in model.documents() {
                let src = &model.source(d.doc.source).text();
                for p in &d.doc.problems {
                    assert!(p.span.end as usize <= src.len());
                    assert!(
                        src.is_char_boundary(p.span.start as usize)
                            && src.is_char_boundary(p.span.end as usize)
                    );
                }
            }
        }
        Err(e) => {
            // A failed load leaves nothing half-loaded behind.
            assert!(model.accounts.is_empty());
            assert_eq!(model.sources.len(), before);
            assert!(!e.to_string().is_empty());
        }
    }
}

fn check_policy(text: &str) {
    let p = parse_text(text, &mut Interner::default());
    for d in &p.diagnostics {
        assert!(
            d.span.start <= d.span.end && d.span.end as usize <= text.len(),
            "{d:?}"
        );
        assert!(
            text.is_char_boundary(d.span.start as usize)
                && text.is_char_boundary(d.span.end as usize),
            "{d:?}"
        );
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Replace(usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (
            any::<usize>(),
            prop::collection::vec(
                prop::sample::select(b"{}[]\":,0123456789-.eEtrufalsn \\%\xc3\xa9".to_vec()),
                1..8
            )
        )
            .prop_map(|(a, b)| Mutation::Insert(a, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Replace(a, b)),
    ]
}

fn apply(mut bytes: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        if bytes.is_empty() {
            break;
        }
        match m {
            Mutation::Delete(a, n) => {
                let a = a % bytes.len();
                let end = (a + n).min(bytes.len());
                bytes.drain(a..end);
            }
            Mutation::Insert(a, b) => {
                let a = a % bytes.len();
                bytes.splice(a..a, b.iter().copied());
            }
            Mutation::Replace(a, b) => {
                let a = a % bytes.len();
                bytes[a] = *b;
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        load_bytes(bytes.clone());
        check_policy(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn mutated_fixtures_never_panic(which in any::<usize>(), muts in prop::collection::vec(mutation(), 1..6)) {
        let fx = fixtures();
        let bytes = apply(fx[which % fx.len()].clone(), &muts);
        check_policy(&String::from_utf8_lossy(&bytes));
        load_bytes(bytes);
    }
}

#[test]
fn whole_fixtures_survive_single_byte_deletions() {
    // Deterministic sweep over a small real export: delete each byte in turn.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports");
    let bytes = std::fs::read(dir.join("iamspy-user-boundary-allow.json")).expect("fixture");
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b.remove(i);
        load_bytes(b);
    }
    let _ = Arc::new(());
}

/// A load warning names the value it is about: its byte range in the export (so the GUI underlines it), its line
/// and column, and an excerpt of a one-line export that stays short.
#[test]
fn load_warnings_point_at_the_value_they_are_about() {
    let filler = format!("\"Description\": \"{}\"", "x".repeat(5_000));
    let text = format!(
        r#"{{"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [{{{filler}, "RoleName": 5, "RoleId": "AROA1", "Arn": "arn:aws:iam::111122223333:role/r", "Tags": [{{"Key": "k", "Value": 7}}]}}]}}"#
    );
    let mut model = Model::default();
    let mut ctx = LoadCtx::default();
    load_export(
        &mut model,
        &mut ctx,
        "one-line.json",
        Arc::new(text.clone()),
        None,
    )
    .expect("loads");
    let find = |needle: &str| {
        model
            .warnings
            .iter()
            .find(|w| w.location.ends_with(needle))
            .unwrap_or_else(|| panic!("no warning at {needle}: {:?}", model.warnings))
    };
    let name = find("RoleName");
    let (src, span) = name.at.expect("a place");
    assert_eq!(iam_atlas::text::at(&model.source(src).text(), span), "5");
    let x = name.excerpt(&model, 100).expect("an excerpt");
    assert_eq!(x.at.line, 1);
    assert_eq!(
        x.at.col as usize,
        text.find("5, \"RoleId\"").expect("value") + 1
    );
    assert!(x.text.chars().count() <= 101, "{}", x.text);
    let underlined: String = x
        .text
        .chars()
        .skip(x.underline.0)
        .take(x.underline.1)
        .collect();
    assert_eq!(underlined, "5");
    // The role without a name is skipped, and the warning points at the role's object.
    let role = find("RoleDetailList[0]");
    let (_, span) = role.at.expect("a place");
    assert!(iam_atlas::text::at(&text, span).starts_with("{\"Description\""));
}

/// What an export says twice, or says with an escape that is not a character, is not read silently: a key written
/// twice in an entity is a "skipped" warning (the model is incomplete), a lone surrogate a note; in a policy, a lone
/// surrogate is an error that leaves its statement uncertain (the evaluator's answer says it was not read).
#[test]
fn duplicate_keys_and_lone_surrogates_in_an_export_are_reported() {
    let text = r#"{"UserDetailList": [{"UserName": "alice", "UserName": "bob", "UserId": "AIDA1",
"Arn": "arn:aws:iam::111122223333:user/alice", "Path": "/\ud800/",
"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b\udc00/*"}]}}]}],
"GroupDetailList": [], "RoleDetailList": [], "Policies": []}"#;
    let mut model = Model::default();
    let mut ctx = LoadCtx::default();
    load_export(
        &mut model,
        &mut ctx,
        "dup.json",
        Arc::new(text.to_string()),
        None,
    )
    .expect("loads");
    let twice = model
        .warnings
        .iter()
        .find(|w| w.message.contains("`UserName` is written twice"))
        .unwrap_or_else(|| panic!("{:?}", model.warnings));
    assert_eq!(twice.kind, iam_atlas::account::WarningKind::Skipped);
    let (src, span) = twice.at.expect("a place");
    assert_eq!(
        iam_atlas::text::at(&model.source(src).text(), span),
        "\"UserName\""
    );
    assert_eq!(twice.excerpt(&model, 100).expect("excerpt").at.col, 43);
    assert!(!model.is_complete());
    assert!(
        model
            .warnings
            .iter()
            .any(|w| w.location.ends_with("Path") && w.message.contains("surrogate")),
        "{:?}",
        model.warnings
    );
    // The policy: its Deny statement was not read exactly, so the answer is not a certain Allow.
    let policy = &model.accounts[0].users[0].inline[0].doc;
    assert!(policy.problems.iter().any(|d| d.code == "LONE_SURROGATE"));
    assert!(policy.policy.statements[1].invalid.is_some());
    assert!(policy.policy.statements[0].invalid.is_none());
}

#[test]
fn lone_surrogates_are_told_from_pairs_and_escaped_backslashes() {
    use iam_atlas::json::has_lone_surrogate;
    assert!(has_lone_surrogate(r#""a\ud800b""#));
    assert!(has_lone_surrogate(r#""\uDC00""#));
    assert!(has_lone_surrogate(r#""\ud83d\u0041""#));
    assert!(!has_lone_surrogate(r#""\ud83d\ude00""#));
    assert!(
        !has_lone_surrogate(r#""\\ud800""#),
        "an escaped backslash, then text"
    );
    assert!(!has_lone_surrogate(r#""\u00e9 plain""#));
    assert!(has_lone_surrogate(r#""\\\ud800""#));
}
