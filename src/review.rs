//! The review: what is risky in the loaded accounts, as findings with evidence.
//!
//! Three families, one file each: account hygiene (the CIS AWS Foundations Benchmark, section 1, as the
//! reference; [`hygiene`]), external access (Access Analyzer's external-access findings, offline; [`external`])
//! and unused access (IAM's last-accessed data, `RoleLastUsed` and the credential report; [`unused`]).
//! Whether a principal *can* do something is always decided by the evaluator with every layer (SCPs, RCPs,
//! boundaries, resource policies, conditions): a guardrail that blocks a grant removes the finding, and a
//! condition that limits it is shown with it. Nothing is decided by matching policy text.
//!
//! Each finding has a stable [`Code`], a severity, the entity (an ARN), its evidence (statements with their
//! `file:line:col`, credential-report fields, or the evaluator's decision), a remediation and a short "why this
//! matters" a learner understands. The per-principal work runs in parallel on the available cores.

pub mod admin;
pub mod baseline;
pub mod external;
pub mod hygiene;
pub mod identity_center;
pub mod report;
pub mod unused;

use crate::account::{EntityRef, Model, PolicyDoc};
use crate::eval::reverse::all_principals;
use crate::time::Timestamp;
use serde::Serialize;

/// How bad a finding is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing to fix.
    Info,
    /// Best practice.
    Low,
    /// Fix soon.
    Medium,
    /// Fix now.
    High,
    /// Exploitable from outside, or the whole account at stake.
    Critical,
}

impl Severity {
    /// All, most severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// Lowercase name (`critical`).
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parse a lowercase name.
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|x| x.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// What a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// The root user (CIS 1.4–1.7).
    Root,
    /// Passwords, MFA, access keys (CIS 1.8–1.14).
    Credentials,
    /// Who holds which permissions, and how (CIS 1.15–1.16).
    Permissions,
    /// Principals outside the zone of trust let in (Access Analyzer).
    ExternalAccess,
    /// Permissions and credentials nobody uses.
    UnusedAccess,
    /// What the review could not check.
    Coverage,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 6] = [
        Category::Root,
        Category::Credentials,
        Category::Permissions,
        Category::ExternalAccess,
        Category::UnusedAccess,
        Category::Coverage,
    ];

    /// Kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Category::Root => "root",
            Category::Credentials => "credentials",
            Category::Permissions => "permissions",
            Category::ExternalAccess => "external-access",
            Category::UnusedAccess => "unused-access",
            Category::Coverage => "coverage",
        }
    }
}

/// Declares the finding codes once: the enum, its stable string, severity, category, title, why and remediation.
/// A code that is not declared here cannot be raised.
macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $sev:ident, $cat:ident, $title:literal,
        why: $why:literal, fix: $fix:literal; )*) => {
        /// A finding's stable code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $(#[$doc])* $name, )* }

        impl Code {
            /// Every code, in the order of the registry.
            pub const ALL: &'static [Code] = &[ $( Code::$name, )* ];

            /// The stable string (`ROOT_ACCESS_KEY`).
            pub fn as_str(self) -> &'static str { match self { $( Code::$name => $code, )* } }

            /// Its severity.
            pub fn severity(self) -> Severity { match self { $( Code::$name => Severity::$sev, )* } }

            /// Its category.
            pub fn category(self) -> Category { match self { $( Code::$name => Category::$cat, )* } }

            /// A one-line summary of the rule.
            pub fn summary(self) -> &'static str { match self { $( Code::$name => $title, )* } }

            /// Why it matters, for a learner.
            pub fn why(self) -> &'static str { match self { $( Code::$name => $why, )* } }

            /// What to do.
            pub fn remediation(self) -> &'static str { match self { $( Code::$name => $fix, )* } }

            /// The code named `s`.
            pub fn parse(s: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.as_str() == s)
            }
        }
    };
}

