//! Capture from a report, driven through the real UI as the practice would: the
//! report's path typed, the kind chosen, the suggested mapping checked and one
//! field given, the preview read, then Capture. Synthetic patients only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::NaiveDateTime;
use common::ui::{click, pick, shows, type_into};
use common::*;
use cutover_log::domain::ItemKind;
use cutover_log::store::{CutoverStore, SqliteStore};
use egui_kittest::kittest::{NodeT, Queryable};

fn now() -> NaiveDateTime {
    t("2026-11-20T16:00")
}

type App = egui_kittest::Harness<'static, cutover_log::ui::CutoverApp>;

/// The app on the log at `path`, `size`, text at `zoom`: reception signed in,
/// Capture (F8) opened, the report's path typed and Enter pressed.
fn reading(path: &std::path::Path, report: &std::path::Path, size: egui::Vec2, zoom: f32) -> App {
    let mut h = common::ui::app_on(SqliteStore::open(path).unwrap(), size, now);
    common::ui::sign_in(&mut h, "Test Receptionist (Reception / admin)");
    h.ctx.set_zoom_factor(zoom);
    h.key_press(egui::Key::F8);
    h.run();
    assert_eq!(h.state().screen, cutover_log::ui::Screen::Capture);
    type_into(&mut h, "Report file", report.to_str().unwrap());
    h.key_press(egui::Key::Enter);
    h.step();
    h
}

/// Steps frames until the capture's own thread has finished.
fn wait_for_capture(h: &mut App) {
    wait_for_writing(h, |app| app.capture.is_running());
}

