//! Condition checks (operators, keys, value types, set qualifiers) and policy-variable checks.
//!
//! Operators: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>;
//! single- and multi-valued keys: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>;
//! variables: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>.
#![allow(clippy::collapsible_match)] // one arm per operator family reads better than guards on every arm

use super::grammar::DiagExt;
use super::{AaCode, Code};
use super::{Ctx, item_path, quote, remove_item_fix};
use crate::catalog::{KeyType, ValueType, catalog, key_matches_template};
use crate::diagnostic::Severity;
use crate::policy::{BaseOperator, Condition, ConditionOperator, Effect, SetQualifier, Statement};
use crate::text::Span;
use rustc_hash::{FxHashMap, FxHashSet};

pub(crate) fn check(cx: &mut Ctx) {
    for (si, s) in cx.statements() {
        let mut seen_ops: FxHashSet<Span> = FxHashSet::default();
        // The first spelling of each key (ignoring case) under each operator: one lookup per condition, not a
        // scan of the ones before it.
        let mut first_key: FxHashMap<(Span, String), &Condition> = FxHashMap::default();
        for c in &s.conditions {
            condition(cx, si, s, c, &mut seen_ops);
            // Keys are matched case-insensitively: two spellings of one key under one operator are one key
            // tested twice (and JSON keeps both).
            let prev = *first_key
                .entry((c.operator.span, c.key.value.to_ascii_lowercase()))
                .or_insert(c);
            if prev.key.value != c.key.value {
                let path = format!(
                    "{}.Condition.{}.{}",
                    cx.stmt_path(si),
                    c.operator.value,
                    c.key.value
                );
                cx.emit(
                    Code::DUPLICATE_KEYS_WITH_DIFFERENT_CASE,
                    c.key.span,
                    path,
                    format!(
                        "`{}` and `{}` are the same condition key (keys ignore case)",
                        prev.key.value, c.key.value
                    ),
                )
                .help("merge their values under one key");
            }
        }
        // Variables in resources.
        if let Some(r) = &s.resource {
            let name = if r.is_not() {
                "NotResource"
            } else {
                "Resource"
            };
            let base = format!("{}.{name}", cx.stmt_path(si));
            let l = r.list();
            for (i, it) in l.items.iter().enumerate() {
                if it.value.contains('$') {
                    variables(cx, &it.value, it.span, item_path(&base, l, i));
                }
            }
        }
        if let Some(sid) = &s.sid
            && crate::policy::variables::has_variable(&sid.value)
        {
            let path = format!("{}.Sid", cx.stmt_path(si));
            cx.emit(
                Code::VARIABLE_UNSUPPORTED_IN_ELEMENT,
                sid.span,
                path,
                "policy variables are not substituted in `Sid`",
            );
        }
    }
}

fn family_matches(base: BaseOperator, ty: KeyType) -> bool {
    use BaseOperator::*;
    match base {
        StringEquals
        | StringNotEquals
        | StringEqualsIgnoreCase
        | StringNotEqualsIgnoreCase
        | StringLike
        | StringNotLike => matches!(ty, KeyType::String | KeyType::Arn | KeyType::Other),
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => ty == KeyType::Numeric,
        DateEquals
        | DateNotEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => ty == KeyType::Date,
        Bool => ty == KeyType::Bool,
        BinaryEquals => ty == KeyType::Binary,
        IpAddress | NotIpAddress => ty == KeyType::IpAddress,
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => ty == KeyType::Arn,
        Null => true,
    }
}

fn family_name(base: BaseOperator) -> &'static str {
    base.family().name()
}

fn type_name(ty: KeyType) -> &'static str {
    match ty {
        KeyType::String => "string",
        KeyType::Arn => "ARN",
        KeyType::Bool => "boolean",
        KeyType::Date => "date",
        KeyType::Numeric => "numeric",
        KeyType::IpAddress => "IP address",
        KeyType::Binary => "binary",
        KeyType::Other => "other",
    }
}

