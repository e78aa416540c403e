//! Workbooks through calamine: which format, which sheet, and every cell as the text
//! a person sees.
//!
//! - Format by content: a ZIP is tried as .xlsx/.xlsm, then .xlsb, then .ods; an OLE
//!   compound file as .xls, or else recognised as a password-protected workbook
//!   (Excel encrypts .xlsx into an OLE file). Word and PowerPoint files are named.
//! - Sheet: the first visible worksheet with a filled cell, in the workbook's order
//!   (then hidden ones); chart and macro sheets are never read.
//! - Rows are numbered as Excel shows them (row 1 is the first); columns left of the
//!   leftmost filled cell are dropped, so a table starting in column B starts at 0.
//! - Cell text: strings trimmed; whole numbers without ".0" (9990000018, never
//!   9.99E+09); other numbers to 15 significant digits, as Excel keeps them; a cell
//!   with a date format `2026-11-25` when it has no time of day, `2026-11-25T09:30`
//!   (`:ss` only when the seconds are not zero) when it has, `09:30` for a time
//!   alone (a serial below 1); durations `h:mm`; booleans `TRUE`/`FALSE`; error
//!   cells empty, each listed by the shaper as [`SkipReason::ErrorCell`](super::SkipReason).
//! - xlsx and xlsb are streamed cell by cell, so a stray cell at XFD1048576 costs
//!   nothing; [`MAX_CELLS`], [`MAX_ROWS`], [`MAX_CELL_BYTES`] and [`MAX_TEXT_BYTES`]
//!   bound what is kept, each checked before a cell's text is copied (a shared string
//!   is borrowed from calamine's table, so one long string shown by many cells is
//!   refused as it passes the limit, not after). .xls and .ods are expanded whole by
//!   calamine, so they are checked first (`ole_guard`, `zip_guard`), as is every ZIP
//!   workbook's structure. A panic inside calamine (malformed files can trip its
//!   asserts) is caught and reported as an unreadable spreadsheet.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{
    Data, DataRef, ExcelDateTime, Ods, Range, Reader, SheetType, SheetVisible, Xls, XlsError, Xlsb,
    Xlsx, XlsxError,
};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::{
    MAX_CELL_BYTES, MAX_CELLS, MAX_ROWS, MAX_TEXT_BYTES, RawRead, RawRow, ReportFileProblem,
    ole_guard, zip_guard,
};

const XLSX: &str = "Excel workbook (.xlsx)";
const XLSB: &str = "Excel binary workbook (.xlsb)";
const XLS: &str = "Excel 97-2003 workbook (.xls)";
const ODS: &str = "OpenDocument spreadsheet (.ods)";

pub(super) struct SheetRead {
    pub read: RawRead,
    pub sheet: String,
}

type Bytes<'a> = Cursor<&'a [u8]>;

/// Reads the first sheet with data. `ext` (lowercase, no dot) only names the format
/// in a problem when the content does not say. With `most_rows`, the sheet's cells
/// stop at the first cell of the row after that many rows (streamed for .xlsx and
/// .xlsb, so the rest is never parsed); the read is then marked as cut.
pub(super) fn read_workbook(
    bytes: &[u8],
    ext: &str,
    most_rows: Option<usize>,
) -> Result<SheetRead, ReportFileProblem> {
    let ole = bytes.starts_with(b"\xD0\xCF\x11\xE0");
    match catch_unwind(AssertUnwindSafe(|| read_any(bytes, ole, ext, most_rows))) {
        Ok(result) => result,
        Err(_) => Err(ReportFileProblem::UnreadableSpreadsheet {
            format: format_for(ext, ole),
            sheet: None,
        }),
    }
}

fn format_for(ext: &str, ole: bool) -> &'static str {
    match ext {
        "xls" => XLS,
        "xlsb" => XLSB,
        "ods" => ODS,
        _ if ole => XLS,
        _ => XLSX,
    }
}

