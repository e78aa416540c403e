//! The practice's own records, for every backend: the project (practice, systems,
//! cutover window, lock time), the staff list and the sign-offs. Each write is
//! one transaction with its audit event.

use crate::domain::dates::{iso_date_time, iso_timestamp};
use crate::domain::permissions::Action;
use crate::domain::signoff::Signing;
use crate::domain::{
    Actor, AuditAction, AuditEntity, ClinicalSystem, OdsCode, Project, Role, SignOff, SignOffRole,
    Staff, StaffId,
};
use crate::store::access::{authorize, staff_member};
use crate::store::audit::append;
use crate::store::rows::time;
use crate::store::sql::{Backend, Param, Sql, count_param, params};
use crate::store::{StoreError, StoreResult};

/// The project, if set up.
pub fn project(c: &mut dyn Sql) -> StoreResult<Option<Project>> {
    let Some(r) = c.query_opt(
        "SELECT practice_name, ods_code, old_system, new_system, cutover_start, go_live
         FROM project WHERE id = 1",
        &[],
    )?
    else {
        return Ok(None);
    };
    let bad = |what: &str| StoreError::Corrupt(format!("project: unreadable {what}"));
    Ok(Some(Project {
        practice_name: r.text(0)?,
        ods_code: OdsCode::parse(&r.text(1)?).map_err(|_| bad("ODS code"))?,
        old_system: ClinicalSystem::parse(&r.text(2)?).map_err(|_| bad("old system"))?,
        new_system: ClinicalSystem::parse(&r.text(3)?).map_err(|_| bad("new system"))?,
        cutover_start: time(0, "cutover start", &r.text(4)?)?,
        go_live: time(0, "go-live", &r.text(5)?)?,
    }))
}

/// The project, or [`StoreError::NoProject`].
pub fn require_project(c: &mut dyn Sql) -> StoreResult<Project> {
    project(c)?.ok_or(StoreError::NoProject)
}

/// The idle minutes before the app locks (5 until the project says otherwise).
/// The idle lock time a new log starts with (the column's default).
pub const DEFAULT_LOCK_MINUTES: u32 = 5;

pub fn lock_minutes(c: &mut dyn Sql) -> StoreResult<u32> {
    let m = match c.query_opt("SELECT lock_minutes FROM project WHERE id = 1", &[])? {
        Some(r) => r.opt_int(0)?,
        None => None,
    };
    Ok(m.and_then(|m| u32::try_from(m).ok())
        .unwrap_or(DEFAULT_LOCK_MINUTES)
        .max(1))
}

fn project_params(p: &Project) -> [Param; 6] {
    params![
        p.practice_name.as_str(),
        p.ods_code.to_string(),
        p.old_system.label(),
        p.new_system.label(),
        iso_date_time(p.cutover_start),
        iso_date_time(p.go_live),
    ]
}

/// Sets the project up (once per log).
pub fn create_project<B: Backend>(
    store: &mut B,
    project: &Project,
    actor: &Actor,
) -> StoreResult<()> {
    authorize(store, actor, Action::ManageProject)?;
    store.write(|tx| {
        if tx.exists("SELECT 1 FROM project", &[])? {
            return Err(StoreError::ProjectExists);
        }
        let mut p = project_params(project).to_vec();
        p.push(iso_timestamp(actor.at).into());
        tx.execute(
            "INSERT INTO project (id, practice_name, ods_code, old_system, new_system, cutover_start, go_live, created_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &p,
        )?;
        append(tx, actor, AuditEntity::Project, 1, AuditAction::ProjectCreated, None::<&()>, Some(project))
    })
}

/// Changes the project; moving go-live is audited as such.
pub fn update_project<B: Backend>(
    store: &mut B,
    project: &Project,
    actor: &Actor,
) -> StoreResult<()> {
    authorize(store, actor, Action::ManageProject)?;
    store.write(|tx| {
        let before = require_project(tx)?;
        tx.execute(
            "UPDATE project SET practice_name = ?1, ods_code = ?2, old_system = ?3, new_system = ?4,
             cutover_start = ?5, go_live = ?6 WHERE id = 1",
            &project_params(project),
        )?;
        let action = if before.go_live != project.go_live {
            // Every due-by follows go-live, in the same transaction.
            crate::store::deadlines::refresh(tx, crate::store::deadlines::Which::All)?;
            AuditAction::ProjectGoLiveMoved
        } else {
            AuditAction::ProjectUpdated
        };
        append(
            tx,
            actor,
            AuditEntity::Project,
            1,
            action,
            Some(&before),
            Some(project),
        )
    })
}

