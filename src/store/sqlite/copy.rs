//! Reading and writing every row of a SQLite log as stored (see `store::transfer`).

use rusqlite::params;

use crate::store::StoreResult;
use crate::store::transfer::{
    EventRow, LogCopy, ProjectRow, PurgeRow, SignOffRow, StaffRow, Transfer, require_empty,
};

use super::SqliteStore;
use super::audit::{EVENT_ROW_COLUMNS, event_row};
use super::rows::{ITEM_COLUMN_COUNT, ITEM_COLUMNS, raw_item};

impl Transfer for SqliteStore {
    fn read_copy(&self) -> StoreResult<LogCopy> {
        // One read transaction: a consistent snapshot even while a desk writes.
        let tx = self.conn.unchecked_transaction()?;
        let project = {
            let mut stmt = tx.prepare(
                "SELECT practice_name, ods_code, old_system, new_system, cutover_start, go_live,
                        created_at, lock_minutes FROM project WHERE id = 1",
            )?;
            let mut rows = stmt.query_map([], |r| {
                Ok(ProjectRow {
                    practice_name: r.get(0)?,
                    ods_code: r.get(1)?,
                    old_system: r.get(2)?,
                    new_system: r.get(3)?,
                    cutover_start: r.get(4)?,
                    go_live: r.get(5)?,
                    created_at: r.get(6)?,
                    lock_minutes: r.get(7)?,
                })
            })?;
            rows.next().transpose()?
        };
        let mut stmt = tx.prepare(
            "SELECT id, name, role, active, created_at, password_hash FROM staff ORDER BY id",
        )?;
        let staff: Vec<StaffRow> = stmt
            .query_map([], |r| {
                Ok(StaffRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    role: r.get(2)?,
                    active: r.get(3)?,
                    created_at: r.get(4)?,
                    password_hash: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut stmt = tx.prepare(&format!(
            "SELECT {ITEM_COLUMNS}, items.search_text FROM items ORDER BY id"
        ))?;
        let items: Vec<(crate::store::rows::RawItem, String)> = stmt
            .query_map([], |r| Ok((raw_item(r)?, r.get(ITEM_COLUMN_COUNT)?)))?
            .collect::<Result<_, _>>()?;
        let mut stmt = tx.prepare(&format!(
            "SELECT {EVENT_ROW_COLUMNS} FROM audit_events ORDER BY id"
        ))?;
        let events: Vec<EventRow> = stmt.query_map([], event_row)?.collect::<Result<_, _>>()?;
        let mut stmt = tx.prepare(
            "SELECT id, name, role, at, comment, signed_by, items, voided FROM sign_offs ORDER BY id",
        )?;
        let sign_offs: Vec<SignOffRow> = stmt
            .query_map([], |r| {
                Ok(SignOffRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    role: r.get(2)?,
                    at: r.get(3)?,
                    comment: r.get(4)?,
                    signed_by: r.get(5)?,
                    items: r.get(6)?,
                    voided: r.get(7)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut stmt = tx.prepare("SELECT id, at, summary FROM purges ORDER BY id")?;
        let purges: Vec<PurgeRow> = stmt
            .query_map([], |r| {
                Ok(PurgeRow {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    summary: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(LogCopy {
            project,
            staff,
            items,
            events,
            sign_offs,
            purges,
        })
    }

    fn write_copy(&mut self, copy: &LogCopy) -> StoreResult<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let has_rows: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM project) OR EXISTS (SELECT 1 FROM staff)
                 OR EXISTS (SELECT 1 FROM items) OR EXISTS (SELECT 1 FROM audit_events)
                 OR EXISTS (SELECT 1 FROM purges)",
            [],
            |r| r.get(0),
        )?;
        require_empty(has_rows)?;
        if let Some(p) = &copy.project {
            tx.execute(
                "INSERT INTO project (id, practice_name, ods_code, old_system, new_system, cutover_start,
                    go_live, created_at, lock_minutes) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    p.practice_name,
                    p.ods_code,
                    p.old_system,
                    p.new_system,
                    p.cutover_start,
                    p.go_live,
                    p.created_at,
                    p.lock_minutes
                ],
            )?;
        }
        for s in &copy.staff {
            tx.execute(
                "INSERT INTO staff (id, name, role, active, created_at, password_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    s.id,
                    s.name,
                    s.role,
                    s.active,
                    s.created_at,
                    s.password_hash
                ],
            )?;
        }
        {
            let mut stmt = tx.prepare(
                "INSERT INTO items (id, kind, occurred_at, nhs_number, patient_name, date_of_birth,
                    clinician_id, details, fields_json, logged_by, logged_at, logged_phase, assignee_id,
                    status, status_by, status_at, status_note, voided_at, voided_by, void_reason, version,
                    search_text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                    ?19, ?20, ?21, ?22)",
            )?;
            for (i, text) in &copy.items {
                stmt.execute(params![
                    i.id,
                    i.kind,
                    i.occurred_at,
                    i.nhs_number,
                    i.patient_name,
                    i.date_of_birth,
                    i.clinician_id,
                    i.details,
                    i.fields_json,
                    i.logged_by,
                    i.logged_at,
                    i.logged_phase,
                    i.assignee_id,
                    i.status,
                    i.status_by,
                    i.status_at,
                    i.status_note,
                    i.voided_at,
                    i.voided_by,
                    i.void_reason,
                    i.version,
                    text
                ])?;
            }
            let mut stmt = tx.prepare(
                "INSERT INTO audit_events (id, at, actor_id, actor_name, entity, entity_id, action,
                    before_json, after_json, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for e in &copy.events {
                let r = &e.row;
                stmt.execute(params![
                    e.id,
                    r.at,
                    r.actor_id,
                    r.actor_name,
                    r.entity,
                    r.entity_id,
                    r.action,
                    r.before,
                    r.after,
                    e.prev_hash,
                    e.hash
                ])?;
            }
        }
        for s in &copy.sign_offs {
            tx.execute(
                "INSERT INTO sign_offs (id, name, role, at, comment, signed_by, items, voided)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    s.id,
                    s.name,
                    s.role,
                    s.at,
                    s.comment,
                    s.signed_by,
                    s.items,
                    s.voided
                ],
            )?;
        }
        for p in &copy.purges {
            tx.execute(
                "INSERT INTO purges (id, at, summary) VALUES (?1, ?2, ?3)",
                params![p.id, p.at, p.summary],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
