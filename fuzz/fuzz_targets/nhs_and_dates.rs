//! Any text through the NHS number and UK date parsers the entry form and the
//! import use. Besides "no panic":
//! - an accepted NHS number is the typed digits (spaces and dashes dropped), and
//!   its displayed form `999 000 0018` parses back to it;
//! - an accepted date, or date and time, shown the UK way parses back to itself;
//! - a refusal's message has no invisible characters and a readable length.
#![no_main]

use cutover_log::domain::NhsNumber;
use cutover_log::domain::dates::{
    parse_date, parse_date_and_time, parse_date_time, uk_date, uk_date_time, uk_time,
};
use cutover_log::domain::validation::is_invisible;
use libfuzzer_sys::fuzz_target;

fn readable(msg: &str) {
    assert!(!msg.chars().any(is_invisible), "invisible character in {msg:?}");
    assert!(msg.chars().count() < 300, "message of {} characters", msg.chars().count());
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    match NhsNumber::parse(s) {
        Ok(n) => {
            let typed: String = s.trim().chars().filter(|c| *c != ' ' && *c != '-').collect();
            assert_eq!(n.digits(), typed);
            assert_eq!(NhsNumber::parse(&n.to_string()), Ok(n));
        }
        Err(e) => readable(&e.to_string()),
    }
    match parse_date(s) {
        Ok(d) => assert_eq!(parse_date(&uk_date(d)), Ok(d), "{s:?}"),
        Err(e) => readable(&e.to_string()),
    }
    match parse_date_time(s) {
        Ok(t) => assert_eq!(parse_date_time(&uk_date_time(t)), Ok(t), "{s:?}"),
        Err(e) => readable(&e.to_string()),
    }
    // The entry form's separate date and time boxes: split the input at a '|'.
    if let Some((date, time)) = s.split_once('|') {
        match parse_date_and_time(date, time) {
            Ok(t) => assert_eq!(
                parse_date_and_time(&uk_date(t.date()), &uk_time(t)),
                Ok(t),
                "{s:?}"
            ),
            Err(e) => readable(&e.to_string()),
        }
    }
});
