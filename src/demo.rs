//! A synthetic practice cutover, deterministic from a seed: for `--demo`, the
//! `demo` command, tests and benchmarks. Every NHS number is from the 999 test
//! range, which is never issued to a real patient.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::domain::dates::{iso_date, iso_date_time};
use crate::domain::{
    Actor, ClinicalSystem, ItemDraft, ItemKind, NhsNumber, OdsCode, Project, Reentry, Role, Staff,
    Status,
};
use crate::store::{CutoverStore, ImportedItem, StoreError, StoreResult};

/// A small, stable pseudo-random generator (SplitMix64): the same seed gives the
/// same practice on every machine and every version.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const FIRST_NAMES: &[&str] = &[
    "Zoë", "Siobhán", "Oliver", "Amelia", "José", "Chloé", "Mohammed", "Aisha", "Łukasz", "Niamh",
    "Renée", "Tomás", "Grace", "Ifeoma", "Håkon", "Priya", "Seán", "Maël", "Eilidh", "Arjun",
];
const LAST_NAMES: &[&str] = &[
    "O'Neill",
    "D'Souza",
    "Smith-Jones",
    "Nuñez",
    "Müller",
    "Kowalski",
    "Okafor",
    "MacLeod",
    "Brontë",
    "Singh",
    "Ó Briain",
    "Zieliński",
    "Evans",
    "Patel",
    "Adeyemi",
    "Ferreira",
    "Nguyen",
    "Thompson",
    "Khan",
    "Ahmed",
];
const MEDICATIONS: &[(&str, &str, &str)] = &[
    ("Amlodipine 5mg tablets", "One daily", "28 tablets"),
    (
        "Metformin 500mg tablets",
        "One twice a day with food",
        "56 tablets",
    ),
    (
        "Amoxicillin 500mg capsules",
        "One three times a day for 7 days",
        "21 capsules",
    ),
    (
        "Salbutamol 100micrograms/dose inhaler",
        "Two puffs when required",
        "1 inhaler",
    ),
    ("Sertraline 50mg tablets", "One daily", "28 tablets"),
    ("Atorvastatin 20mg tablets", "One at night", "28 tablets"),
    (
        "Levothyroxine 50microgram tablets",
        "One each morning",
        "28 tablets",
    ),
    (
        "Omeprazole 20mg capsules",
        "One daily before breakfast",
        "28 capsules",
    ),
];
const SLOT_TYPES: &[&str] = &[
    "Routine GP",
    "Urgent GP",
    "Nurse",
    "Telephone",
    "Pharmacist review",
];
const TESTS: &[&str] = &[
    "FBC",
    "U&E",
    "HbA1c",
    "LFT",
    "TSH",
    "Lipid profile",
    "Urine MC&S",
];
const SERVICES: &[&str] = &[
    "Cardiology",
    "Dermatology",
    "Physiotherapy",
    "Gastroenterology",
    "Breast clinic",
];
const VACCINES: &[&str] = &[
    "Influenza (adult)",
    "COVID-19 booster",
    "Pneumococcal PPV23",
    "Shingrix",
    "Td/IPV",
];
const SUMMARIES: &[&str] = &[
    "Reviewed BP readings, home average 138/86. Continue current treatment; recheck 3 months.",
    "Cough for 10 days, chest clear, no red flags. Safety-netted; return if worse.",
    "Diabetes review: feet checked, HbA1c requested. Discussed diet and activity.",
    "Low mood for 6 weeks; PHQ-9 14. Started sertraline, review 2 weeks; crisis numbers given.",
    "Knee pain after fall. No bony tenderness. Analgesia and physio self-referral advised.",
];

/// Every demo staff member's password (the demo is synthetic; never use this for real).
pub const DEMO_PASSWORD: &str = "demo-password";

