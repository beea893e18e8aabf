//! Escalation benchmark: `cargo bench --no-default-features --bench escalate`.
//!
//! Every user's and role's shortest path to administrator on the ≈100 MB synthetic organisation (25,000 users
//! and roles), each path's steps explained by the evaluator. Goal: ≤ 10 s on 2 cores.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use iam_atlas::escalate::{Graph, Reaches, Target, result_for, search};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let file = iam_atlas::generate::large_export_in(&dir).expect("generate");
    let t = Instant::now();
    let big = iam_atlas::account::load_paths(std::slice::from_ref(&file), Default::default())
        .expect("load");
    println!(
        "synthetic organisation ({} bytes) loaded in {:.2} s",
        std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let mut g = Graph::new(&big, None);
    let t_index = t.elapsed();
    let s = search(&mut g, &Target::Admin);
    let t_search = t.elapsed();
    let results: Vec<_> = (0..g.nodes.len() as u32)
        .map(|n| result_for(&g, &s, n))
        .collect();
    let total = t.elapsed();
    let count = |r: Reaches| results.iter().filter(|x| x.reaches == r).count();
    let admins = results.iter().filter(|x| x.steps == Some(0)).count();
    let max_steps = results.iter().filter_map(|x| x.steps).max().unwrap_or(0);
    println!(
        "principals {}: administrators {admins}, reach certainly {}, possibly {}, not {}; longest path {max_steps} steps",
        g.nodes.len(),
        count(Reaches::Yes),
        count(Reaches::Possible),
        count(Reaches::No)
    );
    println!(
        "index + administrators {:.2} s, search {:.2} s, paths explained {:.2} s, total {:.2} s (goal ≤ 10 s)",
        t_index.as_secs_f64(),
        (t_search - t_index).as_secs_f64(),
        (total - t_search).as_secs_f64(),
        total.as_secs_f64()
    );
}
