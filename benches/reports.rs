//! Exports at practice scale: the interchange CSV (1k, 10k, 100k items) and the
//! PDF re-entry report (10k items; 1k under `cargo test`). Run with
//! `cargo bench --bench reports`. Peak memory and the CSV import beside the
//! sqlite3 tool's own `.import` are measured by `scripts/bench-reports.sh`; the
//! capture and the import beside `.import` by `scripts/bench-capture.sh`. Also
//! the capture screen's first rows from a 100,000-row report, as CSV and as .xlsx
//! (built here: an EMIS-like appointments report of twenty columns with date cells).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use cutover_log::demo;
use cutover_log::domain::dates::parse_date_time;
use cutover_log::reports::{interchange, reentry_report};
use cutover_log::store::SqliteStore;

fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn now() -> chrono::NaiveDateTime {
    parse_date_time("2026-11-25T12:00").unwrap()
}

fn fixture(items: usize) -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("bench.sqlite3")).unwrap();
    demo::fill(&mut store, items, 42, now()).unwrap();
    (dir, store)
}

/// Runs `f` `iters` times and returns the total time (the output file is rewritten each time).
fn timed(iters: u64, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed()
}

fn exports(c: &mut Criterion) {
    let sizes: &[usize] = if bench_mode() {
        &[1_000, 10_000, 100_000]
    } else {
        &[1_000]
    };
    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    for &n in sizes {
        let (dir, store) = fixture(n);
        let csv = dir.path().join("out.csv");
        group.bench_function(BenchmarkId::new("csv", n), |b| {
            b.iter_custom(|iters| {
                timed(iters, || {
                    assert_eq!(interchange::export(&store, &csv).unwrap(), n as u64);
                })
            })
        });
        // The PDF at 10k here (ten runs of 100k would take the suite past 10
        // minutes); scripts/bench-reports.sh times 100k with its peak memory.
        if n == sizes[sizes.len().min(2) - 1] {
            let pdf = dir.path().join("out.pdf");
            group.measurement_time(Duration::from_secs(if bench_mode() { 15 } else { 1 }));
            group.bench_function(BenchmarkId::new("pdf_report", n), |b| {
                b.iter_custom(|iters| {
                    timed(iters, || {
                        reentry_report::export_pdf(&store, &pdf, now(), &mut |_| {}).unwrap();
                    })
                })
            });
        }
    }
    group.finish();
}

/// The capture screen's first rows from a long report: the file read whole (its
/// SHA-256, encoding, header and rows), a mapping suggested, the first rows
/// checked and matched against the log: what the person waits for before the
/// preview shows (the rest is checked on a thread). 100,000 rows against a
/// 100,000-item log (1,000 under `cargo test`).
fn capture_preview(c: &mut Criterion) {
    use cutover_log::domain::ItemKind;
    use cutover_log::domain::capture::suggest;
    use cutover_log::reports::capture_check::check_first;
    use cutover_log::reports::report_file::read_report;
    use cutover_log::store::CutoverStore;
    use std::fmt::Write as _;
    let n = if bench_mode() { 100_000 } else { 1_000 };
    let (dir, store) = fixture(n);
    let staff = store.staff().unwrap();
    let prescriber = staff
        .iter()
        .find(|s| s.role.is_clinician())
        .map(|s| s.name.clone())
        .unwrap();
    let mut csv = String::from(
        "Surname,Forename,NHS Number,Date of Birth,Drug,Dosage,Quantity,Issue Date,Prescriber,Issue Type\n",
    );
    let mut numbers =
        (999_000_000u32..).filter_map(cutover_log::domain::NhsNumber::from_first_nine);
    for i in 0..n {
        let nhs = numbers.next().unwrap();
        writeln!(
            csv,
            "PATIENT,Test,{nhs},01-Jan-1950,Amlodipine {} mg tablets,One daily,28,{}-Nov-2026,{prescriber},Repeat",
            i % 997 + 1,
            10 + i % 15
        )
        .unwrap();
    }
    let report = dir.path().join("issues.csv");
    std::fs::write(&report, csv).unwrap();
    let mut group = c.benchmark_group("capture");
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("preview_first_rows", n), |b| {
        b.iter(|| {
            let table = read_report(&report).unwrap();
            let mapping = suggest(&table.header, Some(ItemKind::Prescription), "issues");
            let first = check_first(&table, 10, &mapping, &staff, now());
            store.capture_plan(&first.batch).unwrap();
            assert_eq!(table.rows.len(), n);
        })
    });
    group.finish();
}

