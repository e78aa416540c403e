//! Reading the log, for every backend: worklist pages and counts, statistics,
//! progress, burndown, patient recall, duplicate checks and export streaming. The
//! folds over the rows are in `store::rows`; the dialect spells what differs.

use chrono::{Duration, NaiveDate};

use crate::domain::dates::{iso_date, iso_date_time};
use crate::domain::worklist::PersonProgress;
use crate::domain::{
    Item, ItemId, ItemInput, NhsNumber, PatientRecall, Sort, SortKey, Stats, WorklistFilter,
};
use crate::store::filter::{self, Condition};
use crate::store::rows::{DUPLICATE_WINDOW_MINUTES, ITEM_COLUMNS, RawItem, date};
use crate::store::sql::{Dialect, Query, Row, Sql, count_param, params};
use crate::store::{StoreError, StoreResult};

fn items(rows: Vec<Row>) -> StoreResult<Vec<Item>> {
    rows.iter()
        .map(|r| RawItem::from_row(r)?.into_item())
        .collect()
}

/// Reads one item, inside a transaction or outside one.
pub fn fetch(c: &mut dyn Sql, id: ItemId) -> StoreResult<Item> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1");
    let row = c
        .query_opt(&sql, &params![id.0])?
        .ok_or(StoreError::ItemNotFound(id.0))?;
    RawItem::from_row(&row)?.into_item()
}

/// The WHERE clause for a filter, its parameters bound in `q`.
fn where_clause(d: &Dialect, f: &WorklistFilter, q: &mut Query) -> String {
    let mut conds: Vec<String> = Vec::new();
    for condition in filter::conditions(f) {
        match condition {
            Condition::Fixed(sql) => conds.push(sql.into()),
            Condition::OneOf(column, values) => {
                let marks: Vec<String> = values.into_iter().map(|v| q.bind(v)).collect();
                conds.push(format!("{column} IN ({})", marks.join(", ")));
            }
            Condition::Compare(column, op, value) => {
                let mark = match value {
                    filter::Value::Int(i) => q.bind(i),
                    filter::Value::Text(t) => q.bind(t),
                };
                conds.push(format!("{column} {op} {mark}"));
            }
            Condition::Contains(term) => {
                let (sql, param) = (d.contains)(&term);
                conds.push(sql.replace("{}", &q.bind(param)));
            }
            Condition::IdIn(ids) => {
                let marks: Vec<String> = ids.into_iter().map(|id| q.bind(id)).collect();
                conds.push(format!("items.id IN ({})", marks.join(", ")));
            }
        }
    }
    filter::where_sql(&conds)
}

/// ORDER BY for a sort (every key then by time and id, so pages never overlap),
/// and the join a key may need.
fn order_by(d: &Dialect, sort: Sort) -> (String, &'static str) {
    let dir = d.direction(sort.descending);
    let staff_join_on = |column: &'static str| match column {
        "clinician" => "LEFT JOIN staff sort_staff ON sort_staff.id = items.clinician_id",
        _ => "LEFT JOIN staff sort_staff ON sort_staff.id = items.assignee_id",
    };
    let (join, key) = match sort.key {
        SortKey::OccurredAt => ("", String::new()),
        SortKey::Kind => ("", "items.kind".into()),
        SortKey::PatientName => ("", d.folded("items.patient_name")),
        SortKey::NhsNumber => ("", "items.nhs_number".into()),
        SortKey::Clinician => (staff_join_on("clinician"), d.folded("sort_staff.name")),
        SortKey::Assignee => (staff_join_on("assignee"), d.folded("sort_staff.name")),
        SortKey::Status => ("", "items.status".into()),
        SortKey::LoggedAt => ("", "items.logged_at".into()),
        SortKey::Due => ("", "items.due_at".into()),
    };
    let order = if key.is_empty() {
        format!("ORDER BY items.occurred_at {dir}, items.id {dir}")
    } else {
        format!("ORDER BY {key} {dir}, items.occurred_at {dir}, items.id {dir}")
    };
    (order, join)
}

