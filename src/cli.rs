//! The command line: argument definitions and the subcommands that need no GUI. Output goes to the given
//! writers so tests can read it; errors are printed once, here at the edge.

use crate::account::export::LoadError;
use crate::account::workspace::{LoadOptions, load_paths};
use crate::account::{EntityKind, Model, WarningKind};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

/// IAM Atlas: explore, edit and evaluate AWS IAM offline.
#[derive(Parser, Debug)]
#[command(name = "iam-atlas", version, about, long_about = None)]
pub struct Cli {
    /// What to do; without a subcommand the GUI opens on the bundled sample.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For scripts.
    Json,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate policy files, or every policy of snapshots (`--snapshot`).
    Validate(crate::validate::cli::ValidateArgs),
    /// May a principal do an action on a resource? The decision, the layers and the statements that made it.
    Eval(crate::eval::cli::EvalArgs),
    /// Which loaded users and roles may do an action on a resource.
    WhoCan(crate::eval::cli::WhoCanArgs),
    /// What a principal may do, by service and access level.
    WhatCan(crate::eval::cli::WhatCanArgs),
    /// The roles a principal can assume, directly or through a chain.
    Assume(crate::eval::cli::AssumeArgs),
    /// Who can become administrator (or act as a role, or do an action), by which steps.
    Escalate(crate::escalate::cli::EscalateArgs),
    /// Run saved requests with expected decisions (policy unit tests); exit 1 when one fails.
    Test(crate::eval::cli::TestArgs),
    /// Open exports or workspace files in the GUI.
    Open {
        /// `get-account-authorization-details` exports and/or IAM Atlas workspace files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print entity counts per account and the load warnings.
    Summary {
        /// Exports and/or workspace files (several files = several accounts).
        #[arg(required_unless_present = "sample")]
        files: Vec<PathBuf>,
        /// Summarise the bundled sample organisation instead.
        #[arg(long, conflicts_with = "files")]
        sample: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write a large synthetic export (for benchmarks and stress tests).
    #[command(hide = true)]
    Generate {
        /// Where to write it (never over an existing file).
        #[arg(long)]
        out: PathBuf,
        /// Users.
        #[arg(long, default_value_t = 5_000)]
        users: usize,
        /// Groups.
        #[arg(long, default_value_t = 500)]
        groups: usize,
        /// Roles.
        #[arg(long, default_value_t = 20_000)]
        roles: usize,
        /// Customer-managed policies.
        #[arg(long, default_value_t = 3_000)]
        policies: usize,
        /// Account id.
        #[arg(long, default_value = "999988887777")]
        account: String,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write documents URL-encoded, as the raw IAM API does.
        #[arg(long)]
        url_encoded: bool,
    },
}

/// Load what a subcommand names: files, or the bundled sample.
pub fn load(files: &[PathBuf], sample: bool) -> Result<Model, LoadError> {
    if sample {
        crate::sample::load_sample(LoadOptions::default())
    } else {
        load_paths(files, LoadOptions::default())
    }
}

/// Run a subcommand that needs no GUI. Returns the process exit status.
pub fn run(command: Command, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let result = match command {
        Command::Summary {
            files,
            sample,
            format,
        } => summary(&files, sample, format, out),
        Command::Generate {
            out: path,
            users,
            groups,
            roles,
            policies,
            account,
            seed,
            url_encoded,
        } => {
            let spec = crate::generate::Spec {
                account,
                users,
                groups,
                roles,
                policies,
                seed,
                url_encoded,
            };
            crate::generate::write_new_file(&path, &spec)
                .map(|bytes| {
                    let _ = writeln!(out, "wrote {} ({} bytes)", path.display(), bytes);
                })
                .map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        Command::Validate(args) => return crate::validate::cli::run(args, out, err),
        Command::Eval(args) => crate::eval::cli::eval(args, out),
        Command::WhoCan(args) => crate::eval::cli::who(args, out),
        Command::WhatCan(args) => crate::eval::cli::what(args, out),
        Command::Assume(args) => crate::eval::cli::assume(args, out),
        Command::Escalate(args) => crate::escalate::cli::run(args, out),
        Command::Test(args) => match crate::eval::cli::test(args, out) {
            Ok(true) => Ok(()),
            Ok(false) => return 1,
            Err(e) => Err(e),
        },
        Command::Open { .. } => Err("the GUI is not built into this binary (feature `gui`)".into()),
    };
    match result {
        Ok(()) => 0,
        // The reader went away (`| head`): nothing more to say.
        Err(message) if message.contains("Broken pipe") => 0,
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            2
        }
    }
}

const KINDS: [EntityKind; 7] = EntityKind::IN_ACCOUNT;

/// JSON summary of a model (also used by tests).
pub fn summary_json(model: &Model) -> serde_json::Value {
    let accounts: Vec<_> = model
        .accounts
        .iter()
        .map(|a| {
            let mut counts = serde_json::Map::new();
            for k in KINDS {
                counts.insert(k.plural().replace(' ', "_"), json!(a.count(k)));
            }
            counts.insert(
                "aws_managed_policies".into(),
                json!(a.policies.iter().filter(|p| p.aws_managed).count()),
            );
            json!({
                "id": &*a.id,
                "alias": a.alias,
                "counts": counts,
                "truncated": a.truncated,
                "credential_report_rows": a.credential_report.as_ref().map(|r| r.rows.len()),
                "password_policy": a.password_policy.is_some(),
                "scps": a.scps.as_ref().map(Vec::len),
                "rcps": a.rcps.as_ref().map(Vec::len),
            })
        })
        .collect();
    let org = model.organization.as_ref().map(|o| {
        json!({
            "id": &*o.id,
            "management_account": o.management_account.as_deref(),
            "scps": model.org_policies.iter().filter(|p| p.kind == crate::account::OrgPolicyKind::Scp).count(),
            "rcps": model.org_policies.iter().filter(|p| p.kind == crate::account::OrgPolicyKind::Rcp).count(),
        })
    });
    json!({
        "complete": model.is_complete(),
        "accounts": accounts,
        "organization": org,
        "bundled_aws_managed_policies_used": model.bundled.len(),
        "warnings": model.warnings,
    })
}

fn summary(
    files: &[PathBuf],
    sample: bool,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), String> {
    let model = load(files, sample).map_err(|e| e.to_string())?;
    let io = |e: std::io::Error| e.to_string();
    if format == Format::Json {
        let v = summary_json(&model);
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
        )
        .map_err(io)?;
        return Ok(());
    }
    if let Some(o) = &model.organization {
        let scps = model
            .org_policies
            .iter()
            .filter(|p| p.kind == crate::account::OrgPolicyKind::Scp)
            .count();
        writeln!(
            out,
            "organisation {} (management account {}): {} SCPs, {} RCPs",
            o.id,
            o.management_account.as_deref().unwrap_or("unknown"),
            scps,
            model.org_policies.len() - scps
        )
        .map_err(io)?;
    }
    for a in &model.accounts {
        writeln!(
            out,
            "account {}{}",
            a.label(),
            if a.truncated {
                " [TRUNCATED EXPORT]"
            } else {
                ""
            }
        )
        .map_err(io)?;
        let parts: Vec<String> = KINDS
            .iter()
            .map(|k| format!("{} {}", a.count(*k), k.plural()))
            .collect();
        writeln!(out, "  {}", parts.join(", ")).map_err(io)?;
        let aws = a.policies.iter().filter(|p| p.aws_managed).count();
        let mut extra = vec![format!(
            "{} customer-managed and {aws} AWS-managed policies",
            a.policies.len() - aws
        )];
        if let Some(r) = &a.credential_report {
            extra.push(format!("credential report with {} rows", r.rows.len()));
        }
        if a.password_policy.is_some() {
            extra.push("password policy".into());
        }
        writeln!(out, "  {}", extra.join("; ")).map_err(io)?;
    }
    if !model.bundled.is_empty() {
        writeln!(
            out,
            "{} AWS-managed policies missing from the exports were taken from the bundled set",
            model.bundled.len()
        )
        .map_err(io)?;
    }
    if model.warnings.is_empty() {
        writeln!(out, "no load warnings").map_err(io)?;
    } else {
        writeln!(out, "{} load warnings:", model.warnings.len()).map_err(io)?;
        for w in &model.warnings {
            let tag = match w.kind {
                WarningKind::Skipped => "skipped",
                WarningKind::Dangling => "dangling",
                WarningKind::Note => "note",
            };
            writeln!(out, "  [{tag}] {w}").map_err(io)?;
        }
    }
    if !model.is_complete() {
        writeln!(
            out,
            "INCOMPLETE: some input was skipped (see the warnings); answers may be missing entities"
        )
        .map_err(io)?;
    }
    Ok(())
}
