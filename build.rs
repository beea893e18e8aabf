//! Embeds the bundled sample organisation (`assets/sample/`) so the binary opens it from any directory, and
//! tells the crate what `--version` and the About dialog show: the git commit it was built from
//! (`IAM_ATLAS_COMMIT`) and the bundled catalog's version and date (`IAM_ATLAS_CATALOG_VERSION`,
//! `IAM_ATLAS_CATALOG_DATE`, read from `assets/catalog/catalog.json`, whose parsed fields they equal).

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

/// The value of `"key":"…"` in the catalog's header (its first line starts with the format, source, version and
/// date; `scripts/build_catalog.py` writes them so).
fn header_field<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let start = header.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let rest = header.get(start..)?;
    rest.get(..rest.find('"')?)
}

fn catalog_env(root: &Path) {
    println!("cargo:rerun-if-changed=assets/catalog/catalog.json");
    let path = root.join("assets/catalog/catalog.json");
    let text = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    };
    let head = String::from_utf8_lossy(text.get(..text.len().min(512)).unwrap_or_default());
    for (key, var) in [
        ("version", "IAM_ATLAS_CATALOG_VERSION"),
        ("date", "IAM_ATLAS_CATALOG_DATE"),
    ] {
        match header_field(&head, key) {
            Some(v) => println!("cargo:rustc-env={var}={v}"),
            None => panic!("{}: no `{key}` in the header", path.display()),
        }
    }
}

/// The commit the build comes from, `unknown` outside a git checkout (a source tarball). Reruns when HEAD or the
/// branch it points to moves, and only then: a commit recompiles the crate, nothing else does.
fn commit_env(root: &Path) {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=IAM_ATLAS_COMMIT={commit}");
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &branch]));
        watched.push(git(&["rev-parse", "--git-path", "packed-refs"]));
    }
    for p in watched.into_iter().flatten() {
        let p = root.join(p);
        // A path that does not exist would rerun the script on every build.
        if p.exists() {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    }
}

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    catalog_env(Path::new(&root));
    commit_env(Path::new(&root));
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
