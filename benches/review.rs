//! Review benchmarks: `cargo bench --no-default-features --bench review`.
//!
//! The whole review (hygiene, administrators by the evaluator, external access of every trust and resource
//! policy, unused access) of the bundled sample (goal ≤ 50 ms) and of the ≈100 MB synthetic organisation
//! (goal ≤ 2 s on 2 cores), the model already loaded.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use iam_atlas::review::{Options, review};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn best_of(n: u32, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut count = 0;
    for _ in 0..n {
        let t = Instant::now();
        count = std::hint::black_box(f());
        best = best.min(t.elapsed());
    }
    (best, count)
}

fn main() {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let sample = iam_atlas::sample::load_sample(Default::default()).expect("sample");
    let opts = Options::default();
    let (t, n) = best_of(20, || review(&sample, &opts).findings.len());
    println!(
        "review of the sample ({n} findings), {threads} threads: {:>10.2} ms (goal ≤ 50 ms)",
        t.as_secs_f64() * 1e3
    );
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let file = iam_atlas::generate::large_export_in(&dir).expect("generate");
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let big = iam_atlas::account::load_paths(std::slice::from_ref(&file), Default::default())
        .expect("load");
    println!(
        "synthetic organisation ({:.0} MB) loaded in {:.2} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let (t, n) = best_of(3, || review(&big, &opts).findings.len());
    println!(
        "review of the synthetic organisation ({n} findings), {threads} threads: {:>8.2} s (goal ≤ 2 s)",
        t.as_secs_f64()
    );
    let one = Options {
        threads: 1,
        ..Options::default()
    };
    let (t, _) = best_of(1, || review(&big, &one).findings.len());
    println!(
        "review of the synthetic organisation, 1 thread: {:>8.2} s",
        t.as_secs_f64()
    );
}
