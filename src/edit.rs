//! Editing policy text: format and minify, applying a diagnostic's fix, templates, draft autosave, and the
//! what-if replacement of a model's document (with revert).
//!
//! Nothing here draws: the editor view in `app` calls these and shows their results.

use crate::account::{DocRole, DocumentRef, EntityKind, EntityRef, Model, PolicyDoc};
use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::json::{self, Doc, Kind, NONE, NodeId};
use crate::text::Span;
use crate::validate::{IdentityKind, PolicyKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------------------
// Format and minify

/// Why a text cannot be formatted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot format: {message} at byte {}", span.start)]
pub struct FormatError {
    /// Where the first syntax error is.
    pub span: Span,
    /// What it is.
    pub message: String,
}

fn check_syntax(text: &str) -> Result<json::Parsed, FormatError> {
    let parsed = json::parse(text);
    if let Some(e) = parsed.errors.first() {
        return Err(FormatError {
            span: e.span,
            message: e.message.clone(),
        });
    }
    if parsed.root == NONE {
        return Err(FormatError {
            span: Span::new(0, text.len()),
            message: "no JSON value".into(),
        });
    }
    Ok(parsed)
}

/// Pretty-print JSON `text` with 4-space indentation. Keys keep their order and every string and number is
/// copied verbatim (escapes included), so only whitespace changes. Fails on a syntax error.
pub fn format(text: &str) -> Result<String, FormatError> {
    let parsed = check_syntax(text)?;
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    write_node(text, &parsed.doc, parsed.root, Some(0), &mut out);
    out.push('\n');
    Ok(out)
}

/// `text` with every insignificant space removed. Fails on a syntax error.
pub fn minify(text: &str) -> Result<String, FormatError> {
    let parsed = check_syntax(text)?;
    let mut out = String::with_capacity(text.len());
    write_node(text, &parsed.doc, parsed.root, None, &mut out);
    Ok(out)
}

fn indent(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("    ");
    }
}

