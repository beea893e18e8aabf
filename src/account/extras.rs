//! The layers an authorization-details export lacks: organisation policies, resource-based policies,
//! credential reports and password policies, each read from what the matching AWS CLI command prints.

use super::export::{LoadCtx, LoadError, syntax_error};
use super::*;
use crate::json::{self, Kind};
use crate::policy;

/// Parse `text` as a document, or as a JSON string holding one (`{"Policy": "{...}"}`), into a [`PolicyDoc`].
/// Where a document sits in a file that was already parsed.
struct DocAt<'a> {
    name: &'a str,
    text: &'a crate::text::Text,
    file_source: SourceId,
    parsed: &'a json::Parsed,
    node: json::NodeId,
    json_path: &'a str,
}

fn doc_from(model: &mut Model, ctx: &mut LoadCtx, at: DocAt<'_>) -> Result<PolicyDoc, LoadError> {
    let DocAt {
        name,
        text,
        file_source,
        parsed,
        node,
        json_path,
    } = at;
    match parsed.doc.kind(node) {
        Kind::Object => {
            let mut problems = Vec::new();
            let policy =
                policy::parse_node(text, &parsed.doc, node, &mut ctx.interner, &mut problems);
            Ok(PolicyDoc {
                source: file_source,
                policy,
                encoded: false,
                problems,
            })
        }
        Kind::String => {
            let raw = parsed.doc.str(text, node);
            let inner: String = if raw.trim_start().starts_with('{') {
                raw.into_owned()
            } else {
                percent_encoding::percent_decode_str(&raw)
                    .decode_utf8()
                    .map(|c| c.into_owned())
                    .unwrap_or_else(|_| raw.into_owned())
            };
            let inner_name = format!("{name} ({json_path})");
            let p = json::parse(&inner);
            if let Some(e) = syntax_error(&inner_name, &inner, &p.errors) {
                return Err(e);
            }
            let mut problems = Vec::new();
            let policy =
                policy::parse_node(&inner, &p.doc, p.root, &mut ctx.interner, &mut problems);
            let source = model.add_source(inner_name, Arc::new(inner));
            Ok(PolicyDoc {
                source,
                policy,
                encoded: true,
                problems,
            })
        }
        k => Err(LoadError::Shape {
            path: name.into(),
            json_path: json_path.into(),
            message: format!("expected a policy document, found {}", k.describe()),
        }),
    }
}

/// Register the file as a source and read the document at `node` (`json_path`) in it.
fn file_doc(
    model: &mut Model,
    ctx: &mut LoadCtx,
    name: &str,
    text: &crate::text::Text,
    parsed: &json::Parsed,
    node: json::NodeId,
    json_path: &str,
) -> Result<PolicyDoc, LoadError> {
    let file_source = model.add_source(name, text.clone());
    doc_from(
        model,
        ctx,
        DocAt {
            name,
            text,
            file_source,
            parsed,
            node,
            json_path,
        },
    )
}

fn parse_file(name: &str, text: &str) -> Result<json::Parsed, LoadError> {
    let parsed = json::parse(text);
    if let Some(e) = syntax_error(name, text, &parsed.errors) {
        return Err(e);
    }
    Ok(parsed)
}

/// Find the node holding the policy in what a `get-*-policy` command prints:
/// S3 `get-bucket-policy`, KMS `get-key-policy`, Lambda `get-policy` → `{"Policy": "…"}`;
/// SQS `get-queue-attributes`, SNS `get-topic-attributes` → `{"Attributes": {"Policy": "…"}}`;
/// Secrets Manager `get-resource-policy` → `{"ResourcePolicy": "…"}`; or a bare document.
fn locate_resource_policy(
    text: &str,
    parsed: &json::Parsed,
) -> Option<(json::NodeId, &'static str)> {
    let d = &parsed.doc;
    let root = parsed.root;
    if d.kind(root) != Kind::Object {
        return None;
    }
    if d.get(text, root, "Statement").is_some() {
        return Some((root, "$"));
    }
    if let Some(p) = d.get(text, root, "Policy") {
        return Some((p, "$.Policy"));
    }
    if let Some(p) = d.get(text, root, "ResourcePolicy") {
        return Some((p, "$.ResourcePolicy"));
    }
    if let Some(a) = d.get(text, root, "Attributes")
        && let Some(p) = d.get(text, a, "Policy")
    {
        return Some((p, "$.Attributes.Policy"));
    }
    None
}

