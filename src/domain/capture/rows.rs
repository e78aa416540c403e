//! One report row through a mapping: the cells a mapping names are read, value
//! maps and clinician names applied, dates made ISO, and the result checked by
//! the same rules as the entry form. Every problem names the row and the report's
//! column (or the field, for a constant), never the patient's details.

use chrono::NaiveDateTime;

use crate::domain::dates::{iso_date, iso_date_time};
use crate::domain::kind::FieldInput;
use crate::domain::{ItemDraft, ItemInput, ItemKind, Staff};

use super::mapping::{CaptureMapping, Purpose, Source, column_index};
use super::report_dates::{DateRole, report_date, report_date_and_time, report_date_time};

/// Why a row could not become an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The row's number in the file, as a spreadsheet or editor shows it.
    pub line: usize,
    /// The report's column (or columns), or the field's label for a constant.
    pub column: String,
    pub reason: String,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}, {}: {}", self.line, self.column, self.reason)
    }
}

/// How a field's cells are read: as text, a date, or a date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Text,
    Date(DateRole),
    DateTime,
}

fn shape_of(field: &str, kind: Option<ItemKind>, today: chrono::NaiveDate) -> Shape {
    match field {
        "occurred_at" => Shape::DateTime,
        "date_of_birth" => Shape::Date(DateRole::Birth { today }),
        _ => {
            let spec = kind
                .into_iter()
                .chain(ItemKind::ALL)
                .find_map(|k| k.fields().iter().find(|f| f.key == field));
            match spec.map(|s| &s.input) {
                Some(FieldInput::Date) => Shape::Date(DateRole::Event),
                Some(FieldInput::DateTime) => Shape::DateTime,
                _ => Shape::Text,
            }
        }
    }
}

/// The cell of `column` in this row ("" for a short row).
fn cell<'a>(header: &[String], cells: &'a [String], column: &str) -> &'a str {
    column_index(header, column)
        .and_then(|i| cells.get(i))
        .map_or("", |s| s.trim())
}

/// A field's raw text from its source, and the column(s) it came from.
fn raw(header: &[String], cells: &[String], source: &Source) -> String {
    match source {
        Source::Column { column } => cell(header, cells, column).to_string(),
        Source::Joined { columns, separator } => columns
            .iter()
            .map(|c| cell(header, cells, c))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(separator),
        Source::DateAndTime { date, time } => {
            format!(
                "{}\u{1f}{}",
                cell(header, cells, date),
                cell(header, cells, time)
            )
        }
        Source::Constant { value } => value.clone(),
    }
}

/// The different texts `source` gives over the rows (trimmed, empty ones left
/// out), in the order first seen, at most `limit` of them: the clinician names
/// or kinds a report uses, for the person to match each once.
pub fn distinct_values<'a>(
    header: &[String],
    rows: impl IntoIterator<Item = &'a [String]>,
    source: &Source,
    limit: usize,
) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for cells in rows {
        let text = raw(header, cells, source);
        let text = text.trim();
        if !text.is_empty() && !seen.contains(text) {
            seen.insert(text.to_string());
            out.push(text.to_string());
            if out.len() >= limit {
                break;
            }
        }
    }
    out
}

/// The text the draft gets for one field, or why not.
fn read_field(
    mapping: &CaptureMapping,
    field: &str,
    source: &Source,
    text: String,
    shape: Shape,
) -> Result<String, String> {
    let (text, time) = match source {
        Source::DateAndTime { .. } => match text.split_once('\u{1f}') {
            Some((d, t)) => (d.to_string(), Some(t.to_string())),
            None => (text, None),
        },
        _ => (text, None),
    };
    let text = mapping
        .value_for(field, &text)
        .map_or(text.clone(), str::to_string);
    if text.trim().is_empty() {
        return Ok(String::new());
    }
    match (shape, time) {
        (Shape::Text, _) => Ok(text),
        (Shape::Date(role), _) => report_date(&text, role)
            .map(iso_date)
            .ok_or_else(|| format!("'{}' is not a date", text.trim())),
        (Shape::DateTime, Some(time)) => report_date_and_time(&text, &time, DateRole::Event)
            .map(iso_date_time)
            .ok_or_else(|| format!("'{} {}' is not a date and time", text.trim(), time.trim())),
        (Shape::DateTime, None) => report_date_time(&text, DateRole::Event)
            .map(iso_date_time)
            .ok_or_else(|| format!("'{}' is not a date and time", text.trim())),
    }
}

