//! Checking a log, for every backend: the backend's own integrity checks, rows
//! pointing at staff that do not exist, items with no creation event, the
//! audit hash chain walked from its first event, and every item's history
//! replayed and compared with its row (a row changed behind the app's back).

use std::collections::HashMap;

use crate::domain::replay::{apply, differences};
use crate::domain::{AuditAction, AuditEntity, Item, Project, Staff};
use crate::store::audit::walk_chain;
use crate::store::rows::{ITEM_COLUMN_COUNT, ITEM_COLUMNS, RawItem};
use crate::store::sql::{Backend, Sql, params};
use crate::store::{Divergence, StoreResult, VerifyReport};

/// How many differing rows a report lists (all are counted).
const LISTED: usize = 200;

/// The differing rows found so far: the first [`LISTED`] listed, all counted.
#[derive(Default)]
struct Found {
    listed: Vec<Divergence>,
    count: u64,
}

impl Found {
    fn note(&mut self, entity: AuditEntity, id: i64, fields: Vec<String>) {
        self.count += 1;
        if self.listed.len() < LISTED {
            self.listed.push(Divergence {
                entity: entity.as_str().to_string(),
                id,
                fields,
            });
        }
    }
}

/// The latest whole row each event of `actions` recorded for each `entity` id.
fn recorded_rows<T: serde::de::DeserializeOwned>(
    c: &mut dyn Sql,
    entity: AuditEntity,
    actions: &[AuditAction],
) -> StoreResult<HashMap<i64, Result<T, String>>> {
    let mut rows = HashMap::new();
    c.query_each(
        "SELECT entity_id, action, after_json FROM audit_events WHERE entity = ?1 ORDER BY id",
        &params![entity.as_str()],
        &mut |r| {
            if actions.contains(&AuditAction::parse(&r.text(1)?)) {
                let read = r
                    .opt_text(2)?
                    .ok_or_else(|| "an event with nothing recorded after it".to_string())
                    .and_then(|t| serde_json::from_str::<T>(&t).map_err(|e| e.to_string()));
                rows.insert(r.int(0)?, read);
            }
            Ok(())
        },
    )?;
    Ok(rows)
}

/// A project setting as its last recorded change left it (`default` if never
/// changed, or if that record cannot be read — then the row differs and is named).
fn setting<T: serde::de::DeserializeOwned>(
    c: &mut dyn Sql,
    action: AuditAction,
    default: T,
) -> StoreResult<T> {
    let mut recorded = recorded_rows::<T>(c, AuditEntity::Project, &[action])?;
    Ok(match recorded.remove(&1) {
        Some(Ok(v)) => v,
        _ => default,
    })
}

/// Each staff member's stored password hash against the digest its last
/// recorded change holds (issue 31 #4): a hash swapped in by hand (to sign in
/// as them with a known password) or removed is named. A change recorded
/// before digests were (an older log) cannot be compared and is passed over.
fn replay_passwords(c: &mut dyn Sql, found: &mut Found) -> StoreResult<()> {
    let mut last: std::collections::HashMap<i64, Option<String>> = Default::default();
    c.query_each(
        "SELECT entity_id, after_json FROM audit_events WHERE entity = ?1 AND action = ?2 ORDER BY id",
        &params![
            AuditEntity::Staff.as_str(),
            AuditAction::StaffPasswordSet.as_str()
        ],
        &mut |r| {
            let digest = r
                .opt_text(1)?
                .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
                .and_then(|v| v.get("hash_digest")?.as_str().map(str::to_string));
            last.insert(r.int(0)?, digest);
            Ok(())
        },
    )?;
    let mut stored: Vec<(i64, Option<String>)> = Vec::new();
    c.query_each(
        "SELECT id, password_hash FROM staff ORDER BY id",
        &[],
        &mut |r| {
            stored.push((r.int(0)?, r.opt_text(1)?));
            Ok(())
        },
    )?;
    for (id, hash) in stored {
        let says = match (hash, last.get(&id)) {
            (Some(h), Some(Some(d))) if crate::store::access::hash_digest(&h) != *d => {
                "password hash not the one the app stored (changed outside the app)"
            }
            (Some(_), None) => "a password the audit trail does not record setting",
            (None, Some(Some(_))) => "password removed outside the app",
            _ => continue,
        };
        found.note(AuditEntity::Staff, id, vec![says.to_string()]);
    }
    Ok(())
}

