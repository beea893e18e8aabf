//! Issue 19's answers as a user gets them from the command line: the engine defects' regressions, near misses,
//! "how to allow it" and "what would deny it", conditional who-can and what-can's uncertain actions.

use serde_json::Value;
use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
        .args(args)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> Value {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
}

const STALE_MFA: [&str; 12] = [
    "--principal",
    "maria.silva",
    "--action",
    "sts:AssumeRole",
    "--resource",
    "arn:aws:iam::412345678901:role/admin-mfa",
    "--context",
    "aws:RequestedRegion=eu-west-1",
    "--context",
    "aws:MultiFactorAuthPresent=true",
    "--context",
    "aws:MultiFactorAuthAge=7200",
];

/// Teaching case 18: the trust policy's MFA-age test is the near miss, and the fix is a younger MFA session.
#[test]
fn a_denial_shows_its_near_miss_and_how_to_allow_it() {
    let mut args = vec!["eval", "--sample", "--how-to-allow", "--format", "json"];
    args.extend(STALE_MFA);
    let v = json(&args);
    assert_eq!(v["decision"], "ImplicitDeny");
    assert_eq!(v["decided_by"], "Trust");
    let trust = v["layers"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["layer"] == "Trust"))
        .expect("trust layer");
    let miss = &trust["near_misses"][0];
    assert_eq!(miss["policy"]["kind"], "trust");
    let failing: Vec<&Value> = miss["conditions"]
        .as_array()
        .expect("conditions")
        .iter()
        .filter(|c| c["held"] == false)
        .collect();
    assert_eq!(failing.len(), 1);
    assert_eq!(failing[0]["key"], "aws:MultiFactorAuthAge");
    assert_eq!(failing[0]["request_values"][0], "7200");
    let changes = v["how_to_allow"].as_array().expect("how_to_allow");
    let ctx = changes
        .iter()
        .find(|c| c["kind"] == "context")
        .expect("a context change");
    assert_eq!(ctx["verified"], true);
    let text = ctx["change"].as_str().unwrap_or_default();
    assert!(text.contains("aws:MultiFactorAuthAge = "), "{text}");
    let age: f64 = text
        .rsplit("aws:MultiFactorAuthAge = ")
        .next()
        .and_then(|t| t.split(',').next())
        .and_then(|t| t.trim().parse().ok())
        .expect("an age");
    assert!(age < 3600.0, "{text}");
    // The text output says the same.
    let mut args = vec!["eval", "--sample", "--how-to-allow"];
    args.extend(STALE_MFA);
    let (_, out, _) = run(&args);
    assert!(out.contains("near misses"), "{out}");
    assert!(
        out.contains("NumericLessThan aws:MultiFactorAuthAge [\"3600\"] vs 7200: fails"),
        "{out}"
    );
    assert!(
        out.contains("[verified] with the request context aws:MultiFactorAuthAge ="),
        "{out}"
    );
}

/// An explicit deny: removing it is the verified change, and it names the statement.
#[test]
fn how_to_allow_names_the_blocking_deny() {
    let v = json(&[
        "eval",
        "--sample",
        "--how-to-allow",
        "--format",
        "json",
        "--principal",
        "li.wei",
        "--action",
        "s3:DeleteObject",
        "--resource",
        "arn:aws:s3:::larkspur-prod-data/x",
        "--context",
        "aws:RequestedRegion=eu-west-1",
        "--context",
        "aws:SecureTransport=true",
    ]);
    assert_eq!(v["decision"], "ExplicitDeny");
    let first = &v["how_to_allow"][0];
    assert_eq!(first["kind"], "remove_deny");
    assert_eq!(first["verified"], true);
    assert!(
        first["change"]
            .as_str()
            .is_some_and(|c| c.contains("ProtectProdData")),
        "{first}"
    );
}

/// An allowed request: what would stop it, each verified.
#[test]
fn what_would_deny_an_allowed_request() {
    let v = json(&[
        "eval",
        "--sample",
        "--how-to-allow",
        "--format",
        "json",
        "--principal",
        "li.wei",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::larkspur-prod-data/x",
        "--context",
        "aws:RequestedRegion=eu-west-1",
        "--context",
        "aws:SecureTransport=true",
    ]);
    assert_eq!(v["decision"], "Allow");
    let changes = v["what_would_deny"].as_array().expect("what_would_deny");
    let kinds: Vec<&str> = changes.iter().filter_map(|c| c["kind"].as_str()).collect();
    assert!(kinds.contains(&"context"), "{kinds:?}");
    assert!(kinds.contains(&"remove_allow"), "{kinds:?}");
    let scp = changes
        .iter()
        .find(|c| c["layer"] == "Scp")
        .expect("an SCP guardrail");
    assert_eq!(scp["verified"], true);
    assert!(changes.iter().all(|c| c["verified"] == true), "{changes:?}");
}

