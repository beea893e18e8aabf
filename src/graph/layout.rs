//! Graph layouts as pure functions: a graph in, one position per node out (indexed like the nodes).
#![expect(
    clippy::indexing_slicing,
    reason = "positions, layers and orders are vectors made here with one slot per node of the graph they are \
              computed for, indexed by its node indexes; nothing is ever removed"
)]

use petgraph::graph::DiGraph;
use petgraph::visit::EdgeRef;

/// A position in layout units (about one pixel at zoom 1).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Pos {
    /// Left to right.
    pub x: f32,
    /// Top to bottom.
    pub y: f32,
}

/// Horizontal distance between layers.
pub const LAYER_GAP: f32 = 250.0;
/// Vertical distance between nodes of a layer.
pub const ROW_GAP: f32 = 30.0;
/// Space between packed components.
const CLUSTER_GAP: f32 = 90.0;
/// The room one node takes in a tall layer wrapped into columns: a column's width by a row.
const NODE_AREA: f32 = LAYER_GAP * 0.8 * ROW_GAP;

/// The radius of a node that stands for `members` nodes (an aggregated graph's group): a disc with the room its
/// members would take, so that the picture's areas keep the proportions of what they hold.
pub fn group_radius(members: usize) -> f32 {
    (members as f32 * NODE_AREA / std::f32::consts::PI).sqrt()
}

fn edges_of<N, E>(g: &DiGraph<N, E>) -> Vec<(u32, u32)> {
    g.edge_references()
        .map(|e| (e.source().index() as u32, e.target().index() as u32))
        .collect()
}

/// Layered left-to-right layout: longest-path layering (cycles broken where met), then barycentre ordering
/// within layers. Very tall layers wrap into several columns so that the picture stays readable.
pub fn layered<N, E>(g: &DiGraph<N, E>) -> Vec<Pos> {
    layered_raw(g.node_count(), &edges_of(g), &[])
}

/// [`layered`] with room for large nodes: node `v` is a disc of `radius[v]` layout units (none when missing
/// or 0), kept clear of its neighbours in its layer and of the next layer.
pub fn layered_sized<N, E>(g: &DiGraph<N, E>, radius: &[f32]) -> Vec<Pos> {
    layered_raw(g.node_count(), &edges_of(g), radius)
}

/// Layers by longest path; back edges of cycles are ignored.
fn layers(n: usize, out: &[Vec<u32>], indeg0: &[u32]) -> Vec<u32> {
    let mut indeg = indeg0.to_vec();
    let mut layer = vec![0u32; n];
    let mut done = vec![false; n];
    let mut stack: Vec<u32> = (0..n as u32).filter(|&v| indeg[v as usize] == 0).collect();
    stack.reverse();
    let mut cursor = 0usize;
    let mut processed = 0usize;
    while processed < n {
        let u = match stack.pop() {
            Some(u) => u,
            None => {
                // Only cycles remain: force the first unprocessed node.
                while cursor < n && done[cursor] {
                    cursor += 1;
                }
                cursor as u32
            }
        };
        let ui = u as usize;
        if done[ui] {
            continue;
        }
        done[ui] = true;
        processed += 1;
        for &v in &out[ui] {
            let vi = v as usize;
            if done[vi] {
                continue;
            }
            layer[vi] = layer[vi].max(layer[ui] + 1);
            indeg[vi] = indeg[vi].saturating_sub(1);
            if indeg[vi] == 0 {
                stack.push(v);
            }
        }
    }
    layer
}

