//! IAM Identity Center: the people and groups of its identity store, its permission sets, and the assignments
//! that give a user or group a permission set in an account — read from what the AWS CLI prints, listed in the
//! workspace file's `identity_center` object.
//!
//! Identity Center turns each permission set assigned in an account into an IAM role there, named
//! `AWSReservedSSO_<permission set name>_<hash>` under the path `/aws-reserved/sso.amazonaws.com/[region/]`
//! (<https://docs.aws.amazon.com/singlesignon/latest/userguide/using-service-linked-roles.html>,
//! <https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html>). What a person may do
//! in an account is what that role may do: the answers evaluate the provisioned role (the policies AWS
//! enforces), and the permission set's own policies are shown beside it. [`link`] matches each assignment to its
//! role and reports, as load warnings, roles no loaded permission set explains and assignments without a role.
//!
//! ```json
//! "identity_center": {
//!   "list_instances": "sso/list-instances.json",
//!   "list_permission_sets": "sso/list-permission-sets.json",
//!   "permission_sets": [{
//!     "describe_permission_set": "sso/AdministratorAccess/describe-permission-set.json",
//!     "inline_policy": "sso/AdministratorAccess/get-inline-policy-for-permission-set.json",
//!     "managed_policies": "sso/AdministratorAccess/list-managed-policies-in-permission-set.json",
//!     "customer_managed_policy_references": "sso/AdministratorAccess/list-customer-managed-policy-references-in-permission-set.json",
//!     "permissions_boundary": "sso/AdministratorAccess/get-permissions-boundary-for-permission-set.json"
//!   }],
//!   "account_assignments": ["sso/assignments/412345678901-AdministratorAccess.json"],
//!   "users": "sso/identitystore-list-users.json",
//!   "groups": "sso/identitystore-list-groups.json",
//!   "group_memberships": ["sso/memberships/platform-admins.json"]
//! }
//! ```

use super::export::{LoadCtx, LoadError, syntax_error};
use super::workspace::Files;
use super::*;
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

/// The workspace file's `identity_center` object: the files, relative to the workspace.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct IdentityCenterSpec {
    /// `aws sso-admin list-instances`.
    #[serde(default)]
    pub list_instances: Option<String>,
    /// `aws sso-admin list-permission-sets --instance-arn …`.
    #[serde(default)]
    pub list_permission_sets: Option<String>,
    /// One entry per permission set.
    #[serde(default)]
    pub permission_sets: Vec<PermissionSetSpec>,
    /// `aws sso-admin list-account-assignments --account-id … --permission-set-arn …`, one file per pair.
    #[serde(default)]
    pub account_assignments: Vec<String>,
    /// `aws identitystore list-users --identity-store-id …`.
    #[serde(default)]
    pub users: Option<String>,
    /// `aws identitystore list-groups --identity-store-id …`.
    #[serde(default)]
    pub groups: Option<String>,
    /// `aws identitystore list-group-memberships --group-id …`, one file per group.
    #[serde(default)]
    pub group_memberships: Vec<String>,
}

/// The files of one permission set.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct PermissionSetSpec {
    /// `aws sso-admin describe-permission-set`.
    pub describe_permission_set: String,
    /// `aws sso-admin get-inline-policy-for-permission-set`.
    #[serde(default)]
    pub inline_policy: Option<String>,
    /// `aws sso-admin list-managed-policies-in-permission-set`.
    #[serde(default)]
    pub managed_policies: Option<String>,
    /// `aws sso-admin list-customer-managed-policy-references-in-permission-set`.
    #[serde(default)]
    pub customer_managed_policy_references: Option<String>,
    /// `aws sso-admin get-permissions-boundary-for-permission-set`.
    #[serde(default)]
    pub permissions_boundary: Option<String>,
}

/// A user of the identity store (a person).
#[derive(Debug, Clone)]
pub struct SsoUser {
    /// `UserId`.
    pub id: Str,
    /// `UserName` (often the e-mail address).
    pub user_name: Str,
    /// `DisplayName`.
    pub display_name: Option<String>,
    /// `Emails[].Value`, the primary one first.
    pub emails: Vec<String>,
    /// Indexes of its groups in [`IdentityCenter::groups`].
    pub groups: Vec<u32>,
}

impl SsoUser {
    /// The user's identity-store ARN (`arn:aws:identitystore:::user/ID`), as findings name it.
    pub fn arn(&self) -> String {
        format!("arn:aws:identitystore:::user/{}", self.id)
    }
}

/// A group of the identity store.
#[derive(Debug, Clone)]
pub struct SsoGroup {
    /// `GroupId`.
    pub id: Str,
    /// `DisplayName`.
    pub name: Str,
    /// `Description`.
    pub description: Option<String>,
    /// Indexes of its members in [`IdentityCenter::users`].
    pub members: Vec<u32>,
    /// A `list-group-memberships` file for this group was loaded: without one its members are unknown (never
    /// taken as "nobody").
    pub members_known: bool,
}

impl SsoGroup {
    /// The group's identity-store ARN.
    pub fn arn(&self) -> String {
        format!("arn:aws:identitystore:::group/{}", self.id)
    }
}

/// A customer-managed policy named by a permission set (`Name`, `Path`): Identity Center attaches the policy of
/// that name and path in each account it provisions the set in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyReference {
    /// `Name`.
    pub name: String,
    /// `Path` (`/` when absent).
    pub path: String,
}

