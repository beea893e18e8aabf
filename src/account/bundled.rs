//! Well-known AWS-managed policies bundled with the binary, for attachments whose policy an export omits.
//! Built from real exports by `assets/tools/extract-aws-managed.py` (see `assets/README.md`).

use crate::account::{ManagedPolicy, Model, PolicyDoc, PolicyVersion, SourceId};
use crate::json::{self, Kind, NodeId};
use crate::policy::{self, Interner};
use std::sync::Arc;

/// The bundled set's text.
pub const AWS_MANAGED_JSON: &str = include_str!("../../assets/aws-managed-policies.json");

/// Lazily parsed bundled set.
#[derive(Default)]
pub struct BundledPolicies {
    parsed: Option<(json::Parsed, Vec<(String, NodeId)>)>,
    source: Option<SourceId>,
}

impl BundledPolicies {
    /// ARNs of every bundled policy.
    pub fn arns() -> Vec<String> {
        let p = json::parse(AWS_MANAGED_JSON);
        p.doc
            .children(p.root)
            .filter_map(|e| p.doc.get(AWS_MANAGED_JSON, e, "Arn"))
            .map(|a| p.doc.str(AWS_MANAGED_JSON, a).into_owned())
            .collect()
    }

    /// The bundled policy with `arn`, added to the model's sources on first use.
    pub fn load(
        &mut self,
        arn: &str,
        model: &mut Model,
        interner: &mut Interner,
    ) -> Option<ManagedPolicy> {
        if !arn.contains(":iam::aws:policy/") {
            return None;
        }
        let (parsed, index) = self.parsed.get_or_insert_with(|| {
            let p = json::parse(AWS_MANAGED_JSON);
            let index = p
                .doc
                .children(p.root)
                .filter_map(|e| {
                    let a = p.doc.get(AWS_MANAGED_JSON, e, "Arn")?;
                    Some((p.doc.str(AWS_MANAGED_JSON, a).into_owned(), e))
                })
                .collect();
            (p, index)
        });
        let &(_, node) = index.iter().find(|(a, _)| a == arn)?;
        let d = &parsed.doc;
        let text = AWS_MANAGED_JSON;
        let s = |k: &str| {
            d.get(text, node, k)
                .filter(|&n| d.kind(n) == Kind::String)
                .map(|n| d.str(text, n).into_owned())
        };
        let name = s("PolicyName")?;
        let document = d.get(text, node, "Document")?;
        let source = *self.source.get_or_insert_with(|| {
            model.add_source(
                "bundled AWS-managed policies",
                Arc::new(AWS_MANAGED_JSON.to_string()),
            )
        });
        let mut problems = Vec::new();
        let policy = policy::parse_node(text, d, document, interner, &mut problems);
        let version = interner.intern(&s("DefaultVersionId").unwrap_or_else(|| "v1".into()));
        Some(ManagedPolicy {
            name: interner.intern(&name),
            id: interner.intern(&format!("bundled:{name}")),
            arn: interner.intern(arn),
            path: interner.intern(&s("Path").unwrap_or_else(|| "/".into())),
            aws_managed: true,
            default_version: Some(version.clone()),
            attachment_count: None,
            boundary_usage_count: None,
            is_attachable: true,
            description: None,
            created: None,
            updated: None,
            versions: vec![PolicyVersion {
                id: version,
                is_default: true,
                created: None,
                doc: Some(PolicyDoc {
                    source,
                    policy,
                    encoded: false,
                    problems,
                }),
            }],
        })
    }
}
