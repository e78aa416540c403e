//! Restoring a backup into a new log file, for every front end. The copy is
//! made under a staging name beside the new file and becomes the new file
//! only when everything below has passed, so a restore killed part-way leaves
//! nothing in the way of the next (which clears the staging files):
//! 1. the backup is copied (keyed like it) and verified whole;
//! 2. the copy must hold the audit trail head recorded beside the backup when
//!    it was made (a backup re-hashed or cut short since is refused);
//! 3. compared with the live log, when there is one: another practice's log,
//!    or one that shares no history with it, is refused; a backup whose trail
//!    the live log continues is said to be so, and where the two part is said
//!    (the live log's history changed after that point, or the backup's);
//! 4. the person restoring is known on the copy (the practice manager), and
//!    the restore is recorded in it.
//!
//! What it found is returned in words to show before the new file is used.

use std::path::{Path, PathBuf};

use super::SqliteStore;
use super::backup::{BackupInfo, private_file, recorded, restore_copy_checked, with_suffix};
use crate::domain::{Actor, AuditAction};
use crate::store::audit::ChainAnchor;
use crate::store::sql::Backend;
use crate::store::{CutoverStore, StoreError, StoreResult};

/// What a restore found, in the words the person is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub info: BackupInfo,
    /// Each finding, one sentence each, in the order checked.
    pub findings: Vec<String>,
}

/// How the backup's audit trail stands to the live log's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgainstLive {
    /// Every event of the backup is in the live log, which has `later` more.
    Continued { later: u64 },
    /// The two share their trail up to `shared` (none: not even the first
    /// event), then differ.
    Parted { shared: Option<ChainAnchor> },
}

/// The staging file a restore into `to` writes first.
fn staging(to: &Path) -> PathBuf {
    with_suffix(to, ".restoring")
}

/// `path` and SQLite's files beside it.
fn with_journals(path: &Path) -> [PathBuf; 3] {
    [
        path.to_path_buf(),
        with_suffix(path, "-wal"),
        with_suffix(path, "-shm"),
    ]
}

/// Restores `backup` into a new log at `to` (see the module), comparing it
/// with `live` when given; `who` says who is restoring, asked of the copy (the
/// command line signs in on it; the app knows who is at the desk). On any
/// refusal nothing is left behind and `to` is not made.
pub fn restore_recorded(
    backup: &Path,
    to: &Path,
    passphrase: Option<&str>,
    live: Option<&dyn CutoverStore>,
    who: &mut dyn FnMut(&mut SqliteStore) -> StoreResult<Actor>,
) -> StoreResult<Restored> {
    if let Some(why) = crate::store::placement::check(to)
        && !crate::store::placement::overridden()
    {
        return Err(StoreError::UnsafePlace(why.describe()));
    }
    // No folder is made: a path typed into a suggested name (or mistyped) is
    // not taken for new folders to restore into.
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(StoreError::Open {
            path: to.to_path_buf(),
            message: format!(
                "its folder {} does not exist: choose a folder that does (a restore makes no folders)",
                dir.display()
            ),
        });
    }
    if to.exists() {
        return Err(StoreError::Open {
            path: to.to_path_buf(),
            message: "a file is already there: restore writes a new file, never over a log. Choose a new name".into(),
        });
    }
    let stage = staging(to);
    // What a killed restore into the same name left (only ever ours).
    for f in with_journals(&stage) {
        let _ = std::fs::remove_file(f);
    }
    let result = (|| {
        let at = crate::domain::dates::now();
        let mut info = restore_copy_checked(backup, &stage, passphrase, at)?;
        let mut findings = Vec::new();
        let mut copy = SqliteStore::open_with(&stage, passphrase)?;
        findings.push(against_record(backup, &copy)?);
        if let Some(live) = live {
            findings.push(against_live(&copy, live)?);
        }
        let actor = who(&mut copy)?;
        copy.record_event(
            &actor,
            AuditAction::LogRestored,
            &format!("from {}", backup.display()),
        )?;
        drop(copy);
        std::fs::rename(&stage, to).map_err(|e| StoreError::Open {
            path: to.to_path_buf(),
            message: e.to_string(),
        })?;
        private_file(to)?;
        info.file = to.to_path_buf();
        Ok(Restored { info, findings })
    })();
    if result.is_err() {
        for f in with_journals(&stage) {
            let _ = std::fs::remove_file(f);
        }
    }
    result
}

