//! The completed re-entry report: PDF read back with pdftotext (poppler-utils,
//! installed by .ci/run), sign-off rules, the CSV report's counts, and what the
//! new system's reports showed of each item (in the report, the CSV and at
//! sign-off).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::*;
use cutover_log::domain::{ItemKind, StatusChange};
use cutover_log::reports::reentry_report::{default_file_name, export_pdf};
use cutover_log::store::{CutoverStore, StoreError};

fn pdf_text(path: &std::path::Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext is needed (apt-get install poppler-utils; .ci/run installs it)");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Pages are separated by form feeds in pdftotext's output.
fn pages(text: &str) -> Vec<&str> {
    text.split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect()
}

fn practice_with_items() -> (Practice, Vec<cutover_log::domain::ItemId>) {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    let mut ids = Vec::new();
    for (i, kind) in ItemKind::ALL.into_iter().enumerate() {
        let mut inp = input(
            kind,
            &gp,
            &nhs(i as u32 * 5),
            &format!("2026-11-18T{:02}:10", 8 + i),
        );
        inp.patient.name = format!("Test Patient {i:02}");
        ids.push(p.store.log_item(&inp, &p.desk(during())).unwrap().id);
    }
    (p, ids)
}

#[test]
fn an_interim_report_says_interim_on_every_page_and_lists_what_is_open() {
    let (mut p, ids) = practice_with_items();
    let later = t("2026-11-24T09:30");
    p.store
        .set_status(
            &p.seen(&ids[..5]),
            &StatusChange::ReEntered {
                note: "Ref 7".into(),
            },
            &p.as_gp(later),
        )
        .unwrap();
    p.store
        .set_status(
            &p.seen(&[ids[5]]),
            &StatusChange::Problem {
                note: "No record".into(),
            },
            &p.as_gp(later),
        )
        .unwrap();
    p.store
        .void_item(ids[6], "Logged twice", &p.desk(later))
        .unwrap();
    // Refused while items are open.
    let err = p
        .store
        .sign_off(
            "",
            cutover_log::domain::signoff::Signing::First,
            &cutover_log::domain::Actor::staff(p.manager.id, "Test Manager", later),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::SignOff(_)), "{err}");

    let path = p
        .dir
        .path()
        .join(default_file_name("A81001", later.date(), "pdf"));
    assert!(path.ends_with("cutover-reentry-report-A81001-2026-11-24.pdf"));
    let summary = export_pdf(&p.store, &path, later, &mut |_| {}).unwrap();
    assert!(!summary.final_report);
    assert_eq!(summary.open, 5, "4 outstanding + 1 problem");
    let text = pdf_text(&path);
    let pages = pages(&text);
    assert_eq!(pages.len(), summary.pages);
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains("INTERIM - 4 outstanding, 1 marked a problem"),
            "page {} lacks INTERIM:\n{page}",
            i + 1
        );
        assert!(
            page.contains(&format!("Page {} of {}", i + 1, pages.len())),
            "page {} footer",
            i + 1
        );
        assert!(page.contains("Contains patient-identifiable data"));
    }
    assert!(text.contains("Test Surgery (A81001)"));
    assert!(text.contains("EMIS Web -> TPP SystmOne"));
    assert!(text.contains("Outstanding and problem items (4 outstanding, 1 marked a problem)"));
    assert!(text.contains("No record"));
    assert!(text.contains("Appendix: voided items (1)"));
    assert!(text.contains("Logged twice"));
    // A chosen row: the prescription, re-entered by the GP.
    let rx = text
        .lines()
        .find(|l| l.contains("Test Patient 01"))
        .expect("prescription row");
    assert!(rx.contains("18/11/2026 09:10"), "{rx}");
    assert!(
        rx.contains(
            &cutover_log::domain::NhsNumber::parse(&nhs(5))
                .unwrap()
                .to_string()
        ),
        "{rx}"
    );
    assert!(rx.contains("Re-entered by Dr Test Gp,"), "{rx}");
    // Summary counts: 5 re-entered, 1 problem, 4 outstanding, 1 voided of 11;
    // none of the 5 open overdue yet (due 30/11/2026).
    let (all, numbers) = summary_totals(&text);
    // Then of the 5 re-entered: none verified or not found, 5 not checked.
    assert_eq!(
        numbers,
        vec!["5", "0", "1", "4", "1", "11", "0", "0", "0", "5"],
        "{all}"
    );
}

