//! `eval --requests` as a batch: answers in input order whatever the number of threads, the compact
//! `--output decision` shape, an error line per line that cannot be read, uncertainty kept, a reader that goes
//! away; and the decision path agrees with the full explanation on every request of a grid over the sample.

use iam_atlas::eval::{
    Context, Overrides, Principal, Request, decide_brief, decide_brief_with, evaluate,
};
use serde_json::Value;
use std::io::{BufRead, Write};
use std::process::{Command, Stdio};

fn run(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    let input = stdin.unwrap_or_default().to_vec();
    let mut pipe = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("stdin written");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

const ALLOW: &str = r#"{"principal": "li.wei", "action": "s3:GetObject", "resource": "arn:aws:s3:::larkspur-prod-data/a", "context": {"aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": ["true"]}}"#;
const EXPLICIT_DENY: &str = r#"{"principal": "arn:aws:iam::412345678901:user/li.wei", "action": "s3:DeleteObject", "resource": "arn:aws:s3:::larkspur-prod-data/x", "context": {"aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "true"}}"#;
const IMPLICIT_DENY: &str =
    r#"{"principal": "nina.patel", "action": "iam:CreateUser", "resource": "*"}"#;
/// The role is not in the snapshot: its trust policy is unknown.
const UNCERTAIN: &str = r#"{"principal": "maria.silva", "action": "sts:AssumeRole", "resource": "arn:aws:iam::412345678901:role/not-yet-created", "context": {"aws:MultiFactorAuthPresent": "true", "aws:RequestedRegion": "eu-west-1"}}"#;

#[test]
fn decision_output_is_the_head_of_the_explanation() {
    let input = [ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, UNCERTAIN].join("\n");
    let args = [
        "eval",
        "--sample",
        "--requests",
        "-",
        "--output",
        "decision",
    ];
    let (code, out, err) = run(&args, Some(input.as_bytes()));
    assert_eq!(code, 0, "{err}");
    let got = lines(&out);
    assert_eq!(got.len(), 4, "{out}");
    let (code, full, err) = run(
        &["eval", "--sample", "--requests", "-"],
        Some(input.as_bytes()),
    );
    assert_eq!(code, 0, "{err}");
    let full = lines(&full);
    for (d, f) in got.iter().zip(&full) {
        let keys: Vec<&str> = d
            .as_object()
            .expect("object")
            .keys()
            .map(|k| k.as_str())
            .collect();
        for k in &keys {
            assert!(
                [
                    "decision",
                    "decided_by",
                    "deciding_statement",
                    "certain",
                    "unknown",
                    "aws_rule"
                ]
                .contains(k),
                "{k} in {d}"
            );
            assert_eq!(
                d[*k], f[*k],
                "{k}: the decision line and the explanation differ"
            );
        }
        for k in ["decision", "decided_by", "deciding_statement", "certain"] {
            assert!(keys.contains(&k), "{k} missing from {d}");
        }
    }
    assert!(out.len() < 1200, "four compact lines: {} bytes", out.len());
    let [allow, deny, implicit, uncertain] = &got[..] else {
        panic!("four answers");
    };
    assert_eq!(allow["decision"], "Allow");
    assert_eq!(allow["decided_by"], "Identity");
    assert_eq!(allow["certain"], true);
    assert!(allow.get("unknown").is_none(), "{allow}");
    let s = &allow["deciding_statement"];
    assert!(
        s["index"].is_u64() && s["name"].is_string() && s["kind"].is_string(),
        "{allow}"
    );
    assert_eq!(deny["decision"], "ExplicitDeny");
    // The README's example: statement 3 ("ProtectProdData") of a managed policy of the user's group.
    assert_eq!(
        deny["deciding_statement"],
        serde_json::json!({"kind": "managed", "name": "LarkspurDeveloperAccess",
            "attached_to": "group developers", "index": 3}),
        "{deny}"
    );
    assert_eq!(deny["decided_by"], "Identity");
    assert_eq!(implicit["decision"], "ImplicitDeny");
    assert_eq!(implicit["deciding_statement"], Value::Null);
    // Uncertainty is never dropped: `certain: false` with the reason.
    assert_eq!(uncertain["certain"], false, "{uncertain}");
    assert!(
        uncertain["unknown"][0]
            .as_str()
            .is_some_and(|u| u.contains("not-yet-created")),
        "{uncertain}"
    );
}

/// Thousands of requests over several chunks and threads: the answers come back in input order, the same with
/// one thread as with four, in both outputs.
#[test]
fn answers_keep_input_order_under_parallelism() {
    let kinds = [ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, UNCERTAIN];
    let expected = ["Allow", "ExplicitDeny", "ImplicitDeny", "ImplicitDeny"];
    let mut order = Vec::new();
    let mut input = String::new();
    let mut x = 7u64;
    for _ in 0..20_000 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let k = ((x >> 33) % 4) as usize;
        order.push(k);
        input.push_str(kinds[k]);
        input.push('\n');
    }
    let run_with = |jobs: &str, output: &str| {
        let args = [
            "eval",
            "--sample",
            "--requests",
            "-",
            "--output",
            output,
            "--jobs",
            jobs,
        ];
        let (code, out, err) = run(&args, Some(input.as_bytes()));
        assert_eq!(code, 0, "{err}");
        out
    };
    let four = run_with("4", "decision");
    assert_eq!(four, run_with("1", "decision"));
    let got = lines(&four);
    assert_eq!(got.len(), order.len());
    for (i, (g, k)) in got.iter().zip(&order).enumerate() {
        assert_eq!(g["decision"], expected[*k], "line {}", i + 1);
        assert_eq!(g["certain"], *k != 3, "line {}", i + 1);
    }
    // The full explanations name their request: each is the one of its line.
    let full = run_with("3", "explanation");
    let mut n = 0;
    for (i, (l, k)) in full.lines().zip(&order).enumerate() {
        let v: Value = serde_json::from_str(l).expect("json");
        let want: Value = serde_json::from_str(kinds[*k]).expect("json");
        assert_eq!(v["action"], want["action"], "line {}", i + 1);
        assert_eq!(v["resource"], want["resource"], "line {}", i + 1);
        n += 1;
    }
    assert_eq!(n, order.len());
}

