//! The embedded SQLite store: one file, WAL journal, `synchronous=FULL`,
//! foreign keys on, and every user action in one IMMEDIATE transaction (it takes
//! the write lock at once, so two desks on one file wait for each other through
//! the busy handler, [`BUSY_TIMEOUT`], instead of failing mid-way).

pub mod backup;
mod dialect;
pub mod restore;
mod schema;
mod sql;
mod watch;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::sql::{Backend, Sql};
use super::{StoreError, StoreResult};
use crate::domain::staff::MIN_PASSWORD;

pub use schema::{BULK_INDEX_ROWS, LATEST_VERSION};
use sql::SqliteSql;

/// The page cache of a connection, KiB (SQLite's default, 2 MiB).
const CACHE_KIB: u32 = 2_000;
/// The page cache while many rows are written in one transaction, KiB: the
/// pages an import dirties stay in memory until the commit instead of being
/// spilled into the write-ahead log as the indexes grow (an upper bound: pages
/// are only allocated as they are used). Measured at 100,000 items (issue 30,
/// 08/12/2026): 16 MiB imports as fast as 128 MiB did, with 130 MB less at the
/// peak (100 MB against 232 MB); 4 MiB saved 20 MB more but ran a few per
/// cent slower.
const BULK_CACHE_KIB: u32 = 16 * 1024;
/// The items' indexes are built again after a bulk insert of at least one row
/// for every this many already there (measured at 100,000 items: building the
/// seven costs 5–10 µs an item in the table, keeping them up to date ~22 µs a
/// new one; into an empty log the import saved ~2 s, a capture of 90,000 rows
/// into 100,000 items broke even).
const REBUILD_FRACTION: u64 = 1;

/// A cutover log kept in one SQLite file, optionally encrypted with SQLCipher.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// Kept (never logged) so a second handle can open the same encrypted file.
    passphrase: Option<String>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

impl SqliteStore {
    /// This handle's connection, for a helper thread of the store's own.
    fn into_connection(self) -> Connection {
        self.conn
    }

    /// Opens (creating if needed) the database at `path` and brings its schema up
    /// to date. A database from a newer version is refused before anything is written.
    pub fn open(path: &Path) -> StoreResult<Self> {
        Self::open_with(path, None)
    }