/// Defect 1: GetCallerIdentity needs no permission and no deny stops it.
#[test]
fn get_caller_identity_is_always_allowed() {
    let v = json(&[
        "eval",
        "--sample",
        "--format",
        "json",
        "--principal",
        "li.wei",
        "--action",
        "sts:GetCallerIdentity",
        "--resource",
        "*",
    ]);
    assert_eq!(v["decision"], "Allow");
    assert_eq!(v["aws_rule"], "NoPermissionNeeded");
    assert!(v["decided_by"].is_null());
}

/// Defect 6: an administrator cannot change an AWS-managed policy.
#[test]
fn aws_managed_policies_are_protected() {
    let v = json(&[
        "eval",
        "--sample",
        "--format",
        "json",
        "--principal",
        "maria.silva",
        "--action",
        "iam:CreatePolicyVersion",
        "--resource",
        "arn:aws:iam::aws:policy/AdministratorAccess",
    ]);
    assert_eq!(v["decision"], "ExplicitDeny");
    assert_eq!(v["aws_rule"], "ProtectedByAws");
    assert!(
        v["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("belong to AWS"))
    );
}

/// Defect 5: `--resource-policy` is the trust policy of an `sts:AssumeRole` request.
#[test]
fn resource_policy_is_the_trust_policy_for_assume_role() {
    let dir = std::env::temp_dir().join(format!("iam-atlas-trust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let trust = dir.join("trust.json");
    std::fs::write(
        &trust,
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Maria", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::412345678901:user/maria.silva"}, "Action": "sts:AssumeRole"}]}"#,
    )
    .expect("write");
    let path = trust.to_string_lossy().into_owned();
    let base = [
        "eval",
        "--sample",
        "--format",
        "json",
        "--principal",
        "maria.silva",
        "--action",
        "sts:AssumeRole",
        "--resource",
        "arn:aws:iam::412345678901:role/not-yet-created",
        "--context",
        "aws:MultiFactorAuthPresent=true",
        "--context",
        "aws:RequestedRegion=eu-west-1",
    ];
    let v = json(&base);
    assert_eq!(v["certain"], false, "{v}");
    let mut args = base.to_vec();
    args.extend(["--resource-policy", path.as_str()]);
    let v = json(&args);
    assert_eq!(v["decision"], "Allow", "{v}");
    assert_eq!(v["certain"], true);
    let trust_layer = v["layers"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["layer"] == "Trust"))
        .expect("trust layer");
    assert_eq!(trust_layer["verdict"], "Allow");
    assert_eq!(trust_layer["statements"][0]["sid"], "Maria");
    let _ = std::fs::remove_dir_all(dir);
}

/// The issue's who-can: li.wei is allowed only inside the approved regions and over TLS, never "always".
#[test]
fn who_can_carries_the_guardrails_conditions() {
    let v = json(&[
        "who-can",
        "s3:GetObject",
        "arn:aws:s3:::larkspur-prod-data/x",
        "--sample",
        "--format",
        "json",
    ]);
    let li = v["principals"]
        .as_array()
        .and_then(|p| {
            p.iter()
                .find(|e| e["principal"] == "arn:aws:iam::412345678901:user/li.wei")
        })
        .expect("li.wei listed");
    assert_eq!(li["outcome"], "allowed_if");
    let conditions: Vec<&str> = li["conditions"]
        .as_array()
        .expect("conditions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        conditions.contains(&"StringEquals aws:RequestedRegion eu-west-1, us-east-1"),
        "{conditions:?}"
    );
    assert!(
        conditions.contains(&"Bool aws:SecureTransport true"),
        "{conditions:?}"
    );
    assert_eq!(
        conditions.len(),
        2,
        "the same condition from the RCP and the bucket policy is said once: {conditions:?}"
    );
}

