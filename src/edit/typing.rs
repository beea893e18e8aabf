//! Typing helpers of the editor: auto-indent and bracket matching.

/// One level of indentation (what [`format`] writes).
pub const INDENT: &str = "    ";

/// `text` after pressing Enter with the cursor at byte `cursor_byte`, and the new cursor (a byte offset).
///
/// The new line gets the current line's indentation, one [`INDENT`] more when the text before the cursor on
/// that line ends with `{` or `[`. Between a bracket pair (`{|}`, `[|]`, spaces allowed in between) the closing
/// bracket moves to a line of its own at the outer indentation and the cursor goes on the indented line
/// between. An offset past the end or inside a character is clamped to the nearest boundary before it.
pub fn auto_indent(text: &str, cursor_byte: usize) -> (String, usize) {
    let cursor = crate::text::floor_char_boundary(text, cursor_byte.min(text.len()));
    let (head, after) = text.split_at_checked(cursor).unwrap_or((text, ""));
    let before = head.rsplit('\n').next().unwrap_or(head);
    let rest_of_line = before.trim_start_matches([' ', '\t']);
    let indent = before.strip_suffix(rest_of_line).unwrap_or_default();
    let opener = before.trim_end_matches([' ', '\t']).chars().next_back();
    let deeper = matches!(opener, Some('{' | '['));
    let rest = after.trim_start_matches([' ', '\t']);
    let closes = match opener {
        Some('{') => rest.starts_with('}'),
        Some('[') => rest.starts_with(']'),
        _ => false,
    };
    let mut out = String::with_capacity(text.len() + 2 * indent.len() + INDENT.len() + 2);
    out.push_str(head);
    out.push('\n');
    out.push_str(indent);
    if deeper {
        out.push_str(INDENT);
    }
    let new_cursor = out.len();
    if closes {
        // The spaces between the cursor and the closing bracket go: the bracket starts its own line.
        out.push('\n');
        out.push_str(indent);
        out.push_str(rest);
    } else {
        out.push_str(after);
    }
    (out, new_cursor)
}

/// The byte offsets of the bracket next to the cursor at byte `byte` and of its match, as (opening, closing).
///
/// The bracket right after the cursor is tried first, then the one right before it. Only `{ } [ ]` outside
/// JSON strings count (escapes inside strings are understood); a bracket without a match, or closed by the
/// other kind, gives `None`.
pub fn matching_bracket(text: &str, byte: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut candidates = Vec::with_capacity(2);
    if byte < bytes.len() {
        candidates.push(byte);
    }
    if byte >= 1 && byte <= bytes.len() {
        candidates.push(byte - 1);
    }
    candidates
        .into_iter()
        .filter(|&p| matches!(bytes.get(p), Some(b'{' | b'}' | b'[' | b']')))
        .find_map(|p| match_at(bytes, p))
}

/// The pair that the bracket at `pos` belongs to, scanning the whole text (brackets are ASCII, so bytes are
/// safe to scan in UTF-8). `None` when `pos` is inside a string or unmatched.
fn match_at(bytes: &[u8], pos: usize) -> Option<(usize, usize)> {
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => stack.push((b, i)),
            b'}' | b']' => {
                let want = if b == b'}' { b'{' } else { b'[' };
                match stack.pop() {
                    Some((o, at)) if o == want && (at == pos || i == pos) => return Some((at, i)),
                    Some((_, at)) if at == pos || i == pos => return None,
                    None if i == pos => return None,
                    _ => {}
                }
            }
            _ => {}
        }
        if i > pos && stack.iter().all(|&(_, at)| at != pos) {
            // The bracket at `pos` was consumed without a pair, or `pos` was inside a string.
            return None;
        }
    }
    None
}
