//! Writing to the server: each user action is one transaction holding the write
//! lock (see the module comment in `postgres/mod.rs`), and appends its audit
//! events, hash-chained with the shared [`ChainRow`], in that same transaction.

use postgres::Transaction;
use postgres::types::Type;
use serde::Serialize;

use crate::domain::dates::{iso_date, iso_date_time, iso_timestamp};
use crate::domain::permissions::Action;
use crate::domain::{
    Actor, Item, ItemId, ItemInput, PreviousStatus, Project, Reentry, Role, SeenItem, Staff,
    StaffId, StatusChange, Void,
};
use crate::store::access::{check_length, hash_password, password_verdict, sign_in_outcome};
use crate::store::chain::{ChainRow, GENESIS};
use crate::store::rows::{
    check_still_as_seen, edit_assignee, fields_json, previous_status, search_text,
};
use crate::store::sqlite::PurgeSummary;
use crate::store::{ImportedItem, StoreError, StoreResult};

use super::PostgresStore;
use super::reads::{self, fetch, fetch_for_update};

/// The hash of the last audit event, if any.
fn chain_head(tx: &mut Transaction<'_>) -> StoreResult<Option<String>> {
    Ok(tx
        .query_typed_opt(
            "SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1",
            &[],
        )?
        .map(|r| r.try_get::<_, Option<String>>(0))
        .transpose()?
        .flatten())
}

/// Appends one event after the chain's current head. The caller holds the write
/// lock, so no other event can be appended between reading the head and writing.
pub(super) fn append<B: Serialize, A: Serialize>(
    tx: &mut Transaction<'_>,
    actor: &Actor,
    entity: &str,
    entity_id: i64,
    action: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> StoreResult<()> {
    let row = ChainRow::event(actor, entity, entity_id, action, before, after)?;
    let prev = chain_head(tx)?.unwrap_or_else(|| GENESIS.to_string());
    let hash = row.hash(&prev);
    tx.execute_typed(
        "INSERT INTO audit_events (at, actor_id, actor_name, entity, entity_id, action, before_json, after_json, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            (&row.at, Type::TEXT),
            (&row.actor_id, Type::INT8),
            (&row.actor_name, Type::TEXT),
            (&row.entity, Type::TEXT),
            (&row.entity_id, Type::INT8),
            (&row.action, Type::TEXT),
            (&row.before, Type::TEXT),
            (&row.after, Type::TEXT),
            (&prev, Type::TEXT),
            (&hash, Type::TEXT),
        ],
    )?;
    Ok(())
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

fn insert(tx: &mut Transaction<'_>, r: &Record<'_>) -> StoreResult<ItemId> {
    let fields = fields_json(r.input)?;
    let row = tx.query_typed_one(
        "INSERT INTO items (kind, occurred_at, nhs_number, patient_name, date_of_birth, clinician_id,
            details, fields_json, logged_by, logged_at, logged_phase, assignee_id, status, status_by,
            status_at, status_note, voided_at, voided_by, void_reason, version, search_text)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 1, $20)
         RETURNING id",
        &[
            (&r.input.kind.code(), Type::TEXT),
            (&iso_date_time(r.input.occurred_at), Type::TEXT),
            (&r.input.patient.nhs_number.map(|n| n.digits()), Type::TEXT),
            (&r.input.patient.name, Type::TEXT),
            (&r.input.patient.date_of_birth.map(iso_date), Type::TEXT),
            (&r.input.clinician.map(|s| s.0), Type::INT8),
            (&r.input.details, Type::TEXT),
            (&fields, Type::TEXT),
            (&r.logged_by.0, Type::INT8),
            (&iso_timestamp(r.logged_at), Type::TEXT),
            (&r.logged_phase, Type::TEXT),
            (&r.assignee.map(|s| s.0), Type::INT8),
            (&r.reentry.status.code(), Type::TEXT),
            (&r.reentry.by.map(|s| s.0), Type::INT8),
            (&r.reentry.at.map(iso_timestamp), Type::TEXT),
            (&r.reentry.note, Type::TEXT),
            (&r.void.map(|v| iso_timestamp(v.at)), Type::TEXT),
            (&r.void.map(|v| v.by.0), Type::INT8),
            (&r.void.map(|v| v.reason.clone()), Type::TEXT),
            (&search_text(r.input), Type::TEXT),
        ],
    )?;
    Ok(ItemId(row.try_get(0)?))
}

