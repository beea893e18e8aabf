//! The GUI on a whole organisation: frame times while it opens, reviews and lays out, headlessly.
//!
//! `cargo bench --bench org_frame` opens the generated organisation of `ORG_ACCOUNTS` accounts (default 1,000,
//! shared with `--bench org`, written once into `target/bench-data/org-N/`) the way the File menu does (a
//! `Command::Open`, loaded on the task runner), and draws whole frames of the app (`AtlasApp::show`, then
//! `Context::tessellate`) at a 60 Hz pace while the background work runs: first the load, then each view for a
//! few seconds (the review, the graphs' layouts and the who-can question run meanwhile). For each phase it
//! prints the frames drawn, the median, the 95th percentile and the slowest frame. The goal (#16): the GUI
//! stays responsive throughout — no frame waits for the work.

use iam_atlas::app::{AtlasApp, Command, Settings, View};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[path = "support/frame.rs"]
mod frame_input;
use frame_input::input;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Frames at 60 Hz until `done` or `limit`; returns each frame's milliseconds (UI + tessellation).
fn frames(
    ctx: &egui::Context,
    app: &mut AtlasApp,
    limit: Duration,
    mut done: impl FnMut(&AtlasApp) -> bool,
) -> Vec<f64> {
    let start = Instant::now();
    let mut times = Vec::new();
    while start.elapsed() < limit {
        let t = Instant::now();
        let out = ctx.run_ui(input(), |ui| app.show(ui));
        let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
        std::hint::black_box(prims);
        let took = t.elapsed();
        times.push(ms(took));
        if done(app) {
            break;
        }
        if let Some(rest) = Duration::from_millis(16).checked_sub(took) {
            std::thread::sleep(rest);
        }
    }
    times
}

fn report(what: &str, mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    let at = |p: f64| {
        times
            .get(((times.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "{what:<46} {:>6} frames   p50 {:>6.1} ms   p95 {:>6.1} ms   max {:>6.1} ms",
        times.len(),
        at(0.5),
        at(0.95),
        times.last().copied().unwrap_or(0.0)
    );
}

fn main() {
    let accounts: usize = std::env::var("ORG_ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let workspace = iam_atlas::generate::org_in(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"),
        accounts,
    )
    .expect("generate");
    println!("{}", workspace.display());
    let ctx = egui::Context::default();
    let mut app = AtlasApp::new(Settings::default());
    app.push(Command::Open(vec![workspace]));
    let start = Instant::now();
    // The first frame starts the load; then frames until it is in.
    let times = frames(&ctx, &mut app, Duration::from_secs(120), |a| {
        !a.is_loading()
    });
    println!(
        "opened {accounts} accounts in {:.2} s with frames drawn throughout",
        start.elapsed().as_secs_f64()
    );
    report("while loading (Explorer)", times);
    // `ORG_VIEWS=Findings,Trust` draws those views only (for a profile of one).
    let only = std::env::var("ORG_VIEWS").unwrap_or_default();
    // `ORG_VIEW_SECS=12`: draw each view that long (4 s by default).
    let secs: u64 = std::env::var("ORG_VIEW_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    for view in [
        View::Explorer,
        View::Trust,
        View::Identity,
        View::Findings,
        View::Evaluator,
    ] {
        if !only.is_empty() && !only.split(',').any(|v| v == format!("{view:?}")) {
            continue;
        }
        app.view = view;
        let start = Instant::now();
        let times = frames(&ctx, &mut app, Duration::from_secs(secs), |_| false);
        // Slow frames, and when the view's graph was laid out (a graph view's first frames wait for it).
        for (i, t) in times.iter().enumerate().filter(|(_, t)| **t > 100.0) {
            println!("  slow frame {i}: {t:.1} ms");
        }
        if let Some(l) = app
            .graph
            .laid()
            .filter(|_| matches!(view, View::Trust | View::Identity))
        {
            println!(
                "  laid out: {} nodes, {} groups, {:.1} s into the view",
                l.graph.graph.node_count(),
                l.groups.len(),
                start.elapsed().as_secs_f64()
            );
        }
        report(&format!("{view:?} view, {secs} s"), times);
        if view == View::Explorer {
            // Fast typing: one more character of the filter each frame (every keystroke filters every entity of
            // the organisation), then erased again.
            let word = "deployer";
            let key = |app: &mut AtlasApp, n: usize| {
                app.filter = word.get(..n).unwrap_or_default().to_string();
                frames(&ctx, app, Duration::from_secs(1), |_| true)
            };
            let t = Instant::now();
            let typed: Vec<f64> = (1..=word.len()).flat_map(|n| key(&mut app, n)).collect();
            println!("  each key: {typed:.1?} ms");
            report("Explorer, typing `deployer` a key a frame", typed);
            // The rows are filtered in the background: until they are the whole word's.
            let until = frames(&ctx, &mut app, Duration::from_secs(30), |_| {
                !iam_atlas::app::explorer_filtering(&ctx)
            });
            println!(
                "  the rows for `{word}` shown {:.0} ms after its first key ({} frames meanwhile)",
                t.elapsed().as_secs_f64() * 1e3,
                until.len()
            );
            let erased: Vec<f64> = (0..word.len())
                .rev()
                .flat_map(|n| key(&mut app, n))
                .collect();
            println!("  each key: {erased:.1?} ms");
            report("Explorer, erasing it a key a frame", erased);
            let t = Instant::now();
            let until = frames(&ctx, &mut app, Duration::from_secs(30), |_| {
                !iam_atlas::app::explorer_filtering(&ctx)
            });
            println!(
                "  settled {:.0} ms after the last key ({} frames)",
                t.elapsed().as_secs_f64() * 1e3,
                until.len()
            );
        }
    }
}
