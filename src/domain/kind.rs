//! The kinds of item a practice logs during cutover, and the fields each needs
//! for re-entry, following the NHS clinical system migration guide's own list.
//!
//! Kind-specific fields are described as data ([`FieldSpec`]) so that the entry
//! form, the CSV columns, validation and the worklist's detail panel all come
//! from one table.

use serde::{Deserialize, Serialize};

/// What was done in the old system during cutover and must be re-entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Appointment,
    Prescription,
    Consultation,
    TelephoneCall,
    HomeVisit,
    PathologyResult,
    Referral,
    Registration,
    Correspondence,
    Immunisation,
    Other,
}

/// How a kind-specific field is typed and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldInput {
    /// One line of text.
    Text,
    /// Several lines of free text (copied and pasted into the new system).
    LongText,
    /// A date, stored as `2026-11-25`.
    Date,
    /// A date and time, stored as `2026-11-25T14:05`.
    DateTime,
    /// One of a fixed list, stored by its code.
    Choice(&'static [Choice]),
    /// A 12-digit e-Referral Service booking reference (UBRN).
    Ubrn,
}

/// One option of a [`FieldInput::Choice`] field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// Stored and exported value, snake_case.
    pub code: &'static str,
    /// What staff see.
    pub label: &'static str,
}

/// A kind-specific field: its stored key (also its CSV column), label and rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub input: FieldInput,
    pub required: bool,
    /// A short hint shown beside the field.
    pub hint: &'static str,
}

/// Whether a kind needs a responsible clinician, and what the form calls them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClinicianRule {
    pub required: bool,
    pub label: &'static str,
}

impl ClinicianRule {
    /// Whether the desk keeps the last clinician chosen for the next item of the
    /// kind (the same prescriber signs a run of prescriptions). Only where a
    /// clinician is required: a call or registration that merely *may* name one
    /// must never be attributed to the last person chosen for something else.
    pub fn carried_to_next_item(self) -> bool {
        self.required
    }
}

impl FieldSpec {
    /// Whether this field is asked for only when the patient has no NHS number
    /// (and is then required).
    pub fn only_without_nhs_number(&self) -> bool {
        self.key == NO_NHS_NUMBER_REASON
    }
}

const fn c(code: &'static str, label: &'static str) -> Choice {
    Choice { code, label }
}

const fn field(
    key: &'static str,
    label: &'static str,
    input: FieldInput,
    required: bool,
    hint: &'static str,
) -> FieldSpec {
    FieldSpec {
        key,
        label,
        input,
        required,
        hint,
    }
}

/// Appointment actions.
pub const APPOINTMENT_ACTIONS: &[Choice] = &[
    c("booked", "Booked"),
    c("cancelled", "Cancelled"),
    c("rescheduled", "Rescheduled"),
    c("attended", "Attended"),
    c("did_not_attend", "Did not attend"),
];
const PRESCRIPTION_TYPES: &[Choice] = &[
    c("acute", "Acute"),
    c("repeat", "Repeat"),
    c("repeat_dispensing", "Repeat dispensing"),
];
const ISSUE_METHODS: &[Choice] = &[c("eps", "EPS (electronic)"), c("paper_fp10", "Paper FP10")];
const REQUEST_CHANNELS: &[Choice] = &[
    c("phone", "Phone"),
    c("counter", "Counter"),
    c("online", "Online"),
    c("other", "Other"),
];
const REFERRAL_PRIORITIES: &[Choice] = &[
    c("routine", "Routine"),
    c("urgent", "Urgent"),
    c("two_week_wait", "Two-week wait"),
];
const CORRESPONDENCE_SOURCES: &[Choice] = &[
    c("letter", "Letter"),
    c("nhs_111", "NHS 111"),
    c("out_of_hours", "Out of hours"),
    c("email", "Email"),
    c("other", "Other"),
];

