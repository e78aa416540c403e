//! Writing items: logging, importing, editing, voiding, re-entry status and
//! assignment. Each function is one transaction that also appends its audit events.

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::dates::{iso_date, iso_date_time, iso_timestamp};
use crate::domain::permissions::Action;
use crate::domain::{
    Actor, Item, ItemId, ItemInput, PreviousStatus, Reentry, SeenItem, StaffId, StatusChange, Void,
};
use crate::store::rows::{check_still_as_seen, edit_assignee, fields_json, previous_status};
use crate::store::{ImportedItem, StoreError, StoreResult};

use super::SqliteStore;
use super::audit;
use super::rows::{ITEM_COLUMNS, raw_item, search_text};

/// Reads one item inside a transaction or outside it.
pub(super) fn fetch(conn: &Connection, id: ItemId) -> StoreResult<Item> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id.0], raw_item)
        .optional()?
        .ok_or(StoreError::ItemNotFound(id.0))?
        .into_item()
}

fn require_staff(actor: &Actor) -> StoreResult<StaffId> {
    actor.staff.ok_or(StoreError::NoStaffActor)
}

struct Record<'a> {
    input: &'a ItemInput,
    logged_by: StaffId,
    logged_at: chrono::NaiveDateTime,
    logged_phase: &'a str,
    assignee: Option<StaffId>,
    reentry: &'a Reentry,
    void: Option<&'a Void>,
}

fn insert(conn: &Connection, r: &Record<'_>) -> StoreResult<ItemId> {
    let fields = fields_json(r.input)?;
    conn.prepare_cached(
        "INSERT INTO items (kind, occurred_at, nhs_number, patient_name, date_of_birth, clinician_id,
            details, fields_json, logged_by, logged_at, logged_phase, assignee_id, status, status_by,
            status_at, status_note, voided_at, voided_by, void_reason, version, search_text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, 1, ?20)",
    )?
    .execute(params![
        r.input.kind.code(),
        iso_date_time(r.input.occurred_at),
        r.input.patient.nhs_number.map(|n| n.digits()),
        r.input.patient.name,
        r.input.patient.date_of_birth.map(iso_date),
        r.input.clinician.map(|s| s.0),
        r.input.details,
        fields,
        r.logged_by.0,
        iso_timestamp(r.logged_at),
        r.logged_phase,
        r.assignee.map(|s| s.0),
        r.reentry.status.code(),
        r.reentry.by.map(|s| s.0),
        r.reentry.at.map(iso_timestamp),
        r.reentry.note,
        r.void.map(|v| iso_timestamp(v.at)),
        r.void.map(|v| v.by.0),
        r.void.map(|v| v.reason.clone()),
        search_text(r.input),
    ])?;
    Ok(ItemId(conn.last_insert_rowid()))
}

pub(super) fn log_item(
    store: &mut SqliteStore,
    input: &ItemInput,
    actor: &Actor,
) -> StoreResult<Item> {
    super::access::authorize(store, actor, Action::LogItem)?;
    let by = require_staff(actor)?;
    let project = store.require_project()?;
    let phase = project.phase(actor.at).code();
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let id = insert(
        &tx,
        &Record {
            input,
            logged_by: by,
            logged_at: actor.at,
            logged_phase: phase,
            assignee: input.default_assignee(),
            reentry: &Reentry::outstanding(),
            void: None,
        },
    )?;
    let item = fetch(&tx, id)?;
    audit::append(
        &tx,
        actor,
        "item",
        id.0,
        "item.logged",
        None::<&()>,
        Some(&item),
    )?;
    tx.commit()?;
    Ok(item)
}

pub(super) fn import_items(
    store: &mut SqliteStore,
    items: &[ImportedItem],
    actor: &Actor,
) -> StoreResult<usize> {
    super::access::authorize(store, actor, Action::LogItem)?;
    let project = store.require_project()?;
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    // Row by row, the search index costs more than everything else an import does;
    // one pass over the new rows at the end is several times faster. The trigger is
    // dropped and re-created inside this transaction, so no other handle ever sees
    // it missing, and a failed import rolls both back.
    let bulk = items.len() >= BULK_INDEX_ROWS;
    if bulk {
        tx.execute_batch("DROP TRIGGER items_fts_insert")?;
    }
    let mut first_id = None;
    for it in items {
        let phase = project.phase(it.logged_at).code();
        let id = insert(
            &tx,
            &Record {
                input: &it.input,
                logged_by: it.logged_by,
                logged_at: it.logged_at,
                logged_phase: phase,
                assignee: it.assignee,
                reentry: &it.reentry,
                void: it.void.as_ref(),
            },
        )?;
        let item = fetch(&tx, id)?;
        audit::append(
            &tx,
            actor,
            "item",
            id.0,
            "item.imported",
            None::<&()>,
            Some(&item),
        )?;
        first_id.get_or_insert(id.0);
    }
    if bulk {
        if let Some(first) = first_id {
            tx.execute(
                "INSERT INTO items_fts (rowid, search_text) SELECT id, search_text FROM items WHERE id >= ?1",
                [first],
            )?;
        }
        tx.execute_batch(super::schema::FTS_INSERT_TRIGGER)?;
    }
    tx.commit()?;
    Ok(items.len())
}

/// From this many rows, an import indexes its text for search in one pass.
pub const BULK_INDEX_ROWS: usize = 500;

