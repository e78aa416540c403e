//! An Excel 97-2003 workbook (.xls) through
//! `reports::report_file::read_report_bytes`: the OLE guard (the compound file's
//! sector chains, then the BIFF records: shared strings, each sheet's cells and the
//! areas calamine will expand), then calamine reading the sheets whole. An input
//! starting with the OLE signature is read as it is (the seeds are whole files, so
//! the compound file is fuzzed); any other input is BIFF records: the workbook's
//! globals before a 0xFF 0xFF and the sheet's after it (or the whole input), put in
//! a workbook stream with the BOF, sheet and EOF records and in a compound file
//! (`common::workbooks::xls`), so the fuzzer's changes reach the records.
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
    let bytes = if data.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        data
    } else {
        built = workbooks::xls(data);
        &built
    };
    match read_report_bytes("report.xls", bytes) {
        Ok(table) => table_checks::sheet_table(&table),
        Err(problem) => table_checks::refusal(&problem),
    }
});
