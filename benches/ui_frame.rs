//! CPU time of one frame at practice scale, measured with the egui_kittest
//! harness (no GPU): the worklist while scrolling, and right after a filter
//! change (the query runs on the worklist's reader thread, as in the app), and
//! the wall time until the new rows are on screen; and every screen of the app
//! redrawn as the pointer moves over it (the log with a prescription form
//! being typed, progress, sign-off, practice, audit, capture, reconcile). Run
//! with `cargo bench --bench ui_frame`.
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
    let path = dir.path().join("ui.sqlite3");
    // Filled by the real binary in its own process, so this process's memory is
    // only the app's (the figure printed after scrolling).
    let filled = std::process::Command::new(env!("CARGO_BIN_EXE_cutover-log"))
        .arg("--db")
        .arg(&path)
        .args(["demo", "--items", &items.to_string(), "--seed", "9"])
        .output()
        .unwrap();
    assert!(filled.status.success(), "demo fill failed");
    let mut store = SqliteStore::open(&path).unwrap();
    let me = store
        .sign_in("Dr Amira Testwell", demo::DEMO_PASSWORD, now())
        .unwrap();
    // As the app runs: worklist reads on their own thread.
    let mut app = CutoverApp::new(Box::new(store), now).reading_in_background();
    app.desk.staff = Some(me.id);
    let h = Harness::builder()
        .with_size(egui::vec2(1280.0, 820.0))
        .with_max_steps(50)
        .build_ui_state(|ui, app: &mut CutoverApp| app.ui(ui), app);
    (dir, h)
}

/// Steps until the worklist's reader has answered.
fn settle(h: &mut Harness<'static, CutoverApp>) {
    for _ in 0..10_000 {
        h.step();
        if !h.state().worklist.is_loading() {
            h.step();
            return;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    panic!("the worklist reader did not answer");
}

/// p50 and p99 of the wall time from a filter change until its rows are on screen.
fn rows_shown_after_filter_change(h: &mut Harness<'static, CutoverApp>, n: usize) {
    let mut times: Vec<Duration> = (0..60)
        .map(|i| {
            h.state_mut().worklist.text = if i % 2 == 0 {
                "o'neill".into()
            } else {
                String::new()
            };
            let t = Instant::now();
            settle(h);
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "worklist_frame/rows_shown_after_filter_change/{n}: p50 {:?}, p99 {:?} over 60 changes",
        times[30], times[59]
    );
}

fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("worklist_frame");
    for n in sizes() {
        let (_dir, mut h) = harness(n);
        h.run_ok();
        settle(&mut h);
        h.hover_at(egui::pos2(400.0, 400.0));
        rows_shown_after_filter_change(&mut h, n);
        for _ in 0..200 {
            h.key_press(egui::Key::PageDown);
            h.step();
        }
        settle(&mut h);
        println!(
            "worklist_frame/resident_memory/{n}: {} MB after opening, searching and paging through the worklist (egui_kittest, no GPU)",
            cutover_log::ui::resident_kb().unwrap_or(0) / 1024
        );
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
                    // Not timed: let the new rows arrive before the next change.
                    settle(&mut h);
                }
                total
            })
        });
    }
    group.finish();
}

/// Every screen, one frame each as the pointer moves over it (the frame a
/// person's hand or typing makes): the worst is what a slow PC feels.
fn screens(c: &mut Criterion) {
    let mut group = c.benchmark_group("screen_frame");
    for n in sizes() {
        let (_dir, mut h) = harness(n);
        h.run_ok();
        settle(&mut h);
        for (name, key, extra) in [
            ("log_prescription_form", egui::Key::F2, Some(egui::Key::P)),
            ("worklist", egui::Key::F3, None),
            ("progress", egui::Key::F4, None),
            ("practice", egui::Key::F5, None),
            ("sign_off", egui::Key::F6, None),
            ("audit", egui::Key::F7, None),
            ("capture", egui::Key::F8, None),
            ("reconcile", egui::Key::F9, None),
        ] {
            h.key_press(key);
            h.run_ok();
            if let Some(kind) = extra {
                h.key_press_modifiers(egui::Modifiers::ALT, kind);
                h.run_ok();
            }
            settle(&mut h);
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for i in 0..iters {
                        let x = 300.0 + (i % 50) as f32 * 8.0;
                        h.event(egui::Event::PointerMoved(egui::pos2(x, 420.0)));
                        let t = Instant::now();
                        h.step();
                        total += t.elapsed();
                    }
                    total
                })
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = frames, screens
}
criterion_main!(benches);
