//! Batch answers at I/O speed: `eval --requests` end to end beside a bare read-and-write of the same lines.
//!
//! ```text
//! scripts/bench-batch [N] [sample|synthetic]
//! ```
//!
//! (`cargo build --release`, then this bench with `IAM_ATLAS_BIN` naming a copy of that binary.) Writes N requests
//! (default 1,000,000) to `target/bench-data/` for the bundled sample (an organisation: 4 SCP and 4 RCP levels,
//! resource policies, conditions) and for the synthetic account of `iam-atlas generate` (25,000 users and
//! roles, no organisation), then reports for each, in the same run: a bare read-and-write of those lines into a
//! pipe (the I/O limit), the start-up (loading the snapshot), `eval --requests --output decision` and the default
//! full explanation end to end with their output read from a pipe (wall time, and CPU seconds: on a shared
//! machine, requests per CPU second say what the cores would give), and in-process on one core, where the time
//! of a request goes: parsing its line, evaluating it (`decide_brief`), writing the answer. Every figure is the
//! best of 3. `IAM_ATLAS_PROFILE=1` runs only the in-process evaluation, ten times, for `perf record`.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use iam_atlas::account::Model;
use iam_atlas::eval::condition::PrincipalKeys;
use iam_atlas::eval::{
    Context, Overrides, Principal, Request, Scratch, decide_brief, decide_brief_with, evaluate,
};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small deterministic generator (the same file for the same N).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// What requests are drawn from.
struct World {
    name: &'static str,
    /// How the command line names the snapshot.
    args: Vec<String>,
    model: Model,
    principals: Vec<String>,
    actions: Vec<&'static str>,
    resources: Vec<String>,
    /// The account of its S3 buckets that no loaded policy places (an S3 ARN names none), which a request
    /// then says as `resource_account`, as a CloudTrail record's `resources` list does.
    bucket_owner: Option<String>,
}

/// The bundled sample: an organisation with 4 SCP and 4 RCP levels, bucket, key and queue policies, conditions.
fn sample() -> World {
    let model = iam_atlas::sample::load_sample(Default::default()).expect("sample");
    let mut principals = Vec::new();
    let mut resources: Vec<String> = vec!["*".into()];
    for a in &model.accounts {
        principals.extend(a.users.iter().map(|u| u.arn.to_string()));
        principals.extend(a.roles.iter().map(|r| r.arn.to_string()));
        resources.extend(a.roles.iter().map(|r| r.arn.to_string()));
        for rp in &a.resource_policies {
            resources.push(rp.resource.to_string());
            if rp.resource.starts_with("arn:aws:s3:::") && !rp.resource.contains('/') {
                resources.push(format!("{}/reports/2026/q1.csv", rp.resource));
            }
        }
        resources.push(format!("arn:aws:dynamodb:eu-west-1:{}:table/orders", a.id));
        resources.push(format!("arn:aws:ec2:eu-west-1:{}:instance/i-0abc", a.id));
    }
    World {
        name: "sample",
        args: vec!["--sample".into()],
        model,
        principals,
        actions: vec![
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:ListBucket",
            "iam:CreateUser",
            "iam:PassRole",
            "iam:GetRole",
            "sts:AssumeRole",
            "kms:Decrypt",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "ec2:RunInstances",
            "ec2:DescribeInstances",
            "lambda:InvokeFunction",
            "sqs:SendMessage",
        ],
        resources,
        bucket_owner: None,
    }
}

/// The ≈120 MB synthetic account of `iam-atlas generate` (5,000 users, 20,000 roles, no organisation): the
/// shape of the issue's measurements.
fn synthetic(dir: &Path) -> World {
    let file = dir.join("synthetic-large.json");
    if !file.exists() {
        iam_atlas::generate::write_new_file(&file, &iam_atlas::generate::Spec::large())
            .expect("generate");
    }
    let model = iam_atlas::account::load_paths(std::slice::from_ref(&file), Default::default())
        .expect("load");
    let acct = model.accounts[0].id.to_string();
    let mut principals = Vec::new();
    principals.extend(model.accounts[0].users.iter().map(|u| u.arn.to_string()));
    principals.extend(model.accounts[0].roles.iter().map(|r| r.arn.to_string()));
    let mut resources = vec!["*".to_string()];
    for team in [
        "payments", "search", "platform", "data", "identity", "growth", "mobile", "ml",
    ] {
        for n in [1, 7, 23] {
            resources.push(format!("arn:aws:s3:::{team}-bucket-{n}/report.csv"));
            resources.push(format!("arn:aws:s3:::{team}-bucket-{n}"));
            resources.push(format!(
                "arn:aws:dynamodb:eu-west-1:{acct}:table/{team}-table-{n}"
            ));
            resources.push(format!("arn:aws:sqs:us-east-1:{acct}:{team}-queue-{n}"));
            resources.push(format!("arn:aws:iam::{acct}:role/{team}-service-role-{n}"));
            resources.push(format!(
                "arn:aws:lambda:eu-west-1:{acct}:function:{team}-fn-{n}"
            ));
        }
    }
    World {
        name: "synthetic",
        args: vec!["--snapshot".into(), file.display().to_string()],
        model,
        principals,
        actions: vec![
            "s3:GetObject",
            "s3:PutObject",
            "s3:ListBucket",
            "dynamodb:GetItem",
            "dynamodb:Query",
            "sqs:SendMessage",
            "iam:PassRole",
            "lambda:InvokeFunction",
            "ec2:DescribeInstances",
        ],
        resources,
        bucket_owner: Some(acct),
    }
}

