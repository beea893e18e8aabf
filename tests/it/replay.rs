//! CloudTrail replay on trails generated here from the bundled sample: the expected class of each kind of
//! call, each mapping exception, the three file shapes (gzipped too) and folders, a what-if that breaks exactly
//! the expected calls, and the JSON lines of `iam-atlas replay`.

use iam_atlas::replay::trail::{RawEvent, parse_events};
use iam_atlas::replay::{Class, Effect2, map, replay};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};

const PROD: &str = "412345678901";

fn sample() -> iam_atlas::account::Model {
    iam_atlas::sample::load_sample(Default::default()).unwrap()
}

fn session(role: &str, path: &str, name: &str) -> Value {
    json!({
        "type": "AssumedRole",
        "principalId": format!("AROAEXAMPLE:{name}"),
        "arn": format!("arn:aws:sts::{PROD}:assumed-role/{role}/{name}"),
        "accountId": PROD,
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "arn": format!("arn:aws:iam::{PROD}:role{path}{role}"),
                "accountId": PROD, "userName": role},
            "attributes": {"creationDate": "2026-11-19T09:00:00Z", "mfaAuthenticated": "false"}
        }
    })
}

fn user(name: &str) -> Value {
    json!({"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": format!("arn:aws:iam::{PROD}:user/{name}"),
        "accountId": PROD, "accessKeyId": "AKIAEXAMPLE", "userName": name})
}

fn record(
    id: &str,
    source: &str,
    name: &str,
    identity: Value,
    params: Value,
    error: Option<&str>,
) -> Value {
    let mut r = json!({
        "eventVersion": "1.09",
        "eventID": id,
        "eventTime": "2026-11-19T10:00:00Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "203.0.113.9",
        "userAgent": "aws-cli/2.15",
        "userIdentity": identity,
        "requestParameters": params,
        "recipientAccountId": PROD,
        "eventType": "AwsApiCall",
        "tlsDetails": {"tlsVersion": "TLSv1.3"},
    });
    if let Some(code) = error {
        r["errorCode"] = json!(code);
        r["errorMessage"] = json!("User is not authorized to perform this operation");
    }
    r
}

/// The sample's trail: one call of each kind, with the class it must get.
fn trail() -> Vec<(Value, Class)> {
    let etl = || session("etl-batch", "/data/", "job-1");
    vec![
        // The ETL role reads its bucket: the snapshot allows it.
        (
            record(
                "read-ok",
                "s3.amazonaws.com",
                "GetObject",
                etl(),
                json!({"bucketName": "larkspur-prod-data", "key": "orders/1.json"}),
                None,
            ),
            Class::Agrees,
        ),
        // An administrator stops CloudTrail: AWS denied it, the SCP explains it.
        (
            record(
                "stop-trail",
                "cloudtrail.amazonaws.com",
                "StopLogging",
                {
                    let mut s = session("admin-mfa", "/", "alice");
                    s["sessionContext"]["attributes"]["mfaAuthenticated"] = json!("true");
                    s
                },
                json!({"name": "main"}),
                Some("AccessDenied"),
            ),
            Class::DeniedExplained,
        ),
        // The auditor wrote to the data bucket and it succeeded: the snapshot denies it (stale snapshot?).
        (
            record(
                "audit-write",
                "s3.amazonaws.com",
                "PutObject",
                user("tom.becker"),
                json!({"bucketName": "larkspur-prod-data", "key": "x"}),
                None,
            ),
            Class::AllowedButSnapshotDenies,
        ),
        // A developer was denied an order-table read the snapshot allows him.
        (
            record(
                "order-read",
                "dynamodb.amazonaws.com",
                "GetItem",
                session("order-processor-lambda", "/", "fn"),
                json!({"tableName": "webshop-orders"}),
                Some("AccessDeniedException"),
            ),
            Class::DeniedButSnapshotAllows,
        ),
        // The ETL role runs a Glue job: allowed.
        (
            record(
                "glue",
                "glue.amazonaws.com",
                "StartJobRun",
                etl(),
                json!({"jobName": "nightly"}),
                None,
            ),
            Class::Agrees,
        ),
        // The keys of a bulk delete are not in the record: the resource is not known, the answer not certain.
        (
            record(
                "bulk-delete",
                "s3.amazonaws.com",
                "DeleteObjects",
                etl(),
                json!({"bucketName": "larkspur-prod-data"}),
                None,
            ),
            Class::Uncertain,
        ),
        // Sign-in is not authorised by IAM policies.
        (
            record(
                "login",
                "signin.amazonaws.com",
                "ConsoleLogin",
                user("tom.becker"),
                json!(null),
                None,
            ),
            Class::NotEvaluated,
        ),
        // Another error: not compared.
        (
            record(
                "missing-key",
                "s3.amazonaws.com",
                "GetObject",
                etl(),
                json!({"bucketName": "larkspur-prod-data", "key": "gone"}),
                Some("NoSuchKey"),
            ),
            Class::FailedOther,
        ),
    ]
}

