//! An Excel workbook (.xlsx) through `reports::report_file::read_report_bytes`: the
//! ZIP guard, then calamine's streamed sheet. An input starting with a ZIP signature
//! is read as it is (the seeds are whole workbooks, so the ZIP directory and the
//! guard's limits are fuzzed); any other input is split at 0xFF bytes into the
//! sheet, the shared strings, the styles and the workbook part and zipped (stored)
//! around them (`common::workbooks::xlsx`), so the fuzzer's changes reach the
//! markup instead of failing a checksum.
//!
//! Besides "no panic" (a panic inside calamine is caught by the app but is a crash
//! here, `panic=abort`) and the memory cap (`common::capped_alloc`: 300 MB live, the
//! promise of issue 30), it checks the table (`common::table_checks`).
#![no_main]

mod common;

use common::{table_checks, workbooks};
use cutover_log::reports::report_file::read_report_bytes;
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: common::capped_alloc::Capped = common::capped_alloc::Capped;

fuzz_target!(|data: &[u8]| {
    let built;
    let bytes = if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        data
    } else {
        built = workbooks::xlsx(data);
        &built
    };
    match read_report_bytes("report.xlsx", bytes) {
        Ok(table) => table_checks::sheet_table(&table),
        Err(problem) => table_checks::refusal(&problem),
    }
});
