//! Reading the log: worklist pages and counts, statistics, progress, patient
//! recall, duplicate checks, export streaming and verification.

use chrono::{Duration, NaiveDate};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter};

use crate::domain::dates::{iso_date, iso_date_time};
use crate::domain::worklist::PersonProgress;
use crate::domain::{
    Item, ItemInput, NhsNumber, PatientRecall, Sort, SortKey, Stats, WorklistFilter,
};
use crate::store::{StoreError, StoreResult, VerifyReport};

use super::SqliteStore;
use super::rows::{ITEM_COLUMNS, date, raw_item};

pub use crate::store::rows::DUPLICATE_WINDOW_MINUTES;
use crate::store::rows::like_pattern;

/// The WHERE clause and its parameters for a filter.
fn where_clause(f: &WorklistFilter) -> (String, Vec<Value>) {
    use crate::store::filter::{self, Condition};
    let mut conds: Vec<String> = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    for condition in filter::conditions(f) {
        match condition {
            Condition::Fixed(sql) => conds.push(sql.into()),
            Condition::OneOf(column, values) => {
                let marks = vec!["?"; values.len()].join(", ");
                conds.push(format!("{column} IN ({marks})"));
                params.extend(values.into_iter().map(Value::Text));
            }
            Condition::Compare(column, op, value) => {
                conds.push(format!("{column} {op} ?"));
                params.push(match value {
                    filter::Value::Int(i) => Value::Integer(i),
                    filter::Value::Text(t) => Value::Text(t),
                });
            }
            Condition::Contains(term) if term.chars().count() >= 3 => {
                // The trigram index finds any substring of 3+ characters without a scan.
                conds.push(
                    "items.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)".into(),
                );
                params.push(Value::Text(format!("\"{}\"", term.replace('"', "\"\""))));
            }
            Condition::Contains(term) => {
                conds.push("items.search_text LIKE ? ESCAPE '\\'".into());
                params.push(Value::Text(like_pattern(&term)));
            }
        }
    }
    (filter::where_sql(&conds), params)
}

