//! The `cutover-log` binary: the desktop app, or a command when one is given.
//! The arguments are read here, where the command line and the app meet, so
//! neither of them needs the other.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use cutover_log::cli::{self, Command};
use cutover_log::ui::{self, RendererChoice};

/// Cutover Log: log what is entered in the old clinical system during cutover,
/// and work it off as a re-entry worklist after go-live.
///
/// With no command, opens the desktop app.
#[derive(Debug, Parser)]
#[command(name = "cutover-log", version, about, long_about = None)]
pub struct Cli {
    /// The database file (default: cutover-log.sqlite3 in your local app data folder).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Use the practice's shared PostgreSQL server instead of a file, e.g.
    /// postgres://cutover@server.local/cutover_log. The password is read from
    /// PGPASSWORD, or asked for; it is never stored or shown.
    #[arg(long, global = true, value_name = "URL")]
    pub server: Option<String>,

    /// Sign in as this staff member (commands that change or export the log). The
    /// password is read from CUTOVER_LOG_PASSWORD, or asked for.
    #[arg(long = "as", global = true, value_name = "NAME")]
    pub as_staff: Option<String>,

    /// Start the app with a synthetic practice filled in (only on an empty database).
    #[arg(long)]
    pub demo: bool,

    /// How the app window is drawn: auto (wgpu, then glow if wgpu will not start),
    /// wgpu or glow. Also CUTOVER_LOG_RENDERER.
    #[arg(long, value_enum, value_name = "RENDERER")]
    pub renderer: Option<RendererChoice>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

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
        None => ui::run_app_on(
            args.db.as_deref(),
            args.server.as_deref(),
            args.demo,
            args.renderer,
        ),
    }
}
