//! Input pacing: no typed character is lost around a focus change.
//!
//! egui 0.37 hands a frame's keyboard events to the text field that has the focus *when the field is laid
//! out*, and moves the focus at other points of the frame:
//! - a click into a field gives it the focus after the field has handled its events (in `TextEdit::show`,
//!   `request_focus` follows `handle_events`), so characters typed in the same frame as the click go nowhere;
//! - Escape and Tab move the focus in `Memory::begin_pass`, before any widget runs, so characters typed just
//!   before them in the same frame go nowhere either;
//! - a click on a field drawn earlier in the frame takes the focus before the focused field reads its events;
//! - a shortcut (Ctrl+K) opens a window whose field exists only from the next frame.
//!
//! A busy frame (an evaluation, a large table) gathers many events, so a person typing quickly loses
//! characters (teaching case 19 turned into a wrong answer that way). The pacer splits the events so that no
//! frame holds both a focus change and keyboard input: the rest waits for the next frame, which is asked for
//! at once. Order is kept; nothing is dropped.

use eframe::egui;

/// Events held back for the next frame.
#[derive(Default)]
pub struct InputPacer {
    held: Vec<egui::Event>,
}

/// Whether an event types into the focused widget.
fn is_keyboard(e: &egui::Event) -> bool {
    matches!(
        e,
        egui::Event::Text(_)
            | egui::Event::Key { .. }
            | egui::Event::Paste(_)
            | egui::Event::Copy
            | egui::Event::Cut
            | egui::Event::Ime(_)
    )
}

/// Whether an event can move the keyboard focus.
fn moves_focus(e: &egui::Event) -> bool {
    match e {
        egui::Event::PointerButton { .. } | egui::Event::AccessKitActionRequest(_) => true,
        egui::Event::Key {
            key: egui::Key::Escape | egui::Key::Tab,
            pressed: true,
            ..
        } => true,
        // A shortcut may open a window whose field takes the focus (Ctrl+K, the palette).
        egui::Event::Key {
            pressed: true,
            modifiers,
            ..
        } => modifiers.command || modifiers.ctrl || modifiers.alt,
        _ => false,
    }
}

/// The index where the events stop being safe in one frame: keyboard input after a focus change, or a focus
/// change after keyboard input.
fn cut(events: &[egui::Event]) -> usize {
    let mut keyboard = false;
    let mut focus = false;
    for (i, e) in events.iter().enumerate() {
        if moves_focus(e) {
            if keyboard {
                return i;
            }
            focus = true;
        } else if is_keyboard(e) {
            if focus {
                return i;
            }
            keyboard = true;
        }
    }
    events.len()
}

impl InputPacer {
    /// Keep in `raw` what one frame can take safely; hold the rest (after anything held before). Returns true
    /// when events wait, so the caller asks for another frame.
    pub fn pace(&mut self, raw: &mut egui::RawInput) -> bool {
        let mut events = std::mem::take(&mut self.held);
        events.append(&mut raw.events);
        let at = cut(&events);
        self.held = events.split_off(at);
        raw.events = events;
        !self.held.is_empty()
    }

    /// True when events wait for the next frame.
    pub fn is_holding(&self) -> bool {
        !self.held.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> egui::Event {
        egui::Event::Text(s.into())
    }

    fn button(pressed: bool) -> egui::Event {
        egui::Event::PointerButton {
            pos: egui::pos2(1.0, 1.0),
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        }
    }

    fn key(key: egui::Key) -> egui::Event {
        egui::Event::Key {
            key,
            physical_key: None,
            pressed: true,
            repeat: false,
            modifiers: egui::Modifiers::NONE,
        }
    }

    fn frames(batches: Vec<Vec<egui::Event>>) -> Vec<Vec<egui::Event>> {
        let mut p = InputPacer::default();
        let mut out = Vec::new();
        for b in batches {
            let mut raw = egui::RawInput {
                events: b,
                ..Default::default()
            };
            p.pace(&mut raw);
            out.push(raw.events);
        }
        while p.is_holding() {
            let mut raw = egui::RawInput::default();
            p.pace(&mut raw);
            out.push(raw.events);
        }
        out
    }

    #[test]
    fn a_click_then_typing_is_two_frames() {
        let f = frames(vec![vec![button(true), button(false), text("ab")]]);
        assert_eq!(f, vec![vec![button(true), button(false)], vec![text("ab")]]);
    }

    #[test]
    fn typing_then_escape_or_a_click_is_two_frames() {
        let f = frames(vec![vec![text("xy"), key(egui::Key::Escape)]]);
        assert_eq!(f, vec![vec![text("xy")], vec![key(egui::Key::Escape)]]);
        let f = frames(vec![vec![
            text("xy"),
            button(true),
            button(false),
            text("z"),
        ]]);
        assert_eq!(
            f,
            vec![
                vec![text("xy")],
                vec![button(true), button(false)],
                vec![text("z")]
            ]
        );
    }

    #[test]
    fn plain_typing_is_not_split_and_order_is_kept() {
        let f = frames(vec![
            vec![text("a"), key(egui::Key::Backspace), text("b")],
            vec![text("c")],
        ]);
        assert_eq!(
            f,
            vec![
                vec![text("a"), key(egui::Key::Backspace), text("b")],
                vec![text("c")]
            ]
        );
        // Held events come before the next batch's.
        let f = frames(vec![vec![button(false), text("a")], vec![text("b")]]);
        assert_eq!(f, vec![vec![button(false)], vec![text("a"), text("b")]]);
    }
}
