//! Sign-off and the completed re-entry report: sign off when nothing is open,
//! and export the PDF or CSV report on a background thread with a progress bar.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, channel};

use egui::Ui;

use crate::domain::dates::uk_date_time;
use crate::domain::{Role, SignOffRole};
use crate::reports::reentry_report::default_file_name;

use super::AppContext;
use super::widgets::{choice_buttons, text_box};

/// Which report file to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Pdf,
    Csv,
}

impl ReportFormat {
    fn extension(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "pdf",
            ReportFormat::Csv => "csv",
        }
    }
}

/// A report being written on another thread.
#[derive(Debug)]
struct Running {
    path: PathBuf,
    progress: Arc<AtomicU32>,
    done: Receiver<Result<String, String>>,
}

/// The sign-off and report screen's state.
#[derive(Debug)]
pub struct ReportScreen {
    pub name: String,
    pub role: SignOffRole,
    pub comment: String,
    running: Option<Running>,
    /// The last export's outcome, for the screen and tests.
    pub last_result: Option<Result<String, String>>,
}

impl Default for ReportScreen {
    fn default() -> Self {
        Self {
            name: String::new(),
            role: SignOffRole::PracticeManager,
            comment: String::new(),
            running: None,
            last_result: None,
        }
    }
}

impl ReportScreen {
    pub fn ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        self.poll(cx);
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.heading("Sign-off and report");
                self.sign_off_ui(ui, cx);
                ui.add_space(12.0);
                self.export_ui(ui, cx);
            });
    }

    fn sign_off_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let stats = match cx.store.stats() {
            Ok(s) => s,
            Err(e) => {
                cx.status.error(format!("Could not count items: {e}"));
                return;
            }
        };
        let signed = cx.store.sign_offs().ok().and_then(|mut v| v.pop());
        match &signed {
            Some(s) => {
                ui.label(
                    egui::RichText::new(format!(
                        "Signed off by {} ({}) at {}.",
                        s.name,
                        s.role.label(),
                        uk_date_time(s.at)
                    ))
                    .color(super::theme::ok_color(ui)),
                );
            }
            None if stats.open() > 0 => {
                ui.label(format!(
                    "{} item(s) are still outstanding or a problem. Reports made now are marked INTERIM. Sign-off opens when none are left.",
                    stats.open()
                ));
            }
            None => {
                ui.label("Nothing is outstanding: the practice manager or clinical lead can sign the re-entry off.");
            }
        }
        if stats.open() > 0 {
            return;
        }
        if self.name.is_empty()
            && let Some(d) = cx.desk
        {
            self.name = d.name.clone();
            self.role = if d.role == Role::Gp {
                SignOffRole::ClinicalLead
            } else {
                SignOffRole::PracticeManager
            };
        }
        egui::Grid::new("sign_off_grid")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                let l = ui.label("Signed off by");
                text_box(
                    ui,
                    &mut self.name,
                    "sign_off_name",
                    "full name",
                    false,
                    l.id,
                );
                ui.end_row();
                ui.label("Role");
                let roles: Vec<(SignOffRole, String)> = SignOffRole::ALL
                    .iter()
                    .map(|r| (*r, r.label().to_string()))
                    .collect();
                choice_buttons(ui, &mut self.role, &roles);
                ui.end_row();
                let l = ui.label("Comment (optional)");
                text_box(
                    ui,
                    &mut self.comment,
                    "sign_off_comment",
                    "anything the record should say",
                    true,
                    l.id,
                );
                ui.end_row();
            });
        if ui.button("Sign off the re-entry").clicked() {
            let Some(actor) = cx.actor() else { return };
            match cx
                .store
                .sign_off(&self.name, self.role, &self.comment, &actor)
            {
                Ok(s) => cx.status.info(format!(
                    "Signed off by {} at {}.",
                    s.name,
                    uk_date_time(s.at)
                )),
                Err(e) => cx.status.error(format!("Not signed off: {e}")),
            }
        }
    }

    fn export_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        ui.strong("Export");
        ui.label("Reports contain patient-identifiable data: save them only where the practice keeps its migration records.");
        if let Some(r) = &self.running {
            let p = f32::from_bits(r.progress.load(Ordering::Relaxed));
            ui.add(
                egui::ProgressBar::new(p)
                    .show_percentage()
                    .text(format!("Writing {}", r.path.display())),
            );
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
            return;
        }
        ui.horizontal(|ui| {
            for (format, label) in [
                (ReportFormat::Pdf, "Export PDF report..."),
                (ReportFormat::Csv, "Export CSV..."),
            ] {
                if ui.button(label).clicked() {
                    let name = default_file_name(
                        cx.project.ods_code.as_str(),
                        cx.now.date(),
                        format.extension(),
                    );
                    let picked = rfd::FileDialog::new()
                        .set_file_name(&name)
                        .add_filter(format.extension().to_uppercase(), &[format.extension()])
                        .save_file();
                    match picked {
                        Some(path) => self.start_export(cx, format, path),
                        None => cx.status.info(
                            "Export cancelled (or no file dialog is available on this computer).",
                        ),
                    }
                }
            }
        });
        if let Some(result) = &self.last_result {
            match result {
                Ok(m) => ui.label(egui::RichText::new(m).color(super::theme::ok_color(ui))),
                Err(e) => ui.label(egui::RichText::new(e).color(super::theme::error_color(ui))),
            };
        }
    }

    /// Starts writing a report to `path` on another thread (the UI stays responsive).
    pub fn start_export(&mut self, cx: &mut AppContext<'_>, format: ReportFormat, path: PathBuf) {
        let Some(actor) = cx.actor() else { return };
        let what = format!("{} report to {}", format.extension(), path.display());
        if let Err(e) = cx.store.record_event(&actor, "report.exported", &what) {
            cx.status.error(format!("Could not start the export: {e}"));
            return;
        }
        let store = match cx.store.open_another() {
            Ok(s) => s,
            Err(e) => {
                cx.status.error(format!("Could not start the export: {e}"));
                return;
            }
        };
        let progress = Arc::new(AtomicU32::new(0f32.to_bits()));
        let (tx, rx) = channel();
        let now = cx.now;
        let thread_progress = Arc::clone(&progress);
        let thread_path = path.clone();
        let spawned = std::thread::Builder::new()
            .name("report-export".into())
            .spawn(move || {
                let mut report =
                    |p: f32| thread_progress.store(p.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
                let result = match format {
                    ReportFormat::Pdf => crate::reports::reentry_report::export_pdf(
                        store.as_ref(),
                        &thread_path,
                        now,
                        &mut report,
                    )
                    .map(|s| {
                        format!(
                            "Wrote {} pages ({} items) to {}",
                            s.pages,
                            s.items,
                            thread_path.display()
                        )
                    }),
                    ReportFormat::Csv => {
                        crate::reports::interchange::export(store.as_ref(), &thread_path)
                            .map(|n| format!("Wrote {n} items to {}", thread_path.display()))
                    }
                };
                // The receiver may be gone if the app closed; nothing to do then.
                let _ = tx.send(result.map_err(|e| e.to_string()));
            });
        match spawned {
            Ok(_) => {
                cx.status.info(format!("Writing {}...", path.display()));
                self.running = Some(Running {
                    path,
                    progress,
                    done: rx,
                });
            }
            Err(e) => cx.status.error(format!("Could not start the export: {e}")),
        }
    }

    /// Picks up a finished export.
    pub fn poll(&mut self, cx: &mut AppContext<'_>) {
        let Some(r) = &self.running else { return };
        if let Ok(result) = r.done.try_recv() {
            match &result {
                Ok(m) => cx.status.info(m.clone()),
                Err(e) => cx.status.error(format!("Export failed: {e}")),
            }
            self.last_result = Some(result);
            self.running = None;
        }
    }

    /// Whether an export is still being written.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }
}
