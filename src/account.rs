//! The account model: accounts, their users, groups, roles, policies and the layers an export lacks
//! (organisation policies, resource policies, credential reports, password policies), with O(1) indexes by
//! ARN, id and name.

pub mod bundled;
pub mod export;
pub mod extras;
pub mod identity_center;
pub mod last_accessed;
pub mod parallel;
pub mod what_if;
pub mod workspace;

use crate::diagnostic::Diagnostic;
use crate::diagnostic::codes::Code;
use crate::policy::{Policy, Str};
use crate::text::{LineCol, LineIndex, Span};
use crate::time::Timestamp;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::sync::{Arc, OnceLock};

pub use export::load_export;
pub use workspace::{LoadOptions, load_paths};

/// Index of a source text in [`Model::sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct SourceId(pub u32);

/// A text the model was read from: a file, or the decoded text of a URL-encoded or string-embedded document.
#[derive(Clone, Debug)]
pub struct Source {
    /// What to call it in messages: a path, or `path (document at $.X)`.
    pub name: String,
    /// The text itself (never written back).
    body: Body,
    lines: OnceLock<LineIndex>,
}

/// A source's text: as read, or packed ([`crate::text::Packed`]).
#[derive(Clone, Debug)]
enum Body {
    Plain(crate::text::Text),
    Packed(Arc<crate::text::Packed>),
}

impl Source {
    /// A source named `name` with `text`.
    pub fn new(name: impl Into<String>, text: crate::text::Text) -> Self {
        Source {
            name: name.into(),
            body: Body::Plain(text),
            lines: OnceLock::new(),
        }
    }

    /// Keep the text packed (an organisation's exports: their texts would otherwise be most of what an open
    /// organisation holds). Its line index, when it is needed, is built from the packed blocks.
    pub fn pack(&mut self) {
        if let Body::Plain(text) = &self.body {
            self.body = Body::Packed(Arc::new(crate::text::Packed::new(text)));
        }
    }

    /// True when the text is kept packed.
    pub fn is_packed(&self) -> bool {
        matches!(self.body, Body::Packed(_))
    }

    /// Bytes of the text.
    pub fn len(&self) -> usize {
        match &self.body {
            Body::Plain(t) => t.len(),
            Body::Packed(p) => p.len(),
        }
    }

    /// True for an empty text.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the text takes in memory (its packed blocks when packed).
    pub fn kept_len(&self) -> usize {
        match &self.body {
            Body::Plain(t) => t.len(),
            Body::Packed(p) => p.packed_len(),
        }
    }

    /// The text of `range`, or `None` when it is not a range of character boundaries inside the text (as
    /// `str::get`).
    pub fn get(&self, range: std::ops::Range<usize>) -> Option<std::borrow::Cow<'_, str>> {
        match &self.body {
            Body::Plain(t) => t.get(range).map(std::borrow::Cow::Borrowed),
            Body::Packed(p) => p.get(range).map(std::borrow::Cow::Owned),
        }
    }

    /// The text of `span`: empty when the span is not a range of character boundaries inside the text (as
    /// [`crate::text::at`]).
    pub fn at(&self, span: Span) -> std::borrow::Cow<'_, str> {
        self.get(span.range()).unwrap_or_default()
    }

    /// The whole text (unpacked when packed: a copy).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match &self.body {
            Body::Plain(t) => std::borrow::Cow::Borrowed(t.as_str()),
            Body::Packed(p) => std::borrow::Cow::Owned(p.unpack()),
        }
    }

    /// The whole text, shared (unpacked into a new text when packed).
    pub fn shared_text(&self) -> crate::text::Text {
        match &self.body {
            Body::Plain(t) => t.clone(),
            Body::Packed(p) => Arc::new(p.unpack()),
        }
    }

    /// The bytes of `range`, clamped to the text.
    fn bytes(&self, range: std::ops::Range<usize>) -> std::borrow::Cow<'_, [u8]> {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        match &self.body {
            Body::Plain(t) => {
                std::borrow::Cow::Borrowed(t.as_bytes().get(start..end).unwrap_or_default())
            }
            Body::Packed(p) => std::borrow::Cow::Owned(p.bytes(start..end).unwrap_or_default()),
        }
    }

    /// The text of about `range` (clamped to the text), shrunk to the characters wholly inside it; and where
    /// that text starts.
    pub fn within(&self, range: std::ops::Range<usize>) -> (usize, String) {
        let bytes = self.bytes(range.clone());
        let lead = bytes
            .iter()
            .take(3)
            .take_while(|&&b| crate::text::is_continuation(b))
            .count();
        let start = range.start.min(self.len()) + lead;
        let rest = bytes.get(lead..).unwrap_or_default();
        let text = match std::str::from_utf8(rest) {
            Ok(t) => t.to_string(),
            // A character cut at the end: the part before it.
            Err(e) => String::from_utf8_lossy(rest.get(..e.valid_up_to()).unwrap_or_default())
                .into_owned(),
        };
        (start, text)
    }

    /// Line and column of a byte offset.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let len = self.len();
        self.line_index()
            .line_col_by(len, offset, |a, b| match &self.body {
                Body::Plain(t) => {
                    let bytes = t.as_bytes();
                    let head = bytes.get(a..b).unwrap_or_default();
                    crate::text::chars_before(head, bytes.get(b).copied())
                }
                Body::Packed(p) => {
                    // Counted a block's part at a time: a line of a one-line export is the whole text.
                    let mut n = 0;
                    p.for_each_piece(a..b, &mut |piece| {
                        n += crate::text::chars_before(piece, None)
                    });
                    let next = p.bytes(b..(b + 1).min(len)).unwrap_or_default();
                    // Inside a character: that character is not counted (as `chars_before` does).
                    if next
                        .first()
                        .is_some_and(|&c| crate::text::is_continuation(c))
                    {
                        n.saturating_sub(1)
                    } else {
                        n
                    }
                }
            })
    }

    /// The line index (built on first use).
    pub fn line_index(&self) -> &LineIndex {
        self.lines.get_or_init(|| match &self.body {
            Body::Plain(t) => LineIndex::new(t),
            Body::Packed(p) => {
                let mut b = crate::text::LineIndexBuilder::default();
                p.for_each_block(&mut |block| b.push(block));
                b.finish()
            }
        })
    }

    /// True when byte `i` starts a character or ends the text (as `str::is_char_boundary`).
    pub fn is_char_boundary(&self, i: usize) -> bool {
        i == self.len()
            || (i < self.len()
                && !self
                    .bytes(i..i + 1)
                    .first()
                    .is_some_and(|&b| crate::text::is_continuation(b)))
    }

    /// The characters of `span`, counting at most `max` + 1 of them (reading only as far); 0 when the span is
    /// not a range of character boundaries inside the text (as [`crate::text::at`] gives nothing then).
    pub fn chars_of(&self, span: Span, max: usize) -> usize {
        let (start, end) = (span.start as usize, span.end as usize);
        if start > end || !self.is_char_boundary(start) || !self.is_char_boundary(end) {
            return 0;
        }
        self.within(start..end.min(start + 4 * (max + 1)))
            .1
            .chars()
            .count()
    }

    /// The byte range of line `line` (1-based) without its line terminator.
    pub fn line_range(&self, line: u32) -> std::ops::Range<usize> {
        let std::ops::Range { start, mut end } =
            self.line_index().line_range_with_end(self.len(), line);
        let tail = self.bytes(end.saturating_sub(2).max(start)..end);
        end -= tail
            .iter()
            .rev()
            .take_while(|b| matches!(b, b'\n' | b'\r'))
            .count();
        start..end
    }

    /// What of line `line` (1-based, without its terminator) a window of `max` characters around byte `at`
    /// can show: the line's range, where the part read starts, and the part. Only that part is read (an export
    /// is often one line of megabytes, and a packed one would be unpacked whole): a third of `max` characters
    /// before `at` (at most four bytes each, and one more to tell whether the line was cut), the rest after.
    pub fn line_part(
        &self,
        line: u32,
        at: usize,
        max: usize,
    ) -> (std::ops::Range<usize>, usize, String) {
        let range = self.line_range(line);
        let at = at.clamp(range.start, range.end);
        let reach = 4 * (max + 2);
        let (from, text) =
            self.within(at.saturating_sub(reach).max(range.start)..(at + reach).min(range.end));
        (range, from, text)
    }

    /// Where `span` is, to show it: its line and column, at most `max` characters of its line around its start
    /// (an export is often one line of megabytes), and which characters of that excerpt are the span (start,
    /// count), to underline.
    pub fn excerpt(&self, span: Span, max: usize) -> Excerpt {
        let at = self.line_col(span.start);
        let (line, from, line_text) = self.line_part(at.line, span.start as usize, max);
        let start = (span.start as usize).clamp(line.start, line.end);
        let offset = start.saturating_sub(from);
        let (text, before) = crate::text::window(&line_text, offset, max);
        // Control characters shown as `?`, one for one, so the underline stays under its characters.
        let text: String = text
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        let shown = text.chars().count().saturating_sub(before);
        let len = self.chars_of(span, shown).clamp(1, shown.max(1));
        Excerpt {
            at,
            text,
            underline: (before, len.min(shown.max(1))),
        }
    }
}

