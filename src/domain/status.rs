//! Re-entry state: where an item stands on the worklist after go-live, and voiding.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::item::ItemId;
use super::staff::StaffId;
use super::validation::{FieldError, MAX_TEXT, Validation};

/// Where an item stands in re-entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not yet in the new system.
    Outstanding,
    /// Re-entered in the new system (by whom and when recorded).
    ReEntered,
    /// Deliberately not re-entered, with a reason.
    NotNeeded,
    /// Could not be re-entered as it stands, with a note.
    Problem,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Outstanding,
        Status::ReEntered,
        Status::NotNeeded,
        Status::Problem,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Outstanding => "outstanding",
            Status::ReEntered => "re_entered",
            Status::NotNeeded => "not_needed",
            Status::Problem => "problem",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Outstanding => "Outstanding",
            Status::ReEntered => "Re-entered",
            Status::NotNeeded => "Not needed",
            Status::Problem => "Problem",
        }
    }

    /// Reads a status from its code or label, ignoring case.
    pub fn parse(s: &str) -> Option<Status> {
        let t = s.trim();
        if t.is_empty() {
            return Some(Status::Outstanding);
        }
        Status::ALL.into_iter().find(|st| {
            st.code().eq_ignore_ascii_case(t)
                || st.label().eq_ignore_ascii_case(t)
                || st.code().replace('_', " ").eq_ignore_ascii_case(t)
        })
    }

    /// Whether the item still needs work (outstanding, or a problem to resolve).
    pub fn is_open(self) -> bool {
        matches!(self, Status::Outstanding | Status::Problem)
    }
}

/// What a status change replaced on one item: its earlier re-entry record and
/// the item's version just after the change. Undo puts `reentry` back, and only
/// while the item is still at `version` (nobody changed it since).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousStatus {
    pub id: ItemId,
    pub reentry: Reentry,
    pub version: i64,
}

/// An item's re-entry record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reentry {
    pub status: Status,
    /// Who set the current status (none while outstanding and never touched).
    pub by: Option<StaffId>,
    pub at: Option<NaiveDateTime>,
    /// The reference or note (re-entered), the reason (not needed), or the problem.
    pub note: String,
}

impl Reentry {
    pub fn outstanding() -> Self {
        Self {
            status: Status::Outstanding,
            by: None,
            at: None,
            note: String::new(),
        }
    }
}

impl Reentry {
    /// The outcome in words: "Re-entered by Dr A, 24/11/2026 09:30 - ref 12",
    /// "Not needed (…)", "Problem (…)" or "Outstanding". With `emphasis`, the two
    /// states that still need work are in capitals (for printed reports).
    pub fn describe(&self, staff: &super::staff::StaffDirectory, emphasis: bool) -> String {
        let at = self.at.map(super::dates::uk_date_time).unwrap_or_default();
        let by = staff.name(self.by);
        let note = if self.note.is_empty() {
            String::new()
        } else {
            format!(" - {}", self.note)
        };
        let (outstanding, problem) = if emphasis {
            ("OUTSTANDING", "PROBLEM")
        } else {
            ("Outstanding", "Problem")
        };
        match self.status {
            Status::Outstanding => outstanding.to_string(),
            Status::ReEntered => format!("Re-entered by {by}, {at}{note}"),
            Status::NotNeeded => format!("Not needed ({by}, {at}){note}"),
            Status::Problem => format!("{problem} ({by}, {at}){note}"),
        }
    }
}

/// An item logged in error: kept, but out of the worklist and its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Void {
    pub by: StaffId,
    pub at: NaiveDateTime,
    pub reason: String,
}

/// A request to change an item's re-entry status, as made from the worklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusChange {
    /// Back to outstanding (undo or reopen).
    Reopen,
    /// Re-entered, with an optional reference or note in the new system.
    ReEntered { note: String },
    /// Not needed: a reason is required.
    NotNeeded { reason: String },
    /// A problem: a note is required.
    Problem { note: String },
}

impl StatusChange {
    /// Checks the change and gives the status and note to store.
    pub fn validate(&self) -> Result<(Status, String), Vec<FieldError>> {
        let mut v = Validation::default();
        let (status, note) = match self {
            StatusChange::Reopen => (Status::Outstanding, String::new()),
            StatusChange::ReEntered { note } => (
                Status::ReEntered,
                v.text("note", "Note", note, MAX_TEXT, true),
            ),
            StatusChange::NotNeeded { reason } => (
                Status::NotNeeded,
                v.required_text("note", "Reason it is not needed", reason, MAX_TEXT)
                    .unwrap_or_default(),
            ),
            StatusChange::Problem { note } => (
                Status::Problem,
                v.required_text("note", "Problem note", note, MAX_TEXT)
                    .unwrap_or_default(),
            ),
        };
        v.finish()?;
        Ok((status, note))
    }

    /// Rebuilds the change that restores a previous re-entry record (for undo).
    pub fn restoring(previous: &Reentry) -> StatusChange {
        let note = previous.note.clone();
        match previous.status {
            Status::Outstanding => StatusChange::Reopen,
            Status::ReEntered => StatusChange::ReEntered { note },
            Status::NotNeeded => StatusChange::NotNeeded { reason: note },
            Status::Problem => StatusChange::Problem { note },
        }
    }
}

/// Checks a void reason.
pub fn validate_void_reason(reason: &str) -> Result<String, Vec<FieldError>> {
    let mut v = Validation::default();
    let r = v.required_text("void_reason", "Reason for voiding", reason, MAX_TEXT);
    v.finish()?;
    Ok(r.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_needed_and_problem_need_words() {
        assert!(
            StatusChange::NotNeeded { reason: " ".into() }
                .validate()
                .is_err()
        );
        assert!(
            StatusChange::Problem {
                note: String::new()
            }
            .validate()
            .is_err()
        );
        assert_eq!(
            StatusChange::ReEntered {
                note: String::new()
            }
            .validate(),
            Ok((Status::ReEntered, String::new()))
        );
        assert_eq!(
            StatusChange::NotNeeded {
                reason: "Duplicate of paper".into()
            }
            .validate(),
            Ok((Status::NotNeeded, "Duplicate of paper".into()))
        );
        assert!(validate_void_reason("").is_err());
    }

    #[test]
    fn statuses_parse_and_restore() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.code()), Some(s));
            assert_eq!(Status::parse(s.label()), Some(s));
        }
        assert_eq!(Status::parse(""), Some(Status::Outstanding));
        assert_eq!(Status::parse("done"), None);
        let prev = Reentry {
            status: Status::Problem,
            by: None,
            at: None,
            note: "x".into(),
        };
        assert_eq!(
            StatusChange::restoring(&prev),
            StatusChange::Problem { note: "x".into() }
        );
    }
}
