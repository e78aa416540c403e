//! Sign-off and report export driven through the real UI.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::NaiveDateTime;
use common::*;
use cutover_log::domain::{ItemKind, StatusChange};
use cutover_log::store::{CutoverStore, SqliteStore};
use cutover_log::ui::{CutoverApp, ReportFormat};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn now() -> NaiveDateTime {
    t("2026-11-25T16:00")
}

fn harness(path: &std::path::Path) -> Harness<'static, CutoverApp> {
    common::ui::app_on(
        SqliteStore::open(path).unwrap(),
        egui::vec2(1400.0, 1000.0),
        now,
    )
}

use common::ui::shows;

#[test]
fn sign_off_waits_for_open_items_then_records_the_manager() {
    for (width, height, zoom) in common::ui::PRACTICE_SCREENS {
        sign_off_at(egui::vec2(width, height), zoom);
    }
}

fn sign_off_at(size: egui::Vec2, zoom: f32) {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    let a = p
        .store
        .log_item(
            &input(ItemKind::Appointment, &gp, NHS_A, "2026-11-18T09:00"),
            &p.desk(during()),
        )
        .unwrap();
    let path = p.path();
    let mut h = common::ui::app_on(SqliteStore::open(&path).unwrap(), size, now);
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    h.ctx.set_zoom_factor(zoom);
    h.key_press(egui::Key::F6);
    h.run();
    assert_eq!(h.state().screen, cutover_log::ui::Screen::Report);
    assert!(
        shows(&h, "1 item(s) are still outstanding"),
        "{:?}",
        h.state().status.text
    );
    assert!(
        h.query_by_label("Sign off the re-entry").is_none(),
        "no sign-off while items are open"
    );

    p.store
        .set_status(
            &[a.seen()],
            &StatusChange::ReEntered {
                note: String::new(),
            },
            &p.desk(now()),
        )
        .unwrap();
    // Another desk's change reaches the app as its change watch's notice (the
    // harness has no watch: told here, as the running app would be).
    h.state().notice_change();
    h.run();
    assert!(shows(&h, "Nothing is outstanding"));
    // The signer is the person signed in, in their own capacity: nothing to
    // type a name into.
    assert!(h.query_by_label("Signed off by").is_none());
    assert!(shows(
        &h,
        "You sign as yourself: Test Manager, Practice manager."
    ));
    h.get_by_role_and_label(Role::Button, "Sign off the re-entry")
        .click();
    h.run();
    let s = SqliteStore::open(&path).unwrap().sign_offs().unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].name, "Test Manager");
    assert_eq!(s[0].at, now());
    assert_eq!(s[0].signed_by, p.manager.id);
    assert!(shows(
        &h,
        "Signed off by Test Manager (Practice manager) at 25/11/2026 16:00."
    ));
    // Signed: no second "Sign off" to press; replacing is its own button, and
    // needs a reason (Enter with none stores nothing; Esc cancels).
    assert!(h.query_by_label("Sign off the re-entry").is_none());
    h.get_by_role_and_label(Role::Button, "Replace the sign-off...")
        .click();
    h.run();
    // The reason box has the keyboard at once: Enter with nothing typed is
    // refused beside it (nothing stored), and the keyboard stays there, so the
    // reason and Enter typed straight after (in one frame) replace it.
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(
        SqliteStore::open(&path).unwrap().sign_offs().unwrap().len(),
        1
    );
    assert!(
        shows(&h, "enter the reason for replacing the sign-off"),
        "{}",
        h.state().status.text
    );
    assert!(
        !h.state()
            .status
            .text
            .contains("not signed off: not signed off")
    );
    common::ui::type_then_enter(&mut h, "Two items corrected after the first sign-off");
    let s = SqliteStore::open(&path).unwrap().sign_offs().unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(
        s[1].replaces_reason.as_deref(),
        Some("Two items corrected after the first sign-off")
    );
    assert!(shows(
        &h,
        "replacing an earlier sign-off: Two items corrected"
    ));
}

/// A GP signs as clinical lead, as themself; a receptionist is told who signs.
#[test]
fn a_gp_signs_as_clinical_lead_and_reception_cannot_sign() {
    let p = Practice::new();
    let path = p.path();
    let mut h = harness(&path);
    common::ui::sign_in(&mut h, "Dr Test Gp (GP)");
    h.key_press(egui::Key::F6);
    h.run();
    assert!(shows(
        &h,
        "You sign as yourself: Dr Test Gp, Clinical lead."
    ));
    h.get_by_role_and_label(Role::Button, "Sign off the re-entry")
        .click();
    h.run();
    let s = SqliteStore::open(&path).unwrap().sign_offs().unwrap();
    assert_eq!(
        s.iter()
            .map(|s| (s.name.as_str(), s.role))
            .collect::<Vec<_>>(),
        vec![("Dr Test Gp", cutover_log::domain::SignOffRole::ClinicalLead)]
    );
}

