//! Retention, for every backend: after sign-off the practice manager can purge
//! the log. Every patient detail is removed (items and the audit events that
//! carry them); a de-identified summary is kept, and the new audit chain starts
//! with the purge, naming the old chain's last hash; then the backend rewrites
//! its storage so deleted rows do not linger.

use serde::{Deserialize, Serialize};

use crate::domain::dates::iso_timestamp;
use crate::domain::permissions::Action;
use crate::domain::{Actor, AuditAction, AuditEntity, ItemKind, Status};
use crate::store::access::authorize;
use crate::store::audit::{append, chain_head};
use crate::store::practice::{require_project, sign_offs};
use crate::store::queries::stats;
use crate::store::sql::{Backend, Sql, params};
use crate::store::{StoreError, StoreResult};

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

/// Purges the log (see the module comment); refused until it is signed off with
/// nothing open.
pub fn purge<B: Backend>(store: &mut B, actor: &Actor) -> StoreResult<PurgeSummary> {
    authorize(store, actor, Action::Purge)?;
    store.before_purge()?;
    let summary = store.write(|tx| {
        let project = require_project(tx)?;
        let stats = stats(tx)?;
        let sign_offs = sign_offs(tx)?;
        let last = chain_head(tx)?;
        let removed = tx.count("SELECT COUNT(*) FROM audit_events", &[])?;
        let summary = summary(&project, &stats, sign_offs, last, removed, actor)?;
        let json =
            serde_json::to_string(&summary).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tx.batch(tx.dialect().delete_everything)?;
        tx.execute(
            "INSERT INTO purges (at, summary) VALUES (?1, ?2)",
            &params![iso_timestamp(actor.at), json],
        )?;
        append(
            tx,
            actor,
            AuditEntity::Log,
            0,
            AuditAction::LogPurged,
            None::<&()>,
            Some(&summary),
        )?;
        Ok(summary)
    })?;
    store.after_purge()?;
    Ok(summary)
}

/// What a purge keeps, or why the log may not be purged yet (not signed off, or
/// items open again since): the same rule for every backend.
pub fn summary(
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

/// The summaries kept by earlier purges, oldest first.
pub fn summaries(c: &mut dyn Sql) -> StoreResult<Vec<PurgeSummary>> {
    c.query("SELECT summary FROM purges ORDER BY id", &[])?
        .iter()
        .map(|r| {
            serde_json::from_str(&r.text(0)?)
                .map_err(|_| StoreError::Corrupt("purge summary: unreadable".into()))
        })
        .collect()
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