/// A permission set's permissions boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PermissionSetBoundary {
    /// `ManagedPolicyArn`: an AWS-managed policy.
    Managed(String),
    /// `CustomerManagedPolicyReference`.
    CustomerManaged(PolicyReference),
}

/// A managed policy of a permission set (`Name`, `Arn`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionSetManaged {
    /// `Name`.
    pub name: String,
    /// `Arn`.
    pub arn: String,
}

/// A permission set.
#[derive(Debug, Clone)]
pub struct PermissionSet {
    /// `PermissionSetArn`.
    pub arn: Str,
    /// `Name`: the `<set>` of `AWSReservedSSO_<set>_<hash>`.
    pub name: Str,
    /// `Description`.
    pub description: Option<String>,
    /// `SessionDuration` as written (ISO 8601, `PT1H`).
    pub session_duration_text: Option<String>,
    /// `SessionDuration` in seconds (AWS's default is one hour when unset).
    pub session_duration: Option<u32>,
    /// `RelayState`.
    pub relay_state: Option<String>,
    /// The inline policy; `None` when it has none or the file was not listed (see `inline_known`).
    pub inline: Option<PolicyDoc>,
    /// The inline-policy file was loaded.
    pub inline_known: bool,
    /// AWS-managed policies; `None` when the file was not listed.
    pub managed: Option<Vec<PermissionSetManaged>>,
    /// Customer-managed policy references; `None` when the file was not listed.
    pub customer_managed: Option<Vec<PolicyReference>>,
    /// The permissions boundary; `None` inside when it has none; outer `None` when the file was not listed.
    pub boundary: Option<Option<PermissionSetBoundary>>,
    /// The `describe-permission-set` file.
    pub file: String,
}

/// Who an assignment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum AssignedTo {
    /// A user (index in [`IdentityCenter::users`]).
    User(u32),
    /// A group (index in [`IdentityCenter::groups`]).
    Group(u32),
    /// A principal the identity-store files do not hold.
    Unknown,
}

/// One account assignment: a user or group may use a permission set in an account.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// `AccountId`.
    pub account: Str,
    /// Index in [`IdentityCenter::permission_sets`]; `None` when no loaded permission set has that ARN.
    pub permission_set: Option<u32>,
    /// `PermissionSetArn`.
    pub permission_set_arn: Str,
    /// `PrincipalType` + `PrincipalId`, resolved.
    pub to: AssignedTo,
    /// `PrincipalType` as written (`USER`, `GROUP`).
    pub principal_type: String,
    /// `PrincipalId`.
    pub principal_id: Str,
    /// The provisioned role in that account (set by [`link`]); `None` when the account's export is not loaded or
    /// holds no such role.
    pub role: Option<EntityRef>,
    /// Where it was read: `file` and JSON path.
    pub file: String,
    /// JSON path in `file`.
    pub json_path: String,
}

/// How a person reaches an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Via {
    /// Assigned to the user.
    Direct,
    /// Through a group (index in [`IdentityCenter::groups`]).
    Group(u32),
}

/// An Identity Center instance and its identity store.
#[derive(Debug, Clone, Default)]
pub struct IdentityCenter {
    /// `InstanceArn`.
    pub instance_arn: Option<Str>,
    /// `IdentityStoreId`.
    pub identity_store_id: Option<Str>,
    /// `OwnerAccountId` (the management account or a delegated administrator).
    pub owner_account: Option<Str>,
    /// `Name`.
    pub name: Option<String>,
    /// Users.
    pub users: Vec<SsoUser>,
    /// Groups.
    pub groups: Vec<SsoGroup>,
    /// Permission sets.
    pub permission_sets: Vec<PermissionSet>,
    /// Assignments.
    pub assignments: Vec<Assignment>,
    /// The users file was loaded (else assignments to users name only ids).
    pub users_known: bool,
    /// Role → indexes of the assignments it serves (built by [`link`]).
    pub by_role: FxHashMap<EntityRef, Vec<u32>>,
    /// User or group → indexes of its assignments (built by [`IdentityCenter::index`]).
    by_principal: FxHashMap<AssignedTo, Vec<u32>>,
}

impl IdentityCenter {
    /// The user whose id, user name, display name or e-mail is `who` (names and e-mails case-insensitively).
    pub fn find_user(&self, who: &str) -> Option<u32> {
        let who = who.trim();
        self.users
            .iter()
            .position(|u| *u.id == *who || u.user_name.eq_ignore_ascii_case(who))
            .or_else(|| {
                self.users.iter().position(|u| {
                    u.emails.iter().any(|e| e.eq_ignore_ascii_case(who))
                        || u.display_name
                            .as_deref()
                            .is_some_and(|d| d.eq_ignore_ascii_case(who))
                })
            })
            .or_else(|| {
                // `frank` for `frank@contractor.example`, when only one person's name starts so.
                let mut it = self.users.iter().enumerate().filter(|(_, u)| {
                    u.user_name
                        .split('@')
                        .next()
                        .is_some_and(|l| l.eq_ignore_ascii_case(who))
                });
                let first = it.next().map(|(i, _)| i);
                it.next().is_none().then_some(first).flatten()
            })
            .map(|i| i as u32)
    }

    /// The permission set named `name`.
    pub fn permission_set(&self, name: &str) -> Option<u32> {
        self.permission_sets
            .iter()
            .position(|p| *p.name == *name)
            .map(|i| i as u32)
    }

