//! What the GUI benchmarks share: a frame's input at the smallest screen the app is tried at.

/// A 1280×800 frame with no events.
pub fn input() -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        ..Default::default()
    }
}
