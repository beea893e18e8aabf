//! `iam-atlas validate`: validate policy files, or every policy of loaded snapshots, and print the findings
//! like a compiler (text), as JSON, or as SARIF 2.1.0 for code-scanning tools.
//!
//! Exit status: 1 when any finding is an error, 0 otherwise, 2 when the input cannot be read.

use crate::account::workspace::{LoadOptions, load_paths};
use crate::diagnostic::{Diagnostic, Severity};
use crate::text::LineCol;
use crate::validate::{
    CHECKS, Check, Options, PolicyKind, kind_of, validate_policy_with, validate_with,
};
use clap::ValueEnum;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

/// Policy types accepted by `--type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Identity-based (managed) policy.
    Identity,
    /// Resource-based policy.
    Resource,
    /// Role trust policy.
    Trust,
    /// Permissions boundary.
    Boundary,
    /// Session policy.
    Session,
    /// Service control policy.
    Scp,
    /// Resource control policy.
    Rcp,
}

impl KindArg {
    fn kind(self) -> PolicyKind {
        match self {
            KindArg::Identity => PolicyKind::Identity(crate::validate::IdentityKind::Managed),
            KindArg::Resource => PolicyKind::Resource { service: None },
            KindArg::Trust => PolicyKind::Trust,
            KindArg::Boundary => PolicyKind::Boundary,
            KindArg::Session => PolicyKind::Session,
            KindArg::Scp => PolicyKind::Scp,
            KindArg::Rcp => PolicyKind::Rcp,
        }
    }
}

/// Output formats of `validate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Compiler-style text with the source line and a caret line.
    Text,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other tools).
    Sarif,
}

/// Arguments of `iam-atlas validate`.
#[derive(clap::Args, Debug, Clone)]
pub struct ValidateArgs {
    /// Policy documents (JSON files); with `--snapshot`, exports and/or workspace files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// What the policy files are (ignored with `--snapshot`, where each document has its own type).
    #[arg(long = "type", value_enum, default_value_t = KindArg::Identity)]
    pub kind: KindArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Treat FILE... as account snapshots and validate every policy document in them.
    #[arg(long)]
    pub snapshot: bool,
}

/// The findings of one document with what is needed to show them: its source (text and line index), borrowed
/// from the loaded model with `--snapshot` (every document of an export shares it).
struct Report<'m> {
    /// File name (or source name) to show.
    name: String,
    /// The document's label in a snapshot (`role x trust policy`).
    label: Option<String>,
    /// The document's type; `None` for what the loader met in an export (load warnings).
    kind: Option<PolicyKind>,
    source: std::borrow::Cow<'m, crate::account::Source>,
    diags: Vec<Diagnostic>,
}

impl Report<'_> {
    fn pos(&self, offset: u32) -> LineCol {
        self.source.line_col(offset)
    }
}

/// Run `validate`. Returns the exit status.
pub fn run(args: ValidateArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let model = if args.snapshot {
        match load_paths(&args.files, LoadOptions::default()) {
            Ok(m) => Some(m),
            Err(e) => {
                let _ = writeln!(err, "error: {e}");
                return 2;
            }
        }
    } else {
        None
    };
    let reports = match collect(&args, model.as_ref()) {
        Ok(r) => r,
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            return 2;
        }
    };
    let written = match args.format {
        OutputFormat::Text => text(&reports, out),
        OutputFormat::Json => json_out(&reports, out),
        OutputFormat::Sarif => sarif(&reports, out),
    };
    if let Err(e) = written {
        let _ = writeln!(err, "error: cannot write the output: {e}");
        return 2;
    }
    let any_error = reports
        .iter()
        .any(|r| r.diags.iter().any(|d| d.severity == Severity::Error));
    i32::from(any_error)
}

