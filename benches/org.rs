//! Whole-organisation benchmark: an organisation of `ORG_ACCOUNTS` accounts (default 1,000, ≈1.6 GB of exports)
//! written by `generate::write_org` into `target/bench-data/org-N/` once.
//!
//! `cargo bench --no-default-features --bench org` loads its workspace in a fresh child process for each
//! measurement (so peak memory, VmHWM, is that load's own), with one reading thread and with every core, and in
//! the parallel child also times who-can questions across the organisation. Goals (#16): open in ≤ 20 s on 2
//! cores, peak RSS ≤ 1.3× the files, who-can across the organisation ≤ 1 s.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use iam_atlas::eval::Context;
use iam_atlas::generate::OrgSpec;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[path = "support/rss.rs"]
mod rss;
use rss::peak_rss_bytes;

/// Questions asked across the organisation: (action, resource, resource account).
fn questions(
    m: &iam_atlas::account::Model,
    accounts: usize,
) -> Vec<(String, String, Option<String>)> {
    let mid = accounts / 2;
    // A role of the middle account that other accounts' deployers may assume.
    let trusted = m
        .accounts
        .get(mid)
        .and_then(|a| {
            a.roles.iter().find(|r| {
                r.trust
                    .as_ref()
                    .is_some_and(|t| m.source(t.source).at(t.policy.span).contains("deployer"))
            })
        })
        .map(|r| r.arn.to_string())
        .expect("a role that trusts a deployer");
    vec![
        // The organisation's shared bucket: granted to the organisation by its policy.
        (
            "s3:GetObject".into(),
            format!("arn:aws:s3:::{}/report.csv", OrgSpec::shared_bucket(mid)),
            Some(OrgSpec::account_id(mid)),
        ),
        // A role another account's deployer may assume.
        (
            "sts:AssumeRole".into(),
            trusted,
            Some(OrgSpec::account_id(mid)),
        ),
        // An action in one account's own resources.
        (
            "dynamodb:GetItem".into(),
            format!(
                "arn:aws:dynamodb:eu-west-1:{}:table/payments-table-7",
                OrgSpec::account_id(1)
            ),
            Some(OrgSpec::account_id(1)),
        ),
    ]
}

fn child(jobs: usize, workspace: &Path, accounts: usize) {
    let start = Instant::now();
    let m = iam_atlas::account::load_paths(
        &[workspace.to_path_buf()],
        iam_atlas::account::workspace::LoadOptions {
            jobs,
            ..Default::default()
        },
    )
    .expect("load");
    let load = start.elapsed().as_secs_f64();
    let peak_load = peak_rss_bytes();
    assert_eq!(m.accounts.len(), accounts);
    let mut who = Vec::new();
    if jobs != 1 {
        let ctx = Context::default();
        let overrides = Default::default();
        for (action, resource, account) in questions(&m, accounts) {
            let mut best = f64::MAX;
            let mut found = 0;
            for _ in 0..3 {
                let t = Instant::now();
                let w = iam_atlas::eval::reverse::who_can(
                    &m,
                    &action,
                    &resource,
                    account.clone(),
                    &ctx,
                    &overrides,
                );
                best = best.min(t.elapsed().as_secs_f64());
                found = w.principals.len();
                std::hint::black_box(&w);
            }
            who.push(format!("{best}:{found}:{action}:{resource}"));
        }
        who.push(trust_graph(&m));
    }
    println!("{load} {peak_load} {}", who.join(" "));
}

/// The organisation's trust graph told: built, grouped per account, folded across accounts, laid out. One token
/// `trust=build,per-account nodes,its seconds,folded nodes,folded edges,its seconds,layout seconds`, then the
/// identity graph's `build seconds,nodes,per-account nodes,folded nodes,its seconds,layout seconds`.
fn trust_graph(m: &iam_atlas::account::Model) -> String {
    use iam_atlas::graph::{GraphKind, Grouping, aggregate, group_radius, trust_graph};
    let t = Instant::now();
    let g = trust_graph(m);
    let build = t.elapsed().as_secs_f64();
    let per_account = Grouping {
        across_above: usize::MAX,
        ..Grouping::for_graph(GraphKind::Trust)
    };
    let copy = g.clone();
    let t = Instant::now();
    let a = aggregate(copy, &per_account);
    let per = t.elapsed().as_secs_f64();
    let per_nodes = a.graph.graph.node_count();
    drop(a);
    let t = Instant::now();
    let b = aggregate(g, &Grouping::for_graph(GraphKind::Trust));
    let folded = t.elapsed().as_secs_f64();
    let (weight, radius): (Vec<f32>, Vec<f32>) = b
        .graph
        .graph
        .node_indices()
        .map(|v| (b.size(v) as f32, group_radius(b.size(v))))
        .unzip();
    let t = Instant::now();
    let pos = iam_atlas::graph::clustered_sized(&b.graph.graph, 1.6, &weight, &radius);
    let layout = t.elapsed().as_secs_f64();
    let (b_nodes, b_edges) = (b.graph.graph.node_count(), b.graph.graph.edge_count());
    std::hint::black_box(pos);
    drop(b);
    // The identity graph, the same way (no layout: a size only).
    let t = Instant::now();
    let g = iam_atlas::graph::identity_graph(m);
    let id_build = t.elapsed().as_secs_f64();
    let id_nodes = g.graph.node_count();
    let per_account = Grouping {
        across_above: usize::MAX,
        ..Grouping::for_graph(GraphKind::Identity)
    };
    let id_per = aggregate(g.clone(), &per_account).graph.graph.node_count();
    let t = Instant::now();
    let c = aggregate(g, &Grouping::for_graph(GraphKind::Identity));
    let id_folded = t.elapsed().as_secs_f64();
    let radius: Vec<f32> = c
        .graph
        .graph
        .node_indices()
        .map(|v| c.groups.at(v).map_or(0.0, |x| group_radius(x.size())))
        .collect();
    let t = Instant::now();
    std::hint::black_box(iam_atlas::graph::layered_sized(&c.graph.graph, &radius));
    let id_layout = t.elapsed().as_secs_f64();
    format!(
        "trust={build},{per_nodes},{per},{},{},{folded},{layout},{id_build},{id_nodes},{id_per},{},{id_folded},{id_layout}",
        b_nodes,
        b_edges,
        c.graph.graph.node_count()
    )
}

