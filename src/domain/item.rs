//! A cutover item: one thing done in the old system during cutover that must be
//! re-entered in the new one, from the raw form or CSV text to the stored record.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::dates::{iso_date, iso_date_time, parse_date, parse_date_time};
use super::kind::{FieldInput, FieldSpec, ItemKind, all_field_specs};
use super::nhs_number::{NhsNumber, NhsNumberError};
use super::staff::StaffId;
use super::status::{Reentry, Void};
use super::validation::{FieldError, MAX_LINE, MAX_TEXT, Validation, shown};

/// An item's id in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ItemId(pub i64);

/// An item as the person acting last saw it: its id and the version on their
/// screen. A store refuses a change to an item whose version has moved on since
/// (another desk changed it), so two desks never silently overwrite each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SeenItem {
    pub id: ItemId,
    pub version: i64,
}

impl SeenItem {
    /// The item as the desk that saw it knows it after making one more change to
    /// it itself (an assignment, an undo): every change moves an item on by
    /// exactly one version, so the desk's next change still names what it saw,
    /// and is still refused if another desk changed the item as well.
    pub fn after_own_change(self) -> Self {
        Self {
            version: self.version + 1,
            ..self
        }
    }
}

/// The patient an item is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    /// Absent only for a registration held back before the patient has one.
    pub nhs_number: Option<NhsNumber>,
    pub name: String,
    pub date_of_birth: Option<NaiveDate>,
}

impl Patient {
    /// The NHS number as shown (`943 476 5919`), or "none yet" (a registration
    /// held back before the patient has one).
    pub fn nhs_number_words(&self) -> String {
        self.nhs_number
            .map_or_else(|| "none yet".into(), |n| n.to_string())
    }
}

/// An item as typed: raw text from the entry form or a CSV row, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemDraft {
    pub kind: Option<ItemKind>,
    pub occurred_at: String,
    pub nhs_number: String,
    pub patient_name: String,
    pub date_of_birth: String,
    pub clinician: Option<StaffId>,
    pub details: String,
    /// Kind-specific fields by key (see [`ItemKind::fields`]).
    pub fields: BTreeMap<String, String>,
}

/// A checked item, ready to store: every value normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemInput {
    pub kind: ItemKind,
    /// When it happened in the old system (practice wall-clock time, to the minute).
    pub occurred_at: NaiveDateTime,
    pub patient: Patient,
    /// The responsible clinician (the prescriber, for prescriptions).
    pub clinician: Option<StaffId>,
    pub details: String,
    /// Kind-specific fields, normalised: choices by code, dates ISO. Empty ones are left out.
    pub fields: BTreeMap<String, String>,
}

/// Which fields a check insists on: all the entry form's, or only what
/// matching a report row needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Required {
    All,
    ForMatching,
}

/// A stored item with its logging, assignment, re-entry and void record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: ItemId,
    #[serde(flatten)]
    pub input: ItemInput,
    pub logged_by: StaffId,
    pub logged_at: NaiveDateTime,
    /// Phase code when logged (`cutover`, `before_cutover`, `after_go_live`): anything
    /// but `cutover` is flagged.
    pub logged_phase: String,
    pub assignee: Option<StaffId>,
    pub reentry: Reentry,
    pub void: Option<Void>,
    /// Goes up by exactly one with every change; lets a store refuse a stale edit
    /// or status change.
    pub version: i64,
}

impl Item {
    /// This item as it is now: what a status change must name.
    pub fn seen(&self) -> SeenItem {
        SeenItem {
            id: self.id,
            version: self.version,
        }
    }

    /// Still to be re-entered: open (outstanding or a problem) and not voided.
    pub fn still_to_do(&self) -> bool {
        self.reentry.status.is_open() && self.void.is_none()
    }

    /// Logged outside the cutover window (before the extract or after go-live).
    pub fn logged_outside_window(&self) -> bool {
        self.logged_phase != "cutover"
    }

