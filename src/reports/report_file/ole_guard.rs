//! An OLE compound file (an Excel 97-2003 .xls, or an encrypted .xlsx) checked
//! before calamine opens it.
//!
//! calamine reads the compound file's directory and its workbook stream by
//! following chains of sectors until they end or reach the length an entry
//! declares: a chain that loops back on itself would be followed for ever (or to the
//! declared length, up to terabytes). Then it expands every sheet whole, at once:
//! each sheet's cells, room reserved for the area its Dimensions record declares,
//! and a grid from the first to the last row and column used (two cells at A1 and
//! at the last row and column of the format ask for billions). So, as calamine does
//! it and with nothing copied but the workbook stream (at most
//! [`MAX_XLS_STREAM_BYTES`]):
//! - the chains calamine follows must end (else the file is damaged), and the
//!   sector tables must not be larger than the file could need;
//! - the workbook stream is walked record by record: the shared strings (at most
//!   [`MAX_SHARED_STRINGS`], each string's length noted), every sheet's cells, the
//!   reserved and used areas ([`MAX_WHOLE_SHEET_CELLS`] over all sheets) and the text
//!   the cells and formulas would hold ([`MAX_TEXT_BYTES`]).

use super::{
    MAX_KEPT_RECORDS, MAX_SHARED_STRINGS, MAX_TEXT_BYTES, MAX_WHOLE_SHEET_CELLS,
    MAX_XLS_STREAM_BYTES, ReportFileProblem, WorkbookLimit,
};

const XLS: &str = "Excel 97-2003 workbook (.xls)";

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
/// CONTINUE records after one record: calamine takes them one at a time from the
/// front of a list (a cost growing with the square of their number). An SST of
/// 80 MB has 10,000.
const MAX_CONTINUES: usize = 10_000;

/// Why the check stopped.
enum Stop {
    /// calamine will stop here with an error of its own (or a caught panic): nothing
    /// more is made, so nothing more needs counting.
    ReaderStops,
    Damaged,
    Limit(WorkbookLimit),
}

/// Checks the file; returns the bytes of text calamine will hold before cells are
/// read (its shared strings, every sheet's text).
pub(super) fn check(bytes: &[u8]) -> Result<usize, ReportFileProblem> {
    match check_file(bytes) {
        Ok(held) => Ok(held),
        Err(Stop::ReaderStops) => Ok(0),
        Err(Stop::Damaged) => Err(ReportFileProblem::UnreadableSpreadsheet {
            format: XLS,
            sheet: None,
        }),
        Err(Stop::Limit(limit)) => Err(ReportFileProblem::WorkbookLimit { format: XLS, limit }),
    }
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

/// `Ok(x)` or calamine stops.
fn or_stops<T>(x: Option<T>) -> Result<T, Stop> {
    x.ok_or(Stop::ReaderStops)
}

fn check_file(bytes: &[u8]) -> Result<usize, Stop> {
    let cfb = Cfb::open(bytes)?;
    let Some(stream) = cfb.workbook_stream()? else {
        return Ok(0); // no workbook: calamine will say what the file is
    };
    walk_workbook(&stream)
}

// ---- The compound file (calamine's cfb.rs, followed without copying) ----

struct Cfb<'a> {
    bytes: &'a [u8],
    /// Where sector 0 starts: after the header.
    base: usize,
    size: usize,
    maxid: u32,
    fats: Vec<u32>,
    /// Directory entries: (name, start, length).
    dirs: Vec<(String, u32, u64)>,
    /// The mini stream's sectors (the root entry's chain) and the mini FAT.
    mini_stream: Vec<u32>,
    mini_len: u64,
    mini_fats: Vec<u32>,
}

