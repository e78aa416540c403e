//! Passwords and permission decisions shared by every backend: the rules live
//! here once; each backend only reads the rows and records the outcome.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::domain::Staff;
use crate::domain::permissions::{Action, permitted};
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
        (Ok(()), None) => Err("name or password is wrong".to_string()),
        (Err(e), _) => Err(e),
    }
}
