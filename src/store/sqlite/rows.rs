//! Reading SQLite rows into the shared [`RawItem`].

use rusqlite::Row;

pub use crate::store::rows::{ITEM_COLUMN_COUNT, ITEM_COLUMNS, RawItem, date, search_text, time};

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
