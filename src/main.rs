//! `cutover-log`: the desktop app (see [`cutover_log::entry`]). On Windows a
//! GUI program, so no console window opens beside it; its commands run in
//! `cutover-log-cli.exe`.
#![cfg_attr(windows, windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    cutover_log::entry::main(cutover_log::entry::Program::App)
}
