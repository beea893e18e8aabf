//! What the Debian package and `cargo install` ship: shell completions and manual pages generated from the clap
//! definitions, `--version` with the catalog it carries, the `.desktop` entry, the icon and the About dialog.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iam-atlas"))
}

fn run(args: &[&str]) -> String {
    let out = bin().args(args).output().expect("run");
    assert!(
        out.status.success(),
        "iam-atlas {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The visible subcommands, from the clap definitions themselves.
fn subcommands() -> Vec<String> {
    let cli = <iam_atlas::cli::Cli as clap::CommandFactory>::command();
    let names: Vec<String> = cli
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect();
    for expected in [
        "validate",
        "eval",
        "who-can",
        "summary",
        "completions",
        "man",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    names
}

/// What the manual page writes for a name: roff escapes each `-`.
fn roff(name: &str) -> String {
    name.replace('-', "\\-")
}

#[test]
fn completions_generate_for_each_shell_and_name_every_subcommand() {
    let subs = subcommands();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = run(&["completions", shell]);
        assert!(script.contains("iam-atlas"), "{shell}");
        for s in &subs {
            assert!(
                script.contains(s.as_str()),
                "{shell} completion lacks `{s}`"
            );
        }
    }
    // Options of a subcommand complete too.
    assert!(run(&["completions", "bash"]).contains("--principal"));
    let out = bin().args(["completions", "tcsh"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_closed_pipe_ends_completions_and_man_quietly() {
    use std::process::Stdio;
    for args in [["completions", "bash"], ["man", "eval"]] {
        let mut child = bin()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run");
        // The reader goes away before reading anything (`iam-atlas completions bash | head -0`).
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}

#[test]
fn man_pages_generate_for_the_program_and_each_subcommand() {
    let subs = subcommands();
    let main = run(&["man"]);
    assert!(main.contains(".TH iam-atlas 1"), "{main}");
    assert!(main.contains(".SH SUBCOMMANDS"), "{main}");
    assert!(main.contains(".SH \"SEE ALSO\""), "{main}");
    let date = iam_atlas::catalog::catalog().date;
    assert!(main.contains(&roff(date)), "the catalog date in {main}");
    for s in &subs {
        assert!(
            main.contains(&roff(&format!("iam-atlas-{s}"))),
            "`{s}` in the main page"
        );
    }
    let listed: Vec<String> = run(&["man", "--list"]).lines().map(String::from).collect();
    assert_eq!(listed, subs);
    let eval = run(&["man", "eval"]);
    assert!(eval.contains(".TH iam-atlas-eval 1"), "{eval}");
    assert!(
        eval.contains(&roff("iam-atlas eval")),
        "the synopsis: {eval}"
    );
    assert!(eval.contains(&roff("--principal")), "{eval}");
    let out = bin().args(["man", "no-such"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no manual page for `no-such`"), "{err}");
}

#[test]
fn version_names_the_commit_and_the_catalog() {
    let catalog = iam_atlas::catalog::catalog();
    let v = run(&["--version"]);
    let first = v.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("iam-atlas {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    assert!(
        v.contains(&format!("AWS catalog of {}", catalog.date)),
        "{v}"
    );
    assert!(v.contains(catalog.version), "{v}");
    // What build.rs read from the catalog's header is what the catalog parser reads.
    assert!(iam_atlas::cli::VERSION.contains(catalog.date));
    assert!(iam_atlas::cli::VERSION.contains(catalog.version));
}

#[test]
fn the_desktop_entry_matches_the_binary_the_icon_and_the_window() {
    let root = env!("CARGO_MANIFEST_DIR");
    let entry = std::fs::read_to_string(format!("{root}/assets/packaging/iam-atlas.desktop"))
        .expect("the .desktop entry");
    let field = |key: &str| {
        entry
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(field("Exec"), "iam-atlas open %F");
    assert_eq!(field("Categories"), "Development;Security;");
    assert!(field("MimeType").contains("application/json;"));
    assert!(field("MimeType").contains("application/x-iam-atlas-workspace+json;"));
    let icon = field("Icon");
    assert_eq!(icon, "iam-atlas");
    for size in [16, 22, 24, 32, 48, 64, 128, 256, 512] {
        let png = format!("{root}/assets/icons/hicolor/{size}x{size}/apps/{icon}.png");
        let bytes = std::fs::read(&png).expect("an icon of each size");
        // The PNG header's width and height.
        assert_eq!(
            bytes.get(16..20),
            Some(&(size as u32).to_be_bytes()[..]),
            "{png}"
        );
        assert_eq!(
            bytes.get(20..24),
            Some(&(size as u32).to_be_bytes()[..]),
            "{png}"
        );
    }
    #[cfg(feature = "gui")]
    {
        // The window's app id is the entry's name and window class, so launchers match them.
        assert_eq!(field("StartupWMClass"), iam_atlas::app::about::APP_ID);
        let icon = iam_atlas::app::about::icon().expect("the window icon decodes");
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
    }
    // `open` without files is what the launcher runs: it must parse (and opens the bundled sample).
    let cli = <iam_atlas::cli::Cli as clap::Parser>::try_parse_from(["iam-atlas", "open"]);
    assert!(cli.is_ok(), "{cli:?}");
}

#[test]
fn the_package_copyright_file_carries_every_licence_text() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |p: &str| std::fs::read_to_string(format!("{root}/{p}")).expect(p);
    let copyright = read("assets/packaging/copyright");
    assert!(
        copyright.starts_with(
            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
        )
    );
    // Debian's copyright format indents a licence text and marks its blank lines with ` .`; the texts are
    // compared word by word (their line breaks differ), without their title and copyright lines.
    let words = |text: &str| {
        text.split_whitespace()
            .filter(|w| *w != ".")
            .collect::<Vec<_>>()
            .join(" ")
    };
    let all = words(&copyright);
    for file in [
        "LICENSE-MIT",
        "assets/catalog/LICENSE-iam-data",
        "assets/LICENSE-cloudsplaining.txt",
    ] {
        let text = read(file);
        let body: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("Copyright") && !l.starts_with("MIT License"))
            .collect();
        let body = words(&body.join("\n"));
        assert!(
            all.contains(&body),
            "the text of {file} is not in the copyright file"
        );
    }
    assert!(copyright.contains("/usr/share/common-licenses/Apache-2.0"));
}

#[cfg(feature = "gui")]
#[test]
fn help_about_shows_version_commit_catalog_and_licences() {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use iam_atlas::app::AtlasApp;

    let model = iam_atlas::sample::load_sample(iam_atlas::account::LoadOptions::default())
        .expect("sample loads");
    let mut h = Harness::builder()
        // Background work (the review after a load, reverse queries) asks for a repaint when it finishes, which
        // may land while a step runs: room for those frames, so a busy machine does not fail the test.
        .with_max_steps(32)
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, app: &mut AtlasApp| app.show(ui),
            AtlasApp::with_model(model, "bundled sample"),
        );
    h.run();
    h.get_by_label("Help").click();
    h.run();
    h.get_by_label("About IAM Atlas").click();
    h.run();
    assert!(h.state().show_about);
    let catalog = iam_atlas::catalog::catalog();
    h.get_by_label(env!("CARGO_PKG_VERSION"));
    h.get_by_label(iam_atlas::cli::COMMIT);
    h.get_by_label_contains(catalog.date);
    h.get_by_label_contains(catalog.version);
    h.get_by_label("MIT OR Apache-2.0");
    h.get_by_label_contains("The AWS action catalog");
    h.get_by_label_contains("BSD 3-Clause");
}
