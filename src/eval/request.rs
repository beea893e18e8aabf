//! Requests: who (a principal of any kind), what (action), on what (resource and its account), with which
//! context; and the context keys AWS fills from the principal itself
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>).

use super::condition::Context;
use crate::account::{EntityKind, EntityRef, Model, arn_account};
use crate::arn::is_account_id;
use crate::eval::condition::{Bound, Outside};
use crate::time::Timestamp;
use serde::Serialize;

/// What kind of principal makes the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum PrincipalType {
    /// An IAM user (`arn:aws:iam::A:user/…`).
    User,
    /// An IAM role, evaluated as a session of that role with no session policy.
    Role,
    /// A role session (`arn:aws:sts::A:assumed-role/ROLE/SESSION`).
    AssumedRole,
    /// A federated user session (`arn:aws:sts::A:federated-user/NAME`).
    FederatedUser,
    /// A web identity or SAML provider (for `sts:AssumeRoleWithWebIdentity`/`…WithSAML`).
    Federated,
    /// An AWS service principal (`lambda.amazonaws.com`).
    Service,
    /// The root user of an account.
    Root,
    /// Nobody signed the request.
    Anonymous,
}

/// The principal of a request, resolved against the model.
#[derive(Clone, Debug, Serialize)]
pub struct Principal {
    /// Kind.
    pub kind: PrincipalType,
    /// The request principal: session ARN for sessions, provider ARN, service name, `*` for anonymous.
    pub arn: String,
    /// Its account, when it has one.
    pub account: Option<String>,
    /// The model's user or role behind it, when loaded.
    #[serde(skip)]
    pub entity: Option<EntityRef>,
    /// For role sessions: the role's ARN (what `aws:PrincipalArn` holds).
    pub role_arn: Option<String>,
    /// For role sessions: the session name.
    pub session: Option<String>,
    /// It stands for every principal of its account (a reverse query's probe of an account named in a
    /// resource-based policy): what one principal's keys would say is left open, and a key any of them may
    /// carry may be carried.
    #[serde(skip)]
    pub stand_in: bool,
    /// A stand-in whose account is made up ([`Principal::from_outside`]): it stands for every principal of every
    /// account outside a zone of trust (an access proof's, the external review's or who-can-assume's caller for
    /// `*`). Its account is not known either: `aws:PrincipalAccount` is undecided but outside the zone, its
    /// `aws:PrincipalArn` an ARN of such an account, its organisation not the zone's (for an organisation zone).
    #[serde(skip)]
    pub outsider: Option<Outside>,
}

/// Keys in the context of every request, with why a request that does not give one is undecided: "This key is
/// always included in the request context" (the availability of each key in
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>). `aws:CurrentTime`
/// and `aws:EpochTime` are too, and are filled from the clock; `aws:SourceIp` is not (a request through a VPC
/// endpoint has none), nor is `aws:MultiFactorAuthPresent` (long-term keys and federated sessions have none).
const ALWAYS_SET: [(&str, &str); 4] = [
    (
        "aws:SecureTransport",
        "AWS sets `aws:SecureTransport` on every request, and this one does not say whether it was sent over \
         TLS (give `aws:SecureTransport=true` or `false`)",
    ),
    (
        "aws:RequestedRegion",
        "AWS sets `aws:RequestedRegion` on every request, and this one names no region (give \
         `aws:RequestedRegion=REGION`; global services such as IAM use `us-east-1`)",
    ),
    (
        "aws:ViaAWSService",
        "AWS sets `aws:ViaAWSService` on every request, and this one does not say whether a service made it on \
         the principal's behalf (give `aws:ViaAWSService=false` for a direct call)",
    ),
    (
        "aws:UserAgent",
        "AWS sets `aws:UserAgent` on every request, and this one gives none (give `aws:UserAgent=…`)",
    ),
];

/// Keys in the context of every request signed with temporary credentials (a role session, a federated user):
/// "This key is included in the request context only when the principal uses temporary credentials".
const ALWAYS_SET_TEMPORARY: [(&str, &str); 1] = [(
    "aws:TokenIssueTime",
    "AWS sets `aws:TokenIssueTime` on every request signed with temporary credentials, and this one does not \
     say when they were issued (give `aws:TokenIssueTime=2026-01-01T00:00:00Z`)",
)];

/// `aws:MultiFactorAuthPresent` is "included in the request context when the principal uses temporary
/// credentials to make the request" (true or false): in every request of a role session.
const ALWAYS_SET_ROLE_SESSION: (&str, &str) = (
    "aws:MultiFactorAuthPresent",
    "AWS sets `aws:MultiFactorAuthPresent` on every request of a role session, and this one does not say \
     whether the session came from an MFA sign-in (give `aws:MultiFactorAuthPresent=true` or `false`)",
);

/// Keys AWS sets on some requests of any principal and leaves out of others, with why a request that says
/// neither is undecided (the availability of each key in the global condition keys' reference): `aws:SourceIp`
/// is in every request but one through a VPC endpoint, whose requests have `aws:SourceVpce`, `aws:SourceVpc` and
/// `aws:VpcSourceIp` instead; `aws:MultiFactorAuthAge` is only in one signed with credentials an MFA sign-in
/// gave. A test of one is undecided until the request says, with a value or with none (`--context KEY`:
/// absent).
const SOURCE_IP: (&str, &str) = (
    "aws:SourceIp",
    "AWS sets `aws:SourceIp` on every request but one through a VPC endpoint, and this one says neither (give \
     `aws:SourceIp=ADDRESS`, or `aws:SourceVpce=vpce-…` for a request through an endpoint, which has none)",
);

/// The keys of a request through a VPC endpoint (see [`SOURCE_IP`]).
const THROUGH_ENDPOINT: [(&str, &str); 3] = [
    (
        "aws:SourceVpce",
        "AWS sets `aws:SourceVpce` only on a request through a VPC endpoint, and this one does not say whether it \
         came through one (give `aws:SourceIp=ADDRESS` for a request from the internet, or \
         `aws:SourceVpce=vpce-…`)",
    ),
    (
        "aws:SourceVpc",
        "AWS sets `aws:SourceVpc` only on a request through a VPC endpoint, and this one does not say whether it \
         came through one (give `aws:SourceIp=ADDRESS` for a request from the internet, or \
         `aws:SourceVpc=vpc-…`)",
    ),
    (
        "aws:VpcSourceIp",
        "AWS sets `aws:VpcSourceIp` only on a request through a VPC endpoint, and this one does not say whether \
         it came through one (give `aws:SourceIp=ADDRESS` for a request from the internet, or \
         `aws:VpcSourceIp=ADDRESS`)",
    ),
];

/// See [`SOURCE_IP`].
const MFA_AGE: (&str, &str) = (
    "aws:MultiFactorAuthAge",
    "AWS sets `aws:MultiFactorAuthAge` only on a request signed with credentials an MFA sign-in gave, and this \
     one does not say whether it was (give `aws:MultiFactorAuthAge=SECONDS`, or \
     `aws:MultiFactorAuthPresent=false`)",
);

/// Keys AWS sets on a request of an IAM user or the root user signed with temporary credentials (a console
/// sign-in, `sts:GetSessionToken`) and leaves out of one signed with an access key: "The key is not present in
/// AWS CLI, API, or SDK requests that are made using long-term credentials". A `Deny` on
/// `"Bool": {"aws:MultiFactorAuthPresent": "false"}` applies to the first and not to the second
/// (<https://repost.aws/knowledge-center/mfa-iam-user-aws-cli>), so a request that says neither is undecided.
/// The MFA key is treated so for a federated user's session too, which the reference does not name among the
/// sessions that carry it.
const SOMETIMES_SET_LONG_TERM: [(&str, &str); 2] = [
    (
        "aws:MultiFactorAuthPresent",
        "AWS sets `aws:MultiFactorAuthPresent` on a user's request signed with temporary credentials (a console \
         sign-in) and leaves it out of one signed with an access key, and this one says neither (give \
         `aws:MultiFactorAuthPresent=true` or `false`, or `--context aws:MultiFactorAuthPresent` with no value \
         for an access key's request)",
    ),
    (
        "aws:TokenIssueTime",
        "AWS sets `aws:TokenIssueTime` on a user's request signed with temporary credentials and leaves it out \
         of one signed with an access key, and this one says neither (give `aws:TokenIssueTime=…`, or \
         `--context aws:TokenIssueTime` with no value for an access key's request)",
    ),
];

/// Whether `key` is one of the keys AWS sets on every request, or, with `temporary`, on every request signed with
/// temporary credentials too.
pub fn always_set(key: &str, temporary: bool) -> bool {
    let temporary = ALWAYS_SET_TEMPORARY
        .iter()
        .take(if temporary { usize::MAX } else { 0 });
    ALWAYS_SET
        .iter()
        .chain(temporary)
        .any(|(k, _)| k.eq_ignore_ascii_case(key))
}

/// The lengths of a table's keys ([`crate::text::length_set`]).
const fn keys_length_set(keys: &[(&str, &str)]) -> u64 {
    let mut set = 0;
    let mut rest = keys;
    while let [(key, _), tail @ ..] = rest {
        set |= crate::text::length_bit(key.len());
        rest = tail;
    }
    set
}