#[test]
fn a_signed_off_report_is_final_and_carries_the_sign_off() {
    let (mut p, ids) = practice_with_items();
    let later = t("2026-11-24T09:30");
    p.store
        .set_status(
            &p.seen(&ids),
            &StatusChange::ReEntered {
                note: String::new(),
            },
            &p.as_gp(later),
        )
        .unwrap();
    // A receptionist may not sign off.
    let err = p
        .store
        .sign_off(
            "",
            cutover_log::domain::signoff::Signing::First,
            &p.desk(later),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::NotPermitted(_)), "{err}");
    let pm = cutover_log::domain::Actor::staff(p.manager.id, "Test Manager", t("2026-11-25T16:00"));
    p.store
        .sign_off(
            "All cutover items re-entered.",
            cutover_log::domain::signoff::Signing::First,
            &pm,
        )
        .unwrap();
    assert_eq!(
        p.store
            .history(cutover_log::domain::AuditEntity::SignOff, 1)
            .unwrap()[0]
            .action,
        "reentry.signed_off"
    );

    let path = p.dir.path().join("final.pdf");
    let summary = export_pdf(&p.store, &path, t("2026-11-25T16:05"), &mut |_| {}).unwrap();
    assert!(summary.final_report);
    let text = pdf_text(&path);
    assert!(!text.contains("INTERIM"));
    assert!(text.contains("FINAL - signed off"));
    assert!(text.contains("Signed off by") && text.contains("Test Manager"));
    assert!(text.contains("25/11/2026 16:00"));
    assert!(text.contains("All cutover items re-entered."));
    assert!(text.contains(&format!("Page {} of {}", summary.pages, summary.pages)));
}

#[test]
fn the_csv_report_round_trips_the_counts() {
    let (mut p, ids) = practice_with_items();
    let later = t("2026-11-24T09:30");
    p.store
        .set_status(
            &p.seen(&ids[..3]),
            &StatusChange::NotNeeded {
                reason: "Already in the extract".into(),
            },
            &p.as_gp(later),
        )
        .unwrap();
    p.store
        .void_item(ids[4], "Wrong patient", &p.desk(later))
        .unwrap();
    let path = p.dir.path().join("report.csv");
    let n = cutover_log::reports::interchange::export(&p.store, &path).unwrap();
    assert_eq!(n, 11);
    let bytes = std::fs::read(&path).unwrap();
    let staff = cutover_log::domain::StaffDirectory::new(p.store.staff().unwrap());
    let plan = cutover_log::reports::interchange::read(
        &bytes,
        cutover_log::reports::interchange::ImportContext {
            staff: &staff,
            importer: None,
            now: later,
            file: "test.csv",
        },
    )
    .unwrap();
    assert!(plan.rejected.is_empty(), "{:?}", plan.rejected);
    assert_eq!(plan.items.len(), 11);
    let not_needed = plan
        .items
        .iter()
        .filter(|i| i.reentry.status == cutover_log::domain::Status::NotNeeded)
        .count();
    assert_eq!(not_needed, 3);
    assert_eq!(plan.items.iter().filter(|i| i.void.is_some()).count(), 1);
}

#[test]
fn a_large_log_makes_a_report_whose_pages_all_carry_the_footer() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = cutover_log::store::SqliteStore::open(&dir.path().join("big.sqlite3")).unwrap();
    cutover_log::demo::fill(&mut store, 3_000, 3, t("2026-11-25T12:00")).unwrap();
    let path = dir.path().join("big.pdf");
    let mut seen = Vec::new();
    let summary = export_pdf(&store, &path, t("2026-11-25T12:00"), &mut |p| seen.push(p)).unwrap();
    assert_eq!(summary.items, 3_000);
    assert!(
        seen.last().is_some_and(|p| (*p - 1.0).abs() < f32::EPSILON),
        "progress ends at 100%"
    );
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "progress never goes back"
    );
    let text = pdf_text(&path);
    let pages = pages(&text);
    assert_eq!(pages.len(), summary.pages);
    assert!(summary.pages > 20);
    assert!(pages.iter().enumerate().all(|(i, p)| p.contains(&format!(
        "Page {} of {}",
        i + 1,
        summary.pages
    ))));
}

