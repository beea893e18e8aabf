//! Exports for engines beyond one machine: the model (accounts, users, groups, roles, policies, memberships,
//! attachments, trust edges with their conditions) and the effective-permission facts, as Parquet files (for
//! DuckDB, Spark, Trino, Athena; [`parquet`]) or as openCypher statements (for Neo4j, Neptune; [`cypher`]).
//!
//! The facts are what the evaluator reads, gathered by its own code ([`crate::eval::engine::identity_side`],
//! [`crate::eval::engine::rcp_levels`]): for every user and role, one row per statement of every policy on its
//! identity side (identity policies, permissions boundary, each SCP level), `Allow` and `Deny` alike, with the
//! layer and level it belongs to. Conditions on keys the principal decides (`aws:PrincipalArn`,
//! `aws:PrincipalTag/…`, `aws:PrincipalOrgID`…) are decided here by the evaluator's condition code: a statement
//! they make inapplicable is left out, the tests they satisfy are dropped; every other test stays with its row,
//! so no row allows more than its statement. Policy variables in `Resource` are substituted for the principal as
//! evaluation does. Resource-based policies, trust policies and RCPs are tables of their own (they are the
//! resource's, not a principal's). Each action and resource list also comes as one regular expression that
//! matches exactly what IAM's wildcard matching matches ([`crate::wildcard::resource_regex`]), so a query
//! engine never re-implements IAM's matching. `docs/export.md` describes every table and the who-can queries.
//!
//! Work and memory are linear in the model: rows stream to the writers, which hold one row group at a time.

pub mod cypher;
pub mod parquet;

use crate::account::{EntityKind, Model, RoleKind};
use crate::eval::condition::{Context, Truth, holds, substitute};
use crate::eval::engine::{
    Applied, OrgLevel, RCP_SERVICES, derived_key, identity_side, is_kms_key, rcp_levels,
    unreadable_statement,
};
use crate::eval::reverse::{all_principals, principal_of};
use crate::policy::{
    ActionBlock, Effect, Policy, PrincipalKind, PrincipalValue, ResourceBlock, Statement,
};
use crate::wildcard::{action_regex, any_of, resource_regex, unescape_literals};
use std::path::{Path, PathBuf};

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One Parquet file per table.
    Parquet,
    /// One `.cypher` file of openCypher statements.
    Cypher,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file could not be written.
    #[error("cannot write `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The Parquet writer refused a row group or its metadata.
    #[error("cannot write `{path}` as Parquet: {message}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The writer's message.
        message: String,
    },
    /// An output would replace one of the files the export reads.
    #[error("`{0}` is one of the input files: IAM Atlas never writes over its input")]
    WouldOverwriteInput(PathBuf),
    /// `--out` names something that is not a directory.
    #[error("`{0}` exists and is not a directory")]
    NotADirectory(PathBuf),
}

/// The tables of an export, in the order they are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Table {
    /// Accounts (those loaded and those of the described organisation).
    Accounts,
    /// Users, groups, roles, managed, inline, SCP and RCP policies.
    Entities,
    /// User → group.
    Memberships,
    /// User, group or role → policy (managed, inline, boundary).
    Attachments,
    /// Role → trusted principal, per trust-policy statement that lets it assume the role.
    Trusts,
    /// The effective-permission facts of each user and role (identity side).
    Permissions,
    /// Statements of resource-based policies and role trust policies.
    ResourcePolicies,
    /// Statements of the RCPs that restrict each account's resources.
    ResourceControls,
    /// Resource-policy and RCP statements whose conditions test keys the principal decides, decided for each
    /// user and role: `holds` false, the statement cannot apply to it; true, all its conditions hold for it.
    PrincipalConditions,
}

impl Table {
    /// Every table.
    pub const ALL: [Table; 9] = [
        Table::Accounts,
        Table::Entities,
        Table::Memberships,
        Table::Attachments,
        Table::Trusts,
        Table::Permissions,
        Table::ResourcePolicies,
        Table::ResourceControls,
        Table::PrincipalConditions,
    ];

