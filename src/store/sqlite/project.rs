//! The project row and the staff list.

use rusqlite::{OptionalExtension, params};

use crate::domain::dates::{iso_date_time, iso_timestamp};
use crate::domain::permissions::Action;
use crate::domain::{Actor, ClinicalSystem, OdsCode, Project, Role, Staff, StaffId};
use crate::store::{CutoverStore, StoreError, StoreResult};

use super::SqliteStore;
use super::audit;
use super::rows::time;

impl SqliteStore {
    pub(super) fn read_project(&self) -> StoreResult<Option<Project>> {
        let row = self
            .conn
            .query_row(
                "SELECT practice_name, ods_code, old_system, new_system, cutover_start, go_live
                 FROM project WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((name, ods, old, new, start, live)) = row else {
            return Ok(None);
        };
        let bad = |what: &str| StoreError::Corrupt(format!("project: unreadable {what}"));
        Ok(Some(Project {
            practice_name: name,
            ods_code: OdsCode::parse(&ods).map_err(|_| bad("ODS code"))?,
            old_system: ClinicalSystem::parse(&old).map_err(|_| bad("old system"))?,
            new_system: ClinicalSystem::parse(&new).map_err(|_| bad("new system"))?,
            cutover_start: time(0, "cutover start", &start)?,
            go_live: time(0, "go-live", &live)?,
        }))
    }

    pub(super) fn read_staff(&self) -> StoreResult<Vec<Staff>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, role, active FROM staff ORDER BY name COLLATE NOCASE",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, role, active) = row?;
            let role = Role::parse(&role)
                .ok_or_else(|| StoreError::Corrupt(format!("staff {id}: unreadable role")))?;
            out.push(Staff {
                id: StaffId(id),
                name,
                role,
                active,
            });
        }
        Ok(out)
    }

    pub(super) fn require_project(&self) -> StoreResult<Project> {
        self.read_project()?.ok_or(StoreError::NoProject)
    }
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
    store: &mut SqliteStore,
    project: &Project,
    actor: &Actor,
) -> StoreResult<()> {
    super::access::authorize(store, actor, Action::ManageProject)?;
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let exists: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM project)", [], |r| r.get(0))?;
    if exists {
        return Err(StoreError::ProjectExists);
    }
    let [a, b, c, d, e, f] = project_params(project);
    tx.execute(
        "INSERT INTO project (id, practice_name, ods_code, old_system, new_system, cutover_start, go_live, created_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![a, b, c, d, e, f, iso_timestamp(actor.at)],
    )?;
    audit::append(
        &tx,
        actor,
        "project",
        1,
        "project.created",
        None::<&()>,
        Some(project),
    )?;
    tx.commit()?;
    Ok(())
}

pub(super) fn update_project(
    store: &mut SqliteStore,
    project: &Project,
    actor: &Actor,
) -> StoreResult<()> {
    super::access::authorize(store, actor, Action::ManageProject)?;
    let before = store.require_project()?;
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let [a, b, c, d, e, f] = project_params(project);
    tx.execute(
        "UPDATE project SET practice_name = ?1, ods_code = ?2, old_system = ?3, new_system = ?4,
         cutover_start = ?5, go_live = ?6 WHERE id = 1",
        params![a, b, c, d, e, f],
    )?;
    let action = if before.go_live != project.go_live {
        "project.go_live_moved"
    } else {
        "project.updated"
    };
    audit::append(
        &tx,
        actor,
        "project",
        1,
        action,
        Some(&before),
        Some(project),
    )?;
    tx.commit()?;
    Ok(())
}

pub(super) fn add_staff(
    store: &mut SqliteStore,
    name: &str,
    role: Role,
    actor: &Actor,
) -> StoreResult<Staff> {
    super::access::authorize(store, actor, Action::ManageStaff)?;
    let mut v = crate::domain::validation::Validation::default();
    let name = v.required_text("name", "Name", name, crate::domain::validation::MAX_LINE);
    v.finish()?;
    let name = name.unwrap_or_default();
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM staff WHERE name = ?1 COLLATE NOCASE)",
        [&name],
        |r| r.get(0),
    )?;
    if taken {
        return Err(StoreError::DuplicateStaff(name));
    }
    tx.execute(
        "INSERT INTO staff (name, role, active, created_at) VALUES (?1, ?2, 1, ?3)",
        params![name, role.code(), iso_timestamp(actor.at)],
    )?;
    let staff = Staff {
        id: StaffId(tx.last_insert_rowid()),
        name,
        role,
        active: true,
    };
    audit::append(
        &tx,
        actor,
        "staff",
        staff.id.0,
        "staff.added",
        None::<&()>,
        Some(&staff),
    )?;
    tx.commit()?;
    Ok(staff)
}

