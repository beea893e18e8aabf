//! Helpers shared by every SARIF 2.1.0 writer (validation, review findings, escalation): one spelling of a
//! rule's name and of an artifact's URI.

/// The URI of the file a source name points at (`export.json (document at $.X)` → `export.json`): relative
/// paths stay relative (code-scanning tools resolve them against the checkout), absolute ones become `file://`
/// URIs, as SARIF 2.1.0 §3.4.3 asks.
pub fn artifact(name: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const PATH: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'[')
        .add(b']')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    let file = name.split(" (").next().unwrap_or(name).replace('\\', "/");
    let encoded = utf8_percent_encode(&file, PATH).to_string();
    if file.starts_with('/') {
        format!("file://{encoded}")
    } else if file.len() > 2 && file.as_bytes().get(1) == Some(&b':') {
        format!("file:///{encoded}") // a Windows drive path
    } else {
        encoded
    }
}

/// A rule's readable name: `INVALID_ACTION` → `InvalidAction` (SARIF wants it to differ from the id).
pub fn rule_name(code: &str) -> String {
    code.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect()
}