#[test]
fn export_runs_in_the_background_and_writes_the_whole_file() {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    for i in 0..40u32 {
        p.store
            .log_item(
                &input(ItemKind::Other, &gp, &nhs(i * 3), "2026-11-18T09:00"),
                &p.desk(during()),
            )
            .unwrap();
    }
    let path = p.path();
    let mut h = harness(&path);
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    h.key_press(egui::Key::F6);
    h.run();
    for (format, name) in [(ReportFormat::Pdf, "r.pdf"), (ReportFormat::Csv, "r.csv")] {
        let out = p.dir.path().join(name);
        h.state_mut().export_report(format, out.clone());
        assert!(h.state().report.is_running() || h.state().report.last_result.is_some());
        let mut frames = 0;
        while h.state().report.is_running() && frames < 600 {
            h.step();
            std::thread::sleep(std::time::Duration::from_millis(10));
            frames += 1;
        }
        assert!(!h.state().report.is_running(), "export did not finish");
        let result = h.state().report.last_result.clone().expect("result");
        assert!(result.is_ok(), "{result:?}");
        assert!(out.exists());
        let leftovers: Vec<_> = std::fs::read_dir(p.dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
            .collect();
        assert!(leftovers.is_empty(), "no temporary file is left behind");
    }
    assert!(
        std::fs::read(p.dir.path().join("r.pdf"))
            .unwrap()
            .starts_with(b"%PDF")
    );
    assert!(shows(&h, "Wrote 40 items"));
}

#[test]
fn purge_needs_sign_off_and_a_double_confirmation() {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    let a = p
        .store
        .log_item(
            &input(ItemKind::Other, &gp, NHS_A, "2026-11-18T09:00"),
            &p.desk(during()),
        )
        .unwrap();
    p.store
        .set_status(
            &[a.seen()],
            &StatusChange::ReEntered {
                note: String::new(),
            },
            &p.desk(now()),
        )
        .unwrap();
    p.store
        .sign_off(
            "",
            cutover_log::domain::signoff::Signing::First,
            &p.as_manager(now()),
        )
        .unwrap();
    let path = p.path();
    let mut h = harness(&path);
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    h.key_press(egui::Key::F5);
    h.run();
    h.get_by_label("I have saved the final re-entry report")
        .click();
    h.run();
    common::ui::type_into(&mut h, "Type PURGE to confirm", "PURGE");
    h.get_by_role_and_label(Role::Button, "Purge patient data...")
        .click();
    h.run();
    // The dialog's Cancel keeps everything.
    h.get_by_role_and_label(Role::Button, "Cancel").click();
    h.run();
    assert_eq!(SqliteStore::open(&path).unwrap().purges().unwrap().len(), 0);
    h.get_by_role_and_label(Role::Button, "Purge patient data...")
        .click();
    h.run();
    h.get_by_role_and_label(Role::Button, "Purge now").click();
    h.run();
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.purges().unwrap().len(), 1);
    assert!(store.item(a.id).is_err(), "the item is gone");
    assert!(shows(&h, "Purged: 1 items removed"));
}

/// Waits for a background export to finish; its outcome.
fn finish_export(h: &mut Harness<'_, CutoverApp>) -> Result<String, String> {
    let mut frames = 0;
    while h.state().report.is_running() && frames < 600 {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
        frames += 1;
    }
    assert!(!h.state().report.is_running(), "export did not finish");
    h.state().report.last_result.clone().expect("an outcome")
}

fn path_box_value(h: &Harness<'_, CutoverApp>) -> String {
    h.get_by_role_and_label(Role::TextInput, "File path")
        .value()
        .unwrap_or_default()
}

/// Replaces what the focused path box holds, as select-all and typing would.
fn retype_path(h: &mut Harness<'_, CutoverApp>, path: &std::path::Path) {
    h.get_by_role_and_label(Role::TextInput, "File path")
        .focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.event(egui::Event::Text(path.display().to_string()));
    h.run();
}

