//! Hostile report files (issue 30), each built here, none kept as a fixture: each
//! must be refused in words naming the limit it passes, and reading it must not
//! take more than [`PEAK_GROWTH_MB`] of memory, nor take the program down.
//!
//! How memory is measured: this crate forbids unsafe code, so a counting global
//! allocator (which needs `unsafe impl GlobalAlloc`) cannot be installed. Instead
//! each bomb is read in a child process, this test program run again for that one
//! test, under an address-space limit (`ulimit -v`, [`ADDRESS_SPACE_KB`]) so that a
//! reader that asks for gigabytes fails there (an allocation failure ends the child,
//! and this test fails saying so) rather than exhausting the machine. In the child
//! the peak resident memory is reset (`/proc/self/clear_refs`) just before the read
//! and read back after it (`VmHWM` in `/proc/self/status`); the growth over the
//! memory in use before the read (the bomb's own bytes included) is the figure
//! asserted and printed (`cargo test --test report_bombs -- --nocapture`).
//!
//! Linux only, as the build server is (`/proc`, `sh`).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::Command;
use std::time::Instant;

use cutover_log::domain::{Role, Staff, StaffDirectory, StaffId};
use cutover_log::reports::interchange::{self, FileProblem, ImportContext};
use cutover_log::reports::report_file::{ReportFileProblem, ReportTable, read_report_bytes};

/// The most a read may take above what was in use before it.
const PEAK_GROWTH_MB: u64 = 300;
/// The child's address space: enough for the test program and a bounded read, far
/// short of what the bombs ask for without the limits.
const ADDRESS_SPACE_KB: u64 = 2_500_000;
const CHILD: &str = "CUTOVER_LOG_REPORT_BOMB_CHILD";

// ---- Running one read in a child, measured ----

/// Runs `body` in a child process (this program, this one test) under the address
/// space limit; in the child, runs it.
fn isolated(test: &str, body: fn()) {
    if std::env::var_os(CHILD).is_some() {
        body();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KB} && exec \"$0\" \"$@\""
        ))
        .arg(&exe)
        .args([
            test,
            "--exact",
            "--nocapture",
            "--test-threads=1",
            "--include-ignored",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    print!("{stdout}");
    eprint!("{stderr}");
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{test} failed in its child process ({}): a read that asks for more than the \
         {ADDRESS_SPACE_KB} KB address space ends the child",
        out.status
    );
}

