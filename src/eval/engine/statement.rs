//! Whether one statement applies to the request: action, resource, principal and conditions.

use super::inputs::Candidates;
use super::layer::Picks;
use super::principal::{principal_doubt, principal_named, unreadable_principal};
use super::{StatementHit, StatementRef};
use crate::account::Model;
use crate::eval::condition::{self, Assumption, ConditionResult, Context, Test, Truth};
use crate::eval::decision::{Layer, Named};
use crate::eval::index::Prefilter;
use crate::eval::request::{Principal, PrincipalType, Request};
use crate::policy::variables::has_variable;
use crate::policy::{ActionBlock, BaseOperator, Effect, ResourceBlock, Statement};
use crate::text::Span;
use crate::time::Timestamp;
use crate::wildcard::{action_matches, resource_matches};

/// Whether a statement applies to the request.
pub(super) enum Applies {
    No,
    /// Action, resource and principal match but a condition fails (explain mode only): the statement that
    /// almost decided, with its conditions.
    NearMiss(Vec<ConditionResult>),
    Yes(Named, Vec<ConditionResult>),
    /// It might: part of it could not be read. The reason.
    Unsure(Named, Vec<ConditionResult>, String),
}

/// Why a statement cannot be read as AWS's grammar says, when it cannot: the evaluator then reads it in the least
/// permissive way instead of dropping it. `resource_needed`: identity, boundary, session, SCP and resource
/// policies need `Resource`; a trust policy has none.
pub(super) fn malformed(s: &Statement, resource_needed: bool) -> Option<String> {
    if let Some(why) = &s.invalid {
        return Some(format!(
            "it is invalid: {}",
            crate::text::excerpt(&why.value, 160)
        ));
    }
    if s.effect.is_none() {
        return Some("its `Effect` is missing or not `Allow`/`Deny`".into());
    }
    if s.action.is_none() {
        return Some("it has no `Action` or `NotAction`".into());
    }
    if resource_needed && s.resource.is_none() {
        return Some("it has no `Resource` or `NotResource`".into());
    }
    None
}

/// Keys the engine fills from the principal, the resource or the clock (see `Principal::fill_context`).
pub(super) fn is_derived_key(key: &str) -> bool {
    const EXACT: [&str; 14] = [
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalType",
        "aws:username",
        "aws:userid",
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:PrincipalIsAWSService",
        "aws:PrincipalServiceName",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:ResourceAccount",
        "aws:ResourceOrgID",
        "aws:ResourceOrgPaths",
    ];
    const LENGTHS: u64 = crate::text::length_set(&EXACT);
    (crate::text::length_in(LENGTHS, key) && EXACT.iter().any(|k| k.eq_ignore_ascii_case(key)))
        || crate::text::extends_ignore_case(key, "aws:PrincipalTag/")
}

/// A tag of the request's resource: `aws:ResourceTag/…`, `iam:ResourceTag/…`.
fn is_resource_tag_key(key: &str) -> bool {
    ["aws:ResourceTag/", "iam:ResourceTag/"]
        .iter()
        .any(|p| crate::text::extends_ignore_case(key, p))
}