/// Whether `key` is one AWS sets on every request or on some ([`always_set`] with temporary credentials, or one
/// it may leave out): a test of it, not given, is undecided, and reverse queries keep it as a condition.
pub fn set_by_aws(key: &str) -> bool {
    /// The lengths of every key below: most keys are ruled out by theirs.
    const LENGTHS: u64 = {
        let mut set = keys_length_set(&ALWAYS_SET)
            | keys_length_set(&ALWAYS_SET_TEMPORARY)
            | keys_length_set(&THROUGH_ENDPOINT)
            | keys_length_set(&SOMETIMES_SET_LONG_TERM);
        set |= crate::text::length_bit(ALWAYS_SET_ROLE_SESSION.0.len())
            | crate::text::length_bit(SOURCE_IP.0.len())
            | crate::text::length_bit(MFA_AGE.0.len());
        set
    };
    if !crate::text::length_in(LENGTHS, key) {
        return false;
    }
    always_set(key, true)
        || ALWAYS_SET_ROLE_SESSION.0.eq_ignore_ascii_case(key)
        || [SOURCE_IP, MFA_AGE]
            .iter()
            .chain(&THROUGH_ENDPOINT)
            .chain(&SOMETIMES_SET_LONG_TERM)
            .any(|(k, _)| k.eq_ignore_ascii_case(key))
}

/// What the request says of where it came from: (from the internet, through a VPC endpoint). A key given with
/// values says which; given with none, that it is absent (so the other way).
fn came_from(ctx: &Context) -> (bool, bool) {
    let given = |key: &str| ctx.get(key).map(|v| !v.is_empty());
    let direct = given(SOURCE_IP.0) == Some(true)
        || THROUGH_ENDPOINT
            .iter()
            .any(|(k, _)| given(k) == Some(false));
    let endpoint = given(SOURCE_IP.0) == Some(false)
        || THROUGH_ENDPOINT.iter().any(|(k, _)| given(k) == Some(true));
    (direct, endpoint)
}

/// Keys of other services AWS sets on a role session's requests by where its credentials were delivered or how
/// the session was made, beside those the catalogue lists among the global keys (`ec2:SourceInstanceArn`,
/// `lambda:SourceFunctionArn`, …): IAM Identity Center's identity-enhanced sessions.
const ROLE_SESSION_SERVICE_KEYS: [&str; 2] =
    ["identitystore:UserId", "identitystore:IdentityStoreArn"];

/// The `sts` actions authorised within an assume-role call, in its context (the identity provider's claims, the
/// call's `sts:` keys): <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html>.
const WITHIN_ASSUME: [&str; 3] = ["TagSession", "SetSourceIdentity", "SetContext"];

/// The catalogue's entry for `action`, the last one looked up kept per thread (a batch asks it of every
/// condition on a key its request does not give, most often for the same action).
fn action_entry(
    action: &str,
) -> Option<(
    &'static crate::catalog::Service,
    &'static crate::catalog::Action,
)> {
    use crate::catalog::ActionId;
    thread_local! {
        static LAST: std::cell::RefCell<(String, Option<ActionId>)> =
            const { std::cell::RefCell::new((String::new(), None)) };
    }
    let cat = crate::catalog::catalog();
    let id = LAST.with(|c| {
        let mut c = c.borrow_mut();
        if c.0 != action || c.0.is_empty() {
            c.1 = cat.action_id(action);
            c.0.clear();
            c.0.push_str(action);
        }
        c.1
    });
    cat.get(id?)
}

/// Global keys AWS sets only on some requests of some kinds of principal: the keys, which kinds, and how.
type ByPrincipal = (
    &'static [&'static str],
    fn(PrincipalType) -> bool,
    &'static str,
);
const BY_PRINCIPAL: [ByPrincipal; 2] = [
    (
        &[
            "aws:SourceArn",
            "aws:SourceAccount",
            "aws:SourceOrgID",
            "aws:SourceOrgPaths",
            "aws:SourceOwner",
            "aws:PrincipalServiceNamesList",
        ],
        |k| k == PrincipalType::Service,
        "on a service principal's request made on behalf of a resource",
    ),
    (
        &[
            "aws:SourceIdentity",
            "aws:FederatedProvider",
            "aws:Ec2InstanceSourceVpc",
            "aws:Ec2InstanceSourcePrivateIPv4",
            "aws:ChatbotSourceArn",
        ],
        |k| matches!(k, PrincipalType::Role | PrincipalType::AssumedRole),
        "only on some role sessions (by how the role was assumed, or where its credentials were delivered)",
    ),
];

/// Whether a request of `principal` for `action` may carry condition key `key`, which it does not give and AWS
/// does not derive from the principal or the resource: `Some(how)` when AWS sets the key on some such requests
/// (so a test of it is undecided until the request says, with a value or with none), `None` when it never does
/// (a test of it reads the key as absent, as AWS does). The keys [`set_by_aws`] names are decided by
/// [`Principal::mark_unsaid_keys`] and are not asked here.
///
/// Availability as AWS documents it: global keys in
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html> ("This key is
/// included in the request context only when …"), service keys per action in the Service Authorization
/// Reference (the embedded catalogue: a key the action does not list is not in its requests). What the
/// catalogue does not know (an action, a key of the action's own service, an `aws:` key, a service) may be
/// newer than it: undecided.
pub fn may_carry(
    key: &str,
    principal: &Principal,
    action: &str,
    ctx: &Context,
) -> Option<std::borrow::Cow<'static, str>> {
    use std::borrow::Cow;
    let cat = crate::catalog::catalog();
    let (prefix, _) = key.split_once(':')?;
    // What a reason quotes, clipped: a key or action of any length is said in a line.
    let shown = crate::text::excerpt(key, 80);
    let shown_action = crate::text::excerpt(action, 80);
    let shown_prefix = crate::text::excerpt(prefix, 80);
    let is = |k: &str| key.eq_ignore_ascii_case(k);
    let starts = |p: &str| crate::text::extends_ignore_case(key, p);
    let role_session = matches!(
        principal.kind,
        PrincipalType::Role | PrincipalType::AssumedRole
    );
    let service = principal.kind == PrincipalType::Service;
    let found = action_entry(action);
    let supported = || found.is_none_or(|(s, a)| a.supports_key(s, key));
    let said = |how: &str| -> Option<Cow<'static, str>> {
        Some(Cow::Owned(format!(
            "AWS sets `{shown}` {how}, and this request does not say whether it has it (give `{shown}=…`, or \
             `--context {shown}` with no value for a request without it)"
        )))
    };
    if prefix.eq_ignore_ascii_case("aws") {
        let all = |k: &str, word: &str| {
            ctx.get(k).is_some_and(|v| {
                !v.is_empty() && v.iter().all(|x| x.trim().eq_ignore_ascii_case(word))
            })
        };
        return if is("aws:Referer") {
            said("only when the caller sends an HTTP Referer header")
        } else if ["aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast"]
            .iter()
            .any(|k| is(k))
        {
            // Only on a request a service makes with the principal's credentials, which `aws:ViaAWSService` says
            // (a service principal's own request, or an anonymous one, has none).
            (!all("aws:ViaAWSService", "false")
                && !service
                && principal.kind != PrincipalType::Anonymous)
                .then_some(())?;
            said("only when a service makes the request with the principal's credentials")
        } else if is("aws:CalledViaAWSMCP") {
            (!all("aws:ViaAWSMCPService", "false")).then_some(())?;
            said("only when an AWS MCP server makes the request")
        } else if is("aws:ViaAWSMCPService") || is("aws:IsMcpServiceAction") {
            said("on requests that involve an AWS MCP server")
        } else if let Some((_, carries, how)) = BY_PRINCIPAL
            .iter()
            .find(|(keys, _, _)| keys.iter().any(|k| is(k)))
        {
            carries(principal.kind).then_some(())?;
            said(how)
        } else if is("aws:AssumedRoot") {
            (principal.kind == PrincipalType::Root).then_some(())?;
            said("only on a root session obtained with `sts:AssumeRoot`")
        } else if is("aws:SignInSessionArn") {
            (!service && principal.kind != PrincipalType::Anonymous).then_some(())?;
            said("only on requests of a console sign-in session")
        } else if [
            "aws:SourceVpcArn",
            "aws:VpceAccount",
            "aws:VpceOrgID",
            "aws:VpceOrgPaths",
        ]
        .iter()
        .any(|k| is(k))
        {
            // A request from the internet has none of a VPC endpoint's keys.
            let (direct, endpoint) = came_from(ctx);
            (endpoint || !direct).then_some(())?;
            said("only on a request through a VPC endpoint")
        } else if starts("aws:RequestTag/") || is("aws:TagKeys") {
            supported().then_some(())?;
            said(&format!(
                "when the request passes tags (`{shown_action}` accepts them)"
            ))
        } else if starts("aws:ResourceTag/") {
            supported().then_some(())?;
            said("when the resource has the tag (its tags are not loaded)")
        } else if cat.global_key(key).is_some() {
            // Derived from the principal or the resource, or decided by `mark_unsaid_keys`: not asked here.
            None
        } else {
            Some(Cow::Owned(format!(
                "`{shown}` is not a global key the catalogue of {} knows: AWS may set it, and this request does \
                 not say whether it has it (give `{shown}=…`, or `--context {shown}` with no value)",
                cat.date
            )))
        };
    }
    // The keys AWS sets on a role session's requests by where its credentials were delivered (EC2, Lambda,
    // Glue, CodeBuild, Systems Manager, IAM Identity Center): "other cross-service condition keys".
    if (cat.global_key(key).is_some() || ROLE_SESSION_SERVICE_KEYS.iter().any(|k| is(k)))
        && role_session
    {
        return said("on a role session's requests by where its credentials were delivered");
    }
    let (action_service, action_name) = action.split_once(':').unwrap_or((action, ""));
    let sts = |names: &[&str]| {
        action_service.eq_ignore_ascii_case("sts")
            && names.iter().any(|n| n.eq_ignore_ascii_case(action_name))
    };
    // An identity provider's claim (`oidc.eks….amazonaws.com/id/…:sub`, `saml:aud`,
    // `cognito-identity.amazonaws.com:sub`): in the federated sign-in's request and the calls authorised within
    // it, and in every request of the session it made; in no other.
    if cat.service(prefix).is_none()
        && (prefix.contains(['.', '/']) || prefix.eq_ignore_ascii_case("saml"))
    {
        let signing_in = principal.kind == PrincipalType::Federated
            && sts(&[
                "AssumeRoleWithWebIdentity",
                "AssumeRoleWithSAML",
                WITHIN_ASSUME[0],
                WITHIN_ASSUME[1],
                WITHIN_ASSUME[2],
            ]);
        return (signing_in || role_session)
            .then(|| said("on a federated sign-in, and a session it made, whose identity provider's token has it"))
            .flatten();
    }
    // The assume-role call's own keys are in the calls authorised within it.
    if prefix.eq_ignore_ascii_case("sts") && sts(&WITHIN_ASSUME) {
        return said("on the assume-role call that carries this request");
    }
    let Some((svc, a)) = found else {
        return Some(Cow::Owned(format!(
            "the catalogue of {} does not know `{shown_action}`, so not which keys its requests carry: `{shown}` may be \
             one (give `{shown}=…`, or `--context {shown}` with no value)",
            cat.date
        )));
    };
    if a.supports_key(svc, key) {
        return said(&format!("on `{shown_action}` requests that give it"));
    }
    match cat.service(prefix) {
        // The action's own service, a key it does not define: newer than the catalogue, or misspelt.
        Some(s) if std::ptr::eq(s, svc) && s.condition_key(key).is_none() => {
            Some(Cow::Owned(format!(
                "`{shown}` is not a key the catalogue of {} knows for `{}`: AWS may set it, and this request \
                 does not say whether it has it (give `{shown}=…`, or `--context {shown}` with no value)",
                cat.date, svc.prefix
            )))
        }
        // A key the catalogue lists for nearly every action of the service but this one: the Service
        // Authorization Reference leaves some request-wide keys off a few actions that may well carry them
        // (`s3:ResourceAccount` off `s3:PutAccessPointPublicAccessBlock`), so not certainly absent.
        Some(s) if let Some(count) = s.nearly_everywhere(key).filter(|_| std::ptr::eq(s, svc)) => {
            Some(Cow::Owned(format!(
                "the catalogue of {} lists `{shown}` for {count} of the {} `{}` actions but not for \
                 `{shown_action}`, which may carry it all the same, and this request does not say whether it has \
                 it (give `{shown}=…`, or `--context {shown}` with no value)",
                cat.date,
                s.actions.len(),
                svc.prefix
            )))
        }
        // Another service's key, or one the action does not list: not in its requests.
        Some(_) => None,
        // A service the catalogue does not know.
        None => Some(Cow::Owned(format!(
            "`{shown_prefix}` is not a service the catalogue of {} knows: AWS may set `{shown}`, and this request \
                 does not say whether it has it (give `{shown}=…`, or `--context {shown}` with no value)",
            cat.date
        ))),
    }
}