codes! {
    /// CIS 1.4.
    RootAccessKey = "ROOT_ACCESS_KEY", Critical, Root, "the root user has an active access key",
        why: "The root user can do anything in the account, and no policy, SCP or boundary limits it. An access key is a long-lived secret: whoever copies it from a laptop, a CI variable or a repository owns the account.",
        fix: "Delete the root user's access keys (IAM console, Security credentials, as root); use IAM roles for automation.";
    /// CIS 1.7.
    RootRecentlyUsed = "ROOT_RECENTLY_USED", High, Root, "the root user was used recently",
        why: "Daily work as root leaves no room for least privilege and makes every mistake or stolen session unrestricted. Root is for the few tasks only it can do; any other use should be investigated.",
        fix: "Find out who used root and why (CloudTrail, userIdentity.type Root); do daily work with roles, and lock the root credentials away.";
    /// CIS 1.5.
    RootNoMfa = "ROOT_NO_MFA", Critical, Root, "the root user has no MFA device",
        why: "Without MFA, the root password alone (phished, reused, guessed) gives unrestricted control of the account, including closing it.",
        fix: "Enable a hardware or virtual MFA device on the root user (CIS 1.5, 1.6).";
    /// CIS 1.10.
    ConsoleUserNoMfa = "CONSOLE_USER_NO_MFA", High, Credentials, "a user with a console password has no MFA",
        why: "A password is a single factor: phishing or reuse from another site is enough to sign in as this user with all of its permissions.",
        fix: "Enable MFA for the user, and deny actions without `aws:MultiFactorAuthPresent` (as group admins' RequireMFA does) so that a missing device blocks access.";
    /// CIS 1.14.
    AccessKeyNotRotated = "ACCESS_KEY_NOT_ROTATED", Medium, Credentials, "an active access key is older than 90 days",
        why: "The longer a key lives, the more places it is copied to (laptops, CI settings, old backups), and a leaked key works until it is rotated.",
        fix: "Create a second key, switch the consumers to it, deactivate then delete the old one; better, replace the user's keys with a role.";
    /// CIS 1.12.
    AccessKeyUnused = "ACCESS_KEY_UNUSED", Medium, UnusedAccess, "an active access key has not been used for 45 days",
        why: "A key nobody uses still works for whoever finds it, and its loss would go unnoticed.",
        fix: "Deactivate the key now and delete it once nothing breaks.";
    /// CIS 1.13.
    TwoActiveKeys = "TWO_ACTIVE_KEYS", Low, Credentials, "a user has two active access keys",
        why: "Two active keys are meant only for the few minutes of a rotation; two long-lived keys double the secrets to protect and usually mean the old one was forgotten.",
        fix: "Finish the rotation: deactivate and delete the older key.";
    /// CIS 1.12.
    PasswordUnused = "PASSWORD_UNUSED", Medium, UnusedAccess, "a console password has not been used for 45 days",
        why: "An unused password still signs in; nobody would notice if someone else did.",
        fix: "Remove the user's console password (delete the login profile), or the user if it is gone.";
    /// CIS 1.8, 1.9.
    PasswordPolicyWeak = "PASSWORD_POLICY_WEAK", Medium, Credentials, "the password policy is weaker than CIS recommends",
        why: "Short or reusable passwords are guessed and replayed; CIS asks for at least 14 characters and no reuse of the last 24.",
        fix: "Set the account password policy to a minimum length of 14 and password reuse prevention of 24 (`aws iam update-account-password-policy`).";
    /// CIS 1.15.
    UserDirectPolicy = "USER_DIRECT_POLICY", Low, Permissions, "a user has policies attached directly instead of through a group",
        why: "Permissions given user by user drift apart and are forgotten when people change jobs; through groups, one change reaches everyone in the role and reviews stay small.",
        fix: "Move the policies to a group that describes the job and add the user to it.";
    /// CIS 1.16.
    FullAdmin = "FULL_ADMIN", High, Permissions, "a principal has full administrative access (`*` on `*`)",
        why: "Full administrative access can read every secret, delete every resource and grant itself anything else; each such principal is a way to lose the whole account.",
        fix: "Keep administrators few, require MFA, and give everyone else job-specific policies; check that guardrails (SCPs, boundaries) cap what admins may not do.";
    /// CIS 1.16 (through IAM).
    IamAdmin = "IAM_ADMIN", High, Permissions, "a principal can write its own IAM policies",
        why: "A principal that may attach or write policies on itself can grant itself `*` on `*`: it is an administrator in all but name.",
        fix: "Remove iam:Put*/Attach* on the principal itself, or cap them with a permissions boundary and `iam:PermissionsBoundary` conditions.";
    /// Best practice (IAM user guide).
    SharedInlinePolicy = "SHARED_INLINE_POLICY", Low, Permissions, "the same inline policy is repeated on several principals",
        why: "Copies of one inline policy drift apart when one is fixed and the others are forgotten; a managed policy is written, versioned and reviewed once.",
        fix: "Create one customer-managed policy with this document, attach it to the principals (or a group), and delete the inline copies.";
    /// Access Analyzer: public.
    PublicAccess = "PUBLIC_ACCESS", Critical, ExternalAccess, "anyone can use the resource or assume the role",
        why: "The policy lets in any AWS account (or anyone at all) with no condition: every AWS customer, and attackers scanning for such policies, can do what it allows.",
        fix: "Name the accounts or roles that need access, or limit it with `aws:PrincipalOrgID` / `aws:SourceAccount`; use S3 Block Public Access for buckets.";
    /// Access Analyzer: public, limited by conditions.
    PublicAccessConditional = "PUBLIC_ACCESS_CONDITIONAL", High, ExternalAccess, "anyone can get in, limited only by conditions",
        why: "The principal is `*`: only the conditions listed stand between every AWS account and the resource. Network conditions and the like are easy to get wrong and do not identify who calls.",
        fix: "Name the trusted principals or add an identity condition (`aws:PrincipalOrgID`, `aws:PrincipalAccount`) besides the network ones.";
    /// Access Analyzer: cross-account.
    ExternalAccount = "EXTERNAL_ACCOUNT", Medium, ExternalAccess, "a principal outside the zone of trust is let in",
        why: "An account outside the zone of trust decides for itself who among its users and roles may use this access. Each such grant should be known, intended and as narrow as possible.",
        fix: "Confirm the grant is intended; narrow the actions; for third parties require `sts:ExternalId`; remove it otherwise.";
    /// Access Analyzer: federated.
    FederatedAccess = "FEDERATED_ACCESS", Info, ExternalAccess, "an identity provider's users can assume the role",
        why: "Users of an identity provider (SAML or OIDC) get this role's permissions; the provider's conditions (audience, subject) decide which of them.",
        fix: "Keep the audience and subject conditions as narrow as the use needs.";
    /// OIDC trust without a subject condition.
    OidcNoSubject = "OIDC_NO_SUBJECT", Critical, ExternalAccess, "an OIDC trust does not limit the token's subject",
        why: "Without a `sub` condition, any identity the provider issues tokens for can assume the role: for GitHub Actions, any workflow of any repository on github.com.",
        fix: "Add a `StringEquals`/`StringLike` condition on `PROVIDER:sub` naming the repositories, branches or service accounts that may assume the role, besides `PROVIDER:aud`.";
    /// SAML trust without an audience condition.
    SamlNoAudience = "SAML_NO_AUDIENCE", Medium, ExternalAccess, "a SAML trust does not check the assertion's audience",
        why: "AWS recommends `SAML:aud` so that only assertions meant for the AWS sign-in endpoint are accepted.",
        fix: "Add `\"StringEquals\": {\"SAML:aud\": \"https://signin.aws.amazon.com/saml\"}` to the trust statement.";
    /// Confused deputy.
    ConfusedDeputy = "CONFUSED_DEPUTY", Medium, ExternalAccess, "an AWS service is let in without `aws:SourceAccount` or `aws:SourceArn`",
        why: "A service principal acts for every AWS customer. Without a source condition, another customer can make the service use this grant on their behalf (the confused deputy problem).",
        fix: "Add `aws:SourceAccount` (and `aws:SourceArn` where the service sets it) to the statement that names the service.";
    /// Last-accessed data.
    UnusedService = "UNUSED_SERVICE", Low, UnusedAccess, "a principal is granted services it has not used",
        why: "Permissions nobody uses only help whoever steals the principal's credentials. IAM's last-accessed data shows what the principal really needs.",
        fix: "Replace the principal's policies with the draft least-privilege policy built from what it used (check the access it removes first).";
    /// RoleLastUsed.
    RoleUnused = "ROLE_UNUSED", Low, UnusedAccess, "a role has not been used recently",
        why: "A role nobody assumes still grants its permissions to whoever its trust policy lets in; unused roles are forgotten and never reviewed.",
        fix: "Delete the role, or document why it must stay (a break-glass role is expected to be idle, and every use investigated).";
    /// IAM Identity Center: administrator access to many people at once.
    SsoAdminLargeGroup = "SSO_ADMIN_TO_LARGE_GROUP", High, Permissions, "a permission set with administrator access is assigned to a large group",
        why: "Everyone in the group can sign in as administrator of the account: one phished or careless member is enough to lose it, and groups synced from an HR system or directory grow without anyone reviewing the access.",
        fix: "Assign administrator access to a small group of named administrators (or through just-in-time elevation), and give the large group a job-specific permission set.";
    /// IAM Identity Center: the management account.
    SsoManagementAccount = "SSO_MANAGEMENT_ACCOUNT_ASSIGNMENT", Medium, Permissions, "a permission set is assigned in the organisation's management account",
        why: "No SCP restricts the management account's principals, and it controls every account of the organisation (it can change SCPs, move or close accounts). AWS advises keeping it for the few tasks only it can do.",
        fix: "Remove the assignment, or limit it to a small break-glass group; run Identity Center from a delegated administrator account and do daily work in member accounts.";
    /// IAM Identity Center: session length.
    SsoLongSession = "SSO_LONG_SESSION", Low, Credentials, "a permission set allows long sessions",
        why: "A session stays valid for its whole duration even after the person leaves, is removed from the group or loses the device: a stolen session token works for up to that many hours.",
        fix: "Shorten the permission set's session duration (one hour is AWS's default), especially for administrator access; people sign in again when they need to.";
    /// IAM Identity Center: people who administer production.
    SsoAdminInProduction = "SSO_PERSON_ADMIN_IN_PRODUCTION", Medium, Permissions, "a person has administrator access in a production account",
        why: "Each person who can sign in as administrator of production can read every secret and delete every resource there; the list should be short, known and reviewed.",
        fix: "Confirm each person needs it; give the others a job-specific permission set; prefer just-in-time elevation with approval for production administration.";
    /// What could not be checked.
    NotReviewed = "NOT_REVIEWED", Info, Coverage, "part of the review could not be done",
        why: "A check that could not read its input says so instead of reporting nothing: absence of findings there means nothing.",
        fix: "Add the missing input to the workspace (credential report, password policy, last-accessed data) and run the review again.";
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One piece of evidence.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// A policy statement.
    Statement {
        /// The policy (`user alice inline policy p`, `role r trust policy`).
        policy: String,
        /// `Sid`, when it has one.
        #[serde(skip_serializing_if = "Option::is_none")]
        sid: Option<String>,
        /// `file:line:col` of the statement.
        location: String,
        /// The statement's text (bounded).
        text: String,
        /// The source its span points into (for the editor).
        #[serde(skip)]
        source: Option<crate::account::SourceId>,
        /// The statement's byte range in that source.
        #[serde(skip)]
        span: crate::text::Span,
    },
    /// Credential-report fields of one row.
    CredentialReport {
        /// The report's account.
        account: String,
        /// The row's `user`.
        user: String,
        /// `(column, value)` pairs.
        fields: Vec<(String, String)>,
    },
    /// A password-policy setting against the benchmark.
    PasswordPolicy {
        /// The setting.
        setting: String,
        /// Its value (`absent` when unset).
        value: String,
        /// What CIS asks for.
        expected: String,
    },
    /// The evaluator's decision for a request that demonstrates the finding.
    Decision {
        /// The principal.
        principal: String,
        /// The action.
        action: String,
        /// The resource.
        resource: String,
        /// `Allow`, `ExplicitDeny`, `ImplicitDeny`.
        decision: String,
        /// False when a policy the answer depends on is not loaded.
        certain: bool,
        /// The layer that decided.
        #[serde(skip_serializing_if = "Option::is_none")]
        decided_by: Option<String>,
        /// The allowing statements (`policy (Sid) at file:line:col`).
        statements: Vec<String>,
        /// Conditions the allow relies on (keys the request left open, assumed to hold).
        conditions: Vec<String>,
        /// Context keys that reproduce the decision with `iam-atlas eval` or the evaluator: the keys the review
        /// set, and a value meeting each simple assumed condition (string, ARN, Bool, IpAddress).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        context: Vec<(String, Vec<String>)>,
        /// Why the answer may be wrong.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        unknown: Vec<String>,
    },
    /// IAM last-accessed data.
    LastAccessed {
        /// The report file.
        file: String,
        /// Service namespace.
        service: String,
        /// Last authenticated (`never` in the tracking period).
        last_used: String,
    },
    /// `RoleLastUsed`.
    RoleLastUsed {
        /// The date, or `never`.
        last_used: String,
        /// `CreateDate`.
        #[serde(skip_serializing_if = "Option::is_none")]
        created: Option<String>,
    },
    /// A draft least-privilege policy built from what the principal used, and what it removes.
    DraftPolicy {
        /// The document.
        policy: serde_json::Value,
        /// Services the principal would lose.
        removes: Vec<String>,
    },
    /// Anything else worth saying.
    Note {
        /// The text.
        text: String,
    },
}

