//! The workspace file: one JSON document that lists an organisation's files and how they fit, and the
//! loading of any mix of workspaces and exports into one [`Model`].
//!
//! ```json
//! {
//!   "format": "iam-atlas-workspace/1",
//!   "name": "Example Corp",
//!   "organization": {
//!     "id": "o-abc123", "management_account": "111111111111",
//!     "root": { "id": "r-ab12", "name": "Root", "scps": ["org/FullAWSAccess.json"], "rcps": [],
//!               "accounts": ["111111111111"],
//!               "children": [{ "id": "ou-ab12-prod", "name": "Prod", "scps": ["org/deny-regions.json"],
//!                              "accounts": ["222222222222"], "children": [] }] }
//!   },
//!   "accounts": [{
//!     "id": "222222222222", "alias": "prod",
//!     "authorization_details": "prod/authorization-details.json",
//!     "credential_report": "prod/credential-report.csv",
//!     "password_policy": "prod/password-policy.json",
//!     "identity_providers": ["arn:aws:iam::222222222222:saml-provider/Okta"],
//!     "scps": [], "rcps": [],
//!     "resource_policies": [{ "resource": "arn:aws:s3:::prod-data", "file": "prod/bucket-policy.json" }],
//!     "last_accessed": [{ "principal": "arn:aws:iam::222222222222:role/app", "file": "prod/last-accessed/app.json" }]
//!   }]
//! }
//! ```
//! Paths are relative to the workspace file. An absent `scps`/`rcps` means "not described" (that level is not
//! evaluated); a present list is the complete list.

use super::export::{LoadCtx, LoadError, ProgressFn, load_export, merge_export, read_text};
use super::extras::{
    load_org_policy, load_resource_policy, parse_credential_report, parse_password_policy,
};
use super::parallel::{self, Read};
use super::*;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Loads one SCP/RCP file (relative path) and returns its index in `Model::org_policies`.
type OrgPolicyLoader<'a> =
    dyn FnMut(&mut Model, &mut LoadCtx, OrgPolicyKind, &str) -> Result<u32, LoadError> + 'a;

