//! Hostile input catalogue (issue 9, "Reliability"): what a tired receptionist, a
//! copy-paste from a letter, a spreadsheet or an attacker might type or import.
//!
//! Every case states its expectation and is run through the product's own paths:
//! - the entry form's path: `ItemDraft` (the date and time fields joined as the
//!   form joins them) -> `ItemDraft::validate(now)` -> `CutoverStore::log_item` ->
//!   read back from SQLite, then exported to the interchange CSV and imported again;
//! - CSV import through the library: `interchange::read` -> `import_items`;
//! - a few through the `cutover-log` binary.
//!
//! A rejected case must name the field (and, for CSV, the line); a kept case must
//! read back byte for byte. Whole-file problems already in tests/cli.rs (empty,
//! UTF-16 LE, binary, header only, duplicate/unknown/missing columns) are not
//! repeated here; the variants below are new. Every NHS number is from the 999
//! test range; every name is synthetic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use chrono::NaiveDateTime;
use common::*;
use cutover_log::domain::{
    FieldError, Item, ItemDraft, ItemInput, ItemKind, NhsNumber, StaffDirectory, WorklistFilter,
};
use cutover_log::reports::interchange::{self, FileProblem, ImportContext, ImportPlan};
use cutover_log::store::{CutoverStore, ImportedItem, SqliteStore};

/// The practice's clock in every case: during cutover.
fn now() -> NaiveDateTime {
    during() // 2026-11-20 10:00
}

/// A first-nine whose Modulus 11 check digit would be 10, plus a final 0.
fn check_digit_ten() -> String {
    let first_nine = (999_000_000u32..)
        .find(|n| NhsNumber::from_first_nine(*n).is_none())
        .unwrap();
    format!("{first_nine}0")
}

// ---------------------------------------------------------------------------
// The entry form's path
// ---------------------------------------------------------------------------

/// What a case must do.
enum Expect {
    /// Refused: an error on this field whose message contains this text.
    Rejected(&'static str, &'static str),
    /// Accepted and every typed text kept exactly (names, details, free-text fields).
    Kept,
    /// Accepted, normalised as stated (checked on the validated input).
    Normalised(fn(&ItemInput) -> bool),
}

struct FormCase {
    name: &'static str,
    kind: ItemKind,
    /// The entry form's date and time boxes.
    date: String,
    time: String,
    edit: Box<dyn Fn(&mut ItemDraft)>,
    expect: Expect,
}

fn case(
    name: &'static str,
    kind: ItemKind,
    edit: impl Fn(&mut ItemDraft) + 'static,
    expect: Expect,
) -> FormCase {
    FormCase {
        name,
        kind,
        date: "20/11/2026".into(),
        time: "09:15".into(),
        edit: Box::new(edit),
        expect,
    }
}

fn when(name: &'static str, date: &str, time: &str, expect: Expect) -> FormCase {
    FormCase {
        date: date.into(),
        time: time.into(),
        ..case(name, ItemKind::TelephoneCall, |_| {}, expect)
    }
}

fn nhs_case(name: &'static str, typed: &str, expect: Expect) -> FormCase {
    let typed = typed.to_string();
    case(
        name,
        ItemKind::TelephoneCall,
        move |d| d.nhs_number = typed.clone(),
        expect,
    )
}

fn name_is(d: &mut ItemDraft, s: &str) {
    d.patient_name = s.into();
}

/// The NHS number was stored as the digits of 999 000 0018.
fn is_nhs_a(i: &ItemInput) -> bool {
    i.patient.nhs_number.map(|n| n.digits()).as_deref() == Some(NHS_A)
}

