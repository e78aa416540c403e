//! Deadlines: by when each item must be re-entered, from one rule per kind.
//!
//! - A booked or rescheduled appointment whose slot is after go-live is due
//!   before its slot, and on go-live day if that comes first (the guide: every
//!   booked future appointment is transferred by hand on go-live day).
//! - A repeat-dispensing prescription is due for cancellation on the Spine and
//!   re-issue from the new system on go-live day (plus the practice's days).
//! - Any other prescription is due within the practice's turnaround from the
//!   request (2 working days unless the practice says otherwise).
//! - A two-week-wait referral is due the next working day.
//! - Everything else by the practice's default (5 working days from go-live).
//!
//! Nothing can be re-entered before go-live, so a deadline that would fall
//! before it falls on go-live day. Working days skip weekends and the bank
//! holidays of England ([`BANK_HOLIDAYS`]).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use serde::{Deserialize, Serialize};

use super::{ItemInput, ItemKind};

/// The bank holidays of England and Wales, 2026 to 2028. Source: GOV.UK,
/// <https://www.gov.uk/bank-holidays> (2026 and 2027 as published there); 2028
/// from the same rules (the Banking and Financial Dealings Act 1971 and royal
/// proclamation: New Year's Day, Good Friday, Easter Monday, the first and
/// last Mondays of May, the last Monday of August, Christmas and Boxing Day,
/// each moved to the next weekday when it falls at a weekend) — check it
/// against GOV.UK when published. Later years count weekends only.
pub const BANK_HOLIDAYS: &[(i32, u32, u32)] = &[
    (2026, 1, 1),
    (2026, 4, 3),
    (2026, 4, 6),
    (2026, 5, 4),
    (2026, 5, 25),
    (2026, 8, 31),
    (2026, 12, 25),
    (2026, 12, 28),
    (2027, 1, 1),
    (2027, 3, 26),
    (2027, 3, 29),
    (2027, 5, 3),
    (2027, 5, 31),
    (2027, 8, 30),
    (2027, 12, 27),
    (2027, 12, 28),
    (2028, 1, 3),
    (2028, 4, 14),
    (2028, 4, 17),
    (2028, 5, 1),
    (2028, 5, 29),
    (2028, 8, 28),
    (2028, 12, 25),
    (2028, 12, 26),
];

/// Whether `day` is a bank holiday in England.
pub fn is_bank_holiday(day: NaiveDate) -> bool {
    BANK_HOLIDAYS
        .iter()
        .any(|&(y, m, d)| day.year() == y && day.month() == m && day.day() == d)
}

/// Whether the practice works on `day` (not a weekend, not a bank holiday).
pub fn is_working_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !is_bank_holiday(day)
}

/// The `n`-th working day after `day`, counting the working days that follow
/// it (so 5 working days after Saturday 05/12/2026 is Friday 11/12: Monday is
/// the first); `n` = 0: `day` itself if it is a working day, else the next one.
pub fn add_working_days(day: NaiveDate, n: u32) -> NaiveDate {
    let mut d = day;
    if n == 0 {
        while !is_working_day(d) {
            d += Duration::days(1);
        }
        return d;
    }
    for _ in 0..n {
        d += Duration::days(1);
        while !is_working_day(d) {
            d += Duration::days(1);
        }
    }
    d
}

/// The numbers the practice manager can change, in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeadlineRules {
    /// A prescription (not repeat dispensing): days from the request.
    pub prescription_turnaround: u32,
    /// A repeat-dispensing issue: days after go-live to cancel and re-issue it.
    pub repeat_dispensing: u32,
    /// A two-week-wait referral: days after it was made.
    pub two_week_wait: u32,
    /// Everything else: days after go-live (or after it was logged, if later).
    pub default_days: u32,
}

impl Default for DeadlineRules {
    fn default() -> Self {
        Self {
            prescription_turnaround: 2,
            repeat_dispensing: 0,
            two_week_wait: 1,
            default_days: 5,
        }
    }
}

impl DeadlineRules {
    /// The most working days any rule may be set to (about three months).
    pub const MAX_DAYS: u32 = 60;

