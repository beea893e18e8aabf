//! `iam-atlas eval`, `who-can`, `what-can` and `assume`: the engine on the command line.

use crate::account::Model;
use crate::account::workspace::{LoadOptions, load_paths};
use crate::cli::Format;
use crate::cli::batch::Output;
use crate::eval::condition::Context;
use crate::eval::engine::{Decision, EvalResult, Overrides, Verdict, evaluate};
use crate::eval::request::{Principal, Request};
use crate::eval::reverse::{Outcome, reachable_roles, what_can, who_can};
use crate::policy::{Interner, Policy, parse_text};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Where the model comes from.
#[derive(Args, Debug, Clone)]
pub struct SnapshotArgs {
    /// Exports and/or workspace files (repeat for several accounts).
    #[arg(long = "snapshot", value_name = "FILE")]
    pub snapshot: Vec<PathBuf>,
    /// Use the bundled sample organisation.
    #[arg(long, conflicts_with = "snapshot")]
    pub sample: bool,
}

impl SnapshotArgs {
    fn load(&self) -> Result<Model, String> {
        if self.sample {
            return crate::sample::load_sample(LoadOptions::default()).map_err(|e| e.to_string());
        }
        if self.snapshot.is_empty() {
            return Err("give --snapshot FILE (an export or a workspace) or --sample".into());
        }
        load_paths(&self.snapshot, LoadOptions::default()).map_err(|e| e.to_string())
    }
}

/// `iam-atlas eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    #[command(flatten)]
    snapshot: SnapshotArgs,
    /// The principal: an ARN (user, role, assumed-role session, federated user, root), an account id, a
    /// service (`lambda.amazonaws.com`), `anonymous`, or the unique name of a loaded user or role.
    #[arg(long, required_unless_present = "requests")]
    principal: Option<String>,
    /// The action, `service:Action`.
    #[arg(long, required_unless_present = "requests")]
    action: Option<String>,
    /// The resource ARN (or `*`).
    #[arg(long, required_unless_present = "requests")]
    resource: Option<String>,
    /// The account that owns the resource (for ARNs without one, such as S3).
    #[arg(long)]
    resource_account: Option<String>,
    /// A context key, `KEY=VALUE`; repeat a key for several values. `KEY` alone: the request does not have
    /// the key (a key AWS sets on some requests only, such as `aws:MultiFactorAuthPresent` of an access key's
    /// request, is otherwise undecided).
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// A resource policy to use instead of the snapshot's.
    #[arg(long, value_name = "FILE")]
    resource_policy: Option<PathBuf>,
    /// A session policy (repeatable).
    #[arg(long, value_name = "FILE")]
    session_policy: Vec<PathBuf>,
    /// SCPs of one organisation level, root first (repeat per level): one document or a JSON array.
    #[arg(long, value_name = "FILE")]
    scp: Vec<PathBuf>,
    /// RCPs of one organisation level, root first (repeat per level).
    #[arg(long, value_name = "FILE")]
    rcp: Vec<PathBuf>,
    /// Requests to evaluate in a batch, one JSON object per line
    /// (`principal`, `action`, `resource`, `resource_account`, `context`; `-` reads the standard input).
    /// One JSON answer per non-blank line is written, in input order; a line that cannot be read is answered
    /// by `{"line": N, "error": "…"}` and the batch goes on (the command then fails, counting them).
    #[arg(long, value_name = "FILE.jsonl")]
    requests: Option<PathBuf>,
    /// With `--requests`, what each answer holds: the full explanation, or its head only, one compact object
    /// per line: `{"decision", "decided_by", "deciding_statement": {"kind", "name", "attached_to", "index"} or
    /// null, "certain"}`, with `"unknown": [why…]` when `certain` is false and `"aws_rule"` when a rule of
    /// AWS's decided.
    #[arg(long, value_enum, default_value_t = Output::Explanation, requires = "requests")]
    output: Output,
    /// With `--requests`, how many threads evaluate (default: one per core).
    #[arg(long, value_name = "N", requires = "requests", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// For a denied request, the smallest changes that would allow it; for an allowed one, what would deny it.
    /// Each is verified by evaluating the request again with the change.
    #[arg(long)]
    how_to_allow: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// `--zone`: [`crate::eval::proof::Zone`] as the command line spells it.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ZoneArg {
    /// The resource's own account.
    Account,
    /// Every account of the loaded organisation.
    Organization,
}