/// The demo practice's staff: name and role.
pub const STAFF: &[(&str, Role)] = &[
    ("Dr Amira Testwell", Role::Gp),
    ("Dr Tom Fictional", Role::Gp),
    ("Jo Sampleton", Role::Nurse),
    ("Priya Placeholder", Role::Pharmacist),
    ("Sam Reception", Role::Reception),
    ("Alex Frontdesk", Role::Reception),
    ("Chris Manager", Role::PracticeManager),
];

/// Weighted mix of kinds, roughly as a practice logs them.
const KIND_WEIGHTS: &[(ItemKind, u64)] = &[
    (ItemKind::Prescription, 35),
    (ItemKind::Appointment, 25),
    (ItemKind::Consultation, 12),
    (ItemKind::TelephoneCall, 8),
    (ItemKind::PathologyResult, 5),
    (ItemKind::Correspondence, 5),
    (ItemKind::Referral, 3),
    (ItemKind::Immunisation, 3),
    (ItemKind::HomeVisit, 2),
    (ItemKind::Registration, 1),
    (ItemKind::Other, 1),
];

fn pick_kind(rng: &mut Rng) -> ItemKind {
    let total: u64 = KIND_WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut n = rng.below(total);
    for (k, w) in KIND_WEIGHTS {
        if n < *w {
            return *k;
        }
        n -= w;
    }
    ItemKind::Other
}

/// A synthetic patient.
#[derive(Debug, Clone)]
pub struct DemoPatient {
    pub nhs_number: NhsNumber,
    pub name: String,
    pub date_of_birth: NaiveDate,
}

/// `count` patients with valid NHS numbers in the 999 test range.
pub fn patients(count: usize, rng: &mut Rng) -> Vec<DemoPatient> {
    let mut out = Vec::with_capacity(count);
    let mut first_nine = 999_000_000u32 + (rng.below(1000) as u32);
    while out.len() < count {
        first_nine += 1 + rng.below(37) as u32;
        if first_nine > 999_999_999 {
            first_nine = 999_000_000;
        }
        let Some(nhs_number) = NhsNumber::from_first_nine(first_nine) else {
            continue;
        };
        let name = format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
        let dob = NaiveDate::from_ymd_opt(
            1930 + rng.below(94) as i32,
            1 + rng.below(12) as u32,
            1 + rng.below(28) as u32,
        )
        .unwrap_or_default();
        out.push(DemoPatient {
            nhs_number,
            name,
            date_of_birth: dob,
        });
    }
    out
}

/// The demo project: a 9-day cutover that went live two days before `now`.
pub fn project(now: NaiveDateTime) -> Project {
    let today = now.date();
    let at = |days: i64, h: u32| {
        (today - Duration::days(days))
            .and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default())
    };
    Project {
        practice_name: "Riverside Demo Practice".into(),
        ods_code: OdsCode::parse("Y99901").unwrap_or_else(|_| unreachable_ods()),
        old_system: ClinicalSystem::EmisWeb,
        new_system: ClinicalSystem::TppSystmOne,
        cutover_start: at(11, 18),
        go_live: at(2, 8),
    }
}

fn unreachable_ods() -> OdsCode {
    // "Y99901" is a valid ODS shape; this is never reached.
    OdsCode::parse("Y00000").unwrap_or_else(|_| unreachable_ods())
}

