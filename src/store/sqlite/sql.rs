//! SQL on a SQLite connection: [`Sql`] over rusqlite (statements cached per
//! connection), parameters and cells converted, and SQLite's errors in the
//! store's words.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql, params_from_iter};

use crate::store::sql::{Cell, Dialect, Param, Row, Sql};
use crate::store::{StoreError, StoreResult};

/// A connection, or a transaction on it (which derefs to one).
pub(super) struct SqliteSql<'c>(pub &'c Connection);

impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Param::Int(Some(v)) => ToSqlOutput::from(*v),
            Param::Text(Some(v)) => ToSqlOutput::from(v.as_str()),
            Param::Bool(v) => ToSqlOutput::from(i64::from(*v)),
            Param::Int(None) | Param::Text(None) => ToSqlOutput::from(rusqlite::types::Null),
        })
    }
}

fn row(r: &rusqlite::Row<'_>, columns: usize) -> StoreResult<Row> {
    let mut cells = Vec::with_capacity(columns);
    for i in 0..columns {
        cells.push(match r.get_ref(i)? {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(v) => Cell::Int(v),
            ValueRef::Real(v) => Cell::Real(v),
            ValueRef::Text(t) => Cell::Text(
                std::str::from_utf8(t)
                    .map_err(|_| StoreError::Corrupt(format!("column {i} is not UTF-8 text")))?
                    .to_string(),
            ),
            ValueRef::Blob(_) => {
                return Err(StoreError::Corrupt(format!("column {i} holds binary data")));
            }
        });
    }
    Ok(Row(cells))
}

impl Sql for SqliteSql<'_> {
    fn dialect(&self) -> &'static Dialect {
        &super::dialect::SQLITE
    }

    fn execute(&mut self, sql: &str, params: &[Param]) -> StoreResult<u64> {
        let n = self
            .0
            .prepare_cached(sql)?
            .execute(params_from_iter(params))?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Param]) -> StoreResult<Vec<Row>> {
        let mut out = Vec::new();
        self.query_each(sql, params, &mut |r| {
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Param],
        f: &mut dyn FnMut(Row) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query(params_from_iter(params))?;
        while let Some(r) = rows.next()? {
            f(row(r, columns)?)?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> StoreResult<()> {
        Ok(self.0.execute_batch(sql)?)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Busy
            }
            Some(rusqlite::ErrorCode::ReadOnly) => StoreError::ReadOnly,
            Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(rusqlite::ErrorCode::SystemIoFailure) => StoreError::WriteFailed(e.to_string()),
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
                StoreError::Damaged(e.to_string())
            }
            _ => StoreError::Database(e.to_string()),
        }
    }
}
