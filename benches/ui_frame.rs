//! CPU time of one worklist frame at practice scale, measured with the
//! egui_kittest harness (no GPU): while scrolling, and right after a filter
//! change (which re-queries the store). Run with `cargo bench --bench ui_frame`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use cutover_log::demo;
use cutover_log::domain::dates::parse_date_time;
use cutover_log::store::{CutoverStore, SqliteStore};
use cutover_log::ui::CutoverApp;
use egui_kittest::Harness;

fn now() -> chrono::NaiveDateTime {
    parse_date_time("2026-11-25T12:00").unwrap_or_default()
}

fn sizes() -> Vec<usize> {
    if !std::env::args().any(|a| a == "--bench") {
        return vec![1_000];
    }
    vec![1_000, 10_000, 100_000]
}

fn harness(items: usize) -> (tempfile::TempDir, Harness<'static, CutoverApp>) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("ui.sqlite3")).unwrap();
    demo::fill(&mut store, items, 9, now()).unwrap();
    let me = store
        .sign_in("Dr Amira Testwell", demo::DEMO_PASSWORD, now())
        .unwrap();
    let mut app = CutoverApp::new(Box::new(store), now);
    app.desk.staff = Some(me.id);
    let h = Harness::builder()
        .with_size(egui::vec2(1280.0, 820.0))
        .with_max_steps(50)
        .build_ui_state(|ui, app: &mut CutoverApp| app.ui(ui), app);
    (dir, h)
}

fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("worklist_frame");
    for n in sizes() {
        let (_dir, mut h) = harness(n);
        h.run_ok();
        h.hover_at(egui::pos2(400.0, 400.0));
        group.bench_function(BenchmarkId::new("scroll", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for i in 0..iters {
                    let down = if i % 40 < 20 { -120.0 } else { 120.0 };
                    h.event(egui::Event::MouseWheel {
                        unit: egui::MouseWheelUnit::Point,
                        delta: egui::vec2(0.0, down),
                        modifiers: egui::Modifiers::NONE,
                        phase: egui::TouchPhase::Move,
                        source: egui::MouseWheelSource::Unknown,
                    });
                    let t = Instant::now();
                    h.step();
                    total += t.elapsed();
                }
                total
            })
        });
        group.bench_function(BenchmarkId::new("filter_change", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for i in 0..iters {
                    h.state_mut().worklist.text = if i % 2 == 0 {
                        "o'neill".into()
                    } else {
                        String::new()
                    };
                    let t = Instant::now();
                    h.step();
                    total += t.elapsed();
                }
                total
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = frames
}
criterion_main!(benches);
