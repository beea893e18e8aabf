//! Finding entities by what a person types: every word must occur (case-insensitively) in the entity's name,
//! ARN, path or tags, or, for a single word, its letters must appear in order in the name ("msilva" finds
//! `maria.silva`).

use crate::account::{EntityKind, EntityRef, Model};

/// A prepared query: lowercased words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    words: Vec<String>,
}

impl Query {
    /// Parse what was typed.
    pub fn new(text: &str) -> Self {
        Query {
            words: text.split_whitespace().map(str::to_lowercase).collect(),
        }
    }

    /// True when nothing was typed.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Does an entity with this `name` and these other texts (ARN, path, `key=value` tags) match?
    pub fn matches(&self, name: &str, others: &[&str]) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let name_l = name.to_lowercase();
        let others_l: Vec<String> = others.iter().map(|s| s.to_lowercase()).collect();
        let substring = self.words.iter().all(|w| {
            name_l.contains(w.as_str()) || others_l.iter().any(|o| o.contains(w.as_str()))
        });
        substring
            || match self.words.as_slice() {
                [only] => subsequence(only, &name_l),
                _ => false,
            }
    }
}

/// True when the characters of `needle` appear in `hay` in order (not necessarily together).
pub fn subsequence(needle: &str, hay: &str) -> bool {
    let mut it = hay.chars();
    needle.chars().all(|c| it.any(|h| h == c))
}

/// The texts an entity is found by besides its name: its ARN and its tags as `key=value`.
pub fn entity_texts(model: &Model, r: EntityRef) -> (String, Vec<String>) {
    let (name, arn) = model.describe(r);
    let mut others = vec![arn];
    if let Some(a) = model.accounts.get(r.account as usize) {
        let tags = match r.kind {
            EntityKind::User => a.users.get(r.index as usize).map(|u| &u.tags),
            EntityKind::Role => a.roles.get(r.index as usize).map(|u| &u.tags),
            _ => None,
        };
        if let Some(tags) = tags {
            others.extend(tags.iter().map(|t| format!("{}={}", t.key, t.value)));
        }
    }
    (name, others)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_substrings_and_fuzzy_names() {
        let q = Query::new("alice user/");
        assert!(q.matches("alice", &["arn:aws:iam::1:user/alice"]));
        assert!(!Query::new("alice role/").matches("alice", &["arn:aws:iam::1:user/alice"]));
        assert!(Query::new("msilva").matches("maria.silva", &[]));
        assert!(!Query::new("silvam").matches("maria.silva", &[]));
        assert!(Query::new("TEAM=data").matches("x", &["team=data"]));
        assert!(Query::new("").matches("anything", &[]));
    }

    #[test]
    fn finds_sample_entities_by_tag() {
        let m = crate::sample::load_sample(Default::default()).expect("sample");
        let q = Query::new("team=platform");
        let found: Vec<String> = crate::eval::reverse::all_principals(&m)
            .into_iter()
            .filter_map(|r| {
                let (name, others) = entity_texts(&m, r);
                let refs: Vec<&str> = others.iter().map(String::as_str).collect();
                q.matches(&name, &refs).then_some(name)
            })
            .collect();
        assert!(found.contains(&"maria.silva".to_string()), "{found:?}");
    }
}
