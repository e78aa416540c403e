//! Persistence of the cutover log behind one narrow interface, [`CutoverStore`]:
//! the operations the app and command line need, not SQL. SQLite is the embedded
//! single-desk store; [`PostgresStore`] is the shared store on a practice server
//! (several desks at once). Every operation is written once, over the small
//! [`sql::Backend`] and [`sql::Sql`] traits each backend implements (see
//! `service.rs` and docs/ARCHITECTURE.md); this layer names no database driver.

pub mod access;
pub mod audit;
pub mod capture;
pub mod chain;
pub mod deadlines;
pub mod filter;
pub mod items;
pub mod open;
pub mod placement;
pub mod postgres;
pub mod practice;
mod progress;
pub mod purge;
pub mod queries;
pub mod reconcile;
pub mod rows;
mod service;
pub mod sql;
pub mod sqlite;
pub mod transfer;
pub mod verify;

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::worklist::PersonProgress;
use crate::domain::{
    Actor, AuditAction, AuditEntity, AuditEvent, FieldError, Item, ItemId, ItemInput,
    PatientRecall, PreviousStatus, Project, Reentry, Role, SeenItem, Sort, Staff, StaffId, Stats,
    StatusChange, Void, WorklistFilter,
};

pub use self::postgres::PostgresStore;
pub use purge::PurgeSummary;
pub use sqlite::SqliteStore;

/// What went wrong in the store, in words fit to show a user.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "this database was made by a newer version of Cutover Log (schema {found}; this version knows up to {known}). Update the app. Nothing was changed."
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("no cutover project is set up in this database yet: run setup (or `cutover-log init`)")]
    NoProject,
    #[error("a cutover project is already set up in this database")]
    ProjectExists,
    #[error("item {0} was not found")]
    ItemNotFound(i64),
    #[error("staff member {0} was not found")]
    StaffNotFound(String),
    #[error("a staff member called '{0}' already exists")]
    DuplicateStaff(String),
    #[error("{}", crate::domain::validation::describe(.0))]
    Invalid(Vec<FieldError>),
    #[error(
        "someone else changed this item while you were editing it; your changes were not saved. Reopen it to see the current values."
    )]
    Conflict,
    /// A status change or undo named an item at a version it is no longer at.
    #[error(
        "item {0} was changed at another desk since your list showed it, so nothing was changed. The list now shows it as it is."
    )]
    ChangedElsewhere(i64),
    #[error("item {0} is voided and can no longer be changed")]
    Voided(i64),
    #[error("this change must be made by a named staff member (choose who is at this desk)")]
    NoStaffActor,
    #[error("the database is busy (another desk is saving); please try again")]
    Busy,
    /// A live log file where it can be corrupted (a network drive, a synced folder).
    #[error("{0}")]
    UnsafePlace(String),
    /// The file (or its drive) cannot be written: a write was refused.
    #[error(
        "could not save: the database file is read-only (check its permissions, or whether it is on a read-only drive or share). Nothing was changed."
    )]
    ReadOnly,
    /// The disk (or the file-size limit) is full: the transaction was rolled back.
    #[error(
        "could not save: the disk is full. Free some space and try again; the last change was not saved, everything saved before it is kept."
    )]
    DiskFull,
    /// The operating system reported an I/O error reading or writing the file.
    #[error(
        "the database file could not be read or written ({0}). The disk may be full or failing, or a network drive may have gone away; the last change was not saved."
    )]
    WriteFailed(String),
    /// SQLite found the file damaged (or not a database) after it was opened.
    #[error(
        "the database file is damaged ({0}). Restore it from a backup (and tell support); nothing more was written to it."
    )]
    Damaged(String),
    #[error("could not open the database {path}: {message}")]
    Open { path: PathBuf, message: String },
    /// A backup or restored copy could not be written whole (what was written
    /// of it is removed; the log itself is untouched).
    #[error(
        "could not write the copy {path}: {reason}. What was written of it was removed; the log itself is safe and unchanged."
    )]
    CopyNotWritten { path: PathBuf, reason: String },
    /// The practice server wants a password that was not given, or refused the
    /// one given (the same words as [`StoreError::Open`]; the type lets the
    /// caller ask for the password, see `open::secret_to_ask`).
    #[error("could not open the database {server}: {message}")]
    ServerWantsPassword { server: String, message: String },
    #[error("the database schema could not be brought up to date: {0}")]
    Migration(String),
    #[error("this database is encrypted: enter the practice's database passphrase")]
    NeedsPassphrase,
    #[error("the database passphrase is wrong (or this file is not a Cutover Log database)")]
    WrongPassphrase,
    #[error("not allowed: {0}")]
    NotPermitted(String),
    #[error("not signed in: {0}")]
    SignIn(String),
    #[error("not signed off: {0}")]
    SignOff(crate::domain::signoff::SignOffRefusal),
    /// An acceptance of a report row refused: the row or the item was taken.
    #[error("{0}")]
    Acceptance(reconcile::AcceptanceRefusal),
    /// Any other error the database reported, in its words (never row data).
    #[error("database error: {0}")]
    Database(String),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error(
        "the connection to the practice server was lost ({0}); nothing was saved by this action. Check the network; the app keeps trying to reconnect."
    )]
    ConnectionLost(String),
    #[error("practice server error: {0}")]
    Server(String),
    /// A long action stopped at the user's request; nothing of it was stored.
    #[error("cancelled: nothing was stored")]
    Cancelled,
}

