//! The decision as a pure function of the layers' verdicts, and its certainty.
//!
//! [`combine`] is AWS's enforcement logic over one verdict per layer
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html>). The engine computes the
//! verdicts; this module decides. [`certain`] asks whether the decision would be the same whatever the layers
//! that were not fully read really say: a layer carries the set of verdicts it could have ([`Possible`]).

use serde::Serialize;

/// The final answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Decision {
    /// Allowed.
    Allow,
    /// Denied by a `Deny` statement.
    ExplicitDeny,
    /// Denied because nothing allowed it.
    ImplicitDeny,
}

/// The policy layers, in the order they are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Layer {
    /// Service control policies of the principal's account, root to account.
    Scp,
    /// Resource control policies of the resource's account, root to account.
    Rcp,
    /// The resource-based policy (bucket, queue, key… policy).
    Resource,
    /// The role trust policy (for `sts:AssumeRole*` on a role).
    Trust,
    /// Identity-based policies (inline and managed, with the user's groups').
    Identity,
    /// The permissions boundary.
    Boundary,
    /// Session policies.
    Session,
}

/// One layer's own verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// An `Allow` statement matched and no `Deny` did.
    Allow,
    /// A `Deny` statement matched.
    ExplicitDeny,
    /// Nothing matched.
    ImplicitDeny,
    /// The layer does not take part (no such policy, or it does not apply to this principal).
    NotApplicable,
    /// A policy the layer needs is missing from the snapshot: what it says is not known.
    Unknown,
}

impl Layer {
    /// Whether [`Layer::describe`] is a plural noun.
    pub fn plural(self) -> bool {
        matches!(self, Layer::Scp | Layer::Rcp | Layer::Identity)
    }

    /// The layer's name in a sentence.
    pub fn describe(self) -> &'static str {
        match self {
            Layer::Scp => "service control policies",
            Layer::Rcp => "resource control policies",
            Layer::Resource => "resource-based policy",
            Layer::Trust => "role trust policy",
            Layer::Identity => "identity policies",
            Layer::Boundary => "permissions boundary",
            Layer::Session => "session policy",
        }
    }
}

/// How a resource-policy statement named the principal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Named {
    /// By its account (`123456789012`, `arn:…:root`): delegation to the account's IAM policies.
    Account,
    /// By the ARN of the role whose session makes the request.
    RoleArn,
    /// Directly: its own ARN, `*`, its service or provider.
    Direct,
}

/// One verdict per layer. The resource slot holds the resource-based policy or, for `sts:AssumeRole*`, the
/// role's trust policy ([`Shape::resource_layer`] says which).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdicts {
    /// Service control policies.
    pub scp: Verdict,
    /// Resource control policies.
    pub rcp: Verdict,
    /// The resource-based or trust policy.
    pub resource: Verdict,
    /// Identity-based policies.
    pub identity: Verdict,
    /// The permissions boundary.
    pub boundary: Verdict,
    /// Session policies.
    pub session: Verdict,
}

/// What the decision depends on besides the verdicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// [`Layer::Resource`] or [`Layer::Trust`].
    pub resource_layer: Layer,
    /// The principal has no account of its own (anonymous, a service, a provider, a web identity): only the
    /// resource policy can grant.
    pub accountless: bool,
    /// The principal's and the resource's accounts are the same.
    pub same_account: bool,
    /// The resource policy must allow explicitly (role trust policies, KMS key policies).
    pub resource_required: bool,
}

/// Treat a verdict that is not known as the least permissive reading that is not a deny: nothing allows.
fn known(v: Verdict) -> Verdict {
    if v == Verdict::Unknown {
        Verdict::ImplicitDeny
    } else {
        v
    }
}