pub(super) fn edit_item(
    store: &mut SqliteStore,
    id: ItemId,
    expected_version: i64,
    input: &ItemInput,
    actor: &Actor,
) -> StoreResult<Item> {
    super::access::authorize(store, actor, Action::EditItem)?;
    require_staff(actor)?;
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let before = fetch(&tx, id)?;
    let assignee = edit_assignee(&before, expected_version, input)?;
    let fields = fields_json(input)?;
    tx.execute(
        "UPDATE items SET kind = ?1, occurred_at = ?2, nhs_number = ?3, patient_name = ?4,
            date_of_birth = ?5, clinician_id = ?6, details = ?7, fields_json = ?8, assignee_id = ?9,
            search_text = ?10, version = version + 1
         WHERE id = ?11 AND version = ?12",
        params![
            input.kind.code(),
            iso_date_time(input.occurred_at),
            input.patient.nhs_number.map(|n| n.digits()),
            input.patient.name,
            input.patient.date_of_birth.map(iso_date),
            input.clinician.map(|s| s.0),
            input.details,
            fields,
            assignee.map(|s| s.0),
            search_text(input),
            id.0,
            expected_version,
        ],
    )?;
    let after = fetch(&tx, id)?;
    audit::append(
        &tx,
        actor,
        "item",
        id.0,
        "item.edited",
        Some(&before),
        Some(&after),
    )?;
    tx.commit()?;
    Ok(after)
}

pub(super) fn void_item(
    store: &mut SqliteStore,
    id: ItemId,
    reason: &str,
    actor: &Actor,
) -> StoreResult<Item> {
    super::access::authorize(store, actor, Action::VoidItem)?;
    let by = require_staff(actor)?;
    let reason = crate::domain::status::validate_void_reason(reason)?;
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let before = fetch(&tx, id)?;
    if before.void.is_some() {
        return Err(StoreError::Voided(id.0));
    }
    tx.execute(
        "UPDATE items SET voided_at = ?1, voided_by = ?2, void_reason = ?3, version = version + 1 WHERE id = ?4",
        params![iso_timestamp(actor.at), by.0, reason, id.0],
    )?;
    let after = fetch(&tx, id)?;
    audit::append(
        &tx,
        actor,
        "item",
        id.0,
        "item.voided",
        Some(&before),
        Some(&after),
    )?;
    tx.commit()?;
    Ok(after)
}

fn write_reentry(conn: &Connection, id: ItemId, r: &Reentry) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE items SET status = ?1, status_by = ?2, status_at = ?3, status_note = ?4, version = version + 1
         WHERE id = ?5",
    )?
    .execute(params![r.status.code(), r.by.map(|s| s.0), r.at.map(iso_timestamp), r.note, id.0])?;
    Ok(())
}

pub(super) fn set_status(
    store: &mut SqliteStore,
    items: &[SeenItem],
    change: &StatusChange,
    actor: &Actor,
) -> StoreResult<Vec<PreviousStatus>> {
    authorize_status(store, items.iter().map(|s| s.id), actor)?;
    let by = require_staff(actor)?;
    let new = crate::store::rows::new_reentry(change, by, actor.at)?;
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut previous = Vec::with_capacity(items.len());
    for seen in items {
        let before = fetch(&tx, seen.id)?;
        check_still_as_seen(&before, seen.version)?;
        write_reentry(&tx, seen.id, &new)?;
        audit::append(
            &tx,
            actor,
            "item",
            seen.id.0,
            "item.status",
            Some(&before.reentry),
            Some(&new),
        )?;
        previous.push(previous_status(before));
    }
    tx.commit()?;
    Ok(previous)
}

pub(super) fn restore_status(
    store: &mut SqliteStore,
    previous: &[PreviousStatus],
    actor: &Actor,
) -> StoreResult<()> {
    authorize_status(store, previous.iter().map(|p| p.id), actor)?;
    require_staff(actor)?;
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for old in previous {
        let before = fetch(&tx, old.id)?;
        check_still_as_seen(&before, old.version)?;
        write_reentry(&tx, old.id, &old.reentry)?;
        audit::append(
            &tx,
            actor,
            "item",
            old.id.0,
            "item.status_undone",
            Some(&before.reentry),
            Some(&old.reentry),
        )?;
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn assign(
    store: &mut SqliteStore,
    ids: &[ItemId],
    assignee: Option<StaffId>,
    actor: &Actor,
) -> StoreResult<()> {
    super::access::authorize(store, actor, Action::Assign)?;
    require_staff(actor)?;
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if let Some(a) = assignee {
        let known: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM staff WHERE id = ?1)",
            [a.0],
            |r| r.get(0),
        )?;
        if !known {
            return Err(StoreError::StaffNotFound(a.0.to_string()));
        }
    }
    for &id in ids {
        let before = fetch(&tx, id)?;
        if before.void.is_some() {
            return Err(StoreError::Voided(id.0));
        }
        tx.prepare_cached(
            "UPDATE items SET assignee_id = ?1, version = version + 1 WHERE id = ?2",
        )?
        .execute(params![assignee.map(|s| s.0), id.0])?;
        audit::append(
            &tx,
            actor,
            "item",
            id.0,
            "item.assigned",
            Some(&before.assignee),
            Some(&assignee),
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// Checks the actor may change the status of every kind among `ids`.
fn authorize_status(
    store: &mut SqliteStore,
    ids: impl Iterator<Item = ItemId>,
    actor: &Actor,
) -> StoreResult<()> {
    let mut kinds = std::collections::BTreeSet::new();
    for id in ids {
        kinds.insert(fetch(&store.conn, id)?.input.kind);
    }
    for kind in kinds {
        super::access::authorize(store, actor, Action::SetStatus(kind))?;
    }
    Ok(())
}
