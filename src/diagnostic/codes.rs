//! Every diagnostic code (the policy parser's and the validator's, which
//! re-exports this module), with its default severity, a one-line meaning and the IAM Access Analyzer issue code it
//! is reported under (the table in `docs/validation.md` and the SARIF rules come from this list).
//!
//! Two tables, each written once and turned into an enum by a macro, so that a code that is not registered
//! cannot compile (ruff's `codes.rs` does the same):
//! - [`Code`]: the project's checks. A check reports under Access Analyzer's code where Access Analyzer has the
//!   same check (`=> CODE`); where the project's check is finer or named otherwise, its own code stays in the
//!   diagnostic's `subcode`. A few checks report under one of several Access Analyzer codes depending on the
//!   policy type or the element (`=> DEFAULT | OTHER`).
//! - [`AaCode`]: every issue code of Access Analyzer's policy check reference, with its finding type
//!   (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>).

use crate::diagnostic::{AccessAnalyzerType, Diagnostic, Severity};
use Severity::{Error as E, SecurityWarning as S, Suggestion as G, Warning as W};

/// A check: its stable code, default severity and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Check {
    /// The project's stable code (the diagnostic's `subcode` when it is reported under another code).
    pub code: &'static str,
    /// Default severity (a few checks weigh differently per policy kind; see the summary).
    pub severity: Severity,
    /// Which group it belongs to: `parse`, `grammar`, `catalog`, `resource`, `principal`, `condition`,
    /// `variable`, `security`, `hygiene`, and `load` (what the loader reports about an input, not a policy check).
    pub group: &'static str,
    /// One line: what it finds.
    pub summary: &'static str,
    /// The Access Analyzer codes it is reported under: the first by default, the others where the check says
    /// so (by policy type or element). Empty: Access Analyzer has no such check; the code is the project's.
    pub reported_as: &'static [AaCode],
}

impl Check {
    /// The code a diagnostic of this check carries by default.
    pub fn reported_code(&self) -> &'static str {
        self.reported_as.first().map_or(self.code, |a| a.as_str())
    }
}

macro_rules! checks {
    ($($code:ident : $sev:ident, $group:literal, $summary:literal $(=> $($aa:ident)|+)?;)*) => {
        /// Every check's code: the validator's checks report through it, so an unregistered code cannot
        /// compile.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $(
                #[doc = $summary]
                $code,
            )*
        }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            /// The code as written in output.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }

            /// Its registry entry.
            pub const fn check(self) -> &'static Check {
                match self {
                    $(Code::$code => &Check {
                        code: stringify!($code),
                        severity: $sev,
                        group: $group,
                        summary: $summary,
                        reported_as: &[$($(AaCode::$aa,)+)?],
                    },)*
                }
            }
        }

        /// Every check, grouped.
        pub const CHECKS: &[Check] = &[$(*Code::$code.check(),)*];
    };
}

macro_rules! aa_codes {
    ($($kind:ident: [$($code:ident,)*];)*) => {
        /// Every issue code of IAM Access Analyzer's policy check reference.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum AaCode {
            $($(
                #[doc = concat!("Access Analyzer's `", stringify!($code), "`.")]
                $code,
            )*)*
        }

        impl AaCode {
            /// Every Access Analyzer code, grouped by finding type.
            pub const ALL: &'static [AaCode] = &[$($(AaCode::$code,)*)*];

            /// The issue code as Access Analyzer writes it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($(AaCode::$code => stringify!($code),)*)*
                }
            }

            /// Access Analyzer's finding type for it.
            pub const fn finding_type(self) -> AccessAnalyzerType {
                match self {
                    $($(AaCode::$code => AccessAnalyzerType::$kind,)*)*
                }
            }
        }
    };
}