/// AWS's decision over the layers' verdicts, and the layer that decided it. `named`: how the resource policy
/// named the principal when it allowed. A layer whose verdict is [`Verdict::Unknown`] allows nothing here (the
/// caller asks [`certain`] whether that mattered).
pub fn combine(v: &Verdicts, named: Option<Named>, shape: &Shape) -> (Decision, Layer) {
    let scp = known(v.scp);
    let rcp = known(v.rcp);
    let resource = known(v.resource);
    let identity = known(v.identity);
    let boundary = known(v.boundary);
    let session = known(v.session);
    let res = shape.resource_layer;
    // 1. An explicit deny in any policy wins.
    for (l, x) in [
        (Layer::Scp, scp),
        (Layer::Rcp, rcp),
        (res, resource),
        (Layer::Identity, identity),
        (Layer::Boundary, boundary),
        (Layer::Session, session),
    ] {
        if x == Verdict::ExplicitDeny {
            return (Decision::ExplicitDeny, l);
        }
    }
    // 2. RCPs and SCPs must allow at every level (or not apply).
    if rcp == Verdict::ImplicitDeny {
        return (Decision::ImplicitDeny, Layer::Rcp);
    }
    if scp == Verdict::ImplicitDeny {
        return (Decision::ImplicitDeny, Layer::Scp);
    }
    let passes = |x: Verdict| matches!(x, Verdict::Allow | Verdict::NotApplicable);
    let caps = || {
        if !passes(boundary) {
            Some(Layer::Boundary)
        } else if !passes(session) {
            Some(Layer::Session)
        } else {
            None
        }
    };
    // 3. Principals without an account rely on the resource policy alone.
    if shape.accountless {
        return if resource == Verdict::Allow {
            (Decision::Allow, res)
        } else {
            (Decision::ImplicitDeny, res)
        };
    }
    if shape.same_account {
        // Within an account a resource policy naming the user or role session grants on its own; naming the
        // role ARN leaves the boundary and session policy in force; naming the account delegates to IAM.
        if resource == Verdict::Allow {
            match named {
                Some(Named::Direct) => return (Decision::Allow, res),
                Some(Named::RoleArn) => {
                    return match caps() {
                        None => (Decision::Allow, res),
                        Some(l) => (Decision::ImplicitDeny, l),
                    };
                }
                _ => {}
            }
        }
        if identity != Verdict::Allow {
            return (Decision::ImplicitDeny, Layer::Identity);
        }
        if let Some(l) = caps() {
            return (Decision::ImplicitDeny, l);
        }
        if shape.resource_required && resource != Verdict::Allow {
            return (Decision::ImplicitDeny, res);
        }
        return (Decision::Allow, Layer::Identity);
    }
    // 4. Across accounts both sides must allow.
    if resource != Verdict::Allow {
        return (Decision::ImplicitDeny, res);
    }
    if identity != Verdict::Allow {
        return (Decision::ImplicitDeny, Layer::Identity);
    }
    if let Some(l) = caps() {
        return (Decision::ImplicitDeny, l);
    }
    (Decision::Allow, Layer::Identity)
}

/// The verdicts a layer could have, given what could not be read in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Possible(u8);

impl Possible {
    const ALLOW: u8 = 1;
    const IMPLICIT: u8 = 2;
    const EXPLICIT: u8 = 4;

    /// Exactly `v` (a layer read in full). [`Verdict::Unknown`] could be anything.
    pub fn exactly(v: Verdict) -> Possible {
        Possible(match v {
            Verdict::Allow => Self::ALLOW,
            Verdict::ImplicitDeny => Self::IMPLICIT,
            Verdict::ExplicitDeny => Self::EXPLICIT,
            Verdict::NotApplicable => 0,
            Verdict::Unknown => Self::ALLOW | Self::IMPLICIT | Self::EXPLICIT,
        })
    }

    /// Anything: a policy of the layer is missing.
    pub fn any() -> Possible {
        Possible::exactly(Verdict::Unknown)
    }

    /// Add `v`.
    pub fn with(self, v: Verdict) -> Possible {
        Possible(self.0 | Possible::exactly(v).0)
    }

    /// More than one verdict is possible.
    pub fn is_uncertain(self) -> bool {
        self.0.count_ones() > 1
    }

    /// Whether `Allow` is one of them.
    pub fn may_allow(self) -> bool {
        self.0 & Self::ALLOW != 0
    }