/// Generates `count` items for `project` with `staff`, logged during cutover; items
/// logged long enough ago are partly worked off after go-live.
pub fn items(
    count: usize,
    seed: u64,
    project: &Project,
    staff: &[Staff],
    now: NaiveDateTime,
) -> Vec<ImportedItem> {
    let mut rng = Rng::new(seed);
    let pats = patients((count / 3).max(10), &mut rng);
    let clinicians: Vec<&Staff> = staff.iter().filter(|s| s.role.is_clinician()).collect();
    let prescribers: Vec<&Staff> = staff
        .iter()
        .filter(|s| matches!(s.role, Role::Gp | Role::Pharmacist))
        .collect();
    let desk: Vec<&Staff> = staff.iter().filter(|s| s.role == Role::Reception).collect();
    let (Some(_), Some(_), Some(_)) = (clinicians.first(), prescribers.first(), desk.first())
    else {
        return Vec::new();
    };
    let window_minutes = (project.go_live.min(now) - project.cutover_start)
        .num_minutes()
        .max(60);
    let mut out = Vec::with_capacity(count);
    let mut attempts = 0;
    while out.len() < count && attempts < count * 3 {
        attempts += 1;
        let kind = pick_kind(&mut rng);
        let p = rng.pick(&pats).clone();
        let occurred_at =
            project.cutover_start + Duration::minutes(rng.below(window_minutes as u64) as i64);
        let logged_at = occurred_at + Duration::minutes(rng.below(90) as i64);
        let clinician = match kind {
            ItemKind::Prescription => Some(rng.pick(&prescribers).id),
            ItemKind::Consultation => Some(rng.pick(&clinicians).id),
            _ if rng.chance(40) => Some(rng.pick(&clinicians).id),
            _ => None,
        };
        let mut fields = BTreeMap::new();
        let mut set = |k: &str, v: String| {
            fields.insert(k.to_string(), v);
        };
        let mut details = String::new();
        match kind {
            ItemKind::Appointment => {
                set(
                    "appointment_action",
                    rng.pick(&[
                        "booked",
                        "cancelled",
                        "rescheduled",
                        "attended",
                        "did_not_attend",
                    ])
                    .to_string(),
                );
                let when = occurred_at
                    + Duration::days(rng.below(20) as i64)
                    + Duration::minutes(rng.below(8) as i64 * 15);
                set("appointment_at", iso_date_time(when));
                set("slot_type", rng.pick(SLOT_TYPES).to_string());
            }
            ItemKind::Prescription => {
                let (m, d, q) = rng.pick(MEDICATIONS);
                set("medication", m.to_string());
                set("dose", d.to_string());
                set("quantity", q.to_string());
                set(
                    "prescription_type",
                    rng.pick(&["acute", "repeat", "repeat", "repeat_dispensing"])
                        .to_string(),
                );
                set(
                    "issued_via",
                    rng.pick(&["eps", "eps", "eps", "paper_fp10"]).to_string(),
                );
                set(
                    "request_channel",
                    rng.pick(&["phone", "counter", "online", "other"])
                        .to_string(),
                );
            }
            ItemKind::Consultation => {
                set("summary", rng.pick(SUMMARIES).to_string());
                if rng.chance(60) {
                    set(
                        "clinical_codes",
                        rng.pick(&[
                            "Hypertension 38341003",
                            "Cough 49727002",
                            "Depression 35489007",
                        ])
                        .to_string(),
                    );
                }
            }
            ItemKind::TelephoneCall => {
                details = "Patient called about results; advised and note made.".into()
            }
            ItemKind::HomeVisit => {
                details = "Housebound; requested visit for chest infection.".into();
                set(
                    "visit_date",
                    iso_date(occurred_at.date() + Duration::days(1)),
                );
            }
            ItemKind::PathologyResult => {
                set("test_name", rng.pick(TESTS).to_string());
                set("result_date", iso_date(occurred_at.date()));
                details = "Paper result received from lab; file and action.".into();
            }
            ItemKind::Referral => {
                set("referred_to", rng.pick(SERVICES).to_string());
                if rng.chance(70) {
                    set("ubrn", format!("{:012}", rng.below(1_000_000_000_000)));
                }
                set(
                    "referral_priority",
                    rng.pick(&["routine", "urgent", "two_week_wait"])
                        .to_string(),
                );
            }
            ItemKind::Registration => {
                details = "New registration held back during cutover.".into();
                set("previous_practice", "Hillside Demo Surgery".into());
            }
            ItemKind::Correspondence => {
                set(
                    "source",
                    rng.pick(&["letter", "nhs_111", "out_of_hours", "email"])
                        .to_string(),
                );
                set(
                    "sender",
                    rng.pick(&["Demo General Hospital", "NHS 111", "OOH service"])
                        .to_string(),
                );
                details = "Discharge summary; medication changes to action.".into();
            }
            ItemKind::Immunisation => {
                set("vaccine", rng.pick(VACCINES).to_string());
                set("batch_number", format!("BN{}", 10_000 + rng.below(90_000)));
            }
            ItemKind::Other => details = "Change of address noted in old system.".into(),
        }
        let draft = ItemDraft {
            kind: Some(kind),
            occurred_at: iso_date_time(occurred_at),
            nhs_number: p.nhs_number.to_string(),
            patient_name: p.name.clone(),
            date_of_birth: iso_date(p.date_of_birth),
            clinician,
            details,
            fields,
        };
        let Ok(input) = draft.validate(now) else {
            continue;
        };
        let assignee = input.default_assignee();
        // After go-live, part of the log has been worked off, oldest first.
        let age_share =
            (logged_at - project.cutover_start).num_minutes() * 100 / window_minutes.max(1);
        let reentry = if now > project.go_live && age_share < 60 && rng.chance(70) {
            let by = assignee.unwrap_or_else(|| rng.pick(&desk).id);
            let since_live = (now - project.go_live).num_minutes().max(1);
            let at = project.go_live + Duration::minutes(rng.below(since_live as u64) as i64);
            if rng.chance(92) {
                Reentry {
                    status: Status::ReEntered,
                    by: Some(by),
                    at: Some(at),
                    note: String::new(),
                }
            } else {
                Reentry {
                    status: Status::NotNeeded,
                    by: Some(by),
                    at: Some(at),
                    note: "Already in new system from the extract".into(),
                }
            }
        } else {
            Reentry::outstanding()
        };
        out.push(ImportedItem {
            input,
            logged_by: rng.pick(&desk).id,
            logged_at,
            assignee,
            reentry,
            void: None,
            stated: None,
        });
    }
    out
}

