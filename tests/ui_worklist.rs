//! The re-entry worklist and progress screens driven through the real UI with
//! egui_kittest, checked against the SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::NaiveDateTime;
use common::ui::{pick, type_into};
use common::*;
use cutover_log::domain::{
    Actor, AssigneeFilter, ItemId, ItemKind, StaffId, Status, StatusChange, WorklistFilter,
};
use cutover_log::store::{CutoverStore, SqliteStore};
use cutover_log::ui::CutoverApp;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// After go-live: the app opens on the worklist.
fn now() -> NaiveDateTime {
    t("2026-11-24T10:00")
}

/// 6 prescriptions (GP), 4 consultations (nurse), 5 appointments; in date order.
fn seeded() -> (tempfile::TempDir, std::path::PathBuf, Vec<ItemId>) {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    let nurse = p.nurse.clone();
    let mut ids = Vec::new();
    for i in 0..15u32 {
        let (kind, clin) = match i % 3 {
            0 | 1 if i < 12 && i % 2 == 0 => (ItemKind::Prescription, &gp),
            _ if i >= 10 => (ItemKind::Appointment, &gp),
            _ => (ItemKind::Consultation, &nurse),
        };
        let occurred = format!("2026-11-{:02}T{:02}:00", 17 + i / 5, 9 + i % 5);
        let mut inp = input(kind, clin, &nhs(i * 17), &occurred);
        inp.patient.name = format!("Test Patient {i:02}");
        ids.push(p.store.log_item(&inp, &p.desk(during())).unwrap().id);
    }
    let path = p.path();
    (p.dir, path, ids)
}

fn harness(path: &std::path::Path) -> Harness<'static, CutoverApp> {
    let store = SqliteStore::open(path).unwrap();
    Harness::builder()
        .with_size(egui::vec2(1600.0, 1200.0))
        .with_max_steps(12)
        .with_theme(egui::Theme::Light)
        .build_ui_state(
            |ui, app: &mut CutoverApp| app.ui(ui),
            CutoverApp::new(Box::new(store), now),
        )
}

fn count_of(store: &dyn CutoverStore, f: WorklistFilter) -> u64 {
    store.worklist_count(&f).unwrap()
}

fn shows(h: &Harness<'_, CutoverApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

fn click(h: &mut Harness<'_, CutoverApp>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).click();
    h.run();
}

/// Clicks the worklist row of a patient (by the name cell).
fn click_row(h: &mut Harness<'_, CutoverApp>, patient: &str) {
    h.get_by_label(patient).click();
    h.run();
}

#[test]
fn opens_on_the_worklist_and_filters_combine() {
    let (_dir, path, _) = seeded();
    let mut h = harness(&path);
    let store = SqliteStore::open(&path).unwrap();
    common::ui::sign_in(&mut h, "Test Receptionist (Reception / admin)");
    assert!(shows(&h, "Re-entry worklist"));
    assert!(
        shows(&h, "15 matching items"),
        "default: outstanding and problem"
    );

    pick(&mut h, "Kind", "Prescription");
    let want = count_of(
        &store,
        WorklistFilter {
            kinds: vec![ItemKind::Prescription],
            ..Default::default()
        },
    );
    assert!(want > 0);
    assert!(shows(&h, &format!("{want} matching item")), "kind filter");

    pick(&mut h, "Clinician", "Test Nurse");
    assert!(shows(&h, "0 matching items"), "no nurse prescriptions");
    pick(&mut h, "Kind", "All kinds");
    let nurse = store
        .staff()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Test Nurse")
        .unwrap();
    let want = count_of(
        &store,
        WorklistFilter {
            clinician: Some(nurse.id),
            ..Default::default()
        },
    );
    assert!(
        shows(&h, &format!("{want} matching item")),
        "clinician filter"
    );

    pick(&mut h, "Clinician", "Any");
    type_into(&mut h, "Search", "patient 07");
    let want = count_of(
        &store,
        WorklistFilter {
            text: "patient 07".into(),
            ..Default::default()
        },
    );
    assert!(shows(&h, &format!("{want} matching item")), "free text");
    // An NHS number typed with spaces is searched as one number.
    let seven = cutover_log::domain::NhsNumber::parse(&nhs(7 * 17))
        .unwrap()
        .to_string();
    h.get_by_role_and_label(Role::TextInput, "Search").focus();
    h.run();
    for _ in 0..10 {
        h.key_press(egui::Key::Backspace);
    }
    h.run();
    type_into(&mut h, "Search", &seven);
    assert!(shows(&h, "1 matching item"), "NHS number search");
    assert!(shows(&h, "Test Patient 07"));
    assert!(!shows(&h, "Test Patient 08"));

    h.get_by_role_and_label(Role::TextInput, "Search").focus();
    h.run();
    for _ in 0..10 {
        h.key_press(egui::Key::Backspace);
    }
    h.run();
    type_into(&mut h, "From", "18/11/2026");
    type_into(&mut h, "To", "18/11/2026");
    assert!(shows(&h, "5 matching items"), "date range");
}

#[test]
fn ticking_from_the_keyboard_records_who_and_when_and_undo_restores() {
    let (_dir, path, ids) = seeded();
    let mut h = harness(&path);
    common::ui::sign_in(&mut h, "Dr Test Gp (GP)");
    click_row(&mut h, "Test Patient 00");
    h.key_press(egui::Key::Space);
    h.run();
    let store = SqliteStore::open(&path).unwrap();
    let item = store.item(ids[0]).unwrap();
    assert_eq!(item.reentry.status, Status::ReEntered);
    assert_eq!(item.reentry.by.map(|s| s.0), Some(1), "the GP at the desk");
    assert_eq!(item.reentry.at, Some(now()));
    assert!(
        shows(&h, "14 matching items"),
        "it leaves the outstanding list"
    );

    // The next item has moved up under the cursor: N without a reason is refused.
    h.key_press(egui::Key::N);
    h.run();
    assert!(shows(&h, "the reason it is not needed"));
    assert_eq!(
        store.item(ids[1]).unwrap().reentry.status,
        Status::Outstanding
    );
    type_into(
        &mut h,
        "Reference, reason or note",
        "Already in the new system",
    );
    click(&mut h, "Not needed (N)");
    let second = store.item(ids[1]).unwrap();
    assert_eq!(second.reentry.status, Status::NotNeeded);
    assert_eq!(second.reentry.note, "Already in the new system");

    // Ctrl+Z puts the last change back exactly.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(
        store.item(ids[1]).unwrap().reentry.status,
        Status::Outstanding
    );
    assert_eq!(
        store.item(ids[0]).unwrap().reentry.status,
        Status::ReEntered,
        "only the last change is undone"
    );
}

