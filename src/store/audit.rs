//! The audit trail, for every backend: appending an event inside the transaction
//! of the change it records (hash-chained after the one before), reading an
//! entity's history and the viewer's pages, and walking the chain to verify it.

use serde::Serialize;

use crate::domain::{Actor, AuditAction, AuditEntity, AuditEvent, AuditFilter, StaffId};
use crate::store::StoreResult;
use crate::store::chain::{ChainCheck, ChainRow, GENESIS};
use crate::store::rows::time;
use crate::store::sql::{Query, Row, Sql, count_param, params};

/// The hash of the last audit event, if any: the chain's head.
pub fn chain_head(tx: &mut dyn Sql) -> StoreResult<Option<String>> {
    match tx.query_opt(
        "SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1",
        &[],
    )? {
        Some(r) => r.opt_text(0),
        None => Ok(None),
    }
}

/// A point in the audit chain recorded outside the log (on a report, with a
/// backup): the event's number and its hash, which commits to every event before
/// it. A log "still holds" an anchor when that event is there with that hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainAnchor {
    pub event: i64,
    pub hash: String,
}

impl ChainAnchor {
    /// As printed and typed: `N:HASH`.
    pub fn text(&self) -> String {
        format!("{}:{}", self.event, self.hash)
    }

    /// Reads `N:HASH` (or a bare hash, then any event number).
    pub fn parse(text: &str) -> Option<(Option<i64>, String)> {
        let t = text.trim();
        let (event, hash) = match t.split_once(':') {
            Some((n, h)) => (Some(n.trim().parse().ok()?), h.trim()),
            None => (None, t),
        };
        let hex = hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit());
        hex.then(|| (event, hash.to_ascii_lowercase()))
    }
}

/// The chain's head as an anchor (none for an empty trail).
pub fn anchor(c: &mut dyn Sql) -> StoreResult<Option<ChainAnchor>> {
    match c.query_opt(
        "SELECT id, hash FROM audit_events WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1",
        &[],
    )? {
        Some(r) => Ok(Some(ChainAnchor {
            event: r.int(0)?,
            hash: r.text(1)?,
        })),
        None => Ok(None),
    }
}

/// The event this log holds with `hash` (and number `event`, when given).
pub fn holding(
    c: &mut dyn Sql,
    event: Option<i64>,
    hash: &str,
) -> StoreResult<Option<ChainAnchor>> {
    let row = c.query_opt(
        "SELECT id, hash FROM audit_events WHERE hash = ?1 ORDER BY id LIMIT 1",
        &params![hash],
    )?;
    let Some(r) = row else { return Ok(None) };
    let found = ChainAnchor {
        event: r.int(0)?,
        hash: r.text(1)?,
    };
    Ok(event.is_none_or(|n| n == found.event).then_some(found))
}

/// Every event's number and hash, in order: a trail to compare with another
/// log's (a restore against the live log).
pub fn ids_and_hashes(c: &mut dyn Sql) -> StoreResult<Vec<(i64, String)>> {
    let mut out = Vec::new();
    c.query_each(
        "SELECT id, hash FROM audit_events ORDER BY id",
        &[],
        &mut |r| {
            out.push((r.int(0)?, r.opt_text(1)?.unwrap_or_default()));
            Ok(())
        },
    )?;
    Ok(out)
}

/// The chain's head inside one write transaction: read once, then moved on by
/// each event appended through it, so a batch of events does not read the head
/// back for each. Every event of the transaction must go through the same
/// `Chain` (the write transaction keeps other writers out).
pub struct Chain {
    head: String,
}

impl Chain {
    /// The head as stored now (the genesis text for an empty trail).
    pub fn read(tx: &mut dyn Sql) -> StoreResult<Self> {
        Ok(Self {
            head: chain_head(tx)?.unwrap_or_else(|| GENESIS.to_string()),
        })
    }

    /// Appends one event after the head; `before`/`after` are stored as JSON.
    #[allow(clippy::too_many_arguments)]
    pub fn append<B: Serialize, A: Serialize>(
        &mut self,
        tx: &mut dyn Sql,
        actor: &Actor,
        entity: AuditEntity,
        entity_id: i64,
        action: AuditAction,
        before: Option<&B>,
        after: Option<&A>,
    ) -> StoreResult<()> {
        let row = ChainRow::event(actor, &entity, entity_id, &action, before, after)?;
        let hash = row.hash(&self.head);
        tx.execute(
            "INSERT INTO audit_events (at, actor_id, actor_name, entity, entity_id, action, before_json, after_json, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            &params![
                row.at,
                row.actor_id,
                row.actor_name,
                row.entity,
                row.entity_id,
                row.action,
                row.before,
                row.after,
                self.head.as_str(),
                hash.as_str(),
            ],
        )?;
        self.head = hash;
        Ok(())
    }
}

/// Appends one event after the chain's head; `before`/`after` are stored as JSON.
/// The caller is inside a write transaction, so no other event can come between
/// reading the head and writing.
pub fn append<B: Serialize, A: Serialize>(
    tx: &mut dyn Sql,
    actor: &Actor,
    entity: AuditEntity,
    entity_id: i64,
    action: AuditAction,
    before: Option<&B>,
    after: Option<&A>,
) -> StoreResult<()> {
    Chain::read(tx)?.append(tx, actor, entity, entity_id, action, before, after)
}

