//! The workspace loader: a workspace file and the files it names, all from the fuzzer's input. The parts are
//! separated by a `\0` byte: the first is the workspace, and each file it names gets a later part chosen by a
//! hash of its name (so the answer does not depend on which thread reads first; with one part only, "not
//! found"). No panic; a failed load says why.
#![no_main]

use iam_atlas::account::export::{LoadError, text_from_bytes};
use iam_atlas::account::workspace::{Files, LoadOptions, load_with};
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};

struct Memory<'a> {
    parts: Vec<&'a [u8]>,
}

impl Files for Memory<'_> {
    fn read(&self, path: &Path) -> Result<iam_atlas::text::Text, LoadError> {
        let name = path.display().to_string();
        // FNV-1a: a fixed part per name.
        let hash = name
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        let i = match (name.as_str(), self.parts.len()) {
            ("workspace.json", _) => 0,
            (_, n) if n > 1 => 1 + (hash % (n as u64 - 1)) as usize,
            _ => usize::MAX,
        };
        match self.parts.get(i) {
            Some(bytes) => text_from_bytes(&path.display().to_string(), bytes.to_vec()),
            None => Err(LoadError::Io {
                path: path.display().to_string(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            }),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let files = Memory {
        parts: data.split(|b| *b == 0).take(16).collect(),
    };
    match load_with(&files, &[PathBuf::from("workspace.json")], LoadOptions::default()) {
        Ok(model) => {
            let _ = model.documents().len();
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
