//! The interchange CSV: what `export --format csv` writes and `import` reads
//! back exactly. Column by column it is described in the README.
//!
//! Import is all-or-nothing at the level of the caller: [`read`] checks every
//! row and returns the good ones and every rejected one with its line number,
//! column and reason; nothing is stored here.
//!
//! Memory: a file over [`MAX_IMPORT_BYTES`] is refused before it is parsed
//! ([`read_file`] before it is read at all); the text is the file's bytes, never a
//! copy; rows are parsed and checked [`ROWS_PER_CHUNK`] at a time, so what is held
//! is the file, the items made of it and one chunk of parsed rows.

use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Write};
use std::path::Path;

use chrono::NaiveDateTime;

use crate::domain::dates::{iso_date, iso_date_time, iso_timestamp, parse_date_time};
use crate::domain::kind::all_field_specs;
use crate::domain::{
    Item, ItemDraft, ItemKind, Reentry, StaffDirectory, StaffId, Status, StatusChange, Void,
};
use crate::store::{CutoverStore, ImportedItem};

use super::ReportError;
use super::atomic::write_atomically;
use super::csv_cells::{UTF8_BOM, escape_formula, unescape_formula};
use super::in_order::map_rows;
use super::reentry_report::new_system_words;

/// The first line of every exported file: a warning people see when they open it.
/// Import skips lines starting with `#`.
pub const PATIENT_DATA_WARNING: &str = "# CONTAINS PATIENT-IDENTIFIABLE DATA - store and share only as the practice's IG policy allows (Cutover Log export)\r\n";

/// Largest file imported: 64 MB, some 150,000 items (a large practice's whole
/// cutover log is some 40,000 items, 15 MB). What an import holds is the file and
/// the items made of it, several times the file's size, so this bounds it.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// Rows parsed and checked at a time (on every core), so that the parsed rows of
/// the whole file are never held at once.
pub const ROWS_PER_CHUNK: usize = 5_000;

/// The columns every import file must have.
pub const REQUIRED_COLUMNS: [&str; 7] = crate::domain::kind::COMMON_KEYS;

/// Columns recording the item's life after logging; optional on import.
pub const RECORD_COLUMNS: [&str; 11] = [
    "logged_by",
    "logged_at",
    "assignee",
    "status",
    "status_by",
    "status_at",
    "status_note",
    "voided_at",
    "voided_by",
    "void_reason",
    "item_id",
];

/// Columns export writes last for the person reading the file, from the log's
/// other records: whether the item was found in the new system's reports (see
/// [`new_system_words`]). Import accepts them and ignores them.
pub const READ_ONLY_COLUMNS: [&str; 1] = ["new_system_check"];

/// Every column import reads, in the order export writes them (before
/// [`READ_ONLY_COLUMNS`]).
pub fn columns() -> Vec<&'static str> {
    let mut cols: Vec<&'static str> = REQUIRED_COLUMNS.to_vec();
    cols.extend(all_field_specs().iter().map(|s| s.key));
    cols.extend(RECORD_COLUMNS);
    cols
}

/// One cell of one row, as export writes it (before formula escaping).
fn cell(item: &Item, staff: &StaffDirectory, column: &str) -> String {
    let input = &item.input;
    match column {
        "kind" => input.kind.code().into(),
        "occurred_at" => iso_date_time(input.occurred_at),
        // Spaced, so spreadsheets keep it as text rather than a number.
        "nhs_number" => input
            .patient
            .nhs_number
            .map(|n| n.to_string())
            .unwrap_or_default(),
        "patient_name" => input.patient.name.clone(),
        "date_of_birth" => input
            .patient
            .date_of_birth
            .map(iso_date)
            .unwrap_or_default(),
        "clinician" => staff.name(input.clinician),
        "details" => input.details.clone(),
        "logged_by" => staff.name(Some(item.logged_by)),
        "logged_at" => iso_timestamp(item.logged_at),
        "assignee" => staff.name(item.assignee),
        "status" => item.reentry.status.code().into(),
        "status_by" => staff.name(item.reentry.by),
        "status_at" => item.reentry.at.map(iso_timestamp).unwrap_or_default(),
        "status_note" => item.reentry.note.clone(),
        "voided_at" => item
            .void
            .as_ref()
            .map(|v| iso_timestamp(v.at))
            .unwrap_or_default(),
        "voided_by" => staff.name(item.void.as_ref().map(|v| v.by)),
        "void_reason" => item
            .void
            .as_ref()
            .map(|v| v.reason.clone())
            .unwrap_or_default(),
        "item_id" => item.id.0.to_string(),
        other => input.fields.get(other).cloned().unwrap_or_default(),
    }
}

