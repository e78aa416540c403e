//! The headless command line over the same library the app uses: for scripting,
//! tests and support staff. Errors are reported once, here, in plain words.
//!
//! [`execute_on`] only dispatches: the commands on the whole file or between
//! stores (`encrypt`, the migrations) are in [`whole_log`]; every other command
//! opens the log once ([`crate::store::open`]) and is one function in
//! [`project`] (setup, staff, sign-off, purge) or [`items`] (import, export,
//! counts, checks, generated items).

mod capture;
mod items;
mod project;
mod reconcile;
mod whole_log;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};

use crate::domain::Actor;
use crate::domain::dates::now;
use crate::store::CutoverStore;
use crate::store::open::{self, LogLocation, OpenLog, Secret};

pub use items::stress_items;

/// The command-line commands.
/// How a report is read and mapped: capture and reconcile alike.
#[derive(Debug, Args)]
pub struct ReportOptions {
    file: PathBuf,
    /// A mapping file (JSON) saying which column gives each field; without it, a
    /// saved mapping that fits the report, or one suggested from its header.
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// The kind of every row (appointment, prescription, …), if the report does not say.
    #[arg(long)]
    kind: Option<String>,
    /// Use the good rows; write rejected rows with reasons to FILE.rejected.csv.
    #[arg(long)]
    skip_invalid: bool,
    /// Write the mapping used to this file (to check it, or pass it to another practice).
    #[arg(long, value_name = "FILE")]
    write_mapping: Option<PathBuf>,
}