const APPOINTMENT_FIELDS: &[FieldSpec] = &[
    field(
        "appointment_action",
        "Action",
        FieldInput::Choice(APPOINTMENT_ACTIONS),
        true,
        "",
    ),
    field(
        "appointment_at",
        "Appointment date and time",
        FieldInput::DateTime,
        true,
        "dd/mm/yyyy hh:mm",
    ),
    field(
        "slot_type",
        "Slot type",
        FieldInput::Text,
        false,
        "e.g. routine GP, nurse, phone",
    ),
];
const PRESCRIPTION_FIELDS: &[FieldSpec] = &[
    field(
        "medication",
        "Medication",
        FieldInput::Text,
        true,
        "name, form and strength",
    ),
    field("dose", "Dose / directions", FieldInput::Text, true, ""),
    field(
        "quantity",
        "Quantity",
        FieldInput::Text,
        true,
        "e.g. 28 tablets",
    ),
    field(
        "prescription_type",
        "Type",
        FieldInput::Choice(PRESCRIPTION_TYPES),
        true,
        "",
    ),
    field(
        "issued_via",
        "Issued via",
        FieldInput::Choice(ISSUE_METHODS),
        true,
        "",
    ),
    field(
        "request_channel",
        "Requested by",
        FieldInput::Choice(REQUEST_CHANNELS),
        true,
        "",
    ),
];
const CONSULTATION_FIELDS: &[FieldSpec] = &[
    field(
        "summary",
        "Consultation summary",
        FieldInput::LongText,
        true,
        "free text to copy",
    ),
    field(
        "clinical_codes",
        "Clinical codes to enter by hand",
        FieldInput::Text,
        false,
        "terms or SNOMED CT ids",
    ),
];
const HOME_VISIT_FIELDS: &[FieldSpec] = &[field(
    "visit_date",
    "Visit date",
    FieldInput::Date,
    false,
    "dd/mm/yyyy",
)];
const PATHOLOGY_FIELDS: &[FieldSpec] = &[
    field(
        "test_name",
        "Test",
        FieldInput::Text,
        true,
        "e.g. FBC, HbA1c",
    ),
    field(
        "result_date",
        "Result date",
        FieldInput::Date,
        false,
        "dd/mm/yyyy",
    ),
];
const REFERRAL_FIELDS: &[FieldSpec] = &[
    field(
        "referred_to",
        "Referred to",
        FieldInput::Text,
        true,
        "service or specialty",
    ),
    field(
        "ubrn",
        "UBRN",
        FieldInput::Ubrn,
        false,
        "12 digits, if known",
    ),
    field(
        "referral_priority",
        "Priority",
        FieldInput::Choice(REFERRAL_PRIORITIES),
        false,
        "",
    ),
];
/// The keys every item has, in the form's order (the interchange CSV's first
/// columns; the fields a report mapping fills besides each kind's own).
pub const COMMON_KEYS: [&str; 7] = [
    "kind",
    "occurred_at",
    "nhs_number",
    "patient_name",
    "date_of_birth",
    "clinician",
    "details",
];

/// The registration field that says why a new patient has no NHS number yet:
/// asked for, and required, only when the NHS number is not known.
pub const NO_NHS_NUMBER_REASON: &str = "no_nhs_number_reason";

const REGISTRATION_FIELDS: &[FieldSpec] = &[
    field(
        NO_NHS_NUMBER_REASON,
        "Reason there is no NHS number",
        FieldInput::Text,
        false,
        "only when the NHS number is not known yet",
    ),
    field(
        "previous_practice",
        "Previous practice",
        FieldInput::Text,
        false,
        "",
    ),
];
const CORRESPONDENCE_FIELDS: &[FieldSpec] = &[
    field(
        "source",
        "Source",
        FieldInput::Choice(CORRESPONDENCE_SOURCES),
        true,
        "",
    ),
    field(
        "sender",
        "From",
        FieldInput::Text,
        false,
        "sender or service",
    ),
];
const IMMUNISATION_FIELDS: &[FieldSpec] = &[
    field("vaccine", "Vaccine", FieldInput::Text, true, ""),
    field("batch_number", "Batch number", FieldInput::Text, false, ""),
    field(
        "dose_number",
        "Dose in course",
        FieldInput::Text,
        false,
        "e.g. 1st, booster",
    ),
];

impl ItemKind {
    /// Every kind, in the order the forms and reports list them.
    pub const ALL: [ItemKind; 11] = [
        ItemKind::Appointment,
        ItemKind::Prescription,
        ItemKind::Consultation,
        ItemKind::TelephoneCall,
        ItemKind::HomeVisit,
        ItemKind::PathologyResult,
        ItemKind::Referral,
        ItemKind::Registration,
        ItemKind::Correspondence,
        ItemKind::Immunisation,
        ItemKind::Other,
    ];