/// Another desk ticks the item this desk's list still shows as outstanding: Space
/// here is refused with who did what, the other desk's tick stands, and the list
/// is read again.
#[test]
fn a_tick_made_at_another_desk_first_is_not_overwritten() {
    let (_dir, path, ids) = seeded();
    let mut h = harness(&path);
    common::ui::sign_in(&mut h, "Dr Test Gp (GP)");
    click_row(&mut h, "Test Patient 00");
    assert!(shows(&h, "15 matching items"));

    let mut other_desk = SqliteStore::open(&path).unwrap();
    let seen = other_desk.item(ids[0]).unwrap().seen();
    let gp = Actor::staff(StaffId(1), "Dr Test Gp".to_string(), t("2026-11-24T09:55"));
    other_desk
        .set_status(
            &[seen],
            &StatusChange::ReEntered {
                note: "Ref OTHER".into(),
            },
            &gp,
        )
        .unwrap();

    h.key_press(egui::Key::Space);
    h.run();
    let message = format!(
        "Not changed: item {} was changed at another desk since your list showed it. It is now Re-entered by Dr Test Gp at 24/11/2026 09:55.",
        ids[0].0
    );
    assert!(shows(&h, &message), "the loser is told who did what");
    let item = other_desk.item(ids[0]).unwrap();
    assert_eq!(item.reentry.note, "Ref OTHER", "the first tick stands");
    assert_eq!(item.version, seen.version + 1);
    assert_eq!(
        other_desk.item(ids[1]).unwrap().reentry.status,
        Status::Outstanding,
        "nothing else was ticked instead"
    );
    assert!(shows(&h, "14 matching items"), "the list is read again");
}

