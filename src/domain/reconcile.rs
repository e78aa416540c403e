//! Reconciliation after go-live: whether a row of the new system's report is a
//! logged item re-entered there. One table with one rule per kind (what
//! identifies the item in the new system), a strength for every fit, and the
//! pairing of a whole report against the log in which only a confident fit that
//! nothing else competes for is proposed. Pure: the store reads the items and
//! records what a person accepted.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::capture::matching::{normalise, same_patient};
use crate::domain::{ItemId, ItemInput, ItemKind, Status};

/// When a report row's date fits an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// The appointment's slot: this field's date and time, exactly.
    Slot(&'static str),
    /// Issued in the new system on or after go-live (a prescription is issued
    /// again there, not back-dated).
    OnOrAfterGoLive,
    /// On the item's own day (the new record carries the original date).
    SameDay,
}

/// What else must agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A kind's own field, compared after [`normalise`].
    Field(&'static str),
    /// The responsible clinician.
    Clinician,
}

/// The rule for one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconcileRule {
    pub when: When,
    pub keys: &'static [Key],
}

/// The rule for each kind: the same patient always, then these.
pub fn rule(kind: ItemKind) -> ReconcileRule {
    use ItemKind as K;
    let (when, keys): (When, &'static [Key]) = match kind {
        K::Appointment => (When::Slot("appointment_at"), &[]),
        K::Prescription => (When::OnOrAfterGoLive, &[Key::Field("medication")]),
        K::Immunisation => (When::SameDay, &[Key::Field("vaccine")]),
        K::PathologyResult => (When::SameDay, &[Key::Field("test_name")]),
        K::Consultation | K::TelephoneCall | K::HomeVisit => (When::SameDay, &[Key::Clinician]),
        K::Referral | K::Registration | K::Correspondence | K::Other => (When::SameDay, &[]),
    };
    ReconcileRule { when, keys }
}

/// Why a fit is only possible: a person must look before it counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doubt {
    /// The dates are a day apart.
    DayApart,
    /// The same day, another time (an appointment's slot).
    OtherTime,
    /// This field is spelt differently (close, not the same).
    SpeltDifferently(&'static str),
    /// The report does not give this field.
    NotInReport(&'static str),
    /// Another clinician.
    OtherClinician,
    /// Another report row fits this item as well (at this line).
    AlsoFitsRow(u64),
    /// Another item fits this row as well.
    AlsoFitsItem(ItemId),
    /// The item was marked not needed: a person decides whether it is in.
    MarkedNotNeeded,
    /// The item was marked a problem: a person decides.
    MarkedProblem,
}

impl Doubt {
    /// The doubt in words, for the screen and the command line.
    pub fn describe(&self) -> String {
        let label = |key: &str| key.replace('_', " ");
        match self {
            Doubt::DayApart => "the dates are a day apart".into(),
            Doubt::OtherTime => "another time on the same day".into(),
            Doubt::SpeltDifferently(f) => format!("the {} is spelt differently", label(f)),
            Doubt::NotInReport(f) => format!("the report does not give the {}", label(f)),
            Doubt::OtherClinician => "another clinician".into(),
            Doubt::AlsoFitsRow(line) => format!("row {line} fits this item too"),
            Doubt::AlsoFitsItem(id) => format!("item {} fits this row too", id.0),
            Doubt::MarkedNotNeeded => {
                "the item was marked not needed (accepting keeps that and its reason)".into()
            }
            Doubt::MarkedProblem => {
                "the item was marked a problem (accepting keeps that and its note)".into()
            }
        }
    }
}

/// How a report row fits an item: confident when nothing is in doubt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    pub doubts: Vec<Doubt>,
}

impl Fit {
    pub fn is_confident(&self) -> bool {
        self.doubts.is_empty()
    }
}