/// A place in a source, ready to show ([`Source::excerpt`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excerpt {
    /// Line and column of the start.
    pub at: LineCol,
    /// The line around it, clipped with `…`.
    pub text: String,
    /// The characters of `text` that are the place: first, count.
    pub underline: (usize, usize),
}

/// A parsed policy document and where it came from.
#[derive(Clone, Debug)]
pub struct PolicyDoc {
    /// The text its spans point into.
    pub source: SourceId,
    /// The typed document.
    pub policy: Policy,
    /// It was stored URL-encoded (as the raw IAM API returns documents) or as a JSON string.
    pub encoded: bool,
    /// Shape problems found while reading it.
    pub problems: Vec<Diagnostic>,
}

impl PolicyDoc {
    /// The document's own text.
    pub fn text<'m>(&self, model: &'m Model) -> std::borrow::Cow<'m, str> {
        model.source(self.source).at(self.policy.span)
    }
}

/// A tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tag {
    /// `Key`.
    pub key: Str,
    /// `Value`.
    pub value: Str,
}

/// An inline policy (embedded in a user, group or role).
#[derive(Clone, Debug)]
pub struct InlinePolicy {
    /// `PolicyName`.
    pub name: Str,
    /// `PolicyDocument`.
    pub doc: PolicyDoc,
}

/// Where an attached managed policy was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PolicyRef {
    /// In the same account's export: index in [`Account::policies`].
    Local(u32),
    /// Not in the export; a well-known AWS-managed policy from the bundled set: index in [`Model::bundled`].
    Bundled(u32),
    /// Not found anywhere: the evaluator must treat it as unknown, never as empty.
    Missing,
}

/// A managed policy attachment.
#[derive(Clone, Debug)]
pub struct Attachment {
    /// `PolicyName`.
    pub name: Str,
    /// `PolicyArn`.
    pub arn: Str,
    /// Resolved at load time.
    pub target: PolicyRef,
}

/// A permissions boundary.
#[derive(Clone, Debug)]
pub struct Boundary {
    /// `PermissionsBoundaryArn`.
    pub arn: Str,
    /// Resolved at load time.
    pub target: PolicyRef,
}

/// An IAM user.
#[derive(Clone, Debug)]
pub struct User {
    /// `UserName`.
    pub name: Str,
    /// `UserId` (AIDA…).
    pub id: Str,
    /// `Arn`.
    pub arn: Str,
    /// `Path`.
    pub path: Str,
    /// `CreateDate`.
    pub created: Option<Timestamp>,
    /// `Tags`.
    pub tags: Vec<Tag>,
    /// `GroupList`: names of its groups.
    pub groups: Vec<Str>,
    /// `UserPolicyList`.
    pub inline: Vec<InlinePolicy>,
    /// `AttachedManagedPolicies`.
    pub attached: Vec<Attachment>,
    /// `PermissionsBoundary`.
    pub boundary: Option<Boundary>,
}

/// An IAM group (groups hold users only; they do not nest).
#[derive(Clone, Debug)]
pub struct Group {
    /// `GroupName`.
    pub name: Str,
    /// `GroupId` (AGPA…).
    pub id: Str,
    /// `Arn`.
    pub arn: Str,
    /// `Path`.
    pub path: Str,
    /// `CreateDate`.
    pub created: Option<Timestamp>,
    /// `GroupPolicyList`.
    pub inline: Vec<InlinePolicy>,
    /// `AttachedManagedPolicies`.
    pub attached: Vec<Attachment>,
    /// Users whose `GroupList` names this group (indexes into [`Account::users`]).
    pub members: Vec<u32>,
}

/// What kind of role, by its path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum RoleKind {
    /// An ordinary role.
    Standard,
    /// Path `/aws-service-role/SERVICE/`: owned by an AWS service, not restricted by SCPs.
    ServiceLinked {
        /// The service principal in its path.
        service: String,
    },
    /// Path `/aws-reserved/sso.amazonaws.com/…`: created by IAM Identity Center.
    Sso,
}

impl RoleKind {
    /// Classify by a role's path.
    pub fn from_path(path: &str) -> RoleKind {
        if let Some(rest) = path.strip_prefix("/aws-service-role/") {
            RoleKind::ServiceLinked {
                service: rest.trim_end_matches('/').to_string(),
            }
        } else if path.starts_with("/aws-reserved/sso.amazonaws.com/") {
            RoleKind::Sso
        } else {
            RoleKind::Standard
        }
    }
}

/// `RoleLastUsed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleLastUsed {
    /// `LastUsedDate`.
    pub date: Option<Timestamp>,
    /// `Region`.
    pub region: Option<Str>,
}

/// An IAM role.
#[derive(Clone, Debug)]
pub struct Role {
    /// `RoleName`.
    pub name: Str,
    /// `RoleId` (AROA…).
    pub id: Str,
    /// `Arn`.
    pub arn: Str,
    /// `Path`.
    pub path: Str,
    /// By path: standard, service-linked or SSO.
    pub kind: RoleKind,
    /// `CreateDate`.
    pub created: Option<Timestamp>,
    /// `Description`.
    pub description: Option<Str>,
    /// `MaxSessionDuration` in seconds.
    pub max_session_duration: Option<u32>,
    /// `Tags`.
    pub tags: Vec<Tag>,
    /// `AssumeRolePolicyDocument`.
    pub trust: Option<PolicyDoc>,
    /// `RolePolicyList`.
    pub inline: Vec<InlinePolicy>,
    /// `AttachedManagedPolicies`.
    pub attached: Vec<Attachment>,
    /// `PermissionsBoundary`.
    pub boundary: Option<Boundary>,
    /// ARNs of the instance profiles that hold it.
    pub instance_profiles: Vec<Str>,
    /// `RoleLastUsed`: `None` when the export lacks it; no `date` when it is `{}` (not used in IAM's tracking
    /// period).
    pub last_used: Option<RoleLastUsed>,
}

