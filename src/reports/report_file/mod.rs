//! A report file exported by the old clinical system (EMIS Web, SystmOne, Vision…),
//! read into a clean table of text cells for the column mapper (issue 18).
//!
//! What comes in: CSV or other delimited text (comma, semicolon, tab or pipe; UTF-8
//! with or without BOM, Windows-1252, UTF-16), or a spreadsheet (.xlsx/.xlsm, .xls,
//! .xlsb, .ods). The format is decided by the file's content, not its name: an
//! `.xls` that is really tab-separated text is read as text, a `.csv` that is really
//! a workbook as a workbook, and a PDF or web page renamed is refused by name.
//!
//! What goes out: a [`ReportTable`]: the header row and the data rows, each row with
//! exactly one cell per header column, every cell as the text a person sees, and
//! [`ReportTable::skipped`] listing everything passed over (title lines, repeated
//! headers, blank lines, totals and footer lines, spreadsheet error cells) with its
//! line and a reason in plain English. Nothing is stored and nothing is mapped here.
//!
//! ## The rules
//! - **Header**: among the first [`HEADER_SEARCH_ROWS`] non-blank rows, the first
//!   row whose non-empty cells are all column names (text, four in five with a
//!   letter; none a number, date or time, nor a `Key:` or `Key: value`) and that has
//!   at least two non-empty cells and at least half as many as the widest row seen
//!   there. (A one-column report: the name just above the first number, date or NHS
//!   number.) Title lines ("Appointments report", "Run by: …", "Date range: …")
//!   above it are skipped.
//! - **Below the header**, skipped and listed: blank lines; the header again (a page
//!   break); a title line again; a totals, count, page or end line anywhere, its text
//!   in one cell ("Patient count: 212", "Page 2 of 5", "End of report") or a label
//!   in one cell and counts in the others ("Total,42", "Patient count,166"), never a
//!   row with a date, an NHS number or another word beside the label, nor one with
//!   more than half the columns filled; and, after the last data row, lines with a
//!   single filled cell (a footer).
//!   Anything else is a data row, even a poor one: the mapper reports it.
//! - **Ragged rows**: a short row is padded with empty cells; a long row keeps the
//!   first cells under the header in `cells` and what is beyond it in
//!   [`ReportRow::extra`] (non-empty only if something is there), which usually
//!   means the columns are shifted (an unquoted comma in a name).
//! - **Cells** are trimmed; header cells also have runs of spaces and line breaks
//!   made one space; a text cell written as `="0123"` (Excel's keep-as-text trick)
//!   is read as `0123`. Spreadsheet cells (the `sheet` module): whole numbers
//!   without ".0" (an NHS number stored as a number keeps its ten digits), other
//!   numbers to 15 significant digits, dates `2026-11-25`, date-times
//!   `2026-11-25T09:30` (seconds only when not zero), times `09:30`, booleans
//!   `TRUE`/`FALSE`, error cells (`#N/A`…) empty with a note in `skipped`.
//! - **Limits**: files over [`MAX_FILE_BYTES`] (100 MB), with more than
//!   [`MAX_CELLS`] cells or [`MAX_ROWS`] rows, more than [`MAX_TEXT_BYTES`] of text
//!   or a cell over [`MAX_CELL_BYTES`] are refused, each in words naming the limit. A workbook is
//!   checked before the spreadsheet reader opens it (the `zip_guard` and `ole_guard`
//!   modules): what its parts declare and hold ([`MAX_PART_BYTES`], [`MAX_PARTS`],
//!   [`MAX_SHARED_STRINGS`], [`MAX_KEPT_RECORDS`]), what its repeated rows and columns
//!   would expand to ([`MAX_WHOLE_SHEET_CELLS`]), and the places a reader would
//!   otherwise take memory a file only claims to need, so a read stays under about
//!   300 MB whatever the file holds. Nothing panics on any input (a panic inside the
//!   spreadsheet reader is caught and reported as an unreadable spreadsheet).

mod ole_guard;
mod shape;
mod sheet;
#[cfg(test)]
pub(crate) mod tests;
mod text;
mod zip_guard;

use std::fmt;
use std::path::Path;

