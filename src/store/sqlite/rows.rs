//! Reading stored rows back into domain types. A value the domain cannot read
//! is reported as corrupt data, never a panic.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::Row;

use crate::domain::dates::from_iso;
use crate::domain::{
    Item, ItemId, ItemInput, ItemKind, NhsNumber, Patient, Reentry, StaffId, Status, Void,
};
use crate::store::{StoreError, StoreResult};

/// The columns [`read_item`] expects, in order, for `SELECT {ITEM_COLUMNS} FROM items`.
pub const ITEM_COLUMNS: &str = "items.id, items.kind, items.occurred_at, items.nhs_number, \
    items.patient_name, items.date_of_birth, items.clinician_id, items.details, items.fields_json, \
    items.logged_by, items.logged_at, items.logged_phase, items.assignee_id, items.status, \
    items.status_by, items.status_at, items.status_note, items.voided_at, items.voided_by, \
    items.void_reason, items.version";

/// How many columns [`ITEM_COLUMNS`] selects (the index of a column selected after them).
pub const ITEM_COLUMN_COUNT: usize = 21;

/// One item row as stored text, before the domain reads it.
pub struct RawItem {
    id: i64,
    kind: String,
    occurred_at: String,
    nhs_number: Option<String>,
    patient_name: String,
    date_of_birth: Option<String>,
    clinician_id: Option<i64>,
    details: String,
    fields_json: String,
    logged_by: i64,
    logged_at: String,
    logged_phase: String,
    assignee_id: Option<i64>,
    status: String,
    status_by: Option<i64>,
    status_at: Option<String>,
    status_note: String,
    voided_at: Option<String>,
    voided_by: Option<i64>,
    void_reason: Option<String>,
    version: i64,
}

/// Maps a row selected with [`ITEM_COLUMNS`].
pub fn raw_item(r: &Row<'_>) -> rusqlite::Result<RawItem> {
    Ok(RawItem {
        id: r.get(0)?,
        kind: r.get(1)?,
        occurred_at: r.get(2)?,
        nhs_number: r.get(3)?,
        patient_name: r.get(4)?,
        date_of_birth: r.get(5)?,
        clinician_id: r.get(6)?,
        details: r.get(7)?,
        fields_json: r.get(8)?,
        logged_by: r.get(9)?,
        logged_at: r.get(10)?,
        logged_phase: r.get(11)?,
        assignee_id: r.get(12)?,
        status: r.get(13)?,
        status_by: r.get(14)?,
        status_at: r.get(15)?,
        status_note: r.get(16)?,
        voided_at: r.get(17)?,
        voided_by: r.get(18)?,
        void_reason: r.get(19)?,
        version: r.get(20)?,
    })
}

fn corrupt(id: i64, what: &str) -> StoreError {
    // Names the item and column only: never the patient data itself.
    StoreError::Corrupt(format!("item {id}: unreadable {what}"))
}

pub fn time(id: i64, what: &str, s: &str) -> StoreResult<NaiveDateTime> {
    from_iso(s).ok_or_else(|| corrupt(id, what))
}

pub fn date(id: i64, what: &str, s: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| corrupt(id, what))
}

impl RawItem {
    pub fn into_item(self) -> StoreResult<Item> {
        let id = self.id;
        let kind = ItemKind::parse(&self.kind).ok_or_else(|| corrupt(id, "kind"))?;
        let nhs_number = match &self.nhs_number {
            Some(s) => Some(NhsNumber::parse(s).map_err(|_| corrupt(id, "NHS number"))?),
            None => None,
        };
        let date_of_birth = match &self.date_of_birth {
            Some(s) => Some(date(id, "date of birth", s)?),
            None => None,
        };
        let fields: BTreeMap<String, String> =
            serde_json::from_str(&self.fields_json).map_err(|_| corrupt(id, "fields"))?;
        let status = Status::parse(&self.status).ok_or_else(|| corrupt(id, "status"))?;
        let status_at = match &self.status_at {
            Some(s) => Some(time(id, "status time", s)?),
            None => None,
        };
        let void = match (&self.voided_at, self.voided_by) {
            (Some(at), Some(by)) => Some(Void {
                by: StaffId(by),
                at: time(id, "void time", at)?,
                reason: self.void_reason.clone().unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(Item {
            id: ItemId(id),
            input: ItemInput {
                kind,
                occurred_at: time(id, "occurred time", &self.occurred_at)?,
                patient: Patient {
                    nhs_number,
                    name: self.patient_name,
                    date_of_birth,
                },
                clinician: self.clinician_id.map(StaffId),
                details: self.details,
                fields,
            },
            logged_by: StaffId(self.logged_by),
            logged_at: time(id, "logged time", &self.logged_at)?,
            logged_phase: self.logged_phase,
            assignee: self.assignee_id.map(StaffId),
            reentry: Reentry {
                status,
                by: self.status_by.map(StaffId),
                at: status_at,
                note: self.status_note,
            },
            void,
            version: self.version,
        })
    }
}

/// The lower-cased text the worklist's free-text filter searches.
pub fn search_text(input: &ItemInput) -> String {
    let mut s = String::with_capacity(64 + input.details.len());
    s.push_str(&input.patient.name.to_lowercase());
    s.push('\u{1f}');
    if let Some(n) = input.patient.nhs_number {
        s.push_str(&n.digits());
    }
    s.push('\u{1f}');
    s.push_str(&input.details.to_lowercase());
    for v in input.fields.values() {
        s.push('\u{1f}');
        s.push_str(&v.to_lowercase());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_column_count_matches_the_column_list() {
        assert_eq!(ITEM_COLUMNS.split(',').count(), ITEM_COLUMN_COUNT);
    }
}
