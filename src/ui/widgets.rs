//! Small labelled widgets shared by the forms: every control is named for
//! AccessKit by its visible label, and errors sit directly under their field.

use egui::{Response, TextEdit, Ui};

use crate::domain::FieldError;

/// Draws `add` in a scope whose controls' ids depend only on `salt` and the scope's
/// own contents, not on how many widgets came before it. (egui's `push_id` still
/// mixes in the parent's count, so a message appearing above would give every
/// control below a new id, and the focused one would lose focus.)
pub fn stable_scope<R>(ui: &mut Ui, salt: &str, add: impl FnOnce(&mut Ui) -> R) -> R {
    let id = ui.make_persistent_id(salt);
    ui.scope_builder(egui::UiBuilder::new().scope_id(id), add)
        .inner
}

/// Adds a text box with a stable id (from `salt`), giving it focus first when
/// `focus` is set: before it handles this frame's keys, so the first letters
/// typed after the box opens reach it (asking after drawing would lose them).
pub fn text_edit_focused_first(
    ui: &mut Ui,
    edit: TextEdit<'_>,
    salt: &str,
    focus: &mut bool,
) -> Response {
    let id = ui.make_persistent_id(salt);
    let wanted = std::mem::take(focus);
    if wanted {
        ui.memory_mut(|m| m.request_focus(id));
    }
    let response = ui.add(edit.id(id));
    // A dialog's first frame is not yet interactive, and egui lets go of the box
    // again: ask once more, so it has focus from the next frame on.
    if wanted && !response.has_focus() {
        response.request_focus();
    }
    response
}

/// Whether `key` was pressed this frame on its own, without Shift, Ctrl or Alt
/// (read from the key's own event: Shift+Enter is a new line, never a save).
pub fn pressed(input: &egui::InputState, key: egui::Key) -> bool {
    input.events.iter().any(|e| {
        matches!(e, egui::Event::Key { key: k, pressed: true, modifiers, .. }
            if *k == key && !modifiers.shift && !modifiers.ctrl && !modifiers.alt && !modifiers.command)
    })
}

/// The first error for `field`, if any.
pub fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

/// An error line in the error colour, under a field.
pub fn error_label(ui: &mut Ui, message: &str) {
    ui.label(egui::RichText::new(message).color(super::theme::error_color(ui)));
}

/// A hint or confirmation line under a field.
pub fn note_label(ui: &mut Ui, message: &str, ok: bool) {
    let color = if ok {
        super::theme::ok_color(ui)
    } else {
        ui.visuals().weak_text_color()
    };
    ui.label(egui::RichText::new(message).color(color));
}

/// One form row in a two-column grid: the label, then the field and its error.
pub fn row<R>(
    ui: &mut Ui,
    label: &str,
    error: Option<&str>,
    add: impl FnOnce(&mut Ui, egui::Id) -> R,
) -> R {
    let l = ui.label(label);
    // Each row is its own id scope, so a message appearing above (an error, a
    // warning) never changes the ids of the controls below it, and focus stays put.
    let out = stable_scope(ui, label, |ui| {
        ui.vertical(|ui| {
            let r = add(ui, l.id);
            if let Some(e) = error {
                error_label(ui, e);
            }
            r
        })
        .inner
    });
    ui.end_row();
    out
}

/// A text box labelled by `label_id`. Multi-line boxes take Shift+Enter for a new
/// line, so plain Enter still saves the form.
pub fn text_box(
    ui: &mut Ui,
    value: &mut String,
    salt: &str,
    hint: &str,
    multiline: bool,
    label_id: egui::Id,
) -> Response {
    let id = ui.make_persistent_id(salt);
    text_box_with_id(ui, value, id, hint, multiline, label_id)
}

/// [`text_box`] with the widget's own id, for a form that gives focus to a field
/// before drawing it (so the keys of that frame already reach it).
pub fn text_box_with_id(
    ui: &mut Ui,
    value: &mut String,
    id: egui::Id,
    hint: &str,
    multiline: bool,
    label_id: egui::Id,
) -> Response {
    let edit = if multiline {
        TextEdit::multiline(value)
            .desired_rows(2)
            .return_key(egui::KeyboardShortcut::new(
                egui::Modifiers::SHIFT,
                egui::Key::Enter,
            ))
    } else {
        TextEdit::singleline(value)
    };
    let response = ui
        .add(edit.id(id).hint_text(hint).desired_width(340.0))
        .labelled_by(label_id);
    super::focus_cycle::note(ui, &response);
    response
}

/// A row of buttons, one per option, the chosen one highlighted: one Tab stop
/// (the chosen option, or the first), and the arrow keys move the choice
/// within it, as a desktop radio group does. Space on the button with the
/// keyboard picks what is already chosen, so typing on the row never changes
/// the choice.
pub fn choice_buttons<T: PartialEq + Clone>(
    ui: &mut Ui,
    value: &mut T,
    options: &[(T, String)],
) -> bool {
    choice_buttons_at(ui, value, options).0
}

/// [`choice_buttons`], also giving the id of the chosen button (or the first):
/// where focus goes to point at this choice.
pub fn choice_buttons_at<T: PartialEq + Clone>(
    ui: &mut Ui,
    value: &mut T,
    options: &[(T, String)],
) -> (bool, Option<egui::Id>) {
    let mut changed = false;
    let mut at = None;
    let stop = options.iter().position(|(v, _)| *v == *value).unwrap_or(0);
    let mut buttons = Vec::with_capacity(options.len());
    ui.horizontal_wrapped(|ui| {
        for (n, (v, label)) in options.iter().enumerate() {
            let selected = *value == *v;
            let response = ui.add(egui::Button::new(label.as_str()).selected(selected));
            if n == stop {
                // The row's one Tab stop.
                super::focus_cycle::note(ui, &response);
                at = Some(response.id);
            }
            if response.clicked() && !selected {
                *value = v.clone();
                changed = true;
            }
            buttons.push(response);
        }
    });
    // The arrows move the choice along the row, the keyboard with it.
    if let Some(here) = buttons.iter().position(Response::has_focus) {
        let step = ui.input_mut(|i| {
            let mut step = 0i64;
            for (key, by) in [
                (egui::Key::ArrowRight, 1),
                (egui::Key::ArrowDown, 1),
                (egui::Key::ArrowLeft, -1),
                (egui::Key::ArrowUp, -1),
            ] {
                if i.consume_key(egui::Modifiers::NONE, key) {
                    step = by;
                }
            }
            step
        });
        let last = buttons.len().saturating_sub(1) as i64;
        let next = (here as i64 + step).clamp(0, last) as usize;
        if step != 0
            && next != here
            && let (Some((v, _)), Some(button)) = (options.get(next), buttons.get(next))
        {
            *value = v.clone();
            changed = true;
            button.request_focus();
        }
    }
    (changed, at)
}
