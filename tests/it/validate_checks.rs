//! Every check fires where it should and stays quiet where it should, asserted on the underlined text
//! (cedar-style), with the machine-applicable fixes applied and compared.

use iam_atlas::validate::{CHECKS, IdentityKind, Options, PolicyKind, validate_with};

const M: PolicyKind = PolicyKind::Identity(IdentityKind::Managed);
const U: PolicyKind = PolicyKind::Identity(IdentityKind::UserInline);
const T: PolicyKind = PolicyKind::Trust;
const R: PolicyKind = PolicyKind::Resource {
    service: Some("s3"),
};
const S: PolicyKind = PolicyKind::Scp;
const P: PolicyKind = PolicyKind::Rcp;

struct Case {
    code: &'static str,
    kind: PolicyKind,
    policy: String,
    /// Exactly the texts this code underlines (empty: the check must stay quiet).
    expected: Vec<&'static str>,
    /// The document after applying the first fix of `code`.
    fixed: Option<String>,
    account: Option<&'static str>,
}

fn doc(stmts: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{stmts}]}}"#)
}

fn allow(action: &str, resource: &str) -> String {
    doc(&format!(
        r#"{{"Effect": "Allow", "Action": {action}, "Resource": {resource}}}"#
    ))
}

fn cond(action: &str, resource: &str, condition: &str) -> String {
    doc(&format!(
        r#"{{"Effect": "Allow", "Action": {action}, "Resource": {resource}, "Condition": {condition}}}"#
    ))
}

fn res(principal: &str, rest: &str) -> String {
    doc(&format!(
        r#"{{"Effect": "Allow", "Principal": {principal}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"{rest}}}"#
    ))
}

fn trust(principal: &str, condition: &str) -> String {
    doc(&format!(
        r#"{{"Effect": "Allow", "Principal": {principal}, "Action": "sts:AssumeRoleWithWebIdentity"{condition}}}"#
    ))
}

/// A policy of about `n` characters (not counting white space), padded with white space too.
fn big(n: usize) -> String {
    let arns: Vec<String> = (0..n / 40)
        .map(|i| format!("\"arn:aws:s3:::bucket-{i:08}/*\""))
        .collect();
    format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": [{}]}}]}}",
        arns.join(",\n        ")
    )
}

fn big_trust(n: usize) -> String {
    let ids: Vec<String> = (0..n / 40)
        .map(|i| format!("\"arn:aws:iam::{:012}:root\"", 100000000000u64 + i as u64))
        .collect();
    format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Principal\": {{\"AWS\": [{}]}}, \"Action\": \"sts:AssumeRole\", \"Condition\": {{\"StringEquals\": {{\"sts:ExternalId\": \"x\"}}}}}}]}}",
        ids.join(", ")
    )
}

fn big_resource(n: usize) -> String {
    let arns: Vec<String> = (0..n / 40)
        .map(|i| format!("\"arn:aws:s3:::bucket-{i:08}/*\""))
        .collect();
    format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": [{}]}}]}}",
        arns.join(", ")
    )
}

fn big_scp(n: usize) -> String {
    let acts: Vec<String> = (0..n / 20)
        .map(|_| "\"s3:GetObject\"".to_string())
        .collect();
    format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Deny\", \"Action\": [{}], \"Resource\": \"*\"}}]}}",
        acts.join(", ")
    )
}