/// Each staff row and the project row against the last whole row their
/// history recorded (the password is not in the history; the lock time is
/// compared with its last recorded change). Not after a purge.
fn replay_practice(c: &mut dyn Sql, found: &mut Found) -> StoreResult<()> {
    use AuditAction as A;
    // A purge removes the history with the patient data; staff and project rows
    // stay, with nothing left to replay. Only a purge the hash chain records
    // counts: a row put into `purges` by hand switches nothing off, and is
    // itself named (issue 31 #3).
    let recorded = c.count(
        "SELECT COUNT(*) FROM audit_events WHERE entity = ?1 AND action = ?2",
        &params![AuditEntity::Log.as_str(), AuditAction::LogPurged.as_str()],
    )?;
    let rows = c.count("SELECT COUNT(*) FROM purges", &[])?;
    if rows > recorded {
        found.note(
            AuditEntity::Log,
            0,
            vec![format!(
                "{} purge row(s) the audit trail does not record",
                rows - recorded
            )],
        );
    }
    if recorded > 0 {
        return Ok(());
    }
    let mut staff = recorded_rows::<Staff>(
        c,
        AuditEntity::Staff,
        &[A::StaffAdded, A::StaffActivated, A::StaffDeactivated],
    )?;
    for row in crate::store::access::staff(c)? {
        let differ = match staff.remove(&row.id.0) {
            None => vec!["no history".to_string()],
            Some(Err(why)) => vec![format!("unreadable history ({why})")],
            Some(Ok(h)) => [
                ("name", row.name == h.name),
                ("role", row.role == h.role),
                ("active", row.active == h.active),
            ]
            .iter()
            .filter(|(_, same)| !same)
            .map(|(f, _)| (*f).to_string())
            .collect(),
        };
        if !differ.is_empty() {
            found.note(AuditEntity::Staff, row.id.0, differ);
        }
    }
    replay_passwords(c, found)?;
    let projects = recorded_rows::<Project>(
        c,
        AuditEntity::Project,
        &[A::ProjectCreated, A::ProjectUpdated, A::ProjectGoLiveMoved],
    )?;
    if let Some(row) = crate::store::practice::project(c)? {
        let differ: Vec<String> = match projects.get(&1) {
            None => vec!["no history".into()],
            Some(Err(why)) => vec![format!("unreadable history ({why})")],
            Some(Ok(h)) => [
                ("practice_name", row.practice_name == h.practice_name),
                ("ods_code", row.ods_code == h.ods_code),
                ("old_system", row.old_system == h.old_system),
                ("new_system", row.new_system == h.new_system),
                ("cutover_start", row.cutover_start == h.cutover_start),
                ("go_live", row.go_live == h.go_live),
            ]
            .iter()
            .filter(|(_, same)| !same)
            .map(|(f, _)| (*f).to_string())
            .collect(),
        };
        let mut differ = differ;
        use crate::store::{deadlines, practice};
        let lock = practice::lock_minutes(c)?;
        if setting(c, A::ProjectLockMinutes, practice::DEFAULT_LOCK_MINUTES)? != lock {
            differ.push("lock_minutes".into());
        }
        let folder = practice::backup_folder(c)?;
        if setting(c, A::ProjectBackupFolder, None)? != folder {
            differ.push("backup_folder".into());
        }
        let rules = deadlines::rules(c)?;
        if setting(
            c,
            A::ProjectDeadlineRules,
            crate::domain::deadline::DeadlineRules::default(),
        )? != rules
        {
            differ.push("deadline_rules".into());
        }
        let access = deadlines::old_system_access_ends(c)?;
        if setting(c, A::ProjectOldSystemAccess, None)? != access {
            differ.push("old_system_access_ends".into());
        }
        if !differ.is_empty() {
            found.note(AuditEntity::Project, 1, differ);
        }
    }
    Ok(())
}

