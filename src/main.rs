//! The `cutover-log` binary: the desktop app, or a command when one is given.

use std::process::ExitCode;

use clap::Parser;
use cutover_log::cli::{self, Cli};

fn main() -> ExitCode {
    // A panic message could carry patient details from whatever was being handled:
    // report only where it happened.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        eprintln!(
            "Cutover Log stopped because of an internal error{place}. Nothing typed after the last save is kept; \
             saved items are safe. Please tell support (no patient details are shown here)."
        );
    }));
    let args = Cli::parse();
    match args.command {
        Some(command) => cli::run_on(
            args.db.as_deref(),
            args.server.as_deref(),
            args.as_staff.as_deref(),
            command,
        ),
        None => cutover_log::ui::run_app_on(
            args.db.as_deref(),
            args.server.as_deref(),
            args.demo,
            args.renderer,
        ),
    }
}