pub(super) fn set_staff_active(
    store: &mut SqliteStore,
    id: StaffId,
    active: bool,
    actor: &Actor,
) -> StoreResult<()> {
    super::access::authorize(store, actor, Action::ManageStaff)?;
    let before = store
        .staff()?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| StoreError::StaffNotFound(id.0.to_string()))?;
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute(
        "UPDATE staff SET active = ?1 WHERE id = ?2",
        params![active, id.0],
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
    audit::append(
        &tx,
        actor,
        "staff",
        id.0,
        action,
        Some(&before),
        Some(&after),
    )?;
    tx.commit()?;
    Ok(())
}

pub(super) fn sign_off(
    store: &mut SqliteStore,
    name: &str,
    role: crate::domain::SignOffRole,
    comment: &str,
    actor: &Actor,
) -> StoreResult<crate::domain::SignOff> {
    super::access::authorize(store, actor, Action::SignOff)?;
    let id = actor.staff.ok_or(StoreError::NoStaffActor)?;
    let signer = store
        .read_staff()?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| StoreError::StaffNotFound(id.0.to_string()))?;
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    // Counted inside the transaction, so nothing can open in between.
    let stats = super::queries::stats_in(&tx)?;
    let s = crate::domain::signoff::check_sign_off(&signer, name, role, comment, &stats, actor.at)?;
    tx.execute(
        "INSERT INTO sign_offs (name, role, at, comment, signed_by, items, voided) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            s.name,
            s.role.code(),
            iso_timestamp(s.at),
            s.comment,
            s.signed_by.0,
            i64::try_from(s.items).unwrap_or(i64::MAX),
            i64::try_from(s.voided).unwrap_or(i64::MAX)
        ],
    )?;
    let row = tx.last_insert_rowid();
    audit::append(
        &tx,
        actor,
        "sign_off",
        row,
        "reentry.signed_off",
        None::<&()>,
        Some(&s),
    )?;
    tx.commit()?;
    Ok(s)
}

pub(super) fn sign_offs(store: &SqliteStore) -> StoreResult<Vec<crate::domain::SignOff>> {
    let mut stmt = store.conn.prepare_cached(
        "SELECT name, role, at, comment, signed_by, items, voided FROM sign_offs ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, role, at, comment, by, items, voided) = row?;
        out.push(crate::domain::SignOff {
            name,
            role: crate::domain::SignOffRole::parse(&role)
                .ok_or_else(|| StoreError::Corrupt("sign-off: unreadable role".into()))?,
            at: time(0, "sign-off time", &at)?,
            comment,
            signed_by: StaffId(by),
            items: u64::try_from(items).unwrap_or(0),
            voided: u64::try_from(voided).unwrap_or(0),
        });
    }
    Ok(out)
}

pub(super) fn set_lock_minutes(
    store: &mut SqliteStore,
    minutes: u32,
    actor: &Actor,
) -> StoreResult<()> {
    super::access::authorize(store, actor, Action::ManageProject)?;
    if !(1..=60).contains(&minutes) {
        return Err(StoreError::Invalid(vec![crate::domain::FieldError::new(
            "lock_minutes",
            "choose between 1 and 60 minutes",
        )]));
    }
    let before = crate::store::CutoverStore::lock_minutes(store)?;
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute(
        "UPDATE project SET lock_minutes = ?1 WHERE id = 1",
        [minutes],
    )?;
    audit::append(
        &tx,
        actor,
        "project",
        1,
        "project.lock_minutes",
        Some(&before),
        Some(&minutes),
    )?;
    tx.commit()?;
    Ok(())
}
