//! Whether a report row is an item reception already logged by hand: the same
//! patient, the same kind, near enough in time for that kind, and the same key
//! field (an appointment's slot time, a prescription's medication). One table,
//! one rule per kind, used by capture (and by reconciliation after go-live).

use chrono::Duration;

use crate::domain::{ItemInput, ItemKind, Patient};

/// How near in time a report row and a logged item must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Within this many minutes either side.
    Minutes(i64),
    /// On the same calendar day (a report that gives only the date).
    SameDay,
    /// Time does not decide; the key field does (an appointment is its slot).
    Any,
}

/// The rule for one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchRule {
    pub window: Window,
    /// The field that must agree (after [`normalise`]), if the kind has one.
    pub key: Option<&'static str>,
}

/// The rule for each kind.
pub fn rule(kind: ItemKind) -> MatchRule {
    use ItemKind as K;
    let (window, key) = match kind {
        K::Appointment => (Window::Any, Some("appointment_at")),
        K::Prescription => (Window::SameDay, Some("medication")),
        K::Immunisation => (Window::SameDay, Some("vaccine")),
        K::PathologyResult => (Window::SameDay, Some("test_name")),
        K::Referral => (Window::SameDay, None),
        K::Registration | K::Correspondence => (Window::SameDay, None),
        K::Consultation | K::TelephoneCall | K::HomeVisit | K::Other => (Window::Minutes(60), None),
    };
    MatchRule { window, key }
}

/// The same patient: the same NHS number, or (with none on either) the same
/// name ignoring case and spacing and the same date of birth.
pub fn same_patient(a: &Patient, b: &Patient) -> bool {
    match (a.nhs_number, b.nhs_number) {
        (Some(x), Some(y)) => x == y,
        (None, None) => {
            normalise("", &a.name) == normalise("", &b.name) && a.date_of_birth == b.date_of_birth
        }
        _ => false,
    }
}

/// A value made comparable: lower case, spacing and punctuation folded; for a
/// medication also the strength joined to its unit and the common abbreviations
/// of forms spelt out ("Amlodipine 5 mg tabs" is "AMLODIPINE 5MG TABLETS").
pub fn normalise(field: &str, value: &str) -> String {
    let lower = value.to_lowercase();
    let words: Vec<String> = lower
        .split(|c: char| c.is_whitespace() || (c.is_ascii_punctuation() && c != '.' && c != '%'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    if field != "medication" && field != "vaccine" {
        return words.join(" ");
    }
    let mut out: Vec<String> = Vec::new();
    for w in words {
        let w = match w.as_str() {
            "tab" | "tabs" | "tablet" | "tablets" => "tablet".to_string(),
            "cap" | "caps" | "capsule" | "capsules" => "capsule".to_string(),
            "inj" | "injection" => "injection".to_string(),
            "soln" | "solution" => "solution".to_string(),
            "susp" | "suspension" => "suspension".to_string(),
            "mg" | "mcg" | "microgram" | "micrograms" | "g" | "ml" | "%" | "units" => {
                let unit = match w.as_str() {
                    "microgram" | "micrograms" => "mcg",
                    other => other,
                };
                // "5 mg": join to the number before it.
                if let Some(last) = out.last_mut()
                    && last.chars().all(|c| c.is_ascii_digit() || c == '.')
                {
                    last.push_str(unit);
                    continue;
                }
                unit.to_string()
            }
            _ => w,
        };
        out.push(w);
    }
    out.join(" ")
}

/// Whether a report row (`row`) is the same event as an item logged by hand.
pub fn same_event(logged: &ItemInput, row: &ItemInput) -> bool {
    if logged.kind != row.kind || !same_patient(&logged.patient, &row.patient) {
        return false;
    }
    let r = rule(row.kind);
    let near = match r.window {
        Window::Any => true,
        Window::SameDay => logged.occurred_at.date() == row.occurred_at.date(),
        Window::Minutes(m) => (logged.occurred_at - row.occurred_at).abs() <= Duration::minutes(m),
    };
    if !near {
        return false;
    }
    match r.key {
        None => true,
        Some(key) => match (logged.fields.get(key), row.fields.get(key)) {
            (Some(a), Some(b)) => normalise(key, a) == normalise(key, b),
            // The report does not give the key: time and patient decide.
            (_, None) => true,
            (None, Some(_)) => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::item::test_input as item;

    #[test]
    fn medication_names_compare_as_the_same_drug() {
        let n = |s| normalise("medication", s);
        assert_eq!(n("Amlodipine 5 mg tabs"), n("AMLODIPINE 5MG TABLETS"));
        assert_eq!(
            n("Amoxicillin 500mg capsules"),
            n("amoxicillin 500 mg caps")
        );
        assert_ne!(n("Amlodipine 5mg tablets"), n("Amlodipine 10mg tablets"));
    }

    #[test]
    fn a_prescription_matches_on_patient_day_and_drug_only() {
        let logged = item(
            ItemKind::Prescription,
            "9990000018",
            "2026-11-25T10:40",
            &[("medication", "Amlodipine 5mg tablets")],
        );
        let row = |nhs, at, drug| item(ItemKind::Prescription, nhs, at, &[("medication", drug)]);
        assert!(same_event(
            &logged,
            &row("9990000018", "2026-11-25T00:00", "AMLODIPINE 5 MG TABS")
        ));
        assert!(
            !same_event(
                &logged,
                &row("9990000018", "2026-11-26T00:00", "Amlodipine 5mg tablets")
            ),
            "the day after"
        );
        assert!(
            !same_event(
                &logged,
                &row(
                    "9990000018",
                    "2026-11-25T00:00",
                    "Atorvastatin 20mg tablets"
                )
            ),
            "another drug"
        );
        assert!(
            !same_event(
                &logged,
                &row("9990000026", "2026-11-25T00:00", "Amlodipine 5mg tablets")
            ),
            "another patient"
        );
    }

    #[test]
    fn an_appointment_is_its_slot() {
        let logged = item(
            ItemKind::Appointment,
            "9990000018",
            "2026-11-20T08:05",
            &[("appointment_at", "2026-11-27T10:30")],
        );
        let row = |slot| {
            item(
                ItemKind::Appointment,
                "9990000018",
                slot,
                &[("appointment_at", slot)],
            )
        };
        assert!(same_event(&logged, &row("2026-11-27T10:30")));
        assert!(!same_event(&logged, &row("2026-11-27T10:40")));
        let call = item(
            ItemKind::TelephoneCall,
            "9990000018",
            "2026-11-20T08:05",
            &[],
        );
        assert!(!same_event(&logged, &call), "another kind");
    }
}
