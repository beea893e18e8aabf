//! The command line as a user runs it.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
}

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/exports/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn summary_text_counts_and_warnings() {
    let out = bin()
        .args(["summary", &fixture("aws-cli-docs-example.json")])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("account 123456789012 [TRUNCATED EXPORT]"), "{s}");
    assert!(s.contains("3 users, 3 groups, 1 roles"), "{s}");
    assert!(s.contains("[dangling]"), "{s}");
    assert!(s.contains("AmazonDynamoDBFullAccess"), "{s}");
    assert!(s.contains("INCOMPLETE"), "{s}");
}

#[test]
fn summary_json_of_two_files() {
    let out = bin()
        .args([
            "summary",
            "--format",
            "json",
            &fixture("cloudsplaining-example-authz-details.json"),
            &fixture("iamspy-user-boundary-allow.json"),
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    assert_eq!(v["accounts"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["accounts"][0]["counts"]["managed_policies"], 32);
    assert_eq!(v["accounts"][0]["counts"]["aws_managed_policies"], 30);
    assert_eq!(v["complete"], true);
}

#[test]
fn summary_of_the_bundled_sample() {
    let out = bin()
        .args(["summary", "--sample", "--format", "json"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["organization"]["id"], "o-lk7q2x9m4z");
    assert_eq!(v["complete"], true, "{v}");
}

#[test]
fn bad_input_names_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("iam-atlas-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"UserDetailList\": [\n    {\"UserName\": \"a\",,}\n  ]\n}\n",
    )
    .expect("write");
    let before = std::fs::read(&bad).expect("read");
    let out = bin()
        .args(["summary", bad.to_str().expect("utf-8 path")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:3:22: invalid JSON", bad.display())),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&bad).expect("read"),
        before,
        "loading never writes to its input"
    );

    let wrong = dir.join("wrong.json");
    std::fs::write(&wrong, "[1, 2]").expect("write");
    let out = bin()
        .args(["summary", wrong.to_str().expect("utf-8 path")])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("wrong.json: $: expected the JSON object"),
        "{err}"
    );

    let missing = dir.join("missing.json");
    let out = bin()
        .args(["summary", missing.to_str().expect("utf-8 path")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn wrong_shaped_elements_are_skipped_with_their_json_path() {
    let dir = std::env::temp_dir().join(format!("iam-atlas-shape-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let f = dir.join("shape.json");
    std::fs::write(
        &f,
        r#"{"UserDetailList": [{"UserName": "ok", "UserId": "AIDAAAAAAAAAAAAAAAAAA", "Arn": "arn:aws:iam::111122223333:user/ok"},
                              {"UserName": 7, "Arn": "arn:aws:iam::111122223333:user/bad"}],
            "RoleDetailList": "oops"}"#,
    )
    .expect("write");
    let out = bin()
        .args(["summary", f.to_str().expect("utf-8 path")])
        .output()
        .expect("run");
    assert!(out.status.success());
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("1 users"), "{s}");
    assert!(
        s.contains("$.UserDetailList[1].UserName: `UserName` must be a string, found a number"),
        "{s}"
    );
    assert!(
        s.contains("$.UserDetailList[1]: user without `UserName`, `UserId`; skipped"),
        "{s}"
    );
    assert!(
        s.contains("$.RoleDetailList: `RoleDetailList` must be an array"),
        "{s}"
    );
    assert!(s.contains("INCOMPLETE"), "{s}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn generator_refuses_to_overwrite() {
    let dir = std::env::temp_dir().join(format!("iam-atlas-gen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let f = dir.join("g.json");
    let args = [
        "generate",
        "--out",
        f.to_str().expect("path"),
        "--users",
        "20",
        "--groups",
        "3",
        "--roles",
        "30",
        "--policies",
        "10",
    ];
    let out = bin().args(args).output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out2 = bin().args(args).output().expect("run");
    assert_eq!(out2.status.code(), Some(2), "must not overwrite");
    let out = bin()
        .args(["summary", "--format", "json", f.to_str().expect("path")])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["accounts"][0]["counts"]["users"], 20);
    assert_eq!(v["accounts"][0]["counts"]["roles"], 30);
    assert_eq!(v["complete"], true, "{v}");
    let _ = std::fs::remove_dir_all(dir);
}
