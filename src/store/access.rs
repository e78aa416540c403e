//! Passwords, sign-in and permission checks, for every backend. Passwords are
//! stored only as argon2 hashes; every refusal and every sign-in attempt is audited.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::domain::permissions::{Action, permitted};
use crate::domain::{Actor, AuditAction, AuditEntity, Role, Staff, StaffId};
use crate::store::audit::append;
use crate::store::sql::{Backend, Row, Sql, params};
use crate::store::{StoreError, StoreResult};

pub use crate::domain::staff::MIN_PASSWORD;

/// Refuses a password shorter than [`MIN_PASSWORD`].
pub fn check_length(password: &str) -> StoreResult<()> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(StoreError::Invalid(vec![crate::domain::FieldError::new(
            "password",
            format!("a password needs at least {MIN_PASSWORD} characters"),
        )]));
    }
    Ok(())
}

/// An argon2 hash of a password, with a fresh salt (PHC string).
pub fn hash_password(password: &str) -> StoreResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Corrupt(format!("could not hash the password: {e}")))
}

/// Why `staff` (or nobody, `None`) may not do `action`, or `None` if they may.
/// While the log is `setting_up` (no passwords yet), nobody needs to sign in.
pub fn refusal(staff: Option<&Staff>, setting_up: bool, action: Action) -> Option<String> {
    match staff {
        None if setting_up => None,
        None => Some(format!("sign in to {}", action.describe())),
        Some(s) if !s.active => Some(format!("{} is no longer active", s.name)),
        Some(s) if permitted(s.role, action) => None,
        Some(s) => Some(format!(
            "a {} may not {}",
            s.role.label().to_lowercase(),
            action.describe()
        )),
    }
}