impl From<ZoneArg> for crate::eval::proof::Zone {
    fn from(z: ZoneArg) -> Self {
        match z {
            ZoneArg::Account => Self::Account,
            ZoneArg::Organization => Self::Organization,
        }
    }
}

/// `iam-atlas external`.
#[derive(Args, Debug)]
pub struct ExternalArgs {
    /// Resource ARNs (with a loaded resource policy) or role ARNs; every one of the snapshot when none.
    resources: Vec<String>,
    #[command(flatten)]
    snapshot: SnapshotArgs,
    /// The zone of trust: the resource's account, or the loaded organisation.
    #[arg(long, value_enum, default_value_t = ZoneArg::Organization)]
    zone: ZoneArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Run `external`.
pub fn external(a: ExternalArgs, out: &mut dyn Write) -> Result<(), String> {
    use crate::eval::proof::{Reach, external_access, external_access_all};
    let model = a.snapshot.load()?;
    let proofs = if a.resources.is_empty() {
        external_access_all(&model, a.zone.into())
    } else {
        a.resources
            .iter()
            .map(|r| external_access(&model, r, a.zone.into()))
            .collect()
    };
    let io = |e: std::io::Error| e.to_string();
    if a.format == Format::Json {
        return print_json(
            out,
            &serde_json::json!({ "zone": crate::eval::proof::Zone::from(a.zone), "proofs": proofs }),
        );
    }
    for p in &proofs {
        let label = match p.reach {
            Reach::Reachable => "REACHABLE from outside",
            Reach::NotReachable => "not reachable from outside",
            Reach::Unknown => "UNKNOWN",
        };
        writeln!(out, "{}  {label}", crate::text::excerpt(&p.resource, 120)).map_err(io)?;
        for w in &p.witnesses {
            let ctx: Vec<String> = w
                .context
                .iter()
                .map(|(k, v)| crate::eval::condition::say_key(k, v))
                .collect();
            // (On what, when it is under the resource: an object of a bucket.)
            let on = if w.resource == p.resource {
                String::new()
            } else {
                format!(" on {}", crate::text::excerpt(&w.resource, 120))
            };
            writeln!(
                out,
                "    {} may {}{on}{}",
                w.principal,
                w.action,
                if ctx.is_empty() {
                    String::new()
                } else {
                    format!(" with {}", ctx.join(" "))
                }
            )
            .map_err(io)?;
        }
        for y in &p.why {
            writeln!(out, "    {y}").map_err(io)?;
        }
    }
    Ok(())
}

/// `iam-atlas who-can`.
#[derive(Args, Debug)]
pub struct WhoCanArgs {
    /// The action.
    action: String,
    /// The resource ARN.
    resource: String,
    #[command(flatten)]
    snapshot: SnapshotArgs,
    /// The account that owns the resource.
    #[arg(long)]
    resource_account: Option<String>,
    /// A context key, `KEY=VALUE` (keys not given are assumed satisfiable and listed with each answer).
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Also name the people behind IAM Identity Center roles, each with its path
    /// (`alice@… (group platform-admins → AdministratorAccess in larkspur-prod)`).
    #[arg(long)]
    people: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// `iam-atlas access`: every account and role a person of IAM Identity Center can use, and what each may do.
#[derive(Args, Debug)]
pub struct AccessArgs {
    /// The person: user name, e-mail, display name or user id in the identity store.
    person: String,
    #[command(flatten)]
    snapshot: SnapshotArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// `iam-atlas what-can`.
#[derive(Args, Debug)]
pub struct WhatCanArgs {
    /// The principal (as for `eval`).
    principal: String,
    #[command(flatten)]
    snapshot: SnapshotArgs,
    /// A context key, `KEY=VALUE`.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// `iam-atlas assume`: the roles a principal can reach, directly or through a chain.
#[derive(Args, Debug)]
pub struct AssumeArgs {
    /// The principal: a loaded user or role (ARN or unique name).
    principal: String,
    #[command(flatten)]
    snapshot: SnapshotArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

fn context_from(pairs: &[String]) -> Result<Context, String> {
    let mut ctx = Context::new();
    for p in pairs {
        match p.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => ctx.add(k.trim(), v),
            // A key without a value: the request does not have it.
            None if !p.trim().is_empty() => {
                if ctx.get(p.trim()).is_none() {
                    ctx.set(p.trim(), Vec::new());
                }
            }
            _ => {
                return Err(format!(
                    "--context `{}` must be KEY=VALUE, or KEY alone for a key the request does not have",
                    crate::text::excerpt(p, 80)
                ));
            }
        }
    }
    Ok(ctx)
}

/// Read policy documents from a file: one document, or an array of documents.
fn policies_from(path: &std::path::Path) -> Result<Vec<(String, Policy)>, String> {
    let name = path.display().to_string();
    let text = crate::files::read_string(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let parsed = crate::json::parse(&text);
    if let Some(e) = parsed.errors.first() {
        let at = crate::text::line_col(&text, e.span.start as usize);
        return Err(format!("{name}:{at}: invalid JSON: {}", e.message));
    }
    let mut interner = Interner::default();
    let mut out = Vec::new();
    let nodes: Vec<crate::json::NodeId> =
        if parsed.doc.kind(parsed.root) == crate::json::Kind::Array {
            parsed.doc.children(parsed.root).collect()
        } else {
            vec![parsed.root]
        };
    for (i, n) in nodes.iter().enumerate() {
        let span = parsed.doc.span(*n);
        let sub = crate::text::at(&text, span);
        let p = parse_text(sub, &mut interner);
        if let Some(d) = p
            .diagnostics
            .iter()
            .find(|d| d.severity == crate::diagnostic::Severity::Error)
        {
            let at = crate::text::line_col(&text, span.start as usize + d.span.start as usize);
            return Err(format!("{name}:{at}: {}", d.message));
        }
        let label = if nodes.len() == 1 {
            name.clone()
        } else {
            format!("{name}[{i}]")
        };
        out.push((label, p.policy));
    }
    Ok(out)
}

/// Write `value` as pretty JSON, streamed (a who-can answer across an organisation is 200 MB of JSON: it is not
/// built as one string first).
fn print_json(out: &mut dyn Write, value: &impl serde::Serialize) -> Result<(), String> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut w, value).map_err(|e| e.to_string())?;
    writeln!(w).map_err(|e| e.to_string())?;
    w.flush().map_err(|e| e.to_string())
}

fn decision_str(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "Allow",
        Decision::ExplicitDeny => "ExplicitDeny",
        Decision::ImplicitDeny => "ImplicitDeny",
    }
}

/// Print an explanation for people.
pub fn print_text(r: &EvalResult, out: &mut dyn Write) -> std::io::Result<()> {
    let head = if r.certain {
        decision_str(r.decision).to_string()
    } else {
        format!(
            "UNKNOWN (the known policies give {})",
            decision_str(r.decision)
        )
    };
    writeln!(
        out,
        "{head}   decided by: {}",
        r.decided_by
            .map(|l| format!("{l:?}"))
            .unwrap_or_else(|| "-".into())
    )?;
    writeln!(
        out,
        "principal  {} ({:?}{})",
        r.principal.arn,
        r.principal.kind,
        r.principal
            .account
            .as_ref()
            .map(|a| format!(", account {a}"))
            .unwrap_or_default()
    )?;
    writeln!(out, "action     {}", r.action)?;
    let summary = r.summary();
    writeln!(
        out,
        "resource   {}{}",
        r.resource,
        r.resource_account
            .as_ref()
            .map(|a| format!(" (account {a})"))
            .unwrap_or_default()
    )?;
    if !summary.is_empty() {
        writeln!(out, "why        {summary}")?;
    }
    for u in &r.unknown {
        writeln!(out, "unknown    {u}")?;
    }
    for n in &r.notes {
        writeln!(out, "note       {n}")?;
    }
    writeln!(out, "\nlayers")?;
    for l in &r.layers {
        let v = match l.verdict {
            Verdict::Allow => "Allow",
            Verdict::ExplicitDeny => "ExplicitDeny",
            Verdict::ImplicitDeny => "ImplicitDeny",
            Verdict::NotApplicable => "-",
            Verdict::Unknown => "Unknown",
        };
        let levels: Vec<String> = l
            .levels
            .iter()
            .map(|x| format!("{}: {:?}", x.name, x.verdict))
            .collect();
        let extra = if levels.is_empty() {
            l.note.clone().unwrap_or_default().into_owned()
        } else {
            levels.join(" · ")
        };
        let v = if l.uncertain && l.verdict != Verdict::Unknown {
            format!("{v}?")
        } else {
            v.to_string()
        };
        writeln!(out, "  {:<9} {:<13} {}", format!("{:?}", l.layer), v, extra)?;
    }
    let hits: Vec<_> = r
        .layers
        .iter()
        .flat_map(|l| l.statements.iter().map(move |s| (l.layer, s)))
        .collect();
    if !hits.is_empty() {
        writeln!(out, "\nstatements")?;
        for (layer, s) in hits {
            writeln!(
                out,
                "  {:<5} {:?} {} {}{} statement {}{}",
                format!("{:?}", s.effect),
                layer,
                s.policy.kind,
                s.policy.name,
                s.policy
                    .attached_to
                    .as_ref()
                    .map(|a| format!(" ({a})"))
                    .unwrap_or_default(),
                s.index,
                s.sid
                    .as_ref()
                    .map(|x| format!(" \"{x}\""))
                    .unwrap_or_default(),
            )?;
            if let Some(loc) = &s.location {
                writeln!(out, "        at {loc}")?;
            }
            for c in &s.conditions {
                writeln!(
                    out,
                    "        {} {} {:?}: request {} → {}",
                    c.operator,
                    c.key,
                    c.policy_values,
                    c.request_values
                        .as_ref()
                        .map(|v| format!("{v:?}"))
                        .unwrap_or_else(|| "(missing)".into()),
                    match (&c.unreadable, c.held) {
                        (Some(_), true) => "cannot be decided (read as holding)",
                        (Some(_), false) => "cannot be decided (read as not holding)",
                        (None, true) => "holds",
                        (None, false) => "does not hold",
                    }
                )?;
                if let Some(why) = &c.unreadable {
                    writeln!(out, "          {why}")?;
                }
            }
        }
    }
    let near: Vec<_> = r
        .layers
        .iter()
        .flat_map(|l| l.near_misses.iter().map(move |s| (l.layer, s)))
        .collect();
    if !near.is_empty() {
        writeln!(
            out,
            "\nnear misses (action, resource and principal match; a condition fails)"
        )?;
        for (layer, s) in near {
            writeln!(
                out,
                "  {:<5} {:?} {} {} statement {}{}{}",
                format!("{:?}", s.effect),
                layer,
                s.policy.kind,
                crate::text::excerpt(&s.policy.name, 80),
                s.index,
                s.sid
                    .as_ref()
                    .map(|x| format!(" \"{x}\""))
                    .unwrap_or_default(),
                s.location
                    .as_ref()
                    .map(|l| format!(" at {l}"))
                    .unwrap_or_default(),
            )?;
            for c in s.conditions.iter().filter(|c| !c.held) {
                writeln!(
                    out,
                    "        {} {} {:?} vs {}: fails",
                    c.operator,
                    c.key,
                    c.policy_values,
                    c.request_values
                        .as_ref()
                        .map(|v| v.join(", "))
                        .unwrap_or_else(|| "(missing)".into()),
                )?;
            }
        }
    }
    if !r.missing_context_keys.is_empty() {
        writeln!(
            out,
            "\ncontext keys the policies test but the request did not give (the answer may change with them):"
        )?;
        writeln!(out, "  {}", r.missing_context_keys.join(", "))?;
    }
    Ok(())
}

fn run_eval(a: EvalArgs, out: &mut dyn Write) -> Result<(), String> {
    let model = a.snapshot.load()?;
    let mut overrides = Overrides::default();
    if let Some(p) = &a.resource_policy {
        overrides.resource_policy = policies_from(p)?.into_iter().next();
    }
    for p in &a.session_policy {
        overrides.session_policies.extend(policies_from(p)?);
    }
    for p in &a.scp {
        overrides.scp_levels.push(policies_from(p)?);
    }
    for p in &a.rcp {
        overrides.rcp_levels.push(policies_from(p)?);
    }
    let io = |e: std::io::Error| e.to_string();
    if let Some(path) = &a.requests {
        let jobs = match a.jobs {
            Some(n) => usize::from(n),
            None => std::thread::available_parallelism().map_or(1, usize::from),
        };
        let s = crate::cli::batch::run(&model, &overrides, path, a.output, jobs, out)?;
        if s.errors > 0 {
            return Err(format!(
                "{} of {} request lines could not be read: each is answered by an error line",
                s.errors,
                s.errors + s.answered
            ));
        }
        return Ok(());
    }
    let (Some(principal), Some(action), Some(resource)) = (a.principal, a.action, a.resource)
    else {
        return Err("give --principal, --action and --resource (or --requests FILE.jsonl)".into());
    };
    let principal = Principal::resolve(&principal, &model)?;
    let req = Request {
        principal,
        action,
        resource,
        resource_account: a.resource_account,
        context: context_from(&a.context)?,
    };
    let r = evaluate(&model, &req, &overrides);
    if !a.how_to_allow {
        return match a.format {
            Format::Json => print_json(out, &r),
            Format::Text => print_text(&r, out).map_err(io),
        };
    }
    let (key, changes) = if r.decision == Decision::Allow {
        (
            "what_would_deny",
            crate::eval::howto::what_would_deny(&model, &req, &overrides),
        )
    } else {
        (
            "how_to_allow",
            crate::eval::howto::how_to_allow(&model, &req, &overrides),
        )
    };
    match a.format {
        Format::Json => {
            let mut v = serde_json::to_value(&r).map_err(|e| e.to_string())?;
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    key.into(),
                    serde_json::to_value(&changes).map_err(|e| e.to_string())?,
                );
            }
            print_json(out, &v)
        }
        Format::Text => {
            print_text(&r, out).map_err(io)?;
            let title = if key == "how_to_allow" {
                "how to allow it"
            } else {
                "what would deny it"
            };
            writeln!(out, "\n{title} (each change verified by evaluating again)").map_err(io)?;
            if changes.is_empty() {
                writeln!(out, "  no single change found").map_err(io)?;
            }
            for c in &changes {
                writeln!(
                    out,
                    "  [{}] {}",
                    if c.verified {
                        "verified"
                    } else {
                        "not enough alone"
                    },
                    c.change
                )
                .map_err(io)?;
                if let Some(sn) = &c.snippet {
                    writeln!(out, "      {sn}").map_err(io)?;
                }
            }
            Ok(())
        }
    }
}