fn form_cases() -> Vec<FormCase> {
    use Expect::*;
    use ItemKind::*;
    let long_details = "x".repeat(100 * 1024);
    let max_details = "y".repeat(20_000);
    let sql = "Robert'); DROP TABLE items;--";
    vec![
        // --- NHS numbers of every shape ---
        nhs_case(
            "nhs empty",
            "",
            Rejected("nhs_number", "enter the NHS number"),
        ),
        nhs_case(
            "nhs only separators",
            " - - ",
            Rejected("nhs_number", "enter the NHS number"),
        ),
        nhs_case(
            "nhs short (9 digits)",
            "999000001",
            Rejected("nhs_number", "this has 9"),
        ),
        nhs_case(
            "nhs long (11 digits)",
            "99900000180",
            Rejected("nhs_number", "this has 11"),
        ),
        nhs_case(
            "nhs very long (200 digits)",
            &"9".repeat(200),
            Rejected("nhs_number", "this has 200"),
        ),
        nhs_case(
            "nhs letter O for zero",
            "999OOO0018",
            Rejected("nhs_number", "remove 'O'"),
        ),
        nhs_case(
            "nhs wrong check digit",
            "9990000019",
            Rejected("nhs_number", "check digit is wrong"),
        ),
        nhs_case(
            "nhs transposed digits",
            "9990000081",
            Rejected("nhs_number", "check digit is wrong"),
        ),
        nhs_case(
            "nhs check digit would be 10",
            &check_digit_ten(),
            Rejected("nhs_number", "no check digit is possible"),
        ),
        nhs_case(
            "nhs spaces in odd places",
            "9 9 9 0 0 0 0 0 1 8",
            Normalised(is_nhs_a),
        ),
        nhs_case(
            "nhs dashes in odd places",
            "-99-900-00-018-",
            Normalised(is_nhs_a),
        ),
        nhs_case(
            "nhs full-width digits",
            "９９９ ０００ ００１８",
            Rejected("nhs_number", "remove '９'"),
        ),
        nhs_case(
            "nhs Arabic-Indic digits",
            "٩٩٩٠٠٠٠٠١٨",
            Rejected("nhs_number", "only digits"),
        ),
        nhs_case(
            "nhs tab between groups",
            "999\t000\t0018",
            Rejected("nhs_number", "U+0009"),
        ),
        nhs_case(
            "nhs non-breaking spaces (pasted from a letter)",
            "999\u{a0}000\u{a0}0018",
            Rejected("nhs_number", "U+00A0"),
        ),
        nhs_case(
            "nhs right-to-left override",
            "\u{202e}9990000018",
            Rejected("nhs_number", "U+202E"),
        ),
        nhs_case(
            "nhs zero-width space",
            "999\u{200b}0000018",
            Rejected("nhs_number", "U+200B"),
        ),
        nhs_case(
            "nhs as Excel shows a number",
            "9.99E+09",
            Rejected("nhs_number", "remove '.'"),
        ),
        nhs_case(
            "nhs en dash",
            "999–000–0018",
            Rejected("nhs_number", "remove '–'"),
        ),
        nhs_case(
            "nhs SQL",
            "'); DROP TABLE items;--",
            Rejected("nhs_number", "remove '''"),
        ),
        // --- impossible, future and far-away dates ---
        when(
            "31 February",
            "31/02/2026",
            "10:00",
            Rejected("occurred_at", "'31/02/2026 10:00' is not a date and time"),
        ),
        when(
            "29 February in a non-leap year",
            "29/02/2026",
            "10:00",
            Rejected("occurred_at", "not a date and time"),
        ),
        when(
            "29 February in a leap year (long before the window: kept)",
            "29/02/2024",
            "10:00",
            Normalised(|i| i.occurred_at == t("2024-02-29T10:00")),
        ),
        when(
            "month in capitals (caps lock on): OCT has a T in it",
            "20-OCT-2026",
            "09:15",
            Normalised(|i| i.occurred_at == t("2026-10-20T09:15")),
        ),
        when(
            "00/00/0000",
            "00/00/0000",
            "00:00",
            Rejected("occurred_at", "not a date and time"),
        ),
        when(
            "month 13",
            "01/13/2026",
            "10:00",
            Rejected("occurred_at", "not a date and time"),
        ),
        when(
            "US order",
            "11/20/2026",
            "10:00",
            Rejected("occurred_at", "not a date and time"),
        ),
        when(
            "two-digit year",
            "20/11/26",
            "09:15",
            Rejected("occurred_at", "not a date and time"),
        ),
        when(
            "hour 24",
            "20/11/2026",
            "24:00",
            Rejected("occurred_at", "not a date and time"),
        ),
        when(
            "minute 61",
            "20/11/2026",
            "09:61",
            Rejected("occurred_at", "not a date and time"),
        ),
        when(
            "empty date and time",
            "",
            "",
            Rejected("occurred_at", "enter a date"),
        ),
        when(
            "just over an hour in the future",
            "20/11/2026",
            "11:01",
            Rejected("occurred_at", "in the future"),
        ),
        when(
            "within the clock tolerance",
            "20/11/2026",
            "10:59",
            Normalised(|i| i.occurred_at == t("2026-11-20T10:59")),
        ),
        when(
            "year 9999",
            "31/12/9999",
            "23:59",
            Rejected("occurred_at", "in the future"),
        ),
        when(
            "before the year 2000",
            "31/12/1999",
            "23:59",
            Rejected("occurred_at", "before the year 2000"),
        ),
        when(
            "year 0001",
            "01/01/0001",
            "00:00",
            Rejected("occurred_at", "before the year 2000"),
        ),
        when(
            "ESC in the date",
            "20/11/2026\u{1b}[2J",
            "09:15",
            Rejected("occurred_at", "U+001B"),
        ),
        when(
            "a 100 kB date",
            &"1".repeat(100 * 1024),
            "09:15",
            Rejected("occurred_at", "not a date and time"),
        ),
        case(
            "date of birth in the future",
            TelephoneCall,
            |d| d.date_of_birth = "21/11/2026".into(),
            Rejected("date_of_birth", "in the future"),
        ),
        case(
            "date of birth 31/04",
            TelephoneCall,
            |d| d.date_of_birth = "31/04/1960".into(),
            Rejected("date_of_birth", "not a date"),
        ),
        case(
            "date of birth before 1890",
            TelephoneCall,
            |d| d.date_of_birth = "01/01/1889".into(),
            Rejected("date_of_birth", "before 1890"),
        ),
        case(
            "visit date 29/02 non-leap",
            HomeVisit,
            |d| {
                d.fields.insert("visit_date".into(), "29/02/2026".into());
            },
            Rejected("visit_date", "not a date"),
        ),
        case(
            "appointment at 31 April",
            Appointment,
            |d| {
                d.fields
                    .insert("appointment_at".into(), "31/04/2026 10:00".into());
            },
            Rejected("appointment_at", "not a date and time"),
        ),
        // --- empty required fields ---
        case(
            "no kind",
            TelephoneCall,
            |d| d.kind = None,
            Rejected("kind", "choose what kind"),
        ),
        case(
            "empty patient name",
            TelephoneCall,
            |d| name_is(d, ""),
            Rejected("patient_name", "enter the patient name"),
        ),
        case(
            "patient name only spaces",
            TelephoneCall,
            |d| name_is(d, "    "),
            Rejected("patient_name", "enter the patient name"),
        ),
        case(
            "telephone call without details",
            TelephoneCall,
            |d| d.details.clear(),
            Rejected("details", "enter the details"),
        ),
        case(
            "prescription without medication",
            Prescription,
            |d| {
                d.fields.remove("medication");
            },
            Rejected("medication", "enter the medication"),
        ),
        case(
            "prescription without prescriber",
            Prescription,
            |d| d.clinician = None,
            Rejected("clinician", "choose the"),
        ),
        case(
            "registration with neither NHS number nor reason",
            Registration,
            |d| d.nhs_number.clear(),
            Rejected("no_nhs_number_reason", "give the reason"),
        ),
        // --- size ---
        case(
            "100 kB details",
            TelephoneCall,
            move |d| d.details = long_details.clone(),
            Rejected("details", "too long (102400 characters; at most 20000)"),
        ),
        case(
            "20,000-character details (the limit)",
            TelephoneCall,
            move |d| d.details = max_details.clone(),
            Kept,
        ),
        case(
            "501-character name",
            TelephoneCall,
            |d| name_is(d, &"N".repeat(501)),
            Rejected("patient_name", "too long"),
        ),
        // --- control characters ---
        case(
            "NUL in details",
            TelephoneCall,
            |d| d.details = "before\0after".into(),
            Rejected("details", "U+0000"),
        ),
        case(
            "BEL in name",
            TelephoneCall,
            |d| name_is(d, "Test\u{7}Patient"),
            Rejected("patient_name", "U+0007"),
        ),
        case(
            "ANSI escape sequence in details",
            TelephoneCall,
            |d| d.details = "\u{1b}[31mRED\u{1b}[0m alert".into(),
            Rejected("details", "U+001B"),
        ),
        case(
            "DEL in medication",
            Prescription,
            |d| {
                d.fields
                    .insert("medication".into(), "Amlodipine\u{7f} 5mg".into());
            },
            Rejected("medication", "U+007F"),
        ),
        case(
            "C1 control (NEL) inside a name",
            TelephoneCall,
            |d| name_is(d, "Test\u{85}Patient"),
            Rejected("patient_name", "U+0085"),
        ),
        case(
            "line break in a one-line name",
            TelephoneCall,
            |d| name_is(d, "Test\nPatient"),
            Rejected("patient_name", "U+000A"),
        ),
        case(
            "ESC in a choice",
            Prescription,
            |d| {
                d.fields
                    .insert("prescription_type".into(), "acute\u{1b}[2J".into());
            },
            Rejected("prescription_type", "U+001B"),
        ),
        // --- scripts, combining characters, emoji: kept exactly ---
        case(
            "right-to-left name (Arabic)",
            TelephoneCall,
            |d| name_is(d, "محمد عبد الله"),
            Kept,
        ),
        case(
            "right-to-left name (Hebrew) mixed with Latin and digits",
            TelephoneCall,
            |d| name_is(d, "Test שלום כהן 2nd"),
            Kept,
        ),
        case(
            "bidi override and isolates in details",
            TelephoneCall,
            |d| d.details = "abc \u{202e}fed\u{202c} \u{2067}x\u{2069} end".into(),
            Kept,
        ),
        case(
            "combining accents (NFD, not normalised)",
            TelephoneCall,
            |d| name_is(d, "Zoe\u{301} Mu\u{308}ller"),
            Kept,
        ),
        case(
            "stacked combining marks",
            TelephoneCall,
            |d| d.details = "Z\u{334}\u{321}\u{31b}a\u{337}l\u{335}g\u{336}o".into(),
            Kept,
        ),
        case(
            "emoji with skin tone and ZWJ",
            TelephoneCall,
            |d| d.details = "Called back 👩🏽‍⚕️ 😀 🇬🇧".into(),
            Kept,
        ),
        case(
            "zero-width characters and BOM inside a name",
            TelephoneCall,
            |d| name_is(d, "Test\u{200b}Pat\u{feff}ient\u{200d}"),
            Kept,
        ),
        case(
            "astral-plane and private-use characters",
            TelephoneCall,
            |d| d.details = "𝔗𝔢𝔰𝔱 \u{e000} \u{10ffff} 𠜎".into(),
            Kept,
        ),
        // --- SQL and spreadsheet formulas: kept exactly, never run ---
        case("SQL in name", TelephoneCall, move |d| name_is(d, sql), Kept),
        case(
            "SQL and LIKE wildcards in details",
            TelephoneCall,
            |d| d.details = "100% _done_ \\ '); DELETE FROM audit_events; --".into(),
            Kept,
        ),
        case(
            "formula cells in every text field",
            Prescription,
            |d| {
                name_is(d, "=HYPERLINK(\"http://x\",\"y\")");
                d.details = "+44 1234 567890".into();
                d.fields.insert("medication".into(), "-1 tablet".into());
                d.fields.insert("dose".into(), "@SUM(A1:A9)".into());
                d.fields
                    .insert("quantity".into(), "'=already quoted".into());
            },
            Kept,
        ),
        case(
            "quotes, commas and CRLF-free multi-line details",
            Consultation,
            |d| {
                d.fields.insert(
                    "summary".into(),
                    "line one, \"quoted\"\nline two\ttabbed\n\nline four".into(),
                );
            },
            Kept,
        ),
        // --- normalised on purpose (stated) ---
        case(
            "CRLF in details becomes LF",
            TelephoneCall,
            |d| d.details = "one\r\ntwo".into(),
            Normalised(|i| i.details == "one\ntwo"),
        ),
        case(
            "surrounding spaces trimmed from a name",
            TelephoneCall,
            |d| name_is(d, "  Test Patient  "),
            Normalised(|i| i.patient.name == "Test Patient"),
        ),
        case(
            "choice by label in any case",
            Prescription,
            |d| {
                d.fields
                    .insert("prescription_type".into(), "REPEAT DISPENSING".into());
            },
            Normalised(|i| {
                i.fields.get("prescription_type").map(String::as_str) == Some("repeat_dispensing")
            }),
        ),
        // --- fields that do not apply, malformed codes ---
        case(
            "medication on a telephone call",
            TelephoneCall,
            |d| {
                d.fields.insert("medication".into(), "Aspirin".into());
            },
            Rejected("medication", "does not apply"),
        ),
        case(
            "UBRN with letters",
            Referral,
            |d| {
                d.fields.insert("ubrn".into(), "0000 1111 222O".into());
            },
            Rejected("ubrn", "12 digits"),
        ),
        case(
            "SQL as a choice",
            Prescription,
            |d| {
                d.fields
                    .insert("issued_via".into(), "eps'); DROP TABLE items;--".into());
            },
            Rejected("issued_via", "is not one of"),
        ),
    ]
}

