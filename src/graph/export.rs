//! The graphs as files: SVG at laid-out positions, and Graphviz DOT.

use super::layout::Pos;
use super::types::{AtlasGraph, EdgeKind, GraphKind, NodeKind};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use std::fmt::Write as _;

impl AtlasGraph {
    /// An SVG picture of the graph at the positions `pos` (one per node, from a layout): nodes coloured by
    /// kind, flagged nodes and edges in red, boundaries dashed, conditions written on trust edges.
    pub fn to_svg(&self, pos: &[Pos]) -> String {
        fn esc(s: &str) -> String {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        }
        let at = |n: NodeIndex| pos.get(n.index()).copied().unwrap_or_default();
        let (mut x0, mut y0, mut x1, mut y1) = (0.0f32, 0.0f32, 1.0f32, 1.0f32);
        for (i, p) in pos.iter().take(self.graph.node_count()).enumerate() {
            if i == 0 {
                (x0, y0, x1, y1) = (p.x, p.y, p.x, p.y);
            }
            x0 = x0.min(p.x);
            y0 = y0.min(p.y);
            x1 = x1.max(p.x);
            y1 = y1.max(p.y);
        }
        let margin = 220.0;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{} {} {} {}\" font-family=\"sans-serif\" \
             font-size=\"12\">",
            x0 - margin,
            y0 - 40.0,
            x1 - x0 + 2.0 * margin,
            y1 - y0 + 80.0
        );
        out.push_str("<rect x=\"-100000\" y=\"-100000\" width=\"200000\" height=\"200000\" fill=\"white\"/>\n");
        for e in self.graph.edge_references() {
            let (a, b) = (at(e.source()), at(e.target()));
            let w = e.weight();
            let color = if w.is_flagged() { "#d33" } else { "#889" };
            let dash = if w.kind == EdgeKind::Boundary {
                " stroke-dasharray=\"6 4\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{color}\"{dash}/>",
                a.x, a.y, b.x, b.y
            );
            let label = w.label();
            if !label.is_empty() {
                let _ = writeln!(
                    out,
                    "<text x=\"{}\" y=\"{}\" fill=\"{color}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
                    a.x + (b.x - a.x) * 0.6,
                    a.y + (b.y - a.y) * 0.6 - 6.0,
                    esc(&label)
                );
            }
        }
        for n in self.graph.node_indices() {
            let p = at(n);
            let w = &self.graph[n];
            let fill = match w.kind {
                NodeKind::User => "#569cd6",
                NodeKind::Group => "#4ec9b0",
                NodeKind::Role => "#c586c0",
                NodeKind::Policy => "#dcb45a",
                NodeKind::InlinePolicy => "#aa966e",
                NodeKind::InstanceProfile => "#78aa78",
                NodeKind::Account => "#64b4f0",
                NodeKind::Service => "#e68c3c",
                NodeKind::Saml => "#96c85a",
                NodeKind::Oidc => "#5ac896",
                NodeKind::Anyone => "#eb4646",
                NodeKind::External => "#a0a0a0",
                NodeKind::Person => "#4f8fd0",
                NodeKind::PersonGroup => "#3fb39a",
                NodeKind::PermissionSet => "#d08f4f",
            };
            let stroke = if w.flagged {
                " stroke=\"#d33\" stroke-width=\"2\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<g><title>{}</title><circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"{fill}\"{stroke}/>\
                 <text x=\"{}\" y=\"{}\">{}</text></g>",
                esc(&w.detail),
                p.x,
                p.y,
                p.x + 10.0,
                p.y + 4.0,
                esc(&w.label)
            );
        }
        out.push_str("</svg>\n");
        out
    }

    /// Graphviz DOT text of the graph.
    pub fn to_dot(&self) -> String {
        fn esc(s: &str) -> String {
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        }
        let mut out = String::new();
        let name = match self.kind {
            GraphKind::Identity => "identity",
            GraphKind::Trust => "trust",
        };
        let _ = writeln!(out, "digraph {name} {{");
        out.push_str("  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
        for n in self.graph.node_indices() {
            let w = &self.graph[n];
            let shape = match w.kind {
                NodeKind::User => "ellipse",
                NodeKind::Group => "box3d",
                NodeKind::Role => "hexagon",
                NodeKind::Policy | NodeKind::InlinePolicy => "note",
                NodeKind::InstanceProfile => "component",
                NodeKind::Account => "folder",
                NodeKind::Service => "cds",
                NodeKind::Saml | NodeKind::Oidc => "house",
                NodeKind::Anyone => "doubleoctagon",
                NodeKind::External => "egg",
                NodeKind::Person => "oval",
                NodeKind::PersonGroup => "box3d",
                NodeKind::PermissionSet => "tab",
            };
            let color = if w.flagged { ", color=red" } else { "" };
            let _ = writeln!(
                out,
                "  n{} [label=\"{}\", tooltip=\"{}\", shape={shape}{color}];",
                n.index(),
                esc(&w.label),
                esc(&w.detail)
            );
        }
        for e in self.graph.edge_references() {
            let w = e.weight();
            let mut attrs = vec![format!("label=\"{}\"", esc(&w.label()))];
            match w.kind {
                EdgeKind::Boundary => attrs.push("style=dashed".into()),
                EdgeKind::Inline => attrs.push("style=dotted".into()),
                _ => {}
            }
            if w.is_flagged() {
                attrs.push("color=red".into());
            }
            let _ = writeln!(
                out,
                "  n{} -> n{} [{}];",
                e.source().index(),
                e.target().index(),
                attrs.join(", ")
            );
        }
        out.push_str("}\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::graph::test_support::sample;
    use crate::graph::{clustered, identity_graph, trust_graph};

    #[test]
    fn dot_is_a_digraph_with_every_node() {
        let m = sample();
        for g in [identity_graph(&m), trust_graph(&m)] {
            let dot = g.to_dot();
            assert!(dot.starts_with("digraph "));
            assert!(dot.trim_end().ends_with('}'));
            let nodes = dot
                .lines()
                .filter(|l| {
                    let l = l.trim_start();
                    l.starts_with('n')
                        && l[1..].starts_with(|c: char| c.is_ascii_digit())
                        && !l.contains("->")
                })
                .count();
            assert_eq!(nodes, g.graph.node_count());
            let edges = dot.lines().filter(|l| l.contains(" -> ")).count();
            assert_eq!(edges, g.graph.edge_count());
            // Balanced quotes on every line (escaping works).
            for l in dot.lines() {
                let unescaped = l.replace("\\\\", "").replace("\\\"", "");
                assert_eq!(unescaped.matches('"').count() % 2, 0, "{l}");
            }
        }
    }

    #[test]
    fn svg_has_a_circle_per_node_and_a_line_per_edge() {
        let m = sample();
        let g = trust_graph(&m);
        let svg = g.to_svg(&clustered(&g.graph));
        assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<circle ").count(), g.graph.node_count());
        assert_eq!(svg.matches("<line ").count(), g.graph.edge_count());
        assert!(svg.contains("ExternalId = larkspur-deploy-7f3a"));
    }
}
