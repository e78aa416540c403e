//! Practice staff: who logs items, who is responsible, who re-enters them.

use serde::{Deserialize, Serialize};

/// Shortest staff password (or database passphrase) accepted.
pub const MIN_PASSWORD: usize = 8;

/// Why a new password, typed twice, is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NewPasswordError {
    #[error("choose a password of at least {MIN_PASSWORD} characters")]
    TooShort,
    #[error("the two passwords are not the same")]
    NotTheSame,
}

/// The rule for a new password typed twice (setup, the Practice screen): long
/// enough, and the same both times, so a typo never locks someone out.
pub fn check_new_password(typed: &str, again: &str) -> Result<(), NewPasswordError> {
    if typed.chars().count() < MIN_PASSWORD {
        Err(NewPasswordError::TooShort)
    } else if typed != again {
        Err(NewPasswordError::NotTheSame)
    } else {
        Ok(())
    }
}

/// A staff member's id in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StaffId(pub i64);

/// A staff member's job, which decides what they may re-enter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Reception,
    Gp,
    Nurse,
    Pharmacist,
    OtherPrescriber,
    PracticeManager,
    Other,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Reception,
        Role::Gp,
        Role::Nurse,
        Role::Pharmacist,
        Role::OtherPrescriber,
        Role::PracticeManager,
        Role::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Reception => "reception",
            Role::Gp => "gp",
            Role::Nurse => "nurse",
            Role::Pharmacist => "pharmacist",
            Role::OtherPrescriber => "other_prescriber",
            Role::PracticeManager => "practice_manager",
            Role::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Reception => "Reception / admin",
            Role::Gp => "GP",
            Role::Nurse => "Nurse",
            Role::Pharmacist => "Pharmacist",
            Role::OtherPrescriber => "Other prescriber",
            Role::PracticeManager => "Practice manager",
            Role::Other => "Other",
        }
    }

    /// Reads a role from its code or label, ignoring case (`GP`, `practice manager`, `admin`).
    pub fn parse(s: &str) -> Option<Role> {
        let w: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c == ' ' || c == '-' { '_' } else { c })
            .collect();
        match w.as_str() {
            "reception" | "admin" | "receptionist" | "reception_/_admin" | "reception/admin" => {
                Some(Role::Reception)
            }
            "manager" | "pm" => Some(Role::PracticeManager),
            "doctor" => Some(Role::Gp),
            _ => Role::ALL.into_iter().find(|r| r.code() == w),
        }
    }

    /// Clinicians can be named as responsible for an item.
    pub fn is_clinician(self) -> bool {
        matches!(
            self,
            Role::Gp | Role::Nurse | Role::Pharmacist | Role::OtherPrescriber
        )
    }
}

/// A staff member as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
    pub active: bool,
}

/// The practice's staff list, for turning ids into names without asking the store.
#[derive(Debug, Clone, Default)]
pub struct StaffDirectory {
    staff: Vec<Staff>,
}

impl StaffDirectory {
    pub fn new(staff: Vec<Staff>) -> Self {
        Self { staff }
    }

    pub fn all(&self) -> &[Staff] {
        &self.staff
    }

    pub fn get(&self, id: StaffId) -> Option<&Staff> {
        self.staff.iter().find(|s| s.id == id)
    }

    /// The name for an id, or an empty string for none.
    pub fn name(&self, id: Option<StaffId>) -> String {
        id.and_then(|i| self.get(i))
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }

    /// Finds a staff member by name, ignoring case and surrounding spaces.
    pub fn by_name(&self, name: &str) -> Option<&Staff> {
        let n = name.trim();
        self.staff.iter().find(|s| s.name.eq_ignore_ascii_case(n))
    }

    /// Active clinicians, for the clinician pick list.
    pub fn clinicians(&self) -> impl Iterator<Item = &Staff> {
        self.staff
            .iter()
            .filter(|s| s.active && s.role.is_clinician())
    }

    pub fn active(&self) -> impl Iterator<Item = &Staff> {
        self.staff.iter().filter(|s| s.active)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
        assert_eq!(Role::parse("Practice Manager"), Some(Role::PracticeManager));
        assert_eq!(Role::parse("admin"), Some(Role::Reception));
        assert_eq!(Role::parse("GP"), Some(Role::Gp));
        assert_eq!(Role::parse("janitor"), None);
    }
}

#[cfg(test)]
mod password_tests {
    use super::*;

    #[test]
    fn a_new_password_is_long_enough_and_typed_the_same_twice() {
        assert_eq!(
            check_new_password("short", "short"),
            Err(NewPasswordError::TooShort)
        );
        assert_eq!(
            check_new_password("long enough", "long enougj"),
            Err(NewPasswordError::NotTheSame)
        );
        assert_eq!(check_new_password("long enough", "long enough"), Ok(()));
    }
}
