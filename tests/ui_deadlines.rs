//! Deadlines on screen: after go-live the worklist opens by due-by (the
//! appointment to transfer before its slot first), flags what is overdue and
//! due today, and Today's plan lists them with each person's share; the banner
//! counts them and counts down to the end of the old system's read access,
//! which the practice manager records on the Practice screen with the
//! practice's own numbers. At 1366x768 and 1280x720, text at 100 % and 125 %.
//! Synthetic patients only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, NaiveDateTime};
use common::ui::{click, shows, type_into};
use common::*;
use cutover_log::domain::{ItemKind, Status};
use cutover_log::store::{CutoverStore, SqliteStore};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

type App = egui_kittest::Harness<'static, cutover_log::ui::CutoverApp>;

/// Minutes after 23/11/2026 11:00 (go-live day, three hours in).
static MINUTES: AtomicI64 = AtomicI64::new(0);

fn clock() -> NaiveDateTime {
    t("2026-11-23T11:00") + Duration::minutes(MINUTES.load(Ordering::SeqCst))
}

/// Six open items; go-live is Monday 23/11/2026 08:00. Returns the practice.
fn seeded() -> Practice {
    let mut p = Practice::new();
    let desk = p.desk(during());
    let mut log = |name: &str, kind: ItemKind, occurred: &str, fields: &[(&str, &str)]| {
        let mut i = input(kind, &p.gp, NHS_A, occurred);
        i.patient.name = name.to_string();
        for (k, v) in fields {
            i.fields.insert(k.to_string(), v.to_string());
        }
        p.store.log_item(&i, &desk).unwrap();
    };
    // Logged in date order; due in another.
    log(
        "Test Call Later",
        ItemKind::TelephoneCall,
        "2026-11-18T09:00",
        &[],
    );
    log(
        "Test Rx Tuesday",
        ItemKind::Prescription,
        "2026-11-20T09:00",
        &[("prescription_type", "acute")],
    );
    log(
        "Test Booked Friday",
        ItemKind::Appointment,
        "2026-11-20T09:10",
        &[("appointment_at", "2026-11-27T10:30")],
    );
    log(
        "Test Slot Missed",
        ItemKind::Appointment,
        "2026-11-20T09:20",
        &[("appointment_at", "2026-11-23T10:30")],
    );
    log(
        "Test Repeat Dispensing",
        ItemKind::Prescription,
        "2026-11-20T09:30",
        &[("prescription_type", "repeat_dispensing")],
    );
    log(
        "Test Two Week Wait",
        ItemKind::Referral,
        "2026-11-20T09:40",
        &[("referral_priority", "two_week_wait")],
    );
    p
}

const PATIENTS: [&str; 6] = [
    "Test Call Later",
    "Test Rx Tuesday",
    "Test Booked Friday",
    "Test Slot Missed",
    "Test Repeat Dispensing",
    "Test Two Week Wait",
];

