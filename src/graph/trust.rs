//! The trust graph: who may assume each role (users, roles, whole accounts, AWS services, SAML/OIDC
//! providers, `*`), each edge carrying the conditions of the trust statement that allows it; instance
//! profiles → roles.

use super::builder::{Builder, Key};
use super::types::{
    AtlasGraph, Change, ConditionKind, ConditionSummary, Edge, EdgeKind, GraphKind, Node, NodeKind,
};
use crate::account::{EntityKind, EntityRef, Model, arn_account};
use crate::policy::{ActionBlock, Effect, PrincipalKind, PrincipalValue, Statement};
use crate::wildcard::action_matches;
use petgraph::graph::NodeIndex;

impl Builder<'_> {
    /// The node of a principal named in a trust policy.
    fn principal(&mut self, kind: &PrincipalKind, value: &str) -> Option<NodeIndex> {
        let model = self.model;
        match kind {
            PrincipalKind::Aws => {
                if value == "*" {
                    return Some(self.anyone());
                }
                if crate::arn::is_account_id(value) {
                    return Some(self.account(value));
                }
                let account = arn_account(value)?;
                let resource = crate::arn::Arn::fields(value).map_or("", |a| a.resource);
                if resource == "root" {
                    return Some(self.account(account));
                }
                if let Some(r) = model.by_arn(value) {
                    return Some(self.entity(r));
                }
                // Trust policies name roles and users without their path.
                if let Some(ai) = model.account_index(account) {
                    let (kind, name) = match resource.split_once('/') {
                        Some(("role", rest)) => (EntityKind::Role, rest),
                        Some(("user", rest)) => (EntityKind::User, rest),
                        _ => (EntityKind::OrgPolicy, ""),
                    };
                    let name = name.rsplit('/').next().unwrap_or(name);
                    if let Some(index) = model
                        .accounts
                        .get(ai as usize)
                        .and_then(|a| a.find(kind, name))
                    {
                        return Some(self.entity(EntityRef {
                            account: ai,
                            kind,
                            index,
                        }));
                    }
                }
                Some(self.node(Key::Arn(value.to_string()), |m| Node {
                    kind: NodeKind::External,
                    label: resource.rsplit('/').next().unwrap_or(resource).to_string(),
                    detail: value.to_string(),
                    entity: None,
                    account: m.account_index(account),
                    flagged: true,
                    change: Change::Same,
                }))
            }
            PrincipalKind::Service => {
                if value == "*" {
                    return Some(self.anyone());
                }
                Some(self.node(Key::Service(value.to_string()), |_| Node {
                    kind: NodeKind::Service,
                    label: value.to_string(),
                    detail: format!("AWS service {value}"),
                    entity: None,
                    account: None,
                    flagged: false,
                    change: Change::Same,
                }))
            }
            PrincipalKind::Federated => {
                if let Some(r) = model.by_arn(value) {
                    return Some(self.entity(r));
                }
                let saml = value.contains(":saml-provider/");
                let name = value
                    .split_once(":saml-provider/")
                    .or_else(|| value.split_once(":oidc-provider/"))
                    .map(|(_, n)| n)
                    .unwrap_or(value);
                Some(self.node(Key::Arn(value.to_string()), |m| Node {
                    kind: if saml { NodeKind::Saml } else { NodeKind::Oidc },
                    label: name.to_string(),
                    detail: value.to_string(),
                    entity: None,
                    account: arn_account(value).and_then(|a| m.account_index(a)),
                    flagged: false,
                    change: Change::Same,
                }))
            }
            PrincipalKind::CanonicalUser | PrincipalKind::Other(_) => {
                Some(self.node(Key::Arn(value.to_string()), |_| Node {
                    kind: NodeKind::External,
                    label: value.to_string(),
                    detail: format!("{} {value}", kind.as_str()),
                    entity: None,
                    account: None,
                    flagged: true,
                    change: Change::Same,
                }))
            }
        }
    }

    fn anyone(&mut self) -> NodeIndex {
        self.node(Key::Anyone, |_| Node {
            kind: NodeKind::Anyone,
            label: "*".into(),
            detail: "any principal (\"*\")".into(),
            entity: None,
            account: None,
            flagged: true,
            change: Change::Same,
        })
    }

    fn account(&mut self, id: &str) -> NodeIndex {
        self.node(Key::Account(id.to_string()), |m| {
            let index = m.account_index(id);
            let label = match index.and_then(|i| m.accounts.get(i as usize)) {
                Some(a) => a.label(),
                None => format!("account {id}"),
            };
            Node {
                kind: NodeKind::Account,
                label,
                detail: format!("every principal of account {id} its IAM policies allow"),
                entity: None,
                account: index,
                flagged: index.is_none(),
                change: Change::Same,
            }
        })
    }
}

