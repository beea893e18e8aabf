//! Policy validation: grammar, catalog, condition, security and hygiene checks on the typed policy model.
//!
//! [`validate`] parses a document's text and checks it; [`validate_policy`] checks a document that is already
//! parsed (the account loader keeps them in [`crate::account::PolicyDoc`]). Every diagnostic carries a stable
//! code (IAM Access Analyzer's where the check is the same one), a severity, the exact byte range, the JSON
//! path and, where one exists, a machine-applicable fix. [`CHECKS`] lists every code.
//!
//! Severity follows one rule: `Error` only when AWS rejects the document (checked against AWS's real
//! answers in `tests/fixtures/policies/`) or when the element cannot work; what AWS accepts but is probably
//! wrong is a warning. Grammar: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>.

mod analyzer;
mod conditions;
mod grammar;
mod hygiene;
mod principals;
pub mod request;
mod resources;
mod security;
mod statements;

pub use crate::diagnostic::codes::{
    AaCode, CHECKS, Check, Code, aa_code, check, present, supported,
};

use crate::account::DocRole;
use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::{Interner, OneOrMany, Policy, Statement, parse_text};
use crate::text::Span;

/// Which identity policy: decides the size quota and whether `Version` is mandatory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    /// A user's inline policy (2,048 characters).
    UserInline,
    /// A group's inline policy (5,120 characters).
    GroupInline,
    /// A role's inline policy (10,240 characters).
    RoleInline,
    /// A customer-managed policy (6,144 characters; `Version` 2012-10-17 required).
    Managed,
    /// An AWS-managed policy: AWS wrote it, so no quota applies and old grammar is tolerated.
    AwsManaged,
}

/// What a policy document is used as; decides which checks apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// An identity-based policy attached to a user, group or role.
    Identity(IdentityKind),
    /// A resource-based policy (bucket, queue, topic, key…); `service` is the resource's service prefix
    /// when known (it decides the size quota).
    Resource {
        /// Service prefix, e.g. `s3`.
        service: Option<&'static str>,
    },
    /// A role trust policy.
    Trust,
    /// A managed policy used as a permissions boundary.
    Boundary,
    /// A session policy passed to `AssumeRole` and friends.
    Session,
    /// An AWS Organizations service control policy.
    Scp,
    /// An AWS Organizations resource control policy.
    Rcp,
}

impl PolicyKind {
    /// The kind named on the command line (`identity`, `resource`, `trust`, `boundary`, `session`, `scp`,
    /// `rcp`).
    pub fn from_name(name: &str) -> Option<PolicyKind> {
        Some(match name.to_ascii_lowercase().as_str() {
            "identity" | "managed" => PolicyKind::Identity(IdentityKind::Managed),
            "user" => PolicyKind::Identity(IdentityKind::UserInline),
            "group" => PolicyKind::Identity(IdentityKind::GroupInline),
            "role" => PolicyKind::Identity(IdentityKind::RoleInline),
            "resource" => PolicyKind::Resource { service: None },
            "trust" => PolicyKind::Trust,
            "boundary" => PolicyKind::Boundary,
            "session" => PolicyKind::Session,
            "scp" => PolicyKind::Scp,
            "rcp" => PolicyKind::Rcp,
            _ => return None,
        })
    }

    /// A resource policy of the service named by `prefix`.
    pub fn resource_of(prefix: &str) -> PolicyKind {
        PolicyKind::Resource {
            service: crate::catalog::catalog().service(prefix).map(|s| s.prefix),
        }
    }

    /// Identity-like kinds: documents that grant to the principal they are attached to (no `Principal`).
    pub fn is_identity_like(self) -> bool {
        matches!(
            self,
            PolicyKind::Identity(_) | PolicyKind::Boundary | PolicyKind::Session
        )
    }

    /// Documents stored by IAM itself (stricter `Sid` rules, "Policy document must be version 2012-10-17").
    pub fn is_iam_stored(self) -> bool {
        matches!(
            self,
            PolicyKind::Identity(IdentityKind::UserInline)
                | PolicyKind::Identity(IdentityKind::GroupInline)
                | PolicyKind::Identity(IdentityKind::RoleInline)
                | PolicyKind::Identity(IdentityKind::Managed)
                | PolicyKind::Boundary
                | PolicyKind::Trust
        )
    }