    /// Opens a database that may be encrypted: `passphrase` unlocks it (SQLCipher
    /// derives the key from it with PBKDF2). A missing or wrong passphrase is
    /// reported as such and nothing is written.
    pub fn open_with(path: &Path, passphrase: Option<&str>) -> StoreResult<Self> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                path: path.to_path_buf(),
                message: format!(
                    "its folder {} does not exist and could not be created ({e}). Check the path",
                    dir.display()
                ),
            })?;
        }
        // What an encryption killed part-way left beside the log (the log
        // itself was not changed): a full-size copy nobody would find.
        backup::remove_if_left_over(&path.with_extension("encrypting"));
        // A new log is made readable by its owner only before SQLite writes to
        // it (its journals take the same mode): it holds patient data.
        if !path.exists() && std::fs::File::create_new(path).is_ok() {
            backup::private_file(path)?;
        }
        let open_err = |e: rusqlite::Error| open_failure(path, &e);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let mut conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        conn.busy_handler(Some(busy_wait)).map_err(open_err)?;
        // SQLCipher's own log would print page errors for a wrong passphrase; we
        // report that ourselves, in words.
        // Best effort, deliberately ignored: only quiets SQLCipher's own logging.
        let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
        if let Some(p) = passphrase {
            conn.pragma_update(None, "key", p).map_err(open_err)?;
        }
        // An encrypted file reads as "not a database" until the right key is given.
        if let Err(e) = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        }) {
            return Err(match (e.sqlite_error_code(), passphrase) {
                (Some(rusqlite::ErrorCode::NotADatabase), None) if could_be_encrypted(path) => {
                    StoreError::NeedsPassphrase
                }
                (Some(rusqlite::ErrorCode::NotADatabase), Some(_)) => StoreError::WrongPassphrase,
                _ => open_err(e),
            });
        }

        // Refuse a newer schema before any pragma that writes to the file.
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(open_err)?;
        if found > LATEST_VERSION {
            return Err(StoreError::NewerSchema {
                found,
                known: LATEST_VERSION,
            });
        }

        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        schema::migrations()
            .to_latest(&mut conn)
            .map_err(|e| StoreError::Migration(e.to_string()))?;
        let mut store = Self {
            conn,
            path: path.to_path_buf(),
            passphrase: passphrase.map(str::to_string),
        };
        if !store.is_read_only() {
            crate::store::deadlines::fill_missing(&mut store)?;
        }
        Ok(store)
    }

    /// Encrypts an unencrypted database in place (on request, e.g. one made by an
    /// earlier version): an encrypted copy is written beside it, then renamed over it.
    pub fn encrypt(path: &Path, passphrase: &str) -> StoreResult<()> {
        if passphrase.chars().count() < MIN_PASSWORD {
            return Err(StoreError::Invalid(vec![crate::domain::FieldError::new(
                "passphrase",
                format!("a database passphrase needs at least {MIN_PASSWORD} characters"),
            )]));
        }
        let plain = Self::open(path)?;
        let tmp = path.with_extension("encrypting");
        // A leftover from an interrupted earlier attempt, if any (none is normal).
        let _ = std::fs::remove_file(&tmp);
        let tmp_text = tmp.to_str().ok_or_else(|| StoreError::Open {
            path: tmp.clone(),
            message: "the path is not valid text".into(),
        })?;
        let exported = (|| -> StoreResult<()> {
            // The encrypted copy is the owner's only from its first byte.
            std::fs::File::create(&tmp).map_err(|e| StoreError::Open {
                path: tmp.clone(),
                message: e.to_string(),
            })?;
            backup::private_file(&tmp)?;
            plain
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            plain.conn.execute(
                "ATTACH DATABASE ?1 AS encrypted KEY ?2",
                rusqlite::params![tmp_text, passphrase],
            )?;
            plain
                .conn
                .query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
            let version = plain.schema_version()?;
            plain.conn.execute_batch(&format!(
                "PRAGMA encrypted.user_version = {version}; DETACH DATABASE encrypted;"
            ))?;
            Ok(())
        })();
        drop(plain);
        if let Err(e) = exported {
            // Half an encrypted copy is no use and holds the space a full disk needs.
            for leftover in [
                tmp.clone(),
                backup::with_suffix(&tmp, "-journal"),
                backup::with_suffix(&tmp, "-wal"),
            ] {
                let _ = std::fs::remove_file(leftover);
            }
            return Err(if matches!(e, StoreError::DiskFull) {
                StoreError::CopyNotWritten {
                    path: tmp,
                    reason: "the disk is full; the log was not encrypted and is as it was. Free some space and try again".into(),
                }
            } else {
                e
            });
        }
        let io = |e: std::io::Error| StoreError::Open {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        std::fs::rename(&tmp, path).map_err(io)?;
        for suffix in ["-wal", "-shm"] {
            let mut side = path.as_os_str().to_owned();
            side.push(suffix);
            // The plain file's WAL and index, emptied by the checkpoint above; none is normal.
            let _ = std::fs::remove_file(PathBuf::from(side));
        }
        // Check it opens with the passphrase before reporting success.
        Self::open_with(path, Some(passphrase)).map(|_| ())
    }

    /// The file this store writes to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether SQLite could open the file for reading only (a read-only file or
    /// drive): reading works, every save fails with [`StoreError::ReadOnly`].
    pub fn is_read_only(&self) -> bool {
        // Fails only for a schema name that does not exist; "main" always does.
        self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> StoreResult<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}

/// How long a change waits for another desk's (or process's) save before the
/// store gives up with [`StoreError::Busy`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The busy handler: wait for the write lock in short, varied sleeps until
/// [`BUSY_TIMEOUT`]. SQLite's own `busy_timeout` backs off to 100 ms between tries,
/// so a writer saving in a tight loop takes the lock back in the gaps and another
/// waited up to 5.5 s (measured with two `stress-log` writers) - over half the
/// timeout, after which "busy" would reach the user. Trying every 1-2 ms catches
/// the gaps between the other's transactions.
fn busy_wait(tries: i32) -> bool {
    use std::cell::Cell;
    use std::time::Instant;
    thread_local! {
        static WAITING_SINCE: Cell<Option<Instant>> = const { Cell::new(None) };
    }
    let since = WAITING_SINCE.with(|w| {
        let since = match w.get() {
            Some(t) if tries > 0 => t,
            _ => Instant::now(),
        };
        w.set(Some(since));
        since
    });
    if since.elapsed() >= BUSY_TIMEOUT {
        return false;
    }
    // Varied so that two waiting writers do not try in step.
    let micros = 1000 + u64::from(since.elapsed().subsec_nanos() % 1000);
    std::thread::sleep(Duration::from_micros(micros));
    true
}

/// Why a database could not be opened, in words: a damaged file says so (and that
/// nothing was written to it) rather than SQLite's "malformed" alone.
fn open_failure(path: &Path, e: &rusqlite::Error) -> StoreError {
    let message = match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => format!(
            "the file is damaged, or is not a Cutover Log database ({e}). Restore it from a backup; nothing was written to it"
        ),
        Some(rusqlite::ErrorCode::ReadOnly) => format!(
            "the file or its folder is read-only ({e}). Check the permissions, or whether it is on a read-only drive or share; nothing was changed"
        ),
        Some(rusqlite::ErrorCode::DiskFull) => {
            format!("the disk is full ({e}). Free some space and try again; nothing was changed")
        }
        // SQLite says only "disk I/O error" when it cannot make the log's
        // journal beside it; a full disk is the usual cause, and is checked.
        Some(rusqlite::ErrorCode::SystemIoFailure) if disk_is_full_beside(path) => format!(
            "the disk holding the log is full, so it cannot be opened ({e}). Free some space and try again; nothing was changed"
        ),
        _ => e.to_string(),
    };
    StoreError::Open {
        path: path.to_path_buf(),
        message,
    }
}