fn run_who_can(a: WhoCanArgs, out: &mut dyn Write) -> Result<(), String> {
    let model = a.snapshot.load()?;
    let ctx = context_from(&a.context)?;
    let w = who_can(
        &model,
        &a.action,
        &a.resource,
        a.resource_account,
        &ctx,
        &Overrides::default(),
    );
    let io = |e: std::io::Error| e.to_string();
    let people = a
        .people
        .then(|| crate::eval::people::who_can_people(&model, &w));
    if a.format == Format::Json {
        // Written from the answer itself (a copy as a JSON tree took 2 GB across a 1,000-account organisation);
        // with the people, as one object with two more members.
        let Some(p) = &people else {
            return print_json(out, &w);
        };
        let mut v = serde_json::to_value(&w).map_err(|e| e.to_string())?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert(
                "people".into(),
                serde_json::to_value(&p.people).map_err(|e| e.to_string())?,
            );
            obj.insert("people_unknown".into(), serde_json::json!(p.unknown));
        }
        return print_json(out, &v);
    }
    if let Some(p) = &people {
        if model.identity_center.is_none() {
            writeln!(
                out,
                "no IAM Identity Center is loaded (list its files under `identity_center` in the workspace): no people to name"
            )
            .map_err(io)?;
        } else {
            let distinct: std::collections::BTreeSet<&str> =
                p.people.iter().map(|x| x.path.person.as_str()).collect();
            writeln!(
                out,
                "{} people may do {} on {} through IAM Identity Center:",
                distinct.len(),
                w.action,
                w.resource
            )
            .map_err(io)?;
            for x in &p.people {
                let how = match x.outcome {
                    Outcome::AllowedAlways => "always".to_string(),
                    Outcome::AllowedIf => format!("if {}", x.conditions.join(" and ")),
                    Outcome::Unknown => "UNKNOWN".into(),
                };
                writeln!(out, "  {} — {how}", x.label).map_err(io)?;
            }
            for u in &p.unknown {
                writeln!(out, "  UNKNOWN people: {u}").map_err(io)?;
            }
            writeln!(out).map_err(io)?;
        }
    }
    let count = |o: Outcome| w.principals.iter().filter(|e| e.outcome == o).count();
    writeln!(
        out,
        "{} of {} principals may do {} on {}: {} always, {} under conditions, {} unknown",
        w.principals.len(),
        w.evaluated,
        w.action,
        w.resource,
        count(Outcome::AllowedAlways),
        count(Outcome::AllowedIf),
        count(Outcome::Unknown),
    )
    .map_err(io)?;
    for e in &w.principals {
        let how = match e.outcome {
            Outcome::AllowedAlways => "always".to_string(),
            Outcome::AllowedIf => format!("if {}", e.conditions.join(" and ")),
            Outcome::Unknown => "UNKNOWN: a policy it depends on is missing or was not read".into(),
        };
        writeln!(out, "  {:<70} {:?} — {how}", e.principal, e.kind).map_err(io)?;
        for s in &e.statements {
            // The holder tells apart the same policy attached to the principal and to its group.
            writeln!(
                out,
                "      via {} {}{} statement {}{}",
                s.policy.kind,
                s.policy.name,
                s.policy
                    .attached_to
                    .as_ref()
                    .map(|h| format!(" (on {h})"))
                    .unwrap_or_default(),
                s.index,
                s.sid
                    .as_ref()
                    .map(|x| format!(" \"{x}\""))
                    .unwrap_or_default()
            )
            .map_err(io)?;
        }
        for edge in &e.assumable_by {
            writeln!(
                out,
                "      assumable by {}{}{}",
                edge.from,
                if edge.cross_account {
                    " (cross-account)"
                } else {
                    ""
                },
                if edge.conditions.is_empty() {
                    String::new()
                } else {
                    format!(" if {}", edge.conditions.join(" and "))
                }
            )
            .map_err(io)?;
        }
    }
    Ok(())
}

