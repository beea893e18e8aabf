//! One evaluation: each layer in AWS's order, then the decision from their verdicts.

use super::explanation::{label, na, unknown_layer};
use super::inputs::{
    Identity, Levels, RCP_SERVICES, Scratch, given_levels, identity_inputs, levels_of,
};
use super::layer::{Input, LabelSrc, Owner, Picks, layer_result, org_layer};
use super::statement::Eval;
use super::{
    EvalResult, Overrides, Quick, StatementHit, StatementRef, is_kms_key, resource_policy_for,
};
use crate::account::{EntityKind, Model, OrgPolicyKind};
use crate::eval::condition::{Assumption, Test};
use crate::eval::decision::{Decision, Layer, Verdict, combine};
use crate::eval::decision::{
    Possible, Possibles, Shape, Verdicts, certain as decision_certain, some_reading,
};
use crate::eval::index::Prefilter;
use crate::eval::protected::{self, AwsRule};
use crate::eval::request::{PrincipalType, Request};
use crate::time::Timestamp;

/// How much of the explanation to build.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// The decision only: no allocation per statement.
    Decide,
    /// The decision, the statement that decided it and why it is uncertain ([`super::Brief`]).
    Brief,
    /// The decision and the matching statements' labels.
    Statements,
    /// Everything: conditions with their values, positions, the context.
    Explain,
}

/// What [`run`] returns.
pub(super) struct RunOut {
    pub(super) quick: Quick,
    pub(super) decided_by: Option<Layer>,
    /// [`Mode::Brief`]: the statement that decided.
    pub(super) statement: Option<StatementRef>,
    /// [`Mode::Brief`]: why the decision is uncertain.
    pub(super) unknown: Vec<String>,
    /// A rule of AWS's decided before any policy was read.
    pub(super) aws_rule: Option<AwsRule>,
    pub(super) hits: Vec<(Layer, StatementHit)>,
    pub(super) assumed: Vec<Assumption>,
    /// Boxed: it is large, and only [`Mode::Explain`] builds it (every other answer would copy its room).
    pub(super) result: Option<Box<EvalResult>>,
}