/// Steps the app until the worklist's reader thread has answered (a bounded wait).
fn settle(h: &mut Harness<'_, CutoverApp>) {
    for _ in 0..200 {
        h.run_ok();
        if !h.state().worklist.is_loading() {
            h.run_ok();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the worklist reader did not answer within 2 s");
}

#[test]
fn reading_in_the_background_shows_the_same_rows_and_ticks_the_current_item() {
    let (_dir, path, ids) = seeded();
    let store = SqliteStore::open(&path).unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1600.0, 1200.0))
        .with_max_steps(12)
        .build_ui_state(
            |ui, app: &mut CutoverApp| app.ui(ui),
            CutoverApp::new(Box::new(SqliteStore::open(&path).unwrap()), now)
                .reading_in_background(),
        );
    common::ui::sign_in(&mut h, "Dr Test Gp (GP)");
    settle(&mut h);
    assert!(shows(&h, "15 matching items"), "the first count arrives");
    assert!(shows(&h, "Test Patient 00"), "and the first page");

    type_into(&mut h, "Search", "patient 1");
    settle(&mut h);
    let want = count_of(
        &store,
        WorklistFilter {
            text: "patient 1".into(),
            ..Default::default()
        },
    );
    assert!((5..15).contains(&want), "{want}");
    assert!(
        shows(&h, &format!("{want} matching items")),
        "the filtered count"
    );
    let page = store
        .worklist_page(
            &WorklistFilter {
                text: "patient 1".into(),
                ..Default::default()
            },
            Default::default(),
            0,
            100,
        )
        .unwrap();
    let names: Vec<&str> = page.iter().map(|i| i.input.patient.name.as_str()).collect();
    for i in 0..15 {
        let name = format!("Test Patient {i:02}");
        assert_eq!(
            shows(&h, &name),
            names.contains(&name.as_str()),
            "{name}: the rows are the new filter's"
        );
    }

    click_row(&mut h, "Test Patient 10");
    h.key_press(egui::Key::Space);
    settle(&mut h);
    assert_eq!(
        store.item(ids[10]).unwrap().reentry.status,
        Status::ReEntered
    );
    assert!(
        shows(&h, &format!("{} matching items", want - 1)),
        "it leaves the list"
    );
    // The cursor row is read fresh, so the next Space ticks the next item, not a stale copy.
    h.key_press(egui::Key::Space);
    settle(&mut h);
    assert_eq!(
        store.item(ids[11]).unwrap().reentry.status,
        Status::ReEntered
    );
    assert!(shows(&h, &format!("{} matching items", want - 2)));
}

#[test]
fn bulk_assignment_of_a_selection() {
    let (_dir, path, ids) = seeded();
    let mut h = harness(&path);
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    click_row(&mut h, "Test Patient 00");
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::ArrowDown);
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::ArrowDown);
    h.run();
    assert!(shows(&h, "Apply to 3 selected items"));
    pick(&mut h, "Assign to", "Test Nurse");
    click(&mut h, "Assign");
    let store = SqliteStore::open(&path).unwrap();
    let nurse = store
        .staff()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Test Nurse")
        .unwrap();
    for id in &ids[..3] {
        assert_eq!(store.item(*id).unwrap().assignee, Some(nurse.id));
    }
    assert_eq!(
        count_of(
            &store,
            WorklistFilter {
                assignee: AssigneeFilter::Staff(nurse.id),
                ..Default::default()
            }
        ),
        3 + count_of(
            &store,
            WorklistFilter {
                assignee: AssigneeFilter::Staff(nurse.id),
                kinds: vec![ItemKind::Consultation],
                ..Default::default()
            }
        ) - ids[..3]
            .iter()
            .filter(|id| store.item(**id).unwrap().input.kind == ItemKind::Consultation)
            .count() as u64
    );

    // "My items" for the nurse shows exactly what is assigned to her.
    h.get_by_role_and_label(Role::Button, "Sign out").click();
    h.run();
    common::ui::sign_in(&mut h, "Test Nurse (Nurse)");
    click(&mut h, "My items");
    let mine = count_of(
        &store,
        WorklistFilter {
            assignee: AssigneeFilter::Staff(nurse.id),
            statuses: vec![Status::Outstanding, Status::Problem],
            ..Default::default()
        },
    );
    assert!(shows(&h, &format!("{mine} matching item")));
}

#[test]
fn detail_panel_copies_fields_and_progress_matches_the_store() {
    let (_dir, path, ids) = seeded();
    let mut h = harness(&path);
    common::ui::sign_in(&mut h, "Dr Test Gp (GP)");
    click_row(&mut h, "Test Patient 00");
    assert!(shows(&h, "Prescription (item 1)"));
    h.get_all_by_label("Copy")
        .nth(5)
        .expect("medication copy")
        .click();
    h.run();
    let copied = h.state().worklist.last_copied.clone();
    assert_eq!(
        copied,
        Some((
            "Medication".to_string(),
            "Amlodipine 5mg tablets".to_string()
        ))
    );

    h.key_press(egui::Key::Space);
    h.key_press(egui::Key::Space);
    h.run();
    let store = SqliteStore::open(&path).unwrap();
    let stats = store.stats().unwrap();
    assert_eq!(stats.count(None, Some(Status::ReEntered)), 2);
    h.key_press(egui::Key::F4);
    h.run();
    assert!(
        shows(&h, "2 of 15 items done (13%)"),
        "progress headline matches the store"
    );
    assert!(shows(&h, "Dr Test Gp"));
    // The burndown lists every day since the day before go-live.
    assert!(shows(&h, "22/11/2026: 15 open"));
    assert!(shows(&h, "24/11/2026: 13 open"));
    let _ = ids;
}
