//! A ZIP workbook (.xlsx, .xlsm, .xlsb, .ods) checked before calamine opens it, so
//! that no file, however made, can make the reader take more memory than the limits
//! allow (or ask for more than the machine has, which ends the program).
//!
//! Where calamine takes memory, and what is checked here first:
//! - The ZIP directory: every entry it could read (every central directory header in
//!   the file, wherever the ZIP reader's search for the directory would land) must
//!   declare at most [`MAX_PART_BYTES`] unpacked, and there may be at most
//!   [`MAX_PARTS`]. The ZIP reader stops an entry at its declared size, so a part that
//!   inflates past what it declares (a decompression bomb) goes no further.
//! - The markup: calamine's XML reader holds one piece of markup or one run of text
//!   at a time, and a cell's text whole; so every part it may read is unpacked here
//!   as a stream (a buffer of 64 KB, nothing kept) and each tag, comment, run of text
//!   and cell must be at most [`MAX_CELL_BYTES`].
//! - What calamine keeps whole while the workbook is open: the shared strings (at
//!   most [`MAX_SHARED_STRINGS`], and the count a file declares is checked too, as
//!   calamine reserves room for it), the style records, sheets, names and links
//!   between parts (at most [`MAX_KEPT_RECORDS`] together), and their text.
//! - An .ods is expanded whole, every sheet, at once: its rows and cells are walked
//!   here as calamine walks them (repeated rows and columns, the caps calamine
//!   applies, the used area it fills in) and the cells and text it would make are
//!   counted ([`MAX_WHOLE_SHEET_CELLS`], [`MAX_TEXT_BYTES`]). A `text:s` element
//!   repeats a space as many times as it says: counted in its cell.
//! - An .xlsb's records each get a buffer of the length they declare: at most
//!   [`MAX_CELL_BYTES`].
//! - An .ods table must end before its part does: calamine's reader of a table
//!   takes the end of the part as one more thing to pass over and never stops (found
//!   by the `report_ods` fuzz target: a `content.xml` cut short hung the reader).
//! - Cell references in the markup (a cell's or row's `r`, the `ref` of a sheet's
//!   dimension, a shared formula, a merged cell or a link) must be inside Excel's
//!   grid ([`GRID_ROWS`], [`GRID_COLUMNS`]), and a range must not end before it
//!   starts: calamine adds their letters and digits up in 32 bits, which overflows
//!   past some seven letters or ten digits, and subtracts a range's start from its
//!   end (a panic where overflow is checked, a cell at a wrong place or a wrong size
//!   where it is not; both found by the `report_xlsx` fuzz target).
//!
//! The check returns the bytes of text calamine holds before the first cell is read,
//! which the collector counts against [`MAX_TEXT_BYTES`] with the cells' own.

use std::io::Read;

use flate2::read::DeflateDecoder;

use super::{
    GRID_COLUMNS, GRID_ROWS, MAX_CELL_BYTES, MAX_KEPT_RECORDS, MAX_MANIFEST_BYTES, MAX_PART_BYTES,
    MAX_PARTS, MAX_SHARED_STRINGS, MAX_TEXT_BYTES, MAX_WHOLE_SHEET_CELLS, ReportFileProblem,
    WorkbookLimit,
};

const ODS: &str = "OpenDocument spreadsheet (.ods)";
const XLSB: &str = "Excel binary workbook (.xlsb)";

/// calamine's own caps on an .ods sheet (`ods.rs`: `MAX_ROWS`, `MAX_COLUMNS`).
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLUMNS: u64 = 16_384;

/// Checks the workbook; `format` names it in a problem when its content does not
/// say otherwise. Returns the bytes of text calamine will hold before reading cells.
pub(super) fn check(bytes: &[u8], format: &'static str) -> Result<usize, ReportFileProblem> {
    let entries = central_entries(bytes);
    let names = || entries.iter().map(|e| e.name_lower.as_str());
    let format = if names().any(|n| n == "content.xml") && names().any(|n| n == "mimetype") {
        ODS
    } else if names().any(|n| n.ends_with("workbook.bin")) {
        XLSB
    } else {
        format
    };
    let limit = |limit| ReportFileProblem::WorkbookLimit { format, limit };
    if entries.len() > MAX_PARTS {
        return Err(limit(WorkbookLimit::Parts));
    }
    if entries.iter().any(|e| e.size > MAX_PART_BYTES) {
        return Err(limit(WorkbookLimit::PartSize));
    }
    // calamine holds an .ods file's manifest whole while it looks for encryption.
    if entries
        .iter()
        .any(|e| e.name_lower == "meta-inf/manifest.xml" && e.size > MAX_MANIFEST_BYTES)
    {
        return Err(limit(WorkbookLimit::Manifest));
    }
    let offsets = archive_offsets(bytes);
    let mut totals = Totals::default();
    // The links between parts first: they say which parts calamine reads as XML,
    // whatever their names.
    for e in entries.iter().filter(|e| e.name_lower.ends_with(".rels")) {
        scan_entry(bytes, e, &offsets, ReadAs::Xml, &mut totals).map_err(limit)?;
    }
    for e in entries.iter().filter(|e| !e.name_lower.ends_with(".rels")) {
        let base = base_name(&e.name_lower);
        let how = if e.name_lower.ends_with(".bin") && !is_other_binary(&e.name_lower) {
            ReadAs::Records
        } else if e.name_lower.ends_with(".xml") || totals.read_targets.iter().any(|t| t == base) {
            ReadAs::Xml
        } else {
            ReadAs::XmlIfItLooksLikeIt
        };
        scan_entry(bytes, e, &offsets, how, &mut totals).map_err(limit)?;
    }
    let held = totals
        .shared_text
        .saturating_add(totals.kept_bytes)
        .saturating_add(totals.whole_text);
    if held > MAX_TEXT_BYTES {
        return Err(limit(WorkbookLimit::Text));
    }
    Ok(held)
}

