//! CloudTrail replay benchmark: `cargo bench --no-default-features --bench replay`.
//!
//! 1,000,000 events (IAM users and assumed-role sessions of the ≈124 MB synthetic export calling S3, EC2, IAM,
//! KMS, Lambda and STS; one in five recorded as denied) replayed against that snapshot on every core (goal
//! ≤ 10 s on 2 cores, release). Reported apart: reading the trail (JSON parse), mapping + evaluation, and the
//! share of events that paid for a full explanation. `REPLAY_EVENTS=N` changes the count.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use iam_atlas::replay::trail::parse_events;
use iam_atlas::replay::{Class, replay};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

const ACCOUNT: &str = "999988887777";

/// A small deterministic generator (xorshift), so every run replays the same trail.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// `n` CloudTrail records, written as CloudTrail delivers them (`{"Records": [...]}`).
fn trail(model: &iam_atlas::account::Model, n: usize) -> String {
    let acc = &model.accounts[0];
    let users: Vec<&str> = acc.users.iter().map(|u| &*u.name).collect();
    let roles: Vec<(&str, &str)> = acc.roles.iter().map(|r| (&*r.name, &*r.arn)).collect();
    let calls: [(&str, &str, &str); 8] = [
        (
            "s3.amazonaws.com",
            "GetObject",
            r#"{"bucketName":"data-bucket-3","key":"reports/q1.csv"}"#,
        ),
        (
            "s3.amazonaws.com",
            "PutObject",
            r#"{"bucketName":"logs-bucket-7","key":"x/y"}"#,
        ),
        ("ec2.amazonaws.com", "DescribeInstances", "{}"),
        (
            "iam.amazonaws.com",
            "GetRole",
            r#"{"roleName":"app-role-12"}"#,
        ),
        ("kms.amazonaws.com", "Decrypt", "{}"),
        (
            "lambda.amazonaws.com",
            "Invoke",
            r#"{"functionName":"fn-1"}"#,
        ),
        ("sts.amazonaws.com", "GetCallerIdentity", "{}"),
        (
            "dynamodb.amazonaws.com",
            "GetItem",
            r#"{"tableName":"t-4"}"#,
        ),
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = String::with_capacity(n * 700);
    out.push_str("{\"Records\":[");
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        let (source, name, params) = calls[rng.below(calls.len())];
        let identity = if rng.below(2) == 0 {
            let u = users[rng.below(users.len())];
            format!(
                r#"{{"type":"IAMUser","principalId":"AIDA{i}","arn":"arn:aws:iam::{ACCOUNT}:user/{u}","accountId":"{ACCOUNT}","accessKeyId":"AKIA{i}","userName":"{u}"}}"#
            )
        } else {
            let (r, arn) = roles[rng.below(roles.len())];
            format!(
                r#"{{"type":"AssumedRole","principalId":"AROA{i}:s","arn":"arn:aws:sts::{ACCOUNT}:assumed-role/{r}/s{i}","accountId":"{ACCOUNT}","sessionContext":{{"sessionIssuer":{{"type":"Role","arn":"{arn}","accountId":"{ACCOUNT}","userName":"{r}"}},"attributes":{{"creationDate":"2026-11-19T09:00:00Z","mfaAuthenticated":"false"}}}}}}"#
            )
        };
        let error = if rng.below(5) == 0 {
            r#","errorCode":"AccessDenied","errorMessage":"not authorized""#
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"{{"eventVersion":"1.09","eventID":"e{i}","eventTime":"2026-11-19T10:{:02}:00Z","eventSource":"{source}","eventName":"{name}","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2.15","userIdentity":{identity},"requestParameters":{params},"recipientAccountId":"{ACCOUNT}","eventType":"AwsApiCall"{error}}}"#,
            i % 60
        );
    }
    out.push_str("]}");
    out
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let file = iam_atlas::generate::large_export_in(&dir).expect("generate");
    let n: usize = std::env::var("REPLAY_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let t = Instant::now();
    let model = iam_atlas::account::load_paths(std::slice::from_ref(&file), Default::default())
        .expect("load");
    let load = t.elapsed();
    let text = trail(&model, n);
    let t = Instant::now();
    let events = parse_events("trail.json", text.as_bytes()).expect("trail");
    let parse = t.elapsed();
    assert_eq!(events.len(), n);
    let t = Instant::now();
    let out = replay(&events, &model, None, threads);
    let eval = t.elapsed();
    let explained = out.iter().filter(|r| !r.why.is_empty()).count();
    let mut classes = std::collections::BTreeMap::<&str, usize>::new();
    for r in &out {
        *classes.entry(r.class.label()).or_default() += 1;
    }
    assert!(out.iter().all(|r| r.class != Class::NotEvaluated));
    println!(
        "replay of {n} events ({:.0} MB of trail) against the {:.0} MB synthetic export on {threads} threads (release):",
        text.len() as f64 / 1e6,
        std::fs::metadata(&file).map_or(0, |m| m.len()) as f64 / 1e6
    );
    println!(
        "  snapshot load            {:>8.2} s (not counted)",
        load.as_secs_f64()
    );
    println!("  trail parse              {:>8.2} s", parse.as_secs_f64());
    println!(
        "  map + evaluate           {:>8.2} s  ({:.2} µs per event per thread; {explained} events explained in full)",
        eval.as_secs_f64(),
        eval.as_secs_f64() * 1e6 * threads as f64 / n as f64
    );
    println!(
        "  total (parse + replay)   {:>8.2} s  (goal ≤ 10 s)",
        (parse + eval).as_secs_f64()
    );
    println!("  classes: {classes:?}");
}