    /// The table's name (its Parquet file is `NAME.parquet`).
    pub fn name(self) -> &'static str {
        match self {
            Table::Accounts => "accounts",
            Table::Entities => "entities",
            Table::Memberships => "memberships",
            Table::Attachments => "attachments",
            Table::Trusts => "trusts",
            Table::Permissions => "permissions",
            Table::ResourcePolicies => "resource_policies",
            Table::ResourceControls => "resource_controls",
            Table::PrincipalConditions => "principal_conditions",
        }
    }

    /// Its columns, in order.
    pub fn columns(self) -> &'static [(&'static str, ColumnType)] {
        use ColumnType::*;
        match self {
            Table::Accounts => &[
                ("id", Text),
                ("name", OptText),
                ("loaded", Bool),
                ("management", Bool),
                ("org_path", OptText),
                ("rcp_levels", List),
                ("rcp_services", List),
            ],
            Table::Entities => &[
                ("id", Text),
                ("kind", Text),
                ("name", Text),
                ("account", OptText),
                ("path", OptText),
                ("unique_id", OptText),
                ("created", OptText),
                ("policy_type", OptText),
                ("cap_levels", List),
                ("complete", Bool),
                ("service_linked", Bool),
            ],
            Table::Memberships => &[("user", Text), ("group", Text)],
            Table::Attachments => &[("entity", Text), ("policy", Text), ("kind", Text)],
            Table::Trusts => &[
                ("role", Text),
                ("principal", Text),
                ("principal_kind", Text),
                ("statement", Int),
                ("sid", OptText),
                ("cross_account", Bool),
                ("wildcard", Bool),
                ("conditions", OptText),
                ("conditions_text", OptText),
            ],
            Table::Permissions => &[
                ("principal", Text),
                ("principal_kind", Text),
                ("account", Text),
                ("layer", Text),
                ("level", OptText),
                ("policy_kind", Text),
                ("policy_name", Text),
                ("policy", Text),
                ("attached_to", OptText),
                ("statement", Int),
                ("sid", OptText),
                ("effect", Text),
                ("actions", List),
                ("not_action", Bool),
                ("action_regex", Text),
                ("resources", List),
                ("not_resource", Bool),
                ("resource_regex", Text),
                ("conditions", OptText),
                ("uncertain", Bool),
            ],
            Table::ResourcePolicies => &[
                ("resource", Text),
                ("account", Text),
                ("kind", Text),
                ("policy", Text),
                ("must_allow", Bool),
                ("statement", Int),
                ("sid", OptText),
                ("effect", Text),
                ("principal_star", Bool),
                ("principal_arns", List),
                ("principal_accounts", List),
                ("not_principal", Bool),
                ("actions", List),
                ("not_action", Bool),
                ("action_regex", Text),
                ("resources", List),
                ("not_resource", Bool),
                ("resource_regex", Text),
                ("conditions", OptText),
                ("uncertain", Bool),
            ],
            Table::ResourceControls => &[
                ("account", Text),
                ("level", Text),
                ("policy_name", Text),
                ("policy", Text),
                ("statement", Int),
                ("sid", OptText),
                ("effect", Text),
                ("actions", List),
                ("not_action", Bool),
                ("action_regex", Text),
                ("resources", List),
                ("not_resource", Bool),
                ("resource_regex", Text),
                ("conditions", OptText),
                ("uncertain", Bool),
            ],
            Table::PrincipalConditions => &[
                ("principal", Text),
                ("policy", Text),
                ("statement", Int),
                ("holds", Bool),
            ],
        }
    }
}

/// The type of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// A string.
    Text,
    /// A string or null.
    OptText,
    /// A boolean.
    Bool,
    /// A 32-bit integer.
    Int,
    /// A list of strings.
    List,
}

/// One value of a row.
#[derive(Clone, Copy, Debug)]
pub enum Value<'a> {
    /// A string.
    Text(&'a str),
    /// A string or null.
    OptText(Option<&'a str>),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i32),
    /// A list of strings.
    List(&'a [String]),
}

/// Where rows go: a Parquet directory or a Cypher file.
pub trait Sink {
    /// One row of `table`, its values in the order of [`Table::columns`].
    fn row(&mut self, table: Table, values: &[Value<'_>]) -> Result<(), ExportError>;
}

/// What a statement says, as columns: what it allows or denies, on what, under which conditions.
#[derive(Clone, Debug)]
pub struct StatementCols {
    /// Index in its policy.
    pub index: i32,
    /// `Sid`.
    pub sid: Option<String>,
    /// `Allow` or `Deny` (a statement whose effect cannot be read is a `Deny`, as evaluation reads it).
    pub effect: &'static str,
    /// Action patterns as written.
    pub actions: Vec<String>,
    /// `NotAction`.
    pub not_action: bool,
    /// One regular expression for the action patterns (case-insensitive).
    pub action_regex: String,
    /// Resource patterns (policy variables substituted for the principal, in per-principal rows).
    pub resources: Vec<String>,
    /// `NotResource`.
    pub not_resource: bool,
    /// One regular expression for the resource patterns.
    pub resource_regex: String,
    /// The condition tests that stay open, as a JSON array of `{operator, key, values}`; `None`: none.
    pub conditions: Option<String>,
    /// Part of the statement (or its policy) could not be read, or a test cannot be decided: what it does is
    /// not known for certain.
    pub uncertain: bool,
}

impl StatementCols {
    fn values<'a>(&'a self, out: &mut Vec<Value<'a>>) {
        out.extend([
            Value::Int(self.index),
            Value::OptText(self.sid.as_deref()),
            Value::Text(self.effect),
        ]);
    }

    fn tail<'a>(&'a self, out: &mut Vec<Value<'a>>) {
        out.extend([
            Value::List(&self.actions),
            Value::Bool(self.not_action),
            Value::Text(&self.action_regex),
            Value::List(&self.resources),
            Value::Bool(self.not_resource),
            Value::Text(&self.resource_regex),
            Value::OptText(self.conditions.as_deref()),
            Value::Bool(self.uncertain),
        ]);
    }
}

/// A statement's condition tests read for a principal: the ones left open (as JSON objects), and whether one
/// cannot be decided; `None` when a test on a key the principal decides is false (the statement cannot apply).
struct Resolved {
    open: Vec<serde_json::Value>,
    uncertain: bool,
}

fn resolve_conditions(
    s: &Statement,
    principal: Option<&Context>,
    variables: bool,
) -> Option<Resolved> {
    let mut out = Resolved {
        open: Vec::new(),
        uncertain: false,
    };
    for c in &s.conditions {
        let key = &*c.key.value;
        match (c.op, principal) {
            (Some(op), Some(ctx)) if ctx.contains(key) => {
                match holds(op, key, c.values.iter(), ctx, variables) {
                    Truth::True => continue,
                    Truth::False => return None,
                    Truth::Unknown => out.uncertain = true,
                }
            }
            (None, _) => out.uncertain = true,
            _ => {}
        }
        out.open.push(serde_json::json!({
            "operator": &*c.operator.value,
            "key": key,
            "values": c.values.iter().collect::<Vec<_>>(),
        }));
    }
    Some(out)
}

/// A statement of a resource policy or RCP whose conditions test keys the principal decides
/// (`aws:PrincipalArn`, `aws:PrincipalOrgID`…): such statements are decided per principal into
/// [`Table::PrincipalConditions`].
struct Keyed<'m> {
    policy: String,
    index: i32,
    statement: &'m Statement,
    variables: bool,
}

fn keyed_statements(model: &Model) -> Vec<Keyed<'_>> {
    let mut out = Vec::new();
    for a in &model.accounts {
        for rp in &a.resource_policies {
            let id = resource_policy_id(&rp.resource, "resource");
            keyed_of(&id, &rp.doc.policy, &mut out);
        }
        for role in &a.roles {
            if let Some(t) = &role.trust {
                keyed_of(&resource_policy_id(&role.arn, "trust"), &t.policy, &mut out);
            }
        }
    }
    for p in &model.org_policies {
        if p.kind == crate::account::OrgPolicyKind::Rcp {
            keyed_of(p.arn.as_deref().unwrap_or(&p.name), &p.doc.policy, &mut out);
        }
    }
    out
}

