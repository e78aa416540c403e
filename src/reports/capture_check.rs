//! A report's rows checked through a mapping, ready to capture: every row either
//! becomes a checked item (with its row number) or is rejected with every reason
//! (row, column, why). Stores nothing; the store's capture takes the batch.

use chrono::NaiveDateTime;

use crate::domain::Staff;
use crate::domain::capture::{CaptureMapping, RowProblem, check_row};
use crate::reports::in_order::map_rows;
use crate::reports::report_file::{ReportRow, ReportTable};
use crate::store::capture::{CaptureBatch, CaptureRow};

/// One row that could not become an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub line: usize,
    /// The row's cells as the file gave them (for the `.rejected.csv`).
    pub cells: Vec<String>,
    pub problems: Vec<RowProblem>,
}

impl RejectedRow {
    /// Every reason, for a message or the `error` column.
    pub fn reasons(&self) -> String {
        self.problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// One distinct problem and every row that has it: a report with three
/// unmatched clinician names says three things, not one per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemGroup {
    pub column: String,
    pub reason: String,
    /// The rows, in file order.
    pub lines: Vec<usize>,
}

/// How many of a group's rows are named before "and N more".
const NAMED_ROWS: usize = 12;

impl ProblemGroup {
    /// "Prescriber: 'Dr Z Locum' is not matched…: rows 6, 7, 9 (3 rows)".
    pub fn describe(&self) -> String {
        let named: Vec<String> = self
            .lines
            .iter()
            .take(NAMED_ROWS)
            .map(ToString::to_string)
            .collect();
        let more = self.lines.len().saturating_sub(NAMED_ROWS);
        let rows = match (self.lines.len(), more) {
            (1, _) => format!("row {}", named.join("")),
            (n, 0) => format!("rows {} ({n} rows)", named.join(", ")),
            (n, more) => format!("rows {} and {more} more ({n} rows)", named.join(", ")),
        };
        format!("{}: {}: {rows}", self.column, self.reason)
    }
}

/// The rejected rows' problems, one group per distinct column and reason, in
/// the order they first appear.
pub fn problem_groups(rejected: &[RejectedRow]) -> Vec<ProblemGroup> {
    let mut groups: Vec<ProblemGroup> = Vec::new();
    let mut at: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::new();
    for p in rejected.iter().flat_map(|r| &r.problems) {
        let key = (p.column.clone(), p.reason.clone());
        match at.get(&key) {
            Some(&n) => groups[n].lines.push(p.line),
            None => {
                at.insert(key, groups.len());
                groups.push(ProblemGroup {
                    column: p.column.clone(),
                    reason: p.reason.clone(),
                    lines: vec![p.line],
                });
            }
        }
    }
    groups
}

/// A whole report checked: the good rows as a batch, the others rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedReport {
    pub batch: CaptureBatch,
    pub rejected: Vec<RejectedRow>,
}

/// Checks every row of a report with `mapping`, by the entry form's rules. A
/// row with more cells than the header is rejected: its columns are probably
/// shifted (an unquoted comma in a name), so no cell can be trusted.
pub fn check_report(
    table: &ReportTable,
    mapping: &CaptureMapping,
    staff: &[Staff],
    now: NaiveDateTime,
) -> CheckedReport {
    check_first(table, table.rows.len(), mapping, staff, now)
}

/// [`check_report`] of the first `rows` rows only: what a preview shows at once
/// while the whole report is checked.
pub fn check_first(
    table: &ReportTable,
    rows: usize,
    mapping: &CaptureMapping,
    staff: &[Staff],
    now: NaiveDateTime,
) -> CheckedReport {
    let rows = &table.rows[..rows.min(table.rows.len())];
    let checked = map_rows(rows, |row| check_one(table, row, mapping, staff, now));
    let mut batch = CaptureBatch {
        file_name: table.file_name.clone(),
        sha256: table.sha256.clone(),
        rows: Vec::with_capacity(checked.len()),
        judged: Default::default(),
    };
    let mut rejected = Vec::new();
    for c in checked {
        match c {
            Ok(row) => batch.rows.push(row),
            Err(row) => rejected.push(row),
        }
    }
    CheckedReport { batch, rejected }
}

