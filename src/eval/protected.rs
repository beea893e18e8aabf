//! Requests that AWS decides before it reads any policy: calls that need no permission, and changes to
//! resources AWS itself owns.

use super::request::PrincipalType;
use serde::Serialize;

/// A rule of AWS's that decides a request whatever the policies say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum AwsRule {
    /// No permission is needed, and an explicit deny does not stop it.
    NoPermissionNeeded,
    /// AWS owns the resource: nobody may change it through this call, whatever the policies allow.
    ProtectedByAws,
}

/// Actions that change a managed policy: AWS-managed policies (`arn:aws:iam::aws:policy/…`) are AWS's own.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies>
const POLICY_CHANGES: [&str; 6] = [
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
];

/// Actions that change a role's trust, permissions or existence. Service-linked roles: "You cannot modify the
/// trust policy for a service-linked role", "You cannot modify the permissions policy for a service-linked role
/// in IAM", and they are deleted only through `iam:DeleteServiceLinkedRole`
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html>,
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-permissions.html>,
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html>). IAM Identity Center's
/// `AWSReservedSSO_*` roles are managed by Identity Center and cannot be changed in IAM
/// (<https://docs.aws.amazon.com/singlesignon/latest/userguide/using-service-linked-roles.html>).
/// The description stays editable (`iam:UpdateRoleDescription`), so it is not listed.
const ROLE_CHANGES: [&str; 8] = [
    "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRole",
];

fn one_of(action: &str, list: &[&str]) -> bool {
    list.iter().any(|a| a.eq_ignore_ascii_case(action))
}

/// The partition-independent part of an ARN after `arn:PARTITION:`.
fn after_partition(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    crate::arn::split_colon(rest).map(|(_, r)| r)
}

/// Actions every signed-in principal may call whatever its policies say (AWS's rule, not a grant): what-can
/// lists them for everyone.
pub const NEEDS_NO_PERMISSION: &[&str] = &["sts:GetCallerIdentity"];

/// The AWS rule that decides `action` on `resource` for a principal of kind `kind`, with its reason.
pub fn aws_rule(
    kind: PrincipalType,
    action: &str,
    resource: &str,
) -> Option<(AwsRule, &'static str)> {
    if action.eq_ignore_ascii_case("sts:GetCallerIdentity") && kind != PrincipalType::Anonymous {
        // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
        return Some((
            AwsRule::NoPermissionNeeded,
            "sts:GetCallerIdentity needs no permission, and an explicit deny does not stop it (STS API reference, GetCallerIdentity)",
        ));
    }
    let rest = after_partition(resource)?;
    if !rest.starts_with("iam::") {
        // Both rules below are about IAM's own resources (one test here instead of a dozen per request).
        return None;
    }
    if one_of(action, &POLICY_CHANGES) && rest.starts_with("iam::aws:policy/") {
        return Some((
            AwsRule::ProtectedByAws,
            "AWS-managed policies belong to AWS: no principal can change or delete them",
        ));
    }
    if one_of(action, &ROLE_CHANGES) && rest.starts_with("iam::") {
        let role_path = rest.split_once(":role/").map(|(_, p)| p).unwrap_or("");
        if role_path.starts_with("aws-service-role/") {
            return Some((
                AwsRule::ProtectedByAws,
                "service-linked roles are managed by their service: their trust and permissions cannot be changed in IAM, and they are deleted only through iam:DeleteServiceLinkedRole",
            ));
        }
        if role_path.starts_with("aws-reserved/sso.amazonaws.com/") {
            return Some((
                AwsRule::ProtectedByAws,
                "IAM Identity Center's AWSReservedSSO_* roles are managed by Identity Center and cannot be changed or deleted in IAM",
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let r = |a: &str, res: &str| aws_rule(PrincipalType::User, a, res).map(|x| x.0);
        assert_eq!(
            r("sts:GetCallerIdentity", "*"),
            Some(AwsRule::NoPermissionNeeded)
        );
        assert_eq!(
            aws_rule(PrincipalType::Anonymous, "sts:GetCallerIdentity", "*"),
            None
        );
        assert_eq!(
            r(
                "iam:CreatePolicyVersion",
                "arn:aws:iam::aws:policy/AdministratorAccess"
            ),
            Some(AwsRule::ProtectedByAws)
        );
        assert_eq!(
            r(
                "iam:GetPolicy",
                "arn:aws:iam::aws:policy/AdministratorAccess"
            ),
            None
        );
        assert_eq!(
            r(
                "iam:CreatePolicyVersion",
                "arn:aws:iam::111122223333:policy/Mine"
            ),
            None
        );
        assert_eq!(
            r(
                "iam:DeleteRole",
                "arn:aws:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"
            ),
            Some(AwsRule::ProtectedByAws)
        );
        assert_eq!(
            r(
                "iam:AttachRolePolicy",
                "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef"
            ),
            Some(AwsRule::ProtectedByAws)
        );
        assert_eq!(
            r("iam:AttachRolePolicy", "arn:aws:iam::111122223333:role/app"),
            None
        );
        assert_eq!(r("iam:DeleteRole", "not an arn"), None);
    }
}