/// One version of a managed policy.
#[derive(Clone, Debug)]
pub struct PolicyVersion {
    /// `VersionId` (`v1`, `v2`…).
    pub id: Str,
    /// `IsDefaultVersion`: the one in effect.
    pub is_default: bool,
    /// `CreateDate`.
    pub created: Option<Timestamp>,
    /// `Document` (absent when the export omitted it).
    pub doc: Option<PolicyDoc>,
}

/// A managed policy.
#[derive(Clone, Debug)]
pub struct ManagedPolicy {
    /// `PolicyName`.
    pub name: Str,
    /// `PolicyId` (ANPA…).
    pub id: Str,
    /// `Arn`.
    pub arn: Str,
    /// `Path`.
    pub path: Str,
    /// Owned by AWS (`arn:aws:iam::aws:policy/…`).
    pub aws_managed: bool,
    /// `DefaultVersionId`.
    pub default_version: Option<Str>,
    /// `AttachmentCount`.
    pub attachment_count: Option<u32>,
    /// `PermissionsBoundaryUsageCount`.
    pub boundary_usage_count: Option<u32>,
    /// `IsAttachable`.
    pub is_attachable: bool,
    /// `Description`.
    pub description: Option<Str>,
    /// `CreateDate`.
    pub created: Option<Timestamp>,
    /// `UpdateDate`.
    pub updated: Option<Timestamp>,
    /// `PolicyVersionList`, all versions.
    pub versions: Vec<PolicyVersion>,
}

impl ManagedPolicy {
    /// The version in effect: the one marked default, else the one `DefaultVersionId` names.
    pub fn default_doc(&self) -> Option<&PolicyDoc> {
        self.versions
            .iter()
            .find(|v| v.is_default)
            .or_else(|| {
                self.versions
                    .iter()
                    .find(|v| Some(&v.id) == self.default_version.as_ref())
            })
            .and_then(|v| v.doc.as_ref())
    }
}

/// An instance profile.
#[derive(Clone, Debug)]
pub struct InstanceProfile {
    /// `InstanceProfileName`.
    pub name: Str,
    /// `InstanceProfileId`.
    pub id: Str,
    /// `Arn`.
    pub arn: Str,
    /// `Path`.
    pub path: Str,
    /// `CreateDate`.
    pub created: Option<Timestamp>,
    /// Names of its roles.
    pub roles: Vec<Str>,
}

/// SAML or OIDC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ProviderKind {
    /// `saml-provider/…`
    Saml,
    /// `oidc-provider/…`
    Oidc,
}

/// An identity provider of the account.
#[derive(Clone, Debug, Serialize)]
pub struct IdentityProvider {
    /// Its ARN.
    pub arn: Str,
    /// SAML or OIDC.
    pub kind: ProviderKind,
    /// The name after `saml-provider/` or the URL after `oidc-provider/`.
    pub name: String,
    /// Listed in the workspace (true) or only seen in trust policies (false).
    pub declared: bool,
}

impl IdentityProvider {
    /// Parse a provider ARN.
    pub fn from_arn(arn: &Str, declared: bool) -> Option<IdentityProvider> {
        let resource = crate::arn::Arn::fields(arn)?.resource;
        let (kind, name) = if let Some(n) = resource.strip_prefix("saml-provider/") {
            (ProviderKind::Saml, n)
        } else if let Some(n) = resource.strip_prefix("oidc-provider/") {
            (ProviderKind::Oidc, n)
        } else {
            return None;
        };
        Some(IdentityProvider {
            arn: arn.clone(),
            kind,
            name: name.to_string(),
            declared,
        })
    }
}

/// A resource-based policy (bucket, queue, topic, key, function, secret…).
#[derive(Clone, Debug)]
pub struct ResourcePolicy {
    /// The resource's ARN.
    pub resource: Str,
    /// The service prefix from the ARN (`s3`, `sqs`, `kms`…).
    pub service: Str,
    /// The document.
    pub doc: PolicyDoc,
}

/// SCP or RCP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum OrgPolicyKind {
    /// Service control policy: caps what principals of the accounts below may do.
    Scp,
    /// Resource control policy: caps what may be done to the resources of the accounts below.
    Rcp,
}

/// An organisation policy.
#[derive(Clone, Debug)]
pub struct OrgPolicy {
    /// `PolicySummary.Id` (or the file name).
    pub id: Str,
    /// `PolicySummary.Arn`, when known.
    pub arn: Option<Str>,
    /// `PolicySummary.Name`, or the file name.
    pub name: Str,
    /// `PolicySummary.Description`.
    pub description: Option<Str>,
    /// SCP or RCP.
    pub kind: OrgPolicyKind,
    /// `PolicySummary.AwsManaged`.
    pub aws_managed: bool,
    /// The document.
    pub doc: PolicyDoc,
}

/// A node of the organisation tree.
#[derive(Debug, Clone)]
pub struct OrgNode {
    /// `r-…` or `ou-…`.
    pub id: Str,
    /// Display name.
    pub name: Str,
    /// SCPs attached here (indexes into [`Model::org_policies`]); `None` when the workspace does not say,
    /// so the level is not evaluated (AWS itself requires at least one SCP on every node once SCPs are on).
    pub scps: Option<Vec<u32>>,
    /// RCPs attached here; `None` when not described.
    pub rcps: Option<Vec<u32>>,
    /// Accounts directly under this node.
    pub accounts: Vec<Str>,
    /// Child OUs.
    pub children: Vec<OrgNode>,
}

/// An AWS organisation.
#[derive(Debug, Clone)]
pub struct Organization {
    /// `o-…`.
    pub id: Str,
    /// The management account (its principals are not restricted by SCPs).
    pub management_account: Option<Str>,
    /// The root.
    pub root: OrgNode,
    /// Each account's place in the tree, found once: the child indexes from the root down to its node. Built
    /// on the first [`Organization::path_to`], so the tree must not change after that (it never does once
    /// loaded; build a new `Organization` instead).
    pub paths: OrgPaths,
}

/// Where each account of an organisation sits (see [`Organization::paths`]), and its members summed up
/// ([`Organization::members`]).
#[derive(Debug, Clone, Default)]
pub struct OrgPaths(OnceLock<FxHashMap<Str, Box<[u32]>>>, OnceLock<Members>);

/// An organisation's members summed up, once: what a stand-in for "every member but one" needs, in time that
/// does not grow with the members ([`Organization::members`]).
#[derive(Debug, Clone, Default)]
pub struct Members {
    /// The first two members, the management account first, then the tree's accounts.
    pub first: Vec<Str>,
    /// Each distinct organisation path (`aws:PrincipalOrgPaths`), with how many members have it.
    pub paths: Vec<(String, usize)>,
    /// The members whose path is not known (the management account when the tree leaves it out), at most two.
    pub unplaced: Vec<Str>,
}