    /// A booked appointment falling after go-live must be transferred to the new system.
    pub fn needs_transfer(&self, go_live: NaiveDateTime) -> bool {
        self.input.kind == ItemKind::Appointment
            && matches!(
                self.input
                    .fields
                    .get("appointment_action")
                    .map(String::as_str),
                Some("booked" | "rescheduled")
            )
            && self
                .input
                .fields
                .get("appointment_at")
                .and_then(|s| super::dates::from_iso(s))
                .is_some_and(|t| t >= go_live)
    }
}

/// How far ahead of now an `occurred_at` may be (clock differences between PCs).
const FUTURE_TOLERANCE_MINUTES: i64 = 60;

impl ItemDraft {
    /// Checks everything at once; `now` is the practice's current time.
    pub fn validate(&self, now: NaiveDateTime) -> Result<ItemInput, Vec<FieldError>> {
        self.check(now, Required::All)
    }

    /// [`Self::validate`] for a row of the new system's report, which is only
    /// compared with the log, never stored: every value given is checked the
    /// same way, but only the kind, the time and the patient's NHS number must
    /// be there (what is missing of the rest makes a fit doubtful, not the row
    /// wrong).
    pub fn validate_for_matching(&self, now: NaiveDateTime) -> Result<ItemInput, Vec<FieldError>> {
        self.check(now, Required::ForMatching)
    }

    fn check(&self, now: NaiveDateTime, required: Required) -> Result<ItemInput, Vec<FieldError>> {
        let all = required == Required::All;
        let mut v = Validation::default();
        let kind = v.check("kind", self.kind.ok_or("choose what kind of item this is"));

        let occurred_at = v.check("occurred_at", parse_date_time(&self.occurred_at));
        if let Some(t) = occurred_at {
            if t > now + Duration::minutes(FUTURE_TOLERANCE_MINUTES) {
                v.error(
                    "occurred_at",
                    "this is in the future; enter when it happened in the old system",
                );
            } else if t.date() < NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default() {
                v.error(
                    "occurred_at",
                    "this is before the year 2000; check the year",
                );
            }
        }

        let registration = kind == Some(ItemKind::Registration);
        let nhs_number = if self.nhs_number.trim().is_empty() && registration {
            None
        } else {
            match NhsNumber::parse(&self.nhs_number) {
                Ok(n) => Some(n),
                Err(NhsNumberError::Empty) => {
                    v.error("nhs_number", "enter the NHS number (10 digits)");
                    None
                }
                Err(e) => {
                    v.error("nhs_number", e.to_string());
                    None
                }
            }
        };
        let name = if all {
            v.required_text("patient_name", "Patient name", &self.patient_name, MAX_LINE)
                .unwrap_or_default()
        } else {
            v.text(
                "patient_name",
                "Patient name",
                &self.patient_name,
                MAX_LINE,
                false,
            )
        };
        let date_of_birth = if self.date_of_birth.trim().is_empty() {
            if registration && nhs_number.is_none() && self.nhs_number.trim().is_empty() {
                v.error(
                    "date_of_birth",
                    "enter the date of birth: this patient has no NHS number yet",
                );
            }
            None
        } else {
            let dob = v.check("date_of_birth", parse_date(&self.date_of_birth));
            if let Some(d) = dob {
                if d > now.date() {
                    v.error("date_of_birth", "the date of birth is in the future");
                } else if d < NaiveDate::from_ymd_opt(1890, 1, 1).unwrap_or_default() {
                    v.error(
                        "date_of_birth",
                        "the date of birth is before 1890; check the year",
                    );
                }
            }
            dob
        };

        let details = v.text("details", "Details", &self.details, MAX_TEXT, true);
        let mut fields = BTreeMap::new();
        if let Some(kind) = kind {
            let rule = kind.clinician_rule();
            if all && rule.required && self.clinician.is_none() {
                v.error(
                    "clinician",
                    format!("choose the {}", rule.label.to_lowercase()),
                );
            }
            if all && kind.details_required() && self.details.trim().is_empty() {
                v.error("details", "enter the details to re-enter");
            }
            for spec in kind.fields() {
                let raw = self.fields.get(spec.key).map(String::as_str).unwrap_or("");
                let spec = FieldSpec {
                    required: spec.required && all,
                    ..*spec
                };
                if let Some(value) = normalise_field(&mut v, &spec, raw)
                    && !value.is_empty()
                {
                    fields.insert(spec.key.to_string(), value);
                }
            }
            self.refuse_foreign_fields(&mut v, kind);
            if registration && all {
                let reason = fields.contains_key(super::kind::NO_NHS_NUMBER_REASON);
                if self.nhs_number.trim().is_empty() && !reason {
                    v.error(
                        super::kind::NO_NHS_NUMBER_REASON,
                        "give the reason there is no NHS number yet (or enter the NHS number)",
                    );
                } else if !self.nhs_number.trim().is_empty() && reason {
                    v.error(
                        super::kind::NO_NHS_NUMBER_REASON,
                        "leave the reason empty when the NHS number is given",
                    );
                }
            }
        }

        v.finish()?;
        match (kind, occurred_at) {
            (Some(kind), Some(occurred_at)) => Ok(ItemInput {
                kind,
                occurred_at,
                patient: Patient {
                    nhs_number,
                    name,
                    date_of_birth,
                },
                clinician: self.clinician,
                details,
                fields,
            }),
            _ => Err(vec![FieldError::new("kind", "the item is incomplete")]),
        }
    }

