//! Checking a log, for every backend: the backend's own integrity checks, rows
//! pointing at staff that do not exist, items with no creation event, and the
//! audit hash chain walked from its first event.

use crate::domain::{AuditAction, AuditEntity};
use crate::store::audit::walk_chain;
use crate::store::sql::{Backend, params};
use crate::store::{StoreResult, VerifyReport};

/// Checks the database and the audit trail.
pub fn verify<B: Backend>(store: &B) -> StoreResult<VerifyReport> {
    let (integrity_ok, integrity_messages) = store.integrity()?;
    let foreign_key_problems = store.foreign_key_problems()?;
    store.read(|c| {
        let [logged, imported, captured] = AuditAction::CREATES_ITEM;
        let items_without_creation_event = c.count(
            "SELECT COUNT(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM audit_events a
             WHERE a.entity = ?1 AND a.entity_id = i.id AND a.action IN (?2, ?3, ?4))",
            &params![
                AuditEntity::Item.as_str(),
                logged.as_str(),
                imported.as_str(),
                captured.as_str()
            ],
        )?;
        let items = c.count("SELECT COUNT(*) FROM items", &[])?;
        let audit_events = c.count("SELECT COUNT(*) FROM audit_events", &[])?;
        let check = walk_chain(c)?;
        let unreadable_audit_events = check.unreadable_json();
        let (events_before_chain, broken_link) = check.finish();
        Ok(VerifyReport {
            integrity_ok,
            integrity_messages,
            foreign_key_problems,
            items_without_creation_event,
            unreadable_audit_events,
            items,
            audit_events,
            events_before_chain,
            broken_link,
        })
    })
}
