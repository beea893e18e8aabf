//! Evaluation benchmarks: `cargo bench --no-default-features --bench eval`.
//!
//! - single evaluation with its full explanation, and the decision alone, on the bundled sample;
//! - batch throughput of simple evaluations on one core (goal ≥ 1,000,000 per second);
//! - who-can and what-can on the ≈120 MB synthetic organisation (goal: who-can under 100 ms).

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use iam_atlas::eval::reverse::{what_can, who_can};
use iam_atlas::eval::{Context, Overrides, Principal, Request, decide, evaluate};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn time<T>(label: &str, iters: u32, mut f: impl FnMut() -> T) -> Duration {
    // Warm up, then best of 5 rounds.
    for _ in 0..iters.min(1000) {
        std::hint::black_box(f());
    }
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..iters {
            std::hint::black_box(f());
        }
        best = best.min(t.elapsed() / iters);
    }
    println!("{label:<64} {:>12.3} µs", best.as_secs_f64() * 1e6);
    best
}

fn main() {
    let sample = iam_atlas::sample::load_sample(Default::default()).expect("sample");
    let now = iam_atlas::time::Timestamp::parse("2026-11-26T12:00:00Z");
    let ov = Overrides {
        now,
        ..Overrides::default()
    };
    let simple = Request {
        principal: Principal::resolve("arn:aws:iam::523456789012:user/erik.larsen", &sample)
            .expect("principal"),
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::larkspur-dev-scratch/a".into(),
        resource_account: None,
        context: Context::new(),
    };
    let mut ctx = Context::new();
    ctx.add("aws:RequestedRegion", "eu-west-1");
    ctx.add("aws:SecureTransport", "true");
    let layered = Request {
        principal: Principal::resolve("arn:aws:iam::412345678901:user/li.wei", &sample)
            .expect("principal"),
        action: "s3:DeleteObject".into(),
        resource: "arn:aws:s3:::larkspur-prod-data/x".into(),
        resource_account: None,
        context: ctx,
    };
    if std::env::var("IAM_ATLAS_PROFILE").is_err() {
        println!("{:<64} {:>15}", "sample organisation", "per evaluation");
        time(
            "evaluate, full explanation (user, 4 SCP + 4 RCP levels, bucket)",
            20_000,
            || evaluate(&sample, &layered, &ov),
        );
        let d = time("decide only (same request)", 50_000, || {
            decide(&sample, &layered, &ov)
        });
        println!(
            "{:<64} {:>12.0} /s",
            "  → throughput, one core",
            1.0 / d.as_secs_f64()
        );
        let s = time(
            "decide only, simple request (dev user, no org levels hit)",
            100_000,
            || decide(&sample, &simple, &ov),
        );
        println!(
            "{:<64} {:>12.0} /s",
            "  → simple evaluations per second, one core",
            1.0 / s.as_secs_f64()
        );
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let file = iam_atlas::generate::large_export_in(&dir).expect("generate");
    let t = Instant::now();
    let big = iam_atlas::account::load_paths(std::slice::from_ref(&file), Default::default())
        .expect("load");
    println!(
        "\nsynthetic organisation loaded in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let acct = big.accounts[0].id.to_string();
    // A simple evaluation: a user with a few identity policies (its own and its groups'), no organisation.
    let simple_big = Request {
        principal: Principal::resolve(&big.accounts[0].users[3].arn, &big).expect("principal"),
        action: "dynamodb:GetItem".into(),
        resource: format!("arn:aws:dynamodb:eu-west-1:{acct}:table/data-table-3"),
        resource_account: None,
        context: Context::new(),
    };
    if std::env::var("IAM_ATLAS_PROFILE").as_deref() == Ok("simple") {
        // For `perf record`: only this loop.
        for _ in 0..3_000_000 {
            std::hint::black_box(decide(&big, &simple_big, &ov));
        }
        return;
    }
    let s = time(
        "decide only, simple request (synthetic user, no organisation)",
        200_000,
        || decide(&big, &simple_big, &ov),
    );
    println!(
        "{:<64} {:>12.0} /s",
        "  → simple evaluations per second, one core",
        1.0 / s.as_secs_f64()
    );
    let principals = big.accounts[0].users.len() + big.accounts[0].roles.len();
    if std::env::var("IAM_ATLAS_PROFILE").as_deref() == Ok("who-can") {
        for _ in 0..10 {
            std::hint::black_box(who_can(
                &big,
                "s3:GetObject",
                "arn:aws:s3:::payments-bucket-7/report.csv",
                None,
                &Context::new(),
                &ov,
            ));
        }
        return;
    }
    for (action, resource) in [
        (
            "s3:GetObject",
            "arn:aws:s3:::payments-bucket-7/report.csv".to_string(),
        ),
        (
            "iam:PassRole",
            format!("arn:aws:iam::{acct}:role/payments/payments-role-8"),
        ),
        (
            "dynamodb:PutItem",
            format!("arn:aws:dynamodb:eu-west-1:{acct}:table/data-table-3"),
        ),
    ] {
        let mut n = 0;
        let d = time(
            &format!("who-can {action} ({principals} principals)"),
            3,
            || {
                let w = who_can(&big, action, &resource, None, &Context::new(), &ov);
                n = w.principals.len();
                n
            },
        );
        println!(
            "{:<64} {:>12.1} ms ({n} allowed)",
            "",
            d.as_secs_f64() * 1e3
        );
    }
    let p = Principal::resolve(&big.accounts[0].users[3].arn, &big).expect("principal");
    let mut actions = 0;
    let d = time("what-can for one synthetic user", 3, || {
        let w = what_can(&big, &p, &Context::new(), &ov);
        actions = w
            .services
            .values()
            .flat_map(|l| l.values())
            .map(Vec::len)
            .sum::<usize>();
        actions
    });
    println!(
        "{:<64} {:>12.1} ms ({actions} actions)",
        "",
        d.as_secs_f64() * 1e3
    );
}
