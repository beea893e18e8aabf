//! `iam-atlas diff BEFORE... --against AFTER...`: the change review on the command line; exit 1 when access
//! may have widened (so a pipeline can gate on it), 0 otherwise, 2 on an error.

use crate::account::workspace::{LoadOptions, load_paths};
use crate::diff::{AccessRow, Diff, Options, State, diff};
use crate::time::Timestamp;
use clap::{Args, ValueEnum};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

/// Output formats of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// For people.
    Text,
    /// For scripts.
    Json,
    /// For pull requests and tickets.
    Markdown,
    /// For code-scanning tools (SARIF 2.1.0).
    Sarif,
}

/// `iam-atlas diff`.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The snapshot before: exports and/or workspace files.
    #[arg(required = true)]
    pub before: Vec<PathBuf>,
    /// The snapshot after: exports and/or workspace files.
    #[arg(long, required = true, num_args = 1.., value_name = "AFTER")]
    pub against: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Evaluate at this date (default: now).
    #[arg(long, value_name = "DATE", value_parser = parse_time)]
    pub now: Option<Timestamp>,
    /// At most this many rows per list (the counts stay whole).
    #[arg(long, default_value_t = 10_000)]
    pub limit: usize,
}

fn parse_time(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse(s).ok_or_else(|| format!("`{s}` is not a date (YYYY-MM-DD or RFC 3339)"))
}

/// Run `diff`; the exit status.
pub fn run(args: DiffArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let load =
        |files: &[PathBuf]| load_paths(files, LoadOptions::default()).map_err(|e| e.to_string());
    // The two snapshots are loaded side by side.
    let (b, a) = std::thread::scope(|s| {
        let h = s.spawn(|| load(&args.before));
        let a = load(&args.against);
        let b = h
            .join()
            .unwrap_or_else(|_| Err("internal error while loading the snapshot before".into()));
        (b, a)
    });
    let (before, after) = match (b, a) {
        (Ok(b), Ok(a)) => (b, a),
        (Err(e), _) | (_, Err(e)) => {
            let _ = writeln!(err, "error: {e}");
            return 2;
        }
    };
    let opts = Options {
        limit: args.limit,
        now: args.now,
        ..Options::default()
    };
    let d = diff(&before, &after, &opts);
    let text = match args.format {
        DiffFormat::Json => serde_json::to_string_pretty(&to_json(&d)).unwrap_or_default() + "\n",
        DiffFormat::Text => text(&d),
        DiffFormat::Markdown => markdown(&d),
        DiffFormat::Sarif => serde_json::to_string_pretty(&sarif(&d)).unwrap_or_default() + "\n",
    };
    if let Err(e) = out.write_all(text.as_bytes()) {
        let _ = writeln!(err, "error: {e}");
        return 2;
    }
    i32::from(d.widened())
}

/// The JSON document: `{"access": {"gained", "lost", "conditions_changed", "uncertain"}, "entities": {"added",
/// "removed", "changed"}, "risks", "counts", "complete", "widened", "notes"}`.
pub fn to_json(d: &Diff) -> serde_json::Value {
    json!({
        "access": d.access,
        "entities": d.entities,
        "risks": d.risks,
        "counts": d.counts,
        "complete": d.complete,
        "widened": d.widened(),
        "notes": d.notes,
    })
}

fn state(s: &State) -> &'static str {
    match s {
        State::Absent => "absent",
        State::Denied => "denied",
        State::Allowed => "allowed",
        State::AllowedIf => "allowed if",
        State::Unknown => "unknown",
    }
}

fn row_line(r: &AccessRow) -> String {
    let mut s = format!(
        "[{}] {} {} on {} ({} → {})",
        r.risk.label(),
        r.principal,
        r.action,
        r.resource,
        state(&r.before),
        state(&r.after)
    );
    if !r.conditions.is_empty() {
        s.push_str(&format!(" if {}", r.conditions.join(" and ")));
    }
    if !r.before_conditions.is_empty() {
        s.push_str(&format!(
            " (before: if {})",
            r.before_conditions.join(" and ")
        ));
    }
    if r.covers > 0 {
        s.push_str(&format!(" [stands for {} gained rows]", r.covers));
    }
    if !r.unknown.is_empty() {
        s.push_str(&format!(" — not read: {}", r.unknown.join("; ")));
    }
    s
}

