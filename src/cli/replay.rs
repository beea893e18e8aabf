//! `iam-atlas replay TRAIL... --snapshot F... [--what-if POLICY --for ARN] [--format text|json]`: recorded
//! CloudTrail calls evaluated against a snapshot. Exit 1 when a what-if edit would break a recorded call, 0
//! otherwise, 2 on an error.

use crate::account::workspace::{LoadOptions, load_paths};
use crate::account::{EntityKind, Model};
use crate::edit::DocTarget;
use crate::replay::{
    Class, DraftReport, Effect2, Replayed, Summary, Window, counts_for_draft, draft_report, replay,
    trail,
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
    Window::bound(s)?.ok_or_else(|| "a time is needed (RFC 3339, e.g. 2026-11-15T00:00:00Z)".into())
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
    // A window that holds no call is an error before anything is read.
    let window = Window::new(args.from, args.to).map_err(|_| {
        let t = |t: Option<crate::time::Timestamp>| t.map(|t| t.to_string()).unwrap_or_default();
        format!(
            "--from {} is not before --to {}: the window holds no call",
            t(args.from),
            t(args.to)
        )
    })?;
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
                    && counts_for_draft(&r, p)
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
        let report = draft_report(&model, &mine, p, &window, &crate::diff::Options::default());
        if args.format == ReplayFormat::Json {
            writeln!(out, "{}", serde_json::json!({ "draft": report })).map_err(io)?;
        } else {
            write_draft(out, &report).map_err(io)?;
        }
    }
    Ok(i32::from(summary.breaks > 0))
}

/// The draft in text: the policy, what it leaves out, what it removes, and — before that, as it matters more —
/// what it would grant beyond today.
fn write_draft(out: &mut dyn Write, report: &DraftReport) -> std::io::Result<()> {
    let d = &report.draft;
    let text = serde_json::to_string_pretty(&d.policy).unwrap_or_default();
    writeln!(
        out,
        "\nleast-privilege draft for {} (from {} calls{}):\n{text}",
        report.principal,
        d.calls,
        if report.kept_denies > 0 {
            format!("; its {} identity Deny statements kept", report.kept_denies)
        } else {
            String::new()
        }
    )?;
    if d.calls == 0 {
        writeln!(
            out,
            "warning: no successful call of {} in the window: the draft grants nothing",
            report.principal
        )?;
    }
    for (action, n) in &d.left_out {
        writeln!(
            out,
            "left out: {action} ({n} calls whose records do not name the resource; add it by hand)"
        )?;
    }
    if report.dropped_denies > 0 {
        writeln!(
            out,
            "warning: {} identity Deny statements were not read in full and are not in the draft",
            report.dropped_denies
        )?;
    }
    let diff = match &report.diff {
        Ok(diff) => diff,
        Err(e) => return writeln!(out, "\nwhat the draft changes is not known: {e}"),
    };
    let c = &diff.counts;
    let rows = |out: &mut dyn Write, list: &[crate::diff::AccessRow], total: usize| {
        for row in list.iter().take(TEXT_LIMIT) {
            let when = if row.conditions.is_empty() {
                String::new()
            } else {
                format!(" when {}", row.conditions.join(" and "))
            };
            writeln!(out, "  - {} on {}{when}", row.action, row.resource)?;
        }
        if total > list.len().min(TEXT_LIMIT) {
            writeln!(out, "  … and {} more", total - list.len().min(TEXT_LIMIT))?;
        }
        Ok::<(), std::io::Error>(())
    };
    if c.gained > 0 || c.conditions_changed > 0 {
        writeln!(
            out,
            "\nwarning: the draft grants {} beyond today and changes the conditions of {} (a draft carries no \
             conditions; a call a resource policy allowed becomes an identity grant):",
            c.gained, c.conditions_changed
        )?;
        rows(out, &diff.access.gained, c.gained)?;
        rows(out, &diff.access.conditions_changed, c.conditions_changed)?;
    }
    writeln!(
        out,
        "\nin place of its identity policies the draft removes {} grants{}:",
        c.lost,
        if c.uncertain > 0 {
            format!(" ({} more uncertain)", c.uncertain)
        } else {
            String::new()
        }
    )?;
    rows(out, &diff.access.lost, c.lost)?;
    if !diff.complete {
        writeln!(out, "incomplete: the diff may miss changes")?;
    }
    for n in &diff.notes {
        writeln!(out, "note: {n}")?;
    }
    Ok(())
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
