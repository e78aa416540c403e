//! A report's rows checked through a mapping, ready to capture: every row either
//! becomes a checked item (with its row number) or is rejected with every reason
//! (row, column, why). Stores nothing; the store's capture takes the batch.

use chrono::NaiveDateTime;

use crate::domain::Staff;
use crate::domain::capture::{CaptureMapping, RowProblem, check_row};
use crate::reports::report_file::ReportTable;
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
    let mut batch = CaptureBatch {
        file_name: table.file_name.clone(),
        sha256: table.sha256.clone(),
        rows: Vec::with_capacity(table.rows.len()),
    };
    let mut rejected = Vec::new();
    for row in &table.rows {
        let checked = if row.extra.is_empty() {
            check_row(mapping, &table.header, row.line, &row.cells, staff, now)
        } else {
            Err(vec![RowProblem {
                line: row.line,
                column: format!("{} cells after the last column", row.extra.len()),
                reason: "the row has more cells than the header, so its columns may be shifted (a comma inside a name?); check it in the file".into(),
            }])
        };
        match checked {
            Ok(input) => batch.rows.push(CaptureRow {
                line: row.line as u64,
                input,
            }),
            Err(problems) => {
                let mut cells = row.cells.clone();
                cells.extend(row.extra.iter().cloned());
                rejected.push(RejectedRow {
                    line: row.line,
                    cells,
                    problems,
                });
            }
        }
    }
    CheckedReport { batch, rejected }
}