/// A request to evaluate.
#[derive(Clone, Debug)]
pub struct Request {
    /// Who.
    pub principal: Principal,
    /// The action, `service:Action`.
    pub action: String,
    /// The resource ARN (or `*`).
    pub resource: String,
    /// The account that owns the resource (`None`: taken from the ARN, the model, or the principal's).
    pub resource_account: Option<String>,
    /// The caller's context keys.
    pub context: Context,
}

impl Principal {
    /// A caller from outside the zone `outside`: any principal of any account outside it, with a made-up account
    /// (none loaded, none of the loaded organisation's, not the zone's) standing for it.
    pub fn from_outside(model: &Model, outside: Outside) -> Principal {
        Principal::stand_in_for(made_up_account(model, &outside.of), Some(outside))
    }

    /// Any principal of `account` (a stand-in: [`Principal::stand_in`]), or with `outsider`, of any account of
    /// that set, `account` naming it.
    pub fn stand_in_for(account: String, outsider: Option<Outside>) -> Principal {
        Principal {
            kind: PrincipalType::Root,
            arn: format!("arn:aws:iam::{account}:root"),
            account: Some(account),
            entity: None,
            role_arn: None,
            session: None,
            stand_in: true,
            outsider,
        }
    }

    /// The caller from outside that access proofs and the external review ask about for `*`: any principal of
    /// any account outside `resource_account` and the loaded organisation ([`Principal::from_outside`]; the
    /// organisation's other accounts are asked about apart, for the account zone:
    /// [`Principal::from_organization_except`]).
    pub fn from_outside_of(model: &Model, resource_account: &str) -> Principal {
        Principal::from_outside(model, outside_of(model, resource_account))
    }

    /// The account zone's caller from the organisation: any principal of any member of the loaded organisation
    /// other than `resource_account`, one of which stands for the rest (its ARN names the caller in
    /// explanations). Its account, ARN and organisation path are undecided among theirs; its organisation is the
    /// loaded one. `None` when the organisation has no other member.
    pub fn from_organization_except(model: &Model, resource_account: &str) -> Option<Principal> {
        let org = model.organization.as_ref()?;
        // (From the members summed up once: as many steps as the organisation has distinct paths.)
        let m = org.members();
        let first = m.first.iter().find(|a| &***a != resource_account)?;
        let own = org.org_path(resource_account);
        let known = !m.unplaced.iter().any(|a| &**a != resource_account);
        let paths: Vec<String> = if known {
            m.paths
                .iter()
                .filter(|(p, n)| !(*n == 1 && own.as_deref() == Some(p.as_str())))
                .map(|(p, _)| p.clone())
                .collect()
        } else {
            Vec::new()
        };
        Some(Principal::stand_in_for(
            first.to_string(),
            Some(Outside {
                of: resource_account.to_string(),
                organization: false,
                members: Some(paths.into()),
            }),
        ))
    }

    /// An AWS service acting for a resource of an account outside `resource_account` and the loaded organisation
    /// (an SNS topic sending to a queue, a bucket's event notification): `service`, or any service when `None`.
    /// Its `aws:SourceAccount`, `aws:SourceOwner` and `aws:SourceArn` are undecided but outside the zone, its
    /// `aws:SourceOrgID` another organisation's or none: "An external principal can be another AWS account, a
    /// root user, an IAM user or role, a federated user, an AWS service, or an anonymous user"
    /// (<https://docs.aws.amazon.com/access-analyzer/latest/APIReference/Welcome.html>).
    pub fn service_from_outside_of(
        model: &Model,
        service: Option<&str>,
        resource_account: &str,
    ) -> Principal {
        Principal::service_acting_for(service, outside_of(model, resource_account))
    }

    /// An AWS service (`service`, or any) acting for a resource of an account of the zone `outside` is not in
    /// (with `members`: of one of the organisation's other accounts, for the account zone).
    pub fn service_acting_for(service: Option<&str>, outside: Outside) -> Principal {
        Principal {
            kind: PrincipalType::Service,
            arn: service.unwrap_or(ANY_SERVICE).to_string(),
            account: None,
            entity: None,
            role_arn: None,
            session: None,
            stand_in: false,
            outsider: Some(outside),
        }
    }

    /// Resolve a principal given as an ARN, an account id, a service name, `*`/`anonymous`, or the plain name of a
    /// user or role of the model (which must be unique).
    pub fn resolve(spec: &str, model: &Model) -> Result<Principal, String> {
        let spec = spec.trim();
        let mk = |kind, arn: &str, account: Option<&str>, entity| Principal {
            kind,
            arn: arn.to_string(),
            account: account.map(str::to_string),
            entity,
            role_arn: None,
            session: None,
            stand_in: false,
            outsider: None,
        };
        if spec == "*" || spec.eq_ignore_ascii_case("anonymous") {
            return Ok(mk(PrincipalType::Anonymous, "*", None, None));
        }
        if is_account_id(spec) {
            return Ok(mk(
                PrincipalType::Root,
                &format!("arn:aws:iam::{spec}:root"),
                Some(spec),
                None,
            ));
        }
        if !spec.starts_with("arn:") {
            if spec.ends_with(".amazonaws.com") || spec.ends_with(".amazonaws.com.cn") {
                return Ok(mk(PrincipalType::Service, spec, None, None));
            }
            let mut found: Vec<EntityRef> = model.by_name(EntityKind::User, spec);
            found.extend(model.by_name(EntityKind::Role, spec));
            return match found.as_slice() {
                [one] => {
                    let (_, arn) = model.describe(*one);
                    Principal::resolve(&arn, model)
                }
                [] => Err(format!(
                    "no user or role named `{spec}` in the loaded accounts; give an ARN"
                )),
                _ => Err(format!(
                    "`{spec}` names several users or roles; give the ARN"
                )),
            };
        }
        let Some(crate::arn::Arn {
            partition,
            service,
            account,
            resource,
            ..
        }) = crate::arn::Arn::fields(spec)
        else {
            return Err(format!("`{spec}` is not a valid ARN"));
        };
        match service {
            "iam" => {
                if resource == "root" {
                    return Ok(mk(PrincipalType::Root, spec, Some(account), None));
                }
                let entity = model.by_arn(spec);
                if resource.starts_with("user/") {
                    return Ok(mk(PrincipalType::User, spec, Some(account), entity));
                }
                if resource.starts_with("role/") {
                    let mut p = mk(PrincipalType::Role, spec, Some(account), entity);
                    p.role_arn = Some(spec.to_string());
                    return Ok(p);
                }
                if resource.starts_with("oidc-provider/") || resource.starts_with("saml-provider/")
                {
                    return Ok(mk(PrincipalType::Federated, spec, Some(account), None));
                }
                Err(format!(
                    "`{spec}` is not a principal: expected user/, role/, root or a provider"
                ))
            }
            "sts" => {
                if let Some(rest) = resource.strip_prefix("assumed-role/") {
                    let Some((role, session)) = rest.split_once('/') else {
                        return Err(format!(
                            "`{spec}` needs a session name: assumed-role/ROLE/SESSION"
                        ));
                    };
                    let found = model
                        .account(account)
                        .and_then(|a| a.find(EntityKind::Role, role).map(|i| (a, i)));
                    let (entity, role_arn) = match found.and_then(|(a, i)| a.roles.get(i as usize))
                    {
                        Some(r) => (model.by_arn(&r.arn), r.arn.to_string()),
                        None => (None, format!("arn:{partition}:iam::{account}:role/{role}")),
                    };
                    let mut p = mk(PrincipalType::AssumedRole, spec, Some(account), entity);
                    p.role_arn = Some(role_arn);
                    p.session = Some(session.to_string());
                    return Ok(p);
                }
                if resource.starts_with("federated-user/") {
                    return Ok(mk(PrincipalType::FederatedUser, spec, Some(account), None));
                }
                Err(format!(
                    "`{spec}` is not a principal: expected assumed-role/ or federated-user/"
                ))
            }
            _ => Err(format!(
                "`{spec}` is not a principal ARN (service `{service}`)"
            )),
        }
    }

