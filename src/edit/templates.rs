//! Policy templates the editor offers for a new document.

use crate::validate::{IdentityKind, PolicyKind};

/// A starting point for a new document.
#[derive(Clone, Copy, Debug)]
pub struct Template {
    /// Shown in the menu.
    pub name: &'static str,
    /// What it does, one line.
    pub description: &'static str,
    /// What kind of document it is.
    pub kind: PolicyKind,
    /// The document.
    pub text: &'static str,
}

/// The templates, in menu order.
pub fn templates() -> &'static [Template] {
    TEMPLATES
}

/// The template a new editor starts with (the first).
pub fn first_template() -> &'static Template {
    // A constant's first element, checked when compiling.
    #[expect(clippy::indexing_slicing, reason = "evaluated at compile time")]
    const FIRST: &Template = &TEMPLATES[0];
    FIRST
}

const TEMPLATES: &[Template] = &[
    Template {
        name: "Read-only bucket access",
        description: "list one bucket and read its objects",
        kind: PolicyKind::Identity(IdentityKind::Managed),
        text: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ListBucket",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::example-bucket"
        },
        {
            "Sid": "ReadObjects",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::example-bucket/*"
        }
    ]
}
"#,
    },
    Template {
        name: "MFA-required role trust",
        description: "users of one account may assume the role only when signed in with MFA",
        kind: PolicyKind::Trust,
        text: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AssumeWithMfa",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::111122223333:root"
            },
            "Action": "sts:AssumeRole",
            "Condition": {
                "Bool": {
                    "aws:MultiFactorAuthPresent": "true"
                }
            }
        }
    ]
}
"#,
    },
    Template {
        name: "Time-limited access",
        description: "read a bucket until a date",
        kind: PolicyKind::Identity(IdentityKind::Managed),
        text: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadUntilEndOfYear",
            "Effect": "Allow",
            "Action": [
                "s3:GetObject",
                "s3:ListBucket"
            ],
            "Resource": [
                "arn:aws:s3:::example-bucket",
                "arn:aws:s3:::example-bucket/*"
            ],
            "Condition": {
                "DateLessThan": {
                    "aws:CurrentTime": "2030-01-01T00:00:00Z"
                }
            }
        }
    ]
}
"#,
    },
    Template {
        name: "Region restriction",
        description: "deny everything outside two regions, except global services",
        kind: PolicyKind::Scp,
        text: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyOutsideEuRegions",
            "Effect": "Deny",
            "NotAction": [
                "iam:*",
                "organizations:*",
                "sts:*",
                "support:*"
            ],
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {
                    "aws:RequestedRegion": [
                        "eu-west-1",
                        "eu-central-1"
                    ]
                }
            }
        }
    ]
}
"#,
    },
    Template {
        name: "Tag-based access",
        description: "start and stop instances whose project tag matches the caller's",
        kind: PolicyKind::Identity(IdentityKind::Managed),
        text: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "SameProjectOnly",
            "Effect": "Allow",
            "Action": [
                "ec2:StartInstances",
                "ec2:StopInstances"
            ],
            "Resource": "arn:aws:ec2:*:*:instance/*",
            "Condition": {
                "StringEquals": {
                    "aws:ResourceTag/project": "${aws:PrincipalTag/project}"
                }
            }
        }
    ]
}
"#,
    },
];