/// One row checked: a row to capture, or rejected with its reasons.
fn check_one(
    table: &ReportTable,
    row: &ReportRow,
    mapping: &CaptureMapping,
    staff: &[Staff],
    now: NaiveDateTime,
) -> Result<CaptureRow, RejectedRow> {
    let checked = if row.extra.is_empty() {
        check_row(mapping, &table.header, row.line, &row.cells, staff, now)
    } else {
        Err(vec![RowProblem {
            line: row.line,
            column: format!("{} cells after the last column", row.extra.len()),
            reason: "the row has more cells than the header, so its columns may be shifted (a comma inside a name?); check it in the file".into(),
        }])
    };
    checked
        .map(|input| CaptureRow {
            line: row.line as u64,
            input,
        })
        .map_err(|problems| {
            let mut cells = row.cells.clone();
            cells.extend(row.extra.iter().cloned());
            RejectedRow {
                line: row.line,
                cells,
                problems,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_said_once_each_with_their_rows() {
        let rejected: Vec<RejectedRow> = (1..=30)
            .map(|line| RejectedRow {
                line,
                cells: Vec::new(),
                problems: vec![RowProblem {
                    line,
                    column: "Prescriber".into(),
                    reason: if line % 10 == 0 {
                        "'Dr Z Locum' is not matched".into()
                    } else {
                        "'Dr Y Other' is not matched".into()
                    },
                }],
            })
            .collect();
        let groups = problem_groups(&rejected);
        assert_eq!(groups.len(), 2);
        assert_eq!(
            groups[1].describe(),
            "Prescriber: 'Dr Z Locum' is not matched: rows 10, 20, 30 (3 rows)"
        );
        assert!(
            groups[0]
                .describe()
                .ends_with("rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13 and 15 more (27 rows)"),
            "{}",
            groups[0].describe()
        );
    }
    use crate::domain::capture::{Source, suggest};
    use crate::domain::dates::from_iso;
    use crate::domain::{Actor, ClinicalSystem, ItemKind, OdsCode, Project, Role};
    use crate::reports::report_file::read_report_bytes;
    use crate::reports::report_file::tests::{X, xlsx};
    use crate::store::capture::RowOutcome;
    use crate::store::{CutoverStore, SqliteStore};

    /// A SystmOne-like issued-medication report as an .xlsx (a numeric NHS
    /// number, a real date cell), captured end to end into a log.
    #[test]
    fn an_xlsx_report_is_captured_end_to_end() -> Result<(), Box<dyn std::error::Error>> {
        let at = |s: &str| from_iso(s).unwrap_or_default();
        let dir = tempfile::tempdir()?;
        let mut store = SqliteStore::open(&dir.path().join("log.sqlite3"))?;
        let setup = Actor::system("test setup", at("2026-11-16T09:00"));
        store.create_project(
            &Project {
                practice_name: "Test Surgery".into(),
                ods_code: OdsCode::parse("A81001").map_err(|e| e.to_string())?,
                old_system: ClinicalSystem::parse("EMIS Web").map_err(|e| e.to_string())?,
                new_system: ClinicalSystem::parse("TPP SystmOne").map_err(|e| e.to_string())?,
                cutover_start: at("2026-11-16T18:00"),
                go_live: at("2026-11-23T08:00"),
            },
            &setup,
        )?;
        let gp = store.add_staff("Dr Asha Khan", Role::Gp, &setup)?;
        let rec = store.add_staff("Test Receptionist", Role::Reception, &setup)?;
        let bytes = xlsx(&[(
            "Issues",
            false,
            0,
            vec![
                vec![X::S("Medication issued 16/11/2026 to 23/11/2026")],
                vec![X::Empty],
                vec![
                    X::S("NHS number"),
                    X::S("Patient name"),
                    X::S("Date of birth"),
                    X::S("Drug"),
                    X::S("Dosage"),
                    X::S("Qty"),
                    X::S("Issue date"),
                    X::S("Prescriber"),
                    X::S("Issue type"),
                ],
                vec![
                    X::N(9_990_000_018.0),
                    X::S("Siân Tester"),
                    X::Date(1941, 11, 11),
                    X::S("Amlodipine 5mg tablets"),
                    X::S("One daily"),
                    X::S("28 tablets"),
                    X::Date(2026, 11, 18),
                    X::S("KHAN, Asha (Dr)"),
                    X::S("Repeat"),
                ],
            ],
        )]);
        let table = read_report_bytes("issues.xlsx", &bytes)?;
        let mut mapping = suggest(
            &table.header,
            Some(ItemKind::Prescription),
            "SystmOne issues",
        );
        for (field, value) in [("issued_via", "eps"), ("request_channel", "phone")] {
            mapping.fields.insert(
                field.into(),
                Source::Constant {
                    value: value.into(),
                },
            );
        }
        let staff = store.staff()?;
        let checked = check_report(&table, &mapping, &staff, at("2026-11-20T12:00"));
        assert_eq!(checked.rejected, Vec::new());
        let row = &checked.batch.rows[0];
        assert_eq!(row.line, 4, "the spreadsheet's own row number");
        assert_eq!(
            row.input.patient.nhs_number.map(|n| n.digits()).as_deref(),
            Some("9990000018")
        );
        assert_eq!(row.input.clinician, Some(gp.id));
        let desk = Actor::staff(rec.id, rec.name.clone(), at("2026-11-20T12:00"));
        let done = store.capture(&checked.batch, &desk, &mut |_, _| true)?;
        assert!(matches!(done.outcomes[0], (4, RowOutcome::Added(_))));
        assert!(store.verify()?.is_ok());
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// What `fuzz/fuzz_targets/capture_mapper.rs` checks, on report-like text:
        /// every row is checked or rejected, and each problem names its own row.
        #[test]
        fn every_row_of_any_report_is_checked_or_rejected(
            lines in proptest::collection::vec("[A-Za-z0-9 ,/:;-]{0,40}", 0..12)
        ) {
            let text = format!("NHS Number,Surname,Forename,DOB,Drug,Issue Date,Status\n{}", lines.join("\n"));
            let Ok(table) = read_report_bytes("r.csv", text.as_bytes()) else {
                return Ok(());
            };
            let now = from_iso("2026-12-02T12:00").unwrap_or_default();
            for kind in std::iter::once(None).chain(ItemKind::ALL.into_iter().map(Some)) {
                let mapping = suggest(&table.header, kind, "p");
                let checked = check_report(&table, &mapping, &[], now);
                proptest::prop_assert_eq!(checked.batch.rows.len() + checked.rejected.len(), table.rows.len());
                for r in &checked.rejected {
                    proptest::prop_assert!(!r.problems.is_empty());
                    for p in &r.problems {
                        proptest::prop_assert_eq!(p.line, r.line);
                        proptest::prop_assert!(!p.column.is_empty());
                    }
                }
            }
        }
    }
}