fn form_draft(c: &FormCase, p: &Practice) -> ItemDraft {
    let mut d = draft(c.kind, &p.gp, NHS_A, "unused");
    // The entry form joins its date and time boxes like this (ui/entry_form.rs).
    d.occurred_at = format!("{} {}", c.date.trim(), c.time.trim());
    (c.edit)(&mut d);
    d
}

/// Typed text that must come back exactly.
fn typed_texts(d: &ItemDraft) -> Vec<(String, String)> {
    let mut v = vec![
        ("patient_name".to_string(), d.patient_name.clone()),
        ("details".to_string(), d.details.clone()),
    ];
    for spec in d.kind.map(|k| k.fields()).unwrap_or_default() {
        if matches!(
            spec.input,
            cutover_log::domain::FieldInput::Text | cutover_log::domain::FieldInput::LongText
        ) && let Some(s) = d.fields.get(spec.key)
        {
            v.push((spec.key.to_string(), s.clone()));
        }
    }
    v
}

fn stored_texts(i: &ItemInput) -> BTreeMap<String, String> {
    let mut m: BTreeMap<String, String> = i.fields.clone();
    m.insert("patient_name".into(), i.patient.name.clone());
    m.insert("details".into(), i.details.clone());
    m
}

fn assert_names_field(name: &str, errs: &[FieldError], field: &str, contains: &str) {
    assert!(
        errs.iter()
            .any(|e| e.field == field && e.message.contains(contains)),
        "{name}: expected an error on '{field}' containing {contains:?}, got {errs:?}"
    );
    for e in errs {
        assert!(
            !e.message.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{name}: message echoes an invisible character: {:?}",
            e.message
        );
        assert!(
            e.message.chars().count() < 300,
            "{name}: message too long to read ({} chars)",
            e.message.chars().count()
        );
    }
}

