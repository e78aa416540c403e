//! The app's own backups, driven through the real app with a clock the test
//! moves: one when the log opens, one 15 minutes after a change (none without
//! one), a failing backup shown in the banner until one succeeds, and one when
//! the person signs out. Synthetic patients only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, NaiveDateTime};
use common::ui::shows;
use common::*;
use cutover_log::domain::ItemKind;
use cutover_log::store::sqlite::backup::list;
use cutover_log::store::{CutoverStore, SqliteStore};
use egui_kittest::kittest::{NodeT, Queryable};

/// Minutes the test has moved the clock on from 20/11/2026 10:00.
static MINUTES: AtomicI64 = AtomicI64::new(0);

fn clock() -> NaiveDateTime {
    t("2026-11-20T10:00") + Duration::minutes(MINUTES.load(Ordering::SeqCst))
}

type App = egui_kittest::Harness<'static, cutover_log::ui::CutoverApp>;

/// Steps frames until `done` (a backup's thread has finished), or fails.
fn until(h: &mut App, what: &str, done: impl Fn(&App) -> bool) {
    for _ in 0..1000 {
        h.step();
        if done(h) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("never: {what}");
}

#[test]
fn the_app_backs_the_log_up_on_its_own_and_says_when_it_cannot() {
    let p = Practice::new();
    let path = p.path();
    let dir = path.parent().unwrap().join("backups");
    let count = || list(&dir).unwrap().len();
    let mut h = common::ui::app_on(
        SqliteStore::open(&path).unwrap(),
        egui::vec2(1366.0, 768.0),
        clock,
    );
    common::ui::sign_in(&mut h, "Test Receptionist (Reception / admin)");
    until(&mut h, "a backup when the log opens", |_| count() == 1);
    let backup = &list(&dir).unwrap()[0];
    assert!(
        SqliteStore::open(&backup.file)
            .unwrap()
            .verify()
            .unwrap()
            .is_ok()
    );

    // Another desk logs an item 5 minutes on: backed up 15 minutes after the
    // last backup, not before.
    MINUTES.store(5, Ordering::SeqCst);
    let mut other = SqliteStore::open(&path).unwrap();
    other
        .log_item(
            &input(ItemKind::TelephoneCall, &p.gp, NHS_A, "2026-11-20T09:30"),
            &p.desk(clock()),
        )
        .unwrap();
    h.state().notice_change();
    h.run_steps(3);
    assert_eq!(count(), 1, "not before 15 minutes");
    MINUTES.store(16, Ordering::SeqCst);
    until(&mut h, "a backup 15 minutes on, after a change", |_| {
        count() == 2
    });
    // Nothing changed since: 20 minutes more, no new backup.
    MINUTES.store(36, Ordering::SeqCst);
    h.run_steps(5);
    assert_eq!(count(), 2);

    // The folder cannot be written (a file is in its way): the banner says so
    // until a backup succeeds.
    let blocked = path.parent().unwrap().join("not-a-folder");
    std::fs::write(&blocked, "x").unwrap();
    let manager = p.as_manager(clock());
    other
        .set_backup_folder(Some(blocked.to_str().unwrap()), &manager)
        .unwrap();
    h.state().notice_change();
    MINUTES.store(52, Ordering::SeqCst);
    until(&mut h, "the failure shown", |h| shows(h, "BACKUP FAILED"));
    other
        .set_backup_folder(Some(dir.to_str().unwrap()), &manager)
        .unwrap();
    h.state().notice_change();
    MINUTES.store(54, Ordering::SeqCst);
    until(&mut h, "the banner cleared by a backup", |h| {
        !shows(h, "BACKUP FAILED")
    });
    assert_eq!(count(), 3);

    MINUTES.store(60, Ordering::SeqCst);
    // Signing out backs up what changed, there and then (the desk locked itself
    // while the clock moved on: unlock first).
    common::ui::type_into(&mut h, "Password", TEST_PASSWORD);
    h.key_press(egui::Key::Enter);
    h.run();
    other
        .log_item(
            &input(ItemKind::TelephoneCall, &p.gp, NHS_A, "2026-11-20T10:40"),
            &p.desk(clock()),
        )
        .unwrap();
    h.state().notice_change();
    h.run_steps(2);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Sign out")
        .click();
    h.run_steps(3);
    assert_eq!(count(), 4, "a backup at sign-out");
    let newest = &list(&dir).unwrap()[0];
    assert_eq!(newest.items, 2);

    // A desk locked and taken over by someone else: the last person's work is
    // backed up before the next one starts.
    common::ui::sign_in(&mut h, "Test Receptionist (Reception / admin)");
    other
        .log_item(
            &input(ItemKind::TelephoneCall, &p.gp, NHS_A, "2026-11-20T10:50"),
            &p.desk(clock()),
        )
        .unwrap();
    h.state().notice_change();
    h.run_steps(2);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Lock (Ctrl+L)")
        .click();
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Sign in as someone else")
        .click();
    h.run();
    common::ui::sign_in(&mut h, "Dr Test Gp (GP)");
    until(&mut h, "a backup when someone else takes the desk", |_| {
        count() == 5
    });
    assert_eq!(list(&dir).unwrap()[0].items, 3);
}

/// The second test's own clock (tests run at once).
static MANAGER_MINUTES: AtomicI64 = AtomicI64::new(0);

fn manager_clock() -> NaiveDateTime {
    t("2026-11-20T10:00") + Duration::minutes(MANAGER_MINUTES.load(Ordering::SeqCst))
}

/// The practice manager chooses the backup folder on the Practice screen (F5),
/// at 1366x768 with text at 125 % (the Save button clicked where it is drawn):
/// kept in the log, audited, and the next backup goes there.
#[test]
fn the_practice_manager_chooses_the_backup_folder_on_screen() {
    let p = Practice::new();
    let path = p.path();
    let chosen = path.parent().unwrap().join("chosen backups");
    let mut h = common::ui::app_on(
        SqliteStore::open(&path).unwrap(),
        egui::vec2(1366.0, 768.0),
        manager_clock,
    );
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    h.ctx.set_zoom_factor(1.25);
    h.key_press(egui::Key::F5);
    h.run();
    common::ui::type_into(
        &mut h,
        "Back the log up to this folder (empty: beside the log)",
        chosen.to_str().unwrap(),
    );
    let button = h
        .get_by_role_and_label(egui::accesskit::Role::Button, "Save backup folder")
        .rect();
    assert!(
        h.ctx.content_rect().contains_rect(button),
        "Save backup folder at {button:?} is outside the window"
    );
    common::ui::click(&mut h, "Save backup folder");
    assert!(
        h.state().status.text.contains("now backed up to"),
        "{}",
        h.state().status.text
    );
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.backup_folder().unwrap().as_deref(), chosen.to_str());
    // The next backup (the log changed: the folder was chosen) goes there.
    h.state().notice_change();
    MANAGER_MINUTES.store(16, Ordering::SeqCst);
    until(&mut h, "a backup in the chosen folder", |_| {
        !list(&chosen).unwrap().is_empty()
    });
}