pub(super) fn log_item(
    store: &mut PostgresStore,
    input: &ItemInput,
    actor: &Actor,
) -> StoreResult<Item> {
    store.authorize(actor, Action::LogItem)?;
    let by = require_staff(actor)?;
    let project = reads::require_project(&mut *store.db()?)?;
    let phase = project.phase(actor.at).code();
    store.write(|tx| {
        let id = insert(
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
        )?;
        let item = fetch(tx, id)?;
        append(
            tx,
            actor,
            "item",
            id.0,
            "item.logged",
            None::<&()>,
            Some(&item),
        )?;
        Ok(item)
    })
}

pub(super) fn import_items(
    store: &mut PostgresStore,
    items: &[ImportedItem],
    actor: &Actor,
) -> StoreResult<usize> {
    store.authorize(actor, Action::LogItem)?;
    let project = reads::require_project(&mut *store.db()?)?;
    store.write(|tx| {
        for it in items {
            let phase = project.phase(it.logged_at).code();
            let id = insert(
                tx,
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
            let item = fetch(tx, id)?;
            append(
                tx,
                actor,
                "item",
                id.0,
                "item.imported",
                None::<&()>,
                Some(&item),
            )?;
        }
        Ok(items.len())
    })
}

pub(super) fn edit_item(
    store: &mut PostgresStore,
    id: ItemId,
    expected_version: i64,
    input: &ItemInput,
    actor: &Actor,
) -> StoreResult<Item> {
    store.authorize(actor, Action::EditItem)?;
    require_staff(actor)?;
    store.write(|tx| {
        let before = fetch_for_update(tx, id)?;
        let assignee = edit_assignee(&before, expected_version, input)?;
        let fields = fields_json(input)?;
        let changed = tx.execute(
            "UPDATE items SET kind = $1, occurred_at = $2, nhs_number = $3, patient_name = $4,
                date_of_birth = $5, clinician_id = $6, details = $7, fields_json = $8, assignee_id = $9,
                search_text = $10, version = version + 1
             WHERE id = $11 AND version = $12",
            &[
                &input.kind.code(),
                &iso_date_time(input.occurred_at),
                &input.patient.nhs_number.map(|n| n.digits()),
                &input.patient.name,
                &input.patient.date_of_birth.map(iso_date),
                &input.clinician.map(|s| s.0),
                &input.details,
                &fields,
                &assignee.map(|s| s.0),
                &search_text(input),
                &id.0,
                &expected_version,
            ],
        )?;
        if changed != 1 {
            return Err(StoreError::Conflict);
        }
        let after = fetch(tx, id)?;
        append(tx, actor, "item", id.0, "item.edited", Some(&before), Some(&after))?;
        Ok(after)
    })
}

pub(super) fn void_item(
    store: &mut PostgresStore,
    id: ItemId,
    reason: &str,
    actor: &Actor,
) -> StoreResult<Item> {
    store.authorize(actor, Action::VoidItem)?;
    let by = require_staff(actor)?;
    let reason = crate::domain::status::validate_void_reason(reason)?;
    store.write(|tx| {
        let before = fetch_for_update(tx, id)?;
        if before.void.is_some() {
            return Err(StoreError::Voided(id.0));
        }
        tx.execute(
            "UPDATE items SET voided_at = $1, voided_by = $2, void_reason = $3, version = version + 1 WHERE id = $4",
            &[&iso_timestamp(actor.at), &by.0, &reason, &id.0],
        )?;
        let after = fetch(tx, id)?;
        append(tx, actor, "item", id.0, "item.voided", Some(&before), Some(&after))?;
        Ok(after)
    })
}

fn write_reentry(tx: &mut Transaction<'_>, id: ItemId, r: &Reentry) -> StoreResult<()> {
    tx.execute_typed(
        "UPDATE items SET status = $1, status_by = $2, status_at = $3, status_note = $4, version = version + 1
         WHERE id = $5",
        &[
            (&r.status.code(), Type::TEXT),
            (&r.by.map(|s| s.0), Type::INT8),
            (&r.at.map(iso_timestamp), Type::TEXT),
            (&r.note, Type::TEXT),
            (&id.0, Type::INT8),
        ],
    )?;
    Ok(())
}

/// Checks the actor may change the status of every kind among `ids`.
fn authorize_status(
    store: &mut PostgresStore,
    ids: impl Iterator<Item = ItemId>,
    actor: &Actor,
) -> StoreResult<()> {
    let mut kinds = std::collections::BTreeSet::new();
    for id in ids {
        kinds.insert(fetch(&mut *store.db()?, id)?.input.kind);
    }
    for kind in kinds {
        store.authorize(actor, Action::SetStatus(kind))?;
    }
    Ok(())
}

pub(super) fn set_status(
    store: &mut PostgresStore,
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
            append(
                tx,
                actor,
                "item",
                seen.id.0,
                "item.status",
                Some(&before.reentry),
                Some(&new),
            )?;
            previous.push(previous_status(before));
        }
        Ok(previous)
    })
}

