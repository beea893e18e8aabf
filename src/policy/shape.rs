//! What IAM refuses in one item of an element, whatever the policy's kind: an action that is not
//! `service:action`, a resource that is not an ARN of six fields, a principal with a wildcard or that is not an
//! account, user, role or session, `NullIfExists`. One source for the validator, which reports each fault with its
//! code, message and fix, and for the parser, which marks a statement that holds such an item ([`mark_refused`]):
//! AWS would not have stored that policy, so what it meant is not known, and the evaluator reads the statement in
//! the least permissive way instead of as written (a `Deny` of `" s3:GetObject"` would otherwise match nothing and
//! the answer would be a certain `Allow`).
//!
//! Action: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>;
//! ARN format: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>;
//! principals: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>.

use super::{
    ActionBlock, BaseOperator, Effect, Policy, PrincipalKind, PrincipalValue, Spanned, Statement,
    Str,
};
use crate::arn::Arn;
use crate::arn::is_account_id;
use crate::text::Span;

/// Partitions (<https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html>).
pub const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// What an IAM ARN's resource part may start with (IAM's own error message lists them).
pub const IAM_PATHS: [&str; 16] = [
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
    "assumed-role/",
    "delegation-request/",
    "role-template/",
];

/// Why IAM refuses an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionFault {
    /// No `:`.
    NoColon,
    /// More than one `:`.
    TwoColons,
    /// An empty service or action name.
    EmptyPart,
    /// A service prefix with characters other than letters, digits, `-`, `_`, `.` and wildcards.
    Vendor,
}

/// Whether IAM accepts `v` as an item of `Action`/`NotAction` (`*` is accepted).
pub fn action(v: &str) -> Result<(), ActionFault> {
    if v == "*" {
        return Ok(());
    }
    let Some((service, name)) = v.split_once(':') else {
        return Err(ActionFault::NoColon);
    };
    if name.contains(':') {
        return Err(ActionFault::TwoColons);
    }
    if service.is_empty() || name.is_empty() {
        return Err(ActionFault::EmptyPart);
    }
    if !service
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'*' | b'?'))
    {
        return Err(ActionFault::Vendor);
    }
    Ok(())
}

/// Why an item of `Resource`/`NotResource` is not a well-formed ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceFault {
    /// Neither `*` nor anything with a `:`.
    NotArn,
    /// The first field is not `arn`.
    Prefix,
    /// Not a partition.
    Partition,
    /// An empty service field.
    NoService,
    /// `arn:aws:service` alone: IAM accepts it and reads the missing fields as `*` ([`ResourceFault::refused`] is
    /// false).
    OnlyService,
    /// Fewer than six fields (how many).
    Fields(usize),
    /// A region in an IAM ARN or an S3 bucket or object ARN.
    RegionNotAllowed,
    /// An IAM ARN whose resource is not one of [`IAM_PATHS`].
    IamPath,
}

impl ResourceFault {
    /// Whether IAM refuses the policy (every fault but [`ResourceFault::OnlyService`]).
    pub fn refused(self) -> bool {
        self != ResourceFault::OnlyService
    }
}