/// What was found in every part, added up.
#[derive(Default)]
struct Totals {
    shared_strings: usize,
    /// Text inside the shared strings (markup excluded, escapes counted as written).
    shared_text: usize,
    /// Style records, sheets, names and links (see [`KEPT`]).
    kept: usize,
    /// Their markup and text.
    kept_bytes: usize,
    /// An .ods: the cells calamine makes reading rows (before the used area is filled
    /// in), in the used areas, and in the formula areas; and their text.
    whole_read: usize,
    whole_area: usize,
    whole_formula_area: usize,
    whole_text: usize,
    /// File names (lowercase, no folders) of the parts links say calamine reads.
    read_targets: Vec<String>,
}

impl Totals {
    fn check(&self) -> Result<(), WorkbookLimit> {
        if self.shared_strings > MAX_SHARED_STRINGS {
            return Err(WorkbookLimit::SharedStrings);
        }
        if self.kept > MAX_KEPT_RECORDS {
            return Err(WorkbookLimit::Records);
        }
        if self
            .whole_read
            .max(self.whole_area)
            .max(self.whole_formula_area)
            > MAX_WHOLE_SHEET_CELLS
        {
            return Err(WorkbookLimit::ExpandedCells);
        }
        let text = self
            .shared_text
            .saturating_add(self.kept_bytes)
            .saturating_add(self.whole_text);
        if text > MAX_TEXT_BYTES {
            return Err(WorkbookLimit::Text);
        }
        Ok(())
    }
}

/// Local names of the elements calamine keeps one of each of while the workbook is
/// open: styles (`styles.xml`), sheets and defined names (`workbook.xml`), links
/// between parts (`*.rels`), and a font's name.
const KEPT: [&str; 9] = [
    "xf",
    "font",
    "fill",
    "border",
    "numFmt",
    "dxf",
    "Relationship",
    "sheet",
    "definedName",
];

/// Binary parts calamine never reads as records: printer settings, macros, pictures
/// and embedded files.
fn is_other_binary(name: &str) -> bool {
    [
        "printersettings",
        "vbaproject",
        "media/",
        "embeddings/",
        "activex",
    ]
    .iter()
    .any(|n| name.contains(n))
}

fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

// ---- The ZIP directory ----

/// One central directory header, as the ZIP reader would take it.
struct Entry {
    name_lower: String,
    method: u16,
    flags: u16,
    compressed: u64,
    /// The declared unpacked size: the ZIP reader reads no more than this.
    size: u64,
    /// Of the local header, before any archive offset.
    offset: u64,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// Every position of `magic` in `bytes`.
fn positions<'a>(bytes: &'a [u8], magic: &'a [u8; 4]) -> impl Iterator<Item = usize> + 'a {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(i) = bytes
            .get(from..)?
            .iter()
            .position(|b| *b == magic[0])
            .map(|i| i + from)
        {
            from = i + 1;
            if bytes.get(i..i + 4) == Some(&magic[..]) {
                return Some(i);
            }
        }
        from = bytes.len();
        None
    })
}

/// Every central directory header in the file: the ZIP reader's directory, wherever
/// its search for it lands, is made of some of these.
fn central_entries(bytes: &[u8]) -> Vec<Entry> {
    positions(bytes, b"PK\x01\x02")
        .filter_map(|at| central_entry(bytes, at))
        .collect()
}

fn central_entry(b: &[u8], at: usize) -> Option<Entry> {
    let flags = u16_at(b, at + 8)?;
    let method = u16_at(b, at + 10)?;
    let compressed32 = u32_at(b, at + 20)?;
    let size32 = u32_at(b, at + 24)?;
    let name_len = usize::from(u16_at(b, at + 28)?);
    let extra_len = usize::from(u16_at(b, at + 30)?);
    let offset32 = u32_at(b, at + 42)?;
    let name = b.get(at + 46..at + 46 + name_len)?;
    let extra = b
        .get(at + 46 + name_len..at + 46 + name_len + extra_len)
        .unwrap_or_default();
    let (mut size, mut compressed, mut offset) = (
        u64::from(size32),
        u64::from(compressed32),
        u64::from(offset32),
    );
    // ZIP64: the fields that are all ones are in the extra field 0x0001, in order.
    let mut i = 0;
    while let (Some(id), Some(len)) = (u16_at(extra, i), u16_at(extra, i + 2)) {
        let data = extra
            .get(i + 4..i + 4 + usize::from(len))
            .unwrap_or_default();
        if id == 1 {
            let mut j = 0;
            let mut next = |field: &mut u64, wide: bool| {
                if wide {
                    // A value the field does not give stays all ones: over any limit.
                    *field = u64_at(data, j).unwrap_or(u64::MAX);
                    j += 8;
                }
            };
            next(&mut size, size32 == u32::MAX);
            next(&mut compressed, compressed32 == u32::MAX);
            next(&mut offset, offset32 == u32::MAX);
        }
        i += 4 + usize::from(len);
    }
    Some(Entry {
        name_lower: String::from_utf8_lossy(name).to_lowercase(),
        method,
        flags,
        compressed,
        size,
        offset,
    })
}