    /// The rules as the practice manager sees them: (label, value), in order.
    pub fn describe(&self) -> [(&'static str, u32); 4] {
        [
            (
                "Prescription turnaround (working days from the request)",
                self.prescription_turnaround,
            ),
            (
                "Repeat dispensing: cancel and re-issue (working days after go-live)",
                self.repeat_dispensing,
            ),
            (
                "Two-week-wait referral (working days after it was made)",
                self.two_week_wait,
            ),
            (
                "Everything else (working days after go-live)",
                self.default_days,
            ),
        ]
    }

    /// The rules from numbers in [`Self::describe`]'s order.
    pub fn from_numbers(n: [u32; 4]) -> Self {
        Self {
            prescription_turnaround: n[0],
            repeat_dispensing: n[1],
            two_week_wait: n[2],
            default_days: n[3],
        }
    }

    /// Each number within 0 to [`Self::MAX_DAYS`].
    pub fn check(&self) -> Result<(), String> {
        match self.describe().iter().find(|(_, n)| *n > Self::MAX_DAYS) {
            Some((what, _)) => Err(format!(
                "{what}: choose from 0 to {} working days",
                Self::MAX_DAYS
            )),
            None => Ok(()),
        }
    }
}

/// By when an item must be re-entered: a whole day, or before a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DueBy {
    /// By the end of this day.
    Day(NaiveDate),
    /// Before this time (an appointment's slot).
    Time(NaiveDateTime),
}

impl DueBy {
    /// The moment it becomes overdue.
    pub fn deadline(self) -> NaiveDateTime {
        match self {
            DueBy::Day(d) => d.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::days(1),
            DueBy::Time(t) => t,
        }
    }

    pub fn day(self) -> NaiveDate {
        match self {
            DueBy::Day(d) => d,
            DueBy::Time(t) => t.date(),
        }
    }

    /// As stored, sorting as the deadlines do: `2026-12-07T09:00` before a
    /// time, `2026-12-07T24:00` (ISO 8601's end of the day) for a whole day.
    pub fn stored(self) -> String {
        match self {
            DueBy::Day(d) => format!("{}T24:00", d.format("%Y-%m-%d")),
            DueBy::Time(t) => t.format("%Y-%m-%dT%H:%M").to_string(),
        }
    }

    /// Reads [`DueBy::stored`] back.
    pub fn parse_stored(s: &str) -> Option<Self> {
        match s.strip_suffix("T24:00") {
            Some(day) => NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .ok()
                .map(DueBy::Day),
            None => NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
                .ok()
                .map(DueBy::Time),
        }
    }

    /// In words, UK style: `07/12/2026`, or `07/12/2026 09:00` for a slot.
    pub fn words(self) -> String {
        match self {
            DueBy::Day(d) => super::dates::uk_date(d),
            DueBy::Time(t) => super::dates::uk_date_time(t),
        }
    }

    /// Where an open item stands against it at `now`.
    pub fn urgency(self, now: NaiveDateTime) -> Urgency {
        if now >= self.deadline() {
            Urgency::Overdue
        } else if self.day() == now.date() {
            Urgency::DueToday
        } else {
            Urgency::Later
        }
    }

    /// How late something done at `at` was (none when on time).
    pub fn late_by(self, at: NaiveDateTime) -> Option<Duration> {
        let d = at - self.deadline();
        (d > Duration::zero()).then_some(d)
    }
}

/// How pressing an open item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Overdue,
    DueToday,
    Later,
}

/// How late, in words: `3 h 20 min`, `2 days 4 h`.
pub fn lateness_words(d: Duration) -> String {
    let minutes = d.num_minutes().max(1);
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins} min"),
        (0, h) => format!("{h} h {mins} min"),
        (1, h) => format!("1 day {h} h"),
        (n, h) => format!("{n} days {h} h"),
    }
}

/// The deadlines of one practice: its go-live and its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub go_live: NaiveDateTime,
    pub rules: DeadlineRules,
}

impl Deadlines {
    /// The first day the practice re-enters anything: go-live day, or the
    /// first working day after it when the practice goes live at a weekend or
    /// on a bank holiday.
    pub fn first_working_day(&self) -> NaiveDate {
        add_working_days(self.go_live.date(), 0)
    }