/// A small log: one prescription still open, one appointment re-entered and one
/// item voided in error.
fn small_log() -> (
    Practice,
    std::path::PathBuf,
    cutover_log::reports::reentry_report::ReportSummary,
) {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    let later = t("2026-11-24T09:30");
    let rx = p
        .store
        .log_item(
            &input(ItemKind::Prescription, &gp, &nhs(1), "2026-11-18T09:10"),
            &p.desk(during()),
        )
        .unwrap();
    let appt = p
        .store
        .log_item(
            &input(ItemKind::Appointment, &gp, &nhs(2), "2026-11-18T10:10"),
            &p.desk(during()),
        )
        .unwrap();
    let wrong = p
        .store
        .log_item(
            &input(ItemKind::Other, &gp, &nhs(3), "2026-11-18T11:10"),
            &p.desk(during()),
        )
        .unwrap();
    p.store
        .set_status(
            &[appt.seen()],
            &StatusChange::ReEntered {
                note: String::new(),
            },
            &p.as_gp(later),
        )
        .unwrap();
    p.store
        .void_item(wrong.id, "Logged in error", &p.desk(later))
        .unwrap();
    assert!(p.store.item(rx.id).unwrap().reentry.status.is_open());
    let path = p.dir.path().join("small.pdf");
    let summary = export_pdf(&p.store, &path, later, &mut |_| {}).unwrap();
    (p, path, summary)
}

/// The section headings of the re-entry report, in order.
const SECTIONS: [&str; 8] = [
    "Summary",
    "Who re-entered the items",
    "Outstanding and problem items (1 outstanding, 0 marked a problem)",
    "Appointment (1)",
    "Prescription (1)",
    "Sign-off",
    "Appendix: voided items (1)",
    "Cutover re-entry report",
];

#[test]
fn a_small_report_lets_its_sections_follow_on() {
    let (_p, path, summary) = small_log();
    let text = pdf_text(&path);
    if std::env::var_os("SHOW_PDF").is_some() {
        eprintln!("{text}");
    }
    let pages = pages(&text);
    assert_eq!(pages.len(), summary.pages);
    eprintln!("small report: {} pages", summary.pages);
    // Sections follow on instead of each starting a page: three items fit on
    // two pages, with the open items on the first, after the summary.
    assert!(
        summary.pages <= 2,
        "{} pages for three items",
        summary.pages
    );
    let page_of = |heading: &str| {
        pages
            .iter()
            .position(|p| p.lines().any(|l| l.trim() == heading))
            .unwrap_or_else(|| panic!("no heading {heading:?} in:\n{text}"))
    };
    assert_eq!(
        page_of("Outstanding and problem items (1 outstanding, 0 marked a problem)"),
        0
    );
    assert_eq!(page_of("Summary"), 0);
    assert_eq!(
        page_of("Sign-off"),
        page_of("Appendix: voided items (1)"),
        "the sign-off and the appendix share a page"
    );
    // No page ends on a heading: each heading keeps its first rows with it.
    for (i, page) in pages.iter().enumerate() {
        let body: Vec<&str> = page
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.contains("Page ") && !l.starts_with("INTERIM"))
            .collect();
        let last = body.last().copied().unwrap_or_default();
        assert!(
            !SECTIONS.contains(&last),
            "page {} ends on the heading {last:?}",
            i + 1
        );
    }
}

#[test]
fn the_eleven_kind_report_is_a_few_pages_not_one_per_section() {
    let (p, _ids) = practice_with_items();
    let path = p.dir.path().join("eleven.pdf");
    let summary = export_pdf(&p.store, &path, t("2026-11-24T09:30"), &mut |_| {}).unwrap();
    eprintln!("eleven-kind report: {} pages", summary.pages);
    let text = pdf_text(&path);
    if std::env::var_os("SHOW_PDF").is_some() {
        eprintln!("{text}");
    }
    // One item of each kind: every section used to start its own page (14 pages).
    assert!(summary.pages <= 4, "{} pages", summary.pages);
    assert_eq!(pages(&text).len(), summary.pages);
}

