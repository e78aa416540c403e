//! Backups of a single-desk log, and restoring one. A backup is made with
//! SQLite's online backup API (never a plain copy of a live file), encrypted
//! with the log's own passphrase when it has one, written under a temporary
//! name and renamed only when whole and flushed (a process killed mid-backup
//! leaves the earlier backups and the live log as they were), then opened and
//! verified. Beside each, a small JSON file records when it was made, how many
//! items it holds and the audit chain's head (`N:HASH`, for `verify --against`).
//! The last [`KEEP_LAST`] are kept, and the newest of each day. Each copy is
//! readable by its owner only. A restore ([`super::restore`]) writes a new
//! file, never over a live log.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};

use super::SqliteStore;
use crate::store::{CutoverStore, StoreError, StoreResult};

/// How many of the newest backups are always kept.
pub const KEEP_LAST: usize = 48;

/// The start of every backup's file name.
const PREFIX: &str = "cutover-log-backup-";

/// What a backup holds, as recorded beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupInfo {
    pub file: PathBuf,
    pub at: NaiveDateTime,
    pub items: u64,
    /// The audit chain's head in the backup (`N:HASH`), if it has events.
    pub anchor: Option<String>,
    /// What interrupted backups had left in the folder, removed by this one
    /// (said, never recorded).
    #[serde(skip)]
    pub cleared: usize,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Open {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Where a log's backups go unless told: the `backups` folder beside it.
pub fn default_dir(log: &Path) -> PathBuf {
    log.parent()
        .unwrap_or_else(|| Path::new("."))
        .join("backups")
}

/// The JSON file beside a backup.
fn info_path(backup: &Path) -> PathBuf {
    let mut p = backup.as_os_str().to_owned();
    p.push(".json");
    PathBuf::from(p)
}

/// Copies the database `from` into a new file at `to` with the online backup
/// API (keyed like the source), under a temporary name renamed when whole.
fn copy_online(from: &Connection, to: &Path, passphrase: Option<&str>) -> StoreResult<()> {
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let partial = to.with_file_name(format!(".{name}.partial"));
    // A leftover of a backup killed part-way, if any (none is normal).
    let _ = std::fs::remove_file(&partial);
    let written = (|| -> StoreResult<()> {
        {
            // Made private before SQLite writes to it (its journals take the
            // same mode): a copy of the log is patient data.
            std::fs::File::create(&partial).map_err(io(&partial))?;
            private_file(&partial)?;
            let mut dst = Connection::open(&partial)?;
            if let Some(p) = passphrase {
                dst.pragma_update(None, "key", p)?;
            }
            let backup = rusqlite::backup::Backup::new(from, &mut dst)?;
            backup.run_to_completion(512, std::time::Duration::ZERO, None)?;
        }
        let full_or = |path: &Path, e: std::io::Error| match e.kind() {
            std::io::ErrorKind::StorageFull => StoreError::DiskFull,
            _ => io(path)(e),
        };
        std::fs::File::open(&partial)
            .and_then(|f| f.sync_all())
            .map_err(|e| full_or(&partial, e))?;
        std::fs::rename(&partial, to).map_err(|e| full_or(to, e))
    })();
    written.map_err(|e| {
        // A half-written copy would only hold the space a full disk needs.
        let _ = std::fs::remove_file(&partial);
        let _ = std::fs::remove_file(partial.with_file_name(format!(".{name}.partial-journal")));
        let reason = match e {
            StoreError::DiskFull => "the disk is full".to_string(),
            other => other.to_string(),
        };
        StoreError::CopyNotWritten {
            path: to.to_path_buf(),
            reason,
        }
    })
}

/// Opens a copy and checks it whole (integrity, audit chain, every row against
/// its history); removes it if it does not verify.
fn checked(file: &Path, passphrase: Option<&str>, at: NaiveDateTime) -> StoreResult<BackupInfo> {
    let result = (|| {
        let copy = SqliteStore::open_with(file, passphrase)?;
        let report = copy.verify()?;
        if !report.is_ok() {
            return Err(StoreError::Corrupt(
                "the copy did not verify; it was removed".into(),
            ));
        }
        Ok(BackupInfo {
            file: file.to_path_buf(),
            at,
            items: report.items,
            anchor: copy.chain_anchor()?.map(|a| a.text()),
            cleared: 0,
        })
    })();
    if result.is_err() {
        // A copy that cannot be trusted is not left to be restored from.
        let _ = std::fs::remove_file(file);
    }
    result
}

impl SqliteStore {
    /// Backs the log up into `dir` (made if missing) as of `at`, checks the
    /// backup, records what it holds beside it, and prunes older backups.
    pub fn backup_into(&self, dir: &Path, at: NaiveDateTime) -> StoreResult<BackupInfo> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let stamp = at.format("%Y-%m-%d_%H%M%S").to_string();
        let mut file = dir.join(format!("{PREFIX}{stamp}.sqlite3"));
        for n in 2.. {
            if !file.exists() {
                break;
            }
            file = dir.join(format!("{PREFIX}{stamp}-{n}.sqlite3"));
        }
        copy_online(&self.conn, &file, self.passphrase.as_deref())?;
        let info = checked(&file, self.passphrase.as_deref(), at)?;
        let json =
            serde_json::to_string_pretty(&info).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        crate::reports::atomic::write_atomically(&info_path(&file), |w| {
            std::io::Write::write_all(w, json.as_bytes())
        })
        .map_err(|e| {
            // Unlisted without its record, it would never be pruned.
            let _ = std::fs::remove_file(&file);
            StoreError::CopyNotWritten {
                path: info_path(&file),
                reason: match e.kind() {
                    std::io::ErrorKind::StorageFull => "the disk is full".to_string(),
                    _ => e.to_string(),
                },
            }
        })?;
        let cleared = prune(dir)?;
        Ok(BackupInfo { cleared, ..info })
    }
}