/// Steps frames until a screen's own writing thread has finished.
fn wait_for_writing(h: &mut App, running: fn(&cutover_log::ui::CutoverApp) -> bool) {
    for _ in 0..2000 {
        if !running(h.state()) {
            h.run_steps(2);
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    panic!("the writing thread never finished");
}

/// Scrolls to the top (where the counts are) and steps frames until the whole
/// report has been checked against the log.
fn wait_for_whole(h: &mut App) {
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Report file")
        .scroll_to_me();
    h.step();
    for _ in 0..1000 {
        if shows(h, "already logged by hand ·") {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    panic!("the whole report was never checked");
}

/// One key pressed, as a queued input event.
fn key(key: egui::Key) -> egui::Event {
    egui::Event::Key {
        key,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: egui::Modifiers::NONE,
    }
}

/// Scrolls the combo box labelled `label` into view, as a person would.
fn scroll_to(h: &mut App, label: &str) {
    h.get_by_role_and_label(egui::accesskit::Role::ComboBox, label)
        .scroll_to_me();
    h.run_steps(5); // the scroll is animated
}

/// An EMIS-like appointment report: title lines, a blank line, a totals line.
const APPOINTMENTS: &str = "Appointments report\n\
Run by: Test Manager\n\
\n\
Appointment Date,Start Time,Slot Type,Session Holder,Status,NHS Number,Surname,Forename,DOB\n\
27-Nov-2026,10:30,Routine GP,Dr T GP,Booked,9990000018,TESTER,Siân,11-Nov-41\n\
27-Nov-2026,11:00,Routine GP,Dr T GP,Booked,9990000026,PATIENT,Test,02/03/1980\n\
28-Nov-2026,09:10,Nurse,Dr T GP,Booked,9990000034,OTHER,Test,2001-05-06\n\
Total: 3\n";

#[test]
fn a_report_is_previewed_then_captured_from_the_screen() {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    // Reception booked one of the three by hand.
    let mut booked = input(ItemKind::Appointment, &gp, NHS_A, "2026-11-18T09:00");
    booked
        .fields
        .insert("appointment_at".into(), "2026-11-27T10:30".into());
    p.store.log_item(&booked, &p.desk(during())).unwrap();
    let report = p.dir.path().join("appointments.csv");
    std::fs::write(&report, APPOINTMENTS).unwrap();
    let path = p.path();

    for size in [egui::vec2(1366.0, 768.0), egui::vec2(1280.0, 720.0)] {
        let mut h = reading(&path, &report, size, 1.0);
        h.run();
        assert!(shows(&h, "3 rows under the header"), "Enter reads the file");
        pick(&mut h, "Every row is", "Appointment");
        h.run();
        assert!(
            shows(&h, "3 rows under the header"),
            "{:?}",
            h.state().status.text
        );
        assert!(
            shows(
                &h,
                "2 rows the hand log missed · 1 already logged by hand · 0 captured before from this file · 0 rejected"
            ),
            "the preview counts every row"
        );
        assert!(
            shows(&h, "confirms item 1"),
            "the booked row is the item reception logged"
        );
        // The mapping the screen suggested is shown field by field.
        assert_eq!(
            h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Appointment date and time")
                .value()
                .as_deref(),
            Some("date 'Appointment Date' + time 'Start Time'")
        );
        if size.x < 1300.0 {
            break;
        }
        // Nothing is stored before Capture: a fresh screen at the next size.
        assert_eq!(SqliteStore::open(&path).unwrap().verify().unwrap().items, 1);
    }

    let mut h = reading(&path, &report, egui::vec2(1366.0, 768.0), 1.0);
    h.run();
    pick(&mut h, "Every row is", "Appointment");
    h.run();
    click(&mut h, "Capture 3 rows");
    // The capture runs on its own thread (progress and Cancel on screen).
    wait_for_capture(&mut h);
    h.run();
    assert!(
        h.state()
            .status
            .text
            .contains("Captured 2 items the hand log missed; 1 logged items confirmed"),
        "{:?}",
        h.state().status.text
    );
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.verify().unwrap().items, 3);
    assert!(store.verify().unwrap().is_ok());
    assert_eq!(
        store.capture_mappings().unwrap().len(),
        1,
        "the confirmed mapping is saved for tomorrow's report"
    );
    h.run();
    assert!(
        shows(
            &h,
            "0 rows the hand log missed · 0 already logged by hand · 3 captured before from this file"
        ),
        "the same file again adds nothing"
    );
    assert!(
        h.get_by_role_and_label(
            egui::accesskit::Role::Button,
            "Nothing to capture: every row was captured before"
        )
        .accesskit_node()
        .is_disabled(),
        "no Capture button that would only pass the rows over again"
    );
}

/// Fast typing on a slow PC: the path and Enter in one frame, straight after F8
/// (the path box has the focus when the screen opens), read the report; at
/// 1366 x 768 and 1280 x 720, text at 100% and 125%, the counts and the Capture
/// button are on screen without scrolling.
#[test]
fn the_path_and_enter_in_one_frame_read_the_report_and_capture_is_in_view() {
    let p = Practice::new();
    let report = p.dir.path().join("appointments.csv");
    std::fs::write(&report, APPOINTMENTS).unwrap();
    let path = p.path();
    for (width, height) in [(1366.0_f32, 768.0_f32), (1280.0, 720.0)] {
        for zoom in [1.0_f32, 1.25] {
            let setting = format!("{width} x {height}, text at {:.0}%", zoom * 100.0);
            let mut h = common::ui::app_on(
                SqliteStore::open(&path).unwrap(),
                egui::vec2(width, height),
                now,
            );
            common::ui::sign_in(&mut h, "Test Receptionist (Reception / admin)");
            h.ctx.set_zoom_factor(zoom);
            h.run();
            h.input_mut().events.extend([
                key(egui::Key::F8),
                egui::Event::Text(report.to_str().unwrap().to_string()),
                key(egui::Key::Enter),
            ]);
            h.step();
            h.run_steps(4);
            h.run();
            assert!(shows(&h, "3 rows under the header"), "read ({setting})");
            pick(&mut h, "Every row is", "Appointment");
            h.run();
            let window = h.ctx.content_rect();
            let button = h
                .get_by_role_and_label(egui::accesskit::Role::Button, "Capture 3 rows")
                .rect();
            assert!(
                window.contains_rect(button),
                "Capture at {button:?} is not inside the window {window:?} ({setting})"
            );
        }
    }
}

/// A long report (more rows than are checked at once) from a practice whose
/// report says the kind in a column and names a locum the staff list does not
/// know: the first rows show while the whole is checked; the person matches the
/// kind and the clinician once, on the screen; everything is then captured and
/// the matches are remembered in the saved mapping.
#[test]
fn a_long_report_shows_its_first_rows_then_kinds_and_clinicians_are_matched_on_screen() {
    use std::fmt::Write as _;
    let p = Practice::new();
    let path = p.path();
    let mut csv = String::from(
        "Record Type,Appointment Date,Start Time,Session Holder,Status,NHS Number,Surname,Forename,DOB\n",
    );
    let rows = 2_500;
    for i in 0..rows {
        let (day, minute) = (21 + i / 600, 8 * 60 + i % 600);
        let number = if i % 2 == 0 {
            NHS_A.to_string()
        } else {
            nhs(7)
        };
        writeln!(
            csv,
            "Appt,{day}-Nov-2026,{:02}:{:02},Dr Q LOCUM,Booked,{number},PATIENT,Test,02/03/1980",
            minute / 60,
            minute % 60
        )
        .unwrap();
    }
    let report = p.dir.path().join("long.csv");
    std::fs::write(&report, csv).unwrap();

    // At each screen size and text size, the matching is done on the screen
    // (nothing is stored before Capture); the last setting captures.
    let settings = [
        (egui::vec2(1366.0, 768.0), 1.0),
        (egui::vec2(1366.0, 768.0), 1.25),
        (egui::vec2(1280.0, 720.0), 1.0),
        (egui::vec2(1280.0, 720.0), 1.25),
    ];
    for (n, (size, zoom)) in settings.into_iter().enumerate() {
        let setting = format!("{} x {}, text at {:.0}%", size.x, size.y, zoom * 100.0);
        let mut h = reading(&path, &report, size, zoom);
        assert!(
            shows(&h, "Checking all 2500 rows against the log")
                || shows(&h, "already logged by hand ·"),
            "the first rows are shown at once ({setting})"
        );
        wait_for_whole(&mut h);
        assert!(
            shows(&h, "0 rows the hand log missed"),
            "no kind yet: every row is rejected ({setting})"
        );

        // The kind comes from a column; its one value is matched to a kind.
        scroll_to(&mut h, "Kind");
        pick(&mut h, "Kind", "column 'Record Type'");
        // The whole report is checked again (the list of rejected rows grows
        // from the first rows' to twenty, moving what is below it): wait for it.
        wait_for_whole(&mut h);
        scroll_to(&mut h, "'Appt' is");
        pick(&mut h, "'Appt' is", "Appointment");
        assert_eq!(
            h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "'Appt' is")
                .value()
                .as_deref(),
            Some("Appointment"),
            "{setting}"
        );
        wait_for_whole(&mut h);
        assert!(
            shows(
                &h,
                "0 rows the hand log missed · 0 already logged by hand · 0 captured before from this file · 2500 rejected"
            ),
            "the locum is not on the staff list yet ({setting})"
        );
        scroll_to(&mut h, "'Dr Q LOCUM' is");
        assert_eq!(
            h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "'Dr Q LOCUM' is")
                .value()
                .as_deref(),
            Some("not matched: choose who this is"),
            "{setting}"
        );
        pick(&mut h, "'Dr Q LOCUM' is", "Dr Test Gp");
        assert_eq!(
            h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "'Dr Q LOCUM' is")
                .value()
                .as_deref(),
            Some("Dr Test Gp (matched here)"),
            "{setting}"
        );

        // A fast typist names the mapping and tabs on in one frame: the text
        // typed before Tab is the name's, the text after it is not.
        let name = h
            .get_by_role_and_label(egui::accesskit::Role::TextInput, "Mapping name")
            .value()
            .unwrap_or_default();
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Mapping name")
            .scroll_to_me();
        h.step();
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Mapping name")
            .focus();
        h.step();
        h.input_mut().events.extend([
            key(egui::Key::End),
            egui::Event::Text(" issues".into()),
            key(egui::Key::Tab),
            egui::Event::Text("zz".into()),
        ]);
        h.step();
        h.run_steps(6);
        assert_eq!(
            h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Mapping name")
                .value()
                .as_deref(),
            Some(format!("{name} issues").as_str()),
            "{setting}"
        );
        wait_for_whole(&mut h);
        assert!(
            shows(
                &h,
                "2500 rows the hand log missed · 0 already logged by hand · 0 captured before from this file · 0 rejected"
            ),
            "{setting}: the screen says {:?}",
            h.query_all_by_label_contains("rows the hand log missed")
                .filter_map(|n| n.accesskit_node().label())
                .collect::<Vec<_>>()
        );
        let window = h.ctx.content_rect();
        let button = h
            .get_by_role_and_label(egui::accesskit::Role::Button, "Capture 2500 rows")
            .rect();
        assert!(
            window.contains_rect(button),
            "Capture at {button:?} is not inside the window {window:?} ({setting})"
        );
        if n + 1 < settings.len() {
            assert_eq!(SqliteStore::open(&path).unwrap().verify().unwrap().items, 0);
            continue;
        }
        click(&mut h, "Capture 2500 rows");
        wait_for_capture(&mut h);
        h.run_steps(5); // the log changed: the report is checked again (a spinner)
        assert!(
            h.state()
                .status
                .text
                .contains("Captured 2500 items the hand log missed"),
            "{:?}",
            h.state().status.text
        );
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.verify().unwrap().items, 2500);
    let saved = store.capture_mappings().unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].name, "long issues", "the name typed before Tab");
    assert_eq!(
        saved[0].clinicians.get("Dr Q LOCUM").map(String::as_str),
        Some("Dr Test Gp"),
        "the locum's match is remembered for tomorrow's report"
    );
    assert_eq!(saved[0].value_for("kind", "Appt"), Some("appointment"));
}