fn status_kb(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(key)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// `f`'s result, the peak growth of resident memory while it ran (MB) and its time.
fn measured<T>(f: impl FnOnce() -> T) -> (T, u64, u128) {
    // Resets VmHWM to the resident memory now.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_kb("VmRSS:");
    let start = Instant::now();
    let out = f();
    let ms = start.elapsed().as_millis();
    let peak = status_kb("VmHWM:");
    (out, peak.saturating_sub(before) / 1024, ms)
}

/// Reads `bytes` as a report named `name`: it must be refused, within the memory
/// limit, with a message holding every one of `words`.
fn refused(what: &str, name: &str, bytes: &[u8], words: &[&str]) -> ReportFileProblem {
    let size = bytes.len();
    let (result, mb, ms) = measured(|| read_report_bytes(name, bytes));
    let problem = match result {
        Ok(t) => panic!("{what}: read as a table of {} rows", t.rows.len()),
        Err(p) => p,
    };
    let message = problem.to_string();
    println!("{what} ({size} bytes): refused in {ms} ms, peak growth {mb} MB: {message}");
    for w in words {
        assert!(message.contains(w), "{what}: {message:?} should say {w:?}");
    }
    assert!(
        mb < PEAK_GROWTH_MB,
        "{what}: the read took {mb} MB, over {PEAK_GROWTH_MB} MB"
    );
    problem
}

// ---- Building workbooks ----

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// The parts of an .xlsx around one sheet and an optional table of shared text.
fn xlsx_parts(sheet: String, shared: Option<String>) -> Vec<(String, Vec<u8>)> {
    let mut parts = vec![
        (
            "[Content_Types].xml".to_string(),
            "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>"
                .to_string(),
        ),
        (
            "_rels/.rels".to_string(),
            format!(
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/workbook.xml".to_string(),
            format!(
                "<workbook xmlns=\"{MAIN}\" xmlns:r=\"{REL}\"><sheets>\
                 <sheet name=\"Report\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels".to_string(),
            format!(
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
                 <Relationship Id=\"rId2\" Type=\"{REL}/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>"
            ),
        ),
        ("xl/worksheets/sheet1.xml".to_string(), sheet),
    ];
    if let Some(shared) = shared {
        parts.push(("xl/sharedStrings.xml".to_string(), shared));
    }
    parts
        .into_iter()
        .map(|(n, b)| (n, b.into_bytes()))
        .collect()
}

fn zip_of(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in parts {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(body).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// One part stored as given: `data` (deflated unless `method` is 0) declaring
/// `size` bytes unpacked. The CRC is left 0: a reader that checks it does so only
/// after reading the whole part, which is what the bombs are about.
struct RawPart {
    name: String,
    method: u16,
    data: Vec<u8>,
    size: u32,
}

/// A ZIP written by hand, so that a part can declare what it likes.
fn raw_zip(parts: &[RawPart]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for p in parts {
        let offset = out.len() as u32;
        let csize = p.data.len() as u32;
        let name = p.name.as_bytes();
        let mut local = Vec::new();
        local.extend(b"PK\x03\x04");
        local.extend(20u16.to_le_bytes()); // version needed
        local.extend(0u16.to_le_bytes()); // flags
        local.extend(p.method.to_le_bytes());
        local.extend([0u8; 4]); // time, date
        local.extend(0u32.to_le_bytes()); // crc
        local.extend(csize.to_le_bytes());
        local.extend(p.size.to_le_bytes());
        local.extend((name.len() as u16).to_le_bytes());
        local.extend(0u16.to_le_bytes()); // extra
        local.extend(name);
        out.extend(&local);
        out.extend(&p.data);
        central.extend(b"PK\x01\x02");
        central.extend(20u16.to_le_bytes()); // made by
        central.extend(20u16.to_le_bytes());
        central.extend(0u16.to_le_bytes());
        central.extend(p.method.to_le_bytes());
        central.extend([0u8; 4]);
        central.extend(0u32.to_le_bytes());
        central.extend(csize.to_le_bytes());
        central.extend(p.size.to_le_bytes());
        central.extend((name.len() as u16).to_le_bytes());
        central.extend([0u8; 12]); // extra, comment, disk, attributes
        central.extend(offset.to_le_bytes());
        central.extend(name);
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(b"PK\x05\x06");
    out.extend([0u8; 4]); // disks
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// A raw deflate stream (fixed Huffman codes) of `prefix`, then `fill` repeated
/// `count` times, then `suffix`: 13 bits for every 258 bytes of `fill`, so two GiB
/// take 13 MB and no time to make.
fn deflate_run(prefix: &[u8], fill: u8, count: u64, suffix: &[u8]) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, len: u32) {
            self.acc |= value << self.n;
            self.n += len;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// A Huffman code, written most significant bit first.
        fn code(&mut self, code: u32, len: u32) {
            let reversed =
                (0..len).fold(0u64, |r, i| r | (u64::from(code >> i & 1) << (len - 1 - i)));
            self.put(reversed, len);
        }
        fn literal(&mut self, b: u8) {
            if b < 144 {
                self.code(0x30 + u32::from(b), 8);
            } else {
                self.code(0x190 + u32::from(b - 144), 9);
            }
        }
    }
    let mut bits = Bits {
        out: Vec::with_capacity((count / 258 * 13 / 8) as usize + 1024),
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // the last block
    bits.put(1, 2); // fixed codes
    for b in prefix {
        bits.literal(*b);
    }
    bits.literal(fill);
    let mut left = count - 1;
    // Length 258 (code 285: 11000101) at distance 1 (distance code 0: 00000).
    let reversed_285 = (0..8).fold(0u64, |r, i| {
        r | (u64::from(0b1100_0101u32 >> i & 1) << (7 - i))
    });
    while left >= 258 {
        bits.put(reversed_285, 13);
        left -= 258;
    }
    for _ in 0..left {
        bits.literal(fill);
    }
    for b in suffix {
        bits.literal(*b);
    }
    bits.code(0, 7); // end of block
    bits.put(0, 7); // flush
    bits.out
}

/// An .xlsx whose sheet is one cell of `cell_bytes` letters, deflated, declaring
/// `declared` bytes unpacked.
fn xlsx_with_one_huge_cell(cell_bytes: u64, declared: u32) -> Vec<u8> {
    let prefix = format!(
        "<worksheet xmlns=\"{MAIN}\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>"
    );
    let suffix = "</t></is></c></row></sheetData></worksheet>";
    let mut parts: Vec<RawPart> = xlsx_parts(String::new(), None)
        .into_iter()
        .filter(|(n, _)| !n.ends_with("sheet1.xml"))
        .map(|(name, data)| RawPart {
            name,
            method: 0,
            size: data.len() as u32,
            data,
        })
        .collect();
    parts.push(RawPart {
        name: "xl/worksheets/sheet1.xml".into(),
        method: 8,
        data: deflate_run(prefix.as_bytes(), b'a', cell_bytes, suffix.as_bytes()),
        size: declared,
    });
    raw_zip(&parts)
}

/// An .ods of a header row and one row of one cell, the cell repeated `cols` times
/// across and the row `rows` times down: about 1 KB whatever the counts.
fn ods_repeated(rows: u64, cols: u64) -> Vec<u8> {
    ods_of(ods_content(rows, cols))
}

/// The `content.xml` of [`ods_repeated`].
fn ods_content(rows: u64, cols: u64) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\">\
         <office:body><office:spreadsheet><table:table table:name=\"Report\">\
         <table:table-row><table:table-cell office:value-type=\"string\"><text:p>NHS Number</text:p></table:table-cell>\
         <table:table-cell office:value-type=\"string\"><text:p>Surname</text:p></table:table-cell></table:table-row>\
         <table:table-row table:number-rows-repeated=\"{rows}\">\
         <table:table-cell office:value-type=\"string\" table:number-columns-repeated=\"{cols}\"><text:p>Testpatient</text:p></table:table-cell>\
         </table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
}

/// An .ods around `content`.
fn ods_of(content: String) -> Vec<u8> {
    zip_of(&[
        (
            "mimetype".into(),
            b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
        ),
        (
            "META-INF/manifest.xml".into(),
            b"<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>"
                .to_vec(),
        ),
        ("content.xml".into(), content.into_bytes()),
    ])
}

/// An OLE compound file of 512-byte sectors holding one stream, "Workbook", of at
/// least 4,096 bytes (so in the main sectors), at most some 7 MB: the FAT in the
/// first sectors, then the directory, then the stream. `fat` may change the FAT
/// after it is made (its sectors are numbered as in the file).
fn ole_workbook(stream: &[u8], fat: impl FnOnce(&mut [u32])) -> Vec<u8> {
    const END: u32 = 0xFFFF_FFFE;
    const FREE: u32 = 0xFFFF_FFFF;
    let mut stream = stream.to_vec();
    stream.resize(stream.len().max(4096).next_multiple_of(512), 0);
    let stream_sectors = stream.len() / 512;
    // FAT sectors needed for themselves, the directory and the stream.
    let fat_sectors = (stream_sectors + 1).div_ceil(127);
    assert!(fat_sectors <= 109, "a stream too long for this helper");
    let dir_at = fat_sectors;
    let stream_at = dir_at + 1;
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    let put16 = |b: &mut [u8], at: usize, v: u16| b[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 = |b: &mut [u8], at: usize, v: u32| b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut header, 24, 0x3E);
    put16(&mut header, 26, 3);
    put16(&mut header, 28, 0xFFFE);
    put16(&mut header, 30, 9);
    put16(&mut header, 32, 6);
    put32(&mut header, 44, fat_sectors as u32);
    put32(&mut header, 48, dir_at as u32);
    put32(&mut header, 56, 4096);
    put32(&mut header, 60, END); // no mini FAT
    put32(&mut header, 68, END); // no DIFAT sectors
    for i in 0..109 {
        let v = if i < fat_sectors { i as u32 } else { FREE };
        put32(&mut header, 76 + 4 * i, v);
    }
    let mut table = vec![FREE; fat_sectors * 128];
    for t in table.iter_mut().take(fat_sectors) {
        *t = 0xFFFF_FFFD;
    }
    table[dir_at] = END;
    for s in 0..stream_sectors {
        table[stream_at + s] = if s + 1 == stream_sectors {
            END
        } else {
            (stream_at + s + 1) as u32
        };
    }
    fat(&mut table);
    let fat_bytes: Vec<u8> = table.iter().flat_map(|v| v.to_le_bytes()).collect();
    let mut dir = vec![0u8; 512];
    for (i, (name, start, len)) in [
        ("Root Entry", END, 0u32),
        ("Workbook", stream_at as u32, stream.len() as u32),
    ]
    .into_iter()
    .enumerate()
    {
        let at = i * 128;
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        dir[at..at + utf16.len()].copy_from_slice(&utf16);
        put16(&mut dir, at + 64, (utf16.len() + 2) as u16);
        dir[at + 66] = if i == 0 { 5 } else { 2 };
        put32(&mut dir, at + 68, FREE);
        put32(&mut dir, at + 72, FREE);
        put32(&mut dir, at + 76, if i == 0 { 1 } else { FREE });
        put32(&mut dir, at + 116, start);
        put32(&mut dir, at + 120, len);
    }
    [header, fat_bytes, dir, stream].concat()
}

/// A BIFF8 record.
fn biff(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut r = typ.to_le_bytes().to_vec();
    r.extend((data.len() as u16).to_le_bytes());
    r.extend(data);
    r
}

/// A workbook stream of one worksheet holding a number at each of `cells`.
fn biff_workbook(cells: &[(u16, u16)]) -> Vec<u8> {
    biff_sheet(|stream| {
        for (row, col) in cells {
            let mut d = row.to_le_bytes().to_vec();
            d.extend(col.to_le_bytes());
            d.extend(0u16.to_le_bytes());
            d.extend(9990000018f64.to_le_bytes());
            stream.extend(biff(0x0203, &d));
        }
    })
}

/// A workbook stream of one worksheet of `rows` rows of `cols` numbers (MulRk).
fn biff_rows(rows: u16, cols: u16) -> Vec<u8> {
    biff_sheet(|stream| {
        for row in 0..rows {
            let mut d = row.to_le_bytes().to_vec();
            d.extend(0u16.to_le_bytes());
            for _ in 0..cols {
                d.extend(0u16.to_le_bytes());
                d.extend(((42u32 << 2) | 2).to_le_bytes()); // the whole number 42
            }
            d.extend((cols - 1).to_le_bytes());
            stream.extend(biff(0x00BD, &d));
        }
    })
}

/// A workbook stream of one worksheet, its cells written by `cells`.
fn biff_sheet(cells: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let bof = |dt: u16| {
        let mut d = 0x0600u16.to_le_bytes().to_vec();
        d.extend(dt.to_le_bytes());
        d.extend([0u8; 12]);
        biff(0x0809, &d)
    };
    let name = b"Report";
    let sheet_record_len = 4 + 8 + name.len();
    let globals_len = bof(0x0005).len() + sheet_record_len + 4;
    let mut bound = (globals_len as u32).to_le_bytes().to_vec();
    bound.extend([0, 0, name.len() as u8, 0]);
    bound.extend(name);
    let mut stream = bof(0x0005);
    stream.extend(biff(0x0085, &bound));
    stream.extend(biff(0x000A, &[]));
    assert_eq!(stream.len(), globals_len);
    stream.extend(bof(0x0010));
    cells(&mut stream);
    stream.extend(biff(0x000A, &[]));
    stream
}

// ---- The bombs ----

#[test]
fn an_ods_of_one_kilobyte_with_a_row_repeated_down_and_across_is_refused() {
    isolated(
        "an_ods_of_one_kilobyte_with_a_row_repeated_down_and_across_is_refused",
        || {
            // 60,000 rows of 1,000 copies of one cell: 60 million cells, with their
            // text, expanded whole by the spreadsheet reader before one is read.
            let bomb = ods_repeated(60_000, 1_000);
            assert!(bomb.len() < 1_500, "{} bytes", bomb.len());
            refused(
                "ods, row repeated 60,000 x 1,000",
                "Appointments.ods",
                &bomb,
                &[
                    "OpenDocument spreadsheet (.ods)",
                    "would expand to more than 1,000,000 cells",
                ],
            );
            // And across only, as far as the reader goes (16,384 columns), down a
            // million rows.
            refused(
                "ods, row repeated 1,048,576 x 16,384",
                "Appointments.ods",
                &ods_repeated(1_048_576, 16_384),
                &["would expand to more than 1,000,000 cells"],
            );
        },
    );
}

#[test]
fn an_xlsx_with_one_long_shared_string_shown_by_200000_cells_is_refused() {
    isolated(
        "an_xlsx_with_one_long_shared_string_shown_by_200000_cells_is_refused",
        || {
            // One shared string of 32,000 characters (near Excel's limit for a cell)
            // shown by 200,000 cells: 6.4 GB of copies from half a megabyte.
            let long = "Testpatient ".repeat(2_667);
            let shared = format!(
                "<sst xmlns=\"{MAIN}\" count=\"200002\" uniqueCount=\"3\">\
                 <si><t>NHS Number</t></si><si><t>Notes</t></si><si><t>{long}</t></si></sst>"
            );
            let mut sheet = format!(
                "<worksheet xmlns=\"{MAIN}\"><sheetData><row r=\"1\">\
                 <c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>"
            );
            for r in 2..=100_001 {
                sheet += &format!(
                    "<row r=\"{r}\"><c r=\"A{r}\" t=\"s\"><v>2</v></c><c r=\"B{r}\" t=\"s\"><v>2</v></c></row>"
                );
            }
            sheet += "</sheetData></worksheet>";
            let bomb = zip_of(&xlsx_parts(sheet, Some(shared)));
            assert!(bomb.len() < 1_000_000, "{} bytes", bomb.len());
            refused(
                "xlsx, one 32,000-character shared string in 200,000 cells",
                "Appointments.xlsx",
                &bomb,
                &["more than 64 MB of text"],
            );
        },
    );
}

#[test]
fn a_table_of_shared_text_declaring_four_billion_entries_is_refused() {
    isolated(
        "a_table_of_shared_text_declaring_four_billion_entries_is_refused",
        || {
            // The reader reserves room for the count a file declares, before reading.
            let shared = format!(
                "<sst xmlns=\"{MAIN}\" count=\"4000000000\" uniqueCount=\"4000000000\"><si><t>NHS Number</t></si></sst>"
            );
            let sheet = format!(
                "<worksheet xmlns=\"{MAIN}\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row></sheetData></worksheet>"
            );
            refused(
                "xlsx, table of shared text declaring 4,000,000,000 entries",
                "Appointments.xlsx",
                &zip_of(&xlsx_parts(sheet, Some(shared))),
                &[
                    "Excel workbook (.xlsx)",
                    "table of shared text has more than 1,000,000 entries",
                ],
            );
        },
    );
}

#[test]
fn an_xlsx_whose_sheet_declares_two_gib_is_refused_before_it_is_unpacked() {
    isolated(
        "an_xlsx_whose_sheet_declares_two_gib_is_refused_before_it_is_unpacked",
        || {
            // One cell of 2 GiB, which the sheet declares: 13 MB of file.
            let gib2 = 2u64 << 30;
            let bomb = xlsx_with_one_huge_cell(gib2, u32::try_from(gib2 + 200).unwrap());
            refused(
                "xlsx, one cell of 2 GiB, declared",
                "Appointments.xlsx",
                &bomb,
                &["a part inside it would unpack to more than 512 MB"],
            );
        },
    );
}

/// Found by the `report_xlsx` fuzz target: calamine adds a cell reference's letters
/// and digits up in 32 bits, so `DOOOOOOOOOOO4` (and a row, a dimension or a shared
/// formula's range as long) overflowed, and takes a dimension's start from its end,
/// so `AZ1:I10` did: a panic in a build that checks overflow, a cell at a wrong
/// place in one that does not. Refused before calamine opens it.
#[test]
fn cell_references_past_excel_s_grid_are_refused_before_the_reader_adds_them_up() {
    isolated(
        "cell_references_past_excel_s_grid_are_refused_before_the_reader_adds_them_up",
        || {
            no_panics();
            let good = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>NHS Number</t></is></c>\
                        <c r=\"B1\" t=\"inlineStr\"><is><t>Surname</t></is></c></row>";
            for (what, bad) in [
                (
                    "a cell's column",
                    format!("<row r=\"2\"><c r=\"D{}4\"><v>1</v></c></row>", "O".repeat(118)),
                ),
                ("a cell's row", "<row><c r=\"A99999999999\"><v>1</v></c></row>".to_string()),
                ("a row", "<row r=\"4294967297\"><c><v>1</v></c></row>".to_string()),
                (
                    "a shared formula's range",
                    "<row r=\"2\"><c r=\"A2\"><f t=\"shared\" si=\"0\" ref=\"A2:AAAAAAAA2\">1</f><v>1</v></c></row>"
                        .to_string(),
                ),
            ] {
                let sheet = format!(
                    "<worksheet xmlns=\"{MAIN}\"><sheetData>{good}{bad}</sheetData></worksheet>"
                );
                refused(
                    &format!("xlsx, {what} past the grid"),
                    "Appointments.xlsx",
                    &zip_of(&xlsx_parts(sheet, None)),
                    &[
                        "Excel workbook (.xlsx) cannot be read safely",
                        "outside Excel's grid of 1,048,576 rows and 16,384 columns",
                    ],
                );
            }
            let dimension = format!(
                "<worksheet xmlns=\"{MAIN}\"><dimension ref=\"A1:ZZZZZZZZ1\"/><sheetData>{good}</sheetData></worksheet>"
            );
            refused(
                "xlsx, a dimension past the grid",
                "Appointments.xlsx",
                &zip_of(&xlsx_parts(dimension, None)),
                &["outside Excel's grid"],
            );
            // Found next: a dimension ending left of where it starts (AZ1:I10), which
            // calamine subtracts in 32 bits.
            let backwards = format!(
                "<worksheet xmlns=\"{MAIN}\"><dimension ref=\"AZ1:I10\"/><sheetData>{good}</sheetData></worksheet>"
            );
            refused(
                "xlsx, a dimension ending before it starts",
                "Appointments.xlsx",
                &zip_of(&xlsx_parts(backwards, None)),
                &["a range ends before it starts"],
            );
            // The grid's own corner is a cell like any other.
            let corner = format!(
                "<worksheet xmlns=\"{MAIN}\"><dimension ref=\"A1:XFD1048576\"/><sheetData>{good}\
                 <row r=\"1048576\"><c r=\"XFD1048576\"><v>9990000018</v></c></row></sheetData></worksheet>"
            );
            let t = read_report_bytes("corner.xlsx", &zip_of(&xlsx_parts(corner, None))).unwrap();
            assert_eq!(t.header, ["NHS Number", "Surname"]);
        },
    );
}

/// In a child of [`isolated`]: any panic, even one the reader catches (as it does
/// calamine's), ends the child, so the test fails.
fn no_panics() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("a panic, even if caught: {info}");
        std::process::abort();
    }));
}

/// Reads `bytes` on a thread and waits at most ten seconds for the answer: a reader
/// that never finishes fails the test instead of hanging it.
fn within_ten_seconds(
    name: &'static str,
    bytes: Vec<u8>,
) -> Result<ReportTable, ReportFileProblem> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(read_report_bytes(name, &bytes));
    });
    rx.recv_timeout(std::time::Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("{name}: still reading after 10 seconds"))
}