/// Same items apart from id and version (a re-import starts its own history).
fn same_item(a: &Item, b: &Item) -> bool {
    let mut b = b.clone();
    b.id = a.id;
    b.version = a.version;
    *a == b
}

#[test]
fn entry_form_path_rejects_clearly_or_keeps_exactly() {
    let mut p = Practice::new();
    let cases = form_cases();
    assert!(cases.len() >= 50, "{} cases", cases.len());
    let mut stored: Vec<(Item, String)> = Vec::new();
    for c in &cases {
        let d = form_draft(c, &p);
        let result = d.validate(now());
        match (&c.expect, result) {
            (Expect::Rejected(field, contains), Err(errs)) => {
                assert_names_field(c.name, &errs, field, contains);
            }
            (Expect::Rejected(field, _), Ok(i)) => {
                panic!("{}: expected a refusal on {field}, accepted {i:?}", c.name)
            }
            (Expect::Kept | Expect::Normalised(_), Err(errs)) => {
                panic!("{}: expected it kept, refused: {errs:?}", c.name)
            }
            (expect, Ok(input)) => {
                if let Expect::Normalised(check) = expect {
                    assert!(
                        check(&input),
                        "{}: not normalised as stated: {input:?}",
                        c.name
                    );
                }
                let item = p
                    .store
                    .log_item(&input, &p.desk(now()))
                    .unwrap_or_else(|e| panic!("{}: store refused: {e}", c.name));
                let back = p.store.item(item.id).unwrap();
                assert_eq!(back, item, "{}: SQLite round trip", c.name);
                assert_eq!(back.input, input, "{}: stored as validated", c.name);
                if matches!(expect, Expect::Kept) {
                    let texts = stored_texts(&back.input);
                    for (key, typed) in typed_texts(&d) {
                        assert_eq!(
                            texts.get(&key).map(|s| s.as_bytes()),
                            Some(typed.as_bytes()),
                            "{}: {key} altered",
                            c.name
                        );
                    }
                }
                stored.push((back, c.name.to_string()));
            }
        }
    }
    // The SQL text did nothing: the table is there with every kept item, audited.
    assert_eq!(
        p.store
            .worklist_count(&WorklistFilter {
                include_voided: true,
                ..Default::default()
            })
            .unwrap(),
        stored.len() as u64
    );
    assert!(p.store.verify().unwrap().is_ok());

    // Every kept item survives export -> import into another database exactly.
    let csv = p.dir.path().join("hostile.csv");
    assert_eq!(
        interchange::export(&p.store, &csv).unwrap(),
        stored.len() as u64
    );
    let bytes = std::fs::read(&csv).unwrap();
    let copies = all_items(&imported_into_a_new_log(&bytes));
    let originals = all_items(&p);
    assert_eq!(copies.len(), originals.len());
    for (a, b) in originals.iter().zip(&copies) {
        let name = stored
            .iter()
            .find(|(s, _)| s.id == a.id)
            .map(|(_, n)| n.as_str())
            .unwrap_or("?");
        assert!(same_item(a, b), "{name}: CSV round trip\n{a:?}\n{b:?}");
    }
}

