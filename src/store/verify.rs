//! Checking a log, for every backend: the backend's own integrity checks, rows
//! pointing at staff that do not exist, items with no creation event, the
//! audit hash chain walked from its first event, and every item's history
//! replayed and compared with its row (a row changed behind the app's back).

use std::collections::HashMap;

use crate::domain::replay::{apply, differences};
use crate::domain::{AuditAction, AuditEntity, Item};
use crate::store::audit::walk_chain;
use crate::store::rows::{ITEM_COLUMNS, RawItem};
use crate::store::sql::{Backend, Sql, params};
use crate::store::{Divergence, StoreResult, VerifyReport};

/// How many differing rows a report lists (all are counted).
const LISTED: usize = 200;

/// Every item's history replayed, compared with its row: the rows that differ
/// (the first [`LISTED`]) and how many.
fn replay_items(c: &mut dyn Sql) -> StoreResult<(Vec<Divergence>, u64)> {
    let mut history: HashMap<i64, Result<Option<Item>, String>> = HashMap::new();
    c.query_each(
        "SELECT entity_id, action, after_json FROM audit_events WHERE entity = ?1 ORDER BY id",
        &params![AuditEntity::Item.as_str()],
        &mut |r| {
            let state = history.entry(r.int(0)?).or_insert(Ok(None));
            if let Ok(item) = state {
                let action = AuditAction::parse(&r.text(1)?);
                let after = r
                    .opt_text(2)?
                    .map(|t| serde_json::from_str::<serde_json::Value>(&t));
                let applied = match after {
                    Some(Err(e)) => Err(format!("unreadable history ({e})")),
                    Some(Ok(v)) => apply(item, &action, Some(&v)),
                    None => apply(item, &action, None),
                };
                if let Err(why) = applied {
                    *state = Err(why);
                }
            }
            Ok(())
        },
    )?;
    let mut out = Vec::new();
    let mut count = 0u64;
    let mut note = |id: i64, fields: Vec<String>| {
        count += 1;
        if out.len() < LISTED {
            out.push(Divergence {
                entity: AuditEntity::Item.as_str().to_string(),
                id,
                fields,
            });
        }
    };
    let sql = format!("SELECT {ITEM_COLUMNS} FROM items ORDER BY items.id");
    c.query_each(&sql, &[], &mut |r| {
        let row = RawItem::from_row(&r)?.into_item()?;
        match history.remove(&row.id.0) {
            // No creation event: counted on its own.
            None | Some(Ok(None)) => {}
            Some(Err(why)) => note(row.id.0, vec![why]),
            Some(Ok(Some(replayed))) => {
                let differ = differences(&row, &replayed);
                if !differ.is_empty() {
                    note(row.id.0, differ);
                }
            }
        }
        Ok(())
    })?;
    let mut gone: Vec<i64> = history.into_keys().collect();
    gone.sort_unstable();
    for id in gone {
        note(id, vec!["the row is missing".into()]);
    }
    Ok((out, count))
}

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
        let (divergences, divergent_rows) = replay_items(c)?;
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
            divergences,
            divergent_rows,
        })
    })
}
