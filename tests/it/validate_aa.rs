//! Access Analyzer's issue codes, one policy written to raise each (and its quiet twin, which must not), by
//! policy type: the table is `AA_CASES`. The codes and finding types come from
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>.
//! Also: every Access Analyzer code the registry supports has a case (here or in `validate_checks`), the
//! documentation's table of Access Analyzer codes agrees with the registry, and JSON/SARIF carry the fields.

use iam_atlas::validate::{
    AaCode, CHECKS, IdentityKind, Options, PolicyKind, supported, validate_with,
};

const M: PolicyKind = PolicyKind::Identity(IdentityKind::Managed);
const T: PolicyKind = PolicyKind::Trust;
const R: PolicyKind = PolicyKind::Resource {
    service: Some("s3"),
};
const P: PolicyKind = PolicyKind::Rcp;

/// One Access Analyzer code: a policy of `kind` that raises it and a twin that does not.
pub(crate) struct AaCase {
    pub code: &'static str,
    pub kind: PolicyKind,
    pub fires: String,
    pub quiet: String,
}

fn doc(stmts: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{stmts}]}}"#)
}

/// An identity `Allow` of `action` on `resource` with `condition` (JSON texts; `""` for none).
fn id(action: &str, resource: &str, condition: &str) -> String {
    let c = if condition.is_empty() {
        String::new()
    } else {
        format!(r#", "Condition": {condition}"#)
    };
    doc(&format!(
        r#"{{"Effect": "Allow", "Action": {action}, "Resource": {resource}{c}}}"#
    ))
}

/// A statement from its elements, written as JSON members.
fn st(members: &str) -> String {
    doc(&format!("{{{members}}}"))
}

/// A role trust statement: `principal`, `action`, `condition` (`""` for none).
fn trust(principal: &str, action: &str, condition: &str) -> String {
    let c = if condition.is_empty() {
        String::new()
    } else {
        format!(r#", "Condition": {condition}"#)
    };
    doc(&format!(
        r#"{{"Effect": "Allow", "Principal": {principal}, "Action": {action}{c}}}"#
    ))
}

/// An S3 bucket policy statement granting `s3:GetObject` to `principal`.
fn bucket(principal: &str, condition: &str) -> String {
    let c = if condition.is_empty() {
        String::new()
    } else {
        format!(r#", "Condition": {condition}"#)
    };
    doc(&format!(
        r#"{{"Effect": "Allow", "Principal": {principal}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"{c}}}"#
    ))
}

/// An RCP `Deny` of `s3:*` with `condition`.
fn rcp(condition: &str) -> String {
    doc(&format!(
        r#"{{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {condition}}}"#
    ))
}

fn padded(stmt: &str, n: usize) -> String {
    let sids: Vec<String> = (0..n / 60)
        .map(|i| stmt.replace("SID", &format!("S{i:06}")))
        .collect();
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        sids.join(",\n")
    )
}

const OBJ: &str = r#""arn:aws:s3:::b/*""#;
const GET: &str = r#""s3:GetObject""#;
const GH: &str = r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}"#;
const WEB: &str = r#""sts:AssumeRoleWithWebIdentity""#;

fn case(code: &'static str, kind: PolicyKind, fires: String, quiet: String) -> AaCase {
    AaCase {
        code,
        kind,
        fires,
        quiet,
    }
}

pub(crate) fn aa_cases() -> Vec<AaCase> {
    let tag = r#"{"StringEquals": {"aws:ResourceTag/team": "a"}}"#;
    let ec2 = r#""arn:aws:ec2:*:*:instance/*""#;
    let pol = r#""arn:aws:iam::123456789012:role/r""#;
    vec![
        case(
            "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            M,
            st(&format!(r#""Effect": "Allow", "NotAction": "s3:*", "Resource": "*", "Condition": {tag}"#)),
            id(r#""ec2:StartInstances""#, ec2, tag),
        ),
        case(
            "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            M,
            id(r#"["ec2:StartInstances", "s3:ListAllMyBuckets"]"#, r#""*""#, tag),
            id(r#""ec2:StartInstances""#, ec2, tag),
        ),
        case(
            "ARN_ACCOUNT_NOT_ALLOWED",
            M,
            id(r#""route53:GetHostedZone""#, r#""arn:aws:route53::123456789012:hostedzone/Z1""#, ""),
            id(r#""route53:GetHostedZone""#, r#""arn:aws:route53:::hostedzone/Z1""#, ""),
        ),
        case(
            "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE",
            M,
            st(r#""Effect": "Allow", "NotAction": "s3:*", "NotResource": "arn:aws:s3:::b""#),
            st(r#""Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::b""#),
        ),
        case(
            "CREATE_SLR_WITH_NOT_RESOURCE",
            M,
            st(r#""Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "NotResource": "arn:aws:iam::123456789012:role/r""#),
            st(r#""Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "NotResource": "arn:aws:iam::123456789012:role/r", "Condition": {"StringEquals": {"iam:AWSServiceName": "autoscaling.amazonaws.com"}}"#),
        ),
        case(
            "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
            M,
            st(r#""Effect": "Allow", "Action": "iam:*", "NotResource": "arn:aws:iam::123456789012:role/r""#),
            st(r#""Effect": "Allow", "Action": "iam:Get*", "NotResource": "arn:aws:iam::123456789012:role/r""#),
        ),
        case(
            "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
            M,
            id(r#""iam:Create*""#, r#""*""#, ""),
            id(r#""iam:Create*""#, pol, ""),
        ),
        case(
            "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
            M,
            st(r#""Effect": "Allow", "NotAction": "s3:*", "Resource": "*""#),
            st(r#""Effect": "Allow", "NotAction": "iam:*", "Resource": "*""#),
        ),
        case(
            "DATA_TYPE_MISMATCH",
            M,
            r#"{"Version": "2012-10-17", "Id": 5, "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#.into(),
            r#"{"Version": "2012-10-17", "Id": "5", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#.into(),
        ),
        case(
            "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            M,
            st(&format!(r#""Effect": "Deny", "NotAction": "s3:*", "Resource": "*", "Condition": {tag}"#)),
            st(&format!(r#""Effect": "Deny", "Action": "ec2:StartInstances", "Resource": {ec2}, "Condition": {tag}"#)),
        ),
        case(
            "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            M,
            st(&format!(r#""Effect": "Deny", "Action": ["ec2:StartInstances", "s3:ListAllMyBuckets"], "Resource": "*", "Condition": {tag}"#)),
            st(&format!(r#""Effect": "Deny", "Action": "ec2:StartInstances", "Resource": {ec2}, "Condition": {tag}"#)),
        ),
        case(
            "DYNAMODB_ATTRIBUTES_WITHOUT_SELECT",
            M,
            id(r#""dynamodb:GetItem""#, r#""arn:aws:dynamodb:us-east-1:123456789012:table/t""#, r#"{"ForAllValues:StringEquals": {"dynamodb:Attributes": ["a"]}}"#),
            id(r#""dynamodb:GetItem""#, r#""arn:aws:dynamodb:us-east-1:123456789012:table/t""#, r#"{"ForAllValues:StringEquals": {"dynamodb:Attributes": ["a"]}, "StringEquals": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}}"#),
        ),
        case(
            "EMPTY_ARRAY_CONDITION_FORALLVALUES",
            M,
            id(GET, OBJ, r#"{"ForAllValues:StringEquals": {"aws:TagKeys": []}}"#),
            id(GET, OBJ, r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}}"#),
        ),
        case(
            "EMPTY_ARRAY_CONDITION_FORANYVALUE",
            M,
            id(GET, OBJ, r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": []}}"#),
            id(GET, OBJ, r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}}"#),
        ),
        case(
            "EMPTY_ARRAY_CONDITION_IFEXISTS",
            M,
            id(GET, OBJ, r#"{"StringEqualsIfExists": {"aws:SourceVpc": []}}"#),
            id(GET, OBJ, r#"{"StringEqualsIfExists": {"aws:SourceVpc": ["vpc-1a2b"]}}"#),
        ),
        case(
            "EMPTY_ARRAY_PRINCIPAL",
            R,
            bucket(r#"{"AWS": []}"#, ""),
            bucket(r#"{"AWS": "arn:aws:iam::111122223333:root"}"#, ""),
        ),
        case(
            "EMPTY_SID_VALUE",
            M,
            st(r#""Sid": "", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*""#),
            st(r#""Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*""#),
        ),
        case(
            "EQUIVALENT_TO_NULL_FALSE",
            M,
            id(GET, OBJ, r#"{"StringLike": {"aws:PrincipalTag/team": "*"}}"#),
            id(GET, OBJ, r#"{"StringLike": {"aws:PrincipalTag/team": "a*"}}"#),
        ),
        case(
            "EQUIVALENT_TO_NULL_TRUE",
            M,
            id(GET, OBJ, r#"{"StringNotLike": {"aws:PrincipalTag/team": "*"}}"#),
            id(GET, OBJ, r#"{"StringNotLike": {"aws:PrincipalTag/team": "a*"}}"#),
        ),
        case(
            "FEDERATED_PRINCIPAL_NOT_SUPPORTED",
            R,
            bucket(r#"{"Federated": "cognito-identity.amazonaws.com"}"#, ""),
            bucket(r#"{"AWS": "arn:aws:iam::111122223333:root"}"#, ""),
        ),
        case(
            "FORANYVALUE_WITH_AUDIENCE_CLAIM_TYPE",
            T,
            trust(GH, WEB, r#"{"ForAnyValue:StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}}"#),
            trust(GH, WEB, r#"{"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}}"#),
        ),
        case(
            "IMPROVE_IP_RANGE",
            M,
            id(GET, OBJ, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.5/24"}}"#),
            id(GET, OBJ, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#),
        ),
        case(
            "INVALID_ARN_REGION",
            M,
            id(r#""sqs:SendMessage""#, r#""arn:aws:sqs:useast1:123456789012:q""#, ""),
            id(r#""sqs:SendMessage""#, r#""arn:aws:sqs:us-east-1:123456789012:q""#, ""),
        ),
        case(
            "INVALID_ARN_RESOURCE",
            M,
            id(r#""iam:GetUser""#, r#""arn:aws:iam::123456789012:usr/x""#, ""),
            id(r#""iam:GetUser""#, r#""arn:aws:iam::123456789012:user/x""#, ""),
        ),
        case(
            "INVALID_ARN_SERVICE_CASE",
            M,
            id(GET, r#""arn:aws:S3:::b/*""#, ""),
            id(GET, OBJ, ""),
        ),
        case(
            "INVALID_CONDITION_DATA_TYPE",
            M,
            id(GET, OBJ, r#"{"StringEquals": {"aws:SourceVpc": {"a": "b"}}}"#),
            id(GET, OBJ, r#"{"StringEquals": {"aws:SourceVpc": "vpc-1a2b"}}"#),
        ),
        case(
            "INVALID_DATE_VALUE",
            M,
            id(GET, OBJ, r#"{"DateGreaterThan": {"aws:CurrentTime": "2020-1-1"}}"#),
            id(GET, OBJ, r#"{"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}"#),
        ),
        case(
            "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY",
            T,
            trust(r#"{"Federated": "nope"}"#, WEB, ""),
            trust(r#"{"Federated": "cognito-identity.amazonaws.com"}"#, WEB, ""),
        ),
        case(
            "INVALID_KMS_KEY_VALUE",
            M,
            id(r#""s3:PutObject""#, OBJ, r#"{"StringEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "my-key"}}"#),
            id(r#""s3:PutObject""#, OBJ, r#"{"StringEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:123456789012:key/1a2b"}}"#),
        ),
        case(
            "INVALID_POLICY_ELEMENT",
            M,
            st(r#""Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condtion": {}"#),
            id(GET, OBJ, ""),
        ),
        case(
            "INVALID_PRINCIPAL_FORMAT",
            R,
            bucket(r#"{"AWS": "not-an-arn"}"#, ""),
            bucket(r#"{"AWS": "111122223333"}"#, ""),
        ),
        case(
            "INVALID_REGION",
            M,
            id(GET, OBJ, r#"{"StringEquals": {"aws:RequestedRegion": "useast1"}}"#),
            id(GET, OBJ, r#"{"StringEquals": {"aws:RequestedRegion": "us-east-1"}}"#),
        ),
        case(
            "INVALID_ROLE_REFERENCE",
            M,
            id(GET, OBJ, r#"{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role"}}"#),
            id(GET, OBJ, r#"{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/app"}}"#),
        ),
        case(
            "INVALID_SERVICE",
            M,
            id(GET, OBJ, r#"{"StringEquals": {"nosuchservice:Thing": "a"}}"#),
            id(GET, OBJ, r#"{"StringEquals": {"s3:ExistingObjectTag/a": "a"}}"#),
        ),
        case(
            "INVALID_SERVICE_IN_ACTION",
            M,
            id(r#""s4:GetObject""#, r#""*""#, ""),
            id(GET, r#""*""#, ""),
        ),
        case(
            "INVALID_SERVICE_PRINCIPAL_FORMAT",
            R,
            bucket(r#"{"Service": "cloudtrail"}"#, r#"{"StringEquals": {"aws:SourceAccount": "111122223333"}}"#),
            bucket(r#"{"Service": "cloudtrail.amazonaws.com"}"#, r#"{"StringEquals": {"aws:SourceAccount": "111122223333"}}"#),
        ),
        case(
            "INVALID_USER_REFERENCE",
            M,
            id(GET, OBJ, r#"{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/"}}"#),
            id(GET, OBJ, r#"{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/ana"}}"#),
        ),
        case(
            "INVALID_VPCE_FORMAT",
            M,
            id(GET, OBJ, r#"{"StringEquals": {"aws:SourceVpce": "vpc-1a2b"}}"#),
            id(GET, OBJ, r#"{"StringEquals": {"aws:SourceVpce": "vpce-1a2b"}}"#),
        ),
        case(
            "INVALID_VPC_FORMAT",
            M,
            id(GET, OBJ, r#"{"StringEquals": {"aws:SourceVpc": "vpce-1a2b"}}"#),
            id(GET, OBJ, r#"{"StringEquals": {"aws:SourceVpc": "vpc-1a2b"}}"#),
        ),
        case(
            "IRRELEVANT_CONDITION_KEY_IN_POLICY",
            M,
            id(GET, OBJ, r#"{"StringEquals": {"aws:SourceAccount": "123456789012"}}"#),
            id(GET, OBJ, r#"{"StringEquals": {"aws:PrincipalAccount": "123456789012"}}"#),
        ),
        case(
            "MISMATCHED_ACTION_FOR_PRINCIPAL",
            T,
            trust(r#"{"Federated": "arn:aws:iam::123456789012:saml-provider/idp"}"#, WEB, r#"{"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}"#),
            trust(r#"{"Federated": "arn:aws:iam::123456789012:saml-provider/idp"}"#, r#""sts:AssumeRoleWithSAML""#, r#"{"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}"#),
        ),
        case(
            "MISSING_ACTION_FOR_CONDITION_KEY",
            M,
            id(GET, OBJ, r#"{"StringLike": {"s3:prefix": "home/*"}}"#),
            id(r#""s3:ListBucket""#, r#""arn:aws:s3:::b""#, r#"{"StringLike": {"s3:prefix": "home/*"}}"#),
        ),
        case(
            "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY",
            T,
            trust(r#"{"Service": "rolesanywhere.amazonaws.com"}"#, r#""sts:AssumeRole""#, ""),
            trust(r#"{"Service": "rolesanywhere.amazonaws.com"}"#, r#"["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]"#, ""),
        ),
        case(
            "MISSING_ARN_ACCOUNT",
            M,
            id(r#""sqs:SendMessage""#, r#""arn:aws:sqs:us-east-1::q""#, ""),
            id(r#""sqs:SendMessage""#, r#""arn:aws:sqs:us-east-1:123456789012:q""#, ""),
        ),
        case(
            "MISSING_ARN_REGION",
            M,
            id(r#""sqs:SendMessage""#, r#""arn:aws:sqs::123456789012:q""#, ""),
            id(r#""sqs:SendMessage""#, r#""arn:aws:sqs:us-east-1:123456789012:q""#, ""),
        ),
        case(
            "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL",
            T,
            trust(r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.example.com"}"#, WEB, ""),
            trust(r#"{"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.example.com"}"#, WEB, r#"{"StringEquals": {"oidc.example.com:sub": "svc"}}"#),
        ),
        case(
            "MISSING_GITHUB_REPO_CONDITION_KEY",
            T,
            trust(GH, WEB, r#"{"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}"#),
            trust(GH, WEB, r#"{"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}}"#),
        ),
        case(
            "MISSING_PAIRED_CONDITION_KEYS",
            M,
            id(GET, OBJ, r#"{"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}}"#),
            id(GET, OBJ, r#"{"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}, "StringEquals": {"aws:SourceVpc": "vpc-1a2b"}}"#),
        ),
        case(
            "MISSING_TAG_KEY_IN_CONDITION",
            M,
            id(GET, OBJ, r#"{"StringEquals": {"aws:PrincipalTag": "a"}}"#),
            id(GET, OBJ, r#"{"StringEquals": {"aws:PrincipalTag/team": "a"}}"#),
        ),
        case(
            "NULL_WITH_QUALIFIER",
            M,
            id(GET, OBJ, r#"{"ForAllValues:Null": {"aws:TagKeys": "true"}}"#),
            id(GET, OBJ, r#"{"Null": {"aws:TagKeys": "true"}}"#),
        ),
        case(
            "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
            M,
            st(r#""Effect": "Allow", "NotAction": "s3:*", "NotResource": "arn:aws:s3:::b""#),
            st(r#""Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::b""#),
        ),
        case(
            "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
            M,
            st(r#""Effect": "Allow", "Action": "iam:*", "NotResource": "arn:aws:iam::123456789012:role/r""#),
            st(r#""Effect": "Allow", "Action": "iam:Get*", "NotResource": "arn:aws:iam::123456789012:role/r""#),
        ),
        case(
            "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
            M,
            id(r#""iam:Pass*""#, r#""*""#, ""),
            id(r#""iam:Pass*""#, pol, ""),
        ),
        case(
            "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
            M,
            st(r#""Effect": "Allow", "NotAction": "s3:*", "Resource": "*""#),
            st(r#""Effect": "Allow", "NotAction": "iam:*", "Resource": "*""#),
        ),
        case(
            "POLICY_SIZE_EXCEEDS_RCP_QUOTA",
            P,
            padded(r#"{"Sid": "SID", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#, 6_000),
            padded(r#"{"Sid": "SID", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#, 2_000),
        ),
        case(
            "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
            R,
            padded(r#"{"Sid": "SID", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#, 24_000),
            padded(r#"{"Sid": "SID", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#, 4_000),
        ),
        case(
            "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA",
            T,
            padded(r#"{"Sid": "SID", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}"#, 3_000),
            padded(r#"{"Sid": "SID", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}"#, 600),
        ),
        case(
            "PRIVATE_IP_ADDRESS",
            M,
            id(GET, OBJ, r#"{"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#),
            id(GET, OBJ, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#),
        ),
        case(
            "PRIVATE_IP_ADDRESS_SUBSET",
            M,
            id(GET, OBJ, r#"{"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}"#),
            id(GET, OBJ, r#"{"IpAddress": {"aws:SourceIp": ["198.51.100.0/24", "203.0.113.0/24"]}}"#),
        ),
        case(
            "PRIVATE_NOT_IP_ADDRESS",
            M,
            id(GET, OBJ, r#"{"NotIpAddress": {"aws:SourceIp": "192.168.0.0/16"}}"#),
            id(GET, OBJ, r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#),
        ),
        case(
            "PRIVATE_NOT_IP_ADDRESS_SUBSET",
            M,
            id(GET, OBJ, r#"{"NotIpAddress": {"aws:SourceIp": ["192.168.0.0/16", "203.0.113.0/24"]}}"#),
            id(GET, OBJ, r#"{"NotIpAddress": {"aws:SourceIp": ["198.51.100.0/24", "203.0.113.0/24"]}}"#),
        ),
        case(
            "RCP_MISSING_RELATED_PRINCIPAL_CONDITION_KEY",
            P,
            rcp(r#"{"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-1a2b3c4d5e"}}"#),
            rcp(r#"{"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-1a2b3c4d5e"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}"#),
        ),
        case(
            "RCP_MISSING_RELATED_SERVICE_PRINCIPAL_CONDITION_KEY",
            P,
            rcp(r#"{"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-1a2b3c4d5e"}, "Null": {"aws:SourceAccount": "false"}}"#),
            rcp(r#"{"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-1a2b3c4d5e"}, "Null": {"aws:SourceAccount": "false"}, "Bool": {"aws:PrincipalIsAWSService": "true"}}"#),
        ),
        case(
            "RCP_MISSING_SERVICE_CONDITION_KEY_NULL_CHECK",
            P,
            rcp(r#"{"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-1a2b3c4d5e"}, "Bool": {"aws:PrincipalIsAWSService": "true"}}"#),
            rcp(r#"{"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-1a2b3c4d5e"}, "Null": {"aws:SourceAccount": "false"}, "Bool": {"aws:PrincipalIsAWSService": "true"}}"#),
        ),
        case(
            "RCP_SYNTAX_ERROR_ACTION",
            P,
            doc(r#"{"Effect": "Deny", "Principal": "*", "Action": "ec2:RunInstances", "Resource": "*"}"#),
            doc(r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#),
        ),
        case(
            "RCP_SYNTAX_ERROR_NOTACTION",
            P,
            doc(r#"{"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "*"}"#),
            doc(r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#),
        ),
        case(
            "RCP_SYNTAX_ERROR_PRINCIPAL",
            P,
            doc(r#"{"Effect": "Deny", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "*"}"#),
            doc(r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#),
        ),
        case(
            "RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL",
            T,
            trust(r#"{"Service": "config.amazonaws.com"}"#, r#""sts:AssumeRole""#, ""),
            trust(r#"{"Service": "config.amazonaws.com"}"#, r#""sts:AssumeRole""#, r#"{"StringEquals": {"aws:SourceAccount": "123456789012"}}"#),
        ),
        case(
            "REDUNDANT_CONDITION_VALUE_NUM",
            M,
            id(r#""s3:ListBucket""#, r#""arn:aws:s3:::b""#, r#"{"NumericLessThanEquals": {"s3:max-keys": ["10", "20"]}}"#),
            id(r#""s3:ListBucket""#, r#""arn:aws:s3:::b""#, r#"{"NumericLessThanEquals": {"s3:max-keys": "20"}}"#),
        ),
        case(
            "REDUNDANT_KEY_DUE_TO_WILDCARD_IN_CONDITION",
            M,
            id(GET, OBJ, r#"{"StringLikeIfExists": {"aws:PrincipalTag/team": "*"}}"#),
            id(GET, OBJ, r#"{"StringLikeIfExists": {"aws:PrincipalTag/team": "a*"}}"#),
        ),
        case(
            "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY",
            T,
            trust(r#"{"AWS": ["arn:aws:iam::123456789012:role/ops", "arn:aws:sts::123456789012:assumed-role/ops/ana"]}"#, r#""sts:AssumeRole""#, ""),
            trust(r#"{"AWS": ["arn:aws:iam::123456789012:role/ops", "arn:aws:sts::123456789012:assumed-role/dev/ana"]}"#, r#""sts:AssumeRole""#, ""),
        ),
        case(
            "REDUNDANT_STATEMENT_DUE_TO_WILDCARD_IN_CONDITION",
            M,
            id(GET, OBJ, r#"{"ForAnyValue:StringNotLike": {"aws:TagKeys": "*"}}"#),
            id(GET, OBJ, r#"{"ForAnyValue:StringNotLike": {"aws:TagKeys": "a*"}}"#),
        ),
        case(
            "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL",
            R,
            bucket(r#"{"Service": "cloudtrail.amazonaws.com"}"#, ""),
            bucket(r#"{"Service": "cloudtrail.amazonaws.com"}"#, r#"{"StringEquals": {"aws:SourceAccount": "111122223333"}}"#),
        ),
        case(
            "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL",
            T,
            doc(r#"{"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}"#),
            doc(r#"{"Effect": "Deny", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}"#),
        ),
        case(
            "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE",
            T,
            doc(r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole", "Resource": "*"}"#),
            doc(r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}"#),
        ),
        case(
            "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
            T,
            trust(r#"{"AWS": "arn:aws:iam::*:role/ops"}"#, r#""sts:AssumeRole""#, ""),
            trust(r#"{"AWS": "arn:aws:iam::111122223333:role/ops"}"#, r#""sts:AssumeRole""#, ""),
        ),
        case(
            "S3_PREFIX_IN_NEGATIVE_CONTEXT",
            M,
            id(r#""s3:ListBucket""#, r#""arn:aws:s3:::b""#, r#"{"StringNotLike": {"s3:prefix": "private/*"}}"#),
            id(r#""s3:ListBucket""#, r#""arn:aws:s3:::b""#, r#"{"StringLike": {"s3:prefix": "home/*"}}"#),
        ),
        case(
            "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED",
            T,
            trust(GH, WEB, r#"{"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/*"}}"#),
            trust(GH, WEB, r#"{"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}}"#),
        ),
        case(
            "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS",
            M,
            id(GET, OBJ, r#"{"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops*"}}"#),
            id(GET, OBJ, r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops*"}}"#),
        ),
        case(
            "TYPE_MISMATCH",
            M,
            id(GET, OBJ, r#"{"DateEquals": {"aws:SourceIp": "2026-01-01"}}"#),
            id(GET, OBJ, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#),
        ),
        case(
            "TYPE_MISMATCH_BOOLEAN",
            M,
            id(GET, OBJ, r#"{"Bool": {"aws:SecureTransport": "yes"}}"#),
            id(GET, OBJ, r#"{"Bool": {"aws:SecureTransport": "true"}}"#),
        ),
        case(
            "TYPE_MISMATCH_DATE",
            M,
            id(GET, OBJ, r#"{"DateGreaterThan": {"aws:CurrentTime": "tomorrow"}}"#),
            id(GET, OBJ, r#"{"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}}"#),
        ),
        case(
            "TYPE_MISMATCH_IP_RANGE",
            M,
            id(GET, OBJ, r#"{"IpAddress": {"aws:SourceIp": "999.0.0.1"}}"#),
            id(GET, OBJ, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.1"}}"#),
        ),
        case(
            "TYPE_MISMATCH_NUMBER",
            M,
            id(r#""s3:ListBucket""#, r#""arn:aws:s3:::b""#, r#"{"NumericLessThan": {"s3:max-keys": "ten"}}"#),
            id(r#""s3:ListBucket""#, r#""arn:aws:s3:::b""#, r#"{"NumericLessThan": {"s3:max-keys": "10"}}"#),
        ),
        case(
            "TYPE_MISMATCH_STRING",
            M,
            id(GET, OBJ, r#"{"BinaryEquals": {"aws:PrincipalTag/blob": "not base64!"}}"#),
            id(GET, OBJ, r#"{"BinaryEquals": {"aws:PrincipalTag/blob": "QmluYXJ5"}}"#),
        ),
        case(
            "UNIQUE_SIDS_RECOMMENDED",
            R,
            doc(r#"{"Sid": "A", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}, {"Sid": "A", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}"#),
            doc(r#"{"Sid": "A", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}, {"Sid": "B", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}"#),
        ),
        case(
            "UNSUPPORTED_ACTION_FOR_CONDITION_KEY",
            M,
            id(r#"["s3:ListBucket", "s3:GetObject"]"#, r#"["arn:aws:s3:::b", "arn:aws:s3:::b/*"]"#, r#"{"StringLike": {"s3:prefix": "home/*"}}"#),
            id(r#""s3:ListBucket""#, r#""arn:aws:s3:::b""#, r#"{"StringLike": {"s3:prefix": "home/*"}}"#),
        ),
        case(
            "UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL",
            T,
            trust(r#"{"Service": "config.amazonaws.com"}"#, r#""sts:AssumeRole""#, r#"{"StringEquals": {"aws:PrincipalAccount": "123456789012"}}"#),
            trust(r#"{"Service": "config.amazonaws.com"}"#, r#""sts:AssumeRole""#, r#"{"StringEquals": {"aws:SourceAccount": "123456789012"}}"#),
        ),
        case(
            "UNSUPPORTED_GLOBAL_CONDITION_KEY",
            M,
            id(GET, OBJ, r#"{"ArnLike": {"aws:ARN": "arn:aws:iam::*:role/ops"}}"#),
            id(GET, OBJ, r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops"}}"#),
        ),
        case(
            "UNSUPPORTED_ELEMENT_COMBINATION",
            M,
            st(r#""Effect": "Allow", "Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "*""#),
            id(GET, r#""*""#, ""),
        ),
        case(
            "UNTRUSTWORTHY_CONDITION_KEY",
            M,
            id(GET, OBJ, r#"{"StringLike": {"aws:UserAgent": "*curl*"}}"#),
            id(GET, OBJ, r#"{"StringLike": {"aws:PrincipalTag/team": "ops*"}}"#),
        ),
        case(
            "USE_CONDITION_KEY_ONLY_WITH_SUPPORTED_SERVICES",
            M,
            id(r#""*""#, r#""*""#, r#"{"StringEquals": {"aws:VpceAccount": "123456789012"}}"#),
            id(GET, OBJ, r#"{"StringEquals": {"aws:VpceAccount": "123456789012"}}"#),
        ),
        case(
            "WILDCARD_IN_SERVICE_NAME",
            M,
            id(r#""s*:GetObject""#, r#""*""#, ""),
            id(GET, r#""*""#, ""),
        ),
    ]
}

/// The codes issue #14 found missing: each must have a case here.
const ISSUE_14: &[&str] = &[
    "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    "ARN_ACCOUNT_NOT_ALLOWED",
    "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE",
    "CREATE_SLR_WITH_NOT_RESOURCE",
    "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
    "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
    "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
    "DATA_TYPE_MISMATCH",
    "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    "DYNAMODB_ATTRIBUTES_WITHOUT_SELECT",
    "EMPTY_ARRAY_CONDITION_FORALLVALUES",
    "EMPTY_ARRAY_CONDITION_FORANYVALUE",
    "EMPTY_ARRAY_CONDITION_IFEXISTS",
    "EMPTY_ARRAY_PRINCIPAL",
    "EMPTY_SID_VALUE",
    "EQUIVALENT_TO_NULL_FALSE",
    "EQUIVALENT_TO_NULL_TRUE",
    "FEDERATED_PRINCIPAL_NOT_SUPPORTED",
    "FORANYVALUE_WITH_AUDIENCE_CLAIM_TYPE",
    "IMPROVE_IP_RANGE",
    "INVALID_ARN_REGION",
    "INVALID_ARN_RESOURCE",
    "INVALID_ARN_SERVICE_CASE",
    "INVALID_CONDITION_DATA_TYPE",
    "INVALID_DATE_VALUE",
    "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY",
    "INVALID_KMS_KEY_VALUE",
    "INVALID_POLICY_ELEMENT",
    "INVALID_PRINCIPAL_FORMAT",
    "INVALID_REGION",
    "INVALID_ROLE_REFERENCE",
    "INVALID_SERVICE",
    "INVALID_SERVICE_IN_ACTION",
    "INVALID_SERVICE_PRINCIPAL_FORMAT",
    "INVALID_USER_REFERENCE",
    "INVALID_VPCE_FORMAT",
    "INVALID_VPC_FORMAT",
    "IRRELEVANT_CONDITION_KEY_IN_POLICY",
    "MISMATCHED_ACTION_FOR_PRINCIPAL",
    "MISSING_ACTION_FOR_CONDITION_KEY",
    "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY",
    "MISSING_ARN_ACCOUNT",
    "MISSING_ARN_REGION",
    "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL",
    "MISSING_GITHUB_REPO_CONDITION_KEY",
    "MISSING_PAIRED_CONDITION_KEYS",
    "MISSING_TAG_KEY_IN_CONDITION",
    "NULL_WITH_QUALIFIER",
    "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
    "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
    "POLICY_SIZE_EXCEEDS_RCP_QUOTA",
    "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
    "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA",
    "PRIVATE_IP_ADDRESS",
    "PRIVATE_IP_ADDRESS_SUBSET",
    "PRIVATE_NOT_IP_ADDRESS",
    "PRIVATE_NOT_IP_ADDRESS_SUBSET",
    "RCP_MISSING_RELATED_PRINCIPAL_CONDITION_KEY",
    "RCP_MISSING_RELATED_SERVICE_PRINCIPAL_CONDITION_KEY",
    "RCP_MISSING_SERVICE_CONDITION_KEY_NULL_CHECK",
    "RCP_SYNTAX_ERROR_ACTION",
    "RCP_SYNTAX_ERROR_NOTACTION",
    "RCP_SYNTAX_ERROR_PRINCIPAL",
    "RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL",
    "REDUNDANT_CONDITION_VALUE_NUM",
    "REDUNDANT_KEY_DUE_TO_WILDCARD_IN_CONDITION",
    "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY",
    "REDUNDANT_STATEMENT_DUE_TO_WILDCARD_IN_CONDITION",
    "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL",
    "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL",
    "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE",
    "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
    "S3_PREFIX_IN_NEGATIVE_CONTEXT",
    "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED",
    "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS",
    "TYPE_MISMATCH",
    "TYPE_MISMATCH_BOOLEAN",
    "TYPE_MISMATCH_DATE",
    "TYPE_MISMATCH_IP_RANGE",
    "TYPE_MISMATCH_NUMBER",
    "TYPE_MISMATCH_STRING",
    "UNIQUE_SIDS_RECOMMENDED",
    "UNSUPPORTED_ACTION_FOR_CONDITION_KEY",
    "UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL",
    "UNSUPPORTED_ELEMENT_COMBINATION",
    "UNTRUSTWORTHY_CONDITION_KEY",
    "USE_CONDITION_KEY_ONLY_WITH_SUPPORTED_SERVICES",
    "WILDCARD_IN_SERVICE_NAME",
];

fn codes(text: &str, kind: PolicyKind) -> Vec<&'static str> {
    validate_with(text, kind, &Options::default())
        .into_iter()
        .map(|d| d.code)
        .collect()
}

#[test]
fn every_case_raises_its_code_and_its_twin_does_not() {
    let mut failures = Vec::new();
    for c in aa_cases() {
        let fired = codes(&c.fires, c.kind);
        if !fired.contains(&c.code) {
            failures.push(format!(
                "{} ({:?}) not raised; got {fired:?}",
                c.code, c.kind
            ));
        }
        let quiet = codes(&c.quiet, c.kind);
        if quiet.contains(&c.code) {
            failures.push(format!(
                "{} ({:?}) raised by its quiet twin",
                c.code, c.kind
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_code_of_the_issue_has_a_case() {
    let cases = aa_cases();
    let missing: Vec<&str> = ISSUE_14
        .iter()
        .copied()
        .filter(|code| !cases.iter().any(|c| c.code == *code))
        .collect();
    assert!(missing.is_empty(), "no case: {missing:?}");
    assert!(ISSUE_14.len() >= 90);
}

/// Every Access Analyzer code some check reports under is raised by a case, here or in `validate_checks`.
#[test]
fn every_supported_access_analyzer_code_is_raised_by_a_case() {
    let mut raised: Vec<&str> = Vec::new();
    for c in aa_cases() {
        raised.extend(codes(&c.fires, c.kind));
    }
    for (text, kind) in crate::validate_checks::firing_documents() {
        raised.extend(codes(&text, kind));
    }
    let missing: Vec<&str> = AaCode::ALL
        .iter()
        .filter(|a| supported(**a))
        .map(|a| a.as_str())
        .filter(|code| !raised.contains(code))
        .collect();
    assert!(
        missing.is_empty(),
        "supported but never raised: {missing:?}"
    );
}

/// The finding type travels with the code, and the project's code stays as `subcode`.
#[test]
fn diagnostics_carry_the_finding_type_and_the_subcode() {
    let text = id(
        GET,
        OBJ,
        r#"{"ForAllValues:Null": {"aws:TagKeys": "true"}}"#,
    );
    let d = validate_with(&text, M, &Options::default());
    let n = d
        .iter()
        .find(|d| d.code == "NULL_WITH_QUALIFIER")
        .expect("reported");
    assert_eq!(n.subcode, Some("NULL_WITH_SET_QUALIFIER"));
    assert_eq!(
        n.access_analyzer_type.map(|t| t.as_str()),
        Some("SUGGESTION")
    );
    let v = serde_json::to_value(n).expect("json");
    assert_eq!(v["subcode"], "NULL_WITH_SET_QUALIFIER");
    assert_eq!(v["access_analyzer_type"], "SUGGESTION");
    // A project-only check has neither.
    let text = id(r#""s3:getobject""#, OBJ, "");
    let d = validate_with(&text, M, &Options::default());
    let case = d
        .iter()
        .find(|d| d.code == "ACTION_NAME_CASE")
        .expect("case");
    assert_eq!(case.subcode, None);
    assert_eq!(case.access_analyzer_type, None);
}

/// `docs/validation.md` has one row per Access Analyzer code, saying whether it is supported, and the rows
/// agree with the registry.
#[test]
fn the_access_analyzer_table_matches_the_registry() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/validation.md");
    let doc = std::fs::read_to_string(path).expect("docs/validation.md");
    let mut wrong = Vec::new();
    for a in AaCode::ALL {
        let code = a.as_str();
        let prefix = format!("| `{code}` | {} |", a.finding_type().as_str());
        let Some(row) = doc.lines().find(|l| l.starts_with(&prefix)) else {
            wrong.push(format!("{code}: no row starting `{prefix}`"));
            continue;
        };
        let says = row.contains("| yes |");
        if says != supported(*a) {
            wrong.push(format!(
                "{code}: the table says supported={says}, the registry {}",
                supported(*a)
            ));
        }
        // The project checks that report under it are named in the row.
        for c in CHECKS.iter().filter(|c| c.reported_as.contains(a)) {
            if !row.contains(&format!("`{}`", c.code)) {
                wrong.push(format!("{code}: row does not name check `{}`", c.code));
            }
        }
    }
    let rows = doc
        .lines()
        .filter(|l| {
            l.starts_with("| `")
                && (l.contains("| ERROR |")
                    || l.contains("| WARNING |")
                    || l.contains("| SUGGESTION |")
                    || l.contains("| SECURITY_WARNING |"))
        })
        .count();
    if rows != AaCode::ALL.len() {
        wrong.push(format!("{rows} rows, {} codes", AaCode::ALL.len()));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// AWS's own managed policies (the bundled set): no finding at warning level or above unless it is true. The
/// true ones are listed with why.
#[test]
fn aws_managed_policies_trip_no_false_warnings() {
    const TRUE_FINDINGS: &[(&str, &str)] = &[
        // What these policies are for: administrator, IAM and Lambda full access, power users.
        ("AdministratorAccess", "FULL_ACCESS_STAR_STAR"),
        (
            "AdministratorAccess",
            "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
        ),
        (
            "AdministratorAccess",
            "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
        ),
        ("IAMFullAccess", "PRIVILEGE_ESCALATION_ACTION"),
        (
            "IAMFullAccess",
            "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
        ),
        (
            "IAMFullAccess",
            "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
        ),
        ("AWSLambdaFullAccess", "PRIVILEGE_ESCALATION_ACTION"),
        ("AWSLambdaFullAccess", "PASS_ROLE_WITH_STAR_IN_RESOURCE"),
        ("AWSCloudTrailFullAccess", "PASS_ROLE_WITH_STAR_IN_RESOURCE"),
        ("PowerUserAccess", "ALLOW_WITH_NOT_ACTION"),
        ("PowerUserAccess", "CREATE_SLR_WITH_STAR_IN_RESOURCE"),
        (
            "AWSOrganizationsServiceTrustPolicy",
            "CREATE_SLR_WITH_STAR_IN_RESOURCE",
        ),
        // `organizations:ServicePrincipal` is single-valued: `ForAllValues` is true without it.
        (
            "AWSDirectoryServiceFullAccess",
            "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
        ),
        // `ForAllValues` on `aws:TagKeys` without a `Null` test also matches untagged requests.
        (
            "AmazonECSServiceRolePolicy",
            "ALLOW_WITH_FORALLVALUES_WITHOUT_NULL",
        ),
        // `logs:DescribeLogGroups` supports only `"Resource": "*"`; the statement names a log-group ARN.
        (
            "AmazonECSServiceRolePolicy",
            "ACTION_REQUIRES_STAR_RESOURCE",
        ),
        // Likewise `logs:StopQuery` and `logs:DescribeQueries` on log-group ARNs.
        ("AWSLambda_ReadOnlyAccess", "ACTION_REQUIRES_STAR_RESOURCE"),
        // `ec2:CreateNetworkAcl` is listed twice.
        ("AmazonVPCFullAccess", "REDUNDANT_ACTION"),
        // `/restapis/*` already covers `/restapis/*/stages` and the like.
        ("SecurityAudit", "REDUNDANT_RESOURCE"),
        ("AWSSupportServiceRolePolicy", "REDUNDANT_RESOURCE"),
        // CloudHSM Classic (`ListHapgs`, `ListHsms`, `ListLunaClients`) and `sso:DescribePermissionsPolicies`
        // are no longer in the Service Authorization Reference: they grant nothing.
        ("SecurityAudit", "INVALID_ACTION"),
    ];
    let all: serde_json::Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/aws-managed-policies.json"
    )))
    .expect("bundled json");
    let mut found = Vec::new();
    for p in all.as_array().expect("array") {
        let name = p["PolicyName"].as_str().unwrap_or("");
        let text = serde_json::to_string_pretty(&p["Document"]).expect("text");
        for d in validate_with(
            &text,
            PolicyKind::Identity(IdentityKind::AwsManaged),
            &Options::default(),
        ) {
            if d.severity == iam_atlas::diagnostic::Severity::Suggestion {
                continue;
            }
            if TRUE_FINDINGS.contains(&(name, d.code)) {
                continue;
            }
            found.push(format!("{name}: {} {} at {}", d.code, d.message, d.path));
        }
    }
    assert!(
        found.is_empty(),
        "{}\n{} findings",
        found.join("\n"),
        found.len()
    );
}

/// `iam-atlas validate --format json|sarif` carry Access Analyzer's code, the project's subcode and the finding
/// type, so a CI can gate on either classification.
#[test]
fn json_and_sarif_output_carry_subcode_and_finding_type() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("validate_aa");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join("null-qualifier.json");
    std::fs::write(
        &path,
        id(
            GET,
            OBJ,
            r#"{"ForAllValues:Null": {"aws:TagKeys": "true"}}"#,
        ),
    )
    .expect("write");
    let run = |format: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
            .args([
                "validate",
                "--format",
                format,
                path.to_str().expect("utf-8"),
            ])
            .output()
            .expect("run");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("json output")
    };
    let j = run("json");
    let d = &j["documents"][0]["diagnostics"];
    let n = d
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == "NULL_WITH_QUALIFIER")
        .expect("reported");
    assert_eq!(n["subcode"], "NULL_WITH_SET_QUALIFIER");
    assert_eq!(n["access_analyzer_type"], "SUGGESTION");
    let s = run("sarif");
    let run0 = &s["runs"][0];
    let r = run0["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "NULL_WITH_QUALIFIER")
        .expect("result");
    assert_eq!(r["properties"]["subcode"], "NULL_WITH_SET_QUALIFIER");
    assert_eq!(r["properties"]["access_analyzer_type"], "SUGGESTION");
    let i = r["ruleIndex"].as_u64().expect("rule index") as usize;
    let rule = &run0["tool"]["driver"]["rules"][i];
    assert_eq!(rule["id"], "NULL_WITH_QUALIFIER");
    assert_eq!(rule["properties"]["access_analyzer_type"], "SUGGESTION");
    // Every Access Analyzer code some check reports is a rule.
    let ids: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    for a in AaCode::ALL.iter().filter(|a| supported(**a)) {
        assert!(
            ids.contains(&a.as_str()),
            "{} is not a SARIF rule",
            a.as_str()
        );
    }
}