/// The operator the user probably meant, for an unknown one.
fn suggest_operator(op: &str) -> Option<String> {
    let lower = op.to_ascii_lowercase();
    let (qual, rest) = if lower.starts_with("forallvalues:") {
        (
            "ForAllValues:",
            op.get("forallvalues:".len()..).unwrap_or_default(),
        )
    } else if lower.starts_with("foranyvalue:") {
        (
            "ForAnyValue:",
            op.get("foranyvalue:".len()..).unwrap_or_default(),
        )
    } else {
        ("", op)
    };
    let rest = rest.trim_start_matches(':');
    let (base, ifx) = if rest.to_ascii_lowercase().ends_with("ifexists") {
        (
            rest.get(..rest.len() - "ifexists".len())
                .unwrap_or_default(),
            "IfExists",
        )
    } else {
        (rest, "")
    };
    let names: Vec<&'static str> = BaseOperator::ALL.iter().map(|(_, n)| *n).collect();
    let b = names
        .iter()
        .find(|n| n.eq_ignore_ascii_case(base))
        .copied()
        .or_else(|| crate::policy::suggest(base, names.iter().copied()))?;
    let s = format!("{qual}{b}{ifx}");
    (s != op && ConditionOperator::parse(&s).is_some()).then_some(s)
}

/// A valid date value (the evaluator's grammar: [`crate::time::Timestamp::parse_condition`]).
pub(crate) fn valid_date(v: &str) -> bool {
    crate::values::date(v).is_some()
}

fn valid_number(v: &str) -> bool {
    crate::values::number(v).is_some()
}

fn valid_ip(v: &str) -> bool {
    crate::values::ip_range(v).is_some()
}