/// An item's event: the common case of [`append`].
pub fn append_item<B: Serialize, A: Serialize>(
    tx: &mut dyn Sql,
    actor: &Actor,
    id: i64,
    action: AuditAction,
    before: Option<&B>,
    after: Option<&A>,
) -> StoreResult<()> {
    append(tx, actor, AuditEntity::Item, id, action, before, after)
}

/// An audit event as stored, hashes included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub id: i64,
    pub row: ChainRow,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// What [`event`] reads, in order.
const EVENT_COLUMNS: &str =
    "id, at, actor_id, actor_name, entity, entity_id, action, before_json, after_json";

/// Every stored column of an event, for [`EventRow::from_row`].
pub const EVENT_ROW_COLUMNS: &str = "id, at, actor_id, actor_name, entity, entity_id, action, \
    before_json, after_json, prev_hash, hash";

fn event(r: &Row) -> StoreResult<AuditEvent> {
    let entity_id = r.int(5)?;
    let parse = |s: Option<String>| s.and_then(|j| serde_json::from_str(&j).ok());
    Ok(AuditEvent {
        id: r.int(0)?,
        at: time(entity_id, "audit time", &r.text(1)?)?,
        actor: r.opt_int(2)?.map(StaffId),
        actor_name: r.text(3)?,
        entity: AuditEntity::parse(&r.text(4)?),
        entity_id,
        action: AuditAction::parse(&r.text(6)?),
        before: parse(r.opt_text(7)?),
        after: parse(r.opt_text(8)?),
    })
}

impl EventRow {
    /// Reads a row selected with [`EVENT_ROW_COLUMNS`].
    pub fn from_row(r: &Row) -> StoreResult<Self> {
        Ok(EventRow {
            id: r.int(0)?,
            row: ChainRow {
                at: r.text(1)?,
                actor_id: r.opt_int(2)?,
                actor_name: r.text(3)?,
                entity: r.text(4)?,
                entity_id: r.int(5)?,
                action: r.text(6)?,
                before: r.opt_text(7)?,
                after: r.opt_text(8)?,
            },
            prev_hash: r.opt_text(9)?,
            hash: r.opt_text(10)?,
        })
    }
}

/// The events of one entity, oldest first.
pub fn history(c: &mut dyn Sql, entity: &AuditEntity, id: i64) -> StoreResult<Vec<AuditEvent>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM audit_events WHERE entity = ?1 AND entity_id = ?2 ORDER BY id"
    );
    c.query(&sql, &params![entity.as_str(), id])?
        .iter()
        .map(event)
        .collect()
}

/// Events matching a filter, newest first, a page at a time.
pub fn log(
    c: &mut dyn Sql,
    f: &AuditFilter,
    offset: u64,
    limit: u64,
) -> StoreResult<Vec<AuditEvent>> {
    let mut q = Query::default();
    let mut conds = Vec::new();
    if let Some(a) = f.actor {
        conds.push(format!("actor_id = {}", q.bind(a.0)));
    }
    if let Some(item) = f.item {
        let entity = q.bind(AuditEntity::Item.as_str());
        conds.push(format!(
            "entity = {entity} AND entity_id = {}",
            q.bind(item)
        ));
    }
    if let Some(d) = f.from {
        conds.push(format!(
            "at >= {}",
            q.bind(crate::domain::dates::iso_date(d))
        ));
    }
    if let Some(d) = f.to {
        let next = crate::domain::dates::iso_date(d + chrono::Duration::days(1));
        conds.push(format!("at < {}", q.bind(next)));
    }
    let clause = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    let limit = q.bind(count_param(limit));
    let offset = q.bind(count_param(offset));
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM audit_events {clause} ORDER BY id DESC LIMIT {limit} OFFSET {offset}"
    );
    c.query(&sql, &q.params)?.iter().map(event).collect()
}

/// Walks the whole chain with the shared rules, streamed (the trail can be long);
/// every event's JSON is checked even after a break.
pub fn walk_chain(c: &mut dyn Sql) -> StoreResult<ChainCheck> {
    let mut check = ChainCheck::default();
    c.query_each(
        &format!("SELECT {EVENT_ROW_COLUMNS} FROM audit_events ORDER BY id"),
        &[],
        &mut |r| {
            let e = EventRow::from_row(&r)?;
            check.next(e.id, &e.row, e.prev_hash, e.hash);
            Ok(())
        },
    )?;
    Ok(check)
}

#[cfg(test)]
mod anchor_tests {
    use super::ChainAnchor;

    #[test]
    fn an_anchor_reads_as_printed_and_refuses_anything_else() {
        let hash = "ab".repeat(32);
        let a = ChainAnchor {
            event: 42,
            hash: hash.clone(),
        };
        assert_eq!(
            ChainAnchor::parse(&a.text()),
            Some((Some(42), hash.clone()))
        );
        assert_eq!(
            ChainAnchor::parse(&format!(" {} ", hash.to_uppercase())),
            Some((None, hash.clone()))
        );
        for bad in [
            "",
            "42:",
            "x:abc",
            "42:abc",
            &format!("42:{}", "zz".repeat(32)),
        ] {
            assert_eq!(ChainAnchor::parse(bad), None, "{bad}");
        }
    }
}
