//! Where a loaded model's bytes go, on the ≈100 MB synthetic organisation of `benches/load.rs` (issue #16's lean
//! model: peak ≤ 1.3× the file, which needs a compact policy form; this says which parts it must shrink).
//!
//! `cargo bench --no-default-features --bench model_bytes` loads `target/bench-data/synthetic-large.json` (made by
//! the load bench, or here if missing) on one thread with a counting allocator, then drops the
//! model's parts one after another and prints the bytes each drop gives back: the bytes the program asked for,
//! not the allocator's pages. A string interned once and used by two parts goes back with the last of them.

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;

// The system allocator counted (the crate's generic wrapper is not `const` on stable): the bytes asked for are
// the same whichever allocator serves them.
#[global_allocator]
static ALLOC: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes live now (asked for and not given back).
fn live(region: &Region<'_, System>) -> i64 {
    let s = region.change();
    // A `realloc` is already counted in these two (`bytes_reallocated` is the same change again).
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

fn main() {
    let file = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data/synthetic-large.json");
    if !file.exists() {
        std::fs::create_dir_all(file.parent().expect("a folder")).expect("mkdir");
        iam_atlas::generate::write_new_file(&file, &iam_atlas::generate::Spec::large())
            .expect("generate");
    }
    let size = std::fs::metadata(&file).expect("the file").len() as f64;
    let region = Region::new(ALLOC);
    // The action catalog, parsed once per process on first use (the load's validation uses it): not the model's.
    std::hint::black_box(iam_atlas::catalog::catalog());
    let catalog = live(&region);
    let region = Region::new(ALLOC);
    let opts = iam_atlas::account::LoadOptions {
        jobs: 1,
        ..Default::default()
    };
    let mut m = iam_atlas::account::load_paths(std::slice::from_ref(&file), opts).expect("load");
    let total = live(&region);
    let (mut managed, mut inline, mut trust) = (0usize, 0usize, 0usize);
    for a in &m.accounts {
        for p in &a.policies {
            for v in &p.versions {
                managed += v.doc.as_ref().map_or(0, |d| d.policy.statements.len());
            }
        }
        let count = |docs: &[iam_atlas::account::InlinePolicy]| {
            docs.iter()
                .map(|i| i.doc.policy.statements.len())
                .sum::<usize>()
        };
        inline += a.users.iter().map(|u| count(&u.inline)).sum::<usize>()
            + a.groups.iter().map(|g| count(&g.inline)).sum::<usize>()
            + a.roles.iter().map(|r| count(&r.inline)).sum::<usize>();
        trust += a
            .roles
            .iter()
            .filter_map(|r| r.trust.as_ref())
            .map(|t| t.policy.statements.len())
            .sum::<usize>();
    }
    println!(
        "file: {} ({:.1} MB); statements: {managed} in managed policy versions, {inline} inline, {trust} in trust \
         policies",
        file.display(),
        size / 1e6
    );
    println!("{:<58} {:>10} {:>8}", "part", "MB", "× file");
    let row = |what: &str, bytes: i64| {
        println!(
            "{what:<58} {:>10.1} {:>8.2}",
            bytes as f64 / 1e6,
            bytes as f64 / size
        );
    };
    row(
        "the action catalog, parsed before the load (once per process)",
        catalog,
    );
    row("the whole model after the load", total);
    let step = |what: &str,
                m: &mut iam_atlas::account::Model,
                f: &dyn Fn(&mut iam_atlas::account::Model)| {
        let before = live(&region);
        f(m);
        row(what, before - live(&region));
    };
    step(
        "source texts (the file, kept to show positions)",
        &mut m,
        &|m| {
            m.sources = Vec::new();
        },
    );
    step(
        "managed policies' documents (every version)",
        &mut m,
        &|m| {
            for a in &mut m.accounts {
                for p in &mut a.policies {
                    for v in &mut p.versions {
                        v.doc = None;
                    }
                }
            }
        },
    );
    step("inline policies (users, groups, roles)", &mut m, &|m| {
        for a in &mut m.accounts {
            a.users.iter_mut().for_each(|u| u.inline = Vec::new());
            a.groups.iter_mut().for_each(|g| g.inline = Vec::new());
            a.roles.iter_mut().for_each(|r| r.inline = Vec::new());
        }
    });
    step("roles' trust policies", &mut m, &|m| {
        for a in &mut m.accounts {
            a.roles.iter_mut().for_each(|r| r.trust = None);
        }
    });
    step("bundled AWS-managed policies", &mut m, &|m| {
        m.bundled = Vec::new();
    });
    step("load warnings", &mut m, &|m| m.warnings = Vec::new());
    let before = live(&region);
    drop(m);
    row(
        "the rest: entities, names, ARNs, attachments, indexes",
        before - live(&region),
    );
    row("left after the model is dropped", live(&region));
    let again = iam_atlas::account::load_paths(
        std::slice::from_ref(&file),
        iam_atlas::account::LoadOptions {
            jobs: 1,
            ..Default::default()
        },
    )
    .expect("load");
    drop(again);
    row("left after a second load, dropped too", live(&region));
}
