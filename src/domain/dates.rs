//! Dates and times as UK practice staff type and read them.
//!
//! Accepted on input: ISO 8601 (`2026-11-20`, `2026-11-20T09:15`) and UK
//! (`20/11/2026`, `20/11/2026 09:15`). Shown as `20/11/2026 09:15` or
//! `20-Nov-2026`, always 24-hour. Times are the practice's wall-clock time.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::validation::shown;

/// Why a typed date or time was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Nothing was typed.
    #[error("enter a date")]
    Empty,
    /// The text is not a date in any accepted form, or names a day that does not exist.
    /// It holds the text as shown in the message (see [`shown`]).
    #[error("'{0}' is not a date; use dd/mm/yyyy, e.g. 25/11/2026")]
    NotADate(String),
    /// The text is not a date and time in any accepted form.
    #[error("'{0}' is not a date and time; use dd/mm/yyyy hh:mm, e.g. 25/11/2026 14:05")]
    NotADateTime(String),
}

const DATE_FORMATS: [&str; 3] = ["%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y"];
const DATE_TIME_FORMATS: [&str; 8] = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d-%b-%Y %H:%M",
    "%d-%b-%Y %H:%M:%S",
];

/// Parses a date typed as `2026-11-20`, `20/11/2026` or `20-Nov-2026`.
/// Impossible days (31/02/2026) are refused; years must have four digits.
pub fn parse_date(input: &str) -> Result<NaiveDate, DateError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    if !has_four_digit_year(s) {
        return Err(DateError::NotADate(shown(s)));
    }
    iso_date_fixed(s.as_bytes())
        .or_else(|| {
            DATE_FORMATS
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        })
        .ok_or_else(|| DateError::NotADate(shown(s)))
}

/// Parses a date and time (`2026-11-20T09:15`, `20/11/2026 09:15`, seconds optional).
/// Seconds are dropped: the log records times to the minute.
pub fn parse_date_time(input: &str) -> Result<NaiveDateTime, DateError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    if !has_four_digit_year(s) {
        return Err(DateError::NotADateTime(shown(s)));
    }
    from_iso_fixed(s)
        .or_else(|| {
            DATE_TIME_FORMATS
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        })
        .map(truncate_to_minute)
        .ok_or_else(|| DateError::NotADateTime(shown(s)))
}

