//! Lessons: each concept of AWS's IAM guides as a short guided tour of the bundled sample (Larkspur Labs). A
//! lesson says what the concept is (with the AWS page), what to notice, and gives steps that set the app up:
//! open a teaching case in the evaluator, select an entity, show a view. The GUI turns a step into its commands;
//! the tests check that every step resolves on the sample and that every verdict a lesson states is the
//! engine's.

use crate::eval::Decision;

/// One concept, taught on the sample.
#[derive(Debug)]
pub struct Lesson {
    /// A stable id (kebab case).
    pub id: &'static str,
    /// Its title.
    pub title: &'static str,
    /// The concept, in AWS's terms (a few sentences).
    pub concept: &'static str,
    /// The AWS documentation page it follows.
    pub doc: &'static str,
    /// What the steps show, and what to look at.
    pub notice: &'static str,
    /// What to open, in order.
    pub steps: &'static [Step],
    /// Conditions of the lesson whose truth tables it shows (computed by the engine).
    pub conditions: &'static [ConditionExample],
}

/// A condition test a lesson shows the truth table of: `operator key: values`.
#[derive(Debug)]
pub struct ConditionExample {
    /// The operator.
    pub operator: &'static str,
    /// The key.
    pub key: &'static str,
    /// The policy's values.
    pub values: &'static [&'static str],
}

const fn cond(
    operator: &'static str,
    key: &'static str,
    values: &'static [&'static str],
) -> ConditionExample {
    ConditionExample {
        operator,
        key,
        values,
    }
}

/// One step of a lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Open a teaching case (`assets/sample/teaching-cases.json`, by name) in the evaluator; the lesson says
    /// what the engine answers.
    Case(&'static str, Decision),
    /// Show an entity's page (by ARN).
    Select(&'static str),
    /// Show an entity in the graph that suits it (trust graph for roles and instance profiles), by ARN.
    Graph(&'static str),
    /// Show a view.
    Show(Place),
    /// Open an example policy in the editor: its title and text.
    Example(&'static str, &'static str),
}

/// A view a lesson can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The review's findings.
    Findings,
    /// Every teaching case as the evaluator's saved requests.
    TeachingCases,
    /// The policy editor (truth tables of conditions).
    Editor,
}

impl Step {
    /// How the step reads on its button.
    pub fn label(&self) -> String {
        match self {
            Step::Case(name, d) => format!("Evaluate {name} (expect {})", decision_text(*d)),
            Step::Select(arn) => format!("Show {}", short_arn(arn)),
            Step::Graph(arn) => format!("Show {} in the graph", short_arn(arn)),
            Step::Show(Place::Findings) => "Show the findings".to_string(),
            Step::Show(Place::TeachingCases) => "Show every teaching case".to_string(),
            Step::Show(Place::Editor) => "Open the policy editor".to_string(),
            Step::Example(title, _) => format!("Open the {title} example in the policy editor"),
        }
    }
}

/// The sample's teaching cases (`assets/sample/teaching-cases.json`, embedded): each a request with the decision
/// AWS gives it and why.
pub fn teaching_cases() -> Result<Vec<crate::eval::suite::NamedRequest>, String> {
    let name = "assets/sample/teaching-cases.json";
    let text = crate::sample::SAMPLE_FILES
        .iter()
        .find(|(p, _)| *p == "teaching-cases.json")
        .map(|(_, t)| *t)
        .ok_or_else(|| format!("{name} is not in this build"))?;
    crate::eval::suite::parse(name, text)
}

/// The teaching case named `name` (the cases are read once).
pub fn teaching_case(name: &str) -> Option<&'static crate::eval::suite::NamedRequest> {
    static CASES: std::sync::OnceLock<Vec<crate::eval::suite::NamedRequest>> =
        std::sync::OnceLock::new();
    CASES
        .get_or_init(|| teaching_cases().unwrap_or_default())
        .iter()
        .find(|c| c.name == name)
}

/// `Allow`, `explicit deny`, `implicit deny`.
pub fn decision_text(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "Allow",
        Decision::ExplicitDeny => "explicit deny",
        Decision::ImplicitDeny => "implicit deny",
    }
}

