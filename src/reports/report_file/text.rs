//! Delimited text: the encoding, the delimiter, and the rows with their line numbers.
//!
//! - Encoding: a UTF-8 BOM means UTF-8; a UTF-16 BOM (or text whose every other byte
//!   is zero) UTF-16; otherwise decided by the bytes: valid UTF-8 is UTF-8; bytes of
//!   128 and over that never form a UTF-8 character are Windows-1252 (what Excel's
//!   plain "CSV" and older exports write in England), so "Siân", "Zoë" and "£" come
//!   out right either way; UTF-8 characters with some bytes that are not (a UTF-8
//!   file with a stray byte pasted in) are refused, naming the first such line,
//!   rather than every accented letter in the file being read wrong.
//! - Size: the decoded text is measured before it is made ([`MAX_TEXT_BYTES`]); a cell
//!   over [`MAX_CELL_BYTES`] is refused before it is copied; [`MAX_CELLS`] and
//!   [`MAX_ROWS`] bound the rows kept.
//! - Delimiter: comma, tab, semicolon or pipe, whichever splits the most lines of the
//!   first 64 KiB into the same number of cells (two or more), quotes respected; ties
//!   go to the wider table, then in that order. Title lines (one cell) don't count.
//! - Rows: the `csv` crate with that delimiter, flexible widths; each row's first and
//!   last line counted from the text (LF, CRLF or a lone CR each end a line), so line
//!   numbers are those a text editor shows even when a quoted cell spans lines.

use std::borrow::Cow;
use std::collections::HashMap;

use encoding_rs::{CoderResult, Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::{
    MAX_CELL_BYTES, MAX_CELLS, MAX_ROWS, MAX_TEXT_BYTES, RawRead, RawRow, ReportFileProblem,
};

/// A record spanning more lines than this is taken for an unclosed quote.
const MAX_LINES_IN_A_ROW: usize = 50;
/// How much of the text the delimiter is sniffed from.
const SNIFF_BYTES: usize = 64 * 1024;

pub(super) struct TextRead {
    pub read: RawRead,
    pub encoding: &'static str,
    pub delimiter: char,
}

pub(super) fn read_text(bytes: &[u8]) -> Result<TextRead, ReportFileProblem> {
    let (text, encoding) = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(ReportFileProblem::Empty);
    }
    let delimiter = sniff_delimiter(&text);
    let read = records(&text, delimiter)?;
    Ok(TextRead {
        read,
        encoding,
        delimiter: char::from(delimiter),
    })
}

fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, &'static str), ReportFileProblem> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Ok((utf8(rest)?, "UTF-8 with BOM"));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Ok((Cow::Owned(decode_with(UTF_16LE, rest)?), "UTF-16"));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Ok((Cow::Owned(decode_with(UTF_16BE, rest)?), "UTF-16"));
    }
    if let Some(little_endian) = utf16_without_bom(bytes) {
        let enc = if little_endian { UTF_16LE } else { UTF_16BE };
        return Ok((Cow::Owned(decode_with(enc, bytes)?), "UTF-16"));
    }
    if bytes.contains(&0) {
        return Err(ReportFileProblem::Unsupported {
            what: "binary data, not text",
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => Ok((utf8(bytes)?, "UTF-8")),
        Err(_) => match utf8_damage(bytes) {
            Some(line) => Err(ReportFileProblem::MixedEncoding { line }),
            None => Ok((
                Cow::Owned(decode_with(WINDOWS_1252, bytes)?),
                "Windows-1252",
            )),
        },
    }
}

/// Bytes after a UTF-8 BOM, or of a file found valid UTF-8: borrowed, not copied.
/// Invalid UTF-8 after a BOM is a damaged UTF-8 file, refused at its first bad line.
fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, ReportFileProblem> {
    if bytes.len() > MAX_TEXT_BYTES {
        return Err(ReportFileProblem::TooMuchText);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(e) => Err(ReportFileProblem::MixedEncoding {
            line: line_at(bytes, e.valid_up_to()),
        }),
    }
}

/// When bytes that are not valid UTF-8 are mostly a UTF-8 file all the same (more
/// valid multi-byte UTF-8 characters than bytes that are not), the 1-based line of
/// the first bad byte; `None` when they read as Windows-1252 (no or few multi-byte
/// characters, only single bytes of 128 and over).
fn utf8_damage(bytes: &[u8]) -> Option<usize> {
    let (mut good, mut bad, mut first_bad) = (0usize, 0usize, None);
    let mut i = 0;
    while i < bytes.len() {
        let rest = bytes.get(i..).unwrap_or_default();
        match std::str::from_utf8(rest) {
            Ok(s) => {
                good += s.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(e) => {
                let valid = rest.get(..e.valid_up_to()).unwrap_or_default();
                // Valid UTF-8 by construction; its non-ASCII characters are multi-byte.
                good += std::str::from_utf8(valid)
                    .map_or(0, |s| s.chars().filter(|c| !c.is_ascii()).count());
                first_bad.get_or_insert(i + e.valid_up_to());
                let skip = e.error_len().unwrap_or(rest.len() - e.valid_up_to());
                bad += skip;
                i += e.valid_up_to() + skip.max(1);
            }
        }
    }
    match first_bad {
        Some(at) if good > bad => Some(line_at(bytes, at)),
        _ => None,
    }
}

/// The 1-based line of byte `at` (LF, CRLF or a lone CR each end a line).
fn line_at(bytes: &[u8], at: usize) -> usize {
    LineCounter::new(bytes).line_of(at)
}

/// Decodes with `enc`, having measured the result first: a text over
/// [`MAX_TEXT_BYTES`] once decoded is refused before any of it is made.
fn decode_with(enc: &'static Encoding, bytes: &[u8]) -> Result<String, ReportFileProblem> {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut buf = vec![0u8; 64 * 1024];
    let (mut len, mut at) = (0usize, 0usize);
    loop {
        let src = bytes.get(at..).unwrap_or_default();
        let (result, read, written, _) = decoder.decode_to_utf8(src, &mut buf, true);
        len = len.saturating_add(written);
        at += read;
        if len > MAX_TEXT_BYTES {
            return Err(ReportFileProblem::TooMuchText);
        }
        if result == CoderResult::InputEmpty {
            break;
        }
    }
    drop(buf);
    let mut text = String::with_capacity(len);
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut at = 0;
    loop {
        let src = bytes.get(at..).unwrap_or_default();
        let (result, read, _) = decoder.decode_to_string(src, &mut text, true);
        at += read;
        match result {
            CoderResult::InputEmpty => return Ok(text),
            // Not expected (measured above); room for the rest, a little at a time.
            CoderResult::OutputFull => text.reserve(16),
        }
    }
}

/// UTF-16 text without a BOM: mostly ASCII, so one byte of each pair is zero.
/// `Some(true)` for little-endian (zero second).
fn utf16_without_bom(bytes: &[u8]) -> Option<bool> {
    let head = &bytes[..bytes.len().min(1024) & !1];
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut zero_first, mut zero_second) = (0, 0);
    for pair in head.chunks_exact(2) {
        zero_first += usize::from(pair[0] == 0);
        zero_second += usize::from(pair[1] == 0);
    }
    if zero_second * 3 >= pairs * 2 && zero_first * 10 < pairs {
        Some(true)
    } else if zero_first * 3 >= pairs * 2 && zero_second * 10 < pairs {
        Some(false)
    } else {
        None
    }
}

fn sniff_delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];
    let mut sample = text.as_bytes();
    if sample.len() > SNIFF_BYTES {
        let cut = &sample[..SNIFF_BYTES];
        // Whole lines only ('\n' and '\r' are never inside a UTF-8 sequence).
        let end = cut
            .iter()
            .rposition(|b| *b == b'\n' || *b == b'\r')
            .unwrap_or(SNIFF_BYTES);
        sample = &sample[..end];
    }
    let mut best: Option<((usize, usize), u8)> = None;
    for d in CANDIDATES {
        let mut widths: HashMap<usize, usize> = HashMap::new();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(d)
            .flexible(true)
            .has_headers(false)
            .from_reader(sample);
        let mut record = csv::ByteRecord::new();
        while let Ok(true) = reader.read_byte_record(&mut record) {
            if record.len() >= 2 && record.iter().any(|f| !f.trim_ascii().is_empty()) {
                *widths.entry(record.len()).or_default() += 1;
            }
        }
        // (lines with the most common width, that width)
        let score = widths
            .into_iter()
            .map(|(width, lines)| (lines, width))
            .max()
            .unwrap_or_default();
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, d));
        }
    }
    best.map_or(b',', |(_, d)| d)
}