fn run_what_can(a: WhatCanArgs, out: &mut dyn Write) -> Result<(), String> {
    let model = a.snapshot.load()?;
    let principal = Principal::resolve(&a.principal, &model)?;
    let ctx = context_from(&a.context)?;
    let w = what_can(&model, &principal, &ctx, &Overrides::default());
    let io = |e: std::io::Error| e.to_string();
    if a.format == Format::Json {
        return print_json(out, &w);
    }
    let total: usize = w
        .services
        .values()
        .flat_map(|l| l.values())
        .map(Vec::len)
        .sum();
    writeln!(
        out,
        "{} may use {total} actions in {} services",
        w.principal,
        w.services.len()
    )
    .map_err(io)?;
    for (svc, levels) in &w.services {
        writeln!(out, "  {svc}").map_err(io)?;
        for (level, grants) in levels {
            let names: Vec<String> = grants
                .iter()
                .map(|g| {
                    format!(
                        "{}{}{}{}",
                        g.action.split(':').nth(1).unwrap_or(&g.action),
                        if g.conditional { "*" } else { "" },
                        if g.unknown.is_empty() { "" } else { "?" },
                        if g.except.is_empty() { "" } else { "-" }
                    )
                })
                .collect();
            let shown = if names.len() > 12 {
                format!(
                    "{} … ({} in all)",
                    names
                        .iter()
                        .take(12)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                    names.len()
                )
            } else {
                names.join(", ")
            };
            writeln!(out, "    {level:<24} {shown}").map_err(io)?;
        }
    }
    writeln!(
        out,
        "(* = only under conditions the request leaves open; ? = unknown on some resources: a policy it needs, such as a KMS key policy, is missing, or a statement was not read; - = a Deny names resources inside what it allows, listed with --format json as `except`)"
    )
    .map_err(io)?;
    if w.not_evaluated > 0 {
        writeln!(
            out,
            "up to {} (action, resource) pairs were not evaluated: at most {} resources per action and {} in all",
            w.not_evaluated,
            crate::eval::reverse::WHAT_CAN_RESOURCES_PER_ACTION,
            crate::eval::reverse::WHAT_CAN_EVALUATIONS
        )
        .map_err(io)?;
    }
    for why in &w.unread {
        writeln!(out, "NOT WHOLE: {why}; what it may allow is not listed").map_err(io)?;
    }
    Ok(())
}

