//! Who may do what. Enforced by the store for every write (not only hidden in the
//! UI): reception/admin log and edit items and tick off non-clinical ones;
//! clinicians also re-enter consultations and prescriptions; the practice manager
//! also manages staff, the cutover window, sign-off and purge.

use serde::{Deserialize, Serialize};

use super::kind::ItemKind;
use super::staff::Role;

/// Something a staff member asks the log to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    LogItem,
    EditItem,
    VoidItem,
    /// Change the re-entry status of an item of this kind.
    SetStatus(ItemKind),
    Assign,
    /// Record what the new system's report shows (a verification, or an item
    /// not found) without changing anyone's re-entry status.
    RecordVerification,
    ManageStaff,
    ManageProject,
    SignOff,
    Purge,
    /// Record something done that changes no row but must be accountable (an
    /// export, a backup, a copy of the log).
    RecordEvent,
}

impl Action {
    /// In words, for refusals: "mark a consultation re-entered".
    pub fn describe(self) -> String {
        match self {
            Action::LogItem => "log items".into(),
            Action::EditItem => "correct items".into(),
            Action::VoidItem => "void items".into(),
            Action::SetStatus(kind) => format!(
                "change the re-entry status of a {}",
                kind.label().to_lowercase()
            ),
            Action::Assign => "assign items".into(),
            Action::RecordVerification => "record what the new system's report shows".into(),
            Action::ManageStaff => "manage the staff list".into(),
            Action::ManageProject => "change the cutover window".into(),
            Action::SignOff => "sign off the re-entry".into(),
            Action::Purge => "purge the log".into(),
            Action::RecordEvent => "record an export, backup or copy".into(),
        }
    }
}

/// Whether `role` may do `action`.
pub fn permitted(role: Role, action: Action) -> bool {
    match action {
        Action::LogItem
        | Action::EditItem
        | Action::VoidItem
        | Action::Assign
        | Action::RecordVerification
        | Action::RecordEvent => true,
        Action::SetStatus(kind) if kind.needs_clinician_to_reenter() => role.is_clinician(),
        Action::SetStatus(_) => true,
        Action::ManageStaff | Action::ManageProject | Action::Purge => {
            role == Role::PracticeManager
        }
        Action::SignOff => matches!(role, Role::PracticeManager | Role::Gp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reception_ticks_off_only_non_clinical_items() {
        assert!(permitted(Role::Reception, Action::LogItem));
        assert!(permitted(
            Role::Reception,
            Action::SetStatus(ItemKind::Appointment)
        ));
        assert!(!permitted(
            Role::Reception,
            Action::SetStatus(ItemKind::Consultation)
        ));
        assert!(!permitted(
            Role::Reception,
            Action::SetStatus(ItemKind::Prescription)
        ));
        assert!(!permitted(Role::Reception, Action::ManageStaff));
    }

    #[test]
    fn clinicians_reenter_clinical_items_and_the_manager_manages() {
        for r in [
            Role::Gp,
            Role::Nurse,
            Role::Pharmacist,
            Role::OtherPrescriber,
        ] {
            assert!(permitted(r, Action::SetStatus(ItemKind::Consultation)));
            assert!(permitted(r, Action::SetStatus(ItemKind::Prescription)));
            assert!(!permitted(r, Action::Purge));
        }
        assert!(!permitted(
            Role::PracticeManager,
            Action::SetStatus(ItemKind::Consultation)
        ));
        for a in [
            Action::ManageStaff,
            Action::ManageProject,
            Action::SignOff,
            Action::Purge,
        ] {
            assert!(permitted(Role::PracticeManager, a));
        }
        assert!(permitted(Role::Gp, Action::SignOff));
    }
}
