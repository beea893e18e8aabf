//! Format and minify policy text (four-space indentation, key order and escapes kept).

use crate::json::{self, Doc, Kind, NONE, NodeId};
use crate::text::Span;

/// Why a text cannot be formatted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot format: {message} at byte {}", span.start)]
pub struct FormatError {
    /// Where the first syntax error is.
    pub span: Span,
    /// What it is.
    pub message: String,
}

fn check_syntax(text: &str) -> Result<json::Parsed, FormatError> {
    let parsed = json::parse(text);
    if let Some(e) = parsed.errors.first() {
        return Err(FormatError {
            span: e.span,
            message: e.message.clone(),
        });
    }
    if parsed.root == NONE {
        return Err(FormatError {
            span: Span::new(0, text.len()),
            message: "no JSON value".into(),
        });
    }
    Ok(parsed)
}

/// Pretty-print JSON `text` with 4-space indentation. Keys keep their order and every string and number is
/// copied verbatim (escapes included), so only whitespace changes. Fails on a syntax error.
pub fn format(text: &str) -> Result<String, FormatError> {
    let parsed = check_syntax(text)?;
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    write_node(text, &parsed.doc, parsed.root, Some(0), &mut out);
    out.push('\n');
    Ok(out)
}

/// `text` with every insignificant space removed. Fails on a syntax error.
pub fn minify(text: &str) -> Result<String, FormatError> {
    let parsed = check_syntax(text)?;
    let mut out = String::with_capacity(text.len());
    write_node(text, &parsed.doc, parsed.root, None, &mut out);
    Ok(out)
}

fn indent(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("    ");
    }
}

/// Write node `id`; `level` is the indentation depth when pretty-printing, `None` when minifying.
fn write_node(src: &str, doc: &Doc, id: NodeId, level: Option<usize>, out: &mut String) {
    let node = doc.node(id);
    match node.kind {
        Kind::Object | Kind::Array => {
            let (open, close) = if node.kind == Kind::Object {
                ('{', '}')
            } else {
                ('[', ']')
            };
            out.push(open);
            let inner = level.map(|l| l + 1);
            let mut any = false;
            for (i, child) in doc.children(id).enumerate() {
                any = true;
                if i > 0 {
                    out.push(',');
                }
                if let Some(l) = inner {
                    indent(out, l);
                }
                if node.kind == Kind::Object {
                    out.push_str(crate::text::at(src, doc.span(child)));
                    out.push(':');
                    if level.is_some() {
                        out.push(' ');
                    }
                    let value = doc.node(child).first;
                    if value != NONE {
                        write_node(src, doc, value, inner, out);
                    }
                } else {
                    write_node(src, doc, child, inner, out);
                }
            }
            if any && let Some(l) = level {
                indent(out, l);
            }
            out.push(close);
        }
        _ => out.push_str(src.get(node.span.range()).unwrap_or("")),
    }
}
