//! Every diagnostic code, with its default severity and a one-line meaning (the table in
//! `docs/validation.md` and the SARIF rules are generated from this list).

use crate::diagnostic::Severity;
use Severity::{Error as E, SecurityWarning as S, Suggestion as G, Warning as W};

/// A check: its stable code, default severity and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Check {
    /// Stable code (IAM Access Analyzer's issue code where the check is the same one).
    pub code: &'static str,
    /// Default severity (a few checks weigh differently per policy kind; see the summary).
    pub severity: Severity,
    /// Which group it belongs to: `parse`, `grammar`, `catalog`, `resource`, `principal`, `condition`,
    /// `variable`, `security`, `hygiene`.
    pub group: &'static str,
    /// One line: what it finds.
    pub summary: &'static str,
}

const fn c(
    code: &'static str,
    severity: Severity,
    group: &'static str,
    summary: &'static str,
) -> Check {
    Check {
        code,
        severity,
        group,
        summary,
    }
}

/// Every check, grouped.
pub const CHECKS: &[Check] = &[
    // The parser's own (src/policy.rs).
    c(
        "JSON_SYNTAX_ERROR",
        E,
        "parse",
        "the text is not valid JSON; every syntax error is reported",
    ),
    c(
        "POLICY_NOT_OBJECT",
        E,
        "parse",
        "the document is not a JSON object",
    ),
    c(
        "UNKNOWN_ELEMENT",
        E,
        "parse",
        "unknown policy or statement element (AWS rejects it)",
    ),
    c(
        "TYPE_MISMATCH",
        E,
        "parse",
        "an element has the wrong JSON type",
    ),
    c(
        "DUPLICATE_KEY",
        E,
        "parse",
        "the same key twice in one object",
    ),
    c(
        "INVALID_EFFECT",
        E,
        "parse",
        "`Effect` is neither `Allow` nor `Deny` (fix for wrong case)",
    ),
    c(
        "ACTION_AND_NOT_ACTION",
        E,
        "parse",
        "a statement has both `Action` and `NotAction`",
    ),
    c(
        "RESOURCE_AND_NOT_RESOURCE",
        E,
        "parse",
        "a statement has both `Resource` and `NotResource`",
    ),
    c(
        "PRINCIPAL_AND_NOT_PRINCIPAL",
        E,
        "parse",
        "a statement has both `Principal` and `NotPrincipal`",
    ),
    c(
        "INVALID_PRINCIPAL",
        E,
        "parse",
        "a principal string other than `\"*\"`",
    ),
    c(
        "INVALID_PRINCIPAL_KEY",
        E,
        "parse",
        "a principal type other than AWS, Service, Federated, CanonicalUser",
    ),
    c(
        "NULL_IN_ARRAY",
        W,
        "parse",
        "`null` inside a list (AWS ignores it)",
    ),
    // Grammar.
    c(
        "MISSING_VERSION",
        W,
        "grammar",
        "no `Version`: policy variables are not substituted (error for managed policies, boundaries, SCPs and RCPs)",
    ),
    c(
        "INVALID_VERSION",
        E,
        "grammar",
        "`Version` is neither `2012-10-17` nor `2008-10-17` (or `2008-10-17` where AWS requires `2012-10-17`)",
    ),
    c(
        "OLD_VERSION",
        W,
        "grammar",
        "`Version` `2008-10-17`: policy variables are literal text",
    ),
    c("MISSING_STATEMENT", E, "grammar", "no `Statement`"),
    c(
        "EMPTY_STATEMENT",
        E,
        "grammar",
        "`Statement` is an empty list",
    ),
    c(
        "MISSING_EFFECT",
        E,
        "grammar",
        "a statement without `Effect`",
    ),
    c(
        "MISSING_ACTION",
        E,
        "grammar",
        "a statement without `Action` or `NotAction`",
    ),
    c(
        "EMPTY_ARRAY_ACTION",
        E,
        "grammar",
        "`Action`/`NotAction` is an empty list",
    ),
    c(
        "MISSING_RESOURCE",
        E,
        "grammar",
        "a statement without `Resource` or `NotResource` (warning in SCPs)",
    ),
    c(
        "EMPTY_ARRAY_RESOURCE",
        E,
        "grammar",
        "`Resource`/`NotResource` is an empty list",
    ),
    c(
        "RESOURCE_IN_TRUST_POLICY",
        E,
        "grammar",
        "a trust policy names `Resource` (the role is the resource)",
    ),
    c(
        "MISSING_PRINCIPAL",
        E,
        "grammar",
        "a resource, trust or resource control policy statement without `Principal`",
    ),
    c(
        "UNSUPPORTED_PRINCIPAL",
        E,
        "grammar",
        "`Principal` in an identity, boundary or session policy",
    ),
    c(
        "SCP_SYNTAX_ERROR_PRINCIPAL",
        E,
        "grammar",
        "`Principal`/`NotPrincipal` in a service control policy",
    ),
    c(
        "UNSUPPORTED_NOT_PRINCIPAL",
        E,
        "grammar",
        "`NotPrincipal` in a trust or resource control policy",
    ),
    c(
        "UNIQUE_SIDS_REQUIRED",
        E,
        "grammar",
        "two statements share a `Sid` (warning outside IAM)",
    ),
    c(
        "UNSUPPORTED_SID",
        W,
        "grammar",
        "`Sid` with characters other than A-Z, a-z, 0-9 (IAM documents only these)",
    ),
    c("EMPTY_SID", G, "grammar", "`Sid` is an empty string"),
    c(
        "EMPTY_OBJECT_CONDITION",
        G,
        "grammar",
        "`Condition` is an empty object",
    ),
    c(
        "RCP_SYNTAX_ERROR_ALLOW",
        E,
        "grammar",
        "an RCP `Allow` statement other than the full-access one",
    ),
    // Catalog: actions.
    c(
        "INVALID_ACTION_FORMAT",
        E,
        "catalog",
        "an action that is not `service:action` (no colon, two colons, empty part)",
    ),
    c(
        "INVALID_VENDOR",
        E,
        "catalog",
        "a service prefix with characters AWS rejects (spaces, …)",
    ),
    c(
        "INVALID_SERVICE",
        W,
        "catalog",
        "a service prefix the catalog does not know (with a suggestion)",
    ),
    c(
        "INVALID_ACTION",
        W,
        "catalog",
        "an action the service does not have (with a suggestion)",
    ),
    c(
        "ACTION_NAME_CASE",
        G,
        "catalog",
        "an action or service written in another case than the catalog's",
    ),
    c(
        "WILDCARD_ACTION_MATCHES_NOTHING",
        W,
        "catalog",
        "a wildcard action that matches no action of the service",
    ),
    c(
        "WILDCARD_IN_SERVICE_NAME",
        W,
        "catalog",
        "a wildcard in the service prefix (`s*:Get*`)",
    ),
    c(
        "TRUST_POLICY_UNSUPPORTED_ACTION",
        E,
        "catalog",
        "a trust policy action other than `sts:*` actions",
    ),
    c(
        "RCP_UNSUPPORTED_SERVICE",
        E,
        "catalog",
        "an RCP action of a service RCPs do not support",
    ),
    c(
        "SCP_SYNTAX_ERROR_ACTION_WILDCARD",
        W,
        "catalog",
        "an SCP action with a wildcard before its end",
    ),
    // Resources.
    c(
        "INVALID_ARN_FORMAT",
        E,
        "resource",
        "a resource that is neither `*` nor an ARN",
    ),
    c(
        "INVALID_ARN_PREFIX",
        E,
        "resource",
        "a resource ARN that does not start with `arn:`",
    ),
    c(
        "INVALID_PARTITION",
        E,
        "resource",
        "an ARN partition other than aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc",
    ),
    c(
        "MISSING_ARN_SERVICE",
        E,
        "resource",
        "an ARN without a service (`arn:aws`, `arn:aws::x`)",
    ),
    c(
        "MISSING_ARN_FIELD",
        E,
        "resource",
        "an ARN with fewer than six fields (`arn:aws:s3::bucket`)",
    ),
    c(
        "ARN_REGION_NOT_ALLOWED",
        E,
        "resource",
        "a region in an IAM or S3 bucket/object ARN",
    ),
    c(
        "INVALID_IAM_RESOURCE_PATH",
        E,
        "resource",
        "an IAM ARN whose resource is not user/, role/, group/, policy/, …",
    ),
    c(
        "INVALID_ARN_REGION",
        W,
        "resource",
        "an ARN region that does not look like a region (`us-east-1`)",
    ),
    c(
        "INVALID_ARN_ACCOUNT",
        W,
        "resource",
        "an ARN account that is not 12 digits",
    ),
    c(
        "UNKNOWN_ARN_SERVICE",
        W,
        "resource",
        "an ARN service no resource type of the catalog uses",
    ),
    c(
        "RESOURCE_TYPE_MISMATCH",
        W,
        "resource",
        "a resource ARN that fits none of the statement's actions' resource types",
    ),
    c(
        "ACTION_WITHOUT_MATCHING_RESOURCE",
        W,
        "resource",
        "an action none of whose resource types is named in `Resource`",
    ),
    c(
        "ACTION_REQUIRES_STAR_RESOURCE",
        W,
        "resource",
        "an action that supports only `\"Resource\": \"*\"` given specific ARNs",
    ),
    // Principals.
    c(
        "INVALID_PRINCIPAL_FORMAT",
        E,
        "principal",
        "an AWS principal that is not an account id, IAM/STS ARN, unique id or `*`",
    ),
    c(
        "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
        E,
        "principal",
        "a wildcard inside a principal (only a bare `*` is allowed)",
    ),
    c(
        "INVALID_SERVICE_PRINCIPAL_FORMAT",
        W,
        "principal",
        "a service principal that is not `name.amazonaws.com`",
    ),
    c(
        "INVALID_FEDERATED_PRINCIPAL",
        W,
        "principal",
        "a federated principal that is not a SAML/OIDC provider ARN or a known web identity provider",
    ),
    c(
        "INVALID_CANONICAL_USER",
        W,
        "principal",
        "a canonical user id that is not 64 hexadecimal digits",
    ),
    c(
        "EMPTY_OBJECT_PRINCIPAL",
        E,
        "principal",
        "`Principal` is an empty object or lists nothing",
    ),
    c(
        "RCP_PRINCIPAL_NOT_STAR",
        E,
        "principal",
        "an RCP principal other than `\"*\"`",
    ),
    // Conditions.
    c(
        "INVALID_CONDITION_OPERATOR",
        E,
        "condition",
        "an unknown condition operator (with a suggestion)",
    ),
    c(
        "NULL_WITH_IF_EXISTS",
        E,
        "condition",
        "`NullIfExists`: `Null` already tests existence",
    ),
    c(
        "NULL_WITH_SET_QUALIFIER",
        W,
        "condition",
        "`ForAllValues:Null`/`ForAnyValue:Null`",
    ),
    c(
        "INVALID_NULL_VALUE",
        W,
        "condition",
        "a `Null` value other than `true`/`false`",
    ),
    c(
        "INVALID_CONDITION_DATE",
        E,
        "condition",
        "a date operator value that is not an ISO 8601 date or epoch seconds",
    ),
    c(
        "INVALID_CONDITION_NUMBER",
        E,
        "condition",
        "a numeric operator value that is not a number",
    ),
    c(
        "INVALID_CONDITION_BOOL",
        W,
        "condition",
        "a `Bool` value other than `true`/`false`",
    ),
    c(
        "INVALID_CONDITION_IP",
        E,
        "condition",
        "an `IpAddress` value that is not an IPv4/IPv6 address or CIDR range",
    ),
    c(
        "INVALID_CONDITION_ARN",
        W,
        "condition",
        "an ARN operator value that is not an ARN",
    ),
    c(
        "INVALID_CONDITION_MULTIPLE_BOOLEAN",
        W,
        "condition",
        "a `Bool` test with both `true` and `false`",
    ),
    c(
        "CONDITION_TYPE_MISMATCH",
        W,
        "condition",
        "an operator of another type than the key's (`DateEquals` on a string key)",
    ),
    c(
        "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
        S,
        "condition",
        "`ForAllValues` on a single-valued key: true when the key is missing",
    ),
    c(
        "FORANYVALUE_WITH_SINGLE_VALUED_KEY",
        W,
        "condition",
        "`ForAnyValue` on a single-valued key",
    ),
    c(
        "MISSING_QUALIFIER",
        W,
        "condition",
        "a multi-valued key tested without `ForAllValues`/`ForAnyValue`",
    ),
    c(
        "ALLOW_WITH_FORALLVALUES_WITHOUT_NULL",
        S,
        "condition",
        "`Allow` with `ForAllValues` and no `Null` test: matches requests without the key",
    ),
    c(
        "FORANYVALUE_WITH_NEGATED_OPERATOR",
        W,
        "condition",
        "`ForAnyValue` with a negated operator matches almost every request",
    ),
    c(
        "WILDCARD_WITHOUT_LIKE_OPERATOR",
        W,
        "condition",
        "a `*`/`?` in a value of an `Equals` operator (compared literally)",
    ),
    c(
        "DUPLICATE_CONDITION_VALUE",
        W,
        "condition",
        "the same value twice in one condition",
    ),
    c(
        "EMPTY_ARRAY_CONDITION",
        W,
        "condition",
        "a condition key with an empty list of values",
    ),
    c(
        "INVALID_CONDITION_KEY_FORMAT",
        W,
        "condition",
        "a condition key without a `prefix:` (never present in requests)",
    ),
    c(
        "INVALID_GLOBAL_CONDITION_KEY",
        W,
        "condition",
        "an unknown `aws:` condition key (with a suggestion)",
    ),
    c(
        "INVALID_SERVICE_CONDITION_KEY",
        W,
        "condition",
        "a condition key the service does not define (with a suggestion)",
    ),
    c(
        "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
        W,
        "condition",
        "one condition key written twice in different case under one operator",
    ),
    c(
        "CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS",
        W,
        "condition",
        "a service condition key none of the statement's actions supports",
    ),
    // Policy variables.
    c(
        "MISSING_BRACE_IN_VARIABLE",
        W,
        "variable",
        "`${` without its closing `}`",
    ),
    c("EMPTY_VARIABLE", W, "variable", "`${}`"),
    c(
        "UNSUPPORTED_SPACE_IN_VARIABLE",
        W,
        "variable",
        "spaces inside a variable name",
    ),
    c(
        "MISSING_QUOTE_IN_VARIABLE",
        W,
        "variable",
        "a variable default value not in single quotes",
    ),
    c(
        "UNKNOWN_VARIABLE",
        W,
        "variable",
        "a variable that is not a known condition key",
    ),
    c(
        "VARIABLE_UNSUPPORTED_IN_VERSION",
        W,
        "variable",
        "a variable in a policy without `Version` 2012-10-17 (literal text)",
    ),
    c(
        "VARIABLE_UNSUPPORTED_IN_ELEMENT",
        W,
        "variable",
        "a variable where AWS does not substitute it (Action, Principal, Sid, keys)",
    ),
    c(
        "INVALID_VARIABLE_FOR_OPERATOR",
        W,
        "variable",
        "a variable in a numeric, date, bool, IP or binary operator value",
    ),
    // Security.
    c(
        "ALLOW_WITH_NOT_PRINCIPAL",
        S,
        "security",
        "`Allow` with `NotPrincipal` grants to everyone else, anonymous included",
    ),
    c(
        "ALLOW_WITH_NOT_ACTION",
        S,
        "security",
        "`Allow` with `NotAction` grants every other action, future ones included",
    ),
    c(
        "ALLOW_WITH_NOT_RESOURCE",
        S,
        "security",
        "`Allow` with `NotResource` grants on every other resource",
    ),
    c(
        "PASS_ROLE_WITH_STAR_IN_RESOURCE",
        S,
        "security",
        "`iam:PassRole` allowed on `*`: any role can be handed to a service",
    ),
    c(
        "PASS_ROLE_WITH_NOT_RESOURCE",
        S,
        "security",
        "`iam:PassRole` allowed with `NotResource`",
    ),
    c(
        "FULL_ACCESS_STAR_STAR",
        S,
        "security",
        "`Allow` `*` on `*` without conditions: administrator access",
    ),
    c(
        "CREATE_SLR_WITH_STAR_IN_RESOURCE",
        W,
        "security",
        "`iam:CreateServiceLinkedRole` on `*` without an `iam:AWSServiceName` condition",
    ),
    c(
        "PRIVILEGE_ESCALATION_ACTION",
        S,
        "security",
        "an allowed action that lets a principal raise its own privileges",
    ),
    c(
        "PUBLIC_PRINCIPAL",
        S,
        "security",
        "a resource policy allowing `*` without conditions: anyone, anonymous included",
    ),
    c(
        "TRUST_POLICY_ALLOWS_ANYONE",
        S,
        "security",
        "a trust policy anyone in any account can assume",
    ),
    c(
        "OIDC_TRUST_WITHOUT_SUB_CONDITION",
        S,
        "security",
        "an OIDC trust without a `sub` condition: any identity of the provider can assume",
    ),
    c(
        "OIDC_TRUST_WITHOUT_AUD_CONDITION",
        W,
        "security",
        "an OIDC trust without an `aud` condition",
    ),
    c(
        "CROSS_ACCOUNT_TRUST_WITHOUT_EXTERNAL_ID",
        W,
        "security",
        "another account may assume the role without `sts:ExternalId`",
    ),
    c(
        "SERVICE_PRINCIPAL_WITHOUT_SOURCE_CONDITION",
        W,
        "security",
        "a resource policy granting to a service without `aws:SourceArn`/`aws:SourceAccount` (confused deputy)",
    ),
    // Hygiene.
    c(
        "REDUNDANT_ACTION",
        W,
        "hygiene",
        "an action covered by another action of the statement",
    ),
    c(
        "REDUNDANT_RESOURCE",
        W,
        "hygiene",
        "a resource covered by another resource of the statement",
    ),
    c(
        "REDUNDANT_STATEMENT",
        W,
        "hygiene",
        "a statement entirely covered by another",
    ),
    c(
        "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
        E,
        "hygiene",
        "over the identity policy size quota (whitespace outside strings not counted)",
    ),
    c(
        "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
        E,
        "hygiene",
        "over the service's resource policy size quota",
    ),
    c(
        "POLICY_SIZE_EXCEEDS_TRUST_POLICY_QUOTA",
        E,
        "hygiene",
        "over the trust policy quota (2,048 characters by default)",
    ),
    c(
        "POLICY_SIZE_EXCEEDS_SCP_QUOTA",
        E,
        "hygiene",
        "over the SCP/RCP size quota (5,120 characters)",
    ),
];

/// The registry entry of `code`.
pub fn check(code: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_many() {
        let mut codes: Vec<&str> = CHECKS.iter().map(|c| c.code).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n, "duplicate codes");
        assert!(n >= 60, "{n}");
    }
}
