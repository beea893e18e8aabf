//! The openCypher writer of an export: one `.cypher` file of `CREATE`/`MERGE` statements, one per line, for
//! Neo4j (`cypher-shell -f`) or Amazon Neptune.
//!
//! Labels and relationship types follow Cartography's AWS IAM schema where it has them
//! (cartography-cncf/cartography, `docs/root/modules/aws/schema.md`): `AWSAccount`, `AWSUser`, `AWSGroup`,
//! `AWSRole` (each also an `AWSPrincipal`), `AWSPolicy` (with `AWSManagedPolicy` or `AWSInlinePolicy`),
//! `AWSPolicyStatement`, `AWSRootPrincipal`, `AWSServicePrincipal`, `AWSFederatedPrincipal`; `RESOURCE`
//! (account → what it holds), `MEMBER_AWS_GROUP`, `POLICY`, `STATEMENT`, `TRUSTS_AWS_PRINCIPAL` (role → whom
//! its trust policy names) and `STS_ASSUMEROLE_ALLOW` (that principal → the role). Ids are Cartography's: ARNs,
//! `OWNER_ARN/inline_policy/NAME` for inline policies, `POLICY_ID/statements/INDEX` for statements. What
//! Cartography does not model has names of its own: `PERMISSIONS_BOUNDARY` (principal → boundary policy),
//! `IAM_ATLAS_PERMISSION` (principal → statement: a fact of the `permissions` table, its per-principal columns as
//! properties) and `IAM_ATLAS_RCP` (account → RCP statement that restricts its resources).

