//! Any bytes as an interchange CSV, through the same `interchange::read` the
//! `import` command and the app use (it parses and validates; it never stores).
//!
//! Besides "no panic", it checks what a user relies on:
//! - every rejected row names a line inside the file and a column, in a message
//!   with no invisible characters and of readable length;
//! - every accepted item is normalised: turned back into the edit form's draft, it
//!   validates to exactly the same item (so a correction can't silently change it).
#![no_main]

mod common;

use chrono::NaiveDate;
use cutover_log::domain::validation::is_invisible;
use cutover_log::domain::{Role, Staff, StaffDirectory, StaffId};
use cutover_log::reports::interchange::{self, ImportContext};
use libfuzzer_sys::fuzz_target;

// The memory promise of issue 30: 300 MB live at most, whatever the file.
#[global_allocator]
static ALLOC: common::capped_alloc::Capped = common::capped_alloc::Capped;

fn staff() -> StaffDirectory {
    let s = |id, name: &str, role| Staff {
        id: StaffId(id),
        name: name.into(),
        role,
        active: true,
    };
    StaffDirectory::new(vec![
        s(1, "Dr Test Gp", Role::Gp),
        s(2, "Test Nurse", Role::Nurse),
        s(3, "Test Receptionist", Role::Reception),
    ])
}

fn readable(msg: &str) {
    assert!(!msg.chars().any(is_invisible), "invisible character in {msg:?}");
    assert!(msg.chars().count() < 600, "message of {} characters", msg.chars().count());
}

fuzz_target!(|data: &[u8]| {
    let staff = staff();
    let Some(now) = NaiveDate::from_ymd_opt(2026, 11, 20).and_then(|d| d.and_hms_opt(10, 0, 0))
    else {
        return;
    };
    let ctx = ImportContext {
        staff: &staff,
        importer: Some(StaffId(3)),
        now,
        file: "fuzz.csv",
    };
    let plan = match interchange::read(data, ctx) {
        Ok(plan) => plan,
        Err(problem) => {
            readable(&problem.to_string());
            return;
        }
    };
    // Lines in the file: line ends (LF, CRLF or a lone CR) plus one.
    let lines = 1 + data
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
        .count() as u64;
    for row in &plan.rejected {
        assert!(row.line >= 1 && row.line <= lines, "line {} of {lines}", row.line);
        assert!(!row.errors.is_empty());
        for e in &row.errors {
            assert_eq!(e.line, row.line);
            assert!(!e.column.is_empty());
            readable(&e.message);
        }
    }
    for item in &plan.items {
        let again = item.input.to_draft().validate(now);
        assert_eq!(again.as_ref(), Ok(&item.input), "not normalised: {:?}", item.input);
    }
});