impl Organization {
    /// The members summed up ([`Members`]), computed on first use.
    pub fn members(&self) -> &Members {
        self.paths.1.get_or_init(|| {
            let mut accounts: Vec<&Str> = self.management_account.iter().collect();
            let mut stack = vec![&self.root];
            while let Some(n) = stack.pop() {
                accounts.extend(n.accounts.iter());
                stack.extend(n.children.iter());
            }
            let mut m = Members::default();
            let mut count: FxHashMap<String, usize> = FxHashMap::default();
            let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
            for a in accounts {
                if !seen.insert(a) {
                    continue;
                }
                if m.first.len() < 2 {
                    m.first.push(a.clone());
                }
                match self.org_path(a) {
                    Some(p) => *count.entry(p).or_default() += 1,
                    None if m.unplaced.len() < 2 => m.unplaced.push(a.clone()),
                    None => {}
                }
            }
            m.paths = count.into_iter().collect();
            m.paths.sort_unstable();
            m
        })
    }

    /// The chain of nodes from the root down to the node that holds `account` (root first), or `None`
    /// when the account is not in the tree. A hash lookup: evaluation asks this for every request, and an
    /// organisation may hold thousands of accounts.
    pub fn path_to(&self, account: &str) -> Option<Vec<&OrgNode>> {
        fn index(n: &OrgNode, at: &mut Vec<u32>, out: &mut FxHashMap<Str, Box<[u32]>>) {
            for a in &n.accounts {
                // The first place wins, as the tree walk it replaces found it (the loader refuses an account
                // listed twice).
                out.entry(a.clone())
                    .or_insert_with(|| at.clone().into_boxed_slice());
            }
            for (i, c) in n.children.iter().enumerate() {
                at.push(i as u32);
                index(c, at, out);
                at.pop();
            }
        }
        let paths = self.paths.0.get_or_init(|| {
            let mut out = FxHashMap::default();
            index(&self.root, &mut Vec::new(), &mut out);
            out
        });
        let steps = paths.get(account)?;
        let mut node = &self.root;
        let mut out = Vec::with_capacity(steps.len() + 1);
        out.push(node);
        for &i in steps.iter() {
            node = node.children.get(i as usize)?;
            out.push(node);
        }
        Some(out)
    }

    /// The organisation's path to `account` as `aws:PrincipalOrgPaths` and `aws:ResourceOrgPaths` give it:
    /// `o-…/r-…/ou-…/` (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths>).
    /// Whether `account` is in the organisation: placed in its tree, or its management account (a member wherever
    /// the loaded tree leaves it).
    pub fn is_member(&self, account: &str) -> bool {
        self.path_to(account).is_some() || self.management_account.as_deref() == Some(account)
    }

    /// The organisation's path to `account` as `aws:PrincipalOrgPaths` and `aws:ResourceOrgPaths` give it (see
    /// [`Organization::org_path`]'s callers for the management account the tree leaves out).
    pub fn org_path(&self, account: &str) -> Option<String> {
        let path = self.path_to(account)?;
        let p: String = path.iter().map(|n| format!("{}/", n.id)).collect();
        Some(format!("{}/{p}", self.id))
    }
}

/// A value of the credential report that may be a time or a marker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ReportTime {
    /// A time.
    At(Timestamp),
    /// `N/A`.
    NotApplicable,
    /// `no_information`.
    NoInformation,
    /// `not_supported` (the root row).
    NotSupported,
}

/// One access key's columns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccessKeyReport {
    /// `access_key_N_active`.
    pub active: bool,
    /// `access_key_N_last_rotated`.
    pub last_rotated: ReportTime,
    /// `access_key_N_last_used_date`.
    pub last_used: ReportTime,
    /// `access_key_N_last_used_region`.
    pub last_used_region: Option<String>,
    /// `access_key_N_last_used_service`.
    pub last_used_service: Option<String>,
}

/// One row of the IAM credential report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CredentialReportRow {
    /// `user` (`<root_account>` for the root).
    pub user: String,
    /// `arn`.
    pub arn: String,
    /// `user_creation_time`.
    pub created: ReportTime,
    /// `password_enabled`: `None` for `not_supported`.
    pub password_enabled: Option<bool>,
    /// `password_last_used`.
    pub password_last_used: ReportTime,
    /// `password_last_changed`.
    pub password_last_changed: ReportTime,
    /// `password_next_rotation`.
    pub password_next_rotation: ReportTime,
    /// `mfa_active`.
    pub mfa_active: bool,
    /// Access keys 1 and 2.
    pub access_keys: [AccessKeyReport; 2],
    /// `cert_1_active`, `cert_2_active`.
    pub certs_active: [bool; 2],
}

/// The IAM credential report of an account.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CredentialReport {
    /// The rows, root first as AWS writes them.
    pub rows: Vec<CredentialReportRow>,
}

impl CredentialReport {
    /// The row of user `name`.
    pub fn row(&self, name: &str) -> Option<&CredentialReportRow> {
        self.rows.iter().find(|r| r.user == name)
    }
}

/// `aws iam get-account-password-policy`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[allow(missing_docs)]
pub struct PasswordPolicy {
    pub minimum_password_length: Option<u32>,
    pub require_symbols: Option<bool>,
    pub require_numbers: Option<bool>,
    pub require_uppercase_characters: Option<bool>,
    pub require_lowercase_characters: Option<bool>,
    pub allow_users_to_change_password: Option<bool>,
    pub expire_passwords: Option<bool>,
    pub max_password_age: Option<u32>,
    pub password_reuse_prevention: Option<u32>,
    pub hard_expiry: Option<bool>,
}

/// Entity kinds, for indexes and references.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum EntityKind {
    /// [`User`]
    User,
    /// [`Group`]
    Group,
    /// [`Role`]
    Role,
    /// [`ManagedPolicy`]
    Policy,
    /// [`InstanceProfile`]
    InstanceProfile,
    /// [`IdentityProvider`]
    IdentityProvider,
    /// [`ResourcePolicy`]
    ResourcePolicy,
    /// [`OrgPolicy`] (`account` is unused).
    OrgPolicy,
}

impl EntityKind {
    /// The kinds an account holds, in the order lists show them.
    pub const IN_ACCOUNT: [EntityKind; 7] = [
        EntityKind::User,
        EntityKind::Group,
        EntityKind::Role,
        EntityKind::Policy,
        EntityKind::InstanceProfile,
        EntityKind::IdentityProvider,
        EntityKind::ResourcePolicy,
    ];

    /// Singular label (`instance profile`).
    pub fn noun(self) -> &'static str {
        match self {
            EntityKind::User => "user",
            EntityKind::Group => "group",
            EntityKind::Role => "role",
            EntityKind::Policy => "policy",
            EntityKind::InstanceProfile => "instance profile",
            EntityKind::IdentityProvider => "identity provider",
            EntityKind::ResourcePolicy => "resource policy",
            EntityKind::OrgPolicy => "organisation policy",
        }
    }

    /// Plural label.
    pub fn plural(self) -> &'static str {
        match self {
            EntityKind::User => "users",
            EntityKind::Group => "groups",
            EntityKind::Role => "roles",
            EntityKind::Policy => "managed policies",
            EntityKind::InstanceProfile => "instance profiles",
            EntityKind::IdentityProvider => "identity providers",
            EntityKind::ResourcePolicy => "resource policies",
            EntityKind::OrgPolicy => "organisation policies",
        }
    }
}

