//! Frame time of the graph view, headlessly and with tessellation: the CPU work of a frame, without a GPU.
//!
//! `cargo bench --bench graph_frame` generates `target/bench-data/synthetic-large.json` once (the ≈124 MB
//! organisation of 5,000 users, 500 groups and 20,000 roles that `iam-atlas generate` writes; shared with the
//! load and graph benchmarks), loads it, and draws the graph view (toolbar, legend, canvas) with
//! `egui::Context::run_ui`, then tessellates the frame's shapes with `Context::tessellate`: a frame is both.
//! Per view, 10 frames of warm-up then 200 timed ones; p50 and p95 of the whole frame are reported, beside the
//! UI and tessellation medians and the nodes in view.
//!
//! The goals (issue 16): 5,000 nodes in view ≤ 5 ms and 50,000 ≤ 16 ms at the 95th percentile, and the first
//! frame on the bundled sample ≤ 0.5 s after start.

use iam_atlas::app::graph_view::{self, GraphView};
use iam_atlas::app::{AtlasApp, View};
use iam_atlas::graph::{Filter, GraphKind, Grouping};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const WARM_UP: usize = 10;
const FRAMES: usize = 200;

fn data_file() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    iam_atlas::generate::large_export_in(&dir).expect("write the synthetic organisation")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[path = "support/frame.rs"]
mod frame_input;
use frame_input::input;

/// One frame of the graph view: the UI pass, then tessellation. Returns (UI ms, tessellation ms).
fn frame(
    ctx: &egui::Context,
    view: &mut GraphView,
    model: &iam_atlas::account::Model,
) -> (f64, f64) {
    let mut commands = Vec::new();
    let start = Instant::now();
    let out = ctx.run_ui(input(), |ui| {
        egui::CentralPanel::default().show(ui, |ui| {
            view.toolbar(ui, model, &mut commands);
            view.canvas(ui, None, &mut commands);
        });
    });
    let ui = ms(start.elapsed());
    let start = Instant::now();
    let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
    let tess = ms(start.elapsed());
    std::hint::black_box(prims);
    (ui, tess)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

/// Time `FRAMES` frames and print the p50 and p95 of the whole frame.
fn measure(
    what: &str,
    ctx: &egui::Context,
    view: &mut GraphView,
    model: &iam_atlas::account::Model,
    goal: Option<f64>,
) {
    for _ in 0..WARM_UP {
        frame(ctx, view, model);
    }
    let mut total = Vec::with_capacity(FRAMES);
    let mut uis = Vec::with_capacity(FRAMES);
    let mut tess = Vec::with_capacity(FRAMES);
    for _ in 0..FRAMES {
        let (u, t) = frame(ctx, view, model);
        total.push(u + t);
        uis.push(u);
        tess.push(t);
    }
    for v in [&mut total, &mut uis, &mut tess] {
        v.sort_by(f64::total_cmp);
    }
    let p95 = percentile(&total, 0.95);
    let verdict = match goal {
        Some(g) if p95 <= g => format!("  (goal ≤ {g} ms: met)"),
        Some(g) => format!("  (goal ≤ {g} ms: NOT met)"),
        None => String::new(),
    };
    println!(
        "{what:<52} {:>6} nodes in view: frame p50 {:>6.2} ms, p95 {:>6.2} ms (UI p50 {:.2}, tessellation p50 {:.2}){verdict}",
        view.visible_nodes(),
        percentile(&total, 0.5),
        p95,
        percentile(&uis, 0.5),
        percentile(&tess, 0.5),
    );
}

/// Zoom the view about `center` until about `target` nodes are in view (bisection on the zoom).
fn zoom_to(
    ctx: &egui::Context,
    view: &mut GraphView,
    model: &iam_atlas::account::Model,
    center: egui::Pos2,
    target: usize,
) {
    let (mut lo, mut hi) = (0.005f32, 6.0f32);
    for _ in 0..40 {
        let z = (lo * hi).sqrt();
        view.look_at(center, z);
        frame(ctx, view, model);
        let seen = view.visible_nodes();
        if seen.abs_diff(target) * 50 <= target {
            return;
        }
        if seen > target {
            lo = z;
        } else {
            hi = z;
        }
    }
}

fn main() {
    // The bundled sample: from nothing to the first frame of each graph view drawn and tessellated.
    for view in [View::Trust, View::Identity] {
        let start = Instant::now();
        let model = iam_atlas::sample::load_sample(Default::default()).expect("sample loads");
        let mut app = AtlasApp::with_model(model, "bundled sample");
        app.view = view;
        let ctx = egui::Context::default();
        let out = ctx.run_ui(input(), |ui| app.show(ui));
        let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
        std::hint::black_box(prims);
        let nodes = app.graph.laid().map_or(0, |l| l.graph.graph.node_count());
        println!(
            "sample, {view:?} view: load + first frame (UI + tessellation) {:.1} ms ({nodes} nodes)  (goal ≤ 500 ms)",
            ms(start.elapsed())
        );
    }

    let file = data_file();
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!("{} ({:.0} MB)", file.display(), size as f64 / 1e6);
    let model = iam_atlas::account::load_paths(std::slice::from_ref(&file), Default::default())
        .expect("load");
    let ctx = egui::Context::default();
    let _ = ctx.run_ui(input(), |ui| {
        ui.label("warm up");
    });
    let laid = |kind: GraphKind, grouping: &Grouping| {
        let start = Instant::now();
        let l = graph_view::compute(&model, kind, &Filter::default(), 1.6, grouping);
        println!(
            "{kind:?} graph, {}: {} nodes, {} edges, {} groups; build + aggregate + layout {:.0} ms",
            if l.groups.is_empty() {
                "one node per entity"
            } else {
                "aggregated"
            },
            l.graph.graph.node_count(),
            l.graph.graph.edge_count(),
            l.groups.len(),
            ms(start.elapsed())
        );
        l
    };
    // What opens: the aggregated graphs, fitted.
    for kind in [GraphKind::Trust, GraphKind::Identity] {
        let mut view = GraphView::default();
        view.show_laid(laid(kind, &Grouping::for_graph(kind)));
        measure(
            &format!("{kind:?}, aggregated, fitted"),
            &ctx,
            &mut view,
            &model,
            None,
        );
    }
    // One node per entity: 5,000 nodes in view, then the 50,403 of the whole identity graph.
    let identity = laid(GraphKind::Identity, &Grouping::none());
    let center = identity
        .pos
        .get(identity.pos.len() / 2)
        .copied()
        .unwrap_or_default();
    let mut view = GraphView::default();
    view.show_laid(identity);
    zoom_to(&ctx, &mut view, &model, center, 5_000);
    measure(
        "Identity, one node per entity, ~5,000 in view",
        &ctx,
        &mut view,
        &model,
        Some(5.0),
    );
    view.show_laid(laid(GraphKind::Identity, &Grouping::none()));
    measure(
        "Identity, one node per entity, whole graph in view",
        &ctx,
        &mut view,
        &model,
        Some(16.0),
    );
    let trust = laid(GraphKind::Trust, &Grouping::none());
    let center = trust
        .pos
        .get(trust.pos.len() / 2)
        .copied()
        .unwrap_or_default();
    let mut view = GraphView::default();
    view.show_laid(trust);
    zoom_to(&ctx, &mut view, &model, center, 5_000);
    measure(
        "Trust, one node per entity, ~5,000 in view",
        &ctx,
        &mut view,
        &model,
        Some(5.0),
    );
}
