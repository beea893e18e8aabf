//! Applying an edit or a diagnostic's fix to policy text.

use crate::diagnostic::{Diagnostic, Edit};
use crate::text::Span;

/// Why an edit cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the edit at {}..{} does not fit the text (the text changed since it was checked)", span.start, span.end)]
pub struct EditError {
    /// The edit's range.
    pub span: Span,
}

/// `text` with `edit` applied. Fails when the range is outside the text or not on character boundaries
/// (a fix computed for an older text).
pub fn apply_edit(text: &str, edit: &Edit) -> Result<String, EditError> {
    let r = edit.span.range();
    if r.end > text.len() || !text.is_char_boundary(r.start) || !text.is_char_boundary(r.end) {
        return Err(EditError { span: edit.span });
    }
    let (Some(head), Some(tail)) = (text.get(..r.start), text.get(r.end..)) else {
        return Err(EditError { span: edit.span });
    };
    let mut out = String::with_capacity(text.len() + edit.text.len());
    out.push_str(head);
    out.push_str(&edit.text);
    out.push_str(tail);
    Ok(out)
}

/// `text` with the fix of `diagnostic` applied; `None` when it has none or it no longer fits.
pub fn apply_fix(text: &str, diagnostic: &Diagnostic) -> Option<String> {
    apply_edit(text, diagnostic.fix.as_ref()?).ok()
}