impl<'a> Cfb<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, Stop> {
        let header = or_stops(bytes.get(..512))?;
        if !header.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
            return Err(Stop::ReaderStops);
        }
        let version = or_stops(u16_at(header, 26))?;
        let (size, base) = match u16_at(header, 30) {
            Some(9) => (512, 512),
            Some(12) if bytes.len() >= 4096 => (4096, 4096),
            _ => return Err(Stop::ReaderStops),
        };
        if u16_at(header, 32) != Some(6) {
            return Err(Stop::ReaderStops);
        }
        let dir_start = or_stops(u32_at(header, 48))?;
        let mini_fat_start = or_stops(u32_at(header, 60))?;
        let mini_fat_len = u64::from(or_stops(u32_at(header, 64))?);
        let difat_start = or_stops(u32_at(header, 68))?;
        let maxid = u32::try_from(bytes.len() / size).unwrap_or(u32::MAX);
        let mut cfb = Cfb {
            bytes,
            base,
            size,
            maxid,
            fats: Vec::new(),
            dirs: Vec::new(),
            mini_stream: Vec::new(),
            mini_len: 0,
            mini_fats: Vec::new(),
        };
        // The FAT sectors a file of this size could need, and some over.
        let per_sector = size / 4;
        let fat_room = maxid as usize / per_sector + 110;

        // The FAT's sectors: 109 in the header, then a chain of DIFAT sectors (127
        // each, and the next one's place last).
        let mut fat_ids: Vec<u32> = header
            .get(76..512)
            .unwrap_or_default()
            .chunks_exact(4)
            .filter_map(|c| u32_at(c, 0))
            .filter(|i| *i < DIFSECT)
            .collect();
        let mut id = difat_start;
        let mut difat_sectors = 0u32;
        while id < RESERVED_SECTORS {
            difat_sectors += 1;
            if difat_sectors > maxid.saturating_add(1) {
                return Err(Stop::ReaderStops);
            }
            let sector = cfb.sector(id)?;
            if sector.is_empty() {
                return Err(Stop::ReaderStops);
            }
            if !sector.len().is_multiple_of(4) {
                // A short last sector: calamine asserts (a panic).
                return Err(Stop::Damaged);
            }
            let entries: Vec<u32> = sector
                .chunks_exact(4)
                .filter_map(|c| u32_at(c, 0))
                .collect();
            let Some((next, body)) = entries.split_last() else {
                return Err(Stop::ReaderStops);
            };
            fat_ids.extend(body.iter().filter(|i| **i < DIFSECT));
            if fat_ids.len() > fat_room {
                return Err(Stop::Damaged);
            }
            id = *next;
        }
        if fat_ids.len() > fat_room {
            return Err(Stop::Damaged);
        }
        let mut fats = Vec::with_capacity(fat_ids.len() * per_sector);
        for id in fat_ids {
            let sector = cfb.sector(id)?;
            if !sector.len().is_multiple_of(4) {
                // A short last sector: calamine asserts (a panic; found by the
                // `report_xls` fuzz target).
                return Err(Stop::Damaged);
            }
            fats.extend(sector.chunks_exact(4).filter_map(|c| u32_at(c, 0)));
        }
        cfb.fats = fats;

        // The directory: the whole chain, as long as it runs.
        let dir_sectors = cfb.chain(dir_start, u64::MAX)?;
        for id in dir_sectors {
            let sector = cfb.sector(id)?;
            for entry in sector.chunks_exact(128) {
                let name_units: Vec<u16> = entry
                    .get(..64)
                    .unwrap_or_default()
                    .chunks_exact(2)
                    .filter_map(|c| u16_at(c, 0))
                    .take_while(|u| *u != 0)
                    .collect();
                let name = String::from_utf16_lossy(&name_units);
                let start = or_stops(u32_at(entry, 116))?;
                let len = if size == 512 {
                    u64::from(or_stops(u32_at(entry, 120))?)
                } else {
                    or_stops(u64_at(entry, 120))?
                };
                cfb.dirs.push((name, start, len));
            }
            if cfb.dirs.len() > MAX_KEPT_RECORDS {
                return Err(Stop::Limit(WorkbookLimit::Records));
            }
        }
        let Some(&(_, root_start, root_len)) = cfb.dirs.first() else {
            return Err(Stop::ReaderStops);
        };
        if version != 3 && root_start == ENDOFCHAIN {
            return Err(Stop::ReaderStops);
        }
        if mini_fat_len > 0 {
            // calamine copies the mini stream whole: it holds only streams under
            // 4,096 bytes, so in any real file it is small.
            cfb.mini_stream = cfb.chain(root_start, root_len)?;
            if cfb.mini_stream.len().saturating_mul(size) > MAX_XLS_STREAM_BYTES {
                return Err(Stop::Limit(WorkbookLimit::XlsStream));
            }
            cfb.mini_len = root_len.min(cfb.mini_stream.len() as u64 * size as u64);
            let mini_fat = cfb.chain(mini_fat_start, mini_fat_len.saturating_mul(size as u64))?;
            if mini_fat.len() > fat_room {
                return Err(Stop::Damaged);
            }
            let mut mini_fats = Vec::new();
            let mut had = 0u64;
            for id in mini_fat {
                let sector = cfb.sector(id)?;
                had += sector.len() as u64;
                mini_fats.extend(sector.chunks_exact(4).filter_map(|c| u32_at(c, 0)));
            }
            // calamine reads the mini FAT as whole numbers of four bytes, asserting
            // that it is (a panic) when a short last sector leaves it otherwise.
            if !had
                .min(mini_fat_len.saturating_mul(size as u64))
                .is_multiple_of(4)
            {
                return Err(Stop::Damaged);
            }
            cfb.mini_fats = mini_fats;
        }
        Ok(cfb)
    }

    /// Sector `id` as calamine reads it (the last may be short). A sector that
    /// starts past the end of the file, though its number is within the sectors the
    /// file's length allows (the header counts in that length but not in the
    /// sectors), makes calamine take a slice that ends before it starts, a panic:
    /// damaged (found by the `report_xls` fuzz target).
    fn sector(&self, id: u32) -> Result<&'a [u8], Stop> {
        if id > self.maxid {
            return Err(Stop::ReaderStops);
        }
        let start = self.base + id as usize * self.size;
        if start > self.bytes.len() {
            return Err(Stop::Damaged);
        }
        let end = (start + self.size).min(self.bytes.len());
        Ok(self.bytes.get(start..end).unwrap_or_default())
    }

    /// The sectors of the chain from `id`, as far as calamine follows it: to the end
    /// of the chain, or until `len` bytes are had. A chain that comes back on itself
    /// before then is damaged (calamine would follow it for ever, or to `len`).
    fn chain(&self, mut id: u32, len: u64) -> Result<Vec<u32>, Stop> {
        let mut sectors = Vec::new();
        let mut had = 0u64;
        while id != ENDOFCHAIN {
            let sector = self.sector(id)?;
            sectors.push(id);
            had += sector.len() as u64;
            if had >= len {
                break;
            }
            if sectors.len() > self.maxid as usize + 1 {
                return Err(Stop::Damaged);
            }
            // calamine indexes the FAT with the sector's number: past its end, a panic.
            id = self.fats.get(id as usize).copied().ok_or(Stop::Damaged)?;
        }
        Ok(sectors)
    }

    /// The "Workbook" (or "Book") stream, if there is one, at most
    /// [`MAX_XLS_STREAM_BYTES`].
    fn workbook_stream(&self) -> Result<Option<Vec<u8>>, Stop> {
        let find = |name: &str| {
            self.dirs
                .iter()
                .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, start, len)| (*start, *len))
        };
        let Some((start, len)) = find("Workbook").or_else(|| find("Book")) else {
            return Ok(None);
        };
        if len < 4096 {
            return self.mini_chain(start, len).map(Some);
        }
        if len > MAX_XLS_STREAM_BYTES as u64 {
            // calamine stops at the chain's end if it comes first: follow it to see.
            let sectors = self.chain(start, len)?;
            if sectors.len().saturating_mul(self.size) > MAX_XLS_STREAM_BYTES {
                return Err(Stop::Limit(WorkbookLimit::XlsStream));
            }
        }
        let mut stream = Vec::new();
        for id in self.chain(start, len)? {
            let sector = self.sector(id)?;
            let want = usize::try_from(len).unwrap_or(usize::MAX) - stream.len();
            stream.extend_from_slice(sector.get(..want.min(sector.len())).unwrap_or_default());
            if stream.len() > MAX_XLS_STREAM_BYTES {
                return Err(Stop::Limit(WorkbookLimit::XlsStream));
            }
        }
        Ok(Some(stream))
    }

    /// A stream under 4,096 bytes, from the mini stream (64-byte sectors).
    fn mini_chain(&self, mut id: u32, len: u64) -> Result<Vec<u8>, Stop> {
        let mut out = Vec::new();
        let mut steps = 0usize;
        while id != ENDOFCHAIN && (out.len() as u64) < len {
            let at = u64::from(id) * 64;
            if at + 64 > self.mini_len {
                // Past the mini stream calamine reads on from wherever the file was
                // left: not a file any program writes.
                return Err(Stop::Damaged);
            }
            let sector_index = (at / self.size as u64) as usize;
            let within = (at % self.size as u64) as usize;
            let sector = self.sector(or_stops(self.mini_stream.get(sector_index).copied())?)?;
            let piece = sector.get(within..within + 64).unwrap_or_default();
            let want = (len as usize - out.len()).min(piece.len());
            out.extend_from_slice(piece.get(..want).unwrap_or_default());
            steps += 1;
            if steps > 4096 / 64 + 1 || out.len() as u64 >= len {
                break;
            }
            // As for the FAT: calamine indexes the mini FAT (a panic past its end).
            id = self
                .mini_fats
                .get(id as usize)
                .copied()
                .ok_or(Stop::Damaged)?;
        }
        Ok(out)
    }
}

