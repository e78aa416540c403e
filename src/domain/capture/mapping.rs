//! A column mapping: which column of a practice's report gives each field of an
//! item, what the report does not say (constants), how its words translate
//! (value maps), and which staff member each clinician name in it is. Saved by
//! name in the log and as a file, so tomorrow's report maps in one step.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::ItemKind;
use crate::domain::kind::FieldInput;

/// The field keys a mapping can fill besides each kind's own fields (the same
/// keys as the entry form and the interchange CSV; the kind has its own source).
pub fn common_fields() -> &'static [&'static str] {
    &crate::domain::kind::COMMON_KEYS[1..]
}

/// Where one field's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "from")]
pub enum Source {
    /// One column, by its header text (compared ignoring case and spaces).
    Column { column: String },
    /// Several columns joined with `separator` ("Forename" and "Surname").
    Joined {
        columns: Vec<String>,
        separator: String,
    },
    /// A date in one column and the time in another.
    DateAndTime { date: String, time: String },
    /// The same value for every row: what the report does not say.
    Constant { value: String },
}

impl Source {
    /// The columns this reads, for messages ("row 12, column Appointment Date: …").
    pub fn columns(&self) -> Vec<&str> {
        match self {
            Source::Column { column } => vec![column.as_str()],
            Source::Joined { columns, .. } => columns.iter().map(String::as_str).collect(),
            Source::DateAndTime { date, time } => vec![date.as_str(), time.as_str()],
            Source::Constant { .. } => Vec::new(),
        }
    }

    /// How a person would read this source in the preview.
    pub fn describe(&self) -> String {
        match self {
            Source::Column { column } => format!("column '{column}'"),
            Source::Joined { columns, .. } => format!("columns '{}' joined", columns.join("' + '")),
            Source::DateAndTime { date, time } => format!("date '{date}' + time '{time}'"),
            Source::Constant { value } => format!("always '{value}'"),
        }
    }
}

/// What a mapping is for: the old system's reports read into the log
/// (capture), or the new system's checked against it (reconcile). A saved
/// mapping is offered for its own purpose only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    #[default]
    Capture,
    Reconcile,
}

/// Where the mapping [`choose`] gave came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chosen {
    /// A saved mapping that fits the report (its name).
    Saved(String),
    /// Suggested from the report's column names: to be checked.
    Suggested,
}

/// The mapping for a report: the first saved mapping of this purpose whose
/// columns the report has, else one suggested from its header and named after
/// the file. `kind`, when given, is the kind of every row.
pub fn choose(
    saved: Vec<CaptureMapping>,
    header: &[String],
    file_name: &str,
    kind: Option<ItemKind>,
    purpose: Purpose,
) -> (CaptureMapping, Chosen) {
    let fits = saved
        .into_iter()
        .find(|m| m.purpose == purpose && m.check(header).is_ok());
    let (mut mapping, chosen) = match fits {
        Some(m) => {
            let name = m.name.clone();
            (m, Chosen::Saved(name))
        }
        None => {
            let name = std::path::Path::new(file_name)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("report");
            let mut m = suggest(header, kind, name);
            m.purpose = purpose;
            (m, Chosen::Suggested)
        }
    };
    if let Some(k) = kind {
        mapping.kind = Some(Source::Constant {
            value: k.code().to_string(),
        });
    }
    (mapping, chosen)
}

/// A whole mapping for one report layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CaptureMapping {
    /// What the practice calls this report ("EMIS appointments report").
    pub name: String,
    /// The kind of every row (a constant naming a kind), or the column that says it.
    pub kind: Option<Source>,
    /// Field key (`occurred_at`, `nhs_number`, …, or a kind's own key such as
    /// `medication`) to where its value comes from.
    #[serde(default)]
    pub fields: BTreeMap<String, Source>,
    /// Per field key: report text (compared ignoring case and surrounding spaces)
    /// to the value to use, e.g. `appointment_action`: `DNA` to `did_not_attend`.
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// Clinician names as the report writes them ("Dr A KHAN") to the staff
    /// member's name in the log, matched once and remembered.
    #[serde(default)]
    pub clinicians: BTreeMap<String, String>,
    /// Capture (the old system's reports) or reconcile (the new system's).
    #[serde(default)]
    pub purpose: Purpose,
}

