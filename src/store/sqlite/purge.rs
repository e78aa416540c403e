//! Retention: after sign-off the practice manager can purge the log. Every
//! patient detail is removed (items and the audit events that carry them); a
//! de-identified summary is kept; the file is rewritten so deleted pages do not
//! linger on disk.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::domain::dates::iso_timestamp;
use crate::domain::permissions::Action;
use crate::domain::{Actor, ItemKind, Status};
use crate::store::{CutoverStore, StoreError, StoreResult};

use super::SqliteStore;
use super::audit;

/// What is kept after a purge: counts only, no patient details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeSummary {
    pub purged_at: chrono::NaiveDateTime,
    pub purged_by: String,
    pub practice: String,
    pub ods_code: String,
    /// (kind, status or "voided", count)
    pub counts: Vec<(String, String, u64)>,
    pub items: u64,
    pub audit_events_removed: u64,
    /// The audit chain's last hash before the purge, carried into the new chain.
    pub last_chain_hash: String,
    pub signed_off_by: String,
    pub signed_off_at: chrono::NaiveDateTime,
}

pub(super) const SCHEMA: &str = r#"
CREATE TABLE purges (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    summary     TEXT NOT NULL
);
"#;

const TRIGGERS: &str = r#"
CREATE TRIGGER items_never_deleted BEFORE DELETE ON items
BEGIN
    SELECT RAISE(ABORT, 'items are never deleted: void them with a reason');
END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
"#;

pub(super) fn purge(store: &mut SqliteStore, actor: &Actor) -> StoreResult<PurgeSummary> {
    super::access::authorize(store, actor, Action::Purge)?;
    let project = store.require_project()?;
    let stats = store.stats()?;
    let sign_offs = store.sign_offs()?;
    let last_chain_hash: Option<String> = store
        .conn
        .query_row(
            "SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or(None);
    let removed: i64 = store
        .conn
        .query_row("SELECT COUNT(*) FROM audit_events", [], |r| r.get(0))?;
    let summary = summary(
        &project,
        &stats,
        sign_offs,
        last_chain_hash,
        u64::try_from(removed).unwrap_or(0),
        actor,
    )?;
    let json = serde_json::to_string(&summary).map_err(|e| StoreError::Corrupt(e.to_string()))?;

    // Freed pages are overwritten with zeros, not just unlinked.
    store.conn.pragma_update(None, "secure_delete", "ON")?;
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "DROP TRIGGER items_never_deleted;
         DROP TRIGGER audit_append_only_delete;
         DELETE FROM items;
         DELETE FROM audit_events;
         INSERT INTO items_fts (items_fts) VALUES ('rebuild');",
    )?;
    tx.execute_batch(TRIGGERS)?;
    tx.execute(
        "INSERT INTO purges (at, summary) VALUES (?1, ?2)",
        params![iso_timestamp(actor.at), json],
    )?;
    // The new chain starts with the purge, naming the old chain's last hash.
    audit::append(
        &tx,
        actor,
        "log",
        0,
        "log.purged",
        None::<&()>,
        Some(&summary),
    )?;
    tx.commit()?;
    // Rewrite the file and empty the WAL so no old page survives on disk.
    store.conn.execute_batch("VACUUM;")?;
    store
        .conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(summary)
}

/// What a purge keeps, or why the log may not be purged yet (not signed off, or
/// items open again since): the same rule for every backend.
pub(crate) fn summary(
    project: &crate::domain::Project,
    stats: &crate::domain::Stats,
    mut sign_offs: Vec<crate::domain::SignOff>,
    last_chain_hash: Option<String>,
    audit_events_removed: u64,
    actor: &Actor,
) -> StoreResult<PurgeSummary> {
    let Some(sign_off) = sign_offs.pop() else {
        return Err(StoreError::NotPermitted(
            "the log can be purged only after the re-entry is signed off".into(),
        ));
    };
    if stats.open() > 0 {
        return Err(StoreError::NotPermitted(format!(
            "{} item(s) are open again since sign-off; resolve them and sign off again before purging",
            stats.open()
        )));
    }
    let mut counts: Vec<(String, String, u64)> = stats
        .by_kind_status
        .iter()
        .map(|(k, s, n)| (k.code().to_string(), s.code().to_string(), *n))
        .collect();
    counts.extend(
        stats
            .voided_by_kind
            .iter()
            .map(|(k, n)| (k.code().to_string(), "voided".to_string(), *n)),
    );
    Ok(PurgeSummary {
        purged_at: actor.at,
        purged_by: actor.name.clone(),
        practice: project.practice_name.clone(),
        ods_code: project.ods_code.to_string(),
        counts,
        items: stats.total() + stats.voided(),
        audit_events_removed,
        last_chain_hash: last_chain_hash.unwrap_or_default(),
        signed_off_by: sign_off.name.clone(),
        signed_off_at: sign_off.at,
    })
}

pub(super) fn summaries(store: &SqliteStore) -> StoreResult<Vec<PurgeSummary>> {
    let mut stmt = store
        .conn
        .prepare("SELECT summary FROM purges ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(
            serde_json::from_str(&row?)
                .map_err(|_| StoreError::Corrupt("purge summary: unreadable".into()))?,
        );
    }
    Ok(out)
}

impl PurgeSummary {
    /// The kept count for one kind and status (`None`: voided items).
    pub fn count(&self, kind: ItemKind, status: Option<Status>) -> u64 {
        let code = status.map_or("voided", Status::code);
        self.counts
            .iter()
            .filter(|(k, s, _)| k == kind.code() && s == code)
            .map(|(_, _, n)| n)
            .sum()
    }
}
