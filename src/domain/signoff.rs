//! Sign-off: the practice manager or clinical lead confirms that everything
//! logged during cutover has been dealt with in the new system.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::staff::{Role, Staff, StaffId};
use super::validation::{FieldError, MAX_LINE, MAX_TEXT, Validation};
use super::worklist::Stats;

/// In what capacity the re-entry is signed off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignOffRole {
    PracticeManager,
    ClinicalLead,
}

impl SignOffRole {
    pub const ALL: [SignOffRole; 2] = [SignOffRole::PracticeManager, SignOffRole::ClinicalLead];

    pub fn label(self) -> &'static str {
        match self {
            SignOffRole::PracticeManager => "Practice manager",
            SignOffRole::ClinicalLead => "Clinical lead",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            SignOffRole::PracticeManager => "practice_manager",
            SignOffRole::ClinicalLead => "clinical_lead",
        }
    }

    pub fn parse(s: &str) -> Option<SignOffRole> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == s.trim() || r.label().eq_ignore_ascii_case(s.trim()))
    }
}

/// A recorded sign-off of the re-entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    /// The name as signed (normally the signer's staff name).
    pub name: String,
    pub role: SignOffRole,
    pub at: NaiveDateTime,
    pub comment: String,
    /// The staff member who signed.
    pub signed_by: StaffId,
    /// Items counted at sign-off (live items, and voided ones).
    pub items: u64,
    pub voided: u64,
}

/// Why a sign-off cannot be made now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignOffRefusal {
    #[error(
        "{0} item(s) are still outstanding or marked as a problem; deal with them before signing off"
    )]
    OpenItems(u64),
    #[error("only the practice manager or a GP as clinical lead can sign off (this is {0})")]
    NotAllowed(String),
    #[error("{}", super::validation::describe(.0))]
    Invalid(Vec<FieldError>),
}

/// Checks a sign-off: the signer's role, the name, and that nothing is still open.
pub fn check_sign_off(
    signer: &Staff,
    name: &str,
    role: SignOffRole,
    comment: &str,
    stats: &Stats,
    at: NaiveDateTime,
) -> Result<SignOff, SignOffRefusal> {
    let allowed = match role {
        SignOffRole::PracticeManager => signer.role == Role::PracticeManager,
        SignOffRole::ClinicalLead => signer.role == Role::Gp,
    };
    if !allowed {
        return Err(SignOffRefusal::NotAllowed(format!(
            "{}, {}",
            signer.name,
            signer.role.label()
        )));
    }
    let mut v = Validation::default();
    let name = v.required_text("name", "Name", name, MAX_LINE);
    let comment = v.text("comment", "Comment", comment, MAX_TEXT, true);
    v.finish().map_err(SignOffRefusal::Invalid)?;
    let open = stats.open();
    if open > 0 {
        return Err(SignOffRefusal::OpenItems(open));
    }
    Ok(SignOff {
        name: name.unwrap_or_default(),
        role,
        at,
        comment,
        signed_by: signer.id,
        items: stats.total(),
        voided: stats.voided(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ItemKind, Status};

    fn staff(role: Role) -> Staff {
        Staff {
            id: StaffId(1),
            name: "Test Signer".into(),
            role,
            active: true,
        }
    }

    #[test]
    fn refuses_while_items_are_open_or_for_the_wrong_role() {
        let at = chrono::NaiveDateTime::default();
        let mut stats = Stats::default();
        stats
            .by_kind_status
            .push((ItemKind::Other, Status::ReEntered, 3));
        stats
            .by_kind_status
            .push((ItemKind::Other, Status::Problem, 1));
        let pm = staff(Role::PracticeManager);
        assert_eq!(
            check_sign_off(
                &pm,
                "Test Signer",
                SignOffRole::PracticeManager,
                "",
                &stats,
                at
            ),
            Err(SignOffRefusal::OpenItems(1))
        );
        assert!(matches!(
            check_sign_off(
                &staff(Role::Reception),
                "x",
                SignOffRole::PracticeManager,
                "",
                &stats,
                at
            ),
            Err(SignOffRefusal::NotAllowed(_))
        ));
        stats.by_kind_status.pop();
        let ok = check_sign_off(
            &pm,
            " Test Signer ",
            SignOffRole::PracticeManager,
            "All done",
            &stats,
            at,
        );
        assert_eq!(
            ok.map(|s| (s.name, s.items)),
            Ok(("Test Signer".to_string(), 3))
        );
        assert!(matches!(
            check_sign_off(&pm, "", SignOffRole::PracticeManager, "", &stats, at),
            Err(SignOffRefusal::Invalid(_))
        ));
        assert!(
            check_sign_off(
                &staff(Role::Gp),
                "Dr Lead",
                SignOffRole::ClinicalLead,
                "",
                &stats,
                at
            )
            .is_ok()
        );
    }
}
