//! The baseline: findings a reviewer acknowledged, each with a reason, kept in a file beside the workspace so
//! that a re-review of next month's export shows only what is new.
//!
//! ```json
//! { "format": "iam-atlas-baseline/1",
//!   "acknowledged": [{ "code": "ROLE_UNUSED", "entity": "arn:aws:iam::1:role/BreakGlassAdmin",
//!                      "reason": "break-glass role: idle by design, every use is investigated" }] }
//! ```
//! An entry matches a finding with the same code and entity, and the same `subject` when the entry gives one.

use super::{Finding, Review};
use serde::{Deserialize, Serialize};

/// The format tag of version 1.
pub const FORMAT: &str = "iam-atlas-baseline/1";

/// One acknowledged finding.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The finding's code.
    pub code: String,
    /// The entity's ARN.
    pub entity: String,
    /// The finding's subject (the external principal, the key…); absent: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Why it is accepted (required).
    pub reason: String,
}

/// A baseline file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// [`FORMAT`].
    pub format: String,
    /// The entries.
    #[serde(default)]
    pub acknowledged: Vec<Entry>,
}

impl Baseline {
    /// A baseline with no entries.
    pub fn empty() -> Baseline {
        Baseline {
            format: FORMAT.into(),
            acknowledged: Vec::new(),
        }
    }

    /// Acknowledge `f` with `reason`.
    pub fn acknowledge(&mut self, f: &Finding, reason: &str) {
        if !self.covers(f) {
            self.acknowledged.push(Entry {
                code: f.code.as_str().into(),
                entity: f.entity.clone(),
                subject: f.subject.clone(),
                reason: reason.trim().to_string(),
            });
        }
    }

    /// Parse a baseline file named `name`; errors name the file and the line and column or the entry.
    pub fn parse(name: &str, text: &str) -> Result<Baseline, String> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| {
            format!(
                "{name}:{}:{}: {}",
                e.line(),
                e.column(),
                strip(&e.to_string())
            )
        })?;
        if b.format != FORMAT {
            return Err(format!(
                "{name}: unsupported baseline format `{}`; this version reads `{FORMAT}`",
                b.format
            ));
        }
        for (i, e) in b.acknowledged.iter().enumerate() {
            if super::Code::parse(&e.code).is_none() {
                return Err(format!(
                    "{name}: $.acknowledged[{i}].code: unknown finding code `{}`",
                    e.code
                ));
            }
            if e.reason.trim().is_empty() {
                return Err(format!(
                    "{name}: $.acknowledged[{i}].reason: say why `{}` on `{}` is accepted",
                    e.code, e.entity
                ));
            }
        }
        Ok(b)
    }

    /// Does an entry acknowledge `f`?
    pub fn covers(&self, f: &Finding) -> bool {
        self.acknowledged.iter().any(|e| {
            e.code == f.code.as_str()
                && e.entity == f.entity
                && e.subject
                    .as_ref()
                    .is_none_or(|s| Some(s) == f.subject.as_ref())
        })
    }

    /// Remove the acknowledged findings from `review`, counting them.
    pub fn apply(&self, review: &mut Review) {
        let before = review.findings.len();
        review.findings.retain(|f| !self.covers(f));
        review.acknowledged += before - review.findings.len();
    }

    /// A baseline acknowledging every finding of `review`, with empty reasons for the reviewer to fill in.
    pub fn from_review(review: &Review) -> Baseline {
        Baseline {
            format: FORMAT.into(),
            acknowledged: review
                .findings
                .iter()
                .map(|f| Entry {
                    code: f.code.as_str().into(),
                    entity: f.entity.clone(),
                    subject: f.subject.clone(),
                    reason: String::new(),
                })
                .collect(),
        }
    }
}

fn strip(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg).to_string(),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{Code, Finding};

    #[test]
    fn entries_match_code_entity_and_subject() {
        let b = Baseline::parse(
            "b.json",
            r#"{"format":"iam-atlas-baseline/1","acknowledged":[
                {"code":"ROLE_UNUSED","entity":"arn:r","reason":"break glass"},
                {"code":"ACCESS_KEY_UNUSED","entity":"arn:u","subject":"access_key_2","reason":"being removed"}]}"#,
        )
        .unwrap();
        assert!(b.covers(&Finding::new(Code::RoleUnused, "arn:r", "1")));
        assert!(!b.covers(&Finding::new(Code::RoleUnused, "arn:x", "1")));
        assert!(
            b.covers(&Finding::new(Code::AccessKeyUnused, "arn:u", "1").subject("access_key_2"))
        );
        assert!(
            !b.covers(&Finding::new(Code::AccessKeyUnused, "arn:u", "1").subject("access_key_1"))
        );
    }

    #[test]
    fn acknowledging_twice_keeps_one_entry() {
        let mut b = Baseline::empty();
        let f = Finding::new(Code::RoleUnused, "arn:r", "1");
        b.acknowledge(&f, " idle by design ");
        b.acknowledge(&f, "again");
        assert_eq!(b.acknowledged.len(), 1);
        assert_eq!(b.acknowledged[0].reason, "idle by design");
        let text = serde_json::to_string(&b).unwrap();
        assert!(Baseline::parse("b", &text).unwrap().covers(&f));
    }

    #[test]
    fn errors_name_the_place() {
        let e = Baseline::parse("b.json", "{\n \"format\": 3}").unwrap_err();
        assert!(e.starts_with("b.json:2:"), "{e}");
        let e = Baseline::parse(
            "b.json",
            r#"{"format":"iam-atlas-baseline/1","acknowledged":[{"code":"ROLE_UNUSED","entity":"a","reason":" "}]}"#,
        )
        .unwrap_err();
        assert!(e.contains("$.acknowledged[0].reason"), "{e}");
        let e = Baseline::parse(
            "b.json",
            r#"{"format":"iam-atlas-baseline/1","acknowledged":[{"code":"NOPE","entity":"a","reason":"x"}]}"#,
        )
        .unwrap_err();
        assert!(e.contains("unknown finding code `NOPE`"), "{e}");
    }
}
