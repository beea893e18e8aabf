//! Adversarial sizes: the validator and its output stay linear in the input and bounded, on the shapes that
//! were found to blow up (a 1 MB item, 200 statements of 1,000 items, 50,000 duplicate items on one line), and
//! the loader on 60,000 instance profiles, the policy reader on a condition of 100,000 keys.
//! The bounds are generous (debug builds on a busy 2-core machine) but a quadratic algorithm misses them by far.

use iam_atlas::validate::{IdentityKind, PolicyKind, validate};
use std::time::{Duration, Instant};

fn policy(statements: &[serde_json::Value]) -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

fn cli(args: &[&str]) -> (i32, String) {
    use clap::Parser;
    let mut argv = vec!["iam-atlas"];
    argv.extend_from_slice(args);
    let c = iam_atlas::cli::Cli::try_parse_from(argv).expect("parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = iam_atlas::cli::run(c.command.expect("command"), &mut out, &mut err);
    (code, String::from_utf8(out).expect("UTF-8 output"))
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("iam-atlas-blowups-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn timed<T>(limit: Duration, what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let v = f();
    assert!(
        t.elapsed() < limit,
        "{what} took {:?} (limit {limit:?})",
        t.elapsed()
    );
    v
}

#[test]
fn a_one_megabyte_item_is_checked_in_linear_time() {
    // Before: every prefix of the item was hashed to find covering patterns (23 s).
    let long = format!("arn:aws:s3:::bucket/{}", "a".repeat(1 << 20));
    let text = policy(&[serde_json::json!({
        "Effect": "Allow", "Action": "s3:GetObject",
        "Resource": ["arn:aws:s3:::bucket/a*", long, "arn:aws:s3:::other/*"],
    })]);
    let diags = timed(Duration::from_secs(10), "validate", || {
        validate(&text, PolicyKind::Identity(IdentityKind::AwsManaged))
    });
    // The long item is covered by the pattern before it, and the finding says so in a short message.
    let d = diags
        .iter()
        .find(|d| d.code == "REDUNDANT_RESOURCE")
        .expect("the covered item is found");
    assert!(
        d.message
            .contains("is already covered by `arn:aws:s3:::bucket/a*`"),
        "{}",
        d.message
    );
    assert!(d.message.chars().count() <= iam_atlas::diagnostic::MAX_TEXT + 1);
}

#[test]
fn many_statements_of_many_items_stay_bounded() {
    // Before: REDUNDANT_STATEMENT compared every item of every pair (200 × 1,000 → over two minutes).
    let statements: Vec<_> = (0..200)
        .map(|s| {
            let actions: Vec<String> = (0..1000).map(|i| format!("s3:Get{s}x{i}")).collect();
            serde_json::json!({"Effect": "Allow", "Action": actions, "Resource": "*"})
        })
        .collect();
    let text = policy(&statements);
    // 13 s alone in a debug build on the 2-core machine (stop 30; 55 s before "did you mean" compared sets of
    // characters first and reused its buffers). The pairwise comparison this guards against took over two
    // minutes.
    timed(Duration::from_secs(40), "validate", || {
        validate(&text, PolicyKind::Identity(IdentityKind::AwsManaged))
    });
}

#[test]
fn fifty_thousand_duplicates_on_one_line_give_bounded_output() {
    let actions = vec!["s3:GetObject"; 50_000];
    let text =
        policy(&[serde_json::json!({"Effect": "Allow", "Action": actions, "Resource": "*"})]);
    let dir = scratch("dup");
    let path = dir.join("dup.json");
    std::fs::write(&path, &text).expect("write");
    let p = path.to_str().expect("UTF-8 path");
    // Text: a window of the line per diagnostic, at most 20 per code, and a count of the rest.
    let (code, out) = timed(Duration::from_secs(60), "validate text", || {
        cli(&["validate", p])
    });
    assert_eq!(code, 1, "{out}");
    assert!(out.len() < 40_000, "text output of {} bytes", out.len());
    assert!(out.contains("… and 49979 more REDUNDANT_ACTION"), "{out}");
    assert!(
        out.lines().all(|l| l.chars().count() < 700),
        "a whole source line was printed"
    );
    // JSON: every diagnostic, a bounded size each, and valid JSON.
    let (_, out) = timed(Duration::from_secs(60), "validate json", || {
        cli(&["validate", "--format", "json", p])
    });
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let diags = v["documents"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics");
    assert_eq!(
        diags
            .iter()
            .filter(|d| d["code"] == "REDUNDANT_ACTION")
            .count(),
        49_999
    );
    assert!(
        out.len() < 40 * text.len(),
        "{} bytes of JSON for {} bytes of input",
        out.len(),
        text.len()
    );
}

#[test]
fn terminal_control_characters_from_input_are_not_printed() {
    let text = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:Get\u{1b}[2J\", \"Resource\": \"*\"}]}";
    let dir = scratch("esc");
    let path = dir.join("esc.json");
    std::fs::write(&path, text).expect("write");
    let (_, out) = cli(&["validate", path.to_str().expect("UTF-8 path")]);
    assert!(!out.contains('\u{1b}'), "{out}");
    assert!(out.contains("s3:Get"), "{out}");
}

#[test]
fn a_truncated_file_names_where_it_ends_and_where_the_bracket_opened() {
    let dir = scratch("trunc");
    // A policy cut short: the tree parser names the opening bracket and the end of the text.
    let policy = dir.join("policy.json");
    std::fs::write(
        &policy,
        "{\"Version\": \"2012-10-17\",\n \"Statement\": [{\"Effect\": \"Allow\",",
    )
    .expect("write");
    let (code, out) = cli(&["validate", policy.to_str().expect("UTF-8 path")]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("policy.json:1:1: error[JSON_SYNTAX_ERROR]: unclosed object: missing `}` (the text ends at 2:35"),
        "{out}"
    );
    // An export cut short: the streaming loader names where the text ends and where the array opened.
    let export = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/exports/aws-cli-docs-example.json"),
    )
    .expect("fixture");
    let cut: String = export.chars().take(3000).collect();
    let path = dir.join("export.json");
    std::fs::write(&path, cut).expect("write");
    let err = iam_atlas::account::workspace::load_paths(&[path], Default::default())
        .expect_err("a truncated export does not load")
        .to_string();
    assert!(err.contains("unclosed array opened at 2:"), "{err}");
    assert!(err.contains("the text ends here, truncated?"), "{err}");
}

#[test]
fn did_you_mean_costs_the_same_for_a_long_word() {
    // Before: "did you mean" computed the full edit distance from every unknown condition key to every global
    // key (a 20 KB key against ~300 keys: 2.4e8 steps), so 100 such keys took minutes. Now a candidate whose
    // length rules it out costs one comparison.
    let long_keys: serde_json::Map<String, serde_json::Value> = (0..100)
        .map(|i| {
            (
                format!("aws:{i}{}", "x".repeat(20_000)),
                serde_json::json!("v"),
            )
        })
        .collect();
    let typos: Vec<String> = (0..2_000).map(|i| format!("s3:GetObjekt{i}")).collect();
    let text = policy(&[
        serde_json::json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"StringEquals": long_keys}}),
        serde_json::json!({"Effect": "Allow", "Action": ["s3:GetObjekt"], "Resource": "*"}),
        serde_json::json!({"Effect": "Allow", "Action": typos, "Resource": "*"}),
    ]);
    let diags = timed(Duration::from_secs(20), "validate", || {
        validate(&text, PolicyKind::Identity(IdentityKind::AwsManaged))
    });
    // The near miss still gets its suggestion; the long keys are reported without one.
    let typo = diags
        .iter()
        .find(|d| d.code == "INVALID_ACTION" && d.message.contains("action `GetObjekt`"))
        .expect("the misspelt action is reported");
    assert!(
        typo.help.as_deref().unwrap_or("").contains("s3:GetObject"),
        "{typo:?}"
    );
    let long = diags
        .iter()
        .filter(|d| d.code == "INVALID_GLOBAL_CONDITION_KEY")
        .collect::<Vec<_>>();
    assert_eq!(long.len(), 100, "every long key is reported");
    assert!(long.iter().all(|d| d.help.is_none()), "{:?}", long.first());
}

