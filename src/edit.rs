//! Editing policy text: format and minify, applying a diagnostic's fix, templates, draft autosave, and the
//! what-if replacement of a model's document (with revert).
//!
//! Nothing here draws: the editor view in `app` calls these and shows their results.

use crate::account::{DocRole, DocumentRef, EntityKind, EntityRef, Model, PolicyDoc};
use crate::diagnostic::{Diagnostic, Severity};
use crate::json::{self, Kind, NONE};
use crate::text::Span;
use crate::validate::{IdentityKind, PolicyKind};
use std::sync::Arc;

mod drafts;
mod fixes;
mod format;
mod templates;
mod typing;

pub use drafts::{DraftInfo, DraftStore};
pub use fixes::*;
pub use format::*;
pub use templates::*;
pub use typing::*;

// ---------------------------------------------------------------------------------------------------------
// What-if

pub use crate::account::what_if::{DocTarget, WhatIf};

impl DocTarget {
    /// The target of a document listed by [`Model::documents`]; `None` for documents evaluation does not
    /// read (a managed policy's non-default versions).
    pub fn of(model: &Model, d: &DocumentRef<'_>) -> Option<DocTarget> {
        let owner = d.owner?;
        Some(match d.role {
            DocRole::UserInline | DocRole::GroupInline | DocRole::RoleInline => {
                let a = model.accounts.get(owner.account as usize)?;
                let i = owner.index as usize;
                let list = match owner.kind {
                    EntityKind::User => &a.users.get(i)?.inline,
                    EntityKind::Group => &a.groups.get(i)?.inline,
                    EntityKind::Role => &a.roles.get(i)?.inline,
                    _ => return None,
                };
                let p = list.iter().find(|p| std::ptr::eq(&p.doc, d.doc))?;
                DocTarget::Inline {
                    owner,
                    name: p.name.to_string(),
                }
            }
            DocRole::Managed => {
                let p = model
                    .accounts
                    .get(owner.account as usize)?
                    .policies
                    .get(owner.index as usize)?;
                if !std::ptr::eq(p.default_doc()?, d.doc) {
                    return None;
                }
                DocTarget::Managed(owner)
            }
            DocRole::Trust => DocTarget::Trust(owner),
            DocRole::Resource => DocTarget::Resource(owner),
            DocRole::Scp | DocRole::Rcp => DocTarget::Org(owner.index),
        })
    }