/// Writes every item (voided ones too) to `path`, whole or not at all. Returns the count.
pub fn export(store: &dyn CutoverStore, path: &Path) -> Result<u64, ReportError> {
    let staff = StaffDirectory::new(store.staff()?);
    let findings = store.verifications()?;
    let cols = columns();
    let mut count = 0u64;
    write_atomically(path, |w| -> Result<(), ReportError> {
        w.write_all(UTF8_BOM)?;
        w.write_all(PATIENT_DATA_WARNING.as_bytes())?;
        let mut out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(w);
        out.write_record(cols.iter().chain(&READ_ONLY_COLUMNS))?;
        let to_store = |e: csv::Error| crate::store::StoreError::Corrupt(e.to_string());
        store.for_each_item(&mut |item| {
            for c in &cols {
                out.write_field(escape_formula(&cell(item, &staff, c)).as_bytes())
                    .map_err(to_store)?;
            }
            let check = new_system_words(item, findings.get(&item.id));
            out.write_field(escape_formula(&check).as_bytes())
                .map_err(to_store)?;
            out.write_record(None::<&[u8]>).map_err(to_store)?;
            count += 1;
            Ok(())
        })?;
        out.flush()?;
        Ok(())
    })?;
    Ok(count)
}

/// A problem with the file as a whole: nothing in it can be read as rows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileProblem {
    #[error("could not read the file: {0}")]
    Io(String),
    #[error("the file is empty")]
    Empty,
    #[error(
        "the file is larger than {} MB; split it into smaller files (by date) and import each",
        MAX_IMPORT_BYTES / (1024 * 1024)
    )]
    TooLarge,
    #[error("the file is saved as UTF-16; save it as \"CSV UTF-8\" and import again")]
    Utf16,
    #[error("this is not a text CSV file (it contains binary data)")]
    Binary,
    #[error("line {line}: the file is not UTF-8 text; save it as \"CSV UTF-8\" and import again")]
    NotUtf8 { line: u64 },
    #[error("the header has a column named '{0}' twice")]
    DuplicateColumn(String),
    #[error(
        "the header has a column '{0}' this version does not know; nothing would be kept from it"
    )]
    UnknownColumn(String),
    #[error("the header has no '{0}' column (required: {cols})", cols = REQUIRED_COLUMNS.join(", "))]
    MissingColumn(String),
    #[error("the file has a header but no items")]
    NoRows,
    #[error("line {line}: {message}")]
    Unreadable { line: u64, message: String },
}

/// One reason one row was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// A row that could not be imported, kept whole so it can be written to a rejects file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub line: u64,
    pub cells: Vec<String>,
    pub errors: Vec<RowError>,
}

/// What a file holds: the rows ready to store, and those rejected.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportPlan {
    pub header: Vec<String>,
    pub items: Vec<ImportedItem>,
    pub rejected: Vec<RejectedRow>,
}

impl ImportPlan {
    pub fn errors(&self) -> impl Iterator<Item = &RowError> {
        self.rejected.iter().flat_map(|r| r.errors.iter())
    }
}

/// Checks the raw bytes before any CSV parsing: size, encoding and binary content.
/// The text returned is the bytes themselves, not a copy.
fn check_bytes(bytes: &[u8]) -> Result<&str, FileProblem> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(FileProblem::TooLarge);
    }
    if bytes.is_empty() {
        return Err(FileProblem::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(FileProblem::Utf16);
    }
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if body.contains(&0) {
        return Err(FileProblem::Binary);
    }
    match std::str::from_utf8(body) {
        Ok(s) if s.trim().is_empty() => Err(FileProblem::Empty),
        Ok(s) => Ok(s),
        Err(e) => {
            let line = body[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64
                + 1;
            Err(FileProblem::NotUtf8 { line })
        }
    }
}

/// Who and when an import is made, for rows that leave those columns empty.
#[derive(Debug, Clone, Copy)]
pub struct ImportContext<'a> {
    pub staff: &'a StaffDirectory,
    /// The person importing. Every item is recorded in their name: logged by
    /// them, and a status or void the file states is recorded as set by them
    /// now, "per FILE row N", with whom and when the file names (never as an
    /// act of the person named). `None` (reading only, or the demo): the
    /// file's names are kept, and the store takes them only from the system
    /// while the log is being set up.
    pub importer: Option<StaffId>,
    pub now: NaiveDateTime,
    /// The file's name, for "per FILE row N".
    pub file: &'a str,
}