/// One finding.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Stable code.
    pub code: Code,
    /// Severity.
    pub severity: Severity,
    /// Category.
    pub category: Category,
    /// One line, specific to this finding.
    pub title: String,
    /// The entity's ARN.
    pub entity: String,
    /// Its account id.
    pub account: String,
    /// What distinguishes several findings of one code on one entity (the external principal, the key, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Evidence.
    pub evidence: Vec<Evidence>,
    /// What to do.
    pub remediation: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// The model entity, when it is one.
    #[serde(skip)]
    pub entity_ref: Option<EntityRef>,
}

impl Finding {
    /// A finding of `code` on `entity` with the code's severity, category and texts.
    pub fn new(code: Code, entity: impl Into<String>, account: impl Into<String>) -> Self {
        Finding {
            code,
            severity: code.severity(),
            category: code.category(),
            title: code.summary().to_string(),
            entity: entity.into(),
            account: account.into(),
            subject: None,
            evidence: Vec::new(),
            remediation: code.remediation(),
            why: code.why(),
            entity_ref: None,
        }
    }

    /// Set the title.
    pub fn title(mut self, t: impl Into<String>) -> Self {
        self.title = t.into();
        self
    }

    /// Set the subject.
    pub fn subject(mut self, s: impl Into<String>) -> Self {
        self.subject = Some(s.into());
        self
    }

