//! Moving a whole log between backends (a single-desk file onto the practice
//! server, or the server's log into a file for archiving) with nothing lost:
//! every row is copied as stored — ids, password hashes, audit events with their
//! hashes — so the audit chain still verifies on the other side.

use crate::store::audit::EVENT_ROW_COLUMNS;
pub use crate::store::audit::EventRow;
use crate::store::rows::{ITEM_COLUMN_COUNT, ITEM_COLUMNS, RawItem};
use crate::store::sql::{Backend, Param, Sql, params};
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
    pub backup_folder: Option<String>,
    pub deadline_rules: Option<String>,
    pub old_system_access_ends: Option<String>,
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
    pub replaces_reason: Option<String>,
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
    /// Each item with its stored search text and due-by.
    pub items: Vec<(RawItem, String, Option<String>)>,
    pub events: Vec<EventRow>,
    pub sign_offs: Vec<SignOffRow>,
    pub purges: Vec<PurgeRow>,
    /// The report rows that added or confirmed items (capture), as stored.
    pub report_rows: Vec<Vec<crate::store::sql::Cell>>,
    /// The saved column mappings, as stored.
    pub mappings: Vec<Vec<crate::store::sql::Cell>>,
    /// The findings of reconciliation against the new system's reports, as stored.
    pub verifications: Vec<Vec<crate::store::sql::Cell>>,
}

/// The columns of the report rows and mappings a copy moves verbatim.
const REPORT_ROW_COLUMNS: &str = "id, file_name, sha256, line, item_id, outcome, at, by_id";
const MAPPING_COLUMNS: &str = "name, mapping_json, saved_at, saved_by";
const VERIFICATION_COLUMNS: &str = "id, item_id, outcome, file_name, sha256, line, at, by_id";

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
        && moved.report_rows == copy.report_rows
        && moved.mappings == copy.mappings
        && moved.verifications == copy.verifications
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
fn require_empty(has_rows: bool) -> StoreResult<()> {
    if has_rows {
        return Err(StoreError::NotPermitted(
            "the destination already holds a log; copy only into an empty database (nothing was changed)"
                .into(),
        ));
    }
    Ok(())
}

impl<B: Backend + CutoverStore> Transfer for B {
    fn read_copy(&self) -> StoreResult<LogCopy> {
        // One snapshot for every table, even while desks write.
        self.snapshot(read_rows)
    }

    fn write_copy(&mut self, copy: &LogCopy) -> StoreResult<()> {
        self.write(|tx| write_rows(tx, copy))
    }
}

fn read_rows(c: &mut dyn Sql) -> StoreResult<LogCopy> {
    let project = c
        .query_opt(
            "SELECT practice_name, ods_code, old_system, new_system, cutover_start, go_live,
                    created_at, lock_minutes, backup_folder, deadline_rules, old_system_access_ends
             FROM project WHERE id = 1",
            &[],
        )?
        .map(|r| {
            Ok::<_, StoreError>(ProjectRow {
                practice_name: r.text(0)?,
                ods_code: r.text(1)?,
                old_system: r.text(2)?,
                new_system: r.text(3)?,
                cutover_start: r.text(4)?,
                go_live: r.text(5)?,
                created_at: r.text(6)?,
                lock_minutes: r.int(7)?,
                backup_folder: r.opt_text(8)?,
                deadline_rules: r.opt_text(9)?,
                old_system_access_ends: r.opt_text(10)?,
            })
        })
        .transpose()?;
    let staff = c
        .query(
            "SELECT id, name, role, active, created_at, password_hash FROM staff ORDER BY id",
            &[],
        )?
        .iter()
        .map(|r| {
            Ok(StaffRow {
                id: r.int(0)?,
                name: r.text(1)?,
                role: r.text(2)?,
                active: r.flag(3)?,
                created_at: r.text(4)?,
                password_hash: r.opt_text(5)?,
            })
        })
        .collect::<StoreResult<_>>()?;
    let mut items = Vec::new();
    c.query_each(
        &format!("SELECT {ITEM_COLUMNS}, items.search_text, items.due_at FROM items ORDER BY id"),
        &[],
        &mut |r| {
            items.push((
                RawItem::from_row(&r)?,
                r.text(ITEM_COLUMN_COUNT)?,
                r.opt_text(ITEM_COLUMN_COUNT + 1)?,
            ));
            Ok(())
        },
    )?;
    let mut events = Vec::new();
    c.query_each(
        &format!("SELECT {EVENT_ROW_COLUMNS} FROM audit_events ORDER BY id"),
        &[],
        &mut |r| {
            events.push(EventRow::from_row(&r)?);
            Ok(())
        },
    )?;
    let sign_offs = c
        .query(
            "SELECT id, name, role, at, comment, signed_by, items, voided, replaces_reason
             FROM sign_offs ORDER BY id",
            &[],
        )?
        .iter()
        .map(|r| {
            Ok(SignOffRow {
                id: r.int(0)?,
                name: r.text(1)?,
                role: r.text(2)?,
                at: r.text(3)?,
                comment: r.text(4)?,
                signed_by: r.int(5)?,
                items: r.int(6)?,
                voided: r.int(7)?,
                replaces_reason: r.opt_text(8)?,
            })
        })
        .collect::<StoreResult<_>>()?;
    let purges = c
        .query("SELECT id, at, summary FROM purges ORDER BY id", &[])?
        .iter()
        .map(|r| {
            Ok(PurgeRow {
                id: r.int(0)?,
                at: r.text(1)?,
                summary: r.text(2)?,
            })
        })
        .collect::<StoreResult<_>>()?;
    let mut rows_of = |sql: &str| -> StoreResult<Vec<Vec<crate::store::sql::Cell>>> {
        Ok(c.query(sql, &[])?.into_iter().map(|r| r.0).collect())
    };
    let report_rows = rows_of(&format!(
        "SELECT {REPORT_ROW_COLUMNS} FROM report_rows ORDER BY id"
    ))?;
    let mappings = rows_of(&format!(
        "SELECT {MAPPING_COLUMNS} FROM capture_mappings ORDER BY name"
    ))?;
    let verifications = rows_of(&format!(
        "SELECT {VERIFICATION_COLUMNS} FROM verifications ORDER BY id"
    ))?;
    Ok(LogCopy {
        project,
        staff,
        items,
        events,
        sign_offs,
        purges,
        report_rows,
        mappings,
        verifications,
    })
}

