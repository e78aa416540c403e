//! From raw rows to a table: find the header, pass over what is not data (each
//! listed with a reason), square the data rows to the header. The rules are in the
//! module documentation of `report_file`.

use std::collections::HashSet;

use super::{
    HEADER_SEARCH_ROWS, RawRead, RawRow, ReportFileProblem, ReportRow, SkipReason, Skipped,
};

pub(super) struct Shaped {
    pub header: Vec<String>,
    pub header_line: usize,
    pub rows: Vec<ReportRow>,
    pub skipped: Vec<Skipped>,
}

pub(super) fn shape(read: RawRead) -> Result<Shaped, ReportFileProblem> {
    let RawRead {
        rows: raw,
        mut error_cells,
        cut,
    } = read;
    let header_at = find_header(&raw)?;
    let mut header: Vec<String> = raw
        .get(header_at)
        .map(|r| r.cells.iter().map(|c| collapse_spaces(c)).collect())
        .unwrap_or_default();
    while header.last().is_some_and(String::is_empty) {
        header.pop();
    }
    let header_line = raw.get(header_at).map_or(1, |r| r.line);
    let width = header.len();
    let header_key: Vec<String> = header.iter().map(|h| h.to_lowercase()).collect();
    let header_filled = filled(&header);

    // What each row is; data rows may turn into footers in the second pass.
    let mut kinds: Vec<Option<SkipReason>> = Vec::with_capacity(raw.len());
    let mut titles: HashSet<String> = HashSet::new();
    let mut widest_title = 0;
    for (i, row) in raw.iter().enumerate() {
        let n = filled(&row.cells);
        let kind = if n == 0 {
            Some(SkipReason::Blank)
        } else if i < header_at {
            if n < header_filled {
                titles.insert(title_key(&row.cells));
                widest_title = widest_title.max(n);
            }
            Some(SkipReason::Title)
        } else if i == header_at {
            None
        } else if n == header_filled && is_header_again(&row.cells, &header_key) {
            Some(SkipReason::RepeatedHeader)
        } else if n <= widest_title && titles.contains(&title_key(&row.cells)) {
            Some(SkipReason::RepeatedTitle)
        } else if is_summary(&row.cells, width) {
            Some(SkipReason::Totals)
        } else {
            None
        };
        kinds.push(kind);
    }
    // Trailing lines with one filled cell, after the last real data row, are a footer
    // (only known where the rows were read to the end).
    if width >= 3 && !cut {
        for i in (header_at + 1..raw.len()).rev() {
            match (kinds.get(i), raw.get(i)) {
                (Some(Some(_)), _) => continue,
                (Some(None), Some(row)) if filled(&row.cells) == 1 => {
                    if let Some(k) = kinds.get_mut(i) {
                        *k = Some(SkipReason::Footer);
                    }
                }
                _ => break,
            }
        }
    }

    error_cells.sort_unstable();
    let mut errors = error_cells.into_iter().peekable();
    let mut skipped: Vec<Skipped> = Vec::new();
    let mut rows: Vec<ReportRow> = Vec::new();
    let mut next_line = 1;
    for (i, (row, kind)) in raw.into_iter().zip(kinds).enumerate() {
        if row.line > next_line {
            push_skip(&mut skipped, next_line, row.line - 1, SkipReason::Blank);
        }
        next_line = row.last_line + 1;
        if i == header_at {
            continue;
        }
        match kind {
            Some(reason) => push_skip(&mut skipped, row.line, row.last_line, reason),
            None => {
                while errors.next_if(|(line, _, _)| *line < row.line).is_some() {}
                while let Some((line, col, error)) = errors.next_if(|(l, _, _)| *l == row.line) {
                    let column = match header.get(col) {
                        Some(name) if !name.is_empty() => name.clone(),
                        _ => format!("column {}", col + 1),
                    };
                    push_skip(
                        &mut skipped,
                        line,
                        line,
                        SkipReason::ErrorCell { column, error },
                    );
                }
                rows.push(square(row, width));
            }
        }
    }
    Ok(Shaped {
        header,
        header_line,
        rows,
        skipped,
    })
}

