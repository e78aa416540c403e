//! The first thing the window shows when the log is not open yet: the practice's
//! database passphrase (an encrypted file), or the practice server's address and
//! password (a shared log); then the app itself. When the database cannot be
//! opened at all (damaged, from a newer version, an unusable folder), the window
//! says why, in the same words as the command line.

use std::path::PathBuf;

use chrono::NaiveDateTime;

use crate::store::open::{self, LogLocation, OpenLog};
use crate::store::{PostgresStore, StoreError};

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
    /// The log is on the practice's server: its address, and a password typed
    /// here (kept only until connected; never stored or shown).
    Server {
        url: String,
        password: String,
        error: Option<String>,
        clock: fn() -> NaiveDateTime,
        focus: bool,
    },
    Open(Box<CutoverApp>),
    /// The database could not be opened: `message` says why (the store's words).
    Failed {
        path: PathBuf,
        message: String,
    },
}

/// The running app on a log just opened: reading in the background; on a
/// server, About says which and how it is reached.
fn app_on(log: OpenLog, clock: fn() -> NaiveDateTime) -> CutoverApp {
    match log {
        OpenLog::File(store) => CutoverApp::new(Box::new(store), clock).reading_in_background(),
        OpenLog::Server(store) => app_on_server(*store, clock),
    }
}

