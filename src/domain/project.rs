//! The cutover project: which practice is moving, from which system to which,
//! and the cutover window from the final data extract to go-live.

use chrono::{NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

use super::dates::uk_date_long;
use super::validation::{FieldError, Validation};

/// A practice's ODS code (`A81001`): one letter then five letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OdsCode(String);

impl OdsCode {
    /// Checks the shape of an ODS code; lower case is accepted and stored upper case.
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err("enter the practice's ODS code, e.g. A81001".into());
        }
        let mut chars = s.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_uppercase());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric());
        if s.chars().count() != 6 || !first_ok || !rest_ok {
            return Err(format!(
                "'{}' is not an ODS code: one letter then five letters or digits, e.g. A81001",
                input.trim()
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OdsCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A GP clinical system a practice moves from or to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClinicalSystem {
    EmisWeb,
    TppSystmOne,
    Vision,
    Medicus,
    /// Any other system, by name.
    Other(String),
}

impl ClinicalSystem {
    /// The named systems, for pick lists.
    pub const NAMED: [ClinicalSystem; 4] = [
        ClinicalSystem::EmisWeb,
        ClinicalSystem::TppSystmOne,
        ClinicalSystem::Vision,
        ClinicalSystem::Medicus,
    ];

    pub fn label(&self) -> String {
        match self {
            ClinicalSystem::EmisWeb => "EMIS Web".into(),
            ClinicalSystem::TppSystmOne => "TPP SystmOne".into(),
            ClinicalSystem::Vision => "Vision".into(),
            ClinicalSystem::Medicus => "Medicus".into(),
            ClinicalSystem::Other(name) => name.clone(),
        }
    }

    /// Reads a system from its name; anything unrecognised is `Other(name)`.
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim();
        let squashed: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        Ok(match squashed.as_str() {
            "" => return Err("name the clinical system".into()),
            "emis" | "emisweb" => ClinicalSystem::EmisWeb,
            "tpp" | "systmone" | "tppsystmone" => ClinicalSystem::TppSystmOne,
            "vision" | "inpsvision" | "cegedimvision" => ClinicalSystem::Vision,
            "medicus" => ClinicalSystem::Medicus,
            _ => ClinicalSystem::Other(s.to_string()),
        })
    }
}

/// The cutover project as stored: one per database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub practice_name: String,
    pub ods_code: OdsCode,
    pub old_system: ClinicalSystem,
    pub new_system: ClinicalSystem,
    /// The final data extract from the old system: cutover starts here.
    pub cutover_start: NaiveDateTime,
    /// Planned go-live in the new system; may move (each move is audited).
    pub go_live: NaiveDateTime,
}

/// Where the practice is in its migration at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Before the final data extract.
    BeforeCutover,
    /// Between the extract and go-live: `day` counts from 1, of `days` in all.
    Cutover { day: i64, days: i64 },
    /// Go-live has passed: re-entry time. `day` counts from 1.
    AfterGoLive { day: i64 },
}

impl Phase {
    /// The stored code of a phase (`before_cutover`, `cutover`, `after_go_live`).
    pub fn code(self) -> &'static str {
        match self {
            Phase::BeforeCutover => "before_cutover",
            Phase::Cutover { .. } => "cutover",
            Phase::AfterGoLive { .. } => "after_go_live",
        }
    }

    /// Whether an item logged now falls outside the cutover window and should be flagged.
    pub fn is_outside_window(self) -> bool {
        !matches!(self, Phase::Cutover { .. })
    }
}

/// Whether `at` came before the final extract made at `extract` (see
/// [`Project::before_extract`]).
pub fn before_extract(at: NaiveDateTime, extract: NaiveDateTime) -> bool {
    at < extract
}

/// [`before_extract`] for a report row, whose "when it happened" may be known
/// only to the day (a report giving the issue date alone reads as midnight): a
/// row at midnight is before the extract only if its day is before the
/// extract's day. Leaving out a row issued on the extract's evening would lose
/// it; keeping one from its morning is warned of on the worklist.
pub fn report_row_before_extract(at: NaiveDateTime, extract: NaiveDateTime) -> bool {
    if at.time() == chrono::NaiveTime::MIN {
        at.date() < extract.date()
    } else {
        before_extract(at, extract)
    }
}

impl Project {
    /// Checks a project as typed at setup or given to `init`.
    pub fn validate(
        practice_name: &str,
        ods_code: &str,
        old_system: &str,
        new_system: &str,
        cutover_start: Result<NaiveDateTime, String>,
        go_live: Result<NaiveDateTime, String>,
    ) -> Result<Project, Vec<FieldError>> {
        let mut v = Validation::default();
        let name = v.required_text("practice_name", "Practice name", practice_name, 200);
        let ods = v.check("ods_code", OdsCode::parse(ods_code));
        let old = v.check("old_system", ClinicalSystem::parse(old_system));
        let new = v.check("new_system", ClinicalSystem::parse(new_system));
        let start = v.check("cutover_start", cutover_start);
        let live = v.check("go_live", go_live);
        if let (Some(o), Some(n)) = (&old, &new)
            && o == n
        {
            v.error("new_system", "the new system is the same as the old one");
        }
        if let (Some(s), Some(l)) = (start, live)
            && l <= s
        {
            v.error("go_live", "go-live must come after the cutover start");
        }
        v.finish()?;
        match (name, ods, old, new, start, live) {
            (
                Some(practice_name),
                Some(ods_code),
                Some(old_system),
                Some(new_system),
                Some(s),
                Some(l),
            ) => Ok(Project {
                practice_name,
                ods_code,
                old_system,
                new_system,
                cutover_start: s,
                go_live: l,
            }),
            _ => Err(vec![FieldError::new(
                "project",
                "the project is incomplete",
            )]),
        }
    }

