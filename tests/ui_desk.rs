//! The reception desk driven through the real UI with egui_kittest: widgets are
//! found by their accessible labels, clicked and typed into, and what the app
//! stored is read back from the SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::NaiveDateTime;
use common::*;
use cutover_log::domain::{Item, ItemKind, Status, WorklistFilter};
use cutover_log::store::{CutoverStore, SqliteStore};
use cutover_log::ui::CutoverApp;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

fn now() -> NaiveDateTime {
    t("2026-11-20T10:00")
}

/// One item logged this morning, and the desk app open on its log with the
/// receptionist at the desk (the folder holds the log; keep it alive).
fn reception_with_one_item() -> (tempfile::TempDir, Item, Harness<'static, CutoverApp>) {
    reception_with_one(ItemKind::Other)
}

/// The same with the one item of `kind`.
fn reception_with_one(kind: ItemKind) -> (tempfile::TempDir, Item, Harness<'static, CutoverApp>) {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    let item = p
        .store
        .log_item(
            &input(kind, &gp, NHS_A, "2026-11-20T09:50"),
            &p.desk(during()),
        )
        .unwrap();
    let path = p.path();
    drop(p.store);
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");
    (p.dir, item, h)
}

fn harness(store: SqliteStore) -> Harness<'static, CutoverApp> {
    common::ui::app_on(store, egui::vec2(1400.0, 1300.0), now)
}

use common::ui::type_into;

fn text_value(h: &Harness<'_, CutoverApp>, label: &str) -> String {
    h.get_by_role_and_label(Role::TextInput, label)
        .value()
        .unwrap_or_default()
}

use common::ui::{click, shows as status_shows};

fn choose_desk_user(h: &mut Harness<'_, CutoverApp>, name: &str) {
    let option = match name {
        "Test Receptionist" => "Test Receptionist (Reception / admin)",
        other => panic!("no fixture option for {other}"),
    };
    common::ui::sign_in(h, option);
}

fn fixture_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let p = Practice::new();
    let path = p.path();
    (p.dir, path)
}

#[test]
fn first_run_sets_up_the_project_and_staff() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite3");
    let mut h = harness(SqliteStore::open(&path).unwrap());
    assert!(status_shows(&h, "Set up the cutover"));

    type_into(&mut h, "Practice name", "Test Surgery");
    type_into(&mut h, "ODS code", "a81001");
    // The second "Vision" is the new system's (old system comes first).
    h.get_all_by_role_and_label(Role::Button, "Vision")
        .nth(1)
        .expect("new system buttons")
        .click();
    h.run();
    type_into(&mut h, "Cutover starts (final extract)", "16/11/2026");
    type_into(&mut h, "Planned go-live", "23/11/2026");
    // A create without staff is refused, with the reason beside the list.
    click(&mut h, "Create the cutover log");
    assert!(status_shows(
        &h,
        "add the practice manager to the staff list"
    ));
    assert!(h.state().store().project().unwrap().is_none());

    type_into(&mut h, "Staff name", "Test Manager");
    type_into(&mut h, "Practice manager's password", TEST_PASSWORD);
    type_into(&mut h, "Repeat the password", TEST_PASSWORD);
    click(&mut h, "Add to staff list");
    type_into(&mut h, "Staff name", "Dr Test Gp");
    click(&mut h, "GP");
    click(&mut h, "Add to staff list");
    click(&mut h, "Create the cutover log");

    let project = h
        .state()
        .store()
        .project()
        .unwrap()
        .expect("project created");
    assert_eq!(project.ods_code.as_str(), "A81001");
    assert_eq!(project.new_system.label(), "Vision");
    assert_eq!(project.cutover_start, t("2026-11-16T18:00"));
    assert_eq!(project.go_live, t("2026-11-23T08:00"));
    let staff = h.state().store().staff().unwrap();
    assert_eq!(staff.len(), 2);
    assert!(
        staff
            .iter()
            .any(|s| s.name == "Dr Test Gp" && s.role == cutover_log::domain::Role::Gp)
    );
    // Now the phase banner shows, and the practice manager signs in with the password chosen.
    assert!(status_shows(&h, "Cutover day 5 of 8"));
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    assert!(
        status_shows(&h, "New appointment"),
        "the log screen after sign-in"
    );
}

/// What to type or click for one kind's own fields.
fn fill_kind_fields(h: &mut Harness<'_, CutoverApp>, kind: ItemKind) {
    match kind {
        ItemKind::Appointment => {
            click(h, "Booked");
            type_into(h, "Appointment date and time", "27/11/2026 10:30");
            type_into(h, "Slot type (optional)", "Routine GP");
        }
        ItemKind::Prescription => {
            click(h, "Dr Test Gp");
            type_into(h, "Medication", "Amlodipine 5mg tablets");
            type_into(h, "Dose / directions", "One daily");
            type_into(h, "Quantity", "28 tablets");
            click(h, "Repeat");
            click(h, "EPS (electronic)");
            click(h, "Phone");
        }
        ItemKind::Consultation => {
            click(h, "Dr Test Gp");
            type_into(h, "Consultation summary", "BP review, continue treatment");
        }
        ItemKind::PathologyResult => type_into(h, "Test", "HbA1c"),
        ItemKind::Referral => {
            type_into(h, "Referred to", "Cardiology");
            type_into(h, "UBRN (optional)", "0000 1111 2222");
        }
        ItemKind::Correspondence => click(h, "NHS 111"),
        ItemKind::Immunisation => type_into(h, "Vaccine", "Influenza"),
        ItemKind::TelephoneCall
        | ItemKind::HomeVisit
        | ItemKind::Registration
        | ItemKind::Other => {}
    }
    if kind.details_required() {
        type_into(h, "Details", "Details typed at the desk");
    }
}

