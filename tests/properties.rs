//! Property tests (issue 9, "Reliability"):
//! - NHS numbers: formatting and parsing round-trip, the Modulus 11 rule computed
//!   independently here, and every single-digit change refused;
//! - UK dates: what the app shows parses back to the same value;
//! - the store: any sequence of status changes, undos, assignments, edits and voids
//!   leaves an audit trail that replays to the stored item, one event per change
//!   that succeeded, with the hash chain intact.
//!
//! Case counts are modest so a debug-build `cargo test` stays quick (512 per NHS
//! number and date property, 32 sequences for the store); run the store property
//! longer with `PROPTEST_CASES=1000 cargo test --test properties`. Every NHS
//! number generated is from the 999 test range (or is invalid by construction).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::cell::RefCell;

use chrono::{Duration, NaiveDate};
use common::*;
use cutover_log::domain::dates::{
    parse_date, parse_date_time, uk_date, uk_date_long, uk_date_time,
};
use cutover_log::domain::nhs_number::NhsNumberError;
use cutover_log::domain::{
    Actor, Item, ItemId, ItemKind, NhsNumber, PreviousStatus, StaffId, StatusChange,
};
use cutover_log::store::{CutoverStore, StoreError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// The Modulus 11 check digit, written out again here so the test does not trust
/// the code under test: weights 10 down to 2, 11 - (sum mod 11), 11 -> 0, 10 -> none.
fn mod11(first_nine: &[u8; 9]) -> Option<u8> {
    let sum: u32 = first_nine
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * (10 - i as u32))
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c as u8),
    }
}

/// Nine digits starting 999 (the range never issued to a patient).
fn test_range_first_nine() -> impl Strategy<Value = [u8; 9]> {
    proptest::array::uniform6(0u8..10).prop_map(|six| {
        let mut d = [9u8; 9];
        d[3..].copy_from_slice(&six);
        d
    })
}

fn text(digits: &[u8]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// A valid test-range NHS number.
fn valid_nhs() -> impl Strategy<Value = NhsNumber> {
    (999_000_000u32..=999_999_999).prop_filter_map("check digit 10", NhsNumber::from_first_nine)
}

proptest! {
    #![proptest_config(Config { cases: 512, failure_persistence: None, ..Config::default() })]

    #[test]
    fn a_formatted_number_parses_back_to_itself(n in valid_nhs()) {
        let shown = n.to_string();
        prop_assert!(shown.len() == 12 && &shown[3..4] == " " && &shown[7..8] == " ", "{shown}");
        prop_assert_eq!(NhsNumber::parse(&shown), Ok(n));
        prop_assert_eq!(NhsNumber::parse(&n.digits()), Ok(n));
        prop_assert_eq!(shown.parse::<NhsNumber>(), Ok(n));
        prop_assert!(n.is_test_range());
    }

    #[test]
    fn separators_anywhere_do_not_change_the_number(
        n in valid_nhs(),
        seps in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("-"), Just("  ")], 11),
    ) {
        let digits = n.digits();
        let mut typed = String::new();
        for (i, c) in digits.chars().enumerate() {
            typed.push_str(seps[i]);
            typed.push(c);
        }
        typed.push_str(seps[10]);
        prop_assert_eq!(NhsNumber::parse(&typed), Ok(n), "{:?}", typed);
    }

    #[test]
    fn accepted_exactly_when_the_check_digit_is_not_ten(first_nine in test_range_first_nine(), last in 0u8..10) {
        let typed = format!("{}{}", text(&first_nine), last);
        match mod11(&first_nine) {
            None => prop_assert_eq!(NhsNumber::parse(&typed), Err(NhsNumberError::NoCheckDigit)),
            Some(check) if check == last => {
                let n = NhsNumber::parse(&typed);
                prop_assert!(n.is_ok(), "{typed}: {n:?}");
                prop_assert_eq!(n.map(|n| n.digits()), Ok(typed.clone()));
            }
            Some(_) => prop_assert_eq!(NhsNumber::parse(&typed), Err(NhsNumberError::WrongCheckDigit)),
        }
    }

    #[test]
    fn the_check_digit_agrees_with_from_first_nine(first_nine in test_range_first_nine()) {
        let as_u32 = text(&first_nine).parse::<u32>().unwrap();
        let built = NhsNumber::from_first_nine(as_u32);
        match mod11(&first_nine) {
            None => prop_assert!(built.is_none()),
            Some(check) => prop_assert_eq!(
                built.map(|n| n.digits()),
                Some(format!("{}{}", text(&first_nine), check))
            ),
        }
    }

    #[test]
    fn any_single_digit_change_is_refused(n in valid_nhs(), pos in 0usize..10, delta in 1u8..10) {
        let mut d: Vec<u8> = n.digits().bytes().map(|b| b - b'0').collect();
        d[pos] = (d[pos] + delta) % 10;
        let typed = text(&d);
        let r = NhsNumber::parse(&typed);
        prop_assert!(
            matches!(r, Err(NhsNumberError::WrongCheckDigit | NhsNumberError::NoCheckDigit)),
            "{} -> {}: {:?}", n.digits(), typed, r
        );
    }

    #[test]
    fn a_wrong_length_is_refused_by_its_length(digits in proptest::collection::vec(0u8..10, 1..30)) {
        prop_assume!(digits.len() != 10);
        prop_assert_eq!(NhsNumber::parse(&text(&digits)), Err(NhsNumberError::WrongLength(digits.len())));
    }

    #[test]
    fn nhs_parse_never_panics_and_names_what_to_remove(s in "(?s).{0,30}") {
        if let Err(e) = NhsNumber::parse(&s) {
            let msg = e.to_string();
            prop_assert!(!msg.chars().any(cutover_log::domain::validation::is_invisible), "{msg:?}");
        }
    }

    #[test]
    fn uk_dates_shown_parse_back(days in 0i64..80_000) {
        let d = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + Duration::days(days);
        prop_assert_eq!(parse_date(&uk_date(d)), Ok(d));
        prop_assert_eq!(parse_date(&uk_date_long(d)), Ok(d));
        let t = d.and_hms_opt(0, 0, 0).unwrap() + Duration::minutes(days * 37 % 1440);
        prop_assert_eq!(parse_date_time(&uk_date_time(t)), Ok(t));
    }
}