    /// Add evidence.
    pub fn with(mut self, e: Evidence) -> Self {
        self.evidence.push(e);
        self
    }

    /// Set the model entity.
    pub fn entity_ref(mut self, r: EntityRef) -> Self {
        self.entity_ref = Some(r);
        self
    }

    /// The key a baseline entry matches: code, entity and subject.
    pub fn key(&self) -> (String, String, String) {
        (
            self.code.as_str().to_string(),
            self.entity.clone(),
            self.subject.clone().unwrap_or_default(),
        )
    }
}

/// The zone of trust for external access.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Zone {
    /// Only the resource's own account is trusted.
    #[default]
    Account,
    /// Every account of the described organisation is trusted.
    Organization,
}

/// What the review uses besides the model.
#[derive(Clone, Debug)]
pub struct Options {
    /// The zone of trust.
    pub zone: Zone,
    /// "Now" for ages; `None`: the latest date in the snapshot's activity data (see [`snapshot_time`]).
    pub now: Option<Timestamp>,
    /// Access keys older than this are not rotated (CIS 1.14: 90).
    pub key_age_days: i64,
    /// Credentials unused for this long are unused (CIS 1.12: 45).
    pub unused_credential_days: i64,
    /// Roles and services unused for this long are unused.
    pub unused_days: i64,
    /// Root used within this many days is "recently".
    pub root_recent_days: i64,
    /// A same inline policy on at least this many principals is a finding.
    pub shared_inline_min: usize,
    /// Worker threads (0: the available cores).
    pub threads: usize,
    /// An Identity Center group with at least this many members is large (administrator access to it is a
    /// finding).
    pub large_group_min: usize,
    /// Permission-set sessions longer than this many hours are long.
    pub long_session_hours: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            zone: Zone::Account,
            now: None,
            key_age_days: 90,
            unused_credential_days: 45,
            unused_days: 90,
            root_recent_days: 90,
            shared_inline_min: 3,
            threads: 0,
            large_group_min: 5,
            long_session_hours: 8,
        }
    }
}