/// A reference to one entity of the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EntityRef {
    /// Index into [`Model::accounts`].
    pub account: u32,
    /// Kind.
    pub kind: EntityKind,
    /// Index in the account's list of that kind.
    pub index: u32,
}

/// One account.
#[derive(Clone, Debug, Default)]
pub struct Account {
    /// The 12-digit id.
    pub id: Str,
    /// Its alias, when known.
    pub alias: Option<String>,
    /// The export it came from.
    pub source: Option<SourceId>,
    /// The export said `IsTruncated: true`: entities after `Marker` are missing.
    pub truncated: bool,
    /// Users.
    pub users: Vec<User>,
    /// Groups.
    pub groups: Vec<Group>,
    /// Roles.
    pub roles: Vec<Role>,
    /// Managed policies (customer-managed, and AWS-managed ones the export includes).
    pub policies: Vec<ManagedPolicy>,
    /// Instance profiles.
    pub instance_profiles: Vec<InstanceProfile>,
    /// Identity providers.
    pub identity_providers: Vec<IdentityProvider>,
    /// Resource-based policies of this account's resources.
    pub resource_policies: Vec<ResourcePolicy>,
    /// The credential report.
    pub credential_report: Option<CredentialReport>,
    /// The password policy.
    pub password_policy: Option<PasswordPolicy>,
    /// IAM last-accessed reports, one per principal the workspace lists.
    pub last_accessed: Vec<last_accessed::LastAccessed>,
    /// SCPs attached directly to the account; `None` when not described.
    pub scps: Option<Vec<u32>>,
    /// RCPs attached directly to the account; `None` when not described.
    pub rcps: Option<Vec<u32>>,
    by_name: [FxHashMap<Str, u32>; 5],
}

impl Account {
    /// An empty account with this id.
    pub fn new(id: Str) -> Self {
        Account {
            id,
            ..Account::default()
        }
    }

    /// Renumber the sources this account's documents name by `by` (an export read on its own numbers its
    /// texts from 0; see `export::merge_export`).
    pub fn shift_sources(&mut self, by: u32) {
        if let Some(s) = &mut self.source {
            s.0 += by;
        }
        self.renumber_sources(|s| SourceId(s.0 + by));
    }

    /// Renumber the sources this account's documents name by `f`.
    pub(crate) fn renumber_sources(&mut self, f: impl Fn(SourceId) -> SourceId) {
        let mut doc = |d: &mut PolicyDoc| d.source = f(d.source);
        for u in &mut self.users {
            u.inline.iter_mut().for_each(|p| doc(&mut p.doc));
        }
        for g in &mut self.groups {
            g.inline.iter_mut().for_each(|p| doc(&mut p.doc));
        }
        for r in &mut self.roles {
            r.inline.iter_mut().for_each(|p| doc(&mut p.doc));
            r.trust.iter_mut().for_each(&mut doc);
        }
        for p in &mut self.policies {
            p.versions
                .iter_mut()
                .filter_map(|v| v.doc.as_mut())
                .for_each(&mut doc);
        }
        self.resource_policies
            .iter_mut()
            .for_each(|r| doc(&mut r.doc));
    }

    /// Display name: `alias (id)` or the id.
    pub fn label(&self) -> String {
        match &self.alias {
            Some(a) => format!("{a} ({})", self.id),
            None => self.id.to_string(),
        }
    }

    /// Index of the entity of `kind` named `name` (O(1)).
    pub fn find(&self, kind: EntityKind, name: &str) -> Option<u32> {
        let slot = Self::name_slot(kind)?;
        self.by_name.get(slot)?.get(name).copied()
    }

    /// The user named `name`.
    pub fn user(&self, name: &str) -> Option<&User> {
        self.find(EntityKind::User, name)
            .and_then(|i| self.users.get(i as usize))
    }

    /// The group named `name`.
    pub fn group(&self, name: &str) -> Option<&Group> {
        self.find(EntityKind::Group, name)
            .and_then(|i| self.groups.get(i as usize))
    }

    /// The role named `name`.
    pub fn role(&self, name: &str) -> Option<&Role> {
        self.find(EntityKind::Role, name)
            .and_then(|i| self.roles.get(i as usize))
    }

    /// Number of entities of `kind`.
    pub fn count(&self, kind: EntityKind) -> usize {
        match kind {
            EntityKind::User => self.users.len(),
            EntityKind::Group => self.groups.len(),
            EntityKind::Role => self.roles.len(),
            EntityKind::Policy => self.policies.len(),
            EntityKind::InstanceProfile => self.instance_profiles.len(),
            EntityKind::IdentityProvider => self.identity_providers.len(),
            EntityKind::ResourcePolicy => self.resource_policies.len(),
            EntityKind::OrgPolicy => 0,
        }
    }

    fn name_slot(kind: EntityKind) -> Option<usize> {
        match kind {
            EntityKind::User => Some(0),
            EntityKind::Group => Some(1),
            EntityKind::Role => Some(2),
            EntityKind::Policy => Some(3),
            EntityKind::InstanceProfile => Some(4),
            _ => None,
        }
    }

    /// Rebuild the name index and group memberships.
    pub(crate) fn reindex(&mut self) {
        fn names<'a>(it: impl Iterator<Item = &'a Str>) -> FxHashMap<Str, u32> {
            it.enumerate().map(|(i, n)| (n.clone(), i as u32)).collect()
        }
        self.by_name = [
            names(self.users.iter().map(|e| &e.name)),
            names(self.groups.iter().map(|e| &e.name)),
            names(self.roles.iter().map(|e| &e.name)),
            names(self.policies.iter().map(|e| &e.name)),
            names(self.instance_profiles.iter().map(|e| &e.name)),
        ];
        for g in &mut self.groups {
            g.members.clear();
        }
        for (ui, u) in self.users.iter().enumerate() {
            for gname in &u.groups {
                if let Some(&gi) = self.by_name[1].get(gname)
                    && let Some(g) = self.groups.get_mut(gi as usize)
                {
                    g.members.push(ui as u32);
                }
            }
        }
    }
}

/// Severity of a load problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Something was skipped: the model is incomplete.
    Skipped,
    /// Something was odd but fully understood (tolerated shape, truncated export…).
    Note,
    /// A reference that points nowhere (the evaluator answers "unknown" where it matters).
    Dangling,
}

impl WarningKind {
    /// The word outputs show: `skipped`, `note`, `dangling` (as serialised).
    pub fn label(self) -> &'static str {
        match self {
            WarningKind::Skipped => "skipped",
            WarningKind::Note => "note",
            WarningKind::Dangling => "dangling",
        }
    }

    /// Its registered diagnostic code (group `load`), so that load warnings are counted, documented, filtered and
    /// carried into SARIF like any other diagnostic.
    pub fn code(self) -> Code {
        match self {
            WarningKind::Skipped => Code::LOAD_SKIPPED,
            WarningKind::Note => Code::LOAD_NOTE,
            WarningKind::Dangling => Code::LOAD_DANGLING,
        }
    }
}