fn order_by(sort: Sort) -> (String, &'static str) {
    let dir = if sort.descending { "DESC" } else { "ASC" };
    let (join, key) = match sort.key {
        SortKey::OccurredAt => ("", ""),
        SortKey::Kind => ("", "items.kind"),
        SortKey::PatientName => ("", "items.patient_name COLLATE NOCASE"),
        SortKey::NhsNumber => ("", "items.nhs_number"),
        SortKey::Clinician => (
            "LEFT JOIN staff sort_staff ON sort_staff.id = items.clinician_id",
            "sort_staff.name COLLATE NOCASE",
        ),
        SortKey::Assignee => (
            "LEFT JOIN staff sort_staff ON sort_staff.id = items.assignee_id",
            "sort_staff.name COLLATE NOCASE",
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

impl SqliteStore {
    pub(super) fn page(
        &self,
        f: &WorklistFilter,
        sort: Sort,
        offset: u64,
        limit: u64,
    ) -> StoreResult<Vec<Item>> {
        let (clause, mut params) = where_clause(f);
        let (order, join) = order_by(sort);
        let sql =
            format!("SELECT {ITEM_COLUMNS} FROM items {join} {clause} {order} LIMIT ? OFFSET ?");
        params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        params.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(params), raw_item)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(|raw| raw.into_item()))
            .collect()
    }

    pub(super) fn count(&self, f: &WorklistFilter) -> StoreResult<u64> {
        let (clause, params) = where_clause(f);
        let sql = format!("SELECT COUNT(*) FROM items {clause}");
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(params), |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The count and one page. With free text, the matches come from the FTS index
    /// and each costs a row lookup, so one pass (a window count beside the page)
    /// halves the work; without it, the partial indexes count cheaply on their own.
    pub(super) fn count_and_page(
        &self,
        f: &WorklistFilter,
        sort: Sort,
        offset: u64,
        limit: u64,
    ) -> StoreResult<(u64, Vec<Item>)> {
        if f.text.trim().is_empty() {
            return Ok((self.count(f)?, self.page(f, sort, offset, limit)?));
        }
        let (clause, mut params) = where_clause(f);
        let (order, join) = order_by(sort);
        // Only the id (and the sort key) goes through the sort of every match; the
        // page's rows are read by id afterwards.
        let sql = format!(
            "SELECT items.id, COUNT(*) OVER () FROM items {join} {clause} {order} LIMIT ? OFFSET ?"
        );
        params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        params.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let ids: Vec<(i64, i64)> = stmt
            .query_map(params_from_iter(params), |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let Some(&(_, n)) = ids.first() else {
            // Past the end (or nothing matches): the page is empty; count on its own.
            return Ok((self.count(f)?, Vec::new()));
        };
        let page = ids
            .iter()
            .map(|&(id, _)| super::items::fetch(&self.conn, crate::domain::ItemId(id)))
            .collect::<StoreResult<Vec<Item>>>()?;
        Ok((u64::try_from(n).unwrap_or(0), page))
    }

    /// The query plan SQLite picks for a worklist page (for tests and benchmarks).
    pub fn explain_page(&self, f: &WorklistFilter, sort: Sort) -> StoreResult<Vec<String>> {
        let (clause, mut params) = where_clause(f);
        let (order, join) = order_by(sort);
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT {ITEM_COLUMNS} FROM items {join} {clause} {order} LIMIT ? OFFSET ?"
        );
        params.push(Value::Integer(100));
        params.push(Value::Integer(0));
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(params), |r| r.get::<_, String>(3))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(super) fn read_stats(&self) -> StoreResult<Stats> {
        stats_in(&self.conn)
    }

    pub(super) fn read_person_progress(&self) -> StoreResult<Vec<PersonProgress>> {
        let triples = |sql: &str| -> StoreResult<Vec<(i64, i64, i64)>> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let assigned = triples(
            "SELECT assignee_id, COUNT(*), SUM(status IN ('outstanding', 'problem'))
             FROM items WHERE voided_at IS NULL AND assignee_id IS NOT NULL GROUP BY assignee_id",
        )?;
        let closed = triples(
            "SELECT status_by, SUM(status = 're_entered'), SUM(status = 'not_needed')
             FROM items WHERE voided_at IS NULL AND status_by IS NOT NULL GROUP BY status_by",
        )?;
        Ok(crate::store::rows::person_progress(assigned, closed))
    }

    /// Open items at the end of each day: logged by then, and not closed by then.
    /// Uses each item's current status time (a reopened item counts from its reopening).
    pub(super) fn read_burndown(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<(NaiveDate, u64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT substr(logged_at, 1, 10),
                    CASE WHEN status IN ('re_entered', 'not_needed') THEN substr(status_at, 1, 10) END,
                    COUNT(*)
             FROM items WHERE voided_at IS NULL GROUP BY 1, 2",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut groups = Vec::new();
        for row in rows {
            let (logged, closed, n) = row?;
            let logged = date(0, "logged date", &logged)?;
            let closed = closed.map(|c| date(0, "status date", &c)).transpose()?;
            groups.push((logged, closed, u64::try_from(n).unwrap_or(0)));
        }
        Ok(crate::store::rows::burndown(&groups, from, to))
    }

    pub(super) fn recall(&self, nhs: &NhsNumber) -> StoreResult<Option<PatientRecall>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT patient_name, date_of_birth, COUNT(*), MAX(logged_at) AS latest
             FROM items WHERE nhs_number = ?1 AND voided_at IS NULL
             GROUP BY patient_name COLLATE NOCASE, date_of_birth ORDER BY latest DESC",
        )?;
        let rows = stmt.query_map([nhs.digits()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut groups = Vec::new();
        for row in rows {
            let (name, dob, n) = row?;
            let dob = dob.map(|d| date(0, "date of birth", &d)).transpose()?;
            groups.push((name, dob, u64::try_from(n).unwrap_or(0)));
        }
        Ok(crate::store::rows::recall(groups))
    }

    pub(super) fn duplicates(
        &self,
        input: &ItemInput,
        except: Option<crate::domain::ItemId>,
    ) -> StoreResult<Vec<Item>> {
        let window = Duration::minutes(DUPLICATE_WINDOW_MINUTES);
        let from = iso_date_time(input.occurred_at - window);
        let to = iso_date_time(input.occurred_at + window);
        let except = except.map_or(-1, |i| i.0);
        let (patient_cond, patient_params): (&str, Vec<Value>) = match input.patient.nhs_number {
            Some(n) => ("items.nhs_number = ?", vec![Value::Text(n.digits())]),
            None => (
                "items.nhs_number IS NULL AND items.patient_name = ? COLLATE NOCASE AND items.date_of_birth IS ?",
                vec![
                    Value::Text(input.patient.name.clone()),
                    input
                        .patient
                        .date_of_birth
                        .map_or(Value::Null, |d| Value::Text(iso_date(d))),
                ],
            ),
        };
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM items WHERE {patient_cond} AND items.kind = ?
             AND items.occurred_at BETWEEN ? AND ? AND items.voided_at IS NULL AND items.id != ?
             ORDER BY items.occurred_at"
        );
        let mut params = patient_params;
        params.extend([
            Value::Text(input.kind.code().into()),
            Value::Text(from),
            Value::Text(to),
            Value::Integer(except),
        ]);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(params), raw_item)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(|raw| raw.into_item()))
            .collect()
    }

    pub(super) fn stream_items(
        &self,
        f: &mut dyn FnMut(&Item) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items ORDER BY items.occurred_at, items.id");
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            f(&raw_item(row)?.into_item()?)?;
        }
        Ok(())
    }

    pub(super) fn run_verify(&self) -> StoreResult<VerifyReport> {
        let mut report = VerifyReport::default();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let msgs: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        report.integrity_ok = msgs.len() == 1 && msgs[0] == "ok";
        report.integrity_messages = msgs;
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        report.foreign_key_problems = stmt.query_map([], |_| Ok(()))?.count() as u64;
        let one = |sql: &str| -> StoreResult<u64> {
            let n: i64 = self.conn.query_row(sql, params![], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        report.items_without_creation_event = one(
            "SELECT COUNT(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM audit_events a
             WHERE a.entity = 'item' AND a.entity_id = i.id AND a.action IN ('item.logged', 'item.imported'))",
        )?;
        report.unreadable_audit_events = one(
            "SELECT COUNT(*) FROM audit_events WHERE (before_json IS NOT NULL AND NOT json_valid(before_json))
             OR (after_json IS NOT NULL AND NOT json_valid(after_json))",
        )?;
        report.items = one("SELECT COUNT(*) FROM items")?;
        report.audit_events = one("SELECT COUNT(*) FROM audit_events")?;
        let (legacy, broken) = super::audit::verify_chain(&self.conn)?;
        report.events_before_chain = legacy;
        report.broken_link = broken;
        Ok(report)
    }
}

/// Counts by kind and status on a connection (or inside a transaction).
pub(super) fn stats_in(conn: &rusqlite::Connection) -> StoreResult<Stats> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, status, COUNT(*) FROM items WHERE voided_at IS NULL GROUP BY kind, status",
    )?;
    let live = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT kind, COUNT(*) FROM items WHERE voided_at IS NOT NULL GROUP BY kind",
    )?;
    let voided = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    crate::store::rows::stats(live, voided)
}