/// The review's result.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Review {
    /// The time ages were computed at.
    pub as_of: String,
    /// The zone of trust used.
    pub zone: Zone,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// Findings acknowledged in the baseline (not in `findings`).
    pub acknowledged: usize,
    /// What loading the snapshot met: a finding about what was skipped cannot be made, so every output carries
    /// these beside the findings.
    pub load_warnings: Vec<LoadNotice>,
}

/// A load warning as the review's outputs carry it, with its line and column when the loader had its place.
#[derive(Clone, Debug, Serialize)]
pub struct LoadNotice {
    /// `skipped` (the snapshot is incomplete), `dangling` or `note`.
    pub kind: crate::account::WarningKind,
    /// Its registered code (`LOAD_SKIPPED`, `LOAD_DANGLING`, `LOAD_NOTE`).
    pub code: &'static str,
    /// The file.
    pub file: String,
    /// The JSON path or `line:col` the loader gave.
    pub location: String,
    /// What.
    pub message: String,
    /// 1-based line of the value, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column (in characters) of the value, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl LoadNotice {
    fn of(model: &Model, w: &crate::account::LoadWarning) -> Self {
        let at = w.at.and_then(|(s, span)| {
            model
                .sources
                .get(s.0 as usize)
                .map(|s| s.line_col(span.start))
        });
        LoadNotice {
            kind: w.kind,
            code: w.code().as_str(),
            file: w.file.clone(),
            location: w.location.clone(),
            message: w.message.clone(),
            line: at.map(|a| a.line),
            column: at.map(|a| a.col),
        }
    }
}