pub(super) struct Eval<'a> {
    pub(super) model: &'a Model,
    pub(super) req: &'a Request,
    /// The request's context, copied only when keys derived from the principal or the resource are added
    /// ([`Eval::ensure_ctx`]): most requests of a batch never need them.
    pub(super) ctx: std::borrow::Cow<'a, Context>,
    pub(super) explain: bool,
    pub(super) tested_missing: Vec<crate::policy::Str>,
    /// [`Eval::tested_missing`]'s keys, lowercased.
    pub(super) tested_seen: rustc_hash::FxHashSet<String>,
    pub(super) now: Timestamp,
    pub(super) resource_account: Option<&'a str>,
    /// The resource's account is not known and was taken as the principal's (see [`crate::eval::request::ACCOUNT_ASSUMED`]).
    pub(super) account_assumed: bool,
    pub(super) filled: bool,
    /// The resource is a user or role of the snapshot, whose tags are all known: `aws:ResourceTag/…` and
    /// `iam:ResourceTag/…` are filled from them, and a tag it does not have is absent ([`Eval::ensure_ctx`]).
    pub(super) resource_tags_known: bool,
    pub(super) prefilter: Option<&'a mut Prefilter>,
    pub(super) buf: Vec<u32>,
    pub(super) optimistic: bool,
    pub(super) assumed: Vec<Assumption>,
    /// The request's action, ASCII-lowercased (for the action index).
    pub(super) action_lower: String,
    /// A batch worker's candidate statements per policy and action (see [`Candidates`]).
    pub(super) kept_candidates: Option<&'a mut Candidates>,
    /// Mode::Statements: matching statements with their layer.
    pub(super) collect: bool,
    pub(super) current: Layer,
    pub(super) hits: Vec<(Layer, StatementHit)>,
    /// The principal's user or role has a permissions boundary (see [`principal_named`]).
    pub(super) bounded: bool,
    /// Statements to leave out ([`Overrides::ignore`](super::Overrides::ignore)).
    pub(super) ignore: &'a [StatementRef],
    /// Remember the statements that may decide each layer (for [`Picks::deciding`]).
    pub(super) pick: bool,
    pub(super) picks: Picks<'a>,
    /// The resource part of the request's resource holds a `:` (`wildcard::colon_in_resource_part`), read once:
    /// only then may a pattern name it in one reading of wildcards and not in the other.
    pub(super) colon_in_resource: bool,
}

