//! Passwords, sign-in and permission checks. Passwords are stored only as
//! argon2 hashes; every refusal is itself audited.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::permissions::{Action, permitted};
use crate::domain::{Actor, Role, Staff, StaffId};
use crate::store::{StoreError, StoreResult};

use super::SqliteStore;
use super::audit;

/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 8;

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
    let refusal = match actor.staff {
        None if setting_up(&store.conn)? => return Ok(()),
        None => Some(format!("sign in to {}", action.describe())),
        Some(id) => {
            let s = staff_row(&store.conn, id)?;
            if !s.active {
                Some(format!("{} is no longer active", s.name))
            } else if permitted(s.role, action) {
                None
            } else {
                Some(format!(
                    "a {} may not {}",
                    s.role.label().to_lowercase(),
                    action.describe()
                ))
            }
        }
    };
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

fn hash_password(password: &str) -> StoreResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Corrupt(format!("could not hash the password: {e}")))
}

/// Sets a staff member's password: the practice manager for anyone, anyone for
/// themselves, or anyone at all while the log is being set up.
pub fn set_password(
    store: &mut SqliteStore,
    staff: StaffId,
    password: &str,
    actor: &Actor,
) -> StoreResult<()> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(StoreError::Invalid(vec![crate::domain::FieldError::new(
            "password",
            format!("a password needs at least {MIN_PASSWORD} characters"),
        )]));
    }
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
    let verdict = match &row {
        None => Err("name or password is wrong".to_string()),
        Some((_, None)) => {
            Err("no password is set for this person yet: ask the practice manager".to_string())
        }
        Some((_, Some(hash))) => match PasswordHash::new(hash) {
            Ok(parsed)
                if Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok() =>
            {
                Ok(())
            }
            Ok(_) => Err("name or password is wrong".to_string()),
            Err(_) => Err(
                "the stored password is unreadable: ask the practice manager to set it again"
                    .to_string(),
            ),
        },
    };
    let staff = match (&row, &verdict) {
        (Some((id, _)), Ok(())) => {
            let s = staff_row(&store.conn, StaffId(*id))?;
            if s.active {
                Ok(s)
            } else {
                Err(format!("{} is no longer active", s.name))
            }
        }
        (_, Err(e)) => Err(e.clone()),
        (None, Ok(())) => Err("name or password is wrong".to_string()),
    };
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