    /// A value in a field of another kind would be silently lost: refuse it.
    fn refuse_foreign_fields(&self, v: &mut Validation, kind: ItemKind) {
        for spec in all_field_specs() {
            let own = kind.fields().iter().any(|f| f.key == spec.key);
            let given = self
                .fields
                .get(spec.key)
                .is_some_and(|s| !s.trim().is_empty());
            if given && !own {
                v.error(
                    spec.key,
                    format!(
                        "'{}' does not apply to {} items; move it to details or change the kind",
                        spec.label,
                        kind.label().to_lowercase()
                    ),
                );
            }
        }
    }
}

impl ItemInput {
    /// Who re-enters an item by default: consultations go to their clinician,
    /// prescriptions to their prescriber, the rest to nobody yet.
    pub fn default_assignee(&self) -> Option<StaffId> {
        if self.kind.assigned_to_clinician_by_default() {
            self.clinician
        } else {
            None
        }
    }

    /// Turns a stored item back into a draft for the edit form.
    pub fn to_draft(&self) -> ItemDraft {
        let mut fields = BTreeMap::new();
        for spec in self.kind.fields() {
            if let Some(value) = self.fields.get(spec.key) {
                fields.insert(spec.key.to_string(), display_field(spec, value));
            }
        }
        ItemDraft {
            kind: Some(self.kind),
            occurred_at: super::dates::uk_date_time(self.occurred_at),
            nhs_number: self
                .patient
                .nhs_number
                .map(|n| n.to_string())
                .unwrap_or_default(),
            patient_name: self.patient.name.clone(),
            date_of_birth: self
                .patient
                .date_of_birth
                .map(super::dates::uk_date)
                .unwrap_or_default(),
            clinician: self.clinician,
            details: self.details.clone(),
            fields,
        }
    }

    /// A one-line summary for lists: the key fields of the kind, then the details.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for spec in self.kind.fields() {
            if let Some(v) = self.fields.get(spec.key)
                && !matches!(spec.input, FieldInput::LongText)
            {
                parts.push(display_field(spec, v));
            } else if let Some(v) = self.fields.get(spec.key) {
                parts.push(first_line(v));
            }
        }
        if !self.details.is_empty() {
            parts.push(first_line(&self.details));
        }
        parts.join(" · ")
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("");
    let mut out: String = line.chars().take(120).collect();
    if line.chars().count() > 120 || s.lines().count() > 1 {
        out.push('…');
    }
    out
}

