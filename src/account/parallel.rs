//! Reading many exports at once: each is read and parsed on a worker thread ([`super::export::parse_export`]),
//! and handed back in the order asked for, so the model is the same as a load one file after another. Workers run
//! at most a window of files ahead of the one being merged, which bounds what waits in memory.

use super::export::{LoadError, ParsedExport, Reading, parse_export};
use super::workspace::{Files, is_workspace};
use crate::policy::Interner;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// What a worker made of one file.
pub enum Read {
    /// An export, parsed (or why it could not be).
    Export(Box<Result<ParsedExport, LoadError>>),
    /// A workspace file (only when asked to tell them apart): loaded by the caller, on its thread.
    Workspace(crate::text::Text),
}

struct State {
    results: Vec<Option<Read>>,
    /// Files handed back so far.
    taken: usize,
    stop: bool,
}

/// Files being read in the background; [`Ordered::next`] gives them back in order.
pub struct Ordered<'a> {
    paths: &'a [PathBuf],
    state: Mutex<State>,
    ready: Condvar,
    claimed: AtomicUsize,
    /// No worker could start: [`Ordered::next`] reads each file itself.
    inline: std::sync::atomic::AtomicBool,
    window: usize,
    files: &'a (dyn Files + Sync),
    detect: bool,
    /// Threads each file may be read on: more than one when there are fewer files than threads allowed.
    per_file: usize,
    /// Keep the texts packed ([`ParsedExport::pack`]): with several files, their texts would be most of what
    /// stays in memory (one file alone is kept as read: packing it would add to the peak of its load, which
    /// is its end, and to its time).
    pack: bool,
}

/// Threads to read `files` files with: `asked`, or every core when 0, but no more than there are files.
pub fn jobs(asked: usize, files: usize) -> usize {
    let n = match asked {
        0 => std::thread::available_parallelism()
            .map(|p| p.get())
            .unwrap_or(1),
        n => n,
    };
    n.clamp(1, files.max(1))
}