/// The reports of `model`'s documents (`--snapshot`), or of the policy files `args` names.
fn collect<'m>(
    args: &ValidateArgs,
    model: Option<&'m crate::account::Model>,
) -> Result<Vec<Report<'m>>, String> {
    let mut reports = Vec::new();
    if let Some(model) = model {
        // A packed source (an organisation's export) unpacked once for all of its documents, which come one
        // source after another.
        let mut unpacked: Option<(crate::account::SourceId, crate::text::Text)> = None;
        let mut text_of = |id: crate::account::SourceId| -> crate::text::Text {
            let source = model.source(id);
            match &unpacked {
                // A text as read is shared, not copied.
                _ if !source.is_packed() => source.shared_text(),
                Some((s, t)) if *s == id => t.clone(),
                _ => {
                    let t = source.shared_text();
                    unpacked = Some((id, t.clone()));
                    t
                }
            }
        };
        for d in model.documents() {
            let kind = kind_of(model, &d);
            let source = model.source(d.doc.source);
            let account = d
                .owner
                .and_then(|o| model.accounts.get(o.account as usize))
                .map(|a| a.id.to_string());
            let opts = Options { account };
            let mut diags = d.doc.problems.clone();
            let text = text_of(d.doc.source);
            diags.extend(validate_policy_with(&d.doc.policy, &text, kind, &opts));
            diags.sort_by_key(|x| (x.span.start, x.span.end));
            reports.push(Report {
                name: source.name.clone(),
                label: Some(d.label.clone()),
                kind: Some(kind),
                // Borrowed: a copy per document was the export's whole index each time (12.3 GB at the peak for
                // the 6,381 documents of a 23 MB pretty-printed export of 488,723 lines, and the kernel's OOM
                // killer at 45 MB).
                source: std::borrow::Cow::Borrowed(source),
                diags,
            });
        }
        // What the loader met where it had a place in a text, as the same diagnostics under the `load` codes: a CI
        // that gates on `validate --snapshot` sees an entry the loader skipped (the snapshot is incomplete) next to
        // the policies' own problems, with its line and column.
        let mut by_source: std::collections::BTreeMap<u32, Vec<Diagnostic>> = Default::default();
        for w in &model.warnings {
            if let Some((s, d)) = w.diagnostic() {
                by_source.entry(s.0).or_default().push(d);
            }
        }
        for (s, mut diags) in by_source {
            let source = model.source(crate::account::SourceId(s));
            diags.sort_by_key(|x| (x.span.start, x.span.end));
            reports.push(Report {
                name: source.name.clone(),
                label: Some("what the loader met".into()),
                kind: None,
                source: std::borrow::Cow::Borrowed(source),
                diags,
            });
        }
        return Ok(reports);
    }
    let kind = args.kind.kind();
    for path in &args.files {
        let text = crate::files::read_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let diags = validate_with(&text, kind, &Options::default());
        reports.push(Report {
            name: path.display().to_string(),
            label: None,
            kind: Some(kind),
            source: std::borrow::Cow::Owned(crate::account::Source::new(
                path.display().to_string(),
                std::sync::Arc::new(text),
            )),
            diags,
        });
    }
    Ok(reports)
}

/// A report's type as outputs name it: the policy type, or `export` for what the loader met.
fn kind_label(kind: Option<PolicyKind>) -> &'static str {
    kind.map_or("export", PolicyKind::label)
}

fn sev_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::SecurityWarning => "security-warning",
        Severity::Warning => "warning",
        Severity::Suggestion => "suggestion",
    }
}

fn counts(reports: &[Report]) -> [usize; 4] {
    let mut c = [0usize; 4];
    for d in reports.iter().flat_map(|r| r.diags.iter()) {
        let [e, s, w, g] = &mut c;
        *match d.severity {
            Severity::Error => e,
            Severity::SecurityWarning => s,
            Severity::Warning => w,
            Severity::Suggestion => g,
        } += 1;
    }
    c
}

/// Characters of a source line shown around a diagnostic.
const SOURCE_WINDOW: usize = 120;

/// Diagnostics of one code shown per document in text output; the rest are counted (JSON and SARIF list all).
const SHOWN_PER_CODE: usize = 20;