    /// True for principals that are IAM identities of an account (and so subject to SCPs).
    pub fn is_iam_identity(&self) -> bool {
        matches!(
            self.kind,
            PrincipalType::User
                | PrincipalType::Role
                | PrincipalType::AssumedRole
                | PrincipalType::FederatedUser
                | PrincipalType::Root
        )
    }

    /// Mark as unread the keys AWS puts in the context of every request of this principal and the caller did
    /// not give ([`always_set`]): a request without them is one AWS never makes, so a test of one is undecided
    /// rather than read as a test of a missing key (a `Deny` on `"Bool": {"aws:SecureTransport": "false"}` was
    /// a certain `Allow` for a request that did not say how it was sent).
    pub fn mark_unsaid_keys(&self, ctx: &mut Context) {
        for (key, why) in ALWAYS_SET {
            ctx.set_unread(key, why);
        }
        if self.uses_temporary_credentials() {
            for (key, why) in ALWAYS_SET_TEMPORARY {
                ctx.set_unread(key, why);
            }
        }
        match self.kind {
            PrincipalType::Role | PrincipalType::AssumedRole => {
                ctx.set_unread(ALWAYS_SET_ROLE_SESSION.0, ALWAYS_SET_ROLE_SESSION.1);
            }
            PrincipalType::User | PrincipalType::Root => {
                for (key, why) in SOMETIMES_SET_LONG_TERM {
                    ctx.set_unread_or_absent(key, why);
                }
            }
            PrincipalType::FederatedUser => {
                let (key, why) = SOMETIMES_SET_LONG_TERM[0];
                ctx.set_unread_or_absent(key, why);
            }
            _ => {}
        }
        // Where the request came from: the internet (`aws:SourceIp`) or a VPC endpoint (`aws:SourceVpce`,
        // `aws:SourceVpc`, `aws:VpcSourceIp`), each set of keys absent from the other's requests. A key given
        // with values says which; given with none, that it is absent (so the other way).
        match came_from(ctx) {
            // Neither said: every one of them undecided.
            (false, false) => {
                ctx.set_unread_or_absent(SOURCE_IP.0, SOURCE_IP.1);
                for (key, why) in THROUGH_ENDPOINT {
                    ctx.set_unread_or_absent(key, why);
                }
            }
            // Through an endpoint: its keys are set, to values not given.
            (false, true) => {
                for (key, why) in THROUGH_ENDPOINT {
                    ctx.set_unread(key, why);
                }
            }
            // From the internet: the endpoint's keys absent, the address set (to a value not given, when an
            // endpoint key was given as absent).
            (true, false) => ctx.set_unread(SOURCE_IP.0, SOURCE_IP.1),
            // Both said, which no request is: as given.
            (true, true) => {}
        }
        // The age of an MFA sign-in: set after one (`true`), absent without (`false`, or an access key's request
        // with no MFA key), undecided when the request says neither or says something else.
        let mfa = ctx.get("aws:MultiFactorAuthPresent");
        let all = |word: &str| {
            mfa.is_some_and(|v| {
                !v.is_empty() && v.iter().all(|x| x.trim().eq_ignore_ascii_case(word))
            })
        };
        let (key, why) = MFA_AGE;
        if all("true") {
            ctx.set_unread(key, why);
        } else if !all("false") && !mfa.is_some_and(<[String]>::is_empty) {
            ctx.set_unread_or_absent(key, why);
        }
    }

    /// A role session or a federated user: requests signed with temporary credentials.
    fn uses_temporary_credentials(&self) -> bool {
        matches!(
            self.kind,
            PrincipalType::Role | PrincipalType::AssumedRole | PrincipalType::FederatedUser
        )
    }

    /// Fill the context keys AWS derives from the principal, leaving the caller's values in place.
    pub fn fill_context(&self, model: &Model, ctx: &mut Context, now: Timestamp) {
        // `aws:CurrentTime` and `aws:EpochTime` are one instant: a request that gives one gets the other for the
        // same instant (a policy testing the other key must not see the real clock); neither given, `now`.
        // A given value that cannot be read as an instant (or a key given with no value) leaves the other key
        // unread, so a test of it is undecided rather than decided against the real clock or the text.
        let given = |k: &str| ctx.get(k).map(|v| v.first().cloned());
        match given("aws:CurrentTime").or_else(|| given("aws:EpochTime")) {
            Some(text) => match text.as_deref().and_then(Timestamp::parse_condition) {
                Some(at) => {
                    let (current, epoch) = time_strings(at);
                    ctx.set_default("aws:CurrentTime", vec![current]);
                    ctx.set_default("aws:EpochTime", vec![epoch]);
                }
                None => {
                    const WHY: &str = "the request's `aws:CurrentTime` or `aws:EpochTime` is not an instant, \
                                       and the two keys are one instant";
                    ctx.set_unread("aws:CurrentTime", WHY);
                    ctx.set_unread("aws:EpochTime", WHY);
                }
            },
            None => {
                let (current, epoch) = time_strings(now);
                ctx.set_default("aws:CurrentTime", vec![current]);
                ctx.set_default("aws:EpochTime", vec![epoch]);
            }
        }
        if let Some(keys) = ctx.principal_keys() {
            // Derived once for the principal, read under the caller's keys.
            keys.get_or_init(|| self.derived_keys(model));
            return;
        }
        self.fill_principal_keys(model, ctx);
    }

    /// The context keys derived from this principal alone (not the clock's): what [`Principal::fill_context`]
    /// computes once for the requests that share a [`crate::eval::condition::PrincipalKeys`] (a batch evaluates
    /// many requests of one principal).
    pub fn derived_keys(&self, model: &Model) -> Context {
        let mut ctx = Context::new();
        self.fill_principal_keys(model, &mut ctx);
        ctx
    }