/// Found by the `report_ods` fuzz target (twice): calamine reads an .ods table until
/// its end tag, passing over the end of `content.xml` as one more event, so a
/// content cut short inside a table hung the reader (and the screen that asked) for
/// ever.
#[test]
fn an_ods_whose_content_stops_inside_a_table_is_refused_at_once() {
    isolated(
        "an_ods_whose_content_stops_inside_a_table_is_refused_at_once",
        ods_cut_inside_a_table,
    );
}

fn ods_cut_inside_a_table() {
    no_panics();
    let content = ods_content(3, 2);
    let cut = content.find("</table:table>").unwrap();
    let body = content.find("<office:body>").unwrap();
    // Cut inside the table, inside a row; and (found next) a row and a cell before
    // any table, which calamine passes over but which made the check take the
    // table that follows for text inside that cell.
    let stray_cell = format!(
        "{}<table:table-row><table:table-cell office:value-type=\"float\">{}",
        &content[..body],
        &content[body..cut]
    );
    for cut_short in [
        content[..cut].to_string(),
        content[..content.find("<table:table-row table:number").unwrap()].to_string(),
        stray_cell,
    ] {
        let bytes = ods_of(cut_short);
        match within_ten_seconds("Appointments.ods", bytes) {
            Ok(t) => panic!("read as a table of {} rows", t.rows.len()),
            Err(p) => {
                let message = p.to_string();
                assert!(
                    message.starts_with("this OpenDocument spreadsheet (.ods) cannot be read safely: a sheet in it stops before its table ends"),
                    "{message}"
                );
            }
        }
    }
    // The same content, ended, reads.
    let t = within_ten_seconds("Appointments.ods", ods_of(content)).unwrap();
    assert_eq!(t.rows.len(), 3);
}

