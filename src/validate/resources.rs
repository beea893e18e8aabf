//! Resource checks: ARN shape (prefix, partition, service, field count, region and account rules, IAM
//! resource paths) and whether each ARN fits the resource types of the statement's actions.
//!
//! ARN format: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>;
//! resource element: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>.
//! The hard errors reproduce what IAM answers `CreatePolicy` (see `tests/fixtures/policies/aws-rejects.json`).

use super::Code;
use super::grammar::DiagExt;
use super::{Ctx, item_path, quote};
use crate::catalog::{Catalog, catalog, has_wildcard, wildcard_match};
use crate::diagnostic::Severity;
use crate::policy::Statement;
use crate::text::Span;
use rustc_hash::FxHashSet;
use std::sync::OnceLock;

use crate::policy::shape::{PARTITIONS, ResourceFault};

/// Replace policy variables (`${aws:username}`) by `*`, so their colons do not split ARN fields.
pub(crate) fn vars_to_wildcards(s: &str) -> String {
    crate::policy::variables::to_wildcards(s)
}

/// Service parts of every ARN template in the catalog.
fn arn_services() -> &'static FxHashSet<String> {
    static SET: OnceLock<FxHashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = FxHashSet::default();
        for s in &catalog().services {
            for r in &s.resource_types {
                if let Some(svc) = Arn::fields(r.arn).map(|a| a.service) {
                    set.insert(svc.to_ascii_lowercase());
                }
            }
        }
        set
    })
}

pub(crate) use crate::arn::Arn;

/// The six fields of an ARN or ARN pattern, whatever its prefix says (the prefix is checked apart).
pub(crate) fn split_arn(s: &str) -> Option<Arn<'_>> {
    Arn::fields(s)
}

pub(crate) fn looks_like_region(r: &str) -> bool {
    // `us-east-1`, `eu-central-2`, `us-gov-west-1`, `us-isob-east-1`, `cn-north-1`.
    let parts: Vec<&str> = r.split('-').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return false;
    };
    !middle.is_empty()
        && first.len() == 2
        && first.chars().all(|c| c.is_ascii_lowercase())
        && middle
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && last.chars().all(|c| c.is_ascii_digit())
        && !last.is_empty()
}

/// True when a field of a policy ARN fits a field of a catalog template.
fn field_fits(template: &str, value: &str) -> bool {
    if crate::policy::variables::has_variable(template) {
        return true;
    }
    if template.is_empty() {
        return value.is_empty() || value == "*";
    }
    if has_wildcard(value) {
        return wildcard_match(value, template);
    }
    template.eq_ignore_ascii_case(value)
}

/// True when the policy ARN `arn` (variables already turned into `*`) may name a resource of `template`.
pub(crate) fn arn_fits_template(template: &str, arn: &Arn) -> bool {
    let Some(t) = split_arn(template) else {
        return false;
    };
    if !field_fits(t.service, arn.service)
        || !field_fits(t.region, arn.region)
        || !field_fits(t.account, arn.account)
    {
        return false;
    }
    let glob = template_glob(t.resource);
    if has_wildcard(arn.resource) {
        // Both sides are patterns: compatible when their literal prefixes agree.
        let lp = literal_prefix(arn.resource, &['*', '?']);
        let lg = literal_prefix(&glob, &['*']);
        let n = lp.len().min(lg.len());
        lp.get(..n)
            .zip(lg.get(..n))
            .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
            && (lp.len() <= lg.len() || glob.contains('*') || lp.eq_ignore_ascii_case(lg))
    } else {
        wildcard_match(&glob, arn.resource)
    }
}

/// `s` up to its first wildcard character.
fn literal_prefix<'a>(s: &'a str, wildcards: &[char]) -> &'a str {
    s.split(wildcards).next().unwrap_or(s)
}

fn template_glob(t: &str) -> String {
    crate::policy::variables::to_wildcards(t)
}

pub(crate) fn check(cx: &mut Ctx) {
    for (si, s) in cx.statements() {
        let Some(block) = &s.resource else { continue };
        if cx.kind == super::PolicyKind::Trust {
            continue;
        }
        let list = block.list();
        let name = if block.is_not() {
            "NotResource"
        } else {
            "Resource"
        };
        let base = format!("{}.{name}", cx.stmt_path(si));
        let mut fine: Vec<bool> = Vec::with_capacity(list.items.len());
        for (ii, item) in list.items.iter().enumerate() {
            let path = item_path(&base, list, ii);
            fine.push(arn_shape(cx, &item.value, item.span, &path));
        }
        if !block.is_not() {
            type_fit(cx, si, s, &fine);
        }
    }
}

