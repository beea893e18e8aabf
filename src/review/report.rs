//! The review's outputs: text for people, JSON for scripts, SARIF for code-scanning tools, Markdown for tickets,
//! and one self-contained HTML file (no network, readable printed) with counts, charts and every finding's
//! evidence.

use super::{Category, Code, Evidence, Finding, Review, Severity};
use serde_json::{Value, json};
use std::io::Write;

/// Evidence as lines of text.
pub fn evidence_lines(e: &Evidence) -> Vec<String> {
    match e {
        Evidence::Statement {
            policy,
            sid,
            location,
            text,
            ..
        } => {
            let mut head = format!("statement in {policy}");
            if let Some(s) = sid {
                head.push_str(&format!(" (Sid {s})"));
            }
            head.push_str(&format!(" at {location}"));
            let mut v = vec![head];
            v.extend(text.lines().take(30).map(|l| format!("    {l}")));
            v
        }
        Evidence::CredentialReport {
            account,
            user,
            fields,
        } => vec![format!(
            "credential report of {account}, user {user}: {}",
            fields
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        )],
        Evidence::PasswordPolicy {
            setting,
            value,
            expected,
        } => vec![format!(
            "password policy {setting} = {value}; expected {expected}"
        )],
        Evidence::Decision {
            principal,
            action,
            resource,
            decision,
            certain,
            decided_by,
            statements,
            conditions,
            context,
            unknown,
        } => {
            let mut v = vec![format!(
                "evaluator: {principal} {action} on {resource} → {decision}{}{}",
                decided_by
                    .as_ref()
                    .map(|d| format!(" (decided by {d})"))
                    .unwrap_or_default(),
                if *certain { "" } else { " UNCERTAIN" }
            )];
            v.extend(statements.iter().map(|s| format!("    {s}")));
            if !conditions.is_empty() {
                v.push(format!("    when: {}", conditions.join("; ")));
            }
            if !context.is_empty() {
                v.push(format!(
                    "    context: {}",
                    context
                        .iter()
                        .map(|(k, v)| crate::eval::condition::say_key(k, v))
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
            }
            v.extend(unknown.iter().map(|u| format!("    unknown: {u}")));
            v
        }
        Evidence::LastAccessed {
            file,
            service,
            last_used,
        } => vec![format!("{file}: service {service} last used {last_used}")],
        Evidence::RoleLastUsed { last_used, created } => vec![format!(
            "RoleLastUsed {last_used}{}",
            created
                .as_ref()
                .map(|c| format!(", created {c}"))
                .unwrap_or_default()
        )],
        Evidence::DraftPolicy { policy, removes } => {
            let mut v = vec![format!(
                "draft least-privilege policy (removes: {})",
                removes.join(", ")
            )];
            v.extend(
                serde_json::to_string_pretty(policy)
                    .unwrap_or_default()
                    .lines()
                    .take(200)
                    .map(|l| format!("    {l}")),
            );
            v
        }
        Evidence::Note { text } => vec![text.clone()],
    }
}

fn counts_line(r: &Review) -> String {
    let parts: Vec<String> = r
        .counts()
        .iter()
        .map(|(s, n)| format!("{n} {}", s.name()))
        .collect();
    format!(
        "{} findings ({}){}",
        r.findings.len(),
        parts.join(", "),
        if r.acknowledged > 0 {
            format!("; {} acknowledged in the baseline", r.acknowledged)
        } else {
            String::new()
        }
    )
}

/// Text for people.
pub fn text(r: &Review, out: &mut dyn Write) -> std::io::Result<()> {
    for f in &r.findings {
        writeln!(
            out,
            "{:<8} {} {}",
            f.severity.name().to_uppercase(),
            f.code.as_str(),
            f.title
        )?;
        writeln!(out, "  entity: {}", f.entity)?;
        for e in &f.evidence {
            for l in evidence_lines(e) {
                writeln!(out, "  {l}")?;
            }
        }
        writeln!(out, "  fix: {}", f.remediation)?;
        writeln!(out)?;
    }
    load_warnings_text(r, out)?;
    writeln!(
        out,
        "as of {} (zone of trust: {:?}): {}",
        r.as_of,
        r.zone,
        counts_line(r)
    )
}

/// How many load warnings the text output lists (the JSON and SARIF outputs carry all).
const LOAD_WARNINGS_SHOWN: usize = 20;

/// The load warnings under the findings: skipped input first, since findings about it could not be made.
fn load_warnings_text(r: &Review, out: &mut dyn Write) -> std::io::Result<()> {
    if r.load_warnings.is_empty() {
        return Ok(());
    }
    let skipped = r
        .load_warnings
        .iter()
        .filter(|w| w.kind == crate::account::WarningKind::Skipped)
        .count();
    writeln!(
        out,
        "{} load warning(s){}:",
        r.load_warnings.len(),
        if skipped > 0 {
            format!(
                ", {skipped} of them input skipped: the snapshot is incomplete and findings about it may be missing"
            )
        } else {
            String::new()
        }
    )?;
    let mut sorted: Vec<&super::LoadNotice> = r.load_warnings.iter().collect();
    sorted.sort_by_key(|w| w.kind != crate::account::WarningKind::Skipped);
    for w in sorted.iter().take(LOAD_WARNINGS_SHOWN) {
        let place = match (w.line, w.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", w.file),
            _ => w.file.clone(),
        };
        if w.location.is_empty() {
            writeln!(out, "  [{}] {place}: {}", w.kind.label(), w.message)?;
        } else {
            writeln!(
                out,
                "  [{}] {place}: {}: {}",
                w.kind.label(),
                w.location,
                w.message
            )?;
        }
    }
    if r.load_warnings.len() > LOAD_WARNINGS_SHOWN {
        writeln!(
            out,
            "  … and {} more (every one with --format json or sarif)",
            r.load_warnings.len() - LOAD_WARNINGS_SHOWN
        )?;
    }
    writeln!(out)
}

fn finding_json(f: &Finding) -> Value {
    json!({
        "code": f.code,
        "severity": f.severity,
        "category": f.category,
        "title": f.title,
        "entity": f.entity,
        "account": f.account,
        "subject": f.subject,
        "evidence": f.evidence,
        "remediation": f.remediation,
        "why": f.why,
    })
}

/// The counts by severity (with the total and the acknowledged) and by category.
fn json_counts(r: &Review) -> (Value, Value) {
    let mut counts = serde_json::Map::new();
    for (s, n) in r.counts() {
        counts.insert(s.name().into(), json!(n));
    }
    counts.insert("total".into(), json!(r.findings.len()));
    counts.insert("acknowledged".into(), json!(r.acknowledged));
    let mut by_category = serde_json::Map::new();
    for c in Category::ALL {
        by_category.insert(
            c.name().into(),
            json!(r.findings.iter().filter(|f| f.category == c).count()),
        );
    }
    (Value::Object(counts), Value::Object(by_category))
}

/// The JSON document, whole (what [`json_out`] writes).
pub fn json_value(r: &Review) -> Value {
    let (counts, by_category) = json_counts(r);
    json!({
        "as_of": r.as_of,
        "zone": r.zone,
        "findings": r.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "counts": counts,
        "by_category": by_category,
        "load_warnings": r.load_warnings,
    })
}

/// The JSON document as [`json_value`] has it, written a finding at a time (an organisation's review holds
/// hundreds of thousands; the whole document built first took more memory than the review itself). Its keys
/// are in the order `json_value` sorts them into.
struct Streamed<'r>(&'r Review);

/// The findings array of [`Streamed`].
struct StreamedFindings<'r>(&'r [Finding]);