/// A line that cannot be read is answered by an error line with its number; the others are answered, blank
/// lines are skipped, and the command ends with an error that counts the bad lines.
#[test]
fn bad_lines_are_answered_by_error_lines() {
    let dir = std::env::temp_dir().join(format!("iam-atlas-batch-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let f = dir.join("req.jsonl");
    let long = format!(
        r#"{{"principal": "li.wei", "action": "s3:GetObject", "resource": "{}"}}"#,
        "a".repeat(1 << 20)
    );
    let input = [
        ALLOW,
        "{\"principal\": ",
        "",
        r#"{"principal": "nobody-of-that-name", "action": "s3:GetObject", "resource": "*"}"#,
        &long,
        "   ",
        IMPLICIT_DENY,
        r#"{"action": "s3:GetObject", "resource": "*"}"#,
    ]
    .join("\n");
    // Line 9: not UTF-8.
    let mut input = input.into_bytes();
    input.extend_from_slice(
        b"\n{\"principal\": \"li.wei\", \"action\": \"s3:\xffGet\", \"resource\": \"*\"}\n",
    );
    // Line 10: cut off inside a string (its error names this line's end, not a control character on the next).
    input.extend_from_slice(b"{\"principal\": \"li.w\n");
    std::fs::write(&f, input).expect("write");
    let path = f.to_str().expect("path");
    let (code, out, err) = run(
        &[
            "eval",
            "--sample",
            "--requests",
            path,
            "--output",
            "decision",
        ],
        None,
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("6 of 8 request lines could not be read"),
        "{err}"
    );
    let got = lines(&out);
    assert_eq!(got.len(), 8, "{out}");
    assert_eq!(got[0]["decision"], "Allow");
    assert_eq!(got[1]["line"], 2);
    assert!(
        got[1]["error"]
            .as_str()
            .is_some_and(|e| e.starts_with(&format!("{path}:2: EOF"))),
        "{}",
        got[1]
    );
    assert_eq!(got[2]["line"], 4);
    assert!(
        got[2]["error"]
            .as_str()
            .is_some_and(|e| e.contains("nobody-of-that-name")),
        "{}",
        got[2]
    );
    assert_eq!(got[3]["line"], 5);
    assert!(
        got[3]["error"]
            .as_str()
            .is_some_and(|e| e.contains("longer than 1 MiB"))
    );
    assert_eq!(got[4]["decision"], "ImplicitDeny");
    assert_eq!(got[5]["line"], 8);
    assert!(
        got[5]["error"]
            .as_str()
            .is_some_and(|e| e.contains("principal"))
    );
    assert_eq!(got[6]["line"], 9);
    assert_eq!(
        got[6]["error"],
        format!("{path}:9: the line is not UTF-8 (column 39)")
    );
    assert_eq!(got[7]["line"], 10);
    assert_eq!(
        got[7]["error"],
        format!("{path}:10: EOF while parsing a string at line 1 column 19")
    );
    // The full explanation answers the same lines the same way.
    let (code, full, _) = run(&["eval", "--sample", "--requests", path], None);
    assert_eq!(code, 2);
    let full = lines(&full);
    assert_eq!(full.len(), 8);
    for i in [1, 2, 3, 5, 6, 7] {
        assert_eq!(full[i], got[i]);
    }
    let (code, _, err) = run(
        &["eval", "--sample", "--requests", dir.to_str().expect("dir")],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("directory"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A reader that goes away (`| head -1`) ends the batch quietly, with status 0.
#[test]
fn a_closed_pipe_ends_the_batch_quietly() {
    let input = format!("{ALLOW}\n").repeat(50_000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
        .args([
            "eval",
            "--sample",
            "--requests",
            "-",
            "--output",
            "decision",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    let mut pipe = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(input.as_bytes());
    });
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("a line");
    assert!(first.contains("Allow"), "{first}");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    let _ = writer.join();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The decision path (no explanation built) gives the decision, the layer, the statement and the reasons of
/// the full explanation, on every request of a grid over the sample: each user and role (and a few principals
/// outside it) × actions of several services × its resources, with and without a context.
#[test]
fn the_decision_path_agrees_with_the_explanation_over_the_sample() {
    let model = iam_atlas::sample::load_sample(Default::default()).expect("sample");
    let mut principals: Vec<String> = vec![
        "arn:aws:iam::999999999999:user/outsider".into(),
        "412345678901".into(),
        "lambda.amazonaws.com".into(),
        "anonymous".into(),
    ];
    let mut resources: Vec<String> = vec!["*".into()];
    for a in &model.accounts {
        principals.extend(a.users.iter().map(|u| u.arn.to_string()));
        principals.extend(a.roles.iter().map(|r| r.arn.to_string()));
        resources.extend(a.roles.iter().take(6).map(|r| r.arn.to_string()));
        for rp in &a.resource_policies {
            resources.push(rp.resource.to_string());
            resources.push(format!("{}/reports/a.csv", rp.resource));
        }
    }
    resources.push("arn:aws:iam::412345678901:role/not-yet-created".into());
    let actions = [
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "iam:CreateUser",
        "iam:PassRole",
        "sts:AssumeRole",
        "kms:Decrypt",
        "dynamodb:GetItem",
        "ec2:RunInstances",
        "sqs:SendMessage",
    ];
    let mut with_context = Context::new();
    with_context.add("aws:RequestedRegion", "eu-west-1");
    with_context.add("aws:SecureTransport", "true");
    with_context.add("aws:MultiFactorAuthPresent", "true");
    let ov = Overrides {
        now: iam_atlas::time::Timestamp::parse("2026-11-26T12:00:00Z"),
        ..Overrides::default()
    };
    // A batch worker keeps each account's organisation levels and each principal's identity policies between
    // requests: the answers are the same, with and without what-if SCP, RCP, identity and boundary statements
    // added for the request. One scratch serves both, alternately: what a what-if request adds must never
    // stay in what is kept.
    let mut kept = iam_atlas::eval::Scratch::default();
    let mut interner = iam_atlas::policy::Interner::default();
    use iam_atlas::eval::Layer;
    let what_if = Overrides {
        extra: [
            (
                Layer::Scp,
                "no-deletes",
                r#"{"Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}"#,
            ),
            (
                Layer::Rcp,
                "no-kms",
                r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}]}"#,
            ),
            (
                Layer::Identity,
                "may-run",
                r#"{"Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}"#,
            ),
            (
                Layer::Boundary,
                "no-pass",
                r#"{"Statement":[{"Effect":"Allow","NotAction":"iam:PassRole","Resource":"*"}]}"#,
            ),
        ]
        .into_iter()
        .map(|(layer, name, text)| {
            let policy = iam_atlas::policy::parse_text(text, &mut interner).policy;
            (layer, name.to_string(), policy)
        })
        .collect(),
        now: iam_atlas::time::Timestamp::parse("2026-11-26T12:00:00Z"),
        ..Overrides::default()
    };
    let (mut what_if_denies, mut what_if_allows, mut what_if_bounded) = (0, 0, 0);
    let (mut n, mut with_statement, mut uncertain) = (0, 0, 0);
    let mut decisions = std::collections::BTreeSet::new();
    for p in &principals {
        let principal = Principal::resolve(p, &model).expect("principal");
        for a in actions {
            for r in &resources {
                for ctx in [Context::new(), with_context.clone()] {
                    let req = Request {
                        principal: principal.clone(),
                        action: a.into(),
                        resource: r.clone(),
                        resource_account: None,
                        context: ctx,
                    };
                    let full = evaluate(&model, &req, &ov);
                    let brief = decide_brief(&model, &req, &ov);
                    assert_eq!(brief, full.brief(), "{p} {a} {r}");
                    assert_eq!(
                        decide_brief_with(&model, &req, &ov, &mut kept),
                        brief,
                        "{p} {a} {r}: with the levels kept"
                    );
                    let changed = decide_brief(&model, &req, &what_if);
                    assert_eq!(
                        decide_brief_with(&model, &req, &what_if, &mut kept),
                        changed,
                        "{p} {a} {r}: what-if, with the levels kept"
                    );
                    assert_eq!(
                        changed,
                        evaluate(&model, &req, &what_if).brief(),
                        "{p} {a} {r}: what-if"
                    );
                    let allow = iam_atlas::eval::Decision::Allow;
                    // The what-if identity policy allows what was not allowed; the what-if boundary stops
                    // iam:PassRole where it was allowed.
                    what_if_allows +=
                        usize::from(changed.decision == allow && brief.decision != allow);
                    what_if_bounded += usize::from(
                        a == "iam:PassRole" && brief.decision == allow && changed.decision != allow,
                    );
                    what_if_denies += usize::from(
                        changed.decision == iam_atlas::eval::Decision::ExplicitDeny
                            && brief.decision != iam_atlas::eval::Decision::ExplicitDeny,
                    );
                    if let Some(s) = &full.deciding_statement {
                        with_statement += 1;
                        let layer = full
                            .layers
                            .iter()
                            .find(|l| Some(l.layer) == full.decided_by)
                            .expect("the deciding layer");
                        assert!(
                            layer.statements.iter().any(|h| h.index == s.index
                                && h.policy.name == s.name
                                && h.policy.kind == s.kind),
                            "{p} {a} {r}: {s:?} is not among the deciding layer's statements"
                        );
                    }
                    uncertain += usize::from(!full.certain);
                    decisions.insert(format!("{:?}", full.decision));
                    n += 1;
                }
            }
        }
    }
    // The grid reaches every decision, statements and uncertain answers; the what-if statements deny some.
    assert_eq!(decisions.len(), 3, "{decisions:?}");
    assert!(what_if_denies > 0, "{n}");
    assert!(what_if_allows > 0, "{n}");
    assert!(what_if_bounded > 0, "{n}");
    assert!(with_statement > n / 20, "{with_statement} of {n}");
    assert!(uncertain > 0, "{n}");
}
