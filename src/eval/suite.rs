//! Named requests with expected decisions, run as a set against a snapshot: policy unit tests for a whole
//! account. The file format is the one of `assets/sample/teaching-cases.json`:
//!
//! ```json
//! [{"name": "devs cannot delete prod data", "principal": "arn:aws:iam::412345678901:user/li.wei",
//!   "action": "s3:DeleteObject", "resource": "arn:aws:s3:::larkspur-prod-data/x",
//!   "resource_account": "412345678901", "context": {"aws:SecureTransport": ["true"]},
//!   "expected": "ExplicitDeny"}]
//! ```

use super::condition::Context;
use super::engine::{Decision, Overrides, decide};
use super::request::{Principal, Request};
use crate::account::Model;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One saved request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedRequest {
    /// A name for people.
    pub name: String,
    /// The principal (ARN, account id, service, `anonymous`, or a unique user/role name).
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// The resource's account, when its ARN has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_account: Option<String>,
    /// Context keys; a string value is one value.
    #[serde(default, deserialize_with = "context_values")]
    pub context: BTreeMap<String, Vec<String>>,
    /// The decision the request should get.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Decision>,
    /// Why (kept as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// Session policy documents the request was made with (as JSON text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub session_policies: Vec<String>,
}

fn context_values<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let m: BTreeMap<String, OneOrMany> = BTreeMap::deserialize(d)?;
    Ok(m.into_iter()
        .map(|(k, v)| {
            (
                k,
                match v {
                    OneOrMany::One(s) => vec![s],
                    OneOrMany::Many(v) => v,
                },
            )
        })
        .collect())
}

/// Parse a request file (a JSON array of [`NamedRequest`]); errors name the line and column.
pub fn parse(name: &str, text: &str) -> Result<Vec<NamedRequest>, String> {
    serde_json::from_str(text).map_err(|e| {
        format!(
            "{name}:{}:{}: {}",
            e.line(),
            e.column(),
            crate::text::strip_position(&e.to_string())
        )
    })
}

/// Write requests as a JSON file.
pub fn to_json(requests: &[NamedRequest]) -> String {
    serde_json::to_string_pretty(requests).unwrap_or_else(|_| "[]".into())
}

/// The outcome of one saved request.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// Its name.
    pub name: String,
    /// What it should get.
    pub expected: Option<Decision>,
    /// What it got (or why it could not be evaluated).
    pub got: Result<Decision, String>,
    /// No missing policy could change it.
    pub certain: bool,
    /// `got == expected` and the answer is certain (true when nothing is expected and it evaluated).
    pub pass: bool,
}

/// Build the engine request for a saved one.
pub fn request(model: &Model, r: &NamedRequest) -> Result<Request, String> {
    let principal = Principal::resolve(&r.principal, model)?;
    let mut context = Context::new();
    for (k, v) in &r.context {
        context.set(k, v.clone());
    }
    Ok(Request {
        principal,
        action: r.action.clone(),
        resource: r.resource.clone(),
        resource_account: r.resource_account.clone(),
        context,
    })
}

/// The session policies of a saved request, parsed; an error names the policy and the place.
fn session_policies(r: &NamedRequest) -> Result<Vec<(String, crate::policy::Policy)>, String> {
    let mut interner = crate::policy::Interner::default();
    r.session_policies
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let parsed = crate::policy::parse_text(text, &mut interner);
            match parsed
                .diagnostics
                .iter()
                .find(|d| d.severity == crate::diagnostic::Severity::Error)
            {
                Some(d) => Err(format!(
                    "session policy {}: {}: {}",
                    i + 1,
                    crate::text::line_col(text, d.span.start as usize),
                    d.message
                )),
                None => Ok((format!("session policy {}", i + 1), parsed.policy)),
            }
        })
        .collect()
}

/// Run every request against `model`.
pub fn run(model: &Model, requests: &[NamedRequest], overrides: &Overrides) -> Vec<Outcome> {
    requests
        .iter()
        .map(
            |r| match request(model, r).and_then(|req| Ok((req, session_policies(r)?))) {
                Ok((req, sessions)) => {
                    let with_sessions;
                    let overrides = if sessions.is_empty() {
                        overrides
                    } else {
                        // The request's session policies cap it beside whatever else was given.
                        let mut all = overrides.clone();
                        all.session_policies.extend(sessions);
                        with_sessions = all;
                        &with_sessions
                    };
                    let (d, certain) = decide(model, &req, overrides);
                    Outcome {
                        name: r.name.clone(),
                        expected: r.expected,
                        got: Ok(d),
                        certain,
                        // An answer that is not certain (a policy it needs was not read) passes no
                        // expectation: what was not read may change it.
                        pass: r.expected.is_none_or(|e| e == d && certain),
                    }
                }
                Err(e) => Outcome {
                    name: r.name.clone(),
                    expected: r.expected,
                    got: Err(e),
                    certain: false,
                    pass: false,
                },
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_one_or_many_context_values_and_reports_positions() {
        let v = parse(
            "t.json",
            r#"[{"name": "a", "principal": "*", "action": "s3:GetObject", "resource": "*",
                 "context": {"k": "v", "m": ["1", "2"]}, "expected": "ImplicitDeny"}]"#,
        )
        .expect("parses");
        assert_eq!(v[0].context["k"], ["v"]);
        assert_eq!(v[0].context["m"], ["1", "2"]);
        assert_eq!(v[0].expected, Some(Decision::ImplicitDeny));
        let e = parse("t.json", "[{\"name\": 1}]").expect_err("wrong type");
        assert!(e.starts_with("t.json:1:"), "{e}");
        let round = parse("t.json", &to_json(&v)).expect("round trip");
        assert_eq!(round, v);
    }

    #[test]
    fn saved_session_policies_limit_the_request() {
        let model = crate::sample::load_sample(Default::default()).expect("sample");
        let base = NamedRequest {
            name: "admin lists buckets".into(),
            principal: "arn:aws:sts::412345678901:assumed-role/admin-mfa/me".into(),
            action: "s3:ListAllMyBuckets".into(),
            resource: "*".into(),
            resource_account: None,
            context: [
                (
                    "aws:RequestedRegion".to_string(),
                    vec!["eu-west-1".to_string()],
                ),
                ("aws:SecureTransport".to_string(), vec!["true".to_string()]),
            ]
            .into(),
            expected: Some(Decision::Allow),
            why: None,
            session_policies: Vec::new(),
        };
        let limited = NamedRequest {
            session_policies: vec![
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}"#.into(),
            ],
            expected: Some(Decision::ImplicitDeny),
            ..base.clone()
        };
        let broken = NamedRequest {
            session_policies: vec!["{\"Version\": ".into()],
            ..base.clone()
        };
        let out = run(&model, &[base, limited, broken], &Overrides::default());
        assert!(out[0].pass, "{:?}", out[0]);
        assert!(out[1].pass, "{:?}", out[1]);
        assert!(!out[2].pass);
        assert!(
            matches!(&out[2].got, Err(e) if e.starts_with("session policy 1: 1:")),
            "{:?}",
            out[2].got
        );
    }
}