fn read_any(
    bytes: &[u8],
    ole: bool,
    ext: &str,
    most_rows: Option<usize>,
) -> Result<SheetRead, ReportFileProblem> {
    let rs = || Cursor::new(bytes);
    // What calamine would hold before the first cell reaches us (its shared strings,
    // styles, a whole .ods or .xls), measured before it is opened.
    let held = if ole {
        ole_guard::check(bytes)?
    } else {
        zip_guard::check(bytes, format_for(ext, false))?
    };
    if ole {
        match Xls::new(rs()) {
            Ok(mut wb) => return first_sheet(&mut wb, XLS, held, most_rows, read_range),
            Err(XlsError::Password) => return Err(ReportFileProblem::Encrypted),
            Err(_) => {}
        }
        // An encrypted .xlsx/.xlsb is an OLE file holding an "EncryptedPackage".
        if let Err(XlsxError::Password) = Xlsx::new(rs()) {
            return Err(ReportFileProblem::Encrypted);
        }
        if contains(bytes, &utf16le("WordDocument")) {
            return Err(ReportFileProblem::Unsupported {
                what: "a Word document",
            });
        }
        if contains(bytes, &utf16le("PowerPoint Document")) {
            return Err(ReportFileProblem::Unsupported {
                what: "a PowerPoint presentation",
            });
        }
        return Err(ReportFileProblem::UnreadableSpreadsheet {
            format: format_for(ext, ole),
            sheet: None,
        });
    }
    if let Ok(mut wb) = Xlsx::new(rs()) {
        return first_sheet(
            &mut wb,
            XLSX,
            held,
            most_rows,
            |wb: &mut Xlsx<Bytes<'_>>, name, out| {
                let mut cells = wb
                    .worksheet_cells_reader(name)
                    .map_err(|_| Stop::Unreadable)?;
                while let Some(cell) = cells.next_cell().map_err(|_| Stop::Unreadable)? {
                    let (row, col) = cell.get_position();
                    if !out.wants(row) {
                        break;
                    }
                    out.add_ref(row, col, cell.get_value())?;
                }
                Ok(())
            },
        );
    }
    if let Ok(mut wb) = Xlsb::new(rs()) {
        return first_sheet(
            &mut wb,
            XLSB,
            held,
            most_rows,
            |wb: &mut Xlsb<Bytes<'_>>, name, out| {
                let mut cells = wb
                    .worksheet_cells_reader(name)
                    .map_err(|_| Stop::Unreadable)?;
                while let Some(cell) = cells.next_cell().map_err(|_| Stop::Unreadable)? {
                    let (row, col) = cell.get_position();
                    if !out.wants(row) {
                        break;
                    }
                    out.add_ref(row, col, cell.get_value())?;
                }
                Ok(())
            },
        );
    }
    if let Ok(mut wb) = Ods::new(rs()) {
        return first_sheet(&mut wb, ODS, held, most_rows, read_range);
    }
    if contains(bytes, b"word/document.xml") {
        return Err(ReportFileProblem::Unsupported {
            what: "a Word document",
        });
    }
    if contains(bytes, b"ppt/presentation.xml") {
        return Err(ReportFileProblem::Unsupported {
            what: "a PowerPoint presentation",
        });
    }
    Err(ReportFileProblem::UnreadableSpreadsheet {
        format: format_for(ext, ole),
        sheet: None,
    })
}

/// Why one sheet's cells stopped: the reader failed (`Err(())` from calamine's error,
/// which may quote cell content and so is not kept) or a limit was passed.
enum Stop {
    Unreadable,
    TooMany,
    TooManyRows,
    TooMuchText,
    /// A cell over [`MAX_CELL_BYTES`], at this 0-based row.
    CellTooLarge(u32),
}

