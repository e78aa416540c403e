//! Sign-off and the completed re-entry report: sign off when nothing is open,
//! and export the PDF or CSV report on a background thread with a progress bar.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use egui::Ui;

use crate::domain::dates::uk_date_time;
use crate::domain::signoff::NewSystemChecks;
use crate::domain::signoff::{SignOffRefusal, Signing};
use crate::domain::{SignOff, SignOffRole, Stats};
use crate::reports::reentry_report::default_file_name;
use crate::store::StoreError;

use super::AppContext;
use super::background::Background;
use super::widgets::{choice_buttons, row, text_box};

/// The file name offered for a report made today.
fn suggested_name(cx: &AppContext<'_>, format: ReportFormat) -> String {
    default_file_name(
        cx.project.ods_code.as_str(),
        cx.now.date(),
        format.extension(),
    )
}

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

    fn label(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "PDF report",
            ReportFormat::Csv => "CSV file",
        }
    }
}

/// Where to save, typed: for a computer with no file dialog (none installed, or
/// none that works over remote desktop), or for anyone who would rather type.
#[derive(Debug, Clone)]
struct PathBox {
    format: ReportFormat,
    path: String,
    error: Option<String>,
    /// An existing file the person has been told about: Export again replaces it.
    replace: Option<PathBuf>,
    focus: bool,
}

/// The folder a typed or suggested file goes in: the person's Documents folder,
/// else their home folder, else the current folder.
pub fn default_export_folder() -> PathBuf {
    let documents = directories::UserDirs::new()
        .and_then(|u| u.document_dir().map(Path::to_path_buf))
        .filter(|d| d.is_dir());
    documents
        .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Turns what was typed into the file to write: `~` is the home folder, a bare
/// name or relative path goes in `folder`, and a missing extension is added.
/// Refuses an empty box, a folder, and a folder that does not exist.
pub fn typed_export_path(
    typed: &str,
    folder: &Path,
    format: ReportFormat,
) -> Result<PathBuf, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err("Type where to save the file, e.g. a name in your Documents folder.".into());
    }
    let home = || directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
    let mut path = match typed
        .strip_prefix("~/")
        .or_else(|| typed.strip_prefix("~\\"))
    {
        Some(rest) => home().unwrap_or_else(|| folder.to_path_buf()).join(rest),
        None => {
            let p = PathBuf::from(typed);
            if p.is_absolute() { p } else { folder.join(p) }
        }
    };
    if path.is_dir() {
        return Err(format!(
            "{} is a folder: add a file name to the end.",
            path.display()
        ));
    }
    if path.extension().is_none() {
        path.set_extension(format.extension());
    }
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && !parent.is_dir() => Err(format!(
            "There is no folder {}: check the path.",
            parent.display()
        )),
        _ => Ok(path),
    }
}

/// A report being written on another thread.
#[derive(Debug)]
struct Running {
    path: PathBuf,
    progress: Arc<AtomicU32>,
    done: Background<String>,
}

/// What the sign-off part shows, read from the log when it changed (not every
/// frame): the counts, how the items re-entered stand against the new system's
/// reports, and the sign-off in force if any.
#[derive(Debug, Clone)]
struct Standing {
    stats: Stats,
    checks: NewSystemChecks,
    signed: Option<SignOff>,
}

/// How the items ticked re-entered stand against the new system's reports; any
/// not found stands out.
fn checks_ui(ui: &mut Ui, checks: &NewSystemChecks) {
    let [verified, not_found, not_checked] = checks.labelled();
    egui::Grid::new("new_system_checks")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for ((label, n), stands_out) in [
                (verified, false),
                (not_found, not_found.1 > 0),
                (not_checked, false),
            ] {
                ui.label(label);
                let text = egui::RichText::new(n.to_string());
                if stands_out {
                    ui.label(text.strong().color(super::theme::error_color(ui)));
                } else {
                    ui.label(text);
                }
                ui.end_row();
            }
        });
}