impl serde::Serialize for StreamedFindings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(finding_json))
    }
}

impl serde::Serialize for Streamed<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        let r = self.0;
        let (counts, by_category) = json_counts(r);
        // As a `Value` (like every object of `json_value`): its keys sorted.
        let load_warnings = serde_json::to_value(&r.load_warnings).map_err(S::Error::custom)?;
        let mut m = s.serialize_map(Some(6))?;
        m.serialize_entry("as_of", &r.as_of)?;
        m.serialize_entry("by_category", &by_category)?;
        m.serialize_entry("counts", &counts)?;
        m.serialize_entry("findings", &StreamedFindings(&r.findings))?;
        m.serialize_entry("load_warnings", &load_warnings)?;
        m.serialize_entry("zone", &r.zone)?;
        m.end()
    }
}

/// JSON for scripts, streamed (a finding at a time).
pub fn json_out(r: &Review, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut w, &Streamed(r)).map_err(std::io::Error::other)?;
    writeln!(w)?;
    w.flush()
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning's `security-severity` scale.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// `file:line:col` → (file, line, col).
fn split_location(loc: &str) -> Option<(&str, u32, u32)> {
    let mut it = loc.rsplitn(3, ':');
    let col = it.next()?.parse().ok()?;
    let line = it.next()?.parse().ok()?;
    Some((it.next()?, line, col))
}

