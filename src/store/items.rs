//! Writing items, for every backend: logging, importing, editing, voiding,
//! re-entry status (and its undo) and assignment. Each is one transaction that
//! appends its audit events; every change bumps the item's version by one.

use crate::domain::dates::{iso_date, iso_date_time, iso_timestamp};
use crate::domain::deadline::Deadlines;
use crate::domain::permissions::Action;
use crate::domain::{
    Actor, AuditAction, AuditEntity, Item, ItemId, ItemInput, ItemKind, PreviousStatus, Reentry,
    SeenItem, StaffId, StatusChange, Void,
};
use crate::store::access::{authorize, require_staff};
use crate::store::audit::{Chain, append_item};
use crate::store::practice::require_project;
use crate::store::queries::fetch;
use crate::store::rows::{
    ITEM_COLUMNS, RawItem, check_still_as_seen, edit_assignee, fields_json, previous_status,
    search_text,
};
use crate::store::sql::{Backend, Param, Sql, params};
use crate::store::{ImportedItem, StoreError, StoreResult};

/// Reads one item inside a write transaction, locking its row until the end.
pub(crate) fn fetch_for_update(tx: &mut dyn Sql, id: ItemId) -> StoreResult<Item> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1{}",
        tx.dialect().for_update
    );
    let row = tx
        .query_opt(&sql, &params![id.0])?
        .ok_or(StoreError::ItemNotFound(id.0))?;
    RawItem::from_row(&row)?.into_item()
}

/// A new item row: its content and the record around it.
pub(crate) struct Record<'a> {
    pub(crate) input: &'a ItemInput,
    pub(crate) logged_by: StaffId,
    pub(crate) logged_at: chrono::NaiveDateTime,
    pub(crate) logged_phase: &'a str,
    pub(crate) assignee: Option<StaffId>,
    pub(crate) reentry: &'a Reentry,
    pub(crate) void: Option<&'a Void>,
}

/// The columns an item's content is stored in, in [`content`]'s order.
const CONTENT_COLUMNS: [&str; 8] = [
    "kind",
    "occurred_at",
    "nhs_number",
    "patient_name",
    "date_of_birth",
    "clinician_id",
    "details",
    "fields_json",
];

/// An item's content as it is stored (the record's columns left empty): the
/// one place an input becomes the text of its columns, for a new item and an edit.
fn stored_content(input: &ItemInput) -> StoreResult<RawItem> {
    Ok(RawItem {
        kind: input.kind.code().to_string(),
        occurred_at: iso_date_time(input.occurred_at),
        nhs_number: input.patient.nhs_number.map(|n| n.digits()),
        patient_name: input.patient.name.clone(),
        date_of_birth: input.patient.date_of_birth.map(iso_date),
        clinician_id: input.clinician.map(|s| s.0),
        details: input.details.clone(),
        fields_json: fields_json(input)?,
        ..RawItem::default()
    })
}

/// An item's content as parameters for [`CONTENT_COLUMNS`].
fn content(input: &ItemInput) -> StoreResult<Vec<Param>> {
    let r = stored_content(input)?;
    Ok(params![
        r.kind,
        r.occurred_at,
        r.nhs_number,
        r.patient_name,
        r.date_of_birth,
        r.clinician_id,
        r.details,
        r.fields_json,
    ]
    .to_vec())
}

/// [`RawItem::insert_sql`] for a new item, made once.
static INSERT_NEW: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| RawItem::insert_sql(false));

impl Record<'_> {
    /// The row as it will be stored, at version 1 (the id is the database's).
    fn stored(&self) -> StoreResult<RawItem> {
        Ok(RawItem {
            logged_by: self.logged_by.0,
            logged_at: iso_timestamp(self.logged_at),
            logged_phase: self.logged_phase.to_string(),
            assignee_id: self.assignee.map(|s| s.0),
            status: self.reentry.status.code().to_string(),
            status_by: self.reentry.by.map(|s| s.0),
            status_at: self.reentry.at.map(iso_timestamp),
            status_note: self.reentry.note.clone(),
            voided_at: self.void.map(|v| iso_timestamp(v.at)),
            voided_by: self.void.map(|v| v.by.0),
            void_reason: self.void.map(|v| v.reason.clone()),
            version: 1,
            ..stored_content(self.input)?
        })
    }
}

