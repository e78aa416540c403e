//! Shared by the reliability tests (crash, concurrency, environments): the
//! `stress-log` writer as a child process, reading back what it reported, and the
//! checks that a database is whole. Every NHS number is from the 999 test range.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cutover_log::domain::{Item, ItemId, Status};
use cutover_log::store::{CutoverStore, ImportedItem, SqliteStore};

use super::common::TEST_PASSWORD;

/// The staff member the writers sign in as (a receptionist: may log items).
pub const WRITER: &str = "Test Receptionist";

/// A small seeded generator (xorshift64*) for kill timings: the seed is printed so
/// a failing run can be repeated with CUTOVER_CRASH_SEED.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    /// From CUTOVER_CRASH_SEED, or the clock.
    pub fn from_env_or_time() -> (Self, u64) {
        let seed = std::env::var("CUTOVER_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
        (Self::new(seed), seed)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// `cutover-log --db PATH --as WRITER stress-log --count N --seed S` as a command.
pub fn stress_command(db: &Path, count: usize, seed: u64) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cutover-log"));
    c.env("CUTOVER_LOG_PASSWORD", TEST_PASSWORD)
        .env_remove("CUTOVER_LOG_DB_PASSPHRASE")
        .arg("--db")
        .arg(db)
        .arg("--as")
        .arg(WRITER)
        .arg("stress-log")
        .arg("--count")
        .arg(count.to_string())
        .arg("--seed")
        .arg(seed.to_string());
    c
}

/// A running writer: its stdout is read line by line on a thread.
pub struct Writer {
    pub child: Child,
    pub started: Instant,
    /// Receives the time of the first `saved` line.
    pub first: mpsc::Receiver<Instant>,
    reader: Option<JoinHandle<Vec<(i64, Instant)>>>,
    stderr: Option<JoinHandle<String>>,
}

/// What a writer reported: ids it said were saved (complete lines only), when, and
/// its stderr.
pub struct Report {
    pub saved: Vec<(i64, Instant)>,
    pub stderr: String,
}

impl Report {
    pub fn ids(&self) -> Vec<i64> {
        self.saved.iter().map(|(id, _)| *id).collect()
    }
    /// The longest time between two consecutive reports (a writer waiting for the lock).
    pub fn longest_gap(&self) -> Duration {
        self.saved
            .windows(2)
            .map(|w| w[1].1 - w[0].1)
            .max()
            .unwrap_or_default()
    }
}

impl Writer {
    pub fn spawn(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start cutover-log");
        let started = Instant::now();
        let out = child.stdout.take().expect("stdout");
        let err = child.stderr.take().expect("stderr");
        let (tx, first) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut r = BufReader::new(out);
            let mut saved = Vec::new();
            let mut line = String::new();
            loop {
                line.clear();
                match r.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                // Only a whole line counts: it was printed and flushed after the commit.
                let Some(text) = line.strip_suffix('\n') else {
                    break;
                };
                let id: i64 = text
                    .strip_prefix("saved ")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("unexpected output line {text:?}"));
                let now = Instant::now();
                if saved.is_empty() {
                    let _ = tx.send(now);
                }
                saved.push((id, now));
            }
            saved
        });
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut BufReader::new(err), &mut s);
            s
        });
        Self {
            child,
            started,
            first,
            reader: Some(reader),
            stderr: Some(stderr),
        }
    }

    /// SIGKILL (what `Child::kill` sends on Unix), then everything it had reported.
    pub fn kill(mut self) -> Report {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.collect()
    }

    /// Waits for it to finish: its exit status and report.
    pub fn wait(mut self) -> (std::process::ExitStatus, Report) {
        let status = self.child.wait().expect("wait");
        (status, self.collect())
    }

    fn collect(&mut self) -> Report {
        Report {
            saved: self
                .reader
                .take()
                .map(|h| h.join().expect("reader"))
                .unwrap_or_default(),
            stderr: self
                .stderr
                .take()
                .map(|h| h.join().expect("stderr"))
                .unwrap_or_default(),
        }
    }
}

/// A raw connection for the checks the store does not expose.
pub fn raw(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db).expect("raw open")
}

/// Everything a reopened database must satisfy whatever happened to its writers:
/// `PRAGMA integrity_check` is ok, `verify` is ok (hash chain intact, every item has
/// its creation event), and each item has exactly one `item.logged` event. Returns
/// the item count.
pub fn assert_whole(db: &Path) -> u64 {
    let store = SqliteStore::open(db).expect("reopen after the writer");
    let conn = raw(db);
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(integrity, "ok", "PRAGMA integrity_check");
    let r = store.verify().expect("verify");
    assert!(r.is_ok(), "verify failed: {r:?}");
    let items: u64 = conn
        .query_row("SELECT count(*) FROM items", [], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
        .expect("count");
    let not_one: u64 = conn
        .query_row(
            "SELECT count(*) FROM items i WHERE (SELECT count(*) FROM audit_events a
               WHERE a.entity = 'item' AND a.entity_id = i.id AND a.action = 'item.logged') != 1",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n as u64)
        .expect("events per item");
    assert_eq!(not_one, 0, "items without exactly one item.logged event");
    let logged: u64 = conn
        .query_row(
            "SELECT count(*) FROM audit_events WHERE action = 'item.logged'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n as u64)
        .expect("logged events");
    assert_eq!(logged, items, "one item.logged event per item");
    items
}

/// Asserts the stored item `id` is exactly the `k`-th generated one, complete: the
/// same content, logged by the writer, outstanding, not voided, version 1.
pub fn assert_item_is(store: &SqliteStore, id: i64, expected: &ImportedItem, writer_id: i64) {
    let item: Item = store
        .item(ItemId(id))
        .unwrap_or_else(|e| panic!("item {id} reported saved but not readable: {e}"));
    assert_eq!(item.input, expected.input, "item {id}'s content");
    assert_eq!(item.logged_by.0, writer_id, "item {id}'s logger");
    assert_eq!(item.reentry.status, Status::Outstanding);
    assert!(item.void.is_none());
    assert_eq!(item.version, 1);
}
