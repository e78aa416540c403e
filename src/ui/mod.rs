//! The desktop app (eframe/egui). Screens call the domain and the store, never
//! SQL; every button, menu and shortcut sends a [`command::Command`] handled in
//! one place each frame.

mod app;
mod audit_screen;
mod audit_words;
mod auto_backup;
mod background;
mod capture_screen;
mod command;
mod desk;
mod entry_form;
mod focus_cycle;
mod help;
mod input_pacing;
mod log_screen;
mod page_cache;
mod practice;
mod preferences;
mod progress;
mod reconcile_results;
mod renderer;
mod report_screen;
mod restore;
pub mod server_choice;
mod setup;
mod start;
mod startup_probe;
mod status;
mod theme;
mod today_log;
mod widgets;
mod window;
mod worklist;

use std::path::Path;
use std::process::ExitCode;

pub use app::CutoverApp;
pub use command::{Command, Screen};
pub use preferences::Preferences;
pub use renderer::RendererChoice;
pub use report_screen::ReportFormat;
pub use start::StartApp;
pub use startup_probe::resident_kb;

use crate::store::CutoverStore;
use crate::store::open::{self, LogLocation};

/// Opens the app window on the database (the default one unless `--db` is given).
/// With `demo`, an empty database is first filled with a synthetic practice.
pub fn run_app(db: Option<&Path>, demo: bool, renderer: Option<RendererChoice>) -> ExitCode {
    run_app_on(db, None, demo, renderer)
}

/// Says that the app cannot start: on stderr, and on Windows in a message box
/// too (the app is a GUI program there: no console shows stderr).
pub fn could_not_start(message: &str) {
    eprintln!("{message}");
    renderer::show_in_a_box("Cutover Log could not start", message);
}

