//! The app's own backups of a log file: when it opens, every 15 minutes while
//! the log changes, and when someone signs out or the app closes. Each is made
//! on a thread with its own store handle (the window stays responsive), except
//! at sign-out and closing, which wait for it. A failing backup is shown in the
//! banner until one succeeds: never silent. On the practice server there is
//! nothing to do (its IT backs it up).

use std::path::PathBuf;

use chrono::{Duration, NaiveDateTime};

use crate::store::CutoverStore;
use crate::store::sqlite::backup::BackupInfo;

use super::background::Background;

/// How often the log is backed up while it changes.
const EVERY: Duration = Duration::minutes(15);
/// How soon a failed backup is tried again.
const RETRY: Duration = Duration::minutes(1);

type Outcome = Result<Option<BackupInfo>, String>;

/// The backups this app makes, and how the last one went.
#[derive(Default)]
pub struct AutoBackup {
    /// When the last backup succeeded (the app's clock).
    last: Option<NaiveDateTime>,
    /// When the last attempt failed.
    failed_at: Option<NaiveDateTime>,
    /// The log changed since the last backup began.
    changed: bool,
    /// Back up at the next frame if anything changed (someone else took the desk).
    asap: bool,
    running: Option<Background<Option<BackupInfo>>>,
    /// The practice server: nothing to back up here.
    off: bool,
    /// Why the last attempt failed, shown in the banner until one succeeds.
    pub failing: Option<String>,
    /// Where backups go when not the `backups` folder beside the log.
    pub dir: Option<PathBuf>,
    /// The last backup made, for the status line and tests.
    pub made: Option<BackupInfo>,
}

impl AutoBackup {
    /// The log changed (here or at another desk).
    pub fn log_changed(&mut self) {
        self.changed = true;
    }

    /// Someone else took over the desk: what the last person did is backed up
    /// at once, on a thread (the new person is not kept waiting).
    pub fn soon(&mut self) {
        self.asap = true;
    }

    /// Whether a backup is being written.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    fn due(&self, now: NaiveDateTime) -> bool {
        if self.off || self.running.is_some() {
            return false;
        }
        if let Some(failed) = self.failed_at {
            return now - failed >= RETRY;
        }
        if self.asap && self.changed {
            return true;
        }
        match self.last {
            None => true,
            Some(t) => self.changed && now - t >= EVERY,
        }
    }

    /// When the next backup falls due, if one will (to wake the app then).
    pub fn next_due(&self, now: NaiveDateTime) -> Option<std::time::Duration> {
        if self.off {
            return None;
        }
        let at = match (self.failed_at, self.last) {
            (Some(f), _) => f + RETRY,
            (None, Some(t)) if self.changed => t + EVERY,
            _ => return None,
        };
        Some(std::time::Duration::from_secs(
            u64::try_from((at - now).num_seconds()).unwrap_or(0).max(1),
        ))
    }

    fn take(&mut self, outcome: Outcome, now: NaiveDateTime) {
        match outcome {
            Ok(Some(info)) => {
                self.last = Some(now);
                self.failed_at = None;
                self.failing = None;
                self.made = Some(info);
            }
            Ok(None) => self.off = true,
            Err(why) => {
                self.failed_at = Some(now);
                self.changed = true;
                self.failing = Some(why);
            }
        }
    }

    /// Each frame: picks up a finished backup, and starts one when due.
    pub fn tick(&mut self, store: &dyn CutoverStore, now: NaiveDateTime) {
        if let Some(job) = &self.running {
            let Some(outcome) = job.finished() else {
                return;
            };
            self.running = None;
            self.take(outcome, now);
        }
        if !self.due(now) {
            return;
        }
        let another = match store.open_another() {
            Ok(s) => s,
            Err(e) => return self.take(Err(e.to_string()), now),
        };
        let dir = self.dir.clone();
        self.changed = false;
        self.asap = false;
        let job = Background::start("backup", move || {
            another
                .back_up(dir.as_deref(), now)
                .map_err(|e| e.to_string())
        });
        match job {
            Ok(job) => self.running = Some(job),
            Err(e) => self.take(Err(e), now),
        }
    }

    /// At sign-out and closing: waits for a backup being written, then makes one
    /// if anything changed since, here and now.
    pub fn now_and_wait(&mut self, store: &dyn CutoverStore, now: NaiveDateTime) {
        if let Some(job) = self.running.take() {
            self.take(job.wait(), now);
        }
        if self.off || !(self.changed || self.last.is_none()) {
            return;
        }
        self.changed = false;
        let outcome = store
            .back_up(self.dir.as_deref(), now)
            .map_err(|e| e.to_string());
        self.take(outcome, now);
    }

    /// The banner's line while backups fail.
    pub fn warning(&self) -> Option<String> {
        self.failing.as_ref().map(|why| {
            format!(
                "BACKUP FAILED: {why}. The log itself is safe; it is tried again every minute (check the backup folder: a network share offline, a full disk)."
            )
        })
    }
}
