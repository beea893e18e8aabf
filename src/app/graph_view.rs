//! The graph view: the identity or trust graph drawn with the painter, with pan, zoom, node dragging, hover
//! tooltips, culling and level of detail. Graphs, their aggregation and layouts come from [`crate::graph`];
//! for large models they are built and laid out on a background thread so that no frame waits for them.
//!
//! Large graphs are aggregated ([`graph::aggregate`](fn@crate::graph::aggregate)): one group node per set of roles with the same trusted
//! principals (per set of users with the same groups), risky edges always drawn alone. A group expands into
//! its members on click, and on its own when the view zooms in past [`EXPAND_ZOOM`] (semantic zoom); zooming
//! back out past [`COLLAPSE_ZOOM`] folds what the zoom expanded.

use super::Command;
use super::file_picker::FilePurpose;
use super::tasks::Slot;
use crate::account::{EntityRef, Model};
use crate::graph::{
    self, AtlasGraph, Change, EdgeKind, Filter, GraphKind, GroupKey, Grouping, NodeKind,
};
use eframe::egui::{self, Color32, Pos2, Rect, Sense, Stroke, Vec2};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Above this many entities the graph and its layout are computed off the UI thread.
const SYNC_LIMIT: usize = 3_000;
/// Labels are drawn from this zoom on (and always for the selection, hover and search matches).
const LABEL_ZOOM: f32 = 0.55;
/// Edge labels (conditions) from this zoom on.
const EDGE_LABEL_ZOOM: f32 = 0.8;
/// At most this many node labels per frame; the rest wait for more zoom.
const MAX_LABELS: usize = 400;
/// With more nodes than this in view, edges and nodes are drawn as one mesh.
const DENSE_NODES: usize = 1_500;
/// At most about this many edges are drawn in dense mode.
const MAX_DENSE_EDGES: usize = 12_000;
/// With at most this many nodes in view, every label is drawn whatever the zoom.
const FEW_NODES: usize = 120;
/// Room kept right of the rightmost nodes for their labels when fitting.
const LABEL_ROOM: f32 = 190.0;
/// The farthest out the view goes: an organisation's folds hold 40,000 roles each, discs 70,000 units across.
const MIN_ZOOM: f32 = 0.0005;
/// What a second snapshot added, in the overlay.
const ADDED: Color32 = Color32::from_rgb(90, 210, 110);
/// What it removed.
const REMOVED: Color32 = Color32::from_rgb(240, 170, 40);
/// With thousands of nodes in view, a group drawn smaller than this (in points) is drawn like any node.
const PROMINENT_GROUP: f32 = 6.0;
/// In dense mode, at most this many edges at groups are drawn one by one a frame.
const MAX_STORY_EDGES: usize = 4_000;
/// In dense mode, at most this many groups (the largest) are drawn as prominent.
const MAX_PROMINENT_GROUPS: usize = 300;
/// A prominent group seeks labels for this many of its neighbours at most.
const STORY_NEIGHBOURS: usize = 32;
/// Semantic zoom: from this zoom on, the groups in view expand into their members…
pub const EXPAND_ZOOM: f32 = 1.0;
/// …and below this one, what the zoom expanded folds back.
pub const COLLAPSE_ZOOM: f32 = 0.45;
/// At most this many members are expanded by one step of zoom.
const ZOOM_EXPAND_MEMBERS: usize = 600;

/// A graph with its layout, ready to draw.
pub struct Laid {
    /// The (filtered) graph.
    pub graph: AtlasGraph,
    /// Layout position of each node, indexed like the nodes.
    pub pos: Vec<Pos2>,
    /// The node kinds present, for the legend.
    pub node_kinds: Vec<NodeKind>,
    /// The edge kinds present, and whether flagged ones occur, for the legend.
    pub edge_kinds: Vec<(EdgeKind, bool)>,
    /// The group nodes of the graph and their members.
    pub groups: graph::Groups,
    /// How many risky edges ([`graph::Edge::is_flagged`]) of the whole graph are drawn (one drawn edge may
    /// stand for many between two accounts of the organisation).
    pub flagged_edges: usize,
    /// How many risky edges are drawn one by one.
    pub flagged_drawn: usize,
    /// How many edges of the graph each edge drawn stands for, once folded across accounts (else empty).
    pub edge_counts: Vec<usize>,
    /// The size of the smallest of the `MAX_PROMINENT_GROUPS` largest groups: smaller ones are specks when
    /// thousands of nodes are in view.
    pub prominent_size: usize,
    /// The groups a risky edge reaches (folded across accounts; drawn with a red rim).
    pub risky_groups: rustc_hash::FxHashSet<NodeIndex>,
    /// With a second snapshot: how many nodes and edges it added, and how many it removed.
    pub changes: Option<(usize, usize)>,
}

impl Laid {
    /// How many edges of the whole graph edge `e` stands for, when it was folded across accounts.
    pub fn folded_edges(&self, e: petgraph::graph::EdgeIndex) -> Option<usize> {
        self.edge_counts.get(e.index()).copied()
    }

    /// The node that shows entity `e`: its own or its group's.
    pub fn shown_node(&self, e: EntityRef) -> Option<NodeIndex> {
        self.graph
            .node_of(e)
            .or_else(|| self.groups.of(e).map(|g| g.node))
    }
}

/// Build, filter, aggregate and lay out a graph (pure; runs on any thread).
pub fn compute(
    model: &Model,
    kind: GraphKind,
    filter: &Filter,
    aspect: f32,
    grouping: &Grouping,
) -> Laid {
    lay_out(&graph::build(model, kind), None, filter, aspect, grouping)
}

/// A second snapshot's whole graph, and the index in the loaded model of each of its accounts (by id).
pub type Other<'a> = (&'a AtlasGraph, &'a [Option<u32>]);

/// The second snapshot `after` of `model`, as the overlay takes it: its graph of `kind` and its accounts'
/// indexes in `model` (pure; runs on any thread).
pub fn other(model: &Model, after: &Model, kind: GraphKind) -> (AtlasGraph, Vec<Option<u32>>) {
    let accounts = after
        .accounts
        .iter()
        .map(|a| model.account_index(&a.id))
        .collect();
    (graph::build(after, kind), accounts)
}

/// Overlay a second snapshot's graph when there is one, then filter, aggregate and lay out an already built
/// graph (pure; runs on any thread).
pub fn lay_out(
    full: &AtlasGraph,
    after: Option<Other<'_>>,
    filter: &Filter,
    aspect: f32,
    grouping: &Grouping,
) -> Laid {
    let kind = full.kind;
    let both;
    let full = match after {
        Some((a, accounts)) => {
            both = graph::overlay(full, a, |i| accounts.get(i as usize).copied().flatten());
            &both
        }
        None => full,
    };
    let changes = after.map(|_| {
        let count = |c: Change| {
            full.graph.node_weights().filter(|n| n.change == c).count()
                + full.graph.edge_weights().filter(|e| e.change == c).count()
        };
        (count(Change::Added), count(Change::Removed))
    });
    let shown = if filter.is_empty() {
        full.clone()
    } else {
        full.filtered(filter)
    };
    let aggregated = graph::aggregate(shown, grouping);
    let risky = aggregated.risky();
    let graph::Aggregated {
        graph,
        groups,
        edge_counts,
    } = aggregated;
    // A group weighs its members and takes their room.
    let (mut weight, mut radius) = (Vec::new(), Vec::new());
    if !groups.is_empty() {
        weight = vec![1.0; graph.graph.node_count()];
        radius = vec![0.0; graph.graph.node_count()];
        for x in groups.iter() {
            if let (Some(w), Some(r)) = (
                weight.get_mut(x.node.index()),
                radius.get_mut(x.node.index()),
            ) {
                *w = x.size() as f32;
                *r = graph::group_radius(x.size());
            }
        }
    }
    let pos = match kind {
        GraphKind::Identity => graph::layered_sized(&graph.graph, &radius),
        GraphKind::Trust => graph::clustered_sized(&graph.graph, aspect, &weight, &radius),
    };
    let mut node_kinds: Vec<NodeKind> = graph.graph.node_weights().map(|n| n.kind).collect();
    node_kinds.sort();
    node_kinds.dedup();
    let mut edge_kinds: Vec<(EdgeKind, bool)> = graph
        .graph
        .edge_weights()
        .map(|e| (e.kind, e.is_flagged()))
        .collect();
    edge_kinds.sort_by_key(|(k, f)| (*k as u8, *f));
    edge_kinds.dedup();
    Laid {
        pos: pos.into_iter().map(|p| Pos2::new(p.x, p.y)).collect(),
        changes,
        flagged_edges: risky.edges,
        flagged_drawn: risky.alone,
        risky_groups: risky.groups,
        edge_counts,
        prominent_size: {
            let mut sizes: Vec<usize> = groups.iter().map(graph::Group::size).collect();
            sizes.sort_unstable_by(|a, b| b.cmp(a));
            sizes.get(MAX_PROMINENT_GROUPS - 1).copied().unwrap_or(0)
        },
        graph,
        node_kinds,
        edge_kinds,
        groups,
    }
}