fn text(reports: &[Report], out: &mut dyn Write) -> std::io::Result<()> {
    for r in reports {
        let mut shown: std::collections::BTreeMap<&str, usize> = Default::default();
        for d in &r.diags {
            let n = shown.entry(d.code).or_default();
            *n += 1;
            if *n > SHOWN_PER_CODE {
                continue;
            }
            let start = r.pos(d.span.start);
            writeln!(
                out,
                "{}:{}:{}: {}[{}]: {}",
                r.name,
                start.line,
                start.col,
                sev_word(d.severity),
                d.code,
                crate::text::excerpt(&d.message, crate::diagnostic::MAX_TEXT + 1)
            )?;
            if let Some(label) = &r.label {
                writeln!(out, "  = in {label} ({})", kind_label(r.kind))?;
            }
            if let Some(sub) = d.subcode {
                writeln!(out, "  = check: {sub}")?;
            }
            let (range, from, line) =
                r.source
                    .line_part(start.line, d.span.start as usize, SOURCE_WINDOW);
            let num = start.line.to_string();
            let pad = " ".repeat(num.len());
            // A window of the line around the span (exports are often one line of megabytes), control
            // characters shown escaped; the caret line covers the span's part in the window (at least one).
            let first = (d.span.start as usize).clamp(range.start, range.end);
            let last = (d.span.end as usize).clamp(first, range.end);
            let (shown, before) =
                crate::text::window(&line, first.saturating_sub(from), SOURCE_WINDOW);
            let shown: String = shown
                .chars()
                .map(|c| if c.is_control() && c != '\t' { '?' } else { c })
                .collect();
            let room = shown.chars().count().saturating_sub(before).max(1);
            let width = r
                .source
                .chars_of(crate::text::Span::new(first, last), room)
                .clamp(1, room);
            // Tabs keep their width so the carets stay aligned.
            let indent: String = shown
                .chars()
                .take(before)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            writeln!(out, "{pad} |")?;
            writeln!(out, "{num} | {shown}")?;
            writeln!(out, "{pad} | {indent}{}", "^".repeat(width))?;
            if let Some(h) = &d.help {
                writeln!(
                    out,
                    "{pad} = help: {}",
                    crate::text::excerpt(h, crate::diagnostic::MAX_TEXT + 1)
                )?;
            }
            if let Some(f) = &d.fix {
                if f.text.is_empty() {
                    writeln!(
                        out,
                        "{pad} = fix: remove `{}`",
                        crate::text::excerpt(&r.source.at(f.span), 200)
                    )?;
                } else {
                    writeln!(out, "{pad} = fix: `{}`", crate::text::excerpt(&f.text, 200))?;
                }
            }
            writeln!(out)?;
        }
        for (code, n) in shown {
            if n > SHOWN_PER_CODE {
                writeln!(
                    out,
                    "{}: … and {} more {code} (every one with --format json or sarif)\n",
                    r.name,
                    n - SHOWN_PER_CODE
                )?;
            }
        }
    }
    let [e, s, w, g] = counts(reports);
    use crate::text::plural;
    writeln!(
        out,
        "{}, {}, {}, {} in {} ({})",
        plural(e, "error"),
        plural(s, "security warning"),
        plural(w, "warning"),
        plural(g, "suggestion"),
        plural(reports.len(), "document"),
        crate::catalog::catalog().label()
    )
}

fn diag_json(r: &Report, d: &Diagnostic) -> serde_json::Value {
    let s = r.pos(d.span.start);
    let e = r.pos(d.span.end);
    json!({
        "code": d.code,
        "subcode": d.subcode,
        "access_analyzer_type": d.access_analyzer_type,
        "severity": d.severity,
        "message": d.message,
        "help": d.help,
        "path": d.path,
        "span": {"start": d.span.start, "end": d.span.end},
        "start": {"line": s.line, "column": s.col},
        "end": {"line": e.line, "column": e.col},
        "fix": d.fix.as_ref().map(|f| json!({
            "span": {"start": f.span.start, "end": f.span.end},
            "text": f.text,
        })),
    })
}

fn json_out(reports: &[Report], out: &mut dyn Write) -> std::io::Result<()> {
    let [e, s, w, g] = counts(reports);
    // Streamed one diagnostic at a time: 50,000 diagnostics never sit in memory as one JSON tree.
    let cat = crate::catalog::catalog();
    let put = |out: &mut dyn Write, v: &serde_json::Value| -> std::io::Result<()> {
        serde_json::to_writer(&mut *out, v).map_err(std::io::Error::other)
    };
    write!(out, "{{\n  \"catalog\": ")?;
    put(out, &json!({"version": cat.version, "date": cat.date}))?;
    write!(out, ",\n  \"documents\": [")?;
    for (i, r) in reports.iter().enumerate() {
        write!(out, "{}\n    {{\"file\": ", if i == 0 { "" } else { "," })?;
        put(out, &json!(r.name))?;
        write!(out, ", \"document\": ")?;
        put(out, &json!(r.label))?;
        write!(out, ", \"type\": ")?;
        put(out, &json!(kind_label(r.kind)))?;
        write!(out, ", \"diagnostics\": [")?;
        for (j, d) in r.diags.iter().enumerate() {
            write!(out, "{}\n      ", if j == 0 { "" } else { "," })?;
            put(out, &diag_json(r, d))?;
        }
        write!(out, "{}]}}", if r.diags.is_empty() { "" } else { "\n    " })?;
    }
    write!(
        out,
        "{}],\n  \"summary\": ",
        if reports.is_empty() { "" } else { "\n  " }
    )?;
    put(
        out,
        &json!({"errors": e, "security_warnings": s, "warnings": w, "suggestions": g}),
    )?;
    writeln!(out, "\n}}")
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::SecurityWarning | Severity::Warning => "warning",
        Severity::Suggestion => "note",
    }
}