impl<'a> Ordered<'a> {
    /// Read `paths` through `files` on `workers` threads, each file on `per_file` threads; with `detect`, a
    /// workspace file is returned as such instead of parsed.
    pub fn new(
        files: &'a (dyn Files + Sync),
        paths: &'a [PathBuf],
        detect: bool,
        workers: usize,
        per_file: usize,
    ) -> Self {
        let window = 2 * workers;
        Ordered {
            paths,
            state: Mutex::new(State {
                results: (0..paths.len()).map(|_| None).collect(),
                taken: 0,
                stop: false,
            }),
            ready: Condvar::new(),
            claimed: AtomicUsize::new(0),
            inline: std::sync::atomic::AtomicBool::new(false),
            window,
            files,
            detect,
            per_file,
            pack: paths.len() > 1,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A worker never panics while holding the lock (parsing runs outside it, under `catch_unwind`).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A worker: claim the next file, read it, leave the result for [`Ordered::next`].
    pub fn work(&self) {
        let mut interner = Interner::default();
        loop {
            let i = self.claimed.fetch_add(1, Ordering::Relaxed);
            let Some(path) = self.paths.get(i) else {
                return;
            };
            {
                let mut st = self.lock();
                while !st.stop && i >= st.taken + self.window {
                    st = self.ready.wait(st).unwrap_or_else(|e| e.into_inner());
                }
                if st.stop {
                    return;
                }
            }
            let read = self.read_one(path, &mut interner);
            let mut st = self.lock();
            if let Some(slot) = st.results.get_mut(i) {
                *slot = Some(read);
            }
            self.ready.notify_all();
        }
    }

    fn read_one(&self, path: &std::path::Path, interner: &mut Interner) -> Read {
        let name = path.display().to_string();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            match self.files.read(path) {
                Err(e) => Read::Export(Box::new(Err(e))),
                Ok(text) if self.detect && is_workspace(&text) => Read::Workspace(text),
                Ok(text) => {
                    let reading = match self.per_file {
                        0 | 1 => Reading::OneThread,
                        n => Reading::for_one(n, text.len()),
                    };
                    let mut parsed = parse_export(&name, text, interner, &mut |_, _| {}, reading);
                    if let Ok(p) = &mut parsed
                        && self.pack
                    {
                        p.pack();
                    }
                    Read::Export(Box::new(parsed))
                }
            }
        }))
        .unwrap_or_else(|_| {
            Read::Export(Box::new(Err(LoadError::Invalid {
                path: name,
                message:
                    "internal error while reading this file (a bug in IAM Atlas; please report it)"
                        .into(),
            })))
        })
    }

    /// The next file's result, in the order of `paths` (waits for it); `None` after the last.
    pub fn next(&self) -> Option<Read> {
        let mut st = self.lock();
        let i = st.taken;
        if i >= st.results.len() {
            return None;
        }
        if self.inline.load(Ordering::Relaxed) {
            st.taken += 1;
            drop(st);
            return self
                .paths
                .get(i)
                .map(|p| self.read_one(p, &mut Interner::default()));
        }
        loop {
            if let Some(r) = st.results.get_mut(i).and_then(Option::take) {
                st.taken += 1;
                self.ready.notify_all();
                return Some(r);
            }
            st = self.ready.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Stop the workers (after an error: the files left are not needed).
    pub fn stop(&self) {
        self.lock().stop = true;
        self.ready.notify_all();
    }
}

/// Run `f` with `paths` being read in the background on [`jobs`] threads; the workers stop when `f` returns.
pub fn with_ordered<R>(
    files: &(dyn Files + Sync),
    paths: &[PathBuf],
    detect: bool,
    asked: usize,
    f: impl FnOnce(&Ordered<'_>) -> R,
) -> R {
    let workers = jobs(asked, paths.len());
    // A workspace of one large export (or fewer exports than cores) reads each on the cores left over.
    let per_file = jobs(asked, usize::MAX) / workers;
    let ordered = Ordered::new(files, paths, detect, workers, per_file);
    std::thread::scope(|s| {
        let mut started = 0;
        for k in 0..workers {
            let o = &ordered;
            // A thread that cannot start leaves its share to the others; with none at all, `next` reads.
            if std::thread::Builder::new()
                .name(format!("load-{k}"))
                .spawn_scoped(s, move || o.work())
                .is_ok()
            {
                started += 1;
            }
        }
        if started == 0 {
            ordered.inline.store(true, Ordering::Relaxed);
        }
        let r = f(&ordered);
        ordered.stop();
        r
    })
}

#[cfg(test)]
mod tests {
    use crate::account::workspace::{LoadOptions, load_paths};

    /// A model loaded on many threads is the one loaded on one: every account, document, source number and
    /// warning, in the same order.
    #[test]
    fn an_organisation_loads_the_same_on_one_thread_and_on_many() {
        let dir = std::env::temp_dir().join(format!("iam-atlas-parallel-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut spec = crate::generate::OrgSpec::new(9);
        spec.per_account.users = 5;
        spec.per_account.roles = 12;
        spec.per_account.policies = 4;
        spec.per_account.url_encoded = true;
        let written = crate::generate::write_org(&dir, &spec).expect("generate");
        let load = |jobs: usize, paths: &[std::path::PathBuf]| {
            load_paths(
                paths,
                LoadOptions {
                    progress: None,
                    jobs,
                },
            )
            .expect("load")
        };
        let one = load(1, std::slice::from_ref(&written.workspace));
        for jobs in [2, 4, 16] {
            let many = load(jobs, std::slice::from_ref(&written.workspace));
            assert_eq!(
                format!("{:?}", one.accounts),
                format!("{:?}", many.accounts)
            );
            assert_eq!(
                format!("{:?}", one.warnings),
                format!("{:?}", many.warnings)
            );
            let names = |m: &crate::account::Model| {
                m.sources.iter().map(|s| s.name.clone()).collect::<Vec<_>>()
            };
            assert_eq!(names(&one), names(&many));
        }
        assert_eq!(one.accounts.len(), 9);
        // URL-encoded documents are sources of their own, renumbered as they join the model.
        assert!(one.sources.len() > 9 * 10, "{}", one.sources.len());
        for acc in &one.accounts {
            let export = one.source(acc.source.expect("the export"));
            assert!(
                export.is_packed() && export.kept_len() * 2 < export.len(),
                "{}: {} of {}",
                export.name,
                export.kept_len(),
                export.len()
            );
            for r in &acc.roles {
                let t = r.trust.as_ref().expect("trust");
                // The renumbered source holds the document where its span says.
                let source = one.source(t.source);
                let at = source.at(t.policy.span);
                assert!(at.contains("sts:AssumeRole"), "{at}");
                // Several exports are kept packed (all but short documents), and read where their spans
                // say all the same.
                assert_eq!(source.is_packed(), source.len() >= 4096, "{}", source.name);
            }
        }
        // Exports given one by one, on several threads, come in the order given.
        let mut exports: Vec<_> = (0..9)
            .map(|i| {
                dir.join(format!(
                    "accounts/{}.json",
                    crate::generate::OrgSpec::account_id(i)
                ))
            })
            .collect();
        exports.reverse();
        let a = load(1, &exports);
        let b = load(3, &exports);
        assert_eq!(format!("{:?}", a.accounts), format!("{:?}", b.accounts));
        assert_eq!(
            a.accounts.first().map(|a| a.id.to_string()),
            Some(crate::generate::OrgSpec::account_id(8))
        );
        // A broken file among them is named, whichever thread read it.
        std::fs::write(dir.join("broken.json"), "{\"UserDetailList\": [").expect("write");
        exports.insert(4, dir.join("broken.json"));
        for jobs in [1, 3] {
            let e = load_paths(
                &exports,
                LoadOptions {
                    progress: None,
                    jobs,
                },
            )
            .expect_err("an error");
            assert!(e.to_string().contains("broken.json"), "{e}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