/// The archive offsets the ZIP reader could settle on (it allows for bytes before
/// the archive by comparing where the directory is with where the end record says it
/// is): 0, and for every end record, the first directory header at or after the
/// offset it gives, and the one its size puts just before it.
fn archive_offsets(bytes: &[u8]) -> Vec<u64> {
    let headers: Vec<usize> = positions(bytes, b"PK\x01\x02").collect();
    let mut offsets = vec![0u64];
    let mut add = |cd_at: usize, claimed: u64| {
        if let Some(a) = (cd_at as u64).checked_sub(claimed)
            && !offsets.contains(&a)
        {
            offsets.push(a);
        }
    };
    for end in positions(bytes, b"PK\x05\x06") {
        let (Some(size), Some(claimed)) = (u32_at(bytes, end + 12), u32_at(bytes, end + 16)) else {
            continue;
        };
        let claimed = u64::from(claimed);
        if let Some(start) = end.checked_sub(size as usize) {
            add(start, claimed);
        }
        if let Some(first) = headers.iter().find(|h| **h as u64 >= claimed) {
            add(*first, claimed);
        }
    }
    for end64 in positions(bytes, b"PK\x06\x06") {
        let (Some(size), Some(claimed)) = (u64_at(bytes, end64 + 40), u64_at(bytes, end64 + 48))
        else {
            continue;
        };
        if let Some(start) = (end64 as u64).checked_sub(size) {
            add(start as usize, claimed);
        }
        if let Some(first) = headers.iter().find(|h| **h as u64 >= claimed) {
            add(*first, claimed);
        }
    }
    for locator in positions(bytes, b"PK\x06\x07") {
        let Some(claimed) = u64_at(bytes, locator + 8) else {
            continue;
        };
        for end64 in positions(bytes, b"PK\x06\x06") {
            add(end64, claimed);
        }
    }
    offsets
}

/// The stored bytes of `e` if its local header is at `offset + archive_offset`.
fn entry_data<'a>(bytes: &'a [u8], e: &Entry, archive_offset: u64) -> Option<&'a [u8]> {
    let at = usize::try_from(e.offset.checked_add(archive_offset)?).ok()?;
    if bytes.get(at..at + 4)? != b"PK\x03\x04" {
        return None;
    }
    let name_len = usize::from(u16_at(bytes, at + 26)?);
    let extra_len = usize::from(u16_at(bytes, at + 28)?);
    let start = at + 30 + name_len + extra_len;
    let end = start.saturating_add(usize::try_from(e.compressed).unwrap_or(usize::MAX));
    bytes.get(start..end.min(bytes.len()))
}

// ---- Reading the parts ----

#[derive(Clone, Copy, PartialEq, Eq)]
enum ReadAs {
    Xml,
    /// A part with another name: read as XML if it starts like XML (a picture
    /// never does, and calamine reads no part it is not linked to or named for).
    XmlIfItLooksLikeIt,
    /// An .xlsb part: records.
    Records,
}

/// Unpacks `e` (wherever the ZIP reader may find it) as a stream and checks it.
fn scan_entry(
    bytes: &[u8],
    e: &Entry,
    offsets: &[u64],
    how: ReadAs,
    totals: &mut Totals,
) -> Result<(), WorkbookLimit> {
    // Encrypted, or compressed in a way the ZIP reader here cannot unpack: calamine
    // cannot read it either.
    if e.flags & 1 != 0 || !matches!(e.method, 0 | 8) {
        return Ok(());
    }
    for data in offsets.iter().filter_map(|a| entry_data(bytes, e, *a)) {
        let mut sink: Box<dyn Sink + '_> = match how {
            ReadAs::Records => Box::new(Records::new(totals)),
            ReadAs::Xml => Box::new(XmlScan::new(totals, true)),
            ReadAs::XmlIfItLooksLikeIt => Box::new(XmlScan::new(totals, false)),
        };
        unpack(data, e.method, e.size, sink.as_mut())?;
        sink.finish()?;
    }
    Ok(())
}

/// What a part's bytes are fed to, a piece at a time.
trait Sink {
    /// `Ok(false)`: nothing more is wanted from this part.
    fn feed(&mut self, chunk: &[u8]) -> Result<bool, WorkbookLimit>;
    fn finish(&mut self) -> Result<(), WorkbookLimit>;
}