/// For readers that give a whole sheet at once (.xls, .ods).
fn read_range<'a, R: Reader<Bytes<'a>>>(
    wb: &mut R,
    name: &str,
    out: &mut Collector,
) -> Result<(), Stop> {
    let range: Range<Data> = wb.worksheet_range(name).map_err(|_| Stop::Unreadable)?;
    let (row0, col0) = range.start().unwrap_or_default();
    for (r, c, value) in range.used_cells() {
        let row = row0.saturating_add(u32::try_from(r).unwrap_or(u32::MAX));
        let col = col0.saturating_add(u32::try_from(c).unwrap_or(u32::MAX));
        if !out.wants(row) {
            break;
        }
        out.add_data(row, col, value)?;
    }
    Ok(())
}

fn first_sheet<'a, W, F>(
    wb: &mut W,
    format: &'static str,
    held: usize,
    most_rows: Option<usize>,
    read: F,
) -> Result<SheetRead, ReportFileProblem>
where
    W: Reader<Bytes<'a>>,
    F: Fn(&mut W, &str, &mut Collector) -> Result<(), Stop>,
{
    let mut names: Vec<(bool, String)> = wb
        .sheets_metadata()
        .to_vec()
        .into_iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| (s.visible != SheetVisible::Visible, s.name))
        .collect();
    names.sort_by_key(|(hidden, _)| *hidden); // stable: the workbook's order within each
    for (_, name) in names {
        let mut out = Collector::holding(held, most_rows);
        match read(wb, &name, &mut out) {
            Ok(()) => {}
            Err(Stop::TooMany) => return Err(ReportFileProblem::TooManyCells),
            Err(Stop::TooManyRows) => return Err(ReportFileProblem::TooManyRows),
            Err(Stop::TooMuchText) => return Err(ReportFileProblem::TooMuchText),
            Err(Stop::CellTooLarge(row)) => {
                return Err(ReportFileProblem::CellTooLarge {
                    at: Some(("row", row as usize + 1)),
                });
            }
            Err(Stop::Unreadable) => {
                return Err(ReportFileProblem::UnreadableSpreadsheet {
                    format,
                    sheet: Some(name),
                });
            }
        }
        if !out.cells.is_empty() {
            return Ok(SheetRead {
                read: out.finish()?,
                sheet: name,
            });
        }
    }
    Err(ReportFileProblem::NoSheetWithData)
}

/// Filled cells as they come, then squared into rows. One flat list (row, column,
/// text): a row costs nothing of its own until it is squared, so a sheet of many
/// short rows takes no more than one of few long ones.
#[derive(Default)]
struct Collector {
    cells: Vec<(u32, u32, String)>,
    /// Set when a cell came for a row above the last one.
    out_of_order: bool,
    errors: Vec<(u32, u32, String)>,
    /// Filled and error cells so far.
    filled: usize,
    /// Rows begun so far (a row counted again if its cells come back later).
    rows: usize,
    /// Bytes of text held: what the workbook holds open (see [`Collector::holding`])
    /// and every cell's text kept here.
    text: usize,
    /// Rows to take before stopping (a head read), if any.
    most_rows: Option<usize>,
    /// Set when a cell was turned away by `most_rows`.
    cut: bool,
}

impl Collector {
    /// A collector counting `held` bytes of text as taken already: what calamine
    /// holds while the sheet is read (the shared strings, a whole .ods or .xls),
    /// taking the cells of at most `most_rows` rows if given.
    fn holding(held: usize, most_rows: Option<usize>) -> Self {
        Self {
            text: held,
            most_rows,
            ..Self::default()
        }
    }

    /// Whether a cell of `row` is still wanted: always, unless `most_rows` rows are
    /// begun and this cell would begin another (then the read is cut there).
    fn wants(&mut self, row: u32) -> bool {
        let Some(most) = self.most_rows else {
            return true;
        };
        if self.rows < most || self.last_row() == Some(row) {
            return true;
        }
        self.cut = true;
        false
    }

    /// The row of the last cell taken (filled or error).
    fn last_row(&self) -> Option<u32> {
        let last = self.cells.last().map(|c| c.0).into_iter();
        last.chain(self.errors.last().map(|e| e.0)).max()
    }