#[test]
fn reception_logs_one_item_of_every_kind_from_the_keyboard() {
    let (_dir, path) = fixture_store();
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");

    for (i, kind) in ItemKind::ALL.into_iter().enumerate() {
        let letter = kind.shortcut_letter().to_string();
        h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::from_name(&letter).unwrap());
        h.run();
        assert!(
            status_shows(&h, &format!("New {}", kind.noun())),
            "{kind:?} form not shown"
        );
        let nhs_number = nhs(i as u32 * 13);
        type_into(&mut h, "NHS number", &nhs_number);
        type_into(&mut h, "Patient name", &format!("Test Patient {i}"));
        type_into(&mut h, "Date of birth", "01/02/1960");
        fill_kind_fields(&mut h, kind);
        h.key_press(egui::Key::Enter);
        h.run();
        let shown = cutover_log::domain::NhsNumber::parse(&nhs_number)
            .unwrap()
            .to_string();
        assert!(
            status_shows(&h, &format!("Saved {} for {shown}", kind.noun())),
            "{kind:?} not saved"
        );
        // Focus is back on the NHS number, emptied for the next patient.
        assert_eq!(text_value(&h, "NHS number"), "");
        assert!(
            h.get_by_role_and_label(Role::TextInput, "NHS number")
                .is_focused()
        );
        // It is in today's log.
        assert!(status_shows(&h, &format!("Test Patient {i}")));
    }

    let store = SqliteStore::open(&path).unwrap();
    let items = store
        .worklist_page(&WorklistFilter::default(), Default::default(), 0, 100)
        .unwrap();
    assert_eq!(items.len(), 11);
    for kind in ItemKind::ALL {
        let item = items
            .iter()
            .find(|i| i.input.kind == kind)
            .expect("kind stored");
        assert_eq!(
            item.logged_by.0, 3,
            "logged by the receptionist at the desk"
        );
        assert_eq!(item.logged_at, now());
        assert_eq!(item.reentry.status, Status::Outstanding);
        assert_eq!(
            item.input.patient.date_of_birth,
            Some(t("1960-02-01T00:00").date())
        );
    }
    let rx = items
        .iter()
        .find(|i| i.input.kind == ItemKind::Prescription)
        .unwrap();
    assert_eq!(
        rx.input.fields.get("prescription_type").map(String::as_str),
        Some("repeat")
    );
    assert_eq!(
        rx.assignee.map(|s| s.0),
        Some(1),
        "prescriptions go to their prescriber"
    );
    let referral = items
        .iter()
        .find(|i| i.input.kind == ItemKind::Referral)
        .unwrap();
    assert_eq!(
        referral.input.fields.get("ubrn").map(String::as_str),
        Some("000011112222")
    );
}

#[test]
fn an_invalid_nhs_number_blocks_the_save_with_the_message_beside_the_field() {
    let (_dir, path) = fixture_store();
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::O);
    h.run();
    type_into(&mut h, "NHS number", "943 476 5918");
    assert!(
        status_shows(&h, "check digit is wrong"),
        "shown while typing"
    );
    type_into(&mut h, "Patient name", "Test Patient");
    type_into(&mut h, "Details", "Something");
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(status_shows(&h, "Not saved: 1 problem"));
    assert_eq!(
        h.state()
            .store()
            .worklist_count(&WorklistFilter::default())
            .unwrap(),
        0
    );
    // What was typed is kept; fixing the digit saves.
    assert_eq!(text_value(&h, "Patient name"), "Test Patient");
    let fix = h.get_by_role_and_label(Role::TextInput, "NHS number");
    fix.focus();
    h.run();
    h.key_press(egui::Key::Backspace);
    h.run();
    type_into(&mut h, "NHS number", "9");
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(status_shows(&h, "Saved other item for 943 476 5919"));
    assert_eq!(
        h.state()
            .store()
            .worklist_count(&WorklistFilter::default())
            .unwrap(),
        1
    );
}

#[test]
fn recall_fills_the_patient_and_warns_on_a_duplicate() {
    let (_dir, _item, mut h) = reception_with_one_item();
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::O);
    h.run();
    type_into(&mut h, "NHS number", "999 000 0018");
    assert_eq!(text_value(&h, "Patient name"), "Test Patient-Zoë O'Brien");
    assert_eq!(text_value(&h, "Date of birth"), "01/02/1960");
    assert!(status_shows(&h, "known patient: 1 earlier item"));
    type_into(&mut h, "Details", "Second note");
    // Same patient, kind and within 15 minutes: warned first, saved on the second Enter.
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(status_shows(&h, "Possible duplicate"));
    assert_eq!(
        h.state()
            .store()
            .worklist_count(&WorklistFilter::default())
            .unwrap(),
        1
    );
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(
        h.state()
            .store()
            .worklist_count(&WorklistFilter::default())
            .unwrap(),
        2
    );

    // A name that disagrees with earlier entries is flagged.
    type_into(&mut h, "Patient name", "Someone Different");
    type_into(&mut h, "NHS number", "999 000 0018");
    assert!(status_shows(&h, "earlier entries name this patient"));
}

#[test]
fn void_asks_for_a_reason_and_keeps_the_item() {
    let (_dir, item, mut h) = reception_with_one_item();
    assert!(
        status_shows(&h, "Test Patient-Zoë O'Brien"),
        "today's log lists the item"
    );
    click(&mut h, "Void");
    click(&mut h, "Void item (Enter)");
    assert!(status_shows(&h, "Give the reason for voiding this item."));
    assert!(h.state().store().item(item.id).unwrap().void.is_none());
    type_into(
        &mut h,
        "Reason for voiding",
        "Logged against the wrong patient",
    );
    click(&mut h, "Void item (Enter)");
    let stored = h.state().store().item(item.id).unwrap();
    assert_eq!(
        stored.void.map(|v| v.reason),
        Some("Logged against the wrong patient".to_string())
    );
    assert!(status_shows(&h, "VOIDED: Logged against the wrong patient"));
    // History shows both events.
    click(&mut h, "History");
    assert!(status_shows(&h, "Voided the item"));
}

#[test]
fn a_correction_is_saved_with_its_history() {
    let (_dir, item, mut h) = reception_with_one_item();
    click(&mut h, "Correct");
    assert!(status_shows(&h, &format!("Correcting item {}", item.id.0)));
    type_into(&mut h, "Details", " (corrected)");
    h.key_press(egui::Key::Enter);
    h.run();
    let stored = h.state().store().item(item.id).unwrap();
    assert_eq!(stored.input.details, "Details for Other (corrected)");
    click(&mut h, "History");
    assert!(status_shows(&h, "Corrected the item"));
    // Each changed field, before -> after, in the form's words.
    assert!(status_shows(
        &h,
        "Details: Details for Other -> Details for Other (corrected)"
    ));
}