/// The actions that assume a role (or tag its session), lowercased.
const ASSUME_ACTIONS: [&str; 4] = [
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
];

/// Whether an `Allow` statement of a trust policy lets its principals assume the role.
pub fn allows_assume(s: &Statement) -> bool {
    if s.effect.as_ref().map(|e| e.value) != Some(Effect::Allow) {
        return false;
    }
    match &s.action {
        Some(ActionBlock::Action(list)) => list
            .iter()
            .any(|p| ASSUME_ACTIONS.iter().any(|a| action_matches(p, a))),
        Some(ActionBlock::NotAction(list)) => ASSUME_ACTIONS
            .iter()
            .any(|a| !list.iter().any(|p| action_matches(p, a))),
        None => false,
    }
}

/// Summaries of a statement's conditions.
pub fn summarise_conditions(s: &Statement) -> Vec<ConditionSummary> {
    s.conditions
        .iter()
        .map(|c| {
            let key = c.key.value.to_ascii_lowercase();
            let values = c.values.iter().collect::<Vec<_>>().join(" | ");
            let op = &*c.operator.value;
            let negated = c.op.map(|o| o.base.is_negated()).unwrap_or(false);
            let rel = if op.to_ascii_lowercase().contains("like") {
                if negated { "not like" } else { "like" }
            } else if negated {
                "!="
            } else {
                "="
            };
            let (kind, text) = if key.starts_with("aws:multifactorauth") {
                let text = if key == "aws:multifactorauthage" {
                    format!("MFA age {op} {values}")
                } else if values.eq_ignore_ascii_case("true") && !negated {
                    "MFA".to_string()
                } else {
                    format!("MFA {rel} {values}")
                };
                (ConditionKind::Mfa, text)
            } else if key == "sts:externalid" {
                (
                    ConditionKind::ExternalId,
                    format!("ExternalId {rel} {values}"),
                )
            } else if key.ends_with(":sub") {
                (ConditionKind::OidcSub, format!("sub {rel} {values}"))
            } else if key.ends_with(":aud") {
                // An identity provider's audience (`…:aud`, `SAML:aud`), in short like its subject.
                (ConditionKind::Other, format!("aud {rel} {values}"))
            } else if key == "aws:sourceip" {
                let rel = if negated { "not from" } else { "from" };
                (ConditionKind::SourceIp, format!("source IP {rel} {values}"))
            } else if key.starts_with("aws:principalorg") || key == "aws:principalaccount" {
                (
                    ConditionKind::Organization,
                    format!("{} {rel} {values}", c.key.value),
                )
            } else {
                (
                    ConditionKind::Other,
                    format!("{} {rel} {values}", c.key.value),
                )
            };
            ConditionSummary { kind, text }
        })
        .collect()
}