// ---------------------------------------------------------------------------
// The store: audit trail consistent with the item after any sequence of changes
// ---------------------------------------------------------------------------

/// One change a user can make to an item from the worklist or the entry form.
#[derive(Debug, Clone)]
enum Op {
    ReEntered(&'static str),
    NotNeeded(&'static str),
    Problem(&'static str),
    Reopen,
    /// Undo the most recent status change made in this sequence.
    Undo,
    /// Assign to a fixture staff member (index), or unassign.
    Assign(Option<usize>),
    /// Correct the details; `stale` edits with an out-of-date version.
    Edit {
        details: &'static str,
        stale: bool,
    },
    Void(&'static str),
}

/// Who makes the change: the receptionist may not change a clinical item's status.
#[derive(Debug, Clone, Copy)]
enum Who {
    Gp,
    Reception,
}

const NOTES: [&str; 6] = [
    "",
    "   ",
    "Ref 42",
    "Duplicate of 17",
    "'); DROP TABLE items;--",
    "😀 محمد",
];

fn note() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(NOTES.to_vec())
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        note().prop_map(Op::ReEntered),
        note().prop_map(Op::NotNeeded),
        note().prop_map(Op::Problem),
        Just(Op::Reopen),
        Just(Op::Undo),
        proptest::option::of(0usize..4).prop_map(Op::Assign),
        (
            proptest::sample::select(vec![
                "Corrected details",
                "Rang back, =1+1",
                "Zoe\u{301} 👩🏽‍⚕️"
            ]),
            proptest::bool::weighted(0.2)
        )
            .prop_map(|(details, stale)| Op::Edit { details, stale }),
        note().prop_map(Op::Void),
    ]
}

fn case_strategy() -> impl Strategy<Value = (ItemKind, Vec<(Op, Who)>)> {
    (
        proptest::sample::select(vec![
            ItemKind::TelephoneCall,
            ItemKind::Consultation,
            ItemKind::Prescription,
            ItemKind::Appointment,
        ]),
        proptest::collection::vec(
            (op(), prop_oneof![Just(Who::Gp), Just(Who::Reception)]),
            0..12,
        ),
    )
}

/// Applies one op; `Ok(true)` if the store made the change, `Ok(false)` if it
/// refused it (with an error a user would see), `Err` for anything else.
fn apply(
    p: &mut Practice,
    id: ItemId,
    op: &Op,
    actor: &Actor,
    undo: &mut Vec<Vec<PreviousStatus>>,
) -> Result<bool, String> {
    let staff = [p.gp.id, p.nurse.id, p.reception.id, p.manager.id];
    let status = |p: &mut Practice, change: StatusChange, undo: &mut Vec<_>| {
        let seen = p.store.item(id)?.seen();
        p.store.set_status(&[seen], &change, actor).map(|prev| {
            undo.push(prev);
        })
    };
    let r: Result<(), StoreError> = match op {
        Op::ReEntered(n) => status(p, StatusChange::ReEntered { note: (*n).into() }, undo),
        Op::NotNeeded(n) => status(
            p,
            StatusChange::NotNeeded {
                reason: (*n).into(),
            },
            undo,
        ),
        Op::Problem(n) => status(p, StatusChange::Problem { note: (*n).into() }, undo),
        Op::Reopen => status(p, StatusChange::Reopen, undo),
        Op::Undo => match undo.pop() {
            None => return Ok(false),
            Some(prev) => p.store.restore_status(&prev, actor),
        },
        Op::Assign(who) => p.store.assign(&[id], who.map(|i| staff[i]), actor),
        Op::Edit { details, stale } => {
            let current = p.store.item(id).map_err(|e| e.to_string())?;
            let mut draft = current.input.to_draft();
            draft.details = (*details).into();
            let input = draft
                .validate(actor.at)
                .map_err(|e| format!("edit draft invalid: {e:?}"))?;
            let version = current.version - i64::from(*stale);
            p.store.edit_item(id, version, &input, actor).map(|_| ())
        }
        Op::Void(reason) => p.store.void_item(id, reason, actor).map(|_| ()),
    };
    match r {
        Ok(()) => Ok(true),
        Err(
            StoreError::Invalid(_)
            | StoreError::Voided(_)
            | StoreError::Conflict
            | StoreError::ChangedElsewhere(_)
            | StoreError::NotPermitted(_),
        ) => Ok(false),
        Err(e) => Err(format!("{op:?}: unexpected error: {e}")),
    }
}

/// Rebuilds the item from its audit events alone: events that carry the whole item
/// replace it; a status event sets the re-entry record, an assignment the assignee
/// (each of those also bumps the version, as the store does).
fn replay(events: &[cutover_log::domain::AuditEvent]) -> Result<Item, String> {
    let mut item: Option<Item> = None;
    for e in events {
        let after = e.after.clone().ok_or(format!("{}: no after", e.action))?;
        match e.action.as_str() {
            "item.logged" | "item.edited" | "item.voided" => {
                item = Some(serde_json::from_value(after).map_err(|x| x.to_string())?);
            }
            "item.status" | "item.status_undone" => {
                let it = item.as_mut().ok_or("status before logging")?;
                it.reentry = serde_json::from_value(after).map_err(|x| x.to_string())?;
                it.version += 1;
            }
            "item.assigned" => {
                let it = item.as_mut().ok_or("assigned before logging")?;
                it.assignee =
                    serde_json::from_value::<Option<StaffId>>(after).map_err(|x| x.to_string())?;
                it.version += 1;
            }
            other => return Err(format!("unexpected action {other}")),
        }
    }
    item.ok_or_else(|| "no events".to_string())
}

#[test]
fn any_sequence_of_changes_keeps_the_audit_trail_consistent() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32);
    let practice = RefCell::new(Practice::new());
    let serial = RefCell::new(0u32);
    // (changes made, changes refused) over every case, to show both paths ran.
    let tally = RefCell::new((0usize, 0usize));
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&case_strategy(), |(kind, ops)| {
        let mut p = practice.borrow_mut();
        let mut n = serial.borrow_mut();
        *n += 1;
        let gp = p.gp.clone();
        let logged_at = during();
        let input = input(kind, &gp, &nhs(*n), "2026-11-18T09:15");
        let desk = p.desk(logged_at);
        let item = p.store.log_item(&input, &desk).unwrap();
        let mut undo = Vec::new();
        let mut changes = 0usize;
        for (i, (op, who)) in ops.iter().enumerate() {
            let at = logged_at + Duration::minutes(i as i64 + 1);
            let actor = match who {
                Who::Gp => p.as_gp(at),
                Who::Reception => p.desk(at),
            };
            match apply(&mut p, item.id, op, &actor, &mut undo) {
                Ok(true) => changes += 1,
                Ok(false) => tally.borrow_mut().1 += 1,
                Err(e) => return Err(TestCaseError::fail(e)),
            }
        }
        let stored = p.store.item(item.id).unwrap();
        let events = p
            .store
            .history(cutover_log::domain::AuditEntity::Item, item.id.0)
            .unwrap();
        prop_assert_eq!(
            events.len(),
            changes + 1,
            "one event per change that succeeded"
        );
        prop_assert_eq!(events[0].action.as_str(), "item.logged");
        prop_assert_eq!(
            stored.version,
            1 + changes as i64,
            "version counts the changes"
        );
        tally.borrow_mut().0 += changes;
        let replayed = replay(&events).map_err(TestCaseError::fail)?;
        prop_assert_eq!(
            &replayed,
            &stored,
            "replaying the audit trail gives the stored item"
        );
        let report = p.store.verify().unwrap();
        prop_assert!(report.broken_link.is_none(), "{:?}", report.broken_link);
        prop_assert!(report.is_ok(), "{report:?}");
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (made, refused) = *tally.borrow();
    eprintln!("store property: {cases} sequences, {made} changes made, {refused} refused");
    assert!(
        made > 0 && refused > 0,
        "both paths exercised: {made} made, {refused} refused"
    );
}