    /// Short name for messages.
    pub fn label(self) -> &'static str {
        match self {
            PolicyKind::Identity(IdentityKind::UserInline) => "user inline policy",
            PolicyKind::Identity(IdentityKind::GroupInline) => "group inline policy",
            PolicyKind::Identity(IdentityKind::RoleInline) => "role inline policy",
            PolicyKind::Identity(IdentityKind::Managed) => "managed policy",
            PolicyKind::Identity(IdentityKind::AwsManaged) => "AWS-managed policy",
            PolicyKind::Resource { .. } => "resource-based policy",
            PolicyKind::Trust => "trust policy",
            PolicyKind::Boundary => "permissions boundary",
            PolicyKind::Session => "session policy",
            PolicyKind::Scp => "service control policy",
            PolicyKind::Rcp => "resource control policy",
        }
    }
}

impl From<DocRole> for PolicyKind {
    fn from(role: DocRole) -> Self {
        match role {
            DocRole::UserInline => PolicyKind::Identity(IdentityKind::UserInline),
            DocRole::GroupInline => PolicyKind::Identity(IdentityKind::GroupInline),
            DocRole::RoleInline => PolicyKind::Identity(IdentityKind::RoleInline),
            DocRole::Managed => PolicyKind::Identity(IdentityKind::Managed),
            DocRole::Trust => PolicyKind::Trust,
            DocRole::Resource => PolicyKind::Resource { service: None },
            DocRole::Scp => PolicyKind::Scp,
            DocRole::Rcp => PolicyKind::Rcp,
        }
    }
}

/// The kind of a document of a loaded model: its [`DocRole`], refined with what the model knows (AWS-managed
/// policies, the service of a resource policy).
pub fn kind_of(model: &crate::account::Model, doc: &crate::account::DocumentRef<'_>) -> PolicyKind {
    use crate::account::EntityKind;
    let base = PolicyKind::from(doc.role);
    let Some(owner) = doc.owner else {
        return base;
    };
    let Some(account) = model.accounts.get(owner.account as usize) else {
        return base;
    };
    match (doc.role, owner.kind) {
        (DocRole::Managed, EntityKind::Policy) => {
            match account.policies.get(owner.index as usize) {
                Some(p) if p.aws_managed => PolicyKind::Identity(IdentityKind::AwsManaged),
                _ => base,
            }
        }
        (DocRole::Resource, EntityKind::ResourcePolicy) => {
            match account.resource_policies.get(owner.index as usize) {
                Some(rp) => PolicyKind::resource_of(&rp.service),
                None => base,
            }
        }
        _ => base,
    }
}

/// What a check may know beyond the document.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The account the document belongs to (enables the cross-account trust check).
    pub account: Option<String>,
}

/// Parse `text` as a policy document of `kind` and check it: the parser's syntax and shape diagnostics
/// followed by every check's, sorted by position.
pub fn validate(text: &str, kind: PolicyKind) -> Vec<Diagnostic> {
    validate_with(text, kind, &Options::default())
}

/// [`validate`] with [`Options`].
pub fn validate_with(text: &str, kind: PolicyKind, opts: &Options) -> Vec<Diagnostic> {
    let mut interner = Interner::default();
    let parsed = parse_text(text, &mut interner);
    let mut out = parsed.diagnostics;
    let parse_failed = out.iter().any(|d| {
        d.code == Code::JSON_SYNTAX_ERROR.as_str() || d.code == Code::POLICY_NOT_OBJECT.as_str()
    });
    if parsed.policy.span.is_empty() || (parse_failed && parsed.policy.statements.is_empty()) {
        if out.is_empty() {
            out.push(Diagnostic::new(
                Code::JSON_SYNTAX_ERROR,
                Severity::Error,
                Span::new(0, text.len()),
                "",
                "the text is not a JSON policy document",
            ));
        }
        present_all(&mut out);
        sort(&mut out);
        return out;
    }
    present_all(&mut out);
    out.extend(validate_policy_with(&parsed.policy, text, kind, opts));
    sort(&mut out);
    out
}

/// Check a document that is already parsed; `src` is the text its spans point into (for documents of a
/// loaded model, the whole source file). The parser's own diagnostics are not repeated.
pub fn validate_policy(policy: &Policy, src: &str, kind: PolicyKind) -> Vec<Diagnostic> {
    validate_policy_with(policy, src, kind, &Options::default())
}