#[test]
fn sixty_thousand_instance_profiles_load_in_linear_time() {
    // Each role lists the instance profile that holds it; one profile is kept per ARN. Looking each one up in a
    // list of those kept so far was 1.8·10⁹ comparisons of 50-byte ARNs here: 23 s in a debug build, against
    // 0.74 s with a set (measured on the 2-core machine).
    const N: usize = 60_000;
    let roles: Vec<String> = (0..N)
        .map(|i| {
            format!(
                r#"{{"RoleName":"r{i}","RoleId":"AROA{i}","Arn":"arn:aws:iam::111122223333:role/r{i}","Path":"/",
                "AssumeRolePolicyDocument":{{"Version":"2012-10-17","Statement":[]}},
                "InstanceProfileList":[{{"InstanceProfileName":"p{i}","InstanceProfileId":"AIPA{i}",
                "Arn":"arn:aws:iam::111122223333:instance-profile/p{i}","Path":"/","Roles":[]}}]}}"#
            )
        })
        .collect();
    // The last role's profile is the first's again: kept once.
    let again = roles[0].replace("\"RoleName\":\"r0\"", "\"RoleName\":\"again\"");
    let text = format!(r#"{{"RoleDetailList":[{},{again}]}}"#, roles.join(","));
    let mut model = iam_atlas::account::Model::default();
    timed(Duration::from_secs(10), "loading the roles", || {
        iam_atlas::account::load_export(
            &mut model,
            &mut Default::default(),
            "roles.json",
            std::sync::Arc::new(text),
            None,
        )
        .expect("load")
    });
    let acc = &model.accounts[0];
    assert_eq!(acc.roles.len(), N + 1);
    assert_eq!(acc.instance_profiles.len(), N);
    assert_eq!(&*acc.instance_profiles[0].name, "p0");
}