/// Whether `raw` is a well-formed resource ARN or `*`. Policy variables (`${aws:username}`) count as wildcards,
/// so their colons do not split fields.
pub fn resource(raw: &str) -> Result<(), ResourceFault> {
    if raw == "*" {
        return Ok(());
    }
    let owned;
    let v = if crate::policy::variables::has_variable(raw) {
        owned = super::variables::to_wildcards(raw);
        owned.as_str()
    } else {
        raw
    };
    if !v.contains(':') {
        return Err(ResourceFault::NotArn);
    }
    let mut fields = v.splitn(6, ':');
    let count = v.splitn(6, ':').count();
    let prefix = fields.next().unwrap_or_default();
    let partition = fields.next().unwrap_or_default();
    let service = fields.next().unwrap_or_default();
    if prefix != "arn" {
        return Err(ResourceFault::Prefix);
    }
    if !PARTITIONS.contains(&partition) && !has_wildcard(partition) {
        return Err(ResourceFault::Partition);
    }
    if service.is_empty() {
        return Err(ResourceFault::NoService);
    }
    if count == 3 {
        return Err(ResourceFault::OnlyService);
    }
    let Some(arn) = Arn::fields(v) else {
        return Err(ResourceFault::Fields(count));
    };
    let iam = arn.service.eq_ignore_ascii_case("iam");
    let region_set = !arn.region.is_empty() && arn.region != "*";
    if region_set && (iam || (arn.service.eq_ignore_ascii_case("s3") && arn.account.is_empty())) {
        return Err(ResourceFault::RegionNotAllowed);
    }
    if iam {
        let res = arn.resource;
        let lit = res.split(['*', '?']).next().unwrap_or(res);
        let wild = lit.len() < res.len();
        let ok = IAM_PATHS
            .iter()
            .any(|p| lit.starts_with(p) || (wild && p.starts_with(lit)))
            || (lit == "root" && !wild);
        if !ok {
            return Err(ResourceFault::IamPath);
        }
    }
    Ok(())
}

/// Why IAM refuses a principal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalFault {
    /// A wildcard inside a principal: only a bare `*` is allowed.
    Wildcard,
    /// An `AWS` principal that is not an account id, an IAM user or role, an STS session or `*`.
    Format,
}