fn condition(
    cx: &mut Ctx,
    si: usize,
    s: &Statement,
    c: &Condition,
    seen_ops: &mut FxHashSet<Span>,
) {
    let sp = cx.stmt_path(si);
    let op_path = format!("{sp}.Condition.{}", c.operator.value);
    let key_path = format!("{op_path}.{}", c.key.value);
    let first_of_op = seen_ops.insert(c.operator.span);
    let Some(op) = c.op else {
        if first_of_op {
            let name: &str = &c.operator.value;
            let d = cx.emit(
                Code::INVALID_CONDITION_OPERATOR,
                c.operator.span,
                op_path,
                format!("`{name}` is not a condition operator"),
            );
            match suggest_operator(name) {
                Some(sugg) => {
                    d.help(format!("did you mean `{sugg}`?"))
                        .with_fix_mut(c.operator.span, quote(&sugg));
                }
                None => {
                    d.help("use an operator such as `StringEquals`, `ArnLike`, `Bool`, `IpAddress`, optionally with `ForAnyValue:`/`ForAllValues:` and `IfExists`");
                }
            }
        }
        return;
    };
    let key: &str = &c.key.value;
    // `ForAnyValue` fails on an absent key, `IfExists` holds on one; AWS documents each alone, not the two
    // together, so the evaluator leaves such a test of an absent key undecided (`condition::when_absent`).
    if first_of_op
        && op.if_exists
        && op.qualifier == Some(SetQualifier::ForAnyValue)
        && op.base != BaseOperator::Null
    {
        cx.emit(
            Code::ANY_VALUE_IF_EXISTS,
            c.operator.span,
            op_path.clone(),
            "`ForAnyValue` with `IfExists`: AWS does not document how the two read a key the request leaves out \
             (`ForAnyValue` fails, `IfExists` holds), so a test of an absent key is left undecided",
        )
        .help("write `ForAnyValue:` without `IfExists` (false when the key is absent), or add a `Null` test");
    }
    if first_of_op && op.base == BaseOperator::Null {
        if op.if_exists {
            cx.emit(
                Code::NULL_WITH_IF_EXISTS,
                c.operator.span,
                op_path.clone(),
                "`Null` cannot be combined with `IfExists`: `Null` already tests whether the key exists",
            )
            .with_fix_mut(c.operator.span, quote("Null"));
        }
        if op.qualifier.is_some() {
            cx.emit(
                Code::NULL_WITH_SET_QUALIFIER,
                c.operator.span,
                op_path.clone(),
                "`Null` tests whether a key is present; a set qualifier makes no sense with it",
            )
            .with_fix_mut(
                c.operator.span,
                quote(if op.if_exists { "NullIfExists" } else { "Null" }),
            );
        }
    }
    // Key checks.
    let ty = key_checks(cx, si, s, c, &key_path);
    if crate::policy::variables::has_variable(key) {
        cx.emit(
            Code::VARIABLE_UNSUPPORTED_IN_ELEMENT,
            c.key.span,
            key_path.clone(),
            "policy variables are not substituted in condition keys",
        );
    }
    // Values.
    let vals = &c.values;
    if vals.items.is_empty() && cx.text(vals.span).starts_with('[') {
        let aa = match c.op {
            Some(o) if o.qualifier == Some(SetQualifier::ForAllValues) => {
                AaCode::EMPTY_ARRAY_CONDITION_FORALLVALUES
            }
            Some(o) if o.qualifier == Some(SetQualifier::ForAnyValue) => {
                AaCode::EMPTY_ARRAY_CONDITION_FORANYVALUE
            }
            Some(o) if o.if_exists => AaCode::EMPTY_ARRAY_CONDITION_IFEXISTS,
            _ => AaCode::EMPTY_ARRAY_CONDITION,
        };
        cx.emit_as(
            Code::EMPTY_ARRAY_CONDITION,
            aa,
            vals.span,
            key_path.clone(),
            format!("no values for `{key}`: the condition never matches (or always, if negated)"),
        )
        .help("list the values, or remove the key");
    }
    let mut bools = (false, false);
    let mut seen_values: FxHashSet<&str> = FxHashSet::default();
    for (i, it) in vals.items.iter().enumerate() {
        let v: &str = &it.value;
        let vpath = item_path(&key_path, vals, i);
        let span = it.span;
        if !seen_values.insert(&it.value) {
            let fix = remove_item_fix(cx.src, vals, i);
            let d = cx.emit(
                Code::DUPLICATE_CONDITION_VALUE,
                span,
                vpath.clone(),
                format!("value `{v}` is listed twice"),
            );
            if let Some((sp, t)) = fix {
                d.with_fix_mut(sp, t);
            }
        }
        if v.contains('$') {
            variables(cx, v, span, vpath.clone());
        }
        // A value with a policy variable is read per request; a `$` alone is text, checked as any value (the
        // evaluator reads it so).
        if crate::policy::variables::has_variable(v) {
            if !op.base.takes_variables() {
                cx.emit(
                    Code::INVALID_VARIABLE_FOR_OPERATOR,
                    span,
                    vpath,
                    format!(
                        "policy variables can only be used with string and ARN operators, not `{}`",
                        op.base.name()
                    ),
                );
            }
            continue;
        }
        value_check(cx, op, v, span, vpath, &mut bools);
    }
    if bools.0 && bools.1 && op.base == BaseOperator::Bool && first_of_op {
        cx.emit(
            Code::INVALID_CONDITION_MULTIPLE_BOOLEAN,
            vals.span,
            key_path.clone(),
            format!("`{key}` is tested for both `true` and `false`, which always matches"),
        )
        .help("keep one value, or remove the condition");
    }
    // Wildcards with an exact operator.
    if matches!(
        op.base,
        BaseOperator::StringEquals
            | BaseOperator::StringNotEquals
            | BaseOperator::StringEqualsIgnoreCase
            | BaseOperator::StringNotEqualsIgnoreCase
    ) && vals.items.iter().any(|v| {
        let plain =
            super::resources::vars_to_wildcards(&v.value.replace("${*}", "").replace("${?}", ""));
        v.value.contains(['*', '?'])
            && plain.contains(['*', '?'])
            && !crate::policy::variables::has_variable(&v.value)
    }) {
        let like = match op.base {
            BaseOperator::StringEquals => Some("StringLike"),
            BaseOperator::StringNotEquals => Some("StringNotLike"),
            _ => None,
        };
        let d = cx.emit(
            Code::WILDCARD_WITHOUT_LIKE_OPERATOR,
            c.operator.span,
            op_path.clone(),
            format!(
                "`{}` compares `*` and `?` literally; `{key}` has a value with a wildcard",
                op.base.name()
            ),
        );
        if let Some(like) = like {
            d.help(format!("use `{like}` to match wildcards"));
            let sharing = s
                .conditions
                .iter()
                .filter(|o| o.operator.span == c.operator.span)
                .count();
            if sharing == 1 {
                let name = c.operator.value.replacen(op.base.name(), like, 1);
                d.with_fix_mut(c.operator.span, quote(&name));
            }
        }
    }
    // Type and qualifier checks need the key's type.
    let Some(ty) = ty else { return };
    if !family_matches(op.base, ty.base) && ty.base != KeyType::Other {
        cx.emit(
            Code::CONDITION_TYPE_MISMATCH,
            c.operator.span,
            key_path.clone(),
            format!(
                "`{}` is a {} operator but `{key}` is a {} key",
                op.base.name(),
                family_name(op.base),
                type_name(ty.base)
            ),
        )
        .help(format!("use a {} operator", type_name(ty.base)));
    }
    let effect = s.effect.as_ref().map(|e| e.value);
    match (op.qualifier, ty.multi) {
        (Some(SetQualifier::ForAllValues), false) => {
            cx.emit(
                Code::FORALLVALUES_WITH_SINGLE_VALUED_KEY,
                c.operator.span,
                key_path,
                format!("`ForAllValues` with single-valued key `{key}` is also true when the key is missing"),
            )
            .help("remove `ForAllValues:`");
        }
        (Some(SetQualifier::ForAnyValue), false) => {
            cx.emit(
                Code::FORANYVALUE_WITH_SINGLE_VALUED_KEY,
                c.operator.span,
                key_path,
                format!("`ForAnyValue` is meant for multi-valued keys; `{key}` is single-valued"),
            )
            .help("remove `ForAnyValue:`");
        }
        (None, true) if op.base != BaseOperator::Null => {
            cx.emit(
                Code::MISSING_QUALIFIER,
                c.operator.span,
                key_path,
                format!("`{key}` is multi-valued; say whether all or any of its values must match"),
            )
            .help(format!(
                "write `ForAllValues:{0}` or `ForAnyValue:{0}`",
                c.operator.value
            ));
        }
        (Some(SetQualifier::ForAllValues), true) if effect == Some(Effect::Allow) => {
            let null_guard = s.conditions.iter().any(|o| {
                o.op.is_some_and(|p| p.base == BaseOperator::Null)
                    && o.key.value.eq_ignore_ascii_case(key)
                    && o.values.iter().any(|v| v.eq_ignore_ascii_case("false"))
            });
            if !null_guard {
                cx.emit(
                    Code::ALLOW_WITH_FORALLVALUES_WITHOUT_NULL,
                    c.operator.span,
                    key_path,
                    format!("`ForAllValues` is true when the request has no `{key}` at all, so this `Allow` also matches such requests"),
                )
                .help(format!("add `\"Null\": {{\"{key}\": \"false\"}}`"));
            }
        }
        (Some(SetQualifier::ForAnyValue), true) if op.base.is_negated() => {
            cx.emit(
                Code::FORANYVALUE_WITH_NEGATED_OPERATOR,
                c.operator.span,
                key_path,
                format!(
                    "`ForAnyValue:{}` matches whenever any value differs, which is almost always",
                    op.base.name()
                ),
            )
            .help("use `ForAllValues:` with the negated operator to exclude values");
        }
        _ => {}
    }
}

