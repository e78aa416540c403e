//! The shared store on a practice's PostgreSQL server, for several desks at once.
//!
//! # Concurrency
//! Every user action is one transaction at READ COMMITTED that first takes one
//! transaction-scoped advisory lock (`pg_advisory_xact_lock(WRITE_LOCK)`): writers
//! queue for each other, exactly as SQLite's IMMEDIATE transactions do, and each
//! reads the current rows once it holds the lock. This was chosen over
//! SERIALIZABLE because every write appends to the one audit hash chain anyway
//! (the chain needs a single order, so appends must be serialised whatever the
//! isolation level), and a queue never fails with a serialisation error that the
//! app would have to retry. Writes are a few milliseconds, so the queue is short
//! (two desks × 5,000 items is one of the tests). Reads take no lock.
//!
//! Edits are optimistic on top of that: each item carries a `version`, an edit
//! names the version it started from, and a changed item is refused with
//! [`StoreError::Conflict`] (the app then shows the current values).
//!
//! # Encryption
//! A server on another machine is reached over TLS with its certificate
//! verified; see [`address`] for the rules and `sslrootcert`.
//!
//! # Connection loss
//! A lost connection is reported as [`StoreError::ConnectionLost`] (the action's
//! transaction was rolled back by the server, so nothing is half-saved); the next
//! call reconnects. The password (from the URL, or `PGPASSWORD`) is kept in
//! memory only, to reconnect and to open a second handle; it is never written or
//! shown.

pub mod address;
mod dialect;
mod integrity;
mod schema;
mod sql;
mod watch;

use std::cell::{RefCell, RefMut};

use postgres::{Client, Config, IsolationLevel};

pub use address::ServerAddress;

use crate::store::sql::{Backend, Sql};
use crate::store::{StoreError, StoreResult};
use sql::PgSql;

pub use schema::LATEST_VERSION;

/// Advisory lock key held by every write transaction (see the module comment).
const WRITE_LOCK: i64 = 0x6375_746f_0002;

/// A cutover log kept on a PostgreSQL server.
pub struct PostgresStore {
    client: RefCell<Client>,
    /// An action failed with a lost connection: the next one connects afresh
    /// (the driver may not have marked the client closed yet).
    lost: std::cell::Cell<bool>,
    address: ServerAddress,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("server", &describe_config(&self.address.config))
            .finish()
    }
}

/// Where a configuration points, for messages: host, port, database and user,
/// never the password.
pub fn describe_config(config: &Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{host}:{port}/{}",
        config.get_user().unwrap_or("?"),
        config.get_dbname().unwrap_or("?")
    )
}

/// The text of a server error without row data (PostgreSQL's detail lines can
/// quote values, which may be patient details; the message itself does not).
pub(crate) fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            // The cause (e.g. why a certificate was not trusted) is in the sources.
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                let said = cause.to_string();
                if !text.contains(&said) {
                    text.push_str(": ");
                    text.push_str(&said);
                }
                source = cause.source();
            }
            text
        }
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        use postgres::error::SqlState;
        if let Some(db) = e.as_db_error() {
            let code = db.code();
            if *code == SqlState::T_R_SERIALIZATION_FAILURE
                || *code == SqlState::T_R_DEADLOCK_DETECTED
                || *code == SqlState::LOCK_NOT_AVAILABLE
            {
                return StoreError::Busy;
            }
            if code.code().starts_with("08") || *code == SqlState::ADMIN_SHUTDOWN {
                return StoreError::ConnectionLost(db.message().to_string());
            }
            return StoreError::Server(describe(&e));
        }
        // No server answer: the socket closed, or could not be used.
        StoreError::ConnectionLost(e.to_string())
    }
}

impl PostgresStore {
    /// Connects to the server named by `url` (`postgres://user@host:port/db`, or
    /// `host=… dbname=…`; see [`ServerAddress::parse`]) and brings the schema up
    /// to date. A database made by a newer version is refused before anything is
    /// written.
    pub fn connect(url: &str) -> StoreResult<Self> {
        Self::with_address(ServerAddress::parse(url)?)
    }

    /// Connects with a ready configuration (the password, if any, already in it).
    pub fn with_config(config: Config) -> StoreResult<Self> {
        Self::with_address(ServerAddress::from_config(config))
    }

    /// Connects to a parsed address (the password, if any, already in it).
    pub fn with_address(address: ServerAddress) -> StoreResult<Self> {
        let mut client = open_client(&address)?;
        schema::migrate(&mut client)?;
        let mut store = Self {
            client: RefCell::new(client),
            lost: std::cell::Cell::new(false),
            address,
        };
        crate::store::deadlines::fill_missing(&mut store)?;
        Ok(store)
    }

    /// Where this store is, for messages (never the password).
    pub fn describe(&self) -> String {
        describe_config(&self.address.config)
    }

    /// Whether this connection is encrypted (TLS), as the server reports it.
    pub fn is_encrypted(&self) -> StoreResult<bool> {
        let row = self.db()?.query_one(
            "SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)",
            &[],
        )?;
        Ok(row.get(0))
    }

    /// The schema version of the connected database.
    pub fn schema_version(&self) -> StoreResult<i64> {
        schema::version(&mut *self.db()?)
    }