/// Load a resource-based policy file for `resource` into `account`.
pub fn load_resource_policy(
    model: &mut Model,
    ctx: &mut LoadCtx,
    account: usize,
    resource: &str,
    name: &str,
    text: crate::text::Text,
) -> Result<(), LoadError> {
    let parsed = parse_file(name, &text)?;
    let Some((node, path)) = locate_resource_policy(&text, &parsed) else {
        return Err(LoadError::Shape {
            path: name.into(),
            json_path: "$".into(),
            message: "expected a policy document or the output of a `get-*-policy` command \
                      (`Policy`, `Attributes.Policy` or `ResourcePolicy`)"
                .into(),
        });
    };
    let doc = file_doc(model, ctx, name, &text, &parsed, node, path)?;
    let resource = ctx.interner.intern(resource);
    let service = ctx.interner.intern(arn_service(&resource).unwrap_or(""));
    if arn_service(&resource).is_none() {
        model.warnings.push(LoadWarning::new(
            WarningKind::Note,
            name,
            String::new(),
            format!("resource `{resource}` is not an ARN"),
        ));
    }
    let Some(acc) = model.accounts.get_mut(account) else {
        return Err(LoadError::Shape {
            path: name.into(),
            json_path: "$".into(),
            message: "the account it belongs to is not loaded".into(),
        });
    };
    acc.resource_policies.push(ResourcePolicy {
        resource,
        service,
        doc,
    });
    Ok(())
}

/// Load an SCP or RCP file (`aws organizations describe-policy` output, or a bare document). Returns its index
/// in [`Model::org_policies`]; a file already loaded returns the same index.
pub fn load_org_policy(
    model: &mut Model,
    ctx: &mut LoadCtx,
    kind: OrgPolicyKind,
    name: &str,
    text: crate::text::Text,
) -> Result<u32, LoadError> {
    let parsed = parse_file(name, &text)?;
    let d = &parsed.doc;
    let root = parsed.root;
    let file_stem = std::path::Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_string());
    let mut id = ctx.interner.intern(&file_stem);
    let mut pname = id.clone();
    let (mut arn, mut description, mut aws_managed) = (None, None, false);
    let (node, path) = if d.kind(root) == Kind::Object && d.get(&text, root, "Statement").is_some()
    {
        (root, "$")
    } else if let Some(pol) = d.get(&text, root, "Policy") {
        if let Some(summary) = d.get(&text, pol, "PolicySummary") {
            let s = |k: &str| {
                d.get(&text, summary, k)
                    .filter(|&n| d.kind(n) == Kind::String)
                    .map(|n| d.str(&text, n).into_owned())
            };
            if let Some(v) = s("Id") {
                id = ctx.interner.intern(&v);
            }
            if let Some(v) = s("Name") {
                pname = ctx.interner.intern(&v);
            }
            arn = s("Arn").map(|v| ctx.interner.intern(&v));
            description = s("Description").map(|v| ctx.interner.intern(&v));
            aws_managed = d
                .get(&text, summary, "AwsManaged")
                .is_some_and(|n| d.kind(n) == Kind::Bool(true));
            if let Some(t) = s("Type") {
                let declared = match t.as_str() {
                    "SERVICE_CONTROL_POLICY" => Some(OrgPolicyKind::Scp),
                    "RESOURCE_CONTROL_POLICY" => Some(OrgPolicyKind::Rcp),
                    _ => None,
                };
                if declared.is_some_and(|k| k != kind) {
                    return Err(LoadError::Invalid {
                        path: name.into(),
                        message: format!(
                            "the file is a `{t}` but is attached as {}",
                            if kind == OrgPolicyKind::Scp {
                                "an SCP"
                            } else {
                                "an RCP"
                            }
                        ),
                    });
                }
            }
        }
        match d.get(&text, pol, "Content") {
            Some(c) => (c, "$.Policy.Content"),
            None => {
                return Err(LoadError::Shape {
                    path: name.into(),
                    json_path: "$.Policy".into(),
                    message: "`Policy` has no `Content`".into(),
                });
            }
        }
    } else {
        return Err(LoadError::Shape {
            path: name.into(),
            json_path: "$".into(),
            message: "expected a policy document or `aws organizations describe-policy` output"
                .into(),
        });
    };
    if let Some(i) = model
        .org_policies
        .iter()
        .position(|p| p.id == id && p.kind == kind)
    {
        return Ok(i as u32);
    }
    let doc = file_doc(model, ctx, name, &text, &parsed, node, path)?;
    model.org_policies.push(OrgPolicy {
        id,
        arn,
        name: pname,
        description,
        kind,
        aws_managed,
        doc,
    });
    Ok(model.org_policies.len() as u32 - 1)
}

