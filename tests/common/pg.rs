//! A fresh PostgreSQL database per test, on the server named by
//! `CUTOVER_TEST_POSTGRES_URL` (`.ci/run` starts a throwaway server and sets it).
//!
//! Policy: when the variable is absent, PostgreSQL tests print a loud message and
//! pass without running — unless `CUTOVER_REQUIRE_POSTGRES=1` (set by `.ci/run`),
//! which turns that into a failure, so CI can never skip them silently.

use std::sync::atomic::{AtomicU32, Ordering};

use postgres::{Config, NoTls};

/// The test server's configuration (its maintenance database), or `None` when
/// none is set and none is required.
pub fn server() -> Option<Config> {
    match std::env::var("CUTOVER_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(
            url.parse()
                .expect("CUTOVER_TEST_POSTGRES_URL is not a valid server address"),
        ),
        _ => {
            let msg = "PostgreSQL tests need a server: set CUTOVER_TEST_POSTGRES_URL \
                       (e.g. postgres://postgres@127.0.0.1:5432/postgres), or run .ci/run, \
                       which starts a throwaway server and sets it";
            if std::env::var("CUTOVER_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("{msg} (CUTOVER_REQUIRE_POSTGRES=1: not skipping)");
            }
            eprintln!("\n*** SKIPPED: {msg} ***\n");
            None
        }
    }
}

/// The test server's TLS listener (`host=localhost port=…`, no database) and the
/// file of the authority that signed its certificate, which `.ci/run` makes; or
/// `None` under the same policy as [`server`].
pub fn tls_server() -> Option<(String, String)> {
    let url = std::env::var("CUTOVER_TEST_POSTGRES_TLS_URL").unwrap_or_default();
    let ca = std::env::var("CUTOVER_TEST_POSTGRES_CA").unwrap_or_default();
    if url.trim().is_empty() || ca.trim().is_empty() {
        let msg = "the TLS test needs CUTOVER_TEST_POSTGRES_TLS_URL and CUTOVER_TEST_POSTGRES_CA \
                   (.ci/run starts the throwaway server with TLS and sets them)";
        if std::env::var("CUTOVER_REQUIRE_POSTGRES").as_deref() == Ok("1") {
            panic!("{msg} (CUTOVER_REQUIRE_POSTGRES=1: not skipping)");
        }
        eprintln!("\n*** SKIPPED: {msg} ***\n");
        return None;
    }
    Some((url, ca))
}

/// A database made for one test and dropped when the test ends.
pub struct TestDb {
    admin: Config,
    name: String,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// Creates a database with a fresh name, or `None` (see [`server`]).
    pub fn create() -> Option<Self> {
        let admin = server()?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "cutover_test_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut client = admin.connect(NoTls).expect("connect to the test server");
        client
            .batch_execute(&format!(
                "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
            ))
            .expect("create the test database");
        Some(Self { admin, name })
    }

    /// The configuration of this test's database.
    pub fn config(&self) -> Config {
        let mut c = self.admin.clone();
        c.dbname(&self.name);
        c
    }

    /// This test database's address as text, in the form the server's was given
    /// (for the command line's `--server`).
    pub fn url(&self) -> String {
        let base = std::env::var("CUTOVER_TEST_POSTGRES_URL").unwrap_or_default();
        if let Some(rest) = base
            .strip_prefix("postgres://")
            .or_else(|| base.strip_prefix("postgresql://"))
        {
            let (authority, query) = match rest.split_once('/') {
                Some((a, tail)) => (a, tail.split_once('?').map(|(_, q)| q)),
                None => (rest, None),
            };
            match query {
                Some(q) => format!("postgres://{authority}/{}?{q}", self.name),
                None => format!("postgres://{authority}/{}", self.name),
            }
        } else {
            format!("{base} dbname={}", self.name)
        }
    }

    /// Runs raw SQL in this database (behind the store's back).
    pub fn exec(&self, sql: &str) -> Result<(), String> {
        let mut client = self.config().connect(NoTls).map_err(|e| e.to_string())?;
        client.batch_execute(sql).map_err(|e| {
            e.as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string())
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut client) = self.admin.connect(NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
