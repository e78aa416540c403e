//! Reading the log from the server: the same queries as the SQLite store, in
//! PostgreSQL's dialect, folded by the shared functions in `store::rows`.

use chrono::{Duration, NaiveDate};
use postgres::GenericClient;
use postgres::Row;
use postgres::types::Type;

use crate::domain::dates::{iso_date, iso_date_time};
use crate::domain::{
    AuditEvent, AuditFilter, ClinicalSystem, Item, ItemId, ItemInput, NhsNumber, OdsCode,
    PatientRecall, Project, Role, Sort, SortKey, Staff, StaffId, Stats, WorklistFilter,
};
use crate::store::chain::{ChainCheck, ChainRow};
use crate::store::rows::{
    DUPLICATE_WINDOW_MINUTES, ITEM_COLUMNS, RawItem, date, like_pattern, time,
};
use crate::store::sqlite::PurgeSummary;
use crate::store::transfer::EventRow;
use crate::store::{StoreError, StoreResult, VerifyReport};

use super::{Params, PostgresStore, refs};

/// Maps a row selected with [`ITEM_COLUMNS`].
pub(super) fn raw_item(r: &Row) -> StoreResult<RawItem> {
    Ok(RawItem {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        occurred_at: r.try_get(2)?,
        nhs_number: r.try_get(3)?,
        patient_name: r.try_get(4)?,
        date_of_birth: r.try_get(5)?,
        clinician_id: r.try_get(6)?,
        details: r.try_get(7)?,
        fields_json: r.try_get(8)?,
        logged_by: r.try_get(9)?,
        logged_at: r.try_get(10)?,
        logged_phase: r.try_get(11)?,
        assignee_id: r.try_get(12)?,
        status: r.try_get(13)?,
        status_by: r.try_get(14)?,
        status_at: r.try_get(15)?,
        status_note: r.try_get(16)?,
        voided_at: r.try_get(17)?,
        voided_by: r.try_get(18)?,
        void_reason: r.try_get(19)?,
        version: r.try_get(20)?,
    })
}

fn items(rows: Vec<Row>) -> StoreResult<Vec<Item>> {
    rows.iter().map(|r| raw_item(r)?.into_item()).collect()
}

fn count_of(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Reads one item, in a transaction or outside one.
pub(super) fn fetch(c: &mut impl GenericClient, id: ItemId) -> StoreResult<Item> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = $1");
    let row = c
        .query_typed_opt(sql.as_str(), &[(&id.0, Type::INT8)])?
        .ok_or(StoreError::ItemNotFound(id.0))?;
    raw_item(&row)?.into_item()
}

/// Reads one item and locks its row until the transaction ends.
pub(super) fn fetch_for_update(c: &mut impl GenericClient, id: ItemId) -> StoreResult<Item> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = $1 FOR UPDATE");
    let row = c
        .query_typed_opt(sql.as_str(), &[(&id.0, Type::INT8)])?
        .ok_or(StoreError::ItemNotFound(id.0))?;
    raw_item(&row)?.into_item()
}

/// True while no staff member has a password (the log is being set up).
pub(super) fn setting_up(c: &mut impl GenericClient) -> StoreResult<bool> {
    let any: bool = c
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM staff WHERE password_hash IS NOT NULL)",
            &[],
        )?
        .try_get(0)?;
    Ok(!any)
}

fn staff_from(r: &Row) -> StoreResult<Staff> {
    let id: i64 = r.try_get(0)?;
    let role: String = r.try_get(2)?;
    Ok(Staff {
        id: StaffId(id),
        name: r.try_get(1)?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("staff {id}: unreadable role")))?,
        active: r.try_get(3)?,
    })
}

pub(super) fn staff_row(c: &mut impl GenericClient, id: StaffId) -> StoreResult<Staff> {
    let row = c
        .query_typed_opt(
            "SELECT id, name, role, active FROM staff WHERE id = $1",
            &[(&id.0, Type::INT8)],
        )?
        .ok_or_else(|| StoreError::StaffNotFound(id.0.to_string()))?;
    staff_from(&row)
}

pub(super) fn staff(c: &mut impl GenericClient) -> StoreResult<Vec<Staff>> {
    c.query(
        "SELECT id, name, role, active FROM staff ORDER BY lower(name), id",
        &[],
    )?
    .iter()
    .map(staff_from)
    .collect()
}