#[derive(Clone, PartialEq)]
struct Key {
    model: u64,
    kind: GraphKind,
    filter: Filter,
    grouping: Grouping,
    /// The generation of the second snapshot overlaid, if one is.
    after: Option<u64>,
}

/// Users, groups, roles and policies of `model`: above [`SYNC_LIMIT`] its graphs are built off the UI thread.
fn model_size(model: &Model) -> usize {
    model
        .accounts
        .iter()
        .map(|a| a.users.len() + a.groups.len() + a.roles.len() + a.policies.len())
        .sum()
}

/// The whole graphs last built, each with its model generation.
#[derive(Default)]
struct Built {
    identity: Option<(u64, Arc<AtlasGraph>)>,
    trust: Option<(u64, Arc<AtlasGraph>)>,
}

impl Built {
    fn slot(&mut self, kind: GraphKind) -> &mut Option<(u64, Arc<AtlasGraph>)> {
        match kind {
            GraphKind::Identity => &mut self.identity,
            GraphKind::Trust => &mut self.trust,
        }
    }

    fn get(&self, generation: u64, kind: GraphKind) -> Option<Arc<AtlasGraph>> {
        let slot = match kind {
            GraphKind::Identity => &self.identity,
            GraphKind::Trust => &self.trust,
        };
        slot.as_ref()
            .filter(|(g, _)| *g == generation)
            .map(|(_, a)| a.clone())
    }
}

/// The graph panel's state.
pub struct GraphView {
    /// Focus mode: only the selected entity's neighbourhood.
    pub focus: bool,
    /// How many hops out focus mode reaches.
    pub hops: usize,
    /// Only this account (index in the model) and the principals linked to it.
    pub account: Option<u32>,
    /// Node kinds not shown.
    pub hidden: Vec<NodeKind>,
    /// Search text: matching nodes are highlighted and labelled.
    pub search: String,
    /// Aggregate large graphs (fan-outs folded into group nodes).
    pub grouping: bool,
    /// A graph of several accounts with more nodes than this once grouped is folded across accounts
    /// ([`Grouping::across_above`]).
    pub across_above: usize,
    /// Overlay the snapshot the Changes view compares with: what it added and removed, coloured.
    pub changes: bool,
    /// A snapshot to compare with was there at the last update.
    changes_available: bool,
    /// Groups expanded by a click.
    expanded: BTreeSet<GroupKey>,
    /// Groups expanded by zooming in (semantic zoom): folded again when zooming out.
    zoom_expanded: BTreeSet<GroupKey>,
    /// The model generation the expansions belong to.
    expanded_for: u64,
    /// After an expansion, the entity to keep where it was on screen (offset from the canvas centre).
    anchor: Option<(EntityRef, Vec2)>,
    /// What is shown now.
    laid: Option<Laid>,
    key: Option<Key>,
    /// The layout being computed off the UI thread (the task runner: a panic in it is an error, not a crash).
    job: Slot<Key, (Arc<AtlasGraph>, Laid)>,
    /// Why the last layout or trust graph failed, shown in the view; and the input whose layout failed (not
    /// retried every frame).
    error: Option<String>,
    failed: Option<Key>,
    /// The model generation whose trust graph failed.
    trust_failed: Option<u64>,
    /// The whole graphs last built.
    built: Built,
    /// The trust graph being built for the details pane, and for which generation.
    trust_job: Slot<u64, Arc<AtlasGraph>>,
    /// Nodes in view in the last frame drawn.
    visible_nodes: usize,
    /// Screen offset of the layout origin from the canvas centre.
    pan: Vec2,
    zoom: f32,
    fit: bool,
    center_on: Option<EntityRef>,
    dragging: Option<NodeIndex>,
    /// Width / height of the canvas last drawn: the trust layout packs its clusters to it.
    aspect: f32,
    measured: bool,
    canvas_rect: Option<Rect>,
    /// Draw the escalation overlay: who can act as whom, and the selection's path to administrator.
    pub escalation: bool,
    /// The overlay for the model of this generation (`None` inside: the model is too large to draw every edge).
    esc: Option<(u64, Option<crate::escalate::Overlay>)>,
    /// The step of the selection's path the stepper shows, and for which selection.
    esc_step: usize,
    esc_for: Option<EntityRef>,
}

/// The overlay draws every escalation edge: only for models with at most this many users and roles.
const ESCALATION_LIMIT: usize = 3_000;

impl Default for GraphView {
    fn default() -> Self {
        GraphView {
            focus: false,
            hops: 2,
            account: None,
            hidden: Vec::new(),
            search: String::new(),
            grouping: true,
            across_above: graph::aggregate::ACROSS_ABOVE,
            changes: false,
            changes_available: false,
            expanded: BTreeSet::new(),
            zoom_expanded: BTreeSet::new(),
            expanded_for: 0,
            anchor: None,
            laid: None,
            key: None,
            job: Slot::default(),
            error: None,
            failed: None,
            trust_failed: None,
            built: Built::default(),
            trust_job: Slot::default(),
            visible_nodes: 0,
            pan: Vec2::ZERO,
            zoom: 1.0,
            fit: true,
            center_on: None,
            dragging: None,
            aspect: 1.0,
            measured: false,
            canvas_rect: None,
            escalation: false,
            esc: None,
            esc_step: 0,
            esc_for: None,
        }
    }
}

impl GraphView {
    /// The escalation stepper above the canvas: the selection's path to administrator, one step at a time,
    /// with the evaluator's decision of each request. Returns the path as (from, to, certain) for drawing.
    fn escalation_stepper(
        &mut self,
        ui: &mut egui::Ui,
        selected: Option<EntityRef>,
    ) -> Vec<(EntityRef, Option<EntityRef>, bool)> {
        let o = match &self.esc {
            Some((_, Some(o))) => o,
            Some((_, None)) => {
                ui.weak(format!(
                    "Escalation: more than {ESCALATION_LIMIT} users and roles to draw every edge; use `iam-atlas escalate`"
                ));
                return Vec::new();
            }
            None => return Vec::new(),
        };
        if self.esc_for != selected {
            self.esc_for = selected;
            self.esc_step = 0;
        }
        let Some(sel) = selected else {
            ui.weak("Escalation: select a user or role to step through its path to administrator");
            return Vec::new();
        };
        if o.admins.contains(&sel) {
            ui.label("Escalation: the selection already is administrator");
            return Vec::new();
        }
        let path: Vec<(EntityRef, Option<EntityRef>, crate::escalate::Step)> = o
            .path(sel)
            .into_iter()
            .map(|(a, b, s)| (a, b, s.clone()))
            .collect();
        if path.is_empty() {
            ui.label("Escalation: no path from the selection to administrator");
            return Vec::new();
        }
        let n = path.len();
        self.esc_step = self.esc_step.min(n - 1);
        ui.horizontal(|ui| {
            ui.strong("Escalation path");
            if ui
                .add_enabled(self.esc_step > 0, egui::Button::new("Previous step"))
                .clicked()
            {
                self.esc_step -= 1;
            }
            ui.label(format!("step {} of {n}", self.esc_step + 1));
            if ui
                .add_enabled(self.esc_step + 1 < n, egui::Button::new("Next step"))
                .clicked()
            {
                self.esc_step += 1;
            }
        });
        if let Some((_, _, st)) = path.get(self.esc_step) {
            let short = |a: &str| a.rsplit(':').next().unwrap_or(a).to_string();
            ui.label(format!(
                "{} -> {}  [{}]{}{}",
                short(&st.from),
                short(&st.to),
                st.technique,
                if st.cross_account {
                    " (cross-account)"
                } else {
                    ""
                },
                if st.certain { "" } else { " (possible)" }
            ));
            ui.weak(&st.summary);
            for q in &st.requests {
                ui.label(format!("{:?} {} on {}", q.decision, q.action, q.resource));
                for s in &q.statements {
                    ui.weak(format!("    by {s}"));
                }
            }
            if !st.conditions.is_empty() {
                ui.weak(format!("if {}", st.conditions.join(" and ")));
            }
            if let Some(x) = &st.settle {
                ui.weak(format!("to settle: {x}"));
            }
        }
        path.into_iter()
            .map(|(a, b, s)| (a, b, s.certain))
            .collect()
    }
}