impl Review {
    /// Counts by severity, most severe first.
    pub fn counts(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .iter()
            .map(|s| {
                (
                    *s,
                    self.findings.iter().filter(|f| f.severity == *s).count(),
                )
            })
            .collect()
    }

    /// The number of findings at or above `min`.
    pub fn at_least(&self, min: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity >= min).count()
    }
}

/// The latest activity date in the snapshot (credential report, `RoleLastUsed`, last-accessed jobs): ages are
/// measured from when the snapshot was taken, so a review of last month's export says what was true then.
pub fn snapshot_time(model: &Model) -> Option<Timestamp> {
    let mut best: Option<Timestamp> = None;
    let mut see = |t: Timestamp| best = Some(best.map_or(t, |b| b.max(t)));
    for a in &model.accounts {
        if let Some(r) = &a.credential_report {
            for row in &r.rows {
                let times = [
                    &row.password_last_used,
                    &row.access_keys[0].last_used,
                    &row.access_keys[1].last_used,
                ];
                for t in times {
                    if let crate::account::ReportTime::At(t) = t {
                        see(*t);
                    }
                }
            }
        }
        for r in &a.roles {
            if let Some(t) = r.last_used.as_ref().and_then(|l| l.date) {
                see(t);
            }
        }
        for la in &a.last_accessed {
            if let Some(t) = la.generated {
                see(t);
            }
        }
    }
    best
}

/// Run the whole review.
pub fn review(model: &Model, opts: &Options) -> Review {
    // Nobody cancels it, so the review is whole.
    review_cancellable(model, opts, &crate::cancel::Cancel::never()).unwrap_or_default()
}

