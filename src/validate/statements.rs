//! Action checks against the catalog: format, unknown services and actions (with "did you mean" fixes),
//! wrong case, wildcards that match nothing, and the actions each policy kind allows.
//!
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>.

use super::Code;
use super::grammar::DiagExt;
use super::{Ctx, PolicyKind, item_path, quote};
use crate::catalog::{ActionId, catalog, has_wildcard, wildcard_match};
use crate::policy::Statement;

/// One action pattern of a statement, resolved against the catalog.
#[derive(Clone, Debug, Default)]
pub(crate) struct ActionItem {
    /// The actions it matches (empty when `all`).
    pub ids: Vec<ActionId>,
    /// It matches every action (`*`, `*:*`).
    pub all: bool,
    /// Its service prefix names a known service or is a wildcard.
    pub known_service: bool,
}

/// The actions of one statement, resolved once and shared by every check.
#[derive(Clone, Debug, Default)]
pub(crate) struct StatementActions {
    /// Per item of `Action`/`NotAction`.
    pub items: Vec<ActionItem>,
    /// `NotAction` rather than `Action`.
    pub not: bool,
}

impl StatementActions {
    pub fn new(s: &Statement) -> StatementActions {
        let Some(block) = &s.action else {
            return StatementActions::default();
        };
        let c = catalog();
        let items = block
            .list()
            .iter()
            .map(|p| {
                let all = p == "*" || p == "*:*";
                let known_service = match p.split_once(':') {
                    Some((sp, _)) => has_wildcard(sp) || c.service(sp).is_some(),
                    None => all,
                };
                ActionItem {
                    ids: if all { Vec::new() } else { c.expand(p) },
                    all,
                    known_service,
                }
            })
            .collect();
        StatementActions {
            items,
            not: block.is_not(),
        }
    }

    /// True when some item matches every action.
    pub fn any_all(&self) -> bool {
        self.items.iter().any(|i| i.all)
    }
}

/// IAM's action matching: `pattern` against `service:Name`, ignoring case.
pub(crate) fn action_pattern_matches(pattern: &str, full: &str) -> bool {
    pattern == "*" || wildcard_match(pattern, full)
}

/// Services resource control policies support (AWS Organizations user guide, "Resource control policies").
const RCP_SERVICES: [&str; 10] = [
    "s3",
    "sts",
    "sqs",
    "secretsmanager",
    "kms",
    "ecr",
    "aoss",
    "cognito-identity",
    "dynamodb",
    "logs",
];

/// Actions a trust policy may name (the `sts:` actions that act on a role).
const TRUST_ACTIONS: [&str; 6] = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
];

