//! The workspace loader: a workspace file and the files it names, all from the fuzzer's input. The parts are
//! separated by a `\0` byte: the first is the workspace, and each later read gets the next part whatever its
//! name (then "not found"). No panic; a failed load says why.
#![no_main]

use iam_atlas::account::export::{LoadError, text_from_bytes};
use iam_atlas::account::workspace::{Files, LoadOptions, load_with};
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};

struct Memory<'a> {
    parts: Vec<&'a [u8]>,
    reads: std::cell::Cell<usize>,
}

impl Files for Memory<'_> {
    fn read(&self, path: &Path) -> Result<iam_atlas::text::Text, LoadError> {
        let i = self.reads.get();
        self.reads.set(i + 1);
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
        reads: std::cell::Cell::new(0),
    };
    match load_with(&files, &[PathBuf::from("workspace.json")], LoadOptions::default()) {
        Ok(model) => {
            let _ = model.documents().len();
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
