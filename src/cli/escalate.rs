//! `iam-atlas escalate`: escalation paths on the command line.

use crate::account::EntityKind;
use crate::escalate::{Graph, PrincipalResult, Reaches, Target, cycles, result_for, search};
use crate::eval::request::{Principal, PrincipalType};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

/// Output formats of `escalate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EscalateFormat {
    /// For people.
    Text,
    /// For scripts.
    Json,
    /// Graphviz: the escalation graph, the principal's path in red.
    Dot,
}

/// `iam-atlas escalate`.
#[derive(Args, Debug)]
pub struct EscalateArgs {
    /// A loaded user or role (ARN or unique name); without it, every user and role.
    pub principal: Option<String>,
    /// The target: `admin`, a user or role ARN, or ACTION:RESOURCE (`s3:GetObject:arn:aws:s3:::bucket/key`).
    #[arg(long = "to", default_value = "admin")]
    pub to: String,
    /// Exports and/or workspace files (repeat for several accounts).
    #[arg(long = "snapshot", value_name = "FILE")]
    pub snapshot: Vec<PathBuf>,
    /// Use the bundled sample organisation.
    #[arg(long, conflicts_with = "snapshot")]
    pub sample: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EscalateFormat::Text)]
    pub format: EscalateFormat,
    /// Write the generated escalation lab (a workspace) into this new directory and stop.
    #[arg(long, value_name = "DIR", hide = true)]
    pub write_lab: Option<PathBuf>,
}

/// Models with at most this many users and roles get every edge computed (for cycles and the dot graph).
const FULL_GRAPH_LIMIT: usize = 3_000;

/// Run `escalate`.
pub fn run(a: EscalateArgs, out: &mut dyn Write) -> Result<(), String> {
    if let Some(dir) = &a.write_lab {
        if dir.exists() {
            return Err(format!("{}: already exists", dir.display()));
        }
        let (ws, cases) = crate::escalate::lab::write(dir)
            .map_err(|e| format!("{}: cannot write: {e}", dir.display()))?;
        writeln!(out, "wrote {} ({} techniques)", ws.display(), cases.len())
            .map_err(|e| e.to_string())?;
        return Ok(());
    }
    if !a.sample && a.snapshot.is_empty() {
        return Err("give --snapshot FILE (an export or a workspace) or --sample".into());
    }
    let model = crate::cli::load(&a.snapshot, a.sample).map_err(|e| e.to_string())?;
    let target = Target::parse(&a.to, &model)?;
    let mut g = Graph::new(&model, None);
    let node = match &a.principal {
        Some(spec) => {
            let p = Principal::resolve(spec, &model)?;
            match (p.kind, p.entity) {
                (PrincipalType::User | PrincipalType::Role, Some(r)) => Some(
                    g.node_of(r)
                        .ok_or_else(|| format!("`{spec}` is not a loaded user or role"))?,
                ),
                _ => {
                    return Err(format!(
                        "`{spec}` is not a user or role of the loaded accounts"
                    ));
                }
            }
        }
        None => None,
    };
    let s = search(&mut g, &target);
    let io = |e: std::io::Error| e.to_string();
    // What was not read may hold a path: said, never a silent "does not reach".
    if a.format == EscalateFormat::Text && !model.is_complete() {
        writeln!(
            out,
            "INCOMPLETE: some input was skipped (see the warnings); paths through what was not read are not known"
        )
        .map_err(io)?;
    }
    match a.format {
        EscalateFormat::Json => {
            let value = match node {
                // The one principal's result, with whether everything was read.
                Some(n) => serde_json::to_value(result_for(&g, &s, n)).map(|mut v| {
                    if let Some(o) = v.as_object_mut() {
                        o.insert("complete".into(), model.is_complete().into());
                    }
                    v
                }),
                None => {
                    let results: Vec<PrincipalResult> = (0..g.nodes.len() as u32)
                        .map(|n| result_for(&g, &s, n))
                        .collect();
                    let cyc = if g.nodes.len() <= FULL_GRAPH_LIMIT {
                        let mut full = Graph::new(&model, None);
                        let edges = full.all_edges();
                        Some(cycles(&full, &edges))
                    } else {
                        None
                    };
                    serde_json::to_value(serde_json::json!({
                        "target": target.label(&model),
                        "complete": model.is_complete(),
                        "results": results,
                        "cycles": cyc,
                        "providers": crate::escalate::provider_edges(&model),
                    }))
                }
            }
            .map_err(|e| e.to_string())?;
            let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
            writeln!(out, "{text}").map_err(io)?;
        }
        EscalateFormat::Text => match node {
            Some(n) => print_one(&result_for(&g, &s, n), out).map_err(io)?,
            None => {
                let mut reached: Vec<PrincipalResult> = (0..g.nodes.len() as u32)
                    .map(|n| result_for(&g, &s, n))
                    .filter(|r| r.reaches != Reaches::No)
                    .collect();
                reached.sort_by(|a, b| a.steps.cmp(&b.steps).then(a.principal.cmp(&b.principal)));
                writeln!(out, "target: {}", target.label(&model)).map_err(io)?;
                for r in &reached {
                    let via: Vec<&str> = r
                        .paths
                        .first()
                        .map(|p| p.steps.iter().map(|s| s.technique.as_str()).collect())
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "  {:<8} {} step{}  {}{}",
                        match r.reaches {
                            Reaches::Yes => "yes",
                            Reaches::Possible => "possible",
                            Reaches::No => "no",
                        },
                        r.steps.unwrap_or(0),
                        if r.steps == Some(1) { " " } else { "s" },
                        r.principal,
                        if via.is_empty() {
                            "  (already)".to_string()
                        } else {
                            format!("  via {}", via.join(" → "))
                        }
                    )
                    .map_err(io)?;
                }
                let yes = reached.iter().filter(|r| r.reaches == Reaches::Yes).count();
                writeln!(
                    out,
                    "{} of {} users and roles reach it ({} certainly, {} possibly)",
                    reached.len(),
                    g.nodes.len(),
                    yes,
                    reached.len() - yes
                )
                .map_err(io)?;
            }
        },
        EscalateFormat::Dot => {
            let path: Vec<(String, String)> = node
                .map(|n| result_for(&g, &s, n))
                .and_then(|r| r.paths.into_iter().next())
                .map(|p| p.steps.into_iter().map(|s| (s.from, s.to)).collect())
                .unwrap_or_default();
            let mut full = Graph::new(&model, None);
            if full.nodes.len() > FULL_GRAPH_LIMIT {
                return Err(format!(
                    "the dot graph draws every edge: {} users and roles is more than {FULL_GRAPH_LIMIT}",
                    full.nodes.len()
                ));
            }
            let edges = full.all_edges();
            if !model.is_complete() {
                // A comment Graphviz skips and a reader sees.
                writeln!(
                    out,
                    "// INCOMPLETE: some input was skipped (see the warnings); paths through what was not read are not known"
                )
                .map_err(io)?;
            }
            write_dot(
                &full,
                &edges,
                &path,
                &crate::escalate::provider_edges(&model),
                out,
            )
            .map_err(io)?;
        }
    }
    Ok(())
}