pub(super) fn project(c: &mut impl GenericClient) -> StoreResult<Option<Project>> {
    let Some(r) = c.query_typed_opt(
        "SELECT practice_name, ods_code, old_system, new_system, cutover_start, go_live
         FROM project WHERE id = 1",
        &[],
    )?
    else {
        return Ok(None);
    };
    let bad = |what: &str| StoreError::Corrupt(format!("project: unreadable {what}"));
    let text = |i: usize| -> StoreResult<String> { Ok(r.try_get(i)?) };
    Ok(Some(Project {
        practice_name: text(0)?,
        ods_code: OdsCode::parse(&text(1)?).map_err(|_| bad("ODS code"))?,
        old_system: ClinicalSystem::parse(&text(2)?).map_err(|_| bad("old system"))?,
        new_system: ClinicalSystem::parse(&text(3)?).map_err(|_| bad("new system"))?,
        cutover_start: time(0, "cutover start", &text(4)?)?,
        go_live: time(0, "go-live", &text(5)?)?,
    }))
}

pub(super) fn require_project(c: &mut impl GenericClient) -> StoreResult<Project> {
    project(c)?.ok_or(StoreError::NoProject)
}

pub(super) fn lock_minutes(c: &mut impl GenericClient) -> StoreResult<u32> {
    let m: Option<i64> = c
        .query_opt("SELECT lock_minutes FROM project WHERE id = 1", &[])?
        .map(|r| r.try_get(0))
        .transpose()?;
    Ok(m.and_then(|m| u32::try_from(m).ok()).unwrap_or(5).max(1))
}

/// The WHERE clause (with `$n` placeholders) and its parameters for a filter.
fn where_clause(f: &WorklistFilter) -> (String, Params) {
    use crate::store::filter::{self, Condition};
    let mut conds: Vec<String> = Vec::new();
    let mut params: Params = Vec::new();
    let mark = |params: &mut Params, v: Box<dyn postgres::types::ToSql + Sync>| {
        params.push(v);
        format!("${}", params.len())
    };
    for condition in filter::conditions(f) {
        match condition {
            Condition::Fixed(sql) => conds.push(sql.into()),
            Condition::OneOf(column, values) => {
                let m = mark(&mut params, Box::new(values));
                conds.push(format!("{column} = ANY({m})"));
            }
            Condition::Compare(column, op, value) => {
                let m = match value {
                    filter::Value::Int(i) => mark(&mut params, Box::new(i)),
                    filter::Value::Text(t) => mark(&mut params, Box::new(t)),
                };
                conds.push(format!("{column} {op} {m}"));
            }
            Condition::Contains(term) => {
                // The trigram index serves LIKE for terms of 3+ characters.
                let m = mark(&mut params, Box::new(like_pattern(&term)));
                conds.push(format!("items.search_text LIKE {m} ESCAPE '\\'"));
            }
        }
    }
    (filter::where_sql(&conds), params)
}

/// ORDER BY as SQLite orders: NULLs first when ascending, names case-insensitively.
fn order_by(sort: Sort) -> (String, &'static str) {
    let dir = if sort.descending {
        "DESC NULLS LAST"
    } else {
        "ASC NULLS FIRST"
    };
    let (join, key) = match sort.key {
        SortKey::OccurredAt => ("", ""),
        SortKey::Kind => ("", "items.kind"),
        SortKey::PatientName => ("", "lower(items.patient_name)"),
        SortKey::NhsNumber => ("", "items.nhs_number"),
        SortKey::Clinician => (
            "LEFT JOIN staff sort_staff ON sort_staff.id = items.clinician_id",
            "lower(sort_staff.name)",
        ),
        SortKey::Assignee => (
            "LEFT JOIN staff sort_staff ON sort_staff.id = items.assignee_id",
            "lower(sort_staff.name)",
        ),
        SortKey::Status => ("", "items.status"),
        SortKey::LoggedAt => ("", "items.logged_at"),
    };
    let order = if key.is_empty() {
        format!("ORDER BY items.occurred_at {dir}, items.id {dir}")
    } else {
        format!("ORDER BY {key} {dir}, items.occurred_at {dir}, items.id {dir}")
    };
    (order, join)
}

fn limit_offset(params: &mut Params, offset: u64, limit: u64) -> String {
    params.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
    params.push(Box::new(i64::try_from(offset).unwrap_or(i64::MAX)));
    format!("LIMIT ${} OFFSET ${}", params.len() - 1, params.len())
}

pub(super) fn page(
    c: &mut impl GenericClient,
    f: &WorklistFilter,
    sort: Sort,
    offset: u64,
    limit: u64,
) -> StoreResult<Vec<Item>> {
    let (clause, mut params) = where_clause(f);
    let (order, join) = order_by(sort);
    let tail = limit_offset(&mut params, offset, limit);
    let sql = format!("SELECT {ITEM_COLUMNS} FROM items {join} {clause} {order} {tail}");
    items(c.query(sql.as_str(), &refs(&params))?)
}

