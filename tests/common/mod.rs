//! Shared fixtures: a synthetic practice on a real SQLite file, or on a fresh
//! database of a real PostgreSQL server (`pg`). Every NHS number is from the 999
//! test range.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod pg;
pub mod ui;

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use cutover_log::domain::dates::parse_date_time;
use cutover_log::domain::{
    Actor, ClinicalSystem, ItemDraft, ItemInput, ItemKind, OdsCode, Project, Role, Staff,
};
use cutover_log::store::{CutoverStore, PostgresStore, SqliteStore};

pub fn t(s: &str) -> NaiveDateTime {
    parse_date_time(s).expect("test time")
}

/// During cutover: the fixture project runs 16/11/2026 18:00 to 23/11/2026 08:00.
pub fn during() -> NaiveDateTime {
    t("2026-11-20T10:00")
}

pub fn project() -> Project {
    Project {
        practice_name: "Test Surgery".into(),
        ods_code: OdsCode::parse("A81001").expect("ods"),
        old_system: ClinicalSystem::EmisWeb,
        new_system: ClinicalSystem::TppSystmOne,
        cutover_start: t("2026-11-16T18:00"),
        go_live: t("2026-11-23T08:00"),
    }
}

/// Where a fixture's log lives, for what a test must do behind the store's back
/// (tampering, reopening).
pub enum Db {
    Sqlite(std::path::PathBuf),
    Postgres(Box<pg::TestDb>),
}

impl Db {
    /// Runs raw SQL on the database, bypassing the store: the first text on
    /// SQLite, the second on PostgreSQL. The error is the database's message.
    pub fn exec(&self, sqlite: &str, postgres: &str) -> Result<(), String> {
        match self {
            Db::Sqlite(path) => rusqlite::Connection::open(path)
                .and_then(|c| c.execute_batch(sqlite))
                .map_err(|e| e.to_string()),
            Db::Postgres(db) => db.exec(postgres),
        }
    }

    /// A new, independent store on the same log (as another desk, or after a restart).
    pub fn reopen(&self) -> Result<Box<dyn CutoverStore + Send>, cutover_log::store::StoreError> {
        Ok(match self {
            Db::Sqlite(path) => Box::new(SqliteStore::open(path)?),
            Db::Postgres(db) => Box::new(PostgresStore::with_config(db.config())?),
        })
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }
}

/// A set-up practice: project, four staff with passwords. `S` is the store.
pub struct Practice<S = SqliteStore> {
    pub dir: tempfile::TempDir,
    pub store: S,
    pub gp: Staff,
    pub nurse: Staff,
    pub reception: Staff,
    pub manager: Staff,
    /// Declared last: dropped after the store has closed its connection.
    pub db: Db,
}

impl Practice<SqliteStore> {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("log.sqlite3");
        let store = SqliteStore::open(&path).expect("open");
        Practice::set_up(dir, store, Db::Sqlite(path))
    }
}

impl Practice<PostgresStore> {
    /// The practice on a fresh database of the test server, or `None` (with a
    /// loud message) when no server is configured and none is required; see
    /// [`pg::server`].
    pub fn on_postgres() -> Option<Self> {
        let db = pg::TestDb::create()?;
        let store = PostgresStore::with_config(db.config()).expect("connect to the test database");
        Some(Practice::set_up(
            tempfile::tempdir().expect("tempdir"),
            store,
            Db::Postgres(Box::new(db)),
        ))
    }
}