/// Every record of the text with its first and last line; cells trimmed.
fn records(text: &str, delimiter: u8) -> Result<RawRead, ReportFileProblem> {
    let bytes = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(bytes);
    let mut lines = LineCounter::new(bytes);
    let mut record = csv::StringRecord::new();
    let mut read = RawRead::default();
    let mut cells_seen = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            // Not expected: the text is valid UTF-8 and widths are flexible.
            Err(e) => {
                let at = e.position().map_or(usize::MAX, |p| to_usize(p.byte()));
                let line = lines.line_of(skip_line_ends(bytes, at));
                return Err(ReportFileProblem::UnreadableText { line });
            }
        }
        let at = record.position().map_or(0, |p| to_usize(p.byte()));
        // The csv crate's position can sit on the line end before the record.
        let start = skip_line_ends(bytes, at);
        let end = to_usize(reader.position().byte());
        let mut content_end = end.min(bytes.len()).max(start);
        while content_end > start && matches!(bytes.get(content_end - 1), Some(b'\r' | b'\n')) {
            content_end -= 1;
        }
        let line = lines.line_of(start);
        let last_line = lines.line_of(content_end.saturating_sub(1).max(start));
        if last_line > line {
            let raw = bytes.get(start..content_end).unwrap_or_default();
            let quotes = raw.iter().filter(|b| **b == b'"').count();
            if quotes % 2 == 1 || last_line - line > MAX_LINES_IN_A_ROW {
                return Err(ReportFileProblem::UnclosedQuote { line });
            }
        }
        cells_seen = cells_seen.saturating_add(record.len());
        if cells_seen > MAX_CELLS {
            return Err(ReportFileProblem::TooManyCells);
        }
        if read.rows.len() >= MAX_ROWS {
            return Err(ReportFileProblem::TooManyRows);
        }
        if record.iter().any(|c| c.len() > MAX_CELL_BYTES) {
            return Err(ReportFileProblem::CellTooLarge {
                at: Some(("line", line)),
            });
        }
        let cells = if record.iter().all(|c| c.trim().is_empty()) {
            Vec::new()
        } else {
            record.iter().map(clean_cell).collect()
        };
        read.rows.push(RawRow {
            line,
            last_line,
            cells,
        });
    }
    Ok(read)
}

/// Trimmed; `="0123"` (Excel's keep-as-text form) read as `0123`.
fn clean_cell(cell: &str) -> String {
    let t = cell.trim();
    match t
        .strip_prefix("=\"")
        .and_then(|rest| rest.strip_suffix('"'))
    {
        Some(inner) => inner.replace("\"\"", "\"").trim().to_string(),
        None => t.to_string(),
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn skip_line_ends(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b'\r' | b'\n')) {
        i += 1;
    }
    i.min(bytes.len())
}

/// Line numbers of byte offsets, asked for in increasing order (one pass over the text).
struct LineCounter<'a> {
    bytes: &'a [u8],
    /// Bytes before this have been counted.
    at: usize,
    /// The 1-based line that `at` is on.
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            at: 0,
            line: 1,
        }
    }

    /// The line of byte `pos`; an earlier position than the last asked gives the last line.
    fn line_of(&mut self, pos: usize) -> usize {
        let pos = pos.min(self.bytes.len());
        if pos > self.at {
            let part = self.bytes.get(self.at..pos).unwrap_or_default();
            for (i, b) in part.iter().enumerate() {
                let ends =
                    *b == b'\n' || (*b == b'\r' && self.bytes.get(self.at + i + 1) != Some(&b'\n'));
                self.line += usize::from(ends);
            }
            self.at = pos;
        }
        self.line
    }
}
