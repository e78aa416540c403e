//! Setting up, signing in and setting passwords from the keyboard, and the Audit
//! screen in people's words, driven through the real UI with egui_kittest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::NaiveDateTime;
use common::*;
use cutover_log::store::{CutoverStore, SqliteStore};
use cutover_log::ui::CutoverApp;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use common::ui::{pick, type_into};

fn now() -> NaiveDateTime {
    t("2026-11-20T10:00")
}

fn harness(store: SqliteStore) -> Harness<'static, CutoverApp> {
    common::ui::app_on(store, egui::vec2(1366.0, 768.0), now)
}

use common::ui::{click, shows};

fn key(h: &mut Harness<'_, CutoverApp>, key: egui::Key) {
    h.key_press(key);
    h.run();
}

/// Types into whatever has keyboard focus, as a keyboard would.
fn type_here(h: &mut Harness<'_, CutoverApp>, text: &str) {
    h.event(egui::Event::Text(text.into()));
    h.run();
}

fn is_focused(h: &Harness<'_, CutoverApp>, role: Role, label: &str) -> bool {
    h.get_by_role_and_label(role, label).is_focused()
}

/// Whether any option of the sign-in name list is on screen.
fn name_list_open(h: &Harness<'_, CutoverApp>) -> bool {
    [
        "Dr Test Gp (GP)",
        "Test Nurse (Nurse)",
        "Test Manager (Practice manager)",
    ]
    .iter()
    .any(|o| h.query_by_label(o).is_some())
}

fn staff_row_shown(h: &Harness<'_, CutoverApp>, row: &str) -> bool {
    h.query_by_label(row).is_some()
}

#[test]
fn setup_from_the_keyboard_enter_adds_staff_and_creates_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite3");
    let mut h = harness(SqliteStore::open(&path).unwrap());
    type_into(&mut h, "Practice name", "Test Surgery");
    type_into(&mut h, "ODS code", "A81001");
    type_into(&mut h, "Cutover starts (final extract)", "16/11/2026");
    type_into(&mut h, "Planned go-live", "23/11/2026");

    // Enter in the name box adds the row (the practice manager, the first role
    // offered) and leaves the box empty and focused for the next name.
    type_into(&mut h, "Staff name", "Test Manager");
    key(&mut h, egui::Key::Enter);
    assert!(
        staff_row_shown(&h, "Test Manager - Practice manager"),
        "Enter in the staff name box adds the row"
    );
    assert_eq!(
        h.get_by_role_and_label(Role::TextInput, "Staff name")
            .value()
            .unwrap_or_default(),
        ""
    );
    assert!(is_focused(&h, Role::TextInput, "Staff name"));

    // Name, Tab to the roles (one Tab stop: the chosen one), Right to GP,
    // Enter: picked and added.
    type_here(&mut h, "Dr Test Gp");
    key(&mut h, egui::Key::Tab);
    assert!(
        is_focused(&h, Role::Button, "Reception / admin"),
        "one Tab reaches the roles, at the chosen one"
    );
    key(&mut h, egui::Key::ArrowRight);
    assert!(is_focused(&h, Role::Button, "GP"), "Right moves the choice");
    key(&mut h, egui::Key::Enter);
    assert!(staff_row_shown(&h, "Dr Test Gp - GP"));
    assert!(is_focused(&h, Role::TextInput, "Staff name"));

    // A row added by mistake comes off before the log is created.
    type_here(&mut h, "Test Mistake");
    key(&mut h, egui::Key::Enter);
    assert!(staff_row_shown(&h, "Test Mistake - Reception / admin"));
    click(&mut h, "Remove Test Mistake");
    assert!(!staff_row_shown(&h, "Test Mistake - Reception / admin"));
    assert!(staff_row_shown(&h, "Test Manager - Practice manager"));

    // Enter in the password goes on to the repeat; Enter there creates the log.
    type_into(&mut h, "Practice manager's password", TEST_PASSWORD);
    key(&mut h, egui::Key::Enter);
    assert!(
        h.state().store().project().unwrap().is_none(),
        "not created from the first password box"
    );
    assert!(is_focused(&h, Role::PasswordInput, "Repeat the password"));
    type_here(&mut h, TEST_PASSWORD);
    key(&mut h, egui::Key::Enter);

    let project = h
        .state()
        .store()
        .project()
        .unwrap()
        .expect("Enter on the last box creates the log");
    assert_eq!(project.ods_code.as_str(), "A81001");
    let staff = h.state().store().staff().unwrap();
    let mut names: Vec<(&str, cutover_log::domain::Role)> =
        staff.iter().map(|s| (s.name.as_str(), s.role)).collect();
    names.sort_by_key(|(n, _)| *n);
    assert_eq!(
        names,
        vec![
            ("Dr Test Gp", cutover_log::domain::Role::Gp),
            ("Test Manager", cutover_log::domain::Role::PracticeManager),
        ],
        "the removed row was never created"
    );
}

