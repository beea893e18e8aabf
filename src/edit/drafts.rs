//! Draft autosave of the editor: one file per draft, written atomically.

use std::path::{Path, PathBuf};

/// A saved draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftInfo {
    /// The id it was saved under.
    pub id: String,
    /// When it was last saved.
    pub modified: std::time::SystemTime,
}

/// Drafts of the editor, one file per id in a directory of their own (the platform's data directory). Saves
/// are atomic (a temporary file renamed over the old one), so a crash leaves the previous draft intact. It
/// never reads or writes anything outside its directory.
///
/// A draft's file is named by a short hash of its id (16 hex digits: a long id never overflows a file name's
/// 255 bytes) and starts with a header line that holds the id itself (`iam-atlas-draft/1 "<id>"`), which is
/// what [`DraftStore::list`] reports. Files of the earlier layout (the id's bytes in hex as the name, no header)
/// are still listed, read and removed.
#[derive(Clone, Debug)]
pub struct DraftStore {
    dir: PathBuf,
}

const DRAFT_EXT: &str = "draft";

fn hex(id: &str) -> String {
    id.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The header of a draft file: this tag, a space, the id as a JSON string, a newline.
const DRAFT_HEADER: &str = "iam-atlas-draft/1 ";

/// FNV-1a (64 bits): stable across Rust versions and platforms, unlike the standard library's hasher, so a
/// draft saved by one build is found by the next.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The id in a draft file's header, and the text after it.
fn split_draft(content: &str) -> Option<(String, &str)> {
    let rest = content.strip_prefix(DRAFT_HEADER)?;
    let (line, text) = rest.split_once('\n')?;
    Some((serde_json::from_str(line).ok()?, text))
}

fn unhex(name: &str) -> Option<String> {
    if !name.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..name.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(name.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

impl DraftStore {
    /// A store in `dir` (created on the first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        DraftStore { dir: dir.into() }
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{:016x}.{DRAFT_EXT}", fnv1a(id)))
    }

    /// The earlier layout's file of `id` (its bytes in hex), when such a name can exist.
    fn legacy_path(&self, id: &str) -> Option<PathBuf> {
        (id.len() * 2 + DRAFT_EXT.len() < 255)
            .then(|| self.dir.join(format!("{}.{DRAFT_EXT}", hex(id))))
    }

    /// Save `text` as draft `id`, replacing the previous one atomically.
    pub fn save(&self, id: &str, text: &str) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path(id);
        let header = serde_json::to_string(id).unwrap_or_default();
        let mut content = String::with_capacity(DRAFT_HEADER.len() + header.len() + 1 + text.len());
        content.push_str(DRAFT_HEADER);
        content.push_str(&header);
        content.push('\n');
        content.push_str(text);
        crate::files::write_atomic(&path, content.as_bytes())?;
        // A draft of the earlier layout under the same id is replaced by this one.
        if let Some(old) = self.legacy_path(id) {
            let _ = std::fs::remove_file(old);
        }
        Ok(())
    }

    /// Every draft, newest first (an empty list when the directory does not exist).
    pub fn list(&self) -> std::io::Result<Vec<DraftInfo>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some(DRAFT_EXT) {
                continue;
            }
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            // The id from the header (only the first line is read); an earlier layout's name is the id in hex.
            let id = match read_header(&path) {
                Some(id) => id,
                None => match unhex(stem) {
                    Some(id) => id,
                    None => continue,
                },
            };
            let modified = entry
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            out.push(DraftInfo { id, modified });
        }
        out.sort_by(|a, b| b.modified.cmp(&a.modified).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// The text of draft `id`.
    pub fn load(&self, id: &str) -> std::io::Result<String> {
        match std::fs::read_to_string(self.path(id)) {
            Ok(content) => match split_draft(&content) {
                Some((found, text)) if found == id => Ok(text.to_string()),
                // Another id with the same hash (or a damaged header): not this draft.
                _ => Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no draft of this document",
                )),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match self.legacy_path(id) {
                Some(old) => std::fs::read_to_string(old),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// Delete draft `id` (no error when it does not exist).
    pub fn remove(&self, id: &str) -> std::io::Result<()> {
        let ours = self
            .load(id)
            .is_ok()
            .then(|| self.path(id))
            .into_iter()
            .chain(self.legacy_path(id));
        for path in ours {
            match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }
}

/// The id in the header of the draft file at `path`, reading its first line only (at most 64 KiB).
fn read_header(path: &Path) -> Option<String> {
    use std::io::{BufRead, Read};
    let f = std::fs::File::open(path).ok()?;
    let mut line = String::new();
    std::io::BufReader::new(f.take(64 * 1024))
        .read_line(&mut line)
        .ok()?;
    line.push('\n');
    split_draft(&line).map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_save_list_load_remove() {
        let dir = std::env::temp_dir().join(format!("iam-atlas-drafts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = DraftStore::new(&dir);
        assert!(store.list().expect("empty").is_empty());
        store.save("user alice/inline: a", "one").expect("save");
        store.save("template", "two").expect("save");
        store.save("template", "three").expect("overwrite");
        let ids: Vec<String> = store
            .list()
            .expect("list")
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&"user alice/inline: a".to_string()));
        assert_eq!(store.load("template").expect("load"), "three");
        store.remove("template").expect("remove");
        store.remove("template").expect("remove twice");
        assert_eq!(store.list().expect("list").len(), 1);
        let names: Vec<_> = std::fs::read_dir(&dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary files left: {names:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A draft's file is named by a short hash, whatever the id's length (the hex of a 200-character title
    /// overflowed a file name's 255 bytes); ids that differ only by account stay apart; the earlier layout's
    /// drafts are still listed, read and removed; a text that starts with a newline or looks like a header
    /// comes back as written.
    #[test]
    fn drafts_are_keyed_by_a_short_hash_and_keep_their_id() {
        let dir =
            std::env::temp_dir().join(format!("iam-atlas-drafts-hash-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = DraftStore::new(&dir);
        let long = format!("111122223333: role {} trust policy", "r".repeat(300));
        store.save(&long, "long").expect("a long id saves");
        store
            .save("111122223333: role admin trust policy", "first account")
            .expect("save");
        store
            .save(
                "444455556666: role admin trust policy",
                "\niam-atlas-draft/1 \"x\"\nsecond",
            )
            .expect("save");
        for e in std::fs::read_dir(&dir).expect("dir") {
            let name = e.expect("entry").file_name();
            assert_eq!(name.len(), 16 + 1 + DRAFT_EXT.len(), "{name:?}");
        }
        assert_eq!(store.load(&long).expect("load"), "long");
        assert_eq!(
            store
                .load("444455556666: role admin trust policy")
                .expect("load"),
            "\niam-atlas-draft/1 \"x\"\nsecond"
        );
        assert_eq!(
            store
                .load("111122223333: role admin trust policy")
                .expect("load"),
            "first account"
        );
        assert!(store.load("another").is_err());
        // A draft of the earlier layout: the id's bytes in hex, no header.
        std::fs::write(
            dir.join(format!("{}.{DRAFT_EXT}", hex("old title"))),
            "old text",
        )
        .expect("write");
        let mut ids: Vec<String> = store
            .list()
            .expect("list")
            .into_iter()
            .map(|d| d.id)
            .collect();
        ids.sort();
        assert_eq!(ids.len(), 4, "{ids:?}");
        assert!(ids.contains(&long) && ids.contains(&"old title".to_string()));
        assert_eq!(store.load("old title").expect("legacy"), "old text");
        store.remove("old title").expect("remove");
        store.remove(&long).expect("remove");
        assert_eq!(store.list().expect("list").len(), 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
