//! SQL on the server: [`Sql`] over the `postgres` client or an open transaction.
//! Placeholders become `$N`; every parameter is sent with its type, so a query is
//! one round trip (no separate prepare), and each result column is read by the
//! type the server says it has.

use postgres::GenericClient;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};

use crate::store::sql::{Cell, Dialect, Param, Row, Sql, dollar_placeholders};
use crate::store::{StoreError, StoreResult};

/// A connection, or a transaction on it.
pub(super) struct PgSql<'c, C: GenericClient>(pub &'c mut C);

fn typed(params: &[Param]) -> Vec<(&(dyn ToSql + Sync), Type)> {
    params
        .iter()
        .map(|p| match p {
            Param::Int(v) => (v as &(dyn ToSql + Sync), Type::INT8),
            Param::Text(v) => (v as &(dyn ToSql + Sync), Type::TEXT),
            Param::Bool(v) => (v as &(dyn ToSql + Sync), Type::BOOL),
        })
        .collect()
}

fn row(r: &postgres::Row) -> StoreResult<Row> {
    let mut cells = Vec::with_capacity(r.len());
    for (i, column) in r.columns().iter().enumerate() {
        let t = column.type_();
        let cell = if *t == Type::INT8 {
            r.try_get::<_, Option<i64>>(i)?.map(Cell::Int)
        } else if *t == Type::INT4 {
            r.try_get::<_, Option<i32>>(i)?.map(|v| Cell::Int(v.into()))
        } else if *t == Type::INT2 {
            r.try_get::<_, Option<i16>>(i)?.map(|v| Cell::Int(v.into()))
        } else if *t == Type::BOOL {
            r.try_get::<_, Option<bool>>(i)?
                .map(|v| Cell::Int(v.into()))
        } else if *t == Type::FLOAT8 {
            r.try_get::<_, Option<f64>>(i)?.map(Cell::Real)
        } else if *t == Type::TEXT || *t == Type::VARCHAR || *t == Type::NAME || *t == Type::BPCHAR
        {
            r.try_get::<_, Option<String>>(i)?.map(Cell::Text)
        } else {
            return Err(StoreError::Corrupt(format!(
                "column {i} has a type the store does not read ({t})"
            )));
        };
        cells.push(cell.unwrap_or(Cell::Null));
    }
    Ok(Row(cells))
}

impl<C: GenericClient> Sql for PgSql<'_, C> {
    fn dialect(&self) -> &'static Dialect {
        &super::dialect::POSTGRES
    }

    fn execute(&mut self, sql: &str, params: &[Param]) -> StoreResult<u64> {
        Ok(self
            .0
            .execute_typed(&dollar_placeholders(sql), &typed(params))?)
    }

    fn query(&mut self, sql: &str, params: &[Param]) -> StoreResult<Vec<Row>> {
        self.0
            .query_typed(&dollar_placeholders(sql), &typed(params))?
            .iter()
            .map(row)
            .collect()
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Param],
        f: &mut dyn FnMut(Row) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let mut rows = self
            .0
            .query_typed_raw(&dollar_placeholders(sql), typed(params))?;
        while let Some(r) = rows.next()? {
            f(row(&r)?)?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> StoreResult<()> {
        Ok(self.0.batch_execute(sql)?)
    }
}
