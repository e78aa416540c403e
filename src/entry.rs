//! Where the command line and the app meet: the arguments of both programs, read
//! once. `cutover-log` is the app (on Windows a GUI program: no console window
//! opens beside it); `cutover-log-cli` is the command line (a console program,
//! so it prints where it is started and can ask for a password). Elsewhere
//! `cutover-log` is both, as before: with a command it runs the command.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser};

use crate::cli::{self, Command};
use crate::ui::{self, RendererChoice};

/// Which program is starting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    /// `cutover-log`: the desktop app (and, outside Windows, the commands too).
    App,
    /// `cutover-log-cli`: the commands only.
    CommandLine,
}

/// Cutover Log: log what is entered in the old clinical system during cutover,
/// and work it off as a re-entry worklist after go-live.
///
/// With no command, cutover-log opens the desktop app (cutover-log-cli runs
/// commands only).
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

/// Runs the program: the app, or the command given.
pub fn main(program: Program) -> ExitCode {
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
    let name = match program {
        Program::App => "cutover-log",
        Program::CommandLine => "cutover-log-cli",
    };
    let parsed = <Cli as CommandFactory>::command()
        .name(name)
        .bin_name(name)
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let args = match parsed {
        Ok(args) => args,
        // --help and --version are "errors" that print and end well.
        Err(e) if !e.use_stderr() || program == Program::CommandLine || !cfg!(windows) => e.exit(),
        Err(e) => {
            ui::could_not_start(&e.to_string());
            return ExitCode::from(2);
        }
    };
    match (args.command, program) {
        (Some(command), _) => cli::run_on(
            args.db.as_deref(),
            args.server.as_deref(),
            args.as_staff.as_deref(),
            command,
        ),
        (None, Program::App) => ui::run_app_on(
            args.db.as_deref(),
            args.server.as_deref(),
            args.demo,
            args.renderer,
        ),
        (None, Program::CommandLine) => {
            eprintln!(
                "cutover-log-cli runs commands (see --help); the app itself is cutover-log{}.",
                std::env::consts::EXE_SUFFIX
            );
            ExitCode::from(2)
        }
    }
}
