//! A request checked as the editor checks policies: the action must be one action of the catalog, the
//! resource an ARN of one of the action's resource types (or `*` for an action that has none), and each
//! context value of its key's type.
//!
//! The checks are the validator's own: the request is written as a one-statement policy (its action, its
//! resource, and a condition per context key with the operator of the key's type) and validated; each
//! diagnostic is given back on the request field it is about. So "the editor accepts it" and "the request
//! checker accepts it" cannot disagree. What only a request can get wrong (a wildcard, `*` for an action that
//! acts on resources) is checked here with the catalog.
//!
//! A request names one action on one resource
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/intro-structure.html#intro-structure-request>); the
//! resource types of each action are in the Service Authorization Reference
//! (<https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>).

use crate::catalog::{KeyType, catalog, has_wildcard};
use crate::diagnostic::Severity;

/// The part of a request a problem is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestField {
    /// The action.
    Action,
    /// The resource.
    Resource,
    /// The value(s) of this context key (or its name).
    Context(String),
}

/// A problem of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestProblem {
    /// What it is about.
    pub field: RequestField,
    /// The validator's code (`INVALID_ACTION`, `RESOURCE_TYPE_MISMATCH`, …) or this module's
    /// (`REQUEST_ACTION_WILDCARD`, `REQUEST_RESOURCE_WILDCARD`, `REQUEST_RESOURCE_STAR`).
    pub code: &'static str,
    /// True when the answer for the request cannot be trusted (not a catalog action, not a resource of the
    /// action, a value that is not of its key's type); false for a remark (an unknown context key name).
    pub blocking: bool,
    /// What is wrong, lowercase, user input in backticks.
    pub message: String,
    /// How to put it right, when known.
    pub help: Option<String>,
}

/// The operator whose values have the type of `key` (`NumericEquals` for a number), with `ForAnyValue:` for a
/// multi-valued key; `None` for a key of unknown type (its values cannot be checked).
fn operator_for(key: &str) -> Option<String> {
    let t = catalog().key_type(key)?;
    let base = match t.base {
        KeyType::String => "StringEquals",
        KeyType::Arn => "ArnEquals",
        KeyType::Bool => "Bool",
        KeyType::Date => "DateEquals",
        KeyType::Numeric => "NumericEquals",
        KeyType::IpAddress => "IpAddress",
        KeyType::Binary => "BinaryEquals",
        KeyType::Other => return None,
    };
    Some(if t.multi {
        format!("ForAnyValue:{base}")
    } else {
        base.to_string()
    })
}

