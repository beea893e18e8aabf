//! Hygiene checks: redundant actions, resources and statements, and the size quotas per policy kind.
//!
//! Quotas: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html> ("IAM doesn't count
//! white space when calculating the size of a policy"); SCPs and RCPs:
//! <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html> (white space
//! outside quotation marks can be deleted to save space, so it is what is not counted here).

use super::grammar::{DiagExt, brace};
use super::{AaCode, Code};
use super::{Ctx, IdentityKind, PolicyKind, item_path, remove_item_fix};
use crate::catalog::{wildcard_match, wildcard_match_case};
use crate::diagnostic::Severity;
use crate::policy::{OneOrMany, Statement};
use rustc_hash::FxHashMap;

pub(crate) fn check(cx: &mut Ctx) {
    for (si, s) in cx.statements() {
        let base = cx.stmt_path(si);
        if let Some(a) = &s.action {
            let name = if a.is_not() { "NotAction" } else { "Action" };
            redundant(
                cx,
                a.list(),
                &format!("{base}.{name}"),
                Code::REDUNDANT_ACTION,
                true,
            );
        }
        if let Some(r) = &s.resource {
            let name = if r.is_not() {
                "NotResource"
            } else {
                "Resource"
            };
            redundant(
                cx,
                r.list(),
                &format!("{base}.{name}"),
                Code::REDUNDANT_RESOURCE,
                false,
            );
        }
    }
    redundant_statements(cx);
    size(cx);
}

/// `a` covers `b` when every string `b` matches, `a` matches too (wildcards in `b` are taken as text,
/// which `*` in `a` also matches).
fn covers(a: &str, b: &str, ignore_case: bool) -> bool {
    if a == "*" {
        return true;
    }
    if ignore_case {
        wildcard_match(a, b)
    } else {
        wildcard_match_case(a, b, false)
    }
}

/// Candidate patterns tried per item by [`redundant`].
const MAX_COVER_CANDIDATES: usize = 256;

/// Item comparisons [`redundant_statements`] may make in one policy (statements × statements × items).
const STATEMENT_COMPARISONS: usize = 1_000_000;

/// Literal prefixes of patterns, by byte; each node lists the patterns whose prefix ends there.
#[derive(Default)]
struct PrefixTrie {
    next: FxHashMap<(u32, u8), u32>,
    ends: FxHashMap<u32, Vec<usize>>,
    nodes: u32,
}

impl PrefixTrie {
    fn insert(&mut self, prefix: &[u8], item: usize) {
        let mut node = 0u32;
        for &b in prefix {
            let fresh = self.nodes + 1;
            node = *self.next.entry((node, b)).or_insert(fresh);
            if node == fresh {
                self.nodes = fresh;
            }
        }
        self.ends.entry(node).or_default().push(item);
    }

    /// The patterns whose prefix `text` starts with, shortest prefix first.
    fn matches<'t>(&'t self, text: &'t [u8]) -> impl Iterator<Item = usize> + 't {
        let mut node = Some(0u32);
        let mut bytes = text.iter();
        std::iter::from_fn(move || {
            let here = node?;
            node = bytes
                .next()
                .and_then(|b| self.next.get(&(here, *b)).copied());
            Some(self.ends.get(&here).map(Vec::as_slice).unwrap_or_default())
        })
        .flatten()
        .copied()
    }
}

