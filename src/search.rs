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
        self.matches_lowercase(&name_l, &others_l)
    }

    /// [`Query::matches`] for texts already lowercased (`str::to_lowercase`), without allocating: the explorer
    /// lowercases an organisation's texts once and filters them at every keystroke.
    pub fn matches_lowercase(&self, name_l: &str, others_l: &[impl AsRef<str>]) -> bool {
        let substring = self.words.iter().all(|w| {
            name_l.contains(w.as_str()) || others_l.iter().any(|o| o.as_ref().contains(w.as_str()))
        });
        substring
            || match self.words.as_slice() {
                [only] => subsequence(only, name_l),
                _ => false,
            }
    }
}

/// True when a filter typed on from `before` to `after` can keep only what `before` kept, so that `after` need
/// only be matched against `before`'s matches: `after` extends a non-empty `before` (a word that grew contains
/// what it contained before; a new word only adds a demand, and ends the fuzzy match of a single word). Only after
/// ASCII: lowercasing a longer text may change the end of a shorter one (Greek's final sigma), and the matches
/// would no longer be a superset.
pub fn narrows(before: &str, after: &str) -> bool {
    !before.trim().is_empty() && before.is_ascii() && after.starts_with(before)
}

/// One entity's texts as [`Query::matches`] reads them, lowercased once: its name, then its ARN and `key=value`
/// tags.
struct Hay {
    name: Box<str>,
    others: Box<[Box<str>]>,
}

/// Every entity's texts per account and kind ([`EntityKind::IN_ACCOUNT`] order), lowercased once, so that a
/// filter typed over an organisation reads them at each key without lowercasing or allocating (that took 0.3 s a
/// key over 1,000 accounts).
pub struct Haystack {
    generation: u64,
    accounts: Vec<Vec<Vec<Hay>>>,
}

/// Accounts above this many are read on every core.
const PARALLEL_ACCOUNTS: usize = 12;