// ---- The workbook stream (calamine's xls.rs, counted instead of made) ----

/// One record and the CONTINUE records after it.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    cont: std::collections::VecDeque<&'a [u8]>,
}

impl<'a> Record<'a> {
    fn continue_record(&mut self) -> bool {
        match self.cont.pop_front() {
            Some(next) => {
                self.data = next;
                true
            }
            None => false,
        }
    }

    fn skip(&mut self, mut len: usize) -> Result<(), Stop> {
        while len > 0 {
            if self.data.is_empty() && !self.continue_record() {
                return Err(Stop::ReaderStops);
            }
            let l = len.min(self.data.len());
            self.data = self.data.get(l..).unwrap_or_default();
            len -= l;
        }
        Ok(())
    }
}

/// Records from `stream` as calamine's `RecordIter` splits them.
fn records(mut stream: &[u8]) -> impl Iterator<Item = Result<(Record<'_>, usize), Stop>> {
    std::iter::from_fn(move || {
        if stream.is_empty() {
            return None;
        }
        let (Some(typ), Some(len)) = (u16_at(stream, 0), u16_at(stream, 2)) else {
            stream = &[];
            return Some(Err(Stop::ReaderStops));
        };
        let Some(data) = stream.get(4..4 + usize::from(len)) else {
            stream = &[];
            return Some(Err(Stop::ReaderStops));
        };
        let mut used = 4 + usize::from(len);
        stream = stream.get(used..).unwrap_or_default();
        let mut cont = std::collections::VecDeque::new();
        while stream.len() > 4 && u16_at(stream, 0) == Some(0x003C) {
            let len = usize::from(u16_at(stream, 2).unwrap_or(0));
            let Some(piece) = stream.get(4..4 + len) else {
                stream = &[];
                return Some(Err(Stop::ReaderStops));
            };
            cont.push_back(piece);
            if cont.len() > MAX_CONTINUES {
                stream = &[];
                return Some(Err(Stop::Damaged));
            }
            used += 4 + len;
            stream = stream.get(4 + len..).unwrap_or_default();
        }
        Some(Ok((Record { typ, data, cont }, used)))
    })
}