/// Checks and normalises one kind-specific field; `None` when it has an error.
fn normalise_field(v: &mut Validation, spec: &FieldSpec, raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.is_empty() {
        if spec.required {
            let verb = match spec.input {
                FieldInput::Choice(_) => "choose",
                _ => "enter",
            };
            v.error(
                spec.key,
                format!("{verb} the {}", spec.label.to_lowercase()),
            );
            return None;
        }
        return Some(String::new());
    }
    match spec.input {
        FieldInput::Text => Some(v.text(spec.key, spec.label, s, MAX_LINE, false)),
        FieldInput::LongText => Some(v.text(spec.key, spec.label, s, MAX_TEXT, true)),
        FieldInput::Date => v.check(spec.key, parse_date(s)).map(iso_date),
        FieldInput::DateTime => v.check(spec.key, parse_date_time(s)).map(iso_date_time),
        FieldInput::Choice(choices) => {
            let found = choices.iter().find(|c| {
                c.code.eq_ignore_ascii_case(s)
                    || c.label.eq_ignore_ascii_case(s)
                    || c.code.replace('_', " ").eq_ignore_ascii_case(s)
            });
            match found {
                Some(c) => Some(c.code.to_string()),
                None => {
                    let options: Vec<&str> = choices.iter().map(|c| c.code).collect();
                    v.error(
                        spec.key,
                        format!("'{}' is not one of: {}", shown(s), options.join(", ")),
                    );
                    None
                }
            }
        }
        FieldInput::Ubrn => {
            let digits: String = s.chars().filter(|c| *c != ' ' && *c != '-').collect();
            if digits.len() == 12 && digits.chars().all(|c| c.is_ascii_digit()) {
                Some(digits)
            } else {
                v.error(spec.key, "a UBRN has 12 digits");
                None
            }
        }
    }
}

/// A stored field value as staff read and type it (UK dates, choice labels).
pub fn display_field(spec: &FieldSpec, stored: &str) -> String {
    match spec.input {
        FieldInput::Date => super::dates::parse_date(stored)
            .map(super::dates::uk_date)
            .unwrap_or_else(|_| stored.to_string()),
        FieldInput::DateTime => super::dates::from_iso(stored)
            .map(super::dates::uk_date_time)
            .unwrap_or_else(|| stored.to_string()),
        FieldInput::Choice(choices) => super::kind::choice_label(choices, stored),
        FieldInput::Ubrn => {
            if stored.len() == 12 {
                format!("{} {} {}", &stored[..4], &stored[4..8], &stored[8..])
            } else {
                stored.to_string()
            }
        }
        FieldInput::Text | FieldInput::LongText => stored.to_string(),
    }
}