/// `f(0)`, …, `f(n - 1)` in order, split over the cores when `n` is large (an organisation's accounts).
fn per_account<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let parts = if n <= PARALLEL_ACCOUNTS {
        1
    } else {
        crate::parts::cores().min(n)
    };
    let per = n.div_ceil(parts.max(1)).max(1);
    crate::parts::in_parts(parts, |k| {
        (k * per..((k + 1) * per).min(n))
            .map(&f)
            .collect::<Vec<T>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

impl Haystack {
    /// The texts of every entity of `model`.
    pub fn of(model: &Model) -> Haystack {
        let account = |ai: usize| -> Vec<Vec<Hay>> {
            let Some(a) = model.accounts.get(ai) else {
                return Vec::new();
            };
            EntityKind::IN_ACCOUNT
                .iter()
                .map(|&kind| {
                    (0..a.count(kind) as u32)
                        .map(|index| {
                            let r = EntityRef {
                                account: ai as u32,
                                kind,
                                index,
                            };
                            let (name, others) = entity_texts(model, r);
                            Hay {
                                name: name.to_lowercase().into(),
                                others: others.iter().map(|o| o.to_lowercase().into()).collect(),
                            }
                        })
                        .collect()
                })
                .collect()
        };
        Haystack {
            generation: model.generation(),
            accounts: per_account(model.accounts.len(), account),
        }
    }

    /// The [`Model::generation`] it was read from.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The indexes of the entities `q` matches, per account and kind. `within`: the matches of a filter this one
    /// [`narrows`], the only entities read then.
    pub fn matching(&self, q: &Query, within: Option<&[Vec<Vec<u32>>]>) -> Vec<Vec<Vec<u32>>> {
        per_account(self.accounts.len(), |ai| {
            let Some(kinds) = self.accounts.get(ai) else {
                return Vec::new();
            };
            kinds
                .iter()
                .enumerate()
                .map(|(ki, list)| {
                    let keep = |&i: &u32| {
                        list.get(i as usize)
                            .is_some_and(|h| q.matches_lowercase(&h.name, &h.others))
                    };
                    match within.and_then(|w| w.get(ai)?.get(ki)) {
                        Some(before) => before.iter().copied().filter(keep).collect(),
                        None => (0..list.len() as u32).filter(keep).collect(),
                    }
                })
                .collect()
        })
    }
}

/// True when the characters of `needle` appear in `hay` in order (not necessarily together), case-insensitively:
/// exactly when [`fuzzy_score`] finds it, so the explorer's filter and the palette agree on what matches (the
/// same walk, without scoring or allocating).
pub fn subsequence(needle: &str, hay: &str) -> bool {
    if needle.is_ascii() && hay.is_ascii() {
        // ASCII lowercasing is Unicode's there, byte by byte.
        let mut q = needle
            .bytes()
            .filter(|&b| !char::from(b).is_whitespace())
            .map(|b| b.to_ascii_lowercase())
            .peekable();
        for c in hay.bytes().map(|b| b.to_ascii_lowercase()) {
            match q.peek() {
                None => return true,
                Some(&x) if x == c => {
                    q.next();
                }
                Some(_) => {}
            }
        }
        return q.peek().is_none();
    }
    let mut q = needle
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .peekable();
    for c in hay.chars().flat_map(char::to_lowercase) {
        match q.peek() {
            None => return true,
            Some(&x) if x == c => {
                q.next();
            }
            Some(_) => {}
        }
    }
    q.peek().is_none()
}

/// Score of `query` as a fuzzy (subsequence) match of `text`, case-insensitive (Unicode lowercase); `None` when
/// the letters of `query` do not all occur in order. Higher is better: substrings, word starts and runs of
/// consecutive letters score more, gaps less. Spaces in the query only separate words (`gh actions` finds
/// `github-actions`). The one fuzzy matcher: the palette ranks with it, the search filters with it.
pub fn fuzzy_score(query: &str, text: &str) -> Option<i32> {
    let q: Vec<char> = query
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if q.is_empty() {
        return Some(0);
    }
    let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let mut score = 0i32;
    let mut qi = 0;
    let mut prev: Option<usize> = None;
    for (ti, &c) in t.iter().enumerate() {
        if q.get(qi) == Some(&c) {
            let word_start =
                ti == 0 || matches!(t.get(ti - 1), Some('-' | '_' | '/' | '.' | ' ' | ':'));
            score += 1;
            if word_start {
                score += 8;
            }
            match prev {
                Some(p) if p + 1 == ti => score += 5,
                Some(p) => score -= ((ti - p) as i32).min(5),
                None => score -= (ti as i32).min(5),
            }
            prev = Some(ti);
            qi += 1;
        }
    }
    if qi < q.len() {
        return None;
    }
    // The query as typed (spaces kept) found whole: a substring.
    let whole: Vec<char> = query.trim().chars().flat_map(char::to_lowercase).collect();
    if let Some(pos) = t
        .windows(whole.len().max(1))
        .position(|w| w == whole.as_slice())
    {
        score += 30 - (pos as i32).min(10);
        if t.len() == q.len() {
            score += 50;
        }
    }
    Some(score)
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

    /// One fuzzy matcher: what the palette ranks is what the filter keeps, in any case and any script.
    /// The lowercased texts match what `Query::matches` matches on the model's own texts, entity by entity.
    #[test]
    fn the_haystack_matches_what_the_query_matches() {
        let model = crate::sample::load_sample(Default::default()).expect("the sample loads");
        let hay = Haystack::of(&model);
        assert_eq!(hay.generation(), model.generation());
        for typed in [
            "admin",
            "DEV",
            "arn:aws:iam::412345678901:role/",
            "team=",
            "msilva",
            "zz top",
            "é",
        ] {
            let q = Query::new(typed);
            let got = hay.matching(&q, None);
            let mut found = 0;
            for (ai, a) in model.accounts.iter().enumerate() {
                for (ki, &kind) in EntityKind::IN_ACCOUNT.iter().enumerate() {
                    let want: Vec<u32> = (0..a.count(kind) as u32)
                        .filter(|&index| {
                            let (name, others) = entity_texts(
                                &model,
                                EntityRef {
                                    account: ai as u32,
                                    kind,
                                    index,
                                },
                            );
                            let refs: Vec<&str> = others.iter().map(String::as_str).collect();
                            q.matches(&name, &refs)
                        })
                        .collect();
                    found += want.len();
                    assert_eq!(got[ai][ki], want, "{typed:?} account {ai} {kind:?}");
                }
            }
            if typed == "admin" {
                assert!(found > 0, "something is an admin");
            }
        }
        assert!(narrows("dep", "depl") && narrows("dep", "dep l"));
        assert!(!narrows("", "d") && !narrows("depl", "dep") && !narrows("ΟΣ", "ΟΣΑ"));
    }

    #[test]
    fn subsequence_is_exactly_what_fuzzy_score_finds() {
        let texts = [
            "",
            " ",
            "a",
            "maria.silva",
            "Éloïse-admin",
            "ΣΊΣΥΦΟΣ",
            "github-actions",
            "İstanbul",
            "ﬁle",
            "aaa",
        ];
        let queries = [
            "",
            " ",
            "a",
            "msilva",
            "élo",
            "ÉLO",
            "σς",
            "gh actions",
            "i̇st",
            "fi",
            "aaaa",
            "zz",
            "ΣΟΣ",
        ];
        for q in queries {
            for t in texts {
                assert_eq!(
                    subsequence(q, t),
                    fuzzy_score(q, t).is_some(),
                    "{q:?} in {t:?}"
                );
            }
        }
    }

    #[test]
    fn fuzzy_matching_is_one_and_case_insensitive_beyond_ascii() {
        assert!(subsequence("élo", "Éloïse-admin"));
        assert!(fuzzy_score("ÉLO", "éloïse").is_some());
        assert!(fuzzy_score("gh actions", "github-actions").is_some());
        assert!(fuzzy_score("xyz", "alice").is_none());
        for (q, name) in [
            ("msilva", "maria.silva"),
            ("cad", "cross-account-deploy"),
            ("zz", "maria"),
        ] {
            assert_eq!(
                Query::new(q).matches(name, &[]),
                fuzzy_score(q, name).is_some(),
                "{q} / {name}"
            );
        }
        // Substrings and word starts rank first.
        let exact = fuzzy_score("deploy", "deploy").unwrap_or(0);
        let sub = fuzzy_score("deploy", "cross-account-deploy").unwrap_or(0);
        let scattered = fuzzy_score("deploy", "d-e-p-l-o-y-x").unwrap_or(0);
        assert!(exact > sub && sub > scattered, "{exact} {sub} {scattered}");
    }

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