pub(super) fn count(c: &mut impl GenericClient, f: &WorklistFilter) -> StoreResult<u64> {
    let (clause, params) = where_clause(f);
    let sql = format!("SELECT COUNT(*) FROM items {clause}");
    let n: i64 = c.query_one(sql.as_str(), &refs(&params))?.try_get(0)?;
    Ok(count_of(n))
}

pub(super) fn stats(c: &mut impl GenericClient) -> StoreResult<Stats> {
    let live = c
        .query(
            "SELECT kind, status, COUNT(*) FROM items WHERE voided_at IS NULL GROUP BY kind, status",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<StoreResult<Vec<(String, String, i64)>>>()?;
    let voided = c
        .query(
            "SELECT kind, COUNT(*) FROM items WHERE voided_at IS NOT NULL GROUP BY kind",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<StoreResult<Vec<(String, i64)>>>()?;
    crate::store::rows::stats(live, voided)
}

fn triples(c: &mut impl GenericClient, sql: &str) -> StoreResult<Vec<(i64, i64, i64)>> {
    c.query(sql, &[])?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

pub(super) fn person_progress(
    c: &mut impl GenericClient,
) -> StoreResult<Vec<crate::domain::worklist::PersonProgress>> {
    let assigned = triples(
        c,
        "SELECT assignee_id, COUNT(*), COUNT(*) FILTER (WHERE status IN ('outstanding', 'problem'))
         FROM items WHERE voided_at IS NULL AND assignee_id IS NOT NULL GROUP BY assignee_id",
    )?;
    let closed = triples(
        c,
        "SELECT status_by, COUNT(*) FILTER (WHERE status = 're_entered'),
                COUNT(*) FILTER (WHERE status = 'not_needed')
         FROM items WHERE voided_at IS NULL AND status_by IS NOT NULL GROUP BY status_by",
    )?;
    Ok(crate::store::rows::person_progress(assigned, closed))
}

pub(super) fn burndown(
    c: &mut impl GenericClient,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<(NaiveDate, u64)>> {
    let rows = c.query(
        "SELECT substr(logged_at, 1, 10),
                CASE WHEN status IN ('re_entered', 'not_needed') THEN substr(status_at, 1, 10) END,
                COUNT(*)
         FROM items WHERE voided_at IS NULL GROUP BY 1, 2",
        &[],
    )?;
    let mut groups = Vec::new();
    for r in &rows {
        let logged: String = r.try_get(0)?;
        let closed: Option<String> = r.try_get(1)?;
        let n: i64 = r.try_get(2)?;
        let logged = date(0, "logged date", &logged)?;
        let closed = closed.map(|c| date(0, "status date", &c)).transpose()?;
        groups.push((logged, closed, count_of(n)));
    }
    Ok(crate::store::rows::burndown(&groups, from, to))
}

pub(super) fn recall(
    c: &mut impl GenericClient,
    nhs: &NhsNumber,
) -> StoreResult<Option<PatientRecall>> {
    // The name as written on the latest entry of each group (as SQLite reports it).
    let rows = c.query(
        "SELECT (array_agg(patient_name ORDER BY logged_at DESC, id DESC))[1], date_of_birth,
                COUNT(*), MAX(logged_at) AS latest
         FROM items WHERE nhs_number = $1 AND voided_at IS NULL
         GROUP BY lower(patient_name), date_of_birth ORDER BY latest DESC",
        &[&nhs.digits()],
    )?;
    let mut groups = Vec::new();
    for r in &rows {
        let name: String = r.try_get(0)?;
        let dob: Option<String> = r.try_get(1)?;
        let n: i64 = r.try_get(2)?;
        let dob = dob.map(|d| date(0, "date of birth", &d)).transpose()?;
        groups.push((name, dob, count_of(n)));
    }
    Ok(crate::store::rows::recall(groups))
}

pub(super) fn duplicates(
    c: &mut impl GenericClient,
    input: &ItemInput,
    except: Option<ItemId>,
) -> StoreResult<Vec<Item>> {
    let window = Duration::minutes(DUPLICATE_WINDOW_MINUTES);
    let mut params: Params = Vec::new();
    let patient_cond = match input.patient.nhs_number {
        Some(n) => {
            params.push(Box::new(n.digits()));
            "items.nhs_number = $1".to_string()
        }
        None => {
            params.push(Box::new(input.patient.name.clone()));
            params.push(Box::new(input.patient.date_of_birth.map(iso_date)));
            "items.nhs_number IS NULL AND lower(items.patient_name) = lower($1)
             AND items.date_of_birth IS NOT DISTINCT FROM $2"
                .to_string()
        }
    };
    let n = params.len();
    params.push(Box::new(input.kind.code().to_string()));
    params.push(Box::new(iso_date_time(input.occurred_at - window)));
    params.push(Box::new(iso_date_time(input.occurred_at + window)));
    params.push(Box::new(except.map_or(-1, |i| i.0)));
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM items WHERE {patient_cond} AND items.kind = ${}
         AND items.occurred_at BETWEEN ${} AND ${} AND items.voided_at IS NULL AND items.id != ${}
         ORDER BY items.occurred_at",
        n + 1,
        n + 2,
        n + 3,
        n + 4
    );
    items(c.query(sql.as_str(), &refs(&params))?)
}

/// Every item in `occurred_at` order, a page at a time, so `f` runs with the
/// connection free (it may read the store itself).
pub(super) fn for_each_item(
    store: &PostgresStore,
    f: &mut dyn FnMut(&Item) -> StoreResult<()>,
) -> StoreResult<()> {
    const PAGE: i64 = 2000;
    let mut after: Option<(String, i64)> = None;
    loop {
        let rows = {
            let mut c = store.db()?;
            match &after {
                None => c.query(
                    format!("SELECT {ITEM_COLUMNS} FROM items ORDER BY occurred_at, id LIMIT $1")
                        .as_str(),
                    &[&PAGE],
                )?,
                Some((at, id)) => c.query(
                    format!(
                        "SELECT {ITEM_COLUMNS} FROM items WHERE (occurred_at, id) > ($1, $2)
                         ORDER BY occurred_at, id LIMIT $3"
                    )
                    .as_str(),
                    &[at, id, &PAGE],
                )?,
            }
        };
        let page = items(rows)?;
        for item in &page {
            f(item)?;
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => {
                after = Some((iso_date_time(last.input.occurred_at), last.id.0));
            }
            _ => return Ok(()),
        }
    }
}

fn event(r: &Row) -> StoreResult<AuditEvent> {
    let entity_id: i64 = r.try_get(5)?;
    let at: String = r.try_get(1)?;
    let parse = |s: Option<String>| s.and_then(|j| serde_json::from_str(&j).ok());
    Ok(AuditEvent {
        id: r.try_get(0)?,
        at: time(entity_id, "audit time", &at)?,
        actor: r.try_get::<_, Option<i64>>(2)?.map(StaffId),
        actor_name: r.try_get(3)?,
        entity: r.try_get(4)?,
        entity_id,
        action: r.try_get(6)?,
        before: parse(r.try_get(7)?),
        after: parse(r.try_get(8)?),
    })
}

const EVENT_COLUMNS: &str =
    "id, at, actor_id, actor_name, entity, entity_id, action, before_json, after_json";

pub(super) fn history(
    c: &mut impl GenericClient,
    entity: &str,
    id: i64,
) -> StoreResult<Vec<AuditEvent>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM audit_events WHERE entity = $1 AND entity_id = $2 ORDER BY id"
    );
    c.query(sql.as_str(), &[&entity, &id])?
        .iter()
        .map(event)
        .collect()
}

pub(super) fn audit_log(
    c: &mut impl GenericClient,
    f: &AuditFilter,
    offset: u64,
    limit: u64,
) -> StoreResult<Vec<AuditEvent>> {
    let mut conds = Vec::new();
    let mut params: Params = Vec::new();
    if let Some(a) = f.actor {
        params.push(Box::new(a.0));
        conds.push(format!("actor_id = ${}", params.len()));
    }
    if let Some(item) = f.item {
        params.push(Box::new(item));
        conds.push(format!("entity = 'item' AND entity_id = ${}", params.len()));
    }
    if let Some(d) = f.from {
        params.push(Box::new(iso_date(d)));
        conds.push(format!("at >= ${}", params.len()));
    }
    if let Some(d) = f.to {
        params.push(Box::new(iso_date(d + Duration::days(1))));
        conds.push(format!("at < ${}", params.len()));
    }
    let clause = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    let tail = limit_offset(&mut params, offset, limit);
    let sql = format!("SELECT {EVENT_COLUMNS} FROM audit_events {clause} ORDER BY id DESC {tail}");
    c.query(sql.as_str(), &refs(&params))?
        .iter()
        .map(event)
        .collect()
}

pub(super) fn sign_offs(c: &mut impl GenericClient) -> StoreResult<Vec<crate::domain::SignOff>> {
    let rows = c.query(
        "SELECT name, role, at, comment, signed_by, items, voided FROM sign_offs ORDER BY id",
        &[],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let role: String = r.try_get(1)?;
        let at: String = r.try_get(2)?;
        out.push(crate::domain::SignOff {
            name: r.try_get(0)?,
            role: crate::domain::SignOffRole::parse(&role)
                .ok_or_else(|| StoreError::Corrupt("sign-off: unreadable role".into()))?,
            at: time(0, "sign-off time", &at)?,
            comment: r.try_get(3)?,
            signed_by: StaffId(r.try_get(4)?),
            items: count_of(r.try_get(5)?),
            voided: count_of(r.try_get(6)?),
        });
    }
    Ok(out)
}

pub(super) fn purges(c: &mut impl GenericClient) -> StoreResult<Vec<PurgeSummary>> {
    c.query("SELECT summary FROM purges ORDER BY id", &[])?
        .iter()
        .map(|r| {
            let s: String = r.try_get(0)?;
            serde_json::from_str(&s)
                .map_err(|_| StoreError::Corrupt("purge summary: unreadable".into()))
        })
        .collect()
}

/// An audit event as stored, from `id, at, actor_id, actor_name, entity,
/// entity_id, action, before_json, after_json, prev_hash, hash`.
pub(super) fn event_row(r: &Row) -> Result<EventRow, postgres::Error> {
    Ok(EventRow {
        id: r.try_get(0)?,
        row: ChainRow {
            at: r.try_get(1)?,
            actor_id: r.try_get(2)?,
            actor_name: r.try_get(3)?,
            entity: r.try_get(4)?,
            entity_id: r.try_get(5)?,
            action: r.try_get(6)?,
            before: r.try_get(7)?,
            after: r.try_get(8)?,
        },
        prev_hash: r.try_get(9)?,
        hash: r.try_get(10)?,
    })
}

/// Walks the audit chain with the shared rules (streamed: the trail can be long).
pub(super) fn chain(c: &mut impl GenericClient) -> StoreResult<ChainCheck> {
    use postgres::fallible_iterator::FallibleIterator;
    let mut rows = c.query_raw(
        "SELECT id, at, actor_id, actor_name, entity, entity_id, action, before_json, after_json,
                prev_hash, hash
         FROM audit_events ORDER BY id",
        std::iter::empty::<&(dyn postgres::types::ToSql + Sync)>(),
    )?;
    let mut check = ChainCheck::default();
    while let Some(r) = rows.next()? {
        let e = event_row(&r)?;
        // Keep reading after a break: every event's JSON is still checked.
        check.next(e.id, &e.row, e.prev_hash, e.hash);
    }
    Ok(check)
}

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

pub(super) fn verify(c: &mut impl GenericClient) -> StoreResult<VerifyReport> {
    let mut report = VerifyReport::default();
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
    report.integrity_ok = problems.is_empty();
    report.integrity_messages = if problems.is_empty() {
        vec!["ok".into()]
    } else {
        problems
    };
    if !deep {
        report.integrity_messages.push(
            "(indexes checked as valid; for a page-by-page check of tables and indexes, the server's administrator can run CREATE EXTENSION amcheck in this database)".into(),
        );
    }
    let mut one = |sql: &str| -> StoreResult<u64> {
        let n: i64 = c.query_one(sql, &[])?.try_get(0)?;
        Ok(count_of(n))
    };
    report.foreign_key_problems = one(
        "SELECT (SELECT COUNT(*) FROM items i WHERE
                   (i.clinician_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = i.clinician_id))
                OR NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = i.logged_by)
                OR (i.assignee_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = i.assignee_id))
                OR (i.status_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = i.status_by))
                OR (i.voided_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = i.voided_by)))
              + (SELECT COUNT(*) FROM sign_offs o WHERE NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = o.signed_by))",
    )?;
    report.items_without_creation_event = one(
        "SELECT COUNT(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM audit_events a
         WHERE a.entity = 'item' AND a.entity_id = i.id AND a.action IN ('item.logged', 'item.imported'))",
    )?;
    report.items = one("SELECT COUNT(*) FROM items")?;
    report.audit_events = one("SELECT COUNT(*) FROM audit_events")?;
    let check = chain(c)?;
    report.unreadable_audit_events = check.unreadable_json();
    let (legacy, broken) = check.finish();
    report.events_before_chain = legacy;
    report.broken_link = broken;
    Ok(report)
}