fn keyed_of<'m>(policy: &str, p: &'m Policy, out: &mut Vec<Keyed<'m>>) {
    for (i, s) in p.statements.iter().enumerate() {
        if s.conditions.iter().any(|c| derived_key(&c.key.value)) {
            out.push(Keyed {
                policy: policy.to_string(),
                index: i32::try_from(i).unwrap_or(i32::MAX),
                statement: s,
                variables: p.supports_variables(),
            });
        }
    }
}

/// The id of a resource-based or trust policy (`RESOURCE/resource_policy`, `ROLE_ARN/trust_policy`).
pub fn resource_policy_id(resource: &str, kind: &str) -> String {
    format!("{resource}/{kind}_policy")
}

/// A statement of `policy` as columns. With `principal` (the context keys the principal decides), the
/// statement is read for that principal: `None` when a condition on such a key rules it out, tests it
/// satisfies dropped, policy variables in `Resource` substituted. Without, conditions stay as written and a
/// resource pattern with a policy variable makes the row uncertain. `resource_needed`: false for trust
/// policies (they have no `Resource`; the role is the resource).
pub fn statement_cols(
    policy: &Policy,
    index: usize,
    s: &Statement,
    principal: Option<&Context>,
    resource_needed: bool,
) -> Option<StatementCols> {
    let mut uncertain =
        policy.invalid.is_some() || unreadable_statement(s, resource_needed).is_some();
    let variables = policy.supports_variables();
    let effect = match s.effect.as_ref().map(|e| e.value) {
        Some(Effect::Allow) => "Allow",
        _ => "Deny",
    };
    // Conditions first: one that the principal's own keys make false rules the statement out.
    let resolved = resolve_conditions(s, principal, variables)?;
    uncertain |= resolved.uncertain;
    let open = resolved.open;
    let conditions = (!open.is_empty()).then(|| serde_json::Value::Array(open).to_string());
    let (actions, not_action): (Vec<String>, bool) = match &s.action {
        Some(ActionBlock::Action(l)) => (l.iter().map(str::to_string).collect(), false),
        Some(ActionBlock::NotAction(l)) => (l.iter().map(str::to_string).collect(), true),
        // Unreadable (already uncertain): it may name any action.
        None => (Vec::new(), true),
    };
    let action_regex = any_of(actions.iter().map(String::as_str), action_regex, true);
    let (written, not_resource): (Vec<&str>, bool) = match &s.resource {
        Some(ResourceBlock::Resource(l)) => (l.iter().collect(), false),
        Some(ResourceBlock::NotResource(l)) => (l.iter().collect(), true),
        // A trust policy's statement covers its role; an unreadable one may cover anything.
        None => (Vec::new(), true),
    };
    // Patterns for matching (markers for `${*}` kept) and as shown.
    let mut patterns: Vec<String> = Vec::with_capacity(written.len());
    for p in written {
        if variables && crate::policy::variables::has_variable(p) {
            match principal {
                Some(ctx) => match substitute(p, ctx) {
                    Some(v) => patterns.push(v.into_owned()),
                    // A variable of a key the principal decides but does not have matches nothing, as in
                    // evaluation (a role has no `aws:username`); one of a key each request sets (`s3:prefix`,
                    // `aws:RequestedRegion`) is kept as written and makes the row uncertain: dropping it would
                    // make a `Deny` match less than its text.
                    None if request_variable(p) => {
                        uncertain = true;
                        patterns.push(p.to_string());
                    }
                    None => {}
                },
                None => {
                    uncertain = true;
                    patterns.push(p.to_string());
                }
            }
        } else {
            patterns.push(p.to_string());
        }
    }
    let resource_regex = any_of(patterns.iter().map(String::as_str), resource_regex, false);
    let resources = patterns
        .iter()
        .map(|p| unescape_literals(p).into_owned())
        .collect();
    Some(StatementCols {
        index: i32::try_from(index).unwrap_or(i32::MAX),
        sid: s.sid.as_ref().map(|x| x.value.to_string()),
        effect,
        actions,
        not_action,
        action_regex,
        resources,
        not_resource,
        resource_regex,
        conditions,
        uncertain,
    })
}

