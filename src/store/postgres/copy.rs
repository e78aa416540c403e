//! Reading and writing every row of a server log as stored (see `store::transfer`).

use postgres::{IsolationLevel, Row};

use crate::store::StoreResult;
use crate::store::rows::{ITEM_COLUMN_COUNT, ITEM_COLUMNS};
use crate::store::transfer::{
    LogCopy, ProjectRow, PurgeRow, SignOffRow, StaffRow, Transfer, require_empty,
};

use super::PostgresStore;

fn each<T>(rows: Vec<Row>, f: impl Fn(&Row) -> Result<T, postgres::Error>) -> StoreResult<Vec<T>> {
    Ok(rows.iter().map(f).collect::<Result<_, _>>()?)
}

impl Transfer for PostgresStore {
    fn read_copy(&self) -> StoreResult<LogCopy> {
        let mut client = self.db()?;
        // One snapshot for every table, even while desks write.
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let project = tx
            .query_opt(
                "SELECT practice_name, ods_code, old_system, new_system, cutover_start, go_live,
                        created_at, lock_minutes FROM project WHERE id = 1",
                &[],
            )?
            .map(|r| {
                Ok::<_, postgres::Error>(ProjectRow {
                    practice_name: r.try_get(0)?,
                    ods_code: r.try_get(1)?,
                    old_system: r.try_get(2)?,
                    new_system: r.try_get(3)?,
                    cutover_start: r.try_get(4)?,
                    go_live: r.try_get(5)?,
                    created_at: r.try_get(6)?,
                    lock_minutes: r.try_get(7)?,
                })
            })
            .transpose()?;
        let staff = each(
            tx.query(
                "SELECT id, name, role, active, created_at, password_hash FROM staff ORDER BY id",
                &[],
            )?,
            |r| {
                Ok(StaffRow {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    role: r.try_get(2)?,
                    active: r.try_get(3)?,
                    created_at: r.try_get(4)?,
                    password_hash: r.try_get(5)?,
                })
            },
        )?;
        let rows = tx.query(
            format!("SELECT {ITEM_COLUMNS}, items.search_text FROM items ORDER BY id").as_str(),
            &[],
        )?;
        let items: Vec<(crate::store::rows::RawItem, String)> = rows
            .iter()
            .map(|r| Ok((super::reads::raw_item(r)?, r.try_get(ITEM_COLUMN_COUNT)?)))
            .collect::<StoreResult<_>>()?;
        let events = each(
            tx.query(
                "SELECT id, at, actor_id, actor_name, entity, entity_id, action, before_json,
                        after_json, prev_hash, hash FROM audit_events ORDER BY id",
                &[],
            )?,
            super::reads::event_row,
        )?;
        let sign_offs = each(
            tx.query(
                "SELECT id, name, role, at, comment, signed_by, items, voided FROM sign_offs ORDER BY id",
                &[],
            )?,
            |r| {
                Ok(SignOffRow {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    role: r.try_get(2)?,
                    at: r.try_get(3)?,
                    comment: r.try_get(4)?,
                    signed_by: r.try_get(5)?,
                    items: r.try_get(6)?,
                    voided: r.try_get(7)?,
                })
            },
        )?;
        let purges = each(
            tx.query("SELECT id, at, summary FROM purges ORDER BY id", &[])?,
            |r| {
                Ok(PurgeRow {
                    id: r.try_get(0)?,
                    at: r.try_get(1)?,
                    summary: r.try_get(2)?,
                })
            },
        )?;
        tx.commit()?;
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
        self.write(|tx| {
            let has_rows: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM project) OR EXISTS (SELECT 1 FROM staff)
                         OR EXISTS (SELECT 1 FROM items) OR EXISTS (SELECT 1 FROM audit_events)
                         OR EXISTS (SELECT 1 FROM purges)",
                    &[],
                )?
                .try_get(0)?;
            require_empty(has_rows)?;
            if let Some(p) = &copy.project {
                tx.execute(
                    "INSERT INTO project (id, practice_name, ods_code, old_system, new_system,
                        cutover_start, go_live, created_at, lock_minutes)
                     VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8)",
                    &[
                        &p.practice_name,
                        &p.ods_code,
                        &p.old_system,
                        &p.new_system,
                        &p.cutover_start,
                        &p.go_live,
                        &p.created_at,
                        &p.lock_minutes,
                    ],
                )?;
            }
            let stmt = tx.prepare(
                "INSERT INTO staff (id, name, role, active, created_at, password_hash)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )?;
            for s in &copy.staff {
                tx.execute(
                    &stmt,
                    &[&s.id, &s.name, &s.role, &s.active, &s.created_at, &s.password_hash],
                )?;
            }
            let stmt = tx.prepare(
                "INSERT INTO items (id, kind, occurred_at, nhs_number, patient_name, date_of_birth,
                    clinician_id, details, fields_json, logged_by, logged_at, logged_phase, assignee_id,
                    status, status_by, status_at, status_note, voided_at, voided_by, void_reason, version,
                    search_text)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                    $18, $19, $20, $21, $22)",
            )?;
            for (i, text) in &copy.items {
                tx.execute(
                    &stmt,
                    &[
                        &i.id,
                        &i.kind,
                        &i.occurred_at,
                        &i.nhs_number,
                        &i.patient_name,
                        &i.date_of_birth,
                        &i.clinician_id,
                        &i.details,
                        &i.fields_json,
                        &i.logged_by,
                        &i.logged_at,
                        &i.logged_phase,
                        &i.assignee_id,
                        &i.status,
                        &i.status_by,
                        &i.status_at,
                        &i.status_note,
                        &i.voided_at,
                        &i.voided_by,
                        &i.void_reason,
                        &i.version,
                        text,
                    ],
                )?;
            }
            let stmt = tx.prepare(
                "INSERT INTO audit_events (id, at, actor_id, actor_name, entity, entity_id, action,
                    before_json, after_json, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )?;
            for e in &copy.events {
                let r = &e.row;
                tx.execute(
                    &stmt,
                    &[
                        &e.id,
                        &r.at,
                        &r.actor_id,
                        &r.actor_name,
                        &r.entity,
                        &r.entity_id,
                        &r.action,
                        &r.before,
                        &r.after,
                        &e.prev_hash,
                        &e.hash,
                    ],
                )?;
            }
            for s in &copy.sign_offs {
                tx.execute(
                    "INSERT INTO sign_offs (id, name, role, at, comment, signed_by, items, voided)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &[&s.id, &s.name, &s.role, &s.at, &s.comment, &s.signed_by, &s.items, &s.voided],
                )?;
            }
            for p in &copy.purges {
                tx.execute(
                    "INSERT INTO purges (id, at, summary) VALUES ($1, $2, $3)",
                    &[&p.id, &p.at, &p.summary],
                )?;
            }
            // New rows continue after the copied ids.
            for table in ["staff", "items", "audit_events", "sign_offs", "purges"] {
                tx.batch_execute(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                                   COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                ))?;
            }
            Ok(())
        })
    }
}