/// `user maria.silva` for `arn:aws:iam::412345678901:user/maria.silva`; the ARN's resource part, path dropped.
fn short_arn(arn: &str) -> String {
    let resource = crate::arn::Arn::fields(arn).map_or(arn, |a| a.resource);
    match resource.split_once('/') {
        Some((kind, rest)) if kind != "policy" || !rest.contains("_policy/") => {
            let name = rest.rsplit('/').next().unwrap_or(rest);
            format!("{} {name}", kind.replace('-', " "))
        }
        // Organizations policies: `policy/o-…/service_control_policy/p-…`.
        _ => resource.to_string(),
    }
}

macro_rules! prod {
    ($rest:literal) => {
        concat!("arn:aws:iam::412345678901:", $rest)
    };
}

macro_rules! dev {
    ($rest:literal) => {
        concat!("arn:aws:iam::523456789012:", $rest)
    };
}

use Decision::{Allow, ExplicitDeny, ImplicitDeny};

/// Every lesson, in the order of AWS's IAM user guide.
pub fn lessons() -> &'static [Lesson] {
    LESSONS
}

/// The lesson with this id.
pub fn lesson(id: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.id == id)
}

static LESSONS: &[Lesson] = &[
    Lesson {
        id: "root-vs-administrator",
        title: "The root user and an administrator",
        concept: "Every AWS account has one root user, the identity the account was created with; it has complete \
                  access to every resource of the account and IAM policies cannot restrict it (in a member account of \
                  an organisation, SCPs still do). AWS recommends not using it for everyday tasks. An administrator is \
                  an ordinary IAM user or role with a broad policy such as AdministratorAccess: every explicit deny, \
                  permissions boundary and SCP still applies to it.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html",
        notice: "maria.silva is an administrator through group admins and may read the production data, yet the \
                 Production OU's SCP ProtectProduction denies her cloudtrail:StopLogging. The root user is not an IAM \
                 entity: it shows only in the credential report (`<root_account>`), here with MFA active.",
        conditions: &[],
        steps: &[
            Step::Select(prod!("user/maria.silva")),
            Step::Case("admin-with-mfa-reads-prod-data", Allow),
            Step::Case("admin-cannot-stop-cloudtrail", ExplicitDeny),
        ],
    },
    Lesson {
        id: "new-user-no-permissions",
        title: "A new user has no permissions",
        concept: "A new IAM user can do nothing until a policy allows it. Every request starts as an implicit deny, \
                  and only an Allow in an applicable policy changes that; creating the user gives it an identity and, \
                  if you choose, credentials, but no permissions.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_create.html",
        notice: "lena.fischer's page lists no group and no policy. The evaluator answers implicit deny: no statement \
                 of any layer matches. The SCPs' FullAWSAccess does not help, because SCPs never grant.",
        conditions: &[],
        steps: &[
            Step::Select(prod!("user/lena.fischer")),
            Step::Case("new-user-has-no-permissions", ImplicitDeny),
        ],
    },
    Lesson {
        id: "groups",
        title: "Groups hold users; they do not nest and are not principals",
        concept: "An IAM group is a collection of IAM users that policies can be attached to, so that every member \
                  gets them. A group can contain only users, never other groups, and it is not an identity: it \
                  cannot be named as a Principal in a resource-based or trust policy, and it never makes a request. \
                  A group's policies are evaluated as identity-based policies of each member.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html",
        notice: "In the identity graph, developers links users on one side and policies on the other, never another \
                 group. The request is made by james.okafor, and the group's LarkspurDeveloperAccess is what allows \
                 it.",
        conditions: &[],
        steps: &[
            Step::Graph(prod!("group/developers")),
            Step::Case("developer-writes-prod-data", Allow),
        ],
    },
    Lesson {
        id: "several-groups",
        title: "A user in several groups",
        concept: "A user can belong to several groups (up to 10). Its identity-based policies are then its own \
                  policies and those of every group together: the union of what they allow, and an explicit deny in \
                  any one of them still overrides every allow.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html",
        notice: "omar.haddad is in auditors and billing: he reads Cost Explorer through billing's \
                 LarkspurBillingAccess and the IAM configuration through auditors' SecurityAudit.",
        conditions: &[],
        steps: &[
            Step::Select(prod!("user/omar.haddad")),
            Step::Case("two-groups-billing-side", Allow),
            Step::Case("two-groups-auditor-side", Allow),
        ],
    },
    Lesson {
        id: "managed-inline-versions",
        title: "Managed and inline policies; only the default version applies",
        concept: "A managed policy stands alone and can be attached to many users, groups and roles: AWS writes and \
                  updates AWS-managed policies (arn:aws:iam::aws:policy/…), you write customer-managed ones. An inline \
                  policy is part of one user, group or role and is deleted with it. A customer-managed policy keeps \
                  up to five versions, and only the one marked default is used when requests are evaluated.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html",
        notice: "LarkspurDeveloperAccess has three versions. v2 is the default and allows iam:PassRole on *, so \
                 james.okafor may pass the etl-batch role to Glue; v3 would restrict it, but does not apply until it \
                 becomes the default. Group admins combines the AWS-managed AdministratorAccess with its own inline \
                 RequireMFA.",
        conditions: &[],
        steps: &[
            Step::Select(prod!("policy/larkspur/LarkspurDeveloperAccess")),
            Step::Case("developer-passes-any-role", Allow),
            Step::Select(prod!("group/admins")),
        ],
    },
    Lesson {
        id: "policy-elements",
        title: "The elements of a policy",
        concept: "A policy document has a Version (2012-10-17: policy variables such as ${aws:username} work only \
                  with it) and one or more statements. A statement has an Effect (Allow or Deny), an Action or \
                  NotAction, a Resource or NotResource, a Principal in resource-based and trust policies, and an \
                  optional Condition; Sid only names it. The elements of a statement must all match, and any one of \
                  the values listed in an element may.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html",
        notice: "IAMUserChangePassword allows iam:ChangePassword on arn:aws:iam::*:user/${aws:username}: the Resource \
                 element with a variable. sofia.rossi may change her own password, not james.okafor's.",
        conditions: &[],
        steps: &[
            Step::Select("arn:aws:iam::aws:policy/IAMUserChangePassword"),
            Step::Case("change-own-password", Allow),
            Step::Case("change-someone-elses-password", ImplicitDeny),
        ],
    },
    Lesson {
        id: "explicit-deny-wins",
        title: "An explicit deny wins",
        concept: "AWS evaluates every policy that applies to a request. If any statement of any of them denies it, \
                  the answer is an explicit deny, whatever the others allow; the order of statements and policies \
                  does not matter.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html",
        notice: "One policy, LarkspurDeveloperAccess v2, allows s3:* on the production data bucket and denies \
                 s3:DeleteObject there: writing is allowed, deleting is explicitly denied.",
        conditions: &[],
        steps: &[
            Step::Case("developer-writes-prod-data", Allow),
            Step::Case("explicit-deny-beats-allow", ExplicitDeny),
        ],
    },
    Lesson {
        id: "deny-unless-source-ip",
        title: "Deny unless the request comes from the office network",
        concept: "A Deny with NotIpAddress on aws:SourceIp denies every request whose source address is outside the \
                  listed ranges. NotIpAddress holds when the key is missing, as it is for requests through a VPC \
                  endpoint, so those are denied too; and when an AWS service calls another on your behalf the source \
                  is the service's address, which is why AWS's example also tests Bool aws:ViaAWSService false. An \
                  Allow with IpAddress is different: outside the range it simply does not allow.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-ip.html",
        notice: "omar.haddad, the same action twice: from 203.0.113.25 his groups allow it; from 198.51.100.7 his \
                 inline DenyOutsideOffice denies it explicitly. Compare office-reports, whose Allow has IpAddress: \
                 from outside it is an implicit deny.",
        conditions: &[cond("NotIpAddress", "aws:SourceIp", &["203.0.113.0/24"])],
        steps: &[
            Step::Case("two-groups-billing-side", Allow),
            Step::Case("deny-unless-office-network", ExplicitDeny),
            Step::Case("outside-office-network", ImplicitDeny),
        ],
    },
    Lesson {
        id: "region-guardrails",
        title: "Region guardrails",
        concept: "An SCP can deny requests outside the approved Regions with StringNotEquals on aws:RequestedRegion. \
                  Global services such as IAM, Organizations and STS's global endpoint are served from us-east-1, so \
                  such a guardrail exempts them with NotAction. Like every SCP it only limits the IAM users and roles \
                  of the member accounts below it; it grants nothing.",
        doc: "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html",
        notice: "eu-only-ops may stop instances in eu-west-1. In us-east-1 the guardrail permits it but the role's own \
                 policy does not allow it (implicit deny); in ap-southeast-2 the Workloads OU's \
                 WorkloadsRegionGuardrail denies it explicitly.",
        conditions: &[cond(
            "StringNotEquals",
            "aws:RequestedRegion",
            &["eu-west-1", "us-east-1"],
        )],
        steps: &[
            Step::Select(
                "arn:aws:organizations::634567890123:policy/o-lk7q2x9m4z/service_control_policy/p-7t3v8n1c",
            ),
            Step::Case("region-condition-ireland", Allow),
            Step::Case("region-condition-virginia", ImplicitDeny),
            Step::Case("region-scp-sydney", ExplicitDeny),
        ],
    },
    Lesson {
        id: "mfa-to-assume-a-role",
        title: "MFA to assume a role",
        concept: "A role's trust policy can require MFA with Bool aws:MultiFactorAuthPresent true and limit how old \
                  the MFA sign-in may be with NumericLessThan aws:MultiFactorAuthAge. The keys come from the caller's \
                  credentials: long-term access keys carry no aws:MultiFactorAuthPresent at all, so an Allow tests it \
                  with Bool (false when missing) and a Deny with BoolIfExists … false.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html",
        notice: "maria.silva assumes admin-mfa with an MFA sign-in 900 s old: allowed. 7200 s old: the trust \
                 statement's NumericLessThan 3600 fails, and the evaluator shows the statement that almost allowed \
                 it.",
        conditions: &[
            cond("Bool", "aws:MultiFactorAuthPresent", &["true"]),
            cond("BoolIfExists", "aws:MultiFactorAuthPresent", &["false"]),
            cond("NumericLessThan", "aws:MultiFactorAuthAge", &["3600"]),
        ],
        steps: &[
            Step::Graph(prod!("role/admin-mfa")),
            Step::Case("assume-admin-role-fresh-mfa", Allow),
            Step::Case("assume-admin-role-stale-mfa", ImplicitDeny),
        ],
    },
    Lesson {
        id: "abac",
        title: "Attribute-based access control (tags)",
        concept: "ABAC grants access by comparing attributes, in AWS tags: a statement allows an action when the \
                  resource's tag (aws:ResourceTag/team) equals the principal's (${aws:PrincipalTag/team}). New \
                  resources and new people need the right tags, not a policy change.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/introduction_attribute-based-access-control.html",
        notice: "data-analyst is tagged team=analytics: it may query the analytics Athena workgroup, not the \
                 payments one.",
        conditions: &[],
        steps: &[
            Step::Select(prod!("role/data-analyst")),
            Step::Case("tag-based-access-matching-team", Allow),
            Step::Case("tag-based-access-other-team", ImplicitDeny),
        ],
    },
    Lesson {
        id: "temporary-access",
        title: "Temporary access with DateLessThan",
        concept: "A condition on aws:CurrentTime limits when an Allow applies: DateGreaterThan for the start, \
                  DateLessThan for the end. After the end the statement no longer applies, so the access ends \
                  without anyone removing the policy.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws-dates.html",
        notice: "contractor-temp reads the reports in November 2026, and no longer in January 2027: its only Allow \
                 ends on 2026-12-31.",
        conditions: &[cond(
            "DateLessThan",
            "aws:CurrentTime",
            &["2026-12-31T23:59:59Z"],
        )],
        steps: &[
            Step::Select(prod!("role/contractor-temp")),
            Step::Case("contractor-before-expiry", Allow),
            Step::Case("contractor-after-expiry", ImplicitDeny),
        ],
    },
    Lesson {
        id: "trust-vs-permissions",
        title: "A role's trust policy and its permissions policies",
        concept: "A role has two kinds of policy. Its trust policy, a resource-based policy attached to the role, says \
                  which principals may assume it; its permissions policies say what the role may do once assumed. \
                  Being trusted grants nothing else, and a role's permissions are of no use to someone the trust \
                  policy does not name.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html",
        notice: "The trust graph shows who may assume cross-account-deploy: the dev account's ci-pipeline, and only \
                 with the right sts:ExternalId. Its page lists the trust policy apart from the permissions policies.",
        conditions: &[],
        steps: &[
            Step::Graph(prod!("role/cross-account-deploy")),
            Step::Case("cross-account-assume-with-external-id", Allow),
            Step::Case("cross-account-assume-without-external-id", ImplicitDeny),
        ],
    },
    Lesson {
        id: "assume-role-both-sides",
        title: "AssumeRole needs both sides",
        concept: "To assume a role, the role's trust policy must allow the caller, and the caller's identity-based \
                  policies must allow sts:AssumeRole on the role. In the same account, a trust policy that names the \
                  user or role itself is enough on its own; one that names the account \
                  (arn:aws:iam::ACCOUNT:root) delegates to the account's IAM policies, which must then allow it too.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html",
        notice: "admin-mfa trusts the account root (with MFA): maria.silva's AdministratorAccess supplies the \
                 identity side. Across accounts, ci-pipeline's own policy allows the call, but without the external \
                 id the trust side does not.",
        conditions: &[],
        steps: &[
            Step::Case("assume-admin-role-fresh-mfa", Allow),
            Step::Case("cross-account-assume-without-external-id", ImplicitDeny),
        ],
    },
    Lesson {
        id: "cross-account",
        title: "Cross-account access needs both accounts",
        concept: "When the principal and the resource are in different accounts, the resource's account must allow \
                  the principal in a resource-based policy (or a role's trust policy), and the principal's account \
                  must allow the action in the principal's identity-based policies. Either side alone is an implicit \
                  deny.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html",
        notice: "analytics-reader (dev) reads the production bucket: its own policy and the bucket policy both allow. \
                 analytics-sandbox has the same identity policy, but the bucket policy does not name it.",
        conditions: &[],
        steps: &[
            Step::Case("cross-account-read-granted-both-sides", Allow),
            Step::Case("cross-account-read-missing-bucket-grant", ImplicitDeny),
            Step::Case("cross-account-write-not-granted", ImplicitDeny),
        ],
    },
    Lesson {
        id: "instance-profile",
        title: "An instance profile passes a role to EC2",
        concept: "An EC2 instance does not have a role directly: it is launched with an instance profile, a container \
                  for one role. Applications on the instance get the role's temporary credentials from the instance \
                  metadata, and the role's trust policy must trust ec2.amazonaws.com.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html",
        notice: "The instance profile webshop-app-ec2 holds the role webshop-app-ec2, trusted by EC2; the webshop \
                 reads its database secret as that role.",
        conditions: &[],
        steps: &[
            Step::Graph(prod!("instance-profile/app/webshop-app-ec2")),
            Step::Select(prod!("role/app/webshop-app-ec2")),
            Step::Case("secret-readable-by-app", Allow),
        ],
    },
    Lesson {
        id: "boundaries-and-scps-cap",
        title: "Permissions boundaries and SCPs cap, never grant",
        concept: "A permissions boundary on a user or role, and the SCPs above its account, set the most that its \
                  identity-based policies can grant: a request is allowed only if the identity policy, the boundary \
                  and every level of SCPs allow it. Neither grants anything by itself, and an explicit deny in either \
                  wins.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
        notice: "raj.mehta's group allows iam:PassRole but his boundary LarkspurDeveloperBoundary does not: implicit \
                 deny. Where both allow, he may. etl-batch's inline policy allows s3:* but its boundary only \
                 Get/Put/List.",
        conditions: &[],
        steps: &[
            Step::Select(prod!("user/raj.mehta")),
            Step::Case("boundary-blocks-passrole", ImplicitDeny),
            Step::Case("boundary-allows-overlap", Allow),
            Step::Case("role-boundary-blocks-delete", ImplicitDeny),
        ],
    },
    Lesson {
        id: "access-keys-are-credentials",
        title: "Access keys are credentials, not permissions",
        concept: "An access key (an id and a secret) lets a program sign requests as a user; it carries no permission \
                  of its own, and what it can do is what the user's policies allow on each request. Long-lived keys \
                  should be rotated and removed when unused; roles and IAM Identity Center give temporary \
                  credentials instead.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
        notice: "ci-deploy's keys date from 2022 (a finding), but what they can do comes from its inline \
                 LegacyPipelineDeploy, which may rewrite managed policies. maria.silva's access keys send no MFA key, \
                 so her group's RequireMFA denies them.",
        conditions: &[],
        steps: &[
            Step::Select(prod!("user/service/ci-deploy")),
            Step::Case("ci-user-can-rewrite-managed-policies", Allow),
            Step::Case("admin-access-keys-without-mfa-key", ExplicitDeny),
        ],
    },
    Lesson {
        id: "password-policy-and-mfa",
        title: "Password policy and MFA (the credential report)",
        concept: "An account's password policy sets the length, characters, expiry and reuse of its IAM users' \
                  console passwords; it does not apply to the root user or to access keys. The credential report \
                  lists every user's password, MFA device and access keys. MFA is enforced only where a policy tests \
                  aws:MultiFactorAuthPresent.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html",
        notice: "sofia.rossi signs in with a password and no MFA device, and group developers has no MFA condition, \
                 so she keeps full access without MFA. The findings list her, and larkspur-dev's weak password \
                 policy.",
        conditions: &[],
        steps: &[
            Step::Select(prod!("user/sofia.rossi")),
            Step::Case("developer-without-mfa-still-works", Allow),
            Step::Show(Place::Findings),
        ],
    },
    Lesson {
        id: "unused-access",
        title: "Unused access",
        concept: "IAM records when each role, password and access key was last used, and which services each \
                  identity last used. Access that has not been used for a long time can be removed: fewer \
                  credentials and permissions to steal or misuse.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html",
        notice: "BreakGlassAdmin was last used on 2025-06-03; legacy-jenkins's access key has not been used since \
                 2025-03-14, and ci-deploy's second key since 2024-05-02. The findings list them.",
        conditions: &[],
        steps: &[
            Step::Select(prod!("role/BreakGlassAdmin")),
            Step::Select(dev!("user/service/legacy-jenkins")),
            Step::Show(Place::Findings),
        ],
    },
    Lesson {
        id: "access-denied",
        title: "Troubleshooting \"Access Denied\"",
        concept: "An access denied error comes from an explicit deny in some policy, or from the absence of an Allow in \
                  a policy type that must allow: identity-based policies, a permissions boundary, an SCP, a session \
                  policy, a role's trust policy or the resource-based policy across accounts. AWS's message names the \
                  policy type; look for a deny first, then for the layer without an Allow, and then for the \
                  condition that did not match.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html",
        notice: "The evaluator names the deciding layer of each: a boundary without an Allow, a trust policy whose \
                 condition almost matched, an SCP and a bucket policy that deny. Then try the other teaching cases: \
                 each says why AWS decides as it does.",
        conditions: &[],
        steps: &[
            Step::Case("boundary-blocks-passrole", ImplicitDeny),
            Step::Case("assume-admin-role-stale-mfa", ImplicitDeny),
            Step::Case("admin-cannot-delete-prod-data-bucket", ExplicitDeny),
            Step::Show(Place::TeachingCases),
        ],
    },
    Lesson {
        id: "service-linked-roles",
        title: "Service-linked roles",
        concept: "A service-linked role is created and managed by an AWS service, under the path /aws-service-role/: \
                  only that service may assume it, and its permissions are the ones the service defines, which you \
                  cannot change. SCPs do not restrict service-linked roles.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html",
        notice: "AWSServiceRoleForECS is trusted by ecs.amazonaws.com only; its policy is AWS-managed.",
        conditions: &[],
        steps: &[Step::Graph(prod!(
            "role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
        ))],
    },
    Lesson {
        id: "identity-center-roles",
        title: "IAM Identity Center roles",
        concept: "IAM Identity Center signs people in and gives them access to accounts through permission sets. \
                  Assigning a permission set to a user or group in an account creates there a role named \
                  AWSReservedSSO_<set>_<suffix> under /aws-reserved/sso.amazonaws.com/, trusted through the \
                  account's SAML provider. People act as that role: its policies, and the account's SCPs, decide what \
                  they can do.",
        doc: "https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html",
        notice: "The permission set AdministratorAccess is assigned to the group all-staff in larkspur-dev: everyone \
                 in the company can act as this role there (a finding).",
        conditions: &[],
        steps: &[
            Step::Graph(dev!(
                "role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_4c9a0e6b2f8d1735"
            )),
            Step::Show(Place::Findings),
        ],
    },
    Lesson {
        id: "condition-operators",
        title: "Condition operators that surprise: missing keys and several values",
        concept: "A negated operator (StringNotEquals, NotIpAddress…) holds when the key is missing; so does any \
                  operator ending in IfExists, and ForAllValues (every value of an empty set matches), while \
                  ForAnyValue does not. Without a set operator, AWS does not say whether some or every value of a key \
                  with several values must match: where the two differ, the answer is undecided.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html",
        notice: "Put the cursor inside each condition of the example: its truth table, computed by the evaluator, \
                 shows what it answers for a missing key, a matching value, another value, both, and an empty set. \
                 Long-term access keys send no MFA key, so BoolIfExists in RequireMFA denies them.",
        conditions: &[
            cond(
                "ForAllValues:StringEquals",
                "aws:TagKeys",
                &["team", "cost-center"],
            ),
            cond("ForAnyValue:StringEquals", "aws:TagKeys", &["team"]),
            cond("StringEquals", "aws:TagKeys", &["team"]),
            cond("StringNotEquals", "aws:RequestedRegion", &["eu-west-1"]),
            cond(
                "StringEqualsIfExists",
                "aws:RequestedRegion",
                &["eu-west-1"],
            ),
        ],
        steps: &[
            Step::Example("condition operators", CONDITION_EXAMPLE),
            Step::Case("admin-access-keys-without-mfa-key", ExplicitDeny),
        ],
    },
];