/// Feeds the unpacked bytes of a part to `sink`, at most `size` of them (the ZIP
/// reader reads no more than an entry declares). Damaged data just ends the part:
/// calamine will find it damaged too.
fn unpack(data: &[u8], method: u16, size: u64, sink: &mut dyn Sink) -> Result<(), WorkbookLimit> {
    let mut left = usize::try_from(size).unwrap_or(usize::MAX);
    if method == 0 {
        let data = data.get(..left.min(data.len())).unwrap_or_default();
        for chunk in data.chunks(64 * 1024) {
            if !sink.feed(chunk)? {
                break;
            }
        }
        return Ok(());
    }
    let mut inflate = DeflateDecoder::new(data);
    let mut buf = vec![0u8; 64 * 1024];
    while left > 0 {
        let want = buf.len().min(left);
        let n = match inflate.read(buf.get_mut(..want).unwrap_or_default()) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        left -= n;
        if !sink.feed(buf.get(..n).unwrap_or_default())? {
            break;
        }
    }
    Ok(())
}

// ---- XML ----

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text,
    /// After `<`, until the kind of markup is known or the tag ends.
    Tag,
    Comment,
    CData,
    Instruction,
    Declaration,
}

/// Which element's content is being measured.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Inside {
    /// An .xlsx cell (`c`): its value, formula or inline string.
    Cell,
    /// A shared string (`si`).
    SharedString,
    /// A defined name's formula.
    Name,
    /// An .ods cell.
    OdsCell,
}

/// A streaming look at XML, keeping only the tag being read (at most
/// [`MAX_CELL_BYTES`] of it).
struct XmlScan<'t> {
    totals: &'t mut Totals,
    /// Whether the part is read as XML whatever it starts with.
    always: bool,
    started: bool,
    mode: Mode,
    /// Bytes of the current run: text, tag, comment…
    run: usize,
    tag: Vec<u8>,
    quote: u8,
    /// `[` depth in a declaration (a DOCTYPE's internal subset).
    depth: u32,
    last: [u8; 2],
    inside: Option<Inside>,
    /// Bytes of the element being measured, and what it expands to (`text:s`…).
    inside_bytes: usize,
    ods: OdsWalk,
    /// .ods tables begun and not ended (outside cells, as calamine reads them).
    tables_open: usize,
}

impl<'t> XmlScan<'t> {
    fn new(totals: &'t mut Totals, always: bool) -> Self {
        Self {
            totals,
            always,
            started: false,
            mode: Mode::Text,
            run: 0,
            tag: Vec::new(),
            quote: 0,
            depth: 0,
            last: [0; 2],
            inside: None,
            inside_bytes: 0,
            ods: OdsWalk::default(),
            tables_open: 0,
        }
    }

    fn byte(&mut self, b: u8) -> Result<(), WorkbookLimit> {
        self.run += 1;
        if self.run > MAX_CELL_BYTES {
            return Err(WorkbookLimit::CellSize);
        }
        if self.inside.is_some() {
            self.inside_bytes += 1;
            if self.inside_bytes > MAX_CELL_BYTES {
                return Err(WorkbookLimit::CellSize);
            }
        }
        let ends = |last: [u8; 2], a: u8, c: u8| last == [a, c];
        match self.mode {
            Mode::Text => {
                if b == b'<' {
                    self.text_ended(self.run - 1);
                    self.mode = Mode::Tag;
                    self.tag.clear();
                    self.quote = 0;
                    self.run = 1;
                }
            }
            Mode::Tag => {
                if self.quote != 0 {
                    if b == self.quote {
                        self.quote = 0;
                    }
                    self.tag.push(b);
                } else if b == b'>' && !self.tag.starts_with(b"!") {
                    self.tag_ended()?;
                    self.mode = Mode::Text;
                    self.run = 0;
                } else {
                    if (b == b'"' || b == b'\'') && !self.tag.starts_with(b"!") {
                        self.quote = b;
                    }
                    self.tag.push(b);
                    match self.tag.as_slice() {
                        b"!--" => self.mode = Mode::Comment,
                        b"![CDATA[" => self.mode = Mode::CData,
                        [b'?', ..] => self.mode = Mode::Instruction,
                        t if t.starts_with(b"!")
                            && !b"!--".starts_with(t)
                            && !b"![CDATA[".starts_with(t) =>
                        {
                            self.mode = Mode::Declaration;
                            self.depth = u32::from(b == b'[');
                        }
                        _ => {}
                    }
                    if self.mode != Mode::Tag {
                        self.last = [0; 2];
                    }
                }
            }
            Mode::Comment if b == b'>' && ends(self.last, b'-', b'-') => self.markup_ended(),
            Mode::CData if b == b'>' && ends(self.last, b']', b']') => self.markup_ended(),
            Mode::Instruction if b == b'>' && self.last[1] == b'?' => self.markup_ended(),
            Mode::Declaration => match b {
                _ if self.quote != 0 && b == self.quote => self.quote = 0,
                _ if self.quote != 0 => {}
                b'"' | b'\'' => self.quote = b,
                b'[' => self.depth += 1,
                b']' => self.depth = self.depth.saturating_sub(1),
                b'>' if self.depth == 0 => self.markup_ended(),
                _ => {}
            },
            Mode::Comment | Mode::CData | Mode::Instruction => {}
        }
        self.last = [self.last[1], b];
        Ok(())
    }

