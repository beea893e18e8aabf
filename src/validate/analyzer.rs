//! The checks of IAM Access Analyzer's policy check reference that the other groups do not make: condition values
//! that do not mean what they seem (`StringLike` `*`, private `aws:SourceIp` ranges, redundant numeric values),
//! keys that do not fit the policy type or the principal, trust-policy action/principal pairs, ARN account and
//! region fields against the catalog's templates, and the RCP data-perimeter pairings.
//! Reference: <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>.

use super::grammar::DiagExt;
use super::resources::{arn_fits_template, split_arn};
use super::{AaCode, Code, Ctx, PolicyKind, item_path};
use crate::catalog::{KeyType, catalog, has_wildcard};
use crate::diagnostic::Severity;
use crate::policy::{
    BaseOperator, Condition, Effect, PrincipalKind, PrincipalValue, SetQualifier, Statement,
};
use std::net::IpAddr;

pub(crate) fn check(cx: &mut Ctx) {
    for (si, s) in cx.statements() {
        let path = cx.stmt_path(si);
        for (ci, c) in s.conditions.iter().enumerate() {
            condition(cx, s, c, &format!("{path}.Condition[{ci}]"));
        }
        statement_keys(cx, si, s, &path);
        tag_keys(cx, si, s, &path);
        arns(cx, s, &path);
        match cx.kind {
            PolicyKind::Trust => trust(cx, s, &path),
            PolicyKind::Rcp => rcp(cx, s, &path),
            _ => {}
        }
        if matches!(cx.kind, PolicyKind::Resource { .. })
            && let Some(p) = &s.principal
            && let PrincipalValue::Map(entries) = &p.value
        {
            for e in entries {
                if e.kind.value == PrincipalKind::Federated {
                    cx.emit(
                        Code::FEDERATED_PRINCIPAL_NOT_SUPPORTED,
                        e.kind.span,
                        format!("{path}.Principal.Federated"),
                        format!(
                            "a {} cannot name a `Federated` principal: only role trust policies can",
                            cx.kind.label()
                        ),
                    );
                }
            }
        }
        principal_references(cx, s, &path);
    }
}

fn action_supports_key(id: crate::catalog::ActionId, key: &str) -> bool {
    catalog().action_supports_key(id, key)
}

fn key_is(c: &Condition, names: &[&str]) -> bool {
    names.iter().any(|n| c.key.value.eq_ignore_ascii_case(n))
}

fn has_key(s: &Statement, names: &[&str]) -> bool {
    s.conditions.iter().any(|c| key_is(c, names))
}

fn plain(v: &str) -> bool {
    !has_wildcard(v) && !crate::policy::variables::has_variable(v)
}

/// Private (RFC 1918, unique local) and loopback/link-local addresses never reach AWS as `aws:SourceIp`.
fn private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => a.is_private() || a.is_loopback() || a.is_link_local(),
        IpAddr::V6(a) => (a.segments()[0] & 0xfe00) == 0xfc00 || a.is_loopback(),
    }
}

/// The range `ip/bits` with its host bits cleared, when some were set.
fn masked(ip: IpAddr, bits: u8) -> Option<String> {
    match ip {
        IpAddr::V4(a) => {
            let n = u32::from(a);
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            (n & !mask != 0).then(|| format!("{}/{bits}", std::net::Ipv4Addr::from(n & mask)))
        }
        IpAddr::V6(a) => {
            let n = u128::from(a);
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            (n & !mask != 0).then(|| format!("{}/{bits}", std::net::Ipv6Addr::from(n & mask)))
        }
    }
}

fn is_date_canonical(v: &str) -> bool {
    let b = v.as_bytes();
    v.bytes().all(|c| c.is_ascii_digit()) // epoch seconds
        || (b.len() >= 10
            && b.get(4) == Some(&b'-')
            && b.get(7) == Some(&b'-')
            && b.iter().take(4).all(u8::is_ascii_digit)
            && b.get(5..7).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            && b.get(8..10).is_some_and(|d| d.iter().all(u8::is_ascii_digit)))
}