/// Shape checks of one resource; true when it is a well-formed ARN (or `*`) worth matching.
fn arn_shape(cx: &mut Ctx, raw: &str, span: Span, path: &str) -> bool {
    if raw == "*" {
        return true;
    }
    let v = vars_to_wildcards(raw);
    // Fewer than six fields still gets its prefix and partition named.
    let fields: Vec<&str> =
        Arn::fields(&v).map_or_else(|| v.splitn(6, ':').collect(), |a| a.to_array().to_vec());
    let field = |i: usize| fields.get(i).copied().unwrap_or_default();
    if let Err(fault) = crate::policy::shape::resource(raw) {
        // Each fault: its code, message, help and fix (the fixed text, quoted when reported).
        let (code, message, help, fix): (Code, String, Option<String>, Option<String>) = match fault
        {
            ResourceFault::NotArn => (
                Code::INVALID_ARN_FORMAT,
                format!(
                    "resource `{raw}` must be an ARN (`arn:partition:service:region:account:resource`) or `*`"
                ),
                None,
                None,
            ),
            ResourceFault::Prefix => (
                Code::INVALID_ARN_PREFIX,
                format!("resource `{raw}` must start with `arn:`"),
                None,
                if PARTITIONS.contains(&field(0)) {
                    Some(format!("arn:{raw}"))
                } else if field(0).eq_ignore_ascii_case("arn") {
                    Some(format!("arn{}", raw.get(3..).unwrap_or_default()))
                } else {
                    None
                },
            ),
            ResourceFault::Partition => {
                let partition = field(1);
                let lower = partition.to_ascii_lowercase();
                (
                    Code::INVALID_PARTITION,
                    format!("partition `{partition}` of `{raw}` is not valid"),
                    Some("use `aws` (or `aws-cn`, `aws-us-gov`, …)".into()),
                    PARTITIONS
                        .contains(&lower.as_str())
                        .then(|| raw.replacen(partition, &lower, 1)),
                )
            }
            ResourceFault::NoService => (
                Code::MISSING_ARN_SERVICE,
                format!("resource `{raw}` has no service: the service must be fully qualified"),
                Some(
                    "write `arn:aws:service:region:account:resource`, e.g. `arn:aws:s3:::bucket`"
                        .into(),
                ),
                None,
            ),
            // IAM accepts `arn:aws:service` (it reads the missing fields as wildcards), but it is unusual: a
            // warning.
            ResourceFault::OnlyService => (
                Code::MISSING_ARN_FIELD,
                format!(
                    "resource `{raw}` has only a service; IAM reads the missing region, account and resource as `*`"
                ),
                Some(format!("write `{raw}:*:*:*` if every resource is meant")),
                None,
            ),
            ResourceFault::Fields(n) => (
                Code::MISSING_ARN_FIELD,
                format!(
                    "resource `{raw}` has {n} of the 6 ARN fields (`arn:partition:service:region:account:resource`)"
                ),
                Some("for S3 buckets write `arn:aws:s3:::bucket` (three colons)".into()),
                None,
            ),
            ResourceFault::RegionNotAllowed => (
                Code::ARN_REGION_NOT_ALLOWED,
                format!(
                    "resource `{raw}` cannot contain a region: {} names are global",
                    if field(2).eq_ignore_ascii_case("iam") {
                        "IAM"
                    } else {
                        "S3 bucket"
                    }
                ),
                Some("leave the region empty: IAM and S3 bucket names are global".into()),
                Some(raw.replacen(&format!(":{}:", field(3)), "::", 1)),
            ),
            ResourceFault::IamPath => (
                Code::INVALID_IAM_RESOURCE_PATH,
                format!(
                    "resource `{raw}` of IAM must name `user/`, `role/`, `group/`, `policy/`, `instance-profile/`, … or be `*`"
                ),
                None,
                None,
            ),
        };
        let severity = if fault.refused() {
            code.check().severity
        } else {
            Severity::Warning
        };
        let d = cx.emit_sev(code, severity, span, path, message);
        if let Some(h) = help {
            d.help(h);
        }
        if let Some(f) = fix {
            d.with_fix_mut(span, quote(&f));
        }
        return false;
    }
    let Some(arn) = split_arn(&v) else {
        return false;
    };
    let svc = arn.service.to_ascii_lowercase();
    if !arn.region.is_empty() && !has_wildcard(arn.region) && !looks_like_region(arn.region) {
        cx.emit(
            Code::INVALID_ARN_REGION,
            span,
            path,
            format!(
                "`{}` in `{raw}` is not a region name such as `us-east-1`",
                arn.region
            ),
        )
        .help("use a region code, or `*`");
    }
    if !arn.account.is_empty()
        && !has_wildcard(arn.account)
        && arn.account != "aws"
        && (arn.account.len() != 12 || !arn.account.chars().all(|c| c.is_ascii_digit()))
    {
        cx.emit(
            Code::INVALID_ARN_ACCOUNT,
            span,
            path,
            format!("`{}` in `{raw}` is not a 12-digit account id", arn.account),
        )
        .help("use the account id, or `*`");
    }
    if !has_wildcard(arn.service) && !arn_services().contains(&svc) {
        let c: &Catalog = catalog();
        let d = cx.emit(
            Code::UNKNOWN_ARN_SERVICE,
            span,
            path,
            format!(
                "no resource type of the catalog has service `{}` in its ARN ({})",
                arn.service,
                c.label()
            ),
        );
        if let Some(s) = c.suggest_service(arn.service) {
            d.help(format!("did you mean `{s}`?"));
        }
        return false;
    }
    true
}

