//! `iam-atlas export`: the Parquet files read back with the rows the model has, the Cypher file has a node per
//! entity, and the DuckDB who-can query of docs/export.md, run on an export of the sample, answers what
//! `who-can` answers.

use iam_atlas::account::{LoadOptions, Model};
use iam_atlas::eval::reverse::{Outcome, who_can};
use iam_atlas::eval::{Context, Overrides};
use iam_atlas::export::{Format, Table, export};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::RowAccessor;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sample() -> Model {
    iam_atlas::sample::load_sample(LoadOptions::default()).expect("the sample loads")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iam-atlas-export-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Every user, group and role ARN of the model, and every inline policy's id.
fn entity_ids(model: &Model) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for a in &model.accounts {
        for u in &a.users {
            out.insert(u.arn.to_string());
            out.extend(
                u.inline
                    .iter()
                    .map(|p| iam_atlas::export::inline_id(&u.arn, &p.name)),
            );
        }
        for g in &a.groups {
            out.insert(g.arn.to_string());
            out.extend(
                g.inline
                    .iter()
                    .map(|p| iam_atlas::export::inline_id(&g.arn, &p.name)),
            );
        }
        for r in &a.roles {
            out.insert(r.arn.to_string());
            out.extend(
                r.inline
                    .iter()
                    .map(|p| iam_atlas::export::inline_id(&r.arn, &p.name)),
            );
        }
        out.extend(a.policies.iter().map(|p| p.arn.to_string()));
    }
    out
}