impl Eval<'_> {
    /// Fill the context keys derived from the principal and the resource, once, when a statement first needs
    /// them (most statements of a reverse query never do).
    pub(super) fn ensure_ctx(&mut self) {
        if self.filled {
            return;
        }
        self.filled = true;
        let ctx = self.ctx.to_mut();
        ctx.reserve(24);
        self.req.principal.fill_context(self.model, ctx, self.now);
        // (Reverse queries keep a test of such a key open, an assumption of the answer, but a variable of it
        // cannot be substituted: see `statement_applies`.)
        self.req.principal.mark_unsaid_keys(ctx);
        // A user or role of the snapshot as the resource (`iam:PassRole`, `sts:AssumeRole`, `iam:AttachRolePolicy`
        // on a role): its tags are the export's.
        if let Some(r) = self.model.by_arn(&self.req.resource)
            && let Some(tags) =
                self.model
                    .accounts
                    .get(r.account as usize)
                    .and_then(|a| match r.kind {
                        crate::account::EntityKind::User => {
                            a.users.get(r.index as usize).map(|u| &u.tags)
                        }
                        crate::account::EntityKind::Role => {
                            a.roles.get(r.index as usize).map(|x| &x.tags)
                        }
                        _ => None,
                    })
        {
            for t in tags {
                for prefix in ["aws:ResourceTag/", "iam:ResourceTag/"] {
                    ctx.set_default(&format!("{prefix}{}", t.key), vec![t.value.to_string()]);
                }
            }
            self.resource_tags_known = true;
        }
        if self.account_assumed && !self.optimistic {
            // Not known: undecided. (A reverse query reads the assumed account, and its answer is conditioned on
            // it where the account matters: see `run`.)
            for key in [
                "aws:ResourceAccount",
                "aws:ResourceOrgID",
                "aws:ResourceOrgPaths",
            ] {
                ctx.set_unread(key, crate::eval::request::ACCOUNT_ASSUMED);
            }
        } else if let Some(ra) = self.resource_account {
            ctx.set_default("aws:ResourceAccount", vec![ra.to_string()]);
            crate::eval::request::fill_org_keys(
                self.model,
                ra,
                ["aws:ResourceOrgID", "aws:ResourceOrgPaths"],
                crate::eval::request::NO_ORGANIZATION_RESOURCE,
                ctx,
            );
        }
    }

    /// [`crate::eval::request::may_carry`] for this request: a tag of a resource whose tags are all known and
    /// that it does not have is absent.
    fn may_carry(&self, key: &str) -> Option<std::borrow::Cow<'static, str>> {
        if self.resource_tags_known && is_resource_tag_key(key) {
            return None;
        }
        let p = &self.req.principal;
        if !p.stand_in {
            return crate::eval::request::may_carry(key, p, &self.req.action, &self.ctx);
        }
        // Any principal of the account: a key one of them may carry.
        [
            PrincipalType::AssumedRole,
            PrincipalType::Root,
            PrincipalType::User,
            PrincipalType::FederatedUser,
        ]
        .into_iter()
        .find_map(|kind| {
            let one = Principal { kind, ..p.clone() };
            crate::eval::request::may_carry(key, &one, &self.req.action, &self.ctx)
        })
    }

    /// Whether the resource is known to be in the principal's account.
    fn same_account(&self) -> bool {
        !self.account_assumed
            && self
                .resource_account
                .is_some_and(|ra| self.req.principal.account.as_deref() == Some(ra))
    }

    /// Why `text` cannot be substituted for this request when one of its variables names a key the request
    /// may carry and does not give ([`crate::eval::request::may_carry`]): it stands for a value or for nothing,
    /// which is not known (for a reverse query too: a pattern that cannot be substituted is not a non-match).
    fn variable_may_be_set(&self, text: &str) -> Option<std::borrow::Cow<'static, str>> {
        use crate::policy::variables::{Piece, pieces};
        if !has_variable(text) {
            return None;
        }
        pieces(text).find_map(|piece| match piece {
            Piece::Var(v)
                if v.special().is_none()
                    && !is_derived_key(v.key)
                    && !crate::eval::request::set_by_aws(v.key)
                    && !self.ctx.contains(v.key) =>
            {
                self.may_carry(v.key)
            }
            _ => None,
        })
    }

    pub(super) fn statement_applies(
        &mut self,
        s: &Statement,
        variables: bool,
        check_principal: bool,
        action_known: bool,
    ) -> Applies {
        let mut unsure = malformed(s, !check_principal || s.resource.is_some());
        // The least permissive reading of what is not known: a statement that may deny denies, one that may
        // allow does not allow. A statement whose `Effect` cannot be read is read as a `Deny`.
        let is_deny = s.effect.as_ref().is_none_or(|e| e.value == Effect::Deny);
        // An element that holds the statement's error may have said more than what was read of it: a mismatch
        // there is not final.
        // An error that covers the whole statement (a key written twice: which value AWS reads is not known)
        // puts every element in doubt, its conditions too.
        let whole = s.invalid.as_ref().is_some_and(|i| i.span == s.span);
        let broken = |span: Span| {
            whole
                || s.invalid
                    .as_ref()
                    .is_some_and(|i| span.start <= i.span.start && i.span.end <= span.end)
        };
        if !action_known {
            let action = &self.req.action;
            let acts = match &s.action {
                Some(ActionBlock::Action(l)) => {
                    l.iter().any(|p| action_matches(p, action)) || broken(l.span)
                }
                Some(ActionBlock::NotAction(l)) => {
                    !l.iter().any(|p| action_matches(p, action)) || broken(l.span)
                }
                None => unsure.is_some(),
            };
            if !acts {
                return Applies::No;
            }
        }
        let resource_variables = s.resource.as_ref().is_some_and(|r| {
            let l = r.list();
            if l.items.len() >= crate::policy::ResourceIndex::MIN_LEN {
                s.resource_index.get(l).has_variables()
            } else {
                l.iter().any(has_variable)
            }
        });
        if variables && !self.filled && resource_variables {
            self.ensure_ctx();
        }
        let resource = &self.req.resource;
        let matches_resource = |pattern: &str, ctx: &Context| -> bool {
            if variables {
                match condition::substitute(pattern, ctx) {
                    Some(p) => resource_matches(&p, resource),
                    None => false,
                }
            } else {
                resource_matches(pattern, resource)
            }
        };
        // A long list without variables is looked up in its index.
        let any = |l: &crate::policy::OneOrMany, ctx: &Context| {
            if l.items.len() >= crate::policy::ResourceIndex::MIN_LEN
                && !(variables && resource_variables)
            {
                s.resource_index.get(l).any_match(l, resource)
            } else {
                l.iter().any(|p| matches_resource(p, ctx))
            }
        };
        // A pattern whose variable names a key this request does not determine may name the resource or not.
        let unread_pattern = if variables && resource_variables {
            s.resource.as_ref().and_then(|r| {
                r.list().iter().find_map(|p| {
                    condition::unread_variable(p, &self.ctx)
                        .map(std::borrow::Cow::Borrowed)
                        .or_else(|| self.variable_may_be_set(p))
                        .map(|why| (p, why))
                })
            })
        } else {
            None
        };
        if let Some((p, why)) = &unread_pattern {
            unsure.get_or_insert_with(|| {
                format!(
                    "its resource `{}` holds a variable that cannot be substituted: {why}",
                    crate::text::excerpt(p, 80)
                )
            });
        }
        // A pattern that names the resource in one reading of wildcards and not in the other (a `*` inside a
        // resource part that holds a `:`; `wildcard::resource_matches_whole`): the statement may or may not
        // cover it.
        let two_readings = |l: &crate::policy::OneOrMany, ctx: &Context| -> Option<String> {
            if !self.colon_in_resource {
                return None;
            }
            l.iter().find_map(|p| {
                let p = if variables {
                    condition::substitute(p, ctx)?
                } else {
                    std::borrow::Cow::Borrowed(p)
                };
                (crate::wildcard::may_read_differently(&p, resource)
                    && crate::wildcard::resource_matches_whole(&p, resource)
                    && !resource_matches(&p, resource))
                .then(|| {
                    format!(
                        "its resource `{}` matches `{}` only if a wildcard may cover a `:` inside the resource \
                         part, which AWS does not document",
                        crate::text::excerpt(&p, 80),
                        crate::text::excerpt(resource, 80)
                    )
                })
            })
        };
        let res = match &s.resource {
            Some(ResourceBlock::Resource(l)) => {
                let named = any(l, &self.ctx) || broken(l.span) || unread_pattern.is_some();
                if named {
                    true
                } else if let Some(why) = two_readings(l, &self.ctx) {
                    unsure.get_or_insert(why);
                    true
                } else {
                    false
                }
            }
            Some(ResourceBlock::NotResource(l)) => {
                let outside = !any(l, &self.ctx);
                if outside && let Some(why) = two_readings(l, &self.ctx) {
                    unsure.get_or_insert(why);
                }
                // A pattern whose variable has no value for this request (`${aws:username}` for a role) names
                // nothing, so the resource is outside it; but AWS says such a variable "might cause the entire
                // statement to be invalid" (reference_policies_variables): the statement may not apply at all.
                if outside
                    && variables
                    && resource_variables
                    && let Some(p) = l
                        .iter()
                        .find(|p| has_variable(p) && condition::substitute(p, &self.ctx).is_none())
                {
                    unsure.get_or_insert_with(|| {
                        format!(
                            "its `NotResource` `{}` holds a variable with no value for this request, which AWS \
                             may read as making the statement invalid",
                            crate::text::excerpt(p, 80)
                        )
                    });
                }
                outside || broken(l.span) || unread_pattern.is_some()
            }
            // Trust policies have no `Resource`: the role itself is the resource.
            None => check_principal || unsure.is_some(),
        };
        if !res {
            return Applies::No;
        }
        // A variable with no value for this request (`${aws:username}` for a role, a tag the principal does not
        // have) anywhere in the statement: AWS says it "might cause the entire statement to be invalid"
        // (reference_policies_variables), so the statement may not apply at all, even where another pattern or
        // value matched.
        // A test written `…IfExists` is left to the condition (AWS's note on variables advises `IfExists`
        // against invalid statements), and a key the request may carry but does not give is said there too.
        if variables && unsure.is_none() {
            let tested = |c: &&crate::policy::Condition| c.op.is_none_or(|o| !o.if_exists);
            let in_conditions = s
                .conditions
                .iter()
                .filter(tested)
                .any(|c| c.values.iter().any(has_variable));
            if resource_variables || in_conditions {
                self.ensure_ctx();
                let this = &*self;
                let no_value = |v: &&str| {
                    has_variable(v)
                        && condition::unread_variable(v, &this.ctx).is_none()
                        && this.variable_may_be_set(v).is_none()
                        && condition::substitute(v, &this.ctx).is_none()
                };
                let found = s
                    .resource
                    .as_ref()
                    .and_then(|r| r.list().iter().find(no_value))
                    .or_else(|| {
                        s.conditions
                            .iter()
                            .filter(tested)
                            .find_map(|c| c.values.iter().find(no_value))
                    });
                if let Some(v) = found {
                    unsure = Some(format!(
                        "`{}` holds a variable with no value for this request, which AWS may read as making \
                         the whole statement invalid",
                        crate::text::excerpt(v, 80)
                    ));
                }
            }
        }
        let named = if check_principal {
            match s.principal.as_ref() {
                Some(block) => {
                    let named =
                        principal_named(Some(block), &self.req.principal, is_deny && self.bounded);
                    let doubt = principal_doubt(
                        block,
                        &self.req.principal,
                        self.model,
                        is_deny,
                        named.is_some(),
                    );
                    match (named, doubt) {
                        // A Deny that may cover the requester is read as applying; an Allow that may is not
                        // counted (`unsure` makes it so).
                        (n, Some(why)) => {
                            unsure.get_or_insert_with(|| why.to_string());
                            n.unwrap_or(Named::Account)
                        }
                        (Some(n), None) => n,
                        (None, None) if broken(block.span) => Named::Account,
                        // A Deny that may name the requester may deny; an Allow that may is not counted (the
                        // least permissive reading of each).
                        // (An account named in its own account's resource policy grants nothing alone: the
                        // identity policies decide, so an `Allow` of one there changes no answer.)
                        (None, None) => {
                            match unreadable_principal(block, &self.req.principal, &self.req.action)
                                .filter(|_| is_deny || !self.same_account())
                            {
                                Some(why) => {
                                    unsure.get_or_insert_with(|| why.to_string());
                                    Named::Account
                                }
                                None => return Applies::No,
                            }
                        }
                    }
                }
                // A resource-policy statement without a readable `Principal` may name anyone.
                None if unsure.is_some() => Named::Account,
                None => {
                    unsure = Some("it has no `Principal` or `NotPrincipal`".into());
                    Named::Account
                }
            }
        } else {
            Named::Direct
        };
        let mut results = Vec::new();
        let mut all = true;
        // Reverse queries: tests on keys the request leaves open, assumed to hold (Allow) or not to (Deny).
        let mut open: Vec<Test> = Vec::new();
        // Keys derived from the principal are filled only when a condition tests one the caller did not give,
        // or a value holds a policy variable.
        // (A caller from outside has bounds on keys of no such class, a service's `aws:Source…`: filled whenever a
        // statement has a condition.)
        if !self.filled
            && (self.req.principal.outsider.is_some() && !s.conditions.is_empty()
                || s.conditions.iter().any(|c| {
                    // (The lookup first: most keys a batch's policies test are given.)
                    (self.ctx.get(&c.key.value).is_none_or(<[String]>::is_empty)
                        && (is_derived_key(&c.key.value)
                            || is_resource_tag_key(&c.key.value)
                            || crate::eval::request::set_by_aws(&c.key.value)))
                        || (variables && c.values.iter().any(has_variable))
                }))
        {
            self.ensure_ctx();
        }
        for c in &s.conditions {
            // Whether the request gives the key (with values or with none): looked up once.
            let given = self.ctx.contains(&c.key.value);
            // A key AWS sets to a value the request does not give (`Context::set_unread`), or one this request
            // may carry and does not say (`request::may_carry`: an `s3:x-amz-acl` of a `PutObject`, an
            // `aws:Referer`), with whether it may be absent. Reverse queries keep such tests open instead.
            // A key no such request has (`may_carry` says none) is absent, for reverse queries too: they do not
            // keep a test of it open as a condition no request can meet.
            let mut never_set = false;
            let (marked, may_be_absent) = match self.ctx.unread(&c.key.value) {
                Some(why) => (
                    Some(std::borrow::Cow::Borrowed(why)),
                    self.ctx.may_be_absent(&c.key.value),
                ),
                None if !given
                    && !is_derived_key(&c.key.value)
                    && !crate::eval::request::set_by_aws(&c.key.value) =>
                {
                    match self.may_carry(&c.key.value) {
                        None => {
                            never_set = true;
                            (None, false)
                        }
                        Some(_) if self.optimistic => (None, false),
                        why => (why, true),
                    }
                }
                None => (None, false),
            };
            // Reverse queries keep a test of a key every request has, not given, open: an assumption of the answer;
            // so too a key the snapshot does not say that the request may carry or not (a session's tags, the tags
            // and name of a principal it does not hold or of a stand-in's, an organisation not loaded). Not a fixed
            // value it does not know (a loaded role's `aws:userid`: its ID is known; which principal a stand-in
            // is): that test is undecided. A key given (with no value: absent) is as given, or undecided when AWS
            // always sets it.
            let open_key = self.optimistic
                && !given
                && (crate::eval::request::set_by_aws(&c.key.value)
                    || (marked.is_some() && may_be_absent));
            // A key AWS sets is present, whatever its value: `Null` is decided, and so is a `StringLike` with the
            // pattern `*`, which every value matches (`StringNotLike` then fails). Not so for a key AWS may leave
            // out (`Context::set_unread_or_absent`, `request::may_carry`).
            let marked_present = marked.as_ref().filter(|_| !may_be_absent);
            // A key that is absent or has none of some values (an account outside the loaded organisation: in no
            // organisation or another) decides a test that reads the same way either way.
            // So does a key whose value is an ARN of a known account (which principal an account stands for is
            // not known, but its ARN is the account's).
            let unless = match (marked.is_some(), c.op) {
                (true, Some(op)) => match self.ctx.bound(&c.key.value) {
                    Some(condition::Bound::Except(ex)) if may_be_absent => {
                        condition::same_unless(op, c.values.iter(), ex)
                    }
                    Some(condition::Bound::OfAccount(account)) if !may_be_absent => {
                        condition::within_account(op, c.values.iter(), account)
                    }
                    // An account, or an ARN of one, outside a zone of trust: a value naming only accounts inside
                    // it is passed by none (a wildcard may match any account).
                    // (When it may also be absent, decided only where absent reads the same.)
                    Some(b @ (condition::Bound::Outside(o) | condition::Bound::ArnOutside(o))) => {
                        let id_only = matches!(b, condition::Bound::Outside(_));
                        condition::within_accounts(
                            op,
                            c.values.iter(),
                            id_only,
                            |field, wildcard| {
                                wildcard || !crate::eval::request::inside_zone(self.model, o, field)
                            },
                        )
                        .filter(|t| {
                            !may_be_absent
                                || (op.base != BaseOperator::Null
                                    && *t == condition::when_absent(op))
                        })
                    }
                    // One of a few values (the organisation path of one of the organisation's other members):
                    // decided when every one reads the test the same way.
                    Some(condition::Bound::OneOf(values)) if !may_be_absent => {
                        condition::same_for_each(op, &c.key.value, c.values.iter(), values)
                    }
                    _ => None,
                },
                _ => None,
            };
            let presence = match (marked_present, c.op) {
                _ if unless.is_some() => unless,
                (Some(_), Some(op)) if op.base == BaseOperator::Null && op.qualifier.is_none() => {
                    if c.values.iter().all(|v| v.eq_ignore_ascii_case("true")) {
                        Some(Truth::False)
                    } else if c.values.iter().all(|v| v.eq_ignore_ascii_case("false")) {
                        Some(Truth::True)
                    } else {
                        None
                    }
                }
                (Some(_), Some(op))
                    if matches!(
                        op.base,
                        BaseOperator::StringLike | BaseOperator::StringNotLike
                    ) && c.values.iter().any(|v| v == "*") =>
                {
                    Some(if op.base == BaseOperator::StringLike {
                        Truth::True
                    } else {
                        Truth::False
                    })
                }
                // Whether it is there or not, `StringLikeIfExists "*"` (and `ForAllValues:StringLike "*"`) holds
                // (and `ForAnyValue:StringLikeIfExists "*"` does not say: `condition::when_absent`).
                (None, Some(op))
                    if marked.is_some()
                        && op.base == BaseOperator::StringLike
                        && condition::when_absent(op) == Truth::True
                        && c.values.iter().any(|v| v == "*") =>
                {
                    Some(Truth::True)
                }
                _ => None,
            };
            // (A value with a variable has had the context filled above, and with it the unread marks.)
            let unread = marked
                .filter(|_| !open_key && presence.is_none())
                .or_else(|| {
                    (variables && self.filled)
                        .then(|| {
                            c.values
                                .iter()
                                .find_map(|v| condition::unread_variable(v, &self.ctx))
                        })
                        .flatten()
                        .map(std::borrow::Cow::Borrowed)
                })
                .or_else(|| {
                    variables
                        .then(|| c.values.iter().find_map(|v| self.variable_may_be_set(v)))
                        .flatten()
                });
            let (truth, subst, why) = match c.op {
                _ if presence.is_some() => (
                    presence.unwrap_or(Truth::Unknown),
                    c.values.iter().map(str::to_string).collect(),
                    None,
                ),
                // A key AWS sets to a value the request does not determine.
                _ if unread.is_some() => (
                    Truth::Unknown,
                    c.values.iter().map(str::to_string).collect(),
                    unread.map(std::borrow::Cow::into_owned),
                ),
                // An operator IAM does not know: the test cannot be decided.
                None => (
                    Truth::Unknown,
                    c.values.iter().map(str::to_string).collect(),
                    Some(format!(
                        "`{}` is not a condition operator",
                        crate::text::excerpt(&c.operator.value, 60)
                    )),
                ),
                Some(op) => {
                    let (t, subst) = if self.explain {
                        let values: Vec<&str> = c.values.iter().collect();
                        condition::evaluate(op, &c.key.value, &values, &self.ctx, variables)
                    } else {
                        // The decision alone: no allocation unless a policy variable must be substituted.
                        (
                            condition::holds(
                                op,
                                &c.key.value,
                                c.values.iter(),
                                &self.ctx,
                                variables,
                            ),
                            Vec::new(),
                        )
                    };
                    let why = (t == Truth::Unknown).then(|| {
                        let values: Vec<&str> = c.values.iter().collect();
                        condition::unreadable_value(op, &c.key.value, &values, &self.ctx, variables)
                            .unwrap_or_else(|| "a value cannot be read".into())
                    });
                    (t, subst, why)
                }
            };
            // A test read from a statement in doubt, or one of whose parts could not be read (a value that is an
            // object, an operator IAM refuses), may not be the one AWS reads: a Deny's is taken to hold.
            let in_doubt =
                whole || broken(c.operator.span) || broken(c.key.span) || broken(c.values.span);
            let mut held = match truth {
                Truth::True => true,
                Truth::False if in_doubt => is_deny,
                Truth::False => false,
                Truth::Unknown => {
                    if unsure.is_none() {
                        unsure = Some(format!(
                            "its condition `{}` on `{}` cannot be decided: {}",
                            crate::text::excerpt(&c.operator.value, 60),
                            crate::text::excerpt(&c.key.value, 80),
                            why.clone().unwrap_or_default()
                        ));
                    }
                    is_deny
                }
            };
            // Which keys were tested and not given: for the explanation, and for reverse queries' open tests. (A
            // decision alone neither looks nor keeps them: a kept key's text is shared by the workers.)
            let missing = (self.explain || self.optimistic) && !given;
            if missing {
                // Each key once, whatever its case: looked up, not scanned (a policy may test 40,000 keys).
                if self.explain && self.tested_seen.insert(c.key.value.to_ascii_lowercase()) {
                    self.tested_missing.push(c.key.value.clone());
                }
                if self.optimistic && truth != Truth::Unknown && presence.is_none() && !never_set {
                    // Reverse queries ask "could this be allowed, and when?": a test on a key the request
                    // leaves open is assumed to hold for an Allow, and for a Deny the answer records that its
                    // open tests must not all hold.
                    held = true;
                    open.push(Test {
                        operator: c.operator.value.to_string(),
                        key: c.key.value.to_string(),
                        values: c.values.iter().map(str::to_string).collect(),
                    });
                }
            }
            if self.explain {
                results.push(ConditionResult {
                    operator: c.operator.value.to_string(),
                    key: c.key.value.to_string(),
                    policy_values: subst,
                    request_values: self.ctx.get(&c.key.value).map(|v| v.to_vec()),
                    held,
                    unreadable: why,
                });
            }
            // A condition that cannot be decided does not end the statement: one read as false still can.
            if !held && truth != Truth::Unknown {
                all = false;
                if !self.explain {
                    break;
                }
            }
        }
        if !all {
            return if self.explain {
                Applies::NearMiss(results)
            } else {
                Applies::No
            };
        }
        if !open.is_empty() && unsure.is_none() {
            if is_deny {
                // The deny applies only if its open tests all hold: the answer assumes they do not.
                // (Duplicates are removed once, by text, when the run ends: linear in the assumptions.)
                self.assumed.push(Assumption::NotAll(open));
                return Applies::No;
            }
            self.assumed.extend(open.into_iter().map(Assumption::Holds));
        }
        match unsure {
            Some(why) => Applies::Unsure(named, results, why),
            None => Applies::Yes(named, results),
        }
    }
}