/// A clinician's name as reports write it made comparable: titles, initials'
/// dots and brackets dropped, "KHAN, Asha" turned round, lower case.
pub fn name_key(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ',' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let turned = match cleaned.split_once(',') {
        Some((surname, rest)) => format!("{rest} {surname}"),
        None => cleaned,
    };
    turned
        .split_whitespace()
        .map(str::to_lowercase)
        .filter(|w| !HONORIFICS.contains(&w.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// [`name_key`] with the role words left out too ("Pharmacist", "GP", "ANP"),
/// for names written with them; a surname that is such a word stays matched by
/// [`name_key`].
fn bare_key(name: &str) -> String {
    name_key(name)
        .split(' ')
        .filter(|w| !TITLES.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Titles every name may carry.
const HONORIFICS: [&str; 8] = ["dr", "doctor", "nurse", "mr", "mrs", "ms", "miss", "prof"];

/// Words that are a title or a role, not part of a name, as the suppliers'
/// reports write them beside a clinician ("Dr", "Nurse", "Pharmacist",
/// "ANP", "Locum"…).
const TITLES: [&str; 24] = [
    "dr",
    "doctor",
    "nurse",
    "sister",
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "prof",
    "professor",
    "gp",
    "pharmacist",
    "pharm",
    "anp",
    "np",
    "ap",
    "hca",
    "rn",
    "locum",
    "paramedic",
    "physio",
    "physiotherapist",
    "prescriber",
];

/// Whether a name as a report writes it (`written`, a [`name_key`]) fits a
/// member of staff's (`theirs`): their surname is one of its words, and their
/// first name, or its initial, another ("SHAH, Amir (Dr)", "Dr Amir Shah",
/// "A Shah", "shah a" all fit "Dr A Shah" and "Dr Amir Shah").
fn name_fits(written: &str, theirs: &str) -> bool {
    let words: Vec<&str> = written.split(' ').filter(|w| !w.is_empty()).collect();
    let their: Vec<&str> = theirs.split(' ').filter(|w| !w.is_empty()).collect();
    // A name of one word ("Test" once "Nurse" is left out) says too little.
    if their.len() < 2 || words.len() < 2 {
        return false;
    }
    if written == theirs {
        return true;
    }
    let (Some(first), Some(surname)) = (their.first(), their.last()) else {
        return false;
    };
    let Some(at) = words.iter().position(|w| w == surname) else {
        return false;
    };
    let fits_first = |w: &str| {
        w == *first
            || (w.chars().count() == 1 && first.starts_with(w))
            || (first.chars().count() == 1 && w.starts_with(first))
    };
    words
        .iter()
        .enumerate()
        .any(|(i, w)| i != at && fits_first(w))
}

/// What a mapping remembers for a report's clinician name that is no one on the
/// staff list (a locum): the item keeps the report's text in its details.
pub const NOT_ON_STAFF: &str = "(not on the staff list)";

/// Whether the mapping says this report name is no one on the staff list.
pub fn is_not_on_staff(mapping: &CaptureMapping, text: &str) -> bool {
    mapping
        .clinicians
        .iter()
        .any(|(k, v)| k.trim().eq_ignore_ascii_case(text.trim()) && v == NOT_ON_STAFF)
}

/// The staff member a report's clinician name is: the mapping's remembered
/// match first, then the one active member of staff whose name fits
/// ([`name_fits`]: surname and first name or initial, in any order, any case,
/// titles and roles left out). Two who fit are asked about, never guessed.
pub fn match_clinician<'a>(
    mapping: &CaptureMapping,
    text: &str,
    staff: &'a [Staff],
) -> Result<&'a Staff, String> {
    let t = text.trim();
    if let Some(name) = mapping
        .clinicians
        .iter()
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(t))
        .map(|(_, v)| v)
    {
        return staff
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| format!("'{t}' is matched to '{name}', who is not on the staff list"));
    }
    let (want, bare) = (name_key(t), bare_key(t));
    // Only someone who can be responsible for an item (a receptionist who
    // shares a locum's name is never taken for them).
    let found: Vec<&Staff> = staff
        .iter()
        .filter(|s| {
            s.active
                && s.role.is_clinician()
                && (name_fits(&want, &name_key(&s.name)) || name_fits(&bare, &bare_key(&s.name)))
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "'{t}' is not matched to anyone on the staff list: match it once in the mapping"
        )),
        _ => Err(format!(
            "'{t}' could be {} people on the staff list: match it once in the mapping",
            found.len()
        )),
    }
}