    /// By when `item` must be re-entered.
    pub fn due_by(&self, item: &ItemInput) -> DueBy {
        let go_live_day = self.go_live.date();
        let first_day = self.first_working_day();
        let field = |k: &str| item.fields.get(k).map(String::as_str).unwrap_or_default();
        // Never before the first working day from go-live: nothing can be
        // re-entered sooner (and nobody works the weekend of a Saturday go-live).
        let from_go_live = |day: NaiveDate| DueBy::Day(day.max(first_day));
        match item.kind {
            ItemKind::Appointment => {
                let future_booking =
                    matches!(field("appointment_action"), "booked" | "rescheduled");
                match super::dates::from_iso(field("appointment_at")) {
                    Some(slot) if future_booking && slot > self.go_live => {
                        if slot.date() <= first_day {
                            DueBy::Time(slot)
                        } else {
                            DueBy::Day(first_day)
                        }
                    }
                    _ => self.default_for(item),
                }
            }
            ItemKind::Prescription if field("prescription_type") == "repeat_dispensing" => {
                from_go_live(add_working_days(go_live_day, self.rules.repeat_dispensing))
            }
            ItemKind::Prescription => from_go_live(add_working_days(
                item.occurred_at.date(),
                self.rules.prescription_turnaround,
            )),
            ItemKind::Referral if field("referral_priority") == "two_week_wait" => from_go_live(
                add_working_days(item.occurred_at.date(), self.rules.two_week_wait.max(1)),
            ),
            _ => self.default_for(item),
        }
    }

    /// The practice's default: working days after go-live, or after the item
    /// happened if that was later.
    fn default_for(&self, item: &ItemInput) -> DueBy {
        let start = self.go_live.date().max(item.occurred_at.date());
        DueBy::Day(add_working_days(start, self.rules.default_days))
    }
}

/// What the banner counts about deadlines (open items only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeadlineCounts {
    pub overdue: u64,
    pub due_today: u64,
    /// Still outstanding or with a problem.
    pub open: u64,
}

