//! Moving committed pages from the write-ahead log into the database file on a
//! thread of its own, so that no save waits for it.
//!
//! With SQLite's default, the commit that takes the log past 1,000 pages also
//! copies them all into the database and fsyncs it: one save in every hundred
//! or so took several milliseconds. Here the writing connection only
//! checkpoints as a backstop (at [`BACKSTOP_PAGES`]) and this thread runs a
//! PASSIVE checkpoint (it never blocks a writer) every [`INTERVAL`]. Durability
//! is unchanged: a commit is on disk once its log frames are fsynced; a
//! checkpoint only moves them.

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How often the log is checkpointed while the store is open.
pub const INTERVAL: Duration = Duration::from_millis(250);
/// The writing connection checkpoints itself only if the log reaches this many
/// pages (the thread has fallen behind, e.g. a long import in one transaction).
pub const BACKSTOP_PAGES: i64 = 20_000;

/// The checkpoint thread of one open store; stops (after a last checkpoint)
/// when dropped.
pub struct Checkpointer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on its own connection to `path`. It is only an
    /// optimisation: if it cannot start or open, SQLite's own checkpoints at
    /// the backstop still bound the log.
    pub fn start(path: PathBuf, passphrase: Option<String>) -> Option<Self> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("wal-checkpoint".into())
            .spawn(move || {
                let Some(conn) = connect(&path, passphrase.as_deref()) else {
                    return;
                };
                loop {
                    let last = match stopped.recv_timeout(INTERVAL) {
                        Err(RecvTimeoutError::Timeout) => false,
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => true,
                    };
                    // Busy (another checkpoint running) or a locked reader: try next time.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    if last {
                        return;
                    }
                }
            })
            .ok()?;
        Some(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

fn connect(path: &std::path::Path, passphrase: Option<&str>) -> Option<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).ok()?;
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    if let Some(p) = passphrase {
        conn.pragma_update(None, "key", p).ok()?;
    }
    conn.busy_timeout(Duration::from_millis(100)).ok()?;
    // A checkpoint with synchronous=FULL fsyncs the database file after copying.
    conn.pragma_update(None, "synchronous", "FULL").ok()?;
    Some(conn)
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