    /// The keys of [`Principal::derived_keys`], each set unless the caller's context has it.
    fn fill_principal_keys(&self, model: &Model, ctx: &mut Context) {
        let one = |s: &str| vec![s.to_string()];
        ctx.set_default(
            "aws:PrincipalIsAWSService",
            one(if self.kind == PrincipalType::Service {
                "true"
            } else {
                "false"
            }),
        );
        if self.kind == PrincipalType::Service {
            if self.arn == ANY_SERVICE {
                ctx.set_unread("aws:PrincipalServiceName", ANY_SERVICE_WHY);
            } else {
                ctx.set_default("aws:PrincipalServiceName", one(&self.arn));
            }
            if let Some(o) = &self.outsider {
                // Acting for a resource of an account outside the zone. Its own account and ARN, if its request
                // has them, are AWS's (none of the zone's); it is no member of an organisation
                // ("included in the request context only if the principal is a member of an organization":
                // <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>):
                // read as another organisation's or none, as for an account outside it.
                let anywhere = Outside {
                    organization: true,
                    members: None,
                    ..o.clone()
                };
                ctx.set_unread_or_absent_bound(
                    "aws:PrincipalAccount",
                    OUTSIDE_SOURCE,
                    Bound::Outside(anywhere.clone()),
                );
                ctx.set_unread_or_absent_bound(
                    "aws:PrincipalArn",
                    OUTSIDE_SOURCE,
                    Bound::ArnOutside(anywhere.clone()),
                );
                fill_outside_org_keys(
                    model,
                    &anywhere,
                    ["aws:PrincipalOrgID", "aws:PrincipalOrgPaths"],
                    true,
                    ctx,
                );
                // The source keys are there "only when the call to your resource is made directly by an AWS
                // service principal" on behalf of a resource (ibid.): a call may have none.
                for key in ["aws:SourceAccount", "aws:SourceOwner"] {
                    ctx.set_unread_or_absent_bound(key, OUTSIDE_SOURCE, Bound::Outside(o.clone()));
                }
                ctx.set_unread_or_absent_bound(
                    "aws:SourceArn",
                    OUTSIDE_SOURCE,
                    Bound::ArnOutside(o.clone()),
                );
                fill_outside_org_keys(
                    model,
                    o,
                    ["aws:SourceOrgID", "aws:SourceOrgPaths"],
                    true,
                    ctx,
                );
            }
            return;
        }
        if self.kind == PrincipalType::Anonymous {
            ctx.set_default("aws:PrincipalType", one("Anonymous"));
            // An unsigned request has no account, ARN or organisation: said absent, so that a reverse query does
            // not take a test of them for a condition the caller may meet ("included in the request context for
            // all requests signed using valid credentials", "only if the principal is a member of an
            // organization": <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>).
            for key in [
                "aws:PrincipalAccount",
                "aws:PrincipalArn",
                "aws:PrincipalOrgID",
                "aws:PrincipalOrgPaths",
            ] {
                ctx.set_default(key, Vec::new());
            }
            return;
        }
        if let Some(o) = &self.outsider {
            ctx.set_unread_bound("aws:PrincipalAccount", OUTSIDER, Bound::Outside(o.clone()));
            fill_outside_org_keys(
                model,
                o,
                ["aws:PrincipalOrgID", "aws:PrincipalOrgPaths"],
                false,
                ctx,
            );
        } else if let Some(a) = &self.account {
            ctx.set_default("aws:PrincipalAccount", one(a));
            fill_org_keys(
                model,
                a,
                ["aws:PrincipalOrgID", "aws:PrincipalOrgPaths"],
                NO_ORGANIZATION,
                ctx,
            );
        }
        // Any principal of the account: which one, and so what its own keys say, is not known. A test of one is
        // undecided, in reverse queries too (it is no condition a request can meet: the principal is what it is).
        if self.stand_in {
            for key in ["aws:PrincipalType", "aws:userid"] {
                ctx.set_unread(key, STAND_IN);
            }
            // Which principal is not known, but its ARN is one of the account's (for an outsider, of an account
            // not loaded).
            match (&self.outsider, &self.account) {
                (Some(o), _) => {
                    ctx.set_unread_bound("aws:PrincipalArn", OUTSIDER, Bound::ArnOutside(o.clone()))
                }
                // (A malformed account, `*`, bounds nothing.)
                (None, Some(a)) if crate::arn::is_account_id(a) => {
                    ctx.set_unread_bound("aws:PrincipalArn", STAND_IN, Bound::OfAccount(a.clone()))
                }
                _ => ctx.set_unread("aws:PrincipalArn", STAND_IN),
            }
            ctx.set_unread_or_absent("aws:username", STAND_IN);
            ctx.set_family_unread_or_absent("aws:PrincipalTag/", STAND_IN);
            return;
        }
        let ptype = match self.kind {
            PrincipalType::User => "User",
            PrincipalType::Role | PrincipalType::AssumedRole => "AssumedRole",
            PrincipalType::FederatedUser => "FederatedUser",
            PrincipalType::Root => "Account",
            _ => "",
        };
        if !ptype.is_empty() {
            ctx.set_default("aws:PrincipalType", one(ptype));
        }
        let principal_arn = self.role_arn.clone().unwrap_or_else(|| self.arn.clone());
        if self.kind != PrincipalType::Federated {
            ctx.set_default("aws:PrincipalArn", vec![principal_arn]);
        }
        let Some(r) = self.entity else {
            self.fill_unloaded_keys(ctx);
            return;
        };
        let Some(acc) = model.accounts.get(r.account as usize) else {
            return;
        };
        let (id, tags) = match r.kind {
            EntityKind::User => match acc.users.get(r.index as usize) {
                Some(u) => {
                    ctx.set_default("aws:username", one(&u.name));
                    (Some(u.id.to_string()), &u.tags)
                }
                None => return,
            },
            EntityKind::Role => match acc.roles.get(r.index as usize) {
                Some(role) if may_have_session_tags(role) => {
                    // Its sessions may carry tags that add to or replace the role's own
                    // (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html>): which, the
                    // request does not say.
                    ctx.set_family_unread_or_absent("aws:PrincipalTag/", SESSION_TAGS);
                    role_userid(role, self.session.as_deref(), ctx);
                    return;
                }
                Some(role) => {
                    role_userid(role, self.session.as_deref(), ctx);
                    (None, &role.tags)
                }
                None => return,
            },
            _ => return,
        };
        if let Some(id) = id {
            ctx.set_default("aws:userid", one(&id));
        }
        for t in tags {
            ctx.set_default(&format!("aws:PrincipalTag/{}", t.key), one(&t.value));
        }
    }

    /// The keys of a principal the snapshot does not hold: its name from its ARN, its unique ID and tags not
    /// known (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable>).
    fn fill_unloaded_keys(&self, ctx: &mut Context) {
        let name = self.arn.rsplit('/').next().unwrap_or_default();
        match self.kind {
            PrincipalType::User => {
                ctx.set_default("aws:username", vec![name.to_string()]);
                ctx.set_unread("aws:userid", UNLOADED_ID);
                ctx.set_family_unread_or_absent("aws:PrincipalTag/", UNLOADED_TAGS);
            }
            PrincipalType::Role | PrincipalType::AssumedRole => {
                ctx.set_unread("aws:userid", UNLOADED_ID);
                ctx.set_family_unread_or_absent("aws:PrincipalTag/", UNLOADED_TAGS);
            }
            // `ACCOUNT:CALLER-SPECIFIED-NAME`; the tags passed to `GetFederationToken` are not known.
            PrincipalType::FederatedUser => {
                if let Some(a) = &self.account {
                    ctx.set_default("aws:userid", vec![format!("{a}:{name}")]);
                }
                ctx.set_family_unread_or_absent("aws:PrincipalTag/", UNLOADED_TAGS);
            }
            // The account's ID.
            PrincipalType::Root => {
                if let Some(a) = &self.account {
                    ctx.set_default("aws:userid", vec![a.clone()]);
                }
            }
            _ => {}
        }
    }
}

/// A role's `aws:userid` is `ROLE-ID:SESSION-NAME`
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>): without a session name
/// it is not known, and a test of it is undecided (a name made up here decided a `Deny` on
/// `AROA…:*@contractor.example` as not applying).
fn role_userid(role: &crate::account::Role, session: Option<&str>, ctx: &mut Context) {
    match session {
        Some(s) => ctx.set_default("aws:userid", vec![format!("{}:{s}", role.id)]),
        None => ctx.set_unread(
            "aws:userid",
            "a role's `aws:userid` is `ROLE-ID:SESSION-NAME`, and the request names no session (give the \
             principal as `assumed-role/ROLE/SESSION`)",
        ),
    }
}

/// Why `aws:PrincipalOrgID`/`aws:PrincipalOrgPaths` are undecided when no organisation is loaded.
const NO_ORGANIZATION: &str = "no organisation is loaded, so whether the principal's account is in one, and \
     where, is not known (load the organisation's export, or give `aws:PrincipalOrgID=o-…`, or \
     `--context aws:PrincipalOrgID` with no value for an account in none)";

/// An account's organisation keys (`aws:PrincipalOrgID`/`…OrgPaths` or `aws:ResourceOrgID`/`…OrgPaths`): from the
/// loaded organisation when the account is in its tree; undecided when no organisation is loaded (`none`), and
/// for the organisation's management account when the tree leaves it out (the loader warns; it is a member, but
/// where is not said); for any other account absent or another organisation's (the tree lists every member).
pub fn fill_org_keys(
    model: &Model,
    account: &str,
    keys: [&str; 2],
    none: &'static str,
    ctx: &mut Context,
) {
    let [id, paths] = keys;
    match &model.organization {
        Some(org) => match org.org_path(account) {
            Some(path) => {
                ctx.set_default(id, vec![org.id.to_string()]);
                ctx.set_default(paths, vec![path]);
            }
            // A member all the same: its organisation is known, its path not.
            None if org.management_account.as_deref() == Some(account) => {
                ctx.set_default(id, vec![org.id.to_string()]);
                ctx.set_unread(paths, NOT_IN_TREE);
            }
            None => not_member_org_keys(org, keys, ctx),
        },
        None => {
            for key in keys {
                ctx.set_unread_or_absent(key, none);
            }
        }
    }
}

/// The organisation keys of an account outside the loaded organisation `org`: in no organisation, or in another
/// one, which the snapshot does not say. A test that reads the same either way, as every test against the loaded
/// organisation's ID or paths does, is decided (`condition::same_unless`); one naming another organisation is
/// not. (Only an organisation ID as AWS writes them bounds the values: one with a wildcard would not.)
fn not_member_org_keys(org: &crate::account::Organization, keys: [&str; 2], ctx: &mut Context) {
    let [id, paths] = keys;
    if is_org_id(&org.id) {
        ctx.set_unread_or_absent_except(id, OUTSIDE_ORGANIZATION, org.id.to_string());
        ctx.set_unread_or_absent_except(paths, OUTSIDE_ORGANIZATION, format!("{}/*", org.id));
    } else {
        ctx.set_unread_or_absent(id, OUTSIDE_ORGANIZATION);
        ctx.set_unread_or_absent(paths, OUTSIDE_ORGANIZATION);
    }
}

