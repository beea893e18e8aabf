//! Graph benchmark on the ≈120 MB synthetic organisation (5,000 users, 500 groups, 20,000 roles, 3,000
//! policies).
//!
//! `cargo bench --bench graph` generates `target/bench-data/synthetic-large.json` once (shared with the load
//! benchmark), loads it, then times:
//! - building the identity and trust graphs from the model;
//! - their layouts (layered for identity, clustered for trust);
//! - one frame of the graph view's UI work, headlessly (`egui::Context::run_ui`, no window, no GPU), fitted
//!   to the whole graph (worst case: everything in view) and zoomed in (the usual case): median and 90th
//!   percentile of 30 frames. Tessellation is timed apart: it is the renderer's share, not the UI's.
//!
//! The goal from issue 5: each frame's UI work under 8 ms.

use iam_atlas::app::graph_view::{self, GraphView};
use iam_atlas::graph::{self, Filter, GraphKind, Grouping};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const FRAMES: usize = 30;

fn data_file() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    iam_atlas::generate::large_export_in(&dir).expect("write the synthetic organisation")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    println!("{what:<44} {:>9.1} ms", ms(start.elapsed()));
    out
}

#[path = "support/frame.rs"]
mod frame_input;
use frame_input::input;

/// Run `FRAMES` frames of the canvas; returns (median, 90th percentile) UI time and the median tessellation time.
fn frames(ctx: &egui::Context, view: &mut GraphView) -> (f64, f64, f64, usize) {
    let mut ui_times = Vec::new();
    let mut tess_times = Vec::new();
    let mut shapes = 0;
    let mut commands = Vec::new();
    for _ in 0..FRAMES {
        let start = Instant::now();
        let out = ctx.run_ui(input(), |ui| {
            egui::CentralPanel::default().show(ui, |ui| {
                view.canvas(ui, None, &mut commands);
            });
        });
        ui_times.push(ms(start.elapsed()));
        shapes = out.shapes.len();
        let start = Instant::now();
        let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
        tess_times.push(ms(start.elapsed()));
        std::hint::black_box(prims);
    }
    ui_times.sort_by(f64::total_cmp);
    tess_times.sort_by(f64::total_cmp);
    (
        ui_times[FRAMES / 2],
        ui_times[FRAMES * 9 / 10],
        tess_times[FRAMES / 2],
        shapes,
    )
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let file = data_file();
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!("{} ({:.0} MB)", file.display(), size as f64 / 1e6);
    let model = timed("load", || {
        iam_atlas::account::load_paths(std::slice::from_ref(&file), Default::default())
            .expect("load")
    });
    let identity = timed("identity graph: build", || graph::identity_graph(&model));
    let trust = timed("trust graph: build", || graph::trust_graph(&model));
    println!(
        "identity graph: {} nodes, {} edges; trust graph: {} nodes, {} edges",
        identity.graph.node_count(),
        identity.graph.edge_count(),
        trust.graph.node_count(),
        trust.graph.edge_count()
    );
    for g in [&identity, &trust] {
        let a = timed(&format!("{:?} graph: aggregate", g.kind), || {
            graph::aggregate(g.clone(), &Grouping::for_graph(g.kind))
        });
        println!(
            "  {} nodes, {} edges; {} groups hold {} members",
            a.graph.graph.node_count(),
            a.graph.graph.edge_count(),
            a.groups.len(),
            a.groups.members()
        );
    }
    timed("identity graph: layered layout", || {
        graph::layered(&identity.graph)
    });
    timed("trust graph: clustered layout", || {
        graph::clustered(&trust.graph)
    });
    let some_role = model.by_name(
        iam_atlas::account::EntityKind::Role,
        &model.accounts[0].roles[0].name,
    )[0];
    timed(
        "trust graph: focus 2 hops (build + filter + layout)",
        || {
            graph_view::compute(
                &model,
                GraphKind::Trust,
                &Filter {
                    focus: Some((some_role, 2)),
                    ..Filter::default()
                },
                1.6,
                &Grouping::for_graph(GraphKind::Trust),
            )
        },
    );
    timed("dot export of the trust graph", || trust.to_dot().len());

    let ctx = egui::Context::default();
    // Warm up fonts and the first pass.
    let _ = ctx.run_ui(input(), |ui| {
        ui.label("warm up");
    });
    for kind in [GraphKind::Identity, GraphKind::Trust] {
        let laid = timed(
            &format!("{kind:?}: build + layout (background job)"),
            || {
                graph_view::compute(
                    &model,
                    kind,
                    &Filter::default(),
                    1.6,
                    &Grouping::for_graph(kind),
                )
            },
        );
        let center = laid.pos[laid.pos.len() / 2];
        let mut view = GraphView::default();
        view.show_laid(laid);
        let (med, worst, tess, shapes) = frames(&ctx, &mut view);
        println!(
            "{kind:?} frame, whole graph in view:  UI median {med:.2} ms, p90 {worst:.2} ms \
             ({shapes} shapes; tessellation {tess:.2} ms)"
        );
        view.look_at(center, 1.0);
        let (med, worst, tess, shapes) = frames(&ctx, &mut view);
        println!(
            "{kind:?} frame, zoomed in (1.0):      UI median {med:.2} ms, p90 {worst:.2} ms \
             ({shapes} shapes; tessellation {tess:.2} ms)"
        );
        view.look_at(center, 0.25);
        let (med, worst, tess, shapes) = frames(&ctx, &mut view);
        println!(
            "{kind:?} frame, zoomed out (0.25):    UI median {med:.2} ms, p90 {worst:.2} ms \
             ({shapes} shapes; tessellation {tess:.2} ms)"
        );
    }
}