fn is_base64(v: &str) -> bool {
    !v.is_empty()
        && v.len().is_multiple_of(4)
        && v.trim_end_matches('=').len() + 2 >= v.len()
        && v.trim_end_matches('=')
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

fn hex_id(v: &str, prefix: &str) -> bool {
    v.strip_prefix(prefix)
        .is_some_and(|r| !r.is_empty() && r.bytes().all(|c| c.is_ascii_hexdigit()))
}

fn condition(cx: &mut Ctx, s: &Statement, c: &Condition, path: &str) {
    let Some(op) = c.op else { return };
    let key: &str = &c.key.value;
    let lkey = key.to_ascii_lowercase();
    let kpath = format!("{path}.{key}");
    let vals = &c.values;
    let star = vals.items.iter().find(|v| &*v.value == "*");
    let like = matches!(op.base, BaseOperator::StringLike | BaseOperator::ArnLike);
    let not_like = matches!(
        op.base,
        BaseOperator::StringNotLike | BaseOperator::ArnNotLike
    );
    if let Some(v) = star {
        match (op.qualifier, op.if_exists) {
            (None, false) if like => {
                cx.emit(
                    Code::EQUIVALENT_TO_NULL_FALSE,
                    v.span,
                    kpath.clone(),
                    format!(
                        "`{}` with `*` only tests that `{key}` is present",
                        c.operator.value
                    ),
                )
                .help(format!("write `\"Null\": {{\"{key}\": \"false\"}}`"));
            }
            (None, false) if not_like => {
                cx.emit(
                    Code::EQUIVALENT_TO_NULL_TRUE,
                    v.span,
                    kpath.clone(),
                    format!(
                        "`{}` with `*` only tests that `{key}` is absent",
                        c.operator.value
                    ),
                )
                .help(format!("write `\"Null\": {{\"{key}\": \"true\"}}`"));
            }
            (None, true) | (Some(SetQualifier::ForAllValues), _) if like => {
                cx.emit(
                    Code::REDUNDANT_KEY_DUE_TO_WILDCARD_IN_CONDITION,
                    v.span,
                    kpath.clone(),
                    format!("`{}` with `*` matches every request: the condition on `{key}` tests nothing", c.operator.value),
                )
                .help("remove the condition, or name the values meant");
            }
            (Some(SetQualifier::ForAnyValue), _) if not_like => {
                cx.emit(
                    Code::REDUNDANT_STATEMENT_DUE_TO_WILDCARD_IN_CONDITION,
                    v.span,
                    kpath.clone(),
                    format!("`{}` with `*` never matches: every value matches `*`, so the statement never applies", c.operator.value),
                )
                .help("remove the `*`, or the statement");
            }
            _ => {}
        }
    }
    match op.base.family() {
        crate::policy::Family::Ip => {
            let mut private_items = Vec::new();
            for (i, it) in vals.items.iter().enumerate() {
                let Some((ip, bits)) = crate::values::ip_range(&it.value) else {
                    continue;
                };
                if let Some(m) = masked(ip, bits) {
                    cx.emit(
                        Code::IMPROVE_IP_RANGE,
                        it.span,
                        item_path(&kpath, vals, i),
                        format!(
                            "`{}` has bits set after its prefix: it means `{m}`",
                            it.value
                        ),
                    )
                    .with_fix_mut(it.span, super::quote(&m));
                }
                if lkey == "aws:sourceip" && private(ip) {
                    private_items.push(i);
                }
            }
            if let Some(&first) = private_items.first()
                && let Some(it) = vals.items.get(first)
            {
                let all = private_items.len() == vals.items.len();
                let code = match (op.base == BaseOperator::NotIpAddress, all) {
                    (false, true) => Code::PRIVATE_IP_ADDRESS,
                    (false, false) => Code::PRIVATE_IP_ADDRESS_SUBSET,
                    (true, true) => Code::PRIVATE_NOT_IP_ADDRESS,
                    (true, false) => Code::PRIVATE_NOT_IP_ADDRESS_SUBSET,
                };
                cx.emit(
                    code,
                    it.span,
                    item_path(&kpath, vals, first),
                    if op.base == BaseOperator::NotIpAddress {
                        format!("`aws:SourceIp` is a public address; `{}` is private, so no request is in it and `NotIpAddress` always matches", it.value)
                    } else {
                        format!("`aws:SourceIp` is a public address; `{}` is private, so it never matches", it.value)
                    },
                )
                .help(
                    "for traffic through a VPC endpoint use `aws:VpcSourceIp` with `aws:SourceVpc`",
                );
            }
        }
        crate::policy::Family::Numeric
            if op.qualifier.is_none()
                && vals.items.len() > 1
                && matches!(
                    op.base,
                    BaseOperator::NumericLessThan
                        | BaseOperator::NumericLessThanEquals
                        | BaseOperator::NumericGreaterThan
                        | BaseOperator::NumericGreaterThanEquals
                ) =>
        {
            let nums: Vec<f64> = vals
                .items
                .iter()
                .filter_map(|v| crate::values::number(&v.value))
                .collect();
            let less = matches!(
                op.base,
                BaseOperator::NumericLessThan | BaseOperator::NumericLessThanEquals
            );
            let best = nums
                .iter()
                .copied()
                .reduce(|a, b| if (b > a) == less { b } else { a });
            if let Some(best) = best {
                cx.emit(
                    Code::REDUNDANT_CONDITION_VALUE_NUM,
                    vals.span,
                    kpath.clone(),
                    format!(
                        "with several values `{}` matches when any does: only `{best}` counts",
                        c.operator.value
                    ),
                )
                .help(format!("keep only `{best}`"));
            }
        }
        crate::policy::Family::Date => {
            for (i, it) in vals.items.iter().enumerate() {
                let v: &str = &it.value;
                if crate::values::date(v).is_some() && !is_date_canonical(v) {
                    cx.emit(
                        Code::INVALID_DATE_VALUE,
                        it.span,
                        item_path(&kpath, vals, i),
                        format!("`{v}` may not be read as the date meant"),
                    )
                    .help("write `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ`");
                }
            }
        }
        crate::policy::Family::Binary => {
            for (i, it) in vals.items.iter().enumerate() {
                if !crate::policy::variables::has_variable(&it.value) && !is_base64(&it.value) {
                    cx.emit(
                        Code::INVALID_CONDITION_BINARY,
                        it.span,
                        item_path(&kpath, vals, i),
                        format!("`{}` is not a base64-encoded value", it.value),
                    );
                }
            }
        }
        crate::policy::Family::String
            if matches!(
                op.base,
                BaseOperator::StringLike | BaseOperator::StringNotLike
            ) && lkey.starts_with("aws:") // global ARN keys, as in Access Analyzer's examples
                && vals.items.iter().any(|v| has_wildcard(&v.value))
                && catalog()
                    .key_type(key)
                    .is_some_and(|t| t.base == KeyType::Arn) =>
        {
            cx.emit(
                Code::STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS,
                c.operator.span,
                path.to_string(),
                format!(
                    "`{key}` is an ARN: with `{}` a `*` can span ARN fields",
                    c.operator.value
                ),
            )
            .help("use `ArnLike` / `ArnNotLike`");
        }
        _ => {}
    }
    // Keys whose values have a shape.
    for (i, it) in vals.items.iter().enumerate() {
        let v: &str = &it.value;
        if !plain(v) {
            continue;
        }
        let vpath = || item_path(&kpath, vals, i);
        if lkey == "aws:requestedregion" && !super::resources::looks_like_region(v) {
            cx.emit(
                Code::INVALID_REGION,
                it.span,
                vpath(),
                format!("`{v}` is not a region such as `us-east-1`"),
            );
        } else if lkey == "aws:sourcevpc" && !hex_id(v, "vpc-") {
            cx.emit(
                Code::INVALID_VPC_FORMAT,
                it.span,
                vpath(),
                format!("`{v}` is not a VPC id (`vpc-` and hexadecimal digits)"),
            );
        } else if lkey == "aws:sourcevpce" && !hex_id(v, "vpce-") {
            cx.emit(
                Code::INVALID_VPCE_FORMAT,
                it.span,
                vpath(),
                format!("`{v}` is not a VPC endpoint id (`vpce-` and hexadecimal digits)"),
            );
        } else if (lkey == "s3:x-amz-server-side-encryption-aws-kms-key-id" || lkey == "kms:keyarn")
            && !(v.starts_with("arn:") && v.contains(":kms:") && v.contains(":key/"))
        {
            cx.emit(
                Code::INVALID_KMS_KEY_VALUE,
                it.span,
                vpath(),
                format!("`{v}` is not a KMS key ARN (`arn:aws:kms:region:account:key/id`)"),
            );
        }
    }
    if lkey == "token.actions.githubusercontent.com:sub"
        && let Some((i, it)) = vals
            .items
            .iter()
            .enumerate()
            .find(|(_, v)| has_wildcard(&v.value))
    {
        cx.emit(
            Code::SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED,
            it.span,
            item_path(&kpath, vals, i),
            format!(
                "`{}` lets workflows of more repositories or branches assume the role",
                it.value
            ),
        )
        .help("name the repository and branch: `repo:org/repo:ref:refs/heads/main`");
    }
    if lkey.ends_with(":aud")
        && op.qualifier == Some(SetQualifier::ForAnyValue)
        && cx.kind == PolicyKind::Trust
    {
        cx.emit(
            Code::FORANYVALUE_WITH_AUDIENCE_CLAIM_TYPE,
            c.operator.span,
            path.to_string(),
            format!(
                "`{}` on `{key}`: a token with any one matching audience among others is enough",
                c.operator.value
            ),
        )
        .help("use `StringEquals` on the audience");
    }
    if matches!(
        lkey.as_str(),
        "aws:resourcetag"
            | "aws:requesttag"
            | "aws:principaltag"
            | "aws:resourcetag/"
            | "aws:requesttag/"
            | "aws:principaltag/"
    ) {
        cx.emit(
            Code::MISSING_TAG_KEY_IN_CONDITION,
            c.key.span,
            kpath.clone(),
            format!(
                "`{key}` names no tag: write `{}/tag-key`",
                key.trim_end_matches('/')
            ),
        );
    }
    let allow = s.effect.as_ref().map(|e| e.value) == Some(Effect::Allow);
    // In an `Allow` (a `Deny` that also catches listings without a prefix is the safe side).
    if allow && lkey == "s3:prefix" && op.base.is_negated() {
        cx.emit(
            Code::S3_PREFIX_IN_NEGATIVE_CONTEXT,
            c.operator.span,
            path.to_string(),
            format!(
                "`{}` on `s3:prefix` also matches listings without a prefix, the whole bucket",
                c.operator.value
            ),
        )
        .help("use a positive operator, or add `\"Null\": {\"s3:prefix\": \"false\"}`");
    }
    if allow && !op.base.is_negated() && key_is(c, &["aws:UserAgent", "aws:Referer"]) {
        cx.emit(
            Code::UNTRUSTWORTHY_CONDITION_KEY,
            c.key.span,
            kpath.clone(),
            format!("the caller sets `{key}` to anything it likes: it cannot decide access"),
        )
        .help("use `aws:SourceVpce`, `aws:SourceIp` or a principal condition instead");
    }
}

fn statement_keys(cx: &mut Ctx, si: usize, s: &Statement, path: &str) {
    let find = |names: &[&str]| s.conditions.iter().find(|c| key_is(c, names));
    if let Some(c) = find(&["aws:VpcSourceIp"])
        && !has_key(s, &["aws:SourceVpc", "aws:SourceVpce"])
    {
        cx.emit(
            Code::MISSING_PAIRED_CONDITION_KEYS,
            c.key.span,
            format!("{path}.Condition"),
            "`aws:VpcSourceIp` without `aws:SourceVpc` or `aws:SourceVpce`: the same private address exists in every network",
        )
        .help("add `aws:SourceVpc` or `aws:SourceVpce`");
    }
    if let Some(c) = find(&["dynamodb:Attributes"])
        && !has_key(s, &["dynamodb:Select"])
    {
        cx.emit(
            Code::DYNAMODB_ATTRIBUTES_WITHOUT_SELECT,
            c.key.span,
            format!("{path}.Condition"),
            "`dynamodb:Attributes` without `dynamodb:Select`: a request that names no attributes returns them all",
        )
        .help("add `\"StringEquals\": {\"dynamodb:Select\": \"SPECIFIC_ATTRIBUTES\"}`");
    }
    let acts = cx.expanded.get(si);
    let every = acts.is_some_and(|a| a.not || a.any_all());
    if every && let Some(c) = find(&["aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths"]) {
        cx.emit(
            Code::USE_CONDITION_KEY_ONLY_WITH_SUPPORTED_SERVICES,
            c.key.span,
            format!("{path}.Condition"),
            format!(
                "only some services set `{}`: on every action it is missing for the others",
                c.key.value
            ),
        )
        .help("list the actions of the services that support it");
    }
    if cx.kind.is_identity_like()
        && let Some(c) = find(&[
            "aws:SourceArn",
            "aws:SourceAccount",
            "aws:SourceOrgID",
            "aws:SourceOrgPaths",
        ])
    {
        cx.emit(
            Code::IRRELEVANT_CONDITION_KEY_IN_POLICY,
            c.key.span,
            format!("{path}.Condition"),
            format!(
                "`{}` is set only when a service principal calls: it is never present for a {}",
                c.key.value,
                cx.kind.label()
            ),
        );
    }
    // Principal keys on a statement for service principals only.
    if let Some(p) = &s.principal
        && let PrincipalValue::Map(entries) = &p.value
        && !entries.is_empty()
        && entries
            .iter()
            .all(|e| e.kind.value == PrincipalKind::Service)
        && let Some(c) = s.conditions.iter().find(|c| {
            let k = c.key.value.to_ascii_lowercase();
            k.starts_with("aws:principal")
                && !matches!(
                    k.as_str(),
                    "aws:principalisawsservice"
                        | "aws:principalservicename"
                        | "aws:principalservicenameslist"
                )
        })
    {
        cx.emit(
            Code::UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL,
            c.key.span,
            format!("{path}.Condition"),
            format!("service principals do not carry `{}`", c.key.value),
        )
        .help("use `aws:SourceArn` or `aws:SourceAccount` for service principals");
    }
    // Service keys some of the statement's actions do not support.
    let Some(acts) = acts else { return };
    if acts.not || acts.any_all() || acts.items.iter().any(|i| !i.known_service) {
        return;
    }
    let cat = catalog();
    for c in &s.conditions {
        let key: &str = &c.key.value;
        if key.to_ascii_lowercase().starts_with("aws:") || !key.contains(':') {
            continue;
        }
        let mut supported = 0usize;
        let mut unsupported: Vec<String> = Vec::new();
        for id in acts.items.iter().flat_map(|i| i.ids.iter()) {
            let ok = action_supports_key(*id, key);
            if ok {
                supported += 1;
            } else if unsupported.len() < 3
                && let Some((svc, a)) = cat.get(*id)
            {
                unsupported.push(format!("{}:{}", svc.prefix, a.name));
            }
        }
        if supported > 0 && !unsupported.is_empty() {
            cx.emit(
                Code::UNSUPPORTED_ACTION_FOR_CONDITION_KEY,
                c.key.span,
                format!("{path}.Condition"),
                format!(
                    "`{key}` is not supported by {}: the condition never matches for them",
                    unsupported.join(", ")
                ),
            )
            .help("move those actions to a statement of their own");
        }
    }
}

/// Tag keys (`aws:ResourceTag/…`, `aws:RequestTag/…`, `aws:TagKeys`) on actions whose service does not support
/// them: the condition is never true there (an `Allow` grants nothing, a `Deny` denies nothing).
fn tag_keys(cx: &mut Ctx, si: usize, s: &Statement, path: &str) {
    let Some(c) = s.conditions.iter().find(|c| {
        let k = c.key.value.to_ascii_lowercase();
        (k.starts_with("aws:resourcetag/")
            || k.starts_with("aws:requesttag/")
            || k == "aws:tagkeys")
            && c.op.is_some_and(|o| !o.if_exists && !o.base.is_negated())
    }) else {
        return;
    };
    let Some(effect) = s.effect.as_ref().map(|e| e.value) else {
        return;
    };
    let Some(acts) = cx.expanded.get(si) else {
        return;
    };
    let key: &str = &c.key.value;
    let cat = catalog();
    let unsupported: Option<String> = if acts.not || acts.any_all() {
        Some("services that do not support it".to_string())
    } else {
        acts.items
            .iter()
            .flat_map(|i| i.ids.iter())
            .find(|id| !action_supports_key(**id, key))
            .and_then(|id| cat.get(*id))
            .map(|(svc, a)| format!("`{}:{}`", svc.prefix, a.name))
    };
    let Some(what) = unsupported else { return };
    let code = match (effect, acts.not || acts.any_all()) {
        (Effect::Allow, false) => Code::ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE,
        (Effect::Allow, true) => {
            Code::ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE
        }
        (Effect::Deny, false) => Code::DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE,
        (Effect::Deny, true) => Code::DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE,
    };
    let verb = if effect == Effect::Allow {
        "allows"
    } else {
        "denies"
    };
    cx.emit(
        code,
        c.key.span,
        format!("{path}.Condition"),
        format!("`{key}` is never present for {what}: the statement never {verb} them"),
    )
    .help("put the actions whose services support the key in a statement of their own");
}

/// A resource type's ARN template, and whether its account and region fields are empty.
type TemplateFields = (&'static str, bool, bool);

fn arns(cx: &mut Ctx, s: &Statement, path: &str) {
    let Some(r) = &s.resource else { return };
    if r.is_not() {
        return;
    }
    let cat = catalog();
    let l = r.list();
    let mut shapes: Option<(&str, Vec<TemplateFields>)> = None;
    for (i, it) in l.items.iter().enumerate() {
        let v: &str = &it.value;
        if !v.starts_with("arn:") {
            continue;
        }
        let Some(arn) = split_arn(v) else { continue };
        let rpath = || item_path(&format!("{path}.Resource"), l, i);
        if arn.service.bytes().any(|b| b.is_ascii_uppercase()) && plain(arn.service) {
            cx.emit(
                Code::INVALID_ARN_SERVICE_CASE,
                it.span,
                rpath(),
                format!(
                    "the service `{}` of an ARN is written in lower case",
                    arn.service
                ),
            );
            continue;
        }
        let Some(svc) = cat.service(arn.service) else {
            continue;
        };
        if crate::policy::variables::has_variable(v) {
            continue;
        }
        // Which of the three findings are still possible, each falsified by one template the resource part fits:
        // an account where every fitting type has none, no account where every fitting type has one, no region
        // where every fitting type has one. Templates that could falsify one are tried first, so an ARN costs a
        // few template matches, not one per resource type of its service.
        // Per service (remembered across the statement's ARNs): its templates' account and region fields, the
        // ones with an empty field first (the global types, `s3:::bucket`, settle most ARNs at once), and whether a
        // finding is possible at all.
        if shapes
            .as_ref()
            .is_none_or(|(prefix, _)| *prefix != svc.prefix)
        {
            let mut fields: Vec<TemplateFields> = svc
                .resource_types
                .iter()
                .filter_map(|t| {
                    let tf = split_arn(t.arn)?;
                    Some((t.arn, tf.account.is_empty(), tf.region.is_empty()))
                })
                .collect();
            fields.sort_by_key(|(_, no_account, no_region)| !(*no_account || *no_region));
            shapes = Some((svc.prefix, fields));
        }
        let Some((_, fields)) = shapes.as_ref() else {
            continue;
        };
        let mut account_not_allowed =
            fields.iter().any(|f| f.1) && !arn.account.is_empty() && plain(arn.account);
        let mut missing_account = fields.iter().any(|f| !f.1) && arn.account.is_empty();
        let mut missing_region = fields.iter().any(|f| !f.2) && arn.region.is_empty();
        if !(account_not_allowed || missing_account || missing_region) {
            continue;
        }
        let fits = |template: &str| {
            split_arn(template).is_some_and(|tf| {
                let probe = super::resources::Arn {
                    resource: arn.resource,
                    ..tf
                };
                arn_fits_template(template, &probe)
            })
        };
        let mut any_fit = false;
        for &(template, no_account, no_region) in fields {
            let falsifies = (account_not_allowed && !no_account)
                || (missing_account && no_account)
                || (missing_region && no_region);
            if falsifies && fits(template) {
                any_fit = true;
                account_not_allowed &= no_account;
                missing_account &= !no_account;
                missing_region &= !no_region;
                if !(account_not_allowed || missing_account || missing_region) {
                    break;
                }
            }
        }
        if !(account_not_allowed || missing_account || missing_region) {
            continue;
        }
        if !any_fit && !fields.iter().any(|f| fits(f.0)) {
            continue; // fits no type at all: another check's business
        }
        if account_not_allowed {
            cx.emit(
                Code::ARN_ACCOUNT_NOT_ALLOWED,
                it.span,
                rpath(),
                format!(
                    "`{}` resources have no account in their ARN; `{v}` names none of them",
                    svc.prefix
                ),
            )
            .help("leave the account field empty");
        } else if missing_account {
            cx.emit(
                Code::MISSING_ARN_ACCOUNT,
                it.span,
                rpath(),
                format!(
                    "`{v}` has no account; these `{}` resources have one, so it names none of them",
                    svc.prefix
                ),
            )
            .help("write the account id, or `*`");
        }
        if missing_region {
            cx.emit(
                Code::MISSING_ARN_REGION,
                it.span,
                rpath(),
                format!(
                    "`{v}` has no region; these `{}` resources have one, so it names none of them",
                    svc.prefix
                ),
            )
            .help("write the region, or `*`");
        }
    }
}

/// Role and user ARNs (in `Principal` or `aws:PrincipalArn`) without a name.
fn principal_references(cx: &mut Ctx, s: &Statement, path: &str) {
    let check = |cx: &mut Ctx, v: &str, span, p: String| {
        let Some(arn) = split_arn(v) else { return };
        if arn.service != "iam" || !plain(v) {
            return;
        }
        let (kind, code) = if arn.resource == "role" || arn.resource.starts_with("role/") {
            ("role", Code::INVALID_ROLE_REFERENCE)
        } else if arn.resource == "user" || arn.resource.starts_with("user/") {
            ("user", Code::INVALID_USER_REFERENCE)
        } else {
            return;
        };
        let name = arn.resource.rsplit('/').next().unwrap_or("");
        let ok = arn.resource.contains('/')
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
        if !ok {
            cx.emit(
                code,
                span,
                p,
                format!(
                    "`{v}` does not name a {kind}: write `arn:aws:iam::123456789012:{kind}/name`"
                ),
            );
        }
    };
    if let Some(pb) = &s.principal
        && let PrincipalValue::Map(entries) = &pb.value
    {
        for e in entries {
            if e.kind.value != PrincipalKind::Aws {
                continue;
            }
            for (i, it) in e.values.items.iter().enumerate() {
                check(
                    cx,
                    &it.value,
                    it.span,
                    item_path(&format!("{path}.Principal.AWS"), &e.values, i),
                );
            }
        }
    }
    for c in &s.conditions {
        if key_is(c, &["aws:PrincipalArn"]) {
            for (i, it) in c.values.items.iter().enumerate() {
                check(
                    cx,
                    &it.value,
                    it.span,
                    item_path(&format!("{path}.Condition"), &c.values, i),
                );
            }
        }
    }
}

fn trust(cx: &mut Ctx, s: &Statement, path: &str) {
    let Some(p) = &s.principal else { return };
    let PrincipalValue::Map(entries) = &p.value else {
        return;
    };
    let Some(a) = &s.action else { return };
    if a.is_not() {
        return;
    }
    let mut saml = false;
    let mut oidc = false;
    let mut other = false;
    let mut roles_anywhere = None;
    let mut sessions = Vec::new();
    let mut roles = Vec::new();
    for e in entries {
        for it in &e.values.items {
            let v: &str = &it.value;
            match e.kind.value {
                PrincipalKind::Federated if v.contains(":saml-provider/") => saml = true,
                PrincipalKind::Federated => oidc = true,
                PrincipalKind::Service if v == "rolesanywhere.amazonaws.com" => {
                    roles_anywhere = Some(it.span);
                    other = true;
                }
                PrincipalKind::Aws => {
                    other = true;
                    if let Some(arn) = split_arn(v) {
                        if let Some(rest) = arn.resource.strip_prefix("assumed-role/") {
                            let role = rest.split('/').next().unwrap_or("");
                            sessions.push((
                                arn.account.to_string(),
                                role.to_string(),
                                it.span,
                                v.to_string(),
                            ));
                        } else if let Some(rest) = arn.resource.strip_prefix("role/") {
                            let name = rest.rsplit('/').next().unwrap_or("");
                            roles.push((arn.account.to_string(), name.to_string()));
                        }
                    }
                }
                _ => other = true,
            }
        }
    }
    let l = a.list();
    for (i, it) in l.items.iter().enumerate() {
        let v: &str = &it.value;
        if has_wildcard(v) {
            continue;
        }
        let lv = v.to_ascii_lowercase();
        let mismatch = match lv.as_str() {
            "sts:assumerolewithsaml" => !saml,
            "sts:assumerolewithwebidentity" => !oidc,
            "sts:assumerole" => !other && (saml || oidc),
            _ => false,
        };
        if mismatch {
            cx.emit(
                Code::MISMATCHED_ACTION_FOR_PRINCIPAL,
                it.span,
                item_path(&format!("{path}.Action"), l, i),
                format!("`{v}` does not fit the statement's principals (SAML providers use `sts:AssumeRoleWithSAML`, OIDC providers `sts:AssumeRoleWithWebIdentity`, others `sts:AssumeRole`)"),
            );
        }
    }
    if let Some(span) = roles_anywhere {
        let has = |want: &str| {
            l.items
                .iter()
                .any(|it| super::statements::action_pattern_matches(&it.value, want))
        };
        let missing: Vec<&str> = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
            .into_iter()
            .filter(|w| !has(w))
            .collect();
        if !missing.is_empty() {
            cx.emit(
                Code::MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY,
                span,
                format!("{path}.Principal.Service"),
                format!("IAM Roles Anywhere also needs {}", missing.join(", ")),
            )
            .help("allow `sts:AssumeRole`, `sts:TagSession` and `sts:SetSourceIdentity`");
        }
    }
    for (acct, role, span, v) in sessions {
        if roles
            .iter()
            .any(|(a, r)| *a == acct && r.eq_ignore_ascii_case(&role))
        {
            cx.emit(
                Code::REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY,
                span,
                format!("{path}.Principal.AWS"),
                format!("`{v}` is a session of a role the statement already trusts"),
            );
        }
    }
    // A service trusted without a source condition (Access Analyzer suggests one; a resource policy's is a
    // security warning, reported by the security checks).
    let services_only = entries
        .iter()
        .all(|e| e.kind.value == PrincipalKind::Service);
    if services_only
        && s.effect.as_ref().map(|e| e.value) == Some(Effect::Allow)
        && !has_key(
            s,
            &[
                "aws:SourceArn",
                "aws:SourceAccount",
                "aws:SourceOrgID",
                "aws:SourceOrgPaths",
            ],
        )
        && let Some(e) = entries.first()
        && let Some(it) = e.values.items.first()
        && !matches!(
            &*it.value,
            // Compute services assume the role for the account's own resources only.
            "rolesanywhere.amazonaws.com"
                | "ec2.amazonaws.com"
                | "lambda.amazonaws.com"
                | "edgelambda.amazonaws.com"
                | "ecs-tasks.amazonaws.com"
                | "eks.amazonaws.com"
                | "eks-fargate-pods.amazonaws.com"
        )
    {
        cx.emit_sev_as(
            Code::SERVICE_PRINCIPAL_WITHOUT_SOURCE_CONDITION,
            Severity::Suggestion,
            AaCode::RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL,
            it.span,
            item_path(&format!("{path}.Principal.Service"), &e.values, 0),
            format!(
                "`{}` may assume this role for any resource of any account that uses it",
                it.value
            ),
        )
        .help("add `aws:SourceAccount` or `aws:SourceArn` where the service sets them");
    }
}

/// The data-perimeter pairings of resource control policies: a `Deny` unless the principal is in the
/// organization must spare AWS services (`aws:PrincipalIsAWSService`), and one on the calling service's source
/// must spare your own principals and apply only when the source is present.
fn rcp(cx: &mut Ctx, s: &Statement, path: &str) {
    if s.effect.as_ref().map(|e| e.value) != Some(Effect::Deny) {
        return;
    }
    let negated = |names: &[&str]| {
        s.conditions
            .iter()
            .find(|c| key_is(c, names) && c.op.is_some_and(|o| o.base.is_negated()))
    };
    let service_flag = has_key(s, &["aws:PrincipalIsAWSService"]);
    if let Some(c) = negated(&[
        "aws:PrincipalOrgID",
        "aws:PrincipalAccount",
        "aws:PrincipalOrgPaths",
    ]) && !service_flag
    {
        cx.emit(
            Code::RCP_MISSING_RELATED_PRINCIPAL_CONDITION_KEY,
            c.key.span,
            format!("{path}.Condition"),
            format!(
                "this `Deny` on `{}` also blocks AWS services acting for you",
                c.key.value
            ),
        )
        .help("add `\"BoolIfExists\": {\"aws:PrincipalIsAWSService\": \"false\"}`");
    }
    if let Some(c) = negated(&["aws:SourceOrgID", "aws:SourceAccount", "aws:SourceOrgPaths"]) {
        if !service_flag {
            cx.emit(
                Code::RCP_MISSING_RELATED_SERVICE_PRINCIPAL_CONDITION_KEY,
                c.key.span,
                format!("{path}.Condition"),
                format!(
                    "this `Deny` on `{}` also blocks your own principals, which carry no source",
                    c.key.value
                ),
            )
            .help("add `\"Bool\": {\"aws:PrincipalIsAWSService\": \"true\"}`");
        }
        let null_check = s.conditions.iter().any(|n| {
            n.op.is_some_and(|o| o.base == BaseOperator::Null) && key_is(n, &["aws:SourceAccount"])
        });
        if !null_check {
            cx.emit(
                Code::RCP_MISSING_SERVICE_CONDITION_KEY_NULL_CHECK,
                c.key.span,
                format!("{path}.Condition"),
                "services that set no source account are denied too",
            )
            .help("add `\"Null\": {\"aws:SourceAccount\": \"false\"}`");
        }
    }
}