    /// A streamed cell (xlsx, xlsb): shared strings and strings are borrowed, so
    /// their size is checked before they are copied.
    fn add_ref(&mut self, row: u32, col: u32, value: &DataRef<'_>) -> Result<(), Stop> {
        match value {
            DataRef::SharedString(s) => self.add(row, col, Ok(s)),
            DataRef::String(s) => self.add(row, col, Ok(s)),
            other => match data_text(&Data::from(other.clone())) {
                Ok(text) => self.add(row, col, Ok(&text)),
                Err(error) => self.add(row, col, Err(error)),
            },
        }
    }

    /// A cell of a whole sheet (.xls, .ods).
    fn add_data(&mut self, row: u32, col: u32, value: &Data) -> Result<(), Stop> {
        match value {
            Data::String(s) => self.add(row, col, Ok(s)),
            other => match data_text(other) {
                Ok(text) => self.add(row, col, Ok(&text)),
                Err(error) => self.add(row, col, Err(error)),
            },
        }
    }

    /// One cell: its text (trimmed here), or the error it shows (`#N/A`…). The
    /// limits are checked before the text is copied.
    fn add(&mut self, row: u32, col: u32, value: Result<&str, String>) -> Result<(), Stop> {
        let text = match value {
            Ok(text) => text.trim(),
            Err(error) => {
                self.count(row)?;
                self.errors.push((row, col, error));
                return Ok(());
            }
        };
        if text.is_empty() {
            return Ok(());
        }
        if text.len() > MAX_CELL_BYTES {
            return Err(Stop::CellTooLarge(row));
        }
        self.text = self.text.saturating_add(text.len());
        if self.text > MAX_TEXT_BYTES {
            return Err(Stop::TooMuchText);
        }
        self.count(row)?;
        self.cells.push((row, col, text.to_string()));
        Ok(())
    }

    /// Counts a filled cell of `row` against [`MAX_CELLS`] and [`MAX_ROWS`].
    fn count(&mut self, row: u32) -> Result<(), Stop> {
        self.filled += 1;
        if self.filled > MAX_CELLS {
            return Err(Stop::TooMany);
        }
        let last = self.last_row();
        if last != Some(row) {
            self.out_of_order |= last.is_some_and(|r| r > row);
            self.rows += 1;
            if self.rows > MAX_ROWS {
                return Err(Stop::TooManyRows);
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<RawRead, ReportFileProblem> {
        if self.out_of_order {
            // Stable: cells of one place keep their order (the last one is kept).
            self.cells.sort_by_key(|(r, c, _)| (*r, *c));
        }
        let first_col = self.cells.iter().map(|(_, c, _)| *c).min().unwrap_or(0);
        let mut read = RawRead {
            cut: self.cut,
            ..RawRead::default()
        };
        let mut kept = 0usize;
        // Rows made from the last, the list shrunk as it empties, so that the cells
        // are not held twice (in the list and in the rows) at the peak.
        while let Some(row) = self.cells.last().map(|c| c.0) {
            let start = self
                .cells
                .iter()
                .rposition(|c| c.0 != row)
                .map_or(0, |i| i + 1);
            let mut run = self.cells.split_off(start);
            if self.cells.len() < self.cells.capacity() / 2 {
                self.cells.shrink_to_fit();
            }
            if !run.is_sorted_by_key(|(_, c, _)| *c) {
                run.sort_by_key(|(_, c, _)| *c); // stable: the last of one place wins
            }
            let width = run
                .last()
                .map_or(0, |(_, c, _)| (c - first_col) as usize + 1);
            kept = kept.saturating_add(width);
            if kept > MAX_CELLS {
                return Err(ReportFileProblem::TooManyCells);
            }
            let mut out = vec![String::new(); width];
            for (_, c, text) in run {
                if let Some(slot) = out.get_mut((c - first_col) as usize) {
                    *slot = text;
                }
            }
            let line = row as usize + 1;
            read.rows.push(RawRow {
                line,
                last_line: line,
                cells: out,
            });
        }
        read.rows.reverse();
        read.error_cells = self
            .errors
            .into_iter()
            .filter(|(_, c, _)| *c >= first_col)
            .map(|(r, c, e)| (r as usize + 1, (c - first_col) as usize, e))
            .collect();
        Ok(read)
    }
}

/// A cell's text, or the error it shows.
fn data_text(value: &Data) -> Result<String, String> {
    match value {
        Data::Error(e) => Err(e.to_string()),
        other => Ok(cell_text(other)),
    }
}

/// A cell as the text a person sees (see the module documentation).
fn cell_text(value: &Data) -> String {
    match value {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(true) => "TRUE".into(),
        Data::Bool(false) => "FALSE".into(),
        Data::DateTime(dt) if dt.is_duration() => duration_text(dt.as_f64()),
        Data::DateTime(dt) => date_text(dt),
        Data::DateTimeIso(s) => iso_date_text(s),
        Data::DurationIso(s) => iso_duration_text(s),
    }
}

/// Whole numbers as integers; others to Excel's 15 significant digits, shortest form.
fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return String::new();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    format!("{rounded}")
}

fn date_text(dt: &ExcelDateTime) -> String {
    let serial = dt.as_f64();
    if !serial.is_finite() {
        return String::new();
    }
    if (0.0..1.0).contains(&serial) {
        return clock_text((serial * 86_400.0).round() as i64);
    }
    let (y, m, d, hh, mm, ss, ms) = dt.to_ymd_hms_milli();
    let Some(date) = NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d)) else {
        // Excel's 29 February 1900, which never was.
        return format!("{y:04}-{m:02}-{d:02}");
    };
    let mut at = date.and_time(
        NaiveTime::from_hms_opt(u32::from(hh), u32::from(mm), u32::from(ss)).unwrap_or_default(),
    );
    if ms >= 500 {
        at += chrono::Duration::seconds(1);
    }
    date_time_text(at)
}

