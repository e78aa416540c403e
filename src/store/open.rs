//! One way to open a cutover log, for the app and the command line alike: where
//! the log is ([`LogLocation`]: a file, or the practice server), what unlocks it
//! (an encrypted file's passphrase, the server's password: typed by the person,
//! or given by the environment), and, when it does not open, the typed reason
//! ([`StoreError::NeedsPassphrase`], [`StoreError::WrongPassphrase`],
//! [`StoreError::ReadOnly`], [`StoreError::ServerWantsPassword`], or whatever
//! else the store said). What to do about a reason is the caller's: the command
//! line asks on the terminal ([`open_asking`]), the app shows a passphrase box or
//! its connect screen.

use std::path::{Path, PathBuf};

use super::placement;
use super::postgres::ServerAddress;
use super::transfer::Transfer;
use super::{CutoverStore, PostgresStore, SqliteStore, StoreError, StoreResult};

/// The variable an encrypted file's passphrase may be given in.
pub const PASSPHRASE_VAR: &str = "CUTOVER_LOG_DB_PASSPHRASE";
/// The variable the practice server's password may be given in (libpq's own).
pub const SERVER_PASSWORD_VAR: &str = "PGPASSWORD";

/// Where a cutover log is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogLocation {
    /// A database file on this computer (a single desk).
    File(PathBuf),
    /// The practice's shared server, by its address as typed (which may hold a
    /// password: show it only through [`LogLocation::describe`]).
    Server(String),
}

/// There was no `--db` and no local app data folder for the default file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("could not find your local app data folder; pass --db PATH")]
pub struct NoDefaultFolder;

/// The database file to use: `db`, or the default one in the user's local app
/// data folder.
pub fn file_path(db: Option<&Path>) -> Result<PathBuf, NoDefaultFolder> {
    match db {
        Some(p) => Ok(p.to_path_buf()),
        None => super::default_database_path().ok_or(NoDefaultFolder),
    }
}

impl LogLocation {
    /// The log `--server` and `--db` name: the server if given, else the file,
    /// else the default file.
    pub fn from_args(db: Option<&Path>, server: Option<&str>) -> Result<Self, NoDefaultFolder> {
        match server {
            Some(url) => Ok(Self::Server(url.to_string())),
            None => file_path(db).map(Self::File),
        }
    }

    /// Where the log is, fit to show: the file's path, or the server's address
    /// without any password in it.
    pub fn describe(&self) -> String {
        match self {
            Self::File(p) => p.display().to_string(),
            Self::Server(url) => super::postgres::address::without_password(url),
        }
    }
}

/// A secret a log can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    /// An encrypted file's passphrase.
    Passphrase,
    /// The practice server's password.
    ServerPassword,
}

impl Secret {
    /// The environment variable that can give it instead of a person typing it.
    pub fn variable(self) -> &'static str {
        match self {
            Secret::Passphrase => PASSPHRASE_VAR,
            Secret::ServerPassword => SERVER_PASSWORD_VAR,
        }
    }
}

/// Which secret to ask the person for after opening failed with `error`, if
/// asking could help: the passphrase of an encrypted file opened without one, or
/// the password of a server that wants one when [`SERVER_PASSWORD_VAR`] did not
/// give it. A wrong passphrase, and a server refusing the variable's password,
/// are reported rather than asked again.
pub fn secret_to_ask(error: &StoreError) -> Option<Secret> {
    match error {
        StoreError::NeedsPassphrase => Some(Secret::Passphrase),
        StoreError::ServerWantsPassword { .. }
            if std::env::var_os(SERVER_PASSWORD_VAR).is_none() =>
        {
            Some(Secret::ServerPassword)
        }
        _ => None,
    }
}

/// An open log: a file, or the practice server.
#[derive(Debug)]
pub enum OpenLog {
    File(SqliteStore),
    /// (Boxed: a server connection is several times the size of a file's.)
    Server(Box<PostgresStore>),
}