/// After go-live: a SystmOne-like report of medication issued.
fn issued_report(amlodipine: &str, metformin: &str, stranger: &str) -> String {
    format!(
        "NHS Number,Surname,First Name,Date of Birth,Drug,Dosage,Quantity,Issue Date,Prescriber\n\
         {amlodipine},TESTER,Sian,11/11/1941,AMLODIPINE 5MG TABLETS,One daily,28,24/11/2026,Dr Test Gp\n\
         {metformin},PATIENT,Test,02/03/1980,Metformn 500mg tablets,One twice daily,56,24/11/2026,Dr Test Gp\n\
         {stranger},PERSON,Other,04/05/1990,Sertraline 50mg tablets,One daily,28,25/11/2026,Dr Test Gp\n"
    )
}

fn after_go_live() -> NaiveDateTime {
    t("2026-11-26T10:00")
}

/// Reconcile (F9), driven as a clinician would after go-live at 1366x768 and
/// 1280x720, each with text at 100 % and 125 %: the path and Enter typed in one frame,
/// every row a prescription, the results read (the confident match proposed, the
/// misspelt drug left to judge, the ticked item not found, the stranger's row
/// listed), then the proposals accepted all at once and the doubtful one by one.
#[test]
fn a_new_system_report_is_reconciled_and_accepted_from_the_screen() {
    use cutover_log::domain::{Status, StatusChange};
    let mut p = Practice::new();
    let gp = p.gp.clone();
    let desk = p.desk(during());
    let (amlodipine, metformin, ramipril) = (NHS_A.to_string(), nhs(40), nhs(50));
    let mut log = |nhs_number: &str, drug: &str| {
        let mut i = input(ItemKind::Prescription, &gp, nhs_number, "2026-11-18T10:40");
        i.fields.insert("medication".into(), drug.into());
        p.store.log_item(&i, &desk).unwrap()
    };
    let outstanding = log(&amlodipine, "Amlodipine 5mg tablets");
    let misspelt = log(&metformin, "Metformin 500mg tablets");
    let ticked = log(&ramipril, "Ramipril 2.5mg capsules");
    p.store
        .set_status(
            &[ticked.seen()],
            &StatusChange::ReEntered {
                note: String::new(),
            },
            &p.as_gp(t("2026-11-24T09:00")),
        )
        .unwrap();
    let report = p.dir.path().join("systmone-issues.csv");
    std::fs::write(&report, issued_report(&amlodipine, &metformin, &nhs(60))).unwrap();
    let path = p.path();
    let settings = [
        (egui::vec2(1366.0, 768.0), 1.0),
        (egui::vec2(1366.0, 768.0), 1.25),
        (egui::vec2(1280.0, 720.0), 1.0),
        (egui::vec2(1280.0, 720.0), 1.25),
    ];
    for (n, (size, zoom)) in settings.into_iter().enumerate() {
        let setting = format!("{size:?} at {zoom}");
        let mut h = common::ui::app_on(SqliteStore::open(&path).unwrap(), size, after_go_live);
        common::ui::sign_in(&mut h, "Dr Test Gp (GP)");
        h.ctx.set_zoom_factor(zoom);
        h.key_press(egui::Key::F9);
        h.run();
        assert_eq!(h.state().screen, cutover_log::ui::Screen::Reconcile);
        assert!(shows(&h, "Reconcile with the new system"), "{setting}");
        // The path and Enter in one frame, as a fast typist on a slow PC.
        h.input_mut().events.extend([
            egui::Event::Text(report.to_str().unwrap().into()),
            key(egui::Key::Enter),
        ]);
        h.step();
        h.run_steps(4);
        assert!(shows(&h, "3 rows under the header"), "{setting}");
        pick(&mut h, "Every row is", "Prescription");
        let counts = "1 proposed · 1 to judge · 0 already verified · 1 ticked but not found · 1 rows nobody logged · 0 rejected";
        for _ in 0..500 {
            if shows(&h, counts) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            h.step();
        }
        assert!(shows(&h, counts), "{setting}: {:?}", h.state().status.text);
        assert!(
            shows(&h, "the medication is spelt differently"),
            "{setting}"
        );
        assert!(shows(&h, "Ticked re-entered but not found"), "{setting}");
        assert!(
            shows(
                &h,
                "never logged (usually fine; possibly entered twice): 1 rows"
            ),
            "{setting}"
        );
        // Each row nobody logged says what it is (issue 28 #7).
        assert!(shows(&h, "Row 4 · Prescription"), "{setting}");
        // The days the report covers are said, for "not found".
        assert!(shows(&h, "The report covers: Prescription"), "{setting}");
        let all = "Accept the 1 proposal";
        let flag = "Flag the 1 not found for a second look";
        let window = h.ctx.content_rect();
        for label in [all, flag] {
            let button = h
                .get_by_role_and_label(egui::accesskit::Role::Button, label)
                .rect();
            assert!(
                window.contains_rect(button),
                "{label} at {button:?} is not inside the window {window:?} ({setting})"
            );
        }
        if n + 1 < settings.len() {
            let store = SqliteStore::open(&path).unwrap();
            assert_eq!(
                store.item(outstanding.id).unwrap().reentry.status,
                Status::Outstanding
            );
            continue;
        }
        click(&mut h, all);
        wait_for_writing(&mut h, |app| app.reconcile.is_running());
        assert!(
            h.state().status.text.starts_with(
                "Recorded: 1 item verified in the new system (1 of them marked re-entered now)."
            ),
            "{}",
            h.state().status.text
        );
        for _ in 0..500 {
            if h.query_by_role_and_label(egui::accesskit::Role::Button, flag)
                .is_some_and(|b| !b.accesskit_node().is_disabled())
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            h.step();
        }
        click(&mut h, flag);
        wait_for_writing(&mut h, |app| app.reconcile.is_running());
        assert!(
            h.state()
                .status
                .text
                .starts_with("Recorded: 1 item ticked but not found, flagged for a second look."),
            "{}",
            h.state().status.text
        );
        let store = || SqliteStore::open(&path).unwrap();
        assert_eq!(
            store().item(outstanding.id).unwrap().reentry.status,
            Status::ReEntered
        );
        assert_eq!(
            store().item(misspelt.id).unwrap().reentry.status,
            Status::Outstanding
        );
        // The report is checked again; the doubtful row is accepted by a person.
        let one = format!("Accept row 3 as item {}", misspelt.id.0);
        for _ in 0..500 {
            if h.query_by_role_and_label(egui::accesskit::Role::Button, &one)
                .is_some()
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            h.step();
        }
        h.get_by_role_and_label(egui::accesskit::Role::Button, &one)
            .scroll_to_me();
        h.run_steps(5);
        click(&mut h, &one);
        wait_for_writing(&mut h, |app| app.reconcile.is_running());
        assert_eq!(
            store().item(misspelt.id).unwrap().reentry.status,
            Status::ReEntered,
            "{}",
            h.state().status.text
        );
        let found = store().verifications().unwrap();
        assert_eq!(found.len(), 3, "two verified, one not found");
        // The item not found, on the worklist for a second look.
        h.key_press(egui::Key::F3);
        h.run();
        pick(&mut h, "New system", "Not found");
        assert!(shows(&h, "1 matching item"), "{setting}");
        assert!(shows(&h, "Test Patient"), "{setting}: the row is listed");
        assert!(store().verify().unwrap().is_ok());
    }
}