#[test]
fn a_correction_another_desk_saved_first_shows_their_values_and_keeps_what_was_typed() {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    let item = p
        .store
        .log_item(
            &input(ItemKind::Other, &gp, NHS_A, "2026-11-20T09:50"),
            &p.desk(during()),
        )
        .unwrap();
    let path = p.path();
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");
    click(&mut h, "Correct");
    type_into(&mut h, "Details", " (mine)");
    // Meanwhile the other desk saves its correction.
    let mut theirs = item.input.clone();
    theirs.details = "Corrected at the other desk".into();
    p.store
        .edit_item(item.id, item.version, &theirs, &p.desk(during()))
        .unwrap();
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(status_shows(&h, "another desk changed item"));
    assert!(
        status_shows(&h, "Corrected at the other desk"),
        "their values are shown"
    );
    assert_eq!(
        h.state().store().item(item.id).unwrap().input.details,
        "Corrected at the other desk",
        "nothing was overwritten"
    );
    let typed = h
        .get_by_role_and_label(Role::MultilineTextInput, "Details")
        .value()
        .unwrap_or_default();
    assert_eq!(typed, "Details for Other (mine)", "mine is kept");
    // Saving again, having seen theirs, replaces it deliberately.
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(
        h.state().store().item(item.id).unwrap().input.details,
        "Details for Other (mine)"
    );
}

#[test]
fn screens_need_sign_in_and_the_lock_keeps_what_was_typed() {
    let (_dir, path) = fixture_store();
    let mut h = harness(SqliteStore::open(&path).unwrap());
    assert!(
        h.query_by_label("NHS number").is_none(),
        "nothing is shown before sign-in"
    );
    common::ui::pick(&mut h, "Name", "Test Receptionist (Reception / admin)");
    type_into(&mut h, "Password", "wrong password");
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(status_shows(&h, "name or password is wrong"));
    type_into(&mut h, "Password", TEST_PASSWORD);
    h.key_press(egui::Key::Enter);
    h.run();
    type_into(&mut h, "NHS number", NHS_A);
    // Ctrl+L locks: the form is hidden, then comes back as it was.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    h.run();
    assert!(status_shows(&h, "Locked"));
    assert!(
        h.query_by_role_and_label(Role::TextInput, "NHS number")
            .is_none()
    );
    type_into(&mut h, "Password", TEST_PASSWORD);
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(text_value(&h, "NHS number"), NHS_A);
}

#[test]
fn an_encrypted_log_asks_for_its_passphrase_first() {
    let (_dir, path) = fixture_store();
    SqliteStore::encrypt(&path, "practice passphrase 1").unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        .with_max_steps(12)
        .build_ui_state(
            |ui, app: &mut cutover_log::ui::StartApp| app.ui(ui),
            cutover_log::ui::StartApp::locked(path.clone(), now),
        );
    h.get_by_label("Database passphrase").focus();
    h.run();
    h.get_by_label("Database passphrase").type_text("not it");
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(
        h.query_all_by_label_contains("does not open this log")
            .next()
            .is_some()
    );
    assert!(h.state().app().is_none());
    h.get_by_label("Database passphrase")
        .type_text("practice passphrase 1");
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.state().app().is_some(), "opened");
    assert!(h.query_all_by_label_contains("Sign in").next().is_some());
}

#[test]
fn f1_opens_the_shortcut_sheet_and_about_and_esc_closes_it() {
    let (_dir, path) = fixture_store();
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");
    h.key_press(egui::Key::F1);
    h.run();
    assert!(status_shows(&h, "Keyboard shortcuts"));
    assert!(status_shows(&h, "Log a new prescription"), "the sheet");
    assert!(status_shows(&h, "Alt+P"));
    click(&mut h, "How to use this screen");
    assert!(
        status_shows(&h, "Type the NHS number"),
        "how to for the log screen"
    );
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(
        !status_shows(&h, "Log a new prescription"),
        "Esc closes help"
    );

    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::F1);
    h.run();
    assert!(status_shows(
        &h,
        &format!("Cutover Log {}", env!("CARGO_PKG_VERSION"))
    ));
    click(&mut h, "Hazard log");
    assert!(
        status_shows(&h, "Hazard"),
        "the clinical-safety documents travel with the app"
    );
    h.key_press(egui::Key::F1);
    h.run();
    assert!(
        status_shows(&h, "Keyboard shortcuts"),
        "F1 from About shows the sheet"
    );
}

#[test]
fn each_person_keeps_their_own_theme_and_text_size() {
    let (_dir, path) = fixture_store();
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");
    h.get_by_role_and_label(Role::CheckBox, "Dark theme")
        .click();
    h.run();
    common::ui::pick(&mut h, "Text size", "125%");
    assert_eq!(h.ctx.theme(), egui::Theme::Dark);
    assert!((h.ctx.zoom_factor() - 1.25).abs() < 0.01);
    click(&mut h, "Sign out");
    h.run();
    assert_eq!(
        h.ctx.theme(),
        egui::Theme::Light,
        "signed out: the defaults"
    );
    common::ui::sign_in(&mut h, "Dr Test Gp (GP)");
    assert_eq!(
        h.ctx.theme(),
        egui::Theme::Light,
        "the GP has not changed anything"
    );
    assert!((h.ctx.zoom_factor() - 1.0).abs() < 0.01);
    click(&mut h, "Sign out");
    h.run();
    // Kept across a restart: what the window saves, a new app reads back.
    let saved = h.state().preferences.to_text();
    let mut again = harness(SqliteStore::open(&path).unwrap());
    again.state_mut().preferences = cutover_log::ui::Preferences::from_text(&saved);
    choose_desk_user(&mut again, "Test Receptionist");
    assert_eq!(
        again.ctx.theme(),
        egui::Theme::Dark,
        "the receptionist's choice is back"
    );
    assert!((again.ctx.zoom_factor() - 1.25).abs() < 0.01);
}