    fn markup_ended(&mut self) {
        self.mode = Mode::Text;
        self.run = 0;
        self.quote = 0;
    }

    fn text_ended(&mut self, len: usize) {
        match self.inside {
            Some(Inside::SharedString) => {
                self.totals.shared_text = self.totals.shared_text.saturating_add(len);
            }
            Some(Inside::Name) => {
                self.totals.kept_bytes = self.totals.kept_bytes.saturating_add(len);
            }
            Some(Inside::OdsCell) => {
                self.ods.cell_text = self.ods.cell_text.saturating_add(len as u64)
            }
            _ => {}
        }
    }

    fn tag_ended(&mut self) -> Result<(), WorkbookLimit> {
        let tag = std::mem::take(&mut self.tag);
        let mut body = tag.trim_ascii_end();
        if let Some(name) = body.strip_prefix(b"/") {
            self.end(name.trim_ascii())?;
        } else {
            let closed = body.ends_with(b"/");
            if closed {
                body = body.get(..body.len() - 1).unwrap_or_default();
            }
            let name_len = body
                .iter()
                .position(|b| b.is_ascii_whitespace())
                .unwrap_or(body.len());
            let (name, attrs) = body.split_at(name_len);
            self.start(name, attrs, tag.len())?;
            if closed {
                self.end(name)?;
            }
        }
        self.tag = tag;
        self.totals.check()
    }

    fn start(&mut self, name: &[u8], attrs: &[u8], len: usize) -> Result<(), WorkbookLimit> {
        let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        let in_ods_cell = self.inside == Some(Inside::OdsCell);
        match name {
            // Inside an .ods cell calamine reads only its text: a table there is text.
            b"table:table"
            | b"table:table-row"
            | b"table:table-cell"
            | b"table:covered-table-cell"
                if in_ods_cell => {}
            b"table:table" => {
                self.tables_open += 1;
                self.ods.table_started();
            }
            // calamine reads rows, and cells in them, only inside a table.
            b"table:table-row" if self.tables_open > 0 => self.ods.row_started(attrs),
            b"table:table-cell" | b"table:covered-table-cell" if self.ods.in_row => {
                self.ods.cell_started(attrs);
                self.measure(Inside::OdsCell, len);
            }
            b"text:s" if in_ods_cell => {
                let spaces = number(attr(attrs, b"text:c")).unwrap_or(1);
                self.expand(spaces)?;
            }
            b"text:p" | b"text:tab" | b"text:line-break" if in_ods_cell => {
                self.expand(1)?;
            }
            _ => {}
        }
        let reference = match local {
            b"c" | b"row" => attr(attrs, b"r"),
            b"dimension" | b"f" | b"mergeCell" | b"hyperlink" => attr(attrs, b"ref"),
            _ => None,
        };
        if reference.is_some_and(|r| !inside_grid(r)) {
            return Err(WorkbookLimit::CellReference);
        }
        match local {
            b"c" => self.measure(Inside::Cell, len),
            b"si" => {
                self.totals.shared_strings += 1;
                self.measure(Inside::SharedString, 0);
            }
            // calamine reserves room for the count the file declares.
            b"sst"
                if number(attr(attrs, b"uniqueCount"))
                    .is_some_and(|n| n > MAX_SHARED_STRINGS as u64) =>
            {
                return Err(WorkbookLimit::SharedStrings);
            }
            b"name" => self.totals.kept_bytes = self.totals.kept_bytes.saturating_add(len),
            _ => {}
        }
        if KEPT.iter().any(|k| k.as_bytes() == local) {
            self.totals.kept += 1;
            self.totals.kept_bytes = self.totals.kept_bytes.saturating_add(len);
            if local == b"definedName" {
                self.measure(Inside::Name, 0);
            }
            if local == b"Relationship" {
                self.linked(attrs);
            }
        }
        Ok(())
    }

    fn end(&mut self, name: &[u8]) -> Result<(), WorkbookLimit> {
        let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        match (name, self.inside) {
            (b"table:table-cell" | b"table:covered-table-cell", Some(Inside::OdsCell)) => {
                self.inside = None;
                self.ods.cell_ended(self.totals)?;
            }
            (_, Some(Inside::OdsCell)) => {}
            (b"table:table-row", _) => self.ods.row_ended(self.totals)?,
            (b"table:table", _) => {
                self.tables_open = self.tables_open.saturating_sub(1);
                self.ods.table_ended(self.totals);
            }
            _ => {}
        }
        match (local, self.inside) {
            (b"c", Some(Inside::Cell))
            | (b"si", Some(Inside::SharedString))
            | (b"definedName", Some(Inside::Name)) => self.inside = None,
            _ => {}
        }
        Ok(())
    }