/// Whether the new system's report row `row` is the logged item `item`
/// re-entered: `None` when it is not (another patient or kind, another drug,
/// a date too far, a prescription issued before go-live), else the fit with
/// what is in doubt. More than one doubt is too far to be the same event.
pub fn fit(item: &ItemInput, row: &ItemInput, go_live: NaiveDate) -> Option<Fit> {
    if item.kind != row.kind || !same_patient(&item.patient, &row.patient) {
        return None;
    }
    let rule = rule(item.kind);
    let mut doubts = Vec::new();
    match rule.when {
        When::Slot(field) => {
            doubts.extend(slot_doubt(
                slot_or_time(item, field),
                slot_or_time(row, field),
            )?);
        }
        When::OnOrAfterGoLive => {
            if row.occurred_at.date() < go_live {
                return None;
            }
        }
        When::SameDay => doubts.extend(day_doubt(item.occurred_at.date(), row.occurred_at.date())?),
    }
    for key in rule.keys {
        match key {
            Key::Field(field) => match (item.fields.get(*field), row.fields.get(*field)) {
                (Some(a), Some(b)) => doubts.extend(text_doubt(field, a, b)?),
                (Some(_), None) => doubts.push(Doubt::NotInReport(field)),
                (None, _) => {}
            },
            Key::Clinician => match (item.clinician, row.clinician) {
                (Some(a), Some(b)) if a != b => doubts.push(Doubt::OtherClinician),
                (Some(_), None) => doubts.push(Doubt::NotInReport("clinician")),
                _ => {}
            },
        }
    }
    (doubts.len() <= 1).then_some(Fit { doubts })
}

fn slot_doubt(item: NaiveDateTime, row: NaiveDateTime) -> Option<Option<Doubt>> {
    if item == row {
        Some(None)
    } else if item.date() == row.date() {
        Some(Some(Doubt::OtherTime))
    } else if item.time() == row.time() {
        day_doubt(item.date(), row.date())
    } else {
        None
    }
}

fn day_doubt(item: NaiveDate, row: NaiveDate) -> Option<Option<Doubt>> {
    match (row - item).num_days().abs() {
        0 => Some(None),
        1 => Some(Some(Doubt::DayApart)),
        _ => None,
    }
}

/// The same (after [`normalise`]), spelt differently (every number the same and
/// at most two letters apart per ten), or another thing altogether (`None`).
fn text_doubt(field: &'static str, item: &str, row: &str) -> Option<Option<Doubt>> {
    let (a, b) = (normalise(field, item), normalise(field, row));
    if a == b {
        return Some(None);
    }
    let numbers = |s: &str| -> Vec<String> {
        s.split(' ')
            .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
            .map(str::to_string)
            .collect()
    };
    let allowed = (a.chars().count().max(b.chars().count()) / 5).max(1);
    (numbers(&a) == numbers(&b) && edit_distance(&a, &b) <= allowed)
        .then_some(Some(Doubt::SpeltDifferently(field)))
}

/// Levenshtein distance by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A logged item as reconciliation sees it.
#[derive(Debug, Clone, Copy)]
pub struct LoggedItem<'a> {
    pub id: ItemId,
    pub input: &'a ItemInput,
    pub status: Status,
    /// Already verified against an earlier report.
    pub verified: bool,
    /// The day it was ticked re-entered (when a prescription is issued again).
    pub re_entered_on: Option<NaiveDate>,
}

/// A checked row of the new system's report.
#[derive(Debug, Clone, Copy)]
pub struct ReportRow<'a> {
    pub line: u64,
    pub input: &'a ItemInput,
    /// The item this row of this same file was already accepted as: one row
    /// confirms at most one item, so it is paired with nothing else.
    pub accepted_as: Option<ItemId>,
}

/// What part of the log a report covers, for "not found": every day its rows
/// are about (per kind), narrowed by a person to fewer days or one clinician
/// when the report was (a report of one clinic or one prescriber covers only
/// theirs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coverage {
    /// Only items due on these days (first, last), within the report's own.
    pub days: Option<(NaiveDate, NaiveDate)>,
    /// Only items of this clinician.
    pub clinician: Option<crate::domain::StaffId>,
}

impl Coverage {
    /// The days from `from` to `to` (either end open), or none when neither is
    /// given; `None` when `from` is after `to`. The one rule for the screen and
    /// the command line.
    pub fn days_between(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Option<Option<(NaiveDate, NaiveDate)>> {
        match (from, to) {
            (None, None) => Some(None),
            (from, to) => {
                let (from, to) = (from.unwrap_or(NaiveDate::MIN), to.unwrap_or(NaiveDate::MAX));
                (from <= to).then_some(Some((from, to)))
            }
        }
    }
}

/// The days a report's rows of one kind are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoveredDays {
    pub kind: ItemKind,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// A row and an item that fit, with what is in doubt (nothing, for a proposal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairing {
    pub line: u64,
    pub item: ItemId,
    pub doubts: Vec<Doubt>,
}