/// Check a request's action, resource (`*` or empty for none) and context (key, values).
pub fn check_request(
    action: &str,
    resource: &str,
    context: &[(String, Vec<String>)],
) -> Vec<RequestProblem> {
    let action = action.trim();
    let resource = match resource.trim() {
        "" => "*",
        r => r,
    };
    let mut out = Vec::new();
    let mut check_action = !action.is_empty();
    if has_wildcard(action) {
        out.push(RequestProblem {
            field: RequestField::Action,
            code: "REQUEST_ACTION_WILDCARD",
            blocking: true,
            message: format!("`{action}` is a pattern: a request names one action"),
            help: Some("pick one of the actions it expands to".into()),
        });
        check_action = false;
    }
    if resource != "*" && has_wildcard(resource) {
        out.push(RequestProblem {
            field: RequestField::Resource,
            code: "REQUEST_RESOURCE_WILDCARD",
            blocking: true,
            message: format!("`{resource}` is a pattern: a request names one resource"),
            help: Some("write the resource's ARN".into()),
        });
    }
    // The request as a one-statement policy; each condition's path tells which context key it is.
    let mut conditions = serde_json::Map::new();
    let mut key_paths: Vec<(String, String)> = Vec::new();
    for (key, values) in context {
        let key = key.trim();
        if key.is_empty() {
            continue;
        }
        let op = operator_for(key).unwrap_or_else(|| "StringEquals".to_string());
        let entry = conditions
            .entry(op.clone())
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        if let serde_json::Value::Object(m) = entry {
            m.insert(
                key.to_string(),
                serde_json::Value::Array(
                    values
                        .iter()
                        .map(|v| serde_json::Value::String(v.trim().to_string()))
                        .collect(),
                ),
            );
        }
        key_paths.push((
            format!("Statement[0].Condition.{op}.{key}"),
            key.to_string(),
        ));
    }
    let mut statement = serde_json::Map::new();
    statement.insert("Effect".into(), "Allow".into());
    statement.insert(
        "Action".into(),
        if check_action { action } else { "*" }.into(),
    );
    statement.insert("Resource".into(), resource.into());
    if !conditions.is_empty() {
        statement.insert("Condition".into(), serde_json::Value::Object(conditions));
    }
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [serde_json::Value::Object(statement)],
    });
    let text = policy.to_string();
    let kind = super::PolicyKind::Identity(super::IdentityKind::AwsManaged);
    for d in super::validate(&text, kind) {
        let field = if d.path.starts_with("Statement[0].Action") {
            if !check_action {
                continue;
            }
            RequestField::Action
        } else if d.path.starts_with("Statement[0].Resource") {
            RequestField::Resource
        } else if let Some((_, key)) = key_paths.iter().find(|(p, _)| {
            d.path
                .strip_prefix(p.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('['))
        }) {
            RequestField::Context(key.clone())
        } else {
            continue;
        };
        // The project's own code: finer than Access Analyzer's, under which the finding may be reported.
        let own = d.subcode.unwrap_or(d.code);
        // What a request can get wrong; the security and hygiene advice is for policies.
        if !super::check(own).is_some_and(|c| {
            matches!(
                c.group,
                "parse" | "grammar" | "catalog" | "resource" | "condition"
            )
        }) || d.severity == Severity::Suggestion
        {
            continue;
        }
        let blocking = match own {
            // Said once, on the resource.
            "ACTION_WITHOUT_MATCHING_RESOURCE" => continue,
            // A policy may test any key; a request may carry any key. A misspelt one only matters if a policy
            // tests it, so it is a remark.
            "INVALID_GLOBAL_CONDITION_KEY"
            | "INVALID_SERVICE_CONDITION_KEY"
            | "CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS"
            | "UNSUPPORTED_ACTION_FOR_CONDITION_KEY" => false,
            _ => {
                d.severity == Severity::Error
                    || !matches!(field, RequestField::Context(_))
                    || own.starts_with("INVALID_CONDITION")
            }
        };
        let message = match own {
            "RESOURCE_TYPE_MISMATCH" => format!(
                "`{resource}` is not a resource `{action}` acts on{}",
                resource_types_text(action)
            ),
            _ => d.message,
        };
        let help = match own {
            "RESOURCE_TYPE_MISMATCH" => Some("write an ARN of one of these types".into()),
            _ => d.help,
        };
        out.push(RequestProblem {
            field,
            code: own,
            blocking,
            message,
            help,
        });
    }
    // `*` is the resource of actions that have no resource type; an action that acts on resources is asked
    // about one of them.
    if resource == "*" && check_action && !out.iter().any(|p| p.field == RequestField::Action) {
        let c = catalog();
        if let Some(id) = c.expand(action).first()
            && !c.resource_types_of(*id).is_empty()
        {
            out.push(RequestProblem {
                field: RequestField::Resource,
                code: "REQUEST_RESOURCE_STAR",
                blocking: false,
                message: format!(
                    "`{action}` acts on a resource{}: `*` only matches statements written with `\"Resource\": \"*\"`",
                    resource_types_text(action)
                ),
                help: Some("name the resource to ask about it".into()),
            });
        }
    }
    // In the request's order: action, resource, then the context keys as given.
    let rank = |f: &RequestField| match f {
        RequestField::Action => 0,
        RequestField::Resource => 1,
        RequestField::Context(k) => {
            2 + context.iter().position(|(c, _)| c.trim() == k).unwrap_or(0)
        }
    };
    out.sort_by_key(|p| rank(&p.field));
    out
}