/// On a practice PC's 1280 x 800 and 1366 x 768 screens, at normal and at 125%
/// text size, every control of the top bar is on the screen and none lies over
/// another (the bar once did at 1280 pixels once someone was signed in; and at
/// 125% the text size box lay over "Audit (F7)" until it could move up into the
/// first row). Help's row-mate: the screens where they leave room, else who is
/// signed in.
#[test]
fn the_top_bar_fits_practice_screens() {
    for (screen_width, screen_height, zoom, beside) in [
        (1280.0_f32, 800.0_f32, 1.0_f32, "Log (F2)"),
        (1280.0, 800.0, 1.25, "Sign out"),
        (1366.0, 768.0, 1.0, "Log (F2)"),
        (1366.0, 768.0, 1.25, "Log (F2)"),
    ] {
        let (_dir, path) = fixture_store();
        let mut h = Harness::builder()
            .with_size(egui::vec2(screen_width / zoom, screen_height / zoom))
            .with_pixels_per_point(zoom)
            .with_max_steps(12)
            .with_theme(egui::Theme::Light)
            .build_ui_state(
                |ui, app: &mut CutoverApp| app.ui(ui),
                CutoverApp::new(Box::new(SqliteStore::open(&path).unwrap()), now),
            );
        h.run();
        choose_desk_user(&mut h, "Test Receptionist");
        let mut labels: Vec<String> = cutover_log::ui::Screen::ALL
            .iter()
            .map(|s| s.label().to_string())
            .collect();
        labels.extend(
            [
                "Help (F1)",
                "Dark theme",
                "Text size",
                "Lock (Ctrl+L)",
                "Sign out",
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        let mut rects: Vec<(String, egui::Rect)> = labels
            .iter()
            .map(|l| (l.clone(), h.get_by_label(l).rect()))
            .collect();
        for partial in ["Signed in: Test Receptionist", "Test Surgery (A81001)"] {
            let node = h
                .query_all_by_label_contains(partial)
                .next()
                .unwrap_or_else(|| panic!("{partial} is shown"));
            rects.push((partial.to_string(), node.rect()));
        }
        let width = screen_width / zoom;
        for (label, r) in &rects {
            assert!(
                r.min.x >= 0.0 && r.max.x <= width + 0.5,
                "{label} at {r:?} is off a {width}-point wide screen (zoom {zoom})"
            );
        }
        // Where there is room the display settings stay beside the screens; at
        // 125% on 1280 pixels they go up into the first row: never a third row
        // (the worklist's details need the height), never over another control.
        let y = |label: &str| h.get_by_label(label).rect().center().y;
        assert_eq!(
            y("Help (F1)"),
            y(beside),
            "Help beside {beside} ({screen_width} pixels, zoom {zoom})"
        );
        for (i, (a, ra)) in rects.iter().enumerate() {
            for (b, rb) in &rects[i + 1..] {
                let overlap = ra.intersect(*rb);
                assert!(
                    !(overlap.width() > 0.5 && overlap.height() > 0.5),
                    "{a} {ra:?} lies over {b} {rb:?} (zoom {zoom})"
                );
            }
        }
    }
}

// ---- Issue 16: at the desk, at real speed ----

/// A clock the test moves on: minutes after 10:00 on 20/11/2026.
static MINUTES_PAST_TEN: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

fn moving_clock() -> NaiveDateTime {
    now() + chrono::Duration::minutes(MINUTES_PAST_TEN.load(std::sync::atomic::Ordering::SeqCst))
}

fn items_in(h: &Harness<'_, CutoverApp>) -> Vec<Item> {
    h.state()
        .store()
        .worklist_page(&WorklistFilter::default(), Default::default(), 0, 100)
        .unwrap()
}

/// "When it happened" shows (and saves) the time now until someone types a date
/// or time; a typed time is kept however long the form stays open.
#[test]
fn the_time_follows_the_clock_until_it_is_typed() {
    let (_dir, path) = fixture_store();
    let mut h = common::ui::app_on(
        SqliteStore::open(&path).unwrap(),
        egui::vec2(1366.0, 768.0),
        moving_clock,
    );
    choose_desk_user(&mut h, "Test Receptionist");
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::O);
    h.run();
    type_into(&mut h, "NHS number", NHS_A);
    type_into(&mut h, "Patient name", "Test Patient");
    type_into(&mut h, "Details", "Typed slowly");
    // Three minutes pass while the receptionist types.
    MINUTES_PAST_TEN.store(3, std::sync::atomic::Ordering::SeqCst);
    h.run();
    assert_eq!(
        text_value(&h, "Time it happened"),
        "10:03",
        "what is shown moves on"
    );
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(items_in(&h)[0].input.occurred_at, t("2026-11-20T10:03"));

    // A typed time is kept as the clock moves on.
    type_into(&mut h, "NHS number", &nhs(5));
    type_into(&mut h, "Patient name", "Test Patient Two");
    let time = h.get_by_role_and_label(Role::TextInput, "Time it happened");
    time.focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    type_into(&mut h, "Time it happened", "09:41");
    type_into(&mut h, "Details", "Earlier call");
    // (Less than the 5-minute lock since the last key.)
    MINUTES_PAST_TEN.store(7, std::sync::atomic::Ordering::SeqCst);
    h.run();
    assert_eq!(text_value(&h, "Time it happened"), "09:41");
    h.key_press(egui::Key::Enter);
    h.run();
    let items = items_in(&h);
    let second = items
        .iter()
        .find(|i| i.input.details == "Earlier call")
        .unwrap();
    assert_eq!(second.input.occurred_at, t("2026-11-20T09:41"));
    MINUTES_PAST_TEN.store(0, std::sync::atomic::Ordering::SeqCst);
}

/// Enter in the Void dialog is the dialog's: it never also submits the empty form
/// behind it; Esc cancels; the dialog names the item in words; an error beside a
/// field goes as soon as that field is changed.
#[test]
fn the_void_dialog_takes_its_own_keys_and_errors_clear_when_fixed() {
    let (_dir, item, mut h) = reception_with_one_item();
    click(&mut h, "Void");
    assert!(status_shows(
        &h,
        "Other for Test Patient-Zoë O'Brien (999 000 0018), 20/11/2026 09:50"
    ));
    assert!(
        !status_shows(&h, &format!("item {}", item.id.0)),
        "no bare item number"
    );
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(status_shows(&h, "Give the reason for voiding this item."));
    assert!(
        !status_shows(&h, "Not saved"),
        "the form behind was not submitted"
    );
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(
        !status_shows(&h, "Give the reason"),
        "Esc closed the dialog"
    );
    assert!(h.state().store().item(item.id).unwrap().void.is_none());
    click(&mut h, "Void");
    type_into(&mut h, "Reason for voiding", "Wrong patient");
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.state().store().item(item.id).unwrap().void.is_some());
    assert!(!status_shows(&h, "Not saved"));

    // A failed save marks the fields; fixing one clears its message only.
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::O);
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(status_shows(&h, "enter the details to re-enter"));
    type_into(&mut h, "Details", "Now given");
    assert!(!status_shows(&h, "enter the details to re-enter"));
}