pub(super) fn run<'m>(
    model: &'m Model,
    req: &Request,
    overrides: &Overrides,
    mode: Mode,
    prefilter: Option<&mut Prefilter>,
    scratch: Option<&mut Scratch<'m>>,
) -> RunOut {
    let clock = scratch.as_ref().and_then(|s| s.clock());
    let (scp_cache, rcp_cache, identity_cache, mut kept_candidates) = match scratch {
        Some(s) => {
            let (a, b, c, d) = s.split();
            (Some(a), Some(b), Some(c), Some(d))
        }
        None => (None, None, None, None),
    };
    let explain = mode == Mode::Explain;
    if let Some((rule, why)) = protected::aws_rule(req.principal.kind, &req.action, &req.resource) {
        let decision = match rule {
            protected::AwsRule::NoPermissionNeeded => Decision::Allow,
            protected::AwsRule::ProtectedByAws => Decision::ExplicitDeny,
        };
        return RunOut {
            quick: Quick {
                decision,
                certain: true,
                conditional: false,
            },
            decided_by: None,
            statement: None,
            unknown: Vec::new(),
            aws_rule: Some(rule),
            hits: Vec::new(),
            assumed: Vec::new(),
            result: explain.then(|| {
                Box::new(EvalResult {
                    decision,
                    decided_by: None,
                    deciding_statement: None,
                    certain: true,
                    unknown: Vec::new(),
                    principal: req.principal.clone(),
                    action: req.action.clone(),
                    resource: req.resource.clone(),
                    resource_account: req.resource_account(model).map(str::to_string),
                    layers: Vec::new(),
                    missing_context_keys: Vec::new(),
                    context: req.context.entries(),
                    notes: vec![why.to_string()],
                    assumed_conditions: Vec::new(),
                    assumptions: Vec::new(),
                    may_allow: decision == Decision::Allow,
                    aws_rule: Some(rule),
                })
            }),
        };
    }
    let now = overrides.now.or(clock).unwrap_or_else(Timestamp::now);
    let ctx = std::borrow::Cow::Borrowed(&req.context);
    let known_account = req.known_resource_account(model);
    let resource_account = known_account.or(req.principal.account.as_deref());
    let mut notes = Vec::new();
    let account_assumed = req.resource_account_assumed_given(known_account);
    let action_lower = req.action.to_ascii_lowercase();
    let mut buf = Vec::new();
    if let Some(k) = kept_candidates.as_deref_mut() {
        k.begin(&action_lower);
        buf = std::mem::take(&mut k.room);
    }
    let mut ev = Eval {
        model,
        req,
        ctx,
        explain,
        tested_missing: Vec::new(),
        tested_seen: Default::default(),
        now,
        resource_account,
        account_assumed,
        filled: false,
        resource_tags_known: false,
        colon_in_resource: crate::wildcard::colon_in_resource_part(&req.resource),
        prefilter,
        buf,
        optimistic: overrides.optimistic,
        assumed: Vec::new(),
        action_lower,
        kept_candidates,
        collect: mode == Mode::Statements,
        current: Layer::Identity,
        hits: Vec::new(),
        bounded: false,
        ignore: &overrides.ignore,
        pick: matches!(mode, Mode::Brief | Mode::Explain),
        picks: Picks::default(),
    };
    let p = &req.principal;
    let mut unknown: Vec<String> = Vec::new();
    let service = crate::arn::action_service(&req.action);

    // Identity side of the principal.
    let mut identity: std::borrow::Cow<'_, Identity<'_>> = match (p.entity, identity_cache) {
        // Rebuilt, so that each side may borrow for as short as the what-if policies (`Cow` itself cannot).
        (Some(r), Some(cache)) => match cache.get(model, r) {
            std::borrow::Cow::Borrowed(kept) => std::borrow::Cow::Borrowed(kept),
            std::borrow::Cow::Owned(made) => std::borrow::Cow::Owned(made),
        },
        (Some(r), None) => std::borrow::Cow::Owned(identity_inputs(model, r)),
        (None, _) => std::borrow::Cow::Owned(Default::default()),
    };
    let extra = |layer: Layer| {
        overrides
            .extra
            .iter()
            .filter(move |(l, _, _)| *l == layer)
            .map(|(_, n, pol)| Input {
                label: LabelSrc::Owned(label("what-if", n)),
                policy: pol,
            })
    };
    // What-if policies are added to a copy (the kept identity policies never hold them).
    if p.entity.is_some() && extra(Layer::Identity).next().is_some() {
        identity.to_mut().0.extend(extra(Layer::Identity));
    }
    if extra(Layer::Boundary).next().is_some() {
        identity
            .to_mut()
            .1
            .get_or_insert_with(Vec::new)
            .extend(extra(Layer::Boundary));
    }
    let (ident_inputs, boundary_inputs, ident_unknown, service_linked) =
        (&identity.0, &identity.1, &identity.2, identity.3);
    let identity_known = p.entity.is_some();
    ev.bounded = boundary_inputs.is_some();

    // --- SCPs (principal's account) ---
    let scp_levels = match given_levels(&overrides.scp_levels, "scp") {
        Some(l) => Some(Levels::made(l)),
        None => p
            .account
            .as_deref()
            .and_then(|a| levels_of(model, a, OrgPolicyKind::Scp, scp_cache)),
    };
    let scp = if !p.is_iam_identity() {
        na(
            Layer::Scp,
            "SCPs restrict only the IAM users and roles (and root user) of member accounts",
        )
    } else if service_linked {
        na(
            Layer::Scp,
            "service-linked roles are not restricted by SCPs",
        )
    } else {
        match scp_levels {
            None => na(
                Layer::Scp,
                "the principal's account is not in a described organisation, or is its management account",
            ),
            Some(mut levels) => {
                if extra(Layer::Scp).next().is_some() {
                    for (_, inputs) in levels.to_mut().iter_mut() {
                        if let Some(inputs) = inputs {
                            inputs.extend(extra(Layer::Scp));
                        }
                    }
                }
                org_layer(&mut ev, Layer::Scp, levels.get(), false)
            }
        }
    };

    // --- RCPs (resource's account) ---
    let rcp_levels = match given_levels(&overrides.rcp_levels, "rcp") {
        Some(l) => Some(Levels::made(l)),
        None => resource_account.and_then(|a| levels_of(model, a, OrgPolicyKind::Rcp, rcp_cache)),
    };
    let rcp = if service_linked {
        na(Layer::Rcp, "RCPs do not restrict service-linked roles")
    } else if !RCP_SERVICES.iter().any(|s| s.eq_ignore_ascii_case(service))
        && overrides.rcp_levels.is_empty()
    {
        na(
            Layer::Rcp,
            "RCPs apply only to S3, STS, KMS, SQS, Secrets Manager, ECR, OpenSearch Serverless, Cognito Identity, CloudWatch Logs and DynamoDB actions",
        )
    } else {
        match rcp_levels {
            None => na(
                Layer::Rcp,
                "the resource's account is not in a described organisation, or is its management account",
            ),
            Some(mut levels) => {
                if extra(Layer::Rcp).next().is_some() {
                    for (_, inputs) in levels.to_mut().iter_mut() {
                        if let Some(inputs) = inputs {
                            inputs.extend(extra(Layer::Rcp));
                        }
                    }
                }
                org_layer(&mut ev, Layer::Rcp, levels.get(), true)
            }
        }
    };

    // --- Resource policy or trust policy ---
    let is_assume = super::is_trust_action(&req.action);
    let target_role = if is_assume {
        model
            .by_arn(&req.resource)
            .filter(|r| r.kind == EntityKind::Role)
    } else {
        None
    };
    let is_trust = is_assume && req.resource.contains(":role/");
    // Key policies must allow explicitly, for keys only: `kms:CreateKey`/`kms:ListKeys` on `*` and alias
    // resources involve no key policy (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html).
    let resource_required = is_trust || is_kms_key(&req.resource);
    let mut resource_named = None;
    let resource_layer = if is_trust && let Some((n, pol)) = &overrides.resource_policy {
        // A trust policy given with the request (a draft, or a role not in the snapshot) is the role's.
        let input = Input {
            label: LabelSrc::Owned(label("trust", n)),
            policy: pol,
        };
        ev.current = Layer::Trust;
        let mut inputs = vec![input];
        inputs.extend(extra(Layer::Trust));
        let e = ev.layer(&inputs, true);
        resource_named = e.named;
        layer_result(Layer::Trust, e)
    } else if is_trust {
        match target_role.and_then(|r| {
            model
                .accounts
                .get(r.account as usize)?
                .roles
                .get(r.index as usize)
        }) {
            Some(role) => match &role.trust {
                Some(t) => {
                    let input = Input {
                        label: LabelSrc::Model {
                            kind: "trust",
                            owner: Owner {
                                kind: "role",
                                name: &role.name,
                            },
                            name: &role.name,
                            arn: Some(&role.arn),
                            version: None,
                            source: t.source,
                        },
                        policy: &t.policy,
                    };
                    ev.current = Layer::Trust;
                    let mut inputs = vec![input];
                    inputs.extend(extra(Layer::Trust));
                    let e = ev.layer(&inputs, true);
                    resource_named = e.named;
                    layer_result(Layer::Trust, e)
                }
                None => {
                    unknown.push(format!(
                        "the trust policy of role {} is not in the snapshot",
                        role.name
                    ));
                    unknown_layer(Layer::Trust, "the trust policy is not in the snapshot")
                }
            },
            None => {
                unknown.push(format!(
                    "role `{}` is not in the loaded accounts: its trust policy is unknown",
                    req.resource
                ));
                unknown_layer(Layer::Trust, "the role is not in the snapshot")
            }
        }
    } else {
        let from_model = if overrides.resource_policy.is_some() {
            None
        } else {
            resource_policy_for(model, &req.resource).and_then(|r| {
                model
                    .accounts
                    .get(r.account as usize)?
                    .resource_policies
                    .get(r.index as usize)
            })
        };
        let input = match (&overrides.resource_policy, from_model) {
            (Some((n, pol)), _) => Some(Input {
                label: LabelSrc::Owned(label("resource", n)),
                policy: pol,
            }),
            (None, Some(rp)) => Some(Input {
                label: LabelSrc::Model {
                    kind: "resource",
                    owner: Owner {
                        kind: "resource",
                        name: &rp.resource,
                    },
                    name: &rp.resource,
                    arn: None,
                    version: None,
                    source: rp.doc.source,
                },
                policy: &rp.doc.policy,
            }),
            (None, None) => None,
        };
        match input {
            Some(input) => {
                ev.current = Layer::Resource;
                let mut inputs = vec![input];
                inputs.extend(extra(Layer::Resource));
                let e = ev.layer(&inputs, true);
                resource_named = e.named;
                layer_result(Layer::Resource, e)
            }
            None if resource_required => {
                unknown.push(
                    "KMS key policies must allow explicitly, and this key's policy is not loaded"
                        .into(),
                );
                unknown_layer(Layer::Resource, "the key policy is not loaded")
            }
            None if extra(Layer::Resource).next().is_some() => {
                ev.current = Layer::Resource;
                let inputs: Vec<Input<'_>> = extra(Layer::Resource).collect();
                let e = ev.layer(&inputs, true);
                resource_named = e.named;
                layer_result(Layer::Resource, e)
            }
            None => na(
                Layer::Resource,
                "no resource-based policy is loaded for this resource",
            ),
        }
    };

    // --- Identity, boundary, session ---
    let identity = match p.kind {
        PrincipalType::Root => {
            let mut l = na(
                Layer::Identity,
                "the root user has full access within its account",
            );
            l.verdict = Verdict::Allow;
            l.possible = Possible::exactly(Verdict::Allow);
            l
        }
        PrincipalType::User | PrincipalType::Role | PrincipalType::AssumedRole
            if identity_known =>
        {
            ev.current = Layer::Identity;
            let e = ev.layer(ident_inputs, false);
            let mut l = layer_result(Layer::Identity, e);
            l.unknown_policies = ident_unknown.clone();
            if !ident_unknown.is_empty() && l.possible != Possible::exactly(Verdict::ExplicitDeny) {
                // A missing managed policy could add an allow or a deny (a deny read in full already decides).
                l.possible = l.possible.with(Verdict::Allow).with(Verdict::ExplicitDeny);
                l.uncertain = true;
            }
            l
        }
        PrincipalType::User | PrincipalType::Role | PrincipalType::AssumedRole => {
            let mut l = unknown_layer(
                Layer::Identity,
                "the principal is not in the loaded accounts: its identity policies are unknown",
            );
            l.unknown_policies.push(p.arn.clone());
            l
        }
        // A federated user's permissions are those of the session policy passed to `GetFederationToken`
        // within the identity policies of the IAM user who called it
        // (<https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html>): neither is named
        // by the request, so what they allow or deny is not known.
        PrincipalType::FederatedUser => {
            const WHY: &str = "a federated user's permissions are the session policy passed to \
                               GetFederationToken within the policies of the IAM user who called it, neither \
                               of which the request names";
            unknown.push(WHY.into());
            unknown_layer(Layer::Identity, WHY)
        }
        _ => na(
            Layer::Identity,
            "this kind of principal has no identity-based policies",
        ),
    };
    let boundary = match boundary_inputs {
        Some(inputs) if !inputs.is_empty() => {
            ev.current = Layer::Boundary;
            let e = ev.layer(inputs, false);
            layer_result(Layer::Boundary, e)
        }
        Some(_) => {
            unknown.push("the permissions boundary is not in the snapshot".into());
            unknown_layer(
                Layer::Boundary,
                "the permissions boundary is not in the snapshot",
            )
        }
        None => na(Layer::Boundary, "no permissions boundary"),
    };
    let session = if overrides.session_policies.is_empty() && extra(Layer::Session).next().is_none()
    {
        na(Layer::Session, "no session policy")
    } else {
        let inputs: Vec<Input<'_>> = overrides
            .session_policies
            .iter()
            .map(|(n, pol)| Input {
                label: LabelSrc::Owned(label("session", n)),
                policy: pol,
            })
            .chain(extra(Layer::Session))
            .collect();
        ev.current = Layer::Session;
        let e = ev.layer(&inputs, false);
        layer_result(Layer::Session, e)
    };
    // The layers stay apart, not in a list, until the explanation asks for them: most answers need only their
    // verdicts (a list of six was a copy of about 900 bytes per answer).

    // --- The decision: a pure function of the layers' verdicts (`decision.rs`) ---
    let verdicts = Verdicts {
        scp: scp.verdict,
        rcp: rcp.verdict,
        resource: resource_layer.verdict,
        identity: identity.verdict,
        boundary: boundary.verdict,
        session: session.verdict,
    };
    let possibles = Possibles {
        scp: scp.possible,
        rcp: rcp.possible,
        resource: resource_layer.possible,
        identity: identity.possible,
        boundary: boundary.possible,
        session: session.possible,
    };
    let shape = Shape {
        resource_layer: resource_layer.layer,
        accountless: p.account.is_none() || p.kind == PrincipalType::Federated,
        same_account: p.account.is_some() && p.account.as_deref() == resource_account,
        resource_required,
    };
    let named = if resource_layer.verdict == Verdict::Allow {
        resource_named
    } else {
        None
    };
    let (decision, decided) = combine(&verdicts, named, &shape);
    // Of several layers that deny, the one that denies for certain decides (an SCP whose region test is
    // undecided does not hide the identity policy's certain Deny).
    let decided = if decision == Decision::ExplicitDeny {
        [&scp, &rcp, &resource_layer, &identity, &boundary, &session]
            .into_iter()
            .find(|l| l.verdict == Verdict::ExplicitDeny && !l.uncertain)
            .map_or(decided, |l| l.layer)
    } else {
        decided
    };
    let decided_by = Some(decided);
    let statement = if ev.pick {
        ev.picks.deciding(decided, decision)
    } else {
        None
    };
    // Certain when every reading of what was not read gives the same decision.
    let mut certain = decision_certain(&verdicts, &possibles, named, &shape, decision);
    if account_assumed {
        // Read in another account as well: where that decides otherwise (an identity policy's Allow, without a
        // resource-based policy that grants across accounts), the answer rests on the assumption.
        let elsewhere = Shape {
            same_account: false,
            ..shape
        };
        if shape.same_account && combine(&verdicts, named, &elsewhere).0 != decision {
            if overrides.optimistic {
                // Reverse queries: a condition of the answer, as a key the request leaves open is.
                ev.assumed.push(Assumption::Holds(Test {
                    operator: "StringEquals".into(),
                    key: "aws:ResourceAccount".into(),
                    values: resource_account.into_iter().map(str::to_string).collect(),
                }));
            } else {
                certain = false;
                unknown.push(crate::eval::request::ACCOUNT_ASSUMED.to_string());
            }
        } else if explain {
            notes.push(
                "the resource's ARN names no account and no loaded policy places it: it was taken as the \
                 principal's account, and the decision is the same in another"
                    .into(),
            );
        }
    }
    for l in [&scp, &rcp, &resource_layer, &identity, &boundary, &session] {
        if l.uncertain {
            unknown.extend(l.unread.iter().cloned());
        }
    }
    if !certain {
        if !ident_unknown.is_empty() {
            unknown.extend(ident_unknown.iter().cloned());
        }
        if !identity_known
            && matches!(
                p.kind,
                PrincipalType::User | PrincipalType::Role | PrincipalType::AssumedRole
            )
        {
            unknown.push(format!(
                "`{}` is not in the loaded accounts: its identity policies are unknown",
                p.arn
            ));
        }
    } else if !unknown.is_empty() {
        // What was not read did not matter to this decision: said as a note, not as a doubt.
        notes.extend(
            unknown
                .drain(..)
                .map(|u| format!("not read, and it does not change the decision: {u}")),
        );
    }
    let mut assumed = std::mem::take(&mut ev.assumed);
    if assumed.len() > 1 {
        // Two statements may say the same thing in different words (`Bool … false` denied in an RCP and a
        // bucket policy): one condition, said once.
        let mut seen = rustc_hash::FxHashSet::default();
        assumed.retain(|a| seen.insert(a.text()));
    }
    let quick = Quick {
        decision,
        certain,
        conditional: !assumed.is_empty(),
    };
    let (result, unknown) = if explain {
        ev.ensure_ctx();
        let r = EvalResult {
            decision,
            decided_by,
            deciding_statement: statement.clone(),
            certain,
            unknown,
            principal: p.clone(),
            action: req.action.clone(),
            resource: req.resource.clone(),
            resource_account: resource_account.map(str::to_string),
            layers: vec![scp, rcp, resource_layer, identity, boundary, session],
            missing_context_keys: ev.tested_missing.iter().map(|k| k.to_string()).collect(),
            context: ev.ctx.entries(),
            notes,
            assumed_conditions: assumed.iter().map(Assumption::text).collect(),
            assumptions: assumed.clone(),
            may_allow: decision == Decision::Allow
                || (!certain
                    && some_reading(&verdicts, &possibles, named, &shape, |d| {
                        d == Decision::Allow
                    })),
            aws_rule: None,
        };
        (Some(Box::new(r)), Vec::new())
    } else {
        (None, unknown)
    };
    // The candidates' room goes back to the worker's scratch for its next request.
    if let Some(kept) = ev.kept_candidates.as_deref_mut() {
        kept.room = std::mem::take(&mut ev.buf);
    }
    RunOut {
        quick,
        decided_by,
        statement,
        unknown,
        aws_rule: None,
        hits: std::mem::take(&mut ev.hits),
        assumed,
        result,
    }
}