/// Reads the interchange CSV at `path` and checks every row: a file over
/// [`MAX_IMPORT_BYTES`] is refused before it is read. Never stores anything.
pub fn read_file(path: &Path, ctx: ImportContext<'_>) -> Result<ImportPlan, FileProblem> {
    read(&file_bytes(path)?, ctx)
}

/// The bytes of the file at `path`, refused before it is read when it is over
/// [`MAX_IMPORT_BYTES`].
pub(crate) fn file_bytes(path: &Path) -> Result<Vec<u8>, FileProblem> {
    let io = |e: std::io::Error| FileProblem::Io(e.to_string());
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > MAX_IMPORT_BYTES as u64 {
        return Err(FileProblem::TooLarge);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(MAX_IMPORT_BYTES) + 1);
    // One more byte than the limit, so a file that grew since is still refused.
    file.take(MAX_IMPORT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(FileProblem::TooLarge);
    }
    Ok(bytes)
}

/// Reads an interchange CSV and checks every row. Never stores anything.
pub fn read(bytes: &[u8], ctx: ImportContext<'_>) -> Result<ImportPlan, FileProblem> {
    let mut reader = ImportReader::open(bytes, ctx)?;
    let mut plan = ImportPlan {
        header: reader.header().to_vec(),
        ..ImportPlan::default()
    };
    reader.each_chunk(&mut |chunk| {
        plan.items.extend(chunk.items);
        plan.rejected.extend(chunk.rejected);
        true
    })?;
    Ok(plan)
}

/// Rows checked together, in file order: the good ones and the rejected ones.
#[derive(Debug, Default)]
pub struct CheckedRows {
    pub items: Vec<ImportedItem>,
    pub rejected: Vec<RejectedRow>,
}

/// An interchange CSV opened and its header checked, its rows read and checked
/// [`ROWS_PER_CHUNK`] at a time: an import writes each chunk while the next is
/// read, and never holds every item at once.
pub struct ImportReader<'a> {
    reader: csv::Reader<&'a [u8]>,
    header: Vec<String>,
    lines: LineCounter<'a>,
    ctx: ImportContext<'a>,
}

impl<'a> ImportReader<'a> {
    /// Checks the bytes (size, encoding) and the header (known, required and
    /// unrepeated columns).
    pub fn open(bytes: &'a [u8], ctx: ImportContext<'a>) -> Result<Self, FileProblem> {
        let text = check_bytes(bytes)?;
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .flexible(true)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| FileProblem::Unreadable {
                line: 1,
                message: e.to_string(),
            })?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let known: Vec<&str> = columns().into_iter().chain(READ_ONLY_COLUMNS).collect();
        let mut seen = HashSet::new();
        for h in &header {
            if !seen.insert(h.as_str()) {
                return Err(FileProblem::DuplicateColumn(
                    crate::domain::validation::shown(h),
                ));
            }
            if !known.contains(&h.as_str()) {
                return Err(FileProblem::UnknownColumn(
                    crate::domain::validation::shown(h),
                ));
            }
        }
        if let Some(missing) = REQUIRED_COLUMNS
            .iter()
            .find(|c| !header.iter().any(|h| h == *c))
        {
            return Err(FileProblem::MissingColumn((*missing).to_string()));
        }
        Ok(Self {
            reader,
            header,
            lines: LineCounter::new(text),
            ctx,
        })
    }

    /// The file's columns, trimmed and lower-cased.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Reads the file in order and hands each chunk of checked rows to `each`,
    /// until the end or until `each` says no more. A record the CSV reader
    /// cannot read stops it with its line; a file with no rows is refused.
    pub fn each_chunk(
        &mut self,
        each: &mut dyn FnMut(CheckedRows) -> bool,
    ) -> Result<(), FileProblem> {
        // The file read in order (a bad record stops here, with its line), a chunk of
        // rows at a time, each chunk checked on every core, the order kept.
        let mut chunk: Vec<(u64, csv::StringRecord)> = Vec::with_capacity(ROWS_PER_CHUNK);
        let mut any_rows = false;
        let mut records = self.reader.records();
        loop {
            chunk.clear();
            for record in records.by_ref() {
                let record = match record {
                    Ok(r) => r,
                    Err(e) => {
                        let line = e.position().map_or(0, |p| self.lines.line_at(p.byte()));
                        return Err(FileProblem::Unreadable {
                            line,
                            message: e.to_string(),
                        });
                    }
                };
                let line = record
                    .position()
                    .map_or(0, |p| self.lines.line_at(p.byte()));
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue; // blank line: spreadsheets often leave these at the end
                }
                chunk.push((line, record));
                if chunk.len() == ROWS_PER_CHUNK {
                    break;
                }
            }
            if chunk.is_empty() {
                break;
            }
            any_rows = true;
            if !each(check_rows(&chunk, &self.header, self.ctx)) {
                return Ok(());
            }
        }
        if !any_rows {
            return Err(FileProblem::NoRows);
        }
        Ok(())
    }
}