aa_codes! {
    Error: [
        ARN_ACCOUNT_NOT_ALLOWED,
        ARN_REGION_NOT_ALLOWED,
        DATA_TYPE_MISMATCH,
        DUPLICATE_KEYS_WITH_DIFFERENT_CASE,
        INVALID_ACTION,
        INVALID_ARN_ACCOUNT,
        INVALID_ARN_PREFIX,
        INVALID_ARN_REGION,
        INVALID_ARN_RESOURCE,
        INVALID_ARN_SERVICE_CASE,
        INVALID_CONDITION_DATA_TYPE,
        INVALID_CONDITION_KEY_FORMAT,
        INVALID_CONDITION_MULTIPLE_BOOLEAN,
        INVALID_CONDITION_OPERATOR,
        INVALID_EFFECT,
        INVALID_GLOBAL_CONDITION_KEY,
        INVALID_PARTITION,
        INVALID_POLICY_ELEMENT,
        INVALID_PRINCIPAL_FORMAT,
        INVALID_PRINCIPAL_KEY,
        INVALID_REGION,
        INVALID_SERVICE,
        INVALID_SERVICE_CONDITION_KEY,
        INVALID_SERVICE_IN_ACTION,
        INVALID_VARIABLE_FOR_OPERATOR,
        INVALID_VERSION,
        JSON_SYNTAX_ERROR,
        MISSING_ACTION,
        MISSING_ARN_FIELD,
        MISSING_ARN_REGION,
        MISSING_ARN_ACCOUNT,
        MISSING_EFFECT,
        MISSING_PRINCIPAL,
        MISSING_QUALIFIER,
        MISSING_RESOURCE,
        MISSING_STATEMENT,
        NULL_WITH_IF_EXISTS,
        SCP_SYNTAX_ERROR_ACTION_WILDCARD,
        SCP_SYNTAX_ERROR_PRINCIPAL,
        UNIQUE_SIDS_REQUIRED,
        UNSUPPORTED_ACTION_IN_POLICY,
        UNSUPPORTED_ELEMENT_COMBINATION,
        UNSUPPORTED_GLOBAL_CONDITION_KEY,
        UNSUPPORTED_PRINCIPAL,
        UNSUPPORTED_RESOURCE_ARN_IN_POLICY,
        UNSUPPORTED_SID,
        UNSUPPORTED_WILDCARD_IN_PRINCIPAL,
        MISSING_BRACE_IN_VARIABLE,
        MISSING_QUOTE_IN_VARIABLE,
        UNSUPPORTED_SPACE_IN_VARIABLE,
        EMPTY_VARIABLE,
        VARIABLE_UNSUPPORTED_IN_ELEMENT,
        VARIABLE_UNSUPPORTED_IN_VERSION,
        POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA,
        POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA,
        POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA,
        POLICY_SIZE_EXCEEDS_SCP_QUOTA,
        POLICY_SIZE_EXCEEDS_RCP_QUOTA,
        TYPE_MISMATCH_IP_RANGE,
        RCP_SYNTAX_ERROR_ACTION,
        RCP_SYNTAX_ERROR_ALLOW,
        RCP_SYNTAX_ERROR_NOTACTION,
        RCP_SYNTAX_ERROR_PRINCIPAL,
        ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL,
        ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE,
        ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL,
        INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY,
        MISMATCHED_ACTION_FOR_PRINCIPAL,
        MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY,
        FEDERATED_PRINCIPAL_NOT_SUPPORTED,
        INVALID_SERVICE_PRINCIPAL_FORMAT,
    ];
    SecurityWarning: [
        ALLOW_WITH_NOT_PRINCIPAL,
        FORALLVALUES_WITH_SINGLE_VALUED_KEY,
        PASS_ROLE_WITH_NOT_RESOURCE,
        PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE,
        PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE,
        PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION,
        PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE,
        PASS_ROLE_WITH_STAR_IN_RESOURCE,
        MISSING_PAIRED_CONDITION_KEYS,
        DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE,
        DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE,
        RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL,
        MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL,
        MISSING_GITHUB_REPO_CONDITION_KEY,
        STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS,
        FORANYVALUE_WITH_AUDIENCE_CLAIM_TYPE,
        UNTRUSTWORTHY_CONDITION_KEY,
        RCP_MISSING_RELATED_PRINCIPAL_CONDITION_KEY,
        RCP_MISSING_RELATED_SERVICE_PRINCIPAL_CONDITION_KEY,
        RCP_MISSING_SERVICE_CONDITION_KEY_NULL_CHECK,
    ];
    Suggestion: [
        EMPTY_ARRAY_ACTION,
        EMPTY_ARRAY_CONDITION,
        EMPTY_ARRAY_CONDITION_FORALLVALUES,
        EMPTY_ARRAY_CONDITION_FORANYVALUE,
        EMPTY_ARRAY_CONDITION_IFEXISTS,
        EMPTY_ARRAY_PRINCIPAL,
        EMPTY_ARRAY_RESOURCE,
        EMPTY_OBJECT_CONDITION,
        EMPTY_OBJECT_PRINCIPAL,
        EMPTY_SID_VALUE,
        EQUIVALENT_TO_NULL_FALSE,
        EQUIVALENT_TO_NULL_TRUE,
        IMPROVE_IP_RANGE,
        NULL_WITH_QUALIFIER,
        PRIVATE_IP_ADDRESS_SUBSET,
        PRIVATE_NOT_IP_ADDRESS_SUBSET,
        REDUNDANT_ACTION,
        REDUNDANT_CONDITION_VALUE_NUM,
        REDUNDANT_RESOURCE,
        REDUNDANT_STATEMENT,
        WILDCARD_IN_SERVICE_NAME,
        ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE,
        ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE,
        RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL,
        IRRELEVANT_CONDITION_KEY_IN_POLICY,
        REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY,
        CONFIRM_AUDIENCE_CLAIM_TYPE,
    ];
    Warning: [
        CREATE_SLR_WITH_NOT_RESOURCE,
        CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE,
        CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE,
        CREATE_SLR_WITH_STAR_IN_RESOURCE,
        CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE,
        CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION,
        INVALID_DATE_VALUE,
        INVALID_ROLE_REFERENCE,
        INVALID_USER_REFERENCE,
        MISSING_VERSION,
        UNIQUE_SIDS_RECOMMENDED,
        TYPE_MISMATCH,
        TYPE_MISMATCH_BOOLEAN,
        TYPE_MISMATCH_DATE,
        TYPE_MISMATCH_NUMBER,
        TYPE_MISMATCH_STRING,
        SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED,
        INVALID_KMS_KEY_VALUE,
        INVALID_VPC_FORMAT,
        INVALID_VPCE_FORMAT,
        MISSING_ACTION_FOR_CONDITION_KEY,
        MISSING_TAG_KEY_IN_CONDITION,
        PRIVATE_IP_ADDRESS,
        PRIVATE_NOT_IP_ADDRESS,
        REDUNDANT_KEY_DUE_TO_WILDCARD_IN_CONDITION,
        REDUNDANT_STATEMENT_DUE_TO_WILDCARD_IN_CONDITION,
        UNSUPPORTED_ACTION_FOR_CONDITION_KEY,
        UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL,
        USE_CONDITION_KEY_ONLY_WITH_SUPPORTED_SERVICES,
        DYNAMODB_ATTRIBUTES_WITHOUT_SELECT,
        S3_PREFIX_IN_NEGATIVE_CONTEXT,
    ];
}

