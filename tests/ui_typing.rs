//! The desk at real speed: a fast typist on a slow practice PC gets several key
//! presses into one frame. Every key must reach the control that had focus when it
//! was pressed, in order, whatever the frame rate. Each test drives the real app
//! (egui_kittest, 1366×768) with the raw events a keyboard sends — key down, the
//! text, key up — packed several to a frame, then reads back what was stored.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::NaiveDateTime;
use common::*;
use cutover_log::domain::kind::FieldInput;
use cutover_log::domain::{ItemKind, Staff, WorklistFilter};
use cutover_log::store::SqliteStore;
use cutover_log::ui::CutoverApp;
use egui::accesskit::Role;
use egui::{Event, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

fn now() -> NaiveDateTime {
    t("2026-11-20T10:00")
}

/// Reception signed in at a 1366×768 desk (the folder holds the log; keep it).
fn reception_at_the_desk() -> (tempfile::TempDir, Staff, Harness<'static, CutoverApp>) {
    let p = Practice::new();
    let gp = p.gp.clone();
    let path = p.path();
    let dir = p.dir;
    drop(p.store);
    let mut h = common::ui::app_on(
        SqliteStore::open(&path).unwrap(),
        egui::vec2(1366.0, 768.0),
        now,
    );
    common::ui::sign_in(&mut h, "Test Receptionist (Reception / admin)");
    (dir, gp, h)
}

/// What a person does with the keyboard.
#[derive(Debug, Clone)]
enum Stroke {
    Type(String),
    Tab,
    ShiftTab,
    Space,
    Enter,
    Esc,
    Alt(Key),
    ArrowRight,
}

fn key_event(key: Key, pressed: bool, modifiers: Modifiers) -> Event {
    Event::Key {
        key,
        physical_key: Some(key),
        pressed,
        repeat: false,
        modifiers,
    }
}

fn press(out: &mut Vec<Event>, key: Key, modifiers: Modifiers, text: Option<String>) {
    out.push(key_event(key, true, modifiers));
    if let Some(t) = text {
        out.push(Event::Text(t));
    }
    out.push(key_event(key, false, modifiers));
}

/// The raw events a keyboard sends for `strokes`, as winit reports them to egui:
/// key down, its text, key up; a character with no key of its own (é, ', /) as
/// text alone.
fn keyboard(strokes: &[Stroke]) -> Vec<Event> {
    let mut out = Vec::new();
    for s in strokes {
        match s {
            Stroke::Type(text) => {
                for c in text.chars() {
                    if c == '\n' {
                        press(&mut out, Key::Enter, Modifiers::SHIFT, None);
                        continue;
                    }
                    let key = if c == ' ' {
                        Some(Key::Space)
                    } else {
                        Key::from_name(&c.to_ascii_uppercase().to_string())
                    };
                    let shift = if c.is_ascii_uppercase() {
                        Modifiers::SHIFT
                    } else {
                        Modifiers::NONE
                    };
                    match key {
                        Some(k) => press(&mut out, k, shift, Some(c.to_string())),
                        None => out.push(Event::Text(c.to_string())),
                    }
                }
            }
            Stroke::Tab => press(&mut out, Key::Tab, Modifiers::NONE, None),
            Stroke::ShiftTab => press(&mut out, Key::Tab, Modifiers::SHIFT, None),
            Stroke::Space => press(&mut out, Key::Space, Modifiers::NONE, Some(" ".into())),
            Stroke::Enter => press(&mut out, Key::Enter, Modifiers::NONE, None),
            Stroke::Esc => press(&mut out, Key::Escape, Modifiers::NONE, None),
            Stroke::Alt(k) => press(&mut out, *k, Modifiers::ALT, None),
            Stroke::ArrowRight => press(&mut out, Key::ArrowRight, Modifiers::NONE, None),
        }
    }
    out
}

/// Sends `events` `per_frame` to a frame, then lets the app finish.
fn send(h: &mut Harness<'_, CutoverApp>, events: Vec<Event>, per_frame: usize) {
    let count = events.len();
    for chunk in events.chunks(per_frame.max(1)) {
        h.input_mut().events.extend(chunk.iter().cloned());
        h.step();
    }
    // Each frame handles at least one event: this many frames drain any backlog.
    h.run_steps(count);
    h.run();
}

const NAME: &str = "O'Brien, Rita Quick";
const DOB: &str = "01/02/1960";

/// What the keyboard does to fill `kind`'s form from the NHS number on, choosing
/// `clinician` (by position among the clinician buttons) and the draft's values,
/// and pressing Enter.
fn strokes_for(kind: ItemKind, nhs_number: &str, clinician: usize, gp: &Staff) -> Vec<Stroke> {
    let draft = draft(kind, gp, nhs_number, "");
    let mut s = vec![Stroke::Type(nhs_number.into()), Stroke::Tab];
    if kind == ItemKind::Registration {
        s.push(Stroke::Tab); // past "No NHS number yet"
    }
    s.extend([
        Stroke::Type(NAME.into()),
        Stroke::Tab,
        Stroke::Type(DOB.into()),
        Stroke::Tab, // the date: left to follow the clock
        Stroke::Tab, // the time
        Stroke::Tab, // the first clinician button
    ]);
    // Dr Test Gp and Test Nurse, after "None" where a clinician is optional.
    choose(&mut s, clinician);
    for spec in kind.fields() {
        if spec.only_without_nhs_number() {
            continue;
        }
        let value = draft.fields.get(spec.key).cloned().unwrap_or_default();
        match spec.input {
            FieldInput::Choice(choices) => {
                let offset = usize::from(!spec.required);
                let at = choices
                    .iter()
                    .position(|c| c.code == value)
                    .map_or(0, |i| i + offset);
                choose(&mut s, at);
            }
            _ => {
                s.push(Stroke::Type(value));
                s.push(Stroke::Tab);
            }
        }
    }
    s.push(Stroke::Type(format!("Details for {}", kind.label())));
    s.push(Stroke::Enter);
    s
}

/// On a row of choices (one Tab stop: its first button while nothing is
/// chosen), choose button `at`: Space on the first, or the right arrow `at`
/// times (each arrow chooses, as in a radio group); then Tab out of the row.
fn choose(s: &mut Vec<Stroke>, at: usize) {
    if at == 0 {
        s.push(Stroke::Space);
    } else {
        s.extend(std::iter::repeat_n(Stroke::ArrowRight, at));
    }
    s.push(Stroke::Tab);
}

/// Every kind logged from the keyboard, `per_frame` events to a frame; every
/// stored field is exactly what was typed or chosen.
fn every_kind_at(per_frame: usize) {
    let (_dir, gp, mut h) = reception_at_the_desk();

    let mut all = Vec::new();
    let mut expected = Vec::new();
    for (i, kind) in ItemKind::ALL.into_iter().enumerate() {
        let key = Key::from_name(&kind.shortcut_letter().to_string()).unwrap();
        let nhs_number = nhs(i as u32 * 7 + 3);
        // The GP where a clinician is required (first button); otherwise the GP for
        // some kinds and none for others (the first button is "None").
        let (button, clinician) = match (kind.clinician_rule().required, i % 2) {
            (true, _) => (0, Some(gp.id)),
            (false, 0) => (1, Some(gp.id)),
            (false, _) => (0, None),
        };
        all.push(Stroke::Alt(key));
        all.extend(strokes_for(kind, &nhs_number, button, &gp));
        let mut d = draft(kind, &gp, &nhs_number, "20/11/2026 10:00");
        d.patient_name = NAME.into();
        d.date_of_birth = DOB.into();
        d.clinician = clinician;
        expected.push(d.validate(now()).expect("the expected item is valid"));
    }
    send(&mut h, keyboard(&all), per_frame);

    let items = h
        .state()
        .store()
        .worklist_page(&WorklistFilter::default(), Default::default(), 0, 100)
        .unwrap();
    assert_eq!(
        items.len(),
        ItemKind::ALL.len(),
        "{per_frame} events a frame: every kind saved once (status: {}; form {:?})",
        h.state().status.text,
        h.state().log.form
    );
    for want in expected {
        let got = items
            .iter()
            .find(|i| i.input.kind == want.kind)
            .unwrap_or_else(|| panic!("{:?} not stored", want.kind));
        assert_eq!(
            got.input, want,
            "{per_frame} events a frame: {:?} stored exactly as typed",
            want.kind
        );
    }
}

#[test]
fn a_whole_session_typed_in_one_frame_is_stored_exactly() {
    every_kind_at(usize::MAX);
}

#[test]
fn two_events_a_frame_are_stored_exactly() {
    every_kind_at(2);
}

#[test]
fn three_events_a_frame_are_stored_exactly() {
    every_kind_at(3);
}

#[test]
fn five_events_a_frame_are_stored_exactly() {
    every_kind_at(5);
}

fn focused_label(h: &Harness<'_, CutoverApp>) -> Option<String> {
    h.query_by(|n| n.is_focused())
        .and_then(|n| n.accesskit_node().label())
}

/// The registration that signed a receptionist out: Space on "No NHS number yet",
/// Tab, then a name with a space in it. Tab goes round the form and never
/// reaches the top bar.
#[test]
fn tab_goes_round_the_form_and_never_reaches_the_top_bar() {
    let (_dir, _gp, mut h) = reception_at_the_desk();
    let strokes = [
        Stroke::Alt(Key::G),
        Stroke::Tab, // the NHS number to "No NHS number yet"
        Stroke::Space,
        Stroke::Tab,
        Stroke::Type("Newcomer, Fran".into()),
    ];
    send(&mut h, keyboard(&strokes), usize::MAX);
    assert!(
        h.state().desk.staff.is_some(),
        "still signed in: {}",
        h.state().status.text
    );
    assert_eq!(
        h.get_by_role_and_label(Role::TextInput, "Patient name")
            .value()
            .as_deref(),
        Some("Newcomer, Fran")
    );
    // Forty Tabs go round the whole form several times and stay in it.
    for _ in 0..40 {
        send(&mut h, keyboard(&[Stroke::Tab]), 1);
        let at = focused_label(&h).unwrap_or_default();
        assert!(
            !["Sign out", "Lock (Ctrl+L)", "Help (F1)", "Dark theme"]
                .iter()
                .any(|b| at.contains(b))
                && !at.starts_with("Log (F2)")
                && !at.starts_with("Worklist"),
            "Tab left the form for {at:?}"
        );
        assert!(h.state().desk.staff.is_some());
    }
    // Shift+Tab from the first field goes to the last control of the form.
    let name = h.get_by_role_and_label(Role::TextInput, "Patient name");
    name.focus();
    h.run();
    send(&mut h, keyboard(&[Stroke::ShiftTab, Stroke::ShiftTab]), 1);
    assert_eq!(focused_label(&h).as_deref(), Some("Clear (Esc)"));
    send(&mut h, keyboard(&[Stroke::Tab]), 1);
    assert_eq!(
        focused_label(&h).as_deref(),
        Some("No NHS number yet (new registration)")
    );
}

/// An "other" item from the keyboard: NHS number, name, five Tabs past the date of
/// birth, date, time and the clinician row (one Tab stop) to Details, then Enter.
fn other_item(nhs_number: &str, name: &str, details: &str) -> Vec<Stroke> {
    let mut s = vec![
        Stroke::Alt(Key::O),
        Stroke::Type(nhs_number.into()),
        Stroke::Tab,
        Stroke::Type(name.into()),
    ];
    s.extend(std::iter::repeat_n(Stroke::Tab, 5));
    s.extend([Stroke::Type(details.into()), Stroke::Enter]);
    s
}

/// Enter saves and the next keys, typed at once, go to the emptied NHS number:
/// none is lost and none lands in the item just saved.
#[test]
fn keys_typed_straight_after_enter_start_the_next_item() {
    let (_dir, _gp, mut h) = reception_at_the_desk();
    let first = nhs(11);
    let second = nhs(12);
    let mut strokes = other_item(&first, "Test Patient One", "First note");
    strokes.push(Stroke::Type(second.clone()));
    send(&mut h, keyboard(&strokes), usize::MAX);
    let items = h
        .state()
        .store()
        .worklist_page(&WorklistFilter::default(), Default::default(), 0, 10)
        .unwrap();
    assert_eq!(items.len(), 1, "{}", h.state().status.text);
    assert_eq!(items[0].input.details, "First note");
    assert_eq!(
        items[0].input.patient.nhs_number.map(|n| n.digits()),
        Some(first)
    );
    assert_eq!(
        h.get_by_role_and_label(Role::TextInput, "NHS number")
            .value()
            .as_deref(),
        Some(second.as_str())
    );
}

fn text_in(h: &Harness<'_, CutoverApp>, label: &str) -> String {
    h.get_by_role_and_label(Role::TextInput, label)
        .value()
        .unwrap_or_default()
}

/// Keys typed before a click on another field reach the field they were typed in.
#[test]
fn keys_typed_before_a_click_stay_where_they_were_typed() {
    let (_dir, _gp, mut h) = reception_at_the_desk();
    send(
        &mut h,
        keyboard(&[Stroke::Alt(Key::O), Stroke::Type(nhs(21))]),
        1,
    );
    let at = h
        .get_by_role_and_label(Role::TextInput, "NHS number")
        .rect()
        .center();
    let mut events = keyboard(&[Stroke::Tab, Stroke::Type("Smith".into())]);
    events.extend([
        Event::PointerMoved(at),
        Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed: true,
            modifiers: Modifiers::NONE,
        },
        Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: Modifiers::NONE,
        },
    ]);
    send(&mut h, events, usize::MAX);
    assert_eq!(text_in(&h, "Patient name"), "Smith");
}