/// Whether `pattern` holds a variable of a key the request, not the principal, sets.
fn request_variable(pattern: &str) -> bool {
    crate::policy::variables::pieces(pattern).any(|piece| {
        matches!(piece, crate::policy::variables::Piece::Var(v) if v.special().is_none() && !derived_key(v.key))
    })
}

/// How many rows of each table an export wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts(pub Vec<(Table, u64)>);

impl Counts {
    /// Rows of `table`.
    pub fn get(&self, table: Table) -> u64 {
        self.0
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    }

    fn add(&mut self, table: Table) {
        match self.0.iter_mut().find(|(t, _)| *t == table) {
            Some((_, n)) => *n += 1,
            None => self.0.push((table, 1)),
        }
    }
}

/// Counts the rows on their way to a sink.
struct Counting<'s> {
    sink: &'s mut dyn Sink,
    counts: Counts,
}

impl Counting<'_> {
    fn row(&mut self, table: Table, values: &[Value<'_>]) -> Result<(), ExportError> {
        self.counts.add(table);
        self.sink.row(table, values)
    }
}

/// The id of an inline policy, as Cartography writes it: `OWNER_ARN/inline_policy/NAME`.
pub fn inline_id(owner_arn: &str, name: &str) -> String {
    format!("{owner_arn}/inline_policy/{name}")
}

/// The id of a policy as a fact row names it: its ARN, or the inline policy's id (the owner found by the
/// label's `attached_to`, `user alice`/`group developers`/`role r`, in `account`).
fn policy_id(model: &Model, account: u32, a: &Applied<'_>) -> String {
    if let Some(arn) = &a.label.arn {
        return arn.clone();
    }
    let owner = a.label.attached_to.as_deref().unwrap_or_default();
    let owner_arn = owner.split_once(' ').and_then(|(kind, name)| {
        let acc = model.accounts.get(account as usize)?;
        let kind = match kind {
            "user" => EntityKind::User,
            "group" => EntityKind::Group,
            "role" => EntityKind::Role,
            _ => return None,
        };
        let i = acc.find(kind, name)? as usize;
        Some(match kind {
            EntityKind::User => acc.users.get(i)?.arn.to_string(),
            EntityKind::Group => acc.groups.get(i)?.arn.to_string(),
            _ => acc.roles.get(i)?.arn.to_string(),
        })
    });
    match owner_arn {
        Some(o) => inline_id(&o, &a.label.name),
        None => format!("{}/{}", a.label.kind, a.label.name),
    }
}

/// Write `model` to `sink`: every table, in [`Table::ALL`]'s order.
pub fn write(model: &Model, sink: &mut dyn Sink) -> Result<Counts, ExportError> {
    let mut out = Counting {
        sink,
        counts: Counts::default(),
    };
    accounts(model, &mut out)?;
    entities(model, &mut out)?;
    memberships_and_attachments(model, &mut out)?;
    trusts(model, &mut out)?;
    permissions(model, &mut out)?;
    resource_policies(model, &mut out)?;
    resource_controls(model, &mut out)?;
    Ok(out.counts)
}

/// Every account id the model knows: loaded ones, then the organisation's others, each once.
fn account_ids(model: &Model) -> Vec<String> {
    let mut ids: Vec<String> = model.accounts.iter().map(|a| a.id.to_string()).collect();
    if let Some(org) = &model.organization {
        let mut stack = vec![&org.root];
        while let Some(n) = stack.pop() {
            for a in &n.accounts {
                if !ids.iter().any(|x| x == &**a) {
                    ids.push(a.to_string());
                }
            }
            stack.extend(n.children.iter());
        }
    }
    ids
}