/// Adds a skip, joining consecutive blank lines into one entry.
fn push_skip(skipped: &mut Vec<Skipped>, line: usize, last_line: usize, reason: SkipReason) {
    if reason == SkipReason::Blank
        && let Some(prev) = skipped.last_mut()
        && prev.reason == SkipReason::Blank
        && prev.last_line + 1 == line
    {
        prev.last_line = last_line;
        return;
    }
    skipped.push(Skipped {
        line,
        last_line,
        reason,
    });
}

/// Exactly `width` cells; what is beyond the header goes to `extra`.
fn square(row: RawRow, width: usize) -> ReportRow {
    let mut cells = row.cells;
    let mut extra = Vec::new();
    if cells.len() > width {
        extra = cells.split_off(width);
        while extra.last().is_some_and(String::is_empty) {
            extra.pop();
        }
    } else {
        cells.resize(width, String::new());
    }
    ReportRow {
        line: row.line,
        cells,
        extra,
    }
}

/// The index in `raw` of the header row.
fn find_header(raw: &[RawRow]) -> Result<usize, ReportFileProblem> {
    let sample: Vec<(usize, &RawRow)> = raw
        .iter()
        .enumerate()
        .filter(|(_, r)| filled(&r.cells) > 0)
        .take(HEADER_SEARCH_ROWS)
        .collect();
    let Some(last) = sample.last() else {
        return Err(ReportFileProblem::Empty);
    };
    let looked_at = last.1.last_line;
    let widest = sample
        .iter()
        .map(|(_, r)| filled(&r.cells))
        .max()
        .unwrap_or(0);
    let found = if widest >= 2 {
        let need = widest.div_ceil(2).max(2);
        sample
            .iter()
            .find(|(_, r)| filled(&r.cells) >= need && is_header_like(&r.cells))
            .map(|(i, _)| *i)
    } else {
        // One column: the name just above the first number, date or NHS number.
        let only = |r: &RawRow| r.cells.iter().find(|c| !c.is_empty()).cloned();
        sample
            .windows(2)
            .find(|w| {
                let name = only(w[0].1).unwrap_or_default();
                let value = only(w[1].1).unwrap_or_default();
                is_label(&name) && is_value_like(&value)
            })
            .map(|w| w[0].0)
    };
    found.ok_or(ReportFileProblem::NoHeader { looked_at })
}

fn filled(cells: &[String]) -> usize {
    cells.iter().filter(|c| !c.is_empty()).count()
}

/// Every filled cell could be a column name (none a number, date, `Key:` or
/// `Key: value`) and at least four in five have a letter.
fn is_header_like(cells: &[String]) -> bool {
    let mut n = 0;
    let mut labels = 0;
    for c in cells.iter().filter(|c| !c.is_empty()) {
        if is_value_like(c) || is_key(c) {
            return false;
        }
        n += 1;
        labels += usize::from(c.chars().any(char::is_alphabetic));
    }
    n > 0 && labels * 5 >= n * 4
}

/// Text with a letter that is not a number, date or time, and not a `Key:` label.
fn is_label(cell: &str) -> bool {
    cell.chars().any(char::is_alphabetic) && !is_value_like(cell) && !is_key(cell)
}

/// `Run by:` or `Run by: Dr A Khan`: a title's key and value, not a column name.
fn is_key(cell: &str) -> bool {
    cell.ends_with(':') || cell.contains(": ")
}

/// Words that can be part of a date or time: months, days, ordinals, AM/PM, ISO's T and Z.
const DATE_WORDS: [&str; 40] = [
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "st",
    "nd",
    "rd",
    "th",
    "am",
    "pm",
    "t",
    "z",
    "gmt",
];

/// A number, date, time, NHS number or amount: digits with separators, and no
/// words but month or day names.
fn is_value_like(cell: &str) -> bool {
    let mut digits = false;
    let mut word = String::new();
    for c in cell.chars().chain(std::iter::once(' ')) {
        if c.is_alphabetic() {
            if word.len() > 9 {
                return false;
            }
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() {
            if !DATE_WORDS.contains(&word.as_str()) {
                return false;
            }
            word.clear();
        }
        if c.is_ascii_digit() {
            digits = true;
        } else if !(c.is_whitespace() || "+-.,/:£$€%()'#".contains(c)) {
            return false;
        }
    }
    digits
}

/// The header again: the same names in the same places, ignoring case and spacing.
fn is_header_again(cells: &[String], header_key: &[String]) -> bool {
    let mut len = cells.len();
    while len > 0 && cells.get(len - 1).is_some_and(String::is_empty) {
        len -= 1;
    }
    len == header_key.len()
        && cells
            .iter()
            .zip(header_key)
            .all(|(c, h)| collapse_spaces(c).to_lowercase() == *h)
}

fn title_key(cells: &[String]) -> String {
    let filled: Vec<String> = cells
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| collapse_spaces(c).to_lowercase())
        .collect();
    filled.join("\u{1F}")
}

