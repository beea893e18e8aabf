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
    if let Some(bytes) = read_halves(&file, meta.len())? {
        return Ok(bytes);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow while it is read: never past the limit.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// A large file read as two halves at once, on two threads (most of a read's time is the kernel filling the new
/// pages, which two cores do in about half the time): `None` when it is small, the machine has one core, or
/// the file changed size while it was read (then it is read the ordinary way). Reading at an offset is Unix's
/// (`pread`); elsewhere files are read the ordinary way.
#[cfg(not(unix))]
fn read_halves(_: &std::fs::File, _: u64) -> std::io::Result<Option<Vec<u8>>> {
    Ok(None)
}

/// See the other `read_halves`.
#[cfg(unix)]
fn read_halves(file: &std::fs::File, len: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::os::unix::fs::FileExt;
    const FROM: u64 = 8 << 20;
    let two_cores = std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2);
    let Ok(n) = usize::try_from(len) else {
        return Ok(None);
    };
    if len < FROM || !two_cores {
        return Ok(None);
    }
    // Zeroed memory fresh from the system costs nothing until it is written (here, by the read).
    let mut bytes = vec![0u8; n];
    let mid = n / 2;
    let (first, second) = bytes.split_at_mut(mid);
    let read = std::thread::scope(|s| {
        let other = s.spawn(|| file.read_exact_at(second, mid as u64));
        let here = file.read_exact_at(first, 0);
        let there = other
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("a reading thread failed")));
        here.and(there)
    });
    match read {
        Ok(()) => {}
        // Shorter than it was: read again.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    // Longer than it was: read again.
    if file.read_at(&mut [0u8; 1], len)? != 0 {
        return Ok(None);
    }
    Ok(Some(bytes))
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

/// Open `path` to be read as a stream, a piece at a time (`-` is the standard input): a regular file or a pipe,
/// never a directory or a device (`/dev/zero` would be read for ever). No size limit: whoever reads the stream
/// keeps a bounded part of it.
pub fn open_stream(path: &Path) -> std::io::Result<Box<dyn Read>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    let meta = std::fs::metadata(path)?;
    #[cfg(unix)]
    let pipe = std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type());
    #[cfg(not(unix))]
    let pipe = false;
    if !meta.is_file() && !pipe {
        let what = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file or a pipe (a socket or a device)"
        };
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {what}"),
        ));
    }
    Ok(Box::new(std::fs::File::open(path)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file large enough to be read in two halves comes back byte for byte, the halves' seam included, and
    /// the limit still holds.
    #[test]
    fn a_large_file_read_in_halves_is_the_file() {
        let dir = std::env::temp_dir().join(format!("iam-atlas-halves-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("big.json");
        // An odd length, and bytes that differ from one position to the next.
        let bytes: Vec<u8> = (0..(9usize << 20) + 7).map(|i| (i % 251) as u8).collect();
        std::fs::write(&f, &bytes).unwrap();
        let file = std::fs::File::open(&f).unwrap();
        if std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2) && cfg!(unix) {
            let halves = read_halves(&file, bytes.len() as u64).unwrap();
            assert!(halves.as_deref() == Some(&bytes[..]), "read in halves");
            // Longer than it was said to be (it grew): read the ordinary way instead.
            assert!(
                read_halves(&file, bytes.len() as u64 - 1)
                    .unwrap()
                    .is_none()
            );
        }
        assert!(read_bytes(&f).unwrap() == bytes);
        assert!(read_bytes_limited(&f, 1 << 20).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

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
        assert!(open_stream(&f).is_ok());
        assert!(
            open_stream(&dir)
                .err()
                .unwrap()
                .to_string()
                .contains("directory")
        );
        #[cfg(unix)]
        {
            let zero = Path::new("/dev/zero");
            if zero.exists() {
                let e = open_stream(zero).err().unwrap().to_string();
                assert!(e.contains("not a regular file or a pipe"), "{e}");
            }
        }
        std::fs::write(&f, b"{\n\"a\": \"\xff\"}").unwrap();
        let e = read_string(&f).unwrap_err().to_string();
        assert!(e.contains("invalid UTF-8 at 2:7"), "{e}");
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Write `bytes` to `path` without ever leaving it half-written: a temporary file beside it, flushed to disk,
/// then renamed over it (the directory entry flushed too, where the platform allows). A crash leaves the old
/// file or the new one, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temp_beside(path)?;
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        std::io::Write::write_all(&mut f, bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        sync_dir(path);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Like [`write_atomic`], but refuses to replace an existing file (the new file appears whole or not at all).
pub fn write_new(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if path.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "it exists; IAM Atlas never writes over a file",
        ));
    }
    let tmp = temp_beside(path)?;
    let result = (|| {
        let f = std::fs::File::create(&tmp)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        write(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        // A hard link fails when the name exists (no clobbering even in a race), then the temporary goes.
        std::fs::hard_link(&tmp, path)?;
        sync_dir(path);
        Ok(())
    })();
    let _ = std::fs::remove_file(&tmp);
    result
}

/// A file being written under a temporary name beside its final one: [`Staged::commit`] flushes it to disk and
/// renames it into place (replacing an older file of that name whole, never leaving a mix); dropped without
/// committing, it is removed. For writers that stream a file too large to build in memory first.
pub struct Staged {
    tmp: std::path::PathBuf,
    path: std::path::PathBuf,
    committed: bool,
}

impl Staged {
    /// Start writing `path`: the temporary file, open for writing (buffered).
    pub fn create(path: &Path) -> std::io::Result<(Staged, std::io::BufWriter<std::fs::File>)> {
        let tmp = temp_beside(path)?;
        let f = std::fs::File::create(&tmp)?;
        Ok((
            Staged {
                tmp,
                path: path.to_path_buf(),
                committed: false,
            },
            std::io::BufWriter::with_capacity(1 << 20, f),
        ))
    }

    /// The file's final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flush what `w` holds to disk and rename the temporary file into place.
    pub fn commit(mut self, w: std::io::BufWriter<std::fs::File>) -> std::io::Result<()> {
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&self.tmp, &self.path)?;
        self.committed = true;
        sync_dir(&self.path);
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

fn temp_beside(path: &Path) -> std::io::Result<std::path::PathBuf> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"))?;
    let mut tmp = std::ffi::OsString::from(".");
    tmp.push(name);
    tmp.push(format!(
        ".{}.{}.tmp",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    Ok(path.with_file_name(tmp))
}

fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod write_tests {
    use super::*;

    #[test]
    fn writes_replace_whole_or_refuse() {
        let dir = std::env::temp_dir().join(format!("iam-atlas-write-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("out.json");
        write_atomic(&f, b"one").unwrap();
        write_atomic(&f, b"two").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"two");
        let e = write_new(&f, |w: &mut dyn std::io::Write| w.write_all(b"three")).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        let g = dir.join("new.json");
        write_new(&g, |w| w.write_all(b"four")).unwrap();
        assert_eq!(std::fs::read(&g).unwrap(), b"four");
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .collect();
        assert_eq!(names.len(), 2);
        let _ = std::fs::remove_dir_all(dir);
    }
}