/// N request lines over the world's principals, actions and resources. Each carries the keys AWS puts in every
/// request (a region, whether over TLS, whether a service made it) and those it puts in most (the caller's
/// address, whether the credentials came from an MFA sign-in), as a request AWS receives does: without them a
/// policy that tests one is undecided, and the answer is uncertain with its reason. One line in four has more.
fn write_requests(w: &World, n: usize, path: &Path) {
    let regions = ["eu-west-1", "us-east-1", "eu-central-1"];
    let extra = [
        r#", "aws:MultiFactorAuthPresent": "true", "aws:SourceIp": ["10.0.0.1"]"#,
        r#", "aws:SecureTransport": "false""#,
        r#", "aws:SourceIp": "203.0.113.10""#,
    ];
    let mut rng = Lcg(n as u64);
    let mut out = BufWriter::new(std::fs::File::create(path).expect("create requests"));
    for _ in 0..n {
        let p = &w.principals[rng.next(w.principals.len())];
        let a = w.actions[rng.next(w.actions.len())];
        let r = &w.resources[rng.next(w.resources.len())];
        let region = regions[rng.next(regions.len())];
        let owner = match &w.bucket_owner {
            Some(o) if r.starts_with("arn:aws:s3:::") => format!(r#", "resource_account": "{o}""#),
            _ => String::new(),
        };
        let more = if rng.next(4) == 0 {
            extra[rng.next(extra.len())]
        } else {
            ""
        };
        // An extra key stands instead of the default (a key written twice has both values).
        let default = |key: &str, line: &'static str| if more.contains(key) { "" } else { line };
        let tls = default("SecureTransport", r#", "aws:SecureTransport": "true""#);
        let ip = default("SourceIp", r#", "aws:SourceIp": "198.51.100.7""#);
        let mfa = default(
            "MultiFactorAuthPresent",
            r#", "aws:MultiFactorAuthPresent": "false""#,
        );
        writeln!(
            out,
            r#"{{"principal": "{p}", "action": "{a}", "resource": "{r}"{owner}, "context": {{"aws:RequestedRegion": "{region}", "aws:ViaAWSService": "false"{tls}{ip}{mfa}{more}}}}}"#
        )
        .expect("write");
    }
    out.flush().expect("flush");
}

/// CPU seconds (user + system) of the children waited for so far (`/proc/self/stat`, Linux).
fn children_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // After the command name in parentheses: field 3 onwards; cutime and cstime are fields 16 and 17.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f.get(13)?.parse::<f64>().ok()? + f.get(14)?.parse::<f64>().ok()?;
    let hz = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse::<f64>().ok())
        .unwrap_or(100.0);
    Some(ticks / hz)
}

/// The best wall time of 3 runs, with what that run returned.
fn best_of_3<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best: Option<(Duration, T)> = None;
    for _ in 0..3 {
        let t = Instant::now();
        let v = f();
        let d = t.elapsed();
        if best.as_ref().is_none_or(|(b, _)| d < *b) {
            best = Some((d, v));
        }
    }
    best.expect("ran")
}

fn report(label: &str, n: usize, d: Duration, extra: &str) {
    println!(
        "{label:<60} {:>8.3} s {:>10.0} /s  {extra}",
        d.as_secs_f64(),
        n as f64 / d.as_secs_f64()
    );
}

/// Read everything from `r`, as the reader of a pipe would: the bytes read.
fn drain(mut r: impl Read) -> u64 {
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0;
    loop {
        match r.read(&mut buf) {
            Ok(0) => return n,
            Ok(k) => n += k as u64,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => panic!("read: {e}"),
        }
    }
}

