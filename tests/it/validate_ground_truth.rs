//! Ground truth: what AWS accepts and rejects (moto's `CreatePolicy` cases), the exports in
//! `tests/fixtures/exports/` (all accepted by AWS) and the bundled sample must agree with our errors.

use iam_atlas::account::{LoadOptions, load_paths};
use iam_atlas::diagnostic::Severity;
use iam_atlas::validate::{IdentityKind, PolicyKind, kind_of, validate, validate_policy};
use serde_json::Value;
use std::path::PathBuf;

const MANAGED: PolicyKind = PolicyKind::Identity(IdentityKind::Managed);

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/policies")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn doc_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).expect("serializable"),
    }
}

fn errors(text: &str, kind: PolicyKind) -> Vec<String> {
    validate(text, kind)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{} {}", d.code, d.message))
        .collect()
}

#[test]
fn errors_fire_on_every_document_aws_rejects() {
    let cases = fixture("aws-rejects.json");
    let cases = cases.as_array().expect("array");
    assert_eq!(cases.len(), 78);
    let mut missed = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let text = doc_text(&c["document"]);
        if errors(&text, MANAGED).is_empty() {
            missed.push(format!("#{i} ({}): {text}", c["error_message"]));
        }
    }
    assert!(missed.is_empty(), "no error on:\n{}", missed.join("\n"));
}

#[test]
fn no_error_on_any_document_aws_accepts() {
    let cases = fixture("aws-accepts.json");
    let cases = cases.as_array().expect("array");
    assert_eq!(cases.len(), 54);
    let mut wrong = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let text = doc_text(c);
        let e = errors(&text, MANAGED);
        if !e.is_empty() {
            wrong.push(format!("#{i}: {e:?}\n  {text}"));
        }
    }
    assert!(wrong.is_empty(), "false errors:\n{}", wrong.join("\n"));
}

fn model_errors(model: &iam_atlas::account::Model) -> Vec<String> {
    let mut out = Vec::new();
    // Each source unpacked once (several exports are kept packed).
    let texts: Vec<_> = model.sources.iter().map(|s| s.shared_text()).collect();
    for d in model.documents() {
        let kind = kind_of(model, &d);
        let src = texts.get(d.doc.source.0 as usize).expect("its source");
        for diag in validate_policy(&d.doc.policy, src, kind)
            .into_iter()
            .chain(d.doc.problems.iter().cloned())
        {
            if diag.severity == Severity::Error {
                out.push(format!(
                    "{} ({:?}): {} {} at `{}`",
                    d.label,
                    kind,
                    diag.code,
                    diag.message,
                    src.get(diag.span.range()).unwrap_or("?")
                ));
            }
        }
    }
    out
}

#[test]
fn no_error_on_any_exported_policy() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("exports dir") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let model = load_paths(std::slice::from_ref(&path), LoadOptions::default()).expect("loads");
        n += model.documents().len();
        let e = model_errors(&model);
        assert!(e.is_empty(), "{}:\n{}", path.display(), e.join("\n"));
    }
    assert!(n > 40, "only {n} documents");
}

#[test]
fn no_error_on_the_bundled_sample() {
    let model = iam_atlas::sample::load_sample(Default::default()).expect("sample loads");
    assert!(!model.documents().is_empty());
    let e = model_errors(&model);
    assert!(e.is_empty(), "{}", e.join("\n"));
}

/// The codes that say what AWS's message says, for the messages that name one rule.
fn codes_for(message: &str) -> Option<&'static [&'static str]> {
    let table: [(&str, &[&str]); 12] = [
        (
            "must be version 2012-10-17",
            &["MISSING_VERSION", "INVALID_VERSION"],
        ),
        ("must be prefaced by a vendor", &["INVALID_ACTION_FORMAT"]),
        ("Vendor ", &["INVALID_VENDOR"]),
        ("only one colon", &["INVALID_ACTION_FORMAT"]),
        ("must be in ARN format", &["INVALID_ARN_FORMAT"]),
        ("Partition ", &["INVALID_PARTITION", "INVALID_ARN_PREFIX"]),
        (
            "must contain resources",
            &["MISSING_RESOURCE", "EMPTY_ARRAY_RESOURCE"],
        ),
        (
            "must contain actions",
            &["MISSING_ACTION", "EMPTY_ARRAY_ACTION"],
        ),
        ("IAM resource path", &["INVALID_IAM_RESOURCE_PATH"]),
        ("region information", &["ARN_REGION_NOT_ALLOWED"]),
        ("must be fully qualified", &["MISSING_ARN_SERVICE"]),
        (
            "(SID) in a single policy must be unique",
            &["UNIQUE_SIDS_REQUIRED"],
        ),
    ];
    table
        .iter()
        .find(|(needle, _)| message.contains(needle))
        .map(|(_, codes)| *codes)
}

#[test]
fn errors_on_rejected_documents_give_aws_reason() {
    let cases = fixture("aws-rejects.json");
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (i, c) in cases.as_array().expect("array").iter().enumerate() {
        let message = c["error_message"].as_str().unwrap_or("");
        let Some(expected) = codes_for(message) else {
            continue; // "Syntax errors in policy", "The policy failed legacy parsing": any error will do
        };
        checked += 1;
        let text = doc_text(&c["document"]);
        let got: Vec<&str> = validate(&text, MANAGED)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .flat_map(|d| [d.code, d.subcode.unwrap_or(d.code)])
            .collect();
        if !got.iter().any(|g| expected.contains(g)) {
            wrong.push(format!(
                "#{i} {message}: expected one of {expected:?}, got {got:?}"
            ));
        }
    }
    assert!(checked >= 30, "only {checked} messages mapped");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