fn signed_out_practice() -> (Practice, Harness<'static, CutoverApp>) {
    let p = Practice::new();
    let h = harness(SqliteStore::open(&p.path()).unwrap());
    (p, h)
}

#[test]
fn choosing_a_name_by_keyboard_closes_the_list_and_goes_to_the_password() {
    let (p, mut h) = signed_out_practice();
    // Arrows and Enter.
    h.get_by_role_and_label(Role::ComboBox, "Name").focus();
    h.run();
    key(&mut h, egui::Key::Enter);
    assert!(name_list_open(&h), "Enter opens the list");
    // The list is in name order: Dr Test Gp, Test Manager, Test Nurse, Test Receptionist.
    for _ in 0..4 {
        key(&mut h, egui::Key::ArrowDown);
    }
    key(&mut h, egui::Key::Enter);
    assert!(!name_list_open(&h), "choosing a name closes the list");
    assert!(!egui::Popup::is_any_open(&h.ctx));
    assert!(
        is_focused(&h, Role::PasswordInput, "Password"),
        "the password box is next"
    );
    assert!(
        h.state().desk.error.is_none(),
        "the Enter that chose the name did not also try to sign in: {:?}",
        h.state().desk.error
    );
    type_here(&mut h, TEST_PASSWORD);
    key(&mut h, egui::Key::Enter);
    assert_eq!(
        h.state().status.text,
        "Signed in as Test Receptionist.",
        "the fourth name, chosen by arrows"
    );
    click(&mut h, "Sign out");

    // Typing the start of a name, a key at a time (a space is part of the name).
    h.get_by_role_and_label(Role::ComboBox, "Name").focus();
    h.run();
    for c in "test m".chars() {
        if c == ' ' {
            h.key_press(egui::Key::Space);
        }
        type_here(&mut h, &c.to_string());
    }
    assert_eq!(
        h.get_by_role_and_label(Role::ComboBox, "Name")
            .value()
            .as_deref(),
        Some("Test Manager")
    );
    key(&mut h, egui::Key::Enter);
    assert!(!name_list_open(&h));
    assert!(is_focused(&h, Role::PasswordInput, "Password"));
    type_here(&mut h, TEST_PASSWORD);
    key(&mut h, egui::Key::Enter);
    assert_eq!(h.state().status.text, "Signed in as Test Manager.");
    // No failed sign-in was recorded on the way.
    let failed = p
        .store
        .audit_log(&Default::default(), 0, 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "session.sign_in_failed")
        .count();
    assert_eq!(failed, 0);
}

fn manager_on_practice_screen() -> (Practice, Harness<'static, CutoverApp>) {
    let (p, mut h) = signed_out_practice();
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    key(&mut h, egui::Key::F5);
    (p, h)
}

fn can_sign_in(p: &Practice, name: &str, password: &str) -> bool {
    SqliteStore::open(&p.path())
        .unwrap()
        .sign_in(name, password, now())
        .is_ok()
}

#[test]
fn setting_a_password_asks_for_it_twice() {
    let (p, mut h) = manager_on_practice_screen();
    pick(&mut h, "Set the password of", "Test Receptionist");
    type_into(&mut h, "New password", "changed-password-1");
    type_into(&mut h, "Repeat the password", "changed-password-2");
    click(&mut h, "Set password");
    assert!(
        shows(&h, "The two passwords are not the same"),
        "a mismatch says so beside the boxes"
    );
    assert!(!can_sign_in(&p, "Test Receptionist", "changed-password-1"));
    assert!(!can_sign_in(&p, "Test Receptionist", "changed-password-2"));
    assert!(
        can_sign_in(&p, "Test Receptionist", TEST_PASSWORD),
        "nothing was saved"
    );

    // Typed the same twice, Enter in the repeat box sets it.
    type_into(&mut h, "New password", "changed-password-1");
    key(&mut h, egui::Key::Enter);
    assert!(is_focused(&h, Role::PasswordInput, "Repeat the password"));
    type_here(&mut h, "changed-password-1");
    key(&mut h, egui::Key::Enter);
    assert!(shows(&h, "Password set for Test Receptionist."));
    assert!(!shows(&h, "The two passwords are not the same"));
    assert!(can_sign_in(&p, "Test Receptionist", "changed-password-1"));
}