/// The patients' rows, top to bottom (each by its leftmost cell: the detail
/// panel on the right may show the same name).
fn rows_in_order(h: &App) -> Vec<&'static str> {
    let mut rows: Vec<(f32, &'static str)> = PATIENTS
        .iter()
        .filter_map(|name| {
            h.get_all_by_label(name)
                .min_by(|a, b| a.rect().min.x.total_cmp(&b.rect().min.x))
                .map(|n| (n.rect().min.y, *name))
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    rows.into_iter().map(|(_, name)| name).collect()
}

/// Replaces what a text box holds: Ctrl+A, the text and Enter in one frame.
fn replace_and_enter(h: &mut App, label: &str, text: &str) {
    h.get_by_role_and_label(Role::TextInput, label)
        .scroll_to_me();
    h.run();
    h.get_by_role_and_label(Role::TextInput, label).focus();
    h.run();
    let key = |key, modifiers| egui::Event::Key {
        key,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers,
    };
    h.input_mut().events.extend([
        key(egui::Key::A, egui::Modifiers::COMMAND),
        egui::Event::Text(text.into()),
        key(egui::Key::Enter, egui::Modifiers::NONE),
    ]);
    h.step();
    h.run();
}

fn inside(h: &App, role: Role, label: &str, setting: &str) {
    let r = h.get_by_role_and_label(role, label).rect();
    assert!(
        h.ctx.content_rect().contains_rect(r),
        "{label} at {r:?} is outside the window ({setting})"
    );
}

#[test]
fn after_go_live_the_worklist_leads_with_what_is_due_and_todays_plan_shares_it() {
    for (size, zoom) in [
        (egui::vec2(1366.0, 768.0), 1.0),
        (egui::vec2(1366.0, 768.0), 1.25),
        (egui::vec2(1280.0, 720.0), 1.0),
        (egui::vec2(1280.0, 720.0), 1.25),
    ] {
        let setting = format!("{size:?} at {zoom}");
        let p = seeded();
        let mut h = common::ui::app_on(SqliteStore::open(&p.path()).unwrap(), size, clock);
        common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
        h.ctx.set_zoom_factor(zoom);
        h.run();
        // The practice manager starts on the worklist after go-live, by due-by.
        assert!(shows(&h, "Re-entry worklist"), "{setting}");
        assert!(
            shows(&h, "1 overdue, 3 due today"),
            "the banner counts ({setting})"
        );
        assert_eq!(
            rows_in_order(&h),
            [
                "Test Slot Missed",
                "Test Booked Friday",
                "Test Repeat Dispensing",
                "Test Two Week Wait",
                "Test Rx Tuesday",
                "Test Call Later",
            ],
            "{setting}"
        );
        inside(&h, Role::Button, "Due ^", &setting);
        inside(&h, Role::Button, "Today's plan (Ctrl+T)", &setting);
        // Ctrl+T from another screen, and the button, give the same plan.
        h.key_press(egui::Key::F2);
        h.run();
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::T);
        h.run();
        assert!(shows(&h, "4 matching items"), "Ctrl+T ({setting})");
        click(&mut h, "Today's plan (Ctrl+T)");
        assert!(shows(&h, "4 matching items"), "{setting}");
        // The repeat-dispensing issue is its prescriber's; the rest nobody's yet.
        assert!(
            shows(&h, "Each person's share: unassigned 3 · Dr Test Gp 1"),
            "{setting}"
        );
        assert!(shows(&h, "OVERDUE"), "{setting}");
        // The highlighted row's details say it too.
        assert!(
            shows(&h, "Status: Outstanding - due by 23/11/2026 10:30, OVERDUE"),
            "{setting}"
        );
        assert!(shows(&h, "due today"), "{setting}");
        // Down and Space in one frame (a fast typist on a slow PC), from the
        // first row: the second row of the plan is ticked.
        h.get_all_by_label("Test Slot Missed")
            .min_by(|a, b| a.rect().min.x.total_cmp(&b.rect().min.x))
            .unwrap()
            .click();
        h.run();
        let key = |key| egui::Event::Key {
            key,
            physical_key: None,
            pressed: true,
            repeat: false,
            modifiers: egui::Modifiers::NONE,
        };
        h.input_mut()
            .events
            .extend([key(egui::Key::ArrowDown), key(egui::Key::Space)]);
        h.step();
        h.run();
        let store = SqliteStore::open(&p.path()).unwrap();
        let ticked: Vec<String> = store
            .worklist_page(
                &cutover_log::domain::WorklistFilter {
                    statuses: vec![Status::ReEntered],
                    ..Default::default()
                },
                Default::default(),
                0,
                10,
            )
            .unwrap()
            .into_iter()
            .map(|i| i.input.patient.name)
            .collect();
        assert_eq!(ticked, ["Test Booked Friday"], "{setting}");
        assert!(shows(&h, "3 matching items"), "{setting}");
    }
}

/// The Practice screen's deadlines: the practice manager changes a number
/// (typed and Enter in one frame) and every due-by follows; the old system's
/// last readable day is recorded, and the banner counts down to it, warning from
/// 14 days before with what is still open, then says those items can no longer
/// be checked.
#[test]
fn the_practice_manager_sets_the_deadlines_and_the_old_systems_last_day() {
    for (size, zoom) in [
        (egui::vec2(1366.0, 768.0), 1.25),
        (egui::vec2(1280.0, 720.0), 1.0),
    ] {
        let setting = format!("{size:?} at {zoom}");
        let p = seeded();
        let mut h = common::ui::app_on(SqliteStore::open(&p.path()).unwrap(), size, clock);
        common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
        h.ctx.set_zoom_factor(zoom);
        h.run();
        h.key_press(egui::Key::F5);
        h.run();
        replace_and_enter(&mut h, "Everything else (working days after go-live)", "0");
        let store = SqliteStore::open(&p.path()).unwrap();
        assert_eq!(store.deadline_rules().unwrap().default_days, 0, "{setting}");
        // The call is now due on go-live day: 1 overdue, 4 due today.
        assert!(shows(&h, "1 overdue, 4 due today"), "{setting}");

        let last = "Last day the old system can be read (empty: not known)";
        replace_and_enter(&mut h, last, "07/01/2027");
        assert_eq!(
            store.old_system_access_ends().unwrap(),
            chrono::NaiveDate::from_ymd_opt(2027, 1, 7),
            "{setting}"
        );
        assert!(
            shows(&h, "The old system can be read until 07/01/2027 (45 days)."),
            "{setting}"
        );
        // A bad date is refused beside the box; nothing saved.
        replace_and_enter(&mut h, last, "31/02/2027");
        assert!(shows(&h, "Nothing was saved"), "{setting}");
        assert_eq!(
            store.old_system_access_ends().unwrap(),
            chrono::NaiveDate::from_ymd_opt(2027, 1, 7)
        );
    }
}

/// The countdown as the days pass (the clock moved on): from 14 days before
/// the banner warns with what is still open, and after the last day it says
/// those items can no longer be checked and the worklist flags them.
#[test]
fn the_banner_warns_as_old_system_access_runs_out() {
    static DAYS: AtomicI64 = AtomicI64::new(0);
    fn later() -> NaiveDateTime {
        t("2026-11-23T11:00") + Duration::days(DAYS.load(Ordering::SeqCst))
    }
    let mut p = seeded();
    let manager = p.as_manager(t("2026-11-23T09:00"));
    p.store
        .set_old_system_access_ends(chrono::NaiveDate::from_ymd_opt(2026, 12, 21), &manager)
        .unwrap();
    let mut h = common::ui::app_on(
        SqliteStore::open(&p.path()).unwrap(),
        egui::vec2(1366.0, 768.0),
        later,
    );
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    assert!(shows(&h, "(28 days)"));
    DAYS.store(14, Ordering::SeqCst);
    h.state().notice_change();
    h.run();
    type_into(&mut h, "Password", TEST_PASSWORD);
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(
        shows(
            &h,
            "for 14 more days (until 21/12/2026): 6 items are still open"
        ),
        "warned at 14 days"
    );
    DAYS.store(29, Ordering::SeqCst);
    h.state().notice_change();
    h.run();
    type_into(&mut h, "Password", TEST_PASSWORD);
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(shows(&h, "can no longer be checked against it"));
    assert!(shows(&h, "no longer checkable"));
}

/// Issue 28 #10: Today's plan from "My items" is the person's own plan (it
/// keeps "Assigned to: Me"), and "My items" again drops the plan's due filter.
#[test]
fn todays_plan_from_my_items_is_my_plan_and_my_items_again_is_all_of_mine() {
    let p = seeded();
    let mut h = common::ui::app_on(
        SqliteStore::open(&p.path()).unwrap(),
        egui::vec2(1366.0, 768.0),
        || t("2026-11-23T11:00"),
    );
    common::ui::sign_in(&mut h, "Dr Test Gp (GP)");
    // A clinician starts on their own items after go-live: the two
    // prescriptions, which follow their prescriber.
    assert!(shows(&h, "2 matching items"), "{}", h.state().status.text);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::T);
    h.run();
    assert_eq!(
        h.get_by_role_and_label(Role::ComboBox, "Assigned to")
            .value()
            .as_deref(),
        Some("Me (at this desk)")
    );
    // Of the two, only repeat dispensing is due by today.
    assert!(shows(&h, "1 matching item"));
    click(&mut h, "My items");
    assert!(
        shows(&h, "2 matching items"),
        "the plan's filter was left on"
    );
}

