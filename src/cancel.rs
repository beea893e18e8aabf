//! Cancellation of long work: a flag the caller raises and the work reads between units (a principal, an
//! action, a rule). Work that sees it stops and says it was cancelled (`None`), never returns a partial answer
//! as if it were whole.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A flag shared by whoever may cancel and the work; `Cancel::never()` for work nobody cancels.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Option<Arc<AtomicBool>>);

impl Cancel {
    /// Work nobody cancels.
    pub fn never() -> Self {
        Cancel(None)
    }

    /// Watch `flag`: the work stops once it is true.
    pub fn watching(flag: Arc<AtomicBool>) -> Self {
        Cancel(Some(flag))
    }

    /// A new flag and the `Cancel` that watches it.
    pub fn new() -> (Arc<AtomicBool>, Self) {
        let flag = Arc::new(AtomicBool::new(false));
        (flag.clone(), Cancel(Some(flag)))
    }

    /// True once cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_is_never_cancelled_and_a_raised_flag_is_seen() {
        assert!(!Cancel::never().is_cancelled());
        let (flag, c) = Cancel::new();
        assert!(!c.is_cancelled());
        flag.store(true, Ordering::Relaxed);
        assert!(c.is_cancelled());
        assert!(c.clone().is_cancelled());
    }
}