// The refusals are the error's own words, not a cause behind it: no `#[from]`
// (which makes them its source too, so `{:#}` said them twice).
impl From<crate::domain::signoff::SignOffRefusal> for StoreError {
    fn from(r: crate::domain::signoff::SignOffRefusal) -> Self {
        StoreError::SignOff(r)
    }
}

impl From<reconcile::AcceptanceRefusal> for StoreError {
    fn from(r: reconcile::AcceptanceRefusal) -> Self {
        StoreError::Acceptance(r)
    }
}

impl StoreError {
    /// True when the server could not be reached: the action can be tried again
    /// once the connection is back (nothing was half-saved).
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, StoreError::ConnectionLost(_))
    }
}

impl From<Vec<FieldError>> for StoreError {
    fn from(e: Vec<FieldError>) -> Self {
        StoreError::Invalid(e)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An item as it comes from an import: its content plus the record around it,
/// so an exported log reads back exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedItem {
    pub input: ItemInput,
    pub logged_by: StaffId,
    pub logged_at: NaiveDateTime,
    pub assignee: Option<StaffId>,
    pub reentry: Reentry,
    pub void: Option<Void>,
    /// What the file said of who logged it, when that was someone else ("per
    /// FILE row N: logged by …"): kept with the item's creation event.
    pub stated: Option<String>,
}

/// The outcome of `verify`: each check and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct VerifyReport {
    /// The backend's own integrity check found nothing wrong.
    pub integrity_ok: bool,
    pub integrity_messages: Vec<String>,
    /// Rows pointing at staff that do not exist.
    pub foreign_key_problems: u64,
    /// Items with no audit event recording their creation.
    pub items_without_creation_event: u64,
    /// Audit events whose before/after is not valid JSON.
    pub unreadable_audit_events: u64,
    pub items: u64,
    pub audit_events: u64,
    /// Events from before the hash chain existed (databases made by early test builds).
    pub events_before_chain: u64,
    /// The first broken link of the audit hash chain: event id and what is wrong.
    pub broken_link: Option<(i64, String)>,
    /// Rows that differ from what their history says (changed behind the app's
    /// back), the first few hundred listed.
    pub divergences: Vec<Divergence>,
    /// How many rows differ (all of them, listed or not).
    pub divergent_rows: u64,
}

/// A stored row that differs from what its audit history says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Divergence {
    /// `item` (later also `staff`, `project`).
    pub entity: String,
    pub id: i64,
    /// The fields that differ, by their stored names; or why the history could
    /// not be replayed.
    pub fields: Vec<String>,
}

impl Divergence {
    /// "item 12: medication, status" (field names only: no patient detail).
    pub fn describe(&self) -> String {
        format!("{} {}: {}", self.entity, self.id, self.fields.join(", "))
    }
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.integrity_ok
            && self.foreign_key_problems == 0
            && self.items_without_creation_event == 0
            && self.unreadable_audit_events == 0
            && self.broken_link.is_none()
            && self.divergent_rows == 0
    }
}

/// Every operation on a cutover log. Each write is one transaction and appends
/// its audit events in that same transaction.
pub trait CutoverStore {
    /// The project, if set up.
    fn project(&self) -> StoreResult<Option<Project>>;
    /// Sets the project up (once per database).
    fn create_project(&mut self, project: &Project, actor: &Actor) -> StoreResult<()>;
    /// Changes the project (e.g. go-live moves); audited with before and after.
    fn update_project(&mut self, project: &Project, actor: &Actor) -> StoreResult<()>;

    /// Everyone on the staff list, active or not, by name.
    fn staff(&self) -> StoreResult<Vec<Staff>>;
    /// The staff with no password yet (they cannot sign in until one is set).
    fn staff_without_password(&self) -> StoreResult<Vec<StaffId>>;
    fn add_staff(&mut self, name: &str, role: Role, actor: &Actor) -> StoreResult<Staff>;
    fn set_staff_active(&mut self, id: StaffId, active: bool, actor: &Actor) -> StoreResult<()>;

