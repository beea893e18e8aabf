//! The GUI's one way to run work off the UI thread: loading, the review, diffs, reverse queries, a person's
//! access, "who can assume it", saved request runs and the desktop's file dialogs all go through it.
//!
//! A [`Task`] runs a closure on a named thread and is polled once per frame without blocking; the thread asks
//! egui for a repaint when it is done. The closure gets a [`Reporter`]: a cancellation flag it may check, and a
//! way to report how far it is ([`Progress`]), which the UI shows. A panic in the closure comes back as
//! [`TaskError::Panicked`] (the app goes on), and a thread that cannot be started as [`TaskError::Spawn`].
//!
//! A [`Slot`] holds the task of one purpose, tagged with the input it was started for (a key: the model's
//! [`crate::account::Model::generation`], the query…): polling with the key now wanted drops, and cancels, a
//! task started for an older input, so a stale answer never shows.

use eframe::egui;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

/// How far a task has come.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    /// Done, from 0 to 1, when the task knows.
    pub fraction: Option<f32>,
    /// What it is doing (`loading prod.json`).
    pub text: String,
}

/// What a task's closure is given: the cancellation flag to check between steps, and a way to say how far it is.
#[derive(Clone)]
pub struct Reporter {
    cancel: Arc<AtomicBool>,
    progress: Arc<Mutex<Option<Progress>>>,
    ctx: egui::Context,
}

impl Reporter {
    /// True once the task's result is no longer wanted: the closure may stop early (what it returns then is
    /// dropped).
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The core's cancellation token for this task: long work (who-can, what-can, the review) stops at its next
    /// unit once the task is cancelled or replaced.
    pub fn cancel_token(&self) -> crate::cancel::Cancel {
        crate::cancel::Cancel::watching(self.cancel.clone())
    }

    /// Say how far the task is (the UI is asked to repaint to show it).
    pub fn progress(&self, fraction: Option<f32>, text: impl Into<String>) {
        if let Ok(mut p) = self.progress.lock() {
            *p = Some(Progress {
                fraction: fraction.map(|f| f.clamp(0.0, 1.0)),
                text: text.into(),
            });
        }
        self.ctx.request_repaint();
    }
}

/// Why a task gave no result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// No thread could be started.
    #[error("cannot start the {name}: {reason}")]
    Spawn {
        /// The task's name.
        name: &'static str,
        /// The system's error.
        reason: String,
    },
    /// The closure panicked (a bug): its message.
    #[error("the {name} failed: {message}")]
    Panicked {
        /// The task's name.
        name: &'static str,
        /// The panic's message.
        message: String,
    },
    /// It was cancelled before its result was taken.
    #[error("the {name} was cancelled")]
    Cancelled {
        /// The task's name.
        name: &'static str,
    },
}

enum State<T> {
    Running(mpsc::Receiver<std::thread::Result<T>>),
    Failed(TaskError),
    Taken,
}

/// One closure running on a background thread, started for input `key`.
pub struct Task<K, T> {
    name: &'static str,
    key: K,
    state: State<T>,
    cancel: Arc<AtomicBool>,
    progress: Arc<Mutex<Option<Progress>>>,
    _stop: CancelOnDrop,
}

/// The text of a panic's payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// The payload for a thread that ended without sending (it cannot: the closure's panic is caught).
fn stopped() -> Box<dyn std::any::Any + Send> {
    Box::new("the thread stopped without an answer")
}

impl<K, T: Send + 'static> Task<K, T> {
    /// Run `f` on a thread named `name` (also the task's name in messages: "the {name} failed"). The closure's
    /// captures (a model's `Arc`, say) are dropped before its result is seen, so whoever takes the result may
    /// hold the only reference again.
    pub fn spawn(
        ctx: &egui::Context,
        name: &'static str,
        key: K,
        f: impl FnOnce(&Reporter) -> T + Send + 'static,
    ) -> Self {
        let cancel = Arc::new(AtomicBool::new(false));
        let progress = Arc::new(Mutex::new(None));
        let reporter = Reporter {
            cancel: cancel.clone(),
            progress: progress.clone(),
            ctx: ctx.clone(),
        };
        let ctx = ctx.clone();
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let result = std::panic::catch_unwind(AssertUnwindSafe(move || f(&reporter)));
                // Nobody waits any more when the task was dropped: nothing to do.
                let _ = tx.send(result);
                ctx.request_repaint();
            });
        let state = match spawned {
            Ok(_) => State::Running(rx),
            Err(e) => State::Failed(TaskError::Spawn {
                name,
                reason: e.to_string(),
            }),
        };
        Task {
            name,
            key,
            state,
            _stop: CancelOnDrop(cancel.clone()),
            cancel,
            progress,
        }
    }

    /// The input it was started for.
    pub fn key(&self) -> &K {
        &self.key
    }

    /// Its name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Ask the closure to stop: its result, whatever it is, becomes [`TaskError::Cancelled`].
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// What it last reported.
    pub fn progress(&self) -> Option<Progress> {
        self.progress.lock().ok().and_then(|p| p.clone())
    }

    /// The result once the task is done (once; `None` before, and after it was taken). Never blocks.
    pub fn poll(&mut self) -> Option<Result<T, TaskError>> {
        let got = match &self.state {
            State::Running(rx) => match rx.try_recv() {
                Ok(r) => r,
                Err(mpsc::TryRecvError::Empty) => return None,
                Err(mpsc::TryRecvError::Disconnected) => Err(stopped()),
            },
            State::Failed(_) | State::Taken => {
                return match std::mem::replace(&mut self.state, State::Taken) {
                    State::Failed(e) => Some(Err(e)),
                    _ => None,
                };
            }
        };
        self.state = State::Taken;
        Some(self.finish(got))
    }

    /// Wait for the result (for the rare caller that must: a what-if edit needs the model's only reference).
    pub fn wait(&mut self) -> Option<Result<T, TaskError>> {
        let got = match std::mem::replace(&mut self.state, State::Taken) {
            State::Running(rx) => match rx.recv() {
                Ok(r) => r,
                Err(_) => Err(stopped()),
            },
            State::Failed(e) => return Some(Err(e)),
            State::Taken => return None,
        };
        Some(self.finish(got))
    }

    fn finish(&self, got: std::thread::Result<T>) -> Result<T, TaskError> {
        match got {
            _ if self.cancel.load(Ordering::Relaxed) => {
                Err(TaskError::Cancelled { name: self.name })
            }
            Ok(v) => Ok(v),
            Err(payload) => Err(TaskError::Panicked {
                name: self.name,
                message: panic_message(&*payload),
            }),
        }
    }
}