/// SARIF 2.1.0, one rule per code, each result at its first statement when it has one.
#[expect(
    clippy::indexing_slicing,
    reason = "only indexes JSON objects this function builds with `json!`, where `value[\"key\"] = …` inserts"
)]
pub fn sarif(r: &Review, out: &mut dyn Write) -> std::io::Result<()> {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": crate::sarif::rule_name(c.as_str()),
                "shortDescription": {"text": c.summary()},
                "fullDescription": {"text": c.why()},
                "help": {"text": c.remediation()},
                "defaultConfiguration": {"level": sarif_level(c.severity())},
                "properties": {
                    "tags": ["iam", "security", c.category().name()],
                    "security-severity": security_severity(c.severity()),
                },
            })
        })
        .collect();
    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let loc = f.evidence.iter().find_map(|e| match e {
                Evidence::Statement { location, .. } => split_location(location),
                _ => None,
            });
            let mut location = json!({
                "logicalLocations": [{"fullyQualifiedName": f.entity, "kind": "resource"}],
            });
            if let Some((file, line, col)) = loc {
                location["physicalLocation"] = json!({
                    "artifactLocation": {"uri": crate::sarif::artifact(file)},
                    "region": {"startLine": line, "startColumn": col},
                });
            }
            json!({
                "ruleId": f.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == f.code),
                "level": sarif_level(f.severity),
                "message": {"text": format!("{} ({})", f.title, f.entity)},
                "locations": [location],
                "partialFingerprints": {
                    "iamAtlasFinding/v1": format!("{}|{}|{}", f.code.as_str(), f.entity, f.subject.as_deref().unwrap_or("")),
                },
                "properties": {"security-severity": security_severity(f.severity), "severity": f.severity},
            })
        })
        .collect();
    let v = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "iam-atlas",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-concepts.html",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
            // What loading met, as the tool's notifications (SARIF 2.1.0 §3.20.21), with the place in the file.
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": r.load_warnings.iter().map(|w| {
                    let mut n = json!({
                        "level": if w.kind == crate::account::WarningKind::Note { "note" } else { "warning" },
                        "message": {"text": format!("{}: {}", w.location, w.message)},
                        "descriptor": {"id": w.code},
                    });
                    let mut phys = json!({"artifactLocation": {"uri": crate::sarif::artifact(&w.file)}});
                    if let (Some(l), Some(c)) = (w.line, w.column) {
                        phys["region"] = json!({"startLine": l, "startColumn": c});
                    }
                    n["locations"] = json!([{"physicalLocation": phys}]);
                    n
                }).collect::<Vec<_>>(),
            }],
        }],
    });
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&v).unwrap_or_default()
    )
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown for tickets and pull requests.
pub fn markdown(r: &Review, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "# IAM review\n")?;
    writeln!(
        out,
        "As of {}, zone of trust: {:?}. {}\n",
        r.as_of,
        r.zone,
        counts_line(r)
    )?;
    writeln!(out, "| Severity | Findings |\n|---|---|")?;
    for (s, n) in r.counts() {
        writeln!(out, "| {} | {n} |", s.name())?;
    }
    writeln!(out)?;
    for s in Severity::ALL {
        let fs: Vec<&Finding> = r.findings.iter().filter(|f| f.severity == s).collect();
        if fs.is_empty() {
            continue;
        }
        writeln!(out, "## {} ({})\n", s.name(), fs.len())?;
        for f in fs {
            writeln!(out, "### `{}` {}\n", f.code.as_str(), md_escape(&f.title))?;
            writeln!(out, "- entity: `{}`", f.entity)?;
            writeln!(out, "- category: {}", f.category.name())?;
            writeln!(out, "- why: {}", f.why)?;
            writeln!(out, "- fix: {}\n", f.remediation)?;
            if !f.evidence.is_empty() {
                writeln!(out, "```text")?;
                for e in &f.evidence {
                    for l in evidence_lines(e) {
                        writeln!(out, "{}", l.replace("```", "'''"))?;
                    }
                }
                writeln!(out, "```\n")?;
            }
        }
    }
    Ok(())
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn colour(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "#8b0000",
        Severity::High => "#d9480f",
        Severity::Medium => "#e8a317",
        Severity::Low => "#3b7dd8",
        Severity::Info => "#868e96",
    }
}

