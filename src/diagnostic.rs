//! Diagnostics: what is wrong, where, and how to fix it.

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
    /// Stable code (IAM Access Analyzer's where the check is the same, e.g. `MISSING_VERSION`).
    pub code: &'static str,
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
    /// A diagnostic with no help and no fix.
    pub fn new(
        code: &'static str,
        severity: Severity,
        span: Span,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity,
            span,
            path: crate::text::clip(path.into(), MAX_TEXT),
            message: crate::text::clip(message.into(), MAX_TEXT),
            help: None,
            fix: None,
        }
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