/// Colour of a node kind.
pub fn kind_color(kind: NodeKind) -> Color32 {
    match kind {
        NodeKind::User => Color32::from_rgb(86, 156, 214),
        NodeKind::Group => Color32::from_rgb(78, 201, 176),
        NodeKind::Role => Color32::from_rgb(197, 134, 192),
        NodeKind::Policy => Color32::from_rgb(220, 180, 90),
        NodeKind::InlinePolicy => Color32::from_rgb(170, 150, 110),
        NodeKind::InstanceProfile => Color32::from_rgb(120, 170, 120),
        NodeKind::Account => Color32::from_rgb(100, 180, 240),
        NodeKind::Service => Color32::from_rgb(230, 140, 60),
        NodeKind::Saml => Color32::from_rgb(150, 200, 90),
        NodeKind::Oidc => Color32::from_rgb(90, 200, 150),
        NodeKind::Anyone => Color32::from_rgb(235, 70, 70),
        NodeKind::External => Color32::from_rgb(160, 160, 160),
        NodeKind::Person => Color32::from_rgb(79, 143, 208),
        NodeKind::PersonGroup => Color32::from_rgb(63, 179, 154),
        NodeKind::PermissionSet => Color32::from_rgb(208, 143, 79),
    }
}

fn edge_color(kind: EdgeKind, flagged: bool, dark: bool) -> Color32 {
    if flagged {
        return Color32::from_rgb(235, 80, 80);
    }
    let c = match kind {
        EdgeKind::MemberOf => Color32::from_rgb(78, 201, 176),
        EdgeKind::Attached => Color32::from_rgb(150, 150, 150),
        EdgeKind::Inline => Color32::from_rgb(170, 150, 110),
        EdgeKind::Boundary => Color32::from_rgb(230, 140, 60),
        EdgeKind::Trusts => Color32::from_rgb(140, 140, 200),
        EdgeKind::Holds => Color32::from_rgb(120, 170, 120),
        EdgeKind::Assigned => Color32::from_rgb(208, 143, 79),
        EdgeKind::Provisions => Color32::from_rgb(197, 134, 192),
    };
    if dark { c } else { c.gamma_multiply(0.8) }
}

impl GraphView {
    /// The graph shown now, if its layout is ready.
    pub fn laid(&self) -> Option<&Laid> {
        self.laid.as_ref()
    }

    /// Where the canvas was last drawn (PNG export crops the window's picture to it).
    pub fn canvas_rect(&self) -> Option<Rect> {
        self.canvas_rect
    }

    /// True while a graph or a layout is computed in the background.
    pub fn is_computing(&self) -> bool {
        self.job.busy() || self.trust_job.busy()
    }

    /// How many nodes were in view in the last frame drawn.
    pub fn visible_nodes(&self) -> usize {
        self.visible_nodes
    }

    /// The aggregation the view asks for now.
    fn grouping_for(&self, kind: GraphKind, selected: Option<EntityRef>) -> Grouping {
        if !self.grouping {
            return Grouping::none();
        }
        let mut g = Grouping::for_graph(kind);
        g.across_above = self.across_above;
        g.expanded = self.expanded.union(&self.zoom_expanded).copied().collect();
        if self.focus {
            g.keep = selected.into_iter().collect();
        }
        g
    }

    /// Drop the whole graphs built so far (the model changed in place).
    pub fn forget_built(&mut self) {
        self.built = Built::default();
    }

    /// The whole graph of `kind` for `generation`, if it is built.
    fn built(&self, generation: u64, kind: GraphKind) -> Option<Arc<AtlasGraph>> {
        self.built.get(generation, kind)
    }

    /// The whole trust graph of `model` (for the details pane's "who may assume it"): at once for a small
    /// model, else built on a background thread (`None` until it is ready), and shared with the view.
    pub fn trust_graph(
        &mut self,
        ctx: &egui::Context,
        model: &Arc<Model>,
    ) -> Option<Arc<AtlasGraph>> {
        let generation = model.generation();
        // A trust graph of an older model is dropped (and told to stop); a finished one for this model is kept.
        if let Some((k, r)) = self.trust_job.poll(|k| *k == generation) {
            match r {
                Ok(g) => *self.built.slot(GraphKind::Trust) = Some((k, g)),
                Err(e) => {
                    self.error = Some(e.to_string());
                    self.trust_failed = Some(k);
                }
            }
        }
        if let Some(g) = self.built(generation, GraphKind::Trust) {
            return Some(g);
        }
        // Running, or failed for this model (said in the view, not retried every frame).
        if self.trust_job.is_running(&generation) || self.trust_failed == Some(generation) {
            return None;
        }
        // A layout of the trust graph on its way builds it too.
        if self
            .job
            .running()
            .is_some_and(|k| k.model == generation && k.kind == GraphKind::Trust)
        {
            return None;
        }
        if model_size(model) <= SYNC_LIMIT {
            let g = Arc::new(graph::trust_graph(model));
            *self.built.slot(GraphKind::Trust) = Some((generation, g.clone()));
            return Some(g);
        }
        let m = model.clone();
        self.trust_job
            .start(ctx, "trust graph", generation, move |_| {
                Arc::new(graph::trust_graph(&m))
            });
        None
    }

    /// Show an already computed layout (benchmarks; the app goes through [`GraphView::update`]).
    pub fn show_laid(&mut self, laid: Laid) {
        self.laid = Some(laid);
        self.key = None;
        self.fit = true;
    }

    /// Look at layout point `center` at `zoom` (benchmarks and scripted views).
    pub fn look_at(&mut self, center: Pos2, zoom: f32) {
        self.fit = false;
        self.zoom = zoom;
        self.pan = -center.to_vec2() * zoom;
    }

    /// Centre the view on `r` once its layout is ready (the details pane's "Show in graph").
    pub fn center_on(&mut self, r: EntityRef) {
        self.center_on = Some(r);
    }

    /// Labels of the nodes a person would see drawn now (for tests and screenshots).
    pub fn filter_for(&self, selected: Option<EntityRef>) -> Filter {
        Filter {
            account: self.account,
            hidden_kinds: self.hidden.clone(),
            focus: if self.focus {
                selected.map(|s| (s, self.hops))
            } else {
                None
            },
        }
    }

