//! `iam-atlas replay TRAIL... --snapshot F... [--what-if POLICY --for ARN] [--format text|json]`: recorded
//! CloudTrail calls evaluated against a snapshot. Exit 1 when a what-if edit would break a recorded call, 0
//! otherwise, 2 on an error.

use crate::account::workspace::{LoadOptions, load_paths};
use crate::account::{EntityKind, Model};
use crate::edit::DocTarget;
use crate::replay::{
    Class, Effect2, Replayed, Summary, Window, draft_policy, draft_removes, replay, trail,
};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

/// Output formats of `replay`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReplayFormat {
    /// For people: counts, then the denied calls, the disagreements and the calls a what-if breaks.
    Text,
    /// One JSON object per event and line.
    Json,
}

/// `iam-atlas replay`.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// CloudTrail files (`{"Records": [...]}`, gzipped or not; `aws cloudtrail lookup-events` output; JSON lines)
    /// or folders of them.
    #[arg(required_unless_present = "sample")]
    pub trails: Vec<PathBuf>,
    /// The snapshot: exports and/or workspace files.
    #[arg(long, required_unless_present = "sample", num_args = 1..)]
    pub snapshot: Vec<PathBuf>,
    /// Use the bundled sample as the snapshot and, when no trail is named, its CloudTrail file (a month of calls
    /// in its prod account; see assets/sample/TEACHING.md).
    #[arg(long, conflicts_with = "snapshot")]
    pub sample: bool,
    /// A policy document to put in place of the one `--for` names, as a what-if: which recorded calls would it
    /// break?
    #[arg(long, value_name = "POLICY_FILE", requires = "for_")]
    pub what_if: Option<PathBuf>,
    /// The ARN of the document the what-if replaces: a managed policy (its default version), a resource with a
    /// loaded resource policy, an SCP or RCP; or a user, group or role with `--inline NAME` or (roles) `--trust`.
    #[arg(long = "for", value_name = "ARN", requires = "what_if")]
    pub for_: Option<String>,
    /// With `--for USER|GROUP|ROLE`: the inline policy the what-if replaces.
    #[arg(long, value_name = "NAME", conflicts_with = "trust")]
    pub inline: Option<String>,
    /// With `--for ROLE`: the what-if replaces its trust policy.
    #[arg(long)]
    pub trust: bool,
    /// Also print a least-privilege draft for this principal (a user or role ARN) from its successful calls.
    #[arg(long, value_name = "ARN")]
    pub draft: Option<String>,
    /// With `--draft`: only calls at or after this time (RFC 3339, e.g. 2026-11-15T00:00:00Z).
    #[arg(long, value_name = "TIME", requires = "draft", value_parser = parse_time)]
    pub from: Option<crate::time::Timestamp>,
    /// With `--draft`: only calls before this time.
    #[arg(long, value_name = "TIME", requires = "draft", value_parser = parse_time)]
    pub to: Option<crate::time::Timestamp>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReplayFormat::Text)]
    pub format: ReplayFormat,
    /// Worker threads (default: the machine's cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// The document `--for` (with `--inline`/`--trust`) names.
pub fn target_of(
    model: &Model,
    arn: &str,
    inline: Option<&str>,
    trust: bool,
) -> Result<DocTarget, String> {
    let r = model
        .by_arn(arn)
        .ok_or_else(|| format!("`{arn}` is not in the snapshot"))?;
    match (r.kind, inline, trust) {
        (EntityKind::User | EntityKind::Group | EntityKind::Role, Some(name), false) => {
            Ok(DocTarget::Inline {
                owner: r,
                name: name.to_string(),
            })
        }
        (EntityKind::Role, None, true) => Ok(DocTarget::Trust(r)),
        (EntityKind::Policy, None, false) => Ok(DocTarget::Managed(r)),
        (EntityKind::ResourcePolicy, None, false) => Ok(DocTarget::Resource(r)),
        (EntityKind::OrgPolicy, None, false) => Ok(DocTarget::Org(r.index)),
        (EntityKind::User | EntityKind::Group, None, _) => Err(format!(
            "`{arn}` is a user or group: name its inline policy with `--inline NAME`"
        )),
        (EntityKind::Role, None, false) => Err(format!(
            "`{arn}` is a role: name its inline policy with `--inline NAME`, or give `--trust`"
        )),
        _ => Err(format!(
            "`{arn}` has no document that `--inline`/`--trust` name"
        )),
    }
}

