//! Validation benchmark.
//!
//! `cargo bench --no-default-features --bench validate` times, best-of-N and median:
//! - parsing the embedded action catalog (what the first validation pays once per process), and the very
//!   first `validate` call of a fresh process (catalog load included), in child processes;
//! - validating a ≈10 KB identity policy (goal < 1 ms: it runs on every keystroke), warm;
//! - validating the worst shapes for the pairwise checks: one statement listing ≈300 actions, one ≈300 ARNs;
//! - validating every policy document of the bundled sample with its own type (goal < 50 ms).
//!
//! The 10 KB policy is written to `target/bench-data/policy-10k.json`, so that
//! `scripts/compare-parliament.py` can time parliament on the very same text.

use iam_atlas::validate::{IdentityKind, PolicyKind, kind_of, validate, validate_policy};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// A realistic ≈10 KB policy: per-team statements over S3, DynamoDB, KMS, SQS, Lambda, logs, with conditions,
/// wildcards, a few mistakes (a typo, a redundant action, `iam:PassRole` on `*`) like real policies have.
fn policy_10k() -> String {
    let teams = [
        "payments", "search", "ledger", "ingest", "reports", "identity", "billing",
    ];
    let mut stmts = Vec::new();
    for (i, t) in teams.iter().enumerate() {
        stmts.push(format!(
            r#"{{"Sid": "S3Read{i}", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:GetBucketLocation"], "Resource": ["arn:aws:s3:::acme-{t}-data", "arn:aws:s3:::acme-{t}-data/*"], "Condition": {{"StringEquals": {{"aws:PrincipalTag/team": "{t}"}}, "Bool": {{"aws:SecureTransport": "true"}}}}}}"#
        ));
        stmts.push(format!(
            r#"{{"Sid": "S3Write{i}", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject", "s3:PutObjectTagging"], "Resource": "arn:aws:s3:::acme-{t}-data/${{aws:PrincipalTag/team}}/*", "Condition": {{"IpAddress": {{"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}}}}}"#
        ));
        stmts.push(format!(
            r#"{{"Sid": "Dynamo{i}", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGet*"], "Resource": ["arn:aws:dynamodb:eu-west-1:111122223333:table/{t}", "arn:aws:dynamodb:eu-west-1:111122223333:table/{t}/index/*"], "Condition": {{"ForAllValues:StringEquals": {{"dynamodb:LeadingKeys": ["${{aws:userid}}"]}}}}}}"#
        ));
        stmts.push(format!(
            r#"{{"Sid": "Kms{i}", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "arn:aws:kms:eu-west-1:111122223333:key/{i:08}-aaaa-bbbb-cccc-0123456789ab", "Condition": {{"StringEquals": {{"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}, "DateLessThan": {{"aws:CurrentTime": "2027-01-01T00:00:00Z"}}}}}}"#
        ));
    }
    stmts.push(r#"{"Sid": "Queues", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], "Resource": "arn:aws:sqs:eu-west-1:111122223333:acme-*"}"#.to_string());
    stmts.push(r#"{"Sid": "Lambda", "Effect": "Allow", "Action": ["lambda:InvokeFunction", "lambda:GetFunction", "lambda:InvokeFuntion"], "Resource": "arn:aws:lambda:eu-west-1:111122223333:function:acme-*"}"#.to_string());
    stmts.push(r#"{"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:CreateLogStream"], "Resource": "arn:aws:logs:eu-west-1:111122223333:log-group:/acme/*:*"}"#.to_string());
    stmts.push(r#"{"Sid": "Describe", "Effect": "Allow", "Action": ["ec2:Describe*", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], "Resource": "*"}"#.to_string());
    stmts.push(r#"{"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}"#.to_string());
    stmts.push(r#"{"Sid": "DenyOutsideRegions", "Effect": "Deny", "NotAction": ["iam:*", "sts:*", "cloudfront:*", "support:*"], "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}}"#.to_string());
    format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {}\n  ]\n}}\n",
        stmts.join(",\n    ")
    )
}

fn stats(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2])
}

fn ms(s: f64) -> String {
    format!("{:.3} ms", s * 1e3)
}

fn time<F: FnMut()>(n: usize, mut f: F) -> (f64, f64) {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f();
        v.push(t.elapsed().as_secs_f64());
    }
    stats(v)
}

fn child(what: &str) {
    let text = policy_10k();
    let t = Instant::now();
    match what {
        "catalog" => {
            let c = iam_atlas::catalog::catalog();
            std::hint::black_box(c);
        }
        "first" => {
            let d = validate(&text, PolicyKind::Identity(IdentityKind::RoleInline));
            std::hint::black_box(d);
        }
        _ => {}
    }
    println!("{}", t.elapsed().as_secs_f64());
}

