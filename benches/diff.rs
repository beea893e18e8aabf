//! Change-review benchmark: `cargo bench --no-default-features --bench diff`.
//!
//! The access diff of two ≈100 MB synthetic organisations that differ in 1 % of their customer-managed policies
//! (goal ≤ 5 s on 2 cores, release), the models already loaded; and of two identical ones.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use iam_atlas::diff::{Options, diff};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn best_of<T>(n: u32, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..n {
        let t = Instant::now();
        let r = std::hint::black_box(f());
        best = best.min(t.elapsed());
        out = Some(r);
    }
    (best, out.expect("ran at least once"))
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let file = iam_atlas::generate::large_export_in(&dir).expect("generate");
    // The same organisation with 1 % of its customer-managed policies edited: one statement added to each, a
    // grant in two of three and a deny in the third.
    let changed = dir.join("synthetic-large-1pc.json");
    let mut edited = 0;
    if !changed.exists() {
        let mut v: Value =
            serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("json");
        let policies = v["Policies"].as_array_mut().expect("Policies");
        let customer: Vec<usize> = (0..policies.len())
            .filter(|&i| {
                policies[i]["Arn"]
                    .as_str()
                    .is_some_and(|a| !a.contains(":aws:policy/"))
            })
            .collect();
        let step = 100;
        for (n, &i) in customer.iter().enumerate().filter(|(n, _)| n % step == 0) {
            let versions = policies[i]["PolicyVersionList"]
                .as_array_mut()
                .expect("versions");
            for ver in versions
                .iter_mut()
                .filter(|x| x["IsDefaultVersion"] == true)
            {
                let statement = match n % 3 {
                    2 => json!({"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}),
                    1 => json!({"Effect": "Allow", "Action": "iam:PassRole",
                        "Resource": format!("arn:aws:iam::*:role/service-role-{n}")}),
                    _ => json!({"Effect": "Allow", "Action": "s3:PutObject",
                        "Resource": format!("arn:aws:s3:::bench-changed-{n}/*")}),
                };
                ver["Document"]["Statement"]
                    .as_array_mut()
                    .expect("statements")
                    .push(statement);
                edited += 1;
            }
        }
        std::fs::write(&changed, serde_json::to_vec_pretty(&v).expect("json")).expect("write");
    }
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let load = |f: &PathBuf| {
        iam_atlas::account::load_paths(std::slice::from_ref(f), Default::default()).expect("load")
    };
    let t = Instant::now();
    let before = load(&file);
    let after = load(&changed);
    println!(
        "two synthetic organisations ({:.0} MB each, {edited} policies edited now or in an earlier run) loaded in {:.2} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let opts = Options::default();
    let (t, d) = best_of(3, || diff(&before, &after, &opts));
    println!(
        "diff, 1 % of policies changed: {:>8.2} s (goal ≤ 5 s): {} principals changed, {} comparisons, {} gained, {} lost, {} uncertain, complete {}",
        t.as_secs_f64(),
        d.counts.principals_changed,
        d.counts.comparisons,
        d.counts.gained,
        d.counts.lost,
        d.counts.uncertain,
        d.complete
    );
    let (t, d) = best_of(3, || diff(&before, &before, &opts));
    println!(
        "diff, identical: {:>8.2} s: {} principals changed",
        t.as_secs_f64(),
        d.counts.principals_changed
    );
}