/// Write node `id`; `level` is the indentation depth when pretty-printing, `None` when minifying.
fn write_node(src: &str, doc: &Doc, id: NodeId, level: Option<usize>, out: &mut String) {
    let node = doc.node(id);
    match node.kind {
        Kind::Object | Kind::Array => {
            let (open, close) = if node.kind == Kind::Object {
                ('{', '}')
            } else {
                ('[', ']')
            };
            out.push(open);
            let inner = level.map(|l| l + 1);
            let mut any = false;
            for (i, child) in doc.children(id).enumerate() {
                any = true;
                if i > 0 {
                    out.push(',');
                }
                if let Some(l) = inner {
                    indent(out, l);
                }
                if node.kind == Kind::Object {
                    out.push_str(crate::text::at(src, doc.span(child)));
                    out.push(':');
                    if level.is_some() {
                        out.push(' ');
                    }
                    let value = doc.node(child).first;
                    if value != NONE {
                        write_node(src, doc, value, inner, out);
                    }
                } else {
                    write_node(src, doc, child, inner, out);
                }
            }
            if any && let Some(l) = level {
                indent(out, l);
            }
            out.push(close);
        }
        _ => out.push_str(src.get(node.span.range()).unwrap_or("")),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Fixes

/// Why an edit cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the edit at {}..{} does not fit the text (the text changed since it was checked)", span.start, span.end)]
pub struct EditError {
    /// The edit's range.
    pub span: Span,
}

/// `text` with `edit` applied. Fails when the range is outside the text or not on character boundaries
/// (a fix computed for an older text).
pub fn apply_edit(text: &str, edit: &Edit) -> Result<String, EditError> {
    let r = edit.span.range();
    if r.end > text.len() || !text.is_char_boundary(r.start) || !text.is_char_boundary(r.end) {
        return Err(EditError { span: edit.span });
    }
    let (Some(head), Some(tail)) = (text.get(..r.start), text.get(r.end..)) else {
        return Err(EditError { span: edit.span });
    };
    let mut out = String::with_capacity(text.len() + edit.text.len());
    out.push_str(head);
    out.push_str(&edit.text);
    out.push_str(tail);
    Ok(out)
}

/// `text` with the fix of `diagnostic` applied; `None` when it has none or it no longer fits.
pub fn apply_fix(text: &str, diagnostic: &Diagnostic) -> Option<String> {
    apply_edit(text, diagnostic.fix.as_ref()?).ok()
}

// ---------------------------------------------------------------------------------------------------------
// Typing helpers: auto-indent and bracket matching

/// One level of indentation (what [`format`] writes).
pub const INDENT: &str = "    ";

/// `text` after pressing Enter with the cursor at byte `cursor_byte`, and the new cursor (a byte offset).
///
/// The new line gets the current line's indentation, one [`INDENT`] more when the text before the cursor on
/// that line ends with `{` or `[`. Between a bracket pair (`{|}`, `[|]`, spaces allowed in between) the closing
/// bracket moves to a line of its own at the outer indentation and the cursor goes on the indented line
/// between. An offset past the end or inside a character is clamped to the nearest boundary before it.
pub fn auto_indent(text: &str, cursor_byte: usize) -> (String, usize) {
    let cursor = crate::text::floor_char_boundary(text, cursor_byte.min(text.len()));
    let (head, after) = text.split_at_checked(cursor).unwrap_or((text, ""));
    let before = head.rsplit('\n').next().unwrap_or(head);
    let rest_of_line = before.trim_start_matches([' ', '\t']);
    let indent = before.strip_suffix(rest_of_line).unwrap_or_default();
    let opener = before.trim_end_matches([' ', '\t']).chars().next_back();
    let deeper = matches!(opener, Some('{' | '['));
    let rest = after.trim_start_matches([' ', '\t']);
    let closes = match opener {
        Some('{') => rest.starts_with('}'),
        Some('[') => rest.starts_with(']'),
        _ => false,
    };
    let mut out = String::with_capacity(text.len() + 2 * indent.len() + INDENT.len() + 2);
    out.push_str(head);
    out.push('\n');
    out.push_str(indent);
    if deeper {
        out.push_str(INDENT);
    }
    let new_cursor = out.len();
    if closes {
        // The spaces between the cursor and the closing bracket go: the bracket starts its own line.
        out.push('\n');
        out.push_str(indent);
        out.push_str(rest);
    } else {
        out.push_str(after);
    }
    (out, new_cursor)
}

/// The byte offsets of the bracket next to the cursor at byte `byte` and of its match, as (opening, closing).
///
/// The bracket right after the cursor is tried first, then the one right before it. Only `{ } [ ]` outside
/// JSON strings count (escapes inside strings are understood); a bracket without a match, or closed by the
/// other kind, gives `None`.
pub fn matching_bracket(text: &str, byte: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut candidates = Vec::with_capacity(2);
    if byte < bytes.len() {
        candidates.push(byte);
    }
    if byte >= 1 && byte <= bytes.len() {
        candidates.push(byte - 1);
    }
    candidates
        .into_iter()
        .filter(|&p| matches!(bytes[p], b'{' | b'}' | b'[' | b']'))
        .find_map(|p| match_at(bytes, p))
}

/// The pair that the bracket at `pos` belongs to, scanning the whole text (brackets are ASCII, so bytes are
/// safe to scan in UTF-8). `None` when `pos` is inside a string or unmatched.
fn match_at(bytes: &[u8], pos: usize) -> Option<(usize, usize)> {
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => stack.push((b, i)),
            b'}' | b']' => {
                let want = if b == b'}' { b'{' } else { b'[' };
                match stack.pop() {
                    Some((o, at)) if o == want && (at == pos || i == pos) => return Some((at, i)),
                    Some((_, at)) if at == pos || i == pos => return None,
                    None if i == pos => return None,
                    _ => {}
                }
            }
            _ => {}
        }
        if i > pos && stack.iter().all(|&(_, at)| at != pos) {
            // The bracket at `pos` was consumed without a pair, or `pos` was inside a string.
            return None;
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------------------
// Templates

/// A starting point for a new document.
#[derive(Clone, Copy, Debug)]
pub struct Template {
    /// Shown in the menu.
    pub name: &'static str,
    /// What it does, one line.
    pub description: &'static str,
    /// What kind of document it is.
    pub kind: PolicyKind,
    /// The document.
    pub text: &'static str,
}

/// The templates, in menu order.
pub fn templates() -> &'static [Template] {
    TEMPLATES
}

const TEMPLATES: &[Template] = &[
    Template {
        name: "Read-only bucket access",
        description: "list one bucket and read its objects",
        kind: PolicyKind::Identity(IdentityKind::Managed),
        text: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ListBucket",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::example-bucket"
        },
        {
            "Sid": "ReadObjects",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::example-bucket/*"
        }
    ]
}
"#,
    },
    Template {
        name: "MFA-required role trust",
        description: "users of one account may assume the role only when signed in with MFA",
        kind: PolicyKind::Trust,
        text: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AssumeWithMfa",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::111122223333:root"
            },
            "Action": "sts:AssumeRole",
            "Condition": {
                "Bool": {
                    "aws:MultiFactorAuthPresent": "true"
                }
            }
        }
    ]
}
"#,
    },
    Template {
        name: "Time-limited access",
        description: "read a bucket until a date",
        kind: PolicyKind::Identity(IdentityKind::Managed),
        text: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadUntilEndOfYear",
            "Effect": "Allow",
            "Action": [
                "s3:GetObject",
                "s3:ListBucket"
            ],
            "Resource": [
                "arn:aws:s3:::example-bucket",
                "arn:aws:s3:::example-bucket/*"
            ],
            "Condition": {
                "DateLessThan": {
                    "aws:CurrentTime": "2030-01-01T00:00:00Z"
                }
            }
        }
    ]
}
"#,
    },
    Template {
        name: "Region restriction",
        description: "deny everything outside two regions, except global services",
        kind: PolicyKind::Scp,
        text: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyOutsideEuRegions",
            "Effect": "Deny",
            "NotAction": [
                "iam:*",
                "organizations:*",
                "sts:*",
                "support:*"
            ],
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {
                    "aws:RequestedRegion": [
                        "eu-west-1",
                        "eu-central-1"
                    ]
                }
            }
        }
    ]
}
"#,
    },
    Template {
        name: "Tag-based access",
        description: "start and stop instances whose project tag matches the caller's",
        kind: PolicyKind::Identity(IdentityKind::Managed),
        text: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "SameProjectOnly",
            "Effect": "Allow",
            "Action": [
                "ec2:StartInstances",
                "ec2:StopInstances"
            ],
            "Resource": "arn:aws:ec2:*:*:instance/*",
            "Condition": {
                "StringEquals": {
                    "aws:ResourceTag/project": "${aws:PrincipalTag/project}"
                }
            }
        }
    ]
}
"#,
    },
];

// ---------------------------------------------------------------------------------------------------------
// Drafts

/// A saved draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftInfo {
    /// The id it was saved under.
    pub id: String,
    /// When it was last saved.
    pub modified: std::time::SystemTime,
}

/// Drafts of the editor, one file per id in a directory of their own (the platform's data directory). Saves
/// are atomic (a temporary file renamed over the old one), so a crash leaves the previous draft intact. It
/// never reads or writes anything outside its directory.
///
/// A draft's file is named by a short hash of its id (16 hex digits: a long id never overflows a file name's
/// 255 bytes) and starts with a header line that holds the id itself (`iam-atlas-draft/1 "<id>"`), which is
/// what [`DraftStore::list`] reports. Files of the earlier layout (the id's bytes in hex as the name, no header)
/// are still listed, read and removed.
#[derive(Clone, Debug)]
pub struct DraftStore {
    dir: PathBuf,
}

const DRAFT_EXT: &str = "draft";

fn hex(id: &str) -> String {
    id.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The header of a draft file: this tag, a space, the id as a JSON string, a newline.
const DRAFT_HEADER: &str = "iam-atlas-draft/1 ";

/// FNV-1a (64 bits): stable across Rust versions and platforms, unlike the standard library's hasher, so a
/// draft saved by one build is found by the next.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The id in a draft file's header, and the text after it.
fn split_draft(content: &str) -> Option<(String, &str)> {
    let rest = content.strip_prefix(DRAFT_HEADER)?;
    let (line, text) = rest.split_once('\n')?;
    Some((serde_json::from_str(line).ok()?, text))
}

fn unhex(name: &str) -> Option<String> {
    if !name.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..name.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(name.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

impl DraftStore {
    /// A store in `dir` (created on the first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        DraftStore { dir: dir.into() }
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{:016x}.{DRAFT_EXT}", fnv1a(id)))
    }

    /// The earlier layout's file of `id` (its bytes in hex), when such a name can exist.
    fn legacy_path(&self, id: &str) -> Option<PathBuf> {
        (id.len() * 2 + DRAFT_EXT.len() < 255)
            .then(|| self.dir.join(format!("{}.{DRAFT_EXT}", hex(id))))
    }

    /// Save `text` as draft `id`, replacing the previous one atomically.
    pub fn save(&self, id: &str, text: &str) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path(id);
        let header = serde_json::to_string(id).unwrap_or_default();
        let mut content = String::with_capacity(DRAFT_HEADER.len() + header.len() + 1 + text.len());
        content.push_str(DRAFT_HEADER);
        content.push_str(&header);
        content.push('\n');
        content.push_str(text);
        crate::files::write_atomic(&path, content.as_bytes())?;
        // A draft of the earlier layout under the same id is replaced by this one.
        if let Some(old) = self.legacy_path(id) {
            let _ = std::fs::remove_file(old);
        }
        Ok(())
    }

    /// Every draft, newest first (an empty list when the directory does not exist).
    pub fn list(&self) -> std::io::Result<Vec<DraftInfo>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some(DRAFT_EXT) {
                continue;
            }
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            // The id from the header (only the first line is read); an earlier layout's name is the id in hex.
            let id = match read_header(&path) {
                Some(id) => id,
                None => match unhex(stem) {
                    Some(id) => id,
                    None => continue,
                },
            };
            let modified = entry
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            out.push(DraftInfo { id, modified });
        }
        out.sort_by(|a, b| b.modified.cmp(&a.modified).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// The text of draft `id`.
    pub fn load(&self, id: &str) -> std::io::Result<String> {
        match std::fs::read_to_string(self.path(id)) {
            Ok(content) => match split_draft(&content) {
                Some((found, text)) if found == id => Ok(text.to_string()),
                // Another id with the same hash (or a damaged header): not this draft.
                _ => Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no draft of this document",
                )),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match self.legacy_path(id) {
                Some(old) => std::fs::read_to_string(old),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// Delete draft `id` (no error when it does not exist).
    pub fn remove(&self, id: &str) -> std::io::Result<()> {
        let ours = self
            .load(id)
            .is_ok()
            .then(|| self.path(id))
            .into_iter()
            .chain(self.legacy_path(id));
        for path in ours {
            match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }
}

/// The id in the header of the draft file at `path`, reading its first line only (at most 64 KiB).
fn read_header(path: &Path) -> Option<String> {
    use std::io::{BufRead, Read};
    let f = std::fs::File::open(path).ok()?;
    let mut line = String::new();
    std::io::BufReader::new(f.take(64 * 1024))
        .read_line(&mut line)
        .ok()?;
    line.push('\n');
    split_draft(&line).map(|(id, _)| id)
}

// ---------------------------------------------------------------------------------------------------------
// What-if

pub use crate::account::what_if::{DocTarget, WhatIf};

impl DocTarget {
    /// The target of a document listed by [`Model::documents`]; `None` for documents evaluation does not
    /// read (a managed policy's non-default versions).
    pub fn of(model: &Model, d: &DocumentRef<'_>) -> Option<DocTarget> {
        let owner = d.owner?;
        Some(match d.role {
            DocRole::UserInline | DocRole::GroupInline | DocRole::RoleInline => {
                let a = model.accounts.get(owner.account as usize)?;
                let i = owner.index as usize;
                let list = match owner.kind {
                    EntityKind::User => &a.users.get(i)?.inline,
                    EntityKind::Group => &a.groups.get(i)?.inline,
                    EntityKind::Role => &a.roles.get(i)?.inline,
                    _ => return None,
                };
                let p = list.iter().find(|p| std::ptr::eq(&p.doc, d.doc))?;
                DocTarget::Inline {
                    owner,
                    name: p.name.to_string(),
                }
            }
            DocRole::Managed => {
                let p = model
                    .accounts
                    .get(owner.account as usize)?
                    .policies
                    .get(owner.index as usize)?;
                if !std::ptr::eq(p.default_doc()?, d.doc) {
                    return None;
                }
                DocTarget::Managed(owner)
            }
            DocRole::Trust => DocTarget::Trust(owner),
            DocRole::Resource => DocTarget::Resource(owner),
            DocRole::Scp | DocRole::Rcp => DocTarget::Org(owner.index),
        })
    }

    /// The document it names in `model`, when it exists.
    pub fn find<'m>(&self, model: &'m Model) -> Option<&'m PolicyDoc> {
        let acc = |r: &EntityRef| model.accounts.get(r.account as usize);
        match self {
            DocTarget::Inline { owner, name } => {
                let a = acc(owner)?;
                let i = owner.index as usize;
                let list = match owner.kind {
                    EntityKind::User => &a.users.get(i)?.inline,
                    EntityKind::Group => &a.groups.get(i)?.inline,
                    EntityKind::Role => &a.roles.get(i)?.inline,
                    _ => return None,
                };
                list.iter().find(|p| &*p.name == name).map(|p| &p.doc)
            }
            DocTarget::Managed(r) => acc(r)?.policies.get(r.index as usize)?.default_doc(),
            DocTarget::Trust(r) => acc(r)?.roles.get(r.index as usize)?.trust.as_ref(),
            DocTarget::Resource(r) => acc(r)?
                .resource_policies
                .get(r.index as usize)
                .map(|p| &p.doc),
            DocTarget::Org(i) => model.org_policies.get(*i as usize).map(|p| &p.doc),
        }
    }

    fn find_mut<'m>(&self, model: &'m mut Model) -> Option<&'m mut PolicyDoc> {
        match self {
            DocTarget::Inline { owner, name } => {
                let a = model.accounts.get_mut(owner.account as usize)?;
                let i = owner.index as usize;
                let list = match owner.kind {
                    EntityKind::User => &mut a.users.get_mut(i)?.inline,
                    EntityKind::Group => &mut a.groups.get_mut(i)?.inline,
                    EntityKind::Role => &mut a.roles.get_mut(i)?.inline,
                    _ => return None,
                };
                list.iter_mut()
                    .find(|p| &*p.name == name)
                    .map(|p| &mut p.doc)
            }
            DocTarget::Managed(r) => {
                let p = model
                    .accounts
                    .get_mut(r.account as usize)?
                    .policies
                    .get_mut(r.index as usize)?;
                let default = p.default_version.clone();
                let i = p.versions.iter().position(|v| v.is_default).or_else(|| {
                    p.versions
                        .iter()
                        .position(|v| Some(&v.id) == default.as_ref())
                })?;
                p.versions[i].doc.as_mut()
            }
            DocTarget::Trust(r) => model
                .accounts
                .get_mut(r.account as usize)?
                .roles
                .get_mut(r.index as usize)?
                .trust
                .as_mut(),
            DocTarget::Resource(r) => model
                .accounts
                .get_mut(r.account as usize)?
                .resource_policies
                .get_mut(r.index as usize)
                .map(|p| &mut p.doc),
            DocTarget::Org(i) => model.org_policies.get_mut(*i as usize).map(|p| &mut p.doc),
        }
    }

    /// What kind of document it is (for validation).
    pub fn kind(&self, model: &Model) -> PolicyKind {
        match self {
            DocTarget::Inline { owner, .. } => PolicyKind::Identity(match owner.kind {
                EntityKind::User => IdentityKind::UserInline,
                EntityKind::Group => IdentityKind::GroupInline,
                _ => IdentityKind::RoleInline,
            }),
            DocTarget::Managed(r) => {
                let aws = model
                    .accounts
                    .get(r.account as usize)
                    .and_then(|a| a.policies.get(r.index as usize))
                    .is_some_and(|p| p.aws_managed);
                PolicyKind::Identity(if aws {
                    IdentityKind::AwsManaged
                } else {
                    IdentityKind::Managed
                })
            }
            DocTarget::Trust(_) => PolicyKind::Trust,
            DocTarget::Resource(r) => model
                .accounts
                .get(r.account as usize)
                .and_then(|a| a.resource_policies.get(r.index as usize))
                .map(|p| PolicyKind::resource_of(&p.service))
                .unwrap_or(PolicyKind::Resource { service: None }),
            DocTarget::Org(i) => match model.org_policies.get(*i as usize).map(|p| p.kind) {
                Some(crate::account::OrgPolicyKind::Rcp) => PolicyKind::Rcp,
                _ => PolicyKind::Scp,
            },
        }
    }

    /// A name for people: `user alice inline policy s3-read`.
    pub fn label(&self, model: &Model) -> String {
        let name = |r: &EntityRef| model.describe(*r).0;
        match self {
            DocTarget::Inline { owner, name: n } => {
                let kind = match owner.kind {
                    EntityKind::User => "user",
                    EntityKind::Group => "group",
                    _ => "role",
                };
                format!("{kind} {} inline policy {n}", name(owner))
            }
            DocTarget::Managed(r) => format!("managed policy {}", name(r)),
            DocTarget::Trust(r) => format!("role {} trust policy", name(r)),
            DocTarget::Resource(r) => format!("resource policy of {}", name(r)),
            DocTarget::Org(i) => match model.org_policies.get(*i as usize) {
                Some(p) => format!("{:?} {}", p.kind, p.name).to_uppercase_first(),
                None => "organisation policy".into(),
            },
        }
    }
}

trait UpperFirst {
    fn to_uppercase_first(self) -> String;
}

impl UpperFirst for String {
    fn to_uppercase_first(self) -> String {
        // `Scp name` → `SCP name`
        match self.split_once(' ') {
            Some((k, rest)) => format!("{} {rest}", k.to_uppercase()),
            None => self,
        }
    }
}

impl Model {
    /// Put `text` in place of the document `target` names, as a what-if: the text becomes a new source, the
    /// loaded document is kept for [`Model::revert_document`]. Fails, changing nothing, when the text is not
    /// a JSON object (the syntax diagnostics are returned) or the target does not exist.
    pub fn replace_document(
        &mut self,
        target: &DocTarget,
        text: &str,
    ) -> Result<(), Vec<Diagnostic>> {
        let label = target.label(self);
        if target.find(self).is_none() {
            return Err(vec![Diagnostic::new(
                "WHAT_IF_TARGET",
                Severity::Error,
                Span::new(0, 0),
                "",
                format!("the model has no {label}"),
            )]);
        }
        let parsed = json::parse(text);
        let mut errors: Vec<Diagnostic> = crate::policy::syntax_diagnostics(&parsed.errors);
        if errors.is_empty()
            && (parsed.root == NONE || parsed.doc.kind(parsed.root) != Kind::Object)
        {
            errors.push(Diagnostic::new(
                "POLICY_NOT_OBJECT",
                Severity::Error,
                Span::new(0, text.len()),
                "",
                "a policy document must be a JSON object",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut interner = crate::policy::Interner::default();
        let mut problems = Vec::new();
        let policy =
            crate::policy::parse_node(text, &parsed.doc, parsed.root, &mut interner, &mut problems);
        let source = self.add_source(format!("what-if: {label}"), Arc::new(text.to_string()));
        let new = PolicyDoc {
            source,
            policy,
            encoded: false,
            problems,
        };
        let Some(slot) = target.find_mut(self) else {
            return Err(Vec::new());
        };
        let old = std::mem::replace(slot, new);
        self.touch();
        if !self.what_if.iter().any(|w| &w.target == target) {
            self.what_if.push(WhatIf {
                target: target.clone(),
                original: old,
            });
        }
        Ok(())
    }

    /// Put back the document `target` had when loaded. Returns false when it was not replaced.
    pub fn revert_document(&mut self, target: &DocTarget) -> bool {
        let Some(i) = self.what_if.iter().position(|w| &w.target == target) else {
            return false;
        };
        let w = self.what_if.remove(i);
        self.touch();
        match target.find_mut(self) {
            Some(slot) => {
                *slot = w.original;
                true
            }
            None => false,
        }
    }

    /// Put back every replaced document.
    pub fn revert_all(&mut self) {
        for t in self
            .what_if
            .iter()
            .map(|w| w.target.clone())
            .collect::<Vec<_>>()
        {
            self.revert_document(&t);
        }
    }

    /// True when `target` holds a what-if document.
    pub fn is_modified(&self, target: &DocTarget) -> bool {
        self.what_if.iter().any(|w| &w.target == target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::LoadOptions;
    use crate::eval::{Overrides, Principal, Request, evaluate};

    fn fixtures() -> Vec<String> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/policies/aws-accepts.json"
        );
        let text = std::fs::read_to_string(path).expect("fixture");
        let v: Vec<serde_json::Value> = serde_json::from_str(&text).expect("array");
        v.iter()
            .map(|p| serde_json::to_string(p).expect("json"))
            .collect()
    }

    #[test]
    fn format_round_trips_fixture_policies() {
        let all = fixtures();
        assert!(all.len() > 10);
        for p in all {
            let pretty = format(&p).expect("formats");
            let a: serde_json::Value = serde_json::from_str(&p).expect("json");
            let b: serde_json::Value = serde_json::from_str(&pretty).expect("formatted json");
            assert_eq!(a, b, "{pretty}");
            assert_eq!(format(&pretty).expect("again"), pretty, "idempotent");
            let small = minify(&pretty).expect("minifies");
            assert_eq!(format(&small).expect("from minified"), pretty);
            assert!(!small.contains('\n'));
        }
    }

    #[test]
    fn format_keeps_key_order_and_escapes_and_indents_by_four() {
        let text = r#"{"b":1,"a":["x\u0041",{}],"c":[]}"#;
        let pretty = format(text).expect("formats");
        assert_eq!(
            pretty,
            "{\n    \"b\": 1,\n    \"a\": [\n        \"x\\u0041\",\n        {}\n    ],\n    \"c\": []\n}\n"
        );
        assert_eq!(minify(&pretty).expect("minify"), text);
        let err = format("{\"a\": }").expect_err("syntax error");
        assert!(err.span.start >= 5, "{err}");
    }

    #[test]
    fn fixes_remove_their_diagnostic() {
        let text = r#"{
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]
}"#;
        let kind = PolicyKind::Identity(IdentityKind::Managed);
        let diags = crate::validate::validate(text, kind);
        let fixable: Vec<&Diagnostic> = diags.iter().filter(|d| d.fix.is_some()).collect();
        assert!(!fixable.is_empty(), "{diags:?}");
        for d in fixable {
            let fixed = apply_fix(text, d).expect("applies");
            let after = crate::validate::validate(&fixed, kind);
            assert!(
                !after.iter().any(|a| a.code == d.code && a.path == d.path),
                "{} still reported after its fix: {fixed}",
                d.code
            );
        }
        let stale = Edit {
            span: Span::new(0, text.len() + 5),
            text: String::new(),
        };
        assert!(apply_edit(text, &stale).is_err());
    }

    #[test]
    fn templates_validate_without_errors() {
        for t in templates() {
            let diags = crate::validate::validate(t.text, t.kind);
            let bad: Vec<_> = diags
                .iter()
                .filter(|d| d.severity <= Severity::Warning)
                .collect();
            assert!(bad.is_empty(), "{}: {bad:#?}", t.name);
            assert_eq!(format(t.text).expect("formats"), t.text, "{}", t.name);
        }
    }

    #[test]
    fn drafts_save_list_load_remove() {
        let dir = std::env::temp_dir().join(format!("iam-atlas-drafts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = DraftStore::new(&dir);
        assert!(store.list().expect("empty").is_empty());
        store.save("user alice/inline: a", "one").expect("save");
        store.save("template", "two").expect("save");
        store.save("template", "three").expect("overwrite");
        let ids: Vec<String> = store
            .list()
            .expect("list")
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&"user alice/inline: a".to_string()));
        assert_eq!(store.load("template").expect("load"), "three");
        store.remove("template").expect("remove");
        store.remove("template").expect("remove twice");
        assert_eq!(store.list().expect("list").len(), 1);
        let names: Vec<_> = std::fs::read_dir(&dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary files left: {names:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A draft's file is named by a short hash, whatever the id's length (the hex of a 200-character title
    /// overflowed a file name's 255 bytes); ids that differ only by account stay apart; the earlier layout's
    /// drafts are still listed, read and removed; a text that starts with a newline or looks like a header
    /// comes back as written.
    #[test]
    fn drafts_are_keyed_by_a_short_hash_and_keep_their_id() {
        let dir =
            std::env::temp_dir().join(format!("iam-atlas-drafts-hash-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = DraftStore::new(&dir);
        let long = format!("111122223333: role {} trust policy", "r".repeat(300));
        store.save(&long, "long").expect("a long id saves");
        store
            .save("111122223333: role admin trust policy", "first account")
            .expect("save");
        store
            .save(
                "444455556666: role admin trust policy",
                "\niam-atlas-draft/1 \"x\"\nsecond",
            )
            .expect("save");
        for e in std::fs::read_dir(&dir).expect("dir") {
            let name = e.expect("entry").file_name();
            assert_eq!(name.len(), 16 + 1 + DRAFT_EXT.len(), "{name:?}");
        }
        assert_eq!(store.load(&long).expect("load"), "long");
        assert_eq!(
            store
                .load("444455556666: role admin trust policy")
                .expect("load"),
            "\niam-atlas-draft/1 \"x\"\nsecond"
        );
        assert_eq!(
            store
                .load("111122223333: role admin trust policy")
                .expect("load"),
            "first account"
        );
        assert!(store.load("another").is_err());
        // A draft of the earlier layout: the id's bytes in hex, no header.
        std::fs::write(
            dir.join(format!("{}.{DRAFT_EXT}", hex("old title"))),
            "old text",
        )
        .expect("write");
        let mut ids: Vec<String> = store
            .list()
            .expect("list")
            .into_iter()
            .map(|d| d.id)
            .collect();
        ids.sort();
        assert_eq!(ids.len(), 4, "{ids:?}");
        assert!(ids.contains(&long) && ids.contains(&"old title".to_string()));
        assert_eq!(store.load("old title").expect("legacy"), "old text");
        store.remove("old title").expect("remove");
        store.remove(&long).expect("remove");
        assert_eq!(store.list().expect("list").len(), 2);
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn sample() -> Model {
        crate::sample::load_sample(LoadOptions::default()).expect("sample")
    }

    /// Teaching case 26: ci-deploy's inline `LegacyPipelineDeploy` allows `iam:CreatePolicyVersion`.
    fn allowed_inline(model: &Model) -> (DocTarget, Request) {
        let arn = "arn:aws:iam::412345678901:user/service/ci-deploy";
        let owner = model.by_arn(arn).expect("ci-deploy");
        let mut context = crate::eval::Context::new();
        context.set("aws:RequestedRegion", vec!["us-east-1".into()]);
        let req = Request {
            principal: Principal::resolve(arn, model).expect("principal"),
            action: "iam:CreatePolicyVersion".into(),
            resource: "arn:aws:iam::412345678901:policy/larkspur/LarkspurDeveloperAccess".into(),
            resource_account: None,
            context,
        };
        let target = DocTarget::Inline {
            owner,
            name: "LegacyPipelineDeploy".into(),
        };
        assert_eq!(
            evaluate(model, &req, &Overrides::default()).decision,
            crate::eval::Decision::Allow
        );
        (target, req)
    }

    #[test]
    fn replace_then_revert_restores_the_evaluation() {
        let mut model = sample();
        let (target, req) = allowed_inline(&model);
        let before =
            serde_json::to_string(&evaluate(&model, &req, &Overrides::default())).expect("json");
        let deny_all = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}"#;
        // Caches are keyed on the generation: every change and every clone moves it on.
        let loaded = model.generation();
        assert_ne!(model.clone().generation(), loaded);
        model.replace_document(&target, deny_all).expect("replaces");
        let replaced = model.generation();
        assert_ne!(replaced, loaded);
        assert!(model.is_modified(&target));
        assert_eq!(target.find(&model).expect("doc").text(&model), deny_all);
        let during = evaluate(&model, &req, &Overrides::default());
        assert_eq!(during.decision, crate::eval::Decision::ExplicitDeny);
        // A second replacement keeps the loaded original for revert.
        model
            .replace_document(&target, &deny_all.replace("Deny", "Allow"))
            .expect("replaces again");
        assert!(model.revert_document(&target));
        assert!(model.generation() > replaced);
        assert!(!model.is_modified(&target));
        let after =
            serde_json::to_string(&evaluate(&model, &req, &Overrides::default())).expect("json");
        assert_eq!(before, after);
        assert!(!model.revert_document(&target));
        // Invalid text changes nothing.
        let unchanged = model.generation();
        let errs = model
            .replace_document(&target, "{\"Version\": ")
            .expect_err("syntax error");
        assert_eq!(model.generation(), unchanged);
        assert!(errs.iter().all(|e| e.code == "JSON_SYNTAX_ERROR"));
        assert!(!model.is_modified(&target));
    }

    #[test]
    fn every_evaluated_document_has_a_target_that_finds_it() {
        let model = sample();
        let mut n = 0;
        for d in model.documents() {
            if let Some(t) = DocTarget::of(&model, &d) {
                let found = t.find(&model).expect("found");
                assert!(std::ptr::eq(found, d.doc), "{}", d.label);
                assert!(!t.label(&model).is_empty());
                n += 1;
            }
        }
        assert!(n > 10);
    }

    #[test]
    fn auto_indent_keeps_the_lines_indentation() {
        let text = "{\n    \"a\": 1,\n}";
        let at = text.find(',').map_or(0, |i| i + 1);
        let (out, c) = auto_indent(text, at);
        assert_eq!(out, "{\n    \"a\": 1,\n    \n}");
        assert_eq!(&out[..c], "{\n    \"a\": 1,\n    ");
        // At the start of a line: nothing to copy.
        assert_eq!(auto_indent("abc", 0), ("\nabc".to_string(), 1));
        // Inside the indentation: only the part before the cursor is copied.
        assert_eq!(
            auto_indent("        x", 4),
            ("    \n        x".to_string(), 9)
        );
        // Past the end or inside a character: clamped.
        assert_eq!(auto_indent("é", 1), ("\né".to_string(), 1));
        assert_eq!(auto_indent("  a", 99), ("  a\n  ".to_string(), 6));
    }

    #[test]
    fn auto_indent_goes_one_level_deeper_after_an_opening_bracket() {
        let (out, c) = auto_indent("    \"Action\": [", 15);
        assert_eq!(out, "    \"Action\": [\n        ");
        assert_eq!(c, out.len());
        // Spaces after the bracket do not matter.
        let (out, c) = auto_indent("{  ", 3);
        assert_eq!((out.as_str(), c), ("{  \n    ", 8));
        // A bracket that is not the last thing before the cursor does not count.
        let (out, _) = auto_indent("[1, 2", 5);
        assert_eq!(out, "[1, 2\n");
    }

    #[test]
    fn auto_indent_between_a_pair_puts_the_closing_bracket_on_its_own_line() {
        let (out, c) = auto_indent("{}", 1);
        assert_eq!(out, "{\n    \n}");
        assert_eq!(c, 6);
        let text = "    \"S\": [  ],";
        let at = text.find('[').map_or(0, |i| i + 1);
        let (out, c) = auto_indent(text, at);
        assert_eq!(out, "    \"S\": [\n        \n    ],");
        assert_eq!(&out[c..], "\n    ],");
        // A mismatched pair is not split.
        let (out, _) = auto_indent("{]", 1);
        assert_eq!(out, "{\n    ]");
    }

    #[test]
    fn matching_bracket_pairs_brackets_next_to_the_cursor() {
        let text = r#"{"a": [1, {"b": 2}]}"#;
        let last = text.len() - 1;
        // After the cursor first, then before it.
        assert_eq!(matching_bracket(text, 0), Some((0, last)));
        assert_eq!(matching_bracket(text, text.len()), Some((0, last)));
        assert_eq!(matching_bracket(text, 6), Some((6, last - 1)));
        assert_eq!(matching_bracket(text, 7), Some((6, last - 1)));
        assert_eq!(matching_bracket(text, last), Some((0, last)));
        let inner = text.find("{\"b").unwrap_or_default();
        assert_eq!(matching_bracket(text, inner), Some((inner, inner + 7)));
        // Not next to a bracket.
        assert_eq!(matching_bracket(text, 3), None);
        assert_eq!(matching_bracket("", 0), None);
        assert_eq!(matching_bracket("{", 99), None);
    }

    #[test]
    fn matching_bracket_ignores_strings_and_understands_escapes() {
        let text = r#"{"x": "}{\"]", "y": []}"#;
        let last = text.len() - 1;
        assert_eq!(matching_bracket(text, 0), Some((0, last)));
        assert_eq!(matching_bracket(text, last + 1), Some((0, last)));
        // A bracket inside a string has no pair.
        let in_string = text.find('}').unwrap_or_default();
        assert_eq!(matching_bracket(text, in_string), None);
        // An escaped backslash ends the escape: the quote after it closes the string.
        let t = r#"["a\\", [0]]"#;
        assert_eq!(matching_bracket(t, 0), Some((0, t.len() - 1)));
        assert_eq!(matching_bracket(t, 8), Some((8, 10)));
    }

    #[test]
    fn matching_bracket_refuses_unbalanced_and_mismatched_brackets() {
        assert_eq!(matching_bracket("{", 0), None);
        assert_eq!(matching_bracket("}", 0), None);
        assert_eq!(matching_bracket("[}", 0), None);
        assert_eq!(matching_bracket("[}", 1), None);
        assert_eq!(matching_bracket("{[}", 0), None);
        assert_eq!(matching_bracket("{ ] }", 0), None);
        // Non-ASCII text around brackets.
        let t = "{\"é\": [\"ü\"]}";
        assert_eq!(matching_bracket(t, 0), Some((0, t.len() - 1)));
    }
}
