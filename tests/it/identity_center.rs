//! IAM Identity Center: loading what the AWS CLI prints (the shapes of the CLI reference's examples), matching
//! permission sets to their `AWSReservedSSO_*` roles, errors that name the file and JSON path, and the answers
//! in people on the bundled sample: who-can `--people` equals who-can over roles expanded through the
//! assignments, each person's accounts and roles, and the findings.

use iam_atlas::account::identity_center::{AssignedTo, PermissionSetBoundary, Via};
use iam_atlas::account::{LoadOptions, Model, WarningKind, load_paths};
use iam_atlas::eval::people::{AccessCache, access_of, paths_of, who_can_people};
use iam_atlas::eval::reverse::{Outcome, who_can};
use iam_atlas::eval::{Context, Overrides};
use iam_atlas::review::{Code, Options, review};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/identity-center")
}

fn sample() -> Model {
    iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample")
}

fn cli(args: &[&str]) -> (i32, String, String) {
    use clap::Parser;
    let mut full = vec!["iam-atlas"];
    full.extend_from_slice(args);
    let parsed = iam_atlas::cli::Cli::try_parse_from(full).expect("arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = iam_atlas::cli::run(parsed.command.expect("a subcommand"), &mut out, &mut err);
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

#[test]
fn loads_the_cli_output_shapes_and_matches_roles() {
    let m = load_paths(&[fixture().join("workspace.json")], LoadOptions::default())
        .expect("the fixture loads");
    let ic = m.identity_center.as_ref().expect("an Identity Center");
    assert_eq!(
        ic.instance_arn.as_deref(),
        Some("arn:aws:sso:::instance/ssoins-1111111111111111")
    );
    assert_eq!(ic.identity_store_id.as_deref(), Some("d-1111111111"));
    assert_eq!(ic.users.len(), 2);
    // The primary e-mail comes first whatever the order of the listing.
    let mary = ic.find_user("mary.major@example.com").expect("by e-mail");
    assert_eq!(ic.users[mary as usize].emails[0], "mary.major@example.com");
    assert_eq!(ic.find_user("JOHN_DOE"), ic.find_user("John Doe"));
    let john = ic.find_user("john_doe").expect("by user name");
    assert_eq!(ic.groups.len(), 1);
    assert!(ic.groups[0].members_known);
    assert_eq!(ic.groups[0].members, vec![john]);
    assert_eq!(ic.users[john as usize].groups, vec![0]);

    let ps = &ic.permission_sets[ic.permission_set("ExamplePermissionSet").unwrap() as usize];
    assert_eq!(ps.session_duration, Some(7200));
    assert_eq!(
        ps.relay_state.as_deref(),
        Some("https://console.aws.amazon.com/s3")
    );
    let inline = ps
        .inline
        .as_ref()
        .expect("the inline policy, parsed from its JSON string");
    assert_eq!(inline.policy.statements.len(), 1);
    assert!(inline.problems.is_empty());
    assert_eq!(
        ps.managed.as_ref().unwrap()[0].arn,
        "arn:aws:iam::aws:policy/AWSAccountManagementFullAccess"
    );
    assert_eq!(
        ps.customer_managed.as_ref().unwrap()[0].name,
        "ExamplePolicy"
    );
    match ps.boundary.as_ref().unwrap() {
        Some(PermissionSetBoundary::CustomerManaged(r)) => {
            assert_eq!(
                (r.name.as_str(), r.path.as_str()),
                ("ExampleBoundary", "/boundaries/")
            )
        }
        other => panic!("boundary {other:?}"),
    }
    let ro = &ic.permission_sets[ic.permission_set("ReadOnly").unwrap() as usize];
    assert_eq!(ro.session_duration, Some(5400));
    assert!(!ro.inline_known && ro.managed.is_none() && ro.boundary.is_none());

    // Assignments: the group's is matched to its role, the others are not (and say why).
    assert_eq!(ic.assignments.len(), 3);
    let grp = ic
        .assignments
        .iter()
        .find(|a| a.to == AssignedTo::Group(0))
        .unwrap();
    let role = grp.role.expect("the provisioned role");
    assert_eq!(
        m.describe(role).0,
        "AWSReservedSSO_ExamplePermissionSet_0123456789abcdef"
    );
    let msgs: Vec<String> = m.warnings.iter().map(|w| w.to_string()).collect();
    let has = |kind: WarningKind, needle: &str| {
        m.warnings
            .iter()
            .any(|w| w.kind == kind && w.to_string().contains(needle))
    };
    assert!(
        has(WarningKind::Note, "AWSReservedSSO_Retired_89abcdef01234567"),
        "a role without a permission set: {msgs:#?}"
    );
    assert!(
        has(
            WarningKind::Dangling,
            "list-account-assignments-readonly.json: $.AccountAssignments[0]: assignment of `ReadOnly`"
        ),
        "an assignment without a role: {msgs:#?}"
    );
    assert!(
        has(
            WarningKind::Note,
            "account 210987654321, whose authorization details are not loaded"
        ),
        "{msgs:#?}"
    );
    // The role lacks the set's managed policies and boundary: the set was not provisioned again (drift).
    assert!(
        has(
            WarningKind::Note,
            "differs from its permission set `ExamplePermissionSet` (AWS-managed policies: the set has \
             [arn:aws:iam::aws:policy/AWSAccountManagementFullAccess], the role []"
        ),
        "{msgs:#?}"
    );
    assert!(
        has(
            WarningKind::Note,
            "the set's is arn:aws:iam::123456789012:policy/boundaries/ExampleBoundary"
        ),
        "{msgs:#?}"
    );
    assert_eq!(m.warnings.len(), 4, "{msgs:#?}");

    // John reaches the role through his group; Mary's paths have no role.
    let paths = paths_of(&m, john);
    assert_eq!(paths.len(), 1);
    assert_eq!(
        paths[0].label(),
        "john_doe (group MyGroup → ExamplePermissionSet in 123456789012)"
    );
    assert!(paths_of(&m, mary).iter().all(|p| p.role.is_none()));
}

/// Write the fixture to a fresh folder with one file replaced, and load it.
fn load_with(file: &str, text: &str) -> Result<Model, String> {
    let dir = std::env::temp_dir().join(format!(
        "iam-atlas-ic-{}-{}",
        std::process::id(),
        file.replace('/', "_")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&fixture(), &dir);
    std::fs::write(dir.join(file), text).unwrap();
    let r = load_paths(&[dir.join("workspace.json")], LoadOptions::default())
        .map_err(|e| e.to_string());
    let _ = std::fs::remove_dir_all(&dir);
    r
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn errors_name_the_file_and_the_json_path() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "cli/list-account-assignments-example.json",
            r#"{"AccountAssignments": [{"AccountId": "123456789012", "PermissionSetArn": "x", "PrincipalId": "y"}]}"#,
            "list-account-assignments-example.json: $.AccountAssignments[0]: no `PrincipalType`",
        ),
        (
            "cli/list-account-assignments-example.json",
            r#"{"AccountAssignments": [{"AccountId": "1234", "PermissionSetArn": "x", "PrincipalType": "USER", "PrincipalId": "y"}]}"#,
            "$.AccountAssignments[0].AccountId: account id `1234` must be 12 digits",
        ),
        (
            "cli/list-account-assignments-example.json",
            r#"{"AccountAssignments": [{"AccountId": "123456789012", "PermissionSetArn": "x", "PrincipalType": "ROLE", "PrincipalId": "y"}]}"#,
            "$.AccountAssignments[0].PrincipalType: unknown principal type `ROLE`",
        ),
        (
            "cli/describe-permission-set-example.json",
            r#"{"PermissionSet": {"Name": "X", "PermissionSetArn": "arn:x", "SessionDuration": "2 hours"}}"#,
            "describe-permission-set-example.json: $.PermissionSet.SessionDuration: `2 hours` is not an ISO 8601 duration",
        ),
        (
            "cli/describe-permission-set-example.json",
            r#"{"Name": "X"}"#,
            "describe-permission-set-example.json: $: expected the object `describe-permission-set` prints",
        ),
        (
            "cli/identitystore-list-users.json",
            r#"{"Users": [{"UserName": "a", "UserId": 7}]}"#,
            "identitystore-list-users.json: $.Users[0].UserId: expected a string, found a number",
        ),
        (
            "cli/identitystore-list-users.json",
            r#"{"Users": {"UserName": "a"}}"#,
            "identitystore-list-users.json: $.Users: expected a list, found an object",
        ),
        (
            "cli/list-group-memberships-mygroup.json",
            r#"{"GroupMemberships": [{"GroupId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "MemberId": {}}]}"#,
            "$.GroupMemberships[0].MemberId: no `UserId`",
        ),
        (
            "cli/get-inline-policy-for-permission-set.json",
            r#"{"InlinePolicy": "{\"Version\": \"2012-10-17\", \"Statement\": [}"}"#,
            "get-inline-policy-for-permission-set.json ($.InlinePolicy):1:",
        ),
        (
            "cli/get-permissions-boundary-for-permission-set.json",
            r#"{"PermissionsBoundary": {"Name": "x"}}"#,
            "$.PermissionsBoundary: expected `ManagedPolicyArn` or `CustomerManagedPolicyReference`",
        ),
        (
            "cli/list-instances.json",
            "{\n  \"Instances\": [\n",
            "list-instances.json:3:",
        ),
    ];
    for (file, text, want) in cases {
        let e = load_with(file, text)
            .err()
            .unwrap_or_else(|| panic!("{file}: {text} loaded"));
        assert!(e.contains(want), "{file}: got `{e}`, want `{want}`");
    }
    // An unknown key in the workspace's `identity_center` is an error too (a typo is not silently ignored).
    let ws = std::fs::read_to_string(fixture().join("workspace.json"))
        .unwrap()
        .replace("\"group_memberships\"", "\"group_membership\"");
    let e = load_with("workspace.json", &ws).unwrap_err();
    assert!(e.contains("group_membership"), "{e}");
}

#[test]
fn a_group_without_memberships_is_unknown_not_empty() {
    let ws = std::fs::read_to_string(fixture().join("workspace.json"))
        .unwrap()
        .replace("\"cli/list-group-memberships-mygroup.json\"", "");
    let m = load_with("workspace.json", &ws).expect("loads");
    assert!(
        !m.is_complete(),
        "unknown members make the model incomplete"
    );
    assert!(
        m.warnings
            .iter()
            .any(|w| w.kind == WarningKind::Skipped && w.message.contains("group `MyGroup`")),
        "{:#?}",
        m.warnings
    );
    let w = who_can(
        &m,
        "s3:GetObject",
        "arn:aws:s3:::bucket/key",
        None,
        &Context::default(),
        &Overrides::default(),
    );
    let p = who_can_people(&m, &w);
    assert!(p.people.is_empty());
    assert!(
        p.unknown
            .iter()
            .any(|u| u.contains("the members of group MyGroup are not loaded")),
        "{:?}",
        p.unknown
    );
}

#[test]
fn broken_inputs_never_panic() {
    let files = [
        "cli/list-instances.json",
        "cli/list-account-assignments-example.json",
        "cli/identitystore-list-users.json",
        "cli/list-group-memberships-mygroup.json",
        "cli/describe-permission-set-example.json",
        "cli/get-permissions-boundary-for-permission-set.json",
        "cli/get-inline-policy-for-permission-set.json",
    ];
    for f in files {
        let text = std::fs::read_to_string(fixture().join(f)).unwrap();
        // Every value of a kind replaced by another kind, and the text cut at a few places.
        let mut variants = vec![
            text.replace(": \"", ": 1, \"x\": \""),
            text.replace('[', "{\"a\": [").replace(']', "]}"),
            text.replace("\"", "'"),
            "null".to_string(),
            "[]".to_string(),
        ];
        for cut in [
            1,
            text.len() / 3,
            text.len() / 2,
            text.len().saturating_sub(2),
        ] {
            variants.push(text.get(..cut).unwrap_or("").to_string());
        }
        for v in variants {
            let _ = load_with(f, &v);
        }
    }
}

// ---- The sample ----

fn who_can_cases() -> Vec<(&'static str, &'static str)> {
    vec![
        ("iam:CreateUser", "*"),
        (
            "s3:GetObject",
            "arn:aws:s3:::larkspur-prod-data/orders/1.json",
        ),
        ("s3:ListBucket", "arn:aws:s3:::larkspur-dev-scratch"),
        ("ec2:DescribeInstances", "*"),
        (
            "ec2:RunInstances",
            "arn:aws:ec2:eu-west-1:523456789012:instance/*",
        ),
        (
            "cloudtrail:StopLogging",
            "arn:aws:cloudtrail:eu-west-1:412345678901:trail/main",
        ),
        (
            "cloudtrail:StopLogging",
            "arn:aws:cloudtrail:eu-west-1:523456789012:trail/main",
        ),
        ("iam:GetRole", "arn:aws:iam::412345678901:role/admin-mfa"),
        (
            "kms:Decrypt",
            "arn:aws:kms:eu-west-1:412345678901:key/7c2f1e9a-3b4d-4e8f-9a1b-2c3d4e5f6a7b",
        ),
        (
            "lambda:UpdateFunctionCode",
            "arn:aws:lambda:eu-west-1:523456789012:function:build",
        ),
    ]
}

/// who-can with people equals who-can over roles, expanded through the assignments person by person (computed
/// from each person's own paths, the other way round).
#[test]
fn who_can_people_equals_roles_expanded_through_assignments() {
    let m = sample();
    let ic = m.identity_center.as_ref().unwrap();
    let mut nonempty = 0;
    for (action, resource) in who_can_cases() {
        let w = who_can(
            &m,
            action,
            resource,
            None,
            &Context::default(),
            &Overrides::default(),
        );
        let got: BTreeSet<(String, String, Outcome)> = who_can_people(&m, &w)
            .people
            .into_iter()
            .map(|p| (p.label, p.path.role.unwrap_or_default(), p.outcome))
            .collect();
        let mut want = BTreeSet::new();
        for u in 0..ic.users.len() as u32 {
            for p in paths_of(&m, u) {
                let Some(r) = p.role_entity else { continue };
                if let Some(e) = w.principals.iter().find(|e| e.entity == r) {
                    want.insert((p.label(), p.role.clone().unwrap_or_default(), e.outcome));
                }
            }
        }
        assert_eq!(got, want, "{action} on {resource}");
        nonempty += usize::from(!got.is_empty());
    }
    assert!(nonempty >= 5, "the cases exercise people: {nonempty}");
}

#[test]
fn who_can_people_on_the_command_line() {
    let (code, out, err) = cli(&["who-can", "iam:CreateUser", "*", "--sample", "--people"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "alice@larkspur.example (group platform-admins → AdministratorAccess in larkspur-prod) — always"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "bob@larkspur.example (group all-staff → AdministratorAccess in larkspur-dev)"
        ),
        "{out}"
    );
    // The roles are still listed after the people.
    assert!(
        out.contains("AWSReservedSSO_AdministratorAccess_b7e2d94f1a6c3058 Role"),
        "{out}"
    );
    let (_, json, _) = cli(&[
        "who-can",
        "iam:CreateUser",
        "*",
        "--sample",
        "--people",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let people = v["people"].as_array().unwrap();
    assert!(
        people
            .iter()
            .any(|p| p["person"] == "carol@larkspur.example"
                && p["via"] == "group all-staff"
                && p["permission_set"] == "AdministratorAccess"
                && p["account"] == "523456789012")
    );
    // Without --people the answer is unchanged: roles only.
    let (_, plain, _) = cli(&["who-can", "iam:CreateUser", "*", "--sample"]);
    assert!(!plain.contains("alice@"), "{plain}");
}

/// Each person of the sample: every account, permission set, path and whether it is administrator access.
#[test]
fn each_sample_person_accounts_and_roles() {
    let m = sample();
    let ic = m.identity_center.as_ref().unwrap();
    let mut cache = AccessCache::default();
    // (account, permission set, via, role loaded, administrator)
    type Row = (&'static str, &'static str, &'static str, bool, bool);
    let expected: &[(&str, &[Row])] = &[
        (
            "alice@larkspur.example",
            &[
                (
                    "larkspur-dev",
                    "AdministratorAccess",
                    "group all-staff",
                    true,
                    true,
                ),
                (
                    "larkspur-dev",
                    "AdministratorAccess",
                    "group platform-admins",
                    true,
                    true,
                ),
                (
                    "larkspur-management",
                    "AdministratorAccess",
                    "group platform-admins",
                    false,
                    false,
                ),
                (
                    "larkspur-prod",
                    "AdministratorAccess",
                    "group platform-admins",
                    true,
                    true,
                ),
            ],
        ),
        (
            "bob@larkspur.example",
            &[
                (
                    "larkspur-dev",
                    "AdministratorAccess",
                    "group all-staff",
                    true,
                    true,
                ),
                ("larkspur-dev", "Developer", "group developers", true, false),
                ("larkspur-prod", "ReadOnly", "group developers", true, false),
            ],
        ),
        (
            "carol@larkspur.example",
            &[
                (
                    "larkspur-dev",
                    "AdministratorAccess",
                    "group all-staff",
                    true,
                    true,
                ),
                (
                    "larkspur-dev",
                    "ReadOnly",
                    "group security-auditors",
                    true,
                    false,
                ),
                (
                    "larkspur-prod",
                    "ReadOnly",
                    "group security-auditors",
                    true,
                    false,
                ),
            ],
        ),
        (
            "dave@larkspur.example",
            &[
                (
                    "larkspur-dev",
                    "AdministratorAccess",
                    "group all-staff",
                    true,
                    true,
                ),
                ("larkspur-dev", "Developer", "group developers", true, false),
                ("larkspur-prod", "ReadOnly", "group developers", true, false),
            ],
        ),
        (
            "erin@larkspur.example",
            &[
                (
                    "larkspur-dev",
                    "AdministratorAccess",
                    "group all-staff",
                    true,
                    true,
                ),
                ("larkspur-dev", "Developer", "group developers", true, false),
                ("larkspur-prod", "ReadOnly", "group developers", true, false),
            ],
        ),
        (
            "frank@contractor.example",
            &[("larkspur-dev", "ReadOnly", "direct assignment", true, false)],
        ),
    ];
    assert_eq!(ic.users.len(), expected.len());
    for (person, rows) in expected {
        let u = ic.find_user(person).unwrap_or_else(|| panic!("{person}"));
        let got: Vec<Row> = access_of(&m, u, &mut cache)
            .iter()
            .map(|a| {
                (
                    leak(&a.path.account_label),
                    leak(&a.path.permission_set),
                    leak(&a.path.via),
                    a.path.role.is_some(),
                    a.access.is_admin(),
                )
            })
            .collect();
        assert_eq!(&got, rows, "{person}");
        // A role that is not administrator still says what it may do, by access level, through the evaluator.
        for a in access_of(&m, u, &mut cache) {
            if a.path.role.is_some() && !a.access.is_admin() {
                let line = a.access.line();
                assert!(
                    line.contains("Read in"),
                    "{person} {}: {line}",
                    a.path.permission_set
                );
            }
            if a.path.role.is_none() {
                assert!(a.access.line().starts_with("UNKNOWN"), "{person}");
            }
        }
    }
    // The Developer set's inline Deny is enforced by the provisioned role: developers may not stop CloudTrail.
    let w = who_can(
        &m,
        "cloudtrail:StopLogging",
        "arn:aws:cloudtrail:eu-west-1:523456789012:trail/main",
        None,
        &Context::default(),
        &Overrides::default(),
    );
    let p = who_can_people(&m, &w);
    assert!(
        !p.people
            .iter()
            .any(|x| x.path.permission_set == "Developer"),
        "{:?}",
        p.people.iter().map(|x| &x.label).collect::<Vec<_>>()
    );
    let bob = ic.find_user("bob").unwrap();
    assert!(
        ic.assignments_of(bob)
            .iter()
            .any(|(v, _)| matches!(v, Via::Group(_)))
    );
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

#[test]
fn access_on_the_command_line() {
    let (code, out, err) = cli(&["access", "alice@larkspur.example", "--sample"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("alice@larkspur.example (Alice Nguyen) can use 4 roles in 3 accounts"),
        "{out}"
    );
    assert!(
        out.contains("larkspur-prod (412345678901): AdministratorAccess via group platform-admins, sessions up to PT12H"),
        "{out}"
    );
    assert!(
        out.contains("administrator (every action on every resource)"),
        "{out}"
    );
    assert!(
        out.contains("UNKNOWN: the authorization details of larkspur-management are not loaded"),
        "{out}"
    );
    let (code, out, _) = cli(&["access", "frank", "--sample", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["person"], "frank@contractor.example");
    assert_eq!(v["access"][0]["via"], "direct assignment");
    let (code, _, err) = cli(&["access", "nobody", "--sample"]);
    assert_eq!(code, 2);
    assert!(err.contains("no person `nobody`"), "{err}");
}

#[test]
fn the_sample_findings_of_identity_center() {
    let m = sample();
    // Every role matches its permission set (no drift); the one warning is the management account's missing
    // export, where the assignment's role cannot be looked up.
    let msgs: Vec<String> = m.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(msgs.len(), 1, "{msgs:#?}");
    assert!(
        msgs[0].contains("management-AdministratorAccess.json: $.AccountAssignments[0]"),
        "{msgs:?}"
    );
    let r = review(&m, &Options::default());
    let of = |c: Code| -> Vec<&iam_atlas::review::Finding> {
        r.findings.iter().filter(|f| f.code == c).collect()
    };
    // The deliberately broad assignment: all-staff is administrator of larkspur-dev.
    let broad = of(Code::SsoAdminLargeGroup);
    assert_eq!(broad.len(), 1, "{broad:#?}");
    assert!(
        broad[0].title.contains("group all-staff, 5 people"),
        "{}",
        broad[0].title
    );
    assert_eq!(broad[0].account, "523456789012");
    // platform-admins (one person) is not large.
    let mgmt = of(Code::SsoManagementAccount);
    assert_eq!(mgmt.len(), 1);
    assert!(
        mgmt[0].title.contains("group platform-admins"),
        "{}",
        mgmt[0].title
    );
    let long: Vec<&str> = of(Code::SsoLongSession)
        .iter()
        .map(|f| f.title.as_str())
        .collect();
    assert_eq!(long.len(), 1, "{long:?}");
    assert!(long[0].contains("AdministratorAccess") && long[0].contains("PT12H"));
    // Production: only alice, through platform-admins; the broad assignment is in development.
    let prod: Vec<&str> = of(Code::SsoAdminInProduction)
        .iter()
        .map(|f| f.title.as_str())
        .collect();
    assert_eq!(
        prod,
        [
            "alice@larkspur.example has administrator access in production account larkspur-prod (AdministratorAccess)"
        ]
    );
    // The FULL_ADMIN finding on the dev SSO role names its people.
    let full = of(Code::FullAdmin)
        .into_iter()
        .find(|f| {
            f.entity
                .contains("AWSReservedSSO_AdministratorAccess_4c9a0e6b2f8d1735")
        })
        .expect("the dev admin role is a full administrator");
    let text = serde_json::to_string(&full.evidence).unwrap();
    assert!(
        text.contains(
            "erin@larkspur.example (group all-staff → AdministratorAccess in larkspur-dev)"
        ),
        "{text}"
    );
    // A stricter threshold removes the large-group finding; a looser session limit removes the long one.
    let r = review(
        &m,
        &Options {
            large_group_min: 6,
            long_session_hours: 12,
            ..Options::default()
        },
    );
    assert!(
        !r.findings
            .iter()
            .any(|f| matches!(f.code, Code::SsoAdminLargeGroup | Code::SsoLongSession))
    );
}

/// The identity graph: people → groups → permission sets as assigned in each account → the provisioned roles.
#[test]
fn identity_graph_follows_people_to_roles() {
    use iam_atlas::graph::{EdgeKind, NodeKind, identity_graph};
    use petgraph::visit::EdgeRef;
    let m = sample();
    let g = identity_graph(&m);
    let find = |kind: NodeKind, label: &str| {
        g.graph
            .node_indices()
            .find(|&n| g.graph[n].kind == kind && g.graph[n].label == label)
            .unwrap_or_else(|| panic!("{label}"))
    };
    let out = |n, kind: EdgeKind| -> Vec<String> {
        let mut v: Vec<String> = g
            .graph
            .edges(n)
            .filter(|e| e.weight().kind == kind)
            .map(|e| g.graph[e.target()].label.clone())
            .collect();
        v.sort();
        v
    };
    let alice = find(NodeKind::Person, "alice@larkspur.example");
    assert_eq!(
        out(alice, EdgeKind::MemberOf),
        ["all-staff", "platform-admins"]
    );
    let admins = find(NodeKind::PersonGroup, "platform-admins");
    assert_eq!(
        out(admins, EdgeKind::Assigned),
        [
            "AdministratorAccess in larkspur-dev",
            "AdministratorAccess in larkspur-management",
            "AdministratorAccess in larkspur-prod"
        ]
    );
    // all-staff reaches the set in development only: a set is a node per account.
    let staff = find(NodeKind::PersonGroup, "all-staff");
    assert_eq!(
        out(staff, EdgeKind::Assigned),
        ["AdministratorAccess in larkspur-dev"]
    );
    let prod = find(
        NodeKind::PermissionSet,
        "AdministratorAccess in larkspur-prod",
    );
    assert_eq!(
        out(prod, EdgeKind::Provisions),
        ["AWSReservedSSO_AdministratorAccess_b7e2d94f1a6c3058"]
    );
    let mgmt = find(
        NodeKind::PermissionSet,
        "AdministratorAccess in larkspur-management",
    );
    assert!(g.graph[mgmt].flagged, "its role is not loaded");
    assert!(out(mgmt, EdgeKind::Provisions).is_empty());
    let frank = find(NodeKind::Person, "frank@contractor.example");
    assert_eq!(out(frank, EdgeKind::Assigned), ["ReadOnly in larkspur-dev"]);
}
