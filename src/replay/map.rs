//! From a CloudTrail record to the request IAM authorised: the principal (`userIdentity`), the action
//! (`eventSource` + `eventName`, with the table of events whose IAM action differs), the resource (`resources`,
//! then request parameters where the ARN can be derived) and the context (`sourceIPAddress`, `awsRegion`,
//! `eventTime`, MFA, the session's source identity, the user agent).
//!
//! References: "CloudTrail record contents"
//! (<https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html>),
//! "CloudTrail userIdentity element"
//! (<https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html>),
//! and the Service Authorization Reference for each service's actions
//! (<https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>).

use crate::account::Model;
use crate::eval::{Context, Principal, PrincipalType, Request};
use crate::time::Timestamp;
use serde_json::Value;

/// `eventSource` prefixes that are not the IAM service prefix.
pub const SOURCE_PREFIXES: &[(&str, &str)] = &[
    ("monitoring", "cloudwatch"),
    ("email", "ses"),
    ("elasticfilesystem", "elasticfilesystem"),
    ("apigateway", "apigateway"),
    ("tagging", "tag"),
    ("iam", "iam"),
];

/// Events whose IAM action is not `prefix:eventName` (`eventSource` prefix, `eventName`, IAM action). From
/// "Amazon S3 CloudTrail events" (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html>)
/// and "Required permissions for Amazon S3 API operations"
/// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html>); Lambda's
/// `Invoke` (<https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html>).
pub const ACTION_EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("s3", "ListObjects", "s3:ListBucket"),
    ("s3", "ListObjectsV2", "s3:ListBucket"),
    ("s3", "ListObjectVersions", "s3:ListBucketVersions"),
    ("s3", "HeadBucket", "s3:ListBucket"),
    ("s3", "HeadObject", "s3:GetObject"),
    ("s3", "SelectObjectContent", "s3:GetObject"),
    ("s3", "CopyObject", "s3:PutObject"),
    ("s3", "CreateMultipartUpload", "s3:PutObject"),
    ("s3", "UploadPart", "s3:PutObject"),
    ("s3", "UploadPartCopy", "s3:PutObject"),
    ("s3", "CompleteMultipartUpload", "s3:PutObject"),
    ("s3", "AbortMultipartUpload", "s3:AbortMultipartUpload"),
    ("s3", "ListParts", "s3:ListMultipartUploadParts"),
    (
        "s3",
        "ListMultipartUploads",
        "s3:ListBucketMultipartUploads",
    ),
    ("s3", "DeleteObjects", "s3:DeleteObject"),
    ("s3", "ListBuckets", "s3:ListAllMyBuckets"),
    ("s3", "GetBucketLifecycle", "s3:GetLifecycleConfiguration"),
    (
        "s3",
        "GetBucketLifecycleConfiguration",
        "s3:GetLifecycleConfiguration",
    ),
    ("s3", "PutBucketLifecycle", "s3:PutLifecycleConfiguration"),
    (
        "s3",
        "PutBucketLifecycleConfiguration",
        "s3:PutLifecycleConfiguration",
    ),
    (
        "s3",
        "DeleteBucketLifecycle",
        "s3:PutLifecycleConfiguration",
    ),
    ("s3", "GetBucketEncryption", "s3:GetEncryptionConfiguration"),
    ("s3", "PutBucketEncryption", "s3:PutEncryptionConfiguration"),
    (
        "s3",
        "DeleteBucketEncryption",
        "s3:PutEncryptionConfiguration",
    ),
    (
        "s3",
        "GetBucketReplication",
        "s3:GetReplicationConfiguration",
    ),
    (
        "s3",
        "PutBucketReplication",
        "s3:PutReplicationConfiguration",
    ),
    (
        "s3",
        "DeleteBucketReplication",
        "s3:PutReplicationConfiguration",
    ),
    ("s3", "DeleteBucketTagging", "s3:PutBucketTagging"),
    ("s3", "DeleteBucketCors", "s3:PutBucketCORS"),
    ("s3", "GetBucketCors", "s3:GetBucketCORS"),
    ("s3", "PutBucketCors", "s3:PutBucketCORS"),
    ("s3", "DeleteBucketWebsite", "s3:DeleteBucketWebsite"),
    (
        "s3",
        "GetBucketPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
    ),
    (
        "s3",
        "DeletePublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
    ),
    (
        "s3",
        "DeleteBucketPublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
    ),
    ("s3", "GetObjectAcl", "s3:GetObjectAcl"),
    ("lambda", "Invoke", "lambda:InvokeFunction"),
    ("monitoring", "PutMetricData", "cloudwatch:PutMetricData"),
];