/// Issue 28 #8 on screen: go-live on Saturday 21/11/2026. At 08:00 on Monday
/// the ordinary prescriptions and repeat dispensing are due today, not
/// OVERDUE, and the Practice screen says from which day the deadlines count.
#[test]
fn a_saturday_go_live_counts_from_monday() {
    let mut p = seeded();
    let mut project = p.store.project().unwrap().unwrap();
    project.go_live = t("2026-11-21T08:00");
    p.store
        .update_project(&project, &p.as_manager(t("2026-11-16T12:00")))
        .unwrap();
    let mut h = common::ui::app_on(
        SqliteStore::open(&p.path()).unwrap(),
        egui::vec2(1366.0, 768.0),
        || t("2026-11-23T08:00"),
    );
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    pick_everyone(&mut h);
    // As stored (the worklist's filters read the stored due-by): nothing
    // overdue at 08:00 on Monday, four due that day.
    let store = SqliteStore::open(&p.path()).unwrap();
    let count = |which| {
        store
            .worklist_count(&cutover_log::domain::WorklistFilter {
                due: Some(cutover_log::domain::DueWindow {
                    which,
                    now: t("2026-11-23T08:00"),
                }),
                ..Default::default()
            })
            .unwrap()
    };
    use cutover_log::domain::DueFilter;
    assert_eq!(count(DueFilter::Overdue), 0);
    assert!(shows(&h, "due today"));
    assert!(
        !shows(&h, "OVERDUE"),
        "nothing is overdue at 08:00 on Monday"
    );
    h.key_press(egui::Key::F5);
    h.run();
    assert!(shows(
        &h,
        "not a working day: deadlines count from Monday 23/11/2026"
    ));
}

fn pick_everyone(h: &mut App) {
    h.key_press(egui::Key::F3);
    h.run();
    common::ui::pick(h, "Assigned to", "Anyone");
}
