//! Dates and times as the old systems' reports write them, which is looser than
//! what staff type: `25/11/2026`, `25-Nov-2026`, `25-Nov-26`, `25/11/26`, ISO, a
//! spreadsheet's serial day number, a time with or without seconds or a colon.
//! A two-digit year in a date of birth is in the past (`11-Nov-41` is 1941); in
//! anything else (an appointment, an issue) it is this century.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::domain::dates::{parse_date, parse_date_time};

/// What a date is, which decides the century of a two-digit year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRole {
    /// Something that happened around now (an appointment, an issue): 20yy.
    Event,
    /// A date of birth: never after `today`, so `41` is 1941.
    Birth { today: NaiveDate },
}

/// Spreadsheet serial days count from 30/12/1899. Only numbers in this range
/// (1954 to 2119) are read as serial dates: smaller ones are more likely counts.
const SERIAL_DAYS: std::ops::RangeInclusive<i64> = 20_000..=80_000;

fn serial_date(s: &str) -> Option<NaiveDateTime> {
    let (days, fraction) = match s.split_once('.') {
        Some((d, f)) => (d, f),
        None => (s, ""),
    };
    if days.is_empty() || !days.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: i64 = days.parse().ok()?;
    if !SERIAL_DAYS.contains(&n) {
        return None;
    }
    let day = NaiveDate::from_ymd_opt(1899, 12, 30)? + Duration::days(n);
    let frac: f64 = format!("0.{}", if fraction.is_empty() { "0" } else { fraction })
        .parse()
        .ok()?;
    // To the minute, rounded: 0.375 is 09:00.
    let minutes = (frac * 24.0 * 60.0).round() as i64;
    Some(day.and_hms_opt(0, 0, 0)? + Duration::minutes(minutes))
}

/// `25-Nov-26`, `25/11/26`, `25.11.26`: day, month (number or name), two-digit year.
fn two_digit_year(s: &str, role: DateRole) -> Option<NaiveDate> {
    let parts: Vec<&str> = s.split(['-', '/', '.', ' ']).collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    if y.len() != 2 || !y.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let day: u32 = d.parse().ok()?;
    let month: u32 = match m.parse() {
        Ok(n) => n,
        Err(_) => month_by_name(m)?,
    };
    let yy: i32 = y.parse().ok()?;
    match role {
        DateRole::Event => NaiveDate::from_ymd_opt(2000 + yy, month, day),
        DateRole::Birth { today } => {
            let this_century = NaiveDate::from_ymd_opt(2000 + yy, month, day)?;
            if this_century > today {
                NaiveDate::from_ymd_opt(1900 + yy, month, day)
            } else {
                Some(this_century)
            }
        }
    }
}

fn month_by_name(m: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let m = m.to_ascii_lowercase();
    if m.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|name| m.starts_with(name))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// A date as a report writes it (a time after it is ignored).
pub fn report_date(text: &str, role: DateRole) -> Option<NaiveDate> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(t) = serial_date(s) {
        return Some(t.date());
    }
    let date_part = s.split([' ', 'T']).next().unwrap_or(s);
    parse_date(date_part)
        .ok()
        .or_else(|| parse_date(s).ok())
        .or_else(|| two_digit_year(date_part, role))
        .or_else(|| month_name_long(date_part))
        .or_else(|| month_name_long(s))
}

/// `25-November-2026`, `25 Nov 2026`.
fn month_name_long(s: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = s.split(['-', ' ', '/']).collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, month_by_name(m)?, d.parse().ok()?)
}

/// A time of day: `09:30`, `9:30`, `0930`, `09:30:15`, `9:30 AM`, `2:05 pm`.
pub fn report_time(text: &str) -> Option<NaiveTime> {
    let s = text.trim().to_ascii_lowercase();
    let (clock, pm) = match s.strip_suffix("pm").or_else(|| s.strip_suffix("p.m.")) {
        Some(c) => (c.trim().to_string(), Some(true)),
        None => match s.strip_suffix("am").or_else(|| s.strip_suffix("a.m.")) {
            Some(c) => (c.trim().to_string(), Some(false)),
            None => (s.clone(), None),
        },
    };
    let t = NaiveTime::parse_from_str(&clock, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(&clock, "%H:%M:%S"))
        .or_else(|_| NaiveTime::parse_from_str(&clock, "%H%M"))
        .or_else(|_| NaiveTime::parse_from_str(&clock, "%H.%M"))
        .ok()
        .or_else(|| {
            // A spreadsheet's time as a fraction of a day (0.375 is 09:00).
            let f: f64 = clock.parse().ok()?;
            if !(0.0..1.0).contains(&f) {
                return None;
            }
            let minutes = (f * 24.0 * 60.0).round() as u32;
            NaiveTime::from_hms_opt(minutes / 60 % 24, minutes % 60, 0)
        })?;
    let t = NaiveTime::from_hms_opt(chrono::Timelike::hour(&t), chrono::Timelike::minute(&t), 0)?;
    match pm {
        None => Some(t),
        Some(pm) => {
            use chrono::Timelike;
            let h = t.hour();
            if !(1..=12).contains(&h) {
                return None;
            }
            let h24 = match (pm, h) {
                (false, 12) => 0,
                (false, h) => h,
                (true, 12) => 12,
                (true, h) => h + 12,
            };
            NaiveTime::from_hms_opt(h24, t.minute(), 0)
        }
    }
}

