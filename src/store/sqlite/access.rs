//! Passwords, sign-in and permission checks. Passwords are stored only as
//! argon2 hashes; every refusal is itself audited.

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::permissions::Action;
use crate::domain::{Actor, Role, Staff, StaffId};
use crate::store::access::{hash_password, password_verdict, refusal, sign_in_outcome};
use crate::store::{StoreError, StoreResult};

use super::SqliteStore;
use super::audit;

pub use crate::store::access::MIN_PASSWORD;

/// True while no staff member has a password: the log is still being set up,
/// and setup actions need no sign-in.
pub fn setting_up(conn: &Connection) -> StoreResult<bool> {
    let any: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM staff WHERE password_hash IS NOT NULL)",
        [],
        |r| r.get(0),
    )?;
    Ok(!any)
}

fn staff_row(conn: &Connection, id: StaffId) -> StoreResult<Staff> {
    let row = conn
        .query_row(
            "SELECT id, name, role, active FROM staff WHERE id = ?1",
            [id.0],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| StoreError::StaffNotFound(id.0.to_string()))?;
    let role = Role::parse(&row.2)
        .ok_or_else(|| StoreError::Corrupt(format!("staff {}: unreadable role", row.0)))?;
    Ok(Staff {
        id: StaffId(row.0),
        name: row.1,
        role,
        active: row.3,
    })
}

/// Checks that `actor` may do `action`; a refusal is audited (in its own
/// transaction, so it is kept although the change is not) and returned.
pub fn authorize(store: &mut SqliteStore, actor: &Actor, action: Action) -> StoreResult<()> {
    let staff = match actor.staff {
        Some(id) => Some(staff_row(&store.conn, id)?),
        None => None,
    };
    let setting_up = staff.is_none() && setting_up(&store.conn)?;
    let refusal = refusal(staff.as_ref(), setting_up, action);
    let Some(reason) = refusal else { return Ok(()) };
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    audit::append(
        &tx,
        actor,
        "access",
        actor.staff.map_or(0, |s| s.0),
        "access.denied",
        None::<&()>,
        Some(&reason),
    )?;
    tx.commit()?;
    Err(StoreError::NotPermitted(reason))
}

/// Sets a staff member's password: the practice manager for anyone, anyone for
/// themselves, or anyone at all while the log is being set up.
pub fn set_password(
    store: &mut SqliteStore,
    staff: StaffId,
    password: &str,
    actor: &Actor,
) -> StoreResult<()> {
    crate::store::access::check_length(password)?;
    if actor.staff != Some(staff) {
        authorize(store, actor, Action::ManageStaff)?;
    }
    let target = staff_row(&store.conn, staff)?;
    let hash = hash_password(password)?;
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute(
        "UPDATE staff SET password_hash = ?1 WHERE id = ?2",
        params![hash, staff.0],
    )?;
    // The audit records that it changed, never the password or its hash.
    audit::append(
        &tx,
        actor,
        "staff",
        staff.0,
        "staff.password_set",
        None::<&()>,
        Some(&target.name),
    )?;
    tx.commit()?;
    Ok(())
}

/// Checks a name and password; audits the sign-in or the failed attempt.
pub fn sign_in(
    store: &mut SqliteStore,
    name: &str,
    password: &str,
    at: chrono::NaiveDateTime,
) -> StoreResult<Staff> {
    let row: Option<(i64, Option<String>)> = store
        .conn
        .query_row(
            "SELECT id, password_hash FROM staff WHERE name = ?1 COLLATE NOCASE",
            [name.trim()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let verdict = password_verdict(row.as_ref().map(|r| r.1.as_deref()), password);
    let found = match (&row, &verdict) {
        (Some((id, _)), Ok(())) => Some(staff_row(&store.conn, StaffId(*id))?),
        _ => None,
    };
    let staff = sign_in_outcome(verdict, found);
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    match &staff {
        Ok(s) => {
            let actor = Actor::staff(s.id, s.name.clone(), at);
            audit::append(
                &tx,
                &actor,
                "session",
                s.id.0,
                "session.signed_in",
                None::<&()>,
                None::<&()>,
            )?;
        }
        Err(why) => {
            let actor = Actor::system(format!("sign-in attempt as '{}'", name.trim()), at);
            audit::append(
                &tx,
                &actor,
                "session",
                row.as_ref().map_or(0, |r| r.0),
                "session.sign_in_failed",
                None::<&()>,
                Some(why),
            )?;
        }
    }
    tx.commit()?;
    staff.map_err(StoreError::SignIn)
}
