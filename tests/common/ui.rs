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
    // A choice may start a check on a thread that repaints until it ends (a
    // busy machine: longer than the harness's step limit): the caller waits
    // for what it needs.
    let _ = h.try_run();
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

/// The app on `store` in a light-theme harness `size` points big, at the time
/// `clock` says (as the window runs it, with the input pacing).
pub fn app_on(
    store: cutover_log::store::SqliteStore,
    size: egui::Vec2,
    clock: fn() -> chrono::NaiveDateTime,
) -> Harness<'static, CutoverApp> {
    Harness::builder()
        .with_size(size)
        .with_max_steps(64)
        .with_theme(egui::Theme::Light)
        .build_ui_state(
            |ui, app: &mut CutoverApp| app.ui(ui),
            CutoverApp::new(Box::new(store), clock),
        )
}

/// Whether any node's label contains `text` (a message, a list row, a heading).
pub fn shows(h: &Harness<'_, CutoverApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

/// Clicks the button labelled `label` and lets the app settle.
pub fn click(h: &mut Harness<'_, CutoverApp>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).click();
    h.run();
}

/// Types `text` and presses Enter in one frame, into whatever has the
/// keyboard (a fast typist on a slow PC: both arrive before the next frame).
pub fn type_then_enter(h: &mut Harness<'_, CutoverApp>, text: &str) {
    h.input_mut().events.extend([
        egui::Event::Text(text.into()),
        egui::Event::Key {
            key: egui::Key::Enter,
            physical_key: None,
            pressed: true,
            repeat: false,
            modifiers: egui::Modifiers::NONE,
        },
    ]);
    h.run();
}

/// The practice screens the desk is tested at: 1366×768 and 1280×720 (width,
/// height), each with text at 100 % and 125 % (the zoom).
pub const PRACTICE_SCREENS: [(f32, f32, f32); 4] = [
    (1366.0, 768.0, 1.0),
    (1366.0, 768.0, 1.25),
    (1280.0, 720.0, 1.0),
    (1280.0, 720.0, 1.25),
];