/// A reconciled log: four prescriptions logged during cutover, three ticked
/// re-entered and one not needed, then the new system's issues report run
/// against it: one found at row 3, one ticked but not in the report, and an
/// appointment ticked re-entered that no report has checked.
fn reconciled_log() -> (Practice, [cutover_log::domain::ItemId; 4]) {
    use cutover_log::store::capture::{CaptureBatch, CaptureRow};
    use cutover_log::store::reconcile::ReconcileDecision;
    let mut p = Practice::new();
    let gp = p.gp.clone();
    let logged = |kind, n: u32, name: &str, medication: &str| {
        let mut i = input(kind, &gp, &nhs(n), "2026-11-18T09:10");
        i.patient.name = name.into();
        if kind == ItemKind::Prescription {
            i.fields.insert("medication".into(), medication.into());
        }
        i
    };
    let mut ids = Vec::new();
    for (kind, n, name, medication) in [
        (
            ItemKind::Prescription,
            10,
            "Found Patient",
            "Amlodipine 5mg tablets",
        ),
        (
            ItemKind::Prescription,
            20,
            "Missing Patient",
            "Ramipril 2.5mg capsules",
        ),
        (ItemKind::Appointment, 30, "Unchecked Patient", ""),
        (
            ItemKind::Prescription,
            40,
            "Needless Patient",
            "Metformin 500mg tablets",
        ),
    ] {
        let item = logged(kind, n, name, medication);
        ids.push(p.store.log_item(&item, &p.desk(during())).unwrap().id);
    }
    let later = t("2026-11-24T09:30");
    p.store
        .set_status(
            &p.seen(&ids[..3]),
            &StatusChange::ReEntered {
                note: String::new(),
            },
            &p.as_gp(later),
        )
        .unwrap();
    p.store
        .set_status(
            &p.seen(&ids[3..]),
            &StatusChange::NotNeeded {
                reason: "Already in the extract".into(),
            },
            &p.as_gp(later),
        )
        .unwrap();
    let issued = |n: u32, medication: &str| {
        let mut i = logged(ItemKind::Prescription, n, "Issued Patient", medication);
        i.occurred_at = t("2026-11-24T00:00");
        i
    };
    let batch = CaptureBatch {
        file_name: "systmone-issues.csv".into(),
        sha256: "ab".repeat(32),
        rows: vec![
            CaptureRow {
                line: 2,
                input: issued(50, "Atorvastatin 20mg tablets"),
            },
            CaptureRow {
                line: 3,
                input: issued(10, "AMLODIPINE 5 MG TABS"),
            },
        ],
        judged: Default::default(),
    };
    let plan = p.store.reconcile_plan(&batch, Default::default()).unwrap();
    assert_eq!(plan.found.not_found, vec![ids[1]]);
    let decision = ReconcileDecision {
        file_name: batch.file_name.clone(),
        sha256: batch.sha256.clone(),
        accepted: plan.all_proposed(),
        not_found: plan.all_not_found(),
    };
    let done = p
        .store
        .record_reconciliation(&decision, &p.as_gp(later), &mut |_, _| true)
        .unwrap();
    assert_eq!((done.verified, done.flagged), (1, 1));
    let ids = [ids[0], ids[1], ids[2], ids[3]];
    (p, ids)
}

