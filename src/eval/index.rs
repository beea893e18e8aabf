//! The evaluator's statement index per request: which statements of a policy can match an (action,
//! resource), computed once per policy and reused across the thousands of principals a reverse query evaluates.
//! The per-policy action index it starts from is [`crate::policy::ActionIndex`] (built with the policy).

use crate::policy::{ActionBlock, Policy, Statement};
use crate::wildcard::{action_matches, resource_matches};

/// Statement candidates per policy for one (action, resource). Reverse queries evaluate thousands of
/// principals that share managed policies: each policy's statements are matched against the action and the
/// resource once, and only the candidates are evaluated per principal.
#[derive(Default)]
pub struct Prefilter {
    key: (String, String),
    /// The action in lower case, as the action index keys it.
    lower: String,
    /// Candidates per policy, keyed on [`crate::policy::ActionIndex::id`] (never reused, unlike an address).
    map: rustc_hash::FxHashMap<u64, Vec<u32>>,
}

impl Prefilter {
    pub(crate) fn candidates(&mut self, policy: &Policy, action: &str, resource: &str) -> &[u32] {
        // Keyed on the texts themselves (two short comparisons), never on their addresses: a freed string's
        // address reused by another of the same length must not return the old candidates.
        if self.key.0 != action || self.key.1 != resource {
            self.key = (action.to_string(), resource.to_string());
            self.lower = action.to_ascii_lowercase();
            self.map.clear();
        }
        let index = policy.action_index();
        let lower = &self.lower;
        self.map.entry(index.id()).or_insert_with(|| {
            let mut idx = Vec::new();
            index.candidates(lower, &mut idx);
            idx.retain(|&i| {
                policy
                    .statements
                    .get(i as usize)
                    .is_some_and(|s| statement_may_apply(s, action, resource))
            });
            idx
        })
    }
}

/// Action and resource match, ignoring principal, conditions and policy variables (a pattern with a variable
/// is kept: it is decided per principal).
fn statement_may_apply(s: &Statement, action: &str, resource: &str) -> bool {
    // What was not fully read is kept: the evaluator reads it as uncertain.
    if s.invalid.is_some() || s.effect.is_none() || s.action.is_none() {
        return true;
    }
    let acts = match &s.action {
        Some(ActionBlock::Action(l)) => l.iter().any(|p| action_matches(p, action)),
        Some(ActionBlock::NotAction(l)) => !l.iter().any(|p| action_matches(p, action)),
        None => false,
    };
    if !acts {
        return false;
    }
    match &s.resource {
        None => true,
        Some(r) => {
            let l = r.list();
            let any = if l.items.len() >= crate::policy::ResourceIndex::MIN_LEN {
                let idx = s.resource_index.get(l);
                if idx.has_variables() {
                    return true;
                }
                idx.any_match(l, resource)
            } else {
                if l.iter().any(crate::policy::variables::has_variable) {
                    return true;
                }
                l.iter().any(|p| resource_matches(p, resource))
            };
            // A pattern that names the resource only in the other reading of wildcards is kept: the evaluator
            // reads it as in doubt (`wildcard::resource_matches_whole`).
            let any = any
                || (!r.is_not()
                    && crate::wildcard::colon_in_resource_part(resource)
                    && l.iter().any(|p| {
                        crate::wildcard::may_read_differently(p, resource)
                            && crate::wildcard::resource_matches_whole(p, resource)
                    }));
            if r.is_not() { !any } else { any }
        }
    }
}

#[cfg(test)]
mod prefilter_tests {
    use super::Prefilter;
    use crate::policy::{Interner, parse_text};

    /// A policy freed and another allocated in its place (often at the same address) must not be served the first
    /// one's candidates.
    #[test]
    fn a_new_policy_in_a_freed_policys_place_gets_its_own_candidates() {
        let mut pf = Prefilter::default();
        let mut interner = Interner::default();
        let first =
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
        let second = r#"{"Statement": [{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
        for _ in 0..50 {
            let a = Box::new(parse_text(first, &mut interner).policy);
            assert_eq!(pf.candidates(&a, "s3:GetObject", "arn:aws:s3:::b/k"), &[0]);
            drop(a);
            let b = Box::new(parse_text(second, &mut interner).policy);
            assert_eq!(pf.candidates(&b, "s3:GetObject", "arn:aws:s3:::b/k"), &[1]);
        }
    }
}