    /// The snake_case code stored and used in CSV (`telephone_call`).
    pub fn code(self) -> &'static str {
        match self {
            ItemKind::Appointment => "appointment",
            ItemKind::Prescription => "prescription",
            ItemKind::Consultation => "consultation",
            ItemKind::TelephoneCall => "telephone_call",
            ItemKind::HomeVisit => "home_visit",
            ItemKind::PathologyResult => "pathology_result",
            ItemKind::Referral => "referral",
            ItemKind::Registration => "registration",
            ItemKind::Correspondence => "correspondence",
            ItemKind::Immunisation => "immunisation",
            ItemKind::Other => "other",
        }
    }

    /// What staff call it.
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Appointment => "Appointment",
            ItemKind::Prescription => "Prescription",
            ItemKind::Consultation => "Consultation",
            ItemKind::TelephoneCall => "Telephone call",
            ItemKind::HomeVisit => "Home visit",
            ItemKind::PathologyResult => "Pathology result",
            ItemKind::Referral => "Referral",
            ItemKind::Registration => "Registration",
            ItemKind::Correspondence => "Correspondence / 111 / OOH",
            ItemKind::Immunisation => "Immunisation",
            ItemKind::Other => "Other",
        }
    }

    /// Reads a kind from its code or its label, ignoring case, spaces and dashes.
    pub fn parse(s: &str) -> Option<Self> {
        let norm = |t: &str| -> String {
            t.trim()
                .chars()
                .map(|c| {
                    if c == ' ' || c == '-' {
                        '_'
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect()
        };
        let wanted = norm(s);
        ItemKind::ALL
            .into_iter()
            .find(|k| k.code() == wanted || norm(k.label()) == wanted)
    }

    /// The kind in a sentence, lower case: "telephone call", "correspondence / 111 / OOH item".
    pub fn noun(self) -> &'static str {
        match self {
            ItemKind::Appointment => "appointment",
            ItemKind::Prescription => "prescription",
            ItemKind::Consultation => "consultation",
            ItemKind::TelephoneCall => "telephone call",
            ItemKind::HomeVisit => "home visit",
            ItemKind::PathologyResult => "pathology result",
            ItemKind::Referral => "referral",
            ItemKind::Registration => "registration",
            ItemKind::Correspondence => "correspondence / 111 / OOH item",
            ItemKind::Immunisation => "immunisation",
            ItemKind::Other => "other item",
        }
    }

    /// The kind with its article: "an appointment", "a prescription", "an item (other)".
    pub fn a_noun(self) -> String {
        match self {
            ItemKind::Other => "an item (other)".into(),
            k if k.noun().starts_with(['a', 'e', 'i', 'o', 'u']) => format!("an {}", k.noun()),
            k => format!("a {}", k.noun()),
        }
    }

    /// The letter used with Alt to open this kind's form at the desk.
    pub fn shortcut_letter(self) -> char {
        match self {
            ItemKind::Appointment => 'A',
            ItemKind::Prescription => 'P',
            ItemKind::Consultation => 'C',
            ItemKind::TelephoneCall => 'T',
            ItemKind::HomeVisit => 'H',
            ItemKind::PathologyResult => 'R',
            ItemKind::Referral => 'F',
            ItemKind::Registration => 'G',
            ItemKind::Correspondence => 'L',
            ItemKind::Immunisation => 'I',
            ItemKind::Other => 'O',
        }
    }

    /// The fields only this kind has, in the order the new system asks for them.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            ItemKind::Appointment => APPOINTMENT_FIELDS,
            ItemKind::Prescription => PRESCRIPTION_FIELDS,
            ItemKind::Consultation => CONSULTATION_FIELDS,
            ItemKind::HomeVisit => HOME_VISIT_FIELDS,
            ItemKind::PathologyResult => PATHOLOGY_FIELDS,
            ItemKind::Referral => REFERRAL_FIELDS,
            ItemKind::Registration => REGISTRATION_FIELDS,
            ItemKind::Correspondence => CORRESPONDENCE_FIELDS,
            ItemKind::Immunisation => IMMUNISATION_FIELDS,
            ItemKind::TelephoneCall | ItemKind::Other => &[],
        }
    }

    /// Whether a responsible clinician must be named, and what to call them.
    pub fn clinician_rule(self) -> ClinicianRule {
        match self {
            ItemKind::Prescription => ClinicianRule {
                required: true,
                label: "Prescriber",
            },
            ItemKind::Consultation => ClinicianRule {
                required: true,
                label: "Clinician",
            },
            _ => ClinicianRule {
                required: false,
                label: "Clinician",
            },
        }
    }

    /// Whether free-text details must be given (kinds with no fields of their own).
    pub fn details_required(self) -> bool {
        matches!(
            self,
            ItemKind::TelephoneCall
                | ItemKind::HomeVisit
                | ItemKind::Correspondence
                | ItemKind::Other
        )
    }

    /// Whether re-entry falls to the item's clinician by default (the guide:
    /// clinicians re-enter their own notes, prescribers their prescriptions).
    pub fn assigned_to_clinician_by_default(self) -> bool {
        matches!(self, ItemKind::Consultation | ItemKind::Prescription)
    }

    /// Whether re-entry of this kind needs a clinician (not reception/admin).
    pub fn needs_clinician_to_reenter(self) -> bool {
        matches!(self, ItemKind::Consultation | ItemKind::Prescription)
    }
}