/// The text of the report's last column ("Outcome") for the row naming
/// `patient`: the row's line and the next three, from where the column starts
/// (a cell wrapped onto more lines continues there; the next row's may follow).
fn outcome_cell(text: &str, patient: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let row = lines
        .iter()
        .position(|l| l.contains(patient))
        .unwrap_or_else(|| panic!("no row for {patient}:\n{text}"));
    let header = lines[..row]
        .iter()
        .rev()
        .find(|l| l.contains("Outcome"))
        .expect("the table's header");
    let at = header[..header.find("Outcome").unwrap()].chars().count();
    lines[row..(row + 4).min(lines.len())]
        .iter()
        .map(|l| l.chars().skip(at.saturating_sub(2)).collect::<String>())
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_report_says_per_item_whether_the_new_system_had_it() {
    let (p, _ids) = reconciled_log();
    let path = p.dir.path().join("reconciled.pdf");
    export_pdf(&p.store, &path, t("2026-11-25T09:00"), &mut |_| {}).unwrap();
    let text = pdf_text(&path);
    if std::env::var_os("SHOW_PDF").is_some() {
        eprintln!("{text}");
    }
    // Each item's outcome says, on its own line, what the new system's reports showed.
    let found = outcome_cell(&text, "Found Patient");
    assert!(
        found.contains("Verified: systmone-issues.csv row 3"),
        "{found:?}\n{text}"
    );
    let missing = outcome_cell(&text, "Missing Patient");
    assert!(
        missing.contains("NOT FOUND in systmone-issues.csv"),
        "{missing:?}\n{text}"
    );
    let unchecked = outcome_cell(&text, "Unchecked Patient");
    assert!(unchecked.contains("Not checked"), "{unchecked:?}");
    // Not re-entered: nothing to check, nothing said.
    let needless = outcome_cell(&text, "Needless Patient");
    assert!(needless.starts_with("Not needed"), "{needless:?}");
    assert!(
        !needless.contains("Not checked") && !needless.contains("Verified"),
        "{needless:?}"
    );
    // The summary counts the items ticked re-entered by what the reports
    // showed: verified, not found, not checked, after the total and the
    // overdue count (nothing open).
    let (all, numbers) = summary_totals(&text);
    assert_eq!(
        numbers,
        vec!["3", "1", "0", "0", "0", "4", "0", "1", "1", "1"],
        "{all}"
    );
    assert!(text.contains("were not found in the new system's report"));
}

#[test]
fn sign_off_with_items_not_found_needs_a_reason_in_the_store_and_on_the_command_line() {
    use cutover_log::domain::signoff::{NewSystemChecks, SignOffRefusal};
    let (mut p, _ids) = reconciled_log();
    assert_eq!(
        p.store.new_system_checks().unwrap(),
        NewSystemChecks {
            verified: 1,
            not_found: 1,
            not_checked: 1
        }
    );
    let pm = p.as_manager(t("2026-11-25T16:00"));
    let refused = p
        .store
        .sign_off(" ", cutover_log::domain::signoff::Signing::First, &pm)
        .unwrap_err();
    assert!(
        matches!(
            refused,
            StoreError::SignOff(SignOffRefusal::ReasonNeeded(1))
        ),
        "{refused}"
    );
    assert!(p.store.sign_offs().unwrap().is_empty());

    // The command line shows the counts and is refused the same way.
    let sign_off = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cutover-log"))
            .env("CUTOVER_LOG_PASSWORD", TEST_PASSWORD)
            .arg("--db")
            .arg(p.path())
            .args([
                "--as",
                "Test Manager",
                "sign-off",
                "--role",
                "practice_manager",
            ])
            .args(extra)
            .output()
            .expect("run cutover-log")
    };
    let out = sign_off(&[]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains("1 verified, 1 re-entered but not found, 1 re-entered and not checked"),
        "{stdout}"
    );
    assert!(
        stderr.contains("not found in the new system's report") && stderr.contains("comment"),
        "{stderr}"
    );
    let out = sign_off(&["--comment", "Ramipril re-entered by hand on 25/11; seen"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signed = p.store.sign_offs().unwrap();
    assert_eq!(signed.len(), 1);
    assert_eq!(
        signed[0].comment,
        "Ramipril re-entered by hand on 25/11; seen"
    );
}

#[test]
fn the_csv_report_says_per_item_whether_the_new_system_had_it_and_still_imports() {
    use cutover_log::reports::interchange::{self, ImportContext};
    let (p, _ids) = reconciled_log();
    let path = p.dir.path().join("reconciled.csv");
    assert_eq!(interchange::export(&p.store, &path).unwrap(), 4);
    let bytes = std::fs::read(&path).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap());
    let header = reader.headers().unwrap().clone();
    assert_eq!(header.iter().next_back(), Some("new_system_check"));
    let name = header.iter().position(|h| h == "patient_name").unwrap();
    let check: std::collections::BTreeMap<String, String> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[name].to_string(), r[header.len() - 1].to_string())
        })
        .collect();
    assert_eq!(
        check["Found Patient"],
        "Verified: systmone-issues.csv row 3"
    );
    assert_eq!(check["Missing Patient"], "NOT FOUND in systmone-issues.csv");
    assert_eq!(check["Unchecked Patient"], "Not checked");
    assert_eq!(check["Needless Patient"], "");
    // The column is for reading: the file still imports whole.
    let staff = cutover_log::domain::StaffDirectory::new(p.store.staff().unwrap());
    let plan = interchange::read(
        &bytes,
        ImportContext {
            staff: &staff,
            importer: None,
            now: t("2026-11-25T09:00"),
            file: "test.csv",
        },
    )
    .unwrap();
    assert!(plan.rejected.is_empty(), "{:?}", plan.rejected);
    assert_eq!(plan.items.len(), 4);
}