/// Largest file read: 100 MB. The file is held in memory while it is read, so this
/// is part of the memory a read may take (see the limits below: with them a read
/// stays under about 300 MB whatever the file holds). A year of a large practice's
/// appointments, some 175,000 rows, is about 25 MB as CSV and 10 MB as .xlsx.
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
/// Most cells read (rows × columns, counting empty cells inside a row): 3 million,
/// e.g. 150,000 rows of twenty columns. Each cell kept costs some 60 bytes besides
/// its text, so this bounds the table at under 200 MB.
pub const MAX_CELLS: usize = 3_000_000;
/// Most rows read (lines of a text file, rows of a sheet, blank ones inside the data
/// included): 500,000, some three years of a large practice's appointments. Each row
/// costs some 130 bytes besides its cells, so this bounds a table of short rows.
pub const MAX_ROWS: usize = 500_000;
/// Most text a report may hold: 64 MB. For a text file, its characters once decoded
/// (checked before the decoded copy is made); for a spreadsheet, its cells' text added
/// up as they are read (a shared string is counted once in the workbook's table of
/// shared text and again for every cell that shows it), checked before each cell's
/// text is copied. 100,000 rows of twenty realistic columns are some 20-30 MB.
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;
/// Most text one cell may hold: 256 KB (Excel's own limit is 32,767 characters, at
/// most 128 KB; a workbook's markup for one cell, escapes and all, is counted).
pub const MAX_CELL_BYTES: usize = 256 * 1024;
/// Largest part of a workbook once unpacked (a sheet, the shared text, the styles):
/// 512 MB, by the size the ZIP directory declares for it, checked before anything is
/// unpacked (the ZIP reader stops at the declared size, so a part cannot unpack to
/// more than it declares). A sheet of 150,000 rows of twenty columns is some 150 MB.
pub const MAX_PART_BYTES: u64 = 512 * 1024 * 1024;
/// Most parts inside a workbook's ZIP: 10,000 (Excel writes a dozen or so, and a few
/// more per sheet, picture or chart).
pub const MAX_PARTS: usize = 10_000;
/// Most entries in a workbook's table of shared text: 1,000,000 (each is kept in
/// memory while the workbook is open, some 60 bytes besides its text).
pub const MAX_SHARED_STRINGS: usize = 1_000_000;
/// Most records a workbook's reader keeps whole while it is open: style records (cell
/// formats, fonts, fills, borders, number formats), sheets, defined names and links
/// between parts, 200,000 together (Excel itself allows 64,000 cell formats; a cell
/// format is kept at some 250 bytes).
pub const MAX_KEPT_RECORDS: usize = 200_000;
/// Largest list of parts (`META-INF/manifest.xml`) of an .ods file: 4 MB (the reader
/// holds it whole; one line per part, some 100 bytes each).
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// Most cells in an OpenDocument (.ods) or Excel 97-2003 (.xls) workbook, which the
/// spreadsheet reader expands whole, every sheet at once, before one is read: 1
/// million (50,000 rows of twenty columns), counting the cells that repeated rows and
/// columns expand to and the empty cells inside each sheet's used area. Each costs
/// some 120 bytes there, so the limit is lower than [`MAX_CELLS`]; a larger report
/// can be saved as .xlsx or CSV.
pub const MAX_WHOLE_SHEET_CELLS: usize = 1_000_000;
/// Largest workbook stream of an Excel 97-2003 (.xls) file: 32 MB (the format holds at
/// most 65,536 rows, some 20 MB at twenty columns). The reader copies it whole,
/// twice, before reading a cell.
pub const MAX_XLS_STREAM_BYTES: usize = 32 * 1024 * 1024;
/// Excel's grid: 1,048,576 rows (the most a cell reference in a sheet may name)…
pub const GRID_ROWS: u64 = 1_048_576;
/// …and 16,384 columns (A to XFD).
pub const GRID_COLUMNS: u64 = 16_384;
/// How many non-blank rows from the top are looked at to find the header.
pub const HEADER_SEARCH_ROWS: usize = 200;