/// The trust graph of `model`: principals → the roles they may assume, instance profiles → roles.
pub fn trust_graph(model: &Model) -> AtlasGraph {
    let mut b = Builder::new(model);
    for (ai, a) in model.accounts.iter().enumerate() {
        let account = ai as u32;
        for (i, role) in a.roles.iter().enumerate() {
            let me = EntityRef {
                account,
                kind: EntityKind::Role,
                index: i as u32,
            };
            let to = b.entity(me);
            let Some(trust) = &role.trust else { continue };
            for s in &trust.policy.statements {
                if !allows_assume(s) {
                    continue;
                }
                let conditions = summarise_conditions(s);
                let sid = s.sid.as_ref().map(|s| s.value.to_string());
                let mut principals: Vec<(PrincipalKind, String)> = Vec::new();
                match s.principal.as_ref().map(|p| (&p.value, p.not)) {
                    // `NotPrincipal` with Allow: everyone but the named ones.
                    Some((_, true)) | Some((PrincipalValue::Star(_), _)) => {
                        principals.push((PrincipalKind::Aws, "*".into()))
                    }
                    Some((PrincipalValue::Map(entries), false)) => {
                        for e in entries {
                            for v in e.values.iter() {
                                principals.push((e.kind.value.clone(), v.to_string()));
                            }
                        }
                    }
                    None => {}
                }
                for (kind, value) in principals {
                    let Some(from) = b.principal(&kind, &value) else {
                        continue;
                    };
                    let node = &b.graph[from];
                    let wildcard = node.kind == NodeKind::Anyone;
                    let their_account = match node.kind {
                        NodeKind::Service | NodeKind::Anyone => None,
                        _ => arn_account(&value).filter(|a| !a.is_empty()).or_else(|| {
                            (crate::arn::is_account_id(value.as_str())).then_some(value.as_str())
                        }),
                    };
                    let cross_account = their_account.is_some_and(|id| id != &*a.id);
                    let open_federation = matches!(node.kind, NodeKind::Saml | NodeKind::Oidc)
                        && conditions.is_empty();
                    b.edge(
                        from,
                        to,
                        Edge {
                            kind: EdgeKind::Trusts,
                            conditions: conditions.clone(),
                            cross_account,
                            wildcard,
                            open_federation,
                            sid: sid.clone(),
                            change: Change::Same,
                        },
                    );
                }
            }
        }
        for (i, p) in a.instance_profiles.iter().enumerate() {
            let from = b.entity(EntityRef {
                account,
                kind: EntityKind::InstanceProfile,
                index: i as u32,
            });
            for name in &p.roles {
                if let Some(ri) = a.find(EntityKind::Role, name) {
                    let to = b.entity(EntityRef {
                        account,
                        kind: EntityKind::Role,
                        index: ri,
                    });
                    b.edge(from, to, Edge::plain(EdgeKind::Holds));
                }
            }
        }
    }
    b.finish(GraphKind::Trust)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_support::{role, sample};

    #[test]
    fn glob_matches_assume_actions() {
        assert!(action_matches("sts:AssumeRole", "sts:assumerole"));
        assert!(action_matches("sts:AssumeRole*", "sts:assumerolewithsaml"));
        assert!(action_matches("*", "sts:tagsession"));
        assert!(action_matches("sts:*", "sts:assumerole"));
        assert!(!action_matches("sts:AssumeRole", "sts:assumerolewithsaml"));
        assert!(!action_matches("s3:*", "sts:assumerole"));
    }

    #[test]
    fn dev_ci_may_assume_prod_deploy_across_accounts_with_external_id() {
        let m = sample();
        let g = trust_graph(&m);
        let ci = g.node_of(role(&m, "ci-pipeline")).expect("ci node");
        let deploy = g
            .node_of(role(&m, "cross-account-deploy"))
            .expect("deploy node");
        let e = g.graph.find_edge(ci, deploy).expect("ci → deploy edge");
        let e = &g.graph[e];
        assert_eq!(e.kind, EdgeKind::Trusts);
        assert!(e.cross_account);
        assert!(!e.wildcard);
        assert!(
            e.conditions
                .iter()
                .any(|c| c.kind == ConditionKind::ExternalId
                    && c.text.contains("larkspur-deploy-7f3a")),
            "{:?}",
            e.conditions
        );
        // A role chain: codebuild → ci-pipeline → cross-account-deploy.
        let assumers = g.assumers(role(&m, "ci-pipeline"));
        assert!(
            assumers
                .iter()
                .any(|a| a.node.kind == NodeKind::Service
                    && a.node.label == "codebuild.amazonaws.com")
        );
    }

    #[test]
    fn oidc_edge_carries_sub_and_saml_and_mfa_are_labelled() {
        let m = sample();
        let g = trust_graph(&m);
        let gh = g.assumers(role(&m, "github-actions-webshop"));
        assert_eq!(gh.len(), 1);
        assert_eq!(gh[0].node.kind, NodeKind::Oidc);
        assert!(
            gh[0]
                .edge
                .conditions
                .iter()
                .any(|c| c.kind == ConditionKind::OidcSub && c.text.starts_with("sub like repo:")),
            "{:?}",
            gh[0].edge.conditions
        );
        let admin = g.assumers(role(&m, "admin-mfa"));
        assert_eq!(admin[0].node.kind, NodeKind::Account);
        assert!(admin[0].edge.label().contains("MFA"));
        assert!(!admin[0].edge.cross_account);
        let okta = g.assumers(role(&m, "okta-engineers"));
        assert_eq!(okta[0].node.kind, NodeKind::Saml);
    }

    #[test]
    fn legacy_open_role_is_trusted_by_anyone() {
        let m = sample();
        let g = trust_graph(&m);
        let a = g.assumers(role(&m, "legacy-open-role"));
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].node.kind, NodeKind::Anyone);
        assert!(a[0].edge.wildcard && a[0].edge.is_flagged());
    }
}