/// After one person signs out and another signs in, Ctrl+Z in the empty NHS
/// number cannot bring back the last person's patient.
#[test]
fn undo_never_brings_back_the_last_persons_patient() {
    let (_dir, _gp, mut h) = reception_at_the_desk();
    send(
        &mut h,
        keyboard(&[Stroke::Alt(Key::O), Stroke::Type(nhs(22))]),
        1,
    );
    common::ui::click(&mut h, "Sign out");
    common::ui::sign_in(&mut h, "Dr Test Gp (GP)");
    send(&mut h, keyboard(&[Stroke::Alt(Key::O)]), 1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(text_in(&h, "NHS number"), "");
}

/// The first letters typed as the Void dialog opens are the reason's.
#[test]
fn the_void_reason_keeps_its_first_letters() {
    let (_dir, _gp, mut h) = reception_at_the_desk();
    let strokes = other_item(&nhs(23), "Test Patient", "A note");
    send(&mut h, keyboard(&strokes), usize::MAX);
    h.get_by_role_and_label(Role::Button, "Void").click();
    h.step(); // the click
    h.input_mut()
        .events
        .extend(keyboard(&[Stroke::Type("Wrong patient".into())]));
    h.step(); // the dialog's first frame, with the keys typed straight away
    h.run();
    send(&mut h, keyboard(&[Stroke::Enter]), 1);
    let items = h
        .state()
        .store()
        .worklist_page(
            &WorklistFilter {
                include_voided: true,
                ..WorklistFilter::default()
            },
            Default::default(),
            0,
            10,
        )
        .unwrap();
    assert_eq!(
        items[0].void.as_ref().map(|v| v.reason.as_str()),
        Some("Wrong patient")
    );
}

/// A failed save puts focus on the first problem, a choice too; one Esc keeps the
/// form and the typing goes on where it was; Enter on Clear asks first; arrow
/// keys never take focus out of the form.
#[test]
fn focus_stays_where_the_work_is() {
    let (_dir, _gp, mut h) = reception_at_the_desk();
    let strokes = [
        Stroke::Alt(Key::P),
        Stroke::Type(nhs(24)),
        Stroke::Tab,
        Stroke::Type("Test Patient".into()),
        Stroke::Enter,
    ];
    send(&mut h, keyboard(&strokes), usize::MAX);
    assert!(common::ui::shows(&h, "Not saved"));
    assert_eq!(
        focused_label(&h).as_deref(),
        Some("Dr Test Gp"),
        "the first problem: the prescriber"
    );

    let (_dir, _gp, mut h) = reception_at_the_desk();
    let strokes = [Stroke::Alt(Key::O), Stroke::Tab, Stroke::Type("Smi".into())];
    send(&mut h, keyboard(&strokes), 1);
    send(
        &mut h,
        keyboard(&[Stroke::Esc, Stroke::Type("th".into())]),
        usize::MAX,
    );
    assert_eq!(text_in(&h, "Patient name"), "Smith");
    // Shift+Tab from the NHS number is Clear: Enter there asks before clearing.
    let nhs_box = h.get_by_role_and_label(Role::TextInput, "NHS number");
    nhs_box.focus();
    h.run();
    send(
        &mut h,
        keyboard(&[Stroke::ShiftTab, Stroke::Enter]),
        usize::MAX,
    );
    assert_eq!(text_in(&h, "Patient name"), "Smith", "the first press asks");
    assert!(common::ui::shows(&h, "Press Esc again"));
    // Arrow keys from a button stay in the form.
    for key in [
        Key::ArrowUp,
        Key::ArrowUp,
        Key::ArrowRight,
        Key::ArrowRight,
        Key::ArrowUp,
    ] {
        h.key_press(key);
        h.run();
        let at = focused_label(&h).unwrap_or_default();
        assert!(
            !at.contains("Sign out") && !at.contains("(F"),
            "an arrow key took focus out of the form to {at:?}"
        );
    }
}

/// Sign-in from the keyboard alone, typed in one go: the name list has focus at
/// the start, typing picks the name, Enter, the password, Enter. Tab stays in the
/// sign-in form.
#[test]
fn signing_in_from_the_keyboard_in_one_go() {
    let p = Practice::new();
    let path = p.path();
    let _dir = p.dir;
    drop(p.store);
    let mut h = common::ui::app_on(
        SqliteStore::open(&path).unwrap(),
        egui::vec2(1366.0, 768.0),
        now,
    );
    h.run();
    assert_eq!(
        focused_label(&h).as_deref(),
        Some("Name"),
        "the name list first"
    );
    for _ in 0..6 {
        send(&mut h, keyboard(&[Stroke::Tab]), 1);
        let at = focused_label(&h).unwrap_or_default();
        assert!(
            !at.contains("(F") && !at.contains("Help"),
            "Tab left the sign-in form for {at:?}"
        );
    }
    let name = h.get_by_role_and_label(Role::ComboBox, "Name");
    name.focus();
    h.run();
    let strokes = [
        Stroke::Type("Test R".into()),
        Stroke::Enter,
        Stroke::Type(TEST_PASSWORD.into()),
        Stroke::Enter,
    ];
    send(&mut h, keyboard(&strokes), usize::MAX);
    assert_eq!(h.state().status.text, "Signed in as Test Receptionist.");
}

/// A harness at one of the practice screen settings, reception signed in.
fn reception_at(
    width: f32,
    height: f32,
    zoom: f32,
) -> (tempfile::TempDir, Harness<'static, CutoverApp>) {
    let p = Practice::new();
    let path = p.path();
    let dir = p.dir;
    drop(p.store);
    let mut h = common::ui::app_on(
        SqliteStore::open(&path).unwrap(),
        egui::vec2(width, height),
        now,
    );
    common::ui::sign_in(&mut h, "Test Receptionist (Reception / admin)");
    h.ctx.set_zoom_factor(zoom);
    h.run();
    (dir, h)
}

/// Issue 29 #1: text typed where the keyboard is on a row of choices (one Tab
/// short of the box it was for) changes no choice: "20/12/2026 10:00" on the
/// appointment's Action row left Booked as it was (it chose Cancelled at the
/// space), and the text is shown as having gone nowhere. A row of choices is
/// one Tab stop; the arrows move the choice. Three keyboard events a frame.
#[test]
fn text_typed_on_a_row_of_choices_changes_no_choice() {
    for (width, height, zoom) in common::ui::PRACTICE_SCREENS {
        let setting = format!("{width}x{height} at {zoom}");
        let (_dir, mut h) = reception_at(width, height, zoom);
        send(&mut h, keyboard(&[Stroke::Alt(Key::A)]), 1);
        common::ui::click(&mut h, "Booked");
        let action = |h: &Harness<'_, CutoverApp>| {
            h.state()
                .log
                .form
                .fields
                .get("appointment_action")
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(action(&h), "booked", "{setting}");
        h.get_by_role_and_label(Role::Button, "Booked").focus();
        h.run();
        send(
            &mut h,
            keyboard(&[Stroke::Type("20/12/2026 10:00".into())]),
            3,
        );
        assert_eq!(action(&h), "booked", "typing chose nothing ({setting})");
        assert!(
            common::ui::shows(&h, "Typed text went nowhere: \"20/12/2026 10:00\""),
            "{setting}"
        );
        // The row is one Tab stop, the arrows move the choice along it.
        h.get_by_role_and_label(Role::Button, "Booked").focus();
        h.run();
        send(
            &mut h,
            keyboard(&[Stroke::ArrowRight, Stroke::ArrowRight]),
            2,
        );
        assert_eq!(action(&h), "rescheduled", "{setting}");
        send(&mut h, keyboard(&[Stroke::Tab]), 1);
        assert_eq!(
            focused_label(&h).as_deref(),
            Some("Appointment date and time"),
            "one Tab from the row to the next field ({setting})"
        );
    }
}

/// Issue 29 #1: the NHS number, Tab, a name typed straight on: on a
/// registration Tab lands on "No NHS number yet", and the name's space must
/// not tick it (it ticked it and greyed the NHS number out).
#[test]
fn a_name_typed_on_the_no_nhs_number_box_does_not_tick_it() {
    for (width, height, zoom) in common::ui::PRACTICE_SCREENS {
        let setting = format!("{width}x{height} at {zoom}");
        let (_dir, mut h) = reception_at(width, height, zoom);
        send(
            &mut h,
            keyboard(&[
                Stroke::Alt(Key::G),
                Stroke::Type("9434765919".into()),
                Stroke::Tab,
                Stroke::Type("Sian Evans".into()),
            ]),
            3,
        );
        assert!(
            !h.state().log.form.no_nhs_number,
            "ticked by a name ({setting})"
        );
        assert_eq!(text_in(&h, "NHS number"), "9434765919", "{setting}");
        assert!(
            common::ui::shows(&h, "Typed text went nowhere: \"Sian Evans\""),
            "{setting}"
        );
        // The name typed again where it belongs (the message has been seen and
        // goes), then Shift+Tab back and a Space on its own: that ticks it, as
        // a Space should.
        send(
            &mut h,
            keyboard(&[Stroke::Tab, Stroke::Type("Sian Evans".into())]),
            3,
        );
        assert_eq!(h.state().log.form.patient_name, "Sian Evans", "{setting}");
        assert!(h.state().log.form.went_nowhere.is_empty(), "{setting}");
        send(&mut h, keyboard(&[Stroke::ShiftTab, Stroke::Space]), 1);
        assert!(h.state().log.form.no_nhs_number, "{setting}");
    }
}