/// The SQL of a worklist page selecting `what`, and its parameters.
pub fn page_sql(
    d: &Dialect,
    what: &str,
    f: &WorklistFilter,
    sort: Sort,
    offset: u64,
    limit: u64,
) -> (String, Vec<crate::store::sql::Param>) {
    let mut q = Query::default();
    let clause = where_clause(d, f, &mut q);
    let (order, join) = order_by(d, sort);
    let limit = q.bind(count_param(limit));
    let offset = q.bind(count_param(offset));
    let sql =
        format!("SELECT {what} FROM items {join} {clause} {order} LIMIT {limit} OFFSET {offset}");
    (sql, q.params)
}

/// One page of the worklist.
pub fn page(
    c: &mut dyn Sql,
    f: &WorklistFilter,
    sort: Sort,
    offset: u64,
    limit: u64,
) -> StoreResult<Vec<Item>> {
    let (sql, p) = page_sql(c.dialect(), ITEM_COLUMNS, f, sort, offset, limit);
    items(c.query(&sql, &p)?)
}

/// How many items match a filter.
pub fn count(c: &mut dyn Sql, f: &WorklistFilter) -> StoreResult<u64> {
    let mut q = Query::default();
    let clause = where_clause(c.dialect(), f, &mut q);
    c.count(&format!("SELECT COUNT(*) FROM items {clause}"), &q.params)
}

/// How many items match a filter, for each person they are assigned to (`None`:
/// nobody), most first: each person's share of a plan.
pub fn count_by_assignee(
    c: &mut dyn Sql,
    f: &WorklistFilter,
) -> StoreResult<Vec<(Option<crate::domain::StaffId>, u64)>> {
    let mut q = Query::default();
    let clause = where_clause(c.dialect(), f, &mut q);
    let mut out = Vec::new();
    c.query_each(
        &format!(
            "SELECT items.assignee_id, COUNT(*) FROM items {clause}
             GROUP BY items.assignee_id ORDER BY COUNT(*) DESC, items.assignee_id"
        ),
        &q.params,
        &mut |r| {
            out.push((
                r.opt_int(0)?.map(crate::domain::StaffId),
                u64::try_from(r.int(1)?).unwrap_or(0),
            ));
            Ok(())
        },
    )?;
    Ok(out)
}

/// The count and one page. With free text, the matches come from the text index
/// and each costs a row lookup, so one pass (a window count beside the page)
/// halves the work; without it, the partial indexes count cheaply on their own.
pub fn count_and_page(
    c: &mut dyn Sql,
    f: &WorklistFilter,
    sort: Sort,
    offset: u64,
    limit: u64,
) -> StoreResult<(u64, Vec<Item>)> {
    if f.text.trim().is_empty() {
        return Ok((count(c, f)?, page(c, f, sort, offset, limit)?));
    }
    // Only the id (and the sort key) goes through the sort of every match; the
    // page's rows are read by id afterwards.
    let (sql, p) = page_sql(
        c.dialect(),
        "items.id, COUNT(*) OVER ()",
        f,
        sort,
        offset,
        limit,
    );
    let ids = c.query(&sql, &p)?;
    let Some(first) = ids.first() else {
        // Past the end (or nothing matches): the page is empty; count on its own.
        return Ok((count(c, f)?, Vec::new()));
    };
    let n = first.count(1)?;
    let page = ids
        .iter()
        .map(|r| fetch(c, ItemId(r.int(0)?)))
        .collect::<StoreResult<Vec<Item>>>()?;
    Ok((n, page))
}

/// Counts by kind and status (live items), and voided items by kind.
pub fn stats(c: &mut dyn Sql) -> StoreResult<Stats> {
    let live = c
        .query(
            "SELECT kind, status, COUNT(*) FROM items WHERE voided_at IS NULL GROUP BY kind, status",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?, r.int(2)?)))
        .collect::<StoreResult<Vec<_>>>()?;
    let voided = c
        .query(
            "SELECT kind, COUNT(*) FROM items WHERE voided_at IS NOT NULL GROUP BY kind",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.text(0)?, r.int(1)?)))
        .collect::<StoreResult<Vec<_>>>()?;
    crate::store::rows::stats(live, voided)
}

fn triples(c: &mut dyn Sql, sql: &str) -> StoreResult<Vec<(i64, i64, i64)>> {
    c.query(sql, &[])?
        .iter()
        .map(|r| {
            Ok((
                r.int(0)?,
                r.opt_int(1)?.unwrap_or(0),
                r.opt_int(2)?.unwrap_or(0),
            ))
        })
        .collect()
}