/// Checks `records` (on every core, the order kept).
fn check_rows(
    records: &[(u64, csv::StringRecord)],
    header: &[String],
    ctx: ImportContext<'_>,
) -> CheckedRows {
    let checked = map_rows(records, |(line, cells)| {
        if cells.len() != header.len() {
            return Err(vec![RowError {
                line: *line,
                column: "(row)".into(),
                message: format!(
                    "this row has {} cells but the header has {} columns",
                    cells.len(),
                    header.len()
                ),
            }]);
        }
        let row: BTreeMap<&str, &str> = header
            .iter()
            .map(String::as_str)
            .zip(cells.iter().map(unescape_formula))
            .collect();
        read_row(&row, *line, ctx)
    });
    let mut out = CheckedRows::default();
    for ((line, cells), outcome) in records.iter().zip(checked) {
        match outcome {
            Ok(item) => out.items.push(item),
            Err(errors) => out.rejected.push(RejectedRow {
                line: *line,
                cells: cells.iter().map(str::to_string).collect(),
                errors,
            }),
        }
    }
    out
}

/// The line a record starts on, counted from the text itself. The csv crate's own
/// count is one short after every CRLF line end (it takes the LF with the next
/// record), counts no CR-only line ends, and starts before the blank and comment
/// lines it skipped; files from Excel and from [`export`] end lines with CRLF.
struct LineCounter<'a> {
    text: &'a [u8],
    /// Bytes before this have been counted.
    at: usize,
    /// Line ends before `at`.
    ends: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            at: 0,
            ends: 0,
        }
    }

    /// The 1-based line of the first content at or after `byte`, which must not go
    /// backwards between calls (records are read in order).
    fn line_at(&mut self, byte: u64) -> u64 {
        let b = self.text;
        let mut i = usize::try_from(byte)
            .unwrap_or(b.len())
            .clamp(self.at, b.len());
        // Skip the line ends, blank lines and comment lines before the record.
        loop {
            while i < b.len() && (b[i] == b'\r' || b[i] == b'\n') {
                i += 1;
            }
            let line_start = i == 0 || b[i - 1] == b'\n' || b[i - 1] == b'\r';
            if i < b.len() && b[i] == b'#' && line_start {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            } else {
                break;
            }
        }
        for j in self.at..i {
            let end = b[j] == b'\n' || (b[j] == b'\r' && b.get(j + 1) != Some(&b'\n'));
            self.ends += u64::from(end);
        }
        self.at = i;
        self.ends + 1
    }
}

