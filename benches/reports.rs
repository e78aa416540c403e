//! Exports at practice scale: the interchange CSV (1k, 10k, 100k items) and the
//! PDF re-entry report (10k items; 1k under `cargo test`). Run with
//! `cargo bench --bench reports`. Peak memory and the CSV import beside the
//! sqlite3 tool's own `.import` are measured by `scripts/bench-reports.sh`; the
//! capture and the import beside `.import` by `scripts/bench-capture.sh`. Also
//! the capture screen's first rows from a 100,000-row report.
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

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = exports, capture_preview
}
criterion_main!(benches);
