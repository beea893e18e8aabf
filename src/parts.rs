//! Work split into parts, each on a thread of its own: reverse queries over an organisation's principals, the
//! explorer's filter over its accounts. The results come back in part order, so an answer does not depend on how
//! many cores ran it.

/// `f(0)`, …, `f(parts - 1)`, each part but the first on a scoped thread of its own, the first on the caller's;
/// the results in part order. A part whose thread could not start is run on the caller's thread; a panic in one
/// is the caller's, as it would be on one thread.
pub fn in_parts<T: Send>(parts: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = (1..parts)
            .map(|k| {
                let h = std::thread::Builder::new()
                    .name(format!("part {k}"))
                    .spawn_scoped(s, move || f(k));
                (k, h)
            })
            .collect();
        let mut out = Vec::with_capacity(parts.max(1));
        out.push(f(0));
        for (k, h) in handles {
            out.push(match h {
                Ok(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
                Err(_) => f(k),
            });
        }
        out
    })
}

/// The available cores (1 when the system does not say).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |p| p.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_runs_once_in_order() {
        let seen = std::sync::Mutex::new(Vec::new());
        let out = in_parts(5, |k| {
            seen.lock().expect("not poisoned").push(k);
            k * 10
        });
        assert_eq!(out, vec![0, 10, 20, 30, 40]);
        let mut seen = seen.into_inner().expect("not poisoned");
        seen.sort_unstable();
        assert_eq!(seen, vec![0, 1, 2, 3, 4]);
        // One part (or none asked): the caller's thread alone.
        assert_eq!(in_parts(1, |k| k), vec![0]);
        assert_eq!(in_parts(0, |k| k), vec![0]);
    }
}
