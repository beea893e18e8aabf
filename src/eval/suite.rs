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
            strip(&e.to_string())
        )
    })
}

fn strip(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
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
    /// `got == expected` (true when nothing is expected and it evaluated).
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

/// Run every request against `model`.
pub fn run(model: &Model, requests: &[NamedRequest], overrides: &Overrides) -> Vec<Outcome> {
    requests
        .iter()
        .map(|r| match request(model, r) {
            Ok(req) => {
                let (d, certain) = decide(model, &req, overrides);
                Outcome {
                    name: r.name.clone(),
                    expected: r.expected,
                    got: Ok(d),
                    certain,
                    pass: r.expected.is_none_or(|e| e == d),
                }
            }
            Err(e) => Outcome {
                name: r.name.clone(),
                expected: r.expected,
                got: Err(e),
                certain: false,
                pass: false,
            },
        })
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
}
