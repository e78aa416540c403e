//! Collecting every problem with an input at once, each tied to its field,
//! so the form can show it beside the field and an import can name the column.

use std::fmt::Display;

use serde::Serialize;

/// One problem with one field, in plain English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's key: a common column (`nhs_number`) or a kind field (`medication`).
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Joins field errors into one line for a status bar or error message.
pub fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// How much of a typed value an error message repeats back.
const SHOWN_MAX_CHARS: usize = 60;

/// True for a character that cannot be seen, or that changes how the text around it
/// is shown: control characters, every space but the plain one, and the invisible
/// formatting characters (bidirectional overrides and isolates, zero-width
/// characters, the byte-order mark, soft hyphen, tag characters).
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// A typed value as an error message may repeat it: each invisible character
/// (see [`is_invisible`]) written as `<U+001B>`, so it cannot hide, reorder or
/// colour the message, and anything past 60 characters cut off with `…`.
pub fn shown(s: &str) -> String {
    let mut out = String::new();
    // Counted as shown, so a run of invisible characters (each written as eight)
    // cannot make the message long either.
    let mut len = 0;
    for c in s.chars() {
        let piece = if is_invisible(c) {
            format!("<U+{:04X}>", u32::from(c))
        } else {
            c.to_string()
        };
        let piece_len = piece.chars().count();
        if len + piece_len > SHOWN_MAX_CHARS {
            out.push('…');
            break;
        }
        out.push_str(&piece);
        len += piece_len;
    }
    out
}

/// One typed character as a message names it: `'x'`, or `the invisible character U+00A0`.
pub fn shown_char(c: char) -> String {
    if is_invisible(c) {
        format!("the invisible character U+{:04X}", u32::from(c))
    } else {
        format!("'{c}'")
    }
}

/// Longest single-line text accepted (names, medication, references).
pub const MAX_LINE: usize = 500;
/// Longest free text accepted (details, consultation summaries).
pub const MAX_TEXT: usize = 20_000;

/// An accumulator of field errors.
#[derive(Debug, Default)]
pub struct Validation {
    errors: Vec<FieldError>,
}

impl Validation {
    pub fn error(&mut self, field: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Keeps the value, or records the error against the field.
    pub fn check<T, E: Display>(&mut self, field: &'static str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(field, e.to_string());
                None
            }
        }
    }

    /// A one-line text that must be given.
    pub fn required_text(
        &mut self,
        field: &'static str,
        label: &str,
        s: &str,
        max: usize,
    ) -> Option<String> {
        let errors_before = self.errors.len();
        let t = self.text(field, label, s, max, false);
        if t.is_empty() && self.errors.len() == errors_before {
            self.error(field, format!("enter the {}", label.to_lowercase()));
            None
        } else {
            (self.errors.len() == errors_before).then_some(t)
        }
    }

    /// A text that may be empty; `multiline` allows line breaks and tabs.
    pub fn text(
        &mut self,
        field: &'static str,
        label: &str,
        s: &str,
        max: usize,
        multiline: bool,
    ) -> String {
        let t = s.trim();
        let len = t.chars().count();
        if len > max {
            self.error(
                field,
                format!("{label} is too long ({len} characters; at most {max})"),
            );
            return String::new();
        }
        if let Some(bad) = t
            .chars()
            .find(|c| c.is_control() && !(multiline && (*c == '\n' || *c == '\t' || *c == '\r')))
        {
            self.error(
                field,
                format!(
                    "{label} contains an invisible control character (U+{:04X}); retype it",
                    u32::from(bad)
                ),
            );
            return String::new();
        }
        if multiline {
            // Every line break as LF: CRLF first, then any CR left. Doing only the
            // first was not idempotent ("\r\r\n" lost one CR per pass), so an
            // item read back and saved again changed (found by the csv_import fuzz target).
            t.replace("\r\n", "\n").replace('\r', "\n")
        } else {
            t.to_string()
        }
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shown_value_stays_short_however_many_invisible_characters_it_has() {
        let nuls = "\0".repeat(100);
        assert!(shown(&nuls).chars().count() <= SHOWN_MAX_CHARS + 1);
        assert!(shown(&nuls).ends_with('…'));
        // Found by the nhs_and_dates fuzz target: a date of NULs made a 301-character message.
        let date = format!("\u{1} z{} ", "\0".repeat(27));
        let e = match crate::domain::dates::parse_date_and_time(&date, "140\u{6}") {
            Err(e) => e,
            Ok(t) => panic!("accepted as {t}"),
        };
        assert!(e.to_string().chars().count() < 300, "{e}");
        assert_eq!(shown("short"), "short");
    }

    #[test]
    fn line_breaks_are_normalised_once_and_for_all() {
        let mut v = Validation::default();
        let once = v.text("details", "Details", "a\r\r\nb\rc\r\n", 100, true);
        assert_eq!(once, "a\n\nb\nc");
        let twice = v.text("details", "Details", &once, 100, true);
        assert_eq!(twice, once);
        assert!(v.is_ok());
    }
}