/// Found by the `report_xls` fuzz target: a FAT sector numbered within what the
/// file's length allows but starting past its end (the header counts in the length,
/// not in the sectors) made calamine slice backwards, a panic; a FAT sector cut
/// short to a length that is not whole numbers of four bytes made it assert. Both
/// refused as damaged.
#[test]
fn an_xls_whose_fat_sector_starts_past_the_end_is_refused_as_damaged() {
    isolated(
        "an_xls_whose_fat_sector_starts_past_the_end_is_refused_as_damaged",
        xls_sector_past_the_end,
    );
}

fn xls_sector_past_the_end() {
    no_panics();
    let whole = ole_workbook(&biff_workbook(&[(0, 0)]), |_| {});
    // The file's last sector cut short: 100 bytes off, the FAT at sector n (len /
    // 512), which then starts past the end; 101 bytes off, the FAT at the short
    // last sector, which then does not hold whole numbers of four bytes (found
    // next: calamine asserts that it does).
    for (cut, back) in [(100, 0), (101, 1)] {
        let mut bytes = whole.clone();
        bytes.truncate(bytes.len() - cut);
        let fat = (bytes.len() / 512) as u32 - back;
        bytes[76..80].copy_from_slice(&fat.to_le_bytes());
        let message = match within_ten_seconds("Appointments.xls", bytes) {
            Ok(t) => panic!("read as a table of {} rows", t.rows.len()),
            Err(p) => p.to_string(),
        };
        assert!(
            message.starts_with("the Excel 97-2003 workbook (.xls) could not be read"),
            "{message}"
        );
    }
}