/// Keyboard first: after Enter reads the report the cursor stays in the path
/// box, and Tab goes round the screen's own controls (Choose…, Read, the kind,
/// the preview's action, the mapping) and never reaches the top bar, where a
/// receptionist's next Space would change screens.
#[test]
fn tab_goes_round_the_capture_screen_and_never_reaches_the_top_bar() {
    let p = Practice::new();
    let report = p.dir.path().join("appointments.csv");
    std::fs::write(&report, APPOINTMENTS).unwrap();
    let mut h = reading(&p.path(), &report, egui::vec2(1366.0, 768.0), 1.0);
    h.run();
    pick(&mut h, "Every row is", "Appointment");
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Report file")
        .focus();
    h.run();
    let focused = |h: &App| {
        h.query_by(|n| n.is_focused())
            .and_then(|n| n.accesskit_node().label())
            .unwrap_or_default()
    };
    let top_bar: Vec<&str> = cutover_log::ui::Screen::ALL
        .iter()
        .map(|s| s.label())
        .chain(["Sign out", "Lock (Ctrl+L)", "Help (F1)", "Dark theme"])
        .collect();
    let mut seen = Vec::new();
    for _ in 0..60 {
        h.key_press(egui::Key::Tab);
        h.run();
        let now = focused(&h);
        assert!(
            !top_bar.contains(&now.as_str()),
            "Tab reached {now:?} after {seen:?}"
        );
        seen.push(now);
    }
    assert_eq!(seen[0], "Choose…", "{seen:?}");
    assert_eq!(seen[1], "Read", "{seen:?}");
    assert!(seen.iter().any(|s| s == "Capture 3 rows"), "{seen:?}");
    assert!(
        seen.iter().any(|s| s == "Report file"),
        "round again: {seen:?}"
    );
    assert_eq!(h.state().screen, cutover_log::ui::Screen::Capture);
}