// ---------------------------------------------------------------------------
// CSV import through the library
// ---------------------------------------------------------------------------

/// A new practice log with `bytes` (an interchange CSV) imported, every row accepted.
fn imported_into_a_new_log(bytes: &[u8]) -> Practice {
    let mut q = Practice::new();
    let plan = read_into(&q, bytes);
    assert!(
        plan.rejected.is_empty(),
        "{:?}",
        plan.errors().map(ToString::to_string).collect::<Vec<_>>()
    );
    q.store.import_items(&plan.items, &q.desk(now())).unwrap();
    q
}

/// Every item of a practice's log, voided ones too, in stored order.
fn all_items(p: &Practice) -> Vec<Item> {
    let mut items = Vec::new();
    p.store
        .for_each_item(&mut |i| {
            items.push(i.clone());
            Ok(())
        })
        .unwrap();
    items
}

fn read_into(p: &Practice, bytes: &[u8]) -> ImportPlan {
    let staff = StaffDirectory::new(p.store.staff().unwrap());
    interchange::read(
        bytes,
        ImportContext {
            staff: &staff,
            importer: Some(p.reception.id),
            now: now(),
            file: "test.csv",
        },
    )
    .unwrap_or_else(|e| panic!("file refused: {e}"))
}

fn read_file(p: &Practice, bytes: &[u8]) -> Result<ImportPlan, FileProblem> {
    let staff = StaffDirectory::new(p.store.staff().unwrap());
    interchange::read(
        bytes,
        ImportContext {
            staff: &staff,
            importer: Some(p.reception.id),
            now: now(),
            file: "test.csv",
        },
    )
}

const COLS: [&str; 9] = [
    "kind",
    "occurred_at",
    "nhs_number",
    "patient_name",
    "date_of_birth",
    "clinician",
    "details",
    "medication",
    "status",
];