#[test]
fn the_practice_screen_forgets_the_last_person() {
    let (_p, mut h) = manager_on_practice_screen();
    pick(&mut h, "Set the password of", "Test Receptionist");
    type_into(&mut h, "New password", "half-typed");
    type_into(&mut h, "New staff name", "Half Added");
    h.state_mut().practice.forget_person();
    h.run();
    assert_eq!(
        h.get_by_role_and_label(Role::ComboBox, "Set the password of")
            .value()
            .as_deref(),
        Some("choose"),
        "another person's staff record is no longer chosen"
    );
    assert_eq!(
        h.get_by_role_and_label(Role::TextInput, "New staff name")
            .value()
            .unwrap_or_default(),
        ""
    );
    let typed = h
        .get_by_role_and_label(Role::PasswordInput, "New password")
        .value()
        .unwrap_or_default();
    assert!(typed.is_empty(), "password box still holds {typed:?}");
}

#[test]
fn the_audit_screen_says_what_happened_in_words() {
    let (mut p, mut h) = signed_out_practice();
    let gp = p.gp.clone();
    let mut inp = input(
        cutover_log::domain::ItemKind::Prescription,
        &gp,
        NHS_A,
        "2026-11-20T09:50",
    );
    let item = p.store.log_item(&inp, &p.desk(now())).unwrap();
    inp.fields.insert("dose".into(), "Two daily".into());
    let edited = p
        .store
        .edit_item(item.id, item.version, &inp, &p.desk(now()))
        .unwrap();
    // A tick's event holds no kind: the screen still names the item's kind
    // and day (issue 28 #14).
    p.store
        .set_status(
            &[edited.seen()],
            &cutover_log::domain::StatusChange::ReEntered {
                note: String::new(),
            },
            &p.as_gp(now()),
        )
        .unwrap();
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    key(&mut h, egui::Key::F7);
    for words in [
        "Signed in",
        "Logged a prescription",
        "Corrected the item: Dose / directions: One daily -> Two daily",
        "Set the password of Test Receptionist",
        "Added Dr Test Gp (GP) to the staff list",
        "Set up the cutover log for Test Surgery (A81001)",
    ] {
        assert!(shows(&h, words), "the audit screen lacks {words:?}");
    }
    let item_subject = format!("Item {} (Prescription, 20/11/2026 09:50)", item.id.0);
    assert_eq!(
        h.query_all_by_label(&item_subject).count(),
        3,
        "logged, corrected and ticked, each naming the item's kind and day"
    );
    for code in [
        "session signed_in",
        "staff password_set",
        "item logged",
        "item edited",
    ] {
        assert!(!shows(&h, code), "a code on the audit screen: {code:?}");
    }
    assert!(
        !shows(&h, &format!("item {}", item.id.0)),
        "the item is named, not coded"
    );
}