/// A horizontal stacked bar chart (by severity) of `rows`, as inline SVG.
fn chart(title: &str, rows: &[(String, Vec<(Severity, usize)>)]) -> String {
    let max = rows
        .iter()
        .map(|(_, v)| v.iter().map(|(_, n)| n).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, bar_w, row_h) = (300.0, 400.0, 22.0);
    let h = rows.len() as f64 * row_h + 30.0;
    let mut s = format!(
        "<figure><figcaption>{}</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        label_w + bar_w + 60.0,
        esc(title)
    );
    for (i, (label, parts)) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        // About 45 characters fit the label column.
        let label = match label.char_indices().nth(44) {
            Some((cut, _)) => format!("{}…", label.get(..cut).unwrap_or(label)),
            None => label.clone(),
        };
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>",
            label_w - 6.0,
            y + 14.0,
            esc(&label)
        ));
        let mut x = label_w;
        let mut total = 0;
        for (sev, n) in parts {
            if *n == 0 {
                continue;
            }
            let w = bar_w * *n as f64 / max as f64;
            s.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"><title>{n} {}</title></rect>",
                row_h - 6.0,
                colour(*sev),
                sev.name()
            ));
            x += w;
            total += n;
        }
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{total}</text>",
            x + 4.0,
            y + 14.0
        ));
    }
    let ly = rows.len() as f64 * row_h + 20.0;
    let mut lx = label_w;
    for sev in Severity::ALL {
        s.push_str(&format!(
            "<rect x=\"{lx}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{ly}\" font-size=\"11\">{}</text>",
            ly - 9.0,
            colour(sev),
            lx + 13.0,
            sev.name()
        ));
        lx += 80.0;
    }
    s.push_str("</svg></figure>");
    s
}

fn by(
    r: &Review,
    keys: Vec<String>,
    key: impl Fn(&Finding) -> String,
) -> Vec<(String, Vec<(Severity, usize)>)> {
    keys.into_iter()
        .map(|k| {
            let parts = Severity::ALL
                .iter()
                .map(|s| {
                    (
                        *s,
                        r.findings
                            .iter()
                            .filter(|f| f.severity == *s && key(f) == k)
                            .count(),
                    )
                })
                .collect();
            (k, parts)
        })
        .collect()
}

