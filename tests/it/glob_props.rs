//! The wildcard and ARN matchers agree with a naive reference (recursive backtracking), as
//! cedar checks its matcher: random patterns and texts over a small alphabet that makes matches likely.

use iam_atlas::wildcard::{action_matches, glob, resource_matches};
use proptest::prelude::*;

/// Naive, obviously-correct wildcard matching (exponential in the worst case; fine for short strings).
fn reference_glob(p: &[char], t: &[char]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some(('*', rest)) => (0..=t.len()).any(|i| reference_glob(rest, &t[i..])),
        Some(('?', rest)) => !t.is_empty() && reference_glob(rest, &t[1..]),
        Some((c, rest)) => t.first() == Some(c) && reference_glob(rest, &t[1..]),
    }
}

/// The Resource element's rule, naively: `?` and a `*` inside a segment never cover `:`; a `*` that is the last
/// character of its segment (followed by `:` or the end) covers anything ("can expand to match beyond the
/// colon boundaries", Resource element page).
fn reference_segments(p: &[char], t: &[char]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some(('*', rest)) => {
            let cross = matches!(rest.first(), None | Some(':'));
            (0..=t.len())
                .take_while(|&i| cross || i == 0 || t[i - 1] != ':')
                .any(|i| reference_segments(rest, &t[i..]))
        }
        Some(('?', rest)) => {
            t.first().is_some_and(|c| *c != ':') && reference_segments(rest, &t[1..])
        }
        Some((c, rest)) => t.first() == Some(c) && reference_segments(rest, &t[1..]),
    }
}

fn reference_resource(pattern: &str, resource: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let chars = |s: &str| s.chars().collect::<Vec<_>>();
    reference_segments(&chars(pattern), &chars(resource))
}

fn text(alphabet: &'static str, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(alphabet.chars().collect::<Vec<_>>()),
        0..max,
    )
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn glob_agrees_with_the_reference(p in text("ab*?", 8), t in text("ab", 8)) {
        let pc: Vec<char> = p.chars().collect();
        let tc: Vec<char> = t.chars().collect();
        prop_assert_eq!(glob(&p, &t), reference_glob(&pc, &tc), "pattern {:?} text {:?}", p, t);
    }

    #[test]
    fn resource_matching_agrees_with_the_reference(
        p in text("ab:*?/", 14),
        r in text("ab:/", 14),
    ) {
        let pattern = format!("arn:{p}");
        let resource = format!("arn:{r}");
        prop_assert_eq!(
            resource_matches(&pattern, &resource),
            reference_resource(&pattern, &resource),
            "pattern {:?} resource {:?}", pattern, resource
        );
    }

    #[test]
    fn actions_match_case_insensitively(p in text("aB*?:", 8), t in text("Ab:", 8)) {
        let pl: Vec<char> = p.to_ascii_lowercase().chars().collect();
        let tl: Vec<char> = t.to_ascii_lowercase().chars().collect();
        prop_assert_eq!(action_matches(&p, &t), reference_glob(&pl, &tl));
    }
}
