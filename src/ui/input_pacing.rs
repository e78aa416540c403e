//! Every key reaches the control that had focus when it was pressed.
//!
//! egui handles a frame's input all at once: if a fast typist's "9", Tab, "Q" arrive
//! in one frame (a slow practice PC drawing in software over remote desktop gets
//! several keys per frame at ordinary typing speed), the text box being left sees the
//! "Q" before the Tab has moved focus, and wrong data is saved. This plugin sees the
//! raw input before egui does and gives each frame at most one *step*: either a run
//! of plain typing, or one key that may move focus or act (Tab, Enter, Esc, Space,
//! arrows, function keys, anything with Alt or Ctrl, a mouse press or release) with the text it
//! produced. The rest waits, in order, for the next frame, which is asked for at once.
//! Nothing is dropped and nothing is reordered.

use std::collections::VecDeque;

use egui::{Event, Key, Modifiers, RawInput};

/// The egui plugin that paces input; installed once per context by [`install`].
#[derive(Debug, Default)]
pub struct InputPacing {
    /// Events that arrived but belong to a later step, oldest first.
    waiting: VecDeque<Event>,
}

/// Installs the pacing on `ctx` (once; later calls do nothing).
pub fn install(ctx: &egui::Context) {
    if ctx.with_plugin(|_: &mut InputPacing| ()).is_none() {
        ctx.add_plugin(InputPacing::default());
    }
}

impl egui::Plugin for InputPacing {
    fn debug_name(&self) -> &'static str {
        "cutover_log::InputPacing"
    }

    fn input_hook(&mut self, ctx: &egui::Context, input: &mut RawInput) {
        self.waiting.extend(input.events.drain(..));
        // Outside a text box a plain letter is a command (the worklist's R, N, P,
        // O): each then gets a frame of its own, like Tab.
        input.events = next_step(&mut self.waiting, text_box_has_focus(ctx));
        // (The held modifiers travel in the stream too, as ModifiersChanged events,
        // so a key handled a frame late is seen with the modifiers it was pressed with.)
    }

    fn on_begin_pass(&mut self, ui: &mut egui::Ui) {
        if !self.waiting.is_empty() {
            ui.ctx().request_repaint();
        }
    }
}

/// Whether a text box has the keyboard (egui "wants the keyboard" for any
/// focused control; a text box is the one with a text box's state).
pub fn text_box_has_focus(ctx: &egui::Context) -> bool {
    ctx.memory(egui::Memory::focused)
        .is_some_and(|id| egui::text_edit::TextEditState::load(ctx, id).is_some())
}

/// Takes the next step's events off the front of `waiting`. `typing`: a text box
/// has focus, so plain letters are text, not commands.
pub fn next_step(waiting: &mut VecDeque<Event>, typing: bool) -> Vec<Event> {
    let mut step = Vec::new();
    let acts = |e: &Event| acts(e, typing);
    match waiting.front() {
        None => return step,
        Some(first) if acts(first) => {
            if let Some(e) = waiting.pop_front() {
                // The key's own text (Space's " ", a letter typed with Alt) goes with it.
                let own = own_text(&e);
                step.push(e);
                while let Some(Event::Text(t)) = waiting.front() {
                    if own.as_deref().is_some_and(|o| t.eq_ignore_ascii_case(o)) {
                        step.extend(waiting.pop_front());
                    } else {
                        break;
                    }
                }
            }
        }
        Some(_) => {
            while let Some(e) = waiting.front() {
                if acts(e) {
                    break;
                }
                step.extend(waiting.pop_front());
            }
        }
    }
    step
}

/// True for an event that may move focus or do something, so that what follows it
/// must wait until the frame that handled it has finished.
fn acts(event: &Event, typing: bool) -> bool {
    match event {
        Event::Key {
            key,
            pressed: true,
            modifiers,
            ..
        } => key_acts(*key, *modifiers) || !typing,
        // A press can move focus (egui focuses a text box on press), a release clicks:
        // keys typed before either must first reach the control they were typed in.
        Event::PointerButton { .. } => true,
        // A screen reader (or test) asking to focus or press a control, likewise.
        Event::AccessKitActionRequest(_) => true,
        Event::Copy | Event::Cut | Event::Paste(_) => true,
        _ => false,
    }
}

