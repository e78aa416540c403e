//! Reading stored rows back into domain types, for every backend (both store
//! the same text in the same columns). A value the domain cannot read is
//! reported as corrupt data, never a panic.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::dates::from_iso;
use crate::domain::{
    Item, ItemId, ItemInput, ItemKind, NhsNumber, Patient, Reentry, StaffId, Status, Void,
};
use crate::store::{StoreError, StoreResult};

/// The columns [`RawItem`] reads, in order, for `SELECT {ITEM_COLUMNS} FROM items`.
pub const ITEM_COLUMNS: &str = "items.id, items.kind, items.occurred_at, items.nhs_number, \
    items.patient_name, items.date_of_birth, items.clinician_id, items.details, items.fields_json, \
    items.logged_by, items.logged_at, items.logged_phase, items.assignee_id, items.status, \
    items.status_by, items.status_at, items.status_note, items.voided_at, items.voided_by, \
    items.void_reason, items.version";

/// How many columns [`ITEM_COLUMNS`] selects (the index of a column selected after them).
pub const ITEM_COLUMN_COUNT: usize = 21;

/// One item row as stored text, before the domain reads it.
#[derive(Debug, Clone, Default)]
pub struct RawItem {
    pub id: i64,
    pub kind: String,
    pub occurred_at: String,
    pub nhs_number: Option<String>,
    pub patient_name: String,
    pub date_of_birth: Option<String>,
    pub clinician_id: Option<i64>,
    pub details: String,
    pub fields_json: String,
    pub logged_by: i64,
    pub logged_at: String,
    pub logged_phase: String,
    pub assignee_id: Option<i64>,
    pub status: String,
    pub status_by: Option<i64>,
    pub status_at: Option<String>,
    pub status_note: String,
    pub voided_at: Option<String>,
    pub voided_by: Option<i64>,
    pub void_reason: Option<String>,
    pub version: i64,
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
    /// Reads a row selected with [`ITEM_COLUMNS`].
    pub fn from_row(r: &crate::store::sql::Row) -> StoreResult<Self> {
        Ok(RawItem {
            id: r.int(0)?,
            kind: r.text(1)?,
            occurred_at: r.text(2)?,
            nhs_number: r.opt_text(3)?,
            patient_name: r.text(4)?,
            date_of_birth: r.opt_text(5)?,
            clinician_id: r.opt_int(6)?,
            details: r.text(7)?,
            fields_json: r.text(8)?,
            logged_by: r.int(9)?,
            logged_at: r.text(10)?,
            logged_phase: r.text(11)?,
            assignee_id: r.opt_int(12)?,
            status: r.text(13)?,
            status_by: r.opt_int(14)?,
            status_at: r.opt_text(15)?,
            status_note: r.text(16)?,
            voided_at: r.opt_text(17)?,
            voided_by: r.opt_int(18)?,
            void_reason: r.opt_text(19)?,
            version: r.int(20)?,
        })
    }

    /// The stored values in [`ITEM_COLUMNS`] order, as parameters (a copy writes
    /// them back verbatim).
    pub fn params(&self) -> Vec<crate::store::sql::Param> {
        crate::store::sql::params![
            self.id,
            self.kind.as_str(),
            self.occurred_at.as_str(),
            self.nhs_number.clone(),
            self.patient_name.as_str(),
            self.date_of_birth.clone(),
            self.clinician_id,
            self.details.as_str(),
            self.fields_json.as_str(),
            self.logged_by,
            self.logged_at.as_str(),
            self.logged_phase.as_str(),
            self.assignee_id,
            self.status.as_str(),
            self.status_by,
            self.status_at.clone(),
            self.status_note.as_str(),
            self.voided_at.clone(),
            self.voided_by,
            self.void_reason.clone(),
            self.version,
        ]
        .to_vec()
    }

