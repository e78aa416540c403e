//! Commands on the log as a whole, which open it themselves: `encrypt` (the file
//! is rewritten), `backup` and `restore`, and the migrations between a file and
//! the practice server.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::domain::Actor;
use crate::store::open::{self, LogLocation};
use crate::store::transfer::{Transfer, copy_log};
use crate::store::{CutoverStore, SqliteStore};

use super::{open_log, password, signed_in};

/// Only the practice manager may move, copy or encrypt the whole log.
fn require_manager(store: &mut dyn CutoverStore, actor: &Actor, what: &str) -> Result<()> {
    // The store's one rule, its refusal audited.
    store
        .check_permission(actor, crate::domain::permissions::Action::ManageProject)
        .with_context(|| format!("only the practice manager can {what}"))
}

/// `backup`: the log file, checked, into a folder (a signed-in member of staff:
/// a backup holds patient data, and who made it is recorded).
pub(super) fn backup(
    db: Option<&Path>,
    server: Option<&str>,
    as_staff: Option<&str>,
    to: Option<&Path>,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    if server.is_some() {
        bail!(
            "backup applies to a database file; the practice server is backed up by its IT with pg_dump (see the README), or copied and checked with migrate-from-server"
        );
    }
    let path = open::file_path(db)?;
    let dir = match to {
        Some(d) => d.to_path_buf(),
        None => crate::store::sqlite::backup::default_dir(&path),
    };
    let mut log = open_log(&LogLocation::File(path))?;
    let actor = signed_in(log.store_mut(), as_staff)?;
    // A copy of the whole log outside the practice's backup folder takes it
    // out of the practice's hands: the practice manager's to make (issue 31 #12).
    let store = log.store_mut();
    let chosen = store.backup_folder()?.map(std::path::PathBuf::from);
    let practice_folder = store.backup_dir(chosen.as_deref());
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    };
    if !practice_folder.as_deref().is_some_and(|f| same(f, &dir)) {
        require_manager(
            store,
            &actor,
            "back up outside the practice's backup folder",
        )?;
    }
    store.record_event(
        &actor,
        crate::domain::AuditAction::LogBackedUp,
        &format!("to {}", dir.display()),
    )?;
    let open::OpenLog::File(store) = &log else {
        bail!("backup applies to a database file");
    };
    let info = store.backup_into(&dir, actor.at)?;
    writeln!(
        out,
        "Backed up to {}: {} items, checked; the audit trail up to {}.",
        info.file.display(),
        info.items,
        info.anchor.as_deref().unwrap_or("(no events)")
    )?;
    if info.cleared > 0 {
        writeln!(
            out,
            "Removed what {} interrupted backups had left in {} (never listed as backups).",
            info.cleared,
            dir.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `restore`: a backup into a new log file, checked against the head recorded
/// beside it and against the live log (`--db`/`--server`, when there is one);
/// only the practice manager of the restored log (signed in on it, `--as`)
/// may restore, and the new file records that they did and from where.
/// Anything refused: nothing is left behind (issue 31 #7).
pub(super) fn restore(
    db: Option<&Path>,
    server: Option<&str>,
    backup: &Path,
    to: &Path,
    as_staff: Option<&str>,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    use crate::store::sqlite::restore::restore_recorded;
    // The live log to compare with, if there is one to open.
    let live = match LogLocation::from_args(db, server) {
        Ok(LogLocation::File(path)) if !path.exists() => None,
        Ok(location) => match open_log(&location) {
            Ok(log) => Some(log),
            Err(e) => {
                writeln!(
                    out,
                    "The live log could not be opened to compare the backup with ({e}); the backup is checked on its own."
                )?;
                None
            }
        },
        Err(_) => None,
    };
    let live_store = live.as_ref().map(|l| l.store());
    let mut passphrase = std::env::var(open::PASSPHRASE_VAR).ok();
    let mut who = |copy: &mut SqliteStore| -> crate::store::StoreResult<Actor> {
        let actor = signed_in(copy, as_staff)
            .map_err(|e| crate::store::StoreError::NotPermitted(e.to_string()))?;
        // The refusal is recorded in the copy, which is then removed.
        copy.check_permission(&actor, crate::domain::permissions::Action::ManageProject)
            .map_err(|_| {
                crate::store::StoreError::NotPermitted(
                    "only the practice manager can restore a backup".into(),
                )
            })?;
        Ok(actor)
    };
    let restored =
        match restore_recorded(backup, to, passphrase.as_deref(), live_store, &mut who) {
            Err(crate::store::StoreError::NeedsPassphrase) => {
                let pass = password(open::PASSPHRASE_VAR, "The backup's database passphrase: ")?;
                passphrase = Some(pass);
                restore_recorded(backup, to, passphrase.as_deref(), live_store, &mut who)
            }
            other => other,
        }
        .with_context(|| format!("nothing was restored into {}", to.display()))?;
    for finding in &restored.findings {
        writeln!(out, "{finding}")?;
    }
    writeln!(
        out,
        "Restored {} into {}: {} items, checked. Open it with --db {} (the live log was not touched).",
        backup.display(),
        to.display(),
        restored.info.items,
        to.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `encrypt`: the file, with a new passphrase (the practice manager).
pub(super) fn encrypt(
    db: Option<&Path>,
    server: Option<&str>,
    as_staff: Option<&str>,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    if server.is_some() {
        bail!(
            "encrypt applies to a database file; a practice server is protected by the server's own disk encryption and access control"
        );
    }
    let path = open::file_path(db)?;
    let mut log = open_log(&LogLocation::File(path.clone()))?;
    let store = log.store_mut();
    let actor = signed_in(store, as_staff)?;
    require_manager(store, &actor, "encrypt the database")?;
    let chosen = store.backup_folder()?.map(std::path::PathBuf::from);
    let backups = store.backup_dir(chosen.as_deref());
    drop(log);
    let pass = password("CUTOVER_LOG_NEW_DB_PASSPHRASE", "New database passphrase: ")?;
    SqliteStore::encrypt(&path, &pass)?;
    // The backups made before are plain copies of the log: encrypted too.
    if let Some(dir) = backups.filter(|d| d.exists()) {
        let n = crate::store::sqlite::backup::encrypt_plain_backups(&dir, &pass).with_context(
            || {
                format!(
                    "the log is encrypted, but the backups made before in {} are still in plain text (every patient's details, unencrypted): remove them",
                    dir.display()
                )
            },
        )?;
        if n > 0 {
            writeln!(
                out,
                "{n} backups made before in {} were encrypted with the same passphrase.",
                dir.display()
            )?;
        }
    }
    // Recorded once it is done (a refused or failed encryption records no
    // "encrypted"), in the encrypted log.
    SqliteStore::open_with(&path, Some(&pass))?.record_event(
        &actor,
        crate::domain::AuditAction::DatabaseEncrypted,
        "encrypted with a practice passphrase",
    )?;
    writeln!(
        out,
        "Encrypted {}. Keep the passphrase safe: without it the log cannot be opened.",
        path.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The server the migrations need, or why not.
fn needs_server(server: Option<&str>) -> Result<&str> {
    server.context("this command needs --server URL (the practice server) and --db FILE")
}

/// `migrate-to-server`: the file's log onto the (empty) practice server.
pub(super) fn migrate_to_server(
    db: Option<&Path>,
    server: Option<&str>,
    as_staff: Option<&str>,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    let url = needs_server(server)?;
    let path = db.context("migrate-to-server needs --db FILE (the log to move)")?;
    if !path.exists() {
        bail!("{} does not exist", path.display());
    }
    let mut from = open_log(&LogLocation::File(path.to_path_buf()))?;
    let mut to = open_log(&LogLocation::Server(url.to_string()))?;
    let description = format!(
        "from {} to the practice server {}",
        path.display(),
        to.describe()
    );
    migrate(from.transfer(), to.transfer(), as_staff, &description, out)
}

/// `migrate-from-server`: the practice server's log into a new file.
pub(super) fn migrate_from_server(
    db: Option<&Path>,
    server: Option<&str>,
    as_staff: Option<&str>,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    let url = needs_server(server)?;
    let path = db.context("migrate-from-server needs --db FILE (a new file to write)")?;
    if path.exists() {
        bail!("{} already exists: choose a new file", path.display());
    }
    let mut from = open_log(&LogLocation::Server(url.to_string()))?;
    let mut to = open::new_file(path)?;
    let description = format!(
        "from the practice server {} to {}",
        from.describe(),
        path.display()
    );
    let result = migrate(from.transfer(), to.transfer(), as_staff, &description, out);
    if result.is_err() {
        drop(to);
        // Nothing half-written is left behind.
        if let Err(e) = std::fs::remove_file(path) {
            eprintln!(
                "Could not remove the unfinished copy {}: {e}. Delete it before trying again.",
                path.display()
            );
        }
    }
    result
}

/// Copies the whole log `from` one store `to` another (empty) one and checks the
/// copy, as the practice manager; the copy is recorded in the log first.
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