fn in_child(what: &str, n: usize) -> (f64, f64) {
    let exe = std::env::current_exe().unwrap_or_default();
    let mut v = Vec::new();
    for _ in 0..n {
        let out = Command::new(&exe).args(["--child", what]).output();
        if let Ok(out) = out
            && let Ok(s) = String::from_utf8_lossy(&out.stdout).trim().parse::<f64>()
        {
            v.push(s);
        }
    }
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    stats(v)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(args.get(i + 1).map(String::as_str).unwrap_or(""));
        return;
    }
    let text = policy_10k();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("policy-10k.json"), &text);

    let (b, m) = in_child("catalog", 10);
    println!(
        "catalog first load (fresh process, parse + indexes): best {} median {}",
        ms(b),
        ms(m)
    );
    let (b, m) = time(10, || {
        let c = iam_atlas::catalog::Catalog::parse(iam_atlas::catalog::CATALOG_JSON);
        std::hint::black_box(c.is_ok());
    });
    println!(
        "catalog parse, in-process repeat:                     best {} median {}",
        ms(b),
        ms(m)
    );
    let (b, m) = in_child("first", 10);
    println!(
        "first validate of a fresh process (catalog included): best {} median {}",
        ms(b),
        ms(m)
    );

    // A role inline policy: its quota (10,240 characters) fits a 10 KB document.
    let kind = PolicyKind::Identity(IdentityKind::RoleInline);
    let findings = validate(&text, kind);
    let (b, m) = time(300, || {
        std::hint::black_box(validate(&text, kind));
    });
    println!(
        "validate {} B policy ({} statements, {} findings):   best {} median {}  (goal < 1 ms)",
        text.len(),
        text.matches("\"Sid\"").count(),
        findings.len(),
        ms(b),
        ms(m)
    );
    let mut by_code: Vec<(&str, usize)> = Vec::new();
    for d in &findings {
        match by_code.iter_mut().find(|(c, _)| *c == d.code) {
            Some(e) => e.1 += 1,
            None => by_code.push((d.code, 1)),
        }
    }
    println!("  findings: {by_code:?}");

    // Worst shapes for pairwise checks: one statement listing ≈10 KB of actions, and one of ARNs.
    let c = iam_atlas::catalog::catalog();
    let mut actions = Vec::new();
    let mut len = 0;
    'outer: for svc in ["ec2", "iam", "s3", "rds", "lambda"] {
        if let Some(s) = c.service(svc) {
            for a in &s.actions {
                let item = format!("\"{}:{}\"", s.prefix, a.name);
                len += item.len() + 2;
                actions.push(item);
                if len > 10_000 {
                    break 'outer;
                }
            }
        }
    }
    let wide = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": [{}], \"Resource\": \"*\"}}]}}",
        actions.join(", ")
    );
    let arns: Vec<String> = (0..300)
        .map(|i| format!("\"arn:aws:s3:::bucket-{i}/*\""))
        .collect();
    let tall = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"s3:PutObject\"], \"Resource\": [{}]}}]}}",
        arns.join(", ")
    );
    for (name, text) in [("actions", &wide), ("resources", &tall)] {
        let n = validate(text, kind).len();
        let (b, m) = time(100, || {
            std::hint::black_box(validate(text, kind));
        });
        println!(
            "validate {} B, one statement of {} {name} ({n} findings): best {} median {}",
            text.len(),
            if name == "actions" {
                actions.len()
            } else {
                arns.len()
            },
            ms(b),
            ms(m)
        );
    }

    let model = match iam_atlas::sample::load_sample(Default::default()) {
        Ok(m) => m,
        Err(e) => {
            println!("sample does not load: {e}");
            return;
        }
    };
    let docs = model.documents();
    // The sample's exports are kept packed (it is a workspace of several): each unpacked once, as
    // `validate --snapshot` does.
    let texts: Vec<_> = model.sources.iter().map(|s| s.shared_text()).collect();
    let mut count = 0;
    let (b, m) = time(30, || {
        count = 0;
        for d in &docs {
            let kind = kind_of(&model, d);
            let src = &texts[d.doc.source.0 as usize];
            count += validate_policy(&d.doc.policy, src, kind).len();
        }
    });
    println!(
        "validate the bundled sample ({} documents, {count} findings): best {} median {}  (goal < 50 ms)",
        docs.len(),
        ms(b),
        ms(m)
    );
}