/// The sign-off in force in words: "Signed off by Pat Manager (Practice
/// manager) at 25/11/2026 16:00, replacing an earlier sign-off: why."
pub fn signed_words(s: &SignOff) -> String {
    let mut words = format!(
        "Signed off by {} ({}) at {}",
        s.name,
        s.role.label(),
        uk_date_time(s.at)
    );
    match &s.replaces_reason {
        Some(why) => words.push_str(&format!(", replacing an earlier sign-off: {why}")),
        None => words.push('.'),
    }
    words
}

/// Why a sign-off was refused, without the error's own "not signed off: "
/// (the status line says that once).
fn refusal_words(e: &StoreError) -> String {
    match e {
        StoreError::SignOff(refusal) => refusal.to_string(),
        other => other.to_string(),
    }
}

/// The sign-off and report screen's state.
#[derive(Debug)]
pub struct ReportScreen {
    pub comment: String,
    /// Replacing the sign-off in force: why, as typed (`None`: not replacing).
    pub replacing: Option<String>,
    /// What is wrong with what was typed for the sign-off, shown beside it.
    sign_off_problem: Option<String>,
    /// Give the reason box the keyboard (it has just opened, or was refused).
    reason_focus: bool,
    /// The folder this person last exported to: a typed path starts there.
    last_folder: Option<PathBuf>,
    /// What was last read; `None` until read, or when it could not be.
    standing: Option<Standing>,
    /// Read [`Standing`] again before the next frame draws (the log changed).
    stale: bool,
    running: Option<Running>,
    /// The last export's outcome, for the screen and tests.
    pub last_result: Option<Result<String, String>>,
    path_box: Option<PathBox>,
}

impl Default for ReportScreen {
    fn default() -> Self {
        Self {
            comment: String::new(),
            replacing: None,
            sign_off_problem: None,
            reason_focus: false,
            last_folder: None,
            standing: None,
            stale: true,
            running: None,
            last_result: None,
            path_box: None,
        }
    }
}

impl ReportScreen {
    /// Forgets what the last person typed or saw here (the sign-off name, role
    /// and comment, a typed path, the last export's message), so the next person
    /// starts clean. A report still being written carries on and is reported.
    pub fn forget_person(&mut self) {
        *self = Self {
            running: self.running.take(),
            ..Self::default()
        };
    }

    /// The log may have changed: read the counts and sign-offs again before the
    /// next frame draws.
    pub fn mark_stale(&mut self) {
        self.stale = true;
    }