/// Checks a sign-in attempt against the stored row (`None`: no such name;
/// `Some(None)`: no password set). The error is what the person is told.
pub fn password_verdict(stored: Option<Option<&str>>, password: &str) -> Result<(), String> {
    match stored {
        None => Err("name or password is wrong".to_string()),
        Some(None) => {
            Err("no password is set for this person yet: ask the practice manager".to_string())
        }
        Some(Some(hash)) => match PasswordHash::new(hash) {
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
    }
}

/// The staff member signed in, or why not: a right password for an inactive
/// person is still refused.
pub fn sign_in_outcome(verdict: Result<(), String>, staff: Option<Staff>) -> Result<Staff, String> {
    match (verdict, staff) {
        (Ok(()), Some(s)) if s.active => Ok(s),
        (Ok(()), Some(s)) => Err(format!("{} is no longer active", s.name)),
        (Ok(()), None) => Err(WRONG.to_string()),
        (Err(e), _) => Err(e),
    }
}

/// What a person is told when a sign-in fails for a reason that would tell an
/// attacker the password was right (an inactive person): the same as a wrong
/// password. The audit trail keeps the real reason.
const WRONG: &str = "name or password is wrong";

/// Wrong passwords in a row before a name is held back.
pub const FAILURES_BEFORE_WAIT: u32 = 5;

/// How long a name is held back after `failures` wrong passwords in a row
/// (since its last sign-in or new password): none below
/// [`FAILURES_BEFORE_WAIT`], then one minute, doubling with each further
/// attempt, at most an hour.
pub fn wait_after(failures: u32) -> Option<chrono::Duration> {
    let over = failures.checked_sub(FAILURES_BEFORE_WAIT)?;
    Some(chrono::Duration::minutes(1i64 << over.min(6)).min(chrono::Duration::hours(1)))
}

/// Wrong passwords in a row for staff `id`, and when the last was: sign-in
/// events since their last sign-in or their last new password, read from the
/// audit trail (every desk's, so a second desk does not reset the count).
fn failures_in_a_row(
    c: &mut dyn Sql,
    id: i64,
) -> StoreResult<(u32, Option<chrono::NaiveDateTime>)> {
    let password_set = c
        .query_opt(
            "SELECT MAX(id) FROM audit_events WHERE entity = ?1 AND entity_id = ?2 AND action = ?3",
            &params![
                AuditEntity::Staff.as_str(),
                id,
                AuditAction::StaffPasswordSet.as_str()
            ],
        )?
        .map(|r| r.opt_int(0))
        .transpose()?
        .flatten()
        .unwrap_or(0);
    let events = c.query(
        "SELECT id, action, at FROM audit_events WHERE entity = ?1 AND entity_id = ?2
         AND action IN (?3, ?4) AND id > ?5 ORDER BY id DESC LIMIT 64",
        &params![
            AuditEntity::Session.as_str(),
            id,
            AuditAction::SignedIn.as_str(),
            AuditAction::SignInFailed.as_str(),
            password_set
        ],
    )?;
    let mut failures = 0;
    let mut last = None;
    for r in &events {
        if r.text(1)? != AuditAction::SignInFailed.as_str() {
            break;
        }
        failures += 1;
        if last.is_none() {
            last = Some(crate::store::rows::time(id, "sign-in time", &r.text(2)?)?);
        }
    }
    Ok((failures, last))
}

/// Checks that `actor` may do `action`; a refusal is audited (in its own
/// transaction, so it is kept although the change is not) and returned.
pub fn authorize<B: Backend>(store: &mut B, actor: &Actor, action: Action) -> StoreResult<()> {
    let (staff, setting_up) = store.read(|c| {
        let staff = actor.staff.map(|id| staff_member(c, id)).transpose()?;
        let setting_up = staff.is_none() && setting_up(c)?;
        Ok((staff, setting_up))
    })?;
    let Some(reason) = refusal(staff.as_ref(), setting_up, action) else {
        return Ok(());
    };
    store.write(|tx| {
        append(
            tx,
            actor,
            AuditEntity::Access,
            actor.staff.map_or(0, |s| s.0),
            AuditAction::AccessDenied,
            None::<&()>,
            Some(&reason),
        )
    })?;
    Err(StoreError::NotPermitted(reason))
}

/// A write by a named staff member: the one whose name goes on the change.
pub fn require_staff(actor: &Actor) -> StoreResult<StaffId> {
    actor.staff.ok_or(StoreError::NoStaffActor)
}

/// Sets a staff member's password: the practice manager for anyone, anyone for
/// themselves, or anyone at all while the log is being set up.
pub fn set_password<B: Backend>(
    store: &mut B,
    staff: StaffId,
    password: &str,
    actor: &Actor,
) -> StoreResult<()> {
    check_length(password)?;
    if actor.staff != Some(staff) {
        authorize(store, actor, Action::ManageStaff)?;
    }
    let target = store.read(|c| staff_member(c, staff))?;
    let hash = hash_password(password)?;
    store.write(|tx| {
        tx.execute(
            "UPDATE staff SET password_hash = ?1 WHERE id = ?2",
            &params![hash.as_str(), staff.0],
        )?;
        // The audit records that it changed and a digest of the stored hash
        // (so verify finds a hash swapped in by hand), never the password or
        // the hash itself.
        append(
            tx,
            actor,
            AuditEntity::Staff,
            staff.0,
            AuditAction::StaffPasswordSet,
            None::<&()>,
            Some(&PasswordSet {
                name: &target.name,
                hash_digest: hash_digest(&hash),
            }),
        )
    })
}

/// What a password change records: whose, and [`hash_digest`] of the hash
/// stored (older logs recorded the name alone).
#[derive(serde::Serialize)]
struct PasswordSet<'a> {
    name: &'a str,
    hash_digest: String,
}

