//! The first thing the window shows when the database is encrypted: the
//! practice's database passphrase, then the app itself.

use std::path::PathBuf;

use chrono::NaiveDateTime;

use crate::store::{SqliteStore, StoreError};

use super::CutoverApp;

/// The window's content: the passphrase gate, or the app once the file is open.
pub enum StartApp {
    /// The database is encrypted and not yet open.
    Passphrase {
        path: PathBuf,
        passphrase: String,
        error: Option<String>,
        clock: fn() -> NaiveDateTime,
        focus: bool,
    },
    Open(Box<CutoverApp>),
}

impl StartApp {
    /// Waits for the passphrase of the encrypted database at `path`.
    pub fn locked(path: PathBuf, clock: fn() -> NaiveDateTime) -> Self {
        StartApp::Passphrase {
            path,
            passphrase: String::new(),
            error: None,
            clock,
            focus: true,
        }
    }

    /// The app, once open (for tests).
    pub fn app(&self) -> Option<&CutoverApp> {
        match self {
            StartApp::Open(a) => Some(a),
            StartApp::Passphrase { .. } => None,
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let opened = match self {
            StartApp::Open(app) => {
                app.ui(ui);
                return;
            }
            StartApp::Passphrase {
                path,
                passphrase,
                error,
                clock,
                focus,
            } => {
                let mut submit = false;
                egui::CentralPanel::default().show(ui, |ui| {
                    ui.add_space(60.0);
                    ui.vertical_centered(|ui| {
                        ui.set_max_width(460.0);
                        ui.heading("Open the cutover log");
                        ui.label(
                            "This log is encrypted. Enter the practice's database passphrase.",
                        );
                        let l = ui.label("Database passphrase");
                        let r = ui
                            .add(
                                egui::TextEdit::singleline(passphrase)
                                    .password(true)
                                    .desired_width(300.0),
                            )
                            .labelled_by(l.id);
                        if std::mem::take(focus) {
                            r.request_focus();
                        }
                        if let Some(e) = error.as_deref() {
                            super::widgets::error_label(ui, e);
                        }
                        if ui.button("Open").clicked()
                            || ui.input(|i| i.key_pressed(egui::Key::Enter))
                        {
                            submit = true;
                        }
                    });
                });
                if !submit {
                    return;
                }
                match SqliteStore::open_with(path, Some(passphrase)) {
                    Ok(store) => CutoverApp::new(Box::new(store), *clock).reading_in_background(),
                    Err(StoreError::WrongPassphrase) => {
                        *error = Some(
                            "That passphrase does not open this log. Check it and try again."
                                .into(),
                        );
                        passphrase.clear();
                        *focus = true;
                        return;
                    }
                    Err(e) => {
                        *error = Some(e.to_string());
                        return;
                    }
                }
            }
        };
        *self = StartApp::Open(Box::new(opened));
    }
}

impl eframe::App for StartApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        StartApp::ui(self, ui);
    }
}