/// The banner's lines about deadlines at `now`, each with whether it is a
/// warning: from go-live day, what is overdue and due today; and, once the
/// practice has recorded the last day the old system can be read, a countdown
/// that warns from 14 days before (with what is still open), and after it says
/// the open items can no longer be checked against their source.
pub fn banner_lines(
    counts: DeadlineCounts,
    old_system_last_day: Option<NaiveDate>,
    go_live: NaiveDateTime,
    now: NaiveDateTime,
) -> Vec<(String, bool)> {
    let mut lines = Vec::new();
    let today = now.date();
    if today >= go_live.date() && counts.overdue + counts.due_today > 0 {
        lines.push((
            format!(
                "{} overdue, {} due today - Today's plan is on the worklist (F3).",
                counts.overdue, counts.due_today
            ),
            counts.overdue > 0,
        ));
    }
    if let Some(last) = old_system_last_day {
        let left = (last - today).num_days();
        let open = match counts.open {
            1 => "1 item is".to_string(),
            n => format!("{n} items are"),
        };
        let until = super::dates::uk_date(last);
        lines.push(match left {
            l if l < 0 => (
                format!(
                    "Read access to the old system ended after {until}: {open} still open and can no longer be checked against it."
                ),
                counts.open > 0,
            ),
            0 if counts.open == 0 => (
                "Today is the last day the old system can be read: nothing is still open.".into(),
                false,
            ),
            0 => (
                format!("Today is the last day the old system can be read: {open} still open."),
                true,
            ),
            l if l <= 14 && counts.open == 0 => (
                format!(
                    "The old system can be read for {l} more day{} (until {until}): nothing is still open.",
                    if l == 1 { "" } else { "s" }
                ),
                false,
            ),
            l if l <= 14 => (
                format!(
                    "The old system can be read for {l} more day{} (until {until}): {open} still open - check them against it before then.",
                    if l == 1 { "" } else { "s" }
                ),
                true,
            ),
            l => (
                format!("The old system can be read until {until} ({l} days)."),
                false,
            ),
        });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn at(s: &str) -> NaiveDateTime {
        crate::domain::dates::from_iso(s).unwrap_or_default()
    }

    fn item(kind: ItemKind, occurred: &str, fields: &[(&str, &str)]) -> ItemInput {
        crate::domain::item::test_input(kind, "9990000018", occurred, fields)
    }

    /// Go-live Monday 07/12/2026 08:00.
    fn practice() -> Deadlines {
        Deadlines {
            go_live: at("2026-12-07T08:00"),
            rules: DeadlineRules::default(),
        }
    }

    #[test]
    fn working_days_skip_weekends_and_bank_holidays() {
        // Friday 24/12/2026 + 1 working day: Christmas (Fri 25), the weekend and
        // Boxing Day's substitute (Mon 28) are skipped: Tuesday 29/12.
        assert_eq!(add_working_days(day("2026-12-24"), 1), day("2026-12-29"));
        // Thursday before Easter 2027 + 1: Good Friday and Easter Monday skipped.
        assert_eq!(add_working_days(day("2027-03-25"), 1), day("2027-03-30"));
        // A Saturday with 0 days: the next working day.
        assert_eq!(add_working_days(day("2026-12-05"), 0), day("2026-12-07"));
        // New Year's Day 2028 is a Saturday: Monday 3rd is the holiday.
        assert!(!is_working_day(day("2028-01-03")));
        assert!(is_working_day(day("2028-01-04")));
        assert_eq!(BANK_HOLIDAYS.len(), 24, "eight a year, 2026-2028");
    }

    #[test]
    fn the_table_holds_the_statutory_days_each_year() {
        for year in 2026..=2028 {
            let of_year: Vec<NaiveDate> = BANK_HOLIDAYS
                .iter()
                .filter(|(y, _, _)| *y == year)
                .filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
                .collect();
            assert_eq!(of_year.len(), 8, "{year}");
            assert!(of_year.iter().all(|d| !is_working_day(*d)));
            assert!(
                of_year
                    .iter()
                    .all(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)),
                "{year}: a holiday on a weekend was not moved"
            );
            // Three Mondays in May and August.
            let mondays = of_year
                .iter()
                .filter(|d| matches!(d.month(), 5 | 8) && d.weekday() == Weekday::Mon)
                .count();
            assert_eq!(mondays, 3, "{year}");
        }
    }

    #[test]
    fn a_future_appointment_is_due_before_its_slot_or_on_go_live_day() {
        let p = practice();
        let booked = |slot: &str, action: &str| {
            p.due_by(&item(
                ItemKind::Appointment,
                "2026-12-02T10:00",
                &[("appointment_action", action), ("appointment_at", slot)],
            ))
        };
        // On go-live day at 09:30: before the slot.
        assert_eq!(
            booked("2026-12-07T09:30", "booked"),
            DueBy::Time(at("2026-12-07T09:30"))
        );
        // Later: on go-live day (transferred with the rest that day).
        assert_eq!(
            booked("2026-12-15T11:00", "rescheduled"),
            DueBy::Day(day("2026-12-07"))
        );
        // A slot before go-live (it happened in the old system): the default.
        assert_eq!(
            booked("2026-12-04T11:00", "booked"),
            DueBy::Day(day("2026-12-14"))
        );
        // A cancellation is not a booking to transfer: the default.
        assert_eq!(
            booked("2026-12-15T11:00", "cancelled"),
            DueBy::Day(day("2026-12-14"))
        );
    }

    #[test]
    fn go_live_moved_moves_the_deadlines() {
        let mut p = practice();
        let appt = item(
            ItemKind::Appointment,
            "2026-12-02T10:00",
            &[
                ("appointment_action", "booked"),
                ("appointment_at", "2026-12-09T09:00"),
            ],
        );
        assert_eq!(p.due_by(&appt), DueBy::Day(day("2026-12-07")));
        // Go-live slips to Wednesday 09/12 at 08:00: the 09:00 slot is that day.
        p.go_live = at("2026-12-09T08:00");
        assert_eq!(p.due_by(&appt), DueBy::Time(at("2026-12-09T09:00")));
        // Slips past the slot: no longer a future booking, the default.
        p.go_live = at("2026-12-10T08:00");
        assert_eq!(p.due_by(&appt), DueBy::Day(day("2026-12-17")));
    }

    #[test]
    fn prescriptions_by_turnaround_and_repeat_dispensing_on_go_live_day() {
        let p = practice();
        let rx = |when: &str, kind: &str| {
            p.due_by(&item(
                ItemKind::Prescription,
                when,
                &[("prescription_type", kind)],
            ))
        };
        // Requested Thursday 03/12 during cutover: 2 working days is Monday
        // 07/12, go-live day.
        assert_eq!(
            rx("2026-12-03T10:00", "acute"),
            DueBy::Day(day("2026-12-07"))
        );
        // Requested a week before: still not before go-live day.
        assert_eq!(
            rx("2026-11-26T10:00", "repeat"),
            DueBy::Day(day("2026-12-07"))
        );
        // Requested after go-live, Thursday 10/12: Monday 14/12.
        assert_eq!(
            rx("2026-12-10T10:00", "acute"),
            DueBy::Day(day("2026-12-14"))
        );
        // Repeat dispensing: cancel and re-issue on go-live day.
        assert_eq!(
            rx("2026-11-20T10:00", "repeat_dispensing"),
            DueBy::Day(day("2026-12-07"))
        );
        // The practice's numbers change the answer.
        let slower = Deadlines {
            rules: DeadlineRules {
                prescription_turnaround: 3,
                ..DeadlineRules::default()
            },
            ..p
        };
        let late = item(
            ItemKind::Prescription,
            "2026-12-10T10:00",
            &[("prescription_type", "acute")],
        );
        assert_eq!(slower.due_by(&late), DueBy::Day(day("2026-12-15")));
    }

    #[test]
    fn a_two_week_wait_referral_is_due_the_next_working_day() {
        let p = practice();
        let referral = |when: &str, priority: &str| {
            p.due_by(&item(
                ItemKind::Referral,
                when,
                &[("referral_priority", priority)],
            ))
        };
        // Made on go-live day (Monday): Tuesday.
        assert_eq!(
            referral("2026-12-07T15:00", "two_week_wait"),
            DueBy::Day(day("2026-12-08"))
        );
        // Made on Friday 11/12: Monday 14/12.
        assert_eq!(
            referral("2026-12-11T15:00", "two_week_wait"),
            DueBy::Day(day("2026-12-14"))
        );
        // Made during cutover: go-live day.
        assert_eq!(
            referral("2026-12-01T15:00", "two_week_wait"),
            DueBy::Day(day("2026-12-07"))
        );
        // Routine: the default, 5 working days after go-live.
        assert_eq!(
            referral("2026-12-01T15:00", "routine"),
            DueBy::Day(day("2026-12-14"))
        );
    }

    #[test]
    fn a_weekend_or_bank_holiday_go_live_counts_from_the_first_working_day() {
        // Saturday 05/12/2026 at 08:00.
        let p = Deadlines {
            go_live: at("2026-12-05T08:00"),
            rules: DeadlineRules::default(),
        };
        assert_eq!(p.first_working_day(), day("2026-12-07"));
        let rx = |when: &str, kind: &str| {
            p.due_by(&item(
                ItemKind::Prescription,
                when,
                &[("prescription_type", kind)],
            ))
        };
        // Ordinary prescriptions asked for during cutover: Monday, not the
        // Saturday nobody works (so not OVERDUE at 08:00 on Monday).
        let acute = rx("2026-12-01T10:00", "acute");
        assert_eq!(acute, DueBy::Day(day("2026-12-07")));
        assert_eq!(acute.urgency(at("2026-12-07T08:00")), Urgency::DueToday);
        // Re-entered at 00:47 on Sunday: early, not late.
        assert_eq!(acute.late_by(at("2026-12-06T00:47")), None);
        // Repeat dispensing no later than ordinary prescriptions: Monday.
        assert_eq!(
            rx("2026-11-20T10:00", "repeat_dispensing"),
            DueBy::Day(day("2026-12-07"))
        );
        // 5 working days: Monday is the first, Friday 11/12 the fifth.
        let call = item(ItemKind::TelephoneCall, "2026-12-02T10:00", &[]);
        assert_eq!(p.due_by(&call), DueBy::Day(day("2026-12-11")));
        // A booking later in the week: on Monday; one on the Saturday itself,
        // after go-live: before its slot.
        let booked = |slot: &str| {
            p.due_by(&item(
                ItemKind::Appointment,
                "2026-12-02T10:00",
                &[("appointment_action", "booked"), ("appointment_at", slot)],
            ))
        };
        assert_eq!(booked("2026-12-09T10:00"), DueBy::Day(day("2026-12-07")));
        assert_eq!(
            booked("2026-12-05T11:00"),
            DueBy::Time(at("2026-12-05T11:00"))
        );
        // Sunday 06/12: the same Monday and Friday.
        let sunday = Deadlines {
            go_live: at("2026-12-06T09:00"),
            ..p
        };
        assert_eq!(sunday.first_working_day(), day("2026-12-07"));
        assert_eq!(sunday.due_by(&call), DueBy::Day(day("2026-12-11")));
        // Easter Monday 29/03/2027 (a bank holiday): Tuesday 30/03 is the first
        // working day, and 5 working days run to Monday 05/04.
        let easter = Deadlines {
            go_live: at("2027-03-29T08:00"),
            ..p
        };
        assert_eq!(easter.first_working_day(), day("2027-03-30"));
        let before = item(ItemKind::Consultation, "2027-03-24T10:00", &[]);
        assert_eq!(easter.due_by(&before), DueBy::Day(day("2027-04-05")));
        let early = item(
            ItemKind::Prescription,
            "2027-03-22T10:00",
            &[("prescription_type", "acute")],
        );
        assert_eq!(easter.due_by(&early), DueBy::Day(day("2027-03-30")));
        // A weekday go-live is unchanged: Monday 07/12 + 5 is Monday 14/12.
        assert_eq!(practice().due_by(&call), DueBy::Day(day("2026-12-14")));
    }

    #[test]
    fn items_logged_after_go_live_count_from_their_own_day() {
        let p = practice();
        // A call on Wednesday 23/12/2026: 5 working days skip Christmas, Boxing
        // Day's substitute and New Year's Day: Monday 04/01/2027.
        let call = item(ItemKind::TelephoneCall, "2026-12-23T10:00", &[]);
        assert_eq!(p.due_by(&call), DueBy::Day(day("2027-01-04")));
    }

    #[test]
    fn stored_form_sorts_as_the_deadlines_do_and_reads_back() {
        let slot = DueBy::Time(at("2026-12-07T09:00"));
        let whole = DueBy::Day(day("2026-12-07"));
        let next = DueBy::Time(at("2026-12-08T00:00"));
        assert!(slot.stored() < whole.stored());
        assert!(whole.stored() < next.stored());
        for d in [slot, whole, next] {
            assert_eq!(DueBy::parse_stored(&d.stored()), Some(d));
        }
        assert_eq!(DueBy::parse_stored("nonsense"), None);
    }

    #[test]
    fn the_banner_counts_down_to_the_end_of_old_system_access() {
        let counts = DeadlineCounts {
            overdue: 2,
            due_today: 5,
            open: 40,
        };
        let live = at("2026-12-07T08:00");
        let last = Some(day("2027-01-20"));
        // Before go-live: no deadline counts; far from the end: a plain line.
        let before = banner_lines(counts, last, live, at("2026-12-04T10:00"));
        assert_eq!(
            before,
            [(
                "The old system can be read until 20/01/2027 (47 days).".to_string(),
                false
            )]
        );
        let on_the_day = banner_lines(counts, None, live, at("2026-12-07T10:00"));
        assert_eq!(
            on_the_day[0].0,
            "2 overdue, 5 due today - Today's plan is on the worklist (F3)."
        );
        assert!(on_the_day[0].1, "overdue items warn");
        let at_14 = banner_lines(counts, last, live, at("2027-01-06T09:00"));
        assert!(at_14[1].1);
        assert!(
            at_14[1]
                .0
                .contains("14 more days (until 20/01/2027): 40 items are still open")
        );
        let at_7 = banner_lines(counts, last, live, at("2027-01-13T09:00"));
        assert!(at_7[1].0.contains("7 more days"), "{}", at_7[1].0);
        let after = banner_lines(counts, last, live, at("2027-01-21T09:00"));
        assert!(
            after[1].0.contains("can no longer be checked"),
            "{}",
            after[1].0
        );
        assert!(after[1].1);
    }

    #[test]
    fn with_nothing_open_the_countdown_warns_of_nothing() {
        let none = DeadlineCounts::default();
        let last = day("2026-12-20");
        for today in ["2026-12-10T09:00", "2026-12-20T09:00"] {
            let lines = banner_lines(none, Some(last), at("2026-12-07T08:00"), at(today));
            assert_eq!(lines.len(), 1, "{lines:?}");
            assert!(!lines[0].1, "{lines:?}");
            assert!(lines[0].0.contains("nothing is still open"), "{lines:?}");
            assert!(!lines[0].0.contains("check them"), "{lines:?}");
        }
    }

    #[test]
    fn urgency_and_lateness() {
        let whole = DueBy::Day(day("2026-12-07"));
        assert_eq!(whole.urgency(at("2026-12-07T17:00")), Urgency::DueToday);
        assert_eq!(whole.urgency(at("2026-12-08T00:00")), Urgency::Overdue);
        assert_eq!(whole.urgency(at("2026-12-06T09:00")), Urgency::Later);
        let slot = DueBy::Time(at("2026-12-07T09:30"));
        assert_eq!(slot.urgency(at("2026-12-07T09:29")), Urgency::DueToday);
        assert_eq!(slot.urgency(at("2026-12-07T09:30")), Urgency::Overdue);
        assert_eq!(whole.late_by(at("2026-12-07T23:00")), None);
        let late = whole.late_by(at("2026-12-09T03:20"));
        assert_eq!(late.map(lateness_words).as_deref(), Some("1 day 3 h"));
        assert_eq!(
            slot.late_by(at("2026-12-07T10:05"))
                .map(lateness_words)
                .as_deref(),
            Some("35 min")
        );
    }
}
