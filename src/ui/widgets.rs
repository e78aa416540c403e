//! Small labelled widgets shared by the forms: every control is named for
//! AccessKit by its visible label, and errors sit directly under their field.

use egui::{Response, TextEdit, Ui};

use crate::domain::FieldError;

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
    let out = ui
        .vertical(|ui| {
            let r = add(ui, l.id);
            if let Some(e) = error {
                error_label(ui, e);
            }
            r
        })
        .inner;
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
    let edit = if multiline {
        TextEdit::multiline(value)
            .desired_rows(3)
            .return_key(egui::KeyboardShortcut::new(
                egui::Modifiers::SHIFT,
                egui::Key::Enter,
            ))
    } else {
        TextEdit::singleline(value)
    };
    ui.add(edit.id_salt(salt).hint_text(hint).desired_width(340.0))
        .labelled_by(label_id)
}

/// A row of buttons, one per option, the chosen one highlighted. Tab reaches
/// each; Space or Enter picks it.
pub fn choice_buttons<T: PartialEq + Clone>(
    ui: &mut Ui,
    value: &mut T,
    options: &[(T, String)],
) -> bool {
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        for (v, label) in options {
            let selected = *value == *v;
            if ui
                .add(egui::Button::new(label.as_str()).selected(selected))
                .clicked()
                && !selected
            {
                *value = v.clone();
                changed = true;
            }
        }
    });
    changed
}