/// A whole report against the log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reconciliation {
    /// One row and one item, confident, and neither fits anything else: a person
    /// may accept these (one by one or all at once).
    pub proposed: Vec<Pairing>,
    /// Possible or ambiguous fits: shown, never applied without a person choosing.
    pub to_judge: Vec<Pairing>,
    /// Confident fits with items already verified (by this report or another):
    /// nothing to do.
    pub already_verified: Vec<Pairing>,
    /// Items ticked re-entered, of a kind and on a day the report covers, never
    /// verified, that nothing in the report fits: ticked but not found in the new
    /// system.
    pub not_found: Vec<ItemId>,
    /// Report rows that fit no item: entered in the new system, never logged.
    pub unlogged: Vec<u64>,
    /// The days each kind's rows are about (before any narrowing), in kind order.
    pub covered: Vec<CoveredDays>,
}

/// The key that finds the candidates for a row: its kind and patient.
type PatientKey = (
    ItemKind,
    Option<crate::domain::NhsNumber>,
    String,
    Option<NaiveDate>,
);

fn patient_key(input: &ItemInput) -> PatientKey {
    let p = &input.patient;
    match p.nhs_number {
        Some(n) => (input.kind, Some(n), String::new(), None),
        None => (input.kind, None, normalise("", &p.name), p.date_of_birth),
    }
}

/// The day an item should appear in the new system's report, by its kind's
/// rule: the slot's day, the day it was re-entered (a prescription issued
/// again), or its own day.
fn expected_day(item: &LoggedItem<'_>) -> Option<NaiveDate> {
    match rule(item.input.kind).when {
        When::Slot(field) => Some(slot_or_time(item.input, field).date()),
        When::OnOrAfterGoLive => item.re_entered_on,
        When::SameDay => Some(item.input.occurred_at.date()),
    }
}

/// An appointment's slot (its own time when the field is missing).
fn slot_or_time(input: &ItemInput, field: &str) -> NaiveDateTime {
    input
        .fields
        .get(field)
        .and_then(|s| crate::domain::dates::from_iso(s))
        .unwrap_or(input.occurred_at)
}

/// The day a report row is about (the slot's day for an appointment).
fn row_day(row: &ReportRow<'_>) -> NaiveDate {
    match rule(row.input.kind).when {
        When::Slot(field) => slot_or_time(row.input, field).date(),
        When::OnOrAfterGoLive | When::SameDay => row.input.occurred_at.date(),
    }
}