/// One self-contained HTML file.
pub fn html(r: &Review, model: &crate::account::Model, out: &mut dyn Write) -> std::io::Result<()> {
    let label = |id: &str| {
        if id.is_empty() {
            return "(the snapshot as a whole)".to_string();
        }
        model
            .account(id)
            .map(|a| a.label())
            .unwrap_or_else(|| id.to_string())
    };
    let cats = Category::ALL.iter().map(|c| c.name().to_string()).collect();
    let mut accounts: Vec<String> = r.findings.iter().map(|f| label(&f.account)).collect();
    accounts.sort();
    accounts.dedup();
    let mut body = String::new();
    body.push_str(&format!(
        "<h1>IAM review</h1><p>As of {} · zone of trust: {:?} · {}</p>",
        esc(&r.as_of),
        r.zone,
        esc(&counts_line(r))
    ));
    body.push_str("<table class=\"counts\"><tr>");
    for (s, n) in r.counts() {
        body.push_str(&format!(
            "<td style=\"border-top:6px solid {}\"><b>{n}</b><br>{}</td>",
            colour(s),
            s.name()
        ));
    }
    body.push_str("</tr></table>");
    body.push_str(&chart(
        "Findings by category",
        &by(r, cats, |f| f.category.name().to_string()),
    ));
    body.push_str(&chart(
        "Findings by account",
        &by(r, accounts, |f| label(&f.account)),
    ));
    for s in Severity::ALL {
        let fs: Vec<&Finding> = r.findings.iter().filter(|f| f.severity == s).collect();
        if fs.is_empty() {
            continue;
        }
        body.push_str(&format!("<h2>{} ({})</h2>", s.name(), fs.len()));
        for f in fs {
            let mut ev = String::new();
            for e in &f.evidence {
                ev.push_str(&esc(&evidence_lines(e).join("\n")));
                ev.push('\n');
            }
            body.push_str(&format!(
                "<details open class=\"f\"><summary><span class=\"sev\" style=\"background:{}\">{}</span> <code>{}</code> {}</summary>\
                 <p><b>Entity</b> <code>{}</code> · {}</p><p><b>Why</b> {}</p><p><b>Fix</b> {}</p><pre>{}</pre></details>",
                colour(f.severity),
                f.severity.name(),
                f.code.as_str(),
                esc(&f.title),
                esc(&f.entity),
                f.category.name(),
                esc(f.why),
                esc(f.remediation),
                ev
            ));
        }
    }
    write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>IAM review</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}}\
         .counts td{{padding:.4rem 1rem;text-align:center}}figure{{margin:1rem 0}}figcaption{{font-weight:bold}}\
         .f{{border:1px solid #ddd;border-radius:4px;margin:.5rem 0;padding:.3rem .6rem;break-inside:avoid}}\
         .sev{{color:#fff;border-radius:3px;padding:0 .4rem;font-size:.8rem}}pre{{background:#f6f6f6;padding:.5rem;\
         overflow-x:auto;white-space:pre-wrap;font-size:.8rem}}@media print{{details{{display:block}}}}</style>\
         </head><body>{body}</body></html>"
    )?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed JSON is the document `json_value` builds whole, byte for byte.
    #[test]
    fn streamed_json_is_the_whole_document() {
        let model = crate::sample::load_sample(Default::default()).expect("the sample loads");
        let mut r = crate::review::review(&model, &crate::review::Options::default());
        assert!(r.findings.len() > 10, "{} findings", r.findings.len());
        r.acknowledged = 2;
        r.load_warnings.push(super::super::LoadNotice {
            kind: crate::account::WarningKind::Skipped,
            code: "LOAD_SKIPPED",
            file: "exports/a \"quoted\" name.json".into(),
            location: "$.Policies[3]".into(),
            message: "skipped: ünïcode\nand a new line".into(),
            line: Some(3),
            column: None,
        });
        let whole = format!(
            "{}\n",
            serde_json::to_string_pretty(&json_value(&r)).expect("json")
        );
        let mut streamed = Vec::new();
        json_out(&r, &mut streamed).expect("written");
        assert_eq!(String::from_utf8(streamed).expect("UTF-8"), whole);
        // And with nothing found.
        let empty = Review::default();
        let mut streamed = Vec::new();
        json_out(&empty, &mut streamed).expect("written");
        assert_eq!(
            String::from_utf8(streamed).expect("UTF-8"),
            format!(
                "{}\n",
                serde_json::to_string_pretty(&json_value(&empty)).expect("json")
            )
        );
    }
}
