//! IAM's last-accessed data: the output of `aws iam get-service-last-accessed-details --job-id …` for one
//! principal, at `SERVICE_LEVEL` or `ACTION_LEVEL` granularity
//! (<https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServiceLastAccessedDetails.html>).
//!
//! The report lists every service the principal's policies allow, with the last time the principal (or, for a
//! group or policy, one of its members) authenticated to it; a service never used has no `LastAuthenticated`.
//! With `ACTION_LEVEL`, the services whose actions IAM tracks also list `TrackedActionsLastAccessed`.
//! The report does not name its principal (the job was started for an ARN), so the workspace file does.

use super::export::LoadError;
use crate::policy::Str;
use crate::text::LineCol;
use crate::time::Timestamp;
use serde::Serialize;
use serde_json::Value;

/// The granularity the job was started with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Granularity {
    /// `SERVICE_LEVEL`: services only.
    Service,
    /// `ACTION_LEVEL`: services, and tracked actions of the services IAM tracks.
    Action,
}

/// One tracked action (`ACTION_LEVEL`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActionAccess {
    /// `ActionName` (without the service prefix, as AWS writes it).
    pub name: String,
    /// `LastAccessedTime`; `None`: not used in the tracking period.
    pub last_accessed: Option<Timestamp>,
}

/// One service of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceAccess {
    /// `ServiceNamespace` (`s3`).
    pub namespace: String,
    /// `ServiceName` (`Amazon S3`).
    pub name: String,
    /// `LastAuthenticated`; `None`: not used in the tracking period.
    pub last_authenticated: Option<Timestamp>,
    /// `LastAuthenticatedRegion`.
    pub region: Option<String>,
    /// `TrackedActionsLastAccessed`, when the report has it.
    pub actions: Option<Vec<ActionAccess>>,
}

/// The last-accessed report of one principal.
#[derive(Clone, Debug, Serialize)]
pub struct LastAccessed {
    /// The user, role or group ARN the job ran for (from the workspace file).
    pub principal: Str,
    /// The file it was read from.
    pub file: String,
    /// `JobType`.
    pub granularity: Granularity,
    /// `JobCompletionDate` (else `JobCreationDate`).
    pub generated: Option<Timestamp>,
    /// `ServicesLastAccessed`.
    pub services: Vec<ServiceAccess>,
    /// `IsTruncated`: services after `Marker` are missing.
    pub truncated: bool,
}

fn shape(name: &str, path: String, message: impl Into<String>) -> LoadError {
    LoadError::Shape {
        path: name.into(),
        json_path: path,
        message: message.into(),
    }
}

fn opt_str<'v>(
    v: &'v Value,
    key: &str,
    name: &str,
    at: &str,
) -> Result<Option<&'v str>, LoadError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(shape(name, format!("{at}.{key}"), "expected a string")),
    }
}

fn opt_time(v: &Value, key: &str, name: &str, at: &str) -> Result<Option<Timestamp>, LoadError> {
    match opt_str(v, key, name, at)? {
        None => Ok(None),
        Some(s) => Timestamp::parse(s).map(Some).ok_or_else(|| {
            shape(
                name,
                format!("{at}.{key}"),
                format!("`{s}` is not a date-time"),
            )
        }),
    }
}

