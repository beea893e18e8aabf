//! Grammar checks: the elements each policy kind requires or forbids.
//!
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>; trust policies:
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>; SCPs:
//! <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html>.
#![allow(clippy::collapsible_match)] // one arm per policy kind reads better than guards

use super::{AaCode, Code};
use super::{Ctx, IdentityKind, PolicyKind, quote};
use crate::diagnostic::Severity;
use crate::policy::{Effect, PrincipalValue, Statement};
use crate::text::Span;
use rustc_hash::FxHashMap;

pub(crate) fn check(cx: &mut Ctx) {
    version(cx);
    statements(cx);
    sids(cx);
}

/// The first byte of `span` (the `{` of an object), as the place to report a missing element.
pub(crate) fn brace(span: Span) -> Span {
    Span::new(span.start as usize, span.start as usize + 1)
}

/// True when the object text of `span` has a member named `key` at its top level (approximately: the
/// quoted key followed by a colon). Used to avoid reporting "missing" for an element the parser already
/// reported as malformed.
pub(crate) fn has_key(cx: &Ctx, span: Span, key: &str) -> bool {
    let t = cx.text(span);
    let pat = format!("\"{key}\"");
    t.match_indices(&pat).any(|(i, _)| {
        t.get(i + pat.len()..)
            .is_some_and(|after| after.trim_start().starts_with(':'))
    })
}

fn version(cx: &mut Ctx) {
    let strict = matches!(
        cx.kind,
        PolicyKind::Identity(IdentityKind::Managed)
            | PolicyKind::Boundary
            | PolicyKind::Scp
            | PolicyKind::Rcp
    );
    match cx.policy.version.clone() {
        None => {
            if has_key(cx, cx.policy.span, "Version") {
                return; // malformed, reported by the parser
            }
            let sev = if strict {
                Severity::Error
            } else {
                Severity::Warning
            };
            let span = brace(cx.policy.span);
            let has_members = cx
                .text(cx.policy.span)
                .get(1..)
                .is_some_and(|t| t.trim_start().starts_with('"'));
            let d = cx.emit_sev(
                Code::MISSING_VERSION,
                sev,
                span,
                "",
                if strict {
                    format!("a {} must have `\"Version\": \"2012-10-17\"`", cx.kind.label())
                } else {
                    "the policy has no `Version`: it defaults to `2008-10-17`, which does not substitute policy variables".to_string()
                },
            );
            d.help = Some("add `\"Version\": \"2012-10-17\"` as the first element".into());
            if has_members {
                let at = Span::new(span.end as usize, span.end as usize);
                d.fix = Some(crate::diagnostic::Edit {
                    span: at,
                    text: "\"Version\": \"2012-10-17\", ".into(),
                });
            }
        }
        Some(v) => match &*v.value {
            "2012-10-17" => {}
            "2008-10-17" if strict => {
                cx.emit(
                    Code::INVALID_VERSION,
                    v.span,
                    "Version",
                    format!(
                        "a {} must be version `2012-10-17` or greater, found `2008-10-17`",
                        cx.kind.label()
                    ),
                )
                .with_fix_mut(v.span, quote("2012-10-17"));
            }
            // The legacy version is valid; it matters only when the policy uses variables, which it leaves as
            // literal text.
            "2008-10-17" if !crate::policy::variables::has_variable(cx.text(cx.policy.span)) => {}
            "2008-10-17" => {
                cx.emit(
                    Code::OLD_VERSION,
                    v.span,
                    "Version",
                    "version `2008-10-17` treats policy variables as literal text; use `2012-10-17`",
                )
                .with_fix_mut(v.span, quote("2012-10-17"));
            }
            other => {
                let other = other.to_string();
                cx.emit(
                    Code::INVALID_VERSION,
                    v.span,
                    "Version",
                    format!("`Version` must be `2012-10-17` (or the legacy `2008-10-17`), found `{other}`"),
                )
                .with_fix_mut(v.span, quote("2012-10-17"));
            }
        },
    }
}

/// Builder-style helpers on `&mut Diagnostic`.
pub(crate) trait DiagExt {
    fn with_fix_mut(&mut self, span: Span, text: String) -> &mut Self;
    fn help(&mut self, help: impl Into<String>) -> &mut Self;
}

impl DiagExt for crate::diagnostic::Diagnostic {
    fn with_fix_mut(&mut self, span: Span, text: String) -> &mut Self {
        self.fix = Some(crate::diagnostic::Edit { span, text });
        self
    }
    fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
}

