//! The SQLite schema, as an ordered list of migrations. Never edit a released
//! migration: append a new one.

use rusqlite_migration::{M, Migrations};

const V1: &str = r#"
CREATE TABLE project (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    practice_name   TEXT NOT NULL,
    ods_code        TEXT NOT NULL,
    old_system      TEXT NOT NULL,
    new_system      TEXT NOT NULL,
    cutover_start   TEXT NOT NULL,
    go_live         TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE staff (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX staff_name ON staff (name COLLATE NOCASE);

CREATE TABLE items (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    occurred_at     TEXT NOT NULL,
    nhs_number      TEXT,
    patient_name    TEXT NOT NULL,
    date_of_birth   TEXT,
    clinician_id    INTEGER REFERENCES staff (id),
    details         TEXT NOT NULL,
    fields_json     TEXT NOT NULL,
    logged_by       INTEGER NOT NULL REFERENCES staff (id),
    logged_at       TEXT NOT NULL,
    logged_phase    TEXT NOT NULL,
    assignee_id     INTEGER REFERENCES staff (id),
    status          TEXT NOT NULL DEFAULT 'outstanding',
    status_by       INTEGER REFERENCES staff (id),
    status_at       TEXT,
    status_note     TEXT NOT NULL DEFAULT '',
    voided_at       TEXT,
    voided_by       INTEGER REFERENCES staff (id),
    void_reason     TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    -- lower-cased patient name, NHS number and details: what the worklist's text filter searches
    search_text     TEXT NOT NULL
);
CREATE INDEX items_occurred ON items (occurred_at, id) WHERE voided_at IS NULL;
CREATE INDEX items_status ON items (status, occurred_at) WHERE voided_at IS NULL;
CREATE INDEX items_kind ON items (kind, occurred_at) WHERE voided_at IS NULL;
CREATE INDEX items_assignee ON items (assignee_id, occurred_at) WHERE voided_at IS NULL;
CREATE INDEX items_clinician ON items (clinician_id, occurred_at) WHERE voided_at IS NULL;
CREATE INDEX items_nhs ON items (nhs_number, kind, occurred_at);
CREATE INDEX items_logged ON items (logged_at);

CREATE TRIGGER items_never_deleted BEFORE DELETE ON items
BEGIN
    SELECT RAISE(ABORT, 'items are never deleted: void them with a reason');
END;

CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   INTEGER NOT NULL,
    action      TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_entity ON audit_events (entity, entity_id, id);

CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
"#;

const V2: &str = r#"
CREATE TABLE sign_offs (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    at          TEXT NOT NULL,
    comment     TEXT NOT NULL,
    signed_by   INTEGER NOT NULL REFERENCES staff (id),
    items       INTEGER NOT NULL,
    voided      INTEGER NOT NULL
);
"#;

const V3: &str = r#"
-- Tamper evidence: each audit event carries the hash of the one before it.
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
-- Sign-in: an argon2 hash (never the password itself).
ALTER TABLE staff ADD COLUMN password_hash TEXT;
-- Minutes without input before the app locks.
ALTER TABLE project ADD COLUMN lock_minutes INTEGER NOT NULL DEFAULT 5;
"#;

const V5: &str = r#"
-- Free-text search without scanning: a trigram index over items.search_text,
-- kept in step by triggers (external content: the text is stored once).
CREATE VIRTUAL TABLE items_fts USING fts5(search_text, content = 'items', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO items_fts (items_fts) VALUES ('rebuild');
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF search_text ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO items_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
"#;

const PURGES: &str = r#"
CREATE TABLE purges (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    summary     TEXT NOT NULL
);
"#;

const V6: &str = r#"
-- Capture from the old system's reports: each report row that added an item or
-- confirmed one logged by hand (so the same file captured twice adds nothing).
CREATE TABLE report_rows (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    line        INTEGER NOT NULL,
    item_id     INTEGER NOT NULL REFERENCES items (id),
    outcome     TEXT NOT NULL,
    at          TEXT NOT NULL,
    by_id       INTEGER NOT NULL REFERENCES staff (id),
    UNIQUE (sha256, line)
);
CREATE INDEX report_rows_item ON report_rows (item_id);
-- Column mappings of the practice's reports, saved by name.
CREATE TABLE capture_mappings (
    name         TEXT PRIMARY KEY,
    mapping_json TEXT NOT NULL,
    saved_at     TEXT NOT NULL,
    saved_by     INTEGER NOT NULL REFERENCES staff (id)
);
"#;

/// Reconciliation against the new system's reports: each item's findings, the
/// latest one standing (verified by a report row, or ticked but not found).
const V7: &str = r#"
CREATE TABLE verifications (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items (id),
    outcome     TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    line        INTEGER NOT NULL,
    at          TEXT NOT NULL,
    by_id       INTEGER NOT NULL REFERENCES staff (id)
);
CREATE INDEX verifications_item ON verifications (item_id);
"#;

/// Where the app backs a log file up, when the practice manager chose a folder.
const V8: &str = "ALTER TABLE project ADD COLUMN backup_folder TEXT;";

/// Deadlines: each item's due-by (derived, filled in when the log opens; see
/// `store::deadlines`), the practice's numbers and the old system's access end.
const V9: &str = r#"
ALTER TABLE items ADD COLUMN due_at TEXT;
CREATE INDEX items_due ON items (due_at, occurred_at, id) WHERE voided_at IS NULL;
ALTER TABLE project ADD COLUMN deadline_rules TEXT;
ALTER TABLE project ADD COLUMN old_system_access_ends TEXT;
"#;

/// A sign-off that replaces an earlier one says why; a report row of a file is
/// found by its line (one row confirms one item).
const V10: &str = r#"
ALTER TABLE sign_offs ADD COLUMN replaces_reason TEXT;
CREATE INDEX verifications_file ON verifications (sha256, line);
"#;

/// Every migration, oldest first. The database's `user_version` counts how many ran.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2),
        M::up(V3),
        M::up(PURGES),
        M::up(V5),
        M::up(V6),
        M::up(V7),
        M::up(V8),
        M::up(V9),
        M::up(V10),
    ])
}

/// The schema version this build knows.
pub const LATEST_VERSION: i64 = 10;

/// The trigger that indexes a new item's text for search, exactly as migration 5
/// creates it. A large import drops it inside its transaction, indexes every new
/// row in one statement at the end, and puts it back with this text before committing.
pub const FTS_INSERT_TRIGGER: &str = "CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, search_text) VALUES (new.id, new.search_text);
END";

/// From this many rows, an import indexes its text for search in one pass.
pub const BULK_INDEX_ROWS: usize = 500;