/// The kind of this row.
fn row_kind(
    mapping: &CaptureMapping,
    header: &[String],
    cells: &[String],
    line: usize,
) -> Result<ItemKind, RowProblem> {
    let Some(source) = &mapping.kind else {
        return Err(RowProblem {
            line,
            column: "Kind".into(),
            reason: "the mapping does not say what kind of item each row is".into(),
        });
    };
    let text = raw(header, cells, source);
    let text = mapping
        .value_for("kind", &text)
        .map_or(text.clone(), str::to_string);
    ItemKind::parse(text.trim()).ok_or_else(|| RowProblem {
        line,
        column: column_name(source, "Kind"),
        reason: format!("'{}' is not a kind of item", text.trim()),
    })
}

fn column_name(source: &Source, label: &str) -> String {
    let cols = source.columns();
    if cols.is_empty() {
        label.to_string()
    } else {
        cols.join(" + ")
    }
}

fn label_of(field: &str, kind: ItemKind) -> &'static str {
    match field {
        "occurred_at" => "When it happened",
        "nhs_number" => "NHS number",
        "patient_name" => "Patient name",
        "date_of_birth" => "Date of birth",
        "clinician" => kind.clinician_rule().label,
        "details" => "Details",
        "kind" => "Kind",
        _ => kind
            .fields()
            .iter()
            .find(|f| f.key == field)
            .map_or("a field", |f| f.label),
    }
}

/// One row as a draft, before the entry form's checks.
pub fn draft_row(
    mapping: &CaptureMapping,
    header: &[String],
    line: usize,
    cells: &[String],
    staff: &[Staff],
    today: chrono::NaiveDate,
) -> Result<ItemDraft, Vec<RowProblem>> {
    let kind = row_kind(mapping, header, cells, line).map_err(|p| vec![p])?;
    let mut draft = ItemDraft {
        kind: Some(kind),
        ..ItemDraft::default()
    };
    let mut problems = Vec::new();
    let own: Vec<&str> = kind.fields().iter().map(|f| f.key).collect();
    // A clinician the practice said is not on the staff list: kept as written.
    let mut not_on_staff: Option<(String, String)> = None;
    for (field, source) in &mapping.fields {
        let text = raw(header, cells, source);
        let column = column_name(source, label_of(field, kind));
        let shape = shape_of(field, Some(kind), today);
        let value = match read_field(mapping, field, source, text, shape) {
            Ok(v) => v,
            Err(reason) => {
                problems.push(RowProblem {
                    line,
                    column,
                    reason,
                });
                continue;
            }
        };
        match field.as_str() {
            "occurred_at" => draft.occurred_at = value,
            "nhs_number" => draft.nhs_number = value,
            "patient_name" => draft.patient_name = value,
            "date_of_birth" => draft.date_of_birth = value,
            "details" => draft.details = value,
            "clinician" if value.is_empty() => {}
            "clinician" if is_not_on_staff(mapping, &value) => {
                not_on_staff = Some((value, column));
            }
            "clinician" => match match_clinician(mapping, &value, staff) {
                Ok(s) => draft.clinician = Some(s.id),
                Err(reason) => problems.push(RowProblem {
                    line,
                    column,
                    reason,
                }),
            },
            key if own.contains(&key) => {
                draft.fields.insert(key.to_string(), value);
            }
            // A field of another kind (a mapping for mixed rows): not this row's.
            _ => {}
        }
    }
    if let Some((text, column)) = not_on_staff {
        let rule = kind.clinician_rule();
        if rule.required {
            problems.push(RowProblem {
                line,
                column,
                reason: format!(
                    "'{text}' is not on the staff list, and {} {} needs its {}: add them to the staff list (Practice, F5), then match the name",
                    if kind.noun().starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" },
                    kind.noun(),
                    rule.label.to_lowercase()
                ),
            });
        } else {
            let note = format!("{}: {text} (not on the staff list)", rule.label);
            draft.details = if draft.details.trim().is_empty() {
                note
            } else {
                format!("{}\n{note}", draft.details)
            };
        }
    }
    if problems.is_empty() {
        Ok(draft)
    } else {
        Err(problems)
    }
}