    /// Rebuild the index from users and groups to their assignments.
    pub fn index(&mut self) {
        self.by_principal.clear();
        for (i, a) in self.assignments.iter().enumerate() {
            self.by_principal.entry(a.to).or_default().push(i as u32);
        }
    }

    /// Every assignment user `user` reaches, directly or through one of its groups, with how, in the order of
    /// the assignments (O(its groups and assignments), through the index).
    pub fn assignments_of(&self, user: u32) -> Vec<(Via, u32)> {
        let Some(u) = self.users.get(user as usize) else {
            return Vec::new();
        };
        let of = |to: AssignedTo| {
            self.by_principal
                .get(&to)
                .map(Vec::as_slice)
                .unwrap_or_default()
        };
        let mut out: Vec<(Via, u32)> = of(AssignedTo::User(user))
            .iter()
            .map(|&i| (Via::Direct, i))
            .collect();
        for &g in &u.groups {
            out.extend(of(AssignedTo::Group(g)).iter().map(|&i| (Via::Group(g), i)));
        }
        out.sort_by_key(|&(via, i)| (i, via));
        out
    }

    /// The people behind assignment `a`: its user, or its group's members (`None` when the group's
    /// memberships were not loaded, so its members are unknown).
    pub fn people_of(&self, a: &Assignment) -> Option<Vec<(u32, Via)>> {
        match a.to {
            AssignedTo::User(u) => Some(vec![(u, Via::Direct)]),
            AssignedTo::Group(g) => {
                let grp = self.groups.get(g as usize)?;
                grp.members_known
                    .then(|| grp.members.iter().map(|&u| (u, Via::Group(g))).collect())
            }
            AssignedTo::Unknown => None,
        }
    }

    /// A label for how a person reaches assignment `a`: `group platform-admins → AdministratorAccess in
    /// larkspur-prod`.
    pub fn path_label(&self, model: &Model, via: Via, a: &Assignment) -> String {
        let set = a
            .permission_set
            .and_then(|p| self.permission_sets.get(p as usize))
            .map_or_else(|| a.permission_set_arn.to_string(), |p| p.name.to_string());
        let account = model
            .account(&a.account)
            .and_then(|x| x.alias.clone())
            .unwrap_or_else(|| a.account.to_string());
        match via {
            Via::Direct => format!("direct assignment → {set} in {account}"),
            Via::Group(g) => format!(
                "group {} → {set} in {account}",
                self.groups.get(g as usize).map_or("?", |g| &*g.name)
            ),
        }
    }

    /// The user's display label: its user name.
    pub fn user_label(&self, user: u32) -> String {
        self.users
            .get(user as usize)
            .map_or_else(|| "?".into(), |u| u.user_name.to_string())
    }
}

/// `AWSReservedSSO_<set>_<hash>` → `<set>` (the hash is the part after the last `_`; set names may hold `_`).
pub fn permission_set_of_role(role_name: &str) -> Option<&str> {
    let rest = role_name.strip_prefix("AWSReservedSSO_")?;
    let (set, hash) = rest.rsplit_once('_')?;
    (!set.is_empty() && !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(set)
}

/// An ISO 8601 duration as Identity Center writes `SessionDuration` (`PT1H`, `PT12H`, `PT1H30M`, `PT3600S`) in
/// seconds; `None` when it is not one.
pub fn parse_duration(s: &str) -> Option<u32> {
    let rest = s.trim().strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut total: u64 = 0;
    let mut read = |part: &str, units: &[(char, u64)]| -> Option<()> {
        let mut num = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                num.push(c);
            } else {
                let mul = units.iter().find(|(u, _)| *u == c)?.1;
                let n: u64 = num.parse().ok()?;
                total = total.checked_add(n.checked_mul(mul)?)?;
                num.clear();
            }
        }
        num.is_empty().then_some(())
    };
    read(days, &[('D', 86_400)])?;
    read(time, &[('H', 3600), ('M', 60), ('S', 1)])?;
    if days.is_empty() && time.is_empty() {
        return None;
    }
    u32::try_from(total).ok()
}

fn shape(name: &str, path: impl Into<String>, message: impl Into<String>) -> LoadError {
    LoadError::Shape {
        path: name.into(),
        json_path: path.into(),
        message: message.into(),
    }
}

fn parse_value(name: &str, text: &str) -> Result<Value, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| LoadError::Syntax {
        path: name.into(),
        at: LineCol {
            line: e.line() as u32,
            col: e.column() as u32,
        },
        message: strip_position(&e.to_string()),
        more: 0,
    })
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg).to_string(),
        None => msg.to_string(),
    }
}

fn opt_str<'v>(
    v: &'v Value,
    key: &str,
    name: &str,
    at: &str,
) -> Result<Option<&'v str>, LoadError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(shape(
            name,
            format!("{at}.{key}"),
            format!("expected a string, found {}", describe(other)),
        )),
    }
}

fn req_str<'v>(v: &'v Value, key: &str, name: &str, at: &str) -> Result<&'v str, LoadError> {
    opt_str(v, key, name, at)?.ok_or_else(|| shape(name, at, format!("no `{key}`")))
}