/// Reads one row into an item, or every reason it cannot be.
fn read_row(
    row: &BTreeMap<&str, &str>,
    line: u64,
    ctx: ImportContext<'_>,
) -> Result<ImportedItem, Vec<RowError>> {
    let get = |c: &str| row.get(c).copied().unwrap_or("").trim();
    let mut errors: Vec<RowError> = Vec::new();
    let mut err = |column: &str, message: String| {
        errors.push(RowError {
            line,
            column: column.into(),
            message,
        })
    };

    let kind = ItemKind::parse(get("kind"));
    if kind.is_none() {
        let codes: Vec<&str> = ItemKind::ALL.iter().map(|k| k.code()).collect();
        err(
            "kind",
            format!(
                "'{}' is not a kind; use one of {}",
                crate::domain::validation::shown(get("kind")),
                codes.join(", ")
            ),
        );
    }
    let mut person = |column: &str, required_default: Option<StaffId>| -> Option<StaffId> {
        let name = get(column);
        if name.is_empty() {
            return required_default;
        }
        match ctx.staff.by_name(name) {
            Some(s) => Some(s.id),
            None => {
                err(
                    column,
                    format!(
                        "'{}' is not on the staff list; add them first (cutover-log staff add)",
                        crate::domain::validation::shown(name)
                    ),
                );
                None
            }
        }
    };
    let clinician = person("clinician", None);
    let assignee = person("assignee", None);
    let logged_by = person("logged_by", ctx.importer);
    let status_by = person("status_by", ctx.importer);
    let voided_by = person("voided_by", ctx.importer);

    let mut time = |column: &str| -> Option<NaiveDateTime> {
        let s = get(column);
        if s.is_empty() {
            return None;
        }
        match parse_date_time(s) {
            Ok(t) => Some(t),
            Err(e) => {
                err(column, e.to_string());
                None
            }
        }
    };
    let logged_at = time("logged_at").unwrap_or(ctx.now);
    let status_at = time("status_at").unwrap_or(ctx.now);
    let voided_at = time("voided_at");

    let mut fields = BTreeMap::new();
    for spec in all_field_specs() {
        let v = get(spec.key);
        if !v.is_empty() {
            fields.insert(spec.key.to_string(), v.to_string());
        }
    }
    let draft = ItemDraft {
        kind,
        occurred_at: get("occurred_at").into(),
        nhs_number: get("nhs_number").into(),
        patient_name: get("patient_name").into(),
        date_of_birth: get("date_of_birth").into(),
        clinician,
        details: row.get("details").copied().unwrap_or("").into(),
        fields,
    };
    // An unknown clinician or kind was reported above; don't also report "choose the ...".
    let clinician_reported = errors.iter().any(|e| e.column == "clinician");
    let kind_reported = errors.iter().any(|e| e.column == "kind");
    let input = match draft.validate(ctx.now) {
        Ok(i) => Some(i),
        Err(field_errors) => {
            for fe in field_errors {
                if !(clinician_reported && fe.field == "clinician"
                    || kind_reported && fe.field == "kind")
                {
                    errors.push(RowError {
                        line,
                        column: fe.field.into(),
                        message: fe.message,
                    });
                }
            }
            None
        }
    };

    let status = Status::parse(get("status"));
    if status.is_none() {
        let codes: Vec<&str> = Status::ALL.iter().map(|s| s.code()).collect();
        errors.push(RowError {
            line,
            column: "status".into(),
            message: format!(
                "'{}' is not a status; use one of {}",
                crate::domain::validation::shown(get("status")),
                codes.join(", ")
            ),
        });
    }
    let note = get("status_note").to_string();
    let reentry = status.and_then(|status| {
        let change = match status {
            Status::Outstanding => StatusChange::Reopen,
            Status::ReEntered => StatusChange::ReEntered { note: note.clone() },
            Status::NotNeeded => StatusChange::NotNeeded {
                reason: note.clone(),
            },
            Status::Problem => StatusChange::Problem { note: note.clone() },
        };
        match change.validate() {
            Ok((Status::Outstanding, _)) => Some(Reentry::outstanding()),
            Ok((status, note)) => match status_by {
                Some(by) => Some(Reentry {
                    status,
                    by: Some(by),
                    at: Some(status_at),
                    note,
                }),
                None => {
                    errors.push(RowError {
                        line,
                        column: "status_by".into(),
                        message: "say who set this status (or import with --as NAME)".into(),
                    });
                    None
                }
            },
            Err(fe) => {
                for e in fe {
                    errors.push(RowError {
                        line,
                        column: "status_note".into(),
                        message: e.message,
                    });
                }
                None
            }
        }
    });

    let void_reason = get("void_reason");
    let void = if voided_at.is_some() || !void_reason.is_empty() || !get("voided_by").is_empty() {
        match (
            crate::domain::status::validate_void_reason(void_reason),
            voided_by,
        ) {
            (Ok(reason), Some(by)) => Some(Void {
                by,
                at: voided_at.unwrap_or(ctx.now),
                reason,
            }),
            (Err(_), _) => {
                errors.push(RowError {
                    line,
                    column: "void_reason".into(),
                    message: "a voided item needs the reason it was voided".into(),
                });
                None
            }
            (Ok(_), None) => {
                errors.push(RowError {
                    line,
                    column: "voided_by".into(),
                    message: "say who voided this item (or import with --as NAME)".into(),
                });
                None
            }
        }
    } else {
        None
    };

    // In the importer's name: what the file says others did is stated, per
    // file and row, not recorded as their act.
    let mut stated = None;
    let (logged_by, reentry, void) = match ctx.importer {
        Some(me) => {
            let per = format!("per {} row {line}", ctx.file);
            let named = |column: &str| match get(column) {
                "" => "nobody named".to_string(),
                name => name.to_string(),
            };
            if logged_by.is_some_and(|by| by != me) {
                stated = Some(format!(
                    "{per}: logged by {} at {}",
                    named("logged_by"),
                    crate::domain::dates::uk_date_time(logged_at)
                ));
            }
            let reentry = reentry.map(|r| match r.by {
                Some(by) if by != me || r.at != Some(ctx.now) => Reentry {
                    note: format!(
                        "{per}: {} by {} at {}{}",
                        r.status.label().to_lowercase(),
                        named("status_by"),
                        r.at.map(crate::domain::dates::uk_date_time)
                            .unwrap_or_default(),
                        if r.note.is_empty() {
                            String::new()
                        } else {
                            format!("; {}", r.note)
                        }
                    ),
                    by: Some(me),
                    at: Some(ctx.now),
                    ..r
                },
                _ => r,
            });
            let void = void.map(|v| Void {
                reason: format!(
                    "{per}: voided by {} at {}: {}",
                    named("voided_by"),
                    crate::domain::dates::uk_date_time(v.at),
                    v.reason
                ),
                by: me,
                at: ctx.now,
            });
            (logged_by.map(|_| me), reentry, void)
        }
        None => (logged_by, reentry, void),
    };
    let Some(logged_by) = logged_by else {
        if !errors.iter().any(|e| e.column == "logged_by") {
            errors.push(RowError {
                line,
                column: "logged_by".into(),
                message: "say who logged this item (fill logged_by, or import with --as NAME)"
                    .into(),
            });
        }
        return Err(errors);
    };
    match (input, reentry) {
        (Some(input), Some(reentry)) if errors.is_empty() => {
            let assignee = if row.contains_key("assignee") {
                assignee
            } else {
                input.default_assignee()
            };
            Ok(ImportedItem {
                input,
                logged_by,
                logged_at,
                assignee,
                reentry,
                void,
                stated,
            })
        }
        _ => Err(errors),
    }
}

