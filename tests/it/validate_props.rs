//! Property tests: validation never panics, on any text or on mutated real policies; every diagnostic's range
//! and every fix's range lie inside the text on character boundaries, and every fix applies cleanly.

use iam_atlas::validate::{IdentityKind, PolicyKind, validate};
use proptest::prelude::*;
use serde_json::Value;

const KINDS: [PolicyKind; 8] = [
    PolicyKind::Identity(IdentityKind::Managed),
    PolicyKind::Identity(IdentityKind::UserInline),
    PolicyKind::Resource {
        service: Some("s3"),
    },
    PolicyKind::Resource { service: None },
    PolicyKind::Trust,
    PolicyKind::Scp,
    PolicyKind::Rcp,
    PolicyKind::Session,
];

fn fixtures() -> Vec<String> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/policies");
    let mut out = Vec::new();
    for (name, key) in [
        ("aws-rejects.json", Some("document")),
        ("aws-accepts.json", None),
    ] {
        let text = std::fs::read_to_string(dir.join(name)).expect("fixture");
        let v: Value = serde_json::from_str(&text).expect("json");
        for item in v.as_array().expect("array") {
            let d = match key {
                Some(k) => &item[k],
                None => item,
            };
            out.push(match d {
                Value::String(s) => s.clone(),
                other => serde_json::to_string_pretty(other).expect("ser"),
            });
        }
    }
    out
}

fn check(text: &str, kind: PolicyKind) -> Result<(), TestCaseError> {
    for d in validate(text, kind) {
        let r = d.span.range();
        prop_assert!(
            r.end <= text.len(),
            "{} {:?} outside {}",
            d.code,
            r,
            text.len()
        );
        prop_assert!(
            text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
            "{} {:?}",
            d.code,
            r
        );
        prop_assert!(!d.message.is_empty());
        if let Some(f) = &d.fix {
            let fr = f.span.range();
            prop_assert!(
                fr.start <= fr.end && fr.end <= text.len(),
                "fix {} {:?}",
                d.code,
                fr
            );
            prop_assert!(text.is_char_boundary(fr.start) && text.is_char_boundary(fr.end));
            let mut fixed = text.to_string();
            fixed.replace_range(fr, &f.text);
            // The fixed text is checked too (never panics).
            let _ = validate(&fixed, kind);
        }
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, String),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let piece = prop_oneof![
        Just("\"".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just(":".to_string()),
        Just("*".to_string()),
        Just("${".to_string()),
        Just("é".to_string()),
        Just("\"Principal\": \"*\",".to_string()),
        Just("\"Condition\": {\"StringLike\": {\"aws:TagKeys\": []}},".to_string()),
        Just("null".to_string()),
        "[a-zA-Z0-9:/*?$ ]{0,12}",
    ];
    prop_oneof![
        (any::<usize>(), 0usize..20).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), piece).prop_map(|(a, s)| Mutation::Insert(a, s)),
        (any::<usize>(), 0usize..40).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
    ]
}

fn boundary(text: &str, i: usize) -> usize {
    let mut i = i % (text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut t = text.to_string();
    match m {
        Mutation::Delete(a, n) => {
            let s = boundary(&t, *a);
            let e = boundary(&t, (s + n).min(t.len()));
            if e > s {
                t.replace_range(s..e, "");
            }
        }
        Mutation::Insert(a, piece) => {
            let s = boundary(&t, *a);
            t.insert_str(s, piece);
        }
        Mutation::Duplicate(a, n) => {
            let s = boundary(&t, *a);
            let e = boundary(&t, (s + n).min(t.len()));
            let slice = t[s..e].to_string();
            t.insert_str(e, &slice);
        }
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>(), k in 0usize..KINDS.len()) {
        check(&text, KINDS[k])?;
    }

    #[test]
    fn json_like_text_never_panics(text in "[{}\\[\\]\":, a-zA-Z0-9*?$/-]{0,160}", k in 0usize..KINDS.len()) {
        check(&text, KINDS[k])?;
    }

    #[test]
    fn mutated_fixture_policies_never_panic(
        i in any::<prop::sample::Index>(),
        muts in prop::collection::vec(mutation(), 1..5),
        k in 0usize..KINDS.len(),
    ) {
        let docs = fixtures();
        let mut text = docs[i.index(docs.len())].clone();
        for m in &muts {
            text = apply(&text, m);
        }
        check(&text, KINDS[k])?;
    }
}
