//! The bundled sample organisation ("Larkspur Labs"), embedded in the binary so that a first run shows
//! something real. Its files are in `assets/sample/`; `assets/sample/TEACHING.md` lists its teaching cases.

use crate::account::Model;
use crate::account::export::LoadError;
use crate::account::workspace::{Files, LoadOptions, load_with};
use crate::text::Text;
use std::path::{Path, PathBuf};
use std::sync::Arc;

include!(concat!(env!("OUT_DIR"), "/sample_files.rs"));

/// The path the sample's files are shown under.
pub const SAMPLE_DIR: &str = "assets/sample";

/// Reads the embedded sample files.
pub struct Embedded;

impl Files for Embedded {
    fn read(&self, path: &Path) -> Result<Text, LoadError> {
        let rel = path
            .strip_prefix(SAMPLE_DIR)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        SAMPLE_FILES
            .iter()
            .find(|(p, _)| *p == rel)
            .map(|(_, t)| Arc::new(t.to_string()))
            .ok_or_else(|| LoadError::Invalid {
                path: path.display().to_string(),
                message: "no such file in the bundled sample".into(),
            })
    }
}

/// The sample's workspace path.
pub fn workspace_path() -> PathBuf {
    Path::new(SAMPLE_DIR).join("workspace.json")
}

/// The sample's CloudTrail file: its path under [`SAMPLE_DIR`] and its text (a month of calls in the prod
/// account, written by `scripts/sample-trail.py`).
pub fn trail() -> (&'static str, &'static str) {
    const PATH: &str = "cloudtrail/larkspur-prod-2026-11.json";
    let text = SAMPLE_FILES
        .iter()
        .find(|(p, _)| *p == PATH)
        .map_or("", |(_, t)| *t);
    ("assets/sample/cloudtrail/larkspur-prod-2026-11.json", text)
}

/// Load the bundled sample.
pub fn load_sample(opts: LoadOptions) -> Result<Model, LoadError> {
    load_with(&Embedded, &[workspace_path()], opts)
}