/// One report file, read: where it came from and its rows of text cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTable {
    /// The file's name only, no folders (shown to staff, stored with captured items).
    pub file_name: String,
    /// SHA-256 of the file's bytes exactly as read, lowercase hex.
    pub sha256: String,
    /// "UTF-8", "UTF-8 with BOM", "Windows-1252", "UTF-16", or "spreadsheet".
    pub encoding: &'static str,
    /// The delimiter found in a text file; `None` for a spreadsheet.
    pub delimiter: Option<char>,
    /// The sheet read from a workbook (the first visible sheet with data); `None` for text.
    pub sheet: Option<String>,
    /// The header row's cells, trimmed; trailing empty cells dropped, inner empty ones kept as "".
    pub header: Vec<String>,
    /// 1-based line (text) or row (spreadsheet) of the header.
    pub header_line: usize,
    /// The data rows, in file order.
    pub rows: Vec<ReportRow>,
    /// What was passed over and why, in file order.
    pub skipped: Vec<Skipped>,
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// 1-based line in a text editor (where the row starts, if a quoted cell spans
    /// lines) or row number in Excel.
    pub line: usize,
    /// Exactly one cell per header column (a short row is padded with "").
    pub cells: Vec<String>,
    /// Cells beyond the header's last column, up to the last non-empty one; empty
    /// for a well-formed row. Non-empty usually means the columns are shifted.
    pub extra: Vec<String>,
}

/// Lines passed over: `line..=last_line` (one line when equal; consecutive blank
/// lines are one entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    pub last_line: usize,
    pub reason: SkipReason,
}

/// Why something was passed over. `Display` gives the reason in plain English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A line above the header (report title, "Run by", date range…).
    Title,
    /// Empty, or only empty cells.
    Blank,
    /// The header row again, as after a page break.
    RepeatedHeader,
    /// One of the title lines again, as after a page break.
    RepeatedTitle,
    /// A totals, count or page line ("Total: 40", "Patient count: 212", "Page 2 of 5").
    Totals,
    /// A line after the last data row with a single filled cell.
    Footer,
    /// A spreadsheet cell holding an error (`#N/A`, `#VALUE!`…): the row is kept and
    /// this cell read as empty. `column` is the header's name for it.
    ErrorCell { column: String, error: String },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Title => f.write_str("a title line above the header"),
            Self::Blank => f.write_str("blank"),
            Self::RepeatedHeader => f.write_str("the header again (a page break)"),
            Self::RepeatedTitle => f.write_str("a title line again (a page break)"),
            Self::Totals => f.write_str("a totals, count or page line"),
            Self::Footer => f.write_str("a footer line after the data"),
            Self::ErrorCell { column, error } => write!(
                f,
                "the cell in column '{}' shows the spreadsheet error {error}; read as empty",
                crate::domain::validation::shown(column)
            ),
        }
    }
}

impl ReportTable {
    /// "line" for a text file, "row" for a spreadsheet: the word staff would use.
    pub fn line_word(&self) -> &'static str {
        if self.sheet.is_some() { "row" } else { "line" }
    }

    /// One skipped entry as a sentence for the preview: "lines 5-7: blank".
    pub fn describe(&self, s: &Skipped) -> String {
        if s.last_line > s.line {
            format!(
                "{}s {}-{}: {}",
                self.line_word(),
                s.line,
                s.last_line,
                s.reason
            )
        } else {
            format!("{} {}: {}", self.line_word(), s.line, s.reason)
        }
    }
}