#[test]
fn a_zip_bomb_sheet_that_unpacks_past_what_it_declares_stops_at_one_cells_limit() {
    isolated(
        "a_zip_bomb_sheet_that_unpacks_past_what_it_declares_stops_at_one_cells_limit",
        || {
            // Declares 400 MB (under the limit for a part), unpacks to 2 GiB: the ZIP
            // reader stops at 400 MB, and the one cell is refused long before.
            let bomb = xlsx_with_one_huge_cell(2u64 << 30, 400 << 20);
            refused(
                "xlsx, one cell of 2 GiB declaring 400 MB",
                "Appointments.xlsx",
                &bomb,
                &["a cell or a piece of its markup holds more than 256 KB"],
            );
        },
    );
}

#[test]
fn an_xls_with_two_cells_at_opposite_corners_is_refused_before_its_grid_is_made() {
    isolated(
        "an_xls_with_two_cells_at_opposite_corners_is_refused_before_its_grid_is_made",
        || {
            // The reader fills in every cell between A1 and IV65536: 16.7 million.
            let bomb = ole_workbook(&biff_workbook(&[(0, 0), (65_535, 255)]), |_| {});
            refused(
                "xls, cells at A1 and IV65536",
                "Appointments.xls",
                &bomb,
                &[
                    "Excel 97-2003 workbook (.xls)",
                    "would expand to more than 1,000,000 cells",
                ],
            );
        },
    );
}