pub(super) fn restore_status(
    store: &mut PostgresStore,
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
            append(
                tx,
                actor,
                "item",
                old.id.0,
                "item.status_undone",
                Some(&before.reentry),
                Some(&old.reentry),
            )?;
        }
        Ok(())
    })
}

pub(super) fn assign(
    store: &mut PostgresStore,
    ids: &[ItemId],
    assignee: Option<StaffId>,
    actor: &Actor,
) -> StoreResult<()> {
    store.authorize(actor, Action::Assign)?;
    require_staff(actor)?;
    store.write(|tx| {
        if let Some(a) = assignee {
            let known: bool = tx
                .query_one("SELECT EXISTS (SELECT 1 FROM staff WHERE id = $1)", &[&a.0])?
                .try_get(0)?;
            if !known {
                return Err(StoreError::StaffNotFound(a.0.to_string()));
            }
        }
        for &id in ids {
            let before = fetch_for_update(tx, id)?;
            if before.void.is_some() {
                return Err(StoreError::Voided(id.0));
            }
            tx.execute(
                "UPDATE items SET assignee_id = $1, version = version + 1 WHERE id = $2",
                &[&assignee.map(|s| s.0), &id.0],
            )?;
            append(
                tx,
                actor,
                "item",
                id.0,
                "item.assigned",
                Some(&before.assignee),
                Some(&assignee),
            )?;
        }
        Ok(())
    })
}

fn project_params(p: &Project) -> [String; 6] {
    [
        p.practice_name.clone(),
        p.ods_code.to_string(),
        p.old_system.label(),
        p.new_system.label(),
        iso_date_time(p.cutover_start),
        iso_date_time(p.go_live),
    ]
}

pub(super) fn create_project(
    store: &mut PostgresStore,
    project: &Project,
    actor: &Actor,
) -> StoreResult<()> {
    store.authorize(actor, Action::ManageProject)?;
    store.write(|tx| {
        let exists: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM project)", &[])?
            .try_get(0)?;
        if exists {
            return Err(StoreError::ProjectExists);
        }
        let [a, b, c, d, e, f] = project_params(project);
        tx.execute(
            "INSERT INTO project (id, practice_name, ods_code, old_system, new_system, cutover_start, go_live, created_at)
             VALUES (1, $1, $2, $3, $4, $5, $6, $7)",
            &[&a, &b, &c, &d, &e, &f, &iso_timestamp(actor.at)],
        )?;
        append(tx, actor, "project", 1, "project.created", None::<&()>, Some(project))
    })
}

pub(super) fn update_project(
    store: &mut PostgresStore,
    project: &Project,
    actor: &Actor,
) -> StoreResult<()> {
    store.authorize(actor, Action::ManageProject)?;
    store.write(|tx| {
        let before = reads::require_project(tx)?;
        let [a, b, c, d, e, f] = project_params(project);
        tx.execute(
            "UPDATE project SET practice_name = $1, ods_code = $2, old_system = $3, new_system = $4,
             cutover_start = $5, go_live = $6 WHERE id = 1",
            &[&a, &b, &c, &d, &e, &f],
        )?;
        let action = if before.go_live != project.go_live {
            "project.go_live_moved"
        } else {
            "project.updated"
        };
        append(
            tx,
            actor,
            "project",
            1,
            action,
            Some(&before),
            Some(project),
        )
    })
}