fn date_time_text(at: NaiveDateTime) -> String {
    let (d, t) = (at.date(), at.time());
    let (y, m, day) = (d.year(), d.month(), d.day());
    let (hh, mm, ss) = (t.hour(), t.minute(), t.second());
    if t == NaiveTime::MIN {
        format!("{y:04}-{m:02}-{day:02}")
    } else if ss == 0 {
        format!("{y:04}-{m:02}-{day:02}T{hh:02}:{mm:02}")
    } else {
        format!("{y:04}-{m:02}-{day:02}T{hh:02}:{mm:02}:{ss:02}")
    }
}

/// `09:30`, or `09:30:15` when the seconds are not zero.
fn clock_text(secs: i64) -> String {
    let secs = secs.clamp(0, 86_399);
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if s == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// A duration (`[h]:mm` format) as `h:mm`, hours not wrapped at 24.
fn duration_text(days: f64) -> String {
    if !days.is_finite() {
        return String::new();
    }
    let secs = (days * 86_400.0).round() as i64;
    let sign = if secs < 0 { "-" } else { "" };
    let secs = secs.unsigned_abs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if s == 0 {
        format!("{sign}{h}:{m:02}")
    } else {
        format!("{sign}{h}:{m:02}:{s:02}")
    }
}

/// An .ods date (`2026-11-25`, `2026-11-25T09:30:00`) the same way as Excel's.
fn iso_date_text(s: &str) -> String {
    let s = s.trim();
    if let Ok(at) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return date_time_text(at);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return date_time_text(d.and_time(NaiveTime::MIN));
    }
    s.to_string()
}