    fn verdicts(self, fallback: Verdict) -> impl Iterator<Item = Verdict> {
        let none = self.0 == 0;
        [
            (Self::ALLOW, Verdict::Allow),
            (Self::IMPLICIT, Verdict::ImplicitDeny),
            (Self::EXPLICIT, Verdict::ExplicitDeny),
        ]
        .into_iter()
        .filter(move |(bit, _)| self.0 & bit != 0)
        .map(|(_, v)| v)
        .chain(none.then_some(fallback))
    }

    /// An organisation layer: every level must allow. The layer's possible verdicts from its levels'.
    pub fn all_levels(levels: impl Iterator<Item = Possible>) -> Possible {
        levels.fold(Possible(Self::ALLOW), Possible::and_level)
    }

    /// The verdicts possible once one more level is read: each pair of a verdict so far (none: `Allow`) and one
    /// of the level's (none: the level does not apply, and changes nothing) gives an explicit deny when either
    /// is one, else an implicit deny when either is one, else `Allow`. Done on the bits (a decision reads
    /// eight levels).
    pub fn and_level(self, level: Possible) -> Possible {
        let so_far = if self.0 == 0 { Self::ALLOW } else { self.0 };
        let l = level.0;
        if l == 0 {
            return Possible(so_far);
        }
        // Every pair with an explicit deny on either side is one; both sides have at least one verdict.
        let mut out = (so_far | l) & Self::EXPLICIT;
        let (a, b) = (so_far & !Self::EXPLICIT, l & !Self::EXPLICIT);
        if a != 0 && b != 0 {
            out |= (a | b) & Self::IMPLICIT;
            out |= a & b & Self::ALLOW;
        }
        Possible(out)
    }
}

/// The possible verdicts of each layer, as [`Verdicts`] holds the reported ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Possibles {
    /// SCPs.
    pub scp: Possible,
    /// RCPs.
    pub rcp: Possible,
    /// The resource-based or trust policy.
    pub resource: Possible,
    /// Identity policies.
    pub identity: Possible,
    /// The boundary.
    pub boundary: Possible,
    /// Session policies.
    pub session: Possible,
}

/// True when every reading of the layers that were not fully read gives the same decision as `decision`.
/// `reported` supplies the verdict of a layer whose possible set is empty (not applicable). When the resource
/// layer might allow without having been read, every way it could name the principal is tried.
pub fn certain(
    reported: &Verdicts,
    possible: &Possibles,
    named: Option<Named>,
    shape: &Shape,
    decision: Decision,
) -> bool {
    let p = possible;
    if ![p.scp, p.rcp, p.resource, p.identity, p.boundary, p.session]
        .iter()
        .any(|x| x.is_uncertain())
    {
        return true;
    }
    !some_reading(reported, possible, named, shape, |d| d != decision)
}

