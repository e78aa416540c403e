//! A graphics layer that will not start, forced for real: the binary is run with no
//! display at all (no DISPLAY, no WAYLAND_DISPLAY), on its own temporary database, with
//! the automatic choice (wgpu, then glow in a re-started process) and with each renderer
//! picked by hand. Each run must stop on its own, non-zero, with a message that says what
//! was tried and what to do: never a silent exit, a panic or a raw error alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Long enough for a slow CI machine; a window that did open would never close by itself.
const LIMIT: Duration = Duration::from_secs(60);

/// Runs the app (no command: the window) with no display, and waits at most `LIMIT`.
fn start_without_display(db: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cutover-log"));
    cmd.env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .env_remove("CUTOVER_LOG_RENDERER")
        .env_remove("CUTOVER_LOG_RENDERER_FIRST_FAILURE")
        .env_remove("CUTOVER_LOG_DB_PASSPHRASE")
        .arg("--db")
        .arg(db)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start cutover-log");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait for cutover-log").is_some() {
            return child.wait_with_output().expect("read its output");
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let out = child.wait_with_output().expect("read its output");
            panic!(
                "cutover-log {extra:?} with no display was still running after {LIMIT:?}\nstderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The checks every failed start must pass; returns stderr for the specific ones.
fn assert_clear_failure(out: &Output, what: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "{what}: exited successfully with no display\nstderr: {stderr}"
    );
    assert!(
        out.status.code().is_some(),
        "{what}: killed by a signal ({:?}), not a clean exit\nstderr: {stderr}",
        out.status
    );
    for needed in [
        "Cutover Log could not open its window",
        "The graphics layer would not start",
        "What to do:",
        "--renderer glow",
        "xvfb-run",
        "remote desktop",
        // The real cause, in the graphics layer's words.
        "DISPLAY",
    ] {
        assert!(
            stderr.contains(needed),
            "{what}: the message does not say {needed:?}\nstderr: {stderr}"
        );
    }
    for unwanted in ["panicked", "internal error", "RUST_BACKTRACE", ".rs:"] {
        assert!(
            !stderr.contains(unwanted),
            "{what}: the message shows {unwanted:?} (a panic or a source location)\nstderr: {stderr}"
        );
    }
    assert!(
        String::from_utf8_lossy(&out.stdout).trim().is_empty(),
        "{what}: the message belongs on stderr"
    );
    stderr
}

/// The lines of the message that name a renderer tried, in order.
fn tried(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .filter_map(|l| l.split(':').next())
        .filter(|r| *r == "wgpu" || *r == "glow")
        .collect()
}

#[test]
fn with_no_display_the_automatic_choice_tries_wgpu_then_glow_and_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = start_without_display(&dir.path().join("log.sqlite3"), &[], &[]);
    let stderr = assert_clear_failure(&out, "auto");
    assert_eq!(tried(&stderr), ["wgpu", "glow"], "stderr: {stderr}");
    assert_eq!(
        stderr
            .matches("Cutover Log could not open its window")
            .count(),
        1,
        "said once, by the last attempt, not once per process\nstderr: {stderr}"
    );
}

#[test]
fn with_no_display_a_forced_glow_fails_clearly_without_trying_wgpu() {
    let dir = tempfile::tempdir().unwrap();
    let out = start_without_display(
        &dir.path().join("log.sqlite3"),
        &["--renderer", "glow"],
        &[],
    );
    let stderr = assert_clear_failure(&out, "--renderer glow");
    assert_eq!(tried(&stderr), ["glow"], "stderr: {stderr}");
}

#[test]
fn with_no_display_a_forced_wgpu_fails_clearly_without_trying_glow() {
    let dir = tempfile::tempdir().unwrap();
    let out = start_without_display(
        &dir.path().join("log.sqlite3"),
        &["--renderer", "wgpu"],
        &[],
    );
    let stderr = assert_clear_failure(&out, "--renderer wgpu");
    assert_eq!(tried(&stderr), ["wgpu"], "stderr: {stderr}");
}

#[test]
fn the_renderer_picked_in_the_environment_is_obeyed_and_a_wrong_name_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.sqlite3");
    let out = start_without_display(&db, &[], &[("CUTOVER_LOG_RENDERER", "glow")]);
    let stderr = assert_clear_failure(&out, "CUTOVER_LOG_RENDERER=glow");
    assert_eq!(tried(&stderr), ["glow"], "stderr: {stderr}");

    let out = start_without_display(&db, &[], &[("CUTOVER_LOG_RENDERER", "vulkan")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "stderr: {stderr}");
    assert!(
        stderr.contains("CUTOVER_LOG_RENDERER=vulkan is not a renderer")
            && stderr.contains("auto, wgpu or glow"),
        "stderr: {stderr}"
    );
}
