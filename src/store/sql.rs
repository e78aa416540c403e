//! The common ground of the two backends. Every use case is written once against
//! [`Sql`] (a connection or an open transaction) and [`Backend`] (how a backend
//! reads, writes in one transaction, and does the few things only it can do).
//!
//! SQL is written with numbered placeholders (`?1`, `?2`…), parameters are
//! [`Param`]s and results [`Row`]s of [`Cell`]s, so no use case names a driver.
//! Where the two dialects differ (case-insensitive comparison, free-text search,
//! row locks), the use case asks the backend's [`Dialect`].

use crate::store::{StoreError, StoreResult};

/// A parameter bound to a placeholder. Typed even when null, so a server can be
/// told each parameter's type without a separate round trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(bool),
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(Some(v))
    }
}
impl From<Option<i64>> for Param {
    fn from(v: Option<i64>) -> Self {
        Param::Int(v)
    }
}
impl From<bool> for Param {
    fn from(v: bool) -> Self {
        Param::Bool(v)
    }
}
impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(Some(v.to_string()))
    }
}
impl From<&String> for Param {
    fn from(v: &String) -> Self {
        Param::Text(Some(v.clone()))
    }
}
impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(Some(v))
    }
}
impl From<Option<String>> for Param {
    fn from(v: Option<String>) -> Self {
        Param::Text(v)
    }
}
impl From<Option<&str>> for Param {
    fn from(v: Option<&str>) -> Self {
        Param::Text(v.map(str::to_string))
    }
}

impl Param {
    /// A stored value written back as it was (a copy between backends). A real
    /// number has no column of its own in the log and is written as text.
    pub fn from_cell(cell: &Cell) -> Param {
        match cell {
            Cell::Null => Param::Text(None),
            Cell::Int(v) => Param::Int(Some(*v)),
            Cell::Real(v) => Param::Text(Some(v.to_string())),
            Cell::Text(v) => Param::Text(Some(v.clone())),
        }
    }
}

/// `[Param]` from a list of values of different types.
macro_rules! params {
    ($($v:expr),* $(,)?) => {
        [$($crate::store::sql::Param::from($v)),*]
    };
}
pub(crate) use params;

/// A count or limit as a parameter (saturating: no count is near `i64::MAX`).
pub fn count_param(n: u64) -> Param {
    Param::Int(Some(i64::try_from(n).unwrap_or(i64::MAX)))
}

/// One value of a result row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

/// One result row. Reading a cell as the wrong type is [`StoreError::Corrupt`],
/// never a panic: the database file may have been edited by hand.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row(pub Vec<Cell>);

impl Row {
    fn cell(&self, i: usize) -> StoreResult<&Cell> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Corrupt(format!("column {i} is missing")))
    }

    fn wrong(&self, i: usize, want: &str) -> StoreError {
        StoreError::Corrupt(format!("column {i} is not {want}"))
    }

    /// An integer (a whole-number real, as SQLite may return from a sum, too).
    pub fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            Cell::Int(v) => Ok(Some(*v)),
            #[allow(clippy::cast_possible_truncation)]
            Cell::Real(v) if v.fract() == 0.0 => Ok(Some(*v as i64)),
            _ => Err(self.wrong(i, "a number")),
        }
    }

    pub fn int(&self, i: usize) -> StoreResult<i64> {
        self.opt_int(i)?.ok_or_else(|| self.wrong(i, "a number"))
    }

    /// A count: never negative (a null, as `SUM` of no rows, is 0).
    pub fn count(&self, i: usize) -> StoreResult<u64> {
        Ok(u64::try_from(self.opt_int(i)?.unwrap_or(0)).unwrap_or(0))
    }

    pub fn opt_text(&self, i: usize) -> StoreResult<Option<String>> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            Cell::Text(v) => Ok(Some(v.clone())),
            _ => Err(self.wrong(i, "text")),
        }
    }

    pub fn text(&self, i: usize) -> StoreResult<String> {
        self.opt_text(i)?.ok_or_else(|| self.wrong(i, "text"))
    }

    /// A flag: stored as 0/1 by SQLite, as a boolean by a server.
    pub fn flag(&self, i: usize) -> StoreResult<bool> {
        Ok(self.int(i)? != 0)
    }
}

/// A connection, or an open transaction, of either backend.
pub trait Sql {
    /// How this backend spells what the dialects spell differently.
    fn dialect(&self) -> &'static Dialect;
    /// Runs a statement, returning the rows changed.
    fn execute(&mut self, sql: &str, params: &[Param]) -> StoreResult<u64>;
    /// Runs a query and returns every row.
    fn query(&mut self, sql: &str, params: &[Param]) -> StoreResult<Vec<Row>>;
    /// Runs a query and hands each row to `f` as it is read (for long results).
    fn query_each(
        &mut self,
        sql: &str,
        params: &[Param],
        f: &mut dyn FnMut(Row) -> StoreResult<()>,
    ) -> StoreResult<()>;
    /// Runs several statements with no parameters (schema changes).
    fn batch(&mut self, sql: &str) -> StoreResult<()>;
}

