//! What the column mapper relies on in a report read by
//! `reports::report_file::read_report_bytes`, checked by each reader's target.

use cutover_log::domain::validation::is_invisible;
use cutover_log::reports::report_file::{ReportFileProblem, ReportTable};

/// No invisible characters and a readable length.
pub fn readable(msg: &str) {
    assert!(
        !msg.chars().any(is_invisible),
        "invisible character in {msg:?}"
    );
    assert!(
        msg.chars().count() < 400,
        "message of {} characters",
        msg.chars().count()
    );
}

/// A refusal's words are readable.
pub fn refusal(problem: &ReportFileProblem) {
    readable(&problem.to_string());
}

/// A header ending in a filled cell, one cell per header column in every row, rows
/// after the header in file order, skipped lines in order and never the header's,
/// their descriptions readable.
pub fn table(table: &ReportTable) {
    assert!(
        table.header.last().is_some_and(|h| !h.is_empty()),
        "header {:?}",
        table.header
    );
    assert!(table.header_line >= 1);
    let mut last = table.header_line;
    for row in &table.rows {
        assert_eq!(
            row.cells.len(),
            table.header.len(),
            "row at line {}",
            row.line
        );
        assert!(row.extra.last().is_none_or(|c| !c.is_empty()));
        assert!(
            row.line > last,
            "row at line {} after line {last}",
            row.line
        );
        last = row.line;
    }
    let mut previous = 0;
    for s in &table.skipped {
        assert!(s.line >= 1 && s.last_line >= s.line);
        assert!(s.line >= previous, "skipped out of order");
        assert_ne!(s.line, table.header_line, "the header skipped");
        previous = s.line;
        readable(&table.describe(s));
    }
}

/// A spreadsheet's table: read as a spreadsheet, a sheet named, rows numbered
/// within the format's grid.
pub fn sheet_table(table: &ReportTable) {
    self::table(table);
    assert_eq!(table.encoding, "spreadsheet");
    assert!(table.delimiter.is_none());
    assert!(table.sheet.is_some());
    for row in &table.rows {
        assert!(row.line <= 1_048_576, "row {}", row.line);
    }
}