/// A good telephone-call row, by column.
fn good_row() -> BTreeMap<&'static str, String> {
    [
        ("kind", "telephone_call"),
        ("occurred_at", "2026-11-18T09:15"),
        ("nhs_number", "999 000 0018"),
        ("patient_name", "Test Patient"),
        ("date_of_birth", "1960-02-01"),
        ("clinician", "Dr Test Gp"),
        ("details", "Asked for a call back"),
        ("medication", ""),
        ("status", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

/// A file with the warning comment on line 1, the header on line 2, a good row on
/// line 3 and the case's row on line 4 (every cell quoted by the csv writer).
fn file_with(row: &BTreeMap<&'static str, String>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(COLS).unwrap();
    let good = good_row();
    w.write_record(COLS.iter().map(|c| good[c].as_str()))
        .unwrap();
    w.write_record(COLS.iter().map(|c| row[c].as_str()))
        .unwrap();
    let mut out = interchange::PATIENT_DATA_WARNING.as_bytes().to_vec();
    out.extend(w.into_inner().unwrap());
    out
}

struct CsvCase {
    name: &'static str,
    column: &'static str,
    value: String,
    /// `Some((column, text))`: the row on line 4 is rejected naming the column;
    /// `None`: kept exactly.
    rejected: Option<(&'static str, &'static str)>,
}

fn csv_case(
    name: &'static str,
    column: &'static str,
    value: impl Into<String>,
    rejected: Option<(&'static str, &'static str)>,
) -> CsvCase {
    CsvCase {
        name,
        column,
        value: value.into(),
        rejected,
    }
}

fn csv_cases() -> Vec<CsvCase> {
    let r = |col, text| Some((col, text));
    vec![
        csv_case(
            "nhs empty",
            "nhs_number",
            "",
            r("nhs_number", "enter the NHS number"),
        ),
        csv_case(
            "nhs short",
            "nhs_number",
            "999 000 001",
            r("nhs_number", "this has 9"),
        ),
        csv_case(
            "nhs long",
            "nhs_number",
            "999 000 00180",
            r("nhs_number", "this has 11"),
        ),
        csv_case(
            "nhs letters",
            "nhs_number",
            "999 OOO OO18",
            r("nhs_number", "remove 'O'"),
        ),
        csv_case(
            "nhs wrong check digit",
            "nhs_number",
            "999 000 0019",
            r("nhs_number", "check digit is wrong"),
        ),
        csv_case(
            "nhs check digit 10",
            "nhs_number",
            check_digit_ten(),
            r("nhs_number", "no check digit"),
        ),
        csv_case(
            "nhs full width",
            "nhs_number",
            "９９９０００００１８",
            r("nhs_number", "remove '９'"),
        ),
        csv_case(
            "nhs Excel scientific",
            "nhs_number",
            "9.99E+09",
            r("nhs_number", "remove '.'"),
        ),
        csv_case(
            "nhs non-breaking spaces",
            "nhs_number",
            "999\u{a0}000\u{a0}0018",
            r("nhs_number", "U+00A0"),
        ),
        csv_case(
            "occurred 31/02",
            "occurred_at",
            "31/02/2026 10:00",
            r("occurred_at", "not a date and time"),
        ),
        csv_case(
            "occurred 29/02 non-leap",
            "occurred_at",
            "2026-02-29T10:00",
            r("occurred_at", "not a date and time"),
        ),
        csv_case(
            "occurred 00/00/0000",
            "occurred_at",
            "00/00/0000 00:00",
            r("occurred_at", "not a date and time"),
        ),
        csv_case(
            "occurred next year",
            "occurred_at",
            "2027-11-18T09:15",
            r("occurred_at", "in the future"),
        ),
        csv_case(
            "occurred 1970",
            "occurred_at",
            "1970-01-01T00:00",
            r("occurred_at", "before the year 2000"),
        ),
        csv_case(
            "occurred empty",
            "occurred_at",
            "",
            r("occurred_at", "enter a date"),
        ),
        csv_case(
            "occurred date only",
            "occurred_at",
            "18/11/2026",
            r("occurred_at", "not a date and time"),
        ),
        csv_case(
            "occurred 100 kB",
            "occurred_at",
            "2".repeat(100 * 1024),
            r("occurred_at", "not a date and time"),
        ),
        csv_case(
            "date of birth 29/02/1961",
            "date_of_birth",
            "29/02/1961",
            r("date_of_birth", "not a date"),
        ),
        csv_case(
            "name empty",
            "patient_name",
            "",
            r("patient_name", "enter the patient name"),
        ),
        csv_case(
            "details empty (required for a call)",
            "details",
            "",
            r("details", "enter the details"),
        ),
        csv_case(
            "details 100 kB",
            "details",
            "d".repeat(100 * 1024),
            r("details", "too long"),
        ),
        csv_case(
            "BEL in name",
            "patient_name",
            "Test\u{7}Patient",
            r("patient_name", "U+0007"),
        ),
        csv_case(
            "ESC sequence in details",
            "details",
            "\u{1b}[2J\u{1b}[Hcleared",
            r("details", "U+001B"),
        ),
        csv_case(
            "vertical tab in details",
            "details",
            "a\u{b}b",
            r("details", "U+000B"),
        ),
        csv_case(
            "kind with ESC",
            "kind",
            "telephone_call\u{1b}[0m",
            r("kind", "U+001B"),
        ),
        csv_case(
            "kind SQL",
            "kind",
            "x'); DROP TABLE items;--",
            r("kind", "is not a kind"),
        ),
        csv_case(
            "unknown clinician with RLO",
            "clinician",
            "Dr \u{202e}evil",
            r("clinician", "U+202E"),
        ),
        csv_case(
            "status made up",
            "status",
            "done",
            r("status", "is not a status"),
        ),
        csv_case(
            "medication on a call",
            "medication",
            "Aspirin",
            r("medication", "does not apply"),
        ),
        csv_case("kind by label", "kind", "Telephone call", None),
        csv_case("RTL name", "patient_name", "محمد عبد الله", None),
        csv_case(
            "combining marks",
            "patient_name",
            "Zoe\u{301} Mu\u{308}ller",
            None,
        ),
        csv_case("emoji details", "details", "👩🏽‍⚕️ rang back 😀", None),
        csv_case(
            "bidi override details",
            "details",
            "abc \u{202e}fed\u{202c} end",
            None,
        ),
        csv_case(
            "SQL name",
            "patient_name",
            "Robert'); DROP TABLE items;--",
            None,
        ),
        csv_case(
            "formula =",
            "details",
            "=HYPERLINK(\"http://x\",\"y\")",
            None,
        ),
        csv_case("formula +", "patient_name", "+Test Patient", None),
        csv_case("formula -", "details", "-2+3", None),
        csv_case("formula @", "details", "@SUM(A1:A9)", None),
        csv_case(
            "multi-line details with quotes and commas",
            "details",
            "line \"one\", two\nline three",
            None,
        ),
    ]
}

fn expected_import_value(case: &CsvCase) -> String {
    case.value.clone()
}

#[test]
fn csv_import_rejects_with_line_and_column_or_keeps_exactly() {
    let mut p = Practice::new();
    let cases = csv_cases();
    let mut kept = 0;
    for c in &cases {
        let mut row = good_row();
        row.insert(c.column, c.value.clone());
        let bytes = file_with(&row);
        let plan = read_into(&p, &bytes);
        match c.rejected {
            Some((column, text)) => {
                assert_eq!(
                    plan.items.len(),
                    1,
                    "{}: the good row is still read",
                    c.name
                );
                assert_eq!(plan.rejected.len(), 1, "{}", c.name);
                let rej = &plan.rejected[0];
                assert_eq!(rej.line, 4, "{}: line", c.name);
                let shown: Vec<String> = rej.errors.iter().map(ToString::to_string).collect();
                assert!(
                    rej.errors
                        .iter()
                        .any(|e| e.column == column && e.message.contains(text)),
                    "{}: want column {column} with {text:?}: {shown:?}",
                    c.name
                );
                for s in &shown {
                    assert!(s.starts_with("line 4, column "), "{}: {s}", c.name);
                    assert!(
                        !s.chars().any(|ch| ch.is_control() || ch == '\u{202e}'),
                        "{}: message echoes an invisible character: {s:?}",
                        c.name
                    );
                    assert!(s.chars().count() < 300, "{}: message too long: {s}", c.name);
                }
            }
            None => {
                assert!(
                    plan.rejected.is_empty(),
                    "{}: {:?}",
                    c.name,
                    plan.errors().map(ToString::to_string).collect::<Vec<_>>()
                );
                let it = &plan.items[1];
                let got = match c.column {
                    "patient_name" => it.input.patient.name.clone(),
                    "details" => it.input.details.clone(),
                    "kind" => it.input.kind.code().to_string(),
                    other => it.input.fields.get(other).cloned().unwrap_or_default(),
                };
                let want = if c.column == "kind" {
                    "telephone_call".to_string()
                } else {
                    expected_import_value(c)
                };
                assert_eq!(got.as_bytes(), want.as_bytes(), "{}: altered", c.name);
                p.store.import_items(&plan.items, &p.desk(now())).unwrap();
                kept += 2;
            }
        }
    }
    // Everything kept goes out and comes back exactly (formulas escaped on the way).
    let csv = p.dir.path().join("out.csv");
    assert_eq!(interchange::export(&p.store, &csv).unwrap(), kept);
    let text = std::fs::read_to_string(&csv).unwrap();
    for escaped in ["\"'=HYPERLINK(", "'+Test Patient", "'-2+3", "'@SUM(A1:A9)"] {
        assert!(text.contains(escaped), "export escapes {escaped}");
    }
    let a = all_items(&p);
    let b = all_items(&imported_into_a_new_log(text.as_bytes()));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert!(same_item(x, y), "round trip\n{x:?}\n{y:?}");
    }
}

#[test]
fn csv_quoted_formula_escape_is_removed_once_on_import() {
    // A cell written by export as '=1+1 means the text =1+1; ''=x means '=x.
    let p = Practice::new();
    for (cell, want) in [("'=1+1", "=1+1"), ("''=x", "'=x"), ("'plain", "'plain")] {
        let mut row = good_row();
        row.insert("details", cell.into());
        let plan = read_into(&p, &file_with(&row));
        assert!(plan.rejected.is_empty(), "{cell}");
        assert_eq!(plan.items[1].input.details, want, "{cell}");
    }
}

#[test]
fn csv_wrong_column_counts_name_the_line() {
    let p = Practice::new();
    let header = COLS.join(",");
    let good = COLS.map(|c| good_row()[c].clone()).join(",");
    let text = format!(
        "{header}\r\n{good}\r\ntelephone_call,2026-11-18T09:15\r\n{good},extra,cells\r\n\"multi\r\nline\",{}\r\n{good},\r\n",
        &good["telephone_call,".len()..]
    );
    let plan = read_into(&p, text.as_bytes());
    let errs: Vec<String> = plan.errors().map(ToString::to_string).collect();
    assert!(
        errs.contains(
            &"line 3, column (row): this row has 2 cells but the header has 9 columns".to_string()
        ),
        "{errs:?}"
    );
    assert!(
        errs.contains(
            &"line 4, column (row): this row has 11 cells but the header has 9 columns".to_string()
        ),
        "{errs:?}"
    );
    // A quoted cell spanning two lines: the row is reported at the line it starts on,
    // and the row after it at its own line.
    assert!(
        errs.iter().any(|e| e.starts_with("line 5, column kind")),
        "{errs:?}"
    );
    assert!(
        errs.contains(
            &"line 7, column (row): this row has 10 cells but the header has 9 columns".to_string()
        ),
        "{errs:?}"
    );
    assert_eq!(plan.items.len(), 1);
}

#[test]
fn csv_whole_file_problems_not_covered_by_the_cli_tests() {
    let p = Practice::new();
    let header = COLS.join(",");
    let good = COLS.map(|c| good_row()[c].clone()).join(",");
    let utf16_no_bom: Vec<u8> = header
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let utf16_be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(header.encode_utf16().flat_map(|u| u.to_be_bytes()))
        .collect();
    let mut latin1 = format!("{header}\n{good}\n").into_bytes();
    latin1.extend(b"telephone_call,2026-11-18T09:15,9990000018,Zo\xEB,,,x,,\n");
    let mut nul_in_cell = format!("{header}\n").into_bytes();
    nul_in_cell.extend(good.replace("Asked", "As\0ked").as_bytes());
    let png: Vec<u8> = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("BOM only", b"\xEF\xBB\xBF".to_vec(), "the file is empty"),
        (
            "whitespace only",
            b" \r\n\t\r\n".to_vec(),
            "the file is empty",
        ),
        (
            "comment only",
            interchange::PATIENT_DATA_WARNING.as_bytes().to_vec(),
            "the header has no 'kind' column",
        ),
        ("UTF-16 big-endian", utf16_be, "UTF-16"),
        ("UTF-16 without a BOM", utf16_no_bom, "binary"),
        ("Latin-1 on line 3", latin1, "line 3: the file is not UTF-8"),
        ("NUL inside a cell", nul_in_cell, "binary"),
        ("a PNG", png, "binary"),
        (
            "duplicate header differing in case and spaces",
            format!("{header}, Kind \n{good},x\n").into_bytes(),
            "'kind' twice",
        ),
        (
            "header with an ESC sequence",
            format!("{header},\u{1b}[2Jx\n{good},\n").into_bytes(),
            "U+001B",
        ),
        (
            "blank rows only after the header",
            format!("{header}\n,,,,,,,,\n\n").into_bytes(),
            "no items",
        ),
    ];
    for (name, bytes, want) in cases {
        match read_file(&p, &bytes) {
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains(want), "{name}: {msg}");
                assert!(
                    !msg.chars().any(|c| c.is_control() || c == '\u{feff}'),
                    "{name}: message echoes an invisible character: {msg:?}"
                );
            }
            Ok(plan) => panic!("{name}: expected a file problem, got {plan:?}"),
        }
    }
}