/// A correction shows every stored value, choices included.
#[test]
fn a_correction_shows_every_stored_choice() {
    let (_dir, item, mut h) = reception_with_one(ItemKind::Prescription);
    click(&mut h, "Correct");
    for chosen in ["Repeat", "EPS (electronic)", "Phone", "Dr Test Gp"] {
        assert!(
            h.get_by_role_and_label(Role::Button, chosen)
                .accesskit_node()
                .toggled()
                == Some(egui::accesskit::Toggled::True),
            "{chosen} is shown chosen"
        );
    }
    // Saving unchanged keeps every value.
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().store().item(item.id).unwrap().input, item.input);
}

/// The last prescriber is kept for the next prescription, but a call or a
/// registration starts with no clinician.
#[test]
fn the_last_clinician_stays_only_where_one_is_required() {
    let (_dir, path) = fixture_store();
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::P);
    h.run();
    type_into(&mut h, "NHS number", NHS_A);
    type_into(&mut h, "Patient name", "Test Patient");
    fill_kind_fields(&mut h, ItemKind::Prescription);
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(status_shows(&h, "Saved prescription"));
    let selected = |h: &Harness<'_, CutoverApp>, l: &str| {
        h.get_by_role_and_label(Role::Button, l)
            .accesskit_node()
            .toggled()
            == Some(egui::accesskit::Toggled::True)
    };
    assert!(
        selected(&h, "Dr Test Gp"),
        "the prescriber is kept for the next prescription"
    );
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::T);
    h.run();
    assert!(
        selected(&h, "None"),
        "a telephone call starts with no clinician"
    );
    click(&mut h, "Test Nurse");
    type_into(&mut h, "NHS number", &nhs(3));
    type_into(&mut h, "Patient name", "Test Caller");
    type_into(&mut h, "Details", "Asked for results");
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(status_shows(&h, "Saved telephone call"));
    assert!(
        selected(&h, "None"),
        "and the next call starts with none again"
    );
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::G);
    h.run();
    assert!(selected(&h, "None"), "so does a registration");
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::P);
    h.run();
    assert!(
        selected(&h, "Dr Test Gp"),
        "back to prescriptions: the prescriber again"
    );
}

/// On the screens practices have, for every kind, the form from the NHS number to
/// Save (and the duplicate warning) is on screen without scrolling, also with an
/// item's history open.
#[test]
fn every_form_and_its_save_fit_practice_screens() {
    for (w, hgt) in [(1366.0_f32, 768.0_f32), (1280.0, 720.0)] {
        for zoom in [1.0_f32, 1.25] {
            let (_dir, _item, mut h) = reception_with_one_item();
            h.set_size(egui::vec2(w / zoom, hgt / zoom));
            h.set_pixels_per_point(zoom);
            h.ctx.set_zoom_factor(1.0);
            h.run();
            click(&mut h, "History");
            for kind in ItemKind::ALL {
                let letter = kind.shortcut_letter().to_string();
                h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::from_name(&letter).unwrap());
                h.run();
                h.run();
                let bottom = hgt / zoom;
                let save = h.get_by_role_and_label(Role::Button, "Save (Enter)").rect();
                let nhs = h
                    .get_by_role_and_label(Role::TextInput, "NHS number")
                    .rect();
                let details = h
                    .get_by_role_and_label(Role::MultilineTextInput, "Details")
                    .rect();
                let at = format!("{kind:?} at {w}x{hgt}, text {:.0}%", zoom * 100.0);
                assert!(save.max.y <= bottom, "Save below the fold: {save:?} ({at})");
                assert!(
                    nhs.min.y >= 0.0 && nhs.max.y <= bottom,
                    "NHS number off screen ({at})"
                );
                assert!(details.max.y <= save.min.y, "Details hidden ({at})");
            }
        }
    }
}

/// Whoever signs in starts on their own screen with nothing of the last person's:
/// reception on the log, a clinician after go-live on their own items.
#[test]
fn each_person_starts_clean_on_their_own_screen() {
    let (_dir, path) = fixture_store();
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");
    type_into(&mut h, "NHS number", NHS_A);
    type_into(&mut h, "Patient name", "Half Typed");
    click(&mut h, "Sign out");
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    assert_eq!(h.state().screen, cutover_log::ui::Screen::Log);
    assert_eq!(
        text_value(&h, "NHS number"),
        "",
        "nothing of the last person's"
    );
    assert_eq!(text_value(&h, "Patient name"), "");
    // The lock keeps a person's own work for them.
    type_into(&mut h, "Patient name", "Mine");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    h.run();
    type_into(&mut h, "Password", TEST_PASSWORD);
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(text_value(&h, "Patient name"), "Mine");
}

#[test]
fn a_clinician_after_go_live_starts_on_their_own_items() {
    let (_dir, path) = fixture_store();
    let mut h = common::ui::app_on(
        SqliteStore::open(&path).unwrap(),
        egui::vec2(1366.0, 768.0),
        || t("2026-11-24T09:00"),
    );
    common::ui::sign_in(&mut h, "Dr Test Gp (GP)");
    assert_eq!(h.state().screen, cutover_log::ui::Screen::Worklist);
    click(&mut h, "Sign out");
    common::ui::sign_in(&mut h, "Test Receptionist (Reception / admin)");
    assert_eq!(h.state().screen, cutover_log::ui::Screen::Log);
}

/// Esc on a filled form asks first; Ctrl+Z after a save does not bring back the
/// last patient's NHS number; "known patient" lists the earlier items.
#[test]
fn esc_asks_first_undo_cannot_bring_back_the_last_patient_and_earlier_items_list() {
    let (_dir, _item, mut h) = reception_with_one_item();
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::O);
    h.run();
    type_into(&mut h, "NHS number", NHS_A);
    h.key_press(egui::Key::Escape);
    h.run();
    assert_eq!(
        text_value(&h, "NHS number"),
        NHS_A,
        "one Esc keeps what was typed"
    );
    assert!(status_shows(&h, "Press Esc again"));
    h.key_press(egui::Key::Escape);
    h.run();
    assert_eq!(text_value(&h, "NHS number"), "", "the second Esc clears");

    type_into(&mut h, "NHS number", NHS_A);
    assert!(status_shows(&h, "known patient: 1 earlier item"));
    h.get_by_label("known patient: 1 earlier item").click();
    h.run();
    assert!(status_shows(&h, "This patient's earlier items"));
    assert!(status_shows(&h, "Details for Other"));
    type_into(&mut h, "Details", "Second note");
    h.key_press(egui::Key::Enter);
    h.run();
    h.key_press(egui::Key::Enter); // past the duplicate warning
    h.run();
    assert_eq!(items_in(&h).len(), 2);
    // Focus is on the empty NHS number: Ctrl+Z there must not bring back the last one.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(text_value(&h, "NHS number"), "");
}

