//! The `cutover-log` binary: the desktop app, or a command when one is given.

use std::process::ExitCode;

use clap::Parser;
use cutover_log::cli::{self, Cli};

fn main() -> ExitCode {
    let args = Cli::parse();
    match args.command {
        Some(command) => cli::run(args.db.as_deref(), args.as_staff.as_deref(), command),
        None => cutover_log::ui::run_app(args.db.as_deref(), args.demo),
    }
}
