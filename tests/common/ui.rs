//! Helpers for driving the app with egui_kittest.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use cutover_log::ui::CutoverApp;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use super::TEST_PASSWORD;

/// Opens a combo box by its label and picks the option whose text is `option`
/// (the popup's option, not a table cell with the same text).
pub fn pick(h: &mut Harness<'_, CutoverApp>, combo: &str, option: &str) {
    h.get_by_role_and_label(Role::ComboBox, combo).click();
    h.run();
    h.get_all_by_label(option)
        .rfind(|n| n.accesskit_node().role() != Role::Label)
        .unwrap_or_else(|| panic!("no option {option:?} in {combo:?}"))
        .click();
    h.run();
}

/// Focuses the text box labelled `label` and types `text`.
pub fn type_into(h: &mut Harness<'_, CutoverApp>, label: &str, text: &str) {
    let find = |h: &Harness<'_, CutoverApp>| {
        h.query_by_role_and_label(Role::TextInput, label)
            .or_else(|| h.query_by_role_and_label(Role::MultilineTextInput, label))
            .or_else(|| h.query_by_role_and_label(Role::PasswordInput, label))
            .map(|n| n.accesskit_node().id())
    };
    let id = find(h).unwrap_or_else(|| panic!("no text box labelled {label:?}"));
    h.get_by(|n| n.id() == id).focus();
    h.run();
    h.get_by(|n| n.id() == id).type_text(text);
    h.run();
}

/// Signs in at the sign-in screen as the staff member shown as `option`
/// (e.g. "Test Receptionist (Reception / admin)") with the fixture password.
pub fn sign_in(h: &mut Harness<'_, CutoverApp>, option: &str) {
    pick(h, "Name", option);
    type_into(h, "Password", TEST_PASSWORD);
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(
        h.state().status.text.starts_with("Signed in as"),
        "sign-in failed: {}",
        h.state().status.text
    );
}