    /// Make sure the layout for (model, kind, filter) is shown or being computed; `after` is the snapshot the
    /// Changes view compares the model with, overlaid when [`GraphView::changes`] is on.
    pub fn update(
        &mut self,
        ctx: &egui::Context,
        model: &Arc<Model>,
        kind: GraphKind,
        selected: Option<EntityRef>,
        after: Option<&Arc<Model>>,
    ) {
        self.changes_available = after.is_some();
        let after = after.filter(|_| self.changes);
        if !self.measured {
            // Before the canvas is first drawn, guess its shape from the window (minus the details pane).
            let r = ctx.content_rect();
            if r.height() > 200.0 {
                self.aspect = (r.width() - 340.0 - 2.0 * LABEL_ROOM) / (r.height() - 150.0);
            }
        }
        let generation = model.generation();
        if self.expanded_for != generation {
            self.expanded_for = generation;
            self.expanded.clear();
            self.zoom_expanded.clear();
        }
        let key = Key {
            model: generation,
            kind,
            filter: self.filter_for(selected),
            grouping: self.grouping_for(kind, selected),
            after: after.map(|a| a.generation()),
        };
        if let Some((k, r)) = self.job.poll(|_| true) {
            match r {
                Ok((built, laid)) => {
                    *self.built.slot(k.kind) = Some((k.model, built));
                    self.install(k, laid);
                }
                // A layout that failed (a panic in it) is said in the view, not retried every frame for the
                // same input.
                Err(e) => {
                    self.error = Some(e.to_string());
                    self.failed = Some(k);
                }
            }
        }
        if self.key.as_ref() == Some(&key)
            || self.job.is_running(&key)
            || self.failed.as_ref() == Some(&key)
        {
            return;
        }
        self.error = None;
        self.failed = None;
        // Build the whole graph once per model; filter, aggregate and lay out per view. Only a small model's
        // work runs inside the frame.
        let built = self.built(generation, kind);
        if model_size(model) <= SYNC_LIMIT && after.is_none_or(|a| model_size(a) <= SYNC_LIMIT) {
            let built = built.unwrap_or_else(|| Arc::new(graph::build(model, kind)));
            *self.built.slot(kind) = Some((generation, built.clone()));
            let other = after.map(|a| other(model, a, kind));
            let other = other.as_ref().map(|(g, a)| (g, a.as_slice()));
            let laid = lay_out(&built, other, &key.filter, self.aspect, &key.grouping);
            self.install(key, laid);
        } else {
            let model = model.clone();
            let after = after.cloned();
            let (filter, grouping, aspect) =
                (key.filter.clone(), key.grouping.clone(), self.aspect);
            self.job.start(ctx, "graph layout", key, move |_| {
                let built = built.unwrap_or_else(|| Arc::new(graph::build(&model, kind)));
                let other = after.map(|a| other(&model, &a, kind));
                let other = other.as_ref().map(|(g, a)| (g, a.as_slice()));
                let laid = lay_out(&built, other, &filter, aspect, &grouping);
                (built, laid)
            });
        }
    }

    fn install(&mut self, key: Key, laid: Laid) {
        let same_graph = self
            .key
            .as_ref()
            .is_some_and(|k| k.model == key.model && k.kind == key.kind);
        if let Some((e, offset)) = self.anchor.take() {
            // An expansion or a fold: what was under the eye stays there, at the same zoom.
            if let Some(p) = laid.shown_node(e).and_then(|n| laid.pos.get(n.index())) {
                self.fit = false;
                self.pan = offset - p.to_vec2() * self.zoom;
            }
        } else if !same_graph || key.filter.focus.is_some() || self.key.as_ref() != Some(&key) {
            self.fit = true;
        }
        self.key = Some(key);
        self.laid = Some(laid);
        self.dragging = None;
    }

    /// Expand group `key`, keeping `member` at `offset` from the canvas centre.
    fn expand(&mut self, key: GroupKey, member: Option<EntityRef>, offset: Vec2) {
        if self.expanded.insert(key) {
            self.anchor = member.map(|m| (m, offset));
        }
    }

    /// The graph as drawn, in Graphviz DOT (none before the first layout).
    pub fn dot_text(&self) -> Option<String> {
        self.laid.as_ref().map(|l| l.graph.to_dot())
    }

    /// The graph as drawn, in SVG with its laid-out positions (none before the first layout).
    pub fn svg_text(&self) -> Option<String> {
        self.laid.as_ref().map(|laid| {
            let pos: Vec<graph::Pos> = laid
                .pos
                .iter()
                .map(|p| graph::Pos { x: p.x, y: p.y })
                .collect();
            laid.graph.to_svg(&pos)
        })
    }