fn value_check(
    cx: &mut Ctx,
    op: ConditionOperator,
    v: &str,
    span: Span,
    path: String,
    bools: &mut (bool, bool),
) {
    use BaseOperator::*;
    match op.base {
        DateEquals
        | DateNotEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => {
            if !valid_date(v) {
                cx.emit(
                    Code::INVALID_CONDITION_DATE,
                    span,
                    path,
                    format!("`{v}` is not a date"),
                )
                .help("write an ISO 8601 date such as `2026-01-31T00:00:00Z`, or epoch seconds");
            }
        }
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => {
            if !valid_number(v) {
                cx.emit(
                    Code::INVALID_CONDITION_NUMBER,
                    span,
                    path,
                    format!("`{v}` is not a number"),
                );
            }
        }
        Bool => {
            if v.eq_ignore_ascii_case("true") {
                bools.0 = true;
            } else if v.eq_ignore_ascii_case("false") {
                bools.1 = true;
            } else {
                cx.emit(
                    Code::INVALID_CONDITION_BOOL,
                    span,
                    path,
                    format!("`Bool` compares with `true` or `false`, found `{v}`"),
                );
            }
        }
        Null => {
            if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") {
                cx.emit(
                    Code::INVALID_NULL_VALUE,
                    span,
                    path,
                    format!(
                        "`Null` takes `true` (key absent) or `false` (key present), found `{v}`"
                    ),
                );
            }
        }
        IpAddress | NotIpAddress => {
            if !valid_ip(v) {
                cx.emit(
                    Code::INVALID_CONDITION_IP,
                    span,
                    path,
                    format!("`{v}` is not an IP address or CIDR range"),
                )
                .help("write `203.0.113.0/24` or `2001:db8::/32`");
            } else if !crate::values::ip_written_exactly(v) {
                // The evaluator leaves a test of such a value undecided (`values::ip_matches`): said here, where
                // it can be fixed.
                cx.emit(
                    Code::LOOSE_CONDITION_IP,
                    span,
                    path,
                    format!(
                        "`{v}` is not in the standard CIDR format (spaces around it, or a prefix led by `0`): how \
                         IAM reads it is not documented, and the evaluator leaves a test of it undecided"
                    ),
                )
                .help("write the address or range without spaces and the prefix without a leading `0`, e.g. `10.0.0.0/8`");
            } else if v.contains(':') && !v.contains('/') {
                cx.emit(
                    Code::LOOSE_CONDITION_IP,
                    span,
                    path,
                    format!(
                        "the IPv6 address `{v}` has no prefix: AWS documents `/32` as the default, which for IPv6 may \
                         be meant as the one address, and the evaluator decides a test of it only where both \
                         readings agree"
                    ),
                )
                .help(format!("write `{v}/128` for the one address"));
            }
        }
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => {
            if !crate::values::arn_pattern(v) {
                cx.emit(
                    Code::INVALID_CONDITION_ARN,
                    span,
                    path,
                    format!(
                        "`{v}` is not `*` or an ARN of six fields, so how `{}` compares with it is not \
                         documented (the evaluator leaves the test undecided)",
                        op.base.name()
                    ),
                )
                .help("write the full ARN, e.g. `arn:aws:sns:us-east-1:123456789012:topic`, or use a string operator");
            }
        }
        _ => {}
    }
    let _ = Severity::Error;
}

