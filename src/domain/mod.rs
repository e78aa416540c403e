//! The cutover domain: types, validation and state rules. No SQL and no UI here.

pub mod audit;
pub mod capture;
pub mod dates;
pub mod deadline;
pub mod item;
pub mod kind;
pub mod nhs_number;
pub mod permissions;
pub mod project;
pub mod reconcile;
pub mod replay;
pub mod signoff;
pub mod staff;
pub mod status;
pub mod validation;
pub mod worklist;

pub use audit::{Actor, AuditAction, AuditEntity, AuditEvent, AuditFilter};
pub use item::{Item, ItemDraft, ItemId, ItemInput, Patient, SeenItem};
pub use kind::{FieldInput, FieldSpec, ItemKind};
pub use nhs_number::NhsNumber;
pub use project::{ClinicalSystem, OdsCode, Phase, Project};
pub use signoff::{SignOff, SignOffRole};
pub use staff::{Role, Staff, StaffDirectory, StaffId};
pub use status::{PreviousStatus, Reentry, Status, StatusChange, Void};
pub use validation::FieldError;
pub use worklist::{
    AssigneeFilter, DueFilter, DueWindow, NewSystemFilter, PatientRecall, Sort, SortKey, Stats,
    WorklistFilter,
};