impl dyn Sql + '_ {
    /// The first row, if any.
    pub fn query_opt(&mut self, sql: &str, params: &[Param]) -> StoreResult<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first row; none is [`StoreError::Corrupt`].
    pub fn query_row(&mut self, sql: &str, params: &[Param]) -> StoreResult<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| StoreError::Corrupt("a query returned no row".into()))
    }

    /// The first column of the first row, as a count.
    pub fn count(&mut self, sql: &str, params: &[Param]) -> StoreResult<u64> {
        self.query_row(sql, params)?.count(0)
    }

    /// Whether the query returns any row.
    pub fn exists(&mut self, sql: &str, params: &[Param]) -> StoreResult<bool> {
        Ok(self.query_opt(sql, params)?.is_some())
    }

    /// Runs an `INSERT … RETURNING id` and returns the new row's id.
    pub fn insert(&mut self, sql: &str, params: &[Param]) -> StoreResult<i64> {
        self.query_row(sql, params)?.int(0)
    }
}

/// What the two dialects spell differently, as text each backend supplies.
#[derive(Debug)]
pub struct Dialect {
    /// Appended to a read inside a write transaction to lock the row until it ends.
    pub for_update: &'static str,
    /// Ascending and descending order with nulls first when ascending (SQLite's
    /// order, which the server is asked to follow).
    pub ascending: &'static str,
    pub descending: &'static str,
    /// An expression compared or sorted without regard to case: `{}` is the expression.
    pub fold_case: &'static str,
    /// `a IS NOT DISTINCT FROM b`: equal, or both null.
    pub same_or_both_null: &'static str,
    /// The condition that an item's search text contains one term, and the
    /// parameter for it (`{}` is the placeholder).
    pub contains: fn(term: &str) -> (&'static str, Param),
    /// Patient recall: per name (ignoring case) and date of birth, the name as last
    /// written, the date of birth, how many items and the latest logging time, for
    /// the NHS number in `?1`; latest first.
    pub recall: &'static str,
    /// Deletes every item and audit event (a purge), lifting the guards against it
    /// for this transaction only.
    pub delete_everything: &'static str,
    /// After rows were copied in with their ids: makes new ids continue after them
    /// (`{table}` is the table; empty where the backend needs nothing).
    pub continue_ids_after_copy: &'static str,
    /// The names of the triggers in force (present and enabled), one a row:
    /// verify checks the append-only guards are among them.
    pub triggers_in_force: &'static str,
}

/// Escapes `%`, `_` and `\` so typed text is matched literally by `LIKE … ESCAPE '\'`.
pub fn like_pattern(term: &str) -> String {
    let mut p = String::with_capacity(term.len() + 2);
    p.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The plain way to find a term in an item's search text: `LIKE` with the term
/// matched literally (for a [`Dialect::contains`]).
pub fn like_contains(term: &str) -> (&'static str, Param) {
    (
        "items.search_text LIKE {} ESCAPE '\\'",
        Param::from(like_pattern(term)),
    )
}

impl Dialect {
    /// `expr` compared without regard to case.
    pub fn folded(&self, expr: &str) -> String {
        self.fold_case.replace("{}", expr)
    }

    /// `a` equals `b`, or both are null.
    pub fn same(&self, a: &str, b: &str) -> String {
        self.same_or_both_null.replace("{a}", a).replace("{b}", b)
    }

    /// The direction of an ORDER BY key.
    pub fn direction(&self, descending: bool) -> &'static str {
        if descending {
            self.descending
        } else {
            self.ascending
        }
    }
}

/// Builds SQL with numbered placeholders and its parameters together, so a
/// placeholder's number always matches its parameter.
#[derive(Debug, Default)]
pub struct Query {
    pub params: Vec<Param>,
}

impl Query {
    /// Adds a parameter and returns its placeholder (`?3`).
    pub fn bind(&mut self, p: impl Into<Param>) -> String {
        self.params.push(p.into());
        format!("?{}", self.params.len())
    }
}

/// A backend: how it reads, how it writes one transaction, and what only it can
/// do. Every [`crate::store::CutoverStore`] operation is written once over this.
pub trait Backend {
    /// Runs `f` on the connection, outside any write transaction.
    fn read<T>(&self, f: impl FnOnce(&mut dyn Sql) -> StoreResult<T>) -> StoreResult<T>;
    /// Runs `f` in one read-only transaction: one consistent snapshot of every
    /// table, even while desks write.
    fn snapshot<T>(&self, f: impl FnOnce(&mut dyn Sql) -> StoreResult<T>) -> StoreResult<T>;
    /// Runs `f` as one write transaction holding the backend's write lock (writers
    /// queue; the audit chain gets one order); commits if `f` succeeds, rolls back
    /// otherwise.
    fn write<T>(&mut self, f: impl FnOnce(&mut dyn Sql) -> StoreResult<T>) -> StoreResult<T>;
    /// Before `rows` new items are written in this transaction (a backend may
    /// set up a faster way to index them). Returns what [`Self::after_bulk_insert`]
    /// must put back (SQL), if anything.
    fn before_bulk_insert(_tx: &mut dyn Sql, _rows: usize) -> StoreResult<String> {
        Ok(String::new())
    }
    /// After them, the first new item being `first_id`; `restore` is what
    /// [`Self::before_bulk_insert`] returned. Runs in the same transaction.
    fn after_bulk_insert(_tx: &mut dyn Sql, _first_id: i64, _restore: &str) -> StoreResult<()> {
        Ok(())
    }
    /// Before a purge, outside its transaction (e.g. freed pages are zeroed).
    fn before_purge(&mut self) -> StoreResult<()> {
        Ok(())
    }
    /// After a purge has committed: rewrite the storage so no deleted row lingers.
    fn after_purge(&mut self) -> StoreResult<()>;
    /// The backend's own integrity checks: whether all is well, and what it said.
    fn integrity(&self) -> StoreResult<(bool, Vec<String>)>;
    /// Rows pointing at staff that do not exist.
    fn foreign_key_problems(&self) -> StoreResult<u64>;
    /// A second, independent handle on the same log.
    fn open_another(&self) -> StoreResult<Box<dyn crate::store::CutoverStore + Send>>;
    /// See [`crate::store::CutoverStore::back_up`]. The server is backed up by
    /// its IT (`pg_dump`): nothing here.
    fn back_up(
        &self,
        _dir: Option<&std::path::Path>,
        _at: chrono::NaiveDateTime,
    ) -> StoreResult<Option<crate::store::sqlite::backup::BackupInfo>> {
        Ok(None)
    }
    /// See [`crate::store::CutoverStore::backup_dir`]: none on the server.
    fn backup_dir(&self, _chosen: Option<&std::path::Path>) -> Option<std::path::PathBuf> {
        None
    }
    /// Restores one of this log's backups into a new file, which records where
    /// it came from (the server has no backups of its own to restore).
    fn restore_copy(
        &self,
        backup: &std::path::Path,
        _to: &std::path::Path,
        _actor: &crate::domain::Actor,
    ) -> StoreResult<crate::store::sqlite::restore::Restored> {
        Err(StoreError::Open {
            path: backup.to_path_buf(),
            message: "the practice server is restored by its IT (pg_dump); a backup file is restored with the command line".into(),
        })
    }
    /// See [`crate::store::CutoverStore::watch_changes`].
    fn watch_changes(
        &self,
        on_change: Box<dyn Fn() + Send>,
    ) -> StoreResult<Option<crate::store::ChangeWatch>>;
}

/// Rewrites `?N` placeholders as `$N` (outside quoted text), for a dialect that
/// numbers them that way.
pub fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push('$');
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_renumbered_outside_quoted_text_only() {
        assert_eq!(
            dollar_placeholders("SELECT ?1, '?2', \"?3\" WHERE a = ?12 AND b LIKE ? "),
            "SELECT $1, '?2', \"?3\" WHERE a = $12 AND b LIKE ? "
        );
    }

    #[test]
    fn a_cell_of_the_wrong_type_is_an_error_not_a_panic() {
        let row = Row(vec![Cell::Text("x".into()), Cell::Null, Cell::Real(3.0)]);
        assert!(matches!(row.int(0), Err(StoreError::Corrupt(_))));
        assert!(matches!(row.int(7), Err(StoreError::Corrupt(_))));
        assert_eq!(row.opt_text(1).ok(), Some(None));
        assert_eq!(row.count(1).ok(), Some(0));
        assert_eq!(row.int(2).ok(), Some(3));
    }

    #[test]
    fn a_query_numbers_its_placeholders_in_order() {
        let mut q = Query::default();
        assert_eq!(q.bind(5), "?1");
        assert_eq!(q.bind("x"), "?2");
        assert_eq!(
            q.params,
            vec![Param::Int(Some(5)), Param::Text(Some("x".into()))]
        );
    }
}