fn level_names(levels: &[OrgLevel<'_>]) -> Vec<String> {
    levels
        .iter()
        .filter(|l| l.policies.is_some())
        .map(|l| format!("rcp {}", l.name))
        .collect()
}

fn accounts(model: &Model, out: &mut Counting<'_>) -> Result<(), ExportError> {
    let services: Vec<String> = RCP_SERVICES.iter().map(|s| s.to_string()).collect();
    for id in account_ids(model) {
        let acc = model.account(&id);
        let org = model.organization.as_ref();
        let path = org.and_then(|o| o.path_to(&id)).map(|p| {
            let names: Vec<&str> = p.iter().map(|n| &*n.name).collect();
            names.join("/")
        });
        let levels = rcp_levels(model, &id)
            .map(|l| level_names(&l))
            .unwrap_or_default();
        let svc: &[String] = if levels.is_empty() { &[] } else { &services };
        out.row(
            Table::Accounts,
            &[
                Value::Text(&id),
                Value::OptText(acc.and_then(|a| a.alias.as_deref())),
                Value::Bool(acc.is_some()),
                Value::Bool(org.and_then(|o| o.management_account.as_deref()) == Some(&*id)),
                Value::OptText(path.as_deref()),
                Value::List(&levels),
                Value::List(svc),
            ],
        )?;
    }
    Ok(())
}

/// One entity row.
struct EntityRow<'a> {
    id: &'a str,
    kind: &'a str,
    name: &'a str,
    account: Option<&'a str>,
    path: Option<&'a str>,
    unique_id: Option<&'a str>,
    created: Option<String>,
    policy_type: Option<&'a str>,
    cap_levels: &'a [String],
    complete: bool,
    service_linked: bool,
}

impl EntityRow<'_> {
    fn write(&self, out: &mut Counting<'_>) -> Result<(), ExportError> {
        out.row(
            Table::Entities,
            &[
                Value::Text(self.id),
                Value::Text(self.kind),
                Value::Text(self.name),
                Value::OptText(self.account),
                Value::OptText(self.path),
                Value::OptText(self.unique_id),
                Value::OptText(self.created.as_deref()),
                Value::OptText(self.policy_type),
                Value::List(self.cap_levels),
                Value::Bool(self.complete),
                Value::Bool(self.service_linked),
            ],
        )
    }
}

fn entities(model: &Model, out: &mut Counting<'_>) -> Result<(), ExportError> {
    let none: &[String] = &[];
    // AWS-managed policies are the same in every account's export: one row each.
    let mut aws_managed: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    for (ai, a) in model.accounts.iter().enumerate() {
        let account = Some(&*a.id);
        // Users and roles carry their cap levels (boundary, SCP levels) and whether every policy they need is
        // in the snapshot, from the same gathering as the facts.
        for (kind, count) in [
            (EntityKind::User, a.users.len()),
            (EntityKind::Role, a.roles.len()),
        ] {
            for index in 0..count {
                let r = crate::account::EntityRef {
                    account: ai as u32,
                    kind,
                    index: index as u32,
                };
                let side = principal_of(model, r).and_then(|p| identity_side(model, &p));
                let caps = side.as_ref().map(cap_levels).unwrap_or_default();
                let complete = side.as_ref().is_some_and(|s| s.unknown.is_empty());
                let row = match kind {
                    EntityKind::User => a.users.get(index).map(|u| EntityRow {
                        id: &u.arn,
                        kind: "user",
                        name: &u.name,
                        account,
                        path: Some(&u.path),
                        unique_id: Some(&u.id),
                        created: u.created.map(|t| t.to_string()),
                        policy_type: None,
                        cap_levels: &caps,
                        complete,
                        service_linked: false,
                    }),
                    _ => a.roles.get(index).map(|ro| EntityRow {
                        id: &ro.arn,
                        kind: "role",
                        name: &ro.name,
                        account,
                        path: Some(&ro.path),
                        unique_id: Some(&ro.id),
                        created: ro.created.map(|t| t.to_string()),
                        policy_type: None,
                        cap_levels: &caps,
                        complete,
                        service_linked: matches!(ro.kind, RoleKind::ServiceLinked { .. }),
                    }),
                };
                if let Some(row) = row {
                    row.write(out)?;
                }
            }
        }
        for g in &a.groups {
            EntityRow {
                id: &g.arn,
                kind: "group",
                name: &g.name,
                account,
                path: Some(&g.path),
                unique_id: Some(&g.id),
                created: g.created.map(|t| t.to_string()),
                policy_type: None,
                cap_levels: none,
                complete: true,
                service_linked: false,
            }
            .write(out)?;
        }
        for p in &a.policies {
            if p.aws_managed && !aws_managed.insert(&p.arn) {
                continue;
            }
            EntityRow {
                id: &p.arn,
                kind: "policy",
                name: &p.name,
                account: if p.aws_managed { None } else { account },
                path: Some(&p.path),
                unique_id: Some(&p.id),
                created: p.created.map(|t| t.to_string()),
                policy_type: Some(if p.aws_managed {
                    "aws_managed"
                } else {
                    "managed"
                }),
                cap_levels: none,
                complete: p.default_doc().is_some(),
                service_linked: false,
            }
            .write(out)?;
        }
        let owners = a
            .users
            .iter()
            .map(|u| (&u.arn, &u.inline))
            .chain(a.groups.iter().map(|g| (&g.arn, &g.inline)))
            .chain(a.roles.iter().map(|r| (&r.arn, &r.inline)));
        for (owner, inline) in owners {
            for p in inline {
                let id = inline_id(owner, &p.name);
                EntityRow {
                    id: &id,
                    kind: "policy",
                    name: &p.name,
                    account,
                    path: None,
                    unique_id: None,
                    created: None,
                    policy_type: Some("inline"),
                    cap_levels: none,
                    complete: true,
                    service_linked: false,
                }
                .write(out)?;
            }
        }
    }
    // AWS-managed policies that an export references without listing them (the bundled copies).
    for p in &model.bundled {
        if !aws_managed.insert(&p.arn) {
            continue;
        }
        EntityRow {
            id: &p.arn,
            kind: "policy",
            name: &p.name,
            account: None,
            path: Some(&p.path),
            unique_id: Some(&p.id),
            created: p.created.map(|t| t.to_string()),
            policy_type: Some("aws_managed"),
            cap_levels: none,
            complete: p.default_doc().is_some(),
            service_linked: false,
        }
        .write(out)?;
    }
    for p in &model.org_policies {
        let id = p.arn.as_deref().unwrap_or(&p.id);
        EntityRow {
            id,
            kind: "policy",
            name: &p.name,
            account: None,
            path: None,
            unique_id: Some(&p.id),
            created: None,
            policy_type: Some(match p.kind {
                crate::account::OrgPolicyKind::Scp => "scp",
                crate::account::OrgPolicyKind::Rcp => "rcp",
            }),
            cap_levels: none,
            complete: true,
            service_linked: false,
        }
        .write(out)?;
    }
    Ok(())
}