fn layered_raw(n: usize, edges: &[(u32, u32)], radius: &[f32]) -> Vec<Pos> {
    if n == 0 {
        return Vec::new();
    }
    let mut out = vec![Vec::new(); n];
    let mut inc = vec![Vec::new(); n];
    let mut indeg = vec![0u32; n];
    for &(a, b) in edges {
        if a == b {
            continue;
        }
        out[a as usize].push(b);
        inc[b as usize].push(a);
        indeg[b as usize] += 1;
    }
    let mut layer = layers(n, &out, &indeg);
    // Sinks go to the last layer: policies line up on the right.
    let max = layer.iter().copied().max().unwrap_or(0);
    for v in 0..n {
        if out[v].is_empty() && !inc[v].is_empty() {
            layer[v] = max;
        }
    }
    let nl = max as usize + 1;
    let mut rows: Vec<Vec<u32>> = vec![Vec::new(); nl];
    for v in 0..n {
        rows[layer[v] as usize].push(v as u32);
    }
    // Barycentre ordering: alternate sweeps, keys normalised to [0, 1] per layer.
    let mut rank = vec![0f32; n];
    let set_ranks = |rows: &Vec<Vec<u32>>, rank: &mut Vec<f32>| {
        for row in rows {
            let len = row.len().max(1) as f32;
            for (i, &v) in row.iter().enumerate() {
                rank[v as usize] = (i as f32 + 0.5) / len;
            }
        }
    };
    set_ranks(&rows, &mut rank);
    for sweep in 0..4 {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (1..nl).collect()
        } else {
            (0..nl.saturating_sub(1)).rev().collect()
        };
        for l in order {
            let adj = if down { &inc } else { &out };
            let mut keyed: Vec<(f32, u32)> = rows[l]
                .iter()
                .map(|&v| {
                    let ns = &adj[v as usize];
                    let key = if ns.is_empty() {
                        rank[v as usize]
                    } else {
                        ns.iter().map(|&u| rank[u as usize]).sum::<f32>() / ns.len() as f32
                    };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            rows[l] = keyed.into_iter().map(|(_, v)| v).collect();
            let len = rows[l].len().max(1) as f32;
            for (i, &v) in rows[l].iter().enumerate() {
                rank[v as usize] = (i as f32 + 0.5) / len;
            }
        }
    }
    // Wrap tall layers into columns of at most `max_rows`; a large node pushes its neighbours in the column
    // apart and widens its column (its left rim where a small node's centre would be).
    let extra = |v: u32| radius.get(v as usize).copied().unwrap_or(0.0).max(0.0);
    let max_rows = ((n as f32).sqrt() * 2.0).max(40.0) as usize;
    let mut pos = vec![Pos::default(); n];
    let mut x = 0.0;
    for row in &rows {
        let cols = row.len().div_ceil(max_rows).max(1);
        let per_col = row.len().div_ceil(cols).max(1);
        let mut col_x = x;
        for col in row.chunks(per_col) {
            let mut ys = Vec::with_capacity(col.len());
            let mut y = 0.0f32;
            let mut prev: Option<u32> = None;
            for &v in col {
                if let Some(p) = prev {
                    y += ROW_GAP + extra(p) + extra(v);
                }
                ys.push(y);
                prev = Some(v);
            }
            let mid = y / 2.0;
            for (&v, &vy) in col.iter().zip(&ys) {
                pos[v as usize] = Pos {
                    x: col_x + extra(v),
                    y: vy - mid,
                };
            }
            let widest = col.iter().map(|&v| extra(v)).fold(0.0, f32::max);
            col_x += LAYER_GAP * 0.8 + 2.0 * widest;
        }
        x = col_x - LAYER_GAP * 0.8 + LAYER_GAP;
    }
    pos
}

fn find(parent: &mut [u32], mut v: u32) -> u32 {
    while parent[v as usize] != v {
        let p = parent[v as usize];
        parent[v as usize] = parent[p as usize];
        v = p;
    }
    v
}

/// Clustered layout: each weakly connected component laid out in layers on its own, then the components
/// packed in rows (largest first) with space between them, so that separate trust clusters stay apart.
pub fn clustered<N, E>(g: &DiGraph<N, E>) -> Vec<Pos> {
    clustered_with_aspect(g, 1.6)
}

/// [`clustered`], packing components into a picture about `aspect` times as wide as it is tall (the
/// aspect of the window that will show it).
pub fn clustered_with_aspect<N, E>(g: &DiGraph<N, E>, aspect: f32) -> Vec<Pos> {
    clustered_sized(g, aspect, &[], &[])
}

/// [`clustered_with_aspect`] for an aggregated graph: node `v` weighs `weight[v]` (1 when missing) and is a
/// disc of `radius[v]` layout units (see [`layered_sized`]). Components are packed heaviest first, so those
/// that hold most of the organisation lead the picture; with equal weights, the largest first.
pub fn clustered_sized<N, E>(
    g: &DiGraph<N, E>,
    aspect: f32,
    weight: &[f32],
    radius: &[f32],
) -> Vec<Pos> {
    let aspect = if aspect.is_finite() {
        aspect.clamp(0.3, 4.0)
    } else {
        1.6
    };
    let n = g.node_count();
    let edges = edges_of(g);
    let mut parent: Vec<u32> = (0..n as u32).collect();
    for &(a, b) in &edges {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    let mut comp_of = vec![u32::MAX; n];
    let mut comps: Vec<Vec<u32>> = Vec::new();
    let mut local = vec![0u32; n];
    for v in 0..n as u32 {
        let r = find(&mut parent, v) as usize;
        if comp_of[r] == u32::MAX {
            comp_of[r] = comps.len() as u32;
            comps.push(Vec::new());
        }
        let c = comp_of[r] as usize;
        comp_of[v as usize] = c as u32;
        local[v as usize] = comps[c].len() as u32;
        comps[c].push(v);
    }
    let mut comp_edges: Vec<Vec<(u32, u32)>> = vec![Vec::new(); comps.len()];
    for &(a, b) in &edges {
        let c = comp_of[a as usize] as usize;
        comp_edges[c].push((local[a as usize], local[b as usize]));
    }
    // Lay out each component and measure it.
    struct Laid {
        nodes: Vec<u32>,
        pos: Vec<Pos>,
        min: Pos,
        w: f32,
        h: f32,
        weight: f32,
    }
    let mut laid: Vec<Laid> = comps
        .into_iter()
        .zip(comp_edges)
        .map(|(nodes, edges)| {
            let local_radius: Vec<f32> = if radius.is_empty() {
                Vec::new()
            } else {
                nodes
                    .iter()
                    .map(|&v| radius.get(v as usize).copied().unwrap_or(0.0))
                    .collect()
            };
            let pos = layered_raw(nodes.len(), &edges, &local_radius);
            let (mut min, mut max) = (
                Pos {
                    x: f32::MAX,
                    y: f32::MAX,
                },
                Pos {
                    x: f32::MIN,
                    y: f32::MIN,
                },
            );
            for (i, p) in pos.iter().enumerate() {
                let r = local_radius.get(i).copied().unwrap_or(0.0).max(0.0);
                min.x = min.x.min(p.x - r);
                min.y = min.y.min(p.y - r);
                max.x = max.x.max(p.x + r);
                max.y = max.y.max(p.y + r);
            }
            // A node is about LAYER_GAP * 0.6 wide and ROW_GAP tall.
            // Room for labels on both sides (sources are labelled on their left).
            let w = max.x - min.x + LAYER_GAP * 1.2;
            let h = max.y - min.y + ROW_GAP;
            let weight = nodes
                .iter()
                .map(|&v| weight.get(v as usize).copied().unwrap_or(1.0))
                .sum();
            Laid {
                nodes,
                pos,
                min,
                w,
                h,
                weight,
            }
        })
        .collect();
    laid.sort_by(|a, b| {
        (b.weight, b.h)
            .partial_cmp(&(a.weight, a.h))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let area: f32 = laid
        .iter()
        .map(|l| (l.w + CLUSTER_GAP) * (l.h + CLUSTER_GAP))
        .sum();
    let widest = laid.iter().map(|l| l.w).fold(0.0, f32::max);
    // Shelves of components, heaviest first: where each goes for a row width, and the picture's size.
    let shelves = |row_width: f32| {
        let mut at = Vec::with_capacity(laid.len());
        let (mut x, mut y, mut row_h, mut width) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for l in &laid {
            if x > 0.0 && x + l.w > row_width {
                x = 0.0;
                y += row_h + CLUSTER_GAP;
                row_h = 0.0;
            }
            at.push((x, y));
            width = width.max(x + l.w);
            x += l.w + CLUSTER_GAP;
            row_h = row_h.max(l.h);
        }
        (at, width, y + row_h)
    };
    // The row width from the total area. Large nodes make shelves of very unequal heights, whose gaps the
    // estimate does not see: then the width, among some around it, that shows the picture largest in a window
    // of this aspect.
    let estimate = (area * aspect).sqrt().max(widest);
    let scale = |(_, w, h): &(Vec<(f32, f32)>, f32, f32)| (w / aspect).max(*h);
    let mut best = shelves(estimate);
    let tries = if radius.iter().any(|r| *r > 0.0) {
        16
    } else {
        0
    };
    for k in 1..=tries {
        let row_width = (estimate * 2f32.powf(k as f32 / 4.0 - 2.0)).max(widest);
        let tried = shelves(row_width);
        if scale(&tried) < scale(&best) * 0.98 {
            best = tried;
        }
    }
    let mut out = vec![Pos::default(); n];
    for (l, &(x, y)) in laid.iter().zip(&best.0) {
        for (i, &v) in l.nodes.iter().enumerate() {
            out[v as usize] = Pos {
                x: x + l.pos[i].x - l.min.x + LAYER_GAP * 0.6,
                y: y + l.pos[i].y - l.min.y,
            };
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_support::sample;
    use crate::graph::{GraphKind, identity_graph, trust_graph};
    use rustc_hash::FxHashSet;

    #[test]
    fn layered_orders_a_chain_and_survives_cycles() {
        let mut g: DiGraph<(), ()> = DiGraph::new();
        let a = g.add_node(());
        let b = g.add_node(());
        let c = g.add_node(());
        g.add_edge(a, b, ());
        g.add_edge(b, c, ());
        g.add_edge(c, a, ());
        let p = layered(&g);
        assert_eq!(p.len(), 3);
        assert!(p[0].x < p[1].x && p[1].x < p[2].x);
    }

    #[test]
    fn clustered_keeps_components_apart() {
        let mut g: DiGraph<(), ()> = DiGraph::new();
        let n: Vec<_> = (0..6).map(|_| g.add_node(())).collect();
        g.add_edge(n[0], n[1], ());
        g.add_edge(n[2], n[3], ());
        g.add_edge(n[4], n[5], ());
        let p = clustered(&g);
        // Nodes of different components are at least the cluster gap apart on one axis.
        for i in 0..6 {
            for j in 0..6 {
                if i / 2 != j / 2 {
                    let far = (p[i].x - p[j].x).abs() >= CLUSTER_GAP
                        || (p[i].y - p[j].y).abs() >= CLUSTER_GAP;
                    assert!(far, "{i} {j} {p:?}");
                }
            }
        }
        // Partners share a row, left to right.
        assert!(p[0].y == p[1].y && p[0].x < p[1].x);
    }

    #[test]
    fn barycentre_uncrosses_two_layers() {
        // a→d, b→c: naive order crosses; barycentre puts c before d.
        let mut g: DiGraph<(), ()> = DiGraph::new();
        let a = g.add_node(());
        let b = g.add_node(());
        let c = g.add_node(());
        let d = g.add_node(());
        g.add_edge(a, d, ());
        g.add_edge(b, c, ());
        let p = layered(&g);
        assert_eq!(
            p[a.index()].y < p[b.index()].y,
            p[d.index()].y < p[c.index()].y
        );
    }

    #[test]
    fn layouts_give_every_node_a_distinct_finite_place() {
        let m = sample();
        for g in [identity_graph(&m), trust_graph(&m)] {
            let pos = match g.kind {
                GraphKind::Identity => layered(&g.graph),
                GraphKind::Trust => clustered(&g.graph),
            };
            assert_eq!(pos.len(), g.graph.node_count());
            assert!(pos.iter().all(|p| p.x.is_finite() && p.y.is_finite()));
            let mut seen = FxHashSet::default();
            for p in &pos {
                assert!(seen.insert((p.x as i64, p.y as i64)), "two nodes at {p:?}");
            }
        }
        // Layered: every identity edge points to the right.
        let g = identity_graph(&m);
        let pos = layered(&g.graph);
        for e in g.graph.edge_references() {
            assert!(pos[e.source().index()].x < pos[e.target().index()].x);
        }
    }
}
