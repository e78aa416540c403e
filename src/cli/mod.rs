//! The headless command line over the same library the app uses: for scripting,
//! tests and support staff. Errors are reported once, here, in plain words.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::dates::{now, parse_date_time, uk_date_time};
use crate::domain::validation::describe;
use crate::domain::{Actor, ItemKind, Project, Role, StaffDirectory, Status};
use crate::reports::interchange::{self, ImportContext};
use crate::store::transfer::{Transfer, copy_log};
use crate::store::{CutoverStore, PostgresStore, SqliteStore, default_database_path};

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
    pub renderer: Option<crate::ui::RendererChoice>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The command-line commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up the cutover project in a new database.
    Init(InitArgs),
    /// Move the planned go-live (recorded in the audit trail).
    SetGoLive {
        /// New go-live, e.g. "05/12/2026 08:00".
        at: String,
    },
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
    /// Export the log.
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Sign the re-entry off (only when no item is outstanding or a problem).
    SignOff {
        /// practice_manager or clinical_lead
        #[arg(long)]
        role: String,
        /// The name as signed (default: the staff member's name).
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// After sign-off, remove every patient detail from the log for good (the
    /// practice manager). Keep the final report first: it is not kept here.
    Purge {
        /// Required: says you have the final report and mean it.
        #[arg(long)]
        confirm: bool,
    },
    /// Encrypt this database with a passphrase (SQLCipher; the practice manager).
    /// The passphrase is read from CUTOVER_LOG_NEW_DB_PASSPHRASE, or asked for.
    Encrypt,
    /// Counts of items by kind and re-entry status.
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Check the database's integrity and its audit trail.
    Verify,
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

/// The database path to use: `--db`, or the default in the user's data folder.
pub fn database_path(cli_db: Option<&Path>) -> Result<PathBuf> {
    match cli_db {
        Some(p) => Ok(p.to_path_buf()),
        None => default_database_path()
            .context("could not find your local app data folder; pass --db PATH"),
    }
}

/// Reads a password from `env`, or asks for it on the terminal without echo.
fn password(env: &str, prompt: &str) -> Result<String> {
    match std::env::var(env) {
        Ok(p) => Ok(p),
        Err(_) => rpassword::prompt_password(prompt)
            .with_context(|| format!("could not read the password (or set {env})")),
    }
}

/// Opens the database, asking for its passphrase if it is encrypted (or reading
/// it from CUTOVER_LOG_DB_PASSPHRASE).
pub fn open_store(path: &Path) -> Result<SqliteStore> {
    let env = std::env::var("CUTOVER_LOG_DB_PASSPHRASE").ok();
    match SqliteStore::open_with(path, env.as_deref()) {
        Err(crate::store::StoreError::NeedsPassphrase) => {
            let p = password("CUTOVER_LOG_DB_PASSPHRASE", "Database passphrase: ").with_context(
                || {
                    format!(
                        "{} is encrypted (or is not a Cutover Log database) and needs the practice's database passphrase",
                        path.display()
                    )
                },
            )?;
            Ok(SqliteStore::open_with(path, Some(&p))?)
        }
        other => Ok(other?),
    }
}

/// Connects to the practice server; asks for the password if the server wants
/// one and neither the URL nor PGPASSWORD gave it.
pub fn open_server(url: &str) -> Result<PostgresStore> {
    match PostgresStore::connect(url) {
        Err(crate::store::StoreError::Open { message, .. })
            if message.contains("password") && std::env::var("PGPASSWORD").is_err() =>
        {
            let mut address = crate::store::postgres::ServerAddress::parse(url)?;
            let p = rpassword::prompt_password("Practice server password: ")
                .context("could not read the password (or set PGPASSWORD)")?;
            address.config.password(p);
            Ok(PostgresStore::with_address(address)?)
        }
        other => Ok(other?),
    }
}

/// Only the practice manager may move or copy the whole log.
fn require_manager(store: &dyn CutoverStore, actor: &Actor, what: &str) -> Result<()> {
    let me = store
        .staff()?
        .into_iter()
        .find(|s| Some(s.id) == actor.staff)
        .context("unknown staff member")?;
    if !crate::domain::permissions::permitted(
        me.role,
        crate::domain::permissions::Action::ManageProject,
    ) {
        bail!("only the practice manager can {what}");
    }
    Ok(())
}

fn migrate(
    from: &mut dyn Transfer,
    to: &mut dyn Transfer,
    as_staff: Option<&str>,
    description: &str,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    let actor = signed_in(from, as_staff)?;
    require_manager(from, &actor, "move the whole log")?;
    // Recorded first, so the copy carries its own account of being made.
    from.record_event(&actor, crate::domain::AuditAction::LogCopied, description)?;
    let r = copy_log(&*from, to)?;
    writeln!(
        out,
        "Copied {} items, {} staff, {} sign-offs and {} audit events {description}.",
        r.items, r.staff, r.sign_offs, r.audit_events
    )?;
    writeln!(
        out,
        "Checked: both verify, the counts agree and the audit chain ends in the same hash ({}).",
        r.chain_head
            .as_deref()
            .map_or("none", |h| &h[..h.len().min(16)])
    )?;
    Ok(ExitCode::SUCCESS)
}

fn encrypt(path: &Path, as_staff: Option<&str>, out: &mut dyn Write) -> Result<ExitCode> {
    let mut store = open_store(path)?;
    let actor = signed_in(&mut store, as_staff)?;
    require_manager(&store, &actor, "encrypt the database")?;
    store.record_event(
        &actor,
        crate::domain::AuditAction::DatabaseEncrypted,
        "encrypted with a practice passphrase",
    )?;
    drop(store);
    let pass = password("CUTOVER_LOG_NEW_DB_PASSPHRASE", "New database passphrase: ")?;
    SqliteStore::encrypt(path, &pass)?;
    writeln!(
        out,
        "Encrypted {}. Keep the passphrase safe: without it the log cannot be opened.",
        path.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Signs in the `--as` person; every change and export is made as them.
fn signed_in(store: &mut dyn CutoverStore, as_staff: Option<&str>) -> Result<Actor> {
    let name = as_staff.context("this command needs --as NAME (the password is read from CUTOVER_LOG_PASSWORD, or asked for)")?;
    let pw = password("CUTOVER_LOG_PASSWORD", &format!("Password for {name}: "))?;
    let s = store.sign_in(name, &pw, now())?;
    Ok(Actor::staff(s.id, s.name, now()))
}

fn system_actor() -> Actor {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default();
    Actor::system(format!("command line ({user})"), now())
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
            let _ = stdout.flush();
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
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
    match (&command, server) {
        (Command::MigrateToServer, Some(url)) => {
            let path = db.context("migrate-to-server needs --db FILE (the log to move)")?;
            if !path.exists() {
                bail!("{} does not exist", path.display());
            }
            let mut from = open_store(path)?;
            let mut to = open_server(url)?;
            let description = format!(
                "from {} to the practice server {}",
                path.display(),
                to.describe()
            );
            return migrate(&mut from, &mut to, as_staff, &description, out);
        }
        (Command::MigrateFromServer, Some(url)) => {
            let path = db.context("migrate-from-server needs --db FILE (a new file to write)")?;
            if path.exists() {
                bail!("{} already exists: choose a new file", path.display());
            }
            let mut from = open_server(url)?;
            let mut to = SqliteStore::open(path)?;
            let description = format!(
                "from the practice server {} to {}",
                from.describe(),
                path.display()
            );
            let result = migrate(&mut from, &mut to, as_staff, &description, out);
            if result.is_err() {
                drop(to);
                // Nothing half-written is left behind.
                let _ = std::fs::remove_file(path);
            }
            return result;
        }
        (Command::MigrateToServer | Command::MigrateFromServer, None) => {
            bail!("this command needs --server URL (the practice server) and --db FILE")
        }
        (Command::Encrypt, Some(_)) => bail!(
            "encrypt applies to a database file; a practice server is protected by the server's own disk encryption and access control"
        ),
        _ => {}
    }
    let path;
    let mut store: Box<dyn CutoverStore> = match server {
        Some(url) => {
            let s = open_server(url)?;
            path = PathBuf::from(s.describe());
            Box::new(s)
        }
        None => {
            path = database_path(db)?;
            if let Command::Encrypt = command {
                return encrypt(&path, as_staff, out);
            }
            Box::new(open_store(&path)?)
        }
    };
    let store = &mut *store;
    match command {
        Command::Init(a) => {
            let project = Project::validate(
                &a.practice,
                &a.ods,
                &a.old_system,
                &a.new_system,
                parse_date_time(&a.cutover_start).map_err(|e| e.to_string()),
                parse_date_time(&a.go_live).map_err(|e| e.to_string()),
            )
            .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            let pw = password(
                "CUTOVER_LOG_PASSWORD",
                &format!("New password for {}: ", a.manager),
            )?;
            store.create_project(&project, &system_actor())?;
            let pm = store.add_staff(&a.manager, Role::PracticeManager, &system_actor())?;
            store.set_password(pm.id, &pw, &Actor::staff(pm.id, pm.name.clone(), now()))?;
            writeln!(
                out,
                "Set up {} ({}) in {}",
                project.practice_name,
                project.ods_code,
                path.display()
            )?;
        }
        Command::SetGoLive { at } => {
            let mut project = store
                .project()?
                .context("no project is set up: run `cutover-log init` first")?;
            project.go_live = parse_date_time(&at)?;
            let project = Project::validate(
                &project.practice_name,
                project.ods_code.as_str(),
                &project.old_system.label(),
                &project.new_system.label(),
                Ok(project.cutover_start),
                Ok(project.go_live),
            )
            .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            let actor = signed_in(store, as_staff)?;
            store.update_project(&project, &actor)?;
            writeln!(out, "Go-live moved to {}", uk_date_time(project.go_live))?;
        }
        Command::Staff(StaffCommand::Add { name, role }) => {
            let Some(role) = Role::parse(&role) else {
                let roles: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
                bail!("'{role}' is not a role; use one of {}", roles.join(", "));
            };
            let actor = signed_in(store, as_staff)?;
            let s = store.add_staff(&name, role, &actor)?;
            writeln!(out, "Added {} ({}), id {}", s.name, s.role.label(), s.id.0)?;
        }
        Command::Staff(StaffCommand::List) => {
            for s in store.staff()? {
                let active = if s.active { "" } else { " (inactive)" };
                writeln!(out, "{}\t{}\t{}{}", s.id.0, s.name, s.role.label(), active)?;
            }
        }
        Command::Staff(StaffCommand::SetPassword { name }) => {
            let actor = signed_in(store, as_staff)?;
            let staff = StaffDirectory::new(store.staff()?);
            let target = staff
                .by_name(&name)
                .with_context(|| format!("'{name}' is not on the staff list"))?
                .clone();
            let pw = password(
                "CUTOVER_LOG_NEW_PASSWORD",
                &format!("New password for {}: ", target.name),
            )?;
            store.set_password(target.id, &pw, &actor)?;
            writeln!(out, "Password set for {}", target.name)?;
        }
        Command::Import { file, skip_invalid } => {
            let actor = signed_in(store, as_staff)?;
            return import(store, &file, &actor, skip_invalid, out);
        }
        Command::Export {
            format: ExportFormat::Csv,
            out: file,
        } => {
            let actor = signed_in(store, as_staff)?;
            store.record_event(
                &actor,
                crate::domain::AuditAction::ReportExported,
                &format!("csv to {}", file.display()),
            )?;
            let n = interchange::export(store, &file)?;
            writeln!(out, "Exported {n} items to {}", file.display())?;
            writeln!(
                out,
                "This file contains patient-identifiable data: store and share it as the practice's IG policy requires."
            )?;
        }
        Command::Export {
            format: ExportFormat::Pdf,
            out: file,
        } => {
            let actor = signed_in(store, as_staff)?;
            store.record_event(
                &actor,
                crate::domain::AuditAction::ReportExported,
                &format!("pdf to {}", file.display()),
            )?;
            let s = crate::reports::reentry_report::export_pdf(store, &file, now(), &mut |_| {})?;
            let kind = if s.final_report { "final" } else { "INTERIM" };
            writeln!(
                out,
                "Wrote the {kind} re-entry report: {} items, {} pages, to {}",
                s.items,
                s.pages,
                file.display()
            )?;
            writeln!(
                out,
                "This file contains patient-identifiable data: store and share it as the practice's IG policy requires."
            )?;
        }
        Command::SignOff {
            name,
            role,
            comment,
        } => {
            let actor = signed_in(store, as_staff)?;
            let role = crate::domain::SignOffRole::parse(&role).with_context(|| {
                format!("'{role}' is not a sign-off role; use practice_manager or clinical_lead")
            })?;
            let s = store.sign_off(
                name.as_deref().unwrap_or(&actor.name),
                role,
                &comment,
                &actor,
            )?;
            writeln!(
                out,
                "Signed off by {} ({}) at {}",
                s.name,
                s.role.label(),
                uk_date_time(s.at)
            )?;
        }
        Command::Purge { confirm } => {
            if !confirm {
                bail!(
                    "purging removes every patient detail for good: keep the final report, then run again with --confirm"
                );
            }
            let actor = signed_in(store, as_staff)?;
            let s = store.purge(&actor)?;
            writeln!(
                out,
                "Purged: {} items and {} audit events removed; a de-identified summary is kept.",
                s.items, s.audit_events_removed
            )?;
        }
        Command::Encrypt | Command::MigrateToServer | Command::MigrateFromServer => {
            handled_before_opening()?
        }
        Command::Stats { json } => stats(store, json, out)?,
        Command::Verify => {
            let r = store.verify()?;
            writeln!(
                out,
                "database integrity: {}",
                if r.integrity_ok { "ok" } else { "FAILED" }
            )?;
            for m in r.integrity_messages.iter().filter(|m| *m != "ok") {
                writeln!(out, "  {m}")?;
            }
            writeln!(out, "links to staff: {} broken", r.foreign_key_problems)?;
            writeln!(
                out,
                "items without a creation event: {}",
                r.items_without_creation_event
            )?;
            writeln!(
                out,
                "unreadable audit events: {}",
                r.unreadable_audit_events
            )?;
            match &r.broken_link {
                None => writeln!(
                    out,
                    "audit hash chain: intact ({} events)",
                    r.audit_events - r.events_before_chain
                )?,
                Some((id, why)) => writeln!(out, "audit hash chain: BROKEN at event {id}: {why}")?,
            }
            writeln!(out, "{} items, {} audit events", r.items, r.audit_events)?;
            if !r.is_ok() {
                bail!("verification failed");
            }
            writeln!(out, "verify: ok")?;
        }
        Command::StressLog { count, seed } => {
            let actor = signed_in(store, as_staff)?;
            stress_log(store, &actor, count, seed, out)?;
        }
        Command::Demo { items, seed } => {
            let n = crate::demo::fill(store, items, seed, now())?;
            writeln!(
                out,
                "Filled {} with a synthetic practice: {n} items",
                path.display()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `stress-log`: logs generated items one at a time through [`CutoverStore::log_item`],
/// each in its own transaction, and reports each one only after its commit returned
/// (printed and flushed), so a test that kills this process knows what must be stored.
///
/// The items are generated as of the project's go-live (not the clock), so the same
/// seed on the same practice always gives the same list: a test can regenerate it
/// with [`stress_items`] and compare what was stored.
fn stress_log(
    store: &mut dyn CutoverStore,
    actor: &Actor,
    count: usize,
    seed: u64,
    out: &mut dyn Write,
) -> Result<()> {
    let project = store
        .project()?
        .context("no project is set up: run `cutover-log init` first")?;
    let list = stress_items(&project, &store.staff()?, count, seed);
    if list.len() < count {
        bail!(
            "could only generate {} of {count} items: the staff list needs a receptionist, a GP and a clinician",
            list.len()
        );
    }
    for it in &list {
        let at = Actor::staff(
            actor.staff.context("no staff member is signed in")?,
            actor.name.clone(),
            now(),
        );
        let item = store.log_item(&it.input, &at)?;
        writeln!(out, "saved {}", item.id.0)?;
        out.flush()?;
    }
    Ok(())
}

/// The synthetic items `stress-log --count COUNT --seed SEED` logs, in order, for
/// this project and staff list (NHS numbers from the 999 test range).
pub fn stress_items(
    project: &Project,
    staff: &[crate::domain::Staff],
    count: usize,
    seed: u64,
) -> Vec<crate::store::ImportedItem> {
    crate::demo::items(count, seed, project, staff, project.go_live)
}

fn import(
    store: &mut dyn CutoverStore,
    file: &Path,
    actor: &Actor,
    skip_invalid: bool,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    let staff = StaffDirectory::new(store.staff()?);
    let bytes =
        std::fs::read(file).with_context(|| format!("could not read {}", file.display()))?;
    let plan = interchange::read(
        &bytes,
        ImportContext {
            staff: &staff,
            importer: actor.staff,
            now: actor.at,
        },
    )
    .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    if !plan.rejected.is_empty() && !skip_invalid {
        for e in plan.errors() {
            eprintln!("{}: {e}", file.display());
        }
        eprintln!(
            "{} of {} rows have problems; nothing was imported. Fix them, or use --skip-invalid to import the {} good rows.",
            plan.rejected.len(),
            plan.rejected.len() + plan.items.len(),
            plan.items.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    let n = store.import_items(&plan.items, actor)?;
    writeln!(out, "Imported {n} items from {}", file.display())?;
    if !plan.rejected.is_empty() {
        let rejects = interchange::write_rejects(file, &plan)?;
        writeln!(
            out,
            "{} rows were rejected; they and their reasons are in {}",
            plan.rejected.len(),
            rejects.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn stats(store: &dyn CutoverStore, json: bool, out: &mut dyn Write) -> Result<()> {
    let s = store.stats()?;
    if json {
        let mut by_kind = serde_json::Map::new();
        for kind in ItemKind::ALL {
            let mut m = serde_json::Map::new();
            for st in Status::ALL {
                m.insert(st.code().into(), s.count(Some(kind), Some(st)).into());
            }
            let voided: u64 = s
                .voided_by_kind
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, n)| n)
                .sum();
            m.insert("voided".into(), voided.into());
            by_kind.insert(kind.code().into(), m.into());
        }
        let mut totals = serde_json::Map::new();
        for st in Status::ALL {
            totals.insert(st.code().into(), s.count(None, Some(st)).into());
        }
        totals.insert("voided".into(), s.voided().into());
        totals.insert("items".into(), s.total().into());
        let doc = serde_json::json!({ "by_kind": by_kind, "totals": totals });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<28}{:>12}{:>12}{:>12}{:>12}{:>10}",
        "kind", "outstanding", "re-entered", "not needed", "problem", "voided"
    )?;
    for kind in ItemKind::ALL {
        let voided: u64 = s
            .voided_by_kind
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, n)| n)
            .sum();
        let c = |st| s.count(Some(kind), Some(st));
        writeln!(
            out,
            "{:<28}{:>12}{:>12}{:>12}{:>12}{:>10}",
            kind.label(),
            c(Status::Outstanding),
            c(Status::ReEntered),
            c(Status::NotNeeded),
            c(Status::Problem),
            voided
        )?;
    }
    let c = |st| s.count(None, Some(st));
    writeln!(
        out,
        "{:<28}{:>12}{:>12}{:>12}{:>12}{:>10}",
        "total",
        c(Status::Outstanding),
        c(Status::ReEntered),
        c(Status::NotNeeded),
        c(Status::Problem),
        s.voided()
    )?;
    Ok(())
}

/// `encrypt` and the migrations are handled before the store is opened.
fn handled_before_opening() -> Result<()> {
    bail!("this command runs before the database is opened")
}