/// Pairs every report row with the items it fits. Voided items are the
/// caller's to leave out. A row already accepted as an item (in this file) and
/// an item already verified are paired with nothing new: one row confirms one
/// item, and an item is verified once. Only items of a kind the report has,
/// expected on a day its rows of that kind cover (within `coverage`), can be
/// "not found": an appointments report says nothing of prescriptions, and
/// Monday's issues nothing of Friday's.
pub fn reconcile(
    items: &[LoggedItem<'_>],
    rows: &[ReportRow<'_>],
    go_live: NaiveDate,
    coverage: Coverage,
) -> Reconciliation {
    let mut by_patient: HashMap<PatientKey, Vec<usize>> = HashMap::new();
    for (n, item) in items.iter().enumerate() {
        by_patient
            .entry(patient_key(item.input))
            .or_default()
            .push(n);
    }
    // Every fit: (row index, item index, fit); a row or an item with any fit
    // is neither unlogged nor not found.
    let mut fits: Vec<(usize, usize, Fit)> = Vec::new();
    let mut row_has_fit = vec![false; rows.len()];
    let mut item_has_fit = vec![false; items.len()];
    for (r, row) in rows.iter().enumerate() {
        for &i in by_patient
            .get(&patient_key(row.input))
            .into_iter()
            .flatten()
        {
            if let Some(f) = fit(items[i].input, row.input, go_live) {
                row_has_fit[r] = true;
                item_has_fit[i] = true;
                fits.push((r, i, f));
            }
        }
    }
    let mut out = Reconciliation::default();
    // What is settled already leaves the pairing. A row accepted as an item
    // (in this file) stays with it, shown as already verified, and is paired
    // with nothing else; an item verified (by this file or another) is shown
    // once as already verified, by its accepted row or else its first
    // confident fit, and is paired with nothing new.
    let mut settled = vec![false; items.len()];
    for (r, i, _) in &fits {
        if rows[*r].accepted_as == Some(items[*i].id) && !settled[*i] {
            settled[*i] = true;
            out.already_verified.push(Pairing {
                line: rows[*r].line,
                item: items[*i].id,
                doubts: Vec::new(),
            });
        }
    }
    let mut open: Vec<(usize, usize, Fit)> = Vec::new();
    for (r, i, f) in fits {
        if rows[r].accepted_as.is_some() {
            continue;
        }
        if items[i].verified || settled[i] {
            if f.is_confident() && !settled[i] {
                settled[i] = true;
                out.already_verified.push(Pairing {
                    line: rows[r].line,
                    item: items[i].id,
                    doubts: Vec::new(),
                });
            }
            continue;
        }
        open.push((r, i, f));
    }
    // Each open row's and item's fits (indices into `open`), to find a rival.
    let mut row_fits: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    let mut item_fits: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for (n, (r, i, _)) in open.iter().enumerate() {
        row_fits[*r].push(n);
        item_fits[*i].push(n);
    }
    for (n, (r, i, f)) in open.iter().enumerate() {
        let mut doubts = f.doubts.clone();
        match items[*i].status {
            Status::NotNeeded => doubts.push(Doubt::MarkedNotNeeded),
            Status::Problem => doubts.push(Doubt::MarkedProblem),
            Status::Outstanding | Status::ReEntered => {}
        }
        if let Some(&other) = item_fits[*i].iter().find(|&&m| m != n) {
            doubts.push(Doubt::AlsoFitsRow(rows[open[other].0].line));
        }
        if let Some(&other) = row_fits[*r].iter().find(|&&m| m != n) {
            doubts.push(Doubt::AlsoFitsItem(items[open[other].1].id));
        }
        let pairing = Pairing {
            line: rows[*r].line,
            item: items[*i].id,
            doubts,
        };
        if pairing.doubts.is_empty() {
            out.proposed.push(pairing);
        } else {
            out.to_judge.push(pairing);
        }
    }
    let mut covered: BTreeMap<ItemKind, (NaiveDate, NaiveDate)> = BTreeMap::new();
    for row in rows {
        let day = row_day(row);
        let span = covered.entry(row.input.kind).or_insert((day, day));
        *span = (span.0.min(day), span.1.max(day));
    }
    out.covered = covered
        .iter()
        .map(|(&kind, &(first, last))| CoveredDays { kind, first, last })
        .collect();
    let covers = |item: &LoggedItem<'_>| {
        let Some(&(mut first, mut last)) = covered.get(&item.input.kind) else {
            return false;
        };
        if let Some((from, to)) = coverage.days {
            first = first.max(from);
            last = last.min(to);
        }
        let theirs = coverage
            .clinician
            .is_none_or(|c| item.input.clinician == Some(c));
        // Due on a day the report covers: a prescription re-entered the day
        // before a one-day report is not the report's to judge.
        theirs && expected_day(item).is_some_and(|d| d >= first && d <= last)
    };
    out.not_found = items
        .iter()
        .zip(&item_has_fit)
        .filter(|(item, has_fit)| {
            !**has_fit && item.status == Status::ReEntered && !item.verified && covers(item)
        })
        .map(|(item, _)| item.id)
        .collect();
    out.unlogged = rows
        .iter()
        .zip(&row_has_fit)
        .filter(|(_, has_fit)| !**has_fit)
        .map(|(row, _)| row.line)
        .collect();
    out.proposed.sort_by_key(|p| p.line);
    out.to_judge.sort_by_key(|p| (p.line, p.item));
    out.already_verified.sort_by_key(|p| (p.line, p.item));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::StaffId;
    use crate::domain::dates::from_iso;
    use crate::domain::item::test_input as input;

    const GO_LIVE: &str = "2026-12-01T08:00";

    fn go_live() -> NaiveDate {
        from_iso(GO_LIVE).map(|d| d.date()).unwrap_or_default()
    }

    fn drug(nhs: &str, at: &str, name: &str) -> ItemInput {
        input(ItemKind::Prescription, nhs, at, &[("medication", name)])
    }

    fn slot(nhs: &str, at: &str) -> ItemInput {
        input(
            ItemKind::Appointment,
            nhs,
            "2026-11-25T09:00",
            &[("appointment_at", at)],
        )
    }

    const A: &str = "9990000018";
    const B: &str = "9990000026";

    #[test]
    fn the_same_drug_issued_after_go_live_is_confident() {
        let logged = drug(A, "2026-11-25T10:40", "Amlodipine 5 mg tabs");
        let row = drug(A, "2026-12-02T00:00", "AMLODIPINE 5MG TABLETS");
        assert_eq!(fit(&logged, &row, go_live()), Some(Fit { doubts: vec![] }));
    }

    #[test]
    fn near_misses_are_never_confident() {
        let logged = drug(A, "2026-11-25T10:40", "Amlodipine 5mg tablets");
        // Same patient, another drug: no fit at all.
        assert_eq!(
            fit(
                &logged,
                &drug(A, "2026-12-02T00:00", "Atorvastatin 20mg tablets"),
                go_live()
            ),
            None
        );
        // Same drug, another patient.
        assert_eq!(
            fit(
                &logged,
                &drug(B, "2026-12-02T00:00", "Amlodipine 5mg tablets"),
                go_live()
            ),
            None
        );
        // Another strength is another drug.
        assert_eq!(
            fit(
                &logged,
                &drug(A, "2026-12-02T00:00", "Amlodipine 10mg tablets"),
                go_live()
            ),
            None
        );
        // Issued before go-live: the old system's issue, migrated.
        assert_eq!(
            fit(
                &logged,
                &drug(A, "2026-11-30T00:00", "Amlodipine 5mg tablets"),
                go_live()
            ),
            None
        );
        // Spelt differently: possible, for a person to judge.
        assert_eq!(
            fit(
                &logged,
                &drug(A, "2026-12-02T00:00", "Amlodipin 5mg tablets"),
                go_live()
            ),
            Some(Fit {
                doubts: vec![Doubt::SpeltDifferently("medication")]
            })
        );
        // The report leaves the drug out: possible.
        let bare = input(ItemKind::Prescription, A, "2026-12-02T00:00", &[]);
        assert_eq!(
            fit(&logged, &bare, go_live()),
            Some(Fit {
                doubts: vec![Doubt::NotInReport("medication")]
            })
        );
    }

    #[test]
    fn a_day_apart_is_possible_and_two_days_is_not_a_fit() {
        let logged = input(
            ItemKind::Immunisation,
            A,
            "2026-11-26T11:00",
            &[("vaccine", "Influenza")],
        );
        let on = |at| input(ItemKind::Immunisation, A, at, &[("vaccine", "INFLUENZA")]);
        assert_eq!(
            fit(&logged, &on("2026-11-26T00:00"), go_live()),
            Some(Fit { doubts: vec![] })
        );
        assert_eq!(
            fit(&logged, &on("2026-11-27T00:00"), go_live()),
            Some(Fit {
                doubts: vec![Doubt::DayApart]
            })
        );
        assert_eq!(fit(&logged, &on("2026-11-28T00:00"), go_live()), None);
        // A day apart and spelt differently: too far.
        let both = input(
            ItemKind::Immunisation,
            A,
            "2026-11-27T00:00",
            &[("vaccine", "Influensa")],
        );
        assert_eq!(fit(&logged, &both, go_live()), None);
    }

    #[test]
    fn an_appointment_is_its_slot() {
        let logged = slot(A, "2026-12-03T10:30");
        assert!(
            fit(&logged, &slot(A, "2026-12-03T10:30"), go_live()).is_some_and(|f| f.is_confident())
        );
        assert_eq!(
            fit(&logged, &slot(A, "2026-12-03T10:40"), go_live()).map(|f| f.doubts),
            Some(vec![Doubt::OtherTime])
        );
        assert_eq!(
            fit(&logged, &slot(A, "2026-12-04T10:30"), go_live()).map(|f| f.doubts),
            Some(vec![Doubt::DayApart])
        );
        assert_eq!(fit(&logged, &slot(A, "2026-12-05T10:30"), go_live()), None);
        assert_eq!(fit(&logged, &slot(B, "2026-12-03T10:30"), go_live()), None);
    }

    #[test]
    fn a_consultation_is_its_day_and_clinician() {
        let mut logged = input(ItemKind::Consultation, A, "2026-11-26T11:00", &[]);
        logged.clinician = Some(StaffId(3));
        let mut row = input(ItemKind::Consultation, A, "2026-11-26T00:00", &[]);
        row.clinician = Some(StaffId(3));
        assert!(fit(&logged, &row, go_live()).is_some_and(|f| f.is_confident()));
        row.clinician = Some(StaffId(4));
        assert_eq!(
            fit(&logged, &row, go_live()).map(|f| f.doubts),
            Some(vec![Doubt::OtherClinician])
        );
        row.clinician = None;
        assert_eq!(
            fit(&logged, &row, go_live()).map(|f| f.doubts),
            Some(vec![Doubt::NotInReport("clinician")])
        );
    }

    fn logged<'a>(id: i64, input: &'a ItemInput, status: Status) -> LoggedItem<'a> {
        LoggedItem {
            id: ItemId(id),
            input,
            status,
            verified: false,
            re_entered_on: None,
        }
    }

    #[test]
    fn only_a_fit_nothing_else_competes_for_is_proposed() {
        let one = slot(A, "2026-12-03T10:30");
        let ticked = drug(A, "2026-11-25T10:00", "Amlodipine 5mg tablets");
        let never_entered = drug(B, "2026-11-25T10:00", "Ramipril 2.5mg capsules");
        let other_kind = input(ItemKind::Referral, B, "2026-11-25T10:00", &[]);
        let mut items = [
            logged(1, &one, Status::Outstanding),
            logged(2, &ticked, Status::ReEntered),
            logged(3, &never_entered, Status::ReEntered),
            logged(4, &other_kind, Status::ReEntered),
        ];
        // Ticked re-entered on the day the report's prescriptions were issued.
        items[2].re_entered_on = day("2026-12-01T00:00");
        // Two identical appointments in the new system, the drug, and a row
        // nobody logged.
        let twin = slot(A, "2026-12-03T10:30");
        let issued = drug(A, "2026-12-01T00:00", "AMLODIPINE 5 MG TABS");
        let stranger = drug(B, "2026-12-01T00:00", "Metformin 500mg tablets");
        let rows = [
            ReportRow {
                line: 2,
                input: &twin,
                accepted_as: None,
            },
            ReportRow {
                line: 3,
                input: &twin,
                accepted_as: None,
            },
            ReportRow {
                line: 4,
                input: &issued,
                accepted_as: None,
            },
            ReportRow {
                line: 5,
                input: &stranger,
                accepted_as: None,
            },
        ];
        let r = reconcile(&items, &rows, go_live(), Coverage::default());
        assert_eq!(
            r.proposed,
            vec![Pairing {
                line: 4,
                item: ItemId(2),
                doubts: vec![]
            }]
        );
        assert_eq!(
            r.to_judge,
            vec![
                Pairing {
                    line: 2,
                    item: ItemId(1),
                    doubts: vec![Doubt::AlsoFitsRow(3)]
                },
                Pairing {
                    line: 3,
                    item: ItemId(1),
                    doubts: vec![Doubt::AlsoFitsRow(2)]
                },
            ]
        );
        assert_eq!(
            r.not_found,
            vec![ItemId(3)],
            "the referral's kind is not in this report"
        );
        assert_eq!(r.unlogged, vec![5]);
    }

    fn row<'a>(line: u64, input: &'a ItemInput) -> ReportRow<'a> {
        ReportRow {
            line,
            input,
            accepted_as: None,
        }
    }

    fn day(s: &str) -> Option<NaiveDate> {
        from_iso(s).map(|d| d.date())
    }

    #[test]
    fn only_items_due_on_a_day_the_report_covers_can_be_not_found() {
        let monday = drug(A, "2026-11-25T10:00", "Amlodipine 5mg tablets");
        let friday = drug(B, "2026-11-25T10:00", "Ramipril 2.5mg capsules");
        let mut items = [
            logged(1, &monday, Status::ReEntered),
            logged(2, &friday, Status::ReEntered),
        ];
        items[0].re_entered_on = day("2026-12-01T00:00");
        items[1].re_entered_on = day("2026-12-05T00:00");
        // Issues of 01/12 and 02/12: Friday's re-entry is not theirs to judge.
        let first = drug(B, "2026-12-01T00:00", "Metformin 500mg tablets");
        let other = drug(B, "2026-12-02T00:00", "Metformin 500mg tablets");
        let r = reconcile(
            &items,
            &[row(2, &first), row(3, &other)],
            go_live(),
            Coverage::default(),
        );
        assert_eq!(r.not_found, vec![ItemId(1)]);
        assert_eq!(
            r.covered,
            vec![CoveredDays {
                kind: ItemKind::Prescription,
                first: day("2026-12-01T00:00").unwrap_or_default(),
                last: day("2026-12-02T00:00").unwrap_or_default(),
            }]
        );
        // A report of one day says nothing of the day before.
        let r = reconcile(&items, &[row(3, &other)], go_live(), Coverage::default());
        assert!(r.not_found.is_empty(), "{:?}", r.not_found);
        // An appointment is due on its slot's day: a report of the day before
        // its slot does not cover it, one of its day does.
        let booked = slot(A, "2026-12-09T10:30");
        let items = [logged(3, &booked, Status::ReEntered)];
        let day_before = slot(B, "2026-12-08T09:00");
        let r = reconcile(
            &items,
            &[row(2, &day_before)],
            go_live(),
            Coverage::default(),
        );
        assert!(r.not_found.is_empty());
        let same_day = slot(B, "2026-12-09T09:00");
        let r = reconcile(&items, &[row(2, &same_day)], go_live(), Coverage::default());
        assert_eq!(r.not_found, vec![ItemId(3)]);
    }

    #[test]
    fn a_person_narrows_what_the_report_covers_to_days_or_a_clinician() {
        let mut shah = input(ItemKind::Consultation, A, "2026-11-26T10:00", &[]);
        shah.clinician = Some(StaffId(3));
        let mut okafor = input(ItemKind::Consultation, B, "2026-11-27T10:00", &[]);
        okafor.clinician = Some(StaffId(4));
        let items = [
            logged(1, &shah, Status::ReEntered),
            logged(2, &okafor, Status::ReEntered),
        ];
        // A report of 26/11 to 28/11 with neither patient in it.
        const C: &str = "9990000034";
        let a = input(ItemKind::Consultation, C, "2026-11-26T00:00", &[]);
        let b = input(ItemKind::Consultation, C, "2026-11-28T00:00", &[]);
        let rows = [row(2, &a), row(3, &b)];
        let whole = reconcile(&items, &rows, go_live(), Coverage::default());
        assert_eq!(whole.not_found, vec![ItemId(1), ItemId(2)]);
        let clinic = Coverage {
            clinician: Some(StaffId(4)),
            ..Coverage::default()
        };
        assert_eq!(
            reconcile(&items, &rows, go_live(), clinic).not_found,
            vec![ItemId(2)]
        );
        let days = Coverage {
            days: Some((
                day("2026-11-26T00:00").unwrap_or_default(),
                day("2026-11-26T00:00").unwrap_or_default(),
            )),
            ..Coverage::default()
        };
        assert_eq!(
            reconcile(&items, &rows, go_live(), days).not_found,
            vec![ItemId(1)]
        );
    }

    #[test]
    fn a_row_accepted_as_an_item_confirms_no_other_and_a_verified_item_has_no_rival() {
        let first = drug(A, "2026-11-25T10:00", "Amlodipine 5mg tablets");
        let second = drug(A, "2026-11-27T10:00", "Amlodipine 5mg tablets");
        let issued = drug(A, "2026-12-02T00:00", "Amlodipine 5mg tablets");
        let mut items = [
            logged(1, &first, Status::ReEntered),
            logged(2, &second, Status::Outstanding),
        ];
        // Rows 8 and 9 both fit both items: four pairings to judge.
        let r = reconcile(
            &items,
            &[row(8, &issued), row(9, &issued)],
            go_live(),
            Coverage::default(),
        );
        assert_eq!(r.to_judge.len(), 4);
        // Row 8 accepted as item 1 (item 1 verified): row 8 and item 1 leave
        // the pairing, and row 9 with item 2 is all that is left, confident.
        items[0].verified = true;
        let mut eight = row(8, &issued);
        eight.accepted_as = Some(ItemId(1));
        let r = reconcile(
            &items,
            &[eight, row(9, &issued)],
            go_live(),
            Coverage::default(),
        );
        assert_eq!(
            r.proposed,
            vec![Pairing {
                line: 9,
                item: ItemId(2),
                doubts: vec![]
            }]
        );
        assert!(r.to_judge.is_empty(), "{:?}", r.to_judge);
        assert_eq!(
            r.already_verified,
            vec![Pairing {
                line: 8,
                item: ItemId(1),
                doubts: vec![]
            }]
        );
        assert!(r.unlogged.is_empty() && r.not_found.is_empty());
        // The same file read again with both accepted: nothing left to do.
        items[1].verified = true;
        let mut nine = row(9, &issued);
        nine.accepted_as = Some(ItemId(2));
        let r = reconcile(&items, &[eight, nine], go_live(), Coverage::default());
        assert!(r.proposed.is_empty() && r.to_judge.is_empty());
        assert_eq!(r.already_verified.len(), 2);
    }

    #[test]
    fn an_item_marked_not_needed_or_a_problem_is_for_a_person_to_judge() {
        let one = drug(A, "2026-11-25T10:00", "Amlodipine 5mg tablets");
        let two = drug(B, "2026-11-25T10:00", "Ramipril 2.5mg capsules");
        let items = [
            logged(1, &one, Status::NotNeeded),
            logged(2, &two, Status::Problem),
        ];
        let r1 = drug(A, "2026-12-02T00:00", "Amlodipine 5mg tablets");
        let r2 = drug(B, "2026-12-02T00:00", "Ramipril 2.5mg capsules");
        let r = reconcile(
            &items,
            &[row(2, &r1), row(3, &r2)],
            go_live(),
            Coverage::default(),
        );
        assert!(r.proposed.is_empty());
        assert_eq!(
            r.to_judge
                .iter()
                .map(|p| p.doubts.clone())
                .collect::<Vec<_>>(),
            vec![vec![Doubt::MarkedNotNeeded], vec![Doubt::MarkedProblem]]
        );
    }

    #[test]
    fn one_row_two_items_is_ambiguous_and_an_earlier_verification_is_not_lost() {
        let first = drug(A, "2026-11-25T10:00", "Amlodipine 5mg tablets");
        let second = drug(A, "2026-11-27T10:00", "Amlodipine 5mg tablets");
        let mut items = [
            logged(1, &first, Status::Outstanding),
            logged(2, &second, Status::ReEntered),
        ];
        items[1].re_entered_on = day("2026-12-02T00:00");
        let issued = drug(A, "2026-12-02T00:00", "Amlodipine 5mg tablets");
        let r = reconcile(&items, &[row(7, &issued)], go_live(), Coverage::default());
        assert!(r.proposed.is_empty());
        assert_eq!(r.to_judge.len(), 2);
        assert!(
            r.to_judge
                .iter()
                .all(|p| matches!(p.doubts[..], [Doubt::AlsoFitsItem(_)]))
        );
        // An item verified against an earlier report is not "not found" in a
        // later one that does not have it.
        let elsewhere = drug(B, "2026-12-02T00:00", "Metformin 500mg tablets");
        let later = [row(2, &elsewhere)];
        assert_eq!(
            reconcile(&items, &later, go_live(), Coverage::default()).not_found,
            vec![ItemId(2)]
        );
        items[1].verified = true;
        assert!(
            reconcile(&items, &later, go_live(), Coverage::default())
                .not_found
                .is_empty()
        );
        // Run again, a report with the item verified before proposes nothing.
        let r = reconcile(
            &items[1..],
            &[row(7, &issued)],
            go_live(),
            Coverage::default(),
        );
        assert!(r.proposed.is_empty());
        assert_eq!(r.already_verified.len(), 1);
    }
}
