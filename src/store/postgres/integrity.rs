//! The server's own integrity checks for `verify`: indexes left invalid, and with
//! the `amcheck` extension every table and B-tree index checked page by page;
//! and rows pointing at staff that do not exist (the server enforces foreign
//! keys, so this finds only what was changed with the checks lifted).

use postgres::GenericClient;

use crate::store::StoreResult;

/// With the server's `amcheck` extension in this database: every table checked
/// page by page (`verify_heapam`, PostgreSQL 14+) and every B-tree index against
/// its table (`bt_index_check` with `heapallindexed`). Problems are added to
/// `problems` (structure only: amcheck reports no row values). Returns whether
/// the checks could run.
fn page_checks(c: &mut impl GenericClient, problems: &mut Vec<String>) -> StoreResult<bool> {
    let available: bool = c
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'amcheck')
                    AND current_setting('server_version_num')::int >= 140000",
            &[],
        )?
        .try_get(0)?;
    if !available {
        return Ok(false);
    }
    let tables: Vec<String> = c
        .query(
            "SELECT c.oid::regclass::text FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY 1",
            &[],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    for table in &tables {
        let rows = c.query(
            "SELECT blkno, coalesce(msg, '') FROM verify_heapam($1::text::regclass)",
            &[table],
        )?;
        for r in rows {
            let page: i64 = r.try_get(0)?;
            let msg: String = r.try_get(1)?;
            problems.push(format!("table {table}, page {page}: {msg}"));
        }
    }
    let indexes: Vec<String> = c
        .query(
            "SELECT c.oid::regclass::text FROM pg_index i
             JOIN pg_class c ON c.oid = i.indexrelid
             JOIN pg_am a ON a.oid = c.relam
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND a.amname = 'btree' AND i.indisvalid
             ORDER BY 1",
            &[],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    for index in &indexes {
        if let Err(e) = c.execute("SELECT bt_index_check($1::text::regclass, true)", &[index]) {
            if e.as_db_error().is_none() {
                return Err(e.into());
            }
            problems.push(format!(
                "index {index}: {} — rebuild it (REINDEX)",
                super::describe(&e)
            ));
        }
    }
    Ok(true)
}

/// Whether all is well, and what was found (structure only, never row values).
pub(super) fn integrity(c: &mut impl GenericClient) -> StoreResult<(bool, Vec<String>)> {
    // The server keeps pages consistent itself; what can go wrong here is an
    // index left invalid (e.g. by an interrupted rebuild).
    let invalid: Vec<String> = c
        .query(
            "SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready)",
            &[],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let mut problems: Vec<String> = invalid
        .iter()
        .map(|i| format!("index {i} is not valid: rebuild it (REINDEX)"))
        .collect();
    let deep = page_checks(c, &mut problems)?;
    let ok = problems.is_empty();
    let mut messages = if ok { vec!["ok".into()] } else { problems };
    if !deep {
        messages.push(
            "(indexes checked as valid; for a page-by-page check of tables and indexes, the server's administrator can run CREATE EXTENSION amcheck in this database)".into(),
        );
    }
    Ok((ok, messages))
}

/// Rows pointing at staff that do not exist.
pub(super) const FOREIGN_KEY_PROBLEMS: &str = "SELECT (SELECT COUNT(*) FROM items i WHERE
           (i.clinician_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = i.clinician_id))
        OR NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = i.logged_by)
        OR (i.assignee_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = i.assignee_id))
        OR (i.status_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = i.status_by))
        OR (i.voided_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = i.voided_by)))
      + (SELECT COUNT(*) FROM sign_offs o WHERE NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = o.signed_by))";
