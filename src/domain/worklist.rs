//! What the worklist asks the store for: filters, sort order, and the counts it shows.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::kind::ItemKind;
use super::staff::StaffId;
use super::status::Status;

/// Items ticked re-entered, by what the new system's reports showed (the
/// latest finding of Reconcile): a worklist filter for the second look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NewSystemFilter {
    Verified,
    NotFound,
    NotChecked,
}

impl NewSystemFilter {
    pub const ALL: [NewSystemFilter; 3] = [
        NewSystemFilter::NotFound,
        NewSystemFilter::NotChecked,
        NewSystemFilter::Verified,
    ];

    pub fn label(self) -> &'static str {
        match self {
            NewSystemFilter::Verified => "Verified",
            NewSystemFilter::NotFound => "Not found",
            NewSystemFilter::NotChecked => "Not checked",
        }
    }
}

/// Open items by their deadline (see [`super::deadline`]), as of a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DueFilter {
    /// Past their due-by.
    Overdue,
    /// Due later today.
    DueToday,
    /// Overdue or due today: the day's plan.
    ByToday,
}

impl DueFilter {
    pub const ALL: [DueFilter; 3] = [DueFilter::ByToday, DueFilter::Overdue, DueFilter::DueToday];

    pub fn label(self) -> &'static str {
        match self {
            DueFilter::Overdue => "Overdue",
            DueFilter::DueToday => "Due today",
            DueFilter::ByToday => "Overdue or due today",
        }
    }
}

/// A [`DueFilter`] as of `now` (to the minute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueWindow {
    pub which: DueFilter,
    pub now: chrono::NaiveDateTime,
}

/// Whose items to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AssigneeFilter {
    #[default]
    Anyone,
    Unassigned,
    Staff(StaffId),
    /// "My items" with nobody at the desk: no item.
    NobodyAtTheDesk,
}

/// Column the worklist is sorted by; ties always fall back to `occurred_at`, then id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SortKey {
    /// The guide asks for items to be worked in date order: the default.
    #[default]
    OccurredAt,
    Kind,
    PatientName,
    NhsNumber,
    Clinician,
    Assignee,
    Status,
    LoggedAt,
    /// By due-by: overdue first, then due soonest (the default after go-live).
    Due,
}

/// A combination of worklist filters; the empty filter matches every live item.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WorklistFilter {
    /// Empty means every kind.
    pub kinds: Vec<ItemKind>,
    /// Empty means every status.
    pub statuses: Vec<Status>,
    pub assignee: AssigneeFilter,
    pub clinician: Option<StaffId>,
    /// Occurred on or after this day.
    pub from: Option<NaiveDate>,
    /// Occurred on or before this day.
    pub to: Option<NaiveDate>,
    /// Words to find in the patient name, NHS number or details (case-insensitive).
    pub text: String,
    /// Only items logged by this person (today's log at a desk).
    pub logged_by: Option<StaffId>,
    /// Only items logged on or after this day (today's log).
    pub logged_from: Option<NaiveDate>,
    /// Voided items are left out unless asked for.
    pub include_voided: bool,
    /// Only items re-entered with this finding from the new system's reports.
    pub new_system: Option<NewSystemFilter>,
    /// Only open items overdue or due today (as of a moment).
    pub due: Option<DueWindow>,
    /// Only these items (empty: any): which of a selection a filter still shows.
    pub only: Vec<crate::domain::ItemId>,
}

/// An item asked for by its number in a search box: `#130`, `item 130` (as
/// the Audit screen and the reports name items). Anything else is free text.
pub fn item_number(text: &str) -> Option<crate::domain::ItemId> {
    let t = text.trim();
    let digits = t.strip_prefix('#').or_else(|| {
        t.get(..4)
            .filter(|head| head.eq_ignore_ascii_case("item"))
            .and_then(|_| t.get(4..))
    })?;
    let digits = digits.trim();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(crate::domain::ItemId)
}

/// Sort order of a worklist page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

/// Counts of live (not voided) items by kind and status, plus voided ones.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Stats {
    /// (kind, status, count), only non-zero rows.
    pub by_kind_status: Vec<(ItemKind, Status, u64)>,
    /// Voided items by kind.
    pub voided_by_kind: Vec<(ItemKind, u64)>,
}

impl Stats {
    pub fn count(&self, kind: Option<ItemKind>, status: Option<Status>) -> u64 {
        self.by_kind_status
            .iter()
            .filter(|(k, s, _)| {
                kind.is_none_or(|want| want == *k) && status.is_none_or(|w| w == *s)
            })
            .map(|(_, _, n)| n)
            .sum()
    }

    pub fn total(&self) -> u64 {
        self.count(None, None)
    }

    pub fn voided(&self) -> u64 {
        self.voided_by_kind.iter().map(|(_, n)| n).sum()
    }

    /// Items still open (outstanding or problem).
    pub fn open(&self) -> u64 {
        self.count(None, Some(Status::Outstanding)) + self.count(None, Some(Status::Problem))
    }
}

/// How many items each person has re-entered (or closed as not needed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonProgress {
    pub staff: StaffId,
    pub assigned: u64,
    pub assigned_open: u64,
    pub re_entered: u64,
    pub not_needed: u64,
}