/// A key written in another case than its documented name: condition key names match in any case
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html>: "condition key
/// names are not case-sensitive"), so this is a suggestion, with the documented spelling as its fix. Templated
/// names (`aws:ResourceTag/${TagKey}`) are compared on their fixed part.
fn key_case(cx: &mut Ctx, c: &Condition, path: &str, documented: &str) {
    let key: &str = &c.key.value;
    let fixed = documented.split('$').next().unwrap_or(documented);
    let (Some(written), Some(want)) = (key.get(..fixed.len()), Some(fixed)) else {
        return;
    };
    if written == want || !written.eq_ignore_ascii_case(want) {
        return;
    }
    let corrected = format!("{want}{}", key.get(fixed.len()..).unwrap_or_default());
    cx.emit(
        Code::CONDITION_KEY_CASE,
        c.key.span,
        path.to_string(),
        format!("`{key}` is documented as `{corrected}`"),
    )
    .with_fix_mut(c.key.span, quote(&corrected));
}

/// Checks the key against the catalog; returns its type when known.
fn key_checks(
    cx: &mut Ctx,
    si: usize,
    s: &Statement,
    c: &Condition,
    path: &str,
) -> Option<ValueType> {
    let key: &str = &c.key.value;
    let cat = catalog();
    let Some((prefix, _)) = key.split_once(':') else {
        cx.emit(
            Code::INVALID_CONDITION_KEY_FORMAT,
            c.key.span,
            path.to_string(),
            format!("condition key `{key}` has no `service:` prefix, so no request ever has it"),
        )
        .help("write a key such as `aws:SourceIp` or `s3:prefix`");
        return None;
    };
    if prefix.eq_ignore_ascii_case("aws") {
        if let Some(k) = cat.global_key(key) {
            key_case(cx, c, path, k.name);
            return Some(k.ty);
        }
        // Some `aws:` keys are listed only by the services that support them.
        if let Some(k) = cat
            .services
            .iter()
            .flat_map(|s| s.condition_keys.iter())
            .find(|k| key_matches_template(k.name, key))
        {
            return Some(k.ty);
        }
        // `aws:ARN` reads like a key but IAM does not support it: Access Analyzer's unsupported global condition
        // key, whose help names the keys meant.
        if key.eq_ignore_ascii_case("aws:ARN") {
            cx.emit_as(
                Code::INVALID_GLOBAL_CONDITION_KEY,
                AaCode::UNSUPPORTED_GLOBAL_CONDITION_KEY,
                c.key.span,
                path.to_string(),
                format!("`{key}` is not supported as a condition key"),
            )
            .help("use `aws:PrincipalArn` for the caller or `aws:SourceArn` for the resource a service acts for");
            return None;
        }
        let d = cx.emit(
            Code::INVALID_GLOBAL_CONDITION_KEY,
            c.key.span,
            path.to_string(),
            format!("`{key}` is not a global condition key ({})", cat.label()),
        );
        if let Some(sugg) = cat.suggest_key(key) {
            d.help(format!("did you mean `{sugg}`?"))
                .with_fix_mut(c.key.span, quote(sugg));
        }
        return None;
    }
    let Some(svc) = cat.service(prefix) else {
        // Federation keys are named after their provider (`accounts.google.com:aud`, `saml:sub`), not a service.
        if !prefix.is_empty()
            && prefix != "saml"
            && prefix
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
        {
            cx.emit_as(
                Code::INVALID_SERVICE_CONDITION_KEY,
                AaCode::INVALID_SERVICE,
                c.key.span,
                path.to_string(),
                format!(
                    "no service has the prefix `{prefix}` of `{key}` ({})",
                    cat.label()
                ),
            );
        }
        return None;
    };
    let Some(def) = svc.condition_key(key) else {
        // Maybe a global key issued by a service (`ec2:SourceInstanceArn`).
        if let Some(g) = cat.global_key(key) {
            return Some(g.ty);
        }
        let d = cx.emit(
            Code::INVALID_SERVICE_CONDITION_KEY,
            c.key.span,
            path.to_string(),
            format!(
                "`{}` has no condition key `{key}` ({})",
                svc.prefix,
                cat.label()
            ),
        );
        if let Some(sugg) = cat.suggest_key(key) {
            d.help(format!("did you mean `{sugg}`?"))
                .with_fix_mut(c.key.span, quote(sugg));
        }
        return None;
    };
    key_case(cx, c, path, def.name);
    let ty = def.ty;
    // Supported by the statement's actions?
    let exp = cx.expanded;
    let Some(acts) = exp.get(si) else {
        return Some(ty);
    };
    if !acts.not && !acts.items.is_empty() && !acts.any_all() && s.action.is_some() {
        let supported = acts.items.iter().any(|it| {
            !it.known_service || it.ids.iter().any(|id| cat.action_supports_key(*id, key))
        });
        if !supported {
            cx.emit(
                Code::CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS,
                c.key.span,
                path.to_string(),
                format!("none of the statement's actions supports `{key}`, so requests never carry it"),
            )
            .help("check the key in the Service Authorization Reference, or move the condition to the statement of the actions that support it");
        }
    }
    Some(ty)
}