fn run_assume(a: AssumeArgs, out: &mut dyn Write) -> Result<(), String> {
    let model = a.snapshot.load()?;
    let principal = Principal::resolve(&a.principal, &model)?;
    let Some(entity) = principal.entity else {
        return Err(format!("`{}` is not a loaded user or role", principal.arn));
    };
    let reach = reachable_roles(&model, entity, &Overrides::default());
    let io = |e: std::io::Error| e.to_string();
    if a.format == Format::Json {
        return print_json(out, &reach);
    }
    let unsure = reach.iter().filter(|r| !r.certain()).count();
    if unsure == 0 {
        writeln!(out, "{} can reach {} roles", principal.arn, reach.len()).map_err(io)?;
    } else {
        writeln!(
            out,
            "{} can reach {} roles ({unsure} of them only may: a policy a hop needs was not read)",
            principal.arn,
            reach.len()
        )
        .map_err(io)?;
    }
    for r in &reach {
        if r.certain() {
            writeln!(out, "  {}", r.role).map_err(io)?;
        } else {
            writeln!(out, "  {} (may: not certain)", r.role).map_err(io)?;
        }
        for (i, pair) in r.path.windows(2).enumerate() {
            let [from, to] = pair else { continue };
            let conds = r
                .conditions
                .get(i)
                .filter(|c| !c.is_empty())
                .map(|c| format!(" if {}", c.join(" and ")))
                .unwrap_or_default();
            writeln!(out, "      {from} → {to}{conds}").map_err(io)?;
            for why in r.unknown.get(i).into_iter().flatten() {
                writeln!(out, "        not certain: {why}").map_err(io)?;
            }
        }
    }
    Ok(())
}