/// The sign-off screen shows the counts, marks the comment required beside the
/// field while an item re-entered was not found, and signs once it is given.
#[test]
fn the_sign_off_screen_asks_for_a_reason_when_an_item_was_not_found() {
    use common::ui::{click, shows, type_into};
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable;
    let (p, _ids) = reconciled_log();
    let mut h = common::ui::app_on(
        cutover_log::store::SqliteStore::open(&p.path()).unwrap(),
        egui::vec2(1400.0, 1000.0),
        || t("2026-11-25T16:00"),
    );
    common::ui::sign_in(&mut h, "Test Manager (Practice manager)");
    h.key_press(egui::Key::F6);
    h.run();
    for label in [
        "Verified in the new system",
        "Re-entered but not found",
        "Re-entered and not checked",
    ] {
        assert!(shows(&h, label), "{label}");
    }
    assert!(h.query_by_label("Comment (optional)").is_none());
    assert!(shows(&h, "1 item(s) ticked re-entered were not found"));
    click(&mut h, "Sign off the re-entry");
    assert!(
        h.state()
            .status
            .text
            .contains("not found in the new system"),
        "{}",
        h.state().status.text
    );
    assert!(p.store.sign_offs().unwrap().is_empty());
    type_into(
        &mut h,
        "Comment (required)",
        "Ramipril re-entered by hand; seen",
    );
    assert!(
        h.query_by_role_and_label(Role::MultilineTextInput, "Comment (required)")
            .is_some()
    );
    click(&mut h, "Sign off the re-entry");
    let signed = p.store.sign_offs().unwrap();
    assert_eq!(signed.len(), 1, "{}", h.state().status.text);
    assert_eq!(signed[0].comment, "Ramipril re-entered by hand; seen");
}

/// The summary table's "All kinds" row of a report read with pdftotext: the row
/// and its numbers.
fn summary_totals(text: &str) -> (&str, Vec<&str>) {
    let all = text
        .lines()
        .find(|l| l.trim_start().starts_with("All kinds"))
        .expect("summary total row");
    (all, all.split_whitespace().skip(2).collect())
}