pub(super) fn set_lock_minutes(
    store: &mut PostgresStore,
    minutes: u32,
    actor: &Actor,
) -> StoreResult<()> {
    store.authorize(actor, Action::ManageProject)?;
    if !(1..=60).contains(&minutes) {
        return Err(StoreError::Invalid(vec![crate::domain::FieldError::new(
            "lock_minutes",
            "choose between 1 and 60 minutes",
        )]));
    }
    store.write(|tx| {
        let before = reads::lock_minutes(tx)?;
        tx.execute(
            "UPDATE project SET lock_minutes = $1 WHERE id = 1",
            &[&i64::from(minutes)],
        )?;
        append(
            tx,
            actor,
            "project",
            1,
            "project.lock_minutes",
            Some(&before),
            Some(&minutes),
        )
    })
}

pub(super) fn add_staff(
    store: &mut PostgresStore,
    name: &str,
    role: Role,
    actor: &Actor,
) -> StoreResult<Staff> {
    store.authorize(actor, Action::ManageStaff)?;
    let mut v = crate::domain::validation::Validation::default();
    let name = v.required_text("name", "Name", name, crate::domain::validation::MAX_LINE);
    v.finish()?;
    let name = name.unwrap_or_default();
    store.write(|tx| {
        let taken: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM staff WHERE lower(name) = lower($1))",
                &[&name],
            )?
            .try_get(0)?;
        if taken {
            return Err(StoreError::DuplicateStaff(name.clone()));
        }
        let id: i64 = tx
            .query_one(
                "INSERT INTO staff (name, role, active, created_at) VALUES ($1, $2, TRUE, $3) RETURNING id",
                &[&name, &role.code(), &iso_timestamp(actor.at)],
            )?
            .try_get(0)?;
        let staff = Staff {
            id: StaffId(id),
            name: name.clone(),
            role,
            active: true,
        };
        append(tx, actor, "staff", id, "staff.added", None::<&()>, Some(&staff))?;
        Ok(staff)
    })
}

pub(super) fn set_staff_active(
    store: &mut PostgresStore,
    id: StaffId,
    active: bool,
    actor: &Actor,
) -> StoreResult<()> {
    store.authorize(actor, Action::ManageStaff)?;
    store.write(|tx| {
        let before = reads::staff_row(tx, id)?;
        tx.execute(
            "UPDATE staff SET active = $1 WHERE id = $2",
            &[&active, &id.0],
        )?;
        let after = Staff {
            active,
            ..before.clone()
        };
        let action = if active {
            "staff.activated"
        } else {
            "staff.deactivated"
        };
        append(
            tx,
            actor,
            "staff",
            id.0,
            action,
            Some(&before),
            Some(&after),
        )
    })
}

pub(super) fn set_password(
    store: &mut PostgresStore,
    staff: StaffId,
    password: &str,
    actor: &Actor,
) -> StoreResult<()> {
    check_length(password)?;
    if actor.staff != Some(staff) {
        store.authorize(actor, Action::ManageStaff)?;
    }
    let target = reads::staff_row(&mut *store.db()?, staff)?;
    let hash = hash_password(password)?;
    store.write(|tx| {
        tx.execute(
            "UPDATE staff SET password_hash = $1 WHERE id = $2",
            &[&hash, &staff.0],
        )?;
        // The audit records that it changed, never the password or its hash.
        append(
            tx,
            actor,
            "staff",
            staff.0,
            "staff.password_set",
            None::<&()>,
            Some(&target.name),
        )
    })
}