impl OpenLog {
    /// The log, whichever store holds it.
    pub fn store(&self) -> &dyn CutoverStore {
        match self {
            OpenLog::File(s) => s,
            OpenLog::Server(s) => s.as_ref(),
        }
    }

    /// The log, to change it.
    pub fn store_mut(&mut self) -> &mut dyn CutoverStore {
        match self {
            OpenLog::File(s) => s,
            OpenLog::Server(s) => s.as_mut(),
        }
    }

    /// The log, for copying it whole to another store.
    pub fn transfer(&mut self) -> &mut dyn Transfer {
        match self {
            OpenLog::File(s) => s,
            OpenLog::Server(s) => s.as_mut(),
        }
    }

    /// The log, to keep.
    pub fn into_store(self) -> Box<dyn CutoverStore> {
        match self {
            OpenLog::File(s) => Box::new(s),
            OpenLog::Server(s) => s,
        }
    }

    /// Where the log is, for messages: the file's path, or the server as
    /// `user@host:port/database` (never the password).
    pub fn describe(&self) -> String {
        match self {
            OpenLog::File(s) => s.path().display().to_string(),
            OpenLog::Server(s) => s.describe(),
        }
    }
}

/// Opens the log at `location`, with `typed` (the file's passphrase, or the
/// server's password) if the person typed one; otherwise with what the
/// environment gives ([`PASSPHRASE_VAR`]; the address itself or
/// [`SERVER_PASSWORD_VAR`]), or nothing. A file that does not exist yet is made.
/// The reasons it may not open are typed; see the module comment.
pub fn open(location: &LogLocation, typed: Option<&str>) -> StoreResult<OpenLog> {
    match location {
        LogLocation::File(path) => {
            let unsafe_place = safe_place(path)?;
            let passphrase = match typed {
                Some(p) => Some(p.to_string()),
                // Not set (or not Unicode, which no typed passphrase can be either): none.
                None => std::env::var(PASSPHRASE_VAR).ok(),
            };
            let mut store = SqliteStore::open_with(path, passphrase.as_deref())?;
            if let Some(why) = unsafe_place {
                record_override(&mut store, &why)?;
            }
            Ok(OpenLog::File(store))
        }
        LogLocation::Server(url) => {
            let mut address = ServerAddress::parse(url)?;
            if let Some(p) = typed {
                address.config.password(p);
            }
            PostgresStore::with_address(address).map(|s| OpenLog::Server(Box::new(s)))
        }
    }
}

/// Refuses a live log where it can be corrupted ([`placement::check`]) unless
/// IT overrode it; then says what was overridden, to record.
fn safe_place(path: &Path) -> StoreResult<Option<String>> {
    match placement::check(path) {
        None => Ok(None),
        Some(why) if placement::overridden() => Ok(Some(why.describe())),
        Some(why) => Err(StoreError::UnsafePlace(why.describe())),
    }
}

/// Records that a log was opened where it should not be, on IT's override.
fn record_override(store: &mut SqliteStore, why: &str) -> StoreResult<()> {
    let actor = crate::domain::Actor::system(
        format!("{} set", placement::OVERRIDE_VAR),
        crate::domain::dates::now(),
    );
    store.record_event(&actor, crate::domain::AuditAction::PlacementOverridden, why)
}

/// As [`open`], for a desk that is going to write (the app: every use signs in,
/// and that is recorded): a file that can only be read is refused now, with
/// [`StoreError::ReadOnly`], rather than at the first save.
pub fn open_to_write(location: &LogLocation, typed: Option<&str>) -> StoreResult<OpenLog> {
    let log = open(location, typed)?;
    match &log {
        OpenLog::File(s) if s.is_read_only() => Err(StoreError::ReadOnly),
        _ => Ok(log),
    }
}