#[test]
fn without_a_file_dialog_a_typed_path_exports_the_report() {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    p.store
        .log_item(
            &input(ItemKind::Other, &gp, NHS_A, "2026-11-18T09:00"),
            &p.desk(during()),
        )
        .unwrap();
    let mut h = harness(&p.path());
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    h.key_press(egui::Key::F6);
    h.run();
    h.get_by_role_and_label(Role::Button, "Type a file path instead")
        .click();
    h.run();

    // The box offers the report's usual name in the person's Documents folder
    // (or home, where there is none).
    let offered = std::path::PathBuf::from(path_box_value(&h));
    assert_eq!(
        offered.file_name().and_then(|n| n.to_str()),
        Some("cutover-reentry-report-A81001-2026-11-25.pdf")
    );
    let dirs = directories::UserDirs::new().unwrap();
    let home = dirs.home_dir().to_path_buf();
    let folder = dirs
        .document_dir()
        .filter(|d| d.is_dir())
        .map_or(home, std::path::Path::to_path_buf);
    assert_eq!(offered.parent(), Some(folder.as_path()));
    assert!(
        h.get_by_role_and_label(Role::TextInput, "File path")
            .is_focused(),
        "the box is ready to type in"
    );

    // A folder that does not exist is refused beside the box; nothing is written.
    let missing = p.dir.path().join("no-such-folder").join("r.pdf");
    retype_path(&mut h, &missing);
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(shows(&h, "There is no folder"));
    assert!(!h.state().report.is_running() && h.state().report.last_result.is_none());

    // A typed path in a folder that exists: Enter writes the PDF there.
    let out = p.dir.path().join("typed-report.pdf");
    retype_path(&mut h, &out);
    h.key_press(egui::Key::Enter);
    h.run();
    let result = finish_export(&mut h);
    assert!(result.is_ok(), "{result:?}");
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF"));
    assert!(
        h.query_by_label("File path").is_none(),
        "the box closes once the export starts"
    );

    // The CSV, by name alone in the same folder, without an extension: the
    // format's own is added. An existing file is replaced only when asked again.
    h.get_by_role_and_label(Role::Button, "Type a file path instead")
        .click();
    h.run();
    h.get_by_role_and_label(Role::Button, "CSV file").click();
    h.run();
    assert!(path_box_value(&h).ends_with("2026-11-25.csv"));
    let csv = p.dir.path().join("typed-report");
    retype_path(&mut h, &csv);
    h.get_by_role_and_label(Role::Button, "Export").click();
    h.run();
    let result = finish_export(&mut h);
    assert!(result.is_ok(), "{result:?}");
    let written = p.dir.path().join("typed-report.csv");
    let first = std::fs::read(&written).unwrap();
    assert!(!first.is_empty());

    h.get_by_role_and_label(Role::Button, "Type a file path instead")
        .click();
    h.run();
    h.get_by_role_and_label(Role::Button, "CSV file").click();
    h.run();
    retype_path(&mut h, &written);
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(shows(&h, "There is already a file at"));
    assert!(!h.state().report.is_running());
    h.get_by_role_and_label(Role::Button, "Replace the file")
        .click();
    h.run();
    let result = finish_export(&mut h);
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn the_report_screen_forgets_the_last_person() {
    let p = Practice::new();
    let mut h = harness(&p.path());
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    h.key_press(egui::Key::F6);
    h.run();
    common::ui::type_into(&mut h, "Comment (optional)", "Half a comment");
    h.get_by_role_and_label(Role::Button, "Type a file path instead")
        .click();
    h.run();
    assert!(h.query_by_label("File path").is_some());
    h.state_mut().report.forget_person();
    h.run();
    assert!(h.query_by_label("File path").is_none());
    assert_eq!(
        h.get_by_role_and_label(Role::MultilineTextInput, "Comment (optional)")
            .value()
            .unwrap_or_default(),
        ""
    );
}

/// The sign-off part is read when the log changes, not on every frame: a plain
/// redraw shows what was read (no query per frame, which on a server is a round
/// trip each time); the change watch's notice, or the screen's own sign-off,
/// reads it again.
#[test]
fn the_report_screen_reads_the_log_when_it_changes_not_every_frame() {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    let a = p
        .store
        .log_item(
            &input(ItemKind::Appointment, &gp, NHS_A, "2026-11-18T09:00"),
            &p.desk(during()),
        )
        .unwrap();
    let mut h = harness(&p.path());
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    h.key_press(egui::Key::F6);
    h.run();
    assert!(shows(&h, "1 item(s) are still outstanding"));

    // Changed at another desk, unannounced: redraws show what was read.
    p.store
        .set_status(
            &[a.seen()],
            &StatusChange::ReEntered {
                note: String::new(),
            },
            &p.desk(now()),
        )
        .unwrap();
    for _ in 0..3 {
        h.run();
    }
    assert!(
        shows(&h, "1 item(s) are still outstanding"),
        "not re-read on a redraw"
    );
    // The notice of a change: read again.
    h.state().notice_change();
    h.run();
    assert!(shows(&h, "Nothing is outstanding"));
    // Leaving and coming back reads it again too.
    p.store
        .log_item(
            &input(ItemKind::Other, &gp, &nhs(7), "2026-11-18T10:00"),
            &p.desk(during()),
        )
        .unwrap();
    h.key_press(egui::Key::F3);
    h.run();
    h.key_press(egui::Key::F6);
    h.run();
    assert!(shows(&h, "1 item(s) are still outstanding"));
}