fn c(
    code: &'static str,
    kind: PolicyKind,
    policy: impl Into<String>,
    expected: &[&'static str],
) -> Case {
    Case {
        code,
        kind,
        policy: policy.into(),
        expected: expected.to_vec(),
        fixed: None,
        account: None,
    }
}

fn f(mut case: Case, fixed: impl Into<String>) -> Case {
    case.fixed = Some(fixed.into());
    case
}

fn cases() -> Vec<Case> {
    let ok = allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/*""#);
    let okres = res(r#"{"AWS": "arn:aws:iam::111122223333:root"}"#, "");
    let oktrust = doc(
        r#"{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}"#,
    );
    let okscp = doc(r#"{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}"#);
    let okrcp = doc(
        r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#,
    );
    vec![
        // Parser.
        c(
            "JSON_SYNTAX_ERROR",
            M,
            r#"{"Version": "2012-10-17", "Statement": [}"#,
            &["{", "}"],
        ),
        c("JSON_SYNTAX_ERROR", M, ok.clone(), &[]),
        c("POLICY_NOT_OBJECT", M, "[1]", &["[1]"]),
        c("POLICY_NOT_OBJECT", M, ok.clone(), &[]),
        c(
            "UNKNOWN_ELEMENT",
            M,
            r#"{"Version": "2012-10-17", "Foo": 1, "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#,
            &["\"Foo\""],
        ),
        c("UNKNOWN_ELEMENT", M, ok.clone(), &[]),
        c(
            "JSON_TYPE_MISMATCH",
            M,
            r#"{"Version": "2012-10-17", "Id": 5, "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#,
            &["5"],
        ),
        c(
            "JSON_TYPE_MISMATCH",
            M,
            r#"{"Version": "2012-10-17", "Id": "5", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#,
            &[],
        ),
        c(
            "DUPLICATE_KEY",
            M,
            doc(
                r#"{"Effect": "Allow", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}"#,
            ),
            &["\"Effect\""],
        ),
        c("DUPLICATE_KEY", M, ok.clone(), &[]),
        c(
            "LONE_SURROGATE",
            M,
            doc(
                r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b\ud800/*"}"#,
            ),
            &[r#""arn:aws:s3:::b\ud800/*""#],
        ),
        c(
            "LONE_SURROGATE",
            M,
            doc(
                r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b\ud83d\ude00/*"}"#,
            ),
            &[],
        ),
        f(
            c(
                "INVALID_EFFECT",
                M,
                doc(r#"{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}"#),
                &["\"allow\""],
            ),
            doc(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#),
        ),
        c("INVALID_EFFECT", M, ok.clone(), &[]),
        c(
            "ACTION_AND_NOT_ACTION",
            M,
            doc(
                r#"{"Effect": "Deny", "Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "*"}"#,
            ),
            &["\"NotAction\""],
        ),
        c(
            "ACTION_AND_NOT_ACTION",
            M,
            doc(r#"{"Effect": "Deny", "NotAction": "s3:PutObject", "Resource": "*"}"#),
            &[],
        ),
        c(
            "RESOURCE_AND_NOT_RESOURCE",
            M,
            doc(
                r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "NotResource": "arn:aws:s3:::b"}"#,
            ),
            &["\"NotResource\""],
        ),
        c(
            "RESOURCE_AND_NOT_RESOURCE",
            M,
            doc(r#"{"Effect": "Deny", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b"}"#),
            &[],
        ),
        c(
            "PRINCIPAL_AND_NOT_PRINCIPAL",
            R,
            doc(
                r#"{"Effect": "Deny", "Principal": "*", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
            ),
            &["\"NotPrincipal\""],
        ),
        c("PRINCIPAL_AND_NOT_PRINCIPAL", R, okres.clone(), &[]),
        c(
            "INVALID_PRINCIPAL",
            R,
            res(r#""arn:aws:iam::111122223333:root""#, ""),
            &["\"arn:aws:iam::111122223333:root\""],
        ),
        c("INVALID_PRINCIPAL", R, okres.clone(), &[]),
        c(
            "INVALID_PRINCIPAL_KEY",
            R,
            res(r#"{"Aws": "111122223333"}"#, ""),
            &["\"Aws\""],
        ),
        c("INVALID_PRINCIPAL_KEY", R, okres.clone(), &[]),
        c(
            "NULL_IN_ARRAY",
            M,
            allow(r#""s3:GetObject""#, r#"["arn:aws:s3:::b/*", null]"#),
            &["null"],
        ),
        c("NULL_IN_ARRAY", M, ok.clone(), &[]),
        // Grammar.
        f(
            c(
                "MISSING_VERSION",
                M,
                r#"{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
                &["{"],
            ),
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
        ),
        c("MISSING_VERSION", M, ok.clone(), &[]),
        f(
            c(
                "INVALID_VERSION",
                M,
                r#"{"Version": "2013-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
                &["\"2013-10-17\""],
            ),
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
        ),
        c(
            "INVALID_VERSION",
            M,
            r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
            &["\"2008-10-17\""],
        ),
        c(
            "INVALID_VERSION",
            U,
            r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
            &[],
        ),
        c(
            "OLD_VERSION",
            U,
            r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}"#,
            &["\"2008-10-17\""],
        ),
        c("OLD_VERSION", U, ok.clone(), &[]),
        // Valid, and harmless without variables.
        c(
            "OLD_VERSION",
            U,
            r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
            &[],
        ),
        c(
            "MISSING_STATEMENT",
            M,
            r#"{"Version": "2012-10-17"}"#,
            &["{"],
        ),
        c("MISSING_STATEMENT", M, ok.clone(), &[]),
        c(
            "EMPTY_STATEMENT",
            M,
            r#"{"Version": "2012-10-17", "Statement": []}"#,
            &["[]"],
        ),
        c("EMPTY_STATEMENT", M, ok.clone(), &[]),
        c(
            "MISSING_EFFECT",
            M,
            doc(r#"{"Action": "s3:GetObject", "Resource": "*"}"#),
            &["{"],
        ),
        c(
            "MISSING_EFFECT",
            M,
            doc(r#"{"Effect": "invalid", "Action": "s3:GetObject", "Resource": "*"}"#),
            &[],
        ),
        c(
            "MISSING_ACTION",
            M,
            doc(r#"{"Effect": "Allow", "Resource": "*"}"#),
            &["{"],
        ),
        c(
            "MISSING_ACTION",
            M,
            doc(r#"{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}"#),
            &[],
        ),
        c("EMPTY_ARRAY_ACTION", M, allow("[]", r#""*""#), &["[]"]),
        c("EMPTY_ARRAY_ACTION", M, ok.clone(), &[]),
        c(
            "MISSING_RESOURCE",
            M,
            doc(r#"{"Effect": "Allow", "Action": "s3:GetObject"}"#),
            &["{"],
        ),
        c("MISSING_RESOURCE", T, oktrust.clone(), &[]),
        c(
            "EMPTY_ARRAY_RESOURCE",
            M,
            allow(r#""s3:GetObject""#, "[]"),
            &["[]"],
        ),
        c("EMPTY_ARRAY_RESOURCE", M, ok.clone(), &[]),
        c(
            "RESOURCE_IN_TRUST_POLICY",
            T,
            doc(
                r#"{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}"#,
            ),
            &["\"*\""],
        ),
        c("RESOURCE_IN_TRUST_POLICY", T, oktrust.clone(), &[]),
        c(
            "MISSING_PRINCIPAL",
            R,
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/*""#),
            &["{"],
        ),
        c("MISSING_PRINCIPAL", M, ok.clone(), &[]),
        c(
            "UNSUPPORTED_PRINCIPAL",
            M,
            res(r#"{"AWS": "111122223333"}"#, ""),
            &["\"Principal\""],
        ),
        c("UNSUPPORTED_PRINCIPAL", R, okres.clone(), &[]),
        c(
            "SCP_SYNTAX_ERROR_PRINCIPAL",
            S,
            doc(r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}"#),
            &["\"Principal\""],
        ),
        c("SCP_SYNTAX_ERROR_PRINCIPAL", S, okscp.clone(), &[]),
        c(
            "UNSUPPORTED_NOT_PRINCIPAL",
            T,
            doc(
                r#"{"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}"#,
            ),
            &["\"NotPrincipal\""],
        ),
        c("UNSUPPORTED_NOT_PRINCIPAL", T, oktrust.clone(), &[]),
        c(
            "UNIQUE_SIDS_REQUIRED",
            M,
            doc(
                r#"{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "A", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}"#,
            ),
            &["\"A\""],
        ),
        c(
            "UNIQUE_SIDS_REQUIRED",
            M,
            doc(
                r#"{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "B", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}"#,
            ),
            &[],
        ),
        f(
            c(
                "UNSUPPORTED_SID",
                M,
                doc(
                    r#"{"Sid": "my-sid", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
                ),
                &["\"my-sid\""],
            ),
            doc(
                r#"{"Sid": "mysid", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
            ),
        ),
        c(
            "UNSUPPORTED_SID",
            R,
            doc(
                r#"{"Sid": "my-sid", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
            ),
            &[],
        ),
        c(
            "EMPTY_SID",
            M,
            doc(r#"{"Sid": "", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#),
            &["\"\""],
        ),
        c("EMPTY_SID", M, ok.clone(), &[]),
        c(
            "EMPTY_OBJECT_CONDITION",
            M,
            cond(r#""s3:GetObject""#, r#""*""#, "{}"),
            &["{}"],
        ),
        c(
            "EMPTY_OBJECT_CONDITION",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""*""#,
                r#"{"Bool": {"aws:SecureTransport": "true"}}"#,
            ),
            &[],
        ),
        c(
            "RCP_SYNTAX_ERROR_ALLOW",
            P,
            doc(
                r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#,
            ),
            &["\"Allow\""],
        ),
        c(
            "RCP_SYNTAX_ERROR_ALLOW",
            P,
            doc(r#"{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}"#),
            &[],
        ),
        // Catalog.
        c(
            "INVALID_ACTION_FORMAT",
            M,
            allow(r#"["invalid", "s3:List:Bucket", "s3:"]"#, r#""*""#),
            &["\"invalid\"", "\"s3:List:Bucket\"", "\"s3:\""],
        ),
        c(
            "INVALID_ACTION_FORMAT",
            M,
            allow(r#"["*", "s3:*"]"#, r#""*""#),
            &[],
        ),
        c(
            "INVALID_VENDOR",
            M,
            allow(r#""a a:ListBucket""#, r#""*""#),
            &["\"a a:ListBucket\""],
        ),
        c(
            "INVALID_VENDOR",
            M,
            allow(r#""s3.s:ListBucket""#, r#""*""#),
            &[],
        ),
        f(
            c(
                "UNKNOWN_ACTION_SERVICE",
                M,
                allow(r#""s4:GetObject""#, r#""*""#),
                &["\"s4:GetObject\""],
            ),
            allow(r#""s3:GetObject""#, r#""*""#),
        ),
        c("UNKNOWN_ACTION_SERVICE", M, ok.clone(), &[]),
        f(
            c(
                "INVALID_ACTION",
                M,
                allow(r#""s3:GetObjekt""#, r#""arn:aws:s3:::b/*""#),
                &["\"s3:GetObjekt\""],
            ),
            ok.clone(),
        ),
        c("INVALID_ACTION", M, ok.clone(), &[]),
        f(
            c(
                "ACTION_NAME_CASE",
                M,
                allow(r#""S3:getobject""#, r#""arn:aws:s3:::b/*""#),
                &["\"S3:getobject\""],
            ),
            ok.clone(),
        ),
        c("ACTION_NAME_CASE", M, ok.clone(), &[]),
        c(
            "CONDITION_KEY_CASE",
            M,
            doc(
                r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIP": "203.0.113.0/24"}, "StringEquals": {"aws:resourcetag/Team": "a"}}}"#,
            ),
            &["\"aws:SourceIP\"", "\"aws:resourcetag/Team\""],
        ),
        c(
            "CONDITION_KEY_CASE",
            M,
            doc(
                r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}, "StringEquals": {"aws:ResourceTag/team": "a", "s3:prefix": "x"}}}"#,
            ),
            &[],
        ),
        c(
            "WILDCARD_ACTION_MATCHES_NOTHING",
            M,
            allow(r#""s3:Gett*""#, r#""*""#),
            &["\"s3:Gett*\""],
        ),
        c(
            "WILDCARD_ACTION_MATCHES_NOTHING",
            M,
            allow(r#""s3:Get*""#, r#""*""#),
            &[],
        ),
        c(
            "WILDCARD_IN_SERVICE_NAME",
            M,
            allow(r#""s*:GetObject""#, r#""*""#),
            &["\"s*:GetObject\""],
        ),
        c(
            "WILDCARD_IN_SERVICE_NAME",
            M,
            allow(r#""*:*""#, r#""arn:aws:s3:::b/*""#),
            &[],
        ),
        c(
            "TRUST_POLICY_UNSUPPORTED_ACTION",
            T,
            doc(
                r#"{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": ["sts:AssumeRole", "s3:GetObject"]}"#,
            ),
            &["\"s3:GetObject\""],
        ),
        c(
            "TRUST_POLICY_UNSUPPORTED_ACTION",
            T,
            doc(
                r#"{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}"#,
            ),
            &[],
        ),
        c(
            "RCP_UNSUPPORTED_SERVICE",
            P,
            doc(
                r#"{"Effect": "Deny", "Principal": "*", "Action": "ec2:RunInstances", "Resource": "*"}"#,
            ),
            &["\"ec2:RunInstances\""],
        ),
        c("RCP_UNSUPPORTED_SERVICE", P, okrcp.clone(), &[]),
        c(
            "SCP_SYNTAX_ERROR_ACTION_WILDCARD",
            S,
            doc(r#"{"Effect": "Deny", "Action": "s3:*Object", "Resource": "*"}"#),
            &["\"s3:*Object\""],
        ),
        c(
            "SCP_SYNTAX_ERROR_ACTION_WILDCARD",
            S,
            doc(r#"{"Effect": "Deny", "Action": "s3:Get*", "Resource": "*"}"#),
            &[],
        ),
        // Resources.
        c(
            "INVALID_ARN_FORMAT",
            M,
            allow(r#""s3:GetObject""#, r#"["bucket", ""]"#),
            &["\"bucket\"", "\"\""],
        ),
        c("INVALID_ARN_FORMAT", M, ok.clone(), &[]),
        f(
            c(
                "INVALID_ARN_PREFIX",
                M,
                allow(r#""s3:GetObject""#, r#""aws:s3:::b/*""#),
                &["\"aws:s3:::b/*\""],
            ),
            ok.clone(),
        ),
        c("INVALID_ARN_PREFIX", M, ok.clone(), &[]),
        c(
            "INVALID_PARTITION",
            M,
            allow(r#""s3:GetObject""#, r#""arn:error:s3:::b/*""#),
            &["\"arn:error:s3:::b/*\""],
        ),
        c(
            "INVALID_PARTITION",
            M,
            allow(r#""s3:GetObject""#, r#""arn:aws-cn:s3:::b/*""#),
            &[],
        ),
        c(
            "MISSING_ARN_SERVICE",
            M,
            allow(r#""s3:GetObject""#, r#"["arn:aws", "arn:aws::x"]"#),
            &["\"arn:aws\"", "\"arn:aws::x\""],
        ),
        c("MISSING_ARN_SERVICE", M, ok.clone(), &[]),
        c(
            "MISSING_ARN_FIELD",
            M,
            allow(r#""s3:GetObject""#, r#""arn:aws:s3::b""#),
            &["\"arn:aws:s3::b\""],
        ),
        c("MISSING_ARN_FIELD", M, ok.clone(), &[]),
        f(
            c(
                "ARN_REGION_NOT_ALLOWED",
                M,
                allow(r#""s3:GetObject""#, r#""arn:aws:s3:us-east-1::b/*""#),
                &["\"arn:aws:s3:us-east-1::b/*\""],
            ),
            ok.clone(),
        ),
        c(
            "ARN_REGION_NOT_ALLOWED",
            M,
            allow(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:us-west-2:123456789012:accesspoint/ap/object/*""#,
            ),
            &[],
        ),
        c(
            "INVALID_IAM_RESOURCE_PATH",
            M,
            allow(r#""iam:GetUser""#, r#""arn:aws:iam::123456789012:bucket""#),
            &["\"arn:aws:iam::123456789012:bucket\""],
        ),
        c(
            "INVALID_IAM_RESOURCE_PATH",
            M,
            allow(
                r#""iam:GetUser""#,
                r#""arn:aws:iam::123456789012:user/${aws:username}""#,
            ),
            &[],
        ),
        c(
            "INVALID_ARN_REGION",
            M,
            allow(
                r#""ec2:StartInstances""#,
                r#""arn:aws:ec2:region:123456789012:instance/*""#,
            ),
            &["\"arn:aws:ec2:region:123456789012:instance/*\""],
        ),
        c(
            "INVALID_ARN_REGION",
            M,
            allow(
                r#""ec2:StartInstances""#,
                r#""arn:aws:ec2:us-gov-west-1:123456789012:instance/*""#,
            ),
            &[],
        ),
        c(
            "INVALID_ARN_ACCOUNT",
            M,
            allow(
                r#""ec2:StartInstances""#,
                r#""arn:aws:ec2:us-east-1:account-id:instance/*""#,
            ),
            &["\"arn:aws:ec2:us-east-1:account-id:instance/*\""],
        ),
        c(
            "INVALID_ARN_ACCOUNT",
            M,
            allow(r#""ec2:StartInstances""#, r#""arn:aws:ec2:*:*:instance/*""#),
            &[],
        ),
        c(
            "UNKNOWN_ARN_SERVICE",
            M,
            allow(r#""s3:GetObject""#, r#""arn:aws:s33:::b/*""#),
            &["\"arn:aws:s33:::b/*\""],
        ),
        c("UNKNOWN_ARN_SERVICE", M, ok.clone(), &[]),
        c(
            "RESOURCE_TYPE_MISMATCH",
            M,
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b""#),
            &["\"arn:aws:s3:::b\""],
        ),
        c(
            "RESOURCE_TYPE_MISMATCH",
            M,
            allow(
                r#"["s3:GetObject", "s3:ListBucket"]"#,
                r#"["arn:aws:s3:::b", "arn:aws:s3:::b/*"]"#,
            ),
            &[],
        ),
        c(
            "ACTION_WITHOUT_MATCHING_RESOURCE",
            M,
            allow(
                r#"["s3:GetObject", "s3:ListBucket"]"#,
                r#""arn:aws:s3:::b""#,
            ),
            &["\"s3:GetObject\""],
        ),
        c(
            "ACTION_WITHOUT_MATCHING_RESOURCE",
            M,
            allow(
                r#"["s3:GetObject", "s3:ListBucket"]"#,
                r#"["arn:aws:s3:::b", "arn:aws:s3:::b/*"]"#,
            ),
            &[],
        ),
        c(
            "ACTION_REQUIRES_STAR_RESOURCE",
            M,
            allow(r#""s3:ListAllMyBuckets""#, r#""arn:aws:s3:::b""#),
            &["\"s3:ListAllMyBuckets\""],
        ),
        c(
            "ACTION_REQUIRES_STAR_RESOURCE",
            M,
            allow(r#""s3:ListAllMyBuckets""#, r#""*""#),
            &[],
        ),
        // Principals.
        c(
            "INVALID_PRINCIPAL_FORMAT",
            R,
            res(
                r#"{"AWS": ["bob", "111122223333", "AROAEXAMPLEID1234567", "arn:aws:iam::111122223333:group/admins"]}"#,
                "",
            ),
            &["\"bob\"", "\"arn:aws:iam::111122223333:group/admins\""],
        ),
        c(
            "INVALID_PRINCIPAL_FORMAT",
            R,
            res(
                r#"{"AWS": ["arn:aws:sts::111122223333:assumed-role/r/s", "arn:aws:iam::111122223333:user/u", "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL"]}"#,
                "",
            ),
            &[],
        ),
        c(
            "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
            R,
            res(r#"{"AWS": "arn:aws:iam::111122223333:role/*"}"#, ""),
            &["\"arn:aws:iam::111122223333:role/*\""],
        ),
        c("UNSUPPORTED_WILDCARD_IN_PRINCIPAL", R, okres.clone(), &[]),
        c(
            "INVALID_SERVICE_PRINCIPAL_FORMAT",
            R,
            res(r#"{"Service": "ec2"}"#, ""),
            &["\"ec2\""],
        ),
        c(
            "INVALID_SERVICE_PRINCIPAL_FORMAT",
            R,
            res(
                r#"{"Service": "ec2.amazonaws.com"}"#,
                r#", "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}"#,
            ),
            &[],
        ),
        c(
            "INVALID_FEDERATED_PRINCIPAL",
            T,
            trust(r#"{"Federated": "example.com"}"#, ""),
            &["\"example.com\""],
        ),
        c(
            "INVALID_FEDERATED_PRINCIPAL",
            T,
            trust(
                r#"{"Federated": "cognito-identity.amazonaws.com"}"#,
                r#", "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "x", "cognito-identity.amazonaws.com:sub": "y"}}"#,
            ),
            &[],
        ),
        c(
            "INVALID_CANONICAL_USER",
            R,
            res(r#"{"CanonicalUser": "abc"}"#, ""),
            &["\"abc\""],
        ),
        c(
            "INVALID_CANONICAL_USER",
            R,
            res(
                r#"{"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}"#,
                "",
            ),
            &[],
        ),
        c("EMPTY_OBJECT_PRINCIPAL", R, res("{}", ""), &["{}"]),
        c("EMPTY_OBJECT_PRINCIPAL", R, okres.clone(), &[]),
        c(
            "RCP_PRINCIPAL_NOT_STAR",
            P,
            doc(
                r#"{"Effect": "Deny", "Principal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"}"#,
            ),
            &["{\"AWS\": \"111122223333\"}"],
        ),
        c("RCP_PRINCIPAL_NOT_STAR", P, okrcp.clone(), &[]),
        // Conditions.
        f(
            c(
                "INVALID_CONDITION_OPERATOR",
                M,
                cond(
                    r#""s3:GetObject""#,
                    r#""arn:aws:s3:::b/*""#,
                    r#"{"StringEqual": {"aws:PrincipalTag/team": "a"}}"#,
                ),
                &["\"StringEqual\""],
            ),
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"aws:PrincipalTag/team": "a"}}"#,
            ),
        ),
        c(
            "INVALID_CONDITION_OPERATOR",
            M,
            cond(r#""s3:GetObject""#, r#""arn:aws:s3:::b/*""#, r#"{"a": {}}"#),
            &[],
        ),
        f(
            c(
                "NULL_WITH_IF_EXISTS",
                M,
                cond(
                    r#""s3:GetObject""#,
                    r#""arn:aws:s3:::b/*""#,
                    r#"{"NullIfExists": {"aws:PrincipalTag/team": "true"}}"#,
                ),
                &["\"NullIfExists\""],
            ),
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"Null": {"aws:PrincipalTag/team": "true"}}"#,
            ),
        ),
        c(
            "NULL_WITH_IF_EXISTS",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"Null": {"aws:PrincipalTag/team": "true"}}"#,
            ),
            &[],
        ),
        c(
            "NULL_WITH_SET_QUALIFIER",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"ForAllValues:Null": {"aws:TagKeys": "true"}}"#,
            ),
            &["\"ForAllValues:Null\""],
        ),
        c(
            "NULL_WITH_SET_QUALIFIER",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"Null": {"aws:TagKeys": "true"}}"#,
            ),
            &[],
        ),
        c(
            "INVALID_NULL_VALUE",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"Null": {"aws:PrincipalTag/team": "maybe"}}"#,
            ),
            &["\"maybe\""],
        ),
        c(
            "INVALID_NULL_VALUE",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"Null": {"aws:PrincipalTag/team": false}}"#,
            ),
            &[],
        ),
        c(
            "INVALID_CONDITION_DATE",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"DateGreaterThan": {"aws:CurrentTime": ["yesterday", "2026-01-01T00:00:00Z"]}}"#,
            ),
            &["\"yesterday\""],
        ),
        c(
            "INVALID_CONDITION_DATE",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"DateGreaterThan": {"aws:CurrentTime": ["1700000000", "2026-01-01"]}}"#,
            ),
            &[],
        ),
        c(
            "INVALID_CONDITION_NUMBER",
            M,
            cond(
                r#""s3:ListBucket""#,
                r#""arn:aws:s3:::b""#,
                r#"{"NumericLessThan": {"s3:max-keys": "ten"}}"#,
            ),
            &["\"ten\""],
        ),
        c(
            "INVALID_CONDITION_NUMBER",
            M,
            cond(
                r#""s3:ListBucket""#,
                r#""arn:aws:s3:::b""#,
                r#"{"NumericLessThan": {"s3:max-keys": 10}}"#,
            ),
            &[],
        ),
        c(
            "INVALID_CONDITION_BOOL",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"Bool": {"aws:SecureTransport": "yes"}}"#,
            ),
            &["\"yes\""],
        ),
        c(
            "INVALID_CONDITION_BOOL",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"Bool": {"aws:SecureTransport": "True"}}"#,
            ),
            &[],
        ),
        c(
            "INVALID_CONDITION_IP",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"IpAddress": {"aws:SourceIp": ["10.0.0.300", "10.0.0.0/8"]}}"#,
            ),
            &["\"10.0.0.300\""],
        ),
        c(
            "INVALID_CONDITION_IP",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"IpAddress": {"aws:SourceIp": ["2001:db8::/32", "10.0.0.0/8"]}}"#,
            ),
            &[],
        ),
        c(
            "ANY_VALUE_IF_EXISTS",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": ["x"]}, "ForAnyValue:StringEquals": {"aws:TagKeys": ["y"]}}"#,
            ),
            &["\"ForAnyValue:StringEqualsIfExists\""],
        ),
        c(
            "ANY_VALUE_IF_EXISTS",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["x"]}, "ForAllValues:StringEqualsIfExists": {"aws:TagKeys": ["y"]}}"#,
            ),
            &[],
        ),
        c(
            "LOOSE_CONDITION_IP",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"IpAddress": {"aws:SourceIp": ["10.0.0.0/08", " 192.0.2.0/24", "2001:db8::1", "10.1.0.0/16"]}}"#,
            ),
            &["\"10.0.0.0/08\"", "\" 192.0.2.0/24\"", "\"2001:db8::1\""],
        ),
        c(
            "LOOSE_CONDITION_IP",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::1/128", "192.0.2.7", "10.0.0.0/0"]}}"#,
            ),
            &[],
        ),
        c(
            "INVALID_CONDITION_ARN",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"ArnLike": {"aws:PrincipalArn": "my-role"}}"#,
            ),
            &["\"my-role\""],
        ),
        c(
            "INVALID_CONDITION_ARN",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}}"#,
            ),
            &[],
        ),
        c(
            "INVALID_CONDITION_MULTIPLE_BOOLEAN",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"Bool": {"aws:SecureTransport": ["true", "false"]}}"#,
            ),
            &["[\"true\", \"false\"]"],
        ),
        c(
            "INVALID_CONDITION_MULTIPLE_BOOLEAN",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"Bool": {"aws:SecureTransport": ["true"]}}"#,
            ),
            &[],
        ),
        c(
            "CONDITION_TYPE_MISMATCH",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"DateEquals": {"aws:SourceIp": "2026-01-01"}}"#,
            ),
            &["\"DateEquals\""],
        ),
        c(
            "CONDITION_TYPE_MISMATCH",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/r"}}"#,
            ),
            &[],
        ),
        c(
            "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"ForAllValues:StringEquals": {"aws:SourceVpc": "vpc-1"}}"#,
            ),
            &["\"ForAllValues:StringEquals\""],
        ),
        c(
            "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"aws:SourceVpc": "vpc-1"}}"#,
            ),
            &[],
        ),
        c(
            "FORANYVALUE_WITH_SINGLE_VALUED_KEY",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"ForAnyValue:StringEquals": {"aws:SourceVpc": "vpc-1"}}"#,
            ),
            &["\"ForAnyValue:StringEquals\""],
        ),
        c(
            "FORANYVALUE_WITH_SINGLE_VALUED_KEY",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}}"#,
            ),
            &[],
        ),
        c(
            "MISSING_QUALIFIER",
            M,
            cond(
                r#""iam:TagRole""#,
                r#""*""#,
                r#"{"StringEquals": {"aws:TagKeys": "team"}}"#,
            ),
            &["\"StringEquals\""],
        ),
        c(
            "MISSING_QUALIFIER",
            M,
            cond(
                r#""iam:TagRole""#,
                r#""*""#,
                r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}}"#,
            ),
            &[],
        ),
        c(
            "ALLOW_WITH_FORALLVALUES_WITHOUT_NULL",
            M,
            cond(
                r#""iam:TagRole""#,
                r#""*""#,
                r#"{"ForAllValues:StringEquals": {"aws:TagKeys": "team"}}"#,
            ),
            &["\"ForAllValues:StringEquals\""],
        ),
        c(
            "ALLOW_WITH_FORALLVALUES_WITHOUT_NULL",
            M,
            cond(
                r#""iam:TagRole""#,
                r#""*""#,
                r#"{"ForAllValues:StringEquals": {"aws:TagKeys": "team"}, "Null": {"aws:TagKeys": "false"}}"#,
            ),
            &[],
        ),
        c(
            "FORANYVALUE_WITH_NEGATED_OPERATOR",
            M,
            cond(
                r#""iam:TagRole""#,
                r#""*""#,
                r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": "team"}}"#,
            ),
            &["\"ForAnyValue:StringNotEquals\""],
        ),
        c(
            "FORANYVALUE_WITH_NEGATED_OPERATOR",
            M,
            cond(
                r#""iam:TagRole""#,
                r#""*""#,
                r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}}"#,
            ),
            &[],
        ),
        f(
            c(
                "WILDCARD_WITHOUT_LIKE_OPERATOR",
                M,
                cond(
                    r#""s3:GetObject""#,
                    r#""arn:aws:s3:::b/*""#,
                    r#"{"StringEquals": {"aws:PrincipalTag/team": "dev-*"}}"#,
                ),
                &["\"StringEquals\""],
            ),
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringLike": {"aws:PrincipalTag/team": "dev-*"}}"#,
            ),
        ),
        c(
            "WILDCARD_WITHOUT_LIKE_OPERATOR",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringLike": {"aws:PrincipalTag/team": "dev-*"}}"#,
            ),
            &[],
        ),
        f(
            c(
                "DUPLICATE_CONDITION_VALUE",
                M,
                cond(
                    r#""s3:GetObject""#,
                    r#""arn:aws:s3:::b/*""#,
                    r#"{"StringEquals": {"aws:PrincipalTag/team": ["a", "b", "a"]}}"#,
                ),
                &["\"a\""],
            ),
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"aws:PrincipalTag/team": ["a", "b"]}}"#,
            ),
        ),
        c(
            "DUPLICATE_CONDITION_VALUE",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"aws:PrincipalTag/team": ["a", "b"]}}"#,
            ),
            &[],
        ),
        c(
            "EMPTY_ARRAY_CONDITION",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"aws:PrincipalTag/team": []}}"#,
            ),
            &["[]"],
        ),
        c(
            "EMPTY_ARRAY_CONDITION",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"aws:PrincipalTag/team": ["a"]}}"#,
            ),
            &[],
        ),
        c(
            "INVALID_CONDITION_KEY_FORMAT",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"team": "a"}}"#,
            ),
            &["\"team\""],
        ),
        c(
            "INVALID_CONDITION_KEY_FORMAT",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"aws:PrincipalTag/team": "a"}}"#,
            ),
            &[],
        ),
        f(
            c(
                "INVALID_GLOBAL_CONDITION_KEY",
                M,
                cond(
                    r#""s3:GetObject""#,
                    r#""arn:aws:s3:::b/*""#,
                    r#"{"IpAddress": {"aws:SourceIpp": "10.0.0.0/8"}}"#,
                ),
                &["\"aws:SourceIpp\""],
            ),
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#,
            ),
        ),
        c(
            "INVALID_GLOBAL_CONDITION_KEY",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"IpAddress": {"AWS:sourceip": "10.0.0.0/8"}}"#,
            ),
            &[],
        ),
        f(
            c(
                "INVALID_SERVICE_CONDITION_KEY",
                M,
                cond(
                    r#""s3:ListBucket""#,
                    r#""arn:aws:s3:::b""#,
                    r#"{"StringLike": {"s3:prefixx": "home/*"}}"#,
                ),
                &["\"s3:prefixx\""],
            ),
            cond(
                r#""s3:ListBucket""#,
                r#""arn:aws:s3:::b""#,
                r#"{"StringLike": {"s3:prefix": "home/*"}}"#,
            ),
        ),
        c(
            "INVALID_SERVICE_CONDITION_KEY",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"s3:ExistingObjectTag/team": "a"}}"#,
            ),
            &[],
        ),
        c(
            "CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"ec2:InstanceType": "t3.micro"}}"#,
            ),
            &["\"ec2:InstanceType\""],
        ),
        c(
            "CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS",
            M,
            cond(
                r#""ec2:RunInstances""#,
                r#""*""#,
                r#"{"StringEquals": {"ec2:InstanceType": "t3.micro"}}"#,
            ),
            &[],
        ),
        c(
            "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"aws:PrincipalTag/team": "a", "aws:principaltag/team": "b"}}"#,
            ),
            &["\"aws:principaltag/team\""],
        ),
        c(
            "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"aws:PrincipalTag/team": "a"}, "StringLike": {"aws:principaltag/team": "b*"}}"#,
            ),
            &[],
        ),
        c(
            "RESOURCE_POLICY_GRANTS_POLICY_CHANGE",
            R,
            doc(
                r#"{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:PutBucketPolicy"], "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}"#,
            ),
            &["\"s3:PutBucketPolicy\""],
        ),
        c(
            "RESOURCE_POLICY_GRANTS_POLICY_CHANGE",
            R,
            doc(
                r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "arn:aws:kms:eu-west-1:111122223333:key/1a2b"}"#,
            ),
            &["\"kms:*\""],
        ),
        // The default key policy: the owner account's root.
        c(
            "RESOURCE_POLICY_GRANTS_POLICY_CHANGE",
            R,
            doc(
                r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "arn:aws:kms:eu-west-1:111122223333:key/1a2b"}"#,
            ),
            &[],
        ),
        c(
            "RESOURCE_POLICY_GRANTS_POLICY_CHANGE",
            R,
            doc(
                r#"{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutBucketAcl", "Resource": "arn:aws:s3:::b", "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}"#,
            ),
            &[],
        ),
        c(
            "RESOURCE_POLICY_GRANTS_POLICY_CHANGE",
            R,
            okres.clone(),
            &[],
        ),
        c(
            "CREATE_SLR_WITH_STAR_IN_RESOURCE",
            M,
            allow(r#""iam:CreateServiceLinkedRole""#, r#""*""#),
            &["\"*\""],
        ),
        c(
            "CREATE_SLR_WITH_STAR_IN_RESOURCE",
            M,
            cond(
                r#""iam:CreateServiceLinkedRole""#,
                r#""*""#,
                r#"{"StringEquals": {"iam:AWSServiceName": "autoscaling.amazonaws.com"}}"#,
            ),
            &[],
        ),
        c(
            "CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS",
            M,
            doc(
                r#"{"Effect": "Allow", "Action": "rds:CreateDBInstance", "Resource": "*", "Condition": {"StringEquals": {"rds:DatabaseEngine": "postgres"}}}, {"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": "arn:aws:ssm:*:*:parameter/x", "Condition": {"StringEquals": {"ssm:resourceTag/team": "a"}}}"#,
            ),
            &[],
        ),
        // Policy variables.
        c(
            "MISSING_BRACE_IN_VARIABLE",
            M,
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${aws:username""#),
            &["\"arn:aws:s3:::b/${aws:username\""],
        ),
        c(
            "MISSING_BRACE_IN_VARIABLE",
            M,
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${aws:username}""#),
            &[],
        ),
        c(
            "EMPTY_VARIABLE",
            M,
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${}""#),
            &["\"arn:aws:s3:::b/${}\""],
        ),
        c(
            "EMPTY_VARIABLE",
            M,
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${*}""#),
            &[],
        ),
        c(
            "UNSUPPORTED_SPACE_IN_VARIABLE",
            M,
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${ aws:username}""#),
            &["\"arn:aws:s3:::b/${ aws:username}\""],
        ),
        c(
            "UNSUPPORTED_SPACE_IN_VARIABLE",
            M,
            allow(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/${aws:username, 'anon'}""#,
            ),
            &[],
        ),
        c(
            "MISSING_QUOTE_IN_VARIABLE",
            M,
            allow(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/${aws:username, anon}""#,
            ),
            &["\"arn:aws:s3:::b/${aws:username, anon}\""],
        ),
        c(
            "MISSING_QUOTE_IN_VARIABLE",
            M,
            allow(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/${aws:username,'anon'}""#,
            ),
            &[],
        ),
        c(
            "UNKNOWN_VARIABLE",
            M,
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${aws:usernam}""#),
            &["\"arn:aws:s3:::b/${aws:usernam}\""],
        ),
        c(
            "UNKNOWN_VARIABLE",
            M,
            allow(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/${aws:PrincipalTag/team}/${cognito-identity.amazonaws.com:sub}""#,
            ),
            &[],
        ),
        c(
            "VARIABLE_UNSUPPORTED_IN_VERSION",
            U,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}"}]}"#,
            &["\"arn:aws:s3:::b/${aws:username}\""],
        ),
        c(
            "VARIABLE_UNSUPPORTED_IN_VERSION",
            U,
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${aws:username}""#),
            &[],
        ),
        c(
            "VARIABLE_UNSUPPORTED_IN_ELEMENT",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"aws:PrincipalTag/${aws:username}": "a"}}"#,
            ),
            &["\"aws:PrincipalTag/${aws:username}\""],
        ),
        c(
            "VARIABLE_UNSUPPORTED_IN_ELEMENT",
            M,
            cond(
                r#""s3:GetObject""#,
                r#""arn:aws:s3:::b/*""#,
                r#"{"StringEquals": {"aws:PrincipalTag/team": "${aws:username}"}}"#,
            ),
            &[],
        ),
        c(
            "INVALID_VARIABLE_FOR_OPERATOR",
            M,
            cond(
                r#""s3:ListBucket""#,
                r#""arn:aws:s3:::b""#,
                r#"{"NumericLessThan": {"s3:max-keys": "${aws:username}"}}"#,
            ),
            &["\"${aws:username}\""],
        ),
        c(
            "INVALID_VARIABLE_FOR_OPERATOR",
            M,
            cond(
                r#""s3:ListBucket""#,
                r#""arn:aws:s3:::b""#,
                r#"{"StringLike": {"s3:prefix": "${aws:username}/*"}}"#,
            ),
            &[],
        ),
        // Security.
        c(
            "ALLOW_WITH_NOT_PRINCIPAL",
            R,
            doc(
                r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
            ),
            &["\"NotPrincipal\""],
        ),
        c(
            "ALLOW_WITH_NOT_PRINCIPAL",
            R,
            doc(
                r#"{"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
            ),
            &[],
        ),
        c(
            "ALLOW_WITH_NOT_ACTION",
            M,
            doc(r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#),
            &["\"iam:*\""],
        ),
        c(
            "ALLOW_WITH_NOT_ACTION",
            M,
            doc(r#"{"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}"#),
            &[],
        ),
        c(
            "ALLOW_WITH_NOT_RESOURCE",
            M,
            doc(
                r#"{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/*"}"#,
            ),
            &["\"arn:aws:s3:::b/*\""],
        ),
        c(
            "ALLOW_WITH_NOT_RESOURCE",
            M,
            doc(
                r#"{"Effect": "Deny", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/*"}"#,
            ),
            &[],
        ),
        c(
            "PASS_ROLE_WITH_STAR_IN_RESOURCE",
            M,
            allow(r#""iam:PassRole""#, r#""*""#),
            &["\"*\""],
        ),
        c(
            "PASS_ROLE_WITH_STAR_IN_RESOURCE",
            M,
            allow(
                r#""iam:PassRole""#,
                r#""arn:aws:iam::111122223333:role/app""#,
            ),
            &[],
        ),
        c(
            "PASS_ROLE_WITH_NOT_RESOURCE",
            M,
            doc(
                r#"{"Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::111122223333:role/admin"}"#,
            ),
            &["\"arn:aws:iam::111122223333:role/admin\""],
        ),
        c(
            "PASS_ROLE_WITH_NOT_RESOURCE",
            M,
            doc(
                r#"{"Effect": "Allow", "Action": "iam:GetRole", "NotResource": "arn:aws:iam::111122223333:role/admin"}"#,
            ),
            &[],
        ),
        c(
            "FULL_ACCESS_STAR_STAR",
            M,
            allow(r#""*""#, r#""*""#),
            &["\"*\""],
        ),
        c(
            "FULL_ACCESS_STAR_STAR",
            S,
            doc(r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#),
            &[],
        ),
        c(
            "PRIVILEGE_ESCALATION_ACTION",
            M,
            allow(r#"["iam:AttachUserPolicy", "iam:GetUser"]"#, r#""*""#),
            &["\"iam:AttachUserPolicy\""],
        ),
        c(
            "PRIVILEGE_ESCALATION_ACTION",
            M,
            allow(
                r#""iam:AttachUserPolicy""#,
                r#""arn:aws:iam::111122223333:user/bob""#,
            ),
            &[],
        ),
        c("PUBLIC_PRINCIPAL", R, res(r#""*""#, ""), &["\"*\""]),
        c(
            "PUBLIC_PRINCIPAL",
            R,
            res(
                r#""*""#,
                r#", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}"#,
            ),
            &[],
        ),
        c(
            "TRUST_POLICY_ALLOWS_ANYONE",
            T,
            doc(r#"{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}"#),
            &["\"*\""],
        ),
        c(
            "TRUST_POLICY_ALLOWS_ANYONE",
            T,
            doc(
                r#"{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}}"#,
            ),
            &[],
        ),
        c(
            "OIDC_TRUST_WITHOUT_SUB_CONDITION",
            T,
            trust(
                r#"{"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}"#,
                r#", "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}"#,
            ),
            &["\"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\""],
        ),
        c(
            "OIDC_TRUST_WITHOUT_SUB_CONDITION",
            T,
            trust(
                r#"{"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}"#,
                r#", "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}"#,
            ),
            &[],
        ),
        c(
            "OIDC_TRUST_WITHOUT_AUD_CONDITION",
            T,
            trust(
                r#"{"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}"#,
                r#", "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}"#,
            ),
            &["\"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\""],
        ),
        c(
            "OIDC_TRUST_WITHOUT_AUD_CONDITION",
            T,
            trust(
                r#"{"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}"#,
                r#", "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}"#,
            ),
            &[],
        ),
        Case {
            account: Some("111122223333"),
            ..c(
                "CROSS_ACCOUNT_TRUST_WITHOUT_EXTERNAL_ID",
                T,
                doc(
                    r#"{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::444455556666:root", "arn:aws:iam::111122223333:root"]}, "Action": "sts:AssumeRole"}"#,
                ),
                &["\"arn:aws:iam::444455556666:root\""],
            )
        },
        Case {
            account: Some("111122223333"),
            ..c(
                "CROSS_ACCOUNT_TRUST_WITHOUT_EXTERNAL_ID",
                T,
                doc(
                    r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}"#,
                ),
                &[],
            )
        },
        c(
            "SERVICE_PRINCIPAL_WITHOUT_SOURCE_CONDITION",
            R,
            res(r#"{"Service": "sns.amazonaws.com"}"#, ""),
            &["\"sns.amazonaws.com\""],
        ),
        c(
            "SERVICE_PRINCIPAL_WITHOUT_SOURCE_CONDITION",
            R,
            res(
                r#"{"Service": "sns.amazonaws.com"}"#,
                r#", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}}"#,
            ),
            &[],
        ),
        // Hygiene.
        f(
            c(
                "REDUNDANT_ACTION",
                M,
                allow(r#"["s3:Get*", "s3:GetObject"]"#, r#""arn:aws:s3:::b/*""#),
                &["\"s3:GetObject\""],
            ),
            allow(r#"["s3:Get*"]"#, r#""arn:aws:s3:::b/*""#),
        ),
        c(
            "REDUNDANT_ACTION",
            M,
            allow(r#"["s3:Get*", "s3:PutObject"]"#, r#""arn:aws:s3:::b/*""#),
            &[],
        ),
        f(
            c(
                "REDUNDANT_RESOURCE",
                M,
                allow(
                    r#""s3:GetObject""#,
                    r#"["arn:aws:s3:::b/x", "arn:aws:s3:::b/*"]"#,
                ),
                &["\"arn:aws:s3:::b/x\""],
            ),
            allow(r#""s3:GetObject""#, r#"["arn:aws:s3:::b/*"]"#),
        ),
        c(
            "REDUNDANT_RESOURCE",
            M,
            allow(
                r#""s3:GetObject""#,
                r#"["arn:aws:s3:::B/x", "arn:aws:s3:::b/*"]"#,
            ),
            &[],
        ),
        c(
            "REDUNDANT_STATEMENT",
            M,
            doc(
                r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
            ),
            &["{"],
        ),
        c(
            "REDUNDANT_STATEMENT",
            M,
            doc(
                r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
            ),
            &[],
        ),
        c(
            "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
            U,
            big(3000),
            &["{"],
        ),
        c(
            "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
            M,
            big(3000),
            &[],
        ),
        c(
            "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
            R,
            big_resource(26_000),
            &["{"],
        ),
        c(
            "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
            R,
            big_resource(19_000),
            &[],
        ),
        c(
            "POLICY_SIZE_EXCEEDS_TRUST_POLICY_QUOTA",
            T,
            big_trust(2_400),
            &["{"],
        ),
        c(
            "POLICY_SIZE_EXCEEDS_TRUST_POLICY_QUOTA",
            T,
            big_trust(1_800),
            &[],
        ),
        c("POLICY_SIZE_EXCEEDS_SCP_QUOTA", S, big_scp(8_000), &["{"]),
        c("POLICY_SIZE_EXCEEDS_SCP_QUOTA", S, big_scp(4_000), &[]),
    ]
}

fn apply(text: &str, span: iam_atlas::text::Span, with: &str) -> String {
    let mut t = text.to_string();
    t.replace_range(span.range(), with);
    t
}

#[test]
fn every_check_fires_and_stays_quiet() {
    let mut failures = Vec::new();
    for case in cases() {
        let opts = Options {
            account: case.account.map(String::from),
        };
        let diags = validate_with(&case.policy, case.kind, &opts);
        let got: Vec<&str> = diags
            .iter()
            .filter(|d| d.subcode.unwrap_or(d.code) == case.code)
            .map(|d| &case.policy[d.span.range()])
            .collect();
        if got != case.expected {
            failures.push(format!(
                "{} ({:?}): expected {:?}, got {:?}\n  {}",
                case.code,
                case.kind,
                case.expected,
                got,
                case.policy.chars().take(300).collect::<String>()
            ));
            continue;
        }
        for d in diags
            .iter()
            .filter(|d| d.subcode.unwrap_or(d.code) == case.code)
        {
            let m = &d.message;
            if m.is_empty() || m.ends_with('.') || m.chars().next().is_some_and(char::is_uppercase)
            {
                failures.push(format!("{}: message style: {m}", case.code));
            }
        }
        if let Some(fixed) = &case.fixed {
            let Some(fix) = diags
                .iter()
                .find(|d| d.subcode.unwrap_or(d.code) == case.code)
                .and_then(|d| d.fix.clone())
            else {
                failures.push(format!("{}: no fix", case.code));
                continue;
            };
            let after = apply(&case.policy, fix.span, &fix.text);
            if &after != fixed {
                failures.push(format!(
                    "{}: fix gives\n  {after}\nexpected\n  {fixed}",
                    case.code
                ));
            }
            let again = validate_with(&after, case.kind, &opts);
            if again
                .iter()
                .any(|d| d.subcode.unwrap_or(d.code) == case.code)
            {
                failures.push(format!("{}: still reported after the fix", case.code));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The documents of the cases that fire, for the coverage test of Access Analyzer's codes.
pub(crate) fn firing_documents() -> Vec<(String, PolicyKind)> {
    cases()
        .into_iter()
        .filter(|c| !c.expected.is_empty())
        .map(|c| (c.policy, c.kind))
        .collect()
}

#[test]
fn every_registered_check_has_a_firing_and_a_quiet_case() {
    let cases = cases();
    // The checks added for Access Analyzer's codes are tested by `validate_aa`'s table: a case raises the
    // code (with this check's code as the finding's own or its subcode) and its quiet twin does not.
    let aa_cases = crate::validate_aa::aa_cases();
    let mut aa_fired: Vec<&'static str> = Vec::new();
    for c in &aa_cases {
        for d in validate_with(&c.fires, c.kind, &Options::default()) {
            if d.code == c.code {
                aa_fired.push(d.subcode.unwrap_or(d.code));
            }
        }
    }
    let mut missing = Vec::new();
    // The `load` group is what the loader reports about an export, and `what-if` what an edit of the model meets:
    // not checks of a policy document. Their codes are asserted by the loader's tests
    // (`review::audit_outputs_carry_the_load_warnings_with_their_place`) and the what-if's (`edit::tests`).
    for check in CHECKS
        .iter()
        .filter(|c| c.group != "load" && c.group != "what-if")
    {
        let fires = cases
            .iter()
            .any(|c| c.code == check.code && !c.expected.is_empty())
            || aa_fired.contains(&check.code);
        let quiet = cases
            .iter()
            .any(|c| c.code == check.code && c.expected.is_empty())
            || aa_cases.iter().any(|c| {
                check.reported_as.iter().any(|a| a.as_str() == c.code)
                    && aa_fired.contains(&check.code)
            });
        if !fires || !quiet {
            missing.push(format!("{} (fires: {fires}, quiet: {quiet})", check.code));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    assert!(CHECKS.len() >= 60);
}

#[test]
fn clean_policies_of_every_kind_have_no_findings() {
    let clean = [
        (
            PolicyKind::Identity(IdentityKind::Managed),
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/*""#),
        ),
        (
            T,
            doc(
                r#"{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}"#,
            ),
        ),
        (R, res(r#"{"AWS": "arn:aws:iam::111122223333:root"}"#, "")),
        (
            S,
            doc(r#"{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}"#),
        ),
        (
            P,
            doc(
                r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#,
            ),
        ),
        (PolicyKind::Boundary, allow(r#""s3:Get*""#, r#""*""#)),
        (
            PolicyKind::Session,
            allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/*""#),
        ),
    ];
    for (kind, text) in clean {
        let d = validate_with(&text, kind, &Options::default());
        assert!(d.is_empty(), "{kind:?}: {d:?}");
    }
}

#[test]
fn the_documentation_lists_every_check() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/validation.md");
    let doc = std::fs::read_to_string(path).expect("docs/validation.md");
    let missing: Vec<&str> = CHECKS
        .iter()
        .map(|c| c.code)
        .filter(|code| !doc.contains(&format!("| `{code}` |")))
        .collect();
    assert!(missing.is_empty(), "not in docs/validation.md: {missing:?}");
}