fn key_acts(key: Key, modifiers: Modifiers) -> bool {
    if modifiers.alt || modifiers.ctrl || modifiers.command || modifiers.mac_cmd {
        return true;
    }
    matches!(
        key,
        Key::Tab
            | Key::Enter
            | Key::Escape
            | Key::Space
            | Key::ArrowUp
            | Key::ArrowDown
            | Key::ArrowLeft
            | Key::ArrowRight
            | Key::PageUp
            | Key::PageDown
            | Key::Home
            | Key::End
            | Key::Delete
            | Key::F1
            | Key::F2
            | Key::F3
            | Key::F4
            | Key::F5
            | Key::F6
            | Key::F7
            | Key::F8
            | Key::F9
            | Key::F10
            | Key::F11
            | Key::F12
    )
}

/// The text a key press produces itself, if any (Space, or a letter or digit).
fn own_text(event: &Event) -> Option<String> {
    match event {
        Event::Key {
            key: Key::Space, ..
        } => Some(" ".into()),
        Event::Key { key, .. } => {
            let name = key.symbol_or_name();
            (name.chars().count() == 1).then(|| name.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: Key, modifiers: Modifiers) -> Event {
        Event::Key {
            key,
            physical_key: None,
            pressed: true,
            repeat: false,
            modifiers,
        }
    }

    fn text(t: &str) -> Event {
        Event::Text(t.into())
    }

    fn steps(events: Vec<Event>) -> Vec<Vec<Event>> {
        let mut waiting: VecDeque<Event> = events.into();
        let mut out = Vec::new();
        loop {
            let step = next_step(&mut waiting, true);
            if step.is_empty() {
                break;
            }
            out.push(step);
        }
        out
    }

    #[test]
    fn typing_runs_together_and_each_acting_key_is_a_step_of_its_own() {
        let tab = key(Key::Tab, Modifiers::NONE);
        let enter = key(Key::Enter, Modifiers::NONE);
        let got = steps(vec![
            text("99"),
            text("9"),
            tab.clone(),
            text("Quick"),
            tab.clone(),
            tab.clone(),
            enter.clone(),
            text("1"),
        ]);
        assert_eq!(
            got,
            vec![
                vec![text("99"), text("9")],
                vec![tab.clone()],
                vec![text("Quick")],
                vec![tab.clone()],
                vec![tab],
                vec![enter],
                vec![text("1")],
            ]
        );
    }

    #[test]
    fn a_key_keeps_its_own_text_but_not_the_next_keys() {
        let space = key(Key::Space, Modifiers::NONE);
        let alt_p = key(Key::P, Modifiers::ALT);
        let got = steps(vec![
            space.clone(),
            text(" "),
            text("x"),
            alt_p.clone(),
            text("p"),
            text("q"),
        ]);
        assert_eq!(
            got,
            vec![
                vec![space, text(" ")],
                vec![text("x")],
                vec![alt_p, text("p")],
                vec![text("q")],
            ]
        );
    }

    #[test]
    fn outside_a_text_box_each_letter_is_a_step_of_its_own() {
        let n = key(Key::N, Modifiers::NONE);
        let r = key(Key::R, Modifiers::NONE);
        let mut waiting: VecDeque<Event> = vec![n.clone(), text("n"), r.clone(), text("r")].into();
        assert_eq!(next_step(&mut waiting, false), vec![n, text("n")]);
        assert_eq!(next_step(&mut waiting, false), vec![r, text("r")]);
    }

    #[test]
    fn a_click_ends_a_step_and_nothing_is_lost_or_reordered() {
        let button = |pressed| Event::PointerButton {
            pos: egui::pos2(1.0, 1.0),
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        };
        let events = vec![text("a"), button(true), text("b"), button(false), text("c")];
        let got = steps(events.clone());
        assert_eq!(got.concat(), events);
        assert_eq!(
            got.len(),
            5,
            "the press and the release each a step: {got:?}"
        );
    }
}
