//! Cells that are safe to open in Excel: a UTF-8 byte-order mark so accents show,
//! and no cell that a spreadsheet would run as a formula.

/// The UTF-8 byte-order mark Excel needs to read a CSV as UTF-8.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn is_formula_start(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// Prefixes `'` to a cell a spreadsheet would treat as a formula. Cells already
/// starting with quotes before such a character get one more, so that
/// [`unescape_formula`] reverses this exactly.
pub fn escape_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    let rest = cell.trim_start_matches('\'');
    if rest.chars().next().is_some_and(is_formula_start) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Reverses [`escape_formula`].
pub fn unescape_formula(cell: &str) -> &str {
    let rest = cell.trim_start_matches('\'');
    if cell.starts_with('\'') && rest.chars().next().is_some_and(is_formula_start) {
        &cell[1..]
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_round_trip() {
        for (raw, escaped) in [
            ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
            ("+44 1234", "'+44 1234"),
            ("-1", "'-1"),
            ("@cmd", "'@cmd"),
            ("'=x", "''=x"),
            ("plain", "plain"),
            ("O'Brien", "O'Brien"),
            ("'quoted'", "'quoted'"),
            ("", ""),
        ] {
            assert_eq!(escape_formula(raw), escaped, "{raw}");
            assert_eq!(unescape_formula(escaped), raw, "{escaped}");
        }
    }
}