    /// Starts measuring an element's content (`len`: its start tag, counted in it).
    fn measure(&mut self, what: Inside, len: usize) {
        self.inside = Some(what);
        self.inside_bytes = len;
    }

    /// Characters an element inside a cell adds to its text (`text:s`: spaces).
    fn expand(&mut self, n: u64) -> Result<(), WorkbookLimit> {
        self.ods.cell_text = self.ods.cell_text.saturating_add(n);
        self.inside_bytes = self
            .inside_bytes
            .saturating_add(usize::try_from(n).unwrap_or(usize::MAX));
        if self.inside_bytes > MAX_CELL_BYTES {
            return Err(WorkbookLimit::CellSize);
        }
        Ok(())
    }

    /// A link calamine follows: its target is read as XML (or as records), whatever
    /// its name says.
    fn linked(&mut self, attrs: &[u8]) {
        let kind = attr(attrs, b"Type").unwrap_or_default();
        let followed = [
            &b"/officeDocument"[..],
            b"/worksheet",
            b"/sharedStrings",
            b"/styles",
            b"/theme",
        ]
        .iter()
        .any(|t| kind.ends_with(t));
        if followed && let Some(target) = attr(attrs, b"Target") {
            let target = String::from_utf8_lossy(target).to_lowercase();
            let base = base_name(&target).to_string();
            if !self.totals.read_targets.contains(&base) {
                self.totals.read_targets.push(base);
            }
        }
    }
}

impl Sink for XmlScan<'_> {
    fn feed(&mut self, chunk: &[u8]) -> Result<bool, WorkbookLimit> {
        let mut chunk = chunk;
        if !self.started {
            // A part that does not start like XML (a picture) is not read as XML.
            let body = chunk.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(chunk);
            let Some(first) = body.iter().find(|b| !b.is_ascii_whitespace()) else {
                return Ok(true);
            };
            if *first != b'<' && !self.always {
                return Ok(false);
            }
            self.started = true;
            chunk = body;
        }
        for b in chunk {
            self.byte(*b)?;
        }
        Ok(true)
    }

    fn finish(&mut self) -> Result<(), WorkbookLimit> {
        // calamine reads an .ods table until its end tag, taking the end of the
        // part as one more thing to pass over: for ever.
        if self.tables_open > 0 {
            return Err(WorkbookLimit::UnendedTable);
        }
        self.totals.check()
    }
}

/// Whether a cell reference or range as calamine reads one (`B7`, `A1:XFD1048576`, a
/// row's `7`; letters, then digits, in each part between colons) stays inside Excel's
/// grid, and a range of two parts does not end above or left of where it starts
/// (calamine subtracts its start from its end, also in 32 bits). What follows the
/// first byte that does not fit a part is not looked at: calamine stops there with
/// an error of its own, having added up only what came before.
fn inside_grid(reference: &[u8]) -> bool {
    let parts: Vec<(u64, u64)> = reference
        .split(|b| *b == b':')
        .map(|part| {
            let letters = part.iter().take_while(|b| b.is_ascii_alphabetic());
            let column = letters.fold(0u64, |n, b| {
                let digit = u64::from(b.to_ascii_uppercase() - b'A') + 1;
                n.saturating_mul(26).saturating_add(digit)
            });
            let after = part.iter().skip_while(|b| b.is_ascii_alphabetic());
            let row = after.take_while(|b| b.is_ascii_digit()).fold(0u64, |n, b| {
                n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
            });
            (row, column)
        })
        .collect();
    let in_grid = parts
        .iter()
        .all(|(row, column)| *column <= GRID_COLUMNS && *row <= GRID_ROWS);
    let in_order = match parts.as_slice() {
        [(row0, column0), (row1, column1)] => row1 >= row0 && column1 >= column0,
        _ => true,
    };
    in_grid && in_order
}

/// The value of attribute `key` in a tag's attributes, as written.
fn attr<'a>(attrs: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_ascii_start();
        let eq = rest.iter().position(|b| *b == b'=')?;
        let name = rest.get(..eq)?.trim_ascii();
        rest = rest.get(eq + 1..)?.trim_ascii_start();
        let quote = *rest.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let end = rest.get(1..)?.iter().position(|b| *b == quote)?;
        let value = rest.get(1..1 + end)?;
        if name == key {
            return Some(value);
        }
        rest = rest.get(end + 2..)?;
    }
}