/// What an NHS number's earlier entries say about the patient, for recall at the desk.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PatientRecall {
    /// The most recent name and date of birth logged for this number.
    pub name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// Other names or dates of birth logged for the same number: a warning sign.
    pub other_names: Vec<String>,
    pub other_dates_of_birth: Vec<NaiveDate>,
    pub earlier_items: u64,
    /// Every spelling of the name seen for this number (case aside), with how
    /// many items use it, most used first: a person picks one, none is taken
    /// silently when there are several.
    pub spellings: Vec<(String, u64)>,
    /// Every date of birth seen, with how many items give it, most first.
    pub dates_of_birth: Vec<(NaiveDate, u64)>,
}

impl PatientRecall {
    /// Adds `n` items spelling the name `name` with date of birth `dob`.
    pub fn count(&mut self, name: &str, dob: Option<NaiveDate>, n: u64) {
        match self
            .spellings
            .iter_mut()
            .find(|(s, _)| s.eq_ignore_ascii_case(name))
        {
            Some((_, c)) => *c += n,
            None => self.spellings.push((name.to_string(), n)),
        }
        if let Some(d) = dob {
            match self.dates_of_birth.iter_mut().find(|(x, _)| *x == d) {
                Some((_, c)) => *c += n,
                None => self.dates_of_birth.push((d, n)),
            }
        }
        // Most used first; a tie keeps the order seen (latest first).
        self.spellings.sort_by_key(|s| std::cmp::Reverse(s.1));
        self.dates_of_birth.sort_by_key(|d| std::cmp::Reverse(d.1));
    }

    /// Leaves out one item (the one being corrected: it is not an earlier one).
    pub fn without_one(mut self, name: &str, dob: Option<NaiveDate>) -> Option<Self> {
        self.earlier_items = self.earlier_items.saturating_sub(1);
        if let Some((_, c)) = self
            .spellings
            .iter_mut()
            .find(|(s, _)| s.eq_ignore_ascii_case(name))
        {
            *c = c.saturating_sub(1);
        }
        if let Some(d) = dob
            && let Some((_, c)) = self.dates_of_birth.iter_mut().find(|(x, _)| *x == d)
        {
            *c = c.saturating_sub(1);
        }
        self.spellings.retain(|(_, c)| *c > 0);
        self.dates_of_birth.retain(|(_, c)| *c > 0);
        (self.earlier_items > 0).then_some(self)
    }

    /// The one name every earlier entry gives, to fill in; none when they
    /// disagree (the person picks).
    pub fn only_name(&self) -> Option<&str> {
        match self.spellings.as_slice() {
            [(name, _)] => Some(name),
            _ => None,
        }
    }

    /// The one date of birth every earlier entry gives; none when they disagree.
    pub fn only_date_of_birth(&self) -> Option<NaiveDate> {
        match self.dates_of_birth.as_slice() {
            [(d, _)] => Some(*d),
            _ => None,
        }
    }

    /// A plain-English warning when the entries for this number disagree, or
    /// when what was typed disagrees with them.
    pub fn conflict_warning(
        &self,
        typed_name: &str,
        typed_dob: Option<NaiveDate>,
    ) -> Option<String> {
        let mut problems = Vec::new();
        let name = typed_name.trim();
        if !name.is_empty() && !name.eq_ignore_ascii_case(&self.name) {
            problems.push(format!("earlier entries name this patient '{}'", self.name));
        }
        if let (Some(t), Some(d)) = (typed_dob, self.date_of_birth)
            && t != d
        {
            problems.push(format!(
                "earlier entries give date of birth {}",
                super::dates::uk_date(d)
            ));
        }
        if !self.other_names.is_empty() || !self.other_dates_of_birth.is_empty() {
            problems.push("earlier entries for this NHS number disagree with each other".into());
        }
        (!problems.is_empty()).then(|| format!("Check the patient: {}.", problems.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_are_counted_and_one_is_filled_in_only_when_all_agree() {
        let d = NaiveDate::from_ymd_opt(1950, 3, 1);
        let mut r = PatientRecall::default();
        r.count("Obrien, Margaret", d, 1);
        r.count("O'Brien, Margaret", d, 2);
        r.count("o'brien, margaret", None, 1);
        assert_eq!(
            r.spellings,
            vec![
                ("O'Brien, Margaret".to_string(), 3),
                ("Obrien, Margaret".to_string(), 1)
            ]
        );
        assert_eq!(r.only_name(), None, "two spellings: the person picks");
        assert_eq!(r.only_date_of_birth(), d);
        r.earlier_items = 4;
        let r = r.without_one("Obrien, Margaret", d);
        let r = r.unwrap_or_default();
        assert_eq!(r.earlier_items, 3);
        assert_eq!(r.only_name(), Some("O'Brien, Margaret"));
        let mut alone = PatientRecall::default();
        alone.count("Test Alone", None, 1);
        alone.earlier_items = 1;
        assert_eq!(
            alone.without_one("Test Alone", None),
            None,
            "no earlier item"
        );
    }

    #[test]
    fn an_item_is_found_by_its_number_as_the_audit_names_it() {
        use crate::domain::ItemId;
        assert_eq!(item_number("#130"), Some(ItemId(130)));
        assert_eq!(item_number(" Item 130 "), Some(ItemId(130)));
        assert_eq!(item_number("item130"), Some(ItemId(130)));
        assert_eq!(
            item_number("130"),
            None,
            "digits alone are an NHS number or text"
        );
        assert_eq!(item_number("Itemised"), None);
        assert_eq!(item_number("#"), None);
        assert_eq!(item_number("# 12a"), None);
        assert_eq!(item_number("#99999999999999999999999"), None);
    }
}