    /// Checks the server answers, reconnecting if the connection was lost.
    pub fn ping(&self) -> StoreResult<()> {
        let result = (|| {
            self.db()?.batch_execute("SELECT 1")?;
            Ok(())
        })();
        self.noting(result)
    }

    /// The connection, reconnected first if it was lost. Reads go through a
    /// `RefCell` because the trait reads with `&self`.
    fn db(&self) -> StoreResult<RefMut<'_, Client>> {
        let mut client = self.client.try_borrow_mut().map_err(|_| StoreError::Busy)?;
        if client.is_closed() || self.lost.get() {
            *client = open_client(&self.address)?;
            self.lost.set(false);
        }
        Ok(client)
    }

    /// Passes `result` on, remembering a lost connection for the next action.
    fn noting<T>(&self, result: StoreResult<T>) -> StoreResult<T> {
        if matches!(result, Err(StoreError::ConnectionLost(_))) {
            self.lost.set(true);
        }
        result
    }
}

fn open_client(address: &ServerAddress) -> StoreResult<Client> {
    let config = &address.config;
    config.connect(address.tls()?).map_err(|e| {
        let mut message = describe(&e);
        if message.contains("TLS") || message.to_ascii_lowercase().contains("certificate") {
            message.push_str(
                ". The connection to the practice server must be encrypted: ask whoever set the server up to turn TLS on (ssl = on), and if its certificate is the practice's own, add sslrootcert=<the authority's certificate file> to the address",
            );
        }
        if wants_password(&e, config) {
            StoreError::ServerWantsPassword {
                server: describe_config(config),
                message,
            }
        } else {
            StoreError::Open {
                path: describe_config(config).into(),
                message,
            }
        }
    })
}

/// Whether a failed connection is the server wanting a password: it refused the
/// one given (SQLSTATE 28P01, invalid_password), or none was given and it asked
/// for one. The driver (tokio-postgres 0.7) stops on its own in that second
/// case, before sending anything, with a configuration error that has no code or
/// kind of its own; its fixed cause, "password missing", is the only mark, so it
/// is read here, once, where the driver's errors become `StoreError`s.
fn wants_password(e: &postgres::Error, config: &Config) -> bool {
    if e.code() == Some(&postgres::error::SqlState::INVALID_PASSWORD) {
        return true;
    }
    config.get_password().is_none()
        && e.as_db_error().is_none()
        && std::error::Error::source(e).is_some_and(|cause| cause.to_string() == "password missing")
}

impl Backend for PostgresStore {
    fn read<T>(&self, f: impl FnOnce(&mut dyn Sql) -> StoreResult<T>) -> StoreResult<T> {
        let result = (|| f(&mut PgSql(&mut *self.db()?)))();
        self.noting(result)
    }

    /// REPEATABLE READ, read only: one snapshot for every table, even while desks write.
    fn snapshot<T>(&self, f: impl FnOnce(&mut dyn Sql) -> StoreResult<T>) -> StoreResult<T> {
        let result = (|| {
            let mut client = self.db()?;
            let mut tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let out = f(&mut PgSql(&mut tx))?;
            tx.commit()?;
            Ok(out)
        })();
        self.noting(result)
    }

    /// One READ COMMITTED transaction that first takes the write lock (see the
    /// module comment); commits if `f` succeeds, rolls back if not.
    fn write<T>(&mut self, f: impl FnOnce(&mut dyn Sql) -> StoreResult<T>) -> StoreResult<T> {
        let result = (|| {
            let mut client = self.db()?;
            let mut tx = client.transaction()?;
            // The notification is sent only if this transaction commits (see `watch`).
            // Typed parameters: one round trip (no separate prepare), as on every hot path.
            tx.execute_typed(
                "SELECT pg_advisory_xact_lock($1), pg_notify($2, '')",
                &[
                    (&WRITE_LOCK, postgres::types::Type::INT8),
                    (&watch::CHANNEL, postgres::types::Type::TEXT),
                ],
            )?;
            let out = f(&mut PgSql(&mut tx))?;
            tx.commit()?;
            Ok(out)
        })();
        self.noting(result)
    }

    /// Has the server rewrite the tables (`VACUUM FULL`) so the deleted rows do
    /// not linger in its files; one statement each, as VACUUM cannot run inside a
    /// transaction.
    fn after_purge(&mut self) -> StoreResult<()> {
        for table in ["items", "audit_events"] {
            self.db()?.batch_execute(&format!("VACUUM FULL {table}"))?;
        }
        Ok(())
    }

    fn integrity(&self) -> StoreResult<(bool, Vec<String>)> {
        integrity::integrity(&mut *self.db()?)
    }

    fn foreign_key_problems(&self) -> StoreResult<u64> {
        self.read(|c| c.count(integrity::FOREIGN_KEY_PROBLEMS, &[]))
    }

    fn open_another(&self) -> StoreResult<Box<dyn crate::store::CutoverStore + Send>> {
        Ok(Box::new(PostgresStore::with_address(self.address.clone())?))
    }

    fn watch_changes(
        &self,
        on_change: Box<dyn Fn() + Send>,
    ) -> StoreResult<Option<crate::store::ChangeWatch>> {
        watch::start(self.address.clone(), on_change).map(Some)
    }
}