/// Sets the cancellation flag when dropped: a task dropped (replaced, stale, taken) is told to stop.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The task of one purpose (the review, a diff, a dialog): at most one runs; starting another cancels it.
pub struct Slot<K, T> {
    task: Option<Task<K, T>>,
}

impl<K, T> Default for Slot<K, T> {
    fn default() -> Self {
        Slot { task: None }
    }
}

impl<K: PartialEq, T: Send + 'static> Slot<K, T> {
    /// Run `f` for `key` (see [`Task::spawn`]), cancelling and forgetting the task running before.
    pub fn start(
        &mut self,
        ctx: &egui::Context,
        name: &'static str,
        key: K,
        f: impl FnOnce(&Reporter) -> T + Send + 'static,
    ) {
        self.task = Some(Task::spawn(ctx, name, key, f));
    }

    /// The key of the task running, if one is.
    pub fn running(&self) -> Option<&K> {
        self.task.as_ref().map(Task::key)
    }

    /// True while a task runs for `key`.
    pub fn is_running(&self, key: &K) -> bool {
        self.running() == Some(key)
    }

    /// True while a task runs.
    pub fn busy(&self) -> bool {
        self.task.is_some()
    }

    /// What the running task last reported.
    pub fn progress(&self) -> Option<Progress> {
        self.task.as_ref().and_then(Task::progress)
    }

    /// Cancel and forget the running task (its result is never seen).
    pub fn cancel(&mut self) {
        self.task = None;
    }

    /// The finished task's key and result, if it finished, never blocking. A task whose key `wanted` refuses (it
    /// was started for an older input) is cancelled and dropped, finished or not: its result is never seen.
    pub fn poll(&mut self, wanted: impl FnOnce(&K) -> bool) -> Option<(K, Result<T, TaskError>)> {
        let task = self.task.as_mut()?;
        if !wanted(task.key()) {
            self.task = None;
            return None;
        }
        let r = task.poll()?;
        let task = self.task.take()?;
        Some((task.key, r))
    }

    /// Cancel the running task, if any, and wait until its thread has let go of what it captured (a model's
    /// `Arc`); its result is never seen. The core's long work reads the flag between units, so this is quick.
    pub fn stop_and_wait(&mut self) {
        if let Some(mut task) = self.task.take() {
            task.cancel();
            let _ = task.wait();
        }
    }

    /// Wait for the running task, if any, and return its key and result.
    pub fn wait(&mut self) -> Option<(K, Result<T, TaskError>)> {
        let mut task = self.task.take()?;
        let r = task.wait()?;
        Some((task.key, r))
    }
}

/// A running task as every view shows it: a spinner and what it does, with a progress bar when the task says
/// how far it is.
pub fn running_ui(ui: &mut egui::Ui, what: &str, progress: Option<&Progress>) {
    ui.horizontal(|ui| {
        ui.spinner();
        if let Some(f) = progress.and_then(|p| p.fraction) {
            ui.add(
                egui::ProgressBar::new(f)
                    .desired_width(200.0)
                    .show_percentage(),
            );
        }
        match progress.filter(|p| !p.text.is_empty()) {
            Some(p) => ui.label(&p.text),
            None => ui.label(what),
        };
    });
}

/// Run a future to its end on this thread (a task's thread: the desktop's file dialog is a future, started on
/// the UI thread as macOS wants and awaited here). The thread sleeps until the future's waker wakes it.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        // A wake before this park makes it return at once; a spurious return polls again.
        std::thread::park();
    }
}