const REPORT_COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

/// Split one CSV line (RFC 4180 quoting; AWS's report has none, but spreadsheets add it).
fn csv_fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && at_start {
            quoted = true;
            at_start = false;
        } else if c == ',' {
            out.push(std::mem::take(&mut cur));
            at_start = true;
        } else {
            cur.push(c);
            at_start = false;
        }
    }
    if quoted {
        return Err("unterminated quoted field".into());
    }
    out.push(cur);
    Ok(out)
}

/// Parse a credential report (`aws iam get-credential-report`, the `Content` base64-decoded).
pub fn parse_credential_report(name: &str, text: &str) -> Result<CredentialReport, LoadError> {
    let err = |line: usize, message: String| LoadError::Csv {
        path: name.into(),
        line,
        message,
    };
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((hl, header)) = lines.next() else {
        return Err(err(1, "the credential report is empty".into()));
    };
    let header = csv_fields(header.trim_end_matches('\r')).map_err(|m| err(hl + 1, m))?;
    let mut col = [usize::MAX; 22];
    for (i, want) in REPORT_COLUMNS.iter().enumerate() {
        match header.iter().position(|h| h.trim() == *want) {
            Some(p) => {
                if let Some(c) = col.get_mut(i) {
                    *c = p;
                }
            }
            None => {
                return Err(err(
                    hl + 1,
                    format!("the header has no `{want}` column: is this an IAM credential report?"),
                ));
            }
        }
    }
    let mut rows = Vec::new();
    for (ln, line) in lines {
        let f = csv_fields(line.trim_end_matches('\r')).map_err(|m| err(ln + 1, m))?;
        if f.len() != header.len() {
            return Err(err(
                ln + 1,
                format!(
                    "expected {} fields as in the header, found {}",
                    header.len(),
                    f.len()
                ),
            ));
        }
        // Every column index was found in the header, and every row has the header's length (checked above).
        let get = |i: usize| col.get(i).and_then(|&c| f.get(c)).map_or("", |v| v.trim());
        let name = |i: usize| REPORT_COLUMNS.get(i).copied().unwrap_or("?");
        let time =
            |i: usize| -> Result<ReportTime, LoadError> {
                let v = get(i);
                Ok(match v {
                    "N/A" | "" => ReportTime::NotApplicable,
                    "no_information" => ReportTime::NoInformation,
                    "not_supported" => ReportTime::NotSupported,
                    _ => ReportTime::At(Timestamp::parse(v).ok_or_else(|| {
                        err(ln + 1, format!("`{}` is not a date: `{v}`", name(i)))
                    })?),
                })
            };
        let boolean = |i: usize| -> Result<Option<bool>, LoadError> {
            match get(i) {
                "true" | "TRUE" | "True" => Ok(Some(true)),
                "false" | "FALSE" | "False" => Ok(Some(false)),
                "not_supported" | "N/A" => Ok(None),
                v => Err(err(
                    ln + 1,
                    format!("`{}` must be true or false, found `{v}`", name(i)),
                )),
            }
        };
        let opt = |i: usize| match get(i) {
            "N/A" | "" => None,
            v => Some(v.to_string()),
        };
        let key = |base: usize| -> Result<AccessKeyReport, LoadError> {
            Ok(AccessKeyReport {
                active: boolean(base)?.unwrap_or(false),
                last_rotated: time(base + 1)?,
                last_used: time(base + 2)?,
                last_used_region: opt(base + 3),
                last_used_service: opt(base + 4),
            })
        };
        rows.push(CredentialReportRow {
            user: get(0).to_string(),
            arn: get(1).to_string(),
            created: time(2)?,
            password_enabled: boolean(3)?,
            password_last_used: time(4)?,
            password_last_changed: time(5)?,
            password_next_rotation: time(6)?,
            mfa_active: boolean(7)?.unwrap_or(false),
            access_keys: [key(8)?, key(13)?],
            certs_active: [boolean(18)?.unwrap_or(false), boolean(20)?.unwrap_or(false)],
        });
    }
    Ok(CredentialReport { rows })
}

