//! How SQLite spells what the dialects spell differently (see [`Dialect`]).

use crate::store::sql::{Dialect, Param, like_contains};

/// A term of 3+ characters is found through the trigram index (`items_fts`);
/// a shorter one by a scan with LIKE.
fn contains(term: &str) -> (&'static str, Param) {
    if term.chars().count() >= 3 {
        (
            "items.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH {})",
            Param::from(format!("\"{}\"", term.replace('"', "\"\""))),
        )
    } else {
        like_contains(term)
    }
}

/// SQLite's dialect.
pub static SQLITE: Dialect = Dialect {
    // The IMMEDIATE transaction already holds the write lock.
    for_update: "",
    ascending: "ASC",
    descending: "DESC",
    fold_case: "{} COLLATE NOCASE",
    same_or_both_null: "{a} IS {b}",
    contains,
    // A bare column beside MAX() comes from the row with the maximum: the name as
    // written on the latest entry of each group.
    recall: "SELECT patient_name, date_of_birth, COUNT(*), MAX(logged_at) AS latest
             FROM items WHERE nhs_number = ?1 AND voided_at IS NULL
             GROUP BY patient_name COLLATE NOCASE, date_of_birth ORDER BY latest DESC",
    // The guards are dropped and re-made in the purge's transaction; the text
    // index is rebuilt empty.
    delete_everything: "DROP TRIGGER items_never_deleted;
         DROP TRIGGER audit_append_only_delete;
         DELETE FROM report_rows;
         DELETE FROM verifications;
         DELETE FROM items;
         DELETE FROM audit_events;
         INSERT INTO items_fts (items_fts) VALUES ('rebuild');
         CREATE TRIGGER items_never_deleted BEFORE DELETE ON items
         BEGIN
             SELECT RAISE(ABORT, 'items are never deleted: void them with a reason');
         END;
         CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit_events
         BEGIN
             SELECT RAISE(ABORT, 'the audit trail is append-only');
         END;",
    // Rowids continue after the largest by themselves.
    continue_ids_after_copy: "",
    triggers_in_force: "SELECT name FROM sqlite_master WHERE type = 'trigger'",
};