/// Why a file cannot be read as a report. The words are fit to show a practice
/// manager; none contains a cell's content (patient data), only line numbers,
/// sheet names and limits.
#[derive(Debug, thiserror::Error)]
pub enum ReportFileProblem {
    #[error("could not read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the file is empty")]
    Empty,
    #[error(
        "the file is larger than {} MB; export a shorter date range and try again",
        MAX_FILE_BYTES / (1024 * 1024)
    )]
    TooLarge,
    #[error(
        "the report has more than {} cells; export a shorter date range and try again",
        thousands(MAX_CELLS)
    )]
    TooManyCells,
    #[error(
        "the report has more than {} rows; export a shorter date range and try again",
        thousands(MAX_ROWS)
    )]
    TooManyRows,
    #[error(
        "the report holds more than {} MB of text; export a shorter date range and try again",
        MAX_TEXT_BYTES / (1024 * 1024)
    )]
    TooMuchText,
    #[error(
        "{}a cell holds more than {} KB of text (Excel's own limit is 32,767 characters), so this is not a report as the clinical system exports it; export the report again",
        at.map(|(word, n)| format!("{word} {n}: ")).unwrap_or_default(),
        MAX_CELL_BYTES / 1024
    )]
    CellTooLarge {
        /// ("line", n) in a text file, ("row", n) in a spreadsheet, when known.
        at: Option<(&'static str, usize)>,
    },
    #[error(
        "line {line}: the file is UTF-8 text but this line has a character that is not valid UTF-8 (perhaps pasted from another program), so its accented letters cannot be read safely; save it again as UTF-8 from the old system or a spreadsheet (\"CSV UTF-8\") and try again"
    )]
    MixedEncoding { line: usize },
    #[error(
        "this {format} cannot be read safely: {limit}; open it in a spreadsheet and save it again as .xlsx or CSV, or export the report again"
    )]
    WorkbookLimit {
        format: &'static str,
        limit: WorkbookLimit,
    },
    #[error(
        "no header row found in the first {looked_at} lines: the header is a line of column names (at least two, not numbers or dates), such as \"NHS Number,Surname,Forename\""
    )]
    NoHeader { looked_at: usize },
    #[error(
        "line {line}: a quote mark (\") starts a cell that does not end where expected, so the lines after it would run together; check that line in a text editor"
    )]
    UnclosedQuote { line: usize },
    #[error("line {line} could not be read as text")]
    UnreadableText { line: usize },
    #[error(
        "this file is {what}, not a report export; export the report from the clinical system as CSV or Excel (.xlsx)"
    )]
    Unsupported { what: &'static str },
    #[error(
        "the spreadsheet is protected with a password; open it in Excel, save a copy without the password (or as CSV), and use that"
    )]
    Encrypted,
    #[error(
        "the {format} could not be read{}; it may be damaged or saved by another program: open it in Excel and save it again, or export the report as CSV",
        sheet.as_ref().map(|s| format!(" (sheet '{}')", crate::domain::validation::shown(s))).unwrap_or_default()
    )]
    UnreadableSpreadsheet {
        format: &'static str,
        sheet: Option<String>,
    },
    #[error("the spreadsheet has no sheet with any data in it")]
    NoSheetWithData,
}

/// Which limit a workbook passed before it was opened, in words (see
/// [`ReportFileProblem::WorkbookLimit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkbookLimit {
    /// A part declares more than [`MAX_PART_BYTES`] unpacked.
    PartSize,
    /// More than [`MAX_PARTS`] parts.
    Parts,
    /// More than [`MAX_SHARED_STRINGS`] entries of shared text.
    SharedStrings,
    /// More than [`MAX_KEPT_RECORDS`] style records, sheets, names and links.
    Records,
    /// An .ods manifest over [`MAX_MANIFEST_BYTES`].
    Manifest,
    /// One cell, or one piece of markup, over [`MAX_CELL_BYTES`].
    CellSize,
    /// Repeated rows and columns, or a sheet's used area, over [`MAX_WHOLE_SHEET_CELLS`].
    ExpandedCells,
    /// More than [`MAX_TEXT_BYTES`] of text once expanded.
    Text,
    /// An .xls workbook stream over [`MAX_XLS_STREAM_BYTES`].
    XlsStream,
    /// A cell reference or range in a sheet outside Excel's grid ([`GRID_ROWS`] rows,
    /// [`GRID_COLUMNS`] columns), or a range ending before it starts: the spreadsheet
    /// reader adds such a reference up, and takes a range's start from its end, in
    /// 32 bits, which overflows.
    CellReference,
    /// An .ods table that does not end before its part does (calamine's reader
    /// would wait for its end for ever).
    UnendedTable,
}