fn statements(cx: &mut Ctx) {
    let p = cx.policy;
    match p.statement_span {
        None => {
            if !has_key(cx, p.span, "Statement") {
                cx.emit(
                    Code::MISSING_STATEMENT,
                    brace(p.span),
                    "",
                    "the policy has no `Statement`",
                )
                .help(
                    "add `\"Statement\": [{\"Effect\": ..., \"Action\": ..., \"Resource\": ...}]`",
                );
            }
        }
        Some(span) => {
            if p.statements.is_empty() && cx.text(span).starts_with('[') {
                let inner = cx.text(span).get(1..).unwrap_or_default().trim_start();
                if inner.starts_with(']') {
                    cx.emit(
                        Code::EMPTY_STATEMENT,
                        span,
                        "Statement",
                        "`Statement` is empty: the policy must have at least one statement",
                    );
                }
            }
        }
    }
    for (i, s) in cx.statements() {
        statement(cx, i, s);
    }
}

fn statement(cx: &mut Ctx, i: usize, s: &Statement) {
    let path = cx.stmt_path(i);
    let at = brace(s.span);
    if s.effect.is_none() && !has_key(cx, s.span, "Effect") {
        cx.emit(
            Code::MISSING_EFFECT,
            at,
            path.clone(),
            "the statement has no `Effect`",
        )
        .help("add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`");
    }
    match &s.action {
        None => {
            if !has_key(cx, s.span, "Action") && !has_key(cx, s.span, "NotAction") {
                cx.emit(
                    Code::MISSING_ACTION,
                    at,
                    path.clone(),
                    "the statement has no `Action` or `NotAction`",
                )
                .help("add `\"Action\": [\"service:Action\"]`");
            }
        }
        Some(a) => {
            let l = a.list();
            if l.items.is_empty() && cx.text(l.span).starts_with('[') {
                let name = if a.is_not() { "NotAction" } else { "Action" };
                cx.emit(
                    Code::EMPTY_ARRAY_ACTION,
                    l.span,
                    format!("{path}.{name}"),
                    format!("`{name}` is empty: the statement must name at least one action"),
                );
            }
        }
    }
    let is_trust = cx.kind == PolicyKind::Trust;
    match &s.resource {
        None => {
            if !is_trust && !has_key(cx, s.span, "Resource") && !has_key(cx, s.span, "NotResource")
            {
                let sev = if cx.kind == PolicyKind::Scp {
                    Severity::Warning
                } else {
                    Severity::Error
                };
                cx.emit_sev(
                    Code::MISSING_RESOURCE,
                    sev,
                    at,
                    path.clone(),
                    "the statement has no `Resource` or `NotResource`",
                )
                .help("add `\"Resource\": \"*\"` or the ARNs it applies to");
            }
        }
        Some(r) => {
            let l = r.list();
            let name = if r.is_not() {
                "NotResource"
            } else {
                "Resource"
            };
            if is_trust {
                cx.emit(
                    Code::RESOURCE_IN_TRUST_POLICY,
                    l.span,
                    format!("{path}.{name}"),
                    format!("a trust policy cannot have `{name}`: the role itself is the resource"),
                )
                .help(format!("remove `{name}`"));
            } else if l.items.is_empty() && cx.text(l.span).starts_with('[') {
                cx.emit(
                    Code::EMPTY_ARRAY_RESOURCE,
                    l.span,
                    format!("{path}.{name}"),
                    format!("`{name}` is empty: the statement must name at least one resource"),
                )
                .help("write `\"*\"` or the ARNs it applies to");
            }
        }
    }
    principal_presence(cx, i, s, &path);
    if let Some(cs) = s.condition_span
        && s.conditions.is_empty()
        && cx.text(cs).starts_with('{')
        && cx
            .text(cs)
            .get(1..)
            .unwrap_or_default()
            .trim_start()
            .starts_with('}')
    {
        cx.emit(
            Code::EMPTY_OBJECT_CONDITION,
            cs,
            format!("{path}.Condition"),
            "`Condition` is empty and has no effect",
        )
        .help("remove it");
    }
    if cx.kind == PolicyKind::Rcp
        && let Some(a) = &s.action
        && a.is_not()
    {
        cx.emit(
            Code::RCP_SYNTAX_ERROR_NOTACTION,
            a.list().span,
            format!("{path}.NotAction"),
            "a resource control policy cannot have `NotAction`",
        )
        .help("list the denied actions in `Action`");
    }
    if cx.kind == PolicyKind::Rcp
        && let Some(e) = &s.effect
        && e.value == Effect::Allow
    {
        let full = s
            .action
            .as_ref()
            .is_some_and(|a| !a.is_not() && a.list().iter().all(|x| x == "*"))
            && s.resource
                .as_ref()
                .is_some_and(|r| !r.is_not() && r.list().iter().all(|x| x == "*"))
            && s.conditions.is_empty();
        if !full {
            cx.emit(
                Code::RCP_SYNTAX_ERROR_ALLOW,
                e.span,
                format!("{path}.Effect"),
                "a resource control policy can only deny; the one `Allow` statement allowed is the full-access `*` on `*`",
            )
            .help("write the restriction as a `Deny` statement");
        }
    }
}