/// The condition-operators lesson's example: the operators whose answer for a missing key or several values
/// surprises, one statement each.
const CONDITION_EXAMPLE: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "OnlyTheseTagKeys",
            "Effect": "Allow",
            "Action": "ec2:CreateTags",
            "Resource": "*",
            "Condition": {
                "ForAllValues:StringEquals": {
                    "aws:TagKeys": ["team", "cost-center"]
                },
                "Null": {
                    "aws:TagKeys": "false"
                }
            }
        },
        {
            "Sid": "AtLeastTheTeamTag",
            "Effect": "Allow",
            "Action": "ec2:CreateTags",
            "Resource": "*",
            "Condition": {
                "ForAnyValue:StringEquals": {
                    "aws:TagKeys": "team"
                }
            }
        },
        {
            "Sid": "DenyOutsideTheRegions",
            "Effect": "Deny",
            "Action": "ec2:*",
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {
                    "aws:RequestedRegion": ["eu-west-1", "us-east-1"]
                }
            }
        },
        {
            "Sid": "DenyWithoutMfa",
            "Effect": "Deny",
            "Action": "iam:*",
            "Resource": "*",
            "Condition": {
                "BoolIfExists": {
                    "aws:MultiFactorAuthPresent": "false"
                }
            }
        }
    ]
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_texts_short() {
        let mut ids: Vec<&str> = lessons().iter().map(|l| l.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), lessons().len());
        for l in lessons() {
            let sentences = l.concept.matches(". ").count() + 1;
            assert!((1..=5).contains(&sentences), "{}: {sentences}", l.id);
            assert!(
                l.doc.starts_with("https://docs.aws.amazon.com/"),
                "{}",
                l.id
            );
            assert!(!l.steps.is_empty(), "{}", l.id);
        }
        assert!(lesson("abac").is_some());
        // Every condition shown has a truth table.
        for l in lessons() {
            for c in l.conditions {
                assert!(
                    crate::eval::truth_table::truth_table(c.operator, c.key, c.values).is_some(),
                    "{}: {}",
                    l.id,
                    c.operator
                );
            }
        }
        // The examples are policies without errors.
        for l in lessons() {
            for step in l.steps {
                if let Step::Example(title, text) = step {
                    let parsed =
                        crate::policy::parse_text(text, &mut crate::policy::Interner::default());
                    let errors: Vec<_> = parsed
                        .diagnostics
                        .iter()
                        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
                        .collect();
                    assert!(errors.is_empty(), "{title}: {errors:?}");
                    assert!(!parsed.policy.statements.is_empty(), "{title}");
                }
            }
        }
    }

    #[test]
    fn labels_name_the_entity() {
        assert_eq!(
            Step::Select(prod!("user/service/ci-deploy")).label(),
            "Show user ci-deploy"
        );
        assert_eq!(
            Step::Graph(prod!("instance-profile/app/webshop-app-ec2")).label(),
            "Show instance profile webshop-app-ec2 in the graph"
        );
        assert_eq!(
            Step::Case("abc", Decision::ImplicitDeny).label(),
            "Evaluate abc (expect implicit deny)"
        );
    }
}
