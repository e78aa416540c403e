//! Any bytes as a report file from the old clinical system, through
//! `reports::report_file::read_report_bytes` (what capture and its preview read
//! files with; it stores nothing). Bytes starting like a ZIP or OLE file reach the
//! spreadsheet reader (calamine); the rest the text reader.
//!
//! Besides "no panic", it checks what the column mapper relies on:
//! - a table has a header whose last cell is filled, and every data row has exactly
//!   one cell per header column (surplus only in `extra`, never ending empty);
//! - data rows come after the header, in file order; skipped lines are in order,
//!   never the header's, and their descriptions are readable;
//! - for text, every line number is inside the file;
//! - a refusal's message has no invisible characters and a readable length.
//!
//! The app catches a panic inside calamine and reports the workbook as unreadable,
//! but cargo-fuzz builds with `panic=abort`, so such a panic shows here as a crash:
//! report it to calamine and keep the input as a case in `report_file`'s tests.
#![no_main]

use cutover_log::domain::validation::is_invisible;
use cutover_log::reports::report_file::read_report_bytes;
use libfuzzer_sys::fuzz_target;

fn readable(msg: &str) {
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

fuzz_target!(|data: &[u8]| {
    let table = match read_report_bytes("fuzz.csv", data) {
        Ok(table) => table,
        Err(problem) => {
            readable(&problem.to_string());
            return;
        }
    };
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
    // Lines in a text file: line ends (LF, CRLF or a lone CR) plus one; UTF-16 has
    // two bytes a character, so its byte count only bounds the lines from above.
    if table.sheet.is_none() {
        let lines = 1 + data
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
            .count();
        let most = if table.encoding == "UTF-16" {
            data.len() + 1
        } else {
            lines
        };
        for line in table.skipped.iter().map(|s| s.last_line).chain([last]) {
            assert!(line <= most, "line {line} of {most}");
        }
    }
});