use super::{ExportError, Sink, Table, Value};
use crate::files::Staged;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// `s` as a Cypher string literal: single-quoted, with backslash escapes for the quote, the backslash and
/// control characters, so that no input can end the literal or the statement.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn literal(v: &Value<'_>) -> String {
    match v {
        Value::Text(s) => quote(s),
        Value::OptText(Some(s)) => quote(s),
        Value::OptText(None) => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(|s| quote(s)).collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

/// A map literal of the named columns (`{id: '…', name: '…'}`), nulls left out.
fn props(table: Table, values: &[Value<'_>], names: &[&str]) -> String {
    let mut parts = Vec::new();
    for (i, (name, _)) in table.columns().iter().enumerate() {
        if !names.is_empty() && !names.contains(name) {
            continue;
        }
        let Some(v) = values.get(i) else { continue };
        if matches!(v, Value::OptText(None)) {
            continue;
        }
        parts.push(format!("{name}: {}", literal(v)));
    }
    format!("{{{}}}", parts.join(", "))
}

fn text<'a>(table: Table, values: &'a [Value<'a>], name: &str) -> Option<&'a str> {
    let i = table.columns().iter().position(|(n, _)| *n == name)?;
    match values.get(i)? {
        Value::Text(s) | Value::OptText(Some(s)) => Some(s),
        _ => None,
    }
}

fn int(table: Table, values: &[Value<'_>], name: &str) -> i32 {
    table
        .columns()
        .iter()
        .position(|(n, _)| *n == name)
        .and_then(|i| match values.get(i) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        })
        .unwrap_or_default()
}

/// A `.cypher` file being written; [`CypherFile::finish`] renames it into place.
pub struct CypherFile {
    staged: Staged,
    w: BufWriter<File>,
    /// Statement nodes already written (a statement of a managed policy is a fact of many principals).
    statements: rustc_hash::FxHashSet<String>,
}

impl CypherFile {
    /// Start writing `path`.
    pub fn create(path: &Path) -> Result<CypherFile, ExportError> {
        let (staged, mut w) = Staged::create(path).map_err(|source| ExportError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let head = "// IAM Atlas export (openCypher). Labels and relationship types follow Cartography's AWS IAM schema.\n\
                    // On Neo4j, index the ids first for a fast load:\n\
                    // CREATE INDEX IF NOT EXISTS FOR (n:AWSPrincipal) ON (n.id); (and AWSPolicy, AWSPolicyStatement, AWSAccount)\n";
        w.write_all(head.as_bytes())
            .map_err(|source| ExportError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(CypherFile {
            staged,
            w,
            statements: rustc_hash::FxHashSet::default(),
        })
    }

    /// Flush and rename the file into place.
    pub fn finish(self) -> Result<(), ExportError> {
        let path = self.staged.path().to_path_buf();
        self.staged
            .commit(self.w)
            .map_err(|source| ExportError::Io { path, source })
    }

    fn line(&mut self, s: &str) -> Result<(), ExportError> {
        self.w
            .write_all(s.as_bytes())
            .and_then(|()| self.w.write_all(b";\n"))
            .map_err(|source| ExportError::Io {
                path: self.staged.path().to_path_buf(),
                source,
            })
    }

    /// The statement node `id` under policy `policy` (written once, with `props`).
    fn statement_node(
        &mut self,
        id: &str,
        policy: &str,
        node_props: String,
    ) -> Result<(), ExportError> {
        if self.statements.contains(id) {
            return Ok(());
        }
        self.statements.insert(id.to_string());
        let s = format!(
            "MERGE (s:AWSPolicyStatement {{id: {}}}) SET s += {node_props} WITH s MATCH (pol:AWSPolicy {{id: {}}}) MERGE (pol)-[:STATEMENT]->(s)",
            quote(id),
            quote(policy)
        );
        self.line(&s)
    }
}

/// The statement columns shown on statement nodes (Cartography's names where it has them).
const STATEMENT_PROPS: [&str; 11] = [
    "statement",
    "sid",
    "effect",
    "actions",
    "not_action",
    "action_regex",
    "resources",
    "not_resource",
    "resource_regex",
    "conditions",
    "uncertain",
];

impl Sink for CypherFile {
    fn row(&mut self, table: Table, v: &[Value<'_>]) -> Result<(), ExportError> {
        let t = |name: &str| {
            text(table, v, name)
                .map(quote)
                .unwrap_or_else(|| "''".into())
        };
        match table {
            Table::Accounts => {
                let loaded = matches!(v.get(2), Some(Value::Bool(true)));
                let s = format!(
                    "CREATE (:AWSAccount {} )",
                    props(table, v, &[]).replacen(
                        '{',
                        &format!("{{inscope: {loaded}, foreign: {}, ", !loaded),
                        1
                    )
                );
                self.line(&s)
            }
            Table::Entities => {
                let kind = text(table, v, "kind").unwrap_or_default();
                let labels = match (kind, text(table, v, "policy_type")) {
                    ("user", _) => "AWSUser:AWSPrincipal",
                    ("group", _) => "AWSGroup:AWSPrincipal",
                    ("role", _) => "AWSRole:AWSPrincipal",
                    (_, Some("inline")) => "AWSPolicy:AWSInlinePolicy",
                    (_, Some("managed" | "aws_managed")) => "AWSPolicy:AWSManagedPolicy",
                    _ => "AWSPolicy",
                };
                let mut p = props(table, v, &[]);
                // Cartography's names for the same facts.
                let extra = match kind {
                    "user" | "group" | "role" => format!(
                        "arn: {}, {}: {}, createdate: {}, ",
                        t("id"),
                        match kind {
                            "user" => "userid",
                            "group" => "groupid",
                            _ => "roleid",
                        },
                        t("unique_id"),
                        text(table, v, "created")
                            .map(quote)
                            .unwrap_or("null".into())
                    ),
                    _ => format!(
                        "type: {}, arn: {}, ",
                        match text(table, v, "policy_type") {
                            Some("inline") => quote("inline"),
                            Some("managed" | "aws_managed") => quote("managed"),
                            Some(other) => quote(other),
                            None => quote("managed"),
                        },
                        t("id")
                    ),
                };
                p = p.replacen('{', &format!("{{{extra}"), 1);
                let s = match text(table, v, "account") {
                    Some(acct) => format!(
                        "MATCH (a:AWSAccount {{id: {}}}) CREATE (a)-[:RESOURCE]->(:{labels} {p})",
                        quote(acct)
                    ),
                    None => format!("CREATE (:{labels} {p})"),
                };
                self.line(&s)
            }
            Table::Memberships => {
                let s = format!(
                    "MATCH (u:AWSUser {{id: {}}}), (g:AWSGroup {{id: {}}}) CREATE (u)-[:MEMBER_AWS_GROUP]->(g)",
                    t("user"),
                    t("group")
                );
                self.line(&s)
            }
            Table::Attachments => {
                let rel = if text(table, v, "kind") == Some("boundary") {
                    "PERMISSIONS_BOUNDARY"
                } else {
                    "POLICY"
                };
                let s = format!(
                    "MATCH (e:AWSPrincipal {{id: {}}}), (p:AWSPolicy {{id: {}}}) CREATE (e)-[:{rel}]->(p)",
                    t("entity"),
                    t("policy")
                );
                self.line(&s)
            }
            Table::Trusts => {
                let value = text(table, v, "principal").unwrap_or_default();
                let (id, label) = match text(table, v, "principal_kind") {
                    Some("Service") => (value.to_string(), Some("AWSServicePrincipal")),
                    Some("Federated") => (value.to_string(), Some("AWSFederatedPrincipal")),
                    _ if crate::arn::is_account_id(value) => (
                        format!("arn:aws:iam::{value}:root"),
                        Some("AWSRootPrincipal"),
                    ),
                    _ if value.ends_with(":root") => (value.to_string(), Some("AWSRootPrincipal")),
                    _ => (value.to_string(), None),
                };
                let set = label.map(|l| format!(" SET p:{l}")).unwrap_or_default();
                let rel = props(
                    table,
                    v,
                    &[
                        "statement",
                        "sid",
                        "cross_account",
                        "wildcard",
                        "conditions",
                        "conditions_text",
                    ],
                );
                let s = format!(
                    "MATCH (r:AWSRole {{id: {}}}) MERGE (p:AWSPrincipal {{id: {}}}){set} CREATE (r)-[:TRUSTS_AWS_PRINCIPAL {rel}]->(p), (p)-[:STS_ASSUMEROLE_ALLOW {rel}]->(r)",
                    t("role"),
                    quote(&id)
                );
                self.line(&s)
            }
            Table::Permissions => {
                let policy = text(table, v, "policy").unwrap_or_default();
                let id = format!("{policy}/statements/{}", int(table, v, "statement"));
                self.statement_node(&id, policy, props(table, v, &STATEMENT_PROPS))?;
                let rel = props(
                    table,
                    v,
                    &[
                        "layer",
                        "level",
                        "policy_kind",
                        "policy_name",
                        "policy",
                        "attached_to",
                        "effect",
                        "actions",
                        "not_action",
                        "action_regex",
                        "resources",
                        "not_resource",
                        "resource_regex",
                        "conditions",
                        "uncertain",
                    ],
                );
                let s = format!(
                    "MATCH (p:AWSPrincipal {{id: {}}}), (s:AWSPolicyStatement {{id: {}}}) CREATE (p)-[:IAM_ATLAS_PERMISSION {rel}]->(s)",
                    t("principal"),
                    quote(&id)
                );
                self.line(&s)
            }
            Table::ResourcePolicies => {
                let resource = text(table, v, "resource").unwrap_or_default();
                let kind = text(table, v, "kind").unwrap_or("resource");
                let policy = text(table, v, "policy").unwrap_or_default().to_string();
                self.line(&format!(
                    "MERGE (p:AWSPolicy {{id: {}}}) SET p.type = {}, p.resource = {}, p.account = {}",
                    quote(&policy),
                    quote(kind),
                    quote(resource),
                    t("account")
                ))?;
                let id = format!("{policy}/statements/{}", int(table, v, "statement"));
                let mut names: Vec<&str> = STATEMENT_PROPS.to_vec();
                names.extend([
                    "must_allow",
                    "principal_star",
                    "principal_arns",
                    "principal_accounts",
                    "not_principal",
                ]);
                self.statement_node(&id, &policy, props(table, v, &names))
            }
            Table::PrincipalConditions => {
                let id = format!(
                    "{}/statements/{}",
                    text(table, v, "policy").unwrap_or_default(),
                    int(table, v, "statement")
                );
                let s = format!(
                    "MATCH (p:AWSPrincipal {{id: {}}}), (s:AWSPolicyStatement {{id: {}}}) CREATE (p)-[:IAM_ATLAS_CONDITIONS {}]->(s)",
                    t("principal"),
                    quote(&id),
                    props(table, v, &["holds"])
                );
                self.line(&s)
            }
            Table::ResourceControls => {
                let policy = text(table, v, "policy").unwrap_or_default();
                self.line(&format!(
                    "MERGE (p:AWSPolicy {{id: {}}}) SET p.type = 'rcp'",
                    quote(policy)
                ))?;
                let id = format!("{policy}/statements/{}", int(table, v, "statement"));
                self.statement_node(&id, policy, props(table, v, &STATEMENT_PROPS))?;
                let s = format!(
                    "MATCH (a:AWSAccount {{id: {}}}), (s:AWSPolicyStatement {{id: {}}}) CREATE (a)-[:IAM_ATLAS_RCP {{level: {}}}]->(s)",
                    t("account"),
                    quote(&id),
                    t("level")
                );
                self.line(&s)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_cannot_escape_their_quotes() {
        assert_eq!(quote("a'b"), "'a\\'b'");
        assert_eq!(quote("a\\'"), "'a\\\\\\''");
        assert_eq!(quote("x\ny\u{1}"), "'x\\ny\\u0001'");
        assert_eq!(quote("é"), "'é'");
    }
}