/// Words for people: articles, a choice to choose, a reason that is not optional.
#[test]
fn the_form_speaks_plainly() {
    let (_dir, _item, mut h) = reception_with_one_item();
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::A);
    h.run();
    type_into(&mut h, "NHS number", NHS_A);
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(
        status_shows(&h, "choose the action"),
        "a choice is chosen, not entered"
    );
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::L);
    h.run();
    assert!(status_shows(&h, "New correspondence / 111 / OOH item"));
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(status_shows(&h, "choose the source"));
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::G);
    h.run();
    assert!(
        h.query_all_by_label_contains("Reason there is no NHS number")
            .next()
            .is_none(),
        "asked only when there is no NHS number"
    );
    h.get_by_role_and_label(Role::CheckBox, "No NHS number yet (new registration)")
        .click();
    h.run();
    assert!(h.query_by_label("Reason there is no NHS number").is_some());
    assert!(h.query_all_by_label_contains("(optional)").all(|n| {
        !n.accesskit_node()
            .label()
            .unwrap_or_default()
            .contains("Reason")
    }));
}

/// A correction shows the stored clinician even when they are no longer active;
/// a clinician is never saved without being shown.
#[test]
fn a_stored_clinician_no_longer_active_is_still_shown() {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    let item = p
        .store
        .log_item(
            &input(ItemKind::Prescription, &gp, NHS_A, "2026-11-20T09:50"),
            &p.desk(during()),
        )
        .unwrap();
    p.store
        .set_staff_active(gp.id, false, &p.as_manager(during()))
        .unwrap();
    let path = p.path();
    drop(p.store);
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");
    click(&mut h, "Correct");
    assert_eq!(
        h.get_by_role_and_label(Role::Button, "Dr Test Gp (no longer active)")
            .accesskit_node()
            .toggled(),
        Some(egui::accesskit::Toggled::True)
    );
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().store().item(item.id).unwrap().input, item.input);
}

/// Issue 28 #12 and 29 #4: nothing of the last person's work on the lock and
/// sign-in screens, which anyone at the desk can see: not the patient's NHS
/// number from "Saved other item for …", nor "Signed in as …" after they left.
#[test]
fn the_lock_and_sign_in_screens_show_nothing_of_the_last_persons_work() {
    let (_dir, path) = fixture_store();
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::O);
    h.run();
    type_into(&mut h, "NHS number", "943 476 5919");
    type_into(&mut h, "Patient name", "Test Patient");
    type_into(&mut h, "Details", "Something");
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(status_shows(&h, "Saved other item for 943 476 5919"));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    h.run();
    assert!(status_shows(&h, "Locked"));
    for digits in ["943 476 5919", "9434765919", "Saved other item"] {
        assert!(
            !status_shows(&h, digits),
            "the lock screen shows {digits:?}"
        );
    }
    type_into(&mut h, "Password", TEST_PASSWORD);
    h.key_press(egui::Key::Enter);
    h.run();
    click(&mut h, "Sign out");
    for words in ["Signed in as", "Test Receptionist.", "943 476 5919"] {
        assert!(
            !status_shows(&h, words),
            "the sign-in screen shows {words:?}: {}",
            h.state().status.text
        );
    }
}

/// Issue 29 #2: Tab into a filled field selects its text, so what is typed
/// replaces it: the time "10:00" (following the clock), then Tab from the
/// date and "09:15" typed in the same frame, is saved as 09:15, never
/// "10:0009:15".
#[test]
fn tab_into_a_filled_field_selects_it_and_typing_replaces_it() {
    for (width, height, zoom) in common::ui::PRACTICE_SCREENS {
        let (_dir, path) = fixture_store();
        let mut h = common::ui::app_on(
            SqliteStore::open(&path).unwrap(),
            egui::vec2(width, height),
            now,
        );
        choose_desk_user(&mut h, "Test Receptionist");
        h.ctx.set_zoom_factor(zoom);
        h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::O);
        h.run();
        type_into(&mut h, "NHS number", "943 476 5919");
        type_into(&mut h, "Patient name", "Test Patient");
        type_into(&mut h, "Details", "Something");
        type_into(&mut h, "When it happened", "");
        let tab = egui::Event::Key {
            key: egui::Key::Tab,
            physical_key: None,
            pressed: true,
            repeat: false,
            modifiers: egui::Modifiers::NONE,
        };
        h.input_mut()
            .events
            .extend([tab, egui::Event::Text("09:15".into())]);
        h.run();
        assert_eq!(
            h.get_by_role_and_label(Role::TextInput, "Time it happened")
                .value()
                .as_deref(),
            Some("09:15"),
            "{width}x{height} at {zoom}"
        );
        h.key_press(egui::Key::Enter);
        h.run();
        let store = SqliteStore::open(&path).unwrap();
        let items = store
            .worklist_page(&WorklistFilter::default(), Default::default(), 0, 10)
            .unwrap();
        assert_eq!(items.len(), 1, "{}", h.state().status.text);
        assert_eq!(items[0].input.occurred_at, t("2026-11-20T09:15"));
    }
}

/// Issue 29 #3: "Sign in as someone else" at a locked desk keeps the locked
/// person's half-typed item for them (as the lock screen says): the next
/// person starts clean and never sees it; it is back, as typed, when its
/// owner signs in again.
#[test]
fn sign_in_as_someone_else_keeps_the_locked_persons_item_for_them() {
    let (_dir, path) = fixture_store();
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::O);
    h.run();
    type_into(&mut h, "NHS number", "943 476 5919");
    type_into(&mut h, "Patient name", "Test Half Typed");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    h.run();
    assert!(status_shows(&h, "Your work is kept"));
    click(&mut h, "Sign in as someone else");
    common::ui::sign_in(&mut h, "Dr Test Gp (GP)");
    h.key_press(egui::Key::F2);
    h.run();
    assert!(
        !status_shows(&h, "Test Half Typed"),
        "the next person never sees it"
    );
    assert_eq!(text_value(&h, "NHS number"), "");
    click(&mut h, "Sign out");
    choose_desk_user(&mut h, "Test Receptionist");
    assert_eq!(text_value(&h, "NHS number"), "943 476 5919");
    assert_eq!(text_value(&h, "Patient name"), "Test Half Typed");
    // The keyboard is back where they left it: typing carries on there.
    h.event(egui::Event::Text(" Again".into()));
    h.run();
    assert_eq!(text_value(&h, "Patient name"), "Test Half Typed Again");
    assert!(
        h.state().status.text.contains("as you left it"),
        "{}",
        h.state().status.text
    );
}