/// The format tag of version 1.
pub const FORMAT: &str = "iam-atlas-workspace/1";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkspaceFile {
    format: String,
    #[serde(default)]
    #[allow(dead_code)]
    name: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    organization: Option<OrgSpec>,
    #[serde(default)]
    accounts: Vec<AccountSpec>,
    #[serde(default)]
    identity_center: Option<super::identity_center::IdentityCenterSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrgSpec {
    id: String,
    #[serde(default)]
    management_account: Option<String>,
    root: NodeSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeSpec {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    scps: Option<Vec<String>>,
    #[serde(default)]
    rcps: Option<Vec<String>>,
    #[serde(default)]
    accounts: Vec<String>,
    #[serde(default)]
    children: Vec<NodeSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountSpec {
    id: String,
    #[serde(default)]
    alias: Option<String>,
    #[serde(default)]
    authorization_details: Option<String>,
    #[serde(default)]
    credential_report: Option<String>,
    #[serde(default)]
    password_policy: Option<String>,
    #[serde(default)]
    identity_providers: Vec<String>,
    #[serde(default)]
    scps: Option<Vec<String>>,
    #[serde(default)]
    rcps: Option<Vec<String>>,
    #[serde(default)]
    resource_policies: Vec<ResourceSpec>,
    #[serde(default)]
    last_accessed: Vec<LastAccessedSpec>,
}

/// `get-service-last-accessed-details` output for one principal (the report does not name it).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LastAccessedSpec {
    principal: String,
    file: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourceSpec {
    resource: String,
    file: String,
}

/// Where files come from: the disk, or the sample embedded in the binary.
pub trait Files {
    /// Read the text at `path`.
    fn read(&self, path: &Path) -> Result<crate::text::Text, LoadError>;
}

/// The file system (read only: loading never writes).
pub struct Disk;

impl Files for Disk {
    fn read(&self, path: &Path) -> Result<crate::text::Text, LoadError> {
        read_text(path)
    }
}

/// Options for [`load_paths`].
#[derive(Default)]
pub struct LoadOptions {
    /// Called as large files load: (file, bytes done, bytes in all).
    pub progress: Option<ProgressFn>,
    /// Threads that read exports at once (0, the default: one per core). The model is the same for any number.
    pub jobs: usize,
}

/// True when `text` is a workspace file rather than an export: its top-level object has a `format` key whose
/// value starts with `iam-atlas-workspace/` (an export that merely mentions the text, in a tag or a policy, is
/// not one). Only the top level is read, and it stops at the first key of an export (`UserDetailList`, …), so
/// an export costs a few bytes and a workspace whose `format` comes after a long `accounts` list is still known.
pub fn is_workspace(text: &str) -> bool {
    const EXPORT_KEYS: [&[u8]; 4] = [
        b"UserDetailList",
        b"GroupDetailList",
        b"RoleDetailList",
        b"Policies",
    ];
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0usize;
    // The last string read at depth 1 in key position, and whether a `:` followed it.
    let mut key: Option<(usize, usize)> = None;
    let mut expect_key = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'{' | b'[' => {
                depth += 1;
                expect_key = c == b'{' && depth == 1;
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' => expect_key = depth == 1,
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while let Some(&d) = b.get(j) {
                    match d {
                        b'\\' => j += 2,
                        b'"' => break,
                        _ => j += 1,
                    }
                }
                let end = j.min(b.len());
                if depth == 1 {
                    if expect_key {
                        if b.get(start..end).is_some_and(|k| EXPORT_KEYS.contains(&k)) {
                            return false;
                        }
                        key = Some((start, end));
                        expect_key = false;
                    } else if let Some((ks, ke)) = key.take()
                        && b.get(ks..ke) == Some(b"format")
                    {
                        return b
                            .get(start..end)
                            .is_some_and(|v| v.starts_with(b"iam-atlas-workspace/"));
                    }
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// Load files (exports and/or workspaces) from disk into one model.
pub fn load_paths(paths: &[PathBuf], opts: LoadOptions) -> Result<Model, LoadError> {
    load_with(&Disk, paths, opts)
}

/// Progress after `merged` of `total` exports, `bytes` of text so far: the bytes still to come are estimated from
/// the exports merged.
fn report(ctx: &mut LoadCtx, path: &Path, merged: usize, bytes: usize, total: usize) {
    if let Some(cb) = ctx.progress.as_mut() {
        let all = bytes / merged.max(1) * total;
        cb(&path.display().to_string(), bytes, all.max(bytes));
    }
}

/// Load files through `files` into one model.
pub fn load_with(
    files: &(dyn Files + Sync),
    paths: &[PathBuf],
    opts: LoadOptions,
) -> Result<Model, LoadError> {
    let mut model = Model::default();
    let mut ctx = LoadCtx {
        progress: opts.progress,
        jobs: opts.jobs,
        ..LoadCtx::default()
    };
    if let [path] = paths {
        // One file: read here, with progress inside it.
        let text = files.read(path)?;
        let name = path.display().to_string();
        if is_workspace(&text) {
            load_workspace(&mut model, &mut ctx, files, path, &text)?;
        } else {
            load_export(&mut model, &mut ctx, &name, text, None)?;
        }
    } else {
        // Several: read on every core, merged in the order given.
        parallel::with_ordered(files, paths, true, ctx.jobs, |reads| {
            let mut done = 0usize;
            for (k, path) in paths.iter().enumerate() {
                match reads.next() {
                    Some(Read::Workspace(text)) => {
                        load_workspace(&mut model, &mut ctx, files, path, &text)?
                    }
                    Some(Read::Export(parsed)) => {
                        let parsed = (*parsed)?;
                        done += parsed.len();
                        merge_export(&mut model, &mut ctx, parsed, None)?;
                        report(&mut ctx, path, k + 1, done, paths.len());
                    }
                    None => break,
                }
            }
            Ok::<(), LoadError>(())
        })?;
    }
    finish(&mut model, &mut ctx);
    Ok(model)
}

fn load_workspace(
    model: &mut Model,
    ctx: &mut LoadCtx,
    files: &(dyn Files + Sync),
    path: &Path,
    text: &str,
) -> Result<(), LoadError> {
    let name = path.display().to_string();
    let ws: WorkspaceFile = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            LoadError::Syntax {
                path: name.clone(),
                at: LineCol {
                    line: e.line() as u32,
                    col: e.column() as u32,
                },
                message: crate::text::strip_position(&e.to_string()).to_string(),
                more: 0,
            }
        }
        _ => LoadError::Invalid {
            path: format!("{name}:{}:{}", e.line(), e.column()),
            message: crate::text::strip_position(&e.to_string()).to_string(),
        },
    })?;
    if ws.format != FORMAT {
        return Err(LoadError::Invalid {
            path: name,
            message: format!(
                "unsupported workspace format `{}`; this version reads `{FORMAT}`",
                ws.format
            ),
        });
    }
    let base = path.parent().unwrap_or(Path::new(""));
    let resolve = |p: &str| base.join(p);
    let mut org_files: FxHashMap<(OrgPolicyKind, PathBuf), u32> = FxHashMap::default();
    let mut org_policy = |model: &mut Model, ctx: &mut LoadCtx, kind: OrgPolicyKind, rel: &str| {
        let p = resolve(rel);
        if let Some(&i) = org_files.get(&(kind, p.clone())) {
            return Ok(i);
        }
        let text = files.read(&p)?;
        let i = load_org_policy(model, ctx, kind, &p.display().to_string(), text)?;
        org_files.insert((kind, p), i);
        Ok::<u32, LoadError>(i)
    };
    // The exports are read on every core, in the background, while the accounts are assembled here in order.
    let export_paths: Vec<PathBuf> = ws
        .accounts
        .iter()
        .filter_map(|spec| spec.authorization_details.as_deref().map(resolve))
        .collect();
    // (exports merged, their bytes)
    let mut merged = (0usize, 0usize);
    parallel::with_ordered(files, &export_paths, false, ctx.jobs, |exports| {
        for spec in &ws.accounts {
            if spec.id.len() != 12 || !spec.id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(LoadError::Invalid {
                    path: name.clone(),
                    message: format!("account id `{}` must be 12 digits", spec.id),
                });
            }
            let index = match &spec.authorization_details {
                Some(rel) => match exports.next() {
                    Some(Read::Export(parsed)) => {
                        let parsed = (*parsed)?;
                        merged.0 += 1;
                        merged.1 += parsed.len();
                        let i = merge_export(model, ctx, parsed, Some(&spec.id))? as usize;
                        report(ctx, &resolve(rel), merged.0, merged.1, export_paths.len());
                        i
                    }
                    // `exports` holds one export per account that names one, in this order.
                    _ => {
                        return Err(LoadError::Invalid {
                            path: resolve(rel).display().to_string(),
                            message: "internal error: the export was not read".into(),
                        });
                    }
                },
                None => match ctx.account_at(model, &spec.id) {
                    Some(i) => i,
                    None => {
                        let id = ctx.interner.intern(&spec.id);
                        ctx.push_account(model, Account::new(id))
                    }
                },
            };
            if let Some(alias) = &spec.alias
                && let Some(a) = model.accounts.get_mut(index)
            {
                a.alias = Some(alias.clone());
            }
            if let Some(rel) = &spec.credential_report {
                let p = resolve(rel);
                let text = files.read(&p)?;
                let report = parse_credential_report(&p.display().to_string(), &text)?;
                if let Some(a) = model.accounts.get_mut(index) {
                    a.credential_report = Some(report);
                }
            }
            if let Some(rel) = &spec.password_policy {
                let p = resolve(rel);
                let text = files.read(&p)?;
                let pp = parse_password_policy(&p.display().to_string(), &text)?;
                if let Some(a) = model.accounts.get_mut(index) {
                    a.password_policy = Some(pp);
                }
            }
            for arn in &spec.identity_providers {
                let arn = ctx.interner.intern(arn);
                let Some(p) = IdentityProvider::from_arn(&arn, true) else {
                    return Err(LoadError::Invalid {
                        path: name.clone(),
                        message: format!("`{arn}` is not a SAML or OIDC provider ARN"),
                    });
                };
                let Some(acc) = model.accounts.get_mut(index) else {
                    continue;
                };
                match acc.identity_providers.iter_mut().find(|q| q.arn == p.arn) {
                    Some(q) => q.declared = true,
                    None => acc.identity_providers.push(p),
                }
            }
            for rs in &spec.resource_policies {
                let p = resolve(&rs.file);
                let text = files.read(&p)?;
                load_resource_policy(
                    model,
                    ctx,
                    index,
                    &rs.resource,
                    &p.display().to_string(),
                    text,
                )?;
            }
            for la in &spec.last_accessed {
                let p = resolve(&la.file);
                let text = files.read(&p)?;
                let report = super::last_accessed::parse_last_accessed(
                    &p.display().to_string(),
                    ctx.interner.intern(&la.principal),
                    &text,
                )?;
                if let Some(a) = model.accounts.get_mut(index) {
                    a.last_accessed.push(report);
                }
            }
            if let Some(list) = &spec.scps {
                let mut v = Vec::new();
                for f in list {
                    v.push(org_policy(model, ctx, OrgPolicyKind::Scp, f)?);
                }
                if let Some(a) = model.accounts.get_mut(index) {
                    a.scps = Some(v);
                }
            }
            if let Some(list) = &spec.rcps {
                let mut v = Vec::new();
                for f in list {
                    v.push(org_policy(model, ctx, OrgPolicyKind::Rcp, f)?);
                }
                if let Some(a) = model.accounts.get_mut(index) {
                    a.rcps = Some(v);
                }
            }
        }
        Ok::<(), LoadError>(())
    })?;
    if let Some(org) = &ws.organization {
        fn node<'s>(
            spec: &'s NodeSpec,
            model: &mut Model,
            ctx: &mut LoadCtx,
            load: &mut OrgPolicyLoader<'_>,
            seen: &mut Vec<String>,
            seen_set: &mut rustc_hash::FxHashSet<&'s str>,
            name: &str,
        ) -> Result<OrgNode, LoadError> {
            let mut scps = None;
            if let Some(list) = &spec.scps {
                let mut v = Vec::new();
                for f in list {
                    v.push(load(model, ctx, OrgPolicyKind::Scp, f)?);
                }
                scps = Some(v);
            }
            let mut rcps = None;
            if let Some(list) = &spec.rcps {
                let mut v = Vec::new();
                for f in list {
                    v.push(load(model, ctx, OrgPolicyKind::Rcp, f)?);
                }
                rcps = Some(v);
            }
            for a in &spec.accounts {
                if !seen_set.insert(a.as_str()) {
                    return Err(LoadError::Invalid {
                        path: name.into(),
                        message: format!("account `{a}` appears twice in the organisation tree"),
                    });
                }
                seen.push(a.clone());
            }
            let mut children = Vec::new();
            for c in &spec.children {
                children.push(node(c, model, ctx, load, seen, seen_set, name)?);
            }
            Ok(OrgNode {
                id: ctx.interner.intern(&spec.id),
                name: ctx
                    .interner
                    .intern(spec.name.as_deref().unwrap_or(&spec.id)),
                scps,
                rcps,
                accounts: spec
                    .accounts
                    .iter()
                    .map(|a| ctx.interner.intern(a))
                    .collect(),
                children,
            })
        }
        let mut seen = Vec::new();
        let mut seen_set = rustc_hash::FxHashSet::default();
        let root = node(
            &org.root,
            model,
            ctx,
            &mut org_policy,
            &mut seen,
            &mut seen_set,
            &name,
        )?;
        let loaded: rustc_hash::FxHashSet<Str> =
            model.accounts.iter().map(|a| a.id.clone()).collect();
        for a in &seen {
            if !loaded.contains(a.as_str()) {
                let id = ctx.interner.intern(a);
                ctx.push_account(model, Account::new(id));
            }
        }
        for acc in &model.accounts {
            if !seen_set.contains(&*acc.id) && !acc.id.starts_with("unknown") {
                model.warnings.push(LoadWarning::new(
                    WarningKind::Note,
                    name.clone(),
                    "$.organization",
                    format!(
                        "account `{}` is not in the organisation tree: no SCP or RCP applies to it",
                        acc.id
                    ),
                ));
            }
        }
        model.organization = Some(Organization {
            id: ctx.interner.intern(&org.id),
            management_account: org
                .management_account
                .as_deref()
                .map(|a| ctx.interner.intern(a)),
            root,
            paths: Default::default(),
        });
    }
    if let Some(spec) = &ws.identity_center {
        if model.identity_center.is_some() {
            return Err(LoadError::Invalid {
                path: name,
                message: "a second Identity Center: the loaded files may describe one instance"
                    .into(),
            });
        }
        super::identity_center::load(model, ctx, files, base, spec)?;
    }
    Ok(())
}

/// After every file is in: resolve attachments and boundaries (export, then the bundled AWS-managed set,
/// else a dangling reference), check group memberships, and build the indexes.
#[expect(
    clippy::indexing_slicing,
    reason = "`ai` ranges over `0..model.accounts.len()` and no account is removed here"
)]
pub fn finish(model: &mut Model, ctx: &mut LoadCtx) {
    let mut bundled = crate::account::bundled::BundledPolicies::default();
    let mut bundled_index: FxHashMap<Str, u32> = FxHashMap::default();
    for ai in 0..model.accounts.len() {
        let local: FxHashMap<Str, u32> = model.accounts[ai]
            .policies
            .iter()
            .enumerate()
            .map(|(i, p)| (p.arn.clone(), i as u32))
            .collect();
        let mut missing: FxHashMap<Str, usize> = FxHashMap::default();
        let mut resolve = |arn: &Str, model: &mut Model, ctx: &mut LoadCtx| -> PolicyRef {
            if let Some(&i) = local.get(arn) {
                return PolicyRef::Local(i);
            }
            if let Some(&i) = bundled_index.get(arn) {
                return PolicyRef::Bundled(i);
            }
            if let Some(p) = bundled.load(arn, model, &mut ctx.interner) {
                model.bundled.push(p);
                let i = model.bundled.len() as u32 - 1;
                bundled_index.insert(arn.clone(), i);
                return PolicyRef::Bundled(i);
            }
            *missing.entry(arn.clone()).or_default() += 1;
            PolicyRef::Missing
        };
        // Collect the ARNs first (resolution may add to `model.bundled`), then write the targets back.
        let mut targets: Vec<Str> = Vec::new();
        {
            let a = &model.accounts[ai];
            let mut add = |atts: &[Attachment], b: &Option<Boundary>| {
                targets.extend(atts.iter().map(|x| x.arn.clone()));
                targets.extend(b.iter().map(|x| x.arn.clone()));
            };
            for u in &a.users {
                add(&u.attached, &u.boundary);
            }
            for g in &a.groups {
                add(&g.attached, &None);
            }
            for r in &a.roles {
                add(&r.attached, &r.boundary);
            }
        }
        let resolved: Vec<PolicyRef> = targets.iter().map(|arn| resolve(arn, model, ctx)).collect();
        let mut it = resolved.into_iter();
        let a = &mut model.accounts[ai];
        let mut set = |atts: &mut [Attachment], b: &mut Option<Boundary>| {
            for x in atts.iter_mut() {
                x.target = it.next().unwrap_or(PolicyRef::Missing);
            }
            if let Some(b) = b {
                b.target = it.next().unwrap_or(PolicyRef::Missing);
            }
        };
        for u in &mut a.users {
            set(&mut u.attached, &mut u.boundary);
        }
        for g in &mut a.groups {
            set(&mut g.attached, &mut None);
        }
        for r in &mut a.roles {
            set(&mut r.attached, &mut r.boundary);
        }
        let file = a
            .source
            .map(|s| model.source(s).name.clone())
            .unwrap_or_default();
        let mut missing: Vec<(Str, usize)> = missing.into_iter().collect();
        missing.sort();
        for (arn, n) in missing {
            model.warnings.push(LoadWarning::new(WarningKind::Dangling, file.clone(), String::new(), format!(
                    "policy `{arn}` is attached {n} time{} but is neither in the export nor a known AWS-managed \
                     policy: what it grants is unknown",
                    if n == 1 { "" } else { "s" }
                )));
        }
        let a = &model.accounts[ai];
        let groups: rustc_hash::FxHashSet<&str> = a.groups.iter().map(|g| &*g.name).collect();
        let mut dangling_groups = Vec::new();
        for u in &a.users {
            for g in &u.groups {
                if !groups.contains(&**g) {
                    dangling_groups.push(format!(
                        "user `{}` is in group `{g}`, which is not in the export: that group's policies are unknown",
                        u.name
                    ));
                }
            }
        }
        for message in dangling_groups {
            model.warnings.push(LoadWarning {
                kind: WarningKind::Dangling,
                file: file.clone(),
                location: String::new(),
                message,
                entity: None,
                at: None,
            });
        }
    }
    model.reindex();
    super::identity_center::link(model);
    // Attach entities to warnings that name them.
    for w in &mut model.warnings {
        if w.entity.is_none()
            && let Some(arn) = w.message.split('`').nth(1)
        {
            w.entity = model.by_arn.get(arn).copied();
        }
    }
}