/// [`review`], reading `cancel` between principals (the expensive part): `None` once it is raised, never a
/// partial list of findings presented as the review.
pub fn review_cancellable(
    model: &Model,
    opts: &Options,
    cancel: &crate::cancel::Cancel,
) -> Option<Review> {
    let now = opts
        .now
        .or_else(|| snapshot_time(model))
        .unwrap_or_else(Timestamp::now);
    let ctx = Ctx { model, opts, now };
    let mut findings = hygiene::account_findings(&ctx);
    findings.extend(external::resource_findings(&ctx));
    findings.extend(unused::coverage_findings(&ctx));
    findings.extend(identity_center::findings(&ctx));
    // Per principal: the evaluator's probes (the expensive part), in parallel.
    let principals = all_principals(model);
    findings.extend(parallel(&principals, opts.threads, |r| {
        let mut out = Vec::new();
        if cancel.is_cancelled() {
            return out;
        }
        admin::principal_findings(&ctx, *r, &mut out);
        external::trust_findings(&ctx, *r, &mut out);
        unused::principal_findings(&ctx, *r, &mut out);
        out
    }));
    if cancel.is_cancelled() {
        return None;
    }
    identity_center::name_people(model, &mut findings);
    sort(&mut findings);
    Some(Review {
        as_of: now.to_string(),
        zone: opts.zone,
        findings,
        acknowledged: 0,
        load_warnings: model
            .warnings
            .iter()
            .map(|w| LoadNotice::of(model, w))
            .collect(),
    })
}

/// Most severe first, then by category, code, entity and subject (a stable order for diffs and baselines).
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.category.cmp(&b.category))
            .then(a.code.cmp(&b.code))
            .then(a.entity.cmp(&b.entity))
            .then(a.subject.cmp(&b.subject))
    });
}

/// What every check reads.
pub(crate) struct Ctx<'m> {
    pub model: &'m Model,
    pub opts: &'m Options,
    pub now: Timestamp,
}

