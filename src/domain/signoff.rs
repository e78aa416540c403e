//! Sign-off: the practice manager or clinical lead confirms that everything
//! logged during cutover has been dealt with in the new system.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::staff::{Role, Staff, StaffId};
use super::status::Status;
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

/// An item's latest finding against the new system's reports, as sign-off
/// counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    /// A report row of the new system is this item.
    Verified,
    /// Ticked re-entered, but a report of the new system did not have it.
    NotFound,
}

/// The live items ticked re-entered, by what the new system's reports showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NewSystemChecks {
    /// Verified in the new system by a report row.
    pub verified: u64,
    /// Re-entered, but a report of the new system did not have them.
    pub not_found: u64,
    /// Re-entered, never checked against a report.
    pub not_checked: u64,
}

impl NewSystemChecks {
    /// Counts one live item (only one ticked re-entered counts).
    pub fn count(&mut self, status: Status, finding: Option<Finding>) {
        if status != Status::ReEntered {
            return;
        }
        match finding {
            Some(Finding::Verified) => self.verified += 1,
            Some(Finding::NotFound) => self.not_found += 1,
            None => self.not_checked += 1,
        }
    }

    /// The counts with their labels, for the report, the screen and the command line.
    pub fn labelled(&self) -> [(&'static str, u64); 3] {
        [
            ("Verified in the new system", self.verified),
            ("Re-entered but not found", self.not_found),
            ("Re-entered and not checked", self.not_checked),
        ]
    }

    /// The counts on one line.
    pub fn describe(&self) -> String {
        format!(
            "checked against the new system's reports: {} verified, {} re-entered but not found, {} re-entered and not checked",
            self.verified, self.not_found, self.not_checked
        )
    }

    /// Why the comment is required, when it is: items ticked re-entered that
    /// the new system's report did not have.
    pub fn reason_needed(&self) -> Option<String> {
        (self.not_found > 0).then(|| reason_needed_words(self.not_found))
    }
}

fn reason_needed_words(not_found: u64) -> String {
    format!(
        "{not_found} item(s) ticked re-entered were not found in the new system's report: say in the comment why the re-entry can be signed off"
    )
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
    /// Items ticked re-entered were not found in the new system: the comment
    /// must say why the re-entry can still be signed off.
    #[error("{}", reason_needed_words(*.0))]
    ReasonNeeded(u64),
}

/// Checks a sign-off: the signer's role, the name, that nothing is still open,
/// and a reason in the comment when anything re-entered was not found in the
/// new system.
pub fn check_sign_off(
    signer: &Staff,
    name: &str,
    role: SignOffRole,
    comment: &str,
    stats: &Stats,
    checks: &NewSystemChecks,
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
    if checks.not_found > 0 && comment.is_empty() {
        return Err(SignOffRefusal::ReasonNeeded(checks.not_found));
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
    use crate::domain::ItemKind;

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
                &NewSystemChecks::default(),
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
                &NewSystemChecks::default(),
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
            &NewSystemChecks::default(),
            at,
        );
        assert_eq!(
            ok.map(|s| (s.name, s.items)),
            Ok(("Test Signer".to_string(), 3))
        );
        assert!(matches!(
            check_sign_off(
                &pm,
                "",
                SignOffRole::PracticeManager,
                "",
                &stats,
                &NewSystemChecks::default(),
                at
            ),
            Err(SignOffRefusal::Invalid(_))
        ));
        assert!(
            check_sign_off(
                &staff(Role::Gp),
                "Dr Lead",
                SignOffRole::ClinicalLead,
                "",
                &stats,
                &NewSystemChecks::default(),
                at
            )
            .is_ok()
        );
    }

    #[test]
    fn an_item_re_entered_but_not_found_needs_a_reason_to_sign_off() {
        let at = chrono::NaiveDateTime::default();
        let mut stats = Stats::default();
        stats
            .by_kind_status
            .push((ItemKind::Prescription, Status::ReEntered, 4));
        stats
            .by_kind_status
            .push((ItemKind::Prescription, Status::NotNeeded, 1));
        let mut checks = NewSystemChecks::default();
        checks.count(Status::ReEntered, Some(Finding::Verified));
        checks.count(Status::ReEntered, Some(Finding::NotFound));
        checks.count(Status::ReEntered, None);
        checks.count(Status::ReEntered, None);
        // Only items ticked re-entered are counted.
        checks.count(Status::NotNeeded, Some(Finding::Verified));
        assert_eq!(
            checks,
            NewSystemChecks {
                verified: 1,
                not_found: 1,
                not_checked: 2
            }
        );
        let pm = staff(Role::PracticeManager);
        let sign = |comment: &str, checks: &NewSystemChecks| {
            check_sign_off(
                &pm,
                "Test Signer",
                SignOffRole::PracticeManager,
                comment,
                &stats,
                checks,
                at,
            )
        };
        assert_eq!(sign("  ", &checks), Err(SignOffRefusal::ReasonNeeded(1)));
        let words = SignOffRefusal::ReasonNeeded(1).to_string();
        assert!(words.contains("not found in the new system"), "{words}");
        assert_eq!(checks.reason_needed(), Some(words));
        let signed = sign("Looked again: re-entered under the new drug name", &checks);
        assert!(signed.is_ok(), "{signed:?}");
        // Not checked is shown, not a reason to refuse.
        let unchecked = NewSystemChecks {
            not_checked: 4,
            ..NewSystemChecks::default()
        };
        assert_eq!(unchecked.reason_needed(), None);
        assert!(sign("", &unchecked).is_ok());
    }
}
