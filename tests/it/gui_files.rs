//! Files chosen where no desktop dialog runs: the built-in picker, driven by the keyboard and the mouse; and the
//! desktop's dialog awaited off the UI thread, so that no frame waits for it.
#![cfg(feature = "gui")]

use crate::gui_util::harness;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use iam_atlas::account::LoadOptions;
use iam_atlas::app::{AtlasApp, Command, View};
use std::path::{Path, PathBuf};

/// A fresh folder for one test, removed afterwards.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let d =
            std::env::temp_dir().join(format!("iam-atlas-gui-files-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        TempDir(d)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/exports")
        .join(name)
}

/// Replace the picker's path by typing, as a person would: select all, type.
fn type_path(h: &mut Harness<'static, AtlasApp>, text: &str) {
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label("Path").type_text(text);
    h.run();
}

fn wait_for_load(h: &mut Harness<'static, AtlasApp>) {
    for _ in 0..400 {
        // A spinner shows while loading: single frames, not "run until still".
        h.step();
        if !h.state().is_loading() {
            h.step();
            h.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("the load did not finish");
}

#[test]
fn file_open_without_a_desktop_dialog_uses_the_built_in_picker_by_keyboard() {
    let dir = TempDir::new("open");
    std::fs::create_dir(dir.path().join("exports")).expect("mkdir");
    let file = dir.path().join("exports/account.json");
    std::fs::copy(fixture("aws-cli-docs-example.json"), &file).expect("copy");
    std::fs::write(dir.path().join("exports/notes.txt"), "not a snapshot").expect("write");

    let mut app = AtlasApp::new(Default::default());
    assert!(!app.native_dialogs, "tests never open a desktop dialog");
    app.recent = vec![dir.path().join("earlier.json")];
    let mut h = harness(app);
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Open…").click();
    h.run();
    // The picker is open in the folder of the last file, with the path field ready for typing.
    h.get_by_label_contains("Open a snapshot");
    assert_eq!(
        h.state().picker.as_ref().map(|p| p.dir.clone()),
        Some(dir.path().to_path_buf())
    );
    h.get_by_label("exports/");
    // A folder and Enter goes into it; only JSON files are listed.
    type_path(&mut h, &dir.path().join("exports").display().to_string());
    h.key_press(Key::Enter);
    h.run();
    h.get_by_label("account.json");
    assert!(h.query_by_label("notes.txt").is_none());
    // Arrow down highlights the file (the path follows), Enter opens it.
    h.key_press(Key::ArrowDown);
    h.run();
    assert_eq!(
        h.state().picker.as_ref().map(|p| p.path.clone()),
        Some(file.display().to_string())
    );
    h.key_press(Key::Enter);
    h.step();
    h.step();
    assert!(h.state().picker.is_none(), "the picker closes");
    wait_for_load(&mut h);
    assert!(h.state().model.is_some(), "{:?}", h.state().load_error);
    assert!(h.state().loaded_from.contains("account.json"));
    assert_eq!(h.state().recent.first(), Some(&file));
}

#[test]
fn the_picker_is_cancelled_with_escape_and_says_when_a_file_is_missing() {
    let dir = TempDir::new("cancel");
    let mut app = AtlasApp::new(Default::default());
    app.recent = vec![dir.path().join("x.json")];
    let mut h = harness(app);
    h.run();
    h.state_mut().push(Command::PickFile(
        iam_atlas::app::file_picker::FilePurpose::EditPolicy,
    ));
    h.run();
    type_path(&mut h, "missing.json");
    h.key_press(Key::Enter);
    h.run();
    h.get_by_label_contains("no such file");
    h.key_press(Key::Escape);
    h.run();
    assert!(h.state().picker.is_none());
    assert_eq!(h.state().view, View::Explorer);
}

#[test]
fn save_and_export_through_the_picker_write_the_chosen_files() {
    let dir = TempDir::new("save");
    let model = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample loads");
    let mut app = AtlasApp::with_model(model, "bundled sample");
    app.recent = vec![dir.path().join("x.json")];
    let mut h = harness(app);
    h.run();
    // Saved requests: Save as… proposes requests.json in the folder; Save writes it.
    h.get_by_label("Evaluator").click();
    h.run();
    h.get_by_label("Saved requests").click();
    h.run();
    h.get_by_label("Save as…").click();
    h.run();
    h.get_by_label_contains("Save the requests as");
    h.get_by_label("Save").click();
    h.run();
    assert!(dir.path().join("requests.json").is_file());
    // Saving again over it asks first.
    h.get_by_label("Save as…").click();
    h.run();
    h.get_by_label("Save").click();
    h.run();
    h.get_by_label_contains("exists");
    h.get_by_label("Replace").click();
    h.run();
    assert!(h.state().picker.is_none());
    // The trust graph exported as DOT, typing a new name.
    h.get_by_label("Trust graph").click();
    for _ in 0..200 {
        h.run();
        if h.query_by_label("Export DOT…")
            .is_some_and(|_| !h.state().graph.is_computing())
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    h.get_by_label("Export DOT…").click();
    h.run();
    let out = dir.path().join("trust.dot");
    type_path(&mut h, &out.display().to_string());
    h.key_press(Key::Enter);
    h.run();
    let dot = std::fs::read_to_string(&out).expect("the DOT file is written");
    assert!(
        dot.starts_with("digraph") || dot.contains("digraph"),
        "{dot:.80}"
    );
}

#[test]
fn a_load_error_can_be_dismissed_and_a_failed_start_offers_the_sample() {
    let dir = TempDir::new("error");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{ not json").expect("write");
    let mut h = harness(AtlasApp::new(Default::default()));
    h.state_mut().push(Command::Open(vec![bad.clone()]));
    h.step();
    wait_for_load(&mut h);
    h.get_by_label_contains("could not load");
    h.get_by_label("Dismiss").click();
    h.run();
    assert!(h.query_by_label_contains("could not load").is_none());
    h.state_mut().push(Command::Open(vec![bad]));
    h.step();
    wait_for_load(&mut h);
    h.get_by_label_contains("could not load");
    h.get_by_label("Open the bundled sample").click();
    h.step();
    wait_for_load(&mut h);
    assert!(h.state().model.is_some());
    assert!(h.state().load_error.is_none());
    assert!(h.query_by_label_contains("could not load").is_none());
}

/// A load warning shows the place in the file it is about, its value underlined, and its line and column.
#[test]
fn a_load_warning_shows_the_value_it_is_about() {
    let text = r#"{"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [{"RoleName": 5, "RoleId": "AROA1", "Arn": "arn:aws:iam::111122223333:role/r"}]}"#;
    let mut model = iam_atlas::account::Model::default();
    let mut ctx = iam_atlas::account::export::LoadCtx::default();
    iam_atlas::account::export::load_export(
        &mut model,
        &mut ctx,
        "broken.json",
        std::sync::Arc::new(text.to_string()),
        None,
    )
    .expect("loads");
    let mut h = harness(AtlasApp::with_model(model, "broken.json"));
    h.run();
    h.get_by_label_contains("load warning").click();
    h.run();
    assert!(h.state().show_warnings);
    h.get_by_label_contains("`RoleName` must be a string");
    // The excerpt of the line under each of the two warnings (the value of the wrong type, the role skipped).
    assert_eq!(
        h.get_all_by_label_contains(r#"{"RoleName": 5, "RoleId""#)
            .count(),
        2
    );
}

/// "Compare with snapshot…" in the Changes view works where no desktop dialog runs: the built-in picker opens
/// for the *after* snapshot, and choosing a file computes the diff.
#[test]
fn compare_with_a_snapshot_uses_the_built_in_picker() {
    // After: the sample with the contractor's inline policies removed.
    let dir = TempDir::new("compare");
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample");
    copy_dir(&sample, &dir.path().join("sample"));
    let export = dir.path().join("sample/prod/authorization-details.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&export).expect("read")).expect("json");
    for r in v["RoleDetailList"].as_array_mut().expect("roles") {
        if r["RoleName"] == "contractor-temp" {
            r["RolePolicyList"] = serde_json::json!([]);
        }
    }
    std::fs::write(&export, v.to_string()).expect("write");
    let after = dir.path().join("sample/workspace.json");
    let model = iam_atlas::sample::load_sample(LoadOptions::default()).expect("sample");
    let mut app = AtlasApp::with_model(model, "bundled sample");
    app.view = View::Changes;
    let mut h = harness(app);
    h.run();
    h.get_by_label("Compare with snapshot…").click();
    h.run();
    h.get_by_label_contains("Compare with a snapshot (after)");
    type_path(&mut h, &after.display().to_string());
    h.key_press(Key::Enter);
    for _ in 0..1000 {
        h.step();
        if h.state().changes.diff.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(h.state().picker.is_none(), "the picker closes");
    let (_, title, d) = h.state().changes.diff.clone().unwrap_or_else(|| {
        panic!(
            "no diff: {:?} (busy: {})",
            h.state().changes.message,
            h.state().changes.busy()
        )
    });
    assert!(title.contains("workspace.json"), "{title}");
    assert_eq!(
        (d.counts.lost, d.counts.gained),
        (4, 0),
        "the contractor's access"
    );
    h.run();
    // The access table names principals shortly, with their account.
    h.get_by_label_contains("Lost (");
    assert!(h.query_all_by_label("larkspur-prod").count() > 0);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

/// Single frames until `done` holds (at most 30 s).
fn step_until(h: &mut Harness<'static, AtlasApp>, done: impl Fn(&AtlasApp) -> bool) {
    let start = std::time::Instant::now();
    while !done(h.state()) {
        assert!(start.elapsed().as_secs() < 30, "waited too long");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// While the desktop's dialog is open the app goes on drawing frames and answering clicks (the dialog is
/// awaited on a background task); its answer opens the file in a later frame.
#[test]
fn a_desktop_dialog_never_blocks_a_frame() {
    use iam_atlas::app::file_picker::{FilePurpose, NativeAnswer};
    use std::sync::{Arc, Mutex, mpsc};
    use std::time::Duration;
    let file = fixture("aws-cli-docs-example.json");
    let (asked_tx, asked) = mpsc::channel::<FilePurpose>();
    let (answer, answer_rx) = mpsc::channel::<NativeAnswer>();
    let (asked_tx, answer_rx) = (Mutex::new(asked_tx), Mutex::new(answer_rx));
    let mut app = AtlasApp::new(Default::default());
    // A dialog that stays open until the test answers (a person reading the folder).
    app.dialog_stub = Some(Arc::new(move |purpose| {
        if let Ok(tx) = asked_tx.lock() {
            tx.send(purpose).ok();
        }
        answer_rx
            .lock()
            .ok()
            .and_then(|rx| rx.recv_timeout(Duration::from_secs(30)).ok())
            .unwrap_or(NativeAnswer::Cancelled)
    }));
    let mut h = harness(app);
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Open…").click();
    h.step();
    assert_eq!(
        asked.recv_timeout(Duration::from_secs(10)),
        Ok(FilePurpose::OpenSnapshot)
    );
    // The dialog is open and frames go on: the status line says so, and a click is answered.
    for _ in 0..5 {
        h.step();
    }
    assert!(h.state().is_dialog_open());
    assert!(h.state().picker.is_none(), "no built-in picker beside it");
    h.get_by_label("a file dialog is open…");
    assert!(!h.state().settings.light);
    h.get_by_label("Light theme").click();
    h.step();
    h.step();
    assert!(
        h.state().settings.light,
        "the UI answers while the dialog is open"
    );
    // A second Open… while it is open asks nothing more.
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Open…").click();
    h.run();
    assert!(asked.try_recv().is_err());
    assert!(h.state().picker.is_none());
    // The person picks the file: it loads.
    answer
        .send(NativeAnswer::Chosen(vec![file.clone()]))
        .expect("the dialog waits");
    step_until(&mut h, |a| !a.is_dialog_open());
    wait_for_load(&mut h);
    assert!(h.state().model.is_some(), "{:?}", h.state().load_error);
    assert!(h.state().loaded_from.contains("aws-cli-docs-example.json"));
}

/// Where no desktop dialog shows (no portal, no zenity), the built-in picker opens instead, and from then on.
#[test]
fn where_no_desktop_dialog_shows_the_built_in_picker_opens() {
    use iam_atlas::app::file_picker::NativeAnswer;
    let mut app = AtlasApp::new(Default::default());
    app.dialog_stub = Some(std::sync::Arc::new(|_| NativeAnswer::Unavailable));
    let mut h = harness(app);
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Open…").click();
    step_until(&mut h, |a| a.picker.is_some());
    h.run();
    h.get_by_label_contains("Open a snapshot");
    assert!(!h.state().native_dialogs);
    assert!(h.state().dialog_stub.is_none());
}