/// The SHA-256, in hex, of a stored password hash: recorded with each change
/// and compared by verify. It says nothing of the password (the hash it covers
/// is salted argon2), only whether the hash stored is the one the app stored.
pub fn hash_digest(stored_hash: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(stored_hash.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks a name (ignoring case) and password; audits the sign-in or the failed attempt.
pub fn sign_in<B: Backend>(
    store: &mut B,
    name: &str,
    password: &str,
    at: chrono::NaiveDateTime,
) -> StoreResult<Staff> {
    let row = store.read(|c| {
        let d = c.dialect();
        let sql = format!(
            "SELECT id, password_hash FROM staff WHERE {} = {}",
            d.folded("name"),
            d.folded("?1")
        );
        c.query_opt(&sql, &params![name.trim()])?
            .map(|r| Ok((r.int(0)?, r.opt_text(1)?)))
            .transpose()
    })?;
    // A name with too many wrong passwords in a row waits, whatever is typed
    // now (the wait grows with each try; a new password clears it).
    let held = match &row {
        Some((id, _)) => {
            let (failures, last) = store.read(|c| failures_in_a_row(c, *id))?;
            match (wait_after(failures), last) {
                (Some(wait), Some(last)) if at < last + wait => Some(format!(
                    "too many wrong passwords for this name: try again after {} or ask the practice manager to set a new password",
                    crate::domain::dates::uk_time(last + wait)
                )),
                _ => None,
            }
        }
        None => None,
    };
    let staff = match held {
        Some(why) => Err(why),
        None => {
            let verdict = password_verdict(row.as_ref().map(|r| r.1.as_deref()), password);
            let found = match (&row, &verdict) {
                (Some((id, _)), Ok(())) => Some(store.read(|c| staff_member(c, StaffId(*id)))?),
                _ => None,
            };
            sign_in_outcome(verdict, found)
        }
    };
    store.write(|tx| match &staff {
        Ok(s) => {
            let actor = Actor::staff(s.id, s.name.clone(), at);
            append(
                tx,
                &actor,
                AuditEntity::Session,
                s.id.0,
                AuditAction::SignedIn,
                None::<&()>,
                None::<&()>,
            )
        }
        Err(why) => {
            let actor = Actor::system(format!("sign-in attempt as '{}'", name.trim()), at);
            append(
                tx,
                &actor,
                AuditEntity::Session,
                row.as_ref().map_or(0, |r| r.0),
                AuditAction::SignInFailed,
                None::<&()>,
                Some(why),
            )
        }
    })?;
    // An inactive person is told what a wrong password is told (the trail
    // has the reason).
    staff.map_err(|why| {
        StoreError::SignIn(if why.ends_with("is no longer active") {
            WRONG.to_string()
        } else {
            why
        })
    })
}

fn staff_from(r: &Row) -> StoreResult<Staff> {
    let id = r.int(0)?;
    Ok(Staff {
        id: StaffId(id),
        name: r.text(1)?,
        role: Role::parse(&r.text(2)?)
            .ok_or_else(|| StoreError::Corrupt(format!("staff {id}: unreadable role")))?,
        active: r.flag(3)?,
    })
}

/// One staff member.
pub fn staff_member(c: &mut dyn Sql, id: StaffId) -> StoreResult<Staff> {
    let row = c
        .query_opt(
            "SELECT id, name, role, active FROM staff WHERE id = ?1",
            &params![id.0],
        )?
        .ok_or_else(|| StoreError::StaffNotFound(id.0.to_string()))?;
    staff_from(&row)
}

/// Everyone on the staff list, active or not, by name.
pub fn staff(c: &mut dyn Sql) -> StoreResult<Vec<Staff>> {
    let order = c.dialect().folded("name");
    c.query(
        &format!("SELECT id, name, role, active FROM staff ORDER BY {order}, id"),
        &[],
    )?
    .iter()
    .map(staff_from)
    .collect()
}

/// The staff with no password yet (they cannot sign in until one is set).
pub fn without_password(c: &mut dyn Sql) -> StoreResult<Vec<StaffId>> {
    let mut out = Vec::new();
    c.query_each(
        "SELECT id FROM staff WHERE password_hash IS NULL ORDER BY id",
        &[],
        &mut |r| {
            out.push(StaffId(r.int(0)?));
            Ok(())
        },
    )?;
    Ok(out)
}

/// True while no staff member has a password: the log is still being set up,
/// and setup actions need no sign-in.
pub fn setting_up(c: &mut dyn Sql) -> StoreResult<bool> {
    Ok(!c.exists(
        "SELECT 1 FROM staff WHERE password_hash IS NOT NULL LIMIT 1",
        &[],
    )?)
}