/// Opens the app window on a file, or on the practice server at `server` (asking
/// for its password in the window when the address and PGPASSWORD give none).
/// With neither, a computer that last connected to a server connects to it again
/// (see [`server_choice`]); otherwise it opens its own default log.
pub fn run_app_on(
    db: Option<&Path>,
    server: Option<&str>,
    demo: bool,
    renderer: Option<RendererChoice>,
) -> ExitCode {
    let plan = match RendererChoice::resolve(renderer) {
        Ok(choice) => choice.plan(),
        Err(e) => {
            could_not_start(&format!("Cutover Log could not start: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let remembered = match (db, server) {
        (None, None) => server_choice::remembered(),
        _ => None,
    };
    if let (Some(address), Some(file)) = (&remembered, server_choice::default_file()) {
        // Said for whoever supports the desk (the address holds no password).
        eprintln!(
            "Cutover Log: using the practice server {address} (remembered in {})",
            file.display()
        );
    }
    let location = match LogLocation::from_args(db, server.or(remembered.as_deref())) {
        Ok(l) => l,
        Err(e) => {
            could_not_start(&format!("Cutover Log could not start: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let clock = crate::domain::dates::now;
    let start = match open::open_to_write(&location, None) {
        Ok(mut log) => {
            if let LogLocation::Server(url) = &location {
                server_choice::remember(url);
            }
            if demo && let Err(code) = fill_demo(log.store_mut()) {
                return code;
            }
            StartApp::opened(log, clock)
        }
        Err(e) => {
            // A file's problem is also said here (the same words as in the window),
            // for a start from a terminal; the passphrase and the server's connect
            // screen ask in the window.
            if matches!(location, LogLocation::File(_)) && open::secret_to_ask(&e).is_none() {
                eprintln!("Cutover Log could not open its database: {e}");
            }
            StartApp::not_opened(location.clone(), &e, clock)
        }
    };
    let title = match start.app().and_then(CutoverApp::project) {
        Some(p) => format!("Cutover Log - {} ({})", p.practice_name, p.ods_code),
        None => "Cutover Log".to_string(),
    };
    open_window(start, title, &location.describe(), plan)
}

/// Opens the window with the first renderer of `plan`, falling back as it says.
fn open_window(
    start: StartApp,
    title: String,
    database: &str,
    (first, fallback): (eframe::Renderer, Option<eframe::Renderer>),
) -> ExitCode {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(title)
        .with_inner_size([1280.0, 820.0])
        .with_min_inner_size([960.0, 600.0]);
    if let Some(icon) = app_icon() {
        viewport = viewport.with_icon(std::sync::Arc::new(icon));
    }
    let options = eframe::NativeOptions {
        viewport,
        renderer: first,
        ..Default::default()
    };
    let result = eframe::run_native(
        "Cutover Log",
        options,
        Box::new(|cc| {
            theme::apply(&cc.egui_ctx);
            input_pacing::install(&cc.egui_ctx);
            let window = window::Window::new(start, database, cc.storage);
            if startup_probe::StartupProbe::<window::Window>::wanted() {
                return Ok(Box::new(startup_probe::StartupProbe::new(window)));
            }
            Ok(Box::new(window))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match renderer::after_failure(first, fallback, &e.to_string()) {
            renderer::AfterFailure::Retried(code) => code,
            renderer::AfterFailure::GiveUp(message) => {
                eprintln!("{message}");
                ExitCode::FAILURE
            }
        },
    }
}

/// The window and taskbar icon, built into the program (assets/icon.png).
pub fn app_icon() -> Option<egui::IconData> {
    eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png")).ok()
}

/// Fills an empty database with the demo practice; says so if it already has one.
fn fill_demo(store: &mut dyn CutoverStore) -> Result<(), ExitCode> {
    match store.project() {
        Ok(None) => match crate::demo::fill(store, 400, 1, crate::domain::dates::now()) {
            Ok(_) => {
                eprintln!(
                    "Demo practice filled: staff sign in with the password '{}'.",
                    crate::demo::DEMO_PASSWORD
                );
                Ok(())
            }
            Err(e) => {
                eprintln!("Cutover Log could not fill the demo practice: {e}");
                Err(ExitCode::FAILURE)
            }
        },
        Ok(Some(_)) => {
            eprintln!("--demo: this database already has a practice; opening it as it is.");
            Ok(())
        }
        Err(e) => {
            eprintln!("Cutover Log could not read its database: {e}");
            Err(ExitCode::FAILURE)
        }
    }
}

/// Everything a screen may use while it draws: the store, the reference data and
/// the status line. Screens report changes through it rather than reaching around.
/// Made in one place (the app's shared state); the reference data in it was read
/// when the log last changed, not for this frame.
pub struct AppContext<'a> {
    pub store: &'a mut dyn CutoverStore,
    pub project: &'a crate::domain::Project,
    pub staff: &'a crate::domain::StaffDirectory,
    pub desk: Option<&'a crate::domain::Staff>,
    pub now: chrono::NaiveDateTime,
    /// Minutes without use before the desk locks (the log's setting).
    pub lock_minutes: u32,
    /// The folder chosen for the app's backups (none: beside the log).
    pub backup_folder: Option<&'a str>,
    /// The practice's deadlines (go-live and its numbers).
    pub deadlines: crate::domain::deadline::Deadlines,
    /// The last day the old system can be read, if recorded.
    pub old_system_last_day: Option<chrono::NaiveDate>,
    pub status: &'a mut status::StatusLine,
    pub commands: &'a mut Vec<Command>,
}

impl AppContext<'_> {
    /// The person at the desk as the actor of a change, or an error on the status line.
    pub fn actor(&mut self) -> Option<crate::domain::Actor> {
        match self.desk {
            Some(s) => Some(crate::domain::Actor::staff(s.id, s.name.clone(), self.now)),
            None => {
                self.status
                    .error("Choose who is at this desk first (top right), then try again.");
                None
            }
        }
    }
}
