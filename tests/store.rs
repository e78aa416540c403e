//! Integration tests of the stores. The behavioural tests are generic over the
//! store and declared at the end with `on_both_stores!`: each runs on a SQLite
//! file and on a fresh database of a real PostgreSQL server (see tests/common/pg.rs
//! for how the server is found). The rest are particular to SQLite files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use cutover_log::domain::{
    Actor, AssigneeFilter, ItemKind, Sort, SortKey, Status, StatusChange, WorklistFilter,
};
use cutover_log::store::{CutoverStore, SqliteStore, StoreError};

fn every_kind_round_trips_through_the_store<S: CutoverStore>(mut p: Practice<S>) {
    for (i, kind) in ItemKind::ALL.into_iter().enumerate() {
        let input = input(kind, &p.gp.clone(), &nhs(i as u32 * 10), "2026-11-18T09:15");
        let saved = p.store.log_item(&input, &p.desk(during())).expect("log");
        let back = p.store.item(saved.id).expect("read");
        assert_eq!(back.input, input, "{kind:?}");
        assert_eq!(back.logged_by, p.reception.id);
        assert_eq!(back.logged_at, during());
        assert_eq!(back.logged_phase, "cutover");
        assert_eq!(back.reentry.status, Status::Outstanding);
    }
    // Survives closing and reopening the log.
    drop(p.store);
    let reopened = p.db.reopen().expect("reopen");
    assert_eq!(
        reopened.worklist_count(&WorklistFilter::default()).unwrap(),
        11
    );
}