/// A totals, count, page or end-of-report line, wherever it is below the header:
/// its text in one cell ("Patient count: 212", "Page 2 of 5", "End of report"), or
/// a label saying so in one cell and counts in the others ("Total,42", "Patient
/// count,166", "Count of appointments:,58", "Page,2 of 5"). Never a row with a date,
/// an NHS number or any other word beside the label, nor one with more than half
/// the columns filled (at least two may be): that is data, whatever its first cell
/// says (a surname "Total" or "Count").
fn is_summary(cells: &[String], width: usize) -> bool {
    let mut filled = cells.iter().map(|c| c.trim()).filter(|c| !c.is_empty());
    let Some(label) = filled.next() else {
        return false;
    };
    let mut others = 0;
    for c in filled {
        if !is_count(c) {
            return false;
        }
        others += 1;
    }
    if others + 1 > (width / 2).max(2) {
        return false;
    }
    if others == 0 {
        is_summary_text(label)
    } else {
        is_summary_label(label)
    }
}

/// Starts of a line that is a total, a count, a page number, the end of the report
/// or when and by whom it was run, whatever follows.
const SUMMARY_STARTS: [&str; 22] = [
    "total",
    "grand total",
    "sub total",
    "subtotal",
    "sub-total",
    "count",
    "number of",
    "no. of",
    "no of",
    "records:",
    "rows:",
    "page ",
    "end of report",
    "report end",
    "*** end",
    "-- end",
    "printed",
    "run by",
    "run on",
    "run at",
    "generated",
    "report run",
];

/// Words that make a label a total or a count wherever they are in it.
const SUMMARY_WORDS: [&str; 10] = [
    "total",
    "totals",
    "subtotal",
    "subtotals",
    "count",
    "counts",
    "records",
    "rows",
    "page",
    "sum",
];

/// One cell's text that is a whole summary line: it starts like one ("Total: 40",
/// "Page 2 of 5", "Printed 25/11/2026", "End of report"), or has a summary word and
/// a figure ("Patient count: 212", "Appointments total = 58").
fn is_summary_text(text: &str) -> bool {
    let lower = text.to_lowercase();
    SUMMARY_STARTS.iter().any(|s| lower.starts_with(s))
        || (has_summary_word(&lower) && lower.chars().any(|c| c.is_ascii_digit()))
}

/// A label beside counts: a summary word or phrase anywhere in it ("Patient count",
/// "Count of appointments:", "Total appointments =", "Number of patients").
fn is_summary_label(label: &str) -> bool {
    let lower = label.to_lowercase();
    !is_value_like(&lower)
        && (has_summary_word(&lower)
            || SUMMARY_STARTS
                .iter()
                .any(|s| lower.starts_with(s.trim_end())))
}

fn has_summary_word(lower: &str) -> bool {
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().any(|w| SUMMARY_WORDS.contains(w))
        || words
            .windows(2)
            .any(|p| p[1] == "of" && (p[0] == "number" || p[0] == "no"))
}

/// A count or an amount: digits with separators, a sign, a percentage or a
/// currency sign ("166", "1,166", "-240397", "(12.5)", "£713,000.25", "12%"), or
/// "2 of 5"; never a date or a time (no `/`, `:` or inner `-`) nor an NHS number
/// (ten digits, alone or spaced 3-3-4).
fn is_count(cell: &str) -> bool {
    let body = cell.trim();
    let body = body.strip_prefix(['-', '+']).unwrap_or(body);
    let mut digits = 0;
    let mut separators = false;
    for word in body.split_whitespace() {
        if word.eq_ignore_ascii_case("of") {
            continue;
        }
        for c in word.chars() {
            if c.is_ascii_digit() {
                digits += 1;
            } else if ",.".contains(c) {
                separators = true;
            } else if !"%£$€()".contains(c) {
                return false;
            }
        }
    }
    digits > 0 && (digits != 10 || separators)
}

/// Runs of whitespace (line breaks included) as one space, ends trimmed.
fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