/// A problem met while loading, with its place. [`LoadWarning::diagnostic`] gives it as a [`Diagnostic`] of its
/// source, which is how the GUI underlines it and the CLI and SARIF report it.
#[derive(Clone, Debug)]
pub struct LoadWarning {
    /// Kind.
    pub kind: WarningKind,
    /// The file.
    pub file: String,
    /// `line:col`, or the JSON path (`$.RoleDetailList[3].RoleName`).
    pub location: String,
    /// What, lowercase, no final period.
    pub message: String,
    /// The entity concerned, when there is one.
    pub entity: Option<EntityRef>,
    /// The text it is about (the export's source and the byte range of the value), when the loader had it: the
    /// GUI shows and underlines it, the CLI gives its line and column.
    pub at: Option<(SourceId, Span)>,
}

impl LoadWarning {
    /// A warning about no entity and no particular place in the text.
    pub fn new(
        kind: WarningKind,
        file: impl Into<String>,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        LoadWarning {
            kind,
            file: file.into(),
            location: location.into(),
            message: message.into(),
            entity: None,
            at: None,
        }
    }

    /// Its code: [`WarningKind::code`].
    pub fn code(&self) -> Code {
        self.kind.code()
    }

    /// The warning as a diagnostic of the source it is about (`None` when the loader had no place in a text): the
    /// registered code and its severity, the value's span, the loader's JSON path or `line:col`, the message.
    pub fn diagnostic(&self) -> Option<(SourceId, Diagnostic)> {
        let (source, span) = self.at?;
        let code = self.code();
        let check = code.check();
        Some((
            source,
            Diagnostic::new(
                code,
                check.severity,
                span,
                self.location.clone(),
                self.message.clone(),
            ),
        ))
    }

    /// The place it is about, when the loader had it: an excerpt of at most `max` characters of its source.
    pub fn excerpt(&self, model: &Model, max: usize) -> Option<Excerpt> {
        let (source, span) = self.at?;
        Some(model.sources.get(source.0 as usize)?.excerpt(span, max))
    }
}

impl Serialize for LoadWarning {
    /// `{kind, code, file, location, message}`: the entity and the span stay in memory (the CLI gives the span as
    /// a line and column where it reports one).
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = ser.serialize_struct("LoadWarning", 5)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("code", self.code().as_str())?;
        st.serialize_field("file", &self.file)?;
        st.serialize_field("location", &self.location)?;
        st.serialize_field("message", &self.message)?;
        st.end()
    }
}

impl std::fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.location, self.message)
        }
    }
}

/// A number that names one state of one [`Model`]: a new model, a clone and every change through the model's
/// methods get a number never used before in this process. Caches of derived data (the GUI's tables and graphs,
/// the findings) are keyed on it, never on the model's address: a model dropped and another allocated at the same
/// address would otherwise be served the first one's answers.
#[derive(Debug)]
struct Generation(u64);