/// A date and time in one cell (`25/11/2026 09:30`, `25-Nov-26 9:30`, ISO, a
/// serial number with a fraction). A date alone is midnight.
pub fn report_date_time(text: &str, role: DateRole) -> Option<NaiveDateTime> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = parse_date_time(s) {
        return Some(t);
    }
    if let Some(t) = serial_date(s) {
        return Some(t);
    }
    let (date, time) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    let day = report_date(date, role)?;
    if time.is_empty() {
        return day.and_hms_opt(0, 0, 0);
    }
    Some(day.and_time(report_time(time)?))
}

/// A date in one cell and a time in another.
pub fn report_date_and_time(date: &str, time: &str, role: DateRole) -> Option<NaiveDateTime> {
    let day = report_date(date, role)?;
    let t = if time.trim().is_empty() {
        // The date cell may carry the time itself.
        return report_date_time(date, role);
    } else {
        report_time(time)?
    };
    Some(day.and_time(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    const TODAY: DateRole = DateRole::Birth {
        today: match NaiveDate::from_ymd_opt(2026, 12, 2) {
            Some(t) => t,
            None => NaiveDate::MIN,
        },
    };

    #[test]
    fn the_forms_reports_use_are_read() {
        let e = DateRole::Event;
        assert_eq!(report_date("25/11/2026", e), Some(d(2026, 11, 25)));
        assert_eq!(report_date("25-Nov-2026", e), Some(d(2026, 11, 25)));
        assert_eq!(report_date("25-Nov-26", e), Some(d(2026, 11, 25)));
        assert_eq!(report_date("25/11/26", e), Some(d(2026, 11, 25)));
        assert_eq!(report_date("2026-11-25", e), Some(d(2026, 11, 25)));
        assert_eq!(report_date("25 November 2026", e), Some(d(2026, 11, 25)));
        assert_eq!(
            report_date("46351", e),
            Some(d(2026, 11, 25)),
            "a spreadsheet serial day"
        );
        assert_eq!(report_date("31/02/2026", e), None);
        assert_eq!(report_date("212", e), None, "a count is not a date");
        assert_eq!(report_date("", e), None);
    }

    #[test]
    fn a_two_digit_birth_year_is_in_the_past() {
        assert_eq!(report_date("11-Nov-41", TODAY), Some(d(1941, 11, 11)));
        assert_eq!(report_date("01/02/19", TODAY), Some(d(2019, 2, 1)));
        assert_eq!(
            report_date("03/12/26", TODAY),
            Some(d(1926, 12, 3)),
            "tomorrow's date is 1926"
        );
        assert_eq!(
            report_date("11-Nov-41", DateRole::Event),
            Some(d(2041, 11, 11))
        );
    }

    #[test]
    fn times_and_date_times() {
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        assert_eq!(report_time("09:30"), at(9, 30));
        assert_eq!(report_time("9:30"), at(9, 30));
        assert_eq!(report_time("0930"), at(9, 30));
        assert_eq!(report_time("09:30:45"), at(9, 30));
        assert_eq!(report_time("2:05 pm"), at(14, 5));
        assert_eq!(report_time("12:10 AM"), at(0, 10));
        assert_eq!(report_time("0.375"), at(9, 0));
        assert_eq!(report_time("25:00"), None);
        let e = DateRole::Event;
        let t = |s| report_date_time(s, e);
        let want = d(2026, 11, 25).and_hms_opt(9, 30, 0);
        assert_eq!(t("25/11/2026 09:30"), want);
        assert_eq!(t("25-Nov-26 9:30"), want);
        assert_eq!(t("2026-11-25T09:30"), want);
        assert_eq!(t("46351.395833"), want);
        assert_eq!(report_date_and_time("25/11/2026", "09:30", e), want);
        assert_eq!(report_date_and_time("25/11/2026 09:30", "", e), want);
        assert_eq!(t("25/11/2026"), d(2026, 11, 25).and_hms_opt(0, 0, 0));
    }
}
