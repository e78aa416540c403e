//! Measures the app's start-up for the performance suite: with
//! `CUTOVER_LOG_STARTUP_PROBE=1` the app prints when its first frame was drawn
//! (milliseconds since the Unix epoch, so a script can subtract its own launch
//! time) and its resident memory, then closes. Nothing about patients is printed.

use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable that turns the probe on.
pub const PROBE_VAR: &str = "CUTOVER_LOG_STARTUP_PROBE";

/// Wraps the app's first screen; reports after the first frame has been shown.
pub struct StartupProbe<A> {
    inner: A,
    frames: u32,
}

impl<A> StartupProbe<A> {
    /// Whether this run should measure itself.
    pub fn wanted() -> bool {
        std::env::var_os(PROBE_VAR).is_some()
    }

    pub fn new(inner: A) -> Self {
        Self { inner, frames: 0 }
    }
}

/// Resident memory in kB from /proc (Linux; `None` elsewhere).
pub fn resident_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

impl<A: eframe::App> eframe::App for StartupProbe<A> {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.inner.ui(ui, frame);
        self.frames += 1;
        if self.frames == 1 {
            // The first frame is presented after this call returns: report on the next.
            ui.ctx().request_repaint();
        } else if self.frames == 2 {
            let ms = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis());
            let rss = resident_kb().map_or_else(|| "unknown".into(), |kb| kb.to_string());
            eprintln!("startup-probe first_frame_epoch_ms={ms} rss_kb={rss}");
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}