fn list<'v>(v: &'v Value, key: &str, name: &str) -> Result<&'v [Value], LoadError> {
    if !v.is_object() {
        return Err(shape(
            name,
            "$",
            format!("expected an object with `{key}`, found {}", describe(v)),
        ));
    }
    match v.get(key) {
        Some(Value::Array(a)) => Ok(a.as_slice()),
        None | Some(Value::Null) => Err(shape(name, "$", format!("no `{key}` list"))),
        Some(other) => Err(shape(
            name,
            format!("$.{key}"),
            format!("expected a list, found {}", describe(other)),
        )),
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A page of a paginated listing: later pages are missing, so the model is incomplete.
fn note_truncated(model: &mut Model, v: &Value, name: &str) {
    if v.get("NextToken").is_some_and(|t| !t.is_null()) {
        model.warnings.push(LoadWarning::new(
            WarningKind::Skipped,
            name,
            "$.NextToken",
            "the listing is one page of several (`NextToken` is set): entries on later pages are \
                      missing; list with the CLI's automatic pagination (without `--max-items`)",
        ));
    }
}

/// Read the files `spec` lists (paths relative to `base`) into `model.identity_center`.
pub fn load(
    model: &mut Model,
    ctx: &mut LoadCtx,
    files: &dyn Files,
    base: &Path,
    spec: &IdentityCenterSpec,
) -> Result<(), LoadError> {
    let mut ic = model.identity_center.take().unwrap_or_default();
    let r = load_into(&mut ic, model, ctx, files, base, spec);
    model.identity_center = Some(ic);
    r
}

fn load_into(
    ic: &mut IdentityCenter,
    model: &mut Model,
    ctx: &mut LoadCtx,
    files: &dyn Files,
    base: &Path,
    spec: &IdentityCenterSpec,
) -> Result<(), LoadError> {
    let read = |rel: &str| -> Result<(String, crate::text::Text), LoadError> {
        let p = base.join(rel);
        let text = files.read(&p)?;
        Ok((p.display().to_string(), text))
    };
    if let Some(rel) = &spec.list_instances {
        let (name, text) = read(rel)?;
        let v = parse_value(&name, &text)?;
        let instances = list(&v, "Instances", &name)?;
        let Some(first) = instances.first() else {
            return Err(shape(
                &name,
                "$.Instances",
                "no Identity Center instance listed",
            ));
        };
        let at = "$.Instances[0]";
        ic.instance_arn = Some(
            ctx.interner
                .intern(req_str(first, "InstanceArn", &name, at)?),
        );
        ic.identity_store_id =
            opt_str(first, "IdentityStoreId", &name, at)?.map(|s| ctx.interner.intern(s));
        ic.owner_account =
            opt_str(first, "OwnerAccountId", &name, at)?.map(|s| ctx.interner.intern(s));
        ic.name = opt_str(first, "Name", &name, at)?.map(str::to_string);
        if instances.len() > 1 {
            model.warnings.push(LoadWarning::new(
                WarningKind::Note,
                name.clone(),
                "$.Instances",
                format!(
                    "{} instances are listed; the files describe one, read as `{}`",
                    instances.len(),
                    ic.instance_arn.as_deref().unwrap_or("?")
                ),
            ));
        }
    }
    // Users and groups first: assignments and memberships refer to them.
    if let Some(rel) = &spec.users {
        let (name, text) = read(rel)?;
        let v = parse_value(&name, &text)?;
        note_truncated(model, &v, &name);
        for (i, u) in list(&v, "Users", &name)?.iter().enumerate() {
            let at = format!("$.Users[{i}]");
            let id = ctx.interner.intern(req_str(u, "UserId", &name, &at)?);
            let user_name = ctx.interner.intern(req_str(u, "UserName", &name, &at)?);
            let mut emails: Vec<(bool, String)> = Vec::new();
            match u.get("Emails") {
                None | Some(Value::Null) => {}
                Some(Value::Array(list)) => {
                    for (j, e) in list.iter().enumerate() {
                        let eat = format!("{at}.Emails[{j}]");
                        if let Some(value) = opt_str(e, "Value", &name, &eat)? {
                            let primary = e.get("Primary").and_then(Value::as_bool) == Some(true);
                            emails.push((primary, value.to_string()));
                        }
                    }
                }
                Some(other) => {
                    return Err(shape(
                        &name,
                        format!("{at}.Emails"),
                        format!("expected a list, found {}", describe(other)),
                    ));
                }
            }
            emails.sort_by_key(|(primary, _)| !*primary);
            if ic.users.iter().any(|x| x.id == id) {
                return Err(shape(&name, at, format!("user id `{id}` appears twice")));
            }
            ic.users.push(SsoUser {
                id,
                user_name,
                display_name: opt_str(u, "DisplayName", &name, &at)?.map(str::to_string),
                emails: emails.into_iter().map(|(_, e)| e).collect(),
                groups: Vec::new(),
            });
        }
        ic.users_known = true;
    }
    if let Some(rel) = &spec.groups {
        let (name, text) = read(rel)?;
        let v = parse_value(&name, &text)?;
        note_truncated(model, &v, &name);
        for (i, g) in list(&v, "Groups", &name)?.iter().enumerate() {
            let at = format!("$.Groups[{i}]");
            let id = ctx.interner.intern(req_str(g, "GroupId", &name, &at)?);
            let display = opt_str(g, "DisplayName", &name, &at)?
                .unwrap_or(&id)
                .to_string();
            if ic.groups.iter().any(|x| x.id == id) {
                return Err(shape(&name, at, format!("group id `{id}` appears twice")));
            }
            ic.groups.push(SsoGroup {
                id,
                name: ctx.interner.intern(&display),
                description: opt_str(g, "Description", &name, &at)?.map(str::to_string),
                members: Vec::new(),
                members_known: false,
            });
        }
    }
    let user_index: FxHashMap<Str, u32> = ic
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.clone(), i as u32))
        .collect();
    let group_index: FxHashMap<Str, u32> = ic
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.id.clone(), i as u32))
        .collect();
    for rel in &spec.group_memberships {
        let (name, text) = read(rel)?;
        let v = parse_value(&name, &text)?;
        note_truncated(model, &v, &name);
        let members = list(&v, "GroupMemberships", &name)?;
        let mut complete_groups: Vec<u32> = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let at = format!("$.GroupMemberships[{i}]");
            let gid = req_str(m, "GroupId", &name, &at)?;
            let Some(&g) = group_index.get(gid) else {
                model.warnings.push(LoadWarning::new(
                    WarningKind::Dangling,
                    name.clone(),
                    at,
                    format!("group `{gid}` is not in the identity store's list of groups"),
                ));
                continue;
            };
            if !complete_groups.contains(&g) {
                complete_groups.push(g);
            }
            let member = m.get("MemberId").unwrap_or(&Value::Null);
            let Some(uid) = opt_str(member, "UserId", &name, &format!("{at}.MemberId"))? else {
                return Err(shape(&name, format!("{at}.MemberId"), "no `UserId`"));
            };
            match user_index.get(uid) {
                Some(&u) => {
                    if let Some(grp) = ic.groups.get_mut(g as usize)
                        && !grp.members.contains(&u)
                    {
                        grp.members.push(u);
                    }
                    if let Some(usr) = ic.users.get_mut(u as usize)
                        && !usr.groups.contains(&g)
                    {
                        usr.groups.push(g);
                    }
                }
                None => model.warnings.push(LoadWarning::new(WarningKind::Dangling, name.clone(), at, format!(
                        "member `{uid}` of group `{}` is not in the identity store's list of users: who it is \
                         is unknown",
                        ic.groups.get(g as usize).map_or("?", |g| &*g.name)
                    ))),
            }
        }
        // An empty listing names no group: it cannot say which group is empty.
        for g in complete_groups {
            if let Some(grp) = ic.groups.get_mut(g as usize) {
                grp.members_known = true;
            }
        }
        if members.is_empty() {
            model.warnings.push(LoadWarning::new(
                WarningKind::Note,
                name.clone(),
                "$.GroupMemberships",
                "an empty membership list does not name its group; a group without members \
                          needs no file",
            ));
        }
    }
    for ps in &spec.permission_sets {
        let set = load_permission_set(model, ctx, &read, ps)?;
        if let Some(other) = ic.permission_sets.iter().find(|p| p.arn == set.arn) {
            return Err(LoadError::Invalid {
                path: set.file.clone(),
                message: format!(
                    "permission set `{}` is also described by {}",
                    set.arn, other.file
                ),
            });
        }
        ic.permission_sets.push(set);
    }
    if let Some(rel) = &spec.list_permission_sets {
        let (name, text) = read(rel)?;
        let v = parse_value(&name, &text)?;
        note_truncated(model, &v, &name);
        for (i, arn) in list(&v, "PermissionSets", &name)?.iter().enumerate() {
            let Some(arn) = arn.as_str() else {
                return Err(shape(
                    &name,
                    format!("$.PermissionSets[{i}]"),
                    "expected a permission set ARN",
                ));
            };
            if !ic.permission_sets.iter().any(|p| &*p.arn == arn) {
                model.warnings.push(LoadWarning::new(WarningKind::Skipped, name.clone(), format!("$.PermissionSets[{i}]"), format!(
                        "permission set `{arn}` is listed but not described (no `describe_permission_set` \
                         file): its name and policies are unknown"
                    )));
            }
        }
    }
    let set_index: FxHashMap<Str, u32> = ic
        .permission_sets
        .iter()
        .enumerate()
        .map(|(i, p)| (p.arn.clone(), i as u32))
        .collect();
    for rel in &spec.account_assignments {
        let (name, text) = read(rel)?;
        let v = parse_value(&name, &text)?;
        note_truncated(model, &v, &name);
        for (i, a) in list(&v, "AccountAssignments", &name)?.iter().enumerate() {
            let at = format!("$.AccountAssignments[{i}]");
            let account = req_str(a, "AccountId", &name, &at)?;
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                return Err(shape(
                    &name,
                    format!("{at}.AccountId"),
                    format!("account id `{account}` must be 12 digits"),
                ));
            }
            let set_arn = ctx
                .interner
                .intern(req_str(a, "PermissionSetArn", &name, &at)?);
            let principal_type = req_str(a, "PrincipalType", &name, &at)?.to_string();
            let principal_id = ctx.interner.intern(req_str(a, "PrincipalId", &name, &at)?);
            let to = match principal_type.as_str() {
                "USER" => user_index
                    .get(&principal_id)
                    .map_or(AssignedTo::Unknown, |&u| AssignedTo::User(u)),
                "GROUP" => group_index
                    .get(&principal_id)
                    .map_or(AssignedTo::Unknown, |&g| AssignedTo::Group(g)),
                other => {
                    return Err(shape(
                        &name,
                        format!("{at}.PrincipalType"),
                        format!("unknown principal type `{other}`; expected USER or GROUP"),
                    ));
                }
            };
            let permission_set = set_index.get(&set_arn).copied();
            if permission_set.is_none() {
                model.warnings.push(LoadWarning::new(WarningKind::Dangling, name.clone(), format!("{at}.PermissionSetArn"), format!(
                        "permission set `{set_arn}` is not described: its name, and so its role, is unknown"
                    )));
            }
            if to == AssignedTo::Unknown {
                model.warnings.push(LoadWarning::new(WarningKind::Dangling, name.clone(), format!("{at}.PrincipalId"), format!(
                        "{} `{principal_id}` is not in the identity store's files: who it is is unknown",
                        principal_type.to_ascii_lowercase()
                    )));
            }
            ic.assignments.push(Assignment {
                account: ctx.interner.intern(account),
                permission_set,
                permission_set_arn: set_arn,
                to,
                principal_type,
                principal_id,
                role: None,
                file: name.clone(),
                json_path: at,
            });
        }
    }
    ic.index();
    // Groups that hold assignments but whose members were not read.
    for (gi, g) in ic.groups.iter().enumerate() {
        if !g.members_known
            && ic
                .assignments
                .iter()
                .any(|a| a.to == AssignedTo::Group(gi as u32))
        {
            model.warnings.push(LoadWarning::new(WarningKind::Skipped, ic.assignments.first().map(|a| a.file.clone()).unwrap_or_default(), String::new(), format!(
                    "group `{}` has assignments but no `list-group-memberships` file: its members, and so who \
                     can use its permission sets, are unknown",
                    g.name
                )));
        }
    }
    Ok(())
}