/// Items re-entered after their due-by are listed with how late, most late
/// first, and counted in the summary; one re-entered in time is not.
#[test]
fn the_report_lists_what_was_re_entered_late_and_by_how_much() {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    // Go-live is Monday 23/11/2026 08:00.
    let mut slot = input(ItemKind::Appointment, &gp, &nhs(3), "2026-11-20T09:00");
    slot.patient.name = "Test Late Slot".into();
    slot.fields
        .insert("appointment_at".into(), "2026-11-23T10:30".into());
    let mut call = input(ItemKind::TelephoneCall, &gp, &nhs(4), "2026-11-20T09:10");
    call.patient.name = "Test Call In Time".into();
    let mut rd = input(ItemKind::Prescription, &gp, &nhs(5), "2026-11-20T09:20");
    rd.patient.name = "Test Repeat Dispensing".into();
    rd.fields
        .insert("prescription_type".into(), "repeat_dispensing".into());
    let ids: Vec<_> = [slot, call, rd]
        .iter()
        .map(|i| p.store.log_item(i, &p.desk(during())).unwrap().id)
        .collect();
    let tick = |p: &mut Practice, id, at: &str| {
        let seen = p.seen(&[id]);
        p.store
            .set_status(
                &seen,
                &StatusChange::ReEntered {
                    note: String::new(),
                },
                &p.as_gp(t(at)),
            )
            .unwrap();
    };
    tick(&mut p, ids[0], "2026-11-23T12:00"); // 1 h 30 min after the slot
    tick(&mut p, ids[1], "2026-11-24T09:00"); // due 30/11: in time
    tick(&mut p, ids[2], "2026-11-25T09:15"); // due 23/11: 1 day 9 h 15 min late
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    export_pdf(&p.store, &path, t("2026-11-25T16:00"), &mut |_| {}).unwrap();
    let text = pdf_text(&path);
    assert!(text.contains("Re-entered after their due-by (2)"), "{text}");
    let late = &text[text.find("Re-entered after their due-by (2)").unwrap()..];
    let rd_at = late.find("Test Repeat Dispensing").unwrap();
    let slot_at = late.find("Test Late Slot").unwrap();
    assert!(rd_at < slot_at, "most late first");
    assert!(late.contains("1 day 9 h"), "{late}");
    assert!(late.contains("1 h 30 min"), "{late}");
    assert!(
        late.contains("23/11/2026 10:30"),
        "the slot's due-by: {late}"
    );
    let listed = &late[..late.find("Outstanding").unwrap_or(late.len())];
    let section_end = listed.find("Appointment (").unwrap_or(listed.len());
    assert!(
        !listed[..section_end].contains("Test Call In Time"),
        "in time: not listed"
    );
}

/// The text between the first line holding `from` and the next line holding
/// `to` (or the end).
fn section<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} in:\n{text}"));
    let rest = &text[start..];
    &rest[..rest.find(to).unwrap_or(rest.len())]
}

/// The numbers at the end of the "Who re-entered the items" row naming `person`.
fn who_counts<'a>(who: &'a str, person: &str) -> Vec<&'a str> {
    let row = who
        .lines()
        .find(|l| l.trim_start().starts_with(person))
        .unwrap_or_else(|| panic!("no row for {person}:\n{who}"));
    row[row.find(person).unwrap() + person.len()..]
        .split_whitespace()
        .collect()
}

