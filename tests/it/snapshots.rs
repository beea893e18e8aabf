//! Snapshots (insta) of what the command line prints, in every format a person or a pipeline reads: the
//! evaluator's explanation (text and JSON), the validator's findings (text, JSON, SARIF) and the review's SARIF.
//! A change to any of them shows as a diff of the snapshot under `tests/it/snapshots/`, reviewed with
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test` and `git diff`), never silently.
//!
//! Paths are given relative to the package root (the tests' working directory), so the snapshots do not depend
//! on where the checkout is.

use clap::Parser;

/// Run the CLI in-process: exit code and standard output.
fn cli(args: &[&str]) -> (i32, String) {
    let mut argv = vec!["iam-atlas"];
    argv.extend_from_slice(args);
    let c = iam_atlas::cli::Cli::try_parse_from(argv).expect("arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = iam_atlas::cli::run(c.command.expect("a command"), &mut out, &mut err);
    (code, String::from_utf8(out).expect("UTF-8 output"))
}

/// A policy with one finding of each severity the validator reports here: an unknown action (warning with a
/// fix), `iam:PassRole` on `*` (security warning), a date that is not a date (error), a key in another case
/// than documented (suggestion).
const POLICY: &str = "tests/fixtures/policies/snapshot-policy.json";

#[test]
fn eval_text_names_the_layers_and_the_deciding_statement() {
    // Teaching case 18: MFA older than an hour, so the trust policy's condition fails (a near miss).
    let (code, out) = cli(&[
        "eval",
        "--sample",
        "--principal",
        "arn:aws:iam::412345678901:user/maria.silva",
        "--action",
        "sts:AssumeRole",
        "--resource",
        "arn:aws:iam::412345678901:role/admin-mfa",
        "--context",
        "aws:MultiFactorAuthPresent=true",
        "--context",
        "aws:MultiFactorAuthAge=7200",
        "--context",
        "aws:RequestedRegion=eu-west-1",
        "--context",
        "aws:CurrentTime=2026-11-20T10:00:00Z",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn eval_json_of_an_explicit_deny() {
    // Teaching case 12's principal asking outside the region guardrail: the SCP denies.
    let (code, out) = cli(&[
        "eval",
        "--sample",
        "--principal",
        "arn:aws:iam::412345678901:user/raj.mehta",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::larkspur-prod-reports/q3.csv",
        "--context",
        "aws:RequestedRegion=ap-south-1",
        "--context",
        "aws:SecureTransport=true",
        "--context",
        "aws:CurrentTime=2026-11-20T10:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn validate_text_json_and_sarif() {
    let (code, text) = cli(&["validate", POLICY]);
    assert_eq!(code, 1, "an error is found");
    insta::assert_snapshot!("validate_text", text);
    let (_, json) = cli(&["validate", POLICY, "--format", "json"]);
    insta::assert_snapshot!("validate_json", json);
    let (_, sarif) = cli(&["validate", POLICY, "--format", "sarif"]);
    // The rules list every registered check; the snapshot keeps the results and the rules they point at.
    let v: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let run = &v["runs"][0];
    let results = run["results"].as_array().expect("results");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let used: Vec<&serde_json::Value> = results
        .iter()
        .filter_map(|r| {
            let i = r["ruleIndex"].as_u64()? as usize;
            let rule = rules.get(i)?;
            assert_eq!(rule["id"], r["ruleId"], "ruleIndex points at the rule");
            Some(rule)
        })
        .collect();
    insta::assert_snapshot!(
        "validate_sarif",
        serde_json::to_string_pretty(&serde_json::json!({
            "version": v["version"],
            "results": results,
            "rules_used": used,
        }))
        .expect("JSON")
    );
}

#[test]
fn audit_sarif_of_the_sample() {
    let (_, sarif) = cli(&["audit", "--sample", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let run = &v["runs"][0];
    // The results in full (rule, level, message, place, fingerprint), and the load notifications.
    insta::assert_snapshot!(
        serde_json::to_string_pretty(&serde_json::json!({
            "results": run["results"],
            "notifications": run["invocations"][0]["toolExecutionNotifications"],
        }))
        .expect("JSON")
    );
}