pub(super) fn sign_in(
    store: &mut PostgresStore,
    name: &str,
    password: &str,
    at: chrono::NaiveDateTime,
) -> StoreResult<Staff> {
    let row: Option<(i64, Option<String>)> = store
        .db()?
        .query_opt(
            "SELECT id, password_hash FROM staff WHERE lower(name) = lower($1)",
            &[&name.trim()],
        )?
        .map(|r| Ok::<_, postgres::Error>((r.try_get(0)?, r.try_get(1)?)))
        .transpose()?;
    let verdict = password_verdict(row.as_ref().map(|r| r.1.as_deref()), password);
    let found = match (&row, &verdict) {
        (Some((id, _)), Ok(())) => Some(reads::staff_row(&mut *store.db()?, StaffId(*id))?),
        _ => None,
    };
    let staff = sign_in_outcome(verdict, found);
    store.write(|tx| match &staff {
        Ok(s) => {
            let actor = Actor::staff(s.id, s.name.clone(), at);
            append(
                tx,
                &actor,
                "session",
                s.id.0,
                "session.signed_in",
                None::<&()>,
                None::<&()>,
            )
        }
        Err(why) => {
            let actor = Actor::system(format!("sign-in attempt as '{}'", name.trim()), at);
            append(
                tx,
                &actor,
                "session",
                row.as_ref().map_or(0, |r| r.0),
                "session.sign_in_failed",
                None::<&()>,
                Some(why),
            )
        }
    })?;
    staff.map_err(StoreError::SignIn)
}

pub(super) fn sign_off(
    store: &mut PostgresStore,
    name: &str,
    role: crate::domain::SignOffRole,
    comment: &str,
    actor: &Actor,
) -> StoreResult<crate::domain::SignOff> {
    store.authorize(actor, Action::SignOff)?;
    let id = actor.staff.ok_or(StoreError::NoStaffActor)?;
    let signer = reads::staff_row(&mut *store.db()?, id)?;
    store.write(|tx| {
        // Counted under the write lock, so nothing can open in between.
        let stats = reads::stats(tx)?;
        let s =
            crate::domain::signoff::check_sign_off(&signer, name, role, comment, &stats, actor.at)?;
        let row: i64 = tx
            .query_one(
                "INSERT INTO sign_offs (name, role, at, comment, signed_by, items, voided)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[
                    &s.name,
                    &s.role.code(),
                    &iso_timestamp(s.at),
                    &s.comment,
                    &s.signed_by.0,
                    &i64::try_from(s.items).unwrap_or(i64::MAX),
                    &i64::try_from(s.voided).unwrap_or(i64::MAX),
                ],
            )?
            .try_get(0)?;
        append(
            tx,
            actor,
            "sign_off",
            row,
            "reentry.signed_off",
            None::<&()>,
            Some(&s),
        )?;
        Ok(s)
    })
}

/// After sign-off: removes every item and audit event (the patient details),
/// keeps a de-identified summary, starts a new chain naming the old chain's
/// last hash, then has the server rewrite the tables (`VACUUM FULL`) so the
/// deleted rows do not linger in its files.
pub(super) fn purge(store: &mut PostgresStore, actor: &Actor) -> StoreResult<PurgeSummary> {
    store.authorize(actor, Action::Purge)?;
    let summary = store.write(|tx| {
        let project = reads::require_project(tx)?;
        let stats = reads::stats(tx)?;
        let sign_offs = reads::sign_offs(tx)?;
        let last = chain_head(tx)?;
        let removed: i64 = tx
            .query_one("SELECT COUNT(*) FROM audit_events", &[])?
            .try_get(0)?;
        let summary = crate::store::sqlite::purge_summary(
            &project,
            &stats,
            sign_offs,
            last,
            u64::try_from(removed).unwrap_or(0),
            actor,
        )?;
        let json =
            serde_json::to_string(&summary).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        // The guards are lifted for this transaction only (DDL is transactional).
        tx.batch_execute(
            "ALTER TABLE items DISABLE TRIGGER items_never_deleted;
             ALTER TABLE audit_events DISABLE TRIGGER audit_append_only_delete;
             DELETE FROM items;
             DELETE FROM audit_events;
             ALTER TABLE items ENABLE TRIGGER items_never_deleted;
             ALTER TABLE audit_events ENABLE TRIGGER audit_append_only_delete;",
        )?;
        tx.execute(
            "INSERT INTO purges (at, summary) VALUES ($1, $2)",
            &[&iso_timestamp(actor.at), &json],
        )?;
        append(
            tx,
            actor,
            "log",
            0,
            "log.purged",
            None::<&()>,
            Some(&summary),
        )?;
        Ok(summary)
    })?;
    // One statement each: VACUUM cannot run inside a (multi-statement) transaction.
    for table in ["items", "audit_events"] {
        store.db()?.batch_execute(&format!("VACUUM FULL {table}"))?;
    }
    Ok(summary)
}