pub(crate) fn check(cx: &mut Ctx) {
    let c = catalog();
    for (si, s) in cx.statements() {
        let Some(block) = &s.action else { continue };
        let list = block.list();
        let name = if block.is_not() {
            "NotAction"
        } else {
            "Action"
        };
        let base = format!("{}.{name}", cx.stmt_path(si));
        for (ii, item) in list.items.iter().enumerate() {
            let v: &str = &item.value;
            let span = item.span;
            let path = item_path(&base, list, ii);
            if v == "*" {
                continue;
            }
            if crate::policy::variables::has_variable(v) {
                cx.emit(
                    Code::VARIABLE_UNSUPPORTED_IN_ELEMENT,
                    span,
                    path.clone(),
                    format!("policy variables are not substituted in `{name}`: `{v}` is compared literally"),
                );
            }
            if let Err(f) = crate::policy::shape::action(v) {
                use crate::policy::shape::ActionFault;
                let (code, message, help) = match f {
                    ActionFault::NoColon => (
                        Code::INVALID_ACTION_FORMAT,
                        format!("action `{v}` must be prefixed by a service, as in `s3:GetObject`"),
                        Some("write `service:Action`, or `*` for every action"),
                    ),
                    ActionFault::TwoColons => (
                        Code::INVALID_ACTION_FORMAT,
                        format!("action `{v}` can contain only one colon"),
                        Some("write `service:Action`"),
                    ),
                    ActionFault::EmptyPart => (
                        Code::INVALID_ACTION_FORMAT,
                        format!("action `{v}` needs both a service and an action name"),
                        Some("write `service:Action`, e.g. `s3:GetObject`, or `service:*`"),
                    ),
                    ActionFault::Vendor => (
                        Code::INVALID_VENDOR,
                        format!(
                            "service prefix `{}` may contain only letters, digits, `-`, `_` and `.`",
                            v.split(':').next().unwrap_or_default()
                        ),
                        None,
                    ),
                };
                let d = cx.emit(code, span, path, message);
                if let Some(h) = help {
                    d.help(h);
                }
                continue;
            }
            let (sp, ap) = v.split_once(':').unwrap_or((v, ""));
            kind_rules(cx, v, sp, ap, span, &path);
            if has_wildcard(sp) {
                if sp != "*" || ap != "*" {
                    cx.emit(
                        Code::WILDCARD_IN_SERVICE_NAME,
                        span,
                        path,
                        format!("wildcard in the service prefix of `{v}` may match services you do not expect"),
                    )
                    .help("name the service explicitly, e.g. `s3:Get*`");
                }
                continue;
            }
            let Some(svc) = c.service(sp) else {
                let d = cx.emit(
                    Code::UNKNOWN_ACTION_SERVICE,
                    span,
                    path,
                    format!("service `{sp}` does not exist ({})", c.label()),
                );
                if let Some(sugg) = c.suggest_service(sp) {
                    let fixed = format!("{sugg}:{ap}");
                    d.help(format!("did you mean `{sugg}`?"))
                        .with_fix_mut(span, quote(&fixed));
                }
                continue;
            };
            if has_wildcard(ap) {
                let resolved = cx
                    .expanded
                    .get(si)
                    .and_then(|e| e.items.get(ii))
                    .map(|it| !it.ids.is_empty());
                if !resolved
                    .unwrap_or_else(|| svc.actions.iter().any(|a| wildcard_match(ap, a.name)))
                {
                    cx.emit(
                        Code::WILDCARD_ACTION_MATCHES_NOTHING,
                        span,
                        path,
                        format!("`{v}` matches no action of `{}`", svc.prefix),
                    )
                    .help("check the spelling of the action name");
                } else if sp != svc.prefix {
                    let fixed = format!("{}:{ap}", svc.prefix);
                    cx.emit(
                        Code::ACTION_NAME_CASE,
                        span,
                        path,
                        format!("service prefix `{sp}` is written `{}`", svc.prefix),
                    )
                    .with_fix_mut(span, quote(&fixed));
                }
                continue;
            }
            match svc.action(ap) {
                None => {
                    let d = cx.emit(
                        Code::INVALID_ACTION,
                        span,
                        path,
                        format!("`{}` has no action `{ap}` ({})", svc.prefix, c.label()),
                    );
                    if let Some(sugg) = c.suggest_action(svc, ap.trim()) {
                        let fixed = format!("{}:{sugg}", svc.prefix);
                        d.help(format!("did you mean `{fixed}`?"))
                            .with_fix_mut(span, quote(&fixed));
                    }
                }
                Some(a) => {
                    if a.name != ap || svc.prefix != sp {
                        let fixed = format!("{}:{}", svc.prefix, a.name);
                        cx.emit(
                            Code::ACTION_NAME_CASE,
                            span,
                            path,
                            format!("`{v}` is written `{fixed}`"),
                        )
                        .help("IAM ignores case in actions, but the catalog spelling reads better")
                        .with_fix_mut(span, quote(&fixed));
                    }
                }
            }
        }
    }
}

fn kind_rules(cx: &mut Ctx, v: &str, sp: &str, ap: &str, span: crate::text::Span, path: &str) {
    match cx.kind {
        PolicyKind::Trust => {
            let ok = TRUST_ACTIONS.iter().any(|t| action_pattern_matches(v, t));
            if !ok {
                cx.emit(
                    Code::TRUST_POLICY_UNSUPPORTED_ACTION,
                    span,
                    path.to_string(),
                    format!("a trust policy may only name `sts:AssumeRole*` and session actions, found `{v}`"),
                )
                .help("use `sts:AssumeRole`, `sts:AssumeRoleWithSAML` or `sts:AssumeRoleWithWebIdentity`; grant other actions in the role's permission policies");
            }
        }
        PolicyKind::Rcp => {
            let ok = has_wildcard(sp) || RCP_SERVICES.iter().any(|s| s.eq_ignore_ascii_case(sp));
            if !ok {
                cx.emit(
                    Code::RCP_UNSUPPORTED_SERVICE,
                    span,
                    path.to_string(),
                    format!("resource control policies do not support service `{sp}`"),
                )
                .help(format!("RCPs apply to {}", RCP_SERVICES.join(", ")));
            }
        }
        PolicyKind::Scp => {
            let inner = ap.trim_end_matches(['*', '?']);
            if has_wildcard(inner) || has_wildcard(sp) && sp != "*" {
                cx.emit(
                    Code::SCP_SYNTAX_ERROR_ACTION_WILDCARD,
                    span,
                    path.to_string(),
                    format!(
                        "in an SCP a wildcard should stand alone or end the action, found `{v}`"
                    ),
                );
            }
        }
        _ => {}
    }
}
