//! Noticing changes to a log file made through another connection (another desk
//! on the same file, the command line, a second handle of this app) without
//! re-reading on a timer: a thread with its own connection asks SQLite's
//! `PRAGMA data_version` once a second (a counter in shared memory: microseconds,
//! no disk read) and wakes the app only when it moved. So an idle desk draws
//! nothing until something changes.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rusqlite::Connection;

use crate::store::{ChangeWatch, StoreError, StoreResult};

/// How often the counter is read.
const POLL: Duration = Duration::from_secs(1);

/// The app's own re-read with a watch running: rarely, as a safety net.
pub const FALLBACK: Duration = Duration::from_secs(300);

/// Starts watching the file at `path`; fails only if it cannot be opened.
pub(super) fn start(
    path: &Path,
    passphrase: Option<&str>,
    on_change: Box<dyn Fn() + Send>,
) -> StoreResult<ChangeWatch> {
    let conn = super::SqliteStore::open_with(path, passphrase)?.into_connection();
    let mut last = data_version(&conn)?;
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    std::thread::Builder::new()
        .name("cutover-log file watch".into())
        .spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                std::thread::sleep(POLL);
                // A failed read (the file briefly locked) is tried again next time.
                if let Ok(v) = data_version(&conn)
                    && v != last
                {
                    last = v;
                    on_change();
                }
            }
        })
        .map_err(|e| StoreError::WriteFailed(format!("could not start watching the log: {e}")))?;
    Ok(ChangeWatch::new(stop).with_fallback(FALLBACK))
}

fn data_version(conn: &Connection) -> StoreResult<i64> {
    Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
}