/// One optional text setting (a column) of the project row.
pub(crate) fn setting_text(c: &mut dyn Sql, column: &str) -> StoreResult<Option<String>> {
    Ok(
        c.query_opt(&format!("SELECT {column} FROM project WHERE id = 1"), &[])?
            .map(|r| r.opt_text(0))
            .transpose()?
            .flatten(),
    )
}

/// Sets one setting (a column) of the project row and records the change,
/// with its value before and after, in the caller's transaction.
pub(crate) fn change_setting<B: serde::Serialize, A: serde::Serialize>(
    tx: &mut dyn Sql,
    actor: &Actor,
    column: &str,
    value: Param,
    action: AuditAction,
    before: &B,
    after: &A,
) -> StoreResult<()> {
    tx.execute(
        &format!("UPDATE project SET {column} = ?1 WHERE id = 1"),
        &[value],
    )?;
    append(
        tx,
        actor,
        AuditEntity::Project,
        1,
        action,
        Some(before),
        Some(after),
    )
}

/// The folder the practice manager chose for the app's backups of a log file.
pub fn backup_folder(c: &mut dyn Sql) -> StoreResult<Option<String>> {
    setting_text(c, "backup_folder")
}

/// Chooses where the app backs the log up (`None`: the `backups` folder beside
/// it); the practice manager, audited with before and after (a backup holds
/// patient data: where it goes is accountable).
pub fn set_backup_folder<B: Backend>(
    store: &mut B,
    folder: Option<&str>,
    actor: &Actor,
) -> StoreResult<()> {
    authorize(store, actor, Action::ManageProject)?;
    let folder = folder.map(str::trim).filter(|f| !f.is_empty());
    if let Some(f) = folder
        && !std::path::Path::new(f).is_absolute()
    {
        return Err(StoreError::Invalid(vec![crate::domain::FieldError::new(
            "backup_folder",
            "give the whole path of the folder (e.g. D:\\CutoverBackups or \\\\server\\share\\backups)",
        )]));
    }
    store.write(|tx| {
        let before = backup_folder(tx)?;
        change_setting(
            tx,
            actor,
            "backup_folder",
            Param::from(folder),
            AuditAction::ProjectBackupFolder,
            &before,
            &folder,
        )
    })
}

/// Restores a backup of this log into a new file (the practice manager): the
/// copy records where it came from, and this log who restored what, where.
pub fn restore_backup<B: Backend>(
    store: &mut B,
    backup: &std::path::Path,
    to: &std::path::Path,
    actor: &Actor,
) -> StoreResult<crate::store::sqlite::restore::Restored> {
    authorize(store, actor, Action::ManageProject)?;
    let restored = store.restore_copy(backup, to, actor)?;
    let info = &restored.info;
    let detail = format!(
        "{} ({} items, audit trail up to {}) into {}",
        backup.display(),
        info.items,
        info.anchor.as_deref().unwrap_or("no events"),
        to.display()
    );
    crate::store::CutoverStore::record_event(store, actor, AuditAction::BackupRestored, &detail)?;
    Ok(restored)
}

/// Sets the idle minutes before the app locks (1 to 60).
pub fn set_lock_minutes<B: Backend>(store: &mut B, minutes: u32, actor: &Actor) -> StoreResult<()> {
    authorize(store, actor, Action::ManageProject)?;
    if !(1..=60).contains(&minutes) {
        return Err(StoreError::Invalid(vec![crate::domain::FieldError::new(
            "lock_minutes",
            "choose between 1 and 60 minutes",
        )]));
    }
    store.write(|tx| {
        let before = lock_minutes(tx)?;
        change_setting(
            tx,
            actor,
            "lock_minutes",
            Param::from(i64::from(minutes)),
            AuditAction::ProjectLockMinutes,
            &before,
            &minutes,
        )
    })
}