impl fmt::Display for WorkbookLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PartSize => write!(
                f,
                "a part inside it would unpack to more than {} MB",
                MAX_PART_BYTES / (1024 * 1024)
            ),
            Self::Parts => write!(f, "it has more than {} parts inside", thousands(MAX_PARTS)),
            Self::SharedStrings => write!(
                f,
                "its table of shared text has more than {} entries",
                thousands(MAX_SHARED_STRINGS)
            ),
            Self::Records => write!(
                f,
                "it has more than {} style records, sheets, names and links between its parts (Excel itself allows 64,000 cell formats)",
                thousands(MAX_KEPT_RECORDS)
            ),
            Self::Manifest => write!(
                f,
                "its list of parts (META-INF/manifest.xml) is larger than {} MB",
                MAX_MANIFEST_BYTES / (1024 * 1024)
            ),
            Self::CellSize => write!(
                f,
                "a cell or a piece of its markup holds more than {} KB (Excel's own limit for a cell is 32,767 characters)",
                MAX_CELL_BYTES / 1024
            ),
            Self::ExpandedCells => write!(
                f,
                "its sheets would expand to more than {} cells (repeated rows and columns, and the empty cells in each sheet's used area, count: this kind of file is read whole)",
                thousands(MAX_WHOLE_SHEET_CELLS)
            ),
            Self::Text => write!(
                f,
                "it would hold more than {} MB of text once read (shared text, repeated cells, formulas, names)",
                MAX_TEXT_BYTES / (1024 * 1024)
            ),
            Self::XlsStream => write!(
                f,
                "its workbook is larger than {} MB (this kind of file is read whole)",
                MAX_XLS_STREAM_BYTES / (1024 * 1024)
            ),
            Self::CellReference => write!(
                f,
                "a cell reference in a sheet is outside Excel's grid of {} rows and {} columns, or a range ends before it starts, so the file is damaged or was not saved by a spreadsheet",
                thousands(GRID_ROWS as usize),
                thousands(GRID_COLUMNS as usize)
            ),
            Self::UnendedTable => f.write_str(
                "a sheet in it stops before its table ends (the file is cut short or damaged), and the spreadsheet reader would wait for the rest of it for ever",
            ),
        }
    }
}

/// 3000000 as "3,000,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Reads the report at `path`. The file is refused before reading if it is over
/// [`MAX_FILE_BYTES`].
pub fn read_report(path: &Path) -> Result<ReportTable, ReportFileProblem> {
    let (name, bytes) = read_file(path)?;
    read_report_bytes(&name, &bytes)
}

/// The header and the first `rows` data rows of the report at `path`, for a screen
/// to show at once while [`read_report`] reads the whole of it (on a thread). An
/// .xlsx or .xlsb sheet is streamed only as far as the first [`HEADER_SEARCH_ROWS`]
/// and `rows` and one more of its rows (the first rows of a 100,000-row .xlsx in a
/// third of the time of the whole); text, .ods and .xls are read whole, as they are
/// anyway, and cut to their first rows. The workbook is checked whole before it is
/// opened, as for [`read_report`], so the read is bounded the same way.
///
/// Not the whole report: the rows after the first ones are not read or checked, so
/// a file this reads may still be refused by [`read_report`] (too many rows or cells,
/// too much text), and the footer rule (one filled cell after the last data row) is
/// applied only where the sheet was read to its end. `skipped` lists what was passed
/// over up to the last row returned. The header, the encoding, the sheet and the
/// SHA-256 (of the whole file) are as [`read_report`] finds them.
pub fn read_report_head(path: &Path, rows: usize) -> Result<ReportTable, ReportFileProblem> {
    let (name, bytes) = read_file(path)?;
    read_report_head_bytes(&name, &bytes, rows)
}

/// The file's name (no folders) and its bytes, refused before reading if it is over
/// [`MAX_FILE_BYTES`].
fn read_file(path: &Path) -> Result<(String, Vec<u8>), ReportFileProblem> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    if file.metadata()?.len() > MAX_FILE_BYTES {
        return Err(ReportFileProblem::TooLarge);
    }
    let mut bytes = Vec::new();
    // One more byte than the cap, so a file that grew since `metadata` is still refused.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((name, bytes))
}

/// Reads a report from its bytes. `name` is the file's name (folders are dropped);
/// its extension is used only for the words of a problem, never to decide the format.
pub fn read_report_bytes(name: &str, bytes: &[u8]) -> Result<ReportTable, ReportFileProblem> {
    read_bytes(name, bytes, None)
}

/// [`read_report_head`] of a file's bytes.
pub fn read_report_head_bytes(
    name: &str,
    bytes: &[u8],
    rows: usize,
) -> Result<ReportTable, ReportFileProblem> {
    read_bytes(name, bytes, Some(rows))
}