    /// The document it names in `model`, when it exists.
    pub fn find<'m>(&self, model: &'m Model) -> Option<&'m PolicyDoc> {
        let acc = |r: &EntityRef| model.accounts.get(r.account as usize);
        match self {
            DocTarget::Inline { owner, name } => {
                let a = acc(owner)?;
                let i = owner.index as usize;
                let list = match owner.kind {
                    EntityKind::User => &a.users.get(i)?.inline,
                    EntityKind::Group => &a.groups.get(i)?.inline,
                    EntityKind::Role => &a.roles.get(i)?.inline,
                    _ => return None,
                };
                list.iter().find(|p| &*p.name == name).map(|p| &p.doc)
            }
            DocTarget::Managed(r) => acc(r)?.policies.get(r.index as usize)?.default_doc(),
            DocTarget::Trust(r) => acc(r)?.roles.get(r.index as usize)?.trust.as_ref(),
            DocTarget::Resource(r) => acc(r)?
                .resource_policies
                .get(r.index as usize)
                .map(|p| &p.doc),
            DocTarget::Org(i) => model.org_policies.get(*i as usize).map(|p| &p.doc),
        }
    }

    fn find_mut<'m>(&self, model: &'m mut Model) -> Option<&'m mut PolicyDoc> {
        match self {
            DocTarget::Inline { owner, name } => {
                let a = model.accounts.get_mut(owner.account as usize)?;
                let i = owner.index as usize;
                let list = match owner.kind {
                    EntityKind::User => &mut a.users.get_mut(i)?.inline,
                    EntityKind::Group => &mut a.groups.get_mut(i)?.inline,
                    EntityKind::Role => &mut a.roles.get_mut(i)?.inline,
                    _ => return None,
                };
                list.iter_mut()
                    .find(|p| &*p.name == name)
                    .map(|p| &mut p.doc)
            }
            DocTarget::Managed(r) => {
                let p = model
                    .accounts
                    .get_mut(r.account as usize)?
                    .policies
                    .get_mut(r.index as usize)?;
                let default = p.default_version.clone();
                let i = p.versions.iter().position(|v| v.is_default).or_else(|| {
                    p.versions
                        .iter()
                        .position(|v| Some(&v.id) == default.as_ref())
                })?;
                p.versions.get_mut(i)?.doc.as_mut()
            }
            DocTarget::Trust(r) => model
                .accounts
                .get_mut(r.account as usize)?
                .roles
                .get_mut(r.index as usize)?
                .trust
                .as_mut(),
            DocTarget::Resource(r) => model
                .accounts
                .get_mut(r.account as usize)?
                .resource_policies
                .get_mut(r.index as usize)
                .map(|p| &mut p.doc),
            DocTarget::Org(i) => model.org_policies.get_mut(*i as usize).map(|p| &mut p.doc),
        }
    }

    /// What kind of document it is (for validation).
    pub fn kind(&self, model: &Model) -> PolicyKind {
        match self {
            DocTarget::Inline { owner, .. } => PolicyKind::Identity(match owner.kind {
                EntityKind::User => IdentityKind::UserInline,
                EntityKind::Group => IdentityKind::GroupInline,
                _ => IdentityKind::RoleInline,
            }),
            DocTarget::Managed(r) => {
                let aws = model
                    .accounts
                    .get(r.account as usize)
                    .and_then(|a| a.policies.get(r.index as usize))
                    .is_some_and(|p| p.aws_managed);
                PolicyKind::Identity(if aws {
                    IdentityKind::AwsManaged
                } else {
                    IdentityKind::Managed
                })
            }
            DocTarget::Trust(_) => PolicyKind::Trust,
            DocTarget::Resource(r) => model
                .accounts
                .get(r.account as usize)
                .and_then(|a| a.resource_policies.get(r.index as usize))
                .map(|p| PolicyKind::resource_of(&p.service))
                .unwrap_or(PolicyKind::Resource { service: None }),
            DocTarget::Org(i) => match model.org_policies.get(*i as usize).map(|p| p.kind) {
                Some(crate::account::OrgPolicyKind::Rcp) => PolicyKind::Rcp,
                _ => PolicyKind::Scp,
            },
        }
    }

    /// A name for people: `user alice inline policy s3-read`.
    pub fn label(&self, model: &Model) -> String {
        let name = |r: &EntityRef| model.describe(*r).0;
        match self {
            DocTarget::Inline { owner, name: n } => {
                let kind = match owner.kind {
                    EntityKind::User => "user",
                    EntityKind::Group => "group",
                    _ => "role",
                };
                format!("{kind} {} inline policy {n}", name(owner))
            }
            DocTarget::Managed(r) => format!("managed policy {}", name(r)),
            DocTarget::Trust(r) => format!("role {} trust policy", name(r)),
            DocTarget::Resource(r) => format!("resource policy of {}", name(r)),
            DocTarget::Org(i) => match model.org_policies.get(*i as usize) {
                Some(p) => format!("{:?} {}", p.kind, p.name).to_uppercase_first(),
                None => "organisation policy".into(),
            },
        }
    }
}

trait UpperFirst {
    fn to_uppercase_first(self) -> String;
}

impl UpperFirst for String {
    fn to_uppercase_first(self) -> String {
        // `Scp name` → `SCP name`
        match self.split_once(' ') {
            Some((k, rest)) => format!("{} {rest}", k.to_uppercase()),
            None => self,
        }
    }
}

