//! The audit trail's events: who changed what, when, with the values before and after.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::staff::StaffId;

/// One append-only audit event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: i64,
    pub at: NaiveDateTime,
    /// The staff member who made the change; none for setup and command-line actions.
    pub actor: Option<StaffId>,
    /// The actor's name at the time (kept even if the staff record changes).
    pub actor_name: String,
    /// `project`, `staff` or `item`.
    pub entity: String,
    pub entity_id: i64,
    /// What happened, e.g. `item.logged`, `item.status`, `project.go_live_moved`.
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Who is acting, and when: passed to every store write so each change is attributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub staff: Option<StaffId>,
    /// The name to record (the staff name, or e.g. `command line (setup)`).
    pub name: String,
    pub at: NaiveDateTime,
}

impl Actor {
    pub fn staff(id: StaffId, name: impl Into<String>, at: NaiveDateTime) -> Self {
        Self {
            staff: Some(id),
            name: name.into(),
            at,
        }
    }

    /// An action not made by a staff member (initial setup, a support command).
    pub fn system(name: impl Into<String>, at: NaiveDateTime) -> Self {
        Self {
            staff: None,
            name: name.into(),
            at,
        }
    }
}

/// What the audit viewer asks for: every filter is optional and they combine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditFilter {
    /// Events made by this staff member.
    pub actor: Option<StaffId>,
    /// Events about this item.
    pub item: Option<i64>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}