/// Opens the log at `location`, asking `ask` for the secret it wants when nothing
/// gave it (see [`secret_to_ask`]), then once more with the answer. Whatever
/// `ask` fails with is returned as it is.
pub fn open_asking<E: From<StoreError>>(
    location: &LogLocation,
    ask: impl FnOnce(Secret) -> Result<String, E>,
) -> Result<OpenLog, E> {
    match open(location, None) {
        Ok(log) => Ok(log),
        Err(e) => match secret_to_ask(&e) {
            Some(secret) => {
                let answer = ask(secret)?;
                Ok(open(location, Some(&answer))?)
            }
            None => Err(e.into()),
        },
    }
}

/// A new, unencrypted file at `path` (made if missing), whatever
/// [`PASSPHRASE_VAR`] says: a copy of the server's log is written into it.
pub fn new_file(path: &Path) -> StoreResult<OpenLog> {
    let unsafe_place = safe_place(path)?;
    let mut store = SqliteStore::open(path)?;
    if let Some(why) = unsafe_place {
        record_override(&mut store, &why)?;
    }
    Ok(OpenLog::File(store))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Actor, Project};

    fn at(s: &str) -> chrono::NaiveDateTime {
        match crate::domain::dates::parse_date_time(s) {
            Ok(t) => t,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
        match r {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    /// A file log with a project, encrypted with `passphrase` when one is given.
    fn practice_file(dir: &Path, passphrase: Option<&str>) -> PathBuf {
        let path = dir.join("log.sqlite3");
        let mut store = ok(SqliteStore::open(&path));
        let project = ok(Project::validate(
            "Open Test Surgery",
            "A81001",
            "EMIS Web",
            "TPP SystmOne",
            Ok(at("2026-11-16T18:00")),
            Ok(at("2026-11-23T08:00")),
        )
        .map_err(|e| crate::domain::validation::describe(&e)));
        ok(store.create_project(
            &project,
            &Actor::system("open test", at("2026-11-16T09:00")),
        ));
        drop(store);
        if let Some(p) = passphrase {
            ok(SqliteStore::encrypt(&path, p));
        }
        path
    }

    fn dir() -> tempfile::TempDir {
        ok(tempfile::tempdir())
    }

    #[test]
    fn a_plain_file_opens_and_says_where_it_is() {
        let d = dir();
        let path = practice_file(d.path(), None);
        let location = LogLocation::File(path.clone());
        let log = ok(open_to_write(&location, None));
        assert!(matches!(log, OpenLog::File(_)));
        assert_eq!(log.describe(), path.display().to_string());
        assert_eq!(location.describe(), path.display().to_string());
        let project = ok(log.store().project());
        assert_eq!(
            project.map(|p| p.practice_name).as_deref(),
            Some("Open Test Surgery")
        );
    }

    #[test]
    fn an_encrypted_file_without_its_passphrase_needs_one_and_a_wrong_one_is_said() {
        let d = dir();
        let path = practice_file(d.path(), Some("practice passphrase 1"));
        let location = LogLocation::File(path);
        // (No test sets PASSPHRASE_VAR in this process: the environment gives none.)
        let missing = open(&location, None).err();
        assert!(
            matches!(missing, Some(StoreError::NeedsPassphrase)),
            "{missing:?}"
        );
        assert_eq!(
            missing.as_ref().and_then(secret_to_ask),
            Some(Secret::Passphrase)
        );
        let wrong = open(&location, Some("not it")).err();
        assert!(
            matches!(wrong, Some(StoreError::WrongPassphrase)),
            "{wrong:?}"
        );
        assert_eq!(
            wrong.as_ref().and_then(secret_to_ask),
            None,
            "not asked again"
        );
        let log = ok(open_to_write(&location, Some("practice passphrase 1")));
        assert!(ok(log.store().project()).is_some());
    }

    #[test]
    fn open_asking_asks_once_for_the_passphrase_and_passes_on_a_failed_ask() {
        let d = dir();
        let location = LogLocation::File(practice_file(d.path(), Some("a passphrase")));
        let mut asked = Vec::new();
        let log = open_asking(&location, |s| {
            asked.push(s);
            Ok::<_, StoreError>("a passphrase".to_string())
        });
        assert!(log.is_ok());
        assert_eq!(asked, vec![Secret::Passphrase]);
        let refused = open_asking(&location, |_| {
            Err(StoreError::SignIn("nobody to ask".into()))
        });
        assert!(matches!(refused, Err(StoreError::SignIn(_))));
        // A plain file is never asked about.
        let plain = LogLocation::File(practice_file(&d.path().join("plain"), None));
        let log = open_asking(&plain, |s| -> StoreResult<String> {
            panic!("asked for {s:?}")
        });
        assert!(log.is_ok());
    }

    /// Makes `path` read-only until dropped: `chmod a-w`, or for root (who may
    /// write anyway) `chattr +i`; `None` where neither can be done.
    struct ReadOnly(PathBuf, bool);

    impl ReadOnly {
        fn make(path: &Path) -> Option<Self> {
            let chattr = |flag: &str| {
                std::process::Command::new("chattr")
                    .arg(flag)
                    .arg(path)
                    .status()
                    .is_ok_and(|s| s.success())
            };
            let mut perms = ok(std::fs::metadata(path)).permissions();
            perms.set_readonly(true);
            ok(std::fs::set_permissions(path, perms));
            let writable = std::fs::OpenOptions::new().write(true).open(path).is_ok();
            if !writable {
                return Some(ReadOnly(path.to_path_buf(), false));
            }
            chattr("+i").then(|| ReadOnly(path.to_path_buf(), true))
        }
    }

    impl Drop for ReadOnly {
        fn drop(&mut self) {
            if self.1 {
                let undone = std::process::Command::new("chattr")
                    .arg("-i")
                    .arg(&self.0)
                    .status()
                    .is_ok_and(|s| s.success());
                assert!(undone, "chattr -i {}", self.0.display());
            }
            if let Ok(m) = std::fs::metadata(&self.0) {
                let mut perms = m.permissions();
                #[allow(clippy::permissions_set_readonly_false)]
                perms.set_readonly(false);
                ok(std::fs::set_permissions(&self.0, perms));
            }
        }
    }

    #[test]
    fn a_read_only_file_is_refused_for_writing_but_opens_to_read() {
        let d = dir();
        let path = practice_file(d.path(), None);
        let location = LogLocation::File(path.clone());
        let Some(_read_only) = ReadOnly::make(&path) else {
            eprintln!("SKIPPED: cannot make a file read-only here");
            return;
        };
        let refused = open_to_write(&location, None).err();
        assert!(matches!(refused, Some(StoreError::ReadOnly)), "{refused:?}");
        assert_eq!(refused.as_ref().and_then(secret_to_ask), None);
        let log = ok(open(&location, None));
        assert!(ok(log.store().project()).is_some(), "reading still works");
    }

    #[test]
    fn the_location_comes_from_the_arguments_and_hides_a_server_password() {
        let file = ok(LogLocation::from_args(Some(Path::new("x.sqlite3")), None));
        assert_eq!(file, LogLocation::File(PathBuf::from("x.sqlite3")));
        let server = ok(LogLocation::from_args(
            Some(Path::new("x.sqlite3")),
            Some("postgres://desk:s3cret@server/cutover"),
        ));
        assert!(matches!(server, LogLocation::Server(_)));
        assert_eq!(server.describe(), "postgres://desk@server/cutover");
    }

    #[test]
    fn a_server_wanting_a_password_is_asked_only_without_the_variable() {
        let wants = StoreError::ServerWantsPassword {
            server: "desk@server:5432/cutover".into(),
            message: "the server wants a password".into(),
        };
        let expected = std::env::var_os(SERVER_PASSWORD_VAR)
            .is_none()
            .then_some(Secret::ServerPassword);
        assert_eq!(secret_to_ask(&wants), expected);
        let other = StoreError::Open {
            path: "desk@server:5432/cutover".into(),
            message: "connection refused".into(),
        };
        assert_eq!(secret_to_ask(&other), None, "not decided from the words");
    }
}
