//! How PostgreSQL spells what the dialects spell differently (see [`Dialect`]).

use crate::store::sql::{Dialect, like_contains};

/// PostgreSQL's dialect, asked to order and compare as SQLite does.
pub static POSTGRES: Dialect = Dialect {
    for_update: " FOR UPDATE",
    ascending: "ASC NULLS FIRST",
    descending: "DESC NULLS LAST",
    fold_case: "lower({})",
    same_or_both_null: "{a} IS NOT DISTINCT FROM {b}",
    // The trigram index (`items_search`) serves LIKE for terms of 3+ characters.
    contains: like_contains,
    // The name as written on the latest entry of each group (as SQLite reports it).
    recall: "SELECT (array_agg(patient_name ORDER BY logged_at DESC, id DESC))[1], date_of_birth,
                    COUNT(*), MAX(logged_at) AS latest
             FROM items WHERE nhs_number = ?1 AND voided_at IS NULL
             GROUP BY lower(patient_name), date_of_birth ORDER BY latest DESC",
    // The guards are lifted for this transaction only (DDL is transactional).
    delete_everything: "ALTER TABLE items DISABLE TRIGGER items_never_deleted;
         ALTER TABLE audit_events DISABLE TRIGGER audit_append_only_delete;
         DELETE FROM report_rows;
         DELETE FROM verifications;
         DELETE FROM items;
         DELETE FROM audit_events;
         ALTER TABLE items ENABLE TRIGGER items_never_deleted;
         ALTER TABLE audit_events ENABLE TRIGGER audit_append_only_delete;",
    continue_ids_after_copy: "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                   COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)",
    triggers_in_force: "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'",
};