#[test]
fn csv_old_mac_line_ends_double_bom_and_no_trailing_newline_read_fine() {
    let p = Practice::new();
    let header = COLS.join(",");
    let good = COLS.map(|c| good_row()[c].clone()).join(",");
    for text in [
        format!("{header}\r{good}\r{good}"),
        format!("{header}\n{good}\n{good}"),
        // A second byte-order mark (a file saved twice by different tools).
        format!("\u{feff}\u{feff}{header}\r\n{good}\r\n{good}\r\n"),
    ] {
        let plan = read_into(&p, text.as_bytes());
        assert_eq!(plan.items.len(), 2, "{text:?}");
        assert!(plan.rejected.is_empty());
    }
}

#[test]
fn import_is_all_or_nothing_when_the_store_refuses_midway() {
    // A row that passes reading but names staff the target store doesn't have
    // (an id from another database) must not leave the earlier rows behind.
    let mut p = Practice::new();
    let plan = read_into(&p, &file_with(&good_row()));
    let mut items: Vec<ImportedItem> = plan.items.clone();
    let mut bad = items[1].clone();
    bad.assignee = Some(cutover_log::domain::StaffId(9_999));
    items.push(bad);
    let before = p.store.verify().unwrap().audit_events;
    assert!(p.store.import_items(&items, &p.desk(now())).is_err());
    let all = WorklistFilter {
        include_voided: true,
        ..Default::default()
    };
    assert_eq!(
        p.store.worklist_count(&all).unwrap(),
        0,
        "nothing half-saved"
    );
    assert_eq!(p.store.verify().unwrap().audit_events, before);
}