type Reader<'a> = dyn Fn(&str) -> Result<(String, crate::text::Text), LoadError> + 'a;

fn load_permission_set(
    model: &mut Model,
    ctx: &mut LoadCtx,
    read: &Reader<'_>,
    spec: &PermissionSetSpec,
) -> Result<PermissionSet, LoadError> {
    let (name, text) = read(&spec.describe_permission_set)?;
    let v = parse_value(&name, &text)?;
    let Some(ps) = v.get("PermissionSet").filter(|p| p.is_object()) else {
        return Err(shape(
            &name,
            "$",
            "expected the object `describe-permission-set` prints (`PermissionSet`)",
        ));
    };
    let at = "$.PermissionSet";
    let arn = ctx
        .interner
        .intern(req_str(ps, "PermissionSetArn", &name, at)?);
    let set_name = ctx.interner.intern(req_str(ps, "Name", &name, at)?);
    let session_duration_text = opt_str(ps, "SessionDuration", &name, at)?.map(str::to_string);
    let session_duration = match &session_duration_text {
        None => None,
        Some(s) => Some(parse_duration(s).ok_or_else(|| {
            shape(
                &name,
                format!("{at}.SessionDuration"),
                format!("`{s}` is not an ISO 8601 duration (such as `PT1H`)"),
            )
        })?),
    };
    let mut set = PermissionSet {
        arn,
        name: set_name,
        description: opt_str(ps, "Description", &name, at)?.map(str::to_string),
        session_duration_text,
        session_duration,
        relay_state: opt_str(ps, "RelayState", &name, at)?.map(str::to_string),
        inline: None,
        inline_known: false,
        managed: None,
        customer_managed: None,
        boundary: None,
        file: name,
    };
    if let Some(rel) = &spec.inline_policy {
        let (name, text) = read(rel)?;
        let v = parse_value(&name, &text)?;
        let raw = match v.get("InlinePolicy") {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => String::new(),
            Some(Value::Object(_)) => {
                // A document written as an object (hand-made files): keep its own text.
                serde_json::to_string(v.get("InlinePolicy").unwrap_or(&Value::Null))
                    .unwrap_or_default()
            }
            Some(other) => {
                return Err(shape(
                    &name,
                    "$.InlinePolicy",
                    format!(
                        "expected the policy as a JSON string, found {}",
                        describe(other)
                    ),
                ));
            }
        };
        if !raw.trim().is_empty() {
            let inner_name = format!("{name} ($.InlinePolicy)");
            let p = crate::json::parse(&raw);
            if let Some(e) = syntax_error(&inner_name, &raw, &p.errors) {
                return Err(e);
            }
            let mut problems = Vec::new();
            let policy =
                crate::policy::parse_node(&raw, &p.doc, p.root, &mut ctx.interner, &mut problems);
            let source = model.add_source(inner_name, Arc::new(raw));
            set.inline = Some(PolicyDoc {
                source,
                policy,
                encoded: true,
                problems,
            });
        }
        set.inline_known = true;
    }
    if let Some(rel) = &spec.managed_policies {
        let (name, text) = read(rel)?;
        let v = parse_value(&name, &text)?;
        let mut out = Vec::new();
        for (i, m) in list(&v, "AttachedManagedPolicies", &name)?
            .iter()
            .enumerate()
        {
            let at = format!("$.AttachedManagedPolicies[{i}]");
            let arn = req_str(m, "Arn", &name, &at)?;
            out.push(PermissionSetManaged {
                name: opt_str(m, "Name", &name, &at)?
                    .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(arn))
                    .to_string(),
                arn: arn.to_string(),
            });
        }
        set.managed = Some(out);
    }
    if let Some(rel) = &spec.customer_managed_policy_references {
        let (name, text) = read(rel)?;
        let v = parse_value(&name, &text)?;
        let mut out = Vec::new();
        for (i, m) in list(&v, "CustomerManagedPolicyReferences", &name)?
            .iter()
            .enumerate()
        {
            let at = format!("$.CustomerManagedPolicyReferences[{i}]");
            out.push(PolicyReference {
                name: req_str(m, "Name", &name, &at)?.to_string(),
                path: opt_str(m, "Path", &name, &at)?.unwrap_or("/").to_string(),
            });
        }
        set.customer_managed = Some(out);
    }
    if let Some(rel) = &spec.permissions_boundary {
        let (name, text) = read(rel)?;
        let v = parse_value(&name, &text)?;
        let b = match v.get("PermissionsBoundary") {
            None | Some(Value::Null) => None,
            Some(b @ Value::Object(_)) => {
                let at = "$.PermissionsBoundary";
                if let Some(arn) = opt_str(b, "ManagedPolicyArn", &name, at)? {
                    Some(PermissionSetBoundary::Managed(arn.to_string()))
                } else if let Some(r) = b.get("CustomerManagedPolicyReference") {
                    let at = "$.PermissionsBoundary.CustomerManagedPolicyReference";
                    Some(PermissionSetBoundary::CustomerManaged(PolicyReference {
                        name: req_str(r, "Name", &name, at)?.to_string(),
                        path: opt_str(r, "Path", &name, at)?.unwrap_or("/").to_string(),
                    }))
                } else {
                    return Err(shape(
                        &name,
                        at,
                        "expected `ManagedPolicyArn` or `CustomerManagedPolicyReference`",
                    ));
                }
            }
            Some(other) => {
                return Err(shape(
                    &name,
                    "$.PermissionsBoundary",
                    format!("expected an object, found {}", describe(other)),
                ));
            }
        };
        set.boundary = Some(b);
    }
    Ok(set)
}