/// A test item: `kind` for a synthetic patient (NHS number `nhs`, "Test
/// Patient") at `at` (ISO), with these kind-specific fields.
#[cfg(test)]
pub(crate) fn test_input(
    kind: ItemKind,
    nhs: &str,
    at: &str,
    fields: &[(&str, &str)],
) -> ItemInput {
    ItemInput {
        kind,
        occurred_at: super::dates::from_iso(at).unwrap_or_default(),
        patient: Patient {
            nhs_number: NhsNumber::parse(nhs).ok(),
            name: "Test Patient".into(),
            date_of_birth: None,
        },
        clinician: None,
        details: String::new(),
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> NaiveDateTime {
        super::super::dates::parse_date_time("2026-11-25T12:00").unwrap_or_default()
    }

    fn draft(kind: ItemKind) -> ItemDraft {
        ItemDraft {
            kind: Some(kind),
            occurred_at: "20/11/2026 09:15".into(),
            nhs_number: "999 000 0018".into(),
            patient_name: "Test Patient-One".into(),
            date_of_birth: "01/02/1960".into(),
            clinician: Some(StaffId(1)),
            details: "Some details".into(),
            fields: BTreeMap::new(),
        }
    }

    fn errors_of(d: &ItemDraft) -> Vec<&'static str> {
        d.validate(now())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn prescription_needs_its_fields_and_prescriber() {
        let mut d = draft(ItemKind::Prescription);
        d.clinician = None;
        assert_eq!(
            errors_of(&d),
            vec![
                "clinician",
                "medication",
                "dose",
                "quantity",
                "prescription_type",
                "issued_via",
                "request_channel"
            ]
        );
        for (k, val) in [
            ("medication", "Amoxicillin 500mg capsules"),
            ("dose", "One three times a day"),
            ("quantity", "21 capsules"),
            ("prescription_type", "Acute"),
            ("issued_via", "eps"),
            ("request_channel", "phone"),
        ] {
            d.fields.insert(k.into(), val.into());
        }
        d.clinician = Some(StaffId(2));
        let ok = d.validate(now());
        assert!(ok.is_ok(), "{ok:?}");
        let ok = ok.unwrap_or_else(|_| unreachable!());
        assert_eq!(
            ok.fields.get("prescription_type").map(String::as_str),
            Some("acute")
        );
    }

    #[test]
    fn wrong_check_digit_is_named() {
        let mut d = draft(ItemKind::Other);
        d.nhs_number = "999 000 0019".into();
        let errs = d.validate(now()).err().unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "nhs_number");
        assert!(errs[0].message.contains("check digit"));
    }

    #[test]
    fn registration_without_nhs_number_needs_reason_and_dob() {
        let mut d = draft(ItemKind::Registration);
        d.nhs_number.clear();
        d.date_of_birth.clear();
        assert_eq!(errors_of(&d), vec!["date_of_birth", "no_nhs_number_reason"]);
        d.date_of_birth = "2026-01-03".into();
        d.fields.insert(
            "no_nhs_number_reason".into(),
            "Newborn, not yet allocated".into(),
        );
        let ok = d.validate(now());
        assert!(
            ok.as_ref().is_ok_and(|i| i.patient.nhs_number.is_none()),
            "{ok:?}"
        );
        // Other kinds always need the NHS number.
        let mut o = draft(ItemKind::Other);
        o.nhs_number.clear();
        assert_eq!(errors_of(&o), vec!["nhs_number"]);
    }

    #[test]
    fn future_and_impossible_dates_are_refused() {
        let mut d = draft(ItemKind::Other);
        d.occurred_at = "31/02/2026 10:00".into();
        d.date_of_birth = "01/01/2030".into();
        assert_eq!(errors_of(&d), vec!["occurred_at", "date_of_birth"]);
        d.occurred_at = "26/11/2026 10:00".into();
        d.date_of_birth = "01/01/1980".into();
        assert_eq!(errors_of(&d), vec!["occurred_at"]);
    }

    #[test]
    fn fields_of_another_kind_are_refused_not_dropped() {
        let mut d = draft(ItemKind::Other);
        d.fields.insert("medication".into(), "Aspirin".into());
        assert_eq!(errors_of(&d), vec!["medication"]);
    }

    #[test]
    fn control_characters_and_huge_text_are_refused() {
        let mut d = draft(ItemKind::Other);
        d.patient_name = "Test\u{0007}Patient".into();
        d.details = "x".repeat(100_000);
        assert_eq!(errors_of(&d), vec!["patient_name", "details"]);
    }

    #[test]
    fn text_in_any_script_is_kept_exactly() {
        let mut d = draft(ItemKind::Other);
        d.patient_name = "Zoë O'Brien-Ñúñez שלום 😀".into();
        d.details = "line one\nline two =SUM(A1) '; DROP TABLE items; --".into();
        let ok = d.validate(now()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(ok.patient.name, d.patient_name);
        assert_eq!(ok.details, d.details);
    }

    #[test]
    fn ubrn_and_choices_normalise_and_display() {
        let mut d = draft(ItemKind::Referral);
        d.fields.insert("referred_to".into(), "Cardiology".into());
        d.fields.insert("ubrn".into(), "0000 1111 2222".into());
        d.fields
            .insert("referral_priority".into(), "Two-week wait".into());
        let ok = d.validate(now()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            ok.fields.get("ubrn").map(String::as_str),
            Some("000011112222")
        );
        assert_eq!(
            ok.fields.get("referral_priority").map(String::as_str),
            Some("two_week_wait")
        );
        let back = ok.to_draft();
        assert_eq!(
            back.fields.get("ubrn").map(String::as_str),
            Some("0000 1111 2222")
        );
        assert_eq!(back.validate(now()).ok(), Some(ok));
        d.fields.insert("ubrn".into(), "12345".into());
        assert_eq!(errors_of(&d), vec!["ubrn"]);
    }
}
