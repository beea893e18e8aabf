//! `eval`, `who-can`, `what-can` and `assume` as a user runs them.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/exports/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn eval_json_names_the_deciding_statement() {
    let (code, out, err) = run(&[
        "eval",
        "--sample",
        "--format",
        "json",
        "--principal",
        "arn:aws:iam::412345678901:user/li.wei",
        "--action",
        "s3:DeleteObject",
        "--resource",
        "arn:aws:s3:::larkspur-prod-data/x",
        "--context",
        "aws:RequestedRegion=eu-west-1",
        "--context",
        "aws:SecureTransport=true",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["decision"], "ExplicitDeny");
    assert_eq!(v["decided_by"], "Identity");
    let identity = v["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .find(|l| l["layer"] == "Identity")
        .expect("identity layer");
    let deny = identity["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["effect"] == "Deny")
        .expect("a deny");
    assert_eq!(deny["sid"], "ProtectProdData");
    assert!(
        deny["location"]
            .as_str()
            .expect("location")
            .contains("prod/authorization-details.json:")
    );
}

#[test]
fn eval_exit_status_is_zero_whatever_the_decision_and_two_for_bad_input() {
    let (code, out, _) = run(&[
        "eval",
        "--sample",
        "--principal",
        "nina.patel",
        "--action",
        "iam:CreateUser",
        "--resource",
        "arn:aws:iam::412345678901:user/x",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("ImplicitDeny"), "{out}");
    let (code, _, err) = run(&[
        "eval",
        "--sample",
        "--principal",
        "nobody-at-all",
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no user or role named `nobody-at-all`"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "eval",
        "--sample",
        "--principal",
        "li.wei",
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
        "--context",
        "=novalue",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("KEY=VALUE"), "{err}");
}

#[test]
fn dangling_policy_makes_the_answer_unknown() {
    // EC2role attaches AmazonDynamoDBFullAccess, which is neither in the export nor bundled.
    let (code, out, err) = run(&[
        "eval",
        "--snapshot",
        &fixture("aws-cli-docs-example.json"),
        "--format",
        "json",
        "--principal",
        "arn:aws:iam::123456789012:role/EC2role",
        "--action",
        "dynamodb:GetItem",
        "--resource",
        "arn:aws:dynamodb:us-east-1:123456789012:table/t",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["certain"], false, "{v}");
    assert!(
        v["unknown"][0]
            .as_str()
            .expect("reason")
            .contains("AmazonDynamoDBFullAccess")
    );
    let (_, text, _) = run(&[
        "eval",
        "--snapshot",
        &fixture("aws-cli-docs-example.json"),
        "--principal",
        "arn:aws:iam::123456789012:role/EC2role",
        "--action",
        "dynamodb:GetItem",
        "--resource",
        "arn:aws:dynamodb:us-east-1:123456789012:table/t",
    ]);
    assert!(
        text.starts_with("UNKNOWN (the known policies give ImplicitDeny)"),
        "{text}"
    );
}

#[test]
fn session_policy_and_scp_levels_from_files() {
    let dir = std::env::temp_dir().join(format!("iam-atlas-evalcli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let session = dir.join("session.json");
    std::fs::write(&session, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#).expect("write");
    let scp = dir.join("scp.json");
    std::fs::write(&scp, r#"[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]},
                           {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}]"#).expect("write");
    let base = [
        "eval",
        "--sample",
        "--format",
        "json",
        "--principal",
        "arn:aws:sts::412345678901:assumed-role/admin-mfa/me",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::larkspur-prod-data/x",
        "--context",
        "aws:SecureTransport=true",
        "--context",
        "aws:RequestedRegion=eu-west-1",
    ];
    let (_, out, err) = run(&base);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    assert_eq!(v["decision"], "Allow", "{v}");
    let mut with_session = base.to_vec();
    with_session.extend(["--session-policy", session.to_str().expect("path")]);
    let (_, out, _) = run(&with_session);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["decision"], "ImplicitDeny");
    assert_eq!(v["decided_by"], "Session");
    let mut with_scp = base.to_vec();
    with_scp.extend(["--scp", scp.to_str().expect("path")]);
    let (_, out, _) = run(&with_scp);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["decision"], "ExplicitDeny");
    assert_eq!(v["decided_by"], "Scp");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"Version\": }").expect("write");
    let mut with_bad = base.to_vec();
    with_bad.extend(["--session-policy", bad.to_str().expect("path")]);
    let (code, _, err) = run(&with_bad);
    assert_eq!(code, 2);
    assert!(err.contains("bad.json:1:13"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn batch_writes_one_result_per_line() {
    let dir = std::env::temp_dir().join(format!("iam-atlas-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let f = dir.join("req.jsonl");
    std::fs::write(
        &f,
        concat!(
            r#"{"principal": "li.wei", "action": "s3:GetObject", "resource": "arn:aws:s3:::larkspur-prod-data/a", "context": {"aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": ["true"]}}"#, "\n",
            r#"{"principal": "nina.patel", "action": "iam:CreateUser", "resource": "*"}"#, "\n"
        ),
    )
    .expect("write");
    let (code, out, err) = run(&["eval", "--sample", "--requests", f.to_str().expect("path")]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["decision"], "Allow");
    assert_eq!(lines[1]["decision"], "ImplicitDeny");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn who_can_lists_principals_with_their_statements() {
    let (code, out, err) = run(&[
        "who-can",
        "s3:GetObject",
        "arn:aws:s3:::larkspur-prod-data/reports/a.csv",
        "--sample",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let who: Vec<&str> = v["principals"]
        .as_array()
        .expect("list")
        .iter()
        .map(|p| p["principal"].as_str().unwrap_or(""))
        .collect();
    // Cross-account: the dev analytics role is named in the bucket policy and allowed by its own policy.
    assert!(
        who.contains(&"arn:aws:iam::523456789012:role/analytics-reader"),
        "{who:?}"
    );
    assert!(who.contains(&"arn:aws:iam::412345678901:user/li.wei"));
    // The billing user has no S3 access.
    assert!(
        !who.iter().any(|p| p.ends_with("user/nina.patel")),
        "{who:?}"
    );
    let admin = v["principals"]
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["principal"] == "arn:aws:iam::412345678901:role/admin-mfa")
        .expect("admin-mfa");
    assert!(
        admin["assumable_by"][0]["conditions"][0]
            .as_str()
            .expect("condition")
            .contains("aws:MultiFactorAuthPresent")
    );
}

/// The text form says which holder each statement came through: the same managed policy attached to a user and
/// to its group would otherwise read as one line printed twice.
#[test]
fn who_can_text_names_the_holder_of_each_statement() {
    let (code, out, err) = run(&[
        "who-can",
        "s3:GetObject",
        "arn:aws:s3:::larkspur-prod-data/reports/a.csv",
        "--sample",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let li = lines
        .iter()
        .position(|l| l.contains("user/li.wei "))
        .unwrap_or_else(|| panic!("li.wei: {out}"));
    assert_eq!(
        lines.get(li + 1).map(|l| l.trim()),
        Some(
            "via managed LarkspurDeveloperAccess (on group developers) statement 0 \"AppDataReadWrite\""
        ),
        "{out}"
    );
    assert!(
        out.contains("via inline EtlDataAccess (on role etl-batch) statement 0"),
        "{out}"
    );
}

#[test]
fn what_can_groups_by_service_and_level() {
    let (code, out, err) = run(&["what-can", "nina.patel", "--sample", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let services = v["services"].as_object().expect("services");
    assert!(
        services.contains_key("aws-portal")
            || services.contains_key("billing")
            || services.contains_key("ce"),
        "{:?}",
        services.keys().collect::<Vec<_>>()
    );
    assert!(
        !services.contains_key("s3"),
        "the billing user has no S3 access"
    );
}

#[test]
fn assume_follows_role_chains_across_accounts() {
    let (code, out, err) = run(&[
        "assume",
        "arn:aws:iam::523456789012:role/ci-pipeline",
        "--sample",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("arn:aws:iam::412345678901:role/cross-account-deploy"),
        "{out}"
    );
    assert!(out.contains("sts:ExternalId"), "{out}");
}