#[cfg(test)]
mod detect_tests {
    use super::is_workspace;

    #[test]
    fn a_workspace_is_known_by_its_format_key() {
        assert!(is_workspace(
            r#"{"format": "iam-atlas-workspace/1", "accounts": []}"#
        ));
        assert!(is_workspace(
            "\u{feff}{\n  \"name\": \"x\",\n  \"format\":\"iam-atlas-workspace/1\"}"
        ));
        // An export whose tag mentions the text is an export.
        assert!(!is_workspace(
            r#"{"UserDetailList": [{"Tags": [{"Key": "format", "Value": "iam-atlas-workspace/1"}]}]}"#
        ));
        assert!(!is_workspace(
            r#"{"Note": "iam-atlas-workspace/1", "format": "other"}"#
        ));
        assert!(!is_workspace(
            r#"{"a": {"format": "iam-atlas-workspace/1"}}"#
        ));
        assert!(!is_workspace(""));
        assert!(!is_workspace("\"unterminated"));
        // A workspace of a thousand accounts names its format after them (serde writes keys in order).
        let long = format!(
            r#"{{"accounts": [{}], "format": "iam-atlas-workspace/1"}}"#,
            vec![r#"{"id": "111122223333"}"#; 10_000].join(",")
        );
        assert!(long.len() > 64 * 1024);
        assert!(is_workspace(&long));
        // An export stops the scan at its first key, whatever follows.
        assert!(!is_workspace(&format!(
            r#"{{"UserDetailList": [], "x": [{}], "format": "iam-atlas-workspace/1"}}"#,
            vec!["1"; 100_000].join(",")
        )));
    }
}