/// A whole number as calamine reads one; `None` if it is not one (calamine then
/// stops with an error of its own, so no count comes of it).
fn number(text: Option<&[u8]>) -> Option<u64> {
    let text = text?.trim_ascii();
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

// ---- An .ods sheet, as calamine expands it ----

/// calamine's `read_table`, `read_row` and `get_range` (`ods.rs`), counted instead
/// of made: each row's cells are pushed as they come (a cell repeated across
/// columns once per column, empty cells only when a filled one follows, at most
/// 16,384 a row), each row is repeated as it says (at most 1,048,576 rows a sheet),
/// and then the used area (from the first to the last filled row and column) is
/// filled in, every cell of every repeat, for the values and again for the formulas.
#[derive(Default)]
struct OdsWalk {
    in_row: bool,
    row_repeats: u64,
    /// This sheet's rows so far, repeats included (calamine's `total_rows`).
    rows: u64,
    /// Within the row: cells pushed, empty cells waiting, the text pushed.
    pushed: u64,
    pending_empty: u64,
    row_text: u64,
    /// The cell being read: its repeats, whether it has a value or a formula, and
    /// the text each copy of it holds (its value's attribute or its paragraphs, with
    /// the spaces `text:s` adds, and its formula).
    cell_repeats: u64,
    cell_filled: bool,
    cell_formula: bool,
    cell_text: u64,
    /// Filled columns of this row, and of this row's formulas: (first, last).
    values: Option<(u64, u64)>,
    formulas: Option<(u64, u64)>,
    sheet_values: Area,
    sheet_formulas: Area,
    /// This sheet's cells pushed (empty ones too, before the used area is filled in),
    /// and the text of its finished rows.
    sheet_read: u64,
    sheet_text: u64,
}

/// A used area: rows (counting repeats) from the first to the last filled one, and
/// the columns filled in any of them.
#[derive(Default, Clone, Copy)]
struct Area {
    /// Rows before the first filled row, and up to the end of the last one.
    rows_before: Option<u64>,
    rows_to_last: u64,
    first_col: u64,
    last_col: u64,
}

impl Area {
    fn add(&mut self, rows_before: u64, repeats: u64, (first, last): (u64, u64)) {
        match self.rows_before {
            None => {
                self.rows_before = Some(rows_before);
                self.first_col = first;
                self.last_col = last;
            }
            Some(_) => {
                self.first_col = self.first_col.min(first);
                self.last_col = self.last_col.max(last);
            }
        }
        self.rows_to_last = rows_before + repeats;
    }

    fn cells(&self) -> u64 {
        match self.rows_before {
            None => 0,
            Some(before) => {
                (self.rows_to_last - before).saturating_mul(self.last_col + 1 - self.first_col)
            }
        }
    }
}

impl OdsWalk {
    fn table_started(&mut self) {
        *self = Self::default();
    }

    fn row_started(&mut self, attrs: &[u8]) {
        self.in_row = true;
        self.row_repeats = number(attr(attrs, b"table:number-rows-repeated")).unwrap_or(1);
        self.pushed = 0;
        self.pending_empty = 0;
        self.row_text = 0;
        self.values = None;
        self.formulas = None;
    }

    fn cell_started(&mut self, attrs: &[u8]) {
        self.cell_repeats = number(attr(attrs, b"table:number-columns-repeated")).unwrap_or(1);
        self.cell_filled = [
            &b"office:value"[..],
            b"office:string-value",
            b"office:date-value",
            b"office:time-value",
            b"office:boolean-value",
        ]
        .iter()
        .any(|k| attr(attrs, k).is_some())
            || attr(attrs, b"office:value-type") == Some(b"string");
        let formula = attr(attrs, b"table:formula").unwrap_or_default();
        self.cell_formula = !formula.is_empty();
        self.cell_text = [
            &b"office:string-value"[..],
            b"office:date-value",
            b"office:time-value",
        ]
        .iter()
        .filter_map(|k| attr(attrs, k))
        .map(|v| v.len() as u64)
        .sum::<u64>()
            + formula.len() as u64;
    }

    fn cell_ended(&mut self, totals: &Totals) -> Result<(), WorkbookLimit> {
        let room = |pushed: u64| ODS_MAX_COLUMNS.saturating_sub(pushed);
        // The empty cells before this one are pushed now, whatever this one is.
        let empties = self.pending_empty.min(room(self.pushed));
        self.pushed += empties;
        self.sheet_read += empties;
        self.pending_empty = 0;
        let repeats = self.cell_repeats.min(room(self.pushed));
        if !self.cell_filled && !self.cell_formula {
            self.pending_empty = repeats;
            return Ok(());
        }
        if repeats > 0 {
            let span = (self.pushed, self.pushed + repeats - 1);
            let widen = |area: Option<(u64, u64)>| match area {
                None => Some(span),
                Some((first, _)) => Some((first, span.1)),
            };
            if self.cell_filled {
                self.values = widen(self.values);
            }
            if self.cell_formula {
                self.formulas = widen(self.formulas);
            }
        }
        self.pushed += repeats;
        self.sheet_read += repeats;
        // The text, and the formula, are cloned into every repeat.
        self.row_text = self
            .row_text
            .saturating_add(self.cell_text.saturating_mul(repeats));
        self.check(totals)
    }

    fn row_ended(&mut self, totals: &Totals) -> Result<(), WorkbookLimit> {
        if !self.in_row {
            return Ok(());
        }
        self.in_row = false;
        let repeats = self.row_repeats.min(ODS_MAX_ROWS.saturating_sub(self.rows));
        if let Some(span) = self.values {
            self.sheet_values.add(self.rows, repeats, span);
        }
        if let Some(span) = self.formulas {
            self.sheet_formulas.add(self.rows, repeats, span);
        }
        self.rows += repeats;
        // Pushed once, then copied into every repeat when the used area is filled in.
        let text = self.row_text.saturating_mul(repeats.saturating_add(1));
        self.sheet_text = self.sheet_text.saturating_add(text);
        self.row_text = 0;
        self.check(totals)
    }

    /// This sheet so far with the sheets before it, against the limits.
    fn check(&self, totals: &Totals) -> Result<(), WorkbookLimit> {
        let as_usize = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        let read = totals.whole_read.saturating_add(as_usize(self.sheet_read));
        let area = totals
            .whole_area
            .saturating_add(as_usize(self.sheet_values.cells()));
        let formula_area = totals
            .whole_formula_area
            .saturating_add(as_usize(self.sheet_formulas.cells()));
        if read.max(area).max(formula_area) > MAX_WHOLE_SHEET_CELLS {
            return Err(WorkbookLimit::ExpandedCells);
        }
        let text = totals
            .whole_text
            .saturating_add(as_usize(self.sheet_text))
            .saturating_add(as_usize(self.row_text))
            .saturating_add(totals.shared_text)
            .saturating_add(totals.kept_bytes);
        if text > MAX_TEXT_BYTES {
            return Err(WorkbookLimit::Text);
        }
        Ok(())
    }

    fn table_ended(&mut self, totals: &mut Totals) {
        let as_usize = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        totals.whole_read = totals.whole_read.saturating_add(as_usize(self.sheet_read));
        totals.whole_area = totals
            .whole_area
            .saturating_add(as_usize(self.sheet_values.cells()));
        totals.whole_formula_area = totals
            .whole_formula_area
            .saturating_add(as_usize(self.sheet_formulas.cells()));
        totals.whole_text = totals.whole_text.saturating_add(as_usize(self.sheet_text));
        *self = Self::default();
    }
}

// ---- .xlsb records ----

/// An .xlsb part's records (MS-XLSB 2.1.4): a type of one or two bytes, a length of
/// one to four, that many bytes. calamine makes a buffer of the length first.
struct Records<'t> {
    totals: &'t mut Totals,
    state: RecordState,
}