/// Every item's history replayed, compared with its row: the rows that differ
/// (the first [`LISTED`]) and how many.
fn replay_items(c: &mut dyn Sql, found: &mut Found) -> StoreResult<()> {
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
    let deadlines = crate::store::deadlines::deadlines(c)?;
    let mut note = |id: i64, fields: Vec<String>| found.note(AuditEntity::Item, id, fields);
    let sql = format!(
        "SELECT {ITEM_COLUMNS}, items.due_at, items.search_text FROM items ORDER BY items.id"
    );
    c.query_each(&sql, &[], &mut |r| {
        let raw = RawItem::from_row(&r)?;
        let due = r.opt_text(ITEM_COLUMN_COUNT)?;
        let search = r.opt_text(ITEM_COLUMN_COUNT + 1)?;
        let row = raw.into_item()?;
        // The due-by is derived: what the rules give for the item as stored.
        let due_differs = deadlines.is_some_and(|d| due != Some(d.due_by(&row.input).stored()));
        // So is the text search reads: blanked, the item vanishes from search.
        let search_differs =
            search.as_deref() != Some(crate::store::rows::search_text(&row.input).as_str());
        match history.remove(&row.id.0) {
            // No creation event: counted on its own.
            None | Some(Ok(None)) => {}
            Some(Err(why)) => note(row.id.0, vec![why]),
            Some(Ok(Some(replayed))) => {
                let mut differ = differences(&row, &replayed);
                if due_differs {
                    differ.push("due_at".into());
                }
                if search_differs {
                    differ.push("search_text".into());
                }
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
    Ok(())
}

/// When the last purge the hash chain records was made: what was written
/// before it has no history left to replay.
fn purged_at(c: &mut dyn Sql) -> StoreResult<Option<chrono::NaiveDateTime>> {
    c.query_opt(
        "SELECT at FROM audit_events WHERE entity = ?1 AND action = ?2 ORDER BY id DESC LIMIT 1",
        &params![AuditEntity::Log.as_str(), AuditAction::LogPurged.as_str()],
    )?
    .map(|r| crate::store::rows::time(0, "purge time", &r.text(0)?))
    .transpose()
}

/// Each sign-off row against the event that recorded it: a sign-off put in by
/// hand, or one whose signer, time or comment was changed, is named.
fn replay_sign_offs(c: &mut dyn Sql, found: &mut Found) -> StoreResult<()> {
    let mut recorded: HashMap<i64, serde_json::Value> = HashMap::new();
    c.query_each(
        "SELECT entity_id, after_json FROM audit_events WHERE entity = ?1 AND action = ?2",
        &params![
            AuditEntity::SignOff.as_str(),
            AuditAction::SignedOff.as_str()
        ],
        &mut |r| {
            if let Some(j) = r.opt_text(1)?
                && let Ok(v) = serde_json::from_str(&j)
            {
                recorded.insert(r.int(0)?, v);
            }
            Ok(())
        },
    )?;
    let rows = c.query(
        "SELECT id, name, role, at, comment, signed_by, replaces_reason FROM sign_offs ORDER BY id",
        &[],
    )?;
    let purged = purged_at(c)?;
    for r in &rows {
        let id = r.int(0)?;
        let before_purge = purged.is_some_and(|p| {
            crate::domain::dates::from_iso(&r.text(3).unwrap_or_default()).is_some_and(|at| at <= p)
        });
        let Some(event) = recorded.get(&id) else {
            if !before_purge {
                found.note(AuditEntity::SignOff, id, vec!["no history".into()]);
            }
            continue;
        };
        let same_time = |v: &serde_json::Value, text: &str| {
            v.as_str().and_then(crate::domain::dates::from_iso)
                == crate::domain::dates::from_iso(text)
        };
        let mut differ = Vec::new();
        if event["name"].as_str() != Some(r.text(1)?.as_str()) {
            differ.push("name".to_string());
        }
        if event["role"].as_str() != Some(r.text(2)?.as_str()) {
            differ.push("role".to_string());
        }
        if !same_time(&event["at"], &r.text(3)?) {
            differ.push("at".to_string());
        }
        if event["comment"].as_str() != Some(r.text(4)?.as_str()) {
            differ.push("comment".to_string());
        }
        if event["signed_by"].as_i64() != Some(r.int(5)?) {
            differ.push("signed_by".to_string());
        }
        if event["replaces_reason"].as_str() != r.opt_text(6)?.as_deref() {
            differ.push("replaces_reason".to_string());
        }
        if !differ.is_empty() {
            found.note(AuditEntity::SignOff, id, differ);
        }
    }
    // A sign-off the trail records and the table no longer holds was removed
    // (nothing in the app removes one; a replacement keeps the one before).
    let held: std::collections::HashSet<i64> =
        rows.iter().map(|r| r.int(0)).collect::<StoreResult<_>>()?;
    let mut gone: Vec<i64> = recorded
        .keys()
        .filter(|id| !held.contains(id))
        .copied()
        .collect();
    gone.sort_unstable();
    for id in gone {
        found.note(
            AuditEntity::SignOff,
            id,
            vec!["removed (the audit trail records it)".into()],
        );
    }
    Ok(())
}

/// Each "verified in the new system" / "not found" row against the events
/// that recorded it (item, file, row, outcome, who): a row put in by hand, or
/// one removed, is named.
fn replay_verifications(c: &mut dyn Sql, found: &mut Found) -> StoreResult<()> {
    type Key = (i64, String, String, i64, i64);
    let mut recorded: HashMap<Key, i64> = HashMap::new();
    c.query_each(
        "SELECT entity_id, action, after_json, actor_id FROM audit_events
         WHERE entity = ?1 AND action IN (?2, ?3)",
        &params![
            AuditEntity::Item.as_str(),
            AuditAction::ItemVerified.as_str(),
            AuditAction::ItemNotFoundInReport.as_str()
        ],
        &mut |r| {
            let after: serde_json::Value = r
                .opt_text(2)?
                .and_then(|j| serde_json::from_str(&j).ok())
                .unwrap_or_default();
            let outcome = if r.text(1)? == AuditAction::ItemVerified.as_str() {
                crate::store::reconcile::VERIFIED
            } else {
                crate::store::reconcile::NOT_FOUND
            };
            let key = (
                r.int(0)?,
                outcome.to_string(),
                after["sha256"].as_str().unwrap_or("").to_string(),
                after["line"].as_i64().unwrap_or(0),
                r.opt_int(3)?.unwrap_or(0),
            );
            *recorded.entry(key).or_default() += 1;
            Ok(())
        },
    )?;
    let rows = c.query(
        "SELECT id, item_id, outcome, sha256, line, by_id, at FROM verifications ORDER BY id",
        &[],
    )?;
    let purged = purged_at(c)?;
    for r in &rows {
        let key = (r.int(1)?, r.text(2)?, r.text(3)?, r.int(4)?, r.int(5)?);
        let before_purge = purged.is_some_and(|p| {
            crate::domain::dates::from_iso(&r.text(6).unwrap_or_default()).is_some_and(|at| at <= p)
        });
        match recorded.get_mut(&key) {
            Some(n) if *n > 0 => *n -= 1,
            _ if before_purge => {}
            _ => found.note(
                AuditEntity::Item,
                key.0,
                vec![format!(
                    "a new-system finding ({}) the audit trail does not record",
                    key.1
                )],
            ),
        }
    }
    for ((item, outcome, ..), n) in recorded {
        if n > 0 {
            found.note(
                AuditEntity::Item,
                item,
                vec![format!(
                    "a recorded new-system finding ({outcome}) is missing from the log"
                )],
            );
        }
    }
    Ok(())
}

/// Each report row that added or confirmed an item (`report_rows`) against
/// the event that recorded it: a row deleted (an item no longer traced to its
/// report) or put in by hand is named.
fn replay_report_rows(c: &mut dyn Sql, found: &mut Found) -> StoreResult<()> {
    type Key = (i64, String, i64, String);
    let mut recorded: HashMap<Key, i64> = HashMap::new();
    c.query_each(
        "SELECT entity_id, action, after_json FROM audit_events
         WHERE entity = ?1 AND action IN (?2, ?3)",
        &params![
            AuditEntity::Item.as_str(),
            AuditAction::ItemCaptured.as_str(),
            AuditAction::ItemConfirmedByReport.as_str()
        ],
        &mut |r| {
            let after: serde_json::Value = r
                .opt_text(2)?
                .and_then(|j| serde_json::from_str(&j).ok())
                .unwrap_or_default();
            let (source, outcome) = if r.text(1)? == AuditAction::ItemCaptured.as_str() {
                (&after["source"], "captured")
            } else {
                (&after, "confirmed")
            };
            let key = (
                r.int(0)?,
                source["sha256"].as_str().unwrap_or("").to_string(),
                source["line"].as_i64().unwrap_or(0),
                outcome.to_string(),
            );
            *recorded.entry(key).or_default() += 1;
            Ok(())
        },
    )?;
    let rows = c.query(
        "SELECT item_id, sha256, line, outcome FROM report_rows ORDER BY id",
        &[],
    )?;
    for r in &rows {
        let key = (r.int(0)?, r.text(1)?, r.int(2)?, r.text(3)?);
        match recorded.get_mut(&key) {
            Some(n) if *n > 0 => *n -= 1,
            _ => found.note(
                AuditEntity::Item,
                key.0,
                vec![format!(
                    "a report row ({} row {}) the audit trail does not record",
                    key.3, key.2
                )],
            ),
        }
    }
    for ((item, _, line, outcome), n) in recorded {
        if n > 0 {
            found.note(
                AuditEntity::Item,
                item,
                vec![format!(
                    "the report row that {outcome} it (row {line}) is missing from the log"
                )],
            );
        }
    }
    Ok(())
}

/// Each saved capture mapping against the last event that saved it.
fn replay_mappings(c: &mut dyn Sql, found: &mut Found) -> StoreResult<()> {
    let mut recorded: HashMap<String, serde_json::Value> = HashMap::new();
    c.query_each(
        "SELECT after_json FROM audit_events WHERE entity = ?1 AND action = ?2 ORDER BY id",
        &params![
            AuditEntity::Mapping.as_str(),
            AuditAction::MappingSaved.as_str()
        ],
        &mut |r| {
            if let Some(v) = r
                .opt_text(0)?
                .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
                && let Some(name) = v["name"].as_str()
            {
                recorded.insert(name.to_string(), v);
            }
            Ok(())
        },
    )?;
    let rows = c.query(
        "SELECT name, mapping_json FROM capture_mappings ORDER BY name",
        &[],
    )?;
    let purged = purged_at(c)?.is_some();
    for (n, r) in rows.iter().enumerate() {
        let name = r.text(0)?;
        let row: Option<serde_json::Value> = serde_json::from_str(&r.text(1)?).ok();
        let same = match (recorded.get(&name), &row) {
            (Some(event), Some(row)) => event == row,
            // Saved before a purge took its history.
            (None, _) => purged,
            _ => false,
        };
        if !same {
            found.note(
                AuditEntity::Mapping,
                i64::try_from(n).unwrap_or(i64::MAX),
                vec![format!("the mapping '{name}' is not as last saved")],
            );
        }
    }
    // A mapping the trail records as saved and the table no longer holds was
    // removed outside the app (the app only ever replaces one by name).
    if !purged {
        let held: std::collections::HashSet<String> =
            rows.iter().map(|r| r.text(0)).collect::<StoreResult<_>>()?;
        let mut gone: Vec<&String> = recorded.keys().filter(|n| !held.contains(*n)).collect();
        gone.sort();
        for name in gone {
            found.note(
                AuditEntity::Mapping,
                0,
                vec![format!("the mapping '{name}' was removed outside the app")],
            );
        }
    }
    Ok(())
}

/// The append-only guards every backend has: present and enabled.
const GUARDS: [&str; 3] = [
    "items_never_deleted",
    "audit_append_only_update",
    "audit_append_only_delete",
];

fn check_guards(c: &mut dyn Sql, found: &mut Found) -> StoreResult<()> {
    let sql = c.dialect().triggers_in_force;
    let in_force: Vec<String> = c
        .query(sql, &[])?
        .iter()
        .map(|r| r.text(0))
        .collect::<StoreResult<_>>()?;
    let missing: Vec<String> = GUARDS
        .iter()
        .filter(|g| !in_force.iter().any(|t| t == *g))
        .map(|g| format!("the guard {g} is missing or switched off"))
        .collect();
    if !missing.is_empty() {
        found.note(AuditEntity::Log, 0, missing);
    }
    Ok(())
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
        let mut found = Found::default();
        replay_practice(c, &mut found)?;
        replay_items(c, &mut found)?;
        replay_sign_offs(c, &mut found)?;
        replay_verifications(c, &mut found)?;
        replay_mappings(c, &mut found)?;
        replay_report_rows(c, &mut found)?;
        check_guards(c, &mut found)?;
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
            divergences: found.listed,
            divergent_rows: found.count,
        })
    })
}