/// Inserts one new item row and returns the item exactly as stored — read back
/// from the text written, as a fetch would read it, without a second query.
/// (Its creation event is the caller's.)
pub(crate) fn insert(
    tx: &mut dyn Sql,
    r: &Record<'_>,
    deadlines: Option<&Deadlines>,
) -> StoreResult<Item> {
    let mut row = r.stored()?;
    let mut p = row.params();
    p.remove(0); // the id: the database gives it
    p.push(Param::from(search_text(r.input)));
    p.push(Param::from(deadlines.map(|d| d.due_by(r.input).stored())));
    row.id = tx.insert(&INSERT_NEW, &p)?;
    row.into_item()
}

/// Logs a new item for the person at the desk, with the default assignment.
pub fn log_item<B: Backend>(store: &mut B, input: &ItemInput, actor: &Actor) -> StoreResult<Item> {
    authorize(store, actor, Action::LogItem)?;
    let by = require_staff(actor)?;
    store.write(|tx| {
        let phase = require_project(tx)?.phase(actor.at).code();
        let deadlines = crate::store::deadlines::deadlines(tx)?;
        let item = insert(
            tx,
            &Record {
                input,
                logged_by: by,
                logged_at: actor.at,
                logged_phase: phase,
                assignee: input.default_assignee(),
                reentry: &Reentry::outstanding(),
                void: None,
            },
            deadlines.as_ref(),
        )?;
        append_item(
            tx,
            actor,
            item.id.0,
            AuditAction::ItemLogged,
            None::<&()>,
            Some(&item),
        )?;
        Ok(item)
    })
}

/// A creation event's record: the item as stored, and its source if it has one.
#[derive(serde::Serialize)]
struct Created<'a, S: serde::Serialize> {
    #[serde(flatten)]
    item: &'a Item,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a S>,
}

/// Many new items written in one transaction (an import, a capture): the
/// backend's bulk hooks around them (SQLite indexes their search text in one
/// pass at the end), and one chain head carried from event to event.
pub(crate) struct NewItems {
    pub(crate) chain: Chain,
    first_id: Option<i64>,
    /// What the backend's hook asked to put back at the end.
    restore: String,
    /// The practice's deadlines, read once for every new item's due-by.
    deadlines: Option<Deadlines>,
}

impl NewItems {
    /// Before the first of `rows` new items.
    pub(crate) fn begin<B: Backend>(tx: &mut dyn Sql, rows: usize) -> StoreResult<Self> {
        let restore = B::before_bulk_insert(tx, rows)?;
        Ok(Self {
            chain: Chain::read(tx)?,
            first_id: None,
            restore,
            deadlines: crate::store::deadlines::deadlines(tx)?,
        })
    }

    /// Inserts one item and appends its creation event: the item, and where it
    /// came from if it came from somewhere the log should name (a report row).
    /// Returns the item as stored.
    pub(crate) fn add<S: serde::Serialize>(
        &mut self,
        tx: &mut dyn Sql,
        actor: &Actor,
        record: &Record<'_>,
        action: AuditAction,
        source: Option<&S>,
    ) -> StoreResult<Item> {
        let item = insert(tx, record, self.deadlines.as_ref())?;
        self.first_id.get_or_insert(item.id.0);
        let after = Created {
            item: &item,
            source,
        };
        self.chain.append(
            tx,
            actor,
            AuditEntity::Item,
            item.id.0,
            action,
            None::<&()>,
            Some(&after),
        )?;
        Ok(item)
    }

    /// After the last.
    pub(crate) fn finish<B: Backend>(self, tx: &mut dyn Sql) -> StoreResult<()> {
        match self.first_id {
            Some(first) => B::after_bulk_insert(tx, first, &self.restore),
            None => Ok(()),
        }
    }
}

/// Imports many items in one transaction: all are stored or none. `items`
/// may be read while they are written (a file read a chunk at a time): an
/// `Err` from it, or an item refused, rolls the whole import back.
/// `expected` is about how many there are (it chooses how the indexes are
/// kept up; any figure is correct).
pub fn import_items<B: Backend>(
    store: &mut B,
    expected: usize,
    items: &mut dyn Iterator<Item = StoreResult<ImportedItem>>,
    actor: &Actor,
) -> StoreResult<usize> {
    authorize(store, actor, Action::LogItem)?;
    // Who the importer is, read once: each item is checked as it comes.
    let me = store.read(|c| {
        actor
            .staff
            .map(|id| crate::store::access::staff_member(c, id))
            .transpose()
    })?;
    let mut refused: Option<Action> = None;
    let written = store.write(|tx| {
        let project = require_project(tx)?;
        let mut new = NewItems::begin::<B>(tx, expected)?;
        let mut n = 0usize;
        for it in items {
            let it = it?;
            n += 1;
            if let Some(me) = &me {
                check_importer(me, &it, n, &mut refused)?;
            }
            let record = Record {
                input: &it.input,
                logged_by: it.logged_by,
                logged_at: it.logged_at,
                logged_phase: project.phase(it.logged_at).code(),
                assignee: it.assignee,
                reentry: &it.reentry,
                void: it.void.as_ref(),
            };
            new.add(
                tx,
                actor,
                &record,
                AuditAction::ItemImported,
                it.stated.as_ref(),
            )?;
        }
        new.finish::<B>(tx)?;
        Ok(n)
    });
    match (written, refused) {
        // The refusal recorded (and said) as the role rules say it, once the
        // import is rolled back.
        (Err(_), Some(action)) => authorize(store, actor, action).map(|()| 0),
        (written, _) => written,
    }
}

