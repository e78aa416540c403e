//! Any bytes as a report from the old system, read as capture reads it, then
//! mapped with the mapping suggested from its header for every kind (and for
//! none) and every row checked by the entry form's rules, as the preview does
//! (`reports::capture_check::check_report`; it stores nothing).
//!
//! Besides "no panic", it checks that every row is accounted for (checked or
//! rejected, never both, never lost), that each rejected row names its own row
//! and a column, and that a problem's message has no invisible characters.
#![no_main]

use cutover_log::domain::capture::suggest;
use cutover_log::domain::validation::is_invisible;
use cutover_log::domain::{ItemKind, Role, Staff, StaffId};
use cutover_log::reports::capture_check::check_report;
use cutover_log::reports::report_file::read_report_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(table) = read_report_bytes("report.csv", data) else {
        return;
    };
    let staff = vec![Staff {
        id: StaffId(1),
        name: "Dr Asha Khan".into(),
        role: Role::Gp,
        active: true,
    }];
    let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .unwrap_or_default();
    let kinds = std::iter::once(None).chain(ItemKind::ALL.into_iter().map(Some));
    for kind in kinds {
        let mapping = suggest(&table.header, kind, "fuzz");
        let checked = check_report(&table, &mapping, &staff, now);
        assert_eq!(
            checked.batch.rows.len() + checked.rejected.len(),
            table.rows.len(),
            "every row is checked or rejected"
        );
        for r in &checked.rejected {
            assert!(!r.problems.is_empty(), "a rejected row says why");
            for p in &r.problems {
                assert_eq!(p.line, r.line, "a problem names its own row");
                assert!(!p.column.is_empty(), "a problem names a column");
                assert!(!p.reason.chars().any(is_invisible), "invisible character in {p}");
            }
        }
    }
});