fn write_rows(tx: &mut dyn Sql, copy: &LogCopy) -> StoreResult<()> {
    let has_rows = tx.exists(
        "SELECT 1 WHERE EXISTS (SELECT 1 FROM project) OR EXISTS (SELECT 1 FROM staff)
             OR EXISTS (SELECT 1 FROM items) OR EXISTS (SELECT 1 FROM audit_events)
             OR EXISTS (SELECT 1 FROM purges) OR EXISTS (SELECT 1 FROM report_rows)
             OR EXISTS (SELECT 1 FROM capture_mappings) OR EXISTS (SELECT 1 FROM verifications)",
        &[],
    )?;
    require_empty(has_rows)?;
    if let Some(p) = &copy.project {
        tx.execute(
            "INSERT INTO project (id, practice_name, ods_code, old_system, new_system, cutover_start,
                go_live, created_at, lock_minutes, backup_folder, deadline_rules,
                old_system_access_ends)
                VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            &params![
                p.practice_name.as_str(),
                p.ods_code.as_str(),
                p.old_system.as_str(),
                p.new_system.as_str(),
                p.cutover_start.as_str(),
                p.go_live.as_str(),
                p.created_at.as_str(),
                p.lock_minutes,
                p.backup_folder.as_deref(),
                p.deadline_rules.as_deref(),
                p.old_system_access_ends.as_deref()
            ],
        )?;
    }
    for s in &copy.staff {
        tx.execute(
            "INSERT INTO staff (id, name, role, active, created_at, password_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &params![
                s.id,
                s.name.as_str(),
                s.role.as_str(),
                s.active,
                s.created_at.as_str(),
                s.password_hash.clone()
            ],
        )?;
    }
    let item_sql = RawItem::insert_sql(true);
    for (item, text, due) in &copy.items {
        let mut p = item.params();
        p.push(Param::from(text.as_str()));
        p.push(Param::from(due.clone()));
        tx.execute(&item_sql, &p)?;
    }
    for e in &copy.events {
        let r = &e.row;
        tx.execute(
            &format!(
                "INSERT INTO audit_events ({EVENT_ROW_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            ),
            &params![
                e.id,
                r.at.as_str(),
                r.actor_id,
                r.actor_name.as_str(),
                r.entity.as_str(),
                r.entity_id,
                r.action.as_str(),
                r.before.clone(),
                r.after.clone(),
                e.prev_hash.clone(),
                e.hash.clone()
            ],
        )?;
    }
    for s in &copy.sign_offs {
        tx.execute(
            "INSERT INTO sign_offs (id, name, role, at, comment, signed_by, items, voided,
                                    replaces_reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            &params![
                s.id,
                s.name.as_str(),
                s.role.as_str(),
                s.at.as_str(),
                s.comment.as_str(),
                s.signed_by,
                s.items,
                s.voided,
                s.replaces_reason.as_deref()
            ],
        )?;
    }
    for p in &copy.purges {
        tx.execute(
            "INSERT INTO purges (id, at, summary) VALUES (?1, ?2, ?3)",
            &params![p.id, p.at.as_str(), p.summary.as_str()],
        )?;
    }
    for (table, columns, rows) in [
        ("report_rows", REPORT_ROW_COLUMNS, &copy.report_rows),
        ("capture_mappings", MAPPING_COLUMNS, &copy.mappings),
        ("verifications", VERIFICATION_COLUMNS, &copy.verifications),
    ] {
        let marks: Vec<String> = (1..=columns.split(',').count())
            .map(|i| format!("?{i}"))
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({columns}) VALUES ({})",
            marks.join(", ")
        );
        for row in rows {
            let params: Vec<Param> = row.iter().map(Param::from_cell).collect();
            tx.execute(&sql, &params)?;
        }
    }
    // New rows continue after the copied ids (where the backend keeps a counter).
    for table in [
        "staff",
        "items",
        "audit_events",
        "sign_offs",
        "purges",
        "report_rows",
        "verifications",
    ] {
        let sql = tx
            .dialect()
            .continue_ids_after_copy
            .replace("{table}", table);
        if !sql.is_empty() {
            tx.batch(&sql)?;
        }
    }
    Ok(())
}
