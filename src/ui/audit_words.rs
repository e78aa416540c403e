//! Audit events in people's words: the one place that turns an [`AuditEvent`]
//! (an action code and the JSON stored before and after) into what happened and
//! which fields changed, from what to what. The Audit screen and an item's
//! History both read it, so a code such as `session.signed_in` or a field key
//! such as `request_channel` never reaches a person.
//!
//! Field names are the labels the forms show (from [`ItemKind::fields`] for an
//! item's own fields), choices are shown by their label, dates the UK way, and
//! staff by name when a [`StaffDirectory`] is given (the `_with` functions);
//! without one a member of staff is "staff #3".

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::domain::dates::{from_iso, uk_date, uk_date_time};
use crate::domain::kind::{FieldInput, all_field_specs, choice_label};
use crate::domain::{
    AuditAction, AuditEntity, AuditEvent, ClinicalSystem, ItemKind, NhsNumber, Role, SignOffRole,
    StaffDirectory, StaffId, Status,
};

/// One field an event changed, in people's words. An empty `before` or `after`
/// means the field had no value then (a new item has only `after` values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field's label as the form shows it ("Medication", "Dose / directions").
    pub field: String,
    pub before: String,
    pub after: String,
}

/// One line: what happened and, for a change to something that existed, each
/// field changed ("Corrected the item: Medication: A -> B; Dose / directions: C -> D").
#[allow(dead_code)] // for a caller without the staff list; the screens use the _with forms
pub fn describe(e: &AuditEvent) -> String {
    describe_in(e, Names(None))
}

/// Like [`describe`], naming staff from the practice's staff list.
pub fn describe_with(e: &AuditEvent, staff: &StaffDirectory) -> String {
    describe_in(e, Names(Some(staff)))
}

/// Each field the event changed, before and after. For an event that created
/// something (an item logged, a member of staff added) every value it was given,
/// with an empty `before`. Events that change no fields (a sign-in) give none.
#[allow(dead_code)] // for a caller without the staff list; the screens use the _with forms
pub fn changes(e: &AuditEvent) -> Vec<FieldChange> {
    changes_in(e, Names(None))
}

/// Like [`changes`], naming staff from the practice's staff list.
pub fn changes_with(e: &AuditEvent, staff: &StaffDirectory) -> Vec<FieldChange> {
    changes_in(e, Names(Some(staff)))
}

/// What happened, without the list of fields: "Signed in", "Logged a prescription".
pub fn action_with(e: &AuditEvent, staff: &StaffDirectory) -> String {
    action_in(e, Names(Some(staff)))
}

/// What the event is about, for a list of events from everywhere: "Item 10
/// (Prescription)", "Staff: Dr Test Gp", "Practice", "Sign-in".
pub fn subject_with(e: &AuditEvent, staff: &StaffDirectory) -> String {
    let names = Names(Some(staff));
    match &e.entity {
        AuditEntity::Mapping => "Report mapping".into(),
        AuditEntity::Item => match item_kind(e) {
            Some(kind) => format!("Item {} ({})", e.entity_id, kind.label()),
            None => format!("Item {}", e.entity_id),
        },
        AuditEntity::Staff => format!("Staff: {}", names.staff_id(e.entity_id)),
        AuditEntity::Project => "Practice".into(),
        AuditEntity::Session => "Sign-in".into(),
        AuditEntity::SignOff => "Sign-off".into(),
        AuditEntity::Report => "Report".into(),
        AuditEntity::Log => "Whole log".into(),
        AuditEntity::Access => "Permission".into(),
        AuditEntity::Unrecognised(other) => words_for_code(other),
    }
}

/// How a value shown in a sentence reads when the field had none.
const BLANK: &str = "(blank)";

/// Between a value before and after. ASCII, as in the PDF report ("EMIS Web ->
/// TPP SystmOne"): the app's built-in font has no arrow glyph.
pub const ARROW: &str = " -> ";

impl FieldChange {
    /// "Dose / directions: One daily -> Two daily", "(blank)" for no value.
    pub fn line(&self) -> String {
        let shown = |s: &str| {
            if s.is_empty() {
                BLANK.to_string()
            } else {
                s.to_string()
            }
        };
        format!(
            "{}: {}{ARROW}{}",
            self.field,
            shown(&self.before),
            shown(&self.after)
        )
    }
}

fn describe_in(e: &AuditEvent, names: Names<'_>) -> String {
    let action = action_in(e, names);
    if e.before.is_none() {
        return action;
    }
    let list: Vec<String> = changes_in(e, names).iter().map(FieldChange::line).collect();
    if list.is_empty() {
        action
    } else {
        format!("{action}: {}", list.join("; "))
    }
}

