//! Restoring a backup, on the practice screen (the practice manager): the
//! log's backups, newest first, each with when it was made, how many items it
//! holds and its audit trail's head; the one chosen is written into a new file
//! (never over the log in use), checked, on a thread while the window stays
//! responsive. The new file and this log both record it.

use std::path::{Path, PathBuf};

use egui::Ui;

use crate::domain::dates::uk_date_time;
use crate::store::sqlite::backup::{self, BackupInfo};

use super::AppContext;
use super::background::Background;
use super::widgets::{error_label, pressed};

/// The restore part of the practice screen.
#[derive(Debug, Default)]
pub struct RestorePanel {
    /// The backups found, read when first shown and on request.
    listed: Option<Vec<BackupInfo>>,
    /// The backup chosen (its file).
    chosen: Option<PathBuf>,
    /// The new file to write, as typed.
    to: String,
    /// What was suggested for `to` (replaced when another backup is chosen).
    suggested: String,
    error: Option<String>,
    running: Option<Background<crate::store::sqlite::restore::Restored>>,
}

/// The audit trail's head in short (`event:first 12 of the hash`).
fn short_anchor(anchor: Option<&str>) -> String {
    match anchor.and_then(|a| a.split_once(':')) {
        Some((n, hash)) => format!("{n}:{}", hash.get(..12).unwrap_or(hash)),
        None => "no events".to_string(),
    }
}

/// A new file beside the log named for the backup's time.
fn suggestion(dir: &Path, b: &BackupInfo) -> String {
    let beside_log = dir.parent().unwrap_or(dir);
    beside_log
        .join(format!(
            "restored-{}.sqlite3",
            b.at.format("%Y-%m-%d_%H%M%S")
        ))
        .display()
        .to_string()
}

impl RestorePanel {
    pub fn ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let Some(dir) = cx.store.backup_dir(cx.backup_folder.map(Path::new)) else {
            return;
        };
        self.collect(ui, cx);
        egui::CollapsingHeader::new(egui::RichText::new("Restore a backup").heading())
            .id_salt("restore_backup")
            .show(ui, |ui| self.body_ui(ui, cx, &dir));
    }

    /// The list, the new file's box and the button (shown when opened: a
    /// restore is rare, and the list can be long).
    fn body_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>, dir: &Path) {
        ui.label(
            "Writes the chosen backup into a new log file and checks it; the log in use is not changed. \
             Open the new file to look at it or to carry on from it.",
        );
        if self.listed.is_none() {
            self.listed = Some(backup::list(dir).unwrap_or_else(|e| {
                self.error = Some(format!(
                    "Could not read the backups in {}: {e}",
                    dir.display()
                ));
                Vec::new()
            }));
        }
        let listed = self.listed.clone().unwrap_or_default();
        ui.horizontal(|ui| {
            let backups = match listed.len() {
                1 => "1 backup".to_string(),
                n => format!("{n} backups"),
            };
            ui.label(format!("{backups} in {}", dir.display()));
            if ui.button("Read the list again").clicked() {
                self.listed = None;
                self.error = None;
            }
        });
        if !listed.is_empty() {
            self.list_ui(ui, dir, &listed);
        }
        self.target_ui(ui, cx);
    }

    /// One row per backup (no scroll area of its own: the screen's scrolls to
    /// any row, where egui would scroll only an inner one).
    fn list_ui(&mut self, ui: &mut Ui, dir: &Path, listed: &[BackupInfo]) {
        egui::Grid::new("backups_grid")
            .num_columns(3)
            .striped(true)
            .show(ui, |ui| {
                ui.strong("Made");
                ui.strong("Items");
                ui.strong("Audit trail up to");
                ui.end_row();
                for b in listed {
                    let picked = self.chosen.as_deref() == Some(b.file.as_path());
                    // To the second: backups are often minutes apart.
                    let made = format!("{}:{}", uk_date_time(b.at), b.at.format("%S"));
                    if ui.radio(picked, made).clicked() && !picked {
                        self.chosen = Some(b.file.clone());
                        if self.to.trim().is_empty() || self.to == self.suggested {
                            self.suggested = suggestion(dir, b);
                            self.to = self.suggested.clone();
                        }
                        self.error = None;
                    }
                    ui.label(b.items.to_string());
                    ui.label(short_anchor(b.anchor.as_deref()))
                        .on_hover_text(b.anchor.as_deref().unwrap_or("no events"));
                    ui.end_row();
                }
            });
    }

    fn target_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let mut go = false;
        ui.horizontal(|ui| {
            let l = ui.label("Restore into the new file");
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut self.to)
                        .id_salt("restore_to")
                        .hint_text("D:\\Cutover\\restored.sqlite3")
                        .desired_width(360.0),
                )
                .labelled_by(l.id);
            if r.changed() {
                self.error = None;
            }
            go = r.lost_focus() && ui.input(|i| pressed(i, egui::Key::Enter));
            if self.running.is_some() {
                ui.spinner();
                ui.label("Restoring and checking...");
            } else if ui.button("Restore to a new file").clicked() {
                go = true;
            }
        });
        if let Some(e) = &self.error {
            error_label(ui, e);
        }
        if go && self.running.is_none() {
            self.start(cx);
        }
    }

    /// Starts the restore on a thread with its own handle on the log.
    fn start(&mut self, cx: &mut AppContext<'_>) {
        let Some(from) = self.chosen.clone() else {
            self.error = Some("Choose a backup in the list first.".into());
            return;
        };
        let to = PathBuf::from(self.to.trim());
        if self.to.trim().is_empty() {
            self.error = Some("Type where to write the new file.".into());
            return;
        }
        let Some(actor) = cx.actor() else { return };
        let mut another = match cx.store.open_another() {
            Ok(s) => s,
            Err(e) => {
                self.error = Some(format!("Not restored: {e}"));
                return;
            }
        };
        // Should the screen go meanwhile, the restore is recorded anyway.
        let job = Background::start("restore", move || {
            another
                .restore_backup(&from, &to, &actor)
                .map_err(|e| e.to_string())
        });
        match job {
            Ok(job) => self.running = Some(job),
            Err(e) => self.error = Some(format!("Not restored: {e}")),
        }
    }

    /// Picks up a finished restore.
    fn collect(&mut self, ui: &Ui, cx: &mut AppContext<'_>) {
        let Some(job) = &self.running else { return };
        let Some(outcome) = job.finished() else {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
            return;
        };
        self.running = None;
        match outcome {
            Ok(restored) => {
                cx.status.info(format!(
                    "Restored the backup into {}: {} items, checked. The log in use was not changed. {}",
                    restored.info.file.display(),
                    restored.info.items,
                    restored.findings.join(" ")
                ));
                self.to.clear();
                self.suggested.clear();
                self.error = None;
            }
            Err(e) => self.error = Some(format!("Not restored: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_head_is_shortened_for_the_list() {
        assert_eq!(
            short_anchor(Some("2017:5304d81eb3ac2a8ee2dd7d7b6ddd8387")),
            "2017:5304d81eb3ac"
        );
        assert_eq!(short_anchor(None), "no events");
    }
}