fn events(records: &[Value]) -> Vec<RawEvent> {
    let text = json!({"Records": records}).to_string();
    parse_events("trail.json", text.as_bytes()).unwrap()
}

#[test]
fn each_kind_of_call_gets_its_class() {
    let model = sample();
    let t = trail();
    let records: Vec<Value> = t.iter().map(|(r, _)| r.clone()).collect();
    let out = replay(&events(&records), &model, None, 1);
    for ((_, expected), r) in t.iter().zip(&out) {
        assert_eq!(r.class, *expected, "{}: {:#?}", r.event_id, r);
    }
    let stop = out.iter().find(|r| r.event_id == "stop-trail").unwrap();
    assert_eq!(
        stop.resource,
        format!("arn:aws:cloudtrail:eu-west-1:{PROD}:trail/main")
    );
    assert!(
        stop.why
            .iter()
            .any(|w| w.contains("ProtectProduction") && w.contains("DenyCloudTrailTampering")),
        "{:?}",
        stop.why
    );
    let read = out.iter().find(|r| r.event_id == "read-ok").unwrap();
    assert_eq!(
        read.principal,
        format!("arn:aws:sts::{PROD}:assumed-role/etl-batch/job-1")
    );
    assert_eq!(
        read.role.as_deref(),
        Some(format!("arn:aws:iam::{PROD}:role/data/etl-batch").as_str())
    );
    assert_eq!(
        read.resource,
        "arn:aws:s3:::larkspur-prod-data/orders/1.json"
    );
    let write = out.iter().find(|r| r.event_id == "audit-write").unwrap();
    assert!(
        write.why.iter().any(|w| w.contains("snapshot may be")),
        "{:?}",
        write.why
    );
}

#[test]
fn a_few_hundred_events_in_parallel_get_the_same_answers_as_one_by_one() {
    let model = sample();
    let t = trail();
    let records: Vec<Value> = (0..300)
        .map(|i| {
            let mut r = t[i % t.len()].0.clone();
            r["eventID"] = json!(format!("e{i}"));
            r
        })
        .collect();
    let ev = events(&records);
    let parallel = replay(&ev, &model, None, 4);
    let serial = replay(&ev, &model, None, 1);
    assert_eq!(parallel.len(), 300);
    for (p, s) in parallel.iter().zip(&serial) {
        assert_eq!(
            (p.event_id.as_str(), p.class, p.decision),
            (s.event_id.as_str(), s.class, s.decision)
        );
    }
    for (i, r) in parallel.iter().enumerate() {
        assert_eq!(r.class, t[i % t.len()].1);
    }
}