/// [`validate_policy`] with [`Options`].
pub fn validate_policy_with(
    policy: &Policy,
    src: &str,
    kind: PolicyKind,
    opts: &Options,
) -> Vec<Diagnostic> {
    if src.get(policy.span.range()).is_none() {
        return Vec::new();
    }
    let expanded: Vec<statements::StatementActions> = policy
        .statements
        .iter()
        .map(statements::StatementActions::new)
        .collect();
    let mut cx = Ctx {
        src,
        policy,
        kind,
        opts,
        out: Vec::new(),
        expanded: &expanded,
    };
    grammar::check(&mut cx);
    statements::check(&mut cx);
    resources::check(&mut cx);
    principals::check(&mut cx);
    conditions::check(&mut cx);
    security::check(&mut cx);
    hygiene::check(&mut cx);
    analyzer::check(&mut cx);
    let mut out = cx.out;
    if kind == PolicyKind::Identity(IdentityKind::AwsManaged) {
        // Nobody can edit an AWS-managed policy: style suggestions would only be noise.
        out.retain(|d| d.severity != Severity::Suggestion);
    }
    sort(&mut out);
    out
}

/// The parser's diagnostics under the codes they are reported as (a wrong JSON type inside `Condition` is
/// Access Analyzer's invalid condition data type).
fn present_all(out: &mut [Diagnostic]) {
    for d in out {
        if d.code == Code::JSON_TYPE_MISMATCH.as_str() && d.path.contains(".Condition.") {
            d.code = Code::CONDITION_VALUE_TYPE_MISMATCH.as_str();
        }
        present(d, None);
    }
}

fn sort(out: &mut [Diagnostic]) {
    out.sort_by(|a, b| (a.span.start, a.span.end, a.code).cmp(&(b.span.start, b.span.end, b.code)));
}

/// Everything a check needs: the document, its text, its kind, and where to put findings.
pub(crate) struct Ctx<'a> {
    pub src: &'a str,
    pub policy: &'a Policy,
    pub kind: PolicyKind,
    pub opts: &'a Options,
    pub out: Vec<Diagnostic>,
    /// Per statement: its actions resolved against the catalog.
    pub expanded: &'a [statements::StatementActions],
}

impl<'a> Ctx<'a> {
    /// Report `code` (severity from the registry) under its default reported code.
    pub fn emit(
        &mut self,
        code: Code,
        span: Span,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(code, code.check().severity, None, span, path, message)
    }

    /// Report `code` under the Access Analyzer code `aa`, one of the check's registered alternatives (which one
    /// depends on the policy type or the element).
    pub fn emit_as(
        &mut self,
        code: Code,
        aa: AaCode,
        span: Span,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        debug_assert!(
            code.check().reported_as.contains(&aa),
            "{code:?} is not reported as {aa:?}"
        );
        self.push(code, code.check().severity, Some(aa), span, path, message)
    }

    /// Report `code` with an explicit severity (checks whose weight depends on the policy kind).
    pub fn emit_sev(
        &mut self,
        code: Code,
        severity: Severity,
        span: Span,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(code, severity, None, span, path, message)
    }

    /// [`Ctx::emit_sev`] under the Access Analyzer code `aa` (see [`Ctx::emit_as`]).
    pub fn emit_sev_as(
        &mut self,
        code: Code,
        severity: Severity,
        aa: AaCode,
        span: Span,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        debug_assert!(
            code.check().reported_as.contains(&aa),
            "{code:?} is not reported as {aa:?}"
        );
        self.push(code, severity, Some(aa), span, path, message)
    }

    fn push(
        &mut self,
        code: Code,
        severity: Severity,
        aa: Option<AaCode>,
        span: Span,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let mut d = Diagnostic::new(code, severity, span, path, message);
        present(&mut d, aa);
        self.out.push(d);
        let last = self.out.len() - 1;
        #[expect(
            clippy::indexing_slicing,
            reason = "the element was pushed on the line above"
        )]
        &mut self.out[last]
    }

    /// The source text of `span` ("" when out of range).
    pub fn text(&self, span: Span) -> &'a str {
        self.src.get(span.range()).unwrap_or("")
    }

    /// JSON path of statement `i`.
    pub fn stmt_path(&self, i: usize) -> String {
        if self.policy.statement_single {
            "Statement".into()
        } else {
            format!("Statement[{i}]")
        }
    }

    /// The statements with their index.
    pub fn statements(&self) -> impl Iterator<Item = (usize, &'a Statement)> + use<'a> {
        let p: &'a Policy = self.policy;
        p.statements.iter().enumerate()
    }
}