/// Whether each resource fits the resource types of the statement's actions, and each action some resource.
fn type_fit(cx: &mut Ctx, si: usize, s: &Statement, fine: &[bool]) {
    let exp = cx.expanded;
    let Some(acts) = exp.get(si) else { return };
    if acts.not || acts.items.is_empty() || acts.any_all() {
        return;
    }
    let Some(res_block) = &s.resource else { return };
    let list = res_block.list();
    if list.items.iter().any(|r| &*r.value == "*") {
        return;
    }
    let c = catalog();
    // Distinct resource types over all actions.
    let mut types: Vec<(u32, u32)> = Vec::new();
    let mut star_only: Vec<usize> = Vec::new();
    for (ii, it) in acts.items.iter().enumerate() {
        for id in &it.ids {
            let Some((svc, a)) = c.get(*id) else { continue };
            if a.resources.is_empty() {
                if it.ids.len() == 1 {
                    star_only.push(ii);
                }
                continue;
            }
            let _ = svc;
            for r in &a.resources {
                if let Some(t) = r.resource_type {
                    let key = (id.service, t);
                    if !types.contains(&key) {
                        types.push(key);
                    }
                }
            }
        }
    }
    let arns: Vec<(usize, String)> = list
        .items
        .iter()
        .enumerate()
        .filter(|(i, _)| fine.get(*i).copied().unwrap_or(false))
        .map(|(i, r)| (i, vars_to_wildcards(&r.value)))
        .collect();
    let fits = |arn_text: &str, svc: u32, t: u32| -> bool {
        let Some(template) = c
            .services
            .get(svc as usize)
            .and_then(|s| s.resource_types.get(t as usize))
            .map(|r| r.arn)
        else {
            return false;
        };
        split_arn(arn_text).is_some_and(|a| arn_fits_template(template, &a))
    };
    let action_list = s.action.as_ref().map(|a| a.list());
    let base = cx.stmt_path(si);
    if !types.is_empty() {
        for (i, arn_text) in &arns {
            if !types.iter().any(|(svc, t)| fits(arn_text, *svc, *t))
                && let Some(item) = list.items.get(*i)
            {
                cx.emit(
                    Code::RESOURCE_TYPE_MISMATCH,
                    item.span,
                    item_path(&format!("{base}.Resource"), list, *i),
                    format!("`{}` fits no resource type of the statement's actions", item.value),
                )
                .help("check the ARN format in the Service Authorization Reference, or move it to a statement whose actions apply to it");
            }
        }
    }
    let Some(action_list) = action_list else {
        return;
    };
    if arns.len() != list.items.len() || list.items.is_empty() {
        return; // some resources could not be read; do not guess
    }
    for (ii, it) in acts.items.iter().enumerate() {
        let [id] = it.ids[..] else {
            continue;
        };
        let Some(item) = action_list.items.get(ii) else {
            continue;
        };
        let Some((svc, a)) = c.get(id) else { continue };
        if star_only.contains(&ii) {
            cx.emit(
                Code::ACTION_REQUIRES_STAR_RESOURCE,
                item.span,
                item_path(&format!("{base}.Action"), action_list, ii),
                format!("`{}:{}` supports only `\"Resource\": \"*\"`; with these ARNs it is never allowed", svc.prefix, a.name),
            )
            .help("move it to a statement with `\"Resource\": \"*\"`");
            continue;
        }
        let any = a.resources.iter().any(|r| {
            r.resource_type
                .is_some_and(|t| arns.iter().any(|(_, arn)| fits(arn, id.service, t)))
        });
        if !any && !a.resources.is_empty() {
            let names: Vec<&str> = a.resources.iter().map(|r| r.name).collect();
            cx.emit(
                Code::ACTION_WITHOUT_MATCHING_RESOURCE,
                item.span,
                item_path(&format!("{base}.Action"), action_list, ii),
                format!(
                    "`{}:{}` applies to {}, none of which is named in `Resource`",
                    svc.prefix,
                    a.name,
                    names.join(", ")
                ),
            )
            .help("add the matching ARN or move the action to another statement");
        }
    }
}
