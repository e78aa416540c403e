//! Store benchmarks at practice scale (1k, 10k, 100k items): logging one item
//! durably (WAL, synchronous=FULL) and worklist page queries with each filter
//! alone and all combined. Run with `cargo bench --bench store`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use cutover_log::demo;
use cutover_log::domain::dates::parse_date_time;
use cutover_log::domain::{Actor, AssigneeFilter, ItemKind, Sort, Status, WorklistFilter};
use cutover_log::store::{CutoverStore, SqliteStore};

/// Sizes measured; `CUTOVER_BENCH_SIZES=1000,10000` narrows them. Under
/// `cargo test` (no `--bench`), one small size checks that the benches still run.
fn sizes() -> Vec<usize> {
    if !std::env::args().any(|a| a == "--bench") {
        return vec![1_000];
    }
    std::env::var("CUTOVER_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000])
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: SqliteStore,
}

fn fixture(items: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.sqlite3");
    let mut store = SqliteStore::open(&path).unwrap();
    let now = parse_date_time("2026-11-25T12:00").unwrap();
    demo::fill(&mut store, items, 42, now).unwrap();
    // Closed and opened again, as a desk would find it: the fill's write-ahead log
    // is folded into the file on close, so the saves measured are not competing
    // with the checkpoint of a 100,000-item bulk load.
    drop(store);
    let store = SqliteStore::open(&path).unwrap();
    Fixture { _dir: dir, store }
}

fn desk(store: &SqliteStore) -> Actor {
    let s = store
        .staff()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Sam Reception")
        .unwrap();
    Actor::staff(s.id, s.name, parse_date_time("2026-11-25T12:00").unwrap())
}

/// p50 and p99 of single durable saves, printed beside criterion's estimates.
fn latency_percentiles(
    store: &mut SqliteStore,
    input: &cutover_log::domain::ItemInput,
    actor: &Actor,
    n: usize,
) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            store.log_item(input, actor).unwrap();
            t.elapsed()
        })
        .collect();
    times.sort();
    (times[n / 2], times[(n * 99 / 100).min(n - 1)])
}

fn log_item(c: &mut Criterion) {
    let mut group = c.benchmark_group("log_item_durable");
    for n in sizes() {
        let mut f = fixture(n);
        let actor = desk(&f.store);
        let staff = f.store.staff().unwrap();
        let project = f.store.project().unwrap().unwrap();
        let now = parse_date_time("2026-11-25T12:00").unwrap();
        let input = demo::items(1, 7, &project, &staff, now)
            .pop()
            .unwrap()
            .input;
        let (p50, p99) = latency_percentiles(&mut f.store, &input, &actor, 500);
        println!(
            "log_item_durable/{n}: p50 {p50:?}, p99 {p99:?} over 500 saves (target p99 <= 1 ms)"
        );
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| f.store.log_item(black_box(&input), &actor).unwrap())
        });
    }
    group.finish();
}

fn filters(store: &SqliteStore) -> Vec<(&'static str, WorklistFilter)> {
    let gp = store
        .staff()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Dr Amira Testwell")
        .unwrap()
        .id;
    let day = parse_date_time("2026-11-18T00:00").unwrap().date();
    vec![
        ("none", WorklistFilter::default()),
        (
            "kind",
            WorklistFilter {
                kinds: vec![ItemKind::Prescription],
                ..Default::default()
            },
        ),
        (
            "status",
            WorklistFilter {
                statuses: vec![Status::Outstanding, Status::Problem],
                ..Default::default()
            },
        ),
        (
            "assignee",
            WorklistFilter {
                assignee: AssigneeFilter::Staff(gp),
                ..Default::default()
            },
        ),
        (
            "unassigned",
            WorklistFilter {
                assignee: AssigneeFilter::Unassigned,
                ..Default::default()
            },
        ),
        (
            "clinician",
            WorklistFilter {
                clinician: Some(gp),
                ..Default::default()
            },
        ),
        (
            "date_range",
            WorklistFilter {
                from: Some(day),
                to: Some(day),
                ..Default::default()
            },
        ),
        (
            "text",
            WorklistFilter {
                text: "o'neill".into(),
                ..Default::default()
            },
        ),
        (
            "all_combined",
            WorklistFilter {
                kinds: vec![ItemKind::Prescription],
                statuses: vec![Status::Outstanding],
                assignee: AssigneeFilter::Staff(gp),
                clinician: Some(gp),
                from: Some(day - chrono::Duration::days(3)),
                to: Some(day + chrono::Duration::days(3)),
                text: "amlodipine".into(),
                ..Default::default()
            },
        ),
    ]
}

fn worklist_page(c: &mut Criterion) {
    let mut group = c.benchmark_group("worklist_page");
    for n in sizes() {
        let f = fixture(n);
        for (name, filter) in filters(&f.store) {
            group.bench_function(BenchmarkId::new(name, n), |b| {
                // What the worklist's reader asks when the filter changes.
                b.iter(|| {
                    let (count, page) = f
                        .store
                        .worklist_count_and_page(black_box(&filter), Sort::default(), 0, 100)
                        .unwrap();
                    black_box((count, page.len()))
                })
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = log_item, worklist_page
}
criterion_main!(benches);