/// The app on a connected practice server; About names the server (never the
/// password) and says whether the connection is encrypted.
fn app_on_server(store: PostgresStore, clock: fn() -> NaiveDateTime) -> CutoverApp {
    let security = match store.is_encrypted() {
        Ok(true) => "encrypted (TLS, certificate verified)".to_string(),
        Ok(false) => "not encrypted".to_string(),
        // Said where it is asked about (About); the app itself works either way.
        Err(e) => format!("encryption unknown ({e})"),
    };
    let label = format!("Practice server {}, {security}", store.describe());
    let mut app = CutoverApp::new(Box::new(store), clock).reading_in_background();
    app.help.about.database = label;
    app
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

    /// Opens the database at `path` as the window starts: the app, the passphrase
    /// gate for an encrypted file, or the reason it could not be opened.
    /// `passphrase` is one typed; without it, CUTOVER_LOG_DB_PASSPHRASE's if set.
    pub fn open(path: PathBuf, passphrase: Option<&str>, clock: fn() -> NaiveDateTime) -> Self {
        let location = LogLocation::File(path);
        match open::open_to_write(&location, passphrase) {
            // (Read inline, as tests want: each frame shows the store as it is.)
            Ok(log) => StartApp::Open(Box::new(CutoverApp::new(log.into_store(), clock))),
            Err(e) => Self::not_opened(location, &e, clock),
        }
    }

    /// The app on a log just opened (see [`open::open_to_write`]), reading in the
    /// background as the running app does.
    pub fn opened(log: OpenLog, clock: fn() -> NaiveDateTime) -> Self {
        StartApp::Open(Box::new(app_on(log, clock)))
    }

    /// The start screen for a log at `location` that did not open with `e`: the
    /// passphrase gate, the server's connect screen (saying why), or the reason.
    pub fn not_opened(location: LogLocation, e: &StoreError, clock: fn() -> NaiveDateTime) -> Self {
        match location {
            LogLocation::File(path) => Self::from_open_error(path, e, clock),
            // Most often the password: ask for it (and show why) in the window.
            LogLocation::Server(url) => Self::server(url, Some(e.to_string()), clock),
        }
    }

    /// The start screen for a database file that did not open with `e`.
    pub fn from_open_error(path: PathBuf, e: &StoreError, clock: fn() -> NaiveDateTime) -> Self {
        match e {
            StoreError::NeedsPassphrase => Self::locked(path, clock),
            e => StartApp::Failed {
                path,
                message: e.to_string(),
            },
        }
    }

    /// Why the database could not be opened, if it could not (for tests).
    pub fn failure(&self) -> Option<&str> {
        match self {
            StartApp::Failed { message, .. } => Some(message),
            _ => None,
        }
    }

    /// Asks for the practice server's address (prefilled with `url`) and password.
    pub fn server(url: String, error: Option<String>, clock: fn() -> NaiveDateTime) -> Self {
        StartApp::Server {
            url,
            password: String::new(),
            error,
            clock,
            focus: true,
        }
    }

    /// The app, once open (for tests).
    pub fn app(&self) -> Option<&CutoverApp> {
        match self {
            StartApp::Open(a) => Some(a),
            StartApp::Passphrase { .. } | StartApp::Failed { .. } | StartApp::Server { .. } => None,
        }
    }

    /// Draws the current screen (eframe and the kittest harness alike).
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let opened = match self {
            StartApp::Open(app) => {
                app.ui(ui);
                if app.take_server_request() {
                    *self = StartApp::server(String::new(), None, crate::domain::dates::now);
                }
                return;
            }
            StartApp::Failed { path, message } => {
                failed_ui(ui, path, message);
                return;
            }
            StartApp::Server {
                url,
                password,
                error,
                clock,
                focus,
            } => {
                let mut submit = false;
                egui::CentralPanel::default().show(ui, |ui| {
                    ui.add_space(60.0);
                    ui.vertical_centered(|ui| {
                        ui.set_max_width(460.0);
                        ui.heading("Connect to practice server");
                        ui.label(
                            "Several desks share this log on the practice's server. Ask whoever set the server up for its address.",
                        );
                        let l = ui.label("Server address");
                        let r = ui
                            .add(
                                egui::TextEdit::singleline(url)
                                    .hint_text("postgres://cutover@server/cutover_log")
                                    .desired_width(300.0),
                            )
                            .labelled_by(l.id);
                        if url.is_empty() && std::mem::take(focus) {
                            r.request_focus();
                        }
                        submit = secret_and_submit(
                            ui,
                            "Server password",
                            password,
                            focus,
                            error.as_deref(),
                            "Connect",
                        );
                    });
                });
                if !submit {
                    return;
                }
                let location = LogLocation::Server(url.trim().to_string());
                let typed = (!password.is_empty()).then_some(password.as_str());
                let result = open::open_to_write(&location, typed);
                // The password is not kept on this screen, whatever happened.
                password.clear();
                match result {
                    Ok(log) => app_on(log, *clock),
                    Err(e) => {
                        *error = Some(e.to_string());
                        *focus = true;
                        return;
                    }
                }
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
                        submit = secret_and_submit(
                            ui,
                            "Database passphrase",
                            passphrase,
                            focus,
                            error.as_deref(),
                            "Open",
                        );
                    });
                });
                if !submit {
                    return;
                }
                let location = LogLocation::File(path.clone());
                match open::open_to_write(&location, Some(passphrase)) {
                    Ok(log) => app_on(log, *clock),
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

/// The screen for a database that could not be opened: what went wrong and what
/// to do; nothing is written.
fn failed_ui(ui: &mut egui::Ui, path: &std::path::Path, message: &str) {
    egui::CentralPanel::default().show(ui, |ui| {
        ui.add_space(60.0);
        ui.vertical_centered(|ui| {
            ui.set_max_width(560.0);
            ui.heading("Cutover Log could not open its database");
            ui.label(format!("File: {}", path.display()));
            super::widgets::error_label(ui, message);
            ui.label(
                "Close this window, put the problem right (or ask IT or support), then start Cutover Log again.",
            );
            if ui.button("Close").clicked() {
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
    });
}

/// A labelled password box (focused when `focus` is set), the error if any, and
/// the button: true when it is clicked or Enter is pressed.
fn secret_and_submit(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut String,
    focus: &mut bool,
    error: Option<&str>,
    button: &str,
) -> bool {
    let l = ui.label(label);
    let r = ui
        .add(
            egui::TextEdit::singleline(value)
                .password(true)
                .desired_width(300.0),
        )
        .labelled_by(l.id);
    if std::mem::take(focus) {
        r.request_focus();
    }
    if let Some(e) = error {
        super::widgets::error_label(ui, e);
    }
    ui.button(button).clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter))
}

impl eframe::App for StartApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        StartApp::ui(self, ui);
    }
}
