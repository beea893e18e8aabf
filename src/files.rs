//! Reading the user's files: regular files only, up to a size limit, so that a FIFO named in a workspace does
//! not block forever and `/dev/zero` is not read until memory runs out. The one place inputs are read from disk.

use std::io::Read;
use std::path::Path;

/// The largest input file read (an export of a very large account is a few hundred megabytes).
pub const MAX_INPUT_BYTES: u64 = 4 << 30;

/// Read `path` whole: a regular file (symbolic links followed) of at most [`MAX_INPUT_BYTES`].
pub fn read_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    read_bytes_limited(path, MAX_INPUT_BYTES)
}

/// [`read_bytes`] with another limit.
pub fn read_bytes_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file (a FIFO, a socket or a device)"
        };
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {what}"),
        ));
    }
    if meta.len() > limit {
        return Err(too_large(limit));
    }
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow while it is read: never past the limit.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

fn too_large(limit: u64) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("it is larger than {} MiB", limit >> 20),
    )
}

/// Read `path` as UTF-8 text (see [`read_bytes`]); invalid UTF-8 is reported with its line and column.
pub fn read_string(path: &Path) -> std::io::Result<String> {
    let bytes = read_bytes(path)?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let prefix = String::from_utf8_lossy(bytes.get(..valid).unwrap_or_default());
        let at = crate::text::line_col(&prefix, valid);
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("invalid UTF-8 at {at}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit() {
        let dir = std::env::temp_dir().join(format!("iam-atlas-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("a.json");
        std::fs::write(&f, "{}").unwrap();
        assert_eq!(read_bytes(&f).unwrap(), b"{}");
        assert!(
            read_bytes_limited(&f, 1)
                .unwrap_err()
                .to_string()
                .contains("larger")
        );
        assert!(
            read_bytes(&dir)
                .unwrap_err()
                .to_string()
                .contains("directory")
        );
        #[cfg(unix)]
        {
            let zero = Path::new("/dev/zero");
            if zero.exists() {
                let e = read_bytes(zero).unwrap_err().to_string();
                assert!(e.contains("not a regular file"), "{e}");
            }
        }
        std::fs::write(&f, b"{\n\"a\": \"\xff\"}").unwrap();
        let e = read_string(&f).unwrap_err().to_string();
        assert!(e.contains("invalid UTF-8 at 2:7"), "{e}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