/// An .ods time (`PT09H30M00S`) as `09:30`; longer durations as `h:mm`.
fn iso_duration_text(s: &str) -> String {
    let raw = s.trim();
    let Some(body) = raw.strip_prefix("PT") else {
        return raw.to_string();
    };
    let mut secs = 0f64;
    let mut number = String::new();
    for c in body.chars() {
        let unit = match c {
            'H' => 3600.0,
            'M' => 60.0,
            'S' => 1.0,
            _ => {
                number.push(c);
                continue;
            }
        };
        match number.parse::<f64>() {
            Ok(n) => secs += n * unit,
            Err(_) => return raw.to_string(),
        }
        number.clear();
    }
    if !number.is_empty() || !secs.is_finite() {
        return raw.to_string();
    }
    if secs < 86_400.0 {
        clock_text(secs.round() as i64)
    } else {
        duration_text(secs / 86_400.0)
    }
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use calamine::ExcelDateTimeType;

    use super::*;

    fn date(serial: f64) -> String {
        cell_text(&Data::DateTime(ExcelDateTime::new(
            serial,
            ExcelDateTimeType::DateTime,
            false,
        )))
    }

    #[test]
    fn numbers_read_as_a_person_sees_them() {
        for (value, text) in [
            (9_990_000_018.0, "9990000018"),
            (28.0, "28"),
            (-0.0, "0"),
            (2.5, "2.5"),
            (0.1 + 0.2, "0.3"),
            (1e20, "100000000000000000000"),
            (0.000_001_5, "0.0000015"),
            (f64::NAN, ""),
        ] {
            assert_eq!(cell_text(&Data::Float(value)), text, "{value}");
        }
        assert_eq!(cell_text(&Data::Int(9_990_000_026)), "9990000026");
        assert_eq!(cell_text(&Data::Bool(true)), "TRUE");
        assert_eq!(cell_text(&Data::String("  Siân \n".into())), "Siân");
    }

    #[test]
    fn cells_in_any_order_make_rows_in_order_from_the_first_used_column() {
        let mut c = Collector::default();
        for (row, col, text) in [
            (4, 3, "b"),
            (1, 2, "a"),
            (4, 2, "x"),
            (1, 5, "z"),
            (4, 2, "y"),
        ] {
            assert!(c.add(row, col, Ok(text)).is_ok());
        }
        assert!(c.add(2, 1, Err("#REF!".into())).is_ok());
        assert!(c.add(3, 4, Ok("")).is_ok());
        let Ok(read) = c.finish() else {
            panic!("too many cells");
        };
        let rows: Vec<(usize, Vec<String>)> =
            read.rows.into_iter().map(|r| (r.line, r.cells)).collect();
        assert_eq!(
            rows,
            [
                (
                    2,
                    vec!["a".into(), String::new(), String::new(), "z".into()]
                ),
                (5, vec!["y".into(), "b".into()]),
            ]
        );
        // Left of the first filled column: no column to name it by.
        assert!(read.error_cells.is_empty());
    }

    #[test]
    fn dates_times_and_durations_as_iso_text() {
        // 46351 is 2026-11-25 in Excel's 1900 system.
        assert_eq!(date(46351.0), "2026-11-25");
        assert_eq!(date(46351.0 + 9.5 / 24.0), "2026-11-25T09:30");
        assert_eq!(
            date(46351.0 + (9.5 * 3600.0 + 15.0) / 86_400.0),
            "2026-11-25T09:30:15"
        );
        assert_eq!(date(9.5 / 24.0), "09:30");
        assert_eq!(date(60.0), "1900-02-29"); // Excel's day that never was
        assert_eq!(date(29_252.0), "1980-02-01");
        let mac = ExcelDateTime::new(44_889.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(cell_text(&Data::DateTime(mac)), "2026-11-25");
        let span = ExcelDateTime::new(1.5 + 0.25 / 24.0, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(cell_text(&Data::DateTime(span)), "36:15");
        assert_eq!(
            cell_text(&Data::DateTimeIso("2026-11-25".into())),
            "2026-11-25"
        );
        assert_eq!(
            cell_text(&Data::DateTimeIso("2026-11-25T09:30:00".into())),
            "2026-11-25T09:30"
        );
        assert_eq!(cell_text(&Data::DurationIso("PT09H30M00S".into())), "09:30");
        assert_eq!(cell_text(&Data::DurationIso("PT36H15M0S".into())), "36:15");
        assert_eq!(cell_text(&Data::DurationIso("P1D".into())), "P1D");
    }
}