/// S3 actions on objects (the resource is the object, not the bucket).
const S3_OBJECT_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:GetObjectAcl",
    "s3:PutObjectAcl",
    "s3:GetObjectTagging",
    "s3:PutObjectTagging",
    "s3:DeleteObjectTagging",
    "s3:GetObjectVersion",
    "s3:DeleteObjectVersion",
    "s3:RestoreObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
    "s3:GetObjectAttributes",
    "s3:GetObjectRetention",
    "s3:PutObjectRetention",
    "s3:GetObjectLegalHold",
    "s3:PutObjectLegalHold",
];

/// Events that are not authorised by IAM policies (sign-in, and AWS's own events).
const NOT_AUTHORISED_BY_IAM: &[(&str, &str)] = &[
    ("signin", "ConsoleLogin"),
    ("signin", "CheckMfa"),
    ("signin", "SwitchRole"),
    ("signin", "ExitRole"),
    ("signin", "RenewRole"),
];

/// The IAM action of an event.
pub fn action_of(event_source: &str, event_name: &str) -> Option<String> {
    let source = event_source
        .strip_suffix(".amazonaws.com")
        .unwrap_or(event_source);
    if source.is_empty() || event_name.is_empty() {
        return None;
    }
    if let Some((_, _, a)) = ACTION_EXCEPTIONS
        .iter()
        .find(|(s, e, _)| *s == source && *e == event_name)
    {
        return Some((*a).to_string());
    }
    let prefix = SOURCE_PREFIXES
        .iter()
        .find(|(s, _)| *s == source)
        .map_or(source, |(_, p)| p);
    // Lambda's API versions are in its event names (`UpdateFunctionCode20150331v2`).
    let name = if prefix == "lambda" {
        strip_api_version(event_name)
    } else {
        event_name
    };
    Some(format!("{prefix}:{name}"))
}

fn strip_api_version(name: &str) -> &str {
    let bytes = name.as_bytes();
    // `…20150331` optionally followed by `v2`.
    let mut end = bytes.len();
    if end >= 2
        && bytes.get(end - 2) == Some(&b'v')
        && bytes.get(end - 1).is_some_and(u8::is_ascii_digit)
    {
        end -= 2;
    }
    if end >= 8
        && bytes
            .get(end - 8..end)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    {
        return name.get(..end - 8).unwrap_or(name);
    }
    name
}

/// What became of a record.
#[derive(Debug, Clone)]
pub enum Mapped {
    /// The request, with the time it was made.
    Request(Box<MappedRequest>),
    /// Not evaluated, and why.
    Skip(String),
}

/// A request derived from an event.
#[derive(Debug, Clone)]
pub struct MappedRequest {
    /// The request.
    pub request: Request,
    /// `eventTime`.
    pub time: Option<Timestamp>,
    /// The resource came from the record (false: `*`, which is not an exact answer).
    pub resource_derived: bool,
}