/// Issue 29 #8: the first field has the keyboard when setup opens (the first
/// letters typed are not lost), Tab goes to the next field of the form (not
/// "Connect to practice server"), the password's minimum is said before it
/// fails, a failed Create says where the problem is and puts the keyboard
/// there, and its message goes once the password is put right.
#[test]
fn setup_starts_in_the_first_field_and_a_failed_create_says_where() {
    for (width, height, zoom) in common::ui::PRACTICE_SCREENS {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite3");
        let mut h = common::ui::app_on(
            SqliteStore::open(&path).unwrap(),
            egui::vec2(width, height),
            now,
        );
        h.ctx.set_zoom_factor(zoom);
        h.run();
        // Typed at once, with no click: into the practice's name; Tab then
        // types the ODS code.
        h.input_mut().events.extend([
            egui::Event::Text("Test Surgery".into()),
            egui::Event::Key {
                key: egui::Key::Tab,
                physical_key: None,
                pressed: true,
                repeat: false,
                modifiers: egui::Modifiers::NONE,
            },
            egui::Event::Text("A81001".into()),
        ]);
        h.run();
        let value = |h: &Harness<'_, CutoverApp>, label| {
            h.get_by_role_and_label(Role::TextInput, label)
                .value()
                .unwrap_or_default()
        };
        assert_eq!(value(&h, "Practice name"), "Test Surgery");
        assert_eq!(value(&h, "ODS code"), "A81001");
        assert!(
            shows(&h, "at least 8 characters"),
            "the minimum, said first"
        );
        type_into(&mut h, "Cutover starts (final extract)", "16/11/2026");
        type_into(&mut h, "Planned go-live", "23/11/2026");
        type_into(&mut h, "Staff name", "Test Manager");
        key(&mut h, egui::Key::Enter);
        type_into(&mut h, "Practice manager's password", "short");
        h.get_by_role_and_label(Role::Button, "Create the cutover log")
            .scroll_to_me();
        h.run();
        click(&mut h, "Create the cutover log");
        assert!(h.state().store().project().unwrap().is_none());
        assert!(
            h.state()
                .status
                .text
                .contains("see the message beside the password"),
            "{}",
            h.state().status.text
        );
        assert!(shows(&h, "choose a password of at least 8 characters"));
        assert!(
            is_focused(&h, Role::PasswordInput, "Practice manager's password"),
            "the keyboard goes to the field with the message"
        );
        // Put right: the message goes before Create is pressed again.
        type_here(&mut h, " and longer");
        // Long enough now, not yet typed twice: the message says so.
        assert!(shows(&h, "the two passwords are not the same"));
        type_into(&mut h, "Repeat the password", "short and longer");
        assert!(
            !h.state().status.text.contains("see the message"),
            "{}",
            h.state().status.text
        );
        assert!(
            !shows(&h, "choose a password of at least 8 characters"),
            "{width}x{height} at {zoom}"
        );
        key(&mut h, egui::Key::Enter);
        assert!(h.state().store().project().unwrap().is_some());
    }
}

/// Issue 29 #8: the Practice screen says which staff have no password yet
/// (they cannot sign in), and stops saying it once one is set.
#[test]
fn the_practice_screen_shows_who_has_no_password_yet() {
    let mut p = Practice::new();
    p.store
        .add_staff(
            "Dr Test Locum",
            cutover_log::domain::Role::Gp,
            &p.as_manager(now()),
        )
        .unwrap();
    let mut h = harness(SqliteStore::open(&p.path()).unwrap());
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    key(&mut h, egui::Key::F5);
    assert_eq!(h.query_all_by_label("no password yet").count(), 1);
    pick(&mut h, "Set the password of", "Dr Test Locum");
    type_into(&mut h, "New password", "locum-password-1");
    type_into(&mut h, "Repeat the password", "locum-password-1");
    click(&mut h, "Set password");
    assert!(shows(&h, "Password set for Dr Test Locum"));
    assert_eq!(h.query_all_by_label("no password yet").count(), 0);
}

/// Issue 31 #6: the Practice screen shows the audit trail's head (N:HASH) to
/// keep outside the computer, the one `verify --against` checks.
#[test]
fn the_practice_screen_shows_the_audit_trails_head() {
    let p = Practice::new();
    let anchor = p.store.chain_anchor().unwrap().expect("events").text();
    let mut h = harness(SqliteStore::open(&p.path()).unwrap());
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    key(&mut h, egui::Key::F5);
    let shown = h
        .get_by_label_contains("Audit trail head")
        .value()
        .unwrap_or_default();
    // Signing in adds an event: the head shown is the newest, and the one read
    // before is an earlier event of the same chain.
    let (n, _) = shown.split_once(':').expect("N:HASH");
    let (m, _) = anchor.split_once(':').expect("N:HASH");
    assert!(
        n.parse::<i64>().unwrap() >= m.parse::<i64>().unwrap(),
        "{shown}"
    );
    assert_eq!(
        Some(shown.clone()),
        p.store.chain_anchor().unwrap().map(|a| a.text())
    );
    assert!(shows(&h, &format!("verify --against {shown}")));
}