/// JSON path of item `i` of `list` under `base`.
pub(crate) fn item_path(base: &str, list: &OneOrMany, i: usize) -> String {
    if list.single {
        base.to_string()
    } else {
        format!("{base}[{i}]")
    }
}

/// An edit that removes item `i` of an array, with its separating comma, or `None` when that cannot be done
/// cleanly (a single value, or unparsed neighbours).
pub(crate) fn remove_item_fix(src: &str, list: &OneOrMany, i: usize) -> Option<(Span, String)> {
    if list.single || list.items.len() < 2 {
        return None;
    }
    let item = list.items.get(i)?.span;
    let clean = |from: u32, to: u32| {
        src.get(from as usize..to as usize)
            .is_some_and(|t| t.chars().filter(|c| *c == ',').count() == 1 && t.trim() == ",")
    };
    if let Some(prev) = i.checked_sub(1).and_then(|p| list.items.get(p)) {
        let prev = prev.span;
        if clean(prev.end, item.start) {
            return Some((
                Span::new(prev.end as usize, item.end as usize),
                String::new(),
            ));
        }
    } else if let Some(next) = list.items.get(1) {
        let next = next.span;
        if clean(item.end, next.start) {
            return Some((
                Span::new(item.start as usize, next.start as usize),
                String::new(),
            ));
        }
    }
    None
}

/// JSON string literal for `s`.
pub(crate) fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str, kind: PolicyKind) -> Vec<&'static str> {
        validate(text, kind).iter().map(|d| d.code).collect()
    }

    #[test]
    fn clean_policy_has_no_findings() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}"#;
        assert_eq!(
            codes(text, PolicyKind::Identity(IdentityKind::Managed)),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn not_json_is_one_error() {
        let d = validate("This is not a json document", PolicyKind::Trust);
        assert!(!d.is_empty());
        assert!(d.iter().all(|d| d.code == "JSON_SYNTAX_ERROR"));
    }

    #[test]
    fn every_emitted_code_is_registered() {
        let text = r#"{"Statement":[{"Effect":"Allow","Action":["s3:getobject","s3:GetObject","nope:X"],"Resource":["*","arn:aws:s3::x"],"Principal":"*","Condition":{"StringEqual":{"a":"b"},"NullIfExists":{"aws:x":"maybe"}}}]}"#;
        for d in validate(text, PolicyKind::Identity(IdentityKind::Managed)) {
            assert!(check(d.subcode.unwrap_or(d.code)).is_some(), "{}", d.code);
        }
    }

    #[test]
    fn parsed_documents_of_any_shape_are_safe() {
        let kinds = [
            PolicyKind::Identity(IdentityKind::Managed),
            PolicyKind::Trust,
            PolicyKind::Scp,
        ];
        for (src, span) in [
            ("", Span::new(0, 0)),
            ("[1]", Span::new(0, 3)),
            ("x", Span::new(5, 9)),
        ] {
            let policy = Policy {
                span,
                ..Policy::default()
            };
            for k in kinds {
                let _ = validate_policy(&policy, src, k);
            }
        }
    }

    #[test]
    fn kinds_from_names_and_roles() {
        assert_eq!(PolicyKind::from_name("SCP"), Some(PolicyKind::Scp));
        assert_eq!(PolicyKind::from_name("nope"), None);
        assert_eq!(PolicyKind::from(DocRole::Trust), PolicyKind::Trust);
        assert_eq!(
            PolicyKind::resource_of("S3"),
            PolicyKind::Resource {
                service: Some("s3")
            }
        );
    }

    #[test]
    fn remove_fix_takes_the_comma() {
        let text = r#"["a", "b", "c"]"#;
        let list = OneOrMany {
            items: [(1, 4), (6, 9), (11, 14)]
                .map(|(s, e)| crate::policy::Spanned {
                    value: "x".into(),
                    span: Span::new(s, e),
                })
                .into(),
            ..OneOrMany::default()
        };
        let (span, _) = remove_item_fix(text, &list, 1).unwrap();
        let mut t = text.to_string();
        t.replace_range(span.range(), "");
        assert_eq!(t, r#"["a", "c"]"#);
        let (span, _) = remove_item_fix(text, &list, 0).unwrap();
        let mut t = text.to_string();
        t.replace_range(span.range(), "");
        assert_eq!(t, r#"["b", "c"]"#);
    }
}