/// What calamine makes of the workbook, added up.
#[derive(Default)]
struct Made {
    /// Cells pushed and room reserved, over every sheet.
    read: usize,
    /// The grids of values and of formulas, over every sheet.
    area: usize,
    formula_area: usize,
    text: usize,
    kept: usize,
}

impl Made {
    fn check(&self) -> Result<(), Stop> {
        if self.read.max(self.area).max(self.formula_area) > MAX_WHOLE_SHEET_CELLS {
            return Err(Stop::Limit(WorkbookLimit::ExpandedCells));
        }
        if self.text > MAX_TEXT_BYTES {
            return Err(Stop::Limit(WorkbookLimit::Text));
        }
        if self.kept > MAX_KEPT_RECORDS {
            return Err(Stop::Limit(WorkbookLimit::Records));
        }
        Ok(())
    }
}

/// Text a formula of `rgce_len` bytes can become: a defined name or sheet name per
/// token (five bytes and up), 255 spaces from four bytes, and a little more.
fn formula_text(rgce_len: usize, longest_name: usize) -> usize {
    if rgce_len == 0 {
        return 0;
    }
    let per_byte = (longest_name * 3 + 16).div_ceil(5).max(70);
    rgce_len.saturating_mul(per_byte).saturating_add(128)
}