/// Adds a staff member; a name already on the list (ignoring case) is refused.
pub fn add_staff<B: Backend>(
    store: &mut B,
    name: &str,
    role: Role,
    actor: &Actor,
) -> StoreResult<Staff> {
    authorize(store, actor, Action::ManageStaff)?;
    let mut v = crate::domain::validation::Validation::default();
    let name = v.required_text("name", "Name", name, crate::domain::validation::MAX_LINE);
    v.finish()?;
    let name = name.unwrap_or_default();
    store.write(|tx| {
        let d = tx.dialect();
        let taken = format!(
            "SELECT 1 FROM staff WHERE {} = {} LIMIT 1",
            d.folded("name"),
            d.folded("?1")
        );
        if tx.exists(&taken, &params![name.as_str()])? {
            return Err(StoreError::DuplicateStaff(name.clone()));
        }
        let id = tx.insert(
            "INSERT INTO staff (name, role, active, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
            &params![name.as_str(), role.code(), true, iso_timestamp(actor.at)],
        )?;
        let staff = Staff {
            id: StaffId(id),
            name: name.clone(),
            role,
            active: true,
        };
        append(tx, actor, AuditEntity::Staff, id, AuditAction::StaffAdded, None::<&()>, Some(&staff))?;
        Ok(staff)
    })
}

/// Makes a staff member active or inactive (never removed: their name stays on
/// what they did).
pub fn set_staff_active<B: Backend>(
    store: &mut B,
    id: StaffId,
    active: bool,
    actor: &Actor,
) -> StoreResult<()> {
    authorize(store, actor, Action::ManageStaff)?;
    store.write(|tx| {
        let before = staff_member(tx, id)?;
        tx.execute(
            "UPDATE staff SET active = ?1 WHERE id = ?2",
            &params![active, id.0],
        )?;
        let after = Staff {
            active,
            ..before.clone()
        };
        let action = if active {
            AuditAction::StaffActivated
        } else {
            AuditAction::StaffDeactivated
        };
        append(
            tx,
            actor,
            AuditEntity::Staff,
            id.0,
            action,
            Some(&before),
            Some(&after),
        )
    })
}

/// Every sign-off, oldest first.
pub fn sign_offs(c: &mut dyn Sql) -> StoreResult<Vec<SignOff>> {
    c.query(
        "SELECT name, role, at, comment, signed_by, items, voided, replaces_reason
         FROM sign_offs ORDER BY id",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(SignOff {
            name: r.text(0)?,
            role: SignOffRole::parse(&r.text(1)?)
                .ok_or_else(|| StoreError::Corrupt("sign-off: unreadable role".into()))?,
            at: time(0, "sign-off time", &r.text(2)?)?,
            comment: r.text(3)?,
            signed_by: StaffId(r.int(4)?),
            items: r.count(5)?,
            voided: r.count(6)?,
            replaces_reason: r.opt_text(7)?,
        })
    })
    .collect()
}

/// Records a sign-off by the person in `actor`, as themself in their own
/// capacity (the practice manager, or a GP as clinical lead): refused while any
/// item is open, without a reason when anything re-entered was not found in the
/// new system, and while a sign-off is in force unless `signing` replaces it
/// with a reason (all counted and read inside the transaction, so nothing can
/// change in between). A replacement's audit event holds the sign-off it
/// replaced.
pub fn sign_off<B: Backend>(
    store: &mut B,
    comment: &str,
    signing: Signing<'_>,
    actor: &Actor,
) -> StoreResult<SignOff> {
    authorize(store, actor, Action::SignOff)?;
    let id = actor.staff.ok_or(StoreError::NoStaffActor)?;
    store.write(|tx| {
        let signer = staff_member(tx, id)?;
        let stats = crate::store::queries::stats(tx)?;
        let checks = crate::store::reconcile::new_system_checks(tx)?;
        let earlier = sign_offs(tx)?.pop();
        let s = crate::domain::signoff::check_sign_off(
            &signer,
            comment,
            &stats,
            &checks,
            actor.at,
            earlier.as_ref(),
            signing,
        )?;
        let row = tx.insert(
            "INSERT INTO sign_offs (name, role, at, comment, signed_by, items, voided,
                                    replaces_reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
            &[
                Param::from(s.name.as_str()),
                s.role.code().into(),
                iso_timestamp(s.at).into(),
                s.comment.as_str().into(),
                s.signed_by.0.into(),
                count_param(s.items),
                count_param(s.voided),
                s.replaces_reason.as_deref().into(),
            ],
        )?;
        append(
            tx,
            actor,
            AuditEntity::SignOff,
            row,
            AuditAction::SignedOff,
            earlier.as_ref(),
            Some(&s),
        )?;
        Ok(s)
    })
}