fn principal_presence(cx: &mut Ctx, _i: usize, s: &Statement, path: &str) {
    let at = brace(s.span);
    match (&s.principal, cx.kind) {
        (None, PolicyKind::Resource { .. } | PolicyKind::Trust | PolicyKind::Rcp) => {
            if !has_key(cx, s.span, "Principal") && !has_key(cx, s.span, "NotPrincipal") {
                cx.emit(
                    Code::MISSING_PRINCIPAL,
                    at,
                    path.to_string(),
                    format!("a statement of a {} must have `Principal`", cx.kind.label()),
                )
                .help("add `\"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:root\"}` naming who it applies to");
            }
        }
        (Some(p), k) if k.is_identity_like() => {
            let name = if p.not { "NotPrincipal" } else { "Principal" };
            cx.emit(
                Code::UNSUPPORTED_PRINCIPAL,
                p.key_span,
                format!("{path}.{name}"),
                format!(
                    "a {} cannot have `{name}`: it applies to the identity it is attached to",
                    k.label()
                ),
            )
            .help(format!("remove `{name}`"));
        }
        (Some(p), PolicyKind::Scp) => {
            let name = if p.not { "NotPrincipal" } else { "Principal" };
            cx.emit(
                Code::SCP_SYNTAX_ERROR_PRINCIPAL,
                p.key_span,
                format!("{path}.{name}"),
                format!("a service control policy cannot have `{name}`"),
            )
            .help("use a condition on `aws:PrincipalArn` to exempt principals");
        }
        (Some(p), PolicyKind::Trust | PolicyKind::Rcp) if p.not => {
            let aa = if cx.kind == PolicyKind::Rcp {
                AaCode::RCP_SYNTAX_ERROR_PRINCIPAL
            } else {
                AaCode::ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL
            };
            cx.emit_as(
                Code::UNSUPPORTED_NOT_PRINCIPAL,
                aa,
                p.key_span,
                format!("{path}.NotPrincipal"),
                format!("a {} cannot have `NotPrincipal`", cx.kind.label()),
            )
            .help("use `Principal` with a condition on `aws:PrincipalArn`");
        }
        (Some(p), _) => {
            if let PrincipalValue::Map(entries) = &p.value
                && entries.iter().all(|e| e.values.items.is_empty())
            {
                let name = if p.not { "NotPrincipal" } else { "Principal" };
                // `{"AWS": []}` is Access Analyzer's empty array principal, `{}` its empty object principal.
                let aa = if entries.is_empty() {
                    AaCode::EMPTY_OBJECT_PRINCIPAL
                } else {
                    AaCode::EMPTY_ARRAY_PRINCIPAL
                };
                cx.emit_as(
                    Code::EMPTY_OBJECT_PRINCIPAL,
                    aa,
                    p.span,
                    format!("{path}.{name}"),
                    format!("`{name}` names no principal"),
                )
                .help("name a principal, e.g. `{\"AWS\": \"arn:aws:iam::123456789012:root\"}`");
            }
        }
        _ => {}
    }
}

fn sids(cx: &mut Ctx) {
    let mut seen: FxHashMap<String, usize> = FxHashMap::default();
    let iam = cx.kind.is_iam_stored();
    let org = matches!(cx.kind, PolicyKind::Scp | PolicyKind::Rcp);
    for (i, s) in cx.statements() {
        let Some(sid) = &s.sid else { continue };
        let path = format!("{}.Sid", cx.stmt_path(i));
        let v: &str = &sid.value;
        if v.is_empty() {
            cx.emit(Code::EMPTY_SID, sid.span, path, "`Sid` is empty")
                .help("remove it or give the statement a name");
            continue;
        }
        if (iam || org) && !v.chars().all(|c| c.is_ascii_alphanumeric()) {
            let clean: String = v.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            // IAM documents A-Z, a-z, 0-9, yet accepts `_` (moto's CreatePolicy cases): a warning, not an error.
            let d = cx.emit_sev(
                Code::UNSUPPORTED_SID,
                Severity::Warning,
                sid.span,
                path.clone(),
                format!("`Sid` `{v}` may contain only letters A-Z, a-z and digits 0-9"),
            );
            if !clean.is_empty() {
                d.help(format!("write `{clean}`"))
                    .with_fix_mut(sid.span, quote(&clean));
            }
        }
        // IAM compares Sids exactly; duplicates are rejected.
        if let Some(first) = seen.get(v) {
            let first = *first;
            let (sev, aa) = if iam {
                (Severity::Error, AaCode::UNIQUE_SIDS_REQUIRED)
            } else {
                (Severity::Warning, AaCode::UNIQUE_SIDS_RECOMMENDED)
            };
            cx.emit_sev_as(
                Code::UNIQUE_SIDS_REQUIRED,
                sev,
                aa,
                sid.span,
                path,
                format!("`Sid` `{v}` is already used by statement {first}"),
            )
            .help("give each statement its own `Sid`");
        } else {
            seen.insert(v.to_string(), i);
        }
    }
}