    /// The toolbar: search, focus, account, kinds, fit, export.
    pub fn toolbar(&mut self, ui: &mut egui::Ui, model: &Model, commands: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Search");
            ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("highlight nodes")
                    .desired_width(160.0),
            )
            .labelled_by(label.id);
            ui.separator();
            ui.checkbox(&mut self.focus, "Focus on selection")
                .on_hover_text("Show only the selected entity's neighbourhood");
            ui.add_enabled(
                self.focus,
                egui::DragValue::new(&mut self.hops)
                    .range(1..=6)
                    .suffix(" hops"),
            );
            ui.separator();
            let current = match self.account.and_then(|a| model.accounts.get(a as usize)) {
                Some(a) => a.label(),
                None => "All accounts".to_string(),
            };
            egui::ComboBox::new("graph-account", "Account")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.account, None, "All accounts");
                    for (i, a) in model.accounts.iter().enumerate() {
                        ui.selectable_value(&mut self.account, Some(i as u32), a.label());
                    }
                });
            ui.menu_button("Kinds", |ui| {
                for k in NodeKind::ALL {
                    let mut shown = !self.hidden.contains(&k);
                    if ui.checkbox(&mut shown, k.name()).changed() {
                        if shown {
                            self.hidden.retain(|h| *h != k);
                        } else {
                            self.hidden.push(k);
                        }
                    }
                }
            });
            if ui.button("Fit").clicked() {
                self.fit = true;
            }
            ui.add_enabled(
                self.changes_available,
                egui::Checkbox::new(&mut self.changes, "Changes overlay"),
            )
            .on_hover_text(
                "Overlay the snapshot the Changes view compares with (File > Compare with snapshot…): what it \
                 added in green, what it removed in amber",
            );
            ui.checkbox(&mut self.grouping, "Group").on_hover_text(format!(
                "In graphs of more than {} nodes, fold the roles trusted by the same principals (the users with \
                 the same groups) into one node; risky trusts stay drawn one by one. Click a group, or zoom in, \
                 to expand it",
                graph::aggregate::AGGREGATE_ABOVE
            ));
            if (!self.expanded.is_empty() || !self.zoom_expanded.is_empty())
                && ui.button("Fold groups").clicked()
            {
                self.expanded.clear();
                self.zoom_expanded.clear();
            }
            ui.checkbox(&mut self.escalation, "Escalation").on_hover_text(
                "Draw who can act as whom (escalation techniques, possible ones dashed) and step through the \
                 selected principal's shortest path to administrator",
            );
            let key = model.generation();
            if self.escalation && self.esc.as_ref().is_none_or(|(k, _)| *k != key) {
                self.esc = Some((key, crate::escalate::Overlay::compute(model, ESCALATION_LIMIT)));
            }
            let laid = self.laid.is_some();
            for (label, purpose) in [
                ("Export DOT…", FilePurpose::ExportDot),
                ("Export PNG…", FilePurpose::ExportPng),
                ("Export SVG…", FilePurpose::ExportSvg),
            ] {
                if ui.add_enabled(laid, egui::Button::new(label)).clicked() {
                    commands.push(Command::PickFile(purpose));
                }
            }
            if let Some(l) = &self.laid {
                let mut text = format!(
                    "{} nodes · {} edges",
                    graph::aggregate::thousands(l.graph.graph.node_count()),
                    graph::aggregate::thousands(l.graph.graph.edge_count())
                );
                if !l.groups.is_empty() {
                    text.push_str(&format!(
                        " · {} {} {}",
                        graph::aggregate::thousands(l.groups.len()),
                        if l.groups.len() == 1 {
                            "group holds"
                        } else {
                            "groups hold"
                        },
                        graph::aggregate::thousands(l.groups.members())
                    ));
                }
                ui.weak(text);
            }
            if self.job.busy() {
                ui.spinner();
                ui.weak("laying out…");
            }
            if let Some(e) = &self.error {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
        });
    }

    /// Draw the canvas: culling, level of detail, interaction. Clicking a node selects its entity.
    #[expect(
        clippy::indexing_slicing,
        reason = "`laid.pos` and `visible` have one entry per node of `laid.graph`, indexed by its node indexes"
    )]
    pub fn canvas(
        &mut self,
        ui: &mut egui::Ui,
        selected: Option<EntityRef>,
        commands: &mut Vec<Command>,
    ) {
        if let Some(laid) = &self.laid {
            legend_ui(ui, laid);
        }
        let esc_path = if self.escalation {
            self.escalation_stepper(ui, selected)
        } else {
            Vec::new()
        };
        let esc_step = self.esc_step;
        let (resp, painter) = ui.allocate_painter(ui.available_size(), Sense::click_and_drag());
        let rect = resp.rect;
        self.canvas_rect = Some(rect);
        if rect.height() > 50.0 {
            self.aspect = (rect.width() - 2.0 * LABEL_ROOM) / rect.height();
            self.measured = true;
        }
        let dark = ui.visuals().dark_mode;
        painter.rect_filled(rect, 0.0, ui.visuals().extreme_bg_color);
        let Some(laid) = &mut self.laid else {
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                if self.job.busy() {
                    "laying out the graph…"
                } else {
                    "nothing to show"
                },
                egui::FontId::proportional(16.0),
                ui.visuals().weak_text_color(),
            );
            return;
        };
        let g = &laid.graph;
        let groups = &laid.groups;
        let shown = |e: EntityRef| g.node_of(e).or_else(|| groups.of(e).map(|x| x.node));
        if laid.pos.is_empty() {
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "no nodes: widen the filters",
                egui::FontId::proportional(16.0),
                ui.visuals().weak_text_color(),
            );
            return;
        }
        // Fit (kept up while the canvas resizes, until the user pans or zooms), or centre when asked.
        if self.fit {
            // Room for the legend on the left and for labels on the right.
            let room = Rect::from_min_max(
                rect.min + Vec2::new(LABEL_ROOM, 24.0),
                rect.max - Vec2::new(LABEL_ROOM, 24.0),
            );
            // Every node's centre, and the whole disc of every group.
            let bb = groups.iter().fold(Rect::from_points(&laid.pos), |bb, x| {
                let r = graph::group_radius(x.size());
                laid.pos.get(x.node.index()).map_or(bb, |p| {
                    bb.union(Rect::from_center_size(*p, Vec2::splat(2.0 * r)))
                })
            });
            let z = (room.width().max(50.0) / bb.width().max(1.0))
                .min(room.height().max(50.0) / bb.height().max(1.0))
                .clamp(MIN_ZOOM, 1.2);
            self.zoom = z;
            self.pan = room.center() - rect.center() - bb.center().to_vec2() * z;
        }
        if let Some(r) = self.center_on.take() {
            match shown(r) {
                Some(n) => {
                    self.fit = false;
                    self.zoom = self.zoom.max(1.0);
                    self.pan = -laid.pos[n.index()].to_vec2() * self.zoom;
                }
                None if self.job.busy() => self.center_on = Some(r),
                None => {}
            }
        }
        // Zoom about the pointer.
        if let Some(hover) = resp.hover_pos() {
            let (scroll, pinch) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
            let factor = (scroll * 0.0025).exp() * pinch;
            if factor != 1.0 {
                self.fit = false;
                let new_zoom = (self.zoom * factor).clamp(MIN_ZOOM, 6.0);
                let origin = rect.center() + self.pan;
                let world = (hover - origin) / self.zoom;
                self.zoom = new_zoom;
                self.pan = hover - rect.center() - world * new_zoom;
            }
        }
        let origin = rect.center() + self.pan;
        let zoom = self.zoom;
        let to_screen = |p: Pos2| origin + p.to_vec2() * zoom;
        let radius = (7.0 * zoom).clamp(1.5, 9.0);
        // A group node is a disc with the room of its members (its area tells how many it holds), and stays
        // visible however far out the view is.
        let node_radius = |n: NodeIndex| match groups.at(n) {
            Some(x) => {
                let log = (x.size().max(1) as f32).log10();
                (graph::group_radius(x.size()) * zoom).max(3.0 + 2.2 * log)
            }
            None => radius,
        };
        let view = rect.expand(radius + 2.0);
        // Culling: nodes inside the view.
        let visible: Vec<bool> = laid
            .pos
            .iter()
            .map(|&p| view.contains(to_screen(p)))
            .collect();
        let visible_count = visible.iter().filter(|v| **v).count();
        self.visible_nodes = visible_count;
        // Semantic zoom: zoomed in, the groups in view (nearest the centre first) expand into their members;
        // zoomed out, what the zoom expanded folds back, the entity nearest the centre kept in place.
        if zoom >= EXPAND_ZOOM && !self.fit && self.dragging.is_none() && !groups.is_empty() {
            let mut near: Vec<(f32, &graph::Group)> = groups
                .iter()
                .filter(|x| rect.contains(to_screen(laid.pos[x.node.index()])))
                .map(|x| {
                    let d = (to_screen(laid.pos[x.node.index()]) - rect.center()).length_sq();
                    (d, x)
                })
                .collect();
            near.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut budget = ZOOM_EXPAND_MEMBERS;
            for (_, x) in near {
                if x.size() > budget || self.expanded.contains(&x.key) {
                    continue;
                }
                budget -= x.size();
                if self.zoom_expanded.insert(x.key) {
                    ui.ctx().request_repaint();
                    if self.anchor.is_none() {
                        let at = to_screen(laid.pos[x.node.index()]) - rect.center();
                        self.anchor = x.members.first().map(|m| (*m, at));
                    }
                }
            }
        } else if zoom < COLLAPSE_ZOOM && !self.zoom_expanded.is_empty() {
            self.zoom_expanded.clear();
            ui.ctx().request_repaint();
            if !self.fit {
                let nearest = laid
                    .pos
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| {
                        let e = g.graph[NodeIndex::new(i)].entity?;
                        Some((
                            (to_screen(*p) - rect.center()).length_sq(),
                            e,
                            to_screen(*p),
                        ))
                    })
                    .min_by(|a, b| a.0.total_cmp(&b.0));
                self.anchor = nearest.map(|(_, e, at)| (e, at - rect.center()));
            }
        }
        // Level of detail: labels when zoomed in enough, or when few nodes are in view.
        let show_labels = zoom >= LABEL_ZOOM || (visible_count <= FEW_NODES && zoom >= 0.25);
        // Hover: nearest visible node under the pointer.
        let pointer = resp.hover_pos();
        let mut hovered: Option<NodeIndex> = None;
        if let Some(p) = pointer {
            let mut best = f32::INFINITY;
            for (i, &pos) in laid.pos.iter().enumerate() {
                if !visible[i] {
                    continue;
                }
                let d = (to_screen(pos) - p).length_sq();
                let reach = (node_radius(NodeIndex::new(i)) + 4.0).powi(2);
                if d <= reach && d <= best {
                    best = d;
                    hovered = Some(NodeIndex::new(i));
                }
            }
        }
        // Dragging moves a node, or pans.
        if resp.drag_started() {
            self.dragging = hovered;
        }
        if resp.dragged() {
            let d = resp.drag_delta();
            match self.dragging {
                Some(n) => {
                    if let Some(p) = laid.pos.get_mut(n.index()) {
                        *p += d / zoom;
                    }
                }
                None => {
                    self.fit = false;
                    self.pan += d;
                }
            }
        }
        if resp.drag_stopped() {
            self.dragging = None;
        }
        // A click opens an entity, or expands a group (after drawing: the layout is borrowed until then).
        let mut expand: Option<(GroupKey, Option<EntityRef>, Vec2)> = None;
        if resp.clicked()
            && let Some(n) = hovered
        {
            if let Some(x) = groups.at(n) {
                let at = to_screen(laid.pos[n.index()]) - rect.center();
                expand = Some((x.key, x.members.first().copied(), at));
            } else if let Some(e) = g.graph[n].entity {
                commands.push(Command::Select(e));
            }
        }
        let sel_node = selected.and_then(shown);
        let search = self.search.trim().to_lowercase();
        let is_match = |n: NodeIndex| {
            !search.is_empty() && {
                let w = &g.graph[n];
                w.label.to_lowercase().contains(&search)
                    || w.detail.to_lowercase().contains(&search)
            }
        };
        // Edges: only the part inside the view is drawn (clipped), none when the segment misses it.
        let focus_set = |n: NodeIndex| Some(n) == sel_node || Some(n) == hovered;
        let thin = zoom < 0.2;
        // Level of detail: with many nodes in view, edges and nodes go into one mesh (no arrows, dashes or
        // circles), which costs a fraction of one shape each.
        let dense = visible_count > DENSE_NODES;
        let mut mesh = egui::Mesh::default();
        let mut edge_labels = Vec::new();
        // In dense mode a sample of the edges shows their flow; the selection's and hovered node's always.
        let stride = if dense {
            (g.graph.edge_count() / MAX_DENSE_EDGES).max(1)
        } else {
            1
        };
        // A group tells its story (drawn on its own, its edges all drawn, its label sought) unless thousands of
        // nodes are in view and it is a speck among them.
        // In dense mode, only the largest groups tell theirs (an organisation's folds are tens of thousands).
        let prominent_size = laid.prominent_size;
        let at_group = |n: NodeIndex| {
            groups.at(n).is_some_and(|x| {
                !dense || (node_radius(n) >= PROMINENT_GROUP && x.size() >= prominent_size)
            })
        };
        // Once per node, not once per edge end: an organisation's graph has hundreds of thousands of edges.
        let prominent: Vec<bool> = if groups.is_empty() {
            vec![false; laid.pos.len()]
        } else {
            (0..laid.pos.len())
                .map(|i| at_group(NodeIndex::new(i)))
                .collect()
        };
        let at_group = |n: NodeIndex| prominent.get(n.index()).copied().unwrap_or(false);
        // A group's edges are drawn one by one up to this many a frame; past it (an organisation's policy folds
        // have tens of thousands of edges) they are sampled and meshed like the others.
        let mut story_budget = MAX_STORY_EDGES;
        for e in g.graph.edge_references() {
            // What a second snapshot changed is always drawn, like a group's edges.
            let changed = e.weight().change;
            let story = (at_group(e.source()) || at_group(e.target()) || changed != Change::Same)
                && (!dense || story_budget > 0);
            if story && dense {
                story_budget -= 1;
            }
            if stride > 1
                && e.id().index() % stride != 0
                && !focus_set(e.source())
                && !focus_set(e.target())
                && !story
            {
                continue;
            }
            let (a, b) = (e.source().index(), e.target().index());
            let (mut pa0, mut pb0) = (to_screen(laid.pos[a]), to_screen(laid.pos[b]));
            if story {
                // From rim to rim: a group's disc is not crossed.
                let dir = (pb0 - pa0).normalized();
                if at_group(e.source()) {
                    pa0 += dir * node_radius(e.source());
                }
                if at_group(e.target()) {
                    pb0 -= dir * (node_radius(e.target()) - radius);
                }
            }
            let Some((pa, pb)) = clip(pa0, pb0, view) else {
                continue;
            };
            let w = e.weight();
            let strong = focus_set(e.source()) || focus_set(e.target());
            let mut color = match changed {
                Change::Same => edge_color(w.kind, w.is_flagged(), dark),
                Change::Added => ADDED,
                Change::Removed => REMOVED,
            };
            if !strong && sel_node.is_some() {
                color = color.gamma_multiply(0.45);
            }
            if dense && !strong && !story {
                mesh_line(&mut mesh, pa, pb, 0.7, color.gamma_multiply(0.6));
                continue;
            }
            // An edge at a group stands for one edge per member (or, folded across accounts, for as many as
            // it counts): its width grows with them.
            let members = laid.folded_edges(e.id()).unwrap_or_else(|| {
                groups
                    .at(e.source())
                    .or_else(|| groups.at(e.target()))
                    .map_or(1, |x| x.size())
            });
            let width = if strong {
                2.0
            } else if thin && !story {
                0.6
            } else {
                1.2
            } + 0.9 * (members as f32).log10();
            let stroke = Stroke::new(width, color);
            if (w.kind == EdgeKind::Boundary || changed == Change::Removed) && !thin {
                painter.extend(egui::Shape::dashed_line(&[pa, pb], stroke, 6.0, 4.0));
            } else {
                painter.line_segment([pa, pb], stroke);
            }
            if zoom >= 0.35 && visible[b] {
                // Arrow head at the target's rim.
                let (pa, pb) = (pa0, pb0);
                let dir = (pb - pa).normalized();
                let tip = pb - dir * (radius + 1.0);
                let side = dir.rot90() * 4.0;
                let back = tip - dir * 8.0;
                painter.add(egui::Shape::convex_polygon(
                    vec![tip, back + side, back - side],
                    color,
                    Stroke::NONE,
                ));
            }
            if (zoom >= EDGE_LABEL_ZOOM || strong || (show_labels && zoom >= 0.45))
                && !w.conditions.is_empty()
            {
                let mut text = w.label();
                if !strong && text.chars().count() > 48 {
                    text = text.chars().take(47).collect::<String>() + "…";
                }
                // Only the selection's edges are labelled whatever else is there.
                edge_labels.push((
                    pa0.lerp(pb0, 0.6) - Vec2::new(0.0, 14.0),
                    text,
                    color,
                    !strong,
                ));
            }
        }
        // The escalation overlay: every edge (possible ones dashed), administrators ringed, the selection's
        // path in red with the stepper's current step thicker.
        if self.escalation
            && let Some((_, Some(o))) = &self.esc
        {
            let esc_color = Color32::from_rgb(235, 140, 40);
            let at = |r: EntityRef| {
                shown(r)
                    .and_then(|n| laid.pos.get(n.index()))
                    .map(|p| to_screen(*p))
            };
            for (a, b, certain) in &o.edges {
                let (Some(pa), Some(pb)) = (at(*a), at(*b)) else {
                    continue;
                };
                let Some((pa, pb)) = clip(pa, pb, view) else {
                    continue;
                };
                let stroke = Stroke::new(1.4, esc_color.gamma_multiply(0.75));
                if *certain {
                    painter.line_segment([pa, pb], stroke);
                } else {
                    painter.extend(egui::Shape::dashed_line(&[pa, pb], stroke, 5.0, 4.0));
                }
            }
            for a in &o.admins {
                if let Some(c) = at(*a) {
                    painter.circle_stroke(
                        c,
                        radius + 6.0,
                        Stroke::new(2.0, Color32::from_rgb(220, 50, 50)),
                    );
                }
            }
            for (k, (from, to, certain)) in esc_path.iter().enumerate() {
                let current = k == esc_step;
                let color = if current {
                    Color32::from_rgb(255, 60, 60)
                } else {
                    Color32::from_rgb(200, 40, 40)
                };
                let width = if current { 5.0 } else { 3.0 };
                let Some(pa) = at(*from) else { continue };
                match to.and_then(at) {
                    Some(pb) => {
                        let stroke = Stroke::new(width, color);
                        if *certain {
                            painter.line_segment([pa, pb], stroke);
                        } else {
                            painter.extend(egui::Shape::dashed_line(&[pa, pb], stroke, 8.0, 5.0));
                        }
                        let dir = (pb - pa).normalized();
                        let tip = pb - dir * (radius + 1.0);
                        let side = dir.rot90() * 6.0;
                        let back = tip - dir * 12.0;
                        painter.add(egui::Shape::convex_polygon(
                            vec![tip, back + side, back - side],
                            color,
                            Stroke::NONE,
                        ));
                    }
                    // It gives itself every permission.
                    None => {
                        painter.circle_stroke(pa, radius + 9.0, Stroke::new(width, color));
                    }
                }
            }
        }
        // Nodes.
        let cells_w = (rect.width() as usize / 2 + 2).max(1);
        let mut taken = if dense {
            vec![false; cells_w * (rect.height() as usize / 2 + 2)]
        } else {
            Vec::new()
        };
        let mut labels = 0usize;
        let label_bg = ui.visuals().extreme_bg_color.gamma_multiply(0.85);
        let text_color = ui.visuals().text_color();
        let font = egui::FontId::proportional(12.5 * zoom.clamp(0.8, 1.0));
        // Labels drawn after the nodes: the wanted ones as met, then the story's (groups, largest first, and
        // the nodes they hang on) wherever they find room.
        let mut wanted: Vec<(usize, u8)> = Vec::new();
        let mut story: Vec<(usize, usize, usize)> = Vec::new();
        for (i, &p) in laid.pos.iter().enumerate() {
            if !visible[i] {
                continue;
            }
            let n = NodeIndex::new(i);
            let w = &g.graph[n];
            let c = to_screen(p);
            let group = groups.at(n);
            let prominent = at_group(n);
            let special = Some(n) == sel_node
                || Some(n) == hovered
                || w.flagged
                || prominent
                || w.change != Change::Same;
            if dense && !special && search.is_empty() {
                // One node per 2×2 pixel cell: the rest would be drawn over it.
                let cell = ((c.y - rect.top()).max(0.0) as usize / 2) * cells_w
                    + ((c.x - rect.left()).max(0.0) as usize / 2).min(cells_w - 1);
                match taken.get_mut(cell) {
                    Some(t) if *t => continue,
                    Some(t) => *t = true,
                    None => {}
                }
                mesh.add_colored_rect(
                    Rect::from_center_size(c, Vec2::splat(radius * 1.6)),
                    kind_color(w.kind),
                );
                continue;
            }
            let r = node_radius(n);
            // A fold across accounts that risky trusts reach (between the organisation's accounts, counted on
            // its edges) has a red rim: its edge may be short beside so large a disc.
            let risky_fold = group.is_some() && laid.risky_groups.contains(&n);
            if group.is_some() && r > 14.0 {
                // A large group: a translucent disc with a rim, its story written inside.
                painter.circle_filled(c, r, kind_color(w.kind).gamma_multiply(0.28));
                let rim = if risky_fold {
                    Stroke::new(2.5, edge_color(EdgeKind::Trusts, true, dark))
                } else {
                    Stroke::new(2.0, kind_color(w.kind))
                };
                painter.circle_stroke(c, r, rim);
            } else {
                painter.circle_filled(c, r, kind_color(w.kind));
            }
            if group.is_some() {
                // A halo, as if its members were stacked behind it.
                painter.circle_stroke(
                    c,
                    r + 3.0,
                    Stroke::new(1.5, kind_color(w.kind).gamma_multiply(0.6)),
                );
            }
            if w.flagged {
                painter.circle_stroke(c, r + 1.5, Stroke::new(1.5, Color32::from_rgb(235, 80, 80)));
            }
            let ring = match w.change {
                Change::Same => None,
                Change::Added => Some(ADDED),
                Change::Removed => Some(REMOVED),
            };
            if let Some(color) = ring {
                painter.circle_stroke(c, r + 3.5, Stroke::new(2.5, color));
            }
            let matched = is_match(n);
            if matched {
                painter.circle_stroke(c, r + 4.0, Stroke::new(2.5, Color32::YELLOW));
            }
            if Some(n) == sel_node {
                painter.circle_stroke(c, r + 3.0, Stroke::new(2.5, text_color));
            }
            let forced = Some(n) == sel_node || Some(n) == hovered || matched;
            let want_label = forced || (show_labels && labels < MAX_LABELS);
            if want_label {
                labels += 1;
                // 0: always drawn; 1: risky, first to find room; 2: the rest, after the story's.
                wanted.push((
                    i,
                    if forced {
                        0
                    } else if w.flagged {
                        1
                    } else {
                        2
                    },
                ));
            } else if let Some(x) = group.filter(|_| prominent) {
                story.push((0, usize::MAX - x.size(), i));
            }
            if let Some(x) = group.filter(|_| prominent) {
                // Its first neighbours' labels are sought (labels are few: a fold's thousands are not).
                for m in g
                    .graph
                    .neighbors_undirected(n)
                    .filter(|m| visible[m.index()] && groups.at(*m).is_none())
                    .take(STORY_NEIGHBOURS)
                {
                    story.push((1, usize::MAX - x.size(), m.index()));
                }
            }
        }
        // The dense nodes' mesh goes under the labels, never over them.
        if !mesh.is_empty() {
            painter.add(egui::Shape::mesh(std::mem::take(&mut mesh)));
        }
        story.sort_unstable();
        let mut placed: Vec<Rect> = Vec::new();
        let mut drawn = vec![false; laid.pos.len()];
        // The selected, hovered and searched-for nodes are always labelled; then, where they find room (no label
        // is written over another), the risky ones, the story's, and the others.
        let rank = |r: u8| wanted.iter().filter(move |w| w.1 == r).map(|w| w.0);
        let order = rank(0)
            .map(|i| (i, false))
            .chain(rank(1).map(|i| (i, true)))
            .chain(story.into_iter().map(|(_, _, i)| (i, true)))
            .chain(rank(2).map(|i| (i, true)));
        for (i, needs_room) in order {
            if std::mem::replace(&mut drawn[i], true) || (needs_room && placed.len() >= MAX_LABELS)
            {
                continue;
            }
            let n = NodeIndex::new(i);
            let w = &g.graph[n];
            let c = to_screen(laid.pos[i]);
            let r = node_radius(n);
            let group = groups.at(n);
            // Sources are labelled on their left, so that labels do not run over their edges.
            let has_in = g
                .graph
                .neighbors_directed(n, petgraph::Direction::Incoming)
                .next()
                .is_some();
            let has_out = g.graph.neighbors(n).next().is_some();
            let (at, align) = match (has_in, has_out) {
                (false, true) => (c - Vec2::new(r + 4.0, 0.0), egui::Align2::RIGHT_CENTER),
                _ => (c + Vec2::new(r + 4.0, 0.0), egui::Align2::LEFT_CENTER),
            };
            // Lines of text, each centred on the first's centre line when `centred`.
            let weak = ui.visuals().weak_text_color();
            let (lines, centred): (Vec<(Arc<egui::Galley>, Color32)>, bool) = match group {
                // A large group tells its story inside its disc: who, the count large, how.
                Some(x) if r > 40.0 => {
                    let big = (r / 5.0).clamp(13.0, 26.0);
                    let lines: Vec<(Arc<egui::Galley>, Color32)> = [
                        (&x.before, 0.7, text_color),
                        (&w.label, 1.0, text_color),
                        (&x.after, 0.62, weak),
                    ]
                    .into_iter()
                    .filter(|(t, _, _)| !t.is_empty())
                    .map(|(t, k, color)| {
                        let font = egui::FontId::proportional((big * k).max(10.0));
                        (painter.layout(arrows(t), font, color, 1.85 * r), color)
                    })
                    .collect();
                    (lines, true)
                }
                // Beside a small disc: the whole line zoomed out, the count zoomed in (its neighbours are
                // labelled then).
                Some(x) => {
                    let font = egui::FontId::proportional(13.5);
                    let mut lines = Vec::new();
                    if show_labels {
                        lines.push((
                            painter.layout_no_wrap(w.label.clone(), font, text_color),
                            text_color,
                        ));
                    } else {
                        let head = arrows(&format!("{} {}", x.before, w.label));
                        lines.push((
                            painter.layout_no_wrap(head.trim().to_string(), font, text_color),
                            text_color,
                        ));
                        if !x.after.is_empty() {
                            let mut after = arrows(&x.after);
                            if after.chars().count() > 64 {
                                after = after.chars().take(63).collect::<String>() + "…";
                            }
                            lines.push((
                                painter.layout_no_wrap(
                                    after,
                                    egui::FontId::proportional(11.0),
                                    weak,
                                ),
                                weak,
                            ));
                        }
                    }
                    (lines, false)
                }
                None => (
                    vec![(
                        painter.layout_no_wrap(w.label.clone(), font.clone(), text_color),
                        text_color,
                    )],
                    false,
                ),
            };
            let size = lines.iter().fold(Vec2::ZERO, |s, (l, _)| {
                Vec2::new(s.x.max(l.size().x), s.y + l.size().y)
            });
            let lr = if centred {
                Rect::from_center_size(c, size)
            } else {
                align.anchor_size(at, size)
            };
            // A line box is taller than its letters: boxes that overlap by less than their leading do not touch.
            let letters = lr.shrink2(Vec2::new(0.0, 1.5));
            if needs_room && placed.iter().any(|p| p.intersects(letters)) {
                continue;
            }
            placed.push(letters);
            if ((has_in && has_out) || needs_room) && !centred {
                // Over edges: give it a backing.
                painter.rect_filled(lr.expand(1.0), 2.0, label_bg);
            }
            let mut y = lr.top();
            for (line, color) in lines {
                let x = if centred {
                    c.x - line.size().x / 2.0
                } else if align == egui::Align2::RIGHT_CENTER {
                    lr.right() - line.size().x
                } else {
                    lr.left()
                };
                let h = line.size().y;
                painter.galley(Pos2::new(x, y), line, color);
                y += h;
            }
            // An accessible, clickable widget for each labelled node (a group's says what it holds).
            let id = ui.scope_id().with(("graph-node", i));
            let hit = ui.interact(
                lr.union(Rect::from_center_size(c, Vec2::splat(r * 2.0))),
                id,
                Sense::click(),
            );
            let label = group.map_or_else(|| w.label.clone(), |x| x.summary.clone());
            hit.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
            if hit.clicked() {
                match (group, w.entity) {
                    (Some(x), _) => {
                        expand = Some((x.key, x.members.first().copied(), c - rect.center()))
                    }
                    (None, Some(e)) => commands.push(Command::Select(e)),
                    (None, None) => {}
                }
            }
        }
        for (at, text, color, needs_room) in edge_labels {
            let galley = painter.layout_no_wrap(text, egui::FontId::proportional(11.0), color);
            let r = Rect::from_center_size(at, galley.size()).expand(2.0);
            // Many edges meet at a principal with many groups: one label where there is room, never one over
            // another or over a node's label.
            if needs_room {
                if placed.iter().any(|p| p.intersects(r)) {
                    continue;
                }
                placed.push(r);
            }
            painter.rect_filled(r, 3.0, ui.visuals().extreme_bg_color.gamma_multiply(0.9));
            painter.galley(r.min + Vec2::splat(2.0), galley, color);
        }
        // Tooltip.
        if let Some(n) = hovered {
            let w = &g.graph[n];
            let incoming: Vec<String> = g
                .graph
                .edges_directed(n, petgraph::Direction::Incoming)
                .take(6)
                .map(|e| {
                    let l = e.weight().label();
                    let from = &g.graph[e.source()].label;
                    let mut line = if l.is_empty() {
                        format!("{} {from}", e.weight().kind.name())
                    } else {
                        format!("{} {from} if {l}", e.weight().kind.name())
                    };
                    if let Some(c) = laid.folded_edges(e.id()).filter(|&c| c > 1) {
                        line.push_str(&format!(" ({} trusts)", graph::aggregate::thousands(c)));
                    }
                    line
                })
                .collect();
            let group = groups.at(n);
            resp.clone().on_hover_ui_at_pointer(|ui| {
                ui.strong(&w.label);
                ui.weak(w.kind.name());
                match w.change {
                    Change::Same => {}
                    Change::Added => {
                        ui.colored_label(ADDED, "added by the other snapshot");
                    }
                    Change::Removed => {
                        ui.colored_label(REMOVED, "not in the other snapshot");
                    }
                }
                ui.monospace(arrows(&w.detail));
                for l in &incoming {
                    ui.label(format!("← {l}"));
                }
                if let Some(x) = group {
                    let more = x.size().saturating_sub(x.names.len());
                    let mut names = x.names.join(", ");
                    if more > 0 {
                        names.push_str(&format!(" and {} more", graph::aggregate::thousands(more)));
                    }
                    ui.label(names);
                    ui.weak("click to expand it into its members (or zoom in)");
                } else if w.entity.is_some() {
                    ui.weak("click to open, drag to move");
                }
            });
        }
        if let Some((key, member, at)) = expand {
            self.expand(key, member, at);
            ui.ctx().request_repaint();
        }
    }
}