/// The account that owns `resource`, as the record's `resources` list says it ("the account ID of the resource
/// owner": <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html>):
/// an S3 ARN names no account, and `recipientAccountId` may be the requester's.
fn owner_of(record: &Value, resource: &str) -> Option<String> {
    record
        .get("resources")?
        .as_array()?
        .iter()
        // (An S3 data event lists the object without an account and its bucket with the owner's.)
        .filter(|r| {
            s(r, "ARN").is_some_and(|arn| {
                resource == arn
                    || resource
                        .strip_prefix(arn)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
        })
        .find_map(|r| s(r, "accountId").filter(|a| crate::arn::is_account_id(a)))
        .map(str::to_string)
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The principal of a `userIdentity`.
pub fn principal_of(record: &Value, model: &Model) -> Result<Principal, String> {
    let id = record
        .get("userIdentity")
        .ok_or("no `userIdentity`: the caller is not known")?;
    let kind = s(id, "type").unwrap_or("");
    let account = s(id, "accountId").or_else(|| s(record, "recipientAccountId"));
    match kind {
        "IAMUser" | "Root" | "AssumedRole" | "FederatedUser" => {
            let arn = s(id, "arn")
                .ok_or_else(|| format!("`userIdentity` of type {kind} has no `arn`"))?;
            let mut p = Principal::resolve(arn, model)?;
            if kind == "AssumedRole"
                && let Some(issuer) = id
                    .pointer("/sessionContext/sessionIssuer/arn")
                    .and_then(Value::as_str)
            {
                // The issuer's ARN has the role's path, which the session ARN leaves out.
                p.role_arn = Some(issuer.to_string());
                if p.entity.is_none() {
                    p.entity = model.by_arn(issuer);
                }
            }
            Ok(p)
        }
        "AWSAccount" => {
            let acc = account.ok_or("`userIdentity` of type AWSAccount has no `accountId`")?;
            Principal::resolve(acc, model)
        }
        "AWSService" => {
            let svc =
                s(id, "invokedBy").ok_or("`userIdentity` of type AWSService has no `invokedBy`")?;
            Principal::resolve(svc, model)
        }
        "SAMLUser" => {
            let arn = record
                .pointer("/requestParameters/principalArn")
                .and_then(Value::as_str)
                .ok_or("SAMLUser event without `requestParameters.principalArn`")?;
            Principal::resolve(arn, model)
        }
        "WebIdentityUser" => {
            let provider =
                s(id, "identityProvider").ok_or("WebIdentityUser without `identityProvider`")?;
            let acc = s(record, "recipientAccountId")
                .ok_or("WebIdentityUser without `recipientAccountId`")?;
            let arn = if provider.starts_with("arn:") {
                provider.to_string()
            } else {
                format!("arn:aws:iam::{acc}:oidc-provider/{provider}")
            };
            Principal::resolve(&arn, model)
        }
        "" => Err("`userIdentity` has no `type`".into()),
        other => Err(format!(
            "`userIdentity` of type `{other}` is not mapped to a principal"
        )),
    }
}

/// The resource of the request: from `resources` when the record lists it, else from the request parameters
/// where the ARN can be derived, else `None`.
pub fn resource_of(record: &Value, action: &str, model: &Model) -> Option<String> {
    let region = s(record, "awsRegion").unwrap_or("us-east-1");
    let account = s(record, "recipientAccountId")
        .or_else(|| {
            record
                .pointer("/userIdentity/accountId")
                .and_then(Value::as_str)
        })
        .unwrap_or("");
    let params = record.get("requestParameters").unwrap_or(&Value::Null);
    let (service, name) = action.split_once(':').unwrap_or(("", action));
    if service == "s3" {
        let bucket = s(params, "bucketName");
        let key = s(params, "key");
        let object = S3_OBJECT_ACTIONS
            .iter()
            .any(|a| a.eq_ignore_ascii_case(action));
        return match (bucket, key, object) {
            (Some(b), Some(k), true) => Some(format!("arn:aws:s3:::{b}/{k}")),
            (Some(b), _, false) => Some(format!("arn:aws:s3:::{b}")),
            _ if action == "s3:ListAllMyBuckets" => Some("*".into()),
            _ => listed(record, |t| {
                if object {
                    t == "AWS::S3::Object"
                } else {
                    t == "AWS::S3::Bucket"
                }
            }),
        };
    }
    if let Some(r) = listed(record, |_| true) {
        return Some(r);
    }
    let p = |k: &str| s(params, k);
    let arn_or = |v: &str, f: &dyn Fn(&str) -> String| {
        if v.starts_with("arn:") {
            v.to_string()
        } else {
            f(v)
        }
    };
    match service {
        "sts" if name.starts_with("AssumeRole") => p("roleArn").map(str::to_string),
        "sts" => Some("*".into()),
        "iam" => {
            let by_name = |kind: crate::account::EntityKind, n: &str, path: &str| {
                model
                    .account_index(account)
                    .and_then(|ai| {
                        let index = model.accounts.get(ai as usize)?.find(kind, n)?;
                        Some(
                            model
                                .describe(crate::account::EntityRef {
                                    account: ai,
                                    kind,
                                    index,
                                })
                                .1,
                        )
                    })
                    .unwrap_or_else(|| format!("arn:aws:iam::{account}:{path}/{n}"))
            };
            // The user, group or role first: `iam:AttachRolePolicy` and its kin act on the role (the Service
            // Authorization Reference's resource type), the policy ARN they carry is the `iam:PolicyARN` key
            // (set in the context by `map`).
            if let Some(n) = p("roleName") {
                return Some(by_name(crate::account::EntityKind::Role, n, "role"));
            }
            if let Some(n) = p("userName") {
                return Some(by_name(crate::account::EntityKind::User, n, "user"));
            }
            if let Some(n) = p("groupName") {
                return Some(by_name(crate::account::EntityKind::Group, n, "group"));
            }
            p("policyArn").map(str::to_string)
        }
        "lambda" => p("functionName").map(|f| {
            arn_or(f, &|n| {
                format!("arn:aws:lambda:{region}:{account}:function:{n}")
            })
        }),
        "sqs" => p("queueUrl").and_then(|u| {
            // https://sqs.REGION.amazonaws.com/ACCOUNT/NAME
            let mut parts = u.trim_end_matches('/').rsplit('/');
            let name = parts.next()?;
            let acct = parts.next()?;
            Some(format!("arn:aws:sqs:{region}:{acct}:{name}"))
        }),
        "sns" => p("topicArn").map(str::to_string),
        "dynamodb" => p("tableName").map(|t| {
            arn_or(t, &|n| {
                format!("arn:aws:dynamodb:{region}:{account}:table/{n}")
            })
        }),
        "kms" => {
            p("keyId").map(|k| arn_or(k, &|n| format!("arn:aws:kms:{region}:{account}:key/{n}")))
        }
        "secretsmanager" => p("secretId").map(|id| {
            arn_or(id, &|n| {
                // Secret ARNs end in a random suffix: the loaded resource policy of that name, when there is one.
                let prefix = format!("arn:aws:secretsmanager:{region}:{account}:secret:{n}-");
                model
                    .account(account)
                    .and_then(|a| {
                        a.resource_policies
                            .iter()
                            .find(|r| r.resource.starts_with(&prefix))
                            .map(|r| r.resource.to_string())
                    })
                    .unwrap_or_else(|| {
                        format!("arn:aws:secretsmanager:{region}:{account}:secret:{n}")
                    })
            })
        }),
        "ssm" => p("name").map(|n| {
            arn_or(n, &|n| {
                format!(
                    "arn:aws:ssm:{region}:{account}:parameter/{}",
                    n.trim_start_matches('/')
                )
            })
        }),
        "glue" => p("jobName").map(|j| format!("arn:aws:glue:{region}:{account}:job/{j}")),
        "cloudtrail" => p("name").map(|n| {
            arn_or(n, &|n| {
                format!("arn:aws:cloudtrail:{region}:{account}:trail/{n}")
            })
        }),
        "logs" => {
            p("logGroupName").map(|g| format!("arn:aws:logs:{region}:{account}:log-group:{g}"))
        }
        _ => None,
    }
}

/// The first ARN of `resources` whose type passes `keep`.
fn listed(record: &Value, keep: impl Fn(&str) -> bool) -> Option<String> {
    record
        .get("resources")?
        .as_array()?
        .iter()
        .filter(|r| keep(s(r, "type").unwrap_or("")))
        .find_map(|r| s(r, "ARN").map(str::to_string))
}

/// The context keys a record says.
pub fn context_of(record: &Value, time: Option<Timestamp>) -> Context {
    let mut ctx = Context::new();
    if let Some(region) = s(record, "awsRegion") {
        ctx.set("aws:RequestedRegion", vec![region.to_string()]);
    }
    if let Some(ip) = s(record, "sourceIPAddress") {
        // A service name stands there when a service made the call on the caller's behalf.
        if ip.parse::<std::net::IpAddr>().is_ok() {
            // Through a VPC endpoint the address is the private one, `aws:VpcSourceIp`, and the request has no
            // `aws:SourceIp`.
            if s(record, "vpcEndpointId").is_some() {
                ctx.set("aws:VpcSourceIp", vec![ip.to_string()]);
                ctx.set("aws:SourceIp", Vec::new());
            } else {
                ctx.set("aws:SourceIp", vec![ip.to_string()]);
            }
            // The caller's own address and no service named as having invoked the call: a direct call.
            if record.pointer("/userIdentity/invokedBy").is_none() {
                ctx.set("aws:ViaAWSService", vec!["false".into()]);
            }
        } else if ip.ends_with(".amazonaws.com") {
            ctx.set("aws:ViaAWSService", vec!["true".into()]);
            ctx.set("aws:CalledVia", vec![ip.to_string()]);
        }
    }
    if let Some(ua) = s(record, "userAgent") {
        ctx.set("aws:UserAgent", vec![ua.to_string()]);
    }
    if let Some(t) = time {
        ctx.set("aws:CurrentTime", vec![t.to_string()]);
        ctx.set("aws:EpochTime", vec![t.0.to_string()]);
    }
    if record.get("tlsDetails").is_some() {
        ctx.set("aws:SecureTransport", vec!["true".into()]);
    }
    let attrs = record.pointer("/userIdentity/sessionContext/attributes");
    if let Some(mfa) = attrs.and_then(|a| s(a, "mfaAuthenticated")) {
        ctx.set("aws:MultiFactorAuthPresent", vec![mfa.to_string()]);
    } else if record.pointer("/userIdentity/type").and_then(Value::as_str) == Some("IAMUser")
        // A long-term key (`AKIA…`); a temporary one (`ASIA…`) may carry the keys.
        && record
            .pointer("/userIdentity/accessKeyId")
            .and_then(Value::as_str)
            .is_some_and(|k| k.starts_with("AKIA"))
        && record.pointer("/userIdentity/sessionContext").is_none()
    {
        // Long-term access keys: AWS does not set these keys at all (given with no value: absent).
        for key in [
            "aws:MultiFactorAuthPresent",
            "aws:MultiFactorAuthAge",
            "aws:TokenIssueTime",
        ] {
            ctx.set(key, Vec::new());
        }
    }
    if let Some(created) = attrs.and_then(|a| s(a, "creationDate"))
        && let (Some(c), Some(t)) = (Timestamp::parse(created), time)
    {
        ctx.set("aws:TokenIssueTime", vec![c.to_string()]);
        if let Some(mfa) = attrs.and_then(|a| s(a, "mfaAuthenticated"))
            && mfa == "true"
        {
            ctx.set(
                "aws:MultiFactorAuthAge",
                vec![(t.0 - c.0).max(0).to_string()],
            );
        }
    }
    if let Some(si) = record
        .pointer("/userIdentity/sessionContext/sourceIdentity")
        .and_then(Value::as_str)
    {
        ctx.set("aws:SourceIdentity", vec![si.to_string()]);
    } else if record.pointer("/userIdentity/sessionContext").is_some() {
        // CloudTrail writes a session's source identity in its context when it has one
        // (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html>).
        ctx.set("aws:SourceIdentity", Vec::new());
    }
    if let Some(vpce) = s(record, "vpcEndpointId") {
        ctx.set("aws:SourceVpce", vec![vpce.to_string()]);
    }
    ctx
}

/// Map one record to the request it made.
pub fn map(record: &Value, model: &Model) -> Mapped {
    let source = s(record, "eventSource").unwrap_or("");
    let name = s(record, "eventName").unwrap_or("");
    let short = source.strip_suffix(".amazonaws.com").unwrap_or(source);
    if NOT_AUTHORISED_BY_IAM
        .iter()
        .any(|(s, e)| *s == short && *e == name)
    {
        return Mapped::Skip(format!("{source} {name} is not authorised by IAM policies"));
    }
    if s(record, "eventType") == Some("AwsServiceEvent") {
        return Mapped::Skip("an AWS service event, not a call authorised by IAM".into());
    }
    let Some(action) = action_of(source, name) else {
        return Mapped::Skip("no `eventSource` or `eventName`".into());
    };
    let principal = match principal_of(record, model) {
        Ok(p) => p,
        Err(e) => return Mapped::Skip(e),
    };
    if principal.kind == PrincipalType::Service {
        return Mapped::Skip(format!(
            "made by the AWS service {}: authorised by the service, not by the snapshot's policies",
            principal.arn
        ));
    }
    let time = s(record, "eventTime").and_then(Timestamp::parse);
    // An action that applies to no resource type is authorised on `*`: that is its exact resource.
    let star_only = {
        let c = crate::catalog::catalog();
        c.expand(&action)
            .first()
            .is_some_and(|id| c.get(*id).is_some() && c.resource_types_of(*id).is_empty())
    };
    let resource =
        resource_of(record, &action, model).or_else(|| star_only.then(|| "*".to_string()));
    let resource_derived = resource.is_some();
    let mut context = context_of(record, time);
    // `iam:PolicyARN` where the action supports it (attaching a policy, setting a boundary): the policy the
    // request names. Only there: AWS gives the key to no other action.
    if let Some(policy) = record
        .get("requestParameters")
        .and_then(|p| s(p, "policyArn").or_else(|| s(p, "permissionsBoundary")))
    {
        let c = crate::catalog::catalog();
        if c.expand(&action)
            .first()
            .is_some_and(|id| c.action_supports_key(*id, "iam:PolicyARN"))
        {
            context.set("iam:PolicyARN", vec![policy.to_string()]);
        }
    }
    let resource = resource.unwrap_or_else(|| "*".into());
    let resource_account = owner_of(record, &resource);
    let request = Request {
        principal,
        action,
        resource,
        resource_account,
        context,
    };
    Mapped::Request(Box::new(MappedRequest {
        request,
        time,
        resource_derived,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record says where its request came from and how it was signed only as far as its fields do.
    #[test]
    fn a_records_context_says_what_the_record_says() {
        let values = |ctx: &Context, key: &str| ctx.get(key).map(<[String]>::to_vec);
        let record = |extra: Value| {
            let mut r = serde_json::json!({
                "sourceIPAddress": "198.51.100.9",
                "userIdentity": {"type": "IAMUser", "accessKeyId": "AKIAEXAMPLE"}
            });
            if let (Some(r), Some(e)) = (r.as_object_mut(), extra.as_object()) {
                r.extend(e.clone());
            }
            r
        };
        // From the internet, with a long-term key: the address, and no MFA keys.
        let direct = context_of(&record(serde_json::json!({})), None);
        assert_eq!(
            values(&direct, "aws:SourceIp"),
            Some(vec!["198.51.100.9".into()])
        );
        assert_eq!(values(&direct, "aws:MultiFactorAuthPresent"), Some(vec![]));
        assert_eq!(values(&direct, "aws:VpcSourceIp"), None);
        // A null endpoint is no endpoint.
        let null = context_of(&record(serde_json::json!({"vpcEndpointId": null})), None);
        assert_eq!(
            values(&null, "aws:SourceIp"),
            Some(vec!["198.51.100.9".into()])
        );
        // Through an endpoint: the private address, and no aws:SourceIp.
        let vpce = context_of(
            &record(serde_json::json!({"vpcEndpointId": "vpce-1a2b"})),
            None,
        );
        assert_eq!(values(&vpce, "aws:SourceIp"), Some(vec![]));
        assert_eq!(
            values(&vpce, "aws:VpcSourceIp"),
            Some(vec!["198.51.100.9".into()])
        );
        assert_eq!(
            values(&vpce, "aws:SourceVpce"),
            Some(vec!["vpce-1a2b".into()])
        );
        // A temporary key without a session context: whether MFA keys are set is not said.
        let temporary = context_of(
            &record(
                serde_json::json!({"userIdentity": {"type": "IAMUser", "accessKeyId": "ASIAEXAMPLE"}}),
            ),
            None,
        );
        assert_eq!(values(&temporary, "aws:MultiFactorAuthPresent"), None);
        // A role session: its source identity when the record has one, none when its context has none.
        let session = |context: Value| {
            context_of(
                &record(
                    serde_json::json!({"userIdentity": {"type": "AssumedRole", "sessionContext": context}}),
                ),
                None,
            )
        };
        let named = session(serde_json::json!({"sourceIdentity": "alice"}));
        assert_eq!(
            values(&named, "aws:SourceIdentity"),
            Some(vec!["alice".into()])
        );
        let unnamed = session(serde_json::json!({"attributes": {"mfaAuthenticated": "false"}}));
        assert_eq!(values(&unnamed, "aws:SourceIdentity"), Some(vec![]));
        assert_eq!(values(&temporary, "aws:SourceIdentity"), None);
    }

    /// An S3 data event's bucket entry names the owner; the object's entry, and an entry of another resource,
    /// do not.
    #[test]
    fn the_owner_of_a_resource_is_its_entry_with_an_account() {
        let record: Value = serde_json::json!({"resources": [
            {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b/k/x"},
            {"accountId": "111122223333", "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::bb"},
            {"accountId": "444455556666", "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::b"},
        ]});
        assert_eq!(
            owner_of(&record, "arn:aws:s3:::b/k/x").as_deref(),
            Some("444455556666")
        );
        assert_eq!(
            owner_of(&record, "arn:aws:s3:::b").as_deref(),
            Some("444455556666")
        );
        assert_eq!(
            owner_of(&record, "arn:aws:s3:::bb/k").as_deref(),
            Some("111122223333")
        );
        assert_eq!(owner_of(&record, "arn:aws:s3:::c/k"), None);
        assert_eq!(owner_of(&serde_json::json!({}), "arn:aws:s3:::b/k"), None);
    }

    #[test]
    fn each_action_exception_maps_to_a_catalog_action() {
        let catalog = crate::catalog::catalog();
        for (src, event, action) in ACTION_EXCEPTIONS {
            assert_eq!(
                action_of(&format!("{src}.amazonaws.com"), event).as_deref(),
                Some(*action)
            );
            assert!(
                catalog.action(action).is_some(),
                "{action} is not in the catalog"
            );
        }
        assert_eq!(
            action_of("lambda.amazonaws.com", "UpdateFunctionCode20150331v2").as_deref(),
            Some("lambda:UpdateFunctionCode")
        );
        assert_eq!(
            action_of("lambda.amazonaws.com", "GetFunction20150331").as_deref(),
            Some("lambda:GetFunction")
        );
        assert_eq!(
            action_of("monitoring.amazonaws.com", "GetMetricData").as_deref(),
            Some("cloudwatch:GetMetricData")
        );
        assert_eq!(
            action_of("dynamodb.amazonaws.com", "GetItem").as_deref(),
            Some("dynamodb:GetItem")
        );
    }
}