/// Assigned and closed counts per person.
pub fn person_progress(c: &mut dyn Sql) -> StoreResult<Vec<PersonProgress>> {
    let assigned = triples(
        c,
        "SELECT assignee_id, COUNT(*), COUNT(CASE WHEN status IN ('outstanding', 'problem') THEN 1 END)
         FROM items WHERE voided_at IS NULL AND assignee_id IS NOT NULL GROUP BY assignee_id",
    )?;
    let closed = triples(
        c,
        "SELECT status_by, COUNT(CASE WHEN status = 're_entered' THEN 1 END),
                COUNT(CASE WHEN status = 'not_needed' THEN 1 END)
         FROM items WHERE voided_at IS NULL AND status_by IS NOT NULL GROUP BY status_by",
    )?;
    Ok(crate::store::rows::person_progress(assigned, closed))
}

/// Open items at the end of each day: logged by then, and not closed by then.
/// Uses each item's current status time (a reopened item counts from its reopening).
pub fn burndown(
    c: &mut dyn Sql,
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
        let logged = date(0, "logged date", &r.text(0)?)?;
        let closed = r
            .opt_text(1)?
            .map(|c| date(0, "status date", &c))
            .transpose()?;
        groups.push((logged, closed, r.count(2)?));
    }
    Ok(crate::store::rows::burndown(&groups, from, to))
}

/// What earlier entries say about this NHS number, if any exist.
pub fn recall(c: &mut dyn Sql, nhs: &NhsNumber) -> StoreResult<Option<PatientRecall>> {
    let sql = c.dialect().recall;
    let mut groups = Vec::new();
    for r in &c.query(sql, &params![nhs.digits()])? {
        let dob = r
            .opt_text(1)?
            .map(|d| date(0, "date of birth", &d))
            .transpose()?;
        groups.push((r.text(0)?, dob, r.count(2)?));
    }
    Ok(crate::store::rows::recall(groups))
}

/// The condition that an item is about this patient: the same NHS number, or
/// with none, the same name (ignoring case) and date of birth.
pub fn same_patient(d: &Dialect, patient: &crate::domain::Patient, q: &mut Query) -> String {
    match patient.nhs_number {
        Some(n) => format!("items.nhs_number = {}", q.bind(n.digits())),
        None => {
            let name = q.bind(patient.name.as_str());
            let dob = q.bind(patient.date_of_birth.map(iso_date));
            format!(
                "items.nhs_number IS NULL AND {} = {} AND {}",
                d.folded("items.patient_name"),
                d.folded(&name),
                d.same("items.date_of_birth", &dob)
            )
        }
    }
}

/// Live items for the same patient and kind within the duplicate window of this one.
pub fn duplicates(
    c: &mut dyn Sql,
    input: &ItemInput,
    except: Option<ItemId>,
) -> StoreResult<Vec<Item>> {
    let window = Duration::minutes(DUPLICATE_WINDOW_MINUTES);
    let mut q = Query::default();
    let patient = same_patient(c.dialect(), &input.patient, &mut q);
    let kind = q.bind(input.kind.code());
    let from = q.bind(iso_date_time(input.occurred_at - window));
    let to = q.bind(iso_date_time(input.occurred_at + window));
    let except = q.bind(except.map_or(-1, |i| i.0));
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM items WHERE {patient} AND items.kind = {kind}
         AND items.occurred_at BETWEEN {from} AND {to} AND items.voided_at IS NULL AND items.id != {except}
         ORDER BY items.occurred_at"
    );
    items(c.query(&sql, &q.params)?)
}

/// Every item, voided ones too, in `occurred_at` order, streamed to `f` (which
/// must not use the store: the connection is busy reading).
pub fn for_each_item(
    c: &mut dyn Sql,
    f: &mut dyn FnMut(&Item) -> StoreResult<()>,
) -> StoreResult<()> {
    c.query_each(
        &format!("SELECT {ITEM_COLUMNS} FROM items ORDER BY items.occurred_at, items.id"),
        &[],
        &mut |r| f(&RawItem::from_row(&r)?.into_item()?),
    )
}