/// Turns staff ids into names, with the directory when there is one.
#[derive(Clone, Copy)]
struct Names<'a>(Option<&'a StaffDirectory>);

impl Names<'_> {
    fn staff_id(self, id: i64) -> String {
        self.0
            .and_then(|d| d.get(StaffId(id)))
            .map_or_else(|| format!("staff #{id}"), |s| s.name.clone())
    }

    /// A staff id held in JSON (a number), or `none` for null or nothing.
    fn staff(self, v: Option<&Value>, none: &str) -> String {
        match v.and_then(Value::as_i64) {
            Some(id) => self.staff_id(id),
            None => none.to_string(),
        }
    }
}

fn after_obj(e: &AuditEvent) -> Option<&Map<String, Value>> {
    e.after.as_ref().and_then(Value::as_object)
}

fn before_obj(e: &AuditEvent) -> Option<&Map<String, Value>> {
    e.before.as_ref().and_then(Value::as_object)
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(Value::Bool(b)) => yes_no(*b).into(),
        Some(other) => other.to_string(),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

/// AuditAction::SignInFailed → "Session sign in failed": the last resort for a
/// code this module does not know yet.
fn words_for_code(code: &str) -> String {
    let words = code.replace(['.', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn item_kind(e: &AuditEvent) -> Option<ItemKind> {
    [after_obj(e), before_obj(e)]
        .into_iter()
        .flatten()
        .find_map(|o| {
            o.get("kind")
                .and_then(Value::as_str)
                .and_then(ItemKind::parse)
        })
}

/// "a prescription", "an appointment": a kind in a sentence.
fn kind_phrase(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Appointment => "an appointment",
        ItemKind::Prescription => "a prescription",
        ItemKind::Consultation => "a consultation",
        ItemKind::TelephoneCall => "a telephone call",
        ItemKind::HomeVisit => "a home visit",
        ItemKind::PathologyResult => "a pathology result",
        ItemKind::Referral => "a referral",
        ItemKind::Registration => "a registration",
        ItemKind::Correspondence => "correspondence (letter, NHS 111 or out of hours)",
        ItemKind::Immunisation => "an immunisation",
        ItemKind::Other => "an item (other)",
    }
}

fn status_label(v: Option<&Value>) -> String {
    let code = text_of(v);
    Status::parse(&code).map_or(code, |s| s.label().to_string())
}

fn action_in(e: &AuditEvent, names: Names<'_>) -> String {
    let after = e.after.as_ref();
    let after_text = || text_of(after);
    match &e.action {
        AuditAction::ItemLogged | AuditAction::ItemImported => {
            let verb = if e.action == AuditAction::ItemLogged {
                "Logged"
            } else {
                "Imported"
            };
            match item_kind(e) {
                Some(kind) => format!("{verb} {}", kind_phrase(kind)),
                None => format!("{verb} the item"),
            }
        }
        AuditAction::ItemCaptured => {
            let what = item_kind(e).map_or("the item", kind_phrase);
            let from = after_obj(e)
                .and_then(|o| o.get("source"))
                .map(source_phrase);
            match from {
                Some(from) => format!("Captured {what} from {from}"),
                None => format!("Captured {what} from a report"),
            }
        }
        AuditAction::ItemConfirmedByReport => match after.map(source_phrase) {
            Some(from) => format!("Confirmed by {from}"),
            None => "Confirmed by a report".into(),
        },
        AuditAction::ItemVerified => match after.map(source_phrase) {
            Some(from) => format!("Verified in the new system by {from}"),
            None => "Verified in the new system by a report".into(),
        },
        AuditAction::ItemNotFoundInReport => match after.map(source_phrase) {
            Some(from) => {
                format!("Not found in the new system by {from}: flagged for a second look")
            }
            None => "Not found in the new system's report: flagged for a second look".into(),
        },
        AuditAction::MappingSaved => match after_obj(e).and_then(|o| o.get("name")) {
            Some(name) => format!("Saved the report mapping '{}'", text_of(Some(name))),
            None => "Saved a report mapping".into(),
        },
        AuditAction::ItemEdited => "Corrected the item".into(),
        AuditAction::ItemVoided => "Voided the item".into(),
        AuditAction::ItemStatus => {
            let status = after_obj(e)
                .and_then(|o| o.get("status"))
                .and_then(Value::as_str)
                .and_then(Status::parse);
            match status {
                Some(Status::ReEntered) => "Marked re-entered".into(),
                Some(Status::NotNeeded) => "Marked not needed".into(),
                Some(Status::Problem) => "Marked as a problem".into(),
                Some(Status::Outstanding) => "Reopened (outstanding again)".into(),
                None => "Changed the re-entry status".into(),
            }
        }
        AuditAction::ItemStatusUndone => format!(
            "Undid a status change (back to {})",
            status_label(after_obj(e).and_then(|o| o.get("status")))
        ),
        AuditAction::ItemAssigned => match after.and_then(Value::as_i64) {
            Some(id) => format!("Assigned to {}", names.staff_id(id)),
            None => "Unassigned (nobody re-enters it yet)".into(),
        },
        AuditAction::ProjectCreated => match after_obj(e) {
            Some(p) => format!(
                "Set up the cutover log for {} ({})",
                text_of(p.get("practice_name")),
                text_of(p.get("ods_code"))
            ),
            None => "Set up the cutover log".into(),
        },
        AuditAction::ProjectUpdated => "Changed the practice details".into(),
        AuditAction::ProjectGoLiveMoved => "Moved go-live".into(),
        AuditAction::ProjectLockMinutes => "Changed when the app locks".into(),
        AuditAction::StaffAdded => match after_obj(e) {
            Some(s) => format!(
                "Added {} ({}) to the staff list",
                text_of(s.get("name")),
                role_label(s.get("role"))
            ),
            None => "Added a member of staff".into(),
        },
        AuditAction::StaffActivated => format!("Made {} active again", staff_name_in(e, names)),
        AuditAction::StaffDeactivated => format!("Made {} inactive", staff_name_in(e, names)),
        AuditAction::StaffPasswordSet => {
            // The name alone (older logs), or with the hash's digest.
            let whose = match after_obj(e) {
                Some(o) => text_of(o.get("name")),
                None => after_text(),
            };
            if whose.is_empty() {
                format!("Set the password of {}", names.staff_id(e.entity_id))
            } else {
                format!("Set the password of {whose}")
            }
        }
        AuditAction::SignedIn => "Signed in".into(),
        AuditAction::SignInFailed => with_reason("Sign-in refused", &after_text()),
        AuditAction::AccessDenied => with_reason("Not allowed", &after_text()),
        AuditAction::SignedOff => match after_obj(e) {
            Some(s) => format!(
                "Signed off the re-entry as {} ({} items, {} voided){}",
                sign_off_role_label(s.get("role")),
                text_of(s.get("items")),
                text_of(s.get("voided")),
                match s.get("replaces_reason") {
                    Some(why) =>
                        format!(", replacing the earlier sign-off: {}", text_of(Some(why))),
                    None => String::new(),
                }
            ),
            None => "Signed off the re-entry".into(),
        },
        AuditAction::LogPurged => match after_obj(e).and_then(|s| s.get("items")) {
            Some(n) => format!(
                "Purged the patient data ({} items removed; a summary kept)",
                text_of(Some(n))
            ),
            None => "Purged the patient data".into(),
        },
        AuditAction::LogCopied => with_reason("Copied the whole log", &after_text()),
        AuditAction::ReportExported => export_phrase(&after_text()),
        AuditAction::DatabaseEncrypted => {
            "Encrypted the database with a practice passphrase".into()
        }
        AuditAction::ProjectBackupFolder => match after.and_then(Value::as_str) {
            Some(folder) => format!("Chose the backup folder {folder}"),
            None => "Backups go beside the log again".into(),
        },
        AuditAction::ProjectDeadlineRules => "Changed the practice's deadlines".into(),
        AuditAction::ProjectOldSystemAccess => match after.and_then(Value::as_str) {
            Some(day) => format!(
                "Recorded that read access to the old system ends on {}",
                chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                    .map_or_else(|_| day.to_string(), crate::domain::dates::uk_date)
            ),
            None => "Cleared the end of read access to the old system".into(),
        },
        AuditAction::LogBackedUp => with_reason("Backed up the log", &after_text()),
        AuditAction::LogRestored => with_reason("Restored the log from a backup", &after_text()),
        AuditAction::BackupRestored => {
            with_reason("Restored a backup into a new file", &after_text())
        }
        AuditAction::PlacementOverridden => with_reason(
            "Opened the log where it can be corrupted, on IT's override",
            &after_text(),
        ),
        AuditAction::Unrecognised(other) => words_for_code(other),
    }
}

/// "the report appts.csv (row 12)": where a captured or confirmed item came from.
fn source_phrase(source: &Value) -> String {
    let file = text_of(source.get("file_name"));
    let line = text_of(source.get("line"));
    if line.is_empty() {
        format!("the report {file}")
    } else {
        format!("the report {file} (row {line})")
    }
}

fn with_reason(what: &str, reason: &str) -> String {
    if reason.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {reason}")
    }
}

/// "pdf report to /x/y.pdf" or "csv to /x/y.csv" → "Exported the PDF report to /x/y.pdf".
fn export_phrase(detail: &str) -> String {
    let lower = detail.to_ascii_lowercase();
    let to = detail
        .find(" to ")
        .and_then(|i| detail.get(i + 4..))
        .unwrap_or("");
    let what = if lower.starts_with("pdf") {
        "the PDF report"
    } else if lower.starts_with("csv") {
        "the CSV file"
    } else {
        return with_reason("Exported", detail);
    };
    if to.is_empty() {
        format!("Exported {what}")
    } else {
        format!("Exported {what} to {to}")
    }
}

fn staff_name_in(e: &AuditEvent, names: Names<'_>) -> String {
    after_obj(e)
        .or_else(|| before_obj(e))
        .and_then(|s| s.get("name"))
        .and_then(Value::as_str)
        .map_or_else(|| names.staff_id(e.entity_id), str::to_string)
}

fn role_label(v: Option<&Value>) -> String {
    let code = text_of(v);
    Role::parse(&code).map_or(code, |r| r.label().to_string())
}

fn sign_off_role_label(v: Option<&Value>) -> String {
    let code = text_of(v);
    SignOffRole::parse(&code).map_or(code, |r| r.label().to_string())
}

fn system_label(v: Option<&Value>) -> String {
    match v {
        Some(v) => serde_json::from_value::<ClinicalSystem>(v.clone())
            .map_or_else(|_| text_of(Some(v)), |s| s.label()),
        None => String::new(),
    }
}

fn uk_time_of(v: Option<&Value>) -> String {
    let s = text_of(v);
    from_iso(&s).map_or(s, uk_date_time)
}

fn uk_day_of(v: Option<&Value>) -> String {
    let s = text_of(v);
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_or(s, uk_date)
}

/// Reads one side of an event (before or after) as labelled values in form order.
type Fields = fn(Option<&Value>, Names<'_>, Option<ItemKind>) -> Vec<(String, String)>;

fn changes_in(e: &AuditEvent, names: Names<'_>) -> Vec<FieldChange> {
    let before = e.before.as_ref();
    let after = e.after.as_ref();
    let fields: Fields = match &e.action {
        AuditAction::ItemLogged
        | AuditAction::ItemImported
        | AuditAction::ItemCaptured
        | AuditAction::ItemEdited
        | AuditAction::ItemVoided => item_fields,
        AuditAction::ItemStatus | AuditAction::ItemStatusUndone => reentry_fields,
        AuditAction::ItemAssigned => assignee_field,
        AuditAction::ProjectCreated
        | AuditAction::ProjectUpdated
        | AuditAction::ProjectGoLiveMoved => project_fields,
        AuditAction::ProjectLockMinutes => lock_field,
        AuditAction::StaffAdded | AuditAction::StaffActivated | AuditAction::StaffDeactivated => {
            staff_fields
        }
        AuditAction::SignedOff => sign_off_fields,
        _ => return Vec::new(),
    };
    let kind = item_kind(e);
    diff(
        before
            .map(|b| fields(Some(b), names, kind))
            .unwrap_or_default(),
        fields(after, names, kind),
    )
}

/// Pairs labelled values before and after, keeping those that differ, in the
/// order the form shows them (after's order, then any only before had).
fn diff(before: Vec<(String, String)>, after: Vec<(String, String)>) -> Vec<FieldChange> {
    let mut out = Vec::new();
    for (field, a) in &after {
        let b = before
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        if &b != a {
            out.push(FieldChange {
                field: field.clone(),
                before: b,
                after: a.clone(),
            });
        }
    }
    for (field, b) in before {
        if !b.is_empty() && !after.iter().any(|(f, _)| *f == field) {
            out.push(FieldChange {
                field,
                before: b,
                after: String::new(),
            });
        }
    }
    out
}

/// An item's values in the order the entry form shows them, by label.
fn item_fields(
    v: Option<&Value>,
    names: Names<'_>,
    event_kind: Option<ItemKind>,
) -> Vec<(String, String)> {
    let Some(o) = v.and_then(Value::as_object) else {
        return Vec::new();
    };
    let kind = o
        .get("kind")
        .and_then(Value::as_str)
        .and_then(ItemKind::parse)
        .or(event_kind);
    let patient = o.get("patient").and_then(Value::as_object);
    let p = |k: &str| patient.and_then(|p| p.get(k));
    let nhs = text_of(p("nhs_number"));
    let nhs = NhsNumber::parse(&nhs).map_or(nhs, |n| n.to_string());
    let clinician_label = kind.map_or("Clinician", |k| k.clinician_rule().label);
    let mut out = vec![
        (
            "Kind".to_string(),
            kind.map_or_else(String::new, |k| k.label().to_string()),
        ),
        ("When it happened".into(), uk_time_of(o.get("occurred_at"))),
        ("NHS number".into(), nhs),
        ("Patient name".into(), text_of(p("name"))),
        ("Date of birth".into(), uk_day_of(p("date_of_birth"))),
        (clinician_label.into(), names.staff(o.get("clinician"), "")),
    ];
    let own = o.get("fields").and_then(Value::as_object);
    // The kind's own fields first, in its form's order, then any others stored.
    let mut keys: Vec<&str> = kind
        .map(|k| k.fields().iter().map(|f| f.key).collect())
        .unwrap_or_default();
    if let Some(own) = own {
        for k in own.keys() {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    for key in keys {
        let raw = text_of(own.and_then(|f| f.get(key)));
        out.push(field_value(key, &raw));
    }
    out.push(("Details".into(), text_of(o.get("details"))));
    out.push((
        "Assigned to".into(),
        names.staff(o.get("assignee"), "unassigned"),
    ));
    if let Some(r) = o.get("reentry") {
        out.extend(reentry_fields(Some(r), names, kind));
    }
    let void = o.get("void").and_then(Value::as_object);
    out.push((
        "Reason for voiding".into(),
        text_of(void.and_then(|v| v.get("reason"))),
    ));
    out
}

/// One of a kind's own fields: its form label and its value as people read it.
fn field_value(key: &str, raw: &str) -> (String, String) {
    let Some(spec) = all_field_specs().iter().find(|s| s.key == key) else {
        return (words_for_code(key), raw.to_string());
    };
    let shown = match spec.input {
        _ if raw.is_empty() => String::new(),
        FieldInput::Choice(choices) => choice_label(choices, raw),
        FieldInput::Date => {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_or_else(|_| raw.to_string(), uk_date)
        }
        FieldInput::DateTime => from_iso(raw).map_or_else(|| raw.to_string(), uk_date_time),
        FieldInput::Text | FieldInput::LongText | FieldInput::Ubrn => raw.to_string(),
    };
    (spec.label.to_string(), shown)
}

fn reentry_fields(v: Option<&Value>, _: Names<'_>, _: Option<ItemKind>) -> Vec<(String, String)> {
    let Some(o) = v.and_then(Value::as_object) else {
        return Vec::new();
    };
    vec![
        ("Re-entry status".into(), status_label(o.get("status"))),
        ("Reference, reason or note".into(), text_of(o.get("note"))),
    ]
}

fn assignee_field(
    v: Option<&Value>,
    names: Names<'_>,
    _: Option<ItemKind>,
) -> Vec<(String, String)> {
    vec![("Assigned to".into(), names.staff(v, "unassigned"))]
}

fn project_fields(v: Option<&Value>, _: Names<'_>, _: Option<ItemKind>) -> Vec<(String, String)> {
    let Some(o) = v.and_then(Value::as_object) else {
        return Vec::new();
    };
    vec![
        ("Practice name".into(), text_of(o.get("practice_name"))),
        ("ODS code".into(), text_of(o.get("ods_code"))),
        ("Old system".into(), system_label(o.get("old_system"))),
        ("New system".into(), system_label(o.get("new_system"))),
        (
            "Cutover starts (final extract)".into(),
            uk_time_of(o.get("cutover_start")),
        ),
        ("Planned go-live".into(), uk_time_of(o.get("go_live"))),
    ]
}

fn lock_field(v: Option<&Value>, _: Names<'_>, _: Option<ItemKind>) -> Vec<(String, String)> {
    let minutes = match v.and_then(Value::as_u64) {
        Some(1) => "1 minute without use".to_string(),
        Some(n) => format!("{n} minutes without use"),
        None => text_of(v),
    };
    vec![("Lock the app after".into(), minutes)]
}

fn staff_fields(v: Option<&Value>, _: Names<'_>, _: Option<ItemKind>) -> Vec<(String, String)> {
    let Some(o) = v.and_then(Value::as_object) else {
        return Vec::new();
    };
    vec![
        ("Name".into(), text_of(o.get("name"))),
        ("Role".into(), role_label(o.get("role"))),
        (
            "Active".into(),
            o.get("active")
                .and_then(Value::as_bool)
                .map_or_else(String::new, |b| yes_no(b).to_string()),
        ),
    ]
}

fn sign_off_fields(
    v: Option<&Value>,
    names: Names<'_>,
    _: Option<ItemKind>,
) -> Vec<(String, String)> {
    let Some(o) = v.and_then(Value::as_object) else {
        return Vec::new();
    };
    vec![
        ("Signed off by".into(), text_of(o.get("name"))),
        ("Role".into(), sign_off_role_label(o.get("role"))),
        ("Date and time".into(), uk_time_of(o.get("at"))),
        ("Comment".into(), text_of(o.get("comment"))),
        ("Signed in as".into(), names.staff(o.get("signed_by"), "")),
    ]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::Staff;

    fn at(s: &str) -> chrono::NaiveDateTime {
        from_iso(s).unwrap_or_default()
    }

    fn event(
        action: AuditAction,
        entity: AuditEntity,
        id: i64,
        before: Option<Value>,
        after: Option<Value>,
    ) -> AuditEvent {
        AuditEvent {
            id: 1,
            at: at("2026-11-20T10:00"),
            actor: Some(StaffId(3)),
            actor_name: "Test Receptionist".into(),
            entity,
            entity_id: id,
            action,
            before,
            after,
        }
    }

    fn staff() -> StaffDirectory {
        StaffDirectory::new(vec![
            Staff {
                id: StaffId(1),
                name: "Dr Test Gp".into(),
                role: Role::Gp,
                active: true,
            },
            Staff {
                id: StaffId(2),
                name: "Dr Other Gp".into(),
                role: Role::Gp,
                active: true,
            },
            Staff {
                id: StaffId(3),
                name: "Test Receptionist".into(),
                role: Role::Reception,
                active: true,
            },
        ])
    }

    /// A stored item as the store serialises it (a real `Item`, so the test
    /// follows the JSON if the item's shape changes).
    fn item_json(medication: &str, dose: &str, channel: &str, clinician: i64) -> Value {
        let mut fields = std::collections::BTreeMap::new();
        fields.insert("medication".to_string(), medication.to_string());
        fields.insert("dose".to_string(), dose.to_string());
        fields.insert("quantity".to_string(), "28 tablets".to_string());
        fields.insert("prescription_type".to_string(), "repeat".to_string());
        fields.insert("issued_via".to_string(), "eps".to_string());
        fields.insert("request_channel".to_string(), channel.to_string());
        let item = crate::domain::Item {
            id: crate::domain::ItemId(10),
            input: crate::domain::ItemInput {
                kind: ItemKind::Prescription,
                occurred_at: at("2026-11-18T09:10"),
                patient: crate::domain::Patient {
                    nhs_number: NhsNumber::parse("9990000018").ok(),
                    name: "Test Patient".into(),
                    date_of_birth: NaiveDate::from_ymd_opt(1960, 2, 1),
                },
                clinician: Some(StaffId(clinician)),
                details: String::new(),
                fields,
            },
            logged_by: StaffId(3),
            logged_at: at("2026-11-18T09:12"),
            logged_phase: "cutover".into(),
            assignee: Some(StaffId(clinician)),
            reentry: crate::domain::Reentry::outstanding(),
            void: None,
            version: 1,
        };
        serde_json::to_value(item).unwrap_or(Value::Null)
    }

    #[test]
    fn a_correction_names_each_field_by_its_label_before_and_after() {
        let e = event(
            AuditAction::ItemEdited,
            AuditEntity::Item,
            10,
            Some(item_json("Amlodipine 5mg tablets", "One daily", "phone", 1)),
            Some(item_json(
                "Amlodipine 10mg tablets",
                "One at night",
                "counter",
                2,
            )),
        );
        let c = changes_with(&e, &staff());
        let field = |f: &str| c.iter().find(|x| x.field == f).cloned();
        assert_eq!(
            field("Medication"),
            Some(FieldChange {
                field: "Medication".into(),
                before: "Amlodipine 5mg tablets".into(),
                after: "Amlodipine 10mg tablets".into(),
            })
        );
        assert_eq!(
            field("Dose / directions").map(|x| (x.before, x.after)),
            Some(("One daily".into(), "One at night".into()))
        );
        // A choice by its label, a clinician by name, under the kind's own word.
        assert_eq!(
            field("Requested by").map(|x| (x.before, x.after)),
            Some(("Phone".into(), "Counter".into()))
        );
        assert_eq!(
            field("Prescriber").map(|x| (x.before, x.after)),
            Some(("Dr Test Gp".into(), "Dr Other Gp".into()))
        );
        assert!(field("Quantity").is_none(), "unchanged fields are left out");
        assert!(c.iter().all(|x| !x.field.contains('_')), "{c:?}");

        let line = describe_with(&e, &staff());
        assert!(
            line.starts_with("Corrected the item: Prescriber: Dr Test Gp -> Dr Other Gp; "),
            "{line}"
        );
        assert!(
            line.contains("Medication: Amlodipine 5mg tablets -> Amlodipine 10mg tablets; Dose / directions: One daily -> One at night"),
            "{line}"
        );
        // Without the staff list, staff are still not bare numbers.
        assert!(describe(&e).contains("Prescriber: staff #1 -> staff #2"));
    }

    #[test]
    fn dates_and_nhs_numbers_read_the_uk_way() {
        let before = item_json("A", "B", "phone", 1);
        let mut after = before.clone();
        after["occurred_at"] = json!("2026-11-19T14:05:00");
        after["patient"]["date_of_birth"] = json!("1961-03-04");
        after["patient"]["nhs_number"] = json!("9990000026");
        let e = event(
            AuditAction::ItemEdited,
            AuditEntity::Item,
            10,
            Some(before),
            Some(after),
        );
        let c = changes(&e);
        let pair = |f: &str| {
            c.iter()
                .find(|x| x.field == f)
                .map(|x| (x.before.as_str(), x.after.as_str()))
        };
        assert_eq!(
            pair("When it happened"),
            Some(("18/11/2026 09:10", "19/11/2026 14:05"))
        );
        assert_eq!(pair("Date of birth"), Some(("01/02/1960", "04/03/1961")));
        assert_eq!(pair("NHS number"), Some(("999 000 0018", "999 000 0026")));
    }

    #[test]
    fn every_action_the_stores_write_has_words() {
        let item = item_json("A", "B", "phone", 1);
        let mut voided = item.clone();
        voided["void"] = json!({"by": 3, "at": "2026-11-20T10:00:00", "reason": "Logged twice"});
        let reentry = |status: &str, note: &str| json!({"status": status, "by": 1, "at": "2026-11-24T09:30:00", "note": note});
        let staff_json =
            |active: bool| json!({"id": 2, "name": "Dr Other Gp", "role": "gp", "active": active});
        let project = json!({
            "practice_name": "Test Surgery", "ods_code": "A81001",
            "old_system": "EmisWeb", "new_system": "TppSystmOne",
            "cutover_start": "2026-11-16T18:00:00", "go_live": "2026-11-23T08:00:00"
        });
        let mut moved = project.clone();
        moved["go_live"] = json!("2026-11-24T08:00:00");
        let cases: Vec<(AuditEvent, &str)> = vec![
            (
                event(
                    AuditAction::ItemLogged,
                    AuditEntity::Item,
                    10,
                    None,
                    Some(item.clone()),
                ),
                "Logged a prescription",
            ),
            (
                event(
                    AuditAction::ItemImported,
                    AuditEntity::Item,
                    10,
                    None,
                    Some(item.clone()),
                ),
                "Imported a prescription",
            ),
            (
                event(
                    AuditAction::ItemVoided,
                    AuditEntity::Item,
                    10,
                    Some(item.clone()),
                    Some(voided),
                ),
                "Voided the item: Reason for voiding: (blank) -> Logged twice",
            ),
            (
                event(
                    AuditAction::ItemStatus,
                    AuditEntity::Item,
                    10,
                    Some(reentry("outstanding", "")),
                    Some(reentry("re_entered", "Ref 7")),
                ),
                "Marked re-entered: Re-entry status: Outstanding -> Re-entered; Reference, reason or note: (blank) -> Ref 7",
            ),
            (
                event(
                    AuditAction::ItemStatusUndone,
                    AuditEntity::Item,
                    10,
                    Some(reentry("not_needed", "dup")),
                    Some(reentry("outstanding", "")),
                ),
                "Undid a status change (back to Outstanding): Re-entry status: Not needed -> Outstanding; Reference, reason or note: dup -> (blank)",
            ),
            (
                event(
                    AuditAction::ItemAssigned,
                    AuditEntity::Item,
                    10,
                    Some(json!(null)),
                    Some(json!(1)),
                ),
                "Assigned to Dr Test Gp: Assigned to: unassigned -> Dr Test Gp",
            ),
            (
                event(
                    AuditAction::ProjectCreated,
                    AuditEntity::Project,
                    1,
                    None,
                    Some(project.clone()),
                ),
                "Set up the cutover log for Test Surgery (A81001)",
            ),
            (
                event(
                    AuditAction::ProjectGoLiveMoved,
                    AuditEntity::Project,
                    1,
                    Some(project.clone()),
                    Some(moved),
                ),
                "Moved go-live: Planned go-live: 23/11/2026 08:00 -> 24/11/2026 08:00",
            ),
            (
                event(
                    AuditAction::ProjectUpdated,
                    AuditEntity::Project,
                    1,
                    Some(project.clone()),
                    Some(project),
                ),
                "Changed the practice details",
            ),
            (
                event(
                    AuditAction::ProjectLockMinutes,
                    AuditEntity::Project,
                    1,
                    Some(json!(5)),
                    Some(json!(10)),
                ),
                "Changed when the app locks: Lock the app after: 5 minutes without use -> 10 minutes without use",
            ),
            (
                event(
                    AuditAction::StaffAdded,
                    AuditEntity::Staff,
                    2,
                    None,
                    Some(staff_json(true)),
                ),
                "Added Dr Other Gp (GP) to the staff list",
            ),
            (
                event(
                    AuditAction::StaffDeactivated,
                    AuditEntity::Staff,
                    2,
                    Some(staff_json(true)),
                    Some(staff_json(false)),
                ),
                "Made Dr Other Gp inactive: Active: Yes -> No",
            ),
            (
                event(
                    AuditAction::StaffActivated,
                    AuditEntity::Staff,
                    2,
                    Some(staff_json(false)),
                    Some(staff_json(true)),
                ),
                "Made Dr Other Gp active again: Active: No -> Yes",
            ),
            (
                event(
                    AuditAction::StaffPasswordSet,
                    AuditEntity::Staff,
                    3,
                    None,
                    Some(json!("Test Receptionist")),
                ),
                "Set the password of Test Receptionist",
            ),
            (
                event(
                    AuditAction::StaffPasswordSet,
                    AuditEntity::Staff,
                    3,
                    None,
                    Some(json!({"name": "Test Receptionist", "hash_digest": "ab"})),
                ),
                "Set the password of Test Receptionist",
            ),
            (
                event(AuditAction::SignedIn, AuditEntity::Session, 3, None, None),
                "Signed in",
            ),
            (
                event(
                    AuditAction::SignInFailed,
                    AuditEntity::Session,
                    3,
                    None,
                    Some(json!("wrong password")),
                ),
                "Sign-in refused: wrong password",
            ),
            (
                event(
                    AuditAction::AccessDenied,
                    AuditEntity::Access,
                    3,
                    None,
                    Some(json!("only the practice manager may do this")),
                ),
                "Not allowed: only the practice manager may do this",
            ),
            (
                event(
                    AuditAction::SignedOff,
                    AuditEntity::SignOff,
                    1,
                    None,
                    Some(
                        json!({"name": "Test Manager", "role": "practice_manager", "at": "2026-11-25T16:00:00", "comment": "", "signed_by": 4, "items": 11, "voided": 1}),
                    ),
                ),
                "Signed off the re-entry as Practice manager (11 items, 1 voided)",
            ),
            (
                event(
                    AuditAction::LogPurged,
                    AuditEntity::Log,
                    0,
                    None,
                    Some(json!({"items": 11})),
                ),
                "Purged the patient data (11 items removed; a summary kept)",
            ),
            (
                event(
                    AuditAction::LogCopied,
                    AuditEntity::Log,
                    0,
                    None,
                    Some(json!("to the practice server")),
                ),
                "Copied the whole log: to the practice server",
            ),
            (
                event(
                    AuditAction::ReportExported,
                    AuditEntity::Report,
                    0,
                    None,
                    Some(json!("pdf report to /tmp/r.pdf")),
                ),
                "Exported the PDF report to /tmp/r.pdf",
            ),
            (
                event(
                    AuditAction::ReportExported,
                    AuditEntity::Report,
                    0,
                    None,
                    Some(json!("csv to /tmp/r.csv")),
                ),
                "Exported the CSV file to /tmp/r.csv",
            ),
            (
                event(
                    AuditAction::DatabaseEncrypted,
                    AuditEntity::Report,
                    0,
                    None,
                    Some(json!("encrypted")),
                ),
                "Encrypted the database with a practice passphrase",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(describe_with(&e, &staff()), want, "{}", e.action);
        }
        // Something new still reads as words, never a dotted code.
        let unknown = event(
            AuditAction::Unrecognised("item.frobbed".into()),
            AuditEntity::Item,
            1,
            None,
            None,
        );
        assert_eq!(describe(&unknown), "Item frobbed");
    }

    #[test]
    fn a_new_item_lists_what_it_was_given_and_the_line_stays_short() {
        let e = event(
            AuditAction::ItemLogged,
            AuditEntity::Item,
            10,
            None,
            Some(item_json("Amlodipine 5mg tablets", "One daily", "phone", 1)),
        );
        let c = changes_with(&e, &staff());
        assert!(c.iter().all(|x| x.before.is_empty()));
        assert!(
            c.iter()
                .any(|x| x.field == "Medication" && x.after == "Amlodipine 5mg tablets")
        );
        assert!(
            c.iter()
                .any(|x| x.field == "Issued via" && x.after == "EPS (electronic)")
        );
        assert!(c.iter().any(|x| x.field == "Type" && x.after == "Repeat"));
        assert_eq!(describe_with(&e, &staff()), "Logged a prescription");
        assert_eq!(subject_with(&e, &staff()), "Item 10 (Prescription)");
        assert_eq!(
            subject_with(
                &event(AuditAction::StaffAdded, AuditEntity::Staff, 2, None, None),
                &staff()
            ),
            "Staff: Dr Other Gp"
        );
    }
}