#[test]
fn a_condition_of_a_hundred_thousand_keys_is_read_in_linear_time() {
    // Each key was compared with every key before it (5·10⁹ comparisons here: 37.5 s in a debug build, against
    // 0.39 s with a set past 16 keys); one repeated key is still found.
    let mut keys: serde_json::Map<String, serde_json::Value> = (0..100_000)
        .map(|i| (format!("aws:RequestTag/k{i}"), serde_json::json!("v")))
        .collect();
    keys.insert("aws:RequestTag/k0".into(), serde_json::json!("w"));
    let mut text = policy(&[serde_json::json!({
        "Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"StringEquals": keys},
    })]);
    // `serde_json` keeps one of two equal keys: write the repeat by hand.
    text = text.replacen(
        "\"StringEquals\":{",
        "\"StringEquals\":{\"aws:RequestTag/k99999\":\"again\",",
        1,
    );
    let parsed = timed(Duration::from_secs(8), "reading the policy", || {
        iam_atlas::policy::parse_text(&text, &mut Default::default())
    });
    let conditions = &parsed.policy.statements[0].conditions;
    assert_eq!(conditions.len(), 100_000);
    let duplicates: Vec<_> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.message.starts_with("duplicate key"))
        .collect();
    assert_eq!(duplicates.len(), 1, "{duplicates:?}");
    assert!(duplicates[0].message.contains("k99999"));
}

#[test]
fn an_explanation_lists_forty_thousand_missing_keys_in_linear_time() {
    // The explanation lists the context keys a condition tests and the request leaves out, each once. Each was
    // looked for among those listed before it: 8·10⁸ comparisons here.
    let keys: serde_json::Map<String, serde_json::Value> = (0..40_000)
        .map(|i| (format!("aws:RequestTag/k{i}"), serde_json::json!("v")))
        .collect();
    let text = policy(&[serde_json::json!({
        "Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
        "Condition": {"StringEquals": keys, "StringLike": {"AWS:REQUESTTAG/K7": "v*"}},
    })]);
    let model = iam_atlas::sample::load_sample(Default::default()).expect("the sample loads");
    let what_if = iam_atlas::policy::parse_text(&text, &mut Default::default()).policy;
    let ov = iam_atlas::eval::Overrides {
        extra: vec![(
            iam_atlas::eval::Layer::Identity,
            "many-keys".into(),
            what_if,
        )],
        now: iam_atlas::time::Timestamp::parse("2026-11-26T12:00:00Z"),
        ..Default::default()
    };
    let req = iam_atlas::eval::Request {
        principal: iam_atlas::eval::Principal::resolve("li.wei", &model).expect("li.wei"),
        action: "ec2:RunInstances".into(),
        resource: "*".into(),
        resource_account: None,
        context: Default::default(),
    };
    let r = timed(Duration::from_secs(8), "explaining the request", || {
        iam_atlas::eval::evaluate(&model, &req, &ov)
    });
    // Every key once, whatever its case (`AWS:REQUESTTAG/K7` is `aws:RequestTag/k7`), in the order tested.
    let tags: Vec<&String> = r
        .missing_context_keys
        .iter()
        .filter(|k| k.to_ascii_lowercase().starts_with("aws:requesttag/"))
        .collect();
    assert_eq!(tags.len(), 40_000);
    assert_eq!(tags[0], "aws:RequestTag/k0");
    // The missing tags fail the what-if Allow: its statement is a near miss, not an allow.
    assert_ne!(r.decision, iam_atlas::eval::Decision::Allow);
}