/// ` (object: arn:${Partition}:s3:::${BucketName}/${ObjectName})`: the action's resource types and their ARN
/// templates, for messages.
fn resource_types_text(action: &str) -> String {
    let c = catalog();
    let Some(id) = c.expand(action).first().copied() else {
        return String::new();
    };
    let types: Vec<String> = c
        .resource_types_of(id)
        .iter()
        .map(|(t, _)| format!("{}: `{}`", t.name, t.arn))
        .collect();
    if types.is_empty() {
        " (it acts on `*` only)".into()
    } else {
        format!(" ({})", types.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(
        action: &str,
        resource: &str,
        ctx: &[(&str, &str)],
    ) -> Vec<(RequestField, &'static str)> {
        let ctx: Vec<(String, Vec<String>)> = ctx
            .iter()
            .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
            .collect();
        check_request(action, resource, &ctx)
            .into_iter()
            .map(|p| (p.field, p.code))
            .collect()
    }

    #[test]
    fn a_well_formed_request_has_no_problem() {
        assert_eq!(
            codes("s3:GetObject", "arn:aws:s3:::bucket/key.txt", &[]),
            vec![]
        );
        assert_eq!(
            codes(
                "sts:AssumeRole",
                "arn:aws:iam::412345678901:role/admin-mfa",
                &[
                    ("aws:MultiFactorAuthAge", "7200"),
                    ("aws:MultiFactorAuthPresent", "true")
                ]
            ),
            vec![]
        );
        assert_eq!(codes("sts:GetCallerIdentity", "*", &[]), vec![]);
        // Policy advice (a privilege-escalation action on `*`) is not a problem of a request.
        assert_eq!(
            codes(
                "iam:CreatePolicyVersion",
                "arn:aws:iam::412345678901:policy/p",
                &[]
            ),
            vec![]
        );
    }

    #[test]
    fn the_issue_s_malformed_requests_are_caught() {
        assert_eq!(
            codes("s3GetObject", "*", &[]),
            vec![(RequestField::Action, "INVALID_ACTION_FORMAT")]
        );
        assert_eq!(
            codes("foo:Bar", "*", &[]),
            vec![(RequestField::Action, "UNKNOWN_ACTION_SERVICE")]
        );
        assert_eq!(
            codes("s3:GetObj", "arn:aws:s3:::b/k", &[]),
            vec![(RequestField::Action, "INVALID_ACTION")]
        );
        assert_eq!(
            codes("s3:GetObject", "bucket", &[]),
            vec![(RequestField::Resource, "INVALID_ARN_FORMAT")]
        );
        let p = check_request(
            "ec2:StopInstances",
            "arn:aws:iam::412345678901:role/admin-mfa",
            &[],
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].code, "RESOURCE_TYPE_MISMATCH");
        assert!(p[0].blocking);
        assert!(p[0].message.contains("instance"), "{}", p[0].message);
    }

    #[test]
    fn context_values_are_checked_against_their_key_s_type() {
        let p = codes(
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &[
                ("aws:MultiFactorAuthAge", "an hour"),
                ("aws:CurrentTime", "tomorrow"),
                ("aws:SourceIp", "1.2.3"),
                ("aws:PrincipalTag/team", "anything"),
            ],
        );
        assert_eq!(
            p,
            vec![
                (
                    RequestField::Context("aws:MultiFactorAuthAge".into()),
                    "INVALID_CONDITION_NUMBER"
                ),
                (
                    RequestField::Context("aws:CurrentTime".into()),
                    "INVALID_CONDITION_DATE"
                ),
                (
                    RequestField::Context("aws:SourceIp".into()),
                    "INVALID_CONDITION_IP"
                ),
            ]
        );
    }

    #[test]
    fn patterns_and_star_are_told_apart() {
        assert_eq!(
            codes("s3:Get*", "arn:aws:s3:::b/*", &[]),
            vec![
                (RequestField::Action, "REQUEST_ACTION_WILDCARD"),
                (RequestField::Resource, "REQUEST_RESOURCE_WILDCARD")
            ]
        );
        let p = check_request("s3:GetObject", "*", &[]);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].code, "REQUEST_RESOURCE_STAR");
        assert!(!p[0].blocking);
    }
}