#[test]
fn parquet_files_read_back_with_the_models_rows() {
    let model = sample();
    let dir = temp("parquet");
    let (files, counts) = export(&model, Format::Parquet, &dir, &[]).expect("export");
    assert_eq!(files.len(), Table::ALL.len());
    for t in Table::ALL {
        let path = dir.join(format!("{}.parquet", t.name()));
        let reader = SerializedFileReader::new(std::fs::File::open(&path).expect("written"))
            .expect("a Parquet file");
        let rows = reader.metadata().file_metadata().num_rows();
        assert_eq!(rows as u64, counts.get(t), "{}", t.name());
        assert!(rows > 0, "{} has rows", t.name());
        assert_eq!(
            reader
                .metadata()
                .file_metadata()
                .schema_descr()
                .num_columns(),
            t.columns().len()
        );
    }
    let read = |t: Table| -> Vec<parquet::record::Row> {
        let f = std::fs::File::open(dir.join(format!("{}.parquet", t.name()))).unwrap();
        SerializedFileReader::new(f)
            .unwrap()
            .get_row_iter(None)
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    // One entity row per user, group, role, managed and inline policy (and the SCPs, RCPs and AWS-managed
    // policies): ids unique.
    let entities = read(Table::Entities);
    let ids: BTreeSet<String> = entities
        .iter()
        .map(|r| r.get_string(0).unwrap().clone())
        .collect();
    assert_eq!(ids.len(), entities.len(), "entity ids are unique");
    for id in entity_ids(&model) {
        assert!(ids.contains(&id), "{id} has an entity row");
    }
    let memberships: usize = model
        .accounts
        .iter()
        .flat_map(|a| a.users.iter())
        .map(|u| u.groups.len())
        .sum();
    assert_eq!(read(Table::Memberships).len(), memberships);
    // The facts: maria.silva's rows include her group's AdministratorAccess and the SCP levels' statements,
    // the Deny of DenyLeaveOrganization among them, with lists and regexes filled.
    let facts: Vec<_> = read(Table::Permissions)
        .into_iter()
        .filter(|r| r.get_string(0).unwrap().ends_with(":user/maria.silva"))
        .collect();
    let col = |name: &str| {
        Table::Permissions
            .columns()
            .iter()
            .position(|(n, _)| *n == name)
            .unwrap()
    };
    assert!(
        facts
            .iter()
            .any(|r| r.get_string(col("layer")).unwrap() == "identity"
                && r.get_string(col("policy_name")).unwrap() == "AdministratorAccess"
                && r.get_string(col("action_regex")).unwrap() == "(?si)(?:.*)")
    );
    let scp_deny = facts
        .iter()
        .find(|r| {
            r.get_string(col("layer")).unwrap() == "scp"
                && r.get_string(col("effect")).unwrap() == "Deny"
        })
        .expect("an SCP Deny among maria.silva's facts");
    assert!(
        !scp_deny
            .get_list(col("actions"))
            .unwrap()
            .elements()
            .is_empty()
    );
    // Conditions stay with their rows: her MFA condition is there, as JSON.
    assert!(facts.iter().any(|r| {
        r.get_string(col("conditions"))
            .is_ok_and(|c| c.contains("aws:MultiFactorAuthPresent"))
    }));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_cypher_file_has_a_node_per_entity() {
    let model = sample();
    let dir = temp("cypher");
    let (files, counts) = export(&model, Format::Cypher, &dir, &[]).expect("export");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("//")).collect();
    assert!(
        lines.iter().all(|l| l.ends_with(';')),
        "one statement per line"
    );
    let node_lines: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| {
            l.contains(":AWSUser:AWSPrincipal {")
                || l.contains(":AWSGroup:AWSPrincipal {")
                || l.contains(":AWSRole:AWSPrincipal {")
                || l.starts_with("CREATE (:AWSPolicy")
                || l.contains("-[:RESOURCE]->(:AWSPolicy")
        })
        .collect();
    assert_eq!(node_lines.len() as u64, counts.get(Table::Entities));
    for id in entity_ids(&model) {
        let needle = format!("id: {}", iam_atlas::export::cypher::quote(&id));
        assert_eq!(
            node_lines.iter().filter(|l| l.contains(&needle)).count(),
            1,
            "one node for {id}"
        );
    }
    let accounts = lines
        .iter()
        .filter(|l| l.starts_with("CREATE (:AWSAccount"))
        .count();
    assert_eq!(accounts as u64, counts.get(Table::Accounts));
    assert!(lines.iter().any(|l| l.contains("-[:MEMBER_AWS_GROUP]->")));
    assert!(lines.iter().any(|l| l.contains("-[:STS_ASSUMEROLE_ALLOW ")));
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("-[:IAM_ATLAS_PERMISSION "))
            .count() as u64,
        counts.get(Table::Permissions)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_export_never_writes_over_its_input() {
    let dir = temp("input");
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("iam-atlas.cypher");
    std::fs::write(&input, "{}").unwrap();
    let err = export(
        &sample(),
        Format::Cypher,
        &dir,
        std::slice::from_ref(&input),
    )
    .unwrap_err();
    assert!(err.to_string().contains("input"), "{err}");
    assert_eq!(std::fs::read_to_string(&input).unwrap(), "{}");
    // A file where the directory should be.
    let err = export(&sample(), Format::Parquet, &input, &[]).unwrap_err();
    assert!(err.to_string().contains("not a directory"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Requests across every layer the query covers: identity policies, SCP denies decided per principal and
/// region conditions, boundaries, bucket, queue, topic, function, secret and key policies (same account and
/// across accounts), trust policies, RCPs.
const PAIRS: [(&str, &str); 20] = [
    (
        "ec2:TerminateInstances",
        "arn:aws:ec2:eu-west-1:412345678901:instance/i-1",
    ),
    (
        "ec2:RunInstances",
        "arn:aws:ec2:ap-southeast-2:523456789012:instance/*",
    ),
    (
        "s3:GetObject",
        "arn:aws:s3:::larkspur-prod-data/reports/a.csv",
    ),
    ("s3:PutObject", "arn:aws:s3:::larkspur-dev-scratch/tmp/x"),
    ("s3:DeleteBucket", "arn:aws:s3:::larkspur-prod-data"),
    ("iam:CreateUser", "arn:aws:iam::412345678901:user/x"),
    (
        "iam:PassRole",
        "arn:aws:iam::412345678901:role/app/order-processor-lambda",
    ),
    (
        "cloudtrail:StopLogging",
        "arn:aws:cloudtrail:eu-west-1:412345678901:trail/main",
    ),
    (
        "sts:AssumeRole",
        "arn:aws:iam::412345678901:role/BreakGlassAdmin",
    ),
    (
        "sts:AssumeRole",
        "arn:aws:iam::412345678901:role/cross-account-deploy",
    ),
    (
        "sts:AssumeRole",
        "arn:aws:iam::523456789012:role/analytics-reader",
    ),
    (
        "kms:Decrypt",
        "arn:aws:kms:eu-west-1:412345678901:key/7c2f1e9a-3b4d-4e8f-9a1b-2c3d4e5f6a7b",
    ),
    (
        "lambda:InvokeFunction",
        "arn:aws:lambda:eu-west-1:412345678901:function:webshop-api",
    ),
    (
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:eu-west-1:412345678901:secret:prod/webshop/db-credentials-Xy7Qz2",
    ),
    (
        "sqs:SendMessage",
        "arn:aws:sqs:eu-west-1:412345678901:webshop-orders",
    ),
    (
        "sns:Publish",
        "arn:aws:sns:eu-west-1:523456789012:dev-build-events",
    ),
    (
        "dynamodb:GetItem",
        "arn:aws:dynamodb:eu-west-1:523456789012:table/orders",
    ),
    (
        "dynamodb:PutItem",
        "arn:aws:dynamodb:eu-west-1:412345678901:table/orders",
    ),
    ("iam:AttachRolePolicy", "arn:aws:iam::523456789012:role/x"),
    (
        "logs:PutLogEvents",
        "arn:aws:logs:eu-west-1:412345678901:log-group:/aws/lambda/webshop-api:log-stream:x",
    ),
];

/// The Python that has `duckdb`: `IAM_ATLAS_DUCKDB_PYTHON` (CI sets it, and then it must work), else `python3`.
fn duckdb_python() -> Option<PathBuf> {
    let required = std::env::var_os("IAM_ATLAS_DUCKDB_PYTHON").map(PathBuf::from);
    let python = required.clone().unwrap_or_else(|| PathBuf::from("python3"));
    let ok = std::process::Command::new(&python)
        .args(["-c", "import duckdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    match (ok, required) {
        (true, _) => Some(python),
        (false, Some(p)) => panic!(
            "IAM_ATLAS_DUCKDB_PYTHON={} cannot import duckdb",
            p.display()
        ),
        (false, None) => None,
    }
}

#[test]
fn the_duckdb_who_can_query_answers_what_who_can_answers() {
    let Some(python) = duckdb_python() else {
        println!(
            "skipped: no Python with the `duckdb` package (python3 -m venv V && V/bin/pip install duckdb, then set IAM_ATLAS_DUCKDB_PYTHON=V/bin/python)"
        );
        return;
    };
    let model = sample();
    let dir = temp("duckdb");
    export(&model, Format::Parquet, &dir, &[]).expect("export");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let input: String = PAIRS
        .iter()
        .map(|(a, r)| format!("{}\n", serde_json::json!([a, r])))
        .collect();
    let mut child = std::process::Command::new(&python)
        .arg(root.join("tests/it/export_who_can.py"))
        .arg(root.join("docs/export.md"))
        .arg(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python starts");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), PAIRS.len());
    let mut listed = 0;
    for ((action, resource), got) in PAIRS.iter().zip(&lines) {
        let got: BTreeMap<String, String> = serde_json::from_value(got["answers"].clone()).unwrap();
        let w = who_can(
            &model,
            action,
            resource,
            None,
            &Context::new(),
            &Overrides::default(),
        );
        let want: BTreeMap<String, String> = w
            .principals
            .iter()
            .map(|e| {
                let answer = match e.outcome {
                    Outcome::AllowedAlways => "allowed",
                    Outcome::AllowedIf => "allowed_if",
                    Outcome::Unknown => "unknown",
                };
                (e.principal.clone(), answer.to_string())
            })
            .collect();
        assert_eq!(got, want, "{action} on {resource}");
        listed += want.len();
    }
    // The requests are not trivial: most list someone, some list no one.
    assert!(listed > 60, "{listed} answers compared");
    let _ = std::fs::remove_dir_all(&dir);
}