/// An EMIS-like appointments report as Excel writes it: title lines, a header of
/// twenty columns, `rows` rows (dates, times and date-times as numbers with date
/// formats, NHS numbers as numbers, text as shared strings), a count line; the
/// parts deflated.
fn appointments_xlsx(rows: usize, clinicians: &[String]) -> Vec<u8> {
    use std::collections::HashMap;
    use std::fmt::Write as _;
    use std::io::Write as _;
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut strings: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut shared = |s: &str| -> usize {
        *index.entry(s.to_string()).or_insert_with(|| {
            strings.push(s.replace('&', "&amp;").replace('<', "&lt;"));
            strings.len() - 1
        })
    };
    // Styles: 1 a date, 2 a time, 3 a date and time (Excel's built-in formats).
    enum Cell {
        Text(String),
        Number(f64),
        Styled(f64, u8),
    }
    let mut sheet = format!("<worksheet xmlns=\"{MAIN}\"><sheetData>");
    let mut put_row = |sheet: &mut String, r: usize, cells: &[Cell]| {
        write!(sheet, "<row r=\"{r}\">").unwrap();
        for (c, cell) in cells.iter().enumerate() {
            let col = char::from(b'A' + c as u8);
            match cell {
                Cell::Text(t) => {
                    let i = shared(t);
                    write!(sheet, "<c r=\"{col}{r}\" t=\"s\"><v>{i}</v></c>").unwrap();
                }
                Cell::Number(n) => write!(sheet, "<c r=\"{col}{r}\"><v>{n}</v></c>").unwrap(),
                Cell::Styled(n, s) => {
                    write!(sheet, "<c r=\"{col}{r}\" s=\"{s}\"><v>{n}</v></c>").unwrap()
                }
            }
        }
        sheet.push_str("</row>");
    };
    let text = |t: &str| Cell::Text(t.to_string());
    put_row(&mut sheet, 1, &[text("Appointments report")]);
    put_row(&mut sheet, 2, &[text("Run by: Dr A Shah")]);
    let header: Vec<Cell> = "Appointment Date,Start Time,End Time,Slot Type,Session Holder,Status,\
         NHS Number,Surname,Forename,Date of Birth,Sex,Postcode,Booked Date,Booked By,Reason,Notes,\
         Location,Urgent,Duration,Outcome"
        .split(',')
        .map(text)
        .collect();
    put_row(&mut sheet, 4, &header);
    let mut numbers =
        (999_000_000u32..).filter_map(cutover_log::domain::NhsNumber::from_first_nine);
    // 46360 is 04/12/2026 in Excel's 1900 system.
    let slot_types = ["Routine", "Nurse 20 min", "Telephone", "Urgent"];
    let statuses = ["Booked", "Arrived", "Cancelled", "Did not attend"];
    for i in 0..rows {
        let day = 46_360.0 + (i % 20) as f64;
        let start = (8.0 + (i % 40) as f64 / 4.0) / 24.0;
        let nhs: f64 = numbers.next().unwrap().digits().parse().unwrap();
        let cells = [
            Cell::Styled(day, 1),
            Cell::Styled(start, 2),
            Cell::Styled(start + 10.0 / 1440.0, 2),
            text(slot_types[i % 4]),
            Cell::Text(clinicians[i % clinicians.len()].clone()),
            text(statuses[i % 4]),
            Cell::Number(nhs),
            Cell::Text(format!("Testpatient{i}")),
            text(["Siân", "Tomos", "Aoife", "Kwame"][i % 4]),
            Cell::Styled(20_000.0 + (i % 20_000) as f64, 1),
            text(["F", "M"][i % 2]),
            text("ZZ99 3AB"),
            Cell::Styled(day - 3.0 + 14.0 / 24.0 + (i % 60) as f64 / 1440.0, 3),
            Cell::Text(format!("Reception {}", i % 7)),
            text("Review of medication"),
            Cell::Text(format!("Note {i}: asked about results")),
            Cell::Text(format!("Room {}", i % 12)),
            text("N"),
            Cell::Number(10.0),
            text("Seen"),
        ];
        put_row(&mut sheet, i + 5, &cells);
    }
    put_row(
        &mut sheet,
        rows + 6,
        &[text("Patient count"), Cell::Number(rows as f64)],
    );
    sheet.push_str("</sheetData></worksheet>");
    let shared_xml = format!(
        "<sst xmlns=\"{MAIN}\" count=\"{0}\" uniqueCount=\"{0}\">{1}</sst>",
        strings.len(),
        strings
            .iter()
            .map(|s| format!("<si><t>{s}</t></si>"))
            .collect::<String>()
    );
    let styles = format!(
        "<styleSheet xmlns=\"{MAIN}\"><cellXfs count=\"4\"><xf numFmtId=\"0\"/>\
         <xf numFmtId=\"14\" applyNumberFormat=\"1\"/><xf numFmtId=\"20\" applyNumberFormat=\"1\"/>\
         <xf numFmtId=\"22\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>"
    );
    let parts = [
        (
            "[Content_Types].xml",
            "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>"
                .to_string(),
        ),
        (
            "_rels/.rels",
            format!(
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                "<workbook xmlns=\"{MAIN}\" xmlns:r=\"{REL}\"><sheets>\
                 <sheet name=\"Appointments\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
                 <Relationship Id=\"rId2\" Type=\"{REL}/sharedStrings\" Target=\"sharedStrings.xml\"/>\
                 <Relationship Id=\"rId3\" Type=\"{REL}/styles\" Target=\"styles.xml\"/></Relationships>"
            ),
        ),
        ("xl/styles.xml", styles),
        ("xl/sharedStrings.xml", shared_xml),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// The capture screen's first rows from a 100,000-row .xlsx (1,000 under `cargo
/// test`): the whole sheet read first (`read_report`, as the capture screen reads
/// it), and its first rows streamed (`read_report_head`: the header and the first
/// rows, the workbook checked whole as before), each then mapped, checked and
/// matched against a 100,000-item log as the CSV above.
fn capture_preview_xlsx(c: &mut Criterion) {
    use cutover_log::domain::ItemKind;
    use cutover_log::domain::capture::suggest;
    use cutover_log::reports::capture_check::check_first;
    use cutover_log::reports::report_file::{ReportTable, read_report, read_report_head};
    use cutover_log::store::CutoverStore;
    let n = if bench_mode() { 100_000 } else { 1_000 };
    let (dir, store) = fixture(n);
    let staff = store.staff().unwrap();
    let clinicians: Vec<String> = staff
        .iter()
        .filter(|s| s.role.is_clinician())
        .map(|s| s.name.clone())
        .collect();
    let report = dir.path().join("appointments.xlsx");
    std::fs::write(&report, appointments_xlsx(n, &clinicians)).unwrap();
    let first_rows = |table: &ReportTable| {
        let mapping = suggest(&table.header, Some(ItemKind::Appointment), "appointments");
        let first = check_first(table, 10, &mapping, &staff, now());
        store.capture_plan(&first.batch).unwrap();
        assert_eq!(first.batch.rows.len() + first.rejected.len(), 10);
    };
    let mut group = c.benchmark_group("capture");
    group.sample_size(10);
    group.bench_function(
        BenchmarkId::new("preview_first_rows_xlsx_whole_read", n),
        |b| {
            b.iter(|| {
                let table = read_report(&report).unwrap();
                assert_eq!(table.rows.len(), n);
                first_rows(&table);
            })
        },
    );
    group.bench_function(
        BenchmarkId::new("preview_first_rows_xlsx_streamed", n),
        |b| {
            b.iter(|| {
                let table = read_report_head(&report, 10).unwrap();
                assert_eq!(table.rows.len(), 10);
                first_rows(&table);
            })
        },
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = exports, capture_preview, capture_preview_xlsx
}
criterion_main!(benches);
