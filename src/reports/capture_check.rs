//! A report's rows checked through a mapping, ready to capture: every row either
//! becomes a checked item (with its row number) or is rejected with every reason
//! (row, column, why). Stores nothing; the store's capture takes the batch.

use chrono::NaiveDateTime;

use crate::domain::Staff;
use crate::domain::capture::{CaptureMapping, RowProblem, check_row};
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

/// Checks every row of a report (`rows`: each row's number in the file and its
/// cells) with `mapping`, by the entry form's rules.
pub fn check_report(
    file_name: &str,
    sha256: &str,
    header: &[String],
    rows: &[(usize, Vec<String>)],
    mapping: &CaptureMapping,
    staff: &[Staff],
    now: NaiveDateTime,
) -> CheckedReport {
    let mut batch = CaptureBatch {
        file_name: file_name.to_string(),
        sha256: sha256.to_string(),
        rows: Vec::with_capacity(rows.len()),
    };
    let mut rejected = Vec::new();
    for (line, cells) in rows {
        match check_row(mapping, header, *line, cells, staff, now) {
            Ok(input) => batch.rows.push(CaptureRow {
                line: *line as u64,
                input,
            }),
            Err(problems) => rejected.push(RejectedRow {
                line: *line,
                cells: cells.clone(),
                problems,
            }),
        }
    }
    CheckedReport { batch, rejected }
}

/// The SHA-256 of a file's bytes, in hex: a report's identity (the same file
/// captured twice adds nothing).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