// ---------------------------------------------------------------------------
// A few through the binary
// ---------------------------------------------------------------------------

fn cli_import(p: &Practice, name: &str, bytes: &[u8]) -> (bool, String) {
    let f = p.dir.path().join(name);
    std::fs::write(&f, bytes).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cutover-log"))
        .env("CUTOVER_LOG_PASSWORD", TEST_PASSWORD)
        .arg("--db")
        .arg(p.path())
        .args(["import", f.to_str().unwrap(), "--as", "Test Receptionist"])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn cli_import_of_hostile_rows() {
    let p = Practice::new();
    let all = WorklistFilter {
        include_voided: true,
        ..Default::default()
    };
    // Refused rows: named by line and column, nothing stored, no panic, no raw ESC
    // reaching the terminal.
    for (name, column, value, want) in [
        (
            "huge.csv",
            "details",
            "d".repeat(100 * 1024),
            "line 4, column details: Details is too long",
        ),
        (
            "esc.csv",
            "kind",
            "\u{1b}]0;pwned\u{7}".to_string(),
            "line 4, column kind: '<U+001B>]0;pwned<U+0007>' is not a kind",
        ),
        (
            "date.csv",
            "occurred_at",
            "29/02/2026 10:00".to_string(),
            "line 4, column occurred_at",
        ),
        (
            "nhs.csv",
            "nhs_number",
            check_digit_ten(),
            "line 4, column nhs_number",
        ),
    ] {
        let mut row = good_row();
        row.insert(column, value);
        let (ok, out) = cli_import(&p, name, &file_with(&row));
        assert!(!ok, "{name}: {out}");
        assert!(out.contains(want), "{name}: {out}");
        assert!(out.contains("nothing was imported"), "{name}: {out}");
        assert!(!out.contains("panicked"), "{name}: {out}");
        assert!(!out.contains('\u{1b}'), "{name}: raw ESC printed");
        assert!(out.len() < 4_000, "{name}: {} bytes of output", out.len());
    }
    let store = SqliteStore::open(&p.path()).unwrap();
    assert_eq!(store.worklist_count(&all).unwrap(), 0);
    drop(store);

    // Hostile but legitimate text goes in exactly.
    let mut row = good_row();
    row.insert("patient_name", "=cmd|' /C calc'!A0 محمد 😀".into());
    row.insert(
        "details",
        "'); DROP TABLE items;--\nZ\u{334}a\u{337}".into(),
    );
    let (ok, out) = cli_import(&p, "fine.csv", &file_with(&row));
    assert!(ok, "{out}");
    let store = SqliteStore::open(&p.path()).unwrap();
    assert_eq!(store.worklist_count(&all).unwrap(), 2);
    let mut names = Vec::new();
    store
        .for_each_item(&mut |i| {
            names.push((i.input.patient.name.clone(), i.input.details.clone()));
            Ok(())
        })
        .unwrap();
    assert!(names.contains(&(
        "=cmd|' /C calc'!A0 محمد 😀".to_string(),
        "'); DROP TABLE items;--\nZ\u{334}a\u{337}".to_string()
    )));
    assert!(store.verify().unwrap().is_ok());
}