/// Read every line and write it out again into a pipe that another thread reads: what any line-by-line tool
/// must do, the I/O limit of a batch.
fn bare_copy(input: &Path) -> u64 {
    let (reader, writer) = std::io::pipe().expect("pipe");
    let drained = std::thread::spawn(move || drain(reader));
    let mut r = BufReader::with_capacity(1 << 20, std::fs::File::open(input).expect("open"));
    let mut w = BufWriter::with_capacity(1 << 20, writer);
    let mut line = Vec::new();
    let mut n = 0;
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line).expect("read") == 0 {
            break;
        }
        w.write_all(&line).expect("write");
        n += 1;
    }
    drop(w);
    drained.join().expect("drained");
    n
}

/// Run `iam-atlas eval` on `requests`, its output read from a pipe: the bytes written and the CPU seconds it
/// used.
fn end_to_end(bin: &Path, w: &World, requests: &Path, args: &[&str]) -> (u64, f64) {
    let cpu = children_cpu().unwrap_or(0.0);
    let mut child = Command::new(bin)
        .arg("eval")
        .args(&w.args)
        .arg("--requests")
        .arg(requests)
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("run iam-atlas");
    let bytes = drain(child.stdout.take().expect("stdout"));
    let status = child.wait().expect("wait");
    assert!(status.success(), "iam-atlas eval failed: {status}");
    (bytes, children_cpu().unwrap_or(0.0) - cpu)
}