/// Why a mapping file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingProblem {
    #[error("the mapping file is not a Cutover Log mapping ({0})")]
    Unreadable(String),
    #[error(
        "the mapping does not say what kind of item each row is: choose a kind, or the column that says it"
    )]
    NoKind,
    #[error("'{0}' is not a field a report can fill")]
    UnknownField(String),
    #[error("the report has no column '{column}' (the mapping uses it for {field})")]
    MissingColumn { field: String, column: String },
}

impl CaptureMapping {
    /// The kind of every row when the mapping names one; `None` when a column
    /// says it (or nothing does).
    pub fn every_row_kind(&self) -> Option<ItemKind> {
        match &self.kind {
            Some(Source::Constant { value }) => ItemKind::parse(value),
            _ => None,
        }
    }

    /// Reads a mapping written by [`Self::to_json`] (a file one practice can pass
    /// to another on the same system).
    pub fn from_json(text: &str) -> Result<Self, MappingProblem> {
        serde_json::from_str(text).map_err(|e| MappingProblem::Unreadable(e.to_string()))
    }

    /// The mapping as a readable JSON file.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The value map of one field, if any.
    pub fn value_for(&self, field: &str, text: &str) -> Option<&str> {
        let map = self.values.get(field)?;
        let t = text.trim();
        map.iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(t))
            .map(|(_, v)| v.as_str())
    }

    /// Checks the mapping against a report's header: every field known, every
    /// column present, a kind given.
    pub fn check(&self, header: &[String]) -> Result<(), Vec<MappingProblem>> {
        let mut problems = Vec::new();
        if self.kind.is_none() {
            problems.push(MappingProblem::NoKind);
        }
        let known = |key: &str| {
            common_fields().contains(&key)
                || ItemKind::ALL
                    .iter()
                    .any(|k| k.fields().iter().any(|f| f.key == key))
        };
        let sources = self
            .kind
            .iter()
            .map(|s| ("kind".to_string(), s))
            .chain(self.fields.iter().map(|(k, s)| (k.clone(), s)));
        for (field, source) in sources {
            if field != "kind" && !known(&field) {
                problems.push(MappingProblem::UnknownField(field.clone()));
            }
            for column in source.columns() {
                if column_index(header, column).is_none() {
                    problems.push(MappingProblem::MissingColumn {
                        field: field.clone(),
                        column: column.to_string(),
                    });
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// A header's text made comparable: lower case, letters and digits only
/// ("NHS No." and "nhs_no" are the same column).
pub fn comparable(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Where a column is in the header (ignoring case, spaces and punctuation).
pub fn column_index(header: &[String], column: &str) -> Option<usize> {
    // Each header cell compared as [`comparable`] would write it, without
    // writing it: this runs for every field of every row of a report.
    let want = comparable(column);
    header.iter().position(|h| {
        h.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .eq(want.chars())
    })
}

/// Header names the old systems' reports use for each field, most specific first,
/// each matched whole after [`comparable`] ("NHS No." is `nhsno`).
const SYNONYMS: &[(&str, &[&str])] = &[
    ("nhs_number", &["nhsnumber", "nhsno", "nhs"]),
    (
        "date_of_birth",
        &["dateofbirth", "dob", "birthdate", "born"],
    ),
    (
        "appointment_at",
        &[
            "appointmentdatetime",
            "appointmentdate",
            "apptdate",
            "slotdate",
            "sessiondate",
        ],
    ),
    (
        "slot_type",
        &[
            "slottype",
            "appointmenttype",
            "appttype",
            "sessiontype",
            "type",
        ],
    ),
    (
        "appointment_action",
        &[
            "status",
            "slotstatus",
            "appointmentstatus",
            "outcome",
            "action",
        ],
    ),
    (
        "medication",
        &[
            "drug",
            "medication",
            "medicine",
            "drugname",
            "preparation",
            "item",
        ],
    ),
    ("dose", &["dosage", "dose", "directions", "instructions"]),
    ("quantity", &["quantity", "qty"]),
    (
        "prescription_type",
        &["issuetype", "prescriptiontype", "repeatacute", "courseType"],
    ),
    ("issued_via", &["issuemethod", "issuedvia", "eps", "method"]),
    (
        "clinician",
        &[
            "sessionholder",
            "prescriber",
            "clinician",
            "authorisedby",
            "authoriser",
            "doctor",
            "gp",
            "staff",
            "user",
        ],
    ),
    // When it was done in the old system: an appointment's booking (not its
    // slot), a prescription's issue, an entry's creation.
    (
        "occurred_at",
        &[
            "issuedate",
            "dateissued",
            "dateofissue",
            "bookeddate",
            "datebooked",
            "bookingdate",
            "bookedon",
            "booked",
            "createddate",
            "datecreated",
            "createdon",
            "created",
            "entereddate",
            "dateentered",
            "entrydate",
            "dateadded",
            "addeddate",
            "recordeddate",
            "daterecorded",
            "eventdate",
            "date",
            "when",
        ],
    ),
    ("details", &["notes", "comments", "details", "note"]),
];

/// The time column that goes with a date column, if the report has one.
const TIME_NAMES: &[&str] = &[
    "starttime",
    "appointmenttime",
    "appttime",
    "slottime",
    "time",
    "issuetime",
];
const SURNAMES: &[&str] = &["surname", "familyname", "lastname"];
const FORENAMES: &[&str] = &[
    "forename",
    "forenames",
    "firstname",
    "givenname",
    "firstnames",
];
const FULL_NAMES: &[&str] = &["patientname", "patient", "name", "fullname"];

fn find(header: &[String], names: &[&str], taken: &[usize]) -> Option<usize> {
    let cols: Vec<String> = header.iter().map(|h| comparable(h)).collect();
    names.iter().find_map(|n| {
        let n = comparable(n);
        cols.iter()
            .enumerate()
            .find(|(i, c)| !taken.contains(i) && **c == n)
            .map(|(i, _)| i)
    })
}

/// Column names that say a report is of one kind, and no other.
const KIND_SIGNS: &[(ItemKind, &[&str])] = &[
    (
        ItemKind::Appointment,
        &[
            "slottype",
            "sessionholder",
            "slotstatus",
            "appointmentstatus",
            "appointmentdate",
            "appointmentdatetime",
            "apptdate",
            "appttype",
            "slotdate",
            "sessiondate",
            "sessiontype",
            "starttime",
            "appointmenttime",
            "slottime",
            "duration",
            "bookeddate",
            "datebooked",
        ],
    ),
    (
        ItemKind::Prescription,
        &[
            "drug",
            "drugname",
            "medication",
            "medicine",
            "preparation",
            "dosage",
            "dose",
            "directions",
            "issuetype",
            "issuemethod",
            "prescriptiontype",
            "prescriber",
            "qty",
            "quantity",
            "issuedate",
            "dateissued",
        ],
    ),
    (
        ItemKind::Immunisation,
        &[
            "vaccine",
            "vaccination",
            "immunisation",
            "batch",
            "batchnumber",
        ],
    ),
    (
        ItemKind::PathologyResult,
        &["testname", "test", "resultdate", "result", "specimen"],
    ),
    (
        ItemKind::Referral,
        &[
            "referredto",
            "ubrn",
            "referralpriority",
            "specialty",
            "speciality",
        ],
    ),
];

/// The kind a report's columns make plain: at least two columns that only that
/// kind's reports have, and none of another kind's. `None`: unsure (ask).
pub fn kind_from_header(header: &[String]) -> Option<ItemKind> {
    let cols: Vec<String> = header.iter().map(|h| comparable(h)).collect();
    let signs: Vec<(ItemKind, usize)> = KIND_SIGNS
        .iter()
        .map(|(k, names)| {
            (
                *k,
                cols.iter().filter(|c| names.contains(&c.as_str())).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    match signs.as_slice() {
        [(k, n)] if *n >= 2 => Some(*k),
        _ => None,
    }
}

/// The time column named like the date column at `date` ("Booked Date" and
/// "Booked Time", "Date Issued" and "Time Issued").
fn time_beside(header: &[String], date: usize, taken: &[usize]) -> Option<usize> {
    let name = comparable(header.get(date)?);
    let stem = name.replace("date", "");
    if stem.is_empty() || stem == name {
        return None;
    }
    header.iter().enumerate().find_map(|(i, h)| {
        let h = comparable(h);
        (i != date && !taken.contains(&i) && h.contains("time") && h.replace("time", "") == stem)
            .then_some(i)
    })
}

/// A first mapping from a report's header names, for the person to confirm:
/// NHS Number or NHS No, Surname and Forename or a full name, DOB, Appointment
/// Date with Start Time, Slot Type, Session Holder, Status, Drug, Dosage, Qty,
/// Issue Date, Prescriber, Issue Type… `kind` is the kind of every row, if known.
pub fn suggest(header: &[String], kind: Option<ItemKind>, name: &str) -> CaptureMapping {
    // The kind, when the person has not said it, from the columns if they make
    // it plain (Slot Type, Session Holder: appointments; Drug, Dosage, Issue
    // Type: prescriptions); left for the person to choose when they do not.
    let kind = kind.or_else(|| kind_from_header(header));
    let mut m = CaptureMapping {
        name: name.to_string(),
        kind: kind.map(|k| Source::Constant {
            value: k.code().to_string(),
        }),
        ..CaptureMapping::default()
    };
    let column = |i: usize| header.get(i).cloned().unwrap_or_default();
    let mut taken: Vec<usize> = Vec::new();
    let kind_fields: Vec<&str> = match kind {
        Some(k) => k.fields().iter().map(|f| f.key).collect(),
        None => ItemKind::ALL
            .iter()
            .flat_map(|k| k.fields().iter().map(|f| f.key))
            .collect(),
    };
    // The patient's name: one column, or surname and forename joined.
    let surname = find(header, SURNAMES, &taken);
    let forename = find(header, FORENAMES, &taken);
    if let (Some(s), Some(f)) = (surname, forename) {
        taken.extend([s, f]);
        m.fields.insert(
            "patient_name".into(),
            Source::Joined {
                columns: vec![column(f), column(s)],
                separator: " ".into(),
            },
        );
    } else if let Some(i) = find(header, FULL_NAMES, &taken).or(surname) {
        taken.push(i);
        m.fields
            .insert("patient_name".into(), Source::Column { column: column(i) });
    }
    for (field, names) in SYNONYMS {
        let wanted = common_fields().contains(field) || kind_fields.contains(field);
        if !wanted || m.fields.contains_key(*field) {
            continue;
        }
        let Some(i) = find(header, names, &taken) else {
            continue;
        };
        taken.push(i);
        let is_date_time = *field == "occurred_at"
            || ItemKind::ALL.iter().any(|k| {
                k.fields()
                    .iter()
                    .any(|f| f.key == *field && matches!(f.input, FieldInput::DateTime))
            });
        // The time beside its own date first ("Booked Date" with "Booked
        // Time"), else any time column still free.
        let time = if is_date_time {
            time_beside(header, i, &taken).or_else(|| find(header, TIME_NAMES, &taken))
        } else {
            None
        };
        let source = match time {
            Some(t) => {
                taken.push(t);
                Source::DateAndTime {
                    date: column(i),
                    time: column(t),
                }
            }
            None => Source::Column { column: column(i) },
        };
        m.fields.insert((*field).to_string(), source);
    }
    // An appointment report without a booking time: left out, so the row's
    // time is the slot if past, else the time of capture (see `rows::check_row`).
    m.values = default_values(kind);
    m
}

/// Value maps every practice needs: the suppliers' slot statuses and issue types.
fn default_values(kind: Option<ItemKind>) -> BTreeMap<String, BTreeMap<String, String>> {
    let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
            .collect()
    };
    let mut values = BTreeMap::new();
    if matches!(kind, None | Some(ItemKind::Appointment)) {
        values.insert(
            "appointment_action".to_string(),
            map(&[
                ("DNA", "did_not_attend"),
                ("Did Not Attend", "did_not_attend"),
                ("Not Attended", "did_not_attend"),
                ("Booked", "booked"),
                ("Slot Booked", "booked"),
                ("Arrived", "attended"),
                ("Seen", "attended"),
                ("Finished", "attended"),
                ("Left", "attended"),
                ("Cancelled", "cancelled"),
                ("Cancelled by Patient", "cancelled"),
                ("Cancelled by Unit", "cancelled"),
                ("Rebooked", "rescheduled"),
            ]),
        );
    }
    if matches!(kind, None | Some(ItemKind::Prescription)) {
        values.insert(
            "prescription_type".to_string(),
            map(&[
                ("R", "repeat"),
                ("Repeat", "repeat"),
                ("A", "acute"),
                ("Acute", "acute"),
                ("RD", "repeat_dispensing"),
                ("Repeat Dispensing", "repeat_dispensing"),
                ("Batch", "repeat_dispensing"),
            ]),
        );
        values.insert(
            "issued_via".to_string(),
            map(&[
                ("EPS", "eps"),
                ("Electronic", "eps"),
                ("ETP", "eps"),
                ("Paper", "paper_fp10"),
                ("FP10", "paper_fp10"),
                ("Printed", "paper_fp10"),
            ]),
        );
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cols: &[&str]) -> Vec<String> {
        cols.iter().map(|c| (*c).to_string()).collect()
    }

    #[test]
    fn an_emis_appointment_report_maps_from_its_header() {
        let h = header(&[
            "Appointment Date",
            "Start Time",
            "Slot Type",
            "Session Holder",
            "Status",
            "NHS Number",
            "Surname",
            "Forename",
            "DOB",
        ]);
        let m = suggest(&h, Some(ItemKind::Appointment), "EMIS appointments");
        let col = |c: &str| Source::Column { column: c.into() };
        assert_eq!(m.fields.get("nhs_number"), Some(&col("NHS Number")));
        assert_eq!(m.fields.get("date_of_birth"), Some(&col("DOB")));
        assert_eq!(m.fields.get("slot_type"), Some(&col("Slot Type")));
        assert_eq!(m.fields.get("clinician"), Some(&col("Session Holder")));
        assert_eq!(m.fields.get("appointment_action"), Some(&col("Status")));
        let at = Source::DateAndTime {
            date: "Appointment Date".into(),
            time: "Start Time".into(),
        };
        assert_eq!(m.fields.get("appointment_at"), Some(&at));
        assert_eq!(
            m.fields.get("occurred_at"),
            None,
            "the slot is not the booking"
        );
        assert_eq!(
            m.fields.get("patient_name"),
            Some(&Source::Joined {
                columns: vec!["Forename".into(), "Surname".into()],
                separator: " ".into()
            })
        );
        assert_eq!(
            m.value_for("appointment_action", " dna "),
            Some("did_not_attend")
        );
        assert!(m.check(&h).is_ok());
    }

    #[test]
    fn the_kind_is_suggested_only_when_the_columns_make_it_plain() {
        let kind = |cols: &[&str]| kind_from_header(&header(cols));
        assert_eq!(
            kind(&[
                "NHS Number",
                "Appointment Date",
                "Start Time",
                "Slot Type",
                "Session Holder",
                "Status"
            ]),
            Some(ItemKind::Appointment)
        );
        assert_eq!(
            kind(&[
                "NHS No",
                "Drug",
                "Dosage",
                "Qty",
                "Issue Date",
                "Issue Type"
            ]),
            Some(ItemKind::Prescription)
        );
        assert_eq!(kind(&["NHS Number", "Date", "Notes"]), None, "nothing says");
        assert_eq!(
            kind(&["NHS Number", "Slot Type", "Drug", "Dosage"]),
            None,
            "two kinds' columns: ask"
        );
        assert_eq!(
            kind(&["NHS Number", "Slot Type"]),
            None,
            "one sign is not plain"
        );
        let m = suggest(
            &header(&[
                "NHS Number",
                "Appointment Date",
                "Start Time",
                "Slot Type",
                "Status",
            ]),
            None,
            "Appointments",
        );
        assert_eq!(
            m.kind,
            Some(Source::Constant {
                value: "appointment".into()
            })
        );
    }

    #[test]
    fn when_it_happened_is_the_booking_not_the_slot() {
        let h = header(&[
            "Appointment Date",
            "Start Time",
            "Booked Date",
            "Booked Time",
            "Slot Type",
            "Session Holder",
            "Status",
            "NHS Number",
        ]);
        let m = suggest(&h, Some(ItemKind::Appointment), "Appointments");
        let both = |date: &str, time: &str| {
            Some(Source::DateAndTime {
                date: date.into(),
                time: time.into(),
            })
        };
        assert_eq!(
            m.fields.get("occurred_at").cloned(),
            both("Booked Date", "Booked Time")
        );
        assert_eq!(
            m.fields.get("appointment_at").cloned(),
            both("Appointment Date", "Start Time")
        );
        for (date, time) in [
            ("Date Booked", "Time Booked"),
            ("Date Created", "Time Created"),
            ("Date Entered", "Time Entered"),
        ] {
            let h = header(&["Appointment Date", "Start Time", date, time, "NHS Number"]);
            let m = suggest(&h, Some(ItemKind::Appointment), "Appointments");
            assert_eq!(
                m.fields.get("occurred_at").cloned(),
                both(date, time),
                "{date}"
            );
        }
    }

    #[test]
    fn a_prescription_report_maps_drug_dosage_qty_and_prescriber() {
        let h = header(&[
            "NHS No",
            "Patient Name",
            "Date of Birth",
            "Drug",
            "Dosage",
            "Qty",
            "Issue Date",
            "Prescriber",
            "Issue Type",
        ]);
        let m = suggest(&h, Some(ItemKind::Prescription), "Issues");
        let col = |c: &str| Some(Source::Column { column: c.into() });
        assert_eq!(m.fields.get("nhs_number").cloned(), col("NHS No"));
        assert_eq!(m.fields.get("patient_name").cloned(), col("Patient Name"));
        assert_eq!(m.fields.get("medication").cloned(), col("Drug"));
        assert_eq!(m.fields.get("dose").cloned(), col("Dosage"));
        assert_eq!(m.fields.get("quantity").cloned(), col("Qty"));
        assert_eq!(m.fields.get("occurred_at").cloned(), col("Issue Date"));
        assert_eq!(m.fields.get("clinician").cloned(), col("Prescriber"));
        assert_eq!(
            m.fields.get("prescription_type").cloned(),
            col("Issue Type")
        );
        assert_eq!(m.value_for("prescription_type", "R"), Some("repeat"));
    }

    #[test]
    fn a_mapping_round_trips_as_a_file_and_is_checked_against_the_header() {
        let h = header(&["NHS Number", "Date"]);
        let mut m = suggest(&h, Some(ItemKind::Other), "Other");
        m.clinicians
            .insert("Dr A KHAN".into(), "Dr Asha Khan".into());
        let back = CaptureMapping::from_json(&m.to_json());
        assert_eq!(back.as_ref(), Ok(&m));
        m.fields.insert(
            "details".into(),
            Source::Column {
                column: "Notes".into(),
            },
        );
        m.fields
            .insert("frobs".into(), Source::Constant { value: "x".into() });
        let problems = m.check(&h).err().unwrap_or_default();
        assert!(problems.contains(&MappingProblem::MissingColumn {
            field: "details".into(),
            column: "Notes".into()
        }));
        assert!(problems.contains(&MappingProblem::UnknownField("frobs".into())));
        assert!(matches!(
            CaptureMapping::from_json("not json"),
            Err(MappingProblem::Unreadable(_))
        ));
    }
}