impl Model {
    /// Put `text` in place of the document `target` names, as a what-if: the text becomes a new source, the
    /// loaded document is kept for [`Model::revert_document`]. Fails, changing nothing, when the text is not
    /// a JSON object (the syntax diagnostics are returned) or the target does not exist.
    pub fn replace_document(
        &mut self,
        target: &DocTarget,
        text: &str,
    ) -> Result<(), Vec<Diagnostic>> {
        let label = target.label(self);
        if target.find(self).is_none() {
            return Err(vec![Diagnostic::new(
                crate::diagnostic::codes::Code::WHAT_IF_TARGET,
                Severity::Error,
                Span::new(0, 0),
                "",
                format!("the model has no {label}"),
            )]);
        }
        let parsed = json::parse(text);
        let mut errors: Vec<Diagnostic> = crate::policy::syntax_diagnostics(&parsed.errors);
        if errors.is_empty()
            && (parsed.root == NONE || parsed.doc.kind(parsed.root) != Kind::Object)
        {
            errors.push(Diagnostic::new(
                crate::diagnostic::codes::Code::POLICY_NOT_OBJECT,
                Severity::Error,
                Span::new(0, text.len()),
                "",
                "a policy document must be a JSON object",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut interner = crate::policy::Interner::default();
        let mut problems = Vec::new();
        let policy =
            crate::policy::parse_node(text, &parsed.doc, parsed.root, &mut interner, &mut problems);
        let source = self.add_source(format!("what-if: {label}"), Arc::new(text.to_string()));
        let new = PolicyDoc {
            source,
            policy,
            encoded: false,
            problems,
        };
        let Some(slot) = target.find_mut(self) else {
            return Err(Vec::new());
        };
        let old = std::mem::replace(slot, new);
        self.touch();
        if !self.what_if.iter().any(|w| &w.target == target) {
            self.what_if.push(WhatIf {
                target: target.clone(),
                original: old,
            });
        }
        Ok(())
    }

    /// Put back the document `target` had when loaded. Returns false when it was not replaced.
    pub fn revert_document(&mut self, target: &DocTarget) -> bool {
        let Some(i) = self.what_if.iter().position(|w| &w.target == target) else {
            return false;
        };
        let w = self.what_if.remove(i);
        self.touch();
        match target.find_mut(self) {
            Some(slot) => {
                *slot = w.original;
                true
            }
            None => false,
        }
    }

    /// Put back every replaced document.
    pub fn revert_all(&mut self) {
        for t in self
            .what_if
            .iter()
            .map(|w| w.target.clone())
            .collect::<Vec<_>>()
        {
            self.revert_document(&t);
        }
    }

    /// True when `target` holds a what-if document.
    pub fn is_modified(&self, target: &DocTarget) -> bool {
        self.what_if.iter().any(|w| &w.target == target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::LoadOptions;
    use crate::diagnostic::Edit;
    use crate::eval::{Overrides, Principal, Request, evaluate};

    fn fixtures() -> Vec<String> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/policies/aws-accepts.json"
        );
        let text = std::fs::read_to_string(path).expect("fixture");
        let v: Vec<serde_json::Value> = serde_json::from_str(&text).expect("array");
        v.iter()
            .map(|p| serde_json::to_string(p).expect("json"))
            .collect()
    }

    #[test]
    fn a_what_if_on_a_missing_document_or_a_non_object_says_so_and_changes_nothing() {
        let mut m = crate::sample::load_sample(LoadOptions::default()).expect("sample");
        let generation = m.generation();
        let e = m
            .replace_document(&DocTarget::Org(u32::MAX), "{}")
            .unwrap_err();
        assert_eq!(e[0].code, "WHAT_IF_TARGET");
        assert!(e[0].message.contains("the model has no"), "{:?}", e[0]);
        let e = m.replace_document(&DocTarget::Org(0), "[1]").unwrap_err();
        assert_eq!(e[0].code, "POLICY_NOT_OBJECT");
        assert!(m.what_if.is_empty());
        assert_eq!(m.generation(), generation);
    }

    #[test]
    fn format_round_trips_fixture_policies() {
        let all = fixtures();
        assert!(all.len() > 10);
        for p in all {
            let pretty = format(&p).expect("formats");
            let a: serde_json::Value = serde_json::from_str(&p).expect("json");
            let b: serde_json::Value = serde_json::from_str(&pretty).expect("formatted json");
            assert_eq!(a, b, "{pretty}");
            assert_eq!(format(&pretty).expect("again"), pretty, "idempotent");
            let small = minify(&pretty).expect("minifies");
            assert_eq!(format(&small).expect("from minified"), pretty);
            assert!(!small.contains('\n'));
        }
    }

    #[test]
    fn format_keeps_key_order_and_escapes_and_indents_by_four() {
        let text = r#"{"b":1,"a":["x\u0041",{}],"c":[]}"#;
        let pretty = format(text).expect("formats");
        assert_eq!(
            pretty,
            "{\n    \"b\": 1,\n    \"a\": [\n        \"x\\u0041\",\n        {}\n    ],\n    \"c\": []\n}\n"
        );
        assert_eq!(minify(&pretty).expect("minify"), text);
        let err = format("{\"a\": }").expect_err("syntax error");
        assert!(err.span.start >= 5, "{err}");
    }

    #[test]
    fn fixes_remove_their_diagnostic() {
        let text = r#"{
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]
}"#;
        let kind = PolicyKind::Identity(IdentityKind::Managed);
        let diags = crate::validate::validate(text, kind);
        let fixable: Vec<&Diagnostic> = diags.iter().filter(|d| d.fix.is_some()).collect();
        assert!(!fixable.is_empty(), "{diags:?}");
        for d in fixable {
            let fixed = apply_fix(text, d).expect("applies");
            let after = crate::validate::validate(&fixed, kind);
            assert!(
                !after.iter().any(|a| a.code == d.code && a.path == d.path),
                "{} still reported after its fix: {fixed}",
                d.code
            );
        }
        let stale = Edit {
            span: Span::new(0, text.len() + 5),
            text: String::new(),
        };
        assert!(apply_edit(text, &stale).is_err());
    }

    #[test]
    fn templates_validate_without_errors() {
        for t in templates() {
            let diags = crate::validate::validate(t.text, t.kind);
            let bad: Vec<_> = diags
                .iter()
                .filter(|d| d.severity <= Severity::Warning)
                .collect();
            assert!(bad.is_empty(), "{}: {bad:#?}", t.name);
            assert_eq!(format(t.text).expect("formats"), t.text, "{}", t.name);
        }
    }

    fn sample() -> Model {
        crate::sample::load_sample(LoadOptions::default()).expect("sample")
    }

    /// Teaching case 26: ci-deploy's inline `LegacyPipelineDeploy` allows `iam:CreatePolicyVersion`.
    fn allowed_inline(model: &Model) -> (DocTarget, Request) {
        let arn = "arn:aws:iam::412345678901:user/service/ci-deploy";
        let owner = model.by_arn(arn).expect("ci-deploy");
        let mut context = crate::eval::Context::new();
        context.set("aws:RequestedRegion", vec!["us-east-1".into()]);
        // The time fixed: the explanations compared below list the context, and the clock would move on.
        context.set("aws:CurrentTime", vec!["2026-12-06T12:00:00Z".into()]);
        context.set("aws:EpochTime", vec!["1796558400".into()]);
        let req = Request {
            principal: Principal::resolve(arn, model).expect("principal"),
            action: "iam:CreatePolicyVersion".into(),
            resource: "arn:aws:iam::412345678901:policy/larkspur/LarkspurDeveloperAccess".into(),
            resource_account: None,
            context,
        };
        let target = DocTarget::Inline {
            owner,
            name: "LegacyPipelineDeploy".into(),
        };
        assert_eq!(
            evaluate(model, &req, &Overrides::default()).decision,
            crate::eval::Decision::Allow
        );
        (target, req)
    }

    #[test]
    fn replace_then_revert_restores_the_evaluation() {
        let mut model = sample();
        let (target, req) = allowed_inline(&model);
        let before =
            serde_json::to_string(&evaluate(&model, &req, &Overrides::default())).expect("json");
        assert!(before.contains("\"aws:CurrentTime\",[\"2026-12-06T12:00:00Z\"]"));
        let deny_all = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}"#;
        // Caches are keyed on the generation: every change and every clone moves it on.
        let loaded = model.generation();
        assert_ne!(model.clone().generation(), loaded);
        model.replace_document(&target, deny_all).expect("replaces");
        let replaced = model.generation();
        assert_ne!(replaced, loaded);
        assert!(model.is_modified(&target));
        assert_eq!(target.find(&model).expect("doc").text(&model), deny_all);
        let during = evaluate(&model, &req, &Overrides::default());
        assert_eq!(during.decision, crate::eval::Decision::ExplicitDeny);
        // A second replacement keeps the loaded original for revert.
        model
            .replace_document(&target, &deny_all.replace("Deny", "Allow"))
            .expect("replaces again");
        assert!(model.revert_document(&target));
        assert!(model.generation() > replaced);
        assert!(!model.is_modified(&target));
        let after =
            serde_json::to_string(&evaluate(&model, &req, &Overrides::default())).expect("json");
        assert_eq!(before, after);
        assert!(!model.revert_document(&target));
        // Invalid text changes nothing.
        let unchanged = model.generation();
        let errs = model
            .replace_document(&target, "{\"Version\": ")
            .expect_err("syntax error");
        assert_eq!(model.generation(), unchanged);
        assert!(errs.iter().all(|e| e.code == "JSON_SYNTAX_ERROR"));
        assert!(!model.is_modified(&target));
    }