fn print_one(r: &PrincipalResult, out: &mut dyn Write) -> std::io::Result<()> {
    let verdict = match r.reaches {
        Reaches::Yes => "reaches",
        Reaches::Possible => "possibly reaches",
        Reaches::No => "does not reach",
    };
    match r.steps {
        Some(0) if r.reaches == Reaches::Possible => writeln!(
            out,
            "{} may already be {} (not certain: a policy it depends on was not read)",
            r.principal, r.target
        )?,
        Some(0) => writeln!(out, "{} already is {}", r.principal, r.target)?,
        Some(n) => writeln!(
            out,
            "{} {verdict} {} in {n} step{}",
            r.principal,
            r.target,
            if n == 1 { "" } else { "s" }
        )?,
        None => writeln!(out, "{} {verdict} {}", r.principal, r.target)?,
    }
    for p in &r.paths {
        for (i, s) in p.steps.iter().enumerate() {
            writeln!(
                out,
                "  {}. {} → {}  [{}]{}{}",
                i + 1,
                s.from,
                s.to,
                s.technique,
                if s.cross_account {
                    " (cross-account)"
                } else {
                    ""
                },
                if s.certain { "" } else { " (possible)" }
            )?;
            writeln!(out, "     {}", s.summary)?;
            if let Some(o) = &s.object {
                writeln!(out, "     on {o}")?;
            }
            for q in &s.requests {
                writeln!(
                    out,
                    "     {:?} {} on {}{}",
                    q.decision,
                    q.action,
                    q.resource,
                    if q.certain { "" } else { " (uncertain)" }
                )?;
                for st in &q.statements {
                    writeln!(out, "       by {st}")?;
                }
            }
            if !s.conditions.is_empty() {
                writeln!(out, "     if {}", s.conditions.join(" and "))?;
            }
            if let Some(x) = &s.settle {
                writeln!(out, "     to settle: {x}")?;
            }
            writeln!(out, "     source: {}", s.source)?;
        }
    }
    Ok(())
}

fn dot_id(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn write_dot(
    g: &Graph<'_>,
    edges: &[crate::escalate::Edge],
    path: &[(String, String)],
    providers: &[crate::escalate::ProviderEdge],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "digraph escalation {{")?;
    writeln!(
        out,
        "  rankdir=LR; node [shape=box, fontsize=10]; edge [fontsize=8];"
    )?;
    writeln!(
        out,
        "  {} [shape=doubleoctagon, style=filled, fillcolor=\"#f4cccc\"];",
        dot_id("administrator")
    )?;
    for (i, r) in g.nodes.iter().enumerate() {
        let arn = g.arn(i as u32);
        let shape = if r.kind == EntityKind::User {
            "box"
        } else {
            "ellipse"
        };
        let fill = if g.is_admin(i as u32).is_some() {
            ", style=filled, fillcolor=\"#f4cccc\""
        } else {
            ""
        };
        writeln!(out, "  {} [shape={shape}{fill}];", dot_id(arn))?;
    }
    for e in edges {
        let t = crate::escalate::techniques::TECHNIQUES
            .get(e.technique as usize)
            .map(|t| t.id)
            .unwrap_or("?");
        let (from, to) = (g.arn(e.from), g.arn(e.to));
        let on_path = path.iter().any(|(a, b)| a == from && b == to);
        let style = if e.certain { "solid" } else { "dashed" };
        let color = if on_path {
            ", color=red, penwidth=2"
        } else {
            ""
        };
        writeln!(
            out,
            "  {} -> {} [label={}, style={style}{color}];",
            dot_id(from),
            dot_id(to),
            dot_id(t)
        )?;
    }
    for p in providers {
        writeln!(
            out,
            "  {} [shape=hexagon]; {} -> {} [label={}, style={}];",
            dot_id(&p.provider),
            dot_id(&p.provider),
            dot_id(&p.role),
            dot_id(&p.action),
            if p.certain { "solid" } else { "dashed" }
        )?;
    }
    writeln!(out, "}}")
}