#[test]
fn a_compound_file_whose_directory_chain_loops_is_refused_as_damaged() {
    isolated(
        "a_compound_file_whose_directory_chain_loops_is_refused_as_damaged",
        || {
            // The directory's sector says the next is itself: followed for ever.
            let bomb = ole_workbook(&biff_workbook(&[(0, 0)]), |fat| fat[1] = 1);
            let p = refused(
                "xls, directory chain looping",
                "Appointments.xls",
                &bomb,
                &["Excel 97-2003 workbook (.xls) could not be read", "damaged"],
            );
            assert!(matches!(p, ReportFileProblem::UnreadableSpreadsheet { .. }));
        },
    );
}

// ---- Reports that are merely large: read, within the limit ----

/// 100,000 appointments of twenty columns, as CSV.
fn big_csv() -> String {
    let mut text = String::from("Appointments report\r\nRun by: Dr A Khan\r\n\r\n");
    text += "Appointment Date,Start Time,End Time,Slot Type,Session Holder,Status,NHS Number,Surname,Forename,DOB,\
             Sex,Postcode,Booked At,Booked By,Reason,Notes,Location,Urgent,Duration,Outcome\r\n";
    for i in 0..100_000 {
        text += &format!(
            "25-Nov-2026,{:02}:{:02},{:02}:{:02},Routine,\"KHAN, Asha (Dr)\",Arrived,999{:07},Testpatient{i},Siân,\
             01/02/1980,F,ZZ99 3AB,20/11/2026 14:05,Reception {},Review of medication,\"Note {i}: asked about results\",\
             Room {},N,10,Seen\r\n",
            8 + i % 10,
            i % 60,
            8 + i % 10,
            (i + 10) % 60,
            i % 9_999_999,
            i % 7,
            i % 12
        );
    }
    text
}

#[test]
fn a_hundred_thousand_rows_of_twenty_columns_as_csv_are_read_within_the_limit() {
    isolated(
        "a_hundred_thousand_rows_of_twenty_columns_as_csv_are_read_within_the_limit",
        || {
            let text = big_csv();
            let (t, mb, ms) = measured(|| read_report_bytes("big.csv", text.as_bytes()));
            let t: ReportTable = t.unwrap();
            println!(
                "CSV, 100,000 rows x 20 columns ({} MB): read in {ms} ms, peak growth {mb} MB",
                text.len() >> 20
            );
            assert_eq!(t.rows.len(), 100_000);
            assert!(mb < PEAK_GROWTH_MB, "{mb} MB");
        },
    );
}