/// What was recorded beside `backup` when it was made (its time, item count
/// and audit trail head), if the record is there and reads.
pub fn recorded(backup: &Path) -> Option<BackupInfo> {
    std::fs::read_to_string(info_path(backup))
        .ok()
        .and_then(|t| serde_json::from_str::<BackupInfo>(&t).ok())
}

/// The record of a backup, given the backup or the record file beside it.
pub fn record_of(path: &Path) -> Option<BackupInfo> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|t| serde_json::from_str::<BackupInfo>(&t).ok())
    } else {
        recorded(path)
    }
}

/// The backups in `dir`, newest first (those whose record beside them reads).
pub fn list(dir: &Path) -> StoreResult<Vec<BackupInfo>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(dir)(e)),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let is_backup = name
            .as_deref()
            .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(".sqlite3"));
        if !is_backup {
            continue;
        }
        let recorded = std::fs::read_to_string(info_path(&path))
            .ok()
            .and_then(|t| serde_json::from_str::<BackupInfo>(&t).ok());
        if let Some(mut info) = recorded {
            let written = entry.metadata().and_then(|m| m.modified()).ok();
            info.file = path;
            out.push((info, written));
        }
    }
    // Newest first; two made in the same second, the later written first.
    out.sort_by(|(a, wa), (b, wb)| b.at.cmp(&a.at).then(wb.cmp(wa)));
    Ok(out.into_iter().map(|(info, _)| info).collect())
}

/// How old an unrecorded copy must be before it is taken for the leftover of
/// a killed backup (a backup's own check takes seconds).
const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Encrypts, with `passphrase`, every backup in `dir` still in plain text
/// (made before the log was encrypted), each in place with its record beside
/// it unchanged (the same history): a plain copy of the log left behind would
/// undo the encryption (issue 31 #11). Returns how many it encrypted.
pub fn encrypt_plain_backups(dir: &Path, passphrase: &str) -> StoreResult<usize> {
    let mut done = 0;
    for b in list(dir)? {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let plain = Connection::open_with_flags(&b.file, flags)
            .and_then(|c| c.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())))
            .is_ok();
        if plain {
            SqliteStore::encrypt(&b.file, passphrase)?;
            private_file(&b.file)?;
            done += 1;
        }
    }
    Ok(done)
}

/// Removes `path` when it is older than [`LEFTOVER_AGE`] (what a killed
/// encryption or copy left, never something still being written).
pub(crate) fn remove_if_left_over(path: &Path) {
    let old = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| std::time::SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age > LEFTOVER_AGE);
    if old {
        // Best effort: a leftover that stays is harmless, only wasted space.
        let _ = std::fs::remove_file(path);
    }
}

/// `path` with `suffix` added to its name (SQLite's `-wal`, `-shm`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// Which backups to keep: the newest [`KEEP_LAST`], and the newest of each day.
pub fn to_keep(backups: &[BackupInfo]) -> Vec<bool> {
    let mut days = std::collections::HashSet::new();
    backups
        .iter()
        .enumerate()
        .map(|(n, b)| {
            let first_of_day = days.insert(b.at.date());
            n < KEEP_LAST || first_of_day
        })
        .collect()
}

/// Removes the backups [`to_keep`] does not keep (newest first in `list`), and
/// what backups killed part-way left.
/// Returns how many leftovers of interrupted backups it removed.
fn prune(dir: &Path) -> StoreResult<usize> {
    let now = std::time::SystemTime::now();
    let mut cleared = 0;
    for entry in std::fs::read_dir(dir).map_err(io(dir))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        // Best effort: a leftover stays harmless (never listed as a backup).
        if name.starts_with(&format!(".{PREFIX}"))
            && (name.ends_with(".partial") || name.ends_with(".partial-journal"))
        {
            cleared += usize::from(std::fs::remove_file(&path).is_ok());
            continue;
        }
        // A whole copy killed before its check recorded it (no record beside
        // it): unlisted, full-size, for ever — removed with its -wal/-shm once
        // it is clearly not another desk's backup still being checked.
        let unrecorded =
            name.starts_with(PREFIX) && name.ends_with(".sqlite3") && !info_path(&path).exists();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > LEFTOVER_AGE);
        if unrecorded && old {
            cleared += usize::from(std::fs::remove_file(&path).is_ok());
            for f in [with_suffix(&path, "-wal"), with_suffix(&path, "-shm")] {
                let _ = std::fs::remove_file(f);
            }
        }
    }
    let backups = list(dir)?;
    for (b, keep) in backups.iter().zip(to_keep(&backups)) {
        if !keep {
            std::fs::remove_file(&b.file).map_err(io(&b.file))?;
            // The record goes with it (and a missing one is no matter).
            let _ = std::fs::remove_file(info_path(&b.file));
        }
    }
    Ok(cleared)
}