/// Parse the output of `get-service-last-accessed-details` (file `name`) for principal `principal`.
pub fn parse_last_accessed(
    name: &str,
    principal: Str,
    text: &str,
) -> Result<LastAccessed, LoadError> {
    let v: Value = serde_json::from_str(text).map_err(|e| LoadError::Syntax {
        path: name.into(),
        at: LineCol {
            line: e.line() as u32,
            col: e.column() as u32,
        },
        message: e.to_string(),
        more: 0,
    })?;
    if !v.is_object() {
        return Err(shape(
            name,
            "$".into(),
            "expected the object `get-service-last-accessed-details` prints",
        ));
    }
    if let Some(status) = opt_str(&v, "JobStatus", name, "$")?
        && status != "COMPLETED"
    {
        return Err(shape(
            name,
            "$.JobStatus".into(),
            format!("the job is `{status}`, not `COMPLETED`: its data is incomplete"),
        ));
    }
    let granularity = match opt_str(&v, "JobType", name, "$")? {
        Some("ACTION_LEVEL") => Granularity::Action,
        Some("SERVICE_LEVEL") | None => Granularity::Service,
        Some(other) => {
            return Err(shape(
                name,
                "$.JobType".into(),
                format!("unknown job type `{other}`; expected SERVICE_LEVEL or ACTION_LEVEL"),
            ));
        }
    };
    let generated = match opt_time(&v, "JobCompletionDate", name, "$")? {
        Some(t) => Some(t),
        None => opt_time(&v, "JobCreationDate", name, "$")?,
    };
    let truncated = v
        .get("IsTruncated")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let list = match v.get("ServicesLastAccessed") {
        Some(Value::Array(a)) => a.as_slice(),
        None => &[],
        Some(_) => {
            return Err(shape(
                name,
                "$.ServicesLastAccessed".into(),
                "expected a list",
            ));
        }
    };
    let mut services = Vec::with_capacity(list.len());
    for (i, s) in list.iter().enumerate() {
        let at = format!("$.ServicesLastAccessed[{i}]");
        let Some(namespace) = opt_str(s, "ServiceNamespace", name, &at)? else {
            return Err(shape(name, at, "no `ServiceNamespace`"));
        };
        let actions = match s.get("TrackedActionsLastAccessed") {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) => {
                let mut out = Vec::with_capacity(a.len());
                for (j, x) in a.iter().enumerate() {
                    let at = format!("{at}.TrackedActionsLastAccessed[{j}]");
                    let Some(n) = opt_str(x, "ActionName", name, &at)? else {
                        return Err(shape(name, at, "no `ActionName`"));
                    };
                    out.push(ActionAccess {
                        name: n.to_string(),
                        last_accessed: opt_time(x, "LastAccessedTime", name, &at)?,
                    });
                }
                Some(out)
            }
            Some(_) => {
                return Err(shape(
                    name,
                    format!("{at}.TrackedActionsLastAccessed"),
                    "expected a list",
                ));
            }
        };
        services.push(ServiceAccess {
            namespace: namespace.to_string(),
            name: opt_str(s, "ServiceName", name, &at)?
                .unwrap_or(namespace)
                .to_string(),
            last_authenticated: opt_time(s, "LastAuthenticated", name, &at)?,
            region: opt_str(s, "LastAuthenticatedRegion", name, &at)?.map(str::to_string),
            actions,
        });
    }
    Ok(LastAccessed {
        principal,
        file: name.into(),
        granularity,
        generated,
        services,
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_granularities_and_names_errors() {
        let text = r#"{"JobStatus":"COMPLETED","JobType":"ACTION_LEVEL",
            "JobCreationDate":"2026-11-20T10:00:00Z","JobCompletionDate":"2026-11-20T10:00:05Z",
            "ServicesLastAccessed":[
              {"ServiceName":"Amazon S3","ServiceNamespace":"s3","LastAuthenticated":"2026-11-19T08:00:00Z",
               "LastAuthenticatedRegion":"eu-west-1","TotalAuthenticatedEntities":1,
               "TrackedActionsLastAccessed":[{"ActionName":"GetObject","LastAccessedTime":"2026-11-19T08:00:00Z"},
                                             {"ActionName":"PutObject"}]},
              {"ServiceName":"AWS Lambda","ServiceNamespace":"lambda","TotalAuthenticatedEntities":0}],
            "IsTruncated":false}"#;
        let r = parse_last_accessed("la.json", Str::from("arn:aws:iam::1:role/r"), text).unwrap();
        assert_eq!(r.granularity, Granularity::Action);
        assert_eq!(r.services.len(), 2);
        assert!(r.services[1].last_authenticated.is_none());
        let acts = r.services[0].actions.as_ref().unwrap();
        assert_eq!(acts[1].name, "PutObject");
        assert!(acts[1].last_accessed.is_none());
        let e = parse_last_accessed(
            "la.json",
            Str::from("x"),
            r#"{"ServicesLastAccessed":[{"ServiceName":"x"}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "la.json: $.ServicesLastAccessed[0]: no `ServiceNamespace`"
        );
        let e = parse_last_accessed("la.json", Str::from("x"), r#"{"JobStatus":"IN_PROGRESS"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("$.JobStatus"), "{e}");
        let e = parse_last_accessed("la.json", Str::from("x"), "{\n oops")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("la.json:2:"), "{e}");
    }
}