/// Defect 2: what-can keeps KMS actions, with their uncertainty where a key policy is missing.
#[test]
fn what_can_lists_kms_actions() {
    let v = json(&["what-can", "maria.silva", "--sample", "--format", "json"]);
    let kms = &v["services"]["kms"];
    assert!(kms.is_object(), "kms missing from {}", v["services"]);
    let grants: Vec<&Value> = kms
        .as_object()
        .map(|levels| {
            levels
                .values()
                .flat_map(|g| g.as_array().into_iter().flatten())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        grants.iter().any(|g| g["action"] == "kms:CreateKey"),
        "{kms}"
    );
    assert!(grants.iter().any(|g| g["action"] == "kms:Decrypt"), "{kms}");
}

/// Access proofs on the sample: each witness is a request the resource side allows, and "not reachable" is
/// said only where the conditions prove it.
#[test]
fn external_access_is_proved_with_witnesses() {
    use iam_atlas::account::LoadOptions;
    use iam_atlas::eval::proof::{Reach, Zone, external_access, external_access_all};
    use iam_atlas::eval::{Context, Overrides, Principal, Request, Verdict, evaluate};
    let m = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample");
    // A trust policy open to any AWS principal: reachable, by an account outside every loaded one.
    let open = external_access(
        &m,
        "arn:aws:iam::523456789012:role/legacy-open-role",
        Zone::Organization,
    );
    assert_eq!(open.reach, Reach::Reachable);
    assert!(
        open.witnesses
            .iter()
            .any(|w| w.principal.starts_with("arn:aws:iam::999999999999:"))
    );
    // `*` limited by aws:PrincipalOrgID: no context lets an outsider of the organisation in…
    let org = "arn:aws:iam::412345678901:role/security/org-audit-reader";
    let p = external_access(&m, org, Zone::Organization);
    assert_eq!(p.reach, Reach::NotReachable, "{:?}", p.why);
    assert!(
        p.why
            .iter()
            .any(|w| w.contains("denies each under every context")),
        "{:?}",
        p.why
    );
    // …but another account of the organisation is outside the account zone.
    let p = external_access(&m, org, Zone::Account);
    assert_eq!(p.reach, Reach::Reachable);
    // The witness is a principal of another account of the organisation (its organisation keys come from it).
    let org_tree = m.organization.as_ref().expect("organisation");
    assert!(
        p.witnesses.iter().any(|w| {
            iam_atlas::account::arn_account(&w.principal)
                .is_some_and(|a| a != "412345678901" && org_tree.is_member(a))
        }),
        "{:?}",
        p.witnesses
    );
    // A bucket shared inside the organisation only.
    let bucket = external_access(&m, "arn:aws:s3:::larkspur-prod-data", Zone::Organization);
    assert_eq!(bucket.reach, Reach::NotReachable, "{:?}", bucket.why);
    // Every witness of every proof is allowed by the resource side when evaluated without assumptions.
    let mut checked = 0;
    for zone in [Zone::Account, Zone::Organization] {
        for proof in external_access_all(&m, zone) {
            for w in &proof.witnesses {
                let mut ctx = Context::new();
                for (k, v) in &w.context {
                    ctx.set(k, v.clone());
                }
                let principal = Principal::resolve(&w.principal, &m).expect("resolves");
                let r = evaluate(
                    &m,
                    &Request {
                        principal,
                        action: w.action.clone(),
                        resource: w.resource.clone(),
                        resource_account: None,
                        context: ctx,
                    },
                    &Overrides::default(),
                );
                let side = r
                    .layers
                    .iter()
                    .find(|l| {
                        matches!(
                            l.layer,
                            iam_atlas::eval::Layer::Resource | iam_atlas::eval::Layer::Trust
                        )
                    })
                    .map(|l| l.verdict);
                assert_eq!(
                    side,
                    Some(Verdict::Allow),
                    "{} {} {:?}",
                    proof.resource,
                    w.principal,
                    w.context
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "{checked}");
    // The command line says the same.
    let v = json(&[
        "external",
        "--sample",
        "--format",
        "json",
        "arn:aws:iam::523456789012:role/legacy-open-role",
    ]);
    assert_eq!(v["proofs"][0]["reach"], "reachable");
}

/// A principal (or a file) named "Broken pipe" is an error like any other: only a reader that really went away
/// (`| head`) ends a command quietly.
#[test]
fn broken_pipe_is_known_by_its_kind_not_its_text() {
    let (code, _, err) = run(&[
        "eval",
        "--sample",
        "--principal",
        "Broken pipe",
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Broken pipe"), "{err}");
    // A reader that really goes away: status 0 and nothing on the error output (no "error: Broken pipe").
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
        .args(["replay", "--sample", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run");
    drop(child.stdout.take());
    let done = child.wait_with_output().expect("wait");
    assert_eq!(done.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&done.stderr), "");
    // The audit too (it had its own test of the error's text).
    let (code, _, err) = run(&["audit", "/nonexistent/Broken pipe.json"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Broken pipe.json"), "{err}");
}

/// A full disk is an error, said once: the output leaves in blocks, so a short report fails only when the
/// last block is written, after the command's work (`/dev/full` fails every write with "No space left on
/// device").
#[test]
fn a_full_disk_is_reported_once() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    for args in [
        &["summary", "--sample"][..],
        &["replay", "--sample", "--format", "json"],
        &["audit", "--sample"],
    ] {
        let done = std::process::Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
            .args(args)
            .stdout(full.try_clone().expect("dup"))
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(
            err.matches("No space left on device").count(),
            1,
            "{args:?}: {err}"
        );
    }
}

/// what-can is linear in a principal's statements and bounded in its output: 20,000 statements, and a
/// `NotAction` over 10,000 resources, answer in bounded time with bounded output.
#[test]
fn what_can_stays_linear_and_bounded_on_adversarial_policies() {
    let dir = std::env::temp_dir().join(format!("iam-atlas-whatcan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let statements: Vec<String> = (0..20_000)
        .map(|i| {
            format!(
                r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-{i}/*"}}"#
            )
        })
        .chain(std::iter::once(format!(
            r#"{{"Effect":"Allow","NotAction":"iam:*","Resource":[{}]}}"#,
            (0..10_000)
                .map(|i| format!(r#""arn:aws:s3:::other-{i}""#))
                .collect::<Vec<_>>()
                .join(",")
        )))
        .collect();
    let doc = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    let export = serde_json::json!({
        "UserDetailList": [{
            "Path": "/", "UserName": "big", "UserId": "AIDAEXAMPLEBIG0000001",
            "Arn": "arn:aws:iam::111122223333:user/big", "CreateDate": "2024-01-01T00:00:00Z",
            "UserPolicyList": [{"PolicyName": "big", "PolicyDocument": serde_json::from_str::<Value>(&doc).expect("doc")}],
            "GroupList": [], "AttachedManagedPolicies": [], "Tags": []
        }],
        "GroupDetailList": [], "RoleDetailList": [], "Policies": []
    });
    let path = dir.join("big.json");
    std::fs::write(&path, export.to_string()).expect("write");
    let input = std::fs::metadata(&path).expect("meta").len();
    let t = std::time::Instant::now();
    let (code, out, err) = run(&[
        "what-can",
        "arn:aws:iam::111122223333:user/big",
        "--snapshot",
        path.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    let took = t.elapsed();
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert!(
        v["not_evaluated"].as_u64().unwrap_or(0) > 0,
        "the bound is reported"
    );
    // Before: 23.5 s for 20,000 statements and 221 MB of JSON from 17.6 KB. The bounds are generous (a debug
    // build, a shared machine) yet catch quadratic work and unbounded output.
    assert!(took < std::time::Duration::from_secs(60), "{took:?}");
    assert!(
        (out.len() as u64) < 40 * input,
        "{} bytes of output for {input} of input",
        out.len()
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// The external-access review uses the access proof: every external finding carries its proof.
#[test]
fn external_findings_carry_their_access_proof() {
    let (_, out, err) = run(&[
        "audit",
        "--sample",
        "--format",
        "json",
        "--min-severity",
        "critical",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let external: Vec<&Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["category"]
                .as_str()
                .is_some_and(|c| c.starts_with("external"))
        })
        .collect();
    assert!(external.len() >= 5, "{}", external.len());
    for f in external {
        let proof = f["evidence"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| {
                e["text"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("access proof: "))
            })
            .unwrap_or_else(|| panic!("no proof for {}", f["entity"]));
        assert!(
            proof["text"]
                .as_str()
                .is_some_and(|t| t.contains("reachable from outside; witness:")),
            "a finding whose resource the proof says is unreachable: {proof}"
        );
    }
}

/// Reverse queries do not keep open a test of a key no such request carries: an `ec2:InstanceType` test never
/// holds on an S3 request, so a grant conditioned on it is nobody's; a Deny on a negated test of a key `GetObject`
/// never carries always applies; the same Deny on `PutObject`, which may carry the key, is a condition.
#[test]
fn who_can_drops_conditions_no_request_can_meet() {
    let dir = std::env::temp_dir().join(format!("iam-atlas-never-set-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let user = |name: &str, statements: serde_json::Value| {
        serde_json::json!({
            "UserName": name, "UserId": format!("AIDA{}", name.to_ascii_uppercase()),
            "Arn": format!("arn:aws:iam::111122223333:user/{name}"), "Path": "/",
            "CreateDate": "2024-01-01T00:00:00Z", "GroupList": [], "AttachedManagedPolicies": [], "Tags": [],
            "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}],
        })
    };
    let export = serde_json::json!({
        "UserDetailList": [
            user("encrypts", serde_json::json!([
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
                 "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}}])),
            user("gpu", serde_json::json!([
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                 "Condition": {"StringEquals": {"ec2:InstanceType": "p4d.24xlarge"}}}])),
        ],
        "GroupDetailList": [], "Policies": [],
        // A Deny on a resource named by a key a role session may carry: it may apply, so the role's access is
        // not certain (it used to be dropped: the variable could not be substituted).
        "RoleDetailList": [{
            "RoleName": "app", "RoleId": "AROAAPP", "Arn": "arn:aws:iam::111122223333:role/app", "Path": "/",
            "CreateDate": "2024-01-01T00:00:00Z", "AttachedManagedPolicies": [], "InstanceProfileList": [],
            "Tags": [],
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:SourceIdentity}"}]}}],
        }],
    });
    let file = dir.join("export.json");
    std::fs::write(&file, export.to_string()).expect("write");
    let f = file.to_str().expect("path");
    let who = |action: &str| {
        let v = json(&[
            "who-can",
            action,
            "arn:aws:s3:::b/k",
            "--snapshot",
            f,
            "--format",
            "json",
        ]);
        v["principals"].as_array().cloned().unwrap_or_default()
    };
    let find = |list: &[Value], arn: &str| list.iter().find(|p| p["principal"] == arn).cloned();
    let get = who("s3:GetObject");
    let app = find(&get, "arn:aws:iam::111122223333:role/app").expect("app listed");
    assert_eq!(app["outcome"], "unknown", "{app}");
    assert!(
        get.iter().all(|p| {
            let arn = p["principal"].as_str().unwrap_or_default();
            !arn.ends_with("user/gpu") && !arn.ends_with("user/encrypts")
        }),
        "nobody may GetObject: {get:?}"
    );
    let put = who("s3:PutObject");
    let enc = find(&put, "arn:aws:iam::111122223333:user/encrypts")
        .expect("encrypts may PutObject under a condition");
    assert_eq!(enc["outcome"], "allowed_if", "{enc}");
    let conditions = enc["conditions"].to_string();
    assert!(
        conditions.contains("s3:x-amz-server-side-encryption"),
        "{conditions}"
    );
    assert!(
        put.iter()
            .all(|p| p["principal"] != "arn:aws:iam::111122223333:user/gpu"),
        "{put:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The caller from outside (for `*`) stands for every principal of every account outside the resource's
/// account (and its organisation, when one is loaded): a test naming another account or organisation is not
/// decided against it (its made-up account is not theirs), and one naming only the resource's account is.
#[test]
fn the_caller_from_outside_is_any_account_outside_the_zone() {
    let dir = std::env::temp_dir().join(format!("iam-atlas-outsider-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let role = |name: &str, condition: serde_json::Value| {
        serde_json::json!({
            "RoleName": name, "RoleId": format!("AROA{}", name.to_ascii_uppercase()),
            "Arn": format!("arn:aws:iam::111122223333:role/{name}"), "Path": "/",
            "CreateDate": "2024-01-01T00:00:00Z", "RolePolicyList": [], "AttachedManagedPolicies": [],
            "InstanceProfileList": [], "Tags": [],
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Condition": condition}]},
        })
    };
    let export = serde_json::json!({
        "UserDetailList": [], "GroupDetailList": [], "Policies": [],
        "RoleDetailList": [
            role("partner-arn", serde_json::json!({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/partner"}})),
            role("partner-account", serde_json::json!({"StringEquals": {"aws:PrincipalAccount": "444455556666"}})),
            role("partner-org", serde_json::json!({"StringEquals": {"aws:PrincipalOrgID": "o-partner0001"}})),
            role("own-account", serde_json::json!({"StringEquals": {"aws:PrincipalAccount": "111122223333"}})),
            role("own-arn", serde_json::json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}})),
            role("all-but-partner", serde_json::json!({"StringNotEquals": {"aws:PrincipalAccount": "444455556666"}})),
        ],
    });
    let file = dir.join("export.json");
    std::fs::write(&file, export.to_string()).expect("write");
    let path = file.to_str().expect("path");
    let v = json(&["external", "--snapshot", path, "--format", "json"]);
    let proofs = v["proofs"].as_array().cloned().unwrap_or_default();
    let reach = |name: &str| {
        let arn = format!("arn:aws:iam::111122223333:role/{name}");
        proofs
            .iter()
            .find(|p| p["resource"] == arn.as_str())
            .map(|p| p["reach"].as_str().unwrap_or_default().to_string())
            .unwrap_or_else(|| panic!("{arn} proved: {v}"))
    };
    // Another account's role, another account, another organisation: some principal outside may be it.
    for name in ["partner-arn", "partner-account", "partner-org"] {
        assert_ne!(reach(name), "not_reachable", "{name}: {v}");
    }
    assert_eq!(reach("partner-org"), "reachable", "{v}");
    // Only the loaded account's principals pass: no one from outside.
    for name in ["own-account", "own-arn"] {
        assert_eq!(reach(name), "not_reachable", "{name}: {v}");
    }
    let (code, out, err) = run(&["audit", path, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let findings: Value = serde_json::from_str(&out).expect("audit json");
    let has = |name: &str| {
        findings["findings"].as_array().is_some_and(|l| {
            l.iter().any(|f| {
                f["category"] == "external-access"
                    && f["entity"] == format!("arn:aws:iam::111122223333:role/{name}").as_str()
            })
        })
    };
    for name in ["partner-arn", "partner-account", "partner-org"] {
        assert!(has(name), "no finding on {name}: {findings}");
    }
    for name in ["own-account", "own-arn"] {
        assert!(!has(name), "a finding on {name}: {findings}");
    }
    // Every account but one: as public as `*` (an undecided test that lets all but one in names no one).
    let code_of = |name: &str| {
        findings["findings"].as_array().and_then(|l| {
            l.iter()
                .find(|f| f["entity"] == format!("arn:aws:iam::111122223333:role/{name}").as_str())
                .map(|f| f["code"].clone())
        })
    };
    assert_eq!(
        code_of("all-but-partner"),
        Some(Value::from("PUBLIC_ACCESS")),
        "{findings}"
    );
    assert_eq!(
        code_of("partner-account"),
        Some(Value::from("PUBLIC_ACCESS_CONDITIONAL")),
        "{findings}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An account named in a trust policy stands for every principal of it: a test of a key one of them may carry
/// (a role session's `aws:SourceIdentity`, the tags of a role the snapshot does not hold) is an assumption of the
/// proof, not a key read as absent: reachable from outside, with a witness; a test of which principal it is
/// (`aws:userid`) is no condition a request can meet, and is undecided: unknown, never "not reachable"; its ARN
/// is the account's, so a test only another account's ARNs pass is decided.
#[test]
fn an_outside_account_stands_for_every_principal_of_it() {
    let dir = std::env::temp_dir().join(format!("iam-atlas-stand-in-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let role = |name: &str, principal: &str, condition: serde_json::Value| {
        // (A statement of its own for the Deny case.)
        let deny = name.starts_with("by-deny");
        serde_json::json!({
            "RoleName": name, "RoleId": format!("AROA{}", name.to_ascii_uppercase()),
            "Arn": format!("arn:aws:iam::111122223333:role/{name}"), "Path": "/",
            "CreateDate": "2024-01-01T00:00:00Z", "RolePolicyList": [], "AttachedManagedPolicies": [],
            "InstanceProfileList": [], "Tags": [],
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": if deny {
                serde_json::json!([
                    {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"},
                    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Condition": condition}])
            } else {
                serde_json::json!([{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole",
                    "Condition": condition}])
            }},
        })
    };
    let root = "arn:aws:iam::999988887777:root";
    let export = serde_json::json!({
        "UserDetailList": [], "GroupDetailList": [], "Policies": [],
        "RoleDetailList": [
            role("by-userid", root, serde_json::json!({"StringLike": {"aws:userid": "AROAEXAMPLE:*"}})),
            role("by-source", root, serde_json::json!({"StringEquals": {"aws:SourceIdentity": "alice"}})),
            role("ci", "*", serde_json::json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/github-ci"}})),
            // Every principal of 999988887777 is denied (none is the admin role of 111122223333).
            role("by-deny", "999988887777",
                serde_json::json!({"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}})),
            // Which principal is not known: whether it is exempt is undecided.
            role("by-deny-id", "999988887777",
                serde_json::json!({"StringNotLike": {"aws:userid": "AROAADMIN:*"}})),
            role("by-arn", "999988887777",
                serde_json::json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}})),
            role("by-tag", "arn:aws:iam::999988887777:role/ci",
                serde_json::json!({"StringEquals": {"aws:PrincipalTag/team": "platform"}})),
        ],
    });
    let file = dir.join("export.json");
    std::fs::write(&file, export.to_string()).expect("write");
    let v = json(&[
        "external",
        "--snapshot",
        file.to_str().expect("path"),
        "--format",
        "json",
    ]);
    let proofs = v["proofs"].as_array().cloned().unwrap_or_default();
    let proof = |name: &str| {
        let arn = format!("arn:aws:iam::111122223333:role/{name}");
        proofs
            .iter()
            .find(|p| p["resource"] == arn.as_str())
            .cloned()
            .unwrap_or_else(|| panic!("{arn} proved: {v}"))
    };
    // Which principal of 999988887777 is not known: a test of its ID is undecided.
    let p = proof("by-userid");
    assert_eq!(p["reach"], "unknown", "{p}");
    // Its ARN is the account's all the same: no principal of it is 111122223333's admin role, so the trust that
    // names only that role lets none of them in, and the Deny that exempts only that role denies them all.
    for name in ["by-arn", "by-deny"] {
        let p = proof(name);
        assert_eq!(p["reach"], "not_reachable", "{p}");
    }
    // The review reports access a stand-in may have, with the undecided test as its condition: a trust open to
    // any account's `role/github-ci`, to an account's tagged principals, to an account's `role/deployer`.
    // (Exit status 1: findings remain.)
    let (code, out, err) = run(&["audit", file.to_str().expect("path"), "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let findings: Value = serde_json::from_str(&out).expect("audit json");
    let finding = |role: &str| {
        findings["findings"]
            .as_array()
            .and_then(|l| {
                l.iter().find(|f| {
                    f["entity"] == format!("arn:aws:iam::111122223333:role/{role}").as_str()
                })
            })
            .cloned()
    };
    for (role, code, condition) in [
        (
            "by-userid",
            "EXTERNAL_ACCOUNT",
            "may let account 999988887777 assume it if StringLike aws:userid AROAEXAMPLE:* (undecided)",
        ),
        (
            "by-deny-id",
            "EXTERNAL_ACCOUNT",
            "unless StringNotLike aws:userid AROAADMIN:* (undecided)",
        ),
        (
            "by-source",
            "EXTERNAL_ACCOUNT",
            "StringEquals aws:SourceIdentity alice",
        ),
        (
            "by-tag",
            "EXTERNAL_ACCOUNT",
            "StringEquals aws:PrincipalTag/team platform",
        ),
        // A test not read limits no one: the finding keeps the severity of an open trust.
        (
            "ci",
            "PUBLIC_ACCESS",
            "may let anyone (`*`) assume it if ArnLike aws:PrincipalArn arn:aws:iam::*:role/github-ci (undecided)",
        ),
    ] {
        let f = finding(role).unwrap_or_else(|| panic!("a finding on {role}: {findings}"));
        assert_eq!(f["code"], code, "{f}");
        assert!(
            f["title"].as_str().unwrap_or_default().contains(condition),
            "{f}"
        );
    }
    // No principal of 999988887777 can assume these (above): no finding.
    for role in ["by-deny", "by-arn"] {
        assert!(finding(role).is_none(), "{role}: {findings}");
    }
    for (name, key) in [
        ("by-source", "aws:SourceIdentity"),
        ("by-tag", "aws:PrincipalTag/team"),
    ] {
        let arn = format!("arn:aws:iam::111122223333:role/{name}");
        let p = proofs
            .iter()
            .find(|p| p["resource"] == arn.as_str())
            .unwrap_or_else(|| panic!("{arn} proved: {v}"));
        assert_eq!(p["reach"], "reachable", "{p}");
        assert!(p["witnesses"].to_string().contains(key), "{p}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