/// Checks `${...}` policy variables in a value.
pub(crate) fn variables(cx: &mut Ctx, v: &str, span: Span, path: String) {
    use crate::policy::variables::{Piece, pieces};
    let cat = catalog();
    let supported = cx.policy.supports_variables();
    for piece in pieces(v) {
        let inner = match piece {
            Piece::Text(_) => continue,
            Piece::Var(var) => var.inner,
            Piece::Unclosed(_) => {
                cx.emit(
                    Code::MISSING_BRACE_IN_VARIABLE,
                    span,
                    path,
                    format!("variable in `{v}` is missing its closing `}}`"),
                );
                return;
            }
        };
        if !supported {
            let d = cx.emit(
                Code::VARIABLE_UNSUPPORTED_IN_VERSION,
                span,
                path.clone(),
                format!(
                    "`${{{inner}}}` is literal text: variables need `\"Version\": \"2012-10-17\"`"
                ),
            );
            d.help("set `\"Version\": \"2012-10-17\"`");
            continue;
        }
        if inner.trim().is_empty() {
            cx.emit(
                Code::EMPTY_VARIABLE,
                span,
                path.clone(),
                "`${}` names no variable",
            );
            continue;
        }
        let (name, default) = match inner.split_once(',') {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        if name.contains(char::is_whitespace) {
            cx.emit(
                Code::UNSUPPORTED_SPACE_IN_VARIABLE,
                span,
                path.clone(),
                format!("variable `${{{inner}}}` contains spaces"),
            )
            .help(format!("write `${{{}}}`", name.trim()));
        }
        if let Some(d) = default {
            let d = d.trim();
            if !(d.len() >= 2 && d.starts_with('\'') && d.ends_with('\'')) {
                cx.emit(
                    Code::MISSING_QUOTE_IN_VARIABLE,
                    span,
                    path.clone(),
                    format!(
                        "the default value `{d}` of `${{{}}}` must be in single quotes",
                        name.trim()
                    ),
                );
            }
        }
        let name = name.trim();
        if matches!(name, "*" | "?" | "$") {
            continue;
        }
        let known = match name.split_once(':') {
            None => false,
            Some((p, _)) if p.eq_ignore_ascii_case("aws") => cat.key_type(name).is_some(),
            Some((p, _)) => match cat.service(p) {
                Some(s) => s.condition_key(name).is_some() || cat.global_key(name).is_some(),
                None => true, // identity-provider keys (`cognito-identity.amazonaws.com:sub`, `saml:sub`)
            },
        };
        if !known {
            let d = cx.emit(
                Code::UNKNOWN_VARIABLE,
                span,
                path.clone(),
                format!("`${{{name}}}` is not a known condition key, so it never has a value"),
            );
            if let Some(s) = cat.suggest_key(name) {
                d.help(format!("did you mean `${{{s}}}`?"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_iam_reads_them() {
        for ok in [
            "2019-07-01T13:20:15Z",
            "2016-12-13T21:20:37.593194+00:00",
            "2016-12-13t2:00:00.593194+23",
            "-292275054",
            "01T",
            "2017-07-01",
        ] {
            assert!(valid_date(ok), "{ok}");
        }
        for bad in [
            "sdfdsf",
            "234-13",
            "2016-12-13t2:00:00.593194+1",
            "2016-12-13t2:00:00.1999999999+10:59",
            "9223372036854775808",
            "",
        ] {
            assert!(!valid_date(bad), "{bad}");
        }
    }

    #[test]
    fn numbers_and_ips() {
        assert!(
            valid_number("10")
                && valid_number("-1.5")
                && !valid_number("ten")
                && !valid_number("inf")
        );
        assert!(valid_ip("203.0.113.0/24") && valid_ip("2001:db8::/32") && valid_ip("10.0.0.1"));
        assert!(!valid_ip("10.0.0.300") && !valid_ip("10.0.0.0/33") && !valid_ip("any"));
    }

    #[test]
    fn operator_suggestions() {
        assert_eq!(
            suggest_operator("stringequals").as_deref(),
            Some("StringEquals")
        );
        assert_eq!(
            suggest_operator("StringEqual").as_deref(),
            Some("StringEquals")
        );
        assert_eq!(
            suggest_operator("ForAnyValue::StringEqualsIfExists").as_deref(),
            Some("ForAnyValue:StringEqualsIfExists")
        );
        assert_eq!(suggest_operator("zzz"), None);
    }
}
