//! Diagnostics: what is wrong, where, and how to fix it.

pub mod codes;

use crate::text::Span;
use serde::Serialize;

/// How bad a finding is (IAM Access Analyzer's four, plus the hard `Error` that AWS itself would reject).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// AWS would reject the document, or it cannot mean what it says.
    Error,
    /// The document grants more than it probably should.
    SecurityWarning,
    /// Legal but probably not intended.
    Warning,
    /// A way to write it better.
    Suggestion,
}

impl Severity {
    /// The word shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::SecurityWarning => "security warning",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
        }
    }
}

/// IAM Access Analyzer's finding type for a code, as its policy check reference classifies it: a CI can gate on
/// it as well as on [`Severity`] (which follows this project's rule: an error only when AWS rejects the document or
/// the element cannot work).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccessAnalyzerType {
    /// `ERROR`.
    Error,
    /// `SECURITY_WARNING`.
    SecurityWarning,
    /// `SUGGESTION`.
    Suggestion,
    /// `WARNING`.
    Warning,
}

impl AccessAnalyzerType {
    /// As Access Analyzer writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessAnalyzerType::Error => "ERROR",
            AccessAnalyzerType::SecurityWarning => "SECURITY_WARNING",
            AccessAnalyzerType::Suggestion => "SUGGESTION",
            AccessAnalyzerType::Warning => "WARNING",
        }
    }
}

/// A machine-applicable text edit: replace `span` with `text`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// What to replace.
    pub span: Span,
    /// The replacement.
    pub text: String,
}

/// The most characters a diagnostic's path, message or help keeps: a message quoting a megabyte-long value
/// stays readable, and 50,000 diagnostics stay a few megabytes.
pub const MAX_TEXT: usize = 600;

/// One finding about a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code: IAM Access Analyzer's issue code where Access Analyzer has the check (e.g.
    /// `MISSING_VERSION`), the project's own otherwise.
    pub code: &'static str,
    /// The project's finer code when the finding is reported under Access Analyzer's (`NULL_WITH_QUALIFIER` /
    /// `NULL_WITH_SET_QUALIFIER`), so that either can be searched, suppressed and counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subcode: Option<&'static str>,
    /// Access Analyzer's finding type for `code`, when `code` is one of Access Analyzer's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_analyzer_type: Option<AccessAnalyzerType>,
    /// How bad.
    pub severity: Severity,
    /// Byte range in the source text it applies to.
    pub span: Span,
    /// JSON path of the element (`Statement[0].Action[1]`).
    pub path: String,
    /// What is wrong, lowercase, no final period.
    pub message: String,
    /// How to fix it, when there is something to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// A fix that can be applied as is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Edit>,
}

impl Diagnostic {
    /// A diagnostic with no help and no fix. Its code is a registered [`codes::Code`]: an unregistered code does
    /// not compile.
    pub fn new(
        code: codes::Code,
        severity: Severity,
        span: Span,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code: code.as_str(),
            subcode: None,
            access_analyzer_type: None,
            severity,
            span,
            path: crate::text::clip(path.into(), MAX_TEXT),
            message: crate::text::clip(message.into(), MAX_TEXT),
            help: None,
            fix: None,
        }
    }

    /// Whether the finding is `code`, as reported or as the project's finer code.
    pub fn is(&self, code: &str) -> bool {
        self.code == code || self.subcode == Some(code)
    }

    /// Add a help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(crate::text::clip(help.into(), MAX_TEXT));
        self
    }

    /// Add a fix.
    pub fn with_fix(mut self, span: Span, text: impl Into<String>) -> Self {
        self.fix = Some(Edit {
            span,
            text: text.into(),
        });
        self
    }
}