impl ReportOptions {
    fn args(&self) -> capture::ReportArgs<'_> {
        capture::ReportArgs {
            file: &self.file,
            mapping: self.mapping.as_deref(),
            kind: self.kind.as_deref(),
            skip_invalid: self.skip_invalid,
            write_mapping: self.write_mapping.as_deref(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up the cutover project in a new database.
    Init(InitArgs),
    /// Move the planned go-live (recorded in the audit trail).
    SetGoLive {
        /// New go-live, e.g. "05/12/2026 08:00".
        at: String,
    },
    /// Show the deadlines (the practice's numbers, the old system's last
    /// readable day, what is overdue and due today), or change them (the
    /// practice manager; recorded in the audit trail).
    Deadlines(DeadlinesArgs),
    /// Manage the staff list.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Import items from an interchange CSV (all or nothing unless --skip-invalid).
    Import {
        file: PathBuf,
        /// Import the good rows; write rejected rows with reasons to FILE.rejected.csv.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Capture a report from the old system (CSV, .xlsx, .xls, .ods): the rows the
    /// hand log missed are added, the ones it has are recorded as confirmed.
    Capture {
        #[command(flatten)]
        report: ReportOptions,
        /// Check and count only: store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Settle a row left to judge: LINE=ITEM (the row is that logged item) or
        /// LINE=missed (the hand log missed it). Repeat for each row.
        #[arg(long, value_name = "LINE=ITEM|missed")]
        judge: Vec<String>,
        /// Leave out rows that happened before the final extract (it holds them).
        #[arg(long)]
        leave_out_before_extract: bool,
    },
    /// Reconcile the log with a report from the new system after go-live (CSV,
    /// .xlsx, .xls, .ods): each row is paired with the item it shows re-entered.
    /// Lists the confident proposals, the fits a person must judge, the items
    /// ticked re-entered but not found, and the rows nobody logged. Stores
    /// nothing unless --accept-confident.
    Reconcile {
        #[command(flatten)]
        report: ReportOptions,
        /// Accept every confident proposal (each item verified against its row,
        /// an outstanding one marked re-entered) and flag the items ticked but
        /// not found.
        #[arg(long, conflicts_with = "dry_run")]
        accept_confident: bool,
        /// List the pairings only and store nothing (what reconcile does
        /// without --accept-confident; said so, as capture's --dry-run is).
        #[arg(long)]
        dry_run: bool,
        /// The report covers only days from this one (dd/mm/yyyy): items due
        /// before it are not called "not found".
        #[arg(long, value_name = "DATE")]
        covers_from: Option<String>,
        /// The report covers only days up to this one (dd/mm/yyyy).
        #[arg(long, value_name = "DATE")]
        covers_to: Option<String>,
        /// The report covers only this clinician's items (a report of one
        /// prescriber or clinic), by their name on the staff list.
        #[arg(long, value_name = "NAME")]
        covers_clinician: Option<String>,
    },
    /// Export the log.
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Sign the re-entry off as the person signed in (--as), in their own
    /// capacity: the practice manager, or a GP as clinical lead (only when no
    /// item is outstanding or a problem).
    SignOff {
        /// practice_manager or clinical_lead: when given, must be the signer's
        /// own capacity (a check, not a choice).
        #[arg(long)]
        role: Option<String>,
        /// Required when an item ticked re-entered was not found in the new
        /// system's report: why the re-entry can still be signed off.
        #[arg(long, default_value = "")]
        comment: String,
        /// Replace the sign-off in force (a report exported since carries it),
        /// saying why. Without it, a second sign-off is refused.
        #[arg(long, value_name = "REASON")]
        replace: Option<String>,
    },
    /// After sign-off, remove every patient detail from the log for good (the
    /// practice manager). Keep the final report first: it is not kept here.
    Purge {
        /// Required: says you have the final report and mean it.
        #[arg(long)]
        confirm: bool,
    },
    /// Back the log file up (SQLite's online backup, checked; the last 48 and one
    /// per day kept) into DIR, by default the `backups` folder beside the log.
    Backup {
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
    /// Restore a backup into a new log file (never over an existing one); the
    /// backup's passphrase, if it has one, from CUTOVER_LOG_DB_PASSPHRASE or asked.
    Restore {
        backup: PathBuf,
        #[arg(long, value_name = "NEW_FILE")]
        to: PathBuf,
    },
    /// Encrypt this database with a passphrase (SQLCipher; the practice manager).
    /// The passphrase is read from CUTOVER_LOG_NEW_DB_PASSPHRASE, or asked for.
    Encrypt,
    /// Counts of items by kind and re-entry status.
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Check the database's integrity, its audit trail, and every row against its
    /// history.
    Verify {
        /// A point of the audit trail recorded outside the log (printed on the
        /// re-entry report as N:HASH): fails unless the log still holds it.
        #[arg(long, value_name = "N:HASH")]
        against: Option<String>,
    },
    /// Move a single-desk log (--db FILE) onto the practice server (--server URL),
    /// which must be empty; everything is copied and checked (counts, audit chain).
    /// The file is left as it was. The practice manager (--as).
    MigrateToServer,
    /// Copy the practice server's log (--server URL) into a new file (--db FILE),
    /// e.g. for archiving; checked the same way. The practice manager (--as).
    MigrateFromServer,
    /// Fill a new database with a synthetic practice (NHS numbers from the 999 test range).
    Demo {
        #[arg(long, default_value_t = 300)]
        items: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Reliability testing only: log COUNT generated synthetic items (999 NHS
    /// numbers), one transaction each, as the `--as` person, printing `saved <id>`
    /// after each commit. Used by the crash and two-writer tests.
    #[command(hide = true)]
    StressLog {
        /// How many items to log.
        #[arg(long)]
        count: usize,
        /// Seed for the generated items (the same seed gives the same items).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// `deadlines`' options: each number in working days.
#[derive(Debug, Args)]
pub struct DeadlinesArgs {
    /// A prescription: working days from the request (default 2).
    #[arg(long)]
    pub prescription_turnaround: Option<u32>,
    /// A repeat-dispensing issue: working days after go-live to cancel and re-issue (default 0).
    #[arg(long)]
    pub repeat_dispensing: Option<u32>,
    /// A two-week-wait referral: working days after it was made (default 1).
    #[arg(long)]
    pub two_week_wait: Option<u32>,
    /// Everything else: working days after go-live (default 5).
    #[arg(long)]
    pub default_days: Option<u32>,
    /// The last day the old system can be read, e.g. "07/01/2027" ("none" clears it).
    #[arg(long)]
    pub old_system_last_day: Option<String>,
}

/// `init`'s options.
#[derive(Debug, Args)]
pub struct InitArgs {
    #[arg(long)]
    pub practice: String,
    /// ODS code, e.g. A81001.
    #[arg(long)]
    pub ods: String,
    /// EMIS Web, TPP SystmOne, Vision, Medicus, or another name.
    #[arg(long)]
    pub old_system: String,
    #[arg(long)]
    pub new_system: String,
    /// The practice manager, added as the first staff member (their password is read
    /// from CUTOVER_LOG_PASSWORD, or asked for).
    #[arg(long)]
    pub manager: String,
    /// Final data extract, e.g. "16/11/2026 18:00" or 2026-11-16T18:00.
    #[arg(long)]
    pub cutover_start: String,
    /// Planned go-live.
    #[arg(long)]
    pub go_live: String,
}

/// `staff` subcommands.
#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add a staff member.
    Add {
        #[arg(long)]
        name: String,
        /// reception, gp, nurse, pharmacist, other_prescriber, practice_manager, other
        #[arg(long)]
        role: String,
    },
    /// List the staff.
    List,
    /// Set a staff member's password (the new one is read from CUTOVER_LOG_NEW_PASSWORD, or asked for).
    SetPassword {
        #[arg(long)]
        name: String,
    },
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The interchange CSV: every item and column (re-importable).
    Csv,
    /// The completed re-entry report (INTERIM until signed off with nothing open).
    Pdf,
}

/// Reads a password from `env`, or asks for it on the terminal without echo.
fn password(env: &str, prompt: &str) -> Result<String> {
    match std::env::var(env) {
        Ok(p) => Ok(p),
        // Not set (or not text, which a terminal can type instead): ask.
        Err(_) => rpassword::prompt_password(prompt)
            .with_context(|| format!("could not read the password (or set {env})")),
    }
}

/// Opens the log at `location`, asking on the terminal for the passphrase of an
/// encrypted file (unless CUTOVER_LOG_DB_PASSPHRASE gives it) or for the
/// password of a server that wants one (unless PGPASSWORD gives it).
fn open_log(location: &LogLocation) -> Result<OpenLog> {
    open::open_asking(location, |secret| {
        match secret {
        Secret::Passphrase => password(secret.variable(), "Database passphrase: ")
            .with_context(|| {
                format!(
                    "{} is encrypted (or is not a Cutover Log database) and needs the practice's database passphrase",
                    location.describe()
                )
            }),
        Secret::ServerPassword => rpassword::prompt_password("Practice server password: ")
            .with_context(|| {
                format!(
                    "could not read the password (or set {})",
                    secret.variable()
                )
            }),
    }
    })
}

/// Signs in the `--as` person; every change and export is made as them.
fn signed_in(store: &mut dyn CutoverStore, as_staff: Option<&str>) -> Result<Actor> {
    let name = as_staff.context("this command needs --as NAME (the password is read from CUTOVER_LOG_PASSWORD, or asked for)")?;
    let pw = password("CUTOVER_LOG_PASSWORD", &format!("Password for {name}: "))?;
    let s = store.sign_in(name, &pw, now())?;
    Ok(Actor::staff(s.id, s.name, now()))
}

/// What a command on an open log works with.
struct OnLog<'a> {
    store: &'a mut dyn CutoverStore,
    /// Where the log is, for messages: the file's path, or the server (never
    /// its password).
    place: String,
    /// Who `--as` names, if anyone.
    as_staff: Option<&'a str>,
    /// Where the command's report goes.
    out: &'a mut dyn Write,
}

impl OnLog<'_> {
    /// Signs in the `--as` person (see [`signed_in`]).
    fn signed_in(&mut self) -> Result<Actor> {
        signed_in(self.store, self.as_staff)
    }
}

/// Runs one command; prints its error (once) and gives the exit code.
pub fn run(db: Option<&Path>, as_staff: Option<&str>, command: Command) -> ExitCode {
    run_on(db, None, as_staff, command)
}

/// Runs one command on a file or (`server`) the practice server.
pub fn run_on(
    db: Option<&Path>,
    server: Option<&str>,
    as_staff: Option<&str>,
    command: Command,
) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match execute_on(db, server, as_staff, command, &mut stdout) {
        Ok(code) => code,
        Err(e) => {
            // What was already said comes before the error. If stdout cannot take
            // it (closed), there is nowhere better to say so than the error itself.
            if let Err(flush) = stdout.flush() {
                eprintln!("error: could not write the output: {flush}");
            }
            eprintln!("error: {}", in_words(&e));
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes in one line, each cause said once: many of the
/// library's messages already include their cause ("could not write the PDF:
/// No space left on device"), which the chain would repeat (issue 31 #16).
fn in_words(e: &anyhow::Error) -> String {
    let mut said = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !said.contains(&cause) {
            said.push_str(": ");
            said.push_str(&cause);
        }
    }
    said
}

/// Runs one command on a file, writing its report to `out`.
pub fn execute(
    db: Option<&Path>,
    as_staff: Option<&str>,
    command: Command,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    execute_on(db, None, as_staff, command, out)
}

/// Runs one command on a file or (`server`) the practice server, writing its
/// report to `out`.
pub fn execute_on(
    db: Option<&Path>,
    server: Option<&str>,
    as_staff: Option<&str>,
    command: Command,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    match command {
        Command::Encrypt => whole_log::encrypt(db, server, as_staff, out),
        Command::Backup { to } => whole_log::backup(db, server, as_staff, to.as_deref(), out),
        Command::Restore { backup, to } => {
            whole_log::restore(db, server, &backup, &to, as_staff, out)
        }
        Command::MigrateToServer => whole_log::migrate_to_server(db, server, as_staff, out),
        Command::MigrateFromServer => whole_log::migrate_from_server(db, server, as_staff, out),
        command => {
            let location = LogLocation::from_args(db, server)?;
            // Only a command that makes a log may make its file: verify or
            // stats of a mistyped path must not make an empty log and pass.
            if let LogLocation::File(path) = &location
                && !path.exists()
                && !matches!(
                    command,
                    Command::Init(_) | Command::Demo { .. } | Command::StressLog { .. }
                )
            {
                anyhow::bail!(
                    "there is no log at {}: check the path (a new log is made by `init`, or by the app's setup)",
                    path.display()
                );
            }
            let mut log = open_log(&location)?;
            let mut on = OnLog {
                place: log.describe(),
                store: log.store_mut(),
                as_staff,
                out,
            };
            on_log(&mut on, command)
        }
    }
}

/// Runs a command on the open log.
fn on_log(on: &mut OnLog<'_>, command: Command) -> Result<ExitCode> {
    match command {
        Command::Init(a) => project::init(on, &a),
        Command::SetGoLive { at } => project::set_go_live(on, &at),
        Command::Deadlines(a) => project::deadlines(on, &a),
        Command::Staff(StaffCommand::Add { name, role }) => project::add_staff(on, &name, &role),
        Command::Staff(StaffCommand::List) => project::list_staff(on),
        Command::Staff(StaffCommand::SetPassword { name }) => project::set_password(on, &name),
        Command::SignOff {
            role,
            comment,
            replace,
        } => project::sign_off(on, role.as_deref(), &comment, replace.as_deref()),
        Command::Purge { confirm } => project::purge(on, confirm),
        Command::Import { file, skip_invalid } => items::import(on, &file, skip_invalid),
        Command::Capture {
            report,
            dry_run,
            judge,
            leave_out_before_extract,
        } => capture::capture(
            on,
            &capture::CaptureArgs {
                report: report.args(),
                dry_run,
                judge: &judge,
                leave_out_before_extract,
            },
        ),
        Command::Reconcile {
            report,
            accept_confident,
            dry_run: _,
            covers_from,
            covers_to,
            covers_clinician,
        } => {
            let coverage = reconcile::coverage(
                on,
                covers_from.as_deref(),
                covers_to.as_deref(),
                covers_clinician.as_deref(),
            )?;
            reconcile::reconcile(on, &report.args(), coverage, accept_confident)
        }
        Command::Export { format, out } => items::export(on, format, &out),
        Command::Stats { json } => items::stats(on, json),
        Command::Verify { against } => items::verify(on, against.as_deref()),
        Command::StressLog { count, seed } => items::stress_log(on, count, seed),
        Command::Demo { items, seed } => items::demo(on, items, seed),
        Command::Encrypt
        | Command::Backup { .. }
        | Command::Restore { .. }
        | Command::MigrateToServer
        | Command::MigrateFromServer => {
            bail!("this command runs before the database is opened")
        }
    }
}

#[cfg(test)]
mod error_words {
    /// A cause the message already says is not said again.
    #[test]
    fn each_cause_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::StorageFull, "No space left on device");
        let pdf =
            anyhow::Error::new(io).context("could not write the PDF: No space left on device");
        let outer = pdf
            .context("could not write the PDF: could not write the PDF: No space left on device");
        assert_eq!(
            super::in_words(&outer),
            "could not write the PDF: could not write the PDF: No space left on device"
        );
        let plain = anyhow::anyhow!("disk gone").context("nothing was restored");
        assert_eq!(super::in_words(&plain), "nothing was restored: disk gone");
    }
}
