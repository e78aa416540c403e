//! An item's history replayed: each audit event applied in order gives what the
//! item must be now, and any difference from its stored row, field by field, is
//! a change made behind the app's back (the row edited in the database file).
//! Pure: the store reads the events and rows.

use serde_json::Value;

use crate::domain::{AuditAction, Item, Reentry, StaffId};

/// Applies one event of an item's history to what the history says so far.
/// `Err` when the event cannot be read as what its action records.
pub fn apply(
    state: &mut Option<Item>,
    action: &AuditAction,
    after: Option<&Value>,
) -> Result<(), String> {
    use AuditAction as A;
    let read = |what: &str| -> Result<&Value, String> {
        after.ok_or_else(|| format!("a {what} event with nothing recorded after it"))
    };
    match action {
        A::ItemLogged | A::ItemImported | A::ItemCaptured | A::ItemEdited | A::ItemVoided => {
            let item: Item = serde_json::from_value(read("change")?.clone())
                .map_err(|e| format!("an unreadable item in its history ({e})"))?;
            *state = Some(item);
        }
        A::ItemStatus | A::ItemStatusUndone => {
            let reentry: Reentry = serde_json::from_value(read("status")?.clone())
                .map_err(|e| format!("an unreadable status in its history ({e})"))?;
            match state {
                Some(item) => item.reentry = reentry,
                None => return Err("a status change before the item was created".into()),
            }
        }
        A::ItemAssigned => {
            let assignee: Option<StaffId> = match after {
                None | Some(Value::Null) => None,
                Some(v) => Some(
                    serde_json::from_value(v.clone())
                        .map_err(|e| format!("an unreadable assignment in its history ({e})"))?,
                ),
            };
            match state {
                Some(item) => item.assignee = assignee,
                None => return Err("an assignment before the item was created".into()),
            }
        }
        // These record something about the item and change none of its columns.
        _ => {}
    }
    Ok(())
}

/// The fields (by their stored names) in which the stored row differs from
/// what its history says. The version is left out: it counts changes and
/// changes nothing a person reads.
pub fn differences(row: &Item, history: &Item) -> Vec<String> {
    let mut out = Vec::new();
    let mut differ = |name: &str, same: bool| {
        if !same {
            out.push(name.to_string());
        }
    };
    let (r, h) = (&row.input, &history.input);
    differ("kind", r.kind == h.kind);
    differ("occurred_at", r.occurred_at == h.occurred_at);
    differ("nhs_number", r.patient.nhs_number == h.patient.nhs_number);
    differ("patient_name", r.patient.name == h.patient.name);
    differ(
        "date_of_birth",
        r.patient.date_of_birth == h.patient.date_of_birth,
    );
    differ("clinician", r.clinician == h.clinician);
    differ("details", r.details == h.details);
    let keys: std::collections::BTreeSet<&String> =
        r.fields.keys().chain(h.fields.keys()).collect();
    for key in keys {
        differ(key, r.fields.get(key) == h.fields.get(key));
    }
    differ("logged_by", row.logged_by == history.logged_by);
    differ("logged_at", row.logged_at == history.logged_at);
    differ("logged_phase", row.logged_phase == history.logged_phase);
    differ("assignee", row.assignee == history.assignee);
    differ("status", row.reentry.status == history.reentry.status);
    differ("status_by", row.reentry.by == history.reentry.by);
    differ("status_at", row.reentry.at == history.reentry.at);
    differ("status_note", row.reentry.note == history.reentry.note);
    differ("void", row.void == history.void);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::item::test_input;
    use crate::domain::{ItemId, ItemKind, Status};

    fn item() -> Item {
        Item {
            id: ItemId(7),
            input: test_input(
                ItemKind::Prescription,
                "9990000018",
                "2026-11-20T10:00",
                &[("medication", "Amlodipine 5mg tablets")],
            ),
            logged_by: StaffId(2),
            logged_at: crate::domain::dates::from_iso("2026-11-20T10:05").unwrap_or_default(),
            logged_phase: "cutover".into(),
            assignee: Some(StaffId(3)),
            reentry: Reentry::outstanding(),
            void: None,
            version: 1,
        }
    }

    fn json<T: serde::Serialize>(v: &T) -> Value {
        serde_json::to_value(v).unwrap_or_default()
    }

    #[test]
    fn a_history_replayed_is_the_item_and_a_change_behind_its_back_is_named() {
        let logged = item();
        let ticked = Reentry {
            status: Status::ReEntered,
            by: Some(StaffId(3)),
            at: crate::domain::dates::from_iso("2026-11-24T09:00"),
            note: String::new(),
        };
        let mut state = None;
        for (action, after) in [
            (AuditAction::ItemLogged, json(&logged)),
            (AuditAction::ItemAssigned, json(&Some(StaffId(4)))),
            (AuditAction::ItemStatus, json(&ticked)),
            (AuditAction::ItemVerified, json(&"report")),
        ] {
            assert_eq!(apply(&mut state, &action, Some(&after)), Ok(()));
        }
        let history = state.unwrap_or_else(item);
        let mut row = logged.clone();
        row.assignee = Some(StaffId(4));
        row.reentry = ticked.clone();
        row.version = 4;
        assert!(
            differences(&row, &history).is_empty(),
            "the version is not compared"
        );
        // Behind the app's back: the drug changed, a status set with no event.
        row.input
            .fields
            .insert("medication".into(), "Amlodipine 10mg tablets".into());
        row.reentry.status = Status::NotNeeded;
        row.input.details = "replaced".into();
        assert_eq!(
            differences(&row, &history),
            ["details", "medication", "status"]
        );
    }

    #[test]
    fn a_status_before_the_item_exists_is_unreadable_history() {
        let mut state = None;
        let after = json(&Reentry::outstanding());
        assert!(apply(&mut state, &AuditAction::ItemStatus, Some(&after)).is_err());
        assert!(apply(&mut state, &AuditAction::ItemLogged, None).is_err());
    }
}
