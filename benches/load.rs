//! Load benchmark on the ≈100 MB synthetic organisation.
//!
//! `cargo bench --no-default-features --bench load` generates `target/bench-data/synthetic-large.json` once,
//! then times, each in a fresh child process (so peak memory is that method's own):
//! - the floor: `serde_json::from_slice::<serde_json::Value>` of the same bytes (read included);
//! - IAM Atlas's loader (`load_paths`), which builds the whole typed, indexed model, on one thread and as the
//!   app loads (the JSON read on a second thread).
//!
//! It prints best-of-N wall time and peak resident memory (VmHWM) for each, the runs interleaved, and the ratios
//! issue #16 sets: load ≤ 0.7× the bare parse, peak ≤ 1.3× the file size.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::time::Instant;

#[path = "support/rss.rs"]
mod rss;
use rss::{peak_rss_bytes, rss_bytes};

fn child(method: &str, file: &Path) {
    let start = Instant::now();
    // What stays resident after the load (the model and its texts), and how much of it is the texts.
    let mut after = (0, 0);
    // The clock stops when the value or the model is ready, before it is dropped, for both: neither the app nor
    // the command line drops its model after a load (dropping a `Value` of 536 MB took tens of milliseconds, and
    // dropping the model did too, so the figures were the parse or the load plus a drop).
    let secs;
    match method {
        "serde" => {
            let bytes = std::fs::read(file).expect("read");
            let v: serde_json::Value = serde_json::from_slice(&bytes).expect("parse");
            std::hint::black_box(&v);
            secs = start.elapsed().as_secs_f64();
            std::mem::forget(v);
        }
        "atlas" | "atlas-1" => {
            // `atlas-1`: on one thread; `atlas`: as the app and the CLI load (every core: the export's JSON is
            // read on a second thread while the first converts it).
            let opts = iam_atlas::account::LoadOptions {
                jobs: if method == "atlas-1" { 1 } else { 0 },
                ..Default::default()
            };
            let m = iam_atlas::account::load_paths(&[file.to_path_buf()], opts).expect("load");
            std::hint::black_box(&m);
            secs = start.elapsed().as_secs_f64();
            assert!(m.accounts[0].roles.len() > 1000);
            after = (
                rss_bytes(),
                m.sources.iter().map(|s| s.kept_len() as u64).sum(),
            );
            std::mem::forget(m);
        }
        other => panic!("unknown method {other}"),
    }
    println!("{secs} {} {} {}", peak_rss_bytes(), after.0, after.1);
}

/// (seconds, peak bytes, resident bytes after the load, bytes of source text kept).
fn run_child(method: &str, file: &Path) -> (f64, u64, u64, u64) {
    let line = rss::run_self(&["--child".into(), method.into(), file.display().to_string()]);
    let mut it = line.split_whitespace();
    let mut next = || {
        it.next()
            .and_then(|v| v.parse::<f64>().ok())
            .expect("a figure")
    };
    let t = next();
    let (m, r, text) = (next() as u64, next() as u64, next() as u64);
    (t, m, r, text)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], Path::new(&args[i + 2]));
        return;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let file = dir.join("synthetic-large.json");
    if !file.exists() {
        let t = Instant::now();
        let n = iam_atlas::generate::write_new_file(&file, &iam_atlas::generate::Spec::large())
            .expect("generate");
        eprintln!(
            "generated {} ({:.1} MB) in {:.1} s",
            file.display(),
            n as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
    }
    let size = std::fs::metadata(&file).expect("stat").len();
    let runs = 5;
    let methods = ["serde", "atlas-1", "atlas"];
    // (best seconds, peak bytes) per method; the runs are interleaved, so a busy moment of the machine does
    // not fall on one method only.
    let mut results = [(f64::MAX, 0u64); 3];
    let mut resident = (0u64, 0u64);
    for _ in 0..runs {
        for (k, method) in methods.iter().enumerate() {
            let (t, m, r, text) = run_child(method, &file);
            results[k].0 = results[k].0.min(t);
            results[k].1 = results[k].1.max(m);
            if *method == "atlas" {
                resident = resident.max((r, text));
            }
        }
    }
    let (r, text) = resident;
    println!(
        "after the load: {:.1} MB resident ({:.2}× the file), of which {:.1} MB source text",
        r as f64 / 1e6,
        r as f64 / size as f64,
        text as f64 / 1e6
    );
    println!("file: {} ({:.1} MB)", file.display(), size as f64 / 1e6);
    println!(
        "{:<44} {:>10} {:>12} {:>10}",
        "method", "best (s)", "peak (MB)", "peak/file"
    );
    for (m, (t, p)) in methods.iter().zip(&results) {
        let name = match *m {
            "serde" => "serde_json::Value parse (floor)",
            "atlas-1" => "iam-atlas load, one thread",
            _ => "iam-atlas load (the default: threads)",
        };
        println!(
            "{:<44} {:>10.3} {:>12.1} {:>10.2}",
            name,
            t,
            *p as f64 / 1e6,
            *p as f64 / size as f64
        );
    }
    println!(
        "load time / bare parse time: {:.2} one thread, {:.2} the default (goal ≤ 0.7)",
        results[1].0 / results[0].0,
        results[2].0 / results[0].0
    );
    println!(
        "load peak memory / file size: {:.2} (goal ≤ 1.3)",
        results[2].1 as f64 / size as f64
    );
}