/// Issue 29 #3: signing out with an item half typed says it is kept (naming
/// no patient), and it comes back when the same person signs in.
#[test]
fn signing_out_with_an_item_half_typed_says_it_is_kept() {
    let (_dir, path) = fixture_store();
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::O);
    h.run();
    type_into(&mut h, "NHS number", "943 476 5919");
    type_into(&mut h, "Patient name", "Test Half Typed");
    click(&mut h, "Sign out");
    h.run();
    let said = h.state().status.text.clone();
    assert!(said.contains("The item being typed is kept"), "{said}");
    assert!(
        !said.contains("943") && !said.contains("Half Typed"),
        "no patient on the sign-in screen: {said}"
    );
    choose_desk_user(&mut h, "Test Receptionist");
    assert_eq!(text_value(&h, "Patient name"), "Test Half Typed");
}

/// Issue 29 #5: an item that happened before the final extract (16/11/2026
/// 18:00) is warned of beside "When it happened" as it is typed, said when
/// saved, and flagged by when it happened (not when it was logged) on the
/// worklist, at each practice screen setting.
#[test]
fn an_item_from_before_the_final_extract_is_warned_of_and_flagged() {
    for (width, height, zoom) in common::ui::PRACTICE_SCREENS {
        let setting = format!("{width}x{height} at {zoom}");
        let (_dir, path) = fixture_store();
        let mut h = common::ui::app_on(
            SqliteStore::open(&path).unwrap(),
            egui::vec2(width, height),
            now,
        );
        choose_desk_user(&mut h, "Test Receptionist");
        h.ctx.set_zoom_factor(zoom);
        h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::O);
        h.run();
        type_into(&mut h, "NHS number", "943 476 5919");
        type_into(&mut h, "Patient name", "Test Patient");
        type_into(&mut h, "Details", "Something");
        assert!(!status_shows(&h, "Before the final extract"), "{setting}");
        type_into(&mut h, "When it happened", "");
        h.input_mut().events.push(egui::Event::Key {
            key: egui::Key::A,
            physical_key: None,
            pressed: true,
            repeat: false,
            modifiers: egui::Modifiers::COMMAND,
        });
        h.input_mut()
            .events
            .push(egui::Event::Text("15/11/2026".into()));
        h.run();
        assert!(
            status_shows(&h, "Before the final extract (16/11/2026 18:00)"),
            "warned beside the field as typed ({setting})"
        );
        h.key_press(egui::Key::Enter);
        h.run();
        assert!(
            h.state().status.text.contains("before the final extract"),
            "{setting}: {}",
            h.state().status.text
        );
        let items = SqliteStore::open(&path)
            .unwrap()
            .worklist_page(&WorklistFilter::default(), Default::default(), 0, 10)
            .unwrap();
        assert_eq!(items.len(), 1, "saved, as the person chose ({setting})");
        h.key_press(egui::Key::F3);
        h.run();
        common::ui::pick(&mut h, "Assigned to", "Anyone");
        assert!(
            h.query_all_by_label_contains("before extract")
                .next()
                .is_some(),
            "flagged on the worklist ({setting})"
        );
    }
}

/// Issue 29 #9: "Not saved: N problems" goes once the last is put right; a
/// change of kind keeps what still applies (the patient, the clinician chosen)
/// and says what it left behind instead of dropping it unseen.
#[test]
fn stale_words_go_and_a_change_of_kind_says_what_it_left() {
    let (_dir, path) = fixture_store();
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::O);
    h.run();
    type_into(&mut h, "NHS number", "943 476 5919");
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(status_shows(&h, "Not saved: 2 problems"));
    type_into(&mut h, "Patient name", "Test Patient");
    assert!(status_shows(&h, "Not saved: 1 problem"));
    type_into(&mut h, "Details", "Something");
    assert!(!status_shows(&h, "Not saved"), "{}", h.state().status.text);
    assert!(status_shows(&h, "Every problem is put right"));

    // An appointment under way, Booked with Dr Test Gp, turned into a call.
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::A);
    h.run();
    click(&mut h, "Booked");
    click(&mut h, "Dr Test Gp");
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::T);
    h.run();
    assert_eq!(text_value(&h, "NHS number"), "943 476 5919");
    assert_eq!(
        h.state().log.form.clinician.map(|c| c.0),
        Some(
            h.state()
                .store()
                .staff()
                .unwrap()
                .iter()
                .find(|s| s.name == "Dr Test Gp")
                .unwrap()
                .id
                .0
        ),
        "the clinician chosen stays"
    );
    assert!(
        status_shows(
            &h,
            "Now a telephone call: left behind from the appointment: Action"
        ),
        "what was left is said"
    );
}

/// Issue 29 #7: earlier entries that spell the patient two ways fill in
/// neither: each spelling is shown with its count for the person to pick (the
/// latest, "Obrien", was taken over two earlier "O'Brien"). An item being
/// corrected is not an earlier item of its own patient.
#[test]
fn spellings_seen_are_shown_with_counts_and_none_is_taken_silently() {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    for (name, at) in [
        ("O'Brien, Margaret", "2026-11-18T09:00"),
        ("O'Brien, Margaret", "2026-11-18T10:00"),
        ("Obrien, Margaret", "2026-11-19T09:00"),
    ] {
        let mut i = input(ItemKind::Other, &gp, NHS_A, at);
        i.patient.name = name.into();
        p.store.log_item(&i, &p.desk(during())).unwrap();
    }
    let path = p.path();
    drop(p.store);
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::O);
    h.run();
    type_into(&mut h, "NHS number", NHS_A);
    assert_eq!(
        text_value(&h, "Patient name"),
        "",
        "no spelling taken silently"
    );
    assert!(status_shows(&h, "known patient: 3 earlier items"));
    assert!(status_shows(&h, "O'Brien, Margaret (2)"));
    assert!(status_shows(&h, "Obrien, Margaret (1)"));
    click(&mut h, "O'Brien, Margaret (2)");
    assert_eq!(text_value(&h, "Patient name"), "O'Brien, Margaret");
}