/// Run `eval`.
pub fn eval(a: EvalArgs, out: &mut dyn Write) -> Result<(), String> {
    run_eval(a, out)
}
/// Run `who-can`.
pub fn who(a: WhoCanArgs, out: &mut dyn Write) -> Result<(), String> {
    run_who_can(a, out)
}
/// Run `access`.
pub fn access(a: AccessArgs, out: &mut dyn Write) -> Result<(), String> {
    let model = a.snapshot.load()?;
    let Some(ic) = &model.identity_center else {
        return Err(
            "no IAM Identity Center is loaded: list its files under `identity_center` in the workspace".into(),
        );
    };
    let Some(user) = ic.find_user(&a.person) else {
        let known: Vec<&str> = ic.users.iter().take(10).map(|u| &*u.user_name).collect();
        return Err(format!(
            "no person `{}` in the identity store; its people include {}",
            a.person,
            if known.is_empty() {
                "nobody".to_string()
            } else {
                known.join(", ")
            }
        ));
    };
    let mut cache = crate::eval::people::AccessCache::default();
    let list = crate::eval::people::access_of(&model, user, &mut cache);
    let u = ic.users.get(user as usize).ok_or("no such person")?;
    if a.format == Format::Json {
        return print_json(
            out,
            &serde_json::json!({
                "person": &*u.user_name,
                "display_name": u.display_name,
                "user_id": &*u.id,
                "groups": u.groups.iter().filter_map(|g| ic.groups.get(*g as usize)).map(|g| &*g.name).collect::<Vec<_>>(),
                "access": list,
            }),
        );
    }
    let io = |e: std::io::Error| e.to_string();
    let accounts: std::collections::BTreeSet<&str> =
        list.iter().map(|x| x.path.account.as_str()).collect();
    writeln!(
        out,
        "{}{} can use {} role{} in {} account{}",
        u.user_name,
        u.display_name
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default(),
        list.len(),
        if list.len() == 1 { "" } else { "s" },
        accounts.len(),
        if accounts.len() == 1 { "" } else { "s" },
    )
    .map_err(io)?;
    for x in &list {
        writeln!(
            out,
            "  {} ({}): {} via {}{}",
            x.path.account_label,
            x.path.account,
            x.path.permission_set,
            x.path.via,
            x.session_duration
                .as_deref()
                .map(|d| format!(", sessions up to {d}"))
                .unwrap_or_default()
        )
        .map_err(io)?;
        writeln!(
            out,
            "      role {}",
            x.path.role.as_deref().unwrap_or("(not loaded)")
        )
        .map_err(io)?;
        writeln!(out, "      {}", x.access.line()).map_err(io)?;
    }
    Ok(())
}