/// Run `f` on every item on `threads` workers (0: the available cores), keeping the items' order.
fn parallel<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> Vec<R> + Sync,
) -> Vec<R> {
    let n = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    if n <= 1 || items.len() < 64 {
        return items.iter().flat_map(&f).collect();
    }
    // Small chunks handed out in turn, so that a few slow principals do not leave a core idle.
    let next = std::sync::atomic::AtomicUsize::new(0);
    const CHUNK: usize = 64;
    let chunks = items.len().div_ceil(CHUNK);
    let mut parts: Vec<(usize, Vec<R>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let c = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if c >= chunks {
                            break;
                        }
                        let end = ((c + 1) * CHUNK).min(items.len());
                        let out: Vec<R> = items
                            .get(c * CHUNK..end)
                            .unwrap_or_default()
                            .iter()
                            .flat_map(&f)
                            .collect();
                        mine.push((c, out));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    parts.sort_by_key(|(c, _)| *c);
    parts.into_iter().flat_map(|(_, v)| v).collect()
}

/// A statement as evidence: its policy label, Sid, `file:line:col` and text (at most 1,000 bytes).
pub(crate) fn statement_evidence(
    model: &Model,
    policy: impl Into<String>,
    doc: &PolicyDoc,
    index: usize,
) -> Option<Evidence> {
    let s = doc.policy.statements.get(index)?;
    let source = model.sources.get(doc.source.0 as usize)?;
    let text = source.at(s.span);
    let text = text.as_ref();
    let cut = crate::text::floor_char_boundary(text, 1000);
    let mut shown = text.get(..cut).unwrap_or("").to_string();
    if cut < text.len() {
        shown.push_str(" …");
    }
    Some(Evidence::Statement {
        policy: policy.into(),
        sid: s.sid.as_ref().map(|x| x.value.to_string()),
        location: format!("{}:{}", source.name, source.line_col(s.span.start)),
        text: shown,
        source: Some(doc.source),
        span: s.span,
    })
}

/// A context value meeting an assumed condition (`StringLike k repo:a/*` → `k = repo:a/x`), for the simple
/// positive operators; `None` for the others.
fn demo_value(cond: &str) -> Option<(String, String)> {
    let mut it = cond.splitn(3, ' ');
    let op = it.next()?;
    let key = it.next()?;
    let first = it.next()?.split(", ").next()?;
    let base = op.trim_end_matches("IfExists");
    let value = match base {
        "StringEquals" | "StringEqualsIgnoreCase" | "ArnEquals" | "Bool" => first.to_string(),
        "StringLike" | "ArnLike" => first.replace(['*', '?'], "x"),
        "IpAddress" => first.split('/').next()?.to_string(),
        _ => return None,
    };
    Some((key.to_string(), value))
}

/// The evaluator's result as evidence; `given`: the context keys the request set.
pub(crate) fn decision_evidence(
    r: &crate::eval::EvalResult,
    given: Vec<(String, Vec<String>)>,
) -> Evidence {
    let mut context = given;
    // Keys a deny tested but the request did not give (optimistic mode reads a deny on them as not holding):
    // the values an ordinary request carries, so that the demonstration gets the same answer.
    for k in &r.missing_context_keys {
        let v = match k.to_ascii_lowercase().as_str() {
            "aws:securetransport" => "true",
            "aws:multifactorauthpresent" => "true",
            "aws:requestedregion" => "us-east-1",
            _ => continue,
        };
        if !context.iter().any(|(x, _)| x.eq_ignore_ascii_case(k)) {
            context.push((k.clone(), vec![v.to_string()]));
        }
    }
    for c in &r.assumed_conditions {
        if let Some((k, v)) = demo_value(c) {
            // An allow's own condition wins over an ordinary value.
            context.retain(|(x, _)| !x.eq_ignore_ascii_case(&k));
            context.push((k, vec![v]));
        }
    }
    use crate::eval::Verdict;
    let statements = r
        .layers
        .iter()
        .filter(|l| l.verdict == Verdict::Allow || l.verdict == Verdict::ExplicitDeny)
        .flat_map(|l| {
            // The organisation's allows (FullAWSAccess) only let the grant through; its denies matter.
            let cap = matches!(l.layer, crate::eval::Layer::Scp | crate::eval::Layer::Rcp);
            l.statements
                .iter()
                .filter(move |s| !cap || s.effect == crate::policy::Effect::Deny)
                .map(move |s| {
                    let mut t = format!("{:?}: {} {}", l.layer, s.policy.kind, s.policy.name);
                    if let Some(a) = &s.policy.attached_to {
                        t.push_str(&format!(" ({a})"));
                    }
                    if let Some(sid) = &s.sid {
                        t.push_str(&format!(" statement {sid}"));
                    } else {
                        t.push_str(&format!(" statement #{}", s.index));
                    }
                    t.push_str(&format!(" {:?}", s.effect));
                    if let Some(loc) = &s.location {
                        t.push_str(&format!(" at {loc}"));
                    }
                    t
                })
        })
        .take(20)
        .collect();
    Evidence::Decision {
        principal: r.principal.arn.clone(),
        action: r.action.clone(),
        resource: r.resource.clone(),
        decision: format!("{:?}", r.decision),
        certain: r.certain,
        decided_by: r.decided_by.map(|l| format!("{l:?}")),
        statements,
        conditions: r.assumed_conditions.clone(),
        context,
        unknown: r.unknown.clone(),
    }
}

/// Days from `t` to `now` (negative when `t` is later).
pub(crate) fn days_since(t: Timestamp, now: Timestamp) -> i64 {
    t.days_until(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_upper_snake() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate {}", c.as_str());
            assert!(
                c.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b == b'_'),
                "{}",
                c.as_str()
            );
            assert_eq!(Code::parse(c.as_str()), Some(*c));
            assert!(!c.why().is_empty() && !c.remediation().is_empty());
        }
    }

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!(Severity::parse("HIGH"), Some(Severity::High));
        assert_eq!(Severity::parse("x"), None);
    }

    #[test]
    fn demonstration_values_meet_simple_conditions() {
        assert_eq!(
            demo_value("StringLike t:sub repo:a/*"),
            Some(("t:sub".into(), "repo:a/x".into()))
        );
        assert_eq!(
            demo_value("IpAddress aws:SourceIp 203.0.113.0/24, 10.0.0.0/8"),
            Some(("aws:SourceIp".into(), "203.0.113.0".into()))
        );
        assert_eq!(
            demo_value("NumericLessThan aws:MultiFactorAuthAge 3600"),
            None
        );
    }

    #[test]
    fn parallel_keeps_order() {
        let items: Vec<u32> = (0..1000).collect();
        let out = parallel(&items, 2, |x| vec![*x * 2]);
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
    }
}