/// After the accounts are loaded and indexed: match each assignment to the role Identity Center provisioned for
/// its permission set in its account, and report roles that no loaded permission set explains and assignments
/// without a role as load warnings.
pub fn link(model: &mut Model) {
    let Some(mut ic) = model.identity_center.take() else {
        return;
    };
    let mut warnings = Vec::new();
    // Per account: permission set name → the SSO role provisioned for it.
    let mut roles: FxHashMap<(u32, &str), u32> = FxHashMap::default();
    for (ai, a) in model.accounts.iter().enumerate() {
        for (ri, r) in a.roles.iter().enumerate() {
            if r.kind != RoleKind::Sso {
                continue;
            }
            match permission_set_of_role(&r.name) {
                Some(set) => {
                    roles.insert((ai as u32, set), ri as u32);
                }
                None => warnings.push(LoadWarning::new(WarningKind::Note, source_name(model, a), String::new(), format!(
                        "role `{}` has Identity Center's path but not its name `AWSReservedSSO_<set>_<hash>`: \
                         no permission set is matched to it",
                        r.arn
                    ))),
            }
        }
    }
    let mut used: rustc_hash::FxHashSet<(u32, u32)> = rustc_hash::FxHashSet::default();
    ic.by_role.clear();
    ic.index();
    for (i, asg) in ic.assignments.iter_mut().enumerate() {
        asg.role = None;
        let Some(set) = asg
            .permission_set
            .and_then(|p| ic.permission_sets.get(p as usize))
        else {
            continue;
        };
        let Some((ai, acc)) = model
            .account_index(&asg.account)
            .and_then(|ai| Some((ai, model.accounts.get(ai as usize)?)))
        else {
            warnings.push(LoadWarning::new(WarningKind::Note, asg.file.clone(), asg.json_path.clone(), format!(
                    "assignment of `{}` in account {}, whose authorization details are not loaded: the role it \
                     gives, and so what it allows, is unknown",
                    set.name, asg.account
                )));
            continue;
        };
        match roles.get(&(ai, &*set.name)) {
            Some(&ri) => {
                let r = EntityRef {
                    account: ai,
                    kind: EntityKind::Role,
                    index: ri,
                };
                asg.role = Some(r);
                used.insert((ai, ri));
                ic.by_role.entry(r).or_default().push(i as u32);
            }
            None => warnings.push(LoadWarning::new(if acc.source.is_some() {
                    WarningKind::Dangling
                } else {
                    WarningKind::Note
                }, asg.file.clone(), asg.json_path.clone(), if acc.source.is_some() {
                    format!(
                        "assignment of `{}` in {} has no role `AWSReservedSSO_{}_…` in the account's export: \
                         the permission set is not provisioned there, or the export is older than the \
                         assignment; what it allows is unknown",
                        set.name,
                        acc.label(),
                        set.name
                    )
                } else {
                    format!(
                        "assignment of `{}` in {}, whose authorization details are not loaded: the role it gives, \
                         and so what it allows, is unknown",
                        set.name,
                        acc.label()
                    )
                })),
        }
    }
    // Drift: a provisioned role whose policies are not its permission set's (the set was changed but not
    // provisioned again there). The answers use the role, which is what AWS enforces.
    let mut drift: Vec<(EntityRef, u32)> = ic
        .by_role
        .iter()
        .filter_map(|(r, list)| {
            let a = ic.assignments.get(*list.first()? as usize)?;
            Some((*r, a.permission_set?))
        })
        .collect();
    drift.sort();
    for (r, ps) in drift {
        let (Some(set), Some(acc)) = (
            ic.permission_sets.get(ps as usize),
            model.accounts.get(r.account as usize),
        ) else {
            continue;
        };
        let Some(role) = acc.roles.get(r.index as usize) else {
            continue;
        };
        let differences = drift_of(set, role, &acc.id);
        if !differences.is_empty() {
            warnings.push(LoadWarning {
                kind: WarningKind::Note,
                file: source_name(model, acc),
                location: String::new(),
                message: format!(
                    "role `{}` differs from its permission set `{}` ({}): the set was changed but not provisioned again in {}; answers use the role, which is what AWS enforces",
                    role.arn,
                    set.name,
                    differences.join("; "),
                    acc.label()
                ),
                entity: Some(r),
                at: None,
            });
        }
    }
    for (&(ai, set), &ri) in &roles {
        if used.contains(&(ai, ri)) {
            continue;
        }
        let Some(acc) = model.accounts.get(ai as usize) else {
            continue;
        };
        let Some(role) = acc.roles.get(ri as usize) else {
            continue;
        };
        let known = ic.permission_sets.iter().any(|p| &*p.name == set);
        warnings.push(LoadWarning {
            kind: WarningKind::Note,
            file: source_name(model, acc),
            location: String::new(),
            message: if known {
                format!(
                    "role `{}` was provisioned for permission set `{set}`, but no loaded assignment gives that set \
                     in {}: who can use the role is unknown (a stale role, or assignments missing from the \
                     workspace)",
                    role.arn,
                    acc.label()
                )
            } else {
                format!(
                    "role `{}` was provisioned by Identity Center, but no loaded permission set is named `{set}`: \
                     who can use the role is unknown",
                    role.arn
                )
            },
            entity: Some(EntityRef {
                account: ai,
                kind: EntityKind::Role,
                index: ri,
            }),
            at: None,
        });
    }
    // Deterministic order (the map above is not).
    warnings.sort_by(|a, b| {
        (&a.file, &a.location, &a.message).cmp(&(&b.file, &b.location, &b.message))
    });
    model.warnings.extend(warnings);
    model.identity_center = Some(ic);
}