/// Every kind-specific field key across all kinds, each once, in kind order
/// (the CSV's kind-specific columns).
pub fn all_field_specs() -> &'static [&'static FieldSpec] {
    // Built once: imports and exports ask for it on every row.
    static ALL: std::sync::OnceLock<Vec<&'static FieldSpec>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut out: Vec<&'static FieldSpec> = Vec::new();
        for kind in ItemKind::ALL {
            for f in kind.fields() {
                if !out.iter().any(|o| o.key == f.key) {
                    out.push(f);
                }
            }
        }
        out
    })
}

/// The label of a choice code, or the code itself if unknown.
pub fn choice_label(choices: &[Choice], code: &str) -> String {
    choices
        .iter()
        .find(|c| c.code == code)
        .map_or_else(|| code.to_string(), |c| c.label.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_parse_back() {
        for k in ItemKind::ALL {
            assert_eq!(ItemKind::parse(k.code()), Some(k));
            assert_eq!(ItemKind::parse(k.label()), Some(k));
            assert_eq!(ItemKind::parse(&k.code().to_uppercase()), Some(k));
        }
        assert_eq!(
            ItemKind::parse("telephone call"),
            Some(ItemKind::TelephoneCall)
        );
        assert_eq!(ItemKind::parse("vaccination"), None);
    }

    #[test]
    fn shortcut_letters_are_unique() {
        let mut letters: Vec<char> = ItemKind::ALL.iter().map(|k| k.shortcut_letter()).collect();
        letters.sort_unstable();
        letters.dedup();
        assert_eq!(letters.len(), ItemKind::ALL.len());
    }

    #[test]
    fn field_keys_are_unique_across_kinds_and_not_common_columns() {
        let specs = all_field_specs();
        let total: usize = ItemKind::ALL.iter().map(|k| k.fields().len()).sum();
        assert_eq!(specs.len(), total, "a key is shared by two kinds");
        for common in [
            "kind",
            "occurred_at",
            "nhs_number",
            "patient_name",
            "details",
            "clinician",
        ] {
            assert!(specs.iter().all(|s| s.key != common));
        }
    }
}

#[cfg(test)]
mod words_tests {
    use super::*;

    #[test]
    fn kinds_read_as_words_with_the_right_article() {
        assert_eq!(ItemKind::Appointment.a_noun(), "an appointment");
        assert_eq!(ItemKind::Immunisation.a_noun(), "an immunisation");
        assert_eq!(ItemKind::Prescription.a_noun(), "a prescription");
        assert_eq!(
            ItemKind::Correspondence.noun(),
            "correspondence / 111 / OOH item"
        );
        assert!(ItemKind::ALL.iter().all(|k| !k.a_noun().starts_with("a a")));
    }

    #[test]
    fn only_required_clinicians_carry_to_the_next_item() {
        let carried: Vec<ItemKind> = ItemKind::ALL
            .into_iter()
            .filter(|k| k.clinician_rule().carried_to_next_item())
            .collect();
        assert_eq!(
            carried,
            vec![ItemKind::Prescription, ItemKind::Consultation]
        );
    }
}