static NEXT_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Generation {
    fn next() -> Self {
        Generation(NEXT_GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

impl Default for Generation {
    fn default() -> Self {
        Generation::next()
    }
}

impl Clone for Generation {
    /// A clone is another model: it may change apart from the original.
    fn clone(&self) -> Self {
        Generation::next()
    }
}

/// Everything loaded: accounts, the organisation and its policies, and the texts they came from.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Accounts, in load order.
    pub accounts: Vec<Account>,
    /// The organisation, when a workspace described one.
    pub organization: Option<Organization>,
    /// SCPs and RCPs.
    pub org_policies: Vec<OrgPolicy>,
    /// Well-known AWS-managed policies resolved from the bundled set for attachments missing from exports.
    pub bundled: Vec<ManagedPolicy>,
    /// Source texts.
    pub sources: Vec<Source>,
    /// Problems met while loading.
    pub warnings: Vec<LoadWarning>,
    /// Documents replaced in memory as a what-if, with the loaded originals ([`Model::replace_document`]).
    pub what_if: Vec<what_if::WhatIf>,
    /// IAM Identity Center (people, groups, permission sets, assignments), when a workspace lists its files.
    pub identity_center: Option<identity_center::IdentityCenter>,
    by_arn: FxHashMap<Str, EntityRef>,
    by_id: FxHashMap<Str, EntityRef>,
    by_account: FxHashMap<Str, u32>,
    generation: Generation,
}

impl Model {
    /// This state of the model: different for every model and after every change made through its methods
    /// (a what-if, a revert, a new source, a re-index), so that caches keyed on it are never stale.
    pub fn generation(&self) -> u64 {
        self.generation.0
    }

    /// Mark the model changed (its [`Model::generation`] moves on).
    pub fn touch(&mut self) {
        self.generation = Generation::next();
    }

    /// The source `id`.
    pub fn source(&self, id: SourceId) -> &Source {
        // Ids come from `add_source` and sources are never removed while a document refers to them; an id from
        // another model finds an empty text rather than a panic.
        static NONE: std::sync::LazyLock<Source> =
            std::sync::LazyLock::new(|| Source::new("(no such source)", Default::default()));
        self.sources.get(id.0 as usize).unwrap_or(&NONE)
    }

    /// Add a source text.
    pub fn add_source(&mut self, name: impl Into<String>, text: crate::text::Text) -> SourceId {
        self.push_source(Source::new(name, text))
    }

    /// Add a source.
    pub fn push_source(&mut self, source: Source) -> SourceId {
        self.sources.push(source);
        self.touch();
        SourceId(self.sources.len() as u32 - 1)
    }

    /// True when nothing was skipped while loading: the model is the whole of its inputs.
    pub fn is_complete(&self) -> bool {
        !self.warnings.iter().any(|w| w.kind == WarningKind::Skipped)
            && !self.accounts.iter().any(|a| a.truncated)
    }

    /// The account with id `id` (O(1)).
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.by_account
            .get(id)
            .and_then(|&i| self.accounts.get(i as usize))
    }

    /// Index of the account with id `id`.
    pub fn account_index(&self, id: &str) -> Option<u32> {
        self.by_account.get(id).copied()
    }

    /// The entity with this ARN (O(1)).
    pub fn by_arn(&self, arn: &str) -> Option<EntityRef> {
        self.by_arn.get(arn).copied()
    }

    /// The entity with this unique id (AIDA…, AROA…, ANPA…) (O(1)).
    pub fn by_id(&self, id: &str) -> Option<EntityRef> {
        self.by_id.get(id).copied()
    }

    /// All entities named `name` of `kind`, across accounts (O(accounts)).
    pub fn by_name(&self, kind: EntityKind, name: &str) -> Vec<EntityRef> {
        self.accounts
            .iter()
            .enumerate()
            .filter_map(|(ai, a)| {
                a.find(kind, name).map(|index| EntityRef {
                    account: ai as u32,
                    kind,
                    index,
                })
            })
            .collect()
    }

    /// The managed policy an attachment points to.
    pub fn resolve(&self, account: u32, target: PolicyRef) -> Option<&ManagedPolicy> {
        match target {
            PolicyRef::Local(i) => self
                .accounts
                .get(account as usize)?
                .policies
                .get(i as usize),
            PolicyRef::Bundled(i) => self.bundled.get(i as usize),
            PolicyRef::Missing => None,
        }
    }

    /// Display name and ARN of an entity.
    pub fn describe(&self, r: EntityRef) -> (String, String) {
        let Some(a) = self.accounts.get(r.account as usize) else {
            if r.kind == EntityKind::OrgPolicy
                && let Some(p) = self.org_policies.get(r.index as usize)
            {
                return (
                    p.name.to_string(),
                    p.arn.as_deref().unwrap_or(&p.id).to_string(),
                );
            }
            return ("?".into(), String::new());
        };
        let i = r.index as usize;
        let pair = |n: &Str, arn: &Str| (n.to_string(), arn.to_string());
        match r.kind {
            EntityKind::User => a.users.get(i).map(|e| pair(&e.name, &e.arn)),
            EntityKind::Group => a.groups.get(i).map(|e| pair(&e.name, &e.arn)),
            EntityKind::Role => a.roles.get(i).map(|e| pair(&e.name, &e.arn)),
            EntityKind::Policy => a.policies.get(i).map(|e| pair(&e.name, &e.arn)),
            EntityKind::InstanceProfile => {
                a.instance_profiles.get(i).map(|e| pair(&e.name, &e.arn))
            }
            EntityKind::IdentityProvider => a
                .identity_providers
                .get(i)
                .map(|e| (e.name.clone(), e.arn.to_string())),
            EntityKind::ResourcePolicy => a
                .resource_policies
                .get(i)
                .map(|e| (e.resource.to_string(), e.resource.to_string())),
            EntityKind::OrgPolicy => self.org_policies.get(i).map(|p| {
                (
                    p.name.to_string(),
                    p.arn.as_deref().unwrap_or(&p.id).to_string(),
                )
            }),
        }
        .unwrap_or_else(|| ("?".into(), String::new()))
    }

    /// Rebuild every index (after loading or after a what-if edit).
    pub fn reindex(&mut self) {
        self.touch();
        let mut by_arn = FxHashMap::default();
        let mut by_id = FxHashMap::default();
        let mut by_account = FxHashMap::default();
        let mut aws_seen: rustc_hash::FxHashSet<Str> = rustc_hash::FxHashSet::default();
        for (ai, a) in self.accounts.iter_mut().enumerate() {
            a.reindex();
            let account = ai as u32;
            by_account.insert(a.id.clone(), account);
            let mut add = |kind, index: usize, arn: &Str, id: Option<&Str>| {
                let r = EntityRef {
                    account,
                    kind,
                    index: index as u32,
                };
                by_arn.insert(arn.clone(), r);
                // Real ids are unique across kinds (AIDA…, AROA…, AIPA…); sanitised exports reuse names as
                // ids, so the first entity keeps the id.
                if let Some(id) = id {
                    by_id.entry(id.clone()).or_insert(r);
                }
            };
            for (i, e) in a.users.iter().enumerate() {
                add(EntityKind::User, i, &e.arn, Some(&e.id));
            }
            for (i, e) in a.groups.iter().enumerate() {
                add(EntityKind::Group, i, &e.arn, Some(&e.id));
            }
            for (i, e) in a.roles.iter().enumerate() {
                add(EntityKind::Role, i, &e.arn, Some(&e.id));
            }
            for (i, e) in a.policies.iter().enumerate() {
                // AWS-managed policies share an ARN across accounts: the first account's copy is indexed.
                if !e.aws_managed || aws_seen.insert(e.arn.clone()) {
                    add(EntityKind::Policy, i, &e.arn, Some(&e.id));
                }
            }
            for (i, e) in a.instance_profiles.iter().enumerate() {
                add(EntityKind::InstanceProfile, i, &e.arn, Some(&e.id));
            }
            for (i, e) in a.identity_providers.iter().enumerate() {
                add(EntityKind::IdentityProvider, i, &e.arn, None);
            }
            for (i, e) in a.resource_policies.iter().enumerate() {
                add(EntityKind::ResourcePolicy, i, &e.resource, None);
            }
        }
        for (i, p) in self.org_policies.iter().enumerate() {
            if let Some(arn) = &p.arn {
                by_arn.insert(
                    arn.clone(),
                    EntityRef {
                        account: u32::MAX,
                        kind: EntityKind::OrgPolicy,
                        index: i as u32,
                    },
                );
            }
        }
        self.by_arn = by_arn;
        self.by_id = by_id;
        self.by_account = by_account;
    }

    /// Every policy document of the model with what it is attached to, for validation and search.
    pub fn documents(&self) -> Vec<DocumentRef<'_>> {
        let mut out = Vec::new();
        for (ai, a) in self.accounts.iter().enumerate() {
            let account = ai as u32;
            for (i, u) in a.users.iter().enumerate() {
                for p in &u.inline {
                    out.push(DocumentRef {
                        owner: Some(EntityRef {
                            account,
                            kind: EntityKind::User,
                            index: i as u32,
                        }),
                        role: DocRole::UserInline,
                        label: format!("user {} inline policy {}", u.name, p.name),
                        doc: &p.doc,
                    });
                }
            }
            for (i, g) in a.groups.iter().enumerate() {
                for p in &g.inline {
                    out.push(DocumentRef {
                        owner: Some(EntityRef {
                            account,
                            kind: EntityKind::Group,
                            index: i as u32,
                        }),
                        role: DocRole::GroupInline,
                        label: format!("group {} inline policy {}", g.name, p.name),
                        doc: &p.doc,
                    });
                }
            }
            for (i, r) in a.roles.iter().enumerate() {
                let owner = Some(EntityRef {
                    account,
                    kind: EntityKind::Role,
                    index: i as u32,
                });
                if let Some(t) = &r.trust {
                    out.push(DocumentRef {
                        owner,
                        role: DocRole::Trust,
                        label: format!("role {} trust policy", r.name),
                        doc: t,
                    });
                }
                for p in &r.inline {
                    out.push(DocumentRef {
                        owner,
                        role: DocRole::RoleInline,
                        label: format!("role {} inline policy {}", r.name, p.name),
                        doc: &p.doc,
                    });
                }
            }
            for (i, p) in a.policies.iter().enumerate() {
                for v in &p.versions {
                    if let Some(d) = &v.doc {
                        out.push(DocumentRef {
                            owner: Some(EntityRef {
                                account,
                                kind: EntityKind::Policy,
                                index: i as u32,
                            }),
                            role: DocRole::Managed,
                            label: format!("managed policy {} {}", p.name, v.id),
                            doc: d,
                        });
                    }
                }
            }
            for (i, rp) in a.resource_policies.iter().enumerate() {
                out.push(DocumentRef {
                    owner: Some(EntityRef {
                        account,
                        kind: EntityKind::ResourcePolicy,
                        index: i as u32,
                    }),
                    role: DocRole::Resource,
                    label: format!("resource policy of {}", rp.resource),
                    doc: &rp.doc,
                });
            }
        }
        for (i, p) in self.org_policies.iter().enumerate() {
            out.push(DocumentRef {
                owner: Some(EntityRef {
                    account: u32::MAX,
                    kind: EntityKind::OrgPolicy,
                    index: i as u32,
                }),
                role: match p.kind {
                    OrgPolicyKind::Scp => DocRole::Scp,
                    OrgPolicyKind::Rcp => DocRole::Rcp,
                },
                label: format!(
                    "{} {}",
                    if p.kind == OrgPolicyKind::Scp {
                        "SCP"
                    } else {
                        "RCP"
                    },
                    p.name
                ),
                doc: &p.doc,
            });
        }
        out
    }
}