/// What differs between a permission set (as far as its files were loaded) and the role provisioned for it
/// in account `account`: its managed policies (AWS-managed and the customer-managed references, which
/// Identity Center attaches by name and path), the presence of its inline policy, and its boundary.
fn drift_of(set: &PermissionSet, role: &Role, account: &str) -> Vec<String> {
    let customer_arn = |r: &PolicyReference| {
        let path = if r.path.is_empty() {
            "/"
        } else {
            r.path.as_str()
        };
        format!("arn:aws:iam::{account}:policy{path}{}", r.name)
    };
    let mut out = Vec::new();
    let attached: Vec<&str> = role.attached.iter().map(|a| &*a.arn).collect();
    let aws = |a: &&str| a.starts_with("arn:aws:iam::aws:policy/");
    if let Some(managed) = &set.managed {
        let mut want: Vec<&str> = managed.iter().map(|m| m.arn.as_str()).collect();
        let mut have: Vec<&str> = attached.iter().copied().filter(aws).collect();
        want.sort_unstable();
        have.sort_unstable();
        if want != have {
            out.push(format!(
                "AWS-managed policies: the set has [{}], the role [{}]",
                want.join(", "),
                have.join(", ")
            ));
        }
    }
    if let Some(refs) = &set.customer_managed {
        let mut want: Vec<String> = refs.iter().map(customer_arn).collect();
        let mut have: Vec<String> = attached
            .iter()
            .filter(|a| !aws(a))
            .map(|a| a.to_string())
            .collect();
        want.sort_unstable();
        have.sort_unstable();
        if want != have {
            out.push(format!(
                "customer-managed policies: the set names [{}], the role has [{}]",
                want.join(", "),
                have.join(", ")
            ));
        }
    }
    if set.inline_known && set.inline.is_some() == role.inline.is_empty() {
        out.push(if set.inline.is_some() {
            "the set has an inline policy, the role none".to_string()
        } else {
            "the role has an inline policy, the set none".to_string()
        });
    }
    if let Some(b) = &set.boundary {
        let want = b.as_ref().map(|b| match b {
            PermissionSetBoundary::Managed(a) => a.clone(),
            PermissionSetBoundary::CustomerManaged(r) => customer_arn(r),
        });
        let have = role.boundary.as_ref().map(|b| b.arn.to_string());
        if want != have {
            out.push(format!(
                "permissions boundary: the set's is {}, the role's {}",
                want.as_deref().unwrap_or("none"),
                have.as_deref().unwrap_or("none")
            ));
        }
    }
    out
}

fn source_name(model: &Model, a: &Account) -> String {
    a.source
        .and_then(|s| model.sources.get(s.0 as usize))
        .map(|s| s.name.clone())
        .unwrap_or_else(|| a.label())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_role_names() {
        assert_eq!(parse_duration("PT1H"), Some(3600));
        assert_eq!(parse_duration("PT12H"), Some(43_200));
        assert_eq!(parse_duration("PT1H30M"), Some(5400));
        assert_eq!(parse_duration("PT900S"), Some(900));
        assert_eq!(parse_duration("P1D"), Some(86_400));
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("1H"), None);
        assert_eq!(parse_duration("PTxH"), None);
        assert_eq!(parse_duration("PT1"), None);
        assert_eq!(parse_duration("P"), None);
        assert_eq!(
            permission_set_of_role("AWSReservedSSO_AdministratorAccess_0123456789abcdef"),
            Some("AdministratorAccess")
        );
        assert_eq!(
            permission_set_of_role("AWSReservedSSO_Admin_Prod_0123456789abcdef"),
            Some("Admin_Prod")
        );
        assert_eq!(permission_set_of_role("AWSReservedSSO_x"), None);
        assert_eq!(permission_set_of_role("deploy"), None);
    }
}