/// Every imported fact is the importer's act, under the importer's role: an
/// item logged, re-entered or voided in another person's name is refused (the
/// reading states such facts "per file", in the importer's name), and so is a
/// status or void the importer's role may not set (`refused` says which, so it
/// can be recorded). The system imports only while the log is being set up.
fn check_importer(
    me: &crate::domain::Staff,
    it: &ImportedItem,
    n: usize,
    refused: &mut Option<Action>,
) -> StoreResult<()> {
    if it.logged_by != me.id
        || it.reentry.by.is_some_and(|by| by != me.id)
        || it.void.as_ref().is_some_and(|v| v.by != me.id)
    {
        return Err(StoreError::NotPermitted(format!(
            "item {n} of the import is in another person's name: an import is recorded in the name of the person importing"
        )));
    }
    let mut needs = Vec::new();
    if it.reentry.status != crate::domain::Status::Outstanding {
        needs.push(Action::SetStatus(it.input.kind));
    }
    if it.void.is_some() {
        needs.push(Action::VoidItem);
    }
    for action in needs {
        if let Some(reason) = crate::store::access::refusal(Some(me), false, action) {
            *refused = Some(action);
            return Err(StoreError::NotPermitted(reason));
        }
    }
    Ok(())
}

/// Replaces an item's content, refused if it changed since `expected_version`.
pub fn edit_item<B: Backend>(
    store: &mut B,
    id: ItemId,
    expected_version: i64,
    input: &ItemInput,
    actor: &Actor,
) -> StoreResult<Item> {
    authorize(store, actor, Action::EditItem)?;
    require_staff(actor)?;
    store.write(|tx| {
        let before = fetch_for_update(tx, id)?;
        let assignee = edit_assignee(&before, expected_version, input)?;
        let due = crate::store::deadlines::deadlines(tx)?.map(|d| d.due_by(input).stored());
        let mut p = content(input)?;
        p.extend(params![
            assignee.map(|s| s.0),
            search_text(input),
            id.0,
            expected_version,
            due
        ]);
        let sets: Vec<String> = CONTENT_COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ?{}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE items SET {}, assignee_id = ?9, search_text = ?10, due_at = ?13,
             version = version + 1 WHERE id = ?11 AND version = ?12",
            sets.join(", ")
        );
        if tx.execute(&sql, &p)? != 1 {
            return Err(StoreError::Conflict);
        }
        let after = fetch(tx, id)?;
        append_item(
            tx,
            actor,
            id.0,
            AuditAction::ItemEdited,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}

/// Voids an item logged in error; it stays, with who, when and why.
pub fn void_item<B: Backend>(
    store: &mut B,
    id: ItemId,
    reason: &str,
    actor: &Actor,
) -> StoreResult<Item> {
    authorize(store, actor, Action::VoidItem)?;
    let by = require_staff(actor)?;
    let reason = crate::domain::status::validate_void_reason(reason)?;
    store.write(|tx| {
        let before = fetch_for_update(tx, id)?;
        if before.void.is_some() {
            return Err(StoreError::Voided(id.0));
        }
        tx.execute(
            "UPDATE items SET voided_at = ?1, voided_by = ?2, void_reason = ?3, version = version + 1 WHERE id = ?4",
            &params![iso_timestamp(actor.at), by.0, reason, id.0],
        )?;
        let after = fetch(tx, id)?;
        append_item(tx, actor, id.0, AuditAction::ItemVoided, Some(&before), Some(&after))?;
        Ok(after)
    })
}

pub(crate) fn write_reentry(tx: &mut dyn Sql, id: ItemId, r: &Reentry) -> StoreResult<()> {
    tx.execute(
        "UPDATE items SET status = ?1, status_by = ?2, status_at = ?3, status_note = ?4, version = version + 1
         WHERE id = ?5",
        &params![
            r.status.code(),
            r.by.map(|s| s.0),
            r.at.map(iso_timestamp),
            r.note.as_str(),
            id.0
        ],
    )?;
    Ok(())
}

/// Checks the actor may change the status of every kind among `ids`.
pub(crate) fn authorize_status<B: Backend>(
    store: &mut B,
    ids: impl Iterator<Item = ItemId>,
    actor: &Actor,
) -> StoreResult<()> {
    let ids: Vec<ItemId> = ids.collect();
    let kinds = store.read(|c| kinds_of(c, &ids))?;
    for kind in kinds {
        authorize(store, actor, Action::SetStatus(kind))?;
    }
    Ok(())
}

/// The kinds among `ids`: each read by id for a few, one pass over the log for
/// many (a reconciliation accepting thousands). An id not in the log is refused.
fn kinds_of(c: &mut dyn Sql, ids: &[ItemId]) -> StoreResult<std::collections::BTreeSet<ItemKind>> {
    let mut kinds = std::collections::BTreeSet::new();
    if ids.len() <= 100 {
        for id in ids {
            let row = c
                .query_opt("SELECT kind FROM items WHERE id = ?1", &params![id.0])?
                .ok_or(StoreError::ItemNotFound(id.0))?;
            kinds.insert(crate::store::rows::kind(&row.text(0)?)?);
        }
        return Ok(kinds);
    }
    let mut wanted: std::collections::HashSet<i64> = ids.iter().map(|i| i.0).collect();
    c.query_each("SELECT id, kind FROM items", &[], &mut |r| {
        if wanted.remove(&r.int(0)?) {
            kinds.insert(crate::store::rows::kind(&r.text(1)?)?);
        }
        Ok(())
    })?;
    match wanted.into_iter().next() {
        Some(missing) => Err(StoreError::ItemNotFound(missing)),
        None => Ok(kinds),
    }
}

/// Changes the re-entry status of several items, all or none; refused if any is
/// no longer at the version the person saw. Returns what was replaced (for undo).
pub fn set_status<B: Backend>(
    store: &mut B,
    items: &[SeenItem],
    change: &StatusChange,
    actor: &Actor,
) -> StoreResult<Vec<PreviousStatus>> {
    authorize_status(store, items.iter().map(|s| s.id), actor)?;
    let by = require_staff(actor)?;
    let new = crate::store::rows::new_reentry(change, by, actor.at)?;
    store.write(|tx| {
        let mut previous = Vec::with_capacity(items.len());
        for seen in items {
            let before = fetch_for_update(tx, seen.id)?;
            check_still_as_seen(&before, seen.version)?;
            write_reentry(tx, seen.id, &new)?;
            append_item(
                tx,
                actor,
                seen.id.0,
                AuditAction::ItemStatus,
                Some(&before.reentry),
                Some(&new),
            )?;
            previous.push(previous_status(before));
        }
        Ok(previous)
    })
}

/// Puts back earlier re-entry records exactly (undo), audited as an undo.
pub fn restore_status<B: Backend>(
    store: &mut B,
    previous: &[PreviousStatus],
    actor: &Actor,
) -> StoreResult<()> {
    authorize_status(store, previous.iter().map(|p| p.id), actor)?;
    require_staff(actor)?;
    store.write(|tx| {
        for old in previous {
            let before = fetch_for_update(tx, old.id)?;
            check_still_as_seen(&before, old.version)?;
            write_reentry(tx, old.id, &old.reentry)?;
            append_item(
                tx,
                actor,
                old.id.0,
                AuditAction::ItemStatusUndone,
                Some(&before.reentry),
                Some(&old.reentry),
            )?;
        }
        Ok(())
    })
}

/// Assigns (or unassigns) several items at once.
pub fn assign<B: Backend>(
    store: &mut B,
    ids: &[ItemId],
    assignee: Option<StaffId>,
    actor: &Actor,
) -> StoreResult<()> {
    authorize(store, actor, Action::Assign)?;
    require_staff(actor)?;
    store.write(|tx| {
        if let Some(a) = assignee
            && !tx.exists("SELECT 1 FROM staff WHERE id = ?1", &params![a.0])?
        {
            return Err(StoreError::StaffNotFound(a.0.to_string()));
        }
        for &id in ids {
            let before = fetch_for_update(tx, id)?;
            if before.void.is_some() {
                return Err(StoreError::Voided(id.0));
            }
            tx.execute(
                "UPDATE items SET assignee_id = ?1, version = version + 1 WHERE id = ?2",
                &params![assignee.map(|s| s.0), id.0],
            )?;
            append_item(
                tx,
                actor,
                id.0,
                AuditAction::ItemAssigned,
                Some(&before.assignee),
                Some(&assignee),
            )?;
        }
        Ok(())
    })
}