/// When an appointment report gives only the slot: the booking was made before
/// the report, so "when it happened" is the slot if it has passed, else the time
/// of capture. Empty for any other kind (the mapping must say).
fn slot_or_now(draft: &ItemDraft, now: NaiveDateTime) -> String {
    if draft.kind != Some(ItemKind::Appointment) {
        return String::new();
    }
    match draft
        .fields
        .get("appointment_at")
        .and_then(|s| crate::domain::dates::from_iso(s))
    {
        Some(slot) => iso_date_time(slot.min(now)),
        None => String::new(),
    }
}

/// One row as a checked item: [`draft_row`], then the entry form's own checks,
/// each problem tied back to the column it came from.
pub fn check_row(
    mapping: &CaptureMapping,
    header: &[String],
    line: usize,
    cells: &[String],
    staff: &[Staff],
    now: NaiveDateTime,
) -> Result<ItemInput, Vec<RowProblem>> {
    let mut draft = draft_row(mapping, header, line, cells, staff, now.date())?;
    let kind = draft.kind.unwrap_or(ItemKind::Other);
    if draft.occurred_at.is_empty() {
        draft.occurred_at = slot_or_now(&draft, now);
    }
    let checked = match mapping.purpose {
        Purpose::Capture => draft.validate(now),
        Purpose::Reconcile => draft.validate_for_matching(now),
    };
    checked.map_err(|errors| {
        errors
            .into_iter()
            .map(|e| {
                let column = mapping
                    .fields
                    .get(e.field)
                    .map(|s| column_name(s, label_of(e.field, kind)))
                    .unwrap_or_else(|| format!("{} (not in the mapping)", label_of(e.field, kind)));
                RowProblem {
                    line,
                    column,
                    reason: e.message,
                }
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_clinician_name_is_listed_once_in_the_order_the_report_gives_them() {
        let header = row(&["Prescriber", "Drug"]);
        let rows = [
            row(&["Dr A KHAN", "x"]),
            row(&[" KHAN, Asha (Dr) ", "y"]),
            row(&["", "z"]),
            row(&["Dr A KHAN", "w"]),
            row(&["Dr B LEE", "v"]),
        ];
        let source = Source::Column {
            column: "Prescriber".into(),
        };
        let names = distinct_values(&header, rows.iter().map(Vec::as_slice), &source, 10);
        assert_eq!(names, ["Dr A KHAN", "KHAN, Asha (Dr)", "Dr B LEE"]);
        let two = distinct_values(&header, rows.iter().map(Vec::as_slice), &source, 2);
        assert_eq!(two.len(), 2);
    }
    use crate::domain::capture::mapping::suggest;
    use crate::domain::{Role, StaffId};

    fn staff() -> Vec<Staff> {
        let s = |id, name: &str, role| Staff {
            id: StaffId(id),
            name: name.into(),
            role,
            active: true,
        };
        vec![
            s(1, "Dr Asha Khan", Role::Gp),
            s(2, "Dr Ben Lee", Role::Gp),
            s(3, "Nurse Carol Ode", Role::Nurse),
        ]
    }

    fn now() -> NaiveDateTime {
        crate::domain::dates::from_iso("2026-12-02T12:00").unwrap_or_default()
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_string()).collect()
    }

    #[test]
    fn clinician_names_as_reports_write_them_find_the_staff_member() {
        let m = CaptureMapping::default();
        let st = staff();
        for written in [
            "Dr A KHAN",
            "KHAN, Asha (Dr)",
            "asha khan",
            "Dr Asha Khan",
            "KHAN Asha",
            "Khan A (GP)",
        ] {
            assert_eq!(
                match_clinician(&m, written, &st).map(|s| s.id),
                Ok(StaffId(1)),
                "{written}"
            );
        }
        assert!(match_clinician(&m, "Dr Z Nobody", &st).is_err());
        assert!(
            match_clinician(&m, "Dr B Khan", &st).is_err(),
            "the surname alone is not enough"
        );
        // A staff list written with initials, a report with full names (and
        // the other way round), and a pharmacist's title.
        let initials = vec![
            Staff {
                name: "Dr A Shah".into(),
                ..st[0].clone()
            },
            Staff {
                id: StaffId(9),
                name: "Pharmacist P Okafor".into(),
                role: Role::Pharmacist,
                ..st[0].clone()
            },
        ];
        for written in ["SHAH, Amir (Dr)", "Dr Amir Shah", "shah amir"] {
            assert_eq!(
                match_clinician(&m, written, &initials).map(|s| s.id),
                Ok(StaffId(1)),
                "{written}"
            );
        }
        assert_eq!(
            match_clinician(&m, "OKAFOR, Precious (Pharmacist)", &initials).map(|s| s.id),
            Ok(StaffId(9))
        );
        // A title or role left out never leaves one word to match on.
        let fixture = vec![
            Staff {
                name: "Dr Test Gp".into(),
                ..st[0].clone()
            },
            Staff {
                id: StaffId(11),
                name: "Test Nurse".into(),
                role: Role::Nurse,
                ..st[0].clone()
            },
        ];
        assert_eq!(
            match_clinician(&m, "Dr Test Gp", &fixture).map(|s| s.id),
            Ok(StaffId(1))
        );
        // Two who fit: asked, never guessed.
        let two = vec![
            initials[0].clone(),
            Staff {
                id: StaffId(10),
                name: "Dr Anita Shah".into(),
                ..st[0].clone()
            },
        ];
        let asked = match_clinician(&m, "Dr A Shah", &two);
        assert!(
            asked
                .as_ref()
                .is_err_and(|e| e.contains("could be 2 people")),
            "{asked:?}"
        );
        let mut remembered = CaptureMapping::default();
        remembered
            .clinicians
            .insert("SH1".into(), "Dr Ben Lee".into());
        assert_eq!(
            match_clinician(&remembered, "sh1", &st).map(|s| s.id),
            Ok(StaffId(2))
        );
    }

    #[test]
    fn an_emis_appointment_row_becomes_a_checked_appointment() {
        let header = row(&[
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
        let m = suggest(&header, Some(ItemKind::Appointment), "EMIS");
        let cells = row(&[
            "25-Nov-2026",
            "09:30",
            "Routine GP",
            "Dr A KHAN",
            "DNA",
            "999 000 0018",
            "TESTER",
            "Siân",
            "11-Nov-41",
        ]);
        let item = check_row(&m, &header, 7, &cells, &staff(), now());
        let item = item.unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!(item.kind, ItemKind::Appointment);
        assert_eq!(item.patient.name, "Siân TESTER");
        assert_eq!(
            item.patient.date_of_birth.map(iso_date).as_deref(),
            Some("1941-11-11")
        );
        assert_eq!(item.clinician, Some(StaffId(1)));
        assert_eq!(
            item.fields.get("appointment_action").map(String::as_str),
            Some("did_not_attend")
        );
        assert_eq!(
            item.fields.get("appointment_at").map(String::as_str),
            Some("2026-11-25T09:30")
        );
        assert_eq!(
            iso_date_time(item.occurred_at),
            "2026-11-25T09:30",
            "a slot that has passed is when it happened"
        );
    }

    #[test]
    fn a_locum_not_on_the_staff_list_is_kept_as_written_or_asked_for() {
        let header = row(&[
            "NHS Number",
            "Patient Name",
            "Date",
            "Time",
            "Clinician",
            "Notes",
        ]);
        let mut m = suggest(&header, Some(ItemKind::TelephoneCall), "Calls");
        m.fields.insert(
            "occurred_at".into(),
            Source::DateAndTime {
                date: "Date".into(),
                time: "Time".into(),
            },
        );
        m.fields.insert(
            "clinician".into(),
            Source::Column {
                column: "Clinician".into(),
            },
        );
        m.fields.insert(
            "details".into(),
            Source::Column {
                column: "Notes".into(),
            },
        );
        let cells = row(&[
            "999 000 0018",
            "Test Caller",
            "25/11/2026",
            "10:00",
            "Dr Q LOCUM",
            "Rang back",
        ]);
        assert!(
            check_row(&m, &header, 4, &cells, &staff(), now()).is_err(),
            "not matched until someone says who it is"
        );
        m.clinicians
            .insert("Dr Q LOCUM".into(), NOT_ON_STAFF.into());
        let item =
            check_row(&m, &header, 4, &cells, &staff(), now()).unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!(item.clinician, None, "nobody on the staff list is named");
        assert!(
            item.details.contains("Rang back")
                && item.details.contains("Dr Q LOCUM (not on the staff list)"),
            "{}",
            item.details
        );
        // A prescription needs its prescriber on the staff list: said so.
        m.kind = Some(Source::Constant {
            value: "prescription".into(),
        });
        let problems = check_row(&m, &header, 4, &cells, &staff(), now())
            .err()
            .unwrap_or_default();
        assert!(
            problems.iter().any(|p| p
                .reason
                .contains("not on the staff list, and a prescription needs its prescriber")),
            "{problems:?}"
        );
        // A receptionist who shares a clinician's name is never taken for them.
        let mut st = staff();
        st[0].role = Role::Reception;
        assert!(match_clinician(&CaptureMapping::default(), "Dr A KHAN", &st).is_err());
    }

    #[test]
    fn a_bad_row_names_its_row_and_column_and_never_the_patient() {
        let header = row(&["NHS No", "Patient Name", "Drug", "Issue Date", "Prescriber"]);
        let m = suggest(&header, Some(ItemKind::Prescription), "Issues");
        let cells = row(&["9990000019", "Test Patient", "", "32/11/2026", "Dr Ben Lee"]);
        let problems = check_row(&m, &header, 12, &cells, &staff(), now())
            .err()
            .unwrap_or_default();
        assert!(problems.iter().all(|p| p.line == 12));
        assert!(
            problems.iter().any(|p| p.column == "Issue Date"),
            "{problems:?}"
        );
        let date_ok = row(&["9990000019", "Test Patient", "", "25/11/2026", "Dr Ben Lee"]);
        let problems = check_row(&m, &header, 12, &date_ok, &staff(), now())
            .err()
            .unwrap_or_default();
        assert!(
            problems.iter().any(|p| p.column == "NHS No"),
            "{problems:?}"
        );
        assert!(problems.iter().any(|p| p.column == "Drug"), "{problems:?}");
        assert!(
            problems
                .iter()
                .all(|p| !p.to_string().contains("Test Patient")),
            "no patient details in a message: {problems:?}"
        );
    }
}
