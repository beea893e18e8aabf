//! Embeds the bundled sample organisation (`assets/sample/`) so the binary opens it from any directory.

use std::fmt::Write as _;
use std::path::Path;

fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, base, out);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "csv"))
            && let Ok(rel) = p.strip_prefix(base)
        {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let base = Path::new(&root).join("assets/sample");
    println!("cargo:rerun-if-changed=assets/sample");
    let mut files = Vec::new();
    walk(&base, &base, &mut files);
    let mut code = String::from(
        "/// The sample's files: (path relative to `assets/sample/`, text).\npub static SAMPLE_FILES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed=assets/sample/{f}");
        let abs = base.join(f);
        let _ = writeln!(
            code,
            "    ({f:?}, include_str!({:?})),",
            abs.to_string_lossy()
        );
    }
    code.push_str("];\n");
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(e) = std::fs::write(Path::new(&out).join("sample_files.rs"), code) {
        panic!("cannot write sample_files.rs: {e}");
    }
}