#[test]
fn a_hundred_thousand_rows_of_twenty_columns_as_xlsx_are_read_within_the_limit() {
    isolated(
        "a_hundred_thousand_rows_of_twenty_columns_as_xlsx_are_read_within_the_limit",
        || {
            // The CSV's rows as an .xlsx: text cells shared, as Excel writes them.
            let text = big_csv();
            let mut strings: Vec<String> = Vec::new();
            let mut index = std::collections::HashMap::new();
            let mut sheet = format!("<worksheet xmlns=\"{MAIN}\"><sheetData>");
            for (r, line) in text.lines().enumerate().skip(3) {
                let mut rdr = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(line.as_bytes());
                let record = rdr.records().next().unwrap().unwrap();
                sheet += &format!("<row r=\"{}\">", r + 1);
                for (c, cell) in record.iter().enumerate() {
                    let i = *index.entry(cell.to_string()).or_insert_with(|| {
                        strings.push(cell.replace('&', "&amp;").replace('<', "&lt;"));
                        strings.len() - 1
                    });
                    let col = char::from(b'A' + c as u8);
                    sheet += &format!("<c r=\"{col}{}\" t=\"s\"><v>{i}</v></c>", r + 1);
                }
                sheet += "</row>";
            }
            sheet += "</sheetData></worksheet>";
            let shared = format!(
                "<sst xmlns=\"{MAIN}\" uniqueCount=\"{}\">{}</sst>",
                strings.len(),
                strings
                    .iter()
                    .map(|s| format!("<si><t>{s}</t></si>"))
                    .collect::<String>()
            );
            drop((text, strings, index));
            let bytes = zip_of(&xlsx_parts(sheet, Some(shared)));
            let (t, mb, ms) = measured(|| read_report_bytes("big.xlsx", &bytes));
            let t = t.unwrap();
            println!(
                "xlsx, 100,000 rows x 20 columns ({} MB): read in {ms} ms, peak growth {mb} MB",
                bytes.len() >> 20
            );
            assert_eq!(t.rows.len(), 100_000);
            assert!(mb < PEAK_GROWTH_MB, "{mb} MB");
        },
    );
}

// ---- The interchange import ----

fn staff() -> StaffDirectory {
    StaffDirectory::new(vec![Staff {
        id: StaffId(1),
        name: "Dr Test Gp".into(),
        role: Role::Gp,
        active: true,
    }])
}

/// An interchange file of `rows` telephone calls.
fn interchange_file(rows: usize) -> Vec<u8> {
    let mut out = interchange::PATIENT_DATA_WARNING.as_bytes().to_vec();
    out.extend(
        b"kind,occurred_at,nhs_number,patient_name,date_of_birth,clinician,details,status\r\n",
    );
    for i in 0..rows {
        out.extend(
            format!(
                "telephone_call,2026-11-18T09:15,999 000 0018,Test Patient {i},1960-02-01,Dr Test Gp,\
                 \"Asked for a call back about the results of the blood test taken last week ({i})\",\r\n"
            )
            .as_bytes(),
        );
    }
    out
}

#[test]
fn an_interchange_file_over_the_limit_is_refused_and_a_large_one_is_read_in_bounded_memory() {
    isolated(
        "an_interchange_file_over_the_limit_is_refused_and_a_large_one_is_read_in_bounded_memory",
        || {
            let staff = staff();
            let ctx = ImportContext {
                staff: &staff,
                importer: Some(StaffId(1)),
                now: chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
                    .unwrap()
                    .and_hms_opt(9, 0, 0)
                    .unwrap(),
                file: "test.csv",
            };
            let mut big = interchange_file(1);
            big.resize(interchange::MAX_IMPORT_BYTES + 1, b'\n');
            let (result, mb, ms) = measured(|| interchange::read(&big, ctx));
            let p = result.unwrap_err();
            println!(
                "interchange, {} bytes: refused in {ms} ms, peak growth {mb} MB: {p}",
                big.len()
            );
            assert_eq!(p, FileProblem::TooLarge);
            assert!(p.to_string().contains("larger than 64 MB"), "{p}");
            drop(big);
            // A file on disk over the limit is refused before it is read.
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("import.csv");
            let f = std::fs::File::create(&path).unwrap();
            f.set_len(interchange::MAX_IMPORT_BYTES as u64 + 1).unwrap(); // sparse
            assert_eq!(
                interchange::read_file(&path, ctx).unwrap_err(),
                FileProblem::TooLarge
            );

            // 100,000 rows (some 17 MB): read a chunk at a time.
            let file = interchange_file(100_000);
            let (plan, mb, ms) = measured(|| interchange::read(&file, ctx));
            let plan = plan.unwrap();
            println!(
                "interchange, 100,000 rows ({} MB): read in {ms} ms, peak growth {mb} MB",
                file.len() >> 20
            );
            assert!(plan.rejected.is_empty(), "{:?}", plan.rejected.first());
            assert_eq!(plan.items.len(), 100_000);
            assert!(mb < PEAK_GROWTH_MB, "{mb} MB");
        },
    );
}

// ---- At the limits (figures to read by eye; minutes in a debug build) ----

/// Reads `bytes`, prints what it took, and checks it was read within the limit.
fn at_the_limit(what: &str, name: &str, bytes: &[u8]) {
    let (t, mb, ms) = measured(|| read_report_bytes(name, bytes));
    match &t {
        Ok(t) => println!(
            "{what} ({} MB): {} rows read in {ms} ms, peak growth {mb} MB",
            bytes.len() >> 20,
            t.rows.len()
        ),
        Err(p) => println!(
            "{what} ({} MB): refused in {ms} ms, peak growth {mb} MB: {p}",
            bytes.len() >> 20
        ),
    }
    assert!(t.is_ok(), "{what}");
    assert!(mb < PEAK_GROWTH_MB, "{what}: {mb} MB");
}