fn run_child(jobs: usize, workspace: &Path, accounts: usize) -> String {
    rss::run_self(&[
        "--child".into(),
        jobs.to_string(),
        accounts.to_string(),
        workspace.display().to_string(),
    ])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let jobs = args[i + 1].parse().expect("jobs");
        let accounts = args[i + 2].parse().expect("accounts");
        child(jobs, Path::new(&args[i + 3]), accounts);
        return;
    }
    let accounts: usize = std::env::var("ORG_ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let t = Instant::now();
    let workspace = iam_atlas::generate::org_in(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"),
        accounts,
    )
    .expect("generate");
    let dir = workspace
        .parent()
        .expect("the organisation's directory")
        .to_path_buf();
    eprintln!("organisation ready in {:.1} s", t.elapsed().as_secs_f64());
    let bytes: u64 = walk(&dir);
    let runs: usize = std::env::var("ORG_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    println!(
        "organisation of {accounts} accounts: {:.1} MB of files in {}",
        bytes as f64 / 1e6,
        dir.display()
    );
    println!(
        "{:<34} {:>9} {:>10} {:>10}",
        "load", "best (s)", "peak (MB)", "peak/files"
    );
    // (best seconds, principals found, question)
    let mut who_best: Vec<(f64, String, String)> = Vec::new();
    // The trust graph's figures, from the run whose fold and layout were fastest.
    let mut trust: Option<Vec<f64>> = None;
    for jobs in [1usize, 0] {
        let mut best = f64::MAX;
        let mut peak = 0u64;
        for _ in 0..runs {
            let line = run_child(jobs, &workspace, accounts);
            let mut it = line.split_whitespace();
            let t: f64 = it.next().and_then(|v| v.parse().ok()).expect("time");
            let m: u64 = it.next().and_then(|v| v.parse().ok()).expect("mem");
            best = best.min(t);
            peak = peak.max(m);
            for w in it.clone().filter(|w| w.starts_with("trust=")) {
                let f: Vec<f64> = w["trust=".len()..]
                    .split(',')
                    .filter_map(|v| v.parse().ok())
                    .collect();
                if trust
                    .as_ref()
                    .is_none_or(|b: &Vec<f64>| b[5] + b[6] > f[5] + f[6])
                {
                    trust = Some(f);
                }
            }
            for (k, w) in it.filter(|w| !w.starts_with("trust=")).enumerate() {
                let mut f = w.splitn(3, ':');
                let s: f64 = f.next().and_then(|v| v.parse().ok()).expect("secs");
                let n = f.next().unwrap_or_default().to_string();
                let q = f.next().unwrap_or_default().to_string();
                match who_best.get_mut(k) {
                    Some(b) if b.0 <= s => {}
                    Some(b) => *b = (s, n, q),
                    None => who_best.push((s, n, q)),
                }
            }
        }
        let name = if jobs == 1 {
            "one reading thread"
        } else {
            "every core (the default)"
        };
        println!(
            "{:<34} {:>9.2} {:>10.1} {:>10.2}",
            name,
            best,
            peak as f64 / 1e6,
            peak as f64 / bytes as f64
        );
    }
    println!("goal: open ≤ 20 s on 2 cores, peak ≤ 1.3× the files");
    for (s, n, q) in &who_best {
        let (action, resource) = q.split_at(q.find(":arn:").unwrap_or(q.len()));
        let resource = resource.trim_start_matches(':');
        println!("who-can {action} on {resource}: {s:.3} s, {n} principals (goal ≤ 1 s)");
    }
    if let Some(f) = trust.filter(|f| f.len() == 13) {
        println!(
            "trust graph: built in {:.2} s; grouped per account {:.0} nodes in {:.2} s; folded across accounts \
             {:.0} nodes and {:.0} edges in {:.2} s, laid out in {:.3} s",
            f[0], f[1], f[2], f[3], f[4], f[5], f[6]
        );
        println!(
            "identity graph: {:.0} nodes built in {:.2} s; grouped per account {:.0} nodes; folded across \
             accounts {:.0} nodes in {:.2} s, laid out in {:.2} s",
            f[8], f[7], f[9], f[10], f[11], f[12]
        );
    }
}

fn walk(dir: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            total += walk(&p);
        } else {
            total += e.metadata().map(|m| m.len()).unwrap_or(0);
        }
    }
    total
}