/// Whether the folder holding `path` has no room for a small file (a probe
/// written and removed at once).
fn disk_is_full_beside(path: &Path) -> bool {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let probe = dir.join(".cutover-log-space-probe");
    let full = match std::fs::write(&probe, [0u8; 4096]) {
        Err(e) => e.kind() == std::io::ErrorKind::StorageFull,
        Ok(()) => false,
    };
    // Best effort: a probe left behind is four kilobytes of zeros.
    let _ = std::fs::remove_file(&probe);
    full
}

/// Whether a file SQLite cannot read could be an encrypted database (worth asking
/// for a passphrase): SQLCipher files are whole pages of at least 512 bytes and do
/// not start with the plain SQLite header. Anything else is damaged or not ours.
fn could_be_encrypted(path: &Path) -> bool {
    use std::io::Read;
    let Ok(mut f) = std::fs::File::open(path) else {
        return true;
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut head = [0u8; 16];
    if f.read_exact(&mut head).is_err() {
        return false;
    }
    len >= 512 && len % 512 == 0 && &head != b"SQLite format 3\0"
}

impl SqliteStore {
    /// The query plan SQLite picks for a worklist page (for tests and benchmarks).
    pub fn explain_page(
        &self,
        f: &crate::domain::WorklistFilter,
        sort: crate::domain::Sort,
    ) -> StoreResult<Vec<String>> {
        let (sql, params) = crate::store::queries::page_sql(
            &dialect::SQLITE,
            crate::store::rows::ITEM_COLUMNS,
            f,
            sort,
            0,
            100,
        );
        self.read(|c| {
            c.query(&format!("EXPLAIN QUERY PLAN {sql}"), &params)?
                .iter()
                .map(|r| r.text(3))
                .collect()
        })
    }
}

impl Backend for SqliteStore {
    fn read<T>(&self, f: impl FnOnce(&mut dyn Sql) -> StoreResult<T>) -> StoreResult<T> {
        f(&mut SqliteSql(&self.conn))
    }

    fn snapshot<T>(&self, f: impl FnOnce(&mut dyn Sql) -> StoreResult<T>) -> StoreResult<T> {
        // A deferred transaction: its first read fixes the snapshot.
        let tx = self.conn.unchecked_transaction()?;
        let out = f(&mut SqliteSql(&tx))?;
        tx.commit()?;
        Ok(out)
    }

    /// IMMEDIATE: the write lock is taken at once, so two desks on one file wait
    /// for each other through the busy handler instead of failing mid-way.
    fn write<T>(&mut self, f: impl FnOnce(&mut dyn Sql) -> StoreResult<T>) -> StoreResult<T> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&mut SqliteSql(&tx))?;
        tx.commit()?;
        Ok(out)
    }

    /// Row by row, the search index costs more than everything else an import
    /// does; one pass over the new rows at the end is several times faster. When
    /// the new rows are many against the items already there, the items' other
    /// indexes are also dropped and built again at the end (one sort each rather
    /// than a B-tree insert per row per index), from their definitions as stored
    /// in this file. All of it inside the import's transaction, so no other
    /// handle ever sees an index missing, and a failed import rolls it all back.
    fn before_bulk_insert(tx: &mut dyn Sql, rows: usize) -> StoreResult<String> {
        if rows < BULK_INDEX_ROWS {
            return Ok(String::new());
        }
        let mut restore = format!(
            "{};\nPRAGMA cache_size = -{CACHE_KIB};\n",
            schema::FTS_INSERT_TRIGGER
        );
        tx.batch(&format!(
            "DROP TRIGGER items_fts_insert; PRAGMA cache_size = -{BULK_CACHE_KIB};"
        ))?;
        let before = tx.count("SELECT count(*) FROM items", &[])?;
        if rows as u64 >= before / REBUILD_FRACTION {
            let indexes = tx.query(
                "SELECT name, sql FROM sqlite_master
                 WHERE type = 'index' AND tbl_name = 'items' AND sql IS NOT NULL ORDER BY name",
                &[],
            )?;
            for index in indexes {
                tx.batch(&format!("DROP INDEX \"{}\"", index.text(0)?))?;
                restore.push_str(&index.text(1)?);
                restore.push_str(";\n");
            }
        }
        Ok(restore)
    }

    fn after_bulk_insert(tx: &mut dyn Sql, first_id: i64, restore: &str) -> StoreResult<()> {
        // Nothing to put back: the batch was too small for the hook to change anything.
        if !restore.is_empty() {
            tx.execute(
                "INSERT INTO items_fts (rowid, search_text) SELECT id, search_text FROM items WHERE id >= ?1",
                &crate::store::sql::params![first_id],
            )?;
            tx.batch(restore)?;
        }
        Ok(())
    }

    /// Freed pages are overwritten with zeros, not just unlinked.
    fn before_purge(&mut self) -> StoreResult<()> {
        Ok(self.conn.pragma_update(None, "secure_delete", "ON")?)
    }

    /// Rewrites the file and empties the WAL so no old page survives on disk.
    fn after_purge(&mut self) -> StoreResult<()> {
        self.conn.execute_batch("VACUUM;")?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// `PRAGMA integrity_check`: every page, index and constraint.
    fn integrity(&self) -> StoreResult<(bool, Vec<String>)> {
        let messages = self.read(|c| {
            c.query("PRAGMA integrity_check", &[])?
                .iter()
                .map(|r| r.text(0))
                .collect::<StoreResult<Vec<String>>>()
        })?;
        Ok((messages.len() == 1 && messages[0] == "ok", messages))
    }

    fn foreign_key_problems(&self) -> StoreResult<u64> {
        self.read(|c| Ok(c.query("PRAGMA foreign_key_check", &[])?.len() as u64))
    }

    fn open_another(&self) -> StoreResult<Box<dyn crate::store::CutoverStore + Send>> {
        Ok(Box::new(SqliteStore::open_with(
            &self.path,
            self.passphrase.as_deref(),
        )?))
    }

    fn watch_changes(
        &self,
        on_change: Box<dyn Fn() + Send>,
    ) -> StoreResult<Option<crate::store::ChangeWatch>> {
        watch::start(&self.path, self.passphrase.as_deref(), on_change).map(Some)
    }

    fn back_up(
        &self,
        dir: Option<&Path>,
        at: chrono::NaiveDateTime,
    ) -> StoreResult<Option<backup::BackupInfo>> {
        let dir = match dir {
            Some(d) => d.to_path_buf(),
            None => backup::default_dir(&self.path),
        };
        self.backup_into(&dir, at).map(Some)
    }

    fn backup_dir(&self, chosen: Option<&Path>) -> Option<std::path::PathBuf> {
        Some(chosen.map_or_else(|| backup::default_dir(&self.path), Path::to_path_buf))
    }

    fn restore_copy(
        &self,
        backup: &Path,
        to: &Path,
        actor: &crate::domain::Actor,
    ) -> StoreResult<restore::Restored> {
        restore::restore_recorded(
            backup,
            to,
            self.passphrase.as_deref(),
            Some(self),
            &mut |_| Ok(actor.clone()),
        )
    }
}