#[expect(
    clippy::indexing_slicing,
    reason = "only indexes JSON objects this function builds with `json!`, where `value[\"key\"] = …` inserts"
)]
fn sarif(reports: &[Report], out: &mut dyn Write) -> std::io::Result<()> {
    // One rule per code a finding can carry: Access Analyzer's codes (several checks may report under one) and
    // the project's own; the checks behind a rule are named in its properties.
    let mut ids: Vec<&'static str> = Vec::new();
    for c in CHECKS {
        for code in c
            .reported_as
            .iter()
            .map(|a| a.as_str())
            .chain(c.reported_as.is_empty().then_some(c.code))
        {
            if !ids.contains(&code) {
                ids.push(code);
            }
        }
    }
    let rules: Vec<_> = ids
        .iter()
        .map(|&id| {
            let behind: Vec<&Check> = CHECKS
                .iter()
                .filter(|c| c.reported_as.iter().any(|a| a.as_str() == id) || c.code == id)
                .collect();
            let first = behind.first().copied();
            let severity = first.map_or(Severity::Warning, |c| c.severity);
            let summary = first.map_or("", |c| c.summary);
            let group = first.map_or("iam", |c| c.group);
            let mut props = json!({"tags": [group, "iam"]});
            if severity == Severity::SecurityWarning {
                props["tags"] = json!([group, "iam", "security"]);
                props["security-severity"] = json!("7.0");
            }
            if let Some(t) = crate::validate::aa_code(id) {
                props["access_analyzer_type"] = json!(t.finding_type().as_str());
            }
            props["checks"] = json!(behind.iter().map(|c| c.code).collect::<Vec<_>>());
            json!({
                "id": id,
                "name": crate::sarif::rule_name(id),
                "shortDescription": {"text": summary},
                "fullDescription": {"text": summary},
                "helpUri": if crate::validate::aa_code(id).is_some() {
                    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
                } else {
                    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
                },
                "defaultConfiguration": {"level": sarif_level(severity)},
                "properties": props,
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in reports {
        for d in &r.diags {
            let s = r.pos(d.span.start);
            let e = r.pos(d.span.end.max(d.span.start));
            let (end_line, end_col) = if d.span.is_empty() {
                (s.line, s.col + 1)
            } else {
                (e.line, e.col)
            };
            let rule_index = ids.iter().position(|c| *c == d.code);
            let mut message = d.message.clone();
            if let Some(h) = &d.help {
                message.push_str("; ");
                message.push_str(h);
            }
            if let Some(l) = &r.label {
                message.push_str(&format!(" (in {l})"));
            }
            let mut res = json!({
                "ruleId": d.code,
                "level": sarif_level(d.severity),
                "message": {"text": message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": crate::sarif::artifact(&r.name)},
                        "region": {
                            "startLine": s.line,
                            "startColumn": s.col,
                            "endLine": end_line,
                            "endColumn": end_col,
                        }
                    },
                    "logicalLocations": [{"fullyQualifiedName": d.path, "kind": "member"}],
                }],
            });
            if let Some(i) = rule_index {
                res["ruleIndex"] = json!(i);
            }
            let mut props = json!({});
            if let Some(sub) = d.subcode {
                props["subcode"] = json!(sub);
            }
            if let Some(t) = d.access_analyzer_type {
                props["access_analyzer_type"] = json!(t.as_str());
            }
            if props.as_object().is_some_and(|o| !o.is_empty()) {
                res["properties"] = props;
            }
            results.push(res);
        }
    }
    let v = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "iam-atlas",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&v).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every document of a snapshot shares its source's line index: none is copied per document.
    #[test]
    fn snapshot_reports_borrow_their_sources_line_index() {
        let model = crate::sample::load_sample(LoadOptions::default()).expect("the sample");
        let args = ValidateArgs {
            files: vec![],
            kind: KindArg::Identity,
            format: OutputFormat::Json,
            snapshot: true,
        };
        let reports = collect(&args, Some(&model)).expect("reports");
        assert!(
            reports.len() > model.sources.len(),
            "{} reports",
            reports.len()
        );
        for r in &reports {
            let std::borrow::Cow::Borrowed(source) = &r.source else {
                panic!("{}: a copied source", r.name);
            };
            assert!(
                model.sources.iter().any(|s| std::ptr::eq(s, *source)),
                "{}: no source of the model",
                r.name
            );
        }
    }
}