fn default_assignment_follows_the_clinician_for_consultations_and_prescriptions<S: CutoverStore>(
    mut p: Practice<S>,
) {
    let gp = p.gp.clone();
    let c = p
        .store
        .log_item(
            &input(ItemKind::Consultation, &gp, NHS_A, "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();
    let rx = p
        .store
        .log_item(
            &input(ItemKind::Prescription, &gp, NHS_A, "2026-11-18T09:20"),
            &p.desk(during()),
        )
        .unwrap();
    let appt = p
        .store
        .log_item(
            &input(ItemKind::Appointment, &gp, NHS_A, "2026-11-18T09:25"),
            &p.desk(during()),
        )
        .unwrap();
    assert_eq!(c.assignee, Some(gp.id));
    assert_eq!(rx.assignee, Some(gp.id));
    assert_eq!(appt.assignee, None);
}

fn an_edit_is_audited_with_before_and_after<S: CutoverStore>(mut p: Practice<S>) {
    let gp = p.gp.clone();
    let item = p
        .store
        .log_item(
            &input(ItemKind::Other, &gp, NHS_A, "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();
    let mut changed = item.input.clone();
    changed.details = "Corrected details".into();
    let edited = p
        .store
        .edit_item(
            item.id,
            item.version,
            &changed,
            &p.desk(t("2026-11-20T11:00")),
        )
        .unwrap();
    assert_eq!(edited.input.details, "Corrected details");
    assert_eq!(edited.version, item.version + 1);

    let history = p
        .store
        .history(cutover_log::domain::AuditEntity::Item, item.id.0)
        .unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["item.logged", "item.edited"]);
    let edit = &history[1];
    assert_eq!(edit.actor, Some(p.reception.id));
    assert_eq!(edit.at, t("2026-11-20T11:00"));
    assert_eq!(
        edit.before.as_ref().unwrap()["details"],
        "Details for Other"
    );
    assert_eq!(edit.after.as_ref().unwrap()["details"], "Corrected details");

    // A stale edit (old version) is refused and changes nothing.
    let err = p
        .store
        .edit_item(item.id, item.version, &item.input, &p.desk(during()))
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err}");
    assert_eq!(
        p.store.item(item.id).unwrap().input.details,
        "Corrected details"
    );
}

fn voided_items_stay_in_the_database_but_leave_the_worklist_and_counts<S: CutoverStore>(
    mut p: Practice<S>,
) {
    let gp = p.gp.clone();
    let a = p
        .store
        .log_item(
            &input(ItemKind::Other, &gp, NHS_A, "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();
    p.store
        .log_item(
            &input(ItemKind::Other, &gp, &nhs(5), "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();

    assert!(
        p.store.void_item(a.id, "  ", &p.desk(during())).is_err(),
        "a reason is required"
    );
    let voided = p
        .store
        .void_item(a.id, "Logged against the wrong patient", &p.desk(during()))
        .unwrap();
    assert_eq!(
        voided.void.as_ref().map(|v| v.reason.as_str()),
        Some("Logged against the wrong patient")
    );

    assert_eq!(
        p.store.worklist_count(&WorklistFilter::default()).unwrap(),
        1
    );
    let stats = p.store.stats().unwrap();
    assert_eq!(stats.total(), 1);
    assert_eq!(stats.voided(), 1);
    let all = WorklistFilter {
        include_voided: true,
        ..WorklistFilter::default()
    };
    assert_eq!(p.store.worklist_count(&all).unwrap(), 2);
    assert_eq!(
        p.store.item(a.id).unwrap().void.map(|v| v.by),
        Some(p.reception.id)
    );
    // A voided item can't be changed; nothing can delete it.
    assert!(matches!(
        p.store.set_status(
            &p.seen(&[a.id]),
            &StatusChange::ReEntered {
                note: String::new()
            },
            &p.desk(during())
        ),
        Err(StoreError::Voided(_))
    ));
    let delete = format!("DELETE FROM items WHERE id = {}", a.id.0);
    let err = p.db.exec(&delete, &delete).unwrap_err();
    assert!(err.contains("never deleted"), "{err}");
    let update = "UPDATE audit_events SET action = 'x'";
    let err = p.db.exec(update, update).unwrap_err();
    assert!(err.contains("append-only"), "{err}");
    let err =
        p.db.exec("DELETE FROM audit_events", "DELETE FROM audit_events")
            .unwrap_err();
    assert!(err.contains("append-only"), "{err}");
}

fn status_changes_record_who_and_when_and_undo_restores_them<S: CutoverStore>(mut p: Practice<S>) {
    let gp = p.gp.clone();
    let a = p
        .store
        .log_item(
            &input(ItemKind::Consultation, &gp, NHS_A, "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();
    let b = p
        .store
        .log_item(
            &input(ItemKind::Consultation, &gp, &nhs(3), "2026-11-18T09:30"),
            &p.desk(during()),
        )
        .unwrap();
    let when = t("2026-11-24T10:00");
    let prev = p
        .store
        .set_status(
            &[a.seen(), b.seen()],
            &StatusChange::ReEntered {
                note: "Ref 123".into(),
            },
            &p.as_gp(when),
        )
        .unwrap();
    let a2 = p.store.item(a.id).unwrap();
    assert_eq!(a2.reentry.status, Status::ReEntered);
    assert_eq!(a2.reentry.by, Some(gp.id));
    assert_eq!(a2.reentry.at, Some(when));
    assert_eq!(a2.reentry.note, "Ref 123");
    assert!(
        p.store
            .set_status(
                &p.seen(&[a.id]),
                &StatusChange::NotNeeded {
                    reason: String::new()
                },
                &p.as_gp(when)
            )
            .is_err()
    );

    p.store
        .restore_status(&prev, &p.as_gp(t("2026-11-24T10:05")))
        .unwrap();
    assert_eq!(p.store.item(a.id).unwrap().reentry, a.reentry);
    assert_eq!(p.store.item(b.id).unwrap().reentry, b.reentry);
    let actions: Vec<String> = p
        .store
        .history(cutover_log::domain::AuditEntity::Item, a.id.0)
        .unwrap()
        .into_iter()
        .map(|e| e.action.to_string())
        .collect();
    assert_eq!(
        actions,
        vec!["item.logged", "item.status", "item.status_undone"]
    );
}

fn worklist_filters_combine_and_page_in_date_order<S: CutoverStore>(mut p: Practice<S>) {
    let gp = p.gp.clone();
    let nurse = p.nurse.clone();
    for i in 0..30u32 {
        let kind = if i % 3 == 0 {
            ItemKind::Consultation
        } else {
            ItemKind::Appointment
        };
        let clin = if i % 2 == 0 { &gp } else { &nurse };
        let occurred = format!("2026-11-{:02}T{:02}:00", 17 + i / 10, 8 + i % 10);
        p.store
            .log_item(
                &input(kind, clin, &nhs(i * 7), &occurred),
                &p.desk(during()),
            )
            .unwrap();
    }
    let count = |s: &S, f: &WorklistFilter| s.worklist_count(f).unwrap();
    let consults = WorklistFilter {
        kinds: vec![ItemKind::Consultation],
        ..Default::default()
    };
    assert_eq!(count(&p.store, &consults), 10);
    let gp_consults = WorklistFilter {
        clinician: Some(gp.id),
        ..consults.clone()
    };
    assert_eq!(count(&p.store, &gp_consults), 5);
    let mine = WorklistFilter {
        assignee: AssigneeFilter::Staff(gp.id),
        ..Default::default()
    };
    assert_eq!(
        count(&p.store, &mine),
        5,
        "only consultations are assigned by default"
    );
    let unassigned = WorklistFilter {
        assignee: AssigneeFilter::Unassigned,
        ..Default::default()
    };
    assert_eq!(count(&p.store, &unassigned), 20);
    let day = WorklistFilter {
        from: Some(t("2026-11-18T00:00").date()),
        to: Some(t("2026-11-18T00:00").date()),
        ..Default::default()
    };
    assert_eq!(count(&p.store, &day), 10);

    // Pages come in occurred_at order and don't overlap.
    let page1 = p
        .store
        .worklist_page(&WorklistFilter::default(), Sort::default(), 0, 12)
        .unwrap();
    let page2 = p
        .store
        .worklist_page(&WorklistFilter::default(), Sort::default(), 12, 12)
        .unwrap();
    let times: Vec<_> = page1
        .iter()
        .chain(&page2)
        .map(|i| i.input.occurred_at)
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    assert_eq!(page1.len() + page2.len(), 24);
    assert!(page1.iter().all(|a| page2.iter().all(|b| a.id != b.id)));
    let desc = p
        .store
        .worklist_page(
            &WorklistFilter::default(),
            Sort {
                key: SortKey::OccurredAt,
                descending: true,
            },
            0,
            1,
        )
        .unwrap();
    assert_eq!(
        desc[0].input.occurred_at,
        t("2026-11-19T17:00"),
        "the latest of all 30"
    );
    let by_clinician = p
        .store
        .worklist_page(
            &WorklistFilter::default(),
            Sort {
                key: SortKey::Clinician,
                descending: false,
            },
            0,
            30,
        )
        .unwrap();
    assert_eq!(
        by_clinician[0].input.clinician,
        Some(gp.id),
        "Dr Test Gp sorts before Test Nurse"
    );
}

fn count_and_page_together_agree_with_count_and_page_apart<S: CutoverStore>(mut p: Practice<S>) {
    let gp = p.gp.clone();
    let nurse = p.nurse.clone();
    for i in 0..40u32 {
        let clin = if i % 2 == 0 { &gp } else { &nurse };
        let mut it = input(
            ItemKind::Other,
            clin,
            &nhs(i * 3),
            &format!("2026-11-18T{:02}:{:02}", 8 + i / 6, i % 60),
        );
        it.details = if i % 4 == 0 {
            "amlodipine review".into()
        } else {
            "letter filed".into()
        };
        p.store.log_item(&it, &p.desk(during())).unwrap();
    }
    let with_text = |text: &str| WorklistFilter {
        text: text.into(),
        ..Default::default()
    };
    let gp_text = WorklistFilter {
        clinician: Some(gp.id),
        ..with_text("amlodipine")
    };
    let sorts = [
        Sort::default(),
        Sort {
            key: SortKey::Clinician,
            descending: true,
        },
    ];
    for f in [
        WorklistFilter::default(),
        with_text("amlodipine"),
        with_text("letter"),
        with_text("zzz"),
        with_text("am"),
        gp_text,
    ] {
        for sort in sorts {
            for (offset, limit) in [(0, 7), (7, 7), (35, 10), (100, 10)] {
                let (n, page) = p
                    .store
                    .worklist_count_and_page(&f, sort, offset, limit)
                    .unwrap();
                assert_eq!(n, p.store.worklist_count(&f).unwrap(), "{f:?}");
                let apart = p.store.worklist_page(&f, sort, offset, limit).unwrap();
                let ids =
                    |v: &[cutover_log::domain::Item]| v.iter().map(|i| i.id).collect::<Vec<_>>();
                assert_eq!(ids(&page), ids(&apart), "{f:?} {sort:?} {offset}");
            }
        }
    }
    assert_eq!(
        p.store
            .worklist_count_and_page(&with_text("amlodipine"), Sort::default(), 0, 100)
            .unwrap()
            .0,
        10
    );
}

fn free_text_search_finds_name_nhs_number_and_details_literally<S: CutoverStore>(
    mut p: Practice<S>,
) {
    let gp = p.gp.clone();
    let mut i1 = input(ItemKind::Other, &gp, NHS_A, "2026-11-18T09:15");
    i1.details = "Patient asked about 100% refund_form".into();
    p.store.log_item(&i1, &p.desk(during())).unwrap();
    let mut i2 = input(ItemKind::Other, &gp, &nhs(99), "2026-11-18T09:15");
    i2.patient.name = "Another Testperson".into();
    p.store.log_item(&i2, &p.desk(during())).unwrap();
    let find = |s: &S, text: &str| {
        s.worklist_count(&WorklistFilter {
            text: text.into(),
            ..Default::default()
        })
        .unwrap()
    };
    assert_eq!(find(&p.store, "o'brien"), 1);
    assert_eq!(find(&p.store, "TESTPERSON"), 1);
    assert_eq!(find(&p.store, "999 000 0018"), 1);
    assert_eq!(find(&p.store, "100%"), 1);
    assert_eq!(
        find(&p.store, "%"),
        1,
        "% is matched literally, not as a wildcard"
    );
    assert_eq!(find(&p.store, "refund_form"), 1);
    assert_eq!(find(&p.store, "_"), 1);
    assert_eq!(find(&p.store, "zzz"), 0);
}

fn patient_recall_and_duplicate_warning<S: CutoverStore>(mut p: Practice<S>) {
    let gp = p.gp.clone();
    let first = input(ItemKind::Prescription, &gp, NHS_A, "2026-11-18T09:15");
    p.store.log_item(&first, &p.desk(during())).unwrap();
    let n = first.patient.nhs_number.unwrap();
    let recall = p.store.patient_recall(&n).unwrap().expect("known patient");
    assert_eq!(recall.name, first.patient.name);
    assert_eq!(recall.date_of_birth, first.patient.date_of_birth);
    assert!(
        recall
            .conflict_warning(&first.patient.name, first.patient.date_of_birth)
            .is_none()
    );
    assert!(recall.conflict_warning("Someone Else", None).is_some());

    let near = input(ItemKind::Prescription, &gp, NHS_A, "2026-11-18T09:29");
    assert_eq!(p.store.possible_duplicates(&near, None).unwrap().len(), 1);
    let far = input(ItemKind::Prescription, &gp, NHS_A, "2026-11-18T09:31");
    assert!(p.store.possible_duplicates(&far, None).unwrap().is_empty());
    let other_kind = input(ItemKind::Consultation, &gp, NHS_A, "2026-11-18T09:15");
    assert!(
        p.store
            .possible_duplicates(&other_kind, None)
            .unwrap()
            .is_empty()
    );
    assert!(
        p.store
            .patient_recall(&cutover_log::domain::NhsNumber::parse(&nhs(50)).unwrap())
            .unwrap()
            .is_none()
    );
}

fn items_logged_outside_the_window_are_flagged<S: CutoverStore>(mut p: Practice<S>) {
    let gp = p.gp.clone();
    let late = p
        .store
        .log_item(
            &input(ItemKind::Other, &gp, NHS_A, "2026-11-20T09:15"),
            &p.desk(t("2026-11-23T09:00")),
        )
        .unwrap();
    assert_eq!(late.logged_phase, "after_go_live");
    assert!(late.logged_outside_window());
}

fn moving_go_live_is_recorded<S: CutoverStore>(mut p: Practice<S>) {
    let mut project = p.store.project().unwrap().unwrap();
    project.go_live = t("2026-11-30T08:00");
    // Reception may not move go-live; the refusal is audited.
    let err = p
        .store
        .update_project(&project, &p.desk(during()))
        .unwrap_err();
    assert!(matches!(err, StoreError::NotPermitted(_)), "{err}");
    p.store
        .update_project(&project, &p.as_manager(during()))
        .unwrap();
    assert_eq!(
        p.store.project().unwrap().unwrap().go_live,
        t("2026-11-30T08:00")
    );
    let h = p
        .store
        .history(cutover_log::domain::AuditEntity::Project, 1)
        .unwrap();
    assert_eq!(
        h.last().map(|e| e.action.as_str()),
        Some("project.go_live_moved")
    );
    assert_eq!(
        h.last().and_then(|e| e.before.clone()).unwrap()["go_live"],
        "2026-11-23T08:00:00"
    );
}

fn staff_names_are_unique_and_actions_need_a_named_person<S: CutoverStore>(mut p: Practice<S>) {
    let err = p
        .store
        .add_staff(
            "dr test gp",
            cutover_log::domain::Role::Gp,
            &p.as_manager(during()),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::DuplicateStaff(_)));
    let gp = p.gp.clone();
    let system = cutover_log::domain::Actor::system("someone", during());
    let err = p
        .store
        .log_item(
            &input(ItemKind::Other, &gp, NHS_A, "2026-11-18T09:15"),
            &system,
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::NotPermitted(_)), "{err}");
    assert!(err.to_string().contains("sign in to log items"), "{err}");
}

#[test]
fn a_newer_schema_is_refused_and_the_file_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("newer version"));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file must not change"
    );
    assert!(!dir.path().join("newer.sqlite3-wal").exists());
}

#[test]
fn migrations_run_on_an_empty_and_on_a_populated_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.sqlite3");
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(
        s.schema_version().unwrap(),
        cutover_log::store::sqlite::LATEST_VERSION
    );
    assert!(s.project().unwrap().is_none());
    drop(s);

    let mut p = Practice::new();
    let gp = p.gp.clone();
    p.store
        .log_item(
            &input(ItemKind::Other, &gp, NHS_A, "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();
    let path = p.path();
    drop(p.store);
    // Opening again re-runs the migration check on a populated file: nothing is lost.
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(
        s.schema_version().unwrap(),
        cutover_log::store::sqlite::LATEST_VERSION
    );
    assert_eq!(s.worklist_count(&WorklistFilter::default()).unwrap(), 1);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert!(s.verify().unwrap().is_ok());
}

#[test]
fn worklist_queries_use_indexes_not_full_scans() {
    let p = Practice::new();
    for f in [
        WorklistFilter::default(),
        WorklistFilter {
            kinds: vec![ItemKind::Prescription],
            ..Default::default()
        },
        WorklistFilter {
            statuses: vec![Status::Outstanding],
            ..Default::default()
        },
        WorklistFilter {
            assignee: AssigneeFilter::Staff(p.gp.id),
            ..Default::default()
        },
        WorklistFilter {
            clinician: Some(p.gp.id),
            ..Default::default()
        },
    ] {
        let plan = p
            .store
            .explain_page(&f, Sort::default())
            .unwrap()
            .join(" | ");
        assert!(
            !plan.contains("SCAN items") || plan.contains("USING INDEX"),
            "{f:?}: {plan}"
        );
    }
}

fn the_audit_trail_is_a_hash_chain_and_verify_finds_the_first_broken_link<S: CutoverStore>(
    mut p: Practice<S>,
) {
    let gp = p.gp.clone();
    for i in 0..5 {
        p.store
            .log_item(
                &input(ItemKind::Other, &gp, &nhs(i * 3), "2026-11-18T09:15"),
                &p.desk(during()),
            )
            .unwrap();
    }
    let report = p.store.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.broken_link, None);
    assert_eq!(report.events_before_chain, 0);

    // Someone with file or server access edits an event (lifting the trigger first).
    p.db.exec(
        "DROP TRIGGER audit_append_only_update;
         UPDATE audit_events SET actor_name = 'Someone Else' WHERE id = 7;",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_append_only_update;
         UPDATE audit_events SET actor_name = 'Someone Else' WHERE id = 7;",
    )
    .unwrap();
    let report = p.store.verify().unwrap();
    assert!(!report.is_ok());
    let (id, why) = report.broken_link.unwrap();
    assert_eq!(id, 7);
    assert!(why.contains("changed"), "{why}");
}

/// Issue 31 #1: every hash set to NULL (pure SQL, no hashing needed) and a drug
/// changed in the item and its events is a broken chain, not "0 events intact".
fn nulled_hashes_are_a_broken_chain<S: CutoverStore>(mut p: Practice<S>) {
    let gp = p.gp.clone();
    let mut rx = input(ItemKind::Prescription, &gp, NHS_A, "2026-11-18T09:15");
    rx.fields
        .insert("medication".into(), "Amlodipine 5mg tablets".into());
    p.store.log_item(&rx, &p.desk(during())).unwrap();
    assert!(p.store.verify().unwrap().is_ok());
    p.db.exec(
        "DROP TRIGGER audit_append_only_update;
         UPDATE audit_events SET prev_hash = NULL, hash = NULL,
             after_json = replace(after_json, 'Amlodipine', 'Atenolol');
         UPDATE items SET fields_json = replace(fields_json, 'Amlodipine', 'Atenolol');",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_append_only_update;
         UPDATE audit_events SET prev_hash = NULL, hash = NULL,
             after_json = replace(after_json, 'Amlodipine', 'Atenolol');
         UPDATE items SET fields_json = replace(fields_json, 'Amlodipine', 'Atenolol');",
    )
    .unwrap();
    let report = p.store.verify().unwrap();
    assert!(!report.is_ok(), "{report:?}");
    let (id, why) = report.broken_link.expect("a broken link");
    assert_eq!(id, 1, "from the first event");
    assert!(why.contains("no event has its hash"), "{why}");
}

/// Issue 31 #9: recording an export, backup or copy obeys the same rule as every
/// other write: an active, signed-in person; the system only for what happens
/// before anyone signs in. Refusals are audited.
fn recording_an_event_needs_an_active_signed_in_person<S: CutoverStore>(mut p: Practice<S>) {
    use cutover_log::domain::{Actor, AuditAction};
    let at = during();
    let nobody = Actor::system("a script", at);
    assert!(matches!(
        p.store
            .record_event(&nobody, AuditAction::ReportExported, "csv to x.csv"),
        Err(StoreError::NotPermitted(_))
    ));
    let nurse = p.nurse.clone();
    let manager = p.manager.clone();
    let manager_actor = Actor::staff(manager.id, manager.name.clone(), at);
    p.store
        .set_staff_active(nurse.id, false, &manager_actor)
        .unwrap();
    let gone = Actor::staff(nurse.id, nurse.name.clone(), at);
    assert!(matches!(
        p.store
            .record_event(&gone, AuditAction::ReportExported, "csv to y.csv"),
        Err(StoreError::NotPermitted(_))
    ));
    p.store
        .record_event(&manager_actor, AuditAction::ReportExported, "csv to z.csv")
        .unwrap();
    p.store
        .record_event(&nobody, AuditAction::PlacementOverridden, "IT's override")
        .unwrap();
    let exports = p
        .store
        .history(cutover_log::domain::AuditEntity::Report, 0)
        .unwrap();
    assert_eq!(
        exports
            .iter()
            .filter(|e| e.action == "report.exported")
            .count(),
        1,
        "only the permitted export is recorded"
    );
    assert!(p.store.verify().unwrap().is_ok());
}

/// Issue 31 #3: one row put into `purges` by hand switched off the staff and
/// project replay, so a receptionist made practice manager passed verify. Only
/// a purge the chain records counts, and the fake row is named.
fn a_purge_the_chain_does_not_record_switches_nothing_off<S: CutoverStore>(p: Practice<S>) {
    assert!(p.store.verify().unwrap().is_ok());
    let sql = format!(
        "INSERT INTO purges (at, summary) VALUES ('2026-11-30T09:00:00', '{{}}');
         UPDATE staff SET role = 'practice_manager' WHERE id = {};",
        p.reception.id.0
    );
    p.db.exec(&sql, &sql).unwrap();
    let report = p.store.verify().unwrap();
    assert!(!report.is_ok(), "{report:?}");
    let said: Vec<String> = report
        .divergences
        .iter()
        .flat_map(|d| d.fields.clone())
        .collect();
    assert!(
        said.iter()
            .any(|f| f.contains("purge row(s) the audit trail does not record")),
        "{said:?}"
    );
    assert!(
        report
            .divergences
            .iter()
            .any(|d| d.entity == "staff" && d.id == p.reception.id.0),
        "the receptionist's new role is found: {:?}",
        report.divergences
    );
}

/// Issue 31 #8: the store takes an import only in the importer's name and
/// under the importer's role, whatever reads the file: an item logged,
/// re-entered or voided in another person's name is refused, and nothing of
/// the import is stored.
fn an_import_is_only_ever_in_the_importers_name<S: CutoverStore>(mut p: Practice<S>) {
    use cutover_log::domain::{ItemKind, Reentry, Status};
    use cutover_log::store::ImportedItem;
    let desk = p.desk(during());
    let item = |logged_by, reentry: Reentry| ImportedItem {
        input: input(ItemKind::Prescription, &p.gp, NHS_A, "2026-11-18T10:40"),
        logged_by,
        logged_at: during(),
        assignee: None,
        reentry,
        void: None,
        stated: None,
    };
    let before = p.store.verify().unwrap().items;
    let in_the_gps_name = item(
        p.reception.id,
        Reentry {
            status: Status::ReEntered,
            by: Some(p.gp.id),
            at: Some(during()),
            note: String::new(),
        },
    );
    let mine = item(p.reception.id, Reentry::outstanding());
    assert!(matches!(
        p.store
            .import_items(&[mine.clone(), in_the_gps_name], &desk),
        Err(StoreError::NotPermitted(_))
    ));
    let logged_by_the_gp = item(p.gp.id, Reentry::outstanding());
    assert!(matches!(
        p.store.import_items(&[logged_by_the_gp], &desk),
        Err(StoreError::NotPermitted(_))
    ));
    // In the receptionist's own name, but a prescription re-entered: the role.
    let own_tick = item(
        p.reception.id,
        Reentry {
            status: Status::ReEntered,
            by: Some(p.reception.id),
            at: Some(during()),
            note: String::new(),
        },
    );
    assert!(matches!(
        p.store.import_items(&[own_tick], &desk),
        Err(StoreError::NotPermitted(_))
    ));
    assert_eq!(p.store.verify().unwrap().items, before, "nothing stored");
    assert_eq!(p.store.import_items(&[mine], &desk).unwrap(), 1);
}

/// Issue 30 (#12, memory) and issue 31 (#16): an import file is read a chunk
/// of rows at a time while the chunk before is written, and kept whole or not
/// at all: a bad row or an item in another's name in a later chunk rolls back
/// the chunks already written; the rows left out are written beside the file
/// before the import is kept, and when they cannot be, nothing is imported.
fn an_import_file_is_kept_whole_or_not_at_all<S: CutoverStore>(mut p: Practice<S>) {
    use cutover_log::domain::StaffDirectory;
    use cutover_log::reports::import_file::{NotImported, import_file};
    use cutover_log::reports::interchange::{ImportContext, ROWS_PER_CHUNK};
    let rows = ROWS_PER_CHUNK * 2 + 17;
    let late = ROWS_PER_CHUNK + 5; // in the second chunk: the first is written by then
    let csv = |bad: Option<&str>| {
        let mut text = String::from(
            "kind,occurred_at,nhs_number,patient_name,date_of_birth,clinician,details,logged_by,summary,status\n",
        );
        for i in 0..rows {
            let row = match bad {
                Some(b) if i == late => b.to_string(),
                _ => format!(
                    "other,2026-11-18T09:00,999 000 0018,Test Patient,1970-01-01,,Row {i},Test Receptionist,,"
                ),
            };
            text.push_str(&row);
            text.push('\n');
        }
        text
    };
    let path = p.dir.path().join("items.csv");
    let staff = StaffDirectory::new(p.store.staff().unwrap());
    let desk = p.desk(during());
    let ctx = ImportContext {
        staff: &staff,
        importer: desk.staff,
        now: during(),
        file: "items.csv",
    };
    let before = p.store.verify().unwrap().items;
    // A bad date in the second chunk: every problem listed, nothing kept.
    std::fs::write(
        &path,
        csv(Some(
            "other,18/13/2026 09:00,999 000 0018,Test Patient,1970-01-01,,Bad,Test Receptionist,,",
        )),
    )
    .unwrap();
    match import_file(&mut p.store, &path, ctx, &desk, false) {
        Err(NotImported::Rows { rejected, good }) => {
            assert_eq!((rejected.len(), good), (1, rows - 1));
            assert_eq!(rejected[0].line, late as u64 + 2, "the line in the file");
        }
        other => panic!("expected the rows refused, got {other:?}"),
    }
    assert_eq!(p.store.verify().unwrap().items, before, "nothing stored");
    // Left out on purpose, but the rejects file cannot be written: nothing kept.
    let rejects = p.dir.path().join("items.csv.rejected.csv");
    std::fs::create_dir(&rejects).unwrap();
    assert!(matches!(
        import_file(&mut p.store, &path, ctx, &desk, true),
        Err(NotImported::Rejects(_))
    ));
    assert_eq!(p.store.verify().unwrap().items, before, "nothing stored");
    std::fs::remove_dir(&rejects).unwrap();
    // A consultation re-entered, late in the file: a receptionist may not tick
    // one, so the whole import is refused (and the refusal recorded).
    std::fs::write(
        &path,
        csv(Some("consultation,2026-11-18T09:00,999 000 0018,Test Patient,1970-01-01,Dr Test Gp,,Test Receptionist,Cough,re_entered")),
    )
    .unwrap();
    match import_file(&mut p.store, &path, ctx, &desk, false) {
        Err(NotImported::Store(StoreError::NotPermitted(why))) => {
            assert!(
                why.contains("may not change the re-entry status of a consultation"),
                "{why}"
            );
        }
        other => panic!("expected the import refused, got {other:?}"),
    }
    let verified = p.store.verify().unwrap();
    assert_eq!(verified.items, before, "nothing stored");
    assert!(verified.is_ok(), "{verified:?}");
    let refusals = p
        .store
        .history(cutover_log::domain::AuditEntity::Access, p.reception.id.0)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "access.denied")
        .count();
    assert_eq!(refusals, 1, "the refusal is recorded once");
    // The bad date left out on purpose: the rest kept, the row beside the file.
    std::fs::write(
        &path,
        csv(Some(
            "other,18/13/2026 09:00,999 000 0018,Test Patient,1970-01-01,,Bad,Test Receptionist,,",
        )),
    )
    .unwrap();
    let done = import_file(&mut p.store, &path, ctx, &desk, true).unwrap();
    assert_eq!((done.items, done.rejected), (rows - 1, 1));
    let written = std::fs::read_to_string(done.rejects_file.unwrap()).unwrap();
    assert!(written.contains("18/13/2026 09:00") && written.contains(",Bad,"));
    let verified = p.store.verify().unwrap();
    assert_eq!(verified.items, before + rows as u64 - 1);
    assert!(verified.is_ok(), "{verified:?}");
    // A whole good file.
    std::fs::write(&path, csv(None)).unwrap();
    let done = import_file(&mut p.store, &path, ctx, &desk, false).unwrap();
    assert_eq!(
        (done.items, done.rejected, done.rejects_file),
        (rows, 0, None)
    );
    assert_eq!(
        p.store.verify().unwrap().items,
        before + 2 * rows as u64 - 1
    );
}

/// Issue 31 #4: the tables that state a fact are replayed from the chain: a
/// sign-off, a "verified in the new system" or a capture mapping put in or
/// changed by SQL is named by verify, and so is a guard trigger dropped
/// (left dropped) — each alone, on both backends.
fn forged_sign_offs_findings_mappings_and_dropped_guards_are_found<S: CutoverStore>(
    mut p: Practice<S>,
) {
    use cutover_log::domain::signoff::Signing;
    let at = t("2026-11-30T16:00");
    p.store.sign_off("", Signing::First, &p.as_gp(at)).unwrap();
    let desk = p.desk(during());
    let header: Vec<String> = ["NHS No", "Drug", "Issue Date"].map(String::from).to_vec();
    let mapping = cutover_log::domain::capture::suggest(
        &header,
        Some(cutover_log::domain::ItemKind::Prescription),
        "Issues",
    );
    p.store.save_capture_mapping(&mapping, &desk).unwrap();
    let item = p
        .store
        .log_item(
            &input(
                cutover_log::domain::ItemKind::Other,
                &p.gp,
                NHS_A,
                "2026-11-18T09:00",
            ),
            &desk,
        )
        .unwrap();
    assert!(
        p.store.verify().unwrap().is_ok(),
        "the app's own writes replay"
    );
    let gp = p.gp.id.0;
    let manager = p.manager.id.0;
    // What an insider does, how it is undone, and what verify must say.
    let cases: Vec<(&str, String, String, &str)> = vec![
        (
            "a false sign-off",
            format!(
                "INSERT INTO sign_offs (name, role, at, comment, signed_by, items, voided)
                 VALUES ('Test Manager', 'practice_manager', '2026-12-01T09:00:00', '', {manager}, 1, 0)"
            ),
            "DELETE FROM sign_offs WHERE id = (SELECT MAX(id) FROM sign_offs)".into(),
            "sign_off",
        ),
        (
            "a sign-off's signer changed",
            format!("UPDATE sign_offs SET signed_by = {manager}, name = 'Test Manager'"),
            format!("UPDATE sign_offs SET signed_by = {gp}, name = 'Dr Test Gp'"),
            "sign_off",
        ),
        (
            "a false verification",
            format!(
                "INSERT INTO verifications (item_id, outcome, file_name, sha256, line, at, by_id)
                 VALUES ({}, 'verified', 'x.csv', '{}', 2, '2026-12-01T09:00:00', {gp})",
                item.id.0,
                "ab".repeat(32)
            ),
            "DELETE FROM verifications".into(),
            "the audit trail does not record",
        ),
        (
            "a staff member's password hash swapped for one whose password the insider knows",
            format!(
                "CREATE TABLE kept_hash AS SELECT id, password_hash FROM staff;
                 UPDATE staff SET password_hash = (SELECT password_hash FROM staff WHERE id = {manager}) WHERE id = {gp}"
            ),
            "UPDATE staff SET password_hash = (SELECT k.password_hash FROM kept_hash k WHERE k.id = staff.id);
             DROP TABLE kept_hash"
                .into(),
            "password hash not the one the app stored",
        ),
        (
            "a password removed",
            format!(
                "CREATE TABLE kept_hash AS SELECT id, password_hash FROM staff;
                 UPDATE staff SET password_hash = NULL WHERE id = {gp}"
            ),
            "UPDATE staff SET password_hash = (SELECT k.password_hash FROM kept_hash k WHERE k.id = staff.id);
             DROP TABLE kept_hash"
                .into(),
            "password removed outside the app",
        ),
        (
            "a mapping rewritten",
            "UPDATE capture_mappings SET mapping_json = replace(mapping_json, 'NHS No', 'NHS Nx')"
                .into(),
            "UPDATE capture_mappings SET mapping_json = replace(mapping_json, 'NHS Nx', 'NHS No')"
                .into(),
            "not as last saved",
        ),
        (
            "a search text blanked (the item vanishes from search)",
            "CREATE TABLE kept_text AS SELECT id, search_text FROM items;
             UPDATE items SET search_text = ''"
                .into(),
            "UPDATE items SET search_text = (SELECT k.search_text FROM kept_text k WHERE k.id = items.id);
             DROP TABLE kept_text"
                .into(),
            "search_text",
        ),
    ];
    for (what, sql, undo, says) in cases {
        p.db.exec(&sql, &sql).unwrap();
        let report = p.store.verify().unwrap();
        let all: Vec<String> = report
            .divergences
            .iter()
            .map(|d| format!("{} {}: {}", d.entity, d.id, d.fields.join(", ")))
            .collect();
        assert!(!report.is_ok(), "{what}: not found");
        assert!(all.iter().any(|d| d.contains(says)), "{what}: {all:?}");
        p.db.exec(&undo, &undo).unwrap();
        assert!(p.store.verify().unwrap().is_ok(), "{what}: undone");
    }
    p.db.exec(
        "DROP TRIGGER audit_append_only_update;",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_append_only_update;",
    )
    .unwrap();
    let report = p.store.verify().unwrap();
    assert!(
        report.divergences.iter().any(|d| d
            .fields
            .iter()
            .any(|f| f.contains("audit_append_only_update is missing or switched off"))),
        "{report:?}"
    );
}

/// Issue 31's tamper suite: a log with a row in every table that states a
/// fact (items, their history, staff, project, sign-offs, report rows,
/// findings, mappings, purges), each table edited, inserted into and deleted
/// from by SQL behind the app's back (the guards dropped where they stop it),
/// one change at a time: verify finds every one and names what changed; each
/// undone, the log verifies again. A change with the whole tail of the trail
/// re-hashed is the one verify cannot see alone; `verify --against` (tested
/// with the command line) finds that.
fn every_table_tampered_with_is_found<S: CutoverStore>(mut p: Practice<S>) {
    use cutover_log::domain::signoff::Signing;
    use cutover_log::store::capture::{CaptureBatch, CaptureRow};
    use cutover_log::store::reconcile::{Acceptance, ReconcileDecision};
    let gp = p.gp.clone();
    p.store
        .sign_off("", Signing::First, &p.as_gp(t("2026-11-16T10:00")))
        .unwrap();
    let desk = p.desk(during());
    let header: Vec<String> = ["NHS No", "Drug", "Issue Date"].map(String::from).to_vec();
    let mapping =
        cutover_log::domain::capture::suggest(&header, Some(ItemKind::Prescription), "Issues");
    p.store.save_capture_mapping(&mapping, &desk).unwrap();
    let mut rx = input(ItemKind::Prescription, &gp, NHS_A, "2026-11-18T10:40");
    rx.fields
        .insert("medication".into(), "Amlodipine 5mg tablets".into());
    let logged = p.store.log_item(&rx, &desk).unwrap();
    let mut missed = input(ItemKind::Prescription, &gp, &nhs(7), "2026-11-18T00:00");
    missed
        .fields
        .insert("medication".into(), "Ramipril 2.5mg capsules".into());
    let mut confirmed = rx.clone();
    confirmed.occurred_at = t("2026-11-18T00:00");
    p.store
        .capture(
            &CaptureBatch {
                file_name: "issues.csv".into(),
                sha256: "ab".repeat(32),
                rows: vec![
                    CaptureRow {
                        line: 4,
                        input: confirmed,
                    },
                    CaptureRow {
                        line: 5,
                        input: missed,
                    },
                ],
                judged: Default::default(),
            },
            &desk,
            &mut |_, _| true,
        )
        .unwrap();
    let after = t("2026-11-25T09:00");
    let item = p.store.item(logged.id).unwrap();
    p.store
        .record_reconciliation(
            &ReconcileDecision {
                file_name: "new-issues.csv".into(),
                sha256: "cd".repeat(32),
                accepted: vec![Acceptance {
                    line: 2,
                    item: item.seen(),
                }],
                not_found: Vec::new(),
            },
            &p.as_gp(after),
            &mut |_, _| true,
        )
        .unwrap();
    let first = p.store.verify().unwrap();
    assert!(first.is_ok(), "the app's own writes replay: {first:?}");
    let (id, gp_id) = (logged.id.0, gp.id.0);
    let keep = |table: &str| format!("CREATE TABLE kept AS SELECT * FROM {table};");
    let put_back = |table: &str| {
        format!("DELETE FROM {table}; INSERT INTO {table} SELECT * FROM kept; DROP TABLE kept;")
    };
    // (what, SQL for SQLite, for PostgreSQL, undo for both, a word of what verify says)
    let cases: Vec<(&str, String, String, String, &str)> = vec![
        (
            "an item's details edited",
            format!("CREATE TABLE kept AS SELECT id, details FROM items; UPDATE items SET details = 'changed' WHERE id = {id}"),
            format!("CREATE TABLE kept AS SELECT id, details FROM items; UPDATE items SET details = 'changed' WHERE id = {id}"),
            "UPDATE items SET details = (SELECT details FROM kept WHERE kept.id = items.id); DROP TABLE kept"
                .to_string(),
            "details",
        ),
        (
            "a staff member's role changed",
            format!("UPDATE staff SET role = 'practice_manager' WHERE id = {gp_id}"),
            format!("UPDATE staff SET role = 'practice_manager' WHERE id = {gp_id}"),
            format!("UPDATE staff SET role = 'gp' WHERE id = {gp_id}"),
            "role",
        ),
        (
            "a member of staff added by hand",
            "INSERT INTO staff (name, role, active, created_at) VALUES ('Dr Nobody', 'gp', 1, '2026-11-16T09:00:00')".into(),
            "INSERT INTO staff (name, role, active, created_at) VALUES ('Dr Nobody', 'gp', true, '2026-11-16T09:00:00')".into(),
            "DELETE FROM staff WHERE name = 'Dr Nobody'".into(),
            "no history",
        ),
        (
            "go-live moved by hand",
            "UPDATE project SET go_live = '2026-12-30T08:00:00'".into(),
            "UPDATE project SET go_live = '2026-12-30T08:00:00'".into(),
            "UPDATE project SET go_live = '2026-11-23T08:00:00'".into(),
            "go_live",
        ),
        (
            "a sign-off removed",
            format!("{} DELETE FROM sign_offs", keep("sign_offs")),
            format!("{} DELETE FROM sign_offs", keep("sign_offs")),
            put_back("sign_offs"),
            "sign_off",
        ),
        (
            "a report row pointed at another item",
            format!("{} UPDATE report_rows SET item_id = {id} WHERE line = 5", keep("report_rows")),
            format!("{} UPDATE report_rows SET item_id = {id} WHERE line = 5", keep("report_rows")),
            put_back("report_rows"),
            "report",
        ),
        (
            "a report row removed",
            format!("{} DELETE FROM report_rows WHERE line = 5", keep("report_rows")),
            format!("{} DELETE FROM report_rows WHERE line = 5", keep("report_rows")),
            put_back("report_rows"),
            "report",
        ),
        (
            "a finding removed",
            format!("{} DELETE FROM verifications", keep("verifications")),
            format!("{} DELETE FROM verifications", keep("verifications")),
            put_back("verifications"),
            "",
        ),
        (
            "a mapping removed",
            format!("{} DELETE FROM capture_mappings", keep("capture_mappings")),
            format!("{} DELETE FROM capture_mappings", keep("capture_mappings")),
            put_back("capture_mappings"),
            "",
        ),
        (
            "a purge row put in",
            "INSERT INTO purges (at, summary) VALUES ('2026-12-01T09:00:00', '{}')".into(),
            "INSERT INTO purges (at, summary) VALUES ('2026-12-01T09:00:00', '{}')".into(),
            "DELETE FROM purges".into(),
            "purge",
        ),
        (
            "an audit event's record edited",
            format!(
                "{} UPDATE audit_events SET after_json = replace(after_json, 'Amlodipine', 'Atenolol') WHERE entity = 'item' AND entity_id = {id}",
                "DROP TRIGGER audit_append_only_update;"
            ),
            format!(
                "ALTER TABLE audit_events DISABLE TRIGGER audit_append_only_update; UPDATE audit_events SET after_json = replace(after_json, 'Amlodipine', 'Atenolol') WHERE entity = 'item' AND entity_id = {id}"
            ),
            String::new(),
            "contents were changed",
        ),
    ];
    for (what, sqlite, postgres, undo, says) in cases {
        if postgres.is_empty() && p.db.is_postgres() {
            continue;
        }
        p.db.exec(&sqlite, &postgres)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let report = p.store.verify().unwrap();
        let all: Vec<String> = report
            .divergences
            .iter()
            .map(|d| format!("{} {}: {}", d.entity, d.id, d.fields.join(", ")))
            .chain(
                report
                    .broken_link
                    .iter()
                    .map(|(id, why)| format!("broken at {id}: {why}")),
            )
            .collect();
        assert!(!report.is_ok(), "{what}: not found");
        assert!(all.iter().any(|d| d.contains(says)), "{what}: {all:?}");
        if undo.is_empty() {
            // A change to the chain itself is not put back by SQL here:
            // it is the last case.
            return;
        }
        p.db.exec(&undo, &undo)
            .unwrap_or_else(|e| panic!("{what} undone: {e}"));
        let again = p.store.verify().unwrap();
        assert!(again.is_ok(), "{what}: undone, still {again:?}");
    }
}

fn removing_an_audit_event_breaks_the_link_of_the_next<S: CutoverStore>(mut q: Practice<S>) {
    let gp = q.gp.clone();
    for i in 0..3 {
        q.store
            .log_item(
                &input(ItemKind::Other, &gp, &nhs(i * 3), "2026-11-18T09:15"),
                &q.desk(during()),
            )
            .unwrap();
    }
    q.db.exec(
        "DROP TRIGGER audit_append_only_delete; DELETE FROM audit_events WHERE id = 5;",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_append_only_delete;
         DELETE FROM audit_events WHERE id = 5;",
    )
    .unwrap();
    let (id, why) = q.store.verify().unwrap().broken_link.unwrap();
    assert_eq!(id, 6);
    assert!(why.contains("removed"), "{why}");
}

fn roles_are_enforced_by_the_store_and_refusals_are_audited<S: CutoverStore>(mut p: Practice<S>) {
    let gp = p.gp.clone();
    let consult = p
        .store
        .log_item(
            &input(ItemKind::Consultation, &gp, NHS_A, "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();
    let appt = p
        .store
        .log_item(
            &input(ItemKind::Appointment, &gp, NHS_A, "2026-11-18T09:30"),
            &p.desk(during()),
        )
        .unwrap();
    let ticked = StatusChange::ReEntered {
        note: String::new(),
    };
    // Reception ticks off an appointment but not a consultation.
    p.store
        .set_status(&[appt.seen()], &ticked, &p.desk(during()))
        .unwrap();
    let err = p
        .store
        .set_status(&[consult.seen()], &ticked, &p.desk(during()))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("may not change the re-entry status of a consultation"),
        "{err}"
    );
    assert_eq!(
        p.store.item(consult.id).unwrap().reentry.status,
        Status::Outstanding
    );
    // A mixed bulk change is refused whole.
    assert!(
        p.store
            .set_status(
                &p.seen(&[appt.id, consult.id]),
                &StatusChange::Reopen,
                &p.desk(during())
            )
            .is_err()
    );
    assert_eq!(
        p.store.item(appt.id).unwrap().reentry.status,
        Status::ReEntered
    );
    p.store
        .set_status(&[consult.seen()], &ticked, &p.as_gp(during()))
        .unwrap();
    // Staff management is the practice manager's.
    assert!(matches!(
        p.store.add_staff(
            "New Person",
            cutover_log::domain::Role::Reception,
            &p.as_gp(during())
        ),
        Err(StoreError::NotPermitted(_))
    ));
    // Anonymous changes are refused once anyone has a password.
    let anon = cutover_log::domain::Actor::system("script", during());
    assert!(matches!(
        p.store
            .add_staff("X Person", cutover_log::domain::Role::Reception, &anon),
        Err(StoreError::NotPermitted(_))
    ));
    let denied = p
        .store
        .history(cutover_log::domain::AuditEntity::Access, p.reception.id.0)
        .unwrap();
    assert!(
        denied.iter().any(|e| e.action == "access.denied"),
        "{denied:?}"
    );
    assert!(p.store.verify().unwrap().is_ok());
}

/// Issue 31 #10: after five wrong passwords in a row a name waits (a minute,
/// doubling), even with the right password, on any desk (the count is in the
/// trail); a new password from the practice manager clears it; an inactive
/// person is told what a wrong password is told.
fn wrong_passwords_hold_a_name_back_and_an_inactive_person_learns_nothing<S: CutoverStore>(
    mut p: Practice<S>,
) {
    use cutover_log::domain::Actor;
    let t0 = during();
    let name = p.reception.name.clone();
    for i in 0..5 {
        let err = p
            .store
            .sign_in(&name, "wrong password", t0 + chrono::Duration::seconds(i))
            .unwrap_err();
        assert!(
            err.to_string().contains("name or password is wrong"),
            "{err}"
        );
    }
    let held = p
        .store
        .sign_in(&name, TEST_PASSWORD, t0 + chrono::Duration::seconds(10))
        .unwrap_err();
    assert!(
        held.to_string().contains("too many wrong passwords"),
        "the right password waits too: {held}"
    );
    // Each held attempt counts: the wait doubles (two minutes from the 6th,
    // four from the 7th).
    assert!(
        p.store
            .sign_in(&name, TEST_PASSWORD, t0 + chrono::Duration::seconds(70))
            .is_err()
    );
    assert!(
        p.store
            .sign_in(
                &name,
                TEST_PASSWORD,
                t0 + chrono::Duration::seconds(70 + 239)
            )
            .is_err(),
        "still within four minutes of the last"
    );
    p.store
        .sign_in(
            &name,
            TEST_PASSWORD,
            t0 + chrono::Duration::seconds(70 + 239 + 481),
        )
        .expect("after the wait the right password signs in");
    // Five more, then the practice manager sets a new password: cleared at once.
    let t1 = t0 + chrono::Duration::minutes(10);
    for i in 0..5 {
        let _ = p
            .store
            .sign_in(&name, "wrong password", t1 + chrono::Duration::seconds(i));
    }
    let manager = Actor::staff(p.manager.id, p.manager.name.clone(), t1);
    p.store
        .set_password(p.reception.id, "a new password 1", &manager)
        .unwrap();
    p.store
        .sign_in(
            &name,
            "a new password 1",
            t1 + chrono::Duration::seconds(10),
        )
        .expect("a new password clears the wait");
    // An inactive person with the right password is told nothing more.
    p.store
        .set_staff_active(p.nurse.id, false, &manager)
        .unwrap();
    let err = p
        .store
        .sign_in(&p.nurse.name.clone(), TEST_PASSWORD, t1)
        .unwrap_err();
    assert!(
        err.to_string().contains("name or password is wrong"),
        "{err}"
    );
}

fn sign_in_checks_the_password_and_audits_both_outcomes<S: CutoverStore>(mut p: Practice<S>) {
    let s = p
        .store
        .sign_in("test receptionist", TEST_PASSWORD, during())
        .unwrap();
    assert_eq!(s.id, p.reception.id);
    let err = p
        .store
        .sign_in("Test Receptionist", "wrong password", during())
        .unwrap_err();
    assert!(
        err.to_string().contains("name or password is wrong"),
        "{err}"
    );
    assert!(
        p.store
            .sign_in("Nobody Here", TEST_PASSWORD, during())
            .is_err()
    );
    let events = p
        .store
        .history(cutover_log::domain::AuditEntity::Session, p.reception.id.0)
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["session.signed_in", "session.sign_in_failed"]);
    // The password is never stored or audited in clear (the file, on SQLite; the
    // rows, on the server).
    if p.db.is_postgres() {
        let err = p
            .db
            .exec(
                "",
                &format!(
                    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM staff WHERE password_hash LIKE '%{TEST_PASSWORD}%')
                     OR EXISTS (SELECT 1 FROM audit_events WHERE concat(before_json, after_json, actor_name) LIKE '%{TEST_PASSWORD}%')
                     THEN RAISE EXCEPTION 'password in clear'; END IF; END $$"
                ),
            );
        assert_eq!(err, Ok(()));
    }
    let raw = std::fs::read(p.path()).unwrap_or_default();
    let wal = std::fs::read(p.dir.path().join("log.sqlite3-wal")).unwrap_or_default();
    for bytes in [raw, wal] {
        assert!(
            !bytes
                .windows(TEST_PASSWORD.len())
                .any(|w| w == TEST_PASSWORD.as_bytes())
        );
    }
    // Too short a password is refused.
    let me = p.as_gp(during());
    assert!(p.store.set_password(p.gp.id, "short", &me).is_err());
    // Someone else's password is the manager's to set.
    assert!(matches!(
        p.store.set_password(p.nurse.id, "another-password", &me),
        Err(StoreError::NotPermitted(_))
    ));
    p.store
        .set_password(p.nurse.id, "another-password", &p.as_manager(during()))
        .unwrap();
    assert!(
        p.store
            .sign_in("Test Nurse", "another-password", during())
            .is_ok()
    );
}

fn purge_after_sign_off_removes_patient_data_from_the_file_and_keeps_a_summary<S: CutoverStore>(
    mut p: Practice<S>,
) {
    let gp = p.gp.clone();
    let mut marked = input(ItemKind::Consultation, &gp, NHS_A, "2026-11-18T09:15");
    marked.patient.name = "Zebedee Purgetestname".into();
    let a = p.store.log_item(&marked, &p.desk(during())).unwrap();
    let b = p
        .store
        .log_item(
            &input(ItemKind::Other, &gp, &nhs(4), "2026-11-18T09:20"),
            &p.desk(during()),
        )
        .unwrap();
    let pm = p.as_manager(t("2026-11-25T10:00"));
    // Not before sign-off, and never by anyone but the practice manager.
    assert!(matches!(
        p.store.purge(&pm),
        Err(StoreError::NotPermitted(_))
    ));
    p.store
        .set_status(
            &p.seen(&[a.id]),
            &StatusChange::ReEntered {
                note: String::new(),
            },
            &p.as_gp(during()),
        )
        .unwrap();
    p.store
        .void_item(b.id, "Logged twice", &p.desk(during()))
        .unwrap();
    p.store
        .sign_off("", cutover_log::domain::signoff::Signing::First, &pm)
        .unwrap();
    assert!(matches!(
        p.store.purge(&p.as_gp(during())),
        Err(StoreError::NotPermitted(_))
    ));

    let s = p.store.purge(&pm).unwrap();
    assert_eq!(s.items, 2);
    assert_eq!(s.count(ItemKind::Consultation, Some(Status::ReEntered)), 1);
    assert_eq!(s.count(ItemKind::Other, None), 1);
    assert_eq!(p.store.purges().unwrap(), vec![s]);
    let all = WorklistFilter {
        include_voided: true,
        ..Default::default()
    };
    assert_eq!(p.store.worklist_count(&all).unwrap(), 0);
    let report = p.store.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.audit_events, 1, "only the purge event remains");
    // No trace of the patient on disk, in the database or its WAL. (On a server
    // the rows are gone, shown above, and VACUUM FULL has rewritten the tables.)
    for f in ["log.sqlite3", "log.sqlite3-wal"] {
        let bytes = std::fs::read(p.dir.path().join(f)).unwrap_or_default();
        assert!(
            !bytes.windows(10).any(|w| w == b"Purgetestn"),
            "patient name left in {f}"
        );
        assert!(
            !bytes.windows(10).any(|w| w == NHS_A.as_bytes()),
            "NHS number left in {f}"
        );
    }
    // The items-are-never-deleted rule is back in force.
    let item = p
        .store
        .log_item(
            &input(ItemKind::Other, &p.gp.clone(), &nhs(8), "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();
    let delete = format!("DELETE FROM items WHERE id = {}", item.id.0);
    let err = p.db.exec(&delete, &delete).unwrap_err();
    assert!(err.contains("never deleted"), "{err}");
}

#[test]
fn a_database_is_encrypted_on_request_and_needs_its_passphrase() {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    let mut marked = input(ItemKind::Other, &gp, NHS_A, "2026-11-18T09:15");
    marked.patient.name = "Quentin Cipherpatient".into();
    p.store.log_item(&marked, &p.desk(during())).unwrap();
    let path = p.path();
    drop(p.store);
    SqliteStore::encrypt(&path, "correct horse battery").unwrap();
    for f in ["log.sqlite3", "log.sqlite3-wal"] {
        let bytes = std::fs::read(p.dir.path().join(f)).unwrap_or_default();
        assert!(
            !bytes.windows(10).any(|w| w == b"Cipherpati"),
            "plaintext left in {f}"
        );
        assert!(
            !bytes.windows(10).any(|w| w == NHS_A.as_bytes()),
            "NHS number in clear in {f}"
        );
        assert!(
            !bytes.starts_with(b"SQLite format 3"),
            "{f} is not encrypted"
        );
    }
    assert!(matches!(
        SqliteStore::open(&path),
        Err(StoreError::NeedsPassphrase)
    ));
    assert!(matches!(
        SqliteStore::open_with(&path, Some("wrong passphrase")),
        Err(StoreError::WrongPassphrase)
    ));
    let store = SqliteStore::open_with(&path, Some("correct horse battery")).unwrap();
    assert_eq!(store.worklist_count(&WorklistFilter::default()).unwrap(), 1);
    assert!(store.verify().unwrap().is_ok());
    // A second handle (used for exports) opens it too.
    assert_eq!(
        store
            .open_another()
            .unwrap()
            .worklist_count(&WorklistFilter::default())
            .unwrap(),
        1
    );
    assert!(SqliteStore::encrypt(&path, "short").is_err());
}

fn each_role_is_refused_what_it_may_not_do<S: CutoverStore>(mut p: Practice<S>) {
    use cutover_log::domain::Role;
    let gp = p.gp.clone();
    let consult = p
        .store
        .log_item(
            &input(ItemKind::Consultation, &gp, NHS_A, "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();
    let rx = p
        .store
        .log_item(
            &input(ItemKind::Prescription, &gp, &nhs(2), "2026-11-18T09:20"),
            &p.desk(during()),
        )
        .unwrap();
    let people = [
        (p.reception.clone(), Role::Reception),
        (p.nurse.clone(), Role::Nurse),
        (p.gp.clone(), Role::Gp),
        (p.manager.clone(), Role::PracticeManager),
    ];
    for (who, role) in people {
        let actor = cutover_log::domain::Actor::staff(who.id, who.name.clone(), during());
        let mut project = p.store.project().unwrap().unwrap();
        project.go_live = t("2026-11-24T08:00");
        let clinical = role.is_clinician();
        let manager = role == Role::PracticeManager;
        let outcomes = [
            (
                "move go-live",
                p.store.update_project(&project, &actor).is_ok(),
                manager,
            ),
            (
                "add staff",
                p.store
                    .add_staff(&format!("New {}", who.name), Role::Reception, &actor)
                    .is_ok(),
                manager,
            ),
            (
                "set another's password",
                p.store
                    .set_password(p.reception.id, TEST_PASSWORD, &actor)
                    .is_ok()
                    || who.id == p.reception.id,
                manager || who.id == p.reception.id,
            ),
            (
                "tick a consultation",
                p.store
                    .set_status(&p.seen(&[consult.id]), &StatusChange::Reopen, &actor)
                    .is_ok(),
                clinical,
            ),
            (
                "tick a prescription",
                p.store
                    .set_status(&p.seen(&[rx.id]), &StatusChange::Reopen, &actor)
                    .is_ok(),
                clinical,
            ),
            (
                "lock time",
                p.store.set_lock_minutes(7, &actor).is_ok(),
                manager,
            ),
            (
                "purge",
                !matches!(p.store.purge(&actor), Err(StoreError::NotPermitted(ref m)) if m.contains("may not")),
                manager,
            ),
        ];
        for (what, allowed, expected) in outcomes {
            assert_eq!(allowed, expected, "{:?} {what}", role);
        }
    }
}

#[test]
fn a_large_import_is_searchable_and_leaves_the_search_trigger_and_indexes_as_they_were() {
    use cutover_log::domain::Reentry;
    use cutover_log::store::ImportedItem;
    let mut p = Practice::new();
    let gp = p.gp.clone();
    let trigger_sql = |path: &std::path::Path| -> String {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'items_fts_insert'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let created = trigger_sql(&p.path());
    // The items' indexes: a large import into a small log drops them and builds
    // them again at the end, from their stored definitions.
    let index_sql = |path: &std::path::Path| -> Vec<String> {
        let c = rusqlite::Connection::open(path).unwrap();
        let mut q = c
            .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items' AND sql IS NOT NULL ORDER BY name")
            .unwrap();
        q.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let indexes = index_sql(&p.path());
    assert_eq!(indexes.len(), 8);
    let imported = |n: u32, logged_by| -> Vec<ImportedItem> {
        (0..n)
            .map(|i| {
                let mut input = input(ItemKind::Other, &gp, &nhs(i), "2026-11-18T09:15");
                input.details = format!("bulk import row zf{i:04}q zebrafinch");
                ImportedItem {
                    input,
                    logged_by,
                    logged_at: during(),
                    assignee: None,
                    reentry: Reentry::outstanding(),
                    void: None,
                    stated: None,
                }
            })
            .collect()
    };
    let desk = p.desk(during());
    // A failing bulk import (an unknown member of staff, caught by the foreign key
    // at the last row) rolls back everything, the dropped trigger included.
    let mut bad = imported(600, p.reception.id);
    bad[599].logged_by = cutover_log::domain::StaffId(9_999);
    assert!(p.store.import_items(&bad, &desk).is_err());
    assert_eq!(trigger_sql(&p.path()), created);
    assert_eq!(
        index_sql(&p.path()),
        indexes,
        "a failed import leaves every index"
    );
    assert_eq!(
        p.store.worklist_count(&WorklistFilter::default()).unwrap(),
        0
    );

    let n = p
        .store
        .import_items(&imported(600, p.reception.id), &desk)
        .unwrap();
    assert_eq!(n, 600);
    assert_eq!(
        trigger_sql(&p.path()),
        created,
        "the trigger is back as created"
    );
    assert_eq!(
        index_sql(&p.path()),
        indexes,
        "the indexes are back as created"
    );
    // Each item's history starts with its creation event, which records the item
    // exactly as it is stored (the event is made without reading the row back).
    for id in 1..=600 {
        let item = p.store.item(cutover_log::domain::ItemId(id)).unwrap();
        let events = p
            .store
            .history(cutover_log::domain::AuditEntity::Item, item.id.0)
            .unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(
            events[0].after,
            Some(serde_json::to_value(&item).unwrap()),
            "item {}",
            item.id.0
        );
    }
    let find = |s: &SqliteStore, text: &str| {
        s.worklist_count(&WorklistFilter {
            text: text.into(),
            ..Default::default()
        })
        .unwrap()
    };
    assert_eq!(
        find(&p.store, "zebrafinch"),
        600,
        "every imported row is indexed"
    );
    assert_eq!(find(&p.store, "zf0599q"), 1);
    // Items logged afterwards are indexed by the trigger again.
    let mut later = input(ItemKind::Other, &gp, NHS_A, "2026-11-18T10:00");
    later.details = "logged after the import: kingfisher".into();
    p.store.log_item(&later, &desk).unwrap();
    assert_eq!(find(&p.store, "kingfisher"), 1);
    assert!(p.store.verify().unwrap().integrity_ok);
}

fn a_newer_schema_is_refused<S: CutoverStore>(p: Practice<S>) {
    p.db.exec(
        "PRAGMA user_version = 99",
        "UPDATE cutover_schema SET version = 99",
    )
    .unwrap();
    let err = p.db.reopen().map(|_| ()).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("newer version"), "{err}");
}

/// Two desks on one log: a stale edit or tick is refused with the current values
/// available, never silently overwriting.
fn two_desks_never_silently_overwrite_each_other<S: CutoverStore>(mut p: Practice<S>) {
    let gp = p.gp.clone();
    let item = p
        .store
        .log_item(
            &input(ItemKind::Other, &gp, NHS_A, "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();
    let mut other_desk = p.db.reopen().unwrap();
    // The other desk sees the new item without restarting.
    assert_eq!(other_desk.item(item.id).unwrap(), item);

    // Both desks open the item at version 1; the other desk saves first.
    let mut theirs = item.input.clone();
    theirs.details = "Corrected at the other desk".into();
    other_desk
        .edit_item(
            item.id,
            item.version,
            &theirs,
            &p.desk(t("2026-11-20T11:00")),
        )
        .unwrap();
    let mut mine = item.input.clone();
    mine.details = "Corrected at this desk".into();
    let err = p
        .store
        .edit_item(item.id, item.version, &mine, &p.desk(t("2026-11-20T11:01")))
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err}");
    assert!(
        err.to_string().contains("someone else changed this item"),
        "a clear message: {err}"
    );
    // The loser reads the current values; nothing of theirs was lost.
    let current = p.store.item(item.id).unwrap();
    assert_eq!(current.input.details, "Corrected at the other desk");
    assert_eq!(current.version, item.version + 1);
    // Editing again from the current version works.
    p.store
        .edit_item(
            item.id,
            current.version,
            &mine,
            &p.desk(t("2026-11-20T11:02")),
        )
        .unwrap();
    let actions: Vec<String> = other_desk
        .history(cutover_log::domain::AuditEntity::Item, item.id.0)
        .unwrap()
        .into_iter()
        .map(|e| e.action.to_string())
        .collect();
    assert_eq!(actions, vec!["item.logged", "item.edited", "item.edited"]);
    assert!(other_desk.verify().unwrap().is_ok());
}

/// Two desks tick the same item off from the same list: the first tick stands,
/// the second is refused (naming the item), and a bulk tick that includes it
/// changes none of its items. Undo is refused once another desk has moved on.
fn two_desks_ticking_the_same_item_never_overwrite_each_other<S: CutoverStore>(mut p: Practice<S>) {
    let gp = p.gp.clone();
    let a = p
        .store
        .log_item(
            &input(ItemKind::Consultation, &gp, NHS_A, "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();
    let b = p
        .store
        .log_item(
            &input(ItemKind::Consultation, &gp, &nhs(3), "2026-11-18T09:30"),
            &p.desk(during()),
        )
        .unwrap();
    let mut other_desk = p.db.reopen().unwrap();
    // Both desks' lists show a and b outstanding; the other desk ticks a first.
    let theirs = other_desk
        .set_status(
            &[a.seen()],
            &StatusChange::ReEntered {
                note: "Ref OTHER".into(),
            },
            &p.as_gp(t("2026-11-24T10:00")),
        )
        .unwrap();
    let nurse = Actor::staff(p.nurse.id, p.nurse.name.clone(), t("2026-11-24T10:01"));
    let err = p
        .store
        .set_status(
            &[b.seen(), a.seen()],
            &StatusChange::NotNeeded {
                reason: "Duplicate".into(),
            },
            &nurse,
        )
        .unwrap_err();
    assert!(
        matches!(err, StoreError::ChangedElsewhere(id) if id == a.id.0),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains(&format!("item {} was changed at another desk", a.id.0)),
        "a clear message: {err}"
    );
    // All or none: b, listed first, was not changed either; a keeps the first tick.
    assert_eq!(p.store.item(b.id).unwrap(), b);
    let now = p.store.item(a.id).unwrap();
    assert_eq!(now.reentry.status, Status::ReEntered);
    assert_eq!(now.reentry.by, Some(gp.id));
    assert_eq!(now.reentry.note, "Ref OTHER");
    assert_eq!(now.version, a.version + 1);
    // Ticking again from what the list now shows works.
    let mine = p
        .store
        .set_status(
            &[b.seen(), now.seen()],
            &StatusChange::NotNeeded {
                reason: "Duplicate".into(),
            },
            &nurse,
        )
        .unwrap();
    assert_eq!(mine.len(), 2);
    // The other desk's undo is refused: a has moved on since its tick.
    let err = other_desk
        .restore_status(&theirs, &p.as_gp(t("2026-11-24T10:03")))
        .unwrap_err();
    assert!(matches!(err, StoreError::ChangedElsewhere(_)), "{err}");
    assert_eq!(p.store.item(a.id).unwrap().reentry.note, "Duplicate");
    // This desk's own undo still works: nothing changed after it.
    p.store.restore_status(&mine, &nurse).unwrap();
    assert_eq!(p.store.item(b.id).unwrap().reentry, b.reentry);
    assert_eq!(p.store.item(a.id).unwrap().reentry, now.reentry);
    let actions: Vec<String> = other_desk
        .history(cutover_log::domain::AuditEntity::Item, a.id.0)
        .unwrap()
        .into_iter()
        .map(|e| e.action.to_string())
        .collect();
    assert_eq!(
        actions,
        vec![
            "item.logged",
            "item.status",
            "item.status",
            "item.status_undone"
        ],
        "a refused change leaves the history as it was"
    );
    assert!(other_desk.verify().unwrap().is_ok());
}

/// The actions the tests above do not reach, on both stores: a member of staff
/// made inactive and active again, the lock time, an import large enough for the
/// bulk indexing path (then found by free text), assignment and each person's
/// share, the burndown, the audit viewer's pages, a recorded export and every item
/// streamed in order.
fn the_remaining_actions_behave_the_same_on_both_stores<S: CutoverStore>(mut p: Practice<S>) {
    use cutover_log::domain::{AuditAction, AuditEntity, AuditFilter, ItemId, Reentry};
    use cutover_log::store::ImportedItem;
    let manager = p.as_manager(during());

    p.store
        .set_staff_active(p.nurse.id, false, &manager)
        .unwrap();
    let nurse_active = |p: &Practice<S>| {
        p.store
            .staff()
            .unwrap()
            .iter()
            .find(|s| s.id == p.nurse.id)
            .map(|s| s.active)
    };
    assert_eq!(nurse_active(&p), Some(false));
    p.store
        .set_staff_active(p.nurse.id, true, &manager)
        .unwrap();
    assert_eq!(nurse_active(&p), Some(true));
    let staff_events: Vec<String> = p
        .store
        .history(AuditEntity::Staff, p.nurse.id.0)
        .unwrap()
        .iter()
        .map(|e| e.action.to_string())
        .collect();
    assert!(staff_events.ends_with(&[
        "staff.deactivated".to_string(),
        "staff.activated".to_string()
    ]));

    assert_eq!(p.store.lock_minutes().unwrap(), 5, "the default");
    p.store.set_lock_minutes(12, &manager).unwrap();
    assert_eq!(p.store.lock_minutes().unwrap(), 12);
    assert!(matches!(
        p.store.set_lock_minutes(0, &manager),
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        p.store.lock_minutes().unwrap(),
        12,
        "a refused change changes nothing"
    );

    let bulk = cutover_log::store::sqlite::BULK_INDEX_ROWS + 100;
    let imported: Vec<ImportedItem> = (0..bulk)
        .map(|n| {
            let minute = n % 60;
            let mut item = input(
                ItemKind::Other,
                &p.gp,
                &nhs(n as u32),
                &format!("2026-11-18T09:{minute:02}"),
            );
            item.details = format!("imported note {n:04}");
            ImportedItem {
                input: item,
                logged_by: p.reception.id,
                logged_at: during(),
                assignee: None,
                reentry: Reentry::outstanding(),
                void: None,
                stated: None,
            }
        })
        .collect();
    assert_eq!(
        p.store.import_items(&imported, &p.desk(during())).unwrap(),
        bulk
    );
    let found = WorklistFilter {
        text: format!("note {:04}", bulk - 1),
        ..WorklistFilter::default()
    };
    assert_eq!(
        p.store.worklist_count(&found).unwrap(),
        1,
        "the bulk path indexed the text"
    );

    let first: Vec<ItemId> = p
        .store
        .worklist_page(&WorklistFilter::default(), Sort::default(), 0, 3)
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    p.store.assign(&first, Some(p.nurse.id), &manager).unwrap();
    let nurses = WorklistFilter {
        assignee: AssigneeFilter::Staff(p.nurse.id),
        ..WorklistFilter::default()
    };
    assert_eq!(p.store.worklist_count(&nurses).unwrap(), 3);
    let share = p.store.person_progress().unwrap();
    assert!(
        share
            .iter()
            .any(|s| s.staff == p.nurse.id && s.assigned == 3 && s.assigned_open == 3),
        "{share:?}"
    );

    let day = during().date();
    let burndown = p.store.burndown(day, day).unwrap();
    assert_eq!(burndown, vec![(day, bulk as u64)]);

    let page = p
        .store
        .audit_log(
            &AuditFilter {
                actor: Some(p.manager.id),
                ..AuditFilter::default()
            },
            0,
            2,
        )
        .unwrap();
    assert_eq!(page.len(), 2);
    assert!(page.iter().all(|e| e.actor == Some(p.manager.id)));
    assert!(page[0].id > page[1].id, "newest first");
    assert_eq!(page[0].action, "item.assigned");

    p.store
        .record_event(&manager, AuditAction::ReportExported, "csv to test.csv")
        .unwrap();
    let reports = p.store.history(AuditEntity::Report, 0).unwrap();
    assert_eq!(
        reports.last().map(|e| e.action.as_str()),
        Some("report.exported")
    );

    let mut streamed = Vec::new();
    p.store
        .for_each_item(&mut |i| {
            streamed.push((i.input.occurred_at, i.id));
            Ok(())
        })
        .unwrap();
    assert_eq!(streamed.len(), bulk);
    assert!(streamed.windows(2).all(|w| w[0] <= w[1]), "in time order");
    assert!(p.store.verify().unwrap().is_ok());
}

/// A report's rows against the log, on both stores: the row reception logged by
/// hand is confirmed (not added again), the rows the hand log missed are added
/// with their source, near misses (the same drug the day after) are not taken for
/// the logged item, and the same file captured again adds nothing.
fn a_report_adds_what_the_hand_log_missed_and_confirms_the_rest<S: CutoverStore>(
    mut p: Practice<S>,
) {
    use cutover_log::domain::{AuditEntity, ItemKind};
    use cutover_log::store::capture::{CaptureBatch, CaptureRow, RowOutcome};
    let desk = p.desk(during());
    let gp = p.gp.clone();
    let mut by_hand = input(ItemKind::Prescription, &gp, NHS_A, "2026-11-18T10:40");
    by_hand
        .fields
        .insert("medication".into(), "Amlodipine 5mg tablets".into());
    let logged = p.store.log_item(&by_hand, &desk).unwrap();
    let row = |line: u64, nhs_number: &str, at: &str, drug: &str| {
        let mut i = input(ItemKind::Prescription, &gp, nhs_number, at);
        i.fields.insert("medication".into(), drug.into());
        CaptureRow { line, input: i }
    };
    let batch = CaptureBatch {
        file_name: "issues.csv".into(),
        sha256: "ab".repeat(32),
        rows: vec![
            row(4, NHS_A, "2026-11-18T00:00", "AMLODIPINE 5 MG TABS"),
            row(5, &nhs(7), "2026-11-18T00:00", "Amlodipine 5mg tablets"),
            row(6, NHS_A, "2026-11-19T00:00", "Amlodipine 5mg tablets"),
        ],
        judged: Default::default(),
    };
    let plan = p.store.capture_plan(&batch).unwrap();
    assert_eq!(
        plan.outcomes,
        vec![
            (4, RowOutcome::InLog(logged.id)),
            (5, RowOutcome::New),
            (6, RowOutcome::New)
        ]
    );
    let before = p.store.verify().unwrap().items;
    let events_before = p.store.verify().unwrap().audit_events;
    // Cancelled (as the screen's Cancel does): nothing of it is stored.
    assert!(matches!(
        p.store.capture(&batch, &desk, &mut |_, _| false),
        Err(StoreError::Cancelled)
    ));
    assert_eq!(p.store.verify().unwrap().items, before);
    assert_eq!(p.store.verify().unwrap().audit_events, events_before);
    let mut told = Vec::new();
    let done = p
        .store
        .capture(&batch, &desk, &mut |d, all| {
            told.push((d, all));
            true
        })
        .unwrap();
    assert_eq!(told.last(), Some(&(3, 3)), "the end is reported");
    assert_eq!((done.new_rows(), done.in_log()), (2, 1));
    assert_eq!(p.store.verify().unwrap().items, before + 2);
    assert!(
        p.store.verify().unwrap().is_ok(),
        "every captured item has its creation event"
    );
    let added: Vec<_> = done
        .outcomes
        .iter()
        .filter_map(|(_, o)| match o {
            RowOutcome::Added(id) => Some(*id),
            _ => None,
        })
        .collect();
    let first = p.store.history(AuditEntity::Item, added[0].0).unwrap();
    assert_eq!(first[0].action, "item.captured");
    let sources = p.store.report_sources(added[0]).unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(
        (sources[0].source.file_name.as_str(), sources[0].source.line),
        ("issues.csv", 5)
    );
    let hand = p.store.history(AuditEntity::Item, logged.id.0).unwrap();
    assert_eq!(
        hand.last().map(|e| e.action.as_str()),
        Some("item.confirmed_by_report")
    );
    assert_eq!(
        p.store.report_sources(logged.id).unwrap()[0].outcome,
        "confirmed"
    );

    // A report row deleted behind the app's back (the item no longer traced to
    // its report) is found (issue 31 #4), and put back it verifies again.
    let sql = "CREATE TABLE kept AS SELECT * FROM report_rows WHERE line = 5;
               DELETE FROM report_rows WHERE line = 5;";
    p.db.exec(sql, sql).unwrap();
    let report = p.store.verify().unwrap();
    assert!(
        report.divergences.iter().any(|d| d
            .fields
            .iter()
            .any(|f| f.contains("the report row that captured it (row 5) is missing"))),
        "{report:?}"
    );
    let sql = "INSERT INTO report_rows SELECT * FROM kept; DROP TABLE kept;";
    p.db.exec(sql, sql).unwrap();
    assert!(p.store.verify().unwrap().is_ok());

    let again = p.store.capture(&batch, &desk, &mut |_, _| true).unwrap();
    assert_eq!(again.already_captured(), 3, "the same file adds nothing");
    assert_eq!(p.store.verify().unwrap().items, before + 2);

    // The same rows in another file (the .xlsx of the same report): nothing
    // added, and the rows it has are said to come from the first file, not
    // from the hand log.
    let xlsx = CaptureBatch {
        file_name: "issues.xlsx".into(),
        sha256: "ba".repeat(32),
        ..batch.clone()
    };
    let plan = p.store.capture_plan(&xlsx).unwrap();
    assert_eq!((plan.new_rows(), plan.in_log()), (0, 3));
    assert_eq!(
        plan.in_log_words(),
        "1 already logged by hand, 2 already captured from issues.csv"
    );

    let header: Vec<String> = ["NHS No", "Drug", "Issue Date"].map(String::from).to_vec();
    let mut mapping =
        cutover_log::domain::capture::suggest(&header, Some(ItemKind::Prescription), "Issues");
    p.store.save_capture_mapping(&mapping, &desk).unwrap();
    mapping.clinicians.insert("Dr T GP".into(), gp.name.clone());
    p.store.save_capture_mapping(&mapping, &desk).unwrap();
    assert_eq!(p.store.capture_mappings().unwrap(), vec![mapping.clone()]);
    let saved = p.store.history(AuditEntity::Mapping, 0).unwrap();
    assert_eq!(saved.len(), 2);
    assert!(
        saved[1].before.is_some(),
        "a change to a mapping keeps what it was"
    );
}

/// Capture pairs report rows and logged items one to one by the best fit, on
/// both stores: a cancel-and-rebook of one slot confirms the cancellation (the
/// booking is the row the hand log missed), whichever comes first in the file;
/// a tie is left to judge and captured only as a person says; an answer that
/// would pair one item with two rows is refused and nothing is stored.
fn capture_pairs_rows_by_the_best_fit_and_asks_a_person_about_a_tie<S: CutoverStore>(
    mut p: Practice<S>,
) {
    use cutover_log::domain::ItemKind;
    use cutover_log::domain::capture::pairing::Judged;
    use cutover_log::store::capture::{CaptureBatch, CaptureRow, RowOutcome};
    let desk = p.desk(during());
    let (gp, nurse) = (p.gp.clone(), p.nurse.clone());
    let slot = |action: &str, slot_type: &str, who: &cutover_log::domain::Staff| {
        let mut i = input(ItemKind::Appointment, who, NHS_A, "2026-11-18T09:00");
        i.fields.insert("appointment_action".into(), action.into());
        i.fields.insert("slot_type".into(), slot_type.into());
        i
    };
    let cancelled = p
        .store
        .log_item(&slot("cancelled", "Telephone", &gp), &desk)
        .unwrap();
    let row = |line, input| CaptureRow { line, input };
    let batch = CaptureBatch {
        file_name: "appointments.csv".into(),
        sha256: "cd".repeat(32),
        rows: vec![
            row(4, slot("booked", "Nurse 20 min", &nurse)),
            row(5, slot("cancelled", "Telephone", &gp)),
        ],
        ..CaptureBatch::default()
    };
    let plan = p.store.capture_plan(&batch).unwrap();
    assert_eq!(
        plan.outcomes,
        vec![(4, RowOutcome::New), (5, RowOutcome::InLog(cancelled.id))],
        "the booking is the missed row, whatever the file's order"
    );

    // A tie: booked by the GP in the log; the report has it booked by the nurse
    // and cancelled by the GP (each agrees on one field, differs on one).
    let mut other = slot("booked", "", &gp);
    other.patient.nhs_number = cutover_log::domain::NhsNumber::parse(&nhs(7)).ok();
    other.fields.remove("slot_type");
    let booked = p.store.log_item(&other, &desk).unwrap();
    let tie = |action: &str, who: &cutover_log::domain::Staff| {
        let mut i = other.clone();
        i.fields.insert("appointment_action".into(), action.into());
        i.clinician = Some(who.id);
        i
    };
    let mut batch = CaptureBatch {
        file_name: "more.csv".into(),
        sha256: "ef".repeat(32),
        rows: vec![row(7, tie("booked", &nurse)), row(8, tie("cancelled", &gp))],
        ..CaptureBatch::default()
    };
    let plan = p.store.capture_plan(&batch).unwrap();
    for (_, o) in &plan.outcomes {
        assert!(
            matches!(o, RowOutcome::ToJudge { candidates, .. } if candidates == &[booked.id]),
            "{o:?}"
        );
    }
    let items = p.store.verify().unwrap().items;
    let done = p.store.capture(&batch, &desk, &mut |_, _| true).unwrap();
    assert_eq!(done.to_judge(), 2, "nothing chosen for the person");
    assert_eq!(p.store.verify().unwrap().items, items, "nothing added");

    batch.judged.insert(7, Judged::Item(booked.id));
    batch.judged.insert(8, Judged::Item(booked.id));
    assert!(
        matches!(
            p.store.capture(&batch, &desk, &mut |_, _| true),
            Err(StoreError::Invalid(_))
        ),
        "one item cannot be two rows"
    );
    batch.judged.insert(7, Judged::Item(cancelled.id));
    assert!(
        matches!(
            p.store.capture(&batch, &desk, &mut |_, _| true),
            Err(StoreError::Invalid(_))
        ),
        "another patient's item is not a candidate"
    );
    batch.judged.insert(7, Judged::Missed);
    let done = p.store.capture(&batch, &desk, &mut |_, _| true).unwrap();
    assert_eq!((done.new_rows(), done.in_log(), done.to_judge()), (1, 1, 0));
    assert_eq!(p.store.verify().unwrap().items, items + 1);
    assert_eq!(p.store.report_sources(booked.id).unwrap()[0].source.line, 8);
    assert!(p.store.verify().unwrap().is_ok());
}

/// The new system's report against the log, on both stores: the confident
/// fits are proposed (an outstanding prescription, a re-entered one), a drug
/// spelt differently is left for a person, a ticked appointment the report does
/// not have is "not found", a row nobody logged is listed; accepting is one
/// transaction refused when another desk accepted first, audited with the row,
/// and only a clinician may accept prescriptions.
fn the_new_systems_report_verifies_items_and_flags_what_is_missing<S: CutoverStore>(
    mut p: Practice<S>,
) {
    use cutover_log::domain::{AuditEntity, ItemKind, Status, StatusChange};
    use cutover_log::store::capture::{CaptureBatch, CaptureRow};
    use cutover_log::store::reconcile::{Doubt, Pairing, ReconcileDecision, Verification};
    let desk = p.desk(during());
    let gp = p.gp.clone();
    // A row of the new system's report is dated after go-live: built as an
    // item checked during cutover, then dated.
    let drug = |nhs_number: &str, at: &str, name: &str| {
        let mut i = input(ItemKind::Prescription, &gp, nhs_number, "2026-11-18T09:00");
        i.fields.insert("medication".into(), name.into());
        i.occurred_at = t(at);
        i
    };
    let slot = |nhs_number: &str, at: &str| {
        let mut i = input(ItemKind::Appointment, &gp, nhs_number, "2026-11-18T09:00");
        i.fields.insert("appointment_at".into(), at.into());
        i
    };
    let outstanding = p
        .store
        .log_item(
            &drug(NHS_A, "2026-11-18T10:40", "Amlodipine 5mg tablets"),
            &desk,
        )
        .unwrap();
    let ticked = p
        .store
        .log_item(
            &drug(&nhs(7), "2026-11-19T11:00", "Ramipril 2.5mg capsules"),
            &desk,
        )
        .unwrap();
    let appointment = p
        .store
        .log_item(&slot(NHS_A, "2026-11-27T10:30"), &desk)
        .unwrap();
    let misspelt = p
        .store
        .log_item(
            &drug(&nhs(9), "2026-11-20T09:00", "Metformin 500mg tablets"),
            &desk,
        )
        .unwrap();
    let after = t("2026-11-25T09:00");
    let gp_desk = p.as_gp(after);
    for item in [&ticked, &appointment] {
        p.store
            .set_status(
                &[item.seen()],
                &StatusChange::ReEntered {
                    note: String::new(),
                },
                &gp_desk,
            )
            .unwrap();
    }
    let row = |line: u64, input| CaptureRow { line, input };
    let batch = CaptureBatch {
        file_name: "systmone-issues.csv".into(),
        sha256: "cd".repeat(32),
        rows: vec![
            row(2, drug(NHS_A, "2026-11-24T00:00", "AMLODIPINE 5 MG TABS")),
            row(3, drug(&nhs(7), "2026-11-24T00:00", "Ramipril 2.5 mg caps")),
            row(
                4,
                drug(&nhs(9), "2026-11-24T00:00", "Metformn 500mg tablets"),
            ),
            row(5, slot(&nhs(11), "2026-11-27T10:30")),
        ],
        judged: Default::default(),
    };
    let plan = p.store.reconcile_plan(&batch, Default::default()).unwrap();
    let confident = |line, item: &cutover_log::domain::Item| Pairing {
        line,
        item: item.id,
        doubts: vec![],
    };
    assert_eq!(
        plan.found.proposed,
        vec![confident(2, &outstanding), confident(3, &ticked)]
    );
    assert_eq!(
        plan.found.to_judge,
        vec![Pairing {
            line: 4,
            item: misspelt.id,
            doubts: vec![Doubt::SpeltDifferently("medication")],
        }]
    );
    assert_eq!(plan.found.not_found, vec![appointment.id]);
    assert_eq!(plan.found.unlogged, vec![5]);

    let decision = ReconcileDecision {
        file_name: batch.file_name.clone(),
        sha256: batch.sha256.clone(),
        accepted: plan.all_proposed(),
        not_found: plan.all_not_found(),
    };
    let events = p.store.verify().unwrap().audit_events;
    assert!(
        p.store
            .record_reconciliation(&decision, &p.desk(after), &mut |_, _| true)
            .is_err(),
        "reception may not accept a prescription"
    );
    // Cancelled (as the screen's Cancel does): nothing of it is stored.
    let events = events + 1; // the refusal above
    assert!(matches!(
        p.store
            .record_reconciliation(&decision, &gp_desk, &mut |_, _| false),
        Err(StoreError::Cancelled)
    ));
    assert_eq!(p.store.verify().unwrap().audit_events, events);
    // Another desk accepts the first proposal first: this desk's whole decision
    // is refused, nothing of it stored.
    let other = ReconcileDecision {
        accepted: decision.accepted[..1].to_vec(),
        not_found: Vec::new(),
        ..decision.clone()
    };
    let done = p
        .store
        .record_reconciliation(&other, &gp_desk, &mut |_, _| true)
        .unwrap();
    assert_eq!(
        (done.verified, done.marked_re_entered, done.flagged),
        (1, 1, 0)
    );
    let events = events + 2; // the status change and the verification
    assert!(matches!(
        p.store
            .record_reconciliation(&decision, &gp_desk, &mut |_, _| true),
        Err(StoreError::ChangedElsewhere(_))
    ));
    assert_eq!(p.store.verify().unwrap().audit_events, events);

    let plan = p.store.reconcile_plan(&batch, Default::default()).unwrap();
    assert_eq!(plan.found.proposed, vec![confident(3, &ticked)]);
    assert_eq!(plan.found.already_verified.len(), 1);
    let decision = ReconcileDecision {
        accepted: plan.all_proposed(),
        not_found: plan.all_not_found(),
        ..decision
    };
    let done = p
        .store
        .record_reconciliation(&decision, &gp_desk, &mut |_, _| true)
        .unwrap();
    assert_eq!(
        (done.verified, done.marked_re_entered, done.flagged),
        (1, 0, 1)
    );

    let now = p.store.item(outstanding.id).unwrap();
    assert_eq!(now.reentry.status, Status::ReEntered);
    assert_eq!(now.reentry.by, Some(gp.id));
    let found = p.store.verifications().unwrap();
    assert!(matches!(
        found.get(&outstanding.id),
        Some(Verification::Verified(s)) if s.line == 2 && s.file_name == "systmone-issues.csv"
    ));
    assert!(matches!(found.get(&ticked.id), Some(Verification::Verified(s)) if s.line == 3));
    assert!(matches!(
        found.get(&appointment.id),
        Some(Verification::NotFound(_))
    ));
    assert!(!found.contains_key(&misspelt.id));
    let history = p.store.history(AuditEntity::Item, ticked.id.0).unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.action, "item.verified");
    assert_eq!(
        last.after
            .as_ref()
            .and_then(|a| a.get("line"))
            .and_then(|l| l.as_u64()),
        Some(3)
    );
    let history = p
        .store
        .history(AuditEntity::Item, appointment.id.0)
        .unwrap();
    assert_eq!(
        history.last().map(|e| e.action.as_str()),
        Some("item.not_found_in_report")
    );
    assert!(p.store.verify().unwrap().is_ok());
    // The worklist finds them for a second look (the same SQL on both stores).
    let count = |f| {
        p.store
            .worklist_count(&cutover_log::domain::WorklistFilter {
                new_system: Some(f),
                ..cutover_log::domain::WorklistFilter::default()
            })
            .unwrap()
    };
    use cutover_log::domain::NewSystemFilter as N;
    assert_eq!(
        (count(N::Verified), count(N::NotFound), count(N::NotChecked)),
        (2, 1, 0)
    );
    // The same report again: nothing new to propose.
    let plan = p.store.reconcile_plan(&batch, Default::default()).unwrap();
    assert!(plan.found.proposed.is_empty());
    assert_eq!(plan.found.already_verified.len(), 2);
    // Sign-off counts the items ticked re-entered by their latest finding.
    assert_eq!(
        p.store.new_system_checks().unwrap(),
        cutover_log::domain::signoff::NewSystemChecks {
            verified: 2,
            not_found: 1,
            not_checked: 0,
        }
    );
}

/// Verify replays every item's history and compares it with the row: a status
/// set to re-entered with no event, a prescription's drug changed in place,
/// details replaced and an assignment moved, each done straight in the database
/// file (behind the app's back), is found and named by item and field; the log
/// that only the app changed verifies.
fn verify_names_every_row_changed_behind_the_apps_back<S: CutoverStore>(mut p: Practice<S>) {
    use cutover_log::domain::ItemKind;
    let desk = p.desk(during());
    let gp = p.gp.clone();
    let mut rx = input(ItemKind::Prescription, &gp, NHS_A, "2026-11-18T10:40");
    rx.fields
        .insert("medication".into(), "Amlodipine 5mg tablets".into());
    let drug = p.store.log_item(&rx, &desk).unwrap();
    let call = p
        .store
        .log_item(
            &input(ItemKind::TelephoneCall, &gp, &nhs(7), "2026-11-18T11:00"),
            &desk,
        )
        .unwrap();
    let untouched = p
        .store
        .log_item(
            &input(ItemKind::Consultation, &gp, &nhs(9), "2026-11-18T12:00"),
            &desk,
        )
        .unwrap();
    p.store
        .set_status(
            &[untouched.seen()],
            &cutover_log::domain::StatusChange::ReEntered {
                note: "ref 1".into(),
            },
            &p.as_gp(t("2026-11-24T09:00")),
        )
        .unwrap();
    assert!(
        p.store.verify().unwrap().is_ok(),
        "the app's own changes replay"
    );
    let sql = format!(
        "UPDATE items SET status = 're_entered', status_by = {gp}, status_at = '2026-11-24T10:00:00',
             fields_json = replace(fields_json, '5mg', '10mg') WHERE id = {drug};
         UPDATE items SET details = 'replaced', assignee_id = {gp} WHERE id = {call};",
        gp = gp.id.0,
        drug = drug.id.0,
        call = call.id.0
    );
    p.db.exec(&sql, &sql).unwrap();
    let report = p.store.verify().unwrap();
    assert!(!report.is_ok());
    assert_eq!(report.divergent_rows, 2);
    let named: Vec<(i64, Vec<String>)> = report
        .divergences
        .iter()
        .map(|d| (d.id, d.fields.clone()))
        .collect();
    let fields = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        named,
        vec![
            (
                drug.id.0,
                fields(&[
                    "medication",
                    "status",
                    "status_by",
                    "status_at",
                    "search_text"
                ])
            ),
            // The search text still says what was there: derived, so it differs too.
            (call.id.0, fields(&["details", "assignee", "search_text"])),
        ]
    );
    assert!(report.divergences.iter().all(|d| d.entity == "item"));
    // The backup folder, chosen by the practice manager only, is audited and
    // replays; a relative path is refused.
    let manager = p.as_manager(during());
    assert!(
        p.store
            .set_backup_folder(Some("/srv/backups"), &desk)
            .is_err()
    );
    assert!(matches!(
        p.store.set_backup_folder(Some("backups"), &manager),
        Err(StoreError::Invalid(_))
    ));
    p.store
        .set_backup_folder(Some("/srv/backups"), &manager)
        .unwrap();
    assert_eq!(
        p.store.backup_folder().unwrap().as_deref(),
        Some("/srv/backups")
    );
    assert_eq!(
        p.store.verify().unwrap().divergent_rows,
        2,
        "only the two items"
    );
    // A staff member made practice manager, and go-live moved, in the file.
    let sql = format!(
        "UPDATE staff SET role = 'practice_manager' WHERE id = {};
         UPDATE project SET go_live = '2026-12-24T08:00:00', lock_minutes = 60,
             backup_folder = '/media/usb-stick' WHERE id = 1;",
        p.reception.id.0
    );
    p.db.exec(&sql, &sql).unwrap();
    let report = p.store.verify().unwrap();
    let described: Vec<String> = report.divergences.iter().map(|d| d.describe()).collect();
    assert_eq!(
        described[..2],
        [
            format!("staff {}: role", p.reception.id.0),
            "project 1: go_live, lock_minutes, backup_folder".to_string()
        ]
    );
    // Go-live moved in the file without its items' deadlines: the untouched
    // item is named by its due-by too (the two edited ones already were).
    assert_eq!(report.divergent_rows, 5, "{described:?}");
    assert!(
        described.iter().any(|d| d.ends_with(": due_at")),
        "{described:?}"
    );
}

/// Restoring a backup is the practice manager's: anyone else is refused and
/// nothing is written; on the practice server there is no backup folder and
/// nothing to restore (its IT backs it up), said in words.
fn only_the_practice_manager_restores_and_only_a_log_file<S: CutoverStore>(mut p: Practice<S>) {
    let at = t("2026-11-20T10:00");
    let to = p.dir.path().join("restored.sqlite3");
    let Some(dir) = p.store.backup_dir(None) else {
        assert!(p.db.is_postgres(), "a log file has a backup folder");
        let e = p
            .store
            .restore_backup(&p.dir.path().join("any.sqlite3"), &to, &p.as_manager(at))
            .unwrap_err();
        assert!(e.to_string().contains("restored by its IT"), "{e}");
        assert!(!to.exists());
        return;
    };
    let made = p.store.back_up(None, at).unwrap().unwrap();
    assert!(made.file.starts_with(&dir));
    let e = p
        .store
        .restore_backup(&made.file, &to, &p.desk(at))
        .unwrap_err();
    assert!(
        matches!(e, cutover_log::store::StoreError::NotPermitted(_)),
        "{e}"
    );
    assert!(!to.exists(), "nothing written for a refused restore");
    // A folder that is not there is not made (a path typed into the suggested
    // name once made nested folders): refused, nothing made.
    let nowhere = p.dir.path().join("no-such-folder").join("restored.sqlite3");
    let e = p
        .store
        .restore_backup(&made.file, &nowhere, &p.as_manager(at))
        .unwrap_err()
        .to_string();
    assert!(e.contains("does not exist"), "{e}");
    assert!(!p.dir.path().join("no-such-folder").exists());
    // What a restore killed part-way into the same name left is cleared.
    std::fs::write(
        p.dir.path().join("restored.sqlite3.restoring"),
        b"half a copy",
    )
    .unwrap();
    let restored = p
        .store
        .restore_backup(&made.file, &to, &p.as_manager(at))
        .unwrap();
    assert_eq!(restored.info.items, made.items);
    assert!(SqliteStore::open(&to).unwrap().verify().unwrap().is_ok());
    assert!(!p.dir.path().join("restored.sqlite3.restoring").exists());
    let said = restored.findings.join(" ");
    assert!(
        said.contains("holds the history recorded beside the backup"),
        "{said}"
    );
    assert!(
        said.contains("The live log continues the backup's audit trail"),
        "{said}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in [&to, &made.file, &p.path()] {
            let mode = std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} is the owner's only", f.display());
        }
    }
    // The restored copy and the live log go on apart: a backup of the copy
    // shares the live log's trail up to the first backup, and the restore
    // says where they part.
    let mut copy = SqliteStore::open(&to).unwrap();
    copy.log_item(
        &input(ItemKind::Other, &p.gp, NHS_A, "2026-11-18T09:00"),
        &p.desk(at),
    )
    .unwrap();
    p.store
        .log_item(
            &input(ItemKind::Other, &p.gp, NHS_A, "2026-11-18T10:00"),
            &p.desk(at),
        )
        .unwrap();
    let of_copy = copy
        .back_up(Some(&p.dir.path().join("copy-backups")), at)
        .unwrap()
        .unwrap();
    let parted = p
        .store
        .restore_backup(
            &of_copy.file,
            &p.dir.path().join("parted.sqlite3"),
            &p.as_manager(at),
        )
        .unwrap();
    let said = parted.findings.join(" ");
    assert!(
        said.contains("share their audit trail up to event"),
        "{said}"
    );
    // Another practice's backup, and one of a log sharing no history with
    // this one: refused, nothing left.
    for (n, ods) in [(1, "B82002"), (2, "A81001")] {
        let path = p.dir.path().join(format!("other-{n}.sqlite3"));
        let mut other = SqliteStore::open(&path).unwrap();
        let setup = Actor::system("other setup", t("2026-11-10T09:00"));
        let mut theirs = project();
        theirs.ods_code = cutover_log::domain::OdsCode::parse(ods).unwrap();
        other.create_project(&theirs, &setup).unwrap();
        let made = other
            .back_up(Some(&p.dir.path().join("other-backups")), at)
            .unwrap()
            .unwrap();
        let target = p.dir.path().join(format!("from-other-{n}.sqlite3"));
        let e = p
            .store
            .restore_backup(&made.file, &target, &p.as_manager(at))
            .unwrap_err()
            .to_string();
        let expected = if n == 1 {
            "another practice's log"
        } else {
            "shares no history with the live log"
        };
        assert!(e.contains(expected), "{e}");
        assert!(!target.exists());
        assert!(
            !p.dir
                .path()
                .join(format!("from-other-{n}.sqlite3.restoring"))
                .exists()
        );
    }
}

/// Deadlines in the store: each item's due-by from its kind's rule, the
/// worklist sorted by it (overdue first) and filtered to what is overdue or due
/// today as of a moment; moving go-live and changing the practice's numbers
/// move every due-by at once (the practice manager only, audited), and the log
/// still verifies; each person's share of the day's plan is counted.
fn deadlines_sort_and_filter_the_worklist_and_follow_go_live<S: CutoverStore>(mut p: Practice<S>) {
    use cutover_log::domain::deadline::DeadlineRules;
    use cutover_log::domain::{DueFilter, DueWindow};
    let desk = p.desk(during());
    let with = |kind: ItemKind, occurred: &str, fields: &[(&str, &str)]| {
        let mut i = input(kind, &p.gp, NHS_A, occurred);
        for (k, v) in fields {
            i.fields.insert(k.to_string(), v.to_string());
        }
        i
    };
    // Go-live is Monday 23/11/2026 08:00.
    let logged: Vec<_> = [
        with(
            ItemKind::Appointment,
            "2026-11-20T09:00",
            &[("appointment_at", "2026-11-23T10:30")],
        ),
        with(
            ItemKind::Appointment,
            "2026-11-20T09:05",
            &[("appointment_at", "2026-11-27T10:30")],
        ),
        with(
            ItemKind::Prescription,
            "2026-11-20T09:10",
            &[("prescription_type", "repeat_dispensing")],
        ),
        with(ItemKind::Prescription, "2026-11-20T09:15", &[]),
        with(ItemKind::TelephoneCall, "2026-11-20T09:20", &[]),
        with(
            ItemKind::Referral,
            "2026-11-20T09:25",
            &[("referral_priority", "two_week_wait")],
        ),
    ]
    .iter()
    .map(|i| p.store.log_item(i, &desk).unwrap().id)
    .collect();
    let ids = |store: &S, f: &WorklistFilter, sort: SortKey| -> Vec<usize> {
        store
            .worklist_page(
                f,
                Sort {
                    key: sort,
                    descending: false,
                },
                0,
                50,
            )
            .unwrap()
            .iter()
            .map(|it| logged.iter().position(|id| *id == it.id).unwrap())
            .collect()
    };
    let due = |which, now: &str| WorklistFilter {
        due: Some(DueWindow { which, now: t(now) }),
        ..WorklistFilter::default()
    };
    // The slot at 10:30 on go-live day first, then go-live day's, then Tuesday's
    // prescription (2 working days from Friday), then the call (5 working days).
    assert_eq!(
        ids(&p.store, &WorklistFilter::default(), SortKey::Due),
        [0, 1, 2, 5, 3, 4]
    );
    assert_eq!(
        ids(
            &p.store,
            &due(DueFilter::Overdue, "2026-11-23T11:00"),
            SortKey::Due
        ),
        [0]
    );
    assert_eq!(
        ids(
            &p.store,
            &due(DueFilter::DueToday, "2026-11-23T11:00"),
            SortKey::Due
        ),
        [1, 2, 5]
    );
    assert_eq!(
        ids(
            &p.store,
            &due(DueFilter::ByToday, "2026-11-23T11:00"),
            SortKey::Due
        ),
        [0, 1, 2, 5]
    );
    assert_eq!(
        ids(
            &p.store,
            &due(DueFilter::DueToday, "2026-11-24T09:00"),
            SortKey::Due
        ),
        [3]
    );
    // Done items are never overdue.
    let seen = p.seen(&[logged[1]]);
    p.store
        .set_status(
            &seen,
            &StatusChange::ReEntered {
                note: String::new(),
            },
            &p.as_gp(t("2026-11-23T09:00")),
        )
        .unwrap();
    assert_eq!(
        ids(
            &p.store,
            &due(DueFilter::Overdue, "2026-11-24T09:00"),
            SortKey::Due
        ),
        [0, 2, 5]
    );
    let share = p
        .store
        .worklist_count_by_assignee(&due(DueFilter::Overdue, "2026-11-24T09:00"))
        .unwrap();
    assert_eq!(share.iter().map(|(_, n)| n).sum::<u64>(), 3);

    // Go-live slips to Wednesday 25/11: every due-by follows, in the same change.
    let manager = p.as_manager(during());
    let mut moved = p.store.project().unwrap().unwrap();
    moved.go_live = t("2026-11-25T08:00");
    p.store.update_project(&moved, &manager).unwrap();
    assert!(
        ids(
            &p.store,
            &due(DueFilter::ByToday, "2026-11-24T09:00"),
            SortKey::Due
        )
        .is_empty()
    );
    assert_eq!(
        ids(
            &p.store,
            &due(DueFilter::ByToday, "2026-11-25T09:00"),
            SortKey::Due
        ),
        [2, 3, 5]
    );

    // The practice's numbers: the practice manager only, audited. With no days
    // for the rest, everything open is due on go-live day, in date order.
    let quicker = DeadlineRules {
        default_days: 0,
        ..DeadlineRules::default()
    };
    assert!(matches!(
        p.store.set_deadline_rules(&quicker, &desk),
        Err(StoreError::NotPermitted(_))
    ));
    assert!(matches!(
        p.store.set_deadline_rules(
            &DeadlineRules {
                default_days: 61,
                ..quicker
            },
            &manager
        ),
        Err(StoreError::Invalid(_))
    ));
    p.store.set_deadline_rules(&quicker, &manager).unwrap();
    assert_eq!(p.store.deadline_rules().unwrap(), quicker);
    assert_eq!(
        ids(
            &p.store,
            &due(DueFilter::ByToday, "2026-11-25T09:00"),
            SortKey::Due
        ),
        [0, 2, 3, 4, 5]
    );
    // The old system's read access.
    let ends = chrono::NaiveDate::from_ymd_opt(2027, 1, 8);
    p.store.set_old_system_access_ends(ends, &manager).unwrap();
    assert_eq!(p.store.old_system_access_ends().unwrap(), ends);
    assert!(p.store.verify().unwrap().is_ok());
}

/// One row of a new-system report confirms at most one item and an item is
/// verified by at most one row of a file, enforced by the store in the
/// recording's transaction; an acceptance changes status only from
/// outstanding (not needed keeps its reason); recording what the report shows
/// about an item already re-entered needs no right to change its status.
fn one_report_row_confirms_one_item_and_keeps_what_a_person_decided<S: CutoverStore>(
    mut p: Practice<S>,
) {
    use cutover_log::domain::{ItemKind, Status, StatusChange};
    use cutover_log::store::capture::{CaptureBatch, CaptureRow};
    use cutover_log::store::reconcile::{
        Acceptance, AcceptanceRefusal, ReconcileDecision, Verification,
    };
    let desk = p.desk(during());
    let gp = p.gp.clone();
    let drug = |nhs_number: &str, at: &str, name: &str| {
        let mut i = input(ItemKind::Prescription, &gp, nhs_number, "2026-11-18T09:00");
        i.fields.insert("medication".into(), name.into());
        i.occurred_at = t(at);
        i
    };
    let mut log = |i| p.store.log_item(&i, &desk).unwrap();
    let first = log(drug(NHS_A, "2026-11-18T10:40", "Amlodipine 5mg tablets"));
    let second = log(drug(NHS_A, "2026-11-19T10:40", "Amlodipine 5mg tablets"));
    let not_needed = log(drug(&nhs(7), "2026-11-19T11:00", "Ramipril 2.5mg capsules"));
    let ticked = log(drug(&nhs(9), "2026-11-20T09:00", "Metformin 500mg tablets"));
    let after = t("2026-11-25T09:00");
    let gp_desk = p.as_gp(after);
    let reason = "Patient registered elsewhere";
    p.store
        .set_status(
            &[not_needed.seen()],
            &StatusChange::NotNeeded {
                reason: reason.into(),
            },
            &gp_desk,
        )
        .unwrap();
    p.store
        .set_status(
            &[ticked.seen()],
            &StatusChange::ReEntered {
                note: String::new(),
            },
            &gp_desk,
        )
        .unwrap();
    let row = |line: u64, input| CaptureRow { line, input };
    let batch = CaptureBatch {
        file_name: "new-issues.csv".into(),
        sha256: "ef".repeat(32),
        rows: vec![
            row(8, drug(NHS_A, "2026-11-24T00:00", "AMLODIPINE 5MG TABLETS")),
            row(9, drug(&nhs(7), "2026-11-24T00:00", "Ramipril 2.5mg caps")),
            row(
                10,
                drug(&nhs(9), "2026-11-24T00:00", "Metformin 500mg tabs"),
            ),
        ],
        judged: Default::default(),
    };
    let plan = p.store.reconcile_plan(&batch, Default::default()).unwrap();
    // Row 8 fits both amlodipine items: a person judges.
    assert!(plan.found.proposed.iter().all(|x| x.line != 8));
    macro_rules! now {
        ($id:expr) => {
            p.store.item($id).unwrap()
        };
    }
    let accept = |line, item: &cutover_log::domain::Item| ReconcileDecision {
        file_name: batch.file_name.clone(),
        sha256: batch.sha256.clone(),
        accepted: vec![Acceptance {
            line,
            item: item.seen(),
        }],
        not_found: Vec::new(),
    };
    // The practice manager may record what the report shows of an item already
    // re-entered (no status changes) but may not mark a prescription re-entered.
    let manager = p.as_manager(after);
    let done = p
        .store
        .record_reconciliation(
            &{
                let item = now!(ticked.id);
                accept(10, &item)
            },
            &manager,
            &mut |_, _| true,
        )
        .unwrap();
    assert_eq!((done.verified, done.marked_re_entered), (1, 0));
    assert!(matches!(
        p.store.record_reconciliation(
            &{
                let item = now!(first.id);
                accept(8, &item)
            },
            &manager,
            &mut |_, _| true
        ),
        Err(StoreError::NotPermitted(_))
    ));
    // Row 8 as the first item, then as the second: refused, nothing stored.
    p.store
        .record_reconciliation(
            &{
                let item = now!(first.id);
                accept(8, &item)
            },
            &gp_desk,
            &mut |_, _| true,
        )
        .unwrap();
    let events = p.store.verify().unwrap().audit_events;
    let refused = p
        .store
        .record_reconciliation(
            &{
                let item = now!(second.id);
                accept(8, &item)
            },
            &gp_desk,
            &mut |_, _| true,
        )
        .unwrap_err();
    assert!(
        matches!(
            &refused,
            StoreError::Acceptance(AcceptanceRefusal::RowTaken { line: 8, item, .. }) if *item == first.id.0
        ),
        "{refused:?}"
    );
    assert!(
        refused
            .to_string()
            .contains("row 8 of new-issues.csv was already accepted")
    );
    assert_eq!(
        p.store.item(second.id).unwrap().reentry.status,
        Status::Outstanding
    );
    // The same row twice (a second quick press): refused.
    assert!(matches!(
        p.store.record_reconciliation(
            &{
                let item = now!(ticked.id);
                accept(10, &item)
            },
            &gp_desk,
            &mut |_, _| true
        ),
        Err(StoreError::Acceptance(AcceptanceRefusal::RowTaken { .. }))
    ));
    // The first item by another row of the same file: refused.
    assert!(matches!(
        p.store.record_reconciliation(
            &{
                let item = now!(first.id);
                accept(9, &item)
            },
            &gp_desk,
            &mut |_, _| true
        ),
        Err(StoreError::Acceptance(AcceptanceRefusal::ItemTaken {
            line: 8,
            ..
        }))
    ));
    assert_eq!(p.store.verify().unwrap().audit_events, events);
    // A decision naming row 9 twice: all or none.
    let both = ReconcileDecision {
        accepted: vec![
            Acceptance {
                line: 9,
                item: now!(not_needed.id).seen(),
            },
            Acceptance {
                line: 9,
                item: now!(second.id).seen(),
            },
        ],
        ..accept(9, &now!(second.id))
    };
    assert!(matches!(
        p.store
            .record_reconciliation(&both, &gp_desk, &mut |_, _| true),
        Err(StoreError::Acceptance(AcceptanceRefusal::RowTaken {
            line: 9,
            ..
        }))
    ));
    assert_eq!(p.store.verify().unwrap().audit_events, events);
    // Accepting the item marked not needed records the verification and keeps
    // its status and reason.
    let done = p
        .store
        .record_reconciliation(
            &{
                let item = now!(not_needed.id);
                accept(9, &item)
            },
            &gp_desk,
            &mut |_, _| true,
        )
        .unwrap();
    assert_eq!(
        (done.verified, done.marked_re_entered, done.status_kept),
        (1, 0, 1)
    );
    assert!(done.describe().contains("decide each in the worklist"));
    let kept = p.store.item(not_needed.id).unwrap();
    assert_eq!(kept.reentry.status, Status::NotNeeded);
    assert_eq!(kept.reentry.note, reason);
    assert!(matches!(
        p.store.verifications().unwrap().get(&not_needed.id),
        Some(Verification::Verified(s)) if s.line == 9
    ));
    // Read again: row 8 stays with the first item, the second has no rival
    // left in this file; nothing of it is proposed as another item.
    let plan = p.store.reconcile_plan(&batch, Default::default()).unwrap();
    assert!(
        plan.found
            .proposed
            .iter()
            .chain(&plan.found.to_judge)
            .all(|x| x.item != second.id && x.line != 8),
        "{:?}",
        plan.found
    );
    assert_eq!(plan.found.already_verified.len(), 3);
    assert!(p.store.verify().unwrap().is_ok());
}

/// The signer is the person signed in, in their own capacity; a sign-off in
/// force is replaced only on purpose, with a reason, and the replacement's
/// audit event holds the one it replaced.
fn a_sign_off_is_the_signed_in_persons_and_replaced_only_on_purpose<S: CutoverStore>(
    mut p: Practice<S>,
) {
    use cutover_log::domain::signoff::{SignOffRefusal, Signing};
    use cutover_log::domain::{AuditEntity, SignOffRole};
    let at = t("2026-11-30T16:00");
    assert!(matches!(
        p.store.sign_off("", Signing::First, &p.desk(at)),
        Err(StoreError::NotPermitted(_))
    ));
    let gp = p.store.sign_off("", Signing::First, &p.as_gp(at)).unwrap();
    assert_eq!(
        (gp.name.as_str(), gp.role, gp.signed_by),
        ("Dr Test Gp", SignOffRole::ClinicalLead, p.gp.id)
    );
    let manager = p.as_manager(t("2026-12-01T09:00"));
    assert!(matches!(
        p.store.sign_off("", Signing::First, &manager),
        Err(StoreError::SignOff(SignOffRefusal::AlreadySignedOff { .. }))
    ));
    assert!(matches!(
        p.store
            .sign_off("", Signing::Replacing { reason: " " }, &manager),
        Err(StoreError::SignOff(SignOffRefusal::Invalid(_)))
    ));
    assert_eq!(p.store.sign_offs().unwrap().len(), 1);
    let why = "Signed by the practice manager as the accountable person";
    let replaced = p
        .store
        .sign_off("", Signing::Replacing { reason: why }, &manager)
        .unwrap();
    assert_eq!(replaced.name, "Test Manager");
    assert_eq!(replaced.role, SignOffRole::PracticeManager);
    let all = p.store.sign_offs().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].replaces_reason.as_deref(), Some(why));
    let history = p.store.history(AuditEntity::SignOff, 2).unwrap();
    let event = history.last().unwrap();
    assert_eq!(
        event
            .before
            .as_ref()
            .and_then(|b| b.get("name"))
            .and_then(|n| n.as_str()),
        Some("Dr Test Gp")
    );
    assert!(p.store.verify().unwrap().is_ok());
}

on_both_stores!(
    one_report_row_confirms_one_item_and_keeps_what_a_person_decided,
    a_sign_off_is_the_signed_in_persons_and_replaced_only_on_purpose,
    deadlines_sort_and_filter_the_worklist_and_follow_go_live,
    only_the_practice_manager_restores_and_only_a_log_file,
    every_kind_round_trips_through_the_store,
    verify_names_every_row_changed_behind_the_apps_back,
    the_new_systems_report_verifies_items_and_flags_what_is_missing,
    default_assignment_follows_the_clinician_for_consultations_and_prescriptions,
    an_edit_is_audited_with_before_and_after,
    voided_items_stay_in_the_database_but_leave_the_worklist_and_counts,
    status_changes_record_who_and_when_and_undo_restores_them,
    worklist_filters_combine_and_page_in_date_order,
    count_and_page_together_agree_with_count_and_page_apart,
    free_text_search_finds_name_nhs_number_and_details_literally,
    patient_recall_and_duplicate_warning,
    items_logged_outside_the_window_are_flagged,
    moving_go_live_is_recorded,
    staff_names_are_unique_and_actions_need_a_named_person,
    the_audit_trail_is_a_hash_chain_and_verify_finds_the_first_broken_link,
    removing_an_audit_event_breaks_the_link_of_the_next,
    nulled_hashes_are_a_broken_chain,
    recording_an_event_needs_an_active_signed_in_person,
    a_purge_the_chain_does_not_record_switches_nothing_off,
    wrong_passwords_hold_a_name_back_and_an_inactive_person_learns_nothing,
    an_import_is_only_ever_in_the_importers_name,
    an_import_file_is_kept_whole_or_not_at_all,
    forged_sign_offs_findings_mappings_and_dropped_guards_are_found,
    every_table_tampered_with_is_found,
    roles_are_enforced_by_the_store_and_refusals_are_audited,
    sign_in_checks_the_password_and_audits_both_outcomes,
    purge_after_sign_off_removes_patient_data_from_the_file_and_keeps_a_summary,
    each_role_is_refused_what_it_may_not_do,
    a_newer_schema_is_refused,
    two_desks_never_silently_overwrite_each_other,
    two_desks_ticking_the_same_item_never_overwrite_each_other,
    the_remaining_actions_behave_the_same_on_both_stores,
    a_report_adds_what_the_hand_log_missed_and_confirms_the_rest,
    capture_pairs_rows_by_the_best_fit_and_asks_a_person_about_a_tie,
);

/// A file's watch wakes the app when another connection changes the log (another
/// desk on the same file, the command line), and not while nothing changes, so an
/// idle desk draws nothing.
#[test]
fn a_file_watch_wakes_the_app_only_when_the_log_changes() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let p = Practice::new();
    let wakes = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&wakes);
    let watch = p
        .store
        .watch_changes(Box::new(move || {
            seen.fetch_add(1, Ordering::SeqCst);
        }))
        .unwrap()
        .expect("a file has a watch");
    assert!(watch.fallback() >= std::time::Duration::from_secs(60));
    std::thread::sleep(std::time::Duration::from_millis(2500));
    assert_eq!(wakes.load(Ordering::SeqCst), 0, "nothing changed: no wake");
    let mut other = SqliteStore::open(&p.path()).unwrap();
    other
        .log_item(
            &input(ItemKind::Other, &p.gp, NHS_A, "2026-11-18T09:00"),
            &p.desk(during()),
        )
        .unwrap();
    let waited = std::time::Instant::now();
    while wakes.load(Ordering::SeqCst) == 0 && waited.elapsed() < std::time::Duration::from_secs(10)
    {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(wakes.load(Ordering::SeqCst) >= 1, "the change woke the app");
    drop(watch);
}