fn walk_workbook(stream: &[u8]) -> Result<usize, Stop> {
    let mut made = Made::default();
    let mut sheets: Vec<usize> = Vec::new();
    let mut strings: Vec<u32> = Vec::new();
    let mut longest_name = 31usize;
    let mut name_formulas = 0usize;
    for record in records(stream) {
        let (mut r, _) = record?;
        match r.typ {
            // FilePass: encrypted; calamine says so.
            0x002F if u16_at(r.data, 0) != Some(0) => return Err(Stop::ReaderStops),
            // BoundSheet8: every one is read, even two at one place.
            0x0085 => {
                sheets.push(or_stops(u32_at(r.data, 0))? as usize);
                longest_name = longest_name.max(usize::from(*or_stops(r.data.get(6))?));
                made.kept += 1;
            }
            // Lbl: a defined name and its formula.
            0x0018 => {
                longest_name = longest_name.max(usize::from(*or_stops(r.data.get(3))?));
                name_formulas += r.data.len();
                made.kept += 1;
            }
            0x00FC => strings = shared_strings(&mut r)?,
            0x000A => break,
            _ => {}
        }
        made.check()?;
    }
    made.text = strings.iter().map(|l| *l as usize).sum::<usize>()
        + strings.len() * 24
        + formula_text(name_formulas, longest_name);
    made.check()?;
    let mut walked = 0usize;
    for pos in sheets {
        let sheet = or_stops(stream.get(pos..))?;
        walk_sheet(sheet, &strings, longest_name, &mut made, &mut walked)?;
        if walked > stream.len().saturating_mul(2).saturating_add(1 << 20) {
            return Err(Stop::Damaged);
        }
    }
    Ok(made.text)
}

/// The SST record: each string's length in UTF-8 at most (calamine's
/// `read_rich_extended_string`, continuing into CONTINUE records as it does).
fn shared_strings(r: &mut Record<'_>) -> Result<Vec<u32>, Stop> {
    let mut lens = Vec::new();
    r.data = or_stops(r.data.get(8..))?;
    while !r.data.is_empty() || r.continue_record() {
        if r.data.is_empty() {
            lens.push(0);
        } else {
            let cch = usize::from(or_stops(u16_at(r.data, 0))?);
            let flags = *or_stops(r.data.get(2))?;
            r.data = or_stops(r.data.get(3..))?;
            let mut runs = 0;
            if flags & 0x8 != 0 {
                runs = usize::from(or_stops(u16_at(r.data, 0))?);
                r.data = or_stops(r.data.get(2..))?;
            }
            let mut ext = 0;
            if flags & 0x4 != 0 {
                ext = or_stops(u32_at(r.data, 0))? as usize;
                r.data = or_stops(r.data.get(4..))?;
            }
            let mut high = flags & 0x1 != 0;
            let (mut left, mut len) = (cch, 0usize);
            while left > 0 {
                let width = if high { 2 } else { 1 };
                let chars = left.min(r.data.len() / width);
                r.data = r.data.get(chars * width..).unwrap_or_default();
                len += chars * if high { 3 } else { 2 };
                left -= chars;
                if left > 0 {
                    if !r.continue_record() {
                        return Err(Stop::ReaderStops);
                    }
                    high = *or_stops(r.data.first())? & 0x1 != 0;
                    r.data = r.data.get(1..).unwrap_or_default();
                }
            }
            r.skip(runs * 4)?;
            r.skip(ext)?;
            lens.push(u32::try_from(len).unwrap_or(u32::MAX));
        }
        if lens.len() > MAX_SHARED_STRINGS {
            return Err(Stop::Limit(WorkbookLimit::SharedStrings));
        }
    }
    Ok(lens)
}

/// A grid's bounds: (first row, last row, first column, last column).
#[derive(Default, Clone, Copy)]
struct Grid(Option<(u32, u32, u32, u32)>);