/// What a document is used as (decides which checks apply).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DocRole {
    /// A user's inline policy (quota 2,048 characters).
    UserInline,
    /// A group's inline policy (quota 5,120).
    GroupInline,
    /// A role's inline policy (quota 10,240).
    RoleInline,
    /// A managed policy version (quota 6,144).
    Managed,
    /// A role trust policy (quota 2,048 by default).
    Trust,
    /// A resource-based policy.
    Resource,
    /// A service control policy (quota 5,120).
    Scp,
    /// A resource control policy (quota 5,120).
    Rcp,
}

/// A document of the model with its owner.
#[derive(Debug)]
pub struct DocumentRef<'m> {
    /// The entity that holds it.
    pub owner: Option<EntityRef>,
    /// What it is used as.
    pub role: DocRole,
    /// Human label.
    pub label: String,
    /// The document.
    pub doc: &'m PolicyDoc,
}

/// The account id in an ARN (`arn:aws:iam::123456789012:user/x` → `123456789012`).
pub fn arn_account(arn: &str) -> Option<&str> {
    crate::arn::Arn::parse(arn).map(|a| a.account)
}

/// The service prefix in an ARN.
pub fn arn_service(arn: &str) -> Option<&str> {
    crate::arn::Arn::parse(arn).map(|a| a.service)
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Model>();
    let _ = Span::default();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Source::excerpt` as it was before sources could be packed: the whole line, then the window.
    fn excerpt_of_the_whole_line(text: &str, span: Span, max: usize) -> Excerpt {
        let idx = LineIndex::new(text);
        let at = idx.line_col(text, span.start);
        let line = idx.line_range(text, at.line);
        let line_text = text.get(line.clone()).unwrap_or_default();
        let offset = (span.start as usize).saturating_sub(line.start);
        let (shown_text, before) = crate::text::window(line_text, offset, max);
        let shown_text: String = shown_text
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        let shown = shown_text.chars().count().saturating_sub(before);
        let len = crate::text::at(text, span)
            .chars()
            .count()
            .clamp(1, shown.max(1));
        Excerpt {
            at,
            text: shown_text,
            underline: (before, len.min(shown.max(1))),
        }
    }

    #[test]
    fn a_packed_source_reads_shows_and_places_as_the_text_does() {
        // Long lines (a one-line export), short ones, every line end, multi-byte characters and a control
        // character, over several 64 KiB blocks.
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(&format!(
                "{{\"Sid\": \"é{i}→\x07\", \"Action\": \"s3:GetObject\"}}"
            ));
            text.push_str(match i % 7 {
                0 => "\r\n",
                1 => "\r",
                2 | 3 => "\n",
                _ => "",
            });
        }
        let text = Arc::new(text);
        let plain = Source::new("x.json", text.clone());
        let mut packed = Source::new("x.json", text.clone());
        packed.pack();
        assert!(packed.is_packed() && packed.kept_len() * 2 < text.len());
        assert_eq!(packed.text(), text.as_str());
        let index = LineIndex::new(&text);
        let boundaries: Vec<usize> = (0..text.len())
            .step_by(997)
            .map(|i| crate::text::floor_char_boundary(&text, i))
            .collect();
        for (k, &a) in boundaries.iter().enumerate() {
            let b = boundaries.get(k + 3).copied().unwrap_or(text.len());
            // A span of the text, one that starts inside a character, and one past its end (stale spans).
            for span in [
                Span::new(a, b),
                Span::new(a + 1, b),
                Span::new(a, text.len() + 5),
            ] {
                for max in [1, 20, 100] {
                    let want = excerpt_of_the_whole_line(&text, span, max);
                    assert_eq!(plain.excerpt(span, max), want, "{span:?} {max}");
                    assert_eq!(packed.excerpt(span, max), want, "{span:?} {max}");
                }
            }
            let span = Span::new(a, b);
            assert_eq!(packed.at(span), plain.at(span));
            assert_eq!(packed.get(a..b), text.get(a..b).map(Into::into));
            // Inside a character too.
            for off in [a, a + 1, b.saturating_sub(1)] {
                let want = index.line_col(&text, off as u32);
                assert_eq!(plain.line_col(off as u32), want, "{off}");
                assert_eq!(packed.line_col(off as u32), want, "{off}");
            }
        }
    }

    /// Every evaluation asks where its account sits in the organisation: with 60,000 accounts, asking for each
    /// is linear (a hash lookup each), where walking the tree each time was quadratic (minutes).
    #[test]
    fn an_accounts_place_in_a_large_organisation_is_a_lookup() {
        let node = |id: &str, accounts: Vec<Str>, children: Vec<OrgNode>| OrgNode {
            id: id.into(),
            name: id.into(),
            scps: None,
            rcps: None,
            accounts,
            children,
        };
        let ids: Vec<Str> = (0..60_000u64)
            .map(|i| format!("{:012}", 300_000_000_000 + i).into())
            .collect();
        let ous: Vec<OrgNode> = ids
            .chunks(10_000)
            .enumerate()
            .map(|(k, c)| {
                node(
                    &format!("ou-{k}"),
                    Vec::new(),
                    vec![node(&format!("ou-{k}-a"), c.to_vec(), vec![])],
                )
            })
            .collect();
        let org = Organization {
            id: "o-big".into(),
            management_account: None,
            root: node("r-1", vec!["999999999999".into()], ous),
            paths: OrgPaths::default(),
        };
        let t = std::time::Instant::now();
        for (i, a) in ids.iter().enumerate() {
            let path = org.path_to(a).expect("in the tree");
            let names: Vec<&str> = path.iter().map(|n| &*n.id).collect();
            assert_eq!(
                names,
                [
                    "r-1",
                    &*format!("ou-{}", i / 10_000),
                    &*format!("ou-{}-a", i / 10_000)
                ]
            );
        }
        assert_eq!(org.path_to("999999999999").map(|p| p.len()), Some(1));
        assert!(org.path_to("123456789012").is_none());
        assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
    }

    #[test]
    fn role_kinds_from_paths() {
        assert_eq!(
            RoleKind::from_path("/aws-service-role/ecs.amazonaws.com/"),
            RoleKind::ServiceLinked {
                service: "ecs.amazonaws.com".into()
            }
        );
        assert_eq!(
            RoleKind::from_path("/aws-reserved/sso.amazonaws.com/eu-west-1/"),
            RoleKind::Sso
        );
        assert_eq!(RoleKind::from_path("/"), RoleKind::Standard);
    }

    #[test]
    fn arn_parts() {
        assert_eq!(
            arn_account("arn:aws:iam::123456789012:user/a:b"),
            Some("123456789012")
        );
        assert_eq!(arn_account("arn:aws:s3:::bucket"), Some(""));
        assert_eq!(arn_account("not-an-arn"), None);
        assert_eq!(arn_service("arn:aws:sqs:eu-west-1:1:q"), Some("sqs"));
    }

    #[test]
    fn providers_from_arns() {
        let p = IdentityProvider::from_arn(
            &Str::from("arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"),
            true,
        )
        .unwrap();
        assert_eq!(p.kind, ProviderKind::Oidc);
        assert_eq!(p.name, "token.actions.githubusercontent.com");
        assert!(IdentityProvider::from_arn(&Str::from("arn:aws:iam::1:role/x"), true).is_none());
    }
}