/// The levels besides its identity policies that must each allow a principal's request: its boundary and the
/// SCP levels of its account that the snapshot describes.
fn cap_levels(side: &crate::eval::engine::IdentitySide<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if side.boundary.is_some() {
        out.push("boundary".to_string());
    }
    for l in side.scp_levels.iter().flatten() {
        if l.policies.is_some() {
            out.push(format!("scp {}", l.name));
        }
    }
    out
}

fn memberships_and_attachments(model: &Model, out: &mut Counting<'_>) -> Result<(), ExportError> {
    for a in &model.accounts {
        for u in &a.users {
            for g in &u.groups {
                if let Some(group) = a.group(g) {
                    out.row(
                        Table::Memberships,
                        &[Value::Text(&u.arn), Value::Text(&group.arn)],
                    )?;
                }
            }
        }
        let owners = a
            .users
            .iter()
            .map(|u| (&u.arn, &u.inline, &u.attached, u.boundary.as_ref()))
            .chain(
                a.groups
                    .iter()
                    .map(|g| (&g.arn, &g.inline, &g.attached, None)),
            )
            .chain(
                a.roles
                    .iter()
                    .map(|r| (&r.arn, &r.inline, &r.attached, r.boundary.as_ref())),
            );
        for (owner, inline, attached, boundary) in owners {
            for x in attached {
                out.row(
                    Table::Attachments,
                    &[
                        Value::Text(owner),
                        Value::Text(&x.arn),
                        Value::Text("managed"),
                    ],
                )?;
            }
            for p in inline {
                let id = inline_id(owner, &p.name);
                out.row(
                    Table::Attachments,
                    &[Value::Text(owner), Value::Text(&id), Value::Text("inline")],
                )?;
            }
            if let Some(b) = boundary {
                out.row(
                    Table::Attachments,
                    &[
                        Value::Text(owner),
                        Value::Text(&b.arn),
                        Value::Text("boundary"),
                    ],
                )?;
            }
        }
    }
    Ok(())
}

/// The account a trusted principal value names, when it names one (an ARN's account, or a bare account id).
fn named_account(value: &str) -> Option<&str> {
    crate::account::arn_account(value)
        .filter(|a| !a.is_empty())
        .or_else(|| (crate::arn::is_account_id(value)).then_some(value))
}

