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

    /// The capacity a staff member signs in, as themself: the practice manager
    /// as practice manager, a GP as clinical lead; nobody else signs off.
    pub fn of(role: Role) -> Option<SignOffRole> {
        match role {
            Role::PracticeManager => Some(SignOffRole::PracticeManager),
            Role::Gp => Some(SignOffRole::ClinicalLead),
            _ => None,
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
    /// The signer's name on the staff list when they signed.
    pub name: String,
    pub role: SignOffRole,
    pub at: NaiveDateTime,
    pub comment: String,
    /// The staff member who signed.
    pub signed_by: StaffId,
    /// Items counted at sign-off (live items, and voided ones).
    pub items: u64,
    pub voided: u64,
    /// Why this sign-off replaces the one before it (none for the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces_reason: Option<String>,
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
    /// A sign-off is in force: replaced only on purpose, with a reason.
    #[error(
        "the re-entry was already signed off by {name} at {at}; a report exported since carries that sign-off. To replace it, use \"Replace the sign-off\" and say why"
    )]
    AlreadySignedOff { name: String, at: String },
    #[error("there is no sign-off to replace")]
    NothingToReplace,
    #[error("{}", super::validation::describe(.0))]
    Invalid(Vec<FieldError>),
    /// Items ticked re-entered were not found in the new system: the comment
    /// must say why the re-entry can still be signed off.
    #[error("{}", reason_needed_words(*.0))]
    ReasonNeeded(u64),
}

/// What a person asks to sign: a first sign-off, or a replacement of the one
/// in force, with why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing<'a> {
    First,
    Replacing { reason: &'a str },
}

/// Checks a sign-off by `signer`, as themself in their own capacity
/// ([`SignOffRole::of`]): that nothing is still open, a reason in the comment
/// when anything re-entered was not found in the new system, and that a
/// sign-off in force (`earlier`) is replaced only on purpose, with a reason.
#[allow(clippy::too_many_arguments)]
pub fn check_sign_off(
    signer: &Staff,
    comment: &str,
    stats: &Stats,
    checks: &NewSystemChecks,
    at: NaiveDateTime,
    earlier: Option<&SignOff>,
    signing: Signing<'_>,
) -> Result<SignOff, SignOffRefusal> {
    let Some(role) = SignOffRole::of(signer.role).filter(|_| signer.active) else {
        return Err(SignOffRefusal::NotAllowed(format!(
            "{}, {}",
            signer.name,
            signer.role.label()
        )));
    };
    let mut v = Validation::default();
    let comment = v.text("comment", "Comment", comment, MAX_TEXT, true);
    let replaces_reason = match signing {
        Signing::First => None,
        Signing::Replacing { reason } => v.required_text(
            "replaces_reason",
            "Reason for replacing the sign-off",
            reason,
            MAX_LINE,
        ),
    };
    match (earlier, signing) {
        (Some(e), Signing::First) => {
            return Err(SignOffRefusal::AlreadySignedOff {
                name: e.name.clone(),
                at: super::dates::uk_date_time(e.at),
            });
        }
        (None, Signing::Replacing { .. }) => return Err(SignOffRefusal::NothingToReplace),
        _ => {}
    }
    v.finish().map_err(SignOffRefusal::Invalid)?;
    let open = stats.open();
    if open > 0 {
        return Err(SignOffRefusal::OpenItems(open));
    }
    if checks.not_found > 0 && comment.is_empty() {
        return Err(SignOffRefusal::ReasonNeeded(checks.not_found));
    }
    Ok(SignOff {
        name: signer.name.clone(),
        role,
        at,
        comment,
        signed_by: signer.id,
        items: stats.total(),
        voided: stats.voided(),
        replaces_reason,
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

    fn check(
        signer: &Staff,
        comment: &str,
        stats: &Stats,
        checks: &NewSystemChecks,
    ) -> Result<SignOff, SignOffRefusal> {
        check_sign_off(
            signer,
            comment,
            stats,
            checks,
            chrono::NaiveDateTime::default(),
            None,
            Signing::First,
        )
    }

    #[test]
    fn the_signer_signs_as_themself_and_a_sign_off_is_replaced_only_with_a_reason() {
        let stats = Stats::default();
        let none = NewSystemChecks::default();
        let gp = staff(Role::Gp);
        let first = check(&gp, "", &stats, &none);
        assert_eq!(
            first
                .as_ref()
                .map(|s| (s.name.as_str(), s.role, s.signed_by)),
            Ok(("Test Signer", SignOffRole::ClinicalLead, StaffId(1)))
        );
        let Ok(first) = first else { return };
        let at = chrono::NaiveDateTime::default();
        let again = |signing| {
            check_sign_off(
                &staff(Role::PracticeManager),
                "",
                &stats,
                &none,
                at,
                Some(&first),
                signing,
            )
        };
        assert!(matches!(
            again(Signing::First),
            Err(SignOffRefusal::AlreadySignedOff { .. })
        ));
        assert!(matches!(
            again(Signing::Replacing { reason: "  " }),
            Err(SignOffRefusal::Invalid(_))
        ));
        let replaced = again(Signing::Replacing {
            reason: "Two items corrected after the first sign-off",
        });
        assert_eq!(
            replaced.map(|s| (s.role, s.replaces_reason)),
            Ok((
                SignOffRole::PracticeManager,
                Some("Two items corrected after the first sign-off".to_string())
            ))
        );
        assert_eq!(
            check_sign_off(
                &gp,
                "",
                &stats,
                &none,
                at,
                None,
                Signing::Replacing { reason: "x" }
            ),
            Err(SignOffRefusal::NothingToReplace)
        );
        // An inactive manager signs nothing.
        let mut gone = staff(Role::PracticeManager);
        gone.active = false;
        assert!(matches!(
            check(&gone, "", &stats, &none),
            Err(SignOffRefusal::NotAllowed(_))
        ));
    }

    #[test]
    fn refuses_while_items_are_open_or_for_the_wrong_role() {
        let mut stats = Stats::default();
        stats
            .by_kind_status
            .push((ItemKind::Other, Status::ReEntered, 3));
        stats
            .by_kind_status
            .push((ItemKind::Other, Status::Problem, 1));
        let pm = staff(Role::PracticeManager);
        let none = NewSystemChecks::default();
        assert_eq!(
            check(&pm, "", &stats, &none),
            Err(SignOffRefusal::OpenItems(1))
        );
        assert!(matches!(
            check(&staff(Role::Reception), "", &stats, &none),
            Err(SignOffRefusal::NotAllowed(_))
        ));
        assert!(matches!(
            check(&staff(Role::Nurse), "", &stats, &none),
            Err(SignOffRefusal::NotAllowed(_))
        ));
        stats.by_kind_status.pop();
        let ok = check(&pm, "All done", &stats, &none);
        assert_eq!(
            ok.map(|s| (s.name, s.role, s.items)),
            Ok(("Test Signer".to_string(), SignOffRole::PracticeManager, 3))
        );
        assert!(check(&staff(Role::Gp), "", &stats, &none).is_ok());
    }

    #[test]
    fn an_item_re_entered_but_not_found_needs_a_reason_to_sign_off() {
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
        let sign = |comment: &str, checks: &NewSystemChecks| check(&pm, comment, &stats, checks);
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