fn redundant(cx: &mut Ctx, list: &OneOrMany, base: &str, code: Code, actions: bool) {
    let n = list.items.len();
    if n < 2 {
        return;
    }
    // Exact duplicates through a map; coverage only by patterns with wildcards, found through their literal
    // prefix (a pattern can only cover texts that start with it): O(n × length), so a statement listing
    // hundreds of actions or ARNs stays fast.
    let key = |s: &str| {
        if actions {
            s.to_ascii_lowercase()
        } else {
            s.to_string()
        }
    };
    // The literal prefixes of the patterns, in a byte trie: walking an item through it visits every pattern
    // whose prefix the item starts with in one pass over the item (hashing each of an item's prefixes was
    // quadratic in its length: a 1 MB item took 23 s).
    let mut trie = PrefixTrie::default();
    for (j, item) in list.items.iter().enumerate() {
        let a = key(&item.value);
        if let Some(w) = a.find(['*', '?']) {
            trie.insert(a.as_bytes().get(..w).unwrap_or_default(), j);
        }
    }
    let mut first: FxHashMap<String, usize> = FxHashMap::default();
    for (i, item_i) in list.items.iter().enumerate().take(n) {
        let b: &str = &item_i.value;
        let kb = key(b);
        let dup = match first.entry(kb.clone()) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(i);
                None
            }
        };
        let by = dup.or_else(|| {
            trie.matches(kb.as_bytes())
                // A pattern covering many items is found early; past this many candidates an item is not
                // reported (a suggestion missed, never a wrong answer), so the work stays bounded.
                .take(MAX_COVER_CANDIDATES)
                .find(|&j| {
                    let a: &str = list.items.get(j).map_or("", |x| &x.value);
                    j != i
                        && key(a) != kb
                        && covers(a, b, actions)
                        // Two patterns covering each other: only the later one is redundant.
                        && (j < i || !covers(b, a, actions))
                })
        });
        let Some(j) = by else { continue };
        let a = crate::text::excerpt(list.items.get(j).map_or("", |x| &x.value), 120);
        let shown = crate::text::excerpt(b, 120);
        let what = if actions { "action" } else { "resource" };
        let fix = remove_item_fix(cx.src, list, i);
        let d = cx.emit(
            code,
            item_i.span,
            item_path(base, list, i),
            if a.eq_ignore_ascii_case(b) {
                format!("{what} `{shown}` is listed twice")
            } else {
                format!("{what} `{shown}` is already covered by `{a}`")
            },
        );
        d.help(format!("remove `{shown}`"));
        if let Some((span, text)) = fix {
            d.with_fix_mut(span, text);
        }
    }
}

fn principal_text<'a>(cx: &Ctx<'a>, s: &Statement) -> Option<(bool, &'a str)> {
    s.principal.as_ref().map(|p| (p.not, cx.text(p.span)))
}

fn list_covered(a: &OneOrMany, b: &OneOrMany, ignore_case: bool) -> bool {
    !b.items.is_empty()
        && b.iter()
            .all(|bv| a.iter().any(|av| covers(av, bv, ignore_case)))
}

/// The service prefixes a statement's action patterns name (`None`: some pattern has a wildcard service).
fn services(s: &Statement) -> Option<Vec<String>> {
    let a = s.action.as_ref()?;
    let mut out = Vec::new();
    for p in a.list().iter() {
        let svc = p.split_once(':').map(|(x, _)| x).unwrap_or(p);
        if svc.contains(['*', '?']) {
            return None;
        }
        let svc = svc.to_ascii_lowercase();
        if !out.contains(&svc) {
            out.push(svc);
        }
    }
    Some(out)
}

fn redundant_statements(cx: &mut Ctx) {
    let st = &cx.policy.statements;
    if st.len() < 2 || st.len() > 200 {
        return;
    }
    // Cheap pre-filter: A can only cover B when A names every service B names.
    let svcs: Vec<Option<Vec<String>>> = st.iter().map(services).collect();
    // Comparing two statements compares their items pairwise: a budget keeps 200 statements of 1,000 items
    // from taking minutes (past it, no more REDUNDANT_STATEMENT suggestions are made for this policy).
    let mut budget = STATEMENT_COMPARISONS;
    for (bi, b) in st.iter().enumerate() {
        let found = st.iter().enumerate().find(|(ai, a)| {
            if *ai == bi || !a.conditions.is_empty() {
                return false;
            }
            if let (Some(Some(sa)), Some(Some(sb))) = (svcs.get(*ai), svcs.get(bi))
                && !sb.iter().all(|x| sa.contains(x))
            {
                return false;
            }
            let (Some(ae), Some(be)) = (&a.effect, &b.effect) else {
                return false;
            };
            if ae.value != be.value || principal_text(cx, a) != principal_text(cx, b) {
                return false;
            }
            let (Some(aa), Some(ba)) = (&a.action, &b.action) else {
                return false;
            };
            let (Some(ar), Some(br)) = (&a.resource, &b.resource) else {
                return false;
            };
            if aa.is_not() || ba.is_not() || ar.is_not() || br.is_not() {
                return false;
            }
            let cost = aa.list().items.len() * ba.list().items.len()
                + ar.list().items.len() * br.list().items.len();
            let Some(left) = budget.checked_sub(cost) else {
                budget = 0;
                return false;
            };
            budget = left;
            if !list_covered(aa.list(), ba.list(), true)
                || !list_covered(ar.list(), br.list(), false)
            {
                return false;
            }
            // Identical statements: only the later one is redundant.
            let mutual = b.conditions.is_empty()
                && list_covered(ba.list(), aa.list(), true)
                && list_covered(br.list(), ar.list(), false);
            !mutual || *ai < bi
        });
        if let Some((ai, _)) = found {
            let path = cx.stmt_path(bi);
            let other = cx.stmt_path(ai);
            cx.emit(
                Code::REDUNDANT_STATEMENT,
                brace(b.span),
                path,
                format!("this statement is entirely covered by `{other}`"),
            )
            .help("remove it, or merge what differs into the other statement");
        }
    }
}