/// Writes the rejected rows, with an `error` column, beside the input file.
/// Returns the path written.
pub fn write_rejects(
    input: &Path,
    header: &[String],
    rejected: &[RejectedRow],
) -> Result<std::path::PathBuf, ReportError> {
    let rows = rejected.iter().map(|r| {
        let reasons: Vec<String> = r.errors.iter().map(ToString::to_string).collect();
        (r.cells.as_slice(), reasons.join("; "))
    });
    write_rejected_rows(input, header, rows)
}

/// Said wherever rows left out are written beside a file: they are patient
/// details outside the log's protection (issue 31 #11).
pub const REJECTS_NOTE: &str = "The file holds patient details, readable by you only and not encrypted (even when the log is): delete it once the rows are put right.";

/// Writes rows a file gave that were not taken, each with its reasons in an
/// `error` column, to `<input>.rejected.csv` beside the input (an interchange
/// import, a capture from a report). Returns the path written.
pub fn write_rejected_rows<'a>(
    input: &Path,
    header: &[String],
    rows: impl Iterator<Item = (&'a [String], String)>,
) -> Result<std::path::PathBuf, ReportError> {
    // Named from the whole file name, so the .csv and the .xlsx of one report
    // never overwrite each other's rejects ("issues.xlsx.rejected.csv").
    let name = input
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("import");
    let path = input.with_file_name(format!("{name}.rejected.csv"));
    write_atomically(&path, |w| -> Result<(), ReportError> {
        w.write_all(UTF8_BOM)?;
        let mut out = csv::WriterBuilder::new()
            .flexible(true)
            .terminator(csv::Terminator::CRLF)
            .from_writer(w);
        let mut head = header.to_vec();
        head.push("error".into());
        out.write_record(&head)?;
        for (cells, reasons) in rows {
            let mut cells = cells.to_vec();
            cells.push(reasons);
            out.write_record(cells.iter().map(|c| escape_formula(c).into_owned()))?;
        }
        out.flush()?;
        Ok(())
    })?;
    Ok(path)
}