#[test]
fn each_mapping_exception_and_derived_resource() {
    let model = sample();
    let etl = session("etl-batch", "/data/", "job-1");
    let cases = [
        (
            "s3.amazonaws.com",
            "ListObjects",
            json!({"bucketName": "b"}),
            "s3:ListBucket",
            "arn:aws:s3:::b",
        ),
        (
            "s3.amazonaws.com",
            "ListObjectsV2",
            json!({"bucketName": "b"}),
            "s3:ListBucket",
            "arn:aws:s3:::b",
        ),
        (
            "s3.amazonaws.com",
            "HeadObject",
            json!({"bucketName": "b", "key": "k/1"}),
            "s3:GetObject",
            "arn:aws:s3:::b/k/1",
        ),
        (
            "s3.amazonaws.com",
            "HeadBucket",
            json!({"bucketName": "b"}),
            "s3:ListBucket",
            "arn:aws:s3:::b",
        ),
        (
            "s3.amazonaws.com",
            "CopyObject",
            json!({"bucketName": "b", "key": "k"}),
            "s3:PutObject",
            "arn:aws:s3:::b/k",
        ),
        (
            "s3.amazonaws.com",
            "UploadPart",
            json!({"bucketName": "b", "key": "k"}),
            "s3:PutObject",
            "arn:aws:s3:::b/k",
        ),
        // The keys are in the request body, which CloudTrail does not record: the resource is not known.
        (
            "s3.amazonaws.com",
            "DeleteObjects",
            json!({"bucketName": "b"}),
            "s3:DeleteObject",
            "*",
        ),
        (
            "s3.amazonaws.com",
            "ListBuckets",
            json!(null),
            "s3:ListAllMyBuckets",
            "*",
        ),
        (
            "s3.amazonaws.com",
            "GetBucketEncryption",
            json!({"bucketName": "b"}),
            "s3:GetEncryptionConfiguration",
            "arn:aws:s3:::b",
        ),
        (
            "lambda.amazonaws.com",
            "Invoke",
            json!({"functionName": "api"}),
            "lambda:InvokeFunction",
            "arn:aws:lambda:eu-west-1:412345678901:function:api",
        ),
        (
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            json!({"functionName": "arn:aws:lambda:eu-west-1:1:function:f"}),
            "lambda:UpdateFunctionCode",
            "arn:aws:lambda:eu-west-1:1:function:f",
        ),
        (
            "sqs.amazonaws.com",
            "SendMessage",
            json!({"queueUrl": "https://sqs.eu-west-1.amazonaws.com/412345678901/webshop-orders"}),
            "sqs:SendMessage",
            "arn:aws:sqs:eu-west-1:412345678901:webshop-orders",
        ),
        (
            "monitoring.amazonaws.com",
            "PutMetricData",
            json!({}),
            "cloudwatch:PutMetricData",
            "*",
        ),
        (
            "iam.amazonaws.com",
            "AttachRolePolicy",
            json!({"roleName": "etl-batch", "policyArn": "arn:aws:iam::aws:policy/X"}),
            "iam:AttachRolePolicy",
            // The role is the resource (the policy ARN is the `iam:PolicyARN` key, below).
            "arn:aws:iam::412345678901:role/data/etl-batch",
        ),
        (
            "iam.amazonaws.com",
            "PutRolePolicy",
            json!({"roleName": "etl-batch"}),
            "iam:PutRolePolicy",
            "arn:aws:iam::412345678901:role/data/etl-batch",
        ),
        (
            "sts.amazonaws.com",
            "AssumeRole",
            json!({"roleArn": "arn:aws:iam::412345678901:role/admin-mfa"}),
            "sts:AssumeRole",
            "arn:aws:iam::412345678901:role/admin-mfa",
        ),
        (
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            json!({"secretId": "webshop/db-credentials"}),
            "secretsmanager:GetSecretValue",
            "",
        ),
    ];
    for (source, name, params, action, resource) in cases {
        let r = record("x", source, name, etl.clone(), params, None);
        let map::Mapped::Request(m) = map::map(&r, &model) else {
            panic!("{source} {name} not mapped");
        };
        assert_eq!(m.request.action, action, "{source} {name}");
        if resource.is_empty() {
            // Secret names resolve to the loaded secret's ARN (with AWS's random suffix).
            assert!(
                m.request.resource.starts_with(
                    "arn:aws:secretsmanager:eu-west-1:412345678901:secret:webshop/db-credentials"
                ),
                "{}",
                m.request.resource
            );
        } else {
            assert_eq!(m.request.resource, resource, "{source} {name}");
        }
    }
    // Context: region, IP, time, MFA, TLS.
    let r = record(
        "x",
        "s3.amazonaws.com",
        "GetObject",
        etl.clone(),
        json!({"bucketName": "b", "key": "k"}),
        None,
    );
    let map::Mapped::Request(m) = map::map(&r, &model) else {
        panic!()
    };
    let c = &m.request.context;
    assert_eq!(
        c.get("aws:RequestedRegion"),
        Some(&["eu-west-1".to_string()][..])
    );
    assert_eq!(
        c.get("aws:SourceIp"),
        Some(&["203.0.113.9".to_string()][..])
    );
    assert_eq!(
        c.get("aws:MultiFactorAuthPresent"),
        Some(&["false".to_string()][..])
    );
    assert_eq!(
        c.get("aws:SecureTransport"),
        Some(&["true".to_string()][..])
    );
    assert!(c.get("aws:CurrentTime").is_some());
    // Attaching a policy: the role is the resource and the policy is `iam:PolicyARN`; a call that does not
    // support the key does not get it.
    let attach = record(
        "attach",
        "iam.amazonaws.com",
        "AttachRolePolicy",
        etl.clone(),
        json!({"roleName": "etl-batch", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
        None,
    );
    let map::Mapped::Request(m) = map::map(&attach, &model) else {
        panic!("AttachRolePolicy maps");
    };
    assert_eq!(
        m.request.resource,
        "arn:aws:iam::412345678901:role/data/etl-batch"
    );
    assert_eq!(
        m.request.context.get("iam:PolicyARN"),
        Some(&["arn:aws:iam::aws:policy/AdministratorAccess".to_string()][..])
    );
    let version = record(
        "version",
        "iam.amazonaws.com",
        "CreatePolicyVersion",
        etl.clone(),
        json!({"policyArn": "arn:aws:iam::412345678901:policy/P"}),
        None,
    );
    let map::Mapped::Request(m) = map::map(&version, &model) else {
        panic!("CreatePolicyVersion maps");
    };
    assert_eq!(m.request.resource, "arn:aws:iam::412345678901:policy/P");
    assert_eq!(m.request.context.get("iam:PolicyARN"), None);
    // Principals of every userIdentity kind.
    let kinds = [
        (
            json!({"type": "Root", "arn": format!("arn:aws:iam::{PROD}:root"), "accountId": PROD}),
            "Root",
        ),
        (
            json!({"type": "FederatedUser", "arn": format!("arn:aws:sts::{PROD}:federated-user/bob"), "accountId": PROD}),
            "FederatedUser",
        ),
        (
            json!({"type": "AWSAccount", "accountId": "999999999999"}),
            "Root",
        ),
    ];
    for (id, kind) in kinds {
        let r = record(
            "x",
            "s3.amazonaws.com",
            "ListBuckets",
            id,
            json!(null),
            None,
        );
        let map::Mapped::Request(m) = map::map(&r, &model) else {
            panic!("{kind}")
        };
        assert_eq!(format!("{:?}", m.request.principal.kind), kind);
    }
    let svc = record(
        "x",
        "s3.amazonaws.com",
        "GetObject",
        json!({"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"}),
        json!(null),
        None,
    );
    assert!(matches!(map::map(&svc, &model), map::Mapped::Skip(_)));
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("iam-atlas-replay-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run_cli(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
        .args(args)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn workspace() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/sample/workspace.json")
        .display()
        .to_string()
}

#[test]
fn files_gzipped_lookup_events_and_folders_give_the_same_json_lines() {
    let d = dir("shapes");
    let records: Vec<Value> = trail().into_iter().map(|(r, _)| r).collect();
    // A delivered file, gzipped.
    let plain = json!({"Records": records}).to_string();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(plain.as_bytes()).unwrap();
    std::fs::write(d.join("a.json.gz"), gz.finish().unwrap()).unwrap();
    // `aws cloudtrail lookup-events` output.
    let lookup = json!({"Events": records.iter().map(|r| json!({
        "EventId": r["eventID"], "EventName": r["eventName"], "CloudTrailEvent": r.to_string()})).collect::<Vec<_>>()});
    std::fs::write(d.join("b.json"), lookup.to_string()).unwrap();
    let (code, out, err) = run_cli(&[
        "replay",
        d.to_str().unwrap(),
        "--snapshot",
        &workspace(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2 * records.len());
    let (a, b) = lines.split_at(records.len());
    for (x, y) in a.iter().zip(b) {
        for k in [
            "event_id",
            "principal",
            "action",
            "resource",
            "recorded",
            "decision",
            "decided_by",
            "class",
        ] {
            assert_eq!(x[k], y[k], "{k}");
        }
    }
    let stop = a.iter().find(|l| l["event_id"] == "stop-trail").unwrap();
    assert_eq!(stop["recorded"], "denied");
    assert_eq!(stop["decision"], "ExplicitDeny");
    assert_eq!(stop["decided_by"], "Scp");
    assert!(
        a[0]["origin"]
            .as_str()
            .unwrap()
            .ends_with("a.json.gz: $.Records[0]")
    );
    assert!(
        b[0]["origin"]
            .as_str()
            .unwrap()
            .ends_with("b.json: $.Events[0].CloudTrailEvent")
    );
    // A broken file is named with its place.
    std::fs::write(d.join("c.json"), "{\"Records\": [}").unwrap();
    let (code, _, err) = run_cli(&[
        "replay",
        d.join("c.json").to_str().unwrap(),
        "--snapshot",
        &workspace(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("c.json: 1:"), "{err}");
}

#[test]
fn a_what_if_breaks_exactly_the_calls_it_takes_away() {
    let d = dir("whatif");
    let records: Vec<Value> = trail().into_iter().map(|(r, _)| r).collect();
    std::fs::write(d.join("t.json"), json!({"Records": records}).to_string()).unwrap();
    // The ETL role keeps Glue and loses S3.
    std::fs::write(
        d.join("etl.json"),
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "glue:*", "Resource": "*"}]})
            .to_string(),
    )
    .unwrap();
    let role = format!("arn:aws:iam::{PROD}:role/data/etl-batch");
    let (code, out, err) = run_cli(&[
        "replay",
        d.join("t.json").to_str().unwrap(),
        "--snapshot",
        &workspace(),
        "--what-if",
        d.join("etl.json").to_str().unwrap(),
        "--for",
        &role,
        "--inline",
        "EtlDataAccess",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let broken: Vec<&str> = lines
        .iter()
        .filter(|l| l["what_if"]["effect"] == "breaks")
        .map(|l| l["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(broken, vec!["read-ok"]);
    // The text report lists it with the reason.
    let (code, text, _) = run_cli(&[
        "replay",
        d.join("t.json").to_str().unwrap(),
        "--snapshot",
        &workspace(),
        "--what-if",
        d.join("etl.json").to_str().unwrap(),
        "--for",
        &role,
        "--inline",
        "EtlDataAccess",
        "--draft",
        &role,
    ]);
    assert_eq!(code, 1);
    assert!(text.contains("breaks 1 recorded calls"), "{text}");
    assert!(text.contains("least-privilege draft"), "{text}");
    assert!(
        text.contains("glue:StartJobRun") && text.contains("s3:GetObject"),
        "{text}"
    );
    // A target that names nothing is an error.
    let (code, _, err) = run_cli(&[
        "replay",
        d.join("t.json").to_str().unwrap(),
        "--snapshot",
        &workspace(),
        "--what-if",
        d.join("etl.json").to_str().unwrap(),
        "--for",
        &role,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--inline"), "{err}");
    let _ = Effect2::Same;
}

/// The bundled sample's trail (a month of calls in prod, `scripts/sample-trail.py`), replayed against the sample.
fn sample_replayed() -> Vec<iam_atlas::replay::Replayed> {
    let (name, text) = iam_atlas::sample::trail();
    let events = parse_events(name, text.as_bytes()).expect("the sample trail parses");
    replay(&events, &sample(), None, 1)
}

#[test]
fn the_sample_trail_replays_with_the_expected_decisions() {
    let replayed = sample_replayed();
    assert_eq!(replayed.len(), 334);
    let count = |c: Class| replayed.iter().filter(|r| r.class == c).count();
    assert_eq!(count(Class::Agrees), 316);
    assert_eq!(count(Class::DeniedExplained), 6);
    assert_eq!(count(Class::AllowedButSnapshotDenies), 1);
    assert_eq!(count(Class::DeniedButSnapshotAllows), 2);
    assert_eq!(count(Class::Uncertain), 5);
    assert_eq!(count(Class::FailedOther), 1);
    assert_eq!(count(Class::NotEvaluated), 3);
    let find = |action: &str, who: &str| {
        replayed
            .iter()
            .find(|r| r.action == action && r.principal.contains(who))
            .unwrap_or_else(|| panic!("{action} by {who}"))
    };
    // A call of this class whose explanation names these (the policy, the statement).
    let explained = |r: &iam_atlas::replay::Replayed, class: Class, names: &[&str]| {
        assert_eq!(r.class, class, "{r:?}");
        assert!(
            r.why.iter().any(|w| names.iter().all(|n| w.contains(n))),
            "{:?}",
            r.why
        );
    };
    // The administrator's attempt to stop the trail: denied by the SCP's statement, named with its place.
    let stop = find("cloudtrail:StopLogging", "admin-mfa");
    assert_eq!(stop.decided_by, Some(iam_atlas::eval::Layer::Scp));
    explained(
        stop,
        Class::DeniedExplained,
        &["ProtectProduction", "DenyCloudTrailTampering"],
    );
    // The auditor's read: the group's inline Deny.
    explained(
        find("s3:GetObject", "tom.becker"),
        Class::DeniedExplained,
        &["DenyDataPlaneReads", "NoDataAccess"],
    );
    // The auditor's write succeeded; the snapshot denies it (stale snapshot, or a missing layer).
    let write = find("s3:PutObject", "tom.becker");
    assert_eq!(write.class, Class::AllowedButSnapshotDenies);
    // Cost Explorer's GetCostAndUsage applies to an optional `billingview`: on `*` the answer is not certain.
    let ce = find("ce:GetCostAndUsage", "nina.patel");
    assert_eq!(ce.class, Class::Uncertain);
    assert!(!ce.certain);
}

#[test]
fn a_draft_from_the_sample_trail_is_least_privilege_in_its_window() {
    use iam_atlas::replay::{Window, draft_policy};
    use iam_atlas::time::Timestamp;
    let replayed = sample_replayed();
    let etl = format!("arn:aws:iam::{PROD}:role/data/etl-batch");
    let d = draft_policy(&replayed, &etl, &Window::all());
    // Thirty daily objects under one path are that path's `*`; the Glue job is the one seen.
    assert_eq!(
        d.policy["Statement"],
        json!([
            {"Effect": "Allow", "Action": ["glue:StartJobRun"],
             "Resource": "arn:aws:glue:eu-west-1:412345678901:job/nightly-orders"},
            {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::larkspur-prod-data/curated/*"},
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::larkspur-prod-data/orders/*"},
        ])
    );
    // The bulk delete names no keys: left out, never granted on `*`.
    assert_eq!(d.left_out, vec![("s3:DeleteObject".to_string(), 1)]);
    assert_eq!(d.calls, 91);
    // Two days: the objects as seen, not generalised.
    let window = Window {
        from: Timestamp::parse("2026-11-01T00:00:00Z"),
        to: Timestamp::parse("2026-11-03T00:00:00Z"),
    };
    let d = draft_policy(&replayed, &etl, &window);
    let put = d.policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Action"] == json!(["s3:PutObject"]))
        .expect("writes in the window")
        .clone();
    assert_eq!(
        put["Resource"],
        json!([
            "arn:aws:s3:::larkspur-prod-data/curated/2026-11-01.parquet",
            "arn:aws:s3:::larkspur-prod-data/curated/2026-11-02.parquet"
        ])
    );
    assert!(d.left_out.is_empty());
}

#[test]
fn what_a_draft_removes_is_the_principals_access_diff() {
    use iam_atlas::replay::{Window, draft_policy, draft_removes};
    let model = sample();
    let replayed = sample_replayed();
    let etl = format!("arn:aws:iam::{PROD}:role/data/etl-batch");
    let d = draft_policy(&replayed, &etl, &Window::all());
    let text = d.policy.to_string();
    let diff =
        draft_removes(&model, &etl, &text, &Default::default()).expect("a role of the sample");
    // Only the role changes, and it only loses.
    assert!(diff.access.gained.is_empty());
    assert!(diff.access.lost.iter().all(|r| r.principal == etl));
    let lost = |action: &str, resource: &str| {
        diff.access
            .lost
            .iter()
            .any(|r| r.action == action && r.resource == resource)
    };
    // Glue beyond the one job, and writes to the whole bucket (the draft keeps `curated/*`), are gone.
    assert!(lost("glue:CreateJob", "*"));
    assert!(lost("s3:PutObject", "arn:aws:s3:::larkspur-prod-data/*"));
    // What the calls used is kept.
    assert!(
        !diff
            .access
            .lost
            .iter()
            .any(|r| r.action == "glue:StartJobRun" && r.resource.ends_with("job/nightly-orders"))
    );
    // Not a user or role: an error, not an empty diff.
    assert!(
        draft_removes(
            &model,
            "arn:aws:iam::412345678901:role/nobody",
            &text,
            &Default::default()
        )
        .is_err()
    );
    assert!(draft_removes(&model, &etl, "not json", &Default::default()).is_err());
}

#[test]
fn replay_sample_on_the_command_line_drafts_and_says_what_the_draft_removes() {
    let (code, out, err) = run_cli(&[
        "replay",
        "--sample",
        "--draft",
        "arn:aws:iam::412345678901:role/data/etl-batch",
        "--from",
        "2026-11-01T00:00:00Z",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("334 events from 1 files"), "{out}");
    assert!(out.contains("  denied_explained: 6"), "{out}");
    assert!(out.contains("larkspur-prod-data/curated/*"), "{out}");
    assert!(out.contains("left out: s3:DeleteObject"), "{out}");
    assert!(out.contains("the draft removes"), "{out}");
    assert!(!out.contains("warning: the draft grants"), "{out}");
    assert!(out.contains("  - glue:CreateJob on *"), "{out}");
    let (code, _, err) = run_cli(&["replay", "--sample", "--from", "2026-11-01T00:00:00Z"]);
    assert_eq!(code, 2, "--from needs --draft");
    assert!(err.contains("--draft"), "{err}");
    let (code, _, err) = run_cli(&["replay", "--sample", "--draft", "x", "--from", "yesterday"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a time"), "{err}");
    let (code, _, err) = run_cli(&[
        "replay",
        "--sample",
        "--draft",
        "x",
        "--from",
        "2026-11-03T00:00:00Z",
        "--to",
        "2026-11-01T00:00:00Z",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("is not before --to"), "{err}");
    // The auditor's draft grants what the snapshot denies him today: said before what it removes.
    let (code, out, err) = run_cli(&[
        "replay",
        "--sample",
        "--draft",
        "arn:aws:iam::412345678901:user/tom.becker",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("warning: the draft grants 1 beyond today"),
        "{out}"
    );
    assert!(out.contains("its 1 identity Deny statements kept"), "{out}");
}

/// An S3 key may hold `*`, `?` or `$`: the draft writes them as `${*}`, `${?}`, `${$}` so that it grants the
/// object seen and nothing more (written as seen, `odd*name` would grant every key between `odd` and `name`).
#[test]
fn a_draft_never_turns_a_character_of_a_name_into_a_wildcard() {
    use iam_atlas::account::what_if::DocTarget;
    use iam_atlas::eval::{Context, Overrides, Principal, Request, evaluate};
    use iam_atlas::replay::{Window, draft_policy};
    let etl = || session("etl-batch", "/data/", "job-1");
    let records: Vec<Value> = ["odd*name", "what?", "cost$ {x}"]
        .iter()
        .map(|key| {
            record(
                key,
                "s3.amazonaws.com",
                "GetObject",
                etl(),
                json!({"bucketName": "larkspur-prod-data", "key": key}),
                None,
            )
        })
        .collect();
    let mut model = sample();
    let replayed = replay(&events(&records), &model, None, 1);
    let role = format!("arn:aws:iam::{PROD}:role/data/etl-batch");
    let d = draft_policy(&replayed, &role, &Window::all());
    assert_eq!(
        d.policy["Statement"][0]["Resource"],
        json!([
            "arn:aws:s3:::larkspur-prod-data/cost${$} {x}",
            "arn:aws:s3:::larkspur-prod-data/odd${*}name",
            "arn:aws:s3:::larkspur-prod-data/what${?}",
        ])
    );
    // In place of the role's policy, the draft allows the keys seen and not the ones their characters would
    // match as wildcards.
    let r = model.by_arn(&role).expect("the role");
    let target = DocTarget::Inline {
        owner: r,
        name: "EtlDataAccess".into(),
    };
    model
        .replace_document(&target, &d.policy.to_string())
        .expect("the draft is a policy");
    let may = |key: &str| {
        let req = Request {
            principal: Principal::resolve(&role, &model).expect("resolves"),
            action: "s3:GetObject".into(),
            resource: format!("arn:aws:s3:::larkspur-prod-data/{key}"),
            resource_account: None,
            context: Context::new(),
        };
        let r = evaluate(&model, &req, &Overrides::default());
        // The identity layer decides between the two: the region SCP's answer is the same for both.
        r.layers
            .iter()
            .find(|l| l.layer == iam_atlas::eval::Layer::Identity)
            .map(|l| l.verdict)
    };
    assert_eq!(may("odd*name"), Some(iam_atlas::eval::Verdict::Allow));
    assert_ne!(may("oddXname"), Some(iam_atlas::eval::Verdict::Allow));
    assert_eq!(may("what?"), Some(iam_atlas::eval::Verdict::Allow));
    assert_ne!(may("whatX"), Some(iam_atlas::eval::Verdict::Allow));
    assert_eq!(may("cost$ {x}"), Some(iam_atlas::eval::Verdict::Allow));
}

/// The draft report: a developer's draft keeps the Deny guardrails of its group's policies (replacing its
/// policies with the draft must not drop `ProtectProdData`), a session ARN drafts for its role, and a draft
/// that grants what the principal does not have today says so.
#[test]
fn a_draft_report_keeps_guardrails_and_says_what_it_would_widen() {
    use iam_atlas::replay::{Window, draft_report};
    let model = sample();
    let replayed = sample_replayed();
    // li.wei (developers): reads of the data bucket, a denied delete.
    let dev = format!("arn:aws:iam::{PROD}:user/li.wei");
    let report = draft_report(&model, &replayed, &dev, &Window::all(), &Default::default());
    assert_eq!(report.principal, dev);
    assert!(report.kept_denies >= 1, "{report:?}");
    let statements = report.draft.policy["Statement"].as_array().unwrap();
    assert!(
        statements
            .iter()
            .any(|s| s["Effect"] == "Deny" && s["Sid"] == "ProtectProdData"),
        "{statements:?}"
    );
    let diff = report.diff.as_ref().expect("a user of the sample");
    // With its guardrail kept, the draft grants nothing the developer cannot do today.
    assert!(diff.access.gained.is_empty(), "{:?}", diff.access.gained);
    assert!(!diff.access.lost.is_empty());
    // A session names its role: the draft is the role's, from all its sessions.
    let session = format!("arn:aws:sts::{PROD}:assumed-role/etl-batch/glue-nightly");
    let report = draft_report(
        &model,
        &replayed,
        &session,
        &Window::all(),
        &Default::default(),
    );
    assert_eq!(
        report.principal,
        format!("arn:aws:iam::{PROD}:role/data/etl-batch")
    );
    assert_eq!(report.draft.calls, 91);
    assert!(report.diff.is_ok());
    // The auditor's write succeeded though the snapshot denies it: drafted, it is a grant beyond today, and the
    // report says so (and keeps the auditors' Deny on data reads).
    let auditor = format!("arn:aws:iam::{PROD}:user/tom.becker");
    let report = draft_report(
        &model,
        &replayed,
        &auditor,
        &Window::all(),
        &Default::default(),
    );
    let diff = report.diff.as_ref().expect("a user of the sample");
    assert!(
        diff.access
            .gained
            .iter()
            .any(|r| r.action == "s3:PutObject" && r.resource.ends_with("audit/findings.csv")),
        "{:?}",
        diff.access.gained
    );
    assert!(report.kept_denies >= 1);
}

#[test]
fn a_cancelled_replay_stops_and_says_so() {
    use iam_atlas::cancel::Cancel;
    use iam_atlas::replay::replay_cancellable;
    let (name, text) = iam_atlas::sample::trail();
    let events = parse_events(name, text.as_bytes()).expect("the sample trail");
    let model = sample();
    let (flag, cancel) = Cancel::new();
    let whole = replay_cancellable(&events, &model, None, 2, &cancel).expect("not cancelled");
    assert_eq!(whole.len(), events.len());
    flag.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(replay_cancellable(&events, &model, None, 2, &cancel).is_none());
    assert!(replay_cancellable(&events, &model, None, 1, &cancel).is_none());
}