/// The legend strip: the node and edge kinds present, drawn as real widgets above the canvas.
fn legend_ui(ui: &mut egui::Ui, laid: &Laid) {
    let dark = ui.visuals().dark_mode;
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        for &k in &laid.node_kinds {
            let (r, p) = ui.allocate_painter(Vec2::splat(12.0), Sense::hover());
            p.circle_filled(r.rect.center(), 5.0, kind_color(k));
            ui.label(k.name());
            ui.add_space(6.0);
        }
        ui.separator();
        for &(k, flagged) in &laid.edge_kinds {
            let (r, p) = ui.allocate_painter(Vec2::new(18.0, 12.0), Sense::hover());
            let c = edge_color(k, flagged, dark);
            let (a, b) = (r.rect.left_center(), r.rect.right_center());
            if k == EdgeKind::Boundary {
                p.extend(egui::Shape::dashed_line(
                    &[a, b],
                    Stroke::new(1.5, c),
                    3.0,
                    2.0,
                ));
            } else {
                p.line_segment([a, b], Stroke::new(2.0, c));
            }
            let name = if flagged && laid.flagged_drawn < laid.flagged_edges {
                // Folded across accounts: trusts between the organisation's own accounts are counted on the
                // folds' edges; the others are drawn one by one.
                let alone = match laid.flagged_drawn {
                    0 => String::new(),
                    n => format!("{} drawn one by one, ", graph::aggregate::thousands(n)),
                };
                format!(
                    "{} (cross-account, * or unconditioned federation): {}, {alone}folded between the \
                     organisation's accounts",
                    k.name(),
                    graph::aggregate::thousands(laid.flagged_edges),
                )
            } else if flagged && !laid.groups.is_empty() {
                // Beside the groups, say how many stayed out of them.
                format!(
                    "{} (cross-account, * or unconditioned federation): {}, each drawn",
                    k.name(),
                    graph::aggregate::thousands(laid.flagged_edges)
                )
            } else if flagged {
                format!(
                    "{} (cross-account, * or unconditioned federation)",
                    k.name()
                )
            } else {
                k.name().to_string()
            };
            ui.label(name);
            ui.add_space(6.0);
        }
        if let Some((added, removed)) = laid.changes {
            ui.separator();
            for (color, dashed, text) in [
                (
                    ADDED,
                    false,
                    format!("added by the other snapshot: {added}"),
                ),
                (REMOVED, true, format!("removed: {removed}")),
            ] {
                let (r, p) = ui.allocate_painter(Vec2::new(18.0, 12.0), Sense::hover());
                let (a, b) = (r.rect.left_center(), r.rect.right_center());
                if dashed {
                    p.extend(egui::Shape::dashed_line(
                        &[a, b],
                        Stroke::new(2.0, color),
                        3.0,
                        2.0,
                    ));
                } else {
                    p.line_segment([a, b], Stroke::new(2.0, color));
                }
                ui.label(text);
                ui.add_space(6.0);
            }
        }
    });
}