/// The copy against the head recorded beside the backup when it was made.
fn against_record(backup: &Path, copy: &SqliteStore) -> StoreResult<String> {
    let recorded = recorded(backup).and_then(|r| r.anchor);
    let Some((event, hash)) = recorded.as_deref().and_then(ChainAnchor::parse) else {
        return Ok("No record beside the backup: its history could not be compared with what was recorded when it was made.".into());
    };
    match copy.holding(event, &hash)? {
        Some(_) => Ok(format!(
            "The copy holds the history recorded beside the backup when it was made ({}).",
            recorded.unwrap_or_default()
        )),
        None => Err(StoreError::Corrupt(format!(
            "the backup does not hold the history recorded beside it when it was made ({}): it was changed since. Nothing was restored",
            recorded.unwrap_or_default()
        ))),
    }
}

/// The copy against the live log: the same practice, and how their trails
/// stand ([`compare_trails`]).
fn against_live(copy: &SqliteStore, live: &dyn CutoverStore) -> StoreResult<String> {
    if let (Some(theirs), Some(ours)) = (copy.project()?, live.project()?)
        && theirs.ods_code != ours.ods_code
    {
        return Err(StoreError::Corrupt(format!(
            "the backup is another practice's log ({}, ODS {}; this log is {}, ODS {}). Nothing was restored",
            theirs.practice_name, theirs.ods_code, ours.practice_name, ours.ods_code
        )));
    }
    match compare_trails(copy, live)? {
        AgainstLive::Continued { later: 0 } => {
            Ok("The backup's audit trail is the live log's, event for event.".into())
        }
        AgainstLive::Continued { later } => Ok(format!(
            "The live log continues the backup's audit trail: it holds every event of the backup and {later} more since (they are not in the restored copy)."
        )),
        AgainstLive::Parted { shared: None } => Err(StoreError::Corrupt(
            "the backup shares no history with the live log (not even its first event): it is not a copy of this log. Nothing was restored".into(),
        )),
        AgainstLive::Parted {
            shared: Some(shared),
        } => Ok(format!(
            "The backup and the live log share their audit trail up to event {}, and differ after it: the live log's history (or the backup's) was changed after that point. Check both with verify before using either.",
            shared.event
        )),
    }
}

/// How `copy`'s trail stands to `live`'s: each event of the copy looked for
/// in the live log by number and hash. A hash covers every event before it,
/// so the events both hold are a prefix, and the last one is found by halving.
pub fn compare_trails(copy: &SqliteStore, live: &dyn CutoverStore) -> StoreResult<AgainstLive> {
    let events: Vec<(i64, String)> = copy.read(crate::store::audit::ids_and_hashes)?;
    let held = |n: usize| -> StoreResult<bool> {
        let (id, hash) = &events[n];
        Ok(live.holding(Some(*id), hash)?.is_some())
    };
    let Some(last) = events.len().checked_sub(1) else {
        return Ok(AgainstLive::Continued {
            later: live
                .chain_anchor()?
                .map_or(0, |a| u64::try_from(a.event).unwrap_or(0)),
        });
    };
    if held(last)? {
        let theirs = live.chain_anchor()?.map_or(0, |a| a.event);
        return Ok(AgainstLive::Continued {
            later: u64::try_from(theirs - events[last].0).unwrap_or(0),
        });
    }
    // The first event not held lies in (lo, hi]; lo = None: before the first.
    // Every event up to lo is held (None: none known), the one at hi is not.
    let (mut lo, mut hi): (Option<usize>, usize) = (None, last);
    while lo.map_or(0, |l| l + 1) < hi {
        let mid = lo.map_or(0, |l| l + 1) + (hi - lo.map_or(0, |l| l + 1)) / 2;
        if held(mid)? {
            lo = Some(mid);
        } else {
            hi = mid;
        }
    }
    Ok(AgainstLive::Parted {
        shared: lo.map(|n| ChainAnchor {
            event: events[n].0,
            hash: events[n].1.clone(),
        }),
    })
}