    /// Reads the counts and the sign-off in force.
    fn reload(&mut self, cx: &mut AppContext<'_>) {
        self.stale = false;
        let read = cx
            .store
            .stats()
            .map_err(|e| format!("Could not count items: {e}"));
        let read = read.and_then(|stats| {
            let checks = cx
                .store
                .new_system_checks()
                .map_err(|e| format!("Could not read the checks against the new system: {e}"))?;
            match cx.store.sign_offs() {
                Ok(mut all) => Ok(Standing {
                    stats,
                    checks,
                    signed: all.pop(),
                }),
                Err(e) => Err(format!("Could not read the sign-offs: {e}")),
            }
        });
        match read {
            Ok(standing) => self.standing = Some(standing),
            Err(e) => {
                self.standing = None;
                cx.status.error(e);
            }
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        self.poll(cx);
        if self.stale {
            self.reload(cx);
        }
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
        // (Unread: the status line says why.)
        let Some(Standing {
            stats,
            checks,
            signed,
        }) = self.standing.clone()
        else {
            return;
        };
        match &signed {
            Some(s) => {
                ui.label(egui::RichText::new(signed_words(s)).color(super::theme::ok_color(ui)));
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
        checks_ui(ui, &checks);
        if stats.open() > 0 {
            return;
        }
        let Some(desk) = cx.desk else { return };
        let Some(capacity) = SignOffRole::of(desk.role) else {
            ui.label(format!(
                "Only the practice manager, or a GP as clinical lead, signs off: you are signed in as {} ({}).",
                desk.name,
                desk.role.label()
            ));
            return;
        };
        if signed.is_some() && self.replacing.is_none() {
            // A sign-off in force is replaced only on purpose: a report
            // exported since carries it.
            if ui
                .button("Replace the sign-off...")
                .on_hover_text("A report exported since carries the sign-off in force: replace it only on purpose, saying why")
                .clicked()
            {
                self.replacing = Some(String::new());
                self.reason_focus = true;
            }
            return;
        }
        ui.label(format!(
            "You sign as yourself: {}, {}.",
            desk.name,
            capacity.label()
        ));
        let reason_needed = checks.reason_needed();
        let mut enter = false;
        egui::Grid::new("sign_off_grid")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                if let Some(reason) = &mut self.replacing {
                    let l = ui.label("Why the sign-off is replaced (required)");
                    // The keyboard goes to the box when it opens, and back to it
                    // after a refusal, so what is typed next is not lost.
                    let r = super::widgets::text_edit_focused_first(
                        ui,
                        egui::TextEdit::singleline(reason)
                            .hint_text("e.g. two items corrected after the first sign-off")
                            .desired_width(340.0),
                        "sign_off_replaces_reason",
                        &mut self.reason_focus,
                    )
                    .labelled_by(l.id);
                    super::focus_cycle::note(ui, &r);
                    enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    ui.end_row();
                }
                if let Some(problem) = &self.sign_off_problem {
                    ui.label("");
                    super::widgets::error_label(ui, problem);
                    ui.end_row();
                }
                let (label, hint) = match reason_needed {
                    Some(_) => (
                        "Comment (required)",
                        "why the re-entry can be signed off with items not found",
                    ),
                    None => ("Comment (optional)", "anything the record should say"),
                };
                let l = ui.label(label);
                text_box(ui, &mut self.comment, "sign_off_comment", hint, true, l.id);
                ui.end_row();
                if let Some(why) = &reason_needed {
                    ui.label("");
                    let colour = if self.comment.trim().is_empty() {
                        super::theme::error_color(ui)
                    } else {
                        super::theme::warning_color(ui)
                    };
                    ui.label(egui::RichText::new(why).color(colour));
                    ui.end_row();
                }
            });
        let mut sign = enter;
        ui.horizontal(|ui| {
            let label = if self.replacing.is_some() {
                "Replace the sign-off"
            } else {
                "Sign off the re-entry"
            };
            sign |= ui.button(label).clicked();
            if self.replacing.is_some()
                && (ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)))
            {
                self.replacing = None;
            }
        });
        if !sign {
            return;
        }
        let Some(actor) = cx.actor() else { return };
        let signing = match &self.replacing {
            Some(reason) => Signing::Replacing { reason },
            None => Signing::First,
        };
        self.sign_off_problem = None;
        match cx.store.sign_off(&self.comment, signing, &actor) {
            Ok(s) => {
                cx.status.info(signed_words(&s));
                self.replacing = None;
                self.comment.clear();
            }
            Err(StoreError::SignOff(SignOffRefusal::Invalid(errors))) => {
                // Beside the field, in words (not the field's key).
                let words: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
                let words = format!("Not signed off: {}.", words.join("; "));
                cx.status.error(words.clone());
                self.sign_off_problem = Some(words);
                self.reason_focus = self.replacing.is_some();
            }
            Err(e) => cx
                .status
                .error(format!("Not signed off: {}", refusal_words(&e))),
        }
        // Signed or refused, show the log as it now stands.
        self.mark_stale();
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
                    let suggested = suggested_name(cx, format);
                    let picked = rfd::FileDialog::new()
                        .set_directory(default_export_folder())
                        .set_file_name(&suggested)
                        .add_filter(format.extension().to_uppercase(), &[format.extension()])
                        .save_file();
                    match picked {
                        Some(path) => {
                            self.path_box = None;
                            self.start_export(cx, format, path);
                        }
                        None => {
                            cx.status.info(
                                "No file chosen. If no save dialog appeared, type where to save it below.",
                            );
                            self.open_path_box(cx, format);
                        }
                    }
                }
            }
            if ui.button("Type a file path instead").clicked() {
                let format = self.path_box.as_ref().map_or(ReportFormat::Pdf, |b| b.format);
                self.open_path_box(cx, format);
            }
        });
        self.path_box_ui(ui, cx);
        if let Some(result) = &self.last_result {
            match result {
                Ok(m) => ui.label(egui::RichText::new(m).color(super::theme::ok_color(ui))),
                Err(e) => ui.label(egui::RichText::new(e).color(super::theme::error_color(ui))),
            };
        }
    }

    fn open_path_box(&mut self, cx: &AppContext<'_>, format: ReportFormat) {
        let folder = self
            .last_folder
            .clone()
            .filter(|f| f.is_dir())
            .unwrap_or_else(default_export_folder);
        let path = folder.join(suggested_name(cx, format));
        self.path_box = Some(PathBox {
            format,
            path: path.display().to_string(),
            error: None,
            replace: None,
            focus: true,
        });
    }

    /// The typed path: which file, where, Export (or Enter) to write it, Cancel
    /// (or Esc) to close the box.
    fn path_box_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let Some(b) = self.path_box.as_mut() else {
            return;
        };
        let mut export = false;
        let mut cancel = false;
        ui.add_space(6.0);
        ui.label("Type where to save it (a file name alone goes in your Documents folder).");
        egui::Grid::new("export_path_grid")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                ui.label("Save as");
                let was = b.format;
                let formats: Vec<(ReportFormat, String)> = [ReportFormat::Pdf, ReportFormat::Csv]
                    .into_iter()
                    .map(|f| (f, f.label().to_string()))
                    .collect();
                if choice_buttons(ui, &mut b.format, &formats) {
                    let old = format!(".{}", was.extension());
                    if let Some(stem) = b.path.strip_suffix(&old) {
                        b.path = format!("{stem}.{}", b.format.extension());
                    }
                    b.replace = None;
                }
                ui.end_row();
                let error = b.error.clone();
                let r = row(ui, "File path", error.as_deref(), |ui, l| {
                    ui.add(
                        egui::TextEdit::singleline(&mut b.path)
                            .id_salt("export_path")
                            .desired_width(560.0),
                    )
                    .labelled_by(l)
                });
                if std::mem::take(&mut b.focus) {
                    r.request_focus();
                }
                if r.changed() {
                    b.error = None;
                    b.replace = None;
                }
                if r.lost_focus() {
                    ui.input(|i| {
                        export |= i.key_pressed(egui::Key::Enter);
                        cancel |= i.key_pressed(egui::Key::Escape);
                    });
                }
            });
        ui.horizontal(|ui| {
            let label = if b.replace.is_some() {
                "Replace the file"
            } else {
                "Export"
            };
            export |= ui.button(label).clicked();
            cancel |= ui.button("Cancel").clicked();
        });
        if cancel {
            self.path_box = None;
            return;
        }
        if !export {
            return;
        }
        let format = b.format;
        match typed_export_path(&b.path, &default_export_folder(), format) {
            Ok(path) if path.exists() && b.replace.as_ref() != Some(&path) => {
                b.error = Some(format!(
                    "There is already a file at {}. Export again to replace it, or change the name.",
                    path.display()
                ));
                b.replace = Some(path);
                b.focus = true;
            }
            Ok(path) => {
                self.path_box = None;
                self.start_export(cx, format, path);
            }
            Err(e) => {
                b.error = Some(e);
                b.replace = None;
                b.focus = true;
            }
        }
    }

    /// Starts writing a report to `path` on another thread (the UI stays responsive).
    pub fn start_export(&mut self, cx: &mut AppContext<'_>, format: ReportFormat, path: PathBuf) {
        let Some(actor) = cx.actor() else { return };
        self.last_folder = path.parent().map(Path::to_path_buf);
        let what = format!("{} report to {}", format.extension(), path.display());
        if let Err(e) =
            cx.store
                .record_event(&actor, crate::domain::AuditAction::ReportExported, &what)
        {
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
        let now = cx.now;
        let thread_progress = Arc::clone(&progress);
        let thread_path = path.clone();
        let spawned = Background::start("export", move || {
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
            result.map_err(|e| e.to_string())
        });
        match spawned {
            Ok(done) => {
                cx.status.info(format!("Writing {}...", path.display()));
                self.running = Some(Running {
                    path,
                    progress,
                    done,
                });
            }
            Err(e) => cx.status.error(format!("Could not start the export: {e}")),
        }
    }

    /// Picks up a finished export.
    pub fn poll(&mut self, cx: &mut AppContext<'_>) {
        let Some(r) = &self.running else { return };
        if let Some(result) = r.done.finished() {
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