    #[test]
    fn every_evaluated_document_has_a_target_that_finds_it() {
        let model = sample();
        let mut n = 0;
        for d in model.documents() {
            if let Some(t) = DocTarget::of(&model, &d) {
                let found = t.find(&model).expect("found");
                assert!(std::ptr::eq(found, d.doc), "{}", d.label);
                assert!(!t.label(&model).is_empty());
                n += 1;
            }
        }
        assert!(n > 10);
    }

    #[test]
    fn auto_indent_keeps_the_lines_indentation() {
        let text = "{\n    \"a\": 1,\n}";
        let at = text.find(',').map_or(0, |i| i + 1);
        let (out, c) = auto_indent(text, at);
        assert_eq!(out, "{\n    \"a\": 1,\n    \n}");
        assert_eq!(&out[..c], "{\n    \"a\": 1,\n    ");
        // At the start of a line: nothing to copy.
        assert_eq!(auto_indent("abc", 0), ("\nabc".to_string(), 1));
        // Inside the indentation: only the part before the cursor is copied.
        assert_eq!(
            auto_indent("        x", 4),
            ("    \n        x".to_string(), 9)
        );
        // Past the end or inside a character: clamped.
        assert_eq!(auto_indent("é", 1), ("\né".to_string(), 1));
        assert_eq!(auto_indent("  a", 99), ("  a\n  ".to_string(), 6));
    }

