//! Hover help for condition operators and global condition keys: what each means, a one-line example, and
//! the AWS page that defines it.

/// AWS's page on condition operators.
pub const OPERATORS_PAGE: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html";
/// AWS's page on global condition keys.
pub const KEYS_PAGE: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html";
/// AWS's page on multi-valued keys and the set operators.
pub const SETS_PAGE: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html";

/// What a base operator (no set prefix, no `IfExists`) means, with an example.
fn base_operator(op: &str) -> Option<(&'static str, &'static str)> {
    Some(match op {
        "StringEquals" => (
            "the value is exactly one of the listed strings (case matters)",
            "StringEquals aws:PrincipalTag/team = [\"payments\"]",
        ),
        "StringNotEquals" => (
            "the value is none of the listed strings; a missing key matches",
            "StringNotEquals aws:RequestedRegion = [\"eu-west-1\"]",
        ),
        "StringEqualsIgnoreCase" => (
            "like StringEquals, ignoring case",
            "StringEqualsIgnoreCase aws:username = [\"Alice\"]",
        ),
        "StringNotEqualsIgnoreCase" => (
            "like StringNotEquals, ignoring case",
            "StringNotEqualsIgnoreCase aws:username = [\"admin\"]",
        ),
        "StringLike" => (
            "the value matches one of the patterns (* any run, ? one character)",
            "StringLike s3:prefix = [\"home/${aws:username}/*\"]",
        ),
        "StringNotLike" => (
            "the value matches none of the patterns; a missing key matches",
            "StringNotLike aws:userid = [\"AIDA*\"]",
        ),
        "NumericEquals" => (
            "the number equals one of the listed numbers",
            "NumericEquals s3:max-keys = [\"10\"]",
        ),
        "NumericNotEquals" => (
            "the number equals none of them; a missing key matches",
            "NumericNotEquals s3:max-keys = [\"10\"]",
        ),
        "NumericLessThan" => (
            "the number is below the listed one",
            "NumericLessThan aws:MultiFactorAuthAge = [\"3600\"]: MFA less than an hour ago",
        ),
        "NumericLessThanEquals" => (
            "the number is at most the listed one",
            "NumericLessThanEquals s3:max-keys = [\"100\"]",
        ),
        "NumericGreaterThan" => (
            "the number is above the listed one",
            "NumericGreaterThan aws:MultiFactorAuthAge = [\"3600\"]",
        ),
        "NumericGreaterThanEquals" => (
            "the number is at least the listed one",
            "NumericGreaterThanEquals s3:max-keys = [\"1\"]",
        ),
        "DateEquals" => (
            "the date is exactly the listed one",
            "DateEquals aws:CurrentTime = [\"2026-12-31T00:00:00Z\"]",
        ),
        "DateNotEquals" => (
            "the date is not the listed one; a missing key matches",
            "DateNotEquals aws:CurrentTime = [\"2026-12-31T00:00:00Z\"]",
        ),
        "DateLessThan" => (
            "the date is before the listed one",
            "DateLessThan aws:CurrentTime = [\"2026-12-31T23:59:59Z\"]: temporary access",
        ),
        "DateLessThanEquals" => (
            "the date is at or before the listed one",
            "DateLessThanEquals aws:TokenIssueTime = [\"2026-01-01T00:00:00Z\"]",
        ),
        "DateGreaterThan" => (
            "the date is after the listed one",
            "DateGreaterThan aws:CurrentTime = [\"2026-09-01T00:00:00Z\"]",
        ),
        "DateGreaterThanEquals" => (
            "the date is at or after the listed one",
            "DateGreaterThanEquals aws:CurrentTime = [\"2026-09-01T00:00:00Z\"]",
        ),
        "Bool" => (
            "the value is true or false as listed",
            "Bool aws:SecureTransport = [\"true\"]: HTTPS only",
        ),
        "BinaryEquals" => (
            "the base64 value equals the listed one",
            "BinaryEquals key = [\"QmluYXJ5VmFsdWU=\"]",
        ),
        "IpAddress" => (
            "the address is in one of the listed ranges",
            "IpAddress aws:SourceIp = [\"203.0.113.0/24\"]",
        ),
        "NotIpAddress" => (
            "the address is in none of the ranges; a missing key matches",
            "NotIpAddress aws:SourceIp = [\"203.0.113.0/24\"]: deny from elsewhere",
        ),
        "ArnEquals" | "ArnLike" => (
            "the ARN matches one of the listed ARN patterns, field by field",
            "ArnLike aws:SourceArn = [\"arn:aws:sns:*:412345678901:*\"]",
        ),
        "ArnNotEquals" | "ArnNotLike" => (
            "the ARN matches none of the patterns; a missing key matches",
            "ArnNotLike aws:PrincipalArn = [\"arn:aws:iam::*:role/admin\"]",
        ),
        "Null" => (
            "true: the key is absent from the request; false: it is present",
            "Null aws:TokenIssueTime = [\"true\"]: not temporary credentials",
        ),
        _ => return None,
    })
}