/// Issue 29 #7: "Known patient: 1 earlier item" counted the item being
/// corrected: the only item of its patient has no earlier item.
#[test]
fn the_item_being_corrected_is_not_an_earlier_item_of_its_patient() {
    let (_dir, item, mut h) = reception_with_one_item();
    click(&mut h, "Correct");
    assert!(status_shows(&h, &format!("Correcting item {}", item.id.0)));
    assert!(
        !status_shows(&h, "known patient"),
        "the item itself is not an earlier item"
    );
}

/// Issue 29 #6: Today's log keeps its heading, its "Logged by me / Whole
/// practice" choice and at least three rows in view beside the longest forms
/// (appointment, prescription) at every practice screen setting; the form
/// scrolls instead.
#[test]
fn todays_log_keeps_its_heading_and_three_rows_beside_the_longest_forms() {
    for (width, height, zoom) in common::ui::PRACTICE_SCREENS {
        let mut p = Practice::new();
        let gp = p.gp.clone();
        for i in 0..5u32 {
            let mut inp = input(ItemKind::Other, &gp, &nhs(i * 3 + 1), "2026-11-20T09:00");
            inp.patient.name = format!("Test Today {i}");
            p.store.log_item(&inp, &p.desk(now())).unwrap();
        }
        let path = p.path();
        drop(p.store);
        let mut h = common::ui::app_on(
            SqliteStore::open(&path).unwrap(),
            egui::vec2(width, height),
            now,
        );
        choose_desk_user(&mut h, "Test Receptionist");
        h.ctx.set_zoom_factor(zoom);
        h.run();
        for kind in [egui::Key::P, egui::Key::A] {
            let setting = format!("{width}x{height} at {zoom}, Alt+{kind:?}");
            h.key_press_modifiers(egui::Modifiers::ALT, kind);
            h.run();
            let window = h.ctx.content_rect();
            let inside = |r: egui::Rect| window.contains_rect(r.shrink(0.5));
            for label in ["Today's log", "Logged by me", "Whole practice"] {
                let r = h.get_by_label(label).rect();
                assert!(inside(r), "{label} at {r:?} outside {window:?} ({setting})");
            }
            // Whole rows above the status line (its text and margins, ~24
            // points), not rows drawn under it and clipped.
            let above_status = |r: egui::Rect| inside(r) && r.bottom() <= window.bottom() - 24.0;
            let rows = h
                .query_all_by_label_contains("Test Today")
                .filter(|n| above_status(n.rect()))
                .count();
            assert!(
                rows >= 3,
                "only {rows} rows of today's log show ({setting})"
            );
            // And the form's Save is still reachable: the form scrolls.
            assert!(
                h.query_by_role_and_label(Role::Button, "Save (Enter)")
                    .is_some()
                    || h.query_all_by_label_contains("Save").next().is_some(),
                "{setting}"
            );
        }
    }
}

/// Issue 29 #6: where the form is taller than its room (the prescription at
/// 125 %), Tab down the form scrolls it so the field with the keyboard is in
/// view above today's log.
#[test]
fn the_form_scrolls_to_follow_the_keyboard() {
    for (width, height, zoom) in common::ui::PRACTICE_SCREENS {
        let setting = format!("{width}x{height} at {zoom}");
        let (_dir, path) = fixture_store();
        let mut h = common::ui::app_on(
            SqliteStore::open(&path).unwrap(),
            egui::vec2(width, height),
            now,
        );
        choose_desk_user(&mut h, "Test Receptionist");
        h.ctx.set_zoom_factor(zoom);
        h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::P);
        h.run();
        let mut tabs = 0;
        loop {
            let on_details = h
                .get_by_role_and_label(Role::MultilineTextInput, "Details")
                .is_focused();
            if on_details {
                break;
            }
            tabs += 1;
            assert!(tabs < 30, "Tab never reached Details ({setting})");
            h.key_press(egui::Key::Tab);
            h.run();
        }
        // The scroll settles.
        for _ in 0..10 {
            h.run();
        }
        let details = h
            .get_by_role_and_label(Role::MultilineTextInput, "Details")
            .rect();
        let log = h.get_by_label("Today's log").rect();
        assert!(
            details.bottom() <= log.top() && details.top() > 0.0,
            "Details at {details:?} is not in view above today's log at {log:?} ({setting})"
        );
    }
}

/// Issue 29 #9: the keyboard goes back to the form's field after Help (F1 and
/// Esc), a text-size change and unlocking, so the next keys typed are not lost.
#[test]
fn the_keyboard_goes_back_to_the_form_after_help_text_size_and_unlocking() {
    let (_dir, path) = fixture_store();
    let mut h = harness(SqliteStore::open(&path).unwrap());
    choose_desk_user(&mut h, "Test Receptionist");
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::O);
    h.run();
    type_into(&mut h, "Patient name", "Test");
    let typed = |h: &mut Harness<'_, CutoverApp>, text: &str| {
        h.event(egui::Event::Text(text.into()));
        h.run();
    };
    h.key_press(egui::Key::F1);
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    typed(&mut h, " Patient");
    assert_eq!(text_value(&h, "Patient name"), "Test Patient", "after Help");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Plus);
    h.run();
    typed(&mut h, " Smith");
    assert_eq!(
        text_value(&h, "Patient name"),
        "Test Patient Smith",
        "after a text-size change"
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    h.run();
    type_into(&mut h, "Password", TEST_PASSWORD);
    h.key_press(egui::Key::Enter);
    h.run();
    typed(&mut h, "-Jones");
    assert_eq!(
        text_value(&h, "Patient name"),
        "Test Patient Smith-Jones",
        "after unlocking"
    );
}

/// Found in the real window (issue 29 #9): right after the first sign-in no
/// field had the keyboard, so what reception typed straight away was lost. The
/// NHS number has it, whatever is typed at once goes there.
#[test]
fn the_first_keys_after_signing_in_go_into_the_nhs_number() {
    let (_dir, path) = fixture_store();
    let mut h = harness(SqliteStore::open(&path).unwrap());
    common::ui::pick(&mut h, "Name", "Test Receptionist (Reception / admin)");
    common::ui::type_into(&mut h, "Password", TEST_PASSWORD);
    h.key_press(egui::Key::Enter);
    h.run();
    h.event(egui::Event::Text("999".into()));
    h.run();
    assert_eq!(text_value(&h, "NHS number"), "999");
}