    /// `INSERT INTO items` of [`RawItem::params`], the search text and the
    /// due-by (`store::deadlines`): with the
    /// id as stored (a copy), or without it, the database giving the next one
    /// (a new item; the statement returns it).
    pub fn insert_sql(with_id: bool) -> String {
        let columns = ITEM_COLUMNS.replace("items.", "");
        let (columns, first, returning) = if with_id {
            (columns.as_str(), 1, "")
        } else {
            (columns.trim_start_matches("id, "), 2, " RETURNING id")
        };
        let values = (first..=ITEM_COLUMN_COUNT + 2)
            .map(|i| format!("?{}", i + 1 - first))
            .collect::<Vec<_>>()
            .join(", ");
        format!("INSERT INTO items ({columns}, search_text, due_at) VALUES ({values}){returning}")
    }

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

/// The re-entry record a status change makes: by whom and when, or back to
/// outstanding (which records neither).
pub fn new_reentry(
    change: &crate::domain::StatusChange,
    by: StaffId,
    at: NaiveDateTime,
) -> StoreResult<Reentry> {
    let (status, note) = change.validate()?;
    Ok(if status == Status::Outstanding {
        Reentry::outstanding()
    } else {
        Reentry {
            status,
            by: Some(by),
            at: Some(at),
            note,
        }
    })
}

/// An item's kind-specific fields as stored (JSON text).
pub fn fields_json(input: &crate::domain::ItemInput) -> StoreResult<String> {
    serde_json::to_string(&input.fields).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Checks an edit may replace `before` (not voided, still at the version the
/// editor started from) and returns the assignee after it: a hand-made
/// assignment is kept, the default rule followed if it was the default.
pub fn edit_assignee(
    before: &crate::domain::Item,
    expected_version: i64,
    input: &crate::domain::ItemInput,
) -> StoreResult<Option<StaffId>> {
    if before.void.is_some() {
        return Err(StoreError::Voided(before.id.0));
    }
    if before.version != expected_version {
        return Err(StoreError::Conflict);
    }
    Ok(if before.assignee == before.input.default_assignee() {
        input.default_assignee()
    } else {
        before.assignee
    })
}

/// Refuses a re-entry change to an item that is voided, or that is no longer
/// at the version the person acting saw (another desk changed it since).
pub fn check_still_as_seen(before: &crate::domain::Item, seen_version: i64) -> StoreResult<()> {
    if before.void.is_some() {
        return Err(StoreError::Voided(before.id.0));
    }
    if before.version != seen_version {
        return Err(StoreError::ChangedElsewhere(before.id.0));
    }
    Ok(())
}

/// What a re-entry change replaces on `before` (one version bump later): the undo record.
pub fn previous_status(before: crate::domain::Item) -> crate::domain::PreviousStatus {
    // The version the status change itself moves the item to (the domain's rule).
    let seen = before.seen().after_own_change();
    crate::domain::PreviousStatus {
        id: seen.id,
        version: seen.version,
        reentry: before.reentry,
    }
}

/// How near in time two items for the same patient and kind must be to look like duplicates.
pub const DUPLICATE_WINDOW_MINUTES: i64 = 15;

/// The lower-cased terms of the worklist's free-text filter, each to be found
/// somewhere in an item's search text. A number typed with spaces (an NHS number
/// as printed) is one term.
pub fn search_terms(text: &str) -> Vec<String> {
    let squashed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let terms: Vec<String> = if squashed.len() >= 3 && squashed.chars().all(|c| c.is_ascii_digit())
    {
        vec![squashed]
    } else {
        text.split_whitespace().map(str::to_string).collect()
    };
    terms.into_iter().map(|t| t.to_lowercase()).collect()
}

/// Open items at the end of each day from `from` to `to`, from groups of
/// (logged day, closed day if closed, count).
pub fn burndown(
    groups: &[(NaiveDate, Option<NaiveDate>, u64)],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(NaiveDate, u64)> {
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        let open = groups
            .iter()
            .filter(|(logged, closed, _)| *logged <= day && closed.is_none_or(|c| c > day))
            .map(|(_, _, n)| n)
            .sum();
        out.push((day, open));
        day += chrono::Duration::days(1);
    }
    out
}

/// Folds (name, date of birth, count) groups, most recent first, into what the
/// log recalls about a patient.
pub fn recall(
    groups: impl IntoIterator<Item = (String, Option<NaiveDate>, u64)>,
) -> Option<crate::domain::PatientRecall> {
    let mut recall: Option<crate::domain::PatientRecall> = None;
    for (name, dob, n) in groups {
        let counted = (name.clone(), dob, n);
        match recall.as_mut() {
            None => {
                recall = Some(crate::domain::PatientRecall {
                    name,
                    date_of_birth: dob,
                    earlier_items: n,
                    ..crate::domain::PatientRecall::default()
                });
            }
            Some(r) => {
                r.earlier_items += n;
                if !r.name.eq_ignore_ascii_case(&name) && !r.other_names.contains(&name) {
                    r.other_names.push(name);
                }
                if let Some(d) = dob
                    && r.date_of_birth != Some(d)
                    && !r.other_dates_of_birth.contains(&d)
                {
                    r.other_dates_of_birth.push(d);
                }
            }
        }
        if let Some(r) = recall.as_mut() {
            r.count(&counted.0, counted.1, counted.2);
        }
    }
    recall
}

/// A kind as stored (its code); anything else means the log is damaged.
pub fn kind(k: &str) -> StoreResult<crate::domain::ItemKind> {
    crate::domain::ItemKind::parse(k)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown kind '{k}'")))
}

/// Builds the statistics from (kind, status, count) rows of live items and
/// (kind, count) rows of voided ones.
pub fn stats(
    live: impl IntoIterator<Item = (String, String, i64)>,
    voided: impl IntoIterator<Item = (String, i64)>,
) -> StoreResult<crate::domain::Stats> {
    use crate::domain::Status;
    let mut stats = crate::domain::Stats::default();
    for (k, s, n) in live {
        let status = Status::parse(&s)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown status '{s}'")))?;
        stats
            .by_kind_status
            .push((kind(&k)?, status, u64::try_from(n).unwrap_or(0)));
    }
    stats.by_kind_status.sort();
    for (k, n) in voided {
        stats
            .voided_by_kind
            .push((kind(&k)?, u64::try_from(n).unwrap_or(0)));
    }
    stats.voided_by_kind.sort();
    Ok(stats)
}

/// Per-person progress from (assignee, assigned, assigned and open) and
/// (status by, re-entered, not needed) rows.
pub fn person_progress(
    assigned: impl IntoIterator<Item = (i64, i64, i64)>,
    closed: impl IntoIterator<Item = (i64, i64, i64)>,
) -> Vec<crate::domain::worklist::PersonProgress> {
    use crate::domain::worklist::PersonProgress;
    let mut by: BTreeMap<i64, PersonProgress> = BTreeMap::new();
    let blank = |id: i64| PersonProgress {
        staff: StaffId(id),
        assigned: 0,
        assigned_open: 0,
        re_entered: 0,
        not_needed: 0,
    };
    for (id, n, open) in assigned {
        let p = by.entry(id).or_insert_with(|| blank(id));
        p.assigned = u64::try_from(n).unwrap_or(0);
        p.assigned_open = u64::try_from(open).unwrap_or(0);
    }
    for (id, re, nn) in closed {
        let p = by.entry(id).or_insert_with(|| blank(id));
        p.re_entered = u64::try_from(re).unwrap_or(0);
        p.not_needed = u64::try_from(nn).unwrap_or(0);
    }
    by.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_column_count_matches_the_column_list() {
        assert_eq!(ITEM_COLUMNS.split(',').count(), ITEM_COLUMN_COUNT);
    }
}