/// The report for people.
pub fn text(d: &Diff) -> String {
    let mut o = String::new();
    let c = &d.counts;
    o.push_str(&format!(
        "access: {} gained, {} lost, {} with changed conditions, {} uncertain ({} principals and {} resources changed, {} comparisons)\n",
        c.gained, c.lost, c.conditions_changed, c.uncertain, c.principals_changed, c.resources_changed, c.comparisons
    ));
    o.push_str(&format!(
        "entities: {} added, {} removed, {} changed\n",
        d.entities.added.len(),
        d.entities.removed.len(),
        d.entities.changed.len()
    ));
    o.push_str(if d.widened() {
        "ACCESS WIDENED (or may have: see uncertain rows and notes)\n"
    } else {
        "access did not widen\n"
    });
    if !d.risks.is_empty() {
        o.push_str("\nrisks:\n");
        for r in &d.risks {
            o.push_str(&format!(
                "  [{}] {} {}\n",
                r.risk.label(),
                r.principal,
                r.detail
            ));
        }
    }
    for (title, list) in [
        ("gained", &d.access.gained),
        ("lost", &d.access.lost),
        ("conditions changed", &d.access.conditions_changed),
        ("uncertain", &d.access.uncertain),
    ] {
        if list.is_empty() {
            continue;
        }
        o.push_str(&format!("\n{title}:\n"));
        for r in list {
            o.push_str(&format!("  {}\n", row_line(r)));
        }
    }
    if !d.entities.added.is_empty()
        || !d.entities.removed.is_empty()
        || !d.entities.changed.is_empty()
    {
        o.push_str("\nentities:\n");
        for e in &d.entities.added {
            o.push_str(&format!("  + {} {}\n", e.kind, e.arn));
        }
        for e in &d.entities.removed {
            o.push_str(&format!("  - {} {}\n", e.kind, e.arn));
        }
        for e in &d.entities.changed {
            o.push_str(&format!("  ~ {} {}\n", e.kind, e.arn));
            for l in &e.changes {
                o.push_str(&format!("      {l}\n"));
            }
            for p in &e.policies {
                o.push_str(&format!("      {}:\n", p.document));
                for s in &p.removed {
                    o.push_str(&format!(
                        "        - statement {}: {}\n",
                        s.index, s.statement
                    ));
                }
                for s in &p.added {
                    o.push_str(&format!(
                        "        + statement {}: {}\n",
                        s.index, s.statement
                    ));
                }
                for s in &p.changed {
                    o.push_str(&format!(
                        "        ~ statement {} → {}: {} → {}\n",
                        s.before.index, s.after.index, s.before.statement, s.after.statement
                    ));
                }
            }
        }
    }
    for n in &d.notes {
        o.push_str(&format!("note: {n}\n"));
    }
    o
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The report for pull requests.
pub fn markdown(d: &Diff) -> String {
    let mut o = String::from("# Access changes\n\n");
    let c = &d.counts;
    o.push_str(&format!(
        "**{}** — {} gained, {} lost, {} with changed conditions, {} uncertain; entities: {} added, {} removed, {} changed.\n",
        if d.widened() { "Access widened" } else { "Access did not widen" },
        c.gained, c.lost, c.conditions_changed, c.uncertain,
        d.entities.added.len(), d.entities.removed.len(), d.entities.changed.len()
    ));
    if !d.risks.is_empty() {
        o.push_str("\n## Risks\n\n");
        for r in &d.risks {
            o.push_str(&format!(
                "- **{}** `{}` {}\n",
                r.risk.label(),
                md_escape(&r.principal),
                md_escape(&r.detail)
            ));
        }
    }
    for (title, list) in [
        ("Gained", &d.access.gained),
        ("Lost", &d.access.lost),
        ("Conditions changed", &d.access.conditions_changed),
        ("Uncertain", &d.access.uncertain),
    ] {
        if list.is_empty() {
            continue;
        }
        o.push_str(&format!(
            "\n## {title}\n\n| risk | principal | action | resource | before | after | conditions |\n|---|---|---|---|---|---|---|\n"
        ));
        for r in list {
            o.push_str(&format!(
                "| {} | `{}` | `{}` | `{}` | {} | {} | {} |\n",
                r.risk.label(),
                md_escape(&r.principal),
                md_escape(&r.action),
                md_escape(&r.resource),
                state(&r.before),
                state(&r.after),
                md_escape(&r.conditions.join("; "))
            ));
        }
    }
    if !d.entities.changed.is_empty()
        || !d.entities.added.is_empty()
        || !d.entities.removed.is_empty()
    {
        o.push_str("\n## Entities\n\n");
        for e in &d.entities.added {
            o.push_str(&format!("- added {} `{}`\n", e.kind, md_escape(&e.arn)));
        }
        for e in &d.entities.removed {
            o.push_str(&format!("- removed {} `{}`\n", e.kind, md_escape(&e.arn)));
        }
        for e in &d.entities.changed {
            o.push_str(&format!("- changed {} `{}`\n", e.kind, md_escape(&e.arn)));
            for l in &e.changes {
                o.push_str(&format!("  - {}\n", md_escape(l)));
            }
            for p in &e.policies {
                o.push_str(&format!(
                    "  - {}: {} statements added, {} removed, {} changed\n",
                    md_escape(&p.document),
                    p.added.len(),
                    p.removed.len(),
                    p.changed.len()
                ));
            }
        }
    }
    for n in &d.notes {
        o.push_str(&format!("\n> {}\n", md_escape(n)));
    }
    o
}

/// SARIF 2.1.0: one result per gained, conditions-changed or uncertain row (lost access is not a finding).
pub fn sarif(d: &Diff) -> serde_json::Value {
    let mut results = Vec::new();
    let mut push = |rule: &str, level: &str, r: &AccessRow| {
        results.push(json!({
            "ruleId": rule,
            "level": level,
            "message": {"text": row_line(r)},
            "locations": [{"logicalLocations": [{"fullyQualifiedName": r.principal, "kind": "principal"}]}],
            "properties": {"action": r.action, "resource": r.resource, "risk": r.risk, "conditions": r.conditions},
        }));
    };
    for r in &d.access.gained {
        let level = match r.risk {
            crate::diff::Risk::Admin
            | crate::diff::Risk::External
            | crate::diff::Risk::Escalation => "error",
            _ => "warning",
        };
        push("access-gained", level, r);
    }
    for r in &d.access.conditions_changed {
        push("access-conditions-changed", "warning", r);
    }
    for r in &d.access.uncertain {
        push("access-uncertain", "note", r);
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "iam-atlas",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": [
                    {"id": "access-gained", "shortDescription": {"text": "A principal gained access"}},
                    {"id": "access-conditions-changed", "shortDescription": {"text": "The conditions of an access changed"}},
                    {"id": "access-uncertain", "shortDescription": {"text": "An access answer is unknown in one snapshot"}},
                ],
            }},
            "results": results,
        }],
    })
}