/// `s` with its arrows as `->`: the default fonts have no arrow glyph.
fn arrows(s: &str) -> String {
    s.replace('→', "->")
}

/// Clip segment `a`–`b` to `r` (Liang–Barsky); `None` when it misses.
fn clip(a: Pos2, b: Pos2, r: Rect) -> Option<(Pos2, Pos2)> {
    let d = b - a;
    let (mut t0, mut t1) = (0.0f32, 1.0f32);
    for (p, q) in [
        (-d.x, a.x - r.min.x),
        (d.x, r.max.x - a.x),
        (-d.y, a.y - r.min.y),
        (d.y, r.max.y - a.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return None;
            }
        }
    }
    Some((a + d * t0, a + d * t1))
}

/// A line as a quad in `mesh`.
fn mesh_line(mesh: &mut egui::Mesh, a: Pos2, b: Pos2, width: f32, color: Color32) {
    let n = (b - a).normalized().rot90() * (width / 2.0);
    let i = mesh.vertices.len() as u32;
    mesh.colored_vertex(a + n, color);
    mesh.colored_vertex(a - n, color);
    mesh.colored_vertex(b + n, color);
    mesh.colored_vertex(b - n, color);
    mesh.add_triangle(i, i + 1, i + 2);
    mesh.add_triangle(i + 1, i + 2, i + 3);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_the_inside_part() {
        let r = Rect::from_min_max(Pos2::new(0.0, 0.0), Pos2::new(10.0, 10.0));
        assert_eq!(
            clip(Pos2::new(-10.0, 5.0), Pos2::new(20.0, 5.0), r),
            Some((Pos2::new(0.0, 5.0), Pos2::new(10.0, 5.0)))
        );
        assert!(clip(Pos2::new(-10.0, -5.0), Pos2::new(20.0, -5.0), r).is_none());
        assert!(clip(Pos2::new(-10.0, 15.0), Pos2::new(30.0, 11.0), r).is_none());
        let inside = (Pos2::new(1.0, 1.0), Pos2::new(2.0, 3.0));
        assert_eq!(clip(inside.0, inside.1, r), Some(inside));
    }
}
