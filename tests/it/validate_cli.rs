//! `iam-atlas validate` as a user runs it: text, JSON and SARIF output, snapshots, exit codes.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
}

/// Write `text` to a fresh file under the target directory and return its path.
fn write(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("validate_cli");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run")
}

const TYPO: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": "s3:GetObjekt",
    "Resource": "arn:aws:s3:::b/*"
  }]
}
"#;

const BROKEN: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]
}
"#;

#[test]
fn text_output_is_compiler_like() {
    let p = write("typo.json", TYPO);
    let out = run(&["validate", p.to_str().expect("utf-8 path")]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{s}");
    let head = format!(
        "{}:5:15: warning[INVALID_ACTION]: `s3` has no action `GetObjekt`",
        p.display()
    );
    assert!(s.contains(&head), "{s}");
    assert!(s.contains("5 |     \"Action\": \"s3:GetObjekt\","), "{s}");
    assert!(s.contains("  |               ^^^^^^^^^^^^^^\n"), "{s}");
    assert!(s.contains("= help: did you mean `s3:GetObject`?"), "{s}");
    assert!(
        s.contains("0 errors, 0 security warnings, 1 warning,"),
        "{s}"
    );
}

#[test]
fn errors_exit_with_one() {
    let p = write("broken.json", BROKEN);
    let out = run(&["validate", p.to_str().expect("utf-8 path")]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(s.contains(":3:28: error[INVALID_EFFECT]"), "{s}");
    assert!(s.contains("= fix: `\"Allow\"`"), "{s}");
}

#[test]
fn type_selects_the_checks() {
    let p = write(
        "trust-missing-principal.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}"#,
    );
    let path = p.to_str().expect("utf-8 path");
    let trust = run(&["validate", "--type", "trust", path]);
    assert_eq!(trust.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&trust.stdout).contains("error[MISSING_PRINCIPAL]"));
    // As an identity policy the same text lacks a resource instead.
    let identity = run(&["validate", path]);
    let s = String::from_utf8_lossy(&identity.stdout);
    assert!(
        s.contains("error[MISSING_RESOURCE]") && !s.contains("MISSING_PRINCIPAL"),
        "{s}"
    );
}

#[test]
fn json_output() {
    let p = write("typo2.json", TYPO);
    let out = run(&[
        "validate",
        "--format",
        "json",
        p.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let d = &v["documents"][0]["diagnostics"][0];
    assert_eq!(d["code"], "INVALID_ACTION");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["path"], "Statement[0].Action");
    assert_eq!(d["start"]["line"], 5);
    assert_eq!(d["start"]["column"], 15);
    assert_eq!(d["fix"]["text"], "\"s3:GetObject\"");
    assert_eq!(v["summary"]["warnings"], 1);
    assert_eq!(v["catalog"]["date"].as_str().map(str::len), Some(10));
}

#[test]
fn sarif_output_is_2_1_0() {
    let p = write("broken2.json", BROKEN);
    let out = run(&[
        "validate",
        "--format",
        "sarif",
        p.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["version"], "2.1.0");
    assert!(
        v["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif-2.1.0"))
    );
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "iam-atlas");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.len() >= 60);
    // SARIF wants a readable name that differs from the opaque id.
    assert!(rules.iter().all(|r| r["name"] != r["id"]));
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "INVALID_ACTION" && r["name"] == "InvalidAction")
    );
    assert!(
        rules
            .iter()
            .all(|r| r["id"].is_string() && r["shortDescription"]["text"].is_string())
    );
    let results = run["results"].as_array().expect("results");
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "INVALID_EFFECT")
        .expect("result");
    assert_eq!(r["level"], "error");
    let idx = r["ruleIndex"].as_u64().expect("index") as usize;
    assert_eq!(rules[idx]["id"], "INVALID_EFFECT");
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 3);
    assert_eq!(region["startColumn"], 28);
    assert_eq!(region["endLine"], 3);
    assert_eq!(region["endColumn"], 35);
    assert!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|u| u.starts_with("file:///") && u.ends_with("broken2.json"))
    );
}

#[test]
fn snapshots_validate_every_document_with_its_type() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports");
    let export = dir.join("cloudsplaining-example-authz-details.json");
    let out = run(&[
        "validate",
        "--snapshot",
        "--format",
        "json",
        export.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let docs = v["documents"].as_array().expect("documents");
    assert!(docs.len() > 30);
    let types: Vec<&str> = docs.iter().filter_map(|d| d["type"].as_str()).collect();
    assert!(types.contains(&"trust policy"));
    assert!(types.contains(&"AWS-managed policy"));
    assert_eq!(v["summary"]["errors"], 0);
    // Positions point into the export itself.
    let first = docs
        .iter()
        .flat_map(|d| d["diagnostics"].as_array().into_iter().flatten())
        .next()
        .expect("some finding");
    assert!(first["start"]["line"].as_u64().is_some_and(|l| l > 1));
}

#[test]
fn unreadable_input_exits_with_two() {
    let out = run(&["validate", "/nonexistent/policy.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    let out = run(&["validate", "--type", "nonsense", "x.json"]);
    assert_eq!(out.status.code(), Some(2));
}