/// At most this many events per class are listed in the text report (all are counted).
const TEXT_LIMIT: usize = 200;

/// Run `replay`; the exit status.
pub fn run(args: ReplayArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match run_inner(args, out) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            2
        }
    }
}

fn parse_time(s: &str) -> Result<crate::time::Timestamp, String> {
    crate::time::Timestamp::parse(s)
        .ok_or_else(|| format!("`{s}` is not a time (RFC 3339, e.g. 2026-11-15T00:00:00Z)"))
}

/// A trail to read: a file, or the bundled sample's.
enum TrailSource {
    File(PathBuf),
    Embedded(&'static str, &'static str),
}

impl TrailSource {
    fn read(&self) -> Result<Vec<trail::RawEvent>, String> {
        match self {
            TrailSource::File(f) => trail::read_file(f).map_err(|e| e.to_string()),
            TrailSource::Embedded(name, text) => {
                trail::parse_events(name, text.as_bytes()).map_err(|e| e.to_string())
            }
        }
    }
}

fn run_inner(args: ReplayArgs, out: &mut dyn Write) -> Result<i32, String> {
    let model = if args.sample {
        crate::sample::load_sample(LoadOptions::default())
    } else {
        load_paths(&args.snapshot, LoadOptions::default())
    }
    .map_err(|e| e.to_string())?;
    let edited = match (&args.what_if, &args.for_) {
        (Some(file), Some(arn)) => {
            let text = crate::files::read_string(file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let mut m = model.clone();
            let target = target_of(&m, arn, args.inline.as_deref(), args.trust)?;
            m.replace_document(&target, &text).map_err(|diags| {
                let msgs: Vec<String> = diags.iter().map(|d| d.message.clone()).collect();
                format!("{}: {}", file.display(), msgs.join("; "))
            })?;
            Some(m)
        }
        _ => None,
    };
    let files: Vec<TrailSource> = if args.sample && args.trails.is_empty() {
        let (name, text) = crate::sample::trail();
        vec![TrailSource::Embedded(name, text)]
    } else {
        trail::collect_files(&args.trails)
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(TrailSource::File)
            .collect()
    };
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let io = |e: std::io::Error| e.to_string();
    let mut summary = Summary::default();
    let mut listed: std::collections::BTreeMap<Class, Vec<Replayed>> = Default::default();
    let mut breaks: Vec<Replayed> = Vec::new();
    let mut mine: Vec<Replayed> = Vec::new();
    // Files are read, parsed and replayed in parallel, a batch of files at a time (one file, or fewer files than
    // threads: its events are split across the threads instead); results are written in file order.
    let per_file = files.len() >= threads;
    let edited_ref = edited.as_ref();
    let model_ref = &model;
    for batch in files.chunks(if per_file { threads } else { 1 }) {
        let results: Vec<Result<Vec<Replayed>, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|f| {
                    scope.spawn(move || {
                        let events = f.read()?;
                        Ok(replay(
                            &events,
                            model_ref,
                            edited_ref,
                            if per_file { 1 } else { threads },
                        ))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("internal error while replaying a file".into()))
                })
                .collect()
        });
        for result in results {
            for r in result? {
                summary.add(&r);
                if args.format == ReplayFormat::Json {
                    serde_json::to_writer(&mut *out, &r).map_err(|e| e.to_string())?;
                    writeln!(out).map_err(io)?;
                } else {
                    if r.what_if
                        .as_ref()
                        .is_some_and(|w| w.effect == Effect2::Breaks)
                        && breaks.len() < TEXT_LIMIT
                    {
                        breaks.push(r.clone());
                    }
                    if !matches!(r.class, Class::Agrees) {
                        let l = listed.entry(r.class).or_default();
                        if l.len() < TEXT_LIMIT {
                            l.push(r.clone());
                        }
                    }
                }
                if let Some(p) = &args.draft
                    && (&r.principal == p || r.role.as_deref() == Some(p.as_str()))
                {
                    mine.push(r);
                }
            }
        }
    }
    if args.format == ReplayFormat::Text {
        writeln!(out, "{} events from {} files", summary.events, files.len()).map_err(io)?;
        for (class, n) in &summary.classes {
            writeln!(out, "  {class}: {n}").map_err(io)?;
        }
        if edited.is_some() {
            writeln!(
                out,
                "what-if: breaks {} recorded calls, would allow {} denied ones",
                summary.breaks, summary.fixes
            )
            .map_err(io)?;
        }
        for (class, list) in &listed {
            let n = summary
                .classes
                .get(
                    serde_json::to_value(class)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                        .as_str(),
                )
                .copied()
                .unwrap_or(0);
            writeln!(out, "\n{} ({n}):", class.label()).map_err(io)?;
            for r in list {
                write_event(out, r).map_err(io)?;
            }
            if n > list.len() {
                writeln!(out, "  … and {} more", n - list.len()).map_err(io)?;
            }
        }
        if !breaks.is_empty() {
            writeln!(out, "\ncalls the what-if breaks ({}):", summary.breaks).map_err(io)?;
            for r in &breaks {
                write_event(out, r).map_err(io)?;
                if let Some(w) = &r.what_if {
                    for l in &w.why {
                        writeln!(out, "      after the edit: {l}").map_err(io)?;
                    }
                }
            }
        }
    }
    if let Some(p) = &args.draft {
        let window = Window {
            from: args.from,
            to: args.to,
        };
        let draft = draft_policy(&mine, p, &window);
        let text = serde_json::to_string_pretty(&draft.policy).map_err(|e| e.to_string())?;
        // What the draft removes when it replaces the principal's identity policies (a role's session
        // ARN names its role).
        let removes = draft_removes(&model, p, &text, &crate::diff::Options::default());
        if args.format == ReplayFormat::Json {
            let removed = match &removes {
                Ok(d) => serde_json::json!({"lost": d.access.lost, "uncertain": d.access.uncertain,
                    "counts": d.counts, "complete": d.complete}),
                Err(e) => serde_json::json!({"error": e}),
            };
            writeln!(
                out,
                "{}",
                serde_json::json!({"draft": {"principal": p, "calls": draft.calls,
                    "policy": draft.policy, "left_out": draft.left_out, "removes": removed}})
            )
            .map_err(io)?;
        } else {
            writeln!(
                out,
                "\nleast-privilege draft for {p} (from {} calls):\n{text}",
                draft.calls
            )
            .map_err(io)?;
            for (action, n) in &draft.left_out {
                writeln!(
                    out,
                    "left out: {action} ({n} calls whose records do not name the resource; add it by hand)"
                )
                .map_err(io)?;
            }
            match &removes {
                Ok(d) => {
                    writeln!(
                        out,
                        "\nin place of its identity policies the draft removes {} grants{}:",
                        d.counts.lost,
                        if d.complete {
                            ""
                        } else {
                            " (incomplete: a bound left comparisons out)"
                        }
                    )
                    .map_err(io)?;
                    for row in d.access.lost.iter().take(TEXT_LIMIT) {
                        writeln!(out, "  - {} on {}", row.action, row.resource).map_err(io)?;
                    }
                    if d.access.lost.len() > TEXT_LIMIT {
                        writeln!(out, "  … and {} more", d.access.lost.len() - TEXT_LIMIT)
                            .map_err(io)?;
                    }
                }
                Err(e) => {
                    writeln!(out, "\nwhat the draft removes is not known: {e}").map_err(io)?
                }
            }
        }
    }
    Ok(i32::from(summary.breaks > 0))
}

fn write_event(out: &mut dyn Write, r: &Replayed) -> std::io::Result<()> {
    writeln!(
        out,
        "  {} {} {} on {} [{}{}] ({})",
        r.event_time,
        r.principal,
        r.action,
        r.resource,
        serde_json::to_value(r.recorded)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        r.error_code
            .as_deref()
            .map(|c| format!(" {c}"))
            .unwrap_or_default(),
        r.origin
    )?;
    for l in &r.why {
        writeln!(out, "      {l}")?;
    }
    Ok(())
}