    #[test]
    fn auto_indent_goes_one_level_deeper_after_an_opening_bracket() {
        let (out, c) = auto_indent("    \"Action\": [", 15);
        assert_eq!(out, "    \"Action\": [\n        ");
        assert_eq!(c, out.len());
        // Spaces after the bracket do not matter.
        let (out, c) = auto_indent("{  ", 3);
        assert_eq!((out.as_str(), c), ("{  \n    ", 8));
        // A bracket that is not the last thing before the cursor does not count.
        let (out, _) = auto_indent("[1, 2", 5);
        assert_eq!(out, "[1, 2\n");
    }

    #[test]
    fn auto_indent_between_a_pair_puts_the_closing_bracket_on_its_own_line() {
        let (out, c) = auto_indent("{}", 1);
        assert_eq!(out, "{\n    \n}");
        assert_eq!(c, 6);
        let text = "    \"S\": [  ],";
        let at = text.find('[').map_or(0, |i| i + 1);
        let (out, c) = auto_indent(text, at);
        assert_eq!(out, "    \"S\": [\n        \n    ],");
        assert_eq!(&out[c..], "\n    ],");
        // A mismatched pair is not split.
        let (out, _) = auto_indent("{]", 1);
        assert_eq!(out, "{\n    ]");
    }

    #[test]
    fn matching_bracket_pairs_brackets_next_to_the_cursor() {
        let text = r#"{"a": [1, {"b": 2}]}"#;
        let last = text.len() - 1;
        // After the cursor first, then before it.
        assert_eq!(matching_bracket(text, 0), Some((0, last)));
        assert_eq!(matching_bracket(text, text.len()), Some((0, last)));
        assert_eq!(matching_bracket(text, 6), Some((6, last - 1)));
        assert_eq!(matching_bracket(text, 7), Some((6, last - 1)));
        assert_eq!(matching_bracket(text, last), Some((0, last)));
        let inner = text.find("{\"b").unwrap_or_default();
        assert_eq!(matching_bracket(text, inner), Some((inner, inner + 7)));
        // Not next to a bracket.
        assert_eq!(matching_bracket(text, 3), None);
        assert_eq!(matching_bracket("", 0), None);
        assert_eq!(matching_bracket("{", 99), None);
    }

    #[test]
    fn matching_bracket_ignores_strings_and_understands_escapes() {
        let text = r#"{"x": "}{\"]", "y": []}"#;
        let last = text.len() - 1;
        assert_eq!(matching_bracket(text, 0), Some((0, last)));
        assert_eq!(matching_bracket(text, last + 1), Some((0, last)));
        // A bracket inside a string has no pair.
        let in_string = text.find('}').unwrap_or_default();
        assert_eq!(matching_bracket(text, in_string), None);
        // An escaped backslash ends the escape: the quote after it closes the string.
        let t = r#"["a\\", [0]]"#;
        assert_eq!(matching_bracket(t, 0), Some((0, t.len() - 1)));
        assert_eq!(matching_bracket(t, 8), Some((8, 10)));
    }

    #[test]
    fn matching_bracket_refuses_unbalanced_and_mismatched_brackets() {
        assert_eq!(matching_bracket("{", 0), None);
        assert_eq!(matching_bracket("}", 0), None);
        assert_eq!(matching_bracket("[}", 0), None);
        assert_eq!(matching_bracket("[}", 1), None);
        assert_eq!(matching_bracket("{[}", 0), None);
        assert_eq!(matching_bracket("{ ] }", 0), None);
        // Non-ASCII text around brackets.
        let t = "{\"é\": [\"ü\"]}";
        assert_eq!(matching_bracket(t, 0), Some((0, t.len() - 1)));
    }
}