    /// Logs a new item; `actor.staff` is the person at the desk. The default
    /// assignment rule is applied.
    fn log_item(&mut self, input: &ItemInput, actor: &Actor) -> StoreResult<Item>;
    /// Imports many items in one transaction: all are stored or none.
    fn import_items(&mut self, items: &[ImportedItem], actor: &Actor) -> StoreResult<usize> {
        self.import_stream(items.len(), &mut items.iter().cloned().map(Ok), actor)
    }
    /// Imports items as they come (a file read a chunk at a time while the
    /// last is written), in one transaction: all are stored or none. An `Err`
    /// from `items` rolls the import back and is returned. `expected`: about
    /// how many there are.
    fn import_stream(
        &mut self,
        expected: usize,
        items: &mut dyn Iterator<Item = StoreResult<ImportedItem>>,
        actor: &Actor,
    ) -> StoreResult<usize>;
    /// Replaces an item's content, refusing if it changed since `expected_version`.
    fn edit_item(
        &mut self,
        id: ItemId,
        expected_version: i64,
        input: &ItemInput,
        actor: &Actor,
    ) -> StoreResult<Item>;
    /// Voids an item logged in error; it stays in the database with the reason.
    fn void_item(&mut self, id: ItemId, reason: &str, actor: &Actor) -> StoreResult<Item>;
    /// Changes the re-entry status of several items at once, all or none: refused
    /// with [`StoreError::ChangedElsewhere`] if any item is no longer at the version
    /// the person saw. Returns what was replaced (for undo).
    fn set_status(
        &mut self,
        items: &[SeenItem],
        change: &StatusChange,
        actor: &Actor,
    ) -> StoreResult<Vec<PreviousStatus>>;
    /// Puts back earlier re-entry records exactly (undo), audited as an undo;
    /// refused if any item changed again after the change being undone.
    fn restore_status(&mut self, previous: &[PreviousStatus], actor: &Actor) -> StoreResult<()>;
    /// Assigns (or unassigns) several items at once.
    fn assign(
        &mut self,
        ids: &[ItemId],
        assignee: Option<StaffId>,
        actor: &Actor,
    ) -> StoreResult<()>;

