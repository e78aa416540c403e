//! Any bytes as a text report (CSV or other delimited text, UTF-8, Windows-1252 or
//! UTF-16) through `reports::report_file::read_report_bytes`, as capture reads a
//! `.csv` from the old system. Inputs that start like a workbook (a ZIP or OLE
//! signature) are left to the `report_xlsx`, `report_ods` and `report_xls` targets.
//!
//! Besides "no panic" and the memory cap (`common::capped_alloc`: 300 MB live, the
//! promise of issue 30), it checks the table (`common::table_checks`), that it was
//! read as text with a delimiter, and that every line number is inside the file.
#![no_main]

mod common;

use common::table_checks;
use cutover_log::reports::report_file::read_report_bytes;
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: common::capped_alloc::Capped = common::capped_alloc::Capped;

fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"PK\x03\x04")
        || data.starts_with(b"PK\x05\x06")
        || data.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
    {
        return;
    }
    let table = match read_report_bytes("report.csv", data) {
        Ok(table) => table,
        Err(problem) => return table_checks::refusal(&problem),
    };
    table_checks::table(&table);
    assert!(table.sheet.is_none() && table.delimiter.is_some());
    // Lines: line ends (LF, CRLF or a lone CR) plus one; UTF-16 has two bytes a
    // character, so its byte count only bounds the lines from above.
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
    let last = table.rows.last().map_or(table.header_line, |r| r.line);
    for line in table.skipped.iter().map(|s| s.last_line).chain([last]) {
        assert!(line <= most, "line {line} of {most}");
    }
});
