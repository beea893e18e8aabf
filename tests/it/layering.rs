//! The crate's modules form layers: a module may use modules of lower layers only, so there is no import cycle
//! and no upward edge (the core never reaches for the command line or the GUI, the model never for the editor).
//! This test reads every `crate::` path in `src/` (outside comments and `#[cfg(test)]` code) and fails on an
//! edge that goes sideways or up, naming the file and line, the way `--no-default-features` keeps egui out.

use std::collections::BTreeMap;
use std::path::Path;

/// Each top-level module and its layer; a module may use only modules of a strictly lower layer.
const LAYERS: &[(&str, u8)] = &[
    ("text", 0),
    ("arn", 0),
    ("cancel", 0),
    ("parts", 0),
    ("time", 1),
    ("files", 1),
    ("json", 1),
    ("diagnostic", 1),
    ("sarif", 1),
    ("values", 2),
    ("wildcard", 2),
    ("policy", 3),
    ("catalog", 4),
    ("account", 4),
    ("validate", 5),
    ("eval", 5),
    ("graph", 5),
    ("sample", 5),
    ("generate", 5),
    ("edit", 6),
    ("search", 6),
    ("review", 6),
    ("escalate", 6),
    ("export", 6),
    ("lessons", 6),
    ("diff", 7),
    ("replay", 8),
    ("cli", 9),
    ("app", 9),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src is readable")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `(module used, line)` for every `crate::name` in non-test, non-comment code of `text`.
fn uses(text: &str) -> Vec<(String, usize)> {
    let code = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            if let Some(list) = rest.strip_prefix('{') {
                // `use crate::{a, b::c};`
                let end = list.find('}').unwrap_or(list.len());
                for item in list[..end].split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.push((name, n + 1));
                    }
                }
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push((name, n + 1));
            }
        }
    }
    out
}

#[test]
fn modules_use_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 40, "src/ was read ({} files)", files.len());
    let mut problems = Vec::new();
    let mut edges: BTreeMap<(String, String), usize> = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(&src).expect("under src");
        let first = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default();
        let module = first.trim_end_matches(".rs");
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(own) = layer(module) else {
            problems.push(format!(
                "src/{}: module `{module}` has no layer in LAYERS",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(f).expect("source is UTF-8");
        for (used, line) in uses(&text) {
            if used == module {
                continue;
            }
            *edges.entry((module.to_string(), used.clone())).or_default() += 1;
            match layer(&used) {
                None => problems.push(format!(
                    "src/{}:{line}: `crate::{used}` is not a module with a layer",
                    rel.display()
                )),
                Some(l) if l >= own => problems.push(format!(
                    "src/{}:{line}: `{module}` (layer {own}) uses `{used}` (layer {l}): only lower layers may be used",
                    rel.display()
                )),
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The test saw the edges it is about (it cannot pass by reading nothing).
    assert!(edges.contains_key(&("eval".to_string(), "account".to_string())));
    assert!(edges.contains_key(&("cli".to_string(), "eval".to_string())));
}

#[test]
fn the_reader_sees_every_form_of_path() {
    let text = "use crate::account::Model;\nuse crate::{json, text::Span};\n// crate::app in a comment\nfn f() { crate::eval::decide(); }\n#[cfg(test)]\nmod tests { use crate::cli; }\n";
    let got: Vec<_> = uses(text).into_iter().map(|(m, _)| m).collect();
    assert_eq!(got, ["account", "json", "text", "eval"]);
}