/// The organisation keys (`aws:PrincipalOrgID`/`…OrgPaths`, or the `aws:Source…` pair of a service acting for a
/// resource) of a caller from outside the zone `o`: outside an organisation zone, another organisation's or none;
/// outside an account only, any organisation's, this one's too, or none; for the organisation's other members,
/// the loaded organisation and one of their paths ([`condition::Bound::OneOf`]), or with `may_be_absent` (a
/// service's source keys) that or nothing.
fn fill_outside_org_keys(
    model: &Model,
    o: &Outside,
    keys: [&str; 2],
    may_be_absent: bool,
    ctx: &mut Context,
) {
    let [id, paths] = keys;
    match (&model.organization, &o.members) {
        (Some(_), Some(_)) if may_be_absent => {
            ctx.set_unread_or_absent(id, OUTSIDE_SOURCE);
            ctx.set_unread_or_absent(paths, OUTSIDE_SOURCE);
        }
        (Some(org), Some(members)) => {
            ctx.set_default(id, vec![org.id.to_string()]);
            if members.is_empty() {
                ctx.set_unread(paths, MEMBER_PATH_UNKNOWN);
            } else {
                ctx.set_unread_bound(paths, OUTSIDER, Bound::OneOf(members.clone()));
            }
        }
        (Some(org), None) if o.organization => not_member_org_keys(org, keys, ctx),
        _ => {
            ctx.set_unread_or_absent(id, OUTSIDER);
            ctx.set_unread_or_absent(paths, OUTSIDER);
        }
    }
}

/// The zone a caller from outside `resource_account` is not in: the account, and the loaded organisation when
/// there is one.
fn outside_of(model: &Model, resource_account: &str) -> Outside {
    Outside {
        of: resource_account.to_string(),
        // (The organisation is the zone of its members' resources only: another account's zone is the account,
        // and the organisation's members are asked about apart.)
        organization: model
            .organization
            .as_ref()
            .is_some_and(|o| o.is_member(resource_account)),
        members: None,
    }
}

/// An account ID standing for a caller from outside: none loaded, none of the loaded organisation's, not `of`.
fn made_up_account(model: &Model, of: &str) -> String {
    let member = |a: &str| model.organization.as_ref().is_some_and(|o| o.is_member(a));
    (0u64..1000)
        .map(|n| format!("{:012}", 999_999_999_999 - n))
        .find(|a| model.account(a).is_none() && !member(a) && a != of)
        .unwrap_or_else(|| "999999999999".into())
}

/// Web identity providers whose tokens `sts:AssumeRoleWithWebIdentity` takes without an IAM identity provider in
/// the account ("Example providers include the OAuth 2.0 providers Login with Amazon and Facebook, or any OpenID
/// Connect-compatible identity provider such as Google or Amazon Cognito federated identities"; the call "does not
/// require the use of AWS security credentials":
/// <https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html>): a trust open to `*`
/// for that action lets in anyone holding one, as its conditions allow.
pub const WEB_IDENTITIES: [&str; 4] = [
    "cognito-identity.amazonaws.com",
    "www.amazon.com",
    "graph.facebook.com",
    "accounts.google.com",
];

/// The name that stands for any AWS service ([`Principal::service_from_outside_of`]): no service principal's.
pub const ANY_SERVICE: &str = "*.amazonaws.com";

/// Why `aws:PrincipalServiceName` is undecided for [`ANY_SERVICE`].
const ANY_SERVICE_WHY: &str = "the caller stands for any AWS service, and which one is not known";

/// Why the `aws:Source…` keys of a service acting for a resource outside the zone are undecided.
const OUTSIDE_SOURCE: &str = "the service acts for a resource of an account outside the zone of trust, and \
     which account and resource is not known";

/// Why `aws:PrincipalOrgPaths` is undecided for the organisation's other members when one's path is not known.
const MEMBER_PATH_UNKNOWN: &str = "the caller stands for every principal of the organisation's other accounts, \
     and the loaded tree does not place one of them";