    /// Whether something that happened at `at` came before the final data
    /// extract: the old supplier's extract already holds it, so the new system
    /// has it, and keying it again would enter it twice. The one rule for the
    /// form's warning and the lists' flag (by when it happened, not when it was
    /// logged).
    pub fn before_extract(&self, at: NaiveDateTime) -> bool {
        before_extract(at, self.cutover_start)
    }

    /// The migration phase at `now`.
    pub fn phase(&self, now: NaiveDateTime) -> Phase {
        if now < self.cutover_start {
            Phase::BeforeCutover
        } else if now < self.go_live {
            let day = (now.date() - self.cutover_start.date()).num_days() + 1;
            let days = (self.go_live.date() - self.cutover_start.date()).num_days() + 1;
            Phase::Cutover { day, days }
        } else {
            Phase::AfterGoLive {
                day: (now.date() - self.go_live.date()).num_days() + 1,
            }
        }
    }

    /// The banner text for a phase, in the practice's words.
    pub fn phase_banner(&self, now: NaiveDateTime) -> String {
        let start = uk_date_long(self.cutover_start.date());
        let live = uk_date_long(self.go_live.date());
        let at = |t: NaiveDateTime| format!("{:02}:{:02}", t.hour(), t.minute());
        match self.phase(now) {
            Phase::BeforeCutover => format!(
                "Before cutover - final extract {start} {}, go-live {live} {}",
                at(self.cutover_start),
                at(self.go_live)
            ),
            Phase::Cutover { day, days } => format!(
                "Cutover day {day} of {days} ({start} to {live}) - log everything entered in {}",
                self.old_system.label()
            ),
            Phase::AfterGoLive { day } => format!(
                "Go-live passed on {live} (day {day}) - re-enter outstanding items in {}",
                self.new_system.label()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, d)
            .and_then(|x| x.and_hms_opt(h, 0, 0))
            .unwrap_or_default()
    }

    #[test]
    fn a_report_row_known_only_to_the_day_of_the_extract_is_not_before_it() {
        let extract = t(16, 18);
        assert!(
            report_row_before_extract(t(15, 0), extract),
            "the day before"
        );
        assert!(
            !report_row_before_extract(t(16, 0), extract),
            "the extract's day, time unknown: it may be the evening's"
        );
        assert!(
            report_row_before_extract(t(16, 9), extract),
            "a known time before"
        );
        assert!(!report_row_before_extract(t(16, 19), extract));
        assert!(
            before_extract(t(16, 0), extract),
            "the form's rule has the time"
        );
    }

    fn project() -> Project {
        Project {
            practice_name: "Test Surgery".into(),
            ods_code: OdsCode("A81001".into()),
            old_system: ClinicalSystem::EmisWeb,
            new_system: ClinicalSystem::TppSystmOne,
            cutover_start: t(16, 18),
            go_live: t(23, 8),
        }
    }

    #[test]
    fn ods_codes() {
        assert_eq!(
            OdsCode::parse(" a81001 ").map(|o| o.to_string()),
            Ok("A81001".into())
        );
        assert!(OdsCode::parse("181001").is_err());
        assert!(OdsCode::parse("A8100").is_err());
        assert!(OdsCode::parse("A8100!").is_err());
        assert!(OdsCode::parse("").is_err());
    }

    #[test]
    fn systems_parse_by_name() {
        assert_eq!(
            ClinicalSystem::parse("EMIS Web"),
            Ok(ClinicalSystem::EmisWeb)
        );
        assert_eq!(
            ClinicalSystem::parse("SystmOne"),
            Ok(ClinicalSystem::TppSystmOne)
        );
        assert_eq!(
            ClinicalSystem::parse("Acme GP"),
            Ok(ClinicalSystem::Other("Acme GP".into()))
        );
        assert!(ClinicalSystem::parse("  ").is_err());
    }

    #[test]
    fn phases_across_the_window() {
        let p = project();
        assert_eq!(p.phase(t(16, 17)), Phase::BeforeCutover);
        assert_eq!(p.phase(t(16, 18)), Phase::Cutover { day: 1, days: 8 });
        assert_eq!(p.phase(t(20, 9)), Phase::Cutover { day: 5, days: 8 });
        assert_eq!(p.phase(t(23, 8)), Phase::AfterGoLive { day: 1 });
        assert!(p.phase_banner(t(20, 9)).contains("Cutover day 5 of 8"));
        assert!(
            p.phase_banner(t(24, 9))
                .contains("Go-live passed on 23-Nov-2026")
        );
    }

    #[test]
    fn validate_reports_every_bad_field() {
        let errs = Project::validate("", "x", "EMIS", "emis web", Ok(t(20, 0)), Ok(t(19, 0)));
        let fields: Vec<_> = errs
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec!["practice_name", "ods_code", "new_system", "go_live"]
        );
    }
}