/// Steps frames until a button with this label is on screen (the report is
/// checked again after each acceptance, on a thread).
fn wait_for_button(h: &mut App, label: &str) {
    for _ in 0..500 {
        if h.query_by_role_and_label(egui::accesskit::Role::Button, label)
            .is_some()
        {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    panic!("no button {label:?}");
}

/// Issue 28 #2 and #3 on the Reconcile screen: two rows fit two items of one
/// patient (four pairings to judge). Accepting row 2 as the first item takes
/// row 2 and that item out of the results; the second item's only rival is
/// gone, so row 3 is proposed for it, never row 2 again. An item marked not
/// needed that the report shows is for a person to judge, and accepting it
/// keeps "not needed" and its reason.
#[test]
fn a_row_accepted_as_one_item_leaves_the_results_with_its_rivals() {
    for (size, zoom) in [
        (egui::vec2(1366.0, 768.0), 1.0),
        (egui::vec2(1366.0, 768.0), 1.25),
        (egui::vec2(1280.0, 720.0), 1.0),
        (egui::vec2(1280.0, 720.0), 1.25),
    ] {
        rivals_at(size, zoom);
    }
}

fn rivals_at(size: egui::Vec2, zoom: f32) {
    use cutover_log::domain::{Status, StatusChange};
    let mut p = Practice::new();
    let gp = p.gp.clone();
    let desk = p.desk(during());
    let (amlodipine, ramipril) = (NHS_A.to_string(), nhs(50));
    let mut log = |nhs_number: &str, drug: &str, at: &str| {
        let mut i = input(ItemKind::Prescription, &gp, nhs_number, at);
        i.fields.insert("medication".into(), drug.into());
        p.store.log_item(&i, &desk).unwrap()
    };
    let first = log(&amlodipine, "Amlodipine 5mg tablets", "2026-11-18T10:40");
    let second = log(&amlodipine, "Amlodipine 5mg tablets", "2026-11-19T10:40");
    let not_needed = log(&ramipril, "Ramipril 2.5mg capsules", "2026-11-19T11:00");
    p.store
        .set_status(
            &[not_needed.seen()],
            &StatusChange::NotNeeded {
                reason: "Patient moved away".into(),
            },
            &p.as_gp(t("2026-11-24T09:00")),
        )
        .unwrap();
    let report = p.dir.path().join("new-issues.csv");
    std::fs::write(
        &report,
        format!(
            "NHS Number,Surname,First Name,Date of Birth,Drug,Dosage,Quantity,Issue Date,Prescriber\n\
             {amlodipine},TESTER,Sian,11/11/1941,AMLODIPINE 5MG TABLETS,One daily,28,24/11/2026,Dr Test Gp\n\
             {amlodipine},TESTER,Sian,11/11/1941,AMLODIPINE 5MG TABLETS,One daily,28,25/11/2026,Dr Test Gp\n\
             {ramipril},PATIENT,Test,02/03/1980,RAMIPRIL 2.5MG CAPSULES,One daily,28,24/11/2026,Dr Test Gp\n"
        ),
    )
    .unwrap();
    let path = p.path();
    let mut h = common::ui::app_on(SqliteStore::open(&path).unwrap(), size, after_go_live);
    common::ui::sign_in(&mut h, "Dr Test Gp (GP)");
    h.ctx.set_zoom_factor(zoom);
    h.key_press(egui::Key::F9);
    h.run();
    h.input_mut().events.extend([
        egui::Event::Text(report.to_str().unwrap().into()),
        key(egui::Key::Enter),
    ]);
    h.step();
    h.run_steps(4);
    pick(&mut h, "Every row is", "Prescription");
    let take = format!("Accept row 2 as item {}", first.id.0);
    wait_for_button(&mut h, &take);
    for rival in [
        format!("Accept row 2 as item {}", second.id.0),
        format!("Accept row 3 as item {}", first.id.0),
        format!("Accept row 3 as item {}", second.id.0),
    ] {
        assert!(
            h.query_by_role_and_label(egui::accesskit::Role::Button, &rival)
                .is_some(),
            "four pairings to judge: {rival}"
        );
    }
    assert!(shows(&h, "the item was marked not needed"));
    h.get_by_role_and_label(egui::accesskit::Role::Button, &take)
        .scroll_to_me();
    // Until the scroll has come to rest: a click is aimed where the button
    // is drawn (as a person's is), not where it was a frame ago.
    h.run();
    click(&mut h, &take);
    wait_for_writing(&mut h, |app| app.reconcile.is_running());
    // Read again: row 3 is the second item's, proposed; row 2 and the first
    // item are paired with nothing else.
    wait_for_button(&mut h, "Accept the 1 proposal");
    for gone in [
        format!("Accept row 2 as item {}", second.id.0),
        format!("Accept row 3 as item {}", first.id.0),
        take.clone(),
    ] {
        assert!(
            h.query_by_role_and_label(egui::accesskit::Role::Button, &gone)
                .is_none(),
            "{gone} is still offered"
        );
    }
    assert!(shows(&h, "1 proposed · 1 to judge · 1 already verified"));
    // The item marked not needed, accepted by a person: still not needed.
    let keep = format!("Accept row 4 as item {}", not_needed.id.0);
    h.get_by_role_and_label(egui::accesskit::Role::Button, &keep)
        .scroll_to_me();
    // Until the scroll has come to rest: a click is aimed where the button
    // is drawn (as a person's is), not where it was a frame ago.
    h.run();
    click(&mut h, &keep);
    wait_for_writing(&mut h, |app| app.reconcile.is_running());
    assert!(
        h.state()
            .status
            .text
            .contains("marked not needed or a problem"),
        "{}",
        h.state().status.text
    );
    let store = SqliteStore::open(&path).unwrap();
    let kept = store.item(not_needed.id).unwrap();
    assert_eq!(kept.reentry.status, Status::NotNeeded);
    assert_eq!(kept.reentry.note, "Patient moved away");
    assert_eq!(
        store.item(second.id).unwrap().reentry.status,
        Status::Outstanding
    );
    let found = store.verifications().unwrap();
    assert_eq!(found.len(), 2);
    assert!(store.verify().unwrap().is_ok());
}

/// Issue 28 #9: a choice box changes only on Enter or a click: arrow keys
/// move through its open list without choosing (the Capture screen read the
/// report again as whatever kind an arrow passed over).
#[test]
fn a_choice_box_applies_only_on_enter_or_a_click() {
    let p = Practice::new();
    let report = p.dir.path().join("appointments.csv");
    std::fs::write(&report, APPOINTMENTS).unwrap();
    let mut h = reading(&p.path(), &report, egui::vec2(1366.0, 768.0), 1.0);
    h.run();
    pick(&mut h, "Every row is", "Appointment");
    let chosen = |h: &App| {
        h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Every row is")
            .value()
    };
    assert_eq!(chosen(&h).as_deref(), Some("Appointment"));
    h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Every row is")
        .focus();
    h.run();
    for k in [
        egui::Key::ArrowDown,
        egui::Key::Space,
        egui::Key::ArrowDown,
        egui::Key::ArrowDown,
        egui::Key::ArrowUp,
    ] {
        h.key_press(k);
        h.run();
        assert_eq!(
            chosen(&h).as_deref(),
            Some("Appointment"),
            "{k:?} chose something"
        );
    }
    h.key_press(egui::Key::Escape);
    h.run();
    assert_eq!(chosen(&h).as_deref(), Some("Appointment"));
}