checks! {
    JSON_SYNTAX_ERROR: E, "parse", "the text is not valid JSON; every syntax error is reported" => JSON_SYNTAX_ERROR;
    POLICY_NOT_OBJECT: E, "parse", "the document is not a JSON object" => JSON_SYNTAX_ERROR;
    UNKNOWN_ELEMENT: E, "parse", "unknown policy or statement element (AWS rejects it)" => INVALID_POLICY_ELEMENT;
    DUPLICATE_KEY: E, "parse", "the same key twice in one object";
    LONE_SURROGATE: E, "parse", "an escape of an unpaired UTF-16 surrogate (D800–DFFF): not a character (IAM reads policies as UTF-8, which cannot hold it)";
    INVALID_EFFECT: E, "parse", "`Effect` is neither `Allow` nor `Deny` (fix for wrong case)" => INVALID_EFFECT;
    ACTION_AND_NOT_ACTION: E, "parse", "a statement has both `Action` and `NotAction`" => UNSUPPORTED_ELEMENT_COMBINATION;
    RESOURCE_AND_NOT_RESOURCE: E, "parse", "a statement has both `Resource` and `NotResource`" => UNSUPPORTED_ELEMENT_COMBINATION;
    PRINCIPAL_AND_NOT_PRINCIPAL: E, "parse", "a statement has both `Principal` and `NotPrincipal`" => UNSUPPORTED_ELEMENT_COMBINATION;
    INVALID_PRINCIPAL: E, "parse", "a principal string other than `\"*\"`" => INVALID_PRINCIPAL_FORMAT;
    INVALID_PRINCIPAL_KEY: E, "parse", "a principal type other than AWS, Service, Federated, CanonicalUser" => INVALID_PRINCIPAL_KEY;
    NULL_IN_ARRAY: W, "parse", "`null` inside a list (AWS ignores it)";
    JSON_TYPE_MISMATCH: E, "parse", "an element has the wrong JSON type (`\"Version\": 2012`)" => DATA_TYPE_MISMATCH;
    CONDITION_VALUE_TYPE_MISMATCH: E, "parse", "a condition value that is an object or a nested list" => INVALID_CONDITION_DATA_TYPE;
    MISSING_VERSION: W, "grammar", "no `Version`: policy variables are not substituted (error for managed policies, boundaries, SCPs and RCPs)" => MISSING_VERSION;
    INVALID_VERSION: E, "grammar", "`Version` is neither `2012-10-17` nor `2008-10-17` (or `2008-10-17` where AWS requires `2012-10-17`)" => INVALID_VERSION;
    OLD_VERSION: W, "grammar", "`Version` `2008-10-17` in a policy that uses variables: they are literal text (the version is valid otherwise)";
    MISSING_STATEMENT: E, "grammar", "no `Statement`" => MISSING_STATEMENT;
    EMPTY_STATEMENT: E, "grammar", "`Statement` is an empty list" => MISSING_STATEMENT;
    MISSING_EFFECT: E, "grammar", "a statement without `Effect`" => MISSING_EFFECT;
    MISSING_ACTION: E, "grammar", "a statement without `Action` or `NotAction`" => MISSING_ACTION;
    EMPTY_ARRAY_ACTION: E, "grammar", "`Action`/`NotAction` is an empty list" => EMPTY_ARRAY_ACTION;
    MISSING_RESOURCE: E, "grammar", "a statement without `Resource` or `NotResource` (warning in SCPs)" => MISSING_RESOURCE;
    EMPTY_ARRAY_RESOURCE: E, "grammar", "`Resource`/`NotResource` is an empty list" => EMPTY_ARRAY_RESOURCE;
    RESOURCE_IN_TRUST_POLICY: E, "grammar", "a trust policy names `Resource` (the role is the resource)" => ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE;
    MISSING_PRINCIPAL: E, "grammar", "a resource, trust or resource control policy statement without `Principal`" => MISSING_PRINCIPAL;
    UNSUPPORTED_PRINCIPAL: E, "grammar", "`Principal` in an identity, boundary or session policy" => UNSUPPORTED_PRINCIPAL;
    SCP_SYNTAX_ERROR_PRINCIPAL: E, "grammar", "`Principal`/`NotPrincipal` in a service control policy" => SCP_SYNTAX_ERROR_PRINCIPAL;
    UNSUPPORTED_NOT_PRINCIPAL: E, "grammar", "`NotPrincipal` in a trust or resource control policy" => ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL | RCP_SYNTAX_ERROR_PRINCIPAL;
    UNIQUE_SIDS_REQUIRED: E, "grammar", "two statements share a `Sid` (warning outside IAM)" => UNIQUE_SIDS_REQUIRED | UNIQUE_SIDS_RECOMMENDED;
    UNSUPPORTED_SID: W, "grammar", "`Sid` with characters other than A-Z, a-z, 0-9 (IAM documents only these)" => UNSUPPORTED_SID;
    EMPTY_SID: G, "grammar", "`Sid` is an empty string" => EMPTY_SID_VALUE;
    EMPTY_OBJECT_CONDITION: G, "grammar", "`Condition` is an empty object" => EMPTY_OBJECT_CONDITION;
    RCP_SYNTAX_ERROR_ALLOW: E, "grammar", "an RCP `Allow` statement other than the full-access one" => RCP_SYNTAX_ERROR_ALLOW;
    INVALID_ACTION_FORMAT: E, "catalog", "an action that is not `service:action` (no colon, two colons, empty part)" => INVALID_ACTION;
    INVALID_VENDOR: E, "catalog", "a service prefix with characters AWS rejects (spaces, …)" => INVALID_SERVICE_IN_ACTION;
    UNKNOWN_ACTION_SERVICE: W, "catalog", "a service prefix the catalog does not know (with a suggestion)" => INVALID_SERVICE_IN_ACTION;
    INVALID_ACTION: W, "catalog", "an action the service does not have (with a suggestion)" => INVALID_ACTION;
    ACTION_NAME_CASE: G, "catalog", "an action or service written in another case than the catalog's";
    CONDITION_KEY_CASE: G, "condition", "a condition key written in another case than AWS documents it (keys match in any case)";
    WILDCARD_ACTION_MATCHES_NOTHING: W, "catalog", "a wildcard action that matches no action of the service" => INVALID_ACTION;
    WILDCARD_IN_SERVICE_NAME: W, "catalog", "a wildcard in the service prefix (`s*:Get*`)" => WILDCARD_IN_SERVICE_NAME;
    TRUST_POLICY_UNSUPPORTED_ACTION: E, "catalog", "a trust policy action other than `sts:*` actions" => UNSUPPORTED_ACTION_IN_POLICY;
    RCP_UNSUPPORTED_SERVICE: E, "catalog", "an RCP action of a service RCPs do not support" => RCP_SYNTAX_ERROR_ACTION;
    SCP_SYNTAX_ERROR_ACTION_WILDCARD: W, "catalog", "an SCP action with a wildcard before its end" => SCP_SYNTAX_ERROR_ACTION_WILDCARD;
    INVALID_ARN_FORMAT: E, "resource", "a resource that is neither `*` nor an ARN" => INVALID_ARN_PREFIX;
    INVALID_ARN_PREFIX: E, "resource", "a resource ARN that does not start with `arn:`" => INVALID_ARN_PREFIX;
    INVALID_PARTITION: E, "resource", "an ARN partition other than aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc" => INVALID_PARTITION;
    MISSING_ARN_SERVICE: E, "resource", "an ARN without a service (`arn:aws`, `arn:aws::x`)" => MISSING_ARN_FIELD;
    MISSING_ARN_FIELD: E, "resource", "an ARN with fewer than six fields (`arn:aws:s3::bucket`)" => MISSING_ARN_FIELD;
    ARN_REGION_NOT_ALLOWED: E, "resource", "a region in an IAM or S3 bucket/object ARN" => ARN_REGION_NOT_ALLOWED;
    INVALID_IAM_RESOURCE_PATH: E, "resource", "an IAM ARN whose resource is not user/, role/, group/, policy/, …" => INVALID_ARN_RESOURCE;
    INVALID_ARN_REGION: W, "resource", "an ARN region that does not look like a region (`us-east-1`)" => INVALID_ARN_REGION;
    INVALID_ARN_ACCOUNT: W, "resource", "an ARN account that is not 12 digits" => INVALID_ARN_ACCOUNT;
    UNKNOWN_ARN_SERVICE: W, "resource", "an ARN service no resource type of the catalog uses" => INVALID_SERVICE;
    RESOURCE_TYPE_MISMATCH: W, "resource", "a resource ARN that fits none of the statement's actions' resource types";
    ACTION_WITHOUT_MATCHING_RESOURCE: W, "resource", "an action none of whose resource types is named in `Resource`";
    ACTION_REQUIRES_STAR_RESOURCE: W, "resource", "an action that supports only `\"Resource\": \"*\"` given specific ARNs";
    INVALID_PRINCIPAL_FORMAT: E, "principal", "an AWS principal that is not an account id, IAM/STS ARN, unique id or `*`" => INVALID_PRINCIPAL_FORMAT;
    UNSUPPORTED_WILDCARD_IN_PRINCIPAL: E, "principal", "a wildcard inside a principal (only a bare `*` is allowed)" => UNSUPPORTED_WILDCARD_IN_PRINCIPAL | ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL;
    INVALID_SERVICE_PRINCIPAL_FORMAT: W, "principal", "a service principal that is not `name.amazonaws.com`" => INVALID_SERVICE_PRINCIPAL_FORMAT;
    INVALID_FEDERATED_PRINCIPAL: W, "principal", "a federated principal that is not a SAML/OIDC provider ARN or a known web identity provider" => INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY;
    INVALID_CANONICAL_USER: W, "principal", "a canonical user id that is not 64 hexadecimal digits" => INVALID_PRINCIPAL_FORMAT;
    EMPTY_OBJECT_PRINCIPAL: E, "principal", "`Principal` is an empty object or lists nothing" => EMPTY_OBJECT_PRINCIPAL | EMPTY_ARRAY_PRINCIPAL;
    RCP_PRINCIPAL_NOT_STAR: E, "principal", "an RCP principal other than `\"*\"`" => RCP_SYNTAX_ERROR_PRINCIPAL;
    INVALID_CONDITION_OPERATOR: E, "condition", "an unknown condition operator (with a suggestion)" => INVALID_CONDITION_OPERATOR;
    NULL_WITH_IF_EXISTS: E, "condition", "`NullIfExists`: `Null` already tests existence" => NULL_WITH_IF_EXISTS;
    NULL_WITH_SET_QUALIFIER: W, "condition", "`ForAllValues:Null`/`ForAnyValue:Null`" => NULL_WITH_QUALIFIER;
    INVALID_NULL_VALUE: W, "condition", "a `Null` value other than `true`/`false`" => TYPE_MISMATCH_BOOLEAN;
    INVALID_CONDITION_DATE: E, "condition", "a date operator value that is not an ISO 8601 date or epoch seconds" => TYPE_MISMATCH_DATE;
    INVALID_CONDITION_NUMBER: E, "condition", "a numeric operator value that is not a number" => TYPE_MISMATCH_NUMBER;
    INVALID_CONDITION_BOOL: W, "condition", "a `Bool` value other than `true`/`false`" => TYPE_MISMATCH_BOOLEAN;
    INVALID_CONDITION_IP: E, "condition", "an `IpAddress` value that is not an IPv4/IPv6 address or CIDR range" => TYPE_MISMATCH_IP_RANGE;
    ANY_VALUE_IF_EXISTS: W, "condition", "`ForAnyValue:…IfExists`: how the two read a key the request leaves out is not documented: the evaluator leaves a test of an absent key undecided";
    LOOSE_CONDITION_IP: W, "condition", "an `IpAddress` value whose reading IAM does not document (spaces around it, a zero-led prefix, an IPv6 address without a prefix): the evaluator leaves a test of it undecided";
    INVALID_CONDITION_ARN: W, "condition", "an ARN operator value that is not an ARN";
    INVALID_CONDITION_MULTIPLE_BOOLEAN: W, "condition", "a `Bool` test with both `true` and `false`" => INVALID_CONDITION_MULTIPLE_BOOLEAN;
    CONDITION_TYPE_MISMATCH: W, "condition", "an operator of another type than the key's (`DateEquals` on a string key)" => TYPE_MISMATCH;
    FORALLVALUES_WITH_SINGLE_VALUED_KEY: S, "condition", "`ForAllValues` on a single-valued key: true when the key is missing" => FORALLVALUES_WITH_SINGLE_VALUED_KEY;
    FORANYVALUE_WITH_SINGLE_VALUED_KEY: W, "condition", "`ForAnyValue` on a single-valued key";
    MISSING_QUALIFIER: W, "condition", "a multi-valued key tested without `ForAllValues`/`ForAnyValue`" => MISSING_QUALIFIER;
    ALLOW_WITH_FORALLVALUES_WITHOUT_NULL: S, "condition", "`Allow` with `ForAllValues` and no `Null` test: matches requests without the key";
    FORANYVALUE_WITH_NEGATED_OPERATOR: W, "condition", "`ForAnyValue` with a negated operator matches almost every request";
    WILDCARD_WITHOUT_LIKE_OPERATOR: W, "condition", "a `*`/`?` in a value of an `Equals` operator (compared literally)";
    DUPLICATE_CONDITION_VALUE: W, "condition", "the same value twice in one condition";
    EMPTY_ARRAY_CONDITION: W, "condition", "a condition key with an empty list of values" => EMPTY_ARRAY_CONDITION | EMPTY_ARRAY_CONDITION_FORALLVALUES | EMPTY_ARRAY_CONDITION_FORANYVALUE | EMPTY_ARRAY_CONDITION_IFEXISTS;
    INVALID_CONDITION_KEY_FORMAT: W, "condition", "a condition key without a `prefix:` (never present in requests)" => INVALID_CONDITION_KEY_FORMAT;
    INVALID_GLOBAL_CONDITION_KEY: W, "condition", "an unknown `aws:` condition key (with a suggestion)" => INVALID_GLOBAL_CONDITION_KEY | UNSUPPORTED_GLOBAL_CONDITION_KEY;
    INVALID_SERVICE_CONDITION_KEY: W, "condition", "a condition key the service does not define (with a suggestion)" => INVALID_SERVICE_CONDITION_KEY | INVALID_SERVICE;
    DUPLICATE_KEYS_WITH_DIFFERENT_CASE: W, "condition", "one condition key written twice in different case under one operator" => DUPLICATE_KEYS_WITH_DIFFERENT_CASE;
    CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS: W, "condition", "a service condition key none of the statement's actions supports" => MISSING_ACTION_FOR_CONDITION_KEY;
    MISSING_BRACE_IN_VARIABLE: W, "variable", "`${` without its closing `}`" => MISSING_BRACE_IN_VARIABLE;
    EMPTY_VARIABLE: W, "variable", "`${}`" => EMPTY_VARIABLE;
    UNSUPPORTED_SPACE_IN_VARIABLE: W, "variable", "spaces inside a variable name" => UNSUPPORTED_SPACE_IN_VARIABLE;
    MISSING_QUOTE_IN_VARIABLE: W, "variable", "a variable default value not in single quotes" => MISSING_QUOTE_IN_VARIABLE;
    UNKNOWN_VARIABLE: W, "variable", "a variable that is not a known condition key";
    VARIABLE_UNSUPPORTED_IN_VERSION: W, "variable", "a variable in a policy without `Version` 2012-10-17 (literal text)" => VARIABLE_UNSUPPORTED_IN_VERSION;
    VARIABLE_UNSUPPORTED_IN_ELEMENT: W, "variable", "a variable where AWS does not substitute it (Action, Principal, Sid, keys)" => VARIABLE_UNSUPPORTED_IN_ELEMENT;
    INVALID_VARIABLE_FOR_OPERATOR: W, "variable", "a variable in a numeric, date, bool, IP or binary operator value" => INVALID_VARIABLE_FOR_OPERATOR;
    ALLOW_WITH_NOT_PRINCIPAL: S, "security", "`Allow` with `NotPrincipal` grants to everyone else, anonymous included" => ALLOW_WITH_NOT_PRINCIPAL;
    ALLOW_WITH_NOT_ACTION: S, "security", "`Allow` with `NotAction` grants every other action, future ones included";
    ALLOW_WITH_NOT_RESOURCE: S, "security", "`Allow` with `NotResource` grants on every other resource";
    PASS_ROLE_WITH_STAR_IN_RESOURCE: S, "security", "`iam:PassRole` allowed on `*`: any role can be handed to a service" => PASS_ROLE_WITH_STAR_IN_RESOURCE | PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE | PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION;
    PASS_ROLE_WITH_NOT_RESOURCE: S, "security", "`iam:PassRole` allowed with `NotResource`" => PASS_ROLE_WITH_NOT_RESOURCE | PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE | PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE;
    FULL_ACCESS_STAR_STAR: S, "security", "`Allow` `*` on `*` without conditions: administrator access";
    CREATE_SLR_WITH_STAR_IN_RESOURCE: W, "security", "`iam:CreateServiceLinkedRole` on `*` without an `iam:AWSServiceName` condition" => CREATE_SLR_WITH_STAR_IN_RESOURCE | CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE | CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION | CREATE_SLR_WITH_NOT_RESOURCE | CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE | CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE;
    PRIVILEGE_ESCALATION_ACTION: S, "security", "an allowed action that lets a principal raise its own privileges";
    PUBLIC_PRINCIPAL: S, "security", "a resource policy allowing `*` without conditions: anyone, anonymous included";
    TRUST_POLICY_ALLOWS_ANYONE: S, "security", "a trust policy anyone in any account can assume";
    OIDC_TRUST_WITHOUT_SUB_CONDITION: S, "security", "an OIDC trust without a `sub` condition: any identity of the provider can assume" => MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL | MISSING_GITHUB_REPO_CONDITION_KEY;
    OIDC_TRUST_WITHOUT_AUD_CONDITION: W, "security", "an OIDC trust without an `aud` condition";
    CROSS_ACCOUNT_TRUST_WITHOUT_EXTERNAL_ID: W, "security", "another account may assume the role without `sts:ExternalId`";
    RESOURCE_POLICY_GRANTS_POLICY_CHANGE: S, "security", "a resource policy lets principals change the resource's own policy, ACLs or grants (`s3:PutBucketPolicy`, `kms:PutKeyPolicy`, `lambda:AddPermission`, …)";
    SERVICE_PRINCIPAL_WITHOUT_SOURCE_CONDITION: W, "security", "a resource policy granting to a service without `aws:SourceArn`/`aws:SourceAccount` (confused deputy)" => RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL | RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL;
    REDUNDANT_ACTION: W, "hygiene", "an action covered by another action of the statement" => REDUNDANT_ACTION;
    REDUNDANT_RESOURCE: W, "hygiene", "a resource covered by another resource of the statement" => REDUNDANT_RESOURCE;
    REDUNDANT_STATEMENT: W, "hygiene", "a statement entirely covered by another" => REDUNDANT_STATEMENT;
    POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA: E, "hygiene", "over the identity policy size quota (whitespace outside strings not counted)" => POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA;
    POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA: E, "hygiene", "over the service's resource policy size quota" => POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA;
    POLICY_SIZE_EXCEEDS_TRUST_POLICY_QUOTA: E, "hygiene", "over the trust policy quota (2,048 characters by default)" => POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA;
    POLICY_SIZE_EXCEEDS_SCP_QUOTA: E, "hygiene", "over the SCP/RCP size quota (5,120 characters)" => POLICY_SIZE_EXCEEDS_SCP_QUOTA | POLICY_SIZE_EXCEEDS_RCP_QUOTA;
    RCP_SYNTAX_ERROR_NOTACTION: E, "grammar", "`NotAction` in a resource control policy" => RCP_SYNTAX_ERROR_NOTACTION;
    ARN_ACCOUNT_NOT_ALLOWED: W, "resource", "an account in an ARN whose resource type has no account field (`arn:aws:s3:123456789012::b`)" => ARN_ACCOUNT_NOT_ALLOWED;
    MISSING_ARN_ACCOUNT: W, "resource", "no account in an ARN whose resource type has one (`arn:aws:sqs:us-east-1::q`)" => MISSING_ARN_ACCOUNT;
    MISSING_ARN_REGION: W, "resource", "no region in an ARN whose resource type has one (`arn:aws:sqs::123456789012:q`)" => MISSING_ARN_REGION;
    INVALID_ARN_SERVICE_CASE: W, "resource", "an ARN service not in lower case (`arn:aws:S3:::b`)" => INVALID_ARN_SERVICE_CASE;
    INVALID_REGION: W, "condition", "an `aws:RequestedRegion` value that is not a region" => INVALID_REGION;
    INVALID_CONDITION_BINARY: W, "condition", "a `Binary` operator value that is not base64" => TYPE_MISMATCH_STRING;
    INVALID_DATE_VALUE: W, "condition", "a date AWS reads but not in `YYYY-MM-DD[Thh:mm:ssZ]` form (`2020-1-1`, `20200101`)" => INVALID_DATE_VALUE;
    INVALID_KMS_KEY_VALUE: W, "condition", "a KMS key condition value that is not a key ARN" => INVALID_KMS_KEY_VALUE;
    INVALID_VPC_FORMAT: W, "condition", "an `aws:SourceVpc` value that is not `vpc-` and hexadecimal digits" => INVALID_VPC_FORMAT;
    INVALID_VPCE_FORMAT: W, "condition", "an `aws:SourceVpce` value that is not `vpce-` and hexadecimal digits" => INVALID_VPCE_FORMAT;
    EQUIVALENT_TO_NULL_FALSE: G, "condition", "`StringLike` `*`: the same as `\"Null\": {\"key\": \"false\"}`" => EQUIVALENT_TO_NULL_FALSE;
    EQUIVALENT_TO_NULL_TRUE: G, "condition", "`StringNotLike` `*`: the same as `\"Null\": {\"key\": \"true\"}`" => EQUIVALENT_TO_NULL_TRUE;
    IMPROVE_IP_RANGE: G, "condition", "an IP range with host bits set (`10.0.0.1/16` means `10.0.0.0/16`)" => IMPROVE_IP_RANGE;
    PRIVATE_IP_ADDRESS: W, "condition", "`aws:SourceIp` with only private ranges: it never carries them" => PRIVATE_IP_ADDRESS;
    PRIVATE_IP_ADDRESS_SUBSET: G, "condition", "`aws:SourceIp` with some private ranges" => PRIVATE_IP_ADDRESS_SUBSET;
    PRIVATE_NOT_IP_ADDRESS: W, "condition", "`NotIpAddress` `aws:SourceIp` with only private ranges: always true" => PRIVATE_NOT_IP_ADDRESS;
    PRIVATE_NOT_IP_ADDRESS_SUBSET: G, "condition", "`NotIpAddress` `aws:SourceIp` with some private ranges" => PRIVATE_NOT_IP_ADDRESS_SUBSET;
    REDUNDANT_CONDITION_VALUE_NUM: G, "condition", "several values of a `NumericLessThan`-like operator: only the widest counts" => REDUNDANT_CONDITION_VALUE_NUM;
    REDUNDANT_KEY_DUE_TO_WILDCARD_IN_CONDITION: W, "condition", "a like operator that always matches (`StringLikeIfExists` `*`): the key tests nothing" => REDUNDANT_KEY_DUE_TO_WILDCARD_IN_CONDITION;
    REDUNDANT_STATEMENT_DUE_TO_WILDCARD_IN_CONDITION: W, "condition", "`ForAnyValue:StringNotLike` `*` never matches: the statement never applies" => REDUNDANT_STATEMENT_DUE_TO_WILDCARD_IN_CONDITION;
    MISSING_TAG_KEY_IN_CONDITION: W, "condition", "`aws:ResourceTag`, `aws:RequestTag` or `aws:PrincipalTag` without `/tag-key`" => MISSING_TAG_KEY_IN_CONDITION;
    MISSING_PAIRED_CONDITION_KEYS: S, "condition", "`aws:VpcSourceIp` without `aws:SourceVpc` or `aws:SourceVpce` (private addresses repeat across networks)" => MISSING_PAIRED_CONDITION_KEYS;
    UNTRUSTWORTHY_CONDITION_KEY: S, "condition", "an `Allow` decided by `aws:UserAgent` or `aws:Referer`, which the caller sets" => UNTRUSTWORTHY_CONDITION_KEY;
    USE_CONDITION_KEY_ONLY_WITH_SUPPORTED_SERVICES: W, "condition", "`aws:VpceAccount`/`aws:VpceOrgID`/`aws:VpceOrgPaths` on every action (`*` or `NotAction`): only some services set them" => USE_CONDITION_KEY_ONLY_WITH_SUPPORTED_SERVICES;
    IRRELEVANT_CONDITION_KEY_IN_POLICY: G, "condition", "a key never present for this policy type (`aws:SourceArn` in an identity policy)" => IRRELEVANT_CONDITION_KEY_IN_POLICY;
    DYNAMODB_ATTRIBUTES_WITHOUT_SELECT: W, "condition", "`dynamodb:Attributes` without `dynamodb:Select`: a query without attribute names returns every attribute" => DYNAMODB_ATTRIBUTES_WITHOUT_SELECT;
    S3_PREFIX_IN_NEGATIVE_CONTEXT: W, "condition", "`s3:prefix` under a negated operator in an `Allow`: listings without a prefix, the whole bucket, match too" => S3_PREFIX_IN_NEGATIVE_CONTEXT;
    STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS: S, "condition", "`StringLike` on an ARN key: a `*` spans ARN fields; use `ArnLike`" => STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS;
    UNSUPPORTED_ACTION_FOR_CONDITION_KEY: W, "condition", "a service condition key some of the statement's actions do not support" => UNSUPPORTED_ACTION_FOR_CONDITION_KEY;
    ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE: W, "condition", "`Allow` with a tag key some listed actions' services do not support: those actions are never allowed" => ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE;
    ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE: W, "condition", "`Allow` `NotAction` with a tag key: services without tag support are never allowed" => ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE;
    DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE: S, "condition", "`Deny` with a tag key some listed actions' services do not support: those actions are never denied" => DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE;
    DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE: S, "condition", "`Deny` `NotAction` with a tag key: services without tag support are never denied" => DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE;
    INVALID_ROLE_REFERENCE: W, "principal", "a role ARN in `Principal` or `aws:PrincipalArn` without a valid role name" => INVALID_ROLE_REFERENCE;
    INVALID_USER_REFERENCE: W, "principal", "a user ARN in `Principal` or `aws:PrincipalArn` without a valid user name" => INVALID_USER_REFERENCE;
    FEDERATED_PRINCIPAL_NOT_SUPPORTED: W, "principal", "a `Federated` principal outside a role trust policy" => FEDERATED_PRINCIPAL_NOT_SUPPORTED;
    MISMATCHED_ACTION_FOR_PRINCIPAL: W, "principal", "a trust action that does not fit its principal (SAML with `sts:AssumeRoleWithWebIdentity`, …)" => MISMATCHED_ACTION_FOR_PRINCIPAL;
    MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY: W, "principal", "IAM Roles Anywhere trusted without `sts:AssumeRole`, `sts:TagSession` and `sts:SetSourceIdentity`" => MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY;
    REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY: G, "principal", "an assumed-role session trusted beside its own role" => REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY;
    UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL: W, "principal", "a principal key (`aws:PrincipalArn`, …) on a statement that trusts only service principals" => UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL;
    FORANYVALUE_WITH_AUDIENCE_CLAIM_TYPE: S, "security", "`ForAnyValue` on an OIDC `aud` key: one matching audience is enough" => FORANYVALUE_WITH_AUDIENCE_CLAIM_TYPE;
    SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED: W, "security", "a GitHub `sub` condition with a wildcard in the repository or branch" => SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED;
    RCP_MISSING_RELATED_PRINCIPAL_CONDITION_KEY: W, "security", "an RCP `Deny` on principal org/account keys without `aws:PrincipalIsAWSService` (it blocks AWS services)" => RCP_MISSING_RELATED_PRINCIPAL_CONDITION_KEY;
    RCP_MISSING_RELATED_SERVICE_PRINCIPAL_CONDITION_KEY: W, "security", "an RCP `Deny` on source org/account keys without `aws:PrincipalIsAWSService` (it blocks your own principals)" => RCP_MISSING_RELATED_SERVICE_PRINCIPAL_CONDITION_KEY;
    RCP_MISSING_SERVICE_CONDITION_KEY_NULL_CHECK: W, "security", "an RCP `Deny` on source keys without `\"Null\": {\"aws:SourceAccount\": \"false\"}`" => RCP_MISSING_SERVICE_CONDITION_KEY_NULL_CHECK;
    LOAD_SKIPPED: W, "load", "an entry of an export or workspace could not be read and was left out: the model is incomplete, so answers that could depend on it are uncertain";
    LOAD_DANGLING: W, "load", "a reference (an attached policy, a group, a boundary, an account) that points at nothing loaded: answers that use it are uncertain";
    LOAD_NOTE: G, "load", "something odd in an input but fully understood (a tolerated shape, a duplicate key, a lone surrogate escape), noted for the reviewer";
    WHAT_IF_TARGET: E, "what-if", "a what-if edit names a document the model does not have (a policy, an inline policy, a trust or resource policy, an SCP or RCP)";
}

