//! The GUI's background-task runner (`app::tasks`): results come back through a poll that never blocks, a result
//! for an input no longer wanted is dropped and its closure told to stop, cancellation is seen by the closure and
//! reported, a panic in a task is an error and not a crash, the closure's captures are gone before its result is
//! seen, and progress reaches the UI.
#![cfg(feature = "gui")]

use iam_atlas::app::tasks::{Progress, Slot, Task, TaskError, block_on};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// Poll until the task answers (at most 10 s).
fn finish<T: Send + 'static>(task: &mut Task<u64, T>) -> Result<T, TaskError> {
    let start = Instant::now();
    loop {
        if let Some(r) = task.poll() {
            return r;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the task never answered"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn poll_never_blocks_and_the_result_comes_once() {
    let ctx = egui::Context::default();
    let (go, wait) = mpsc::channel::<()>();
    let mut task = Task::spawn(&ctx, "test task", 7u64, move |_| {
        wait.recv().ok();
        42
    });
    // The closure waits for us: polling answers at once, with nothing.
    let t = Instant::now();
    for _ in 0..100 {
        assert!(task.poll().is_none());
    }
    assert!(t.elapsed() < Duration::from_secs(1));
    assert_eq!(*task.key(), 7);
    go.send(()).expect("the task waits");
    assert_eq!(finish(&mut task), Ok(42));
    // Taken: later polls give nothing.
    assert!(task.poll().is_none());
}

#[test]
fn a_result_for_an_older_generation_is_dropped_and_its_closure_told_to_stop() {
    let ctx = egui::Context::default();
    let mut slot: Slot<u64, &'static str> = Slot::default();
    let stopped = Arc::new(AtomicBool::new(false));
    let seen = stopped.clone();
    let (started_tx, started) = mpsc::channel::<()>();
    // Generation 1 runs until it is told to stop.
    slot.start(&ctx, "old", 1, move |report| {
        started_tx.send(()).ok();
        while !report.cancelled() {
            std::thread::sleep(Duration::from_millis(1));
        }
        seen.store(true, Ordering::SeqCst);
        "answer for generation 1"
    });
    started.recv().expect("the task started");
    assert!(slot.is_running(&1));
    // The model moved on to generation 2: the old task is dropped, unseen, and stops.
    assert!(slot.poll(|g| *g == 2).is_none());
    assert!(!slot.busy());
    let t = Instant::now();
    while !stopped.load(Ordering::SeqCst) {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the stale task never stopped"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    // A finished task for an older generation is dropped too.
    slot.start(&ctx, "finished", 3, |_| "answer for generation 3");
    std::thread::sleep(Duration::from_millis(50));
    assert!(slot.poll(|g| *g == 4).is_none());
    assert!(!slot.busy());
    // And the current one is taken with its key.
    slot.start(&ctx, "current", 4, |_| "answer for generation 4");
    let t = Instant::now();
    loop {
        if let Some((k, r)) = slot.poll(|g| *g == 4) {
            assert_eq!((k, r), (4, Ok("answer for generation 4")));
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn starting_another_task_cancels_the_one_running() {
    let ctx = egui::Context::default();
    let mut slot: Slot<&'static str, u32> = Slot::default();
    let stopped = Arc::new(AtomicBool::new(false));
    let seen = stopped.clone();
    slot.start(&ctx, "first", "a", move |report| {
        while !report.cancelled() {
            std::thread::sleep(Duration::from_millis(1));
        }
        seen.store(true, Ordering::SeqCst);
        1
    });
    slot.start(&ctx, "second", "b", |_| 2);
    let t = Instant::now();
    while !stopped.load(Ordering::SeqCst) {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the first task never stopped"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let t = Instant::now();
    loop {
        if let Some(got) = slot.poll(|_| true) {
            assert_eq!(got, ("b", Ok(2)));
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_cancelled_task_reports_cancelled_whatever_its_closure_returns() {
    let ctx = egui::Context::default();
    let (started_tx, started) = mpsc::channel::<()>();
    let mut task = Task::spawn(&ctx, "long computation", 0u64, move |report| {
        started_tx.send(()).ok();
        let mut steps = 0u64;
        while !report.cancelled() {
            steps += 1;
            std::thread::sleep(Duration::from_millis(1));
        }
        // A partial answer: never shown.
        steps
    });
    started.recv().expect("the task started");
    task.cancel();
    assert_eq!(
        finish(&mut task),
        Err(TaskError::Cancelled {
            name: "long computation"
        })
    );
}

#[test]
fn a_panic_in_a_task_is_an_error_not_a_crash() {
    let ctx = egui::Context::default();
    let mut task: Task<u64, u32> =
        Task::spawn(&ctx, "review", 0, |_| panic!("boom: no findings table"));
    match finish(&mut task) {
        Err(TaskError::Panicked { name, message }) => {
            assert_eq!(name, "review");
            assert!(message.contains("boom: no findings table"), "{message}");
            let shown = TaskError::Panicked { name, message }.to_string();
            assert!(shown.starts_with("the review failed: boom"), "{shown}");
        }
        other => panic!("expected a panic reported as an error, got {other:?}"),
    }
    // A formatted panic message (a `String` payload) comes back too.
    let mut task: Task<u64, ()> =
        Task::spawn(&ctx, "diff", 0, |_| panic!("index {} out of range", 9));
    assert!(
        matches!(finish(&mut task), Err(TaskError::Panicked { message, .. }) if message == "index 9 out of range")
    );
    // The runner still works afterwards.
    let mut task = Task::spawn(&ctx, "after", 0u64, |_| "fine");
    assert_eq!(finish(&mut task), Ok("fine"));
}

#[test]
fn the_closures_captures_are_dropped_before_its_result_is_seen() {
    // What-if edits change the model in place and need its only reference: a finished task must not hold one.
    let ctx = egui::Context::default();
    let model = Arc::new(vec![1u8; 1024]);
    let m = model.clone();
    let mut task = Task::spawn(&ctx, "uses the model", 0u64, move |_| m.len());
    assert_eq!(finish(&mut task), Ok(1024));
    assert_eq!(Arc::strong_count(&model), 1);
}

#[test]
fn progress_reaches_the_ui_and_the_ui_is_asked_to_repaint() {
    let ctx = egui::Context::default();
    let (go, wait) = mpsc::channel::<()>();
    let (reported_tx, reported) = mpsc::channel::<()>();
    let mut slot: Slot<u64, ()> = Slot::default();
    slot.start(&ctx, "load", 0, move |report| {
        report.progress(Some(1.5), "loading prod.json");
        reported_tx.send(()).ok();
        wait.recv().ok();
    });
    reported.recv().expect("progress reported");
    assert_eq!(
        slot.progress(),
        Some(Progress {
            fraction: Some(1.0),
            text: "loading prod.json".into()
        })
    );
    go.send(()).expect("the task waits");
    let t = Instant::now();
    while slot.poll(|_| true).is_none() {
        assert!(t.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(ctx.has_requested_repaint());
    assert_eq!(slot.progress(), None);
}

#[test]
fn wait_blocks_until_the_result() {
    let ctx = egui::Context::default();
    let mut slot: Slot<u64, u32> = Slot::default();
    slot.start(&ctx, "slow", 5, |_| {
        std::thread::sleep(Duration::from_millis(30));
        9
    });
    assert_eq!(slot.wait(), Some((5, Ok(9))));
    assert!(!slot.busy());
    assert_eq!(slot.wait(), None);
}

#[test]
fn block_on_sleeps_until_the_future_is_woken_from_another_thread() {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Mutex;
    use std::task::{Context, Poll, Waker};

    /// Ready once another thread has set the value and woken the waker.
    struct Later(Arc<Mutex<(Option<u32>, Option<Waker>)>>);
    impl Future for Later {
        type Output = u32;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
            let mut s = self.0.lock().expect("lock");
            match s.0 {
                Some(v) => Poll::Ready(v),
                None => {
                    s.1 = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        }
    }
    let shared = Arc::new(Mutex::new((None, None::<Waker>)));
    let other = shared.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        let waker = {
            let mut s = other.lock().expect("lock");
            s.0 = Some(17);
            s.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    });
    assert_eq!(block_on(Later(shared)), 17);
}

#[test]
fn stop_and_wait_cancels_and_returns_once_the_thread_let_go() {
    // A task that only ends when told to stop (as the core's long work does between units).
    let ctx = egui::Context::default();
    let mut slot: Slot<u64, u32> = Slot::default();
    let held = std::sync::Arc::new(());
    let mine = held.clone();
    slot.start(&ctx, "endless", 1, move |report| {
        let _keep = mine;
        while !report.cancel_token().is_cancelled() {
            std::thread::sleep(Duration::from_millis(1));
        }
        0
    });
    let t = Instant::now();
    slot.stop_and_wait();
    assert!(t.elapsed() < Duration::from_secs(10));
    assert!(!slot.busy());
    assert_eq!(
        std::sync::Arc::strong_count(&held),
        1,
        "the closure's capture is dropped"
    );
}