/// True when some reading of the layers that were not fully read gives a decision `wanted` accepts (as
/// [`certain`] reads them): `Decision::Allow` for "may it be allowed?".
pub fn some_reading(
    reported: &Verdicts,
    possible: &Possibles,
    named: Option<Named>,
    shape: &Shape,
    wanted: impl Fn(Decision) -> bool,
) -> bool {
    let p = possible;
    let nameds: &[Option<Named>] = if p.resource.is_uncertain() && p.resource.may_allow() {
        &[
            None,
            Some(Named::Account),
            Some(Named::RoleArn),
            Some(Named::Direct),
        ]
    } else {
        std::slice::from_ref(&named)
    };
    for scp in p.scp.verdicts(reported.scp) {
        for rcp in p.rcp.verdicts(reported.rcp) {
            for resource in p.resource.verdicts(reported.resource) {
                for identity in p.identity.verdicts(reported.identity) {
                    for boundary in p.boundary.verdicts(reported.boundary) {
                        for session in p.session.verdicts(reported.session) {
                            let v = Verdicts {
                                scp,
                                rcp,
                                resource,
                                identity,
                                boundary,
                                session,
                            };
                            for n in nameds {
                                let n = if resource == Verdict::Allow { *n } else { None };
                                if wanted(combine(&v, n, shape).0) {
                                    return true;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Verdict; 5] = [
        Verdict::Allow,
        Verdict::ExplicitDeny,
        Verdict::ImplicitDeny,
        Verdict::NotApplicable,
        Verdict::Unknown,
    ];

    fn shapes() -> Vec<Shape> {
        let mut out = Vec::new();
        for resource_layer in [Layer::Resource, Layer::Trust] {
            for accountless in [false, true] {
                for same_account in [false, true] {
                    for resource_required in [false, true] {
                        out.push(Shape {
                            resource_layer,
                            accountless,
                            same_account,
                            resource_required,
                        });
                    }
                }
            }
        }
        out
    }

    /// Every combination of six verdicts (5⁶ = 15,625), four ways of naming and 16 shapes: 1,000,000 cases,
    /// each checked against the rules written out independently.
    #[test]
    fn truth_table() {
        let mut n = 0u32;
        for shape in shapes() {
            for scp in ALL {
                for rcp in ALL {
                    for resource in ALL {
                        for identity in ALL {
                            for boundary in ALL {
                                for session in ALL {
                                    let v = Verdicts {
                                        scp,
                                        rcp,
                                        resource,
                                        identity,
                                        boundary,
                                        session,
                                    };
                                    for named in [
                                        None,
                                        Some(Named::Account),
                                        Some(Named::RoleArn),
                                        Some(Named::Direct),
                                    ] {
                                        n += 1;
                                        let (d, by) = combine(&v, named, &shape);
                                        let all = [scp, rcp, resource, identity, boundary, session];
                                        // Any explicit deny decides, and by the first such layer.
                                        if all.contains(&Verdict::ExplicitDeny) {
                                            assert_eq!(d, Decision::ExplicitDeny);
                                            continue;
                                        }
                                        // Unknown never allows more than an implicit deny would.
                                        let as_implicit = Verdicts {
                                            scp: known(scp),
                                            rcp: known(rcp),
                                            resource: known(resource),
                                            identity: known(identity),
                                            boundary: known(boundary),
                                            session: known(session),
                                        };
                                        assert_eq!((d, by), combine(&as_implicit, named, &shape));
                                        let allows = |x: Verdict| x == Verdict::Allow;
                                        let passes = |x: Verdict| {
                                            matches!(x, Verdict::Allow | Verdict::NotApplicable)
                                        };
                                        let org = passes(scp) && passes(rcp);
                                        let caps = passes(boundary) && passes(session);
                                        let expected = org
                                            && if shape.accountless {
                                                allows(resource)
                                            } else if shape.same_account {
                                                (allows(resource) && named == Some(Named::Direct))
                                                    || (allows(resource)
                                                        && named == Some(Named::RoleArn)
                                                        && caps)
                                                    || (allows(identity)
                                                        && caps
                                                        && (!shape.resource_required
                                                            || allows(resource)))
                                            } else {
                                                allows(resource) && allows(identity) && caps
                                            };
                                        assert_eq!(
                                            d == Decision::Allow,
                                            expected,
                                            "{v:?} {named:?} {shape:?}"
                                        );
                                        // An org layer that does not allow decides first.
                                        if !passes(rcp) {
                                            assert_eq!(by, Layer::Rcp);
                                        } else if !passes(scp) {
                                            assert_eq!(by, Layer::Scp);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(n, 16 * 15_625 * 4);
    }

    fn shape() -> Shape {
        Shape {
            resource_layer: Layer::Resource,
            accountless: false,
            same_account: true,
            resource_required: false,
        }
    }

    fn verdicts(identity: Verdict, boundary: Verdict) -> Verdicts {
        Verdicts {
            scp: Verdict::NotApplicable,
            rcp: Verdict::NotApplicable,
            resource: Verdict::NotApplicable,
            identity,
            boundary,
            session: Verdict::NotApplicable,
        }
    }

    fn possibles(v: &Verdicts) -> Possibles {
        Possibles {
            scp: Possible::exactly(v.scp),
            rcp: Possible::exactly(v.rcp),
            resource: Possible::exactly(v.resource),
            identity: Possible::exactly(v.identity),
            boundary: Possible::exactly(v.boundary),
            session: Possible::exactly(v.session),
        }
    }

    /// The verdicts of a pair of levels, one pair at a time: what [`Possible::and_level`] does on the bits.
    fn all_levels_by_pairs(levels: impl Iterator<Item = Possible>) -> Possible {
        let mut acc = Possible(Possible::ALLOW);
        for l in levels {
            let mut out = 0u8;
            for a in acc.verdicts(Verdict::Allow) {
                for b in l.verdicts(Verdict::NotApplicable) {
                    let v = match (a, b) {
                        (Verdict::ExplicitDeny, _) | (_, Verdict::ExplicitDeny) => {
                            Possible::EXPLICIT
                        }
                        (_, Verdict::NotApplicable) => Possible::exactly(a).0,
                        (Verdict::ImplicitDeny, _) | (_, Verdict::ImplicitDeny) => {
                            Possible::IMPLICIT
                        }
                        _ => Possible::ALLOW,
                    };
                    out |= v;
                }
            }
            acc = Possible(out);
        }
        acc
    }

    #[test]
    fn levels_on_the_bits_are_levels_by_pairs() {
        for so_far in 0..8u8 {
            for level in 0..8u8 {
                for third in 0..8u8 {
                    let levels = [Possible(so_far), Possible(level), Possible(third)];
                    assert_eq!(
                        Possible::all_levels(levels.into_iter()),
                        all_levels_by_pairs(levels.into_iter()),
                        "{so_far:b} {level:b} {third:b}"
                    );
                }
            }
        }
    }

    #[test]
    fn certainty() {
        // A missing boundary leaves an identity Allow uncertain…
        let v = verdicts(Verdict::Allow, Verdict::Unknown);
        let (d, _) = combine(&v, None, &shape());
        assert_eq!(d, Decision::ImplicitDeny);
        assert!(!certain(&v, &possibles(&v), None, &shape(), d));
        // …but not an explicit deny in the identity policies.
        let v = verdicts(Verdict::ExplicitDeny, Verdict::Unknown);
        let (d, _) = combine(&v, None, &shape());
        assert!(certain(&v, &possibles(&v), None, &shape(), d));
        // A deny read in the least permissive way (an unreadable condition) is not certain.
        let v = verdicts(Verdict::ExplicitDeny, Verdict::NotApplicable);
        let mut p = possibles(&v);
        p.identity = Possible::exactly(Verdict::ExplicitDeny).with(Verdict::Allow);
        let (d, _) = combine(&v, None, &shape());
        assert_eq!(d, Decision::ExplicitDeny);
        assert!(!certain(&v, &p, None, &shape(), d));
        // An unreadable Allow beside a certain SCP deny does not matter.
        let mut v = verdicts(Verdict::ImplicitDeny, Verdict::NotApplicable);
        v.scp = Verdict::ExplicitDeny;
        let mut p = possibles(&v);
        p.identity = Possible::exactly(Verdict::ImplicitDeny).with(Verdict::Allow);
        let (d, _) = combine(&v, None, &shape());
        assert!(certain(&v, &p, None, &shape(), d));
    }

    #[test]
    fn levels() {
        let a = Possible::exactly(Verdict::Allow);
        let i = Possible::exactly(Verdict::ImplicitDeny);
        let e = Possible::exactly(Verdict::ExplicitDeny);
        let na = Possible::exactly(Verdict::NotApplicable);
        assert_eq!(Possible::all_levels([a, a].into_iter()), a);
        assert_eq!(Possible::all_levels([a, i].into_iter()), i);
        assert_eq!(Possible::all_levels([i, e].into_iter()), e);
        assert_eq!(Possible::all_levels([a, na].into_iter()), a);
        assert_eq!(
            Possible::all_levels([a.with(Verdict::ImplicitDeny), a].into_iter()),
            a.with(Verdict::ImplicitDeny)
        );
    }
}
