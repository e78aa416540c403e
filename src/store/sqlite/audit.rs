//! Appending to, and reading, the audit trail. Appends happen inside the
//! transaction of the change they record.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

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
    let row = ChainRow::event(actor, entity, entity_id, action, before, after)?;
    let prev: Option<String> = conn
        .prepare_cached("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .flatten();
    let prev = prev.unwrap_or_else(|| GENESIS.to_string());
    let hash = row.hash(&prev);
    conn.prepare_cached(
        "INSERT INTO audit_events (at, actor_id, actor_name, entity, entity_id, action, before_json, after_json, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        row.at,
        row.actor_id,
        row.actor_name,
        row.entity,
        row.entity_id,
        row.action,
        row.before,
        row.after,
        prev,
        hash,
    ])?;
    Ok(())
}

pub use crate::store::chain::{ChainRow, GENESIS};

/// The columns [`event_row`] reads, in order.
pub const EVENT_ROW_COLUMNS: &str = "id, at, actor_id, actor_name, entity, entity_id, action, \
    before_json, after_json, prev_hash, hash";

/// An audit event as stored, from a row of [`EVENT_ROW_COLUMNS`].
pub fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<crate::store::transfer::EventRow> {
    Ok(crate::store::transfer::EventRow {
        id: r.get(0)?,
        row: ChainRow {
            at: r.get(1)?,
            actor_id: r.get(2)?,
            actor_name: r.get(3)?,
            entity: r.get(4)?,
            entity_id: r.get(5)?,
            action: r.get(6)?,
            before: r.get(7)?,
            after: r.get(8)?,
        },
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

/// Events before the chain began, and where the chain first breaks (event id, why).
pub fn verify_chain(conn: &Connection) -> StoreResult<(u64, Option<(i64, String)>)> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {EVENT_ROW_COLUMNS} FROM audit_events ORDER BY id"
    ))?;
    let mut rows = stmt.query([])?;
    let mut check = crate::store::chain::ChainCheck::default();
    while let Some(r) = rows.next()? {
        let e = event_row(r)?;
        if !check.next(e.id, &e.row, e.prev_hash, e.hash) {
            break;
        }
    }
    Ok(check.finish())
}

/// The events of one entity, oldest first.
pub fn history(conn: &Connection, entity: &str, id: i64) -> StoreResult<Vec<AuditEvent>> {
    query_events(
        conn,
        "WHERE entity = ? AND entity_id = ? ORDER BY id",
        vec![
            rusqlite::types::Value::Text(entity.into()),
            rusqlite::types::Value::Integer(id),
        ],
    )
}

/// Events matching a filter, newest first.
pub fn log(
    conn: &Connection,
    f: &crate::domain::AuditFilter,
    offset: u64,
    limit: u64,
) -> StoreResult<Vec<AuditEvent>> {
    use rusqlite::types::Value;
    let mut conds = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    if let Some(a) = f.actor {
        conds.push("actor_id = ?");
        params.push(Value::Integer(a.0));
    }
    if let Some(item) = f.item {
        conds.push("entity = 'item' AND entity_id = ?");
        params.push(Value::Integer(item));
    }
    if let Some(d) = f.from {
        conds.push("at >= ?");
        params.push(Value::Text(crate::domain::dates::iso_date(d)));
    }
    if let Some(d) = f.to {
        conds.push("at < ?");
        params.push(Value::Text(crate::domain::dates::iso_date(
            d + chrono::Duration::days(1),
        )));
    }
    let clause = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    params.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    query_events(
        conn,
        &format!("{clause} ORDER BY id DESC LIMIT ? OFFSET ?"),
        params,
    )
}

fn query_events(
    conn: &Connection,
    tail: &str,
    params: Vec<rusqlite::types::Value>,
) -> StoreResult<Vec<AuditEvent>> {
    let sql = format!(
        "SELECT id, at, actor_id, actor_name, entity, entity_id, action, before_json, after_json FROM audit_events {tail}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
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