impl Grid {
    fn add(&mut self, row: u32, col: u32) {
        self.0 = Some(match self.0 {
            None => (row, row, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
        });
    }

    fn cells(&self) -> usize {
        match self.0 {
            None => 0,
            Some((r0, r1, c0, c1)) => {
                ((r1 - r0) as usize + 1).saturating_mul((c1 - c0) as usize + 1)
            }
        }
    }
}

/// One sheet from its BOF to its EOF, as calamine reads it; adds what it makes.
fn walk_sheet(
    sheet: &[u8],
    strings: &[u32],
    longest_name: usize,
    made: &mut Made,
    walked: &mut usize,
) -> Result<(), Stop> {
    let (read0, area0, formula_area0, text0) = (made.read, made.area, made.formula_area, made.text);
    let (mut cells, mut reserved, mut text, mut formula_rgce) = (0usize, 0usize, 0usize, 0usize);
    let (mut grid, mut formulas) = (Grid::default(), Grid::default());
    let mut formula_at = (0u32, 0u32);
    let mut seen_bof = false;
    let mut depth = 0usize;
    for record in records(sheet) {
        let (r, used) = record?;
        *walked = walked.saturating_add(used);
        let d = r.data;
        let pos = || -> Result<(u32, u32), Stop> {
            Ok((
                u32::from(or_stops(u16_at(d, 0))?),
                u32::from(or_stops(u16_at(d, 2))?),
            ))
        };
        if depth > 0 {
            match r.typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        match r.typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            // Dimensions: calamine reserves room for the whole area it declares.
            0x0200 => {
                let (rf, rl, mut cf, cl) = match d.len() {
                    10 => (
                        u32::from(or_stops(u16_at(d, 0))?),
                        u32::from(or_stops(u16_at(d, 2))?),
                        u32::from(or_stops(u16_at(d, 4))?),
                        u32::from(or_stops(u16_at(d, 6))?),
                    ),
                    14 | 16 => (
                        or_stops(u32_at(d, 0))?,
                        or_stops(u32_at(d, 4))?,
                        u32::from(or_stops(u16_at(d, 8))?),
                        u32::from(or_stops(u16_at(d, 10))?),
                    ),
                    _ => return Err(Stop::ReaderStops),
                };
                if 0xFF < cf || cl < cf {
                    cf = 0;
                }
                let (start, end) = if 1 <= rl && 1 <= cl {
                    ((rf, cf), (rl - 1, cl - 1))
                } else {
                    ((rf, cf), (rf, cf))
                };
                // As calamine computes it (its arithmetic wraps in a release build).
                let rows = end.0.wrapping_sub(start.0).wrapping_add(1) as usize;
                let cols = end.1.wrapping_sub(start.1).wrapping_add(1) as usize;
                reserved = reserved.max(cells.saturating_add(rows.saturating_mul(cols)));
            }
            // Number, BoolErr, Rk
            0x0203 | 0x0205 | 0x027E => {
                let (row, col) = pos()?;
                grid.add(row, col);
                cells += 1;
            }
            // Label, RString
            0x0204 | 0x00D6 => {
                let (row, col) = pos()?;
                grid.add(row, col);
                cells += 1;
                text = text.saturating_add(d.len() * 3);
            }
            // String (a formula's text value), at the formula's place
            0x0207 => {
                grid.add(formula_at.0, formula_at.1);
                cells += 1;
                text = text.saturating_add(d.len() * 3);
            }
            // LabelSst: a copy of a shared string
            0x00FD => {
                let (row, col) = pos()?;
                let index = or_stops(u32_at(d, 6))? as usize;
                if let Some(len) = strings.get(index) {
                    grid.add(row, col);
                    cells += 1;
                    text = text.saturating_add(*len as usize);
                }
            }
            // MulRk: several numbers in a row
            0x00BD => {
                let (row, first) = pos()?;
                let last = u32::from(or_stops(u16_at(d, d.len().saturating_sub(2)))?);
                if last < first || d.len() != 6 + 6 * (last - first + 1) as usize {
                    return Err(Stop::ReaderStops);
                }
                grid.add(row, first);
                grid.add(row, last);
                cells += (last - first + 1) as usize;
            }
            // Formula: its value, and its text in the grid of formulas
            0x0006 => {
                if d.len() < 20 {
                    return Err(Stop::ReaderStops);
                }
                formula_at = pos()?;
                grid.add(formula_at.0, formula_at.1);
                cells += 1;
                formulas.add(formula_at.0, formula_at.1);
                formula_rgce += d.len() - 20;
            }
            _ => {}
        }
        made.read = read0.saturating_add(cells.max(reserved));
        made.area = area0.saturating_add(grid.cells());
        made.formula_area = formula_area0.saturating_add(formulas.cells());
        made.text = text0
            .saturating_add(text)
            .saturating_add(formula_text(formula_rgce, longest_name));
        made.check()?;
    }
    Ok(())
}
