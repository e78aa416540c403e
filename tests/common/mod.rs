//! Shared fixtures: a synthetic practice on a real SQLite file. Every NHS number
//! is from the 999 test range.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod ui;

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use cutover_log::domain::dates::parse_date_time;
use cutover_log::domain::{
    Actor, ClinicalSystem, ItemDraft, ItemInput, ItemKind, OdsCode, Project, Role, Staff,
};
use cutover_log::store::{CutoverStore, SqliteStore};

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

pub struct Practice {
    pub dir: tempfile::TempDir,
    pub store: SqliteStore,
    pub gp: Staff,
    pub nurse: Staff,
    pub reception: Staff,
    pub manager: Staff,
}

impl Practice {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = SqliteStore::open(&dir.path().join("log.sqlite3")).expect("open");
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
        }
    }

    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("log.sqlite3")
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
