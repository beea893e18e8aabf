//! `iam-atlas audit`: the review on the command line; exit 1 when a finding at or above `--min-severity`
//! remains after the baseline.

use crate::review::baseline::Baseline;
use crate::review::{Options, Severity, Zone, report, review};
use crate::time::Timestamp;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

/// Output formats of `audit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// For people.
    Text,
    /// For scripts.
    Json,
    /// For code-scanning tools.
    Sarif,
    /// For tickets and pull requests.
    Markdown,
    /// One self-contained page.
    Html,
}

/// The zone of trust, on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ZoneArg {
    /// Only the resource's own account.
    Account,
    /// Every account of the organisation.
    Organization,
}

/// `iam-atlas audit`.
#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Exports and/or workspace files.
    #[arg(required_unless_present = "sample")]
    pub files: Vec<PathBuf>,
    /// Review the bundled sample organisation instead.
    #[arg(long, conflicts_with = "files")]
    pub sample: bool,
    /// The zone of trust for external access.
    #[arg(long, value_enum, default_value_t = ZoneArg::Account)]
    pub zone: ZoneArg,
    /// Exit 1 when a finding at or above this severity remains (critical, high, medium, low, info).
    #[arg(long, default_value = "high", value_parser = parse_severity)]
    pub min_severity: Severity,
    /// Findings acknowledged with a reason (`iam-atlas-baseline/1`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write a baseline of the current findings to this new file (reasons left empty to fill in).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Measure ages at this date (default: the latest activity date in the snapshot).
    #[arg(long, value_name = "DATE", value_parser = parse_time)]
    pub now: Option<Timestamp>,
    /// Roles and services unused for more days than this are unused.
    #[arg(long, default_value_t = 90)]
    pub unused_days: i64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| {
        format!("`{s}` is not a severity; expected critical, high, medium, low or info")
    })
}

fn parse_time(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse(s).ok_or_else(|| format!("`{s}` is not a date (YYYY-MM-DD or RFC 3339)"))
}

/// Write `text` to the new file `path` (temp file + rename; never over an existing file).
fn write_new(path: &std::path::Path, text: &str) -> Result<(), String> {
    if path.exists() {
        return Err(format!(
            "{} exists; the baseline is never written over",
            path.display()
        ));
    }
    crate::files::write_new(path, |w| w.write_all(text.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Run `audit`; the exit status (0 clean, 1 findings at or above the threshold, 2 error). A reader that went
/// away is known by the error's kind where `out` is watched ([`crate::cli::run`]), never by a message's text.
pub fn run(args: AuditArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match audit(&args, out) {
        Ok(true) => 1,
        Ok(false) => 0,
        Err(m) => {
            let _ = writeln!(err, "error: {m}");
            2
        }
    }
}

fn audit(args: &AuditArgs, out: &mut dyn Write) -> Result<bool, String> {
    let baseline = match &args.baseline {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
            Some(Baseline::parse(&p.display().to_string(), &text)?)
        }
        None => None,
    };
    let model = crate::cli::load(&args.files, args.sample).map_err(|e| e.to_string())?;
    let opts = Options {
        zone: match args.zone {
            ZoneArg::Account => Zone::Account,
            ZoneArg::Organization => Zone::Organization,
        },
        now: args.now,
        unused_days: args.unused_days,
        ..Options::default()
    };
    let mut r = review(&model, &opts);
    if let Some(b) = &baseline {
        b.apply(&mut r);
    }
    if let Some(p) = &args.write_baseline {
        let b = Baseline::from_review(&r);
        write_new(
            p,
            &serde_json::to_string_pretty(&b).map_err(|e| e.to_string())?,
        )?;
    }
    let io = |e: std::io::Error| e.to_string();
    match args.format {
        AuditFormat::Text => report::text(&r, out).map_err(io)?,
        AuditFormat::Json => report::json_out(&r, out).map_err(io)?,
        AuditFormat::Sarif => report::sarif(&r, out).map_err(io)?,
        AuditFormat::Markdown => report::markdown(&r, out).map_err(io)?,
        AuditFormat::Html => report::html(&r, &model, out).map_err(io)?,
    }
    Ok(r.at_least(args.min_severity) > 0)
}
