//! `cutover-log-cli`: Cutover Log's commands (see [`cutover_log::entry`]), a
//! console program, so on Windows it prints in the Command Prompt it is run from
//! and can ask for a password there.

fn main() -> std::process::ExitCode {
    cutover_log::entry::main(cutover_log::entry::Program::CommandLine)
}