impl<S: CutoverStore> Practice<S> {
    fn set_up(dir: tempfile::TempDir, mut store: S, db: Db) -> Self {
        let setup = Actor::system("test setup", t("2026-11-16T09:00"));
        store.create_project(&project(), &setup).expect("project");
        let gp = store.add_staff("Dr Test Gp", Role::Gp, &setup).expect("gp");
        let nurse = store
            .add_staff("Test Nurse", Role::Nurse, &setup)
            .expect("nurse");
        let reception = store
            .add_staff("Test Receptionist", Role::Reception, &setup)
            .expect("rec");
        let manager = store
            .add_staff("Test Manager", Role::PracticeManager, &setup)
            .expect("pm");
        for s in [&gp, &nurse, &reception, &manager] {
            let me = Actor::staff(s.id, s.name.clone(), t("2026-11-16T09:00"));
            store
                .set_password(s.id, TEST_PASSWORD, &me)
                .expect("password");
        }
        Self {
            dir,
            store,
            gp,
            nurse,
            reception,
            manager,
            db,
        }
    }

    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("log.sqlite3")
    }

    /// These items as a desk reading them now would see them (for a status change).
    pub fn seen(&self, ids: &[cutover_log::domain::ItemId]) -> Vec<cutover_log::domain::SeenItem> {
        ids.iter()
            .map(|&id| self.store.item(id).expect("item").seen())
            .collect()
    }

    pub fn desk(&self, at: NaiveDateTime) -> Actor {
        Actor::staff(self.reception.id, self.reception.name.clone(), at)
    }

    pub fn as_manager(&self, at: NaiveDateTime) -> Actor {
        Actor::staff(self.manager.id, self.manager.name.clone(), at)
    }

    pub fn as_gp(&self, at: NaiveDateTime) -> Actor {
        Actor::staff(self.gp.id, self.gp.name.clone(), at)
    }
}

/// Declares each named test (a generic `fn name<S: CutoverStore>(p: Practice<S>)`)
/// twice: `sqlite::name` on a SQLite file and `postgres::name` on a fresh
/// database of the test PostgreSQL server. One set of tests, two stores.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(super::common::Practice::new());
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(p) = super::common::Practice::on_postgres() {
                        super::$name(p);
                    }
                }
            )*
        }
    };
}

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A complete, valid draft of each kind for a test patient.
pub fn draft(kind: ItemKind, clinician: &Staff, nhs: &str, occurred: &str) -> ItemDraft {
    let f = match kind {
        ItemKind::Appointment => fields(&[
            ("appointment_action", "booked"),
            ("appointment_at", "2026-11-27T10:30"),
            ("slot_type", "Routine GP"),
        ]),
        ItemKind::Prescription => fields(&[
            ("medication", "Amlodipine 5mg tablets"),
            ("dose", "One daily"),
            ("quantity", "28 tablets"),
            ("prescription_type", "repeat"),
            ("issued_via", "eps"),
            ("request_channel", "phone"),
        ]),
        ItemKind::Consultation => fields(&[
            ("summary", "BP review.\nContinue treatment."),
            ("clinical_codes", "Hypertension 38341003"),
        ]),
        ItemKind::HomeVisit => fields(&[("visit_date", "2026-11-21")]),
        ItemKind::PathologyResult => {
            fields(&[("test_name", "HbA1c"), ("result_date", "2026-11-19")])
        }
        ItemKind::Referral => fields(&[
            ("referred_to", "Cardiology"),
            ("ubrn", "000011112222"),
            ("referral_priority", "urgent"),
        ]),
        ItemKind::Registration => fields(&[("previous_practice", "Elsewhere Test Surgery")]),
        ItemKind::Correspondence => fields(&[("source", "nhs_111"), ("sender", "NHS 111")]),
        ItemKind::Immunisation => fields(&[("vaccine", "Influenza"), ("batch_number", "BN123")]),
        ItemKind::TelephoneCall | ItemKind::Other => BTreeMap::new(),
    };
    ItemDraft {
        kind: Some(kind),
        occurred_at: occurred.into(),
        nhs_number: nhs.into(),
        patient_name: "Test Patient-Zoë O'Brien".into(),
        date_of_birth: "1960-02-01".into(),
        clinician: Some(clinician.id),
        details: format!("Details for {}", kind.label()),
        fields: f,
    }
}

pub fn input(kind: ItemKind, clinician: &Staff, nhs: &str, occurred: &str) -> ItemInput {
    draft(kind, clinician, nhs, occurred)
        .validate(during())
        .expect("valid draft")
}

/// Every fixture staff member's password (synthetic, for tests only).
pub const TEST_PASSWORD: &str = "test-password";

/// Test-range NHS numbers (all pass Modulus 11).
pub const NHS_A: &str = "9990000018";
pub fn nhs(n: u32) -> String {
    (999_000_000 + n..)
        .find_map(cutover_log::domain::NhsNumber::from_first_nine)
        .map(|x| x.digits())
        .expect("nhs")
}