/// Characters AWS counts: everything but white space outside strings.
pub(crate) fn counted_size(text: &str) -> usize {
    let mut n = 0;
    let mut in_str = false;
    let mut escaped = false;
    for ch in text.chars() {
        if in_str {
            n += 1;
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_str = false;
            }
        } else if ch == '"' {
            in_str = true;
            n += 1;
        } else if !ch.is_whitespace() {
            n += 1;
        }
    }
    n
}

/// The quota of `kind`, the check that reports it (and the Access Analyzer code it is reported under), and
/// whether the quota is certain (a resource policy of an unknown service is held to the largest quota known).
fn quota(kind: PolicyKind) -> Option<(usize, Code, Option<AaCode>, bool)> {
    const ID: Code = Code::POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA;
    Some(match kind {
        PolicyKind::Identity(IdentityKind::UserInline) => (2_048, ID, None, true),
        PolicyKind::Identity(IdentityKind::GroupInline) => (5_120, ID, None, true),
        PolicyKind::Identity(IdentityKind::RoleInline) => (10_240, ID, None, true),
        PolicyKind::Identity(IdentityKind::Managed) | PolicyKind::Boundary => {
            (6_144, ID, None, true)
        }
        PolicyKind::Identity(IdentityKind::AwsManaged) => return None,
        PolicyKind::Session => (2_048, ID, None, true),
        PolicyKind::Trust => (
            2_048,
            Code::POLICY_SIZE_EXCEEDS_TRUST_POLICY_QUOTA,
            None,
            true,
        ),
        PolicyKind::Scp => (5_120, Code::POLICY_SIZE_EXCEEDS_SCP_QUOTA, None, true),
        PolicyKind::Rcp => (
            5_120,
            Code::POLICY_SIZE_EXCEEDS_SCP_QUOTA,
            Some(AaCode::POLICY_SIZE_EXCEEDS_RCP_QUOTA),
            true,
        ),
        PolicyKind::Resource { service } => {
            let (n, known) = match service {
                Some("s3" | "lambda" | "secretsmanager" | "glacier") => (20_480, true),
                Some("sqs") => (8_192, true),
                Some("sns") => (30_720, true),
                Some("kms") => (32_768, true),
                Some("ecr") => (10_240, true),
                // Unknown service: only more than the largest quota above is certainly too much for those.
                _ => (32_768, false),
            };
            (
                n,
                Code::POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA,
                None,
                known,
            )
        }
    })
}

fn size(cx: &mut Ctx) {
    let Some((limit, code, aa, known)) = quota(cx.kind) else {
        return;
    };
    let n = counted_size(cx.text(cx.policy.span));
    if n > limit {
        let extra = if cx.kind == PolicyKind::Trust {
            " (the quota can be raised to 4,096)"
        } else if !known {
            " (the largest resource policy quota known here; the service was not named)"
        } else {
            ""
        };
        let severity = if known {
            code.check().severity
        } else {
            Severity::Warning
        };
        let message = format!(
            "the {} has {n} characters (white space outside strings not counted); the quota is {limit}{extra}",
            cx.kind.label()
        );
        let span = brace(cx.policy.span);
        match aa {
            Some(aa) => cx.emit_sev_as(code, severity, aa, span, "", message),
            None => cx.emit_sev(code, severity, span, "", message),
        }
        .help(
            "merge statements, use wildcards where safe, or split it into several managed policies",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_ignores_whitespace_outside_strings() {
        assert_eq!(counted_size("{ \"a b\" : [ 1 ,\n 2 ] }"), 13);
        assert_eq!(counted_size(r#"{"a\"b":1}"#), 10);
    }

    #[test]
    fn coverage() {
        assert!(covers("s3:*", "s3:Get*", true));
        assert!(!covers("s3:Get*", "s3:*", true));
        assert!(covers("arn:aws:s3:::b/*", "arn:aws:s3:::b/x", false));
        assert!(!covers("arn:aws:s3:::B/*", "arn:aws:s3:::b/x", false));
    }
}