/// Copies `backup` into a new file `to`, keyed like the backup, and checks it
/// whole (the backup itself is only read). [`super::restore::restore_recorded`]
/// is the restore every front end runs.
pub(super) fn restore_copy_checked(
    backup: &Path,
    to: &Path,
    passphrase: Option<&str>,
    at: NaiveDateTime,
) -> StoreResult<BackupInfo> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let src = Connection::open_with_flags(backup, flags)?;
    if let Some(p) = passphrase {
        src.pragma_update(None, "key", p)?;
    }
    if let Err(e) = src.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        return Err(match (e.sqlite_error_code(), passphrase) {
            (Some(rusqlite::ErrorCode::NotADatabase), None) => StoreError::NeedsPassphrase,
            (Some(rusqlite::ErrorCode::NotADatabase), Some(_)) => StoreError::WrongPassphrase,
            _ => e.into(),
        });
    }
    copy_online(&src, to, passphrase)?;
    checked(to, passphrase, at)
}

/// Makes `path` readable and writable by its owner only (0600 on Unix; on
/// Windows a file in the user's own folders is private by its folder's ACL):
/// a copy of the log holds every patient's details, as an export does.
pub(crate) fn private_file(path: &Path) -> StoreResult<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io(path))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_killed_backup_left_is_removed_once_it_is_clearly_not_being_checked() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = |name: &str, age_secs: u64| {
            let p = dir.path().join(name);
            std::fs::write(&p, b"x").unwrap_or_else(|e| panic!("{e}"));
            let then = std::time::SystemTime::now() - std::time::Duration::from_secs(age_secs);
            std::fs::File::options()
                .write(true)
                .open(&p)
                .and_then(|f| f.set_modified(then))
                .unwrap_or_else(|e| panic!("{e}"));
            p
        };
        let left = file(&format!("{PREFIX}2026-12-07_091500.sqlite3"), 3600);
        let left_wal = file(&format!("{PREFIX}2026-12-07_091500.sqlite3-wal"), 3600);
        let journal = file(
            &format!(".{PREFIX}2026-12-07_091500.sqlite3.partial-journal"),
            10,
        );
        let being_checked = file(&format!("{PREFIX}2026-12-08_091500.sqlite3"), 5);
        let cleared = prune(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            cleared, 2,
            "the unrecorded copy and the partial journal, counted to be said"
        );
        assert!(
            !left.exists() && !left_wal.exists(),
            "an hour-old unrecorded copy goes"
        );
        assert!(!journal.exists(), "a partial journal goes");
        assert!(
            being_checked.exists(),
            "a copy seconds old may be another desk's, being checked"
        );
        // What a killed encryption left beside the log: gone at the next
        // start once old, kept while it may still be being written.
        let killed = file("log.encrypting", 3600);
        let running = file("other.encrypting", 5);
        remove_if_left_over(&killed);
        remove_if_left_over(&running);
        assert!(!killed.exists() && running.exists());
    }

    fn info(at: &str) -> BackupInfo {
        BackupInfo {
            file: PathBuf::from(at),
            at: crate::domain::dates::from_iso(at).unwrap_or_default(),
            items: 0,
            anchor: None,
            cleared: 0,
        }
    }

    #[test]
    fn the_last_48_are_kept_and_the_newest_of_each_day() {
        // Every 15 minutes for three days, newest first.
        let start = crate::domain::dates::from_iso("2026-12-01T00:00").unwrap_or_default();
        let backups: Vec<BackupInfo> = (0..288)
            .rev()
            .map(|n| {
                let at = start + chrono::Duration::minutes(15 * n);
                info(&crate::domain::dates::iso_date_time(at))
            })
            .collect();
        let keep = to_keep(&backups);
        let kept: Vec<&BackupInfo> = backups
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(b, _)| b)
            .collect();
        assert_eq!(
            kept.len(),
            KEEP_LAST + 2,
            "48, then one for each earlier day"
        );
        assert!(keep[..KEEP_LAST].iter().all(|k| *k));
        let days: std::collections::BTreeSet<_> = kept.iter().map(|b| b.at.date()).collect();
        assert_eq!(days.len(), 3);
    }
}