    fn item(&self, id: ItemId) -> StoreResult<Item>;
    /// One page of the worklist.
    fn worklist_page(
        &self,
        filter: &WorklistFilter,
        sort: Sort,
        offset: u64,
        limit: u64,
    ) -> StoreResult<Vec<Item>>;
    /// How many items match a filter.
    fn worklist_count(&self, filter: &WorklistFilter) -> StoreResult<u64>;
    /// How many items match, per person assigned (`None`: nobody), most first.
    fn worklist_count_by_assignee(
        &self,
        filter: &WorklistFilter,
    ) -> StoreResult<Vec<(Option<StaffId>, u64)>>;
    /// How many items match and one page of them, read together: what the worklist
    /// needs when its filter changes (with free text, in one pass).
    fn worklist_count_and_page(
        &self,
        filter: &WorklistFilter,
        sort: Sort,
        offset: u64,
        limit: u64,
    ) -> StoreResult<(u64, Vec<Item>)>;
    /// Counts by kind and status.
    fn stats(&self) -> StoreResult<Stats>;
    /// Assigned and closed counts per person.
    fn person_progress(&self) -> StoreResult<Vec<PersonProgress>>;
    /// Items still open at the end of each day from `from` to `to`.
    fn burndown(&self, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<(NaiveDate, u64)>>;
    /// What earlier entries say about this NHS number, if any exist.
    fn patient_recall(
        &self,
        nhs_number: &crate::domain::NhsNumber,
    ) -> StoreResult<Option<PatientRecall>>;
    /// Live items for the same patient and kind within 15 minutes of this one.
    fn possible_duplicates(
        &self,
        input: &ItemInput,
        except: Option<ItemId>,
    ) -> StoreResult<Vec<Item>>;
    /// The audit events of one entity (an item, a staff member, the project…), oldest first.
    fn history(&self, entity: AuditEntity, id: i64) -> StoreResult<Vec<AuditEvent>>;
    /// After sign-off: removes every patient detail (items and their audit events),
    /// keeps a de-identified summary, and rewrites the file (the practice manager).
    fn purge(&mut self, actor: &Actor) -> StoreResult<PurgeSummary>;
    /// The summaries kept by earlier purges.
    fn purges(&self) -> StoreResult<Vec<PurgeSummary>>;
    /// Audit events matching a filter, newest first, a page at a time.
    fn audit_log(
        &self,
        filter: &crate::domain::AuditFilter,
        offset: u64,
        limit: u64,
    ) -> StoreResult<Vec<AuditEvent>>;
    /// What each checked row of a report is against the log (a preview; stores nothing).
    fn capture_plan(&self, batch: &capture::CaptureBatch) -> StoreResult<capture::CapturePlan>;
    /// Captures a report's checked rows in one transaction: the rows the hand log
    /// missed are added with their source, the ones it has are recorded as
    /// confirmed, rows this file already gave are left alone. `going` is told how
    /// many rows are done (of all) every few hundred rows; when it says stop, the
    /// capture ends with [`StoreError::Cancelled`] and nothing is stored.
    fn capture(
        &mut self,
        batch: &capture::CaptureBatch,
        actor: &Actor,
        going: &mut dyn FnMut(usize, usize) -> bool,
    ) -> StoreResult<capture::CapturePlan>;
    /// The report rows that added or confirmed an item.
    fn report_sources(&self, item: ItemId) -> StoreResult<Vec<capture::ReportRowRecord>>;
    /// The practice's saved column mappings, by name.
    fn capture_mappings(&self) -> StoreResult<Vec<crate::domain::capture::CaptureMapping>>;
    /// Saves a column mapping under its name (audited, before and after).
    fn save_capture_mapping(
        &mut self,
        mapping: &crate::domain::capture::CaptureMapping,
        actor: &Actor,
    ) -> StoreResult<()>;
    /// The new system's report against the log: what each row fits (a preview;
    /// stores nothing).
    fn reconcile_plan(
        &self,
        batch: &capture::CaptureBatch,
        coverage: crate::domain::reconcile::Coverage,
    ) -> StoreResult<reconcile::ReconcilePlan>;
    /// Records what a person accepted from a reconciliation in one transaction,
    /// all or none: each accepted item verified (an open one marked re-entered),
    /// each item ticked but not found flagged. Refused with
    /// [`StoreError::ChangedElsewhere`] if any item moved on since the plan.
    /// `going` is told how many items are done (of all) every few hundred; when
    /// it says stop, nothing is stored ([`StoreError::Cancelled`]).
    fn record_reconciliation(
        &mut self,
        decision: &reconcile::ReconcileDecision,
        actor: &Actor,
        going: &mut dyn FnMut(usize, usize) -> bool,
    ) -> StoreResult<reconcile::Recorded>;
    /// Every item's latest finding against the new system's reports.
    fn verifications(&self) -> StoreResult<HashMap<ItemId, reconcile::Verification>>;
    /// The live items ticked re-entered, by their latest finding: verified in
    /// the new system, not found, not checked.
    fn new_system_checks(&self) -> StoreResult<crate::domain::signoff::NewSystemChecks>;
    /// Whether `actor` may do `action` (an active, signed-in person whose role
    /// allows it); a refusal is audited. For a flow that checks before it acts
    /// outside the store (encrypting the file, moving the whole log).
    fn check_permission(
        &mut self,
        actor: &Actor,
        action: crate::domain::permissions::Action,
    ) -> StoreResult<()>;
    /// Records something that changes nothing but must be accountable (an export).
    fn record_event(&mut self, actor: &Actor, action: AuditAction, detail: &str)
    -> StoreResult<()>;
    /// Every item, voided ones too, in `occurred_at` order, streamed to `f`.
    fn for_each_item(&self, f: &mut dyn FnMut(&Item) -> StoreResult<()>) -> StoreResult<()>;
    /// Checks the database and the audit trail.
    fn verify(&self) -> StoreResult<VerifyReport>;
    /// A checked backup of a log file into `dir` (by default the `backups` folder
    /// beside it); `None` on the practice server, which its IT backs up.
    fn back_up(
        &self,
        dir: Option<&std::path::Path>,
        at: chrono::NaiveDateTime,
    ) -> StoreResult<Option<sqlite::backup::BackupInfo>>;
    /// Where this log's backups are: `chosen`, or the `backups` folder beside
    /// the log; `None` on the practice server, which its IT backs up.
    fn backup_dir(&self, chosen: Option<&std::path::Path>) -> Option<std::path::PathBuf>;
    /// Restores one of this log's backups into a new file `to` (never over a
    /// file; refused where a live log may not be kept), checks it against the
    /// head recorded beside it and against this log (another practice's, or
    /// one sharing no history, is refused), records in the new file where it
    /// came from and in this log who restored which backup where (the
    /// practice manager). Says what it found.
    fn restore_backup(
        &mut self,
        backup: &std::path::Path,
        to: &std::path::Path,
        actor: &Actor,
    ) -> StoreResult<sqlite::restore::Restored>;
    /// The audit chain's head, to record outside the log (a report, a backup).
    fn chain_anchor(&self) -> StoreResult<Option<audit::ChainAnchor>>;
    /// The event of this log with this hash (and number), if it still holds it.
    fn holding(&self, event: Option<i64>, hash: &str) -> StoreResult<Option<audit::ChainAnchor>>;

    /// Records a sign-off by the person in `actor`, as themself in their own
    /// capacity; refused while any item is open, when their role may not sign,
    /// without a comment when anything re-entered was not found in the new
    /// system, and while a sign-off is in force unless `signing` replaces it
    /// with a reason.
    fn sign_off(
        &mut self,
        comment: &str,
        signing: crate::domain::signoff::Signing<'_>,
        actor: &Actor,
    ) -> StoreResult<crate::domain::SignOff>;
    /// Every sign-off, oldest first (the last is the one in force).
    fn sign_offs(&self) -> StoreResult<Vec<crate::domain::SignOff>>;
    /// Sets a staff member's password (stored as an argon2 hash).
    fn set_password(&mut self, staff: StaffId, password: &str, actor: &Actor) -> StoreResult<()>;
    /// Checks a name and password; the attempt is audited either way.
    fn sign_in(&mut self, name: &str, password: &str, at: NaiveDateTime) -> StoreResult<Staff>;
    /// Minutes without input before the app locks.
    fn lock_minutes(&self) -> StoreResult<u32>;
    /// Sets the idle minutes before the app locks (1 to 60; the practice manager).
    fn set_lock_minutes(&mut self, minutes: u32, actor: &Actor) -> StoreResult<()>;
    /// The practice's deadline numbers (the defaults until changed).
    fn deadline_rules(&self) -> StoreResult<crate::domain::deadline::DeadlineRules>;
    /// Changes them (the practice manager; audited), and every item's due-by.
    fn set_deadline_rules(
        &mut self,
        rules: &crate::domain::deadline::DeadlineRules,
        actor: &Actor,
    ) -> StoreResult<()>;
    /// The day read access to the old system ends, if recorded.
    fn old_system_access_ends(&self) -> StoreResult<Option<chrono::NaiveDate>>;
    /// Records it (`None`: not known; the practice manager; audited).
    fn set_old_system_access_ends(
        &mut self,
        day: Option<chrono::NaiveDate>,
        actor: &Actor,
    ) -> StoreResult<()>;
    /// The folder chosen for the app's backups, if any.
    fn backup_folder(&self) -> StoreResult<Option<String>>;
    /// Chooses the backup folder (`None`: beside the log; the practice manager; audited).
    fn set_backup_folder(&mut self, folder: Option<&str>, actor: &Actor) -> StoreResult<()>;
    /// A second, independent handle on the same log (for work on another thread,
    /// such as writing a long report while the app stays responsive).
    fn open_another(&self) -> StoreResult<Box<dyn CutoverStore + Send>>;
    /// Calls `on_change` (on a thread of its own) soon after any desk commits a
    /// change to the log, for as long as the returned watch is kept. `None` where
    /// the store has no way to tell (the app then re-reads on a timer).
    fn watch_changes(&self, on_change: Box<dyn Fn() + Send>) -> StoreResult<Option<ChangeWatch>>;
}

/// Watching a log for other desks' changes (see [`CutoverStore::watch_changes`]);
/// the watching stops when this is dropped.
pub struct ChangeWatch {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// How often the app should still re-read on its own (a safety net; and on a
    /// server, how soon a lost connection is noticed).
    fallback: std::time::Duration,
}

impl ChangeWatch {
    /// A watch whose thread stops once `stop` is set; the app still re-reads every
    /// 10 seconds unless [`Self::with_fallback`] says otherwise.
    pub fn new(stop: std::sync::Arc<std::sync::atomic::AtomicBool>) -> Self {
        Self {
            stop,
            fallback: std::time::Duration::from_secs(10),
        }
    }

    /// Sets how often the app should still re-read on its own.
    pub fn with_fallback(mut self, every: std::time::Duration) -> Self {
        self.fallback = every;
        self
    }

    /// How often the app should still re-read on its own.
    pub fn fallback(&self) -> std::time::Duration {
        self.fallback
    }
}

impl Drop for ChangeWatch {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Where the default database lives: the user's local (not roaming) data directory.
pub fn default_database_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "Cutover Log")
        .map(|d| d.data_local_dir().join("cutover-log.sqlite3"))
}
