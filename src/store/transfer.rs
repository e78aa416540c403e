//! Moving a whole log between backends (a single-desk file onto the practice
//! server, or the server's log into a file for archiving) with nothing lost:
//! every row is copied as stored — ids, password hashes, audit events with their
//! hashes — so the audit chain still verifies on the other side.

use crate::store::chain::ChainRow;
use crate::store::rows::RawItem;
use crate::store::{CutoverStore, StoreError, StoreResult, VerifyReport};

/// The project row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRow {
    pub practice_name: String,
    pub ods_code: String,
    pub old_system: String,
    pub new_system: String,
    pub cutover_start: String,
    pub go_live: String,
    pub created_at: String,
    pub lock_minutes: i64,
}

/// A staff row as stored (the password only as its argon2 hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub created_at: String,
    pub password_hash: Option<String>,
}

/// An audit event as stored, hashes included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub id: i64,
    pub row: ChainRow,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// A sign-off row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOffRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub at: String,
    pub comment: String,
    pub signed_by: i64,
    pub items: i64,
    pub voided: i64,
}

/// A purge summary row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeRow {
    pub id: i64,
    pub at: String,
    pub summary: String,
}

/// Every row of a log, as stored.
#[derive(Debug, Clone, Default)]
pub struct LogCopy {
    pub project: Option<ProjectRow>,
    pub staff: Vec<StaffRow>,
    /// Each item with its stored search text.
    pub items: Vec<(RawItem, String)>,
    pub events: Vec<EventRow>,
    pub sign_offs: Vec<SignOffRow>,
    pub purges: Vec<PurgeRow>,
}

/// A backend a log can be copied out of and into.
pub trait Transfer: CutoverStore {
    /// Reads every row (one consistent snapshot).
    fn read_copy(&self) -> StoreResult<LogCopy>;
    /// Writes every row into this store, which must be empty (one transaction).
    fn write_copy(&mut self, copy: &LogCopy) -> StoreResult<()>;
}

/// What a copy moved, checked on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub staff: usize,
    pub items: u64,
    pub audit_events: u64,
    pub sign_offs: usize,
    /// The last audit hash, the same on both sides.
    pub chain_head: Option<String>,
}

/// Copies the whole log from `from` into the empty `to`, then checks that both
/// verify, that the counts agree and that the chain ends in the same hash.
/// Nothing is removed from `from`.
pub fn copy_log(from: &dyn Transfer, to: &mut dyn Transfer) -> StoreResult<CopyReport> {
    let before = from.verify()?;
    if !before.is_ok() {
        return Err(StoreError::Corrupt(format!(
            "the log to copy does not verify ({}); fix it before moving it",
            describe_failure(&before)
        )));
    }
    let copy = from.read_copy()?;
    to.write_copy(&copy)?;
    let after = to.verify()?;
    let moved = to.read_copy()?;
    let head = |c: &LogCopy| c.events.last().and_then(|e| e.hash.clone());
    let same = after.is_ok()
        && after.items == before.items
        && after.audit_events == before.audit_events
        && moved.staff == copy.staff
        && moved.sign_offs == copy.sign_offs
        && moved.purges == copy.purges
        && moved.project == copy.project
        && moved.events == copy.events
        && head(&moved) == head(&copy);
    if !same {
        return Err(StoreError::Corrupt(format!(
            "the copy does not match the original ({} items and {} audit events copied of {} and {}; {})",
            after.items,
            after.audit_events,
            before.items,
            before.audit_events,
            describe_failure(&after)
        )));
    }
    Ok(CopyReport {
        staff: copy.staff.len(),
        items: after.items,
        audit_events: after.audit_events,
        sign_offs: copy.sign_offs.len(),
        chain_head: head(&copy),
    })
}

fn describe_failure(r: &VerifyReport) -> String {
    match &r.broken_link {
        Some((id, why)) => format!("audit chain broken at event {id}: {why}"),
        None if r.is_ok() => "verifies".into(),
        None => "integrity check failed".into(),
    }
}

/// Refuses to write into a store that already holds a log.
pub fn require_empty(has_rows: bool) -> StoreResult<()> {
    if has_rows {
        return Err(StoreError::NotPermitted(
            "the destination already holds a log; copy only into an empty database (nothing was changed)"
                .into(),
        ));
    }
    Ok(())
}