/// An organisation ID as AWS writes them: `o-` and lower-case letters or digits (10 to 32 of them in AWS's
/// <https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html>; shorter ones, as in
/// examples, are read alike). What matters here is that it has no wildcard.
fn is_org_id(id: &str) -> bool {
    id.strip_prefix("o-").is_some_and(|rest| {
        (1..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// Why an account's organisation keys are undecided when it is not in the loaded organisation.
const OUTSIDE_ORGANIZATION: &str = "the account is not in the loaded organisation, and whether it is in another \
     one, and which, is not known (give the key, or with no value for an account in none)";

/// Why an account's organisation keys are undecided when the loaded tree leaves it out.
const NOT_IN_TREE: &str = "the loaded organisation's tree does not place its management account, so its path \
     in the organisation is not said (give the key)";

/// Why the account keys of a caller from outside are undecided.
const OUTSIDER: &str = "the caller stands for every principal of every account outside the zone of trust, and \
     which account is not known";

/// Whether `account` is inside the zone `o` of a caller from outside (for the organisation's other members: not
/// one of them).
pub fn inside_zone(model: &Model, o: &Outside, account: &str) -> bool {
    let member = || {
        model
            .organization
            .as_ref()
            .is_some_and(|org| org.is_member(account))
    };
    account == o.of
        || if o.members.is_some() {
            !member()
        } else {
            o.organization && member()
        }
}

/// Why the keys of one principal are undecided for an account that stands for every principal of it.
pub const STAND_IN: &str = "the account stands for every principal of it, and which one makes the request is \
     not known";

/// Why `aws:ResourceOrgID`/`aws:ResourceOrgPaths` are undecided when no organisation is loaded.
pub const NO_ORGANIZATION_RESOURCE: &str = "no organisation is loaded, so whether the resource's account is in \
     one, and where, is not known (load the organisation's export, or give `aws:ResourceOrgID=o-…`, or \
     `--context aws:ResourceOrgID` with no value for an account in none)";

/// Why a principal the snapshot does not hold has an unknown `aws:userid`.
const UNLOADED_ID: &str = "the principal is not in the loaded accounts, so its unique ID is not known (give \
     `aws:userid=…`)";

/// Why a principal the snapshot does not hold has unknown tags.
const UNLOADED_TAGS: &str = "the principal is not in the loaded accounts, so its tags are not known (give \
     `aws:PrincipalTag/KEY=…`, or with no value for a tag it does not have)";

/// Why a role session's tags are undecided when its role's trust policy lets sessions be tagged.
const SESSION_TAGS: &str = "the role's trust policy lets its sessions be given tags (`sts:TagSession`), which \
     add to or replace the role's own, and the request does not say which it has (give \
     `aws:PrincipalTag/KEY=…`, or with no value for a tag it does not have)";

/// Whether sessions of `role` may carry session tags: its trust policy allows `sts:TagSession` (or cannot be
/// read, or is missing). Identity Center's and SAML/OIDC roles usually do. This covers the transitive tags of a
/// role chain too: a session with transitive tags passes them on when it assumes the next role, and that call
/// needs `sts:TagSession` in the next role's trust policy like any other session tags
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining>,
/// "Permissions required to add session tags" on the same page): a role whose trust does not allow it has
/// no session tags, its own or inherited.
fn may_have_session_tags(role: &crate::account::Role) -> bool {
    use crate::policy::{ActionBlock, Effect};
    let Some(trust) = &role.trust else {
        return true;
    };
    // A trust policy not read in full may say more than was read.
    if trust.policy.invalid.is_some() {
        return true;
    }
    trust.policy.statements.iter().any(|st| {
        st.invalid.is_some()
            || st.effect.as_ref().is_none_or(|e| e.value == Effect::Allow)
                && match &st.action {
                    Some(ActionBlock::Action(l)) => l
                        .iter()
                        .any(|p| crate::wildcard::action_matches(p, "sts:TagSession")),
                    Some(ActionBlock::NotAction(l)) => !l
                        .iter()
                        .any(|p| crate::wildcard::action_matches(p, "sts:TagSession")),
                    None => true,
                }
    })
}

thread_local! {
    /// The last time formatted (reverse queries fill thousands of contexts at the same instant).
    static TIME_STRINGS: std::cell::RefCell<(i64, String, String)> =
        const { std::cell::RefCell::new((i64::MIN, String::new(), String::new())) };
}

/// `aws:CurrentTime` and `aws:EpochTime` for `now`.
fn time_strings(now: Timestamp) -> (String, String) {
    TIME_STRINGS.with(|c| {
        let mut c = c.borrow_mut();
        if c.0 != now.0 {
            *c = (now.0, now.to_string(), now.0.to_string());
        }
        (c.1.clone(), c.2.clone())
    })
}

/// Why an answer that rests on the resource's account is uncertain when the resource's ARN names no account (an
/// S3 bucket) and no loaded policy places it: it is taken as the principal's account, where an identity policy's
/// `Allow` suffices, while in another account the resource-based policy must allow too
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>).
pub const ACCOUNT_ASSUMED: &str = "the resource's ARN names no account and no loaded policy places it: it \
     was taken as the principal's account, and in another account the identity policies (within any boundary) and a \
     resource-based policy must both allow (give the account: the context key `aws:ResourceAccount`, \
     `--resource-account`, or `resource_account` in a batch line)";

impl Request {
    /// The account that owns the resource: given, else from the ARN, else the context's `aws:ResourceAccount`,
    /// else the account whose resource policy covers it, else the principal's (S3 ARNs carry no account: see
    /// [`Request::resource_account_assumed`]).
    pub fn resource_account<'a>(&'a self, model: &'a Model) -> Option<&'a str> {
        self.known_resource_account(model)
            .or(self.principal.account.as_deref())
    }

    /// The resource's account when the request, the ARN, a loaded policy or the context says it.
    pub fn known_resource_account<'a>(&'a self, model: &'a Model) -> Option<&'a str> {
        if let Some(a) = &self.resource_account {
            return Some(a);
        }
        if let Some(a) = arn_account(&self.resource).filter(|a| is_account_id(a)) {
            return Some(a);
        }
        // (The lookup is made only for an ARN without an account.) The snapshot's bucket policy places the bucket
        // before a context value does.
        if let Some(r) = resource_policy_for(model, &self.resource) {
            return model.accounts.get(r.account as usize).map(|a| &*a.id);
        }
        if let Some([a]) = self.context.get("aws:ResourceAccount")
            && is_account_id(a)
        {
            return Some(a);
        }
        None
    }

    /// The resource is an S3 bucket or object (whose ARN names no account) that neither the request nor a loaded
    /// policy places, and was taken as the principal's account. Other ARNs without an account are AWS's own
    /// (`arn:aws:iam::aws:policy/…`, public images) or reachable from the caller's account only (Route 53), and
    /// `s3:CreateBucket` makes the bucket in the caller's account.
    pub fn resource_account_assumed(&self, model: &Model) -> bool {
        self.resource_account_assumed_given(self.known_resource_account(model))
    }

    /// [`Request::resource_account_assumed`], given [`Request::known_resource_account`] (a caller that has it
    /// already does not look it up again).
    pub fn resource_account_assumed_given(&self, known: Option<&str>) -> bool {
        // The cheap tests first: most resources' accounts are known.
        known.is_none()
            && self.principal.account.is_some()
            && !self.action.eq_ignore_ascii_case("s3:CreateBucket")
            && crate::arn::Arn::parse(&self.resource)
                .is_some_and(|a| a.service == "s3" && a.region.is_empty() && a.account.is_empty())
    }
}

/// The resource policy that covers `resource` (exact ARN; the bucket for S3 objects; the function for a
/// qualified Lambda ARN).
pub fn resource_policy_for(model: &Model, resource: &str) -> Option<EntityRef> {
    let hit = |arn: &str| {
        model
            .by_arn(arn)
            .filter(|r| r.kind == EntityKind::ResourcePolicy)
    };
    if let Some(r) = hit(resource) {
        return Some(r);
    }
    // An object of a bucket in any partition (`arn:aws:`, `arn:aws-us-gov:`, `arn:aws-cn:`): its bucket's
    // policy.
    if let Some((partition, rest)) = resource
        .strip_prefix("arn:")
        .and_then(|r| r.split_once(':'))
        && let Some(path) = rest.strip_prefix("s3:::")
        && let Some((bucket, _)) = path.split_once('/')
    {
        // The bucket's ARN is a prefix of the object's: no allocation.
        return hit(resource.get(.."arn:".len() + partition.len() + ":s3:::".len() + bucket.len())?);
    }
    if resource.contains(":lambda:") && resource.matches(':').count() == 7 {
        let base = resource.get(..resource.rfind(':')?)?;
        return hit(base);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_every_form() {
        let m = Model::default();
        let p = |s: &str| Principal::resolve(s, &m).map(|p| p.kind);
        assert_eq!(p("*"), Ok(PrincipalType::Anonymous));
        assert_eq!(p("111122223333"), Ok(PrincipalType::Root));
        assert_eq!(p("arn:aws:iam::111122223333:root"), Ok(PrincipalType::Root));
        assert_eq!(p("lambda.amazonaws.com"), Ok(PrincipalType::Service));
        assert_eq!(
            p("arn:aws:iam::111122223333:user/a/b"),
            Ok(PrincipalType::User)
        );
        assert_eq!(
            p("arn:aws:iam::111122223333:role/r"),
            Ok(PrincipalType::Role)
        );
        assert_eq!(
            p("arn:aws:sts::111122223333:assumed-role/r/s"),
            Ok(PrincipalType::AssumedRole)
        );
        assert_eq!(
            p("arn:aws:sts::111122223333:federated-user/f"),
            Ok(PrincipalType::FederatedUser)
        );
        assert_eq!(
            p("arn:aws:iam::111122223333:oidc-provider/x"),
            Ok(PrincipalType::Federated)
        );
        assert!(p("arn:aws:s3:::bucket").is_err());
        assert!(p("nobody").is_err());
        let s = Principal::resolve("arn:aws:sts::111122223333:assumed-role/r/s", &m).unwrap();
        assert_eq!(
            s.role_arn.as_deref(),
            Some("arn:aws:iam::111122223333:role/r")
        );
        assert_eq!(s.session.as_deref(), Some("s"));
    }
}

#[cfg(test)]
mod carry_tests {
    use super::*;

    /// Which keys a request may carry, by principal and action, as the availability of each key and the Service
    /// Authorization Reference say; the reason names the key and how to give it.
    #[test]
    fn which_keys_a_request_may_carry() {
        let model = Model::default();
        let p = |s: &str| Principal::resolve(s, &model).expect("principal");
        let user = p("arn:aws:iam::111122223333:user/a");
        let role = p("arn:aws:iam::111122223333:role/r");
        let service = p("lambda.amazonaws.com");
        let root = p("111122223333");
        let none = Context::new();
        let may = |key: &str, who: &Principal, action: &str, ctx: &Context| {
            may_carry(key, who, action, ctx).is_some()
        };
        let oidc = "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub";
        let federated =
            p("arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC");
        // (key, principal, action, whether a request that does not say may carry it)
        let cases: [(&str, &Principal, &str, bool); 25] = [
            // The action's own keys, and not another action's or service's.
            ("s3:x-amz-acl", &user, "s3:PutObject", true),
            ("s3:x-amz-acl", &user, "s3:GetObject", false),
            ("ec2:InstanceType", &user, "s3:PutObject", false),
            ("ec2:InstanceType", &user, "ec2:RunInstances", true),
            ("s3:RequestObjectTag/team", &user, "s3:PutObject", true),
            // What the catalogue does not know may be newer than it.
            ("s3:x-amz-acll", &user, "s3:PutObject", true),
            ("s3:x-amz-acl", &user, "s3:NoSuchAction", true),
            // A key listed for nearly every action of the service may be on the few it is left off.
            (
                "s3:ResourceAccount",
                &user,
                "s3:PutAccessPointPublicAccessBlock",
                true,
            ),
            ("s3:TlsVersion", &user, "s3:InitiateReplication", true),
            ("s3:TlsVersion", &user, "s3:GetObject", true),
            ("newsvc:Key", &user, "s3:GetObject", true),
            ("aws:NoSuchKey", &user, "s3:GetObject", true),
            // An identity provider's keys only on a federated sign-in.
            (oidc, &user, "s3:GetObject", false),
            (oidc, &role, "sts:AssumeRoleWithWebIdentity", true),
            (oidc, &federated, "sts:AssumeRoleWithWebIdentity", true),
            (oidc, &federated, "sts:TagSession", true),
            (oidc, &federated, "s3:GetObject", false),
            // ... and in every request of the session it made.
            (
                "cognito-identity.amazonaws.com:sub",
                &role,
                "s3:GetObject",
                true,
            ),
            ("saml:aud", &user, "s3:GetObject", false),
            ("saml:sub", &user, "sts:AssumeRole", false),
            // The assume-role call's keys in the calls authorised within it.
            ("sts:ExternalId", &user, "sts:TagSession", true),
            (
                "identitystore:IdentityStoreArn",
                &role,
                "s3:GetObject",
                true,
            ),
            (
                "identitystore:IdentityStoreArn",
                &user,
                "s3:GetObject",
                false,
            ),
            // Global keys by availability.
            ("aws:Referer", &user, "s3:GetObject", true),
            ("aws:CalledVia", &user, "s3:GetObject", true),
        ];
        for (key, who, action, expected) in cases {
            assert_eq!(
                may(key, who, action, &none),
                expected,
                "{key} for {:?} on {action}",
                who.kind
            );
        }
        let mut direct = Context::new();
        direct.set("aws:ViaAWSService", vec!["false".into()]);
        assert!(!may("aws:CalledVia", &user, "s3:GetObject", &direct));
        assert!(!may("aws:CalledVia", &service, "sqs:SendMessage", &none));
        assert!(!may("aws:SourceArn", &user, "sqs:SendMessage", &none));
        assert!(may("aws:SourceArn", &service, "sqs:SendMessage", &none));
        assert!(!may("aws:SourceIdentity", &user, "s3:GetObject", &none));
        assert!(may("aws:SourceIdentity", &role, "s3:GetObject", &none));
        assert!(may(
            "lambda:SourceFunctionArn",
            &role,
            "s3:GetObject",
            &none
        ));
        assert!(!may(
            "lambda:SourceFunctionArn",
            &user,
            "s3:GetObject",
            &none
        ));
        assert!(may("aws:AssumedRoot", &root, "s3:GetObject", &none));
        assert!(!may("aws:AssumedRoot", &user, "s3:GetObject", &none));
        assert!(may("aws:RequestTag/team", &user, "iam:CreateRole", &none));
        assert!(!may("aws:RequestTag/team", &user, "iam:ListRoles", &none));
        assert!(may(
            "aws:ResourceTag/env",
            &user,
            "ec2:TerminateInstances",
            &none
        ));
        assert!(!may(
            "aws:ResourceTag/env",
            &user,
            "ec2:DescribeInstances",
            &none
        ));
        let mut internet = Context::new();
        internet.set("aws:SourceIp", vec!["198.51.100.7".into()]);
        assert!(may("aws:VpceAccount", &user, "s3:GetObject", &none));
        assert!(!may("aws:VpceAccount", &user, "s3:GetObject", &internet));
        let mut no_endpoint = Context::new();
        no_endpoint.set("aws:SourceVpce", Vec::new());
        assert!(!may("aws:VpceAccount", &user, "s3:GetObject", &no_endpoint));
        // Derived or decided elsewhere: not asked here.
        assert!(!may("aws:PrincipalArn", &user, "s3:GetObject", &none));
        // A key without a prefix is never set.
        assert!(!may("NoPrefix", &user, "s3:GetObject", &none));
        // A principal the snapshot does not hold: its name from its ARN, its ID and tags undecided, and with no
        // organisation loaded, its organisation too.
        let mallory = p("arn:aws:iam::999999999999:user/mallory");
        let keys = mallory.derived_keys(&model);
        assert_eq!(keys.get("aws:username"), Some(&["mallory".to_string()][..]));
        assert!(keys.unread("aws:userid").is_some());
        assert!(
            keys.unread("aws:PrincipalTag/team").is_some()
                && keys.may_be_absent("aws:PrincipalTag/Team")
        );
        assert!(
            keys.unread("aws:PrincipalOrgID").is_some() && keys.may_be_absent("aws:PrincipalOrgID")
        );
        let mut given = Context::new();
        given.set("aws:PrincipalTag/team", Vec::new());
        given.set("aws:PrincipalOrgID", vec!["o-abc1234567".into()]);
        mallory.fill_context(&model, &mut given, Timestamp(0));
        assert_eq!(given.unread("aws:PrincipalTag/team"), None, "said absent");
        assert_eq!(given.unread("aws:PrincipalOrgID"), None, "given");
        // With an organisation loaded: a member's keys from its tree; its management account, left out of the tree,
        // undecided; another account outside it.
        let mut org_model = Model::default();
        org_model.organization = Some(crate::account::Organization {
            id: "o-abc1234567".into(),
            management_account: Some("111122223333".into()),
            root: crate::account::OrgNode {
                id: "r-root".into(),
                name: "Root".into(),
                scps: None,
                rcps: None,
                accounts: vec!["444455556666".into()],
                children: Vec::new(),
            },
            paths: Default::default(),
        });
        let keys_of = |arn: &str| {
            Principal::resolve(arn, &org_model)
                .expect("principal")
                .derived_keys(&org_model)
        };
        let member = keys_of("arn:aws:iam::444455556666:user/m");
        assert_eq!(
            member.get("aws:PrincipalOrgPaths"),
            Some(&["o-abc1234567/r-root/".to_string()][..])
        );
        let management = keys_of("arn:aws:iam::111122223333:user/m");
        assert_eq!(
            management.get("aws:PrincipalOrgID"),
            Some(&["o-abc1234567".to_string()][..])
        );
        assert!(
            management.unread("aws:PrincipalOrgPaths").is_some()
                && !management.may_be_absent("aws:PrincipalOrgPaths")
        );
        let outside = keys_of("arn:aws:iam::777788889999:user/m");
        assert!(is_org_id("o-abc1234567") && is_org_id("o-exampleorgid1"));
        assert!(
            !is_org_id("o-*") && !is_org_id("*") && !is_org_id("o-ABC1234567") && !is_org_id("o-")
        );
        // Outside the loaded organisation: in none or in another, never in this one.
        assert_eq!(outside.get("aws:PrincipalOrgID"), None);
        assert!(
            outside.unread("aws:PrincipalOrgID").is_some()
                && outside.may_be_absent("aws:PrincipalOrgID")
        );
        assert_eq!(
            outside.bound("aws:PrincipalOrgID"),
            Some(&crate::eval::condition::Bound::Except(
                "o-abc1234567".into()
            ))
        );
        assert_eq!(
            outside.bound("aws:principalorgpaths"),
            Some(&crate::eval::condition::Bound::Except(
                "o-abc1234567/*".into()
            ))
        );
        assert_eq!(member.bound("aws:PrincipalOrgID"), None);
        let why = may_carry("s3:x-amz-acl", &user, "s3:PutObject", &none).unwrap_or_default();
        assert!(
            why.contains("`s3:x-amz-acl`")
                && why.contains("s3:PutObject")
                && why.contains("--context s3:x-amz-acl"),
            "{why}"
        );
    }
}

#[cfg(test)]
mod time_tests {
    use super::*;

    /// A request that gives `aws:CurrentTime` gets `aws:EpochTime` for the same instant, and the other way round;
    /// a request that gives neither gets both from `now`.
    #[test]
    fn current_time_and_epoch_time_are_one_instant() {
        let model = Model::default();
        let p = Principal::resolve("arn:aws:iam::111122223333:user/a", &model).expect("principal");
        let now = Timestamp::parse("2030-01-01T00:00:00Z").expect("date");
        let mut ctx = Context::new();
        ctx.set("aws:CurrentTime", vec!["2026-11-20T10:00:00Z".into()]);
        p.fill_context(&model, &mut ctx, now);
        assert_eq!(
            ctx.get("aws:EpochTime"),
            Some(&["1795168800".to_string()][..])
        );
        let mut ctx = Context::new();
        ctx.set("aws:EpochTime", vec!["1795168800".into()]);
        p.fill_context(&model, &mut ctx, now);
        assert_eq!(
            ctx.get("aws:CurrentTime"),
            Some(&["2026-11-20T10:00:00Z".to_string()][..])
        );
        let mut ctx = Context::new();
        p.fill_context(&model, &mut ctx, now);
        assert_eq!(
            ctx.get("aws:EpochTime"),
            Some(&["1893456000".to_string()][..])
        );
    }
}

#[cfg(test)]
mod derived_tests {
    use super::*;

    /// A principal's keys derived once and read under a request's own give every request the context that
    /// deriving them for it gives: the caller's keys still win, the clock's keys are still the request's.
    #[test]
    fn derived_keys_read_under_the_request_equal_deriving_them_each_time() {
        let model = crate::sample::load_sample(Default::default()).expect("the sample loads");
        let now = Timestamp::parse("2030-01-01T00:00:00Z").expect("date");
        let mut arns: Vec<String> = Vec::new();
        for a in &model.accounts {
            arns.extend(a.users.iter().map(|u| u.arn.to_string()));
            arns.extend(a.roles.iter().map(|r| r.arn.to_string()));
        }
        let first_role = arns
            .iter()
            .find(|a| a.contains(":role/"))
            .expect("a role")
            .clone();
        let (acct, role) = first_role
            .trim_start_matches("arn:aws:iam::")
            .split_once(":role/")
            .expect("a role ARN");
        let name = role.rsplit('/').next().expect("a name");
        arns.push(format!("arn:aws:sts::{acct}:assumed-role/{name}/alice"));
        arns.push("arn:aws:iam::999999999999:user/outsider".into());
        arns.push("lambda.amazonaws.com".into());
        let contexts: Vec<Vec<(&str, &str)>> = vec![
            vec![],
            vec![
                ("aws:PrincipalTag/team", "intruders"),
                ("aws:SourceIp", "10.0.0.1"),
            ],
            vec![("AWS:PRINCIPALARN", "arn:aws:iam::111122223333:user/spoof")],
            vec![("aws:CurrentTime", "2026-11-20T10:00:00Z")],
            vec![
                ("aws:username", "someone-else"),
                ("aws:PrincipalOrgID", "o-other"),
            ],
        ];
        let mut with_tags = 0;
        for arn in &arns {
            let Ok(p) = Principal::resolve(arn, &model) else {
                continue;
            };
            let keys = std::sync::Arc::new(crate::eval::condition::PrincipalKeys::default());
            with_tags += usize::from(
                p.derived_keys(&model)
                    .entries()
                    .iter()
                    .any(|(k, _)| k.starts_with("aws:PrincipalTag/")),
            );
            for given in &contexts {
                let mut plain = Context::new();
                for (k, v) in given {
                    plain.set(k, vec![v.to_string()]);
                }
                let mut layered = plain.clone();
                layered.with_principal_keys(keys.clone());
                p.fill_context(&model, &mut plain, now);
                p.fill_context(&model, &mut layered, now);
                assert_eq!(layered.entries(), plain.entries(), "{arn} {given:?}");
                for (k, _) in plain.entries() {
                    assert_eq!(layered.get(&k), plain.get(&k), "{arn} {k}");
                    assert_eq!(layered.get(&k.to_uppercase()), plain.get(&k), "{arn} {k}");
                }
                assert_eq!(layered.get("aws:NoSuchKey"), None);
            }
        }
        assert!(with_tags > 0, "some sample principal has tags");
    }

    #[test]
    fn removing_a_key_leaves_the_principals_keys() {
        let mut base = Context::new();
        base.set(
            "aws:PrincipalArn",
            vec!["arn:aws:iam::111122223333:user/a".into()],
        );
        let mut ctx = Context::new();
        ctx.set("aws:PrincipalArn", vec!["given".into()]);
        let keys = crate::eval::condition::PrincipalKeys::default();
        keys.get_or_init(|| base);
        ctx.with_principal_keys(std::sync::Arc::new(keys));
        assert_eq!(
            ctx.get("aws:principalarn"),
            Some(&["given".to_string()][..])
        );
        ctx.remove("aws:PrincipalArn");
        assert_eq!(
            ctx.get("aws:PrincipalArn"),
            Some(&["arn:aws:iam::111122223333:user/a".to_string()][..])
        );
    }
}