#[test]
#[ignore = "measures reads at the limits; cargo test --release --test report_bombs -- --ignored --nocapture"]
fn a_text_report_of_nearly_3_000_000_cells_and_64_mb_is_read_within_the_limit() {
    isolated(
        "a_text_report_of_nearly_3_000_000_cells_and_64_mb_is_read_within_the_limit",
        || {
            let mut text = String::from("NHS Number");
            for c in 1..20 {
                text += &format!(",Column {c}");
            }
            text += "\r\n";
            for r in 0..149_000 {
                text += &format!("999{r:07}");
                for c in 1..20 {
                    text += &format!(",Testpatient {r:06}-{c:02}");
                }
                text += "\r\n";
            }
            at_the_limit(
                "CSV, 149,000 x 20 cells of 20 characters",
                "max.csv",
                text.as_bytes(),
            );
        },
    );
}

#[test]
#[ignore = "measures reads at the limits; cargo test --release --test report_bombs -- --ignored --nocapture"]
fn a_text_report_of_nearly_500_000_short_rows_is_read_within_the_limit() {
    isolated(
        "a_text_report_of_nearly_500_000_short_rows_is_read_within_the_limit",
        || {
            let mut text = String::from("NHS Number,Notes\r\n");
            for r in 0..499_000 {
                text += &format!("999{r:07},{}\r\n", "Asked for a call back ".repeat(4));
            }
            at_the_limit(
                "CSV, 499,000 rows of two cells",
                "thin.csv",
                text.as_bytes(),
            );
        },
    );
}

#[test]
#[ignore = "measures reads at the limits; cargo test --release --test report_bombs -- --ignored --nocapture"]
fn an_xlsx_of_nearly_3_000_000_cells_and_1_000_000_shared_strings_is_read_within_the_limit() {
    isolated(
        "an_xlsx_of_nearly_3_000_000_cells_and_1_000_000_shared_strings_is_read_within_the_limit",
        || {
            // The first million cells each their own shared string, the rest inline.
            let mut strings = format!("<sst xmlns=\"{MAIN}\">");
            let mut sheet = format!("<worksheet xmlns=\"{MAIN}\"><sheetData>");
            let mut n = 0usize;
            for r in 1..=149_000 {
                sheet += &format!("<row r=\"{r}\">");
                for c in 0..20u8 {
                    let at = format!("{}{r}", char::from(b'A' + c));
                    if n < 1_000_000 {
                        strings += &format!("<si><t>Tp{r:06}-{c:02}</t></si>");
                        sheet += &format!("<c r=\"{at}\" t=\"s\"><v>{n}</v></c>");
                    } else {
                        sheet += &format!(
                            "<c r=\"{at}\" t=\"inlineStr\"><is><t>Tp{r:06}-{c:02}</t></is></c>"
                        );
                    }
                    n += 1;
                }
                sheet += "</row>";
            }
            sheet += "</sheetData></worksheet>";
            strings += "</sst>";
            let bytes = zip_of(&xlsx_parts(sheet, Some(strings)));
            at_the_limit(
                "xlsx, 149,000 x 20 cells, 1,000,000 shared",
                "max.xlsx",
                &bytes,
            );
        },
    );
}

#[test]
#[ignore = "measures reads at the limits; cargo test --release --test report_bombs -- --ignored --nocapture"]
fn an_ods_of_nearly_1_000_000_cells_is_read_within_the_limit() {
    isolated(
        "an_ods_of_nearly_1_000_000_cells_is_read_within_the_limit",
        || {
            let mut content = String::from(
                "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
                 xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
                 xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\">\
                 <office:body><office:spreadsheet><table:table table:name=\"Report\">",
            );
            for r in 0..49_000 {
                content += "<table:table-row>";
                for c in 0..20 {
                    content += &format!(
                        "<table:table-cell office:value-type=\"string\"><text:p>Testpatient {r:06}-{c:02}</text:p></table:table-cell>"
                    );
                }
                // As LibreOffice writes a row: the empty cells to column AMJ.
                content +=
                    "<table:table-cell table:number-columns-repeated=\"1004\"/></table:table-row>";
            }
            content += "<table:table-row table:number-rows-repeated=\"1000000\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>";
            content +=
                "</table:table></office:spreadsheet></office:body></office:document-content>";
            let bytes = zip_of(&[
                (
                    "mimetype".into(),
                    b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
                ),
                (
                    "META-INF/manifest.xml".into(),
                    b"<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>".to_vec(),
                ),
                ("content.xml".into(), content.into_bytes()),
            ]);
            at_the_limit("ods, 49,000 x 20 cells", "max.ods", &bytes);
        },
    );
}

#[test]
#[ignore = "measures reads at the limits; cargo test --release --test report_bombs -- --ignored --nocapture"]
fn an_xls_of_nearly_1_000_000_cells_is_read_within_the_limit() {
    isolated(
        "an_xls_of_nearly_1_000_000_cells_is_read_within_the_limit",
        || {
            // A header row of text would need shared strings: the numbers alone are
            // what calamine expands; the read may find no header, and that is all
            // right here (the memory is the point).
            let bytes = ole_workbook(&biff_rows(49_000, 20), |_| {});
            let (t, mb, ms) = measured(|| read_report_bytes("max.xls", &bytes));
            println!(
                "xls, 49,000 x 20 numbers ({} MB): {} in {ms} ms, peak growth {mb} MB",
                bytes.len() >> 20,
                match &t {
                    Ok(t) => format!("{} rows read", t.rows.len()),
                    Err(p) => format!("refused ({p})"),
                }
            );
            assert!(
                !matches!(t, Err(ReportFileProblem::WorkbookLimit { .. })),
                "{t:?}"
            );
            assert!(mb < PEAK_GROWTH_MB, "{mb} MB");
        },
    );
}