/// Open items are outstanding or a problem, never both: the banner, summary
/// and heading count them apart; each open item shows its due-by, OVERDUE once
/// past it when the report is made; the summary counts the overdue; and the
/// people table counts who marked items a problem.
#[test]
fn the_report_counts_problems_apart_and_shows_what_is_overdue() {
    let mut p = Practice::new();
    let gp = p.gp.clone();
    // Go-live is Monday 23/11/2026 08:00: the prescription is due on go-live
    // day, the telephone calls 5 working days after (30/11/2026).
    let logged = |kind, n: u32, name: &str| {
        let mut i = input(kind, &gp, &nhs(n), "2026-11-18T09:10");
        i.patient.name = name.into();
        i
    };
    let ids: Vec<_> = [
        logged(ItemKind::Prescription, 61, "Test Overdue"),
        logged(ItemKind::TelephoneCall, 71, "Test Later"),
        logged(ItemKind::TelephoneCall, 81, "Test Problem"),
        logged(ItemKind::Appointment, 91, "Test Done"),
    ]
    .iter()
    .map(|i| p.store.log_item(i, &p.desk(during())).unwrap().id)
    .collect();
    let later = t("2026-11-24T09:30");
    let nurse = cutover_log::domain::Actor::staff(p.nurse.id, p.nurse.name.clone(), later);
    p.store
        .set_status(
            &p.seen(&[ids[2]]),
            &StatusChange::Problem {
                note: "Patient not found in the new system".into(),
            },
            &nurse,
        )
        .unwrap();
    p.store
        .set_status(
            &p.seen(&[ids[3]]),
            &StatusChange::ReEntered {
                note: String::new(),
            },
            &p.as_gp(later),
        )
        .unwrap();
    let path = p.dir.path().join("overdue.pdf");
    let summary = export_pdf(&p.store, &path, t("2026-11-25T16:00"), &mut |_| {}).unwrap();
    assert_eq!(summary.open, 3, "2 outstanding + 1 problem");
    let text = pdf_text(&path);
    if std::env::var_os("SHOW_PDF").is_some() {
        eprintln!("{text}");
    }

    // The problem is never counted as outstanding.
    for page in pages(&text) {
        assert!(
            page.contains("INTERIM - 2 outstanding, 1 marked a problem"),
            "{page}"
        );
    }
    assert!(!text.contains("3 items outstanding"), "{text}");
    let status = text
        .lines()
        .find(|l| l.trim_start().starts_with("Report status"))
        .unwrap_or_else(|| panic!("no report status:\n{text}"));
    assert!(
        status.contains("2 outstanding, 1 marked a problem"),
        "{status}"
    );
    assert!(
        text.contains("Outstanding and problem items (2 outstanding, 1 marked a problem)"),
        "{text}"
    );
    assert!(
        text.contains("(now 2 outstanding, 1 marked a problem)"),
        "{text}"
    );

    // The summary: 1 re-entered, 1 problem, 2 outstanding of 4; of the open
    // items 1 overdue at the report's time; the re-entered one not checked.
    let (all, numbers) = summary_totals(&text);
    assert_eq!(
        numbers,
        vec!["1", "0", "1", "2", "0", "4", "1", "0", "0", "1"],
        "{all}"
    );
    let header = text
        .lines()
        .find(|l| l.trim_start().starts_with("Kind") && l.contains("Outstanding"))
        .unwrap_or_else(|| panic!("no summary header:\n{text}"));
    assert!(
        header.contains("Total") && header.contains("Overdue"),
        "{header}"
    );
    assert!(
        header.find("Total") < header.find("Overdue"),
        "the overdue count follows the total: {header}"
    );

    // Each open item shows its due-by; only the overdue one says OVERDUE.
    let open = section(&text, "Outstanding and problem items (", "Appointment (");
    assert!(
        open.lines()
            .any(|l| l.contains("Due by") && l.contains("Outcome")),
        "{open}"
    );
    let row_at = |patient: &str| {
        open.find(patient)
            .unwrap_or_else(|| panic!("no open row for {patient}:\n{open}"))
    };
    let row_line = |patient: &str| {
        open.lines()
            .find(|l| l.contains(patient))
            .unwrap_or_else(|| panic!("no open row for {patient}:\n{open}"))
    };
    assert!(row_line("Test Overdue").contains("23/11/2026"), "{open}");
    assert!(row_line("Test Later").contains("30/11/2026"), "{open}");
    assert!(row_line("Test Problem").contains("30/11/2026"), "{open}");
    assert!(!open.contains("Test Done"), "re-entered: not open");
    let rows = &open[open.find("Due by").unwrap()..];
    assert_eq!(rows.matches("OVERDUE").count(), 1, "{open}");
    // OVERDUE belongs to the overdue item's row (its line, or its cell wrapped
    // onto the next): no other row starts between the two.
    let (overdue_row, marked) = (
        row_at("Test Overdue"),
        open.len() - rows.len() + rows.find("OVERDUE").unwrap(),
    );
    let row_start = open[..overdue_row].rfind('\n').map_or(0, |n| n + 1);
    assert!(marked >= row_start, "{open}");
    for other in ["Test Later", "Test Problem"] {
        let at = row_at(other);
        assert!(!(row_start < at && at < marked), "{other}:\n{open}");
    }

    // Who re-entered the items: a Problem column, counted by who marked it.
    let who = section(&text, "Who re-entered the items", "First re-entry");
    let header = who
        .lines()
        .find(|l| l.contains("Person"))
        .unwrap_or_else(|| panic!("no header:\n{who}"));
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["Person", "Re-entered", "Not", "needed", "Problem"],
        "{header}"
    );
    assert_eq!(who_counts(who, "Dr Test Gp"), ["1", "0", "0"], "{who}");
    assert_eq!(who_counts(who, "Test Nurse"), ["0", "0", "1"], "{who}");
}