fn trusts(model: &Model, out: &mut Counting<'_>) -> Result<(), ExportError> {
    for a in &model.accounts {
        for role in &a.roles {
            let Some(trust) = &role.trust else { continue };
            for (i, s) in trust.policy.statements.iter().enumerate() {
                if !crate::graph::allows_assume(s) {
                    continue;
                }
                let conditions =
                    statement_cols(&trust.policy, i, s, None, false).and_then(|c| c.conditions);
                let summary: Vec<String> = crate::graph::summarise_conditions(s)
                    .into_iter()
                    .map(|c| c.text)
                    .collect();
                let summary = (!summary.is_empty()).then(|| summary.join(", "));
                let mut principals: Vec<(&str, &str)> = Vec::new();
                match s.principal.as_ref().map(|p| (&p.value, p.not)) {
                    // `NotPrincipal` with Allow: everyone but the named ones.
                    Some((_, true)) | Some((PrincipalValue::Star(_), _)) => {
                        principals.push(("AWS", "*"))
                    }
                    Some((PrincipalValue::Map(entries), false)) => {
                        for e in entries {
                            let kind = match &e.kind.value {
                                PrincipalKind::Aws => "AWS",
                                PrincipalKind::Service => "Service",
                                PrincipalKind::Federated => "Federated",
                                PrincipalKind::CanonicalUser => "CanonicalUser",
                                PrincipalKind::Other(_) => "Other",
                            };
                            principals.extend(e.values.iter().map(|v| (kind, v)));
                        }
                    }
                    None => {}
                }
                for (kind, value) in principals {
                    let wildcard = value == "*";
                    let cross =
                        kind == "AWS" && named_account(value).is_some_and(|acct| acct != &*a.id);
                    out.row(
                        Table::Trusts,
                        &[
                            Value::Text(&role.arn),
                            Value::Text(value),
                            Value::Text(kind),
                            Value::Int(i32::try_from(i).unwrap_or(i32::MAX)),
                            Value::OptText(s.sid.as_ref().map(|x| &*x.value)),
                            Value::Bool(cross),
                            Value::Bool(wildcard),
                            Value::OptText(conditions.as_deref()),
                            Value::OptText(summary.as_deref()),
                        ],
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn permissions(model: &Model, out: &mut Counting<'_>) -> Result<(), ExportError> {
    let now = crate::time::Timestamp::now();
    let keyed = keyed_statements(model);
    for r in all_principals(model) {
        let Some(p) = principal_of(model, r) else {
            continue;
        };
        let Some(side) = identity_side(model, &p) else {
            continue;
        };
        // The keys the principal decides; the clock's stay open (an export is read later than it is made).
        let mut ctx = Context::new();
        p.fill_context(model, &mut ctx, now);
        ctx.remove("aws:CurrentTime");
        ctx.remove("aws:EpochTime");
        for k in &keyed {
            let holds = match resolve_conditions(k.statement, Some(&ctx), k.variables) {
                None => false,
                Some(r) if r.open.is_empty() && !r.uncertain => true,
                Some(_) => continue,
            };
            out.row(
                Table::PrincipalConditions,
                &[
                    Value::Text(&p.arn),
                    Value::Text(&k.policy),
                    Value::Int(k.index),
                    Value::Bool(holds),
                ],
            )?;
        }
        let kind = if r.kind == EntityKind::User {
            "user"
        } else {
            "role"
        };
        let account = p.account.clone().unwrap_or_default();
        let mut layers: Vec<(&str, Option<String>, &[Applied<'_>])> = Vec::new();
        layers.push(("identity", None, &side.identity));
        if let Some(b) = &side.boundary {
            layers.push(("boundary", Some("boundary".to_string()), b));
        }
        for l in side.scp_levels.iter().flatten() {
            if let Some(pols) = &l.policies {
                layers.push(("scp", Some(format!("scp {}", l.name)), pols));
            }
        }
        for (layer, level, policies) in layers {
            for applied in policies {
                let id = policy_id(model, r.account, applied);
                for (i, s) in applied.policy.statements.iter().enumerate() {
                    let Some(cols) = statement_cols(applied.policy, i, s, Some(&ctx), true) else {
                        continue;
                    };
                    let mut vals: Vec<Value<'_>> = Vec::with_capacity(24);
                    vals.extend([
                        Value::Text(&p.arn),
                        Value::Text(kind),
                        Value::Text(&account),
                        Value::Text(layer),
                        Value::OptText(level.as_deref()),
                        Value::Text(applied.label.kind),
                        Value::Text(&applied.label.name),
                        Value::Text(&id),
                        Value::OptText(applied.label.attached_to.as_deref()),
                    ]);
                    cols.values(&mut vals);
                    cols.tail(&mut vals);
                    out.row(Table::Permissions, &vals)?;
                }
            }
        }
    }
    Ok(())
}

/// The principals a resource-policy statement names: `*`, the ARNs, the accounts (a bare id or a `:root` ARN).
fn named_principals(s: &Statement) -> (bool, Vec<String>, Vec<String>, bool) {
    let mut star = false;
    let mut arns = Vec::new();
    let mut accounts = Vec::new();
    let Some(block) = &s.principal else {
        return (false, arns, accounts, false);
    };
    match &block.value {
        PrincipalValue::Star(_) => star = true,
        PrincipalValue::Map(entries) => {
            for e in entries {
                if e.kind.value != PrincipalKind::Aws {
                    continue;
                }
                for v in e.values.iter() {
                    if v == "*" {
                        star = true;
                    } else if crate::arn::is_account_id(v) {
                        accounts.push(v.to_string());
                    } else if v.ends_with(":root")
                        && let Some(acct) = named_account(v)
                    {
                        accounts.push(acct.to_string());
                    } else {
                        arns.push(v.to_string());
                    }
                }
            }
        }
    }
    (star, arns, accounts, block.not)
}

fn resource_policy_rows(
    resource: &str,
    account: &str,
    kind: &str,
    must_allow: bool,
    policy: &Policy,
    out: &mut Counting<'_>,
) -> Result<(), ExportError> {
    let trust = kind == "trust";
    let policy_id = resource_policy_id(resource, kind);
    for (i, s) in policy.statements.iter().enumerate() {
        let Some(mut cols) = statement_cols(policy, i, s, None, !trust) else {
            continue;
        };
        let (star, arns, accounts, not) = named_principals(s);
        // A statement without a readable `Principal` may name anyone.
        cols.uncertain |= s.principal.is_none();
        let mut vals: Vec<Value<'_>> = Vec::with_capacity(24);
        vals.extend([
            Value::Text(resource),
            Value::Text(account),
            Value::Text(kind),
            Value::Text(&policy_id),
            Value::Bool(must_allow),
        ]);
        cols.values(&mut vals);
        vals.extend([
            Value::Bool(star),
            Value::List(&arns),
            Value::List(&accounts),
            Value::Bool(not),
        ]);
        cols.tail(&mut vals);
        out.row(Table::ResourcePolicies, &vals)?;
    }
    Ok(())
}

fn resource_policies(model: &Model, out: &mut Counting<'_>) -> Result<(), ExportError> {
    for a in &model.accounts {
        for rp in &a.resource_policies {
            resource_policy_rows(
                &rp.resource,
                &a.id,
                "resource",
                is_kms_key(&rp.resource),
                &rp.doc.policy,
                out,
            )?;
        }
        for role in &a.roles {
            if let Some(t) = &role.trust {
                let account = crate::account::arn_account(&role.arn)
                    .filter(|x| !x.is_empty())
                    .unwrap_or(&a.id);
                resource_policy_rows(&role.arn, account, "trust", true, &t.policy, out)?;
            }
        }
    }
    Ok(())
}

fn resource_controls(model: &Model, out: &mut Counting<'_>) -> Result<(), ExportError> {
    for id in account_ids(model) {
        let Some(levels) = rcp_levels(model, &id) else {
            continue;
        };
        for l in &levels {
            let Some(pols) = &l.policies else { continue };
            let level = format!("rcp {}", l.name);
            for applied in pols {
                let pid = applied.label.arn.as_deref().unwrap_or(&applied.label.name);
                for (i, s) in applied.policy.statements.iter().enumerate() {
                    let Some(cols) = statement_cols(applied.policy, i, s, None, true) else {
                        continue;
                    };
                    let mut vals: Vec<Value<'_>> = Vec::with_capacity(24);
                    vals.extend([
                        Value::Text(&id),
                        Value::Text(&level),
                        Value::Text(&applied.label.name),
                        Value::Text(pid),
                    ]);
                    cols.values(&mut vals);
                    cols.tail(&mut vals);
                    out.row(Table::ResourceControls, &vals)?;
                }
            }
        }
    }
    Ok(())
}

/// Check that writing `outputs` cannot replace an input file, and create `dir` when it does not exist.
pub fn prepare_dir(dir: &Path, outputs: &[PathBuf], inputs: &[PathBuf]) -> Result<(), ExportError> {
    if dir.exists() && !dir.is_dir() {
        return Err(ExportError::NotADirectory(dir.to_path_buf()));
    }
    std::fs::create_dir_all(dir).map_err(|source| ExportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let canon: Vec<PathBuf> = inputs
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    for o in outputs {
        if let Ok(c) = std::fs::canonicalize(o)
            && canon.contains(&c)
        {
            return Err(ExportError::WouldOverwriteInput(o.clone()));
        }
    }
    Ok(())
}

/// Export `model` to `dir` in `format` (`inputs`: the files it was loaded from, which are never written over).
/// Returns the files written and the rows of each table.
pub fn export(
    model: &Model,
    format: Format,
    dir: &Path,
    inputs: &[PathBuf],
) -> Result<(Vec<PathBuf>, Counts), ExportError> {
    match format {
        Format::Parquet => {
            let outputs: Vec<PathBuf> = Table::ALL
                .iter()
                .map(|t| dir.join(format!("{}.parquet", t.name())))
                .collect();
            prepare_dir(dir, &outputs, inputs)?;
            let mut sink = parquet::ParquetDir::create(dir)?;
            let counts = write(model, &mut sink)?;
            sink.finish()?;
            Ok((outputs, counts))
        }
        Format::Cypher => {
            let path = dir.join("iam-atlas.cypher");
            prepare_dir(dir, std::slice::from_ref(&path), inputs)?;
            let mut sink = cypher::CypherFile::create(&path)?;
            let counts = write(model, &mut sink)?;
            sink.finish()?;
            Ok((vec![path], counts))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A variable of a key each request sets is kept as written and makes the row uncertain; one of a key the
    /// principal decides and lacks matches nothing, as in evaluation.
    #[test]
    fn a_request_variable_keeps_its_pattern() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":["arn:aws:s3:::${aws:RequestedRegion}-logs/*","arn:aws:s3:::home/${aws:username}/*"]}]}"#;
        let policy =
            crate::policy::parse_text(text, &mut crate::policy::Interner::default()).policy;
        let s = policy.statements.first().expect("a statement");
        // A role's keys: no `aws:username`.
        let role = Context::new();
        let cols = statement_cols(&policy, 0, s, Some(&role), true).expect("a row");
        assert!(cols.uncertain);
        assert_eq!(
            cols.resources,
            vec!["arn:aws:s3:::${aws:RequestedRegion}-logs/*".to_string()]
        );
        let mut user = Context::new();
        user.set("aws:username", vec!["alice".into()]);
        user.set("aws:RequestedRegion", vec!["eu-west-1".into()]);
        let cols = statement_cols(&policy, 0, s, Some(&user), true).expect("a row");
        assert!(!cols.uncertain);
        assert_eq!(
            cols.resources,
            vec![
                "arn:aws:s3:::eu-west-1-logs/*".to_string(),
                "arn:aws:s3:::home/alice/*".to_string()
            ]
        );
    }
}
