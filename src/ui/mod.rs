//! The desktop app (eframe/egui). Screens call the domain and the store; never SQL.

use std::path::Path;
use std::process::ExitCode;

/// Opens the app window on the database.
pub fn run_app(_db: Option<&Path>, _demo: bool) -> ExitCode {
    ExitCode::FAILURE
}