fn run_world(w: &World, n: usize, bin: &Path, dir: &Path) {
    // (`-v3`: the lines of stop 33 on, with the buckets' account, the caller's address and MFA.)
    let requests = dir.join(format!("requests-{}-{n}-v3.jsonl", w.name));
    if !requests.exists() {
        write_requests(w, n, &requests);
    }
    let size = std::fs::metadata(&requests).expect("requests").len();
    println!(
        "\n{n} requests against the {} ({:.1} MB, {:.0} bytes a line)",
        w.name,
        size as f64 / 1e6,
        size as f64 / n as f64
    );
    let empty = dir.join("batch-empty.jsonl");
    std::fs::write(&empty, "").expect("write");
    let profile = std::env::var_os("IAM_ATLAS_PROFILE").is_some();

    if !profile {
        let (d, lines) = best_of_3(|| bare_copy(&requests));
        assert_eq!(lines as usize, n);
        report("bare read-and-write of the lines (the I/O limit)", n, d, "");
    }
    let (start, _) = best_of_3(|| end_to_end(bin, w, &empty, &[]));
    println!(
        "{:<60} {:>8.3} s",
        "start-up: load the snapshot, no request",
        start.as_secs_f64()
    );
    let e2e = |label: &str, args: &[&str]| {
        let (d, (bytes, cpu)) = best_of_3(|| end_to_end(bin, w, &requests, args));
        let steady = n as f64 / (d - start.min(d)).as_secs_f64();
        report(
            label,
            n,
            d,
            &format!(
                "{steady:.0} /s after start-up; {cpu:.2} CPU s ({:.0} /CPU s); {:.0} bytes an answer, {:.0} MB",
                n as f64 / cpu,
                bytes as f64 / n as f64,
                bytes as f64 / 1e6
            ),
        );
    };
    if !profile {
        e2e(
            "eval --requests --output decision, end to end",
            &["--output", "decision"],
        );
        e2e(
            "  the same, --jobs 1",
            &["--output", "decision", "--jobs", "1"],
        );
        e2e("eval --requests (full explanation), end to end", &[]);
        e2e("  the same, --jobs 1", &["--jobs", "1"]);
    }

    // In-process, one core: where the time of one request goes.
    let text = std::fs::read_to_string(&requests).expect("read");
    #[derive(serde::Deserialize)]
    struct Line {
        principal: String,
        action: String,
        resource: String,
        #[serde(default)]
        context: std::collections::BTreeMap<String, serde_json::Value>,
    }
    let (d, parsed) = best_of_3(|| {
        text.lines()
            .map(|l| serde_json::from_str::<Line>(l).expect("json"))
            .collect::<Vec<_>>()
    });
    report("in-process, one core: parse the JSON lines", n, d, "");
    let reqs: Vec<Request> = parsed
        .into_iter()
        .map(|l| {
            let mut context = Context::new();
            for (k, v) in l.context {
                let values = match v {
                    serde_json::Value::String(s) => vec![s],
                    serde_json::Value::Array(a) => a
                        .iter()
                        .map(|x| x.as_str().unwrap_or_default().to_string())
                        .collect(),
                    other => vec![other.to_string()],
                };
                context.set(&k, values);
            }
            Request {
                principal: Principal::resolve(&l.principal, &w.model).expect("principal"),
                action: l.action,
                resource: l.resource,
                resource_account: None,
                context,
            }
        })
        .collect();
    // As `eval --requests` gives them: each principal's derived context keys computed once, read under each
    // request's own.
    let mut keys: std::collections::HashMap<String, std::sync::Arc<PrincipalKeys>> =
        Default::default();
    let keyed: Vec<Request> = reqs
        .iter()
        .map(|r| {
            let mut r = r.clone();
            let k = keys.entry(r.principal.arn.clone()).or_default().clone();
            r.context.with_principal_keys(k);
            r
        })
        .collect();
    let ov = Overrides::default();
    if std::env::var_os("IAM_ATLAS_PROFILE").is_some() {
        // For `perf record`: only the decision path, ten times over.
        let t = Instant::now();
        let mut scratch = Scratch::default();
        for _ in 0..10 {
            for r in &keyed {
                std::hint::black_box(decide_brief_with(&w.model, r, &ov, &mut scratch));
            }
        }
        report(
            "in-process, one core: decide_brief, ten rounds",
            n * 10,
            t.elapsed(),
            "",
        );
        return;
    }
    let (d, briefs) = best_of_3(|| {
        reqs.iter()
            .map(|r| decide_brief(&w.model, r, &ov))
            .collect::<Vec<_>>()
    });
    report(
        "in-process, one core: decide_brief (the decision path)",
        n,
        d,
        "",
    );
    let (d, keyed_briefs) = best_of_3(|| {
        keyed
            .iter()
            .map(|r| decide_brief(&w.model, r, &ov))
            .collect::<Vec<_>>()
    });
    assert_eq!(keyed_briefs.len(), briefs.len());
    for (a, b) in keyed_briefs.iter().zip(&briefs) {
        assert_eq!(
            serde_json::to_string(a).expect("json"),
            serde_json::to_string(b).expect("json")
        );
    }
    report(
        "  the same, each principal's context keys derived once",
        n,
        d,
        "",
    );
    let (d, kept_briefs) = best_of_3(|| {
        let mut scratch = Scratch::default();
        keyed
            .iter()
            .map(|r| decide_brief_with(&w.model, r, &ov, &mut scratch))
            .collect::<Vec<_>>()
    });
    assert_eq!(kept_briefs, briefs, "the levels kept change no answer");
    report(
        "  the same, and each account's organisation levels kept (as `eval --requests`)",
        n,
        d,
        "",
    );
    // The same requests grouped by principal: how much of that time is the model's memory, not computation.
    let mut by_principal: Vec<&Request> = reqs.iter().collect();
    by_principal.sort_by(|a, b| a.principal.arn.cmp(&b.principal.arn));
    let (d, _) = best_of_3(|| {
        for r in &by_principal {
            std::hint::black_box(decide_brief(&w.model, r, &ov));
        }
    });
    report(
        "  the same, requests grouped by principal (memory locality)",
        n,
        d,
        "",
    );
    let (d, bytes) = best_of_3(|| {
        let mut out = Vec::with_capacity(n * 160);
        for b in &briefs {
            serde_json::to_writer(&mut out, b).expect("json");
            out.push(b'\n');
        }
        out.len()
    });
    report(
        "in-process, one core: write the decisions as JSON",
        n,
        d,
        &format!("{:.1} MB", bytes as f64 / 1e6),
    );
    let some = n.min(200_000);
    let (d, _) = best_of_3(|| {
        let mut out = Vec::new();
        for r in reqs.iter().take(some) {
            serde_json::to_writer(&mut out, &evaluate(&w.model, r, &ov)).expect("json");
            out.push(b'\n');
            if out.len() > 64 << 20 {
                out.clear();
            }
        }
    });
    report(
        &format!("in-process, one core: evaluate + JSON (the first {some})"),
        some,
        d,
        "",
    );
    let count = |d: iam_atlas::eval::Decision| briefs.iter().filter(|b| b.decision == d).count();
    println!(
        "answers: {} Allow, {} ExplicitDeny, {} ImplicitDeny, {} uncertain",
        count(iam_atlas::eval::Decision::Allow),
        count(iam_atlas::eval::Decision::ExplicitDeny),
        count(iam_atlas::eval::Decision::ImplicitDeny),
        briefs.iter().filter(|b| !b.certain).count()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args
        .iter()
        .find_map(|a| a.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let only = |w: &str| {
        !args.iter().any(|a| a == "sample" || a == "synthetic") || args.iter().any(|a| a == w)
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bin = std::env::var_os("IAM_ATLAS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/release/iam-atlas"));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --release` first",
        bin.display()
    );
    let dir = root.join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("mkdir");
    println!(
        "{} cores; {}; every figure the best of 3",
        std::thread::available_parallelism().map_or(1, usize::from),
        bin.display()
    );
    if only("sample") {
        run_world(&sample(), n, &bin, &dir);
    }
    if only("synthetic") {
        run_world(&synthetic(&dir), n, &bin, &dir);
    }
}
