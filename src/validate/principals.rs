//! Principal checks: formats of AWS, service, federated and canonical-user principals, and wildcards.
//!
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>.

use super::grammar::DiagExt;
use super::{AaCode, Code};
use super::{Ctx, PolicyKind, item_path};
use crate::policy::shape::PrincipalFault;
use crate::policy::{PrincipalKind, PrincipalValue};

/// Web identity providers that are named by domain rather than ARN.
const WEB_IDENTITY: [&str; 4] = [
    "cognito-identity.amazonaws.com",
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
];

pub(crate) fn check(cx: &mut Ctx) {
    for (si, s) in cx.statements() {
        let Some(p) = &s.principal else { continue };
        if cx.kind.is_identity_like() || cx.kind == PolicyKind::Scp {
            continue; // reported as unsupported
        }
        let name = if p.not { "NotPrincipal" } else { "Principal" };
        let base = format!("{}.{name}", cx.stmt_path(si));
        match &p.value {
            PrincipalValue::Star(_) => {}
            PrincipalValue::Map(entries) => {
                if cx.kind == PolicyKind::Rcp {
                    cx.emit(
                        Code::RCP_PRINCIPAL_NOT_STAR,
                        p.span,
                        base.clone(),
                        "a resource control policy's `Principal` must be `\"*\"`",
                    )
                    .help("write `\"Principal\": \"*\"` and narrow with conditions on `aws:PrincipalArn`");
                    continue;
                }
                for e in entries {
                    let kbase = format!("{base}.{}", e.kind.value.as_str());
                    for (i, item) in e.values.items.iter().enumerate() {
                        let v: &str = &item.value;
                        let path = item_path(&kbase, &e.values, i);
                        entry(cx, &e.kind.value, v, item.span, path);
                    }
                }
            }
        }
    }
}

fn entry(cx: &mut Ctx, kind: &PrincipalKind, v: &str, span: crate::text::Span, path: String) {
    if crate::policy::variables::has_variable(v) {
        cx.emit(
            Code::VARIABLE_UNSUPPORTED_IN_ELEMENT,
            span,
            path,
            format!("policy variables are not substituted in `Principal`: `{v}`"),
        );
        return;
    }
    let fault = crate::policy::shape::principal(kind, v).err();
    if fault == Some(PrincipalFault::Wildcard) {
        let aa = if cx.kind == PolicyKind::Trust {
            AaCode::ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL
        } else {
            AaCode::UNSUPPORTED_WILDCARD_IN_PRINCIPAL
        };
        cx.emit_as(
            Code::UNSUPPORTED_WILDCARD_IN_PRINCIPAL,
            aa,
            span,
            path,
            format!("principal `{v}` contains a wildcard; only a bare `*` is allowed"),
        )
        .help("use `\"*\"` with a condition such as `ArnLike` on `aws:PrincipalArn`");
        return;
    }
    match kind {
        PrincipalKind::Aws => {
            if fault == Some(PrincipalFault::Format) {
                cx.emit(
                    Code::INVALID_PRINCIPAL_FORMAT,
                    span,
                    path,
                    format!("`{v}` is not an account id, IAM user/role ARN, STS session ARN or `*`"),
                )
                .help("write `arn:aws:iam::123456789012:root` for an account, or `arn:aws:iam::123456789012:role/name`");
            }
        }
        PrincipalKind::Service => {
            let ok = v == "*"
                || (!v.is_empty()
                    && !v.contains(char::is_whitespace)
                    && (v.ends_with(".amazonaws.com") || v.ends_with(".amazonaws.com.cn")));
            if !ok {
                cx.emit(
                    Code::INVALID_SERVICE_PRINCIPAL_FORMAT,
                    span,
                    path,
                    format!("service principal `{v}` should look like `name.amazonaws.com`"),
                );
            }
        }
        PrincipalKind::Federated => {
            let arn_ok = crate::arn::Arn::parse(v).is_some_and(|a| {
                a.service == "iam"
                    && (a.resource.starts_with("saml-provider/")
                        || a.resource.starts_with("oidc-provider/"))
            });
            if !arn_ok && !WEB_IDENTITY.contains(&v) {
                cx.emit(
                    Code::INVALID_FEDERATED_PRINCIPAL,
                    span,
                    path,
                    format!("federated principal `{v}` is neither a SAML/OIDC provider ARN nor a web identity provider"),
                )
                .help("write `arn:aws:iam::123456789012:oidc-provider/host` or `cognito-identity.amazonaws.com`");
            }
        }
        PrincipalKind::CanonicalUser => {
            if !(v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit())) {
                cx.emit(
                    Code::INVALID_CANONICAL_USER,
                    span,
                    path,
                    format!("canonical user id `{v}` should be 64 hexadecimal digits"),
                );
            }
        }
        PrincipalKind::Other(_) => {}
    }
}
