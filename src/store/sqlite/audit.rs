//! Appending to, and reading, the audit trail. Appends happen inside the
//! transaction of the change they record.

use rusqlite::{Connection, params};
use serde::Serialize;

use crate::domain::dates::iso_timestamp;
use crate::domain::{Actor, AuditEvent, StaffId};
use crate::store::StoreResult;

use super::rows::time;

/// Appends one event; `before`/`after` are serialised to JSON.
pub fn append<B: Serialize, A: Serialize>(
    conn: &Connection,
    actor: &Actor,
    entity: &str,
    entity_id: i64,
    action: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> StoreResult<()> {
    let to_json = |v: Option<String>| v;
    let before = before
        .map(serde_json::to_string)
        .transpose()
        .map_err(json_err)?;
    let after = after
        .map(serde_json::to_string)
        .transpose()
        .map_err(json_err)?;
    conn.prepare_cached(
        "INSERT INTO audit_events (at, actor_id, actor_name, entity, entity_id, action, before_json, after_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        iso_timestamp(actor.at),
        actor.staff.map(|s| s.0),
        actor.name,
        entity,
        entity_id,
        action,
        to_json(before),
        to_json(after),
    ])?;
    Ok(())
}

fn json_err(e: serde_json::Error) -> crate::store::StoreError {
    crate::store::StoreError::Corrupt(format!("could not record the change: {e}"))
}

/// The events of one entity, oldest first.
pub fn history(conn: &Connection, entity: &str, id: i64) -> StoreResult<Vec<AuditEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor_id, actor_name, entity, entity_id, action, before_json, after_json
         FROM audit_events WHERE entity = ?1 AND entity_id = ?2 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![entity, id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<i64>>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, Option<String>>(8)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (eid, at, actor, actor_name, entity, entity_id, action, before, after) = row?;
        let parse = |s: Option<String>| s.and_then(|j| serde_json::from_str(&j).ok());
        out.push(AuditEvent {
            id: eid,
            at: time(entity_id, "audit time", &at)?,
            actor: actor.map(StaffId),
            actor_name,
            entity,
            entity_id,
            action,
            before: parse(before),
            after: parse(after),
        });
    }
    Ok(out)
}