/// Parse `aws iam get-account-password-policy` output (or the bare `PasswordPolicy` object).
pub fn parse_password_policy(name: &str, text: &str) -> Result<PasswordPolicy, LoadError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Wrapper {
        password_policy: PasswordPolicy,
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| LoadError::Syntax {
        path: name.into(),
        at: LineCol {
            line: e.line() as u32,
            col: e.column() as u32,
        },
        message: e.to_string(),
        more: 0,
    })?;
    let shaped = if value.get("PasswordPolicy").is_some() {
        serde_json::from_value::<Wrapper>(value).map(|w| w.password_policy)
    } else {
        serde_json::from_value::<PasswordPolicy>(value)
    };
    shaped.map_err(|e| LoadError::Shape {
        path: name.into(),
        json_path: "$.PasswordPolicy".into(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        assert_eq!(
            csv_fields("a,\"b,c\",\"d\"\"e\",").unwrap(),
            ["a", "b,c", "d\"e", ""]
        );
        assert!(csv_fields("\"open").is_err());
    }

    #[test]
    fn credential_report_rows_and_errors() {
        let header = REPORT_COLUMNS.join(",");
        let root = "<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,2024-05-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";
        let ci = "ci,arn:aws:iam::111122223333:user/ci,2021-02-03T04:05:06+00:00,false,N/A,N/A,N/A,false,true,2022-01-10T00:00:00+00:00,2026-11-01T00:00:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";
        let text = format!("{header}\n{root}\n{ci}\n");
        let r = parse_credential_report("r.csv", &text).unwrap();
        assert_eq!(r.rows.len(), 2);
        assert_eq!(r.rows[0].password_enabled, None);
        let ci = r.row("ci").unwrap();
        assert!(ci.access_keys[0].active);
        assert_eq!(
            ci.access_keys[0].last_rotated,
            ReportTime::At(Timestamp::parse("2022-01-10T00:00:00Z").unwrap())
        );
        assert_eq!(ci.access_keys[0].last_used_service.as_deref(), Some("s3"));
        let bad = format!("{header}\nx,y\n");
        let e = parse_credential_report("r.csv", &bad)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "r.csv:2: expected 22 fields as in the header, found 2");
        let e = parse_credential_report("r.csv", "user,arn\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no `user_creation_time` column"), "{e}");
    }

    #[test]
    fn password_policy_both_shapes() {
        let a = parse_password_policy(
            "p",
            r#"{"PasswordPolicy":{"MinimumPasswordLength":14,"RequireSymbols":true}}"#,
        )
        .unwrap();
        assert_eq!(a.minimum_password_length, Some(14));
        let b = parse_password_policy("p", r#"{"MinimumPasswordLength":8}"#).unwrap();
        assert_eq!(b.minimum_password_length, Some(8));
        let e = parse_password_policy(
            "p",
            "{\n  \"PasswordPolicy\": {\"MinimumPasswordLength\": \"x\"}}",
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("p: $.PasswordPolicy: invalid type"),
            "{e}"
        );
        let e = parse_password_policy("p", "{\n oops").unwrap_err();
        assert!(e.to_string().starts_with("p:2:"), "{e}");
    }
}