enum RecordState {
    Type {
        first: Option<u8>,
    },
    Len {
        typ: u16,
        len: u64,
        shift: u32,
        bytes: u8,
    },
    Body {
        left: u64,
    },
}

impl<'t> Records<'t> {
    fn new(totals: &'t mut Totals) -> Self {
        Self {
            totals,
            state: RecordState::Type { first: None },
        }
    }

    /// A record's header read: its type and length.
    fn record(&mut self, typ: u16, len: u64) -> Result<(), WorkbookLimit> {
        if len > MAX_CELL_BYTES as u64 {
            return Err(WorkbookLimit::CellSize);
        }
        let len_usize = usize::try_from(len).unwrap_or(usize::MAX);
        match typ {
            // BrtSSTItem
            0x0013 => {
                self.totals.shared_strings += 1;
                self.totals.shared_text = self.totals.shared_text.saturating_add(len_usize);
            }
            // BrtFont, BrtFmt, BrtFill, BrtBorder, BrtXF, BrtName, BrtBundleSh
            0x002B | 0x002C | 0x002D | 0x002E | 0x002F | 0x0027 | 0x009C => {
                self.totals.kept += 1;
                self.totals.kept_bytes = self.totals.kept_bytes.saturating_add(len_usize);
            }
            _ => {}
        }
        self.totals.check()
    }
}

impl Sink for Records<'_> {
    fn feed(&mut self, chunk: &[u8]) -> Result<bool, WorkbookLimit> {
        let mut i = 0;
        while i < chunk.len() {
            match &mut self.state {
                RecordState::Body { left } => {
                    let skip = usize::try_from(*left)
                        .unwrap_or(usize::MAX)
                        .min(chunk.len() - i);
                    i += skip;
                    *left -= skip as u64;
                    if *left == 0 {
                        self.state = RecordState::Type { first: None };
                    }
                }
                RecordState::Type { first } => {
                    let b = chunk.get(i).copied().unwrap_or(0);
                    i += 1;
                    let typ = match *first {
                        None if b & 0x80 != 0 => {
                            *first = Some(b);
                            continue;
                        }
                        None => u16::from(b),
                        Some(f) => u16::from(f & 0x7F) + (u16::from(b & 0x7F) << 7),
                    };
                    self.state = RecordState::Len {
                        typ,
                        len: 0,
                        shift: 0,
                        bytes: 0,
                    };
                }
                RecordState::Len {
                    typ,
                    len,
                    shift,
                    bytes,
                } => {
                    let b = chunk.get(i).copied().unwrap_or(0);
                    i += 1;
                    *len += u64::from(b & 0x7F) << *shift;
                    *shift += 7;
                    *bytes += 1;
                    if b & 0x80 == 0 || *bytes == 4 {
                        let (typ, len) = (*typ, *len);
                        self.record(typ, len)?;
                        self.state = if len == 0 {
                            RecordState::Type { first: None }
                        } else {
                            RecordState::Body { left: len }
                        };
                    }
                }
            }
        }
        Ok(true)
    }

    fn finish(&mut self) -> Result<(), WorkbookLimit> {
        self.totals.check()
    }
}
