//! An OpenDocument spreadsheet (.ods) through
//! `reports::report_file::read_report_bytes`: the ZIP guard (which walks the
//! repeated rows and columns calamine will expand), then calamine reading the sheets
//! whole. An input starting with a ZIP signature is read as it is (the seeds are
//! whole files, so the ZIP directory and the guard's limits are fuzzed); any other
//! input is `content.xml` (and, after a 0xFF byte, `styles.xml`), zipped (stored)
//! with a mimetype and a manifest (`common::workbooks::ods`), so the fuzzer's
//! changes reach the markup instead of failing a checksum.
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
        built = workbooks::ods(data);
        &built
    };
    match read_report_bytes("report.ods", bytes) {
        Ok(table) => table_checks::sheet_table(&table),
        Err(problem) => table_checks::refusal(&problem),
    }
});