/// The registry entry of the project code `code`.
pub fn check(code: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.code == code)
}

/// The Access Analyzer code named `code`.
pub fn aa_code(code: &str) -> Option<AaCode> {
    AaCode::ALL.iter().copied().find(|a| a.as_str() == code)
}

/// Whether some check reports under `aa` (what the table in `docs/validation.md` calls "supported").
pub fn supported(aa: AaCode) -> bool {
    CHECKS.iter().any(|c| c.reported_as.contains(&aa))
}

/// Put a diagnostic that carries a project code (`d.code`) under the code it is reported as: Access Analyzer's
/// where Access Analyzer has the check (`as_aa` chooses among the check's alternatives), the project's code then
/// kept as `subcode`; and Access Analyzer's finding type. Idempotent.
pub fn present(d: &mut Diagnostic, as_aa: Option<AaCode>) {
    if d.subcode.is_none()
        && let Some(c) = check(d.code)
    {
        let aa = as_aa
            .filter(|a| c.reported_as.contains(a))
            .or_else(|| c.reported_as.first().copied());
        if let Some(aa) = aa
            && aa.as_str() != c.code
        {
            d.subcode = Some(c.code);
            d.code = aa.as_str();
        }
    }
    d.access_analyzer_type = aa_code(d.code).map(AaCode::finding_type);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_many() {
        let mut codes: Vec<&str> = CHECKS.iter().map(|c| c.code).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n, "duplicate codes");
        assert!(n >= 60, "{n}");
        let mut aa: Vec<&str> = AaCode::ALL.iter().map(|a| a.as_str()).collect();
        aa.sort_unstable();
        let n = aa.len();
        aa.dedup();
        assert_eq!(aa.len(), n, "duplicate Access Analyzer codes");
    }

    #[test]
    fn enum_and_table_agree() {
        for (i, c) in Code::ALL.iter().enumerate() {
            assert_eq!(c.as_str(), CHECKS[i].code);
            assert_eq!(*c as usize, i);
        }
    }

    /// A project code that is also an Access Analyzer code means the same check: it reports under itself, so
    /// that [`present`] applied twice changes nothing.
    #[test]
    fn project_codes_do_not_shadow_other_checks() {
        for c in CHECKS {
            if let Some(a) = aa_code(c.code) {
                assert!(
                    c.reported_as.contains(&a),
                    "{} is an Access Analyzer code it does not report as",
                    c.code
                );
            }
        }
    }

    #[test]
    fn present_is_idempotent() {
        for code in Code::ALL {
            let c = code.check();
            let mut d = Diagnostic::new(*code, c.severity, crate::text::Span::new(0, 0), "", "");
            present(&mut d, None);
            let once = d.clone();
            present(&mut d, None);
            assert_eq!(d, once);
            if !c.reported_as.is_empty() {
                assert!(d.access_analyzer_type.is_some(), "{}", c.code);
            }
        }
    }
}