/// Parses a date and a separately typed time (`14:05` or `1405`), as the entry form has them.
pub fn parse_date_and_time(date: &str, time: &str) -> Result<NaiveDateTime, DateError> {
    let day = parse_date(date)?;
    let t = time.trim();
    let parsed = NaiveTime::parse_from_str(t, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H%M"))
        .map_err(|_| DateError::NotADateTime(shown(&format!("{} {}", date.trim(), t))))?;
    Ok(day.and_time(parsed))
}

/// The year part must be four digits, so `20/11/26` is not read as year 26.
/// The date part ends at a space or at an ISO `T` after a digit (not the T of "OCT").
fn has_four_digit_year(s: &str) -> bool {
    let date_part = s.split(' ').next().unwrap_or(s);
    let date_part = match date_part.find('T') {
        Some(i) if date_part[..i].ends_with(|c: char| c.is_ascii_digit()) => &date_part[..i],
        _ => date_part,
    };
    date_part
        .split(['-', '/'])
        .any(|p| p.len() == 4 && p.chars().all(|c| c.is_ascii_digit()))
}

/// `t` with its seconds (and anything finer) dropped.
pub fn truncate_to_minute(t: NaiveDateTime) -> NaiveDateTime {
    t.date().and_time(
        NaiveTime::from_hms_opt(t.time().hour(), t.time().minute(), 0).unwrap_or(t.time()),
    )
}

/// `25/11/2026`
pub fn uk_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// `25-Nov-2026`
pub fn uk_date_long(d: NaiveDate) -> String {
    d.format("%d-%b-%Y").to_string()
}

/// `25/11/2026 14:05`
pub fn uk_date_time(t: NaiveDateTime) -> String {
    t.format("%d/%m/%Y %H:%M").to_string()
}

/// `14:05`
pub fn uk_time(t: NaiveDateTime) -> String {
    t.format("%H:%M").to_string()
}

/// `2026-11-25T14:05` — the form stored and exported.
pub fn iso_date_time(t: NaiveDateTime) -> String {
    let mut s = iso_date(t.date());
    push_two(&mut s, 'T', t.hour());
    push_two(&mut s, ':', t.minute());
    s
}

/// `2026-11-25T14:05:09` — audit and logging timestamps keep seconds.
pub fn iso_timestamp(t: NaiveDateTime) -> String {
    let mut s = iso_date_time(t);
    push_two(&mut s, ':', t.second());
    s
}

/// `2026-11-25`
pub fn iso_date(d: NaiveDate) -> String {
    // Written by hand: chrono's strftime re-reads its pattern every call, and
    // exports and worklist pages write hundreds of thousands of these.
    if !(0..=9999).contains(&d.year()) {
        return d.format("%Y-%m-%d").to_string();
    }
    let mut s = String::with_capacity(19);
    let y = d.year() as u32;
    for div in [1000, 100, 10, 1] {
        s.push(digit(y / div));
    }
    push_two(&mut s, '-', d.month());
    push_two(&mut s, '-', d.day());
    s
}

fn digit(n: u32) -> char {
    char::from(b'0' + (n % 10) as u8)
}

fn push_two(s: &mut String, sep: char, n: u32) {
    s.push(sep);
    s.push(digit(n / 10));
    s.push(digit(n));
}

/// Reads back what [`iso_timestamp`] or [`iso_date_time`] wrote.
pub fn from_iso(s: &str) -> Option<NaiveDateTime> {
    from_iso_fixed(s).or_else(|| {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
            .ok()
    })
}

/// The common case of [`from_iso`], `YYYY-MM-DDTHH:MM[:SS]` by position, without
/// chrono's pattern interpreter; `None` sends anything else to chrono.
fn from_iso_fixed(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if !(b.len() == 16 || b.len() == 19) || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b.len() == 19 && b[16] != b':' {
        return None;
    }
    let second = if b.len() == 19 {
        digits(&b[17..19])?
    } else {
        0
    };
    iso_date_fixed(&b[..10])?.and_hms_opt(digits(&b[11..13])?, digits(&b[14..16])?, second)
}

/// `YYYY-MM-DD` exactly, by position; `None` sends anything else to chrono.
fn iso_date_fixed(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&b[..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// The number the ASCII digits spell, or `None` if any byte is not a digit.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// The practice's wall-clock time now, to the second.
pub fn now() -> NaiveDateTime {
    let t = chrono::Local::now().naive_local();
    t.with_nanosecond(0).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_text_is_what_chrono_writes_and_reads_back() {
        let start = NaiveDate::from_ymd_opt(2024, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default();
        for step in (0..3_000_000).step_by(7_919) {
            let t = start + chrono::Duration::seconds(step * 97);
            assert_eq!(iso_timestamp(t), t.format("%Y-%m-%dT%H:%M:%S").to_string());
            assert_eq!(iso_date_time(t), t.format("%Y-%m-%dT%H:%M").to_string());
            assert_eq!(iso_date(t.date()), t.format("%Y-%m-%d").to_string());
            assert_eq!(from_iso(&iso_timestamp(t)), Some(t));
        }
        let d = NaiveDate::from_ymd_opt(12_026, 1, 2).unwrap_or_default();
        assert_eq!(iso_date(d), d.format("%Y-%m-%d").to_string());
        for bad in [
            "2026-02-31T10:00",
            "2026-11-25T24:00",
            "2026-11-25 10:00",
            "2026-11-25T10:0a",
            "2026-11-25T10:00:",
            "",
            "2026-11-25T10:00:61",
        ] {
            assert_eq!(from_iso_fixed(bad), None, "{bad}");
        }
        assert_eq!(
            from_iso("2026-11-25T10:00"),
            NaiveDate::from_ymd_opt(2026, 11, 25).and_then(|d| d.and_hms_opt(10, 0, 0))
        );
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn accepts_iso_and_uk_dates() {
        for s in [
            "2026-11-20",
            "20/11/2026",
            " 20/11/2026 ",
            "20-Nov-2026",
            "1/2/2026",
        ] {
            let want = if s == "1/2/2026" {
                d(2026, 2, 1)
            } else {
                d(2026, 11, 20)
            };
            assert_eq!(parse_date(s), Ok(want), "{s}");
        }
    }

    #[test]
    fn refuses_impossible_and_ambiguous_dates() {
        assert!(matches!(
            parse_date("31/02/2026"),
            Err(DateError::NotADate(_))
        ));
        assert!(matches!(
            parse_date("2026-13-01"),
            Err(DateError::NotADate(_))
        ));
        assert!(matches!(
            parse_date("20/11/26"),
            Err(DateError::NotADate(_))
        ));
        assert!(matches!(
            parse_date("11/20/2026"),
            Err(DateError::NotADate(_))
        ));
        assert_eq!(parse_date(""), Err(DateError::Empty));
        assert!(parse_date("yesterday").is_err());
    }

    #[test]
    fn accepts_date_times_and_drops_seconds() {
        let want = d(2026, 11, 20).and_hms_opt(9, 15, 0);
        for s in [
            "2026-11-20T09:15",
            "2026-11-20 09:15",
            "2026-11-20T09:15:42",
            "20/11/2026 09:15",
            "20-Nov-2026 09:15",
        ] {
            assert_eq!(parse_date_time(s).ok(), want, "{s}");
        }
        assert!(parse_date_time("20/11/2026 25:00").is_err());
        assert!(parse_date_time("20/11/2026").is_err());
    }

    #[test]
    fn date_and_separate_time() {
        let want = d(2026, 11, 20).and_hms_opt(14, 5, 0);
        assert_eq!(parse_date_and_time("20/11/2026", "14:05").ok(), want);
        assert_eq!(parse_date_and_time("20/11/2026", "1405").ok(), want);
        assert!(parse_date_and_time("20/11/2026", "2pm").is_err());
    }

    #[test]
    fn formats_as_uk_staff_expect() {
        let t = d(2026, 11, 25).and_hms_opt(14, 5, 9).unwrap_or_default();
        assert_eq!(uk_date_time(t), "25/11/2026 14:05");
        assert_eq!(uk_date_long(t.date()), "25-Nov-2026");
        assert_eq!(iso_date_time(t), "2026-11-25T14:05");
        assert_eq!(from_iso(&iso_timestamp(t)), Some(t));
    }
}