/// A principal's unique id (`AIDA…`, `AROA…`): what IAM shows for a deleted user or role.
fn is_unique_id(s: &str) -> bool {
    s.len() >= 16
        && s.starts_with('A')
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Whether IAM accepts `v` as a principal of `kind`. A policy variable is not refused here (the validator warns
/// that it is compared literally); only `AWS` principals have their format checked (the other kinds' formats are
/// warnings).
pub fn principal(kind: &PrincipalKind, v: &str) -> Result<(), PrincipalFault> {
    if crate::policy::variables::has_variable(v) || v == "*" {
        return Ok(());
    }
    if has_wildcard(v) {
        return Err(PrincipalFault::Wildcard);
    }
    if *kind == PrincipalKind::Aws && !aws_principal_ok(v) {
        return Err(PrincipalFault::Format);
    }
    Ok(())
}

fn aws_principal_ok(v: &str) -> bool {
    if is_account_id(v) || is_unique_id(v) {
        return true;
    }
    let Some(Arn {
        service,
        region,
        account,
        resource,
        ..
    }) = Arn::parse(v)
    else {
        return false;
    };
    region.is_empty()
        // `cloudfront` is the account of legacy CloudFront origin access identities
        // (`arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL`).
        && (is_account_id(account) || (service == "iam" && matches!(account, "aws" | "cloudfront")))
        && match service {
            // A group cannot be a principal.
            "iam" => {
                resource == "root"
                    || ["user/", "role/", "federated-user/", "assumed-role/"]
                        .iter()
                        .any(|p| resource.starts_with(p))
            }
            "sts" => {
                resource.starts_with("assumed-role/") || resource.starts_with("federated-user/")
            }
            _ => false,
        }
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// The items of `s` that IAM refuses, with why: the first, and whether there is another (counting `already`, an
/// error the parser found).
fn refused_items(s: &Statement, already: bool) -> Option<((Span, String), bool)> {
    // An `Allow` read as written allows less than any reading of a refused item, except where the item is a
    // pattern or in a `Not…` list: only those count for it (a principal with a wildcard is not matched as a
    // pattern, so it names no one).
    let allow = s.effect.as_ref().is_some_and(|e| e.value == Effect::Allow);
    let counts = |not: bool, item: &str| !allow || not || has_wildcard(item);
    let mut first: Option<(Span, String)> = None;
    let mut more = already;
    let mut found = |span: Span, why: String| {
        if first.is_none() {
            first = Some((span, why));
        } else {
            more = true;
        }
    };
    if let Some(block) = &s.action {
        let (list, not) = match block {
            ActionBlock::Action(l) => (l, false),
            ActionBlock::NotAction(l) => (l, true),
        };
        for item in list.items.iter() {
            if !counts(not, &item.value) {
                continue;
            }
            if let Err(f) = action(&item.value) {
                let why = match f {
                    ActionFault::NoColon => "has no service prefix",
                    ActionFault::TwoColons => "has more than one colon",
                    ActionFault::EmptyPart => "lacks a service or an action name",
                    ActionFault::Vendor => {
                        "has a character other than a letter, a digit, `-`, `_` or `.` in its service prefix"
                    }
                };
                found(
                    item.span,
                    format!("the action `{}` {why}", excerpt(&item.value)),
                );
            }
        }
    }
    if let Some(block) = &s.resource {
        for item in block.list().items.iter() {
            if !counts(block.is_not(), &item.value) {
                continue;
            }
            let f = match resource(&item.value) {
                Err(f) if f.refused() => f,
                _ => continue,
            };
            let why = match f {
                ResourceFault::NotArn | ResourceFault::Prefix => "is not an ARN".to_string(),
                ResourceFault::Partition => "names no partition".into(),
                ResourceFault::NoService | ResourceFault::OnlyService => "names no service".into(),
                ResourceFault::Fields(n) => format!("has {n} of an ARN's 6 fields"),
                ResourceFault::RegionNotAllowed => "names a region in an IAM or S3 ARN".into(),
                ResourceFault::IamPath => "names no IAM resource type".into(),
            };
            found(
                item.span,
                format!("the resource `{}` {why}", excerpt(&item.value)),
            );
        }
    }
    if let Some(block) = s.principal.as_ref().filter(|_| !allow)
        && let PrincipalValue::Map(entries) = &block.value
    {
        for e in entries {
            for item in e.values.items.iter() {
                if let Err(f) = principal(&e.kind.value, &item.value) {
                    let why = match f {
                        PrincipalFault::Wildcard => "holds a wildcard (only a bare `*` is allowed)",
                        PrincipalFault::Format => "is not an account, a user, a role or a session",
                    };
                    found(
                        item.span,
                        format!("the principal `{}` {why}", excerpt(&item.value)),
                    );
                }
            }
        }
    }
    // `NullIfExists`: `Null` already tests existence, and IAM refuses the suffix on it.
    if let Some(c) = s.conditions.iter().find(|c| {
        c.op.is_some_and(|o| o.base == BaseOperator::Null && o.if_exists)
    }) {
        found(
            c.operator.span,
            format!(
                "the operator `{}` adds `IfExists` to `Null`",
                excerpt(&c.operator.value)
            ),
        );
    }
    first.map(|f| (f, more))
}

fn excerpt(s: &str) -> String {
    crate::text::excerpt(s, 80)
}

/// Mark each statement that holds an item IAM refuses: [`Statement::invalid`] names the item (or the whole
/// statement, for faults in more than one place), so the evaluator does not take a mismatch in that element as
/// final. AWS would not have stored the policy, so what it meant is not known: a `Deny` that may apply is read as
/// applying, and an `Allow` whose refused item could match more than any reading of it (a pattern such as `"s3*"`,
/// which matches `s3:GetObject`, or an item of `NotAction`/`NotResource`) is not counted. Other refused items of
/// an `Allow` are read as written: they match less than the text could have meant.
pub fn mark_refused(policy: &mut Policy) {
    for s in &mut policy.statements {
        let Some(((span, why), more)) = refused_items(s, s.invalid.is_some()) else {
            continue;
        };
        let why = Str::from(format!("{why}, which IAM refuses").as_str());
        // Faults in more than one place: the whole statement is in doubt (a mismatch in any element is not
        // final), as for a key written twice.
        let span = if more { s.span } else { span };
        match &mut s.invalid {
            Some(first) => first.span = span,
            None => s.invalid = Some(Box::new(Spanned { value: why, span })),
        }
    }
}