/// Help for a condition operator as written (`ForAllValues:StringLikeIfExists`), or `None` when unknown.
pub fn operator(op: &str) -> Option<String> {
    let (set, rest) = if let Some(r) = op.strip_prefix("ForAllValues:") {
        (
            Some(
                "ForAllValues: every value of the request's (multi-valued) key must match; a key that is missing or empty matches too, so pair it with a Null check",
            ),
            r,
        )
    } else if let Some(r) = op.strip_prefix("ForAnyValue:") {
        (
            Some(
                "ForAnyValue: at least one value of the request's key must match; a missing or empty key does not",
            ),
            r,
        )
    } else {
        (None, op)
    };
    let (if_exists, base) = match rest.strip_suffix("IfExists") {
        Some(b) if b != "Null" => (true, b),
        _ => (false, rest),
    };
    let (meaning, example) = base_operator(base)?;
    let mut out = format!("{base}: {meaning}.\nExample: {example}");
    if if_exists {
        out.push_str(
            "\nIfExists: when the key is absent from the request the condition holds; when present it is tested",
        );
    }
    if let Some(s) = set {
        out.push('\n');
        out.push_str(s);
        out.push_str(&format!("\n{SETS_PAGE}"));
    } else if base != "Null" {
        out.push_str(
            "\nWithout a set operator, whether some or every value of a multi-valued key must match is not \
             documented: the evaluator decides only where both readings agree",
        );
    }
    out.push_str(&format!("\n{OPERATORS_PAGE}"));
    Some(out)
}

/// Help for a global condition key (`aws:PrincipalTag/team` is read as `aws:PrincipalTag/${TagKey}`).
pub fn key(key: &str) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    let (meaning, example) = match lower.as_str() {
        "aws:multifactorauthpresent" => (
            "true when the credentials were obtained with MFA; absent for long-term access keys",
            "BoolIfExists aws:MultiFactorAuthPresent = false in a Deny",
        ),
        "aws:multifactorauthage" => (
            "seconds since the MFA sign-in; absent without MFA",
            "NumericLessThan aws:MultiFactorAuthAge = 3600",
        ),
        "aws:sourceip" => (
            "the caller's public IP address (absent through a VPC endpoint or an AWS service)",
            "NotIpAddress aws:SourceIp = 203.0.113.0/24 in a Deny",
        ),
        "aws:requestedregion" => (
            "the Region the request is sent to",
            "StringNotEquals aws:RequestedRegion = [eu-west-1, us-east-1] in a Deny SCP",
        ),
        "aws:currenttime" => (
            "the date and time of the request",
            "DateLessThan aws:CurrentTime = 2026-12-31T23:59:59Z",
        ),
        "aws:epochtime" => (
            "the time of the request in seconds since 1970",
            "NumericLessThan aws:EpochTime = 1798761599",
        ),
        "aws:securetransport" => (
            "true when the request came over TLS",
            "Bool aws:SecureTransport = false in a Deny",
        ),
        "aws:principalorgid" => (
            "the organisation of the calling principal's account",
            "StringEquals aws:PrincipalOrgID = o-lk7q2x9m4z",
        ),
        "aws:principalarn" => (
            "the ARN of the caller (the role, not the session, for assumed roles)",
            "ArnLike aws:PrincipalArn = arn:aws:iam::*:role/ci-*",
        ),
        "aws:principalaccount" => (
            "the account of the caller",
            "StringEquals aws:PrincipalAccount = 412345678901",
        ),
        "aws:tagkeys" => (
            "the tag keys in the request (multi-valued)",
            "ForAllValues:StringEquals aws:TagKeys = [team, env]",
        ),
        "sts:externalid" => (
            "the external id given to AssumeRole (the confused-deputy guard)",
            "StringEquals sts:ExternalId = larkspur-deploy-7f3a",
        ),
        "iam:passedtoservice" => (
            "the service a role is passed to with iam:PassRole",
            "StringEquals iam:PassedToService = glue.amazonaws.com",
        ),
        "aws:sourcearn" | "aws:sourceaccount" => (
            "the resource or account on whose behalf a service calls",
            "ArnLike aws:SourceArn = arn:aws:s3:::bucket",
        ),
        "aws:viaawsservice" => (
            "true when an AWS service makes the call for the principal",
            "Bool aws:ViaAWSService = true",
        ),
        "aws:username" | "aws:userid" => (
            "the caller's user name / unique id",
            "StringLike s3:prefix = home/${aws:username}/*",
        ),
        _ if lower.starts_with("aws:principaltag/") => (
            "a tag on the calling user or role",
            "StringEquals aws:ResourceTag/team = ${aws:PrincipalTag/team} (ABAC)",
        ),
        _ if lower.starts_with("aws:resourcetag/") => (
            "a tag on the resource acted on",
            "StringEquals aws:ResourceTag/team = ${aws:PrincipalTag/team} (ABAC)",
        ),
        _ if lower.starts_with("aws:requesttag/") => (
            "a tag the request sets on a resource",
            "StringEquals aws:RequestTag/team = payments",
        ),
        _ => return None,
    };
    Some(format!(
        "{key}: {meaning}.\nExample: {example}\n{KEYS_PAGE}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_with_prefixes_and_suffixes_are_explained() {
        let h = operator("ForAllValues:StringLikeIfExists").unwrap_or_default();
        assert!(h.contains("StringLike: the value matches"), "{h}");
        assert!(h.contains("IfExists"), "{h}");
        assert!(h.contains("missing or empty matches too"), "{h}");
        assert!(operator("NullIfExists").is_none());
        assert!(operator("NumericLessThan").is_some_and(|h| h.contains("3600")));
        assert!(operator("Frobnicate").is_none());
        assert!(key("aws:PrincipalTag/team").is_some_and(|h| h.contains("ABAC")));
        assert!(key("aws:MultiFactorAuthAge").is_some());
        assert!(key("s3:prefix").is_none());
    }
}