/// The restore test's own clock.
static RESTORE_MINUTES: AtomicI64 = AtomicI64::new(0);

fn restore_clock() -> NaiveDateTime {
    t("2026-11-20T10:00") + Duration::minutes(RESTORE_MINUTES.load(Ordering::SeqCst))
}

/// The practice manager restores a backup on the Practice screen (F5): the
/// backups are listed newest first with when each was made, its items and its
/// audit trail's head; the one chosen is written into a new file (the path
/// typed, with Ctrl+A and Enter in the same frame), which verifies and holds
/// that backup's items; both files record it; a second restore to the same
/// file is refused beside the box. At 1366x768 and 1280x720, text at 100 % and
/// 125 %, every control clicked where it is drawn.
#[test]
fn the_practice_manager_restores_a_backup_into_a_new_file_on_screen() {
    use egui::accesskit::Role;
    for (size, zoom) in [
        (egui::vec2(1366.0, 768.0), 1.0),
        (egui::vec2(1366.0, 768.0), 1.25),
        (egui::vec2(1280.0, 720.0), 1.0),
        (egui::vec2(1280.0, 720.0), 1.25),
    ] {
        let mut p = Practice::new();
        let path = p.path();
        let at = t("2026-11-19T09:00");
        p.store
            .log_item(
                &input(ItemKind::TelephoneCall, &p.gp, NHS_A, "2026-11-19T08:40"),
                &p.desk(at),
            )
            .unwrap();
        let early = p.store.back_up(None, at).unwrap().unwrap();
        p.store
            .log_item(
                &input(ItemKind::TelephoneCall, &p.gp, NHS_A, "2026-11-19T16:00"),
                &p.desk(t("2026-11-19T16:00")),
            )
            .unwrap();
        p.store.back_up(None, t("2026-11-19T17:30")).unwrap();
        let mut h = common::ui::app_on(SqliteStore::open(&path).unwrap(), size, restore_clock);
        common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
        h.ctx.set_zoom_factor(zoom);
        h.key_press(egui::Key::F5);
        h.run();
        h.get_by_label("Restore a backup").scroll_to_me();
        h.run();
        h.get_by_label("Restore a backup").click();
        h.run();
        // Newest first: the app's own backup at opening, then ours.
        let made: Vec<String> = h
            .query_all_by_role(Role::RadioButton)
            .filter_map(|n| n.accesskit_node().label())
            .collect();
        assert_eq!(
            made,
            [
                "20/11/2026 10:00:00",
                "19/11/2026 17:30:00",
                "19/11/2026 09:00:00"
            ],
            "at {size:?}, {zoom}"
        );
        assert!(shows(&h, &early.anchor.clone().unwrap()[..10]));
        let early_radio = h.get_by_role_and_label(Role::RadioButton, "19/11/2026 09:00:00");
        early_radio.scroll_to_me();
        h.run();
        let r = h
            .get_by_role_and_label(Role::RadioButton, "19/11/2026 09:00:00")
            .rect();
        assert!(
            h.ctx.content_rect().contains_rect(r),
            "the backup at {r:?} is outside the {size:?} window at {zoom}"
        );
        h.get_by_role_and_label(Role::RadioButton, "19/11/2026 09:00:00")
            .click();
        h.run();
        let suggested = h
            .get_by_role_and_label(Role::TextInput, "Restore into the new file")
            .value()
            .unwrap_or_default();
        assert!(
            suggested.ends_with("restored-2026-11-19_090000.sqlite3"),
            "{suggested}"
        );
        // Replace the suggestion: select all, type, Enter, all in one frame.
        let to = p.dir.path().join("looked-at.sqlite3");
        h.get_by_role_and_label(Role::TextInput, "Restore into the new file")
            .focus();
        h.run();
        h.input_mut().events.extend([
            egui::Event::Key {
                key: egui::Key::A,
                physical_key: None,
                pressed: true,
                repeat: false,
                modifiers: egui::Modifiers::COMMAND,
            },
            egui::Event::Text(to.display().to_string()),
            egui::Event::Key {
                key: egui::Key::Enter,
                physical_key: None,
                pressed: true,
                repeat: false,
                modifiers: egui::Modifiers::NONE,
            },
        ]);
        h.step();
        until(&mut h, "the restore", |h| {
            h.state().status.text.starts_with("Restored the backup")
        });
        let copy = SqliteStore::open(&to).unwrap();
        assert!(copy.verify().unwrap().is_ok());
        assert_eq!(copy.stats().unwrap().total(), early.items);
        let recorded = |s: &SqliteStore, action: &str| {
            s.audit_log(&cutover_log::domain::AuditFilter::default(), 0, 5)
                .unwrap()
                .into_iter()
                .find(|e| e.action.as_str() == action)
        };
        assert!(recorded(&copy, "log.restored").is_some());
        let live = SqliteStore::open(&path).unwrap();
        let event = recorded(&live, "log.backup_restored").expect("the live log records it");
        assert_eq!(event.actor_name, "Test Manager");
        assert!(live.verify().unwrap().is_ok());

        // Again into the same file: refused beside the box, the copy untouched.
        h.get_by_role_and_label(Role::TextInput, "Restore into the new file")
            .focus();
        h.run();
        h.get_by_role_and_label(Role::TextInput, "Restore into the new file")
            .type_text(&to.display().to_string());
        h.run();
        let button = h
            .get_by_role_and_label(Role::Button, "Restore to a new file")
            .rect();
        assert!(
            h.ctx.content_rect().contains_rect(button),
            "Restore at {button:?} is outside the {size:?} window at {zoom}"
        );
        common::ui::click(&mut h, "Restore to a new file");
        until(&mut h, "the refusal", |h| {
            shows(h, "Not restored") && shows(h, "never over a log")
        });
    }
}
