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
    /// What the event is about (an item, a staff member, the project…).
    pub entity: AuditEntity,
    pub entity_id: i64,
    /// What happened.
    pub action: AuditAction,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Declares a stored vocabulary once: each variant with the text kept in the
/// database (and hashed into the audit chain), so that text is written in one place.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// Text this version does not know (written by a newer version, or by
            /// hand): kept as it is, so the trail can still be read and verified.
            Unrecognised(String),
        }

        impl $name {
            /// Every known value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored in the database.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $code,)+
                    $name::Unrecognised(other) => other,
                }
            }

            /// Reads stored text; text this version does not know is kept as
            /// [`Self::Unrecognised`].
            pub fn parse(code: &str) -> Self {
                match code {
                    $($code => $name::$variant,)+
                    other => $name::Unrecognised(other.to_string()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                Ok(Self::parse(&text))
            }
        }
    };
}

vocabulary! {
    /// What an audit event is about: the `entity` column.
    AuditEntity {
        Item = "item",
        Project = "project",
        Staff = "staff",
        /// A sign-in, or an attempt.
        Session = "session",
        /// A refused action.
        Access = "access",
        SignOff = "sign_off",
        /// A saved column mapping of a report.
        Mapping = "mapping",
        /// The whole log (a purge, a copy).
        Log = "log",
        /// Something that changes nothing but must be accountable (an export, a
        /// copy of the whole log, encrypting the file).
        Report = "report",
    }
}

vocabulary! {
    /// What happened: the `action` column. Each action's words for people are in
    /// `ui::audit_words`, which matches on every variant.
    AuditAction {
        ItemLogged = "item.logged",
        ItemImported = "item.imported",
        ItemEdited = "item.edited",
        ItemVoided = "item.voided",
        ItemStatus = "item.status",
        ItemStatusUndone = "item.status_undone",
        ItemAssigned = "item.assigned",
        /// An item added from a row of the old system's report (with its source).
        ItemCaptured = "item.captured",
        /// A row of the old system's report found to be an item already logged.
        ItemConfirmedByReport = "item.confirmed_by_report",
        /// Found in the new system's report and accepted by a person (with the
        /// report's file, SHA-256 and row).
        ItemVerified = "item.verified",
        /// Ticked re-entered, but the new system's report did not have it:
        /// flagged for a second look.
        ItemNotFoundInReport = "item.not_found_in_report",
        ProjectCreated = "project.created",
        ProjectUpdated = "project.updated",
        ProjectGoLiveMoved = "project.go_live_moved",
        ProjectLockMinutes = "project.lock_minutes",
        /// Where the app backs the log up (with before and after).
        ProjectBackupFolder = "project.backup_folder",
        /// The practice's deadline numbers changed (before and after).
        ProjectDeadlineRules = "project.deadline_rules",
        /// The day read access to the old system ends, recorded or changed.
        ProjectOldSystemAccess = "project.old_system_access",
        StaffAdded = "staff.added",
        StaffActivated = "staff.activated",
        StaffDeactivated = "staff.deactivated",
        StaffPasswordSet = "staff.password_set",
        SignedIn = "session.signed_in",
        SignInFailed = "session.sign_in_failed",
        AccessDenied = "access.denied",
        SignedOff = "reentry.signed_off",
        LogPurged = "log.purged",
        LogCopied = "log.copied",
        ReportExported = "report.exported",
        DatabaseEncrypted = "database.encrypted",
        /// A live log opened where it can be corrupted (a network drive, a
        /// synced folder), on IT's override.
        PlacementOverridden = "log.placement_overridden",
        /// A checked backup of the log file made (where to).
        LogBackedUp = "log.backed_up",
        /// This log restored from a backup (which one).
        LogRestored = "log.restored",
        /// A backup of this log restored into a new file (which, where, by whom).
        BackupRestored = "log.backup_restored",
        /// A report's column mapping saved by name (with before and after).
        MappingSaved = "mapping.saved",
    }
}

impl AuditAction {
    /// The actions that create an item (each item has exactly one).
    pub const CREATES_ITEM: [AuditAction; 3] = [
        AuditAction::ItemLogged,
        AuditAction::ItemImported,
        AuditAction::ItemCaptured,
    ];
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_stored_text() {
        for a in AuditAction::ALL {
            assert_eq!(&AuditAction::parse(a.as_str()), a);
        }
        for e in AuditEntity::ALL {
            assert_eq!(&AuditEntity::parse(e.as_str()), e);
        }
        let codes: std::collections::BTreeSet<&str> =
            AuditAction::ALL.iter().map(AuditAction::as_str).collect();
        assert_eq!(
            codes.len(),
            AuditAction::ALL.len(),
            "no two actions share a text"
        );
    }

    #[test]
    fn unknown_text_is_kept_not_lost() {
        let a = AuditAction::parse("item.frobbed");
        assert_eq!(a, AuditAction::Unrecognised("item.frobbed".into()));
        assert_eq!(a.as_str(), "item.frobbed");
        let json = serde_json::to_string(&AuditAction::ItemLogged).unwrap_or_default();
        assert_eq!(json, "\"item.logged\"");
    }
}