/// Run `what-can`.
pub fn what(a: WhatCanArgs, out: &mut dyn Write) -> Result<(), String> {
    run_what_can(a, out)
}
/// Run `assume`.
pub fn assume(a: AssumeArgs, out: &mut dyn Write) -> Result<(), String> {
    run_assume(a, out)
}

/// `iam-atlas test`: run saved requests with expected decisions against a snapshot.
#[derive(Args, Debug)]
pub struct TestArgs {
    /// A JSON file of named requests with expected decisions (the shape of assets/sample/teaching-cases.json).
    requests: PathBuf,
    #[command(flatten)]
    snapshot: SnapshotArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Run `test`; `Ok(false)` when a request did not get its expected decision.
pub fn test(a: TestArgs, out: &mut dyn Write) -> Result<bool, String> {
    let model = a.snapshot.load()?;
    let name = a.requests.display().to_string();
    let text =
        crate::files::read_string(&a.requests).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let requests = crate::eval::suite::parse(&name, &text)?;
    let outcomes = crate::eval::suite::run(&model, &requests, &Overrides::default());
    let io = |e: std::io::Error| e.to_string();
    let failed = outcomes.iter().filter(|o| !o.pass).count();
    if a.format == Format::Json {
        print_json(out, &outcomes)?;
        return Ok(failed == 0);
    }
    for o in &outcomes {
        let got = match &o.got {
            Ok(d) => decision_str(*d).to_string(),
            Err(e) => format!("error: {e}"),
        };
        writeln!(
            out,
            "{}  {:<56} expected {:<13} got {}{}",
            if o.pass { "PASS" } else { "FAIL" },
            o.name,
            o.expected.map(decision_str).unwrap_or("-"),
            got,
            if o.certain { "" } else { " (uncertain)" }
        )
        .map_err(io)?;
    }
    writeln!(out, "{} passed, {failed} failed", outcomes.len() - failed).map_err(io)?;
    Ok(failed == 0)
}