/// The whole report (`head` is `None`), or its header and first `head` data rows.
fn read_bytes(
    name: &str,
    bytes: &[u8],
    head: Option<usize>,
) -> Result<ReportTable, ReportFileProblem> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReportFileProblem::TooLarge);
    }
    if bytes.is_empty() {
        return Err(ReportFileProblem::Empty);
    }
    let file_name = base_name(name);
    let ext = extension(&file_name);
    let sha256 = sha256_hex(bytes);
    let (read, encoding, delimiter, sheet) = match sniff(bytes) {
        Sniffed::Zip | Sniffed::Ole => {
            // Enough rows to find the header where the whole read would, and the
            // first rows after it.
            let most_rows =
                head.map(|rows| HEADER_SEARCH_ROWS.saturating_add(rows).saturating_add(1));
            let s = sheet::read_workbook(bytes, &ext, most_rows)?;
            (s.read, "spreadsheet", None, Some(s.sheet))
        }
        Sniffed::Other(what) => return Err(ReportFileProblem::Unsupported { what }),
        Sniffed::Text => {
            let t = text::read_text(bytes)?;
            (t.read, t.encoding, Some(t.delimiter), None)
        }
    };
    let mut shaped = shape::shape(read)?;
    if let Some(rows) = head
        && shaped.rows.len() > rows
    {
        shaped.rows.truncate(rows);
        let last = shaped.rows.last().map_or(shaped.header_line, |r| r.line);
        shaped.skipped.retain(|s| s.line < last);
    }
    Ok(ReportTable {
        file_name,
        sha256,
        encoding,
        delimiter,
        sheet,
        header: shaped.header,
        header_line: shaped.header_line,
        rows: shaped.rows,
        skipped: shaped.skipped,
    })
}

/// Rows as a reader found them, before the header is known.
#[derive(Debug, Default)]
struct RawRead {
    /// Non-blank rows and rows of only empty cells, in file order, cells trimmed.
    rows: Vec<RawRow>,
    /// Spreadsheet cells that held an error: (line, column index, error text).
    error_cells: Vec<(usize, usize, String)>,
    /// The read stopped before the end of the sheet ([`read_report_head`]).
    cut: bool,
}

#[derive(Debug)]
struct RawRow {
    line: usize,
    /// The last line of this row (a quoted cell may span lines); `line` for a spreadsheet.
    last_line: usize,
    cells: Vec<String>,
}

enum Sniffed {
    Zip,
    Ole,
    Text,
    Other(&'static str),
}

/// What the bytes are, by their first bytes (the name may lie).
fn sniff(bytes: &[u8]) -> Sniffed {
    const MAGIC: [(&[u8], &str); 12] = [
        (b"%PDF", "a PDF document"),
        (b"{\\rtf", "a Rich Text (RTF) document"),
        (b"\x89PNG", "a picture (PNG)"),
        (b"\xFF\xD8\xFF", "a picture (JPEG)"),
        (b"GIF8", "a picture (GIF)"),
        (b"BM", "a picture (BMP)"),
        (b"II*\0", "a picture (TIFF)"),
        (b"MM\0*", "a picture (TIFF)"),
        (b"Rar!", "a compressed archive (RAR)"),
        (b"7z\xBC\xAF", "a compressed archive (7-Zip)"),
        (b"\x1F\x8B", "a compressed archive (gzip)"),
        (b"MZ", "a program"),
    ];
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Sniffed::Zip;
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Sniffed::Ole;
    }
    if let Some((magic, what)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        // "BM" and "MZ" can also start a line of text: for them only binary content counts.
        let short = magic.len() == 2 && magic.is_ascii();
        if !short || bytes.iter().take(512).any(|b| *b == 0) {
            return Sniffed::Other(what);
        }
    }
    // Web pages and XML saved with a spreadsheet's name (some systems' "Excel" export).
    let head: Vec<u8> = bytes
        .iter()
        .skip(if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        })
        .skip_while(|b| b.is_ascii_whitespace())
        .take(256)
        .map(u8::to_ascii_lowercase)
        .collect();
    if [&b"<!doctype html"[..], b"<html", b"<table"]
        .iter()
        .any(|m| head.starts_with(m))
    {
        return Sniffed::Other(
            "a web page (HTML) with a report's name (Excel can open it and save it as .xlsx)",
        );
    }
    if head.starts_with(b"<?xml") {
        return Sniffed::Other(
            "an XML file (perhaps Excel's \"XML Spreadsheet 2003\", which Excel can save again as .xlsx)",
        );
    }
    Sniffed::Text
}

/// The last path component of `name`, whether it uses `/` or `\`.
fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or(name).to_string()
}

fn extension(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((_, e)) => e.to_ascii_lowercase(),
        None => String::new(),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest.iter() {
        let _ = write!(hex, "{b:02x}"); // writing to a String cannot fail
    }
    hex
}