/// Fills an empty database with the demo project, its staff and `count` items.
pub fn fill(
    store: &mut dyn CutoverStore,
    count: usize,
    seed: u64,
    now: NaiveDateTime,
) -> StoreResult<usize> {
    if store.project()?.is_some() {
        return Err(StoreError::ProjectExists);
    }
    let actor = Actor::system("demo generator", now);
    let project = project(now);
    store.create_project(&project, &actor)?;
    let mut staff = Vec::new();
    for (name, role) in STAFF {
        staff.push(store.add_staff(name, *role, &actor)?);
    }
    let list = items(count, seed, &project, &staff, now);
    let n = store.import_items(&list, &actor)?;
    for s in &staff {
        store.set_password(
            s.id,
            DEMO_PASSWORD,
            &Actor::staff(s.id, s.name.clone(), now),
        )?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_practice() {
        let now = crate::domain::dates::parse_date_time("2026-11-25T12:00").unwrap_or_default();
        let staff: Vec<Staff> = STAFF
            .iter()
            .enumerate()
            .map(|(i, (n, r))| Staff {
                id: crate::domain::StaffId(i as i64 + 1),
                name: n.to_string(),
                role: *r,
                active: true,
            })
            .collect();
        let p = project(now);
        let a = items(500, 7, &p, &staff, now);
        let b = items(500, 7, &p, &staff, now);
        assert_eq!(a.len(), 500);
        assert_eq!(a, b);
        assert!(a.iter().all(|i| {
            i.input
                .patient
                .nhs_number
                .is_some_and(|n| n.is_test_range())
        }));
        for kind in ItemKind::ALL {
            assert!(
                a.iter().any(|i| i.input.kind == kind),
                "no {kind:?} in 500 items"
            );
        }
        assert_ne!(a, items(500, 8, &p, &staff, now));
    }
}
